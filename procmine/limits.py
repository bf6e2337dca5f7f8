"""Resource limits for reading one export: a crafted or broken file is refused with its own message, the
run goes on with the other files and the process never runs out of memory on it.

Defaults fit real exports of an Ausländerbehörde (a few million rows, tens of columns) with room to
spare; ``procmine run/ingest --max-...`` raise them. ``current()`` is what the readers check; the CLI sets
it for one call with ``using(Limits(...))``.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass

from procmine.errors import InputProblem
from procmine.labels_de.safety import limit_text


@dataclass(frozen=True)
class Limits:
    """Upper bounds per export file (each one has a CLI option of the same name, ``--max-columns`` …)."""

    max_columns: int = 1_000  # header fields of a table, distinct attribute keys of an XES log
    max_cells: int = 300_000_000  # rows × columns of one table (about 30 GB of text cells in pandas)
    max_sheet_rows: int = 1_048_576  # rows of a workbook sheet as its dimension or cells say (Excel's own maximum)
    max_sheet_cells: int = 50_000_000  # rows × columns of a workbook sheet (checked before the sheet is read)
    max_decompressed_bytes: int = 4 << 30  # bytes a .gz or .xlsx may expand to (zip bombs)
    max_events: int = 20_000_000  # events of one XES log
    max_value_lines: int = 20  # line breaks inside one quoted CSV value (an unbalanced quote swallows lines)


_DEFAULT = Limits()  # frozen, so one shared default instance is safe
_CURRENT: contextvars.ContextVar[Limits] = contextvars.ContextVar("procmine_limits", default=_DEFAULT)


def current() -> Limits:
    return _CURRENT.get()


@contextlib.contextmanager
def using(limits: Limits) -> Iterator[Limits]:
    token = _CURRENT.set(limits)
    try:
        yield limits
    finally:
        _CURRENT.reset(token)


OPTION_OF = {
    "max_columns": "--max-columns",
    "max_cells": "--max-cells",
    "max_sheet_rows": "--max-sheet-rows",
    "max_sheet_cells": "--max-sheet-cells",
    "max_decompressed_bytes": "--max-decompressed-mb",
    "max_events": "--max-events",
    "max_value_lines": "--max-value-lines",
}


def _de(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _size(n: int) -> str:
    return f"{_de(n >> 20)} MB" if n >= 1 << 20 else f"{_de(n)} Byte"


def over_limit(file: str, limit: str, found: int, what: str, sheet: str | None = None, row: int | None = None,
               column: str | None = None) -> InputProblem:
    """The problem of a file over one limit: what was found, the limit, and the option that raises it."""
    value = getattr(current(), limit)
    shown, found_text = (_size(value), _size(found)) if limit == "max_decompressed_bytes" else (_de(value), _de(found))
    return InputProblem(
        code="over_limit",
        file=file,
        sheet=sheet,
        row=row,
        column=column,
        found=limit_text("found", what=what, found=found_text, limit=shown),
        expected=limit_text("expected", limit=shown),
        hint=limit_text("hint", option=OPTION_OF[limit]),
    )


def check(file: str, limit: str, found: int, what: str, **where: object) -> None:
    """Raise ``over_limit`` when ``found`` exceeds the current limit of that name."""
    if found > getattr(current(), limit):
        raise over_limit(file, limit, found, what, **where)  # type: ignore[arg-type]
