"""Sessions: demo (set up + nine-office demo), tests (ruff + mypy + pytest), browser, bench, lint.

System packages (graphviz for the process-map SVGs, Debian's chromium for the browser tests) are
installed here with apt-get when they are missing and we run as root, so a fresh Debian machine
needs nothing but Python 3.11.
"""

from __future__ import annotations

import os
import shutil

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True

APT_PACKAGES = {"dot": "graphviz", "chromium": "chromium"}


def _apt_install(session: nox.Session, *binaries: str) -> None:
    """Install the Debian packages behind the given binaries if they are missing."""
    missing = [APT_PACKAGES[b] for b in binaries if shutil.which(b) is None]
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        session.warn(f"missing system packages {missing}; install them with: sudo apt-get install {' '.join(missing)}")
        return
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    session.run("apt-get", "update", "-qq", external=True, env=env)
    session.run(
        "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, "fonts-dejavu-core",
        external=True, env=env,
    )


@nox.session
def demo(session: nox.Session) -> None:
    """Set everything up and run the nine-office demo end to end (reports in reports/demo/)."""
    _apt_install(session, "dot", "chromium")  # chromium prints each report as PDF
    session.install("-e", ".")
    session.run("procmine", "demo", *session.posargs)


def _static_checks(session: nox.Session) -> None:
    """ruff and mypy, at the versions pinned in the ``test`` extra, configured in pyproject.toml."""
    session.run("ruff", "check", "procmine", "tests", "noxfile.py")
    session.run("mypy")  # files and leniency: [tool.mypy] in pyproject.toml


@nox.session
def tests(session: nox.Session) -> None:
    """ruff, mypy, then the test suite, browser tests included (headless Chromium)."""
    _apt_install(session, "dot", "chromium")
    session.install("-e", ".[test]")
    _static_checks(session)
    session.run("pytest", "-q", *session.posargs)


@nox.session
def browser(session: nox.Session) -> None:
    """Only the real-browser checks of the HTML reports."""
    _apt_install(session, "dot", "chromium")
    session.install("-e", ".[test]")
    session.run("pytest", "-q", "-m", "browser", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmark against pm4py and DuckDB in the same run (default 100,000 cases; pass e.g. -- --cases 20000)."""
    _apt_install(session, "dot")
    session.install("-e", ".[bench]")
    session.run("python", "-m", "procmine.bench", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Only the static checks: ruff over the package and the tests, mypy over the package."""
    session.install("-e", ".[test]")
    _static_checks(session)
