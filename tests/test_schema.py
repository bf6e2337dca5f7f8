"""The canonical log contract: dtypes, invariants, Parquet round trip, pm4py bridge."""

from __future__ import annotations

import pandas as pd
import pm4py
import pytest

from procmine import schema


def _tiny() -> pd.DataFrame:
    t = pd.Timestamp("2025-03-29 22:00", tz="Europe/Berlin")  # the night of the spring DST change
    rows = [
        # case, activity, start, end
        ("b", "Eingang", None, t),
        ("a", "Eingang", None, t),
        ("a", "Prüfung", t + pd.Timedelta(hours=1), t + pd.Timedelta(hours=6)),
    ]
    df = pd.DataFrame(rows, columns=["case_id", "activity", "start", "end"])
    df["precision"] = "minute"
    df["office"] = "X"
    df["event_seq"] = range(len(df))
    df["source_file"] = "x.csv"
    df["source_row"] = [2, 3, 4]
    df["channel"] = ["post", "online", "online"]
    return schema.sort_log(schema.conform(df))


def test_conform_sort_and_validate():
    log = _tiny()
    assert list(log.columns[: len(schema.COLUMNS)]) == list(schema.COLUMNS)
    assert list(log["case_id"].astype(str)) == ["a", "a", "b"]  # sorted by case, then end
    assert str(log["end"].dtype) == "datetime64[us, UTC]"
    schema.validate(log)
    # 22:00 CET -> 23:00 CET start, 04:00 CEST end: 5 wall-clock hours are 4 real hours
    row = log.iloc[1]
    assert (row["end"] - row["start"]) == pd.Timedelta(hours=5)  # instants, not wall clock
    assert row["end"].tz_convert("Europe/Berlin").hour == 5  # 04:00 CET = 05:00 CEST after the gap


def test_validate_rejects_broken_invariants():
    log = _tiny()
    bad = log.copy()
    bad.loc[1, "start"] = bad.loc[1, "end"] + pd.Timedelta(hours=1)
    with pytest.raises(schema.SchemaViolation, match="start after end"):
        schema.validate(bad)
    unsorted = log.iloc[[2, 0, 1]].reset_index(drop=True)
    with pytest.raises(schema.SchemaViolation, match="not sorted"):
        schema.validate(unsorted)
    dup = log.copy()
    dup.loc[2, "event_seq"] = dup.loc[0, "event_seq"]
    with pytest.raises(schema.SchemaViolation, match="event_seq"):
        schema.validate(dup)


def test_parquet_round_trip_keeps_types_and_extras(tmp_path):
    log = _tiny()
    path = schema.write_log(log, tmp_path / "x.parquet")
    back = schema.read_log(path)
    pd.testing.assert_frame_equal(back, log, check_categorical=False)
    assert back["channel"].tolist() == ["online", "online", "post"]


def test_direct_arrow_table_is_pandas_conversion(recwarn):
    """``schema.to_arrow`` (over codes and time values) gives the very table pandas' conversion gives:
    missing starts and staff, a numeric case-type code, an extra text and an extra number column."""
    import numpy as np
    import pyarrow as pa

    log = _tiny()
    log["resource"] = pd.Categorical(["R-1", None, "R-2"])
    log["case_type"] = pd.Categorical([16, 16, 81])  # numbers: written as text either way
    log["fee"] = [1.5, np.nan, 3.0]
    got = schema.to_arrow(log)
    want = pa.Table.from_pandas(log, schema=schema.arrow_schema(log), preserve_index=False)
    assert got.equals(want, check_metadata=True)
    assert got.column("start").null_count == 2 and got.column("resource").null_count == 1


def test_read_log_refuses_foreign_parquet(tmp_path):
    path = tmp_path / "foreign.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(path)
    with pytest.raises(schema.SchemaViolation, match="schema version"):
        schema.read_log(path)


def test_pm4py_runs_on_the_canonical_log_by_keys():
    log = _tiny()
    dfg, start, end = pm4py.discover_dfg(schema.for_pm4py(log), **schema.PM4PY_KEYS.kwargs())
    assert dfg == {("Eingang", "Prüfung"): 1}
    assert start == {"Eingang": 2}
    view = schema.to_pm4py(log)
    assert view["start_timestamp"].notna().all()
