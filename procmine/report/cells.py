"""Report cells and the small helpers every report module shares: suppression of small groups, German
activity and case-type names, JSON-ready values. Imported by ``build`` and ``diagnosis_sections`` (no cycle).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from procmine import catalogue
from procmine.catalogue import CASE_TYPES
from procmine.compare import NO_REPEATS, NO_START
from procmine.labels_de.report import label
from procmine.report import format_de as fmt
from procmine.report.model import Cell

K_MIN = 5  # minimum cases per published cell (DOMAIN §5 recommendation 3)

# reason code of a KPI the export cannot measure (compare.export_limits) -> German label key
NOT_MEASURABLE_LABELS = {NO_REPEATS: "not_measurable.no_repeats", NO_START: "not_measurable.no_start"}


def _num(x: Any) -> float | None:
    """A finite float, or None for missing/NaN/inf/non-numeric."""
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def count_cell(n: Any, k: int = K_MIN) -> Cell:
    """A case count as a cell; 1..k-1 becomes suppressed ("< k")."""
    v = _num(n)
    if v is None:
        return Cell(None, "missing")
    if 0 < v < k:
        return Cell(k, "suppressed")
    return Cell(int(round(v)), "int")


def value_cell(value: Any, kind: str, cases: Any = None, k: int = K_MIN, mark: str = "") -> Cell:
    """A value cell; suppressed when it stems from 1..k-1 cases, missing when not a finite number."""
    n = _num(cases)
    if n is not None and 0 < n < k:
        return Cell(k, "suppressed")
    v = _num(value)
    if v is None:
        return Cell(None, "missing")
    if kind == "int":
        return Cell(int(round(v)), "int", mark)
    return Cell(v, kind, mark)


def _cell_text(cell: Cell) -> str:
    """A cell as plain German text (for sentences)."""
    if cell.kind == "suppressed":
        return f"< {cell.value}"
    if cell.kind == "missing" or cell.value is None:
        return fmt.MISSING
    if cell.kind == "not_measurable":
        return str(cell.value)
    formats: dict[str, Callable[[Any], str]] = {
        "int": fmt.fmt_int,
        "days": fmt.fmt_days,
        "percent": fmt.fmt_percent,
        "duration": fmt.fmt_duration,
        "per_case": lambda v: fmt.fmt_value(v, "per_case"),
        "hours": fmt.fmt_hours,
        "ratio": lambda v: fmt.fmt_value(v, "ratio"),
        "date": fmt.fmt_date,
        "number": fmt.fmt_number,
    }
    return formats.get(cell.kind, str)(cell.value)


def case_type_label(code: str | None) -> str:
    """The German case-type name for a catalogue code; the export's own code otherwise; a missing code
    says so (a log without case types still gets a readable row)."""
    if code is None or (isinstance(code, float) and code != code) or str(code).strip() in ("", "nan", "None", "<NA>"):
        return label("case_type.none")
    ct = CASE_TYPES.get(str(code))
    return ct.label_de if ct else str(code)


def not_measurable_cell(reason: str) -> Cell:
    """'nicht messbar' with the reason (e.g. 'Exportformat ohne Wiederholungen') as its second line; never marked."""
    key = NOT_MEASURABLE_LABELS.get(reason)
    return Cell(label("note.not_measurable"), "not_measurable", note=label(key) if key else "")


# --- activity labels ----------------------------------------------------------------------------


def _catalogue_key(key: Any) -> str | None:
    """A catalogue activity key, or None for missing or unknown keys."""
    if key is None:
        return None
    try:
        if pd.isna(key):
            return None
    except (TypeError, ValueError):
        pass
    return str(key) if str(key) in catalogue.ACTIVITIES else None


def activity_label(export: Any, key: Any = None) -> str:
    """The German catalogue label of an activity whose key the catalogue knows; else the label as in the export."""
    k = _catalogue_key(key)
    return catalogue.ACTIVITIES[k] if k else str(export)


def activity_text(export: Any, key: Any = None) -> str:
    """The catalogue label with the export's own label in parentheses where they differ (for tables)."""
    shown = activity_label(export, key)
    return shown if shown == str(export) else label("activity.with_export", label=shown, export=str(export))


def jsonable(x: Any) -> Any:
    """Plain JSON data: numpy/pandas scalars to Python, NaN/NaT to None, timestamps to ISO text."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, set)):
        return [jsonable(v) for v in x]
    if isinstance(x, pd.DataFrame):
        return [jsonable(r) for r in x.to_dict("records")]
    if isinstance(x, (pd.Timestamp, datetime)):
        return None if pd.isna(x) else x.isoformat()
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if x is None or isinstance(x, (bool, int, str)):
        return x
    try:
        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        pass
    return str(x)


def display_names(labels: Any, keys: dict[str, str]) -> dict[str, str]:
    """Export label -> shown label (map, model, variants): the catalogue label, with the export label added
    in parentheses only where two export labels would otherwise look the same."""
    names = [str(x) for x in pd.unique(pd.Series(list(labels), dtype=object).astype(str))]
    shown = pd.Series([activity_label(n, keys.get(n)) for n in names], index=names, dtype=object)
    clash = shown.duplicated(keep=False).to_numpy()
    return {n: (activity_text(n, keys.get(n)) if c else s) for n, s, c in zip(names, shown, clash)}


# technical terms that text from the analysis (e.g. the source of a norm) may carry, in the report's plain words
PLAIN_WORDS = {"P90": "9-von-10-Wert", "P50": "Median"}


def plain_words(text: str) -> str:
    """Text from the analysis with its technical terms in the report's plain words (``PLAIN_WORDS``)."""
    for term, plain in PLAIN_WORDS.items():
        text = re.sub(rf"\b{term}\b", plain, text)
    return text
