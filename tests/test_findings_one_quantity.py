"""Issue 14, second round: a wait finding shows the figure it is sized by, next to its norm; a finding at
or below its norm is never high-impact; norms of waits without a legal/usual one come from the offices
that log the wait (like with like); findings carry their monthly series into results.json.

Hand-made logs, hand-computed answers.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_findings_open14 import hand_office

from procmine.analyse.detectors.combine import detect_network_full, rank_findings
from procmine.analyse.model import Finding
from procmine.report.build import finding_record, finding_text

EAT = ("eat_received", "eat_handed_over")  # usual norm: 14 days (Aushändigung binnen 2 Wochen)
CHECKS = ("completeness_checked", "register_checked")  # no legal/usual norm


def _pair(fs: list[Finding], steps: tuple[str, str]) -> list[Finding]:
    return [f for f in fs if (f.from_key, f.to_key) == steps]


def test_wait_with_a_tail_over_its_norm_shows_the_tail_it_is_sized_by() -> None:
    """20 cases wait between card arrival and hand-over: 15 × 5 days, 5 × 34 days (every fourth case).
    Median 5 days, under the usual 14: the old finding read "5 Tage, Norm 14" and claimed case-days.
    Now: 5 cases (25 %) wait longer than the norm, on average 34 days; excess = 5 × (34 − 14) = 100
    case-days over the log's span; mean excess per wait 100 / 20 = 5 days."""
    x = hand_office("X", [("T", 34.0 if i % 4 == 3 else 5.0) for i in range(20)], steps=EAT)
    res = detect_network_full({"X": x})
    (f,) = _pair(res.findings["X"], EAT)
    ev = f.evidence
    assert f.norm == pytest.approx(14.0) and f.norm_basis == "usual"
    assert ev["median_days"] == pytest.approx(5.0)
    assert f.value == pytest.approx(34.0) and f.cases == 5
    assert ev["share_over_norm"] == pytest.approx(0.25) and ev["waits_over_norm"] == 5 and ev["cases_over_norm"] == 5
    assert ev["mean_excess_days"] == pytest.approx(5.0)
    years = ev["waits"] / ev["waits_per_year"]
    # one quantity: the impact is (value − norm) × the waits beyond the norm
    assert ev.get("impact_before_netting", f.impact) * years == pytest.approx(ev["waits_over_norm"] * (f.value - f.norm))
    assert f.value > f.norm and f.high_impact and f.rank == 1
    text = finding_text(f)
    assert "warten 5 Vorgänge länger als die Norm, im Mittel 34,0\u00a0Tage, die Norm beträgt 14,0\u00a0Tage" in text, text


def test_wait_within_its_norm_is_no_finding() -> None:
    """Every card handed over after exactly 14 days (its norm) or sooner: no excess, no finding."""
    x = hand_office("X", [("T", 14.0 if i % 2 else 3.0) for i in range(20)], steps=EAT)
    res = detect_network_full({"X": x})
    assert not _pair(res.findings["X"], EAT)


def test_finding_at_or_below_its_norm_is_never_high_impact() -> None:
    """A finding whose shown value equals its norm (or lies below) is not high-impact, however large its
    impact and however sure; one above it with the same figures is."""
    base = Finding(kind="waiting", pattern="waiting", value=30.0, unit="days", impact=5000.0, cases=400, norm=30.0,
                   norm_basis="network", from_activity="A", to_activity="B", impact_interval=(4000.0, 6000.0))
    ranked = rank_findings([base, replace(base, value=25.0, from_activity="C"), replace(base, value=31.0, from_activity="D")],
                           cases_per_year=400.0, min_impact_per_case_year=1.0, min_listed_per_case_year=0.2)
    high = {f.from_activity: f.high_impact for f in ranked}
    assert high == {"A": False, "C": False, "D": True}
    assert ranked[0].from_activity == "D"  # the only headline comes first


def _network_with_non_measuring(slow_days: float, measuring: int, non_measuring: int) -> dict:
    """``measuring`` offices wait 10 days between completeness and register check (one, "X", waits
    ``slow_days``; the others 8, 10, 12 days in turn), ``non_measuring`` offices log the register check
    ten minutes after the completeness check (their wait lies elsewhere: they log no wait here)."""
    logs = {"X": hand_office("X", [("T", slow_days + d) for d in (-2.0, 0.0, 2.0)] * 8, steps=CHECKS)}
    for k in range(measuring - 1):
        logs[f"M{k}"] = hand_office(f"M{k}", [("T", 10.0 + d) for d in (-2.0, 0.0, 2.0)] * 8, steps=CHECKS)
    for k in range(non_measuring):
        logs[f"N{k}"] = hand_office(f"N{k}", [("T", 10 / 1440)] * 24, steps=CHECKS)
    return logs


