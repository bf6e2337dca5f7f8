"""procmine: process mining for German immigration offices (Ausländerbehörden).

Notebook entry point: ``procmine.load(path)`` gives a canonical event log (``procmine.EventLog``: checked,
in canonical order, and usable like its DataFrame ``log.df``); the stage modules (``procmine.analyse``,
``procmine.compare``, ``procmine.report``) take it, or any DataFrame built from it, from there.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from procmine.eventlog import EventLog, EventLogProblem

__all__ = ["EventLog", "EventLogProblem", "load"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``procmine.EventLog`` and ``procmine.EventLogProblem``, imported on first use (``import procmine``
    stays light: the CLI's help does not load pandas)."""
    if name in ("EventLog", "EventLogProblem"):
        from procmine import eventlog

        return getattr(eventlog, name)
    raise AttributeError(f"module 'procmine' has no attribute {name!r}")


def load(path: str | Path, profile: str | Path | None = None) -> EventLog:
    """Load a canonical log: a procmine Parquet file as it is, any other export through ingest.

    >>> log = load("logs/demo/normalised/ABH-01.parquet")  # doctest: +SKIP
    """
    from procmine.eventlog import EventLog

    path = Path(path)
    if path.suffix == ".parquet":
        from procmine.schema import SchemaViolation, read_log

        try:
            frame = read_log(path)
        except SchemaViolation:
            pass  # a foreign Parquet file: ingest it like any export
        else:
            return EventLog(frame)
    import tempfile

    from procmine.normalise import ingest_file
    from procmine.profiles import load_profile

    prof = load_profile(profile) if profile else None
    with tempfile.TemporaryDirectory() as tmp:
        return EventLog(ingest_file(path, Path(tmp), profile=prof).log)
