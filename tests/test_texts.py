"""One home for German user text: no German sentence outside ``procmine/labels_de/`` (issue: texts).

A German sentence here is a string constant (not a docstring) with an umlaut or ß and at least three
words. The CLI's option help, the catalogue's domain terms, the KPI definitions and the synthetic export
data are the exceptions; comments are not constants, so they never count.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "procmine"
ALLOWED = ("labels_de/", "cli.py", "catalogue.py", "analyse/kpi_definitions.py", "synth/")
GERMAN = re.compile(r"[äöüÄÖÜß]")


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.add(id(first.value))
    return found


def german_sentences(source: str) -> list[tuple[int, str]]:
    """(line, text) of the German sentences among the string constants of ``source``."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
        and GERMAN.search(node.value) and len(node.value.split()) >= 3
    ]


def test_no_german_sentence_outside_labels_de():
    found = []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).as_posix()
        if rel.startswith(ALLOWED):
            continue
        found += [f"{rel}:{line}: {text[:80]!r}" for line, text in german_sentences(path.read_text(encoding="utf-8"))]
    assert not found, "German user text belongs in procmine/labels_de/:\n" + "\n".join(found)


def test_the_check_sees_sentences_but_not_docstrings_comments_or_single_words():
    source = '''"""Modul über Prüfungen mit Umlauten."""
def f():
    """Prüft die Größe der Datei."""
    # Öffnen Sie die Datei
    a = "Größe"
    b = f"die Datei {1} ist größer als erlaubt"
    return "Prüfen Sie den Pfad."
'''
    assert sorted(line for line, _ in german_sentences(source)) == [6, 7]


def test_labels_de_imports_no_stage():
    for path in (PKG / "labels_de").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            mods = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for mod in mods:
                parts = mod.split(".")
                assert not (parts[0] == "procmine" and len(parts) > 1 and parts[1] != "labels_de"), f"{path.name} imports {mod}"
