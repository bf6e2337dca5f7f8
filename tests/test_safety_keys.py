"""Issue 13, 'unkeyed pseudonyms' and 'personal columns kept': keys, clear ids only on request, keep by allow-list."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from safety_helpers import HEADER, event_rows, fresh_key, output_text, run_cli, write_csv

from procmine.privacy import KeyProblem, check_key_text, create_key_file, load_key


def test_key_rules() -> None:
    good = fresh_key()
    assert check_key_text(good + "\n", "x") == good.encode("ascii")  # the text as written: old key files keep their pseudonyms
    for bad, code in [("", "key_empty"), ("x", "key_not_hex"), ("ab" * 31, "key_too_short"), ("a", "key_not_hex"),
                      ("00" * 32, "key_not_random"), ("geheim" * 20, "key_not_hex")]:
        with pytest.raises(KeyProblem, match=code) as info:
            check_key_text(bad, "Umgebungsvariable PROCMINE_KEY")
        assert "PROCMINE_KEY" in info.value.user_message() and (len(bad) < 8 or bad not in info.value.user_message())


def test_empty_key_file_is_refused_not_an_unkeyed_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = tmp_path / "key"
    key.write_text("")  # left behind when the disk filled as the key was first created
    monkeypatch.delenv("PROCMINE_KEY", raising=False)
    monkeypatch.setenv("PROCMINE_KEY_FILE", str(key))
    with pytest.raises(KeyProblem, match="leer"):
        load_key()
    monkeypatch.setenv("PROCMINE_KEY", "k")  # a one-character key is refused too
    with pytest.raises(KeyProblem, match="kein"):
        load_key()


def test_unreadable_key_file_is_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROCMINE_KEY", raising=False)
    monkeypatch.setenv("PROCMINE_KEY_FILE", str(tmp_path / "key"))
    (tmp_path / "key").mkdir()  # a folder where the key file belongs: cannot be read
    with pytest.raises(KeyProblem, match="key_unreadable"):
        load_key()


def test_key_file_is_created_once_with_mode_0600(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cfg" / "key"
    monkeypatch.delenv("PROCMINE_KEY", raising=False)
    monkeypatch.setenv("PROCMINE_KEY_FILE", str(path))
    first = load_key()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(bytes.fromhex(first.decode())) == 32
    create_key_file(path)  # a second creator (a concurrent run) does not replace the key
    assert load_key() == first
    assert [p.name for p in path.parent.iterdir()] == ["key"]  # no temporary file left


def test_cli_short_key_exit_1_with_message(tmp_path, capsys, monkeypatch) -> None:
    exports = write_csv(tmp_path / "ex" / "a.csv", event_rows("A")).parent
    monkeypatch.setenv("PROCMINE_KEY", "x")
    res = run_cli(capsys, monkeypatch, "run", str(exports), "--out", str(tmp_path / "out"), "-q")
    assert res.code == 1 and "PROCMINE_KEY" in res.err and "Interner Fehler" not in res.err
    assert not (tmp_path / "out" / "results.json").exists()


CLEAR_PROFILE = """[profile]
name = "klartext"
format = "csv"
encoding = "utf-8"
delimiter = ";"
office = "ABH-K"
match_columns = ["Vorgang", "Tätigkeit", "Ende"]

[columns]
case_id = "Vorgang"
activity = "Tätigkeit"
end = "Ende"

