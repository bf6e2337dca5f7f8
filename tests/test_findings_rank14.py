"""Issue 14, the three ranking faults left over: who carries a wait's excess is said against the
finding's own norm; a team carrying most of a wait's own excess is its cause (synthetic, see
``test_findings_open14``); no finding claims more than its figure explains (``test_findings_issue14``).

Hand-made logs, hand-computed answers.
"""

from __future__ import annotations

import pytest
from test_findings_open14 import hand_office

from procmine.analyse.detectors.combine import detect_network_full
from procmine.analyse.model import Finding
from procmine.report.build import _finding_evidence

CHECKS = ("completeness_checked", "register_checked")  # no legal/usual norm: the typical office's median
CYCLE = (1.0, 2.0, 3.0, 2.0)


def _network() -> dict:
    """Three offices wait 1, 2, 3, 2, 1, 2, … days between the two checks (median 2, P90 3). Office X
    does the same, except every fifth case (0, 5, 10, 15) lies 30 days; teams alternate T, U."""
    team = lambda i: "T" if i % 2 == 0 else "U"  # noqa: E731
    ref = {f"R{k}": hand_office(f"R{k}", [(team(i), CYCLE[i % 4]) for i in range(20)]) for k in range(3)}
    x = hand_office("X", [(team(i), 30.0 if i % 5 == 0 else CYCLE[i % 4]) for i in range(20)])
    return {"X": x, **ref}


def _the_wait(fs: list[Finding]) -> Finding:
    (f,) = [f for f in fs if (f.from_key, f.to_key) == CHECKS]
    return f


def test_who_carries_the_excess_is_said_against_the_findings_norm() -> None:
    """Norm: the typical office's median, 2 days (not its P90 of 3 days, the old line). Over it in X: the
    four 30-day cases and the four cases of 3 days that are not among them (2, 6, 14, 18): 8 of 20 cases,
    40 %, on average (4 × 30 + 4 × 3) / 8 = 16.5 days. The evidence says "bei 40,0 % der Vorgänge über
    2,0 Tage", the share of ``cases_over_norm`` among the cases, beside the norm of 2 days."""
    res = detect_network_full(_network())
    f = _the_wait(res.findings["X"])
    ev = f.evidence
    assert f.norm == pytest.approx(2.0) and f.norm_basis == "network"
    assert ev["long_wait_days"] == pytest.approx(3.0)  # the typical office's P90, no longer the sentence's line
    assert ev["cases_over_norm"] == 8 and ev["cases"] == 20 and f.cases == 8
    assert ev["share_cases_over_norm"] == pytest.approx(0.4)
    assert f.value == pytest.approx(16.5)
    lines = [line.replace("\u00a0", " ") for line in _finding_evidence(f, 5)]
    assert "bei 40,0 % der Vorgänge über 2,0 Tage, bei den übrigen wie üblich" in lines, lines
    assert not [line for line in lines if "über 3,0 Tage" in line]


def test_no_minority_sentence_where_most_cases_exceed_the_norm() -> None:
    """More than half the cases over the norm: the whole step is slow, not a minority; no such sentence."""
    f = Finding(kind="waiting", pattern="waiting", value=9.0, unit="days", impact=100.0, cases=12, norm=2.0,
                norm_basis="network", from_activity="A", to_activity="B",
                evidence={"share_cases_over_norm": 0.6, "cases_over_norm": 12, "cases": 20, "norm_days": 2.0,
                          "share_long_waits": 0.2, "long_wait_days": 3.0, "rest_as_usual": True})
    assert not [line for line in _finding_evidence(f, 5) if "bei den übrigen" in line]


def test_team_share_counts_the_own_excess_not_what_every_office_has() -> None:
    """Three offices wait 1, 2, 3, 2, … days between the checks (norm: their median, 2 days; the typical
    office's mean excess over it: 0.25 per wait). In X, team T's ten cases wait as usual (excess 2.5 =
    10 × 0.25) and team U's wait a quarter day longer each (excess 4.5). Raw excess over the norm: U
    carries 4.5 / 7 = 64 %, under the 70 % that makes a wait a team's queue, although everything X adds
    is U's. Own excess (less 0.25 per wait): T 2.5 − 2.5 = 0, U 4.5 − 2.5 = 2: U carries all of it."""
    from procmine.analyse.detectors.base import Network, OfficeData
    from procmine.analyse.detectors.teams import TEAM_SHARE, fold_team_waits
    from procmine.analyse.detectors.waits import detect_waits

    t_waits = [1.0, 2.0, 3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 2.0, 2.5]
    u_waits = [w + 0.25 for w in t_waits]
    ref = {f"R{k}": hand_office(f"R{k}", [("T" if i % 2 == 0 else "U", CYCLE[i % 4]) for i in range(20)]) for k in range(3)}
    x = hand_office("X", [p for t, u in zip(t_waits, u_waits) for p in (("T", t), ("U", u))])
    logs = {"X": x, **ref}
    net = Network({n: OfficeData.build(n, lg) for n, lg in logs.items()})
    (f,) = [f for o, f in detect_waits(net) if o == "X" and (f.from_key, f.to_key) == CHECKS]
    assert f.norm == pytest.approx(2.0)
    assert 4.5 / 7 < TEAM_SHARE  # the raw share would have left the wait a plain wait
    assert f.evidence["carried_by_team"] == "U" and f.evidence["team_share_of_excess"] == pytest.approx(1.0)
    (t,) = fold_team_waits([f])
    assert (t.pattern, t.team, t.evidence["team_measure"]) == ("team_shortage", "U", "queue_wait_per_step")
