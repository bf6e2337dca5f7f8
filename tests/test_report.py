"""Reports: German formatting, comparison, escaping, golden report model, results.json keys, suppression."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from procmine.compare import HIGHER, LOWER, compare_offices, kpi_direction
from procmine.labels_de import report as labels_de
from procmine.labels_de.report import LABELS, MEASURE_KEYS
from procmine.report import build, format_de, write_reports
from procmine.report.render import bpmn_svg, environment, process_map_svg

from conftest import BOLD, EVIL, NOW, network

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden"
UPDATE_GOLDEN = os.environ.get("PROCMINE_UPDATE_GOLDEN") == "1"
EVIL_ESC = "&lt;script&gt;alert(1)&lt;/script&gt;"
BOLD_ESC = "&lt;b&gt;x&lt;/b&gt;"


@pytest.fixture
def fixed_catalogues(monkeypatch):
    """Pin the optional inputs of other stages (KPI definitions, reason texts) so golden output is stable."""
    monkeypatch.setattr(
        build,
        "load_kpi_definitions",
        lambda: [("cycle_time_median_days", "Durchlaufzeit (Median)", "Median der Tage vom ersten bis zum letzten Schritt.", "days")],
    )
    monkeypatch.setattr(
        build,
        "_reason_dicts",
        lambda: ({"bad_timestamp": "Zeitstempel unlesbar"}, {"bad_timestamp": "Datumsformat TT.MM.JJJJ HH:MM prüfen."}),
    )


@pytest.fixture
def written(tmp_path, fixed_catalogues):
    analyses, qualities = network()
    comparison = compare_offices(analyses)
    paths = write_reports(analyses, comparison, qualities, tmp_path / "out", now=NOW)
    return paths, analyses, comparison


# --- format_de ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("func", "value", "expected"),
    [
        (format_de.fmt_number, 1234.5, "1.234,5"),
        (format_de.fmt_number, -0.04, "0,0"),
        (format_de.fmt_number, 1234567.891, "1.234.567,9"),
        (format_de.fmt_int, 12345, "12.345"),
        (format_de.fmt_int, None, "–"),
        (format_de.fmt_percent, 0.1234, "12,3\u00a0%"),
        (format_de.fmt_percent, 1.0, "100,0\u00a0%"),
        (format_de.fmt_date, "2024-12-31T12:00:00Z", "31.12.2024"),
        # 23:30 UTC on New Year's Eve is already 00:30 on 1 January in Berlin (UTC+1)
        (format_de.fmt_date, pd.Timestamp("2024-12-31 23:30", tz="UTC"), "01.01.2025"),
        (format_de.fmt_datetime, "2025-07-01T08:05:00+00:00", "01.07.2025, 10:05 Uhr"),  # summer time: UTC+2
        # 3 days 4 hours = 3*86400 + 4*3600 = 273600 s
        (format_de.fmt_duration, 273600, "3\u00a0Tage 4\u00a0Std."),  # number and unit never wrap apart
        (format_de.fmt_duration, 86400, "1\u00a0Tag"),
        (format_de.fmt_duration, 5400, "1\u00a0Std. 30\u00a0Min."),
        (format_de.fmt_duration, 90, "2\u00a0Min."),  # 1.5 min rounds to 2
        (format_de.fmt_duration, 20, "unter 1\u00a0Min."),
        (format_de.fmt_days, 12.5, "12,5\u00a0Tage"),
        (format_de.fmt_days, 1.0, "1,0\u00a0Tag"),
        (format_de.fmt_days, 0.5, "12\u00a0Std."),
        (format_de.fmt_days, float("nan"), "–"),
        (format_de.fmt_hours, 53.4, "53,4\u00a0Std."),
        (format_de.fmt_hours, 0.1, "6\u00a0Min."),  # 0.1 h = 6 min
        (lambda v: format_de.fmt_value(v, "per_case"), 0.284, "0,28 je\u00a0Vorgang"),  # wraps before "je" only
        (lambda v: format_de.fmt_value(v, "percent"), 83.14, "83,1\u00a0%"),
    ],
)
def test_german_formatting(func, value, expected):
    assert func(value) == expected


def test_formatters_are_jinja_filters():
    env = environment()
    assert env.autoescape is True
    out = env.from_string("{{ x|de_number }} · {{ d|de_date }} · {{ s|de_duration }}").render(
        x=1234.5, d="2024-12-31T10:00:00Z", s=273600
    )
    assert out == "1.234,5 · 31.12.2024 · 3\u00a0Tage 4\u00a0Std."


# --- compare ------------------------------------------------------------------------------------


def test_compare_marks_best_and_worst_with_direction():
    analyses, _ = network()
    c = compare_offices(analyses)
    # A: median 60, p90 120, over90 0.20; B: 30, 70, 0.05 -> lower is better, B best everywhere
    for key in ("cycle_time_median_days", "cycle_time_p90_days", "share_cases_over_90_days"):
        assert c.directions[key] == LOWER
        assert (c.best[key], c.worst[key]) == ("ABH-B", "ABH-A")
    assert c.best["cases"] is None  # a volume, not a quality
    assert c.kpis.loc["ABH-A", "cycle_time_p90_days"] == 120.0


def test_compare_only_case_types_every_office_has_enough_of():
    analyses, _ = network()
    c = compare_offices(analyses)
    # AE_EXT: A 40, B 30 -> compared; BLUE: A 3 (< 5), B 20 -> left out
    assert c.case_types == ("AE_EXT",)
    assert c.excluded_case_types == {"BLUE": {"ABH-A": 3, "ABH-B": 20}}
    assert set(c.by_case_type["case_type"]) == {"AE_EXT"}
    # AE_EXT median: A 55, B 28 -> B best; share over 90: A 0.15, B 0.0 -> B best
    assert c.best_by_case_type["AE_EXT"]["cycle_time_median_days"] == "ABH-B"
    assert c.worst_by_case_type["AE_EXT"]["share_cases_over_90_days"] == "ABH-A"
    assert c.top_findings["ABH-A"].pattern == "appointment_backlog"
    assert c.top_findings["ABH-B"] is None
    # with a lower bar of 3 cases, BLUE is fair game too
    assert compare_offices(analyses, min_cases=3).case_types == ("AE_EXT", "BLUE")


def test_kpi_directions():
    assert kpi_direction("cycle_time_median_days") == LOWER
    assert kpi_direction("ba_deemed_share") == HIGHER
    assert kpi_direction("cases_closed") is None


def test_compare_ties_mark_nobody():
    analyses, _ = network()
    from dataclasses import replace

    same = [replace(a, kpis={**a.kpis, "cycle_time_median_days": 10.0}) for a in analyses]
    c = compare_offices(same)
    assert c.best["cycle_time_median_days"] is None and c.worst["cycle_time_median_days"] is None


# --- escaping -----------------------------------------------------------------------------------


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", html, flags=re.S)


def test_markup_in_activity_names_is_escaped_everywhere(written):
    paths, _, _ = written
    office_html = paths.office_reports["ABH-A"].read_text(encoding="utf-8")
    comparison_html = paths.comparison.read_text(encoding="utf-8")
    for html in (office_html, comparison_html):
        assert "<script" not in html  # no script element at all, ours or injected
        assert BOLD not in html
    # the office report names them (escaped); the comparison page names keyed steps by the catalogue, as markup is no name
    assert EVIL_ESC in office_html and BOLD_ESC in office_html
    svgs = _svgs(office_html)
    maps = [x for x in svgs if 'class="graph-svg"' in x]
    assert maps, "process map SVG is inlined"
    assert EVIL_ESC in maps[0] and BOLD_ESC in maps[0]
    for svg in svgs:  # graphviz maps and matplotlib charts alike
        assert "<script" not in svg and "<b>" not in svg and "<i>" not in svg


def test_bpmn_labels_are_escaped():
    from procmine.report.model import BpmnModel, BpmnNode

    model = BpmnModel(
        (BpmnNode("b0", "start"), BpmnNode("b1", "task", EVIL), BpmnNode("b2", "xor"), BpmnNode("b3", "task", BOLD + "\\l"), BpmnNode("b4", "end")),
        (("b0", "b1"), ("b1", "b2"), ("b2", "b3"), ("b3", "b4")),
    )
    svg = str(bpmn_svg(model))
    assert EVIL_ESC in svg and BOLD_ESC + "\\l" in svg  # the backslash stays literal text
    assert "<script" not in svg and "<b>" not in svg


def test_bpmn_from_pm4py_model():
    pm4py = pytest.importorskip("pm4py")
    df = pd.DataFrame(
        {
            "case:concept:name": ["1", "1", "2", "2", "3", "3"],
            "concept:name": [EVIL, BOLD, EVIL, BOLD, EVIL, "Entscheidung"],
            "time:timestamp": pd.to_datetime(["2024-01-01 08:00", "2024-01-02 08:00"] * 3, utc=True),
        }
    )
    model = build.build_bpmn(pm4py.discover_bpmn_inductive(df))
    assert model is not None
    tasks = sorted(n.label for n in model.nodes if n.kind == "task")
    assert tasks == sorted([EVIL, BOLD, "Entscheidung"])
    assert {n.kind for n in model.nodes} >= {"start", "end", "xor"}
    svg = str(bpmn_svg(model))
    assert EVIL_ESC in svg and "<script" not in svg


def test_bpmn_drawing_does_not_depend_on_pm4py_node_order():
    """pm4py keeps a BPMN graph's nodes in a set, whose order changes from run to run; the nodes and flows
    handed to the drawing (and so the picture) must not. Gateways have no names: only the graph orders them."""
    pm4py = pytest.importorskip("pm4py")
    import random

    rows = []
    for i, path in enumerate(["ABCE", "ACBE", "ADE", "ABCE", "ACBE", "AFE", "ADDE"] * 3):
        for j, step in enumerate(path):
            rows.append((str(i), f"Schritt {step}", pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(hours=i * 24 + j)))
    df = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"])
    graph = pm4py.discover_bpmn_inductive(df)
    nodes, flows = list(graph.get_nodes()), list(graph.get_flows())
    assert sum(1 for n in nodes if not n.get_name()) >= 4  # start, end and unnamed gateways

    class Shuffled:
        """The same graph as another run of pm4py gives it: new random node ids, nodes in another order."""

        def __init__(self, seed: int) -> None:
            rng = random.Random(seed)
            for n in nodes:
                n._BPMNNode__id = f"id{rng.getrandbits(64):016x}"  # pm4py: "id" + uuid4
            self.nodes, self.flows = nodes[:], flows[:]
            rng.shuffle(self.nodes)
            rng.shuffle(self.flows)

        def get_nodes(self):
            return self.nodes

        def get_flows(self):
            return self.flows

    models = [build.build_bpmn(Shuffled(seed)) for seed in range(6)]
    assert all(m == models[0] for m in models[1:])
    assert str(bpmn_svg(models[0])) == str(bpmn_svg(models[3]))


# --- the report model ---------------------------------------------------------------------------


def test_report_model_golden(fixed_catalogues):
    analyses, qualities = network()
    c = compare_offices(analyses)
    got = {
        "office": build.build_office_report(analyses[0], qualities["ABH-A"], c, now=NOW).to_dict(),
        "comparison": build.build_comparison_report(c, analyses, now=NOW).to_dict(),
    }
    text = json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True, default=str)
    path = GOLDEN / "report_model.json"
    if UPDATE_GOLDEN:  # the only way a golden file is written: review the diff before committing it
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    assert path.exists(), f"golden file {path} missing; PROCMINE_UPDATE_GOLDEN=1 writes it"
    assert text + "\n" == path.read_text(encoding="utf-8"), "report model changed; PROCMINE_UPDATE_GOLDEN=1 to accept"


def test_report_model_content(fixed_catalogues):
    analyses, qualities = network()
    c = compare_offices(analyses)
    r = build.build_office_report(analyses[0], qualities["ABH-A"], c, now=NOW)
    assert r.period == "01.01.2024 bis 31.12.2024"
    assert [f.rank for f in r.findings] == [1, 2, 3]
    assert r.top_findings[0].text_de == (
        "Zwischen „Terminanfrage gestellt“ und „Termin vergeben“ warten 40 Vorgänge länger als die Norm, im Mittel "
        "42,0\u00a0Tage, die Norm beträgt 14,0\u00a0Tage (übliche Dauer)."  # catalogue keys: German labels
    )
    # the network median comes from the comparison's table only (compare.medians); this hand-made network
    # measures no wait between the two steps there, so none is shown (the finding's own evidence is not read)
    assert r.top_findings[0].comparison == "Norm: 14,0\u00a0Tage (übliche Dauer)"
    assert r.top_findings[0].measures == (LABELS["measure.appointment_steering"],)
    ba = r.findings[2]
    assert ba.external and ba.shared and ba.kind_label == "Wartezeit"
    # no measures given -> the pattern's defaults (ba_wait: deemed consent, escalate)
    assert ba.measures == (LABELS["measure.apply_deemed_consent"], LABELS["measure.escalate_external"])
    kpis = {k.key: k for k in r.kpis}
    assert kpis["cycle_time_median_days"].value.value == 60.0 and kpis["cycle_time_median_days"].mark == "worst"
    # process map: edges 48, 48, 2 of 98 transitions; cumulative share before each: 0, .49, .98 -> first two shown
    assert (r.process_map.shown_edges, r.process_map.total_edges) == (2, 3)
    assert r.process_map.coverage == pytest.approx(96 / 98)


# --- suppression --------------------------------------------------------------------------------


def test_small_groups_are_suppressed(fixed_catalogues):
    analyses, qualities = network()
    c = compare_offices(analyses)
    r = build.build_office_report(analyses[0], qualities["ABH-A"], c, now=NOW)
    team = r.findings[1]  # 3 cases < 5
    assert team.extent.kind == "suppressed" and team.extent.value == 5
    assert team.where == "Team A-K"
    assert "weniger als 5" in team.text_de and "50,0" not in team.text_de
    variants = r.sections["variants"].tables[0]
    assert variants.rows[1][2].kind == "suppressed"  # the variant with 2 cases
    assert variants.rows[1][3].kind == "suppressed"  # and its share (else the count could be recomputed)
    cycle = {row[0].value: row for row in r.sections["cycle_times"].tables[0].rows}
    blue = cycle["Blaue Karte EU"]  # 3 cases in ABH-A
    assert all(cell.kind == "suppressed" for cell in blue[1:])
    assert cycle["Verlängerung Aufenthaltserlaubnis"][2].value == 55.0


def test_suppression_and_no_resource_ids_in_outputs(written):
    paths, _, _ = written
    html = paths.office_reports["ABH-A"].read_text(encoding="utf-8")
    assert "&lt; 5" in html
    doc = json.loads(paths.results_json.read_text(encoding="utf-8"))
    a = doc["offices"][0]
    team = a["findings"][1]
    assert team["suppressed"] is True and team["value"] is None and team["cases"] is None
    assert a["variants"][1] == {"variant": f"{EVIL} → Entscheidung", "count": None, "share": None, "suppressed": True}
    blue = next(r for r in a["kpis_by_case_type"] if r["case_type"] == "BLUE")
    assert blue["suppressed"] is True and "cycle_time_median_days" not in blue
    everything = html + paths.results_json.read_text(encoding="utf-8") + paths.comparison.read_text(encoding="utf-8")
    assert "resource_ids" not in everything and '"r1"' not in everything


# --- results.json -------------------------------------------------------------------------------


def test_results_json_schema_keys(written):
    paths, _, _ = written
    doc = json.loads(paths.results_json.read_text(encoding="utf-8"))
    assert doc["schema_version"] == 1
    assert doc["generated_at"] == "2026-01-15T10:30:00+01:00"
    assert [o["office"] for o in doc["offices"]] == ["ABH-A", "ABH-B"]
    a = doc["offices"][0]
    assert {"office", "cases", "events", "quality", "findings", "kpis", "process_map"} <= set(a)
    assert (a["cases"], a["events"]) == (50, 150)
    assert a["quality"]["rows_read"] == 160 and a["quality"]["by_reason"] == {"bad_timestamp": 7, "missing_case_id": 3}
    assert set(a["kpis"]) >= {"cycle_time_median_days", "cycle_time_p90_days", "share_cases_over_90_days"}
    f = a["findings"][0]
    assert {"rank", "kind", "activity", "from", "to", "value", "unit", "text_de"} <= set(f)
    assert (f["rank"], f["kind"], f["from"], f["to"], f["value"], f["unit"]) == (1, "waiting", EVIL, BOLD, 42.0, "days")
    assert f["measures"] == ["appointment_steering"]
    # all directly-follows pairs, before display filtering (the map shows 2 of these 3)
    edges = a["process_map"]["edges"]
    assert len(edges) == 3 and sum(e["count"] for e in edges) == 98
    assert set(edges[0]) == {"from", "to", "count", "mean_wait_s", "median_wait_s", "overlap_count", "mean_overlap_s", "suppressed"}
    assert edges[1]["median_wait_s"] == 9 * 86400.0
    cmp_ = doc["comparison"]["cycle_time_median_days"]
    assert cmp_ == {"direction": "lower", "values": {"ABH-A": 60.0, "ABH-B": 30.0}, "best": "ABH-B", "worst": "ABH-A"}
    assert doc["comparison_by_case_type"]["case_types"] == ["AE_EXT"]
    assert doc["offices"][1]["quality"]["by_reason"] == {}


def test_results_keys_are_documented():
    doc = (REPO / "docs" / "results.md").read_text(encoding="utf-8")
    analyses, qualities = network()
    results = build.build_results(analyses, compare_offices(analyses), qualities, now=NOW)

    def keys(x, prefix=""):
        if isinstance(x, dict):
            for k, v in x.items():
                if prefix.endswith(("values", "by_reason", "flags", "start_activities", "end_activities", "evidence", "kpis_by_ct")):
                    continue
                yield k
                yield from keys(v, k)
        elif isinstance(x, list):
            for v in x:
                yield from keys(v, prefix)

    dynamic = set(results["comparison"]) | set(results["comparison_by_case_type"]["kpis"]) | {"ABH-A", "ABH-B", "BLUE"}
    missing = sorted({k for k in keys(results) if k not in dynamic and f"`{k}`" not in doc})
    assert not missing, f"undocumented results.json keys: {missing}"


# --- the label catalogue ------------------------------------------------------------------------


def test_every_label_key_used_exists():
    src = REPO / "procmine" / "report"
    used = set()
    for tpl in (src / "templates").glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']\s*[,)]""", tpl.read_text(encoding="utf-8")))
    for py in src.glob("*.py"):
        used |= set(re.findall(r"""\blabel\(\s*["']([\w.]+)["']\s*[,)]""", py.read_text(encoding="utf-8")))
    assert used, "no keys found: the regex is wrong"
    assert not sorted(used - set(LABELS))


