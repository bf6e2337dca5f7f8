"""The network medians: every figure a report shows as "Netzwerk-Median", in one table, made once.

``network_medians`` builds one table (``NetworkMedians.table``: figure × case type → median over the
offices that measure the figure, with the number of offices). The comparison carries it
(``Comparison.network_medians``); the office reports, the comparison page and ``results.json``
(``network_medians``) all read it, so the same figure never shows two network medians.

Figures (``figure`` key; ``case_type`` "" = all cases of an office):

* every KPI of the comparison (its key, e.g. ``cycle_time_median_days``), overall and for each compared
  case type (those every office has at least ``min_cases`` cases of: fair); offices whose export cannot
  measure a KPI are left out (``Comparison.not_measurable``);
* ``wait_before:<step>``: the median wait before a step (``diagnosis.activity_times``; the gap to the
  previous step in a completion-only export), in days, from offices with at least ``min_cases`` events
  of the step (the waiting-time chart of each office report);
* ``per_case:<step>``: how often a step happens per case beyond what a case needs (a contact such as a
  status inquiry counts each time, another step each time after its first in a case), from the
  offices' activity counts; offices whose export cannot show repeats are left out;
* ``wait:<step>→<step>`` and ``strength:<metric>``: figures only the network analysis measures (the wait
  between two steps across interleaved contacts; the wait from an appointment request to the visit, one
  of an office's strengths). The analysis computes their network median once for all offices
  (``Finding.evidence["network_median_days"]``, ``extra["strengths"][*]["network_median"]``); the table
  takes it from there (``source`` = ``"analysis"``) rather than a second time from other figures. The
  other strengths are figures the comparison measures itself (``STRENGTH_FIGURES``: median elapsed days
  = ``cycle_time_median_days`` …) and read its value; the analysis' number fills in only where the
  comparison has none.

A figure only one office measures has no network median (``MIN_OFFICES``). A step is named
``key:<catalogue key>`` where the export maps to the catalogue, else ``label:<label>``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from procmine.analyse.detectors.base import CONTACT_KEYS
from procmine.analyse.model import Finding, OfficeAnalysis

COLUMNS = ["figure", "case_type", "median", "offices", "source"]
MIN_OFFICES = 2  # a figure one office alone measures has no network median (it would be the office's own value)
ALL = ""  # case_type of a figure over all cases of an office
COMPARE = "compare"
ANALYSIS = "analysis"
DAY_S = 86400.0


def step_ident(key: Any, label: Any) -> str:
    """What makes two offices' steps the same step: the catalogue key, else the label."""
    return f"key:{key}" if isinstance(key, str) and key else f"label:{label}"


def wait_before_figure(key: Any, label: Any) -> str:
    return f"wait_before:{step_ident(key, label)}"


def per_case_figure(key: Any, label: Any) -> str:
    return f"per_case:{step_ident(key, label)}"


def wait_figure(f: Finding) -> str:
    return f"wait:{step_ident(f.from_key, f.from_activity)}\u2192{step_ident(f.to_key, f.to_activity)}"


# the analysis' strengths (analyse/detectors/strengths.py) that are figures the comparison measures itself
STRENGTH_FIGURES = {
    "median_elapsed_days": "cycle_time_median_days",
    "share_over_90_days": "share_cases_over_90_days",
    "status_inquiries_per_case": "per_case:key:status_inquiry_received",
    "document_requests_per_case": "per_case:key:documents_requested",
}


def strength_figure(metric: str) -> str:
    """The table's figure of one of the analysis' strengths: the comparison's own figure where it measures the
    same (``STRENGTH_FIGURES``), else ``strength:<metric>``."""
    return STRENGTH_FIGURES.get(metric, f"strength:{metric}")


# the evidence key holding the typical office's value of a finding's own figure, by kind (detectors)
TYPICAL_KEYS = {"waiting": "network_mean_beyond_norm_days", "deadline": "network_typical_share_over_90_days"}


def typical_of_finding(f: Finding) -> float | None:
    """The typical office's value of a finding's own figure: a wait finding's mean wait past the norm (where at
    least two offices log the wait), a deadline finding's share over three months; None otherwise, and None
    where it is the finding's norm already."""
    v = (f.evidence or {}).get(TYPICAL_KEYS.get(f.kind, ""))
    if not isinstance(v, (int, float)) or v != v:
        return None
    return None if f.norm is not None and abs(float(f.norm) - float(v)) <= 1e-9 * max(1.0, abs(float(v))) else float(v)


TYPICAL = "typical"  # the typical office's same figure (typical_of_finding)
NETWORK = "network"  # the network median of the finding's figure (NetworkMedians.of_finding)


