"""Open the rendered reports in a real browser (Debian's headless Chromium, driven through its command line):
offline, no console errors, no external requests, nothing wider than the page at 1024 px or on A4, screenshots
saved; print to PDF and read the text back with pypdf (headings there, every table's last column there)."""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from report_fixtures import english_network

from procmine.compare import compare_offices
from procmine.labels_de.report import label
from procmine.report import build, render_pdf, write_reports
from procmine.report.model import ProcessMap
from procmine.report.render import chromium_command, find_chromium

from conftest import NOW, network

pytestmark = pytest.mark.browser
CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (/usr/bin/chromium)")
A4_CONTENT_PX = 700  # 186 mm (A4 minus the print margins) at 96 px per inch = 703 px

# injected into a copy of a report (the reports themselves carry no script): every laid-out element that
# reaches past the page's right edge, and the page's own scroll width, written into the DOM for --dump-dom
MEASURE = """<script>
(function () {
  var W = document.documentElement.clientWidth, wide = [];
  document.querySelectorAll("body *").forEach(function (el) {
    if (el.closest("details:not([open]) > :not(summary)")) return;
    var r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > W + 1) wide.push(el.tagName + "." + el.className.baseVal + el.className + " " + Math.round(r.right));
  });
  document.body.setAttribute("data-wide", JSON.stringify(wide.slice(0, 20)));
  document.body.setAttribute("data-width", String(W));
})();
</script>"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    analyses, qualities = network()
    out = tmp_path_factory.mktemp("reports")
    with pytest.MonkeyPatch.context() as mp:  # the appendix table shows only when KPI definitions exist
        mp.setattr(build, "load_kpi_definitions", lambda: [("cases", "Vorgänge", "Anzahl der Vorgänge.", "cases")])
        paths = write_reports(analyses, compare_offices(analyses), qualities, out, now=NOW)
    return paths, tmp_path_factory.mktemp("chrome")


@pytest.fixture(scope="module")
def real_report(tmp_path_factory):
    """An office report from the real analysis of an event log (charts, map levels, finding pages)."""
    analyses = english_network()
    out = tmp_path_factory.mktemp("real")
    paths = write_reports(analyses, compare_offices(analyses), {}, out, now=NOW)
    return paths.office_reports[analyses[0].office], tmp_path_factory.mktemp("chrome-real")


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    # offline: every host name resolves to nothing, so any request to the outside would fail and be logged
    return subprocess.run(
        chromium_command(CHROMIUM, profile, "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0", *args),
        capture_output=True, text=True, timeout=180, check=False,
    )


def _measured(html: Path, profile: Path, width: int, print_css: bool = False) -> tuple[list[str], str]:
    """Elements wider than the page at ``width`` px (with the print stylesheet applied when ``print_css``),
    and Chromium's log."""
    text = html.read_text(encoding="utf-8")
    if print_css:  # lay the screen out as the printer would: A4 content width, print rules on
        text = text.replace("@media print {", "@media all {")
    probe = html.with_name(f"probe-{width}-{int(print_css)}.html")
    probe.write_text(text.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    proc = _chromium(profile, f"--window-size={width},900", "--dump-dom", probe.as_uri())
    found = re.search(r'data-wide="([^"]*)"', proc.stdout)
    assert found, proc.stderr[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"')), proc.stderr


def _console_errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if "CONSOLE" in line or "ERR_NAME_NOT_RESOLVED" in line]


def _no_external_references(html: str) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "external reference"
    assert "@import" not in html and "url(http" not in html and "<link" not in html


@needs_chromium
def test_office_report_dom_and_screenshot(reports):
    paths, profile = reports
    html = paths.office_reports["ABH-A"]
    proc = _chromium(profile, "--dump-dom", html.as_uri())
    dom = proc.stdout
    for key in ("section.summary", "section.process_map", "section.process_model", "section.bottlenecks",
                "section.variants", "section.cycle_times", "section.data_quality", "section.methodik"):
        assert f">{label(key)}</h2>" in dom, key
    assert "<script>alert(1)</script>" not in dom  # the DOM holds the name as text, not as an element
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert not _console_errors(proc.stderr)
    _no_external_references(html.read_text(encoding="utf-8"))
    png = html.parent / "bericht.png"
    _chromium(profile, f"--screenshot={png}", "--window-size=1280,4000", html.as_uri())
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


@needs_chromium
@pytest.mark.parametrize("width", [1024, 1280])
def test_real_report_fits_the_screen_without_errors(real_report, width):
    html, profile = real_report
    _assert_fits_offline_and_screenshot(html, profile, width, height=3000)


def _assert_fits_offline_and_screenshot(html: Path, profile: Path, width: int, height: int) -> None:
    """At ``width`` px: nothing wider than the page, no console error, no external reference; a screenshot beside
    the page (``<name>-<width>.png``)."""
    wide, log = _measured(html, profile, width)
    assert wide == [], wide
    assert not _console_errors(log), _console_errors(log)
    _no_external_references(html.read_text(encoding="utf-8"))
    png = html.with_name(f"{html.stem}-{width}.png")
    _chromium(profile, f"--screenshot={png}", f"--window-size={width},{height}", html.as_uri())
    assert png.stat().st_size > 20_000


@needs_chromium
def test_real_report_fits_a4_with_the_print_stylesheet(real_report):
    html, profile = real_report
    wide, _ = _measured(html, profile, A4_CONTENT_PX, print_css=True)
    assert wide == [], wide  # tables reflow, charts and the map scale: nothing is cut at the page edge


@needs_chromium
def test_pdf_has_the_headings_and_whole_tables(real_report):
    pypdf = pytest.importorskip("pypdf")
    html, _ = real_report
    pdf = render_pdf(html, html.with_suffix(".pdf"))
    reader = pypdf.PdfReader(str(pdf))
    assert len(reader.pages) >= 4 and all(p.mediabox.width == pytest.approx(595, abs=2) for p in reader.pages)  # A4
    text = _pdf_text(reader.pages)
    for key in ("section.summary", "section.process_map", "section.variants", "section.cycle_times",
                "section.data_quality", "section.methodik"):
        assert label(key) in text, key
    _assert_tables_whole(html, text)


@needs_chromium
def test_office_pdf_prints_no_unreadable_picture(real_report):
    """Nothing on the office's A4 pages prints below 6 pt (tables keep 7.5 pt and more; the BPMN model printed its
    labels at 1.3 pt): the model stays on screen, and the appendix says so on paper."""
    pypdf = pytest.importorskip("pypdf")
    html, _ = real_report
    page = html.read_text(encoding="utf-8")
    assert 'class="graph model"' in page  # the fixture has a model to hide
    # a model as tall as a real office's (the demo's printed at 1.3 pt): its labels must not reach the paper
    tall = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 9000" width="300pt" height="9000pt">'
            + "".join(f'<text x="10" y="{40 + 300 * i}" font-size="12">Modellschritt{i}</text>' for i in range(30)) + "</svg>")
    page = re.sub(r'(<figure class="graph model">)<svg.*?</svg>', lambda m: m.group(1) + tall, page, count=1, flags=re.S)
    probe = html.with_name("tall-model.html")
    probe.write_text(page, encoding="utf-8")
    pages = pypdf.PdfReader(str(render_pdf(probe, html.with_name("small-text.pdf")))).pages
    tiny = sorted((size, t) for p in pages for t, size in _text_runs(p) if size < 6.0)
    assert not tiny, tiny[:5]
    assert "Modellschritt" not in _pdf_text(list(pages))
    assert re.sub(r"\s+", " ", label("model.screen_only"))[:60] in _pdf_text(list(pages))


