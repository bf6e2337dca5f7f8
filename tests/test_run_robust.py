"""`procmine run` on a folder with bad exports: the readable offices are reported, the others listed.

Each test builds a small folder by hand: good exports (events with Vorgang/Tätigkeit/Ende), exports that
cannot be read, exports whose every row is quarantined, and profile files that are named after an export,
merely match by columns, or are incomplete.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from procmine.cli import app
from procmine.errors import InputProblem
from procmine.pipeline import ingest_folder, run

from conftest import TEST_KEY

HEADER = "Vorgang;Tätigkeit;Ende;Sachbearbeiter"
STEPS = ("Antrag eingegangen", "Termin vergeben", "Persönliche Vorsprache", "Bescheid erteilt")


def _events(prefix: str, cases: int = 6, year: int = 2025) -> list[str]:
    """Rows of ``cases`` cases with four steps each, a few days apart (``year`` of every timestamp)."""
    return [
        f"{prefix}{c};{step};{1 + c + 3 * s:02d}.03.{year} {9 + s}:{10 + c:02d};S{c % 3}"
        for c in range(cases)
        for s, step in enumerate(STEPS)
    ]


def _csv(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


GOOD_PROFILE = """[profile]
name = "{name}"
format = "csv"
encoding = "utf-8"
delimiter = ";"
office = "{office}"
match_columns = [{match}]

[columns]
case_id = "{case}"
activity = "{activity}"
end = "{end}"
"""

# what `procmine inspect` writes when it recognises neither case id nor activity: not usable as it is
INCOMPLETE_PROFILE = """[profile]
name = "vorschlag_unfertig"
format = "csv"
match_columns = ["Ende"]

