"""Vectorised statistics on the canonical event log (no Python loop per case or per event).

All functions take an ``EventLog`` (a DataFrame is built into one at the entry, see ``procmine.eventlog``),
so the rows are in canonical order (``case_id``, ``end``, ``event_seq``) whatever order they came in:
cases are contiguous runs of rows, so per-case values come from ``reduceat`` on run starts and
directly-follows pairs from a shift by one row.

Ordering and wait rules: **one event order for everything** (issue 14), the canonical order
(``end``, then ``event_seq``): the order in which a case's steps were completed. Variants, the
directly-follows pairs (process map, ``directly_follows``), the diagnosis' transition table
(``diagnosis.transition_times`` over ``time.step_times``), the detectors' step pairs, case durations,
rework and start/end activities all use it, so on an interval log (start + end per event) an edge
has the same count in the map, in the transition table and in the variants. A completion-only log
has the same order, so its map does not change when an export adds start times. This agrees with
pm4py's event-log semantics (traces in completion-time order, as ``pm4py.convert_to_event_log``
gives them; the performance DFG with ``start_timestamp_key``), checked in
``tests/test_pm4py_agreement.py``. pm4py's *dataframe* DFG instead sorts a case by its start column
when the frame has one; procmine does not follow that, because its variants and every other
pair would then disagree with the map.

* The wait of a pair is ``next.start − previous.end`` where starts exist, else ``next.end −
  previous.end``. Where the next step started before the previous one ended (the two overlapped),
  the process map counts the wait as 0, as pm4py's performance DFG does with a start timestamp,
  and keeps the overlap as its own figure (``mean_overlap_s``, ``overlap_count``).
  ``directly_follows_pairs`` gives the raw difference unless ``clip_negative=True``.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from procmine import catalogue
from procmine.eventlog import EventLog, LogLike
from procmine.schema import (
    ACTIVITY,
    ACTIVITY_KEY,
    CASE_TYPE,
    END,
    START,
    codes_of,
)

DAY_S = 86_400.0
ARROW = " → "

# activity keys whose occurrence as the last event of a case means the case is finished
CLOSING_KEYS: frozenset[str] = frozenset(
    {
        "case_closed",
        "decision_approved",
        "decision_rejected",
        "application_withdrawn",
        "eat_handed_over",
        "paper_document_issued",
        "case_transferred_out",
        "visa_consent_sent",
        "guarantee_signed",
        "work_authorisation_granted",
    }
)

AGE_BANDS = ("under_30_days", "30_to_90_days", "over_90_days")


US = 1e6  # microseconds per second: timestamps are handled as int64 microseconds (the schema's unit)


def _us(series: pd.Series) -> np.ndarray:
    """Timestamps as int64 microseconds since the epoch (NaT → int64 min)."""
    return np.asarray(series.astype("datetime64[us, UTC]").array.asi8, dtype=np.int64)


class EventArrays:
    """Integer-coded view of a canonical log, built once and shared by every statistic.

    Built from an ``EventLog`` (or anything ``EventLog.of`` takes): the log is in canonical order and its
    case codes are the case numbers, so nothing here sorts or re-derives the cases."""

    def __init__(self, log: LogLike) -> None:
        self.events = EventLog.of(log)
        self.log: pd.DataFrame = self.events.df

    @cached_property
    def n(self) -> int:
        return len(self.log)

    @property
    def case_index(self) -> np.ndarray:
        """0-based case number per row, non-decreasing along the log."""
        return self.events.case_codes

    @property
    def case_starts(self) -> np.ndarray:
        """Row index where each case's run begins."""
        return self.events.case_starts

    @cached_property
    def n_cases(self) -> int:
        return len(self.case_starts)

    @cached_property
    def case_sizes(self) -> np.ndarray:
        return np.diff(np.r_[self.case_starts, self.n])

    @property
    def case_ids(self) -> np.ndarray:
        """The case ids, one per case number (the categories of ``case_id``, all in use, in order)."""
        return self.events.case_ids

    @cached_property
    def activity_codes_labels(self) -> tuple[np.ndarray, np.ndarray]:
        col = self.log[ACTIVITY]
        if not isinstance(col.dtype, pd.CategoricalDtype):
            codes, labels = pd.factorize(col.astype(str), sort=True)
            return codes.astype(np.int64), np.asarray(labels, dtype=object)
        # categorical (the canonical dtype): reuse its codes, renumbered to sorted label order
        cats = np.asarray(col.cat.categories.astype(str), dtype=object)
        used = np.unique(codes_of(col))
        used = used[used >= 0]
        order = used[np.argsort(cats[used], kind="stable")]
        remap = np.full(len(cats), -1, dtype=np.int64)
        remap[order] = np.arange(len(order))
        return remap[codes_of(col)], cats[order]

    @property
    def act(self) -> np.ndarray:
        return self.activity_codes_labels[0]

    @property
    def labels(self) -> np.ndarray:
        return self.activity_codes_labels[1]

    @cached_property
    def end_us(self) -> np.ndarray:
        return _us(self.log[END])

    @cached_property
    def has_start(self) -> bool:
        return bool(self.log[START].notna().any())

    @cached_property
    def start_us(self) -> np.ndarray:
        """Start where known, else end (pm4py's convention for completion-only events)."""
        if not self.has_start:
            return self.end_us
        s = self.log[START].fillna(self.log[END])
        return _us(s)

    @cached_property
    def case_type(self) -> np.ndarray:
        """Case type per case (first non-empty value of the case; "" when unknown)."""
        if CASE_TYPE not in self.log.columns:
            return np.full(self.n_cases, "", dtype=object)
        col = self.log[CASE_TYPE]
        if not isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype("string").astype("category")
        codes = codes_of(col)
        cats = np.append(np.asarray(col.cat.categories.astype(str), dtype=object), "")
        out = np.full(self.n_cases, len(cats) - 1, dtype=np.int64)
        valid = np.flatnonzero(codes >= 0)
        cases, first = np.unique(self.case_index[valid], return_index=True)
        out[cases] = codes[valid[first]]
        return cats[out]

    @cached_property
    def keys(self) -> np.ndarray:
        """Canonical activity key per row ("" where unknown)."""
        if ACTIVITY_KEY not in self.log.columns:
            return np.full(self.n, "", dtype=object)
        col = self.log[ACTIVITY_KEY]
        if not isinstance(col.dtype, pd.CategoricalDtype):
            return col.astype("string").fillna("").to_numpy(dtype=object)
        # take from the (few) categories instead of converting every row to text
        cats = np.append(np.asarray(col.cat.categories.astype(str), dtype=object), "")
        codes = codes_of(col)
        return cats[np.where(codes < 0, len(cats) - 1, codes)]

    @cached_property
    def label_key(self) -> dict[str, str]:
        """Activity label -> canonical key (first key seen for the label; "" when none)."""
        out = {str(a): "" for a in self.labels}
        col = self.log[ACTIVITY_KEY] if ACTIVITY_KEY in self.log.columns else None
        if col is None or not isinstance(col.dtype, pd.CategoricalDtype):
            keys = self.keys
            known = np.flatnonzero(keys != "")
            if known.size:
                first_codes, first_rows = np.unique(self.act[known], return_index=True)
                out.update({str(self.labels[c]): str(keys[known[r]]) for c, r in zip(first_codes, first_rows)})
            return out
        # distinct (label, key) code pairs in order of first appearance (hash-based, no sort)
        kc = codes_of(col).astype(np.int64)
        width = len(col.cat.categories) + 1
        combos = pd.unique(self.act * width + (kc + 1))
        cats = np.asarray(col.cat.categories.astype(str), dtype=object)
        for combo in combos[::-1]:  # a few dozen label/key pairs; earlier ones win
            a, k = divmod(int(combo), width)
            if k:
                out[str(self.labels[a])] = str(cats[k - 1])
        return out

    @cached_property
    def dfg_order(self) -> np.ndarray:
        """Row order of the directly-follows pairs: the canonical order (``end``, ``event_seq`` per case),
        the one order every statistic uses (module docstring), so this is the identity."""
        return np.arange(self.n)

    @cached_property
    def period(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        if not self.n:
            now = pd.Timestamp.now(tz="UTC")
            return now, now
        lo = int(min(self.start_us.min(), self.end_us.min()))
        hi = int(self.end_us.max())
        return pd.Timestamp(lo, unit="us", tz="UTC"), pd.Timestamp(hi, unit="us", tz="UTC")

    @cached_property
    def span_days(self) -> float:
        lo, hi = self.period
        return max((hi - lo).total_seconds() / DAY_S, 1.0)


def _arrays(log: LogLike | EventArrays) -> EventArrays:
    return log if isinstance(log, EventArrays) else EventArrays(log)


# --- directly-follows graph -----------------------------------------------------------------------


def directly_follows_pairs(log: LogLike | EventArrays, clip_negative: bool = False) -> pd.DataFrame:
    """Every directly-follows pair of the log: case (index), from/to activity codes, wait in seconds.

    Row ``i`` of the result is the pair (event ``i`` → event ``i+1``) in the canonical order; the
    columns ``row_from``/``row_to`` point into the log. ``wait_s`` is negative where the two steps
    overlapped, unless ``clip_negative``.
    """
    ea = _arrays(log)
    order = ea.dfg_order
    if ea.n < 2:
        return pd.DataFrame(
            {c: np.zeros(0, dtype=np.int64) for c in ("case", "from", "to", "row_from", "row_to")}
            | {"wait_s": np.zeros(0)}
        )
    ci = ea.case_index[order]
    same = ci[1:] == ci[:-1]
    a, b = order[:-1][same], order[1:][same]
    wait = (ea.start_us[b] - ea.end_us[a]) / US
    if clip_negative:
        wait = np.maximum(wait, 0.0)
    return pd.DataFrame(
        {"case": ci[:-1][same], "from": ea.act[a], "to": ea.act[b], "row_from": a, "row_to": b, "wait_s": wait}
    )


def directly_follows(log: LogLike | EventArrays) -> pd.DataFrame:
    """Directly-follows frequencies only (what pm4py's ``discover_dfg`` counts): from, to, count.

    Same pairs and order rule as ``process_map``; one bincount over integer codes, no waits.
    """
    ea = _arrays(log)
    n_act = max(len(ea.labels), 1)
    if ea.n < 2:
        return pd.DataFrame({"from": pd.Series(dtype=object), "to": pd.Series(dtype=object), "count": pd.Series(dtype=np.int64)})
    order = ea.dfg_order
    ci, act = ea.case_index[order], ea.act[order]
    same = ci[1:] == ci[:-1]
    counts = np.bincount(act[:-1][same] * n_act + act[1:][same], minlength=n_act * n_act)
    pairs = np.flatnonzero(counts)
    out = pd.DataFrame({"from": ea.labels[pairs // n_act], "to": ea.labels[pairs % n_act], "count": counts[pairs]})
    return out.sort_values(["count", "from", "to"], ascending=[False, True, True], kind="stable", ignore_index=True)


def process_map(log: LogLike | EventArrays) -> pd.DataFrame:
    """All directly-follows pairs with frequency and mean/median waiting time (seconds).

    Columns: from, to, count, mean_wait_s, median_wait_s, from_key, to_key, overlap_count,
    mean_overlap_s; sorted by count (descending). Waits of overlapping steps count as 0 (as pm4py's
    performance DFG with a start timestamp); ``overlap_count`` is how many of the pair's occurrences
    overlapped and ``mean_overlap_s`` their mean overlap (NaN where none did). No display filtering:
    every observed pair is listed.
    """
    ea = _arrays(log)
    pairs = directly_follows_pairs(ea)
    cols = ["from", "to", "count", "mean_wait_s", "median_wait_s", "from_key", "to_key", "overlap_count", "mean_overlap_s"]
    if pairs.empty:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("from", "to", "from_key", "to_key") else float) for c in cols})
    n_act = len(ea.labels)
    code = pairs["from"].to_numpy() * n_act + pairs["to"].to_numpy()
    raw = pairs["wait_s"].to_numpy()
    overlap = np.maximum(-raw, 0.0)
    frame = pd.DataFrame({"wait": np.maximum(raw, 0.0), "overlapped": raw < 0,
                          "overlap": np.where(raw < 0, overlap, np.nan)})
    g = frame.groupby(code, sort=False)
    agg = pd.DataFrame({"count": g.size(), "mean_wait_s": g["wait"].mean(), "median_wait_s": g["wait"].median(),
                        "overlap_count": g["overlapped"].sum(), "mean_overlap_s": g["overlap"].mean()})
    idx = agg.index.to_numpy()
    lk = ea.label_key
    out = pd.DataFrame(
        {
            "from": ea.labels[idx // n_act],
            "to": ea.labels[idx % n_act],
            "count": agg["count"].to_numpy().astype(np.int64),
            "mean_wait_s": agg["mean_wait_s"].to_numpy(),
            "median_wait_s": agg["median_wait_s"].to_numpy(),
        }
    )
    out["from_key"] = out["from"].map(lk).replace("", None)
    out["to_key"] = out["to"].map(lk).replace("", None)
    out["overlap_count"] = agg["overlap_count"].to_numpy().astype(np.int64)
    out["mean_overlap_s"] = agg["mean_overlap_s"].to_numpy()
    return out.sort_values(["count", "from", "to"], ascending=[False, True, True], kind="stable").reset_index(drop=True)


def start_end_activities(log: LogLike | EventArrays) -> tuple[dict[str, int], dict[str, int]]:
    """First and last activity of each case (canonical order), counted: (start_activities, end_activities)."""
    ea = _arrays(log)
    if not ea.n:
        return {}, {}
    first = ea.act[ea.case_starts]
    last = ea.act[np.r_[ea.case_starts[1:], ea.n] - 1]

    def count(codes: np.ndarray) -> dict[str, int]:
        c = np.bincount(codes, minlength=len(ea.labels))
        nz = np.flatnonzero(c)
        return {str(ea.labels[i]): int(c[i]) for i in nz[np.argsort(-c[nz], kind="stable")]}

    return count(first), count(last)


# --- variants -------------------------------------------------------------------------------------

_B1 = np.uint64(1_000_003)
_B2 = np.uint64(0x9E3779B97F4A7C15)


def variant_ids(log: LogLike | EventArrays) -> np.ndarray:
    """A variant number per case (0 = most frequent variant), from two polynomial hashes of the
    activity codes in canonical order plus the length (collision chance ~1e-19 per pair)."""
    ea = _arrays(log)
    if not ea.n:
        return np.zeros(0, dtype=np.int64)
    pos = (np.arange(ea.n) - ea.case_starts[ea.case_index]).astype(np.uint64)
    v = ea.act.astype(np.uint64) + np.uint64(1)
    with np.errstate(over="ignore"):
        h1 = np.add.reduceat(v * np.power(_B1, pos), ea.case_starts)
        h2 = np.add.reduceat((v * np.uint64(2654435761)) * np.power(_B2, pos), ea.case_starts)
    frame = pd.DataFrame({"h1": h1, "h2": h2, "n": ea.case_sizes})
    ids = frame.groupby(["h1", "h2", "n"], sort=False).ngroup().to_numpy()
    counts = np.bincount(ids)
    # renumber by descending frequency (ties: first appearance)
    first_seen = np.full(len(counts), ea.n_cases, dtype=np.int64)
    np.minimum.at(first_seen, ids, np.arange(ea.n_cases))
    rank_order = np.lexsort((first_seen, -counts))
    remap = np.empty_like(rank_order)
    remap[rank_order] = np.arange(len(rank_order))
    return remap[ids]


def variants(log: LogLike | EventArrays, top: int | None = 10) -> pd.DataFrame:
    """The ``top`` most frequent variants (all if None): variant (" → " joined), activities (tuple),
    count, share of cases, cumulative share."""
    ea = _arrays(log)
    vid = variant_ids(ea)
    counts = np.bincount(vid) if len(vid) else np.zeros(0, dtype=np.int64)
    k = len(counts) if top is None else min(top, len(counts))
    if k == 0:
        return pd.DataFrame(columns=["variant", "activities", "count", "share", "cumulative_share"])
    rep = np.full(len(counts), ea.n_cases, dtype=np.int64)
    np.minimum.at(rep, vid, np.arange(ea.n_cases))
    acts = []
    for c in rep[:k]:  # one loop per *reported variant* (top N), not per case
        s = ea.case_starts[c]
        acts.append(tuple(str(x) for x in ea.labels[ea.act[s : s + ea.case_sizes[c]]]))
    share = counts[:k] / ea.n_cases
    return pd.DataFrame(
        {
            "variant": [ARROW.join(a) for a in acts],
            "activities": acts,
            "count": counts[:k].astype(np.int64),
            "share": share,
            "cumulative_share": np.cumsum(share),
        }
    )


# --- cases ----------------------------------------------------------------------------------------


# contacts that can come after a case has ended (the applicant asks when the card comes): they do
# not reopen it, so the closing rule looks at the last step before them
AFTER_END_CONTACT_KEYS: frozenset[str] = frozenset({"status_inquiry_received"})
END_ACTIVITY_LAST_SHARE = 0.95  # a generic end activity ends its case in at least this share of its occurrences
END_ACTIVITY_MIN_CASES = 0.01  # … and ends at least this share of all cases
END_ACTIVITIES_MIN_COVER = 0.5  # the end activities together end at least half of the cases, else the time rule
END_ACTIVITIES_MIN_CASES = 20  # … and at least this many cases (a handful of cases shows no end activities)
CLOSED_RULES = ("activity_key", "end_activities", "time")


def _last_rows(ea: EventArrays, skip: np.ndarray | None = None) -> np.ndarray:
    """Per case the row of its last event (canonical order), not counting rows where ``skip`` is
    true (-1 for a case with nothing else)."""
    rows = np.arange(ea.n, dtype=np.int64)
    if skip is not None:
        rows = np.where(skip, -1, rows)
    return np.maximum.reduceat(rows, ea.case_starts)


def _has_key(ea: EventArrays, wanted: frozenset[str]) -> np.ndarray:
    """Per row: its activity key is one of ``wanted`` (decided per category, not per row's text)."""
    col = ea.log[ACTIVITY_KEY] if ACTIVITY_KEY in ea.log.columns else None
    if col is None:
        return np.zeros(ea.n, dtype=bool)
    if isinstance(col.dtype, pd.CategoricalDtype):
        hit = np.append(np.isin(np.asarray(col.cat.categories.astype(str)), list(wanted)), False)
        codes = codes_of(col)
        return hit[np.where(codes < 0, len(hit) - 1, codes)]
    return np.isin(ea.keys, list(wanted))


def end_activity_mask(ea: EventArrays) -> np.ndarray:
    """Per activity code: whether it is one of the log's end activities, read off a log without
    catalogue keys. A candidate ends at least ``END_ACTIVITY_MIN_CASES`` of all cases; it stays one
    while at least ``END_ACTIVITY_LAST_SHARE`` of its occurrences are followed by nothing, by itself,
    or by another end activity done in either order with it (each directly follows the other
    somewhere). So two closing steps done in either order (deliver, confirm payment) are both end
    activities, while a step after which other work follows (a check before the decision, a check
    and a query that loop) is not. The set is narrowed until it is stable (a pass per activity at
    most, over a matrix of the candidates' pairs, not per event).
    """
    n_act = len(ea.labels)
    if not ea.n:
        return np.zeros(n_act, dtype=bool)
    occurrences = np.bincount(ea.act, minlength=n_act)
    ending = np.bincount(ea.act[_last_rows(ea)], minlength=n_act)
    cand = np.flatnonzero(ending >= max(END_ACTIVITY_MIN_CASES * ea.n_cases, 1.0))  # at most 100 activities
    k = len(cand)
    slot = np.full(n_act, k, dtype=np.int64)  # candidate number per activity code (k: no candidate)
    slot[cand] = np.arange(k)
    same = ea.case_index[1:] == ea.case_index[:-1]
    f, t = slot[ea.act[:-1][same]], slot[ea.act[1:][same]]
    inner = (f < k) & (t < k)
    follows = np.bincount(f[inner] * k + t[inner], minlength=k * k).reshape(k, k)  # among candidates only
    partner = ((follows > 0) & (follows.T > 0)) | np.eye(k, dtype=bool)  # either order, or a repeat
    ends = np.ones(k, dtype=bool)
    for _ in range(k):
        inside = ending[cand] + (follows * (partner & ends[None, :])).sum(axis=1)
        keep = ends & (inside >= END_ACTIVITY_LAST_SHARE * occurrences[cand])
        if (keep == ends).all():
            break
        ends = keep
    out = np.zeros(n_act, dtype=bool)
    out[cand[ends]] = True
    return out


def closed_cases(log: LogLike | EventArrays) -> tuple[np.ndarray, str]:
    """Whether each case is closed, and the rule used (one of ``CLOSED_RULES``).

    1. ``activity_key``: where the log carries catalogue closing steps (``CLOSING_KEYS``, the
       catalogue's end activities), a case is closed when its last step is one. Status inquiries after
       it (``AFTER_END_CONTACT_KEYS``) do not reopen it; any other step after it does (a decision
       followed by the card order is still open until the card is handed over).
    2. ``end_activities``: a log without them (real public logs, other processes) shows its own end
       activities (``end_activity_mask``: activities that end at least 1 % of the cases and are
       followed, nearly always, by nothing but other end activities done in either order with them); when together they end at
       least half of the cases (and at least 20), a case is closed when its last step is one (it reached the end stage
       and no other work came after it).
    3. ``time`` (the fallback, an estimate): a case is closed when its last event lies at least the
       P90 of all within-case gaps before the log's end: a case silent that long counts as finished.
    """
    ea = _arrays(log)
    if not ea.n:
        return np.zeros(0, dtype=bool), "time"
    closing_key = _has_key(ea, CLOSING_KEYS)
    if closing_key.any():
        last = _last_rows(ea, _has_key(ea, AFTER_END_CONTACT_KEYS))
        return (last >= 0) & closing_key[np.maximum(last, 0)], "activity_key"
    ends = end_activity_mask(ea)
    last = _last_rows(ea)
    closed = ends[ea.act[last]]
    if closed.mean() >= END_ACTIVITIES_MIN_COVER and closed.sum() >= END_ACTIVITIES_MIN_CASES:
        return closed, "end_activities"
    same = ea.case_index[1:] == ea.case_index[:-1]
    gaps = (ea.end_us[1:] - ea.end_us[:-1])[same]
    p90 = float(np.percentile(gaps, 90)) if len(gaps) else 0.0
    return ea.end_us[last] <= ea.end_us.max() - p90, "time"


def case_durations(log: LogLike | EventArrays) -> pd.DataFrame:
    """One row per case: case_id, case_type, start (earliest start or end), end (latest end),
    duration_s, closed, age_s (log end − case start; the age an open case has reached), events."""
    ea = _arrays(log)
    if not ea.n:
        return pd.DataFrame(columns=["case_id", "case_type", "start", "end", "duration_s", "closed", "age_s", "events"])
    first = np.minimum.reduceat(np.minimum(ea.start_us, ea.end_us), ea.case_starts)
    last = np.maximum.reduceat(ea.end_us, ea.case_starts)
    closed, _ = closed_cases(ea)
    return pd.DataFrame(
        {
            "case_id": ea.case_ids,
            "case_type": ea.case_type,
            "start": pd.to_datetime(first, unit="us", utc=True),
            "end": pd.to_datetime(last, unit="us", utc=True),
            "duration_s": (last - first) / US,
            "closed": closed,
            "age_s": (ea.end_us.max() - first) / US,
            "events": ea.case_sizes,
        }
    )


def open_cases(log: LogLike | EventArrays, at: pd.Timestamp | None = None) -> pd.DataFrame:
    """Open cases by age at ``at`` (default: the log's last timestamp): age_band, cases.

    Bands: under 30 days, 30–90 days, over 90 days (the Untätigkeitsklage mark, § 75 VwGO).
    With ``at`` given, a case counts as open at ``at`` when it started before and either is not
    closed or its last event lies after ``at``.
    """
    ea = _arrays(log)
    cd = case_durations(ea)
    if at is None:
        mask = ~cd["closed"].to_numpy(dtype=bool) if len(cd) else np.zeros(0, dtype=bool)
        at_ts = ea.period[1]
    else:
        at_ts = pd.Timestamp(at)
        at_ts = at_ts.tz_localize("UTC") if at_ts.tzinfo is None else at_ts
        mask = ((cd["start"] <= at_ts) & (~cd["closed"] | (cd["end"] > at_ts))).to_numpy(dtype=bool)
    age_d = ((at_ts - cd["start"]).dt.total_seconds() / DAY_S).to_numpy()[mask] if len(cd) else np.zeros(0)
    band = np.digitize(age_d, [30.0, float(catalogue.INACTION_DAYS)], right=True)
    counts = np.bincount(band, minlength=3)
    return pd.DataFrame({"age_band": list(AGE_BANDS), "cases": counts.astype(np.int64)})


# --- rework and service times --------------------------------------------------------------------


def activity_counts_per_case(log: LogLike | EventArrays) -> pd.DataFrame:
    """Long table (case, act, n) of how often each activity occurs in each case (n ≥ 1)."""
    ea = _arrays(log)
    n_act = max(len(ea.labels), 1)
    key = ea.case_index.astype(np.int64) * n_act + ea.act
    if not len(key):
        return pd.DataFrame({"case": [], "act": [], "n": []}, dtype=np.int64)
    if ea.n_cases * n_act <= 50_000_000:  # dense counting: one linear pass, no sort
        counts = np.bincount(key, minlength=ea.n_cases * n_act)
        uniq = np.flatnonzero(counts)
        n = counts[uniq]
    else:
        key = np.sort(key)
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        uniq = key[starts]
        n = np.diff(np.r_[starts, len(key)])
    return pd.DataFrame({"case": uniq // n_act, "act": uniq % n_act, "n": n})


def rework(log: LogLike | EventArrays) -> pd.DataFrame:
    """Per activity: cases in which it occurs more than once (as pm4py's rework cases), share of all
    cases, and the mean number of extra occurrences per such case. Activities without rework are
    left out; sorted by cases_with_repeat (descending)."""
    ea = _arrays(log)
    acc = activity_counts_per_case(ea)
    rep = acc[acc["n"] > 1]
    if rep.empty:
        return pd.DataFrame(columns=["activity", "activity_key", "cases_with_repeat", "share", "extra_per_case"])
    g = rep.groupby("act", sort=False)["n"]
    out = pd.DataFrame({"cases_with_repeat": g.size(), "extra": g.sum() - g.size()})
    labels = ea.labels[out.index.to_numpy()]
    res = pd.DataFrame(
        {
            "activity": labels,
            "activity_key": [ea.label_key.get(str(x)) or None for x in labels],
            "cases_with_repeat": out["cases_with_repeat"].to_numpy().astype(np.int64),
            "share": out["cases_with_repeat"].to_numpy() / ea.n_cases,
            "extra_per_case": out["extra"].to_numpy() / out["cases_with_repeat"].to_numpy(),
        }
    )
    return res.sort_values(["cases_with_repeat", "activity"], ascending=[False, True], kind="stable").reset_index(drop=True)


def service_times(log: LogLike | EventArrays) -> pd.DataFrame:
    """Per activity: events, cases, mean and median service time (end − start, seconds) over the
    events that carry a start (NaN where none does), plus the canonical key."""
    ea = _arrays(log)
    n_act = len(ea.labels)
    count = np.bincount(ea.act, minlength=n_act)
    cases = np.bincount(activity_counts_per_case(ea)["act"].to_numpy(dtype=np.int64), minlength=n_act)
    mean = np.full(n_act, np.nan)
    median = np.full(n_act, np.nan)
    if ea.has_start:
        has = ea.log[START].notna().to_numpy()
        dur = (ea.end_us[has] - ea.start_us[has]) / US
        g = pd.Series(dur).groupby(ea.act[has], sort=False)
        m = g.mean()
        mean[m.index.to_numpy()] = m.to_numpy()
        md = g.median()
        median[md.index.to_numpy()] = md.to_numpy()
    out = pd.DataFrame(
        {
            "activity": ea.labels.astype(str),
            "activity_key": [ea.label_key.get(str(x)) or None for x in ea.labels],
            "count": count.astype(np.int64),
            "cases": cases.astype(np.int64),
            "mean_service_s": mean,
            "median_service_s": median,
        }
    )
    return out.sort_values(["count", "activity"], ascending=[False, True], kind="stable").reset_index(drop=True)


# --- KPIs -----------------------------------------------------------------------------------------

KPI_NAMES = (
    "cases",
    "cycle_time_median_days",
    "cycle_time_p90_days",
    "share_cases_over_90_days",
    "cases_closed",
    "cases_open",
    "open_over_90_days",
    "rework_share",
    "variants_count",
    "mean_events_per_case",
)


def kpis_from_cases(cases: pd.DataFrame, rework_case: np.ndarray, vid: np.ndarray, group: np.ndarray | None = None) -> pd.DataFrame:
    """KPI table (one row per group, or one row "all") from the per-case frame.

    cycle_time_*: duration (first event to last end, days) of closed cases; share_cases_over_90_days:
    (closed cases lasting > 90 d + open cases older than 90 d) / all cases; open_over_90_days:
    open cases older than 90 d; rework_share: share of cases with any activity repeated;
    variants_count: distinct variants; mean_events_per_case.
    """
    lim = catalogue.INACTION_DAYS * DAY_S
    closed = cases["closed"].to_numpy(dtype=bool)
    dur = cases["duration_s"].to_numpy(dtype=float)
    age = cases["age_s"].to_numpy(dtype=float)
    df = pd.DataFrame(
        {
            "g": "all" if group is None else group,
            "closed": closed,
            "dur_closed_d": np.where(closed, dur / DAY_S, np.nan),
            "over": (closed & (dur > lim)) | (~closed & (age > lim)),
            "open_over": ~closed & (age > lim),
            "rework": rework_case,
            "vid": vid,
            "events": cases["events"].to_numpy(),
        }
    )
    g = df.groupby("g", sort=True)
    out = pd.DataFrame(
        {
            "cases": g.size().astype(float),
            "cycle_time_median_days": g["dur_closed_d"].median(),
            "cycle_time_p90_days": g["dur_closed_d"].quantile(0.9),
            "share_cases_over_90_days": g["over"].mean(),
            "cases_closed": g["closed"].sum().astype(float),
            "cases_open": (g.size() - g["closed"].sum()).astype(float),
            "open_over_90_days": g["open_over"].sum().astype(float),
            "rework_share": g["rework"].mean(),
            "variants_count": g["vid"].nunique().astype(float),
            "mean_events_per_case": g["events"].mean(),
        }
    )
    out.index.name = "case_type" if group is not None else None
    return out


def repeats_visible(ea: EventArrays) -> bool | None:
    """False when every case's events come from one source row (a milestone export: one date column
    per step, so no step can repeat); None when the log cannot tell (no provenance, no case with
    several events)."""
    log = ea.log
    if not ea.n or "source_row" not in log.columns or "source_file" not in log.columns:
        return None
    files = log["source_file"]
    file_codes = codes_of(files) if isinstance(files.dtype, pd.CategoricalDtype) else pd.factorize(files)[0]
    key = log["source_row"].to_numpy(dtype=np.int64) * (int(file_codes.max()) + 2) + file_codes
    starts = ea.case_starts
    several = np.diff(np.r_[starts, ea.n]) > 1
    if not several.any():
        return None
    one_row = np.minimum.reduceat(key, starts) == np.maximum.reduceat(key, starts)
    return not bool(one_row[several].all())
