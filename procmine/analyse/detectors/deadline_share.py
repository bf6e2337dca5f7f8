"""Deadline share: many of the office's cases pass three months (§ 75 VwGO), across its case types.

Per office: the share of cases past 90 days (closed late, or open and older at the end of the log)
against the share the typical office would have with the same case-type mix (median over offices of
each type's share); reported (kind ``deadline``) when it is above that by ≥ 3 standard errors
(binomial) and the office's own days beyond 90 exceed the typical office's. The evidence names the
step where the late cases lost their time: the step pair whose mean wait per late case exceeds the
other cases' the most. When the late cases lost it spread over several steps (no own wait finding
carries half of their waits' impact), those wait findings are folded into this one, their cause
(``fold_spread_waits``); when one step dominates, that wait stays the headline. One quantity: the
folded finding claims at most what its figure explains, the late cases per year × their mean days past
the limit (``days_beyond_90_per_year``), however much the folded waits claim against their own norms.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from procmine import catalogue
from procmine.analyse.detectors import combine
from procmine.analyse.detectors.base import Network, node_key
from procmine.analyse.detectors.registry import PatternSpec, detector
from procmine.analyse.detectors.waits import pair_items, step_pairs
from procmine.analyse.model import Finding
from procmine.labels_de.report import NORM_VWGO_75

PATTERNS = [PatternSpec("deadline_share", "deadline", ("deadline_monitoring", "priority_rules"), "deadlines")]
MIN_Z = 3.0
DOMINANT_SHARE = 0.5
BREADTH_MARGIN = 0.05  # a case type runs late when its share past 90 days exceeds the typical by this
BROAD = 0.6  # the office is slow across the board when case types holding this share of its cases run late


@detector("deadline_share", PATTERNS, order=35)
def detect_deadline_share(net: Network, min_offices: int = 3) -> list[tuple[str, Finding]]:
    lim = float(catalogue.INACTION_DAYS)
    rows = [pd.DataFrame({"office": n, "ct": d.cases["case_type"].to_numpy().astype(str),
                          "el": d.cases["elapsed_net_d"].to_numpy(dtype=float)}) for n, d in net.data.items() if len(d.cases)]
    if len(rows) < min_offices:
        return []
    tab = pd.concat(rows, ignore_index=True)
    tab["late"] = tab["el"] > lim
    tab["beyond"] = np.maximum(tab["el"] - lim, 0.0)
    g = tab.groupby(["office", "ct"]).agg(n=("late", "size"), late=("late", "mean"), beyond=("beyond", "mean")).reset_index()
    typ = g.groupby("ct")[["late", "beyond"]].median()
    g["exp_late"] = g["n"] * g["ct"].map(typ["late"])
    g["exp_beyond"] = g["n"] * g["ct"].map(typ["beyond"])
    g["obs_late"] = g["n"] * g["late"]
    g["obs_beyond"] = g["n"] * g["beyond"]
    # breadth: the share of the office's cases whose case type runs late more often than the typical office's
    g["broad"] = np.where(g["late"] > g["ct"].map(typ["late"]) + BREADTH_MARGIN, g["n"], 0)
    per = g.groupby("office")[["n", "exp_late", "obs_late", "exp_beyond", "obs_beyond", "broad"]].sum()
    p0 = (per["exp_late"] / per["n"]).clip(0.01, 0.99)
    share = per["obs_late"] / per["n"]
    z = (share - p0) / np.sqrt(p0 * (1 - p0) / per["n"])
    out = []
    for office, r in per.iterrows():  # one step per office
        own = float(r["obs_beyond"] - r["exp_beyond"])
        if z[office] < MIN_Z or own <= 0:
            continue
        d = net.data[str(office)]
        lost = _lost_at(net, str(office), lim)
        out.append((str(office), Finding(
            kind="deadline", pattern="deadline_share", value=float(share[office]), unit="share", impact=own / d.years,
            cases=int(r["obs_late"]), norm=float(p0[office]), norm_basis="network",
            from_activity=lost.get("from_activity"), to_activity=lost.get("to_activity"),
            from_key=lost.get("from_key"), to_key=lost.get("to_key"),
            evidence={"share_over_90_days": float(share[office]), "network_typical_share_over_90_days": float(p0[office]),
                      "cases_over_90_days": int(r["obs_late"]), "cases": int(r["n"]), "significance_z": float(z[office]),
                      "norm_source": NORM_VWGO_75,
                      "lost_time_days_per_late_case": lost.get("days", 0.0),
                      # what the figure explains: the late cases' days past the limit (the cap of folded waits)
                      "days_beyond_90_per_case": float(r["obs_beyond"] / r["n"]),
                      "days_beyond_90_per_late_case": float(r["obs_beyond"] / r["obs_late"]) if r["obs_late"] else 0.0,
                      "days_beyond_90_per_year": float(r["obs_beyond"] / d.years),
                      "share_of_cases_in_late_case_types": float(r["broad"] / r["n"]),
                      # the office's share with the other bodies' time beyond their norms counted in (the key
                      # figure "Anteil über 90 Tage"); the finding's share leaves that time to the external findings
                      "share_over_90_days_with_external": float(np.mean(d.cases["elapsed_d"].to_numpy(dtype=float) > lim))},
        )))
    return out


def _typical_wait_per_case(net: Network) -> pd.Series:
    """Per step pair: the typical office's waiting days there per case (median over offices), computed once."""
    key = "typical_wait_per_case"
    first = next(iter(net.data.values()))
    if key not in first.cache:
        per_office = []
        for other in net.data.values():  # one step per office
            q = step_pairs(other)
            it = pair_items(other)
            per_office.append(q["wait_d"].groupby(it).sum() / max(other.ea.n_cases, 1))
        first.cache[key] = pd.concat(per_office, axis=1).fillna(0.0).median(axis=1).to_frame("typical")
    return first.cache[key]["typical"]


