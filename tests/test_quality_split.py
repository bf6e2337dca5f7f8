"""One quality report per office when one export file holds several offices (split_quality, merge_quality)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from procmine.normalise import ingest_file
from procmine.pipeline import ingest_folder, load_qualities
from procmine.profiles import Profile
from procmine.quality import QualityReport, merge_quality, split_quality

from conftest import TEST_KEY

KEY = b"k" * 32
NOW = pd.Timestamp("2025-01-01", tz="UTC")
HEADER = "Vorgang;Tätigkeit;Ende;Sachbearbeiter;Dienststelle"
# row numbers as a spreadsheet shows them (header = 1); comment = fate of the row
ROWS = [
    "V1;Antrag eingegangen;04.03.2024 09:00;S1;ABH-01",  # 2  A kept
    "V1;Termin vergeben;05.03.2024 10:30;S1;ABH-01",  # 3  A kept
    "V2;Antrag eingegangen;06.03.2024 08:15;S2;ABH-01",  # 4  A kept
    "V2;Termin vergeben;06.03.2024 07:00;S2;ABH-01",  # 5  A kept, out_of_order (earlier than row 4)
    ";Antrag eingegangen;06.03.2024 08:15;S2;ABH-01",  # 6  A missing_case_id
    "V3;Antrag eingegangen;31.02.2024 09:00;S2;ABH-01",  # 7  A unparseable_timestamp
    "W1;Antrag eingegangen;04.03.2024 11:00;T1;ABH-02",  # 8  B kept
    "W1;Entscheidung;07.03.2024;T1;ABH-02",  # 9  B kept, day_precision
    ";Termin vergeben;05.03.2024 14:00;T1;ABH-02",  # 10 B missing_case_id
    "W2;Termin vergeben;kein Datum;T1;ABH-02",  # 11 B unparseable_timestamp
    "W3;Termin vergeben;2024-13-45 10:00;T1;ABH-02",  # 12 B unparseable_timestamp
]
PROFILE_TOML = """[profile]
name = "land_export"
format = "csv"
encoding = "utf-8"
delimiter = ";"
date_format = "%d.%m.%Y %H:%M"
office = "{office}"
match_columns = ["Vorgang", "Tätigkeit", "Ende", "Dienststelle"]