[columns]
end = "Ende"
"""


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCMINE_KEY", TEST_KEY)


def _invoke(*args: str):  # noqa: ANN202 - click Result
    return CliRunner().invoke(app, list(args))


# --- 1: a bad file does not stop the run ----------------------------------------------------------


def test_run_reports_the_readable_offices_and_lists_the_bad_file(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    _csv(exports / "ABH-A.csv", _events("A"))
    _csv(exports / "ABH-B.csv", ["x;y;z"], header="Spalte1;Spalte2;Spalte3")  # nothing to recognise
    _csv(exports / "ABH-C.csv", _events("C", cases=5))
    out = tmp_path / "out"
    messages: list[str] = []
    result = run(exports, out, progress=messages.append)

    assert sorted(result.reports) == ["ABH-A", "ABH-C"]
    assert [f.files for f in result.failed] == [("ABH-B.csv",)]
    failure = result.failed[0]
    assert failure.code == "unrecognised_columns" and not failure.internal
    assert "ABH-B.csv" in failure.message and "Was tun" in failure.message
    assert "vorhandene Spalten: 3" in failure.message and "Spalte1" not in failure.message  # header cells may be data
    # progress names the failure as it happens: after reading ABH-B, before reading ABH-C
    at = next(i for i, m in enumerate(messages) if "Einlesen: ABH-B.csv" in m)
    assert "übersprungen" in messages[at + 1] and "ABH-B.csv" in messages[at + 1]
    assert "Einlesen: ABH-C.csv" in messages[at + 2]

    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [o["office"] for o in doc["offices"]] == ["ABH-A", "ABH-C"]
    assert doc["offices"][0]["cases"] == 6 and doc["offices"][1]["cases"] == 5
    assert doc["failed"] == [failure.to_dict()]
    assert doc["failed"][0]["files"] == ["ABH-B.csv"] and doc["failed"][0]["code"] == "unrecognised_columns"
    assert set(doc["comparison"]["cycle_time_median_days"]["values"]) == {"ABH-A", "ABH-C"}
    # the network page names the left-out export and the kind of problem, not the full message
    page = (out / "vergleich.html").read_text(encoding="utf-8")
    assert "Nicht ausgewertet" in page and "ABH-B.csv" in page and "Spalten nicht erkannt" in page
    assert "Spalte1" not in page


def test_cli_run_exits_1_after_writing_the_other_reports(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    _csv(exports / "ABH-A.csv", _events("A"))
    _csv(exports / "kaputt.csv", ["x;y"], header="Spalte1;Spalte2")
    out = tmp_path / "out"
    res = _invoke("run", str(exports), "--out", str(out))
    assert res.exit_code == 1, res.output
    assert (out / "ABH-A" / "bericht.html").is_file() and (out / "vergleich.html").is_file()
    assert "Nicht ausgewertet (1)" in res.stderr and "kaputt.csv" in res.stderr
    assert "Traceback" not in res.output


def test_cli_run_without_problems_exits_0_and_results_list_no_failures(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    _csv(exports / "ABH-A.csv", _events("A"))
    res = _invoke("run", str(exports), "--out", str(tmp_path / "out"), "--quiet")
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))["failed"] == []


def test_no_readable_office_keeps_the_one_clear_error(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    _csv(exports / "kaputt.csv", ["x;y"], header="Spalte1;Spalte2")
    res = _invoke("run", str(exports), "--out", str(tmp_path / "out"))
    assert res.exit_code == 1
    assert "kaputt.csv" in res.stderr and "[unrecognised_columns]" in res.stderr and "Traceback" not in res.output
    assert not (tmp_path / "out" / "results.json").exists()


def test_several_unreadable_files_are_named_together(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    _csv(exports / "eins.csv", ["x;y"], header="Spalte1;Spalte2")
    _csv(exports / "zwei.csv", ["x;y"], header="Feld1;Feld2")
    with pytest.raises(InputProblem) as err:
        ingest_folder(exports, tmp_path / "normalised", failed=[])
    assert err.value.code == "no_office_read"
    assert len(err.value.details) == 2
    assert "eins.csv" in err.value.details[0] and "zwei.csv" in err.value.details[1]


# --- 2: an office whose every row is quarantined ---------------------------------------------------


def test_office_with_every_row_quarantined_is_listed_with_its_main_reason(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    _csv(exports / "ABH-A.csv", _events("A"))
    _csv(exports / "ABH-ALT.csv", _events("Z", cases=2, year=1970))  # 8 rows, all before plausible_start
    out = tmp_path / "out"
    result = run(exports, out)

    assert sorted(result.reports) == ["ABH-A"]
    assert len(result.failed) == 1
    failure = result.failed[0]
    assert (failure.office, failure.code, failure.files) == ("ABH-ALT", "no_rows_kept", ("ABH-ALT.csv",))
    assert "keine Zeile übernommen" in failure.message
    assert "häufigster Grund: Zeitstempel unplausibel früh (8 Zeilen)" in failure.message
    assert failure.quarantine_file and Path(failure.quarantine_file).is_file()
    assert f"siehe Quarantänedatei {failure.quarantine_file}" in failure.message
    assert "ABH-ALT" not in result.qualities

    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [o["office"] for o in doc["offices"]] == ["ABH-A"]
    assert [(f["office"], f["code"], f["quarantine_file"]) for f in doc["failed"]] == [
        ("ABH-ALT", "no_rows_kept", failure.quarantine_file)
    ]
    res = _invoke("run", str(exports), "--out", str(tmp_path / "out2"))
    assert res.exit_code == 1 and "ABH-ALT" in res.stderr


# --- 3: a profile named after the export wins ------------------------------------------------------


def _two_profile_folder(exports: Path, own_profile_name: str) -> Path:
    """An export, a folder profile matching it by more columns (office GENERISCH), and its own profile
    (office EIGEN) under ``own_profile_name``."""
    _csv(exports / "daten.csv", [r + ";Team 1" for r in _events("A")], header=HEADER + ";Team")
    (exports / "generisch.profile.toml").write_text(
        GOOD_PROFILE.format(name="generisch", office="GENERISCH", match='"Vorgang", "Tätigkeit", "Ende", "Team"',
                            case="Vorgang", activity="Tätigkeit", end="Ende"), encoding="utf-8")
    (exports / own_profile_name).write_text(
        GOOD_PROFILE.format(name="eigen", office="EIGEN", match='"Vorgang"', case="Vorgang", activity="Tätigkeit",
                            end="Ende"), encoding="utf-8")
    return exports


@pytest.mark.parametrize("own", ["daten.csv.profile.toml", "daten.profile.toml"])
def test_profile_named_after_the_export_wins_over_a_column_match(tmp_path: Path, own: str) -> None:
    exports = _two_profile_folder(tmp_path / "exports", own)
    logs, qualities = ingest_folder(exports, tmp_path / "normalised")
    assert list(logs) == ["EIGEN"]
    assert qualities["EIGEN"].profile == "eigen" and qualities["EIGEN"].rows_kept == 24


def test_without_an_own_profile_the_column_match_is_used(tmp_path: Path) -> None:
    exports = _two_profile_folder(tmp_path / "exports", "anders.profile.toml")
    logs, _ = ingest_folder(exports, tmp_path / "normalised")
    assert list(logs) == ["GENERISCH"]


# --- 4: an incomplete profile in the folder --------------------------------------------------------


def test_incomplete_profile_is_skipped_with_a_warning(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    _csv(exports / "ABH-A.csv", _events("A"))
    # only a valid folder profile can map these headers: it must still be used beside the broken one
    _csv(exports / "ABH-K.csv", _events("K", cases=5), header="K;A;T;S")
    (exports / "kurz.profile.toml").write_text(
        GOOD_PROFILE.format(name="kurz", office="ABH-K", match='"K", "A", "T"', case="K", activity="A", end="T"),
        encoding="utf-8")
    (exports / "unfertig.profile.toml").write_text(INCOMPLETE_PROFILE, encoding="utf-8")
    warnings: list[str] = []
    failed: list = []
    logs, _ = ingest_folder(exports, tmp_path / "normalised", failed=failed, warnings=warnings)
    assert failed == []
    assert {o: len(df) for o, df in logs.items()} == {"ABH-A": 24, "ABH-K": 20}
    assert len(warnings) == 1
    assert "unfertig.profile.toml" in warnings[0] and "case_id" in warnings[0] and "übersprungen" in warnings[0]

    res = _invoke("run", str(exports), "--out", str(tmp_path / "out"))
    assert res.exit_code == 0, res.output
    assert "unfertig.profile.toml" in res.stderr


def test_an_export_naming_an_incomplete_profile_fails_with_the_profiles_message(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    _csv(exports / "ABH-A.csv", _events("A"))
    _csv(exports / "ABH-B.csv", _events("B"))
    (exports / "ABH-B.csv.profile.toml").write_text(INCOMPLETE_PROFILE, encoding="utf-8")
    result = run(exports, tmp_path / "out")
    assert sorted(result.reports) == ["ABH-A"]
    assert len(result.failed) == 1
    failure = result.failed[0]
    assert failure.files == ("ABH-B.csv",) and failure.code == "bad_profile"
    assert "Datei 'ABH-B.csv'" in failure.message
    assert "ABH-B.csv.profile.toml" in failure.message and "case_id" in failure.message


# --- a program error in one export: the others still reported, exit code 3 -------------------------


def test_program_error_in_one_export_is_listed_and_gives_exit_code_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    import procmine.normalise as normalise

    real = normalise.ingest_file

    def broken_for_b(path: Path, *args: object, **kwargs: object):  # noqa: ANN202 - NormaliseResult
        if Path(path).name == "ABH-B.csv":
            raise ZeroDivisionError("planted")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(normalise, "ingest_file", broken_for_b)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the per-user error log folder
    exports = tmp_path / "exports"
    _csv(exports / "ABH-A.csv", _events("A"))
    _csv(exports / "ABH-B.csv", _events("B"))
    res = _invoke("run", str(exports), "--out", str(tmp_path / "out"))
    assert res.exit_code == 3, res.output
    assert (tmp_path / "out" / "ABH-A" / "bericht.html").is_file()
    doc = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert [(f["files"], f["code"]) for f in doc["failed"]] == [(["ABH-B.csv"], "internal_error")]
    (log,) = (tmp_path / "state" / "procmine").glob("fehler-*.log")  # one new file per run, only the user's
    assert "ZeroDivisionError" in log.read_text(encoding="utf-8") and str(log) in res.output


def test_cli_ingest_of_several_files_reads_the_good_ones_and_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCMINE_KEY", TEST_KEY)
    good = _csv(tmp_path / "ABH-A.csv", _events("A"))
    bad = _csv(tmp_path / "ABH-B.csv", ["x;y;z"], header="Spalte1;Spalte2;Spalte3")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["ingest", str(bad), str(good), "--out", str(out)])
    assert result.exit_code == 1
    assert (out / "ABH-A.parquet").exists() and not (out / "ABH-B.parquet").exists()
    assert "ABH-A: 24 Zeilen gelesen = 24 übernommen" in result.output
    assert "Nicht ausgewertet (1)" in result.output and "ABH-B.csv" in result.output
