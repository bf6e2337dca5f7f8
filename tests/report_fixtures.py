"""A real analysis of small English-labelled event logs for the report tests (XES-style export with catalogue
keys): the charts, map levels and finding pages come from ``analyse_network``, not from hand-made results.
The hand-made analyses (``network``) live in conftest.py."""

from __future__ import annotations

import pandas as pd

from procmine.analyse.model import OfficeAnalysis

# --- a real analysis of two small English-labelled event logs (XES-style export with catalogue keys) ------

ENGLISH_STEPS = (
    ("Application received", "application_received", 0.0),
    ("Appointment requested", "appointment_requested", 1.0),
    ("Appointment scheduled", "appointment_scheduled", 20.0),
    ("Documents requested", "documents_requested", 5.0),
    ("Decision: approved", "decision_approved", 10.0),
    ("Case closed", "case_closed", 1.0),
)


def english_log(office: str, cases: int = 80, slow: float = 1.0, seed: int = 7) -> pd.DataFrame:
    """A canonical log: every case walks ENGLISH_STEPS (waits in days, times ``slow``, jittered); every 4th case
    is asked for documents twice; the last tenth is still open (no decision yet). Case ids ``<office>-c<i>``,
    staff ids ``<office>-r<i>`` (for the privacy test)."""
    import numpy as np

    from procmine import schema

    rng = np.random.default_rng(seed)
    n = len(ENGLISH_STEPS)
    case = np.repeat(np.arange(cases), n)
    step = np.tile(np.arange(n), cases)
    wait = np.array([w for _, _, w in ENGLISH_STEPS])[step] * slow * rng.uniform(0.5, 1.5, len(step))
    t0 = pd.Timestamp("2024-01-08 09:00", tz="Europe/Berlin")
    start_day = case * 3.0
    offset = pd.Series(wait).groupby(case).cumsum().to_numpy()
    end = t0 + pd.to_timedelta(start_day + offset, unit="D")
    df = pd.DataFrame({
        "case_id": [f"{office}-c{i}" for i in case],
        "activity": [ENGLISH_STEPS[s][0] for s in step],
        "activity_key": [ENGLISH_STEPS[s][1] for s in step],
        "end": end,
        "resource": [f"{office}-r{i % 6}" for i in case],
        "team": np.where(case % 2 == 0, "Team A-K", "Team L-Z"),
        "case_type": np.where(case % 3 == 0, "AE_EMP", "AE_EXT"),
    })
    df["start"] = df["end"] - pd.Timedelta(minutes=30)
    open_cases = case >= int(cases * 0.9)
    df = df[~(open_cases & (step >= 4))]
    again = df[(df["activity_key"] == "documents_requested") & (df["case_id"].str[-1].isin(list("048")))]
    again = again.assign(end=again["end"] + pd.Timedelta(days=4), start=again["start"] + pd.Timedelta(days=4))
    df = pd.concat([df, again], ignore_index=True)
    df["precision"] = "minute"
    df["office"] = office
    df["event_seq"] = range(len(df))
    df["source_file"] = f"{office}.csv"
    df["source_row"] = range(2, len(df) + 2)
    df["start"] = pd.to_datetime(df["start"], utc=True)
    df["end"] = pd.to_datetime(df["end"], utc=True)
    return schema.sort_log(schema.conform(df))


def english_network() -> list[OfficeAnalysis]:
    """Two offices of ``english_log``, the first twice as slow, analysed as a network (with findings)."""
    from procmine.analyse import analyse_network

    return analyse_network({"ABH-E": english_log("ABH-E", slow=2.0), "ABH-F": english_log("ABH-F", seed=8)})


def receipt_log():
    """The public receipt.csv (a Dutch municipality: English step names, no catalogue step) as a canonical log,
    with the raw table it came from."""
    from procmine import schema

    from conftest import PUBLIC_DATA

    raw = pd.read_csv(PUBLIC_DATA / "receipt.csv", dtype=str)
    log = schema.sort_log(schema.conform(pd.DataFrame({
        "case_id": raw["case:concept:name"], "activity": raw["concept:name"],
        "end": pd.to_datetime(raw["time:timestamp"], utc=True, format="ISO8601"), "resource": raw["org:resource"],
        "precision": "second", "office": "receipt", "event_seq": range(len(raw)), "source_file": "receipt.csv",
        "source_row": range(2, len(raw) + 2),
    })))
    return raw, log
