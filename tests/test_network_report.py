"""Golden file of the network report model (the sections of vergleich.html built by ``report.network``) and
what a head of office reads there: units once in the header, no empty measures section."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from procmine.analyse import analyse_network
from procmine.compare import compare_offices
from procmine.labels_de.network import REPORT_LABELS
from procmine.report.network import NetworkReport, build_network_report
from procmine.synth import default_offices, simulate_network

GOLDEN = Path(__file__).parent / "golden"
UPDATE_GOLDEN = os.environ.get("PROCMINE_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def net_report() -> NetworkReport:
    """Four synthetic offices (event and milestone exports), 150 cases each over 12 months, no measure."""
    logs = simulate_network(cases_per_office=150, months=12, offices=default_offices()[:4]).logs
    comparison = compare_offices(analyse_network(logs), logs=logs)
    assert comparison.network is not None
    return build_network_report(comparison.network)


def _plain(report: NetworkReport) -> dict:
    """The model as JSON-ready data; each chart as a marker (its SVG is matplotlib's, not the model's)."""
    d = dataclasses.asdict(report)
    for block in d["kpis"] + d["measures"]:
        block["chart"] = "<svg>" if block["chart"] else ""
    d["trend_charts"] = [[title, "<svg>" if svg else ""] for title, svg in d["trend_charts"]]
    return d


def test_network_report_golden(net_report: NetworkReport) -> None:
    text = json.dumps(_plain(net_report), ensure_ascii=False, indent=1, sort_keys=True, default=str)
    path = GOLDEN / "network_report.json"
    if UPDATE_GOLDEN:  # the only way the golden file is written: review the diff before committing it
        path.write_text(text + "\n", encoding="utf-8")
    assert path.exists(), f"golden file {path} missing; PROCMINE_UPDATE_GOLDEN=1 writes it"
    assert text + "\n" == path.read_text(encoding="utf-8"), "network report model changed; PROCMINE_UPDATE_GOLDEN=1 to accept"


def test_days_carry_their_unit_in_the_header_once(net_report: NetworkReport) -> None:
    block = next(b for b in net_report.kpis if b.key == "cycle_time_days")
    assert block.table.columns[1] == REPORT_LABELS["col.value"] and block.table.column_notes[1] == REPORT_LABELS["col.in_days"]
    values = [row[1].value for row in block.table.rows if row[1].value != "–"]
    assert values and all("Tag" not in v and "," in v for v in values)  # "117,5", not "117,5 Tage"


def test_a_kpi_that_is_not_compared_does_not_repeat_the_verdict_in_every_row(net_report: NetworkReport) -> None:
    block = next(b for b in net_report.kpis if b.key == "steps_per_case")
    assert block.verdict == REPORT_LABELS["kpi.not_comparable"]
    assert REPORT_LABELS["col.position"] not in block.table.columns and REPORT_LABELS["col.tier"] not in block.table.columns
    assert all(len(row) == len(block.table.columns) for row in block.table.rows)


def test_topic_headers_name_the_office_below_the_header(net_report: NetworkReport) -> None:
    """The office's name stands as the header's note, so a narrow column never breaks "ABH-08" at its hyphen."""
    topic = next(t for t in net_report.topics if t.fragment is not None)
    office = topic.verdict.split(":", 1)[1].split()[0] if topic.verdict.startswith("Vorbild") else None
    notes = topic.fragment.column_notes
    assert notes[3] == notes[5] == REPORT_LABELS["col.rest"] and notes[2] == notes[4] and notes[2]
    assert office is None or notes[2] == office
    assert all(notes[2] not in c for c in topic.fragment.columns)


def test_without_measures_one_line_says_how_to_give_one(net_report: NetworkReport) -> None:
    assert net_report.measures == ()
    assert "--measure" in net_report.text["measures.none"]
