"""Issue 14: the explicit per-case decomposition of elapsed time into work, waits (by party), gaps and
pending time. Hand-made logs with hand-computed answers; the parts add up exactly, in calendar and in
working time, and they are the one elapsed time the findings' total excess is computed from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from procmine import schema
from procmine.analyse import analyse_office, stats
from procmine.analyse import decomposition as dc
from procmine.analyse.detectors.base import OfficeData
from procmine.cli import app
from procmine.errors import UsageProblem
from procmine.schema import conform, sort_log, validate

from conftest import PUBLIC_DATA, from_pm4py

H = 3600.0
# Monday 13 May 2024, 08:00 in Berlin (CEST) = 06:00 UTC; office hours 08:00–16:00 on working days
MON8 = pd.Timestamp("2024-05-13 06:00", tz="UTC")


def at(day: int, hour: float) -> pd.Timestamp:
    """Local office time: ``day`` days after Monday, ``hour`` o'clock (Berlin)."""
    return MON8 + pd.Timedelta(days=day, hours=hour - 8)


def _log(rows: list[tuple]) -> pd.DataFrame:
    """rows: (case, activity, key, start or None, end) -> canonical log."""
    recs = [{"case_id": c, "activity": a, "activity_key": k, "start": s, "end": e, "precision": "minute",
             "office": "ABH-T", "case_type": "AT", "event_seq": i, "source_file": "t.csv", "source_row": i + 2}
            for i, (c, a, k, s, e) in enumerate(rows)]
    log = sort_log(conform(pd.DataFrame(recs)))
    validate(log)
    return log


@pytest.fixture
def mixed_log() -> pd.DataFrame:
    return _log([
        # a: interval steps, closed; C overlaps B by 30 min
        ("a", "Antrag", "application_received", at(0, 8), at(0, 9)),
        ("a", "BA", "ba_consent_granted", at(0, 11), at(0, 12)),
        ("a", "Unterlagen", "documents_received", at(0, 11.5), at(0, 13)),
        ("a", "Abschluss", "case_closed", at(0, 14), at(0, 14.5)),
        # b: completion-only, open (no closing step)
        ("b", "Antrag", "application_received", None, at(0, 8)),
        ("b", "Unterlagen", "documents_received", None, at(1, 10)),
        # c: completion-only, closed; its end is the end of the log (Wednesday 12:00)
        ("c", "Antrag", "application_received", None, at(2, 9)),
        ("c", "Abschluss", "case_closed", None, at(2, 12)),
        # d: X encloses Y (Y ends first), open
        ("d", "X", None, at(0, 8), at(0, 12)),
        ("d", "Y", None, at(0, 9), at(0, 10)),
    ])


def _case(d: dc.Decomposition, case: str) -> pd.Series:
    return d.cases.set_index("case_id").loc[case]


def test_interval_case_with_overlap(mixed_log: pd.DataFrame) -> None:
    d = dc.decompose(mixed_log)
    a = _case(d, "a")
    assert bool(a["closed"])
    # Antrag: work 1 h (first step, no wait); BA: waits 2 h on the BA, work 1 h; Unterlagen started
    # 30 min before BA ended: no wait, work only from BA's end 12:00 to 13:00; Abschluss: 1 h office wait, 30 min work
    assert a["work_calendar_s"] == 1 * H + 1 * H + 1 * H + 0.5 * H
    assert a["wait_external_calendar_s"] == 2 * H
    assert a["wait_applicant_calendar_s"] == 0.0
    assert a["wait_office_calendar_s"] == 1 * H
    assert a["pending_calendar_s"] == 0.0 and a["gap_office_calendar_s"] == 0.0
    assert a["elapsed_calendar_s"] == 6.5 * H
    # all inside office hours: working time equals calendar time
    assert a["elapsed_working_s"] == 6.5 * H and a["work_working_s"] == 3.5 * H
    steps = d.steps[d.steps["case_id"] == "a"].set_index("activity")
    assert steps.loc["Unterlagen", ["wait_calendar_s", "work_calendar_s"]].tolist() == [0.0, 1 * H]
    assert steps.loc["BA", "party"] == "external" and steps.loc["Unterlagen", "party"] == "applicant"


