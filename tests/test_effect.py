"""Effect of a measure (issue 16): ITS + difference-in-differences + placebo on synthetic offices."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from procmine.compare.effect import (
    DID,
    HELPED,
    NO_EFFECT,
    NOT_ASSESSABLE,
    WORSE,
    evaluate_measure,
)
from procmine.compare.measures import pair_waits
from procmine.synth import (
    Intervention,
    clean_offices,
    parse_intervention,
    simulate_network,
)

PLANTED = -7.0
EAT = ("eAT-Bestellung", "eAT-Eingang Bundesdruckerei")  # labels of the de_events_csv export


@pytest.fixture(scope="module")
def planted_network() -> dict[str, pd.DataFrame]:
    """Five clean offices; ABH-R1 shortens the eAT production wait by 7 days from 2025-01-01."""
    offices = clean_offices(5)
    offices[0] = dataclasses.replace(offices[0], interventions=[Intervention("2025-01-01", "eat_ordered", "eat_received", PLANTED)])
    return simulate_network(cases_per_office=500, months=21, offices=offices).logs


def test_planted_intervention_is_recovered(planted_network: dict[str, pd.DataFrame]) -> None:
    res = evaluate_measure(planted_network, "ABH-R1", "2025-01-01", step=EAT)
    assert res.method == DID and len(res.controls) == 4
    assert res.headline is not None
    assert abs(res.headline.effect - PLANTED) <= 0.25 * abs(PLANTED)
    assert res.headline.ci_low <= PLANTED <= res.headline.ci_high
    assert res.verdict_code == HELPED and res.verdict == "hat geholfen"
    # the office's own series (ITS) sees the same jump
    assert res.its is not None and res.its.ci_high < 0
    d = res.to_dict()
    assert d["unit"] == "days" and d["verdict"] == "hat geholfen" and d["method"] == "difference_in_differences"
    assert {"effect", "ci_low", "ci_high", "placebo", "its", "did"} <= set(d)
    json.dumps(d)


def test_placebo_date_gives_no_effect(planted_network: dict[str, pd.DataFrame]) -> None:
    # half a year before the measure, with the default ±6-month window: nothing happened then
    res = evaluate_measure(planted_network, "ABH-R1", "2024-06-03", step=EAT)
    assert res.verdict_code in (NO_EFFECT, NOT_ASSESSABLE)
    assert res.headline is not None and res.headline.ci_low <= 0 <= res.headline.ci_high


def test_unknown_office_and_step_are_not_assessable(planted_network: dict[str, pd.DataFrame]) -> None:
    res = evaluate_measure(planted_network, "ABH-X", "2025-01-01")
    assert res.verdict_code == NOT_ASSESSABLE and res.verdict.startswith("nicht beurteilbar, weil")
    res = evaluate_measure(planted_network, "ABH-R1", "2025-01-01", step=("Gibt es nicht", "Auch nicht"))
    assert res.reason == "step_not_found" and "Gibt es nicht" in res.verdict
    res = evaluate_measure(planted_network, "ABH-R1", "2024-01-10", step=EAT)
    assert res.reason == "too_few_before"


def test_network_wide_shock_is_not_credited_to_one_office() -> None:
    """The demo's 2025-02 policy shock (all offices): no office's measure at that date gets the credit."""
    logs = simulate_network(cases_per_office=600, months=21).logs
    verdicts = {o: evaluate_measure(logs, o, "2025-02-01") for o in logs}
    assert all(v.verdict_code not in (HELPED, WORSE) for v in verdicts.values()), {o: v.headline for o, v in verdicts.items()}
    # the industrial office's own series jumps at the date; the comparison with the others explains it away
    r3 = verdicts["ABH-03"]
    assert r3.its is not None and r3.its.significant and r3.its.effect > 0
    assert "ganzen Netz" in r3.explanation


def test_pair_waits_hand_computed() -> None:
    # case a: A(0h) B(24h) A(48h) A(72h) B(120h) -> waits 1 day, and 2 days from the *last* repeated A
    # case b: B(0h) A(24h)                      -> no B after A: nothing
    t0 = pd.Timestamp("2025-01-01", tz="UTC")
    log = pd.DataFrame(
        {
            "case_id": pd.Categorical(["a"] * 5 + ["b"] * 2),
            "activity": ["A", "B", "A", "A", "B", "B", "A"],
            "end": [t0 + pd.Timedelta(hours=h) for h in (0, 24, 48, 72, 120, 0, 24)],
        }
    )
    from procmine.compare.measures import label_mask

    w = pair_waits(log, label_mask(log, ("A",)), label_mask(log, ("B",)))
    assert w["value"].tolist() == [1.0, 2.0]
    assert w["row"].tolist() == [0, 3]
    # from the directly preceding event into B: 1 day (A->B) and 2 days (A->B)
    w2 = pair_waits(log, None, label_mask(log, ("B",)))
    assert np.allclose(w2["value"], [1.0, 2.0])


def test_parse_intervention() -> None:
    office, m = parse_intervention("ABH-05:2025-04-01:eat_ordered→eat_received:-7")
    assert office == "ABH-05" and m.delta_days == -7.0 and m.from_key == "eat_ordered"
    with pytest.raises(ValueError):
        parse_intervention("ABH-05:2025-04-01:called→eat_received:-7")
