"""A monthly series per finding (``Finding.monthly``): the finding's own measure by calendar month.

One list of ``{"month": "YYYY-MM", "value": float, "cases": int}`` per finding, months in order
(Europe/Berlin calendar), computed from the office's arrays with one grouping per finding:

- a wait finding (step pair; backlog, stuck minority, external waits): its own figure by month of the
  step the wait starts at, i.e. the mean wait of the waits beyond the finding's norm and ``cases`` =
  the cases with such a wait; a month without any wait beyond the norm shows the month's mean wait
  (at or below the norm) and all its waiting cases;
- a team's queue: the mean wait by month, likewise; ``cases`` = cases waiting that month;
- a step that hangs on very few persons: the mean wait into the step, likewise;
- repeats (unit ``per_case``): extra occurrences per case by month of the case's start;
- a team's cases: their mean elapsed days by month of the case's start;
- deadline shares (unit ``share``, kind ``deadline``): the share of cases past three months (open or
  closed late) by month of the case's start, limited to the finding's case type and team;
- batching: the share of the step's events on the batching weekday, by month of the event;
- case-mix findings (seasonal, drift: a case type): cases started per month of that type.

A finding of another shape gets an empty list. The months at the end of the log hold cases that have
not had three months (or their repeats) yet: there the deadline share and the repeats per case are
lower bounds (the report reads the trend from ``evidence``, not from these raw points).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from procmine import catalogue
from procmine.analyse.detectors.base import CONTACT_KEYS, OfficeData, case_team, norm_waits
from procmine.analyse.detectors.waits import step_pairs
from procmine.analyse.model import Finding
from procmine.schema import DISPLAY_TZ

Series = list[dict[str, Any]]


def month_codes(us: np.ndarray) -> np.ndarray:
    """Calendar month (Europe/Berlin) of each microsecond timestamp as year × 100 + month."""
    t = pd.DatetimeIndex(pd.to_datetime(np.asarray(us, dtype="int64"), unit="us", utc=True)).tz_convert(DISPLAY_TZ)
    return np.asarray(t.year * 100 + t.month, dtype=np.int64)


def monthly_series(month: np.ndarray, value: np.ndarray, case: np.ndarray) -> Series:
    """Mean of ``value`` and distinct ``case`` count per month code, months in order."""
    if not len(month):
        return []
    months, idx = np.unique(np.asarray(month, dtype=np.int64), return_inverse=True)
    n = np.bincount(idx, minlength=len(months))
    mean = np.bincount(idx, weights=np.asarray(value, dtype=float), minlength=len(months)) / n
    # distinct cases per month: distinct (month, case) pairs
    pairs = np.unique(idx.astype(np.int64) * (int(np.max(case)) + 1 if len(case) else 1) + np.asarray(case, dtype=np.int64))
    cases = np.bincount(pairs // (int(np.max(case)) + 1), minlength=len(months))
    # one dict per month (≤ a few dozen per finding), not per case
    return [{"month": f"{m // 100:04d}-{m % 100:02d}", "value": float(v), "cases": int(c)} for m, v, c in zip(months, mean, cases)]


def _node(key: str | None, label: str | None) -> str | None:
    """The office's node for a step: its catalogue key, else ``label:<label>``."""
    return key if key else (f"label:{label}" if label else None)


def _pair_waits(d: OfficeData, from_node: str | None, to_node: str | None) -> pd.DataFrame:
    """The waits the detectors measured for a step pair (a norm pair's own waits, else the step pairs)."""
    norm = next((n for n in catalogue.WAIT_NORMS if (n.from_key, n.to_key) == (from_node, to_node)), None)
    if norm is not None:
        return norm_waits(d, norm)
    p = step_pairs(d)
    return p[(p["from"].to_numpy() == from_node) & (p["to"].to_numpy() == to_node)]


def _waits_series(d: OfficeData, waits: list[pd.DataFrame]) -> Series:
    w = pd.concat([x[["case", "wait_d", "time"]] for x in waits if len(x)], ignore_index=True) if any(len(x) for x in waits) \
        else pd.DataFrame(columns=["case", "wait_d", "time"])
    return monthly_series(month_codes(w["time"].to_numpy()), w["wait_d"].to_numpy(dtype=float), w["case"].to_numpy())