def test_every_measure_has_a_german_recommendation():
    for key in MEASURE_KEYS:
        text = labels_de.label(f"measure.{key}")
        assert len(text) > 40 and text.endswith(".")
    from procmine.analyse.detectors import registry

    for spec in registry.patterns().values():
        assert set(spec.measures) <= set(MEASURE_KEYS)


def test_process_map_svg_has_counts_and_waits():
    analyses, _ = network()
    from procmine.report.mapview import build_process_map

    pm = build_process_map(analyses[1])  # B: 40 cases -> edges 38, 38, 2
    svg = str(process_map_svg(pm))
    assert "38×" in svg and "2\u00a0Tage" in svg and "9\u00a0Tage" in svg  # median waits 2 d and 9 d
    assert "Beginn" in svg and "Ende" in svg
    # the numbers behind the picture: one row per drawn transition between boxes, the most frequent first
    assert pm.table is not None and [c.value for c in pm.table.rows[0][2:]] == [38, 2 * 86400.0]
    drawn = {(e.source, e.target) for e in pm.edges if e.source.startswith("a") and e.target.startswith("a")}
    assert len(pm.table.rows) == len(drawn) and [r[2].value for r in pm.table.rows] == [38, 38]


def test_ties_at_the_best_value_are_all_marked(fixed_catalogues):
    from dataclasses import replace

    analyses, _ = network()
    third = replace(analyses[1], office="ABH-C")  # same KPIs as B: B and C tie for best everywhere
    c = compare_offices([*analyses, third])
    assert c.best["cycle_time_median_days"] == "ABH-B"  # results.json names the first in order
    table = build.build_comparison_report(c, [*analyses, third], now=NOW).kpi_table
    median = next(row for row in table.rows if row[0].value == "Durchlaufzeit (Median)")
    assert [cell.mark for cell in median[1:-1]] == ["worst", "best", "best"]
    assert median[-1].value == 30.0 and median[-1].mark == ""  # Netzwerk-Median of 60, 30, 30: never marked


