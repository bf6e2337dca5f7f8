"""Process diff, change points, measure specs and the CLI commands of issue 16 (diff, effect)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import procmine
from procmine import schema
from procmine.cli import app
from procmine.compare.diff import diff_logs, period_log
from procmine.compare.network import MeasureSpec, parse_measures
from procmine.compare.trends import network_trends
from procmine.errors import UsageProblem
from procmine.synth import Intervention, clean_offices, simulate_network

from conftest import PUBLIC_DATA

RECEIPT = PUBLIC_DATA / "receipt.csv"
T0 = pd.Timestamp("2025-03-03 08:00", tz="UTC")


def _log(cases: dict[str, list[tuple[str, float]]]) -> pd.DataFrame:
    """Tiny log: case -> [(activity, hours after T0)]."""
    rows = [(c, a, T0 + pd.Timedelta(hours=h)) for c, evs in cases.items() for a, h in evs]
    return pd.DataFrame({"case_id": pd.Categorical([r[0] for r in rows]), "activity": [r[1] for r in rows], "end": [r[2] for r in rows]})


def test_diff_hand_computed() -> None:
    # A: a1 X(0) Y(24h) Z(48h); a2 X(0) Y(48h) Z(72h)   -> durations 2 and 3 days, mean 2.5
    # B: b1 X(0) Z(24h);         b2 X(0) Y(24h) Z(48h)   -> durations 1 and 2 days, mean 1.5
    a = _log({"a1": [("X", 0), ("Y", 24), ("Z", 48)], "a2": [("X", 0), ("Y", 48), ("Z", 72)]})
    b = _log({"b1": [("X", 0), ("Z", 24)], "b2": [("X", 0), ("Y", 24), ("Z", 48)]})
    d = diff_logs(a, b, "A", "B")
    assert d.duration_a == pytest.approx(2.5) and d.duration_b == pytest.approx(1.5)
    steps = d.by_step.set_index("step")
    # arriving at Y: A 2 waits of 1 and 2 days per 2 cases = 1.5; B one wait of 1 day per 2 cases = 0.5
    assert steps.loc["Y", "days_a"] == pytest.approx(1.5) and steps.loc["Y", "days_b"] == pytest.approx(0.5)
    # arriving at Z: A (1 + 1) / 2 = 1.0; B X->Z 1 day + Y->Z 1 day, per 2 cases = 1.0
    assert steps.loc["Z", "days_a"] == pytest.approx(1.0) and steps.loc["Z", "days_b"] == pytest.approx(1.0)
    assert steps["diff"].sum() == pytest.approx(d.duration_a - d.duration_b)
    edges = d.edges.set_index(["source", "target"])
    assert edges.loc[("X", "Y"), "share_a"] == 1.0 and edges.loc[("X", "Y"), "share_b"] == 0.5
    assert edges.loc[("X", "Z"), "share_a"] == 0.0
    assert d.variants_only_a.empty
    assert d.variants_only_b["variant"].tolist() == ["X → Z"] and d.variants_only_b["cases"].tolist() == [1]
    # a handful of cases is significant nowhere
    assert d.edges["more_frequent_in"].isna().all()


def test_period_log_keeps_cases_by_their_start() -> None:
    log = _log({"a": [("X", 0), ("Y", 24 * 40)], "b": [("X", 24 * 35), ("Y", 24 * 36)]})
    first = period_log(log, "2025-03-01", "2025-04-01")
    assert set(first["case_id"].astype(str)) == {"a"} and len(first) == 2  # a's later event stays with it
    assert set(period_log(log, "2025-04-01", "2025-05-01")["case_id"].astype(str)) == {"b"}


@pytest.mark.skipif(not RECEIPT.exists(), reason="public log not available")
def test_receipt_halves_diff_is_quiet() -> None:
    log = procmine.load(RECEIPT)
    cases = log["case_id"].astype(str).unique()
    half = set(np.random.default_rng(0).permutation(cases)[: len(cases) // 2])
    in_a = log["case_id"].astype(str).isin(half).to_numpy()
    d = diff_logs(log[in_a].reset_index(drop=True), log[~in_a].reset_index(drop=True))
    tests = int(d.edges["q_share"].notna().sum() + d.edges["q_wait"].notna().sum())
    hits = int((d.edges["q_share"] < 0.05).sum() + (d.edges["q_wait"] < 0.05).sum())
    assert tests > 50 and hits <= 2, (tests, hits)


def test_shared_shock_is_marked_and_own_change_is_not() -> None:
    """Every office's security check takes 20 days longer from 2025-01: a shared shock; nothing else is."""
    offices = [dataclasses.replace(o, interventions=[Intervention("2025-01-01", "security_check_requested", "security_check_completed", 20.0)]) for o in clean_offices(5)]
    logs = simulate_network(cases_per_office=1000, months=21, offices=offices).logs
    tr = network_trends(logs, kpis=("security_check_days", "card_handover_days"))
    sec = tr.shared[tr.shared["kpi"] == "security_check_days"]
    assert len(sec) == 1 and sec["month"].iloc[0] in ("2024-12", "2025-01", "2025-02")
    assert len(sec["offices"].iloc[0]) >= 3
    cps = tr.change_points[tr.change_points["kpi"] == "security_check_days"]
    up = cps[cps["shared"]]
    assert (up["after"] > up["before"] + 10).all() and len(up) >= 3
    assert tr.shared[tr.shared["kpi"] == "card_handover_days"].empty


