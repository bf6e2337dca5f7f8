"""Hand-computed checks of waiting vs service time and of working time (DST, holidays, day precision)."""

from __future__ import annotations

from datetime import date, time

import numpy as np
import pandas as pd
import pytest

from procmine.analyse.time import (
    OfficeCalendar,
    activity_times,
    calendar_seconds,
    case_times,
    step_times,
    working_seconds,
)

from conftest import PUBLIC_DATA, from_pm4py
from conftest import step_log as make_log

H = 3600.0


DEFAULT_CALENDAR = OfficeCalendar()


def ws(start: str, end: str, cal: OfficeCalendar = DEFAULT_CALENDAR, whole: bool = False) -> float:
    """Working hours between two UTC instants."""
    s = pd.Series(pd.to_datetime([start], utc=True))
    e = pd.Series(pd.to_datetime([end], utc=True))
    return float(working_seconds(s, e, cal, np.array([whole]))[0]) / H


def test_working_time_same_day_clipped_to_office_hours() -> None:
    # Tue 2024-05-14 05:00Z = 07:00 CEST .. 15:00Z = 17:00 CEST -> office 08:00-16:00 = 8 h
    assert ws("2024-05-14 05:00Z", "2024-05-14 15:00Z") == 8.0
    # 09:30 -> 11:15 CEST = 1.75 h
    assert ws("2024-05-14 07:30Z", "2024-05-14 09:15Z") == 1.75


def test_working_time_over_weekend() -> None:
    # Fri 2024-05-10 15:00 CEST -> Mon 2024-05-13 09:00 CEST: 1 h Fri + 1 h Mon = 2 h
    assert ws("2024-05-10 13:00Z", "2024-05-13 07:00Z") == 2.0


def test_working_time_across_dst_change_and_easter_holidays() -> None:
    # Thu 2024-03-28 14:00Z = 15:00 CET (winter) -> Tue 2024-04-02 07:00Z = 09:00 CEST (summer).
    # Thu 15-16 = 1 h; Fri 29.3. Good Friday and Mon 1.4. Easter Monday are holidays; Sat/Sun closed;
    # Tue 08-09 = 1 h -> 2 h working. Calendar: 5 days - 7 h = 113 h (UTC arithmetic).
    assert ws("2024-03-28 14:00Z", "2024-04-02 07:00Z") == 2.0
    s = pd.Series(pd.to_datetime(["2024-03-28 14:00Z"], utc=True))
    e = pd.Series(pd.to_datetime(["2024-04-02 07:00Z"], utc=True))
    assert calendar_seconds(s, e)[0] / H == 113.0
    # Sat 30.3. 12:00 CET -> Mon 1.4. 12:00 CEST spans the spring-forward night: 47 h elapsed
    s = pd.Series(pd.to_datetime(["2024-03-30 11:00Z"], utc=True))
    e = pd.Series(pd.to_datetime(["2024-04-01 10:00Z"], utc=True))
    assert calendar_seconds(s, e)[0] / H == 47.0


def test_dst_autumn_office_hours_stay_on_wall_clock() -> None:
    # Fri 2024-10-25 14:00 CEST (12:00Z) -> Mon 2024-10-28 10:00 CET (09:00Z): clocks went back on Sunday.
    # Fri 14-16 = 2 h + Mon 08-10 = 2 h = 4 h; elapsed: 69 h real (25 h Sunday)
    assert ws("2024-10-25 12:00Z", "2024-10-28 09:00Z") == 4.0
    s = pd.Series(pd.to_datetime(["2024-10-25 12:00Z"], utc=True))
    e = pd.Series(pd.to_datetime(["2024-10-28 09:00Z"], utc=True))
    assert calendar_seconds(s, e)[0] / H == 69.0


def test_holidays_follow_the_land_and_extra_closed_days() -> None:
    # Reformation Day Thu 31.10.2024 is a holiday in Sachsen-Anhalt (ST) but not in Bavaria (BY).
    # Wed 30.10. 15:00 CET (14:00Z) -> Fri 1.11. 09:00 CET (08:00Z); 1.11. All Saints: holiday in BY, not ST.
    # ST: Wed 1 h + Thu 0 + Fri 1 h = 2 h.  BY: Wed 1 h + Thu 8 h + Fri 0 = 9 h.
    assert ws("2024-10-30 14:00Z", "2024-11-01 08:00Z", OfficeCalendar(land="ST")) == 2.0
    assert ws("2024-10-30 14:00Z", "2024-11-01 08:00Z", OfficeCalendar(land="BY")) == 9.0
    # an extra closed day (Brückentag) on Fri 1.11. in ST removes the Friday hour -> 1 h
    cal = OfficeCalendar(land="ST", extra_closed=(date(2024, 11, 1),))
    assert ws("2024-10-30 14:00Z", "2024-11-01 08:00Z", cal) == 1.0
    # other opening hours: 07:00-15:30 -> Wed 15:00-15:30 = 0.5 h + Fri 07:00-09:00 = 2 h
    cal = OfficeCalendar(land="ST", open_time=time(7, 0), close_time=time(15, 30))
    assert ws("2024-10-30 14:00Z", "2024-11-01 08:00Z", cal) == 2.5


