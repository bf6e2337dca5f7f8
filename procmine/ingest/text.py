"""CSV/TXT reader: encoding and delimiter sniffing, fast pyarrow parse, careful fallback for broken rows."""

from __future__ import annotations

import codecs
import csv
import functools
import io
import mmap
import os
import re
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypedDict

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from procmine import limits
from procmine.errors import InputProblem
from procmine.ingest.raw import (
    REJECT_COLUMNS,
    RawTable,
    blank_rows,
    categorical_from_unique,
    clean_categorical,
    frame_from_columns,
    make_raw,
    unique_headers,
)
from procmine.labels_de.messages import REJECT_FOUND, problem
from procmine.labels_de.safety import limit_text
from procmine.runtime import reading_pool
from procmine.schema import codes_of

DELIMITERS = (";", ",", "\t", "|")
SAMPLE_BYTES = 256 * 1024
ENCODING_ALIASES = {
    "utf8": "utf-8",
    "utf-8-bom": "utf-8-sig",
    "windows-1252": "cp1252",
    "latin-1": "iso-8859-1",
    "latin1": "iso-8859-1",
    "latin-9": "iso-8859-15",
    "unicode": "utf-16",
}
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CP1252_UNDEFINED = set(b"\x81\x8d\x8f\x90\x9d")
_GERMAN_LETTERS_CP1252 = set("äöüßÄÖÜ".encode("cp1252"))
CP1252_REPLACE = "cp1252+replace"


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    """Decode error handler: bytes that are not UTF-8 are read as Windows-1252 (mixed-encoding files)."""
    if not isinstance(err, UnicodeDecodeError):
        raise err  # a handler for decoding only (the codec machinery passes any UnicodeError)
    bad = err.object[err.start : err.end]
    return bad.decode("cp1252", errors="replace"), err.end


codecs.register_error("procmine_cp1252", _cp1252_fallback)


def _binary_problem(file: str, found: str, hint: str = "") -> InputProblem:
    return InputProblem(
        code="not_a_table",
        file=file,
        found=found,
        expected=problem("not_a_table", "expected"),
        hint=hint or problem("not_a_table", "hint"),
    )


def _starts(data: bytes | mmap.mmap, prefix: bytes) -> bool:
    """``data.startswith(prefix)`` for bytes and memory-mapped files alike."""
    return data[: len(prefix)] == prefix


def _as_bytes(data: bytes | mmap.mmap) -> bytes:
    """The whole content as bytes (a copy only for a memory-mapped file)."""
    return data if isinstance(data, bytes) else data[:]


def _head(data: bytes | mmap.mmap, size: int = 4 * SAMPLE_BYTES) -> bytes | mmap.mmap:
    """The first lines of ``data`` (about ``size`` bytes, cut after a line end: never inside a character);
    all of ``data`` when the first ``size`` bytes hold no line end (a memory-mapped file stays mapped)."""
    if len(data) <= size:
        return _as_bytes(data)
    cut = data.rfind(b"\n", 0, size)
    return data[: cut + 1] if cut > 0 else data


def sniff_encoding(data: bytes | mmap.mmap, file: str = "", head_only: bool = False) -> str:
    """Guess the text encoding: BOMs, UTF-16 without BOM, UTF-8, mixed, Windows-1252 vs ISO-8859-15.

    With ``head_only`` UTF-8 validity is checked on the first lines only (the caller has the parser
    check the rest and sniffs again in full when that fails).
    """
    if head_only:
        data = _head(data)
    if _starts(data, codecs.BOM_UTF8):
        return "utf-8-sig" if _utf8_error(data) is None else "mixed"
    if _starts(data, codecs.BOM_UTF16_LE) or _starts(data, codecs.BOM_UTF16_BE):
        return "utf-16"
    sample = data[:SAMPLE_BYTES]
    if b"\x00" in sample:
        even, odd = sample[0::2], sample[1::2]
        if len(odd) and odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le"
        if len(even) and even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be"
        raise _binary_problem(file, problem("not_a_table", "found_null_bytes"))
    if _utf8_error(data) is None:
        return "utf-8"
    if _has_utf8_sequence(data):
        return "mixed"
    present = _high_bytes(data)
    if present & _CP1252_UNDEFINED and present & _GERMAN_LETTERS_CP1252:
        return CP1252_REPLACE  # German Windows text with a few stray control bytes: those are replaced
    if present & _CP1252_UNDEFINED:
        try:
            from charset_normalizer import from_bytes

            best = from_bytes(sample).best()
            if best is not None:
                return str(best.encoding)
        except Exception:  # noqa: BLE001 - detection is best effort
            pass
        return "iso-8859-1"
    if 0xA4 in present and not any(0x80 <= b <= 0x9F for b in present):
        return "iso-8859-15"  # ¤ is rare in German text, € at 0xA4 is ISO-8859-15
    return "cp1252"