def test_completion_only_open_case_with_pending_time(mixed_log: pd.DataFrame) -> None:
    d = dc.decompose(mixed_log)
    b = _case(d, "b")
    assert not bool(b["closed"])
    # one undivided gap Mon 08:00 → Tue 10:00 on the applicant (26 h; working: 8 h Monday + 2 h Tuesday)
    assert b["gap_applicant_calendar_s"] == 26 * H and b["gap_applicant_working_s"] == 10 * H
    assert b["work_calendar_s"] == 0.0 and b["wait_applicant_calendar_s"] == 0.0
    # open: pending from Tue 10:00 to the log's end Wed 12:00 (26 h; working 6 h + 4 h)
    assert b["pending_calendar_s"] == 26 * H and b["pending_working_s"] == 10 * H
    assert b["elapsed_calendar_s"] == 52 * H and b["elapsed_working_s"] == 20 * H
    c = _case(d, "c")
    assert bool(c["closed"]) and c["gap_office_calendar_s"] == 3 * H == c["elapsed_calendar_s"]


def test_enclosing_step_counts_once(mixed_log: pd.DataFrame) -> None:
    d = dc.decompose(mixed_log)
    x = _case(d, "d")
    # completion order Y (ends 10:00), X (ends 12:00): Y owns 08:00–10:00 as work (X already running),
    # X owns 10:00–12:00; no wait, nothing counted twice; open: pending 12:00 Monday → 12:00 Wednesday
    assert x["work_calendar_s"] == 4 * H
    assert x["wait_office_calendar_s"] == 0.0
    assert x["pending_calendar_s"] == 48 * H and x["pending_working_s"] == (4 + 8 + 4) * H
    assert x["elapsed_calendar_s"] == 52 * H


def _assert_adds_up(d: dc.Decomposition) -> None:
    for basis in ("calendar", "working"):
        parts = d.cases[[f"{p}_{basis}_s" for p in dc.DECOMPOSITION_PARTS]].to_numpy(dtype=float)
        assert (parts >= 0).all()
        np.testing.assert_allclose(parts.sum(axis=1), d.cases[f"elapsed_{basis}_s"].to_numpy(dtype=float), rtol=0, atol=1e-6)


def test_parts_add_up_exactly(mixed_log: pd.DataFrame) -> None:
    _assert_adds_up(dc.decompose(mixed_log))


@pytest.mark.parametrize("name", ["interval", "receipt"])
def test_parts_add_up_on_real_logs(name: str) -> None:
    if name == "interval":
        log = from_pm4py(pd.read_csv(PUBLIC_DATA / "interval_event_log.csv"), start="start_timestamp")
    else:
        log = from_pm4py(pd.read_csv(PUBLIC_DATA / "receipt.csv", low_memory=False))
    d = dc.decompose(log)
    _assert_adds_up(d)
    # the waits are the process map's waits of the same pairs (overlaps at 0): one order everywhere
    pm = stats.process_map(log)
    waits = d.steps["wait_calendar_s"] + d.steps["gap_calendar_s"]
    first = d.steps["step_no"].to_numpy() == 1
    assert waits[~first].sum() == pytest.approx(float((pm["count"] * pm["mean_wait_s"]).sum()), rel=1e-9)


def test_elapsed_matches_case_durations_and_feeds_the_total_excess(mixed_log: pd.DataFrame) -> None:
    cases = stats.case_durations(mixed_log)
    expected = np.where(cases["closed"], cases["duration_s"], cases["age_s"]) / stats.DAY_S
    np.testing.assert_allclose(dc.elapsed_days(mixed_log), expected, rtol=0, atol=1e-9)
    data = OfficeData.build("ABH-T", mixed_log)
    np.testing.assert_allclose(data.cases["elapsed_d"].to_numpy(), dc.elapsed_days(mixed_log), rtol=0, atol=0)


def test_summary_per_case_type_and_part(mixed_log: pd.DataFrame) -> None:
    a = analyse_office(mixed_log, discover=False, diagnose=False)
    s = a.extra["decomposition"].set_index(["case_type", "part"])
    assert set(s.index.get_level_values(0)) == {"all"}  # one case type only: no repeat of "all"
    # elapsed over the four cases: 6.5 + 52 + 3 + 52 = 113.5 h; pending 26 + 48 = 74 h
    assert s.loc[("all", "pending"), "mean_calendar_days"] == pytest.approx(74 / 24 / 4)
    assert s.loc[("all", "pending"), "share_calendar"] == pytest.approx(74 / 113.5)
    assert s["share_calendar"].sum() == pytest.approx(1.0) and s["share_working"].sum() == pytest.approx(1.0)
    # working days are office days of 8 h: a's 3.5 h + d's 4 h of work over four cases
    assert s.loc[("all", "work"), "mean_working_days"] == pytest.approx(7.5 / 8 / 4)
    recs = dc.decomposition_records(a.extra["decomposition"], k=5)
    assert recs and all(r["mean_calendar_days"] is None for r in recs)  # four cases < k
    assert dc.decomposition_records(a.extra["decomposition"], k=1)[0]["mean_calendar_days"] is not None


