"""From the detectors' raw findings to one ranked list per office: merges, registry, ranking.

A finding is *high-impact* when it is the office's own (not shared) and its impact is at least
``min_impact_per_case_year`` days per case per year of the office (default 1: the problem costs at
least one extra day for every case the office handles in a year); findings below
``min_listed_per_case_year`` are dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from procmine.analyse.detectors import registry
from procmine.analyse.detectors.base import Network, OfficeData
from procmine.analyse.detectors.repeats import merge_families
from procmine.analyse.detectors.waits import wait_pattern
from procmine.analyse.model import Finding
from procmine.eventlog import LogLike, as_frame

MIN_Z = 3.0  # deadline findings: standard errors above the network's typical share to count as high-impact
MIN_STAFF_MINUTES_PER_CASE = 5.0  # capacity findings: high-impact from 5 staff minutes per case of the office
FEW_CASES = 30  # findings resting on fewer cases are flagged
CAUSE_KINDS = {"waiting", "backlog", "deadline", "resource", "batching"}
SINGLE_WAIT_PATTERNS = {"waiting", "stuck_minority"}
# summaries of lateness: the consequence of the office's largest problem unless they fold spread waits
CONSEQUENCE_PATTERNS = {"deadline_share"}
TEAM_EXPLAINS = 0.5  # a short team's finding weighing this share of its late case type's is that lateness's cause


def _merge_team_into_deadline(found: list[Finding], min_share: float = 0.8) -> list[Finding]:
    """A team that serves (≥ ``min_share`` of its cases) one case type whose cases run past the
    deadline is one problem, and its cause is the team's capacity, not a queue order that starves
    the type (there is no other type in that team to be preferred): reported once, as the team
    finding carrying the deadline evidence, or, where the deadline finding claims more, as that finding
    (with the team named and its evidence): a finding's figure, norm and impact stay one quantity."""
    deadlines: dict[tuple[object, object], int] = {
        (f.case_type, f.team): i for i, f in enumerate(found) if f.kind == "deadline" and f.case_type}
    out = list(found)
    drop = set()
    for i, f in enumerate(found):
        if f.kind != "resource" or f.evidence.get("main_case_type_share", 0.0) < min_share:
            continue
        j = deadlines.get((f.evidence.get("main_case_type"), f.team))
        if j is None:
            continue
        d = out[j]
        if d.impact > f.impact:
            out[j] = replace(d, team=d.team or f.team, evidence={**d.evidence, "team_finding": dict(f.evidence)})
            drop.add(i)
        else:
            out[i] = replace(f, evidence={**f.evidence, "deadline_finding": dict(d.evidence)})
            drop.add(j)
    return [f for i, f in enumerate(out) if i not in drop]


def _merge_wait_into_batching(found: list[Finding]) -> list[Finding]:
    """A generic wait into an activity the office releases once a week is that release's wait: one
    problem, reported once as the batching finding (its cause) with the wait's evidence (``waits_into_step``)
    and the larger impact of the two, capped by what the batching's figure explains
    (``batching_explained``): a wait measured against another norm claims days the batching does not show."""
    batched = {(f.activity_key, f.activity): i for i, f in enumerate(found) if f.kind == "batching" and not f.shared}
    by_key: dict[str | None, int] = {k: i for (k, _), i in batched.items() if k}
    by_label: dict[str | None, int] = {a: i for (_, a), i in batched.items() if a}
    out = list(found)
    drop = set()
    for i, f in enumerate(found):
        if f.kind != "waiting" or f.pattern not in SINGLE_WAIT_PATTERNS or f.shared:
            continue
        j = by_key.get(f.to_key) if f.to_key else by_label.get(f.to_activity)
        if j is None:
            continue
        b = out[j]
        waits = [*b.evidence.get("waits_into_step", []), {"from_activity": f.from_activity, "from_key": f.from_key,
                                                            "impact": float(f.impact), **f.evidence}]
        out[j] = replace(b, impact=min(max(b.impact, f.impact), batching_explained(b)), evidence={**b.evidence, "waits_into_step": waits})
        drop.add(i)
    return [f for i, f in enumerate(out) if i not in drop]


