"""A corpus of broken and awkward exports, generated here: each gives a clear InputProblem or the right
quarantine count, never a traceback."""

from __future__ import annotations

import gzip
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter

from procmine.errors import InputProblem
from procmine.normalise import REASONS, NormaliseResult, ingest_file
from procmine.profiles import load_profile, profile_from_toml

KEY = b"test-key"
NOW = pd.Timestamp("2026-01-01", tz="UTC")
HEADER = "Vorgang;Tätigkeit;Beginn;Ende;Sachbearbeiter;Status;Name\n"
GOOD = "A-1;Antrag eingegangen;05.03.2024 09:00;05.03.2024 09:15;Müller;complete;Jürgen Groß\n"
PROFILE = """
[profile]
name = "broken_test"
delimiter = "{delim}"
encoding = "{enc}"
date_format = "%d.%m.%Y %H:%M"
require_known_activities = {known}
shape = "{shape}"
[columns]
case_id = "Vorgang"
activity = "Tätigkeit"
start = "Beginn"
end = "Ende"
resource = "Sachbearbeiter"
{lifecycle}
[activities]
"Antrag eingegangen" = "application_received"
"Termin vergeben" = "appointment_scheduled"
[privacy]
drop = ["Name"]
"""


def profile(delim: str = ";", enc: str = "auto", known: bool = False, shape: str = "events", start: bool = True):
    """The test profile (lifecycle shape maps the Status column; without start it maps no Beginn)."""
    text = PROFILE.format(
        delim=delim,
        enc=enc,
        known=str(known).lower(),
        shape=shape,
        lifecycle='lifecycle = "Status"' if shape == "lifecycle" else "",
    )
    if not start:
        text = text.replace('start = "Beginn"\n', "")
    return profile_from_toml(text)


def run(path: Path, prof=None, tmp: Path | None = None) -> NormaliseResult | InputProblem:
    """Ingest and return the result or the InputProblem; any other exception fails the test."""
    try:
        return ingest_file(path, (tmp or path.parent) / "out", profile=prof, key=KEY, now=NOW)
    except InputProblem as problem:
        assert problem.user_message().endswith(f"[{problem.code}]")
        return problem


def write(tmp_path: Path, name: str, text: str | bytes, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return p


def quarantined(res: NormaliseResult | InputProblem) -> dict[str, int]:
    assert isinstance(res, NormaliseResult), f"expected a result, got {res}"
    q = res.quality
    assert q.rows_read == q.rows_kept + q.rows_quarantined
    return q.by_reason


# --- files that cannot be read at all: one clear message each ------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.csv", b"", "empty_file"),
        ("blank.csv", b"  \r\n\r\n  ", "empty_file"),
        ("junk.csv", bytes(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8)), "not_a_table"),
        ("report.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "not_a_table"),
        ("controls.txt", ("\x01\x02\x03\x04\x05" * 200).encode(), "not_a_table"),
        ("broken.xes", b"<?xml version='1.0'?><log><trace><event><string key='concept:name' value='a'/>", "bad_xes"),
        ("broken.xes.gz", b"\x1f\x8b\x08\x00garbage", "bad_xes"),
        ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 100, "bad_workbook"),
    ],
)
def test_unreadable_files_give_one_message(tmp_path: Path, name: str, content: bytes, code: str) -> None:
    res = run(write(tmp_path, name, content))
    assert isinstance(res, InputProblem)
    assert res.code == code
    assert res.file == name


def test_missing_file(tmp_path: Path) -> None:
    res = run(tmp_path / "nope.csv")
    assert isinstance(res, InputProblem) and res.code == "file_not_found"


def test_header_only_gives_empty_log(tmp_path: Path) -> None:
    res = run(write(tmp_path, "header.csv", HEADER), profile())
    assert isinstance(res, NormaliseResult)
    assert (res.quality.rows_read, res.quality.events) == (0, 0)
    assert (tmp_path / "out" / "header.parquet").exists()


def test_wrong_delimiter_in_profile_says_so(tmp_path: Path) -> None:
    res = run(write(tmp_path, "semi.csv", HEADER + GOOD), profile(delim=","))
    assert isinstance(res, InputProblem) and res.code == "missing_column"
    assert "Trennzeichen" in res.hint