def test_day_precision_counts_whole_working_days() -> None:
    # dates only: Thu 28.3.2024 -> Tue 2.4.2024: working days Thu (Fri, Mon holidays) = 1 day = 8 h
    assert ws("2024-03-27 23:00Z", "2024-04-01 22:00Z", whole=True) == 8.0
    # Fri 10.5. -> Mon 13.5.: 1 working day (Friday) = 8 h; same date -> 0
    assert ws("2024-05-09 22:00Z", "2024-05-12 22:00Z", whole=True) == 8.0
    assert ws("2024-05-09 22:00Z", "2024-05-09 22:00Z", whole=True) == 0.0


def test_end_before_start_and_missing_give_nan() -> None:
    s = pd.Series(pd.to_datetime(["2024-05-14 10:00Z", None], utc=True))
    e = pd.Series(pd.to_datetime(["2024-05-14 09:00Z", "2024-05-14 09:00Z"], utc=True))
    assert np.isnan(working_seconds(s, e)).all()


INTERVAL_ROWS = [
    # case a, Tue 14.5.2024 (CEST = UTC+2); local times in comments
    ("a", "receive", "2024-05-14 06:00Z", "2024-05-14 07:00Z"),  # 08-09
    ("a", "check", "2024-05-14 09:00Z", "2024-05-14 09:30Z"),  # 11-11:30: waits 2 h, serves 0.5 h
    ("a", "decide", "2024-05-15 06:30Z", "2024-05-15 08:30Z"),  # Wed 08:30-10:30: waits 11:30->08:30
    ("b", "receive", "2024-05-17 13:00Z", "2024-05-17 13:30Z"),  # Fri 15:00-15:30
    ("b", "check", "2024-05-21 06:00Z", "2024-05-21 07:00Z"),  # Tue 08-09 (Mon 20.5. Whit Monday)
]


def test_interval_log_waiting_and_service() -> None:
    st = step_times(make_log(INTERVAL_ROWS))
    # service: 1 h, 0.5 h, 2 h, 0.5 h, 1 h (all inside office hours, so working = calendar)
    assert st["service_calendar_s"].tolist() == [H, 0.5 * H, 2 * H, 0.5 * H, H]
    assert st["service_working_s"].tolist() == [H, 0.5 * H, 2 * H, 0.5 * H, H]
    # waiting a/check: 09:00 -> 11:00 = 2 h both ways
    assert st.loc[1, "waiting_calendar_s"] == 2 * H and st.loc[1, "waiting_working_s"] == 2 * H
    # waiting a/decide: Tue 11:30 -> Wed 08:30 = 21 h elapsed; working Tue 11:30-16 = 4.5 h + Wed 8-8:30 0.5 h = 5 h
    assert st.loc[2, "waiting_calendar_s"] == 21 * H
    assert st.loc[2, "waiting_working_s"] == 5 * H
    # waiting b/check: Fri 15:30 -> Tue 08:00 = 88.5 h elapsed; working 0.5 h (Mon is Whit Monday)
    assert st.loc[4, "waiting_calendar_s"] == 88.5 * H
    assert st.loc[4, "waiting_working_s"] == 0.5 * H
    # first steps have no waiting; the columns name both calendars
    assert np.isnan(st.loc[[0, 3], "waiting_calendar_s"]).all()
    assert (st["time_basis"] == "interval").all()
    for col in ("waiting_calendar_s", "waiting_working_s", "service_calendar_s", "service_working_s"):
        assert col in st.columns


