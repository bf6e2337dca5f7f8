"""Issue 14, the last merge steps that could claim more than their figure explains: a deadline-share
finding folding spread waits, a starved case type folding its waits, weekly batching absorbing a wait,
a team merged with its case type's deadline; and a wait no team carries names none.

Hand-made findings and logs, hand-computed answers.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from test_findings_open14 import hand_office

from procmine.analyse.detectors import combine
from procmine.analyse.detectors.deadline_share import fold_spread_waits
from procmine.analyse.detectors.deadlines import fold_starved_waits
from procmine.analyse.model import Finding


def _wait(impact: float, frm: str, to: str = "decision_approved", **evidence: object) -> Finding:
    return Finding(kind="waiting", pattern="waiting", value=10.0, unit="days", impact=impact, cases=40,
                   from_activity=frm, to_activity=to, from_key=frm, to_key=to, norm=2.0, norm_basis="network",
                   evidence=dict(evidence))


def _spread(late_per_year: float, days_past: float) -> list[Finding]:
    """An office slow across the board: its deadline share claims 100 days of its own; three waits at
    three steps claim 150 each (none half of their 450)."""
    dl = Finding(kind="deadline", pattern="deadline_share", value=0.4, unit="share", impact=100.0, cases=40, norm=0.1,
                 evidence={"share_of_cases_in_late_case_types": 1.0,
                           "days_beyond_90_per_year": late_per_year * days_past})
    return [dl, _wait(150.0, "a"), _wait(150.0, "b"), _wait(150.0, "c")]


def test_spread_waits_raise_a_deadline_share_only_to_the_late_cases_days_past_the_limit() -> None:
    """20 late cases a year, 15 days past three months each: the share explains 20 × 15 = 300 case-days a
    year. The three waits (450) raise its own 100 to 300, not 450; they stay listed."""
    (f,) = fold_spread_waits(_spread(20.0, 15.0))
    assert f.impact == pytest.approx(300.0)
    assert [w["from_activity"] for w in f.evidence["waits_folded"]] == ["a", "b", "c"]
    assert [w["impact"] for w in f.evidence["waits_folded"]] == [150.0, 150.0, 150.0]
    # 20 × 30 = 600 days past the limit: the waits' 450 lie within, all of it claimed
    (g,) = fold_spread_waits(_spread(20.0, 30.0))
    assert g.impact == pytest.approx(450.0)


def _starved(days_per_year: float) -> list[Finding]:
    """Case type NE runs late on its own (own impact 80); two waits whose excess falls 90 % on NE
    (and only 40 % of their waits) claim 120 and 200."""
    dl = Finding(kind="deadline", pattern="priority_starvation", value=0.5, unit="share", impact=80.0, cases=30,
                 case_type="NE", norm=90.0, norm_basis="legal", evidence={"days_beyond_90_per_year": days_per_year})
    shares = {"NE": [0.9, 0.4], "AE_EXT": [0.1, 0.6]}
    return [dl, _wait(120.0, "a", excess_share_by_case_type=shares), _wait(200.0, "b", excess_share_by_case_type=shares)]


def test_starved_waits_raise_a_case_types_deadline_only_to_its_days_past_the_limit() -> None:
    """The type's 30 late cases a year lie 5 days past the limit on average: 150 case-days a year
    explained. The waits (320) raise the finding's own 80 to 150; with 12 days past (360) to all 320."""
    (f,) = fold_starved_waits(_starved(30 * 5.0))
    assert f.impact == pytest.approx(150.0)
    assert [w["impact"] for w in f.evidence["waits_of_starved_types"]] == [120.0, 200.0]
    (g,) = fold_starved_waits(_starved(30 * 12.0))
    assert g.impact == pytest.approx(320.0)


def _batching(events_per_year: float, extra: float, impact: float) -> Finding:
    return Finding(kind="batching", pattern="weekly_batching", value=0.6, unit="share", impact=impact, cases=100,
                   activity="decision_approved", activity_key="decision_approved", norm=0.2, norm_basis="network",
                   evidence={"events_per_year": events_per_year, "extra_wait_days_per_event": extra})


def test_a_wait_folded_into_weekly_batching_claims_no_more_than_the_batching_causes() -> None:
    """100 decisions a year, released once a week: (0.6 − 0.2) × 2.5 = 1 extra day each, 100 days a
    year. The wait received → approved, measured against a lower norm, claims 250: it is listed under the
    batching, which keeps its 100."""
    f = _batching(100.0, 1.0, 100.0)
    (b,) = combine._merge_wait_into_batching([f, _wait(250.0, "application_received")])
    assert b.impact == pytest.approx(100.0)
    assert [w["from_key"] for w in b.evidence["waits_into_step"]] == ["application_received"]
    assert combine.batching_explained(b) == pytest.approx(100.0)
    # a wait claiming less than the batching explains changes nothing either
    (c,) = combine._merge_wait_into_batching([f, _wait(60.0, "application_received")])
    assert c.impact == pytest.approx(100.0)


