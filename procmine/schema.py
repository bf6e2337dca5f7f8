"""The canonical event log: the one contract every stage reads and writes.

One row per activity instance. ``start`` and ``end`` sit on the same row (lifecycle rows of a source
are paired at ingest). Timestamps are tz-aware and stored in UTC; reports show them in Europe/Berlin.
The log is sorted once, at normalisation, by (``case_id``, ``end``, ``event_seq``); later stages rely
on that order and never sort again. See ``docs/schema.md`` for the page a user reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA_VERSION = 1
DISPLAY_TZ = "Europe/Berlin"

CASE_ID = "case_id"
ACTIVITY = "activity"
ACTIVITY_KEY = "activity_key"
START = "start"
END = "end"
PRECISION = "precision"
RESOURCE = "resource"
TEAM = "team"
OFFICE = "office"
CASE_TYPE = "case_type"
EVENT_SEQ = "event_seq"
SOURCE_FILE = "source_file"
SOURCE_ROW = "source_row"

PRECISIONS = ("second", "minute", "day")

# name -> (arrow type, nullable, meaning)
COLUMNS: dict[str, tuple[pa.DataType, bool, str]] = {
    CASE_ID: (pa.dictionary(pa.int32(), pa.string()), False, "pseudonymised case id (keyed hash)"),
    ACTIVITY: (pa.dictionary(pa.int32(), pa.string()), False, "activity label as in the export"),
    ACTIVITY_KEY: (
        pa.dictionary(pa.int32(), pa.string()),
        True,
        "canonical catalogue key (DOMAIN §7.1) where the mapping profile knows it",
    ),
    START: (pa.timestamp("us", tz="UTC"), True, "start of the activity; null in completion-only logs"),
    END: (pa.timestamp("us", tz="UTC"), False, "end (completion) of the activity"),
    PRECISION: (pa.dictionary(pa.int8(), pa.string()), False, "second, minute or day"),
    RESOURCE: (pa.dictionary(pa.int32(), pa.string()), True, "pseudonymised staff id"),
    TEAM: (pa.dictionary(pa.int32(), pa.string()), True, "team or unit"),
    OFFICE: (pa.dictionary(pa.int32(), pa.string()), False, "office name as in the export"),
    CASE_TYPE: (pa.dictionary(pa.int32(), pa.string()), True, "case type (Verfahrensart)"),
    EVENT_SEQ: (pa.int64(), False, "unique, stable tie-breaker within the log"),
    SOURCE_FILE: (pa.dictionary(pa.int32(), pa.string()), False, "export file name (provenance)"),
    SOURCE_ROW: (pa.int64(), False, "1-based row in the source file as a spreadsheet shows it"),
}
CATEGORICAL = [c for c, (t, _, _) in COLUMNS.items() if pa.types.is_dictionary(t)]
REQUIRED = [c for c, (_, nullable, _) in COLUMNS.items() if not nullable]


class SchemaViolation(ValueError):
    """The frame does not satisfy the canonical event-log contract."""


def empty_log() -> pd.DataFrame:
    """An empty frame with the canonical columns and dtypes."""
    return conform(pd.DataFrame({c: [] for c in COLUMNS}))


def conform(df: pd.DataFrame) -> pd.DataFrame:
    """Cast the canonical columns to their pandas dtypes (category, UTC datetimes, int64).

    Extra columns (free attributes) are kept as they are, after the canonical ones.
    """
    out = df.copy()
    for col, (typ, _, _) in COLUMNS.items():
        if col not in out.columns:
            out[col] = pd.NA
        if pa.types.is_dictionary(typ):
            out[col] = out[col].astype("string").astype("category")
        elif pa.types.is_timestamp(typ):
            out[col] = pd.to_datetime(out[col], utc=True).astype("datetime64[us, UTC]")
        else:
            out[col] = out[col].astype("int64")
    extra = [c for c in out.columns if c not in COLUMNS]
    return out[list(COLUMNS) + extra]


def sort_log(df: pd.DataFrame) -> pd.DataFrame:
    """Sort by (case_id, end, event_seq): the one sort of the pipeline, done at normalisation."""
    return df.sort_values(
        [CASE_ID, END, EVENT_SEQ], key=lambda s: s.astype(str) if s.name == CASE_ID else s, kind="stable"
    ).reset_index(drop=True)


def codes_of(values: pd.Series | pd.Categorical) -> np.ndarray:
    """The integer codes of a categorical (-1 = missing) as a read-only view. ``Series.cat.codes`` builds a
    new Series, and pandas 3 copies the codes into it: a full column of fresh memory each time."""
    cat = values.array if isinstance(values, pd.Series) else values
    return np.asarray(cat.codes)


def validate(df: pd.DataFrame, check_order: bool = True, check_seq: bool = True) -> None:
    """Raise SchemaViolation when a canonical invariant is broken (cheap column checks always).

    ``check_order=False`` / ``check_seq=False`` skip the sort and event_seq checks for a log whose
    builder guarantees them (the normaliser numbers events by a permutation and sorts them itself).
    """
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise SchemaViolation(f"missing canonical columns: {missing}")
    for col in REQUIRED:
        if df[col].hasnans:
            raise SchemaViolation(f"column {col!r} has {int(df[col].isna().sum())} empty values")
    start, end = _instants(df[START]), _instants(df[END])
    if start is not None and end is not None:  # as integers: missing starts are the smallest value
        bad_count = int(np.count_nonzero(start > end))
    else:
        bad_count = int((df[START].notna() & (df[START] > df[END])).sum())
    if bad_count:
        raise SchemaViolation(f"{bad_count} rows have start after end")
    if check_seq and not _unique_ints(df[EVENT_SEQ].to_numpy()):
        raise SchemaViolation("event_seq is not unique")
    if check_order and len(df) > 1:
        case = _case_rank(df[CASE_ID])
        end = np.asarray(df[END].array.asi8) if hasattr(df[END].array, "asi8") else pd.to_datetime(df[END], utc=True).array.asi8
        same = case[1:] == case[:-1]
        if (case[1:] < case[:-1]).any() or (same & (end[1:] < end[:-1])).any():
            raise SchemaViolation("log is not sorted by (case_id, end)")
    prec = df[PRECISION]
    if isinstance(prec.dtype, pd.CategoricalDtype):  # the categories in use, counted (a few codes, no sort)
        codes = codes_of(prec)
        present = prec.cat.categories[np.flatnonzero(np.bincount(codes[codes >= 0], minlength=1))]
    else:
        present = prec.dropna().unique()
    unknown = {str(v) for v in present} - set(PRECISIONS)
    if unknown:
        raise SchemaViolation(f"unknown precision values: {sorted(unknown)}")


def _instants(col: pd.Series) -> np.ndarray | None:
    """A UTC datetime column as integer microseconds (missing = the smallest int64), without a copy;
    None for any other dtype."""
    dtype = col.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) and dtype.unit == "us":
        return np.asarray(col.array.asi8)
    return None


def _unique_ints(values: np.ndarray) -> bool:
    """No value twice; integers in a compact range (event_seq is 1..n) are counted, not hashed."""
    if len(values) < 2:
        return True
    if np.issubdtype(values.dtype, np.integer):
        lo, hi = int(values.min()), int(values.max())
        if hi - lo < 4 * len(values):
            return bool(np.bincount(values - lo).max() <= 1)
    return bool(pd.Series(values).is_unique)


def _case_rank(case: pd.Series) -> np.ndarray:
    """Each row's case id as its rank in text order (integer work on the few categories, not per row)."""
    if not isinstance(case.dtype, pd.CategoricalDtype):
        case = case.astype("string").astype("category")
    cats = np.asarray(case.cat.categories.astype(str), dtype=object)
    rank = np.empty(len(cats), dtype=np.int64)
    rank[np.argsort(cats, kind="stable")] = np.arange(len(cats))
    return rank[codes_of(case)]