def test_deadline_finding_norm_in_days_and_evidence_units():
    from procmine.analyse.model import Finding

    f = Finding(
        kind="deadline", pattern="priority_starvation", value=0.735, unit="share", impact=410.0, cases=25,
        case_type="AE_FAM", norm=90.0, norm_basis="legal",
        evidence={"norm_days": 90, "share_over_90_days": 0.7, "cases_over_90_days": 25, "median_days": 95.5},
    )
    item = build.finding_item(f, 3)
    # the norm is the 90-day deadline, not 9.000 %; the value is a share of cases
    assert item.comparison == "Norm: 90,0\u00a0Tage (gesetzliche Frist)"
    assert item.extent.kind == "percent" and item.extent.value == 0.735
    assert "Anteil über 90 Tage: 70,0\u00a0%" in item.evidence and "Vorgänge über 90 Tage: 25" in item.evidence
    assert "Median: 95,5\u00a0Tage" in item.evidence
    assert item.text_de == (
        "73,5\u00a0% der Vorgänge der Verfahrensart „Ersterteilung AE familiäre Gründe“ dauern länger als drei Monate "
        "oder sind schon so lange offen; betroffen sind 25 Vorgänge."
    )


def test_no_label_key_is_unused():
    """Keys outside the looked-up-by-pattern families (kind.*, pattern.*, measure.*, kpi.*, …) must be used literally."""
    src = REPO / "procmine" / "report"
    files = [*src.glob("*.py"), *(src / "templates").glob("*.html")]  # the labels themselves live in procmine/labels_de/
    text = "".join(p.read_text(encoding="utf-8") for p in files)
    dynamic = ("kind.", "pattern.", "measure.", "measure_short.", "kpi.", "norm_basis.", "evidence_key.", "flag.", "text.", "unit.", "qnote.", "failed.",
               "next.", "method.", "map.level.")
    unused = [k for k in LABELS if not k.startswith(dynamic) and f'"{k}"' not in text and f"'{k}'" not in text]
    assert not unused


