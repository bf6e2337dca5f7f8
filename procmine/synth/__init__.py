"""Synthetic nine-office network (DOMAIN §7): simulation, vendor-shaped exports and the truth file.

>>> res = simulate_network(cases_per_office=300)             # doctest: +SKIP
>>> res.logs["ABH-03"]                                       # canonical log, case ids not pseudonymised
>>> generate_demo(Path("logs/demo/exports"))                 # nine export files + truth.json
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from procmine.catalogue import PATTERNS
from procmine.synth.exports import LABELS, ExportTable, build_export, write_export
from procmine.synth.offices import (
    PATTERN_DEFAULTS,
    SHAPES,
    Intervention,
    OfficeConfig,
    PlantedPattern,
    clean_office,
    clean_offices,
    default_offices,
    office_with_pattern,
    parse_intervention,
)
from procmine.synth.simulate import WINDOW_START, OfficeRun, month_add, simulate_office

__all__ = [
    "DemoManifest",
    "Intervention",
    "OfficeConfig",
    "PlantedPattern",
    "SimulationResult",
    "clean_office",
    "clean_offices",
    "default_offices",
    "generate_demo",
    "office_with_pattern",
    "parse_intervention",
    "simulate_network",
    "with_interventions",
]

DEFAULT_SEED = 20260101

# where each pattern shows in the log: fields of the truth entry (DOMAIN §7.4 signatures)
PATTERN_LOCATION: dict[int, dict[str, Any]] = {
    1: {"from_key": "appointment_requested", "to_key": "appointment_scheduled"},
    2: {},
    3: {"activity_key": "documents_requested"},
    4: {"from_key": "ba_consent_requested", "to_key": "ba_consent_granted"},
    5: {"from_key": "security_check_requested", "to_key": "security_check_completed"},
    6: {"from_key": "eat_received", "to_key": "eat_handed_over"},
    7: {},
    8: {},
    9: {"activity_key": "status_inquiry_received"},
    10: {"activity_key": "fiction_certificate_extended"},
    11: {"activity_key": "case_handed_over"},
    12: {},
    13: {},
    14: {"activity_key": "decision_approved"},
    15: {"activity_key": "appointment_no_show"},
    16: {},
    17: {"to_key": "register_checked"},
    18: {"activity_key": "decision_approved"},
    20: {},
}


@dataclass
class SimulationResult:
    """Canonical logs per office (not pseudonymised), the truth dict and the export tables."""

    logs: dict[str, pd.DataFrame]
    truth: dict[str, Any]
    exports: dict[str, ExportTable] = field(default_factory=dict)
    runs: dict[str, OfficeRun] = field(default_factory=dict)


@dataclass
class DemoManifest:
    """Paths written by ``generate_demo``."""

    exports: dict[str, Path]
    truth: Path


def _shock(months: int) -> dict[str, Any]:
    """Pattern 13, network-wide: AE_EMP arrivals × 1.8 from 2025-02-01 (mid-window if that is outside)."""
    shock = dict(PATTERN_DEFAULTS[13])
    end = month_add(WINDOW_START, months)
    when = date.fromisoformat(shock["date"])
    if not WINDOW_START < when < end:
        when = WINDOW_START + timedelta(days=(end - WINDOW_START).days // 2)
    shock["date"] = when.isoformat()
    return shock


def _pattern_truth(cfg: OfficeConfig, pat: PlantedPattern, primary: bool, run: OfficeRun) -> dict[str, Any]:
    labels = LABELS[cfg.export_shape]
    params = pat.resolved()
    loc = dict(PATTERN_LOCATION.get(pat.number, {}))
    entry: dict[str, Any] = {
        "number": pat.number, "key": pat.key, "kind": pat.kind, "primary": primary,
        "from_key": loc.get("from_key"), "to_key": loc.get("to_key"),
        "from_activity": labels.get(loc["from_key"]) if "from_key" in loc else None,
        "to_activity": labels.get(loc["to_key"]) if "to_key" in loc else None,
        "activity_key": loc.get("activity_key"),
        "activity": labels.get(loc["activity_key"]) if "activity_key" in loc else None,
        "team": params.get("team") if pat.number in (2, 12) else None,
        "case_type": params.get("case_type") if pat.number in (7, 8, 12) else None,
        "params": params,
    }
    if pat.number == 5 and "outage" in run.details:
        entry["params"]["outage_start"], entry["params"]["outage_end"] = run.details["outage"]
    if pat.number == 11:
        entry["params"]["file_from_key"] = "file_requested"
        entry["params"]["file_to_key"] = "file_received"
    return entry


def simulate_network(
    cases_per_office: int = 3000,
    months: int = 21,
    seed: int = DEFAULT_SEED,
    offices: list[OfficeConfig] | None = None,
) -> SimulationResult:
    """Simulate every office and build its export table and canonical log; deterministic from ``seed``."""
    offices = offices if offices is not None else default_offices()
    shock = _shock(months)
    end = month_add(WINDOW_START, months)
    truth: dict[str, Any] = {
        "seed": seed, "cases_per_office": cases_per_office, "months": months,
        "start": WINDOW_START.isoformat(), "end": (end - timedelta(days=1)).isoformat(),
        "policy_shock": {"number": 13, "key": PATTERNS[13][0], "kind": PATTERNS[13][1],
                         "date": shock["date"], "case_type": shock["case_type"], "factor": shock["factor"],
                         "offices": [o.name for o in offices]},
        "offices": {},
    }
    logs: dict[str, pd.DataFrame] = {}
    exports: dict[str, ExportTable] = {}
    runs: dict[str, OfficeRun] = {}
    for k, cfg in enumerate(offices):
        run = simulate_office(cfg, cases_per_office, months, seed, shock)
        exp = build_export(run, seed * 31 + k)
        runs[cfg.name], exports[cfg.name], logs[cfg.name] = run, exp, exp.log
        truth["offices"][cfg.name] = {
            "file": exp.file_name,
            "profile": SHAPES[cfg.export_shape],
            "shape": cfg.export_shape,
            "archetype": cfg.archetype,
            "land": cfg.land,
            "cases": int(len(run.cases)),
            "events": int(len(exp.log)),
            "rows": int(len(exp.table)),
            "teams": sorted(t for t in cfg.staff),
            "patterns": [_pattern_truth(cfg, p, i == 0, run) for i, p in enumerate(cfg.patterns)],
            "defects": exp.defects,
            "personal_columns": exp.personal_columns,
            "capacity": run.details,
        }
        if cfg.interventions:  # planted measures (only when asked for: the demo's truth stays as it was)
            truth["offices"][cfg.name]["interventions"] = [
                {"date": m.date, "from_key": m.from_key, "to_key": m.to_key, "delta_days": m.delta_days,
                 "from_activity": LABELS[cfg.export_shape].get(m.from_key),
                 "to_activity": LABELS[cfg.export_shape].get(m.to_key)}
                for m in cfg.interventions
            ]
    return SimulationResult(logs, truth, exports, runs)


def with_interventions(offices: list[OfficeConfig], interventions: list[tuple[str, Intervention]]) -> list[OfficeConfig]:
    """The offices with planted measures added (``(office name, Intervention)`` pairs; unknown names refused)."""
    names = {o.name for o in offices}
    unknown = sorted({name for name, _ in interventions} - names)
    if unknown:
        raise ValueError(f"unknown office(s) {unknown}; known: {sorted(names)}")
    return [
        dataclasses.replace(o, interventions=[*o.interventions, *(m for name, m in interventions if name == o.name)])
        for o in offices
    ]


def generate_demo(
    out_dir: Path,
    cases_per_office: int = 3000,
    months: int = 21,
    seed: int = DEFAULT_SEED,
    progress: Callable[[str], None] | None = None,
    interventions: list[tuple[str, Intervention]] | None = None,
) -> DemoManifest:
    """Write one vendor-shaped export per office into ``out_dir`` plus ``truth.json``.

    ``interventions``: measures to plant, ``(office, Intervention)`` (see ``parse_intervention``); none by default.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if progress:
        progress(f"Simuliere {len(default_offices())} Dienststellen mit je {cases_per_office} Vorgängen …")
    offices = with_interventions(default_offices(), interventions) if interventions else None
    res = simulate_network(cases_per_office, months, seed, offices=offices)
    paths: dict[str, Path] = {}
    for name, exp in res.exports.items():
        paths[name] = write_export(exp, out_dir)
        if progress:
            progress(f"{name}: {paths[name].name} geschrieben ({len(exp.table)} Zeilen)")
    truth_path = out_dir / "truth.json"
    truth_path.write_text(json.dumps(res.truth, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return DemoManifest(paths, truth_path)