def comparison_of_finding(f: Finding, medians: NetworkMedians | None) -> tuple[float | None, str]:
    """The one network figure a finding is shown beside, and which it is (``TYPICAL`` or ``NETWORK``; "" for none):
    the typical office's same figure where the finding carries it, else the network median of its figure, except
    where the finding's norm already is the network's figure (two network numbers would confuse the reader)."""
    typical = typical_of_finding(f)
    if typical is not None:
        return typical, TYPICAL
    if medians is None or (f.norm_basis == "network" and f.norm is not None):
        return None, ""
    value = medians.of_finding(f)
    return (None, "") if value is None else (value, NETWORK)


def finding_figure(f: Finding) -> tuple[str, str] | None:
    """The table's (figure, case type) of a finding's headline figure; None when the table has no such figure
    (a team's or a case type's own figure, a weekday share: nothing the other offices have in common)."""
    if f.kind == "waiting" and f.unit == "days" and (f.from_key or f.from_activity) and (f.to_key or f.to_activity):
        return wait_figure(f), ALL
    if f.unit == "per_case" and (f.activity_key or f.activity) and f.case_type is None:
        return per_case_figure(f.activity_key, f.activity), ALL
    return None


@dataclass(frozen=True)
class NetworkMedians:
    """Figure × case type → network median and the number of offices behind it (see the module docstring)."""

    table: pd.DataFrame  # COLUMNS, one row per (figure, case_type)
    _index: dict[tuple[str, str], tuple[float, int]] = field(init=False, repr=False, compare=False)

    @classmethod
    def empty(cls) -> NetworkMedians:
        return cls(pd.DataFrame(columns=COLUMNS))

    def __post_init__(self) -> None:  # one lookup per figure and case type, not a scan of the table
        t = self.table
        index = {(str(f), str(c)): (float(m), int(n)) for f, c, m, n in zip(t["figure"], t["case_type"], t["median"], t["offices"])}
        object.__setattr__(self, "_index", index)

    def get(self, figure: str, case_type: str = ALL) -> float | None:
        """The network median of a figure (None where the table has none)."""
        hit = self._index.get((figure, case_type))
        return None if hit is None else hit[0]

    def offices(self, figure: str, case_type: str = ALL) -> int:
        """How many offices the median rests on (0 where the table has no such figure)."""
        hit = self._index.get((figure, case_type))
        return 0 if hit is None else hit[1]

    def of_finding(self, f: Finding) -> float | None:
        """The network median of a finding's headline figure (``finding_figure``), None where there is none.
        A wait finding's headline is the mean of the waits past its norm, which no office median measures:
        it carries the typical office's same figure itself (``typical_of_finding``), so it gets none here."""
        fig = finding_figure(f)
        return None if fig is None or f.kind == "waiting" else self.get(*fig)

    def overall(self) -> dict[str, float | None]:
        """figure -> median over all cases (``Comparison.medians``)."""
        t = self.table[self.table["case_type"] == ALL]
        return {str(f): float(m) for f, m in zip(t["figure"], t["median"])}

    def to_records(self) -> list[dict[str, Any]]:
        """results.json ``network_medians`` (docs/results.md)."""
        return [
            {"figure": str(r["figure"]), "case_type": str(r["case_type"]) or None, "median": float(r["median"]),
             "offices": int(r["offices"]), "source": str(r["source"])}
            for r in self.table.to_dict("records")
        ]


def _medians(long: pd.DataFrame, source: str) -> pd.DataFrame:
    """long: figure, case_type, office, value -> one row per (figure, case_type) with median and offices."""
    long = long[np.isfinite(pd.to_numeric(long["value"], errors="coerce").astype("float64"))]
    if long.empty:
        return pd.DataFrame(columns=COLUMNS)
    g = long.astype({"value": "float64"}).groupby(["figure", "case_type"], sort=True)["value"]
    out = pd.DataFrame({"median": g.median(), "offices": g.size()}).reset_index()
    out["source"] = source
    return out[COLUMNS]


def _kpi_values(kpis: pd.DataFrame, by_case_type: pd.DataFrame) -> pd.DataFrame:
    """The KPIs overall (office × KPI, unmeasurable already NaN) and per compared case type, long."""
    overall = kpis.rename_axis("office").reset_index().melt(id_vars="office", var_name="figure", value_name="value")
    overall["case_type"] = ALL
    cols = [c for c in by_case_type.columns if c not in ("case_type", "office")]
    per_ct = by_case_type.melt(id_vars=["case_type", "office"], value_vars=cols, var_name="figure", value_name="value")
    return pd.concat([overall, per_ct], ignore_index=True)


def step_waits(a: OfficeAnalysis) -> pd.DataFrame:
    """activity, key, events, median wait before the step in days (the gap where the export has no start):
    an office's own figure of ``wait_before:<step>``."""
    p = a.diagnosis
    if p is None or p.activity_times is None or not len(p.activity_times):
        return pd.DataFrame(columns=["activity", "key", "events", "days"])
    at = p.activity_times
    interval = (at["time_basis"] != "completion_only").to_numpy()
    wait = np.where(interval, pd.to_numeric(at["waiting_calendar_median_s"], errors="coerce"),
                    pd.to_numeric(at["gap_calendar_median_s"], errors="coerce"))
    return pd.DataFrame({"activity": at["activity"].astype(str).to_numpy(), "key": at["activity_key"].astype(object).to_numpy(),
                         "events": at["events"].to_numpy(), "days": wait / DAY_S})


