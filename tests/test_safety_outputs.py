"""Issue 13, outputs: formula injection, small cells, the error log, staged outputs with a lock, messages
for disk and profile problems (exit 1, not 'Interner Fehler'), and a grep for planted personal values."""

from __future__ import annotations

import csv
import errno
import json
import os
import stat
from pathlib import Path

import pytest
from safety_helpers import HEADER, event_rows, fresh_key, output_text, run_cli, write_csv

from procmine.outputs import error_log, folder_lock, neutralise_formula, safe_name

INJECTIONS = ['=HYPERLINK("http://x.example/?"&A1;"klick")', "@SUM(1+1)*cmd|' /C calc'!A0", "+cmd|' /C calc'!A0",
              "-2+3", "\tTAB", "\rCR"]


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCMINE_KEY", fresh_key())


def test_neutralise_formula_follows_owasp() -> None:
    for value in INJECTIONS:
        assert neutralise_formula(value) == "'" + value
    for value in ("Antrag", "12,5", "", None, 3):
        assert neutralise_formula(value) == value


def test_quarantine_csv_cells_cannot_run_as_formulas(tmp_path, capsys, monkeypatch) -> None:
    rows = event_rows("A", cases=6)
    for i, value in enumerate(INJECTIONS):
        rows.append([f"A{i}", value, "kein Datum", "S1", value])  # quarantined: timestamp unreadable
    export = tmp_path / "ex" / "ABH-I.csv"
    export.parent.mkdir()
    with export.open("w", encoding="utf-8", newline="") as fh:  # quoted as a real export would quote them
        csv.writer(fh, delimiter=";").writerows([HEADER, *rows])
    out = tmp_path / "out"
    res = run_cli(capsys, monkeypatch, "run", str(export.parent), "--out", str(out), "-q")
    assert res.code == 0, res.err
    (qfile,) = (out / "normalised").glob("*.quarantine.csv")
    with qfile.open(encoding="utf-8-sig", newline="") as fh:
        cells = [c for row in csv.reader(fh, delimiter=";") for c in row]
    assert len(cells) > len(INJECTIONS)
    bad = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert bad == []
    assert sum(c.startswith("'=HYPERLINK") for c in cells) >= 1


def test_small_process_map_edges_lose_their_waits(tmp_path, capsys, monkeypatch) -> None:
    rows = event_rows("A", cases=8)
    rows += [["X1", "Antrag eingegangen", "01.04.2025 09:00", "S1", "T1"], ["X1", "Widerspruch", "20.04.2025 09:00", "S1", "T1"]]
    export = write_csv(tmp_path / "ex" / "ABH-K.csv", rows)
    out = tmp_path / "out"
    assert run_cli(capsys, monkeypatch, "run", str(export.parent), "--out", str(out), "-q").code == 0
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    k = doc["min_cases"]
    edges = doc["offices"][0]["process_map"]["edges"]
    rare = [e for e in edges if e["to"] == "Widerspruch"]
    # one case took this edge: its count stays (counts add up), its wait (that person's wait) is withheld
    assert rare and all(e["suppressed"] and e["count"] == 1 and e["mean_wait_s"] is None and e["median_wait_s"] is None
                        for e in rare)
    common = [e for e in edges if not e["suppressed"]]
    assert common and all(e["count"] >= k and e["mean_wait_s"] is not None for e in common)
    office = doc["offices"][0]
    assert sum(e["count"] for e in edges) == office["events"] - office["cases"]


def test_error_log_is_per_run_private_and_never_follows_a_planted_link(tmp_path, monkeypatch) -> None:
    import tempfile

    victim = tmp_path / "victim.txt"
    victim.write_text("unberührt", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    (tmp_path / "procmine-fehler.log").symlink_to(victim)  # the old fixed path, planted by another user
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    first, second = error_log("Traceback 1"), error_log("Traceback 2")
    assert first != second and first.read_text(encoding="utf-8") == "Traceback 1"
    assert stat.S_IMODE(first.stat().st_mode) == 0o600 and not first.is_symlink()
    assert victim.read_text(encoding="utf-8") == "unberührt"


def test_internal_error_log_does_not_write_through_the_old_symlink(tmp_path, capsys, monkeypatch) -> None:
    import tempfile

    from procmine import normalise

    victim = tmp_path / "victim.txt"
    victim.write_text("unberührt", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "procmine-fehler.log").symlink_to(victim)
    monkeypatch.setattr(normalise, "ingest_file", lambda *a, **k: 1 / 0)
    export = write_csv(tmp_path / "ex" / "ABH-A.csv", event_rows("A"))
    res = run_cli(capsys, monkeypatch, "run", str(export.parent), "--out", str(tmp_path / "out"), "-q")
    assert res.code == 3 and "fehler-" in res.err
    assert victim.read_text(encoding="utf-8") == "unberührt"


def test_a_failed_run_leaves_the_previous_outputs_whole(tmp_path, capsys, monkeypatch) -> None:
    from procmine import report

    export = write_csv(tmp_path / "ex" / "ABH-A.csv", event_rows("A", cases=6))
    out = tmp_path / "out"
    assert run_cli(capsys, monkeypatch, "run", str(export.parent), "--out", str(out), "-q").code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != ".procmine.lock"}
    write_csv(tmp_path / "ex" / "ABH-B.csv", event_rows("B", cases=6))
    real = report.write_reports

    def dies_halfway(analyses, comparison, qualities, out_dir, *args, **kwargs):  # noqa: ANN001, ANN202
        (Path(out_dir) / "vergleich.html").write_text("halb", encoding="utf-8")
        raise KeyboardInterrupt  # like a kill during the report

    monkeypatch.setattr(report, "write_reports", dies_halfway)
    res = run_cli(capsys, monkeypatch, "run", str(export.parent), "--out", str(out), "-q")
    assert res.code == 130
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != ".procmine.lock"}
    assert after == before  # no new report next to a stale results.json, no staging folder left
    monkeypatch.setattr(report, "write_reports", real)
    assert run_cli(capsys, monkeypatch, "run", str(export.parent), "--out", str(out), "-q").code == 0
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert sorted(o["office"] for o in doc["offices"]) == ["ABH-A", "ABH-B"]
    assert not [p for p in out.iterdir() if p.name.startswith(".procmine-neu")]


