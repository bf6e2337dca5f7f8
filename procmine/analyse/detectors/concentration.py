"""Single point of failure: a step where very few persons do nearly all the work (kind ``resource``).

Per office and step (≥ ``MIN_EVENTS`` events with a staff id): the persons' shares of the step's
events, largest first; the step is concentrated when fewer than two persons' worth of work carries
90 % of it (the largest share alone ≥ 90 %), while the typical office spreads the same step (its
largest share < 60 %; with fewer than three offices only the first condition). Impact: the own excess
of the wait into the step (mean per case over the typical office's mean, case-days per year; ``value``
is that mean wait, ``norm`` the typical office's mean, one quantity: impact = ``queue_waits_per_year``
× (value − norm)); own wait findings into the step are the same problem and are folded in
(``fold_waits_into_step``) without raising the impact beyond that quantity. The
queue's trend comes with it. Wording stays at step/team level: no staff id, no head count that could
identify a person (DOMAIN §5).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from procmine.analyse.detectors import combine
from procmine.analyse.detectors.base import Network, OfficeData, node_key, trends
from procmine.analyse.detectors.registry import PatternSpec, detector
from procmine.analyse.detectors.waits import step_pairs
from procmine.analyse.model import Finding
from procmine.schema import RESOURCE, TEAM

PATTERNS = [PatternSpec("single_point", "resource", ("deputy_rule", "team_rebalancing"), "teams")]
MIN_EVENTS = 50
TOP_SHARE = 0.9  # fewer than two persons carry 90 % of the step's work
TYPICAL_TOP_SHARE = 0.6  # the typical office's largest share at the step stays below this


def _top_shares(d: OfficeData) -> pd.DataFrame:
    """Per step node: events with a staff id, the largest person's share, the main team."""
    log = d.ea.log
    if RESOURCE not in log.columns:
        return pd.DataFrame(columns=["item", "events", "top_share", "team"])
    res, _ = pd.factorize(log[RESOURCE])
    has = res >= 0
    ncode, nodes = pd.factorize(d.node)  # the step node's code per event (its text mapped at the end)
    item = ncode[d.ea.act]
    if TEAM in log.columns:
        tcode, tlabels = pd.factorize(log[TEAM])
    else:
        tcode, tlabels = np.full(len(log), -1), np.array([], dtype=object)
    df = pd.DataFrame({"item": item[has], "res": res[has], "team": tcode[has]})
    cnt = df.groupby(["item", "res"], sort=False).size()
    tot = cnt.groupby(level="item").sum()
    top = cnt.groupby(level="item").max() / tot
    # the team doing most of the step's events
    tcnt = df[df["team"] >= 0].groupby(["item", "team"], sort=False).size()
    main = tcnt.groupby(level="item").idxmax().map(lambda k: str(np.asarray(tlabels, dtype=object)[k[1]])) if len(tcnt) else \
        pd.Series(dtype=object)
    out = pd.DataFrame({"events": tot, "top_share": top, "team": main.reindex(tot.index).fillna("")}).reset_index(names="item")
    out["item"] = np.asarray(nodes, dtype=object)[out["item"].to_numpy(dtype=np.int64)]
    return out


