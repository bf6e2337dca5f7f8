"""`procmine inspect`: writes its suggestion where asked and shows no staff or personal values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from procmine.cli import app
from procmine.profiles import load_profile

HEADER = "Vorgang;Tätigkeit;Ende;Sachbearbeiter;Team;Bemerkung;Mitarbeiterkennung"
ROWS = [
    "V1;Antrag eingegangen;06.01.2025 09:00;Erika Mustermannova;Team Nord;Rückruf Frau Quistorp;mx-4711",
    "V1;Termin vergeben;08.01.2025 10:00;Erika Mustermannova;Team Nord;;mx-4711",
    "V2;Antrag eingegangen;09.01.2025 11:00;Jörg Übelhör-Kranz;Team Süd;;jk-0815",
]


def _export(tmp_path: Path) -> Path:
    path = tmp_path / "abh.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return path


def test_write_profile_creates_missing_folders(tmp_path: Path) -> None:
    target = tmp_path / "gibt" / "es" / "noch" / "nicht" / "abh.profile.toml"
    res = CliRunner().invoke(app, ["inspect", str(_export(tmp_path)), "--write-profile", str(target)])
    assert res.exit_code == 0, res.output
    prof = load_profile(target)  # what was written is a complete, loadable profile
    assert (prof.columns["case_id"], prof.columns["activity"], prof.columns["resource"]) == ("Vorgang", "Tätigkeit", "Sachbearbeiter")
    assert str(target) in res.output


def test_write_profile_below_a_file_is_a_wrong_call(tmp_path: Path) -> None:
    blocker = tmp_path / "datei.txt"
    blocker.write_text("kein Ordner", encoding="utf-8")
    proc = subprocess.run(  # through main(): the exit code a user sees
        [sys.executable, "-m", "procmine.cli", "inspect", str(_export(tmp_path)), "--write-profile", str(blocker / "x.toml")],
        capture_output=True, text=True,
    )
    assert proc.returncode == 2, proc.stderr
    assert "--write-profile" in proc.stderr and str(blocker / "x.toml") in proc.stderr
    assert "Traceback" not in proc.stderr


def test_preview_masks_staff_and_personal_values_but_keeps_case_ids(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["inspect", str(_export(tmp_path)), "--write-profile", str(tmp_path / "p.toml")])
    assert res.exit_code == 0, res.output
    for secret in ("Mustermannova", "Übelhör", "Quistorp", "mx-4711", "jk-0815"):
        assert secret not in res.output, secret
    preview = res.output.split("Vorschau", 1)[1]
    assert "•••" in preview
    # the values needed to understand the file stay readable
    for visible in ("V1", "V2", "Antrag eingegangen", "Team Nord", "06.01.2025 09:00"):
        assert visible in preview, visible


def test_default_suggestion_is_not_picked_up_by_run(tmp_path: Path) -> None:
    """Without --write-profile the suggestion goes to <stem>.profil-vorschlag.toml, which no folder run uses;
    when an existing profile fits, none is written."""
    export = _export(tmp_path)
    res = CliRunner().invoke(app, ["inspect", str(export)])
    assert res.exit_code == 0, res.output
    written = sorted(p.name for p in tmp_path.glob("*.toml"))
    assert written == [export.stem + ".profil-vorschlag.toml"]
    assert not list(tmp_path.glob("*.profile.toml"))
    # confirmed under the export's own name: inspect now says a profile fits and writes nothing more
    (tmp_path / written[0]).rename(tmp_path / (export.name + ".profile.toml"))
    again = CliRunner().invoke(app, ["inspect", str(export)])
    assert again.exit_code == 0 and "vorhandenes Profil passt" in again.output
    assert sorted(p.name for p in tmp_path.glob("*.toml")) == [export.name + ".profile.toml"]
