"""Command line: a thin typer layer over the library. Help and messages in German.

Exit codes: 0 ok · 1 a data problem the user can fix · 2 wrong call · 3 internal error (log path shown).
Results and output paths go to stdout, progress and messages to stderr.
"""

from __future__ import annotations

import functools
import inspect as pyinspect
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from datetime import date as date_cls
from pathlib import Path
from typing import Annotated, Any

import typer

from procmine.errors import ProcmineError, UsageProblem
from procmine.limits import Limits

app = typer.Typer(
    name="procmine",
    help=(
        "Prozessanalyse für Ausländerbehörden: Exporte einlesen, Wartezeiten, Schleifen und Rückstände "
        "finden, deutsche Berichte und einen Vergleich der Dienststellen schreiben."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_state = {"debug": False, "quiet": False, "t0": time.perf_counter()}

OutDir = Annotated[Path, typer.Option("--out", "-o", help="Zielordner.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Keine Fortschrittsmeldungen.")]
Encoding = Annotated[str | None, typer.Option("--encoding", help="Zeichenkodierung statt der erkannten, z. B. cp1252, utf-8, iso-8859-15, utf-16.")]
Delimiter = Annotated[str | None, typer.Option("--delimiter", help="Trennzeichen statt des erkannten: ';', ',', 'tab' oder '|'.")]
# PDFs of the reports are printed by default (headless Chromium); --no-pdf, or PROCMINE_PDF=0, leaves them out
PDF_DEFAULT = os.environ.get("PROCMINE_PDF", "1") != "0"
Pdf = Annotated[bool, typer.Option("--pdf/--no-pdf", help="Berichte auch als PDF drucken (Standard: ja, braucht Chromium; ohne Chromium wird das PDF übersprungen).")]
Measures = Annotated[list[str] | None, typer.Option("--measure", help="Maßnahme bewerten: DIENSTSTELLE:JJJJ-MM-TT[:A→B oder Kennzahl] oder eine TOML-Datei mit Maßnahmen-Tabellen „measure“ (mehrfach möglich).")]
NoPseudonymise = Annotated[bool, typer.Option(
    "--no-pseudonymise",
    help="Profile zulassen, die Vorgangs- oder Mitarbeiterkennungen im Klartext lassen (pseudonymise = []); "
    "der Bericht vermerkt das. Ohne diese Angabe werden solche Profile abgelehnt.")]

LandOpt = Annotated[str | None, typer.Option("--land", help="Bundesland der Dienststellen (Kürzel wie BY, NW, ST) für die Feiertage in der Arbeitszeit; gilt für alle Dienststellen, deren Profil kein land angibt (Standard: ST, im Bericht vermerkt).")]


def _land(value: str | None) -> str | None:
    """The --land code, checked against the 16 Länder (exit 2 otherwise)."""
    from procmine.catalogue import LAENDER

    if not value:
        return None
    code = value.strip().upper()
    if code not in LAENDER:
        raise UsageProblem(f"--land {value}: kein Kürzel eines Bundeslandes. Was tun: eines von {', '.join(LAENDER)} angeben.")
    return code


DEFAULT_LIMITS = Limits()
# the seven per-file limits (``procmine.limits``), the same options on ``run`` and ``ingest`` (``with_limits``)
LIMIT_OPTIONS: tuple[tuple[str, str, str], ...] = (
    # (parameter, option, help)
    ("max_columns", "--max-columns", "Höchstens so viele Spalten (Attribute) je Datei."),
    ("max_cells", "--max-cells", "Höchstens so viele Zellen (Zeilen × Spalten) je Datei."),
    ("max_sheet_rows", "--max-sheet-rows", "Höchstens so viele Zeilen je Tabellenblatt."),
    ("max_sheet_cells", "--max-sheet-cells", "Höchstens so viele Zellen je Tabellenblatt."),
    ("max_decompressed_mb", "--max-decompressed-mb", "Höchstens so viele MB entpackt (.gz, .xlsx)."),
    ("max_events", "--max-events", "Höchstens so viele Ereignisse je XES-Datei."),
    ("max_value_lines", "--max-value-lines", "Höchstens so viele Zeilenumbrüche in einem Wert (CSV)."),
)


def _limit_defaults() -> dict[str, int]:
    """The default of each limit option, from ``procmine.limits.Limits`` (the size limit in MB)."""
    d = DEFAULT_LIMITS
    return {name: (d.max_decompressed_bytes >> 20 if name == "max_decompressed_mb" else getattr(d, name)) for name, _, _ in LIMIT_OPTIONS}


def _limits(max_decompressed_mb: int, **counts: int) -> Limits:
    """The limits of one call (``procmine.limits``), from the --max-... options."""
    return Limits(max_decompressed_bytes=max_decompressed_mb << 20, **counts)


def with_limits(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command the seven --max-... options (after its own) and pass them on as one ``limits`` argument
    (``procmine.limits.Limits``): the options are declared once, in ``LIMIT_OPTIONS``."""
    sig = pyinspect.signature(command, eval_str=True)
    own = [p for p in sig.parameters.values() if p.name != "limits"]
    defaults = _limit_defaults()
    added = [
        pyinspect.Parameter(name, pyinspect.Parameter.KEYWORD_ONLY, default=defaults[name],
                          annotation=Annotated[int, typer.Option(option, help=text)])
        for name, option, text in LIMIT_OPTIONS
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        values = {name: kwargs.pop(name) for name, _, _ in LIMIT_OPTIONS}
        command(*args, limits=_limits(**values), **kwargs)

    wrapper.__signature__ = sig.replace(parameters=[*own, *added])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in [*own, *added]}
    return wrapper


def _progress(message: str) -> None:
    if not _state["quiet"]:
        elapsed = time.perf_counter() - _state["t0"]
        typer.echo(f"[{elapsed:6.1f} s] {message}", err=True)


@app.callback()
def _main(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Bei Fehlern den vollständigen Traceback zeigen.")] = False,
) -> None:
    _state["debug"] = debug
    from procmine import runtime

    ctx.with_resource(runtime.tuned())  # process-wide tuning for the command, undone when it ends


def _print_run(result) -> None:  # noqa: ANN001 - pipeline.RunResult
    typer.echo("")
    typer.echo("Fertig. Berichte:")
    for office, path in sorted(result.reports.items()):
        typer.echo(f"  {office:<12} {path}")
    if result.comparison:
        typer.echo(f"  Vergleich    {result.comparison}")
    if result.results_json:
        typer.echo(f"  Ergebnisse   {result.results_json}")
    typer.echo(f"  Normalisierte Protokolle: {result.normalised_dir}")
    total_read = sum(q.rows_read for q in result.qualities.values())
    total_kept = sum(q.rows_kept for q in result.qualities.values())
    total_q = sum(q.rows_quarantined for q in result.qualities.values())
    typer.echo(f"  Zeilen der ausgewerteten Dienststellen: {_de(total_read)} gelesen = {_de(total_kept)} übernommen + "
               f"{_de(total_q)} in Quarantäne")
    for warning in result.warnings:
        typer.echo(warning, err=True)
    _print_failures(result.failed)


def _print_failures(failed: list) -> None:
    """The exports a run or ingest skipped, each with its message (stderr)."""
    if failed:
        typer.echo(f"\nNicht ausgewertet ({len(failed)}), bitte beheben und erneut starten:", err=True)
        for failure in failed:
            typer.echo(f"  ✗ {failure.message}", err=True)


SUGGESTION_SUFFIX = ".profil-vorschlag.toml"  # what 'inspect' writes by default: never picked up by 'run'


def _de(n: int) -> str:
    """A count with German thousands separators (436.931)."""
    return f"{n:,}".replace(",", ".")


def _exit_for_failures(failed: list) -> None:
    """Exit 3 when an export failed on a program error (details logged), 1 when one had a data problem
    (``failed``: ``pipeline.FailedInput`` records)."""
    internal = [f for f in failed if f.internal]
    if internal:
        from procmine.outputs import error_log

        log = error_log("\n\n".join(f"{', '.join(f.files)}\n{f.details}" for f in internal))
        if _state["debug"]:
            typer.echo(log.read_text(encoding="utf-8"), err=True)
        typer.echo(f"Details der internen Fehler stehen in {log}. Bitte diese Datei an das Entwicklungsteam senden.", err=True)
        sys.exit(3)
    if failed:
        sys.exit(1)


@app.command()
def demo(
    cases: Annotated[int, typer.Option("--cases", help="Fälle je Dienststelle.")] = 3000,
    months: Annotated[int, typer.Option("--months", help="Zeitraum in Monaten.")] = 21,
    seed: Annotated[int, typer.Option("--seed", help="Startwert des Zufallsgenerators.")] = 20260101,
    logs: Annotated[Path, typer.Option("--logs", help="Ordner für Exporte und Protokolle.")] = Path("logs/demo"),
    out: OutDir = Path("reports/demo"),
    quiet: Quiet = False,
    pdf: Pdf = PDF_DEFAULT,
    measure: Measures = None,
    land: LandOpt = None,
) -> None:
    """Neun synthetische Dienststellen erzeugen, einlesen, analysieren und berichten (Demo von Anfang bis Ende)."""
    from procmine.compare.network import parse_measures
    from procmine.pipeline import run
    from procmine.synth import generate_demo

    _state["quiet"] = quiet
    measures = tuple(parse_measures(measure or []))
    land = _land(land)
    exports = logs / "exports"
    _progress(f"Erzeuge 9 Dienststellen × {cases} Fälle über {months} Monate in {exports} …")
    generate_demo(exports, cases_per_office=cases, months=months, seed=seed, progress=_progress)
    result = run(exports, out, normalised_dir=logs / "normalised", progress=_progress, pdf=pdf, measures=measures, land=land)
    _print_run(result)
    _exit_for_failures(result.failed)


@app.command("run")
@with_limits
def run_cmd(
    exports_dir: Annotated[Path, typer.Argument(help="Ordner mit den Exporten (eine Datei je Dienststelle oder eine Spalte Dienststelle).")],
    out: OutDir = Path("reports/run"),
    normalised: Annotated[Path | None, typer.Option("--normalised", help="Ordner für die normalisierten Protokolle (Standard: OUT/normalised).")] = None,
    quiet: Quiet = False,
    pdf: Pdf = PDF_DEFAULT,
    measure: Measures = None,
    no_pseudonymise: NoPseudonymise = False,
    land: LandOpt = None,
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Einen Ordner echter Exporte einlesen, analysieren und Berichte schreiben."""
    from procmine.compare.network import parse_measures
    from procmine.limits import using
    from procmine.pipeline import run
    from procmine.privacy import allow_clear_ids

    _state["quiet"] = quiet
    with allow_clear_ids(no_pseudonymise), using(limits):
        result = run(exports_dir, out, normalised_dir=normalised, progress=_progress, pdf=pdf,
                     measures=tuple(parse_measures(measure or [])), land=_land(land))
    _print_run(result)
    _exit_for_failures(result.failed)


@app.command()
def synth(
    out: OutDir = Path("logs/demo/exports"),
    cases: Annotated[int, typer.Option("--cases", help="Fälle je Dienststelle.")] = 3000,
    months: Annotated[int, typer.Option("--months", help="Zeitraum in Monaten.")] = 21,
    seed: Annotated[int, typer.Option("--seed", help="Startwert des Zufallsgenerators.")] = 20260101,
    quiet: Quiet = False,
    intervention: Annotated[list[str] | None, typer.Option("--intervention", help="Maßnahme einpflanzen: DIENSTSTELLE:JJJJ-MM-TT:von_schlüssel→bis_schlüssel:TAGE, z. B. \"ABH-05:2025-04-01:eat_ordered→eat_received:-7\" (mehrfach möglich).")] = None,
) -> None:
    """Nur die synthetischen Exporte der neun Dienststellen erzeugen (ohne Analyse)."""
    from procmine.synth import generate_demo, parse_intervention

    _state["quiet"] = quiet
    try:
        planted = [parse_intervention(text) for text in intervention or []]
    except ValueError as err:
        raise UsageProblem(f"--intervention: {err}") from None
    manifest = generate_demo(out, cases_per_office=cases, months=months, seed=seed, progress=_progress, interventions=planted or None)
    for office, path in sorted(manifest.exports.items()):
        typer.echo(f"{office}\t{path}")


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="Exportdatei, die untersucht werden soll.")],
    write_profile: Annotated[Path | None, typer.Option("--write-profile", help="Vorgeschlagenes Profil hierhin schreiben (TOML).")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Tabellenblatt (Excel).")] = None,
    rows: Annotated[int, typer.Option("--rows", help="Zeilen in der Vorschau.")] = 5,
    encoding: Encoding = None,
    delimiter: Delimiter = None,
) -> None:
    """Eine neue Exportdatei untersuchen: Kodierung, Trennzeichen, Spalten, Vorschau und ein vorgeschlagenes Profil."""
    from procmine.normalise import inspect_file

    report = inspect_file(file, sheet=sheet, preview_rows=rows, encoding=encoding, delimiter=delimiter)
    typer.echo(report.text)
    if report.matched and write_profile is None:
        typer.echo("\nEin vorhandenes Profil passt; es wird kein Vorschlag geschrieben (mit --write-profile trotzdem).")
        return
    # not "<stem>.profile.toml": an unchecked suggestion must not be picked up by 'procmine run' for this or
    # other files of the folder; the analyst confirms it by saving it under that name
    target = write_profile or file.with_name(file.stem + SUGGESTION_SUFFIX)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(report.profile.to_toml(), encoding="utf-8")
    except OSError as err:
        raise UsageProblem(
            f"Profil kann nicht nach '{target}' geschrieben werden ({err.strerror or err}). "
            "Was tun: bei --write-profile einen beschreibbaren Pfad angeben."
        ) from None
    own = file.with_name(file.name + ".profile.toml")
    typer.echo(
        f"\nVorgeschlagenes Profil geschrieben: {target}\nBitte prüfen; dann mit 'procmine ingest --profile {target.name}' "
        f"verwenden oder als '{own.name}' neben dem Export speichern (dann nutzt 'procmine run' es für diese Datei)."
    )


@app.command()
@with_limits
def ingest(
    files: Annotated[list[Path], typer.Argument(help="Exportdatei(en) einer oder mehrerer Dienststellen.")],
    out: OutDir = Path("logs/normalised"),
    profile: Annotated[Path | None, typer.Option("--profile", "-p", help="Zuordnungsprofil (TOML); ohne Angabe wird es erkannt.")] = None,
    office: Annotated[str | None, typer.Option("--office", help="Alle Dateien sind Exporte dieser einen Dienststelle (z. B. Monatsexporte); Überschneidungen werden erkannt.")] = None,
    encoding: Encoding = None,
    delimiter: Delimiter = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Tabellenblatt (Excel); ohne Angabe das passende oder erste.")] = None,
    quiet: Quiet = False,
    no_pseudonymise: NoPseudonymise = False,
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Exporte einlesen und als kanonisches Ereignisprotokoll (Parquet) mit Quarantänedatei schreiben."""
    from procmine.limits import using
    from procmine.outputs import staged_output
    from procmine.pipeline import final_paths, ingest_files
    from procmine.privacy import allow_clear_ids, load_key
    from procmine.profiles import load_profile

    _state["quiet"] = quiet
    load_key()  # a missing, short or unreadable key stops before anything is read
    groups: list[tuple[list[Path], str | None]] = [(list(files), office)] if office else [([p], None) for p in files]
    failed: list | None = [] if len(groups) > 1 else None  # several offices: one bad file does not stop the others
    with allow_clear_ids(no_pseudonymise), using(limits), staged_output(out) as stage:
        prof = load_profile(profile) if profile else None
        _, qualities = ingest_files(groups, stage, progress=_progress, profile=prof, encoding=encoding,
                                    delimiter=delimiter, sheet=sheet, failed=failed)
        qualities, _ = final_paths(qualities, [], [(stage, out)], stage)
    from procmine.labels_de.report import LABELS
    from procmine.normalise import summary_de

    for q in qualities.values():
        typer.echo(summary_de(q))
        for note, cnt in sorted(q.notes.items(), key=lambda kv: -kv[1]):
            if cnt:
                typer.echo(f"  i {LABELS.get(f'qnote.{note}', note)}: {_de(cnt)}")
        if q.quarantine_file:
            typer.echo(f"  Quarantänedatei: {q.quarantine_file}")
    typer.echo(f"Normalisierte Protokolle: {out}")
    if failed:
        _print_failures(failed)
        _exit_for_failures(failed)


@app.command()
def analyse(
    normalised_dir: Annotated[Path, typer.Argument(help="Ordner mit normalisierten Protokollen (*.parquet).")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="results.json hierhin schreiben.")] = None,
    top: Annotated[int, typer.Option("--top", help="Befunde je Dienststelle in der Ausgabe.")] = 5,
    land: LandOpt = None,
) -> None:
    """Normalisierte Protokolle analysieren und die wichtigsten Befunde je Dienststelle ausgeben."""
    from procmine.analyse import analyse_network
    from procmine.compare import compare_offices
    from procmine.pipeline import load_normalised, load_qualities, office_calendars
    from procmine.report import results_document

    logs, qualities = load_normalised(normalised_dir), load_qualities(normalised_dir)
    analyses = analyse_network(logs, calendars=office_calendars(logs, qualities, _land(land)))
    for a in analyses:
        k = a.kpis
        typer.echo(
            f"{a.office}: {a.cases} Fälle, Median {k.get('cycle_time_median_days', float('nan')):.1f} Tage, "
            f"P90 {k.get('cycle_time_p90_days', float('nan')):.1f} Tage"
        )
        for f in a.findings[:top]:
            where = f.activity or f"{f.from_activity} → {f.to_activity}"
            typer.echo(f"   {f.rank}. [{f.kind}] {where}: {f.value:.1f} {f.unit} (Wirkung {f.impact:.0f})")
    if out:
        doc = results_document(analyses, compare_offices(analyses), qualities)
        from procmine.outputs import atomic_write_text

        atomic_write_text(out, json.dumps(doc, ensure_ascii=False, indent=2))
        typer.echo(f"Ergebnisse: {out}")


@app.command()
def report(
    normalised_dir: Annotated[Path, typer.Argument(help="Ordner mit normalisierten Protokollen (*.parquet).")],
    out: OutDir = Path("reports/run"),
    quiet: Quiet = False,
    pdf: Pdf = PDF_DEFAULT,
    land: LandOpt = None,
) -> None:
    """Aus normalisierten Protokollen die Berichte (bericht.html, vergleich.html, results.json) schreiben."""
    from procmine.outputs import staged_output
    from procmine.pipeline import analyse_and_report, load_normalised, load_qualities

    _state["quiet"] = quiet
    logs, qualities = load_normalised(normalised_dir), load_qualities(normalised_dir)
    with staged_output(out) as stage:
        result = analyse_and_report(logs, qualities, stage, _progress, pdf=pdf, land=_land(land))
    result.reports = {o: out / p.relative_to(stage) for o, p in result.reports.items()}
    result.comparison = out / "vergleich.html"
    result.results_json = out / "results.json"
    result.normalised_dir = normalised_dir
    _print_run(result)


def _normalised_of(out_dir: Path, normalised: Path | None) -> Path:
    """Where the normalised logs of a run are: ``--normalised``, else OUT_DIR/normalised, else OUT_DIR."""
    if normalised is not None:
        return normalised
    return out_dir / "normalised" if any((out_dir / "normalised").glob("*.parquet")) else out_dir


def _step_arg(step: str | None) -> tuple[str, str] | None:
    if step is None:
        return None
    if "→" not in step and "->" not in step:
        raise UsageProblem(f"--step '{step}': erwartet zwei Tätigkeiten wie im Export, verbunden mit →, z. B. \"eAT-Bestellung→eAT-Eingang\".")
    a, b = step.replace("->", "→").split("→", 1)
    return a.strip(), b.strip()


@app.command()
def effect(
    out_dir: Annotated[Path, typer.Argument(help="Ordner, den 'procmine run' geschrieben hat (mit normalised/).")],
    office: Annotated[str, typer.Option("--office", help="Dienststelle, die die Maßnahme ergriffen hat.")],
    date: Annotated[str, typer.Option("--date", help="Stichtag der Maßnahme, JJJJ-MM-TT.")],
    kpi: Annotated[str, typer.Option("--kpi", help="Kennzahl: cycle_time_days, appointment_wait_days, ba_consent_days, security_check_days, card_handover_days, document_rounds, no_show_share, decision_wait_days, over_90_share.")] = "cycle_time_days",
    step: Annotated[str | None, typer.Option("--step", help="Wartezeit zwischen zwei Tätigkeiten (Bezeichnungen wie im Export), z. B. \"Terminwunsch eingegangen→Wartemarke gezogen\".")] = None,
    window: Annotated[float, typer.Option("--window", help="Monate vor und nach dem Stichtag, die ausgewertet werden.")] = 6.0,
    normalised: Annotated[Path | None, typer.Option("--normalised", help="Ordner der normalisierten Protokolle, falls nicht OUT_DIR/normalised.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als ein JSON-Objekt ausgeben.")] = False,
) -> None:
    """Wirkung einer Maßnahme schätzen: unterbrochene Zeitreihe, Differenz-von-Differenzen gegen die anderen Dienststellen, Scheintests."""
    from procmine.compare.effect import evaluate_measure
    from procmine.compare.measures import KPIS
    from procmine.pipeline import load_normalised

    try:
        day = date_cls.fromisoformat(date)
    except ValueError:
        raise UsageProblem(f"--date '{date}': erwartet ein Datum JJJJ-MM-TT, z. B. 2025-04-01.") from None
    if kpi not in KPIS or not KPIS[kpi].comparable:
        raise UsageProblem(f"--kpi '{kpi}' ist unbekannt. Möglich: {', '.join(k for k, d in KPIS.items() if d.comparable)}.")
    logs = load_normalised(_normalised_of(out_dir, normalised))
    if office not in logs:
        raise UsageProblem(f"--office '{office}' ist nicht in den Daten. Vorhanden: {', '.join(sorted(logs))}.")
    result = evaluate_measure(logs, office, day.isoformat(), kpi=kpi, step=_step_arg(step), window_months=window)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(f"{office}, Maßnahme am {day.strftime('%d.%m.%Y')}: {result.verdict}")
        typer.echo(result.explanation)


def _period(text: str) -> tuple[str, str]:
    """'2024-01-01..2024-06-30' -> (start, day after end) as ISO dates."""
    from datetime import timedelta

    try:
        a, b = text.split("..", 1)
        return date_cls.fromisoformat(a).isoformat(), (date_cls.fromisoformat(b) + timedelta(days=1)).isoformat()
    except ValueError:
        raise UsageProblem(f"'{text}': erwartet einen Zeitraum JJJJ-MM-TT..JJJJ-MM-TT, z. B. 2024-01-01..2024-06-30.") from None


@app.command()
def diff(
    out_dir: Annotated[Path, typer.Argument(help="Ordner, den 'procmine run' geschrieben hat (mit normalised/).")],
    a: Annotated[str, typer.Argument(help="Erste Dienststelle (mit --period: erster Zeitraum JJJJ-MM-TT..JJJJ-MM-TT).")],
    b: Annotated[str, typer.Argument(help="Zweite Dienststelle (mit --period: zweiter Zeitraum).")],
    period: Annotated[bool, typer.Option("--period", help="A und B sind Zeiträume (Fälle nach ihrem Beginn), nicht Dienststellen.")] = False,
    office: Annotated[str | None, typer.Option("--office", help="Mit --period: nur diese Dienststelle (sonst alle zusammen).")] = None,
    top: Annotated[int, typer.Option("--top", help="Zeilen je Liste.")] = 10,
    normalised: Annotated[Path | None, typer.Option("--normalised", help="Ordner der normalisierten Protokolle, falls nicht OUT_DIR/normalised.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als ein JSON-Objekt ausgeben.")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="Zusätzlich als HTML mit beiden Prozesskarten und der Unterschiedskarte schreiben.")] = None,
) -> None:
    """Zwei Dienststellen oder zwei Zeiträume vergleichen: Übergänge häufiger oder langsamer (mit Signifikanz), Varianten nur in einem, Zeitunterschied je Schritt."""
    import pandas as pd

    from procmine.compare.diff import diff_logs, period_log
    from procmine.pipeline import load_normalised

    logs = load_normalised(_normalised_of(out_dir, normalised))
    if period:
        if office is not None and office not in logs:
            raise UsageProblem(f"--office '{office}' ist nicht in den Daten. Vorhanden: {', '.join(sorted(logs))}.")
        base = logs[office] if office else pd.concat(list(logs.values()), ignore_index=True)
        log_a, log_b = period_log(base, *_period(a)), period_log(base, *_period(b))
    else:
        missing = [o for o in (a, b) if o not in logs]
        if missing:
            raise UsageProblem(f"Dienststelle(n) {', '.join(missing)} nicht in den Daten. Vorhanden: {', '.join(sorted(logs))}.")
        log_a, log_b = logs[a], logs[b]
    if not len(log_a) or not len(log_b):
        raise UsageProblem(f"'{a if not len(log_a) else b}': keine Fälle. Zeitraum bzw. Dienststelle prüfen.")
    d = diff_logs(log_a, log_b, a, b)
    if html is not None:
        from procmine.report.network import render_diff_html

        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_diff_html(d), encoding="utf-8")
        typer.echo(f"Vergleich geschrieben: {html}", err=True)
    if as_json:
        typer.echo(json.dumps(d.to_dict(top), ensure_ascii=False, indent=2))
        return

    def num(x: float) -> str:
        return "–" if x != x else f"{x:.1f}".replace(".", ",")

    typer.echo(f"{a}: {_de(d.cases_a)} Fälle, mittlere Dauer {num(d.duration_a)} Tage · {b}: {_de(d.cases_b)} Fälle, {num(d.duration_b)} Tage")
    sig = d.edges[d.edges["more_frequent_in"].notna() | d.edges["slower_in"].notna()]
    typer.echo(f"\nÜbergänge mit deutlichem Unterschied ({len(sig)} von {len(d.edges)}; Benjamini-Hochberg, 5 %):")
    for r in sig.head(top).to_dict("records"):
        notes = []
        if pd.notna(r["more_frequent_in"]):
            notes.append(f"häufiger in {r['more_frequent_in']} ({r['share_a']:.0%} / {r['share_b']:.0%} der Fälle)")
        if pd.notna(r["slower_in"]):
            notes.append(f"langsamer in {r['slower_in']} ({num(r['mean_a'])} / {num(r['mean_b'])} Tage)")
        typer.echo(f"  {r['source_label']} → {r['target_label']}: {'; '.join(notes)}")
    typer.echo(f"\nZeitunterschied je Schritt (Tage je Fall, {a} minus {b}; Summe = Unterschied der mittleren Dauer):")
    for r in d.by_step.head(top).to_dict("records"):
        typer.echo(f"  {r['label']}: {num(r['days_a'])} / {num(r['days_b'])} ({'+' if r['diff'] >= 0 else ''}{num(r['diff'])})")
    for name, only in ((a, d.variants_only_a), (b, d.variants_only_b)):
        typer.echo(f"\nVarianten nur in {name}: {len(only)}" + (" (häufigste:)" if len(only) else ""))
        for r in only.head(3).to_dict("records"):
            typer.echo(f"  {r['cases']} Fälle: {r['variant']}")


REPORT_MARKERS = ("results.json", "bericht.html", "vergleich.html")


@app.command()
def zerlegung(
    log_path: Annotated[Path, typer.Argument(help="Normalisiertes Protokoll (*.parquet) oder ein Ordner davon.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV-Datei, in die die Tabelle geschrieben wird.")],
    steps: Annotated[bool, typer.Option("--schritte", help="Eine Zeile je Schritt (Liegezeit und Bearbeitung davor) statt einer je Vorgang.")] = False,
    land: LandOpt = None,
) -> None:
    """Laufzeit jedes Vorgangs in Teile zerlegen: Bearbeitung, Liegezeit bei der Behörde, bei anderen Stellen und bei den Antragstellenden, offene Restzeit; Kalender- und Arbeitstage. Die Teile ergeben zusammen genau die Laufzeit. Enthält (pseudonymisierte) Vorgangsnummern: nicht in einen Berichtsordner schreiben."""
    import pandas as pd

    from procmine import schema
    from procmine.analyse.decomposition import decompose, in_days
    from procmine.analyse.stats import EventArrays
    from procmine.analyse.time import DEFAULT_CALENDAR
    from procmine.outputs import atomic_write_text
    from procmine.pipeline import load_normalised, load_qualities, office_calendars

    target = out.resolve()
    for folder in target.parents:
        if any((folder / m).exists() for m in REPORT_MARKERS):
            raise UsageProblem(f"'{out}' liegt in einem Berichtsordner ({folder}). Die Tabelle enthält Vorgangsnummern "
                               "und gehört nicht zu den Berichten: einen Ort außerhalb wählen.")
    qualities = {}
    if log_path.is_dir():
        logs = load_normalised(log_path)
        qualities = load_qualities(log_path)
    else:
        full = schema.read_log(log_path)
        logs = {str(o): part for o, part in full.groupby(schema.OFFICE, observed=True, sort=False)}
    calendars = office_calendars(logs, qualities, _land(land))
    tables = []
    for office, log in logs.items():
        calendar = calendars.get(office, DEFAULT_CALENDAR)
        d = decompose(EventArrays(log), calendar)
        table = in_days(d.steps if steps else d.cases, calendar)
        table.insert(0, "office", office)
        tables.append(table)
    result = pd.concat(tables, ignore_index=True)
    atomic_write_text(out, result.to_csv(index=False))
    typer.echo(f"Zerlegung geschrieben: {out} ({_de(len(result))} Zeilen)")


def main() -> None:
    """Entry point: run the app and turn every failure into a message a user can act on."""
    debug = "--debug" in sys.argv
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and not isinstance(code, bool) and code:  # click turns Ctrl-C into 130, returned
            typer.echo("Abgebrochen.", err=True)
            sys.exit(code)
    except ProcmineError as exc:
        if debug:
            traceback.print_exc()
        from procmine.privacy import redacted

        typer.echo(f"Fehler: {redacted(exc).user_message()}", err=True)
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("Abgebrochen.", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - last line of defence: no bare traceback for users
        # typer vendors its own click: recognise its exceptions by class name, not by import
        if any(c.__name__ == "ClickException" for c in type(exc).__mro__):
            exc.show()  # type: ignore[attr-defined]
            sys.exit(getattr(exc, "exit_code", 2))
        if isinstance(exc, OSError):  # read-only or full disk, a file where a folder belongs: the user can fix it
            from procmine.outputs import os_problem

            typer.echo(f"Fehler: {os_problem(exc).user_message()}", err=True)
            sys.exit(1)
        from procmine.outputs import error_log

        log = error_log(traceback.format_exc())
        if debug:
            traceback.print_exc()
        typer.echo(
            f"Interner Fehler: {type(exc).__name__}: {exc}\n"
            f"Details stehen in {log}. Bitte diese Datei an das Entwicklungsteam senden "
            "(mit --debug wird der Traceback direkt gezeigt).",
            err=True,
        )
        sys.exit(3)


if __name__ == "__main__":
    main()