# --- issue-5 profile sections -------------------------------------------------------------------

PROFILE_SECTIONS = ("Warten und Bearbeiten", "Rückstand und Warteschlangen", "Nacharbeit und Vorsprachen",
                    "Externe Wartezeiten", "Fristen", "Teams und Personalbedarf")


def _profile_log(with_start: bool = True) -> pd.DataFrame:
    """Ten cases over ten weeks, markup in an activity label and the team name, five staff ids in the team."""
    from procmine import schema

    rows = []
    for i in range(10):  # test data, not analysis code
        t0 = pd.Timestamp("2024-03-04 09:00", tz="Europe/Berlin") + pd.Timedelta(weeks=i)
        steps = [
            ("Antrag eingegangen", "application_received", t0, t0),
            (EVIL, "ba_consent_requested", t0 + pd.Timedelta(hours=1), t0 + pd.Timedelta(hours=2)),
            ("Zustimmung BA erteilt", "ba_consent_granted", t0 + pd.Timedelta(days=21), t0 + pd.Timedelta(days=21)),
        ]
        if i < 6:
            steps.append(("Vorgang abgeschlossen", "case_closed", t0 + pd.Timedelta(days=22), t0 + pd.Timedelta(days=22, hours=1)))
        for act, key, s, e in steps:
            rows.append((f"c{i}", act, key, s, e, BOLD, f"r{i % 5}", "AE_EMP"))
    df = pd.DataFrame(rows, columns=["case_id", "activity", "activity_key", "start", "end", "team", "resource", "case_type"])
    df["start"] = pd.to_datetime(df["start"], utc=True) if with_start else pd.NaT
    df["end"] = pd.to_datetime(df["end"], utc=True)
    df["precision"] = "minute"
    df["office"] = "ABH-X"
    df["event_seq"] = range(len(df))
    df["source_file"] = "x.csv"
    df["source_row"] = range(2, len(df) + 2)
    return schema.sort_log(schema.conform(df))


@pytest.fixture
def profile_written(tmp_path):
    from dataclasses import replace

    from procmine.analyse import analyse_office
    from procmine.analyse.model import Finding

    a = analyse_office(_profile_log(), office="ABH-X", discover=False)
    ba = Finding(kind="waiting", pattern="ba_wait", value=21.0, unit="days", impact=70.0, cases=10, external=True,
                 from_activity=EVIL, to_activity="Zustimmung BA erteilt", norm=14.0, norm_basis="legal", rank=1)
    b = analyse_office(_profile_log(with_start=False), office="ABH-Y", discover=False)
    analyses = [replace(a, findings=(ba,)), b]
    paths = write_reports(analyses, compare_offices(analyses), {}, tmp_path / "out", now=NOW)
    return paths, analyses


def test_diagnosis_sections_in_office_report(profile_written):
    paths, _ = profile_written
    html = paths.office_reports["ABH-X"].read_text(encoding="utf-8")
    positions = [html.index(f"<h2>{title}</h2>") for title in PROFILE_SECTIONS]
    assert positions == sorted(positions) and html.index("<h2>Engpässe</h2>") < positions[0]
    assert html.index("<h2>Varianten</h2>") < positions[0] < positions[-1] < html.index("<h2>Datenqualität</h2>")
    assert 'id="rueckstand-grafik"' in html and 'class="chart-svg"' in html  # the weekly chart (matplotlib SVG)
    assert "Kalenderzeit" in html and "Arbeitsstunden" in html
    # 10 BA waits of 21 days over the 14-day norm; none deemed -> the deemed-consent sentence
    assert "Zustimmung der Bundesagentur für Arbeit" in html and "obwohl die Zustimmung schon als erteilt galt" in html
    # the finding links to the section with its evidence
    assert '<a href="#externe-wartezeiten">Alle Zahlen dazu: Abschnitt „Externe Wartezeiten“</a>' in html
    # KGSt: the need only; staff ids are not posts, so no gap or surplus from counted ids
    assert "Rechnerischer Personalbedarf" in html and "kein Maß" in html
    assert "Vollzeitstellen mehr vorhanden" not in html and "Rechnerisch fehlen" not in html
    # completion-only office: says service time is not in the data
    other = paths.office_reports["ABH-Y"].read_text(encoding="utf-8")
    assert "Die Bearbeitungszeit ist in den Daten nicht enthalten" in other