def _pdf_text(pages: list) -> str:
    """The PDF's text as one line: ligatures undone (ﬁ -> fi), words split by hyphenation joined again."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", " ".join(p.extract_text() for p in pages)))
    return text + " " + re.sub(r"(\w)[-\u00ad] ?(\w)", r"\1\2", text)  # narrow columns hyphenate: "Defini- tion"


def _assert_tables_whole(html: Path, text: str) -> None:
    """Every table's last column header is on paper (a cut table loses its right-hand columns)."""
    page = html.read_text(encoding="utf-8")
    body = page[page.index("<main>"):]
    body = re.sub(r"<details.*?</details>", "", body, flags=re.S)  # collapsed on paper
    last_headers = re.findall(r"<th[^>]*>([^<]+)(?:<br>[^<]*<span[^>]*>[^<]*</span>)?</th>\s*</tr></thead>", body)
    assert last_headers
    for header in last_headers:
        words = re.sub(r"\s+", " ", header.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")).split()
        assert words[-1] in text, header


@needs_chromium
def test_comparison_dom_and_screenshot(reports):
    paths, profile = reports
    dom = _chromium(profile, "--dump-dom", paths.comparison.as_uri()).stdout
    for key in ("section.kpi_table", "section.kpi_by_case_type", "section.top_findings"):
        assert f">{label(key)}</h2>" in dom, key
    assert 'class="num worst"' in dom and 'class="num best"' in dom
    png = paths.comparison.parent / "vergleich.png"
    _chromium(profile, f"--screenshot={png}", "--window-size=1280,4000", paths.comparison.as_uri())
    assert png.exists() and png.stat().st_size > 10_000


@needs_chromium
def test_print_to_pdf(reports):
    paths, _ = reports
    pdf = render_pdf(paths.office_reports["ABH-A"], paths.office_reports["ABH-A"].with_suffix(".pdf"))
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-"
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 2  # several A4 pages


def test_write_reports_goes_on_without_chromium(tmp_path, monkeypatch):
    """pdf=True on a machine without Chromium: the HTML reports are written, the PDF is skipped with a message."""
    import procmine.report.render as render

    monkeypatch.setattr(render, "find_chromium", lambda: None)
    analyses, qualities = network()
    messages: list[str] = []
    paths = write_reports([replace(analyses[0])], compare_offices(analyses[:1]), qualities, tmp_path, now=NOW,
                          pdf=True, progress=messages.append)
    assert paths.office_reports["ABH-A"].is_file() and paths.pdfs == {}
    assert any("PDF" in m and "Chromium" in m for m in messages)


def _tall_map(steps: int = 11) -> ProcessMap:
    """A simple map as tall as a long main path gets (ABH-03 of the demo): one straight run of two-line boxes."""
    from procmine.report.model import Cell, MapEdge, MapNode

    names = [f"Schritt {i}: Prüfung der nachgereichten Unterlagen und Rückfrage beim Antragsteller" for i in range(steps)]
    nodes = (MapNode("start", "Beginn", Cell(None, "missing"), "start"),
             *(MapNode(f"a{i}", n, Cell(1000 - i, "int")) for i, n in enumerate(names)),
             MapNode("end", "Ende", Cell(None, "missing"), "end"))
    ids = [n.id for n in nodes]
    edges = tuple(MapEdge(s, t, Cell(900, "int"), 86400.0 * 3, 1.0, True, 1) for s, t in zip(ids, ids[1:]))
    return ProcessMap(nodes, edges, len(edges), len(edges) + 5, 0.8, title="Prozesslandkarte, einfache Fassung",
                      shown_activities=steps, total_activities=steps + 4)


@needs_chromium
def test_pdf_keeps_the_map_heading_and_intro_with_the_map_and_says_the_larger_maps_are_on_screen(tmp_path):
    """Printed, the map's heading and intro stand on the page of the map (they stood alone on the page before it),
    and one line says that the medium and detailed maps are on screen only."""
    pypdf = pytest.importorskip("pypdf")
    from procmine.report.render import render_office_html

    analyses = english_network()
    r = build.build_office_report(analyses[0], None, None, now=NOW)
    tall = _tall_map()
    medium = replace(tall, level="medium", title="Prozesslandkarte, mittlere Fassung")
    r = replace(r, process_map=tall, map_levels=(tall, medium))
    html = tmp_path / "bericht.html"
    html.write_text(render_office_html(r), encoding="utf-8")
    pages = [re.sub(r"\s+", " ", p.extract_text()) for p in pypdf.PdfReader(str(render_pdf(html, tmp_path / "b.pdf"))).pages]
    heading = [i for i, p in enumerate(pages) if "Die Prozesslandkarte zeigt" in p]
    assert len(heading) == 1
    page = pages[heading[0]]
    assert "Beginn" in page and "Schritt 10" in page and "Ende" in page, page[:300]
    assert label("map.screen_only")[:60] in page
    dom = _chromium(tmp_path, "--dump-dom", html.as_uri()).stdout
    assert 'class="note print-only"' in dom  # on screen the line is hidden: the screen has the larger maps


# --- the network comparison page (vergleich.html) of a small synthetic network ---------------------

A4_LANDSCAPE_CONTENT_PX = 1030  # 273 mm (A4 landscape minus the print margins) at 96 px per inch


@pytest.fixture(scope="module")
def small_network_page(tmp_path_factory):
    """``vergleich.html`` of five synthetic offices (event and milestone exports) with the network sections
    (fair KPIs, case mix, topics, trends) and no measure given."""
    from procmine.analyse import analyse_network
    from procmine.report.network import build_network_report
    from procmine.report.render import render_comparison_html
    from procmine.synth import default_offices, simulate_network

    logs = simulate_network(cases_per_office=200, months=12, offices=default_offices()[:5]).logs
    analyses = analyse_network(logs)
    comparison = compare_offices(analyses, logs=logs)
    out = tmp_path_factory.mktemp("network")
    html = out / "vergleich.html"
    network_report = build_network_report(comparison.network)
    html.write_text(render_comparison_html(build.build_comparison_report(comparison, analyses, now=NOW), network_report),
                    encoding="utf-8")
    return html, network_report, [a.office for a in analyses], tmp_path_factory.mktemp("chrome-network")


@needs_chromium
def test_comparison_page_fits_1024_px_offline_without_errors(small_network_page):
    html, _, _, profile = small_network_page
    wide, log = _measured(html, profile, 1024)
    assert wide == [], wide  # no KPI table, fragment or chart reaches past the page at 1024 px
    assert not _console_errors(log), _console_errors(log)
    _no_external_references(html.read_text(encoding="utf-8"))
    # the probe sees a table that is too wide: the same page with the summary table forced to 1400 px
    control = html.with_name("control.html")
    control.write_text(html.read_text(encoding="utf-8").replace('<table class="summary', '<table style="min-width:1400px" class="summary', 1),
                       encoding="utf-8")
    assert any(w.startswith("TABLE") for w in _measured(control, profile, 1024)[0])
    png = html.with_name("vergleich-1024.png")
    _chromium(profile, f"--screenshot={png}", "--window-size=1024,3000", html.as_uri())
    assert png.stat().st_size > 20_000


@needs_chromium
def test_comparison_page_fits_landscape_a4_with_the_print_stylesheet(small_network_page):
    html, _, _, profile = small_network_page
    wide, _ = _measured(html, profile, A4_LANDSCAPE_CONTENT_PX, print_css=True)
    assert wide == [], wide


def _lowest_text(page) -> float:
    """How far down the page its text reaches, as a share of the page height (0 = top, 1 = bottom)."""
    ys: list[float] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            ys.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])

    page.extract_text(visitor_text=visit)
    height = float(page.mediabox.height)
    return (height - min(ys)) / height if ys else 0.0