def test_misspelt_column_names_nearest(tmp_path: Path) -> None:
    text = (HEADER + GOOD).replace("Tätigkeit", "Taetigkeit", 1)
    res = run(write(tmp_path, "typo.csv", text), profile())
    assert isinstance(res, InputProblem) and res.code == "missing_column"
    assert res.column == "Tätigkeit" and "Taetigkeit" in res.hint and res.row == 1
    assert any("Taetigkeit" in d for d in res.details)


def test_duplicate_header_that_is_mapped(tmp_path: Path) -> None:
    text = HEADER.replace("Status", "Ende") + GOOD
    res = run(write(tmp_path, "dup_header.csv", text), profile())
    assert isinstance(res, InputProblem) and res.code == "duplicate_column" and res.column == "Ende"


def test_duplicate_header_not_mapped_is_fine(tmp_path: Path) -> None:
    text = HEADER.replace("Status", "Name") + GOOD
    res = run(write(tmp_path, "dup_unmapped.csv", text), profile())
    assert quarantined(res) == {}
    assert res.quality.events == 1


def test_forced_wrong_encoding(tmp_path: Path) -> None:
    res = run(write(tmp_path, "cp.csv", HEADER + GOOD, "cp1252"), profile(enc="utf-8"))
    assert isinstance(res, InputProblem) and res.code == "bad_encoding"


def test_unknown_encoding_name(tmp_path: Path) -> None:
    res = run(write(tmp_path, "enc.csv", HEADER + GOOD), profile(enc="klingon-8"))
    assert isinstance(res, InputProblem) and res.code == "bad_encoding"


def test_bad_profile_toml() -> None:
    with pytest.raises(InputProblem) as err:
        profile_from_toml("[profile]\nname = 'x'\n[columns]\ncase_idd = 'A'\nactivity='B'\nend='C'\n")
    assert err.value.code == "bad_profile" and "case_id" in err.value.found


def test_profile_file_not_toml(tmp_path: Path) -> None:
    p = write(tmp_path, "x.profile.toml", "[profile\nname=")
    with pytest.raises(InputProblem) as err:
        load_profile(p)
    assert err.value.code == "bad_profile"


def test_xlsx_with_only_empty_sheets(tmp_path: Path) -> None:
    path = tmp_path / "leer.xlsx"
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet("A")
    wb.add_worksheet("B")
    wb.close()
    res = run(path)
    assert isinstance(res, InputProblem) and res.code == "empty_file" and "A, B" in res.found


def test_unrecognised_columns_without_profile(tmp_path: Path) -> None:
    res = run(write(tmp_path, "odd.csv", "foo;bar;baz\n1;2;3\n"))
    assert isinstance(res, InputProblem) and res.code == "unrecognised_columns"
    assert "foo" in res.details[0]


# --- files that read, with the right quarantine count --------------------------------------------


BAD_ROWS = [
    (";Antrag eingegangen;05.03.2024 09:00;05.03.2024 09:15;Müller;complete;X\n", "missing_case_id", "Vorgang"),
    ("A-9;;05.03.2024 09:00;05.03.2024 09:15;Müller;complete;X\n", "missing_activity", "Tätigkeit"),
    ("A-9;Antrag eingegangen;05.03.2024 09:00;;Müller;complete;X\n", "missing_timestamp", "Ende"),
    ("A-9;Antrag eingegangen;05.03.2024 09:00;31.02.2024 09:15;Müller;complete;X\n", "unparseable_timestamp", "Ende"),
    ("A-9;Antrag eingegangen;gestern;05.03.2024 09:15;Müller;complete;X\n", "unparseable_timestamp", "Beginn"),
    ("A-9;Antrag eingegangen;05.03.2024 10:00;05.03.2024 09:15;Müller;complete;X\n", "start_after_end", "Beginn"),
    ("A-9;Antrag eingegangen;05.03.2099 09:00;05.03.2099 09:15;Müller;complete;X\n", "future_timestamp", "Ende"),
    ("A-9;Antrag eingegangen;05.03.1899 09:00;05.03.1899 09:15;Müller;complete;X\n", "implausibly_early_timestamp", "Ende"),
    (GOOD, "exact_duplicate", None),
    ("A-9;Antrag eingegangen;05.03.2024 09:00;05.03.2024 09:15;Müller;complete;X;zu viel\n", "malformed_row", None),
    ("A-9;Antrag eingegangen;05.03.2024 09:00\n", "malformed_row", None),
]


