"""XLSX/XLS reader (python-calamine): lists all sheets, reads one, renders cells as text."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from procmine import limits
from procmine.errors import InputProblem
from procmine.ingest.raw import (
    REJECT_COLUMNS,
    RawTable,
    blank_rows,
    clean_categorical,
    frame_from_columns,
    make_raw,
    unique_headers,
)
from procmine.labels_de.messages import REJECT_FOUND, problem
from procmine.labels_de.safety import limit_text


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


def _bad_workbook(path: Path, found: str, expected: str = problem("bad_workbook", "expected")) -> InputProblem:
    return InputProblem(
        code="bad_workbook", file=path.name, found=found, expected=expected,
        hint=problem("bad_workbook", "hint"),
    )


def _open(path: Path):  # type: ignore[no-untyped-def]
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as err:  # noqa: BLE001 - calamine raises several types for broken files
        raise _bad_workbook(path, problem("bad_workbook", "found_unopenable", error=type(err).__name__),
                            problem("bad_workbook", "expected_unopenable")) from None


def _sheet_rows(book, name: str, path: Path) -> list[list[object]]:  # type: ignore[no-untyped-def]
    """All rows of one sheet as Python values; a damaged sheet (broken zip entry, bad XML) is a clear problem."""
    try:
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as err:  # noqa: BLE001 - calamine raises several types for damaged sheets
        raise InputProblem(
            code="bad_workbook",
            file=path.name,
            sheet=name,
            found=problem("bad_workbook", "found_sheet", error=f"{type(err).__name__}: {str(err)[:120]}"),
            expected=problem("bad_workbook", "expected_sheet"),
            hint=problem("bad_workbook", "hint_sheet"),
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


_CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,8})"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="(?:[A-Z]{1,3}[0-9]{1,8}:)?([A-Z]{1,3})([0-9]{1,8})"')
SCAN_CHUNK = 4 << 20


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def check_xlsx(path: Path) -> None:
    """Refuse a workbook before the reader allocates it: the entries' expanded size (zip bombs), and per sheet
    the largest row and column its ``<dimension>`` and cells name (a single cell at XFD1048576 would make
    the reader allocate 17 billion cells). Streams each sheet's XML once, stopping at the size limit."""
    import zipfile

    lim = limits.current()
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            limits.check(path.name, "max_decompressed_bytes", sum(i.file_size for i in infos), limit_text("decompressed_size"))
            for info in infos:
                if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                    continue
                rows = cols = 0
                seen = 0
                tail = b""
                with zf.open(info) as fh:
                    while chunk := fh.read(SCAN_CHUNK):
                        seen += len(chunk)
                        if seen > lim.max_decompressed_bytes:
                            raise limits.over_limit(path.name, "max_decompressed_bytes", seen, limit_text("decompressed_size"))
                        text = tail + chunk
                        for m in (*_DIMENSION.finditer(text), *_CELL_REF.finditer(text)):
                            cols = max(cols, _column_number(m.group(1)))
                            rows = max(rows, int(m.group(2)))
                        tail = text[-64:]
                where = {"sheet": info.filename}
                limits.check(path.name, "max_sheet_rows", rows, limit_text("sheet_rows"), **where)
                limits.check(path.name, "max_columns", cols, limit_text("sheet_columns"), **where)
                limits.check(path.name, "max_sheet_cells", rows * cols, limit_text("sheet_cells"),
                             **where)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error) as err:
        raise _bad_workbook(path, problem("bad_workbook", "found_archive", error=type(err).__name__),
                            problem("bad_workbook", "expected_archive")) from None


def _skipped_sheet_rows(path: Path, skipped: list[tuple[str, list[list[object]], int]]) -> pd.DataFrame:
    """The data rows of sheets with a table that were not read (another header), as rejected rows: counted
    as quarantined with reason ``sheet_not_read``, never dropped unseen."""
    parts = []
    for name, data, h in skipped:
        body = data[h + 1 :]
        filled = np.asarray([any(c not in (None, "") for c in r) for r in body], dtype=bool)
        numbers = np.arange(h + 2, h + 2 + len(body), dtype=np.int64)[filled]
        parts.append(pd.DataFrame({"source_file": f"{path.name} [{name}]", "source_row": numbers,
                                   "reason": "sheet_not_read", "column": None,
                                   "found": REJECT_FOUND["sheet_not_read"].format(sheet=name)},
                                  columns=REJECT_COLUMNS))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=REJECT_COLUMNS)


