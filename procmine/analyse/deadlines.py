"""Legal deadlines: cases open longer than 3 months (Untätigkeitsklage risk, § 75 VwGO), § 81a
deadlines (BA within 7 days, recognition within 2 months) and Fiktionsbescheinigung churn, as
counts, shares and monthly trends. Months are local (Europe/Berlin) calendar months.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from procmine.analyse.external import EXTERNAL_WAITS, KeyedRows, WaitSpec, pair_waits
from procmine.analyse.queues import CaseSpans, case_spans
from procmine.analyse.time import DEFAULT_CALENDAR, case_codes, has_keys, in_values, same_case_as_previous, to_local_wall
from procmine.catalogue import INACTION_DAYS
from procmine.eventlog import LogLike, as_frame
from procmine.schema import ACTIVITY_KEY, CASE_ID, CASE_TYPE, END

DAY_S = 86400.0
FKV_CASE_TYPE = "FKV_81A"
FKV_COLUMNS = ["deadline", "norm_days", "source", "cases", "met", "missed", "open_overdue", "share_met"]
RECOGNITION_WAIT = WaitSpec(
    "recognition", ("recognition_requested",), ("recognition_decided",), 60.0, "legal",
    "§ 81a AufenthG i. V. m. § 14a BQFG: Anerkennung binnen 2 Monaten", True,
)
BA_81A_WAIT = WaitSpec(
    "ba_consent_81a", EXTERNAL_WAITS[0].from_keys, EXTERNAL_WAITS[0].to_keys, 7.0, "legal",
    "§ 36 Abs. 2 BeschV i. V. m. § 81a AufenthG: BA binnen 1 Woche", True,
)


def _month_ends(lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DatetimeIndex:
    """UTC instants of local month ends (first instant of the next month) covering [lo, hi]."""
    tz = "Europe/Berlin"
    first = pd.Timestamp(lo).tz_convert(tz).tz_localize(None).to_period("M").start_time
    last = pd.Timestamp(hi).tz_convert(tz).tz_localize(None).to_period("M").start_time
    starts = pd.date_range(first, last, freq="MS")
    return (starts + pd.offsets.MonthBegin(1)).tz_localize(tz).tz_convert("UTC")


@dataclass(frozen=True)
class InactionRisk:
    """Open cases older than ``days`` (default 90) on ``as_of``, their share of open cases, and a
    monthly table: month, open_cases, open_over_limit, share_over_limit (at month end),
    closed, closed_over_limit (closed that month after more than ``days``)."""

    as_of: pd.Timestamp
    days: float
    open_cases: int
    open_over_limit: int
    share_over_limit: float
    monthly: pd.DataFrame
    closed_rule: str


def inaction_risk(
    log: LogLike, days: float = INACTION_DAYS, as_of: pd.Timestamp | None = None, spans: CaseSpans | None = None
) -> InactionRisk:
    """Untätigkeitsklage risk: open cases older than ``days`` now and at each month end
    (vectorised with searchsorted over sorted start/limit/close instants).

    >>> inaction_risk(log).share_over_limit  # doctest: +SKIP
    """
    log = as_frame(log)
    spans = spans or case_spans(log, as_of=as_of)
    as_of = pd.Timestamp(as_of) if as_of is not None else spans.as_of
    c = spans.cases
    start = c["start"]
    limit = start + pd.Timedelta(days=days)
    closed = c["closed"].astype(bool)
    close = c["end"].where(closed)
    ends = _month_ends(start.min(), as_of)
    ends = ends.where(ends <= as_of, as_of)

    def le_count(values: pd.Series, points: pd.DatetimeIndex) -> np.ndarray:
        v = np.sort(values.dropna().to_numpy(dtype="datetime64[us]"))
        return np.searchsorted(v, points.tz_convert(None).to_numpy(dtype="datetime64[us]"), side="right")

    started = le_count(start, ends)
    done = le_count(close, ends)
    late_close = close.where(close > limit)
    reaches = close.isna() | (close > limit)  # still open when the limit passes
    over_in = le_count(limit.where(reaches), ends)
    over_out = le_count(late_close, ends)
    open_n = started - done
    over_n = over_in - over_out
    months = (ends.tz_convert("Europe/Berlin") - pd.Timedelta(seconds=1)).strftime("%Y-%m")

    def per_month(values: pd.Series) -> np.ndarray:  # counted per local month, the month written once per month
        month, n = np.unique(to_local_wall(values).astype("datetime64[M]"), return_counts=True)
        return pd.Series(n, index=np.datetime_as_string(month, unit="M")).reindex(months, fill_value=0).to_numpy()

    monthly = pd.DataFrame(
        {
            "month": np.asarray(months),
            "open_cases": open_n,
            "open_over_limit": over_n,
            "share_over_limit": np.where(open_n > 0, over_n / np.maximum(open_n, 1), np.nan),
            "closed": per_month(close.dropna()),
            "closed_over_limit": per_month(late_close.dropna()),
        }
    )
    is_open = (~closed) & (start <= as_of)
    age = (as_of - start[is_open]).dt.total_seconds() / DAY_S
    n_open = int(is_open.sum())
    n_over = int((age > days).sum())
    return InactionRisk(as_of, float(days), n_open, n_over, n_over / n_open if n_open else np.nan, monthly, spans.closed_rule)


def fkv_deadlines(log: LogLike, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """§ 81a deadlines for FKV_81A cases: BA answer within 7 days, recognition within 60 days.
    Columns: deadline, norm_days, source, cases (requests), met, missed (answered late),
    open_overdue (no answer and already past the norm), share_met (of answered).

    >>> fkv_deadlines(log)  # doctest: +SKIP
    """
    log = as_frame(log)
    if not has_keys(log) or CASE_TYPE not in log.columns:
        return pd.DataFrame(columns=FKV_COLUMNS)
    fkv = (log[CASE_TYPE].astype("object") == FKV_CASE_TYPE).to_numpy()
    if as_of is None and fkv.any():
        as_of = pd.to_datetime(log.loc[fkv, END], utc=True).max()
    return fkv_of_rows(KeyedRows.of(log), as_of)


def fkv_of_rows(rows: KeyedRows, as_of: pd.Timestamp | None) -> pd.DataFrame:
    """``fkv_deadlines`` on keyed rows read once (``external.KeyedRows``, with case types)."""
    if rows.case_type is None:
        return pd.DataFrame(columns=FKV_COLUMNS)
    fkv = rows.subset(rows.case_type == FKV_CASE_TYPE)
    out = []
    for spec in (BA_81A_WAIT, RECOGNITION_WAIT):  # two fixed deadlines, not a loop over cases
        w = pair_waits(fkv, spec, DEFAULT_CALENDAR, pd.Timestamp(as_of)) if len(fkv.code) else pd.DataFrame()
        if w.empty:
            out.append((spec.name, spec.norm_days, spec.source, 0, 0, 0, 0, np.nan))
            continue
        w["norm_days"] = spec.norm_days
        over = w["wait_days"] > spec.norm_days
        op = w["open"].astype(bool)
        met, missed = int((~op & ~over).sum()), int((~op & over).sum())
        out.append((spec.name, spec.norm_days, spec.source, len(w), met, missed, int((op & over).sum()),
                     met / (met + missed) if met + missed else np.nan))
    return pd.DataFrame(out, columns=FKV_COLUMNS)


@dataclass(frozen=True)
class FictionChurn:
    """Fiktionsbescheinigung use: cases with one, share of cases, renewals (extensions) per case
    with a certificate, cases with more than one renewal, and a monthly table (month, issued,
    extended)."""

    cases: int
    cases_with_certificate: int
    certificate_share: float
    renewals_per_certificate_case: float
    cases_multiple_renewals: int
    per_case: pd.DataFrame
    monthly: pd.DataFrame


def fiction_churn(log: LogLike) -> FictionChurn:
    """Fiktionsbescheinigung churn (DOMAIN §2.2, pattern 10); zeros without catalogue keys.

    >>> fiction_churn(log).renewals_per_certificate_case  # doctest: +SKIP
    """
    log = as_frame(log)
    codes = case_codes(log)
    n_cases = int((~same_case_as_previous(log)).sum())
    empty_monthly = pd.DataFrame(columns=["month", "issued", "extended"])
    if not has_keys(log):
        return FictionChurn(n_cases, 0, np.nan, np.nan, 0, pd.DataFrame(columns=[CASE_ID, "issued", "extended"]), empty_monthly)
    key = log[ACTIVITY_KEY]
    iss = in_values(key, "fiction_certificate_issued")
    ext = in_values(key, "fiction_certificate_extended")
    any_ = iss | ext
    per = pd.DataFrame({"code": codes[any_], CASE_ID: log.loc[any_, CASE_ID].astype("object").to_numpy(),
                        "issued": iss[any_].astype(int), "extended": ext[any_].astype(int)})
    per = per.groupby("code", sort=False).agg({CASE_ID: "first", "issued": "sum", "extended": "sum"}).reset_index(drop=True)
    month = pd.Series(to_local_wall(log.loc[any_, END]).astype("datetime64[M]"))
    monthly = (
        pd.DataFrame({"month": month.dt.strftime("%Y-%m"), "issued": iss[any_].astype(int), "extended": ext[any_].astype(int)})
        .groupby("month", sort=True).sum().reset_index()
    )
    k = len(per)
    return FictionChurn(
        cases=n_cases,
        cases_with_certificate=k,
        certificate_share=k / n_cases if n_cases else np.nan,
        renewals_per_certificate_case=float(per["extended"].mean()) if k else np.nan,
        cases_multiple_renewals=int((per["extended"] > 1).sum()),
        per_case=per,
        monthly=monthly,
    )


def deadline_monthly(log: LogLike, spans: CaseSpans | None = None) -> pd.DataFrame:
    """One monthly trend table for the report: open cases, open over 90 days and their share,
    closed over 90 days, Fiktionsbescheinigungen issued/extended, legal remedies filed.

    >>> deadline_monthly(log).columns.tolist()  # doctest: +SKIP
    """
    log = as_frame(log)
    return monthly_deadline_table(log, inaction_risk(log, spans=spans), fiction_churn(log))


def monthly_deadline_table(log: pd.DataFrame, risk: InactionRisk, fiction: FictionChurn) -> pd.DataFrame:
    """``deadline_monthly`` from the inaction risk and Fiktionsbescheinigung churn already at hand."""
    out = risk.monthly.copy()
    fc = fiction.monthly.set_index("month")
    out["fiction_issued"] = out["month"].map(fc["issued"]).fillna(0).astype(int) if not fc.empty else 0
    out["fiction_extended"] = out["month"].map(fc["extended"]).fillna(0).astype(int) if not fc.empty else 0
    if has_keys(log):
        hit = in_values(log[ACTIVITY_KEY], "legal_remedy_filed")
        m = pd.Series(to_local_wall(log.loc[hit, END]).astype("datetime64[M]")).dt.strftime("%Y-%m").value_counts()
        out["legal_remedies"] = out["month"].map(m).fillna(0).astype(int)
    else:
        out["legal_remedies"] = np.nan
    return out
