"""Queues and backlog: arrivals, completions and work in progress over time, open-case ages,
queue growth (OLS trend with a 95 % interval) and a Little's-law check on the data.

A case *arrives* at its first instant and *completes* at its last event when it is closed. With
catalogue keys, a case is closed when it holds one of ``CLOSING_KEYS``; without keys (real logs)
a case is closed when its last activity is one of the log's usual end activities (those that end
at least ``end_share`` of all cases) — an estimate, marked in ``CaseSpans.closed_rule``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from procmine.analyse.time import case_codes, has_keys, in_values, label_codes, same_case_as_previous, to_local_wall
from procmine.catalogue import INACTION_DAYS
from procmine.eventlog import LogLike, as_frame
from procmine.schema import ACTIVITY, ACTIVITY_KEY, CASE_ID, CASE_TYPE, END, OFFICE, START, TEAM, codes_of

CLOSING_KEYS = frozenset({"case_closed", "case_transferred_out", "application_withdrawn"})
AGE_BANDS = ("< 1 Monat", "1–3 Monate", "> 3 Monate")  # user-facing band labels (DOMAIN §7.5)
DAY_S = 86400.0


@dataclass(frozen=True)
class CaseSpans:
    """One row per case (case_id, case_type, office, team, start, end, closed) and how
    ``closed`` was decided ("keys" or "end_activities (estimate)"); ``as_of`` = end of the log."""

    cases: pd.DataFrame
    closed_rule: str
    as_of: pd.Timestamp


def dominant_codes(case: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per case the value code seen on most of its rows (ties: the value that appears first in the
    case), on integer codes; rows with a negative value code are ignored. Returns (case, value)."""
    ok = value >= 0
    if not ok.any():
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    width = int(value[ok].max()) + 1
    pair_codes, pairs = pd.factorize(case[ok].astype(np.int64) * width + value[ok])  # pairs in order of appearance
    counts = np.bincount(pair_codes, minlength=len(pairs))
    pair_case, pair_value = pairs // width, pairs % width
    order = np.lexsort((np.arange(len(pairs)), -counts, pair_case))
    first = np.r_[True, pair_case[order][1:] != pair_case[order][:-1]]
    pick = order[first]
    return pair_case[pick], pair_value[pick]


def dominant_team(log: LogLike) -> pd.Series:
    """Team that handled most events of each case (ties: first in order), indexed by case code."""
    log = as_frame(log)
    if TEAM not in log.columns or log[TEAM].isna().all():
        return pd.Series(pd.NA, index=pd.Index(np.unique(case_codes(log))), dtype="object")
    codes = case_codes(log)
    team = log[TEAM]
    if isinstance(team.dtype, pd.CategoricalDtype):
        team_codes, names = codes_of(team).astype(np.int64), np.asarray(team.cat.categories, dtype=object)
    else:
        team_codes, names = pd.factorize(team.astype("object"))
        names = np.asarray(names, dtype=object)
    case, value = dominant_codes(codes, team_codes)
    top = pd.Series(names[value], index=case, name="team")
    return top.reindex(np.unique(codes))


def case_spans(
    log: LogLike, closed: pd.Series | None = None, as_of: pd.Timestamp | None = None, end_share: float = 0.05
) -> CaseSpans:
    """Per case: first instant, last end, closed flag, dominant team; the basis of queue figures.

    ``closed`` may be passed in (a bool Series indexed by case_id, e.g. from the core statistics).

    >>> spans = case_spans(log)  # doctest: +SKIP
    >>> spans.cases.columns.tolist()  # doctest: +SKIP
    ['case_id', 'case_type', 'office', 'team', 'start', 'end', 'closed']
    """
    log = as_frame(log)
    codes = case_codes(log)
    first = ~same_case_as_previous(log)
    last = np.r_[first[1:], True] if len(log) else first
    end = pd.to_datetime(log[END], utc=True)
    begin = pd.to_datetime(log[START], utc=True).fillna(end) if START in log.columns else end
    g = pd.DataFrame({"code": codes, "begin": begin, "end": end}).groupby("code", sort=False)
    cols = [CASE_ID] + [c for c in (CASE_TYPE, OFFICE) if c in log.columns]
    out = log.loc[first, cols].astype("object")
    out.index = codes[first]
    out[TEAM] = dominant_team(log)
    out["start"] = g["begin"].min()
    out["end"] = g["end"].max()
    if closed is not None:
        rule = "given"
        out["closed"] = out[CASE_ID].map(closed).fillna(False).astype(bool)
    elif has_keys(log) and in_values(log[ACTIVITY_KEY], CLOSING_KEYS).any():
        rule = "keys"
        hit = in_values(log[ACTIVITY_KEY], CLOSING_KEYS)
        out["closed"] = pd.Series(hit).groupby(codes).any().reindex(out.index).to_numpy()
    else:
        rule = "end_activities (estimate)"
        last_act = log.loc[last, ACTIVITY].astype(str)
        shares = last_act.value_counts(normalize=True)
        ends = set(shares[shares >= end_share].index)
        flag = last_act.isin(ends).to_numpy()
        out["closed"] = pd.Series(flag, index=codes[last]).reindex(out.index).to_numpy()
    as_of = pd.Timestamp(as_of) if as_of is not None else (end.max() if len(end) else pd.NaT)
    return CaseSpans(out.reset_index(drop=True), rule, as_of)