def test_cli_writes_the_per_case_table_but_not_into_a_report_folder(mixed_log: pd.DataFrame, tmp_path) -> None:  # noqa: ANN001
    src = schema.write_log(mixed_log, tmp_path / "ABH-T.parquet")
    out = tmp_path / "analyse" / "zerlegung.csv"
    res = CliRunner().invoke(app, ["zerlegung", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    assert sorted(table["case_id"]) == ["a", "b", "c", "d"]
    assert table.set_index("case_id").loc["b", "pending_calendar_days"] == pytest.approx(26 / 24)
    res = CliRunner().invoke(app, ["zerlegung", str(src), "-o", str(out), "--schritte"])
    assert res.exit_code == 0 and len(pd.read_csv(out)) == len(mixed_log)
    report = tmp_path / "berichte"
    (report / "ABH-T").mkdir(parents=True)
    (report / "results.json").write_text("{}", encoding="utf-8")
    res = CliRunner().invoke(app, ["zerlegung", str(src), "-o", str(report / "ABH-T" / "z.csv")])
    assert isinstance(res.exception, UsageProblem) and "Berichtsordner" in str(res.exception)  # exit code 2 via main()
    assert not (report / "ABH-T" / "z.csv").exists()


def test_summary_per_case_type(mixed_log: pd.DataFrame) -> None:
    log = mixed_log.copy()
    log["case_type"] = pd.Categorical(np.where(log["case_id"].astype(str) == "c", "BK", "AT"))
    s = dc.part_summary(dc.decompose(log)).set_index(["case_type", "part"])
    assert set(s.index.get_level_values(0)) == {"all", "AT", "BK"}
    # BK = case c alone: a 3 h office gap, nothing else
    assert s.loc[("BK", "gap_office"), "cases"] == 1
    assert s.loc[("BK", "gap_office"), "mean_calendar_days"] == pytest.approx(3 / 24)
    assert s.loc[("BK", "gap_office"), "share_calendar"] == 1.0 and s.loc[("BK", "work"), "share_calendar"] == 0.0
    # AT = a, b, d: elapsed 6.5 + 52 + 52 h; applicant gap 26 h (b) → share 26 / 110.5
    assert s.loc[("AT", "gap_applicant"), "share_calendar"] == pytest.approx(26 / 110.5)
    assert s.loc[("AT", "wait_external"), "mean_calendar_days"] == pytest.approx(2 / 24 / 3)
    for ct in ("all", "AT", "BK"):
        assert s.loc[ct, "share_calendar"].sum() == pytest.approx(1.0)


def test_a_status_inquiry_does_not_turn_the_office_backlog_into_the_applicants_wait() -> None:
    """Completion-only: application Mon 8:00, inquiry Tue 8:00, decision Wed 8:00, documents requested
    Wed 8:00 then received Fri 8:00 + a trailing inquiry Fri 9:00. The two days before the decision are
    the office's (the inquiry interrupts nothing); the documents wait is the applicant's; the trailing
    inquiry has no next step and is the office's."""
    log = _log([
        ("a", "Antrag", "application_received", None, at(0, 8)),
        ("a", "Sachstandsanfrage", "status_inquiry_received", None, at(1, 8)),
        ("a", "Entscheidung", "decision_approved", None, at(2, 8)),
        ("a", "Nachforderung", "documents_requested", None, at(2, 8.5)),
        ("a", "Unterlagen", "documents_received", None, at(4, 8)),
        ("a", "Sachstandsanfrage", "status_inquiry_received", None, at(4, 9)),
    ])
    d = dc.decompose(log, closed=np.array([False]), working=False)
    assert d.steps["party"].tolist() == ["office", "office", "office", "office", "applicant", "office"]
    case = d.cases.iloc[0]
    assert case["gap_office_calendar_s"] == pytest.approx(48 * H + 0.5 * H + 1 * H)
    assert case["gap_applicant_calendar_s"] == pytest.approx(2 * 24 * H - 0.5 * H)
