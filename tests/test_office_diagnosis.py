"""Issue-5 office profile: hand-made logs with values computed by hand, completion-only logs, and the
real public receipt log (no catalogue keys) degrading to empty tables with German notes."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import pytest

from procmine.analyse import analyse_office
from procmine.analyse.diagnosis import diagnose_office, small_merged_teams, step_queue_summary, transition_times
from procmine.analyse.time import step_times

from conftest import PUBLIC_DATA, berlin_log, from_pm4py

SHARED = PUBLIC_DATA
H = 3600.0
DAY = 86400.0


# rows: (case, activity, key, start, end, team, resource, case_type); times are local Berlin
_log = partial(berlin_log, columns=["case_id", "activity", "activity_key", "start", "end", "team", "resource", "case_type"],
               source_file="o.csv")


# May/June 2024, Berlin summer time. Whit Monday 20.05.2024 is a public holiday in Sachsen-Anhalt (ST);
# Corpus Christi 30.05.2024 is not.
ROWS = [
    # case a: BA consent requested Mon 13.05. 11:00, granted Mon 03.06. 11:00 (21 days; norm 14), closed
    ("a", "Antrag eingegangen", "application_received", "2024-05-13 09:00", "2024-05-13 09:00", "T1", "r1", "AE_EMP"),
    ("a", "Zustimmung BA angefragt", "ba_consent_requested", "2024-05-13 10:00", "2024-05-13 11:00", "T1", "r1", "AE_EMP"),
    ("a", "Zustimmung BA erteilt", "ba_consent_granted", "2024-06-03 11:00", "2024-06-03 11:00", "T1", "r1", "AE_EMP"),
    ("a", "Vorgang abgeschlossen", "case_closed", "2024-06-03 12:00", "2024-06-03 13:00", "T1", "r1", "AE_EMP"),
    # case b: two document requests, still open at the end of the log
    ("b", "Antrag eingegangen", "application_received", "2024-05-14 09:00", "2024-05-14 09:00", "T1", "r1", "AE_EXT"),
    ("b", "Unterlagen nachgefordert", "documents_requested", "2024-05-14 14:00", "2024-05-14 15:00", "T1", "r1", "AE_EXT"),
    ("b", "Unterlagen eingegangen", "documents_received", "2024-05-15 10:00", "2024-05-15 10:00", "T1", "r1", "AE_EXT"),
    ("b", "Unterlagen nachgefordert", "documents_requested", "2024-05-15 11:00", "2024-05-15 11:30", "T1", "r1", "AE_EXT"),
]


@pytest.fixture(scope="module")
def profile():
    return diagnose_office(_log(ROWS))


def test_waiting_and_service_in_calendar_and_working_time(profile):
    at = profile.activity_times.set_index("activity")
    ba = at.loc["Zustimmung BA angefragt"]
    # waiting 09:00 -> 10:00 (inside opening hours 8-16): 1 h both ways; service 10:00 -> 11:00: 1 h
    assert ba["waiting_calendar_median_s"] == H and ba["waiting_working_median_s"] == H
    assert ba["service_calendar_median_s"] == H and ba["service_working_median_s"] == H
    assert ba["time_basis"] == "interval"
    tt = profile.transition_times.set_index(["from", "to"])
    docs = tt.loc[("Unterlagen nachgefordert", "Unterlagen eingegangen")]
    # Tue 15:00 -> Wed 10:00: 19 h of calendar time, 1 h (Tue 15-16) + 2 h (Wed 8-10) of office time
    assert docs["waiting_calendar_median_s"] == 19 * H
    assert docs["waiting_working_median_s"] == 3 * H
    assert docs["count"] == 1
    assert profile.time_basis == "interval" and profile.unavailable.get("time") is None


def test_external_wait_with_holiday_and_deemed_consent_not_applied(profile):
    ext = profile.external_summary.set_index("wait")
    ba = ext.loc["ba_consent"]
    assert ba["answered"] == 1 and ba["open"] == 0
    assert ba["median_days"] == pytest.approx(21.0)
    # Mon 13.05. 11-16 = 5 h; Tue 14.05.-Fri 31.05. = 14 weekdays minus Whit Monday = 13 days x 8 h = 104 h;
    # Mon 03.06. 8-11 = 3 h -> 112 working hours
    assert ba["median_working_h"] == pytest.approx(112.0)
    assert ba["share_over_norm"] == 1.0 and ba["norm_days"] == 14.0
    assert "BeschV" in ext.loc["ba_consent", "source"]
    c = profile.ba_consent
    assert (c.requests, c.deemed, c.deemed_not_applied) == (1, 0, 1)
    assert c.excess_days_not_applied == pytest.approx(7.0)  # 21 - 14
    party = profile.waiting_by_party.groupby("wait_party")["calendar_s"].sum()
    # external: the 21 days before the BA answer; applicant: the 19 h before the documents came in
    assert party["external"] == pytest.approx(21 * DAY)
    assert party["applicant"] == pytest.approx(19 * H)
    # office: a 1 h (09->10) + 1 h (11:00 -> 12:00 close) ; b 5 h (09 -> 14) + 1 h (10 -> 11)
    assert party["office"] == pytest.approx(8 * H)


def test_rework_visits_and_first_time_right(profile):
    rw = profile.rework
    # b repeats "Unterlagen nachgefordert" (2 rounds), a has none: 1 of 2 cases reworked, 1 of 2 first time right
    assert rw["rework_share"] == 0.5
    assert rw["document_rounds_mean"] == 1.0  # (0 + 2) / 2
    assert rw["first_time_right_share"] == 0.5
    assert rw["visits_mean"] == 0.0
    by_ct = profile.rework_by_case_type.set_index("case_type")
    assert by_ct.loc["AE_EXT", "document_rounds_mean"] == 2.0 and by_ct.loc["AE_EMP", "first_time_right_share"] == 1.0
    rep = profile.activity_repeats.set_index("activity")
    assert rep.loc["Unterlagen nachgefordert", "cases_with_repeat"] == 1


def test_queues_open_ages_and_deadlines(profile):
    # a is closed (last key case_closed), b open; as of 03.06. 13:00, b is 20 days old -> "< 1 Monat"
    ages = profile.open_ages.set_index("age_band")["cases"]
    assert ages.to_dict() == {"< 1 Monat": 1, "1–3 Monate": 0, "> 3 Monate": 0}
    assert profile.inaction.open_cases == 1 and profile.inaction.open_over_limit == 0
    assert profile.closed_rule in ("keys", "activity_key", "given")
    f = profile.flow_weekly
    # week of 13.05.: 2 arrivals; week of 03.06.: a completes -> WIP 2 then 1
    assert f["arrivals"].sum() == 2 and f["completions"].sum() == 1
    assert f["wip"].iloc[0] == 2 and f["wip"].iloc[-1] == 1
    assert len(f) == 4  # weeks of 13.05., 20.05., 27.05., 03.06.


def test_step_queue_trend_is_fit_per_step():
    flow = pd.DataFrame(
        {"activity": ["x"] * 8 + ["y"] * 2, "period": list(range(8)) + [0, 1], "arrivals": 1, "completions": 0,
         "wip": [10, 12, 14, 16, 18, 20, 22, 24, 1, 1]}
    )
    out = step_queue_summary(flow).set_index("activity")
    assert out.loc["x", "slope_per_week"] == pytest.approx(2.0)  # a straight line: +2 per week
    assert bool(out.loc["x", "growing"]) and out.loc["x", "mean_wip"] == 17.0
    assert np.isnan(out.loc["y", "slope_per_week"])  # 2 weeks are too few for a trend


def test_completion_only_log_has_no_service_time():
    p = diagnose_office(_log(ROWS, with_start=False))
    assert p.time_basis == "completion_only"
    assert p.unavailable["time"] == ("completion_only",)
    at = p.activity_times.set_index("activity")
    assert at["service_calendar_median_s"].isna().all()
    # gap BA requested (11:00) -> granted (03.06. 11:00) = 21 days of calendar time
    assert at.loc["Zustimmung BA erteilt", "gap_calendar_median_s"] == 21 * DAY
    tt = transition_times(step_times(_log(ROWS, with_start=False)))
    assert set(tt["time_basis"]) == {"completion_only"}


def test_teams_merged_when_small_and_staffing_estimate(profile):
    # one team with one staff id: below 5, merged into "Sonstige Teams" and, still small, left out
    assert small_merged_teams(_log(ROWS)) == {"Sonstige Teams"}
    assert profile.team_load.empty and profile.rework_by_team.empty
    s = profile.staffing
    assert s.actual_fte == 1.0 and s.actual_fte_is_estimate  # one distinct staff id
    # volume: 2 cases over 21.17 days (13.05. 09:00 -> 03.06. 13:00) scaled to 365 days
    days = (21 * DAY + 4 * H) / DAY
    minutes = 75 + 45  # AE_EMP 75 min, AE_EXT 45 min (catalogue touch minutes)
    assert s.fte_needed == pytest.approx(minutes * 365 / days * 1.15 / (1600 * 60))


def test_actual_fte_is_passed_through():
    a = analyse_office(_log(ROWS), discover=False, actual_fte=3.5)
    s = a.diagnosis.staffing
    assert s.actual_fte == 3.5 and not s.actual_fte_is_estimate
    assert s.gap_fte == pytest.approx(s.fte_needed - 3.5)


def _receipt() -> pd.DataFrame:
    raw = pd.read_csv(SHARED / "receipt.csv", dtype=str)
    return from_pm4py(raw, office="receipt", source_file="receipt.csv", as_text=False)


def test_receipt_log_degrades_gracefully():
    log = _receipt()
    a = analyse_office(log, discover=False)
    p = a.diagnosis
    assert not p.keyed and p.time_basis == "completion_only"
    assert p.unavailable["rework"] == ("no_keys",) and p.unavailable["external"] == ("no_keys",)
    assert p.external_summary.empty and p.fkv_deadlines.empty and p.ba_consent.requests == 0
    assert np.isnan(p.rework["document_rounds_mean"]) and p.rework["rework_share"] > 0
    # what needs no keys still works: gaps per activity, weekly flow, open ages, weekday profile
    assert p.activity_times["events"].sum() == len(log)
    assert p.flow_weekly["arrivals"].sum() == a.cases
    assert p.weekday.basis == "all_events" and p.weekday.events == len(log)
    assert p.staffing is None and p.unavailable["staffing"] == ("no_case_types",)