def test_weekly_batching_evidence_is_its_impact_per_event() -> None:
    """The hand network of ``test_findings.test_weekly_release_is_sized_by_the_wait_it_causes``: 70
    decisions, own excess wait 210 days (3 per decision) over the weekday formula's 150: 3 extra days per
    event, 70 events over the log's span."""
    from test_findings import _decision_office

    from procmine.analyse.findings import OfficeData

    logs = {n: _decision_office(n, n == "D") for n in "ABCD"}
    found = combine.detect_network(logs)
    (f,) = [f for f in found["D"] if f.pattern == "weekly_batching"]
    years = OfficeData.build("D", logs["D"]).years
    assert f.evidence["extra_wait_days_per_event"] == pytest.approx(3.0)
    assert f.evidence["events_per_year"] == pytest.approx(70 / years)
    assert f.evidence.get("impact_before_netting", f.impact) == pytest.approx(210.0 / years)


def test_team_merged_with_its_deadline_keeps_one_figure_and_its_own_impact() -> None:
    """Team U serves only case type NE (share 1.0). Its queue claims 90, NE's deadline 140: reported once,
    as the deadline (the larger) with the team named; its impact stays 140, not 90 + 140. The other way
    round (team 200) the team finding keeps 200 with the deadline's evidence."""
    def pair(team_impact: float) -> list[Finding]:
        team = Finding(kind="resource", pattern="team_shortage", value=9.0, unit="days", impact=team_impact, cases=50,
                       team="U", norm=4.0, evidence={"main_case_type": "NE", "main_case_type_share": 1.0})
        dl = Finding(kind="deadline", pattern="priority_starvation", value=0.5, unit="share", impact=140.0, cases=30,
                     case_type="NE", team="U", norm=90.0, evidence={"days_beyond_90_per_year": 150.0})
        return [team, dl]

    (d,) = combine._merge_team_into_deadline(pair(90.0))
    assert (d.pattern, d.team, d.impact) == ("priority_starvation", "U", 140.0)
    assert d.evidence["team_finding"]["main_case_type"] == "NE"
    (t,) = combine._merge_team_into_deadline(pair(200.0))
    assert (t.pattern, t.impact) == ("team_shortage", 200.0) and t.evidence["deadline_finding"]["days_beyond_90_per_year"] == 150.0


def test_a_wait_no_team_carries_names_no_team() -> None:
    """Three offices wait 1, 2, 3, 2, … days between the two checks (norm 2; the typical office's mean
    excess 0.25 per wait). In X, team T's ten cases wait 2 days (own excess 10 × (0 − 0.25) < 0) and ten
    cases without a team 30 days: the wait is X's, but no team has a positive own excess, so the evidence
    names no team and no share (it was NaN)."""
    from procmine.analyse.detectors.base import Network, OfficeData
    from procmine.analyse.detectors.waits import detect_waits

    cycle = (1.0, 2.0, 3.0, 2.0)
    ref = {f"R{k}": hand_office(f"R{k}", [("T" if i % 2 == 0 else "U", cycle[i % 4]) for i in range(20)]) for k in range(3)}
    x = hand_office("X", [("T", 2.0) if i % 2 == 0 else ("V", 30.0) for i in range(20)])
    x.loc[x["team"] == "V", ["team", "resource"]] = pd.NA  # the late cases carry no team
    logs = {"X": x, **ref}
    net = Network({n: OfficeData.build(n, lg) for n, lg in logs.items()})
    (f,) = [f for o, f in detect_waits(net) if o == "X" and (f.from_key, f.to_key) == ("completeness_checked", "register_checked")]
    assert f.value > f.norm and f.impact > 0
    assert "carried_by_team" not in f.evidence and "team_share_of_excess" not in f.evidence
    assert not [k for k, v in f.evidence.items() if isinstance(v, float) and math.isnan(v)]


def test_deadline_share_evidence_holds_the_late_cases_days_past_the_limit() -> None:
    """Three offices close all 40 cases in 12 days. X closes 30 in 12 days and 10 in 120 days (30 days
    past three months each): share 10 / 40 = 0.25, days past the limit 10 × 30 = 300, i.e. 7.5 per case,
    30 per late case, 300 / the log's years per year: the most that waits folded into it can claim."""
    from procmine.analyse.detectors.base import Network, OfficeData
    from procmine.analyse.detectors.deadline_share import detect_deadline_share

    logs = {f"R{k}": hand_office(f"R{k}", [("T", 10.0)] * 40) for k in range(3)}
    logs["X"] = hand_office("X", [("T", 118.0 if i % 4 == 0 else 10.0) for i in range(40)])
    net = Network({n: OfficeData.build(n, lg) for n, lg in logs.items()})
    (f,) = [f for o, f in detect_deadline_share(net) if o == "X"]
    ev, years = f.evidence, net.data["X"].years
    assert f.value == pytest.approx(0.25) and ev["cases_over_90_days"] == 10
    assert ev["days_beyond_90_per_case"] == pytest.approx(7.5) and ev["days_beyond_90_per_late_case"] == pytest.approx(30.0)
    assert ev["days_beyond_90_per_year"] == pytest.approx(300.0 / years)
    assert f.impact == pytest.approx(300.0 / years)  # the typical office has none past the limit
    assert combine.lateness_explained(f) == pytest.approx(300.0 / years)
