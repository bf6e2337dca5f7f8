"""procmine's vectorised statistics agree with pm4py's on real public logs (read with pm4py itself)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from procmine import schema
from procmine.analyse import discovery, stats

from conftest import PUBLIC_DATA, from_pm4py

PUBLIC = PUBLIC_DATA

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def receipt() -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py

        df = pm4py.read_xes(str(PUBLIC / "receipt.xes.gz"), show_progress_bar=False)
    return from_pm4py(df)


@pytest.fixture(scope="module")
def interval() -> pd.DataFrame:
    return from_pm4py(pd.read_csv(PUBLIC / "interval_event_log.csv"), start="start_timestamp")


def _map(log: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    return {(r["from"], r["to"]): r for _, r in stats.process_map(log).iterrows()}


def _pm4py_completion_order(log: pd.DataFrame) -> tuple[dict, dict]:
    """pm4py configured the documented way (``stats`` module docstring): its event-log semantics, each
    trace in completion-time order (``convert_to_event_log``), the performance DFG with
    ``start_timestamp_key`` (waits ``next.start - previous.end``, clipped at 0 by pm4py). Returns
    (frequency DFG, performance DFG with all aggregates)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py
        from pm4py.algo.discovery.dfg.variants import native, performance

        frame = pd.DataFrame({
            "case:concept:name": log[schema.CASE_ID].astype(str).to_numpy(),
            "concept:name": log[schema.ACTIVITY].astype(str).to_numpy(),
            "time:timestamp": log[schema.END].to_numpy(),
            "start_timestamp": log[schema.START].fillna(log[schema.END]).to_numpy(),
        })
        event_log = pm4py.convert_to_event_log(frame)
        freq = dict(native.apply(event_log))
        perf = dict(performance.apply(event_log, parameters={
            performance.Parameters.START_TIMESTAMP_KEY: "start_timestamp", performance.Parameters.AGGREGATION_MEASURE: "all"}))
    return freq, perf


@pytest.mark.parametrize("name", ["receipt", "interval"])
def test_dfg_frequencies_and_waits_equal_pm4py(name: str, request: pytest.FixtureRequest) -> None:
    log = request.getfixturevalue(name)
    mine = _map(log)
    freq, perf = _pm4py_completion_order(log)
    assert set(mine) == set(freq) == set(perf)
    assert len(freq) > 10
    for pair, count in freq.items():
        assert mine[pair]["count"] == count, pair
        assert mine[pair]["mean_wait_s"] == pytest.approx(perf[pair]["mean"], rel=1e-9, abs=1e-6), pair
        assert mine[pair]["median_wait_s"] == pytest.approx(perf[pair]["median"], rel=1e-9, abs=1e-6), pair
    if name == "receipt":  # completion-only: pm4py's dataframe DFG has the same order
        assert freq == discovery.pm4py_dfg(log)


def test_interval_log_one_order_everywhere(interval: pd.DataFrame) -> None:
    """Issue 14 §6: on the real interval log every edge of the map has the same count in the
    diagnosis' transition table and in the variants (a pair counted once per occurrence in a variant
    times the variant's cases); no edge has a negative mean wait, and the overlap is kept as a figure."""
    from collections import Counter

    from procmine.analyse import diagnosis, time

    pm = stats.process_map(interval)
    edges = {(r["from"], r["to"]): int(r["count"]) for _, r in pm.iterrows()}
    table = diagnosis.transition_times(time.step_times(interval), top=10_000)
    assert {(r["from"], r["to"]): int(r["count"]) for _, r in table.iterrows()} == edges
    implied: Counter = Counter()
    for acts, n in zip(*(stats.variants(interval, top=None)[c] for c in ("activities", "count"))):
        for pair in zip(acts[:-1], acts[1:]):
            implied[pair] += int(n)
    assert dict(implied) == edges
    assert sum(edges.values()) == len(interval) - interval[schema.CASE_ID].nunique()
    # the raw log does overlap (the next step started before the previous one ended) ...
    raw = stats.directly_follows_pairs(interval)["wait_s"].to_numpy()
    assert (raw < 0).sum() > 0
    assert stats.directly_follows_pairs(interval, clip_negative=True)["wait_s"].min() == 0.0
    # ... yet no edge shows a negative wait: overlaps count 0 and are kept as their own figure
    assert (pm["mean_wait_s"] >= 0).all() and (pm["median_wait_s"] >= 0).all()
    assert int(pm["overlap_count"].sum()) == int((raw < 0).sum())
    over = pm[pm["overlap_count"] > 0]
    assert len(over) and (over["mean_overlap_s"] > 0).all()
    assert pm.loc[pm["overlap_count"] == 0, "mean_overlap_s"].isna().all()
    # pm4py clips the same way; the transition table's waits too
    _, perf = _pm4py_completion_order(interval)
    assert min(p["min"] for p in perf.values()) == 0.0
    assert (table["waiting_calendar_median_s"].dropna() >= 0).all()


