"""Analysis stage: per-office statistics (``analyse_office``) and ranked findings (``find_bottlenecks``).

``analyse_network`` runs both for a dict of canonical logs (office -> EventLog or DataFrame). Every
function takes an ``EventLog``; a DataFrame is built into one at the entry (``EventLog.of``), so a
filtered or re-ordered log gives the answers of the same rows in canonical order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from procmine import catalogue
from procmine.analyse.decomposition import decompose, part_summary
from procmine.analyse.diagnosis import OfficeDiagnosis, diagnose_office
from procmine.analyse.model import Finding, OfficeAnalysis
from procmine.analyse.stats import (
    EventArrays,
    activity_counts_per_case,
    case_durations,
    closed_cases,
    directly_follows,
    kpis_from_cases,
    open_cases,
    process_map,
    repeats_visible,
    rework,
    service_times,
    start_end_activities,
    variant_ids,
    variants,
)
from procmine.analyse.time import DEFAULT_CALENDAR, OfficeCalendar
from procmine.eventlog import EventLog, LogLike
from procmine.schema import END, OFFICE

__all__ = [
    "Finding",
    "OfficeAnalysis",
    "OfficeCalendar",
    "OfficeDiagnosis",
    "analyse_network",
    "analyse_office",
    "default_workers",
    "case_durations",
    "find_bottlenecks",
    "diagnose_office",
    "open_cases",
    "directly_follows",
    "process_map",
    "rework",
    "service_times",
    "start_end_activities",
    "variants",
]

TOP_VARIANTS = 20


def _office_name(log: pd.DataFrame, default: str = "") -> str:
    """The office of a log: the most frequent value of the ``office`` column."""
    if OFFICE in log.columns and log[OFFICE].notna().any():
        return str(log[OFFICE].astype(str).mode().iloc[0])
    return default


def analyse_office(
    log: LogLike,
    office: str | None = None,
    discover: bool = True,
    diagnose: bool = True,
    actual_fte: float | None = None,
    calendar: OfficeCalendar | None = None,
) -> OfficeAnalysis:
    """Statistics of one office's canonical log (no findings; see ``find_bottlenecks``).

    ``kpis`` (floats): cases; cycle_time_median_days / cycle_time_p90_days (closed cases, first
    event to last end); share_cases_over_90_days ((closed cases lasting > 90 d + open cases older
    than 90 d at the log's end) / all cases); cases_closed; cases_open; open_over_90_days;
    rework_share (cases with any activity repeated, contacts that pile up while a case waits such as
    status inquiries not counted: ``catalogue.NOT_REWORK_KEYS``); variants_count; mean_events_per_case.
    ``diagnose`` (default on) adds the issue-5 ``OfficeDiagnosis`` (``analyse.diagnosis.diagnose_office``)
    on the given office ``calendar``, with ``actual_fte`` (the office's staff in full-time
    equivalents, if known) for the KGSt gap.
    Closed means: the last event is a closing activity (``stats.CLOSING_KEYS``) where the log has
    canonical keys, else the case has been silent for at least the P90 within-case gap
    (``stats.closed_cases``; the rule is in ``extra["closed_rule"]``).
    ``extra["decomposition"]``: the elapsed time split into work, waits and gaps per party and pending
    time, per case type and part (``decomposition.part_summary``).
    ``kpis_by_case_type``: the same KPIs, one row per case type.
    """
    events = EventLog.of(log)
    log = events.df
    ea = EventArrays(events)
    name = office or _office_name(log, "office")
    cases = case_durations(ea)
    vid = variant_ids(ea)
    st = service_times(ea)
    rw = rework(ea)
    acc = activity_counts_per_case(ea)
    rework_case = np.zeros(ea.n_cases, dtype=bool)
    # contacts that pile up while a case waits (status inquiries …) are no rework (issue 14)
    not_rework = np.array([ea.label_key.get(str(lbl)) in catalogue.NOT_REWORK_KEYS for lbl in ea.labels], dtype=bool)
    redo = (acc["n"].to_numpy() > 1) & ~not_rework[acc["act"].to_numpy(dtype=np.int64)] if len(acc) else np.zeros(0, bool)
    rework_case[acc["case"].to_numpy(dtype=np.int64)[redo]] = True
    all_k = kpis_from_cases(cases, rework_case, vid)
    kpis = {k: float(v) for k, v in all_k.iloc[0].items()} if len(all_k) else {}
    by_type = kpis_from_cases(cases, rework_case, vid, group=cases["case_type"].to_numpy()) if len(cases) else all_k
    sa, en = start_end_activities(ea)
    _, rule = closed_cases(ea)
    extra: dict = {"closed_rule": rule, "span_days": ea.span_days}
    if ea.n:  # the per-case decomposition of elapsed time, aggregated per case type and part (issue 14)
        dec = decompose(ea, calendar or DEFAULT_CALENDAR, closed=cases["closed"].to_numpy(dtype=bool), steps=False)
        extra["decomposition"] = part_summary(dec, calendar or DEFAULT_CALENDAR)
    model = None
    if discover:
        from procmine.analyse.discovery import discover_model

        model_info: dict = {}
        model, reason = discover_model(log, vid, info=model_info)
        extra.update(model_info)
        if reason:
            extra["model_skipped"] = reason
    prof = None
    if diagnose and ea.n:  # an empty log has no diagnosis to speak of
        closed = pd.Series(cases["closed"].to_numpy(dtype=bool), index=cases["case_id"].astype(str).to_numpy())
        prof = diagnose_office(log, calendar or DEFAULT_CALENDAR, actual_fte=actual_fte, closed=closed, closed_rule=rule)
    lo, hi = ea.period
    return OfficeAnalysis(
        office=name,
        cases=int(ea.n_cases),
        events=int(ea.n),
        has_start=ea.has_start,
        period_start=lo,
        period_end=hi,
        kpis=kpis,
        kpis_by_case_type=by_type,
        process_map=process_map(ea),
        activities=st,
        start_activities=sa,
        end_activities=en,
        variants=variants(ea, top=TOP_VARIANTS),
        case_durations=cases,
        rework=rw,
        open_cases=open_cases(ea),
        model=model,
        extra=extra,
        diagnosis=prof,
        repeats_visible=repeats_visible(ea),
    )



def find_bottlenecks(
    analyses: list[OfficeAnalysis], logs: Mapping[str, LogLike] | Sequence[LogLike], **params: Any
) -> list[OfficeAnalysis]:
    """Copies of ``analyses`` with ranked ``findings``; norms come from the whole network.

    ``logs``: the canonical logs, keyed by office name (or a list in the order of ``analyses``).
    ``params`` go to ``findings.detect_network`` (e.g. ``min_impact_per_case_year``).
    """
    if not isinstance(logs, Mapping):
        logs = {a.office: lg for a, lg in zip(analyses, logs)}
    return _with_findings(analyses, _detect({a.office: logs[a.office] for a in analyses}, **params))


def _detect(logs: Mapping[str, LogLike], **params: Any) -> Any:
    """``detectors.combine.detect_network_full`` over the network's logs."""
    from procmine.analyse.detectors.combine import detect_network_full

    return detect_network_full({name: EventLog.of(lg) for name, lg in logs.items()}, **params)


def _with_findings(analyses: list[OfficeAnalysis], res: Any) -> list[OfficeAnalysis]:
    """Copies of ``analyses`` with the findings, total excess and strengths of ``detect_network_full``."""
    return [
        replace(a, findings=tuple(res.findings.get(a.office, ())),
                extra={**a.extra, "total_excess_days_per_year": res.total_excess.get(a.office),
                       "strengths": res.strengths.get(a.office, []),
                       "high_impact_findings": sum(f.high_impact for f in res.findings.get(a.office, ()))})
        for a in analyses
    ]


# below this many events in the whole network the offices are analysed in this process: starting
# worker processes would cost more than it saves
PARALLEL_MIN_EVENTS = 100_000
# the network's logs while a pool of forked workers analyses them (the workers inherit them, nothing
# is copied); set only for the duration of one ``analyse_network`` call
_POOL_LOGS: dict[str, EventLog] = {}


def _pool_office(name: str, kwargs: dict[str, Any]) -> OfficeAnalysis:
    """``analyse_office`` of one office in a forked worker (its log inherited from the parent)."""
    return analyse_office(_POOL_LOGS[name], office=name, **kwargs)


def _load_before_fork(events: Mapping[str, EventLog], cals: Mapping[str, OfficeCalendar], discover: bool) -> None:
    """Load in this process what each forked worker would otherwise load anew on every call (a fork
    inherits imported modules and filled caches): pm4py for the model (about 0.75 s CPU to import)
    and the holiday tables of the offices' calendars over their logs' years (``OfficeCalendar.closed_days``)."""
    if discover:
        from procmine.analyse.discovery import _pm4py

        _pm4py()
    for name, ev in events.items():  # one step per office
        end = ev.df[END]
        if len(end) and end.notna().any():
            (cals.get(name) or DEFAULT_CALENDAR).closed_days(int(end.min().year), int(end.max().year))


def default_workers() -> int:
    """Worker processes for the offices of a network: the CPUs this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


def analyse_network(
    logs: Mapping[str, LogLike],
    discover: bool = True,
    actual_fte: dict[str, float] | None = None,
    calendars: Mapping[str, OfficeCalendar] | None = None,
    workers: int | None = None,
    **params: Any,
) -> list[OfficeAnalysis]:
    """``analyse_office`` for every office, then ``find_bottlenecks`` across the network.

    ``actual_fte``: optional office -> staff in full-time equivalents, for the KGSt gap.
    ``calendars``: optional office -> its ``OfficeCalendar`` (its Land's holidays); an office not in it
    gets ``DEFAULT_CALENDAR``.
    ``workers``: processes for the per-office analyses (default: the CPUs, ``default_workers``); ``1``
    runs everything in this process. With more than one (and a network of at least
    ``PARALLEL_MIN_EVENTS`` events, on a system that can fork), the offices are analysed in forked
    worker processes while this process runs the findings detectors over the whole network (they
    see every office's log); the results are the same as with ``workers=1``.
    """
    fte = actual_fte or {}
    cals = calendars or {}
    events = {name: EventLog.of(lg) for name, lg in logs.items()}
    n_workers = default_workers() if workers is None else max(int(workers), 1)

    def kwargs(name: str) -> dict[str, Any]:
        return {"discover": discover, "actual_fte": fte.get(name), "calendar": cals.get(name)}

    parallel = (n_workers > 1 and len(events) > 1 and sum(len(e) for e in events.values()) >= PARALLEL_MIN_EVENTS
                and "fork" in multiprocessing.get_all_start_methods() and not _POOL_LOGS)
    if not parallel:
        analyses = [analyse_office(lg, office=name, **kwargs(name)) for name, lg in events.items()]
        return _with_findings(analyses, _detect(events, **params))
    _load_before_fork(events, cals, discover)
    _POOL_LOGS.update(events)
    try:
        with ProcessPoolExecutor(max_workers=min(n_workers, len(events)),
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(_pool_office, name, kwargs(name)) for name in events]
            res = _detect(events, **params)  # meanwhile, in this process: the network's findings
            analyses = [f.result() for f in futures]
    finally:
        _POOL_LOGS.clear()
    return _with_findings(analyses, res)
