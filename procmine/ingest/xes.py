"""XES / XES.gz reader: a streaming lxml iterparse into one row per event (trace attributes as case:*)."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np

from procmine.errors import InputProblem
from procmine.ingest.raw import RawTable, frame_from_columns, make_raw

_ATTR_TAGS = {"string", "date", "int", "float", "boolean", "id"}


def _local(tag: object) -> str:
    t = str(tag)
    return t.rsplit("}", 1)[-1]


def read_xes_bytes(data: bytes, file: str, exclude: tuple[str, ...] = (), path: Path | None = None) -> RawTable:
    """Events of an XES document as rows; rows are numbered as if the log were a table (header = row 1)."""
    from lxml import etree

    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as err:
            raise InputProblem(code="bad_xes", file=file, found=f"ein beschädigtes gzip-Archiv ({err})",
                               expected="eine vollständige .xes.gz-Datei", hint="Laden oder exportieren Sie die Datei erneut.") from None
    rows: list[dict[str, str]] = []
    trace_attrs: dict[str, str] = {}
    depth_in_event = False
    excluded = set(exclude)
    try:
        context = etree.iterparse(io.BytesIO(data), events=("start", "end"), huge_tree=True, recover=False)
        stack: list[str] = []
        event: dict[str, str] = {}
        for action, elem in context:
            tag = _local(elem.tag)
            if action == "start":
                stack.append(tag)
                if tag == "trace":
                    trace_attrs = {}
                elif tag == "event":
                    event = {}
                    depth_in_event = True
                continue
            stack.pop()
            if tag in _ATTR_TAGS and stack:
                parent = stack[-1]
                key, value = elem.get("key"), elem.get("value")
                if key is not None and value is not None:
                    if parent == "event" and depth_in_event:
                        event[key] = value
                    elif parent == "trace":
                        trace_attrs["case:" + key] = value
            elif tag == "event":
                if stack and stack[-1] == "trace":
                    rows.append({**trace_attrs, **event})
                depth_in_event = False
                elem.clear()
            elif tag == "trace":
                elem.clear()
    except etree.XMLSyntaxError as err:
        raise InputProblem(
            code="bad_xes",
            file=file,
            row=getattr(err, "lineno", None),
            found=f"fehlerhaftes XML ({err.msg})",
            expected="eine gültige XES-Datei (IEEE 1849)",
            hint="Exportieren Sie das Ereignisprotokoll erneut oder prüfen Sie, ob die Datei abgeschnitten ist.",
        ) from None
    # trace attributes that appear only at trace level of later traces must still be per event
    names: list[str] = []
    seen: set[str] = set()
    for r in rows[:1000] + rows[-1000:]:
        for k in r:
            if k not in seen:
                seen.add(k)
                names.append(k)
    if len(rows) > 2000:
        for r in rows:
            for k in r:
                if k not in seen:
                    seen.add(k)
                    names.append(k)
    names = [n for n in names if n not in excluded]
    cols = {n: [r.get(n) for r in rows] for n in names}
    frame = frame_from_columns(cols)
    return make_raw(
        frame, file, source_row=np.arange(2, 2 + len(rows), dtype=np.int64), path=path, format="xes",
        header=tuple(names),
    )


def read_xes_file(path: Path, exclude: tuple[str, ...] = ()) -> RawTable:
    """Read an .xes or .xes.gz file from disk."""
    return read_xes_bytes(path.read_bytes(), path.name, exclude, path=path)
