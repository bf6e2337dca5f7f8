"""Strict ISO 8601 timestamps with offset, parsed in one Arrow cast (shared by the reader and the normaliser)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_ISO_OFFSET_SECONDS = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:?\d{2})$"


def fast_iso_offset(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray] | None:
    """Values that are strict ISO 8601 with seconds and offset -> (mask, UTC wall time); None if none.

    Usual exports hold nothing but such values: the whole column is cast at once and the cast's output
    checked for the strict layout on the raw bytes (``_strict_layout``). Anything else goes through the
    regular expression first, then the cast of the matching values.
    """
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
        end = np.maximum(start + length - 1, 0)  # last byte of each value (clamped: short values fail anyway)

        def at(k: np.ndarray | int) -> np.ndarray:
            return data[np.minimum(start + k, end)]  # byte k of every value, never past its end

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