def _step_values(a: OfficeAnalysis, min_cases: int, repeats: bool) -> pd.DataFrame:
    """An office's wait before each step (days) and extra occurrences per case, long."""
    parts = []
    w = step_waits(a)
    w = w[pd.to_numeric(w["events"], errors="coerce").to_numpy(dtype=float) >= min_cases]
    if len(w):
        figures = [wait_before_figure(k, x) for k, x in zip(w["key"], w["activity"])]
        parts.append(pd.DataFrame({"figure": figures, "value": w["days"].to_numpy(dtype=float)}))
    acts = a.activities
    if repeats and a.cases > 0 and acts is not None and len(acts) and {"count", "cases"} <= set(acts.columns):
        keys = acts["activity_key"] if "activity_key" in acts.columns else pd.Series([None] * len(acts), index=acts.index)
        count = pd.to_numeric(acts["count"], errors="coerce").to_numpy(dtype=float)
        with_step = pd.to_numeric(acts["cases"], errors="coerce").to_numpy(dtype=float)
        contact = keys.isin(list(CONTACT_KEYS)).to_numpy()
        extra = np.where(contact, count, np.maximum(count - with_step, 0.0)) / a.cases
        figures = [per_case_figure(k, x) for k, x in zip(keys, acts["activity"])]
        parts.append(pd.DataFrame({"figure": figures, "value": extra}))
    if not parts:
        return pd.DataFrame(columns=["figure", "value", "case_type", "office"])
    out = pd.concat(parts, ignore_index=True)
    return out.assign(case_type=ALL, office=a.office)


def _analysis_values(analyses: list[OfficeAnalysis]) -> pd.DataFrame:
    """Network medians the analysis made once for all offices (pair waits, strengths), one row per figure,
    with the number of offices that show the figure's steps (pair waits) or measure it (strengths)."""
    rows: dict[str, tuple[float, int]] = {}
    steps = {a.office: _steps(a) for a in analyses}
    for a in analyses:
        for f in a.findings:
            net = _number((f.evidence or {}).get("network_median_days"))
            # an "own" norm: the analysis saw the wait in this office alone, so there is no network figure
            if (f.kind == "waiting" and f.norm_basis != "own" and net is not None
                    and (fig := finding_figure(f)) is not None and fig[0] not in rows):
                pair = {step_ident(f.from_key, f.from_activity), step_ident(f.to_key, f.to_activity)}
                rows[fig[0]] = (net, sum(pair <= s for s in steps.values()))
        for s in a.extra.get("strengths") or []:
            med = _number(s.get("network_median"))
            if med is not None and strength_figure(str(s.get("metric"))) not in rows:
                rows[strength_figure(str(s["metric"]))] = (med, int(s.get("offices") or 0))
    if not rows:
        return pd.DataFrame(columns=COLUMNS)
    return pd.DataFrame(
        [(fig, ALL, med, n, ANALYSIS) for fig, (med, n) in sorted(rows.items())], columns=COLUMNS
    )


def _steps(a: OfficeAnalysis) -> set[str]:
    acts = a.activities
    if acts is None or not len(acts):
        return set()
    keys = acts["activity_key"] if "activity_key" in acts.columns else [None] * len(acts)
    return {step_ident(k, x) for k, x in zip(keys, acts["activity"])}


def _number(v: Any) -> float | None:
    """A finite float, else None."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def network_medians(
    analyses: list[OfficeAnalysis],
    kpis: pd.DataFrame,
    by_case_type: pd.DataFrame,
    repeats: dict[str, bool],
    min_cases: int,
) -> NetworkMedians:
    """The one table of network medians (module docstring); ``kpis`` / ``by_case_type`` as the comparison holds
    them (unmeasurable values NaN, only compared case types), ``repeats``: whether each office's export shows
    repeated steps."""
    steps = [_step_values(a, min_cases, repeats.get(a.office, True)) for a in analyses]
    computed = _medians(pd.concat([_kpi_values(kpis, by_case_type), *steps], ignore_index=True), COMPARE)
    taken = _analysis_values(analyses)  # only for figures the comparison does not compute itself
    taken = taken[~taken["figure"].isin(computed["figure"])]
    table = pd.concat([t for t in (computed, taken) if len(t)], ignore_index=True)
    table = table[table["offices"].to_numpy(dtype=float) >= MIN_OFFICES] if len(table) else table
    if table.empty:
        return NetworkMedians.empty()
    table = table.astype({"figure": str, "case_type": str, "median": "float64", "offices": "int64", "source": str})
    return NetworkMedians(table.sort_values(["figure", "case_type"], kind="stable").reset_index(drop=True))