def test_interval_case_totals() -> None:
    ct = case_times(make_log(INTERVAL_ROWS)).set_index("case_id")
    # case a: 08:00 Tue -> 10:30 Wed = 26.5 h; working 8 h Tue + 2.5 h Wed = 10.5 h
    assert ct.loc["a", "cycle_calendar_s"] == 26.5 * H
    assert ct.loc["a", "cycle_working_s"] == 10.5 * H
    # service a = 1 + 0.5 + 2 = 3.5 h; waiting a = 2 + 21 = 23 h (calendar), 2 + 5 = 7 h (working)
    assert ct.loc["a", "service_calendar_s"] == 3.5 * H
    assert ct.loc["a", "waiting_calendar_s"] == 23 * H
    assert ct.loc["a", "waiting_working_s"] == 7 * H
    # service + waiting = cycle (no overlap)
    assert ct.loc["a", "service_calendar_s"] + ct.loc["a", "waiting_calendar_s"] == ct.loc["a", "cycle_calendar_s"]
    assert ct.loc["a", "time_basis"] == "interval"


def test_completion_only_log_reports_gaps_not_service() -> None:
    rows = [(c, a, None, e) for c, a, _, e in INTERVAL_ROWS]
    log = make_log(rows)
    st = step_times(log)
    assert st["service_calendar_s"].isna().all() and st["waiting_calendar_s"].isna().all()
    assert (st["time_basis"] == "completion_only").all()
    # gap a/check: end 09:00 -> end 11:30 local = 2.5 h; a/decide: Tue 11:30 -> Wed 10:30 = 23 h, working 4.5 + 2.5 = 7 h
    assert st.loc[1, "gap_calendar_s"] == 2.5 * H
    assert st.loc[2, "gap_calendar_s"] == 23 * H
    assert st.loc[2, "gap_working_s"] == 7 * H
    at = activity_times(log).set_index("activity")
    assert at.loc["check", "time_basis"] == "completion_only"
    assert np.isnan(at.loc["check", "service_calendar_median_s"])
    # check gaps: 2.5 h (a) and Fri 15:30 -> Tue 09:00 = 89.5 h (b); median = 46 h
    assert at.loc["check", "gap_calendar_median_s"] == 46 * H


def test_parallel_steps_do_not_give_negative_waiting() -> None:
    rows = [("a", "x", "2024-05-14 06:00Z", "2024-05-14 09:00Z"), ("a", "y", "2024-05-14 07:00Z", "2024-05-14 10:00Z")]
    st = step_times(make_log(rows))
    assert st.loc[1, "waiting_calendar_s"] == 0.0


def test_real_interval_log_time_split_is_consistent() -> None:
    path = PUBLIC_DATA / "interval_event_log.csv"
    if not path.exists():
        pytest.skip("shared public logs not present")
    log = from_pm4py(pd.read_csv(path), start="start_timestamp", office="real", source_file=path.name)
    st = step_times(log)
    assert (st["service_calendar_s"] >= 0).all()
    assert (st["waiting_calendar_s"].dropna() >= 0).all()
    # working time never exceeds elapsed time
    assert (st["service_working_s"] <= st["service_calendar_s"] + 1e-6).all()
    ct = case_times(log)
    assert len(ct) == log["case_id"].nunique()
    assert (ct["cycle_working_s"] <= ct["cycle_calendar_s"] + 1e-6).all()


def test_working_seconds_local_matches_numpy_busday_functions() -> None:
    """The cumulative open-day table gives numpy's is_busday/busday_count results (random spans,
    Land holidays, date-only rows)."""
    from procmine.analyse.time import working_seconds_local

    rng = np.random.default_rng(7)
    n = 2000
    cal = OfficeCalendar(land="BY")
    ls = np.datetime64("2023-12-20T00:00", "us") + rng.integers(0, 40 * 86400, n).astype("timedelta64[s]")
    le = ls + rng.integers(-86400, 30 * 86400, n).astype("timedelta64[s]")
    whole = rng.random(n) < 0.3
    got = working_seconds_local(ls, le, cal, whole)
    d0, d1 = ls.astype("datetime64[D]"), le.astype("datetime64[D]")
    ok = le >= ls
    hol = cal.closed_days(2023, 2024)
    days = np.busday_count(d0[ok], d1[ok], weekmask=cal.weekmask, holidays=hol)
    assert np.isnan(got[~ok]).all()
    assert np.array_equal(got[ok][whole[ok]], days[whole[ok]] * float(cal.day_seconds))
    # Mon 8 Jan 2024 00:00 -> Wed 10 Jan 00:00: Monday (from before opening) and Tuesday, whole office days
    one = working_seconds_local(np.array(["2024-01-08T00:00"], dtype="datetime64[us]"),
                                np.array(["2024-01-10T00:00"], dtype="datetime64[us]"), cal)
    assert one[0] == 2 * float(cal.day_seconds)
