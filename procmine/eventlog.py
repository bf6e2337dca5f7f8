"""``EventLog``: the canonical event log as a type, and the only way into the analysis.

Building one (``EventLog(df)``, ``EventLog.from_frame(df)``, ``EventLog.read(path)``, ``EventLog.of(x)``)
checks the contract of ``docs/schema.md`` and puts the log into canonical form once:

* every non-nullable column is present (the nullable ones, when absent, are added empty);
* dtypes: the text columns categorical, ``event_seq``/``source_row`` int64, ``start``/``end`` UTC
  microseconds. Times with a time zone are converted to UTC; times *without* one (naive) are refused,
  as their zone cannot be guessed (localise them first, e.g. ``.dt.tz_localize("Europe/Berlin")``);
* no empty values in the required columns, known precisions, ``start <= end``, unique ``event_seq``;
* rows in canonical order (``case_id`` as text, ``end``, ``event_seq``; stable), a 0..n-1 index;
* the categories of every canonical text column are exactly the values in use, as text (pandas' ``str``
  dtype, as Parquet gives them), in text order. So the
  same rows give the same frame, whatever order or subset they came in, and the codes of ``case_id``
  are the case numbers 0..n_cases-1 along the log (``case_codes``), which the statistics use as is.

A log already in that form (the normal case, read from the normaliser's Parquet) is checked in a few
vectorised passes and not copied or sorted. A frame that an ``EventLog`` produced (``log.df``) is
recognised when it comes back (``EventLog.of(log.df)``) and not checked again: treat ``log.df`` as
read-only. An invalid log is refused with ``EventLogProblem`` (a ``schema.SchemaViolation``) whose
German message names the column, what was found and what was expected (texts in
``procmine.labels_de.messages.EVENT_LOG_PROBLEMS``).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from procmine.errors import ProcmineError
from procmine.labels_de.messages import EVENT_LOG_PROBLEMS
from procmine.schema import (
    CASE_ID,
    CATEGORICAL,
    COLUMNS,
    END,
    EVENT_SEQ,
    PRECISION,
    PRECISIONS,
    REQUIRED,
    SOURCE_FILE,
    SOURCE_ROW,
    START,
    SchemaViolation,
    codes_of,
    read_log,
)

__all__ = ["MESSAGES_DE", "EventLog", "EventLogProblem", "LogLike", "as_frame"]

TIME_COLUMNS = (START, END)
TEXT = pd.StringDtype(na_value=np.nan)  # pandas' default text dtype ("str"): the categories' dtype
INT_COLUMNS = tuple(c for c in COLUMNS if c not in CATEGORICAL and c not in TIME_COLUMNS)

# German user text of the checks (code -> found, expected, what to do) lives with the other user text
MESSAGES_DE = EVENT_LOG_PROBLEMS


class EventLogProblem(SchemaViolation, ProcmineError):
    """A log that breaks the event-log contract: which column, what was found, what was expected."""

    def __init__(self, code: str, column: str | None = None, **params: Any) -> None:
        self.code = code
        self.column = column
        self.params = params
        found, expected, hint = (t.format(column=column, **params) for t in MESSAGES_DE[code])
        self.found, self.expected, self.hint = found, expected, hint
        super().__init__(self.user_message())

    def user_message(self) -> str:
        title_col, title, _ = MESSAGES_DE["title"]
        f_found, f_expected, f_hint = MESSAGES_DE["parts"]
        parts = [(title_col.format(column=self.column) if self.column else title) + ":"]
        parts.append(f_found.format(found=self.found))
        parts.append(f_expected.format(expected=self.expected))
        if self.hint:
            parts.append(f_hint.format(hint=self.hint))
        return " ".join(parts) + f" [{self.code}]"


# frames an EventLog produced, by id: (weak reference to the frame, its row count and columns, the log)
_KNOWN: dict[int, tuple[weakref.ref, tuple[int, tuple], weakref.ref]] = {}


class EventLog:
    """A canonical event log, validated and in canonical order (see the module docstring).

    Behaves like its frame in a notebook: ``len(log)``, ``log.columns``, ``log["case_type"]``,
    ``log[mask]`` and every other DataFrame attribute (``log.sample(frac=1)``, ``log.head()``) work on
    ``log.df`` and return what the DataFrame returns; any public function takes those results again.
    """

    def __init__(self, df: pd.DataFrame) -> None:
        if isinstance(df, EventLog):
            df = df.df
        if not isinstance(df, pd.DataFrame):
            raise EventLogProblem("not_a_frame", type=type(df).__name__)
        self._df = _canonical(df)
        _register(self)

    # --- building -----------------------------------------------------------------------------

    @classmethod
    def from_frame(cls, df: pd.DataFrame) -> EventLog:
        """The same as ``EventLog(df)``."""
        return cls(df)

    @classmethod
    def read(cls, path: str | Path) -> EventLog:
        """A canonical log from a Parquet file written by ``procmine ingest`` (``schema.write_log``)."""
        return cls(read_log(path))

    @classmethod
    def of(cls, log: LogLike) -> EventLog:
        """``log`` itself when it is an EventLog, the EventLog that produced it when it is one's ``.df``,
        else ``EventLog(log)``: what every public function calls at its entry."""
        if isinstance(log, EventLog):
            return log
        known = _KNOWN.get(id(log))
        if known is not None and known[0]() is log and known[1] == _fingerprint(log):
            ev = known[2]()
            if ev is not None:
                return ev
            return cls._trusted(log)
        return cls(log)

    @classmethod
    def _trusted(cls, df: pd.DataFrame) -> EventLog:
        out = cls.__new__(cls)
        out._df = df
        _register(out)
        return out

    # --- the log ------------------------------------------------------------------------------

    @property
    def df(self) -> pd.DataFrame:
        """The log as a DataFrame in canonical order (read-only by contract)."""
        return self._df

    @cached_property
    def case_codes(self) -> np.ndarray:
        """Case number per row: 0..n_cases-1, non-decreasing along the log (the codes of ``case_id``)."""
        return codes_of(self._df[CASE_ID]).astype(np.int64, copy=False)

    @property
    def n_cases(self) -> int:
        return len(self._df[CASE_ID].cat.categories)

    @cached_property
    def case_starts(self) -> np.ndarray:
        """Row where each case begins (``case_starts[k]`` is the first row of case ``k``)."""
        codes = self.case_codes
        if not len(codes):
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])

    @property
    def case_ids(self) -> np.ndarray:
        """The case ids in case-number order."""
        return np.asarray(self._df[CASE_ID].cat.categories, dtype=object)

    # --- DataFrame ergonomics -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._df)

    @property
    def columns(self) -> pd.Index:
        return self._df.columns

    def __getitem__(self, key: Any) -> Any:
        return self._df[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._df)

    def __contains__(self, key: object) -> bool:
        return key in self._df

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # private and special names are not the frame's (and keep pickling sane)
            raise AttributeError(name)
        return getattr(self._df, name)

    def __repr__(self) -> str:
        return f"EventLog({len(self._df)} Ereignisse, {self.n_cases} Vorgänge)\n{self._df!r}"

    def _repr_html_(self) -> str | None:
        return self._df._repr_html_()

    def __getstate__(self) -> dict[str, Any]:
        return {"_df": self._df}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._df = state["_df"]
        _register(self)


LogLike: TypeAlias = EventLog | pd.DataFrame


def as_frame(log: LogLike) -> pd.DataFrame:
    """The canonical frame of ``log`` (an EventLog, or a DataFrame built into one): the first line of
    every public analysis function, so the code behind it always sees the log in canonical form."""
    return EventLog.of(log).df


def _fingerprint(df: pd.DataFrame) -> tuple[int, tuple]:
    return len(df), tuple(df.columns)


def _register(ev: EventLog) -> None:
    df = ev._df
    key = id(df)

    def forget(_ref: weakref.ref) -> None:  # the frame is gone: its id may be reused
        _KNOWN.pop(key, None)

    _KNOWN[key] = (weakref.ref(df, forget), _fingerprint(df), weakref.ref(ev))


# --- building the canonical form -----------------------------------------------------------------


def _canonical(df: pd.DataFrame) -> pd.DataFrame:
    """The checked frame in canonical form; no data is copied where the input is already canonical."""
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise EventLogProblem(
            "missing_column", missing[0], present=", ".join(map(str, df.columns)) or "keine", required=", ".join(REQUIRED)
        )
    out = df.copy(deep=False)  # a new frame over the same data: the caller's frame is never changed
    for col in COLUMNS:
        fixed = _coerced(out, col)
        if fixed is not None:
            out[col] = fixed
    _check_values(out)
    for col in CATEGORICAL:
        tidy = _tidy_categories(out[col])
        if tidy is not None:
            out[col] = tidy
    order = _order(out)
    if order is not None:
        out = out.take(order)
    if not (isinstance(out.index, pd.RangeIndex) and out.index.start == 0 and out.index.step == 1):
        out = out.reset_index(drop=True)
    return out


def _coerced(df: pd.DataFrame, col: str) -> pd.Series | None:
    """Column ``col`` in its canonical dtype, or None when it already has it."""
    if col not in df.columns:
        if col in TIME_COLUMNS:
            return pd.Series(pd.NaT, index=df.index, dtype="datetime64[us, UTC]")
        empty = pd.Categorical.from_codes(np.full(len(df), -1), categories=pd.Index([], dtype=TEXT))
        return pd.Series(empty, index=df.index)
    s = df[col]
    if col in TIME_COLUMNS:
        return _utc(s, col)
    if col in INT_COLUMNS:
        if s.dtype == np.int64 or s.hasnans:
            return None  # empty values: the empty-values check names them
        ok = pd.api.types.is_integer_dtype(s.dtype)
        if not ok and pd.api.types.is_float_dtype(s.dtype):
            vals = s.to_numpy(dtype=float)
            ok = bool(np.all(np.isfinite(vals) & (vals == np.round(vals))))
        if not ok:
            raise EventLogProblem("bad_integer", col, dtype=s.dtype, example=_example(s))
        return s.astype(np.int64)
    if isinstance(s.dtype, pd.CategoricalDtype):
        return None
    return s.astype("string").astype("category")


def _utc(s: pd.Series, col: str) -> pd.Series | None:
    """A time column as UTC microseconds; None when it is already. Naive times are refused."""
    dtype = s.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        if str(dtype.tz) == "UTC" and dtype.unit == "us":
            return None
        return s.dt.tz_convert("UTC").astype("datetime64[us, UTC]")
    if s.isna().all():
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[us, UTC]")
    if pd.api.types.is_datetime64_dtype(dtype):
        raise EventLogProblem("naive_time", col, dtype=dtype, example=_example(s))
    try:
        parsed = pd.to_datetime(s)
    except (ValueError, TypeError) as err:
        raise EventLogProblem("bad_time", col, dtype=dtype, example=_example(s)) from err
    if not isinstance(parsed.dtype, pd.DatetimeTZDtype):
        raise EventLogProblem("naive_time", col, dtype=dtype, example=_example(s))
    return parsed.dt.tz_convert("UTC").astype("datetime64[us, UTC]")


def _example(s: pd.Series) -> str:
    vals = s.dropna()
    return repr(vals.iloc[0]) if len(vals) else "leer"


def _where(df: pd.DataFrame, pos: int) -> str:
    """A row for a message: its place in the table (1-based) and, where known, its source."""
    if SOURCE_FILE in df.columns and SOURCE_ROW in df.columns:
        file, row = df[SOURCE_FILE].iloc[pos], df[SOURCE_ROW].iloc[pos]
        if not (pd.isna(file) or pd.isna(row)):
            return MESSAGES_DE["where_source"][0].format(row=pos + 1, file=file, source_row=row)
    return MESSAGES_DE["where_row"][0].format(row=pos + 1)


def _check_values(df: pd.DataFrame) -> None:
    """Empty required values, unknown precisions, start after end, repeated event numbers."""
    for col in REQUIRED:
        empty = df[col].isna().to_numpy()
        if empty.any():
            raise EventLogProblem("empty_values", col, count=int(empty.sum()), where=_where(df, int(np.argmax(empty))))
    prec = df[PRECISION]
    codes = codes_of(prec)
    used = prec.cat.categories[np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(prec.cat.categories)))]
    unknown = sorted({str(v) for v in used} - set(PRECISIONS))
    if unknown:
        raise EventLogProblem("bad_precision", PRECISION, values=", ".join(unknown), allowed=", ".join(PRECISIONS))
    start, end = df[START].array.asi8, df[END].array.asi8  # missing starts are the smallest int64
    late = start > end
    if late.any():
        i = int(np.argmax(late))
        raise EventLogProblem(
            "start_after_end", START, count=int(late.sum()), where=_where(df, i),
            start=df[START].iloc[i], end=df[END].iloc[i],
        )
    seq = df[EVENT_SEQ].to_numpy()
    if len(seq) > 1:
        lo = int(seq.min())
        if int(seq.max()) - lo < 4 * len(seq):
            counts = np.bincount(seq - lo)
            twice = np.flatnonzero(counts > 1)
            dup_count, example = int(counts[twice].sum() - len(twice)), (int(twice[0]) + lo if len(twice) else 0)
        else:
            dup = pd.Series(seq).duplicated().to_numpy()
            dup_count, example = int(dup.sum()), (int(seq[np.argmax(dup)]) if dup.any() else 0)
        if dup_count:
            raise EventLogProblem("duplicate_seq", EVENT_SEQ, count=dup_count, example=example)


def _tidy_categories(col: pd.Series) -> pd.Series | None:
    """The categorical column with exactly its used categories, as text (pandas' ``str``), in text order;
    None when it has them already (the usual case: a log read from Parquet)."""
    cats = col.cat.categories
    codes = codes_of(col)
    used = np.bincount(codes[codes >= 0], minlength=len(cats)) > 0
    text = cats if cats.dtype == TEXT else cats.astype(str).astype(TEXT)
    if used.all() and text is cats and cats.is_monotonic_increasing:
        return None
    keep = np.flatnonzero(used)
    order = keep[np.argsort(np.asarray(text[keep], dtype=object), kind="stable")]
    remap = np.full(len(cats) + 1, -1, dtype=np.int64)  # the last slot maps missing (-1) to missing
    remap[order] = np.arange(len(order))
    return pd.Series(pd.Categorical.from_codes(remap[codes], text[order]), index=col.index, name=col.name)


def _order(df: pd.DataFrame) -> np.ndarray | None:
    """The row permutation to canonical order, or None when the rows are in it. Case codes are in text
    order after ``_tidy_categories``, so the order is (case code, end, event_seq)."""
    if len(df) < 2:
        return None
    case = codes_of(df[CASE_ID]).astype(np.int64)
    end = df[END].array.asi8
    seq = df[EVENT_SEQ].to_numpy()
    dc, de, ds = np.diff(case), np.diff(end), np.diff(seq)
    if not ((dc < 0) | ((dc == 0) & ((de < 0) | ((de == 0) & (ds < 0))))).any():
        return None
    return np.lexsort((seq, end, case))
