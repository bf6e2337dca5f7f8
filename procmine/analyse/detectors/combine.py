"""From the detectors' raw findings to one ranked list per office: merges, registry, ranking.

A finding is *high-impact* when it is the office's own (not shared) and its impact is at least
``min_impact_per_case_year`` days per case per year of the office (default 1: the problem costs at
least one extra day for every case the office handles in a year); findings below
``min_listed_per_case_year`` are dropped.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from procmine.analyse.detectors import registry
from procmine.analyse.detectors.base import Network, OfficeData
from procmine.analyse.detectors.repeats import merge_families
from procmine.analyse.model import Finding

MIN_Z = 3.0  # deadline findings: standard errors above the network's typical share to count as high-impact


def _merge_team_into_deadline(found: list[Finding], min_share: float = 0.8) -> list[Finding]:
    """A team that serves (≥ ``min_share`` of its cases) one case type whose cases run past the
    deadline is one problem, and its cause is the team's capacity, not a queue order that starves
    the type (there is no other type in that team to be preferred): reported once, as the team
    finding carrying the deadline evidence, with the larger impact of the two."""
    deadlines = {(f.case_type, f.team): i for i, f in enumerate(found) if f.kind == "deadline" and f.case_type}
    out = list(found)
    drop = set()
    for i, f in enumerate(found):
        if f.kind != "resource" or f.evidence.get("main_case_type_share", 0.0) < min_share:
            continue
        j = deadlines.get((f.evidence.get("main_case_type"), f.team))
        if j is None:
            continue
        d = out[j]
        out[i] = replace(f, impact=max(d.impact, f.impact), evidence={**f.evidence, "deadline_finding": dict(d.evidence)})
        drop.add(j)
    return [f for i, f in enumerate(out) if i not in drop]


def _merge_wait_into_batching(found: list[Finding]) -> list[Finding]:
    """A generic wait into an activity the office releases once a week is that release's wait: one
    problem, reported once as the batching finding (its cause) with the wait's evidence and the
    larger impact of the two."""
    batched = {(f.activity_key, f.activity): i for i, f in enumerate(found) if f.kind == "batching" and not f.shared}
    by_key = {k: i for (k, _), i in batched.items() if k}
    by_label = {a: i for (_, a), i in batched.items() if a}
    out = list(found)
    drop = set()
    for i, f in enumerate(found):
        if f.kind != "waiting" or f.pattern != "waiting" or f.shared:
            continue
        j = by_key.get(f.to_key) if f.to_key else by_label.get(f.to_activity)
        if j is None:
            continue
        b = out[j]
        waits = [*b.evidence.get("waits_into_step", []), {"from_activity": f.from_activity, "from_key": f.from_key,
                                                            "impact": float(f.impact), **f.evidence}]
        out[j] = replace(b, impact=max(b.impact, f.impact), evidence={**b.evidence, "waits_into_step": waits})
        drop.add(i)
    return [f for i, f in enumerate(out) if i not in drop]


# --- ranking --------------------------------------------------------------------------------------


def rank_findings(findings: list[Finding], cases_per_year: float, min_impact_per_case_year: float, min_listed_per_case_year: float) -> list[Finding]:
    """Drop trivial findings, flag high-impact ones, rank: own problems by impact, then shared ones."""
    kept = []
    for f in findings:
        rel = f.impact / cases_per_year
        if f.kind != "drift" and rel < min_listed_per_case_year:
            continue
        # a deadline excess also has to stand out from chance (z ≥ MIN_Z against the network's share)
        sure = f.evidence.get("significance_z", np.inf) >= MIN_Z
        high = (not f.shared) and f.kind != "drift" and rel >= min_impact_per_case_year and sure
        kept.append(replace(f, high_impact=high, evidence={**f.evidence, "impact_days_per_case_year": float(rel)}))
    kept.sort(key=lambda f: (f.shared or f.kind == "drift", -f.impact))
    return [replace(f, rank=i + 1) for i, f in enumerate(kept)]



def apply_registry(f: Finding) -> Finding:
    """The finding with its pattern's declared kind, and its declared measures where it names none."""
    s = registry.spec(f.pattern)
    if s is None:
        return f
    return replace(f, kind=s.kind, measures=tuple(f.measures) or s.measures)


def detect_network(
    logs: dict[str, pd.DataFrame],
    min_impact_per_case_year: float = 1.0,
    min_listed_per_case_year: float = 0.2,
    min_team_resources: int = 5,
    min_pair_cases: int = 10,
) -> dict[str, list[Finding]]:
    """Run every registered detector over the network; ranked findings per office.

    ``min_impact_per_case_year``: a finding is high-impact when its impact reaches this many excess
    days per case of the office per year; ``min_listed_per_case_year``: below this it is dropped.
    """
    data = {name: OfficeData.build(name, lg) for name, lg in logs.items()}
    net = Network(data, min_pair_cases=min_pair_cases, min_team_resources=min_team_resources)
    raw: list[tuple[str, Finding]] = []
    for det in registry.detectors():
        raw += det.run(net)
    per_office: dict[str, list[Finding]] = {n: [] for n in data}
    for office, f in merge_families(raw):
        per_office[office].append(apply_registry(f))
    per_office = {n: _merge_wait_into_batching(_merge_team_into_deadline(fs)) for n, fs in per_office.items()}
    return {
        n: rank_findings(fs, data[n].cases_per_year, min_impact_per_case_year, min_listed_per_case_year)
        for n, fs in per_office.items()
    }
