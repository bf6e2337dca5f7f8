"""The office report's section "Wohin die Zeit geht": the elapsed time per case split into its parts.

Built from ``OfficeAnalysis.extra["decomposition"]`` (``analyse.decomposition.part_summary``: per case type
and part the mean calendar and working days per case and the share of the elapsed time). Per case type one
horizontal stacked bar of the mean calendar days per part (the parts add up exactly to the mean elapsed
time, so the bar's length is it), one sentence naming the biggest part, and the numbers behind the chart
(calendar and working days). A case type of 1..k-1 cases shows "zu wenige Vorgänge"; so that the row of
all cases cannot give it away, further small case types are hidden too (``privacy.group_hidden``).

The chart kind ``stacked_hbars`` is drawn here (``draw_stacked``, called by ``charts.chart_svg``) in the
style of ``report.charts``: Okabe-Ito colours, one colour per party (office, other bodies, applicants),
hatched where wait and work are not told apart, the days written into wide segments and the total at
the end of each bar. Loops run over the few case types and parts only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from procmine.analyse.decomposition import DECOMPOSITION_PARTS
from procmine.analyse.model import OfficeAnalysis
from procmine.analyse.time import DEFAULT_CALENDAR, OfficeCalendar
from procmine.labels_de.report import label
from procmine.privacy import group_hidden
from procmine.report import format_de as fmt
from procmine.report.cells import K_MIN, case_type_label, count_cell, value_cell
from procmine.report.charts import GRID, INK, PALETTE, WIDTH_IN, _de_axis, _wrap
from procmine.report.model import Cell, Chart, ChartSeries, Section, Table
from procmine.report.palette import MUTED, NEUTRAL, WHITE

SECTION_KEY = "wohin-die-zeit-geht"
CHART_KEY = "zeitanteile"
ALL = "all"  # the row of every case in ``part_summary``
GREY = NEUTRAL  # grey: time still open
# what the report shows (in this order) and the analysis' parts (``DECOMPOSITION_PARTS``) it adds up: the office's
# own time split into work, wait and the undivided gap (no start time); the time on other bodies and on the
# applicants is waiting from the office's view whether or not their step had a start time
SHOWN_PARTS: dict[str, tuple[str, ...]] = {
    "work": ("work",),
    "wait_office": ("wait_office",),
    "gap_office": ("gap_office",),
    "external": ("wait_external", "gap_external"),
    "applicant": ("wait_applicant", "gap_applicant"),
    "pending": ("pending",),
}
PART_ORDER = tuple(SHOWN_PARTS)
PART_COLOURS = {"work": PALETTE[0], "wait_office": PALETTE[1], "gap_office": PALETTE[1], "external": PALETTE[2],
                "applicant": PALETTE[3], "pending": GREY}
HATCH = "///"
LIGHT_TEXT = {PALETTE[0], PALETTE[2]}  # dark fills: white numbers
SPELLED_OUT = 2  # case types whose biggest part is that of all cases, each with a sentence of its own; more: one sentence
MIN_LABEL_SHARE = 0.07  # a segment gets its number written in when it is this share of the longest bar
assert sorted(p for parts in SHOWN_PARTS.values() for p in parts) == sorted(DECOMPOSITION_PARTS)


PART_LABELS = {"work": "timesplit.part.work", "wait_office": "timesplit.part.wait_office",
               "gap_office": "timesplit.part.gap_office", "external": "timesplit.part.external",
               "applicant": "timesplit.part.applicant", "pending": "timesplit.part.pending"}
GENERIC_PART_LABELS = {"wait_office": "timesplit.part_generic.wait_office", "gap_office": "timesplit.part_generic.gap_office"}


def part_label(part: str, generic: bool = False) -> str:
    """The plain German name of a shown part ("Warten auf die Behörde"); a generic log says "zwischen den Schritten"."""
    return label(GENERIC_PART_LABELS.get(part, PART_LABELS[part]) if generic else PART_LABELS[part])


HATCHED = frozenset({part_label("gap_office"), part_label("gap_office", generic=True)})  # wait and work undivided


def _wide(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """``part_summary`` column ``column`` as case type × shown part (``PART_ORDER``; sums of the analysis' parts:
    days and shares of the same elapsed time add up)."""
    w = table.pivot_table(index="case_type", columns="part", values=column, aggfunc="first", sort=False, dropna=False)
    w = w.reindex(columns=list(DECOMPOSITION_PARTS)).astype(float)
    return pd.DataFrame({shown: w[list(parts)].sum(axis=1, min_count=1) for shown, parts in SHOWN_PARTS.items()})


def _rows(table: pd.DataFrame, k: int) -> pd.DataFrame:
    """One row per case type ("all" first, then by cases, most first): cases, hidden (too few: "small",
    hidden so that "all" does not reveal a small one: "secondary", else ""), and the display name."""
    cases = table.groupby("case_type", sort=False)["cases"].first()
    types = cases.drop(ALL, errors="ignore").sort_values(ascending=False, kind="stable")
    small = (types > 0) & (types < k)
    hidden = group_hidden(types.to_numpy(), k) if ALL in cases.index else small.to_numpy()
    reason = np.where(small.to_numpy(), "small", np.where(hidden, "secondary", ""))
    out = pd.DataFrame({"cases": types.to_numpy(), "hidden": reason}, index=types.index)
    if ALL in cases.index:
        n_all = int(cases[ALL])
        head = pd.DataFrame({"cases": [n_all], "hidden": ["small" if 0 < n_all < k else ""]}, index=[ALL])
        out = pd.concat([head, out]) if len(out) else head
    if (out.loc[out.index == ALL, "hidden"] == "small").any():  # the whole office under k: nothing to show
        out["hidden"] = np.where(out["hidden"] == "", "secondary", out["hidden"])
    out["name"] = [label("timesplit.all") if ct == ALL else case_type_label(ct) for ct in out.index]
    return out


def _days_text(days: float) -> str:
    """Days for a sentence: whole days from 10 on, one decimal below."""
    return fmt.fmt_days(days, 0 if abs(days) >= 10 else 1)


def _sentence(name: str, is_all: bool, row: pd.Series, generic: bool) -> str:
    """'Bei X dauert ein Vorgang im Mittel 41 Tage, davon 28 Tage Warten auf die Behörde (68 %).'"""
    total = float(row.sum())
    if not total > 0:
        return label("timesplit.sentence_empty", case_type=name)
    top = str(row.idxmax())
    share_text = fmt.fmt_percent(float(row[top]) / total, 0)  # = the analysis' share: mean part / mean elapsed
    key = "timesplit.sentence_all" if is_all else "timesplit.sentence"
    return label(key, case_type=name, total=_days_text(total), days=_days_text(float(row[top])),
                 part=part_label(top, generic), share=share_text)


def _sentences(rows: pd.DataFrame, cal: pd.DataFrame, shown: pd.Index, parts: list[str], generic: bool) -> tuple[str, ...]:
    """The biggest part of every shown case type, in few words: the sentence of all cases, one sentence per case
    type whose biggest part is another, and one sentence for the rest (more than ``SPELLED_OUT`` of them) whose
    biggest part is the same as for all cases, with the range of its share."""
    days = cal.loc[shown, parts].fillna(0.0)
    total = days.sum(axis=1)
    top = days.idxmax(axis=1).where(total > 0, "")

    def one(ct: object) -> str:
        return _sentence(str(rows.at[ct, "name"]), ct == ALL, days.loc[ct], generic)
    if ALL not in shown or not top[ALL]:
        return tuple(one(ct) for ct in shown)
    types = shown.drop(ALL)
    same = types[(top[types] == top[ALL]).to_numpy()]
    if len(same) <= SPELLED_OUT:  # few: every case type in the chart's order
        return tuple(one(ct) for ct in shown)
    out = [one(ALL), *(one(ct) for ct in types if ct not in same)]
    share = days.loc[same, top[ALL]] / total[same]
    low, high = fmt.fmt_percent(share.min(), 0), fmt.fmt_percent(share.max(), 0)
    key = "timesplit.sentence_rest" if low != high else "timesplit.sentence_rest_same"
    return (*out, label(key, n=len(same), part=part_label(str(top[ALL]), generic), low=low, high=high))


def _table(rows: pd.DataFrame, cal: pd.DataFrame, wrk: pd.DataFrame, parts: list[str], k: int, generic: bool) -> Table:
    """The numbers behind the chart, one row per case type: the calendar days of each part and of the whole
    elapsed time (their sum), and the elapsed time in working days."""
    out: list[tuple[Cell, ...]] = []
    for ct, r in rows.iterrows():
        if r["hidden"]:
            why = label("timesplit.too_few") if r["hidden"] == "small" else label("timesplit.hidden")
            n = Cell(k, "suppressed") if r["hidden"] == "small" else Cell(None, "missing")
            out.append((Cell(r["name"], note=why), n, *(Cell(None, "missing") for _ in range(len(parts) + 2))))
            continue
        days = [value_cell(cal.at[ct, p], "number") for p in parts]
        out.append((Cell(r["name"]), count_cell(r["cases"], k), *days, value_cell(cal.loc[ct, parts].sum(), "number"),
                    value_cell(wrk.loc[ct, parts].sum(min_count=1), "number")))
    cols = (label("timesplit.col_case_type"), label("col.cases"), *(part_label(p, generic) for p in parts),
            label("timesplit.total"), label("timesplit.col_working"))
    return Table(cols, tuple(out), (False, True, *(True for _ in parts), True, True), caption=label("timesplit.table_caption"))


def timesplit_section(a: OfficeAnalysis, k: int = K_MIN, generic: bool = False,
                      calendar: OfficeCalendar | None = None) -> Section | None:
    """The section "Wohin die Zeit geht", or None when the analysis has no decomposition (no events)."""
    table = a.extra.get("decomposition")
    if not isinstance(table, pd.DataFrame) or table.empty:
        return None
    cal, wrk = _wide(table, "mean_calendar_days"), _wide(table, "mean_working_days")
    rows = _rows(table, k)
    shown = rows.index[rows["hidden"] == ""]
    # the parts that occur in a shown row (an office without waits on other bodies has no such colour)
    present = (cal.loc[shown].fillna(0.0) > 0).any(axis=0) if len(shown) else pd.Series(False, index=cal.columns)
    parts = [p for p in PART_ORDER if bool(present[p])]
    series = tuple(
        ChartSeries(part_label(p, generic), tuple(None if rows.at[ct, "hidden"] else float(np.nan_to_num(cal.at[ct, p]))
                                                  for ct in rows.index), PART_COLOURS[p])
        for p in parts
    )
    several = len(rows) > 1
    chart = Chart(
        CHART_KEY, label("timesplit.chart_title" if several else "timesplit.chart_title_single"),
        tuple(rows["name"]), series, kind="stacked_hbars", y_title=label("timesplit.axis"),
        table=_table(rows, cal, wrk, parts, k, generic),
    )
    sentences = _sentences(rows, cal, shown, parts, generic) if parts else ()
    cal_used = a.diagnosis.calendar if a.diagnosis is not None else (calendar or DEFAULT_CALENDAR)
    notes = [label("timesplit.note_mean")]
    if "gap_office" in parts:
        notes.append(label("timesplit.note_gap"))
    if "external" in parts or "applicant" in parts:
        notes.append(label("timesplit.note_parties"))
    notes.append(label("timesplit.note_working", open=f"{cal_used.open_time:%H:%M}", close=f"{cal_used.close_time:%H:%M}",
                       hours=fmt.fmt_number(cal_used.day_seconds / 3600.0, 0 if cal_used.day_seconds % 3600 == 0 else 1)))
    if (rows["hidden"] == "small").any():
        notes.append(label("timesplit.note_suppressed", k=k))
    if (rows["hidden"] == "secondary").any():
        notes.append(label("timesplit.note_hidden"))
    return Section(SECTION_KEY, label("section.timesplit"), label("intro.timesplit_generic" if generic else "intro.timesplit"),
                   notes=tuple(notes), charts=(chart,) if parts else (), paragraphs=sentences)


# --- drawing --------------------------------------------------------------------------------------


def stacked_height(chart: Chart) -> float:
    """Figure height in inches: a bar per row (more for wrapped names) and the legend below."""
    lines = sum(max(1, len(_wrap(t).splitlines())) for t in chart.x_labels)
    legend_rows = -(-len(chart.series) // 2)
    return min(10.0, 0.8 + 0.3 * len(chart.x_labels) + 0.12 * lines + 0.24 * legend_rows)


def draw_stacked(fig: Figure, chart: Chart) -> None:
    """One horizontal bar per x label, its series stacked left to right; the office's undivided wait and work
    (``HATCHED``) is hatched. Rows without values read "zu wenige Vorgänge"
    or as hidden; each bar ends with its total in days."""
    fig.set_size_inches(WIDTH_IN, stacked_height(chart))
    ax = fig.subplots()
    n = len(chart.x_labels)
    pos = np.arange(n)
    values = np.array([[np.nan if v is None else float(v) for v in s.values] for s in chart.series], dtype=float).reshape(-1, n)
    totals = np.nansum(values, axis=0)
    longest = float(totals.max()) if n and np.isfinite(totals).any() and totals.max() > 0 else 1.0
    left = np.zeros(n)
    for i, s in enumerate(chart.series):
        v = np.nan_to_num(values[i])
        colour = s.color or PALETTE[i % len(PALETTE)]
        hatch = HATCH if s.name in HATCHED else None
        ax.barh(pos, v, left=left, height=0.62, color=colour, hatch=hatch, edgecolor=WHITE, linewidth=0.6, label=s.name)
        for seg in np.flatnonzero(v >= MIN_LABEL_SHARE * longest):
            ax.text(left[seg] + v[seg] / 2, pos[seg], fmt.fmt_number(v[seg], 0 if v[seg] >= 10 else 1), ha="center",
                    va="center", fontsize=9, color=WHITE if colour in LIGHT_TEXT else INK,
                    bbox={"boxstyle": "round,pad=0.12", "facecolor": colour, "edgecolor": "none"} if hatch else None)
        left = left + v
    empty = np.isnan(values).all(axis=0) if len(chart.series) else np.ones(n, dtype=bool)
    # why a row has no bar: the note of its first cell in the table behind the chart (too few cases, or hidden)
    why = [r[0].note for r in chart.table.rows] if chart.table is not None and len(chart.table.rows) == n else [""] * n
    for row in range(n):
        if empty[row]:
            ax.text(0, pos[row], " " + (why[row] or label("timesplit.too_few")), ha="left", va="center", color=MUTED,
                    style="italic")
        else:
            ax.text(totals[row] + 0.01 * longest, pos[row], fmt.fmt_days(totals[row], 0 if totals[row] >= 10 else 1),
                    ha="left", va="center", color=INK)
    ax.set_xlim(0, longest * 1.14)
    ax.set_yticks(pos, [_wrap(t) for t in chart.x_labels])
    ax.invert_yaxis()  # "Alle Vorgänge" on top
    ax.xaxis.set_major_formatter(_de_axis())  # ticks with the decimals they need
    ax.grid(axis="x", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.set_xlabel(chart.y_title)
    if chart.series:  # below the chart (constrained layout keeps it clear of the axis), two columns of long names
        fig.legend(loc="outside lower left", frameon=False, ncols=2)
