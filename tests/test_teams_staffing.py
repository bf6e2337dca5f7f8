"""Hand-computed checks of team merging, hand-overs, weekday batching, seasonality, starvation, KGSt FTE."""

from __future__ import annotations

import pandas as pd
import pytest

from procmine.analyse.staffing import StaffingAssumptions, kgst_staffing
from procmine.analyse.teams import (
    OTHER_TEAMS,
    monthly_arrivals,
    priority_starvation,
    team_groups,
    team_handovers,
    team_load,
    weekday_profile,
)

from conftest import key_log

# team Big has 5 staff ids (b1..b5), team Tiny 2 (t1, t2). Dates: 2024-01 (Mon 1.1. holiday ignored here)
ROWS = [
    ("c1", "application_received", "2024-01-02 09:00Z", "Big", "b1", "NE"),        # Tue
    ("c1", "case_handed_over", "2024-01-03 09:00Z", "Tiny", "t1", "NE"),
    ("c1", "decision_approved", "2024-01-09 09:00Z", "Big", "b2", "NE"),           # Tue
    ("c1", "case_closed", "2024-01-31 09:00Z", "Big", "b2", "NE"),
    ("c2", "application_received", "2024-01-04 09:00Z", "Big", "b3", "DUL"),
    ("c2", "decision_approved", "2024-01-16 09:00Z", "Big", "b4", "DUL"),          # Tue
    ("c2", "case_closed", "2024-01-11 10:00Z", "Big", "b4", "DUL"),
    ("c3", "application_received", "2024-02-05 09:00Z", "Big", "b5", "DUL"),
    ("c3", "decision_rejected", "2024-02-08 09:00Z", "Tiny", "t2", "DUL"),         # Thu
    ("c3", "case_closed", "2024-02-09 09:00Z", "Tiny", "t2", "DUL"),
]


@pytest.fixture
def log() -> pd.DataFrame:
    # rows: (case, key, end UTC text, team, resource, case_type) -> sorted canonical completion-only log
    return key_log(ROWS, columns=("case_id", "activity_key", "end", "team", "resource", "case_type"), sort=True)


def test_small_teams_are_merged_or_suppressed(log: pd.DataFrame) -> None:
    g = team_groups(log)
    assert set(g.dropna()) == {"Big", OTHER_TEAMS}
    assert (g == OTHER_TEAMS).sum() == 3  # the three Tiny rows
    assert team_groups(log, suppress=True).isna().sum() == 3
    assert set(team_groups(log, min_resources=2).dropna()) == {"Big", "Tiny"}
    load = team_load(log).set_index("team")
    assert "Tiny" not in load.index
    # Big: 7 events, 5 staff ids; cases by dominant team: c1 Big (3 of 4), c2 Big, c3 Tiny (2 of 3) -> merged
    assert load.loc["Big", "events"] == 7 and load.loc["Big", "staff_ids"] == 5
    assert load.loc["Big", "cases"] == 2 and load.loc[OTHER_TEAMS, "cases"] == 1
    assert pd.isna(load.loc["Big", "utilisation"])  # completion-only: no service time, no invented utilisation


def test_team_handovers(log: pd.DataFrame) -> None:
    ho = team_handovers(log, min_resources=2).set_index(["from_team", "to_team"])
    # c1: Big->Tiny, Tiny->Big; c3: Big->Tiny -> Big->Tiny 2 (2 cases), Tiny->Big 1
    assert ho.loc[("Big", "Tiny"), "handovers"] == 2 and ho.loc[("Big", "Tiny"), "cases"] == 2
    assert ho.loc[("Tiny", "Big"), "handovers"] == 1
    assert abs(ho["share"].sum() - 1) < 1e-12


def test_weekday_profile_of_decisions(log: pd.DataFrame) -> None:
    wp = weekday_profile(log)
    # decisions: Tue 9.1., Tue 16.1., Thu 8.2. -> Tue 2/3, Thu 1/3
    assert wp.basis == "decisions" and wp.events == 3
    assert wp.top_weekday == 1 and abs(wp.top_share - 2 / 3) < 1e-12
    # hhi = 4/9 + 1/9 = 5/9; k = 2 days -> (5/9 - 1/2) / (1/2) = 1/9
    assert abs(wp.hhi - 5 / 9) < 1e-12 and abs(wp.concentration - 1 / 9) < 1e-12


def test_monthly_arrivals_and_seasonal_index(log: pd.DataFrame) -> None:
    ma = monthly_arrivals(log).set_index(["month", "case_type"])
    # arrivals: NE Jan 1, Feb 0; DUL Jan 1, Feb 1 -> NE index 2.0 / 0.0, DUL 1.0 / 1.0
    assert ma.loc[("2024-01", "NE"), "arrivals"] == 1 and ma.loc[("2024-02", "NE"), "arrivals"] == 0
    assert ma.loc[("2024-01", "NE"), "seasonal_index"] == 2.0
    assert ma.loc[("2024-02", "DUL"), "seasonal_index"] == 1.0


def test_priority_starvation(log: pd.DataFrame) -> None:
    ps = priority_starvation(log).set_index("case_type")
    # times in system: c1 2.1.->31.1. = 29 d (NE); c2 4.1. 09:00 -> 16.1. 09:00 = 12 d; c3 5.2.->9.2. = 4 d
    # overall median 12 d; NE median 29 -> ratio 29/12
    assert ps.loc["NE", "median_days"] == 29.0
    assert ps.loc["DUL", "median_days"] == 8.0  # (12 + 4) / 2
    assert abs(ps.loc["NE", "median_ratio"] - 29 / 12) < 1e-12


def test_kgst_staffing_by_hand(log: pd.DataFrame) -> None:
    a = StaffingAssumptions(touch_minutes={"NE": 90.0, "DUL": 30.0}, allowance=0.15, annual_hours_per_fte=1600)
    r = kgst_staffing(log, a, actual_fte=0.01, period_days=365.0)
    # one year: NE 1 × 90 + DUL 2 × 30 = 150 min × 1.15 = 172.5 min / 96,000 min per FTE = 0.00179688 FTE
    assert abs(r.fte_needed - 172.5 / 96000) < 1e-12
    assert abs(r.gap_fte - (172.5 / 96000 - 0.01)) < 1e-12 and not r.actual_fte_is_estimate
    pct = r.per_case_type.set_index("case_type")
    assert pct.loc["DUL", "annual_minutes"] == 60.0
    # half a year of data doubles the annual volume
    r2 = kgst_staffing(log, a, period_days=182.5)
    assert abs(r2.fte_needed - 2 * 172.5 / 96000) < 1e-12
    # without a given figure: 7 distinct staff ids, marked as an estimate
    assert r2.actual_fte == 7.0 and r2.actual_fte_is_estimate
    # default assumptions come from the catalogue (NE 90, DUL 30 minutes)
    r3 = kgst_staffing(log, period_days=365.0)
    assert abs(r3.fte_needed - 172.5 / 96000) < 1e-12
