"""Issue 13, 'rows lost unseen' and 'one crafted file stops everything': every line counted, limits per file.

Each hostile file is generated here (tmp_path), run through ``procmine run`` next to a good export: the exit
code, the message, the lines and that the good office is still reported are checked.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from safety_helpers import (
    HEADER,
    event_rows,
    fresh_key,
    run_cli,
    snapshot,
    write_csv,
    write_xlsx,
    written_outside,
)

from procmine.ingest import read_table
from procmine.ingest.text import count_lines


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCMINE_KEY", fresh_key())


def _run_with_good(tmp_path: Path, capsys, monkeypatch, hostile: Path, *options: str):  # noqa: ANN202
    """``procmine run`` on a folder with the hostile file and one good export; returns (result, results.json)."""
    write_csv(hostile.parent / "ABH-GUT.csv", event_rows("G", cases=6))
    out = tmp_path / "out"
    before = snapshot(tmp_path)
    res = run_cli(capsys, monkeypatch, "run", str(hostile.parent), "--out", str(out), "-q", *options)
    assert written_outside(tmp_path, before, out) == []
    assert "Interner Fehler" not in res.err
    doc = json.loads((out / "results.json").read_text(encoding="utf-8")) if (out / "results.json").exists() else None
    if doc is not None:  # the good office is reported whatever the hostile file did
        good = [o for o in doc["offices"] if o["office"] == "ABH-GUT"]
        assert good and good[0]["quality"]["rows_read"] == 18 == good[0]["quality"]["rows_kept"]
    return res, doc


def _unbalanced(path: Path, cases: int = 80) -> Path:
    rows = event_rows("V", cases=cases)
    rows[30][4] = '"Team 1'  # one unbalanced quote in the team column (line 32 of the file)
    return write_csv(path, rows)


def test_unbalanced_quote_is_refused_naming_line_and_column(tmp_path, capsys, monkeypatch) -> None:
    hostile = _unbalanced(tmp_path / "ex" / "ABH-Q.csv")
    assert count_lines(hostile.read_bytes()) == 241
    res, doc = _run_with_good(tmp_path, capsys, monkeypatch, hostile)
    assert res.code == 1
    assert "Zeile 32" in res.err and "Spalte 'Team'" in res.err and "quote_swallows_lines" in res.err
    (failure,) = doc["failed"]
    assert failure["files"] == ["ABH-Q.csv"] and failure["code"] == "quote_swallows_lines"
    assert "V13" not in failure["message_de"]  # the glued ids are not quoted


def test_multiline_values_within_the_limit_are_counted_as_lines(tmp_path: Path) -> None:
    rows = event_rows("M", cases=4)
    rows[2][4] = '"Team\nmit\nUmbruch"'
    path = write_csv(tmp_path / "m.csv", rows)
    raw = read_table(path)
    lines = count_lines(path.read_bytes())
    assert lines == 1 + 12 + 2
    assert raw.rows_read == 12 and raw.notes["lines_in_values"] == 2
    assert lines == 1 + raw.rows_read + raw.notes["lines_in_values"]  # every physical line accounted for


def test_quote_limit_can_be_raised(tmp_path, capsys, monkeypatch) -> None:
    rows = event_rows("M", cases=4)
    rows[2][4] = '"' + "\n".join(f"Zeile {i}" for i in range(30)) + '"'
    hostile = write_csv(tmp_path / "ex" / "ABH-M.csv", rows)
    res, _ = _run_with_good(tmp_path, capsys, monkeypatch, hostile)
    assert res.code == 1 and "quote_swallows_lines" in res.err
    res = run_cli(capsys, monkeypatch, "run", str(hostile.parent), "--out", str(tmp_path / "out2"), "-q",
                  "--max-value-lines", "40")
    assert res.code == 0, res.err


def test_xes_events_outside_traces_are_quarantined_with_a_reason(tmp_path, capsys, monkeypatch) -> None:
    def event(step: str, day: int) -> str:
        return (f'<event><string key="concept:name" value="{step}"/>'
                f'<date key="time:timestamp" value="2025-03-{day:02d}T09:00:00+01:00"/></event>')

    traces = "".join(f'<trace><string key="concept:name" value="F{c}"/>{event("Antrag eingegangen", 1 + c)}'
                     f'{event("Bescheid erteilt", 5 + c)}</trace>' for c in range(6))
    stray = event("Antrag eingegangen", 3) + event("Bescheid erteilt", 4) + event("Termin vergeben", 4)
    hostile = tmp_path / "ex" / "ABH-X.xes"
    hostile.parent.mkdir(parents=True)
    hostile.write_text(f'<?xml version="1.0"?>\n<log>\n{stray}\n{traces}</log>', encoding="utf-8")
    raw = read_table(hostile)
    assert len(raw.data) == 12 and list(raw.rejected["reason"]) == ["event_outside_trace"] * 3
    assert list(raw.rejected["source_row"]) == [3, 3, 3]  # the line of the XES file
    res, doc = _run_with_good(tmp_path, capsys, monkeypatch, hostile)
    assert res.code == 0, res.err
    q = next(o for o in doc["offices"] if o["office"] != "ABH-GUT")["quality"]
    assert q["rows_read"] == 15 and q["rows_quarantined"] == 3 and q["by_reason"] == {"event_outside_trace": 3}


def test_rows_of_a_sheet_with_another_header_are_counted(tmp_path, capsys, monkeypatch) -> None:
    hostile = write_xlsx(tmp_path / "ex" / "ABH-W.xlsx", {
        "Daten": [HEADER, *event_rows("A", cases=6)],
        "Nachtrag": [[*HEADER, "Bemerkung"], *[[*r, "x"] for r in event_rows("B", cases=2)]],
    })
    res, doc = _run_with_good(tmp_path, capsys, monkeypatch, hostile)
    assert res.code == 0, res.err
    q = next(o for o in doc["offices"] if o["office"] != "ABH-GUT")["quality"]
    assert (q["rows_read"], q["rows_kept"], q["rows_quarantined"]) == (24, 18, 6)
    assert q["by_reason"] == {"sheet_not_read": 6}


@pytest.mark.parametrize("kwargs", [{"far_cell": "XFD1048576"}, {"dimension": "A1:XFD1048576"}])
def test_workbook_with_a_far_cell_is_refused_before_reading(tmp_path, capsys, monkeypatch, kwargs) -> None:
    hostile = write_xlsx(tmp_path / "ex" / "ABH-F.xlsx", {"Daten": [HEADER, *event_rows("A")]}, **kwargs)
    assert hostile.stat().st_size < 10_000
    res, doc = _run_with_good(tmp_path, capsys, monkeypatch, hostile)
    assert res.code == 1 and "over_limit" in res.err and "ABH-F.xlsx" in res.err
    assert [f["code"] for f in doc["failed"]] == ["over_limit"]


def test_zip_bomb_workbook_is_refused(tmp_path, capsys, monkeypatch) -> None:
    import zipfile

    hostile = write_xlsx(tmp_path / "ex" / "ABH-Z.xlsx", {"Daten": [HEADER, *event_rows("A")]})
    with zipfile.ZipFile(hostile, "a", zipfile.ZIP_DEFLATED) as zf:  # 40 MB of blanks in a few KB
        zf.writestr("xl/worksheets/sheet9.xml", b" " * (40 << 20))
    assert hostile.stat().st_size < 200_000
    res, doc = _run_with_good(tmp_path, capsys, monkeypatch, hostile, "--max-decompressed-mb", "16")
    assert res.code == 1 and "entpackte Größe" in res.err and "--max-decompressed-mb" in res.err


def test_csv_gz_expansion_is_capped(tmp_path, capsys, monkeypatch) -> None:
    body = "\n".join(";".join(r) for r in [HEADER, *event_rows("A")]) + "\n" + "\n" * (8 << 20)
    hostile = tmp_path / "ex" / "ABH-G.csv.gz"
    hostile.parent.mkdir(parents=True)
    hostile.write_bytes(gzip.compress(body.encode()))
    res, doc = _run_with_good(tmp_path, capsys, monkeypatch, hostile, "--max-decompressed-mb", "2")
    assert res.code == 1 and "over_limit" in res.err
    assert [f["files"] for f in doc["failed"]] == [["ABH-G.csv.gz"]]


def test_too_many_columns_and_events_are_refused(tmp_path, capsys, monkeypatch) -> None:
    wide = [*HEADER, *(f"Feld {i}" for i in range(1200))]
    hostile = write_csv(tmp_path / "ex" / "ABH-B.csv", [r + ["1"] * 1200 for r in event_rows("B")], wide)
    res, doc = _run_with_good(tmp_path, capsys, monkeypatch, hostile)
    assert res.code == 1 and "--max-columns" in res.err and "1.205" in res.err
    xes = tmp_path / "ex2" / "ABH-E.xes"
    xes.parent.mkdir()
    events = "".join(f'<event><string key="concept:name" value="Antrag eingegangen"/>'
                     f'<date key="time:timestamp" value="2025-03-{1 + i % 20:02d}T09:00:00+01:00"/></event>' for i in range(30))
    xes.write_text(f'<log><trace><string key="concept:name" value="F1"/>{events}</trace></log>', encoding="utf-8")
    res = run_cli(capsys, monkeypatch, "run", str(xes.parent), "--out", str(tmp_path / "o2"), "-q", "--max-events", "10")
    assert res.code == 1 and "--max-events" in res.err


def _aborts(*args: object) -> None:
    """Stands in for the workbook reader in the child process: dies as the reader does on a crafted file."""
    import os

    os.abort()


def test_a_reader_abort_on_a_legacy_workbook_ends_the_child_not_the_run(tmp_path, capsys, monkeypatch) -> None:
    import xlwt

    from procmine.ingest import excel

    hostile = tmp_path / "ex" / "ABH-L.xls"
    hostile.parent.mkdir(parents=True)
    book = xlwt.Workbook()
    sheet = book.add_sheet("Daten")
    for r, row in enumerate([HEADER, *event_rows("L")]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(hostile))
    assert len(read_table(hostile).data) == 15  # read normally (in the child)
    monkeypatch.setattr(excel, "CHILD_READER", _aborts)
    res, doc = _run_with_good(tmp_path, capsys, monkeypatch, hostile)
    assert res.code == 1 and "ABH-L.xls" in res.err and "bad_workbook" in res.err
    assert [f["code"] for f in doc["failed"]] == ["bad_workbook"]


def test_wide_files_are_refused_in_seconds_not_minutes(tmp_path, capsys, monkeypatch) -> None:
    """A 10 KB workbook, an XES and a CSV with thousands of columns took minutes; now each is refused at
    once (the column limit is checked on the header, the sheet's cells and the attribute keys)."""
    import time

    folder = tmp_path / "ex"
    wide = [*HEADER, *(f"F{i}" for i in range(6000))]
    write_csv(folder / "ABH-C.csv", [r + ["1"] * 6000 for r in event_rows("C", cases=30)], wide)
    write_xlsx(folder / "ABH-X.xlsx", {"Daten": [[f"S{i}" for i in range(16000)], ["1"] * 16000]})
    events = "".join(f'<event><string key="concept:name" value="Antrag eingegangen"/><string key="a{i}" value="1"/>'
                     f'<date key="time:timestamp" value="2025-03-01T09:00:00+01:00"/></event>' for i in range(5000))
    (folder / "ABH-E.xes").write_text(f'<log><trace><string key="concept:name" value="F1"/>{events}</trace></log>',
                                      encoding="utf-8")
    start = time.perf_counter()
    res, doc = _run_with_good(tmp_path, capsys, monkeypatch, folder / "ABH-C.csv")
    assert time.perf_counter() - start < 60
    assert res.code == 1
    assert sorted((f["files"][0], f["code"]) for f in doc["failed"]) == [
        ("ABH-C.csv", "over_limit"), ("ABH-E.xes", "over_limit"), ("ABH-X.xlsx", "over_limit")]
