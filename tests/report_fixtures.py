"""Small hand-made OfficeAnalysis / QualityReport objects for the report tests (no analysis stage needed)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd

from procmine.analyse.model import Finding, OfficeAnalysis
from procmine.quality import QualityReport

EVIL = "<script>alert(1)</script>"
BOLD = "<b>x</b>"
NOW = datetime(2026, 1, 15, 10, 30, tzinfo=ZoneInfo("Europe/Berlin"))


def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=columns)


def office(
    name: str,
    cases: int,
    median: float,
    p90: float,
    over90: float,
    by_case_type: list[tuple],
    findings: tuple[Finding, ...] = (),
    first: str = "Antrag eingegangen",
    second: str = "Termin vergeben",
) -> OfficeAnalysis:
    """One office: three activities (first -> second -> Entscheidung), KPIs and case types as given."""
    third = "Entscheidung"
    return OfficeAnalysis(
        office=name,
        cases=cases,
        events=3 * cases,
        has_start=False,
        period_start=pd.Timestamp("2024-01-01 08:00", tz="UTC"),
        period_end=pd.Timestamp("2024-12-31 16:00", tz="UTC"),
        kpis={"cycle_time_median_days": median, "cycle_time_p90_days": p90, "share_cases_over_90_days": over90},
        kpis_by_case_type=_frame(
            by_case_type, ["case_type", "cases", "cycle_time_median_days", "cycle_time_p90_days", "share_cases_over_90_days"]
        ),
        process_map=_frame(
            [
                (first, second, cases - 2, 3 * 86400.0, 2 * 86400.0),
                (second, third, cases - 2, 10 * 86400.0, 9 * 86400.0),
                (first, third, 2, 3600.0, 3600.0),  # a rare edge: 2 of 2*cases-2 transitions
            ],
            ["from", "to", "count", "mean_wait_s", "median_wait_s"],
        ),
        activities=_frame(
            [(first, None, cases, cases, None, None), (second, None, cases - 2, cases - 2, None, None), (third, None, cases, cases, None, None)],
            ["activity", "activity_key", "count", "cases", "mean_service_s", "median_service_s"],
        ),
        start_activities={first: cases},
        end_activities={third: cases},
        variants=_frame(
            [(f"{first} → {second} → {third}", cases - 2, (cases - 2) / cases), (f"{first} → {third}", 2, 2 / cases)],
            ["variant", "count", "share"],
        ),
        case_durations=pd.DataFrame(columns=["case_id", "case_type", "start", "end", "duration_s", "closed"]),
        rework=pd.DataFrame(columns=["activity", "cases_with_repeat", "share"]),
        open_cases=pd.DataFrame(columns=["age_band", "cases"]),
        findings=findings,
    )


def network() -> tuple[list[OfficeAnalysis], dict[str, QualityReport]]:
    """Two offices. A: slower, with markup in activity names; B: faster.

    Case types: AE_EXT (A 40, B 30) and BLUE (A 3, B 20) -> only AE_EXT is compared (A has 3 < 5 BLUE cases).
    """
    wait = Finding(
        kind="waiting",
        pattern="appointment_backlog",
        value=42.0,
        unit="days",
        impact=1234.0,
        cases=40,
        from_activity=EVIL,
        to_activity=BOLD,
        from_key="appointment_requested",
        to_key="appointment_scheduled",
        norm=14.0,
        norm_basis="usual",
        evidence={"network_median": 12.0, "resource_ids": ["r1", "r2"]},
        measures=("appointment_steering",),
        rank=1,
    )
    team = Finding(
        kind="resource",
        pattern="team_shortage",
        value=0.5,
        unit="share",
        impact=300.0,
        cases=3,  # < 5: value and count suppressed
        team="Team A-K",
        rank=2,
    )
    ba = Finding(
        kind="waiting",
        pattern="ba_wait",
        value=21.0,
        unit="days",
        impact=100.0,
        cases=12,
        from_activity="Zustimmung BA angefragt",
        to_activity="Zustimmung BA erteilt",
        norm=14.0,
        norm_basis="legal",
        external=True,
        shared=True,
        rank=3,
    )
    a = office(
        "ABH-A",
        50,
        60.0,
        120.0,
        0.2,
        [("AE_EXT", 40, 55.0, 110.0, 0.15), ("BLUE", 3, 80.0, 90.0, 0.0)],
        (wait, team, ba),
        first=EVIL,
        second=BOLD,
    )
    b = office("ABH-B", 40, 30.0, 70.0, 0.05, [("AE_EXT", 30, 28.0, 60.0, 0.0), ("BLUE", 20, 20.0, 35.0, 0.0)])
    qa = QualityReport(
        office="ABH-A",
        files=("ABH-A.csv",),
        rows_read=160,
        rows_kept=150,
        rows_quarantined=10,
        events=150,
        by_reason={"bad_timestamp": 7, "missing_case_id": 3},
        flags={"day_precision": 4},
    )
    qb = QualityReport(office="ABH-B", files=("ABH-B.xlsx",), rows_read=120, rows_kept=120, rows_quarantined=0, events=120)
    return [a, b], {"ABH-A": qa, "ABH-B": qb}
