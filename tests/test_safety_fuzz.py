"""Issue 13, item 7: hypothesis over CSV quoting. Whatever the quoting, every physical line of a CSV export
is accounted for (header + rows read + blank rows + line breaks inside values), or the file is refused
with a message; a well-quoted file reads back cell for cell."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procmine import limits
from procmine.errors import InputProblem
from procmine.ingest import read_table
from procmine.ingest.text import count_lines

HEADER = ["Vorgang", "Tätigkeit", "Ende", "Team", "Notiz"]
CELL = st.text(alphabet=st.sampled_from(list('ab Ä1;,"\n=@-+')), min_size=0, max_size=12)
ROW = st.lists(CELL, min_size=5, max_size=5)
TABLE = st.lists(ROW, min_size=1, max_size=25)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\n").writerows([HEADER, *rows])
    return buf.getvalue()


def _lines_add_up(path: Path) -> None:
    """Read the file: either refused with a message, or physical lines = 1 + rows read + blank + in values."""
    try:
        raw = read_table(path, delimiter=";")
    except InputProblem as problem:
        assert problem.code in ("quote_swallows_lines", "malformed_csv", "empty_file") and problem.file == path.name
        return
    notes = raw.notes
    assert count_lines(path.read_bytes()) == (
        1 + notes.get("preamble_lines_skipped", 0) + raw.rows_read + notes.get("blank_rows_skipped", 0)
        + notes.get("lines_in_values", 0)
    )


@given(TABLE)
@SETTINGS
def test_well_quoted_csv_reads_back_cell_for_cell(tmp_path_factory, rows) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "q.csv"
    text = _text(rows)
    path.write_text(text, encoding="utf-8")
    with limits.using(limits.Limits(max_value_lines=1000)):
        raw = read_table(path, delimiter=";")
    expected = [[c.strip() or None for c in r] for r in rows if any(c.strip() for c in r)]
    got = raw.data.astype(object).where(raw.data.notna(), None).values.tolist()
    assert got == expected
    assert len(raw.rejected) == 0
    assert count_lines(path.read_bytes()) == 1 + raw.rows_read + raw.notes.get("blank_rows_skipped", 0) + raw.notes.get(
        "lines_in_values", 0)


@given(TABLE, st.data())
@SETTINGS
def test_a_stray_quote_never_loses_lines_unseen(tmp_path_factory, rows, data) -> None:
    text = _text(rows)
    starts = [i + 1 for i, ch in enumerate(text) if ch in ";\n" and i + 1 < len(text)]  # where a field begins
    pos = data.draw(st.sampled_from(starts))
    broken = text[:pos] + '"' + text[pos:]
    path = tmp_path_factory.mktemp("fuzz") / "b.csv"
    path.write_text(broken, encoding="utf-8")
    with limits.using(limits.Limits(max_value_lines=3)):
        _lines_add_up(path)
