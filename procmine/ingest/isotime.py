"""Whole-column timestamp parsers shared by the reader and the normaliser: strict ISO 8601 with offset
(one Arrow cast) and fixed-width formats such as dd.mm.yyyy HH:MM (decoded from the bytes with numpy)."""

from __future__ import annotations

import re

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
        validity, off_buf, data_buf = chunk.buffers()
        off_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offs = np.frombuffer(off_buf, dtype=off_type)[chunk.offset : chunk.offset + n + 1]
        data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, dtype=np.uint8)
        start = offs[:-1].astype(np.int64)
        ok = (offs[1:] - offs[:-1]) == width
        if chunk.null_count:
            ok &= np.asarray(chunk.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        if not len(data) or not ok.any():
            masks.append(np.zeros(n, dtype=bool))
            values.append(np.full(n, np.datetime64("NaT"), dtype="datetime64[us]"))
            continue
        if ok.all() and int(offs[-1]) - int(offs[0]) == n * width:  # every value of the width, back to back
            grid = data[int(offs[0]) : int(offs[-1])].reshape(n, width)  # a view: row i = value i

            def byte(k: int, grid: np.ndarray = grid) -> np.ndarray:
                return grid[:, k]  # uint8: the k-th byte of every value
        else:
            at = np.where(ok, start, 0)  # rows of another length read from 0 (masked out anyway)
            last = len(data) - 1

            def byte(k: int, data: np.ndarray = data, at: np.ndarray = at, last: int = last) -> np.ndarray:
                return data[np.minimum(at + k, last)]  # uint8: the k-th byte of every value

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
