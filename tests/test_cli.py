"""The CLI speaks German, documents every command and never shows a bare traceback."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from procmine.cli import app

COMMANDS = ["demo", "run", "synth", "inspect", "ingest", "analyse", "report"]


def test_every_command_has_german_help():
    runner = CliRunner()
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0
    for command in COMMANDS:
        assert command in top.output
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, command
        assert any(w in result.output.lower() for w in ("ordner", "datei", "dienststelle", "protokoll")), command


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "procmine.cli", *args], capture_output=True, text=True)


def test_missing_folder_gives_a_message_and_exit_code_1(tmp_path):
    proc = _run("run", str(tmp_path / "gibt-es-nicht"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "gibt-es-nicht" in proc.stderr and "Ordner" in proc.stderr


def test_empty_folder_says_what_is_expected(tmp_path):
    proc = _run("run", str(tmp_path), "--out", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert ".csv" in proc.stderr and "Traceback" not in proc.stderr


def test_unknown_option_is_a_usage_error_with_exit_code_2(tmp_path):
    proc = _run("run", str(tmp_path), "--gibt-es-nicht")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_ingest_summary_lists_reading_notes(tmp_path, monkeypatch):
    """The terminal summary names reading notes (here: XES schedule rows kept as steps) with their count."""
    monkeypatch.setenv("PROCMINE_KEY", "test")
    src = tmp_path / "lc.csv"
    src.write_text(
        "case:concept:name,concept:name,lifecycle:transition,time:timestamp\n"
        "c1,A,schedule,2024-03-04T09:00:00+01:00\n"
        "c1,A,start,2024-03-04T09:10:00+01:00\n"
        "c1,A,complete,2024-03-04T09:40:00+01:00\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["ingest", str(src), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "3 Zeilen gelesen = 3 übernommen + 0 in Quarantäne; 2 Ereignisse" in result.output
    assert "XES-Lebenszyklus-Übergängen" in result.output and result.output.count(": 1\n") >= 1
