"""Quarantine: the timestamp checks, the refusal of a column that is mostly unreadable, the quarantine
table written next to the log and the counts that tie it to the log (read = kept + quarantined)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from procmine.errors import InputProblem
from procmine.ingest import RawTable
from procmine.ingest.timestamps import TimeColumn, _instant_us, _naive_utc
from procmine.labels_de import messages as messages_de
from procmine.normalise.categories import _values_at
from procmine.normalise.marks import _Marks
from procmine.normalise.result import QUARANTINE_VALUE_CHARS, REASONS
from procmine.normalise.state import Work
from procmine.profiles import Profile
from procmine.quality import QualityReport

MISREAD_MIN_ROWS = 20


MISREAD_SHARE = 0.5


def _refuse_misread_timestamps(raw: RawTable, marks: _Marks, profile: Profile) -> None:
    """A timestamp column that is mostly unreadable means the profile misreads it: say so instead of
    quarantining the whole file row by row."""
    unparseable = REASONS.index("unparseable_timestamp") + 1
    bad = marks.code == unparseable
    if bad.sum() < MISREAD_MIN_ROWS:
        return
    bad_idx = np.flatnonzero(bad)
    bad_cols = marks.column_at(bad_idx)
    cols = pd.Series(bad_cols).value_counts()
    for col, cnt in cols.items():
        filled = int(raw.data[col].notna().sum()) if col in raw.data.columns else 0
        if filled and cnt >= MISREAD_MIN_ROWS and cnt / filled >= MISREAD_SHARE:
            examples = list(dict.fromkeys(marks.found_at(bad_idx[bad_cols == col])))[:3]
            code = "unreadable_column"
            fmt = profile.date_format if profile.date_format != "auto" else messages_de.problem(code, "format_auto")
            raise InputProblem(
                code=code,
                file=raw.file,
                sheet=raw.sheet,
                column=str(col),
                found=messages_de.problem(code, "found", count=cnt, filled=filled, examples=", ".join(f"'{e}'" for e in examples)),
                expected=messages_de.problem(code, "expected", format=fmt),
                hint=messages_de.problem(code, "hint"),
            )


def _check_times(marks: _Marks, end: TimeColumn, start: TimeColumn | None, plausible: pd.Timestamp, horizon: pd.Timestamp) -> None:
    """Missing, unreadable, implausible and reversed timestamps (row-aligned; compared as integers).

    One pass finds the rows with any such problem (a missing instant is the smallest integer, so it
    counts as too early); the reasons are then told apart on those rows only, in the order below.
    """
    lo, hi = _instant_us(plausible), _instant_us(horizon)
    e_all = _naive_utc(end.utc).view(np.int64)
    suspect = _outside(e_all, lo, hi)
    if start is not None:
        s_all = _naive_utc(start.utc).view(np.int64)
        suspect |= start.present & _outside(s_all, lo, hi)  # a present start: unreadable ones are NaT
        suspect |= s_all > e_all  # NaT starts are the smallest integer: never after an end
    rows = np.flatnonzero(suspect)
    if not len(rows):
        return
    e = e_all[rows]
    e_ok = e != np.iinfo(np.int64).min
    present = end.present[rows]
    marks.mark_rows(rows[~present], "missing_timestamp", end.column)
    marks.mark_rows(rows[present & ~e_ok], "unparseable_timestamp", end.column, end.raw)
    if start is not None:
        s = s_all[rows]
        s_ok = s != np.iinfo(np.int64).min
        marks.mark_rows(rows[start.present[rows] & ~s_ok], "unparseable_timestamp", start.column, start.raw)
    marks.mark_rows(rows[e_ok & (e < lo)], "implausibly_early_timestamp", end.column, end.raw)
    if start is not None:
        marks.mark_rows(rows[s_ok & (s < lo)], "implausibly_early_timestamp", start.column, start.raw)
    marks.mark_rows(rows[e_ok & (e > hi)], "future_timestamp", end.column, end.raw)
    if start is not None:
        marks.mark_rows(rows[s_ok & (s > hi)], "future_timestamp", start.column, start.raw)
        marks.mark_rows(rows[s_ok & e_ok & (s > e)], "start_after_end", start.column, start.raw)


def _outside(us: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Instants outside [lo, hi] (NaT included), in one comparison: below ``lo`` wraps to a large
    unsigned number."""
    if hi < lo:
        return np.ones(len(us), dtype=bool)
    return (us - lo).view(np.uint64) > np.uint64(hi - lo)


def _quarantine_frame(raw: RawTable, marks: _Marks, bad: np.ndarray, safe: dict[str, pd.Series]) -> pd.DataFrame:
    """Quarantined rows with reason, column, offending value and the used columns (safe values only)."""
    idx = np.flatnonzero(bad)
    q = pd.DataFrame(
        {
            "source_file": _values_at(pd.Series(raw.source_file), idx),
            "source_row": raw.source_row[idx],
            "reason": np.asarray(REASONS, dtype=object)[marks.code[idx] - 1] if len(idx) else np.empty(0, dtype=object),
            "column": marks.column_at(idx),
            "found": [_short(v) for v in marks.found_at(idx)],
        }
    )
    for col, vals in safe.items():
        if col in q.columns:
            continue
        v = _values_at(vals, idx)
        q[col] = [_short(x, QUARANTINE_VALUE_CHARS) for x in v]
    if len(raw.rejected):
        rej = raw.rejected.reindex(columns=list(q.columns))
        q = pd.concat([q, rej], ignore_index=True) if len(q) else rej.reset_index(drop=True)
    return q.sort_values(["source_file", "source_row"], kind="stable").reset_index(drop=True)


def _short(v: object, limit: int = 200) -> object:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    s = str(v)
    return s[:limit] + "…" if len(s) > limit else s


def account(
    w: Work, kept_rows: np.ndarray, events: int, flags: dict[str, int], start_rows_merged: int = 0
) -> tuple[pd.DataFrame, QualityReport]:
    """The quarantine table and the quality report: every source row is kept or quarantined with a reason."""
    marks = w.marks
    bad = marks.code > 0
    leftover = ~bad & ~kept_rows  # cannot happen; guard so counts always add up
    if leftover.any():
        marks.mark(leftover, "unmatched_lifecycle", w.cols.get("lifecycle"))
        bad = marks.code > 0
    quarantine = _quarantine_frame(w.raw, marks, bad, w.safe)  # type: ignore[arg-type]
    by_reason = {str(reason): int(cnt) for reason, cnt in quarantine["reason"].value_counts(sort=False).items()}
    by_column = {str(k): int(v) for k, v in quarantine["column"].dropna().value_counts(sort=False).items()}
    offices = w.office_row.cat.categories
    quality = QualityReport(
        office=w.office_name if w.one_office else ",".join(map(str, offices)),
        files=tuple(str(f) for f in w.raw.source_file.categories) or (w.raw.file,),
        rows_read=w.raw.rows_read,
        rows_kept=int(kept_rows.sum()),
        rows_quarantined=len(quarantine),
        events=events,
        by_reason=by_reason,
        by_column=by_column,
        flags=flags,
        notes=w.notes,
        profile=w.profile.name,
        land=w.profile.land or None,
        start_rows_merged=start_rows_merged,
    )
    return quarantine, quality
