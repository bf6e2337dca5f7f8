"""XLSX/XLS reader (python-calamine): lists all sheets, reads one, renders cells as text."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from procmine.errors import InputProblem
from procmine.ingest.raw import RawTable, blank_rows, clean_categorical, frame_from_columns, make_raw, unique_headers


def _cell_text(value: object) -> str | None:
    """One cell as text: dates ISO, times HH:MM:SS, whole floats without '.0'."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes" if value.second == value.microsecond == 0 else "auto")
    if isinstance(value, dt.time):
        return value.isoformat(timespec="minutes" if value.second == value.microsecond == 0 else "auto")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        secs = int(value.total_seconds())
        return f"{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"
    return str(value)


def _text_column(cells: tuple | list) -> pd.Series:
    """One column of cells as a cleaned Categorical of their text: each distinct cell rendered once."""
    codes, uniques = pd.factorize(pd.Series(cells, dtype=object), use_na_sentinel=True)
    texts = np.asarray([_cell_text(u) for u in uniques], dtype=object)
    tcodes, tuniq = pd.factorize(pd.Series(texts, dtype=object), use_na_sentinel=True)  # 1.0 and "1" read alike
    lookup = np.append(tcodes, -1)  # missing cells (code -1) take the last entry
    cat = pd.Categorical.from_codes(lookup[codes], categories=pd.Index(np.asarray(tuniq, dtype=object), dtype=object))
    return clean_categorical(pd.Series(cat))


def list_sheets(path: Path) -> list[str]:
    """Names of all sheets of a workbook, in order."""
    return list(_open(path).sheet_names)


def _open(path: Path):  # type: ignore[no-untyped-def]
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as err:  # noqa: BLE001 - calamine raises several types for broken files
        raise InputProblem(
            code="bad_workbook",
            file=path.name,
            found=f"eine Arbeitsmappe, die sich nicht öffnen lässt ({type(err).__name__})",
            expected="eine gültige Excel-Datei (.xlsx oder .xls), nicht kennwortgeschützt",
            hint="Öffnen Sie die Datei in Excel, speichern Sie sie als .xlsx neu und versuchen Sie es erneut.",
        ) from None


def _sheet_rows(book, name: str, path: Path) -> list[list[object]]:  # type: ignore[no-untyped-def]
    """All rows of one sheet as Python values; a damaged sheet (broken zip entry, bad XML) is a clear problem."""
    try:
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as err:  # noqa: BLE001 - calamine raises several types for damaged sheets
        raise InputProblem(
            code="bad_workbook",
            file=path.name,
            sheet=name,
            found=f"ein beschädigtes Tabellenblatt ({type(err).__name__}: {str(err)[:120]})",
            expected="eine vollständige Excel-Datei (.xlsx oder .xls)",
            hint="Öffnen Sie die Datei in Excel, speichern Sie sie als .xlsx neu oder exportieren Sie sie erneut.",
        ) from None


def _workbook_format(path: Path) -> str:
    """The workbook kind, xls (legacy OLE2/BIFF) or xlsx, from its magic bytes (the name may lie)."""
    with path.open("rb") as fh:
        return "xls" if fh.read(4) == b"\xd0\xcf\x11\xe0" else "xlsx"