def test_diagnosis_sections_escape_data_borne_text(profile_written):
    paths, _ = profile_written
    html = paths.office_reports["ABH-X"].read_text(encoding="utf-8")
    assert "<script" not in html and BOLD not in html
    waiting = html[html.index('<section id="warten-und-bearbeiten"'):html.index('<section id="rueckstand"')]
    assert "<script" not in waiting and EVIL_ESC not in waiting  # the step has a catalogue key: its German label is shown
    assert EVIL_ESC in html  # the finding names the export's own label (it has no key), escaped
    teams = html[html.index('<section id="teams-und-personalbedarf"'):html.index('<section id="datenqualitaet"')]
    assert BOLD_ESC in teams  # the team name, escaped in the team table
    chart = _svgs(html[html.index('<section id="rueckstand"'):])[0]
    assert "<script" not in chart and "Bestand (offene Vorgänge)" in chart


def test_chart_svg_escapes_names_and_is_accessible_and_stable():
    from procmine.report.charts import chart_svg
    from procmine.report.model import Chart, ChartSeries

    chart = Chart("k", EVIL, ("01.01.2024", BOLD, "15.01.2024"),
                  (ChartSeries(BOLD + " $x$", (0.0, None, 228.0)), ChartSeries("B", (1.0, 2.0, 3.0), panel=1)),
                  y_title="Vorgänge")
    svg = str(chart_svg(chart))
    assert EVIL_ESC in svg and BOLD_ESC in svg and "<b>" not in svg and "<script" not in svg
    assert "$x$" in svg  # no mathtext: dollar signs in data stay text
    assert 'role="img"' in svg and f"<title>{EVIL_ESC}</title>" in svg and "aria-label=" in svg
    assert ">1.200<" not in svg and ">200<" in svg  # German axis ticks (no thousands reached), text kept as text
    assert svg == str(chart_svg(chart))  # same chart, same bytes (no dates, fixed ids)
    bars = str(chart_svg(Chart("b", "T", ("A", "B"), (ChartSeries("x", (1.5, 2.5)),), kind="hbars", y_title="Tage")))
    assert "1,5" in bars or "2,0" in bars  # decimal comma on the axis


def test_profile_results_keys_documented_and_suppressed(profile_written):
    paths, analyses = profile_written
    doc = (REPO / "docs" / "results.md").read_text(encoding="utf-8")
    res = json.loads(paths.results_json.read_text(encoding="utf-8"))
    prof = res["offices"][0]["profile"]
    assert prof["external"]["ba_consent"]["deemed_not_applied"] == 10
    # requested at t0 + 2 h, granted at t0 + 21 d: 21 d - 2 h each, 14-day norm -> 10 x (7 d - 2 h)
    assert prof["external"]["ba_consent"]["excess_days_not_applied"] == pytest.approx(10 * (7 - 2 / 24))
    assert prof["deadlines"]["inaction"]["open_cases"] == 4
    assert prof["staffing"]["actual_fte_is_estimate"] is True and prof["staffing"]["actual_fte"] == 5.0
    assert res["offices"][1]["profile"]["time_basis"] == "completion_only"

    def keys(x, parent=""):
        if isinstance(x, dict):
            for k, v in x.items():
                if parent in ("touch_minutes", "unavailable"):  # case-type codes / section names
                    continue
                yield k
                yield from keys(v, k)
        elif isinstance(x, list):
            for v in x:
                yield from keys(v, parent)

    missing = sorted({k for k in keys(prof) if f"`{k}`" not in doc})
    assert not missing, f"undocumented results.json profile keys: {missing}"


def test_receipt_report_says_what_is_not_available(tmp_path):
    from report_fixtures import receipt_log

    from procmine.analyse import analyse_office

    _, log = receipt_log()
    a = analyse_office(log, office="receipt", discover=False)
    report = build.build_office_report(a, None, None, now=NOW)
    # not an immigration log: the generic report, without the sections only the catalogue fills
    assert report.generic and "external" not in report.sections and "deadlines" not in report.sections
    assert any(n.startswith("nicht verfügbar:") for n in report.sections["rework_visits"].notes)
    assert any(n.startswith("nicht verfügbar:") for n in report.sections["teams"].notes)
    html = write_reports([a], compare_offices([a]), {}, tmp_path / "r", now=NOW).office_reports["receipt"].read_text(encoding="utf-8")
    assert "nicht verfügbar: Der Export ordnet die Tätigkeiten keinem Katalogschritt zu" in html
    for word in ("§ 75", "§ 81a", "Fiktion", "Untätigkeitsklage", "Ausländerbehörde", "Netzwerk-Median", "BA-Anfrage"):
        assert word not in html, word
    for f in report.findings:  # only measures that fit: no document checklist, deemed consent or eAT by post
        assert not {"Checklisten", "Zustimmungsfiktion", "eAT"} & set(" ".join(f.measures).split()), f.measures
    json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))  # strict JSON, no NaN


def test_profile_group_rows_under_k_are_suppressed():
    from procmine.report.diagnosis_sections import _records

    df = pd.DataFrame({"team": ["Team A", "Team B"], "cases": [12, 3], "repeat_share": [0.25, 1.0]})
    rec = _records(df, "cases", 5, ("team",))
    assert rec[0] == {"team": "Team A", "cases": 12, "repeat_share": 0.25, "suppressed": False}
    assert rec[1] == {"team": "Team B", "cases": None, "suppressed": True}  # 3 < 5: no share that could be traced back


def test_every_reading_note_has_a_german_label():
    """Each notes key the readers and the normaliser count is named in the report's catalogue (qnote.*)."""
    import re

    src = "".join(p.read_text(encoding="utf-8") for p in (REPO / "procmine").rglob("*.py"))
    keys = set(re.findall(r'notes\["([a-z_]+)"\]', src))
    assert keys and "dst_ambiguous_resolved" in keys
    assert not [k for k in keys if f"qnote.{k}" not in LABELS]


# --- workshop report: language, privacy, single office, print size of the map ------------------------

# English words an XES export or a careless template brings in; none belongs in a German report's main text
ENGLISH_WORDS = ("received", "requested", "scheduled", "closed", "granted", "application", "appointment", "documents",
                 "decision", "inquiry", "waiting", "backlog", "rework", "throughput", "the", "and", "of", "with", "case",
                 "cases", "activity", "team shortage", "finding")
