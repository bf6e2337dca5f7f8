"""Render the report model to self-contained HTML (Jinja, autoescape on), SVG figures and PDF.

One Jinja Environment on a PackageLoader with the ``format_de`` filters; the CSS and the graphviz SVGs
are inlined so a report is one file with no external CSS, JS or fonts. Graph labels are escaped for
DOT (``graphviz.escape``) and dot itself escapes text into the SVG, so markup in activity names
stays text.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import tempfile
import textwrap
from functools import lru_cache
from pathlib import Path

import graphviz
from procmine.errors import UsageProblem
from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape

from procmine.report import format_de
from procmine.report.labels_de import label
from procmine.report.model import BpmnModel, Cell, ComparisonReport, LineChart, OfficeReport, ProcessMap

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
WRAP = 30  # characters per line in graph node labels
FONT = "Helvetica"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The one Jinja environment: package templates, autoescape on, German filters, ``t`` for labels."""
    env = Environment(
        loader=PackageLoader("procmine.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    format_de.register_filters(env)
    env.globals["t"] = label
    env.globals["line_chart"] = line_chart_svg
    return env


# --- graphviz -----------------------------------------------------------------------------------


def _dot_label(*lines: str) -> str:
    """A DOT label from text lines: wrapped, escaped (backslashes, <...>), joined by DOT newlines."""
    parts: list[str] = []
    for line in lines:
        parts.extend(textwrap.wrap(str(line), WRAP, break_long_words=True) or [""])
    return graphviz.nohtml("\\n".join(str(graphviz.escape(p)) for p in parts))


def _dot_text(text: str) -> str:
    """Data-borne text for a DOT tooltip, never HTML: dot unescapes tooltips twice, so each backslash is
    quadrupled (else "\\N" would become the node id)."""
    return graphviz.nohtml(str(text).replace("\\", "\\" * 4))


def _cell_text(cell: Cell) -> str:
    """A count cell as text for a graph label."""
    if cell.kind == "suppressed":
        return f"< {cell.value}"
    if cell.value is None:
        return ""
    return format_de.fmt_int(cell.value)


def _svg(graph: graphviz.Digraph) -> Markup:
    """Run dot and return the bare <svg> element (no XML prolog/doctype), safe to inline."""
    svg = graph.pipe(format="svg", encoding="utf-8")
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)  # dot writes node names into comments
    return Markup(svg)


def process_map_svg(pm: ProcessMap) -> Markup:
    """The directly-follows graph as inline SVG: boxes with counts, arrows with count and median wait."""
    g = graphviz.Digraph(
        graph_attr={"rankdir": "TB", "fontname": FONT, "bgcolor": "transparent", "nodesep": "0.3", "ranksep": "0.4"},
        node_attr={"shape": "box", "style": "rounded,filled", "fillcolor": "#e8f0fa", "color": "#3a6ea5",
                   "fontname": FONT, "fontsize": "11"},
        edge_attr={"fontname": FONT, "fontsize": "9", "color": "#5b6b7b", "fontcolor": "#333333"},
    )
    for n in pm.nodes:
        if n.kind == "start":
            g.node(n.id, _dot_label(n.label), shape="circle", fillcolor="#d9f0d9", color="#2e7d32", fontsize="9")
        elif n.kind == "end":
            g.node(n.id, _dot_label(n.label), shape="doublecircle", fillcolor="#f6dada", color="#b71c1c", fontsize="9")
        elif n.export_label:  # catalogue label shown; the export's own label as tooltip (<title> in the SVG)
            g.node(n.id, _dot_label(n.label, f"{_cell_text(n.count)}×"), tooltip=_dot_text(n.export_label))
        else:
            g.node(n.id, _dot_label(n.label, f"{_cell_text(n.count)}×"))
    for e in pm.edges:
        parts = [f"{_cell_text(e.count)}×"]
        if e.median_wait_s is not None:  # overlapping steps count as no wait (as the KPI definitions say)
            parts.append(format_de.fmt_duration(max(0.0, e.median_wait_s)))
        g.edge(e.source, e.target, label=_dot_label(" · ".join(parts)), penwidth=f"{1.0 + 3.0 * e.weight:.2f}")
    return _svg(g)


def bpmn_svg(model: BpmnModel) -> Markup:
    """A BPMN model as inline SVG: tasks, start/end events, gateways (× exclusive, + parallel, ○ inclusive)."""
    g = graphviz.Digraph(
        graph_attr={"rankdir": "TB", "fontname": FONT, "bgcolor": "transparent", "nodesep": "0.3", "ranksep": "0.35"},
        node_attr={"fontname": FONT, "fontsize": "11"},
        edge_attr={"color": "#5b6b7b", "arrowsize": "0.7"},
    )
    symbols = {"xor": "×", "and": "+", "or": "○"}
    for n in model.nodes:
        if n.kind == "task":
            g.node(n.id, _dot_label(n.label), shape="box", style="rounded,filled", fillcolor="#fff8e1", color="#b8860b")
        elif n.kind == "start":
            g.node(n.id, "", shape="circle", width="0.3", style="filled", fillcolor="#d9f0d9", color="#2e7d32")
        elif n.kind == "end":
            g.node(n.id, "", shape="circle", width="0.3", penwidth="3", style="filled", fillcolor="#f6dada", color="#b71c1c")
        elif n.kind in symbols:
            g.node(n.id, symbols[n.kind], shape="diamond", width="0.4", height="0.4", fixedsize="true",
                   style="filled", fillcolor="#ffffff", fontsize="14")
        else:
            g.node(n.id, "", shape="point")
    for src, dst in model.flows:
        g.edge(src, dst)
    return _svg(g)


# --- line charts (plain SVG) --------------------------------------------------------------------


def _nice_step(x: float) -> float:
    """A round step (1, 2, 5 × 10^n) at or above ``x`` (axis ticks)."""
    if x <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * mag >= x:
            return m * mag
    return 10 * mag


def line_chart_svg(chart: LineChart, width: int = 960, height: int = 280) -> Markup:
    """A line chart as inline SVG (no script, no external files); every text is escaped."""
    left, right, top, bottom = 56, 40, 34, 40
    pw, ph = width - left - right, height - top - bottom
    n = len(chart.x_labels)
    values = [v for s in chart.series for v in s.values if v is not None]
    top_value = max(values) if values else 1.0
    step = _nice_step(top_value / 5)
    ticks_y = max(1, math.ceil(top_value / step))
    ymax = ticks_y * step

    def x(i: int) -> float:
        return left + (pw * i / (n - 1) if n > 1 else pw / 2)

    def y(v: float) -> float:
        return top + ph - ph * v / ymax

    first, last = (chart.x_labels[0], chart.x_labels[-1]) if n else ("", "")
    aria = label("chart.aria", title=chart.title, first=first, last=last)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="line-chart" id="{escape(chart.key)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(aria)}">',
        f"<title>{escape(chart.title)}</title>",
    ]
    for j in range(ticks_y + 1):
        v = step * j
        yy = y(v)
        out.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{left + pw}" y2="{yy:.1f}" stroke="#d9e2ec" stroke-width="1"/>')
        out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" font-size="11" fill="#52606d">'
                   f"{escape(format_de.fmt_number(v, 0 if step >= 1 else 1))}</text>")
    ticks = sorted({round(i * (n - 1) / 5) for i in range(6)}) if n > 1 else list(range(n))
    for i in ticks:
        out.append(f'<line x1="{x(i):.1f}" y1="{top + ph}" x2="{x(i):.1f}" y2="{top + ph + 4}" stroke="#52606d"/>')
        out.append(f'<text x="{x(i):.1f}" y="{top + ph + 18}" text-anchor="middle" font-size="11" fill="#52606d">'
                   f"{escape(chart.x_labels[i])}</text>")
    for s in chart.series:
        segment: list[str] = []
        for i, v in enumerate([*s.values, None]):
            if v is not None:
                segment.append(f"{x(i):.1f},{y(v):.1f}")
            elif segment:
                out.append(f'<polyline fill="none" stroke="{escape(s.color)}" stroke-width="2" points="{" ".join(segment)}"/>')
                segment = []
    lx = left
    for s in chart.series:
        out.append(f'<rect x="{lx}" y="10" width="14" height="4" fill="{escape(s.color)}"/>')
        out.append(f'<text x="{lx + 20}" y="16" font-size="12" fill="#1f2933">{escape(s.name)}</text>')
        lx += 28 + 7 * len(s.name)
    out.append("</svg>")
    return Markup("".join(out))


