"""Readers: encodings, delimiters, provenance, workbooks, XES, Parquet; public logs agree with pm4py."""

from __future__ import annotations

import codecs
import datetime as dt
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter

from procmine import schema
from procmine.ingest import list_sheets, read_table
from procmine.normalise import ingest_file
from procmine.privacy import pseudonymise

from conftest import PUBLIC_DATA

REPO = Path(__file__).resolve().parents[1]
PUBLIC = PUBLIC_DATA
KEY = b"test-key"
NOW = pd.Timestamp("2026-01-01", tz="UTC")

ROWS = [["Vorgang", "Tätigkeit", "Ende", "Bemerkung"], ["A-1", "Antrag eingegangen", "05.03.2024 09:15", "Jürgen Groß, Straße 5 €"]]


def _text(delim: str) -> str:
    return "\r\n".join(delim.join(r) for r in ROWS) + "\r\n"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("cp1252", "cp1252"),
        ("iso-8859-15", "iso-8859-15"),
        ("utf-16", "utf-16"),
    ],
)
def test_encodings_are_detected_and_umlauts_survive(tmp_path: Path, encoding: str, expected: str) -> None:
    delim = "\t" if encoding == "utf-16" else ";"  # Excel's "Unicode text" is UTF-16 with tabs
    path = tmp_path / "e.csv"
    path.write_bytes(_text(delim).encode(encoding))
    raw = read_table(path)
    assert raw.encoding == expected
    assert raw.delimiter == delim
    assert raw.columns == ROWS[0]
    assert raw.data["Bemerkung"].astype(str).tolist() == [ROWS[1][3]]


def test_utf16_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "u.txt"
    path.write_bytes(_text("\t").encode("utf-16-le"))
    raw = read_table(path)
    assert raw.encoding == "utf-16-le" and raw.data["Tätigkeit"].astype(str).tolist() == ["Antrag eingegangen"]


