"""Deadlines by case type: cases beyond 90 days (§ 75 VwGO).

Per case max(0, elapsed − 90) days (elapsed net of external waits beyond their norm, which are the
external finding's); own excess of a case type beyond the office's own median over case types, so a
case type starved by priority rules stands out from an office that is slow everywhere.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procmine import catalogue
from procmine.analyse.detectors.base import Network, own_excess
from procmine.analyse.detectors.registry import PatternSpec, detector
from procmine.analyse.model import Finding

DEADLINE_PATTERN_BY_CASE_TYPE = {"VISA_CONSENT": "visa_consent_queue"}
PATTERNS = [
    PatternSpec("priority_starvation", "deadline", ("priority_rules",), "teams"),
    PatternSpec("visa_consent_queue", "deadline", ("priority_rules", "team_rebalancing"), "external"),
]


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
    over = tab.assign(o=tab["beyond"] > 0).groupby(["item", "office"]).agg(
        over=("o", "sum"), share=("o", "mean"), top_team=("team", lambda s: s.mode().iloc[0] if len(s) else ""),
        team_share=("team", lambda s: float((s == s.mode().iloc[0]).mean()) if len(s) else 0.0),
    )
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
                        "network_typical_days_beyond_90_per_case": float(r.typical_total / r.n),
                        "office_level_per_case": float(r.office_level),
                        "network_typical_share_over_90_days": float(typical_share.get(r.item, np.nan)),
                        "significance_z": float(r.z),
                        "norm_source": "§ 75 VwGO (Untätigkeitsklage nach 3 Monaten)",
                    },
                ),
            )
        )
    return out

