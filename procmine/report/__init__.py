"""German reports: per-office ``bericht.html``, the network's ``vergleich.html`` and ``results.json``."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from procmine.analyse.model import OfficeAnalysis
from procmine.compare import Comparison
from procmine.quality import QualityReport

__all__ = ["ReportPaths", "render_pdf", "results_document", "write_reports"]


@dataclass(frozen=True)
class ReportPaths:
    """Where ``write_reports`` put its files."""

    office_reports: dict[str, Path]  # office -> bericht.html
    comparison: Path  # vergleich.html
    results_json: Path
    pdfs: dict[str, Path] = field(default_factory=dict)  # office (or "vergleich") -> PDF


def render_pdf(html_path: str | Path, pdf_path: str | Path) -> Path:
    """Print an HTML report to PDF with headless Chromium (see ``report.render.render_pdf``)."""
    from procmine.report.render import render_pdf as _render_pdf

    return _render_pdf(html_path, pdf_path)


def _pdf(html: Path, pdfs: dict[str, Path], key: str, progress: Callable[[str], None] | None) -> None:
    """Print one report to PDF beside it; without Chromium, or when printing fails, say so and go on (the HTML stands)."""
    from procmine.errors import UsageProblem
    from procmine.labels_de.report import label

    try:
        pdfs[key] = render_pdf(html, html.with_suffix(".pdf"))
    except (UsageProblem, OSError, RuntimeError, subprocess.SubprocessError) as exc:
        if progress:
            progress(label("progress.no_pdf", path=html.name, reason=str(exc)))


def results_document(
    analyses: list[OfficeAnalysis],
    comparison: Comparison,
    qualities: dict[str, QualityReport],
    now: datetime | None = None,
    failed: list[dict] | None = None,
) -> dict:
    """The results.json content as a dict (schema in docs/results.md); ``failed``: exports a run could not use."""
    from procmine.privacy import privacy_results
    from procmine.report.build import build_results

    return privacy_results(build_results(analyses, comparison, qualities, now=now, failed=failed), qualities)


def write_reports(
    analyses: list[OfficeAnalysis],
    comparison: Comparison,
    qualities: dict[str, QualityReport],
    out_dir: Path,
    progress: Callable[[str], None] | None = None,
    pdf: bool = False,
    now: datetime | None = None,
    failed: list[dict] | None = None,
) -> ReportPaths:
    """Write ``out_dir/<office>/bericht.html``, ``out_dir/vergleich.html``, ``out_dir/results.json`` (+ PDFs)."""
    from procmine.labels_de.report import label
    from procmine.report.build import (
        build_comparison_report,
        build_office_report,
        now_berlin,
        safe_dirname,
    )
    from procmine.report.render import render_comparison_html, render_office_html

    now = now or now_berlin()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    offices: dict[str, Path] = {}
    pdfs: dict[str, Path] = {}
    for a in analyses:
        if progress:
            progress(label("progress.office", office=a.office))
        report = build_office_report(a, qualities.get(a.office), comparison, now=now, network=analyses)
        path = out_dir / safe_dirname(a.office) / "bericht.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_office_html(report), encoding="utf-8")
        offices[a.office] = path
        if pdf:
            _pdf(path, pdfs, a.office, progress)
    if progress:
        progress(label("progress.comparison"))
    comp_path = out_dir / "vergleich.html"
    network = None
    if comparison.network is not None and len(comparison.offices) > 1:  # fair comparison, topics, trends, measures
        from procmine.report.network import build_network_report

        network = build_network_report(comparison.network)
    comp_path.write_text(render_comparison_html(build_comparison_report(comparison, analyses, now=now, failed=failed), network), encoding="utf-8")
    if pdf:
        _pdf(comp_path, pdfs, "vergleich", progress)
    results_path = out_dir / "results.json"
    results = results_document(analyses, comparison, qualities, now=now, failed=failed)
    results_path.write_text(json.dumps(results, ensure_ascii=False, indent=2, allow_nan=False), encoding="utf-8")
    return ReportPaths(office_reports=offices, comparison=comp_path, results_json=results_path, pdfs=pdfs)
