"""Open the rendered reports in headless Chromium: screenshot, DOM with the German headings, PDF."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from procmine.compare import compare_offices
from procmine.report import build, render_pdf, write_reports
from procmine.report.labels_de import label
from procmine.report.render import chromium_command, find_chromium

from conftest import NOW, network

pytestmark = pytest.mark.browser
CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (/usr/bin/chromium)")


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    analyses, qualities = network()
    out = tmp_path_factory.mktemp("reports")
    with pytest.MonkeyPatch.context() as mp:  # the appendix shows only when KPI definitions exist
        mp.setattr(build, "load_kpi_definitions", lambda: [("cases", "Vorgänge", "Anzahl der Vorgänge.", "cases")])
        paths = write_reports(analyses, compare_offices(analyses), qualities, out, now=NOW)
    return paths, tmp_path_factory.mktemp("chrome")


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(chromium_command(CHROMIUM, profile, *args), capture_output=True, text=True, timeout=120)


@needs_chromium
def test_office_report_dom_and_screenshot(reports):
    paths, profile = reports
    html = paths.office_reports["ABH-A"]
    dom = _chromium(profile, "--dump-dom", html.as_uri()).stdout
    for key in ("section.summary", "section.process_map", "section.process_model", "section.bottlenecks",
                "section.variants", "section.cycle_times", "section.data_quality", "section.definitions"):
        assert f">{label(key)}</h2>" in dom, key
    assert "<script>alert(1)</script>" not in dom  # the DOM holds the name as text, not as an element
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    png = html.parent / "bericht.png"
    _chromium(profile, f"--screenshot={png}", "--window-size=1280,4000", html.as_uri())
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


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
