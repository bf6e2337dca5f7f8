"""The issue-5 office profile: where cases wait, why, and what would help, computed once per office.

``diagnose_office(log)`` calls the building blocks (``time``, ``queues``, ``visits``, ``external``,
``deadlines``, ``teams``, ``staffing``) with shared inputs (one ``CaseSpans``, one step-time table)
and returns an ``OfficeDiagnosis``: plain DataFrames and small frozen dataclasses the report and
results.json only format. Logs without catalogue activity keys (most real logs) still get the time,
queue and team figures; the key-based parts are empty and ``unavailable`` says why (reason codes,
phrased in German by the report).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from procmine.analyse.deadlines import (
    BA_81A_WAIT,
    FKV_COLUMNS,
    RECOGNITION_WAIT,
    FictionChurn,
    InactionRisk,
    fiction_churn,
    fkv_deadlines,
    fkv_of_rows,
    inaction_risk,
    monthly_deadline_table,
)
from procmine.analyse.external import (
    EXTERNAL_WAITS,
    BaConsentCheck,
    KeyedRows,
    ba_consent_check,
    card_age_bands,
    external_wait_summary,
    external_waits,
    waits_of_rows,
)
from procmine.analyse.queues import (
    LittlesLaw,
    QueueTrend,
    case_spans,
    littles_law_check,
    office_flow,
    open_case_ages,
    queue_trend,
    step_flow,
)
from procmine.analyse.staffing import StaffingAssumptions, StaffingResult, kgst_staffing
from procmine.analyse.teams import (
    MIN_TEAM_RESOURCES,
    WeekdayProfile,
    _case_team_of_codes,
    distinct_staff,
    monthly_arrivals,
    priority_starvation,
    team_group_codes,
    team_handovers,
    team_load,
    weekday_profile,
)
from procmine.analyse.time import (
    DEFAULT_CALENDAR,
    OfficeCalendar,
    case_codes,
    has_keys,
    label_codes,
    same_case_as_previous,
    step_times,
)
from procmine.analyse.visits import activity_repeats, case_rework, rework_concentration, rework_summary
from procmine.eventlog import LogLike, as_frame
from procmine.schema import ACTIVITY, ACTIVITY_KEY, CASE_TYPE, END, RESOURCE, TEAM

TRANSITIONS_TOP = 25  # transitions kept in the profile (the most frequent)
STEP_TREND_MIN_WEEKS = 8  # a step needs this many weeks of data for a queue trend


@dataclass(frozen=True)
class OfficeDiagnosis:
    """All issue-5 figures of one office (see module docstring); ``unavailable``: section -> reason codes."""

    time_basis: str  # "interval", "completion_only" or "mixed"
    keyed: bool  # the log carries catalogue activity keys
    calendar: OfficeCalendar
    # 1 time
    activity_times: pd.DataFrame  # activity, activity_key, events, time_basis, {service,waiting,gap}_{calendar,working}_{median,mean}_s
    transition_times: pd.DataFrame  # from, to, count, time_basis, waiting/gap medians (calendar + working seconds)
    # 2 queues
    closed_rule: str
    flow_weekly: pd.DataFrame  # period, arrivals, completions, wip
    step_queues: pd.DataFrame  # activity, weeks, arrivals, completions, mean_wip, last_wip, slope_per_week, ci_low, ci_high, growing
    open_ages: pd.DataFrame  # age_band, cases, share
    open_ages_by_case_type: pd.DataFrame  # case_type, age_band, cases, share
    wip_trend: QueueTrend
    littles_law: LittlesLaw
    # 3 rework
    rework: dict[str, float]
    rework_by_case_type: pd.DataFrame
    rework_by_team: pd.DataFrame  # small teams merged
    activity_repeats: pd.DataFrame
    # 4 external
    external_summary: pd.DataFrame  # wait, answered, open, median_days, p90_days, median_working_h, share_over_norm, open_over_norm, norm_days, basis, external, source
    ba_consent: BaConsentCheck
    uncollected_cards: pd.DataFrame  # age_band, cards, share
    waiting_by_party: pd.DataFrame  # wait_party, basis, calendar_s, working_s, share_calendar, share_working
    # 5 deadlines
    inaction: InactionRisk
    fkv_deadlines: pd.DataFrame
    fiction: FictionChurn
    deadline_monthly: pd.DataFrame
    # 6 teams and staffing
    team_load: pd.DataFrame
    team_handovers: pd.DataFrame
    weekday: WeekdayProfile
    seasonal: pd.DataFrame  # month, case_type, arrivals, seasonal_index
    starvation: pd.DataFrame
    staffing: StaffingResult | None
    unavailable: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _basis(s: pd.Series) -> str:
    """"interval", "completion_only", "mixed" (or "none" for no rows) of a time_basis column."""
    vals = set(s.dropna().unique())
    if not vals:
        return "none"
    return vals.pop() if len(vals) == 1 else "mixed"


def transition_times(steps: pd.DataFrame, top: int = TRANSITIONS_TOP) -> pd.DataFrame:
    """Per directly-follows pair (previous activity -> activity): count and median waiting (interval
    rows) and median gap (all rows), calendar and working seconds; the ``top`` most frequent pairs.

    Uses a ``step_times`` table; the first step of a case has no predecessor and is left out. The pairs
    are those of the one event order (completion order, ``stats`` module docstring), so each pair's
    count equals its process-map edge count, and the waits are clipped at 0 as the map's.
    """
    cols = ["from", "to", "count", "time_basis", "waiting_calendar_median_s", "waiting_working_median_s",
            "gap_calendar_median_s", "gap_working_median_s"]
    has_prev = steps["prev_activity"].notna().to_numpy(dtype=bool)
    if not has_prev.any():
        return pd.DataFrame(columns=cols)
    # group on integer pair codes (not per-row text); labels are looked up per pair afterwards
    prev_codes, prev_labels = label_codes(steps["prev_activity"])
    cur_codes, cur_labels = label_codes(steps[ACTIVITY])
    pair = prev_codes[has_prev].astype(np.int64) * len(cur_labels) + cur_codes[has_prev]
    metric_cols = ["waiting_calendar_s", "waiting_working_s", "gap_calendar_s", "gap_working_s"]
    frame = pd.DataFrame({c: steps[c].to_numpy()[has_prev] for c in metric_cols})
    frame["interval"] = (steps["time_basis"] == "interval").to_numpy(dtype=bool)[has_prev]
    g = frame.groupby(pair, sort=False)
    med = g[metric_cols].median()
    med.columns = [c.replace("_s", "_median_s") for c in med.columns]
    share = g["interval"].mean()
    out = pd.DataFrame({"count": g.size()}).join(med)
    out["time_basis"] = np.where(share >= 1.0, "interval", np.where(share <= 0.0, "completion_only", "mixed"))
    keys = out.index.to_numpy(dtype=np.int64)
    out.insert(0, "from", prev_labels[keys // len(cur_labels)])
    out.insert(1, "to", cur_labels[keys % len(cur_labels)])
    out = out.reset_index(drop=True).sort_values(["count", "from", "to"], ascending=[False, True, True], kind="stable")
    return out.head(top).reset_index(drop=True)[cols]


def step_queue_summary(flow: pd.DataFrame, min_weeks: int = STEP_TREND_MIN_WEEKS) -> pd.DataFrame:
    """Per step of a weekly ``step_flow`` table: totals, mean and last WIP and the WIP trend
    (slope per week with its 95 % interval; one fit per activity, not per case)."""
    cols = ["activity", "weeks", "arrivals", "completions", "mean_wip", "last_wip", "slope_per_week", "ci_low",
            "ci_high", "growing", "shrinking"]
    if flow.empty:
        return pd.DataFrame(columns=cols)
    # the table comes sorted by activity and period: cut it into one block of rows per activity
    # (a few dozen) on plain arrays, without a pandas group object per activity
    acts = flow[ACTIVITY].to_numpy(dtype=object)
    order = np.argsort(acts, kind="stable")
    acts = acts[order]
    arrivals, completions, wip = (flow[c].to_numpy()[order] for c in ("arrivals", "completions", "wip"))
    cuts = np.flatnonzero(acts[1:] != acts[:-1]) + 1
    rows = []
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(acts)]):  # one regression per activity
        w = wip[lo:hi]
        tr = queue_trend(w) if hi - lo >= min_weeks else queue_trend([])
        rows.append((acts[lo], hi - lo, int(arrivals[lo:hi].sum()), int(completions[lo:hi].sum()),
                     float(w.mean()), int(w[-1]), tr.slope_per_week, tr.ci_low, tr.ci_high, tr.growing, tr.shrinking))
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["mean_wip", "activity"], ascending=[False, True], kind="stable", ignore_index=True)


def _merged_case_teams(log: pd.DataFrame, min_resources: int) -> np.ndarray:
    """Per case (in case order) its dominant team after merging teams of < ``min_resources`` staff ids."""
    codes, labels = team_group_codes(log, min_resources)
    codes_first = case_codes(log)[~same_case_as_previous(log)]
    if not (codes >= 0).any():
        return np.full(len(codes_first), None, dtype=object)
    return _case_team_of_codes(log, codes, labels).reindex(codes_first).to_numpy(dtype=object)


def small_merged_teams(log: LogLike, min_resources: int = MIN_TEAM_RESOURCES) -> set[str]:
    """Team names that still have fewer than ``min_resources`` staff ids after merging (the merged
    "Sonstige Teams" group can stay small); their rows are left out of every team table."""
    log = as_frame(log)
    codes, labels = team_group_codes(log, min_resources)  # integer codes: no per-row text
    if not (codes >= 0).any():
        return set()
    used = np.bincount(codes[codes >= 0], minlength=len(labels)) > 0
    if RESOURCE not in log.columns:
        return set(labels[used])
    size = distinct_staff(codes, len(labels), log)
    return set(labels[used & (size < min_resources)])


def _drop_teams(df: pd.DataFrame | None, small: set[str], cols: tuple[str, ...]) -> pd.DataFrame | None:
    """Rows of a team table without the teams in ``small`` (in any of ``cols``)."""
    if df is None or df.empty or not small:
        return df
    keep = np.ones(len(df), dtype=bool)
    for c in cols:
        if c in df.columns:
            keep &= ~df[c].isin(small).to_numpy()
    return df[keep].reset_index(drop=True)


def _waiting_by_party(steps: pd.DataFrame) -> pd.DataFrame:
    """Summed waiting (interval rows) or gap (completion-only rows) per wait party, calendar and
    working seconds, with shares of the total."""
    wi = (steps["time_basis"] == "interval").to_numpy(dtype=bool)
    party = pd.DataFrame(
        {
            "wait_party": steps["wait_party"].array,
            "basis": pd.Categorical.from_codes(wi.astype(np.int8), categories=["gap", "waiting"]),
            "calendar_s": np.where(wi, steps["waiting_calendar_s"].to_numpy(), steps["gap_calendar_s"].to_numpy()),
            "working_s": np.where(wi, steps["waiting_working_s"].to_numpy(), steps["gap_working_s"].to_numpy()),
        }
    )
    by_party = party.groupby(["wait_party", "basis"], observed=True)[["calendar_s", "working_s"]].sum().reset_index()
    by_party[["wait_party", "basis"]] = by_party[["wait_party", "basis"]].astype(str)
    for b in ("calendar", "working"):
        tot = by_party[f"{b}_s"].sum()
        by_party[f"share_{b}"] = by_party[f"{b}_s"] / tot if tot else np.nan
    return by_party


def diagnose_office(
    log: LogLike,
    calendar: OfficeCalendar = DEFAULT_CALENDAR,
    actual_fte: float | None = None,
    staffing_assumptions: StaffingAssumptions | None = None,
    min_resources: int = MIN_TEAM_RESOURCES,
    closed: pd.Series | None = None,
    closed_rule: str | None = None,
) -> OfficeDiagnosis:
    """The issue-5 profile of one office's canonical log (vectorised; per-activity fits only).

    ``actual_fte``: the office's real staff in full-time equivalents, if known; otherwise the KGSt
    gap is taken against the number of distinct staff ids (``staffing.actual_fte_is_estimate``).
    ``closed``: optional bool Series (case_id -> closed) to use the core analysis' closing rule
    (named by ``closed_rule``).
    """
    log = as_frame(log)
    unavailable: dict[str, list[str]] = {}
    keyed = has_keys(log)
    if not keyed:
        for sec in ("rework", "external", "deadlines"):
            unavailable.setdefault(sec, []).append("no_keys")

    steps = step_times(log, calendar)
    basis = _basis(steps["time_basis"])
    if basis == "completion_only":
        unavailable.setdefault("time", []).append("completion_only")
    # activity table from the one step table (same as time.activity_times, without recomputing steps)
    metrics = [f"{m}_{b}_s" for m in ("service", "waiting", "gap") for b in ("calendar", "working")]
    act_codes, act_labels = label_codes(steps[ACTIVITY])  # group on codes, label per activity afterwards
    g = steps[metrics].groupby(act_codes, sort=True)
    med = g.median()
    med.columns = [c.replace("_s", "_median_s") for c in med.columns]
    mean = g.mean()
    mean.columns = [c.replace("_s", "_mean_s") for c in mean.columns]
    interval_share = pd.Series((steps["time_basis"] == "interval").to_numpy(dtype=bool)).groupby(act_codes, sort=True).mean()
    key = steps[ACTIVITY_KEY].groupby(act_codes, sort=True).first().astype("object")
    acts = pd.DataFrame({ACTIVITY_KEY: key, "events": pd.Series(act_codes).groupby(act_codes, sort=True).size()})
    acts["time_basis"] = np.where(interval_share >= 1.0, "interval", np.where(interval_share <= 0.0, "completion_only", "mixed"))
    acts = pd.concat([acts, med, mean], axis=1)
    acts.index = pd.Index(act_labels[acts.index.to_numpy(dtype=np.int64)], name=ACTIVITY)
    acts = acts.sort_index(kind="stable").reset_index()
    acts = acts.sort_values(["events", ACTIVITY], ascending=[False, True], kind="stable", ignore_index=True)
    trans = transition_times(steps)

    spans = case_spans(log, closed=closed)
    # the step table is the largest object here: finish what needs it, then free it
    by_party = _waiting_by_party(steps)
    has_team = TEAM in log.columns and log[TEAM].notna().any()
    load = team_load(log, min_resources, calendar, spans=spans, steps=steps) if has_team else pd.DataFrame()
    del steps
    flow = office_flow(log, "W", spans=spans)
    flow = flow.drop(columns=["office"]) if "office" in flow.columns else flow
    flow = flow.groupby("period", sort=True)[["arrivals", "completions", "wip"]].sum().reset_index()
    steps_q = step_queue_summary(step_flow(log, "W"))
    ages = open_case_ages(log, spans=spans)
    ages_ct = open_case_ages(log, by=CASE_TYPE, spans=spans) if CASE_TYPE in log.columns else pd.DataFrame()
    trend = queue_trend(flow["wip"].to_numpy())
    ll = littles_law_check(log, spans=spans)

    rw = case_rework(log)
    per_case = rw.per_case.copy()
    per_case[TEAM] = _merged_case_teams(log, min_resources)
    # True/False/NA -> 1.0/0.0/NaN, so the share means work without keys too
    per_case["first_time_right"] = pd.array(per_case["first_time_right"], dtype="boolean").to_numpy(dtype=float, na_value=np.nan)
    rw_sum = rework_summary(per_case)
    rw_ct = rework_concentration(per_case, CASE_TYPE) if CASE_TYPE in per_case.columns else pd.DataFrame()
    rw_team = rework_concentration(per_case[per_case[TEAM].notna()], TEAM) if per_case[TEAM].notna().any() else pd.DataFrame()
    repeats = activity_repeats(log)

    # the paired waits only look at request/answer rows: read those once (for every wait kind and the
    # § 81a deadlines), aged to the end of the whole log
    as_of = pd.to_datetime(log[END], utc=True).max() if len(log) else None
    if keyed:
        wanted = {k for s in (*EXTERNAL_WAITS, BA_81A_WAIT, RECOGNITION_WAIT) for k in (*s.from_keys, *s.to_keys)}
        rows = KeyedRows.of(log, wanted)
        waits = waits_of_rows(rows, calendar, pd.Timestamp(as_of))
        # no request/answer rows at all: no deadline table (as for a log without keys)
        fkv = fkv_of_rows(rows, as_of) if len(rows.code) else pd.DataFrame(columns=FKV_COLUMNS)
    else:
        waits = external_waits(log, calendar, as_of=as_of)
        fkv = fkv_deadlines(log, as_of=as_of)
    ext = external_wait_summary(waits)
    sources = {s.name: s.source for s in EXTERNAL_WAITS}
    ext["source"] = ext["wait"].map(sources)
    ba = ba_consent_check(log, waits)
    cards = card_age_bands(waits)  # the open card hand-overs among the waits just paired
    risk = inaction_risk(log, spans=spans)
    fic = fiction_churn(log)
    monthly = monthly_deadline_table(log, risk, fic)

    if not has_team:
        unavailable.setdefault("teams", []).append("no_teams")
    if RESOURCE not in log.columns or log[RESOURCE].isna().all():
        unavailable.setdefault("teams", []).append("no_resources")
    hand = team_handovers(log, min_resources) if has_team else pd.DataFrame()
    small = small_merged_teams(log, min_resources) if has_team else set()
    load = _drop_teams(load, small, ("team",))
    hand = _drop_teams(hand, small, ("from_team", "to_team"))
    rw_team = _drop_teams(rw_team, small, (TEAM,))
    wd = weekday_profile(log)
    seasonal = monthly_arrivals(log, spans=spans)
    starv = priority_starvation(log, spans=spans)
    staffing = None
    if CASE_TYPE in log.columns and log[CASE_TYPE].notna().any():
        staffing = kgst_staffing(log, staffing_assumptions, actual_fte, min_resources=min_resources, spans=spans)
        staffing = replace(staffing, per_team=_drop_teams(staffing.per_team, small, ("team",)))
    else:
        unavailable.setdefault("staffing", []).append("no_case_types")
    return OfficeDiagnosis(
        time_basis=basis,
        keyed=keyed,
        calendar=calendar,
        activity_times=acts,
        transition_times=trans,
        closed_rule=closed_rule or spans.closed_rule,
        flow_weekly=flow,
        step_queues=steps_q,
        open_ages=ages,
        open_ages_by_case_type=ages_ct,
        wip_trend=trend,
        littles_law=ll,
        rework=rw_sum,
        rework_by_case_type=rw_ct,
        rework_by_team=rw_team,
        activity_repeats=repeats,
        external_summary=ext,
        ba_consent=ba,
        uncollected_cards=cards,
        waiting_by_party=by_party,
        inaction=risk,
        fkv_deadlines=fkv,
        fiction=FictionChurn(fic.cases, fic.cases_with_certificate, fic.certificate_share,
                             fic.renewals_per_certificate_case, fic.cases_multiple_renewals,
                             fic.per_case.iloc[0:0], fic.monthly),
        deadline_monthly=monthly,
        team_load=load,
        team_handovers=hand,
        weekday=wd,
        seasonal=seasonal,
        starvation=starv,
        staffing=staffing,
        unavailable={k: tuple(v) for k, v in unavailable.items()},
    )