@pytest.mark.parametrize(("line", "reason", "column"), BAD_ROWS)
def test_bad_row_is_quarantined_with_reason(tmp_path: Path, line: str, reason: str, column: str | None) -> None:
    path = write(tmp_path, "rows.csv", HEADER + GOOD + line + GOOD.replace("A-1", "A-2"))
    res = run(path, profile())
    assert quarantined(res) == {reason: 1}
    assert res.quality.rows_read == 3 and res.quality.events == 2
    q = res.quarantine
    assert q["source_row"].tolist() == [3]  # header = row 1, first good row = 2
    assert q["reason"].tolist() == [reason]
    assert (q["column"].iloc[0] if column else None) == column or (column is None and pd.isna(q["column"].iloc[0]))
    written = pd.read_csv(tmp_path / "out" / "rows.quarantine.csv", sep=";", encoding="utf-8-sig")
    assert written["source_row"].tolist() == [3]


def test_unknown_activity_only_when_demanded(tmp_path: Path) -> None:
    line = "A-9;Kaffee gekocht;05.03.2024 09:00;05.03.2024 09:15;Müller;complete;X\n"
    path = write(tmp_path, "act.csv", HEADER + GOOD + line)
    assert quarantined(run(path, profile(known=True))) == {"unknown_activity": 1}
    assert quarantined(run(path, profile(known=False))) == {}


def test_lifecycle_unmatched_and_unknown_values(tmp_path: Path) -> None:
    rows = [
        "A-1;Termin vergeben;;05.03.2024 09:00;M;start;X",  # paired with the complete below
        "A-1;Termin vergeben;;05.03.2024 09:30;M;complete;X",
        "A-1;Antrag eingegangen;;05.03.2024 10:00;M;start;X",  # never completes
        "A-2;Antrag eingegangen;;05.03.2024 11:00;M;complete;X",  # complete without start: kept
        "A-2;Antrag eingegangen;;05.03.2024 12:00;M;Pause;X",  # unknown lifecycle value (XES suspend would be a step)
    ]
    path = write(tmp_path, "lc.csv", HEADER + "\n".join(rows) + "\n")
    res = run(path, profile(shape="lifecycle", start=False))
    assert quarantined(res) == {"unmatched_lifecycle": 1, "unknown_lifecycle": 1}
    assert res.quality.rows_kept == 3 and res.quality.events == 2
    assert res.quality.flags.get("unmatched_complete") == 1
    assert sorted(res.quarantine["source_row"]) == [4, 6]


def test_huge_cell(tmp_path: Path) -> None:
    big = "x" * 1_000_000
    rows = GOOD + f"A-2;{big};05.03.2024 09:00;05.03.2024 09:15;M;complete;Y\n" + f"A-3;Termin vergeben;;05.03.2024 09:15;M;complete;{big}\n"
    res = run(write(tmp_path, "big.csv", HEADER + rows), profile())
    assert quarantined(res) == {"value_too_long": 1}  # the 1 MB Name cell is never loaded
    assert res.quality.events == 2
    assert (tmp_path / "out" / "big.quarantine.csv").stat().st_size < 10_000


def test_quoted_newline_keeps_row_numbers(tmp_path: Path) -> None:
    rows = GOOD + 'A-2;"Termin\nvergeben";05.03.2024 09:00;05.03.2024 09:15;M;complete;Y\n' + GOOD.replace("A-1", "A-3")
    res = run(write(tmp_path, "nl.csv", HEADER + rows), profile())
    assert quarantined(res) == {}
    assert sorted(res.log["source_row"].tolist()) == [2, 3, 4]
    assert "Termin\nvergeben" in res.log["activity"].astype(str).tolist()


def test_title_lines_and_blank_lines(tmp_path: Path) -> None:
    text = "Export Ausländerbehörde\nStand: 01.01.2025\n" + HEADER + GOOD + "\n" + GOOD.replace("A-1", "A-2")
    res = run(write(tmp_path, "title.csv", text), profile())
    assert quarantined(res) == {}
    assert res.quality.notes == {"preamble_lines_skipped": 2, "blank_rows_skipped": 1}
    # title lines 1-2, header 3, data 4, blank 5, data 6
    assert sorted(res.log["source_row"].tolist()) == [4, 6]


def test_mixed_encodings_keep_umlauts(tmp_path: Path) -> None:
    data = HEADER.encode("utf-8") + GOOD.encode("utf-8") + GOOD.replace("A-1", "A-2").replace("Müller", "Weiß").encode("cp1252")
    res = run(write(tmp_path, "mixed.csv", data), profile())
    assert quarantined(res) == {}
    assert res.quality.notes.get("mixed_encoding") == 1
    assert set(res.log["activity"].astype(str)) == {"Antrag eingegangen"}
    q = pd.read_parquet(tmp_path / "out" / "mixed.parquet")
    assert len(q) == 2