@needs_chromium
def test_comparison_pdf_has_no_empty_pages_and_whole_tables(small_network_page):
    """Printed: landscape A4; no page that is blank or holds only a heading and a line (the empty measures page,
    one small table before a forced break); without measures no measures section, but the line saying how to
    give one; each table with its last column; the offices' main findings on one page with their heading."""
    pypdf = pytest.importorskip("pypdf")
    from procmine.labels_de.network import REPORT_LABELS

    html, net, offices, _ = small_network_page
    pages = pypdf.PdfReader(str(render_pdf(html, html.with_suffix(".pdf")))).pages
    assert len(pages) >= 6 and all(p.mediabox.width == pytest.approx(842, abs=2) for p in pages)  # A4 landscape
    texts = [_pdf_text([p]) for p in pages]
    for i, (page, text) in enumerate(zip(pages[:-1], texts)):  # the last page may end early
        assert len(text) > 300 and _lowest_text(page) > 0.35, (i + 1, text[:200])
    text = _pdf_text(list(pages))
    for key in ("section.fair", "section.case_mix", "section.topics", "section.trends"):
        assert net.text[key] in text, key
    assert not net.measures and REPORT_LABELS["intro.measures"][:50] not in text  # no measures section
    assert net.text["measures.none"][:60] in text
    _assert_tables_whole(html, text)
    findings = [t for t in texts if label("section.top_findings") in t]
    assert len(findings) == 1 and all(o in findings[0] for o in offices)


