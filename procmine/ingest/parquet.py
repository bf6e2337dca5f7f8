"""Parquet reader: any Parquet table, every column rendered as text like the other readers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from procmine.errors import InputProblem
from procmine.ingest.raw import RawTable, clean_categorical, make_raw, unique_headers
from procmine.labels_de.messages import problem


def _as_text(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Render a column as strings; timestamps as ISO 8601 (with offset when tz-aware)."""
    typ = col.type
    if pa.types.is_dictionary(typ):
        col = col.cast(typ.value_type)
        typ = col.type
    if pa.types.is_timestamp(typ):
        fmt = "%Y-%m-%dT%H:%M:%S%z" if typ.tz else "%Y-%m-%dT%H:%M:%S"
        return pc.strftime(col, format=fmt)
    if pa.types.is_date(typ):
        return pc.strftime(col, format="%Y-%m-%d")
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return col
    return col.cast(pa.string())


def read_parquet_file(path: Path, exclude: tuple[str, ...] = ()) -> RawTable:
    """Read a Parquet file; columns named in ``exclude`` are never loaded."""
    try:
        schema = pq.read_schema(path)
        names = [n for n in schema.names if n not in set(exclude) and not n.startswith("__index")]
        table = pq.read_table(path, columns=names)
    except (pa.ArrowInvalid, OSError) as err:
        raise InputProblem(code="bad_parquet", file=path.name, found=problem("bad_parquet", "found", error=err),
                           expected=problem("bad_parquet", "expected"), hint=problem("bad_parquet", "hint")) from None
    header, dups = unique_headers(names)
    frame = pd.DataFrame(
        {h: clean_categorical(pc.dictionary_encode(_as_text(table.column(i))).to_pandas()) for i, h in enumerate(header)}
    )
    return make_raw(frame, path.name, source_row=np.arange(2, 2 + len(frame), dtype=np.int64), path=path,
                    format="parquet", header=tuple(names), duplicate_headers=tuple(dups))
