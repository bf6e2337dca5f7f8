"""The detector registry (issue 12 item 4): each detector declares its patterns in one place, and the
report takes each pattern's measures, section and labels from there."""

from __future__ import annotations

import ast
from pathlib import Path

from procmine.analyse.detectors import registry
from procmine.analyse.model import FINDING_KINDS
from procmine.labels_de.report import has_label
from procmine.report.diagnosis_sections import SECTION_IDS, finding_section

DETECTORS = Path(__file__).resolve().parents[1] / "procmine" / "analyse" / "detectors"


def test_every_registered_pattern_has_kind_measures_section_and_labels() -> None:
    pats = registry.patterns()
    assert len(pats) >= 17
    problems = []
    for key, spec in pats.items():
        if spec.kind not in FINDING_KINDS:
            problems.append(f"{key}: kind {spec.kind}")
        if not spec.measures:
            problems.append(f"{key}: no measures")
        for sec in (spec.section, spec.external_section):
            if sec is not None and sec not in SECTION_IDS:
                problems.append(f"{key}: section {sec}")
        problems += [f"{key}: label {k}" for k in spec.label_keys if not has_label(k)]
    assert not problems, problems


def test_report_reads_sections_and_measures_from_the_registry() -> None:
    from procmine.analyse.model import Finding
    from procmine.report.build import finding_measures

    for key, spec in registry.patterns().items():
        assert finding_section(spec.kind, key) == spec.section
        f = Finding(kind=spec.kind, pattern=key, value=1.0, unit="days", impact=1.0, cases=10)
        assert finding_measures(f) == spec.measures
    assert finding_section("waiting", "waiting", external=True) == "external"
    assert registry.section_of("no_such_pattern") is None


def test_detectors_declare_their_patterns_and_nothing_else_lists_them() -> None:
    """Pattern keys appear as PatternSpec declarations only inside the detectors package; the report and
    catalogue hold no pattern -> section/measure tables of their own."""
    root = DETECTORS.parents[1]
    for rel in ("report/build.py", "report/diagnosis_sections.py", "catalogue.py"):
        tree = ast.parse((root / rel).read_text(encoding="utf-8"))
        names = {t.id for n in ast.walk(tree) if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
        assert not names & {"PATTERN_SECTIONS", "PATTERN_MEASURES", "MEASURES_BY_PATTERN"}, rel
    by_detector = {d.name: {p.key for p in d.patterns} for d in registry.detectors()}
    assert by_detector["waits"] >= {"ba_wait", "appointment_backlog"}
    assert all(by_detector.values())


def test_a_new_detector_module_registers_itself(monkeypatch) -> None:
    """A detector registered from anywhere is run by detect_network and its findings get the declared
    kind and measures."""
    import pandas as pd

    from procmine.analyse.detectors import combine
    from procmine.analyse.model import Finding

    spec = registry.PatternSpec("test_only_pattern", "waiting", ("priority_rules",), "waiting")
    calls = []

    def run(net):
        calls.append(sorted(net.data))
        return [("A", Finding(kind="rework", pattern="test_only_pattern", value=1.0, unit="days", impact=1e6, cases=50))]

    monkeypatch.setattr(registry, "_DETECTORS", dict(registry._DETECTORS))
    monkeypatch.setattr(registry, "_PATTERNS", dict(registry._PATTERNS))
    registry.detector("test_only", [spec], order=999)(run)
    from procmine.schema import conform, sort_log

    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    log = sort_log(conform(pd.DataFrame({
        "case_id": ["c1", "c1", "c2", "c2"], "activity": ["Eingang", "Bewilligt"] * 2,
        "activity_key": ["application_received", "decision_approved"] * 2,
        "end": [t0, t0 + pd.Timedelta(days=5), t0 + pd.Timedelta(days=1), t0 + pd.Timedelta(days=9)],
        "precision": "minute", "office": "A", "case_type": "AE_EXT", "event_seq": range(4),
        "source_file": "A.csv", "source_row": range(2, 6),
    })))
    found = combine.detect_network({"A": log})
    assert calls == [["A"]]
    f = next(f for f in found["A"] if f.pattern == "test_only_pattern")
    assert f.kind == "waiting" and f.measures == ("priority_rules",) and f.rank == 1
