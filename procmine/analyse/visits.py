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
from procmine.analyse.time import text_of, in_values, case_codes, has_keys, same_case_as_previous, to_local_wall
from procmine.schema import ACTIVITY, ACTIVITY_KEY, CASE_ID, CASE_TYPE, END, OFFICE

VISIT_KEYS = frozenset({"appearance_completed", "checked_in", "servicepoint_contact"})
DOC_REQUEST_KEY = "documents_requested"
INQUIRY_KEY = "status_inquiry_received"


@dataclass(frozen=True)
class ReworkResult:
    """Per-case rework table and a note ("" or why key-based columns are empty)."""

    per_case: pd.DataFrame
    note: str


def case_rework(log: pd.DataFrame) -> ReworkResult:
    """Per case: events, repeated events (an activity seen before in the case), self-loops (same
    activity directly again), document-request rounds, status inquiries, visits (distinct local
    days with a visit event), first_time_right (bool) and the case's dominant team.

    >>> case_rework(log).per_case.columns.tolist()  # doctest: +SKIP
    ['case_id', 'case_type', 'office', 'team', 'events', 'repeats', 'self_loops', 'document_rounds',
     'status_inquiries', 'visits', 'first_time_right']
    """
    codes = case_codes(log)
    first = ~same_case_as_previous(log)
    act = log[ACTIVITY].astype("category").cat.codes.to_numpy()
    pairs = pd.DataFrame({"code": codes, "act": act})
    repeat = pairs.duplicated().to_numpy()
    self_loop = np.r_[False, (act[1:] == act[:-1])] & ~first
    frame = pd.DataFrame({"code": codes, "events": 1, "repeats": repeat.astype(int), "self_loops": self_loop.astype(int)})
    keyed = has_keys(log)
    if keyed:
        key = log[ACTIVITY_KEY]
        frame["document_rounds"] = in_values(key, DOC_REQUEST_KEY).astype(int)
        frame["status_inquiries"] = in_values(key, INQUIRY_KEY).astype(int)
        is_visit = in_values(key, VISIT_KEYS)
        day = to_local_wall(log[END]).astype("datetime64[D]")
        vis = pd.DataFrame({"code": codes[is_visit], "day": day[is_visit]}).drop_duplicates()
        visits = vis.groupby("code").size()
    g = frame.groupby("code", sort=False).sum()
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


def activity_repeats(log: pd.DataFrame) -> pd.DataFrame:
    """Per activity: events, cases, cases where it occurs more than once, that share, and
    self-loops (directly repeated). Works without catalogue keys.

    >>> activity_repeats(log)  # doctest: +SKIP
    """
    codes = case_codes(log)
    first = ~same_case_as_previous(log)
    act = text_of(log[ACTIVITY], "nan")
    per = pd.DataFrame({"code": codes, "activity": act}).value_counts().rename("n").reset_index()
    per["repeated"] = (per["n"] > 1).astype(int)
    g = per.groupby("activity")
    out = pd.DataFrame({"events": g["n"].sum(), "cases": g.size(), "cases_with_repeat": g["repeated"].sum()})
    loops = pd.Series(np.r_[False, act[1:] == act[:-1]] & ~first).groupby(act).sum()
    out["repeat_share"] = out["cases_with_repeat"] / out["cases"]
    out["self_loops"] = loops.reindex(out.index, fill_value=0).astype(int)
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
