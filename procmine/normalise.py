"""RawTable + Profile -> canonical event log, quarantine and data-quality report (vectorised).

Every source row ends up either in the log (as one or more events) or in the quarantine with a reason,
the column and its original values (case and staff ids pseudonymised, personal columns never loaded).
Timestamps are parsed once per distinct value: the profile's format first, then fallback formats in
order on the values that failed. Naive local times are read in the profile's time zone (Europe/Berlin):
the ambiguous autumn hour is read as the first occurrence (summer time), times in the spring gap are
shifted forward; both are counted in ``quality.notes``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from procmine import catalogue, runtime, schema
from procmine.errors import InputProblem
from procmine.ingest.isotime import is_fixed_format, parse_fixed_format
from procmine.ingest.isotime import fast_iso_offset as _fast_iso_offset
from procmine.ingest import RawTable, read_preview, read_table
from procmine.ingest.raw import categorical_from_unique, codes_of, without_columns
from procmine.privacy import load_key, pseudonym_digests, pseudonym_labels, pseudonymise
from procmine.profiles import (
    FIELDS,
    XES_OTHER_TRANSITIONS,
    Profile,
    builtin_profiles,
    catalogue_key,
    folder_profiles,
    get_profile,
    match_profile,
    suggest_profile,
)
from procmine.quality import QualityReport

Progress = Callable[[int, int | None], None]

# quarantine reasons, in the order they are checked (a row gets the first that applies)
REASONS = (
    "malformed_row",
    "missing_case_id",
    "missing_activity",
    "missing_timestamp",
    "unparseable_timestamp",
    "implausibly_early_timestamp",
    "future_timestamp",
    "start_after_end",
    "value_too_long",
    "unknown_activity",
    "unknown_lifecycle",
    "exact_duplicate",
    "unmatched_lifecycle",
)
FLAGS = ("out_of_order", "batch_entry", "day_precision", "unmatched_complete")

REASON_LABELS_DE: dict[str, str] = {
    "malformed_row": "Zeile nicht lesbar",
    "missing_case_id": "Vorgangs-ID fehlt",
    "missing_activity": "Tätigkeit fehlt",
    "missing_timestamp": "Zeitstempel fehlt",
    "unparseable_timestamp": "Zeitstempel unlesbar",
    "implausibly_early_timestamp": "Zeitstempel unplausibel früh",
    "future_timestamp": "Zeitstempel in der Zukunft",
    "start_after_end": "Beginn nach Ende",
    "value_too_long": "Wert zu lang",
    "unknown_activity": "Tätigkeit unbekannt",
    "unknown_lifecycle": "Lebenszyklus-Wert unbekannt",
    "exact_duplicate": "doppelte Zeile",
    "unmatched_lifecycle": "Beginn ohne Ende",
    "out_of_order": "Reihenfolge widerspricht Zeit",
    "batch_entry": "Sammelerfassung",
    "day_precision": "nur Datum, keine Uhrzeit",
    "unmatched_complete": "Ende ohne Beginn",
}
REASON_HINTS_DE: dict[str, str] = {
    "malformed_row": "Prüfen Sie die Zeile im Editor: meist ein Trennzeichen oder Anführungszeichen im Text; exportieren Sie mit Anführungszeichen um Textfelder.",
    "missing_case_id": "Ergänzen Sie die Vorgangsnummer im Fachverfahren oder exportieren Sie nur Zeilen mit Vorgangsbezug.",
    "missing_activity": "Prüfen Sie, ob der Export für jede Zeile die Tätigkeit enthält, und ergänzen Sie fehlende Einträge.",
    "missing_timestamp": "Prüfen Sie, ob der Schritt tatsächlich stattgefunden hat; wenn ja, ergänzen Sie Datum und Uhrzeit im Fachverfahren.",
    "unparseable_timestamp": "Tragen Sie im Profil das Datumsformat des Exports ein (z. B. %d.%m.%Y %H:%M) oder korrigieren Sie die genannten Werte.",
    "implausibly_early_timestamp": "Korrigieren Sie Tippfehler in der Jahreszahl oder setzen Sie plausible_start im Profil, wenn alte Vorgänge gewollt sind.",
    "future_timestamp": "Prüfen Sie Tippfehler in der Jahreszahl und die Uhr des Export-Servers; geplante Termine gehören nicht in das Ereignisprotokoll.",
    "start_after_end": "Prüfen Sie, ob Beginn und Ende im Profil vertauscht sind, oder korrigieren Sie die Zeitangaben im Fachverfahren.",
    "value_too_long": "Ordnen Sie die Spalte im Profil richtig zu; Freitext gehört nicht in Vorgangs-ID, Tätigkeit oder Sachbearbeitung.",
    "unknown_activity": "Ergänzen Sie die Tätigkeit im Abschnitt [activities] des Profils oder schalten Sie require_known_activities aus.",
    "unknown_lifecycle": "Tragen Sie den Wert im Abschnitt [lifecycle] des Profils unter start oder complete ein.",
    "exact_duplicate": "Nichts zu tun, wenn Exporte sich überschneiden; sonst prüfen Sie, ob der Export Zeilen doppelt schreibt.",
    "unmatched_lifecycle": "Prüfen Sie, ob der Vorgang noch läuft oder der Export zu früh abgeschnitten wurde; offene Schritte zählen erst mit Ende.",
    "out_of_order": "Prüfen Sie nachträglich erfasste Schritte; die Auswertung ordnet nach Zeitstempel.",
    "batch_entry": "Sammelerfassungen verfälschen Wartezeiten; erfassen Sie Schritte möglichst zum tatsächlichen Zeitpunkt.",
    "day_precision": "Wenn möglich, exportieren Sie Datum und Uhrzeit; Wartezeiten unter einem Tag lassen sich sonst nicht messen.",
    "unmatched_complete": "Nichts zu tun: der Schritt zählt ohne Beginn, seine Bearbeitungsdauer bleibt unbekannt.",
}

MAX_VALUE_CHARS = 500
QUARANTINE_VALUE_CHARS = 1000
BATCH_MIN_EVENTS = 10  # events of one resource in the same minute that count as a batch entry
FUTURE_TOLERANCE = pd.Timedelta(days=1)


@dataclass(frozen=True)
class NormaliseResult:
    """The canonical log, the quarantined rows and the counts that tie them together."""

    log: pd.DataFrame
    quality: QualityReport
    quarantine: pd.DataFrame
    profile: Profile | None = None
    paths: dict[str, Path] = field(default_factory=dict)


# --- timestamps -----------------------------------------------------------------------------------

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


# ISO 8601 with seconds and an explicit offset: the common machine export, parsed by arrow's strict cast


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
    fast = _fast_iso_offset(arr) if arr is not None and len(arr) else None
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
    naive = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    utc = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    prec = np.full(n, None, dtype=object)
    aware = np.zeros(n, dtype=bool)
    todo = np.ones(n, dtype=bool)
    formats: list[str] = [fmt] if fmt and fmt != "auto" else []
    formats += ["ISO8601", "epoch", *GERMAN_FORMATS, *OTHER_FORMATS]
    if allow_excel:
        formats.append("excel")
    for f in dict.fromkeys(formats):
        if not todo.any():
            break
        idx = np.flatnonzero(todo)
        sub = s.iloc[idx]
        if f == "excel":
            numeric = sub.str.match(_NUMBER).to_numpy()
            if not numeric.any():
                continue
            idx, sub = idx[numeric], sub[numeric]
            parsed, p = _excel_serial(sub)
            ok = parsed.notna().to_numpy()
            naive[idx[ok]] = parsed[ok].to_numpy().astype("datetime64[us]")
            prec[idx[ok]] = p[ok]
            todo[idx[ok]] = False
            continue
        if f == "epoch":
            secs, ok = _epoch_seconds(sub)
            if ok.any():
                j = idx[ok]
                utc[j] = (np.round(secs[ok] * 1_000_000)).astype(np.int64).astype("datetime64[us]")
                aware[j] = True
                prec[j] = "second"
                todo[j] = False
            continue
        if f == "ISO8601":
            arr = pa.array(sub.to_numpy(dtype=object), type=pa.string())
            iso = np.asarray(pc.match_substring_regex(arr, r"^\d{4}-\d{2}-\d{2}").fill_null(False), dtype=bool)
            if not iso.any():
                continue
            idx, sub, arr = idx[iso], sub[iso], arr.filter(pa.array(iso))
            has_off = np.asarray(
                pc.match_substring_regex(arr, r"[T ]\d{1,2}:\d{2}.*(?:Z|[+-]\d{2}:?\d{2})$").fill_null(False), dtype=bool
            )
            p_all = _iso_precision_arrow(arr)
            for offset in (True, False):
                sel = has_off if offset else ~has_off
                if not sel.any():
                    continue
                j, vals = idx[sel], _iso_parse(arr.filter(pa.array(sel)), sub[sel], offset)
                ok = ~np.isnat(vals)
                (utc if offset else naive)[j[ok]] = vals[ok]
                aware[j[ok]] = offset
                prec[j[ok]] = p_all[sel][ok]
                todo[j[ok]] = False
            continue
        try:
            parsed = pd.to_datetime(sub, format=f, errors="coerce")
        except (ValueError, TypeError):
            continue
        ok = parsed.notna().to_numpy()
        if not ok.any():
            continue
        j = idx[ok]
        if getattr(parsed.dt, "tz", None) is not None:
            utc[j] = parsed[ok].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[us]")
            aware[j] = True
        else:
            naive[j] = parsed[ok].to_numpy().astype("datetime64[us]")
        prec[j] = _fmt_precision(f)
        todo[j] = False
    return ParsedTimes(utc=utc, naive=naive, precision=prec, aware=aware)


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
    present = values.notna().to_numpy()
    fast = None
    if (not fmt or fmt == "auto") and present.any():
        if hint is not _NO_HINT and (hint is None or len(hint[0]) == n):  # type: ignore[index]
            fast = hint  # computed while reading (``RawTable.iso_hints``)
        else:
            arr = _arrow_strings(values, chunked=True)
            fast = _fast_iso_offset(arr) if arr is not None else None
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
    return TimeColumn(utc=out, precision=prec, present=present, column=src, raw=cat, notes=notes, ambiguous=ambiguous_rows)


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


# --- helpers on categoricals --------------------------------------------------------------------


def _map_categories(cat: pd.Series, mapper: Callable[[pd.Index], np.ndarray]) -> pd.Series:
    """Apply a function to the distinct values of a categorical and rebuild it (missing stays missing)."""
    cats = cat.cat.categories
    codes = codes_of(cat)
    if not len(cats):
        return pd.Series(pd.Categorical.from_codes(np.full(len(codes), -1), categories=pd.Index([], dtype=object)), index=cat.index)
    mapped = np.asarray(mapper(cats), dtype=object)
    ucodes, uniques = pd.factorize(mapped, use_na_sentinel=True)
    categories = pd.Index(uniques, dtype=object)
    if len(uniques) == len(cats) and (ucodes == np.arange(len(cats))).all():  # one-to-one: codes stay
        return pd.Series(categorical_from_unique(codes_of(cat), categories), index=cat.index)
    lookup = np.append(ucodes, -1).astype(np.int32)  # code -1 (missing) takes the last entry
    return pd.Series(categorical_from_unique(lookup[codes], categories), index=cat.index)


def _pseudonymise_cat(cat: pd.Series, key: bytes, domain: str, prefix: str, in_text_order: bool = False) -> pd.Series:
    """Pseudonymise the distinct values only and rebuild the categorical (same pseudonyms as
    ``privacy.pseudonymise``). The codes stay as they are unless two ids share a pseudonym (a 64-bit
    collision: never seen, but then they are merged the general way). With ``in_text_order`` the
    categories come sorted as text (the digests' order), the order the log is sorted by."""
    cats = cat.cat.categories
    digests = pseudonym_digests(_utf8_values(cats), key, domain)
    order = np.argsort(digests, kind="stable")
    if not len(digests) or bool((digests[order[1:]] == digests[order[:-1]]).any()):
        mapped = pseudonym_labels(digests, prefix).to_pylist()
        return _map_categories(cat, lambda _: np.asarray(mapped, dtype=object))
    codes = codes_of(cat)
    if in_text_order:
        rank = np.empty(len(order) + 1, dtype=codes.dtype)
        rank[order] = np.arange(len(order), dtype=codes.dtype)
        rank[-1] = -1  # code -1 (missing) takes the last entry
        codes = np.take(rank, codes.astype(np.intp))
        digests = digests[order]
    labels = pd.Index(pd.array(pseudonym_labels(digests, prefix), dtype="str"))
    return pd.Series(categorical_from_unique(codes, labels), index=cat.index)


def _utf8_values(values: pd.Index) -> list[bytes]:
    """The values as UTF-8 bytes (straight from arrow for arrow-backed text)."""
    arr = _arrow_strings(values) if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object else None
    if arr is not None and not arr.null_count:
        return arr.cast(pa.binary()).to_pylist()
    return [str(v).encode("utf-8") for v in values.tolist()]


def _activity_keys(labels: pd.Index, profile: Profile) -> np.ndarray:
    out = []
    for lab in labels.astype(str):
        key = profile.activities.get(lab)
        out.append(key if key is not None else catalogue_key(lab))
    return np.asarray(out, dtype=object)


def _case_type_codes(values: pd.Index, profile: Profile) -> np.ndarray:
    by_label = {ct.label_de.casefold(): code for code, ct in catalogue.CASE_TYPES.items()}
    out = []
    for v in values.astype(str):
        if v in profile.case_types:
            out.append(profile.case_types[v])
        elif v in catalogue.CASE_TYPES:
            out.append(v)
        else:
            out.append(by_label.get(v.casefold(), v))
    return np.asarray(out, dtype=object)


def _nearest_column(name: str, available: list[str]) -> str:
    import difflib

    from procmine.profiles import normalise_header

    norm = {normalise_header(a): a for a in available}
    close = difflib.get_close_matches(normalise_header(name), list(norm), n=1, cutoff=0.6)
    return norm[close[0]] if close else ""


def _column_problem(raw: RawTable, profile: Profile, fld: str, col: str) -> InputProblem:
    near = _nearest_column(col, raw.columns)
    details = ["vorhandene Spalten: " + ", ".join(raw.columns[:40])]
    hint = f"Tragen Sie im Profil '{profile.name}' die richtige Spalte für {FIELDS.get(fld, fld)} ({fld}) ein"
    if near:
        hint += f" (ähnlichste vorhandene Spalte: '{near}')"
    hint += "."
    if len(raw.columns) == 1 and any(d in raw.columns[0] for d in (";", ",", "\t", "|")):
        hint = "Die Kopfzeile wurde nicht in Spalten zerlegt: setzen Sie im Profil delimiter = \"auto\" oder das richtige Trennzeichen."
    return InputProblem(
        code="missing_column",
        file=raw.file,
        sheet=raw.sheet,
        row=1,
        column=col,
        found=f"keine Spalte '{col}' für {FIELDS.get(fld, fld)}",
        expected=f"eine Spalte '{col}' in der Kopfzeile",
        hint=hint,
        details=details,
    )


def resolve_columns(raw: RawTable, profile: Profile) -> dict[str, str]:
    """Canonical field -> header present in the file; InputProblem naming the first missing one."""
    have = set(raw.columns)
    out: dict[str, str] = {}
    for fld, col in profile.columns.items():
        if not col:
            continue
        if col in raw.duplicate_headers:
            raise InputProblem(
                code="duplicate_column",
                file=raw.file,
                sheet=raw.sheet,
                row=1,
                column=col,
                found=f"die Spalte '{col}' kommt mehrfach in der Kopfzeile vor",
                expected="eindeutige Spaltennamen",
                hint="Benennen Sie die doppelten Spalten im Export um und ordnen Sie im Profil die richtige zu.",
            )
        if col not in have:
            raise _column_problem(raw, profile, fld, col)
        out[fld] = col
    if profile.shape == "milestones":
        for col in [*profile.milestones, *profile.milestone_starts]:
            if col not in have:
                raise _column_problem(raw, profile, "milestone", col)
    for col in profile.case_id_with:
        if col not in have:
            raise _column_problem(raw, profile, "case_id", col)
    return out


def _combined_case_id(data: pd.DataFrame, cols: dict[str, str], parts: tuple[str, ...]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The case id made of the case-id column and further columns (``Ticketnummer + Datum``): one new
    categorical column, missing where any part is missing; built on distinct combinations only."""
    names = (cols["case_id"], *[p for p in parts if p != cols["case_id"]])
    cats = [data[c] if isinstance(data[c].dtype, pd.CategoricalDtype) else data[c].astype("category") for c in names]
    codes = np.stack([codes_of(c).astype(np.int64) for c in cats], axis=1)
    missing = (codes < 0).any(axis=1)
    combo, inverse = np.unique(codes[~missing], axis=0, return_inverse=True)
    labels = [" / ".join(str(c.cat.categories[int(k)]) for c, k in zip(cats, row)) for row in combo]  # distinct combinations
    out_codes = np.full(len(data), -1, dtype=np.int32)
    out_codes[~missing] = inverse.ravel()
    name = " + ".join(names)
    combined = pd.Categorical.from_codes(out_codes, categories=pd.Index(labels, dtype=object))
    return data.assign(**{name: combined}), {**cols, "case_id": name}


def _office_name(profile: Profile, raw: RawTable) -> str:
    if profile.office:
        return profile.office
    name = raw.path.name if raw.path is not None else raw.file
    return name.split(".")[0] or "office"


def _numeric_extra(cat: pd.Series, decimal: str) -> pd.Series | None:
    """Float column when every value is a number written with the profile's decimal mark."""
    cats = pd.Series(cat.cat.categories.astype(str))
    if cats.empty:
        return None
    if decimal == ",":
        pattern, cleaned = r"^-?\d{1,3}(?:\.\d{3})*(?:,\d+)?$|^-?\d+(?:,\d+)?$", cats.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        pattern, cleaned = r"^-?\d{1,3}(?:,\d{3})*(?:\.\d+)?$|^-?\d+(?:\.\d+)?$", cats.str.replace(",", "", regex=False)
    if not cats.str.match(pattern).all():
        return None
    vals = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float)
    codes = codes_of(cat)
    return pd.Series(np.where(codes >= 0, vals[np.maximum(codes, 0)], np.nan), index=cat.index)


# --- the normaliser -----------------------------------------------------------------------------


class _Marks:
    """First quarantine reason per source row, with the column and the offending value.

    Reasons are one small integer per row; columns and values are kept only for the marked rows.
    """

    def __init__(self, n: int) -> None:
        self.code = np.zeros(n, dtype=np.int16)  # 0 = fine, else 1 + index in REASONS
        self._column_id = np.zeros(n, dtype=np.int16)  # index into _columns (0 = none)
        self._columns: list[str | None] = [None]
        self._found: dict[int, object] = {}

    def mark(self, mask: np.ndarray, reason: str, column: str | None, found: pd.Series | np.ndarray | None = None) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():  # the usual case is nothing to mark: no second pass over the rows
            self.mark_rows(np.flatnonzero(mask), reason, column, found)

    def mark_rows(self, rows: np.ndarray, reason: str, column: str | None, found: pd.Series | np.ndarray | None = None) -> None:
        """``mark`` for the rows at these positions (ascending), without a full-length mask."""
        idx = rows[self.code[rows] == 0] if len(rows) else rows
        if not len(idx):
            return
        self.code[idx] = REASONS.index(reason) + 1
        if column not in self._columns:
            self._columns.append(column)
        self._column_id[idx] = self._columns.index(column)
        if found is not None:
            self._found.update(zip(idx.tolist(), _values_at(found, idx).tolist()))

    def column_at(self, idx: np.ndarray) -> np.ndarray:
        """The column named for each of these rows (None where none)."""
        return np.asarray(self._columns, dtype=object)[self._column_id[idx]]

    def found_at(self, idx: np.ndarray) -> np.ndarray:
        """The offending value recorded for each of these rows (None where none)."""
        get = self._found.get
        return np.asarray([get(i) for i in np.asarray(idx).tolist()] + [None], dtype=object)[:-1]


def normalise(
    raw: RawTable,
    profile: Profile,
    key: bytes | None = None,
    now: pd.Timestamp | None = None,
    office: str | None = None,
) -> NormaliseResult:
    """Turn a RawTable into the canonical log plus quarantine and quality report, following ``profile``.

    Under ``runtime.tuned()`` (CLI, bench) the case ids are hashed in a second thread with a short thread
    switch interval and the cycle collector paused; a library call leaves the interpreter as it was.
    """
    with runtime.quick_thread_handoff(), runtime.without_cycle_collection():
        return _normalise(raw, profile, key, now, office)


def _normalise(
    raw: RawTable,
    profile: Profile,
    key: bytes | None,
    now: pd.Timestamp | None,
    office: str | None,
) -> NormaliseResult:
    key = load_key() if key is None else key
    now = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now).tz_convert("UTC") if pd.Timestamp(now).tzinfo else pd.Timestamp(now).tz_localize("UTC")
    cols = resolve_columns(raw, profile)
    time_cols = {cols[f] for f in ("start", "end", "start_date", "end_date", "milestone_date") if f in cols}
    if profile.shape == "milestones" and "milestone_date" not in cols:
        time_cols |= set(profile.milestones) | set(profile.milestone_starts)  # (clock-only ones are categoricals)
    data = _categorical_except(raw.data, time_cols)
    if profile.case_id_with:
        data, cols = _combined_case_id(data, cols, profile.case_id_with)
    n = len(data)
    tz = profile.timezone
    office_name = office or _office_name(profile, raw)
    notes: dict[str, int] = {k: int(v) for k, v in raw.notes.items()}
    marks = _Marks(n)
    drop = set(profile.never_load()) | set(profile.privacy_drop)
    pseudo_fields = set(profile.pseudonymise)

    # offices per row (a column, or one name) and pseudonymised id columns
    if "office" in cols:
        off = data[cols["office"]].astype(object).where(data[cols["office"]].notna(), office_name)
        office_row = off.astype(str).astype("category")
    else:
        office_row = pd.Series(pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), [office_name]))
    safe: dict[str, pd.Series] = {}  # original header -> values safe to write (pseudonymised where needed)
    proxies: dict[str, np.ndarray] = {}  # text column -> a per-row function of the row's text (for duplicates)

    def pseudo(fld: str, prefix: str, in_text_order: bool = False) -> pd.Series | None:
        if fld not in cols:
            return None
        cat = data[cols[fld]]
        if fld not in pseudo_fields:
            safe[cols[fld]] = cat
            return cat
        if len(office_row.cat.categories) <= 1:
            domain = str(office_row.cat.categories[0]) if n else office_name
            out = _pseudonymise_cat(cat, key, domain, prefix, in_text_order)
        else:
            parts = []
            for o in office_row.cat.categories:
                m = (office_row == o).to_numpy()
                parts.append(pd.Series(pseudonymise(cat[m].astype("string"), key, str(o), prefix).to_numpy(), index=cat.index[m]))
            out = pd.concat(parts).reindex(cat.index).astype("category")
        safe[cols[fld]] = out
        return out

    # the case ids are hashed in a second thread while the timestamps and checks run (those release the
    # GIL); the pseudonyms are first needed to sort the log by case
    safe[cols["case_id"]] = None  # keeps the column order of the quarantine file; filled by the job
    def hash_and_rank() -> tuple[pd.Series, pd.Categorical]:
        out = pseudo("case_id", "C-", in_text_order=True)
        assert out is not None  # case_id is a required field
        return out, _text_ranked(out)

    case_job = runtime.beside(hash_and_rank)  # a helper thread when tuned; ``case_job.result()`` waits for it
    res_p = pseudo("resource", "R-")
    for fld in ("activity", "team", "office", "case_type", "lifecycle"):
        if fld in cols:
            safe[cols[fld]] = data[cols[fld]]

    # timestamps
    def tcol(prefix: str) -> TimeColumn | None:
        tc = parse_time_column(
            data, cols.get(prefix), cols.get(f"{prefix}_date"), cols.get(f"{prefix}_time"), profile.date_format, tz,
            raw.iso_hints,
        )
        if tc is not None:
            for k, v in tc.notes.items():
                notes[k] = notes.get(k, 0) + v
            proxies[tc.column] = np.asarray(tc.utc.array.asi8, dtype=np.int64)
            safe[tc.column] = data[tc.column]
            tcn = cols.get(f"{prefix}_time")
            if tcn:
                safe[tcn] = data[tcn]
        return tc

    plausible = pd.Timestamp(profile.plausible_start, tz=tz).tz_convert("UTC")
    horizon = now + FUTURE_TOLERANCE

    # --- build event candidates -------------------------------------------------------------------
    case_missing = data[cols["case_id"]].isna().to_numpy()
    marks.mark(case_missing, "missing_case_id", cols["case_id"])
    long_case = _too_long(data[cols["case_id"]])
    if profile.shape == "milestones":
        case_job.result()  # ``safe`` holds the pseudonymised ids from here on
        ev = _milestone_events(raw, profile, marks, tz, plausible, horizon, notes, safe, data)
    else:
        end = tcol("end")
        start = tcol("start")
        assert end is not None
        act = data[cols["activity"]]
        marks.mark(act.isna().to_numpy(), "missing_activity", cols["activity"])
        if start is not None:
            end, reread = _end_in_second_autumn_hour(end, start, tz)
            if reread:
                notes["dst_end_read_as_standard_time"] = reread
        _check_times(marks, end, start, plausible, horizon)
        for fld in ("activity", "resource"):
            if fld in cols:
                marks.mark(_too_long(data[cols[fld]]), "value_too_long", cols[fld], safe[cols[fld]])
        marks.mark(long_case, "value_too_long", cols["case_id"], case_job.result()[0] if long_case.any() else None)
        prec = end.precision
        if start is not None:
            sp = start.precision
            prec = np.where(start.present & (sp > prec), sp, prec).astype(np.int8)
        ev = pd.DataFrame(
            {
                "row": np.arange(n, dtype=_index_dtype(n)),
                "activity": act.reset_index(drop=True),
                "end": end.utc.reset_index(drop=True),
                "start": start.utc.reset_index(drop=True) if start is not None else _nat(n),
                "precision": prec,
            },
            copy=False,
        )
    # known activities
    if not isinstance(ev["activity"].dtype, pd.CategoricalDtype):
        ev["activity"] = ev["activity"].astype(object).astype("category")
    ev["activity"], respelled = _merge_spellings(ev["activity"])
    if respelled:
        notes["activity_spellings_merged"] = respelled
    other_transition = np.zeros(n, dtype=bool)
    if profile.shape in ("events", "lifecycle") and "lifecycle" in cols and len(ev):
        ev["activity"], other_transition = _label_other_transitions(ev["activity"], data[cols["lifecycle"]], profile)
        if other_transition.any():
            notes["lifecycle_transitions_as_steps"] = int(other_transition.sum())
    act_key = _map_categories(ev["activity"], lambda c: _activity_keys(c, profile))
    if profile.require_known_activities and len(ev):
        unknown = act_key.isna().to_numpy() & ev["activity"].notna().to_numpy()
        rows_unknown = np.zeros(n, dtype=bool)
        rows_unknown[ev["row"].to_numpy()[unknown]] = True
        found = np.full(n, None, dtype=object)
        found[ev["row"].to_numpy()[unknown]] = _values_at(ev["activity"], np.flatnonzero(unknown))
        marks.mark(rows_unknown, "unknown_activity", cols.get("activity") or "milestones", found)
    ev["activity_key"] = act_key.to_numpy() if profile.shape == "lifecycle" or _lifecycle_possible(profile, cols) else act_key.reset_index(drop=True)

    # lifecycle values
    lc_kind = None
    if profile.shape == "lifecycle" or ("lifecycle" in cols and profile.shape == "events"):
        lc = data[cols["lifecycle"]] if "lifecycle" in cols else None
        if lc is not None:
            starts = {s.casefold() for s in profile.lifecycle_start}
            completes = {s.casefold() for s in profile.lifecycle_complete}
            kind_u = np.array(
                [1 if str(c).casefold() in starts else 2 if str(c).casefold() in completes else 0 for c in lc.cat.categories],
                dtype=np.int8,
            )
            codes = codes_of(lc)
            lc_kind = np.where(codes >= 0, kind_u[np.maximum(codes, 0)] if len(kind_u) else 0, 2)  # missing = complete
            lc_kind[other_transition] = 2  # a step of its own (``_label_other_transitions``), one timestamp
            if profile.shape == "lifecycle" or (lc_kind == 1).any():
                marks.mark(lc_kind == 0, "unknown_lifecycle", cols["lifecycle"], lc)
            else:
                lc_kind = None

    _refuse_misread_timestamps(raw, marks, profile)

    # exact duplicates (all loaded columns, not provenance); keep the first occurrence
    dup_cols = [c for c in data.columns if c not in drop]
    if n and dup_cols:
        end_col = cols.get("end") if profile.shape != "milestones" else None
        dup, first = _duplicate_rows(data, dup_cols, proxies, (cols["case_id"], end_col) if end_col in proxies else None)
        if len(raw.source_file.categories) > 1 and dup.any():
            file_codes = np.asarray(raw.source_file.codes)
            across = dup & (file_codes[first] != file_codes)
            if across.any():
                notes["duplicates_across_files"] = int(across.sum())
        marks.mark(dup, "exact_duplicate", None)
        del dup, first

    # drop candidates of quarantined rows, then pair lifecycle rows
    bad_row = marks.code > 0
    # one candidate per row, in row order (``row`` is 0..n-1), except for milestone tables
    candidates_are_rows = profile.shape != "milestones" and len(ev) == n
    keep_ev = ~bad_row if candidates_are_rows else ~bad_row[ev["row"].to_numpy()]
    idx_type = _index_dtype(n)
    pick = np.arange(len(ev), dtype=idx_type)  # candidates that become events (the log gathers through these)
    if lc_kind is not None and len(ev):
        ev = ev.loc[keep_ev].reset_index(drop=True)
        pick = np.arange(len(ev))
    elif not keep_ev.all():
        pick = np.flatnonzero(keep_ev).astype(idx_type)
    del keep_ev
    flags_extra: dict[str, np.ndarray] = {}
    if lc_kind is not None and len(ev):
        ev, unmatched_start_rows, unmatched_complete = _pair_lifecycle(ev, lc_kind, case_job.result()[0])
        unmatched_complete = unmatched_complete & ~other_transition[ev["row"].to_numpy()]  # schedule etc. have no start
        if len(unmatched_start_rows):
            m = np.zeros(n, dtype=bool)
            m[unmatched_start_rows] = True
            marks.mark(m, "unmatched_lifecycle", cols["lifecycle"], data[cols["lifecycle"]])
        flags_extra["unmatched_complete"] = unmatched_complete
        # pairs with start after end
        sae = ev["start"].notna().to_numpy() & (ev["start"] > ev["end"]).to_numpy()
        if sae.any():
            m = np.zeros(n, dtype=bool)
            m[ev["row"].to_numpy()[sae]] = True
            m[ev["start_row"].to_numpy()[sae].astype(np.int64)] = True
            marks.mark(m, "start_after_end", cols.get("end") or cols.get("end_date"))
            keep = ~sae
            ev = ev.loc[keep].reset_index(drop=True)
            pick = np.arange(len(ev))
            flags_extra["unmatched_complete"] = flags_extra["unmatched_complete"][keep]
    if lc_kind is not None and len(ev) and len(pick) != len(ev):  # pairing rebuilt the candidates
        pick = np.arange(len(ev))
    m = len(pick)
    every = m == len(ev)  # no candidate dropped: ``pick`` is 0..m-1 and the gathers below are skipped
    rows_are_positions = candidates_are_rows and lc_kind is None  # no pairing rebuilt them: ev["row"] is still 0..n-1
    if rows_are_positions:
        src_rows = pick
    else:
        src_rows = ev["row"].to_numpy() if every else ev["row"].to_numpy()[pick]
    if rows_are_positions:
        kept_rows = ~bad_row  # the candidates kept are exactly the rows not quarantined
    else:
        kept_rows = np.zeros(n, dtype=bool)
        if len(pick):
            kept_rows[src_rows] = True
        if "start_row" in ev:
            sr = ev["start_row"].to_numpy()
            kept_rows[sr[sr >= 0].astype(np.int64)] = True
    # --- assemble the canonical log --------------------------------------------------------------
    # flags are computed in source order; the one sort (case_id as text, end, event_seq) is applied
    # while the columns are gathered, so the log is never copied a second time to sort it
    end_us = _naive_utc(ev["end"]).view(np.int64) if every else np.take(_naive_utc(ev["end"]).view(np.int64), pick)
    prec_ranks = np.asarray(ev["precision"].to_numpy(), dtype=np.int8)
    prec_ranks = prec_ranks if every else np.take(prec_ranks, pick)
    # the flags group events by case: with one office the export's own codes do (the pseudonyms map them
    # one to one), so they are computed while the case ids are still being hashed
    case_groups = data[cols["case_id"]] if len(office_row.cat.categories) <= 1 else case_job.result()[0]
    group_codes = np.take(codes_of(case_groups), src_rows)
    res_codes = np.take(codes_of(res_p), src_rows) if res_p is not None else np.full(m, -1, dtype=np.int32)
    flag_arrays = _flags(group_codes, len(case_groups.cat.categories), end_us, prec_ranks, res_codes, flags_extra)
    del group_codes, res_codes
    case_rank_cat = case_job.result()[1]
    case_codes = np.take(codes_of(case_rank_cat), src_rows)
    in_time_order = "out_of_order" in flag_arrays and not flag_arrays["out_of_order"].any()
    order = _event_order(case_codes, len(case_rank_cat.categories), end_us, in_time_order).astype(idx_type, copy=False)
    del case_codes
    runtime.release_free_memory()  # the checks' temporaries are gone: their pages back before the log is gathered
    ev_order = order if every else np.take(pick, order)
    r = ev_order if rows_are_positions else np.take(src_rows, order)
    del src_rows, pick
    case_type = (
        _map_categories(data[cols["case_type"]], lambda c: _case_type_codes(c, profile)) if "case_type" in cols else None
    )
    columns: dict[str, Callable[[], object]] = {
        schema.CASE_ID: lambda: _cat_take(case_rank_cat, r),
        schema.ACTIVITY: lambda: _cat_take(_as_category(ev["activity"]), ev_order),
        schema.ACTIVITY_KEY: lambda: _cat_take(_as_category(ev["activity_key"]), ev_order),
        schema.START: lambda: _utc_series(np.take(_naive_utc(ev["start"]).view(np.int64), ev_order)),
        schema.END: lambda: _utc_series(np.take(end_us, order)),
        schema.PRECISION: lambda: _precision_categorical(np.take(prec_ranks, order)),
        schema.RESOURCE: lambda: _cat_take(res_p, r),
        schema.TEAM: lambda: _cat_take(data[cols["team"]] if "team" in cols else None, r),
        schema.OFFICE: lambda: _cat_take(office_row, r),
        schema.CASE_TYPE: lambda: _cat_take(case_type, r),
        schema.EVENT_SEQ: lambda: (order + 1).astype(np.int64, copy=False),
        schema.SOURCE_FILE: lambda: _cat_take(raw.source_file, r),
        schema.SOURCE_ROW: lambda: np.take(raw.source_row, r).astype(np.int64, copy=False),
    }
    log = pd.DataFrame(_gather(columns), copy=False)
    for src, name in profile.extra.items():
        if src not in data.columns or src in drop or src in cols.values():
            continue
        out_name = name if name not in schema.COLUMNS and name != "quality_flags" else f"{name}_extra"
        num = _numeric_extra(data[src], profile.decimal)
        log[out_name] = np.take(num.to_numpy(), r) if num is not None else _cat_take(data[src], r)
    flags = {k: int(v.sum()) for k, v in flag_arrays.items() if v.any()}
    if flag_arrays:
        in_source_order = _flag_column(flag_arrays, m)
        log["quality_flags"] = categorical_from_unique(np.take(codes_of(in_source_order), order), in_source_order.categories)
    schema.validate(log, check_order=False, check_seq=False)  # event_seq = 1 + a permutation, sorted above

    # --- quarantine and counts -------------------------------------------------------------------
    bad = marks.code > 0
    leftover = ~bad & ~kept_rows  # cannot happen; guard so counts always add up
    if leftover.any():
        marks.mark(leftover, "unmatched_lifecycle", cols.get("lifecycle"))
        bad = marks.code > 0
    quarantine = _quarantine_frame(raw, marks, bad, safe)
    by_reason: dict[str, int] = {}
    for reason, cnt in quarantine["reason"].value_counts(sort=False).items():
        by_reason[str(reason)] = int(cnt)
    by_column = {str(k): int(v) for k, v in quarantine["column"].dropna().value_counts(sort=False).items()}
    files = tuple(str(f) for f in raw.source_file.categories) or (raw.file,)
    quality = QualityReport(
        office=office_name if len(office_row.cat.categories) <= 1 else ",".join(map(str, office_row.cat.categories)),
        files=files,
        rows_read=raw.rows_read,
        rows_kept=int(kept_rows.sum()),
        rows_quarantined=len(quarantine),
        events=len(log),
        by_reason=by_reason,
        by_column=by_column,
        flags=flags,
        notes=notes,
        profile=profile.name,
    )
    return NormaliseResult(log=log, quality=quality, quarantine=quarantine, profile=profile)


