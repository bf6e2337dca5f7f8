"""Readers for exports: CSV/TXT, XLSX/XLS, XES(.gz), Parquet -> RawTable (cells as text + provenance).

``read_table`` picks the reader from the file's first bytes (so a workbook saved as .csv still reads)
and falls back to the extension; a profile may fix encoding, delimiter, sheet and personal columns
that are never loaded.
"""

from __future__ import annotations

import mmap
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from procmine import limits
from procmine.errors import InputProblem
from procmine.ingest.excel import list_sheets, read_excel_file
from procmine.ingest.parquet import read_parquet_file
from procmine.ingest.raw import RawTable
from procmine.ingest.text import read_csv_bytes
from procmine.ingest.xes import read_xes_file
from procmine.labels_de.messages import problem
from procmine.labels_de.safety import limit_text

if TYPE_CHECKING:
    from procmine.profiles import Profile

__all__ = ["RawTable", "detect_format", "list_sheets", "read_preview", "read_table"]

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"


def detect_format(path: Path, head: bytes) -> str:
    """csv | xlsx | xls | xes | parquet, from magic bytes first and the file name second."""
    name = path.name.lower()
    if head.startswith(_ZIP):
        return "xlsx"
    if head.startswith(_OLE):
        return "xls"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\x1f\x8b"):
        return "xes" if ".xes" in name or b"<log" in _gunzip_head(head) else "csv.gz"
    stripped = head.lstrip(b"\xef\xbb\xbf \r\n\t")
    if stripped.startswith(b"<?xml") or stripped.startswith(b"<log"):
        return "xes"
    return "csv"


MAP_BYTES = 16 << 20  # larger text files are memory-mapped: the parser reads the page cache, no copy


def _map(path: Path) -> mmap.mmap:
    """The file memory-mapped read-only (closed when the last reference goes)."""
    with path.open("rb") as fh:
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)


def _gunzip_capped(data: bytes, file: str) -> bytes:
    """The content of a .gz file, refused as soon as it expands beyond ``max_decompressed_bytes``."""
    limit = limits.current().max_decompressed_bytes
    parts: list[bytes] = []
    size = 0
    rest = data
    while rest:  # a .gz may hold several members one after the other
        dec = zlib.decompressobj(16 + zlib.MAX_WBITS)
        tail = rest
        while not dec.eof:
            chunk = dec.decompress(tail, 1 << 20)  # at most 1 MB out per step: the limit is checked as it grows
            tail = dec.unconsumed_tail
            size += len(chunk)
            if size > limit:
                raise limits.over_limit(file, "max_decompressed_bytes", size, limit_text("decompressed_size_min"))
            parts.append(chunk)
            if not chunk and not tail:
                break
        if not dec.eof:
            raise EOFError("unvollständiges gzip-Archiv")
        rest = dec.unused_data
    return b"".join(parts)


def _gunzip_head(head: bytes) -> bytes:
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 4096)
    except zlib.error:
        return b""


def read_table(
    path: str | Path,
    profile: Profile | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> RawTable:
    """Read one export file into a RawTable; personal columns the profile drops are never loaded.

    Large CSV files are parsed in pieces; ``progress(rows_read_so_far, None)`` is called after each.
    """
    path = Path(path)
    if not path.exists() or not path.is_file():
        raise InputProblem(code="file_not_found", file=str(path), found=problem("file_not_found", "found"),
                           expected=problem("file_not_found", "expected"), hint=problem("file_not_found", "hint"))
    exclude = profile.never_load() if profile is not None else ()
    enc = encoding or (profile.encoding if profile is not None else "auto")
    delim = delimiter or (profile.delimiter if profile is not None else "auto")
    sheet = sheet or (profile.sheet if profile is not None and profile.sheet else None)
    with path.open("rb") as fh:
        head = fh.read(4096)
    fmt = detect_format(path, head)
    if fmt in ("xlsx", "xls"):
        want = tuple(profile.match_columns) if profile is not None else ()
        return read_excel_file(path, sheet=sheet, exclude=exclude, want_columns=want)
    if fmt == "parquet":
        return read_parquet_file(path, exclude=exclude)
    if fmt == "csv" and path.stat().st_size > MAP_BYTES:
        return read_csv_bytes(_map(path), path.name, enc, delim, exclude, path=path, progress=progress)
    if fmt == "xes":
        return read_xes_file(path, exclude, progress=progress)
    data = path.read_bytes()
    if fmt == "csv.gz":
        try:
            data = _gunzip_capped(data, path.name)
        except (OSError, EOFError, ValueError, zlib.error) as err:
            raise InputProblem(code="bad_archive", file=path.name, found=problem("bad_gzip", "found", error=err),
                               expected=problem("bad_gzip", "expected"),
                               hint=problem("bad_gzip", "hint")) from None
    return read_csv_bytes(data, path.name, enc, delim, exclude, path=path, progress=progress)


PREVIEW_BYTES = 64 * 1024  # enough for a header after a few preamble lines


def read_preview(path: str | Path, sheet: str | None = None, max_bytes: int = PREVIEW_BYTES) -> RawTable | None:
    """The header of a large text export (read from its first ``max_bytes``, cut at a line end) as an empty
    table, to choose a profile before the one full read. None for other formats, small files or when the
    head alone cannot be read (the full read then reports the problem)."""
    path = Path(path)
    try:
        if not path.is_file() or path.stat().st_size <= max_bytes:
            return None
        with path.open("rb") as fh:
            head = fh.read(max_bytes)
        if detect_format(path, head[:4096]) != "csv":
            return None
        cut = head.rfind(b"\n")
        if cut <= 0:
            return None
        return read_csv_bytes(head[: cut + 1], path.name, "auto", "auto", (), path=path, header_only=True)
    except (InputProblem, OSError, UnicodeDecodeError, ValueError):
        return None