def arrow_schema(df: pd.DataFrame) -> pa.Schema:
    fields = [pa.field(c, t, nullable=n) for c, (t, n, _) in COLUMNS.items()]
    extra = pa.Schema.from_pandas(df[[c for c in df.columns if c not in COLUMNS]], preserve_index=False)
    meta = {b"procmine_schema_version": str(SCHEMA_VERSION).encode()}
    return pa.schema(fields + [f for f in extra if not f.name.startswith("__")], metadata=meta)


def write_log(df: pd.DataFrame, path: str | Path) -> Path:
    """Validate and write a canonical log as Parquet (schema version in the key-value metadata)."""
    validate(df)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_table(to_arrow(df), path)
    return path


def to_arrow(df: pd.DataFrame) -> pa.Table:
    """The log as an arrow table in ``arrow_schema`` (the same table ``pa.Table.from_pandas`` gives, pandas
    metadata included). Categoricals become dictionary arrays over their own codes and time columns are
    reinterpreted in place: pandas' generic conversion would compute a mask and copy the codes of
    every column first."""
    target = arrow_schema(df)
    pandas_meta = pa.Table.from_pandas(df.iloc[:0], schema=target, preserve_index=False).schema.metadata or {}
    arrays = [_arrow_column(df[f.name], f.type) for f in target]
    return pa.Table.from_arrays(arrays, schema=target.with_metadata({**pandas_meta, **(target.metadata or {})}))


