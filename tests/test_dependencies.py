"""Every third-party import is declared in pyproject.toml, in the right list: the package's imports in
``dependencies`` (the bench may also use the ``bench`` extra), the tests' imports in ``dependencies`` or
the ``test`` extra; and nothing is declared that nothing uses."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PKG = REPO / "procmine"
TESTS = REPO / "tests"

# distribution name -> the top-level module it installs, where the two differ beyond '-' vs '_'
IMPORT_NAMES = {
    "python-calamine": "python_calamine",
    "charset-normalizer": "charset_normalizer",
    "vl-convert-python": "vl_convert",
    "pyyaml": "yaml",
    "scikit-learn": "sklearn",
    "pillow": "PIL",
    "beautifulsoup4": "bs4",
    "python-dateutil": "dateutil",
}
# modules of the package that may import from an extra besides the runtime dependencies
EXTRA_USERS = {"procmine/bench.py": "bench"}
# test-extra entries that no test imports, and where their use is written instead
USED_WITHOUT_IMPORT = {
    "ruff": (REPO / "noxfile.py", 'session.run("ruff"'),
    "mypy": (REPO / "noxfile.py", 'session.run("mypy"'),
    "openpyxl": (TESTS / "test_end_to_end.py", 'engine="openpyxl"'),
}


def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _module(requirement: str) -> str:
    """'python-calamine>=0.2' -> 'python_calamine'; 'pandas[pyarrow]>=2; python_version>"3"' -> 'pandas'."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, requirement
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    return IMPORT_NAMES.get(name, name.replace("-", "_"))


def _declared(requirements: list[str]) -> set[str]:
    return {_module(r) for r in requirements}


def _imports(path: Path) -> set[str]:
    """Top-level modules imported by a file: import statements (not relative ones) and
    importlib.import_module / pytest.importorskip calls with a literal name."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"import_module", "importorskip"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value.split(".")[0])
    return found


def _third_party(modules: set[str], local: set[str]) -> set[str]:
    return {m for m in modules if m not in sys.stdlib_module_names and m != "procmine" and m not in local}


def _package_imports() -> dict[str, set[str]]:
    """Third-party modules per package file (path relative to the repository)."""
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        mods = _third_party(_imports(path), set())
        if mods:
            out[path.relative_to(REPO).as_posix()] = mods
    return out


def _test_imports() -> set[str]:
    local = {p.stem for p in TESTS.glob("*.py")}
    return set().union(*(_third_party(_imports(p), local) for p in TESTS.rglob("*.py")))


def test_module_names_of_requirements() -> None:
    assert _module("python-calamine>=0.2") == "python_calamine"
    assert _module("charset-normalizer>=3.3") == "charset_normalizer"
    assert _module("Jinja2>=3.1") == "jinja2"
    assert _module("ruff==0.17.6") == "ruff"
    assert _module('pandas[pyarrow]>=2.1; python_version >= "3.11"') == "pandas"


def test_import_scan_sees_every_kind_of_import(tmp_path: Path) -> None:
    src = tmp_path / "m.py"
    src.write_text(
        "import os, numpy.linalg as la\nfrom scipy import stats\nfrom . import sibling\n"
        "import importlib\nlib = importlib.import_module('lxml.etree')\nimport pytest\nx = pytest.importorskip('xlwt')\n",
        encoding="utf-8",
    )
    assert _imports(src) == {"os", "numpy", "scipy", "importlib", "lxml", "pytest", "xlwt"}
    assert _third_party(_imports(src), {"pytest"}) == {"numpy", "scipy", "lxml", "xlwt"}


def test_no_requirement_is_listed_twice() -> None:
    project = _project()
    lists = {"dependencies": project["dependencies"], **project.get("optional-dependencies", {})}
    for name, requirements in lists.items():
        modules = [_module(r) for r in requirements]
        assert len(modules) == len(set(modules)), (name, sorted(m for m in modules if modules.count(m) > 1))


def test_every_package_import_is_a_declared_dependency() -> None:
    project = _project()
    runtime = _declared(project["dependencies"])
    extras = {name: _declared(reqs) for name, reqs in project.get("optional-dependencies", {}).items()}
    missing = []
    for rel, mods in _package_imports().items():
        allowed = runtime | extras.get(EXTRA_USERS.get(rel, ""), set())
        missing += [f"{rel} imports {m}" for m in sorted(mods - allowed)]
    assert not missing, "not declared in pyproject.toml [project] dependencies:\n" + "\n".join(missing)


def test_every_runtime_dependency_is_imported_by_the_package() -> None:
    """A runtime dependency that only the tests or the bench use belongs in the test or bench extra."""
    used = set().union(*_package_imports().values())
    runtime = _declared(_project()["dependencies"])
    assert not runtime - used, f"declared but never imported by procmine/: {sorted(runtime - used)}"


def test_every_test_import_is_declared_and_every_test_extra_is_used() -> None:
    project = _project()
    runtime = _declared(project["dependencies"])
    test_extra = _declared(project["optional-dependencies"]["test"])
    used = _test_imports()
    assert not used - runtime - test_extra, f"tests import undeclared modules: {sorted(used - runtime - test_extra)}"
    for module in sorted(test_extra - used):
        assert module in USED_WITHOUT_IMPORT, f"test extra lists {module}, which no test imports"
        path, usage = USED_WITHOUT_IMPORT[module]
        assert usage in path.read_text(encoding="utf-8"), f"{module}: '{usage}' no longer in {path.name}"
    assert not test_extra & runtime, f"listed twice (runtime and test): {sorted(test_extra & runtime)}"
