"""Shared pieces of the safety tests (``tests/test_safety_*.py``): small exports written by hand, the CLI
run through its real entry point (exit code and stderr as a user sees them) and a check that nothing was
written outside the output folder."""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

HEADER = ["Vorgang", "Tätigkeit", "Ende", "Sachbearbeiter", "Team"]
STEPS = ("Antrag eingegangen", "Termin vergeben", "Bescheid erteilt")


def event_rows(prefix: str, cases: int = 5, team: str = "T1") -> list[list[str]]:
    """Three steps per case, a few days apart."""
    return [
        [f"{prefix}{c}", step, f"{1 + c + 3 * s:02d}.03.2025 {9 + s}:{10 + c:02d}", f"S{c % 3}", team]
        for c in range(cases)
        for s, step in enumerate(STEPS)
    ]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, sep: str = ";") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(sep.join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


@dataclass
class CliRun:
    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> CliRun:
    """``procmine ARGS`` through ``cli.main`` (the error handling and exit codes users get)."""
    from procmine import cli

    monkeypatch.setattr(sys, "argv", ["procmine", *args])
    capsys.readouterr()
    code = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return CliRun(code, captured.out, captured.err)


def snapshot(root: Path) -> set[str]:
    """Every path below ``root`` (files, folders, links), relative."""
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def written_outside(root: Path, before: set[str], out: Path) -> list[str]:
    """Paths below ``root`` created since ``before`` that are not inside ``out``."""
    rel_out = str(out.relative_to(root))
    parents = {str(p) for p in Path(rel_out).parents}  # the folders --out was created in
    return sorted(p for p in snapshot(root) - before
                  if p != rel_out and p not in parents and not p.startswith(rel_out + os.sep))


def fresh_key() -> str:
    return secrets.token_hex(32)


def output_text(out: Path) -> str:
    """All text of every output file (Parquet as its decoded cells), for grep tests."""
    import pyarrow.parquet as pq

    parts = []
    for p in sorted(out.rglob("*")):
        if not p.is_file():
            continue
        if p.suffix == ".parquet":
            table = pq.read_table(p)
            parts.append(" ".join(map(str, table.column_names)))
            for col in table.columns:
                parts.append("\n".join(map(str, col.to_pylist())))
        else:
            parts.append(p.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(parts)


def _col(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def write_xlsx(path: Path, sheets: dict[str, list[list[str]]], far_cell: str | None = None,
               dimension: str | None = None) -> Path:
    """A minimal workbook written by hand (inline strings), optionally with one cell far away (``XFD1048576``)
    or a ``<dimension>`` that claims a huge range: the crafted files of issue 13."""
    import zipfile
    from xml.sax.saxutils import escape

    names = list(sheets)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                    '<Default Extension="xml" ContentType="application/xml"/>'
                    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                    + "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(len(names)))
                    + "</Types>")
        zf.writestr("_rels/.rels",
                    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        zf.writestr("xl/workbook.xml",
                    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                    + "".join(f'<sheet name="{escape(n)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names))
                    + "</sheets></workbook>")
        zf.writestr("xl/_rels/workbook.xml.rels",
                    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    + "".join(f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(names)))
                    + "</Relationships>")
        for i, name in enumerate(names):
            rows = []
            for r, row in enumerate(sheets[name], 1):
                cells = "".join(f'<c r="{_col(c)}{r}" t="inlineStr"><is><t>{escape(v)}</t></is></c>' for c, v in enumerate(row, 1))
                rows.append(f'<row r="{r}">{cells}</row>')
            if far_cell and i == 0:
                rows.append(f'<row r="{far_cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{far_cell}" t="inlineStr"><is><t>x</t></is></c></row>')
            dim = f'<dimension ref="{dimension}"/>' if dimension and i == 0 else ""
            zf.writestr(f"xl/worksheets/sheet{i + 1}.xml",
                        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        f'{dim}<sheetData>{"".join(rows)}</sheetData></worksheet>')
    return path
