"""``procmine inspect``: how a new export reads, a masked preview and the profile to confirm."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from procmine.ingest import RawTable, read_table
from procmine.labels_de import messages as messages_de
from procmine.normalise.files import _with_overrides
from procmine.normalise.profile_choice import matching_profile
from procmine.profiles import FIELDS, Profile, suggest_profile


@dataclass(frozen=True)
class InspectReport:
    """What ``procmine inspect`` shows: how the file was read, a preview and the profile to confirm."""

    text: str
    profile: Profile
    matched: bool  # True when an existing (built-in or folder) profile fits the file
    raw: RawTable


def inspect_file(
    path: str | Path, sheet: str | None = None, preview_rows: int = 5, encoding: str | None = None, delimiter: str | None = None
) -> InspectReport:
    """Sniff a new export: encoding, delimiter, sheets, columns, a preview and a suggested profile.

    Personal columns (names, birth dates, Aktenzeichen, notes ...) and staff columns are masked in the preview.
    """
    path = Path(path)
    raw = read_table(path, sheet=sheet, encoding=encoding, delimiter=delimiter)
    hit = matching_profile(raw, path.parent)
    prof = _with_overrides(hit if hit is not None else suggest_profile(raw), encoding, delimiter)
    lines = _file_lines(path, raw) + [""] + _profile_lines(prof, matched=hit is not None) + [""] + _preview_lines(raw, prof, preview_rows)
    return InspectReport(text="\n".join(lines), profile=prof, matched=hit is not None, raw=raw)


def _file_lines(path: Path, raw: RawTable) -> list[str]:
    """How the file was read: format, encoding, delimiter, sheets, rows and columns."""
    t = messages_de.INSPECT
    lines = [t["file"].format(name=path.name), t["format"].format(format=raw.format)]
    if raw.encoding:
        lines.append(t["encoding"].format(encoding=raw.encoding))
    if raw.delimiter:
        lines.append(t["delimiter"].format(delimiter=messages_de.DELIMITER_NAMES.get(raw.delimiter, raw.delimiter)))
    if raw.sheets:
        lines.append(t["sheets"].format(sheets=", ".join(raw.sheets), sheet=raw.sheet))
    lines.append(t["rows"].format(rows=messages_de.int_de(raw.rows_read)))
    lines.append(t["columns"].format(count=len(raw.columns), columns=", ".join(raw.columns)))
    if raw.duplicate_headers:
        lines.append(t["duplicate_headers"].format(columns=", ".join(raw.duplicate_headers)))
    return lines


def _profile_lines(prof: Profile, matched: bool) -> list[str]:
    """The profile to confirm: its shape, the mapped columns, milestones, dropped and extra columns."""
    t = messages_de.INSPECT
    lines = [t["profile_matched" if matched else "profile_suggested"].format(name=prof.name), t["shape"].format(shape=prof.shape)]
    for fld, col in prof.columns.items():
        lines.append(t["field"].format(field_label=FIELDS.get(fld, fld), field=fld, column=col))
        if fld == "case_id" and prof.case_id_with:
            lines.append(t["case_id_with"].format(columns=", ".join(f"'{c}'" for c in prof.case_id_with)))
    starts = {end: start for start, end in prof.milestone_starts.items()}
    for col, label in prof.milestones.items():
        start = t["milestone_start"].format(column=starts[col]) if col in starts else ""
        lines.append(t["milestone"].format(column=col, label=label) + start)
    if prof.privacy_drop:
        lines.append(t["privacy_drop"].format(columns=", ".join(prof.privacy_drop)))
    if prof.extra:
        lines.append(t["extra"].format(columns=", ".join(prof.extra)))
    missing = [f for f in ("case_id", "activity") if f not in prof.columns and not (f == "activity" and prof.shape == "milestones")]
    if "end" not in prof.columns and "end_date" not in prof.columns and prof.shape != "milestones":
        missing.append("end")
    if missing:
        lines.append(t["missing"].format(fields=", ".join(FIELDS.get(f, f) for f in missing)))
    return lines


def _preview_lines(raw: RawTable, prof: Profile, preview_rows: int) -> list[str]:
    """The first rows, personal and staff columns masked."""
    preview = raw.preview(preview_rows)
    masked = _preview_masked_columns(raw.columns, prof)
    for c in preview.columns:
        if c in masked:
            preview[c] = messages_de.MASKED
    t = messages_de.INSPECT
    return [
        t["preview"].format(rows=min(preview_rows, len(raw.data))),
        preview.to_string(index=False, max_colwidth=30) if len(preview) else t["no_rows"],
    ]


def _preview_masked_columns(columns: list[str], prof: Profile) -> set[str]:
    """Columns whose values ``inspect`` hides: personal ones, the profile's dropped ones, the staff column it maps
    to resource and unmapped staff-like ones; the case id and the other mapped columns stay readable."""
    from procmine.profiles import is_personal, is_staff_like

    mapped = {col for fld, col in prof.columns.items() if fld != "resource"}
    staff = {c for c in columns if is_staff_like(c) and c not in mapped}
    resource = {prof.columns["resource"]} if "resource" in prof.columns else set()
    return set(prof.privacy_drop) | {c for c in columns if is_personal(c)} | staff | resource
