"""The office report's "Wohin die Zeit geht" (issue 14 item 1, issue 15 items 1-2): the elapsed time per case
split into its parts, per case type, as a stacked bar with a sentence and the numbers behind it; the overlap of
process-map edges in results.json. Expected values are computed by hand from the small logs below."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from procmine.analyse import analyse_office
from procmine.compare import compare_offices
from procmine.labels_de.report import label
from procmine.privacy import group_hidden
from procmine.report import build, results_document
from procmine.report.charts import chart_svg
from procmine.report.render import render_office_html
from procmine.report.timesplit import SECTION_KEY, timesplit_section

from conftest import NOW, PUBLIC_DATA, canonical, from_pm4py

GOLDEN = Path(__file__).parent / "golden"
UPDATE_GOLDEN = os.environ.get("PROCMINE_UPDATE_GOLDEN") == "1"
D0 = pd.Timestamp("2024-01-08 09:00", tz="UTC")

# per case type: (key, start day or None, end day) relative to the case's first day (calendar days)
NE_STEPS = (  # 21 days: office gap 10 + 0, applicant 6, office wait 4, work 1
    ("application_received", None, 0.0),
    ("documents_requested", None, 10.0),
    ("documents_received", None, 16.0),
    ("decision_approved", 20.0, 21.0),
    ("case_closed", None, 21.0),
)
EMP_STEPS = (  # 19 days: office gap 2 + 0.875, external (BA) 14, office wait 2, work 0.125 (3 hours)
    ("application_received", None, 0.0),
    ("ba_consent_requested", None, 2.0),
    ("ba_consent_granted", None, 16.0),
    ("decision_approved", 18.0, 18.125),
    ("case_closed", None, 19.0),
)

NE_LONG_STEPS = (  # 26 days: office gap 15 (58 %), applicant 6, office wait 4, work 1
    ("application_received", None, 0.0),
    ("documents_requested", None, 15.0),
    ("documents_received", None, 21.0),
    ("decision_approved", 25.0, 26.0),
    ("case_closed", None, 26.0),
)


def _cases(case_type: str, steps: tuple, n: int, first: int) -> list[dict]:
    rows = []
    for i in range(first, first + n):
        day0 = D0 + pd.Timedelta(days=3 * i)
        for key, start, end in steps:
            rows.append({"case_id": f"c{i}", "activity_key": key, "activity": key, "case_type": case_type,
                         "start": pd.NaT if start is None else day0 + pd.Timedelta(days=start),
                         "end": day0 + pd.Timedelta(days=end)})
    return rows


def office_log(blue: int = 0) -> pd.DataFrame:
    """5 NE cases, 6 AE_EMP cases and ``blue`` BLUE cases (the AE_EMP pattern), every one closed."""
    rows = _cases("NE", NE_STEPS, 5, 0) + _cases("AE_EMP", EMP_STEPS, 6, 5) + _cases("BLUE", EMP_STEPS, blue, 11)
    df = pd.DataFrame(rows)
    df["start"] = pd.to_datetime(df["start"], utc=True)
    return canonical(df, office="ABH-T", sort=True)


def _analysis(log: pd.DataFrame):
    return analyse_office(log, office="ABH-T", discover=False)


@pytest.fixture(scope="module")
def small_office():
    return _analysis(office_log())


def test_section_has_hand_computed_parts_that_add_up(small_office) -> None:
    s = timesplit_section(small_office)
    assert s is not None and s.key == SECTION_KEY and s.title == "Wohin die Zeit geht"
    chart = s.charts[0]
    assert chart.kind == "stacked_hbars"
    assert chart.x_labels == ("Alle Vorgänge", "AE Erwerbstätigkeit", "Niederlassungserlaubnis / Daueraufenthalt-EU")
    got = {se.name: se.values for se in chart.series}
    # all 11 cases: work (5·1 + 6·0,125)/11, office wait (5·4 + 6·2)/11, office gap (5·10 + 6·2,875)/11,
    # external 6·14/11, applicant 5·6/11; nothing open, so no "noch offen"
    expected = {
        "Bearbeitung": (5.75 / 11, 0.125, 1.0),
        "Warten auf die Behörde": (32 / 11, 2.0, 4.0),
        "Warten und Bearbeitung bei der Behörde": (67.25 / 11, 2.875, 10.0),
        "Warten auf andere Stellen": (84 / 11, 14.0, 0.0),
        "Warten auf die Antragstellenden": (30 / 11, 0.0, 6.0),
    }
    assert list(got) == list(expected)
    for name, values in expected.items():
        np.testing.assert_allclose(got[name], values, atol=1e-9, err_msg=name)
    # the parts add up to the mean elapsed time shown: (5·21 + 6·19)/11, 19 and 21 days
    np.testing.assert_allclose(np.sum([v for v in got.values()], axis=0), [219 / 11, 19.0, 21.0], atol=1e-9)
    assert s.paragraphs == (
        "Über alle Vorgänge dauert ein Vorgang im Mittel 20\u00a0Tage, davon 7,6\u00a0Tage Warten auf andere Stellen (38\u00a0%).",
        "Bei AE Erwerbstätigkeit dauert ein Vorgang im Mittel 19\u00a0Tage, davon 14\u00a0Tage Warten auf andere Stellen (74\u00a0%).",
        "Bei Niederlassungserlaubnis / Daueraufenthalt-EU dauert ein Vorgang im Mittel 21\u00a0Tage, davon 10\u00a0Tage "
        "Warten und Bearbeitung bei der Behörde (48\u00a0%).",
    )
    # the table behind the chart: the same days and their sum, and the working days of the whole
    rows = {r[0].value: r for r in chart.table.rows}
    ne = rows["Niederlassungserlaubnis / Daueraufenthalt-EU"]
    assert ne[1].value == 5 and [c.value for c in ne[2:7]] == pytest.approx([1.0, 4.0, 10.0, 0.0, 6.0])
    assert ne[7].value == pytest.approx(21.0) and 0 < ne[8].value < 21.0  # working days: office hours only
    assert "Kalendertage" in s.intro and any("Arbeitstag" in n for n in s.notes)
    assert label("timesplit.note_gap") in s.notes and label("timesplit.note_parties") in s.notes


def test_section_is_in_the_report_model_and_the_html(small_office) -> None:
    r = build.build_office_report(small_office, now=NOW)
    assert r.sections["timesplit"].key == SECTION_KEY
    html = render_office_html(r)
    assert f'<section id="{SECTION_KEY}"' in html and f'href="#{SECTION_KEY}"' in html
    # after the cycle times, before the waits
    assert html.index('id="durchlaufzeiten"') < html.index(f'id="{SECTION_KEY}"')
    assert "davon 14\u00a0Tage Warten auf andere Stellen" in html


def test_chart_is_accessible_deterministic_and_hatches_the_undivided_part(small_office) -> None:
    chart = timesplit_section(small_office).charts[0]
    svg = str(chart_svg(chart))
    assert svg == str(chart_svg(chart))  # the same bytes every time
    assert 'role="img"' in svg and f"<title>{chart.title}</title>" in svg and 'id="zeitanteile"' in svg
    assert svg.count("<pattern") == 1  # one hatched part: the office's undivided wait and work
    assert "21\u00a0Tage" in svg and "19\u00a0Tage" in svg  # each bar ends with its total


def test_small_case_type_is_suppressed_with_the_next_smallest() -> None:
    a = _analysis(office_log(blue=2))
    s = timesplit_section(a)
    chart = s.charts[0]
    # BLUE (2 cases) is too small; NE (5, the next smallest) is hidden too, else all − AE_EMP − NE gives BLUE
    assert chart.x_labels == ("Alle Vorgänge", "AE Erwerbstätigkeit", "Niederlassungserlaubnis / Daueraufenthalt-EU",
                              "Blaue Karte EU")
    for se in chart.series:
        assert se.values[2] is None and se.values[3] is None and se.values[1] is not None
    rows = {r[0].value: r for r in chart.table.rows}
    assert rows["Blaue Karte EU"][1].kind == "suppressed" and rows["Blaue Karte EU"][0].note == "zu wenige Vorgänge"
    assert rows["Niederlassungserlaubnis / Daueraufenthalt-EU"][0].note == label("timesplit.hidden")
    assert all(c.value is None for c in rows["Blaue Karte EU"][2:])
    assert len(s.paragraphs) == 2 and not any("Blaue Karte" in p or "Niederlassung" in p for p in s.paragraphs)
    assert label("timesplit.note_suppressed", k=5) in s.notes and label("timesplit.note_hidden") in s.notes
    svg = str(chart_svg(chart))
    assert "zu wenige Vorgänge" in svg and label("timesplit.hidden") in svg
    # results.json: the same case types lose their figures, the others keep them
    doc = results_document([a], compare_offices([a]), {}, now=NOW)
    rec = doc["offices"][0]["decomposition"]
    by_type = {(r["case_type"], r["part"]): r for r in rec}
    for ct in ("BLUE", "NE"):
        r = by_type[(ct, "gap_office")]
        assert r["suppressed"] and r["cases"] is None and r["mean_calendar_days"] is None
    kept = by_type[("AE_EMP", "gap_external")]
    assert not kept["suppressed"] and kept["cases"] == 6 and kept["mean_calendar_days"] == pytest.approx(14.0)
    assert by_type[("all", "work")]["cases"] == 13 and not by_type[("all", "work")]["suppressed"]


def test_case_types_like_the_whole_share_one_sentence() -> None:
    rows = (_cases("NE", NE_STEPS, 5, 0) + _cases("AE_EXT", NE_LONG_STEPS, 5, 5) + _cases("AE_EDU", NE_STEPS, 5, 10)
            + _cases("AE_FAM", NE_LONG_STEPS, 5, 15) + _cases("AE_EMP", EMP_STEPS, 6, 20))
    df = pd.DataFrame(rows)
    df["start"] = pd.to_datetime(df["start"], utc=True)
    s = timesplit_section(_analysis(canonical(df, office="ABH-T", sort=True)))
    # all: office gap (2·5·10 + 2·5·15 + 6·2,875)/26 = 267,25/26 of (2·5·21 + 2·5·26 + 6·19)/26 = 584/26 days;
    # AE_EMP's biggest part differs (BA, 14 of 19 days); the four others share the office gap, 10/21 and 15/26
    assert s.paragraphs == (
        "Über alle Vorgänge dauert ein Vorgang im Mittel 22\u00a0Tage, davon 10\u00a0Tage Warten und Bearbeitung bei der "
        "Behörde (46\u00a0%).",
        "Bei AE Erwerbstätigkeit dauert ein Vorgang im Mittel 19\u00a0Tage, davon 14\u00a0Tage Warten auf andere Stellen (74\u00a0%).",
        "Bei den übrigen 4 Verfahrensarten ist ebenfalls „Warten und Bearbeitung bei der Behörde“ der größte Teil "
        "(48\u00a0% bis 58\u00a0% der Laufzeit).",
    )


def test_group_hidden_hand_cases() -> None:
    assert group_hidden([10, 3, 8], 5).tolist() == [False, True, True]  # 3 < 5: add the smallest other (8)
    assert group_hidden([10, 3, 2], 5).tolist() == [False, True, True]  # hidden together 5 ≥ k: enough
    assert group_hidden([10, 2, 1, 6, 7], 5).tolist() == [False, True, True, True, False]  # 3 + 6 ≥ 5
    assert group_hidden([10, 6, 7], 5).tolist() == [False, False, False]  # nothing small, nothing hidden
    assert group_hidden([3], 5).tolist() == [True]
    assert group_hidden([0, 9], 5).tolist() == [False, False]  # no cases is no small group


def test_no_decomposition_no_section() -> None:
    a = _analysis(office_log())
    a.extra.pop("decomposition")
    assert timesplit_section(a) is None
    assert "timesplit" not in build.build_office_report(a, now=NOW).sections


@pytest.mark.skipif(not (PUBLIC_DATA / "receipt.csv").exists(), reason="public logs not available")
def test_generic_log_gets_the_section_without_immigration_words() -> None:
    log = from_pm4py(pd.read_csv(PUBLIC_DATA / "receipt.csv", low_memory=False), office="receipt")
    a = analyse_office(log, office="receipt", discover=False)
    r = build.build_office_report(a, now=NOW)
    assert r.generic
    s = r.sections["timesplit"]
    chart = s.charts[0]
    texts = [s.title, s.intro, *s.paragraphs, *s.notes, chart.title, *chart.x_labels, *(se.name for se in chart.series),
             *chart.table.columns, *(c.value for row in chart.table.rows for c in row if isinstance(c.value, str))]
    words = ("Behörde", "Antragstellend", "Bundesagentur", "Sicherheitsbehörd", "Bundesdruckerei", "Ausländer",
             "andere Stellen")
    found = [(w, t) for t in texts for w in words if w in t]
    assert not found, found
    assert s.paragraphs and s.paragraphs[0].startswith("Über alle Vorgänge dauert ein Vorgang im Mittel")
    assert {se.name for se in chart.series} & {"Warten zwischen den Schritten", "Warten und Bearbeitung"}
    # the parts shown add up to the mean elapsed time of every case (closed to its end, open to the log's end)
    from procmine.analyse.decomposition import elapsed_days

    total = sum(se.values[0] for se in chart.series)
    assert total == pytest.approx(float(np.mean(elapsed_days(log))), rel=1e-9)


def test_results_edges_carry_the_overlap_with_suppression() -> None:
    # 6 cases: B starts 1 hour before A ends (overlap; wait 0); 2 cases: C starts 30 min before A ends
    rows = []
    for i in range(8):
        t = D0 + pd.Timedelta(days=i)
        nxt = "B" if i < 6 else "C"
        lead = pd.Timedelta(hours=1) if i < 6 else pd.Timedelta(minutes=30)
        rows += [{"case_id": f"c{i}", "activity": "A", "start": t, "end": t + pd.Timedelta(hours=2)},
                 {"case_id": f"c{i}", "activity": nxt, "start": t + pd.Timedelta(hours=2) - lead, "end": t + pd.Timedelta(hours=3)}]
    log = canonical(pd.DataFrame(rows), office="ABH-O", sort=True)
    a = analyse_office(log, office="ABH-O", discover=False)
    doc = json.loads(json.dumps(results_document([a], compare_offices([a]), {}, now=NOW), default=str))
    edges = {(e["from"], e["to"]): e for e in doc["offices"][0]["process_map"]["edges"]}
    ab, ac = edges[("A", "B")], edges[("A", "C")]
    assert ab["count"] == 6 and ab["overlap_count"] == 6 and ab["mean_overlap_s"] == pytest.approx(3600.0)
    assert ab["mean_wait_s"] == 0.0 and not ab["suppressed"]
    # 2 < k transitions: count kept (counts add up), waits and overlap withheld
    assert ac["count"] == 2 and ac["suppressed"]
    assert ac["overlap_count"] is None and ac["mean_overlap_s"] is None and ac["mean_wait_s"] is None


def test_timesplit_section_golden() -> None:
    got = build.build_office_report(_analysis(office_log(blue=2)), now=NOW).sections["timesplit"]
    from dataclasses import asdict

    text = json.dumps(asdict(got), ensure_ascii=False, indent=1, sort_keys=True, default=str)
    path = GOLDEN / "timesplit_section.json"
    if UPDATE_GOLDEN:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    assert path.exists(), f"golden file {path} missing; PROCMINE_UPDATE_GOLDEN=1 writes it"
    assert text + "\n" == path.read_text(encoding="utf-8"), "section changed; PROCMINE_UPDATE_GOLDEN=1 to accept"
