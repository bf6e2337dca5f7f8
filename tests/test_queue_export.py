"""Queue-system exports (one row per ticket: date, ticket number, clock times Ausgabe/Aufruf/Beginn/Ende):
suggested as milestones of one date, the case id made of ticket number and date, and Beginn..Ende as the
service step."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from procmine.errors import InputProblem
from procmine.ingest import read_table
from procmine.normalise import ingest_file
from procmine.profiles import profile_from_toml, suggest_profile

KEY = b"k" * 32

# ticket A001 exists on two days: two cases. On 04.03.2024 (CET, UTC+1) ticket A001 is issued 08:00,
# called 08:20, served 08:21-08:30; ticket B002 is issued 09:00 and called 09:05, service begun 09:06
# but never ended (still at the counter when exported).
QUEUE = (
    "Datum;Ticketnummer;Anliegen;Schalter;Ausgabe;Aufruf;Beginn;Ende;Mitarbeiter\n"
    "04.03.2024;A001;Abholung eAT;Schalter 1;08:00:00;08:20:00;08:21:00;08:30:00;Jörg Übelhör\n"
    "04.03.2024;B002;Verpflichtungserklärung;Schalter 2;09:00:00;09:05:00;09:06:00;;Agnès Dürrenmatt\n"
    "05.03.2024;A001;Abholung eAT;Schalter 1;10:00:00;10:40:00;10:41:00;10:50:00;Jörg Übelhör\n"
)


def test_queue_export_is_suggested_and_ingested(tmp_path: Path) -> None:
    src = tmp_path / "wartemarken.csv"
    src.write_text(QUEUE, encoding="utf-8")
    prof = suggest_profile(read_table(src))
    assert prof.shape == "milestones"
    assert prof.columns["case_id"] == "Ticketnummer" and prof.case_id_with == ("Datum",)
    assert prof.columns["milestone_date"] == "Datum"
    assert prof.milestones == {"Ausgabe": "checked_in", "Aufruf": "called", "Ende": "servicepoint_contact"}
    assert prof.milestone_starts == {"Beginn": "Ende"}
    assert prof.columns["case_type"] == "Anliegen" and prof.columns["resource"] == "Mitarbeiter"
    assert profile_from_toml(prof.to_toml()) == prof  # the new keys round-trip

    res = ingest_file(src, tmp_path / "out", key=KEY)
    q = res.quality
    assert (q.rows_read, q.rows_kept, q.rows_quarantined) == (3, 3, 0)
    assert q.notes.get("milestone_start_without_end") == 1
    log = pd.read_parquet(tmp_path / "out" / "wartemarken.parquet")
    assert log["case_id"].nunique() == 3  # A001 on two days are two cases
    assert len(log) == 3 + 2 + 3  # B002 has no service step: it never ended
    first = log[log["end"] < pd.Timestamp("2024-03-04T08:00:00Z")].sort_values("end")
    assert first["activity_key"].astype(str).tolist() == ["checked_in", "called", "servicepoint_contact"]
    service = first.iloc[-1]
    assert service["start"] == pd.Timestamp("2024-03-04T07:21:00Z") and service["end"] == pd.Timestamp("2024-03-04T07:30:00Z")
    assert set(log["precision"].astype(str)) == {"second"}
    for out in (tmp_path / "out").iterdir():
        assert "Übelhör".encode() not in out.read_bytes()


def test_milestone_start_must_name_a_milestone(tmp_path: Path) -> None:
    text = """
[profile]
name = "q"
shape = "milestones"
[columns]
case_id = "Ticketnummer"
[milestones]
"Ende" = "servicepoint_contact"
[milestone_starts]
"Beginn" = "Schluss"
"""
    with pytest.raises(InputProblem) as err:
        profile_from_toml(text)
    assert "Schluss" in str(err.value)
