"""The only module that calls pm4py: model discovery (inductive miner → BPMN) and reference values.

The ``pm4py_*`` helpers compute pm4py's own answer for a canonical log; tests compare procmine's
vectorised statistics against them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from procmine.eventlog import LogLike, as_frame
from procmine.schema import ACTIVITY, CASE_ID, END, PM4PY_KEYS, RESOURCE, START, TEAM, to_pm4py

MODEL_MAX_EVENTS = 2_000_000
MODEL_MAX_CASES = 20_000  # cases of the frequent variants handed to pm4py (sampled above this)
# activities in the model: more cannot be read in a picture, and the inductive miner's fall-throughs grow
# steeply with them (600 activities: about 30 s for 20,000 events); the rarest are left out of the model
MODEL_MAX_ACTIVITIES = 40
# variants handed to the inductive miner (the most frequent ones, within ``coverage``): its fall-throughs
# recount the directly-follows relation of every variant for every candidate activity, so a log where
# nearly every case is its own variant (1,590 variants in 2,400 cases of a demo office) took 3.5 s per
# office; with 100 variants 0.2 s, and the model's token-replay fitness on all cases of the covering
# variants stays 0.94-0.98 (was 0.96-0.99), its precision rises (measured on the nine demo offices)
MODEL_MAX_VARIANTS = 100


def _pm4py() -> Any:
    """Import pm4py lazily (it is slow to import and prints a banner)."""
    import pm4py

    return pm4py


def _keys_frame(log: pd.DataFrame) -> pd.DataFrame:
    """The log's key columns as plain strings, start under pm4py's name ``start_timestamp``."""
    out = pd.DataFrame(
        {
            CASE_ID: log[CASE_ID].astype(str).to_numpy(),
            ACTIVITY: log[ACTIVITY].astype(str).to_numpy(),
            END: log[END].to_numpy(),
            # pm4py's own name: its DFG orders a case by this column when the frame has it
            "start_timestamp": log[START].fillna(log[END]).to_numpy(),
        }
    )
    return out


def sample_cases(case_variant: np.ndarray, keep_variants: int, max_cases: int, seed: int = 0) -> np.ndarray:
    """Bool per case: the cases of variants ``0 .. keep_variants-1``, thinned to about ``max_cases``
    in proportion to each variant's frequency (every kept variant keeps at least one case; a fixed
    seed makes the sample repeatable)."""
    keep = case_variant < keep_variants
    total = int(keep.sum())
    if total <= max_cases:
        return keep
    counts = np.bincount(case_variant[keep], minlength=keep_variants)
    quota = np.maximum(1, np.floor(counts * (max_cases / total))).astype(np.int64)
    order = np.lexsort((np.random.default_rng(seed).random(len(case_variant)), case_variant))
    ranked = case_variant[order]
    starts = np.r_[0, np.flatnonzero(ranked[1:] != ranked[:-1]) + 1]
    sizes = np.diff(np.r_[starts, len(ranked)])
    rank = np.empty(len(case_variant), dtype=np.int64)
    rank[order] = np.arange(len(ranked)) - np.repeat(starts, sizes)
    return keep & (rank < quota[np.minimum(case_variant, keep_variants - 1)])


def discover_model(
    log: LogLike,
    case_variant: np.ndarray | None = None,
    coverage: float = 0.8,
    noise_threshold: float = 0.2,
    max_events: int = MODEL_MAX_EVENTS,
    max_cases: int = MODEL_MAX_CASES,
    info: dict | None = None,
    max_activities: int = MODEL_MAX_ACTIVITIES,
    max_variants: int = MODEL_MAX_VARIANTS,
) -> tuple[Any, str | None]:
    """A BPMN model (inductive miner) of the most frequent variants covering ``coverage`` of cases,
    at most ``max_variants`` of them.

    Returns (model, None), or (None, reason) when the log is empty, too large or discovery fails.
    ``case_variant``: variant number per case (0 = most frequent), as ``stats.variant_ids`` gives.
    With it, at most about ``max_cases`` cases of those variants go to pm4py (a proportional,
    repeatable sample, so very large logs stay cheap); ``info`` (if given) receives
    ``model_cases`` (cases handed to pm4py) and ``model_cases_sampled_from``. ``max_events``
    bounds the events handed to pm4py. Of more than ``max_activities`` activities only the most frequent
    ones (by events) are modelled; ``info`` then receives ``model_activities`` and ``model_activities_total``.
    Where the covering variants are more than ``max_variants``, ``info`` receives ``model_variants``
    (variants modelled) and ``model_variants_total`` (variants covering ``coverage``).
    """
    log = as_frame(log)
    if log.empty:
        return None, "empty_log"
    sub = log
    if case_variant is not None and len(case_variant):
        counts = np.bincount(case_variant)
        cum = np.cumsum(counts) / counts.sum()
        keep_k = int(np.searchsorted(cum, coverage) + 1)
        if keep_k > max_variants:
            if info is not None:
                info["model_variants"], info["model_variants_total"] = max_variants, keep_k
            keep_k = max_variants
        chosen = sample_cases(case_variant, keep_k, max_cases)
        codes = pd.factorize(log[CASE_ID])[0]
        # case numbers follow the sorted log; factorize in appearance order matches them
        cols = [c for c in log.columns if c in (CASE_ID, ACTIVITY, START, END, RESOURCE, TEAM)]
        sub = log.loc[chosen[codes], cols]  # only the columns pm4py needs, not a copy of the whole log
        if info is not None:
            info["model_cases"] = int(chosen.sum())
            info["model_cases_sampled_from"] = int((case_variant < keep_k).sum())
    sub = _most_frequent_activities(sub, max_activities, info)
    if len(sub) > max_events:
        return None, f"log_too_large ({len(sub)} events > {max_events})"
    try:
        pm4py = _pm4py()
        return pm4py.discover_bpmn_inductive(
            to_pm4py(sub), noise_threshold=noise_threshold
        ), None
    except Exception as exc:  # noqa: BLE001 - any pm4py failure only removes the picture
        return None, f"discovery_failed: {type(exc).__name__}: {exc}"[:300]


def _most_frequent_activities(log: pd.DataFrame, k: int, info: dict | None) -> pd.DataFrame:
    """The events of the ``k`` most frequent activities (ties: the earlier in the log's categories)."""
    codes, labels = pd.factorize(log[ACTIVITY], use_na_sentinel=True)
    if len(labels) <= k:
        return log
    counts = np.bincount(codes[codes >= 0], minlength=len(labels))
    keep = np.zeros(len(labels) + 1, dtype=bool)  # the last slot: missing activity
    keep[np.argsort(-counts, kind="stable")[:k]] = True
    if info is not None:
        info["model_activities"] = k
        info["model_activities_total"] = int(len(labels))
    return log.loc[keep[codes]]


# --- pm4py reference values (used by tests and benchmarks) -------------------------------------


def pm4py_dfg(log: LogLike) -> dict[tuple[str, str], int]:
    """pm4py's directly-follows frequencies."""
    log = as_frame(log)
    dfg, _, _ = _pm4py().discover_dfg(_keys_frame(log), **PM4PY_KEYS.kwargs())
    return dict(dfg)


def pm4py_start_end(log: LogLike) -> tuple[dict[str, int], dict[str, int]]:
    """pm4py's start and end activities."""
    log = as_frame(log)
    _, sa, ea = _pm4py().discover_dfg(_keys_frame(log), **PM4PY_KEYS.kwargs())
    return dict(sa), dict(ea)


def pm4py_performance_dfg(log: LogLike) -> dict[tuple[str, str], dict[str, float]]:
    """pm4py's performance DFG (mean, median, … of waits in seconds), starts as ``start_timestamp``."""
    log = as_frame(log)
    perf, _, _ = _pm4py().discover_performance_dfg(_keys_frame(log), **PM4PY_KEYS.kwargs())
    return dict(perf)


def pm4py_variants(log: LogLike) -> dict[tuple[str, ...], int]:
    """pm4py's variants with their case counts."""
    log = as_frame(log)
    v = _pm4py().get_variants(_keys_frame(log), **PM4PY_KEYS.kwargs())
    return {tuple(k): (len(c) if isinstance(c, list) else int(c)) for k, c in v.items()}


def pm4py_case_durations(log: LogLike) -> list[float]:
    """pm4py's sorted case durations in seconds (last − first completion timestamp)."""
    log = as_frame(log)
    return list(_pm4py().get_all_case_durations(_keys_frame(log), **PM4PY_KEYS.kwargs()))


def pm4py_rework(log: LogLike) -> dict[str, int]:
    """pm4py's cases with rework per activity."""
    log = as_frame(log)
    return dict(_pm4py().get_rework_cases_per_activity(_keys_frame(log), **PM4PY_KEYS.kwargs()))


def pm4py_service_time(log: LogLike, aggregation: str = "mean") -> dict[str, float]:
    """pm4py's service time per activity (seconds) using the start timestamps."""
    log = as_frame(log)
    return dict(
        _pm4py().get_service_time(
            _keys_frame(log),
            aggregation_measure=aggregation,
            start_timestamp_key="start_timestamp",
            **PM4PY_KEYS.kwargs(),
        )
    )
