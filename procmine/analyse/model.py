"""Result types of the analysis stage: plain data (DataFrames + small frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from procmine.analyse.diagnosis import OfficeDiagnosis

FINDING_KINDS = (
    "waiting",  # a wait between two steps above its norm
    "backlog",  # work in progress / open cases piling up
    "rework",  # repeated steps, loops, repeat contacts
    "resource",  # one team's load or ageing work (team level only)
    "deadline",  # legal deadline at risk (Untätigkeitsklage, § 81a, Fiktion churn)
    "data_quality",  # a problem in the data that limits what can be said
    "handover",  # hand-over ping-pong between teams / file latency
    "no_show",  # appointments lost to no-shows or blocked slots
    "batching",  # work released in batches on fixed days
    "drift",  # case mix shifts at a date (policy shock)
)


@dataclass(frozen=True)
class Finding:
    """One bottleneck, sized in a comparable unit (``impact``) so findings can be ranked."""

    kind: str
    pattern: str  # detector key (catalogue.PATTERNS values, e.g. "ba_wait")
    value: float  # the headline figure, in ``unit``
    unit: str  # "days", "share", "per_case", "cases", ...
    impact: float  # excess case-days per year over the norm (the ranking unit)
    cases: int  # cases affected
    activity: str | None = None  # label as in the office's export
    from_activity: str | None = None
    to_activity: str | None = None
    activity_key: str | None = None  # canonical catalogue keys, where known
    from_key: str | None = None
    to_key: str | None = None
    case_type: str | None = None
    team: str | None = None
    norm: float | None = None
    norm_basis: str | None = None  # "legal", "usual" or "network"
    external: bool = False  # a wait on another body (BA, security services, Bundesdruckerei)
    shared: bool = False  # most offices of the network show the same
    evidence: dict[str, Any] = field(default_factory=dict)
    measures: tuple[str, ...] = ()  # measure keys, phrased in German by the report
    rank: int = 0
    high_impact: bool = False  # own problem (not shared), above the office-size threshold, interval excludes the norm
    impact_interval: tuple[float, float] | None = None  # approx. 95 % interval of ``impact`` (after netting)
    staff_hours: float | None = None  # capacity findings: staff hours per year (an estimate, catalogue minutes)
    fte: float | None = None  # staff_hours as full-time equivalents (1,600 h per FTE)
    cause_rank: int | None = None  # capacity findings: rank of the finding whose wait causes them
    few_cases: bool = False  # rests on fewer than ``FEW_CASES`` cases: read with care
    # the finding's own measure by calendar month: [{"month": "YYYY-MM", "value": float, "cases": int}, …]
    # (``detectors.monthly``); None where not computed
    monthly: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class OfficeAnalysis:
    """Everything the analysis knows about one office; the report only formats it."""

    office: str
    cases: int
    events: int
    has_start: bool  # interval log (start + end); False = completion-only
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    kpis: dict[str, float]
    kpis_by_case_type: pd.DataFrame
    process_map: pd.DataFrame  # from, to, count, mean_wait_s, median_wait_s
    activities: pd.DataFrame  # activity, activity_key, count, cases, mean_service_s, median_service_s
    start_activities: dict[str, int]
    end_activities: dict[str, int]
    variants: pd.DataFrame  # variant (str, " → " joined), count, share
    case_durations: pd.DataFrame  # case_id, case_type, start, end, duration_s, closed
    rework: pd.DataFrame  # activity, cases_with_repeat, share
    open_cases: pd.DataFrame  # age_band, cases
    model: Any = None  # pm4py BPMN graph (inductive miner) or None
    findings: tuple[Finding, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    diagnosis: OfficeDiagnosis | None = None  # office diagnosis: issue-5 figures (time, queues, rework, external, deadlines, teams)
    # False when the export cannot show a step twice in a case (one date column per step, e.g. every case's
    # events come from one source row); None = not assessed (``compare.export_limits`` then infers it)
    repeats_visible: bool | None = None