def _high_bytes(data: bytes | mmap.mmap, chunk: int = 8 << 20) -> set[int]:
    """The byte values >= 0x80 that occur (what tells Windows-1252 from ISO-8859-x), chunk by chunk."""
    view = np.frombuffer(data, dtype=np.uint8) if len(data) else np.zeros(0, dtype=np.uint8)
    found: set[int] = set()
    for start in range(0, len(view), chunk):
        v = view[start : start + chunk]
        found.update(np.unique(v[v >= 0x80]).tolist())
    return found


def _has_utf8_sequence(data: bytes | mmap.mmap, chunk: int = 4 << 20) -> bool:
    """Whether a valid UTF-8 multi-byte sequence occurs (as ``_UTF8_MULTIBYTE`` finds it), checked with
    vectorised byte tests; chunks overlap by 3 bytes so no sequence is missed at a seam."""
    view = np.frombuffer(data, dtype=np.uint8) if len(data) else np.zeros(0, dtype=np.uint8)
    for start in range(0, len(view), chunk):
        v = view[start : start + chunk + 3]
        if not (v >= 0xC2).any():
            continue
        cont = (v >= 0x80) & (v <= 0xBF)
        lead2 = (v[:-1] >= 0xC2) & (v[:-1] <= 0xDF) & cont[1:]
        if lead2.any():
            return True
        if len(v) >= 3 and ((v[:-2] >= 0xE0) & (v[:-2] <= 0xEF) & cont[1:-1] & cont[2:]).any():
            return True
        if len(v) >= 4 and ((v[:-3] >= 0xF0) & (v[:-3] <= 0xF4) & cont[1:-2] & cont[2:-1] & cont[3:]).any():
            return True
    return False


def _utf8_error(data: bytes | mmap.mmap, chunk: int = 4 << 20) -> UnicodeDecodeError | None:
    """Validate UTF-8 chunk by chunk (no full-size copy); the first error, or None."""
    dec = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    for start in range(0, len(data), chunk):
        try:
            dec.decode(view[start : start + chunk], final=start + chunk >= len(data))
        except UnicodeDecodeError as err:
            return UnicodeDecodeError("utf-8", bytes(data[start + err.start : start + err.end]), 0, 1, err.reason)
    return None


LAZY_UTF8 = "lazy"
LAZY_SINGLE_BYTE = "lazy_single_byte"
SINGLE_BYTE_CODECS = {"cp1252", "iso8859-1", "iso8859-15"}  # one byte per character: cut anywhere, decode by piece


@functools.cache
def _undefined_bytes(enc: str) -> frozenset[int]:
    """Byte values a single-byte codec cannot decode (Windows-1252: 0x81, 0x8D, 0x8F, 0x90, 0x9D)."""
    bad = set()
    for b in range(256):
        try:
            bytes([b]).decode(enc)
        except UnicodeDecodeError:
            bad.add(b)
    return frozenset(bad)


def _single_byte(enc: str) -> bool:
    try:
        return codecs.lookup(enc).name in SINGLE_BYTE_CODECS
    except LookupError:
        return False


