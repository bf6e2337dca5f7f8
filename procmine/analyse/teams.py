"""Teams and rhythm: load and utilisation per team (team level only, never a person), hand-overs
between teams, weekday batching of decisions, seasonal arrivals by case type, and priority
starvation between case types.

Privacy: a team with fewer than ``min_resources`` distinct staff ids (default 5) is merged into
"Sonstige Teams" (or suppressed with ``suppress=True``), so no figure points at one or two people.
A team whose size cannot be seen (no resource column) counts as small.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from procmine.analyse.queues import CaseSpans, case_spans, dominant_codes
from procmine.analyse.time import (
    DEFAULT_CALENDAR,
    OfficeCalendar,
    case_codes,
    has_keys,
    in_values,
    label_codes,
    same_case_as_previous,
    step_times,
    to_local_wall,
    working_seconds,
)
from procmine.catalogue import INACTION_DAYS
from procmine.eventlog import LogLike, as_frame
from procmine.schema import ACTIVITY_KEY, CASE_TYPE, END, RESOURCE, TEAM, codes_of

OTHER_TEAMS = "Sonstige Teams"
MIN_TEAM_RESOURCES = 5
DECISION_KEYS = frozenset({"decision_approved", "decision_rejected"})
DAY_S = 86400.0


def distinct_staff(group_codes: np.ndarray, n_groups: int, log: pd.DataFrame) -> np.ndarray:
    """Distinct (non-missing) staff ids per group code 0..n_groups-1, on integer codes (rows with a
    negative group code are ignored); zeros without a resource column."""
    if RESOURCE not in log.columns or not len(group_codes):
        return np.zeros(n_groups, dtype=np.int64)
    res_codes, res_labels = label_codes(log[RESOURCE], na=None)
    n_res = len(res_labels)
    ok = (group_codes >= 0) & (res_codes < n_res - 1)
    key = group_codes[ok].astype(np.int64) * n_res + res_codes[ok]
    if n_groups * n_res <= 50_000_000:  # a (group x staff id) table: cheaper than hashing every row
        seen = np.flatnonzero(np.bincount(key, minlength=n_groups * n_res))
    else:
        seen = pd.unique(key)
    return np.bincount(seen // n_res, minlength=n_groups)


def team_group_codes(
    log: LogLike, min_resources: int = MIN_TEAM_RESOURCES, other_label: str = OTHER_TEAMS, suppress: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """(codes, labels) of ``team_groups``: a code per row (-1 = no team, or suppressed) and the
    distinct merged team names; decided per team on integer codes, never per row as text."""
    log = as_frame(log)
    if TEAM not in log.columns:
        return np.full(len(log), -1, dtype=np.int64), np.array([], dtype=object)
    team = log[TEAM]
    if isinstance(team.dtype, pd.CategoricalDtype):
        codes = codes_of(team).astype(np.int64)
        cats = np.asarray(team.cat.categories, dtype=object)
    else:
        codes, uniques = pd.factorize(team)
        cats = np.asarray(uniques, dtype=object)
    n_t = len(cats)
    size = distinct_staff(codes, n_t, log)
    present = np.bincount(codes[codes >= 0], minlength=n_t) > 0
    small = present & (size < min_resources)
    names = cats.copy()
    names[small] = None if suppress else other_label
    keep = ~(small & suppress) & present
    merged_codes, labels = pd.factorize(pd.Series(np.where(keep, names, np.array(None, dtype=object)), dtype=object))
    per_cat = np.append(merged_codes, -1)
    return per_cat[np.where(codes < 0, n_t, codes)], np.asarray(labels, dtype=object)


def team_groups(
    log: LogLike, min_resources: int = MIN_TEAM_RESOURCES, other_label: str = OTHER_TEAMS, suppress: bool = False
) -> pd.Series:
    """Per row: the team, with teams of fewer than ``min_resources`` distinct staff ids replaced by
    ``other_label`` (or by NA when ``suppress``). Rows without a team stay NA.

    >>> team_groups(log, min_resources=5).value_counts()  # doctest: +SKIP
    """
    log = as_frame(log)
    if TEAM not in log.columns:
        return pd.Series(pd.NA, index=log.index, dtype="object")
    codes, labels = team_group_codes(log, min_resources, other_label, suppress)
    no_team = log[TEAM].isna().to_numpy()
    # the column's own missing value as an object (NaN or NA, depending on the column's dtype)
    na = log[TEAM].iloc[[int(np.argmax(no_team))]].astype("object").iloc[0] if no_team.any() else np.nan
    vals = np.append(labels, np.array([na], dtype=object))[np.where(codes < 0, len(labels), codes)]
    out = pd.Series(vals, index=log.index, dtype="object")
    suppressed = (codes < 0) & ~no_team
    if suppressed.any():
        out[suppressed] = pd.NA
    return out


def _case_team(log: pd.DataFrame, teams: pd.Series) -> pd.Series:
    """Dominant (most events) merged team per case code (ties: the team that appears first)."""
    team_codes, names = pd.factorize(teams)
    return _case_team_of_codes(log, team_codes, np.asarray(names, dtype=object))


def _case_team_of_codes(log: pd.DataFrame, team_codes: np.ndarray, names: np.ndarray) -> pd.Series:
    """``_case_team`` from integer team codes per row (-1 = none) and the name of each code."""
    case, value = dominant_codes(case_codes(log), team_codes)
    return pd.Series(names[value], index=case, name="team")


def team_load(
    log: LogLike,
    min_resources: int = MIN_TEAM_RESOURCES,
    calendar: OfficeCalendar = DEFAULT_CALENDAR,
    spans: CaseSpans | None = None,
    steps: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per (merged) team: events, cases (dominant team), distinct staff ids, events per staff id,
    recorded service hours (working time), utilisation = service working time / (staff ids × office
    working time of the log period) — NaN for completion-only logs, which carry no service time —
    and the open cases with their median age and count over 90 days (ageing work in one team).

    >>> team_load(log)  # doctest: +SKIP
    """
    log = as_frame(log)
    cols = ["team", "events", "cases", "staff_ids", "events_per_staff", "service_working_h",
            "utilisation", "open_cases", "open_median_age_days", "open_over_90_days"]
    codes, labels = team_group_codes(log, min_resources)
    if not (codes >= 0).any():
        return pd.DataFrame(columns=cols)
    st = steps if steps is not None else step_times(log, calendar)  # callers that have them pass them
    ok = codes >= 0
    g = pd.Series(st["service_working_s"].to_numpy()[ok]).groupby(codes[ok])  # integer team codes, not text
    out = pd.DataFrame({"events": g.size(), "staff_ids": distinct_staff(codes, len(labels), log)[g.size().index],
                        "service_working_h": g.sum(min_count=1) / 3600})
    out.index = pd.Index(labels[out.index.to_numpy()], name="team")
    out = out.sort_index(kind="stable")
    end = pd.to_datetime(log[END], utc=True)
    period_work = float(working_seconds(pd.Series([end.min()]), pd.Series([end.max()]), calendar)[0])
    out["events_per_staff"] = out["events"] / out["staff_ids"].replace(0, np.nan)
    out["utilisation"] = out["service_working_h"] * 3600 / (out["staff_ids"].replace(0, np.nan) * period_work)
    spans = spans or case_spans(log)
    c = spans.cases.copy()
    codes_first = case_codes(log)[~same_case_as_previous(log)]  # same order as spans.cases
    ct = _case_team_of_codes(log, codes, labels).reindex(codes_first)
    c["mteam"] = ct.to_numpy()
    out["cases"] = c.groupby("mteam").size()
    op = c[~c["closed"].astype(bool)]
    age = (spans.as_of - op["start"]).dt.total_seconds() / DAY_S
    ga = age.groupby(op["mteam"])
    out["open_cases"] = ga.size()
    out["open_median_age_days"] = ga.median()
    out["open_over_90_days"] = (age > INACTION_DAYS).groupby(op["mteam"]).sum()
    for col in ("cases", "open_cases", "open_over_90_days"):
        out[col] = out[col].fillna(0).astype(int)
    return out.rename_axis("team").reset_index()[cols]


