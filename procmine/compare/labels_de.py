"""German wording of the network comparison (fair comparison, topics, change points, effect of a measure).

The compare stage phrases its verdicts itself (the Python API returns them too), so its words live here,
looked up by key; the report reads them from here as well. Placeholders are ``str.format`` fields.
"""

from __future__ import annotations

NETWORK_LABELS: dict[str, str] = {
    # verdicts of an evaluated measure (short, then the sentence that explains it)
    "verdict.helped": "hat geholfen",
    "verdict.worse": "hat verschlechtert",
    "verdict.no_effect": "kein messbarer Effekt",
    "verdict.not_assessable": "nicht beurteilbar, weil {reason}",
    "reason.office_unknown": "die Dienststelle „{office}“ nicht in den Daten ist",
    "reason.step_not_found": "der Schritt „{step}“ im Export von {office} nicht vorkommt",
    "reason.too_few_before": "vor dem Stichtag zu wenige Messwerte vorliegen ({n}, nötig sind {need})",
    "reason.too_few_after": "nach dem Stichtag zu wenige Messwerte vorliegen ({n}, nötig sind {need})",
    "reason.placebo_unstable": (
        "die Reihe schon an Tagen ohne Maßnahme ähnlich große Sprünge zeigt ({hits} von {tests} Scheintests auffällig)"
    ),
    "explain.helped": (
        "{kpi} ist seit dem {date} um {effect} {lower} als ohne die Maßnahme zu erwarten wäre "
        "(95-%-Intervall {ci_low} bis {ci_high}; {method})."
    ),
    "explain.worse": (
        "{kpi} ist seit dem {date} um {effect} {higher} als ohne die Maßnahme zu erwarten wäre "
        "(95-%-Intervall {ci_low} bis {ci_high}; {method})."
    ),
    "explain.no_effect": (
        "Seit dem {date} ist bei {kpi} keine Veränderung über das Rauschen hinaus zu sehen "
        "(Schätzung {effect}, 95-%-Intervall {ci_low} bis {ci_high}; {method})."
    ),
    "explain.network_change": (
        " Die eigene Reihe zeigt zum Stichtag zwar einen Sprung ({its_effect}), die anderen Dienststellen aber "
        "zur selben Zeit ebenso: eine Veränderung im ganzen Netz, nicht die Wirkung der Maßnahme."
    ),
    "explain.no_controls": (
        " Es gibt keine Vergleichsdienststellen mit diesem Schritt: eine Veränderung im ganzen Netz zur selben Zeit "
        "kann nicht ausgeschlossen werden."
    ),
    "explain.placebo": " Scheintests an {tests} Stichtagen ohne Maßnahme: {hits} auffällig.",
    "method.did": "Differenz-von-Differenzen gegen {n} Vergleichsdienststellen",
    "method.its": "unterbrochene Zeitreihe der eigenen Dienststelle",
    "dir.lower.days": "kürzer",
    "dir.higher.days": "länger",
    "dir.lower.other": "niedriger",
    "dir.higher.other": "höher",
    "unit.days": "Tage",
    "unit.share": "Prozentpunkte",
    "unit.per_case": "je Fall",
    # KPI names (case-level measurements of the network comparison)
    "nkpi.cycle_time_days": "Durchlaufzeit (abgeschlossene Fälle)",
    "nkpi.over_90_share": "Anteil Fälle über 90 Tage",
    "nkpi.appointment_wait_days": "Wartezeit auf den Termin",
    "nkpi.document_rounds": "Nachforderungsrunden je Fall",
    "nkpi.ba_consent_days": "Dauer der BA-Zustimmung",
    "nkpi.security_check_days": "Dauer der Sicherheitsabfrage",
    "nkpi.card_handover_days": "Wartezeit auf die eAT-Aushändigung",
    "nkpi.no_show_share": "Anteil Fälle mit nicht wahrgenommenem Termin",
    "nkpi.decision_wait_days": "Liegezeit vor der Entscheidung",
    "nkpi.steps_per_case": "Schritte je Fall",
    "nkpi.step_wait_days": "Wartezeit {step}",
}


def nlabel(key: str, **fields: object) -> str:
    """The German text for ``key`` with its fields filled in."""
    text = NETWORK_LABELS[key]
    return text.format(**fields) if fields else text
