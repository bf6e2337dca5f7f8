"""Patterns planted on a simulated office's timeline (issue 14): stuck minority, one-person step,
office-wide deadline share.

Each works on the true event table of ``OfficeSimulator.run`` (before status inquiries, fiction
certificates and legal remedies are derived from it, so those follow the delayed timeline): a delay
into a step moves that step and everything after it in the case. Vectorised over events.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

DAY = 1440.0
SINGLE_POINT_RESOURCE = "SB-0001"  # a pseudonymous staff id outside the simulator's id range (100–9999)


def _first_of(ev: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Mask of each case's first event with one of ``keys`` (events sorted by case and end)."""
    hit = ev["key"].isin(keys).to_numpy()
    first = np.zeros(len(ev), dtype=bool)
    idx = np.flatnonzero(hit)
    if len(idx):
        _, pos = np.unique(ev["case_idx"].to_numpy()[idx], return_index=True)
        first[idx[pos]] = True
    return first


def _shift(ev: pd.DataFrame, delay_min: np.ndarray) -> pd.DataFrame:
    """Each event and every later event of its case moved by the event's delay (minutes)."""
    shift = pd.Series(delay_min).groupby(ev["case_idx"].to_numpy()).cumsum().to_numpy()
    out = ev.copy()
    out["end"] = out["end"].to_numpy(dtype=float) + shift
    out["start"] = out["start"].to_numpy(dtype=float) + shift
    return out


def stuck_minority(ev: pd.DataFrame, p: dict[str, Any], rng: np.random.Generator) -> pd.DataFrame:
    """Pattern 17: a share of the cases lies untouched for months before one step; the rest flows."""
    first = _first_of(ev, [p["step"]])
    n_cases = int(ev["case_idx"].max()) + 1 if len(ev) else 0
    stuck = rng.random(n_cases) < p["share"]
    days = p["delay_median_days"] * np.exp(rng.normal(0.0, p["sigma"], n_cases))
    delay = np.where(first & stuck[ev["case_idx"].to_numpy()], days[ev["case_idx"].to_numpy()] * DAY, 0.0)
    return _shift(ev, delay)


def single_point(ev: pd.DataFrame, p: dict[str, Any], rng: np.random.Generator) -> pd.DataFrame:
    """Pattern 18: one person does every event of the steps; they queue in front of that person.

    Single server, service time = utilisation × the mean gap between the steps' events: departure
    d_i = max(a_i, d_{i−1}) + s, i.e. d_i = (i+1)·s + max_{j≤i}(a_j − j·s) (a cumulative maximum).
    """
    hit = np.flatnonzero(ev["key"].isin(p["steps"]).to_numpy())
    if len(hit) < 2:
        return ev
    a = ev["end"].to_numpy(dtype=float)[hit]
    order = np.argsort(a, kind="stable")
    a_sorted = a[order]
    s = p["utilisation"] * (a_sorted[-1] - a_sorted[0]) / (len(a_sorted) - 1)
    i = np.arange(len(a_sorted))
    dep = (i + 1) * s + np.maximum.accumulate(a_sorted - i * s)
    wait = np.empty(len(a))
    wait[order] = dep - a_sorted
    delay = np.zeros(len(ev))
    delay[hit] = wait
    out = _shift(ev, delay)
    res = out["resource"].to_numpy(dtype=object).copy()
    res[hit] = SINGLE_POINT_RESOURCE
    out["resource"] = res
    return out


def deadline_share(ev: pd.DataFrame, p: dict[str, Any], rng: np.random.Generator) -> pd.DataFrame:
    """Pattern 20: the office is slow at every back-office step, so many cases pass three months."""
    first = np.zeros(len(ev), dtype=bool)
    for key in p["steps"]:
        first |= _first_of(ev, [key])
    days = p["delay_median_days"] * np.exp(rng.normal(0.0, p["sigma"], len(ev)))
    return _shift(ev, np.where(first, days * DAY, 0.0))


PLANTS = {17: stuck_minority, 18: single_point, 20: deadline_share}


def apply_plants(ev: pd.DataFrame, params: dict[int, dict[str, Any] | None], rng: np.random.Generator) -> pd.DataFrame:
    """The event table with every planted timeline pattern applied (in pattern order)."""
    todo = [(n, params.get(n)) for n in sorted(PLANTS) if params.get(n)]
    if not todo:
        return ev
    ev = ev.sort_values(["case_idx", "end"], kind="stable").reset_index(drop=True)
    for n, p in todo:
        assert p is not None
        ev = PLANTS[n](ev, p, rng).sort_values(["case_idx", "end"], kind="stable").reset_index(drop=True)
    return ev
