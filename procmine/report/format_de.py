"""German number, date and duration formatting (1.234,5 · 31.12.2024 · "3 Tage 4 Std."), also as Jinja filters.

A number and its unit are joined by a no-break space (U+00A0, the German typographic rule), so "83,1" and "%"
never stand on two lines of a printed table; the two parts of a duration ("3 Tage" "4 Std.") may.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pandas as pd

from procmine.schema import DISPLAY_TZ

MISSING = "–"  # shown where a value is absent (not computable, no data)
SUPPRESSED = "< 5"  # default text of a suppressed small cell (k = 5); build.py passes its own k
NBSP = "\u00a0"  # joins a number and its unit (12,3 %, 4 Tage, 3 Std., 5 Min.): they never wrap apart on paper


def _is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pandas NA."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_number(value: Any, decimals: int = 1) -> str:
    """A number with German separators: 1234.5 -> '1.234,5'; integers-valued floats keep the decimals asked for."""
    if _is_missing(value):
        return MISSING
    x = float(value)
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    text = f"{x:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]  # no "-0,0"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def fmt_int(value: Any) -> str:
    """A whole number with thousands dots: 12345 -> '12.345'."""
    if _is_missing(value):
        return MISSING
    return fmt_number(round(float(value)), 0)


def fmt_percent(share: Any, decimals: int = 1) -> str:
    """A share (0..1) as German percentage: 0.1234 -> '12,3 %'."""
    if _is_missing(share):
        return MISSING
    return f"{fmt_number(float(share) * 100.0, decimals)}{NBSP}%"


def _to_berlin(value: Any) -> pd.Timestamp | None:
    """A timestamp in Europe/Berlin (naive values are taken as UTC, the storage zone)."""
    if _is_missing(value):
        return None
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return ts.tz_convert(DISPLAY_TZ)


def fmt_date(value: Any) -> str:
    """A date as TT.MM.JJJJ in Europe/Berlin: 2024-12-31 -> '31.12.2024'."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d.%m.%Y")
    ts = _to_berlin(value)
    return MISSING if ts is None else ts.strftime("%d.%m.%Y")


def fmt_datetime(value: Any) -> str:
    """A date and time in Europe/Berlin: '31.12.2024, 14:05 Uhr'."""
    ts = _to_berlin(value)
    return MISSING if ts is None else ts.strftime("%d.%m.%Y, %H:%M Uhr")


def fmt_duration(seconds: Any) -> str:
    """A duration in the two largest German units: 273600 s -> '3 Tage 4 Std.', 90 s -> '1 Min.'."""
    if _is_missing(seconds):
        return MISSING
    total = float(seconds)
    sign = "-" if total < 0 else ""
    total_min = int(round(abs(total) / 60.0))
    days, rest = divmod(total_min, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        parts = [f"{fmt_int(days)}{NBSP}{'Tag' if days == 1 else 'Tage'}"]
        if hours:
            parts.append(f"{hours}{NBSP}Std.")
    elif hours:
        parts = [f"{hours}{NBSP}Std."]
        if minutes:
            parts.append(f"{minutes}{NBSP}Min.")
    elif minutes:
        parts = [f"{minutes}{NBSP}Min."]
    else:
        return f"unter 1{NBSP}Min." if abs(total) > 0 else f"0{NBSP}Min."
    return sign + " ".join(parts)


def fmt_days(days: Any, decimals: int = 1) -> str:
    """Calendar days as '12,5 Tage' (1 -> '1,0 Tag' keeps the singular only for exactly one)."""
    if _is_missing(days):
        return MISSING
    x = float(days)
    if 0 < abs(x) < 0.95:  # under a day: hours and minutes say more than "0,0 Tage"
        return fmt_duration(x * 86400.0)
    unit = "Tag" if round(x, decimals) == 1 else "Tage"
    return f"{fmt_number(x, decimals)}{NBSP}{unit}"


def fmt_value(value: Any, unit: str | None) -> str:
    """A value by its unit key: days, seconds, share, per_case, cases, count; anything else as a number."""
    if _is_missing(value):
        return MISSING
    if unit == "days":
        return fmt_days(value)
    if unit in ("s", "seconds"):
        return fmt_duration(value)
    if unit == "share":
        return fmt_percent(value)
    if unit == "ratio":
        return f"{fmt_number(value, 1)}-fach"
    if unit == "percent":
        return f"{fmt_number(value, 1)}{NBSP}%"
    if unit in ("cases", "count", "events", "int"):
        return fmt_int(value)
    if unit == "per_case":
        return f"{fmt_number(value, 2)} je{NBSP}Vorgang"  # wraps as "0,28" / "je Vorgang" in a narrow column
    if unit == "case_days":
        return f"{fmt_int(value)}{NBSP}Vorgangstage"
    if unit == "hours":
        return f"{fmt_number(value, 1)}{NBSP}Std."
    return fmt_number(value, 1)


def fmt_hours(hours: Any) -> str:
    """Working time in hours: '53,4 Std.'; under one hour in minutes ('6 Min.'), so small values stay readable."""
    if _is_missing(hours):
        return MISSING
    x = float(hours)
    if abs(x) < 1.0:
        minutes = int(round(abs(x) * 60.0))
        return f"{'-' if x < 0 and minutes else ''}{minutes}{NBSP}Min."
    return f"{fmt_number(x, 1)}{NBSP}Std."


FILTERS = {
    "de_number": fmt_number,
    "de_int": fmt_int,
    "de_percent": fmt_percent,
    "de_date": fmt_date,
    "de_datetime": fmt_datetime,
    "de_duration": fmt_duration,
    "de_days": fmt_days,
    "de_value": fmt_value,
    "de_hours": fmt_hours,
}


def register_filters(env: Any) -> None:
    """Register every formatter on a Jinja Environment under its ``de_*`` name."""
    env.filters.update(FILTERS)
