"""The only module that calls pm4py: model discovery (inductive miner → BPMN) and reference values.

The ``pm4py_*`` helpers compute pm4py's own answer for a canonical log; tests compare procmine's
vectorised statistics against them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from procmine.schema import ACTIVITY, CASE_ID, END, PM4PY_KEYS, START, to_pm4py

MODEL_MAX_EVENTS = 2_000_000


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


def discover_model(
    log: pd.DataFrame,
    case_variant: np.ndarray | None = None,
    coverage: float = 0.8,
    noise_threshold: float = 0.2,
    max_events: int = MODEL_MAX_EVENTS,
) -> tuple[Any, str | None]:
    """A BPMN model (inductive miner) of the most frequent variants covering ``coverage`` of cases.

    Returns (model, None), or (None, reason) when the log is empty, too large or discovery fails.
    ``case_variant``: variant number per case (0 = most frequent), as ``stats.variant_ids`` gives.
    """
    if log.empty:
        return None, "empty_log"
    if len(log) > max_events:
        return None, f"log_too_large ({len(log)} events > {max_events})"
    sub = log
    if case_variant is not None and len(case_variant):
        counts = np.bincount(case_variant)
        cum = np.cumsum(counts) / counts.sum()
        keep_k = int(np.searchsorted(cum, coverage) + 1)
        codes = pd.factorize(log[CASE_ID].astype(str))[0]
        # case numbers follow the sorted log; factorize in appearance order matches them
        sub = log[case_variant[codes] < keep_k]
    try:
        pm4py = _pm4py()
        return pm4py.discover_bpmn_inductive(
            to_pm4py(sub), noise_threshold=noise_threshold
        ), None
    except Exception as exc:  # noqa: BLE001 - any pm4py failure only removes the picture
        return None, f"discovery_failed: {type(exc).__name__}: {exc}"[:300]


# --- pm4py reference values (used by tests and benchmarks) -------------------------------------


def pm4py_dfg(log: pd.DataFrame) -> dict[tuple[str, str], int]:
    """pm4py's directly-follows frequencies."""
    dfg, _, _ = _pm4py().discover_dfg(_keys_frame(log), **PM4PY_KEYS.kwargs())
    return dict(dfg)


def pm4py_start_end(log: pd.DataFrame) -> tuple[dict[str, int], dict[str, int]]:
    """pm4py's start and end activities."""
    _, sa, ea = _pm4py().discover_dfg(_keys_frame(log), **PM4PY_KEYS.kwargs())
    return dict(sa), dict(ea)


def pm4py_performance_dfg(log: pd.DataFrame) -> dict[tuple[str, str], dict[str, float]]:
    """pm4py's performance DFG (mean, median, … of waits in seconds), starts as ``start_timestamp``."""
    perf, _, _ = _pm4py().discover_performance_dfg(_keys_frame(log), **PM4PY_KEYS.kwargs())
    return dict(perf)


def pm4py_variants(log: pd.DataFrame) -> dict[tuple[str, ...], int]:
    """pm4py's variants with their case counts."""
    v = _pm4py().get_variants(_keys_frame(log), **PM4PY_KEYS.kwargs())
    return {tuple(k): (len(c) if isinstance(c, list) else int(c)) for k, c in v.items()}


def pm4py_case_durations(log: pd.DataFrame) -> list[float]:
    """pm4py's sorted case durations in seconds (last − first completion timestamp)."""
    return list(_pm4py().get_all_case_durations(_keys_frame(log), **PM4PY_KEYS.kwargs()))


def pm4py_rework(log: pd.DataFrame) -> dict[str, int]:
    """pm4py's cases with rework per activity."""
    return dict(_pm4py().get_rework_cases_per_activity(_keys_frame(log), **PM4PY_KEYS.kwargs()))


def pm4py_service_time(log: pd.DataFrame, aggregation: str = "mean") -> dict[str, float]:
    """pm4py's service time per activity (seconds) using the start timestamps."""
    return dict(
        _pm4py().get_service_time(
            _keys_frame(log),
            aggregation_measure=aggregation,
            start_timestamp_key="start_timestamp",
            **PM4PY_KEYS.kwargs(),
        )
    )
