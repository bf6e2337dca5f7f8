"""Each network median is computed once (compare.medians) and every report shows that one number.

Issue 14: the comparison page and the office reports showed different "Netzwerk-Median" values for the same
figure (0.41, 0.13, 0.26). Now ``compare_offices`` builds one table (figure x case type -> median, offices) and
the office reports, the comparison page and results.json read it. Hand-computed medians on small hand-made
offices; on a small synthetic network, every value shown in every office report equals the comparison page's
and results.json's, and page 1 of the control office lists the analysis' strengths.
"""

from __future__ import annotations

import re
import warnings
from collections import defaultdict
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from procmine.analyse import analyse_network
from procmine.compare import compare_offices
from procmine.compare.medians import (
    finding_figure,
    per_case_figure,
    step_waits,
    strength_figure,
    typical_of_finding,
    wait_before_figure,
)
from procmine.labels_de.report import label
from procmine.report import build, format_de, results_document
from procmine.report.figures import WAIT_STEPS
from procmine.report.pages import paged_findings
from procmine.synth import clean_offices, office_with_pattern, simulate_network

from conftest import NOW, network

# --- hand-computed ------------------------------------------------------------------------------


def _with_activities(a, rows):
    """The office with its activities table replaced: rows (activity, key, events, cases with the step)."""
    acts = pd.DataFrame(rows, columns=["activity", "activity_key", "count", "cases"])
    return replace(a, activities=acts.assign(mean_service_s=np.nan, median_service_s=np.nan))


def test_kpi_medians_by_hand_overall_and_per_compared_case_type():
    """A: median 60 days, B: 30 -> 45 over two offices; case type AE_EXT: 55 and 28 -> 41.5; BLUE is not
    compared (A has 3 < 5 cases), so it has no network median."""
    analyses, _ = network()
    c = compare_offices(analyses)
    t = c.network_medians
    assert t.get("cycle_time_median_days") == 45.0 and t.offices("cycle_time_median_days") == 2
    assert t.get("cycle_time_median_days", "AE_EXT") == 41.5
    assert t.get("share_cases_over_90_days", "AE_EXT") == pytest.approx(0.075)
    assert t.get("cycle_time_median_days", "BLUE") is None and t.offices("cycle_time_median_days", "BLUE") == 0
    assert c.medians["cycle_time_median_days"] == 45.0  # the comparison's medians are the table's


def test_per_case_median_by_hand_three_offices_contacts_and_repeats():
    """Status inquiries (a contact) count every time, document receipts only after the first in a case:
    A 50 cases, 30 inquiries -> 0,6; B 40 cases, 8 -> 0,2; C 50 cases, 20 -> 0,4: median 0,4 over 3 offices.
    Receipts: A 25 events in 20 cases -> 5/50 = 0,1; B 14 in 12 -> 2/40 = 0,05; C none -> not counted: median
    0,075 over 2. A step only A has gets none. An export that never repeats a step (a milestone export) is left out: without B's repeats B
    looks like one, and the inquiry median is that of A and C, 0,5."""
    a, b = network()[0]
    c = replace(b, office="ABH-C", cases=50)
    a = _with_activities(a, [("Sachstand", "status_inquiry_received", 30, 20), ("Nachreichung", "documents_submitted", 25, 20),
                                 ("Akte", "file_requested", 10, 5)])
    b = _with_activities(b, [("Sachstand", "status_inquiry_received", 8, 8), ("Nachreichung", "documents_submitted", 14, 12)])
    c = _with_activities(c, [("Sachstand", "status_inquiry_received", 20, 15)])
    t = compare_offices([a, b, c]).network_medians
    inquiries = per_case_figure("status_inquiry_received", "Sachstand")
    assert t.get(inquiries) == pytest.approx(0.4) and t.offices(inquiries) == 3
    receipts = per_case_figure("documents_submitted", "Nachreichung")
    assert t.get(receipts) == pytest.approx(0.075) and t.offices(receipts) == 2
    assert t.get(per_case_figure("file_requested", "Akte")) is None  # one office alone: no network median
    b_once = _with_activities(b, [("Sachstand", "status_inquiry_received", 8, 8), ("Nachreichung", "documents_submitted", 12, 12)])
    t = compare_offices([a, b_once, c]).network_medians
    assert t.get(inquiries) == pytest.approx(0.5) and t.offices(inquiries) == 2


def test_a_single_office_shows_no_network_median():
    analyses, qualities = network()
    alone = compare_offices(analyses[:1])
    r = build.build_office_report(analyses[0], qualities["ABH-A"], alone, now=NOW)
    assert all(label("chart.network_median") not in (it.comparison or "") for it in r.findings)
    assert all(label("chart.network_median") not in (p.chart.x_labels if p.chart else ()) for p in r.finding_pages)


