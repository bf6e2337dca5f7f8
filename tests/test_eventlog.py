"""The event-log contract: ``EventLog`` checks a log, puts it in canonical form once, and every public
function gives a shuffled or filtered log the answers of the same rows in canonical order."""

from __future__ import annotations

import dataclasses
import math
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import procmine
from procmine import schema
from procmine.analyse import (
    analyse_network,
    analyse_office,
    case_durations,
    directly_follows,
    open_cases,
    process_map,
    rework,
    service_times,
    start_end_activities,
    variants,
)
from procmine.errors import ProcmineError
from procmine.eventlog import EventLog, EventLogProblem

from conftest import canonical

AR, DR, CL = "application_received", "documents_requested", "case_closed"

# (office, case, activity, key, start, end, case_type); starts only on some rows (mixed log)
ROWS = [
    ("A", "c3", "Antrag", AR, None, "2024-01-02 09:00", "NE"),
    ("A", "c1", "Antrag", AR, None, "2024-01-01 09:00", "AE_EXT"),
    ("A", "c1", "Nachforderung", DR, "2024-01-03 08:00", "2024-01-03 09:00", "AE_EXT"),
    ("A", "c1", "Nachforderung", DR, None, "2024-01-03 09:00", "AE_EXT"),  # same end: event_seq decides
    ("A", "c1", "Abschluss", CL, "2024-02-01 10:00", "2024-02-01 11:00", "AE_EXT"),
    ("A", "c10", "Antrag", AR, None, "2024-01-05 09:00", "AE_EXT"),  # "c10" sorts before "c2" as text
    ("A", "c10", "Abschluss", CL, None, "2024-03-05 09:00", "AE_EXT"),
    ("A", "c2", "Antrag", AR, None, "2024-01-04 09:00", "NE"),
    ("A", "c2", "Nachforderung", DR, None, "2024-01-20 09:00", "NE"),
    ("A", "c2", "Abschluss", CL, None, "2024-04-20 09:00", "NE"),
    ("A", "c3", "Nachforderung", DR, "2024-01-10 08:00", "2024-01-10 09:30", "NE"),
    ("A", "c4", "Antrag", AR, None, "2024-02-01 09:00", "AE_EXT"),
    ("A", "c4", "Abschluss", CL, None, "2024-02-28 09:00", "AE_EXT"),
    ("A", "c5", "Antrag", AR, None, "2024-03-01 09:00", "NE"),
    ("B", "d1", "Antrag", AR, None, "2024-01-01 10:00", "NE"),
    ("B", "d1", "Nachforderung", DR, None, "2024-01-15 10:00", "NE"),
    ("B", "d1", "Nachforderung", DR, None, "2024-02-15 10:00", "NE"),
    ("B", "d1", "Abschluss", CL, None, "2024-03-15 10:00", "NE"),
    ("B", "d2", "Antrag", AR, None, "2024-01-08 10:00", "AE_EXT"),
    ("B", "d2", "Abschluss", CL, None, "2024-01-30 10:00", "AE_EXT"),
    ("B", "d3", "Antrag", AR, None, "2024-02-08 10:00", "AE_EXT"),
    ("B", "d3", "Nachforderung", DR, "2024-02-09 10:00", "2024-02-09 12:00", "AE_EXT"),
    ("B", "d4", "Antrag", AR, None, "2024-03-08 10:00", "NE"),
]


def _frame(rows: list[tuple] = ROWS) -> pd.DataFrame:
    """The rows as a canonical-typed frame in the given (not canonical) order: event_seq = row order,
    source_row = row + 2, times read as Berlin wall clock."""
    df = pd.DataFrame(rows, columns=["office", "case_id", "activity", "activity_key", "start", "end", "case_type"])
    for col in ("start", "end"):
        df[col] = pd.to_datetime(df[col]).dt.tz_localize("Europe/Berlin").dt.tz_convert("UTC")
    n = np.arange(len(df))
    df["resource"] = [f"SB{i % 3}" for i in n]
    df["team"] = np.where(n % 2 == 1, "T1", "T2")
    df["source_file"] = df["office"] + ".csv"
    return canonical(df)


def _office(df: pd.DataFrame, office: str) -> pd.DataFrame:
    return df[(df["office"] == office).to_numpy()]


# --- checks and their messages ----------------------------------------------------------------------


