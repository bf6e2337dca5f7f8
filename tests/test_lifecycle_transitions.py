"""XES lifecycle transitions other than start and complete (schedule, suspend, resume, …) are kept as
steps of their own, labelled like the XES activity classifier; only unknown values are quarantined."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from procmine.normalise import ingest_file

KEY = b"k" * 32

# case c1: A is scheduled 09:00, started 09:10, suspended 09:20, resumed 09:30, completed 09:40;
# B completes 10:00 without a start; "Pause" is no lifecycle value of any known model.
CSV = """case:concept:name,concept:name,lifecycle:transition,time:timestamp
c1,A,schedule,2024-03-04T09:00:00+01:00
c1,A,start,2024-03-04T09:10:00+01:00
c1,A,suspend,2024-03-04T09:20:00+01:00
c1,A,resume,2024-03-04T09:30:00+01:00
c1,A,complete,2024-03-04T09:40:00+01:00
c1,B,complete,2024-03-04T10:00:00+01:00
c1,B,Pause,2024-03-04T10:05:00+01:00
"""


def test_other_transitions_become_steps(tmp_path: Path) -> None:
    src = tmp_path / "lc.csv"
    src.write_text(CSV, encoding="utf-8")
    res = ingest_file(src, tmp_path / "out", key=KEY)
    q = res.quality
    assert (q.rows_read, q.rows_kept, q.rows_quarantined) == (7, 6, 1)
    assert q.by_reason == {"unknown_lifecycle": 1}
    assert q.notes.get("lifecycle_transitions_as_steps") == 3
    log = pd.read_parquet(tmp_path / "out" / "lc.parquet")
    log = log.sort_values("end")
    assert log["activity"].astype(str).tolist() == ["A (schedule)", "A (suspend)", "A (resume)", "A", "B"]
    a = log[log["activity"] == "A"].iloc[0]
    # A's instance runs from its start to its complete (08:10-08:40 UTC); the others have one timestamp
    assert a["start"] == pd.Timestamp("2024-03-04T08:10:00Z") and a["end"] == pd.Timestamp("2024-03-04T08:40:00Z")
    assert log.loc[log["activity"] != "A", "start"].isna().all()
    # only B is a complete without a start; the extra transitions are not
    flagged = log.loc[log["quality_flags"].astype(str).str.contains("unmatched_complete", na=False), "activity"]
    assert flagged.astype(str).tolist() == ["B"]


def test_complete_only_log_with_schedule_rows(tmp_path: Path) -> None:
    """Without any start row the labels still tell scheduling apart from completion."""
    src = tmp_path / "sc.csv"
    src.write_text(
        "case,activity,lifecycle:transition,timestamp\n"
        "c1,A,schedule,2024-03-04 09:00:00\n"
        "c1,A,complete,2024-03-04 09:40:00\n",
        encoding="utf-8",
    )
    res = ingest_file(src, tmp_path / "out", key=KEY)
    assert res.quality.rows_kept == 2
    log = pd.read_parquet(tmp_path / "out" / "sc.parquet").sort_values("end")
    assert log["activity"].astype(str).tolist() == ["A (schedule)", "A"]