def _team_changes(log: pd.DataFrame, teams: pd.Series | np.ndarray) -> np.ndarray:
    """True where a row's (known) team differs from the (known) team of the previous row of its case
    (``teams``: the team per row, or integer team codes with -1 for none)."""
    codes = teams if isinstance(teams, np.ndarray) else pd.factorize(teams)[0]  # -1 for NA
    known = codes >= 0
    change = np.zeros(len(codes), dtype=bool)
    change[1:] = codes[1:] != codes[:-1]
    prev_known = np.r_[False, known[:-1]]
    return same_case_as_previous(log) & known & prev_known & change


def team_handovers(log: LogLike, min_resources: int = MIN_TEAM_RESOURCES) -> pd.DataFrame:
    """Team-to-team directly-follows counts inside cases (only where the team changes):
    from_team, to_team, handovers, cases, share (of all hand-overs). Sorted by count.

    >>> team_handovers(log).head()  # doctest: +SKIP
    """
    log = as_frame(log)
    cols = ["from_team", "to_team", "handovers", "cases", "share"]
    codes, labels = team_group_codes(log, min_resources)  # integer codes, text only for hand-over rows
    ho = _team_changes(log, codes)
    if not ho.any():
        return pd.DataFrame(columns=cols)
    n_lab = len(labels)
    pair = np.r_[-1, codes[:-1]][ho].astype(np.int64) * n_lab + codes[ho]  # from-team code * n + to-team code
    handovers = np.bincount(pair, minlength=n_lab * n_lab)
    case_pairs = pd.unique(case_codes(log)[ho].astype(np.int64) * (n_lab * n_lab) + pair)  # distinct (case, pair)
    cases = np.bincount(case_pairs % (n_lab * n_lab), minlength=n_lab * n_lab)
    hit = np.flatnonzero(handovers)
    out = pd.DataFrame({"from_team": labels[hit // n_lab], "to_team": labels[hit % n_lab],
                        "handovers": handovers[hit].astype(np.int64), "cases": cases[hit].astype(np.int64)})
    out = out.sort_values(["from_team", "to_team"], kind="stable", ignore_index=True)
    out["share"] = out["handovers"] / out["handovers"].sum()
    return out.sort_values("handovers", ascending=False, ignore_index=True)[cols]


@dataclass(frozen=True)
class WeekdayProfile:
    """Share of decisions (or of all events without keys) per local weekday (0 = Monday), with a
    concentration measure: ``hhi`` = Σ share² over weekdays, ``concentration`` = (hhi − 1/k) /
    (1 − 1/k) for the k weekdays with any events (0 = even spread, 1 = all on one day)."""

    table: pd.DataFrame  # weekday, events, share
    events: int
    basis: str  # "decisions" or "all_events"
    top_weekday: int
    top_share: float
    hhi: float
    concentration: float


def weekday_profile(log: LogLike, keys: frozenset[str] = DECISION_KEYS) -> WeekdayProfile:
    """Weekday pattern of decisions (batch processing days, pattern 14).

    >>> weekday_profile(log).top_weekday  # doctest: +SKIP
    1
    """
    log = as_frame(log)
    if has_keys(log) and in_values(log[ACTIVITY_KEY], keys).any():
        hit = in_values(log[ACTIVITY_KEY], keys)
        basis = "decisions"
    else:
        hit = np.ones(len(log), dtype=bool)
        basis = "all_events"
    local = to_local_wall(log.loc[hit, END])
    wd = (local.astype("datetime64[D]").astype(np.int64) - 4) % 7  # 1970-01-01 was a Thursday
    counts = np.bincount(wd, minlength=7)
    n = int(counts.sum())
    share = counts / n if n else np.full(7, np.nan)
    table = pd.DataFrame({"weekday": np.arange(7), "events": counts, "share": share})
    k = int((counts > 0).sum())
    hhi = float((share**2).sum()) if n else np.nan
    conc = (hhi - 1 / k) / (1 - 1 / k) if k > 1 else (1.0 if k == 1 else np.nan)
    top = int(np.argmax(counts)) if n else -1
    return WeekdayProfile(table, n, basis, top, float(share[top]) if n else np.nan, hhi, float(conc))


def monthly_arrivals(log: LogLike, spans: CaseSpans | None = None) -> pd.DataFrame:
    """New cases per local month and case type, with ``seasonal_index`` = the month's arrivals of
    that case type / its mean per month (1.0 = average; 2.0 = twice the usual; semester start,
    January wave). Columns: month, case_type, arrivals, seasonal_index.

    >>> monthly_arrivals(log)  # doctest: +SKIP
    """
    log = as_frame(log)
    spans = spans or case_spans(log)
    c = spans.cases
    month = c["start"].dt.tz_convert("Europe/Berlin").dt.strftime("%Y-%m")
    ct = c[CASE_TYPE].astype("object").fillna("unbekannt") if CASE_TYPE in c.columns else pd.Series("alle", index=c.index)
    t = pd.DataFrame({"month": month, CASE_TYPE: ct}).value_counts().rename("arrivals")
    months = sorted(month.unique())
    full = pd.MultiIndex.from_product([months, sorted(ct.unique())], names=["month", CASE_TYPE])
    t = t.reindex(full, fill_value=0).reset_index()
    t["seasonal_index"] = t["arrivals"] / t.groupby(CASE_TYPE)["arrivals"].transform("mean")
    return t


def priority_starvation(log: LogLike, spans: CaseSpans | None = None) -> pd.DataFrame:
    """Time in system by case type vs the office overall (closed cases: start to close; open cases:
    age at the end of the log, counted too so an ageing type is not hidden). Columns: case_type,
    cases, open_cases, median_days, p90_days, median_ratio, p90_ratio (vs overall), open_over_90_days.

    >>> priority_starvation(log).sort_values("p90_ratio").tail(1)  # doctest: +SKIP
    """
    log = as_frame(log)
    spans = spans or case_spans(log)
    c = spans.cases
    closed = c["closed"].astype(bool)
    stop = c["end"].where(closed, spans.as_of)
    days = (stop - c["start"]).dt.total_seconds() / DAY_S
    ct = c[CASE_TYPE].astype("object").fillna("unbekannt") if CASE_TYPE in c.columns else pd.Series("alle", index=c.index)
    g = days.groupby(ct)
    out = pd.DataFrame(
        {
            "cases": g.size(),
            "open_cases": (~closed).groupby(ct).sum().astype(int),
            "median_days": g.median(),
            "p90_days": g.quantile(0.9),
            "open_over_90_days": ((~closed) & (days > INACTION_DAYS)).groupby(ct).sum().astype(int),
        }
    )
    out["median_ratio"] = out["median_days"] / days.median()
    out["p90_ratio"] = out["p90_days"] / days.quantile(0.9)
    return out.rename_axis(CASE_TYPE).reset_index()[
        [CASE_TYPE, "cases", "open_cases", "median_days", "p90_days", "median_ratio", "p90_ratio", "open_over_90_days"]
    ]
