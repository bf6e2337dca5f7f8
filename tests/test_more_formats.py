"""Timestamp layouts of common process-mining exports beyond the German and ISO ones."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from procmine import schema
from procmine.normalise import ingest_file

KEY = b"k" * 32


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2011/01/03 09:00:00.000", "2011/01/03 09:30:00.000"),  # Disco / ProM CSV export
        ("03-01-2011 09:00:00", "03-01-2011 09:30:00"),  # day first with dashes
        ("03.01.2011 09:00:00.000", "03.01.2011 09:30:00.000"),  # German with milliseconds
        ("1/3/2011 9:00:00 AM", "1/3/2011 9:30:00 AM"),  # US export with AM/PM: month first
    ],
)
def test_common_export_layouts_are_read_as_berlin_local_time(tmp_path: Path, start: str, end: str) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Case ID,Activity,Resource,Start Timestamp,Complete Timestamp\n"
        + "".join(f"Case {i},Register,R1,{start},{end}\n" for i in range(25)),
        encoding="utf-8",
    )
    res = ingest_file(path, tmp_path / "out", key=KEY)
    assert res.quality.rows_kept == 25 and res.quality.rows_quarantined == 0
    # 3 January 2011, Berlin winter time (UTC+1): 09:00 local = 08:00 UTC
    assert set(res.log[schema.START]) == {pd.Timestamp("2011-01-03 08:00", tz="UTC")}
    assert set(res.log[schema.END]) == {pd.Timestamp("2011-01-03 08:30", tz="UTC")}
    assert set(res.log[schema.PRECISION].astype(str)) == {"second"}


def test_afternoon_on_the_am_pm_clock(tmp_path: Path) -> None:
    path = tmp_path / "us.csv"
    path.write_text(
        "Case ID,Activity,Complete Timestamp\n" + "".join(f"Case {i},Register,1/13/2011 1:15:00 PM\n" for i in range(25)),
        encoding="utf-8",
    )
    res = ingest_file(path, tmp_path / "out", key=KEY)
    # 13 January 2011, 13:15 Berlin winter time = 12:15 UTC (month first: there is no 13th month)
    assert res.quality.rows_kept == 25
    assert set(res.log[schema.END]) == {pd.Timestamp("2011-01-13 12:15", tz="UTC")}


@pytest.mark.parametrize(
    ("text", "utc", "precision"),
    [
        ("04.03.2024 09:15 Uhr", "2024-03-04 08:15", "minute"),  # German clock with "Uhr"
        ("Mo, 04.03.2024 09:15", "2024-03-04 08:15", "minute"),  # weekday in front
        ("Montag, 4.3.2024 09:15:30", "2024-03-04 08:15:30", "second"),
        ("4. März 2024 09:15", "2024-03-04 08:15", "minute"),  # German month name
        ("04-Mar-2024 09:15", "2024-03-04 08:15", "minute"),  # English month abbreviation
        ("12. Dezember 2023", "2023-12-11 23:00", "day"),  # date only: local midnight, day precision
        ("2024.03.04 09:15", "2024-03-04 08:15", "minute"),  # dotted ISO date
    ],
)
def test_written_out_dates_and_clock_words(tmp_path: Path, text: str, utc: str, precision: str) -> None:
    path = tmp_path / "de.csv"
    path.write_text("Vorgang;Tätigkeit;Ende\n" + "".join(f"V{i};Antrag eingegangen;{text}\n" for i in range(5)), encoding="utf-8")
    res = ingest_file(path, tmp_path / "out", key=KEY)
    assert res.quality.rows_kept == 5 and res.quality.rows_quarantined == 0
    assert set(res.log[schema.END]) == {pd.Timestamp(utc, tz="UTC")}
    assert set(res.log[schema.PRECISION].astype(str)) == {precision}


def test_end_in_the_repeated_autumn_hour_after_its_start(tmp_path: Path) -> None:
    """27.10.2024: 02:00-03:00 local time happens twice. Naive times in it are read as summer time (the
    stated rule), except an end that would then lie before its start: only the second pass fits."""
    path = tmp_path / "dst.csv"
    path.write_text(
        "Vorgang;Tätigkeit;Beginn;Ende\n"
        "V1;Antrag eingegangen;27.10.2024 02:50;27.10.2024 02:10\n"  # ends in the second pass
        "V2;Antrag eingegangen;27.10.2024 02:10;27.10.2024 02:50\n"  # both in the first pass
        "V3;Antrag eingegangen;27.10.2024 01:50;27.10.2024 02:10\n",
        encoding="utf-8",
    )
    res = ingest_file(path, tmp_path / "out", key=KEY)
    assert res.quality.rows_kept == 3 and res.quality.by_reason == {}
    assert res.quality.notes["dst_end_read_as_standard_time"] == 1
    log = res.log.sort_values(schema.START)
    def utc(text: str) -> pd.Timestamp:
        return pd.Timestamp(text, tz="UTC")

    # V3 01:50-02:10 CEST; V2 02:10-02:50 CEST; V1 02:50 CEST (00:50 UTC) - 02:10 CET (01:10 UTC)
    assert list(zip(log[schema.START], log[schema.END])) == [
        (utc("2024-10-26 23:50"), utc("2024-10-27 00:10")),
        (utc("2024-10-27 00:10"), utc("2024-10-27 00:50")),
        (utc("2024-10-27 00:50"), utc("2024-10-27 01:10")),
    ]


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("1708327672", "2024-02-19 07:27:52"),  # Unix seconds (UTC)
        ("1708327672123", "2024-02-19 07:27:52.123"),  # Unix milliseconds
        ("13/02/24 14:31", "2024-02-13 13:31"),  # two-digit year with slashes, day first (Berlin winter time)
    ],
)
def test_epoch_and_short_slash_dates(tmp_path: Path, text: str, utc: str) -> None:
    path = tmp_path / "e.csv"
    path.write_text("Vorgang;Tätigkeit;Ende\n" + "".join(f"V{i};Antrag eingegangen;{text}\n" for i in range(5)), encoding="utf-8")
    res = ingest_file(path, tmp_path / "out", key=KEY)
    assert res.quality.rows_kept == 5
    assert set(res.log[schema.END]) == {pd.Timestamp(utc, tz="UTC")}


def test_classic_mac_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(b"Vorgang;T\xe4tigkeit;Ende\rV1;Antrag eingegangen;04.03.2024 09:00\rV2;Termin vergeben;05.03.2024 10:00\r")
    res = ingest_file(path, tmp_path / "out", key=KEY)
    assert (res.quality.rows_read, res.quality.rows_kept) == (2, 2)
    assert sorted(res.log[schema.ACTIVITY].astype(str)) == ["Antrag eingegangen", "Termin vergeben"]


def test_spellings_of_one_step_are_merged(tmp_path: Path) -> None:
    path = tmp_path / "sp.csv"
    path.write_text(
        "Vorgang;Tätigkeit;Ende\nV1;Antrag eingegangen;04.03.2024 09:00\nV2;Antrag eingegangen;04.03.2024 10:00\n"
        "V3;antrag  eingegangen;04.03.2024 11:00\nV3;Termin vergeben;05.03.2024 11:00\n",
        encoding="utf-8",
    )
    res = ingest_file(path, tmp_path / "out", key=KEY)
    assert sorted(set(res.log[schema.ACTIVITY].astype(str))) == ["Antrag eingegangen", "Termin vergeben"]
    assert res.quality.notes["activity_spellings_merged"] == 1
