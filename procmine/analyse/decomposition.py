"""Explicit per-case decomposition of elapsed time into waits and work per step (issue 14).

Each case's elapsed time (closed cases from their first instant to their last end, open cases to the
end of the log) is cut into parts that add up to it exactly, in calendar time and in working time
(office hours on working days, ``time.OfficeCalendar``):

* The steps are taken in the one event order of every statistic (``stats``: completion order). Step
  ``i`` owns the stretch from the end of the step before it (for the first step: the case's first
  instant) to its own end.
* A step with a start time splits its stretch into the **wait** before it (previous end → its start,
  0 where it started before the previous one ended: overlap is not counted twice) and the **work** in
  it (the rest, up to its end). These waits are exactly the process map's and the transition table's
  waits (clipped at 0) of the same pairs. The first step has no wait: until it ends, the case is in
  work (it began with a step).
* A step without a start time (completion-only) has one undivided **gap** (previous end → its end):
  wait and work together, never split.
* Waits and gaps are on the office, an **external** body (BA, security services, Bundesdruckerei,
  recognition body) or the **applicant**, by the step waited for (``time.wait_party``).
* An open case has a last part, **pending**: from its last event to the end of the log.

``DECOMPOSITION_PARTS`` names the parts; ``elapsed_days`` is the one elapsed time the findings' total
excess case-days is computed from (``detectors.base.OfficeData``). No Python loop per case or event.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from procmine.analyse.stats import DAY_S, US, EventArrays, closed_cases
from procmine.analyse.time import DEFAULT_CALENDAR, WAIT_PARTIES, OfficeCalendar, day_precision, wait_party, working_seconds_local
from procmine.eventlog import LogLike
from procmine.schema import ACTIVITY_KEY, START

DECOMPOSITION_PARTS = (
    "work", "wait_office", "wait_external", "wait_applicant", "gap_office", "gap_external", "gap_applicant", "pending",
)
STEP_COLUMNS = [
    "case_id", "case_type", "closed", "step_no", "activity", "activity_key", "party", "basis",
    "wait_calendar_s", "work_calendar_s", "gap_calendar_s", "wait_working_s", "work_working_s", "gap_working_s",
]
SUMMARY_COLUMNS = ["case_type", "part", "cases", "mean_calendar_days", "mean_working_days", "share_calendar", "share_working"]


@dataclass(frozen=True)
class Decomposition:
    """``steps``: one row per event (``STEP_COLUMNS``, canonical order); ``cases``: one row per case
    (case_id, case_type, closed, start, until, elapsed and every part of ``DECOMPOSITION_PARTS`` as
    ``{part}_calendar_s`` and ``{part}_working_s``). The parts of a case add up to its elapsed time."""

    steps: pd.DataFrame
    cases: pd.DataFrame
    working: bool


def _local(us: np.ndarray, calendar: OfficeCalendar) -> np.ndarray:
    """int64 microseconds (UTC) -> naive local wall time, as ``time.to_local_wall``."""
    ts = pd.DatetimeIndex(pd.to_datetime(us, unit="us", utc=True)).tz_convert(calendar.tz).tz_localize(None)
    return np.asarray(ts.to_numpy(dtype="datetime64[us]"))


def decompose(
    log: LogLike | EventArrays,
    calendar: OfficeCalendar = DEFAULT_CALENDAR,
    closed: np.ndarray | None = None,
    working: bool = True,
) -> Decomposition:
    """The decomposition of every case (module docstring). ``closed``: per case (case order) whether it is
    closed (default ``stats.closed_cases``); ``working=False`` leaves the working-time columns NaN
    (calendar time only, cheaper)."""
    ea = log if isinstance(log, EventArrays) else EventArrays(log)
    n, starts = ea.n, ea.case_starts
    if closed is None:
        closed = closed_cases(ea)[0]
    closed = np.asarray(closed, dtype=bool)
    first_row = np.zeros(n, dtype=bool)
    first_row[starts] = True
    has_start = ea.log[START].notna().to_numpy() if ea.has_start else np.zeros(n, dtype=bool)
    end, begin = ea.end_us, np.minimum(ea.start_us, ea.end_us)
    case_start = np.minimum.reduceat(begin, starts) if n else np.zeros(0, dtype=np.int64)
    last_end = np.maximum.reduceat(end, starts) if n else np.zeros(0, dtype=np.int64)
    as_of = int(end.max()) if n else 0
    until = np.where(closed, last_end, as_of)
    # the boundaries of each step's stretch: previous end (first step: the case's first instant) → mid → end
    prev = np.r_[np.int64(0), end[:-1]] if n else end
    prev = np.where(first_row, case_start[ea.case_index], prev)
    mid = np.where(has_start & ~first_row, np.maximum(begin, prev), np.where(has_start, prev, end))
    wait_us, work_us, gap_us = np.where(has_start, mid - prev, 0), np.where(has_start, end - mid, 0), np.where(has_start, 0, end - prev)
    pending_us = until - last_end

    key = ea.log[ACTIVITY_KEY] if ACTIVITY_KEY in ea.log.columns else pd.Series(pd.NA, index=ea.log.index)
    party = wait_party(key).cat.codes.to_numpy().astype(np.int64)  # codes into WAIT_PARTIES
    cal = {"wait": wait_us / US, "work": work_us / US, "gap": gap_us / US}
    wrk = {k: np.full(n, np.nan) for k in cal}
    pending_w = elapsed_w = np.full(ea.n_cases, np.nan)
    if working and n:
        whole_case = np.logical_or.reduceat(day_precision(ea.log), starts)
        whole = whole_case[ea.case_index]
        lp, lm, le = _local(prev, calendar), _local(mid, calendar), _local(end, calendar)
        wrk = {"wait": working_seconds_local(lp, lm, calendar, whole), "work": working_seconds_local(lm, le, calendar, whole)}
        wrk["gap"] = np.where(has_start, 0.0, wrk["wait"] + wrk["work"])
        wrk["wait"], wrk["work"] = np.where(has_start, wrk["wait"], 0.0), np.where(has_start, wrk["work"], 0.0)
        lu = _local(until, calendar)
        pending_w = working_seconds_local(_local(last_end, calendar), lu, calendar, whole_case)
        elapsed_w = working_seconds_local(_local(case_start, calendar), lu, calendar, whole_case)

    case_type = ea.case_type
    steps = pd.DataFrame({
        "case_id": ea.case_ids[ea.case_index],
        "case_type": case_type[ea.case_index],
        "closed": closed[ea.case_index],
        "step_no": np.arange(n) - starts[ea.case_index] + 1,
        "activity": ea.labels[ea.act],
        "activity_key": ea.keys,
        "party": np.asarray(WAIT_PARTIES, dtype=object)[party],
        "basis": np.where(has_start, "interval", "completion_only"),
        **{f"{k}_calendar_s": v for k, v in cal.items()},
        **{f"{k}_working_s": v for k, v in wrk.items()},
    })
    cases = pd.DataFrame({
        "case_id": ea.case_ids, "case_type": case_type, "closed": closed,
        "start": pd.to_datetime(case_start, unit="us", utc=True), "until": pd.to_datetime(until, unit="us", utc=True),
        "elapsed_calendar_s": (until - case_start) / US, "elapsed_working_s": elapsed_w,
    })
    for basis in ("calendar", "working"):
        vals = {k: np.asarray(v, dtype=float) for k, v in (cal if basis == "calendar" else wrk).items()}
        cases[f"work_{basis}_s"] = _per_case(ea, vals["work"])
        for p, name in enumerate(WAIT_PARTIES):
            cases[f"wait_{name}_{basis}_s"] = _per_case(ea, np.where(party == p, vals["wait"], 0.0))
            cases[f"gap_{name}_{basis}_s"] = _per_case(ea, np.where(party == p, vals["gap"], 0.0))
        cases[f"pending_{basis}_s"] = pending_us / US if basis == "calendar" else pending_w
    if not working:
        cases[[c for c in cases.columns if c.endswith("_working_s")]] = np.nan
    return Decomposition(steps, cases, working)


def _per_case(ea: EventArrays, values: np.ndarray) -> np.ndarray:
    """Sum of a per-event array per case (case order)."""
    return np.add.reduceat(values, ea.case_starts) if ea.n else np.zeros(0)


def elapsed_days(log: LogLike | EventArrays, closed: np.ndarray | None = None) -> np.ndarray:
    """Per case (case order) its elapsed days as the sum of its decomposition's parts (calendar time):
    closed cases to their last end, open ones to the end of the log. The findings' total excess
    case-days per office is computed from this."""
    d = decompose(log, closed=closed, working=False)
    parts = [f"{p}_calendar_s" for p in DECOMPOSITION_PARTS]
    return d.cases[parts].to_numpy(dtype=float).sum(axis=1) / DAY_S


def part_summary(d: Decomposition, calendar: OfficeCalendar = DEFAULT_CALENDAR) -> pd.DataFrame:
    """Per case type (and "all"; "" = case type unknown) and part: cases, mean days per case in calendar time and in working
    time (working days of ``calendar.day_seconds``), and the part's share of the elapsed time."""
    c = d.cases
    if c.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    rows = []
    groups = [("all", c)]
    if c["case_type"].nunique() > 1:  # one case type only: its rows would repeat "all"
        groups += [(str(ct), g) for ct, g in c.groupby("case_type", sort=True)]
    for group, sub in groups:
        n = len(sub)
        cols: dict[str, np.ndarray] = {}
        for basis, unit in (("calendar", DAY_S), ("working", float(calendar.day_seconds))):
            total = float(sub[f"elapsed_{basis}_s"].sum(min_count=1))
            sums = np.array([sub[f"{p}_{basis}_s"].sum(min_count=1) for p in DECOMPOSITION_PARTS], dtype=float)
            cols[f"mean_{basis}_days"] = sums / unit / n
            cols[f"share_{basis}"] = sums / total if total > 0 else np.full(len(sums), np.nan)
        rows.append(pd.DataFrame({"case_type": group, "part": list(DECOMPOSITION_PARTS), "cases": n, **cols}))
    return pd.concat(rows, ignore_index=True)[SUMMARY_COLUMNS]


