"""Draw the report's charts (``model.Chart``) as static, self-contained SVG with matplotlib.

No pyplot and no global state: one ``Figure`` per chart, rendered under an ``rc_context`` that keeps
text as SVG text (readable, searchable, escaped by matplotlib's XML writer), never parses ``$...$``
in data-borne labels as mathtext, and gives the same bytes for the same chart (fixed hash salt, no
date in the metadata). Colours come from ``report.palette`` (Okabe-Ito, safe for colour-blind readers); lines
also differ by marker and dash so no series is told apart by colour alone.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from typing import Any

from markupsafe import Markup, escape
from matplotlib import rc_context
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, MaxNLocator

from procmine.labels_de.report import label
from procmine.report import format_de, palette
from procmine.report.model import Chart
from procmine.report.palette import GRID, INK, REFERENCE, series_style

PALETTE = palette.CATEGORICAL
WIDTH_IN = 7.2  # fits the A4 print width (186 mm = 7.3 in) at 100 %: fonts print at their size
FONT_PT = 9.5  # never below 9 pt on paper
RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "procmine",
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],  # bundled with matplotlib: the same metrics everywhere
    "font.size": FONT_PT,
    "axes.edgecolor": palette.MUTED,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
LABEL_WRAP = 34  # characters per line of a bar label


def _colour(i: int, given: str) -> str:
    return given or PALETTE[i % len(PALETTE)]


class _GermanTicks(Formatter):
    """Axis ticks in German number format (1.234 · 2,5) with as many decimals as the ticks need to read as they
    are (never "0,0 0,0 0,0" on an axis from 0 to 0,001, never "2" for 1,5); whole numbers without decimals."""

    decimals: int | None = None

    @staticmethod
    def _needed(values: list[float]) -> int:
        finite = [v for v in values if math.isfinite(v)]
        return next((d for d in range(5) if all(abs(v - round(v, d)) < 1e-9 * max(1.0, abs(v)) for v in finite)), 4)

    def format_ticks(self, values: Any) -> list[str]:
        self.decimals = self._needed([float(v) for v in values])
        return [format_de.fmt_number(float(v), self.decimals) for v in values]

    def __call__(self, x: float, pos: int | None = None) -> str:
        return format_de.fmt_number(x, self._needed([x]) if self.decimals is None else self.decimals)


def _de_axis() -> Formatter:
    return _GermanTicks()


def _wrap(text: str) -> str:
    return "\n".join(textwrap.wrap(str(text), LABEL_WRAP, break_long_words=True) or [""])


def _values(values: tuple[float | None, ...]) -> list[float]:
    return [float("nan") if v is None else float(v) for v in values]


def _draw_lines(fig: Figure, chart: Chart) -> None:
    panels = 2 if any(s.panel == 1 for s in chart.series) else 1
    axes = fig.subplots(panels, 1, sharex=True, squeeze=False)[:, 0]
    x = list(range(len(chart.x_labels)))
    for i, s in enumerate(chart.series):
        ax = axes[min(s.panel, panels - 1)]
        style = series_style(i, len(chart.series))
        ax.plot(x, _values(s.values), color=s.color or style.colour, linestyle=style.dash, linewidth=1.8,
                marker=style.marker, markersize=3.2 if len(x) <= 40 else 0, label=s.name)
    if chart.reference is not None:  # the norm: a grey dashed line across the first panel, named in the legend
        axes[0].axhline(chart.reference, color=REFERENCE, linestyle=(0, (5, 3)), linewidth=1.4, label=chart.reference_label)
    for n, ax in enumerate(axes):
        ax.grid(axis="y", color=GRID, linewidth=0.8)
        ax.yaxis.set_major_formatter(_de_axis())
        ax.yaxis.set_major_locator(MaxNLocator(5))
        ax.set_ylim(bottom=0)
        ax.set_ylabel(chart.y2_title if n == 1 else chart.y_title)
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), frameon=False, ncols=3, fontsize=FONT_PT,
                  borderaxespad=0.2)  # above the panel, never over a line
    step = max(1, math.ceil(len(x) / 7))  # at most 7 labels: "01/2024" and "30.06.2025" never run into each other
    ticks = x[::step]
    axes[-1].set_xticks(ticks, [chart.x_labels[i] for i in ticks], rotation=0)


def _draw_bars(fig: Figure, chart: Chart, horizontal: bool) -> None:
    ax = fig.subplots()
    n = max(1, len(chart.series))
    width = 0.8 / n
    pos = list(range(len(chart.x_labels)))
    for i, s in enumerate(chart.series):
        offs = [p - 0.4 + width * (i + 0.5) for p in pos]
        vals = _values(s.values)
        hatch = None if i == 0 else "//"
        if horizontal:
            ax.barh(offs, vals, height=width, color=_colour(i, s.color), label=s.name, hatch=hatch, edgecolor=palette.WHITE)
        else:
            ax.bar(offs, vals, width=width, color=_colour(i, s.color), label=s.name, hatch=hatch, edgecolor=palette.WHITE)
    fmt_axis = ax.xaxis if horizontal else ax.yaxis
    fmt_axis.set_major_formatter(_de_axis())
    fmt_axis.set_major_locator(MaxNLocator(6))
    ax.grid(axis="x" if horizontal else "y", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    if horizontal:
        ax.set_yticks(pos, [_wrap(t) for t in chart.x_labels])
        ax.invert_yaxis()  # first item on top
        ax.set_xlabel(chart.y_title)
    else:
        ax.set_xticks(pos, [_wrap(t) for t in chart.x_labels], rotation=0)
        ax.set_ylabel(chart.y_title)
        ax.set_xlabel(chart.x_title)
    if len(chart.series) > 1:
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), frameon=False, ncols=len(chart.series), borderaxespad=0.2)


def _height(chart: Chart) -> float:
    """Figure height in inches: bar charts grow with their rows, line charts with their panels."""
    if chart.kind == "hbars":
        lines = sum(max(1, len(_wrap(t).splitlines())) for t in chart.x_labels)
        return min(9.0, 0.6 + 0.2 * lines + 0.16 * len(chart.x_labels) * max(1, len(chart.series)))
    if chart.kind == "line" and any(s.panel == 1 for s in chart.series):
        return 4.6
    if chart.kind == "line" and len(chart.series) == 1:  # a finding's course: low, so its page prints on one sheet
        return 1.75
    return 2.9


def chart_svg(chart: Chart) -> Markup:
    """The chart as an inline ``<svg>`` with ``role="img"``, an aria-label and a ``<title>`` (its accessible name)."""
    with rc_context(RC):  # type: ignore[arg-type]  # keys are rcParams names; matplotlib types them as literals
        fig = Figure(figsize=(WIDTH_IN, _height(chart)), layout="constrained")
        FigureCanvasSVG(fig)
        if chart.kind == "line":
            _draw_lines(fig, chart)
        elif chart.kind == "stacked_hbars":  # parts of a whole per row: report.timesplit draws them
            from procmine.report.timesplit import draw_stacked

            draw_stacked(fig, chart)
        else:
            _draw_bars(fig, chart, horizontal=chart.kind == "hbars")
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.find("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    first, last = (chart.x_labels[0], chart.x_labels[-1]) if chart.x_labels else ("", "")
    aria = label("chart.aria", title=chart.title, first=first, last=last)
    open_tag_end = svg.find(">") + 1
    head = svg[:open_tag_end - 1]
    head = re.sub(r'\swidth="[^"]*"', "", head, count=1)
    head = re.sub(r'\sheight="[^"]*"', "", head, count=1)
    head += f' class="chart-svg" id="{escape(chart.key)}" role="img" aria-label="{escape(aria)}">'
    return Markup(head + f"<title>{escape(chart.title)}</title>" + svg[open_tag_end:])
