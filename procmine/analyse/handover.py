"""Handover of work: who (or which team) passes a case to whom, from consecutive events of a case.

Same quantity as pm4py's handover-of-work network with beta = 0 (van der Aalst's SNA metric): every
pair of consecutive events of a case with a resource on both counts once, a resource following
itself included; ``share`` = count / all such pairs. Reports use the team level only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procmine import schema
from procmine.eventlog import LogLike, as_frame
from procmine.schema import codes_of


def handover_of_work(log: LogLike, level: str = schema.RESOURCE) -> pd.DataFrame:
    """Consecutive-event pairs per (from, to) at ``level`` (resource or team): count, share, cases.

    >>> handover_of_work(log, level="team").head()  # doctest: +SKIP
    """
    log = as_frame(log)
    cols = ["from", "to", "count", "share", "cases"]
    who = log[level]
    if not isinstance(who.dtype, pd.CategoricalDtype):
        who = who.astype("category")
    code = codes_of(who)
    case = codes_of(log[schema.CASE_ID]) if isinstance(
        log[schema.CASE_ID].dtype, pd.CategoricalDtype
    ) else pd.factorize(log[schema.CASE_ID])[0]
    if len(code) < 2:
        return pd.DataFrame(columns=cols)
    # pairs of consecutive events with a resource on both sides; events without one are skipped
    has = code >= 0
    code_k, case_k = code[has], case[has]
    same = case_k[1:] == case_k[:-1]
    src, dst, pair_case = code_k[:-1][same], code_k[1:][same], case_k[1:][same]
    if src.size == 0:
        return pd.DataFrame(columns=cols)
    n = len(who.cat.categories)
    pair = src.astype(np.int64) * n + dst
    all_counts = np.bincount(pair, minlength=n * n)
    keys = np.flatnonzero(all_counts)
    counts = all_counts[keys]
    # distinct (case, pair) combinations, counted per pair (hash-based, no sort)
    distinct = pd.unique(pair_case.astype(np.int64) * (n * n) + pair)
    cases = np.bincount(distinct % (n * n), minlength=n * n)[keys]
    cats = np.asarray(who.cat.categories, dtype=object)
    out = pd.DataFrame(
        {"from": cats[keys // n], "to": cats[keys % n], "count": counts, "share": counts / src.size, "cases": cases}
    )
    return out.sort_values(["count", "from", "to"], ascending=[False, True, True], ignore_index=True)[cols]
