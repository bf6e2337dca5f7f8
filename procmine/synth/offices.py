"""Office configurations for the synthetic network: archetypes, teams, capacities, planted patterns.

Built from DOMAIN §7.2 (case types, archetype modifiers), §7.3 (defaults) and §7.4 (patterns and their
allocation to ABH-01 … ABH-09). Every one of the 16 patterns is a switch with parameters, so a test can
plant any of them in any office.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from procmine.catalogue import CASE_TYPES, PATTERNS

# shapes of the vendor exports (see exports.py); value = built-in profile name
SHAPES: dict[str, str] = {
    "xes_events_csv": "xes_events_csv",
    "de_events_csv": "de_events_csv",
    "de_milestones_csv": "de_milestones_csv",
    "de_events_xlsx": "de_events_xlsx",
    "de_lifecycle_csv": "de_lifecycle_csv",
}

# archetype -> case-type rate multipliers (DOMAIN §7.2, "Office-archetype modifiers")
ARCHETYPES: dict[str, dict[str, float]] = {
    "large city, university": {"AE_EDU": 2.0, "BLUE": 1.5, "VE": 1.3, "TRANSFER": 1.3, "FKV_81A": 3.0},
    "city, university": {"AE_EDU": 2.0, "BLUE": 1.5},
    "industrial Landkreis": {"AE_EMP": 1.5, "WORK_COND": 1.3},
    "rural Landkreis": {"DUL": 1.5, "AE_HUM": 1.3, "BLUE": 0.3},
    "Landkreis": {},
}

# parameter defaults per pattern number (DOMAIN §7.3 "stressed office" column where it gives one)
PATTERN_DEFAULTS: dict[int, dict[str, Any]] = {
    1: {"slot_load": 1.22, "window_days": 35, "initial_backlog_days": 25},
    2: {"team": "Team A-K", "vacancy": 0.30, "trainee_factor": 1.3, "trainee_extra_incomplete": 0.1,
        "base_load": 0.85},
    3: {"p_incomplete": 0.65, "p_continue": 0.5, "max_rounds": 4, "p_new_appointment": 0.6,
        "response_median_days": 14.0},
    4: {"explicit_answer": True, "ba_median_days": 30.0, "ba_sigma": 0.35},
    5: {"outage_start": None, "outage_weeks": 16, "release_days": 20},
    6: {"handover_load": 1.02, "handover_pref_median_days": 26.0},
    7: {"case_type": "AE_EDU", "edu_peak_factor": 3.5, "edu_months": [3, 4, 9, 10], "transfer_factor": 2.0,
        "transfer_months": [3, 4, 5], "january_factor": 1.5, "summer_capacity": 0.75,
        "summer_months": [7, 8]},
    8: {"low_priority": ["NE", "AE_FAM", "VISA_CONSENT"], "team_load": 1.3, "case_type": "NE",
        "p_remedy": 0.35},
    9: {"inquiry_every_days": 14.0, "inquiry_after_days": 7.0, "inquiry_minutes": 8.0},
    10: {"validity_days": [30, 60], "validity_weights": [0.6, 0.4], "expiry_within_days": 14,
         "decision_load": 0.98},
    11: {"handovers": [2, 4], "p_file_request": 0.5, "file_median_days": 26.0},
    12: {"case_type": "VISA_CONSENT", "team": "Team Einreise", "team_load": 1.6, "p_remedy": 0.6},
    13: {"date": "2025-02-01", "case_type": "AE_EMP", "factor": 1.8},
    14: {"weekday": 1, "activities": ["decision_approved", "decision_rejected"]},
    15: {"window_days": 14, "p_no_show_fresh": 0.38, "fresh_hours": 24.0},
    16: {"p_triage_resolved": 0.33, "lead_median_days": 6.0, "slot_load": 0.7, "p_incomplete": 0.12},
    # issue 14 (synth/plant.py): untouched files, a one-person step, an office slow at every step
    17: {"step": "register_checked", "share": 0.25, "delay_median_days": 90.0, "sigma": 0.3},
    18: {"steps": ["decision_approved", "decision_rejected"], "utilisation": 0.97},
    20: {"steps": ["completeness_checked", "register_checked", "decision_approved", "decision_rejected"],
         "delay_median_days": 18.0, "sigma": 0.5},
}


@dataclass(frozen=True)
class PlantedPattern:
    """One DOMAIN §7.4 pattern switched on in an office, with parameters overriding the defaults."""

    number: int
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return PATTERNS[self.number][0]

    @property
    def kind(self) -> str:
        return PATTERNS[self.number][1]

    def resolved(self) -> dict[str, Any]:
        """Defaults of this pattern merged with the given parameters."""
        out = copy.deepcopy(PATTERN_DEFAULTS.get(self.number, {}))
        out.update(self.params)
        return out


# waits a planted measure can change: (from_key, to_key) of waits the simulator draws as a delay
INTERVENTION_STEPS: frozenset[tuple[str, str]] = frozenset(
    {
        ("eat_ordered", "eat_received"),
        ("security_check_requested", "security_check_completed"),
        ("ba_consent_requested", "ba_consent_granted"),
        ("documents_requested", "documents_received"),
    }
)


@dataclass(frozen=True)
class Intervention:
    """A measure taken at ``date`` (ISO): every wait from ``from_key`` to ``to_key`` that starts on or after it
    changes by ``delta_days`` (negative = shorter). The changed wait is kept at least half a day long, so the
    planted size is exact where the waits are longer than ``-delta_days`` (the eAT production, ~28 days)."""

    date: str
    from_key: str
    to_key: str
    delta_days: float

    def __post_init__(self) -> None:
        if (self.from_key, self.to_key) not in INTERVENTION_STEPS:
            raise ValueError(f"no planted measure possible on {self.from_key}->{self.to_key}; one of {sorted(INTERVENTION_STEPS)}")


def parse_intervention(text: str) -> tuple[str, Intervention]:
    """``"ABH-05:2025-04-01:eat_ordered→eat_received:-7"`` -> (office, Intervention)."""
    parts = text.split(":")
    if len(parts) != 4 or "→" not in parts[2]:
        raise ValueError(f"expected OFFICE:YYYY-MM-DD:from_key→to_key:DAYS, got {text!r}")
    from_key, to_key = (p.strip() for p in parts[2].split("→", 1))
    return parts[0].strip(), Intervention(parts[1].strip(), from_key, to_key, float(parts[3]))


@dataclass
class OfficeConfig:
    """One simulated office: who arrives, who works, how it books, what is planted, how it exports.

    ``case_type_modifiers`` multiply the §7.2 shares (on top of the archetype's). ``staff`` maps team name
    to head count (≥ 5); ``team_load`` is the planned utilisation of the back office (work / capacity).
    ``slots_per_day`` fixes the front-office appointment slots per working day; ``None`` sizes them from
    the expected demand divided by ``slot_load``.
    """

    name: str
    archetype: str = "Landkreis"
    case_type_modifiers: dict[str, float] = field(default_factory=dict)
    staff: dict[str, int] = field(default_factory=dict)
    slots_per_day: float | None = None
    slot_load: float = 0.88
    team_load: float = 0.8
    patterns: list[PlantedPattern] = field(default_factory=list)
    export_shape: str = "de_events_csv"
    land: str = "ST"
    routing: str = "surname"  # "surname": general teams by surname letter; "central": one general team
    interventions: list[Intervention] = field(default_factory=list)  # planted measures (none in the demo)

    def pattern(self, number: int) -> dict[str, Any] | None:
        """Resolved parameters of pattern ``number`` if it is planted here, else None."""
        for p in self.patterns:
            if p.number == number:
                return p.resolved()
        return None

    @property
    def profile(self) -> str:
        return SHAPES[self.export_shape]

    def case_type_weights(self) -> dict[str, float]:
        """Relative arrival weight per case type (share × archetype × office modifier)."""
        arche = ARCHETYPES.get(self.archetype, {})
        return {
            code: ct.share * arche.get(code, 1.0) * self.case_type_modifiers.get(code, 1.0)
            for code, ct in CASE_TYPES.items()
        }


# team that handles each case type when it is not routed by surname letter
SPECIAL_TEAMS: dict[str, str] = {
    "AE_EMP": "Team Erwerb",
    "BLUE": "Team Erwerb",
    "FKV_81A": "Team Erwerb",
    "WORK_COND": "Team Erwerb",
    "AE_HUM": "Team Humanitär",
    "DUL": "Team Humanitär",
}
FRONT_TEAM = "Servicepoint"
DEFAULT_STAFF: dict[str, int] = {
    FRONT_TEAM: 6,
    "Team A-K": 6,
    "Team L-Z": 6,
    "Team Erwerb": 5,
    "Team Humanitär": 5,
}


def default_offices() -> list[OfficeConfig]:
    """The nine offices of DOMAIN §7.4's allocation table (pattern 13 is applied network-wide)."""

    def staff(**extra: int) -> dict[str, int]:
        out = dict(DEFAULT_STAFF)
        out.update({k.replace("_", " "): v for k, v in extra.items()})
        return out

    return [
        OfficeConfig("ABH-01", "large city, university", staff=staff(**{"Team_A-K": 8, "Team_L-Z": 8}),
                     patterns=[PlantedPattern(1), PlantedPattern(9)], export_shape="xes_events_csv"),
        OfficeConfig("ABH-02", "city, university", staff=staff(),
                     patterns=[PlantedPattern(7), PlantedPattern(6)], export_shape="de_events_csv"),
        OfficeConfig("ABH-03", "industrial Landkreis", staff=staff(),
                     patterns=[PlantedPattern(4), PlantedPattern(2, {"team": "Team Erwerb"})],
                     export_shape="de_milestones_csv"),
        OfficeConfig("ABH-04", "rural Landkreis", staff=staff(),
                     patterns=[PlantedPattern(10), PlantedPattern(8)], export_shape="de_events_xlsx"),
        OfficeConfig("ABH-05", "Landkreis", staff=staff(),
                     patterns=[PlantedPattern(3)], export_shape="xes_events_csv", land="SN"),
        OfficeConfig("ABH-06", "Landkreis", staff=staff(), team_load=0.75,
                     patterns=[PlantedPattern(5)], export_shape="de_milestones_csv", land="HE"),
        OfficeConfig("ABH-07", "Landkreis", staff=staff(),
                     patterns=[PlantedPattern(2, {"team": "Team A-K"}), PlantedPattern(15)],
                     export_shape="de_events_csv"),
        OfficeConfig("ABH-08", "Landkreis", staff=staff(), slot_load=0.75, team_load=0.75,
                     patterns=[PlantedPattern(16)], export_shape="de_events_xlsx", land="BB"),
        OfficeConfig("ABH-09", "Landkreis", staff=staff(**{"Team_Einreise": 5}),
                     patterns=[PlantedPattern(12), PlantedPattern(11)], export_shape="de_lifecycle_csv"),
    ]


def clean_office(name: str, **kwargs: Any) -> OfficeConfig:
    """An office with DOMAIN §7.3 defaults and nothing planted (a reference for tests)."""
    kwargs.setdefault("staff", dict(DEFAULT_STAFF))
    return OfficeConfig(name, **kwargs)


def clean_offices(n: int = 4, prefix: str = "ABH-R") -> list[OfficeConfig]:
    """``n`` clean reference offices named ``<prefix>1`` …"""
    return [clean_office(f"{prefix}{i + 1}") for i in range(n)]


def office_with_pattern(name: str, number: int, params: dict[str, Any] | None = None, **kwargs: Any) -> OfficeConfig:
    """A default office with exactly one DOMAIN §7.4 pattern planted (the team it needs is staffed)."""
    pat = PlantedPattern(number, dict(params or {}))
    staff = dict(DEFAULT_STAFF)
    team = pat.resolved().get("team")
    if number in (2, 12) and team and team not in staff:
        staff[team] = 5
    kwargs.setdefault("staff", staff)
    return OfficeConfig(name, patterns=[pat], **kwargs)
