"""Normaliser: values, shapes, flags, privacy, monthly files, profiles; hypothesis for conservation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procmine import schema
from procmine.errors import InputProblem
from procmine.ingest import read_table
from procmine.ingest.raw import frame_from_columns, make_raw
from procmine.normalise import (
    FLAGS,
    REASON_HINTS_DE,
    REASON_LABELS_DE,
    REASONS,
    ingest_file,
    ingest_office,
    normalise,
    sort_events,
)
from procmine.profiles import Profile, is_personal, profile_from_toml, suggest_profile

KEY = b"test-key"
NOW = pd.Timestamp("2026-01-01", tz="UTC")
UTC = "UTC"

DE_PROFILE = profile_from_toml(
    """
[profile]
name = "de_test"
delimiter = ";"
decimal = ","
date_format = "%d.%m.%Y %H:%M"
office = "ABH-T"
[columns]
case_id = "Vorgang"
activity = "Tätigkeit"
end = "Ende"
resource = "Sachbearbeiter"
case_type = "Verfahrensart"
[activities]
"Antrag eingegangen" = "application_received"
[case_types]
"§ 16b" = "AE_EDU"
[privacy]
drop = ["Name", "Geburtsdatum", "Aktenzeichen", "Vermerk", "Staatsangehörigkeit"]
[extra]
"Gebühr" = "fee"
"""
)


def _raw(columns: dict[str, list], file: str = "t.csv"):
    return make_raw(frame_from_columns(columns), file)


def _objects(s: pd.Series) -> list:
    """Values with missing as None (categoricals give NaN)."""
    return [None if pd.isna(v) else v for v in s.astype(object)]


def _ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=UTC)


def test_german_values_and_fallback_formats() -> None:
    raw = _raw(
        {
            "Vorgang": ["A-1", "A-1", "A-2", "A-2", "A-2", "A-3"],
            "Tätigkeit": ["Antrag eingegangen", "Termin vergeben", "Kaffee", "Kaffee", "Kaffee", "Antrag eingegangen"],
            "Ende": ["05.03.2024 09:15", "06.03.2024 10:00", "05.03.24 10:00", "2024-03-06T10:00:00+01:00", "45357", "01.04.2024"],
            "Sachbearbeiter": ["Müller", "Müller", "Weiß", "Weiß", "Weiß", "Weiß"],
            "Verfahrensart": ["§ 16b", "§ 16b", "§ 28", "§ 28", "§ 28", "AE_FAM"],
            "Gebühr": ["1.234,50", "12,5", "3", "3", "3", "0"],
        }
    )
    res = normalise(raw, DE_PROFILE, key=KEY, now=NOW)
    log = res.log.sort_values(schema.SOURCE_ROW).reset_index(drop=True)
    # Berlin is UTC+1 in early March and UTC+2 from 31 March
    assert log[schema.END].tolist() == [
        _ts("2024-03-05 08:15"),  # profile format
        _ts("2024-03-06 09:00"),
        _ts("2024-03-05 09:00"),  # dd.mm.yy fallback
        _ts("2024-03-06 09:00"),  # ISO with offset, no time-zone guess
        _ts("2024-03-05 23:00"),  # Excel serial 45357 = 6 March 2024, a day: local midnight
        _ts("2024-03-31 22:00"),  # date only: local midnight in summer time
    ]
    assert log[schema.PRECISION].astype(str).tolist() == ["minute", "minute", "minute", "second", "day", "day"]
    assert _objects(log[schema.ACTIVITY_KEY]) == [
        "application_received",
        "appointment_scheduled",  # exact catalogue label
        None,
        None,
        None,
        "application_received",
    ]
    assert log[schema.ACTIVITY].astype(str).tolist()[2] == "Kaffee"  # the export's label is kept
    assert log[schema.CASE_TYPE].astype(str).tolist() == ["AE_EDU", "AE_EDU", "§ 28", "§ 28", "§ 28", "AE_FAM"]
    assert log["fee"].tolist() == [1234.5, 12.5, 3.0, 3.0, 3.0, 0.0]
    assert log[schema.OFFICE].astype(str).unique().tolist() == ["ABH-T"]
    # A-2's Excel-serial row (5 March 23:00 UTC) comes after its 6 March row in the file: out of order
    assert res.quality.flags == {"day_precision": 2, "out_of_order": 1}
    assert log[schema.CASE_ID].astype(str).str.match(r"^C-[0-9a-f]{16}$").all()
    assert log[schema.RESOURCE].astype(str).str.match(r"^R-[0-9a-f]{16}$").all()
    schema.validate(res.log)


def test_separate_date_and_time_columns() -> None:
    prof = profile_from_toml(
        """
