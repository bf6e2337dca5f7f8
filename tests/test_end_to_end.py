"""The demo path end to end: synthetic exports → ingest → analysis → reports, via the CLI.

Runs once per test session at a small size (the default demo runs 3,000 cases per office).
"""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from procmine import schema
from procmine.cli import app
from procmine.report.render import find_chromium

CASES = 1500


@pytest.fixture(scope="module")
def demo(tmp_path_factory, monkeypatch_module):
    root = tmp_path_factory.mktemp("demo")
    monkeypatch_module.setenv("PROCMINE_KEY_FILE", str(tmp_path_factory.mktemp("key") / "key"))
    result = CliRunner().invoke(
        app, ["demo", "--cases", str(CASES), "--logs", str(root / "logs"), "--out", str(root / "reports"), "--quiet",
              "--pdf"]
    )
    assert result.exit_code == 0, result.output + repr(result.exception)
    return root, result.output


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_demo_writes_nine_reports_comparison_and_results(demo):
    root, output = demo
    reports = root / "reports"
    offices = sorted(p.name for p in reports.iterdir() if p.is_dir())
    assert offices == [f"ABH-{i:02d}" for i in range(1, 10)]
    for office in offices:
        html = (reports / office / "bericht.html").read_text(encoding="utf-8")
        for heading in ("Auf einen Blick", "Prozesslandkarte", "Engpässe", "Varianten", "Durchlaufzeiten", "Datenqualität"):
            assert heading in html, (office, heading)
        assert "<svg" in html  # process map inlined: the file is self-contained
        if find_chromium():  # the demo prints every report to PDF by default
            assert (reports / office / "bericht.pdf").read_bytes()[:5] == b"%PDF-"
        assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://', html)
    assert "ABH-05" in (reports / "vergleich.html").read_text(encoding="utf-8")
    assert "vergleich.html" in output


def test_results_json_has_the_documented_keys(demo):
    root, _ = demo
    doc = json.loads((root / "reports" / "results.json").read_text(encoding="utf-8"))
    assert doc["schema_version"] == 1
    assert len(doc["offices"]) == 9
    for office in doc["offices"]:
        q = office["quality"]
        assert q["rows_read"] == q["rows_kept"] + q["rows_quarantined"]
        assert sum(q["by_reason"].values()) == q["rows_quarantined"]
        for key in ("cycle_time_median_days", "cycle_time_p90_days", "share_cases_over_90_days"):
            assert isinstance(office["kpis"][key], (int, float))
        edges = office["process_map"]["edges"]
        assert edges and {"from", "to", "count", "mean_wait_s", "median_wait_s"} <= set(edges[0])
        assert sum(e["count"] for e in edges) == office["events"] - office["cases"]
        for f in office["findings"]:
            assert {"rank", "kind", "value", "unit", "text_de"} <= set(f)
            assert ("activity" in f) or ("from" in f and "to" in f)
    assert "cycle_time_median_days" in doc["comparison"]


def test_each_office_ranks_its_planted_pattern_first(demo):
    """Through the export files and the ingest, as a user would run it (truth read from truth.json)."""
    root, _ = demo
    truth = json.loads((root / "logs" / "exports" / "truth.json").read_text(encoding="utf-8"))
    doc = json.loads((root / "reports" / "results.json").read_text(encoding="utf-8"))
    by_office = {o["office"]: o for o in doc["offices"]}
    failures = []
    for office, planted in truth["offices"].items():
        keys = {p["key"] for p in planted["patterns"]}
        findings = by_office[office]["findings"]
        if keys == {"control"}:
            high = [f for f in findings if f.get("high_impact")]
            if high:
                failures.append(f"{office}: control office has high-impact findings {[f['pattern'] for f in high]}")
            continue
        top = findings[0]["pattern"] if findings else None
        if top not in keys:
            failures.append(f"{office}: top finding {top!r}, planted {sorted(keys)}")
    assert not failures, "\n".join(failures)


def test_rows_are_conserved_for_every_export_shape(demo):
    root, _ = demo
    truth = json.loads((root / "logs" / "exports" / "truth.json").read_text(encoding="utf-8"))
    shapes = {o["shape"] for o in truth["offices"].values()}
    assert len(shapes) >= 4
    for office in truth["offices"]:
        q = json.loads((root / "logs" / "normalised" / f"{office}.quality.json").read_text(encoding="utf-8"))
        assert q["rows_read"] == q["rows_kept"] + q["rows_quarantined"], office
        assert q["rows_quarantined"] > 0, f"{office}: the injected broken rows must land in quarantine"
        quarantine = pd.read_csv(q["quarantine_file"], dtype=str)
        assert len(quarantine) == q["rows_quarantined"]
        log = schema.read_log(root / "logs" / "normalised" / f"{office}.parquet")
        schema.validate(log)


def test_no_personal_value_reaches_any_output(demo):
    root, _ = demo
    exports = root / "logs" / "exports"
    truth = json.loads((exports / "truth.json").read_text(encoding="utf-8"))
    outputs = [p for p in (root / "reports").rglob("*") if p.is_file()]
    outputs += [p for p in (root / "logs" / "normalised").rglob("*") if p.is_file()]
    # text outputs are searched as bytes; Parquet (compressed) by its decoded cells
    blob = b"\n".join(p.read_bytes() for p in outputs if p.suffix != ".parquet")
    cells: set[str] = set()
    for p in outputs:
        if p.suffix == ".parquet":
            log = schema.read_log(p)
            for column in log.columns:
                cells.update(log[column].dropna().astype(str).unique())
    checked = 0
    for office, info in truth["offices"].items():
        path = exports / info["file"]
        if path.suffix == ".xlsx":
            table = pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl")
        else:
            raw = path.read_bytes()
            text = raw.decode("utf-8-sig") if raw[:3] == b"\xef\xbb\xbf" else raw.decode("cp1252", errors="replace")
            table = pd.read_csv(io.StringIO(text), sep=None, engine="python", dtype=str)
        for column in info["personal_columns"]:
            for value in table[column].dropna().unique()[:40]:
                if len(value) >= 6:  # long enough not to occur by chance in hashes or numbers
                    checked += 1
                    assert value not in cells, f"{office}: personal value {value!r} in a normalised log"
                    assert value.encode("utf-8") not in blob, f"{office}: personal value {value!r} leaked"
    assert checked > 100, "too few personal values checked"