JARGON = ("P90", "Perzentil", "Little", "Herfindahl", "Quarantäne", "VZÄ", "results.json", "Inductive Miner", "BPMN")
RAW_CODE = re.compile(r"\b[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+\b|\b[a-z]+(?:_[a-z]+)+\b")  # TERMIN_VERGABE, documents_requested


def _main_text(html: str) -> str:
    """The text a reader sees before the appendix (Methodik), without markup, SVG titles or CSS."""
    body = html[html.index("<main>"):html.index('<section id="methodik"')]
    body = re.sub(r"<style.*?</style>|<title>.*?</title>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.fixture(scope="module")
def english_written(tmp_path_factory):
    from report_fixtures import english_network

    analyses = english_network()
    out = tmp_path_factory.mktemp("english")
    return write_reports(analyses, compare_offices(analyses), {}, out, now=NOW), analyses, out


def test_language_german_without_english_words_jargon_or_raw_codes(english_written):
    paths, analyses, _ = english_written
    for office in (a.office for a in analyses):
        text = _main_text(paths.office_reports[office].read_text(encoding="utf-8"))
        words = set(re.findall(r"[A-Za-zÄÖÜäöüß]+", text.lower()))
        assert not [w for w in ENGLISH_WORDS if (w in words if " " not in w else w in text.lower())], office
        assert not [j for j in JARGON if j in text], office
        assert not RAW_CODE.findall(text), RAW_CODE.findall(text)[:5]
        assert "Auf einen Blick" in text and "Engpass 1:" in text


def test_the_language_test_catches_what_it_is_for():
    """The checks above fail on an English gloss, on jargon and on a raw code label."""
    sample = "<main><p>Termin vergeben (Appointment scheduled), P90 und TERMIN_VERGABE</p><section id=\"methodik\"></section>"
    text = _main_text(sample)
    assert "scheduled" in set(re.findall(r"[a-z]+", text.lower())) and "P90" in text and RAW_CODE.findall(text)


def test_no_case_id_staff_id_or_personal_value_in_any_report_file(english_written):
    _, analyses, out = english_written
    from report_fixtures import english_log

    ids = set()
    for a in analyses:
        log = english_log(a.office)
        ids |= set(log["case_id"].astype(str)) | set(log["resource"].astype(str))
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == "bericht.html" for p in files) and any(p.name == "results.json" for p in files)
    for p in files:
        text = p.read_text(encoding="utf-8", errors="replace")
        found = [i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)]
        assert not found, (p.name, found[:3])


def test_single_office_is_not_compared_with_a_network(tmp_path):
    from report_fixtures import english_log

    from procmine.analyse import analyse_network

    analyses = analyse_network({"ABH-S": english_log("ABH-S", slow=2.0)})
    paths = write_reports(analyses, compare_offices(analyses), {}, tmp_path, now=NOW)
    html = paths.office_reports["ABH-S"].read_text(encoding="utf-8")
    for word in ("Netzwerk-Median", "übrige Dienststellen", "Median aller Dienststellen", "bester Wert", "schwächster Wert"):
        assert word not in _main_text(html), word


def test_page_one_says_what_works_well_when_nothing_big_is_wrong(english_written):
    from dataclasses import replace

    paths, analyses, _ = english_written
    calm = [replace(a, findings=tuple(replace(f, high_impact=False) for f in a.findings)) for a in analyses]
    c = compare_offices(calm)
    fast = build.build_office_report(calm[1], None, c, now=NOW, network=calm)  # ABH-F: the faster office
    assert fast.glance.losses == () and fast.glance.measures == ()
    assert fast.glance.verdict.startswith("Nichts Großes läuft schief")
    # page 1 reads the analysis' strengths (extra["strengths"]), with the comparison's network medians
    strengths = calm[1].extra["strengths"]
    assert strengths and len(fast.glance.strengths) == len(strengths)
    assert fast.glance.strengths[0] == "Anteil der Vorgänge über drei Monate 0,0\u00a0% (Netzwerk-Median 8,1\u00a0%)"
    # the median elapsed days are the comparison's median cycle time: the one number the comparison page shows too
    assert [s for s in fast.glance.strengths if s.startswith("Laufzeit")] == [
        f"Laufzeit im Median 38,0\u00a0Tage (Netzwerk-Median {format_de.fmt_days(c.medians['cycle_time_median_days'])})"]
    slow = build.build_office_report(analyses[0], None, compare_offices(analyses), now=NOW, network=analyses)
    assert len(slow.glance.losses) >= 1 and slow.glance.verdict.startswith("Der größte Verlust")
    measures = [m for m, _ in slow.glance.measures]
    assert len(measures) == len(set(measures))  # each measure once