@detector("single_point", PATTERNS, order=45)
def detect_single_point(net: Network) -> list[tuple[str, Finding]]:
    tops = {n: _top_shares(d) for n, d in net.data.items()}
    tab = pd.concat([t.assign(office=n) for n, t in tops.items() if len(t)], ignore_index=True) if any(
        len(t) for t in tops.values()) else pd.DataFrame()
    if tab.empty:
        return []
    tab = tab[tab["events"] >= MIN_EVENTS]
    typical = tab.groupby("item")["top_share"].median()
    n_off = tab.groupby("item")["office"].nunique()
    out = []
    for r in tab[tab["top_share"] >= TOP_SHARE].itertuples(index=False):  # one step per concentrated (step, office)
        several = n_off.get(r.item, 1) >= 3
        if several and typical.get(r.item, 1.0) >= TYPICAL_TOP_SHARE:
            continue
        d = net.data[r.office]
        waits = _waits_into(net, r.item)
        mine = waits[waits["office"] == r.office]
        if mine.empty:
            continue
        ref = float(waits.groupby("office")["wait_d"].mean().median()) if several else float(mine["wait_d"].median())
        # own excess: the mean over the typical office's mean (network), else the tail over the own median
        w = mine["wait_d"].to_numpy()
        own = max(float(w.sum()) - ref * len(w), 0.0) if several else float(np.maximum(w - ref, 0.0).sum())
        # one quantity: against the typical office's mean, the mean wait; against the own median,
        # the mean wait of the waits beyond it (value − norm, times those waits, is the impact's excess)
        passes = len(w) if several else max(int((w > ref).sum()), 1)  # the waits ``value`` is the mean of
        value = float(w.mean()) if several else ref + own / passes
        t0, t1 = float(d.ea.end_us.min()), float(d.ea.end_us.max())
        tr = trends(np.zeros(len(mine), dtype=np.int64), mine["time"].to_numpy(dtype=float), mine["wait_d"].to_numpy(dtype=float),
                    np.full(len(mine), t0), np.full(len(mine), t1))
        trend = {} if tr.empty else {"trend": str(tr["trend"].iloc[0]), "trend_days_per_month": float(tr["slope"].iloc[0])}
        out.append((r.office, Finding(
            kind="resource", pattern="single_point", value=value, unit="days",
            impact=own / d.years, cases=int(mine["case"].nunique()), activity=d.label_of(r.item), activity_key=node_key(r.item),
            team=str(r.team) or None, norm=ref, norm_basis="network" if several else "office",
            evidence={"share_of_step_by_fewest_staff": float(r.top_share), "fewer_than_two_staff_carry_90_percent": True,
                      "network_typical_top_share": float(typical.get(r.item, np.nan)), "events": int(r.events),
                      "queue_mean_days": float(mine["wait_d"].mean()), "network_typical_queue_days": ref,
                      "queue_waits_per_year": passes / d.years, **trend},
        )))
    return out


def _waits_into(net: Network, item: str) -> pd.DataFrame:
    """Waits into ``item`` (from whichever step precedes it) in every office: office, case, wait_d, time."""
    parts = []
    for n, d in net.data.items():
        p = step_pairs(d)
        p = p[(p["to"] == item) & (p["from"] != item)]
        parts.append(pd.DataFrame({"office": n, "case": p["case"].to_numpy(), "wait_d": p["wait_d"].to_numpy(),
                                   "time": p["time"].to_numpy()}))
    return pd.concat(parts, ignore_index=True)


def fold_waits_into_step(found: list[Finding]) -> list[Finding]:
    """Own generic waits into a step that hangs on very few persons are that step's queue: folded into
    the single-point finding (listed as ``waits_into_step``). One quantity: the finding claims what its
    own figure explains, ``queue_waits_per_year`` × (value − norm), never the folded waits' sum beyond it
    (those waits are measured against other norms and would claim days its figure does not show)."""
    points = {f.activity_key or f.activity: i for i, f in enumerate(found) if f.pattern == "single_point"}
    if not points:
        return found
    out = list(found)
    drop: set[int] = set()
    for i, f in enumerate(found):
        if f.pattern not in combine.SINGLE_WAIT_PATTERNS or f.shared:
            continue
        j = points.get(f.to_key) if f.to_key else points.get(f.to_activity)
        if j is None:
            continue
        drop.add(i)
        p = out[j]
        waits = [*p.evidence.get("waits_into_step", []), {"from_activity": f.from_activity, "impact": float(f.impact)}]
        out[j] = replace(p, evidence={**p.evidence, "waits_into_step": waits})
    for j in set(points.values()):
        p = out[j]
        total = sum(w["impact"] for w in p.evidence.get("waits_into_step", []))
        bound = float(p.evidence.get("queue_waits_per_year", 0.0)) * max(p.value - (p.norm or 0.0), 0.0)
        out[j] = replace(p, impact=min(max(p.impact, total), bound))
    return [f for i, f in enumerate(out) if i not in drop]


combine.add_merge(fold_waits_into_step, 40)
