"""Stray control bytes in a Windows-1252 export, and the reading notes in the report."""

from __future__ import annotations

from pathlib import Path

from procmine.normalise import ingest_file
from procmine.quality import QualityReport
from procmine.report import build

KEY = b"k" * 32


def test_stray_control_bytes_in_a_german_windows_export_are_replaced_and_counted(tmp_path: Path) -> None:
    lines = ["Vorgang;Tätigkeit;Ende;Sachbearbeiter"]
    lines += [f"V{i};Antrag eingegangen;06.01.2025 09:{i % 60:02d};Müller" for i in range(50)]
    data = "\n".join(lines).encode("cp1252") + b"\n"
    data = data.replace(b"Antrag eingegangen", b"Antrag\x81eingegangen", 2)  # two stray bytes (0x81 is no cp1252 character)
    path = tmp_path / "ABH-03.csv"
    path.write_bytes(data)
    res = ingest_file(path, tmp_path / "out", key=KEY)
    # the header is read as Windows-1252 (umlauts intact), every row kept, the two bytes replaced and counted
    assert res.quality.rows_kept == 50 and res.quality.notes.get("undecodable_bytes_replaced") == 2
    labels = set(res.log["activity"].astype(str))
    assert labels == {"Antrag eingegangen", "Antrag\ufffdeingegangen"}


def test_report_lists_the_reading_notes_in_german() -> None:
    q = QualityReport("ABH-01", ("a.csv",), 10, 10, 0, 10, notes={"dst_ambiguous_resolved": 3, "duplicates_across_files": 2})
    section = build._quality_section(q)
    notes = [t for t in section.tables if t.caption == "Hinweise zum Einlesen"]
    assert len(notes) == 1
    rows = [(r[0].value, r[1].value) for r in notes[0].rows]
    assert rows == [
        ("Zeitangaben in der doppelten Stunde der Herbst-Zeitumstellung, als Sommerzeit gelesen", 3),
        ("Zeilen, die in mehreren Exportdateien stehen (Überschneidung; einmal übernommen)", 2),
    ]
