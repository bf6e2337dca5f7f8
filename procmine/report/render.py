"""Render the report model to self-contained HTML (Jinja, autoescape on), SVG figures and PDF.

One Jinja Environment on a PackageLoader with the ``format_de`` filters; the CSS and the graphviz SVGs
are inlined so a report is one file with no external CSS, JS or fonts. Graph labels are escaped for
DOT (``graphviz.escape``) and dot itself escapes text into the SVG, so markup in activity names
stays text.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import textwrap
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import graphviz
from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape

from procmine.errors import UsageProblem
from procmine.labels_de.report import label
from procmine.report import format_de, palette
from procmine.report.charts import chart_svg
from procmine.report.mapview import WAIT_BANDS_DAYS
from procmine.report.model import (
    BpmnModel,
    Cell,
    ComparisonReport,
    OfficeReport,
    ProcessMap,
)

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
    env.globals["chart_svg"] = chart_svg
    env.globals["map_legend"] = map_legend
    return env


# --- graphviz -----------------------------------------------------------------------------------


def _dot_label(*lines: str, wrap: int = WRAP) -> str:
    """A DOT label from text lines: wrapped, escaped (backslashes, <...>), joined by DOT newlines."""
    parts: list[str] = []
    for line in lines:
        parts.extend(textwrap.wrap(str(line), wrap, break_long_words=True) or [""])
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


def _svg(graph: graphviz.Digraph, title: str) -> Markup:
    """Run dot and return the bare <svg> element (no XML prolog/doctype), safe to inline, with ``role="img"``,
    an aria-label and a ``<title>`` naming the picture (dot's own graph title "%3" is dropped)."""
    svg = graph.pipe(format="svg", encoding="utf-8")
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)  # dot writes node names into comments
    svg = re.sub(r"(<g id=\"graph0\"[^>]*>)\s*<title>[^<]*</title>", r"\1", svg, count=1)
    end = svg.find(">")
    head = f'{svg[:end]} role="img" aria-label="{escape(title)}" class="graph-svg">'
    return Markup(head + f"<title>{escape(title)}</title>" + svg[end + 1:])


# arrow colours per waiting-time band (mapview.WAIT_BANDS_DAYS): one hue, light to dark (palette.WAIT), safe for
# colour-blind readers and in grey print; the label of each arrow also says the wait in words
WAIT_COLOURS = palette.WAIT
NO_WAIT_COLOUR = palette.WAIT_UNKNOWN
MAP_NODE_PT = "12"
MAP_EDGE_PT = "11"
MAP_WRAP = 44  # characters on one line of a map box (wide and low boxes: the map prints larger on A4)


def wait_colour(band: int) -> str:
    """The arrow colour of a waiting-time band (-1 = no wait known: grey)."""
    return WAIT_COLOURS[band] if 0 <= band < len(WAIT_COLOURS) else NO_WAIT_COLOUR


def map_legend() -> list[tuple[str, str]]:
    """(colour, German band name) for the legend under the process map."""
    names = [label("map.band.0", high=format_de.fmt_int(WAIT_BANDS_DAYS[0]))]
    names += [label("map.band.mid", low=format_de.fmt_int(lo), high=format_de.fmt_int(hi))
              for lo, hi in pairwise(WAIT_BANDS_DAYS)]
    names.append(label("map.band.last", low=format_de.fmt_int(WAIT_BANDS_DAYS[-1])))
    return [*zip(WAIT_COLOURS, names), (NO_WAIT_COLOUR, label("map.band.none"))]


def _map_label(name: str, count: str) -> str:
    """A box label: the step (its own lines kept, e.g. a merged run) and its count, on the last line where they fit
    (a short map prints larger on A4)."""
    lines = str(name).split("\n")
    last = f"{lines[-1]} · {count}"
    if len(last) <= MAP_WRAP:
        return _dot_label(*lines[:-1], last, wrap=MAP_WRAP)
    return _dot_label(*lines, count, wrap=MAP_WRAP)