# --- HTML ---------------------------------------------------------------------------------------


def render_office_html(report: OfficeReport) -> str:
    """The self-contained ``bericht.html`` of one office."""
    env = environment()
    return env.get_template("bericht.html").render(
        r=report,
        map_svg=process_map_svg(report.process_map) if report.process_map else None,
        model_svg=bpmn_svg(report.process_model) if report.process_model else None,
    )


def render_comparison_html(report: ComparisonReport, network: object = None) -> str:
    """The self-contained ``vergleich.html`` of the network (``network``: ``report.network.NetworkReport``)."""
    return environment().get_template("vergleich.html").render(r=report, net=network)


# --- browser: PDF -------------------------------------------------------------------------------


def find_chromium() -> str | None:
    """Path of a headless-capable Chromium, or None."""
    env_path = os.environ.get("PROCMINE_CHROMIUM")
    for cand in ((env_path,) if env_path else ()) + CHROMIUM_CANDIDATES:
        path = shutil.which(cand) if not os.path.isabs(cand) else (cand if os.path.exists(cand) else None)
        if path:
            return path
    return None


def chromium_command(chromium: str, user_data_dir: str | Path, *args: str) -> list[str]:
    """The headless Chromium command line with the house flags."""
    return [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={user_data_dir}", *args]


def render_pdf(html_path: str | Path, pdf_path: str | Path, timeout: float = 120.0) -> Path:
    """Print an HTML report to PDF with headless Chromium (the print stylesheet applies)."""
    chromium = find_chromium()
    if chromium is None:
        raise UsageProblem(label("error.no_chromium"))
    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path).resolve()
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="procmine-chromium-") as profile:
        cmd = chromium_command(
            chromium, profile, f"--print-to-pdf={pdf_path}", "--no-pdf-header-footer", html_path.as_uri()
        )
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)
    if not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise RuntimeError(label("error.no_pdf", path=pdf_path))
    return pdf_path
