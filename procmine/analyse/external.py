"""Waits on other bodies: BA consent, security inquiry, Bundesdruckerei card production, card
handover (uncollected cards) and visa consent, each against its legal or usual norm; plus the
split of all waiting time into external, applicant and office waiting.

A wait is paired per case: each request event is matched with the first answer event after it in
the same case (one ``numpy.searchsorted`` over case and time, as ``pandas.merge_asof`` by case would);
the keyed rows are read once for all wait kinds. A request without an answer is an *open* wait,
aged to the end of the log. Norms come from ``procmine.catalogue.WAIT_NORMS``; visa consent has
no catalogue norm and uses the 3 months after which an Untätigkeitsklage is possible.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from procmine.analyse.time import (
    DEFAULT_CALENDAR,
    OfficeCalendar,
    case_codes,
    has_keys,
    in_values,
    label_codes,
    step_times,
    working_seconds,
)
from procmine.catalogue import INACTION_DAYS, WAIT_NORMS
from procmine.eventlog import LogLike, as_frame
from procmine.labels_de.report import NORM_VWGO_75_USUAL
from procmine.schema import ACTIVITY_KEY, CASE_ID, CASE_TYPE, END, EVENT_SEQ, OFFICE

DAY_S = 86400.0


@dataclass(frozen=True)
class WaitSpec:
    """One external (or hand-over) wait: request keys -> answer keys, with its norm."""

    name: str
    from_keys: tuple[str, ...]
    to_keys: tuple[str, ...]
    norm_days: float
    basis: str
    source: str
    external: bool
    norm_days_by_case_type: tuple[tuple[str, float], ...] = ()


def _norm(from_key: str, to_key: str) -> tuple[float, str, str, bool]:
    """Look a norm up in the catalogue."""
    for n in WAIT_NORMS:
        if n.from_key == from_key and n.to_key == to_key:
            return n.days, n.basis, n.source, n.external
    raise KeyError((from_key, to_key))


def _spec(name: str, from_keys: tuple[str, ...], to_keys: tuple[str, ...], **kw: object) -> WaitSpec:
    """Spec with the catalogue norm of its first (from, to) pair."""
    days, basis, source, external = _norm(from_keys[0], to_keys[0])
    return WaitSpec(name, from_keys, to_keys, days, basis, source, external, **kw)  # type: ignore[arg-type]


EXTERNAL_WAITS: tuple[WaitSpec, ...] = (
    _spec(
        "ba_consent",
        ("ba_consent_requested",),
        ("ba_consent_granted", "ba_consent_deemed", "ba_consent_refused"),
        norm_days_by_case_type=(("FKV_81A", 7.0),),
    ),
    _spec("security_check", ("security_check_requested",), ("security_check_completed",)),
    _spec("eat_production", ("eat_ordered",), ("eat_received",)),
    _spec("eat_handover", ("eat_received",), ("eat_handed_over",)),
    WaitSpec(
        "visa_consent",
        ("application_received",),
        ("visa_consent_sent",),
        float(INACTION_DAYS),
        "legal",
        NORM_VWGO_75_USUAL,
        True,
    ),
)

WAIT_COLUMNS = [
    "wait", CASE_ID, CASE_TYPE, OFFICE, "from_key", "to_key", "from_time", "to_time", "open",
    "wait_calendar_s", "wait_working_s", "wait_days", "norm_days", "over_norm", "basis", "external",
]


@dataclass(frozen=True)
class KeyedRows:
    """The rows of a log that carry an activity key, read once for all wait kinds: case code, end
    time (``datetime64[us, UTC]`` values as int64), sequence, key code, and the text columns."""

    code: np.ndarray
    t_us: np.ndarray
    seq: np.ndarray
    key: np.ndarray  # integer code per row into ``key_labels``
    key_labels: np.ndarray
    case_id: np.ndarray
    case_type: np.ndarray | None
    office: np.ndarray | None

    @classmethod
    def of(cls, log: pd.DataFrame, keys: Iterable[str] | None = None) -> KeyedRows:
        """Read the keyed rows of ``log`` (one pass over the log, whatever the number of wait kinds);
        only those whose key is in ``keys`` when given."""
        key_codes, labels = label_codes(log[ACTIVITY_KEY])
        if keys is None:
            hit = key_codes < len(labels) - 1  # the last code is "no key"
        else:
            hit = np.isin(key_codes, np.flatnonzero(np.isin(labels[:-1], list(keys))))
        sub = log.loc[hit]
        end = pd.to_datetime(sub[END], utc=True).astype("datetime64[us, UTC]")
        return cls(
            code=case_codes(log)[hit].astype(np.int64),
            t_us=end.to_numpy(dtype="datetime64[us]").view(np.int64),
            seq=sub[EVENT_SEQ].to_numpy() if EVENT_SEQ in sub.columns else np.arange(int(hit.sum())),
            key=key_codes[hit],
            key_labels=labels,
            case_id=sub[CASE_ID].astype("object").to_numpy(),
            case_type=sub[CASE_TYPE].astype("object").to_numpy() if CASE_TYPE in sub.columns else None,
            office=sub[OFFICE].astype("object").to_numpy() if OFFICE in sub.columns else None,
        )

    def subset(self, mask: np.ndarray) -> KeyedRows:
        """The rows where ``mask`` is true."""
        return KeyedRows(
            self.code[mask], self.t_us[mask], self.seq[mask], self.key[mask], self.key_labels, self.case_id[mask],
            None if self.case_type is None else self.case_type[mask], None if self.office is None else self.office[mask],
        )

    def rows_of(self, keys: tuple[str, ...]) -> np.ndarray:
        """Positions of the rows whose key is in ``keys``, ordered by (time, sequence) as a stable sort."""
        pos = np.flatnonzero(np.isin(self.key, np.flatnonzero(np.isin(self.key_labels[:-1], list(keys)))))
        return pos[np.lexsort((self.seq[pos], self.t_us[pos]))]


def _first_answer(rows: KeyedRows, req: np.ndarray, ans: np.ndarray) -> np.ndarray:
    """Per request row (positions ``req``): the position of the first answer row (``ans``) of the same
    case at or after its time (ties: the lower sequence), or -1; as ``merge_asof(direction="forward")``
    by case. Case and time are folded into one sortable integer (the time as its rank)."""
    times = np.unique(np.concatenate([rows.t_us[req], rows.t_us[ans]]))
    width = len(times) + 1
    a_key = rows.code[ans] * width + np.searchsorted(times, rows.t_us[ans])
    order = np.lexsort((rows.seq[ans], a_key))
    a_sorted = a_key[order]
    r_key = rows.code[req] * width + np.searchsorted(times, rows.t_us[req])
    at = np.searchsorted(a_sorted, r_key, side="left")
    ok = at < len(ans)
    ok[ok] = rows.code[ans[order[at[ok]]]] == rows.code[req[ok]]
    return np.where(ok, ans[order[np.minimum(at, len(ans) - 1)]], -1)


def paired_waits(
    log: LogLike,
    spec: WaitSpec,
    calendar: OfficeCalendar = DEFAULT_CALENDAR,
    as_of: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """All waits of one kind: each request paired with the first answer after it in its case.

    Columns ``WAIT_COLUMNS``; open waits (no answer yet) have ``open=True``, ``to_time`` NaT and
    their age to ``as_of`` (default: last event of the log) as wait time.

    >>> paired_waits(log, EXTERNAL_WAITS[0])  # doctest: +SKIP
    """
    log = as_frame(log)
    if not has_keys(log) or log.empty:
        return pd.DataFrame(columns=WAIT_COLUMNS)
    as_of = pd.Timestamp(as_of) if as_of is not None else pd.to_datetime(log[END], utc=True).max()
    return pair_waits(KeyedRows.of(log), spec, calendar, as_of)


def _requests_answers(rows: KeyedRows, spec: WaitSpec) -> tuple[np.ndarray, np.ndarray] | None:
    """(request rows, paired answer row or -1) of one wait kind, requests in time order; None without requests."""
    req = rows.rows_of(spec.from_keys)
    if not len(req):
        return None
    ans = rows.rows_of(spec.to_keys)
    to = _first_answer(rows, req, ans) if len(ans) else np.full(len(req), -1)
    # several requests answered by one answer: keep the first request (the wait started there)
    first = np.zeros(len(req), dtype=bool)
    first[np.unique(to, return_index=True)[1]] = True
    keep = (to < 0) | first
    req, to = req[keep], to[keep]
    if spec.name == "visa_consent":  # only visa-consent cases wait for a visa consent
        visa = rows.case_type[req] == "VISA_CONSENT" if rows.case_type is not None else np.zeros(len(req), dtype=bool)
        req, to = req[visa], to[visa]
    return req, to


def pair_waits(rows: KeyedRows, spec: WaitSpec, calendar: OfficeCalendar, as_of: pd.Timestamp) -> pd.DataFrame:
    """``paired_waits`` on keyed rows read once (``KeyedRows``)."""
    found = _requests_answers(rows, spec)
    if found is None:
        return pd.DataFrame(columns=WAIT_COLUMNS)
    return _wait_table(rows, [(spec, *found)], calendar, as_of)


def _wait_table(
    rows: KeyedRows, kinds: list[tuple[WaitSpec, np.ndarray, np.ndarray]], calendar: OfficeCalendar, as_of: pd.Timestamp
) -> pd.DataFrame:
    """The ``WAIT_COLUMNS`` table of the paired (request, answer) rows of one or more wait kinds,
    stacked in the order given; durations computed once for all of them."""
    kind = np.repeat(np.arange(len(kinds)), [len(r) for _, r, _ in kinds])
    req = np.concatenate([r for _, r, _ in kinds])
    to = np.concatenate([t for _, _, t in kinds])
    answered = to >= 0
    case_type = rows.case_type[req] if rows.case_type is not None else np.full(len(req), None, dtype=object)
    from_us = rows.t_us[req]
    # open waits run to ``as_of``; its sub-microsecond part (if any) makes the arithmetic nanoseconds, as in pandas
    as_of = pd.Timestamp(as_of)
    unit, per_s = ("us", 1_000_000) if as_of.nanosecond == 0 else ("ns", 1_000_000_000)
    scale = per_s // 1_000_000
    stop = np.where(answered, rows.t_us[to] * scale, as_of.as_unit(unit).asm8.view(np.int64))
    from_time = pd.DatetimeIndex(from_us.view("datetime64[us]")).tz_localize("UTC")
    calendar_s = (stop - from_us * scale) / per_s
    wait_days = calendar_s / DAY_S
    norm = np.array([s.norm_days for s, _, _ in kinds], dtype=float)[kind]
    for i, (spec, _, _) in enumerate(kinds):
        for ct, days in spec.norm_days_by_case_type:
            norm[(kind == i) & (case_type == ct)] = days
    per_kind = {c: np.array([getattr(s, c) for s, _, _ in kinds], dtype=object)[kind] for c in ("name", "basis")}
    return pd.DataFrame(
        {
            "wait": per_kind["name"],
            CASE_ID: rows.case_id[req],
            CASE_TYPE: case_type if rows.case_type is not None else None,
            OFFICE: rows.office[req] if rows.office is not None else None,
            "from_key": rows.key_labels[rows.key[req]],
            "to_key": np.where(answered, rows.key_labels[rows.key[to]], np.nan).astype(object),
            "from_time": from_time,
            "to_time": pd.DatetimeIndex(np.where(answered, rows.t_us[to], np.iinfo(np.int64).min).view("datetime64[us]")).tz_localize("UTC"),
            "open": ~answered,
            "wait_calendar_s": calendar_s,
            "wait_working_s": working_seconds(from_time, pd.DatetimeIndex(stop.view(f"datetime64[{unit}]")).tz_localize("UTC"), calendar),
            "wait_days": wait_days,
            "norm_days": norm,
            "over_norm": wait_days > norm,
            "basis": per_kind["basis"],
            "external": np.array([s.external for s, _, _ in kinds], dtype=bool)[kind],
        },
        columns=WAIT_COLUMNS,
    )


def external_waits(
    log: LogLike,
    calendar: OfficeCalendar = DEFAULT_CALENDAR,
    specs: tuple[WaitSpec, ...] = EXTERNAL_WAITS,
    as_of: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """All paired waits of all kinds in ``specs`` stacked (one row per request), see ``paired_waits``.

    >>> external_waits(log).groupby("wait")["over_norm"].mean()  # doctest: +SKIP
    """
    log = as_frame(log)
    if not has_keys(log) or log.empty:
        return pd.DataFrame(columns=WAIT_COLUMNS)
    as_of = pd.Timestamp(as_of) if as_of is not None else pd.to_datetime(log[END], utc=True).max()
    return waits_of_rows(KeyedRows.of(log), calendar, as_of, specs)


def waits_of_rows(
    rows: KeyedRows, calendar: OfficeCalendar, as_of: pd.Timestamp, specs: tuple[WaitSpec, ...] = EXTERNAL_WAITS
) -> pd.DataFrame:
    """``external_waits`` on keyed rows read once (``KeyedRows``): one table for all kinds at once."""
    kinds = [(s, *found) for s in specs if (found := _requests_answers(rows, s)) is not None and len(found[0])]
    return _wait_table(rows, kinds, calendar, as_of) if kinds else pd.DataFrame(columns=WAIT_COLUMNS)


def external_wait_summary(waits: pd.DataFrame) -> pd.DataFrame:
    """Per wait kind: answered and open waits, median/P90 days (answered, calendar), median
    working days (answered, in office-days of 24 h-equivalent seconds / 86400), share of answered
    waits over the norm, open waits already over the norm, norm, basis, external.

    >>> external_wait_summary(external_waits(log))  # doctest: +SKIP
    """
    cols = ["wait", "answered", "open", "median_days", "p90_days", "median_working_h", "share_over_norm",
            "open_over_norm", "norm_days", "basis", "external"]
    if waits.empty:
        return pd.DataFrame(columns=cols)
    w = waits.assign(answered=~waits["open"].astype(bool))
    a = w[w["answered"]]
    ga = a.groupby("wait")
    g = w.groupby("wait")
    out = pd.DataFrame(
        {
            "answered": g["answered"].sum().astype(int),
            "open": g["open"].sum().astype(int),
            "median_days": ga["wait_days"].median(),
            "p90_days": ga["wait_days"].quantile(0.9),
            "median_working_h": ga["wait_working_s"].median() / 3600,
            "share_over_norm": ga["over_norm"].mean(),
            "open_over_norm": w[w["open"].astype(bool)].groupby("wait")["over_norm"].sum(),
            "norm_days": g["norm_days"].median(),
            "basis": g["basis"].first(),
            "external": g["external"].first(),
        }
    )
    out["open_over_norm"] = out["open_over_norm"].fillna(0).astype(int)
    return out.reset_index()[cols]


@dataclass(frozen=True)
class BaConsentCheck:
    """BA consent (§ 39 AufenthG, § 36 Abs. 2 BeschV): requests, answers, share over the norm
    (14 days, 7 under § 81a), deemed-consent share, and ``deemed_not_applied``: explicit grants
    after the norm in cases without ``ba_consent_deemed`` (the office waited although consent was
    already deemed given)."""

    requests: int
    answered: int
    open: int
    share_over_norm: float
    deemed: int
    deemed_share: float
    deemed_not_applied: int
    deemed_not_applied_share: float
    excess_days_not_applied: float  # days waited beyond the norm in those cases, summed


def ba_consent_check(log: LogLike, waits: pd.DataFrame | None = None) -> BaConsentCheck:
    """Figures on BA consent waits (see ``BaConsentCheck``); all zero/NaN without BA events.

    >>> ba_consent_check(log).deemed_not_applied  # doctest: +SKIP
    """
    log = as_frame(log)
    w = waits if waits is not None else paired_waits(log, EXTERNAL_WAITS[0])
    w = w[w["wait"] == "ba_consent"] if not w.empty else w
    if w.empty:
        return BaConsentCheck(0, 0, 0, np.nan, 0, np.nan, 0, np.nan, 0.0)
    ans = w[~w["open"].astype(bool)]
    deemed_cases = set(log.loc[in_values(log[ACTIVITY_KEY], "ba_consent_deemed"), CASE_ID].astype(str))
    late_grant = ans[(ans["to_key"] == "ba_consent_granted") & ans["over_norm"] & ~ans[CASE_ID].astype(str).isin(deemed_cases)]
    n_ans = len(ans)
    deemed = int((ans["to_key"] == "ba_consent_deemed").sum())
    excess = float((late_grant["wait_days"] - late_grant["norm_days"]).sum())
    return BaConsentCheck(
        requests=len(w),
        answered=n_ans,
        open=int(w["open"].sum()),
        share_over_norm=float(ans["over_norm"].mean()) if n_ans else np.nan,
        deemed=deemed,
        deemed_share=deemed / n_ans if n_ans else np.nan,
        deemed_not_applied=len(late_grant),
        deemed_not_applied_share=len(late_grant) / n_ans if n_ans else np.nan,
        excess_days_not_applied=excess,
    )


CARD_AGE_BANDS = ("< 14 Tage", "14–30 Tage", "30–90 Tage", "> 90 Tage")


def uncollected_cards(log: LogLike, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Cards received from the Bundesdruckerei and not handed over by ``as_of`` (default: end of the
    log), by age band. Columns: age_band, cards, share.

    >>> uncollected_cards(log)  # doctest: +SKIP
    """
    log = as_frame(log)
    spec = next(s for s in EXTERNAL_WAITS if s.name == "eat_handover")
    return card_age_bands(paired_waits(log, spec, as_of=as_of))


