"""Hand-computed checks of external waits (BA, security, eAT), deemed consent, uncollected cards,
the external/internal split, inaction risk, § 81a deadlines and Fiktionsbescheinigung churn."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import pytest

from procmine.analyse.deadlines import deadline_monthly, fiction_churn, fkv_deadlines, inaction_risk
from procmine.analyse.external import (
    ba_consent_check,
    external_wait_summary,
    external_waits,
    uncollected_cards,
    waiting_by_party,
)
from procmine.analyse.visits import activity_repeats, case_rework, rework_concentration, rework_summary

from conftest import key_log

D = 86400.0


# rows: (case, key, end UTC text, case_type) -> sorted canonical completion-only log of team T
make_log = partial(key_log, team="T", sort=True)

ROWS = [
    # e1: BA asked 1.3., granted explicitly 25.3. (24 d > 14, no deemed) -> deemed consent not applied
    ("e1", "application_received", "2024-03-01 08:00Z", "AE_EMP"),
    ("e1", "ba_consent_requested", "2024-03-01 09:00Z", "AE_EMP"),
    ("e1", "ba_consent_granted", "2024-03-25 09:00Z", "AE_EMP"),
    ("e1", "eat_ordered", "2024-03-26 09:00Z", "AE_EMP"),
    ("e1", "eat_received", "2024-04-23 09:00Z", "AE_EMP"),  # 28 d production
    ("e1", "eat_handed_over", "2024-04-30 09:00Z", "AE_EMP"),  # 7 d to handover
    ("e1", "case_closed", "2024-04-30 10:00Z", "AE_EMP"),
    # e2: BA asked 4.3., deemed 18.3. (14 d, not over), security 4.3. -> 3.4. (30 d, not over 30)
    ("e2", "application_received", "2024-03-04 08:00Z", "AE_EMP"),
    ("e2", "ba_consent_requested", "2024-03-04 09:00Z", "AE_EMP"),
    ("e2", "security_check_requested", "2024-03-04 10:00Z", "AE_EMP"),
    ("e2", "ba_consent_deemed", "2024-03-18 09:00Z", "AE_EMP"),
    ("e2", "security_check_completed", "2024-04-03 10:00Z", "AE_EMP"),
    ("e2", "eat_ordered", "2024-04-04 09:00Z", "AE_EMP"),
    ("e2", "eat_received", "2024-05-20 09:00Z", "AE_EMP"),  # 46 d > 42; never handed over (open 41 d)
    # f1: § 81a, BA 5 d (met 7), recognition asked 2.4. never decided (open 88 d > 60)
    ("f1", "application_received", "2024-04-01 08:00Z", "FKV_81A"),
    ("f1", "ba_consent_requested", "2024-04-01 09:00Z", "FKV_81A"),
    ("f1", "recognition_requested", "2024-04-02 09:00Z", "FKV_81A"),
    ("f1", "ba_consent_granted", "2024-04-06 09:00Z", "FKV_81A"),
    ("f1", "fiction_certificate_issued", "2024-04-10 09:00Z", "FKV_81A"),
    ("f1", "fiction_certificate_extended", "2024-05-10 09:00Z", "FKV_81A"),
    ("f1", "fiction_certificate_extended", "2024-06-10 09:00Z", "FKV_81A"),
    ("f1", "documents_requested", "2024-06-11 09:00Z", "FKV_81A"),
    ("f1", "checked_in", "2024-06-20 07:00Z", "FKV_81A"),
    ("f1", "appearance_completed", "2024-06-20 08:00Z", "FKV_81A"),  # same day: one visit
    ("f1", "documents_requested", "2024-06-21 09:00Z", "FKV_81A"),
    ("f1", "appearance_completed", "2024-06-29 09:00Z", "FKV_81A"),  # second visit; log ends 29.6. 09:00Z
]


@pytest.fixture
def log() -> pd.DataFrame:
    return make_log(ROWS)


def test_paired_waits_and_norms(log: pd.DataFrame) -> None:
    w = external_waits(log)
    ba = w[w["wait"] == "ba_consent"].set_index("case_id")
    assert ba.loc["e1", "wait_days"] == 24.0 and bool(ba.loc["e1", "over_norm"])
    assert ba.loc["e2", "wait_days"] == 14.0 and not bool(ba.loc["e2", "over_norm"])
    assert ba.loc["e2", "to_key"] == "ba_consent_deemed"
    assert ba.loc["f1", "norm_days"] == 7.0 and ba.loc["f1", "wait_days"] == 5.0  # § 81a: one week
    sec = w[w["wait"] == "security_check"]
    assert sec["wait_days"].tolist() == [30.0] and not sec["over_norm"].any()
    prod = w[w["wait"] == "eat_production"].set_index("case_id")
    assert prod.loc["e1", "wait_days"] == 28.0 and prod.loc["e2", "wait_days"] == 46.0
    assert bool(prod.loc["e2", "over_norm"]) and prod.loc["e2", "norm_days"] == 42.0
    ho = w[w["wait"] == "eat_handover"].set_index("case_id")
    assert not ho.loc["e1", "open"] and ho.loc["e1", "wait_days"] == 7.0
    assert bool(ho.loc["e2", "open"]) and ho.loc["e2", "wait_days"] == 40.0  # 20.5. -> 29.6. = 40 d
    # working time beside calendar time: e1 BA Fri 1.3. 10:00 CET -> Mon 25.3. 10:00 CET:
    # 6 h on 1.3. + 15 full working days 4.3.-22.3. × 8 h + 2 h on 25.3. = 128 h
    assert ba.loc["e1", "wait_working_s"] == 128 * 3600
    s = external_wait_summary(w).set_index("wait")
    assert s.loc["ba_consent", "answered"] == 3 and abs(s.loc["ba_consent", "share_over_norm"] - 1 / 3) < 1e-12
    assert s.loc["eat_handover", "open"] == 1 and s.loc["eat_handover", "open_over_norm"] == 1


def test_ba_deemed_consent_not_applied(log: pd.DataFrame) -> None:
    b = ba_consent_check(log)
    assert (b.requests, b.answered, b.deemed, b.deemed_not_applied) == (3, 3, 1, 1)
    assert b.excess_days_not_applied == 10.0  # 24 d - 14 d


def test_uncollected_cards_by_age(log: pd.DataFrame) -> None:
    u = uncollected_cards(log).set_index("age_band")["cards"]
    assert u["30–90 Tage"] == 1 and u.sum() == 1
    assert uncollected_cards(log, as_of=pd.Timestamp("2024-05-25 09:00Z")).set_index("age_band")["cards"]["< 14 Tage"] == 1


def test_external_and_internal_waiting_are_separated(log: pd.DataFrame) -> None:
    p = waiting_by_party(log).set_index("wait_party")
    # external gaps (before BA answers, security answer, eAT receipt): e1 24 + 28; e2 14 (deemed, after
    # the security request 1 h later: 14 d - 1 h), 18.3. 09:00 -> 3.4. 10:00 = 16 d + 1 h (security
    # answer after the deemed event), 46 d; f1 BA answer 4 d after the recognition request -> sum
    ext = (24 + 28 + (14 - 1 / 24) + (16 + 1 / 24) + 46 + 4) * D
    assert abs(p.loc["external", "calendar_s"] - ext) < 1e-6
    assert {"external", "office"} <= set(p.index)
    assert abs(p["share_calendar"].sum() - 1) < 1e-12


def test_inaction_risk_and_monthly_trend(log: pd.DataFrame) -> None:
    r = inaction_risk(log)
    # as of 29.6.: e1 closed; e2 open since 4.3. (117 d) -> over 90; f1 open since 1.4. (89 d) -> not yet
    assert (r.open_cases, r.open_over_limit) == (2, 1) and r.share_over_limit == 0.5
    m = r.monthly.set_index("month")
    # end of May: e2 open ~88.6 d -> 0 over (e1 would pass 90 d on 30.5. but closed on 30.4.); end of June (as_of 29.6. 09:00Z): e2 117 d -> 1
    assert m.loc["2024-05", "open_over_limit"] == 0 and m.loc["2024-06", "open_over_limit"] == 1
    assert m.loc["2024-03", "open_cases"] == 2 and m.loc["2024-04", "open_cases"] == 2  # e1 closes 30.4.
    assert m.loc["2024-04", "closed"] == 1
    dm = deadline_monthly(log).set_index("month")
    assert dm.loc["2024-05", "fiction_extended"] == 1 and dm.loc["2024-04", "fiction_issued"] == 1


def test_fkv_81a_deadlines(log: pd.DataFrame) -> None:
    f = fkv_deadlines(log).set_index("deadline")
    assert f.loc["ba_consent_81a", "met"] == 1 and f.loc["ba_consent_81a", "share_met"] == 1.0
    # recognition asked 2.4. 09:00Z, unanswered on 29.6. 09:00Z: 88 d > 60 -> open and overdue
    assert f.loc["recognition", "cases"] == 1 and f.loc["recognition", "open_overdue"] == 1
    assert np.isnan(f.loc["recognition", "share_met"])


def test_fiction_churn(log: pd.DataFrame) -> None:
    fc = fiction_churn(log)
    assert (fc.cases, fc.cases_with_certificate, fc.cases_multiple_renewals) == (3, 1, 1)
    assert fc.renewals_per_certificate_case == 2.0 and abs(fc.certificate_share - 1 / 3) < 1e-12


def test_rework_visits_and_first_time_right(log: pd.DataFrame) -> None:
    pc = case_rework(log).per_case.set_index("case_id")
    # f1: documents requested twice; visits on 20.6. (check-in + appearance) and 29.6. -> 2 visits
    assert pc.loc["f1", "document_rounds"] == 2 and pc.loc["f1", "visits"] == 2
    # repeats in f1: 2nd extension, 2nd documents_requested, 2nd appearance -> 3; self-loop: extended twice in a row
    assert pc.loc["f1", "repeats"] == 3 and pc.loc["f1", "self_loops"] == 1
    assert pc["first_time_right"].tolist() == [True, True, False]
    s = rework_summary(case_rework(log).per_case)
    assert abs(s["first_time_right_share"] - 2 / 3) < 1e-12 and abs(s["rework_share"] - 1 / 3) < 1e-12
    rc = rework_concentration(case_rework(log).per_case, by="case_type").set_index("case_type")
    assert rc.loc["FKV_81A", "first_time_right_share"] == 0.0 and abs(rc.loc["FKV_81A", "ftr_gap"] + 2 / 3) < 1e-12
    ar = activity_repeats(log).set_index("activity")
    assert ar.loc["documents_requested", "cases_with_repeat"] == 1


def test_without_keys_everything_degrades_to_empty_or_nan(log: pd.DataFrame) -> None:
    log = log.copy()
    log["activity_key"] = pd.Series(pd.NA, index=log.index, dtype="category")
    assert external_waits(log).empty and list(external_waits(log).columns)[:2] == ["wait", "case_id"]
    assert ba_consent_check(log).requests == 0
    assert fkv_deadlines(log).empty
    assert fiction_churn(log).cases_with_certificate == 0
    r = case_rework(log)
    assert r.note and r.per_case["visits"].isna().all()
    assert uncollected_cards(log)["cards"].sum() == 0


@pytest.fixture(scope="module")
def network() -> dict[str, pd.DataFrame]:
    synth = pytest.importorskip("procmine.synth")
    if not hasattr(synth, "simulate_network"):
        pytest.skip("synthetic generator not available")
    return synth.simulate_network(cases_per_office=300, months=12, seed=11).logs


def test_planted_patterns_show_up_in_the_synthetic_network(network: dict[str, pd.DataFrame]) -> None:
    """ABH-03 ba_wait, ABH-04 fiction_churn, ABH-05 document_loops, ABH-09 visa_consent_queue stand out."""
    ba = {o: ba_consent_check(log) for o, log in network.items()}
    assert ba["ABH-03"].deemed_not_applied_share > 0.5
    assert ba["ABH-08"].deemed_not_applied_share < 0.2  # control office
    fc = {o: fiction_churn(log).renewals_per_certificate_case for o, log in network.items()}
    assert max(fc, key=lambda o: fc[o]) == "ABH-04"
    ftr = {o: rework_summary(case_rework(log).per_case)["first_time_right_share"] for o, log in network.items()}
    assert min(ftr, key=lambda o: ftr[o]) == "ABH-05"
    visa = {o: external_wait_summary(external_waits(log)).set_index("wait").loc["visa_consent", "median_days"] for o, log in network.items()}
    # both ABH-09 (pattern 12) and ABH-04 (pattern 8 also starves VISA_CONSENT) give visa consent low priority
    assert set(sorted(visa, key=lambda o: visa[o])[-2:]) == {"ABH-04", "ABH-09"}


def test_pairing_first_answer_per_request_within_the_case() -> None:
    """Each request takes the first answer at or after it in its own case; a second request before
    that answer is dropped (the wait started at the first); a request after the last answer stays open."""
    rows = [
        ("a", "security_check_requested", "2024-03-01 09:00Z", "AE_EMP"),
        ("a", "security_check_requested", "2024-03-03 09:00Z", "AE_EMP"),  # same answer as 1.3.: dropped
        ("a", "security_check_completed", "2024-03-11 09:00Z", "AE_EMP"),  # 10 d after 1.3.
        ("a", "security_check_requested", "2024-03-20 09:00Z", "AE_EMP"),  # answered at the same instant
        ("a", "security_check_completed", "2024-03-20 09:00Z", "AE_EMP"),
        ("a", "security_check_requested", "2024-03-25 09:00Z", "AE_EMP"),  # no answer after it: open
        ("b", "security_check_requested", "2024-03-02 09:00Z", "AE_EMP"),  # a's answers are not b's
        ("b", "security_check_completed", "2024-03-09 09:00Z", "AE_EMP"),  # 7 d
        ("b", "case_closed", "2024-03-30 09:00Z", "AE_EMP"),  # log ends 30.3.
    ]
    w = external_waits(make_log(rows))
    got = sorted(zip(w["case_id"].astype(str), w["from_time"].dt.day, w["open"], w["wait_days"]))
    assert got == [("a", 1, False, 10.0), ("a", 20, False, 0.0), ("a", 25, True, 5.0), ("b", 2, False, 7.0)]
    assert w["from_time"].is_monotonic_increasing  # requests in time order, as merge_asof returned them
