"""Deadlines by case type: cases beyond 90 days (§ 75 VwGO).

Per case max(0, elapsed − 90) days (elapsed net of external waits beyond their norm, which are the
external finding's); own excess of a case type beyond the office's own median over case types, so a
case type starved by priority rules stands out from an office that is slow everywhere.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from procmine import catalogue
from procmine.analyse.detectors import combine
from procmine.analyse.detectors.base import Network, own_excess
from procmine.analyse.detectors.registry import PatternSpec, detector
from procmine.analyse.model import Finding
from procmine.labels_de.report import NORM_VWGO_75

DEADLINE_PATTERN_BY_CASE_TYPE = {"VISA_CONSENT": "visa_consent_queue"}
PATTERNS = [
    PatternSpec("priority_starvation", "deadline", ("priority_rules",), "teams"),
    PatternSpec("visa_consent_queue", "deadline", ("priority_rules", "team_rebalancing"), "external"),
]


def _main_team(s: pd.Series) -> str:
    """The team most of the cases belong to ("" when none has one)."""
    s = s[s != ""]
    return str(s.mode().iloc[0]) if len(s) else ""


def _main_teams(tab: pd.DataFrame) -> pd.DataFrame:
    """Per (item, office): ``_main_team`` of its cases (top_team: the most frequent team, the first by
    name among equals, as ``Series.mode``) and that team's share of the cases with a team (team_share),
    counted per (item, office, team) rather than by a Python function per group."""
    has = tab[tab["team"] != ""]
    k = has.groupby(["item", "office", "team"]).size().rename("k").reset_index()
    k = k.sort_values(["k", "team"], ascending=[False, True], kind="stable").drop_duplicates(["item", "office"])
    k = k.set_index(["item", "office"])
    n = has.groupby(["item", "office"]).size()
    return pd.DataFrame({"top_team": k["team"].astype(object),
                         "team_share": k["k"].to_numpy() / n.reindex(k.index).to_numpy()}, index=k.index)


@detector("deadlines_by_case_type", PATTERNS, order=30)
def detect_deadlines(net: Network) -> list[tuple[str, Finding]]:
    data, teams = net.data, net.teams
    lim = float(catalogue.INACTION_DAYS)
    parts = [
        pd.DataFrame(
            {"office": n, "item": d.cases["case_type"].to_numpy(), "ct": d.cases["case_type"].to_numpy(),
             "beyond": np.maximum(d.cases["elapsed_net_d"].to_numpy() - lim, 0.0), "team": teams[n]}
        )
        for n, d in data.items()
        if len(d.cases)
    ]
    if not parts:
        return []
    tab = pd.concat(parts, ignore_index=True)
    tab = tab[tab["ct"] != ""]
    if tab.empty:
        return []
    own = own_excess(tab, "beyond")
    # excess per case of this case type beyond the office's own median over case types
    own["own_per_case"] = own["own"] / own["n"]
    base = own.groupby("office")["own_per_case"].median().clip(lower=0)
    own["office_level"] = own["office"].map(base).to_numpy()
    own["starved"] = own["n"] * (own["own_per_case"] - own["office_level"])
    over = tab.assign(o=tab["beyond"] > 0).groupby(["item", "office"]).agg(over=("o", "sum"), share=("o", "mean"))
    # the main team and its share among the cases a team has touched (a case still waiting at the front desk has none yet)
    over = over.join(_main_teams(tab)).fillna({"top_team": "", "team_share": 0.0})
    own = own.merge(over.reset_index(), on=["item", "office"])
    # how sure: the share over 90 days against the network's typical share for the type (binomial z)
    typical_share = own.groupby("item")["share"].median()
    p0 = own["item"].map(typical_share).clip(0.01, 0.99).to_numpy()
    own["z"] = (own["share"].to_numpy() - p0) / np.sqrt(p0 * (1 - p0) / own["n"].clip(lower=1).to_numpy())
    out = []
    for r in own.itertuples(index=False):  # one step per (case type, office)
        if r.starved <= 0 or r.over == 0:
            continue
        d = data[r.office]
        pattern = DEADLINE_PATTERN_BY_CASE_TYPE.get(r.item, "priority_starvation")
        team = r.top_team if (r.top_team and r.team_share >= 0.8) else None
        out.append(
            (
                r.office,
                Finding(
                    kind="deadline",
                    pattern=pattern,
                    value=float(r.share),
                    unit="share",
                    impact=float(r.starved / d.years),
                    cases=int(r.over),
                    case_type=r.item,
                    team=team,
                    norm=lim,
                    norm_basis="legal",
                    evidence={
                        "cases": int(r.n),
                        "cases_over_90_days": int(r.over),
                        "share_over_90_days": float(r.share),
                        "days_beyond_90_per_case": float(r.total / r.n),
                        # what the figure explains: its late cases' days past the limit (cap of folded waits)
                        "days_beyond_90_per_year": float(r.total / d.years),
                        "network_typical_days_beyond_90_per_case": float(r.typical_total / r.n),
                        "office_level_per_case": float(r.office_level),
                        "network_typical_share_over_90_days": float(typical_share.get(r.item, np.nan)),
                        "significance_z": float(r.z),
                        "norm_source": NORM_VWGO_75,
                    },
                ),
            )
        )
    return out



STARVED_SHARE = 0.7  # a wait whose excess this share of falls on starved case types is their queue
# (after the team fold: a team's queue is the team's, even where its case types then run late)


def _held_back(shares: dict[str, list[float]], starved: dict[str, int]) -> bool:
    """The starved types carry ≥ ``STARVED_SHARE`` of the wait's excess and over twice their share of its waits."""
    excess = sum(v[0] for c, v in shares.items() if c in starved)
    waits = sum(v[1] for c, v in shares.items() if c in starved)
    return excess >= STARVED_SHARE and excess >= 2.0 * waits


def fold_starved_waits(found: list[Finding]) -> list[Finding]:
    """Own generic waits whose excess falls mostly (≥ ``STARVED_SHARE``) on case types that run late
    on their own are where those types are held back: folded into the largest such deadline finding
    (impact = the larger of its own and the waits' sum, capped by what its figure explains: its cases'
    days past the limit per year, ``combine.lateness_explained``; the waits stay listed)."""
    starved = {f.case_type: i for i, f in enumerate(found) if f.kind == "deadline" and f.case_type and not f.shared}
    if not starved:
        return found
    target = max(starved.values(), key=lambda i: found[i].impact)
    idx = [i for i, f in enumerate(found)
           if f.pattern in combine.SINGLE_WAIT_PATTERNS and not f.shared and not f.external
           and _held_back(f.evidence.get("excess_share_by_case_type", {}), starved)]
    if not idx:
        return found
    waits = [{"from_activity": found[i].from_activity, "to_activity": found[i].to_activity, "impact": float(found[i].impact)}
             for i in idx]
    total = float(sum(found[i].impact for i in idx))
    claim = min(max(found[target].impact, total), combine.lateness_explained(found[target]))
    out = [replace(f, impact=claim, evidence={**f.evidence, "waits_of_starved_types": waits}) if i == target else f
           for i, f in enumerate(found)]
    return [f for i, f in enumerate(out) if i not in idx]


combine.add_merge(fold_starved_waits, 55)
