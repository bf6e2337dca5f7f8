"""Timestamps: every way an export writes a point in time, read in one place.

One entry point for the normaliser, ``parse_time_column``: one timestamp field of a table (a datetime
column, or a date column plus an optional time-of-day column) -> UTC instants, precision and which rows had
a value. Underneath, in the order tried:

* strict ISO 8601 with seconds and an offset: one Arrow cast of the whole column (``fast_iso_offset``;
  the CSV reader runs it while reading and hands the result on as ``RawTable.iso_hints``);
* fixed-width formats such as the German ``dd.mm.yyyy HH:MM``: decoded from the bytes with numpy
  (``parse_fixed_format``);
* every other value, once per distinct text (``parse_distinct``): the profile's format, ISO 8601 with or
  without offset, Unix epoch seconds or milliseconds, German and other day-first formats
  (``GERMAN_FORMATS``, ``OTHER_FORMATS``), Excel serial days, after written-out parts are tidied
  (weekdays, "Uhr", month names as in "3. März 2025").

Naive local times are read in the profile's time zone (Europe/Berlin): the ambiguous autumn hour is read
as the first occurrence (summer time), times in the spring gap are shifted forward; both are counted.
A new date format is one entry in ``GERMAN_FORMATS`` or ``OTHER_FORMATS`` (and a test).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from procmine.ingest.raw import codes_of

_PRECISION_RANK = {"second": 0, "minute": 1, "day": 2}


GERMAN_FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d.%m.%y %H:%M:%S",
    "%d.%m.%y %H:%M",
    "%d.%m.%y",
)


OTHER_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d/%m/%y %H:%M:%S",  # two-digit years with slashes, day first
    "%d/%m/%y %H:%M",
    "%d/%m/%y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%d.%m.%Y, %H:%M",
    "%d.%m.%Y %H.%M",
    "%Y%m%d%H%M%S",
    "%Y/%m/%d %H:%M:%S.%f",  # Disco / ProM CSV exports (2011/01/03 09:30:00.000)
    "%Y/%m/%d %H:%M",
    "%d-%m-%Y %H:%M:%S",  # day first with dashes (Dutch and other European exports)
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%d.%m.%Y %H:%M:%S.%f",
    "%d/%m/%Y %H:%M:%S.%f",
    "%m/%d/%Y %I:%M:%S %p",  # AM/PM clock: an English (US) export, month first
    "%m/%d/%Y %I:%M %p",
)


_NUMBER = r"^-?\d+(?:[.,]\d+)?$"


def _fmt_precision(fmt: str) -> str:
    if "%S" in fmt:
        return "second"
    if "%M" in fmt:
        return "minute"
    return "day"


@dataclass
class ParsedTimes:
    """Parsed values for the distinct strings of a column (aligned with its categories)."""

    utc: np.ndarray  # datetime64[us], UTC wall time, NaT where not parsed
    naive: np.ndarray  # datetime64[us] local wall time before localisation (for combining date + time)
    precision: np.ndarray  # object: second/minute/day or None
    aware: np.ndarray  # bool: the string carried its own offset


def _localise(naive: pd.Series, tz: str) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Local wall times -> UTC; ambiguous -> first occurrence (DST), nonexistent -> shifted forward."""
    n = len(naive)
    if n == 0:
        return pd.Series([], dtype="datetime64[us, UTC]"), np.zeros(0, bool), np.zeros(0, bool)
    loc = naive.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    bad = (loc.isna() & naive.notna()).to_numpy()
    ambiguous = np.zeros(n, dtype=bool)
    nonexistent = np.zeros(n, dtype=bool)
    if bad.any():
        sub = naive[bad]
        first = sub.dt.tz_localize(tz, ambiguous=np.ones(len(sub), dtype=bool), nonexistent="NaT")
        is_amb = first.notna().to_numpy()
        shifted = sub.dt.tz_localize(tz, ambiguous=np.ones(len(sub), dtype=bool), nonexistent="shift_forward")
        fixed = first.where(first.notna(), shifted)
        loc = loc.copy()
        loc[bad] = fixed.to_numpy()
        ambiguous[np.flatnonzero(bad)[is_amb]] = True
        nonexistent[np.flatnonzero(bad)[~is_amb]] = True
    return loc.dt.tz_convert("UTC"), ambiguous, nonexistent


