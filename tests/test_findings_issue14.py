"""Issue 14: findings that add up, causes before symptoms, stuck minorities, single points of failure,
deadline shares, backlog trends, a healthy office told so.

Synthetic networks (three seeds each, small offices so they run fast): each pattern planted alone in
one office must come out at rank 1 in that office with its own kind; the control office gets no
headline and is told what it does well; own impacts never exceed the office's total excess.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from procmine.analyse import analyse_office, find_bottlenecks
from procmine.analyse.detectors import registry
from procmine.analyse.detectors.base import trends
from procmine.analyse.detectors.combine import detect_network_full
from procmine.synth import clean_offices, office_with_pattern, simulate_network

from conftest import PUBLIC_DATA

SEEDS = [20260101, 7, 99]
CASES = 600
PLANTED = [17, 18, 20, 1, 3, 4, 6, 9, 10, 11, 14, 15, 2, 5, 8, 12]  # one office each, plus the control
MATCH_FIELDS = ("from_key", "to_key", "activity_key", "team", "case_type")
PUBLIC = PUBLIC_DATA


def _matches(f, planted: dict) -> bool:
    if f.pattern != planted["key"]:
        return False
    fields = [k for k in MATCH_FIELDS if planted.get(k) is not None]
    if planted["key"] == "priority_starvation":  # any of the starved case types
        fields = [k for k in fields if k != "case_type"]
        if f.case_type not in planted["params"]["low_priority"]:
            return False
    return all(getattr(f, k) == planted[k] for k in fields)


@pytest.fixture(scope="module", params=SEEDS)
def net(request):
    offices = [office_with_pattern(f"P{k:02d}", k) for k in PLANTED] + [office_with_pattern("P16", 16)] + clean_offices(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim = simulate_network(cases_per_office=CASES, offices=offices, seed=request.param)
        res = detect_network_full(sim.logs)
    return sim, res


@pytest.mark.parametrize("number", PLANTED)
def test_pattern_planted_alone_is_rank_one_with_its_own_kind(net, number: int) -> None:
    sim, res = net
    office = f"P{number:02d}"
    (planted,) = sim.truth["offices"][office]["patterns"]
    top = res.findings[office][0]
    assert _matches(top, planted), (office, [(f.rank, f.pattern, f.kind, f.from_key, f.to_key, f.activity_key, f.team,
                                              f.case_type) for f in res.findings[office][:4]])
    assert top.kind == planted["kind"] == registry.spec(planted["key"]).kind
    assert top.high_impact and top.rank == 1


def test_control_office_gets_no_headline_and_its_strengths(net) -> None:
    _, res = net
    for office in ["P16", "ABH-R1", "ABH-R2", "ABH-R3"]:
        assert not [(f.pattern, f.rank) for f in res.findings[office] if f.high_impact], office
    assert res.strengths["P16"], "the good-practice office is told what it does well"
    assert all(s["value"] < s["network_median"] for s in res.strengths["P16"])


def test_own_impacts_never_exceed_the_total_excess(net) -> None:
    _, res = net
    for office, fs in res.findings.items():
        own = sum(f.impact for f in fs if not f.shared and f.kind != "drift")
        assert own <= res.total_excess[office] * (1 + 1e-9), office


def test_stuck_minority_evidence_says_who_carries_the_excess(net) -> None:
    _, res = net
    top = res.findings["P17"][0]
    ev = top.evidence
    assert top.pattern == "stuck_minority" and ev["rest_as_usual"]
    # 25 % of the cases are held ~90 days at the step: the long-wait share is far above the network's
    assert 0.15 <= ev["share_long_waits"] <= 0.5 and ev["share_long_waits"] >= 2 * ev["network_share_long_waits"]
    assert top.impact_interval is not None and top.impact_interval[0] > 0


def test_single_point_of_failure_is_worded_at_step_level(net) -> None:
    _, res = net
    top = res.findings["P18"][0]
    assert top.kind == "resource" and top.activity_key == "decision_approved"
    assert top.evidence["fewer_than_two_staff_carry_90_percent"]
    assert not [k for k in top.evidence if "resource" in k or "staff_id" in k]
    assert "deputy_rule" in top.measures


def test_growing_backlog_reports_its_trend(net) -> None:
    _, res = net
    top = res.findings["P01"][0]
    assert top.kind == "backlog" and top.evidence["trend"] == "growing" and top.evidence["trend_days_per_month"] > 0
    # the clean offices' appointment waits are stable
    for office in ["ABH-R1", "ABH-R2", "ABH-R3"]:
        assert all(f.evidence.get("trend", "stable") == "stable" for f in res.findings[office] if f.pattern == "appointment_backlog")


def test_capacity_finding_is_sized_in_staff_hours(net) -> None:
    _, res = net
    top = res.findings["P09"][0]
    assert top.pattern == "inquiry_flood" and top.impact == 0.0
    assert top.staff_hours > 0 and top.fte == pytest.approx(top.staff_hours / 1600.0)


def test_inquiry_flood_caused_by_a_backlog_is_listed_under_it() -> None:
    offices = [office_with_pattern("B", 1)] + clean_offices(3)
    offices[0].patterns.append(office_with_pattern("x", 9).patterns[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim = simulate_network(cases_per_office=CASES, offices=offices)
        res = detect_network_full(sim.logs)
    fs = res.findings["B"]
    backlog = fs[0]
    assert backlog.pattern == "appointment_backlog" and backlog.rank == 1
    inquiry = next(f for f in fs if f.pattern == "inquiry_flood")
    assert inquiry.rank == 2 and inquiry.cause_rank == 1
    assert inquiry.evidence["caused_by"]["pattern"] == "appointment_backlog"
    assert inquiry.impact == 0.0 and inquiry.staff_hours > 0
    # results.json carries the staff hours, the cause link, the interval and the verdict
    from procmine.report.build import finding_record

    rec = finding_record(inquiry, inquiry.rank)
    assert rec["staff_hours_per_year"] == pytest.approx(inquiry.staff_hours) and rec["caused_by_rank"] == 1
    assert rec["fte"] == pytest.approx(inquiry.staff_hours / 1600.0) and rec["high_impact"] is inquiry.high_impact
    top = finding_record(backlog, 1)
    assert top["impact_interval"][0] <= top["impact"] <= top["impact_interval"][1] and top["few_cases"] is False


def test_trend_is_stable_within_noise_and_growing_beyond() -> None:
    """Twelve months of values over a 12-month log: months 0-1 (warm-up) and 11 (the last two months of
    the span, unfinished) are left out, nine months remain."""
    month_us = 30.44 * 86400 * 1e6
    rng = np.random.default_rng(1)
    t = np.repeat(np.arange(12) + 0.5, 40) * month_us
    flat = 10 + rng.normal(0, 1, len(t))
    grow = 10 + 3 * (t / month_us) + rng.normal(0, 1, len(t))
    warm = np.where(t < 2 * month_us, 60.0, 10.0) + rng.normal(0, 1, len(t))  # only the warm-up is high
    g = np.repeat(np.array(["flat", "grow", "warm"]), len(t))
    out = trends(g, np.tile(t, 3), np.concatenate([flat, grow, warm]), np.zeros(3 * len(t)), np.full(3 * len(t), 12 * month_us))
    assert out.loc["flat", "trend"] == "stable" and out.loc["warm", "trend"] == "stable"
    assert out.loc["grow", "trend"] == "growing" and out.loc["grow", "slope"] == pytest.approx(3.0, abs=0.3)
    assert out.loc["grow", "months"] == 9


def test_find_bottlenecks_puts_strengths_in_the_analysis() -> None:
    offices = [office_with_pattern("G", 16)] + clean_offices(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim = simulate_network(cases_per_office=300, months=12, offices=offices)
        analyses = find_bottlenecks([analyse_office(lg, office=n, discover=False, diagnose=False) for n, lg in sim.logs.items()],
                                    sim.logs)
    g = analyses[0]
    assert g.extra["high_impact_findings"] == sum(f.high_impact for f in g.findings) and g.extra["strengths"]
    assert g.extra["total_excess_days_per_year"] >= sum(f.impact for f in g.findings if not f.shared and f.kind != "drift")


@pytest.mark.skipif(not PUBLIC.is_dir(), reason="public logs not available")
def test_real_public_logs_impacts_stay_within_total_excess(tmp_path) -> None:
    """Issue 14 "done when": on the real public logs (``../shared/data/public/``, every file there), each
    office's own findings claim at most its total excess case-days: in a network of the three logs, in
    one of all five files, and each file alone (budget against its own medians). About 5 s."""
    from procmine.normalise import ingest_file

    logs = {}
    for name in ["receipt.csv", "interval_event_log.csv", "running-example.xes"]:
        r = ingest_file(PUBLIC / name, tmp_path)
        logs[r.quality.office] = r.log
    res = detect_network_full(logs)
    for office, fs in res.findings.items():
        own = sum(f.impact for f in fs if not f.shared and f.kind != "drift")
        assert own <= res.total_excess[office] * (1 + 1e-9), office
    # every public log file (each format), together as one network and each alone (against its own medians)
    files = {p.name: ingest_file(p, tmp_path / p.name).log for p in sorted(PUBLIC.iterdir()) if p.name != "README.md"}
    assert {"receipt.xes.gz", "running-example.csv"} <= set(files)
    for net in [files, *({n: lg} for n, lg in files.items())]:
        res = detect_network_full(net)
        for office, fs in res.findings.items():
            own = sum(f.impact for f in fs if not f.shared and f.kind != "drift")
            assert own <= res.total_excess[office] * (1 + 1e-9), (office, len(net))
    # each office alone still gets its largest waits ranked against its own history
    alone = detect_network_full({"receipt": logs["receipt"]})
    assert alone.findings["receipt"] and alone.findings["receipt"][0].kind in ("waiting", "rework", "resource")
    assert isinstance(pd.__version__, str)


def test_status_inquiries_are_not_rework() -> None:
    """Case 1 asks twice for its status; case 2 hands in documents twice: only case 2 is rework (1 of 2)."""
    from procmine.schema import conform, sort_log

    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    keys = [("c1", "application_received"), ("c1", "status_inquiry_received"), ("c1", "status_inquiry_received"),
            ("c1", "decision_approved"), ("c2", "application_received"), ("c2", "documents_received"),
            ("c2", "documents_received"), ("c2", "decision_approved")]
    log = sort_log(conform(pd.DataFrame({
        "case_id": [c for c, _ in keys], "activity": [k for _, k in keys], "activity_key": [k for _, k in keys],
        "end": [t0 + pd.Timedelta(days=i) for i in range(len(keys))], "precision": "minute", "office": "A",
        "case_type": "AE_EXT", "event_seq": range(len(keys)), "source_file": "A.csv", "source_row": range(2, 2 + len(keys)),
    })))
    a = analyse_office(log, office="A", discover=False, diagnose=False)
    assert a.kpis["rework_share"] == pytest.approx(0.5)


def explained(f, years: float, n_cases: int) -> float | None:
    """What a finding's shown figure, norm and cases explain, in excess case-days per year (None where the
    figure is not in a unit that sizes days: a share of cases past a limit, a weekday share).

    Days: passes × (value − norm), the passes being the waits (or cases) ``value`` is the mean of. Repeats
    per case: the office's cases × (value − norm) extra occurrences, each at most one round of
    ``MAX_ROUND_DAYS``. Case types past 90 days, and an office's share past 90 days: the cases × their mean
    days beyond 90 (whatever waits they fold). Weekly batching: the step's events × the larger of
    (share on the weekday − typical share) × 2.5 days and the own excess wait per event (whatever wait
    into the step it absorbs)."""
    from procmine.analyse.detectors.base import MAX_ROUND_DAYS

    ev = f.evidence
    if f.unit == "days":
        if "queue_waits_per_year" in ev:  # a team's queue, a single point's queue
            per_year = ev["queue_waits_per_year"]
        elif "waits_over_norm" in ev:  # a wait: the waits beyond its norm
            per_year = ev["waits_over_norm"] / years
        else:  # a team by its cases' elapsed days
            per_year = ev["team_cases"] / years
        return per_year * (f.value - f.norm)
    if f.unit == "per_case":
        return n_cases * (f.value - f.norm) * MAX_ROUND_DAYS / years
    if f.kind == "deadline" and "days_beyond_90_per_case" in ev:
        return ev["cases"] * ev["days_beyond_90_per_case"] / years
    if f.kind == "batching":  # events × the larger of the weekly release's 2.5 days per excess share and the own excess wait
        return ev["events"] / years * max((f.value - f.norm) * 2.5, ev["own_excess_wait_days"] / ev["events"])
    return None


def test_no_finding_claims_more_than_its_figure_explains(net) -> None:
    """Every finding of every office (each pattern planted in its own office): impact before netting ≤
    what its value, norm and cases explain (``explained``); single points of failure included, whose
    folded waits used to raise the claim beyond their own queue's excess, deadline shares and case types
    past three months folding waits, and weekly batching absorbing a wait."""
    from procmine.analyse.detectors.base import OfficeData

    sim, res = net
    checked = set()
    for office, fs in res.findings.items():
        d = OfficeData.build(office, sim.logs[office])
        for f in fs:
            bound = explained(f, d.years, d.ea.n_cases)
            if bound is None or f.impact == 0.0:
                continue
            before = f.evidence.get("impact_before_netting", f.impact)
            assert before <= bound * (1 + 1e-9) + 1e-9, (office, f.rank, f.pattern, before, bound)
            checked.add(f.pattern)
    assert {"single_point", "team_shortage", "stuck_minority", "appointment_backlog", "document_loops",
            "deadline_share", "priority_starvation", "weekly_batching"} <= checked, checked