def test_second_run_into_the_same_folder_is_refused(tmp_path, capsys, monkeypatch) -> None:
    export = write_csv(tmp_path / "ex" / "ABH-A.csv", event_rows("A"))
    out = tmp_path / "out"
    out.mkdir()
    with folder_lock(out):
        res = run_cli(capsys, monkeypatch, "run", str(export.parent), "--out", str(out), "-q")
    assert res.code == 1 and "out_in_use" in res.err
    assert run_cli(capsys, monkeypatch, "run", str(export.parent), "--out", str(out), "-q").code == 0


def test_out_being_a_file_is_exit_1(tmp_path, capsys, monkeypatch) -> None:
    export = write_csv(tmp_path / "ex" / "ABH-A.csv", event_rows("A"))
    target = tmp_path / "ziel"
    target.write_text("keine Ordner", encoding="utf-8")
    res = run_cli(capsys, monkeypatch, "run", str(export.parent), "--out", str(target), "-q")
    assert res.code == 1 and "out_is_a_file" in res.err and "Interner Fehler" not in res.err
    res = run_cli(capsys, monkeypatch, "run", str(export.parent), "--out", str(target / "unter"), "-q")
    assert res.code == 1 and "Interner Fehler" not in res.err


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_full_or_read_only_disk_is_exit_1(tmp_path, capsys, monkeypatch, code) -> None:
    from procmine import schema

    export = write_csv(tmp_path / "ex" / "ABH-A.csv", event_rows("A"))

    def disk_says_no(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError(code, os.strerror(code), str(tmp_path / "out"))

    monkeypatch.setattr(schema, "write_table", disk_says_no)
    res = run_cli(capsys, monkeypatch, "run", str(export.parent), "--out", str(tmp_path / "out"), "-q")
    assert res.code == 1 and "Interner Fehler" not in res.err
    assert ("voll" if code == errno.ENOSPC else "schreibgeschützt") in res.err


BAD_VALUES = [("timezone", '"Mars/Olympus"'), ("plausible_start", '"gestern"'), ("delimiter", '";;"'),
              ("date_format", '"TT.MM.JJJJ"'), ("match_columns", '"Vorgang"')]


@pytest.mark.parametrize(("key", "value"), BAD_VALUES)
def test_bad_profile_values_are_exit_1_with_a_message(tmp_path, capsys, monkeypatch, key, value) -> None:
    export = write_csv(tmp_path / "ex" / "ABH-A.csv", event_rows("A"))
    profile = tmp_path / "p.toml"
    body = {"timezone": '"Europe/Berlin"', "plausible_start": '"1990-01-01"', "delimiter": '";"', "encoding": '"utf-8"',
            "date_format": '"%d.%m.%Y %H:%M"', "match_columns": '["Vorgang"]', key: value}
    profile.write_text("[profile]\nname = \"p\"\n" + "".join(f"{k} = {v}\n" for k, v in body.items())
                       + '[columns]\ncase_id = "Vorgang"\nactivity = "Tätigkeit"\nend = "Ende"\n', encoding="utf-8")
    res = run_cli(capsys, monkeypatch, "ingest", str(export), "--profile", str(profile), "--out", str(tmp_path / "o"), "-q")
    assert res.code == 1 and "bad_profile" in res.err and key in res.err and "Interner Fehler" not in res.err


PERSON = {"Name": "Jürgen Groß", "Vorname": "Jürgen", "Geburtsdatum": "14.05.1956", "Pass-Nr.": "C01X00T47",
          "Staatsangehörigkeit": "syrisch", "Anschrift": "Hauptstraße 5, 50667 Köln", "Vermerk": "spricht Arabisch"}


def test_no_planted_personal_value_reaches_any_output(tmp_path, capsys, monkeypatch) -> None:
    rows = [r + list(PERSON.values()) for r in event_rows("AZ-4711/", cases=6)]
    rows.append(["AZ-4711/9", "Antrag eingegangen", "31.02.2025 09:00", "S1", "T1", *PERSON.values()])  # quarantined
    export = write_csv(tmp_path / "ex" / "ABH-P.csv", rows, HEADER + list(PERSON))
    no_header = tmp_path / "ex" / "ABH-OHNE.csv"
    no_header.write_text(";".join(PERSON.values()) + "\n" + ";".join(PERSON.values()) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    res = run_cli(capsys, monkeypatch, "run", str(export.parent), "--out", str(out), "-q")
    assert res.code == 1  # the file without a header is listed as failed
    text = output_text(out) + res.err
    for value in [*PERSON.values(), "AZ-4711/1"]:
        assert value not in text, value
    assert safe_name("ABH-P") in {p.name for p in out.iterdir()}
