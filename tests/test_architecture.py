"""Imports go one way: ingest → normalise → analyse → compare → report; cli/synth/bench at the edges."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "procmine"
ORDER = ["ingest", "normalise", "analyse", "compare", "report"]
EDGES = {"cli", "synth", "bench", "pipeline"}


def _stage(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "procmine" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_no_stage_imports_a_later_stage_or_an_edge():
    problems = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG)
        own = rel.parts[0].removesuffix(".py")
        if own in EDGES or own not in ORDER:
            continue
        for mod in _imports(path):
            other = _stage(mod)
            if other in EDGES:
                problems.append(f"{rel} imports edge module {mod}")
            elif other in ORDER and ORDER.index(other) > ORDER.index(own):
                problems.append(f"{rel} imports later stage {mod}")
    assert not problems, "\n".join(problems)


def test_nothing_imports_the_edges():
    for path in PKG.rglob("*.py"):
        own = path.relative_to(PKG).parts[0].removesuffix(".py")
        if own in EDGES or own == "__init__":
            continue
        bad = [m for m in _imports(path) if _stage(m) in {"cli", "bench"}]
        assert not bad, f"{path} imports {bad}"
