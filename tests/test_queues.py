"""Hand-computed checks of arrivals/completions/WIP, open-case ages, queue trend and Little's law."""

from __future__ import annotations

import numpy as np
import pandas as pd

from procmine.analyse import queues
from procmine.analyse.queues import case_spans, littles_law_check, office_flow, open_case_ages, queue_trend, step_flow

from conftest import key_log as make_log

# weeks (Mon-Sun, local): W1 = 2024-01-01, W2 = 01-08, W3 = 01-15
ROWS = [
    ("a", "application_received", "2024-01-01 09:00Z", "NE"),  # W1 arrival
    ("a", "completeness_checked", "2024-01-09 09:00Z", "NE"),
    ("a", "case_closed", "2024-01-10 09:00Z", "NE"),  # W2 completion
    ("b", "application_received", "2024-01-02 09:00Z", "DUL"),  # W1 arrival
    ("b", "completeness_checked", "2024-01-16 09:00Z", "DUL"),
    ("b", "case_closed", "2024-01-17 09:00Z", "DUL"),  # W3 completion
    ("c", "application_received", "2024-01-08 09:00Z", "NE"),  # W2 arrival, never closed
    ("c", "completeness_checked", "2024-01-20 09:00Z", "NE"),
]


def test_office_flow_weekly() -> None:
    flow = office_flow(make_log(ROWS), "W")
    # W1: 2 arrive, 0 done, WIP 2; W2: 1 arrives, 1 done (a), WIP 2; W3: 0, 1 done (b), WIP 1 (c)
    assert flow["arrivals"].tolist() == [2, 1, 0]
    assert flow["completions"].tolist() == [0, 1, 1]
    assert flow["wip"].tolist() == [2, 2, 1]
    assert flow["period"].tolist() == list(pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15"]))


def test_step_flow_counts_cases_ready_for_the_step() -> None:
    flow = step_flow(make_log(ROWS), "W").set_index(["activity", "period"])
    cc = flow.loc["completeness_checked"]
    # ready = end of previous event: a W1, b W1, c W2; done: a W2, b W3, c W3
    assert cc["arrivals"].tolist() == [2, 1, 0]
    assert cc["completions"].tolist() == [0, 1, 2]
    assert cc["wip"].tolist() == [2, 2, 0]


def test_case_spans_closed_by_keys_and_by_end_activities() -> None:
    spans = case_spans(make_log(ROWS))
    assert spans.closed_rule == "keys"
    assert spans.cases.set_index("case_id")["closed"].to_dict() == {"a": True, "b": True, "c": False}
    # without keys: last activities case_closed (2 of 3 cases) and completeness_checked (1 of 3);
    # with end_share 0.5 only case_closed counts as an end activity
    log = make_log(ROWS)
    log["activity_key"] = pd.Series(pd.NA, index=log.index, dtype="category")
    s2 = case_spans(log, end_share=0.5)
    assert s2.closed_rule.startswith("end_activities")
    assert s2.cases["closed"].tolist() == [True, True, False]


def test_open_case_ages_by_band() -> None:
    rows = ROWS + [
        ("d", "application_received", "2023-12-01 09:00Z", "NE"),  # open, age on 20.1. = 50 days
        ("d", "completeness_checked", "2023-12-05 09:00Z", "NE"),
        ("e", "application_received", "2023-09-01 09:00Z", "DUL"),  # open, 141 days
    ]
    log = make_log(sorted(rows, key=lambda r: (r[0], r[2])))
    ages = open_case_ages(log)  # as_of = last event 2024-01-20 09:00Z; c is 12 days old
    assert ages["cases"].tolist() == [1, 1, 1]
    by = open_case_ages(log, by="case_type").set_index(["case_type", "age_band"])["cases"]
    assert by.loc[("NE", "< 1 Monat")] == 1 and by.loc[("NE", "1–3 Monate")] == 1
    assert by.loc[("DUL", "> 3 Monate")] == 1
    # as of 1.1.2024 00:00Z: a, b, c have not arrived yet; d is 31 days old, e 122 days
    early = open_case_ages(log, as_of=pd.Timestamp("2024-01-01 00:00Z"))
    assert early["cases"].tolist() == [0, 1, 1]  # d 31 days, e 122 days


def test_queue_trend_exact_line_and_noisy_line() -> None:
    t = queue_trend([10, 12, 14, 16, 18])
    assert t.slope_per_week == 2.0 and t.ci_low == 2.0 and t.growing
    # y = 1,2,4,4,6 at x=0..4: xm=2, ym=3.4, Sxy = (-2)(-2.4)+(-1)(-1.4)+0+(1)(0.6)+(2)(2.6) = 12, Sxx = 10
    # b = 1.2; fit 1.0, 2.2, 3.4, 4.6, 5.8 -> residuals 0, -0.2, 0.6, -0.6, 0.2 -> SSE = 0.8,
    # se = sqrt(0.8 / 3 / 10) = 0.1633; half-width = t(0.975, 3) 3.1824 * 0.1633 = 0.5197
    t = queue_trend([1, 2, 4, 4, 6])
    assert abs(t.slope_per_week - 1.2) < 1e-12
    y = np.array([1, 2, 4, 4, 6.0])
    resid = y - (3.4 + 1.2 * (np.arange(5) - 2))
    se = np.sqrt((resid**2).sum() / 3 / 10)
    assert abs((t.ci_high - t.ci_low) / 2 - 3.182446305 * se) < 1e-6
    assert abs(t.ci_low - (1.2 - 0.5197)) < 1e-3
    flat = queue_trend([5, 6, 5, 6, 5, 6])
    assert not flat.growing and not flat.shrinking
    assert np.isnan(queue_trend([1, 2]).slope_per_week)


def test_littles_law_on_a_steady_queue() -> None:
    # one case arrives every day at 00:00 and stays exactly 3 days, for 100 days:
    # throughput 1/day, time in system 3 days -> WIP 3 in the middle of the period
    rows = []
    for i in range(100):
        day = pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(days=i)
        cid = f"c{i:03d}"
        rows.append((cid, "application_received", day.isoformat(), "NE"))
        rows.append((cid, "case_closed", (day + pd.Timedelta(days=3)).isoformat(), "NE"))
    ll = littles_law_check(make_log(rows))
    assert abs(ll.mean_time_in_system_days - 3.0) < 1e-9
    assert abs(ll.mean_wip - 3.0) < 0.05
    assert abs(ll.throughput_per_day - 1.0) < 0.05
    assert ll.consistent
    # drop the closing events of half the cases: they look open forever, WIP inflates, the check fails
    log = make_log([r for r in rows if not (r[1] == "case_closed" and int(r[0][1:]) % 2 == 0)])
    assert not littles_law_check(log).consistent


def test_flow_table_every_group_and_week_in_order() -> None:
    # groups seen on either side only, sorted by name, each over every week from the first to the last
    t = pd.Series(pd.to_datetime(["2024-01-16 09:00Z", "2024-01-02 09:00Z"], utc=True))  # W3 (A), W1 (B)
    done = pd.Series(pd.to_datetime(["2024-01-10 09:00Z"], utc=True))  # W2 (C)
    flow = queues._flow_table(t, pd.Series(["A", "B"]), done, pd.Series(["C"]), "W")
    assert flow["group"].tolist() == ["A"] * 3 + ["B"] * 3 + ["C"] * 3
    assert flow["period"].tolist() == list(pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15"])) * 3
    assert flow["arrivals"].tolist() == [0, 0, 1, 1, 0, 0, 0, 0, 0]
    assert flow["completions"].tolist() == [0, 0, 0, 0, 0, 0, 0, 1, 0]
    assert flow["wip"].tolist() == [0, 0, 1, 1, 1, 1, 0, -1, -1]
