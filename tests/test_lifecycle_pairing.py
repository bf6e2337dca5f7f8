"""Lifecycle rows are paired by time within a case and activity (a start with the next complete at or
after it), the merged start rows are counted, and a column of midnight times is day precision."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from procmine.normalise import ingest_file
from procmine.normalise.lifecycle import _pair_numbers
from procmine.quality import merge_quality

KEY = b"k" * 32
HEADER = "case:concept:name,concept:name,lifecycle:transition,time:timestamp\n"


def _ingest(tmp_path: Path, rows: str, name: str = "lc") -> tuple[object, pd.DataFrame]:
    src = tmp_path / f"{name}.csv"
    src.write_text(HEADER + rows, encoding="utf-8")
    res = ingest_file(src, tmp_path / "out", key=KEY)
    log = pd.read_parquet(tmp_path / "out" / f"{name}.parquet").sort_values(["end", "event_seq"])
    return res, log


def test_an_extra_complete_does_not_shift_the_later_pairs(tmp_path: Path) -> None:
    # the loan-application case of issue 13: W is started 1 Dec and completed 2 Dec; an extra complete
    # on 9 Dec has no start; the next instance starts 14 Dec and completes 15 Dec.
    # Pairing the k-th start with the k-th complete gave (1 Dec, 2 Dec), (14 Dec, 9 Dec) -> start after
    # end, both quarantined, and 15 Dec alone. By time: (1 Dec, 2 Dec), 9 Dec alone, (14 Dec, 15 Dec).
    res, log = _ingest(
        tmp_path,
        "c1,W,start,2024-12-01T09:00:00+00:00\n"
        "c1,W,complete,2024-12-02T09:00:00+00:00\n"
        "c1,W,complete,2024-12-09T09:00:00+00:00\n"
        "c1,W,start,2024-12-14T09:00:00+00:00\n"
        "c1,W,complete,2024-12-15T09:00:00+00:00\n",
    )
    q = res.quality
    assert (q.rows_read, q.rows_kept, q.rows_quarantined) == (5, 5, 0)
    assert q.by_reason == {}
    assert q.events == 3 and q.start_rows_merged == 2  # 5 kept rows = 3 events + 2 merged starts
    starts = log["start"].tolist()
    assert log["end"].tolist() == [pd.Timestamp(f"2024-12-{d:02d}T09:00:00Z") for d in (2, 9, 15)]
    assert starts[0] == pd.Timestamp("2024-12-01T09:00:00Z") and pd.isna(starts[1])
    assert starts[2] == pd.Timestamp("2024-12-14T09:00:00Z")
    flagged = log["quality_flags"].astype(str).str.contains("unmatched_complete", na=False).tolist()
    assert flagged == [False, True, False]


def test_overlapping_instances_pair_first_in_first_out(tmp_path: Path) -> None:
    # two instances of A overlap: starts 09:00 and 09:30, completes 10:00 and 11:00; a start at the same
    # instant as a complete pairs with it (at or after); a last start 12:00 has no complete: quarantined
    res, log = _ingest(
        tmp_path,
        "c1,A,complete,2024-03-04T10:00:00+00:00\n"  # listed before its start: the order of rows does not matter
        "c1,A,start,2024-03-04T09:00:00+00:00\n"
        "c1,A,start,2024-03-04T09:30:00+00:00\n"
        "c1,A,complete,2024-03-04T11:00:00+00:00\n"
        "c1,B,complete,2024-03-04T11:30:00+00:00\n"
        "c1,B,start,2024-03-04T11:30:00+00:00\n"
        "c1,A,start,2024-03-04T12:00:00+00:00\n",
    )
    q = res.quality
    assert (q.rows_read, q.rows_kept, q.rows_quarantined, q.events, q.start_rows_merged) == (7, 6, 1, 3, 3)
    assert q.by_reason == {"unmatched_lifecycle": 1}
    spans = list(zip(log["activity"].astype(str), log["start"].dt.strftime("%H:%M"), log["end"].dt.strftime("%H:%M")))
    assert spans == [("A", "09:00", "10:00"), ("A", "09:30", "11:00"), ("B", "11:30", "11:30")]


def test_pair_numbers_by_hand() -> None:
    # one group, in time order: C S C C S S C  (S = start)
    # starts numbered 1, 2, 3 in order; the first complete finds no open start (-1 - position);
    # the complete at 2 takes start 1; the one at 3 finds none; the one at 6 takes start 2; start 3 stays open
    is_start = np.array([False, True, False, False, True, True, False])
    k = _pair_numbers(np.zeros(7, dtype=np.int64), is_start)
    assert k.tolist() == [-1, 1, 1, -4, 2, 3, 2]
    # two groups are independent: group 1 starts fresh with its own numbers
    k2 = _pair_numbers(np.array([0, 0, 1, 1]), np.array([True, False, False, True]))
    assert k2.tolist() == [1, 1, -3, 1]


def test_merged_starts_add_up_across_files() -> None:
    from procmine.quality import QualityReport

    a = QualityReport(office="X", files=("a",), rows_read=5, rows_kept=5, rows_quarantined=0, events=3, start_rows_merged=2)
    b = QualityReport(office="X", files=("b",), rows_read=2, rows_kept=2, rows_quarantined=0, events=1, start_rows_merged=1)
    assert merge_quality(a, b).start_rows_merged == 3
    assert a.to_dict()["start_rows_merged"] == 2  # written to <office>.quality.json


def test_a_column_of_midnight_times_is_day_precision(tmp_path: Path) -> None:
    # every time is 00:00 office time: dates written with a zero clock, not ten entries at midnight
    rows = "".join(f"c{i},A,complete,{5 + i:02d}.03.2024 00:00\n" for i in range(12))
    res, log = _ingest(tmp_path, rows, "midnight")
    assert res.quality.notes.get("midnight_read_as_day_precision") == 12
    assert (log["precision"].astype(str) == "day").all()
    assert res.quality.flags == {"day_precision": 12}  # and no batch_entry


def test_one_real_time_keeps_the_clock(tmp_path: Path) -> None:
    # the same dates, one of them at 09:15: the column holds clock times; midnight stays minute precision
    rows = "".join(f"c{i},A,complete,{5 + i:02d}.03.2024 00:00\n" for i in range(11)) + "c11,A,complete,16.03.2024 09:15\n"
    res, log = _ingest(tmp_path, rows, "clock")
    assert "midnight_read_as_day_precision" not in res.quality.notes
    assert (log["precision"].astype(str) == "minute").all()
    assert res.quality.flags.get("batch_entry") == 11  # midnight entries of a real clock column stay suspicious


def _fifo_reference(group: list[int], is_start: list[bool]) -> list[int]:
    """The pairing written as the loop it replaces: per group a queue of open starts, oldest first."""
    out, open_starts, starts_seen = [], {}, {}
    for i, (g, s) in enumerate(zip(group, is_start)):
        if s:
            starts_seen[g] = starts_seen.get(g, 0) + 1
            open_starts.setdefault(g, []).append(starts_seen[g])
            out.append(starts_seen[g])
        elif open_starts.get(g):
            out.append(open_starts[g].pop(0))
        else:
            out.append(-1 - i)
    return out


@given(st.lists(st.tuples(st.integers(0, 3), st.booleans()), max_size=60))
@settings(max_examples=200, deadline=None)
def test_pair_numbers_agree_with_a_queue(rows: list[tuple[int, bool]]) -> None:
    rows = sorted(rows, key=lambda r: r[0])  # groups contiguous, as after the sort
    group = [g for g, _ in rows]
    is_start = [s for _, s in rows]
    got = _pair_numbers(np.asarray(group, dtype=np.int64), np.asarray(is_start, dtype=bool))
    assert got.tolist() == _fifo_reference(group, is_start)