def test_missing_column_is_named() -> None:
    with pytest.raises(EventLogProblem) as err:
        EventLog(_frame().drop(columns=["end"]))
    e = err.value
    assert (e.code, e.column) == ("missing_column", "end")
    msg = str(e)
    assert "Spalte 'end'" in msg and "gefunden: die Spalte fehlt" in msg and "erwartet: die Pflichtspalten" in msg
    assert isinstance(e, schema.SchemaViolation) and isinstance(e, ProcmineError)


def test_naive_times_are_refused_other_zones_converted() -> None:
    df = _frame()
    naive = df.assign(end=df["end"].dt.tz_localize(None))
    with pytest.raises(EventLogProblem) as err:
        EventLog(naive)
    assert (err.value.code, err.value.column) == ("naive_time", "end")
    assert "ohne Zeitzone" in str(err.value) and "erwartet: Zeitpunkte mit Zeitzone (gespeichert in UTC)" in str(err.value)
    assert "tz_localize" in str(err.value)
    # the same instants in Berlin time: converted, not refused
    berlin = df.assign(end=df["end"].dt.tz_convert("Europe/Berlin"), start=df["start"].dt.tz_convert("Europe/Berlin"))
    pd.testing.assert_frame_equal(EventLog(berlin).df, EventLog(df).df)
    assert str(EventLog(berlin)["end"].dtype) == "datetime64[us, UTC]"


def test_start_after_end_names_the_row_and_source() -> None:
    df = _frame()
    df.loc[2, "start"] = pd.Timestamp("2024-01-04 08:00", tz="UTC")  # after its end (2024-01-03 08:00 UTC)
    with pytest.raises(EventLogProblem) as err:
        EventLog(df)
    e = err.value
    assert (e.code, e.column, e.params["count"]) == ("start_after_end", "start", 1)
    assert "Tabellenzeile 3 (Datei 'A.csv', Zeile 4)" in str(e)
    assert "erwartet: Beginn nicht nach Ende" in str(e)


def test_empty_case_id_is_counted() -> None:
    df = _frame()
    df["case_id"] = df["case_id"].astype(object)
    df.loc[[4, 7], "case_id"] = None
    with pytest.raises(EventLogProblem) as err:
        EventLog(df)
    e = err.value
    assert (e.code, e.column, e.params["count"]) == ("empty_values", "case_id", 2)
    assert "2 leere Werte, der erste in Tabellenzeile 5 (Datei 'A.csv', Zeile 6)" in str(e)


def test_other_refusals() -> None:
    df = _frame()
    with pytest.raises(EventLogProblem, match=r"\[duplicate_seq\]") as err:
        EventLog(df.assign(event_seq=np.r_[0, np.arange(len(df) - 1)]))
    assert err.value.params == {"count": 1, "example": 0}
    with pytest.raises(EventLogProblem, match=r"Spalte 'precision': gefunden: die Werte hour\. erwartet: einen der Werte second, minute, day"):
        EventLog(df.assign(precision="hour"))
    with pytest.raises(EventLogProblem, match=r"Spalte 'event_seq'.*keine ganzen Zahlen"):
        EventLog(df.assign(event_seq=df["event_seq"] + 0.5))
    with pytest.raises(EventLogProblem, match=r"\[not_a_frame\]"):
        EventLog.of([1, 2, 3])  # type: ignore[arg-type]


def test_text_and_plain_columns_are_coerced_optional_ones_added() -> None:
    df = _frame()
    plain = df.astype({c: object for c in schema.CATEGORICAL}).drop(columns=["team", "resource"])
    plain["source_row"] = plain["source_row"].astype("int32")
    ev = EventLog(plain)
    assert isinstance(ev["case_id"].dtype, pd.CategoricalDtype) and ev["team"].isna().all()
    assert ev["source_row"].dtype == np.int64
    pd.testing.assert_series_equal(ev["end"], EventLog(df)["end"])


# --- canonical form ---------------------------------------------------------------------------------


