"""A time series per finding (issue 15): ``Finding.monthly`` drawn on the finding's page as a small line chart
with the norm as a reference line, months under k cases suppressed, nothing when the field is absent or empty.

The findings here are fabricated (hand-computed expectations); the analysis fills ``monthly`` in ``detectors.monthly``."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from procmine.analyse.model import Finding
from procmine.report import build
from procmine.report.charts import chart_svg
from procmine.report.finding_trend import finding_trend_chart, monthly_frame
from procmine.report.render import render_office_html

from conftest import NOW


def with_monthly(f: Finding, monthly: Any) -> Finding:
    """The finding with its ``monthly`` series."""
    return replace(f, monthly=monthly)


WAIT = Finding(kind="waiting", pattern="ba_wait", value=29.0, unit="days", impact=2982.0, cases=295,
               from_activity="BA-Zustimmung angefragt", to_activity="BA-Zustimmung erteilt", norm=14.0, norm_basis="legal")
MONTHS = [
    {"month": "2024-01", "value": 20.0, "cases": 40},
    {"month": "2024-02", "value": 25.0, "cases": 3},  # under k = 5: suppressed
    {"month": "2024-03", "value": 31.0, "cases": 38},
    # 2024-04 missing: a gap, 0 cases
    {"month": "2024-05", "value": 35.0, "cases": 9},  # the smallest other month: hidden too (secondary suppression)
    {"month": "2024-06", "value": 33.0, "cases": 50},
]


def test_monthly_series_with_norm_suppression_and_gaps():
    c = finding_trend_chart(with_monthly(WAIT, MONTHS), "engpass-1-verlauf", "days", k=5)
    assert c is not None and c.kind == "line" and c.key == "engpass-1-verlauf"
    assert c.x_labels == ("01/2024", "02/2024", "03/2024", "04/2024", "05/2024", "06/2024")
    assert c.series[0].values == (20.0, None, 31.0, None, None, 33.0)
    assert c.reference == 14.0 and c.reference_label == "Norm"
    rows = [(r[0].value, r[1].kind, r[1].value, r[2].kind, r[2].value) for r in c.table.rows]
    assert rows == [
        ("01/2024", "int", 40, "days", 20.0),
        ("02/2024", "suppressed", 5, "suppressed", 5),
        ("03/2024", "int", 38, "days", 31.0),
        ("04/2024", "int", 0, "missing", None),
        ("05/2024", "suppressed", 5, "suppressed", 5),
        ("06/2024", "int", 50, "days", 33.0),
    ]


def test_nothing_without_a_series():
    assert finding_trend_chart(WAIT, "x", "days") is None  # the field absent (the model before the merge)
    assert finding_trend_chart(with_monthly(WAIT, []), "x", "days") is None
    assert finding_trend_chart(with_monthly(WAIT, None), "x", "days") is None
    one = [{"month": "2024-01", "value": 20.0, "cases": 40}, {"month": "2024-02", "value": 22.0, "cases": 2}]
    assert finding_trend_chart(with_monthly(WAIT, one), "x", "days") is None  # one month shown is no course
    few = replace(with_monthly(WAIT, MONTHS), cases=3)
    assert finding_trend_chart(few, "x", "days") is None  # the finding itself rests on fewer than k cases
    assert monthly_frame([{"when": "2024-01"}]).empty


def test_units_shares_in_per_cent_durations_in_hours_network_norm_only_in_a_network():
    share = Finding(kind="rework", pattern="document_loops", value=0.3, unit="share", impact=100.0, cases=200,
                    norm=0.1, norm_basis="usual")
    months = [{"month": "2024-01", "value": 0.25, "cases": 100}, {"month": "2024-02", "value": 0.35, "cases": 100}]
    c = finding_trend_chart(with_monthly(share, months), "x", "percent")
    assert c.series[0].values == pytest.approx((25.0, 35.0)) and c.reference == pytest.approx(10.0)
    assert c.y_title == "Prozent" and c.table.rows[0][2].kind == "percent" and c.table.rows[0][2].value == 0.25
    team = Finding(kind="resource", pattern="team_shortage", value=18 * 3600.0, unit="s", impact=50.0, cases=300,
                   team="Erwerb", norm=12 * 3600.0, norm_basis="network")
    hours = [{"month": "2024-01", "value": 16 * 3600.0, "cases": 150}, {"month": "2024-02", "value": 20 * 3600.0, "cases": 150}]
    c = finding_trend_chart(with_monthly(team, hours), "x", "duration")
    assert c.series[0].values == pytest.approx((16.0, 20.0)) and c.reference == pytest.approx(12.0)
    assert c.y_title == "Stunden" and c.reference_label == "Norm"
    alone = finding_trend_chart(with_monthly(team, hours), "x", "duration", single=True)
    assert alone is not None and alone.reference is None  # a single office is never compared with a network
    inquiries = Finding(kind="rework", pattern="inquiry_flood", value=5.8, unit="per_case", impact=0.0, cases=300,
                        norm=0.4, norm_basis="network")
    per_case = [{"month": f"2024-{m:02d}", "value": 5.0 + m / 10, "cases": 150} for m in range(1, 9)]
    assert finding_trend_chart(with_monthly(inquiries, per_case), "x", "number2").y_title == "je Vorgang"  # not "Wert"


def test_the_picture_is_accessible_deterministic_and_shows_the_norm():
    c = finding_trend_chart(with_monthly(WAIT, MONTHS), "engpass-1-verlauf", "days", k=5)
    svg = str(chart_svg(c))
    assert svg == str(chart_svg(c))  # the same bytes on every run
    assert 'role="img"' in svg and 'aria-label="Grafik: Verlauf je Monat, 01/2024 bis 06/2024"' in svg
    assert "<title>Verlauf je Monat</title>" in svg and ">Norm<" in svg
    assert "25,0" not in svg  # the suppressed month's value is nowhere in the picture


def test_the_finding_page_shows_the_series_and_its_table():
    from report_fixtures import english_network

    a = english_network()[0]
    paged = [f for f in a.findings if f.high_impact]
    assert paged, "the fixture has a high-impact finding"
    first = with_monthly(paged[0], [{"month": f"2024-{m:02d}", "value": float(m), "cases": 20} for m in range(1, 7)])
    a = replace(a, findings=tuple(first if f is paged[0] else f for f in a.findings))
    r = build.build_office_report(a, None, None, now=NOW)
    page = next(p for p in r.finding_pages if p.item.rank == 1)
    assert page.trend is not None and page.trend.series[0].values[:2] == pytest.approx((1.0, 2.0))
    assert all(p.trend is None for p in r.finding_pages if p is not page)  # no series, no chart
    assert page.since.endswith("die Grafik „Verlauf je Monat“ unten")
    html = render_office_html(r)
    section = html[html.index(f'id="{page.key}"'):html.index("</section>", html.index(f'id="{page.key}"'))]
    assert 'id="engpass-1-verlauf"' in section and "Monate mit weniger als 5 Vorgängen sind nicht gezeigt." in section
    assert re.search(r"<details class=\"chart-data\">.*?Vorgänge im Monat", section, flags=re.S)


def test_a_series_by_case_start_leaves_out_the_months_whose_cases_still_run():
    """Repeats per case counted in the month a case began: cases begun in the last months are still running, their
    repeats not all there yet; the chart leaves those months out (a drop there would read as an improvement)."""
    repeats = Finding(kind="rework", pattern="inquiry_flood", value=5.8, unit="per_case", impact=0.0, cases=2757,
                      activity="Sachstandsanfrage", norm=0.4, norm_basis="usual")
    months = [{"month": f"2024-{m:02d}", "value": 6.0 if m < 9 else 6.0 - (m - 8), "cases": 100} for m in range(1, 13)]
    c = finding_trend_chart(with_monthly(repeats, months), "x", "per_case", horizon_days=150)
    # 150 days before the end of 12/2024 is 03.08.2024: from 08/2024 on a month holds cases begun later
    assert c.series[0].values == (6.0,) * 7 + (None,) * 5
    assert [r[2].value for r in c.table.rows[-5:]] == ["läuft noch"] * 5 and c.table.rows[6][2].value == 6.0
    assert "Die letzten 5 Monate fehlen" in c.note
    short = finding_trend_chart(with_monthly(repeats, months), "x", "per_case")  # at least three months
    assert short.series[0].values[-3:] == (None, None, None) and short.series[0].values[-4] == 5.0
    wait = finding_trend_chart(with_monthly(WAIT, MONTHS), "x", "days", horizon_days=150)
    assert wait.series[0].values[-1] == 33.0 and "fehlen" not in wait.note  # a wait counts by its own month


def test_since_when_is_read_from_the_course_against_the_norm():
    from procmine.report.finding_trend import course

    def since(values: list[float]) -> tuple[str, str] | None:
        months = [{"month": f"2024-{i + 1:02d}", "value": v, "cases": 50} for i, v in enumerate(values)]
        return course(finding_trend_chart(with_monthly(WAIT, months), "x", "days"))  # norm 14 days

    assert since([10.0, 12.0, 20.0, 25.0, 30.0]) == ("above", "03/2024")
    assert since([20.0, 25.0, 30.0]) == ("always", "01/2024")
    assert since([20.0, 25.0, 13.0, 12.0]) == ("back", "03/2024")
    assert since([20.0, 25.0, 30.0, 12.0]) is None  # one month back under the norm says nothing yet
    assert since([10.0, 12.0, 11.0]) is None  # never above: the page keeps the period text
    assert course(finding_trend_chart(with_monthly(replace(WAIT, norm=None), MONTHS), "x", "days")) is None
    r = build.build_office_report(_office_with(since_values=[20.0, 25.0, 13.0, 12.0]), None, None, now=NOW)
    assert r.finding_pages[0].since.startswith("zuletzt wieder bei oder unter der Norm, seit 03/2024")


def _office_with(since_values: list[float]):
    from report_fixtures import english_network

    a = english_network()[0]
    first = next(f for f in a.findings if f.high_impact)
    months = [{"month": f"2024-{i + 1:02d}", "value": v * (first.norm or 1.0) / 14.0, "cases": 50}
              for i, v in enumerate(since_values)]
    return replace(a, findings=tuple(with_monthly(f, months) if f is first else f for f in a.findings))
