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
from procmine.labels_de.words import ENGLISH_WORDS, SHARED_WORDS
from procmine.report import format_de as fmt
from procmine.report.model import Cell, Table

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
        "number2": lambda v: fmt.fmt_number(v, 2),
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


# --- activity labels: the office's own names -----------------------------------------------------

CODE_LABEL = re.compile(r"[^a-zäöüß]*[A-ZÄÖÜ0-9][^a-zäöüß]*|[a-z0-9]+(?:_[a-z0-9]+)+")  # TERMIN_VERGABE, AUFRUF, 4711, documents_requested
WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+")
UMLAUT = re.compile(r"[äöüÄÖÜß]")
MARKUP = re.compile(r"[<>{}\[\]\\|`^~*#@$=]")  # characters no step name has: markup, templates, code


def _acronym(token: str) -> bool:
    """An abbreviation such as 'BA', 'AZR', 'eAT', 'VE': two or more capitals in one word."""
    return sum(c.isupper() for c in token) >= 2


def is_code(text: str) -> bool:
    """A step code rather than a name: no lower-case word (TERMIN_VERGABE, AUFRUF, 4711) or snake_case."""
    return bool(CODE_LABEL.fullmatch(str(text).strip()))


def is_english(text: str) -> bool:
    """English by the one word list (``labels_de.words``): at least half of its words, abbreviations and
    words German shares left aside, are English; a word with an umlaut or ß makes it German."""
    if UMLAUT.search(str(text)):
        return False
    words = [w.lower() for w in WORD.findall(str(text)) if not _acronym(w) and w.lower() not in SHARED_WORDS]
    return bool(words) and 2 * sum(w in ENGLISH_WORDS for w in words) >= len(words)


def readable_german(text: str) -> bool:
    """The export's own name can stand in a German report: it has a word, no markup, is no code and not English."""
    return bool(WORD.search(str(text))) and not MARKUP.search(str(text)) and not is_code(text) and not is_english(text)


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
    """The name a step has in the report: the office's own where it is readable German (or the catalogue does not
    know the step); the German catalogue name where the export names a known step by a code or in English."""
    k = _catalogue_key(key)
    return catalogue.ACTIVITIES[k] if k and not readable_german(str(export)) else str(export)


def _stems(text: str) -> set[str]:
    """What two names of a step can share: abbreviations as written, other words by their first four letters."""
    return {w if _acronym(w) else w.lower()[:4] for w in WORD.findall(text) if _acronym(w) or len(w) >= 4}


def gloss(export: Any, key: Any = None) -> str:
    """The catalogue name as a gloss to the office's own, where it adds meaning: the own name uses an abbreviation
    the catalogue name spells out ('VE'), or the two share no word ('Abgabe an Sachgebiet'); else ''."""
    k = _catalogue_key(key)
    own = str(export)
    if not k or activity_label(own, k) != own:
        return ""
    cat = catalogue.ACTIVITIES[k]
    if own == cat:
        return ""
    cat_words = set(WORD.findall(cat))
    unexplained = any(_acronym(w) and w not in cat_words for w in WORD.findall(own))
    return cat if unexplained or not (_stems(own) & _stems(cat)) else ""


def activity_text(export: Any, key: Any = None) -> str:
    """The step's name (``activity_label``) with the catalogue gloss in parentheses where it adds meaning (tables)."""
    g = gloss(export, key)
    return label("activity.with_export", label=str(export), export=g) if g else activity_label(export, key)


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


def display_names(labels: Any, keys: dict[str, str], glossed: bool = False) -> dict[str, str]:
    """Export label -> shown label (map, model, variants; ``glossed``: tables of steps, with the catalogue gloss
    where it adds meaning): ``activity_label``; where two export labels would then look the same (two codes of
    one catalogue step), the replaced ones carry their export label."""
    names = [str(x) for x in pd.unique(pd.Series(list(labels), dtype=object).astype(str))]
    name = activity_text if glossed else activity_label
    shown = pd.Series([name(n, keys.get(n)) for n in names], index=names, dtype=object)
    clash = shown.duplicated(keep=False).to_numpy()
    return {n: (label("activity.with_export", label=s, export=n) if c and s != n else s)
            for n, s, c in zip(names, shown, clash)}


def replaced_names(keys: dict[str, str]) -> dict[str, str]:
    """Export label -> catalogue name, for the steps whose export label is a code or English (sorted by label)."""
    return {n: activity_label(n, k) for n, k in sorted(keys.items()) if activity_label(n, k) != n}


def naming_note(labels: Any, keys: dict[str, str]) -> str:
    """One sentence for the Methodik appendix: which names the report uses for the steps."""
    names = [str(x) for x in labels]
    replaced = replaced_names({n: k for n, k in keys.items() if n in set(names)})
    kept_foreign = [n for n in names if n not in replaced and not readable_german(n)]
    glossed = any(gloss(n, keys.get(n)) for n in names)
    parts = [label("naming.own"), label("naming.gloss") if glossed else ""]
    if replaced:
        parts.append(label("naming.replaced", n=fmt.fmt_int(len(replaced))))
    if kept_foreign:
        parts.append(label("naming.kept" if keys else "naming.kept_all", n=fmt.fmt_int(len(kept_foreign))))
    return " ".join(p for p in parts if p)


def naming_table(labels: Any, keys: dict[str, str]) -> Table | None:
    """Export label -> name in the report, for the replaced steps (so the office finds its codes again)."""
    names = {str(x) for x in labels}
    replaced = replaced_names({n: k for n, k in keys.items() if n in names})
    if not replaced:
        return None
    return Table((label("col.export_name"), label("col.report_name")),
                 tuple((Cell(n), Cell(s)) for n, s in replaced.items()), (False, False), caption=label("caption.naming"))


# technical terms that text from the analysis (e.g. the source of a norm) may carry, in the report's plain words
PLAIN_WORDS = {"P90": "9-von-10-Wert", "P50": "Median"}


def plain_words(text: str) -> str:
    """Text from the analysis with its technical terms in the report's plain words (``PLAIN_WORDS``)."""
    for term, plain in PLAIN_WORDS.items():
        text = re.sub(rf"\b{term}\b", plain, text)
    return text
