"""The whole pipeline on the real public logs (no activity keys, no case types, other languages)."""

from __future__ import annotations

import json

import pytest

from procmine.analyse import analyse_network
from procmine.compare import compare_offices
from procmine.normalise import ingest_file
from procmine.report import write_reports

from conftest import PUBLIC_DATA

PUBLIC = PUBLIC_DATA
FILES = ["receipt.csv", "interval_event_log.csv", "running-example.xes"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("real")
    results = [ingest_file(PUBLIC / name, out / "normalised") for name in FILES]
    logs = {r.quality.office: r.log for r in results}
    analyses = analyse_network(logs)
    paths = write_reports(analyses, compare_offices(analyses), {r.quality.office: r.quality for r in results}, out / "reports")
    return results, analyses, paths


def test_real_logs_run_end_to_end(run):
    results, analyses, paths = run
    assert {a.office for a in analyses} == {"receipt", "interval_event_log", "running-example"}
    for r in results:
        assert r.quality.rows_read == r.quality.rows_kept + r.quality.rows_quarantined
    doc = json.loads(paths.results_json.read_text(encoding="utf-8"))
    receipt = next(o for o in doc["offices"] if o["office"] == "receipt")
    assert receipt["cases"] == 1434 and receipt["events"] == 8577
    assert receipt["quality"]["rows_quarantined"] == 0
    # every directly-follows pair is listed: events minus cases
    assert sum(e["count"] for e in receipt["process_map"]["edges"]) == 8577 - 1434
    for office in doc["offices"]:
        html = paths.office_reports[office["office"]].read_text(encoding="utf-8")
        assert "Engpässe" in html and "<svg" in html


def test_interval_log_has_service_times_and_completion_only_log_has_none(run):
    _, analyses, _ = run
    by = {a.office: a for a in analyses}
    assert by["interval_event_log"].has_start
    assert by["interval_event_log"].activities["median_service_s"].notna().any()
    assert not by["receipt"].has_start


def test_an_office_alone_is_never_measured_against_a_network(run, tmp_path):
    """The permit log on its own (as a municipality would run it): no finding's norm is called the network's, and
    no finding sentence speaks of a network (a team's queue takes the basis of its waits' norms)."""
    from procmine.analyse.detectors.teams import queue_basis
    from procmine.analyse.model import Finding
    from procmine.report import build

    results, _, _ = run
    log = next(r.log for r in results if r.quality.office == "receipt")
    (alone,) = analyse_network({"receipt": log}, discover=False)
    assert alone.findings, "the permit log has waits worth reporting"
    assert not [f for f in alone.findings if f.norm_basis == "network"]
    assert not [f for f in alone.findings if "Netzwerk" in build.finding_item(f, f.rank).text_de]
    wait = Finding(kind="waiting", pattern="long_wait", value=2.0, unit="days", impact=1.0, cases=9, norm_basis="network")
    assert queue_basis([wait, wait]) == "network"
    assert queue_basis([wait, Finding(**{**wait.__dict__, "norm_basis": "own"})]) == "unknown"
    assert queue_basis([Finding(**{**wait.__dict__, "norm_basis": "own"})]) == "own"
