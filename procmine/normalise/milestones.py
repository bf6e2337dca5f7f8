"""One-row-per-case tables (a date column per milestone) unpivoted into events."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from procmine import catalogue
from procmine.ingest.timestamps import (
    TimeColumn,
    _nat,
    _us_and_valid,
    parse_time_column,
)
from procmine.normalise.state import Work


def _milestone_events(w: Work) -> pd.DataFrame:
    """Unpivot one-row-per-case tables: each filled date column becomes one event of that row.

    With ``[columns] milestone_date`` the milestone columns hold clock times of that date (queue systems:
    Ausgabe, Aufruf, Beginn, Ende). ``[milestone_starts]`` names the start column of a milestone's step
    (``"Beginn" = "Ende"``); a start without its end is counted (``notes.milestone_start_without_end``).
    """
    profile = w.profile
    times, any_value = _milestone_times(w)
    start_of = {end_col: start_col for start_col, end_col in profile.milestone_starts.items()}
    parts = [
        _milestone_part(w, j, label, times[col], times[start_of[col]] if col in start_of else None)
        for j, (col, label) in enumerate(profile.milestones.items())
    ]
    w.marks.mark(~any_value, "missing_timestamp", ", ".join(profile.milestones))
    ev = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["row", "order", "activity", "end", "start", "precision"])
    return ev.sort_values(["row", "order"], kind="stable").drop(columns="order").reset_index(drop=True)


def _milestone_times(w: Work) -> tuple[dict[str, TimeColumn], np.ndarray]:
    """Each milestone (and milestone start) column parsed and checked; which rows have any milestone."""
    profile, data, marks = w.profile, w.data, w.marks
    date_col = profile.columns.get("milestone_date") or None
    times: dict[str, TimeColumn] = {}
    any_value = np.zeros(w.n, dtype=bool)
    for col in [*profile.milestones, *[c for c in profile.milestone_starts if c not in profile.milestones]]:
        if date_col:
            tc = parse_time_column(data, None, date_col, col, profile.date_format, profile.timezone, w.raw.iso_hints)
            assert tc is not None
            present = data[col].notna().to_numpy()  # the milestone is reached when its clock time is filled
            tc = replace(tc, utc=tc.utc.where(present), present=present, column=col, raw=data[col])
        else:
            tc = parse_time_column(data, col, None, None, profile.date_format, profile.timezone, w.raw.iso_hints)
            assert tc is not None
        for k, v in tc.notes.items():
            w.notes[k] = w.notes.get(k, 0) + v
        w.safe[col] = data[col]
        any_value |= tc.present
        times[col] = tc
    if date_col:
        w.safe[date_col] = data[date_col]
        marks.mark(any_value & data[date_col].isna().to_numpy(), "missing_timestamp", date_col)
    for tc in times.values():
        marks.mark(tc.present & tc.utc.isna().to_numpy(), "unparseable_timestamp", tc.column, tc.raw)
        marks.mark((tc.utc < w.plausible).to_numpy(), "implausibly_early_timestamp", tc.column, tc.raw)
        marks.mark((tc.utc > w.horizon).to_numpy(), "future_timestamp", tc.column, tc.raw)
    return times, any_value


def _milestone_part(w: Work, j: int, label: str, end: TimeColumn, st: TimeColumn | None) -> pd.DataFrame:
    """The events of milestone number ``j``: one per row that reached it (with the start of its step, if any)."""
    rows = np.flatnonzero(end.present)
    start = _nat(len(rows))
    prec = end.precision[rows]
    if st is not None:
        s_us, s_ok = _us_and_valid(st.utc)
        e_us, e_ok = _us_and_valid(end.utc)
        w.marks.mark(s_ok & e_ok & (s_us > e_us), "start_after_end", st.column, st.raw)
        alone = st.present & ~end.present
        if alone.any():
            w.notes["milestone_start_without_end"] = w.notes.get("milestone_start_without_end", 0) + int(alone.sum())
        start = st.utc.iloc[rows].reset_index(drop=True)
        prec = np.maximum(prec, np.where(st.present[rows], st.precision[rows], -1)).astype(np.int8)
    return pd.DataFrame(
        {
            "row": rows,
            "order": np.full(len(rows), j),
            "activity": np.full(len(rows), catalogue.ACTIVITIES.get(label, label), dtype=object),
            "end": end.utc.iloc[rows].reset_index(drop=True),
            "start": start,
            "precision": prec,
        }
    )
