"""Synthetic nine-office network: determinism, shapes, schema, load-driven queues, planted patterns."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from procmine import schema
from procmine.catalogue import PATTERNS
from procmine.synth import OfficeConfig, PlantedPattern, generate_demo, simulate_network
from procmine.synth.exports import write_export
from procmine.synth.offices import DEFAULT_STAFF
from procmine.synth.simulate import simulate_office

N = 400  # cases per office: small enough to be fast, large enough for stable medians
REQUIRED_SHAPES = {"xes_events_csv", "de_events_csv", "de_milestones_csv", "de_events_xlsx"}
ALLOCATION = {  # DOMAIN §7.4 table
    "ABH-01": [1, 9], "ABH-02": [7, 6], "ABH-03": [4, 2], "ABH-04": [10, 8], "ABH-05": [3],
    "ABH-06": [5], "ABH-07": [2, 15], "ABH-08": [16], "ABH-09": [12, 11],
}
SHOCK = {"date": "2025-02-01", "case_type": "AE_EMP", "factor": 1.8}


@pytest.fixture(scope="module")
def net():
    return simulate_network(cases_per_office=N)


def _first(log: pd.DataFrame, key: str) -> pd.Series:
    """First end time of ``key`` per case."""
    sel = log[log["activity_key"] == key]
    return sel.groupby(sel["case_id"].astype(str))["end"].first()


def _wait_days(log: pd.DataFrame, a: str, b: str) -> pd.Series:
    return ((_first(log, b) - _first(log, a)).dropna().dt.total_seconds() / 86400.0)


def _per_case(log: pd.DataFrame, key: str) -> float:
    return float((log["activity_key"] == key).sum()) / log["case_id"].nunique()


def test_same_seed_same_logs_other_seed_differs():
    a = simulate_network(cases_per_office=120, months=6, seed=7)
    b = simulate_network(cases_per_office=120, months=6, seed=7)
    c = simulate_network(cases_per_office=120, months=6, seed=8)
    for name in a.logs:
        pd.testing.assert_frame_equal(a.logs[name], b.logs[name])
        pd.testing.assert_frame_equal(a.exports[name].table, b.exports[name].table)
    assert a.truth == b.truth
    assert any(len(a.logs[n]) != len(c.logs[n]) or not a.logs[n]["end"].equals(c.logs[n]["end"]) for n in a.logs)


def test_every_office_has_its_shape_and_the_four_required_shapes_exist(net):
    shapes = {name: o["shape"] for name, o in net.truth["offices"].items()}
    assert sorted(shapes) == [f"ABH-0{i}" for i in range(1, 10)]
    assert REQUIRED_SHAPES <= set(shapes.values())
    for name, o in net.truth["offices"].items():
        assert o["file"] == name + (".xlsx" if o["shape"] == "de_events_xlsx" else ".csv")
        assert (Path(__file__).resolve().parents[1] / "procmine" / "profiles" / f"{o['profile']}.toml").is_file()


def test_canonical_logs_pass_schema_and_have_exact_case_counts(net):
    for name, log in net.logs.items():
        schema.validate(log)
        assert log["case_id"].nunique() <= N
        assert log.loc[log["activity_key"] == "application_received", "case_id"].nunique() == N
        assert set(log["office"].astype(str)) == {name}
        assert log["case_id"].astype(str).str.startswith(name + "-").all()
        # every label the log carries is a known catalogue key's label in that office's shape
        assert log["activity_key"].notna().all()


def test_window_and_open_cases(net):
    for log in net.logs.values():
        assert log["end"].min() >= pd.Timestamp("2023-12-31 23:00", tz="UTC")
        assert log["end"].max() < pd.Timestamp("2025-10-01", tz="Europe/Berlin")
        closed = log.loc[log["activity_key"] == "case_closed", "case_id"].nunique()
        assert 0 < closed < log["case_id"].nunique()  # some cases are still open at the end


def _office(**kw) -> OfficeConfig:
    base = dict(name="TEST", staff=dict(DEFAULT_STAFF), export_shape="de_events_csv")
    base.update(kw)
    return OfficeConfig(**base)


def test_doubling_arrivals_with_fixed_slots_lengthens_appointment_lead():
    # same slot calendar (2 per working day), twice the arrivals -> the queue for slots grows
    lead = {}
    for n in (300, 600):
        run = simulate_office(_office(slots_per_day=2.0), n, 12, 3, SHOCK)
        ev = run.events
        req = ev[ev["key"] == "appointment_requested"].groupby("case_idx")["end"].first()
        app = ev[ev["key"] == "appearance_completed"].groupby("case_idx")["end"].first()
        lead[n] = float(((app - req).dropna() / 1440).median())
    assert lead[600] > 2 * lead[300]


def test_planted_waits_are_visible_directly(net):
    logs = net.logs
    ba = {n: _wait_days(lg, "ba_consent_requested", "ba_consent_granted").median() for n, lg in logs.items()}
    assert ba["ABH-03"] > 14
    assert all(v < 14 for n, v in ba.items() if n != "ABH-03")
    deemed = {n: (lg["activity_key"] == "ba_consent_deemed").sum() for n, lg in logs.items()}
    assert deemed["ABH-03"] == 0
    hand = {n: _wait_days(lg, "eat_received", "eat_handed_over").median() for n, lg in logs.items()}
    assert hand["ABH-02"] > 20 and all(v < 14 for n, v in hand.items() if n != "ABH-02")
    lead = {n: _wait_days(lg, "appointment_requested", "appearance_completed").median() for n, lg in logs.items()}
    assert max(lead, key=lead.get) == "ABH-01"
    assert lead["ABH-08"] == min(lead.values())


def test_planted_rework_and_repeats_are_visible(net):
    logs = net.logs
    docs = {n: _per_case(lg, "documents_requested") for n, lg in logs.items()}
    assert docs["ABH-05"] > 2 * max(v for n, v in docs.items() if n != "ABH-05")
    inq = {n: _per_case(lg, "status_inquiry_received") for n, lg in logs.items()}
    assert max(inq, key=inq.get) == "ABH-01" and inq["ABH-01"] > 2
    hand = {n: _per_case(lg, "case_handed_over") for n, lg in logs.items()}
    assert hand["ABH-09"] > 1.5 and all(v < 0.3 for n, v in hand.items() if n != "ABH-09")
    file_wait = {n: _wait_days(lg, "file_requested", "file_received").median() for n, lg in logs.items()}
    assert file_wait["ABH-09"] > 14
    # fiction churn: extensions per case that got a certificate
    ext = {}
    for n, lg in logs.items():
        got = lg.loc[lg["activity_key"] == "fiction_certificate_issued", "case_id"].nunique()
        ext[n] = (lg["activity_key"] == "fiction_certificate_extended").sum() / max(got, 1)
    assert max(ext, key=ext.get) == "ABH-04" and ext["ABH-04"] > 1


def test_no_show_concentrated_in_abh07(net):
    rate = {n: (lg["activity_key"] == "appointment_no_show").sum() / (lg["activity_key"] == "appointment_scheduled").sum()
            for n, lg in net.logs.items()}
    assert rate["ABH-07"] > 2 * max(v for n, v in rate.items() if n != "ABH-07")


def test_team_shortage_ages_that_teams_queue_only():
    # ABH-03 keeps its team per case in the milestone export; compare appearance -> completeness by team
    for name, team in (("ABH-03", "Team Erwerb"), ("ABH-07", "Team A-K")):
        cfg = next(o for o in __import__("procmine.synth", fromlist=["default_offices"]).default_offices()
                   if o.name == name)
        run = simulate_office(cfg, N, 21, 20260101, SHOCK)
        ev = run.events
        a = ev[ev["key"] == "appearance_completed"].groupby("case_idx")["end"].first()
        b = ev[ev["key"] == "completeness_checked"].groupby("case_idx")["end"].first()
        w = ((b - a).dropna() / 1440)
        by_team = w.groupby(run.cases.set_index("idx")["team"].reindex(w.index)).median()
        assert by_team[team] > 7
        assert all(v < 3 for t, v in by_team.items() if t != team)


def test_security_outage_holds_inquiries(net):
    truth = net.truth["offices"]["ABH-06"]["patterns"][0]
    start = pd.Timestamp(truth["params"]["outage_start"], tz="Europe/Berlin")
    end = pd.Timestamp(truth["params"]["outage_end"], tz="Europe/Berlin")
    log = net.logs["ABH-06"]
    req = _first(log, "security_check_requested")
    w = _wait_days(log, "security_check_requested", "security_check_completed")
    inside = w[(req.reindex(w.index) >= start) & (req.reindex(w.index) < end)]
    outside = w[req.reindex(w.index) < start - pd.Timedelta(days=60)]
    assert len(inside) >= 5
    assert inside.median() > 2 * outside.median()
    # completions pile up right after the outage ends (the backlog is released over ``release_days``
    # working days, i.e. within release_days · 7/5 + 4 calendar days)
    done = _first(log, "security_check_completed")
    span = pd.Timedelta(days=truth["params"]["release_days"] * 7 / 5 + 4)
    assert ((done >= end - pd.Timedelta(days=1)) & (done < end + span)).sum() >= 0.8 * len(inside)


def test_visa_consent_queue_and_priority_starvation(net):
    def remedy_share(log: pd.DataFrame, ctype: str) -> float:
        sel = log[log["case_type"] == ctype]
        return sel.loc[sel["activity_key"] == "legal_remedy_filed", "case_id"].nunique() / max(sel["case_id"].nunique(), 1)

    visa = {n: remedy_share(lg, "VISA_CONSENT") for n, lg in net.logs.items()}
    assert max(visa, key=visa.get) == "ABH-09" and visa["ABH-09"] > 0.25


def test_policy_shock_shifts_case_mix_everywhere(net):
    when = pd.Timestamp(net.truth["policy_shock"]["date"], tz="Europe/Berlin")
    ratios = []
    for log in net.logs.values():
        rec = log[log["activity_key"] == "application_received"]
        before = (rec.loc[rec["end"] < when, "case_type"] == "AE_EMP").mean()
        after = (rec.loc[rec["end"] >= when, "case_type"] == "AE_EMP").mean()
        ratios.append(after / before)
    assert np.median(ratios) > 1.4


def test_truth_lists_what_was_planted(net):
    offices = net.truth["offices"]
    assert {n: [p["number"] for p in o["patterns"]] for n, o in offices.items()} == ALLOCATION
    for name, o in offices.items():
        log = net.logs[name]
        labels = set(log["activity"].astype(str))
        assert [p["primary"] for p in o["patterns"]] == [True] + [False] * (len(o["patterns"]) - 1)
        for p in o["patterns"]:
            assert (p["key"], p["kind"]) == PATTERNS[p["number"]]
            if p["from_key"]:
                assert p["from_activity"] in labels and p["to_activity"] in labels
        assert set(o["defects"]) == {"empty_case_id", "bad_timestamp", "duplicate_row"}
        assert all(v > 0 for v in o["defects"].values())
        assert o["personal_columns"] and all(c in net.exports[name].table.columns for c in o["personal_columns"])
    assert offices["ABH-03"]["patterns"][1]["team"] == "Team Erwerb"
    assert offices["ABH-07"]["patterns"][0]["team"] == "Team A-K"
    assert net.truth["policy_shock"]["case_type"] == "AE_EMP" and net.truth["policy_shock"]["factor"] == 1.8


def test_defects_are_extra_rows_and_source_rows_point_at_the_event(net):
    exp = net.exports["ABH-02"]
    d = exp.defects
    assert len(exp.table) == len(exp.log) + sum(d.values())
    assert (exp.table["Vorgangsnummer"] == "").sum() == d["empty_case_id"]
    assert (exp.table["Ende"] == "31.02.2025 10:15").sum() == d["bad_timestamp"]
    row = exp.log.iloc[17]
    src = exp.table.iloc[int(row["source_row"]) - 2]  # header is row 1
    assert src["Vorgangsnummer"] == row["case_id"] and src["Tätigkeit"] == row["activity"]


@pytest.mark.parametrize("number", sorted(PATTERNS))
def test_every_pattern_can_be_planted(number):
    cfg = _office(patterns=[PlantedPattern(number)])
    if number == 12:
        cfg.staff["Team Einreise"] = 5
    res = simulate_network(cases_per_office=150, months=8, seed=11, offices=[cfg])
    schema.validate(res.logs["TEST"])
    entry = res.truth["offices"]["TEST"]["patterns"][0]
    assert entry["number"] == number and entry["primary"] is True


def test_weekly_batching_puts_decisions_on_one_weekday():
    cfg = _office(patterns=[PlantedPattern(14, {"weekday": 1})])
    run = simulate_office(cfg, 300, 8, 5, SHOCK)
    dec = run.events.loc[run.events["key"] == "decision_approved", "end"]
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(dec // 1440, unit="D")
    assert len(dec) > 50 and set(days.dt.day_of_week) == {1}


def test_demo_files_cp1252_and_truth(tmp_path):
    man = generate_demo(tmp_path, cases_per_office=60, months=4, seed=3)
    assert sorted(man.exports) == [f"ABH-0{i}" for i in range(1, 10)]
    assert all(p.is_file() for p in man.exports.values())
    raw = man.exports["ABH-02"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert text.startswith("Vorgangsnummer;Verfahrensart;Tätigkeit;Beginn;Ende;")
    assert "\r\n" in text and "Gebühr" in text and "Vollständigkeitsprüfung" in text
    assert any(f";{v};" in text for v in ("93,00", "100,00", "147,00", "67,00", "29,00"))
    truth = json.loads(man.truth.read_text(encoding="utf-8"))
    assert truth["offices"]["ABH-04"]["file"] == "ABH-04.xlsx"
    assert man.exports["ABH-04"].read_bytes()[:2] == b"PK"


def test_xes_export_round_trips_timestamps(net, tmp_path):
    exp = net.exports["ABH-01"]
    path = write_export(exp, tmp_path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    ok = df[(df["case:concept:name"] != "") & ~df["time:timestamp"].str.startswith("2025-02-31")]
    ok = ok.drop_duplicates()
    ts = pd.to_datetime(ok["time:timestamp"], utc=True, format="ISO8601")
    assert sorted(ts) == sorted(exp.log["end"])
