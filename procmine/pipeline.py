"""The whole run: a folder of exports in, normalised logs, analysis and reports out.

Used by the CLI (``procmine run`` / ``procmine demo``) and by notebooks. Stages are called in
order and pass plain objects; nothing here computes a statistic of its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from procmine import schema
from procmine.errors import InputProblem
from procmine.quality import QualityReport, merge_quality, split_quality

EXPORT_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xls", ".xes", ".gz", ".parquet")
IGNORED_NAMES = {"truth.json", "readme.md", "readme.txt"}

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass
class RunResult:
    """What a run produced, with paths a user can open."""

    normalised_dir: Path
    report_dir: Path
    offices: list[str]
    qualities: dict[str, QualityReport]
    reports: dict[str, Path] = field(default_factory=dict)
    comparison: Path | None = None
    results_json: Path | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def find_exports(exports_dir: Path) -> list[Path]:
    """Export files in a folder (one office per file, or an office column), sorted by name."""
    if not exports_dir.is_dir():
        raise InputProblem(
            code="not_a_folder",
            file=str(exports_dir),
            found="kein Ordner",
            expected="ein Ordner mit Exportdateien (CSV, TXT, XLSX, XLS, XES, Parquet)",
            hint="Pfad prüfen; für eine einzelne Datei 'procmine ingest DATEI' verwenden.",
        )
    files = sorted(
        p
        for p in exports_dir.iterdir()
        if p.is_file()
        and p.name.lower() not in IGNORED_NAMES
        and not p.name.endswith(".profile.toml")
        and p.suffix.lower() in EXPORT_SUFFIXES
        and not p.name.startswith((".", "~$"))
    )
    if not files:
        raise InputProblem(
            code="no_exports",
            file=str(exports_dir),
            found="keine Exportdateien",
            expected="Dateien mit der Endung .csv, .txt, .xlsx, .xls, .xes, .xes.gz oder .parquet",
            hint="Exporte der Dienststellen in diesen Ordner legen.",
        )
    return files


def ingest_folder(
    exports_dir: Path, normalised_dir: Path, progress: Progress = _quiet
) -> tuple[dict[str, pd.DataFrame], dict[str, QualityReport]]:
    """Ingest every export of a folder; returns canonical logs and one quality report per office.

    A file holding several offices is split per office (``split_quality``); an office fed by several
    files gets the sum of its parts (``merge_quality``); each is saved as ``<office>.quality.json``.
    """
    files = find_exports(exports_dir)
    from procmine.normalise import ingest_file  # stage import kept local: the CLI starts fast

    logs: dict[str, pd.DataFrame] = {}
    qualities: dict[str, QualityReport] = {}
    for i, path in enumerate(files, 1):
        progress(f"[{i}/{len(files)}] Einlesen: {path.name}")
        result = ingest_file(path, normalised_dir)
        q = result.quality
        progress(
            f"      {q.rows_read} Zeilen gelesen = {q.rows_kept} übernommen + "
            f"{q.rows_quarantined} in Quarantäne; {q.events} Ereignisse"
        )
        for office, part in result.log.groupby(schema.OFFICE, observed=True, sort=False):
            office = str(office)
            logs[office] = part if office not in logs else pd.concat([logs[office], part])
        for office, part_q in split_quality(result).items():  # one report per office, merged across files
            qualities[office] = merge_quality(qualities[office], part_q) if office in qualities else part_q
    for report in qualities.values():
        save_quality(report, normalised_dir)
    return logs, qualities


def save_quality(quality: QualityReport, normalised_dir: Path) -> Path:
    """Write ``<office>.quality.json`` next to the normalised log (read back by ``load_qualities``)."""
    import json

    path = Path(normalised_dir) / f"{quality.office}.quality.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(quality.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def analyse_and_report(
    logs: dict[str, pd.DataFrame],
    qualities: dict[str, QualityReport],
    report_dir: Path,
    progress: Progress = _quiet,
    pdf: bool = False,
) -> RunResult:
    """Analyse the offices as one network, compare them and write the reports (``pdf``: also as PDF)."""
    from procmine.analyse import analyse_network
    from procmine.compare import compare_offices
    from procmine.report import write_reports

    seconds: dict[str, float] = {}
    t = time.perf_counter()
    progress(f"Analyse von {len(logs)} Dienststelle(n) …")
    analyses = analyse_network(logs)
    seconds["analyse"] = time.perf_counter() - t
    t = time.perf_counter()
    comparison = compare_offices(analyses)
    seconds["compare"] = time.perf_counter() - t
    t = time.perf_counter()
    progress("Berichte schreiben …")
    paths = write_reports(analyses, comparison, qualities, report_dir, pdf=pdf)
    seconds["report"] = time.perf_counter() - t
    return RunResult(
        normalised_dir=report_dir,
        report_dir=report_dir,
        offices=[a.office for a in analyses],
        qualities=qualities,
        reports=dict(paths.office_reports),
        comparison=paths.comparison,
        results_json=paths.results_json,
        seconds=seconds,
    )


def run(
    exports_dir: Path, out_dir: Path, normalised_dir: Path | None = None, progress: Progress = _quiet, pdf: bool = False
) -> RunResult:
    """Exports folder → canonical logs (Parquet) → analysis → reports in ``out_dir``."""
    normalised_dir = normalised_dir or out_dir / "normalised"
    t = time.perf_counter()
    logs, qualities = ingest_folder(Path(exports_dir), Path(normalised_dir), progress)
    ingest_s = time.perf_counter() - t
    result = analyse_and_report(logs, qualities, Path(out_dir), progress, pdf=pdf)
    result.normalised_dir = Path(normalised_dir)
    result.seconds = {"ingest": ingest_s, **result.seconds}
    return result


def load_normalised(normalised_dir: Path) -> dict[str, pd.DataFrame]:
    """Read every canonical log (``*.parquet``) of a folder, keyed by office."""
    logs: dict[str, pd.DataFrame] = {}
    files = sorted(Path(normalised_dir).glob("*.parquet"))
    if not files:
        raise InputProblem(
            code="no_logs",
            file=str(normalised_dir),
            found="keine .parquet-Dateien",
            expected="normalisierte Ereignisprotokolle aus 'procmine ingest'",
            hint="zuerst 'procmine ingest EXPORT --out ORDNER' ausführen.",
        )
    for path in files:
        log = schema.read_log(path)
        for office, part in log.groupby(schema.OFFICE, observed=True, sort=False):
            logs[str(office)] = part.reset_index(drop=True)
    return logs


def load_qualities(normalised_dir: Path) -> dict[str, QualityReport]:
    """Quality reports saved next to the normalised logs (``<office>.quality.json``), if any."""
    import json

    out: dict[str, QualityReport] = {}
    for path in sorted(Path(normalised_dir).glob("*.quality.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["files"] = tuple(data.get("files", ()))
        q = QualityReport(**data)
        out[q.office] = q
    return out
