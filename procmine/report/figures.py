"""The report's pictures as data (``model.Chart``): what each chart shows and the table behind it.

Every chart here is built from the analysis results (vectorised over cases; loops only over the few
bins, months or steps shown) and carries the same numbers as a ``Table``; ``report.charts`` draws it.
Counts from 1..k-1 cases are suppressed in the table ("< k") and left out of the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from procmine.analyse.model import Finding, OfficeAnalysis
from procmine.compare.medians import NetworkMedians, step_waits, wait_before_figure
from procmine.labels_de.report import label
from procmine.report import format_de as fmt
from procmine.report.cells import K_MIN, _num, count_cell, value_cell
from procmine.report.model import Cell, Chart, ChartSeries, Table

DAY_S = 86400.0
# cycle-time classes in calendar days (upper bounds; the last class is open)
CYCLE_BINS_DAYS = (7, 14, 30, 60, 90, 120, 180, 365)
WAIT_STEPS = 12  # steps in the waiting-time chart (the most frequent)
MIN_MONTH_CASES = K_MIN
# a day-valued axis whose largest bar is under a day reads in hours, under an hour in minutes ("0,0007 Tage" says nothing)
TIME_UNITS = ((1.0, 1.0, "chart.axis_days"), (1 / 24, 24.0, "chart.axis_hours"), (0.0, 1440.0, "chart.axis_minutes"))


def day_axis(values: Sequence[float | None]) -> tuple[float, str]:
    """The factor from days to the axis unit and the axis title, chosen by the largest value."""
    top = max((abs(v) for v in values if v is not None and np.isfinite(v)), default=0.0)
    return next((factor, label(key)) for bound, factor, key in TIME_UNITS if top >= bound)


def hidden(counts: Any, k: int = K_MIN) -> np.ndarray:
    """Which counts of a table with a known total to hide: every count of 1..k-1 cases, and, when that is a
    single one, also the smallest other count (secondary suppression: else total minus the rest reveals it)."""
    c = np.asarray(counts, dtype=float)
    mask = (c > 0) & (c < k)
    if mask.sum() == 1:
        others = np.flatnonzero(~mask & (c > 0))
        if len(others):
            mask[others[np.argmin(c[others])]] = True
    return mask


def _count(c: Any, hide: bool, k: int) -> Cell:
    """A count cell, hidden ("< k") when ``hide``."""
    return Cell(k, "suppressed") if hide else count_cell(c, k)


def _shown(cell_value: Any, k: int) -> float | None:
    """The value drawn for a count: None when suppressed (1..k-1) or missing."""
    v = _num(cell_value)
    return None if v is None or 0 < v < k else v


def cycle_time_chart(a: OfficeAnalysis, k: int = K_MIN) -> Chart | None:
    """How many finished cases took how long: counts per class of calendar days."""
    cd = a.case_durations
    if cd is None or not len(cd) or "closed" not in cd.columns:
        return None
    days = pd.to_numeric(cd.loc[cd["closed"].astype(bool), "duration_s"], errors="coerce").dropna().to_numpy() / DAY_S
    if not len(days):
        return None
    edges = np.array([0.0, *CYCLE_BINS_DAYS, np.inf])
    counts = np.histogram(days, bins=edges)[0]
    short = [label("chart.bin_upto_short", days=CYCLE_BINS_DAYS[0])]
    short += [label("chart.bin_range_short", low=lo, high=hi) for lo, hi in pairwise(CYCLE_BINS_DAYS)]
    short += [label("chart.bin_over_short", days=CYCLE_BINS_DAYS[-1])]
    names = [label("chart.bin_upto", days=CYCLE_BINS_DAYS[0])]
    names += [label("chart.bin_range", low=lo, high=hi) for lo, hi in pairwise(CYCLE_BINS_DAYS)]
    names += [label("chart.bin_over", days=CYCLE_BINS_DAYS[-1])]
    total = int(counts.sum())
    hide = hidden(counts, k)
    rows = tuple((Cell(n), _count(c, h, k), Cell(k, "suppressed") if h else value_cell(c / total if total else None, "percent"))
                 for n, c, h in zip(names, counts, hide))
    table = Table((label("col.duration_class"), label("col.cases_finished"), label("col.share")), rows, (False, True, True))
    return Chart(
        "durchlaufzeit-verteilung", label("chart.cycle_title"), tuple(short),
        (ChartSeries(label("chart.cases_finished"), tuple(None if h else float(c) for c, h in zip(counts, hide))),),
        kind="bars", x_title=label("chart.axis_duration"), y_title=label("chart.axis_cases"), table=table,
    )


def monthly_chart(a: OfficeAnalysis, k: int = K_MIN) -> Chart | None:
    """Per month: new cases, finished cases, and the median cycle time of the cases finished that month."""
    cd = a.case_durations
    if cd is None or not len(cd) or not {"start", "end", "closed", "duration_s"} <= set(cd.columns):
        return None
    start = pd.to_datetime(cd["start"], utc=True).dt.tz_convert("Europe/Berlin").dt.tz_localize(None).dt.to_period("M")
    end = pd.to_datetime(cd["end"], utc=True).dt.tz_convert("Europe/Berlin").dt.tz_localize(None).dt.to_period("M")
    closed = cd["closed"].astype(bool).to_numpy()
    arrivals = start.value_counts()
    done = end[closed].value_counts()
    median = (pd.to_numeric(cd["duration_s"], errors="coerce")[closed] / DAY_S).groupby(end[closed].to_numpy()).median()
    months = pd.period_range(min(start.min(), end.min()), max(start.max(), end.max()), freq="M")
    if len(months) < 2:
        return None
    arr = arrivals.reindex(months, fill_value=0).to_numpy()
    fin = done.reindex(months, fill_value=0).to_numpy()
    med = median.reindex(months).to_numpy(dtype=float)
    x = tuple(f"{m.month:02d}/{m.year}" for m in months)
    med_shown = tuple(None if n < k or not np.isfinite(v) else float(v) for n, v in zip(fin, med))
    hide_arr, hide_fin = hidden(arr, k), hidden(fin, k)
    rows = tuple((Cell(m), _count(ar, ha, k), _count(fi, hf, k), value_cell(md, "days", fi, k))
                 for m, ar, fi, md, ha, hf in zip(x, arr, fin, med, hide_arr, hide_fin))
    table = Table((label("col.month"), label("col.arrivals"), label("col.completions"), label("col.median_days")),
                  rows, (False, True, True, True))
    return Chart(
        "monatstrend", label("chart.monthly_title"), x,
        (
            ChartSeries(label("chart.arrivals_month"), tuple(None if h else float(v) for v, h in zip(arr, hide_arr))),
            ChartSeries(label("chart.completions_month"), tuple(None if h else float(v) for v, h in zip(fin, hide_fin))),
            ChartSeries(label("chart.median_month"), med_shown, panel=1),
        ),
        kind="line", y_title=label("chart.axis_cases"), y2_title=label("chart.axis_days"), table=table,
    )


def waiting_chart(a: OfficeAnalysis, medians: NetworkMedians | None, names: dict[str, str], k: int = K_MIN) -> Chart | None:
    """Median wait before each frequent step: this office, and the step's network median from the comparison
    (``compare.medians``, ``wait_before:<step>``) where the network has one (None: an office alone)."""
    own = step_waits(a)
    own = own[pd.to_numeric(own["days"], errors="coerce").notna() & (own["events"] >= k)].head(WAIT_STEPS)
    if not len(own):
        return None
    net_vals = np.array([np.nan if medians is None or (v := medians.get(wait_before_figure(key, act))) is None else v
                         for key, act in zip(own["key"], own["activity"])], dtype=float)
    shown_names = tuple(names.get(x, x) for x in own["activity"])
    factor, unit = day_axis([float(v) for v in own["days"]] + [float(v) for v in net_vals if np.isfinite(v)])
    series = [ChartSeries(label("chart.own_office"), tuple(float(v) * factor for v in own["days"]))]
    cols = [label("col.activity"), label("col.events"), label("col.wait_days_own")]
    has_net = bool(np.isfinite(net_vals).any())
    if has_net:
        series.append(ChartSeries(label("chart.network"), tuple(None if not np.isfinite(v) else float(v) * factor for v in net_vals)))
        cols.append(label("col.wait_days_network"))
    rows = []
    for n, ev, d, nv in zip(shown_names, own["events"], own["days"], net_vals):
        row = [Cell(n), count_cell(ev, k), value_cell(d, "days")]
        if has_net:
            row.append(value_cell(nv, "days"))
        rows.append(tuple(row))
    table = Table(tuple(cols), tuple(rows), (False, *[True] * (len(cols) - 1)))
    return Chart("wartezeit-je-schritt", label("chart.wait_title"), shown_names, tuple(series), kind="hbars",
                 y_title=unit, table=table,
                 note=label("chart.wait_note_network") if has_net else label("chart.wait_note_single"))


def flow_chart(flow: pd.DataFrame | None, key: str, k: int = K_MIN) -> Chart | None:
    """Weekly open cases (top panel) and new and finished cases per week (below), with the table behind it."""
    if flow is None or len(flow) < 2:
        return None
    x = tuple(fmt.fmt_date(pd.Timestamp(t).date()) for t in flow["period"])

    def vals(col: str) -> tuple[float | None, ...]:
        return tuple(_shown(v, k) for v in flow[col])

    rows = tuple((Cell(d), count_cell(w, k), count_cell(ar, k), count_cell(co, k))
                 for d, w, ar, co in zip(x, flow["wip"], flow["arrivals"], flow["completions"]))
    table = Table((label("col.week_end"), label("chart.wip"), label("chart.arrivals"), label("chart.completions")),
                  rows, (False, True, True, True))
    return Chart(
        key, label("chart.flow_title"), x,
        (
            ChartSeries(label("chart.wip"), vals("wip")),
            ChartSeries(label("chart.arrivals"), vals("arrivals"), panel=1),
            ChartSeries(label("chart.completions"), vals("completions"), panel=1),
        ),
        kind="line", y_title=label("chart.axis_open"), y2_title=label("chart.axis_per_week"), table=table,
        note=label("chart.gaps_week", high=k - 1) if any(v is None for col in ("arrivals", "completions") for v in vals(col)) else "",
    )


def finding_chart(
    f: Finding, key: str, value_kind: str, network_value: float | None, k: int = K_MIN, single: bool = False,
    network_name: str = "",
) -> Chart | None:
    """The finding's figure beside its norm and (in a network) the figure's network median from the comparison
    (``compare.medians``): up to three bars."""
    if 0 < int(f.cases) < k or _num(f.value) is None:
        return None
    scale = 100.0 if value_kind == "percent" else 1.0
    names = [label("chart.own_office")]
    values = [float(f.value) * scale]
    norm = _num(f.norm)
    day_limit = value_kind == "percent" and norm is not None and norm > 1  # a share's legal limit in days (90): no bar
    if norm is not None and not day_limit and not (single and f.norm_basis == "network"):
        names.append(label("chart.norm"))
        values.append(norm * scale)
    if network_value is not None and not single:
        names.append(network_name or label("chart.network_median"))
        values.append(float(network_value) * scale)
    if len(values) < 2:
        return None
    rows = tuple((Cell(n), value_cell(v / scale if value_kind == "percent" else v, value_kind)) for n, v in zip(names, values))
    table = Table((label("col.compared"), label("col.value")), rows, (False, True))
    unit = label("chart.axis_percent") if value_kind == "percent" else ""
    if value_kind == "days":
        factor, unit = day_axis(list(values))
        values = [v * factor for v in values]
    return Chart(key, label("chart.finding_title"), tuple(names), (ChartSeries(label("chart.value"), tuple(values)),),
                 kind="hbars", y_title=unit, table=table)
