"""Report model of the network sections of ``vergleich.html``: fair KPIs, case mix, topics, trends, measures.

Built from ``Comparison.network`` (``compare.network.NetworkComparison``); every content decision is made
here, the template only loops. German wording comes from ``labels_de/network.py`` (``REPORT_LABELS``,
``NETWORK_LABELS``), numbers are formatted by ``format_de``; charts are matplotlib SVG, embedded inline.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from procmine.catalogue import CASE_TYPES
from procmine.compare.fair import NOT_COMPARABLE, FairKpi
from procmine.compare.measures import DAYS, KPIS, SHARE
from procmine.compare.network import NetworkComparison
from procmine.compare.trends import MIX_PREFIX
from procmine.labels_de.network import NETWORK_LABELS, REPORT_LABELS
from procmine.report import format_de as fmt
from procmine.report import palette
from procmine.report.charts import _de_axis
from procmine.report.model import Cell, Table
from procmine.report.palette import series_style

# better / worse than the network: blue / orange (never green / red), also told apart by the marker
COLOURS = {"better": palette.BETTER, "worse": palette.WORSE, "within_noise": palette.WITHIN_NOISE}
POSITION_MARKERS = {"better": "^", "worse": "v", "within_noise": "o"}
CHART_STYLE: dict[str, Any] = {"svg.fonttype": "none", "svg.hashsalt": "procmine", "font.size": 9, "font.family": "DejaVu Sans"}


def _styled(draw: Callable[..., str]) -> Callable[..., str]:
    """Draw a chart under the report's style, leaving matplotlib's global settings as they were."""

    @functools.wraps(draw)
    def wrapper(*args: Any, **kwargs: Any) -> str:
        with matplotlib.rc_context(CHART_STYLE):  # type: ignore[arg-type]
            return draw(*args, **kwargs)

    return wrapper


def _subplots(width: float, height: float) -> tuple[Figure, Any]:
    """A figure without pyplot (no backend, no global figure registry)."""
    fig = Figure(figsize=(width, height))
    return fig, fig.subplots()


def rl(key: str, **fields: Any) -> str:
    """Report wording of the network sections."""
    text = REPORT_LABELS[key]
    return text.format(**fields) if fields else text


@dataclass(frozen=True)
class KpiBlock:
    """One standardised KPI: heading, what it means, the verdict sentence, a table per office and the interval plot."""

    key: str
    title: str
    verdict: str
    table: Table
    chart: str  # inline SVG


@dataclass(frozen=True)
class TopicBlock:
    title: str
    verdict: str
    fragment: Table | None


@dataclass(frozen=True)
class MeasureBlock:
    title: str
    verdict: str
    verdict_code: str
    explanation: str
    chart: str


@dataclass(frozen=True)
class NetworkReport:
    """Everything the network sections of ``vergleich.html`` show."""

    text: dict[str, str]  # headings and intros by key
    summary: Table
    kpis: tuple[KpiBlock, ...]
    case_mix: Table
    topics: tuple[TopicBlock, ...]
    trend_charts: tuple[tuple[str, str], ...]  # (KPI name, SVG)
    shared: tuple[str, ...]
    change_points: Table | None
    measures: tuple[MeasureBlock, ...]


def kpi_title(key: str) -> str:
    """German name of a KPI key, or of a case-type share series (``new_share:<case type>``)."""
    if key.startswith(MIX_PREFIX):
        ct = key[len(MIX_PREFIX):]
        return NETWORK_LABELS["nkpi.new_share"].format(case_type=CASE_TYPES[ct].label_de if ct in CASE_TYPES else ct)
    return NETWORK_LABELS[f"nkpi.{key}"]


def kpi_unit(key: str) -> str:
    return SHARE if key.startswith(MIX_PREFIX) else KPIS[key].unit


def fmt_kpi(value: Any, unit: str) -> str:
    """A KPI value in its unit (days, share, per case)."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return fmt.MISSING
    if unit == DAYS:
        return fmt.fmt_days(value)
    if unit == SHARE:
        return fmt.fmt_percent(value)
    return fmt.fmt_number(value, 2)


def fmt_interval(low: Any, high: Any, unit: str) -> str:
    if low is None or not np.isfinite(low) or not np.isfinite(high):
        return fmt.MISSING
    if unit == SHARE:
        return f"{fmt.fmt_percent(low)} – {fmt.fmt_percent(high)}"
    d = 1 if unit == DAYS else 2
    return f"{fmt.fmt_number(low, d)} – {fmt.fmt_number(high, d)}"