def _merge_same_pattern_waits(found: list[Finding]) -> list[Finding]:
    """Waits of one named pattern (e.g. the appointment backlog seen between request and booking and
    between booking and visit) are one problem: reported once per office, own and shared apart, as the
    largest with the others listed as related steps."""
    groups: dict[tuple[str, bool, bool], list[int]] = {}
    for i, f in enumerate(found):
        if f.from_key is not None and f.to_key is not None and f.pattern not in SINGLE_WAIT_PATTERNS:
            groups.setdefault((f.pattern, f.shared, f.external), []).append(i)
    drop: set[int] = set()
    out = list(found)
    for idx in groups.values():
        if len(idx) < 2:
            continue
        # the pair with a legal/usual norm names the problem where there is one (the truth's step)
        normed = [i for i in idx if found[i].norm_basis in ("legal", "usual")]
        best = max(normed or idx, key=lambda i: found[i].impact)
        # claimed: the group's largest, but never more than the shown pair's own figure explains
        top = min(max(found[i].impact for i in idx), wait_explained(found[best]))
        related = [f"{found[i].from_activity} → {found[i].to_activity}" for i in idx if i != best]
        out[best] = replace(found[best], impact=top, evidence={**found[best].evidence, "related_steps": related})
        drop.update(i for i in idx if i != best)
    return [f for i, f in enumerate(out) if i not in drop]


def wait_explained(f: Finding) -> float:
    """Excess case-days per year a wait finding's figure explains: its waits beyond the norm per year ×
    (value − norm) (one quantity, ``waits``); unbounded where the evidence lacks the counts."""
    ev = f.evidence
    if f.norm is None or not ev.get("waits") or "waits_over_norm" not in ev or "waits_per_year" not in ev:
        return float("inf")
    return float(ev["waits_over_norm"]) * float(ev["waits_per_year"]) / float(ev["waits"]) * max(f.value - f.norm, 0.0)


def batching_explained(f: Finding) -> float:
    """Excess case-days per year a batching finding's figure explains: the step's events per year × the
    mean extra wait per event the batching causes over the norm (``events_per_year`` ×
    ``extra_wait_days_per_event``); unbounded where the evidence lacks them."""
    ev = f.evidence
    if "events_per_year" not in ev or "extra_wait_days_per_event" not in ev:
        return float("inf")
    return float(ev["events_per_year"]) * max(float(ev["extra_wait_days_per_event"]), 0.0)


def lateness_explained(f: Finding) -> float:
    """Excess case-days per year a deadline finding's figure (cases past three months) explains: those
    cases' days past the limit per year (``days_beyond_90_per_year``); unbounded where it is missing."""
    v = f.evidence.get("days_beyond_90_per_year")
    return float("inf") if v is None else max(float(v), 0.0)


def total_excess(data: dict[str, OfficeData], min_offices: int = 3) -> dict[str, float]:
    """Per office: excess case-days per year of all its cases together, Σ max(0, elapsed − typical
    elapsed of the case type) / years, where typical = the median over offices of the office means
    of that case type (an office's own median with fewer than ``min_offices`` offices). Elapsed:
    closed cases to their end, open ones to the end of the log. No office's findings can claim more."""
    rows = [pd.DataFrame({"office": n, "ct": d.cases["case_type"].to_numpy().astype(str),
                          "el": d.cases["elapsed_d"].to_numpy(dtype=float)}) for n, d in data.items() if len(d.cases)]
    if not rows:
        return {n: 0.0 for n in data}
    tab = pd.concat(rows, ignore_index=True)
    means = tab.groupby(["ct", "office"])["el"].mean()
    typical = means.groupby(level="ct").median()
    if len(data) < min_offices:
        ref = tab.groupby(["office", "ct"])["el"].transform("median").to_numpy()
    else:
        ref = tab["ct"].map(typical).to_numpy(dtype=float)
    tab["ex"] = np.maximum(tab["el"].to_numpy() - ref, 0.0)
    per = tab.groupby("office")["ex"].sum()
    return {n: float(per.get(n, 0.0)) / d.years for n, d in data.items()}


def _net(findings: list[Finding], budget: float) -> list[Finding]:
    """Scale the office's own elapsed-time findings down in proportion when together they claim more
    than the office's total excess case-days (overlapping findings count the same days twice)."""
    own = [f for f in findings if _counts_in_budget(f)]
    claimed = float(sum(f.impact for f in own))
    factor = min(1.0, budget / claimed) if claimed > 0 else 1.0
    out = []
    for f in findings:
        if not _counts_in_budget(f):
            out.append(f)
            continue
        lo, hi = f.evidence.get("impact_low"), f.evidence.get("impact_high")
        interval = (float(lo) * factor, float(hi) * factor) if lo is not None and hi is not None else None
        out.append(replace(f, impact=f.impact * factor, impact_interval=interval,
                           evidence={**f.evidence, "impact_before_netting": float(f.impact), "netting_factor": factor,
                                     "office_total_excess_days_per_year": float(budget)}))
    return out


