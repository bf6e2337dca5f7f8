"""Exact duplicate rows, found by one hash over codes and compared exactly only where hashes are shared."""

from __future__ import annotations

import numpy as np
import pandas as pd

from procmine.ingest.raw import codes_of
from procmine.normalise.state import Work

_MIX = np.uint64(0x9E3779B97F4A7C15)


def _duplicate_rows(
    data: pd.DataFrame, columns: list[str], proxies: dict[str, np.ndarray], grouped_by: tuple[str, str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Rows equal in every column to an earlier row, and the first row of each row's group.

    One hash mixes each row's integers (category codes; for plain-text timestamp columns the parsed
    instant, equal for equal text); only rows whose hash is shared are then compared exactly, on codes
    and text. Nearly distinct text columns are so never hashed as text in full.
    """
    n = len(data)
    if grouped_by is not None and n > 1:
        cand = _adjacent_candidates(data[grouped_by[0]], proxies[grouped_by[1]])
        if cand is not None:  # equal rows can only be among these: check them alone
            dup = np.zeros(n, dtype=bool)
            first = np.arange(n, dtype=np.int64)
            if len(cand):
                sub = data.iloc[cand].reset_index(drop=True)
                sub_dup, sub_first = _duplicate_rows(sub, columns, {k: v[cand] for k, v in proxies.items()})
                dup[cand] = sub_dup
                first[cand] = cand[sub_first]
            return dup, first
    first = np.arange(n, dtype=np.int64)
    parts: list[np.ndarray] = []
    for c in columns:
        col = data[c]
        if isinstance(col.dtype, pd.CategoricalDtype):
            parts.append(codes_of(col).astype(np.int64))
        elif c in proxies:
            parts.append(proxies[c])
        else:
            parts.append(pd.factorize(col)[0].astype(np.int64))
    h = np.zeros(n, dtype=np.uint64)
    for v in parts:
        h = (h ^ v.view(np.uint64)) * _MIX
        h ^= h >> np.uint64(29)
    codes = pd.factorize(h)[0]
    shared = np.flatnonzero(np.bincount(codes)[codes] > 1)
    dup = np.zeros(n, dtype=bool)
    if not len(shared):
        return dup, first
    subset = []
    for c in columns:
        col = data[c]
        if isinstance(col.dtype, pd.CategoricalDtype):
            sub = pd.Categorical.from_codes(codes_of(col)[shared], dtype=col.dtype)
        else:
            sub = pd.Categorical(col.iloc[shared].to_numpy(dtype=object))
        subset.append(pd.Series(sub))
    exact = _row_groups(subset)
    sub_dup = pd.Series(exact).duplicated(keep="first").to_numpy()
    _, first_pos = np.unique(exact, return_index=True)  # group ids are 0..k-1
    dup[shared] = sub_dup
    first[shared] = shared[first_pos[exact]]
    return dup, first


def _adjacent_candidates(case: pd.Series, end: np.ndarray) -> np.ndarray | None:
    """Rows that could equal another row, when rows come grouped by case and in time order within a
    case (the usual export): then equal (case, end) pairs are neighbours, and only rows in such runs are
    candidates. None when the rows are not so ordered (every row is a candidate)."""
    codes = codes_of(case) if isinstance(case.dtype, pd.CategoricalDtype) else pd.factorize(case)[0]
    same = codes[1:] == codes[:-1]
    runs = 1 + int(np.count_nonzero(~same))
    if runs != int(np.count_nonzero(np.bincount(codes.astype(np.int64) + 1))) or (same & (end[1:] < end[:-1])).any():
        return None
    pair = same & (end[1:] == end[:-1])
    cand = np.zeros(len(codes), dtype=bool)
    cand[1:] |= pair
    cand[:-1] |= pair
    return np.flatnonzero(cand)


def _row_groups(columns: list[pd.Series]) -> np.ndarray:
    """Group id per row over several categoricals (equal ids = equal values in every column)."""
    key = np.zeros(len(columns[0]) if columns else 0, dtype=np.int64)
    span = 1
    for col in columns:
        card = len(col.cat.categories) + 1
        if span * card >= 2**62:  # compact the key before it could overflow
            key = pd.factorize(key)[0].astype(np.int64)
            span = int(key.max()) + 1 if len(key) else 1
        key = key * card + codes_of(col).astype(np.int64) + 1
        span *= card
    return pd.factorize(key)[0].astype(np.int64)


def mark_duplicates(w: Work) -> None:
    """Rows equal to an earlier row in every loaded column (not provenance) are quarantined; the first
    occurrence is kept. Duplicates from another file of the same office are counted in the notes."""
    dup_cols = [c for c in w.data.columns if c not in w.drop]
    if not w.n or not dup_cols:
        return
    end_col = w.cols.get("end") if w.profile.shape != "milestones" else None
    grouped_by = (w.cols["case_id"], end_col) if end_col in w.proxies else None
    dup, first = _duplicate_rows(w.data, dup_cols, w.proxies, grouped_by)  # type: ignore[arg-type]
    if len(w.raw.source_file.categories) > 1 and dup.any():
        file_codes = np.asarray(w.raw.source_file.codes)
        across = dup & (file_codes[first] != file_codes)
        if across.any():
            w.notes["duplicates_across_files"] = int(across.sum())
    w.marks.mark(dup, "exact_duplicate", None)
