"""The streaming XES reader: trace attributes wherever they stand, value tables per column, clear
messages for broken archives, progress on long logs."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from procmine.errors import InputProblem
from procmine.ingest import xes
from procmine.ingest.xes import read_xes_bytes, read_xes_file

DOC = b"""<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <global scope="event"><string key="concept:name" value="DEFAULT"/></global>
  <trace>
    <string key="concept:name" value="A-1"/>
    <event><string key="concept:name" value="Antrag eingegangen"/>
      <date key="time:timestamp" value="2024-03-01T09:00:00+01:00"/>
      <list key="tags"><string key="x" value="nested, not a column of the event"/></list></event>
    <event><string key="concept:name" value="Pr\xc3\xbcfung &amp; Entscheidung"/>
      <date key="time:timestamp" value="2024-03-02T10:00:00+01:00"/><int key="cost" value="5"/></event>
    <string key="Team" value="Nord"/>
  </trace>
  <event><string key="concept:name" value="outside any trace"/></event>
  <trace>
    <string key="concept:name" value="A-2"/>
    <event><string key="concept:name" value="Antrag eingegangen"/>
      <date key="time:timestamp" value="2024-03-05T09:00:00+01:00"/></event>
  </trace>
  <trace><string key="concept:name" value="A-3 without events"/></trace>
</log>
"""


def _rows(raw) -> list[dict]:
    frame = raw.data.astype(object)
    return [{k: v for k, v in row.items() if v is not None and v == v} for row in frame.to_dict("records")]


def test_events_with_trace_attributes_before_and_after_them() -> None:
    raw = read_xes_bytes(DOC, "t.xes")
    rows = _rows(raw)
    # three events in traces; the one outside a trace and the empty trace give no rows
    assert len(rows) == 3
    assert [r["case:concept:name"] for r in rows] == ["A-1", "A-1", "A-2"]
    # a trace attribute written after the events still holds for them, and only for them
    assert [r.get("case:Team") for r in rows] == ["Nord", "Nord", None]
    assert rows[1]["concept:name"] == "Prüfung & Entscheidung"  # entities and umlauts decoded
    assert rows[1]["cost"] == "5" and "cost" not in rows[0]
    assert "x" not in raw.data.columns and "tags" not in raw.data.columns  # nested values are not columns
    assert list(raw.source_row) == [2, 3, 4]
    assert raw.header[0].startswith("case:")  # a row reads case first, then event


def test_gzip_file_streams_and_equals_plain(tmp_path: Path) -> None:
    plain = tmp_path / "log.xes"
    plain.write_bytes(DOC)
    packed = tmp_path / "log.xes.gz"
    packed.write_bytes(gzip.compress(DOC))
    assert _rows(read_xes_file(plain)) == _rows(read_xes_file(packed)) == _rows(read_xes_bytes(gzip.compress(DOC), "x"))


def test_truncated_archive_is_a_clear_problem(tmp_path: Path) -> None:
    packed = gzip.compress(DOC * 1)
    bad = tmp_path / "cut.xes.gz"
    bad.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(InputProblem) as err:
        read_xes_file(bad)
    assert err.value.code == "bad_xes" and err.value.file == "cut.xes.gz"


def test_progress_is_reported_on_long_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xes, "PROGRESS_EVERY", 2)
    events = b"".join(
        b'<event><string key="concept:name" value="s%d"/><date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event>' % i
        for i in range(5)
    )
    doc = b"<log><trace><string key='concept:name' value='c'/>" + events + b"</trace></log>"
    seen: list[int] = []
    raw = read_xes_bytes(doc, "p.xes", progress=lambda rows, total: seen.append(rows))
    assert len(raw.data) == 5
    assert seen == [2, 4, 5]
    assert raw.data["concept:name"].astype(str).tolist() == ["s0", "s1", "s2", "s3", "s4"]
