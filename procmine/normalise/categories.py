"""Helpers on categorical columns: the normaliser works on codes and distinct values, never row by row."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from procmine import schema
from procmine.ingest.raw import categorical_from_unique, codes_of
from procmine.ingest.timestamps import _PRECISION_RANK
from procmine.normalise.result import MAX_VALUE_CHARS


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


def _as_category(s: pd.Series) -> pd.Series:
    return s if isinstance(s.dtype, pd.CategoricalDtype) else s.astype(object).astype("category")


def _too_long(cat: pd.Series) -> np.ndarray:
    lens = np.asarray(cat.cat.categories.astype(str).str.len(), dtype=np.int64)
    codes = codes_of(cat)
    if not len(lens) or lens.max() <= MAX_VALUE_CHARS:
        return np.zeros(len(codes), dtype=bool)
    return (codes >= 0) & (lens[np.maximum(codes, 0)] > MAX_VALUE_CHARS)


def _index_dtype(n: int) -> type:
    """Row positions in numpy's own index type: a gather through int32 positions converts them first and
    takes numpy's slow path (twice the time for the log's columns)."""
    return np.intp


def _precision_categorical(ranks: np.ndarray) -> pd.Categorical:
    """Precision ranks (0 second, 1 minute, 2 day, -1 missing) -> Categorical over ``schema.PRECISIONS``."""
    assert tuple(_PRECISION_RANK) == schema.PRECISIONS  # the rank is the category code
    codes = np.asarray(ranks, dtype=np.int8)
    return pd.Categorical.from_codes(np.where((codes >= 0) & (codes < len(schema.PRECISIONS)), codes, -1), categories=list(schema.PRECISIONS))
