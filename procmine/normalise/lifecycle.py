"""Lifecycle rows: start/complete kinds, other XES transitions as steps of their own, and the pairing of
each start with its complete into one event."""

from __future__ import annotations

import numpy as np
import pandas as pd

from procmine.ingest.raw import codes_of
from procmine.normalise.pseudonyms import Ids
from procmine.normalise.state import Work
from procmine.profiles import XES_OTHER_TRANSITIONS, Profile


def _lifecycle_possible(profile: Profile, cols: dict[str, str]) -> bool:
    """Whether lifecycle pairing may run (it merges frames, so it wants plain object columns)."""
    return "lifecycle" in cols


def _label_other_transitions(activity: pd.Series, lifecycle: pd.Series, profile: Profile) -> tuple[pd.Series, np.ndarray]:
    """Activity labels with the transition appended (``A (schedule)``) on rows whose lifecycle value is
    another XES standard transition (not one the profile names as start or complete); which rows those are.

    Works on the distinct (activity, transition) pairs; a row without an activity keeps none.
    """
    own = {s.casefold() for s in (*profile.lifecycle_start, *profile.lifecycle_complete)}
    lc_cats = lifecycle.cat.categories
    is_other = np.array([str(c).strip().casefold() in XES_OTHER_TRANSITIONS - own for c in lc_cats], dtype=bool)
    lc_codes = codes_of(lifecycle)
    act_codes = codes_of(activity)
    hit = (lc_codes >= 0) & (is_other[np.maximum(lc_codes, 0)] if len(is_other) else False) & (act_codes >= 0)
    if not hit.any():
        return activity, hit
    width = np.int64(len(lc_cats))
    pair_u, inverse = np.unique(act_codes[hit].astype(np.int64) * width + lc_codes[hit], return_inverse=True)
    acts = activity.cat.categories
    labels = [f"{acts[int(u // width)]} ({str(lc_cats[int(u % width)]).strip()})" for u in pair_u]  # distinct pairs
    categories = pd.Index(list(acts) + [x for x in dict.fromkeys(labels) if x not in set(acts)], dtype=object)
    new_codes = act_codes.astype(np.int32, copy=True)
    new_codes[hit] = categories.get_indexer(pd.Index(labels, dtype=object))[inverse.ravel()]
    return pd.Series(pd.Categorical.from_codes(new_codes, categories=categories), index=activity.index), hit


