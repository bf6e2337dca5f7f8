"""The detector registry: every findings detector declares, in one place, what it reports.

A detector module (any module of this package) registers itself with ``@detector(...)``, naming the
patterns it emits as ``PatternSpec`` s: key, kind, suggested measures, report section and the label
keys the report needs. ``detect_network`` runs the registered detectors in ``order``; the report reads
measures and sections from here (``measures_of``, ``section_of``). Adding a detector therefore means:
one new module in ``procmine/analyse/detectors/`` and its German labels in ``labels_de/report.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from procmine.analyse.detectors.base import Network
    from procmine.analyse.model import Finding


@dataclass(frozen=True)
class PatternSpec:
    """One pattern a detector reports.

    ``section``: key of the report section holding the evidence (``report.diagnosis_sections.SECTION_IDS``);
    ``external_section``: the section instead when the finding is a wait on another body.
    ``capacity``: the pattern costs staff time, not elapsed time (sized in staff hours, ``impact`` 0).
    ``extra_labels``: further label keys the report needs for this pattern.
    """

    key: str
    kind: str
    measures: tuple[str, ...]
    section: str
    external_section: str | None = None
    capacity: bool = False
    extra_labels: tuple[str, ...] = ()

    @property
    def label_keys(self) -> tuple[str, ...]:
        """Every label key the report uses for a finding of this pattern."""
        keys = [f"pattern.{self.key}", f"kind.{self.kind}"]
        for m in self.measures:
            keys += [f"measure.{m}", f"measure_short.{m}"]
        return (*keys, *self.extra_labels)


Run = Callable[["Network"], "list[tuple[str, Finding]]"]


@dataclass(frozen=True)
class Detector:
    """A registered detector: its name, the patterns it emits, when it runs and the function."""

    name: str
    patterns: tuple[PatternSpec, ...]
    order: int
    run: Run


_DETECTORS: dict[str, Detector] = {}
_PATTERNS: dict[str, PatternSpec] = {}


def detector(name: str, patterns: list[PatternSpec] | tuple[PatternSpec, ...], order: int = 100) -> Callable[[Run], Run]:
    """Register ``run`` (network -> [(office, Finding)]) as detector ``name`` emitting ``patterns``."""

    def wrap(run: Run) -> Run:
        for p in patterns:
            if p.key in _PATTERNS and _PATTERNS[p.key] != p:
                raise ValueError(f"pattern {p.key!r} declared twice with different specs")
            _PATTERNS[p.key] = p
        _DETECTORS[name] = Detector(name, tuple(patterns), order, run)
        return run

    return wrap


def declare(*patterns: PatternSpec) -> None:
    """Register patterns that are emitted by a merge step rather than a detector of their own."""
    for p in patterns:
        _PATTERNS.setdefault(p.key, p)


def detectors() -> list[Detector]:
    """The registered detectors, in run order."""
    _load()
    return sorted(_DETECTORS.values(), key=lambda d: (d.order, d.name))


def patterns() -> dict[str, PatternSpec]:
    """Every registered pattern by key."""
    _load()
    return dict(_PATTERNS)


def spec(pattern: str) -> PatternSpec | None:
    """The pattern's declaration, None for an unregistered key."""
    _load()
    return _PATTERNS.get(pattern)


def measures_of(pattern: str) -> tuple[str, ...]:
    """The measures a pattern suggests (empty for an unknown pattern)."""
    s = spec(pattern)
    return s.measures if s else ()


def section_of(pattern: str, external: bool = False) -> str | None:
    """The report section that backs a finding of ``pattern`` (None for an unknown pattern)."""
    s = spec(pattern)
    if s is None:
        return None
    return (s.external_section or s.section) if external else s.section


def is_capacity(pattern: str) -> bool:
    """True for patterns sized in staff time rather than elapsed case-days."""
    s = spec(pattern)
    return bool(s and s.capacity)


def _load() -> None:
    """Import every module of the detectors package once (each registers itself)."""
    import procmine.analyse.detectors  # noqa: F401  (the package imports its modules)