def _period_starts(times: pd.Series, freq: str) -> np.ndarray | None:
    """Per instant the start of its local period (``datetime64[ns]``, NaT where missing), looked up
    per calendar day (a table over the log's days, not a conversion per row); None for sub-daily
    frequencies, whose periods a day table cannot hold."""
    try:
        off = pd.tseries.frequencies.to_offset(freq)
        if isinstance(off, pd.offsets.Tick) and pd.Timedelta(off) < pd.Timedelta(days=1):
            return None
    except ValueError:
        return None
    local = to_local_wall(times)
    days = local.astype("datetime64[D]")
    ok = ~np.isnat(days)
    out = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[ns]")
    if not ok.any():
        return out
    day_n = days[ok].astype(np.int64)
    lo = int(day_n.min())
    table_days = np.arange(lo, int(day_n.max()) + 1).astype("datetime64[D]")
    table = pd.DatetimeIndex(table_days).to_period(freq).start_time.to_numpy(dtype="datetime64[ns]")
    out[ok] = table[day_n - lo]
    return out


def _period_rows(
    times: pd.Series, groups: pd.Series, freq: str, na_label: object = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(period start per counted row, group code per counted row, group labels): the rows with an
    instant and (unless ``na_label`` names missing ones) a group; period = start of the local period."""
    per = _period_starts(times, freq)
    if per is None:  # sub-daily periods: convert per row
        local = pd.to_datetime(times, utc=True).dt.tz_convert("Europe/Berlin").dt.tz_localize(None)
        per = local.dt.to_period(freq).dt.start_time.to_numpy(dtype="datetime64[ns]")
    codes, labels = label_codes(groups, na=na_label)
    ok = ~np.isnat(per)
    if na_label is None:
        ok &= codes < len(labels) - 1
    return per[ok], codes[ok], labels


def _period_counts(times: pd.Series, groups: pd.Series, freq: str, na_label: object = None) -> pd.DataFrame:
    """Counts per (group, period) of the given instants; period = start of the local period.

    Rows whose group is missing are dropped, unless ``na_label`` names them."""
    per, codes, labels = _period_rows(times, groups, freq, na_label)
    per_codes, per_values = pd.factorize(per, sort=True)
    key = codes.astype(np.int64) * max(len(per_values), 1) + per_codes
    counts = np.bincount(key, minlength=0) if len(key) else np.zeros(0, dtype=np.int64)
    hit = np.flatnonzero(counts)
    idx = pd.MultiIndex.from_arrays(
        [pd.Index(labels[hit // max(len(per_values), 1)], name="group"),
         pd.Index(np.asarray(per_values)[hit % max(len(per_values), 1)], name="period")]
    )
    return pd.Series(counts[hit].astype(np.int64), index=idx, name="n")


def _flow_table(
    arr_t: pd.Series, arr_g: pd.Series, done_t: pd.Series, done_g: pd.Series, freq: str, na_label: object = None
) -> pd.DataFrame:
    """arrivals, completions and WIP at period end per group and period (gaps filled with 0), sorted
    by group and period: every group seen × every period from the first to the last seen."""
    cols = ["group", "period", "arrivals", "completions", "wip"]
    a_per, a_codes, a_labels = _period_rows(arr_t, arr_g, freq, na_label)
    d_per, d_codes, d_labels = _period_rows(done_t, done_g, freq, na_label)
    if not (len(a_per) or len(d_per)):
        return pd.DataFrame(columns=cols)
    # the groups seen on either side, sorted by name; each side's codes mapped onto them
    a_used, d_used = np.unique(a_codes), np.unique(d_codes)
    groups = np.unique(np.concatenate([a_labels[a_used], d_labels[d_used]]))

    def group_of(codes: np.ndarray, labels: np.ndarray, used: np.ndarray) -> np.ndarray:
        lookup = np.zeros(len(labels), dtype=np.int64)
        lookup[used] = np.searchsorted(groups, labels[used])
        return lookup[codes]

    a_group, d_group = group_of(a_codes, a_labels, a_used), group_of(d_codes, d_labels, d_used)
    seen = np.concatenate([a_per, d_per])
    periods = pd.period_range(seen.min(), seen.max(), freq=freq).start_time.to_numpy(dtype="datetime64[ns]")
    n_g, n_p = len(groups), len(periods)

    def table(per: np.ndarray, group: np.ndarray) -> np.ndarray:
        key = group.astype(np.int64) * n_p + np.searchsorted(periods, per)
        return np.bincount(key, minlength=n_g * n_p).astype(np.int64).reshape(n_g, n_p)

    arrivals, completions = table(a_per, a_group), table(d_per, d_group)
    wip = arrivals.cumsum(axis=1) - completions.cumsum(axis=1)
    return pd.DataFrame(
        {
            "group": np.repeat(groups, n_p),
            "period": np.tile(periods, n_g),
            "arrivals": arrivals.ravel(),
            "completions": completions.ravel(),
            "wip": wip.ravel(),
        }
    )


def office_flow(log: LogLike, freq: str = "W", spans: CaseSpans | None = None) -> pd.DataFrame:
    """Per office and period ("D" daily, "W" weekly, "M" monthly, local time): cases arrived,
    cases completed (closed) and work in progress (open cases) at the end of the period.

    >>> office_flow(log, "W").columns.tolist()  # doctest: +SKIP
    ['office', 'period', 'arrivals', 'completions', 'wip']
    """
    log = as_frame(log)
    spans = spans or case_spans(log)
    c = spans.cases
    off = c[OFFICE] if OFFICE in c.columns else pd.Series("office", index=c.index)
    done = c["closed"].to_numpy(dtype=bool)
    t = _flow_table(c["start"], off, c.loc[done, "end"], off[done], freq)
    return t.rename(columns={"group": OFFICE})


def step_flow(log: LogLike, freq: str = "W") -> pd.DataFrame:
    """Per step (activity) and period: arrivals in the step's queue (the case became ready for it:
    end of the previous event, or the step's own start for a first step), completions (ends of the
    step) and WIP at period end (cases waiting for or in the step).

    >>> step_flow(log, "D").columns.tolist()  # doctest: +SKIP
    ['activity', 'period', 'arrivals', 'completions', 'wip']
    """
    log = as_frame(log)
    same = same_case_as_previous(log)
    end = pd.to_datetime(log[END], utc=True)
    begin = pd.to_datetime(log[START], utc=True).fillna(end) if START in log.columns else end
    ready = end.shift(1).where(same).fillna(begin)
    ready = ready.where(ready <= end, end)
    t = _flow_table(ready, log[ACTIVITY], end, log[ACTIVITY], freq, na_label="nan")
    return t.rename(columns={"group": ACTIVITY})


def open_case_ages(
    log: LogLike, as_of: pd.Timestamp | None = None, by: str | None = None, spans: CaseSpans | None = None
) -> pd.DataFrame:
    """Open cases on ``as_of`` (default: end of the log) by age band (< 30 d, 30–90 d, > 90 d),
    optionally per ``by`` ("case_type", "team" or "office"). Columns: [by,] age_band, cases, share.

    >>> open_case_ages(log, by="case_type")  # doctest: +SKIP
    """
    log = as_frame(log)
    spans = spans or case_spans(log, as_of=as_of)
    as_of = pd.Timestamp(as_of) if as_of is not None else spans.as_of
    c = spans.cases
    c = c[(~c["closed"].astype(bool)) & (c["start"] <= as_of)]
    age = (as_of - c["start"]).dt.total_seconds() / DAY_S
    band = pd.cut(age, [-np.inf, 30, INACTION_DAYS, np.inf], right=False, labels=list(AGE_BANDS))
    keys = ([c[by].astype("object").fillna("unbekannt").rename(by)] if by else []) + [band.rename("age_band")]
    t = pd.Series(1, index=c.index).groupby(keys, observed=False).sum().rename("cases").reset_index()
    tot = t.groupby(by)["cases"].transform("sum") if by else t["cases"].sum()
    t["share"] = np.where(tot > 0, t["cases"] / np.where(tot > 0, tot, 1), np.nan)
    return t


@dataclass(frozen=True)
class QueueTrend:
    """OLS slope of WIP per week with its 95 % confidence interval; ``growing`` when the whole
    interval is above 0 (``shrinking`` when below)."""

    slope_per_week: float
    ci_low: float
    ci_high: float
    weeks: int
    mean_wip: float
    growing: bool
    shrinking: bool


@lru_cache(maxsize=256)  # the same few (p, df) pairs recur for every step and office
def _t_quantile(p: float, df: int) -> float:
    """Student-t quantile (scipy if present, else a Cornish-Fisher expansion, good to ~1e-3)."""
    try:
        from scipy.stats import t as student_t

        return float(student_t.ppf(p, df))
    except ImportError:  # pragma: no cover - scipy ships with pm4py
        from statistics import NormalDist

        z = NormalDist().inv_cdf(p)
        g1 = (z**3 + z) / 4
        g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
        g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
        return z + g1 / df + g2 / df**2 + g3 / df**3


def queue_trend(wip: pd.Series | np.ndarray, level: float = 0.95) -> QueueTrend:
    """Fit WIP = a + b·week by least squares over the given weekly WIP values (in order).

    >>> queue_trend([10, 12, 14, 16]).slope_per_week
    2.0
    """
    y = np.asarray(wip, dtype=float)
    y = y[~np.isnan(y)]
    n = len(y)
    if n < 3:
        return QueueTrend(np.nan, np.nan, np.nan, n, float(np.mean(y)) if n else np.nan, False, False)
    x = np.arange(n, dtype=float)
    xm, ym = x.mean(), y.mean()
    sxx = ((x - xm) ** 2).sum()
    b = ((x - xm) * (y - ym)).sum() / sxx
    resid = y - (ym + b * (x - xm))
    se = np.sqrt((resid**2).sum() / (n - 2) / sxx)
    q = _t_quantile(0.5 + level / 2, n - 2)
    lo, hi = b - q * se, b + q * se
    return QueueTrend(float(b), float(lo), float(hi), n, float(ym), bool(lo > 0), bool(hi < 0))


@dataclass(frozen=True)
class LittlesLaw:
    """Little's law over a window: mean WIP vs throughput × mean time in system.

    ``ratio`` = observed mean WIP / (throughput per day × mean days in system of the cases closed in
    the window). Far from 1 (outside ``tolerance``) the data are suspect: truncated cases, missing
    closing events, or a system far from steady state."""

    window_start: pd.Timestamp
    window_end: pd.Timestamp
    mean_wip: float
    throughput_per_day: float
    mean_time_in_system_days: float
    predicted_wip: float
    ratio: float
    consistent: bool


def littles_law_check(
    log: LogLike,
    window: tuple[pd.Timestamp, pd.Timestamp] | None = None,
    tolerance: float = 0.25,
    spans: CaseSpans | None = None,
) -> LittlesLaw:
    """Check WIP ≈ throughput × time in system on the log (default window: the middle 80 % of the
    log's period, avoiding the warm-up and cut-off edges).

    >>> littles_law_check(log).consistent  # doctest: +SKIP
    True
    """
    log = as_frame(log)
    spans = spans or case_spans(log)
    c = spans.cases
    lo_all, hi_all = c["start"].min(), spans.as_of
    if window is None:
        span = hi_all - lo_all
        window = (lo_all + 0.1 * span, lo_all + 0.9 * span)
    w0, w1 = pd.Timestamp(window[0]), pd.Timestamp(window[1])
    days = (w1 - w0).total_seconds() / DAY_S
    s = c["start"]
    e = c["end"].where(c["closed"].astype(bool), spans.as_of)
    overlap = (e.clip(upper=w1) - s.clip(lower=w0)).dt.total_seconds().clip(lower=0) / DAY_S
    mean_wip = float(overlap.sum() / days) if days > 0 else np.nan
    done = c["closed"].astype(bool) & (c["end"] >= w0) & (c["end"] < w1)
    thr = float(done.sum() / days) if days > 0 else np.nan
    tis = float(((c.loc[done, "end"] - c.loc[done, "start"]).dt.total_seconds() / DAY_S).mean()) if done.any() else np.nan
    pred = thr * tis
    ratio = mean_wip / pred if pred and pred > 0 else np.nan
    ok = bool(np.isfinite(ratio) and abs(ratio - 1) <= tolerance)
    return LittlesLaw(w0, w1, mean_wip, thr, tis, pred, float(ratio), ok)