def _svg(fig: Any) -> str:
    """The figure as inline SVG that scales with the page (no fixed width, no XML prologue)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 class="chart" preserveAspectRatio="xMinYMin meet"', svg, count=1)
    return svg


def _month_de(month: str) -> str:
    """An axis label of a month: "2024-03" as "03/2024" (as the office report's charts write it)."""
    return f"{month[5:7]}/{month[:4]}" if len(month) == 7 and month[4] == "-" else month


@_styled
def interval_chart(fk: FairKpi) -> str:
    """Horizontal interval plot: each office's value with its 95 % interval, the network value as a line."""
    t = fk.table[fk.table["estimate"].notna()]
    scale = 100.0 if fk.unit == SHARE else 1.0
    fig, ax = _subplots(4.4, 0.2 * max(len(t), 2) + 0.55)  # prints beside its table (115 x 62 mm) at 9 pt
    y = np.arange(len(t))[::-1]
    for yi, (_office, r) in zip(y, t.iterrows()):
        colour = COLOURS.get(str(r["position"]), COLOURS["within_noise"])
        ax.errorbar(r["estimate"] * scale, yi, xerr=[[max((r["estimate"] - r["ci_low"]) * scale, 0)], [max((r["ci_high"] - r["estimate"]) * scale, 0)]],
                    fmt=POSITION_MARKERS.get(str(r["position"]), "o"), color=colour, ecolor=colour, capsize=3, markersize=5)
    if fk.network is not None:
        ax.axvline(fk.network * scale, color=palette.REFERENCE, linestyle="--", linewidth=1)
    ax.set_yticks(y, [str(o) for o in t.index])
    ax.set_xlabel({DAYS: "Tage", SHARE: "%"}.get(fk.unit, NETWORK_LABELS["unit.per_case"]))
    ax.xaxis.set_major_formatter(_de_axis())  # 1,5 and 1.000, never 1.5
    ax.grid(axis="x", color=palette.GRID)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def _kpi_value(value: Any, unit: str) -> str:
    """A KPI value in its table: days as a bare number (the unit stands in the column's header), else as ``fmt_kpi``."""
    return fmt.fmt_number(value, 1) if unit == DAYS and value is not None and np.isfinite(value) else fmt_kpi(value, unit)


def _kpi_block(fk: FairKpi) -> KpiBlock:
    t = fk.table
    rows: list[tuple[Cell, ...]] = []
    whats: list[str] = []
    for office, r in t.iterrows():
        pos = str(r["position"])
        mark = pos if pos in ("better", "worse") else ""
        if pos in ("not_measurable", NOT_COMPARABLE) and r["reason"]:
            what = f"{rl('position.' + pos)} ({rl('why.' + str(r['reason']))})"
        else:
            what = rl(f"position.{pos}")
        whats.append(what)
        shown = pos != "not_measurable"
        rows.append(
            (
                Cell(str(office)),
                Cell(_kpi_value(r["estimate"], fk.unit) if shown else fmt.MISSING, mark=mark),
                Cell(fmt_interval(r["ci_low"], r["ci_high"], fk.unit) if shown else fmt.MISSING),
                Cell(int(r["cases"]), "int"),
                Cell(fmt.fmt_percent(r["coverage"], 0) if shown and np.isfinite(r["coverage"]) else fmt.MISSING),
                Cell(what),
                Cell(None if pd.isna(r["tier"]) else int(r["tier"]), "int" if not pd.isna(r["tier"]) else "missing"),
            )
        )
    in_days = rl("col.in_days") if fk.unit == DAYS else ""
    columns = (rl("col.office"), rl("col.value"), rl("col.interval"), rl("col.cases"), rl("col.coverage"), rl("col.position"), rl("col.tier"))
    notes = ("", in_days, in_days, "", "", "", rl("col.tier_note"))
    numeric = (False, True, True, True, True, False, True)
    keep = [True] * len(columns)
    keep[4] = bool((t["coverage"] < 0.995).any())  # every office has cases of the whole mix: the column says nothing
    if not fk.comparable and len(set(whats)) == 1:  # the verdict says it once: no column repeating it, no ranks
        keep[5] = keep[6] = False
    table = Table(
        tuple(c for c, k in zip(columns, keep) if k),
        tuple(tuple(c for c, k in zip(row, keep) if k) for row in rows),
        tuple(n for n, k in zip(numeric, keep) if k),
        column_notes=tuple(n for n, k in zip(notes, keep) if k),
    )
    if not fk.comparable:
        verdict = rl("kpi.not_comparable")
    else:
        verdict = rl("kpi.best", office=fk.best) if fk.best else rl("kpi.no_best")
        verdict += " " + rl("kpi.network", value=fmt_kpi(fk.network, fk.unit))
    return KpiBlock(fk.key, kpi_title(fk.key), verdict, table, interval_chart(fk) if fk.comparable else "")


def _short(value: Any, unit: str) -> str:
    """A compact value for the overview (the unit is in the row's name)."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return fmt.MISSING
    if unit == SHARE:
        return fmt.fmt_percent(value)
    return fmt.fmt_number(value, 1 if unit == DAYS else 2)


def _summary(net: NetworkComparison) -> Table:
    """Comparable KPIs down, offices across: the standardised value, coloured only where it separates."""
    keys = [k for k, v in net.fair.kpis.items() if v.comparable]
    offices = net.fair.offices
    cases = net.fair.counts.sum(axis=1, min_count=1)
    rows = [(Cell(rl("col.cases")), *[Cell(None if pd.isna(cases.get(o)) else int(cases.get(o)), "int") for o in offices])]
    for key in keys:
        unit = KPIS[key].unit
        cells = [Cell(kpi_title(key), note=NETWORK_LABELS[f"unit.{unit}"] if unit == DAYS else "")]
        for o in offices:
            r = net.fair.kpis[key].table.loc[o]
            pos = str(r["position"])
            if pos == "not_measurable":
                cells.append(Cell(rl("position.not_measurable"), "not_measurable"))
            else:
                cells.append(Cell(_short(r["estimate"], unit), mark=pos if pos in ("better", "worse") else ""))
        rows.append(tuple(cells))
    return Table((rl("col.kpi"), *offices), tuple(rows), (False, *[True] * len(offices)))


def _case_mix(net: NetworkComparison) -> Table:
    """Case types down (German names), offices and the network across: share of the office's cases."""
    mix = net.fair.case_mix
    offices = [o for o in mix.index if o != "network"]
    rows = []
    for ct in mix.columns:
        cells = [Cell(CASE_TYPES[ct].label_de if ct in CASE_TYPES else str(ct))]
        for o in offices:
            v = mix.loc[o, ct]
            hidden = bool(net.fair.suppressed.loc[o, ct]) if ct in net.fair.suppressed.columns else False
            cells.append(Cell(net.fair.k, "suppressed") if hidden else Cell(fmt.fmt_percent(v, 0) if not pd.isna(v) else fmt.MISSING))
        cells.append(Cell(fmt.fmt_percent(mix.loc["network", ct], 0)))
        rows.append(tuple(cells))
    return Table((rl("col.case_type"), *offices, rl("col.network")), tuple(rows), (False, *[True] * (len(offices) + 1)))


def _topic_block(view: Any) -> TopicBlock:
    title = rl(f"topic.{view.topic}")
    if view.best is None:
        return TopicBlock(title, rl("topic.none"), None)
    fields = {
        "office": view.best,
        "value": fmt_kpi(view.estimate, view.unit),
        "low": fmt_kpi(view.ci_low, view.unit),
        "high": fmt_kpi(view.ci_high, view.unit),
        "network": fmt_kpi(view.network, view.unit),
    }
    verdict = rl("topic.best" if view.separated else "topic.best_not_separated", **fields)
    f = view.fragment
    rows = tuple(
        (
            Cell(r["source_label"]),
            Cell(r["target_label"]),
            Cell(fmt.fmt_percent(r["best_share"], 0)),
            Cell(fmt.fmt_percent(r["rest_share"], 0)),
            Cell(fmt.fmt_days(r["best_median_days"])),
            Cell(fmt.fmt_days(r["rest_median_days"])),
        )
        for r in f.to_dict("records")
    )
    table = Table(  # the office's name under the header, so that "ABH-08" never wraps at its hyphen
        (rl("col.from"), rl("col.to"), rl("col.share"), rl("col.share"), rl("col.median"), rl("col.median")),
        rows,
        (False, False, True, True, True, True),
        column_notes=("", "", view.best, rl("col.rest"), view.best, rl("col.rest")),
    ) if rows else None
    return TopicBlock(title, verdict, table)


@_styled
def trend_chart(series: pd.DataFrame, cps: pd.DataFrame, shared: pd.DataFrame, unit: str) -> str:
    """Monthly means per office; change points as dots, shared shocks as grey bands."""
    months = sorted(series["month"].unique())
    pos = {m: i for i, m in enumerate(months)}
    scale = 100.0 if unit == SHARE else 1.0
    fig, ax = _subplots(9.0, 2.8)
    for i, (office, g) in enumerate(series.groupby("office", sort=True)):
        g = g.sort_values("month")
        style = series_style(i, series["office"].nunique())  # colour, dash, marker: nine offices stay apart in grey too
        colour = style.colour
        ax.plot([pos[m] for m in g["month"]], g["mean"] * scale, color=colour, linestyle=style.dash, marker=style.marker,
                markersize=3, markevery=max(1, len(months) // 8), linewidth=1.4, label=str(office))
        c = cps[cps["office"] == office]
        if len(c):
            vals = g.set_index("month")["mean"]
            ax.scatter([pos[m] for m in c["month"] if m in pos], [vals.get(m, np.nan) * scale for m in c["month"] if m in pos], color=colour, edgecolors=palette.INK, linewidths=0.8, s=30, zorder=3)
    for m in shared["month"] if len(shared) else []:
        if m in pos:
            ax.axvspan(pos[m] - 0.5, pos[m] + 0.5, color=palette.SHADE, zorder=0)
    step = max(1, -(-len(months) // 7))
    ax.set_xticks(range(0, len(months), step), [_month_de(months[i]) for i in range(0, len(months), step)], rotation=0)
    ax.set_ylabel({DAYS: "Tage", SHARE: "%"}.get(unit, ""))
    ax.yaxis.set_major_formatter(_de_axis())
    ax.grid(axis="y", color=palette.GRID)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(ncol=min(5, series["office"].nunique()), fontsize=9, frameon=False, loc="upper left", bbox_to_anchor=(0, -0.12))
    return _svg(fig)


@_styled
def measure_chart(monthly: pd.DataFrame, office: str, date: str, unit: str) -> str:
    if monthly is None or not len(monthly):
        return ""
    m = monthly.sort_values("month")
    x = np.arange(len(m))
    scale = 100.0 if unit == SHARE else 1.0
    fig, ax = _subplots(6.4, 2.4)
    ax.plot(x, m["office_mean"] * scale, color=palette.BLUE, marker="o", markersize=3, label=office)
    if "controls_mean" in m:
        ax.plot(x, m["controls_mean"] * scale, color=palette.REFERENCE, linestyle="--", label=REPORT_LABELS["chart.controls"])
    month = date[:7]
    if month in set(m["month"]):
        ax.axvline(int(np.flatnonzero(m["month"].to_numpy() == month)[0]) - 0.5, color=palette.ORANGE, linestyle=":", linewidth=1.6, label=REPORT_LABELS["chart.measure"])
    step = max(1, len(m) // 8)
    ax.set_xticks(x[::step], [_month_de(str(v)) for v in m["month"].to_numpy()[::step]])
    ax.set_ylabel({DAYS: "Tage", SHARE: "%"}.get(unit, ""))
    ax.yaxis.set_major_formatter(_de_axis())
    ax.grid(axis="y", color=palette.GRID)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=9, frameon=False)
    return _svg(fig)


def build_network_report(net: NetworkComparison) -> NetworkReport:
    """The network sections' model (see the module docstring)."""
    text = {key: rl(key) for key in ("section.fair", "intro.fair", "legend.better", "legend.worse", "legend.noise", "section.case_mix",
                                     "section.topics", "intro.topics", "section.trends", "intro.trends", "section.measures", "intro.measures")}
    text["intro.case_mix"] = rl("intro.case_mix", k=net.fair.k)
    text["legacy"] = rl("legacy")
    text["measures.none"] = "" if net.measures else rl("measures.none")  # one line instead of an empty section
    text["tests"] = rl("kpi.tests", tests=net.fair.tests, hits=net.fair.hits)
    kpis = tuple(_kpi_block(fk) for fk in net.fair.kpis.values())
    tr = net.trends
    charts = []
    for key in dict.fromkeys(tr.series["kpi"]) if len(tr.series) else []:
        s = tr.series[tr.series["kpi"] == key]
        charts.append((kpi_title(key), trend_chart(s, tr.change_points[tr.change_points["kpi"] == key], tr.shared[tr.shared["kpi"] == key], kpi_unit(key))))
    shared = tuple(
        rl("trends.shared", kpi=kpi_title(r["kpi"]), month=r["month"], offices=", ".join(r["offices"])) for r in tr.shared.to_dict("records")
    ) or (rl("trends.no_shared"),)
    cp_rows = tuple(
        (
            Cell(r["office"]),
            Cell(kpi_title(r["kpi"])),
            Cell(r["month"]),
            Cell(fmt_kpi(r["before"], kpi_unit(r["kpi"]))),
            Cell(fmt_kpi(r["after"], kpi_unit(r["kpi"]))),
            Cell(rl("trends.kind.shared" if r["shared"] else "trends.kind.own")),
        )
        for r in tr.change_points.sort_values(["office", "kpi", "month"]).to_dict("records")
    )
    cp_table = Table(
        (rl("col.office"), rl("col.kpi"), rl("col.month"), rl("col.before"), rl("col.after"), rl("col.kind")), cp_rows, (False, False, False, True, True, False),
        caption=rl("caption.change_points"),
    ) if cp_rows else None
    measures = []
    for spec, eff in net.measures:
        what = spec.name or (" → ".join(spec.step) if spec.step else kpi_title(spec.kpi))
        title = rl("measure.title", office=spec.office, date=fmt.fmt_date(pd.Timestamp(spec.date)), what=what)
        measures.append(MeasureBlock(title, eff.verdict, eff.verdict_code, eff.explanation, measure_chart(eff.monthly, spec.office, spec.date, eff.unit)))
    return NetworkReport(text, _summary(net), kpis, _case_mix(net), tuple(_topic_block(v) for v in net.topics), tuple(charts), shared, cp_table, tuple(measures))


# --- procmine diff --html: the two maps side by side and the difference map -----------------------

DIFF_EDGES = 30  # most edges a map draws (by the share of cases taking them)
DIFF_MIN_EDGES = 6  # fewest: a map drops its rarest edges until its labels print at PRINT_MIN_PT, but not below this
DIFF_MIN_SHARE = 0.03
DIFF_A, DIFF_B, DIFF_SAME = palette.ORANGE, palette.BLUE, palette.NEUTRAL  # diverging: orange / blue, grey between
DIFF_NODE_PT, DIFF_EDGE_PT = 14.0, 12.0  # label sizes in the SVG (pt); the map prints at PRINT_BOX or smaller
PRINT_MIN_PT = 9.0
# the room (width, height in pt) each map has on A4 landscape under unterschied.html's print rules: the two maps
# side by side under the intro on page 1 (max-height 115 mm), the difference map alone on page 2 (max-height 150 mm)
PRINT_BOX = {"a": (368.0, 326.0), "b": (368.0, 326.0), "diff": (770.0, 425.0)}
SPACE = "\u2002"  # an en space either side of an arrow's label: it keeps clear of arrows where the reader's font is wider than dot's
DIFF_WRAP = {"a": 26, "b": 26, "diff": 28}  # characters per line of a box: the catalogue's longest word whole


@dataclass(frozen=True)
class DiffReport:
    """Content of ``unterschied.html`` (``procmine diff --html``)."""

    title: str
    intro: str
    footer: str
    legend: str
    map_a: str
    map_b: str
    map_diff: str
    names: tuple[str, str]
    edges: Table
    by_step: Table
    only_a: Table
    only_b: Table
    map_notes: tuple[str, str, str] = ("", "", "")  # per map (a, b, diff): how many of the transitions it shows


def print_scale(svg: str, box: tuple[float, float]) -> float:
    """How much a dot SVG is scaled down to fit ``box`` (width, height in pt), as the print stylesheet does (never up)."""
    found = re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    if not found:
        return 1.0
    w, h = (float(x) for x in found.groups())
    return min(1.0, box[0] / max(w, 1.0), box[1] / max(h, 1.0))


def _diff_graph(edges: pd.DataFrame, mode: str, names: tuple[str, str]) -> str:
    """One DOT map over ``edges``: ``a`` / ``b`` (that log's shares and waits) or ``diff`` (coloured by where
    an edge is significantly more frequent or slower)."""
    import graphviz

    from procmine.report.render import FONT, _dot_label
    from procmine.report.render import _svg as dot_svg

    wrap = DIFF_WRAP[mode]
    g = graphviz.Digraph(
        graph_attr={"rankdir": "TB", "fontname": FONT, "bgcolor": "transparent", "nodesep": "0.2", "ranksep": "0.12"},
        node_attr={"shape": "box", "style": "rounded,filled", "fillcolor": palette.BOX_FILL, "color": palette.BOX_LINE,
                   "fontname": FONT, "fontsize": f"{DIFF_NODE_PT:g}", "margin": "0.1,0.04", "height": "0.3"},
        edge_attr={"fontname": FONT, "fontsize": f"{DIFF_EDGE_PT:g}", "color": palette.EDGE, "fontcolor": palette.INK},
    )
    ids: dict[str, str] = {}
    shown = edges if mode == "diff" else edges[edges[f"share_{mode}"] > 0]
    for r in shown.to_dict("records"):  # only the steps this map has edges for
        for key, lab in ((r["source"], r["source_label"]), (r["target"], r["target_label"])):
            if key not in ids:
                ids[key] = f"n{len(ids)}"
                g.node(ids[key], _dot_label(lab, wrap=wrap))
    for r in shown.to_dict("records"):
        if mode in ("a", "b"):
            share = r[f"share_{mode}"]
            label = f"{fmt.fmt_percent(share, 0)} · {fmt.fmt_days(r[f'mean_{mode}'])}"
            g.edge(ids[r["source"]], ids[r["target"]], label=_dot_label(SPACE + label + SPACE, wrap=60), penwidth=f"{0.6 + 4 * share:.2f}")
            continue
        freq, slow = r["more_frequent_in"], r["slower_in"]
        who = freq if isinstance(freq, str) else slow if isinstance(slow, str) else None
        colour = DIFF_A if who == names[0] else DIFF_B if who == names[1] else DIFF_SAME
        parts = []
        if isinstance(freq, str):
            parts.append(f"{fmt.fmt_percent(r['share_a'], 0)} / {fmt.fmt_percent(r['share_b'], 0)}")
        if isinstance(slow, str):
            parts.append(f"{fmt.fmt_number(r['mean_a'], 1)} / {fmt.fmt_number(r['mean_b'], 1)} Tage")
        g.edge(ids[r["source"]], ids[r["target"]], label=_dot_label(SPACE + " · ".join(parts) + SPACE, wrap=60) if parts else "", color=colour,
               fontcolor=palette.INK, penwidth=f"{0.8 + 6 * abs(r['share_a'] - r['share_b']):.2f}", style="solid" if who else "dashed")
    # the picture is named like the heading above it in unterschied.html (aria-label and <title>)
    title = rl("diff.map_diff") if mode == "diff" else rl("diff.map_a", name=names[0] if mode == "a" else names[1])
    return str(dot_svg(g, title))


def _connected_order(edges: pd.DataFrame) -> pd.DataFrame:
    """At most ``DIFF_EDGES`` of ``edges`` (weight ``w``) in an order whose every prefix draws one connected map:
    the heaviest edge first, then always the heaviest edge that touches a step already drawn (Prim's order)."""
    rest = edges.sort_values("w", ascending=False, kind="stable")
    order: list[int] = []
    steps: set[str] = set()
    while len(order) < DIFF_EDGES and len(rest):  # one round per drawn edge (at most DIFF_EDGES)
        touching = rest["source"].isin(steps) | rest["target"].isin(steps) if steps else pd.Series(True, index=rest.index)
        if not touching.any():
            break  # the rest is not connected to the map drawn so far
        first = rest.index[touching.to_numpy()][0]
        order.append(first)
        steps.update((str(rest.at[first, "source"]), str(rest.at[first, "target"])))
        rest = rest.drop(index=first)
    return edges.loc[order]


def _readable_map(edges: pd.DataFrame, mode: str, names: tuple[str, str]) -> tuple[str, int]:
    """The map of ``mode`` over as many of its most frequent ``edges`` (at most ``DIFF_EDGES``) as keep every label
    at ``PRINT_MIN_PT`` or more on A4 (``PRINT_BOX``): the rarest go first. Returns the SVG and the edges shown."""
    share = np.maximum(edges["share_a"], edges["share_b"]) if mode == "diff" else edges[f"share_{mode}"]
    ranked = _connected_order(edges.assign(w=share).query("w > 0"))
    n = len(ranked)
    svg = _diff_graph(ranked, mode, names)
    while n > DIFF_MIN_EDGES and min(DIFF_NODE_PT, DIFF_EDGE_PT) * print_scale(svg, PRINT_BOX[mode]) < PRINT_MIN_PT:
        n -= max(1, n // 8)  # a few at a time: each try is one run of dot
        svg = _diff_graph(ranked.head(max(n, DIFF_MIN_EDGES)), mode, names)
    return svg, min(max(n, DIFF_MIN_EDGES), len(ranked))


def build_diff_report(d: Any) -> DiffReport:
    """The model of ``unterschied.html`` from a ``compare.diff.ProcessDiff``."""
    e = d.edges
    drawn = e[np.maximum(e["share_a"], e["share_b"]) >= DIFF_MIN_SHARE]
    names = (d.a, d.b)
    maps = {mode: _readable_map(drawn, mode, names) for mode in ("a", "b", "diff")}
    totals = {"a": int((e["share_a"] > 0).sum()), "b": int((e["share_b"] > 0).sum()), "diff": len(e)}
    notes = [rl("diff.map_shown" if maps[m][1] < totals[m] else "diff.map_all", shown=maps[m][1], total=totals[m]) for m in ("a", "b", "diff")]
    sig = e[e["more_frequent_in"].notna() | e["slower_in"].notna()]
    edge_rows = tuple(
        (
            Cell(r["source_label"]), Cell(r["target_label"]),
            Cell(f"{fmt.fmt_percent(r['share_a'], 0)} / {fmt.fmt_percent(r['share_b'], 0)}"),
            Cell(f"{fmt.fmt_number(r['mean_a'], 1)} / {fmt.fmt_number(r['mean_b'], 1)}"),
            Cell(", ".join(x for x in (rl("diff.more_frequent", office=r["more_frequent_in"]) if isinstance(r["more_frequent_in"], str) else "",
                                      rl("diff.slower", office=r["slower_in"]) if isinstance(r["slower_in"], str) else "") if x)),
        )
        for r in sig.head(25).to_dict("records")
    )
    edges = Table((rl("col.from"), rl("col.to"), rl("diff.share", a=d.a, b=d.b), rl("diff.mean", a=d.a, b=d.b), rl("diff.difference")),
                  edge_rows, (False, False, True, True, False))
    step_rows = tuple((Cell(r["label"]), Cell(fmt.fmt_days(r["days_a"])), Cell(fmt.fmt_days(r["days_b"])), Cell(fmt.fmt_number(r["diff"], 1)))
                      for r in d.by_step.head(15).to_dict("records"))
    by_step = Table((rl("diff.step"), d.a, d.b, rl("diff.delta")), step_rows, (False, True, True, True))

    def only(df: pd.DataFrame) -> Table:
        return Table((rl("diff.variant"), rl("col.cases")), tuple((Cell(r["variant"]), Cell(int(r["cases"]), "int")) for r in df.head(10).to_dict("records")), (False, True))

    return DiffReport(
        title=rl("diff.title", a=d.a, b=d.b),
        intro=rl("diff.intro", a=d.a, b=d.b, na=fmt.fmt_int(d.cases_a), nb=fmt.fmt_int(d.cases_b), da=fmt.fmt_days(d.duration_a),
                 db=fmt.fmt_days(d.duration_b), tested=len(e), different=len(sig)),
        footer=rl("diff.footer"),
        legend=rl("diff.legend", a=d.a, b=d.b),
        map_a=maps["a"][0],
        map_b=maps["b"][0],
        map_diff=maps["diff"][0],
        names=names,
        edges=edges,
        by_step=by_step,
        only_a=only(d.variants_only_a),
        only_b=only(d.variants_only_b),
        map_notes=(notes[0], notes[1], notes[2]),
    )


def render_diff_html(d: Any) -> str:
    """Self-contained ``unterschied.html`` for ``procmine diff --html``."""
    from procmine.report.render import environment

    return environment().get_template("unterschied.html").render(r=build_diff_report(d), rl=rl)