[profile]
name = "split"
[columns]
case_id = "Fall"
activity = "Schritt"
end_date = "Datum"
end_time = "Uhrzeit"
"""
    )
    raw = _raw(
        {
            "Fall": ["F1", "F1", "F2", "F3"],
            "Schritt": ["a", "b", "a", "a"],
            "Datum": ["05.03.2024", "2024-03-06", "07.03.2024", "08.03.2024"],
            "Uhrzeit": ["14:30", None, "25:99", "0,5"],
        }
    )
    res = normalise(raw, prof, key=KEY, now=NOW)
    assert res.quality.by_reason == {"unparseable_timestamp": 1}
    assert res.quarantine["source_row"].tolist() == [4]
    log = res.log.sort_values(schema.SOURCE_ROW)
    # 14:30 CET = 13:30 UTC; no time -> local midnight, day precision; 0,5 as Excel day fraction = 12:00
    assert log[schema.END].tolist() == [_ts("2024-03-05 13:30"), _ts("2024-03-05 23:00"), _ts("2024-03-08 11:00")]
    assert log[schema.PRECISION].astype(str).tolist() == ["minute", "day", "minute"]


def test_milestones_unpivot_into_events() -> None:
    prof = profile_from_toml(
        """
[profile]
name = "ms"
shape = "milestones"
[columns]
case_id = "Vorgangsnr"
team = "Team"
[milestones]
"Eingang" = "Antrag/Anliegen eingegangen"
"Vorsprache" = "appearance_completed"
"Entscheidung" = "Entscheidung: bewilligt"
"""
    )
    raw = _raw(
        {
            "Vorgangsnr": ["M1", "M2", "M3", "M4"],
            "Team": ["T1", "T2", "T1", "T2"],
            "Eingang": ["2024-01-10", "2024-01-11", None, "2024-01-12"],
            "Vorsprache": ["2024-02-01 10:30", None, None, "kaputt"],
            "Entscheidung": ["01.03.2024", None, None, "2024-03-05"],
        }
    )
    res = normalise(raw, prof, key=KEY, now=NOW)
    q = res.quality
    # M1 -> 3 events, M2 -> 1 event; M3 has no date at all, M4 an unreadable one (whole row quarantined)
    assert (q.rows_read, q.rows_kept, q.rows_quarantined, q.events) == (4, 2, 2, 4)
    assert q.by_reason == {"missing_timestamp": 1, "unparseable_timestamp": 1}
    log = res.log.sort_values(schema.EVENT_SEQ)
    assert log[schema.ACTIVITY].astype(str).tolist() == [
        "Antrag/Anliegen eingegangen",
        "Persönliche Vorsprache durchgeführt",  # a catalogue key in the profile gives the German label
        "Entscheidung: bewilligt",
        "Antrag/Anliegen eingegangen",
    ]
    assert log[schema.ACTIVITY_KEY].astype(str).tolist() == [
        "application_received",
        "appearance_completed",
        "decision_approved",
        "application_received",
    ]
    assert log[schema.SOURCE_ROW].tolist() == [2, 2, 2, 3]
    assert log[schema.TEAM].astype(str).tolist() == ["T1", "T1", "T1", "T2"]
    assert log[schema.PRECISION].astype(str).tolist() == ["day", "minute", "day", "day"]


def test_lifecycle_pairs_kth_start_with_kth_complete() -> None:
    prof = profile_from_toml(
        """
