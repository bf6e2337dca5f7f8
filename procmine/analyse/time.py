"""Waiting time versus service time, in calendar and in working time on an office calendar.

Service time (Bearbeitungszeit) is ``end - start`` of one step and exists only where the log has a
``start``. Waiting time (Liegezeit) runs from the end of the previous step of the same case to the
start of this one. In a completion-only log only the gap between two completions exists; it holds
waiting *and* service of the later step, so it is reported as ``gap_*`` and never split.

Every duration comes twice: ``*_calendar_s`` (elapsed seconds, real time, DST-correct because the
log is UTC) and ``*_working_s`` (seconds inside the office's opening hours on working days, counted
on local Europe/Berlin wall time, public holidays of the office's Land removed). Rows with
``precision == "day"`` have no time of day: their working time is whole working days × the length of
an office day, never minutes invented inside a day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, time
from functools import lru_cache
from typing import Any

import holidays as holidays_lib
import numpy as np
import pandas as pd

from procmine.catalogue import EXTERNAL_PARTY, INTERPOSED_KEYS
from procmine.eventlog import LogLike, as_frame
from procmine.schema import (
    ACTIVITY,
    ACTIVITY_KEY,
    CASE_ID,
    CASE_TYPE,
    DISPLAY_TZ,
    END,
    OFFICE,
    PRECISION,
    START,
    TEAM,
    codes_of,
)

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WORKING_CHUNK = 1_000_000  # rows per chunk in working_seconds (bounds peak memory on big logs)
TIME_BASES = ("completion_only", "interval")  # categories of step_times' time_basis (sorted)
WAIT_PARTIES = ("applicant", "external", "office")  # categories of step_times' wait_party (sorted)


@dataclass(frozen=True)
class OfficeCalendar:
    """Opening hours, working weekdays and closed days of one office (for working-time durations).

    ``land`` is the ISO 3166-2 subdivision code of the German Land ("ST" = Sachsen-Anhalt) whose
    public holidays the ``holidays`` package supplies; ``extra_closed`` adds office-specific closed
    days (Brückentage, Betriebsausflug). ``weekdays`` uses 0 = Monday. ``land_given``: the Land was
    stated (profile ``land`` or ``--land``), not assumed; the report then does not call it the default
    (not part of equality).

    >>> cal = OfficeCalendar(land="BY", open_time=time(7, 30), close_time=time(15, 30))
    >>> cal.day_seconds
    28800
    """

    land: str = "ST"
    open_time: time = time(8, 0)
    close_time: time = time(16, 0)
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    extra_closed: tuple[date, ...] = field(default_factory=tuple)
    tz: str = DISPLAY_TZ
    land_given: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        if self.close_time <= self.open_time:
            raise ValueError("close_time must be after open_time")
        if not self.weekdays or any(d not in range(7) for d in self.weekdays):
            raise ValueError("weekdays must be a non-empty subset of 0..6 (0 = Monday)")

    @property
    def open_s(self) -> int:
        """Opening time as seconds after local midnight."""
        return self.open_time.hour * 3600 + self.open_time.minute * 60 + self.open_time.second

    @property
    def close_s(self) -> int:
        """Closing time as seconds after local midnight."""
        return self.close_time.hour * 3600 + self.close_time.minute * 60 + self.close_time.second

    @property
    def day_seconds(self) -> int:
        """Length of one office day in seconds."""
        return self.close_s - self.open_s

    @property
    def weekmask(self) -> list[int]:
        """numpy busday weekmask (Mon..Sun, 1 = working day)."""
        return [1 if d in self.weekdays else 0 for d in range(7)]

    def closed_days(self, first_year: int, last_year: int) -> np.ndarray:
        """Public holidays of the Land plus extra closed days, as sorted ``datetime64[D]``."""
        return _closed_days(self.land, first_year, last_year, self.extra_closed)


DEFAULT_CALENDAR = OfficeCalendar()


@lru_cache(maxsize=64)
def _closed_days(land: str, first_year: int, last_year: int, extra: tuple[date, ...]) -> np.ndarray:
    """Cached holiday list of one Land for a range of years."""
    years = list(range(first_year, last_year + 1))
    hol = holidays_lib.country_holidays("DE", subdiv=land or None, years=years)
    days = sorted(set(hol.keys()) | set(extra))
    return np.array(days, dtype="datetime64[D]")


def to_local_wall(ts: pd.Series | pd.DatetimeIndex, tz: str = DISPLAY_TZ) -> np.ndarray:
    """UTC timestamps -> naive local wall-clock ``datetime64[us]`` (naive input is taken as UTC)."""
    if isinstance(ts, pd.Series) and ts.dtype == pd.DatetimeTZDtype("us", "UTC"):
        # canonical column (UTC, microseconds): convert the array itself, without a new Series
        return ts.array.tz_convert(tz).tz_localize(None).to_numpy()
    s = pd.Series(pd.to_datetime(ts, utc=True))
    return s.dt.tz_convert(tz).dt.tz_localize(None).to_numpy(dtype="datetime64[us]")


def _rows(values: pd.Series | pd.DatetimeIndex | np.ndarray, rows: slice) -> pd.Series | pd.DatetimeIndex | np.ndarray:
    """A positional slice of a Series, index or array."""
    return values.iloc[rows] if isinstance(values, pd.Series) else values[rows]


def working_seconds(
    start: pd.Series | pd.DatetimeIndex,
    end: pd.Series | pd.DatetimeIndex,
    calendar: OfficeCalendar = DEFAULT_CALENDAR,
    whole_days: np.ndarray | pd.Series | None = None,
) -> np.ndarray:
    """Seconds of office time between two instants, element-wise and vectorised (NaN where missing).

    Both instants are converted to local wall time first (so a DST change never shifts office
    hours); full working days in between count ``calendar.day_seconds`` each (numpy.busday_count
    with the Land's holidays), the first and last day are clipped to opening hours. Where
    ``whole_days`` is true (date-only rows) the result is the number of working days from the start
    date (inclusive) to the end date (exclusive) × ``day_seconds``. ``end < start`` gives NaN.

    >>> s = pd.Series(pd.to_datetime(["2024-05-10 14:00"], utc=True))  # Fri 16:00 local
    >>> e = pd.Series(pd.to_datetime(["2024-05-13 07:00"], utc=True))  # Mon 09:00 local
    >>> float(working_seconds(s, e)[0]) / 3600
    1.0
    """
    if len(start) > WORKING_CHUNK:  # bound the temporaries on very large logs (same values, chunk by chunk)
        return _by_chunks(lambda s, e, wd: working_seconds(s, e, calendar, wd), start, end, whole_days)
    return working_seconds_local(to_local_wall(start, calendar.tz), to_local_wall(end, calendar.tz), calendar, whole_days)


def _by_chunks(
    fn: Callable[[Any, Any, np.ndarray | None], np.ndarray], start: Any, end: Any, whole_days: np.ndarray | pd.Series | None
) -> np.ndarray:
    """``fn(start, end, whole_days)`` over ``WORKING_CHUNK`` rows at a time (a handful of chunks, not a loop per event)."""
    wd_all = None if whole_days is None else np.asarray(whole_days, dtype=bool)
    out = np.empty(len(start))
    for i in range(0, len(start), WORKING_CHUNK):
        sl = slice(i, i + WORKING_CHUNK)
        out[sl] = fn(_rows(start, sl), _rows(end, sl), None if wd_all is None else wd_all[sl])
    return out


_DAY_US = 86_400_000_000  # microseconds per day


def _open_days(calendar: OfficeCalendar, first_day: int, last_day: int) -> tuple[np.ndarray, np.ndarray]:
    """For the days ``first_day..last_day`` (days since 1970-01-01): whether each is an office day
    (``numpy.is_busday`` with the Land's holidays) and the number of office days before it
    (``open_before[j] - open_before[i]`` = ``numpy.busday_count`` from day i to day j), one more entry
    than days so the day after the last has its count too."""
    days = np.arange(first_day, last_day + 1, dtype=np.int64).astype("datetime64[D]")
    first_year = int(days[0].astype("datetime64[Y]").astype(np.int64)) + 1970
    last_year = int(days[-1].astype("datetime64[Y]").astype(np.int64)) + 1970
    hol = calendar.closed_days(first_year, last_year)
    open_day = np.is_busday(days, weekmask=calendar.weekmask, holidays=hol)
    return open_day, np.concatenate([[0], np.cumsum(open_day, dtype=np.int64)])


def working_seconds_local(
    ls: np.ndarray, le: np.ndarray, calendar: OfficeCalendar = DEFAULT_CALENDAR, whole_days: np.ndarray | pd.Series | None = None
) -> np.ndarray:
    """``working_seconds`` of instants already in local wall time (``to_local_wall``), so that callers
    with several pairs over the same instants convert each instant once."""
    n = len(ls)
    if n > WORKING_CHUNK:
        return _by_chunks(lambda s, e, wd: working_seconds_local(s, e, calendar, wd), ls, le, whole_days)
    out = np.full(n, np.nan)
    valid = ~(np.isnat(ls) | np.isnat(le))
    valid &= np.where(valid, le >= ls, False)
    if not valid.any():
        return out
    # integer microseconds and day numbers (floor division = numpy's datetime64[D] cast); the open days
    # are looked up in one table over the covered days instead of numpy's busday functions per row
    us0 = ls[valid].astype("datetime64[us]").view(np.int64)
    us1 = le[valid].astype("datetime64[us]").view(np.int64)
    d0, d1 = us0 // _DAY_US, us1 // _DAY_US
    t0 = ((us0 - d0 * _DAY_US) // 1_000_000).astype(float)
    t1 = ((us1 - d1 * _DAY_US) // 1_000_000).astype(float)
    first_day, last_day = int(d0.min()), int(d1.max())
    open_day, open_before = _open_days(calendar, first_day, last_day)
    o, c, day = float(calendar.open_s), float(calendar.close_s), float(calendar.day_seconds)
    i0, i1 = d0 - first_day, d1 - first_day
    open0 = open_day[i0]
    open1 = open_day[i1]
    same_day = d0 == d1
    first = np.where(
        same_day,
        np.clip(np.minimum(t1, c) - np.maximum(t0, o), 0.0, day),
        np.clip(c - np.maximum(t0, o), 0.0, day),
    ) * open0
    later = d1 > d0
    # open days strictly between the two days (numpy.busday_count(d0 + 1, d1)), 0 on the same day
    middle = np.where(later, open_before[i1] - open_before[np.minimum(i0 + 1, i1)], 0)
    last = np.where(later, np.clip(np.minimum(t1, c) - o, 0.0, day) * open1, 0.0)
    res = first + middle * day + last
    if whole_days is not None:
        wd = np.asarray(whole_days, dtype=bool)[valid]
        res = np.where(wd, (open_before[i1] - open_before[i0]) * day, res)
    out[valid] = res
    return out


def calendar_seconds(start: pd.Series, end: pd.Series) -> np.ndarray:
    """Elapsed real seconds ``end - start`` (UTC arithmetic, so DST-correct), NaN where missing."""
    d = pd.to_datetime(end, utc=True) - pd.to_datetime(start, utc=True)
    return pd.Series(d).dt.total_seconds().to_numpy(dtype=float)


def case_codes(log: pd.DataFrame) -> np.ndarray:
    """Integer code per row for ``case_id`` (category codes, or factorised)."""
    col = log[CASE_ID]
    if isinstance(col.dtype, pd.CategoricalDtype):
        return codes_of(col)
    return pd.factorize(col)[0]


def same_case_as_previous(log: pd.DataFrame) -> np.ndarray:
    """True where a row belongs to the same case as the row above (the log is sorted by case)."""
    codes = case_codes(log)
    out = np.zeros(len(codes), dtype=bool)
    out[1:] = codes[1:] == codes[:-1]
    return out


def has_keys(log: pd.DataFrame) -> bool:
    """Whether the log carries catalogue activity keys at all (real logs often have none)."""
    return ACTIVITY_KEY in log.columns and bool(log[ACTIVITY_KEY].notna().any())


def text_of(series: pd.Series, na: object = None) -> np.ndarray:
    """Values as an object array of text, taken from the categories of a categorical column (one
    conversion per distinct value, not per row); missing values become ``na``."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = np.append(np.asarray(series.cat.categories.astype(str), dtype=object), np.array([na], dtype=object))
        codes = codes_of(series)
        return cats[np.where(codes < 0, len(cats) - 1, codes)]
    out = series.astype(object).to_numpy()
    missing = pd.isna(out)
    out = out.astype(str).astype(object)
    out[missing] = na
    return out


def label_codes(series: pd.Series, na: object = "nan") -> tuple[np.ndarray, np.ndarray]:
    """(codes, labels): an integer code per row and the text of each code, so that
    ``labels[codes]`` equals ``text_of(series, na)``; missing values get the last code (label
    ``na``). Group on the codes and look the labels up afterwards, instead of hashing text per row."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = codes_of(series)
        cats = np.asarray(series.cat.categories.astype(str), dtype=object)
    else:
        codes, uniques = pd.factorize(series)
        cats = np.asarray(pd.Index(uniques).astype(str), dtype=object)
    labels = np.append(cats, np.array([na], dtype=object))
    return np.where(codes < 0, len(cats), codes).astype(np.int32), labels


def in_values(series: pd.Series, values: str | Iterable[str]) -> np.ndarray:
    """Boolean array: the row's value is one of ``values`` (missing → False); per category when categorical."""
    values = [values] if isinstance(values, str) else list(values)
    if isinstance(series.dtype, pd.CategoricalDtype):
        hit = np.isin(np.asarray(series.cat.categories.astype(str), dtype=object), values)
        codes = codes_of(series)
        return (codes >= 0) & np.append(hit, False)[np.where(codes < 0, len(hit), codes)]
    return series.astype("string").isin(values).fillna(False).to_numpy(dtype=bool)


def day_precision(log: pd.DataFrame) -> np.ndarray:
    """True for rows whose timestamps are date-only (``precision == "day"``)."""
    if PRECISION not in log.columns:
        return np.zeros(len(log), dtype=bool)
    return in_values(log[PRECISION], "day")


def wait_party(activity_key: pd.Series, same_case: np.ndarray | None = None) -> pd.Series:
    """Who the wait before a step is on: "external" (BA, security, Bundesdruckerei, recognition
    body), "applicant" (documents, no-shows) or "office" (everything else, or no key).

    Decided once per distinct key; returned as a categorical (categories ``WAIT_PARTIES``). With
    ``same_case`` (per row, canonical order: same case as the previous row), an interposed event
    (``catalogue.INTERPOSED_KEYS``: a status inquiry while the case waits) takes the party of the next
    step of its case, and "office" where none follows: the wait it interrupts is still that step's."""
    codes, labels = label_codes(activity_key)  # missing key: the last code
    party = pd.Series(labels[:-1], dtype="object").map(EXTERNAL_PARTY)
    per_cat = np.full(len(labels), WAIT_PARTIES.index("office"), dtype=np.int8)  # last slot: missing key
    per_cat[:-1][party.str.startswith("external").fillna(False).to_numpy(dtype=bool)] = WAIT_PARTIES.index("external")
    per_cat[:-1][(party == "applicant").fillna(False).to_numpy(dtype=bool)] = WAIT_PARTIES.index("applicant")
    out_codes = per_cat[codes]
    if same_case is not None and len(out_codes):
        out_codes = _party_of_next_step(out_codes, in_values(activity_key, INTERPOSED_KEYS), np.asarray(same_case, dtype=bool))
    return pd.Series(pd.Categorical.from_codes(out_codes, categories=list(WAIT_PARTIES)), index=activity_key.index)


def _party_of_next_step(codes: np.ndarray, interposed: np.ndarray, same_case: np.ndarray) -> np.ndarray:
    """Party codes where each interposed row takes the code of the next non-interposed row of its case."""
    n = len(codes)
    idx = np.arange(n)
    nxt = np.minimum.accumulate(np.where(interposed, n, idx)[::-1])[::-1]  # next non-interposed row at or after i
    case = np.cumsum(~same_case)
    found = (nxt < n) & (case[np.minimum(nxt, n - 1)] == case)
    office = WAIT_PARTIES.index("office")
    taken = np.where(found, codes[np.minimum(nxt, n - 1)], office).astype(codes.dtype)
    return np.where(interposed, taken, codes)


DURATION_COLUMNS = (
    "service_calendar_s", "service_working_s", "waiting_calendar_s", "waiting_working_s", "gap_calendar_s", "gap_working_s",
)
STEP_TIME_COLUMNS = [
    CASE_ID, ACTIVITY, ACTIVITY_KEY, CASE_TYPE, TEAM, OFFICE, "prev_activity", "prev_activity_key",
    "time_basis", "whole_days", "wait_party",
    "service_calendar_s", "service_working_s", "waiting_calendar_s", "waiting_working_s",
    "gap_calendar_s", "gap_working_s",
]


def step_times(log: LogLike, calendar: OfficeCalendar = DEFAULT_CALENDAR) -> pd.DataFrame:
    """Per event row: service, waiting and gap time, each in calendar and working seconds.

    ``time_basis`` is "interval" where the row has a start, else "completion_only": there
    ``service_*`` and ``waiting_*`` stay NaN and only ``gap_*`` (previous end -> this end) exists.
    The previous step is the previous row in the one event order of every statistic (completion
    order, ``stats`` module docstring).
    Waiting is clipped at 0 when a step started before the previous one ended (parallel work).
    The first step of a case has no waiting and no gap. Index is the log's index.

    >>> from procmine.schema import conform
    >>> log = conform(pd.DataFrame({"case_id": ["a", "a"], "activity": ["x", "y"],
    ...     "start": [None, "2024-05-13 08:00Z"], "end": ["2024-05-13 07:00Z", "2024-05-13 09:00Z"],
    ...     "precision": "minute", "office": "O", "event_seq": [1, 2], "source_file": "f", "source_row": [2, 3]}))
    >>> step_times(log)[["waiting_calendar_s", "service_calendar_s", "gap_calendar_s"]].iloc[1].tolist()
    [3600.0, 3600.0, 7200.0]
    """
    log = as_frame(log)
    same = same_case_as_previous(log)
    end = pd.to_datetime(log[END], utc=True)
    start = pd.to_datetime(log[START], utc=True) if START in log.columns else pd.Series(pd.NaT, index=log.index)
    has_start = start.notna().to_numpy()
    prev_end = end.shift(1).where(same)
    wd = day_precision(log)
    prev_wd = np.r_[False, wd[:-1]] & same
    whole = wd | prev_wd

    # the six durations go straight into one float block (no second copy when the frame is built);
    # calendar/working helpers already give NaN where an instant is missing
    values = np.empty((len(DURATION_COLUMNS), len(log)))
    values[0] = calendar_seconds(start, end)
    wait_to = start.where(pd.Series(has_start, index=log.index))
    from_prev = ~(wait_to.isna() | (wait_to >= prev_end) | prev_end.isna()).to_numpy(dtype=bool)
    wait_to = wait_to.where(~from_prev, prev_end)
    values[2] = calendar_seconds(prev_end, wait_to)
    values[4] = calendar_seconds(prev_end, end)
    del wait_to
    # working time: each instant converted to local wall time once (previous end = shifted end)
    local_start, local_end = to_local_wall(start, calendar.tz), to_local_wall(end, calendar.tz)
    local_prev = np.r_[np.array(["NaT"], dtype=local_end.dtype), local_end[:-1]] if len(local_end) else local_end
    local_prev[~same] = np.datetime64("NaT")
    values[1] = working_seconds_local(local_start, local_end, calendar, wd)
    values[3] = working_seconds_local(local_prev, np.where(from_prev, local_prev, local_start), calendar, whole)
    values[5] = working_seconds_local(local_prev, local_end, calendar, whole)
    del prev_end, start, local_start, local_end, local_prev

    key = log[ACTIVITY_KEY] if ACTIVITY_KEY in log.columns else pd.Series(pd.NA, index=log.index)
    meta = pd.DataFrame(
        {
            CASE_ID: log[CASE_ID],
            ACTIVITY: log[ACTIVITY],
            ACTIVITY_KEY: key,
            CASE_TYPE: log[CASE_TYPE] if CASE_TYPE in log.columns else pd.NA,
            TEAM: log[TEAM] if TEAM in log.columns else pd.NA,
            OFFICE: log[OFFICE] if OFFICE in log.columns else pd.NA,
            "prev_activity": log[ACTIVITY].shift(1).where(same),
            "prev_activity_key": key.shift(1).where(same),
            "time_basis": pd.Categorical.from_codes(has_start.astype(np.int8), categories=list(TIME_BASES)),
            "whole_days": wd,
            "wait_party": wait_party(key, same).array,
        },
        index=log.index,
    )
    durations = pd.DataFrame(values.T, index=log.index, columns=list(DURATION_COLUMNS), copy=False)
    return pd.concat([meta, durations], axis=1)


def _basis(s: pd.Series) -> str:
    """Summarise a time_basis column: "interval", "completion_only" or "mixed"."""
    vals = set(s.unique())
    return vals.pop() if len(vals) == 1 else ("mixed" if vals else "none")


def activity_times(log: LogLike, calendar: OfficeCalendar = DEFAULT_CALENDAR) -> pd.DataFrame:
    """Per activity: count and median/mean of service, waiting and gap time (calendar + working).

    Columns: activity, activity_key, events, time_basis, then ``{service,waiting,gap}_{calendar,
    working}_{median,mean}_s``. Service/waiting are NaN for completion-only activities.

    >>> activity_times(log)  # doctest: +SKIP
    """
    log = as_frame(log)
    st = step_times(log, calendar)
    metrics = [f"{m}_{b}_s" for m in ("service", "waiting", "gap") for b in ("calendar", "working")]
    st["activity"] = text_of(st[ACTIVITY], "nan")
    g = st.groupby("activity", sort=True, observed=True)
    med = g[metrics].median().add_suffix("_median")
    mean = g[metrics].mean().add_suffix("_mean")
    med.columns = [c.replace("_s_median", "_median_s") for c in med.columns]
    mean.columns = [c.replace("_s_mean", "_mean_s") for c in mean.columns]
    base = pd.DataFrame(
        {
            ACTIVITY_KEY: g[ACTIVITY_KEY].first().astype("object"),
            "events": g.size(),
            "time_basis": st.groupby("activity", sort=True)["time_basis"].agg(_basis),
        }
    )
    out = pd.concat([base, med, mean], axis=1).reset_index()
    return out


def case_times(log: LogLike, calendar: OfficeCalendar = DEFAULT_CALENDAR) -> pd.DataFrame:
    """Per case: cycle time, summed service and waiting time, calendar and working.

    ``cycle_*``: first instant of the case (first start, else first end) to last end.
    ``service_*`` / ``waiting_*`` are sums over interval rows (NaN when the case has none);
    ``gap_*`` sums over completion-only rows. ``waiting_external_*`` is the part of the waiting
    (or gap, for completion-only rows) spent before a step done by another body.

    >>> case_times(log)  # doctest: +SKIP
    """
    log = as_frame(log)
    st = step_times(log, calendar)
    codes = case_codes(log)
    first_row = ~same_case_as_previous(log)
    end = pd.to_datetime(log[END], utc=True)
    start = pd.to_datetime(log[START], utc=True) if START in log.columns else end
    begin = start.fillna(end)
    interval = st["time_basis"].to_numpy() == "interval"
    comp = ~interval
    ext = st["wait_party"].to_numpy() == "external"
    frame = pd.DataFrame(
        {
            "code": codes,
            "begin": begin,
            "end": end,
            "service_calendar_s": st["service_calendar_s"].where(interval),
            "service_working_s": st["service_working_s"].where(interval),
            "waiting_calendar_s": st["waiting_calendar_s"].where(interval),
            "waiting_working_s": st["waiting_working_s"].where(interval),
            "gap_calendar_s": st["gap_calendar_s"].where(comp),
            "gap_working_s": st["gap_working_s"].where(comp),
            "waiting_external_calendar_s": np.where(
                ext, np.where(interval, st["waiting_calendar_s"], st["gap_calendar_s"]), np.nan
            ),
            "waiting_external_working_s": np.where(
                ext, np.where(interval, st["waiting_working_s"], st["gap_working_s"]), np.nan
            ),
        }
    )
    g = frame.groupby("code", sort=False)
    sums = g[[c for c in frame.columns if c.endswith("_s")]].sum(min_count=1)
    ext_cols = ["waiting_external_calendar_s", "waiting_external_working_s"]
    sums[ext_cols] = sums[ext_cols].fillna(0.0)
    firsts = log.loc[first_row, [CASE_ID] + [c for c in (CASE_TYPE, OFFICE) if c in log.columns]]
    firsts.index = codes[first_row]
    out = firsts.copy()
    out["start"] = g["begin"].min()
    out["end"] = g["end"].max()
    out["cycle_calendar_s"] = calendar_seconds(out["start"], out["end"])
    whole = pd.Series(day_precision(log)).groupby(codes).any()
    out["cycle_working_s"] = working_seconds(out["start"], out["end"], calendar, whole.reindex(out.index).to_numpy())
    out = out.join(sums)
    out["time_basis"] = np.where(
        out["service_calendar_s"].isna(), "completion_only", np.where(out["gap_calendar_s"].isna(), "interval", "mixed")
    )
    return out.reset_index(drop=True)
