"""Hand-computed checks of the memory-lean paths of the analysis: chunked working time, integer
label codes, day-table periods, lean step-time columns and the capped model-discovery sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from procmine.analyse import discovery, queues
from procmine.analyse import time as time_mod
from procmine.analyse.discovery import discover_model, sample_cases
from procmine.analyse.stats import variant_ids
from procmine.analyse.time import label_codes, step_times, wait_party, working_seconds

from conftest import step_log as make_log

H = 3600.0


def test_working_seconds_in_chunks_equals_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tue 2024-05-14: 07:00-17:00 CEST -> 8 h; 09:30-11:15 -> 1.75 h; Fri 15:00 -> Mon 09:00 -> 2 h;
    # a missing start -> NaN; end before start -> NaN
    start = pd.Series(pd.to_datetime(["2024-05-14 05:00Z", "2024-05-14 07:30Z", "2024-05-10 13:00Z", None,
                                      "2024-05-14 09:00Z"], utc=True), index=[10, 11, 12, 13, 14])
    end = pd.Series(pd.to_datetime(["2024-05-14 15:00Z", "2024-05-14 09:15Z", "2024-05-13 07:00Z",
                                    "2024-05-14 09:00Z", "2024-05-14 08:00Z"], utc=True), index=[10, 11, 12, 13, 14])
    whole = np.array([False, False, False, False, False])
    one = working_seconds(start, end, whole_days=whole)
    monkeypatch.setattr(time_mod, "WORKING_CHUNK", 2)
    chunked = working_seconds(start, end, whole_days=whole)
    np.testing.assert_array_equal(one / H, [8.0, 1.75, 2.0, np.nan, np.nan])
    np.testing.assert_array_equal(chunked, one)


def test_label_codes_for_categorical_and_plain_columns() -> None:
    cat = pd.Series(pd.Categorical(["b", None, "a", "b"], categories=["a", "b", "c"]))
    codes, labels = label_codes(cat)
    assert codes.tolist() == [1, 3, 0, 1]  # missing -> last code, labelled "nan"
    assert labels[codes].tolist() == ["b", "nan", "a", "b"]
    codes, labels = label_codes(pd.Series(["x", "y", None, "x"], dtype=object), na=None)
    assert labels[codes].tolist() == ["x", "y", None, "x"]


def test_wait_party_is_decided_per_key_and_categorical() -> None:
    keys = pd.Series(pd.Categorical(["ba_consent_granted", "documents_received", "fee_paid", None]))
    party = wait_party(keys)
    assert isinstance(party.dtype, pd.CategoricalDtype)
    # BA consent = external body; documents come from the applicant; fee / no key = office
    assert party.astype(object).tolist() == ["external", "applicant", "office", "office"]


def test_step_times_lean_columns_keep_their_values() -> None:
    rows = [("a", "x", None, "2024-05-13 07:00Z"), ("a", "documents_received", "2024-05-13 08:00Z", "2024-05-13 09:00Z")]
    st = step_times(make_log(rows))
    assert (st["time_basis"] == "interval").tolist() == [False, True]
    assert st["time_basis"].astype(object).tolist() == ["completion_only", "interval"]
    assert st["wait_party"].astype(object).tolist() == ["office", "applicant"]
    # waiting 07:00 -> 08:00 = 1 h, service 1 h, gap 07:00 -> 09:00 = 2 h
    assert st.loc[1, ["waiting_calendar_s", "service_calendar_s", "gap_calendar_s"]].tolist() == [H, H, 2 * H]


def test_step_times_working_time_from_local_instants(monkeypatch: pytest.MonkeyPatch) -> None:
    # working time from instants converted once: a second case starts without a predecessor, a step that
    # started before the previous one ended waits 0 (not from its own start), and chunks change nothing
    rows = [("a", "x", None, "2024-05-13 07:00Z"),  # Mon 09:00 CEST
            ("a", "y", "2024-05-13 06:30Z", "2024-05-13 08:00Z"),  # started 08:30 before x ended: waits 0
            ("a", "z", "2024-05-13 12:00Z", "2024-05-13 13:00Z"),  # 10:00 -> 14:00 local: waits 4 h
            ("b", "x", "2024-05-17 12:00Z", "2024-05-20 07:00Z")]  # Fri 14:00 -> Whit Monday (closed): 2 h service
    log = make_log(rows)
    st = step_times(log)
    assert st["waiting_working_s"].tolist()[1:3] == [0.0, 4 * H] and np.isnan(st["waiting_working_s"].iloc[3])
    assert st["service_working_s"].tolist()[1:] == [1.5 * H, H, 2 * H]
    assert st["gap_working_s"].tolist()[1:3] == [H, 5 * H] and np.isnan(st["gap_working_s"].iloc[3])
    monkeypatch.setattr(time_mod, "WORKING_CHUNK", 1)
    pd.testing.assert_frame_equal(step_times(log), st)


def test_period_counts_by_day_table_match_local_weeks() -> None:
    # Sun 2024-05-12 23:30Z is Mon 2024-05-13 01:30 CEST -> week of Mon 13.5.; Sun 2024-05-12 20:00Z
    # is Sun 22:00 CEST -> week of Mon 6.5.; a missing instant and a missing group are dropped.
    times = pd.Series(pd.to_datetime(["2024-05-12 23:30Z", "2024-05-12 20:00Z", "2024-05-13 08:00Z", None,
                                      "2024-05-14 08:00Z"], utc=True))
    groups = pd.Series(["A", "A", "A", "A", None], dtype=object)
    got = queues._period_counts(times, groups, "W")
    assert got.to_dict() == {("A", pd.Timestamp("2024-05-06")): 1, ("A", pd.Timestamp("2024-05-13")): 2}
    # sub-daily periods fall back to the per-row conversion: 01:30 and 22:00 local hours
    hourly = queues._period_counts(times[:2], groups[:2], "h")
    assert sorted(hourly.index.get_level_values("period")) == [pd.Timestamp("2024-05-12 22:00"),
                                                               pd.Timestamp("2024-05-13 01:00")]


def test_sample_cases_keeps_variant_proportions() -> None:
    cv = np.array([0, 1, 0, 2, 0, 1, 0])
    # variants 0 and 1 kept (6 cases) > 3: quota floor(4 * 3/6) = 2 of variant 0, floor(2 * 3/6) = 1 of variant 1
    chosen = sample_cases(cv, keep_variants=2, max_cases=3)
    assert chosen.sum() == 3
    assert np.bincount(cv[chosen], minlength=3).tolist() == [2, 1, 0]
    assert (sample_cases(cv, keep_variants=2, max_cases=3) == chosen).all()  # repeatable
    # under the cap: every case of the kept variants
    assert sample_cases(cv, keep_variants=2, max_cases=10).tolist() == [True, True, True, False, True, True, True]


def test_discover_model_hands_pm4py_at_most_max_cases() -> None:
    rows = []
    for i in range(12):  # 8 cases x->y->z, 4 cases x->z
        path = ["x", "y", "z"] if i < 8 else ["x", "z"]
        for j, act in enumerate(path):
            rows.append((f"c{i:02d}", act, None, f"2024-05-{13 + j:02d} 08:00Z"))
    log = make_log(rows)
    info: dict = {}
    model, reason = discover_model(log, variant_ids(log), coverage=1.0, max_cases=6, info=info)
    assert reason is None and model is not None
    # 12 cases > 6: quota floor(8 * 0.5) = 4 plus floor(4 * 0.5) = 2
    assert info == {"model_cases": 6, "model_cases_sampled_from": 12}
    labels = {str(n.get_name()) for n in model.get_nodes()}
    assert {"x", "y", "z"} <= labels
    assert discovery.MODEL_MAX_CASES == 20_000