def _header_row(rows: list[list[object]]) -> int:
    """Index of the header: the first row that fills at least half of the widest of the first rows."""
    widths = [sum(c not in (None, "") for c in r) for r in rows[:30]]
    if not widths or max(widths) == 0:
        return 0
    need = max(2, (max(widths) + 1) // 2) if max(widths) > 1 else 1
    for i, w in enumerate(widths):
        if w >= need:
            return i
    return 0


def read_excel_file(
    path: Path, sheet: str | None = None, exclude: tuple[str, ...] = (), want_columns: tuple[str, ...] = ()
) -> RawTable:
    """Read one sheet: the named one, else the first whose header has ``want_columns``, else the first with data."""
    book = _open(path)
    names = list(book.sheet_names)
    if sheet is not None and sheet not in names:
        raise InputProblem(
            code="missing_sheet",
            file=path.name,
            found=f"kein Blatt '{sheet}'",
            expected="eines der Blätter: " + ", ".join(names),
            hint="Tragen Sie im Profil unter sheet den richtigen Blattnamen ein.",
        )
    candidates = [sheet] if sheet else names
    chosen, rows = None, []
    first_nonempty = None
    tables: list[tuple[str, list[list[object]], int]] = []  # sheets with a real header: name, rows, header index
    for name in candidates:
        data = _sheet_rows(book, name, path)
        if not any(any(c not in (None, "") for c in r) for r in data[:50]):
            continue
        if first_nonempty is None:
            first_nonempty = (name, data)
        h0 = _header_row(data)
        if sum(c not in (None, "") for c in data[h0]) < 2 and not sheet:
            continue  # a title or info sheet; prefer a sheet with a real header
        if want_columns:
            header = {str(c).strip() for c in data[h0]}
            if all(w in header for w in want_columns):
                tables.append((name, data, h0))
        else:
            tables.append((name, data, h0))
    if tables:
        # sheets of one header (monthly sheets of one export) are read as one table; of several headers, the
        # one with the most rows in all its sheets (a summary sheet before the data has few)
        groups: dict[tuple[str, ...], list[tuple[str, list[list[object]], int]]] = {}
        for t in tables:
            groups.setdefault(_header_key(t[1][t[2]]), []).append(t)
        best = max(groups.values(), key=lambda g: sum(len(d) - h - 1 for _, d, h in g))  # ties: the earlier
        if len(best) > 1 and not sheet:
            return _read_sheets(path, best, names, exclude)
        chosen, rows, _ = best[0]
    if chosen is None:
        if first_nonempty is None:
            raise InputProblem(
                code="empty_file",
                file=path.name,
                found="nur leere Blätter (" + ", ".join(names) + ")",
                expected="ein Blatt mit Kopfzeile und Daten",
                hint="Prüfen Sie, ob der Export vollständig erstellt wurde.",
            )
        chosen, rows = first_nonempty
    return _table_from_rows(path, chosen, rows, names, exclude)


def _header_key(row: list[object]) -> tuple[str, ...]:
    """A header row for comparing sheets: cell texts, trailing blanks cut."""
    cells = [(_cell_text(c) or "").strip() for c in row]
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells)


def _read_sheets(path: Path, tables: list[tuple[str, list[list[object]], int]], names: list[str],
                 exclude: tuple[str, ...]) -> RawTable:
    """Several sheets of one header as one table; each row's source is ``<file> [<sheet>]``, rows numbered
    as each sheet shows them."""
    parts = [_table_from_rows(path, name, data, names, exclude) for name, data, _ in tables]
    frame = pd.concat([p.data for p in parts], ignore_index=True)
    for col in frame.columns:  # categories differ between sheets: one categorical again
        frame[col] = clean_categorical(frame[col].astype(object).where(frame[col].notna(), None))
    labels = [f"{path.name} [{name}]" for name, _, _ in tables]
    codes = np.concatenate([np.full(len(p.data), i, dtype=np.int32) for i, p in enumerate(parts)])
    notes: dict[str, int] = {}
    for p in parts:
        for k, v in p.notes.items():
            notes[k] = notes.get(k, 0) + v
    notes["sheets_read_together"] = len(parts)
    first = parts[0]
    return replace(
        first,
        data=frame,
        source_row=np.concatenate([p.source_row for p in parts]),
        source_file=pd.Categorical.from_codes(codes, categories=labels),
        sheet=", ".join(name for name, _, _ in tables),
        notes=notes,
    )


def _table_from_rows(path: Path, chosen: str, rows: list[list[object]], names: list[str],
                     exclude: tuple[str, ...]) -> RawTable:
    """One sheet's rows (header found in the first rows, title lines above it skipped) as a RawTable."""
    h = _header_row(rows)
    raw_header = [_cell_text(c) or "" for c in rows[h]]
    width = max(len(raw_header), max((len(r) for r in rows), default=0))
    raw_header += [""] * (width - len(raw_header))
    header, dups = unique_headers(raw_header)
    body = rows[h + 1 :]
    numbers = np.arange(h + 2, h + 2 + len(body), dtype=np.int64)
    excluded = set(exclude)
    transposed = list(itertools.zip_longest(*body, fillvalue=None)) if body else []
    cols: dict[str, pd.Series] = {}
    for j, name in enumerate(header):
        if name in excluded:
            continue
        cells = transposed[j] if j < len(transposed) else (None,) * len(body)
        cols[name] = _text_column(cells)
    frame = pd.DataFrame(cols) if cols else frame_from_columns({})
    if not len(frame.columns) and len(body):
        frame = pd.DataFrame(index=range(len(body)))
    notes: dict[str, int] = {}
    blank = blank_rows(frame)
    if blank.any():
        notes["blank_rows_skipped"] = int(blank.sum())
        frame, numbers = frame.loc[~blank].reset_index(drop=True), numbers[~blank]
    if h:
        notes["preamble_lines_skipped"] = h
    return make_raw(
        frame,
        path.name,
        source_row=numbers,
        path=path,
        format=_workbook_format(path),
        sheet=chosen,
        sheets=tuple(names),
        header=tuple(raw_header),
        duplicate_headers=tuple(dups),
        notes=notes,
    )