def _counts_in_budget(f: Finding) -> bool:
    """Own elapsed-time findings (not capacity, not a lateness summary that is another's consequence)."""
    consequence = f.pattern in CONSEQUENCE_PATTERNS and not f.evidence.get("waits_folded")
    return not f.shared and f.kind != "drift" and not is_capacity(f) and not consequence


def is_capacity(f: Finding) -> bool:
    """A finding sized in staff time only (staff hours, impact 0), not in elapsed case-days. No-shows and
    hand-overs carry staff hours besides their case-days and rank by the latter."""
    return registry.is_capacity(f.pattern)


# capacity patterns and the patterns of the own elapsed-time findings that can cause them (None: any
# wait, backlog, deadline, team or batching finding); hand-overs follow from no wait
CAUSES_OF: dict[str, frozenset[str] | None] = {
    "inquiry_flood": None,  # applicants ask because their case waits
    "booking_abuse": frozenset({"appointment_backlog"}),  # slots booked far ahead are missed more often
    "repeated_checks": frozenset({"document_loops"}),  # a file is checked again after each document round
    "handoff_pingpong": frozenset(),
}


def _link_causes(findings: list[Finding]) -> list[Finding]:
    """Capacity findings (status inquiries, no-shows, repeated checks) are mostly a consequence of
    waiting: each is linked to the office's largest own high-impact elapsed-time finding that can cause
    it (``CAUSES_OF``), its cause ("Folge der Wartezeit bei …"), when that weighs at least as much
    against its own line as the capacity finding does against its own; otherwise the capacity finding
    is a problem of its own (e.g. applicants asking far more often than elsewhere for the same waiting
    time). Hand-overs have no such cause."""
    own = [f for f in findings if f.high_impact and _counts_in_budget(f)]
    return [_link(f, _cause_of(f, own), own) for f in findings]


def _link_team_lateness(findings: list[Finding]) -> list[Finding]:
    """A case type running late in a team short of staff: where the team's own high-impact finding (its
    queue, or its cases' elapsed days) weighs at least ``TEAM_EXPLAINS`` of the lateness, the team's
    capacity is the cause and the lateness its symptom (``caused_by``, listed directly under the team);
    otherwise the queue order starves the type and the lateness stays a problem of its own."""
    teams = {f.team: f for f in findings if f.pattern == "team_shortage" and f.high_impact and not f.shared}
    out = []
    for f in findings:
        t = teams.get(f.team) if f.pattern == "priority_starvation" and f.team and "caused_by" not in f.evidence else None
        if t is not None and t.impact >= TEAM_EXPLAINS * f.impact:
            f = replace(f, evidence={**f.evidence, "caused_by": _where(t)})
        out.append(f)
    return out


def _cause_of(f: Finding, own: list[Finding]) -> Finding | None:
    """The largest own high-impact elapsed-time finding that can cause ``f`` (``CAUSES_OF``)."""
    allowed = CAUSES_OF.get(f.pattern) if f.staff_hours is not None else None
    causes = [c for c in own if c.pattern in allowed] if allowed is not None else [c for c in own if c.kind in CAUSE_KINDS]
    return max(causes, key=lambda c: c.impact) if causes else None


def _where(cause: Finding) -> dict[str, object]:
    return {"pattern": cause.pattern, "kind": cause.kind, "from_activity": cause.from_activity,
             "to_activity": cause.to_activity, "activity": cause.activity, "case_type": cause.case_type, "team": cause.team,
             "from_key": cause.from_key, "to_key": cause.to_key, "activity_key": cause.activity_key}