# --- the process comparison page (unterschied.html, procmine diff --html) ---------------------------

MIN_PRINT_PT = 9.0  # no map label smaller on A4 (issue 15)


@pytest.fixture(scope="module")
def diff_page(tmp_path_factory):
    """``unterschied.html`` of two synthetic offices (an event export and one with other steps), as ``procmine
    diff --html`` writes it."""
    from procmine.compare.diff import diff_logs
    from procmine.report.network import render_diff_html
    from procmine.synth import default_offices, simulate_network

    logs = simulate_network(cases_per_office=300, months=12, offices=default_offices()[:3]).logs
    a, b = sorted(logs)[0], sorted(logs)[2]
    out = tmp_path_factory.mktemp("diff")
    html = out / "unterschied.html"
    html.write_text(render_diff_html(diff_logs(logs[a], logs[b], a, b)), encoding="utf-8")
    return html, (a, b), tmp_path_factory.mktemp("chrome-diff")


def _picture_lines(page: str, marker: str = "graph-svg") -> list[set[str]]:
    """The lines of text of each inline SVG of a page whose opening tag holds ``marker`` (dot maps: "graph-svg",
    matplotlib charts: 'class="chart"'), one set per picture, Unicode-normalised as pypdf reads them."""
    import html as html_lib

    svgs = [m for m in re.findall(r"<svg[^>]*>.*?</svg>", page, flags=re.S) if marker in m[:m.index(">")]]
    return [{unicodedata.normalize("NFKC", html_lib.unescape(t)).strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", s)} - {""}
            for s in svgs]


def _text_elsewhere(page: str) -> set[str]:
    """Every piece of text of a page outside its pictures (a step name or a share stands in a table too)."""
    import html as html_lib

    body = re.sub(r"<svg.*?</svg>", "", page, flags=re.S)
    return {unicodedata.normalize("NFKC", html_lib.unescape(t)).strip() for t in re.findall(r">([^<]+)<", body)}


def _text_runs(page) -> list[tuple[str, float]]:
    """(text, printed size in pt) of each text run of a PDF page: the font size times the scale of the text and
    current transformation matrices (an SVG scaled down to fit the page prints its labels smaller)."""
    runs: list[tuple[str, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            a, b = tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3]
            c, d = tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
            runs.append((unicodedata.normalize("NFKC", text.strip()), float(size) * abs(a * d - b * c) ** 0.5))

    page.extract_text(visitor_text=visit)
    return runs


@needs_chromium
@pytest.mark.parametrize("width", [1024, 1280])
def test_diff_page_fits_the_screen_offline_without_errors(diff_page, width):
    html, _, profile = diff_page
    _assert_fits_offline_and_screenshot(html, profile, width, height=2400)


@needs_chromium
def test_diff_page_fits_landscape_a4_with_the_print_stylesheet(diff_page):
    html, _, profile = diff_page
    wide, _ = _measured(html, profile, A4_LANDSCAPE_CONTENT_PX, print_css=True)
    assert wide == [], wide


@needs_chromium
def test_diff_pdf_has_the_headings_whole_maps_and_labels_of_9_pt(diff_page):
    """Printed on A4 landscape: the headings; each map whole on one page (every label of it on that page); every
    map label at 9 pt or more, measured in the PDF; the two maps on page 1 under the intro; the tables whole."""
    pypdf = pytest.importorskip("pypdf")
    from procmine.labels_de.network import REPORT_LABELS

    html, (a, b), _ = diff_page
    pages = pypdf.PdfReader(str(render_pdf(html, html.with_suffix(".pdf")))).pages
    assert all(p.mediabox.width == pytest.approx(842, abs=2) for p in pages)  # A4 landscape
    text = _pdf_text(list(pages))
    for heading in (REPORT_LABELS["diff.map_a"].format(name=a), REPORT_LABELS["diff.map_a"].format(name=b),
                    REPORT_LABELS["diff.map_diff"], REPORT_LABELS["diff.edges"], REPORT_LABELS["diff.variant"]):
        assert heading in text, heading
    _assert_tables_whole(html, text)
    page = html.read_text(encoding="utf-8")
    maps = _picture_lines(page)
    assert len(maps) == 3 and all(len(m) >= 6 for m in maps)
    elsewhere = _text_elsewhere(page)
    runs = [_text_runs(p) for p in pages]
    on_page = []
    for labels in maps:
        own = {t for t in labels - elsewhere if re.search(r"\d", t)}  # arrow labels (the smallest text of a map)
        pages_with = [i for i, page_runs in enumerate(runs) if own & {t for t, _ in page_runs}]
        assert len(own) >= 3 and len(pages_with) == 1, pages_with  # one page: the map is not cut in two
        printed = {t: s for t, s in runs[pages_with[0]] if t in own}
        assert labels <= {t for t, _ in runs[pages_with[0]]}, labels - {t for t, _ in runs[pages_with[0]]}  # whole
        assert min(printed.values()) >= MIN_PRINT_PT, sorted(printed.items(), key=lambda x: x[1])[:3]
        on_page.append(pages_with[0])
    assert on_page[0] == on_page[1] == 0 and on_page[2] == 1  # both maps under the intro, the difference map next


@needs_chromium
def test_comparison_pdf_prints_chart_text_at_9_pt(small_network_page):
    """Printed on A4 landscape, the interval plots beside their tables and the trend charts keep their ticks, office
    names and legends at 9 pt or more (the interval plots printed at 7 pt, shrunk into their column)."""
    pypdf = pytest.importorskip("pypdf")

    html, _, _, _ = small_network_page
    page = html.read_text(encoding="utf-8")
    charts = _picture_lines(page, 'class="chart"')
    own = set().union(*charts) - _text_elsewhere(page)
    assert len(charts) >= 5 and len(own) >= 10
    pdf = pypdf.PdfReader(str(render_pdf(html, html.with_name("charts.pdf"))))
    printed = [(t, size) for p in pdf.pages for t, size in _text_runs(p) if t in own]
    assert {t for t, _ in printed} >= own - {"−"}  # every chart's text is on paper (a minus sign may be drawn)
    small = sorted((size, t) for t, size in printed if size < MIN_PRINT_PT)
    assert not small, small[:5]