[profile]
name = "lc"
shape = "lifecycle"
[columns]
case_id = "case"
activity = "act"
end = "ts"
lifecycle = "lc"
"""
    )
    raw = _raw(
        {
            "case": ["A", "A", "A", "A", "B"],
            "act": ["Prüfung", "Prüfung", "Prüfung", "Prüfung", "Prüfung"],
            "ts": ["2024-03-05 09:00", "2024-03-05 10:00", "2024-03-05 09:30", "2024-03-05 10:45", "2024-03-05 11:00"],
            "lc": ["start", "start", "complete", "COMPLETE", "start"],
        }
    )
    res = normalise(raw, prof, key=KEY, now=NOW)
    q = res.quality
    assert (q.rows_read, q.rows_kept, q.rows_quarantined, q.events) == (5, 4, 1, 2)
    assert q.by_reason == {"unmatched_lifecycle": 1}
    log = res.log.sort_values(schema.END)
    # 09:00 CET = 08:00 UTC etc.
    assert log[schema.START].tolist() == [_ts("2024-03-05 08:00"), _ts("2024-03-05 09:00")]
    assert log[schema.END].tolist() == [_ts("2024-03-05 08:30"), _ts("2024-03-05 09:45")]
    assert log[schema.SOURCE_ROW].tolist() == [4, 5]  # the complete rows
    assert res.quarantine["source_row"].tolist() == [6]


def test_flags_out_of_order_batch_and_midnight() -> None:
    prof = profile_from_toml(
        """