def test_xlsx_renamed_csv_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "tabelle.csv"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Daten")
    ws.write_row(0, 0, ["Vorgang", "Tätigkeit", "Ende", "Sachbearbeiter"])
    ws.write_row(1, 0, ["A-1", "Antrag eingegangen", "05.03.2024 09:15", "M"])
    wb.close()
    assert zipfile.is_zipfile(path)
    res = run(path, profile(start=False))
    assert quarantined(res) == {} and res.quality.events == 1


def test_truncated_gzip_csv(tmp_path: Path) -> None:
    blob = gzip.compress((HEADER + GOOD).encode())[:-8]
    res = run(write(tmp_path, "cut.csv.gz", blob), profile())
    assert isinstance(res, InputProblem) and res.code == "bad_archive"


def test_unclosed_quote(tmp_path: Path) -> None:
    res = run(write(tmp_path, "quote.csv", HEADER + GOOD + 'A-2;"Antrag eingegangen;05.03.2024 09:00\n'), profile())
    if isinstance(res, NormaliseResult):
        assert res.quality.rows_read == res.quality.rows_kept + res.quality.rows_quarantined
        assert res.quality.events == 1
    else:
        assert res.code in ("malformed_csv",)


def test_misread_date_column_is_refused(tmp_path: Path) -> None:
    rows = "".join(f"A-{i};Antrag eingegangen;;03/{i + 13}/2024 10:00;M;complete;X\n" for i in range(12)) * 2
    res = run(write(tmp_path, "us.csv", HEADER + rows), profile())
    assert isinstance(res, InputProblem) and res.code == "unreadable_column" and res.column == "Ende"
    assert "'03/13/2024 10:00'" in res.found and "date_format" in res.hint


def test_all_rows_bad(tmp_path: Path) -> None:
    rows = "".join(f";Antrag eingegangen;;05.03.2024 09:{i:02d};M;complete;X\n" for i in range(5))
    res = run(write(tmp_path, "allbad.csv", HEADER + rows), profile())
    assert quarantined(res) == {"missing_case_id": 5}
    assert res.quality.events == 0 and len(pd.read_parquet(tmp_path / "out" / "allbad.parquet")) == 0


def test_dst_rules_are_counted(tmp_path: Path) -> None:
    rows = (
        "A-1;Antrag eingegangen;;27.10.2024 02:30;M;complete;X\n"  # autumn: 02:30 happens twice
        "A-2;Antrag eingegangen;;31.03.2024 02:30;M;complete;X\n"  # spring: 02:30 does not exist
    )
    res = run(write(tmp_path, "dst.csv", HEADER + rows), profile())
    assert res.quality.notes == {"dst_ambiguous_resolved": 1, "dst_nonexistent_shifted": 1}
    ends = sorted(res.log["end"].tolist())
    # spring 02:30 -> shifted forward to 03:00 CEST = 01:00 UTC; autumn 02:30 first (CEST) = 00:30 UTC
    assert ends == [pd.Timestamp("2024-03-31 01:00", tz="UTC"), pd.Timestamp("2024-10-27 00:30", tz="UTC")]


def test_every_quarantine_reason_is_planted_and_counted(tmp_path: Path) -> None:
    """One events file with every bad row of BAD_ROWS, an unknown activity and an over-long value, and one
    lifecycle file with a start that never ends and an unknown lifecycle value: together they give each
    quarantine reason the normaliser knows, each exactly as often as planted."""
    extra = [
        "A-7;Kaffee gekocht;05.03.2024 09:00;05.03.2024 09:15;Müller;complete;X\n",  # unknown_activity
        f"A-8;{'x' * 10_000};05.03.2024 09:00;05.03.2024 09:15;Müller;complete;X\n",  # value_too_long (limit: 500)
    ]
    lines = "".join(line for line, _, _ in BAD_ROWS) + "".join(extra)
    events = run(write(tmp_path, "alle.csv", HEADER + GOOD + lines), profile(known=True))
    lifecycle_rows = (
        "A-1;Termin vergeben;;05.03.2024 09:00;M;start;X\n"
        "A-1;Termin vergeben;;05.03.2024 09:30;M;complete;X\n"
        "A-1;Antrag eingegangen;;05.03.2024 10:00;M;start;X\n"  # unmatched_lifecycle
        "A-2;Antrag eingegangen;;05.03.2024 12:00;M;Pause;X\n"  # unknown_lifecycle
    )
    lifecycle = run(write(tmp_path, "lc.csv", HEADER + lifecycle_rows), profile(shape="lifecycle", start=False))
    got = Counter(quarantined(events)) + Counter(quarantined(lifecycle))
    planted = Counter(reason for _, reason, _ in BAD_ROWS)
    planted.update(["unknown_activity", "value_too_long", "unmatched_lifecycle", "unknown_lifecycle"])
    assert got == planted
    assert set(got) == set(REASONS)
    assert events.quality.rows_read == 1 + len(BAD_ROWS) + len(extra) and events.quality.events == 1


