"""Kept-but-flagged events: out of order, batch entries, day precision, unmatched completes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from procmine import schema
from procmine.ingest.raw import categorical_from_unique
from procmine.ingest.timestamps import _PRECISION_RANK

BATCH_MIN_EVENTS = 10  # events of one resource in the same minute that count as a batch entry


def _flags(
    case_codes: np.ndarray, n_cases: int, end_us: np.ndarray, prec_ranks: np.ndarray, res_codes: np.ndarray,
    extra: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Kept-but-flagged events, from per-event arrays in source order (case and resource codes, end in
    UTC microseconds, precision ranks)."""
    n = len(end_us)
    out: dict[str, np.ndarray] = {}
    if n == 0:
        return out
    out["out_of_order"] = _out_of_order(case_codes, end_us, n_cases)
    is_day = prec_ranks == _PRECISION_RANK["day"]
    minute = end_us // 60_000_000
    batch = _local_midnight(end_us, minute)
    batch |= _same_minute_groups(minute, res_codes, BATCH_MIN_EVENTS) & (res_codes >= 0)
    if batch.any():  # day-precision events carry their own flag instead
        batch &= ~is_day
    out["batch_entry"] = batch
    out["day_precision"] = is_day
    for k, v in extra.items():
        out[k] = np.asarray(v, dtype=bool)
    return out


def _local_midnight(end_us: np.ndarray, minute: np.ndarray | None = None) -> np.ndarray:
    """Events at exactly 00:00:00 office time (``schema.DISPLAY_TZ``); only whole UTC hours can be, so
    only those are converted. ``minute`` is ``end_us // 60_000_000`` when the caller has it."""
    hit = np.zeros(len(end_us), dtype=bool)
    minute = end_us // 60_000_000 if minute is None else minute
    whole_minute = np.flatnonzero(end_us == minute * 60_000_000)  # usually few
    whole_hour = whole_minute[end_us[whole_minute] % 3_600_000_000 == 0]
    if len(whole_hour):
        utc = pd.Series(end_us[whole_hour].astype("datetime64[us]")).dt.tz_localize("UTC")
        local = utc.dt.tz_convert(schema.DISPLAY_TZ).dt.tz_localize(None).to_numpy().astype("datetime64[us]").astype(np.int64)
        hit[whole_hour] = local % 86_400_000_000 == 0
    return hit


MINUTE_COUNT_SPAN = 1 << 24  # minutes (about 32 years): counted in one array; longer spans are hashed


def _same_minute_groups(minute: np.ndarray, group: np.ndarray, at_least: int) -> np.ndarray:
    """Rows whose (group, minute) pair occurs at least ``at_least`` times.

    A pair can only be that frequent where the minute alone is: minutes are counted first (one array
    over the log's span), and only rows in such busy minutes are grouped by pair.
    """
    n = len(minute)
    if n < at_least:
        return np.zeros(n, dtype=bool)
    lo = int(minute.min())
    span = int(minute.max()) - lo + 1
    rel = minute - lo
    if span <= MINUTE_COUNT_SPAN:
        busy_minute = np.bincount(rel, minlength=span) >= at_least  # one byte per minute: a small table to look up
        if not busy_minute.any():
            return np.zeros(n, dtype=bool)
        busy = np.flatnonzero(busy_minute[rel])
    else:
        codes = pd.factorize(rel)[0]
        busy = np.flatnonzero(np.bincount(codes)[codes] >= at_least)
    out = np.zeros(n, dtype=bool)
    if len(busy):
        key = pd.factorize((group[busy].astype(np.int64) + 1) * span + rel[busy])[0]
        out[busy] = np.bincount(key)[key] >= at_least
    return out


def _out_of_order(case_codes: np.ndarray, end: np.ndarray, n_cases: int) -> np.ndarray:
    """Events that end before an earlier event (in source order) of the same case.

    Usual exports list each case's events together and in time order: checked in one pass, and then no
    event is out of order. Otherwise the running maximum per case is taken on the rows grouped by case
    (a stable counting sort keeps source order within a case).
    """
    n = len(end)
    if n < 2:
        return np.zeros(n, dtype=bool)
    same = case_codes[1:] == case_codes[:-1]
    runs = 1 + int(np.count_nonzero(~same))
    if runs == n_cases + int((case_codes < 0).any()) and not (same & (end[1:] < end[:-1])).any():
        return np.zeros(n, dtype=bool)  # each case in one block, each block in time order
    order = _group_sorter(case_codes, n_cases)
    g, e = case_codes[order], end[order]
    lowest = np.iinfo(np.int64).min
    prev_max = pd.Series(e).groupby(g).cummax().groupby(g).shift(fill_value=lowest).to_numpy()
    flagged = np.zeros(n, dtype=bool)
    flagged[order] = e < prev_max
    return flagged


def _group_sorter(codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Stable order that groups rows by integer code (missing = -1 first): a counting sort."""
    try:
        from pandas.core.sorting import get_group_index_sorter

        return np.asarray(get_group_index_sorter(np.asarray(codes, dtype=np.intp) + 1, n_groups + 1), dtype=np.int64)
    except (ImportError, TypeError):  # pandas internals moved: the general stable sort gives the same order
        return np.argsort(codes, kind="stable")


def _flag_column(flags: dict[str, np.ndarray], n: int) -> pd.Categorical:
    """One column listing each event's flags (comma-separated), missing when none; built from a bit mask
    over the flags some event has (usually few or none)."""
    names = [k for k, v in flags.items() if np.asarray(v, dtype=bool).any()]
    if len(names) > 8:
        raise ValueError("at most 8 quality flags fit the bit mask")
    if not names:
        return categorical_from_unique(np.full(n, -1, dtype=np.int8), pd.Index([], dtype=object))
    mask = np.zeros(n, dtype=np.uint8)
    for i, k in enumerate(names):
        mask |= np.asarray(flags[k], dtype=bool).view(np.uint8) << np.uint8(i)
    flagged = np.flatnonzero(mask)  # usually a small share of the events
    bits = mask[flagged]
    used = np.flatnonzero(np.bincount(bits, minlength=1 << len(names)))
    remap = np.full(1 << len(names), -1, dtype=np.int8)
    remap[used] = np.arange(len(used))
    labels = [",".join(k for i, k in enumerate(names) if int(m) >> i & 1) for m in used]
    codes = np.full(n, -1, dtype=np.int8)
    codes[flagged] = remap[bits]
    return categorical_from_unique(codes, pd.Index(labels, dtype=object))
