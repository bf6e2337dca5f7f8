"""The canonical log built from the kept events: flags computed in source order, then the one sort
(case_id as text, end, event_seq) applied while the columns are gathered, so the log is never copied a
second time to sort it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from procmine import runtime, schema
from procmine.ingest.raw import categorical_from_unique, codes_of
from procmine.ingest.timestamps import _naive_utc, _utc_series
from procmine.normalise.activities import _case_type_codes
from procmine.normalise.categories import (
    _as_category,
    _cat_take,
    _index_dtype,
    _map_categories,
    _precision_categorical,
)
from procmine.normalise.columns import _numeric_extra
from procmine.normalise.events import Kept
from procmine.normalise.flags import _flag_column, _flags
from procmine.normalise.order import _event_order
from procmine.normalise.pseudonyms import Ids
from procmine.normalise.state import Work


@dataclass
class _Ordered:
    """The events' end times, precisions and flags in source order, and the order that sorts them.

    ``order``: positions among the kept events; ``ev_order``: the same as positions in the candidates;
    ``rows``: the same as source rows."""

    end_us: np.ndarray
    prec_ranks: np.ndarray
    flags: dict[str, np.ndarray]
    order: np.ndarray
    ev_order: np.ndarray
    rows: np.ndarray


def assemble_log(w: Work, kept: Kept, ids: Ids) -> tuple[pd.DataFrame, dict[str, int]]:
    """The canonical log (validated, sorted) and the count of events per quality flag."""
    o = _flag_and_order(w, kept, ids)
    m = len(kept.pick)
    kept.pick = kept.src_rows = np.empty(0, dtype=np.intp)  # gathered through ``o`` from here: freed first
    log = pd.DataFrame(_gather(_column_builders(w, kept, ids, o)), copy=False)
    log = _add_extra_columns(w, log, o.rows)
    counts = {k: int(v.sum()) for k, v in o.flags.items() if v.any()}
    if o.flags:
        in_source_order = _flag_column(o.flags, m)
        log["quality_flags"] = categorical_from_unique(np.take(codes_of(in_source_order), o.order), in_source_order.categories)
    schema.validate(log, check_order=False, check_seq=False)  # event_seq = 1 + a permutation, sorted above
    return log, counts


def _flag_and_order(w: Work, kept: Kept, ids: Ids) -> _Ordered:
    """Flags in source order, then the sort order (the case ranks come from the hashed case ids)."""
    ev, pick, every, src_rows = kept.ev, kept.pick, kept.every, kept.src_rows
    end_all = _naive_utc(ev["end"]).view(np.int64)
    end_us = end_all if every else np.take(end_all, pick)
    prec_ranks = np.asarray(ev["precision"].to_numpy(), dtype=np.int8)
    prec_ranks = prec_ranks if every else np.take(prec_ranks, pick)
    # the flags group events by case: with one office the export's own codes do (the pseudonyms map them
    # one to one), so they are computed while the case ids are still being hashed
    case_groups = w.data[w.cols["case_id"]] if w.one_office else ids.cases()
    group_codes = np.take(codes_of(case_groups), src_rows)
    res = ids.resource
    res_codes = np.take(codes_of(res), src_rows) if res is not None else np.full(len(pick), -1, dtype=np.int32)
    flags = _flags(group_codes, len(case_groups.cat.categories), end_us, prec_ranks, res_codes, kept.flags_extra)
    del group_codes, res_codes
    ranked = ids.ranked()
    case_codes = np.take(codes_of(ranked), src_rows)
    in_time_order = "out_of_order" in flags and not flags["out_of_order"].any()
    order: np.ndarray = _event_order(case_codes, len(ranked.categories), end_us, in_time_order).astype(_index_dtype(w.n), copy=False)
    del case_codes
    runtime.release_free_memory()  # the checks' temporaries are gone: their pages back before the log is gathered
    ev_order = order if every else np.take(pick, order)
    rows = ev_order if kept.rows_are_positions else np.take(src_rows, order)
    return _Ordered(end_us=end_us, prec_ranks=prec_ranks, flags=flags, order=order, ev_order=ev_order, rows=rows)


def _column_builders(w: Work, kept: Kept, ids: Ids, o: _Ordered) -> dict[str, Callable[[], object]]:
    """One function per canonical column, each mostly a gather in sorted order."""
    ev, cols, data, r = kept.ev, w.cols, w.data, o.rows
    case_type = (
        _map_categories(data[cols["case_type"]], lambda c: _case_type_codes(c, w.profile)) if "case_type" in cols else None
    )
    ranked = ids.ranked()
    return {
        schema.CASE_ID: lambda: _cat_take(ranked, r),
        schema.ACTIVITY: lambda: _cat_take(_as_category(ev["activity"]), o.ev_order),
        schema.ACTIVITY_KEY: lambda: _cat_take(_as_category(ev["activity_key"]), o.ev_order),
        schema.START: lambda: _utc_series(np.take(_naive_utc(ev["start"]).view(np.int64), o.ev_order)),
        schema.END: lambda: _utc_series(np.take(o.end_us, o.order)),
        schema.PRECISION: lambda: _precision_categorical(np.take(o.prec_ranks, o.order)),
        schema.RESOURCE: lambda: _cat_take(ids.resource, r),
        schema.TEAM: lambda: _cat_take(data[cols["team"]] if "team" in cols else None, r),
        schema.OFFICE: lambda: _cat_take(w.office_row, r),
        schema.CASE_TYPE: lambda: _cat_take(case_type, r),
        schema.EVENT_SEQ: lambda: (o.order + 1).astype(np.int64, copy=False),
        schema.SOURCE_FILE: lambda: _cat_take(w.raw.source_file, r),
        schema.SOURCE_ROW: lambda: np.take(w.raw.source_row, r).astype(np.int64, copy=False),
    }


def _gather(columns: dict[str, Callable[[], object]]) -> dict[str, object]:
    """Build the log's columns (two at a time when tuned: each is mostly a numpy gather, which runs without the GIL)."""
    names = list(columns)
    return dict(zip(names, runtime.parallel_map(lambda name: columns[name](), names)))


def _add_extra_columns(w: Work, log: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """The log with the profile's ``[extra]`` columns (numbers where every value is one), in the log's order.

    Added in one step: one insert per column into an ever more fragmented frame was quadratic in columns."""
    extras: dict[str, object] = {}
    for src, name in w.profile.extra.items():
        if src not in w.data.columns or src in w.drop or src in w.cols.values():
            continue
        out_name = name if name not in schema.COLUMNS and name != "quality_flags" else f"{name}_extra"
        num = _numeric_extra(w.data[src], w.profile.decimal)
        extras[out_name] = np.take(num.to_numpy(), rows) if num is not None else _cat_take(w.data[src], rows)
    return pd.concat([log, pd.DataFrame(extras, index=log.index)], axis=1) if extras else log
