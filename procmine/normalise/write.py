"""Writing: one Parquet log per office and the quarantine CSV beside it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from procmine import runtime, schema
from procmine.normalise.result import NormaliseResult
from procmine.outputs import neutralise_frame, safe_name


def _write(result: NormaliseResult, out_dir: Path, stem: str) -> NormaliseResult:
    out_dir.mkdir(parents=True, exist_ok=True)
    offices = list(result.log[schema.OFFICE].cat.categories) if len(result.log) else [result.quality.office]
    paths: dict[str, Path] = {}
    qname = str(offices[0]) if len(offices) == 1 else stem
    qpath = out_dir / f"{_safe_name(qname)}.quarantine.csv"
    # the Parquet writer releases the GIL: the quarantine CSV is written meanwhile
    pending = runtime.beside(lambda: _write_logs(result.log, offices, out_dir, stem))
    neutralise_frame(result.quarantine).to_csv(qpath, sep=";", index=False, encoding="utf-8-sig")  # no formulas
    paths.update(pending.result())
    paths["quarantine"] = qpath
    quality = replace(result.quality, quarantine_file=str(qpath))
    return replace(result, quality=quality, paths=paths)


def _write_logs(log: pd.DataFrame, offices: list, out_dir: Path, stem: str) -> dict[str, Path]:
    """One Parquet log per office (a single file named after the office, or the stem when there is none)."""
    if len(offices) <= 1:
        name = str(offices[0]) if offices else stem
        return {name: _write_log(log, out_dir / f"{_safe_name(name)}.parquet")}
    paths: dict[str, Path] = {}
    for o in offices:
        part = log[log[schema.OFFICE] == o].reset_index(drop=True)
        part[schema.OFFICE] = part[schema.OFFICE].cat.remove_unused_categories()
        paths[str(o)] = _write_log(part, out_dir / f"{_safe_name(str(o))}.parquet")
    return paths


def _write_log(log: pd.DataFrame, path: Path) -> Path:
    """``schema.write_log`` without its second validation: ``normalise`` validated and sorted the log."""
    path.parent.mkdir(parents=True, exist_ok=True)
    schema.write_table(schema.to_arrow(log), path)
    return path


def _safe_name(name: str) -> str:
    """Office names are labels, never paths (``procmine.outputs.safe_name``)."""
    return safe_name(name)