def _lost_at(net: Network, office: str, lim: float) -> dict[str, Any]:
    """The step pair where the office's late cases waited longest beyond the typical office: per late
    case, their mean wait at the step minus the typical office's mean wait there per case."""
    d = net.data[office]
    p = step_pairs(d)
    if p.empty:
        return {}
    late = d.cases["elapsed_net_d"].to_numpy(dtype=float) > lim
    items = pair_items(d)
    mine = p.loc[late[p["case"].to_numpy()], "wait_d"].groupby(items[late[p["case"].to_numpy()]]).sum() / max(int(late.sum()), 1)
    typical = _typical_wait_per_case(net)
    diff = (mine - typical.reindex(mine.index).fillna(0.0)).dropna()
    if diff.empty:
        return {}
    item = str(diff.idxmax())
    fk, tk = item.split("\u2192")
    return {"from_activity": d.label_of(fk), "to_activity": d.label_of(tk), "from_key": node_key(fk), "to_key": node_key(tk),
            "days": float(diff.max())}


def fold_spread_waits(found: list[Finding]) -> list[Finding]:
    """Own generic waits of an office whose deadline share is high fold into the deadline finding
    when none of them carries half their impact (the office is slow at every step, not at one) and the
    lateness is broad (case types holding ≥ ``BROAD`` of its cases run late, not a few starved ones).
    Impact: the larger of its own and the waits' sum, capped by what its figure explains
    (``combine.lateness_explained``); the waits stay listed in ``waits_folded``."""
    idx = next((i for i, f in enumerate(found) if f.pattern == "deadline_share"), None)
    if idx is None:
        return found
    waits = [i for i, f in enumerate(found) if f.pattern in combine.SINGLE_WAIT_PATTERNS and not f.shared and not f.external]
    total = sum(found[i].impact for i in waits)
    if not waits or max(found[i].impact for i in waits) >= DOMINANT_SHARE * total:
        return found
    dl = found[idx]
    if dl.evidence.get("share_of_cases_in_late_case_types", 1.0) < BROAD:
        return found  # some case types run late (priority rules, one team): that is the problem
    folded = [{"from_activity": found[i].from_activity, "to_activity": found[i].to_activity, "impact": float(found[i].impact)}
              for i in waits]
    out = [f for i, f in enumerate(found) if i not in waits]
    claim = min(max(dl.impact, total), combine.lateness_explained(dl))
    return [replace(f, impact=claim, evidence={**f.evidence, "waits_folded": folded}) if f is dl else f for f in out]


combine.add_merge(fold_spread_waits, 60)