def _link(f: Finding, cause: Finding | None, causes: list[Finding]) -> Finding:
    """``f`` linked to its cause where it is a consequence (capacity finding, lateness summary)."""
    if cause is None:
        return f
    if f.staff_hours is not None and f is not cause and cause.evidence["score"] >= f.evidence["score"]:
        return replace(f, evidence={**f.evidence, "caused_by": _where(cause)})
    if f.pattern in CONSEQUENCE_PATTERNS and f is not cause and not f.evidence.get("waits_folded"):
        # late cases of an office with a larger problem: that problem's days, not extra ones; the
        # problem at the step where the late cases lost their time, else the largest
        step = wait_pattern(f.from_key or "", f.to_key or "") if f.from_key and f.to_key else None
        at = [c for c in causes if c is not f and ((c.from_key, c.to_key) == (f.from_key, f.to_key) or
                                                   (step not in (None, "waiting") and c.pattern == step))]
        c = max(at, key=lambda g: g.impact) if at else cause
        return replace(f, impact=0.0, impact_interval=None, evidence={**f.evidence, "caused_by": _where(c)})
    return f


# --- ranking --------------------------------------------------------------------------------------


def rank_findings(
    findings: list[Finding],
    cases_per_year: float,
    min_impact_per_case_year: float,
    min_listed_per_case_year: float,
    min_staff_minutes_per_case: float = MIN_STAFF_MINUTES_PER_CASE,
) -> list[Finding]:
    """Drop trivial findings, flag high-impact ones, rank.

    Each finding is scored as a multiple of its high-impact line: elapsed-time findings by excess
    days per case of the office per year over ``min_impact_per_case_year``, capacity findings by
    staff minutes per case over ``min_staff_minutes_per_case``. High-impact = own (not shared, not a
    drift), score ≥ 1, sure (its interval excludes the norm; deadline shares z ≥ ``MIN_Z``), its shown
    figure above its norm (``above_norm``). Order:
    high-impact findings by score, then the rest of the own findings, then shared ones and drifts; a
    capacity finding caused by a wait comes directly after its cause.
    """
    kept = []
    line_ratio = min_listed_per_case_year / min_impact_per_case_year if min_impact_per_case_year > 0 else 0.0
    for f in findings:
        rel = f.impact / cases_per_year
        if is_capacity(f):
            minutes = (f.staff_hours or 0.0) * 60.0 / cases_per_year
            score = minutes / min_staff_minutes_per_case
            extra = {"staff_minutes_per_case_year": float(minutes)}
        else:
            score = rel / min_impact_per_case_year if min_impact_per_case_year > 0 else rel
            extra = {}
        if f.kind != "drift" and score < line_ratio:
            continue
        # a deadline excess also has to stand out from chance (z ≥ MIN_Z against the network's share)
        sure = f.evidence.get("significance_z", np.inf) >= MIN_Z and (f.impact_interval is None or f.impact_interval[0] > 0)
        high = (not f.shared) and f.kind != "drift" and score >= 1.0 and sure and above_norm(f)
        kept.append(replace(f, high_impact=high, few_cases=f.cases < FEW_CASES,
                            evidence={**f.evidence, "impact_days_per_case_year": float(rel), "score": float(score), **extra}))
    kept = _link_team_lateness(_link_causes(kept))
    kept.sort(key=lambda f: (f.shared or f.kind == "drift", not f.high_impact, -f.evidence["score"]))
    # consequences directly under their cause
    linked = [f for f in kept if "caused_by" in f.evidence]
    order = [f for f in kept if "caused_by" not in f.evidence]
    for f in linked:
        cause = f.evidence["caused_by"]
        pos = next((i for i, g in enumerate(order) if g.pattern == cause["pattern"] and g.from_activity == cause["from_activity"]
                    and g.activity == cause["activity"] and g.case_type == cause["case_type"] and g.team == cause["team"]), None)
        order.insert(len(order) if pos is None else pos + 1, f)
    ranked = [replace(f, rank=i + 1) for i, f in enumerate(order)]
    rank_of = {id(f): f.rank for f in ranked}
    del rank_of
    out = []
    for f in ranked:
        if "caused_by" in f.evidence:
            c = f.evidence["caused_by"]
            cause_rank = next((g.rank for g in ranked if g.pattern == c["pattern"] and g.from_activity == c["from_activity"]
                               and g.activity == c["activity"] and g.case_type == c["case_type"] and g.team == c["team"]), None)
            f = replace(f, cause_rank=cause_rank)
        out.append(f)
    return out


def above_norm(f: Finding) -> bool:
    """The figure a finding shows lies above the norm it is shown against (one quantity, issue 14): a
    finding at or below its norm is never high-impact. Where the two are not in one unit (a share of
    cases past a limit in days) the test does not apply. A wait measured against the office's own
    typical wait (no network norm, ``norm_basis`` "own") counts as above only while it grows in the
    office's own history."""
    if f.norm_basis == "own" and f.evidence.get("trend") != "growing":
        return False
    if f.norm is None or (f.unit == "share" and f.norm > 1.0):
        return True
    return bool(f.value > f.norm)