[profile]
name = "fl"
[columns]
case_id = "c"
activity = "a"
end = "t"
resource = "r"
"""
    )
    cases = ["X", "X"] + [f"B{i}" for i in range(10)] + ["M"]
    times = ["2024-03-05 10:00", "2024-03-05 09:00"] + [f"2024-03-06 11:05:{i:02d}" for i in range(10)] + ["2024-03-07 00:00"]
    res = normalise(_raw({"c": cases, "a": ["x"] * 13, "t": times, "r": ["R1", "R1"] + ["R2"] * 10 + ["R3"]}), prof, key=KEY, now=NOW)
    # X's second row is earlier than the first: out of order; R2 enters 10 events within one minute;
    # M at exactly local midnight with minute precision
    assert res.quality.flags == {"out_of_order": 1, "batch_entry": 11}
    flags = res.log.set_index(schema.SOURCE_ROW)["quality_flags"].astype(object)
    assert flags[3] == "out_of_order" and pd.isna(flags[2]) and flags[14] == "batch_entry"


def test_sort_matches_schema_sort_log() -> None:
    rng = np.random.default_rng(3)
    n = 500
    raw = _raw(
        {
            "c": [f"K{v}" for v in rng.integers(0, 40, n)],
            "a": ["x"] * n,
            "t": [f"2024-03-{d:02d} 10:{m:02d}" for d, m in zip(rng.integers(1, 9, n), rng.integers(0, 3, n))],
        }
    )
    prof = Profile(name="s", columns={"case_id": "c", "activity": "a", "end": "t"})
    log = normalise(raw, prof, key=KEY, now=NOW).log
    ref = schema.sort_log(log.sample(frac=1, random_state=1))
    assert log[schema.EVENT_SEQ].tolist() == ref[schema.EVENT_SEQ].tolist()
    assert sort_events(log.sample(frac=1, random_state=2))[schema.EVENT_SEQ].tolist() == ref[schema.EVENT_SEQ].tolist()


SECRETS = ["Jürgen Groß", "14.05.1956", "AZ-4711/24", "Klagt über Wartezeit", "syrisch", "Vorgang-0815", "Sachb. Meier"]


def test_personal_data_never_reaches_any_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = tmp_path / "keys" / "key"
    monkeypatch.setenv("PROCMINE_KEY_FILE", str(key_file))
    monkeypatch.delenv("PROCMINE_KEY", raising=False)
    rows = [
        "Vorgang;Tätigkeit;Ende;Sachbearbeiter;Verfahrensart;Name;Geburtsdatum;Aktenzeichen;Vermerk;Staatsangehörigkeit;Gebühr",
        "Vorgang-0815;Antrag eingegangen;05.03.2024 09:15;Sachb. Meier;§ 16b;Jürgen Groß;14.05.1956;AZ-4711/24;Klagt über Wartezeit;syrisch;10,00",
        "Vorgang-0815;Antrag eingegangen;31.02.2024 09:15;Sachb. Meier;§ 16b;Jürgen Groß;14.05.1956;AZ-4711/24;Klagt über Wartezeit;syrisch;10,00",
        ";Antrag eingegangen;05.03.2024 09:15;Sachb. Meier;§ 16b;Jürgen Groß;14.05.1956;AZ-4711/24;Klagt über Wartezeit;syrisch;10,00",
    ]
    src = tmp_path / "in" / "export.csv"
    src.parent.mkdir()
    src.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    out = tmp_path / "out"
    res = ingest_file(src, out, profile=DE_PROFILE, now=NOW)  # key from the (new) key file
    assert res.quality.rows_quarantined == 2 and key_file.exists()
    key_text = key_file.read_text().strip()
    files = sorted(out.iterdir())
    assert {f.name for f in files} == {"ABH-T.parquet", "ABH-T.quarantine.csv"}
    texts = []
    for f in files:
        if f.suffix == ".parquet":
            table = pq.read_table(f)
            texts.append(" ".join(table.schema.names))
            texts.append(table.to_pandas().astype(str).to_csv())
        else:
            texts.append(f.read_text(encoding="utf-8-sig"))
    blob = "\n".join(texts)
    for secret in SECRETS + [key_text]:
        assert secret not in blob, secret
    assert "Vorgang-0815" not in blob and "C-" in blob  # pseudonyms in the quarantine too


def test_monthly_files_overlap_is_deduplicated(tmp_path: Path) -> None:
    head = "Vorgang;Tätigkeit;Ende;Sachbearbeiter;Verfahrensart\n"
    jan = head + "A;Antrag eingegangen;30.01.2024 10:00;M;§ 16b\nA;Termin vergeben;31.01.2024 10:00;M;§ 16b\n"
    feb = head + "A;Termin vergeben;31.01.2024 10:00;M;§ 16b\nB;Antrag eingegangen;01.02.2024 10:00;M;§ 16b\n"
    p1, p2 = tmp_path / "ABH-T_2024-01.csv", tmp_path / "ABH-T_2024-02.csv"
    p1.write_text(jan, encoding="utf-8")
    p2.write_text(feb, encoding="utf-8")
    res = ingest_office([p1, p2], tmp_path / "out", profile=DE_PROFILE, key=KEY, now=NOW)
    q = res.quality
    assert (q.rows_read, q.rows_kept, q.rows_quarantined, q.events) == (4, 3, 1, 3)
    assert q.by_reason == {"exact_duplicate": 1} and q.notes["duplicates_across_files"] == 1
    assert q.files == ("ABH-T_2024-01.csv", "ABH-T_2024-02.csv")
    assert res.quarantine[["source_file", "source_row"]].values.tolist() == [["ABH-T_2024-02.csv", 2]]
    assert (tmp_path / "out" / "ABH-T.parquet").exists()


def test_profile_that_does_not_fit_names_the_column(tmp_path: Path) -> None:
    raw = _raw({"Vorgang": ["A"], "Taetigkeit": ["x"], "Ende": ["05.03.2024 09:15"]})
    with pytest.raises(InputProblem) as err:
        normalise(raw, DE_PROFILE, key=KEY, now=NOW)
    assert err.value.code == "missing_column" and err.value.column == "Tätigkeit" and "'Taetigkeit'" in err.value.hint


def test_reason_texts_cover_every_code() -> None:
    for code in REASONS + FLAGS:
        assert REASON_LABELS_DE[code] and REASON_HINTS_DE[code].endswith(".")


# --- suggesting profiles -------------------------------------------------------------------------


def test_suggest_german_headers(tmp_path: Path) -> None:
    p = tmp_path / "neu.csv"
    p.write_text(
        "Vorgangsnummer;Tätigkeit;Zeitstempel;Bearbeiterin;Sachgebiet;Verfahrensart;Name;Geburtsdatum;Kanal\n"
        "V1;Antrag/Anliegen eingegangen;05.03.2024 09:00;S1;Erwerb;§ 16b;Groß;01.01.1990;online\n",
        encoding="utf-8",
    )
    raw = read_table(p)
    prof = suggest_profile(raw)
    assert prof.columns == {
        "case_id": "Vorgangsnummer",
        "activity": "Tätigkeit",
        "end": "Zeitstempel",
        "resource": "Bearbeiterin",
        "team": "Sachgebiet",
        "case_type": "Verfahrensart",
    }
    assert set(prof.privacy_drop) == {"Name", "Geburtsdatum"}
    assert prof.extra == {}  # keep by allow-list: Kanal only when the analyst names it in [extra]
    assert prof.delimiter == ";" and prof.decimal == ","
    assert raw.preview(1).iloc[0]["Kanal"] == "online"


def test_suggest_english_split_date_time() -> None:
    raw = _raw({"Case ID": ["1"], "Activity": ["a"], "Date": ["2024-03-05"], "Time": ["10:00"], "User": ["u"]})
    prof = suggest_profile(raw)
    assert prof.columns == {"case_id": "Case ID", "activity": "Activity", "end_date": "Date", "end_time": "Time", "resource": "User"}


def test_suggest_milestones_and_lifecycle() -> None:
    wide = _raw({"Vorgang": ["1", "2"], "Eingang": ["05.03.2024", "06.03.2024"], "Bescheid": ["01.04.2024", None], "Aktenzeichen": ["AZ", "AZ"]})
    prof = suggest_profile(wide)
    assert prof.shape == "milestones" and prof.milestones == {"Eingang": "Eingang", "Bescheid": "Bescheid"}
    assert prof.privacy_drop == ("Aktenzeichen",)
    lc = _raw({"case:concept:name": ["1", "1"], "concept:name": ["a", "a"], "time:timestamp": ["2024-03-05", "2024-03-06"], "lifecycle:transition": ["start", "complete"]})
    assert suggest_profile(lc).shape == "lifecycle"


# --- hypothesis: profiles round-trip, the normaliser conserves rows and is deterministic ---------

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    name=TEXT,
    description=st.text(max_size=30),
    columns=st.dictionaries(st.sampled_from(["resource", "team", "office", "case_type", "start"]), TEXT, max_size=4),
    activities=st.dictionaries(TEXT, st.sampled_from(["application_received", "case_closed", "fee_paid"]), max_size=4),
    drop=st.lists(TEXT, max_size=4),
    extra=st.dictionaries(TEXT, TEXT, max_size=3),
    known=st.booleans(),
)
def test_profile_round_trips(name, description, columns, activities, drop, extra, known) -> None:
    p = Profile(
        name=name,
        description=description,
        columns={"case_id": "Vorgang", "activity": "Tätigkeit", "end": "Ende", **columns},
        activities=activities,
        privacy_drop=tuple(drop),
        extra=extra,
        # an [extra] column whose name looks personal (e.g. a generated "ADDRESS") must be kept on purpose
        privacy_keep=tuple(c for c in extra if is_personal(c)),
        require_known_activities=known,
        match_columns=("Vorgang", "Ende"),
    )
    again = profile_from_toml(p.to_toml())
    assert again == p
    assert again.to_toml() == p.to_toml()


CELLS = st.one_of(
    st.none(),
    st.sampled_from(["05.03.2024 09:15", "2024-03-05T09:15:00+01:00", "31.02.2024", "gestern", "05.03.2024", "01.01.2199 10:00"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(st.sampled_from([None, "A", "B", "C"]), st.sampled_from([None, "x", "Antrag eingegangen"]), CELLS, CELLS),
        min_size=0,
        max_size=19,  # 20 unreadable timestamps in one column are refused as a misread profile
    )
)
def test_normaliser_conserves_rows_and_is_deterministic(rows) -> None:
    prof = Profile(name="h", columns={"case_id": "c", "activity": "a", "start": "s", "end": "e"})
    cols = {"c": [r[0] for r in rows], "a": [r[1] for r in rows], "s": [r[2] for r in rows], "e": [r[3] for r in rows]}
    first = normalise(_raw(cols), prof, key=KEY, now=NOW)
    q = first.quality
    assert q.rows_read == len(rows) == q.rows_kept + q.rows_quarantined
    assert q.events == q.rows_kept == len(first.log)  # events shape: one event per kept row
    assert sorted(first.log[schema.SOURCE_ROW].tolist() + first.quarantine["source_row"].tolist()) == list(range(2, len(rows) + 2))
    schema.validate(first.log)
    second = normalise(_raw(cols), prof, key=KEY, now=NOW)
    pd.testing.assert_frame_equal(first.log, second.log)
    pd.testing.assert_frame_equal(first.quarantine, second.quarantine)
    assert first.quality == second.quality


# --- the synthetic demo exports: built-in profiles chosen from the header, defects found exactly --


def test_demo_exports_match_planted_defects(tmp_path: Path) -> None:
    import json

    from procmine.synth import generate_demo

    manifest = generate_demo(tmp_path / "exports", cases_per_office=40, months=3)
    truth = json.loads(Path(manifest.truth).read_text(encoding="utf-8"))
    names = {"empty_case_id": "missing_case_id", "bad_timestamp": "unparseable_timestamp", "duplicate_row": "exact_duplicate"}
    for office, info in truth["offices"].items():
        res = ingest_file(manifest.exports[office], tmp_path / "out", key=KEY, now=NOW)
        q = res.quality
        assert res.profile is not None and res.profile.name == info["profile"], office
        assert (q.rows_read, q.events) == (info["rows"], info["events"]), office
        assert q.by_reason == {names[k]: v for k, v in info["defects"].items() if v}, office
        assert res.log[schema.CASE_ID].nunique() == info["cases"], office
        assert q.office == office and (tmp_path / "out" / f"{office}.parquet").exists()
        blob = (tmp_path / "out" / f"{office}.quarantine.csv").read_text(encoding="utf-8-sig")
        assert f"{office}-0000" not in blob  # raw case ids never reach the quarantine file


def test_inspect_masks_personal_columns(tmp_path: Path) -> None:
    from procmine.normalise import inspect_file

    p = tmp_path / "neu.csv"
    p.write_text("Vorgang;Tätigkeit;Ende;Name\nV1;Antrag eingegangen;05.03.2024 09:00;Jürgen Groß\n", encoding="cp1252")
    report = inspect_file(p)
    assert "Jürgen" not in report.text and "•••" in report.text
    assert "Kodierung: cp1252" in report.text and "Semikolon" in report.text
    assert report.profile.columns["case_id"] == "Vorgang" and report.profile.privacy_drop == ("Name",)
    assert profile_from_toml(report.profile.to_toml()) == report.profile
