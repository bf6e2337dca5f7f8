"""Weekday batching: events of an activity concentrated on one weekday beyond the network's typical share.

Only steps the office performs (``catalogue.office_performs``): a weekday pattern in requests,
applications, inquiries or documents handed in is the applicants' demand, and so is one in an office
step that mostly follows such a step within ``DEMAND_LAG_H`` hours (an online booking's appointment).

Impact × 2.5 days (the mean extra wait of work released once a week instead of daily), or, when larger
(the release day cannot take a week's work, so it queues for weeks), the own excess (mix-adjusted) of
the wait into the activity from the case's previous event. That is the mean extra wait per event the
batching causes over the norm (``extra_wait_days_per_event``), and the finding's impact is
``events_per_year`` × it: what its figure explains. A generic wait finding into the batched activity is
the same problem and is folded into the batching finding (``combine``) without raising it beyond that.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procmine import catalogue
from procmine.analyse.detectors.base import Network, node_key, own_excess
from procmine.analyse.detectors.registry import PatternSpec, detector
from procmine.analyse.model import Finding
from procmine.analyse.stats import DAY_S, US
from procmine.schema import DISPLAY_TZ, END

PATTERNS = [PatternSpec("weekly_batching", "batching", ("daily_processing",), "teams")]
DEMAND_LAG_H = 1.0  # an office step this soon after an applicant's step is that step's echo


@detector("batching", PATTERNS, order=50)
def detect_batching(net: Network, min_events: int = 50) -> list[tuple[str, Finding]]:
    data = net.data
    parts = []
    for name, d in data.items():
        if not d.ea.n:
            continue
        wd = d.ea.log[END].dt.tz_convert(DISPLAY_TZ).dt.day_of_week.to_numpy()
        ci = d.ea.case_index
        end = d.ea.end_us.astype(float)
        # days since the case's previous event (NaN for a case's first event)
        wait = np.full(d.ea.n, np.nan)
        same = ci[1:] == ci[:-1]
        wait[1:][same] = (end[1:] - end[:-1])[same] / (DAY_S * US)
        # the step follows an applicant's step (request, documents …) within DEMAND_LAG_H hours
        applicant = np.isin(d.node, list(catalogue.APPLICANT_TRIGGERED))[d.ea.act]
        echo = np.zeros(d.ea.n, dtype=bool)
        echo[1:] = same & applicant[:-1] & (wait[1:] * 24.0 < DEMAND_LAG_H)
        parts.append(pd.DataFrame({"office": name, "item": d.node[d.ea.act], "wd": wd, "wait": wait,
                                   "ct": d.ea.case_type[ci], "echo": echo}))
    if not parts:
        return []
    tab = pd.concat(parts, ignore_index=True)
    own_step = pd.Series(tab["item"].unique())
    own_step = own_step[own_step.map(lambda it: catalogue.office_performs(node_key(it)))]  # once per distinct step
    tab = tab[tab["item"].isin(own_step)]
    demand = tab.groupby(["item", "office"])["echo"].mean()
    # own excess of the wait into each activity (mix-adjusted by case type, network typical office)
    w = tab[tab["wait"].notna()]
    held = own_excess(w[["office", "item", "ct", "wait"]], "wait", min_offices=2).set_index(["item", "office"])["own"]
    cnt = tab.groupby(["item", "office", "wd"]).size().unstack("wd", fill_value=0)
    n = cnt.sum(axis=1)
    cnt = cnt[n >= min_events]
    n = n[n >= min_events]
    if cnt.empty:
        return []
    top = cnt.max(axis=1) / n
    top_wd = cnt.idxmax(axis=1)
    typical = top.groupby(level="item").median()
    res = pd.DataFrame({"n": n, "top": top, "wd": top_wd}).reset_index()
    res["typical"] = res["item"].map(typical)
    res["excess"] = res["top"] - res["typical"]
    res["held"] = held.reindex(pd.MultiIndex.from_frame(res[["item", "office"]])).fillna(0.0).to_numpy()
    out = []
    res["demand"] = demand.reindex(pd.MultiIndex.from_frame(res[["item", "office"]])).fillna(0.0).to_numpy()
    for r in res.itertuples(index=False):  # one step per (activity, office)
        if r.excess <= 0.1 or r.demand > 0.5:
            continue
        d = data[r.office]
        # the mean extra wait of work released once a week, or, when the held work queues longer
        # than that (the release day cannot take a week's work), the own excess wait into the step
        impact = max(r.n * r.excess * 2.5, r.held)
        out.append(
            (
                r.office,
                Finding(
                    kind="batching",
                    pattern="weekly_batching",
                    value=float(r.top),
                    unit="share",
                    impact=float(impact / d.years),
                    cases=int(r.n),
                    activity=d.label_of(r.item),
                    activity_key=node_key(r.item),
                    norm=float(r.typical),
                    norm_basis="network",
                    evidence={"weekday": int(r.wd), "share_on_weekday": float(r.top), "network_typical_share": float(r.typical), "events": int(r.n),
                              "own_excess_wait_days": float(r.held),
                              # one quantity: impact = events_per_year × extra_wait_days_per_event (cap of folded waits)
                              "events_per_year": float(r.n / d.years), "extra_wait_days_per_event": float(impact / r.n)},

                ),
            )
        )
    return out

