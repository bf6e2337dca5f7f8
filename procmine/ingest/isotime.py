"""Strict ISO 8601 timestamps with offset, parsed in one Arrow cast (shared by the reader and the normaliser)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_ISO_OFFSET_SECONDS = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:?\d{2})$"


def fast_iso_offset(arr: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """Values that are strict ISO 8601 with seconds and offset -> (mask, UTC wall time); None if none."""
    hit = pc.match_substring_regex(arr, _ISO_OFFSET_SECONDS).fill_null(False)
    hits = pc.sum(hit).as_py() or 0
    if not hits:
        return None
    try:
        chosen = arr if hits == len(arr) else arr.filter(hit)  # usual case: every value a hit, no copy
        parsed = pc.cast(chosen, pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # e.g. 2024-02-30: the careful path decides value by value
    mask = np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)
    return mask, np.asarray(parsed.to_numpy(zero_copy_only=False), dtype="datetime64[us]")
