"""Report polish: KPIs an export cannot measure say "nicht messbar"; English activity labels get German ones."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pandas as pd
import pytest

from procmine import schema
from procmine.analyse import analyse_office
from procmine.analyse.model import Finding
from procmine.compare import NO_REPEATS, compare_offices, export_limits
from procmine.ingest.raw import frame_from_columns, make_raw
from procmine.normalise import normalise
from procmine.profiles import get_profile
from procmine.report import build, write_reports
from procmine.report.render import process_map_svg, render_office_html

KEY = b"polish-test-key"
NOW_TS = pd.Timestamp("2026-01-01", tz="UTC")
NOW = pd.Timestamp("2026-01-15 10:30", tz="Europe/Berlin").to_pydatetime()
EVIL = "<script>alert(1)</script>"
EVIL_ESC = "&lt;script&gt;alert(1)&lt;/script&gt;"
T0 = pd.Timestamp("2024-03-04 09:00", tz="Europe/Berlin")


# --- logs ---------------------------------------------------------------------------------------


def _milestone_log(cases: int = 30):
    """A milestone export (one row per case, one date column per step) run through the real normaliser."""
    prof = get_profile("de_milestones_csv")
    cols: dict[str, list] = {
        "Vorgangsnr": [f"M{i}" for i in range(cases)],
        "Team": ["T1"] * cases,
        "Sachbearbeiter": [f"S{i % 5}" for i in range(cases)],
        "Vorgangsart": ["Verlängerung Aufenthaltserlaubnis"] * cases,
    }
    for col in prof.milestones:
        cols[col] = [None] * cases
    for i in range(cases):  # test data, not analysis code
        day = (T0 + pd.Timedelta(days=i)).strftime("%d.%m.%Y")
        cols["Eingang"][i] = f"{day} 09:00"
        cols["Vorsprache"][i] = (T0 + pd.Timedelta(days=i + 10)).strftime("%d.%m.%Y") + " 10:00"
        cols["Nachforderung"][i] = (T0 + pd.Timedelta(days=i + 12)).strftime("%d.%m.%Y") if i % 2 else None
        cols["Abschluss"][i] = (T0 + pd.Timedelta(days=i + 30)).strftime("%d.%m.%Y")
    raw = make_raw(frame_from_columns(cols), "ABH-M.csv")
    return normalise(raw, prof, key=KEY, now=NOW_TS, office="ABH-M").log


def _event_log(office: str, cases: int, repeat_every: int, extra: list[tuple[str, str | None]] = ()) -> pd.DataFrame:
    """A canonical event log with English (XES-style) labels and catalogue keys; every ``repeat_every``-th
    case asks for documents twice (a real repeat). ``extra``: (label, key) steps added to every case."""
    rows = []
    for i in range(cases):  # test data, not analysis code
        t = T0 + pd.Timedelta(days=i)
        steps = [("Application received", "application_received"), ("Documents requested", "documents_requested")]
        if i % repeat_every == repeat_every - 1:
            steps.append(("Documents requested", "documents_requested"))
        steps += [*extra, ("Case closed", "case_closed")]
        for j, (act, key) in enumerate(steps):
            s = t + pd.Timedelta(days=3 * j)
            rows.append((f"{office}-{i}", act, key, s, s + pd.Timedelta(hours=1), "Team A", f"r{i % 5}", "AE_EXT"))
    df = pd.DataFrame(rows, columns=["case_id", "activity", "activity_key", "start", "end", "team", "resource", "case_type"])
    df["start"] = pd.to_datetime(df["start"], utc=True)
    df["end"] = pd.to_datetime(df["end"], utc=True)
    df["precision"] = "minute"
    df["office"] = office
    df["event_seq"] = range(len(df))
    df["source_file"] = f"{office}.csv"
    df["source_row"] = range(2, len(df) + 2)
    return schema.sort_log(schema.conform(df))


@pytest.fixture(scope="module")
def milestone_network():
    """ABH-M (milestone export, no repeats possible), ABH-E1 (every 2nd case repeats), ABH-E2 (every 5th)."""
    logs = {"ABH-M": _milestone_log(), "ABH-E1": _event_log("ABH-E1", 30, 2), "ABH-E2": _event_log("ABH-E2", 30, 5)}
    analyses = [analyse_office(lg, office=name, discover=False) for name, lg in logs.items()]
    return analyses, compare_offices(analyses)


# --- task 1: not measurable ---------------------------------------------------------------------


def test_milestone_log_is_recognised_as_unable_to_show_repeats(milestone_network):
    analyses, _ = milestone_network
    m, e1, e2 = analyses
    # the milestone log: 30 cases, 4 or 5 steps each, never the same step twice
    assert m.cases == 30 and m.events == 30 * 3 + 15
    assert export_limits(m) == (NO_REPEATS, "no_start")
    assert export_limits(e1) == () and export_limits(e2) == ()
    # the analysis says so itself from the provenance: each milestone case's events share one source row
    assert m.repeats_visible is False and e1.repeats_visible is True and e2.repeats_visible is True
    # the analysis itself says 0 % rework for the milestone office: the number the report must not show
    assert m.kpis["rework_share"] == 0.0
    assert e1.kpis["rework_share"] == pytest.approx(15 / 30) and e2.kpis["rework_share"] == pytest.approx(6 / 30)


def test_comparison_leaves_unmeasurable_kpis_out_of_ranking(milestone_network):
    _, c = milestone_network
    assert c.not_measurable["rework_share"] == {"ABH-M": NO_REPEATS}
    assert math.isnan(c.kpis.loc["ABH-M", "rework_share"])
    assert c.kpis.loc["ABH-E2", "rework_share"] == pytest.approx(0.2)  # real repeats keep their number
    # without the fix ABH-M (0 %) would be best; now the lowest measured office is
    assert (c.best["rework_share"], c.worst["rework_share"]) == ("ABH-E2", "ABH-E1")
    # the network median covers only the two measured offices: (0.5 + 0.2) / 2
    assert c.medians["rework_share"] == pytest.approx(0.35)
    # a KPI the milestone export can measure stays in the ranking
    assert "cycle_time_median_days" not in c.not_measurable
    assert not math.isnan(c.kpis.loc["ABH-M", "cycle_time_median_days"])


def test_comparison_report_says_not_measurable(milestone_network):
    analyses, c = milestone_network
    report = build.build_comparison_report(c, analyses, now=NOW)
    defs = {k: (n, d, u) for k, n, d, u in build.load_kpi_definitions()}
    name = build.kpi_name("rework_share", defs)
    row = next(r for r in report.kpi_table.rows if r[0].value == name)
    offices = report.kpi_table.columns[1:]
    cells = dict(zip(offices, row[1:]))
    assert (cells["ABH-M"].kind, cells["ABH-M"].value, cells["ABH-M"].mark) == ("not_measurable", "nicht messbar", "")
    assert cells["ABH-M"].note == "Exportformat ohne Wiederholungen"
    assert (cells["ABH-E2"].kind, cells["ABH-E2"].value, cells["ABH-E2"].mark) == ("percent", pytest.approx(0.2), "best")
    assert cells["ABH-E1"].mark == "worst"
    assert any("nicht messbar" in n for n in report.notes)


def test_office_report_kpi_card_says_not_measurable(milestone_network):
    analyses, c = milestone_network
    m = build.build_office_report(analyses[0], None, c, now=NOW)
    card = next(k for k in m.kpis if k.key == "rework_share")
    assert (card.value.kind, card.value.value, card.mark) == ("not_measurable", "nicht messbar", "")
    e2 = build.build_office_report(analyses[2], None, c, now=NOW)
    card = next(k for k in e2.kpis if k.key == "rework_share")
    assert (card.value.kind, card.value.value, card.mark) == ("percent", pytest.approx(0.2), "best")
    # the rework section of the milestone office: repeat figures not measurable, first-time-right still measured
    rework = m.sections["rework_visits"].tables[0]
    values = {r[0].value: r[1] for r in rework.rows}
    assert values["Nacharbeitsquote"].kind == "not_measurable"
    assert values["Erstlösungsquote (keine Nachforderung)"].value == pytest.approx(0.5)  # 15 of 30 had no request


def test_results_json_and_html_mark_not_measurable(milestone_network, tmp_path):
    analyses, c = milestone_network
    paths = write_reports(analyses, c, {}, tmp_path / "out", now=NOW)
    doc = json.loads(paths.results_json.read_text(encoding="utf-8"))
    entry = doc["comparison"]["rework_share"]
    assert entry["values"]["ABH-M"] is None and entry["values"]["ABH-E2"] == pytest.approx(0.2)
    assert entry["not_measurable"] == {"ABH-M": "no_repeats"}
    assert (entry["best"], entry["worst"]) == ("ABH-E2", "ABH-E1")
    assert "not_measurable" not in doc["comparison"]["cycle_time_median_days"]  # measurable everywhere: 4 keys only
    offices = {o["office"]: o for o in doc["offices"]}
    assert offices["ABH-M"]["not_measurable"]["rework_share"] == "no_repeats"
    assert offices["ABH-M"]["kpis"]["rework_share"] is None
    assert offices["ABH-M"]["profile"]["rework"]["summary"]["rework_share"] is None
    assert offices["ABH-E1"]["not_measurable"] == {} and offices["ABH-E1"]["kpis"]["rework_share"] == pytest.approx(0.5)
    html = paths.comparison.read_text(encoding="utf-8")
    assert "nicht messbar" in html and "Exportformat ohne Wiederholungen" in html
    office_html = paths.office_reports["ABH-M"].read_text(encoding="utf-8")
    assert '<span class="not-measurable">nicht messbar</span>' in office_html


def test_analysis_flag_overrides_the_inference(milestone_network):
    analyses, _ = milestone_network
    m, e1, e2 = analyses
    # the analysis may say it from the source rows: its word counts, either way
    c = compare_offices([replace(m, repeats_visible=True), replace(e1, repeats_visible=False), e2])
    assert c.not_measurable["rework_share"] == {"ABH-E1": NO_REPEATS}
    assert c.best["rework_share"] == "ABH-M"  # declared able to show repeats, its 0 % counts


def test_few_cases_without_repeats_are_not_judged_unmeasurable():
    small = analyse_office(_event_log("ABH-S", 10, 1000), office="ABH-S", discover=False)  # no repeats, 10 cases
    assert small.kpis["rework_share"] == 0.0 and export_limits(small) == ()
    # an event log without repeats is still able to show them: one source row per event
    big = analyse_office(_event_log("ABH-B", 40, 1000), office="ABH-B", discover=False)
    assert big.repeats_visible is True and export_limits(big) == ()


# --- task 2: German labels for English exports --------------------------------------------------


@pytest.fixture(scope="module")
def english_office():
    """An XES-style office: English labels with catalogue keys, one unknown step, one with markup."""
    log = _event_log("ABH-X", 30, 3, extra=[("Coffee break", None), (EVIL, None)])
    a = analyse_office(log, office="ABH-X", discover=False)
    wait = Finding(kind="waiting", pattern="appointment_backlog", value=20.0, unit="days", impact=300.0, cases=30,
                   from_activity="Application received", to_activity="Documents requested",
                   from_key="application_received", to_key="documents_requested", norm=14.0, norm_basis="usual", rank=1)
    coffee = Finding(kind="waiting", pattern="waiting", value=3.0, unit="days", impact=90.0, cases=30,
                     from_activity="Coffee break", to_activity=EVIL, rank=2)
    return replace(a, findings=(wait, coffee))


def test_english_labels_show_the_german_catalogue_label(english_office):
    r = build.build_office_report(english_office, None, None, now=NOW)
    nodes = {n.label: n for n in r.process_map.nodes if n.kind == "activity"}
    assert nodes["Antrag/Anliegen eingegangen"].export_label == "Application received"
    assert nodes["Unterlagen nachgefordert"].export_label == "Documents requested"
    assert nodes["Coffee break"].export_label == "" and nodes[EVIL].export_label == ""  # no key: as in the export
    top = r.findings[0]
    assert top.text_de == (
        "Zwischen „Antrag/Anliegen eingegangen“ und „Unterlagen nachgefordert“ warten 30 Vorgänge länger als die "
        "Norm, im Mittel 20,0\u00a0Tage, die Norm beträgt 14,0\u00a0Tage (übliche Dauer)."
    )
    assert top.where == "„Antrag/Anliegen eingegangen“ → „Unterlagen nachgefordert“"  # no English glosses
    assert r.findings[1].where == f"„Coffee break“ → „{EVIL}“"
    # tables: the German label only (the export's own is kept in the model and results.json)
    waiting = r.sections["waiting"].tables[0]
    names = [row[0].value for row in waiting.rows]
    assert "Antrag/Anliegen eingegangen" in names and "Coffee break" in names and EVIL in names
    variant = r.sections["variants"].tables[0].rows[0][1].value
    assert variant.startswith("Antrag/Anliegen eingegangen → Unterlagen nachgefordert")


def test_english_labels_in_html_and_svg_are_escaped(english_office):
    r = build.build_office_report(english_office, None, None, now=NOW)
    html = render_office_html(r)
    assert "<script" not in html and EVIL_ESC in html
    main, appendix = html.split('<section id="methodik"', 1)
    assert "Antrag/Anliegen eingegangen" in main and "Application received" not in main
    # the appendix says which names stand for the export's English ones, so the office finds its steps again
    assert "<td class=\"\">Application received</td>\n<td class=\"\">Antrag/Anliegen eingegangen</td>" in appendix
    svg = str(process_map_svg(r.process_map))
    assert "Antrag/Anliegen eingegangen" in svg and "Application received" not in svg
    assert "<script" not in svg and EVIL_ESC in svg


def test_keyed_label_with_markup_is_escaped_in_tooltip_and_tables():
    log = _event_log("ABH-Y", 30, 3)
    log["activity"] = log["activity"].cat.rename_categories({"Case closed": EVIL})
    a = analyse_office(log, office="ABH-Y", discover=False)
    r = build.build_office_report(a, None, None, now=NOW)
    node = next(n for n in r.process_map.nodes if n.export_label == EVIL)  # markup is no name: the catalogue's
    assert node.label == "Vorgang abgeschlossen"
    html = render_office_html(r)
    assert "<script" not in html and "<script" not in str(process_map_svg(r.process_map))
    main, appendix = html.split('<section id="methodik"', 1)
    assert "Vorgang abgeschlossen" in main and EVIL_ESC not in main  # the German label stands for the export's
    assert EVIL_ESC in appendix  # the appendix's table of names lists it, escaped


def test_results_json_carries_the_german_label(english_office, tmp_path):
    rec = build.office_record(english_office, None)
    acts = {a["activity"]: a for a in rec["process_map"]["activities"]}
    assert acts["Application received"]["label_de"] == "Antrag/Anliegen eingegangen"
    assert acts["Coffee break"]["label_de"] is None
    assert rec["findings"][0]["from"] == "Application received"  # export labels stay as they are


def test_milestone_office_does_not_lower_the_network_norm_for_repeats():
    from procmine.analyse.findings import detect_network

    events = {"ABH-E1": _event_log("ABH-E1", 30, 2), "ABH-E2": _event_log("ABH-E2", 30, 5)}
    with_m = detect_network({"ABH-M": _milestone_log(), **events})
    without_m = detect_network(events)

    def repeats(found, office):
        return {(f.pattern, f.activity_key): f.norm for f in found[office] if f.unit == "per_case"}

    # E1 repeats documents in every 2nd case, E2 in every 5th: E1 has a document-loop finding, measured
    # against the event offices only; the milestone office (which cannot show repeats) changes nothing
    assert repeats(with_m, "ABH-E1") and repeats(with_m, "ABH-E1") == repeats(without_m, "ABH-E1")
    assert not [f for f in with_m["ABH-M"] if f.unit == "per_case"]


def test_missing_case_type_reads_as_such():
    assert build.case_type_label(None) == build.case_type_label(float("nan")) == "ohne Angabe der Verfahrensart"
    assert build.case_type_label("") == "ohne Angabe der Verfahrensart"
    assert build.case_type_label("XY-99") == "XY-99"  # an export's own code stays as it is


def test_map_box_label_keeps_its_lines_and_room_to_the_border():
    """A joined run of steps reads as three lines with the count on the last; every box leaves room around its text
    even in a font wider than the one dot measures with (DejaVu Sans, what Chromium shows on Linux): the text of
    a joined box touched its border."""
    import re

    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    from procmine.labels_de.report import label
    from procmine.report.render import _map_label

    name = label("map.merged", first="Antrag/Anliegen eingegangen", last="Termin vergeben", n=3)
    assert str(_map_label(name, "3.000×")).split("\\n") == [
        "Antrag/Anliegen eingegangen …", "Termin vergeben", "(3 Schritte nacheinander) · 3.000×"]
    log = _event_log("ABH-Z", 30, 3)
    r = build.build_office_report(analyse_office(log, office="ABH-Z", discover=False), None, None, now=NOW)
    svg = str(process_map_svg(r.process_map))
    font = FontProperties(family="DejaVu Sans")
    boxes = 0
    for node in re.findall(r'<g id="node\d+" class="node">(.*?)</g>', svg, flags=re.S):
        path = re.search(r'<path fill="#e8f0fa"[^>]*d="([^"]+)"', node)
        if not path:
            continue
        xs = [float(x) for x in re.findall(r"([-\d.]+),[-\d.]+", path.group(1))]
        lines = re.findall(r'font-size="([\d.]+)">([^<]+)</text>', node)
        widest = max(TextPath((0, 0), t.replace("&amp;", "&"), size=float(pt), prop=font).get_extents().width for pt, t in lines)
        assert max(xs) - min(xs) >= widest + 2 * 4, (lines, max(xs) - min(xs), widest)  # 4 pt each side at least
        boxes += 1
    assert boxes >= 3


def test_axis_ticks_read_as_they_are():
    """Tick labels in German format with the decimals the ticks need: never '2' for 1,5, never '0,0' five times."""
    import re

    from procmine.report.charts import chart_svg
    from procmine.report.model import Chart, ChartSeries

    def ticks(*values: float) -> list[str]:
        c = Chart("x", "t", tuple(str(i) for i in range(len(values))), (ChartSeries("a", values),), kind="hbars")
        return re.findall(r">([\d.,]+)</text>", str(chart_svg(c)))[:-len(values)]  # the value axis, not the rows

    assert ticks(5.76, 0.41) == ["0,0", "1,5", "3,0", "4,5", "6,0"]
    assert ticks(29.0, 14.0, 5.0) == ["0", "6", "12", "18", "24", "30"]
    assert ticks(3000.0, 12000.0) == ["0", "2.500", "5.000", "7.500", "10.000", "12.500"]
    small = ticks(0.0007, 0.0006)
    assert len(set(small)) == len(small) > 2


def test_a_day_valued_finding_chart_under_an_hour_reads_in_minutes() -> None:
    """A one-minute wait is drawn as 1 Minute, not as '0,0007 Tage'; a 3-day wait stays in days."""
    from procmine.analyse.model import Finding
    from procmine.report.figures import finding_chart

    def chart(value: float, norm: float) -> tuple[str, tuple]:
        f = Finding(kind="wait", pattern="ba_wait", value=value, unit="days", impact=1.0, cases=50, norm=norm, norm_basis="usual")
        c = finding_chart(f, "x", "days", None)
        assert c is not None
        return c.y_title, c.series[0].values

    title, values = chart(1 / 1440, 2 / 1440)
    assert title == "Minuten" and values == pytest.approx((1.0, 2.0))
    title, values = chart(0.25, 0.5)
    assert title == "Stunden" and values == pytest.approx((6.0, 12.0))
    title, values = chart(3.0, 2.0)
    assert title == "Tage" and values == pytest.approx((3.0, 2.0))
