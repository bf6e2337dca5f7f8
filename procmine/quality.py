"""Data-quality summary of one office's ingest: what was read, kept, quarantined and flagged."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from procmine.labels_de.messages import REASON_LABELS_DE, SUMMARY, UNATTRIBUTED_OFFICE, int_de

if TYPE_CHECKING:
    import pandas as pd

    from procmine.profiles import Profile


@dataclass(frozen=True)
class QualityReport:
    """Counts that add up: ``rows_read == rows_kept + rows_quarantined`` (checked in __post_init__).

    ``rows_*`` count source rows (a milestone row that becomes several events counts once).
    ``by_reason``: quarantine reason code -> rows; ``by_column``: original column -> quarantined rows;
    ``flags``: kept-but-flagged code (out_of_order, batch_entry, day_precision, ...) -> events;
    ``notes``: informational counts (dst_ambiguous_resolved, duplicates_across_files, ...).
    ``start_rows_merged``: lifecycle start rows paired with their complete into one event (kept rows
    that are no event of their own: ``events == rows_kept - start_rows_merged`` for event tables).
    """

    office: str
    files: tuple[str, ...]
    rows_read: int
    rows_kept: int
    rows_quarantined: int
    events: int
    by_reason: dict[str, int] = field(default_factory=dict)
    by_column: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)
    quarantine_file: str | None = None
    profile: str | None = None
    start_rows_merged: int = 0
    dropped_columns: tuple[str, ...] = ()  # source columns not kept (names only, never values; privacy.py)
    pseudonymised: bool = True  # False: case/staff ids in clear (--no-pseudonymise)
    land: str | None = None  # the office's Land from the profile (catalogue.LAENDER code); None: not given

    def __post_init__(self) -> None:
        if self.rows_read != self.rows_kept + self.rows_quarantined:
            raise ValueError(
                f"row counts do not add up for {self.office}: read {self.rows_read} != "
                f"kept {self.rows_kept} + quarantined {self.rows_quarantined}"
            )
        if sum(self.by_reason.values()) != self.rows_quarantined:
            raise ValueError(f"quarantine reasons do not add up for {self.office}")

    def to_dict(self) -> dict:
        return asdict(self)


def summary_de(q: QualityReport) -> str:
    """A short German summary of the counts (for the CLI): read = kept + quarantined."""
    lines = [
        SUMMARY["counts"].format(office=q.office, read=int_de(q.rows_read), kept=int_de(q.rows_kept),
                                 quarantined=int_de(q.rows_quarantined), events=int_de(q.events))
    ]
    for reason, cnt in sorted(q.by_reason.items(), key=lambda kv: -kv[1]):
        lines.append(SUMMARY["reason"].format(label=REASON_LABELS_DE.get(reason, reason), count=int_de(cnt)))
    for flag, cnt in sorted(q.flags.items(), key=lambda kv: -kv[1]):
        lines.append(SUMMARY["flag"].format(label=REASON_LABELS_DE.get(flag, flag), count=int_de(cnt)))
    return "\n".join(lines)


class Normalised(Protocol):
    """What ``split_quality`` reads of a normaliser's result (``procmine.normalise.NormaliseResult``); a
    protocol, so this module does not import the normaliser (which imports it)."""

    @property
    def log(self) -> pd.DataFrame: ...
    @property
    def quality(self) -> QualityReport: ...
    @property
    def quarantine(self) -> pd.DataFrame: ...
    @property
    def profile(self) -> Profile | None: ...


UNATTRIBUTED = UNATTRIBUTED_OFFICE  # pseudo-office for counts no office can be given (see split_quality)


def merge_quality(a: QualityReport, b: QualityReport) -> QualityReport:
    """One report for one office fed by several files: counts and per-code dicts added, file lists joined.

    ``land``: the first Land given (files of one office share one profile, see ``pipeline``).
    ``quarantine_file`` and ``profile`` keep one value when both agree, else the distinct values joined
    with ``"; "`` (each file keeps its own quarantine CSV).
    """
    if a.office != b.office:
        raise ValueError(f"cannot merge quality reports of different offices: {a.office!r} and {b.office!r}")

    def add(x: dict[str, int], y: dict[str, int]) -> dict[str, int]:
        out = dict(x)
        for k, v in y.items():
            out[k] = out.get(k, 0) + v
        return out

    def join(x: str | None, y: str | None) -> str | None:
        vals = [v for v in dict.fromkeys((x, y)) if v]
        return "; ".join(vals) if vals else None

    return QualityReport(
        office=a.office,
        files=tuple(dict.fromkeys(a.files + b.files)),
        rows_read=a.rows_read + b.rows_read,
        rows_kept=a.rows_kept + b.rows_kept,
        rows_quarantined=a.rows_quarantined + b.rows_quarantined,
        events=a.events + b.events,
        by_reason=add(a.by_reason, b.by_reason),
        by_column=add(a.by_column, b.by_column),
        flags=add(a.flags, b.flags),
        notes=add(a.notes, b.notes),
        quarantine_file=join(a.quarantine_file, b.quarantine_file),
        profile=join(a.profile, b.profile),
        start_rows_merged=a.start_rows_merged + b.start_rows_merged,
        dropped_columns=tuple(dict.fromkeys(a.dropped_columns + b.dropped_columns)),
        pseudonymised=a.pseudonymised and b.pseudonymised,
        land=a.land or b.land,
    )


def split_quality(result: Normalised, default_office: str | None = None) -> dict[str, QualityReport]:
    """One report per office of a file that holds several offices, so each office sees its own counts.

    Attribution:

    * ``events`` and ``rows_kept``: from the log's ``office`` column (a milestone row with several events
      counts once; a lifecycle start row paired into an event counts with that event's office).
    * ``rows_quarantined``, ``by_reason``, ``by_column``: from the quarantine's office column (original
      header). A quarantined row without an office value (also a row the reader could not split) goes
      to the office the normaliser gives such rows: ``default_office`` if given, else the name the
      normaliser left in ``result.quality.office`` (a single name, or the one name of the joined office
      list that no row value gave), else the profile's ``office``, else the file stem (common stem of
      several files). Pass ``default_office`` when ``normalise(office=...)`` named it and no row lacks one.
    * ``rows_read`` = kept + quarantined per office, so counts add up per office and in sum.
    * ``flags``: per office from the log's ``quality_flags`` column. If the log does not carry it, the
      file-level flag totals stay whole with the *note holder* (below), not spread by guess.
    * ``notes`` (blank rows skipped, DST resolutions, duplicates across files …) are counted per file,
      not per row: they stay whole with the note holder, the default office if it has a report, else
      the office with the most rows read. Summed over offices they equal the file's notes.
    * Kept rows that cannot be given an office (only if the log and the file totals disagree) go to the
      pseudo-office ``UNATTRIBUTED`` so that the sums still equal the file's totals.

    A one-office result returns ``{office: result.quality}`` unchanged, except that ``office`` is set to
    the log's office when the normaliser named the report after the file stem.
    """
    import numpy as np
    import pandas as pd

    from procmine import schema

    q, log, quar, prof = result.quality, result.log, result.quarantine, result.profile
    office_col = prof.columns.get("office") if prof is not None else None
    log_office = log[schema.OFFICE].astype(object)
    seen = set(map(str, log_office.dropna().unique()))
    q_raw = quar[office_col] if office_col and office_col in quar.columns else pd.Series(None, index=quar.index, dtype=object)
    q_raw = q_raw.astype(object).where(q_raw.notna(), None)
    seen |= set(map(str, q_raw.dropna().unique()))
    default = default_office or _default_office(q, prof, seen)
    q_office = q_raw.where(q_raw.notna(), default).astype(str)
    offices = seen | set(q_office.unique())
    if len(offices) <= 1:
        only = next(iter(offices), q.office)
        return {only: q if q.office == only else replace(q, office=only)}

    # kept rows per office: one per event, or one per (file, row) for milestone tables; plus paired start rows
    keys = pd.DataFrame({"office": log_office.astype(str), "file": log[schema.SOURCE_FILE].astype(object),
                         "row": log[schema.SOURCE_ROW].to_numpy()})
    if prof is None or prof.shape == "milestones":
        keys = keys.drop_duplicates()
    kept = keys["office"].value_counts()
    extra = q.rows_kept - int(kept.sum())
    merged: pd.Series | None = None  # start rows merged per office, when the log tells them apart
    if extra > 0:
        paired = log_office.astype(str)[log[schema.START].notna().to_numpy()].value_counts()
        if int(paired.sum()) == extra:  # lifecycle: each paired event also kept its start row
            kept = kept.add(paired, fill_value=0).astype(np.int64)
            extra = 0
            merged = paired if int(paired.sum()) == q.start_rows_merged else None
    if extra < 0:
        raise ValueError(f"log of {q.office} has more kept rows ({int(kept.sum())}) than its report ({q.rows_kept})")
    events = log_office.astype(str).value_counts()
    quarantined = q_office.value_counts()
    reasons = quar.groupby([q_office, quar["reason"].astype(str)], sort=False).size() if len(quar) else pd.Series(dtype=np.int64)
    has_col = quar["column"].notna().to_numpy() if len(quar) else np.zeros(0, dtype=bool)
    columns = (quar[has_col].groupby([q_office[has_col], quar.loc[has_col, "column"].astype(str)], sort=False).size()
               if has_col.any() else pd.Series(dtype=np.int64))
    flags = _flags_by_office(log) if "quality_flags" in log.columns else None

    def part(series: pd.Series, office: str) -> dict[str, int]:
        if not len(series) or office not in series.index.get_level_values(0):
            return {}
        return {str(k): int(v) for k, v in series.xs(office, level=0).items() if v}

    names = sorted(offices)
    read = {o: int(kept.get(o, 0)) + int(quarantined.get(o, 0)) for o in names}
    holder = default if default in offices else min(names, key=lambda o: (-read[o], o))
    files_of = _files_by_office(log_office.astype(str), log[schema.SOURCE_FILE], q_office, quar, q.files)
    out: dict[str, QualityReport] = {}
    for o in names:
        out[o] = QualityReport(
            office=o,
            files=files_of.get(o, q.files),
            rows_read=read[o],
            rows_kept=int(kept.get(o, 0)),
            rows_quarantined=int(quarantined.get(o, 0)),
            events=int(events.get(o, 0)),
            by_reason=part(reasons, o),
            by_column=part(columns, o),
            flags=(flags.get(o, {}) if flags is not None else dict(q.flags) if o == holder else {}),
            notes=dict(q.notes) if o == holder else {},
            quarantine_file=q.quarantine_file,
            profile=q.profile,
            start_rows_merged=(int(merged.get(o, 0)) if merged is not None else q.start_rows_merged if o == holder else 0),
            dropped_columns=q.dropped_columns,
            pseudonymised=q.pseudonymised,
            land=q.land,
        )
    if extra > 0:
        out[UNATTRIBUTED] = QualityReport(
            office=UNATTRIBUTED, files=q.files, rows_read=extra, rows_kept=extra, rows_quarantined=0, events=0,
            quarantine_file=q.quarantine_file, profile=q.profile, land=q.land,
        )
    return out


def _default_office(q: QualityReport, prof: Profile | None, seen: set[str]) -> str:
    """The office the normaliser gives rows without an office value (its ``_office_name``)."""
    unseen = set(q.office.split(",")) - seen
    if q.office in seen or "," not in q.office or len(unseen) > 1:  # one name, not the joined office list
        return q.office
    if unseen:  # the joined list names every row's office, the default included: the one no value gave
        return unseen.pop()
    if prof is not None and prof.office:
        return prof.office
    import os

    stems = [f.split(".")[0] for f in q.files] or [q.office]
    if len(stems) == 1:
        return stems[0] or "office"
    return os.path.commonprefix(stems).rstrip("_- .") or stems[0]


def _flags_by_office(log: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Flag -> events per office from the log's ``quality_flags`` column (comma-separated flag codes)."""
    from procmine import schema

    qf = log["quality_flags"]
    combo = log.groupby([log[schema.OFFICE].astype(str), qf.astype(object)], sort=False, dropna=True).size()
    out: dict[str, dict[str, int]] = {}
    for (office, label), n in combo.items():
        for flag in str(label).split(","):
            d = out.setdefault(str(office), {})
            d[flag] = d.get(flag, 0) + int(n)
    return out


def _files_by_office(
    log_office: pd.Series, log_file: pd.Series, q_office: pd.Series, quar: pd.DataFrame, order: tuple[str, ...]
) -> dict[str, tuple[str, ...]]:
    """The source files that contributed rows (kept or quarantined) to each office, in the report's order."""
    import pandas as pd

    pairs = pd.concat(
        [
            pd.DataFrame({"o": log_office.to_numpy(), "f": log_file.astype(object).to_numpy()}),
            pd.DataFrame({"o": q_office.to_numpy(), "f": quar["source_file"].astype(object).to_numpy() if len(quar) else []}),
        ],
        ignore_index=True,
    ).dropna().drop_duplicates()
    rank = {f: i for i, f in enumerate(order)}
    out: dict[str, tuple[str, ...]] = {}
    for office, grp in pairs.groupby("o", sort=False)["f"]:
        out[str(office)] = tuple(sorted(map(str, grp), key=lambda f: (rank.get(f, len(rank)), f)))
    return out
