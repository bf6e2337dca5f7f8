"""Offices side by side on the same KPIs, overall and per case type, best and worst marked per KPI.

Reuses the figures of each ``OfficeAnalysis``; computes no new metrics, only orders them. Per case
type only case types every compared office has at least ``min_cases`` cases of are compared, so no
office is judged on a handful of cases. A KPI an office's export cannot measure (``export_limits``:
a milestone export cannot show repeats, a completion-only log has no service time) is left out for that
office: NaN in ``kpis``, named in ``not_measurable``, never ranked and not in the network median.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from procmine.analyse.model import Finding, OfficeAnalysis
from procmine.compare.medians import NetworkMedians, network_medians

if TYPE_CHECKING:
    from procmine.compare.network import MeasureSpec, NetworkComparison
    from procmine.eventlog import LogLike

LOWER = "lower"  # lower is better (durations, shares of late cases, rework)
HIGHER = "higher"  # higher is better (deemed-consent share, first-time-right)
MIN_CASES = 5

# explicit directions; keys not listed fall back to ``kpi_direction``'s rules
KPI_DIRECTIONS: dict[str, str | None] = {
    "cases": None,
    "events": None,
    "open_cases": LOWER,
    "cycle_time_median_days": LOWER,
    "cycle_time_p90_days": LOWER,
    "cycle_time_mean_days": LOWER,
    "share_cases_over_90_days": LOWER,
    "share_open": LOWER,
    "visits_per_case": LOWER,
    "rework_share": LOWER,
    "document_request_share": LOWER,
    "fiction_share": LOWER,
    "no_show_share": LOWER,
    "status_inquiries_per_case": LOWER,
    "appointment_wait_median_days": LOWER,
    "cases_closed": None,  # volumes, not qualities: an office is not better for having more cases
    "cases_open": None,
    "open_over_90_days": None,
    "variants_count": None,
    "mean_events_per_case": LOWER,
}
# why an export cannot support a KPI (reason codes; German wording in labels_de/report.py "not_measurable.*")
NO_REPEATS = "no_repeats"  # one date column per step (milestone export): a step can never appear twice
NO_START = "no_start"  # completion-only log: no start of a step, so no service time
# KPIs that count how often a step happens in a case
REPEAT_KPIS = frozenset(
    {
        "rework_share",
        "repeat_share",
        "document_rounds_mean",
        "visits_mean",
        "visits_per_case",
        "status_inquiries_mean",
        "status_inquiries_per_case",
        "fiction_renewals_per_case",
        "mean_events_per_case",  # counts repeated steps too: a milestone export always looks lean
    }
)
SERVICE_PREFIXES = ("service_", "mean_service", "median_service")  # KPIs of the time from start to end of a step
SERVICE_KPIS = frozenset({"utilisation", "cycle_working_s"})
MIN_CASES_NO_REPEATS = 20  # below this many cases, "no step ever repeats" is not taken as a sign of the export

_HIGHER_MARKERS = ("deemed", "first_time_right", "resolved", "on_time", "within_norm", "closed_share")
_NEUTRAL_MARKERS = ("events", "period", "activities", "variants_count", "resources", "teams")


def kpi_direction(key: str) -> str | None:
    """Whether lower or higher is better for a KPI key; None for counts that are not a quality (cases)."""
    if key in KPI_DIRECTIONS:
        return KPI_DIRECTIONS[key]
    if any(m in key for m in _HIGHER_MARKERS):
        return HIGHER
    if key in ("cases", "n_cases") or key.startswith("cases_") or any(key.endswith(m) or key.startswith(m) for m in _NEUTRAL_MARKERS):
        return None
    return LOWER


@dataclass(frozen=True)
class Comparison:
    """The network's offices on the same KPIs; best/worst office per KPI (None where not rankable)."""

    offices: tuple[str, ...]
    kpis: pd.DataFrame  # index office, one column per KPI key (NaN where an office lacks it)
    directions: dict[str, str | None]
    best: dict[str, str | None]
    worst: dict[str, str | None]
    case_types: tuple[str, ...]  # compared case types (every office has >= min_cases)
    by_case_type: pd.DataFrame  # columns case_type, office, cases, <kpi keys>
    best_by_case_type: dict[str, dict[str, str | None]]  # case_type -> kpi -> office
    worst_by_case_type: dict[str, dict[str, str | None]]
    top_findings: dict[str, Finding | None]
    min_cases: int = MIN_CASES
    excluded_case_types: dict[str, dict[str, int]] = field(default_factory=dict)  # case_type -> office -> cases
    not_measurable: dict[str, dict[str, str]] = field(default_factory=dict)  # kpi -> office -> reason code
    medians: dict[str, float | None] = field(default_factory=dict)  # kpi -> network median (``network_medians``; None: a volume)
    # every network median a report shows, made once (compare.medians): figure x case type -> median, offices
    network_medians: NetworkMedians = field(default_factory=NetworkMedians.empty)
    # fair comparison, topics, trends, measures (compare.network); None when compare_offices got no logs
    network: NetworkComparison | None = None


