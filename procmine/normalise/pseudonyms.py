"""Pseudonymisation of case and staff ids, on distinct values; the case ids' text order the log is sorted by."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from procmine import runtime
from procmine.ingest.raw import categorical_from_unique, codes_of
from procmine.ingest.timestamps import _arrow_strings
from procmine.normalise.categories import _map_categories
from procmine.normalise.state import Work
from procmine.privacy import pseudonym_digests, pseudonym_labels, pseudonymise


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


def _text_order(values: pd.Index, arr: pa.Array | None = None) -> np.ndarray:
    """Positions that sort the values as text (code point order, stable), as ``np.argsort`` on str;
    ``arr`` is the values as arrow text when the caller has them."""
    try:
        arr = pa.array(values.to_numpy(dtype=object), type=pa.string()) if arr is None else arr
        return np.asarray(pc.array_sort_indices(arr).to_numpy(), dtype=np.int64)  # UTF-8 byte order = code point order
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # e.g. lone surrogates
        return np.argsort(np.asarray(values.astype(str), dtype=object), kind="stable")


@dataclass(frozen=True)
class Ids:
    """The pseudonymised id columns: the case ids (hashed beside the other steps when tuned; ``result()``
    waits for them) and the staff ids."""

    case_job: Future[tuple[pd.Series, pd.Categorical]]  # case ids, and the same values ranked in text order
    resource: pd.Series | None

    def cases(self) -> pd.Series:
        return self.case_job.result()[0]

    def ranked(self) -> pd.Categorical:
        return self.case_job.result()[1]


def pseudonymise_ids(w: Work) -> Ids:
    """Case and staff ids pseudonymised per office. The case ids are hashed in a helper thread when tuned,
    while the timestamps and checks run (those release the GIL); they are first needed to sort the log."""
    w.safe[w.cols["case_id"]] = None  # keeps the column order of the quarantine file; filled by the job

    def hash_and_rank() -> tuple[pd.Series, pd.Categorical]:
        out = _pseudonymised(w, "case_id", "C-", in_text_order=True)
        assert out is not None  # case_id is a required field
        return out, _text_ranked(out)

    case_job = runtime.beside(hash_and_rank)
    resource = _pseudonymised(w, "resource", "R-")
    for fld in ("activity", "team", "office", "case_type", "lifecycle"):
        if fld in w.cols:
            w.safe[w.cols[fld]] = w.data[w.cols[fld]]
    return Ids(case_job=case_job, resource=resource)


def _pseudonymised(w: Work, fld: str, prefix: str, in_text_order: bool = False) -> pd.Series | None:
    """A field's values as written: pseudonymised (per office) when the profile says so."""
    if fld not in w.cols:
        return None
    cat = w.data[w.cols[fld]]
    if fld not in w.profile.pseudonymise:
        w.safe[w.cols[fld]] = cat
        return cat
    if w.one_office:
        domain = str(w.office_row.cat.categories[0]) if w.n else w.office_name
        out = _pseudonymise_cat(cat, w.key, domain, prefix, in_text_order)
    else:
        parts = []
        for o in w.office_row.cat.categories:  # a few offices
            m = (w.office_row == o).to_numpy()
            parts.append(pd.Series(pseudonymise(cat[m].astype("string"), w.key, str(o), prefix).to_numpy(), index=cat.index[m]))
        out = pd.concat(parts).reindex(cat.index).astype("category")
    w.safe[w.cols[fld]] = out
    return out
