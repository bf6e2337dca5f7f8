"""Case-level measurements the network comparison is built from: waits between steps, rounds, shares.

Every KPI of the fair comparison, the topics, the trends and the effect of a measure is a mean of one value
per case (or per occurrence of a wait), so it can be standardised by case type, bootstrapped by resampling
cases, and cut by month. Waits are read from the canonical log's ``activity_key`` (the catalogue's keys),
so offices with different export labels are measured alike; a step named by its export labels
(``--step "A→B"``) is found by label in one office and by its key in the others.

All of it is vectorised over the sorted log (case_id, end, event_seq): no loop per case or per event.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from procmine import schema
from procmine.analyse.stats import case_durations

DAY_S = 86400.0
OVER_DAYS = 90.0  # the Untätigkeitsklage mark (§ 75 VwGO)

DAYS = "days"
SHARE = "share"
PER_CASE = "per_case"


@dataclass(frozen=True)
class Wait:
    """A wait from one of ``from_keys`` to the next of ``to_keys`` in the same case (days).

    ``from_keys`` None: from the event directly before the ``to_keys`` event (the time a step lay before it
    was done). A start event repeated before its end counts once, from the last repetition.
    """

    from_keys: tuple[str, ...] | None
    to_keys: tuple[str, ...]


@dataclass(frozen=True)
class KpiDef:
    """One case-level KPI: how it is measured, its unit, and which steps an export must show for it."""

    key: str
    unit: str
    wait: Wait | None = None  # a wait (per occurrence; per case the mean)
    count_keys: tuple[str, ...] = ()  # per case: how often these steps happen
    share_keys: tuple[str, ...] = ()  # per case: 1 if any of these happens, 0 otherwise
    among_keys: tuple[str, ...] = ()  # only cases with one of these steps count (the denominator)
    needs_repeats: bool = False  # counts repetitions: a milestone export cannot show them
    comparable: bool = True  # False: depends on how detailed the export is (never ranked)


KPIS: dict[str, KpiDef] = {
    k.key: k
    for k in (
        KpiDef("cycle_time_days", DAYS),
        KpiDef("over_90_share", SHARE),
        KpiDef("appointment_wait_days", DAYS, wait=Wait(("appointment_requested",), ("checked_in", "called", "appearance_completed", "appointment_no_show"))),
        KpiDef("document_rounds", PER_CASE, count_keys=("documents_requested",), among_keys=("completeness_checked", "documents_requested"), needs_repeats=True),
        KpiDef("ba_consent_days", DAYS, wait=Wait(("ba_consent_requested",), ("ba_consent_granted", "ba_consent_deemed", "ba_consent_refused"))),
        KpiDef("security_check_days", DAYS, wait=Wait(("security_check_requested",), ("security_check_completed",))),
        KpiDef("card_handover_days", DAYS, wait=Wait(("eat_received",), ("eat_handed_over",))),
        KpiDef("no_show_share", SHARE, share_keys=("appointment_no_show",), among_keys=("appointment_scheduled", "appointment_requested")),
        KpiDef("decision_wait_days", DAYS, wait=Wait(None, ("decision_approved", "decision_rejected"))),
        KpiDef("steps_per_case", PER_CASE, comparable=False),
    )
}
# topics of the best-practice view -> KPI key (the order is the report's)
TOPICS: dict[str, str] = {
    "appointment_wait": "appointment_wait_days",
    "document_rounds": "document_rounds",
    "ba_consent": "ba_consent_days",
    "security_check": "security_check_days",
    "card_handover": "card_handover_days",
    "no_shows": "no_show_share",
    "decisions": "decision_wait_days",
}


def kpi_keys_needed(kpi: KpiDef) -> tuple[str, ...]:
    """The activity keys an export must carry for ``kpi`` (empty: any log can measure it)."""
    keys: tuple[str, ...] = ()
    if kpi.wait is not None:
        keys = (*(kpi.wait.from_keys or ()), *kpi.wait.to_keys)
    return (*keys, *kpi.count_keys, *kpi.share_keys)


def _keys(log: pd.DataFrame) -> np.ndarray:
    """The activity key of every event as text ('' where unknown)."""
    if schema.ACTIVITY_KEY not in log.columns:
        return np.full(len(log), "", dtype=object)
    return log[schema.ACTIVITY_KEY].astype("object").fillna("").to_numpy(dtype=object)


def _case_codes(log: pd.DataFrame) -> np.ndarray:
    """Position of each event's case among the log's cases (0, 1, … in log order, as ``case_durations``)."""
    col = log[schema.CASE_ID]
    codes = schema.codes_of(col) if isinstance(col.dtype, pd.CategoricalDtype) else pd.factorize(col)[0]
    if not len(codes):
        return np.zeros(0, dtype=np.int64)
    return np.r_[0, np.cumsum(codes[1:] != codes[:-1])].astype(np.int64)


def _end_s(log: pd.DataFrame) -> np.ndarray:
    """Event end times in seconds since the epoch (float)."""
    return log[schema.END].to_numpy(dtype="datetime64[us]").astype(np.int64) / 1e6


def pair_waits(log: pd.DataFrame, from_mask: np.ndarray | None, to_mask: np.ndarray) -> pd.DataFrame:
    """Every wait from a ``from_mask`` event to the next ``to_mask`` event of the same case.

    Returns one row per wait: ``row`` (position of the start event), ``case`` (case code), ``t`` (start time,
    seconds since the epoch), ``value`` (days). ``from_mask`` None: the event directly before each
    ``to_mask`` event. A start event repeated before the end event counts once (from the last repetition).
    """
    n = len(log)
    case = _case_codes(log)
    end = _end_s(log)
    idx = np.arange(n)
    if from_mask is None:
        j = idx[1:][to_mask[1:]]
        i = j - 1
        keep = case[i] == case[j]
        i, j = i[keep], j[keep]
    else:
        # first "to" strictly after each event, and the next "from" strictly after it (vectorised scans)
        next_to = np.minimum.accumulate(np.where(to_mask, idx, n)[::-1])[::-1]
        next_to = np.append(next_to[1:], n)
        next_from = np.minimum.accumulate(np.where(from_mask, idx, n)[::-1])[::-1]
        next_from = np.append(next_from[1:], n)
        i = idx[from_mask & (next_to < n)]
        j = next_to[i]
        keep = (case[j] == case[i]) & ~((next_from[i] < j) & (case[np.minimum(next_from[i], n - 1)] == case[i]))
        i, j = i[keep], j[keep]
    return pd.DataFrame({"row": i, "case": case[i], "t": end[i], "value": (end[j] - end[i]) / DAY_S})


def key_mask(log: pd.DataFrame, keys: tuple[str, ...]) -> np.ndarray:
    """Events whose activity key is one of ``keys``."""
    return np.isin(_keys(log), list(keys))


def label_mask(log: pd.DataFrame, labels: tuple[str, ...]) -> np.ndarray:
    """Events whose activity label (as in the export) is one of ``labels``."""
    return np.isin(log[schema.ACTIVITY].astype("object").to_numpy(dtype=object), list(labels))


def case_table(log: pd.DataFrame) -> pd.DataFrame:
    """One row per case (in the log's case order): case, case_type, start (s), end (s), closed, age_d,
    duration_d, events."""
    cd = case_durations(log)
    start = cd["start"].to_numpy(dtype="datetime64[us]").astype(np.int64) / 1e6
    return pd.DataFrame(
        {
            "case": np.arange(len(cd), dtype=np.int64),
            "case_type": cd["case_type"].astype("object").fillna("").astype(str).to_numpy() if len(cd) else np.array([], dtype=object),
            "start": start,
            "closed": cd["closed"].to_numpy(dtype=bool),
            "duration_d": cd["duration_s"].to_numpy(dtype=float) / DAY_S,
            "age_d": cd["age_s"].to_numpy(dtype=float) / DAY_S,
            "events": cd["events"].to_numpy(dtype=float),
        }
    )


def case_measures(log: pd.DataFrame) -> pd.DataFrame:
    """One row per case: ``case_type``, ``start`` (s), and one column per KPI of ``KPIS`` (NaN where the
    case does not have the step the KPI measures; waits averaged per case)."""
    cases = case_table(log)
    n_cases = len(cases)
    case = _case_codes(log)
    keys = _keys(log)
    out = pd.DataFrame({"case_type": cases["case_type"], "start": cases["start"]})
    out["cycle_time_days"] = np.where(cases["closed"], cases["duration_d"], np.nan)
    out["over_90_share"] = (np.where(cases["closed"], cases["duration_d"], cases["age_d"]) > OVER_DAYS).astype(float)
    out["steps_per_case"] = cases["events"].to_numpy(dtype=float)
    for kdef in KPIS.values():
        if kdef.key in out.columns:
            continue
        if kdef.wait is not None:
            fm = None if kdef.wait.from_keys is None else np.isin(keys, list(kdef.wait.from_keys))
            w = pair_waits(log, fm, np.isin(keys, list(kdef.wait.to_keys)))
            sums = np.bincount(w["case"].to_numpy(), weights=w["value"].to_numpy(), minlength=n_cases)
            cnt = np.bincount(w["case"].to_numpy(), minlength=n_cases)
            out[kdef.key] = np.where(cnt > 0, sums / np.maximum(cnt, 1), np.nan)
            continue
        among = np.bincount(case[np.isin(keys, list(kdef.among_keys))], minlength=n_cases) > 0
        hits = np.bincount(case[np.isin(keys, list(kdef.count_keys or kdef.share_keys))], minlength=n_cases)
        value = hits.astype(float) if kdef.count_keys else (hits > 0).astype(float)
        out[kdef.key] = np.where(among, value, np.nan)
    return out


def observations(
    log: pd.DataFrame,
    kpi: str = "cycle_time_days",
    step: tuple[str, str] | None = None,
    step_keys: tuple[str | None, str | None] = (None, None),
) -> pd.DataFrame:
    """Values of a KPI with the moment each belongs to: columns ``case_type``, ``t`` (seconds since the epoch),
    ``value``.

    A wait has one value per occurrence, at the moment it started; a per-case KPI one value per case, at the
    case's start. ``step`` (export labels ``(A, B)``): the wait from A to the next B; where the log has no
    such label, the wait between the activity keys ``step_keys`` is taken instead (another office's export).
    """
    cases = case_table(log)
    if step is not None:
        labels = log[schema.ACTIVITY].astype("object").to_numpy(dtype=object)
        if np.isin(labels, [step[0]]).any() and np.isin(labels, [step[1]]).any():
            fm, tm = label_mask(log, (step[0],)), label_mask(log, (step[1],))
        elif step_keys[0] and step_keys[1]:
            fm, tm = key_mask(log, (step_keys[0],)), key_mask(log, (step_keys[1],))
        else:
            return pd.DataFrame({"case_type": [], "t": [], "value": []})
        w = pair_waits(log, fm, tm)
        return pd.DataFrame({"case_type": cases["case_type"].to_numpy()[w["case"].to_numpy()], "t": w["t"], "value": w["value"]})
    kdef = KPIS[kpi]
    if kdef.wait is not None:
        keys = _keys(log)
        from_mask = None if kdef.wait.from_keys is None else np.isin(keys, list(kdef.wait.from_keys))
        w = pair_waits(log, from_mask, np.isin(keys, list(kdef.wait.to_keys)))
        return pd.DataFrame({"case_type": cases["case_type"].to_numpy()[w["case"].to_numpy()], "t": w["t"], "value": w["value"]})
    if kpi == "cycle_time_days":  # the case table alone (no other KPI needed)
        v = np.where(cases["closed"], cases["duration_d"], np.nan)
        ok = ~np.isnan(v)
        return pd.DataFrame({"case_type": cases["case_type"].to_numpy()[ok], "t": cases["start"].to_numpy()[ok], "value": v[ok]})
    per_case = case_measures(log)
    v = per_case[kpi].to_numpy(dtype=float)
    ok = ~np.isnan(v)
    return pd.DataFrame({"case_type": per_case["case_type"].to_numpy()[ok], "t": per_case["start"].to_numpy()[ok], "value": v[ok]})


def step_keys_of(log: pd.DataFrame, step: tuple[str, str]) -> tuple[str | None, str | None]:
    """The activity keys the export labels of ``step`` map to in ``log`` (None where not mapped or absent)."""
    if schema.ACTIVITY_KEY not in log.columns:
        return None, None
    pairs = log[[schema.ACTIVITY, schema.ACTIVITY_KEY]].astype("object").dropna().drop_duplicates()
    found = dict(zip(pairs[schema.ACTIVITY], pairs[schema.ACTIVITY_KEY]))
    a, b = found.get(step[0]), found.get(step[1])
    return (str(a) if a else None), (str(b) if b else None)


def step_names(log: pd.DataFrame) -> np.ndarray:
    """Each event's step as comparable across exports: its catalogue key where known, else its label."""
    keys = _keys(log)
    labels = log[schema.ACTIVITY].astype("object").to_numpy(dtype=object)
    return np.where(keys != "", keys, labels)


def edge_pairs(log: pd.DataFrame) -> pd.DataFrame:
    """Every directly-follows pair of the log: ``case`` (case position), ``source``, ``target`` (step names,
    see ``step_names``), ``wait_days`` (end to end), ``t`` (seconds since the epoch of the source's end)."""
    if len(log) < 2:
        return pd.DataFrame({"case": [], "source": [], "target": [], "wait_days": [], "t": []})
    case = _case_codes(log)
    names = step_names(log)
    end = _end_s(log)
    same = case[1:] == case[:-1]
    return pd.DataFrame(
        {
            "case": case[:-1][same],
            "source": names[:-1][same],
            "target": names[1:][same],
            "wait_days": ((end[1:] - end[:-1]) / DAY_S)[same],
            "t": end[:-1][same],
        }
    )


def edge_table(pairs: pd.DataFrame, n_cases: int) -> pd.DataFrame:
    """Per edge (source, target): cases with it, share of all ``n_cases``, count, mean and median wait (days)."""
    if not len(pairs):
        return pd.DataFrame(columns=["source", "target", "cases", "share", "count", "mean_days", "median_days"])
    g = pairs.groupby(["source", "target"], sort=False)
    out = g.agg(cases=("case", "nunique"), count=("case", "size"), mean_days=("wait_days", "mean"), median_days=("wait_days", "median"))
    out["share"] = out["cases"] / max(n_cases, 1)
    return out.reset_index()