def decomposition_records(table: pd.DataFrame | None, k: int) -> list[dict[str, object]]:
    """``part_summary`` rows for results.json; a case type with fewer than ``k`` cases keeps its rows
    with the figures null (too few cases to show, as everywhere in the outputs)."""
    if table is None or not len(table):
        return []
    out: list[dict[str, object]] = []
    for r in table.to_dict("records"):
        small = int(r["cases"]) < k
        out.append({"case_type": str(r["case_type"]), "part": str(r["part"]), "cases": int(r["cases"]),
                    **{c: (None if small or pd.isna(r[c]) else float(r[c])) for c in SUMMARY_COLUMNS[3:]}})
    return out


def in_days(frame: pd.DataFrame, calendar: OfficeCalendar = DEFAULT_CALENDAR) -> pd.DataFrame:
    """A ``Decomposition`` table with its ``*_calendar_s`` columns in days (``*_calendar_days``) and its
    ``*_working_s`` columns in office days of ``calendar.day_seconds`` (``*_working_days``), for people."""
    out = frame.copy()
    for c in [c for c in frame.columns if c.endswith("_calendar_s") or c.endswith("_working_s")]:
        unit = DAY_S if c.endswith("_calendar_s") else float(calendar.day_seconds)
        out[c[:-2] + "_days"] = frame[c].to_numpy(dtype=float) / unit
        del out[c]
    return out