def _excel_serial(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Excel serial day numbers (1900 system) as naive datetimes and their precision."""
    num = pd.to_numeric(values.str.replace(",", ".", regex=False), errors="coerce")
    num = num.where((num >= 20000) & (num <= 80000))
    secs = (num * 86400).round()
    dtv = pd.Timestamp("1899-12-30") + pd.to_timedelta(secs, unit="s")
    frac = (secs % 86400).to_numpy()
    prec = np.where(frac == 0, "day", np.where(frac % 60 == 0, "minute", "second")).astype(object)
    return dtv, prec


def _arrow_strings(values: pd.Index | pd.Series, chunked: bool = False) -> pa.Array | pa.ChunkedArray | None:
    """The values as arrow strings (zero-copy for arrow-backed pandas text); None if not text.

    With ``chunked`` the reader's pieces are kept as they are (no concatenated copy of the column).
    """
    try:
        arr = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return None
    if isinstance(arr, pa.ChunkedArray) and not chunked:
        arr = pa.concat_arrays(arr.chunks) if arr.num_chunks != 1 else arr.chunk(0)
    if pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    return arr if pa.types.is_string(arr.type) else None


def parse_distinct(values: pd.Index | pd.Series, fmt: str = "auto", allow_excel: bool = True) -> ParsedTimes:
    """Parse distinct timestamp strings: explicit format first, then fallbacks on what failed.

    With the automatic format, strict ISO values with offset are parsed first in one arrow cast
    (the same result the ISO step below gives them); only the rest takes the careful path.
    """
    if fmt and fmt != "auto":
        return _parse_distinct(values, fmt, allow_excel)
    arr = _arrow_strings(values)
    fast = fast_iso_offset(arr) if arr is not None and len(arr) else None
    if fast is None or arr is None:
        return _parse_distinct(values, fmt, allow_excel)
    done, utc_fast = fast
    n = len(arr)
    utc = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    naive = utc.copy()
    prec = np.full(n, None, dtype=object)
    aware = np.zeros(n, dtype=bool)
    utc[done] = utc_fast
    aware[done] = True
    prec[done] = "second"
    rest = np.flatnonzero(~done)
    if len(rest):
        sub_vals = pd.Index(arr.take(pa.array(rest)).to_numpy(zero_copy_only=False), dtype=object)
        sub = _parse_distinct(sub_vals, fmt, allow_excel)
        utc[rest], naive[rest], prec[rest], aware[rest] = sub.utc, sub.naive, sub.precision, sub.aware
    return ParsedTimes(utc=utc, naive=naive, precision=prec, aware=aware)


_WEEKDAY = r"(?:Mo|Di|Mi|Do|Fr|Sa|So|Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+"


_MONTHS = {
    "jan": 1, "feb": 2, "mär": 3, "maer": 3, "mar": 3, "apr": 4, "mai": 5, "may": 5, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "okt": 10, "oct": 10, "nov": 11, "dez": 12, "dec": 12,
}


_MONTH_NAME = re.compile(r"^(\d{1,2})\.?[\s-]*(jan|feb|mär|maer|mar|apr|mai|may|jun|jul|aug|sep|okt|oct|nov|dez|dec)[a-zä]*[\s.-]+(\d{2,4})",
                         re.IGNORECASE)


def _tidy_timestamp_text(s: pd.Series) -> pd.Series:
    """Written-out parts of German and English timestamps reduced to numbers the formats read: a leading
    weekday ("Mo, 04.03.2024"), a trailing "Uhr" ("09:15 Uhr"), month names ("4. März 2024",
    "04-Mar-2024") and dotted ISO dates ("2024.03.04"). Runs on distinct values only."""
    out = s.astype(str).str.strip()
    out = out.str.replace(_WEEKDAY, "", regex=True, n=1, case=False).where(out.str.match(_WEEKDAY, case=False), out)
    out = out.str.replace(r"\s*Uhr\s*$", "", regex=True, case=False)
    out = out.str.replace(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})(?=$|[ T])", r"\1-\2-\3", regex=True)
    named = out.str.extract(_MONTH_NAME)[0].notna()
    if named.any():
        out = out.where(~named, out[named].str.replace(
            _MONTH_NAME, lambda m: f"{m.group(1)}.{_MONTHS[m.group(2).casefold()]}.{m.group(3)}", regex=True))
    return out


def _parse_distinct(values: pd.Index | pd.Series, fmt: str = "auto", allow_excel: bool = True) -> ParsedTimes:
    """The careful parse: every format in order on the values still unparsed (written-out weekdays,
    "Uhr" and month names tidied first when the format is automatic)."""
    s = pd.Series(values, dtype=object) if not isinstance(values, pd.Index) else pd.Series(values.astype(str), dtype=object)
    if not fmt or fmt == "auto":
        s = _tidy_timestamp_text(s)
    n = len(s)
    out = ParsedTimes(
        utc=np.full(n, np.datetime64("NaT"), dtype="datetime64[us]"),
        naive=np.full(n, np.datetime64("NaT"), dtype="datetime64[us]"),
        precision=np.full(n, None, dtype=object),
        aware=np.zeros(n, dtype=bool),
    )
    todo = np.ones(n, dtype=bool)
    formats: list[str] = [fmt] if fmt and fmt != "auto" else []
    formats += ["ISO8601", "epoch", *GERMAN_FORMATS, *OTHER_FORMATS]
    if allow_excel:
        formats.append("excel")
    for f in dict.fromkeys(formats):
        if not todo.any():
            break
        idx = np.flatnonzero(todo)
        read = _READ_AS.get(f, _read_strptime)
        todo[read(s.iloc[idx], idx, out, f)] = False
    return out


def _read_excel(sub: pd.Series, idx: np.ndarray, out: ParsedTimes, fmt: str) -> np.ndarray:
    """Excel serial day numbers among ``sub`` (the values at positions ``idx``) into ``out``; the positions read."""
    numeric = sub.str.match(_NUMBER).to_numpy()
    if not numeric.any():
        return idx[:0]
    idx, sub = idx[numeric], sub[numeric]
    parsed, p = _excel_serial(sub)
    ok = parsed.notna().to_numpy()
    out.naive[idx[ok]] = parsed[ok].to_numpy().astype("datetime64[us]")
    out.precision[idx[ok]] = p[ok]
    return idx[ok]


def _read_epoch(sub: pd.Series, idx: np.ndarray, out: ParsedTimes, fmt: str) -> np.ndarray:
    """Unix seconds or milliseconds (UTC)."""
    secs, ok = _epoch_seconds(sub)
    j = idx[ok]
    out.utc[j] = (np.round(secs[ok] * 1_000_000)).astype(np.int64).astype("datetime64[us]")
    out.aware[j] = True
    out.precision[j] = "second"
    return j


def _read_iso(sub: pd.Series, idx: np.ndarray, out: ParsedTimes, fmt: str) -> np.ndarray:
    """ISO 8601 dates and times, with an offset (to UTC) or without (local wall time)."""
    arr = pa.array(sub.to_numpy(dtype=object), type=pa.string())
    iso = np.asarray(pc.match_substring_regex(arr, r"^\d{4}-\d{2}-\d{2}").fill_null(False), dtype=bool)
    if not iso.any():
        return idx[:0]
    idx, sub, arr = idx[iso], sub[iso], arr.filter(pa.array(iso))
    has_off = np.asarray(
        pc.match_substring_regex(arr, r"[T ]\d{1,2}:\d{2}.*(?:Z|[+-]\d{2}:?\d{2})$").fill_null(False), dtype=bool
    )
    p_all = _iso_precision_arrow(arr)
    done = []
    for offset in (True, False):
        sel = has_off if offset else ~has_off
        if not sel.any():
            continue
        j, vals = idx[sel], _iso_parse(arr.filter(pa.array(sel)), sub[sel], offset)
        ok = ~np.isnat(vals)
        (out.utc if offset else out.naive)[j[ok]] = vals[ok]
        out.aware[j[ok]] = offset
        out.precision[j[ok]] = p_all[sel][ok]
        done.append(j[ok])
    return np.concatenate(done) if done else idx[:0]


def _read_strptime(sub: pd.Series, idx: np.ndarray, out: ParsedTimes, fmt: str) -> np.ndarray:
    """Values written in the strptime format ``fmt`` (``GERMAN_FORMATS``, ``OTHER_FORMATS``, the profile's)."""
    try:
        parsed = pd.to_datetime(sub, format=fmt, errors="coerce")
    except (ValueError, TypeError):
        return idx[:0]
    ok = parsed.notna().to_numpy()
    j = idx[ok]
    if not ok.any():
        return j
    if getattr(parsed.dt, "tz", None) is not None:
        out.utc[j] = parsed[ok].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[us]")
        out.aware[j] = True
    else:
        out.naive[j] = parsed[ok].to_numpy().astype("datetime64[us]")
    out.precision[j] = _fmt_precision(fmt)
    return j


_READ_AS: dict[str, Callable[[pd.Series, np.ndarray, ParsedTimes, str], np.ndarray]] = {
    "excel": _read_excel,
    "epoch": _read_epoch,
    "ISO8601": _read_iso,
}


EPOCH_RANGE_S = (631_152_000, 4_102_444_800)  # 1990-01-01 .. 2100-01-01 in Unix seconds


def _epoch_seconds(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Unix timestamps (UTC) written as whole seconds (9-10 digits) or milliseconds (12-13 digits) within
    1990-2100 -> (seconds, which values are such); other numbers (Excel serials, yyyymmdd) are not."""
    text = values.astype(str).str.strip()
    digits = text.str.fullmatch(r"\d{9,10}|\d{12,13}").to_numpy(dtype=bool)
    secs = np.full(len(text), np.nan)
    if digits.any():
        num = pd.to_numeric(text[digits], errors="coerce").to_numpy(dtype=float)
        ms = text[digits].str.len().to_numpy() >= 12
        secs[digits] = np.where(ms, num / 1000.0, num)
    lo, hi = EPOCH_RANGE_S
    return secs, digits & (secs >= lo) & (secs < hi)


def _iso_parse(arr: pa.Array, sub: pd.Series, offset: bool) -> np.ndarray:
    """Strict ISO 8601 parse (arrow's fast cast; pandas on failure). Offsets -> UTC wall time."""
    try:
        typ = pa.timestamp("us", tz="UTC") if offset else pa.timestamp("us")
        out = pc.cast(arr, typ)
        if offset:
            out = out.cast(pa.timestamp("us"))
        return np.asarray(out.to_numpy(zero_copy_only=False), dtype="datetime64[us]")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    if offset:
        parsed = pd.to_datetime(sub, format="ISO8601", utc=True, errors="coerce").dt.tz_localize(None)
    else:
        parsed = pd.to_datetime(sub, format="ISO8601", errors="coerce")
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)
    return parsed.to_numpy().astype("datetime64[us]")


def _iso_precision_arrow(arr: pa.Array) -> np.ndarray:
    sec = np.asarray(pc.match_substring_regex(arr, r"^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}:\d{2}").fill_null(False), dtype=bool)
    minute = sec.copy()
    if not sec.all():
        rest = np.flatnonzero(~sec)
        minute[rest] = np.asarray(
            pc.match_substring_regex(arr.take(pa.array(rest)), r"^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}").fill_null(False), dtype=bool
        )
    return np.where(sec, "second", np.where(minute, "minute", "day")).astype(object)


def _parse_time_of_day(values: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Distinct time-of-day strings (HH:MM[:SS], Excel day fractions) -> timedelta and precision."""
    s = pd.Series(np.asarray(values, dtype=object), dtype=object).astype(str).str.strip()
    td = np.full(len(s), np.timedelta64("NaT"), dtype="timedelta64[us]")
    prec = np.full(len(s), None, dtype=object)
    m = s.str.extract(r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\s*Uhr)?$")
    ok = m[0].notna().to_numpy()
    if ok.any():
        h = pd.to_numeric(m[0], errors="coerce")
        mi = pd.to_numeric(m[1], errors="coerce")
        se = pd.to_numeric(m[2], errors="coerce")
        valid = ok & (h < 24).to_numpy() & (mi < 60).to_numpy() & ((se.fillna(0) < 60).to_numpy())
        total = (h * 3600 + mi * 60 + se.fillna(0)).to_numpy()
        td[valid] = (total[valid] * 1_000_000).astype("int64").astype("timedelta64[us]")
        prec[valid] = np.where(m[2].notna().to_numpy()[valid], "second", "minute")
    frac = pd.to_numeric(s.str.replace(",", ".", regex=False), errors="coerce").to_numpy()
    fr = ~ok & (frac >= 0) & (frac < 1)
    if fr.any():
        secs = np.round(frac[fr] * 86400)
        td[fr] = (secs * 1_000_000).astype("int64").astype("timedelta64[us]")
        prec[fr] = np.where(secs % 60 == 0, "minute", "second")
    iso = ~ok & ~fr & s.str.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}").to_numpy()
    if iso.any():  # a full datetime in the time column: take its time of day
        p = pd.to_datetime(s[iso], format="ISO8601", errors="coerce")
        t = (p - p.dt.normalize()).to_numpy().astype("timedelta64[us]")
        td[iso] = t
        prec[iso] = "second"
    return td, prec


_NO_HINT = object()


def _parse_rows(
    values: pd.Series, fmt: str, hint: object = _NO_HINT
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-row (naive, utc, precision rank, aware, present) of a timestamp column, each distinct text parsed once.

    Categoricals are parsed on their categories. Plain text columns (nearly every value distinct) take
    the strict-ISO arrow cast on the whole column first, exactly as ``parse_distinct`` does on distinct
    values, and parse only the distinct values of the remaining rows the careful way.
    """
    n = len(values)
    if isinstance(values.dtype, pd.CategoricalDtype):
        return _parse_categorical_rows(values, fmt)
    present = values.notna().to_numpy()
    fast: tuple[np.ndarray, np.ndarray] | None = None
    if (not fmt or fmt == "auto") and present.any():
        given = cast("tuple[np.ndarray, np.ndarray] | None", hint)
        if hint is not _NO_HINT and (given is None or len(given[0]) == n):
            fast = given  # computed while reading (``RawTable.iso_hints``)
        else:
            arr = _arrow_strings(values, chunked=True)
            fast = fast_iso_offset(arr) if arr is not None else None
        if fast is not None and len(fast[0]) == n and bool(fast[0].all()):  # every value a strict ISO hit
            never = np.broadcast_to(np.datetime64("NaT", "us"), (n,))  # no naive wall time (read-only, no memory)
            return never, np.asarray(fast[1], dtype="datetime64[us]"), np.zeros(n, dtype=np.int8), np.ones(n, dtype=bool), present
    naive = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    utc = naive.copy()
    prec = np.full(n, -1, dtype=np.int8)
    aware = np.zeros(n, dtype=bool)
    todo = present.copy()
    if fast is not None:  # the strict ISO values of an automatic format (above)
        hit, utc_hit = fast
        utc[hit] = utc_hit
        aware[hit] = True
        prec[hit] = _PRECISION_RANK["second"]
        todo &= ~hit
    if todo.any():  # whole-column passes for the usual fixed formats (German dates); leftovers below
        arr = _arrow_strings(values, chunked=True)
        for f in _exact_formats(fmt) if arr is not None else ():
            assert arr is not None
            rows = np.flatnonzero(todo)
            if not len(rows):
                break
            found = parse_fixed_format(arr if len(rows) == n else arr.take(pa.array(rows)), f)
            if found is None:
                continue
            hit, vals = found
            if hit.any():
                naive[rows[hit]] = vals[hit]
                prec[rows[hit]] = _PRECISION_RANK[_fmt_precision(f)]
                todo[rows[hit]] = False
    rest = np.flatnonzero(todo)
    if len(rest):
        codes, uniques = pd.factorize(values.iloc[rest])
        parsed = parse_distinct(pd.Index(np.asarray(uniques, dtype=object), dtype=object), fmt)
        naive[rest], utc[rest] = parsed.naive[codes], parsed.utc[codes]
        prec[rest], aware[rest] = precision_ranks(parsed.precision)[codes], parsed.aware[codes]
    return naive, utc, prec, aware, present


def _parse_categorical_rows(
    values: pd.Series, fmt: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``_parse_rows`` of a categorical: its categories parsed, then taken through the codes."""
    codes = codes_of(values)
    parsed = parse_distinct(values.cat.categories, fmt)
    valid = codes >= 0
    c = np.where(valid, codes, 0)
    nat = np.datetime64("NaT")
    naive = np.where(valid, parsed.naive[c] if len(parsed.naive) else nat, nat)
    utc = np.where(valid, parsed.utc[c] if len(parsed.utc) else nat, nat)
    prec_u = precision_ranks(parsed.precision)
    prec = np.where(valid, prec_u[c] if len(prec_u) else -1, -1).astype(np.int8)
    aware = np.where(valid, parsed.aware[c] if len(parsed.aware) else False, False)
    return naive, utc, prec, aware, valid.copy()


def _exact_formats(fmt: str) -> list[str]:
    """The formats the careful parse would try, in its order, that a whole-column pass can take exactly:
    fixed-width fields with a four-digit year and no zone (the profile's first, then the German ones)."""
    candidates = ([fmt] if fmt and fmt != "auto" else []) + list(GERMAN_FORMATS)
    return [f for f in dict.fromkeys(candidates) if is_fixed_format(f)]


def precision_ranks(names: np.ndarray) -> np.ndarray:
    """Precision names (second/minute/day, None) of distinct values -> int8 rank (0/1/2, -1 missing)."""
    return np.asarray([_PRECISION_RANK.get(v, -1) if isinstance(v, str) else -1 for v in names], dtype=np.int8)


@dataclass
class TimeColumn:
    """Per-row parse result of one timestamp field."""

    utc: pd.Series  # datetime64[us, UTC]
    precision: np.ndarray  # int8 rank: 0 second, 1 minute, 2 day, -1 missing (``schema.PRECISIONS`` order)
    present: np.ndarray  # bool: the source had a value
    column: str  # source header (for quarantine messages)
    raw: pd.Series  # the categorical source values (date column when split)
    notes: dict[str, int]
    ambiguous: np.ndarray | None = None  # bool per row: a local time of the repeated autumn hour (read as summer time)


def parse_time_column(
    data: pd.DataFrame, col: str | None, date_col: str | None, time_col: str | None, fmt: str, tz: str,
    hints: dict[str, tuple[np.ndarray, np.ndarray] | None] | None = None,
) -> TimeColumn | None:
    """Parse one timestamp field: a datetime column, or a date column plus an optional time column.

    ``hints`` are the reader's ISO casts of plain-text columns (``RawTable.iso_hints``), reused as they are.
    """
    src = col or date_col
    if src is None:
        return None
    cat = data[src]
    naive, utc_direct, prec, aware, present = _parse_rows(cat, fmt, (hints or {}).get(src, _NO_HINT))
    notes: dict[str, int] = {}
    if time_col is not None and col is None:
        tcat = data[time_col]
        tcodes = codes_of(tcat)
        td_u, tp_u = _parse_time_of_day(tcat.cat.categories)
        has_t = tcodes >= 0
        tc = np.where(has_t, tcodes, 0)
        td = np.where(has_t, td_u[tc] if len(td_u) else np.timedelta64("NaT"), np.timedelta64("NaT"))
        tp_r = precision_ranks(tp_u)
        tp = np.where(has_t, tp_r[tc] if len(tp_r) else -1, -1).astype(np.int8)
        bad_time = has_t & pd.isna(td)
        use = has_t & ~bad_time & ~aware & ~pd.isna(naive)
        day = naive.astype("datetime64[D]").astype("datetime64[us]")
        naive = np.where(use, day + np.where(use, td, np.timedelta64(0, "us")), naive)
        prec = np.where(use, tp, prec).astype(np.int8)
        # an unreadable time makes the whole timestamp unreadable (never silently day precision)
        naive = np.where(bad_time, np.datetime64("NaT"), naive)
        prec = np.where(bad_time, -1, prec).astype(np.int8)
    need = np.zeros(len(aware), dtype=bool) if aware.all() else ~aware & ~np.isnat(naive.astype("datetime64[us]"))
    out = _utc_series(utc_direct)
    ambiguous_rows = None
    if need.any():
        # every wall time at once: pandas localises a column by a search over the zone's transitions, which
        # is cheaper than first sorting the values to localise only the distinct ones
        every = bool(need.all())
        local = naive.astype("datetime64[us]", copy=False)
        loc, amb, nonex = _localise(pd.Series(local if every else local[need]), tz)
        if every:
            out = loc
        else:
            vals = np.array(_naive_utc(out))  # integer-backed copies: no Timestamp objects per row
            vals[need] = _naive_utc(loc)
            out = _utc_series(vals)
        if amb.any():
            notes["dst_ambiguous_resolved"] = int(amb.sum())
            ambiguous_rows = np.zeros(len(need), dtype=bool)
            ambiguous_rows[np.flatnonzero(need)] = amb
        if nonex.any():
            notes["dst_nonexistent_shifted"] = int(nonex.sum())
    prec = _midnight_as_day(out, prec, tz, notes)
    return TimeColumn(utc=out, precision=prec, present=present, column=src, raw=cat, notes=notes, ambiguous=ambiguous_rows)


def _midnight_as_day(utc: pd.Series, prec: np.ndarray, tz: str, notes: dict[str, int]) -> np.ndarray:
    """A column whose every read time is exactly local midnight holds dates written with a zero time
    ("05.03.2024 00:00"): day precision, not a clock time (nor a batch entry at midnight). Only whole
    UTC hours can be local midnight, so the zone conversion runs only when every value is one."""
    hour = 3_600_000_000  # microseconds
    us = _naive_utc(utc).view(np.int64)
    head = us[:1000]
    if (head[head != np.iinfo(np.int64).min] % hour).any():
        return prec  # the usual column: a clock time within its first values (no pass over the rest)
    valid = us != np.iinfo(np.int64).min
    finer = valid & (prec >= 0) & (prec < _PRECISION_RANK["day"])
    if not finer.any() or (us[valid] % hour).any():
        return prec
    local = utc[valid].dt.tz_convert(tz).dt.tz_localize(None).to_numpy().astype("datetime64[us]").astype(np.int64)
    if (local % 86_400_000_000).any():
        return prec
    notes["midnight_read_as_day_precision"] = int(finer.sum())
    return np.where(finer, _PRECISION_RANK["day"], prec).astype(np.int8)


def _end_in_second_autumn_hour(end: TimeColumn, start: TimeColumn, tz: str) -> tuple[TimeColumn, int]:
    """Ends in the repeated autumn hour that lie before their start when read as summer time are read as
    the second pass of that hour (standard time): a step cannot end before it starts, so only that reading
    fits. Returns the end column and how many ends were re-read."""
    if end.ambiguous is None or not end.ambiguous.any():
        return end, 0
    rows = np.flatnonzero(end.ambiguous)  # few: compared on these rows only
    e, e_ok = _us_and_valid(end.utc.iloc[rows])
    s, s_ok = _us_and_valid(start.utc.iloc[rows])
    fix = rows[e_ok & s_ok & (s > e)]
    if not len(fix):
        return end, 0
    local = end.utc.iloc[fix].dt.tz_convert(tz).dt.tz_localize(None)
    later = local.dt.tz_localize(tz, ambiguous=np.zeros(len(fix), dtype=bool)).dt.tz_convert("UTC")
    end.utc.iloc[fix] = later.to_numpy()  # the column's own parse result: changed in place, no second copy
    return end, len(fix)


def _nat(n: int) -> pd.Series:
    return pd.Series(pd.NaT, index=range(n), dtype="datetime64[us, UTC]")


_UTC_US = pd.DatetimeTZDtype("us", "UTC")


def _utc_series(naive_utc: np.ndarray) -> pd.Series:
    """Naive UTC instants as a ``datetime64[us, UTC]`` Series, marked UTC without copying the values
    (pandas' public constructors copy them: a fresh column of memory each time)."""
    values = np.asarray(naive_utc).astype("datetime64[us]", copy=False)
    try:
        return pd.Series(pd.arrays.DatetimeArray._simple_new(values, dtype=_UTC_US), copy=False)
    except (AttributeError, TypeError):  # pandas internals moved: the public (copying) way
        return pd.Series(values, dtype=_UTC_US)


def _naive_utc(s: pd.Series) -> np.ndarray:
    """UTC instants as naive datetime64[us] (fast numpy path; conform() marks them UTC again).

    A column already in UTC microseconds is returned as a read-only view, without a copy.
    """
    dtype = getattr(s, "dtype", None)
    if isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC" and dtype.unit == "us":
        view = np.asarray(s.array.asi8).view("datetime64[us]")
        view.flags.writeable = False
        return view
    s = pd.to_datetime(s, utc=True)
    return s.dt.tz_localize(None).to_numpy().astype("datetime64[us]")


def _us_and_valid(utc: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """UTC instants as integer microseconds, and which are not missing."""
    us = _naive_utc(utc).view(np.int64)  # no copy: read only here
    return us, us != np.iinfo(np.int64).min


def _instant_us(ts: pd.Timestamp) -> int:
    """A timestamp as integer microseconds since the epoch (UTC)."""
    return int(pd.Timestamp(ts).tz_convert("UTC").tz_localize(None).to_datetime64().astype("datetime64[us]").astype(np.int64))


# --- whole-column fast paths: strict ISO with offset (arrow), fixed-width formats (numpy on the bytes) ---


_ISO_OFFSET_SECONDS = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:?\d{2})$"


def fast_iso_offset(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray] | None:
    """Values that are strict ISO 8601 with seconds and offset -> (mask, UTC wall time); None if none.

    Usual exports hold nothing but such values: the whole column is cast at once and the cast's output
    checked for the strict layout on the raw bytes (``_strict_layout``). Anything else goes through the
    regular expression first, then the cast of the matching values.
    """
    head = arr.slice(0, 200)
    if len(arr) and not pc.any(pc.match_substring_regex(head, r"^\d{4}-")).as_py():
        return None  # not ISO at the start (e.g. German dates): the careful parse takes the column
    if len(arr) and arr.null_count == 0:
        mask = _strict_layout(arr)  # cheap, on the bytes: the cast is tried only when every value fits
        if mask is not None and mask.all():
            try:
                parsed = pc.cast(arr, pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us"))
                return mask, np.asarray(parsed.to_numpy(zero_copy_only=False), dtype="datetime64[us]")
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass  # e.g. 2024-02-30: the pattern path below decides value by value
    hit = pc.match_substring_regex(arr, _ISO_OFFSET_SECONDS).fill_null(False)
    hits = pc.sum(hit).as_py() or 0
    if not hits:
        return None
    try:
        chosen = arr if hits == len(arr) else arr.filter(hit)
        parsed = pc.cast(chosen, pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # e.g. 2024-02-30: the careful path decides value by value
    mask = np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)
    return mask, np.asarray(parsed.to_numpy(zero_copy_only=False), dtype="datetime64[us]")


_B = {c: ord(c) for c in "T :.Z+-"}
_B["-"] = ord("-")


def _strict_layout(arr: pa.Array | pa.ChunkedArray) -> np.ndarray | None:
    """For values Arrow's ISO cast accepted: which have the layout ``_ISO_OFFSET_SECONDS`` demands
    (date, ``T`` or space, hh:mm:ss, 1-6 fraction digits, ``Z`` or ``±hh[:]mm``), checked on the bytes.

    The cast has already checked digits and ranges; what it accepts beyond the pattern (no seconds,
    ``±hh`` offsets, long fractions) differs only in these positions. None for non-plain-string input.
    """
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    parts = []
    for chunk in chunks:
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)) or chunk.null_count:
            return None
        _, off_buf, data_buf = chunk.buffers()
        off_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offs = np.frombuffer(off_buf, dtype=off_type)[chunk.offset : chunk.offset + len(chunk) + 1].astype(np.int64)
        data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, dtype=np.uint8)
        start, length = offs[:-1], np.diff(offs)
        if not len(data):
            parts.append(np.zeros(len(chunk), dtype=bool))
            continue
        width = int(length[0]) if len(length) else 0
        if width >= 20 and int(offs[-1]) - int(offs[0]) == len(chunk) * width and bool((length == width).all()):
            parts.append(_uniform_layout(data[int(offs[0]) : int(offs[-1])].reshape(len(chunk), width)))
            continue  # every value of one width, back to back: the bytes at each position are a column view
        end = np.maximum(start + length - 1, 0)  # last byte of each value (clamped: short values fail anyway)

        at = functools.partial(_byte_at, data, start, end)  # byte k of every value, never past its end

        ok = length >= 20
        last = data[end]
        ok &= (at(4) == _B["-"]) & (at(7) == _B["-"]) & ((at(10) == _B["T"]) | (at(10) == _B[" "]))
        ok &= (at(13) == _B[":"]) & (at(16) == _B[":"])
        zulu = last == _B["Z"]
        colon = at(length - 3) == _B[":"]
        zone = np.where(zulu, 1, np.where(colon, 6, 5))
        sign = at(length - zone)
        ok &= zulu | (sign == _B["+"]) | (sign == _B["-"])
        frac = length - 19 - zone
        ok &= (frac == 0) | ((frac >= 2) & (frac <= 7) & (at(19) == _B["."]))
        parts.append(ok)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


def _uniform_layout(grid: np.ndarray) -> np.ndarray:
    """``_strict_layout`` for values of one width: row i of ``grid`` is value i's bytes."""
    width = grid.shape[1]
    ok = (grid[:, 4] == _B["-"]) & (grid[:, 7] == _B["-"]) & ((grid[:, 10] == _B["T"]) | (grid[:, 10] == _B[" "]))
    ok &= (grid[:, 13] == _B[":"]) & (grid[:, 16] == _B[":"])
    zulu = grid[:, width - 1] == _B["Z"]
    colon = grid[:, width - 3] == _B[":"]
    sign = np.where(colon, grid[:, width - 6], grid[:, width - 5]) if width >= 6 else np.zeros(len(grid), np.uint8)
    ok &= zulu | (sign == _B["+"]) | (sign == _B["-"])
    zone = np.where(zulu, 1, np.where(colon, 6, 5))
    frac = width - 19 - zone
    ok &= (frac == 0) | ((frac >= 2) & (frac <= 7) & (grid[:, 19] == _B["."]))
    return ok


_FIELD_WIDTH = {"d": 2, "m": 2, "Y": 4, "H": 2, "M": 2, "S": 2}
_FIXED_FORMAT = re.compile(r"(?:%[dmYHMS]|[ ./:\-T])+")


def _fixed_layout(fmt: str) -> tuple[int, dict[str, int], list[tuple[int, int]]] | None:
    """Byte layout of a fixed-width format: total length, start of each field, (position, byte) of each
    separator; None when the format has other directives (zones, names, two-digit years)."""
    if not _FIXED_FORMAT.fullmatch(fmt) or "%Y" not in fmt:
        return None
    pos, fields, literals, i = 0, {}, [], 0
    while i < len(fmt):
        if fmt[i] == "%":
            code = fmt[i + 1]
            if code in fields:
                return None  # a field twice: not a layout this parser takes
            fields[code] = pos
            pos += _FIELD_WIDTH[code]
            i += 2
        else:
            literals.append((pos, ord(fmt[i])))
            pos += 1
            i += 1
    return pos, fields, literals


def is_fixed_format(fmt: str) -> bool:
    """Whether ``parse_fixed_format`` takes this format (fixed-width fields, four-digit year, no zone)."""
    return _fixed_layout(fmt) is not None


def parse_fixed_format(arr: pa.Array | pa.ChunkedArray, fmt: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Values written exactly in a fixed-width ``fmt`` (e.g. ``%d.%m.%Y %H:%M``: padded fields, four-digit
    year) -> (mask, naive datetimes), decoded from the bytes with numpy. Calendar-checked: 31.02. or
    24:00 are no hit (left to the careful parse). None when ``fmt`` is not such a format."""
    layout = _fixed_layout(fmt)
    if layout is None:
        return None
    width, fields, literals = layout
    masks, values = [], []
    for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            return None
        n = len(chunk)
        _, off_buf, data_buf = chunk.buffers()
        off_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offs = np.frombuffer(off_buf, dtype=off_type)[chunk.offset : chunk.offset + n + 1]
        data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, dtype=np.uint8)
        start = offs[:-1].astype(np.int64)
        ok = np.diff(offs) == width
        if chunk.null_count:
            ok &= np.asarray(chunk.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        if not len(data) or not ok.any():
            masks.append(np.zeros(n, dtype=bool))
            values.append(np.full(n, np.datetime64("NaT"), dtype="datetime64[us]"))
            continue
        byte: Callable[[int], np.ndarray]  # the k-th byte (uint8) of every value
        if ok.all() and int(offs[-1]) - int(offs[0]) == n * width:  # every value of the width, back to back
            byte = functools.partial(_grid_byte, data[int(offs[0]) : int(offs[-1])].reshape(n, width))  # row i = value i
        else:  # rows of another length read from 0 (masked out anyway)
            byte = functools.partial(_flat_byte, data, np.where(ok, start, 0), len(data) - 1)

        for p, b in literals:
            ok &= byte(p) == b
        num = {}
        for code, p in fields.items():
            value = np.zeros(n, dtype=np.int32)
            for k in range(_FIELD_WIDTH[code]):
                digit = byte(p + k).astype(np.int32) - 48
                ok &= (digit >= 0) & (digit <= 9)
                value = value * 10 + digit
            num[code] = value.astype(np.int64)
        year, month, day = num["Y"], num.get("m", np.ones(n, np.int64)), num.get("d", np.ones(n, np.int64))
        hour, minute, second = (num.get(c, np.zeros(n, np.int64)) for c in "HMS")
        ok &= (month >= 1) & (month <= 12) & (day >= 1) & (hour <= 23) & (minute <= 59) & (second <= 59)
        ok &= (year >= 1) & (year <= 9999)
        months = np.where(ok, (year - 1970) * 12 + (month - 1), 0).astype("datetime64[M]")
        first = months.astype("datetime64[D]")
        ok &= day <= ((months + 1).astype("datetime64[D]") - first).astype(np.int64)
        stamp = (first.astype("datetime64[us]") + ((day - 1) * 86400 + hour * 3600 + minute * 60 + second) * 1_000_000)
        masks.append(ok)
        values.append(np.where(ok, stamp, np.datetime64("NaT")).astype("datetime64[us]"))
    if not masks:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype="datetime64[us]")
    return np.concatenate(masks), np.concatenate(values)


def _grid_byte(grid: np.ndarray, k: int) -> np.ndarray:
    """Byte ``k`` of every value, for values of one width stored back to back (a column view)."""
    return grid[:, k]


def _flat_byte(data: np.ndarray, at: np.ndarray, last: int, k: int) -> np.ndarray:
    """Byte ``k`` of every value starting at ``at`` (never past the end of the buffer)."""
    return data[np.minimum(at + k, last)]


def _byte_at(data: np.ndarray, start: np.ndarray, end: np.ndarray, k: np.ndarray | int) -> np.ndarray:
    """Byte ``k`` of every value (``start``: first byte, ``end``: last byte of each; never past it)."""
    return data[np.minimum(start + k, end)]