def test_encoding_override(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_bytes(_text(";").encode("cp1252"))
    # read as latin-1 on purpose: € (0x80 in cp1252) is a control character there, umlauts still fine
    raw = read_table(path, encoding="iso-8859-1")
    assert raw.encoding == "iso-8859-1" and raw.data["Bemerkung"].astype(str).iloc[0].startswith("Jürgen Groß")


@pytest.mark.parametrize("delim", [";", ",", "\t", "|"])
def test_delimiters(tmp_path: Path, delim: str) -> None:
    rows = [["Vorgang", "Tätigkeit", "Ende"], ["A-1", "Antrag eingegangen", "05.03.2024"], ["A-2", "Termin vergeben", "06.03.2024"]]
    path = tmp_path / "d.txt"
    path.write_text("\n".join(delim.join(r) for r in rows) + "\n", encoding="utf-8")
    raw = read_table(path)
    assert raw.delimiter == delim
    assert raw.data["Vorgang"].astype(str).tolist() == ["A-1", "A-2"]
    assert raw.source_row.tolist() == [2, 3]


def test_delimiter_inside_quotes_does_not_fool_sniffer(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('Vorgang;Tätigkeit;Ende\nA-1;"Antrag, eingegangen";05.03.2024\nA-2;"x, y, z";06.03.2024\n', encoding="utf-8")
    raw = read_table(path)
    assert raw.delimiter == ";" and raw.data["Tätigkeit"].astype(str).tolist() == ["Antrag, eingegangen", "x, y, z"]


def test_whitespace_trimmed_and_blank_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("Vorgang,Tätigkeit\n  A-1 ,  \nA-2,x\n", encoding="utf-8")
    raw = read_table(path)
    assert raw.data["Vorgang"].astype(str).tolist() == ["A-1", "A-2"]
    assert raw.data["Tätigkeit"].isna().tolist() == [True, False]


def test_xlsx_sheets_types_and_rows(tmp_path: Path) -> None:
    path = tmp_path / "w.xlsx"
    wb = xlsxwriter.Workbook(path)
    info = wb.add_worksheet("Info")
    info.write(0, 0, "Export vom 01.01.2025")
    ws = wb.add_worksheet("Vorgänge")
    date_fmt = wb.add_format({"num_format": "dd.mm.yyyy"})
    time_fmt = wb.add_format({"num_format": "hh:mm"})
    ws.write_row(0, 0, ["Vorgang", "Schritt", "Datum", "Uhrzeit", "Betrag"])
    ws.write_row(1, 0, ["A-1", "Antrag eingegangen"])
    ws.write_datetime(1, 2, dt.datetime(2024, 3, 5), date_fmt)
    ws.write_datetime(1, 3, dt.time(14, 30), time_fmt)
    ws.write_number(1, 4, 12.0)
    ws.write_row(3, 0, ["A-2", "Termin vergeben"])  # row 3 left blank on purpose
    ws.write_number(3, 4, 1.5)
    wb.close()
    assert list_sheets(path) == ["Info", "Vorgänge"]
    raw = read_table(path)
    assert raw.sheet == "Vorgänge" and raw.sheets == ("Info", "Vorgänge")
    assert raw.data["Datum"].astype(object).tolist()[0] == "2024-03-05"
    assert raw.data["Uhrzeit"].astype(object).tolist()[0] == "14:30"
    assert raw.data["Betrag"].astype(str).tolist() == ["12", "1.5"]
    assert raw.source_row.tolist() == [2, 4]  # the blank spreadsheet row 3 is skipped, numbering kept
    raw_info = read_table(path, sheet="Info")
    assert raw_info.sheet == "Info"


def test_xes_reader_matches_pm4py_columns() -> None:
    raw = read_table(PUBLIC / "running-example.xes")
    assert len(raw.data) == 42
    assert {"case:concept:name", "case:creator", "concept:name", "time:timestamp", "org:resource"} <= set(raw.columns)
    assert raw.source_row.tolist()[:3] == [2, 3, 4]
    assert raw.data["case:concept:name"].astype(str).nunique() == 6


def test_parquet_reader(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    table = pa.table(
        {
            "case": ["A", "B"],
            "act": ["x", "y"],
            "ts": pa.array([dt.datetime(2024, 3, 5, 8, 0), dt.datetime(2024, 3, 5, 9, 0)], pa.timestamp("us", tz="UTC")),
            "n": [1, 2],
        }
    )
    pq.write_table(table, path)
    raw = read_table(path)
    assert raw.format == "parquet"
    assert raw.data["ts"].astype(str).tolist() == ["2024-03-05T08:00:00.000000+0000", "2024-03-05T09:00:00.000000+0000"]
    assert raw.data["n"].astype(str).tolist() == ["1", "2"]


# --- the public logs: nothing lost, same as pm4py ------------------------------------------------


def _pm4py():
    warnings.filterwarnings("ignore")
    import pm4py

    return pm4py


def _check_against(log: pd.DataFrame, ref: pd.DataFrame, office: str, start_col: str | None = None) -> None:
    """Events in file order agree with pm4py's frame on case, activity and timestamps."""
    ours = log.sort_values(schema.SOURCE_ROW).reset_index(drop=True)
    assert len(ours) == len(ref)
    assert ours[schema.SOURCE_ROW].tolist() == list(range(2, len(ref) + 2))
    expected_case = pseudonymise(ref["case:concept:name"].astype(str), KEY, office, "C-")
    assert (ours[schema.CASE_ID].astype(str).to_numpy() == expected_case.to_numpy()).all()
    assert (ours[schema.ACTIVITY].astype(str).to_numpy() == ref["concept:name"].astype(str).to_numpy()).all()
    ref_end = pd.to_datetime(ref["time:timestamp"], utc=True).dt.as_unit("us")
    assert (ours[schema.END].to_numpy() == ref_end.to_numpy()).all()
    if start_col:
        ref_start = pd.to_datetime(ref[start_col], utc=True).dt.as_unit("us")
        assert (ours[schema.START].to_numpy() == ref_start.to_numpy()).all()
    assert ours[schema.CASE_ID].nunique() == ref["case:concept:name"].nunique()


def test_receipt_xes_gz(tmp_path: Path) -> None:
    pm4py = _pm4py()
    ref = pm4py.read_xes(str(PUBLIC / "receipt.xes.gz"))
    assert set(ref["lifecycle:transition"]) == {"complete"}  # completion-only: start stays empty
    res = ingest_file(PUBLIC / "receipt.xes.gz", tmp_path, key=KEY, now=NOW)
    q = res.quality
    assert (q.rows_read, q.rows_kept, q.rows_quarantined, q.events) == (8577, 8577, 0, 8577)
    assert res.log[schema.CASE_ID].nunique() == 1434
    assert res.log[schema.START].isna().all()
    _check_against(res.log, ref, "receipt")
    assert schema.read_log(tmp_path / "receipt.parquet").shape[0] == 8577


def test_receipt_csv(tmp_path: Path) -> None:
    pm4py = _pm4py()
    ref = pd.read_csv(PUBLIC / "receipt.csv")
    ref = pm4py.format_dataframe(ref, case_id="case:concept:name", activity_key="concept:name", timestamp_key="time:timestamp")
    ref = ref.sort_values("@@index").reset_index(drop=True)
    res = ingest_file(PUBLIC / "receipt.csv", tmp_path, key=KEY, now=NOW)
    assert (res.quality.rows_read, res.quality.events, res.quality.rows_quarantined) == (8577, 8577, 0)
    _check_against(res.log, ref, "receipt")
    # staff ids are pseudonymised, and copies of them are not kept as extras
    assert res.log[schema.RESOURCE].astype(str).str.startswith("R-").all()
    assert "case_responsible" not in res.log.columns


def test_interval_log_keeps_start_and_end(tmp_path: Path) -> None:
    ref = pd.read_csv(PUBLIC / "interval_event_log.csv")
    res = ingest_file(PUBLIC / "interval_event_log.csv", tmp_path, key=KEY, now=NOW)
    assert (res.quality.rows_read, res.quality.events, res.quality.rows_quarantined) == (8109, 8109, 0)
    _check_against(res.log, ref, "interval_event_log", start_col="start_timestamp")


@pytest.mark.parametrize("name", ["running-example.csv", "running-example.xes"])
def test_running_example(tmp_path: Path, name: str) -> None:
    pm4py = _pm4py()
    if name.endswith(".xes"):
        ref = pm4py.read_xes(str(PUBLIC / name))
    else:
        ref = pd.read_csv(PUBLIC / name)
    res = ingest_file(PUBLIC / name, tmp_path, key=KEY, now=NOW)
    assert (res.quality.events, res.log[schema.CASE_ID].nunique()) == (42, 6)
    _check_against(res.log, ref, "running-example")
    # keep by allow-list: without a profile naming them, Costs and the unnamed index column are not kept,
    # only listed by name
    assert "spalte_1" not in res.log.columns and "costs" not in res.log.columns
    assert any(c.lower() == "costs" for c in res.quality.dropped_columns)
    prof = replace(res.profile, extra={c: "costs" for c in res.quality.dropped_columns if c.lower() == "costs"})
    kept = ingest_file(PUBLIC / name, tmp_path / "mit_profil", profile=prof, key=KEY, now=NOW)
    assert kept.log.sort_values(schema.SOURCE_ROW)["costs"].iloc[0] == 50.0  # named in [extra]: kept, as a number


def test_bom_header_is_clean(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(codecs.BOM_UTF8 + "Vorgang;Tätigkeit\nA;b\n".encode())
    assert read_table(path).columns == ["Vorgang", "Tätigkeit"]


def test_many_rows_keep_numbering(tmp_path: Path) -> None:
    n = 50_000
    df = pd.DataFrame({"Vorgang": np.arange(n) % 977, "Tätigkeit": "x", "Ende": "05.03.2024 09:15"})
    path = tmp_path / "big.csv"
    df.to_csv(path, sep=";", index=False)
    raw = read_table(path)
    assert len(raw.data) == n and raw.source_row[-1] == n + 1
    assert raw.data["Vorgang"].astype(str).iloc[-1] == str((n - 1) % 977)


def test_csv_read_in_pieces_matches_single_read_and_reports_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large unquoted CSVs are parsed piece by piece; cells, row numbers and blanks match the one-go read."""
    import procmine.ingest.text as text

    lines = ["Vorgang;Tätigkeit;Ende"] + [f"V{i % 7};Eingang;2024-03-{1 + i % 28:02d} 10:{i % 60:02d}" for i in range(300)]
    lines[151] = "V9; Prüfung ;"  # row 152: padded activity, empty end
    path = tmp_path / "gross.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole = read_table(path)
    calls: list[tuple[int, int | None]] = []
    monkeypatch.setattr(text, "PIECE_BYTES", 512)  # ~8 KB file -> about 16 pieces
    pieces = read_table(path, progress=lambda done, total: calls.append((done, total)))
    pd.testing.assert_frame_equal(pieces.data.astype(object), whole.data.astype(object))
    assert pieces.source_row.tolist() == whole.source_row.tolist() == list(range(2, 302))
    assert pieces.data["Tätigkeit"].iloc[150] == "Prüfung" and pd.isna(pieces.data["Ende"].iloc[150])
    assert len(calls) > 10 and calls[-1] == (300, None)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_fast_iso_offset_parse_agrees_with_careful_parse() -> None:
    """Strict ISO-with-offset values take arrow's cast; the rest (and invalid dates) the careful path."""
    from procmine.ingest.timestamps import _parse_distinct, parse_distinct

    values = pd.Index([
        "2024-03-05T14:30:00+0100",  # 13:30 UTC, second
        "2024-03-05 14:30:00.250+01:00",  # 13:30:00.25 UTC, second
        "2024-03-05T14:30:00Z",  # 14:30 UTC
        "2024-02-30T10:00:00+0000",  # no such day: careful path -> unparsed
        "05.03.2024 14:30",  # German, naive, minute
        "2024-03-05T14:30",  # ISO naive, minute
    ], dtype=object)
    fast = parse_distinct(values)
    ref = _parse_distinct(values)
    assert fast.utc[0] == np.datetime64("2024-03-05T13:30:00")
    assert fast.utc[1] == np.datetime64("2024-03-05T13:30:00.250")
    assert np.isnat(fast.utc[3]) and np.isnat(fast.naive[3])
    for a, b in ((fast.utc, ref.utc), (fast.naive, ref.naive)):
        assert [str(x) for x in a] == [str(x) for x in b]
    assert list(fast.precision) == list(ref.precision) == ["second", "second", "second", None, "minute", "minute"]
    assert fast.aware.tolist() == ref.aware.tolist() == [True, True, True, False, False, False]


def test_late_non_utf8_bytes_are_sniffed_in_full(tmp_path: Path) -> None:
    """UTF-8 guessed from the first lines must not stick when a later row is Windows-1252."""
    from procmine.ingest.text import sniff_encoding

    # ~1.5 MB of ASCII rows (more than the first-lines sample), then one row with cp1252 'ü' (0xfc)
    rows = [f"A-{i};Antrag;05.03.2024 09:{i % 60:02d}" for i in range(60_000)]
    body = ("Vorgang;Tätigkeit;Ende\n".encode("cp1252") + "\n".join(rows).encode("ascii")
            + "\nA-x;Prüfung;06.03.2024 10:00\n".encode("cp1252"))
    assert len(body) > 1_100_000
    p = tmp_path / "late.csv"
    p.write_bytes(body)
    raw = read_table(p)
    assert raw.encoding == sniff_encoding(body) == "cp1252"
    assert raw.data["Tätigkeit"].astype(str).iloc[-1] == "Prüfung"
    assert len(raw.data) == 60_001


def test_plain_text_timestamp_column_gives_the_same_log(tmp_path: Path) -> None:
    """A nearly distinct timestamp column stays plain text in the RawTable; normalising it must give
    exactly what the Categorical route gives: duplicates by text, fallback formats, unreadable values."""
    from procmine.normalise import normalise, suggest_profile

    text = (
        "Vorgang;Tätigkeit;Ende\n"
        "A-1;Antrag eingegangen;2024-03-05T08:00:00+0000\n"  # row 2
        "A-1;Antrag eingegangen;2024-03-05T09:00:00+0100\n"  # row 3: same instant, other text: kept
        "A-1;Antrag eingegangen;2024-03-05T08:00:00+0000\n"  # row 4: exact duplicate of row 2
        "A-2;Antrag eingegangen;05.03.2024 10:00\n"  # row 5: German format, Berlin winter time -> 09:00 UTC
        "A-2;Termin vergeben;kaputt\n"  # row 6: unreadable
        "A-2;Termin vergeben;2024-03-06T12:30:00+0000\n"  # row 7
    )
    p = tmp_path / "plain.csv"
    p.write_text(text, encoding="utf-8")
    raw = read_table(p)
    assert not isinstance(raw.data["Ende"].dtype, pd.CategoricalDtype)  # 5 distinct of 6 filled
    assert isinstance(raw.data["Tätigkeit"].dtype, pd.CategoricalDtype)
    prof = suggest_profile(raw)
    now = pd.Timestamp("2026-01-01", tz="UTC")
    res = normalise(raw, prof, key=b"k", now=now)
    q = res.quarantine.set_index("source_row")
    assert q["reason"].to_dict() == {4: "exact_duplicate", 6: "unparseable_timestamp"}
    assert q.loc[6, "found"] == "kaputt"
    log = res.log
    assert sorted(log["source_row"].tolist()) == [2, 3, 5, 7]  # order: by pseudonymised case, then end
    ends = dict(zip(log["source_row"], log["end"]))
    assert ends == {
        2: pd.Timestamp("2024-03-05 08:00", tz="UTC"),
        3: pd.Timestamp("2024-03-05 08:00", tz="UTC"),
        5: pd.Timestamp("2024-03-05 09:00", tz="UTC"),
        7: pd.Timestamp("2024-03-06 12:30", tz="UTC"),
    }
    # the same table with the column as a Categorical (no reader hints) gives the identical result
    cat = replace(raw, data=raw.data.assign(Ende=raw.data["Ende"].astype(object).astype("category")), iso_hints={})
    res2 = normalise(cat, prof, key=b"k", now=now)
    pd.testing.assert_frame_equal(res.log, res2.log)
    pd.testing.assert_frame_equal(res.quarantine, res2.quarantine)
    assert res.quality == res2.quality


@pytest.mark.parametrize("encoding", ["cp1252", "iso-8859-15"])
def test_single_byte_file_in_pieces_reads_like_utf8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str) -> None:
    """Single-byte exports are parsed as bytes and decoded per distinct value: umlauts and the euro sign
    come out as in the UTF-8 copy, also across pieces and with empty cells."""
    import procmine.ingest.text as text

    monkeypatch.setattr(text, "PIECE_BYTES", 512)
    euro = "€"  # 0x80 in Windows-1252, 0xA4 in ISO-8859-15
    rows = ["Vorgang;Tätigkeit;Ende;Team"]
    for i in range(200):
        act = ["Prüfung", "Anhörung", f"Gebühr {euro}", "Übergabe"][i % 4]
        team = "" if i % 9 == 0 else ("Süd" if i % 2 else "Nord")
        rows.append(f"A-{i // 3};{act};{i % 28 + 1:02d}.03.2024 09:{i % 60:02d};{team}")
    body = "\n".join(rows) + "\n"
    (tmp_path / "s.csv").write_bytes(body.encode(encoding))
    (tmp_path / "u.csv").write_bytes(body.encode("utf-8"))
    single = read_table(tmp_path / "s.csv")
    utf8 = read_table(tmp_path / "u.csv")
    assert single.encoding == encoding
    for col in ("Vorgang", "Tätigkeit", "Ende", "Team"):
        assert single.data[col].astype(object).tolist() == utf8.data[col].astype(object).tolist(), col
    assert single.data["Tätigkeit"].astype(str).iloc[2] == f"Gebühr {euro}"
    assert single.data["Team"].isna().sum() == 23
