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
from procmine.analyse.detectors.base import Network
from procmine.analyse.detectors.registry import PatternSpec, detector
from procmine.analyse.model import Finding
from procmine.schema import RESOURCE, TEAM

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
        log_team = d.ea.log[TEAM].astype("string").fillna("")
        staff = d.ea.log[RESOURCE].astype("string").groupby(log_team.to_numpy()).nunique()
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


def fold_team_waits(found: list[Finding]) -> list[Finding]:
    """Own generic waits whose excess falls mostly (≥ ``TEAM_SHARE``) on one team's cases are that
    team's queue: folded into the team's shortage finding (impact = the larger of its own and the
    waits' sum); without one, the largest such wait becomes the team's finding."""
    by_team: dict[str, list[int]] = {}
    for i, f in enumerate(found):
        ev = f.evidence
        if f.pattern in combine.SINGLE_WAIT_PATTERNS and not f.shared and not f.external and \
                ev.get("team_share_of_excess", 0.0) >= TEAM_SHARE:
            by_team.setdefault(str(ev["carried_by_team"]), []).append(i)
    if not by_team:
        return found
    out = list(found)
    drop: set[int] = set()
    for team, idx in by_team.items():
        total = float(sum(found[i].impact for i in idx))
        waits = [{"from_activity": found[i].from_activity, "to_activity": found[i].to_activity,
                  "impact": float(found[i].impact)} for i in idx]
        j = next((k for k, f in enumerate(found) if f.pattern == "team_shortage" and f.team == team), None)
        if j is None:
            w = found[max(idx, key=lambda i: found[i].impact)]
            out.append(Finding(kind="resource", pattern="team_shortage", value=w.value, unit="days", impact=total,
                               cases=w.cases, team=team, norm=w.norm, norm_basis=w.norm_basis,
                               evidence={"waits_of_team": waits, "team_share_of_excess": w.evidence["team_share_of_excess"],
                                         **{k: v for k, v in w.evidence.items() if k.startswith(("impact_", "trend"))}}))
        else:
            t = out[j]
            out[j] = replace(t, impact=max(t.impact, total), evidence={**t.evidence, "waits_of_team": waits})
        drop.update(idx)
    return [f for i, f in enumerate(out) if i not in drop]


combine.add_merge(fold_team_waits, 50)