[columns]
case_id = "Vorgang"
activity = "Tätigkeit"
end = "Ende"
resource = "Sachbearbeiter"
office = "Dienststelle"
"""


def _profile(office: str = "") -> Profile:
    return Profile(
        name="land_export",
        encoding="utf-8",
        delimiter=";",
        date_format="%d.%m.%Y %H:%M",
        office=office,
        match_columns=("Vorgang", "Tätigkeit", "Ende", "Dienststelle"),
        columns={"case_id": "Vorgang", "activity": "Tätigkeit", "end": "Ende", "resource": "Sachbearbeiter",
                 "office": "Dienststelle"},
    )


def _write(path: Path, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _check_sums(parts: dict[str, QualityReport], whole: QualityReport) -> None:
    for field in ("rows_read", "rows_kept", "rows_quarantined", "events"):
        assert sum(getattr(p, field) for p in parts.values()) == getattr(whole, field), field
    for field in ("by_reason", "by_column", "flags", "notes"):
        total: dict[str, int] = {}
        for p in parts.values():
            for k, v in getattr(p, field).items():
                total[k] = total.get(k, 0) + v
        assert total == getattr(whole, field), field


def test_split_gives_each_office_its_own_counts(tmp_path: Path) -> None:
    src = _write(tmp_path / "in" / "land_export.csv", ROWS)
    res = ingest_file(src, tmp_path / "out", profile=_profile(), key=KEY, now=NOW)
    assert (res.quality.rows_read, res.quality.rows_kept, res.quality.rows_quarantined, res.quality.events) == (11, 6, 5, 6)

    parts = split_quality(res)
    assert sorted(parts) == ["ABH-01", "ABH-02"]
    a, b = parts["ABH-01"], parts["ABH-02"]
    assert (a.office, a.rows_read, a.rows_kept, a.rows_quarantined, a.events) == ("ABH-01", 6, 4, 2, 4)
    assert a.by_reason == {"missing_case_id": 1, "unparseable_timestamp": 1}
    assert a.by_column == {"Vorgang": 1, "Ende": 1}
    assert a.flags == {"out_of_order": 1}
    assert (b.office, b.rows_read, b.rows_kept, b.rows_quarantined, b.events) == ("ABH-02", 5, 2, 3, 2)
    assert b.by_reason == {"missing_case_id": 1, "unparseable_timestamp": 2}
    assert b.by_column == {"Vorgang": 1, "Ende": 2}
    assert b.flags == {"day_precision": 1}
    assert a.files == b.files == ("land_export.csv",)
    assert a.profile == b.profile == "land_export"
    _check_sums(parts, res.quality)


def test_quarantined_row_without_office_goes_to_the_default_office(tmp_path: Path) -> None:
    # row 13 has neither case id nor office: the normaliser's default office is the profile's office
    rows = [*ROWS, ";Antrag eingegangen;08.03.2024 09:00;T2;"]
    src = _write(tmp_path / "in" / "land_export.csv", rows)
    res = ingest_file(src, tmp_path / "out", profile=_profile(office="ABH-02"), key=KEY, now=NOW)
    parts = split_quality(res)
    assert sorted(parts) == ["ABH-01", "ABH-02"]
    assert (parts["ABH-02"].rows_read, parts["ABH-02"].rows_quarantined) == (6, 4)
    assert parts["ABH-02"].by_reason == {"missing_case_id": 2, "unparseable_timestamp": 2}
    assert parts["ABH-01"].rows_read == 6
    _check_sums(parts, res.quality)

    # without a profile office the file stem names the default office, as for kept rows without an office
    res = ingest_file(src, tmp_path / "out2", profile=_profile(), key=KEY, now=NOW)
    parts = split_quality(res)
    assert sorted(parts) == ["ABH-01", "ABH-02", "land_export"]
    stem = parts["land_export"]
    assert (stem.rows_read, stem.rows_kept, stem.rows_quarantined, stem.events) == (1, 0, 1, 0)
    assert stem.by_reason == {"missing_case_id": 1}
    _check_sums(parts, res.quality)


def test_file_notes_stay_whole_with_one_office(tmp_path: Path) -> None:
    # two blank lines are a file-level note; the default office (profile office ABH-01) keeps it
    src = tmp_path / "in" / "land_export.csv"
    src.parent.mkdir(parents=True)
    src.write_text("\n".join([HEADER, *ROWS[:3], ";;;;", *ROWS[3:], ";;;;"]) + "\n", encoding="utf-8")
    res = ingest_file(src, tmp_path / "out", profile=_profile(office="ABH-01"), key=KEY, now=NOW)
    assert res.quality.notes.get("blank_rows_skipped") == 2
    parts = split_quality(res)
    assert parts["ABH-01"].notes == res.quality.notes
    assert parts["ABH-02"].notes == {}
    _check_sums(parts, res.quality)


def test_one_office_file_is_returned_unchanged(tmp_path: Path) -> None:
    src = _write(tmp_path / "in" / "ABH-01.csv", [r for r in ROWS if r.endswith("ABH-01")])
    res = ingest_file(src, tmp_path / "out", profile=_profile(), key=KEY, now=NOW)
    parts = split_quality(res)
    assert list(parts) == ["ABH-01"]
    assert parts["ABH-01"] is res.quality


def test_merge_adds_counts_and_joins_files() -> None:
    a = QualityReport("ABH-01", ("jan.csv",), 10, 8, 2, 9, {"missing_case_id": 2}, {"Vorgang": 2},
                      {"day_precision": 3}, {"blank_rows_skipped": 1}, "q/jan.csv", "p")
    b = QualityReport("ABH-01", ("feb.csv", "jan.csv"), 5, 2, 3, 2, {"missing_case_id": 1, "exact_duplicate": 2},
                      {"Vorgang": 1}, {"out_of_order": 1}, {}, "q/feb.csv", "p")
    m = merge_quality(a, b)
    assert m.files == ("jan.csv", "feb.csv")
    assert (m.rows_read, m.rows_kept, m.rows_quarantined, m.events) == (15, 10, 5, 11)
    assert m.by_reason == {"missing_case_id": 3, "exact_duplicate": 2}
    assert m.by_column == {"Vorgang": 3}
    assert m.flags == {"day_precision": 3, "out_of_order": 1}
    assert m.notes == {"blank_rows_skipped": 1}
    assert m.quarantine_file == "q/jan.csv; q/feb.csv" and m.profile == "p"
    with pytest.raises(ValueError):
        merge_quality(a, QualityReport("ABH-02", (), 0, 0, 0, 0))


def test_ingest_folder_writes_one_quality_file_per_office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCMINE_KEY", TEST_KEY)
    exports = tmp_path / "exports"
    _write(exports / "land_export.csv", ROWS)
    (exports / "land.profile.toml").write_text(PROFILE_TOML.format(office=""), encoding="utf-8")
    out = tmp_path / "normalised"
    logs, qualities = ingest_folder(exports, out)
    assert sorted(qualities) == ["ABH-01", "ABH-02"]
    assert sorted(p.name for p in out.glob("*.quality.json")) == ["ABH-01.quality.json", "ABH-02.quality.json"]
    saved = json.loads((out / "ABH-01.quality.json").read_text(encoding="utf-8"))
    assert (saved["rows_read"], saved["rows_kept"], saved["rows_quarantined"], saved["events"]) == (6, 4, 2, 4)
    assert load_qualities(out) == qualities
    assert {o: len(df) for o, df in logs.items()} == {"ABH-01": 4, "ABH-02": 2}


def test_ingest_folder_merges_two_files_of_one_office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCMINE_KEY", TEST_KEY)
    exports = tmp_path / "exports"
    _write(exports / "land_export.csv", ROWS)  # ABH-01: 6 read, 4 kept, 2 quarantined; ABH-02: 5, 2, 3
    _write(exports / "nachtrag.csv", [  # ABH-02 only: 3 read, 2 kept, 1 quarantined
        "X1;Antrag eingegangen;11.03.2024 09:00;T1;ABH-02",
        "X1;Termin vergeben;12.03.2024 09:00;T1;ABH-02",
        "X2;Termin vergeben;;T1;ABH-02",
    ])
    (exports / "land.profile.toml").write_text(PROFILE_TOML.format(office=""), encoding="utf-8")
    out = tmp_path / "normalised"
    _, qualities = ingest_folder(exports, out)
    b = qualities["ABH-02"]
    assert b.files == ("land_export.csv", "nachtrag.csv")
    assert (b.rows_read, b.rows_kept, b.rows_quarantined, b.events) == (8, 4, 4, 4)
    assert b.by_reason == {"missing_case_id": 1, "unparseable_timestamp": 2, "missing_timestamp": 1}
    assert b.by_column == {"Vorgang": 1, "Ende": 3}
    a = qualities["ABH-01"]
    assert (a.rows_read, a.files) == (6, ("land_export.csv",))
    assert load_qualities(out)["ABH-02"] == b


def test_lifecycle_start_rows_count_with_their_office(tmp_path: Path) -> None:
    # A: V1 start+complete -> 2 kept rows, 1 event; V2 start without complete -> quarantined
    # B: V3 complete alone -> 1 kept row, 1 event (flag unmatched_complete); V4 pair -> 2 rows, 1 event
    src = tmp_path / "in" / "lc.csv"
    src.parent.mkdir(parents=True)
    src.write_text(
        "Vorgang;Tätigkeit;Zeit;Status;Dienststelle\n"
        "V1;Prüfung;04.03.2024 09:00;start;A\nV1;Prüfung;04.03.2024 10:00;complete;A\n"
        "V2;Prüfung;04.03.2024 09:00;start;A\nV3;Prüfung;04.03.2024 11:00;complete;B\n"
        "V4;Prüfung;04.03.2024 09:00;start;B\nV4;Prüfung;04.03.2024 12:00;complete;B\n",
        encoding="utf-8",
    )
    prof = Profile(name="lc", shape="lifecycle", encoding="utf-8", delimiter=";",
                   columns={"case_id": "Vorgang", "activity": "Tätigkeit", "end": "Zeit", "lifecycle": "Status",
                            "office": "Dienststelle"})
    res = ingest_file(src, tmp_path / "out", profile=prof, key=KEY, now=NOW)
    parts = split_quality(res)
    a, b = parts["A"], parts["B"]
    assert (a.rows_read, a.rows_kept, a.rows_quarantined, a.events) == (3, 2, 1, 1)
    assert a.by_reason == {"unmatched_lifecycle": 1} and a.flags == {}
    assert (b.rows_read, b.rows_kept, b.rows_quarantined, b.events) == (3, 3, 0, 2)
    assert b.flags == {"unmatched_complete": 1}
    _check_sums(parts, res.quality)


def test_one_office_report_takes_the_office_name_of_the_log(tmp_path: Path) -> None:
    # the normaliser names a one-office report after the file stem; the split names it after the office
    src = _write(tmp_path / "in" / "export.csv", [r for r in ROWS if r.endswith("ABH-02")])
    res = ingest_file(src, tmp_path / "out", profile=_profile(), key=KEY, now=NOW)
    parts = split_quality(res)
    assert list(parts) == ["ABH-02"]
    q = parts["ABH-02"]
    assert q.office == "ABH-02" and (q.rows_read, q.rows_kept, q.by_reason) == (
        res.quality.rows_read, res.quality.rows_kept, res.quality.by_reason)
