"""Statistics of the analysis stage on small hand-made logs whose answers are worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from procmine.analyse import analyse_office, open_cases, process_map, rework, service_times, stats, variants
from procmine.analyse.model import OfficeAnalysis
from procmine.schema import conform, sort_log, validate

DAY = 86_400.0


def _log(rows: list[tuple], start: bool = False) -> pd.DataFrame:
    """rows: (case, activity, key, end[, start], case_type) -> canonical log."""
    recs = []
    for i, r in enumerate(rows):
        if start:
            case, act, key, end, st, ct = r
        else:
            case, act, key, end, ct = r
            st = None
        recs.append(
            {"case_id": case, "activity": act, "activity_key": key, "start": st, "end": end,
             "precision": "minute", "office": "ABH-T", "case_type": ct, "event_seq": i,
             "source_file": "t.csv", "source_row": i + 2}
        )
    log = sort_log(conform(pd.DataFrame(recs)))
    validate(log)
    return log


AR, AS, DR, DA = "application_received", "appointment_scheduled", "documents_requested", "decision_approved"


@pytest.fixture
def completion_log() -> pd.DataFrame:
    # c1 closed after 30 d; c2 closed after 121 d (2024 is a leap year) with one repeated request;
    # c3 open, 61 d old at the log end (2024-05-01); c4 open, 120 d old.
    return _log(
        [
            ("c1", "Antrag", AR, "2024-01-01", "AE_EXT"),
            ("c1", "Termin", AS, "2024-01-11", "AE_EXT"),
            ("c1", "Bewilligt", DA, "2024-01-31", "AE_EXT"),
            ("c2", "Antrag", AR, "2024-01-01", "AE_EXT"),
            ("c2", "Nachforderung", DR, "2024-01-05", "AE_EXT"),
            ("c2", "Nachforderung", DR, "2024-01-15", "AE_EXT"),
            ("c2", "Bewilligt", DA, "2024-05-01", "AE_EXT"),
            ("c3", "Antrag", AR, "2024-03-01", "NE"),
            ("c3", "Termin", AS, "2024-03-11", "NE"),
            ("c4", "Antrag", AR, "2024-01-02", "NE"),
        ]
    )


def test_process_map_counts_and_waits(completion_log: pd.DataFrame) -> None:
    pm = process_map(completion_log).set_index(["from", "to"])
    # pairs: Antrag→Termin twice (10 d each), Termin→Bewilligt (20 d), Antrag→Nachforderung (4 d),
    # Nachforderung→Nachforderung (10 d), Nachforderung→Bewilligt (Jan 15 → May 1 = 107 d)
    assert len(pm) == 5
    assert pm.loc[("Antrag", "Termin"), "count"] == 2
    assert pm.loc[("Antrag", "Termin"), "mean_wait_s"] == pytest.approx(10 * DAY)
    assert pm.loc[("Termin", "Bewilligt"), "median_wait_s"] == pytest.approx(20 * DAY)
    assert pm.loc[("Nachforderung", "Bewilligt"), "mean_wait_s"] == pytest.approx(107 * DAY)
    assert pm.loc[("Nachforderung", "Nachforderung"), "count"] == 1
    assert pm.loc[("Antrag", "Termin"), "from_key"] == AR
    assert pm["count"].sum() == 6  # events (10) − cases (4)


def test_kpis_and_open_cases(completion_log: pd.DataFrame) -> None:
    res = analyse_office(completion_log, discover=False)
    assert isinstance(res, OfficeAnalysis)
    assert res.office == "ABH-T" and res.cases == 4 and res.events == 10 and not res.has_start
    k = res.kpis
    # closed durations 30 and 121 d: median 75.5, P90 = 30 + 0.9 · 91 = 111.9
    assert k["cycle_time_median_days"] == pytest.approx(75.5)
    assert k["cycle_time_p90_days"] == pytest.approx(111.9)
    # over 90 d: c2 (closed, 121 d) and c4 (open, 120 d) → 2 of 4
    assert k["share_cases_over_90_days"] == pytest.approx(0.5)
    assert (k["cases_closed"], k["cases_open"], k["open_over_90_days"]) == (2, 2, 1)
    assert k["rework_share"] == pytest.approx(0.25)
    assert k["variants_count"] == 4
    assert k["mean_events_per_case"] == pytest.approx(2.5)
    bt = res.kpis_by_case_type
    assert bt.loc["AE_EXT", "cycle_time_median_days"] == pytest.approx(75.5)
    assert np.isnan(bt.loc["NE", "cycle_time_median_days"])
    assert bt.loc["NE", "open_over_90_days"] == 1 and bt.loc["NE", "cases"] == 2
    oc = open_cases(completion_log).set_index("age_band")["cases"]
    assert oc.to_dict() == {"under_30_days": 0, "30_to_90_days": 1, "over_90_days": 1}
    # at 2024-03-05: c2 (64 d, closes later), c4 (63 d), c3 (4 d) open; c1 closed on 01-31
    oc_at = open_cases(completion_log, at=pd.Timestamp("2024-03-05", tz="UTC")).set_index("age_band")["cases"]
    assert oc_at.to_dict() == {"under_30_days": 1, "30_to_90_days": 2, "over_90_days": 0}
    assert res.start_activities == {"Antrag": 4}
    assert res.end_activities == {"Bewilligt": 2, "Termin": 1, "Antrag": 1}
    cd = res.case_durations.set_index("case_id")
    assert cd.loc["c2", "duration_s"] == pytest.approx(121 * DAY)
    assert cd["closed"].to_dict() == {"c1": True, "c2": True, "c3": False, "c4": False}


def test_rework_counts_cases_with_repeats(completion_log: pd.DataFrame) -> None:
    rw = rework(completion_log)
    assert rw["activity"].tolist() == ["Nachforderung"]
    assert rw["cases_with_repeat"].tolist() == [1]
    assert rw["share"].tolist() == [0.25]
    assert rw["extra_per_case"].tolist() == [1.0]


def test_closed_rule_without_keys_uses_silence() -> None:
    # no activity keys: within-case gaps 1,1,1,10 d → P90 = 1 + 0.6·9 = 6.4 d (numpy linear)
    # log end 2024-01-20: a (last 01-02) silent 18 d → closed; b (last 01-20) → open;
    # c (last 01-15) silent 5 d < 6.4 → open
    log = _log(
        [
            ("a", "X", None, "2024-01-01", None),
            ("a", "Y", None, "2024-01-02", None),
            ("b", "X", None, "2024-01-09", None),
            ("b", "Y", None, "2024-01-10", None),
            ("b", "Y", None, "2024-01-20", None),
            ("c", "X", None, "2024-01-14", None),
            ("c", "Y", None, "2024-01-15", None),
        ]
    )
    closed, rule = stats.closed_cases(log)
    assert rule == "time"
    assert closed.tolist() == [True, False, False]


def test_closed_rule_with_keys_but_no_closing_step_uses_silence() -> None:
    # catalogue keys, but none closes a case (a queue system's tickets): same silence rule as above
    rows = [("a", "X", "checked_in", "2024-01-01", None), ("a", "Y", "called", "2024-01-02", None),
            ("b", "X", "checked_in", "2024-01-09", None), ("b", "Y", "called", "2024-01-10", None),
            ("b", "Y", "called", "2024-01-20", None), ("c", "X", "checked_in", "2024-01-14", None),
            ("c", "Y", "called", "2024-01-15", None)]
    closed, rule = stats.closed_cases(_log(rows))
    assert (rule, closed.tolist()) == ("time", [True, False, False])
    # one closing step anywhere: the key rule holds, and only c (ending in it) is closed
    rows[-1] = ("c", "Y", "case_closed", "2024-01-15", None)
    closed, rule = stats.closed_cases(_log(rows))
    assert (rule, closed.tolist()) == ("activity_key", [False, False, True])


@pytest.fixture
def interval_log() -> pd.DataFrame:
    t = pd.Timestamp("2024-02-01 08:00", tz="UTC")
    h = pd.Timedelta(hours=1)
    return _log(
        [
            ("i1", "A", None, t + 1 * h, t, "DUL"),
            ("i1", "B", None, t + 4 * h, t + 3 * h, "DUL"),
            ("i1", "C", None, t + 5 * h, t + 3.5 * h, "DUL"),  # starts 30 min before B ends
            ("i2", "A", None, t + 2 * h, t, "DUL"),
            ("i2", "C", None, t + 3 * h, t + 2.5 * h, "DUL"),
            ("i3", "X", None, t + 10 * h, t, "DUL"),  # long X encloses Y: end order Y, X
            ("i3", "Y", None, t + 2 * h, t + 1 * h, "DUL"),
            ("i4", "A", None, t + 2 * h, t, "DUL"),
            ("i4", "C", None, t + 3 * h, t + 2.5 * h, "DUL"),
        ],
        start=True,
    )


def test_interval_waits_use_completion_order_and_clip_overlap(interval_log: pd.DataFrame) -> None:
    pm = process_map(interval_log).set_index(["from", "to"])
    assert pm.loc[("A", "B"), "mean_wait_s"] == pytest.approx(2 * 3600)
    assert pm.loc[("A", "B"), "overlap_count"] == 0 and np.isnan(pm.loc[("A", "B"), "mean_overlap_s"])
    # C starts 30 min before B ends: the wait counts 0 (as pm4py), the overlap is its own figure
    assert pm.loc[("B", "C"), "mean_wait_s"] == 0.0
    assert pm.loc[("B", "C"), "overlap_count"] == 1 and pm.loc[("B", "C"), "mean_overlap_s"] == pytest.approx(1800)
    assert pm.loc[("A", "C"), "count"] == 2 and pm.loc[("A", "C"), "median_wait_s"] == pytest.approx(1800)
    # i3 in completion order (the one order of every statistic): Y (ends 2 h) → X (ends 10 h);
    # X.start − Y.end = 0 − 2 h: overlap 2 h, wait 0
    assert pm.loc[("Y", "X"), "mean_wait_s"] == 0.0 and pm.loc[("Y", "X"), "mean_overlap_s"] == pytest.approx(2 * 3600)
    assert ("X", "Y") not in pm.index
    assert stats.directly_follows_pairs(interval_log)["wait_s"].min() == pytest.approx(-2 * 3600)
    clipped = stats.directly_follows_pairs(interval_log, clip_negative=True)
    assert clipped["wait_s"].min() == 0.0


def test_interval_service_times_and_variants(interval_log: pd.DataFrame) -> None:
    st = service_times(interval_log).set_index("activity")
    # A: i1 1 h, i2 2 h, i4 2 h → mean 5/3 h = 6000 s, median 2 h
    assert st.loc["A", "mean_service_s"] == pytest.approx(6000)
    assert st.loc["A", "median_service_s"] == pytest.approx(7200)
    assert st.loc["C", "mean_service_s"] == pytest.approx((5400 + 1800 + 1800) / 3)
    assert st.loc["X", "median_service_s"] == pytest.approx(36000)
    assert st.loc["A", "count"] == 3 and st.loc["A", "cases"] == 3
    v = variants(interval_log, top=None)
    # variants in end order: (A,C) twice; (A,B,C) once; (Y,X) once (completion order)
    assert v["activities"].tolist()[0] == ("A", "C")
    assert v["count"].tolist() == [2, 1, 1]
    assert set(v["activities"].tolist()[1:]) == {("A", "B", "C"), ("Y", "X")}
    assert v["share"].tolist()[0] == pytest.approx(0.5)
    assert variants(interval_log, top=1)["variant"].tolist() == ["A → C"]
    res = analyse_office(interval_log, discover=False)
    assert res.has_start
    # durations: i1 5 h, i2 3 h, i3 10 h, i4 3 h
    assert sorted(res.case_durations["duration_s"] / 3600) == [3, 3, 5, 10]


def test_variant_ids_distinguish_order_and_length() -> None:
    log = _log(
        [
            ("a", "P", None, "2024-01-01", None),
            ("a", "Q", None, "2024-01-02", None),
            ("b", "Q", None, "2024-01-01", None),
            ("b", "P", None, "2024-01-02", None),
            ("c", "P", None, "2024-01-01", None),
            ("c", "Q", None, "2024-01-02", None),
            ("c", "Q", None, "2024-01-03", None),
            ("d", "P", None, "2024-01-01", None),
            ("d", "Q", None, "2024-01-02", None),
        ]
    )
    assert stats.variant_ids(log).tolist() == [0, 1, 2, 0]


def test_empty_log_does_not_crash() -> None:
    from procmine.schema import empty_log

    res = analyse_office(empty_log(), office="leer", discover=False)
    assert res.cases == 0 and res.process_map.empty