def process_map_svg(pm: ProcessMap) -> Markup:
    """The process map as inline SVG: the main path first and straight (thick), boxes with counts, arrows
    coloured by their median waiting time and labelled with count and wait."""
    g = graphviz.Digraph(
        graph_attr={"rankdir": "TB", "fontname": FONT, "bgcolor": "transparent", "nodesep": "0.12", "ranksep": "0.12",
                    "outputorder": "edgesfirst"},
        node_attr={"shape": "box", "style": "rounded,filled", "fillcolor": palette.BOX_FILL, "color": palette.BOX_LINE,
                   "fontname": FONT, "fontsize": MAP_NODE_PT, "margin": "0.12,0.05", "height": "0.3"},
        edge_attr={"fontname": FONT, "fontsize": MAP_EDGE_PT, "fontcolor": palette.INK, "arrowsize": "0.7"},
    )
    for n in pm.nodes:
        if n.id in ("to_part", "from_part"):  # where a map cut in two continues
            g.node(n.id, _dot_label(n.label), shape="box", style="rounded,dashed", color=palette.MUTED, fontsize=MAP_EDGE_PT)
        elif n.kind == "start":
            g.node(n.id, _dot_label(n.label), shape="ellipse", fillcolor=palette.START_FILL, color=palette.START_LINE, fontsize=MAP_EDGE_PT, margin="0.08,0.03")
        elif n.kind == "end":
            g.node(n.id, _dot_label(n.label), shape="ellipse", peripheries="2", fillcolor=palette.END_FILL, color=palette.END_LINE, fontsize=MAP_EDGE_PT, margin="0.08,0.03")
        else:
            g.node(n.id, _map_label(n.label, f"{_cell_text(n.count)}×"), penwidth="1")
    for e in pm.edges:
        parts = [f"{_cell_text(e.count)}×"]
        if e.median_wait_s is not None:  # overlapping steps count as no wait (as the KPI definitions say)
            parts.append(format_de.fmt_duration(max(0.0, e.median_wait_s)))
        width = 3.2 if e.main else 0.8 + 1.6 * e.weight
        # an en space first: the label keeps clear of its arrow where the reader's font is wider than dot's
        g.edge(e.source, e.target, label=_dot_label("\u2002" + " · ".join(parts)), penwidth=f"{width:.2f}",
               color=wait_colour(e.wait_band), weight="12" if e.main else "1",
               style="solid" if e.main or e.weight >= 0.05 else "dashed")
    return _svg(g, pm.title or label("section.process_map"))


def bpmn_svg(model: BpmnModel) -> Markup:
    """A BPMN model as inline SVG: tasks, start/end events, gateways (× exclusive, + parallel, ○ inclusive)."""
    g = graphviz.Digraph(
        graph_attr={"rankdir": "TB", "fontname": FONT, "bgcolor": "transparent", "nodesep": "0.3", "ranksep": "0.35"},
        node_attr={"fontname": FONT, "fontsize": "11"},
        edge_attr={"color": palette.EDGE, "arrowsize": "0.7"},
    )
    symbols = {"xor": "×", "and": "+", "or": "○"}
    for n in model.nodes:
        if n.kind == "task":
            g.node(n.id, _dot_label(n.label), shape="box", style="rounded,filled", fillcolor=palette.TASK_FILL, color=palette.TASK_LINE)
        elif n.kind == "start":
            g.node(n.id, "", shape="circle", width="0.3", style="filled", fillcolor=palette.START_FILL, color=palette.START_LINE)
        elif n.kind == "end":
            g.node(n.id, "", shape="circle", width="0.3", penwidth="3", style="filled", fillcolor=palette.STOP_FILL, color=palette.STOP_LINE)
        elif n.kind in symbols:
            g.node(n.id, symbols[n.kind], shape="diamond", width="0.4", height="0.4", fixedsize="true",
                   style="filled", fillcolor=palette.WHITE, color=palette.BLACK, fontsize="14")
        else:
            g.node(n.id, "", shape="point")
    for src, dst in model.flows:
        g.edge(src, dst)
    return _svg(g, label("model.caption"))


# --- HTML ---------------------------------------------------------------------------------------


def render_office_html(report: OfficeReport) -> str:
    """The self-contained ``bericht.html`` of one office."""
    env = environment()
    return env.get_template("bericht.html").render(
        r=report,
        map_svgs=[(m, process_map_svg(m)) for m in report.map_levels],
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
