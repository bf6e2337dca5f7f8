"""Team level: a team whose cases take longer than the office's other teams' (chronically).

A case's excess = its elapsed days net of its waits on other bodies − the network's typical such days
for its case type; a team's impact = its cases × (its median excess − the other teams' median),
capped by the median of its quarterly gaps. Team level only: teams with fewer than
``min_team_resources`` distinct staff are left out; front desks touching over 80 % of cases excluded.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from procmine.analyse.detectors import combine
from procmine.analyse.detectors.base import DEADLINE_PATTERN_BY_CASE_TYPE, Network, team_staff
from procmine.analyse.detectors.registry import PatternSpec, detector
from procmine.analyse.model import Finding
from procmine.schema import RESOURCE

PATTERNS = [PatternSpec("team_shortage", "resource", ("team_rebalancing",), "teams")]


def _quarterly_team_gap(df: pd.DataFrame, case_start: np.ndarray, teams: pd.Index, min_quarters: int = 3, min_cases: int = 5) -> pd.Series:
    """Per team: median over quarters (by case start) of (team median − other teams' median) residual."""
    start = pd.to_datetime(pd.Series(case_start[df.index.to_numpy()]), utc=True)
    q = ((start - start.min()).dt.days // 91).to_numpy()
    team = df["team"].to_numpy()
    r = df["r"].to_numpy()
    out = {}
    for t in teams:  # a handful of teams × a handful of quarters
        gaps = []
        for quarter in np.unique(q):
            in_q = q == quarter
            mine, others = r[in_q & (team == t)], r[in_q & (team != t)]
            if len(mine) >= min_cases and len(others) >= min_cases:
                gaps.append(float(np.median(mine) - np.median(others)))
        if len(gaps) >= min_quarters:
            out[t] = float(np.median(gaps))
    return pd.Series(out, dtype=float)



@detector("teams", PATTERNS, order=40)
def detect_teams(net: Network) -> list[tuple[str, Finding]]:
    data, teams, min_team_resources = net.data, net.teams, net.min_team_resources
    out = []
    pooled = pd.concat(
        [pd.DataFrame({"office": n, "ct": d.cases["case_type"].to_numpy(), "el": d.cases["internal_d"].to_numpy()}) for n, d in data.items()],
        ignore_index=True,
    )
    # typical elapsed days per case type: median over offices of the office mean
    net_ct = pooled.groupby(["ct", "office"])["el"].mean().groupby(level="ct").median()
    for name, d in data.items():  # one step per office
        team = teams[name]
        if not (team != "").any() or RESOURCE not in d.ea.log.columns:
            continue
        staff = team_staff(d.ea.log)  # distinct staff per team, from codes
        ok = [t for t, k in staff.items() if t and k >= min_team_resources]
        ct = d.cases["case_type"].to_numpy()
        el = d.cases["internal_d"].to_numpy()
        # a case's excess over the network's typical case of its type (removes the case mix)
        df = pd.DataFrame({"team": team, "ct": ct, "el": el, "r": el - pd.Series(ct).map(net_ct).to_numpy()})
        df = df[df["team"].isin(ok) & df["r"].notna()]
        if df["team"].nunique() < 2:
            continue
        per_team = df.groupby("team").agg(n=("r", "size"), rsum=("r", "sum"), total=("el", "sum"), rmed=("r", "median"))
        # reference: the office's other teams (same office, so office-wide effects cancel); medians,
        # so a shortage that slows the team's typical case counts, not a passing flood of some cases
        other_med = pd.Series({t: float(np.median(df.loc[df["team"].to_numpy() != t, "r"])) for t in per_team.index})
        # a shortage is chronic: take the smaller of the whole-period gap and the median of the
        # quarterly gaps, so a queue that one burst leaves behind (e.g. a batch released after an
        # outage of another body) does not pass for a staffing problem
        quarterly = _quarterly_team_gap(df, d.cases["start"].to_numpy(), per_team.index)
        # and a team is short only where its typical case is also slower than the network's typical
        # case of the same type (rmed > 0), not merely less fast than the office's other teams
        gap = np.minimum(per_team["rmed"] - other_med, quarterly.reindex(per_team.index).fillna(np.inf))
        gap = np.minimum(gap, per_team["rmed"])
        per_team["excess"] = per_team["n"] * gap
        main_ct = df.groupby("team")["ct"].agg(lambda x: x.mode().iloc[0])
        main_share = df.assign(m=df["ct"].to_numpy() == df["team"].map(main_ct).to_numpy()).groupby("team")["m"].mean()
        for t, r in per_team.iterrows():
            if r["excess"] <= 0:
                continue
            mean_el = r["total"] / r["n"]
            ref_mean = (r["total"] - r["excess"]) / r["n"]
            out.append(
                (
                    name,
                    Finding(
                        kind="resource",
                        pattern="team_shortage",
                        value=float(mean_el),
                        unit="days",
                        impact=float(r["excess"] / d.years),
                        cases=int(r["n"]),
                        team=str(t),
                        norm=float(ref_mean),
                        norm_basis="office",
                        evidence={
                            "team_measure": "case_elapsed",
                            "team_cases": int(r["n"]),
                            "mean_elapsed_days": float(mean_el),
                            "reference_mean_elapsed_days": float(ref_mean),
                            "staff": int(staff.get(t, 0)),
                            "main_case_type": str(main_ct[t]),
                            "main_case_type_share": float(main_share[t]),
                        },

                    ),
                )
            )
    return out



TEAM_SHARE = 0.7  # a wait whose excess this share of falls on one team's cases is that team's queue


def team_queue(waits: list[Finding]) -> dict[str, float]:
    """A team's queue (its waits pooled) in one quantity: the mean wait per pass through the queue's
    steps (``value``), the typical office's mean for the same case mix (``norm``), passes per year and
    ``impact`` = passes per year × (value − norm), i.e. excess case-days per year."""
    per_year = float(sum(w.evidence["waits_per_year"] for w in waits))
    days = float(sum(w.evidence["mean_days"] * w.evidence["waits_per_year"] for w in waits))
    typical = float(sum(w.evidence["typical_mean_days"] * w.evidence["waits_per_year"] for w in waits))
    value, norm = days / max(per_year, 1e-12), typical / max(per_year, 1e-12)
    return {"value": value, "norm": norm, "waits_per_year": per_year, "impact": per_year * (value - norm)}


def fold_team_waits(found: list[Finding]) -> list[Finding]:
    """Own generic waits whose excess falls mostly (≥ ``TEAM_SHARE``) on one team's cases are that
    team's queue (``team_queue``).

    A team finding shows, and is sized by, one quantity: its cases' mean elapsed days against the
    office's other teams (``detect_teams``) or, where larger, its queue's mean wait against the typical
    office's (the figure, the norm and the impact then all come from the queue). A team at or below its
    norm on both claims nothing: without a team finding of its own, its waits then stay wait findings."""
    by_team: dict[str, list[int]] = {}
    for i, f in enumerate(found):
        ev = f.evidence
        if f.pattern in combine.SINGLE_WAIT_PATTERNS and not f.shared and not f.external and \
                ev.get("team_share_of_excess", 0.0) >= TEAM_SHARE and "waits_per_year" in ev:
            by_team.setdefault(str(ev["carried_by_team"]), []).append(i)
    if not by_team:
        return found
    out = list(found)
    drop: set[int] = set()
    for team, idx in by_team.items():
        q = team_queue([found[i] for i in idx])
        waits = [{"from_activity": found[i].from_activity, "to_activity": found[i].to_activity,
                  "from_key": found[i].from_key, "to_key": found[i].to_key, "impact": float(found[i].impact), "mean_days": float(found[i].evidence["mean_days"]),
                  "typical_mean_days": float(found[i].evidence["typical_mean_days"]),
                  "excess_share_by_case_type": found[i].evidence.get("excess_share_by_case_type", {})} for i in idx]
        j = next((k for k, f in enumerate(found) if f.pattern == "team_shortage" and f.team == team), None)
        if j is None and q["impact"] <= 0:
            continue  # the team's queue is not slower on average than the typical office's: no team finding
        largest = found[max(idx, key=lambda i: found[i].impact)]
        # the queue's value is the mean over all its passes: all the cases waiting there, not only
        # those beyond a wait's norm (a wait finding's ``cases``)
        passing = max(int(found[i].evidence.get("cases", found[i].cases)) for i in idx)
        queue_ev = {"waits_of_team": waits, "team_measure": "queue_wait_per_step", "queue_waits_per_year": q["waits_per_year"],
                    "team_share_of_excess": largest.evidence["team_share_of_excess"],
                    **_queue_interval(q["impact"], [found[i] for i in idx]),
                    **{k: v for k, v in largest.evidence.items() if k.startswith("trend")}}
        basis = queue_basis([found[i] for i in idx])
        if j is None:
            out.append(Finding(kind="resource", pattern="team_shortage", value=q["value"], unit="days", impact=q["impact"],
                               cases=passing, team=team, norm=q["norm"], norm_basis=basis,
                               evidence=queue_ev))
        else:
            t = out[j]
            if q["impact"] > t.impact:  # the queue is the larger of the two: the team is shown by its queue
                out[j] = replace(t, value=q["value"], norm=q["norm"], norm_basis=basis, impact=q["impact"],
                                 cases=max(t.cases, passing), evidence={**t.evidence, **queue_ev})
            else:
                out[j] = replace(t, evidence={**t.evidence, "waits_of_team": waits})
        drop.update(idx)
    return [f for i, f in enumerate(out) if i not in drop]


def queue_basis(waits: list[Finding]) -> str:
    """Where a team queue's norm comes from: its waits' typical means are the network's typical office
    where every wait was compared with the network; otherwise (an office alone, or too few offices
    logging the step) they are the waits' own norms, and the queue's norm is named by theirs."""
    bases = {w.norm_basis or "unknown" for w in waits}
    if bases == {"network"}:
        return "network"
    return bases.pop() if len(bases) == 1 else "unknown"


def _queue_interval(impact: float, waits: list[Finding]) -> dict[str, float]:
    """An approximate interval of a team queue's impact: the waits' bootstrap intervals, summed and
    scaled to the queue's impact (the waits' own impacts clip at their norm, the queue's does not)."""
    claimed = sum(w.impact for w in waits)
    lo = sum(float(w.evidence.get("impact_low", 0.0)) for w in waits)
    hi = sum(float(w.evidence.get("impact_high", 0.0)) for w in waits)
    if claimed <= 0 or impact <= 0:
        return {}
    return {"impact_low": lo * impact / claimed, "impact_high": hi * impact / claimed}


CASE_TYPE_QUEUE_SHARE = 0.8  # a team queue whose excess this share of falls on one case type is that type's queue


def queue_share_of(team: Finding, case_type: str) -> float:
    """The share of a team finding's queue excess (its folded waits, by impact) that falls on ``case_type``."""
    waits = team.evidence.get("waits_of_team", [])
    total = sum(float(w["impact"]) for w in waits)
    on = sum(float(w["impact"]) * float(w.get("excess_share_by_case_type", {}).get(case_type, [0.0])[0]) for w in waits)
    return on / total if total > 0 else 0.0


def merge_team_into_case_type_queue(found: list[Finding]) -> list[Finding]:
    """A team whose queue is one case type's queue (``CASE_TYPE_QUEUE_SHARE`` of its excess on that type),
    where that type's late cases are a named pattern of their own (``DEADLINE_PATTERN_BY_CASE_TYPE``, e.g.
    the visa-consent queue, whose measures include rebalancing the team): one problem, reported once as
    the named pattern, the more specific diagnosis, with the team's finding as evidence. It keeps its own
    impact (its figure's quantity), not the team's."""
    named = set(DEADLINE_PATTERN_BY_CASE_TYPE.values())
    out = list(found)
    drop: set[int] = set()
    for j, d in enumerate(found):
        if d.pattern not in named or d.shared or not d.team or not d.case_type:
            continue
        for i, t in enumerate(found):
            if t.pattern == "team_shortage" and t.team == d.team and queue_share_of(t, d.case_type) >= CASE_TYPE_QUEUE_SHARE:
                out[j] = replace(out[j], evidence={**out[j].evidence, "team_finding": dict(t.evidence)})
                drop.add(i)
    return [f for i, f in enumerate(out) if i not in drop]


combine.add_merge(fold_team_waits, 50)
combine.add_merge(merge_team_into_case_type_queue, 52)