def test_network_norm_comes_from_the_offices_that_log_the_wait() -> None:
    """Three offices log the wait (X 20 days, two others 10 days, medians), four log the check at once
    (10 minutes). Over all seven, the typical office's median would be 10 minutes and the two normal
    offices would carry 10 days of "excess" per wait. Among the offices that log the wait the norm is 10
    days (median of 20, 10, 10): all 24 of X's waits (18, 20, 22 days) lie beyond it, on average 20 days;
    the others have no finding (their 12-day waits are what the typical office has too)."""
    res = detect_network_full(_network_with_non_measuring(20.0, measuring=3, non_measuring=4))
    (f,) = _pair(res.findings["X"], CHECKS)
    assert f.norm == pytest.approx(10.0) and f.norm_basis == "network"
    assert f.value == pytest.approx(20.0) and f.evidence["waits_over_norm"] == 24
    for office in ("M0", "M1", "N0", "N3"):
        assert not _pair(res.findings[office], CHECKS), office


def test_without_enough_offices_logging_the_wait_the_office_is_its_own_norm() -> None:
    """Only X and one other office log the wait (the other four log the check at once): no network norm.
    X's own median (20 days) is the line, the finding is listed (the largest wait is never left out) but
    not high-impact: a wait with a stable history is no problem against the office's own typical wait."""
    res = detect_network_full(_network_with_non_measuring(20.0, measuring=2, non_measuring=4))
    (f,) = _pair(res.findings["X"], CHECKS)
    assert f.norm == pytest.approx(20.0) and f.norm_basis == "own"
    assert f.value == pytest.approx(22.0) and f.cases == 8
    assert not f.high_impact


def test_monthly_series_goes_into_results_json_with_small_months_nulled() -> None:
    f = Finding(kind="waiting", pattern="waiting", value=30.0, unit="days", impact=100.0, cases=40, norm=14.0,
                norm_basis="usual", from_activity="A", to_activity="B",
                monthly=[{"month": "2024-01", "value": 12.0, "cases": 3}, {"month": "2024-02", "value": 30.0, "cases": 37}])
    rec = finding_record(f, 1, k=5)
    assert rec["monthly"] == [{"month": "2024-01", "value": None, "cases": 3}, {"month": "2024-02", "value": 30.0, "cases": 37}]
    assert finding_record(replace(f, cases=3), 1, k=5)["monthly"] is None  # a suppressed finding shows no series
    assert finding_record(replace(f, monthly=None), 1, k=5)["monthly"] == []


def test_stuck_minority_at_a_step_every_office_logs_at_once_is_still_found() -> None:
    """Every office logs the register check ten minutes after the completeness check; in X, 6 of 24
    cases (25 %) wait 60 days instead. X's median stays at ten minutes, so X is compared with the
    offices logging the step at once (norm: ten minutes, their typical office), not left without a
    norm: 6 cases wait longer, on average 60 days, and that is X's own problem."""
    ten = 10 / 1440
    logs = {f"N{k}": hand_office(f"N{k}", [("T", ten)] * 24, steps=CHECKS) for k in range(3)}
    logs["X"] = hand_office("X", [("T", 60.0 if i % 4 == 3 else ten) for i in range(24)], steps=CHECKS)
    res = detect_network_full(logs)
    (f,) = _pair(res.findings["X"], CHECKS)
    assert f.norm == pytest.approx(ten) and f.norm_basis == "network"
    assert f.value == pytest.approx(60.0) and f.cases == 6 and f.evidence["share_over_norm"] == pytest.approx(0.25)
    assert f.high_impact and f.rank == 1


def test_the_network_figure_beside_a_wait_is_the_same_quantity() -> None:
    """X waits 18/20/22 days, two others 8/10/12 (norm 10): the typical office's mean wait beyond the
    norm is the median of X's 20 and the others' 12 and 12 days = 12 days (``network_median_days`` stays
    the median of the medians, 10)."""
    res = detect_network_full(_network_with_non_measuring(20.0, measuring=3, non_measuring=0))
    (f,) = _pair(res.findings["X"], CHECKS)
    assert f.evidence["network_mean_beyond_norm_days"] == pytest.approx(12.0)
    assert f.evidence["network_median_days"] == pytest.approx(10.0)


def test_monthly_series_of_a_wait_finding_is_its_own_figure() -> None:
    """X (norm 10 days, network) waits 18/20/22 days in turn, a case every 3 days: every month's waits lie
    beyond the norm, so each month shows their mean and cases, and the months, weighted by cases, give the
    finding's figure (20 days). A month with no wait beyond the norm shows its plain mean instead
    (``test_findings_open14.test_monthly_series_of_a_wait_hand_computed``: January at the norm, 2 days)."""
    res = detect_network_full(_network_with_non_measuring(20.0, measuring=3, non_measuring=0))
    (f,) = _pair(res.findings["X"], CHECKS)
    assert f.monthly
    for r in f.monthly:
        assert r["value"] > f.norm  # every month has waits beyond the norm here: the finding's figure
    total = sum(r["value"] * r["cases"] for r in f.monthly) / sum(r["cases"] for r in f.monthly)
    assert total == pytest.approx(f.value)  # the months add up to the finding's figure (one wait per case)
