"""Profile suggestions for export shapes seen in offices (DOMAIN §3.3): the Aktenzeichen as the only case
id, "Status" as the step, date and clock time in separate columns, lifecycle words under any name, XES
trace attributes, and the most specific folder profile winning."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from procmine.ingest import read_table
from procmine.normalise import ingest_file
from procmine.profiles import Profile, _extra_name, match_profile, suggest_profile

KEY = b"k" * 32


def _raw(tmp_path: Path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return read_table(path)


DOMAIN_SHAPE = (
    "Aktenzeichen;Antragsdatum;Vorgangsart;Status;Sachbearbeiter;Team;Datum;Uhrzeit;Gebühr\r\n"
    "AZ-2024-0001;04.03.2024;§ 16b;Antrag eingegangen;Jörg Übelhör;Team A–K;04.03.2024;09:15;100,00\r\n"
    "AZ-2024-0001;04.03.2024;§ 16b;Persönliche Vorsprache;Jörg Übelhör;Team A–K;11.03.2024;14:05;0,00\r\n"
    "AZ-2024-0002;05.03.2024;§ 18g;Antrag eingegangen;Agnès Dürrenmatt;Team L–Z;05.03.2024;08:01;100,00\r\n"
)


def test_aktenzeichen_status_and_date_plus_time(tmp_path: Path) -> None:
    prof = suggest_profile(_raw(tmp_path, "abh.csv", DOMAIN_SHAPE, "cp1252"))
    assert prof.columns["case_id"] == "Aktenzeichen"
    assert prof.columns["activity"] == "Status"
    assert prof.columns["end_date"] == "Datum" and prof.columns["end_time"] == "Uhrzeit"
    assert prof.columns["case_type"] == "Vorgangsart"
    assert "Aktenzeichen" not in prof.privacy_drop  # it is the case id, hashed at ingest
    assert prof.extra == {}  # keep by allow-list: unmapped columns (Gebühr) only when the analyst names them
    assert set(prof.match_columns) >= {"Aktenzeichen", "Status", "Datum", "Uhrzeit"}


def test_domain_shape_ingests_with_clock_times_and_no_file_numbers_in_output(tmp_path: Path) -> None:
    src = tmp_path / "abh.csv"
    src.write_bytes(DOMAIN_SHAPE.encode("cp1252"))
    res = ingest_file(src, tmp_path / "out", key=KEY)
    assert (res.quality.rows_read, res.quality.rows_kept) == (3, 3)
    log = pd.read_parquet(tmp_path / "out" / "abh.parquet").sort_values("end")
    # 04.03.2024 09:15 Berlin (CET) = 08:15 UTC; minute precision, not a date at midnight
    assert log["end"].iloc[0] == pd.Timestamp("2024-03-04T08:15:00Z")
    assert set(log["precision"].astype(str)) == {"minute"}
    assert log["case_id"].nunique() == 2
    assert set(log["activity"].astype(str)) == {"Antrag eingegangen", "Persönliche Vorsprache"}
    for out in (tmp_path / "out").iterdir():
        assert b"AZ-2024" not in out.read_bytes(), out.name


def test_aktenzeichen_stays_personal_beside_a_case_number(tmp_path: Path) -> None:
    text = "Vorgang;Aktenzeichen;Tätigkeit;Ende\nV1;AZ-1;Antrag eingegangen;04.03.2024 09:15\n"
    prof = suggest_profile(_raw(tmp_path, "v.csv", text))
    assert prof.columns["case_id"] == "Vorgang"
    assert "Aktenzeichen" in prof.privacy_drop


def test_lifecycle_words_under_another_name(tmp_path: Path) -> None:
    text = (
        "Vorgangsnummer;Arbeitsschritt;Ereignis;Zeitstempel\n"
        "V1;Antrag eingegangen;Beginn;18.10.2024 13:32\n"
        "V1;Antrag eingegangen;Ende;18.10.2024 14:13\n"
    )
    prof = suggest_profile(_raw(tmp_path, "lc.csv", text))
    assert prof.shape == "lifecycle"
    assert prof.columns["lifecycle"] == "Ereignis" and prof.columns["activity"] == "Arbeitsschritt"


def test_date_and_clock_columns_named_otherwise(tmp_path: Path) -> None:
    text = "VORGANG_ID;VORGANGSSCHRITT;ERL_DATUM;ERL_ZEIT\nV1;Antrag eingegangen;16.09.2024;09:08\n"
    prof = suggest_profile(_raw(tmp_path, "u.csv", text))
    assert (prof.columns["end_date"], prof.columns["end_time"]) == ("ERL_DATUM", "ERL_ZEIT")
    # a date column that carries its clock time keeps it: no separate time column is taken
    text2 = "Vorgang;Tätigkeit;Erledigt;Uhrzeit\nV1;Antrag eingegangen;16.09.2024 10:00;09:08\n"
    prof2 = suggest_profile(_raw(tmp_path, "u2.csv", text2))
    assert prof2.columns.get("end") == "Erledigt" and "end_time" not in prof2.columns


def test_excel_dates_at_midnight_with_a_clock_column(tmp_path: Path) -> None:
    text = "Vorgang;Tätigkeit;Erledigt;Uhrzeit\nV1;Antrag eingegangen;2024-09-16 00:00:00;09:08\n"
    prof = suggest_profile(_raw(tmp_path, "x.csv", text))
    assert (prof.columns["end_date"], prof.columns["end_time"]) == ("Erledigt", "Uhrzeit")


def test_xes_trace_attribute_as_case_type(tmp_path: Path) -> None:
    text = "case:concept:name,concept:name,time:timestamp,case:Verfahrensart\nc1,a,2024-01-01T10:00:00Z,§ 16b\n"
    prof = suggest_profile(_raw(tmp_path, "x.csv", text))
    assert prof.columns["case_type"] == "case:Verfahrensart"


def test_most_specific_profile_wins() -> None:
    narrow = Profile(name="ohne_uhrzeit", match_columns=("Aktenzeichen", "Status", "Datum"))
    wide = Profile(name="mit_uhrzeit", match_columns=("Aktenzeichen", "Status", "Datum", "Uhrzeit"))
    header = ["Aktenzeichen", "Status", "Datum", "Uhrzeit", "Team"]
    assert match_profile(header, [narrow, wide]).name == "mit_uhrzeit"
    assert match_profile(["Aktenzeichen", "Status", "Datum"], [narrow, wide]).name == "ohne_uhrzeit"
    assert match_profile(["Vorgang"], [narrow, wide]) is None


def test_extra_names_spell_out_umlauts() -> None:
    assert _extra_name("Gebühr") == "gebuehr" and _extra_name("Größe (cm)") == "groesse_cm"
    assert _extra_name("case:Straße") == "case_strasse"


def test_birth_date_is_never_the_event_time(tmp_path: Path) -> None:
    """A personal date column stands first, the event time has an unknown name: the event time is taken
    and the birth date is dropped, so it reaches no output."""
    text = (
        "Antrags-Nr.;Geburtsdatum;Antragsdatum;Aktion;Datum Ereignis\n"
        "V1;03.10.1990;08.02.2024;Antrag eingegangen;08.02.2024 10:23\n"
        "V1;03.10.1990;08.02.2024;Termin vergeben;12.02.2024 11:36\n"
    )
    src = tmp_path / "g.csv"
    src.write_text(text, encoding="utf-8")
    prof = suggest_profile(read_table(src))
    assert prof.columns["end"] == "Datum Ereignis" and "Geburtsdatum" in prof.privacy_drop
    res = ingest_file(src, tmp_path / "out", key=KEY)
    assert res.quality.rows_kept == 2
    for out in (tmp_path / "out").iterdir():
        assert b"1990" not in out.read_bytes(), out.name


def test_event_time_before_entry_time(tmp_path: Path) -> None:
    """'Erfasst am' (typed in) and 'Geändert am' are not the event's time when another date column is."""
    text = "Vorgang;Aktion;Erfasst am;Geändert am;Zeitpunkt der Bearbeitung\nV1;Antrag eingegangen;21.02.2024 12:55;22.02.2024 08:00;18.02.2024 12:39\n"
    prof = suggest_profile(_raw(tmp_path, "e.csv", text))
    assert prof.columns["end"] == "Zeitpunkt der Bearbeitung"


def test_step_codes_with_a_description_column(tmp_path: Path) -> None:
    text = "Vorgang;Schritt;Schrittbezeichnung;Ende\nV1;A01;Antrag eingegangen;04.03.2024 09:00\nV1;B12;Termin vergeben;05.03.2024 09:00\n"
    prof = suggest_profile(_raw(tmp_path, "c.csv", text))
    assert prof.columns["activity"] == "Schrittbezeichnung" and "Schritt" not in prof.extra  # allow-list


def test_staff_abbreviation_and_residence_title(tmp_path: Path) -> None:
    text = "Vorgangs-ID;Bearbeitungsschritt;Zeitstempel (MEZ);Sachbearbeiter-Kürzel;OE;Aufenthaltstitel\nV1;Antrag eingegangen;05.02.2024 09:16:50;SCH;Team A-K;§ 16b\n"
    prof = suggest_profile(_raw(tmp_path, "k.csv", text))
    assert prof.columns["resource"] == "Sachbearbeiter-Kürzel" and prof.columns["case_type"] == "Aufenthaltstitel"
    assert prof.columns["team"] == "OE" and prof.columns["end"] == "Zeitstempel (MEZ)"
