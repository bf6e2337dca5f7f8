"""RawTable: the cells of one export (strings, untouched) plus where each row came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from procmine.schema import codes_of

REJECT_COLUMNS = ["source_file", "source_row", "reason", "column", "found"]


@dataclass
class RawTable:
    """Cells of one export as text, with provenance, before any interpretation.

    ``data`` has one column per header (original header text; duplicates get `` (2)`` appended) and
    one row per source row; every column is a pandas Categorical of strings, empty cells are missing.
    ``source_row`` is the 1-based row as a spreadsheet shows it (header = row 1); ``source_file`` the
    file name per row (several files when monthly exports are concatenated). ``rejected`` holds source
    rows the reader could not split into cells (too many or too few fields), never their content.
    """

    data: pd.DataFrame
    source_row: np.ndarray
    source_file: pd.Categorical
    path: Path | None = None
    format: str = "csv"
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    header: tuple[str, ...] = ()
    duplicate_headers: tuple[str, ...] = ()
    rejected: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECT_COLUMNS))
    notes: dict[str, int] = field(default_factory=dict)
    # plain-text columns already tried with the strict ISO-with-offset cast while reading (in parallel):
    # header -> (row mask of hits, their UTC wall times) or None when no value was a hit
    iso_hints: dict[str, tuple[np.ndarray, np.ndarray] | None] = field(default_factory=dict)

    @property
    def file(self) -> str:
        """Name of the (first) source file, for messages."""
        if self.path is not None:
            return self.path.name
        cats = list(self.source_file.categories)
        return cats[0] if cats else ""

    @property
    def rows_read(self) -> int:
        """Source rows seen: usable rows plus rows the reader rejected."""
        return len(self.data) + len(self.rejected)

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.data.columns]

    def preview(self, n: int = 5) -> pd.DataFrame:
        """The first rows as plain strings (for `procmine inspect`)."""
        return self.data.head(n).astype(object).where(self.data.head(n).notna(), "")


def unique_headers(names: list[str]) -> tuple[list[str], list[str]]:
    """Make header names unique and non-empty; returns (names, the names that were duplicated)."""
    seen: dict[str, int] = {}
    out: list[str] = []
    dups: list[str] = []
    for i, raw in enumerate(names):
        name = str(raw).strip() if raw is not None else ""
        if not name:
            name = f"Spalte {i + 1}"
        if name in seen:
            seen[name] += 1
            if name not in dups:
                dups.append(name)
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        out.append(name)
    return out, dups


def clean_categorical(values: pd.Series) -> pd.Series:
    """Categorical of stripped strings; blank cells become missing. Works on the distinct values only."""
    cat = values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
    cats = pd.Index(cat.cat.categories).astype(str)
    stripped = np.asarray(cats.str.strip(), dtype=object)
    new_codes, uniques = pd.factorize(stripped)
    keep = np.asarray(uniques != "", dtype=bool)
    remap_u = np.full(len(uniques), -1, dtype=np.int64)
    remap_u[keep] = np.arange(int(keep.sum()))
    remap = remap_u[new_codes] if len(new_codes) else np.empty(0, dtype=np.int64)
    codes = codes_of(cat).astype(np.int64)
    mapped = np.where(codes < 0, -1, remap[np.maximum(codes, 0)]) if len(remap) else np.full(len(codes), -1)
    categories = pd.Index(np.asarray(uniques, dtype=object)[keep], dtype=object)
    return pd.Series(
        pd.Categorical.from_codes(mapped, categories=categories), index=values.index, name=values.name
    )


def categorical_from_unique(codes: np.ndarray, categories: pd.Index) -> pd.Categorical:
    """A Categorical from codes and categories already known to be unique (arrow dictionaries).

    Skips pandas' uniqueness re-check (a hash of every category) where pandas offers the fast path.
    """
    try:
        from pandas.core.dtypes.dtypes import CategoricalDtype

        dtype = CategoricalDtype._from_fastpath(categories, False)  # type: ignore[attr-defined]
    except (ImportError, AttributeError):
        dtype = pd.CategoricalDtype(categories)
    return pd.Categorical.from_codes(codes, dtype=dtype)


def blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows with every cell missing. A column without a missing cell (the usual case id) settles it at once,
    so a complete export costs one null count per column, not a boolean copy of the whole table."""
    blank = np.zeros(len(frame), dtype=bool)
    if not len(frame.columns) or not len(frame):
        return blank
    missing = [c for c in frame.columns if frame[c].hasnans]
    if len(missing) < len(frame.columns):
        return blank
    blank = frame[missing[0]].isna().to_numpy().copy()
    for c in missing[1:]:
        if not blank.any():
            break
        blank &= frame[c].isna().to_numpy()
    return blank


def frame_from_columns(columns: Mapping[str, list | np.ndarray | pd.Series]) -> pd.DataFrame:
    """A RawTable frame: every column a cleaned Categorical of strings."""
    out = {}
    empty = None
    for name, vals in columns.items():
        if not len(vals):  # a header-only table: one empty categorical for every column (no per-column cleaning)
            empty = empty if empty is not None else pd.Series(pd.Categorical([], categories=pd.Index([], dtype=object)))
            out[name] = empty
            continue
        s = pd.Series(vals, dtype=object) if not isinstance(vals, pd.Series) else vals.astype(object)
        s = s.where(s.notna(), None)
        out[name] = clean_categorical(s.astype("category") if len(s) else pd.Series([], dtype="category"))
    return pd.DataFrame(out)


def make_raw(
    data: pd.DataFrame,
    file: str,
    first_data_row: int = 2,
    source_row: np.ndarray | None = None,
    **kwargs: object,
) -> RawTable:
    """Build a RawTable for one file; rows numbered from ``first_data_row`` unless given."""
    n = len(data)
    rows = np.arange(first_data_row, first_data_row + n, dtype=np.int64) if source_row is None else source_row
    files = pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[file])
    return RawTable(data=data.reset_index(drop=True), source_row=rows, source_file=files, **kwargs)  # type: ignore[arg-type]


def without_columns(raw: RawTable, names: tuple[str, ...]) -> RawTable:
    """The table without these columns (and their numbered duplicates ``name (2)``), e.g. personal
    columns a profile drops that were read before the profile was known."""
    drop = [c for c in raw.data.columns if c in names or str(c).split(" (")[0] in names]
    if not drop:
        return raw
    from dataclasses import replace

    hints = {k: v for k, v in raw.iso_hints.items() if k not in drop}
    return replace(raw, data=raw.data.drop(columns=drop), iso_hints=hints)