def test_parse_measures(tmp_path: Path) -> None:
    specs = parse_measures(["ABH-04:2025-04-01:Termin gebucht→Wartemarke gezogen", "ABH-02:2025-05-01:appointment_wait_days", "ABH-01:2025-06-01"])
    assert specs == [
        MeasureSpec("ABH-04", "2025-04-01", step=("Termin gebucht", "Wartemarke gezogen")),
        MeasureSpec("ABH-02", "2025-05-01", kpi="appointment_wait_days"),
        MeasureSpec("ABH-01", "2025-06-01"),
    ]
    toml = tmp_path / "massnahmen.toml"
    toml.write_text('[[measure]]\noffice = "ABH-03"\ndate = "2025-02-01"\nstep = "A→B"\nname = "Neues Terminsystem"\n', encoding="utf-8")
    assert parse_measures([str(toml)]) == [MeasureSpec("ABH-03", "2025-02-01", step=("A", "B"), name="Neues Terminsystem")]
    with pytest.raises(UsageProblem, match="kein Datum"):
        parse_measures(["ABH-01:2025-13-01"])
    with pytest.raises(UsageProblem, match="weder ein Schritt"):
        parse_measures(["ABH-01:2025-01-01:steps_per_case"])


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What 'procmine run' leaves: OUT/normalised/<office>.parquet (five clean offices, one with a measure)."""
    offices = clean_offices(5)
    offices[0] = dataclasses.replace(offices[0], interventions=[Intervention("2025-01-01", "eat_ordered", "eat_received", -7.0)])
    logs = simulate_network(cases_per_office=500, months=21, offices=offices).logs
    out = tmp_path_factory.mktemp("run")
    (out / "normalised").mkdir()
    for office, log in logs.items():
        schema.write_log(log, out / "normalised" / f"{office}.parquet")
    return out


def test_cli_effect_json(run_dir: Path) -> None:
    res = CliRunner().invoke(app, ["effect", str(run_dir), "--office", "ABH-R1", "--date", "2025-01-01", "--step", "eAT-Bestellung→eAT-Eingang Bundesdruckerei", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["unit"] == "days" and d["method"] == "difference_in_differences" and d["verdict"] == "hat geholfen"
    assert d["ci_low"] <= -7.0 <= d["ci_high"]
    res = CliRunner().invoke(app, ["effect", str(run_dir), "--office", "ABH-R9", "--date", "2025-01-01"])
    assert res.exit_code != 0


def test_cli_diff(run_dir: Path) -> None:
    res = CliRunner().invoke(app, ["diff", str(run_dir), "ABH-R1", "ABH-R2", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["a"] == "ABH-R1" and d["cases_a"] == 500 and d["edges_tested"] > 20
    res = CliRunner().invoke(app, ["diff", str(run_dir), "2024-01-01..2024-06-30", "2025-01-01..2025-06-30", "--period", "--office", "ABH-R1"])
    assert res.exit_code == 0, res.output
    assert "Zeitunterschied je Schritt" in res.output


def test_cli_diff_html(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "unterschied.html"
    res = CliRunner().invoke(app, ["diff", str(run_dir), "ABH-R1", "ABH-R2", "--html", str(out)])
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert "Unterschiedskarte" in html and "Prozesskarte ABH-R1" in html and html.count("<svg") >= 3
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")


def test_network_report_and_results(run_dir: Path, tmp_path: Path) -> None:
    """vergleich.html and results.json of a run with one measure: sections, charts, verdict, JSON keys."""
    from procmine.pipeline import analyse_and_report, load_normalised

    measures = tuple(parse_measures(["ABH-R1:2025-01-01:eAT-Bestellung→eAT-Eingang Bundesdruckerei"]))
    result = analyse_and_report(load_normalised(run_dir / "normalised"), {}, tmp_path, measures=measures)
    html = result.comparison.read_text(encoding="utf-8")
    for heading in ("Faire Kennzahlen", "Fallmix", "Von wem lernen", "Entwicklung über die Zeit", "Wirkung von Maßnahmen"):
        assert heading in html
    assert html.count('class="chart"') >= 9  # an interval plot per comparable KPI, trends, the measure
    assert "hat geholfen" in html
    doc = json.loads(result.results_json.read_text(encoding="utf-8"))
    net = doc["network"]
    assert set(net) == {"fair_comparison", "topics", "trends", "measures"}
    m = net["measures"][0]
    assert m["verdict"] == "hat geholfen" and m["unit"] == "days" and m["ci_low"] <= -7.0 <= m["ci_high"]
    fc = net["fair_comparison"]
    assert fc["kpis"]["steps_per_case"]["comparable"] is False and fc["kpis"]["steps_per_case"]["best"] is None
    assert {t["topic"] for t in net["topics"]} == {"appointment_wait", "document_rounds", "ba_consent", "security_check", "card_handover", "no_shows", "decisions"}


def test_policy_shock_shows_as_shared_case_mix_change() -> None:
    """The synthetic network's policy shock (AE_EMP arrivals x 1.8 from 2025-02, every office) is a change point
    in the AE_EMP share of new cases in most offices at once, and marked as shared."""
    logs = simulate_network(cases_per_office=2500, months=21, offices=clean_offices(5)).logs
    tr = network_trends(logs, kpis=())
    emp = tr.shared[tr.shared["kpi"] == "new_share:AE_EMP"]
    assert len(emp) == 1 and emp["month"].iloc[0] in ("2024-12", "2025-01", "2025-02", "2025-03")
    assert len(emp["offices"].iloc[0]) >= 3
    ups = tr.change_points[(tr.change_points["kpi"] == "new_share:AE_EMP") & tr.change_points["shared"]]
    assert (ups["after"] > ups["before"]).all()
    # no other case type's share moves in most offices at once
    assert set(tr.shared["kpi"]) == {"new_share:AE_EMP"}