@pytest.mark.parametrize("name", ["receipt", "interval"])
def test_start_end_activities_equal_pm4py(name: str, request: pytest.FixtureRequest) -> None:
    log = request.getfixturevalue(name)
    assert stats.start_end_activities(log) == discovery.pm4py_start_end(log)


@pytest.mark.parametrize("name", ["receipt", "interval"])
def test_variants_equal_pm4py(name: str, request: pytest.FixtureRequest) -> None:
    log = request.getfixturevalue(name)
    ref = discovery.pm4py_variants(log)
    mine = stats.variants(log, top=None)
    assert dict(zip(mine["activities"], mine["count"])) == ref
    assert mine["count"].is_monotonic_decreasing
    assert mine["share"].sum() == pytest.approx(1.0)


def test_case_durations_equal_pm4py(receipt: pd.DataFrame) -> None:
    mine = np.sort(stats.case_durations(receipt)["duration_s"].to_numpy())
    ref = np.asarray(discovery.pm4py_case_durations(receipt))
    assert len(mine) == len(ref) == 1434
    np.testing.assert_allclose(mine, ref, rtol=1e-12, atol=1e-6)


@pytest.mark.parametrize("name", ["receipt", "interval"])
def test_rework_equals_pm4py(name: str, request: pytest.FixtureRequest) -> None:
    log = request.getfixturevalue(name)
    mine = stats.rework(log)
    ref = discovery.pm4py_rework(log)
    assert dict(zip(mine["activity"], mine["cases_with_repeat"])) == ref
    assert len(ref) > 0


@pytest.mark.parametrize("aggregation", ["mean", "median"])
def test_service_times_equal_pm4py(interval: pd.DataFrame, aggregation: str) -> None:
    ref = discovery.pm4py_service_time(interval, aggregation)
    mine = stats.service_times(interval).set_index("activity")[f"{aggregation}_service_s"]
    assert set(mine.index) == set(ref)
    for act, value in ref.items():
        assert mine[act] == pytest.approx(value, rel=1e-9, abs=1e-6), act
    assert (mine > 0).all()


def test_model_discovery_returns_bpmn(receipt: pd.DataFrame) -> None:
    model, reason = discovery.discover_model(receipt, stats.variant_ids(receipt))
    assert reason is None
    assert len(model.get_nodes()) > 3
    skipped, why = discovery.discover_model(receipt, max_events=100)
    assert skipped is None and why.startswith("log_too_large")


def test_model_keeps_the_most_frequent_activities(receipt: pd.DataFrame) -> None:
    """With a cap on activities, only the most frequent ones (by events) are in the model, and it says so."""
    counts = receipt[schema.ACTIVITY].astype(str).value_counts()
    top = set(counts.index[:5])
    info: dict = {}
    model, reason = discovery.discover_model(receipt, stats.variant_ids(receipt), info=info, max_activities=5)
    assert reason is None
    tasks = {n.get_name() for n in model.get_nodes() if type(n).__name__ == "Task"}
    assert tasks and tasks <= top
    # the total counts the activities of the modelled (frequent) variants, more than the five kept
    assert info["model_activities"] == 5 and 5 < info["model_activities_total"] <= receipt[schema.ACTIVITY].nunique()
    # below the cap nothing is left out and nothing is noted
    info = {}
    discovery.discover_model(receipt, stats.variant_ids(receipt), info=info)
    assert "model_activities" not in info


def test_model_of_a_varied_log_is_capped_in_variants_and_still_fits() -> None:
    """A log where nearly every case is its own variant: only the ``max_variants`` most frequent go to the
    miner (and ``info`` says so); the net is a sound workflow net and still replays the cases of all the
    variants covering 80 % well (token-based fitness), so the cap speeds discovery without a flower model."""
    import pm4py

    from procmine.synth import default_offices, simulate_network

    log = simulate_network(400, 12, offices=default_offices()[:1]).logs["ABH-01"]
    vid = stats.variant_ids(log)
    counts = np.bincount(vid)
    covering = int(np.searchsorted(np.cumsum(counts) / counts.sum(), 0.8) + 1)
    assert covering > 30  # the point of the test: far more covering variants than the cap
    info: dict = {}
    model, reason = discovery.discover_model(log, vid, info=info, max_variants=30)
    assert reason is None
    assert info["model_variants"] == 30 and info["model_variants_total"] == covering
    assert info["model_cases"] == int((vid < 30).sum())
    net, im, fm = pm4py.convert_to_petri_net(model)
    assert pm4py.check_soundness(net, im, fm)[0]
    case_no = pd.factorize(log[schema.CASE_ID])[0]
    replayed = schema.to_pm4py(log.loc[(vid < covering)[case_no]])
    fit = pm4py.fitness_token_based_replay(replayed, net, im, fm)
    assert fit["log_fitness"] >= 0.9
    # without the cap every covering variant is modelled and nothing is noted
    info = {}
    discovery.discover_model(log, vid, info=info, max_variants=covering)
    assert "model_variants" not in info and info["model_cases"] == int((vid < covering).sum())
