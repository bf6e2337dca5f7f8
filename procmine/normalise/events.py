"""Event candidates: one per source row (a timestamp field per row) or several per row (milestone tables),
with their times parsed and checked; then the candidates that become events."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from procmine.ingest.timestamps import (
    TimeColumn,
    _end_in_second_autumn_hour,
    _nat,
    parse_time_column,
)
from procmine.normalise.categories import _index_dtype, _too_long
from procmine.normalise.lifecycle import pair_events
from procmine.normalise.milestones import _milestone_events
from procmine.normalise.pseudonyms import Ids
from procmine.normalise.quarantine import _check_times
from procmine.normalise.state import Work


def event_candidates(w: Work, ids: Ids) -> pd.DataFrame:
    """Candidates with columns row, activity, end, start, precision; rows with a missing case id or
    activity, bad timestamps or overlong values are marked for quarantine."""
    cols, data, marks = w.cols, w.data, w.marks
    marks.mark(data[cols["case_id"]].isna().to_numpy(), "missing_case_id", cols["case_id"])
    long_case = _too_long(data[cols["case_id"]])
    if w.profile.shape == "milestones":
        ids.case_job.result()  # ``safe`` holds the pseudonymised ids from here on
        return _milestone_events(w)
    end = _time_field(w, "end")
    start = _time_field(w, "start")
    assert end is not None
    act = data[cols["activity"]]
    marks.mark(act.isna().to_numpy(), "missing_activity", cols["activity"])
    if start is not None:
        end, reread = _end_in_second_autumn_hour(end, start, w.profile.timezone)
        if reread:
            w.notes["dst_end_read_as_standard_time"] = reread
    _check_times(marks, end, start, w.plausible, w.horizon)
    for fld in ("activity", "resource"):
        if fld in cols:
            marks.mark(_too_long(data[cols[fld]]), "value_too_long", cols[fld], w.safe[cols[fld]])
    marks.mark(long_case, "value_too_long", cols["case_id"], ids.cases() if long_case.any() else None)
    prec = end.precision
    if start is not None:
        sp = start.precision
        prec = np.where(start.present & (sp > prec), sp, prec).astype(np.int8)
    return pd.DataFrame(
        {
            "row": np.arange(w.n, dtype=_index_dtype(w.n)),
            "activity": act.reset_index(drop=True),
            "end": end.utc.reset_index(drop=True),
            "start": start.utc.reset_index(drop=True) if start is not None else _nat(w.n),
            "precision": prec,
        },
        copy=False,
    )


def _time_field(w: Work, prefix: str) -> TimeColumn | None:
    """The ``end`` or ``start`` field parsed (a datetime column, or date plus time of day)."""
    cols = w.cols
    tc = parse_time_column(
        w.data, cols.get(prefix), cols.get(f"{prefix}_date"), cols.get(f"{prefix}_time"), w.profile.date_format,
        w.profile.timezone, w.raw.iso_hints,
    )
    if tc is not None:
        for k, v in tc.notes.items():
            w.notes[k] = w.notes.get(k, 0) + v
        w.proxies[tc.column] = np.asarray(tc.utc.array.asi8, dtype=np.int64)
        w.safe[tc.column] = w.data[tc.column]
        time_col = cols.get(f"{prefix}_time")
        if time_col:
            w.safe[time_col] = w.data[time_col]
    return tc


@dataclass
class Kept:
    """The candidates that become events and the source rows they keep.

    ``pick``: positions in ``ev`` of the events (the log gathers through these); ``src_rows``: each event's
    source row; ``kept_rows``: bool per source row (a paired start row counts as kept);
    ``rows_are_positions``: no pairing rebuilt the candidates, so ``ev["row"]`` is still 0..n-1.
    """

    ev: pd.DataFrame
    pick: np.ndarray
    src_rows: np.ndarray
    kept_rows: np.ndarray
    rows_are_positions: bool
    flags_extra: dict[str, np.ndarray]
    start_rows_merged: int = 0  # lifecycle start rows paired into the event of their complete

    @property
    def every(self) -> bool:
        """No candidate dropped: ``pick`` is 0..m-1 and gathers through it can be skipped."""
        return len(self.pick) == len(self.ev)


def keep_events(w: Work, ev: pd.DataFrame, lc_kind: np.ndarray | None, other_transition: np.ndarray, ids: Ids) -> Kept:
    """Drop the candidates of quarantined rows, then pair lifecycle rows (starts with their completes)."""
    n = w.n
    bad_row = w.marks.code > 0
    # one candidate per row, in row order (``row`` is 0..n-1), except for milestone tables
    candidates_are_rows = w.profile.shape != "milestones" and len(ev) == n
    keep_ev = ~bad_row if candidates_are_rows else ~bad_row[ev["row"].to_numpy()]
    idx_type = _index_dtype(n)
    pick: np.ndarray = np.arange(len(ev), dtype=idx_type)
    flags_extra: dict[str, np.ndarray] = {}
    if lc_kind is not None and len(ev):
        ev, flags_extra["unmatched_complete"] = pair_events(w, ev.loc[keep_ev].reset_index(drop=True), lc_kind, other_transition, ids)
        pick = np.arange(len(ev))
    elif not keep_ev.all():
        pick = np.flatnonzero(keep_ev).astype(idx_type)
    rows_are_positions = candidates_are_rows and lc_kind is None
    if rows_are_positions:
        return Kept(ev=ev, pick=pick, src_rows=pick, kept_rows=~bad_row, rows_are_positions=True, flags_extra=flags_extra)
    src_rows = ev["row"].to_numpy() if len(pick) == len(ev) else ev["row"].to_numpy()[pick]
    kept_rows = np.zeros(n, dtype=bool)
    if len(pick):
        kept_rows[src_rows] = True
    merged = 0
    if "start_row" in ev:
        sr = ev["start_row"].to_numpy()
        kept_rows[sr[sr >= 0].astype(np.int64)] = True
        merged = int(np.count_nonzero(sr >= 0))
    return Kept(ev=ev, pick=pick, src_rows=src_rows, kept_rows=kept_rows, rows_are_positions=False, flags_extra=flags_extra,
                start_rows_merged=merged)
