"""Quarantine marks: the first reason per source row, with the column and the offending value."""

from __future__ import annotations

import numpy as np
import pandas as pd

from procmine.normalise.categories import _values_at
from procmine.normalise.result import REASONS


class _Marks:
    """First quarantine reason per source row, with the column and the offending value.

    Reasons are one small integer per row; columns and values are kept only for the marked rows.
    """

    def __init__(self, n: int) -> None:
        self.code = np.zeros(n, dtype=np.int16)  # 0 = fine, else 1 + index in REASONS
        self._column_id = np.zeros(n, dtype=np.int16)  # index into _columns (0 = none)
        self._columns: list[str | None] = [None]
        self._found: dict[int, object] = {}

    def mark(self, mask: np.ndarray, reason: str, column: str | None, found: pd.Series | np.ndarray | None = None) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():  # the usual case is nothing to mark: no second pass over the rows
            self.mark_rows(np.flatnonzero(mask), reason, column, found)

    def mark_rows(self, rows: np.ndarray, reason: str, column: str | None, found: pd.Series | np.ndarray | None = None) -> None:
        """``mark`` for the rows at these positions (ascending), without a full-length mask."""
        idx = rows[self.code[rows] == 0] if len(rows) else rows
        if not len(idx):
            return
        self.code[idx] = REASONS.index(reason) + 1
        if column not in self._columns:
            self._columns.append(column)
        self._column_id[idx] = self._columns.index(column)
        if found is not None:
            self._found.update(zip(idx.tolist(), _values_at(found, idx).tolist()))

    def column_at(self, idx: np.ndarray) -> np.ndarray:
        """The column named for each of these rows (None where none)."""
        return np.asarray(self._columns, dtype=object)[self._column_id[idx]]

    def found_at(self, idx: np.ndarray) -> np.ndarray:
        """The offending value recorded for each of these rows (None where none)."""
        get = self._found.get
        return np.asarray([get(i) for i in np.asarray(idx).tolist()] + [None], dtype=object)[:-1]