[privacy]
pseudonymise = []
"""


def test_profile_without_pseudonyms_needs_the_explicit_option(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("PROCMINE_KEY", fresh_key())
    export = write_csv(tmp_path / "ex" / "a.csv", event_rows("Klar-"))
    (tmp_path / "ex" / "a.csv.profile.toml").write_text(CLEAR_PROFILE, encoding="utf-8")
    res = run_cli(capsys, monkeypatch, "run", str(export.parent), "--out", str(tmp_path / "out"), "-q")
    assert res.code == 1 and "--no-pseudonymise" in res.err
    assert "Klar-0" not in output_text(tmp_path / "out")
    res = run_cli(capsys, monkeypatch, "run", str(export.parent), "--out", str(tmp_path / "out2"), "-q", "--no-pseudonymise")
    assert res.code == 0, res.err
    doc = json.loads((tmp_path / "out2" / "results.json").read_text(encoding="utf-8"))
    assert doc["offices"][0]["quality"]["pseudonymised"] is False  # the report says so
    assert "NICHT pseudonymisiert" in next((tmp_path / "out2").glob("*/bericht.html")).read_text(encoding="utf-8")
    normal = tmp_path / "ex2"
    write_csv(normal / "b.csv", event_rows("B"))
    assert run_cli(capsys, monkeypatch, "run", str(normal), "--out", str(tmp_path / "out3"), "-q").code == 0
    doc = json.loads((tmp_path / "out3" / "results.json").read_text(encoding="utf-8"))
    assert doc["offices"][0]["quality"]["pseudonymised"] is True
    assert "NICHT pseudonymisiert" not in next((tmp_path / "out3").glob("*/bericht.html")).read_text(encoding="utf-8")


REAL_EXPORT_COLUMNS = ["Herkunftsland", "Geschlecht", "Straße", "PLZ Ort", "Tel.", "Mobil", "Pass-Nr.", "AZR-Nr.",
                       "Religion", "Familienstand", "Geb. am", "Kontakt", "Hinweis", "Bearbeitungsstand"]
PLANTED = ["Syrien", "weiblich", "Hauptstraße 5", "50667 Köln", "0221-555123", "0171-9988776", "C01X00T47",
           "AZR-99887766", "evangelisch", "verheiratet", "01.02.1987", "mail@example.org", "spricht nur Arabisch",
           "offen-xyz"]


def test_guessed_profile_keeps_only_mapped_columns_and_lists_the_rest(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("PROCMINE_KEY", fresh_key())
    rows = [r + PLANTED for r in event_rows("V-", cases=6)]
    export = write_csv(tmp_path / "ex" / "abh.csv", rows, HEADER + REAL_EXPORT_COLUMNS)
    out = tmp_path / "out"
    res = run_cli(capsys, monkeypatch, "run", str(export.parent), "--out", str(out), "-q")
    assert res.code == 0, res.err
    text = output_text(out)
    for value in PLANTED + ["V-0", "V-3"]:
        assert value not in text, value
    log = pq.read_table(next((out / "normalised").glob("*.parquet")))
    assert not set(log.column_names) & {c.lower() for c in REAL_EXPORT_COLUMNS}
    quality = json.loads(next((out / "normalised").glob("*.quality.json")).read_text(encoding="utf-8"))
    assert set(REAL_EXPORT_COLUMNS) <= set(quality["dropped_columns"])  # listed by name ...
    assert not set(PLANTED) & set(json.dumps(quality, ensure_ascii=False).split('"'))  # ... never with values
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert set(REAL_EXPORT_COLUMNS) <= set(doc["offices"][0]["quality"]["dropped_columns"])


PERSONAL_EXTRA = CLEAR_PROFILE.replace("pseudonymise = []", 'pseudonymise = ["case_id"]').replace(
    "[privacy]", '[extra]\n"Herkunftsland" = "origin"\n\n[privacy]')


def test_personal_extra_needs_an_explicit_keep_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from procmine.errors import InputProblem
    from procmine.profiles import profile_from_toml

    with pytest.raises(InputProblem, match="Herkunftsland"):
        profile_from_toml(PERSONAL_EXTRA)
    prof = profile_from_toml(PERSONAL_EXTRA.replace('pseudonymise = ["case_id"]', 'pseudonymise = ["case_id"]\nkeep = ["Herkunftsland"]'))
    assert prof.privacy_keep == ("Herkunftsland",) and profile_from_toml(prof.to_toml()) == prof


def test_xes_personal_attributes_are_not_kept(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("PROCMINE_KEY", fresh_key())
    traces = []
    for c in range(6):
        events = "".join(
            f'<event><string key="concept:name" value="{step}"/><date key="time:timestamp" '
            f'value="2025-03-{1 + c + 3 * s:02d}T09:00:00+01:00"/><string key="org:resource" value="S{c % 2}"/>'
            f'<string key="note" value="Notiz-{c}"/></event>'
            for s, step in enumerate(("Antrag eingegangen", "Termin vergeben", "Bescheid erteilt"))
        )
        traces.append(f'<trace><string key="concept:name" value="Fall-{c}"/><string key="Name" value="Mustermann-{c}"/>'
                      f'<string key="note" value="Vermerk-{c}"/><string key="passport" value="P{c}X1234"/>'
                      f'<string key="AZR-Nr" value="AZR{c}777"/>{events}</trace>')
    (tmp_path / "ex").mkdir()
    (tmp_path / "ex" / "log.xes").write_text(f'<?xml version="1.0"?><log>{"".join(traces)}</log>', encoding="utf-8")
    out = tmp_path / "out"
    res = run_cli(capsys, monkeypatch, "run", str(tmp_path / "ex"), "--out", str(out), "-q")
    assert res.code == 0, res.err
    text = output_text(out)
    for planted in ("Mustermann-1", "Vermerk-2", "P3X1234", "AZR4777", "Notiz-5", "Fall-0"):
        assert planted not in text, planted
    os.sync()