def _categorical_except(data: pd.DataFrame, keep_text: set[str]) -> pd.DataFrame:
    """The raw frame with every plain-text column as a Categorical, except the timestamp columns in
    ``keep_text`` (parsed row-wise; a dictionary of nearly distinct values would only cost time)."""
    plain = [c for c in data.columns if c not in keep_text and not isinstance(data[c].dtype, pd.CategoricalDtype)]
    if not plain:
        return data
    out = data.copy(deep=False)
    for c in plain:
        out[c] = _text_to_categorical(data[c])
    return out


def _text_to_categorical(values: pd.Series) -> pd.Series:
    """Clean plain text (as the CSV reader keeps it) -> Categorical, categories in order of first appearance."""
    from procmine.ingest.text import _dictionary_column, _to_categorical

    arr = pa.array(values)
    col = arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])
    out = _to_categorical(_dictionary_column(col))
    out.index = values.index
    return out


_MIX = np.uint64(0x9E3779B97F4A7C15)


def _duplicate_rows(
    data: pd.DataFrame, columns: list[str], proxies: dict[str, np.ndarray], grouped_by: tuple[str, str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Rows equal in every column to an earlier row, and the first row of each row's group.

    One hash mixes each row's integers (category codes; for plain-text timestamp columns the parsed
    instant, equal for equal text); only rows whose hash is shared are then compared exactly, on codes
    and text. Nearly distinct text columns are so never hashed as text in full.
    """
    n = len(data)
    if grouped_by is not None and n > 1:
        cand = _adjacent_candidates(data[grouped_by[0]], proxies[grouped_by[1]])
        if cand is not None:  # equal rows can only be among these: check them alone
            dup = np.zeros(n, dtype=bool)
            first = np.arange(n, dtype=np.int64)
            if len(cand):
                sub = data.iloc[cand].reset_index(drop=True)
                sub_dup, sub_first = _duplicate_rows(sub, columns, {k: v[cand] for k, v in proxies.items()})
                dup[cand] = sub_dup
                first[cand] = cand[sub_first]
            return dup, first
    first = np.arange(n, dtype=np.int64)
    parts: list[np.ndarray] = []
    for c in columns:
        col = data[c]
        if isinstance(col.dtype, pd.CategoricalDtype):
            parts.append(codes_of(col).astype(np.int64))
        elif c in proxies:
            parts.append(proxies[c])
        else:
            parts.append(pd.factorize(col)[0].astype(np.int64))
    h = np.zeros(n, dtype=np.uint64)
    for v in parts:
        h = (h ^ v.view(np.uint64)) * _MIX
        h ^= h >> np.uint64(29)
    codes = pd.factorize(h)[0]
    shared = np.flatnonzero(np.bincount(codes)[codes] > 1)
    dup = np.zeros(n, dtype=bool)
    if not len(shared):
        return dup, first
    subset = []
    for c in columns:
        col = data[c]
        if isinstance(col.dtype, pd.CategoricalDtype):
            sub = pd.Categorical.from_codes(codes_of(col)[shared], dtype=col.dtype)
        else:
            sub = pd.Categorical(col.iloc[shared].to_numpy(dtype=object))
        subset.append(pd.Series(sub))
    exact = _row_groups(subset)
    sub_dup = pd.Series(exact).duplicated(keep="first").to_numpy()
    _, first_pos = np.unique(exact, return_index=True)  # group ids are 0..k-1
    dup[shared] = sub_dup
    first[shared] = shared[first_pos[exact]]
    return dup, first


def _take_text(chunked: pa.ChunkedArray, idx: np.ndarray) -> np.ndarray:
    """Values of some rows of chunked arrow text as objects, taken chunk by chunk (a take on the whole
    chunked array would first concatenate every chunk)."""
    out = np.full(len(idx), None, dtype=object)
    if not len(idx):
        return out
    bounds = np.cumsum([0] + [len(c) for c in chunked.chunks])
    which = np.searchsorted(bounds, idx, side="right") - 1
    for k in np.unique(which).tolist():
        sel = np.flatnonzero(which == k)
        out[sel] = chunked.chunk(k).take(pa.array(idx[sel] - bounds[k])).to_pylist()
    return out


def _adjacent_candidates(case: pd.Series, end: np.ndarray) -> np.ndarray | None:
    """Rows that could equal another row, when rows come grouped by case and in time order within a
    case (the usual export): then equal (case, end) pairs are neighbours, and only rows in such runs are
    candidates. None when the rows are not so ordered (every row is a candidate)."""
    codes = codes_of(case) if isinstance(case.dtype, pd.CategoricalDtype) else pd.factorize(case)[0]
    same = codes[1:] == codes[:-1]
    runs = 1 + int(np.count_nonzero(~same))
    if runs != int(np.count_nonzero(np.bincount(codes.astype(np.int64) + 1))) or (same & (end[1:] < end[:-1])).any():
        return None
    pair = same & (end[1:] == end[:-1])
    cand = np.zeros(len(codes), dtype=bool)
    cand[1:] |= pair
    cand[:-1] |= pair
    return np.flatnonzero(cand)


def _values_at(values: pd.Series | np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Values of some rows as objects (through the codes for categoricals: no full-column copy)."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        codes = codes_of(values)[idx]
        out = np.full(len(idx), None, dtype=object)
        ok = codes >= 0
        if ok.any():
            out[ok] = np.asarray(values.cat.categories.take(codes[ok]).astype(str), dtype=object)
        return out
    if isinstance(values, pd.Series):
        chunked = getattr(values.array, "_pa_array", None)  # arrow text: take from arrow (pandas concatenates first)
        if isinstance(chunked, pa.ChunkedArray) and (pa.types.is_string(chunked.type) or pa.types.is_large_string(chunked.type)):
            return _take_text(chunked, np.asarray(idx, dtype=np.int64))
        return values.iloc[idx].to_numpy(dtype=object)
    return np.asarray(values, dtype=object)[idx]


def _cat_take(cat: pd.Series | pd.Categorical | None, rows: np.ndarray) -> pd.Categorical:
    """Rows of a categorical as a new categorical of str categories (unused categories dropped)."""
    if cat is None:
        return pd.Categorical.from_codes(np.full(len(rows), -1), categories=pd.Index([], dtype=object))
    c = cat.cat if isinstance(cat, pd.Series) else cat
    codes = np.asarray(c.codes)
    ncat = len(c.categories)
    cats = pd.Index(c.categories)
    if ncat == 1 and len(codes) and int(codes.min()) == 0:  # one value in every row (office, source file)
        taken, used = np.zeros(len(rows), dtype=np.int8), np.zeros(1, dtype=np.intp)
    else:
        taken = np.take(codes, rows)
        used = np.flatnonzero(np.bincount(taken + 1, minlength=ncat + 1)[1:])  # bin 0 = missing
    if len(used) < ncat:
        remap = np.full(ncat + 1, -1, dtype=taken.dtype)  # index -1 (missing) takes the last entry
        remap[used] = np.arange(len(used), dtype=taken.dtype)
        taken = remap[taken]
        cats = cats.take(used)
    if not pd.api.types.is_string_dtype(cats.dtype):
        cats = cats.astype(str)
    return categorical_from_unique(taken, cats)  # codes keep pandas' own width (int8 for few values): no cast


def _gather(columns: dict[str, Callable[[], object]]) -> dict[str, object]:
    """Build the log's columns two at a time: each is mostly a numpy gather, which runs without the GIL."""
    names = list(columns)
    return dict(zip(names, runtime.parallel_map(lambda name: columns[name](), names)))


def _as_category(s: pd.Series) -> pd.Series:
    return s if isinstance(s.dtype, pd.CategoricalDtype) else s.astype(object).astype("category")


def _lifecycle_possible(profile: Profile, cols: dict[str, str]) -> bool:
    """Whether lifecycle pairing may run (it merges frames, so it wants plain object columns)."""
    return "lifecycle" in cols


MISREAD_MIN_ROWS = 20
MISREAD_SHARE = 0.5


def _refuse_misread_timestamps(raw: RawTable, marks: _Marks, profile: Profile) -> None:
    """A timestamp column that is mostly unreadable means the profile misreads it: say so instead of
    quarantining the whole file row by row."""
    code = REASONS.index("unparseable_timestamp") + 1
    bad = marks.code == code
    if bad.sum() < MISREAD_MIN_ROWS:
        return
    bad_idx = np.flatnonzero(bad)
    bad_cols = marks.column_at(bad_idx)
    cols = pd.Series(bad_cols).value_counts()
    for col, cnt in cols.items():
        filled = int(raw.data[col].notna().sum()) if col in raw.data.columns else 0
        if filled and cnt >= MISREAD_MIN_ROWS and cnt / filled >= MISREAD_SHARE:
            examples = list(dict.fromkeys(marks.found_at(bad_idx[bad_cols == col])))[:3]
            fmt = profile.date_format if profile.date_format != "auto" else "automatisch erkannt"
            raise InputProblem(
                code="unreadable_column",
                file=raw.file,
                sheet=raw.sheet,
                column=str(col),
                found=f"{cnt} von {filled} Werten sind kein lesbarer Zeitpunkt, z. B. " + ", ".join(f"'{e}'" for e in examples),
                expected=f"Datum und Uhrzeit im Format {fmt} (z. B. 05.03.2024 14:30 oder 2024-03-05T14:30:00+01:00)",
                hint="Tragen Sie im Profil unter date_format das Format der Spalte ein (z. B. %m/%d/%Y %H:%M) "
                "oder ordnen Sie die richtige Spalte zu.",
            )


def _index_dtype(n: int) -> type:
    """Row positions in numpy's own index type: a gather through int32 positions converts them first and
    takes numpy's slow path (twice the time for the log's columns)."""
    return np.intp


def _precision_categorical(ranks: np.ndarray) -> pd.Categorical:
    """Precision ranks (0 second, 1 minute, 2 day, -1 missing) -> Categorical over ``schema.PRECISIONS``."""
    assert tuple(_PRECISION_RANK) == schema.PRECISIONS  # the rank is the category code
    codes = np.asarray(ranks, dtype=np.int8)
    return pd.Categorical.from_codes(np.where((codes >= 0) & (codes < len(schema.PRECISIONS)), codes, -1), categories=list(schema.PRECISIONS))


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


def _too_long(cat: pd.Series) -> np.ndarray:
    lens = np.asarray(cat.cat.categories.astype(str).str.len(), dtype=np.int64)
    codes = codes_of(cat)
    if not len(lens) or lens.max() <= MAX_VALUE_CHARS:
        return np.zeros(len(codes), dtype=bool)
    return (codes >= 0) & (lens[np.maximum(codes, 0)] > MAX_VALUE_CHARS)


def _check_times(marks: _Marks, end: TimeColumn, start: TimeColumn | None, plausible: pd.Timestamp, horizon: pd.Timestamp) -> None:
    """Missing, unreadable, implausible and reversed timestamps (row-aligned; compared as integers).

    One pass finds the rows with any such problem (a missing instant is the smallest integer, so it
    counts as too early); the reasons are then told apart on those rows only, in the order below.
    """
    lo, hi = _instant_us(plausible), _instant_us(horizon)
    e_all = _naive_utc(end.utc).view(np.int64)
    suspect = _outside(e_all, lo, hi)
    if start is not None:
        s_all = _naive_utc(start.utc).view(np.int64)
        suspect |= start.present & _outside(s_all, lo, hi)  # a present start: unreadable ones are NaT
        suspect |= s_all > e_all  # NaT starts are the smallest integer: never after an end
    rows = np.flatnonzero(suspect)
    if not len(rows):
        return
    e = e_all[rows]
    e_ok = e != np.iinfo(np.int64).min
    present = end.present[rows]
    marks.mark_rows(rows[~present], "missing_timestamp", end.column)
    marks.mark_rows(rows[present & ~e_ok], "unparseable_timestamp", end.column, end.raw)
    if start is not None:
        s = s_all[rows]
        s_ok = s != np.iinfo(np.int64).min
        marks.mark_rows(rows[start.present[rows] & ~s_ok], "unparseable_timestamp", start.column, start.raw)
    marks.mark_rows(rows[e_ok & (e < lo)], "implausibly_early_timestamp", end.column, end.raw)
    if start is not None:
        marks.mark_rows(rows[s_ok & (s < lo)], "implausibly_early_timestamp", start.column, start.raw)
    marks.mark_rows(rows[e_ok & (e > hi)], "future_timestamp", end.column, end.raw)
    if start is not None:
        marks.mark_rows(rows[s_ok & (s > hi)], "future_timestamp", start.column, start.raw)
        marks.mark_rows(rows[s_ok & e_ok & (s > e)], "start_after_end", start.column, start.raw)


def _outside(us: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Instants outside [lo, hi] (NaT included), in one comparison: below ``lo`` wraps to a large
    unsigned number."""
    if hi < lo:
        return np.ones(len(us), dtype=bool)
    return (us - lo).view(np.uint64) > np.uint64(hi - lo)


def _us_and_valid(utc: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """UTC instants as integer microseconds, and which are not missing."""
    us = _naive_utc(utc).view(np.int64)  # no copy: read only here
    return us, us != np.iinfo(np.int64).min


def _instant_us(ts: pd.Timestamp) -> int:
    """A timestamp as integer microseconds since the epoch (UTC)."""
    return int(pd.Timestamp(ts).tz_convert("UTC").tz_localize(None).to_datetime64().astype("datetime64[us]").astype(np.int64))


def _milestone_events(
    raw: RawTable,
    profile: Profile,
    marks: _Marks,
    tz: str,
    plausible: pd.Timestamp,
    horizon: pd.Timestamp,
    notes: dict[str, int],
    safe: dict[str, pd.Series],
    data: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Unpivot one-row-per-case tables: each filled date column becomes one event of that row.

    With ``[columns] milestone_date`` the milestone columns hold clock times of that date (queue systems:
    Ausgabe, Aufruf, Beginn, Ende). ``[milestone_starts]`` names the start column of a milestone's step
    (``"Beginn" = "Ende"``); a start without its end is counted (``notes.milestone_start_without_end``).
    """
    data = raw.data if data is None else data
    n = len(data)
    date_col = profile.columns.get("milestone_date") or None
    times: dict[str, TimeColumn] = {}
    any_value = np.zeros(n, dtype=bool)
    for col in [*profile.milestones, *[c for c in profile.milestone_starts if c not in profile.milestones]]:
        if date_col:
            tc = parse_time_column(data, None, date_col, col, profile.date_format, tz, raw.iso_hints)
            assert tc is not None
            present = data[col].notna().to_numpy()  # the milestone is reached when its clock time is filled
            tc = replace(tc, utc=tc.utc.where(present), present=present, column=col, raw=data[col])
        else:
            tc = parse_time_column(data, col, None, None, profile.date_format, tz, raw.iso_hints)
            assert tc is not None
        for k, v in tc.notes.items():
            notes[k] = notes.get(k, 0) + v
        safe[col] = data[col]
        any_value |= tc.present
        times[col] = tc
    if date_col:
        safe[date_col] = data[date_col]
        marks.mark(any_value & data[date_col].isna().to_numpy(), "missing_timestamp", date_col)
    for tc in times.values():
        marks.mark(tc.present & tc.utc.isna().to_numpy(), "unparseable_timestamp", tc.column, tc.raw)
        marks.mark((tc.utc < plausible).to_numpy(), "implausibly_early_timestamp", tc.column, tc.raw)
        marks.mark((tc.utc > horizon).to_numpy(), "future_timestamp", tc.column, tc.raw)
    start_of = {end_col: start_col for start_col, end_col in profile.milestone_starts.items()}
    parts = []
    for j, (col, label) in enumerate(profile.milestones.items()):
        end = times[col]
        rows = np.flatnonzero(end.present)
        start = _nat(len(rows))
        prec = end.precision[rows]
        if col in start_of:
            st = times[start_of[col]]
            s_us, s_ok = _us_and_valid(st.utc)
            e_us, e_ok = _us_and_valid(end.utc)
            marks.mark(s_ok & e_ok & (s_us > e_us), "start_after_end", st.column, st.raw)
            alone = st.present & ~end.present
            if alone.any():
                notes["milestone_start_without_end"] = notes.get("milestone_start_without_end", 0) + int(alone.sum())
            start = st.utc.iloc[rows].reset_index(drop=True)
            prec = np.maximum(prec, np.where(st.present[rows], st.precision[rows], -1)).astype(np.int8)
        parts.append(
            pd.DataFrame(
                {
                    "row": rows,
                    "order": np.full(len(rows), j),
                    "activity": np.full(len(rows), catalogue.ACTIVITIES.get(label, label), dtype=object),
                    "end": end.utc.iloc[rows].reset_index(drop=True),
                    "start": start,
                    "precision": prec,
                }
            )
        )
    marks.mark(~any_value, "missing_timestamp", ", ".join(profile.milestones))
    ev = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["row", "order", "activity", "end", "start", "precision"])
    ev = ev.sort_values(["row", "order"], kind="stable").drop(columns="order").reset_index(drop=True)
    return ev


def _merge_spellings(cat: pd.Series) -> tuple[pd.Series, int]:
    """Labels that differ only in upper/lower case or spacing ("antrag eingegangen", "Antrag  eingegangen")
    become the most frequent spelling of that label; how many rows changed. Works on the categories."""
    cats = cat.cat.categories
    if len(cats) < 2:
        return cat, 0
    key = pd.Index(np.asarray(cats, dtype=object)).astype(str).str.replace(r"\s+", " ", regex=True).str.strip().str.casefold()
    if key.is_unique:
        return cat, 0
    codes = codes_of(cat)
    counts = np.bincount(codes[codes >= 0], minlength=len(cats))
    group, _ = pd.factorize(key)
    order = np.lexsort((-counts, group))  # by label group, the most frequent spelling first
    first = np.ones(len(order), dtype=bool)
    first[1:] = group[order][1:] != group[order][:-1]
    representative = np.empty(group.max() + 1, dtype=np.int64)
    representative[group[order][first]] = order[first]
    target = representative[group]  # category -> the category it is spelled as
    new_codes = np.where(codes >= 0, target[np.maximum(codes, 0)], -1)
    changed = int((new_codes != codes).sum())
    merged = pd.Categorical.from_codes(new_codes, categories=cats).remove_unused_categories()
    return pd.Series(merged, index=cat.index, name=cat.name), changed


def _label_other_transitions(activity: pd.Series, lifecycle: pd.Series, profile: Profile) -> tuple[pd.Series, np.ndarray]:
    """Activity labels with the transition appended (``A (schedule)``) on rows whose lifecycle value is
    another XES standard transition (not one the profile names as start or complete); which rows those are.

    Works on the distinct (activity, transition) pairs; a row without an activity keeps none.
    """
    own = {s.casefold() for s in (*profile.lifecycle_start, *profile.lifecycle_complete)}
    lc_cats = lifecycle.cat.categories
    is_other = np.array([str(c).strip().casefold() in XES_OTHER_TRANSITIONS - own for c in lc_cats], dtype=bool)
    lc_codes = codes_of(lifecycle)
    act_codes = codes_of(activity)
    hit = (lc_codes >= 0) & (is_other[np.maximum(lc_codes, 0)] if len(is_other) else False) & (act_codes >= 0)
    if not hit.any():
        return activity, hit
    width = np.int64(len(lc_cats))
    pair_u, inverse = np.unique(act_codes[hit].astype(np.int64) * width + lc_codes[hit], return_inverse=True)
    acts = activity.cat.categories
    labels = [f"{acts[int(u // width)]} ({str(lc_cats[int(u % width)]).strip()})" for u in pair_u]  # distinct pairs
    categories = pd.Index(list(acts) + [x for x in dict.fromkeys(labels) if x not in set(acts)], dtype=object)
    new_codes = act_codes.astype(np.int32, copy=True)
    new_codes[hit] = categories.get_indexer(pd.Index(labels, dtype=object))[inverse.ravel()]
    return pd.Series(pd.Categorical.from_codes(new_codes, categories=categories), index=activity.index), hit


def _pair_lifecycle(ev: pd.DataFrame, lc_kind: np.ndarray, case_p: pd.Series | None) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Pair the k-th start with the k-th complete of the same case and activity (in time order)."""
    kind = lc_kind[ev["row"].to_numpy()]
    case_codes = codes_of(case_p)[ev["row"].to_numpy()] if case_p is not None else np.zeros(len(ev), dtype=np.int64)
    ev = ev.assign(_case=case_codes, _kind=kind, _act=ev["activity"].astype(str))
    ev = ev.sort_values(["_case", "_act", "end", "row"], kind="stable")
    ev["_k"] = ev.groupby(["_case", "_act", "_kind"], sort=False).cumcount()
    st = ev.loc[ev["_kind"] == 1, ["_case", "_act", "_k", "row", "end", "precision"]].rename(
        columns={"row": "start_row", "end": "start_time", "precision": "start_precision"}
    )
    co = ev.loc[ev["_kind"] != 1]
    merged = co.merge(st, on=["_case", "_act", "_k"], how="outer", indicator=True)
    unmatched_start = merged.loc[merged["_merge"] == "right_only", "start_row"].to_numpy().astype(np.int64)
    pairs = merged.loc[merged["_merge"] != "right_only"].copy()
    pairs["start"] = pairs["start_time"].where(pairs["_merge"] == "both")
    pairs["start_row"] = pairs["start_row"].fillna(-1).astype(np.int64)
    pairs["row"] = pairs["row"].astype(np.int64)
    start_rank = pairs["start_precision"].fillna(-1).to_numpy().astype(np.int8)
    end_rank = pairs["precision"].fillna(-1).to_numpy().astype(np.int8)
    pairs["precision"] = np.maximum(start_rank, end_rank)  # the coarser of the two
    pairs = pairs.sort_values("row", kind="stable").reset_index(drop=True)
    unmatched_complete = (pairs["_merge"] == "left_only").to_numpy()
    out = pairs[["row", "activity", "end", "start", "precision", "activity_key", "start_row"]]
    out = out.assign(start=pd.to_datetime(out["start"], utc=True).astype("datetime64[us, UTC]"))
    return out, unmatched_start, unmatched_complete


def _flags(
    case_codes: np.ndarray, n_cases: int, end_us: np.ndarray, prec_ranks: np.ndarray, res_codes: np.ndarray,
    extra: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Kept-but-flagged events, from per-event arrays in source order (case and resource codes, end in
    UTC microseconds, precision ranks)."""
    n = len(end_us)
    out: dict[str, np.ndarray] = {}
    if n == 0:
        return out
    out["out_of_order"] = _out_of_order(case_codes, end_us, n_cases)
    is_day = prec_ranks == _PRECISION_RANK["day"]
    minute = end_us // 60_000_000
    batch = _local_midnight(end_us, minute)
    batch |= _same_minute_groups(minute, res_codes, BATCH_MIN_EVENTS) & (res_codes >= 0)
    if batch.any():  # day-precision events carry their own flag instead
        batch &= ~is_day
    out["batch_entry"] = batch
    out["day_precision"] = is_day
    for k, v in extra.items():
        out[k] = np.asarray(v, dtype=bool)
    return out


def _local_midnight(end_us: np.ndarray, minute: np.ndarray | None = None) -> np.ndarray:
    """Events at exactly 00:00:00 office time (``schema.DISPLAY_TZ``); only whole UTC hours can be, so
    only those are converted. ``minute`` is ``end_us // 60_000_000`` when the caller has it."""
    hit = np.zeros(len(end_us), dtype=bool)
    minute = end_us // 60_000_000 if minute is None else minute
    whole_minute = np.flatnonzero(end_us == minute * 60_000_000)  # usually few
    whole_hour = whole_minute[end_us[whole_minute] % 3_600_000_000 == 0]
    if len(whole_hour):
        utc = pd.Series(end_us[whole_hour].astype("datetime64[us]")).dt.tz_localize("UTC")
        local = utc.dt.tz_convert(schema.DISPLAY_TZ).dt.tz_localize(None).to_numpy().astype("datetime64[us]").astype(np.int64)
        hit[whole_hour] = local % 86_400_000_000 == 0
    return hit


MINUTE_COUNT_SPAN = 1 << 24  # minutes (about 32 years): counted in one array; longer spans are hashed


def _same_minute_groups(minute: np.ndarray, group: np.ndarray, at_least: int) -> np.ndarray:
    """Rows whose (group, minute) pair occurs at least ``at_least`` times.

    A pair can only be that frequent where the minute alone is: minutes are counted first (one array
    over the log's span), and only rows in such busy minutes are grouped by pair.
    """
    n = len(minute)
    if n < at_least:
        return np.zeros(n, dtype=bool)
    lo = int(minute.min())
    span = int(minute.max()) - lo + 1
    rel = minute - lo
    if span <= MINUTE_COUNT_SPAN:
        busy_minute = np.bincount(rel, minlength=span) >= at_least  # one byte per minute: a small table to look up
        if not busy_minute.any():
            return np.zeros(n, dtype=bool)
        busy = np.flatnonzero(busy_minute[rel])
    else:
        codes = pd.factorize(rel)[0]
        busy = np.flatnonzero(np.bincount(codes)[codes] >= at_least)
    out = np.zeros(n, dtype=bool)
    if len(busy):
        key = pd.factorize((group[busy].astype(np.int64) + 1) * span + rel[busy])[0]
        out[busy] = np.bincount(key)[key] >= at_least
    return out


def _out_of_order(case_codes: np.ndarray, end: np.ndarray, n_cases: int) -> np.ndarray:
    """Events that end before an earlier event (in source order) of the same case.

    Usual exports list each case's events together and in time order: checked in one pass, and then no
    event is out of order. Otherwise the running maximum per case is taken on the rows grouped by case
    (a stable counting sort keeps source order within a case).
    """
    n = len(end)
    if n < 2:
        return np.zeros(n, dtype=bool)
    same = case_codes[1:] == case_codes[:-1]
    runs = 1 + int(np.count_nonzero(~same))
    if runs == n_cases + int((case_codes < 0).any()) and not (same & (end[1:] < end[:-1])).any():
        return np.zeros(n, dtype=bool)  # each case in one block, each block in time order
    order = _group_sorter(case_codes, n_cases)
    g, e = case_codes[order], end[order]
    lowest = np.iinfo(np.int64).min
    prev_max = pd.Series(e).groupby(g).cummax().groupby(g).shift(fill_value=lowest).to_numpy()
    flagged = np.zeros(n, dtype=bool)
    flagged[order] = e < prev_max
    return flagged


def _group_sorter(codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Stable order that groups rows by integer code (missing = -1 first): a counting sort."""
    try:
        from pandas.core.sorting import get_group_index_sorter

        return np.asarray(get_group_index_sorter(np.asarray(codes, dtype=np.intp) + 1, n_groups + 1), dtype=np.int64)
    except (ImportError, TypeError):  # pandas internals moved: the general stable sort gives the same order
        return np.argsort(codes, kind="stable")


def _flag_column(flags: dict[str, np.ndarray], n: int) -> pd.Categorical:
    """One column listing each event's flags (comma-separated), missing when none; built from a bit mask
    over the flags some event has (usually few or none)."""
    names = [k for k, v in flags.items() if np.asarray(v, dtype=bool).any()]
    if len(names) > 8:
        raise ValueError("at most 8 quality flags fit the bit mask")
    if not names:
        return categorical_from_unique(np.full(n, -1, dtype=np.int8), pd.Index([], dtype=object))
    mask = np.zeros(n, dtype=np.uint8)
    for i, k in enumerate(names):
        mask |= np.asarray(flags[k], dtype=bool).view(np.uint8) << np.uint8(i)
    flagged = np.flatnonzero(mask)  # usually a small share of the events
    bits = mask[flagged]
    used = np.flatnonzero(np.bincount(bits, minlength=1 << len(names)))
    remap = np.full(1 << len(names), -1, dtype=np.int8)
    remap[used] = np.arange(len(used))
    labels = [",".join(k for i, k in enumerate(names) if int(m) >> i & 1) for m in used]
    codes = np.full(n, -1, dtype=np.int8)
    codes[flagged] = remap[bits]
    return categorical_from_unique(codes, pd.Index(labels, dtype=object))


def _row_groups(columns: list[pd.Series]) -> np.ndarray:
    """Group id per row over several categoricals (equal ids = equal values in every column)."""
    key = np.zeros(len(columns[0]) if columns else 0, dtype=np.int64)
    span = 1
    for col in columns:
        card = len(col.cat.categories) + 1
        if span * card >= 2**62:  # compact the key before it could overflow
            key = pd.factorize(key)[0].astype(np.int64)
            span = int(key.max()) + 1 if len(key) else 1
        key = key * card + codes_of(col).astype(np.int64) + 1
        span *= card
    return pd.factorize(key)[0].astype(np.int64)


def sort_events(log: pd.DataFrame) -> pd.DataFrame:
    """The order of ``schema.sort_log`` (case_id as text, end, event_seq), computed on integer codes.

    The case categories come out in text order (their codes are then the sort rank).
    """
    if len(log) == 0:
        return log.reset_index(drop=True)
    ranked = _text_ranked(log[schema.CASE_ID])
    codes = np.asarray(ranked.codes).astype(np.int64)
    end = _naive_utc(log[schema.END]).astype(np.int64)
    seq = log[schema.EVENT_SEQ].to_numpy()
    if len(seq) > 1 and (np.diff(seq) > 0).all():
        order = _event_order(codes, len(ranked.categories), end)
    else:
        order = np.lexsort((seq, end, codes))
    out = log.take(order).reset_index(drop=True)
    out[schema.CASE_ID] = categorical_from_unique(codes[order].astype(np.int32), ranked.categories)
    return out


def _text_ranked(cat: pd.Series) -> pd.Categorical:
    """The same values with categories in text order (code = sort rank); missing stays missing."""
    c = cat.cat
    arr = _arrow_strings(c.categories)
    if arr is not None and (len(arr) < 2 or pc.all(pc.less(arr.slice(0, len(arr) - 1), arr.slice(1))).as_py()):
        return cat.array  # already in text order (pseudonymised case ids)
    order_cats = _text_order(c.categories, arr)
    rank = np.empty(len(order_cats) + 1, dtype=np.int32)
    rank[order_cats] = np.arange(len(order_cats), dtype=np.int32)
    rank[-1] = -1  # code -1 (missing) takes the last entry
    return categorical_from_unique(np.take(rank, codes_of(cat).astype(np.intp)), c.categories.take(order_cats))


def _event_order(case_rank: np.ndarray, n_cases: int, end: np.ndarray, in_time_order: bool = False) -> np.ndarray:
    """Positions that sort events (given in event_seq order) by case rank, end and event_seq.

    A stable grouping by case keeps each case's events in event_seq order, which is already the full
    order whenever each case's events run in time order (usual exports; ``in_time_order`` says it is
    known, e.g. no event was flagged out of order); otherwise a full lexsort.
    """
    if len(end) < 2:
        return np.arange(len(end), dtype=np.int64)
    by_case = _group_sorter(case_rank, n_cases)
    if in_time_order:
        return by_case
    c, e = case_rank[by_case], end[by_case]
    if not ((c[1:] == c[:-1]) & (e[1:] < e[:-1])).any():
        return by_case
    return np.lexsort((np.arange(len(end)), end, case_rank))


def _text_order(values: pd.Index, arr: pa.Array | None = None) -> np.ndarray:
    """Positions that sort the values as text (code point order, stable), as ``np.argsort`` on str;
    ``arr`` is the values as arrow text when the caller has them."""
    try:
        arr = pa.array(values.to_numpy(dtype=object), type=pa.string()) if arr is None else arr
        return np.asarray(pc.array_sort_indices(arr).to_numpy(), dtype=np.int64)  # UTF-8 byte order = code point order
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # e.g. lone surrogates
        return np.argsort(np.asarray(values.astype(str), dtype=object), kind="stable")


def _quarantine_frame(raw: RawTable, marks: _Marks, bad: np.ndarray, safe: dict[str, pd.Series]) -> pd.DataFrame:
    """Quarantined rows with reason, column, offending value and the used columns (safe values only)."""
    idx = np.flatnonzero(bad)
    q = pd.DataFrame(
        {
            "source_file": _values_at(pd.Series(raw.source_file), idx),
            "source_row": raw.source_row[idx],
            "reason": np.asarray(REASONS, dtype=object)[marks.code[idx] - 1] if len(idx) else np.empty(0, dtype=object),
            "column": marks.column_at(idx),
            "found": [_short(v) for v in marks.found_at(idx)],
        }
    )
    for col, vals in safe.items():
        if col in q.columns:
            continue
        v = _values_at(vals, idx)
        q[col] = [_short(x, QUARANTINE_VALUE_CHARS) for x in v]
    if len(raw.rejected):
        rej = raw.rejected.reindex(columns=list(q.columns))
        q = pd.concat([q, rej], ignore_index=True) if len(q) else rej.reset_index(drop=True)
    return q.sort_values(["source_file", "source_row"], kind="stable").reset_index(drop=True)


def _short(v: object, limit: int = 200) -> object:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    s = str(v)
    return s[:limit] + "…" if len(s) > limit else s



# --- files in, files out ------------------------------------------------------------------------


def matching_profile(raw: RawTable, folder: Path | None = None) -> Profile | None:
    """The folder's or a built-in profile whose match_columns fit the header (None when none fits)."""
    have = set(raw.columns)
    for candidates in ((folder_profiles(folder) if folder is not None else []), builtin_profiles()):
        hit = match_profile(raw.columns, [p for p in candidates if all(c in have for c in p.used_columns())])
        if hit is not None:  # the analyst's folder profiles before the built-in ones
            return hit
    return None


def choose_profile(raw: RawTable, folder: Path | None = None) -> Profile:
    """The folder's or a built-in profile whose match_columns fit the header, else a suggested one."""
    hit = matching_profile(raw, folder)
    if hit is not None:
        return hit
    candidates = (folder_profiles(folder) if folder is not None else []) + builtin_profiles()
    partial = match_profile(raw.columns, candidates)
    prof = suggest_profile(raw)
    needed = ["case_id"] + ([] if prof.shape == "milestones" else ["activity", "end"])
    missing = [f for f in needed if f not in prof.columns and not (f == "end" and "end_date" in prof.columns)]
    if missing and partial is not None:
        resolve_columns(raw, partial)  # raises: names the missing column and the nearest match
    if missing:
        raise InputProblem(
            code="unrecognised_columns",
            file=raw.file,
            sheet=raw.sheet,
            row=1,
            found="keine Spalte erkannt für " + ", ".join(FIELDS.get(f, f) for f in missing),
            expected="Spalten für Vorgangs-ID, Tätigkeit und Zeitstempel (z. B. Vorgang, Tätigkeit, Ende)",
            hint="Legen Sie ein Profil an (procmine inspect schreibt einen Vorschlag) und ordnen Sie die Spalten zu.",
            details=["vorhandene Spalten: " + ", ".join(raw.columns[:40])]
            + ([f"Blätter der Arbeitsmappe: {', '.join(raw.sheets)} (ein anderes mit --sheet wählen)"] if len(raw.sheets) > 1 else []),
        )
    return prof


def _resolve_profile(profile: Profile | str | Path | None, folder: Path) -> Profile | None:
    if profile is None or isinstance(profile, Profile):
        return profile
    return get_profile(str(profile), folder_profiles(folder))


def read_with_profile(
    path: Path,
    profile: Profile | str | Path | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> tuple[RawTable, Profile]:
    """Read a file with its profile (chosen from the header when none is given); progress per piece read.

    ``encoding`` / ``delimiter`` override what the profile says or the detection finds.
    """
    prof = _with_overrides(_resolve_profile(profile, path.parent), encoding, delimiter)
    if prof is None and not encoding and not delimiter:  # a profile that fits the header: one read, with it
        preview = read_preview(path, sheet=sheet)  # the header decides the profile
        prof = matching_profile(preview, path.parent) if preview is not None else None
        if prof is not None:
            return read_table(path, prof, sheet=sheet, progress=progress), prof
    if prof is None:
        raw = read_table(path, sheet=sheet, progress=progress, encoding=encoding, delimiter=delimiter)
        prof = _with_overrides(choose_profile(raw, path.parent), encoding, delimiter)
        if (prof.encoding not in ("auto", raw.encoding)) or (prof.delimiter not in ("auto", raw.delimiter)) or (prof.sheet and prof.sheet != raw.sheet):
            raw = read_table(path, prof, sheet=sheet, progress=progress)
        else:  # read already: the profile's personal columns are dropped before anything else sees them
            raw = without_columns(raw, prof.never_load())
    else:
        raw = read_table(path, prof, sheet=sheet, progress=progress)
    return raw, prof


def _with_overrides(prof: Profile | None, encoding: str | None, delimiter: str | None) -> Profile | None:
    """The profile with the caller's encoding and delimiter (when given) in place of its own."""
    if prof is None or (not encoding and not delimiter):
        return prof
    return replace(prof, encoding=encoding or prof.encoding, delimiter=delimiter or prof.delimiter)


def _write(result: NormaliseResult, out_dir: Path, stem: str) -> NormaliseResult:
    out_dir.mkdir(parents=True, exist_ok=True)
    offices = list(result.log[schema.OFFICE].cat.categories) if len(result.log) else [result.quality.office]
    paths: dict[str, Path] = {}
    qname = str(offices[0]) if len(offices) == 1 else stem
    qpath = out_dir / f"{_safe_name(qname)}.quarantine.csv"
    # the Parquet writer releases the GIL: the quarantine CSV is written meanwhile
    pending = runtime.beside(lambda: _write_logs(result.log, offices, out_dir, stem))
    result.quarantine.to_csv(qpath, sep=";", index=False, encoding="utf-8-sig")
    paths.update(pending.result())
    paths["quarantine"] = qpath
    quality = replace(result.quality, quarantine_file=str(qpath))
    return replace(result, quality=quality, paths=paths)


def _write_logs(log: pd.DataFrame, offices: list, out_dir: Path, stem: str) -> dict[str, Path]:
    """One Parquet log per office (a single file named after the office, or the stem when there is none)."""
    if len(offices) <= 1:
        name = str(offices[0]) if offices else stem
        return {name: _write_log(log, out_dir / f"{_safe_name(name)}.parquet")}
    paths: dict[str, Path] = {}
    for o in offices:
        part = log[log[schema.OFFICE] == o].reset_index(drop=True)
        part[schema.OFFICE] = part[schema.OFFICE].cat.remove_unused_categories()
        paths[str(o)] = _write_log(part, out_dir / f"{_safe_name(str(o))}.parquet")
    return paths


def _write_log(log: pd.DataFrame, path: Path) -> Path:
    """``schema.write_log`` without its second validation: ``normalise`` validated and sorted the log."""
    path.parent.mkdir(parents=True, exist_ok=True)
    schema.write_table(schema.to_arrow(log), path)
    return path


def _safe_name(name: str) -> str:
    return re.sub(r"[^\w.\-]+", "_", name).strip("_") or "office"


@runtime.without_cycle_collection()
def ingest_file(
    path: str | Path,
    out_dir: str | Path,
    profile: Profile | str | Path | None = None,
    key: bytes | None = None,
    progress: Progress | None = None,
    sheet: str | None = None,
    now: pd.Timestamp | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> NormaliseResult:
    """Read, normalise and write one export: ``<office>.parquet`` and ``<office>.quarantine.csv``.

    ``encoding`` / ``delimiter`` override detection and profile (e.g. ``"cp1252"``, ``";"``).
    """
    path = Path(path)
    if progress:
        progress(0, None)
    raw, prof = read_with_profile(path, profile, sheet, progress, encoding=encoding, delimiter=delimiter)
    if progress:
        progress(0, raw.rows_read)
    result = normalise(raw, prof, key=key, now=now)
    rows = raw.rows_read
    del raw  # the cells are no longer needed: free them before the Parquet copy of the log is made
    runtime.release_free_memory()
    if progress:
        progress(rows, rows)
    return _write(result, Path(out_dir), path.name.split(".")[0])


def concat_raw(tables: list[RawTable]) -> RawTable:
    """Several exports of one shape as one RawTable (union of columns, provenance per row)."""
    if len(tables) == 1:
        return tables[0]
    cols: list[str] = []
    for t in tables:
        cols += [c for c in t.columns if c not in cols]
    frames = []
    for t in tables:
        f = t.data.copy()
        for c in cols:
            if c not in f.columns:
                f[c] = pd.Series(pd.Categorical([None] * len(f)), index=f.index)
        frames.append(f[cols].astype(object))
    data = pd.concat(frames, ignore_index=True)
    data = data.where(data.notna(), None)
    data = pd.DataFrame({c: data[c].astype("category") for c in cols})
    files = pd.Categorical(np.concatenate([np.asarray(t.source_file, dtype=object) for t in tables]),
                           categories=list(dict.fromkeys(f for t in tables for f in t.source_file.categories)))
    notes: dict[str, int] = {}
    for t in tables:
        for k, v in t.notes.items():
            notes[k] = notes.get(k, 0) + v
    rejected = pd.concat([t.rejected for t in tables if len(t.rejected)], ignore_index=True) if any(len(t.rejected) for t in tables) else tables[0].rejected
    dups = tuple(dict.fromkeys(d for t in tables for d in t.duplicate_headers))
    first = tables[0]
    return RawTable(
        data=data, source_row=np.concatenate([t.source_row for t in tables]), source_file=files, path=None,
        format=first.format, sheet=first.sheet, sheets=first.sheets, encoding=first.encoding, delimiter=first.delimiter,
        header=tuple(cols), duplicate_headers=dups, rejected=rejected, notes=notes,
    )


@runtime.without_cycle_collection()
def ingest_office(
    paths: list[Path] | list[str],
    out_dir: str | Path,
    profile: Profile | str | Path | None = None,
    key: bytes | None = None,
    progress: Progress | None = None,
    office: str | None = None,
    now: pd.Timestamp | None = None,
    default_office: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> NormaliseResult:
    """Several exports of one office (e.g. monthly) as one log; rows repeated across files are quarantined
    as exact_duplicate and counted in ``quality.notes['duplicates_across_files']``.

    The office is ``office``, else the profile's, else ``default_office``, else the files' common stem.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise InputProblem(code="no_files", file="", found="keine Dateien", expected="mindestens eine Exportdatei",
                           hint="Geben Sie die Exportdateien der Behörde an.")
    tables: list[RawTable] = []
    prof: Profile | None = None
    for i, p in enumerate(paths):
        raw, pr = read_with_profile(p, profile if profile is not None else prof, sheet, encoding=encoding, delimiter=delimiter)
        prof = prof or pr
        tables.append(raw)
        if progress:
            progress(sum(t.rows_read for t in tables), None)
    assert prof is not None
    raw = concat_raw(tables)
    name = office or prof.office or default_office or _common_stem([p.name.split(".")[0] for p in paths])
    result = normalise(raw, prof, key=key, now=now, office=name)
    if progress:
        progress(raw.rows_read, raw.rows_read)
    return _write(result, Path(out_dir), name)


def _common_stem(stems: list[str]) -> str:
    prefix = os.path.commonprefix(stems).rstrip("_- .")
    return prefix or stems[0]


@dataclass(frozen=True)
class InspectReport:
    """What ``procmine inspect`` shows: how the file was read, a preview and the profile to confirm."""

    text: str
    profile: Profile
    matched: bool  # True when an existing (built-in or folder) profile fits the file
    raw: RawTable


def inspect_file(
    path: str | Path, sheet: str | None = None, preview_rows: int = 5, encoding: str | None = None, delimiter: str | None = None
) -> InspectReport:
    """Sniff a new export: encoding, delimiter, sheets, columns, a preview and a suggested profile.

    Personal columns (names, birth dates, Aktenzeichen, notes ...) and staff columns are masked in the preview.
    """
    path = Path(path)
    raw = read_table(path, sheet=sheet, encoding=encoding, delimiter=delimiter)
    hit = matching_profile(raw, path.parent)
    prof = _with_overrides(hit if hit is not None else suggest_profile(raw), encoding, delimiter)
    lines = [f"Datei: {path.name}", f"Format: {raw.format}"]
    if raw.encoding:
        lines.append(f"Kodierung: {raw.encoding}")
    if raw.delimiter:
        lines.append("Trennzeichen: " + {"\t": "Tabulator", ";": "Semikolon ;", ",": "Komma ,", "|": "senkrechter Strich |"}.get(raw.delimiter, raw.delimiter))
    if raw.sheets:
        lines.append("Blätter: " + ", ".join(raw.sheets) + f" (gelesen: {raw.sheet})")
    lines.append(f"Zeilen: {_int_de(raw.rows_read)}")
    lines.append(f"Spalten ({len(raw.columns)}): " + ", ".join(raw.columns))
    if raw.duplicate_headers:
        lines.append("Doppelte Spaltennamen: " + ", ".join(raw.duplicate_headers))
    lines.append("")
    lines.append(f"Profil: {prof.name}" + (" (vorhandenes Profil passt)" if hit is not None else " (Vorschlag, bitte prüfen)"))
    lines.append(f"Form: {prof.shape}")
    for fld, col in prof.columns.items():
        lines.append(f"  {FIELDS.get(fld, fld)} ({fld}) ← '{col}'")
        if fld == "case_id" and prof.case_id_with:
            lines.append("    zusammen mit " + ", ".join(f"'{c}'" for c in prof.case_id_with) + " (case_id_with: erst beides macht den Vorgang eindeutig)")
    starts = {end: start for start, end in prof.milestone_starts.items()}
    for col, label in prof.milestones.items():
        lines.append(f"  Meilenstein '{col}' → {label}" + (f" (Beginn: '{starts[col]}')" if col in starts else ""))
    if prof.privacy_drop:
        lines.append("Personenbezogene Spalten (werden nicht gelesen): " + ", ".join(prof.privacy_drop))
    if prof.extra:
        lines.append("Weitere Spalten (werden übernommen): " + ", ".join(prof.extra))
    missing = [f for f in ("case_id", "activity") if f not in prof.columns and not (f == "activity" and prof.shape == "milestones")]
    if "end" not in prof.columns and "end_date" not in prof.columns and prof.shape != "milestones":
        missing.append("end")
    if missing:
        lines.append("Nicht erkannt: " + ", ".join(FIELDS.get(f, f) for f in missing) + " – bitte im Profil ergänzen.")
    preview = raw.preview(preview_rows)
    masked = _preview_masked_columns(raw.columns, prof)
    for c in preview.columns:
        if c in masked:
            preview[c] = "•••"
    lines.append("")
    lines.append(f"Vorschau (erste {min(preview_rows, len(raw.data))} Zeilen, personenbezogene Spalten und Sachbearbeitung verdeckt):")
    lines.append(preview.to_string(index=False, max_colwidth=30) if len(preview) else "(keine Datenzeilen)")
    return InspectReport(text="\n".join(lines), profile=prof, matched=hit is not None, raw=raw)


def _preview_masked_columns(columns: list[str], prof: Profile) -> set[str]:
    """Columns whose values ``inspect`` hides: personal ones, the profile's dropped ones, the staff column it maps
    to resource and unmapped staff-like ones; the case id and the other mapped columns stay readable."""
    from procmine.profiles import is_personal, is_staff_like

    mapped = {col for fld, col in prof.columns.items() if fld != "resource"}
    staff = {c for c in columns if is_staff_like(c) and c not in mapped}
    resource = {prof.columns["resource"]} if "resource" in prof.columns else set()
    return set(prof.privacy_drop) | {c for c in columns if is_personal(c)} | staff | resource


def _int_de(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def summary_de(q: QualityReport) -> str:
    """A short German summary of the counts (for the CLI): read = kept + quarantined."""
    lines = [
        f"{q.office}: {_int_de(q.rows_read)} Zeilen gelesen = {_int_de(q.rows_kept)} übernommen + "
        f"{_int_de(q.rows_quarantined)} in Quarantäne; {_int_de(q.events)} Ereignisse."
    ]
    for reason, cnt in sorted(q.by_reason.items(), key=lambda kv: -kv[1]):
        lines.append(f"  - {REASON_LABELS_DE.get(reason, reason)}: {_int_de(cnt)}")
    for flag, cnt in sorted(q.flags.items(), key=lambda kv: -kv[1]):
        lines.append(f"  * markiert, {REASON_LABELS_DE.get(flag, flag)}: {_int_de(cnt)}")
    return "\n".join(lines)
