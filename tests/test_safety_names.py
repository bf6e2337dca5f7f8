"""Issue 13, 'files written outside --out': office names are labels, never paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from safety_helpers import HEADER, event_rows, fresh_key, run_cli, snapshot, write_csv, written_outside

from procmine.outputs import inside, safe_name

HOSTILE = ["../../x", "/abs", "a/b", "A B", "A?B", "A_B", "..", ".", "", "CON", "x-0123456789", "ä" * 200]


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCMINE_KEY", fresh_key())


def test_safe_names_are_plain_distinct_and_stable() -> None:
    names = [safe_name(n) for n in HOSTILE]
    assert len(set(names)) == len(names)  # two different labels never share a file
    for n in names:
        assert "/" not in n and "\\" not in n and n not in ("", ".", "..") and not n.startswith(".")
        assert len(n) <= 80 + 11
    assert safe_name("ABH-01") == "ABH-01" and safe_name("Köln") == "Köln"  # safe names stay readable
    assert safe_name("A_B") == "A_B"
    assert safe_name("A B").startswith("A_B-") and safe_name("A?B").startswith("A_B-")
    # a label that looks like a hashed name gets its own hash: it cannot take another label's file
    assert safe_name(safe_name("A B")) != safe_name("A B")


def test_inside_refuses_names_that_leave_the_folder(tmp_path: Path) -> None:
    for bad in ("../x", "/abs", "a/b", "..", ""):
        with pytest.raises(ValueError):
            inside(tmp_path, bad)
    assert inside(tmp_path, "x.json") == tmp_path / "x.json"


def test_run_writes_every_office_inside_out_and_keeps_them_apart(tmp_path, capsys, monkeypatch) -> None:
    offices = ["../../x", "/abs", "a/b", "A B", "A?B", "A_B"]
    rows = []
    for i, office in enumerate(offices):
        rows += [r + [office] for r in event_rows(f"O{i}-", cases=3)]
    exports = write_csv(tmp_path / "work" / "exports" / "netz.csv", rows, HEADER + ["Dienststelle"]).parent
    out = tmp_path / "work" / "out" / "run"
    before = snapshot(tmp_path)
    res = run_cli(capsys, monkeypatch, "run", str(exports), "--out", str(out), "-q")
    assert res.code == 0, res.err
    assert written_outside(tmp_path, before, out) == []
    assert not Path("/abs.quality.json").exists()
    normalised = out / "normalised"
    assert len(list(normalised.glob("*.parquet"))) == 6
    assert len(list(normalised.glob("*.quality.json"))) == 6
    assert len(list(out.glob("*/bericht.html"))) == 6
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert sorted(o["office"] for o in doc["offices"]) == sorted(offices)
    # a later 'procmine report' from the normalised logs still sees all six offices
    again = tmp_path / "work" / "again"
    res = run_cli(capsys, monkeypatch, "report", str(normalised), "--out", str(again), "-q")
    assert res.code == 0, res.err
    doc = json.loads((again / "results.json").read_text(encoding="utf-8"))
    assert len(doc["offices"]) == 6