def card_age_bands(waits: pd.DataFrame) -> pd.DataFrame:
    """``uncollected_cards`` from paired waits already at hand (its open ``eat_handover`` rows)."""
    w = waits[waits["wait"] == "eat_handover"] if not waits.empty else waits
    w = w[w["open"].astype(bool)] if not w.empty else w
    age = w["wait_days"].astype(float) if not w.empty else pd.Series(dtype=float)
    band = pd.cut(age, [-np.inf, 14, 30, 90, np.inf], right=False, labels=list(CARD_AGE_BANDS))
    t = pd.Series(1, index=age.index).groupby(band, observed=False).sum().reindex(list(CARD_AGE_BANDS), fill_value=0)
    out = t.rename("cards").rename_axis("age_band").reset_index()
    total = out["cards"].sum()
    out["share"] = out["cards"] / total if total else np.nan
    return out


def waiting_by_party(log: LogLike, calendar: OfficeCalendar = DEFAULT_CALENDAR) -> pd.DataFrame:
    """Total waiting split by whose turn it was: "external" (other bodies), "applicant", "office".

    Interval rows use waiting time; completion-only rows only have the gap to the previous event,
    which includes the step's own service time (``basis`` says which). Columns: wait_party, basis,
    calendar_s, working_s, share_calendar, share_working.

    >>> waiting_by_party(log)  # doctest: +SKIP
    """
    log = as_frame(log)
    st = step_times(log, calendar)
    interval = st["time_basis"] == "interval"
    cal = st["waiting_calendar_s"].where(interval, st["gap_calendar_s"])
    work = st["waiting_working_s"].where(interval, st["gap_working_s"])
    basis = np.where(interval, "waiting", "gap")
    t = pd.DataFrame({"wait_party": st["wait_party"], "basis": basis, "calendar_s": cal, "working_s": work})
    out = t.groupby(["wait_party", "basis"])[["calendar_s", "working_s"]].sum().reset_index()
    for b in ("calendar", "working"):
        tot = out[f"{b}_s"].sum()
        out[f"share_{b}"] = out[f"{b}_s"] / tot if tot else np.nan
    return out
