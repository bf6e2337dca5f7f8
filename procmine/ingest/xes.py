"""XES / XES.gz reader: a streaming lxml iterparse into one row per event (trace attributes as case:*).

Only ``<event>`` and ``<trace>`` ends reach Python (attribute elements are read from their parent), values
are stored column by column as codes into one table of distinct values per attribute, and finished
elements are freed at once: a large log (BPI challenge size) reads in one pass without a dict per event
or a second copy of the decompressed XML in memory.
"""

from __future__ import annotations

import gzip
import io
import zlib
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, cast

import numpy as np
import pandas as pd

from procmine import limits
from procmine.errors import InputProblem
from procmine.ingest.raw import (
    REJECT_COLUMNS,
    RawTable,
    categorical_from_unique,
    clean_categorical,
    make_raw,
)
from procmine.labels_de.messages import problem
from procmine.labels_de.safety import limit_text

_ATTR_TAGS = {"string", "date", "int", "float", "boolean", "id"}
PROGRESS_EVERY = 100_000  # events between progress calls


def _local(tag: object) -> str:
    t = str(tag)
    return t.rsplit("}", 1)[-1]


class _Column:
    """One attribute: for each row that has it, the row number and the code of its value."""

    __slots__ = ("rows", "codes", "values")

    def __init__(self) -> None:
        self.rows = array("q")
        self.codes = array("i")
        self.values: dict[str, int] = {}

    def add(self, row: int, value: str) -> None:
        values = self.values
        code = values.get(value)
        if code is None:
            code = values[value] = len(values)
        self.rows.append(row)
        self.codes.append(code)

    def add_range(self, start: int, stop: int, value: str) -> None:
        """The same value (a trace attribute) for rows start..stop-1."""
        values = self.values
        code = values.get(value)
        if code is None:
            code = values[value] = len(values)
        self.rows.extend(range(start, stop))
        self.codes.extend([code] * (stop - start))

    def series(self, n_rows: int) -> pd.Series:
        """The column as a cleaned Categorical of strings (missing where a row lacks the attribute)."""
        codes = np.full(n_rows, -1, dtype=np.int32)
        if len(self.rows):
            codes[np.frombuffer(self.rows, dtype=np.int64)] = np.frombuffer(self.codes, dtype=np.int32)
        cats = pd.Index(np.asarray(list(self.values), dtype=object), dtype=object)
        return clean_categorical(pd.Series(categorical_from_unique(codes, cats)))


class CappedReader(io.RawIOBase):
    """A binary stream that refuses to yield more than ``max_decompressed_bytes`` (a gzip bomb is stopped
    after the limit, not after it filled the memory)."""

    def __init__(self, source: io.BufferedIOBase, file: str) -> None:
        super().__init__()
        self.source, self.file, self.seen = source, file, 0
        self.limit = limits.current().max_decompressed_bytes

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size if size is not None and size >= 0 else 1 << 20)
        self.seen += len(data)
        if self.seen > self.limit:
            raise limits.over_limit(self.file, "max_decompressed_bytes", self.seen, limit_text("decompressed_size_min"))
        return data

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _bad_xes(file: str, found: str, row: int | None = None) -> InputProblem:
    return InputProblem(
        code="bad_xes",
        file=file,
        row=row,
        found=found,
        expected=problem("bad_xes", "expected"),
        hint=problem("bad_xes", "hint"),
    )


