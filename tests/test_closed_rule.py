"""Issue 14 §6: whether a case is closed comes from the end activities where the log shows them; the
gap to the log's end is only the fallback, and the rule used is named."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from procmine.analyse import analyse_office, stats
from procmine.schema import conform, sort_log, validate

T0 = pd.Timestamp("2025-03-04 08:00", tz="UTC")


def _log(rows: list[tuple[str, str, str | None, pd.Timestamp]]) -> pd.DataFrame:
    """rows: (case, activity, key, end) -> canonical log."""
    recs = [{"case_id": c, "activity": a, "activity_key": k, "start": None, "end": e, "precision": "second",
             "office": "ABH-T", "case_type": "T", "event_seq": i, "source_file": "t.csv", "source_row": i + 2}
            for i, (c, a, k, e) in enumerate(rows)]
    log = sort_log(conform(pd.DataFrame(recs)))
    validate(log)
    return log


def _one_day_log(n_cases: int = 1000, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """A simulated service desk over one day, exported at 16:00: cases arrive 08:00–16:00 and pass
    Eingang → Prüfung → (Nachfrage → Prüfung)* → Bescheid, about 40 minutes per step; 20 % stop early
    (given up), the others are cut by the export when they are not done by 16:00. Returns the log
    and the true closed flag per case (in the log's case order)."""
    rng = np.random.default_rng(seed)
    cut = T0 + pd.Timedelta(hours=8)
    rows = []
    closed = {}
    for c in range(n_cases):  # building the test data, not analysis code
        t = T0 + pd.Timedelta(minutes=float(rng.uniform(0, 470)))
        steps = ["Eingang", "Prüfung"] + ["Nachfrage", "Prüfung"] * int(rng.integers(0, 3)) + ["Bescheid"]
        if rng.random() < 0.2:
            steps = steps[: int(rng.integers(1, len(steps)))]
        done = False
        for s in steps:
            if t > cut:
                break
            rows.append((f"c{c:04d}", s, None, t))
            done = s == "Bescheid"
            t = t + pd.Timedelta(minutes=float(rng.exponential(40)))
        closed[f"c{c:04d}"] = done
    log = _log(rows)
    return log, np.array([closed[str(c)] for c in stats.EventArrays(log).case_ids])


def test_one_day_log_closed_by_its_end_activity() -> None:
    log, truth = _one_day_log()
    ea = stats.EventArrays(log)
    assert list(ea.labels[stats.end_activity_mask(ea)]) == ["Bescheid"]
    closed, rule = stats.closed_cases(ea)
    assert rule == "end_activities"
    np.testing.assert_array_equal(closed, truth)
    # the old guess (silent for the P90 within-case gap before the log's end) calls over a hundred
    # finished cases open (about 400 open in all): every case whose last step came in the last hour and a half
    same = ea.case_index[1:] == ea.case_index[:-1]
    p90 = np.percentile((ea.end_us[1:] - ea.end_us[:-1])[same], 90)
    last = np.r_[ea.case_starts[1:], ea.n] - 1
    guessed = ea.end_us[last] <= ea.end_us.max() - p90
    assert int((~guessed).sum()) > 350 and int((truth & ~guessed).sum()) > 100
    # the analysis reports the rule and counts the closed cases by it
    a = analyse_office(log, discover=False, diagnose=False)
    assert a.extra["closed_rule"] == "end_activities"
    assert a.kpis["cases_closed"] == truth.sum() and a.kpis["cases_open"] == (~truth).sum()


def test_two_closing_steps_in_either_order_are_both_end_activities() -> None:
    rows = []
    for c in range(40):
        t = T0 + pd.Timedelta(hours=c)
        last = ["liefern", "bezahlt"] if c % 2 else ["bezahlt", "liefern"]
        steps = ["bestellt", *last] if c < 36 else ["bestellt"]  # four cases still under way
        rows += [(f"k{c:02d}", s, None, t + pd.Timedelta(minutes=10 * i)) for i, s in enumerate(steps)]
    ea = stats.EventArrays(_log(rows))
    assert set(ea.labels[stats.end_activity_mask(ea)]) == {"bezahlt", "liefern"}
    closed, rule = stats.closed_cases(ea)
    assert rule == "end_activities" and int(closed.sum()) == 36 and not closed[-4:].any()


def test_an_activity_that_also_starts_more_work_is_no_end_activity() -> None:
    # "Prüfung" ends 30 of 50 cases but is followed by "Nachfrage" in the other 20: no end activity;
    # nothing else ends cases, so the time rule is the fallback
    rows = []
    for c in range(50):
        t = T0 + pd.Timedelta(days=c)
        steps = ["Eingang", "Prüfung"] + (["Nachfrage"] if c < 20 else [])
        rows += [(f"p{c:02d}", s, None, t + pd.Timedelta(hours=i)) for i, s in enumerate(steps)]
    ea = stats.EventArrays(_log(rows))
    assert not stats.end_activity_mask(ea)[list(ea.labels).index("Prüfung")]
    assert stats.closed_cases(ea)[1] == "time"


@pytest.mark.parametrize(
    ("steps", "closed"),
    [
        ([("Antrag", "application_received"), ("Entscheidung", "decision_approved")], True),
        # an inquiry after the end does not reopen the case
        ([("Antrag", "application_received"), ("Abschluss", "case_closed"), ("Anfrage", "status_inquiry_received")], True),
        # the decision is followed by the card order: open until the card is handed over
        ([("Antrag", "application_received"), ("Entscheidung", "decision_approved"), ("eAT bestellt", "eat_ordered")], False),
        ([("Antrag", "application_received"), ("Anfrage", "status_inquiry_received")], False),
    ],
)
def test_catalogue_end_activities(steps: list[tuple[str, str]], closed: bool) -> None:
    rows = [("x", a, k, T0 + pd.Timedelta(days=i)) for i, (a, k) in enumerate(steps)]
    rows += [("y", "Antrag", "application_received", T0), ("y", "Abschluss", "case_closed", T0 + pd.Timedelta(days=1))]
    mask, rule = stats.closed_cases(_log(rows))
    assert rule == "activity_key"
    assert mask.tolist() == [closed, True]


def test_rule_is_named_in_the_methodik_appendix_and_results() -> None:
    from procmine.labels_de.report import label
    from procmine.report import build

    log, _ = _one_day_log(n_cases=200)
    a = analyse_office(log, discover=False)
    report = build.build_office_report(a).to_dict()
    text = str(report)
    assert label("method.closed_rule.end_activities") in text
    assert label("method.closed_rule.time") not in text
    rec = build.office_record(a, None, 5)
    assert rec["closed_rule"] == "end_activities"
    parts = {(r["case_type"], r["part"]): r for r in rec["decomposition"]}
    assert parts[("all", "pending")]["cases"] == 200 and parts[("all", "pending")]["share_calendar"] > 0
