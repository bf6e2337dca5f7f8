"""Files in, files out: read an export with its profile, normalise it, write the log and quarantine."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import overload

import numpy as np
import pandas as pd

from procmine import runtime
from procmine.errors import InputProblem
from procmine.ingest import RawTable, read_preview, read_table
from procmine.ingest.raw import without_columns
from procmine.labels_de import messages as messages_de
from procmine.normalise.normaliser import normalise
from procmine.normalise.profile_choice import choose_profile, matching_profile
from procmine.normalise.result import NormaliseResult, Progress
from procmine.normalise.write import _write
from procmine.privacy import with_privacy_record
from procmine.profiles import Profile, folder_profiles, get_profile


def _resolve_profile(profile: Profile | str | Path | None, folder: Path) -> Profile | None:
    if profile is None or isinstance(profile, Profile):
        return profile
    return get_profile(str(profile), folder_profiles(folder))


def read_with_profile(
    path: Path,
    profile: Profile | str | Path | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> tuple[RawTable, Profile]:
    """Read a file with its profile (chosen from the header when none is given); progress per piece read.

    ``encoding`` / ``delimiter`` override what the profile says or the detection finds.
    """
    prof = _with_overrides(_resolve_profile(profile, path.parent), encoding, delimiter)
    if prof is None and not encoding and not delimiter:  # a profile that fits the header: one read, with it
        preview = read_preview(path, sheet=sheet)  # the header decides the profile
        prof = matching_profile(preview, path.parent) if preview is not None else None
        if prof is not None:
            return read_table(path, prof, sheet=sheet, progress=progress), prof
    if prof is None:
        raw = read_table(path, sheet=sheet, progress=progress, encoding=encoding, delimiter=delimiter)
        prof = _with_overrides(choose_profile(raw, path.parent), encoding, delimiter)
        if (prof.encoding not in ("auto", raw.encoding)) or (prof.delimiter not in ("auto", raw.delimiter)) or (prof.sheet and prof.sheet != raw.sheet):
            raw = read_table(path, prof, sheet=sheet, progress=progress)
        else:  # read already: the profile's personal columns are dropped before anything else sees them
            raw = without_columns(raw, prof.never_load())
    else:
        raw = read_table(path, prof, sheet=sheet, progress=progress)
    return raw, prof


@overload
def _with_overrides(prof: Profile, encoding: str | None, delimiter: str | None) -> Profile: ...
@overload
def _with_overrides(prof: None, encoding: str | None, delimiter: str | None) -> None: ...
def _with_overrides(prof: Profile | None, encoding: str | None, delimiter: str | None) -> Profile | None:
    """The profile with the caller's encoding and delimiter (when given) in place of its own."""
    if prof is None or (not encoding and not delimiter):
        return prof
    return replace(prof, encoding=encoding or prof.encoding, delimiter=delimiter or prof.delimiter)


@runtime.without_cycle_collection()
def ingest_file(
    path: str | Path,
    out_dir: str | Path,
    profile: Profile | str | Path | None = None,
    key: bytes | None = None,
    progress: Progress | None = None,
    sheet: str | None = None,
    now: pd.Timestamp | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> NormaliseResult:
    """Read, normalise and write one export: ``<office>.parquet`` and ``<office>.quarantine.csv``.

    ``encoding`` / ``delimiter`` override detection and profile (e.g. ``"cp1252"``, ``";"``).
    """
    path = Path(path)
    if progress:
        progress(0, None)
    raw, prof = read_with_profile(path, profile, sheet, progress, encoding=encoding, delimiter=delimiter)
    if progress:
        progress(0, raw.rows_read)
    result = with_privacy_record(normalise(raw, prof, key=key, now=now), raw)
    rows = raw.rows_read
    del raw  # the cells are no longer needed: free them before the Parquet copy of the log is made
    runtime.release_free_memory()
    if progress:
        progress(rows, rows)
    return _write(result, Path(out_dir), path.name.split(".")[0])


def concat_raw(tables: list[RawTable]) -> RawTable:
    """Several exports of one shape as one RawTable (union of columns, provenance per row)."""
    if len(tables) == 1:
        return tables[0]
    cols: list[str] = []
    for t in tables:
        cols += [c for c in t.columns if c not in cols]
    frames = []
    for t in tables:
        f = t.data.copy()
        for c in cols:
            if c not in f.columns:
                f[c] = pd.Series(pd.Categorical([None] * len(f)), index=f.index)
        frames.append(f[cols].astype(object))
    data = pd.concat(frames, ignore_index=True)
    data = data.where(data.notna(), None)
    data = pd.DataFrame({c: data[c].astype("category") for c in cols})
    files = pd.Categorical(np.concatenate([np.asarray(t.source_file, dtype=object) for t in tables]),
                           categories=list(dict.fromkeys(f for t in tables for f in t.source_file.categories)))
    notes: dict[str, int] = {}
    for t in tables:
        for k, v in t.notes.items():
            notes[k] = notes.get(k, 0) + v
    rejected = pd.concat([t.rejected for t in tables if len(t.rejected)], ignore_index=True) if any(len(t.rejected) for t in tables) else tables[0].rejected
    dups = tuple(dict.fromkeys(d for t in tables for d in t.duplicate_headers))
    first = tables[0]
    return RawTable(
        data=data, source_row=np.concatenate([t.source_row for t in tables]), source_file=files, path=None,
        format=first.format, sheet=first.sheet, sheets=first.sheets, encoding=first.encoding, delimiter=first.delimiter,
        header=tuple(cols), duplicate_headers=dups, rejected=rejected, notes=notes,
    )


@runtime.without_cycle_collection()
def ingest_office(
    paths: list[Path] | list[str],
    out_dir: str | Path,
    profile: Profile | str | Path | None = None,
    key: bytes | None = None,
    progress: Progress | None = None,
    office: str | None = None,
    now: pd.Timestamp | None = None,
    default_office: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> NormaliseResult:
    """Several exports of one office (e.g. monthly) as one log; rows repeated across files are quarantined
    as exact_duplicate and counted in ``quality.notes['duplicates_across_files']``.

    The office is ``office``, else the profile's, else ``default_office``, else the files' common stem.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise InputProblem(
            code="no_files",
            file="",
            found=messages_de.problem("no_files", "found"),
            expected=messages_de.problem("no_files", "expected"),
            hint=messages_de.problem("no_files", "hint"),
        )
    tables: list[RawTable] = []
    prof: Profile | None = None
    for p in paths:
        raw, pr = read_with_profile(p, profile if profile is not None else prof, sheet, encoding=encoding, delimiter=delimiter)
        prof = prof or pr
        tables.append(raw)
        if progress:
            progress(sum(t.rows_read for t in tables), None)
    assert prof is not None
    raw = concat_raw(tables)
    name = office or prof.office or default_office or _common_stem([p.name.split(".")[0] for p in paths])
    result = with_privacy_record(normalise(raw, prof, key=key, now=now, office=name), raw)
    if progress:
        progress(raw.rows_read, raw.rows_read)
    return _write(result, Path(out_dir), name)


def _common_stem(stems: list[str]) -> str:
    prefix = os.path.commonprefix(stems).rstrip("_- .")
    return prefix or stems[0]