def _parse(
    source: BinaryIO, file: str, progress: Callable[[int, int | None], None] | None, outside: list[int] | None = None
) -> tuple[int, dict[str, _Column], dict[str, _Column]]:
    """Rows, event-attribute columns and trace-attribute columns (``case:`` names) of an XES stream.

    ``outside`` collects the line numbers of events outside a trace (not part of the log, XES standard:
    counted as quarantined, never dropped unseen). Over the limits of events or attribute keys the file
    is refused (``limits``)."""
    from lxml import etree

    max_events = limits.current().max_events
    max_columns = limits.current().max_columns

    event_cols: dict[str, _Column] = {}
    trace_cols: dict[str, _Column] = {}
    is_attr: dict[object, bool] = {}

    def attributes(elem: object) -> list[tuple[str, str]]:
        """(key, value) of the attribute elements directly under ``elem`` (nested ones are not columns)."""
        out = []
        for child in elem:  # type: ignore[attr-defined]
            tag = child.tag
            ok = is_attr.get(tag)
            if ok is None:
                ok = is_attr[tag] = _local(tag) in _ATTR_TAGS
            if ok:
                key, value = child.get("key"), child.get("value")
                if key is not None and value is not None:
                    out.append((key, value))
        return out
    n = 0
    trace_first = 0
    context = etree.iterparse(source, events=("end",), tag=("{*}event", "{*}trace"), huge_tree=True, recover=False)
    for _, elem in context:
        kind = _local(elem.tag)
        parent = elem.getparent()
        if kind == "event":
            if parent is None or _local(parent.tag) != "trace":
                if outside is not None:  # not part of the log (XES standard): counted, not kept
                    outside.append(int(elem.sourceline or 0))
                elem.clear(keep_tail=False)
                continue
            for key, value in attributes(elem):
                col = event_cols.get(key)
                if col is None:
                    col = event_cols[key] = _Column()
                    limits.check(file, "max_columns", len(event_cols) + len(trace_cols), limit_text("xes_attributes"))
                col.add(n, value)
            n += 1
            if n > max_events:
                limits.check(file, "max_events", n, limit_text("xes_events"))
            elem.clear(keep_tail=False)
            if progress is not None and n % PROGRESS_EVERY == 0:
                progress(n, None)
        else:  # the end of a trace: its own attributes hold for its events
            if n > trace_first:
                for key, value in attributes(elem):
                    name = "case:" + key
                    col = trace_cols.get(name)
                    if col is None:
                        col = trace_cols[name] = _Column()
                        if len(event_cols) + len(trace_cols) > max_columns:
                            limits.check(file, "max_columns", len(event_cols) + len(trace_cols), limit_text("xes_attributes"))
                    col.add_range(trace_first, n, value)
            trace_first = n
            elem.clear(keep_tail=False)
            if parent is not None:  # finished traces (and the log header before them) are freed
                while elem.getprevious() is not None:
                    del parent[0]
    return n, event_cols, trace_cols


def _read(
    open_source: Callable[[], io.BufferedIOBase],
    file: str,
    exclude: tuple[str, ...],
    path: Path | None,
    progress: Callable[[int, int | None], None] | None = None,
) -> RawTable:
    from lxml import etree

    outside: list[int] = []
    try:
        with open_source() as source:
            n, event_cols, trace_cols = _parse(cast(BinaryIO, CappedReader(source, file)), file, progress, outside)
    except etree.XMLSyntaxError as err:
        raise _bad_xes(file, problem("bad_xes", "bad_xml", error=err.msg), getattr(err, "lineno", None)) from None
    except (OSError, EOFError, zlib.error) as err:
        raise InputProblem(code="bad_xes", file=file, found=problem("bad_gzip", "found", error=err),
                           expected=problem("bad_gzip", "expected_xes"),
                           hint=problem("bad_gzip", "hint")) from None
    excluded = set(exclude)
    # trace attributes first (as a row reads: case, then event), each in order of first appearance;
    # an event attribute named like a trace attribute wins, as it did in one dict per event
    columns = {name: col for name, col in trace_cols.items() if name not in event_cols}
    columns.update(event_cols)
    names = [name for name in columns if name not in excluded]
    frame = pd.DataFrame({name: columns[name].series(n) for name in names}, index=pd.RangeIndex(n))
    if progress is not None:
        progress(n, None)
    rejected = pd.DataFrame({"source_file": file, "source_row": np.asarray(outside, dtype=np.int64),
                             "reason": "event_outside_trace", "column": None,
                             "found": problem("bad_xes", "outside_trace")}, columns=REJECT_COLUMNS)
    return make_raw(
        frame, file, source_row=np.arange(2, 2 + n, dtype=np.int64), path=path, format="xes", header=tuple(columns),
        rejected=rejected,
    )


def read_xes_bytes(
    data: bytes, file: str, exclude: tuple[str, ...] = (), path: Path | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> RawTable:
    """Events of an XES document as rows; rows are numbered as if the log were a table (header = row 1)."""
    if data[:2] == b"\x1f\x8b":
        return _read(lambda: gzip.GzipFile(fileobj=io.BytesIO(data)), file, exclude, path, progress)
    return _read(lambda: io.BytesIO(data), file, exclude, path, progress)


def read_xes_file(
    path: Path, exclude: tuple[str, ...] = (), progress: Callable[[int, int | None], None] | None = None
) -> RawTable:
    """Read an .xes or .xes.gz file from disk, decompressing while parsing."""
    with path.open("rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    opener: Callable[[], io.BufferedIOBase] = (lambda: gzip.open(path, "rb")) if gz else (lambda: path.open("rb"))
    return _read(opener, path.name, exclude, path, progress)