def test_process_map_levels_main_path_no_orphans_and_print_size():
    from report_fixtures import english_network

    from procmine.report.mapview import process_map_levels

    a = english_network()[0]
    levels = process_map_levels(a, 5, build.office_display_names(a))
    assert levels and levels[0].level == "simple"
    m = levels[0]
    nxt = {e.source: e.target for e in m.edges if e.main}
    node, seen = "start", []
    while node in nxt and node not in seen:
        seen.append(node)
        node = nxt[node]
    assert node == "end" and len(seen) >= 3  # the main path runs from the start to the end
    moves = [e for e in m.edges if e.source != e.target]
    for n in (n for n in m.nodes if n.kind == "activity"):  # no orphan box: a way in and a way out
        assert any(e.target == n.id for e in moves) and any(e.source == n.id for e in moves), n.label
    assert all(e.wait_band >= 0 for e in m.edges if e.median_wait_s is not None)
    svg = str(process_map_svg(m))
    w, h = (float(x) for x in re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    scale = min(1.0, 527 / w, 510 / h)  # A4: 186 x 180 mm for the picture (print stylesheet)
    assert 11 * scale >= 9, (w, h)  # the smallest label (11 pt) prints at 9 pt or more
    assert 'role="img"' in svg and "<title>" in svg


def test_jargon_in_analysis_text_is_put_in_plain_words():
    from procmine.analyse.model import Finding

    f = Finding(kind="waiting", pattern="security_outage", value=13.0, unit="days", impact=100.0, cases=40,
                from_activity="Sicherheitsabfrage gestellt", to_activity="Rückmeldung eingegangen",
                norm=30.0, norm_basis="usual", evidence={"norm_source": "üblich: Median 10 Tage, P90 30 Tage"})
    item = build.finding_item(f, 1)
    assert "Quelle der Norm: üblich: Median 10 Tage, 9-von-10-Wert 30 Tage" in item.evidence
    assert not any("P90" in line for line in item.evidence)


def test_secondary_suppression_hides_the_count_that_would_reveal_a_small_one():
    from procmine.report.figures import hidden

    # total 63 is known: with only the 3 hidden, 63 - 20 - 40 would give it back; the smallest other goes too
    assert hidden([20, 3, 40], 5).tolist() == [True, True, False]
    assert hidden([20, 3, 2, 40], 5).tolist() == [False, True, True, False]  # two small ones hide each other
    assert hidden([20, 0, 40], 5).tolist() == [False, False, False]  # an empty class reveals nobody


def test_the_report_names_the_land_of_the_holiday_calendar():
    from report_fixtures import english_log

    from procmine.analyse import analyse_office
    from procmine.analyse.time import OfficeCalendar

    log = english_log("ABH-B", cases=30)
    bavaria = build.build_office_report(analyse_office(log, office="ABH-B", calendar=OfficeCalendar(land="BY"), discover=False), now=NOW)
    assert bavaria.holidays == "Bayern" and "Feiertage in Bayern" in bavaria.calendar_note
    assert "Sachsen-Anhalt" not in json.dumps(bavaria.to_dict(), ensure_ascii=False, default=str)
    default = build.build_office_report(analyse_office(log, office="ABH-B", discover=False), now=NOW)
    assert default.holidays == "Sachsen-Anhalt (Voreinstellung: kein Land angegeben)" and "Voreinstellung" in default.calendar_note


def test_page_one_tells_consequences_under_their_cause_with_their_own_size():
    """Status inquiries and late cases caused by the appointment backlog are told under it on page 1 (with their
    staff hours or share), so the three places go to three different problems; a capacity finding is sized in hours."""
    from procmine.analyse.model import Finding
    from procmine.report.pages import glance

    backlog = Finding(kind="backlog", pattern="appointment_backlog", value=50.0, unit="days", impact=1000.0, cases=100,
                      from_activity="Appointment requested", to_activity="Appointment scheduled", norm=14.0,
                      norm_basis="usual", rank=1, high_impact=True)
    inquiries = Finding(kind="rework", pattern="inquiry_flood", value=5.0, unit="per_case", impact=0.0, cases=80,
                        activity="Status inquiry received", norm=0.4, norm_basis="network", rank=2, high_impact=True,
                        staff_hours=1228.3, fte=0.77, cause_rank=1)
    team = Finding(kind="resource", pattern="team_shortage", value=30.0, unit="days", impact=200.0, cases=50,
                   team="Team A-K", norm=20.0, norm_basis="office", rank=3, high_impact=True)
    late = Finding(kind="deadline", pattern="deadline_share", value=0.65, unit="share", impact=0.0, cases=60,
                   norm=0.25, norm_basis="network", rank=4, high_impact=True, cause_rank=1)
    quiet = Finding(kind="rework", pattern="document_loops", value=0.2, unit="per_case", impact=10.0, cases=9, rank=5)
    findings = [backlog, inquiries, team, late, quiet]
    items = [build.finding_item(f, f.rank) for f in findings]
    a = None  # read only for what works well, i.e. without high-impact findings
    g = glance(a, findings, items, (), None, {})
    assert [(loss[0], loss[5]) for loss in g.losses] == [("Terminstau", 1), ("Personalengpass in einem Team", 3)]
    assert g.losses[0][4] == (
        "Folge davon (Engpass 2): Viele Sachstandsanfragen – geschätzt etwa 1.228 Arbeitsstunden pro Jahr, 80 Vorgänge betroffen",
        "Folge davon (Engpass 4): Viele Vorgänge über drei Monate – 65,0\u00a0%, 60 Vorgänge betroffen",
    )
    assert g.losses[1][4] == () and g.verdict.startswith("Der größte Verlust: Terminstau (etwa 1.000 zusätzliche")
    # without its cause on the page, a consequence is a loss of its own, with its staff hours as its size
    g2 = glance(a, findings[1:], items[1:], (), None, {})
    assert g2.losses[0][0] == "Viele Sachstandsanfragen" and g2.losses[0][2].startswith("geschätzt etwa 1.228 Arbeitsstunden")


def test_team_finding_says_which_figure_it_shows_and_what_its_norm_is():
    """A team finding names its measure (the wait before the team works on a case, or its cases' duration) and its
    norm's basis (the office's other teams), not a bare 'mittlere Dauer' against 'the other office'."""
    from procmine.analyse.model import Finding

    queue = Finding(kind="resource", pattern="team_shortage", value=5.3, unit="days", impact=500.0, cases=250,
                    team="Team Erwerb", norm=1.8, norm_basis="network", rank=1, high_impact=True,
                    evidence={"team_measure": "queue_wait_per_step"})
    cases = Finding(kind="resource", pattern="team_shortage", value=100.5, unit="days", impact=500.0, cases=250,
                    team="Team Humanitär", norm=85.3, norm_basis="office", rank=1, high_impact=True,
                    evidence={"team_measure": "case_elapsed"})
    assert build.finding_item(queue, 1).text_de.startswith(
        "Bevor Team Erwerb einen Vorgang bearbeitet, wartet er im Mittel 5,3\u00a0Tage")
    item = build.finding_item(cases, 1)
    assert item.text_de.startswith("Vorgänge von Team Humanitär dauern im Mittel 100,5\u00a0Tage")
    assert "Wert der übrigen Teams dieser Dienststelle" in item.comparison


def test_finding_sentences_say_what_their_figure_is():
    """A caseworker reads the sentence without the table: an appointment backlog says how long the cases past the
    norm wait (not 'staut sich (50,8 Tage)'), a repeat says how often against its norm, a deadline finding says which
    share runs past three months and where those cases lost their time."""
    from procmine.analyse.model import Finding

    backlog = Finding(kind="backlog", pattern="appointment_backlog", value=50.8, unit="days", impact=1000.0, cases=2026,
                      from_activity="Terminanfrage gestellt", to_activity="Termin vergeben", norm=14.0,
                      norm_basis="usual", rank=1, high_impact=True, evidence={"mean_beyond_norm_days": 50.8})
    assert build.finding_item(backlog, 1).text_de == (
        "Zwischen „Terminanfrage gestellt“ und „Termin vergeben“ warten 2.026 Vorgänge länger als die Norm, im Mittel "
        "50,8\u00a0Tage, die Norm beträgt 14,0\u00a0Tage (übliche Dauer).")
    inquiries = Finding(kind="rework", pattern="inquiry_flood", value=5.76, unit="per_case", impact=0.0, cases=2757,
                        activity="Sachstandsanfrage eingegangen", norm=0.4, norm_basis="network", rank=2)
    text = build.finding_item(inquiries, 2).text_de
    assert text.startswith("„Sachstandsanfrage eingegangen“ kommt mehrfach vor: im Mittel 5,76") and "0,40" in text
    late = Finding(kind="deadline", pattern="deadline_share", value=0.652, unit="share", impact=10.0, cases=1957,
                   from_activity="Terminanfrage gestellt", to_activity="Termin vergeben", norm=0.253,
                   norm_basis="network", rank=3)
    assert build.finding_item(late, 3).text_de == (
        "65,2\u00a0% der Vorgänge dauern länger als drei Monate oder sind schon so lange offen, die Norm beträgt "
        "25,3\u00a0% (typischer Wert im Netzwerk); betroffen sind 1.957 Vorgänge. Die meiste Zeit verlieren sie bei "
        "„Terminanfrage gestellt“ → „Termin vergeben“.")


def test_deadline_sentence_names_the_key_figure_where_external_time_makes_it_differ():
    """The finding leaves other bodies' time beyond their norms out (65,2 %); the key figure counts it (65,3 %):
    the sentence says both, so the two numbers on page 1 do not contradict each other."""
    from procmine.analyse.model import Finding

    late = Finding(kind="deadline", pattern="deadline_share", value=0.652, unit="share", impact=10.0, cases=1957,
                   norm=0.253, norm_basis="network", rank=1,
                   evidence={"share_over_90_days_with_external": 0.653})
    text = build.finding_item(late, 1).text_de
    assert "über ihre übliche Dauer hinaus brauchten; mit ihr sind es 65,3\u00a0%." in text
    same = Finding(**{**late.__dict__, "evidence": {"share_over_90_days_with_external": 0.6521}})
    assert "andere Stellen" not in build.finding_item(same, 1).text_de


def test_an_office_alone_gets_no_comparison_with_itself(tmp_path):
    """One office analysed alone (a municipality's own log): vergleich.html says that a comparison needs two offices
    instead of ranking the office against itself, and its report does not link to a network comparison."""
    from report_fixtures import english_log

    from procmine.analyse import analyse_office

    log = english_log("ABH-B", cases=30)
    analyses = [analyse_office(log, office="ABH-B", discover=False)]
    paths = write_reports(analyses, compare_offices(analyses), {}, tmp_path, pdf=False, now=NOW)
    page = paths.comparison.read_text(encoding="utf-8")
    assert "Ausgewertet wurde nur eine Dienststelle (ABH-B)" in page
    assert "Netzwert" not in page and "Netzwerk-Median" not in page and 'id="fair"' not in page
    assert "../vergleich.html" not in paths.office_reports["ABH-B"].read_text(encoding="utf-8")
    two = [analyses[0], analyse_office(english_log("ABH-C", cases=30), office="ABH-C", discover=False)]
    both = write_reports(two, compare_offices(two), {}, tmp_path / "two", pdf=False, now=NOW)
    assert "nur eine Dienststelle" not in both.comparison.read_text(encoding="utf-8")
    assert "../vergleich.html" in both.office_reports["ABH-B"].read_text(encoding="utf-8")


def test_status_inquiries_are_not_examined_as_rework():
    """What to look at next for a flood of status inquiries is why the case waited, not 'what was missing the
    first time' (the rework question): the pattern has its own next step."""
    from procmine.analyse.model import Finding
    from procmine.report.pages import finding_pages

    inquiries = Finding(kind="rework", pattern="inquiry_flood", value=5.0, unit="per_case", impact=0.0, cases=80,
                        activity="Sachstandsanfrage eingegangen", norm=0.4, norm_basis="network", rank=1,
                        high_impact=True, staff_hours=1228.3, fte=0.77)
    (page,) = finding_pages([inquiries], [build.finding_item(inquiries, 1)], "2024", single=False)
    assert page.next_steps[0] == LABELS["next.inquiry_flood"] and "beim ersten Mal" not in page.next_steps[0]


def test_model_has_its_steps_in_words_behind_the_picture():
    """The model's numbers behind the picture: each step and what can follow it directly, through the gateways."""
    from procmine.report.model import BpmnModel, BpmnNode

    nodes = (BpmnNode("s", "start"), BpmnNode("a", "task", "Antrag"), BpmnNode("x", "xor"), BpmnNode("b", "task", "Bescheid"),
             BpmnNode("c", "task", "Rückfrage"), BpmnNode("y", "xor"), BpmnNode("e", "end"))
    flows = (("s", "a"), ("a", "x"), ("x", "b"), ("x", "c"), ("c", "a"), ("b", "y"), ("y", "e"))
    table = build.model_table(BpmnModel(nodes, flows))
    assert [(r[0].value, r[1].value) for r in table.rows] == [
        ("Antrag", "Bescheid · Rückfrage"), ("Bescheid", "Ende"), ("Rückfrage", "Antrag")]
    assert build.model_table(None) is None


def test_seasonal_peak_says_what_its_ratio_compares():
    """'staut sich die Arbeit (2,2-fach)' left the reader guessing: the sentence says it is the strongest month's
    intake against the monthly mean, with the network's typical ratio."""
    from procmine.analyse.model import Finding

    surge = Finding(kind="backlog", pattern="seasonal_surge", value=2.2, unit="ratio", impact=5429.0, cases=438,
                    case_type="AE_STUDY", norm=1.5, norm_basis="network", rank=3)
    text = build.finding_item(surge, 3).text_de
    assert "im stärksten Monat 2,2-fach so viele Anträge ein wie im Monatsmittel, die Norm beträgt 1,5-fach" in text
    assert text.endswith("die 438 Vorgänge aus den Spitzenmonaten dauern länger als die übrigen.")


def test_ratio_and_per_case_sentences_name_their_figure_and_norm():
    """A jump in intake, extensions of the Fiktionsbescheinigung, no-shows and hand-overs say what their figure
    counts and against what, instead of a bare '(1,5-fach)' or '(0,30 je Vorgang)' after a vague verb."""
    from procmine.analyse.model import Finding

    shock = Finding(kind="drift", pattern="policy_shock", value=1.5, unit="ratio", impact=100.0, cases=202,
                    case_type="AE_EXT", norm=1.0, norm_basis="office", rank=1)
    assert "gehen seit einem Sprung 1,5-fach so viele Anträge ein wie vorher, die Norm beträgt 1,0-fach" in (
        build.finding_item(shock, 1).text_de)
    churn = Finding(kind="deadline", pattern="fiction_churn", value=0.3, unit="per_case", impact=10.0, cases=737,
                    activity="Fiktionsbescheinigung verlängert", norm=0.1, norm_basis="network", rank=2)
    text = build.finding_item(churn, 2).text_de
    assert text.startswith("Fiktionsbescheinigungen werden oft verlängert") and "im Mittel 0,30 je\u00a0Vorgang, die Norm" in text
    handover = Finding(kind="handover", pattern="handoff_pingpong", value=2.71, unit="per_case", impact=10.0, cases=2474,
                       activity="Weiterleitung", norm=1.2, norm_basis="network", rank=3)
    assert "weitergereicht: im Mittel 2,71 je\u00a0Vorgang, die Norm beträgt 1,20 je\u00a0Vorgang" in build.finding_item(handover, 3).text_de