def test_mutated_files_never_crash(tmp_path: Path) -> None:
    """Random byte-level damage (cuts, junk bytes, stray quotes, delimiters, line breaks, mixed encodings)."""
    import random

    base = (HEADER + "".join(GOOD.replace("A-1", f"A-{i}").replace("09:15", f"09:{i:02d}") for i in range(30))).encode("cp1252")
    rng = random.Random(11)
    outcomes = {"result": 0, "problem": 0}
    for i in range(60):
        b = bytearray(base)
        for _ in range(rng.randint(1, 6)):
            pos = rng.randrange(len(b))
            op = rng.randint(0, 5)
            if op == 0:
                del b[pos : pos + rng.randint(1, 40)]
            elif op == 1:
                b[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))
            else:
                b[pos:pos] = [b'"', b";", b"\r\n", "äß€".encode(rng.choice(["utf-8", "cp1252"]))][op - 2]
        res = run(write(tmp_path, f"m{i}.csv", bytes(b)), profile(), tmp=tmp_path)
        outcomes["result" if isinstance(res, NormaliseResult) else "problem"] += 1
        if isinstance(res, NormaliseResult):
            q = res.quality
            assert q.rows_read == q.rows_kept + q.rows_quarantined
    assert outcomes["result"] > 0


def test_workbook_with_a_damaged_sheet_entry(tmp_path: Path) -> None:
    """The archive opens (its directory is intact) but the sheet's own entry is broken: a clear problem."""
    path = tmp_path / "kaputt.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Daten")
    for r, row in enumerate([["Vorgang", "Tätigkeit", "Ende"], ["V1", "Antrag eingegangen", "04.03.2024 09:00"]]):
        ws.write_row(r, 0, row)
    wb.close()
    data = bytearray(path.read_bytes())
    name = data.find(b"xl/worksheets/sheet1.xml")  # first hit: the entry's local header, 30 bytes after its start
    assert data[name - 30 : name - 26] == b"PK\x03\x04"
    data[name - 30 : name - 26] = b"XXXX"
    path.write_bytes(bytes(data))
    with pytest.raises(InputProblem) as err:
        ingest_file(path, tmp_path / "out", key=b"k" * 32)
    assert err.value.code == "bad_workbook" and err.value.file == "kaputt.xlsx"


def test_workbook_with_a_summary_sheet_and_monthly_sheets(tmp_path: Path) -> None:
    """A short summary sheet first, then one sheet per month with the same header: the months are read
    together as one export, each row keeping its sheet as its source."""
    path = tmp_path / "monate.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    summary = wb.add_worksheet("Übersicht")
    for r, row in enumerate([["Monat", "Anzahl Vorgänge"], ["Februar", 2], ["März", 1]]):
        summary.write_row(r, 0, row)
    months = {"Februar 2024": [("V1", "Antrag eingegangen", "05.02.2024 09:00"), ("V2", "Antrag eingegangen", "06.02.2024 10:00")],
              "März 2024": [("V1", "Termin vergeben", "04.03.2024 09:00")]}
    for name, rows in months.items():
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, ["Vorgang", "Tätigkeit", "Ende"])
        for r, row in enumerate(rows, start=1):
            ws.write_row(r, 0, row)
    wb.close()
    res = ingest_file(path, tmp_path / "out", key=b"k" * 32)
    assert (res.quality.rows_read, res.quality.rows_kept) == (3, 3)
    assert res.quality.notes["sheets_read_together"] == 2
    assert sorted(set(res.log["source_file"].astype(str))) == ["monate.xlsx [Februar 2024]", "monate.xlsx [März 2024]"]
    march = res.log[res.log["source_file"].astype(str) == "monate.xlsx [März 2024]"]
    assert march["source_row"].tolist() == [2]  # numbered as the sheet shows it