def apply_registry(f: Finding) -> Finding:
    """The finding with its pattern's declared kind, and its declared measures where it names none."""
    s = registry.spec(f.pattern)
    if s is None:
        return f
    return replace(f, kind=s.kind, measures=tuple(f.measures) or s.measures)


@dataclass(frozen=True)
class DetectParams:
    """The parameters of ``detect_network`` / ``detect_network_full`` (declared once).

    ``min_impact_per_case_year``: a finding is high-impact when its impact reaches this many excess
    days per case of the office per year; ``min_listed_per_case_year``: below this it is dropped;
    ``min_team_resources``: teams with fewer distinct staff are left out of team findings;
    ``min_pair_cases``: step pairs with fewer cases are not reported.
    """

    min_impact_per_case_year: float = 1.0
    min_listed_per_case_year: float = 0.2
    min_team_resources: int = 5
    min_pair_cases: int = 10


def detect_network(logs: Mapping[str, LogLike], **params: Any) -> dict[str, list[Finding]]:
    """Run every registered detector over the network; ranked findings per office.

    ``params``: the fields of ``DetectParams``. Own elapsed-time findings are netted so that together
    they never claim more than the office's ``total_excess``.
    """
    return detect_network_full(logs, **params).findings


@dataclass(frozen=True)
class NetworkFindings:
    """``detect_network_full``: ranked findings, total excess case-days per year and strengths per office."""

    findings: dict[str, list[Finding]]
    total_excess: dict[str, float]
    strengths: dict[str, list[dict[str, object]]]


def detect_network_full(logs: Mapping[str, LogLike], **params: Any) -> NetworkFindings:
    """``detect_network`` with each office's total excess case-days and its best figures in the network
    (``params``: the fields of ``DetectParams``; an unknown name is refused)."""
    from procmine.analyse.detectors.monthly import finding_monthly
    from procmine.analyse.detectors.strengths import network_strengths

    p = DetectParams(**params)
    data = {name: OfficeData.build(name, as_frame(lg)) for name, lg in logs.items()}
    net = Network(data, min_pair_cases=p.min_pair_cases, min_team_resources=p.min_team_resources)
    raw: list[tuple[str, Finding]] = []
    for det in registry.detectors():
        raw += det.run(net)
    per_office: dict[str, list[Finding]] = {n: [] for n in data}
    for office, f in merge_families(raw):
        per_office[office].append(apply_registry(f))
    budget = total_excess(data)
    for _, merge in sorted(MERGES, key=lambda m: m[0]):
        per_office = {n: merge(fs) for n, fs in per_office.items()}
    per_office = {n: [apply_registry(f) for f in fs] for n, fs in per_office.items()}  # findings a merge made
    out = {}
    for n, fs in per_office.items():
        data[n].cache.setdefault("case_team", net.teams[n])  # the monthly series of team findings
        ranked = rank_findings(_net(fs, budget[n]), data[n].cases_per_year, p.min_impact_per_case_year, p.min_listed_per_case_year)
        out[n] = [replace(f, monthly=finding_monthly(data[n], f)) for f in _cap_unlinked(ranked, budget[n])]
    return NetworkFindings(out, budget, network_strengths(data))


def _cap_unlinked(findings: list[Finding], budget: float) -> list[Finding]:
    """A lateness summary that no larger problem explains keeps only the excess days left over."""
    left = max(budget - sum(f.impact for f in findings if _counts_in_budget(f)), 0.0)
    out = []
    for f in findings:
        if f.pattern in CONSEQUENCE_PATTERNS and not f.evidence.get("waits_folded") and f.impact > left:
            f = replace(f, impact=left, evidence={**f.evidence, "impact_before_netting": float(f.impact)})
        out.append(f)
    return out


Merge = Callable[[list[Finding]], list[Finding]]
# merge steps (order, step: one office's findings -> findings), run by order; a detector that folds
# findings of others into its own adds its step from its own module (``add_merge``)
MERGES: list[tuple[int, Merge]] = [(10, _merge_team_into_deadline), (20, _merge_wait_into_batching),
                                   (30, _merge_same_pattern_waits)]


def add_merge(step: Merge, order: int) -> None:
    """Register a merge step (runs after the detectors, before netting and ranking, by ``order``)."""
    MERGES.append((order, step))
