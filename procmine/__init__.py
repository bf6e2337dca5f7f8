"""procmine: process mining for German immigration offices (Ausländerbehörden).

Notebook entry point: ``procmine.load(path)`` gives a canonical event log (pandas DataFrame);
the stage modules (``procmine.analyse``, ``procmine.compare``, ``procmine.report``) take it from there.
"""

from __future__ import annotations

from pathlib import Path

__version__ = "0.1.0"


def load(path: str | Path, profile: str | Path | None = None):  # noqa: ANN201 - returns pd.DataFrame
    """Load a canonical log: a procmine Parquet file as it is, any other export through ingest.

    >>> log = load("logs/demo/normalised/ABH-01.parquet")  # doctest: +SKIP
    """
    path = Path(path)
    if path.suffix == ".parquet":
        from procmine.schema import SchemaViolation, read_log

        try:
            return read_log(path)
        except SchemaViolation:
            pass  # a foreign Parquet file: ingest it like any export
    import tempfile

    from procmine.normalise import ingest_file
    from procmine.profiles import load_profile

    prof = load_profile(profile) if profile else None
    with tempfile.TemporaryDirectory() as tmp:
        return ingest_file(path, Path(tmp), profile=prof).log