def decode_text(
    data: bytes | mmap.mmap, encoding: str, file: str = "", lazy: bool = False, head_only: bool = False
) -> tuple[str, str, dict[str, int]]:
    """Decode with the given or sniffed encoding; returns (text, encoding used, notes).

    With ``lazy`` and valid UTF-8 only the first part is decoded (for sniffing); ``notes`` then holds
    no text and the caller parses the bytes directly. With ``head_only`` a head that is not UTF-8 gives
    no text at all (the caller then reads the whole file again without it).
    """
    notes: dict[str, int] = {}
    enc = ENCODING_ALIASES.get(encoding.lower(), encoding.lower()) if encoding else "auto"
    if enc == "auto":
        enc = sniff_encoding(data, file, head_only=head_only)
    if enc == "utf-8" and _starts(data, codecs.BOM_UTF8):
        enc = "utf-8-sig"
    if lazy and enc in ("utf-8", "utf-8-sig") and (encoding in ("auto", "", None) or _utf8_error(data) is None):
        sample = data[3 : 3 + (1 << 20)] if enc == "utf-8-sig" else data[: 1 << 20]
        text = sample.decode("utf-8", errors="ignore")
        _check_controls(text, file)
        return text, enc, {LAZY_UTF8: 1}
    if head_only:
        return "", enc, {}  # the head is not UTF-8: the caller sniffs and decodes the whole file instead
    if lazy and _single_byte(enc) and not (_high_bytes(data) & _undefined_bytes(enc)):
        text = data[: 1 << 20].decode(enc)  # the head for sniffing; the body is decoded piece by piece
        _check_controls(text, file)
        return text, enc, {LAZY_SINGLE_BYTE: 1}
    if enc == "mixed":
        text = _as_bytes(data).decode("utf-8", errors="procmine_cp1252")
        notes["mixed_encoding"] = 1
        enc = "utf-8+cp1252"
    elif enc == CP1252_REPLACE:
        raw_bytes = _as_bytes(data)
        text = raw_bytes.decode("cp1252", errors="replace")
        notes["undecodable_bytes_replaced"] = sum(raw_bytes.count(bytes([b])) for b in _CP1252_UNDEFINED)
        enc = "cp1252"
    else:
        if enc == "utf-8" and _starts(data, codecs.BOM_UTF8):
            enc = "utf-8-sig"
        try:
            text = _as_bytes(data).decode(enc)
        except LookupError:
            raise InputProblem(
                code="bad_encoding",
                file=file,
                found=problem("unknown_encoding", "found", encoding=encoding),
                expected=problem("unknown_encoding", "expected"),
                hint=problem("unknown_encoding", "hint"),
            ) from None
        except UnicodeDecodeError as err:
            raise InputProblem(
                code="bad_encoding",
                file=file,
                found=problem("wrong_encoding", "found", byte=repr(err.object[err.start:err.start + 1]), position=err.start,
                              encoding=enc),
                expected=problem("wrong_encoding", "expected", encoding=enc),
                hint=problem("wrong_encoding", "hint"),
            ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    _check_controls(text, file)
    return text, enc, notes


def _check_controls(text: str, file: str) -> None:
    probe = text[:SAMPLE_BYTES]
    controls = sum(probe.count(ch) for ch in map(chr, [*range(0, 9), 11, 12, *range(14, 32)]))
    if probe and controls > 0.01 * len(probe):
        raise _binary_problem(file, problem("not_a_table", "found_controls"))


def _split_sample(text: str, delimiter: str, max_rows: int = 60) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= max_rows:
                break
    except csv.Error:
        pass
    return rows


def sniff_delimiter(text: str) -> str:
    """The delimiter among ; , tab | that splits the first lines into the most consistent columns."""
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    best, best_score = ",", (0.0, 0)
    for delim in DELIMITERS:
        rows = [r for r in _split_sample(sample, delim) if r]
        if not rows:
            continue
        counts = Counter(len(r) for r in rows)
        mode, freq = counts.most_common(1)[0]
        if mode < 2:
            continue
        score = (freq / len(rows), mode)
        if score > best_score:
            best, best_score = delim, score
    return best


def _header_index(text: str, delimiter: str) -> int:
    """Index of the header record: the first record with the usual number of fields (skips title lines)."""
    rows = _split_sample(text[:65536], delimiter, max_rows=30)
    nonblank = [len(r) for r in rows if r]
    if not nonblank:
        return 0
    mode = Counter(nonblank).most_common(1)[0][0]
    for i, r in enumerate(rows):
        if len(r) == mode:
            return i
    return 0


def _check_magic(data: bytes | mmap.mmap, file: str) -> None:
    head = data[:8]
    if head.startswith(b"%PDF"):
        raise _binary_problem(file, problem("not_a_table", "found_pdf"), problem("not_a_table", "hint_pdf"))
    if not data[:65536].strip() and not _as_bytes(data).strip():  # the full scan only when the start is blank
        raise InputProblem(
            code="empty_file",
            file=file,
            found=problem("empty_file", "found"),
            expected=problem("empty_file", "expected"),
            hint=problem("empty_file", "hint"),
        )


class _CsvMeta(TypedDict):
    """What a CSV RawTable carries besides its cells and rows (keyword arguments of ``make_raw``)."""

    path: Path | None
    format: str
    encoding: str
    delimiter: str
    header: tuple[str, ...]
    duplicate_headers: tuple[str, ...]
    notes: dict[str, int]


def read_csv_bytes(
    data: bytes | mmap.mmap,
    file: str,
    encoding: str = "auto",
    delimiter: str = "auto",
    exclude: tuple[str, ...] = (),
    path: Path | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    header_only: bool = False,
) -> RawTable:
    """Parse CSV/TXT bytes into a RawTable (all cells as strings); ``progress(rows, None)`` per piece.
    With ``header_only`` only the header is read (an empty table with the file's columns).

    With the automatic encoding, UTF-8 is first assumed from the first lines and the parser checks the
    rest (it validates every cell); when that fails the file is sniffed in full and read again.
    """
    _check_magic(data, file)
    if encoding in ("auto", "", None) and not header_only:
        raw = _read_csv_bytes(data, file, encoding, delimiter, exclude, path, progress, head_only=True)
        if raw is not None:
            return raw
    raw = _read_csv_bytes(data, file, encoding, delimiter, exclude, path, progress, head_only=False, header_only=header_only)
    assert raw is not None
    return raw


def _read_csv_bytes(
    data: bytes | mmap.mmap,
    file: str,
    encoding: str,
    delimiter: str,
    exclude: tuple[str, ...],
    path: Path | None,
    progress: Callable[[int, int | None], None] | None,
    head_only: bool,
    header_only: bool = False,
) -> RawTable | None:
    """``read_csv_bytes``; with ``head_only`` None whenever the first-lines guess of UTF-8 is not confirmed."""
    head = _head(data, 1 << 16)
    if b"\r" in head and b"\n" not in head and not (_starts(head, b"\xff\xfe") or _starts(head, b"\xfe\xff")):
        data = _as_bytes(data).replace(b"\r", b"\n")  # classic Mac line ends (CR only): one line per record
    text, enc, notes = decode_text(data, encoding, file, lazy=True, head_only=head_only)
    lazy = bool(notes.pop(LAZY_UTF8, 0))
    single = bool(notes.pop(LAZY_SINGLE_BYTE, 0))
    if head_only and not lazy:
        return None
    delim = sniff_delimiter(text) if delimiter in ("auto", "", None) else delimiter.replace("\\t", "\t")
    if delim == "tab":
        delim = "\t"
    skip = _header_index(text, delim)
    header_rows = _split_sample(text[:1_000_000], delim, max_rows=skip + 1)
    if len(header_rows) <= skip or not any(c.strip() for c in header_rows[skip]):
        raise InputProblem(code="empty_file", file=file, found=problem("no_header", "found"),
                           expected=problem("no_header", "expected"),
                           hint=problem("no_header", "hint"))
    raw_header = header_rows[skip]
    names, dups = unique_headers(raw_header)
    limits.check(file, "max_columns", len(names), limit_text("header_columns"))
    if skip:
        notes["preamble_lines_skipped"] = skip
    keep = [n for n in names if n not in set(exclude) and n.split(" (")[0] not in set(exclude)]
    source_encoding = None  # set for single-byte files: cells are parsed as bytes and decoded per distinct value
    if lazy:  # parse the file's own bytes (no copy); trailing blank lines are dropped as blank rows
        body_bytes = pa.py_buffer(memoryview(data)[3:] if _starts(data, codecs.BOM_UTF8) else data)
    elif single:  # the file's bytes, trailing white space cut as below; cells decoded per distinct value (``_decoded``)
        end = len(data)
        while end and data[end - 1] in (9, 10, 13, 32):
            end -= 1
        body_bytes = pa.py_buffer(memoryview(data)[:end])
        source_encoding = enc  # ASCII-compatible: delimiters, quotes and line ends are the same bytes
    else:
        body_bytes = (text.rstrip("\r\n\t ") + "\n").encode("utf-8")
    meta: _CsvMeta = {"path": path, "format": "csv", "encoding": enc, "delimiter": delim, "header": tuple(raw_header),
                      "duplicate_headers": tuple(dups), "notes": notes}
    first_row = skip + 2
    if head_only and (len(keep) != len(names) or _count_records_hint(text, skip) == 0):
        return None  # excluded columns are not validated by the parser: sniff the whole file
    if header_only or _count_records_hint(text, skip) == 0:
        return make_raw(frame_from_columns({n: [] for n in keep}), file, first_row, **meta)
    has_quote = data.find(b'"') >= 0
    # lines are counted when values may hold line breaks (quotes) or the file might pass the cell limit (a
    # cell takes at least one byte or line end, so a smaller file cannot); else lines = records
    physical = count_lines(body_bytes) if has_quote or len(body_bytes) > limits.current().max_cells else -1
    limits.check(file, "max_cells", physical * len(names), limit_text("cells"))
    table = _fast_parse(body_bytes, names, keep, delim, skip, has_quote=has_quote, progress=progress,
                        as_bytes=source_encoding is not None, repeating=_repeating_columns(text, delim, skip, names, keep))
    del body_bytes
    if table is None and head_only:
        return None
    if table is not None:
        # per column in parallel (arrow releases the GIL): mostly-distinct text (timestamps) stays plain
        # text, every other column gets one dictionary over all blocks
        parts: list[pa.ChunkedArray | None] = [table.column(n) for n in keep]
        del table

        def encode(i: int) -> tuple[pd.Series, object]:
            col, parts[i] = parts[i], None  # let arrow free the text once encoded
            if source_encoding is not None:
                col = _decoded(col, source_encoding)
            return _column_to_pandas(col)

        with ThreadPoolExecutor(max_workers=max(1, min(len(keep), os.cpu_count() or 1))) as pool:
            encoded = list(pool.map(encode, range(len(keep))))
        pa.default_memory_pool().release_unused()  # hand the parser's freed pages back before normalising
        columns = {n: e[0] for n, e in zip(keep, encoded)}
        hints = {n: e[1] for n, e in zip(keep, encoded) if e[1] is not _NO_HINT}
        del encoded
        frame = pd.DataFrame(columns)
        rows = np.arange(first_row, first_row + len(frame), dtype=np.int64)
        if physical >= 0:
            _check_value_lines(frame, physical - (skip + 1 + len(frame)), first_row, file, notes)
        blank = blank_rows(frame)
        if blank.any():
            notes["blank_rows_skipped"] = int(blank.sum())
            frame, rows = frame.loc[~blank].reset_index(drop=True), rows[~blank]
            # blank rows are never hits: the hit values stay as they are
            hints = {n: (h[0][~blank], h[1]) if h is not None else None for n, h in hints.items()}  # type: ignore[index]
        return make_raw(frame, file, source_row=rows, iso_hints=hints, **meta)
    if lazy:
        text = (data[3:] if _starts(data, codecs.BOM_UTF8) else _as_bytes(data)).decode("utf-8")
    elif single:
        text = _as_bytes(data).decode(enc)
    return _slow_parse(text.rstrip("\r\n\t ") + "\n", file, names, keep, delim, skip, meta)


def count_lines(body: bytes | pa.Buffer | mmap.mmap, chunk: int = 1 << 20) -> int:
    """Physical lines of a text (line feeds, plus a last line without one), counted chunk by chunk."""
    if isinstance(body, bytes):
        n = body.count(b"\n")
    else:  # a memory map or an arrow buffer: counted in slices (bytes.count is a C scan, no temporary arrays)
        view = memoryview(body)  # type: ignore[arg-type]
        n = sum(view[i : i + chunk].tobytes().count(b"\n") for i in range(0, len(view), chunk))
    return n + (1 if len(body) and body[-1:] != b"\n" else 0)


def _swallowed_lines(file: str, line: int, lines: int, column: str | None) -> InputProblem:
    """A quoted value that runs over many lines: an unbalanced quote glued the following rows into it."""
    return InputProblem(
        code="quote_swallows_lines",
        file=file,
        row=line,
        column=column,
        found=problem("quote_swallows_lines", "found", lines=lines + 1),
        expected=problem("quote_swallows_lines", "expected", max_lines=limits.current().max_value_lines),
        hint=problem("quote_swallows_lines", "hint"),
    )


def _newlines_per_row(values: pd.Series) -> np.ndarray:
    """Line feeds in each cell of a text column (by distinct value for categoricals)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        per_value = pd.Index(values.cat.categories).astype(str).str.count("\n").to_numpy(dtype=np.int64)
        codes = codes_of(values)
        return np.where(codes < 0, 0, per_value[np.maximum(codes, 0)] if len(per_value) else 0)
    return values.astype("string").str.count("\n").fillna(0).to_numpy(dtype=np.int64)


def _check_value_lines(frame: pd.DataFrame, in_values: int, first_row: int, file: str, notes: dict[str, int]) -> None:
    """Line breaks inside values (``in_values``: the file's lines the parser's rows do not explain) are
    counted in ``notes`` (so physical lines = title lines + header + rows read + ``lines_in_values``); a
    value of a loaded column over ``max_value_lines`` line breaks refuses the file, naming its line and
    column. Only looked at per cell when the file holds such line breaks at all (line breaks in columns
    that are never loaded, e.g. personal notes, are counted but cannot be placed)."""
    if in_values <= 0:
        return
    notes["lines_in_values"] = in_values
    limit = limits.current().max_value_lines
    total = np.zeros(len(frame), dtype=np.int64)
    worst: tuple[int, int, str] | None = None
    for name in frame.columns:
        per_row = _newlines_per_row(frame[name])
        total += per_row
        if len(per_row) and int(per_row.max()) > limit:
            row = int(np.argmax(per_row))
            if worst is None or row < worst[0]:
                worst = (row, int(per_row[row]), str(name))
    if worst is not None:
        row, lines, name = worst
        line = first_row + row + int(total[:row].sum())  # the physical line the value starts on
        raise _swallowed_lines(file, line, lines, name)


REPEAT_SAMPLE_ROWS = 2000


def _repeating_columns(text: str, delim: str, skip: int, names: list[str], keep: list[str]) -> frozenset[str]:
    """Kept columns whose values repeat in the first rows (case ids, steps, staff, teams): the parser
    dictionary-encodes these itself instead of first writing out every cell as text (a column that turns
    distinct further down stays a dictionary: the same values, more memory). The other columns are parsed
    as text, and ``_column_to_pandas`` decides on the parsed data whether they become categoricals."""
    rows = _split_sample(text[:1_000_000], delim, max_rows=skip + 1 + REPEAT_SAMPLE_ROWS)[skip + 1 :]
    rows = [r for r in rows if len(r) == len(names)]
    if len(rows) < 100:
        return frozenset()
    out = set()
    for i, name in enumerate(names):
        if name not in keep:
            continue
        filled = [r[i] for r in rows if r[i].strip()]
        if filled and len(set(filled)) <= DISTINCT_SHARE * len(filled):
            out.add(name)
    return frozenset(out)


def _count_records_hint(text: str, skip: int) -> int:
    """0 when there is nothing after the header record (cheap check for header-only files)."""
    parts = text.split("\n", skip + 1)
    return 0 if len(parts) <= skip + 1 or re.search(r"\S", parts[skip + 1]) is None else 1


def _decoded(col: pa.ChunkedArray, encoding: str) -> pa.ChunkedArray | pa.DictionaryArray:
    """A column of a single-byte file (parsed as bytes) as text. Without a byte above 127 (digits,
    codes, dates) the bytes already are UTF-8 and are only relabelled; otherwise the column is
    dictionary-encoded and each distinct value decoded once (the codec maps bytes one to one, so the
    dictionary stays free of repeats)."""
    if not pa.types.is_dictionary(col.type) and not any(_has_high_byte(c) for c in col.chunks):
        return col.cast(pa.string())
    enc = _dictionary_column(col)  # the parser's own dictionaries are only unified
    text = pa.array([v.decode(encoding) for v in enc.dictionary.to_pylist()], type=pa.string())
    return pa.DictionaryArray.from_arrays(enc.indices, text)


def _has_high_byte(chunk: pa.Array) -> bool:
    """Whether a binary chunk holds a byte above 127 (looked at in its value bytes, not per value)."""
    _, off_buf, data_buf = chunk.buffers()
    if data_buf is None or not len(chunk):
        return False
    offs = np.frombuffer(off_buf, dtype=np.int32)[chunk.offset : chunk.offset + len(chunk) + 1]
    view = np.frombuffer(data_buf, dtype=np.uint8)[int(offs[0]) : int(offs[-1])]
    return bool(len(view)) and int(view.max()) > 127


def _dictionary_column(col: pa.ChunkedArray) -> pa.DictionaryArray:
    """One dictionary array for a column (values in order of first appearance, missing stays missing)."""
    if col.num_chunks == 0:
        return pa.DictionaryArray.from_arrays(pa.array([], type=pa.int32()), pa.array([], type=pa.string()))
    if not pa.types.is_dictionary(col.type):
        if pa.types.is_large_string(col.type):
            col = col.cast(pa.string())
        col = pc.dictionary_encode(col, memory_pool=reading_pool())  # one hash over all chunks: every chunk gets the final dictionary
    if col.num_chunks > 1:
        first = col.chunk(0).dictionary
        if not all(c.dictionary is first or c.dictionary.equals(first) for c in col.chunks[1:]):
            col = pa.table({"c": col}).unify_dictionaries().column("c")
            first = col.chunk(0).dictionary
        return pa.DictionaryArray.from_arrays(pa.concat_arrays([c.indices for c in col.chunks]), first)
    return col.chunk(0)


DISTINCT_SAMPLE_ROWS = 20_000
DISTINCT_SHARE = 0.5  # above this share of distinct values in the sample a column stays plain text


def _column_to_pandas(col: pa.ChunkedArray | pa.DictionaryArray) -> tuple[pd.Series, object]:
    """A parsed text column for the RawTable: a Categorical, or plain text when nearly every value differs;
    with the reader's strict ISO cast of a plain-text column that looks like timestamps (else ``_NO_HINT``).

    Timestamp columns are nearly all distinct: a dictionary would cost a hash of every cell and a second
    copy of the text, so they stay arrow-backed strings when they are already clean (trimmed, no blanks).
    """
    if isinstance(col, pa.DictionaryArray):  # already encoded (``_decoded``)
        return _to_categorical(col), _NO_HINT
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        sample = col.slice(0, DISTINCT_SAMPLE_ROWS)
        filled = len(sample) - sample.null_count
        if filled and pc.count_distinct(sample).as_py() > DISTINCT_SHARE * filled:
            hint = _iso_hint(col)
            # every filled value a strict ISO hit (digit first, digit or Z last): clean without trimming
            all_iso = isinstance(hint, tuple) and int(hint[0].sum()) == len(col) - col.null_count
            if all_iso or _is_clean(col):
                return _text_series(col), hint  # zero-copy: arrow's own text
    return _to_categorical(_dictionary_column(col)), _NO_HINT


def _text_series(col: pa.ChunkedArray) -> pd.Series:
    """Arrow text as a pandas Series without copying: the parser's own buffers (``ArrowDtype(string)``).

    pandas' ``str`` dtype would first cast every value to ``large_string`` (a copy of the column).
    """
    try:
        return pd.Series(pd.arrays.ArrowExtensionArray(col))
    except (TypeError, ValueError, AttributeError):  # older pandas: the copying conversion
        return col.combine_chunks().to_pandas()


_NO_HINT = object()
_ISO_START = r"^\d{4}-\d{2}-\d{2}"


def _iso_hint(col: pa.ChunkedArray) -> object:
    """The strict ISO-with-offset cast of a plain-text column that looks like timestamps (run while reading,
    in parallel with the other columns); ``_NO_HINT`` when the column does not start with a date."""
    from procmine.ingest.timestamps import fast_iso_offset as _fast_iso_offset

    first = pc.drop_null(col.slice(0, 1000))
    if not len(first) or not pc.all(pc.match_substring_regex(first, _ISO_START)).as_py():
        return _NO_HINT
    return _fast_iso_offset(col)


def _is_clean(col: pa.ChunkedArray) -> bool:
    """No value with surrounding white space and no empty value (the checks ``_to_categorical`` makes)."""
    if col.length() == col.null_count:
        return True
    if not pc.all(pc.equal(pc.utf8_trim_whitespace(col), col)).as_py():
        return False
    return not pc.any(pc.equal(col, "")).as_py()


def _to_categorical(col: pa.ChunkedArray | pa.DictionaryArray) -> pd.Series:
    """Strings as a pandas Categorical built from arrow's dictionary (trimmed, blank = missing)."""
    enc = col if isinstance(col, pa.DictionaryArray) else _dictionary_column(col)
    values = enc.dictionary
    trimmed = pc.utf8_trim_whitespace(values)
    codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
    cats = pd.Index(values.to_pandas())
    out = pd.Series(categorical_from_unique(codes, cats))
    if len(values) and (not pc.all(pc.equal(trimmed, values)).as_py() or pc.any(pc.equal(values, "")).as_py()):
        out = clean_categorical(out)
    return out


PIECE_BYTES = 64 << 20  # bytes per streamed piece (progress is reported after each)


def _pieces(body: pa.Buffer, size: int = PIECE_BYTES, quoted: bool = False) -> list[pa.Buffer]:
    """Split the text at record ends into pieces of about ``size`` bytes (zero-copy slices).

    With ``quoted`` a line end only ends a record when the quotes before it are balanced (an even
    count: RFC 4180 doubles quotes inside values), so a value holding a line break is never cut.
    """
    view = np.frombuffer(body, dtype=np.uint8)
    out: list[pa.Buffer] = []
    start = 0
    while start < len(view):
        cut = _next_line_end(view, start + size)
        if quoted:
            open_quote = bool(np.count_nonzero(view[start:cut] == 34) % 2)
            while open_quote and cut < len(view):  # inside a quoted value: move on to the next line end
                nxt = _next_line_end(view, cut)
                open_quote ^= bool(np.count_nonzero(view[cut:nxt] == 34) % 2)
                cut = nxt
        out.append(body.slice(start, cut - start))
        start = cut
    return out


def _next_line_end(view: np.ndarray, pos: int) -> int:
    """Position just after the first line end at or after ``pos`` (the end of the text if none)."""
    while pos < len(view):
        nl = np.flatnonzero(view[pos : pos + (1 << 20)] == 10)
        if len(nl):
            return min(len(view), pos + int(nl[0]) + 1)
        pos += 1 << 20  # a very long line: look further
    return len(view)


def _fast_parse(
    body: bytes | pa.Buffer,
    names: list[str],
    keep: list[str],
    delim: str,
    skip: int,
    has_quote: bool = True,
    progress: Callable[[int, int | None], None] | None = None,
    as_bytes: bool = False,
    repeating: frozenset[str] = frozenset(),
) -> pa.Table | None:
    """pyarrow's multi-threaded parser; None when any row does not split into the header's columns.

    Large texts are parsed in pieces cut at record ends and ``progress(rows_done, None)`` is called
    after each piece; quoted values may hold line breaks (the cut respects them).
    """
    buf = body if isinstance(body, pa.Buffer) else pa.py_buffer(body)
    pieces = _pieces(buf, PIECE_BYTES, quoted=has_quote) if buf.size > PIECE_BYTES else [buf]
    tables = []
    done = 0
    for i, piece in enumerate(pieces):
        table = None
        for newlines in (False, True) if has_quote else (False,):
            try:
                table = _read_piece(piece, names, keep, delim, skip + 1 if i == 0 else 0, newlines, as_bytes, repeating)
                break
            except (pa.ArrowInvalid, pa.ArrowException):
                continue
        if table is None:  # rows that do not split into the header's columns: the careful parser decides
            return None
        tables.append(table)
        done += table.num_rows
        if progress:
            progress(done, None)
    return pa.concat_tables(tables) if len(tables) > 1 else tables[0]


def _read_piece(
    body: pa.Buffer, names: list[str], keep: list[str], delim: str, skip_rows: int, newlines: bool, as_bytes: bool = False,
    repeating: frozenset[str] = frozenset(),
) -> pa.Table:
    """One arrow CSV parse: every kept column as text (as bytes with ``as_bytes``), empty cells missing;
    ``repeating`` columns come dictionary-encoded from the parser (each block hashed as it is parsed)."""
    cell = pa.binary() if as_bytes else pa.string()
    return pacsv.read_csv(
        pa.BufferReader(body),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=skip_rows, block_size=4 << 20),
        parse_options=pacsv.ParseOptions(
            delimiter=delim, newlines_in_values=newlines, ignore_empty_lines=False
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.dictionary(pa.int32(), cell) if n in repeating else cell for n in names},
            include_columns=keep,
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        ),
        memory_pool=reading_pool(),
    )