def _pair_lifecycle(ev: pd.DataFrame, lc_kind: np.ndarray, case_p: pd.Series | None) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Pair starts and completes of the same case and activity by time: each complete takes the earliest
    start still open at or before it (a start at the same instant included); a complete without an open
    start stays alone, and so does a start no complete follows. An extra complete therefore never shifts
    the later pairs (pairing the k-th start with the k-th complete did)."""
    kind = lc_kind[ev["row"].to_numpy()]
    case_codes = codes_of(case_p)[ev["row"].to_numpy()] if case_p is not None else np.zeros(len(ev), dtype=np.int64)
    ev = ev.assign(_case=case_codes, _kind=kind, _act=ev["activity"].astype(str))
    ev = ev.sort_values(["_case", "_act", "end", "_kind", "row"], kind="stable")  # at one instant starts first
    ev["_k"] = _pair_numbers(ev.groupby(["_case", "_act"], sort=False).ngroup().to_numpy(), ev["_kind"].to_numpy() == 1)
    st = ev.loc[ev["_kind"] == 1, ["_case", "_act", "_k", "row", "end", "precision"]].rename(
        columns={"row": "start_row", "end": "start_time", "precision": "start_precision"}
    )
    co = ev.loc[ev["_kind"] != 1]
    merged = co.merge(st, on=["_case", "_act", "_k"], how="outer", indicator=True)
    unmatched_start = merged.loc[merged["_merge"] == "right_only", "start_row"].to_numpy().astype(np.int64)
    pairs = merged.loc[merged["_merge"] != "right_only"].copy()
    pairs["start"] = pairs["start_time"].where(pairs["_merge"] == "both")
    pairs["start_row"] = pairs["start_row"].fillna(-1).astype(np.int64)
    pairs["row"] = pairs["row"].astype(np.int64)
    start_rank = pairs["start_precision"].fillna(-1).to_numpy().astype(np.int8)
    end_rank = pairs["precision"].fillna(-1).to_numpy().astype(np.int8)
    pairs["precision"] = np.maximum(start_rank, end_rank)  # the coarser of the two
    pairs = pairs.sort_values("row", kind="stable").reset_index(drop=True)
    unmatched_complete = (pairs["_merge"] == "left_only").to_numpy()
    out = pairs[["row", "activity", "end", "start", "precision", "activity_key", "start_row"]]
    out = out.assign(start=pd.to_datetime(out["start"], utc=True).astype("datetime64[us, UTC]"))
    return out, unmatched_start, unmatched_complete


def lifecycle_kinds(w: Work, other_transition: np.ndarray) -> np.ndarray | None:
    """Per row: 1 start, 2 complete, 0 unknown (marked for quarantine); None when the table has no
    lifecycle column or (an event table) no start values, so no pairing is needed."""
    profile, cols = w.profile, w.cols
    if "lifecycle" not in cols or profile.shape not in ("lifecycle", "events"):
        return None
    lc = w.data[cols["lifecycle"]]
    starts = {s.casefold() for s in profile.lifecycle_start}
    completes = {s.casefold() for s in profile.lifecycle_complete}
    kind_u = np.array(
        [1 if str(c).casefold() in starts else 2 if str(c).casefold() in completes else 0 for c in lc.cat.categories],
        dtype=np.int8,
    )  # on the distinct values
    codes = codes_of(lc)
    lc_kind = np.where(codes >= 0, kind_u[np.maximum(codes, 0)] if len(kind_u) else 0, 2)  # missing = complete
    lc_kind[other_transition] = 2  # a step of its own (``_label_other_transitions``), one timestamp
    if profile.shape == "lifecycle" or (lc_kind == 1).any():
        w.marks.mark(lc_kind == 0, "unknown_lifecycle", cols["lifecycle"], lc)
        return lc_kind
    return None


def pair_events(
    w: Work, ev: pd.DataFrame, lc_kind: np.ndarray, other_transition: np.ndarray, ids: Ids
) -> tuple[pd.DataFrame, np.ndarray]:
    """The kept candidates paired (one event per complete, with its start); starts without a complete and
    pairs whose start lies after their end are marked for quarantine. Returns the events and which of
    them are completes without a start (flagged, not quarantined)."""
    if not len(ev):
        return ev, np.zeros(0, dtype=bool)
    n, cols = w.n, w.cols
    ev, unmatched_start_rows, unmatched_complete = _pair_lifecycle(ev, lc_kind, ids.cases())
    unmatched_complete = unmatched_complete & ~other_transition[ev["row"].to_numpy()]  # schedule etc. have no start
    if len(unmatched_start_rows):
        m = np.zeros(n, dtype=bool)
        m[unmatched_start_rows] = True
        w.marks.mark(m, "unmatched_lifecycle", cols["lifecycle"], w.data[cols["lifecycle"]])
    sae = ev["start"].notna().to_numpy() & (ev["start"] > ev["end"]).to_numpy()  # pairs with start after end
    if sae.any():
        m = np.zeros(n, dtype=bool)
        m[ev["row"].to_numpy()[sae]] = True
        m[ev["start_row"].to_numpy()[sae].astype(np.int64)] = True
        w.marks.mark(m, "start_after_end", cols.get("end") or cols.get("end_date"))
        ev = ev.loc[~sae].reset_index(drop=True)
        unmatched_complete = unmatched_complete[~sae]
    return ev, unmatched_complete


def _pair_numbers(group: np.ndarray, is_start: np.ndarray) -> np.ndarray:
    """Rows in time order within groups (group ids contiguous) -> pair number: a start's k (1-based count
    of starts so far in its group), a complete's k when it takes the k-th start, a negative number (unique,
    never a start's) when no start is open for it.

    First in, first out, computed without a loop: with ``s`` starts and ``c`` completes so far, the
    completes paired so far are ``c + min(0, running minimum of (s - c))`` (the running minimum counts
    the completes that found no open start); a complete is paired when that number grows at its row.
    """
    n = len(group)
    if not n:
        return np.zeros(0, dtype=np.int64)
    key = pd.Series(group)
    starts = pd.Series(is_start.astype(np.int64)).groupby(key).cumsum().to_numpy()
    completes = pd.Series((~is_start).astype(np.int64)).groupby(key).cumsum().to_numpy()
    lowest = pd.Series(starts - completes).groupby(key).cummin().to_numpy()
    paired = completes + np.minimum(0, lowest)
    before = np.zeros(n, dtype=np.int64)
    same = group[1:] == group[:-1]
    before[1:] = np.where(same, paired[:-1], 0)  # paired count before the row, within its group
    took = ~is_start & (paired > before)
    return np.where(is_start, starts, np.where(took, paired, -1 - np.arange(n)))
