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
  recognition body) or the **applicant**, by the step waited for (``time.wait_party``). A status
  inquiry (or another event interposed while the case waits) does not change whose wait it is: the
  stretch before it takes the party of the case's next step.
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


@dataclass(frozen=True)
class _Core:
    """The boundaries of every step's stretch (int64 microseconds, canonical order) and per case."""

    has_start: np.ndarray  # per row
    party: np.ndarray  # per row: code into WAIT_PARTIES
    prev: np.ndarray  # per row: end of the previous step (first step: the case's first instant)
    mid: np.ndarray  # per row: where the wait ends and the work begins (= end for completion-only rows)
    end: np.ndarray  # per row
    closed: np.ndarray  # per case
    case_start: np.ndarray  # per case
    last_end: np.ndarray  # per case
    until: np.ndarray  # per case: last end (closed) or the end of the log (open)


def _core(ea: EventArrays, closed: np.ndarray | None) -> _Core:
    n, starts = ea.n, ea.case_starts
    closed = np.asarray(closed_cases(ea)[0] if closed is None else closed, dtype=bool)
    first_row = np.zeros(n, dtype=bool)
    first_row[starts] = True
    has_start = ea.log[START].notna().to_numpy() if ea.has_start else np.zeros(n, dtype=bool)
    end, begin = ea.end_us, np.minimum(ea.start_us, ea.end_us)
    case_start = np.minimum.reduceat(begin, starts) if n else np.zeros(0, dtype=np.int64)
    last_end = np.maximum.reduceat(end, starts) if n else np.zeros(0, dtype=np.int64)
    until = np.where(closed, last_end, int(end.max()) if n else 0)
    prev = np.r_[np.int64(0), end[:-1]] if n else end
    prev = np.where(first_row, case_start[ea.case_index], prev)
    mid = np.where(has_start & ~first_row, np.maximum(begin, prev), np.where(has_start, prev, end))
    key = ea.log[ACTIVITY_KEY] if ACTIVITY_KEY in ea.log.columns else pd.Series(pd.NA, index=ea.log.index)
    party = wait_party(key, ~first_row).cat.codes.to_numpy().astype(np.int64)  # codes into WAIT_PARTIES
    return _Core(has_start, party, prev, mid, end, closed, case_start, last_end, until)


def _row_parts(c: _Core, wait: np.ndarray, work: np.ndarray) -> dict[str, np.ndarray]:
    """Per row: wait, work and gap from the durations prev → mid and mid → end (a completion-only
    row's whole stretch is its gap)."""
    return {"wait": np.where(c.has_start, wait, 0.0), "work": np.where(c.has_start, work, 0.0),
            "gap": np.where(c.has_start, 0.0, wait + work)}


def _case_parts(ea: EventArrays, c: _Core, rows: dict[str, np.ndarray], pending: np.ndarray) -> dict[str, np.ndarray]:
    """Per case every part of ``DECOMPOSITION_PARTS`` (sums of the row parts by party; pending per case)."""
    out = {"work": _per_case(ea, rows["work"])}
    for p, name in enumerate(WAIT_PARTIES):
        out[f"wait_{name}"] = _per_case(ea, np.where(c.party == p, rows["wait"], 0.0))
        out[f"gap_{name}"] = _per_case(ea, np.where(c.party == p, rows["gap"], 0.0))
    out["pending"] = np.asarray(pending, dtype=float)
    return {p: out[p] for p in DECOMPOSITION_PARTS}


