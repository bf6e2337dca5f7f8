"""Issue 15: the holiday calendar is the office's Land, set in the profile (``land``) or with ``--land``,
and the report names it (and says when it is only the default)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from procmine.analyse.time import OfficeCalendar, working_seconds
from procmine.cli import app
from procmine.errors import InputProblem
from procmine.pipeline import ingest_folder, office_calendars, run
from procmine.profiles import profile_from_toml
from procmine.quality import QualityReport, merge_quality

from conftest import TEST_KEY

HEADER = "Vorgang;Tätigkeit;Ende;Sachbearbeiter"
STEPS = ("Antrag eingegangen", "Termin vergeben", "Persönliche Vorsprache", "Bescheid erteilt")
PROFILE = """[profile]
name = "abh"
format = "csv"
encoding = "utf-8"
delimiter = ";"
office = "ABH-A"
match_columns = ["Vorgang", "Tätigkeit", "Ende"]
{land}
[columns]
case_id = "Vorgang"
activity = "Tätigkeit"
end = "Ende"
"""


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCMINE_KEY", TEST_KEY)


def _exports(folder: Path, land: str = "") -> Path:
    """One office's export (six cases of four steps in March 2025) and its profile, with ``land`` if given."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [f"A{c};{step};{1 + c + 3 * s:02d}.03.2025 {9 + s}:{10 + c:02d};S{c % 3}" for c in range(6)
            for s, step in enumerate(STEPS)]
    (folder / "abh.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    (folder / "abh.csv.profile.toml").write_text(PROFILE.format(land=f'land = "{land}"\n' if land else ""), encoding="utf-8")
    return folder


def test_profile_land_is_read_checked_and_written_back() -> None:
    p = profile_from_toml(PROFILE.format(land='land = "by"\n'))
    assert p.land == "BY"
    assert profile_from_toml(p.to_toml()) == p and profile_from_toml(p.to_toml()).land == "BY"
    assert profile_from_toml(PROFILE.format(land="")).land == ""
    assert "land" not in profile_from_toml(PROFILE.format(land="")).to_dict()["profile"]


def test_bad_land_is_a_bad_profile_problem_in_german() -> None:
    with pytest.raises(InputProblem) as err:
        profile_from_toml(PROFILE.format(land='land = "Bayern"\n'), source="abh.profile.toml")
    assert err.value.code == "bad_profile"
    text = err.value.user_message()
    assert 'land = "BAYERN"' in text and "Bundeslandes" in text and "BY" in text


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "procmine.cli", *args], capture_output=True, text=True)


def test_cli_with_a_bad_land_in_the_profile_exits_1(tmp_path: Path) -> None:
    exports = _exports(tmp_path / "exports", land="XX")
    proc = _cli("ingest", str(exports / "abh.csv"), "--profile", str(exports / "abh.csv.profile.toml"),
                "--out", str(tmp_path / "norm"))
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert 'land = "XX"' in proc.stderr and "Bundeslandes" in proc.stderr


def test_cli_bad_land_option_is_a_wrong_call(tmp_path: Path) -> None:
    proc = _cli("run", str(_exports(tmp_path / "exports")), "--out", str(tmp_path / "out"), "--land", "XY")
    assert proc.returncode == 2, proc.stderr
    assert "--land XY" in proc.stderr and "Bundeslandes" in proc.stderr


def test_bavarian_calendar_closes_on_corpus_christi() -> None:
    # Fronleichnam (19 June 2025) is a public holiday in Bayern, not in Sachsen-Anhalt
    start = pd.Series(pd.to_datetime(["2025-06-18 16:00"]).tz_localize("Europe/Berlin"))
    end = pd.Series(pd.to_datetime(["2025-06-20 08:00"]).tz_localize("Europe/Berlin"))
    assert working_seconds(start, end, OfficeCalendar(land="BY"))[0] == 0
    assert working_seconds(start, end, OfficeCalendar(land="ST"))[0] == 8 * 3600


def test_profile_land_goes_to_quality_json_and_the_report_names_bayern(tmp_path: Path) -> None:
    exports = _exports(tmp_path / "exports", land="BY")
    logs, qualities = ingest_folder(exports, tmp_path / "normalised")
    assert qualities["ABH-A"].land == "BY"
    saved = json.loads((tmp_path / "normalised" / "ABH-A.quality.json").read_text(encoding="utf-8"))
    assert saved["land"] == "BY"
    cals = office_calendars(logs, qualities)
    assert cals["ABH-A"].land == "BY" and cals["ABH-A"].land_given

    result = run(exports, tmp_path / "out")
    page = result.reports["ABH-A"].read_text(encoding="utf-8")
    assert "Feiertage in Bayern" in page and "Voreinstellung" not in page
    doc = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    office = next(o for o in doc["offices"] if o["office"] == "ABH-A") if isinstance(doc["offices"], list) else doc["offices"]["ABH-A"]
    assert office["profile"]["calendar"]["land"] == "BY"


def test_without_land_the_report_says_the_default_was_used(tmp_path: Path) -> None:
    result = run(_exports(tmp_path / "exports"), tmp_path / "out")
    page = result.reports["ABH-A"].read_text(encoding="utf-8")
    assert "Sachsen-Anhalt" in page and "Voreinstellung" in page


def test_cli_land_applies_where_the_profile_names_none(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["run", str(_exports(tmp_path / "exports")), "--out", str(tmp_path / "out"),
                                   "--land", "st", "--quiet"])
    assert res.exit_code == 0, res.output
    page = (tmp_path / "out" / "ABH-A" / "bericht.html").read_text(encoding="utf-8")
    assert "Feiertage in Sachsen-Anhalt" in page and "Voreinstellung" not in page  # stated, not assumed
    # the profile's Land wins over --land; report reads it back from quality.json
    q = {"ABH-A": QualityReport(office="ABH-A", files=("a",), rows_read=0, rows_kept=0, rows_quarantined=0, events=0,
                                land="BY")}
    assert office_calendars(["ABH-A", "ABH-B"], q, "NW")["ABH-A"].land == "BY"
    assert office_calendars(["ABH-A", "ABH-B"], q, "NW")["ABH-B"].land == "NW"
    assert "ABH-B" not in office_calendars(["ABH-A", "ABH-B"], q)


def test_merged_quality_keeps_the_land() -> None:
    a = QualityReport(office="X", files=("a",), rows_read=0, rows_kept=0, rows_quarantined=0, events=0, land="HE")
    b = QualityReport(office="X", files=("b",), rows_read=0, rows_kept=0, rows_quarantined=0, events=0)
    assert merge_quality(a, b).land == "HE" and merge_quality(b, a).land == "HE"