def _slow_parse(
    body: str, file: str, names: list[str], keep: list[str], delim: str, skip: int, meta: _CsvMeta
) -> RawTable:
    """Python csv parse for files with broken rows: good rows kept, wrong-length rows rejected by number."""
    csv.field_size_limit(1 << 30)
    reader = csv.reader(io.StringIO(body), delimiter=delim)
    width = len(names)
    rows: list[list[str]] = []
    row_numbers: list[int] = []
    rejected: list[tuple] = []
    blank = 0
    max_lines = limits.current().max_value_lines
    in_values = 0
    last_line = 0
    try:
        for i, rec in enumerate(reader):
            spanned = reader.line_num - last_line - 1  # line breaks inside this record's quoted values
            if spanned > 0:
                in_values += spanned
                if spanned > max_lines:
                    raise _swallowed_lines(file, last_line + 1, spanned, None)
            last_line = reader.line_num
            if i <= skip:
                continue
            number = i + 1
            if not rec or not any(c.strip() for c in rec):
                blank += 1
                continue
            if len(rec) != width:
                found = REJECT_FOUND["field_count"].format(count=len(rec), width=width)
                rejected.append((file, number, "malformed_row", None, found))
                continue
            rows.append(rec)
            row_numbers.append(number)
    except csv.Error as err:
        raise InputProblem(
            code="malformed_csv",
            file=file,
            row=reader.line_num,
            found=problem("malformed_csv", "found", error=err),
            expected=problem("malformed_csv", "expected", delimiter=delim),
            hint=problem("malformed_csv", "hint"),
        ) from None
    idx = {n: i for i, n in enumerate(names)}
    cols = {n: [r[idx[n]] for r in rows] for n in keep}
    notes = dict(meta["notes"])
    if blank:
        notes["blank_rows_skipped"] = blank
    if in_values:
        notes["lines_in_values"] = in_values
    frame = frame_from_columns(cols)
    rej = pd.DataFrame(rejected, columns=REJECT_COLUMNS)
    return make_raw(
        frame, file, source_row=np.asarray(row_numbers, dtype=np.int64), rejected=rej, notes=notes, path=meta["path"],
        format=meta["format"], encoding=meta["encoding"], delimiter=meta["delimiter"], header=meta["header"],
        duplicate_headers=meta["duplicate_headers"],
    )