def decompose(
    log: LogLike | EventArrays,
    calendar: OfficeCalendar = DEFAULT_CALENDAR,
    closed: np.ndarray | None = None,
    working: bool = True,
    steps: bool = True,
) -> Decomposition:
    """The decomposition of every case (module docstring). ``closed``: per case (case order) whether it is
    closed (default ``stats.closed_cases``); ``working=False`` leaves the working-time columns NaN
    (calendar time only, cheaper); ``steps=False`` leaves the per-step table empty (only the cases)."""
    ea = log if isinstance(log, EventArrays) else EventArrays(log)
    n, starts = ea.n, ea.case_starts
    c = _core(ea, closed)
    cal = _row_parts(c, (c.mid - c.prev) / US, (c.end - c.mid) / US)
    wrk = {k: np.full(n, np.nan) for k in cal}
    pending_w = elapsed_w = np.full(ea.n_cases, np.nan)
    if working and n:
        whole_case = np.logical_or.reduceat(day_precision(ea.log), starts)
        whole = whole_case[ea.case_index]
        lp, lm, le = _local(c.prev, calendar), _local(c.mid, calendar), _local(c.end, calendar)
        wrk = _row_parts(c, working_seconds_local(lp, lm, calendar, whole), working_seconds_local(lm, le, calendar, whole))
        lu = _local(c.until, calendar)
        pending_w = working_seconds_local(_local(c.last_end, calendar), lu, calendar, whole_case)
        elapsed_w = working_seconds_local(_local(c.case_start, calendar), lu, calendar, whole_case)

    case_type = ea.case_type
    step_table = pd.DataFrame(columns=STEP_COLUMNS) if not steps else pd.DataFrame({
        "case_id": ea.case_ids[ea.case_index],
        "case_type": case_type[ea.case_index],
        "closed": c.closed[ea.case_index],
        "step_no": np.arange(n) - starts[ea.case_index] + 1,
        "activity": ea.labels[ea.act],
        "activity_key": ea.keys,
        "party": np.asarray(WAIT_PARTIES, dtype=object)[c.party],
        "basis": np.where(c.has_start, "interval", "completion_only"),
        **{f"{k}_calendar_s": v for k, v in cal.items()},
        **{f"{k}_working_s": v for k, v in wrk.items()},
    })
    cases = pd.DataFrame({
        "case_id": ea.case_ids, "case_type": case_type, "closed": c.closed,
        "start": pd.to_datetime(c.case_start, unit="us", utc=True), "until": pd.to_datetime(c.until, unit="us", utc=True),
        "elapsed_calendar_s": (c.until - c.case_start) / US, "elapsed_working_s": elapsed_w,
    })
    for basis, rows, pending in (("calendar", cal, (c.until - c.last_end) / US), ("working", wrk, pending_w)):
        for part, values in _case_parts(ea, c, rows, pending).items():
            cases[f"{part}_{basis}_s"] = values
    return Decomposition(step_table, cases, working)


def _per_case(ea: EventArrays, values: np.ndarray) -> np.ndarray:
    """Sum of a per-event array per case (case order)."""
    return np.add.reduceat(values, ea.case_starts) if ea.n else np.zeros(0)


def elapsed_days(log: LogLike | EventArrays, closed: np.ndarray | None = None) -> np.ndarray:
    """Per case (case order) its elapsed days as the sum of its decomposition's parts (calendar time):
    closed cases to their last end, open ones to the end of the log. The findings' total excess
    case-days per office is computed from this (the parts only, no tables built)."""
    ea = log if isinstance(log, EventArrays) else EventArrays(log)
    c = _core(ea, closed)
    parts = _case_parts(ea, c, _row_parts(c, (c.mid - c.prev) / US, (c.end - c.mid) / US), (c.until - c.last_end) / US)
    return np.sum(list(parts.values()), axis=0) / DAY_S if ea.n else np.zeros(0)


def part_summary(d: Decomposition, calendar: OfficeCalendar = DEFAULT_CALENDAR) -> pd.DataFrame:
    """Per case type (and "all"; "" = case type unknown) and part: cases, mean days per case in calendar time and in working
    time (working days of ``calendar.day_seconds``), and the part's share of the elapsed time."""
    c = d.cases
    if c.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    cols = [f"{p}_{b}_s" for b in ("calendar", "working") for p in ("elapsed", *DECOMPOSITION_PARTS)]
    sums = c[cols].sum(min_count=1).to_frame("all").T
    sums.insert(0, "cases", len(c))
    if c["case_type"].nunique() > 1:  # one case type only: its rows would repeat "all"
        g = c.groupby("case_type", sort=True)
        by_type = g[cols].sum(min_count=1)
        by_type.insert(0, "cases", g.size())
        sums = pd.concat([sums, by_type.set_axis(by_type.index.astype(str))])
    n = sums["cases"].to_numpy(dtype=float)
    out = {"case_type": np.repeat(sums.index.to_numpy(dtype=object), len(DECOMPOSITION_PARTS)),
           "part": np.tile(np.asarray(DECOMPOSITION_PARTS, dtype=object), len(sums)),
           "cases": np.repeat(n.astype(np.int64), len(DECOMPOSITION_PARTS))}
    for basis, unit in (("calendar", DAY_S), ("working", float(calendar.day_seconds))):
        parts = sums[[f"{p}_{basis}_s" for p in DECOMPOSITION_PARTS]].to_numpy(dtype=float)
        total = sums[f"elapsed_{basis}_s"].to_numpy(dtype=float)[:, None]
        out[f"mean_{basis}_days"] = (parts / unit / n[:, None]).ravel()
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"share_{basis}"] = np.where(total > 0, parts / np.where(total > 0, total, 1.0), np.nan).ravel()
    return pd.DataFrame(out)[SUMMARY_COLUMNS]


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
