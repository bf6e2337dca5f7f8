"""Issue 14 item 7: the speed-ups of the network diagnosis change no result."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import procmine.analyse as analyse
from procmine.analyse.detectors.base import OfficeData, _norm_waits, group_percentile
from procmine.synth import simulate_network


def test_group_percentile_equals_numpy_per_group() -> None:
    # hand values: group 0 = [1, 2, 3, 4] -> P90 at index 2.7 = 3.7; group 1 empty; group 2 = [5] -> 5
    v = np.array([4.0, 5.0, 1.0, 3.0, 2.0])
    g = np.array([0, 2, 0, 0, 0])
    out = group_percentile(v, g, 3, 90)
    assert out[0] == pytest.approx(3.7) and np.isnan(out[1]) and out[2] == 5.0
    rng = np.random.default_rng(3)
    for _ in range(50):
        n_groups = int(rng.integers(1, 12))
        codes = rng.integers(0, n_groups, size=int(rng.integers(0, 300)))
        vals = np.round(rng.exponential(7.0, size=len(codes)), 2)
        for q in (2.5, 50.0, 90.0, 97.5):
            got = group_percentile(vals, codes, n_groups, q)
            want = [np.percentile(vals[codes == k], q) if (codes == k).any() else np.nan for k in range(n_groups)]
            np.testing.assert_array_equal(got, np.asarray(want, dtype=float))  # the same floats, not close ones


def _merge_asof_waits(d: OfficeData, from_key: str, to_key: str) -> pd.DataFrame:
    """The norm waits as computed before (``pandas.merge_asof`` by case), the reference."""
    ea = d.ea
    f, t = np.flatnonzero(ea.keys == from_key), np.flatnonzero(ea.keys == to_key)
    left = pd.DataFrame({"case": ea.case_index[f], "time": ea.end_us[f]}).sort_values("time", kind="stable")
    right = pd.DataFrame({"case": ea.case_index[t], "time": ea.start_us[t], "t_to": ea.start_us[t]}).sort_values(
        "time", kind="stable")
    m = pd.merge_asof(left, right, on="time", by="case", direction="forward")
    m = m[m["t_to"].notna()].sort_values("time").drop_duplicates(["case", "t_to"], keep="last")
    return pd.DataFrame({"case": m["case"].to_numpy(dtype=np.int64),
                         "wait_d": (m["t_to"].to_numpy() - m["time"].to_numpy()) / 1e6 / 86400.0,
                         "time": m["time"].to_numpy()})


@pytest.fixture(scope="module")
def small_network() -> dict[str, pd.DataFrame]:
    return simulate_network(cases_per_office=150, months=12).logs


def test_norm_waits_same_rows_as_merge_asof(small_network: dict[str, pd.DataFrame]) -> None:
    name, log = next(iter(small_network.items()))
    d = OfficeData.build(name, log)
    keys = [k for k in pd.unique(d.ea.keys) if k]
    checked = 0
    for a in keys:
        for b in keys:
            got, want = _norm_waits(d, a, b), _merge_asof_waits(d, a, b)
            if len(want):
                checked += 1
            pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True))
    assert checked > 10


def test_worker_processes_give_the_serial_results(small_network: dict[str, pd.DataFrame],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analyse, "PARALLEL_MIN_EVENTS", 0)  # the small network in worker processes too
    serial = analyse.analyse_network(small_network, discover=False, workers=1)
    pooled = analyse.analyse_network(small_network, discover=False, workers=2)
    assert [a.office for a in serial] == [a.office for a in pooled]
    assert sum(len(a.findings) for a in serial) > 0
    for s, p in zip(serial, pooled):
        # repr: every field with its exact float (a NaN in the evidence equals itself there, not under ==)
        assert repr(s.findings) == repr(p.findings)
        assert s.kpis == p.kpis
        pd.testing.assert_frame_equal(s.process_map, p.process_map)
        pd.testing.assert_frame_equal(s.diagnosis.activity_times, p.diagnosis.activity_times)
        assert s.extra.keys() == p.extra.keys()
    assert not analyse._POOL_LOGS  # the pool's logs are let go after the call


def test_main_teams_equal_mode_per_group() -> None:
    from procmine.analyse.detectors.deadlines import _main_team, _main_teams

    # hand values: (A, o1) teams x, y, y, "" -> y, 2 of 3; (A, o2) x, y tie -> x (first by name), 1/2;
    # (B, o1) only "" -> no row (the detector fills "" and 0.0)
    tab = pd.DataFrame({"item": ["A"] * 6 + ["B"], "office": ["o1"] * 4 + ["o2"] * 2 + ["o1"],
                        "team": ["x", "y", "y", "", "y", "x", ""]})
    got = _main_teams(tab)
    assert got.loc[("A", "o1")].tolist() == ["y", 2 / 3]
    assert got.loc[("A", "o2")].tolist() == ["x", 0.5]
    assert ("B", "o1") not in got.index
    rng = np.random.default_rng(5)  # against the Python function per group, ties included
    for _ in range(20):
        n = int(rng.integers(1, 200))
        tab = pd.DataFrame({"item": rng.choice(["A", "B", "C"], n), "office": rng.choice(["o1", "o2"], n),
                            "team": rng.choice(["", "t1", "t2", "t3"], n)})
        got = _main_teams(tab)
        for (item, office), s in tab.groupby(["item", "office"])["team"]:
            top = _main_team(s)
            if top:
                assert got.loc[(item, office), "top_team"] == top
                assert got.loc[(item, office), "team_share"] == float((s[s != ""] == top).mean())
            else:
                assert (item, office) not in got.index


def test_text_codes_and_team_staff_equal_text_forms() -> None:
    from procmine.analyse.detectors.base import team_staff, text_codes

    # hand values: teams b, a, b, missing; staff 1, 2, 1, 3 -> b has 1 person, a 1, "" 1
    log = pd.DataFrame({"team": pd.Categorical(["b", "a", "b", None], categories=["a", "b", "c"]),
                        "resource": pd.Categorical(["1", "2", "1", "3"])})
    codes, labels = text_codes(log["team"])
    assert codes.tolist() == [0, 1, 0, -1] and labels.tolist() == ["b", "a"]  # order of first appearance
    assert team_staff(log).to_dict() == {"": 1, "a": 1, "b": 1}
    rng = np.random.default_rng(8)
    for _ in range(20):
        n = int(rng.integers(1, 300))
        team = pd.Series(rng.choice(["t1", "t2", "t3", None], n), dtype="category")
        res = pd.Series(rng.choice(["r1", "r2", "r3", "r4", None], n), dtype="category")
        log = pd.DataFrame({"team": team, "resource": res})
        want_codes, want_labels = pd.factorize(log["team"].astype("string"))
        codes, labels = text_codes(log["team"])
        assert codes.tolist() == want_codes.tolist() and labels.tolist() == list(want_labels)
        want = log["resource"].astype("string").groupby(log["team"].astype("string").fillna("").to_numpy()).nunique()
        assert team_staff(log).to_dict() == want.to_dict()