def _arrow_column(col: pd.Series, target: pa.DataType) -> pa.Array:
    """One column in the target arrow type; anything unusual goes through pandas' own conversion."""
    dtype = col.dtype
    if isinstance(dtype, pd.CategoricalDtype) and pa.types.is_dictionary(target):
        codes = codes_of(col)
        missing = codes < 0
        indices = pa.array(codes, mask=missing) if missing.any() else pa.array(codes)
        if indices.type != target.index_type:
            indices = indices.cast(target.index_type)
        categories = dtype.categories
        if pa.types.is_string(target.value_type) and not pd.api.types.is_string_dtype(categories.dtype):
            categories = categories.astype(str)  # e.g. numeric case-type codes: text, as pandas' conversion gives
        try:
            values = pa.array(categories, type=target.value_type) if len(categories) else pa.array([], type=target.value_type)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return pa.Table.from_pandas(col.to_frame(), schema=pa.schema([pa.field(str(col.name), target)]), preserve_index=False).column(0).combine_chunks()
        return pa.DictionaryArray.from_arrays(indices, values, safe=False)  # codes index their categories
    if isinstance(dtype, pd.DatetimeTZDtype) and dtype.unit == "us" and pa.types.is_timestamp(target) and target.unit == "us":
        values = np.asarray(col.array.asi8)
        nat = values == np.iinfo(np.int64).min
        ints = pa.array(values, mask=nat) if nat.any() else pa.array(values)
        return ints.view(target)
    return pa.array(col, type=target, from_pandas=True)


def write_table(table: pa.Table, path: str | Path) -> None:
    """Write an arrow table of a canonical log: LZ4 (a fifth faster to write than zstd level 1, files about a
    quarter larger; pyarrow, DuckDB, Spark and polars read it), dictionaries kept, delta-coded counters,
    min/max statistics for the numeric and time columns (text statistics cost more than they help)."""
    fields = list(table.schema)
    dictionary = [f.name for f in fields if pa.types.is_dictionary(f.type)]
    stats = [f.name for f in fields if pa.types.is_integer(f.type) or pa.types.is_timestamp(f.type)]
    delta = {f.name: "DELTA_BINARY_PACKED" for f in fields if pa.types.is_integer(f.type) and f.name not in dictionary}
    pq.write_table(
        table, path, compression="lz4", use_dictionary=dictionary or False,
        write_statistics=stats or False, column_encoding=delta or None,
    )


def read_log(path: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a canonical log written by ``write_log``; refuses other schema versions."""
    meta = pq.read_schema(path).metadata or {}
    version = meta.get(b"procmine_schema_version")
    if version is None or int(version) != SCHEMA_VERSION:
        raise SchemaViolation(
            f"{path}: not a procmine event log of schema version {SCHEMA_VERSION} (found {version!r}); "
            "run 'procmine ingest' again to rebuild it"
        )
    return pq.read_table(path, columns=columns).to_pandas()


# --- pm4py bridge -------------------------------------------------------------------------------

PM4PY_NAMES = {
    CASE_ID: "case:concept:name",
    ACTIVITY: "concept:name",
    END: "time:timestamp",
    START: "start_timestamp",
    RESOURCE: "org:resource",
    TEAM: "org:group",
}


@dataclass(frozen=True)
class Pm4pyKeys:
    """Parameter names pm4py's simplified interface takes, pointing at canonical columns."""

    case_id_key: str = CASE_ID
    activity_key: str = ACTIVITY
    timestamp_key: str = END
    start_timestamp_key: str = START
    resource_key: str = RESOURCE
    group_key: str = TEAM

    def kwargs(self, *, start: bool = False, resource: bool = False) -> dict[str, str]:
        """Keyword arguments for pm4py functions (``pm4py.discover_dfg(df, **keys.kwargs())``)."""
        kw = {
            "case_id_key": self.case_id_key,
            "activity_key": self.activity_key,
            "timestamp_key": self.timestamp_key,
        }
        if start:
            kw["start_timestamp_key"] = self.start_timestamp_key
        if resource:
            kw["resource_key"] = self.resource_key
        return kw


PM4PY_KEYS = Pm4pyKeys()


def for_pm4py(df: pd.DataFrame) -> pd.DataFrame:
    """A copy pm4py accepts with ``PM4PY_KEYS``: text columns as plain strings, start filled.

    pm4py insists on string (not categorical) case and activity columns. Completion-only logs get
    ``start = end`` (pm4py's own convention for a missing start timestamp).
    """
    out = df.copy()
    for col in (CASE_ID, ACTIVITY, RESOURCE, TEAM):
        out[col] = out[col].astype(object).where(out[col].notna(), None).astype("string").astype(object)
    out[START] = out[START].fillna(out[END])
    return out


def to_pm4py(df: pd.DataFrame) -> pd.DataFrame:
    """The log under pm4py's XES column names, for pm4py functions that take no key arguments."""
    return for_pm4py(df).rename(columns=PM4PY_NAMES)
