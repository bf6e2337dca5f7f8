"""Which profile reads a file: a folder's or a built-in profile whose match_columns fit the header, else
a suggested one."""

from __future__ import annotations

from pathlib import Path

from procmine.errors import InputProblem
from procmine.ingest import RawTable
from procmine.labels_de import messages as messages_de
from procmine.normalise.columns import resolve_columns
from procmine.profiles import (
    FIELDS,
    Profile,
    builtin_profiles,
    folder_profiles,
    match_profile,
    suggest_profile,
)


def matching_profile(raw: RawTable, folder: Path | None = None) -> Profile | None:
    """The folder's or a built-in profile whose match_columns fit the header (None when none fits)."""
    have = set(raw.columns)
    for candidates in ((folder_profiles(folder) if folder is not None else []), builtin_profiles()):
        hit = match_profile(raw.columns, [p for p in candidates if all(c in have for c in p.used_columns())])
        if hit is not None:  # the analyst's folder profiles before the built-in ones
            return hit
    return None


def choose_profile(raw: RawTable, folder: Path | None = None) -> Profile:
    """The folder's or a built-in profile whose match_columns fit the header, else a suggested one."""
    hit = matching_profile(raw, folder)
    if hit is not None:
        return hit
    candidates = (folder_profiles(folder) if folder is not None else []) + builtin_profiles()
    partial = match_profile(raw.columns, candidates)
    prof = suggest_profile(raw)
    needed = ["case_id"] + ([] if prof.shape == "milestones" else ["activity", "end"])
    missing = [f for f in needed if f not in prof.columns and not (f == "end" and "end_date" in prof.columns)]
    if missing and partial is not None:
        resolve_columns(raw, partial)  # raises: names the missing column and the nearest match
    if missing:
        code = "unrecognised_columns"
        raise InputProblem(
            code=code,
            file=raw.file,
            sheet=raw.sheet,
            row=1,
            found=messages_de.problem(code, "found", fields=", ".join(FIELDS.get(f, f) for f in missing)),
            expected=messages_de.problem(code, "expected"),
            hint=messages_de.problem(code, "hint"),
            details=[messages_de.COLUMNS_PRESENT.format(columns=", ".join(raw.columns[:40]))]
            + ([messages_de.problem(code, "sheets", sheets=", ".join(raw.sheets))] if len(raw.sheets) > 1 else []),
        )
    return prof