def tied_best_worst(values: pd.Series, direction: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """All index labels sharing the best and the worst value (ties included); empty when not rankable."""
    v = pd.to_numeric(values, errors="coerce").astype("float64").dropna()
    if direction is None or len(v) < 2 or np.isclose(v.max(), v.min()):
        return (), ()
    top = tuple(str(i) for i in v.index[np.isclose(v, v.max())])
    bottom = tuple(str(i) for i in v.index[np.isclose(v, v.min())])
    return (top, bottom) if direction == HIGHER else (bottom, top)


def _best_worst(values: pd.Series, direction: str | None) -> tuple[str | None, str | None]:
    """Best and worst index label of a series under a direction (first in order on ties); None when not rankable."""
    best, worst = tied_best_worst(values, direction)
    return (best[0] if best else None), (worst[0] if worst else None)


def repeats_visible(analysis: OfficeAnalysis) -> bool:
    """Whether the office's export can show a step twice in a case: the analysis' flag, else inferred.

    Inferred False when at least ``MIN_CASES_NO_REPEATS`` cases with several steps never repeat any step
    (every activity's event count equals its case count): the signature of a milestone export with one
    date column per step. A real event log of an immigration office always repeats some step.
    """
    if analysis.repeats_visible is not None:
        return bool(analysis.repeats_visible)
    acts = analysis.activities
    if (
        analysis.cases < MIN_CASES_NO_REPEATS
        or analysis.events <= analysis.cases
        or acts is None
        or not len(acts)
        or not {"count", "cases"} <= set(acts.columns)
    ):
        return True
    counts = pd.to_numeric(acts["count"], errors="coerce").to_numpy(dtype="float64")
    cases = pd.to_numeric(acts["cases"], errors="coerce").to_numpy(dtype="float64")
    return bool((counts > cases).any())


def export_limits(analysis: OfficeAnalysis) -> tuple[str, ...]:
    """What the office's export cannot show: ``NO_REPEATS``, ``NO_START`` (empty when it shows everything)."""
    limits = []
    if not repeats_visible(analysis):
        limits.append(NO_REPEATS)
    if not analysis.has_start:
        limits.append(NO_START)
    return tuple(limits)


def limit_reason(key: str, limits: tuple[str, ...]) -> str | None:
    """The reason code why KPI ``key`` is not measurable under an export's ``limits``; None when it is."""
    if NO_REPEATS in limits and key in REPEAT_KPIS:
        return NO_REPEATS
    if NO_START in limits and (key.startswith(SERVICE_PREFIXES) or key in SERVICE_KPIS):
        return NO_START
    return None


def not_measurable_kpis(analysis: OfficeAnalysis, keys: list[str] | None = None) -> dict[str, str]:
    """KPI key -> reason code for the office's KPIs (or the given ``keys``) its export cannot measure."""
    limits = export_limits(analysis)
    return {key: reason for key in (list(analysis.kpis) if keys is None else keys) if (reason := limit_reason(key, limits))}


def case_type_frame(analysis: OfficeAnalysis) -> pd.DataFrame:
    """An office's ``kpis_by_case_type`` with ``case_type`` and ``cases`` as columns (index or column input)."""
    df = analysis.kpis_by_case_type
    if df is None or len(df) == 0:
        return pd.DataFrame(columns=["case_type", "cases"])
    df = df.copy()
    if "case_type" not in df.columns:
        df = df.reset_index()
        df = df.rename(columns={df.columns[0]: "case_type"})
    if "cases" not in df.columns and "n_cases" in df.columns:
        df = df.rename(columns={"n_cases": "cases"})
    df["case_type"] = df["case_type"].astype(str)
    return df


def compare_offices(
    analyses: list[OfficeAnalysis],
    min_cases: int = MIN_CASES,
    logs: Mapping[str, LogLike] | None = None,
    measures: list[MeasureSpec] | tuple[MeasureSpec, ...] = (),
) -> Comparison:
    """Put the offices side by side on the KPIs they report, overall and per shared case type.

    With the offices' ``logs``, also the network comparison (``Comparison.network``: case-mix standardised
    KPIs with intervals, topics, trends and the evaluation of ``measures``; see ``compare.network``).
    """
    offices = tuple(a.office for a in analyses)
    kpis = pd.DataFrame.from_records([dict(a.kpis) for a in analyses], index=list(offices))
    if "cases" not in kpis.columns:
        kpis.insert(0, "cases", [a.cases for a in analyses])
    kpis = kpis.apply(pd.to_numeric, errors="coerce").astype("float64")
    limits = {a.office: export_limits(a) for a in analyses}
    not_measurable: dict[str, dict[str, str]] = {}
    for key in kpis.columns:
        nm = {o: r for o in offices if (r := limit_reason(key, limits[o]))}
        if nm:
            not_measurable[key] = nm
            kpis.loc[list(nm), key] = np.nan
    directions = {k: kpi_direction(k) for k in kpis.columns}
    best, worst = {}, {}
    for key in kpis.columns:
        best[key], worst[key] = _best_worst(kpis[key], directions[key])

    frames = []
    for a in analyses:
        ct = case_type_frame(a)
        ct.insert(0, "office", a.office)
        frames.append(ct)
    long = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["office", "case_type", "cases"])
    if "cases" not in long.columns:
        long["cases"] = np.nan
    counts = long.pivot_table(index="case_type", columns="office", values="cases", aggfunc="sum")
    counts = counts.reindex(columns=list(offices)).fillna(0)
    eligible_mask = (counts >= min_cases).all(axis=1) if len(offices) else pd.Series(dtype=bool)
    case_types = tuple(sorted(counts.index[eligible_mask].astype(str)))
    excluded = {
        str(ct): {o: int(n) for o, n in counts.loc[ct].items()} for ct in counts.index[~eligible_mask].astype(str)
    }
    metric_cols = [
        c for c in long.columns if c not in ("office", "case_type", "cases") and pd.api.types.is_numeric_dtype(long[c])
    ]
    by_ct = long[long["case_type"].isin(case_types)][["case_type", "office", "cases", *metric_cols]]
    by_ct = by_ct.sort_values(["case_type", "office"], kind="stable").reset_index(drop=True)
    for key in metric_cols:
        nm = {o: r for o in offices if (r := limit_reason(key, limits[o]))}
        if nm:
            not_measurable.setdefault(key, {}).update(nm)
            by_ct[key] = by_ct[key].astype("float64").mask(by_ct["office"].isin(list(nm)))
    best_ct: dict[str, dict[str, str | None]] = {}
    worst_ct: dict[str, dict[str, str | None]] = {}
    for ct, g in by_ct.groupby("case_type", sort=True):
        g = g.set_index("office")
        best_ct[str(ct)], worst_ct[str(ct)] = {}, {}
        for key in metric_cols:
            best_ct[str(ct)][key], worst_ct[str(ct)][key] = _best_worst(g[key], kpi_direction(key))

    top = {a.office: (min(a.findings, key=lambda f: f.rank) if a.findings else None) for a in analyses}
    # network medians of the quality figures (a volume such as the number of cases has none)
    rated = [key for key in kpis.columns if directions[key] is not None]
    table = network_medians(analyses, kpis[rated], by_ct[["case_type", "office", *[c for c in metric_cols if kpi_direction(c) is not None]]],
                            {a.office: NO_REPEATS not in limits[a.office] for a in analyses}, min_cases)
    overall = table.overall()
    medians = {key: overall.get(key) for key in kpis.columns}
    return Comparison(
        offices=offices,
        kpis=kpis,
        directions=directions,
        best=best,
        worst=worst,
        case_types=case_types,
        by_case_type=by_ct,
        best_by_case_type=best_ct,
        worst_by_case_type=worst_ct,
        top_findings=top,
        min_cases=min_cases,
        excluded_case_types=excluded,
        not_measurable=not_measurable,
        medians=medians,
        network_medians=table,
        network=_network(analyses, logs, measures) if logs else None,
    )


def _network(
    analyses: list[OfficeAnalysis], logs: Mapping[str, LogLike], measures: list[MeasureSpec] | tuple[MeasureSpec, ...]
) -> NetworkComparison:
    from procmine.compare.network import network_comparison

    repeats: dict[str, bool | None] = {a.office: repeats_visible(a) for a in analyses}
    return network_comparison({a.office: logs[a.office] for a in analyses if a.office in logs}, measures, repeats)
