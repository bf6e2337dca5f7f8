"""Legacy Excel (.xls, BIFF8 written by xlwt) is read like .xlsx: sheets, umlauts, date cells, magic bytes."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

xlwt = pytest.importorskip("xlwt")

from procmine import schema  # noqa: E402
from procmine.errors import InputProblem  # noqa: E402
from procmine.ingest import detect_format, list_sheets, read_table  # noqa: E402
from procmine.normalise import ingest_file  # noqa: E402
from procmine.profiles import get_profile, with_changes  # noqa: E402

KEY = b"k" * 32
NOW = pd.Timestamp("2025-01-01", tz="UTC")
HEADER = ["Vorgangsnummer", "Tätigkeit", "Datum", "Uhrzeit", "Sachbearbeiter", "Bemerkung"]
# (case, activity, date cell, time text, staff): Datum is a real Excel date cell except where noted
ROWS = [
    ("AB-2024-001", "Antrag/Anliegen eingegangen", dt.date(2024, 3, 28), "09:15", "Jörg Weiß"),
    ("AB-2024-001", "Persönliche Vorsprache durchgeführt", dt.date(2024, 3, 30), "23:45", "Jörg Weiß"),
    ("AB-2024-001", "Gebühr bezahlt", dt.date(2024, 3, 31), "02:30", "Jörg Weiß"),  # in the spring gap
    ("AB-2024-002", "Lichtbild und Fingerabdrücke erfasst", dt.date(2024, 4, 2), "14:05", "Ülkü Straßburger"),
    ("AB-2024-002", "Entscheidung: bewilligt", "03.04.2024", "08:00", "Ülkü Straßburger"),  # date as text
    ("", "Gebühr bezahlt", dt.date(2024, 4, 3), "10:00", "Ülkü Straßburger"),  # no case id: quarantined
]


def _workbook(path: Path, info_table: bool = False) -> Path:
    """Two sheets: an info sheet with a title row (and a key/value table), then the event table."""
    wb = xlwt.Workbook(encoding="utf-8")
    info = wb.add_sheet("Hinweise")
    info.write(0, 0, "Tätigkeitsprotokoll der Ausländerbehörde Großstadt – Export für die Prozessanalyse")
    info.write(2, 0, "Zeitraum: März–April 2024")
    if info_table:
        for i, (k, v) in enumerate([("Erstellt von", "Fachverfahren"), ("Zeilen", "6"), ("Behörde", "ABH-07")], 4):
            info.write(i, 0, k)
            info.write(i, 1, v)
    sheet = wb.add_sheet("Vorgänge")
    date_style = xlwt.easyxf(num_format_str="DD.MM.YYYY")
    for j, name in enumerate(HEADER):
        sheet.write(0, j, name)
    for i, (case, act, day, time, staff) in enumerate(ROWS, start=1):
        if case:
            sheet.write(i, 0, case)
        sheet.write(i, 1, act)
        sheet.write(i, 2, day, date_style if isinstance(day, dt.date) else xlwt.Style.default_style)
        sheet.write(i, 3, time)
        sheet.write(i, 4, staff)
        sheet.write(i, 5, "Rückfrage wegen Übersetzung")
    wb.save(str(path))
    return path


def _profile(sheet: str = "Vorgänge"):  # type: ignore[no-untyped-def]
    """The built-in Excel event profile, mapped to this export's headers (and told the sheet)."""
    base = get_profile("de_events_xlsx")
    columns = {k: v for k, v in base.columns.items() if k not in ("team", "case_type")}
    columns.update(case_id="Vorgangsnummer", resource="Sachbearbeiter")
    return with_changes(base, name="xls_test", sheet=sheet, columns=columns,
                        match_columns=("Vorgangsnummer", "Tätigkeit", "Datum", "Uhrzeit"),
                        privacy_drop=("Bemerkung",))


def test_list_sheets_names_both_sheets(tmp_path: Path) -> None:
    assert list_sheets(_workbook(tmp_path / "export.xls")) == ["Hinweise", "Vorgänge"]