def _beyond_series(d: OfficeData, waits: pd.DataFrame, norm: float) -> Series:
    """A wait finding's figure by month: the mean wait of the waits beyond ``norm`` (cases: those with
    such a wait); where a month has none, its mean wait and waiting cases (at or below the norm)."""
    month = month_codes(waits["time"].to_numpy())
    wait = waits["wait_d"].to_numpy(dtype=float)
    case = waits["case"].to_numpy()
    over = wait > norm
    beyond = {r["month"]: r for r in monthly_series(month[over], wait[over], case[over])}
    return [beyond.get(r["month"], r) for r in monthly_series(month, wait, case)]


def _case_months(d: OfficeData) -> np.ndarray:
    if "case_months" not in d.cache:
        d.cache["case_months"] = month_codes(pd.DatetimeIndex(d.cases["start"]).as_unit("us").asi8)
    return d.cache["case_months"]


def _case_mask(d: OfficeData, f: Finding) -> np.ndarray:
    """The office's cases the finding is limited to (its case type and team)."""
    keep = np.ones(d.ea.n_cases, dtype=bool)
    if f.case_type:
        if "case_type_text" not in d.cache:
            d.cache["case_type_text"] = d.cases["case_type"].to_numpy().astype(str)
        keep &= d.cache["case_type_text"] == f.case_type
    if f.team:
        if "case_team" not in d.cache:
            d.cache["case_team"] = case_team(d)
        keep &= d.cache["case_team"] == f.team
    return keep


def _per_case(d: OfficeData, f: Finding, value: np.ndarray) -> Series:
    keep = _case_mask(d, f)
    return monthly_series(_case_months(d)[keep], value[keep], np.flatnonzero(keep))


def finding_monthly(d: OfficeData, f: Finding) -> Series:
    """The finding's own measure by month (see the module docstring); [] for a shape without one."""
    if not d.ea.n:
        return []
    ev = f.evidence or {}
    if f.pattern == "team_shortage" and ev.get("team_measure") == "queue_wait_per_step":
        return _waits_series(d, [_pair_waits(d, _node(w.get("from_key"), w.get("from_activity")),
                                             _node(w.get("to_key"), w.get("to_activity"))) for w in ev.get("waits_of_team", [])])
    if f.kind == "deadline" and f.unit == "share":  # before the step pair a deadline share may name
        return _per_case(d, f, (d.cases["elapsed_d"].to_numpy(dtype=float) > catalogue.INACTION_DAYS).astype(float))
    if f.from_activity and f.to_activity:
        waits = _pair_waits(d, _node(f.from_key, f.from_activity), _node(f.to_key, f.to_activity))
        if "waits_over_norm" in ev and f.norm is not None and len(waits):  # one quantity, as the finding's value
            return _beyond_series(d, waits, float(f.norm))
        return _waits_series(d, [waits])
    node = _node(f.activity_key, f.activity)
    if f.pattern == "single_point" and node:
        p = step_pairs(d)
        return _waits_series(d, [p[(p["to"].to_numpy() == node) & (p["from"].to_numpy() != node)]])
    if f.kind == "batching" and node and "weekday" in ev:
        hit = np.flatnonzero(d.node[d.ea.act] == node)
        when = d.ea.end_us[hit]
        wd = pd.DatetimeIndex(pd.to_datetime(when.astype("int64"), unit="us", utc=True)).tz_convert(DISPLAY_TZ).day_of_week
        return monthly_series(month_codes(when), np.asarray(wd == int(ev["weekday"]), dtype=float), d.ea.case_index[hit])
    if f.unit == "per_case" and node:
        counts = np.bincount(d.ea.case_index[d.node[d.ea.act] == node], minlength=d.ea.n_cases).astype(float)
        extra = counts if node in CONTACT_KEYS else np.maximum(counts - 1.0, 0.0)
        return _per_case(d, f, extra)
    if f.kind == "resource" and f.team and f.unit == "days":
        return _per_case(d, f, d.cases["internal_d"].to_numpy(dtype=float))
    if f.case_type and f.kind in ("backlog", "drift"):
        keep = _case_mask(d, f)
        months = _case_months(d)[keep]
        s = monthly_series(months, np.ones(len(months)), np.flatnonzero(keep))
        return [{**r, "value": float(r["cases"])} for r in s]
    return []
