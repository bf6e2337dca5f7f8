"""Handover of work: hand-made answer and agreement with pm4py on the real receipt log."""

from __future__ import annotations

from functools import partial

import pm4py
import pytest

from procmine import schema
from procmine.analyse.handover import handover_of_work

from conftest import PUBLIC_DATA, from_pm4py, rows_log

SHARED = PUBLIC_DATA


# rows: (case, activity, end UTC text, resource, team) -> sorted canonical log of office X
_log = partial(rows_log, columns=["case_id", "activity", "end", "resource", "team"], office="X", precision="second",
               source_file="x", sort=True)


def test_hand_made_handovers():
    log = _log(
        [
            ("c1", "a", "2025-01-01 08:00", "r1", "T1"),
            ("c1", "b", "2025-01-01 09:00", "r2", "T2"),
            ("c1", "c", "2025-01-01 10:00", "r2", "T2"),
            ("c2", "a", "2025-01-01 08:00", "r1", "T1"),
            ("c2", "b", "2025-01-01 09:00", None, None),  # no resource: skipped, r1 -> r2 next
            ("c2", "c", "2025-01-01 10:00", "r2", "T2"),
        ]
    )
    out = handover_of_work(log).set_index(["from", "to"])
    # pairs: c1 (r1,r2) (r2,r2); c2 (r1,r2) -> 3 pairs in all
    assert out.loc[("r1", "r2"), "count"] == 2
    assert out.loc[("r1", "r2"), "cases"] == 2
    assert out.loc[("r2", "r2"), "count"] == 1
    assert out.loc[("r1", "r2"), "share"] == pytest.approx(2 / 3)
    teams = handover_of_work(log, level="team").set_index(["from", "to"])
    assert teams.loc[("T1", "T2"), "count"] == 2


def test_agrees_with_pm4py_on_receipt():
    df = pm4py.read_xes(str(SHARED / "receipt.xes.gz"), return_legacy_log_object=False)
    log = from_pm4py(df, office="X", source_file="receipt", as_text=False)
    ours = {(r["from"], r["to"]): r["share"] for r in handover_of_work(log).to_dict("records")}
    theirs = pm4py.discover_handover_of_work_network(
        schema.for_pm4py(log), case_id_key="case_id", timestamp_key="end", resource_key="resource"
    ).connections
    assert set(ours) == set(theirs)
    assert max(abs(ours[k] - v) for k, v in theirs.items()) < 1e-12


def test_directly_follows_counts_agree_with_pm4py_on_receipt():
    from procmine.analyse import directly_follows

    df = pm4py.read_xes(str(SHARED / "receipt.xes.gz"), return_legacy_log_object=False)
    log = from_pm4py(df, office="X", source_file="receipt", as_text=False)
    ours = {(r["from"], r["to"]): r["count"] for r in directly_follows(log).to_dict("records")}
    theirs, _, _ = pm4py.discover_dfg(schema.for_pm4py(log), **schema.PM4PY_KEYS.kwargs())
    assert ours == dict(theirs)
