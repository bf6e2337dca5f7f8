"""The whole run: a folder of exports in, normalised logs, analysis and reports out.

Used by the CLI (``procmine run`` / ``procmine demo``) and by notebooks. Stages are called in
order and pass plain objects; nothing here computes a statistic of its own.
"""

from __future__ import annotations

import contextlib
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

import pandas as pd

from procmine import schema
from procmine.errors import InputProblem, ProcmineError
from procmine.eventlog import EventLog, LogLike
from procmine.labels_de.messages import problem as problem_text
from procmine.labels_de.messages import progress_text
from procmine.outputs import rebase_path, staged_output
from procmine.quality import QualityReport, merge_quality, split_quality

if TYPE_CHECKING:
    from procmine.analyse.time import OfficeCalendar
    from procmine.profiles import Profile

EXPORT_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xls", ".xes", ".gz", ".parquet")
IGNORED_NAMES = {"truth.json", "readme.md", "readme.txt"}

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class FailedInput:
    """An export (or one office of it) a run could not use, with the German message saying what to do.

    Collected by ``ingest_files(failed=[...])`` instead of stopping the run; listed at the end of
    ``procmine run`` and in results.json (``failed``, see docs/results.md).
    """

    files: tuple[str, ...]  # export file names concerned
    code: str  # reason code of the problem (e.g. ``unrecognised_columns``, ``no_rows_kept``, ``internal_error``)
    message: str  # the whole German message (file, what was found, what was expected, what to do)
    office: str | None = None  # the office concerned, when it is known
    quarantine_file: str | None = None  # where the set-aside rows are (``no_rows_kept``)
    internal: bool = False  # a program error, not a data problem (exit code 3)
    error: BaseException | None = field(default=None, compare=False, repr=False)  # the original exception
    details: str = field(default="", compare=False, repr=False)  # traceback of an internal error

    def to_dict(self) -> dict[str, object]:
        """The results.json record (documented in docs/results.md under ``failed``)."""
        return {
            "files": list(self.files),
            "office": self.office,
            "code": self.code,
            "message_de": self.message,
            "quarantine_file": self.quarantine_file,
        }


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
    failed: list[FailedInput] = field(default_factory=list)  # exports/offices skipped, each with its message
    warnings: list[str] = field(default_factory=list)  # e.g. unusable profile files that were skipped


def find_exports(exports_dir: Path) -> list[Path]:
    """Export files in a folder (one office per file, or an office column), sorted by name."""
    if not exports_dir.is_dir():
        raise InputProblem(
            code="not_a_folder",
            file=str(exports_dir),
            found=problem_text("not_a_folder", "found"),
            expected=problem_text("not_a_folder", "expected"),
            hint=problem_text("not_a_folder", "hint"),
        )
    files = _export_files(exports_dir)
    if not files and not any(_export_files(d) for d in _subfolders(exports_dir)):
        raise InputProblem(
            code="no_exports",
            file=str(exports_dir),
            found=problem_text("no_exports", "found"),
            expected=problem_text("no_exports", "expected"),
            hint=problem_text("no_exports", "hint"),
        )
    return files


def _export_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and p.name.lower() not in IGNORED_NAMES
        and not p.name.endswith(".profile.toml")
        and p.suffix.lower() in EXPORT_SUFFIXES
        and not p.name.startswith((".", "~$"))
    )


def _subfolders(folder: Path) -> list[Path]:
    return sorted(d for d in folder.iterdir() if d.is_dir() and not d.name.startswith((".", "_")))


def export_groups(exports_dir: Path) -> list[tuple[list[Path], str | None]]:
    """What to ingest together: each top-level file alone (its office from the profile, an office column
    or the file name), and all files of a subfolder as one office named after the subfolder (monthly
    exports; rows repeated across them are found as duplicates)."""
    groups: list[tuple[list[Path], str | None]] = [([p], None) for p in find_exports(exports_dir)]
    for d in _subfolders(exports_dir):
        files = _export_files(d)
        if files:
            groups.append((files, d.name))
    return groups


class _ReadOptions(TypedDict):
    """Overrides of detection and profile for every file (None: detect, or take the profile's)."""

    encoding: str | None
    delimiter: str | None
    sheet: str | None


