"""The log's one order (case id as text, end, event_seq), computed on integer codes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from procmine import schema
from procmine.ingest.raw import categorical_from_unique
from procmine.ingest.timestamps import _naive_utc
from procmine.normalise.flags import _group_sorter
from procmine.normalise.pseudonyms import _text_ranked


def sort_events(log: pd.DataFrame) -> pd.DataFrame:
    """The order of ``schema.sort_log`` (case_id as text, end, event_seq), computed on integer codes.

    The case categories come out in text order (their codes are then the sort rank).
    """
    if len(log) == 0:
        return log.reset_index(drop=True)
    ranked = _text_ranked(log[schema.CASE_ID])
    codes = np.asarray(ranked.codes).astype(np.int64)
    end = _naive_utc(log[schema.END]).astype(np.int64)
    seq = log[schema.EVENT_SEQ].to_numpy()
    if len(seq) > 1 and (np.diff(seq) > 0).all():
        order = _event_order(codes, len(ranked.categories), end)
    else:
        order = np.lexsort((seq, end, codes))
    out = log.take(order).reset_index(drop=True)
    out[schema.CASE_ID] = categorical_from_unique(codes[order].astype(np.int32), ranked.categories)
    return out


def _event_order(case_rank: np.ndarray, n_cases: int, end: np.ndarray, in_time_order: bool = False) -> np.ndarray:
    """Positions that sort events (given in event_seq order) by case rank, end and event_seq.

    A stable grouping by case keeps each case's events in event_seq order, which is already the full
    order whenever each case's events run in time order (usual exports; ``in_time_order`` says it is
    known, e.g. no event was flagged out of order); otherwise a full lexsort.
    """
    if len(end) < 2:
        return np.arange(len(end), dtype=np.int64)
    by_case = _group_sorter(case_rank, n_cases)
    if in_time_order:
        return by_case
    c, e = case_rank[by_case], end[by_case]
    if not ((c[1:] == c[:-1]) & (e[1:] < e[:-1])).any():
        return by_case
    return np.lexsort((np.arange(len(end)), end, case_rank))
