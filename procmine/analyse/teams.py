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

from procmine.analyse.queues import CaseSpans, case_spans
from procmine.analyse.time import (
    text_of,
    in_values,
    DEFAULT_CALENDAR,
    OfficeCalendar,
    case_codes,
    has_keys,
    same_case_as_previous,
    step_times,
    to_local_wall,
    working_seconds,
)
from procmine.catalogue import INACTION_DAYS
from procmine.schema import ACTIVITY_KEY, CASE_TYPE, END, RESOURCE, TEAM

OTHER_TEAMS = "Sonstige Teams"
MIN_TEAM_RESOURCES = 5
DECISION_KEYS = frozenset({"decision_approved", "decision_rejected"})
DAY_S = 86400.0


def team_groups(
    log: pd.DataFrame, min_resources: int = MIN_TEAM_RESOURCES, other_label: str = OTHER_TEAMS, suppress: bool = False
) -> pd.Series:
    """Per row: the team, with teams of fewer than ``min_resources`` distinct staff ids replaced by
    ``other_label`` (or by NA when ``suppress``). Rows without a team stay NA.

    >>> team_groups(log, min_resources=5).value_counts()  # doctest: +SKIP
    """
    if TEAM not in log.columns:
        return pd.Series(pd.NA, index=log.index, dtype="object")
    team = log[TEAM].astype("object")
    if RESOURCE in log.columns:
        size = log.groupby(log[TEAM].astype("object"), dropna=True)[RESOURCE].nunique()
    else:
        size = pd.Series(0, index=pd.Index(team.dropna().unique()))
    small = set(size[size < min_resources].index)
    is_small = team.isin(small).to_numpy()
    out = team.copy()
    out[is_small] = pd.NA if suppress else other_label
    return out


def _case_team(log: pd.DataFrame, teams: pd.Series) -> pd.Series:
    """Dominant (most events) merged team per case code."""
    codes = case_codes(log)
    counts = pd.DataFrame({"code": codes, "team": teams.to_numpy()}).dropna().value_counts(sort=True)
    return counts.reset_index().drop_duplicates("code").set_index("code")["team"]


def team_load(
    log: pd.DataFrame,
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
    cols = ["team", "events", "cases", "staff_ids", "events_per_staff", "service_working_h",
            "utilisation", "open_cases", "open_median_age_days", "open_over_90_days"]
    teams = team_groups(log, min_resources)
    if teams.isna().all():
        return pd.DataFrame(columns=cols)
    st = steps if steps is not None else step_times(log, calendar)  # callers that have them pass them
    frame = pd.DataFrame({"team": teams.to_numpy(), "svc": st["service_working_s"].to_numpy(),
                          "res": text_of(log[RESOURCE]) if RESOURCE in log.columns else None})
    g = frame.groupby("team")
    out = pd.DataFrame({"events": g.size(), "staff_ids": g["res"].nunique(), "service_working_h": g["svc"].sum(min_count=1) / 3600})
    end = pd.to_datetime(log[END], utc=True)
    period_work = float(working_seconds(pd.Series([end.min()]), pd.Series([end.max()]), calendar)[0])
    out["events_per_staff"] = out["events"] / out["staff_ids"].replace(0, np.nan)
    out["utilisation"] = out["service_working_h"] * 3600 / (out["staff_ids"].replace(0, np.nan) * period_work)
    spans = spans or case_spans(log)
    c = spans.cases.copy()
    codes_first = case_codes(log)[~same_case_as_previous(log)]  # same order as spans.cases
    ct = _case_team(log, teams).reindex(codes_first)
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


def _team_changes(log: pd.DataFrame, teams: pd.Series) -> np.ndarray:
    """True where a row's (known) team differs from the (known) team of the previous row of its case."""
    known = teams.notna().to_numpy(dtype=bool)
    codes = pd.factorize(teams)[0]  # -1 for NA
    change = np.zeros(len(codes), dtype=bool)
    change[1:] = codes[1:] != codes[:-1]
    prev_known = np.r_[False, known[:-1]]
    return same_case_as_previous(log) & known & prev_known & change


def team_handovers(log: pd.DataFrame, min_resources: int = MIN_TEAM_RESOURCES) -> pd.DataFrame:
    """Team-to-team directly-follows counts inside cases (only where the team changes):
    from_team, to_team, handovers, cases, share (of all hand-overs). Sorted by count.

    >>> team_handovers(log).head()  # doctest: +SKIP
    """
    cols = ["from_team", "to_team", "handovers", "cases", "share"]
    teams = team_groups(log, min_resources)
    ho = _team_changes(log, teams)
    prev = teams.shift(1)
    if not ho.any():
        return pd.DataFrame(columns=cols)
    t = pd.DataFrame({"from_team": prev.to_numpy()[ho], "to_team": teams.to_numpy()[ho], "code": case_codes(log)[ho]})
    g = t.groupby(["from_team", "to_team"])
    out = pd.DataFrame({"handovers": g.size(), "cases": g["code"].nunique()}).reset_index()
    out["share"] = out["handovers"] / out["handovers"].sum()
    return out.sort_values("handovers", ascending=False, ignore_index=True)[cols]


def handovers_per_case(log: pd.DataFrame, min_resources: int = MIN_TEAM_RESOURCES) -> pd.Series:
    """Number of team changes per case (indexed by case code; 0 where the team never changes)."""
    ho = _team_changes(log, team_groups(log, min_resources))
    return pd.Series(ho.astype(int)).groupby(case_codes(log)).sum()


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


def weekday_profile(log: pd.DataFrame, keys: frozenset[str] = DECISION_KEYS) -> WeekdayProfile:
    """Weekday pattern of decisions (batch processing days, pattern 14).

    >>> weekday_profile(log).top_weekday  # doctest: +SKIP
    1
    """
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


def monthly_arrivals(log: pd.DataFrame, spans: CaseSpans | None = None) -> pd.DataFrame:
    """New cases per local month and case type, with ``seasonal_index`` = the month's arrivals of
    that case type / its mean per month (1.0 = average; 2.0 = twice the usual; semester start,
    January wave). Columns: month, case_type, arrivals, seasonal_index.

    >>> monthly_arrivals(log)  # doctest: +SKIP
    """
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


def priority_starvation(log: pd.DataFrame, spans: CaseSpans | None = None) -> pd.DataFrame:
    """Time in system by case type vs the office overall (closed cases: start to close; open cases:
    age at the end of the log, counted too so an ageing type is not hidden). Columns: case_type,
    cases, open_cases, median_days, p90_days, median_ratio, p90_ratio (vs overall), open_over_90_days.

    >>> priority_starvation(log).sort_values("p90_ratio").tail(1)  # doctest: +SKIP
    """
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