def ingest_files(
    groups: list[tuple[list[Path], str | None]],
    normalised_dir: Path,
    progress: Progress = _quiet,
    profile: Profile | str | Path | None = None,
    failed: list[FailedInput] | None = None,
    warnings: list[str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> tuple[dict[str, pd.DataFrame], dict[str, QualityReport]]:
    """Ingest groups of export files; returns canonical logs and one quality report per office.

    A file holding several offices is split per office (``split_quality``). Files that turn out to feed
    the same office (an office column, or a profile naming the office) are read again together, so the
    office gets one log, one quarantine file and cross-file duplicates are found; exports of different
    shapes for one office are refused with a message (they cannot be compared row by row).
    ``encoding``, ``delimiter`` and ``sheet`` (when given and not empty) override detection and profile for
    every file.

    Without ``profile``, a file's own profile (``<file name>.profile.toml`` or ``<stem>.profile.toml``
    beside it) wins over profiles that merely match its columns; unusable profile files are skipped with
    a warning (added to ``warnings``) unless a file names them.

    ``failed``: when a list is given, a file or office that cannot be used is added to it (and reported
    through ``progress``) and the others go on; an office whose every row was quarantined counts as
    failed too. Only when no office at all could be read is the problem raised. Without it, the first
    problem is raised.
    """
    opts: _ReadOptions = {"encoding": encoding or None, "delimiter": delimiter or None, "sheet": sheet or None}
    from procmine.normalise import ingest_file, ingest_office  # stage import kept local: the CLI starts fast

    folders = _FolderProfiles(progress, warnings)
    # single files named alike (receipt.csv, receipt.xes.gz) are different sources: an office taken from
    # the file name then keeps the whole name, so neither is mistaken for the other's second export
    stems = Counter(paths[0].name.split(".")[0] for paths, office in groups if office is None and len(paths) == 1)
    results = []
    for i, (paths, office) in enumerate(groups, 1):
        label = (", ".join(p.name for p in paths) if len(paths) <= 3
                 else progress_text("group_files", folder=paths[0].parent.name, count=len(paths)))
        progress(progress_text("reading", number=i, total=len(groups), label=label))
        rows = _row_progress(progress)
        try:
            prof = profile if profile is not None else folders.profile_for(paths)
            if office is None and len(paths) == 1 and stems[paths[0].name.split(".")[0]] > 1:
                result = ingest_office(paths, normalised_dir, profile=prof, default_office=paths[0].name, progress=rows, **opts)
            elif office is None and len(paths) == 1:
                result = ingest_file(paths[0], normalised_dir, profile=prof, progress=rows, **opts)
            else:
                result = ingest_office(paths, normalised_dir, profile=prof, office=office, progress=rows, **opts)
        except Exception as exc:  # noqa: BLE001 - one unreadable export must not cost the other offices
            _record_failure(failed, paths, exc, office, progress)
            continue
        _say_counts(result.quality, progress)
        results.append((list(paths), result))
    results = _rejoin_shared_offices(results, normalised_dir, progress, profile, opts, failed)
    logs: dict[str, pd.DataFrame] = {}
    qualities: dict[str, QualityReport] = {}
    for _, result in results:
        for office, part in result.log.groupby(schema.OFFICE, observed=True, sort=False):
            logs[str(office)] = part.reset_index(drop=True)
        for office, part_q in split_quality(result).items():
            qualities[office] = merge_quality(qualities[office], part_q) if office in qualities else part_q
    for report in qualities.values():
        save_quality(report, normalised_dir)
    if failed is not None:
        for office, q in list(qualities.items()):
            if office not in logs and q.rows_kept == 0:  # read, but no row survived: nothing to analyse
                failure = _nothing_kept(q)
                failed.append(failure)
                progress(progress_text("skipped", message=failure.message))
                del qualities[office]
        if not logs and failed:
            _raise_nothing_read(failed)
    return logs, qualities


def _record_failure(
    failed: list[FailedInput] | None, paths: list[Path], exc: Exception, office: str | None, progress: Progress
) -> None:
    """Add a failed export to ``failed`` and say so; re-raise when failures are not collected or the
    problem is a wrong call (exit code 2) rather than a file's."""
    if failed is None or (isinstance(exc, ProcmineError) and exc.exit_code != 1):
        raise exc
    names = tuple(p.name for p in paths)
    if isinstance(exc, ProcmineError):
        from procmine.privacy import redacted

        exc = redacted(exc)  # type: ignore[assignment]  # header cells may be a data row: never in results.json
        failure = FailedInput(files=names, code=getattr(exc, "code", "input_problem"), message=exc.user_message(),
                              office=office, error=exc)
    else:
        failure = FailedInput(
            files=names, code="internal_error", office=office, internal=True, error=exc, details=traceback.format_exc(),
            message=problem_text("internal_error", "message", files=", ".join(names), error=f"{type(exc).__name__}: {exc}"),
        )
    failed.append(failure)
    progress(progress_text("skipped", message=failure.message))


def _nothing_kept(q: QualityReport) -> FailedInput:
    """The failure record of an office that was read but whose every row went to quarantine (or had none)."""
    from procmine.normalise import REASON_HINTS_DE, REASON_LABELS_DE

    files = ", ".join(q.files) or q.office
    if q.by_reason:
        reason, count = max(q.by_reason.items(), key=lambda kv: kv[1])
        found = (
            problem_text("no_rows_kept", "found", read=_n(q.rows_read), reason=REASON_LABELS_DE.get(reason, reason),
                         count=_n(count))
            + (problem_text("no_rows_kept", "found_file", file=q.quarantine_file) if q.quarantine_file else "")
        )
        hint = REASON_HINTS_DE.get(reason, problem_text("no_rows_kept", "hint"))
    else:
        found = problem_text("no_rows_kept", "found_empty")
        hint = problem_text("no_rows_kept", "hint_empty")
    problem = InputProblem(code="no_rows_kept", file=files, found=found, expected=problem_text("no_rows_kept", "expected"),
                           hint=hint)
    return FailedInput(files=tuple(q.files), code=problem.code,
                       message=problem_text("no_rows_kept", "message", office=q.office, message=problem.user_message()),
                       office=q.office, quarantine_file=q.quarantine_file, error=problem)


def _raise_nothing_read(failed: list[FailedInput]) -> None:
    """No office could be read: raise the one problem as it is, else one problem listing them all."""
    internal = [f for f in failed if f.internal and f.error is not None]
    if internal:
        raise internal[0].error  # type: ignore[misc]
    if len(failed) == 1 and failed[0].error is not None:
        raise failed[0].error
    raise InputProblem(
        code="no_office_read",
        file=", ".join(n for f in failed for n in f.files),
        found=problem_text("no_office_read", "found", count=len(failed)),
        expected=problem_text("no_office_read", "expected"),
        hint=problem_text("no_office_read", "hint"),
        details=[f.message for f in failed],
    )


def _named_profile_files(path: Path) -> list[Path]:
    """Profile files named after an export, most specific first: ``f04.txt.profile.toml``, then by stem
    (``f04.profile.toml``; for ``a.xes.gz``: ``a.xes.profile.toml``)."""
    return [path.with_name(f"{b}.profile.toml") for b in dict.fromkeys((path.name, path.stem)) if b]


class _FolderProfiles:
    """The ``*.profile.toml`` of the folders being read, each folder loaded once: which profile a file gets."""

    def __init__(self, progress: Progress, warnings: list[str] | None) -> None:
        self.progress = progress
        self.warnings = warnings
        self.valid: dict[Path, dict[Path, Profile]] = {}
        self.broken: dict[Path, dict[Path, InputProblem]] = {}

    def _load(self, folder: Path) -> None:
        """Load a folder's profile files once; unusable ones are remembered with their problem and warned about."""
        from procmine.profiles import folder_profiles

        if folder in self.valid:
            return
        unusable: dict[Path, InputProblem] = {}
        profiles = folder_profiles(folder, unusable)
        self.valid[folder] = {Path(p.source): p for p in profiles}
        self.broken[folder] = dict(unusable)
        for path, exc in unusable.items():
            text = problem_text("broken_profile", "note", name=path.name, found=exc.found, expected=exc.expected)
            self.progress(text)
            if self.warnings is not None:
                self.warnings.append(text)

    def profile_for(self, paths: list[Path]) -> Profile | None:
        """The profile a group of exports names (``<file>.profile.toml``); None lets the normaliser choose by
        columns among the folder's usable profiles. A file naming an unusable profile raises its problem."""
        folder = paths[0].parent
        self._load(folder)
        named = [(p, f) for p in paths for f in _named_profile_files(p) if f in self.valid[folder] or f in self.broken[folder]]
        if named:
            export, chosen = named[0]  # the group's first file that names one (a group shares one profile)
            if chosen in self.broken[folder]:
                problem = self.broken[folder][chosen]
                raise InputProblem(
                    code=problem.code, file=export.name,
                    found=problem_text("broken_profile", "found", name=chosen.name, found=problem.found),
                    expected=problem.expected,
                    hint=problem_text("broken_profile", "hint", hint=problem.hint),
                )
            self.progress(progress_text("profile_from", name=chosen.name))
            return self.valid[folder][chosen]
        return None  # the normaliser matches the folder's usable profiles, then the built-in ones


ROW_PROGRESS_SECONDS = 1.0  # at most one "rows read" line per second (none for small files)


def _row_progress(progress: Progress) -> Callable[[int, int | None], None]:
    """The normaliser's row counts (``rows, total``) as progress lines, throttled by time."""
    start = time.perf_counter()
    last = [start]

    def report(done: int, total: int | None) -> None:
        now = time.perf_counter()
        if now - last[0] < ROW_PROGRESS_SECONDS:
            return
        last[0] = now
        if total is None:
            text = progress_text("rows_read", rows=_n(done))
        else:
            text = progress_text("rows_normalised" if done >= total else "rows_checking", rows=_n(total))
        progress(progress_text("rows_elapsed", text=text, seconds=now - start))

    return report


def _n(count: int) -> str:
    """A count with the German thousands separator (12.345)."""
    return f"{count:,}".replace(",", ".")


def _say_counts(q: QualityReport, progress: Progress) -> None:
    progress(
        progress_text("counts", read=_n(q.rows_read), kept=_n(q.rows_kept), quarantined=_n(q.rows_quarantined),
                      events=_n(q.events))
    )


def _offices_of(result: object) -> set[str]:
    log = result.log  # type: ignore[attr-defined]
    names = {str(o) for o in log[schema.OFFICE].unique()} if len(log) else set()
    return names or {result.quality.office}  # type: ignore[attr-defined]


def _rejoin_shared_offices(
    results: list,
    normalised_dir: Path,
    progress: Progress,
    profile: Profile | str | Path | None,
    opts: _ReadOptions,
    failed: list[FailedInput] | None = None,
) -> list:
    """Results whose offices overlap are merged into one by reading their files together (see ``ingest_files``).

    With ``failed``, a group that cannot be joined (exports of different shapes) is added to it and left
    out, its separate outputs removed; without, the problem is raised.
    """
    from procmine.normalise import ingest_office

    parent = list(range(len(results)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, (_, result) in enumerate(results):
        for office in _offices_of(result):
            if office in first:
                parent[root(i)] = root(first[office])
            else:
                first[office] = i
    components: dict[int, list[int]] = {}
    for i in range(len(results)):
        components.setdefault(root(i), []).append(i)
    out = []
    for members in components.values():
        if len(members) == 1:
            out.append(results[members[0]])
            continue
        paths = [p for m in members for p in results[m][0]]
        shapes = {results[m][1].profile.name for m in members if results[m][1].profile is not None}
        offices = sorted(set().union(*(_offices_of(results[m][1]) for m in members)))
        for m in members:  # the separate outputs are replaced by the joined ones (or dropped with them)
            for written in results[m][1].paths.values():
                Path(written).unlink(missing_ok=True)
        try:
            if len(shapes) > 1:
                raise InputProblem(
                    code="office_in_several_shapes",
                    file=", ".join(p.name for p in paths),
                    found=problem_text("office_in_several_shapes", "found", offices=", ".join(offices),
                                       shapes=", ".join(sorted(shapes))),
                    expected=problem_text("office_in_several_shapes", "expected"),
                    hint=problem_text("office_in_several_shapes", "hint"),
                )
            progress(progress_text("read_together", offices=", ".join(offices), count=len(paths)))
            joined = ingest_office(paths, normalised_dir, profile=profile or results[members[0]][1].profile, **opts)
        except Exception as exc:  # noqa: BLE001 - the other offices go on (see ingest_files)
            _record_failure(failed, paths, exc, ", ".join(offices), progress)
            continue
        _say_counts(joined.quality, progress)
        out.append((paths, joined))
    return out


def ingest_folder(
    exports_dir: Path,
    normalised_dir: Path,
    progress: Progress = _quiet,
    failed: list[FailedInput] | None = None,
    warnings: list[str] | None = None,
) -> tuple[dict[str, pd.DataFrame], dict[str, QualityReport]]:
    """Ingest every export of a folder (``export_groups``); canonical logs and one quality report per office.

    ``failed`` / ``warnings``: see ``ingest_files`` (collect unusable exports instead of stopping).
    """
    return ingest_files(export_groups(Path(exports_dir)), Path(normalised_dir), progress, failed=failed, warnings=warnings)


def save_quality(quality: QualityReport, normalised_dir: Path) -> Path:
    """Write ``<office>.quality.json`` next to the normalised log (read back by ``load_qualities``)."""
    import json

    from procmine.outputs import safe_path

    path = safe_path(Path(normalised_dir), quality.office, ".quality.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(quality.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def office_calendars(
    offices: Iterable[str], qualities: Mapping[str, QualityReport], land: str | None = None
) -> dict[str, OfficeCalendar]:
    """Each office's calendar with its Land: the profile's (``QualityReport.land``), else ``land`` (``--land``);
    an office with neither is left out (``analyse_network`` then takes the default, and the report says so)."""
    from procmine.analyse.time import OfficeCalendar

    out: dict[str, OfficeCalendar] = {}
    for office in offices:
        q = qualities.get(office)
        given = (q.land if q is not None else None) or land
        if given:
            out[office] = OfficeCalendar(land=given, land_given=True)
    return out


def analyse_and_report(
    logs: Mapping[str, LogLike],
    qualities: dict[str, QualityReport],
    report_dir: Path,
    progress: Progress = _quiet,
    pdf: bool = False,
    failed: list[FailedInput] | None = None,
    measures: tuple = (),
    land: str | None = None,
) -> RunResult:
    """Analyse the offices as one network, compare them and write the reports (``pdf``: also as PDF).

    ``measures``: ``compare.network.MeasureSpec`` to evaluate (``procmine run --measure``).
    ``land``: the Land of offices whose profile names none (``office_calendars``; None: the default).

    ``failed``: exports the run could not use; listed in results.json under ``failed`` (empty list when none).
    """
    from procmine.analyse import analyse_network
    from procmine.compare import compare_offices
    from procmine.report import write_reports

    seconds: dict[str, float] = {}
    t = time.perf_counter()
    progress(progress_text("analysing", count=len(logs)))
    analyses = analyse_network(logs, calendars=office_calendars(logs, qualities, land))
    seconds["analyse"] = time.perf_counter() - t
    t = time.perf_counter()
    comparison = compare_offices(analyses, logs=logs, measures=measures)
    seconds["compare"] = time.perf_counter() - t
    t = time.perf_counter()
    progress(progress_text("writing_reports"))
    paths = write_reports(analyses, comparison, qualities, report_dir, pdf=pdf, failed=[f.to_dict() for f in failed or []])
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
        failed=list(failed or []),
    )


def run(
    exports_dir: Path,
    out_dir: Path,
    normalised_dir: Path | None = None,
    progress: Progress = _quiet,
    pdf: bool = False,
    measures: tuple = (),
    land: str | None = None,
) -> RunResult:
    """Exports folder → canonical logs (Parquet) → analysis → reports in ``out_dir``.

    An export that cannot be used is skipped and listed in ``RunResult.failed`` (and results.json) with its
    message; the run stops with that problem only when no office at all could be read. ``land``: the Land of
    offices whose profile names none (see ``office_calendars``).

    Everything is written into a hidden folder inside ``out_dir`` (and ``normalised_dir``) and moved into
    place only when the run succeeds; a second run into the same folder meanwhile is refused
    (``outputs.staged_output``). The pseudonymisation key is checked before any file is read.
    """
    from procmine.privacy import load_key

    load_key()  # a missing, short or unreadable key stops the run before anything is read
    with contextlib.ExitStack() as stack:
        out_dir = Path(out_dir)
        stage = stack.enter_context(staged_output(out_dir))
        moves = [(stage, out_dir)]
        if normalised_dir is None:
            norm_stage = stage / "normalised"
        else:
            norm_stage = stack.enter_context(staged_output(Path(normalised_dir)))
            moves.insert(0, (norm_stage, Path(normalised_dir)))
        failed: list[FailedInput] = []
        warnings: list[str] = []
        t = time.perf_counter()
        logs, qualities = ingest_folder(Path(exports_dir), norm_stage, progress, failed=failed, warnings=warnings)
        qualities, failed = final_paths(qualities, failed, moves, norm_stage)
        ingest_s = time.perf_counter() - t
        result = analyse_and_report(logs, qualities, stage, progress, pdf=pdf, failed=failed, measures=measures,
                                    land=land)
        result = _rebased(result, moves)
        result.normalised_dir = Path(normalised_dir) if normalised_dir is not None else out_dir / "normalised"
        result.seconds = {"ingest": ingest_s, **result.seconds}
        result.warnings = warnings
    return result


def _final(path: str | Path | None, moves: list[tuple[Path, Path]]) -> str | None:
    """A path written in a staging folder as it will be once the folder is published."""
    text = None if path is None else str(path)
    for staging, final in moves:
        text = rebase_path(text, staging, final)
    return text


def final_paths(
    qualities: dict[str, QualityReport], failed: list[FailedInput], moves: list[tuple[Path, Path]], normalised: Path
) -> tuple[dict[str, QualityReport], list[FailedInput]]:
    """Quality reports and failures naming the quarantine files where they will be after publishing (the
    quality.json files are written again with them)."""
    from dataclasses import replace

    out = {}
    for office, q in qualities.items():
        out[office] = replace(q, quarantine_file=_final(q.quarantine_file, moves))
        save_quality(out[office], normalised)
    moved = []
    for f in failed:
        message = f.message
        for staging, final in moves:
            message = message.replace(str(staging), str(final))
        moved.append(replace(f, quarantine_file=_final(f.quarantine_file, moves), message=message))
    return out, moved


def _rebased(result: RunResult, moves: list[tuple[Path, Path]]) -> RunResult:
    def final(p: Path | None) -> Path | None:
        text = _final(p, moves)
        return Path(text) if text else None

    result.report_dir = final(result.report_dir) or result.report_dir
    result.reports = {o: final(p) or p for o, p in result.reports.items()}
    result.comparison = final(result.comparison)
    result.results_json = final(result.results_json)
    return result


def load_normalised(normalised_dir: Path) -> dict[str, EventLog]:
    """Read every canonical log (``*.parquet``) of a folder, keyed by office, each checked (``EventLog``)."""
    logs: dict[str, EventLog] = {}
    files = sorted(Path(normalised_dir).glob("*.parquet"))
    if not files:
        raise InputProblem(
            code="no_logs",
            file=str(normalised_dir),
            found=problem_text("no_logs", "found"),
            expected=problem_text("no_logs", "expected"),
            hint=problem_text("no_logs", "hint"),
        )
    for path in files:
        log = schema.read_log(path)
        for office, part in log.groupby(schema.OFFICE, observed=True, sort=False):
            logs[str(office)] = EventLog(part)
    return logs


def load_qualities(normalised_dir: Path) -> dict[str, QualityReport]:
    """Quality reports saved next to the normalised logs (``<office>.quality.json``), if any."""
    import json

    out: dict[str, QualityReport] = {}
    for path in sorted(Path(normalised_dir).glob("*.quality.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["files"] = tuple(data.get("files", ()))
        data["dropped_columns"] = tuple(data.get("dropped_columns", ()))
        q = QualityReport(**data)
        out[q.office] = q
    return out