def test_canonical_order_categories_and_case_codes() -> None:
    ev = EventLog(_office(_frame(), "A"))
    # case_id as text (c10 before c2), then end, then event_seq (rows 2 and 3 end at the same minute)
    assert ev["case_id"].astype(str).tolist()[:6] == ["c1", "c1", "c1", "c1", "c10", "c10"]
    assert ev["event_seq"].tolist()[:4] == [1, 2, 3, 4]
    assert ev.df.index.equals(pd.RangeIndex(len(ev)))
    assert list(ev["case_id"].cat.categories) == ["c1", "c10", "c2", "c3", "c4", "c5"]
    assert list(ev["office"].cat.categories) == ["A"]  # "B" is not in use any more
    assert ev.case_codes.tolist() == [0, 0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5]
    assert ev.case_starts.tolist() == [0, 4, 6, 9, 11, 13] and ev.n_cases == 6
    assert ev.case_ids.tolist() == ["c1", "c10", "c2", "c3", "c4", "c5"]


def test_a_canonical_log_is_neither_copied_nor_sorted_and_is_recognised() -> None:
    canonical = EventLog(_frame()).df
    again = EventLog(canonical)
    for col in ("end", "event_seq"):
        assert np.shares_memory(np.asarray(again[col].array.asi8 if col == "end" else again[col].to_numpy()),
                                np.asarray(canonical[col].array.asi8 if col == "end" else canonical[col].to_numpy()))
    assert np.shares_memory(schema.codes_of(again["case_id"]), schema.codes_of(canonical["case_id"]))
    assert EventLog.of(again) is again and EventLog.of(again.df) is again
    # a changed frame is checked again, not trusted
    changed = again.df.copy()
    assert EventLog.of(changed) is not again


def test_dataframe_ergonomics() -> None:
    ev = EventLog(_frame())
    assert len(ev) == len(ROWS) and "case_id" in ev.columns and "end" in ev
    assert isinstance(ev.sample(frac=1, random_state=1), pd.DataFrame)
    part = ev[ev["case_type"] == "NE"]
    assert isinstance(part, pd.DataFrame) and len(part) == 11  # c2, c3, c5, d1, d4
    assert analyse_office(part, diagnose=False, discover=False).cases == 5
    assert ev.head(2).shape == (2, len(ev.columns))
    assert "EventLog(23 Ereignisse, 10 Vorgänge)" in repr(ev)
    again = pickle.loads(pickle.dumps(ev))
    pd.testing.assert_frame_equal(again.df, ev.df)
    with pytest.raises(TypeError):
        ev["new"] = 1  # type: ignore[index]  # read-only: change a copy of log.df and build a new EventLog


def test_load_and_read_give_the_canonical_log(tmp_path: Path) -> None:
    shuffled = _frame().sample(frac=1, random_state=4)
    path = tmp_path / "log.parquet"
    schema.write_table(schema.to_arrow(shuffled), path)  # written as it is, out of order
    loaded = procmine.load(path)
    assert isinstance(loaded, EventLog)
    pd.testing.assert_frame_equal(loaded.df, EventLog(_frame()).df)
    pd.testing.assert_frame_equal(EventLog.read(path).df, loaded.df)


# --- the property: any permutation or filter gives the answers of the same rows in order --------------


def assert_same(a: Any, b: Any, path: str = "result") -> None:
    """Equal results: frames with pandas' testing, dataclasses field by field, floats NaN-aware."""
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, obj=path)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, obj=path)
    elif dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), path
        for f in dataclasses.fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    elif isinstance(a, dict):
        assert list(a) == list(b), path
        for k in a:
            assert_same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b, err_msg=path)
    elif isinstance(a, float) and math.isnan(a):
        assert isinstance(b, float) and math.isnan(b), path
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


BASE = _frame()
CASES = sorted(BASE["case_id"].astype(str).unique())