def read_excel_file(
    path: Path, sheet: str | None = None, exclude: tuple[str, ...] = (), want_columns: tuple[str, ...] = ()
) -> RawTable:
    """Read one sheet: the named one, else the first whose header has ``want_columns``, else the first with data.

    Sheets with a table of another header are not read; their data rows are counted as quarantined
    (``sheet_not_read``). A workbook over the limits is refused before it is read (``check_xlsx``)."""
    if _workbook_format(path) == "xlsx":
        check_xlsx(path)
    else:  # legacy .xls: no dimension check before reading, so it is read in a child process
        return _read_isolated(path, sheet, exclude, want_columns)
    return _read_workbook(path, sheet, exclude, want_columns)


def _read_in_child(path: Path, sheet: str | None, exclude: tuple[str, ...], want_columns: tuple[str, ...],
                   lim: limits.Limits) -> RawTable | dict[str, object]:
    """Child side of ``_read_isolated``: the table, or the problem's fields (exceptions with required fields
    do not survive pickling)."""
    from dataclasses import asdict

    with limits.using(lim):
        try:
            return _read_workbook(path, sheet, exclude, want_columns)
        except InputProblem as problem:
            return asdict(problem)


CHILD_READER = _read_in_child  # what the child process runs (a test replaces it with one that aborts)


def _read_isolated(path: Path, sheet: str | None, exclude: tuple[str, ...], want_columns: tuple[str, ...]) -> RawTable:
    """Read a workbook in a child process: a reader that aborts (a crafted file asking for a huge allocation)
    ends the child, not the run; that file is refused with a message."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
            out = pool.submit(CHILD_READER, path, sheet, exclude, want_columns, limits.current()).result()
    except (BrokenProcessPool, MemoryError) as err:
        raise _bad_workbook(path, problem("bad_workbook", "found_aborted", error=type(err).__name__)) from None
    if isinstance(out, dict):
        raise InputProblem(**out)  # type: ignore[arg-type]
    return out


def _read_workbook(
    path: Path, sheet: str | None, exclude: tuple[str, ...], want_columns: tuple[str, ...]
) -> RawTable:
    """``read_excel_file`` in this process (an .xlsx checked by ``check_xlsx`` first)."""
    book = _open(path)
    names = list(book.sheet_names)
    if sheet is not None and sheet not in names:
        raise InputProblem(
            code="missing_sheet",
            file=path.name,
            found=problem("missing_sheet", "found", sheet=sheet),
            expected=problem("missing_sheet", "expected", sheets=", ".join(names)),
            hint=problem("missing_sheet", "hint"),
        )
    candidates = [sheet] if sheet else names
    chosen: str | None = None
    rows: list[list[object]] = []
    first_nonempty: tuple[str, list[list[object]]] | None = None
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
        # sheets not read: those sharing a column with the chosen header hold rows of the same export (one
        # column more, a later month): their rows are quarantined; the rows of unrelated sheets (a summary)
        # are counted in a note
        chosen_header = set(_header_key(best[0][1][best[0][2]])) - {""}
        others = [t for t in tables if all(t is not b for b in best)]
        related = [t for t in others if chosen_header & set(_header_key(t[1][t[2]]))]
        skipped = _skipped_sheet_rows(path, related)
        unrelated = len(_skipped_sheet_rows(path, [t for t in others if all(t is not r for r in related)]))
        if len(best) > 1 and not sheet:
            raw = _with_rejected(_read_sheets(path, best, names, exclude), skipped)
        else:
            chosen, rows, _ = best[0]
            raw = _with_rejected(_table_from_rows(path, chosen, rows, names, exclude), skipped)
        if unrelated:
            raw.notes["rows_in_other_sheets"] = unrelated
        return raw
    if chosen is None:
        if first_nonempty is None:
            raise InputProblem(
                code="empty_file",
                file=path.name,
                found=problem("empty_workbook", "found", sheets=", ".join(names)),
                expected=problem("empty_workbook", "expected"),
                hint=problem("empty_workbook", "hint"),
            )
        chosen, rows = first_nonempty
    return _table_from_rows(path, chosen, rows, names, exclude)


def _with_rejected(raw: RawTable, rejected: pd.DataFrame) -> RawTable:
    if not len(rejected):
        return raw
    both = pd.concat([raw.rejected, rejected], ignore_index=True) if len(raw.rejected) else rejected
    return replace(raw, rejected=both)


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
