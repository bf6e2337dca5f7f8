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
    "nkpi.new_share": "Anteil {case_type} an den neuen Fällen",
    # a --measure that cannot be read (UsageProblem)
    "measure.bad": "--measure '{text}': {why}. Erwartet DIENSTSTELLE:JJJJ-MM-TT[:SCHRITT oder KENNZAHL], z. B. "
    "\"ABH-04:2025-04-01:Terminwunsch eingegangen→Wartemarke gezogen\", oder eine TOML-Datei mit [[measure]]-Tabellen.",
    "measure.bad_date": "'{day}' ist kein Datum JJJJ-MM-TT",
    "measure.bad_what": "'{what}' ist weder ein Schritt (A→B) noch eine Kennzahl ({kpis})",
    "measure.no_file": "die Datei gibt es nicht",
    "measure.bad_toml": "kein gültiges TOML ({error})",
    "measure.incomplete": "Maßnahme {number}: 'office' und 'date' fehlen",
    "measure.no_office_date": "Dienststelle und Datum fehlen",
}


def nlabel(key: str, **fields: object) -> str:
    """The German text for ``key`` with its fields filled in."""
    text = NETWORK_LABELS[key]
    return text.format(**fields) if fields else text

# wording of the network report (vergleich.html), read by report/network.py
REPORT_LABELS: dict[str, str] = {
    "section.fair": "Faire Kennzahlen: auf den Fallmix des Netzes standardisiert",
    "intro.fair": (
        "Jede Kennzahl ist auf den Fallmix des ganzen Netzes umgerechnet (direkte Standardisierung nach "
        "Verfahrensart), damit eine Dienststelle mit vielen aufwendigen Verfahren nicht schlechter aussieht. "
        "In Klammern das 95-%-Intervall (Bootstrap über die Fälle). Blau: besser als der Rest des Netzes, orange: "
        "schlechter – nur wo das Intervall des Unterschieds die Null nicht enthält. Ohne Farbe: im Rahmen des "
        "Rauschens."
    ),
    "legend.better": "besser als der Rest des Netzes",
    "legend.worse": "schlechter als der Rest des Netzes",
    "legend.noise": "im Rahmen des Rauschens",
    "col.office": "Dienststelle",
    "col.case_type": "Verfahrensart",
    "col.cases": "Fälle",
    "col.value": "Wert",
    "col.interval": "95-%-Intervall",
    "col.position": "Einordnung",
    "col.tier": "Ranggruppe",
    "col.coverage": "Fallmix abgedeckt",
    "col.from": "von",
    "col.to": "nach",
    "col.share": "Anteil der Fälle",
    "col.median": "Wartezeit (Median)",
    "col.rest": "übrige Dienststellen",
    "col.in_days": "in Tagen",
    "col.tier_note": "1 = die besten",
    "caption.change_points": "Wendepunkte je Dienststelle und Kennzahl (Monatsmittel vorher und nachher)",
    "col.kpi": "Kennzahl",
    "col.month": "Monat",
    "col.before": "vorher",
    "col.after": "nachher",
    "col.kind": "Art",
    "col.network": "Netz",
    "position.better": "besser",
    "position.worse": "schlechter",
    "position.within_noise": "im Rauschen",
    "position.not_measurable": "nicht messbar",
    "position.not_comparable": "nicht vergleichbar",
    "why.step_missing": "Schritt fehlt im Export",
    "why.no_repeats": "Export zeigt keine Wiederholungen",
    "why.export_detail": "hängt vom Detail des Exports ab",
    "kpi.best": "Am besten: {office} – das Intervall trennt sich von allen anderen Dienststellen.",
    "kpi.no_best": "Keine Dienststelle hebt sich allein an der Spitze ab; die vorderen Werte liegen im Rahmen des Rauschens.",
    "kpi.not_comparable": (
        "Nicht verglichen und nicht gereiht: der Wert hängt davon ab, wie fein der Export die Schritte erfasst."
    ),
    "kpi.network": "Netzwert (alle Fälle): {value}.",
    "kpi.tests": "{tests} Vergleiche mit dem Rest des Netzes, davon {hits} auffällig.",
    "legacy": (
        "Die Kennzahlen, wie sie jede Dienststelle berichtet – ohne Standardisierung und ohne Rangfolge; "
        "verglichen wird oben, mit Intervallen."
    ),
    "section.case_mix": "Fallmix: Anteile der Verfahrensarten",
    "intro.case_mix": (
        "Anteil jeder Verfahrensart an den Fällen einer Dienststelle. Zellen unter {k} Fällen sind ausgeblendet, "
        "dazu jeweils eine weitere Zelle, damit sie sich nicht aus den Summen zurückrechnen lassen."
    ),
    "section.topics": "Von wem lernen? Thema für Thema",
    "intro.topics": (
        "Für jedes Thema die Dienststelle mit dem besten standardisierten Wert und wie ihr Ablauf dort "
        "aussieht: die Übergänge rund um das Thema, mit dem Anteil der Fälle und der mittleren Wartezeit (Median), "
        "neben denen der übrigen Dienststellen – als Vorbereitung für Hospitationen."
    ),
    "topic.appointment_wait": "Wartezeit auf den Termin",
    "topic.document_rounds": "Nachforderungen von Unterlagen",
    "topic.ba_consent": "Zustimmung der Bundesagentur für Arbeit",
    "topic.security_check": "Sicherheitsabfrage",
    "topic.card_handover": "Aushändigung des eAT",
    "topic.no_shows": "Nicht wahrgenommene Termine",
    "topic.decisions": "Entscheidungen",
    "topic.best": "Vorbild: {office} mit {value} ({low} bis {high}); Netz: {network}.",
    "topic.best_not_separated": (
        "Bester Wert: {office} mit {value} ({low} bis {high}); Netz: {network}. Das Intervall trennt sich nicht "
        "von allen anderen – mehrere Dienststellen kommen als Vorbild in Frage."
    ),
    "topic.none": "Kein Export zeigt die Schritte dieses Themas.",
    "section.trends": "Entwicklung über die Zeit",
    "intro.trends": (
        "Monatsmittel je Dienststelle (nach Beginn des Falls bzw. der Wartezeit; die letzten Monate, in denen "
        "die meisten Fälle noch offen sind, fehlen). Punkte: Wendepunkte, die über das Monatsrauschen hinausgehen "
        "(ruptures, PELT). Dazu der Anteil jeder Verfahrensart an den neuen Fällen: eine Gesetzesänderung zeigt sich "
        "dort zuerst. Grau hinterlegt: Monate, in denen mindestens die Hälfte der Dienststellen zugleich "
        "einen Wendepunkt hat – eine Veränderung im ganzen Netz, nicht das Werk einer Dienststelle."
    ),
    "trends.shared": "Netzweite Veränderung bei {kpi} im {month} ({offices}).",
    "trends.no_shared": "Keine Veränderung, die die meisten Dienststellen zugleich betrifft.",
    "trends.kind.shared": "netzweit",
    "trends.kind.own": "eigene",
    "trends.none": "Keine Wendepunkte über das Rauschen hinaus.",
    "section.measures": "Wirkung von Maßnahmen",
    "intro.measures": (
        "Unterbrochene Zeitreihe der Dienststelle und Differenz-von-Differenzen gegen die übrigen Dienststellen "
        "(netzweite Veränderungen werden so nicht der Maßnahme zugeschrieben); Scheintests an Stichtagen ohne "
        "Maßnahme prüfen, ob die Reihe ruhig genug für ein Urteil ist."
    ),
    "measures.none": (
        "Wirkung von Maßnahmen: keine Maßnahme angegeben. Eine Maßnahme lässt sich mit ihrem Stichtag bewerten: "
        "procmine run … --measure \"DIENSTSTELLE:JJJJ-MM-TT:Schritt A→Schritt B\" (oder statt der Schritte eine Kennzahl)."
    ),
    "measure.title": "{office}, Maßnahme am {date}: {what}",
    "chart.network": "Netz",
    "chart.controls": "übrige Dienststellen",
    "chart.measure": "Maßnahme",
    "diff.title": "Prozessvergleich {a} und {b}",
    "diff.intro": (
        "{a}: {na} Fälle, mittlere Dauer {da}; {b}: {nb} Fälle, mittlere Dauer {db}. {different} von {tested} Übergängen "
        "unterscheiden sich deutlich, also mehr, als der Zufall erklären kann (Prüfverfahren am Ende der Seite)."
    ),
    "diff.legend": (
        "Unterschiedskarte: orange = häufiger oder langsamer in {a}, blau = häufiger oder langsamer in {b}, grau gestrichelt "
        "= kein deutlicher Unterschied; Beschriftung Anteil der Fälle {a} / {b} bzw. mittlere Wartezeit in Tagen."
    ),
    "diff.footer": (
        "Erstellt mit procmine diff. Schritte nach Katalog, sonst nach Bezeichnung im Export. Prüfverfahren: Häufigkeit "
        "mit dem Zwei-Stichproben-Test auf Anteile, Wartezeit mit dem Welch-Test, beides Benjamini-Hochberg-korrigiert "
        "auf 5 %."
    ),
    "diff.map_a": "Prozesskarte {name}",
    "diff.map_diff": "Unterschiedskarte",
    "diff.map_all": "Alle {total} Übergänge.",
    "diff.map_shown": "Die {shown} häufigsten von {total} Übergängen, damit die Karte auch gedruckt lesbar bleibt.",
    "diff.edges": "Übergänge mit deutlichem Unterschied",
    "diff.by_step": "Zeitunterschied je Schritt (Tage je Fall bis zu diesem Schritt; Summe = Unterschied der mittleren Dauer)",
    "diff.only": "Varianten nur in {name}",
    "diff.share": "Anteil Fälle {a} / {b}",
    "diff.mean": "Wartezeit {a} / {b} (Tage)",
    "diff.difference": "Unterschied",
    "diff.more_frequent": "häufiger in {office}",
    "diff.slower": "langsamer in {office}",
    "diff.step": "Schritt",
    "diff.delta": "Differenz (Tage)",
    "diff.variant": "Variante",
}