@st.composite
def reshuffled(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(a permuted and filtered frame, the same rows in canonical order)."""
    n = len(BASE)
    order = np.array(draw(st.permutations(range(n))))
    keep_row = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    dropped_cases = draw(st.sets(st.sampled_from(CASES), max_size=4))
    keep = keep_row | draw(st.booleans())  # half of the examples keep every row before dropping cases
    keep &= ~BASE["case_id"].astype(str).isin(dropped_cases).to_numpy()
    keep[np.flatnonzero(BASE["office"] == "A")[0]] = True  # both offices keep a row
    keep[np.flatnonzero(BASE["office"] == "B")[0]] = True
    messy = BASE.iloc[order][keep[order]]
    return messy, schema.sort_log(BASE[keep])


PROPERTY = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(reshuffled())
def test_statistics_depend_on_the_rows_only(pair: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    messy, ordered = pair
    assert_same(process_map(messy), process_map(ordered))
    assert_same(variants(messy, top=None), variants(ordered, top=None))
    assert_same(case_durations(messy), case_durations(ordered))
    assert_same(EventLog(messy).df, EventLog(ordered).df)
    for fn in (directly_follows, open_cases, rework, service_times, start_end_activities):
        assert_same(fn(messy), fn(ordered), fn.__name__)


@PROPERTY
@given(reshuffled())
def test_analyse_office_depends_on_the_rows_only(pair: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    messy, ordered = pair
    assert_same(analyse_office(messy, discover=False), analyse_office(ordered, discover=False))


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reshuffled())
def test_analyse_network_depends_on_the_rows_only(pair: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    messy, ordered = pair
    got = analyse_network({o: _office(messy, o) for o in ("B", "A")}, discover=False)
    want = analyse_network({o: _office(ordered, o) for o in ("B", "A")}, discover=False)
    assert_same(got, want)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(reshuffled())
def test_load_depends_on_the_rows_only(tmp_path: Path, pair: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    messy, ordered = pair
    path = tmp_path / "messy.parquet"
    schema.write_table(schema.to_arrow(messy), path)
    assert_same(procmine.load(path).df, EventLog(ordered).df)


def test_demo_sized_office_shuffled_gives_the_same_kpis() -> None:
    from procmine.synth import simulate_network
    from procmine.synth.offices import default_offices

    log = simulate_network(3000, 21, offices=default_offices()[:1]).logs["ABH-01"]
    ordered = analyse_office(log, discover=False, diagnose=False)
    shuffled = analyse_office(log.sample(frac=1, random_state=11), discover=False, diagnose=False)
    assert shuffled.cases == ordered.cases == 3000  # was 46,995 "cases" (one per run of rows) before
    assert_same(shuffled.kpis, ordered.kpis)
    assert_same(shuffled.kpis_by_case_type, ordered.kpis_by_case_type)
    assert_same(shuffled.case_durations, ordered.case_durations)


ROW_HELPERS = {"case_codes", "same_case_as_previous", "has_keys", "day_precision", "distinct_staff"}  # take rows as given
PARTS_HELPERS = {"monthly_deadline_table"}  # combine parts already computed from an ordered log (diagnosis internals)


def _public_log_functions() -> list[tuple[str, Any]]:
    """Every public function of the analysis modules whose first parameter is the log."""
    import importlib
    import inspect

    out = []
    for name in ("stats", "time", "queues", "visits", "external", "deadlines", "teams", "staffing", "handover", "decomposition",
                 "discovery", "diagnosis"):
        mod = importlib.import_module(f"procmine.analyse.{name}")
        for fname, fn in inspect.getmembers(mod, inspect.isfunction):
            if fn.__module__ != mod.__name__ or fname.startswith("_") or fname in ROW_HELPERS | PARTS_HELPERS:
                continue
            params = list(inspect.signature(fn).parameters.values())
            if params and params[0].name == "log":
                out.append((f"{name}.{fname}", fn))
    return out


def _bpmn_shape(model: Any) -> tuple[list[str], list[tuple[str, str]]] | None:
    if model is None:
        return None
    nodes = sorted(f"{type(n).__name__}:{n.get_name()}" for n in model.get_nodes())
    flows = sorted((f"{type(f.source).__name__}:{f.source.get_name()}", f"{type(f.target).__name__}:{f.target.get_name()}")
                   for f in model.get_flows())
    return nodes, flows


@pytest.mark.parametrize("name,fn", _public_log_functions(), ids=[n for n, _ in _public_log_functions()])
def test_every_public_function_takes_a_shuffled_frame_or_an_eventlog(name: str, fn: Any) -> None:
    from procmine.analyse.external import EXTERNAL_WAITS

    extra = (EXTERNAL_WAITS[0],) if name == "external.paired_waits" else ()
    part = BASE[(BASE["office"] == "A").to_numpy()]
    messy, ordered = part.sample(frac=1, random_state=2), EventLog(part)
    got, want = fn(messy, *extra), fn(ordered, *extra)
    if name == "discovery.discover_model":  # a pm4py BPMN model: compare its nodes and flows by name
        got, want = (_bpmn_shape(got[0]), got[1]), (_bpmn_shape(want[0]), want[1])
    assert_same(got, want, name)
