"""Findings engine: hand-made networks with answers worked out by hand, then the synthetic network."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from procmine.analyse import analyse_network, analyse_office, find_bottlenecks
from procmine.analyse.findings import detect_network, wait_pattern
from procmine.schema import conform, sort_log

T0 = pd.Timestamp("2024-01-01", tz="UTC")
DAY = pd.Timedelta(days=1)


def _ba_office(name: str, ba_days: float, n: int = 40, seed: int = 0) -> pd.DataFrame:
    """n cases, case i starts on day 9·i: received → BA requested (+1 d) → BA granted (+ba_days)
    → approved (+5 d). Built vectorised; labels are German as an office would export them."""
    steps = [
        ("Antrag eingegangen", "application_received", 0.0),
        ("Zustimmung BA angefragt", "ba_consent_requested", 1.0),
        ("Zustimmung BA erteilt", "ba_consent_granted", 1.0 + ba_days),
        ("Bewilligt", "decision_approved", 6.0 + ba_days),
    ]
    case = np.repeat(np.arange(n), len(steps))
    step = np.tile(np.arange(len(steps)), n)
    offset = np.array([s[2] for s in steps])[step] + 9.0 * case
    df = pd.DataFrame(
        {
            "case_id": [f"{name}-{c:03d}" for c in case],
            "activity": np.array([s[0] for s in steps])[step],
            "activity_key": np.array([s[1] for s in steps])[step],
            "end": T0 + pd.to_timedelta(offset, unit="D"),
            "precision": "minute",
            "office": name,
            "case_type": "AE_EMP",
            "event_seq": np.arange(len(case)),
            "source_file": f"{name}.csv",
            "source_row": np.arange(len(case)) + 2,
        }
    )
    return sort_log(conform(df))


def test_one_slow_office_gets_a_ranked_ba_finding() -> None:
    logs = {"A": _ba_office("A", 30), "B": _ba_office("B", 7), "C": _ba_office("C", 7), "D": _ba_office("D", 7)}
    found = detect_network(logs)
    top = found["A"][0]
    assert (top.pattern, top.kind, top.from_key, top.to_key) == ("ba_wait", "waiting", "ba_consent_requested", "ba_consent_granted")
    assert top.from_activity == "Zustimmung BA angefragt" and top.to_activity == "Zustimmung BA erteilt"
    assert not top.external and not top.shared and top.high_impact and top.rank == 1  # past deemed consent: own wait
    assert top.norm == 14 and top.norm_basis == "legal"
    # excess 30 − 14 = 16 d on each of 40 cases = 640 case-days; typical office (median) has 0;
    # span of A: first event day 0, last day 9·39 + 36 = 387 → 640 · 365.25 / 387 per year
    assert top.impact == pytest.approx(640 * 365.25 / 387)
    assert top.cases == 40 and top.value == pytest.approx(30)
    assert top.evidence["network_median_days"] == pytest.approx(7)
    assert top.evidence["share_over_norm"] == pytest.approx(1.0)
    assert "apply_deemed_consent" in top.measures
    for office in "BCD":
        assert not [f for f in found[office] if f.high_impact], office


def test_a_wait_every_office_shares_is_listed_but_not_high_impact() -> None:
    logs = {k: _ba_office(k, 30) for k in "ABCD"}
    found = detect_network(logs)
    for office, fs in found.items():
        ba = [f for f in fs if f.pattern == "ba_wait"]
        assert len(ba) == 1, office
        assert ba[0].shared and not ba[0].high_impact
        # shared: impact is the plain excess over the legal norm, 640 case-days over the span
        assert ba[0].impact == pytest.approx(640 * 365.25 / 387)


def test_own_problem_outranks_shared_external_wait() -> None:
    # every office waits 30 d for the BA (shared); A alone also requests documents twice per case
    # after the BA's consent (day 31), each case of A goes through two document rounds (request 1 h after
    # the consent, documents back 10 d later, second round the same), which push its decision 20 d later
    logs = {k: _ba_office(k, 30) for k in "ABCD"}
    a = logs["A"].copy()
    a.loc[a["activity_key"] == "decision_approved", "end"] += 20 * DAY
    base = a[a["activity_key"] == "ba_consent_granted"]
    rows = []
    for r in range(2):
        for label, key, off in (("Unterlagen nachgefordert", "documents_requested", pd.Timedelta(hours=1)),
                                ("Unterlagen nachgereicht", "documents_received", 10 * DAY)):
            e = base.copy()
            e["activity"], e["activity_key"] = label, key
            e["end"] = e["end"] + r * 10 * DAY + off
            rows.append(e)
    a2 = pd.concat([a, *rows], ignore_index=True)
    a2["event_seq"] = np.arange(len(a2))
    logs["A"] = sort_log(conform(a2))
    found = detect_network(logs)
    kinds = [(f.pattern, f.shared) for f in found["A"]]
    top = found["A"][0]
    assert (top.pattern, top.kind, top.shared, top.high_impact) == ("document_loops", "rework", False, True)
    # 2 requests per case, none elsewhere (contacts count from the first); a round (request →
    # next request of the case) lasts 10 d; 80 rounds · 10 d over A's span of 387 + 20 d. A's cases
    # take 56 d against the typical office's 36 d: its total excess, 40 · 20 d, is the same 800
    # case-days, so nothing is netted away
    assert top.activity_key == "documents_requested" and top.activity == "Unterlagen nachgefordert"
    assert top.value == pytest.approx(2.0)
    assert top.impact == pytest.approx(80 * 10 * 365.25 / 407)
    assert top.evidence["office_total_excess_days_per_year"] == pytest.approx(800 * 365.25 / 407)
    assert top.evidence["netting_factor"] == pytest.approx(1.0)
    assert ("ba_wait", True) in kinds
    assert kinds.index(("ba_wait", True)) > 0
    assert [f.rank for f in found["A"]] == list(range(1, len(found["A"]) + 1))
    for office in "BCD":
        assert not [f for f in found[office] if f.high_impact], office


def test_wait_pattern_mapping() -> None:
    assert wait_pattern("appointment_requested", "appointment_scheduled") == "appointment_backlog"
    assert wait_pattern("eat_ordered", "eat_received") == "eat_bottleneck"
    assert wait_pattern("security_check_requested", "security_check_completed") == "security_outage"
    assert wait_pattern("file_requested", "file_received") == "handoff_pingpong"
    assert wait_pattern("register_checked", "hearing_letter_sent") == "waiting"


def test_find_bottlenecks_returns_copies_with_findings() -> None:
    logs = {"A": _ba_office("A", 30), "B": _ba_office("B", 7), "C": _ba_office("C", 7)}
    analyses = [analyse_office(lg, office=k, discover=False) for k, lg in logs.items()]
    out = find_bottlenecks(analyses, logs)
    assert [a.office for a in out] == ["A", "B", "C"]
    assert out[0].findings[0].pattern == "ba_wait" and analyses[0].findings == ()
    assert out[0].kpis == analyses[0].kpis


# --- the synthetic nine-office network (truth file from procmine.synth) ----------------------------

MATCH_FIELDS = ("from_key", "to_key", "activity_key", "team", "case_type")
# planted too weakly by the generator to rank first (see the analysis report; not special-cased)
WEAK_PRIMARY: dict[str, str] = {}  # office -> reason, for a planted pattern the generator plants too weakly


def _matches(f, planted: dict) -> bool:
    """docs/architecture.md: same pattern key and, where the truth names them, the same fields."""
    return f.pattern == planted["key"] and all(planted.get(k) is None or getattr(f, k) == planted[k] for k in MATCH_FIELDS)


@pytest.fixture(scope="module")
def network():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from procmine.synth import simulate_network

        sim = simulate_network(cases_per_office=3000, months=21, seed=20260101)
        analyses = analyse_network(sim.logs, discover=False)
    return sim, {a.office: a for a in analyses}


def _offices() -> list[str]:
    return [f"ABH-0{i}" for i in range(1, 10)]


@pytest.mark.parametrize("office", _offices())
def test_top_finding_matches_a_planted_pattern(network, office: str) -> None:
    sim, res = network
    planted = [p for p in sim.truth["offices"][office]["patterns"] if p["key"] != "control"]
    if not planted:
        pytest.skip("control office (tested below)")
    if office in WEAK_PRIMARY:
        pytest.xfail(WEAK_PRIMARY[office])
    top = res[office].findings[0]
    assert any(_matches(top, p) for p in planted), (office, top.pattern, top.team, top.activity_key)
    assert top.high_impact and top.rank == 1


def test_control_office_has_no_high_impact_finding(network) -> None:
    sim, res = network
    control = [o for o, v in sim.truth["offices"].items() if any(p["key"] == "control" for p in v["patterns"])]
    assert control
    for office in control:
        assert not [f for f in res[office].findings if f.high_impact]
        # and is told what it does well: its best figures in the network
        assert res[office].extra["high_impact_findings"] == 0 and res[office].extra["strengths"]
    # while every office with a planted pattern has at least one
    for office in sim.truth["offices"]:
        if office not in control and office not in WEAK_PRIMARY:
            assert any(f.high_impact for f in res[office].findings), office


def test_demo_offices_own_impacts_stay_within_their_total_excess(network) -> None:
    """Issue 14: an office's own findings never claim more case-days than all its cases spend beyond
    the typical office (ABH-01 claimed 295,537 against ~190,000 before)."""
    _, res = network
    for office, a in res.items():
        own = sum(f.impact for f in a.findings if not f.shared and f.kind != "drift")
        assert own <= a.extra["total_excess_days_per_year"] * (1 + 1e-9), office


def test_most_planted_patterns_are_reported_for_their_office(network) -> None:
    sim, res = network
    found, total = 0, 0
    for office, v in sim.truth["offices"].items():
        for p in v["patterns"]:
            if p["key"] == "control":
                continue
            total += 1
            found += any(_matches(f, p) for f in res[office].findings)
    assert found >= total - 2, (found, total)


def test_findings_are_well_formed(network) -> None:
    _, res = network
    for office, a in res.items():
        ranks = [f.rank for f in a.findings]
        assert ranks == list(range(1, len(ranks) + 1))
        # high-impact findings first, each group by score; consequences sit directly under their cause
        own = [f for f in a.findings if not f.shared and f.kind != "drift"]
        heads = [f for f in own if "caused_by" not in f.evidence]
        assert [not f.high_impact for f in heads] == sorted(not f.high_impact for f in heads)
        for group in (True, False):
            scores = [f.evidence["score"] for f in heads if f.high_impact is group]
            assert scores == sorted(scores, reverse=True)
        for f in own:
            if f.cause_rank is not None:
                assert f.rank == f.cause_rank + 1 or a.findings[f.rank - 2].cause_rank == f.cause_rank
        for f in a.findings:
            assert f.kind in ("waiting", "backlog", "rework", "resource", "deadline", "handover", "no_show", "batching", "drift")
            assert f.measures, (office, f.pattern)
            if f.team is not None:
                assert f.kind in ("resource", "deadline")
        assert a.kpis["cycle_time_median_days"] > 0
        assert 0 <= a.kpis["share_cases_over_90_days"] <= 1


def _arrivals_office(name: str, monthly: dict[str, list[int]]) -> pd.DataFrame:
    """One event per case: ``monthly[ct][m]`` cases of type ct arrive on day 10 of month m (from
    2024-01). The first and last month count as partial and are left out of the drift scan."""
    rows = [(ct, m) for ct, counts in monthly.items() for m, k in enumerate(counts) for _ in range(k)]
    ct = np.array([r[0] for r in rows])
    month = np.array([r[1] for r in rows])
    end = pd.DatetimeIndex([T0 + pd.DateOffset(months=int(m)) + pd.Timedelta(days=9, hours=10) for m in month])
    df = pd.DataFrame(
        {
            "case_id": [f"{name}-{i:04d}" for i in range(len(rows))],
            "activity": "Antrag eingegangen",
            "activity_key": "application_received",
            "end": end,
            "precision": "minute",
            "office": name,
            "case_type": ct,
            "event_seq": np.arange(len(rows)),
            "source_file": f"{name}.csv",
            "source_row": np.arange(len(rows)) + 2,
        }
    )
    return sort_log(conform(df))


def test_drift_network_step_is_shared_and_own_step_is_found_without_echoes() -> None:
    """16 months (2024-01 … 2025-04), scanned 2024-02 … 2025-03 (14 full months).

    A, B, C: AE_EXT 20, DUL 10 a month; AE_EMP 5 a month, 15 from 2024-09 (month index 8).
    AE_EMP share before = 5/35 = 1/7, after = 15/45 = 1/3: ratio 7/3 ≈ 2.33 in all three; with
    exact counts φ = 1 and LR = 2 × [35 ln(1/7) + 210 ln(6/7) + 105 ln(1/3) + 210 ln(2/3)
    − 140 ln(1/4) − 420 ln(3/4)] ≈ 27.85 per office, so A+B+C (3 of 4 offices) share it; once
    AE_EMP is out of their shares, AE_EXT:DUL stays 20:10, so AE_EXT's falling share is no echo drift.
    D: AE_EXT 20, AE_EMP 5 throughout; DUL 10 a month, 2 from 2024-06 (index 5): its own drift,
    share 10/35 = 2/7 before, 2/27 after: ratio 7/27 ≈ 0.26. Once DUL is taken out of D's shares,
    AE_EXT vs AE_EMP is constant (20:5), so D's AE_EXT share rise is no drift of its own.
    """
    up = {"AE_EXT": [20] * 16, "DUL": [10] * 16, "AE_EMP": [5] * 8 + [15] * 8}
    d = {"AE_EXT": [20] * 16, "AE_EMP": [5] * 16, "DUL": [10] * 5 + [2] * 11}
    logs = {n: _arrivals_office(n, up) for n in "ABC"} | {"D": _arrivals_office("D", d)}
    found = detect_network(logs)
    for n in "ABC":
        (f,) = [f for f in found[n] if f.kind == "drift"]
        assert (f.case_type, f.evidence["from_month"], f.shared, f.high_impact) == ("AE_EMP", "2024-09", True, False)
        assert f.value == pytest.approx(7 / 3)
        assert f.evidence["dispersion_scaled_lr"] == pytest.approx(27.85, abs=0.01)
        assert f.evidence["offices_with_same_drift"] == 3
    (f,) = [f for f in found["D"] if f.kind == "drift"]
    assert (f.case_type, f.evidence["from_month"], f.shared, f.high_impact) == ("DUL", "2024-06", False, False)
    assert f.value == pytest.approx((2 / 27) / (2 / 7))


def test_drift_stays_quiet_on_multinomial_noise() -> None:
    """Four offices with constant case-type rates (multinomial noise only): no drift at all."""
    rng = np.random.default_rng(5)
    logs = {}
    for n in "ABCD":
        counts = rng.multinomial(60, [0.5, 0.2, 0.2, 0.1], size=16).T
        logs[n] = _arrivals_office(n, dict(zip(["AE_EXT", "AE_EMP", "DUL", "BLUE"], counts.tolist())))
    found = detect_network(logs)
    assert not [(n, f.case_type, f.evidence["from_month"]) for n, fs in found.items() for f in fs if f.kind == "drift"]


def _decision_office(name: str, weekly: bool, n: int = 70) -> pd.DataFrame:
    """Case i received on day i (2024-01-01 is a Monday), decided the next day, or, released weekly,
    on the first Tuesday after the day of receipt."""
    day = np.arange(n, dtype=float)
    decided = day + 1 + ((1 - (day + 1)) % 7 if weekly else 0)
    case = np.repeat(np.arange(n), 2)
    offset = np.column_stack([day, decided]).ravel() + 10 / 24
    df = pd.DataFrame(
        {
            "case_id": [f"{name}-{c:03d}" for c in case],
            "activity": np.tile(["Antrag eingegangen", "Bewilligt"], n),
            "activity_key": np.tile(["application_received", "decision_approved"], n),
            "end": T0 + pd.to_timedelta(offset, unit="D"),
            "precision": "minute",
            "office": name,
            "case_type": "AE_EMP",
            "event_seq": np.arange(len(case)),
            "source_file": f"{name}.csv",
            "source_row": np.arange(len(case)) + 2,
        }
    )
    return sort_log(conform(df))


def test_weekly_release_is_sized_by_the_wait_it_causes() -> None:
    """70 cases over 10 weeks. A, B, C decide the next day (1 day's wait, decisions on every weekday:
    top share 1/7). D decides on the first Tuesday after receipt: received Mon … Sun wait
    1, 7, 6, 5, 4, 3, 2 days, mean 4, so 70 × 4 = 280 days against the typical 70 × 1: own excess
    210 days, more than the weekday formula 70 × (1 − 1/7) × 2.5 = 150 days. The wait finding
    received → approved (70 × (4 − 1) = 210 days) is the same problem: folded into the batching one."""
    from procmine.analyse.findings import OfficeData

    logs = {n: _decision_office(n, n == "D") for n in "ABCD"}
    found = detect_network(logs)
    (f,) = [f for f in found["D"] if f.pattern == "weekly_batching"]
    assert f.activity_key == "decision_approved" and f.evidence["weekday"] == 1
    assert f.evidence["share_on_weekday"] == pytest.approx(1.0)
    assert f.evidence["own_excess_wait_days"] == pytest.approx(210.0)
    assert f.impact == pytest.approx(210.0 / OfficeData.build("D", logs["D"]).years)
    assert f.rank == 1 and f.high_impact
    assert [w["from_key"] for w in f.evidence["waits_into_step"]] == ["application_received"]
    assert not [g for g in found["D"] if g.kind == "waiting" and g.to_key == "decision_approved"]
    assert not [f for n in "ABC" for f in found[n] if f.pattern == "weekly_batching"]
