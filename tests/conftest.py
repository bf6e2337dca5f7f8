"""Shared test builders: small hand-made canonical logs and hand-made report inputs.

Log builders take rows as tuples (the columns each builder names in its docstring), fill the
bookkeeping columns a hand-made log leaves out (office, precision, event_seq in row order,
source_file, source_row as a spreadsheet counts them: header = row 1) and conform the frame to the
canonical schema. Times given as text without a zone are UTC unless a builder says otherwise.

Import them in a test module with ``from conftest import ...``.
"""

from __future__ import annotations

import os

# CLI runs in tests print no PDFs unless a test asks for them (--pdf): printing nine reports in headless
# Chromium takes minutes; the PDF itself is tested in test_browser.py and test_end_to_end.py
os.environ.setdefault("PROCMINE_PDF", "0")

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from procmine.analyse.model import Finding, OfficeAnalysis
from procmine.quality import QualityReport
from procmine.schema import conform, sort_log

REPO = Path(__file__).resolve().parents[1]
# the public sample logs: shared/ beside the checkout (as CI lays it out); from a git worktree one level
# deeper (<root>/wt/<name>), shared/ beside the worktrees' folder
PUBLIC_DATA = next(
    (p / "data" / "public" for p in (REPO.parent / "shared", REPO.parent.parent / "shared") if p.is_dir()),
    REPO.parent / "shared" / "data" / "public",
)

# a fixed pseudonymisation key for tests that ingest (PROCMINE_KEY), so their pseudonyms are stable
TEST_KEY = "3f9c2a7e1b5d8046c2e9f17a3b6d0c5e4a8f2b1d7c9e3065a1b4d8f2e6c0a937"

# --- canonical logs ----------------------------------------------------------------------------


def canonical(
    df: pd.DataFrame,
    *,
    office: str = "O",
    precision: str = "minute",
    source_file: str = "t.csv",
    sort: bool = False,
) -> pd.DataFrame:
    """Fill office, precision, event_seq (row order), source_file and source_row (row + 2) where the
    frame has no such column, and conform it; ``sort=True`` also puts it in canonical order
    (case, end, event_seq)."""
    out = df.copy()
    n = len(out)
    defaults: dict[str, Any] = {
        "office": office,
        "precision": precision,
        "event_seq": np.arange(n),
        "source_file": source_file,
        "source_row": np.arange(2, n + 2),
    }
    for column, value in defaults.items():
        if column not in out.columns:
            out[column] = value
    log = conform(out)
    return sort_log(log) if sort else log


def rows_log(rows: Sequence[tuple], columns: Sequence[str], **kwargs: Any) -> pd.DataFrame:
    """Canonical log from rows holding ``columns``; ``kwargs`` go to ``canonical`` (office, precision,
    source_file, sort)."""
    return canonical(pd.DataFrame(list(rows), columns=list(columns)), **kwargs)


def step_log(rows: Sequence[tuple], precision: str = "minute") -> pd.DataFrame:
    """rows: (case, activity, start or None, end) in UTC ISO text -> canonical log in row order;
    the activity is its own catalogue key."""
    df = pd.DataFrame(list(rows), columns=["case_id", "activity", "start", "end"])
    df["activity_key"] = df["activity"]
    return canonical(df, precision=precision)


def key_log(rows: Sequence[tuple], columns: Sequence[str] = ("case_id", "activity_key", "end", "case_type"),
            sort: bool = False, **constants: Any) -> pd.DataFrame:
    """Completion-only log of catalogue keys: rows hold ``columns`` (by default case, key, end UTC text,
    case type); the activity label is the key; ``constants`` add columns with one value (e.g. team="T")."""
    df = pd.DataFrame(list(rows), columns=list(columns))
    df["activity"] = df["activity_key"]
    for column, value in constants.items():
        df[column] = value
    return canonical(df, sort=sort)


def berlin_log(rows: Sequence[tuple], columns: Sequence[str], with_start: bool = True, **kwargs: Any) -> pd.DataFrame:
    """Sorted canonical log whose start and end are local Berlin wall-clock text (summer and winter time
    handled by the zone); ``with_start=False`` drops the start times (a completion-only export)."""
    df = pd.DataFrame(list(rows), columns=list(columns))
    for col in ("start", "end"):
        if col in df.columns:
            df[col] = pd.to_datetime(df[col]).dt.tz_localize("Europe/Berlin").dt.tz_convert("UTC")
    if not with_start:
        df["start"] = pd.NaT
    return canonical(df, sort=True, **kwargs)


def from_pm4py(df: pd.DataFrame, start: str | None = None, office: str = "public", source_file: str = "public",
               as_text: bool = True) -> pd.DataFrame:
    """Sorted canonical log from a frame with pm4py's XES column names, read by pm4py or as text from a CSV
    (event_seq = the frame's row order; times in ISO 8601 with any offset).

    ``as_text`` casts ids, activities and resources to text as they are (a missing resource becomes the
    text 'nan', as pandas' astype does); without it the values are taken unchanged."""

    def col(name: str) -> pd.Series:
        return df[name].astype(str) if as_text else df[name]

    out = pd.DataFrame(
        {
            "case_id": col("case:concept:name"),
            "activity": col("concept:name"),
            "end": pd.to_datetime(df["time:timestamp"], utc=True, format="ISO8601"),
            "start": pd.to_datetime(df[start], utc=True, format="ISO8601") if start else pd.NaT,
            "resource": col("org:resource") if "org:resource" in df else None,
            "team": col("org:group") if "org:group" in df else None,
            "precision": "second",
        }
    )
    return canonical(out, office=office, source_file=source_file, sort=True)


# --- report inputs: small hand-made OfficeAnalysis / QualityReport objects -----------------------

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
    # Finding(kind, pattern, value, unit, impact, cases, ...): the headline figures first, then what differs
    wait = Finding(
        "waiting", "appointment_backlog", 42.0, "days", 1234.0, 40,
        from_activity=EVIL, to_activity=BOLD, from_key="appointment_requested", to_key="appointment_scheduled",
        norm=14.0, norm_basis="usual", evidence={"network_median": 12.0, "resource_ids": ["r1", "r2"]},
        measures=("appointment_steering",), rank=1, high_impact=True,
    )
    team = Finding("resource", "team_shortage", 0.5, "share", 300.0, 3,  # < 5 cases: value and count suppressed
                   team="Team A-K", rank=2, high_impact=True)
    ba = Finding(
        "waiting", "ba_wait", 21.0, "days", 100.0, 12,
        from_activity="Zustimmung BA angefragt", to_activity="Zustimmung BA erteilt",
        norm=14.0, norm_basis="legal", external=True, shared=True, rank=3,
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
