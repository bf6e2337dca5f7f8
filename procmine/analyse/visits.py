"""Rework and visits: repeated activities, document-request rounds, visits per case (Vorsprachen),
first-time-right, and where these concentrate (case types, teams).

A *visit* is a local calendar day on which the case has at least one visit event
(``VISIT_KEYS``: check-in, service point, personal appearance), so a check-in followed by the
appearance on the same day counts once. *First-time-right* means the case never needed
``documents_requested``. Both need catalogue keys; without keys those columns are NaN and
``ReworkResult.note`` says why, while repeats and self-loops still work on activity labels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from procmine.analyse.queues import dominant_team
from procmine.analyse.time import case_codes, has_keys, in_values, label_codes, same_case_as_previous, to_local_wall
from procmine.eventlog import LogLike, as_frame
from procmine.schema import ACTIVITY, ACTIVITY_KEY, CASE_ID, CASE_TYPE, END, OFFICE

VISIT_KEYS = frozenset({"appearance_completed", "checked_in", "servicepoint_contact"})
DOC_REQUEST_KEY = "documents_requested"
INQUIRY_KEY = "status_inquiry_received"


@dataclass(frozen=True)
class ReworkResult:
    """Per-case rework table and a note ("" or why key-based columns are empty)."""

    per_case: pd.DataFrame
    note: str


def case_rework(log: LogLike) -> ReworkResult:
    """Per case: events, repeated events (an activity seen before in the case), self-loops (same
    activity directly again), document-request rounds, status inquiries, visits (distinct local
    days with a visit event), first_time_right (bool) and the case's dominant team.

    >>> case_rework(log).per_case.columns.tolist()  # doctest: +SKIP
    ['case_id', 'case_type', 'office', 'team', 'events', 'repeats', 'self_loops', 'document_rounds',
     'status_inquiries', 'visits', 'first_time_right']
    """
    log = as_frame(log)
    codes = case_codes(log)
    first = ~same_case_as_previous(log)
    act, act_labels = label_codes(log[ACTIVITY])
    # an activity seen before in the case: a repeated (case, activity) integer key
    repeat = pd.Series(codes.astype(np.int64) * len(act_labels) + act).duplicated().to_numpy()
    self_loop = np.r_[False, (act[1:] == act[:-1])] & ~first
    # per-case sums by bincount over case codes (integer counts, exact), not a per-row frame
    case_of = np.unique(codes)
    counted = {"events": np.ones(len(codes), dtype=bool), "repeats": repeat, "self_loops": self_loop}
    keyed = has_keys(log)
    if keyed:
        key = log[ACTIVITY_KEY]
        counted["document_rounds"] = in_values(key, DOC_REQUEST_KEY)
        counted["status_inquiries"] = in_values(key, INQUIRY_KEY)
        is_visit = in_values(key, VISIT_KEYS)
        day = to_local_wall(log.loc[is_visit, END]).astype("datetime64[D]")
        vis = pd.DataFrame({"code": codes[is_visit], "day": day}).drop_duplicates()
        visits = vis.groupby("code").size()
    width = int(case_of.max()) + 1 if len(case_of) else 0
    g = pd.DataFrame({name: np.bincount(codes, weights=None, minlength=width)[case_of] if name == "events"
                      else np.bincount(codes[flag], minlength=width)[case_of] for name, flag in counted.items()},
                     index=case_of).astype(np.int64)
    cols = [CASE_ID] + [c for c in (CASE_TYPE, OFFICE) if c in log.columns]
    out = log.loc[first, cols].astype("object")
    out.index = codes[first]
    out["team"] = dominant_team(log)
    out = out.join(g)
    if keyed:
        out["visits"] = visits.reindex(out.index, fill_value=0)
        out["first_time_right"] = out["document_rounds"] == 0
        note = ""
    else:
        out["document_rounds"] = np.nan
        out["status_inquiries"] = np.nan
        out["visits"] = np.nan
        out["first_time_right"] = pd.NA
        note = "no catalogue activity keys: document rounds, visits and first-time-right cannot be identified"
    order = [*cols, "team", "events", "repeats", "self_loops", "document_rounds", "status_inquiries", "visits", "first_time_right"]
    return ReworkResult(out[order].reset_index(drop=True), note)


def activity_repeats(log: LogLike) -> pd.DataFrame:
    """Per activity: events, cases, cases where it occurs more than once, that share, and
    self-loops (directly repeated). Works without catalogue keys.

    >>> activity_repeats(log)  # doctest: +SKIP
    """
    log = as_frame(log)
    codes = case_codes(log)
    first = ~same_case_as_previous(log)
    act, labels = label_codes(log[ACTIVITY])  # integer codes; labels per activity afterwards
    n_act = len(labels)
    pair_codes, pairs = pd.factorize(codes.astype(np.int64) * n_act + act)
    n = np.bincount(pair_codes, minlength=len(pairs))  # events per (case, activity)
    pair_act = pairs % n_act
    events = np.bincount(pair_act, weights=n, minlength=n_act).astype(np.int64)
    cases = np.bincount(pair_act, minlength=n_act)
    with_repeat = np.bincount(pair_act[n > 1], minlength=n_act)
    loops = np.bincount(act[np.r_[False, act[1:] == act[:-1]] & ~first], minlength=n_act)
    used = cases > 0
    out = pd.DataFrame({"events": events[used], "cases": cases[used].astype(np.int64),
                        "cases_with_repeat": with_repeat[used].astype(np.int64)},
                       index=pd.Index(labels[used], name="activity"))
    out["repeat_share"] = out["cases_with_repeat"] / out["cases"]
    out["self_loops"] = loops[used].astype(int)
    out = out.sort_index(kind="stable")
    return out.reset_index().sort_values(["cases_with_repeat", "events"], ascending=False, ignore_index=True)


def rework_concentration(per_case: pd.DataFrame, by: str = "case_type") -> pd.DataFrame:
    """Rework figures per group (``by`` = "case_type", "team" or "office"): cases, share with any
    repeat, mean document rounds, mean visits, first-time-right share, mean status inquiries, and
    ``ftr_gap`` = group first-time-right share minus the overall share (negative = worse).

    >>> rework_concentration(case_rework(log).per_case, by="team")  # doctest: +SKIP
    """
    pc = per_case.copy()
    pc[by] = pc[by].astype("object").fillna("unbekannt")
    pc["any_repeat"] = pc["repeats"] > 0
    ftr = pc["first_time_right"].astype("float")
    pc["ftr"] = ftr
    g = pc.groupby(by, sort=True)
    out = pd.DataFrame(
        {
            "cases": g.size(),
            "repeat_share": g["any_repeat"].mean(),
            "document_rounds_mean": g["document_rounds"].mean(),
            "visits_mean": g["visits"].mean(),
            "first_time_right_share": g["ftr"].mean(),
            "status_inquiries_mean": g["status_inquiries"].mean(),
        }
    )
    out["ftr_gap"] = out["first_time_right_share"] - ftr.mean()
    return out.reset_index()


def rework_summary(per_case: pd.DataFrame) -> dict[str, float]:
    """Office-level rework KPIs: rework_share, document_rounds_mean, visits_mean,
    first_time_right_share, status_inquiries_mean (NaN where keys are missing)."""
    ftr = per_case["first_time_right"].astype("float")
    return {
        "rework_share": float((per_case["repeats"] > 0).mean()) if len(per_case) else np.nan,
        "document_rounds_mean": float(per_case["document_rounds"].mean()),
        "visits_mean": float(per_case["visits"].mean()),
        "first_time_right_share": float(ftr.mean()),
        "status_inquiries_mean": float(per_case["status_inquiries"].mean()),
    }
