"""A finding's own figure month by month (``Finding.monthly``) as a line chart for its page, with the norm as a
reference line where the finding has one.

``monthly`` is a list of ``{"month": "YYYY-MM", "value": float, "cases": int}`` in the finding's unit. Months with
1..k-1 cases are suppressed (a gap in the line, "< k" in the table; when a single month is small, the smallest
other is hidden too, as the finding's case count is published); months without data are gaps. No chart when the
field is absent or empty, or when fewer than two months can be shown (one point is no course).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from procmine.analyse.model import Finding
from procmine.labels_de.report import has_label, label
from procmine.report.cells import K_MIN, _num, value_cell
from procmine.report.figures import hidden
from procmine.report.model import Cell, Chart, ChartSeries, Table

DAY_S = 86400.0
HOUR_S = 3600.0
INCOMPLETE_MIN_DAYS = 91.0  # three months: a case begun later cannot yet be past the three-month line


def monthly_frame(monthly: Any) -> pd.DataFrame:
    """month (Period), value (float), cases (int) per month of the field, months in order and without gaps
    (a missing month has no value and 0 cases); empty when the field is absent, empty or unreadable."""
    if not monthly:
        return pd.DataFrame(columns=["month", "value", "cases"])
    df = pd.DataFrame(list(monthly))
    if not {"month", "value"} <= set(df.columns):
        return pd.DataFrame(columns=["month", "value", "cases"])
    month = pd.PeriodIndex(pd.to_datetime(df["month"].astype(str), format="%Y-%m", errors="coerce"), freq="M")
    df = pd.DataFrame({"month": month, "value": pd.to_numeric(df["value"], errors="coerce"),
                       "cases": pd.to_numeric(df.get("cases", pd.Series(0, index=df.index)), errors="coerce").fillna(0)})
    df = df[df["month"].notna()].groupby("month", sort=True).agg(value=("value", "mean"), cases=("cases", "sum"))
    if not len(df):
        return pd.DataFrame(columns=["month", "value", "cases"])
    months = pd.period_range(df.index.min(), df.index.max(), freq="M")
    df = df.reindex(months)
    return pd.DataFrame({"month": months, "value": df["value"].to_numpy(dtype=float),
                         "cases": df["cases"].fillna(0).to_numpy(dtype=int)})


def _scale(value_kind: str, values: np.ndarray) -> tuple[float, str, str]:
    """Divisor, axis title and table cell kind for the chart: percent in per cent, durations in hours or days."""
    if value_kind == "percent":
        return 0.01, label("chart.axis_percent"), "percent"
    if value_kind == "duration":
        finite = values[np.isfinite(values)]
        if len(finite) and float(np.max(finite)) >= 2 * DAY_S:
            return DAY_S, label("chart.axis_days"), "duration"
        return HOUR_S, label("trend.axis_hours"), "duration"
    if value_kind == "days":
        return 1.0, label("chart.axis_days"), "days"
    return 1.0, label("trend.axis_value"), value_kind


def by_case_start(f: Finding) -> bool:
    """Whether the series counts each case in the month it began (``detectors.monthly``: deadline shares, repeats
    per case, a team's elapsed days): then its last months hold cases still running, and read too low."""
    queue = (f.evidence or {}).get("team_measure") == "queue_wait_per_step"
    return (f.kind == "deadline" and f.unit == "share") or f.unit == "per_case" or (
        f.kind == "resource" and bool(f.team) and f.unit == "days" and not queue)


def finding_trend_chart(
    f: Finding, key: str, value_kind: str, k: int = K_MIN, single: bool = False, horizon_days: float | None = None
) -> Chart | None:
    """The finding's figure per month (``Finding.monthly``) with the norm as a reference line, or None.
    ``horizon_days``: how long most cases run (the office's 9-of-10 cycle time); a series by case start leaves
    out its months whose last cases began less than that (at least three months) before the end of the series."""
    df = monthly_frame(getattr(f, "monthly", None))
    if not len(df) or 0 < int(f.cases) < k or value_kind in ("suppressed", "missing"):
        return None
    cases = df["cases"].to_numpy()
    hide = hidden(cases, k) | (cases < k)  # a month under k cases shows no value either
    values = df["value"].to_numpy(dtype=float)
    running = np.zeros(len(df), dtype=bool)
    if by_case_start(f):
        horizon = max(INCOMPLETE_MIN_DAYS, _num(horizon_days) or 0.0)
        end = df["month"].iloc[-1].end_time
        running = (df["month"].map(lambda m: m.end_time).to_numpy() > end - pd.Timedelta(days=horizon))  # a few months
    shown = np.where(hide | running | ~np.isfinite(values), np.nan, values)
    if int(np.isfinite(shown).sum()) < 2:
        return None
    divisor, axis, cell_kind = _scale(value_kind, values)
    if axis == label("trend.axis_value") and has_label(f"unit.{f.unit}"):  # "je Vorgang" rather than "Wert"
        axis = label(f"unit.{f.unit}")
    x = tuple(f"{m.month:02d}/{m.year}" for m in df["month"])
    norm = _num(f.norm)
    network_norm = f.norm_basis == "network"
    if norm is not None and network_norm and single:  # a single office is never compared with a network
        norm = None
    if norm is not None and value_kind == "percent" and norm > 1:  # a norm given in per cent already
        norm = norm / 100.0
    rows = tuple((Cell(m), Cell(k, "suppressed") if h and 0 < c else Cell(int(c), "int"),
                  Cell(k, "suppressed") if h and 0 < c else Cell(label("trend.running"), "not_measurable") if r
                  else value_cell(v, cell_kind))
                 for m, c, v, h, r in zip(x, cases, values, hide, running))
    note = label("trend.note", k=k)
    if running.any():
        note += " " + label("trend.note_running", n=int(running.sum()))
    table = Table((label("col.month"), label("trend.col_cases"), label("trend.col_value")), rows, (False, True, True))
    return Chart(
        key, label("trend.title"), x,
        (ChartSeries(label("chart.own_office"), tuple(None if not np.isfinite(v) else float(v) / divisor for v in shown)),),
        kind="line", y_title=axis, table=table, note=note,
        reference=None if norm is None else float(norm) / divisor,
        reference_label=label("chart.norm") if norm is not None else "",  # as the page names it: "Norm: …"
    )


def course(chart: Chart | None) -> tuple[str, str] | None:
    """Since when, read from the monthly chart against its norm: ("above", first month of the last run above the
    norm), ("always", first month) when every shown month is above it, ("back", first month of the last run at or
    below it after months above, when that run has two months or more); None without a norm, with fewer than two
    shown months, or with every month at or below the norm."""
    if chart is None or chart.reference is None or not chart.series:
        return None
    vals = np.array([np.nan if v is None else v for v in chart.series[0].values], dtype=float)
    shown = np.flatnonzero(np.isfinite(vals))
    if len(shown) < 2:
        return None
    above = vals[shown] > chart.reference
    flips = np.flatnonzero(above[1:] != above[:-1])
    start = int(flips[-1]) + 1 if len(flips) else 0  # the last run of months on one side of the norm
    month = chart.x_labels[int(shown[start])]
    if above[-1]:
        return ("always", month) if start == 0 else ("above", month)
    return ("back", month) if start > 0 and len(shown) - start >= 2 else None
