"""The CLI speaks German, documents every command and never shows a bare traceback."""

from __future__ import annotations

import re
import subprocess
import sys

import typer.main
from typer.testing import CliRunner

from procmine.cli import app

from conftest import TEST_KEY

# English words that must not appear in our help texts (the help option itself is click's own)
ENGLISH = {"the", "and", "of", "to", "with", "this", "show", "file", "files", "folder", "write", "read", "output",
           "input", "directory", "default", "use", "if", "not", "for", "from", "into", "instead", "only", "each"}
# German function words: a sentence of help text contains at least one of them (or an umlaut / ß)
GERMAN = {"der", "die", "das", "den", "dem", "des", "und", "oder", "ein", "eine", "einen", "für", "mit", "ohne", "je",
          "aus", "nur", "statt", "von", "zu", "im", "in", "bei", "als", "auf", "keine", "alle", "hierhin", "z. b."}


def _words(text: str) -> set[str]:
    """The prose words of a help text: identifiers, options, file names and paths it names are left out
    (e.g. 'no_show_share', '--out', 'results.json')."""
    prose = re.sub(r"\S*[_/]\S*|--?\w\S*|\S+\.\w+", " ", text.lower())
    return set(re.findall(r"[a-zäöüß]+", prose))


def _is_german(text: str) -> bool:
    lower = text.lower()
    return bool(_words(lower) & GERMAN or re.search("[äöüß]", lower) or "z. b." in lower)


def _flat(output: str) -> str:
    """Help output without rich's box drawing and line wrapping: one line of words."""
    return " ".join(re.sub("[│╭╮╰╯─]", " ", output).split())


def test_every_command_has_german_help_naming_its_options():
    """Each command of the CLI (taken from the app, so a new one is covered too) is listed in the top
    help with its German summary; its own --help shows its German description and names every option
    and argument with its German help text; no help text of ours contains an English word."""
    group = typer.main.get_command(app)  # the click group typer builds (typer may vendor click: duck-typed)
    runner = CliRunner()
    top = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert top.exit_code == 0
    top_text = _flat(top.output)
    assert _is_german(group.help or "") and _flat(group.help or "") in top_text
    assert set(group.commands) >= {"demo", "run", "synth", "inspect", "ingest", "analyse", "report"}
    for name, command in group.commands.items():
        summary = (command.help or "").split("\n")[0].strip()
        assert summary and _is_german(summary) and not _words(summary) & ENGLISH, name
        assert f"{name} {_flat(summary)}" in top_text, name
        result = runner.invoke(app, [name, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, name
        text = _flat(result.output)
        assert _flat(command.help or "") in text, name
        params = [p for p in command.params if p.name != "help"]
        assert params, name
        for param in params:
            helptext = getattr(param, "help", None) or ""
            assert helptext, (name, param.name)
            assert not _words(helptext) & ENGLISH, (name, param.name, helptext)
            shown = param.opts[0] if param.param_type_name == "option" else param.name
            assert shown in text, (name, shown)
            assert _flat(helptext) in text, (name, param.name)


# the limit options as they were before ``cli.with_limits`` declared them once: option, help, default
LIMIT_HELP = (
    ("--max-columns", "Höchstens so viele Spalten (Attribute) je Datei.", "1000"),
    ("--max-cells", "Höchstens so viele Zellen (Zeilen × Spalten) je Datei.", "300000000"),
    ("--max-sheet-rows", "Höchstens so viele Zeilen je Tabellenblatt.", "1048576"),
    ("--max-sheet-cells", "Höchstens so viele Zellen je Tabellenblatt.", "50000000"),
    ("--max-decompressed-mb", "Höchstens so viele MB entpackt (.gz, .xlsx).", "4096"),
    ("--max-events", "Höchstens so viele Ereignisse je XES-Datei.", "20000000"),
    ("--max-value-lines", "Höchstens so viele Zeilenumbrüche in einem Wert (CSV).", "20"),
)


def test_run_and_ingest_list_the_seven_limit_options_unchanged():
    """``run`` and ``ingest`` both show the seven --max-... options, in the same order, after their own
    options, each with its help and default, and pass them on: --max-columns 3 refuses a wider file."""
    runner = CliRunner()
    for name, last_own in (("run", "--land"), ("ingest", "--no-pseudonymise")):
        text = _flat(runner.invoke(app, [name, "--help"], env={"COLUMNS": "200"}).output)
        positions = [text.index(f"{opt} <int> {helptext} [default: {default}]") for opt, helptext, default in LIMIT_HELP]
        assert positions == sorted(positions), name
        assert text.index(last_own) < positions[0], name
        command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
        assert [p.opts[0] for p in command.params][-7:] == [opt for opt, _, _ in LIMIT_HELP], name


def test_limit_option_reaches_the_reader(tmp_path):
    """A limit given on the command line is the one the reader applies (exit 1, the option named)."""
    export = tmp_path / "ABH-X.csv"
    export.write_text("Vorgang;Tätigkeit;Zeitpunkt;Team\n1;Antrag;01.02.2025 10:00;A\n", encoding="utf-8")
    proc = _run("ingest", str(export), "--out", str(tmp_path / "out"), "--max-columns", "3", "-q")
    assert proc.returncode == 1 and "--max-columns" in proc.stderr and "Grenze 3" in proc.stderr


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
    monkeypatch.setenv("PROCMINE_KEY", TEST_KEY)
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