def test_read_named_sheet_keeps_umlauts_and_renders_date_cells(tmp_path: Path) -> None:
    raw = read_table(_workbook(tmp_path / "export.xls"), sheet="Vorgänge")
    assert raw.sheet == "Vorgänge" and raw.sheets == ("Hinweise", "Vorgänge")
    assert raw.format == "xls"
    assert raw.columns == HEADER
    assert raw.rows_read == 6
    assert raw.source_row.tolist() == [2, 3, 4, 5, 6, 7]
    data = raw.data.astype(object)
    assert data["Tätigkeit"].tolist() == [r[1] for r in ROWS]
    assert data["Sachbearbeiter"].tolist() == ["Jörg Weiß"] * 3 + ["Ülkü Straßburger"] * 3
    assert data["Datum"].tolist() == ["2024-03-28", "2024-03-30", "2024-03-31", "2024-04-02", "03.04.2024", "2024-04-03"]
    assert data["Uhrzeit"].tolist() == ["09:15", "23:45", "02:30", "14:05", "08:00", "10:00"]
    assert pd.isna(data["Vorgangsnummer"].iloc[5])


def test_without_sheet_the_event_table_is_found(tmp_path: Path) -> None:
    raw = read_table(_workbook(tmp_path / "export.xls"))
    assert raw.sheet == "Vorgänge" and raw.rows_read == 6


def test_ingest_xls_gives_events_in_utc(tmp_path: Path) -> None:
    src = _workbook(tmp_path / "ABH-07.xls")
    res = ingest_file(src, tmp_path / "out", profile=_profile(), key=KEY, now=NOW)
    q = res.quality
    assert (q.office, q.rows_read, q.rows_kept, q.rows_quarantined, q.events) == ("ABH-07", 6, 5, 1, 5)
    assert q.by_reason == {"missing_case_id": 1}
    assert q.notes.get("dst_nonexistent_shifted") == 1
    log = res.log
    # Europe/Berlin: CET (UTC+1) until 31.03.2024 02:00, then CEST (UTC+2); 02:30 that night does not exist
    # and is shifted forward to 03:00 CEST = 01:00 UTC
    expected = {
        "Antrag/Anliegen eingegangen": "2024-03-28 08:15",
        "Persönliche Vorsprache durchgeführt": "2024-03-30 22:45",
        "Gebühr bezahlt": "2024-03-31 01:00",
        "Lichtbild und Fingerabdrücke erfasst": "2024-04-02 12:05",
        "Entscheidung: bewilligt": "2024-04-03 06:00",
    }
    got = dict(zip(log[schema.ACTIVITY].astype(str), log[schema.END]))
    assert got == {k: pd.Timestamp(v, tz="UTC") for k, v in expected.items()}
    assert set(log[schema.PRECISION].astype(str)) == {"minute"}
    assert sorted(log[schema.SOURCE_ROW].tolist()) == [2, 3, 4, 5, 6]
    assert log[schema.ACTIVITY_KEY].astype(str).tolist().count("fee_paid") == 1
    assert log[schema.CASE_ID].nunique() == 2
    assert not log[schema.CASE_ID].astype(str).str.contains("AB-2024").any()  # pseudonymised
    assert "Bemerkung" not in res.quarantine.columns  # personal column never loaded


def test_xls_saved_as_csv_is_read_as_workbook(tmp_path: Path) -> None:
    book = _workbook(tmp_path / "export.xls")
    disguised = tmp_path / "ABH-07.csv"
    shutil.copy(book, disguised)
    assert detect_format(disguised, disguised.read_bytes()[:4096]) == "xls"
    raw = read_table(disguised, sheet="Vorgänge")
    assert raw.format == "xls" and raw.rows_read == 6
    res = ingest_file(disguised, tmp_path / "out", profile=_profile(), key=KEY, now=NOW)
    assert (res.quality.rows_kept, res.quality.events) == (5, 5)
    assert res.log[schema.END].min() == pd.Timestamp("2024-03-28 08:15", tz="UTC")


def test_sheet_from_the_call_or_from_the_profile_columns(tmp_path: Path) -> None:
    # the info sheet has a two-column table, so only the profile's match_columns single out the event sheet
    src = _workbook(tmp_path / "ABH-07.xls", info_table=True)
    for kwargs in ({"sheet": "Vorgänge"}, {}):
        res = ingest_file(src, tmp_path / "out", profile=_profile(sheet=""), key=KEY, now=NOW, **kwargs)
        assert (res.quality.rows_read, res.quality.events) == (6, 5), kwargs
    with pytest.raises(InputProblem) as err:
        read_table(src, sheet="Tabelle1")
    assert err.value.code == "missing_sheet"