# --- a small synthetic network ------------------------------------------------------------------


@pytest.fixture(scope="module")
def net():
    """Document loops, an inquiry flood and a register wait planted one per office, the good-practice
    control office P16 and two clean offices; 400 cases each."""
    offices = [office_with_pattern("P03", 3), office_with_pattern("P09", 9), office_with_pattern("P17", 17),
               office_with_pattern("P16", 16), *clean_offices(2)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logs = simulate_network(cases_per_office=400, offices=offices, seed=20260101).logs
        analyses = analyse_network(logs, discover=False)
    comparison = compare_offices(analyses)
    reports = {a.office: build.build_office_report(a, None, comparison, now=NOW, network=analyses) for a in analyses}
    page = build.build_comparison_report(comparison, analyses, now=NOW)
    results = results_document(analyses, comparison, {}, now=NOW)
    return analyses, comparison, reports, page, results


NET = re.compile(re.escape(label("compare.network", value="")) + r"(.+)$")


def test_every_report_shows_the_one_network_median_of_each_figure(net):
    """For each figure, the network median shown in every office report (finding comparisons, finding charts,
    the waiting-time chart) is the comparison's and results.json's; the same figure never shows two values, and a
    finding whose norm already is the network's figure shows no second network number."""
    analyses, comparison, reports, _, results = net
    t = comparison.network_medians
    records = {(r["figure"], r["case_type"] or ""): r["median"] for r in results["network_medians"]}
    assert records == {(f, ct): m for f, ct, m in zip(t.table["figure"], t.table["case_type"], t.table["median"])}
    shown: dict[str, set[str]] = defaultdict(set)
    findings_with_median = 0
    for a in analyses:
        r = reports[a.office]
        for f, item in zip(build.ranked_findings(a), r.findings):
            fig = finding_figure(f)
            m = NET.search(item.comparison or "")
            # "Netzwerk-Median" only ever names the table's value (a norm from the network has its own name)
            assert (item.comparison or "").count("Netzwerk-Median") == (m is not None) and "Netzwerk-Median" not in item.text_de
            if fig is None or t.get(*fig) is None:
                assert m is None, (a.office, f.pattern, item.comparison)
                continue
            findings_with_median += 1
            # omitted where the norm is itself the network's figure (two network numbers would confuse the reader)
            # (or where the typical office's same figure stands in for it, as for waits)
            if m is None:
                assert (f.norm_basis == "network" and f.norm is not None) or typical_of_finding(f) is not None, \
                    (a.office, f.pattern, item.comparison)
            else:
                assert f.norm_basis != "network", (a.office, f.pattern, item.comparison)
                assert m.group(1) == format_de.fmt_value(t.get(*fig), f.unit), (a.office, f.pattern)
                assert records[fig] == t.get(*fig)
                shown[fig[0]].add(m.group(1))
        for (f, _), p in zip(paged_findings(build.ranked_findings(a), list(r.findings)), r.finding_pages):
            if p.chart is not None and label("chart.network_median") in p.chart.x_labels:
                bar = p.chart.series[0].values[p.chart.x_labels.index(label("chart.network_median"))]
                scale = 100.0 if p.item.extent.kind == "percent" else 1.0
                assert bar == pytest.approx(t.of_finding(f) * scale)
        chart = next(c for s in r.sections.values() for c in s.charts if c.key == "wartezeit-je-schritt")
        own = step_waits(a)
        own = own[own["days"].notna() & (own["events"] >= 5)].head(WAIT_STEPS)
        for key, act, v in zip(own["key"], own["activity"], chart.series[1].values):
            fig = wait_before_figure(key, act)
            if t.get(fig) is None:  # a step only this office has: no network bar
                assert v is None and fig not in {f for f, _ in records}, (a.office, fig)
                continue
            assert v == pytest.approx(t.get(fig)), (a.office, fig)
            assert records[(fig, "")] == pytest.approx(v)
            shown[fig].add(format_de.fmt_days(v))
    assert findings_with_median >= 3  # findings whose figure the table holds were checked
    assert any(f.startswith("wait_before:") for f in shown)  # per-case figures: their norm is the network value
    assert {f: v for f, v in shown.items() if len(v) > 1} == {}


def test_comparison_page_column_is_the_table(net):
    """The comparison page's "Netzwerk-Median" column holds the table's value of each KPI, overall and per
    case type."""
    _, comparison, _, page, results = net
    t = comparison.network_medians
    assert page.kpi_table.columns[-1] == label("col.network_median")
    defs = {key: (n, d, u) for key, n, d, u in build.load_kpi_definitions()}
    names = {build.kpi_name(key, defs): key for key in comparison.kpis.columns}
    checked = 0
    for row in page.kpi_table.rows[1:]:
        key = names.get(row[0].value)
        if key is not None and t.get(key) is not None:
            assert row[-1].value == pytest.approx(t.get(key)), key
            assert results["comparison"][key]["values"]  # the same KPI in results.json
            checked += 1
    assert checked >= 3
    ct_table = page.case_type_tables[0]
    for row, ct in zip(ct_table.rows, comparison.case_types):
        assert row[-1].value == pytest.approx(t.get("cycle_time_median_days", ct))


def test_control_office_page_one_lists_the_analysis_strengths(net):
    """P16 has no headline problem; page 1 lists the analysis' strengths (extra["strengths"]) with the table's
    network medians, and the Engpässe note says the same."""
    analyses, comparison, reports, page, _ = net
    control = next(a for a in analyses if a.office == "P16")
    defs = {key: (n, d, u) for key, n, d, u in build.load_kpi_definitions()}
    column = {row[0].value: row[-1].value for row in page.kpi_table.rows}
    strengths = control.extra["strengths"]
    glance = reports["P16"].glance
    assert strengths and glance.losses == ()
    checked_on_page = False
    assert len(glance.strengths) == len(strengths)
    for s, text in zip(strengths, glance.strengths):
        med = comparison.network_medians.get(strength_figure(s["metric"]))
        assert med == pytest.approx(s["network_median"])
        assert label(f"strength.{s['metric']}", value="", network="")[:12].lower() in text.lower()
        assert "Netzwerk-Median" in text
        fig = strength_figure(s["metric"])
        if fig in comparison.kpis.columns:  # the same number as in the comparison page's column
            assert column[build.kpi_name(fig, defs)] == pytest.approx(med)
            checked_on_page = True
    assert any(text[1:] in note for note in reports["P16"].notes for text in glance.strengths)
    assert checked_on_page


def test_a_wait_finding_is_compared_with_the_typical_office_of_its_own_figure_not_a_median() -> None:
    """A wait finding's value is the mean of the waits past its norm; beside it stands the typical office's
    same figure ("typische Dienststelle"), never the network median of the pair's median wait."""
    from procmine.analyse.model import Finding
    from procmine.compare.medians import NetworkMedians, wait_figure
    from procmine.report.pages import _network_value

    f = Finding(kind="waiting", pattern="ba_wait", value=74.9, unit="days", impact=900.0, cases=132, norm=30.0,
                norm_basis="usual", from_activity="A", to_activity="B", from_key="a", to_key="b",
                evidence={"network_median_days": 13.0, "network_mean_beyond_norm_days": 41.5})
    medians = NetworkMedians(pd.DataFrame({"figure": [wait_figure(f)], "case_type": [""], "median": [13.0],
                                           "offices": [5], "source": ["analysis"]}))
    assert medians.of_finding(f) is None
    text = build.finding_item(f, 1, medians=medians).comparison
    assert "typische Dienststelle: 41,5\u00a0Tage" in text and "Netzwerk-Median" not in text
    assert _network_value(f, False, medians) == (41.5, "typische Dienststelle")
    assert _network_value(f, True, medians) == (None, "")
    lone = replace(f, evidence={"network_median_days": 13.0})
    assert "typische Dienststelle" not in build.finding_item(lone, 1, medians=medians).comparison


def test_a_deadline_finding_chart_has_no_percent_bar_for_its_day_limit() -> None:
    """A share of cases over three months is drawn beside the typical office's share, never beside a
    '90 %' bar made of the 90-day limit; the text keeps the limit ('Norm: 90,0 Tage')."""
    from procmine.analyse.model import Finding
    from procmine.report.figures import finding_chart
    from procmine.report.pages import _network_value

    f = Finding(kind="deadline", pattern="priority_starvation", value=0.31, unit="share", impact=400.0, cases=60,
                case_type="AE_FAM", norm=90.0, norm_basis="legal",
                evidence={"share_over_90_days": 0.31, "network_typical_share_over_90_days": 0.12})
    value, name = _network_value(f, False, None)
    chart = finding_chart(f, "x", "percent", value, 5, False, name)
    assert chart is not None
    assert len(chart.x_labels) == 2 and chart.x_labels[1] == "typische Dienststelle"
    assert chart.series[0].values == pytest.approx((31.0, 12.0))
    text = build.finding_item(f, 1).comparison
    assert text.startswith("Norm: 90,0\u00a0Tage") and "typische Dienststelle: 12,0\u00a0%" in text
