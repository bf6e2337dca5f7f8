"""THE catalogue of German report text: every heading, label and sentence template, looked up by key.

Code and templates never hold German prose; they ask ``label(key, **values)``. Sentence templates use
``str.format`` placeholders, filled with values already formatted by ``format_de``.
"""

from __future__ import annotations

LABELS: dict[str, str] = {
    # --- page titles and sections -------------------------------------------------------------
    "title.office": "Prozessanalyse {office}",
    "title.comparison": "Netzwerkvergleich der Ausländerbehörden",
    "meta.office": "Dienststelle",
    "meta.period": "Zeitraum der Daten",
    "meta.period_value": "{start} bis {end}",
    "meta.generated": "Erstellt am",
    "meta.offices": "Verglichene Dienststellen",
    "meta.log_kind_interval": "Ereignisprotokoll mit Beginn und Ende je Tätigkeit",
    "meta.log_kind_completion": "Ereignisprotokoll nur mit Abschlusszeitpunkten (keine Bearbeitungsdauern)",
    "meta.log_kind": "Art der Daten",
    "meta.back_to_comparison": "Zum Netzwerkvergleich",
    "nav.contents": "Inhalt",
    "section.summary": "Zusammenfassung",
    "section.process_map": "Prozesslandkarte",
    "section.process_model": "Prozessmodell",
    "section.bottlenecks": "Engpässe",
    "section.variants": "Varianten",
    "section.cycle_times": "Durchlaufzeiten",
    "section.data_quality": "Datenqualität",
    "section.definitions": "Anhang: Kennzahlen-Definitionen",
    "section.kpi_table": "Kennzahlen im Vergleich",
    "section.kpi_by_case_type": "Kennzahlen je Verfahrensart",
    "section.top_findings": "Wichtigster Engpass je Dienststelle",
    "section.key_figures": "Kennzahlen",
    "section.top3": "Die drei größten Engpässe",
    # --- intro sentences -----------------------------------------------------------------------
    "intro.summary": (
        "Dieser Bericht wertet {cases} Vorgänge mit {events} Bearbeitungsschritten aus. "
        "Alle Zeiten sind Kalendertage, einschließlich Wochenenden und Feiertagen."
    ),
    "intro.process_map": (
        "Die Prozesslandkarte zeigt, welche Schritte wie oft aufeinander folgen. Kästen sind Tätigkeiten mit "
        "ihrer Häufigkeit, Pfeile Übergänge mit Anzahl und mittlerer Liegezeit (Median). Der Übersicht halber "
        "sind nur die häufigsten Übergänge dargestellt, die zusammen {coverage} aller Übergänge abdecken "
        "({shown} von {total} Übergangsarten); results.json enthält alle."
    ),
    "intro.process_model": (
        "Das Prozessmodell (BPMN) ist aus den Daten abgeleitet (Inductive Miner). Es zeigt Reihenfolge, "
        "Verzweigungen (×) und parallele Schritte (+) des typischen Ablaufs."
    ),
    "intro.bottlenecks": (
        "Engpässe sind nach ihrer Wirkung geordnet: zusätzliche Vorgangstage pro Jahr über der Norm. "
        "Als „extern, nicht selbst steuerbar“ markierte Engpässe liegen bei anderen Stellen."
    ),
    "intro.variants": (
        "Eine Variante ist eine Abfolge von Tätigkeiten, die mehrere Vorgänge genau so durchlaufen haben. "
        "Gezeigt werden die {n} häufigsten."
    ),
    "intro.cycle_times": (
        "Die Durchlaufzeit reicht vom ersten bis zum letzten erfassten Schritt eines abgeschlossenen Vorgangs, "
        "in Kalendertagen. Median: die Hälfte der Vorgänge ist schneller. P90: 90 % der Vorgänge sind schneller. "
        "Der Anteil über 90 Tage zählt auch offene Vorgänge mit, die schon länger als 90 Tage laufen."
    ),
    "intro.data_quality": (
        "Zeilen, die nicht sicher ausgewertet werden konnten, wurden aussortiert (Quarantäne) und in einer "
        "eigenen Datei abgelegt. Sie fehlen in allen Kennzahlen dieses Berichts."
    ),
    "intro.definitions": "So sind die Kennzahlen dieses Berichts berechnet:",
    "intro.comparison": (
        "Die Dienststellen werden mit denselben Kennzahlen verglichen. Grün markiert den besten, rot den "
        "schwächsten Wert je Kennzahl. Alle Zeiten sind Kalendertage."
    ),
    "intro.comparison_by_case_type": (
        "Je Verfahrensart werden nur Arten verglichen, von denen jede Dienststelle mindestens {k} Vorgänge hat."
    ),
    "intro.suppression": "Werte aus weniger als {k} Vorgängen werden aus Datenschutzgründen nicht gezeigt („< {k}“).",
    "note.no_findings": "Es wurden keine Engpässe über der Norm gefunden.",
    "note.no_model": "Für diese Daten liegt kein Prozessmodell vor.",
    "note.no_map": "Für diese Daten liegt keine Prozesslandkarte vor.",
    "note.no_case_types": "Keine Verfahrensart ist in allen Dienststellen häufig genug für einen fairen Vergleich.",
    "note.no_quality": "Für diese Dienststelle liegt kein Datenqualitätsbericht vor.",
    "note.no_quarantine": "Es wurden keine Zeilen aussortiert.",
    "note.best": "bester Wert",
    "note.worst": "schwächster Wert",
    "note.lower_better": "niedriger ist besser",
    "note.higher_better": "höher ist besser",
    "note.external": "extern, nicht selbst steuerbar",
    "note.shared": "in den meisten Dienststellen ähnlich",
    "note.no_top_finding": "kein Engpass über der Norm",
    "note.more_findings": "Alle {n} Engpässe stehen im Abschnitt „Engpässe“.",
    # --- table columns -------------------------------------------------------------------------
    "col.rank": "Rang",
    "col.kind": "Art",
    "col.where": "Wo",
    "col.extent": "Ausmaß",
    "col.comparison": "Vergleich mit Norm/Netzwerk",
    "col.evidence": "Evidenz",
    "col.measures": "Maßnahmen",
    "col.variant": "Abfolge der Tätigkeiten",
    "col.cases": "Vorgänge",
    "col.share": "Anteil",
    "col.case_type": "Verfahrensart",
    "col.median": "Median",
    "col.p90": "P90",
    "col.share_over_90": "Anteil über 90 Tage",
    "col.kpi": "Kennzahl",
    "col.office": "Dienststelle",
    "col.reason": "Grund",
    "col.rows": "Zeilen",
    "col.hint": "Hinweis",
    "col.definition": "Definition",
    "col.unit": "Einheit",
    "col.finding": "Engpass",
    "col.flag": "Auffälligkeit",
    "col.events": "Ereignisse",
    "col.all_case_types": "Alle Verfahrensarten",
    "col.impact": "Wirkung (zusätzliche Vorgangstage pro Jahr)",
    # --- data quality --------------------------------------------------------------------------
    "quality.rows_read": "Gelesene Zeilen",
    "quality.rows_kept": "Übernommene Zeilen",
    "quality.rows_quarantined": "Aussortierte Zeilen (Quarantäne)",
    "quality.events": "Ausgewertete Ereignisse",
    "quality.by_reason": "Aussortiert nach Grund",
    "quality.flags": "Übernommen, aber markiert",
    "quality.hint_default": "Bitte die betroffenen Zeilen in der Quarantäne-Datei prüfen.",
    "flag.out_of_order": "Zeitstempel in unplausibler Reihenfolge",
    "flag.batch_entry": "Sammelerfassung (viele Schritte zur selben Minute)",
    "flag.day_precision": "nur Datum ohne Uhrzeit",
    # --- KPI names and plain explanations -------------------------------------------------------
    "kpi.cases": "Vorgänge",
    "kpi.cases.explain": "Anzahl der ausgewerteten Vorgänge im Zeitraum.",
    "kpi.events": "Bearbeitungsschritte",
    "kpi.events.explain": "Anzahl der erfassten Bearbeitungsschritte.",
    "kpi.cycle_time_median_days": "Durchlaufzeit (Median)",
    "kpi.cycle_time_median_days.explain": "Die Hälfte der Vorgänge ist nach so vielen Kalendertagen abgeschlossen.",
    "kpi.cycle_time_p90_days": "Durchlaufzeit (P90)",
    "kpi.cycle_time_p90_days.explain": "9 von 10 Vorgängen sind nach so vielen Kalendertagen abgeschlossen; der Rest dauert länger.",
    "kpi.share_cases_over_90_days": "Anteil über 90 Tage",
    "kpi.share_cases_over_90_days.explain": (
        "Anteil der Vorgänge, die länger als 90 Kalendertage dauern oder schon so lange offen sind "
        "(ab 3 Monaten droht eine Untätigkeitsklage, § 75 VwGO)."
    ),
    "kpi.open_cases": "Offene Vorgänge",
    "kpi.open_cases.explain": "Vorgänge ohne Abschluss am Ende des Zeitraums.",
    "kpi.share_open": "Anteil offener Vorgänge",
    "kpi.share_open.explain": "Anteil der Vorgänge ohne Abschluss am Ende des Zeitraums.",
    "kpi.visits_per_case": "Vorsprachen je Vorgang",
    "kpi.visits_per_case.explain": "Wie oft Antragstellende im Mittel persönlich vorsprechen müssen.",
    "kpi.rework_share": "Anteil mit Wiederholungen",
    "kpi.rework_share.explain": "Anteil der Vorgänge, in denen ein Schritt mehrfach vorkommt (z. B. Nachforderungen).",
    "kpi.document_request_share": "Anteil mit Nachforderung",
    "kpi.document_request_share.explain": "Anteil der Vorgänge, in denen Unterlagen nachgefordert wurden.",
    "kpi.fiction_share": "Anteil mit Fiktionsbescheinigung",
    "kpi.fiction_share.explain": "Anteil der Vorgänge, in denen eine Fiktionsbescheinigung nötig war.",
    "kpi.no_show_share": "Anteil nicht wahrgenommener Termine",
    "kpi.no_show_share.explain": "Anteil der Vorgänge mit mindestens einem nicht wahrgenommenen Termin.",
    "kpi.appointment_wait_median_days": "Wartezeit auf Termin (Median)",
    "kpi.appointment_wait_median_days.explain": "Kalendertage von der Terminanfrage bis zur Terminvergabe.",
    "kpi.status_inquiries_per_case": "Sachstandsanfragen je Vorgang",
    "kpi.status_inquiries_per_case.explain": "Wie oft im Mittel nach dem Stand gefragt wird, ein Zeichen für Wartezeit.",
    "kpi.cases_closed": "Abgeschlossene Vorgänge",
    "kpi.cases_closed.explain": "Vorgänge, die im Zeitraum abgeschlossen wurden; nur sie gehen in die Durchlaufzeiten ein.",
    "kpi.cases_open": "Offene Vorgänge",
    "kpi.cases_open.explain": "Vorgänge ohne Abschluss am Ende des Zeitraums.",
    "kpi.open_over_90_days": "Offen seit über 90 Tagen",
    "kpi.open_over_90_days.explain": "Offene Vorgänge, die älter als 90 Kalendertage sind (Risiko einer Untätigkeitsklage).",
    "kpi.variants_count": "Anzahl Varianten",
    "kpi.variants_count.explain": "Wie viele verschiedene Abläufe vorkommen; viele Varianten deuten auf uneinheitliche Bearbeitung.",
    "kpi.mean_events_per_case": "Schritte je Vorgang",
    "kpi.mean_events_per_case.explain": "Mittlere Zahl der erfassten Bearbeitungsschritte je Vorgang.",
    "kpi.generic.explain": "Kennzahl aus der Analyse.",
    # --- finding kinds -------------------------------------------------------------------------
    "kind.waiting": "Wartezeit",
    "kind.backlog": "Rückstau",
    "kind.rework": "Wiederholungen",
    "kind.resource": "Teamauslastung",
    "kind.deadline": "Fristrisiko",
    "kind.data_quality": "Datenqualität",
    "kind.handover": "Übergaben",
    "kind.no_show": "Terminausfälle",
    "kind.batching": "Sammelbearbeitung",
    "kind.drift": "Veränderte Fallzahlen",
    "kind.none": "kein Engpass",
    # --- patterns (DOMAIN §7.4) ----------------------------------------------------------------
    "pattern.appointment_backlog": "Terminstau",
    "pattern.team_shortage": "Personalengpass in einem Team",
    "pattern.document_loops": "Nachforderungsschleifen",
    "pattern.ba_wait": "Warten auf Zustimmung der BA",
    "pattern.security_outage": "Verzögerte Sicherheitsabfrage",
    "pattern.eat_bottleneck": "Engpass bei eAT-Herstellung oder -Aushändigung",
    "pattern.seasonal_surge": "Saisonale Spitze",
    "pattern.priority_starvation": "Verfahrensarten bleiben liegen",
    "pattern.inquiry_flood": "Viele Sachstandsanfragen",
    "pattern.fiction_churn": "Wiederholte Fiktionsbescheinigungen",
    "pattern.handoff_pingpong": "Hin- und Herreichen zwischen Teams",
    "pattern.visa_consent_queue": "Rückstau bei Visumzustimmungen",
    "pattern.policy_shock": "Sprung in den Fallzahlen nach Rechtsänderung",
    "pattern.weekly_batching": "Entscheidungen gebündelt an festen Wochentagen",
    "pattern.booking_abuse": "Blockierte oder verfallene Termine",
    "pattern.control": "Gute Praxis",
    # --- measures: short German recommendations for the workshop (DOMAIN §4.1, §6) --------------
    "measure.appointment_steering": (
        "Terminvergabe steuern: Termine binnen 14 Tagen als Ziel, feste Kontingente je Verfahrensart "
        "und Notfalltermine für ablaufende Titel (Beispiel Dormagen, Gießen)."
    ),
    "measure.servicepoint_triage": (
        "Servicepoint mit Triage einrichten: einfache Anliegen sofort erledigen, rund ein Drittel der "
        "Anliegen lässt sich dort abschließen (Beispiel Kreis Mayen-Koblenz)."
    ),
    "measure.document_checklist": (
        "Vollständigkeit vorab sichern: Checklisten je Verfahrensart, Vorprüfung der Unterlagen vor dem "
        "Termin und Nachforderung in einem Schritt statt in mehreren Runden."
    ),
    "measure.apply_deemed_consent": (
        "Zustimmungsfiktion nutzen: nach 2 Wochen ohne Antwort der BA gilt die Zustimmung als erteilt "
        "(§ 36 Abs. 2 BeschV); Frist überwachen und nicht auf eine ausdrückliche Antwort warten."
    ),
    "measure.card_by_post": (
        "eAT-Aushändigung vereinfachen: Karte per Post zustellen oder ohne Termin am Servicepoint ausgeben "
        "(Beispiel Stuttgart, Bremen, Dormagen)."
    ),
    "measure.team_rebalancing": (
        "Arbeit zwischen Teams ausgleichen: Zuschnitt der Teams prüfen, Vertretung regeln und "
        "Einarbeitung neuer Kolleginnen und Kollegen entlasten (Personalbemessung nach KGSt)."
    ),
    "measure.escalate_external": (
        "Mit der externen Stelle klären: Laufzeiten regelmäßig nachhalten, Sammelnachfragen stellen und "
        "über die Fachaufsicht eskalieren; Wartezeit mit Fiktionsbescheinigung überbrücken."
    ),
    "measure.status_portal": (
        "Sachstand selbst abrufbar machen: Online-Statusauskunft oder automatische Zwischennachricht, "
        "damit Sachstandsanfragen nicht die Sachbearbeitung binden."
    ),
    "measure.longer_fiction_validity": (
        "Fiktionsbescheinigungen gleich für 6 statt 3 Monate ausstellen und Verlängerungen per Post "
        "ermöglichen, um Folgevorsprachen zu vermeiden."
    ),
    "measure.digital_file": (
        "Akte digital führen und Übergaben bündeln: E-Akte statt Papierakte, klare Zuständigkeit, "
        "weniger Weiterleitungen zwischen Teams."
    ),
    "measure.priority_rules": (
        "Bearbeitungsreihenfolge festlegen: Vorgänge nach Alter und Frist priorisieren, damit "
        "Niederlassungserlaubnis, Familiennachzug und Visumzustimmungen nicht liegen bleiben."
    ),
    "measure.slot_release_rules": (
        "Terminfreigabe absichern: Termine gestaffelt freigeben, Mehrfachbuchungen verhindern und "
        "Bestätigung verlangen, damit Termine nicht blockiert verfallen."
    ),
    "measure.daily_processing": (
        "Arbeit täglich statt gebündelt erledigen: Entscheidungen und Ausgaben nicht auf einen festen "
        "Wochentag sammeln, sondern laufend abarbeiten."
    ),
    "measure.unknown": "Maßnahme „{key}“ im Workshop besprechen.",
    # short names of the measures, for the findings table (the full sentence is in the summary)
    "measure_short.appointment_steering": "Terminvergabe steuern",
    "measure_short.servicepoint_triage": "Servicepoint mit Triage",
    "measure_short.document_checklist": "Checklisten und Vorprüfung",
    "measure_short.apply_deemed_consent": "Zustimmungsfiktion der BA nutzen",
    "measure_short.card_by_post": "eAT per Post oder ohne Termin ausgeben",
    "measure_short.team_rebalancing": "Arbeit zwischen Teams ausgleichen",
    "measure_short.escalate_external": "Mit externer Stelle klären und eskalieren",
    "measure_short.status_portal": "Sachstand online abrufbar machen",
    "measure_short.longer_fiction_validity": "Fiktionsbescheinigung länger gültig",
    "measure_short.digital_file": "E-Akte, weniger Weiterleitungen",
    "measure_short.priority_rules": "Bearbeitungsreihenfolge festlegen",
    "measure_short.slot_release_rules": "Terminfreigabe absichern",
    "measure_short.daily_processing": "Täglich statt gebündelt bearbeiten",
    # --- one German sentence per finding (text_de), by kind -------------------------------------
    "text.waiting": (
        "Zwischen „{from_activity}“ und „{to_activity}“ vergehen im Median {value}{norm_clause}; "
        "betroffen sind {cases} Vorgänge."
    ),
    "text.waiting_activity": "Bei „{activity}“ vergehen im Median {value}{norm_clause}; betroffen sind {cases} Vorgänge.",
    "text.backlog": "Bei {where} staut sich die Arbeit ({value}); betroffen sind {cases} Vorgänge.",
    "text.rework": "{where} wird wiederholt ({value}); betroffen sind {cases} Vorgänge.",
    "text.resource": "{where} ist auffällig belastet ({value}); betroffen sind {cases} Vorgänge.",
    "text.resource_days": (
        "Vorgänge von {where} dauern im Mittel {value}{norm_clause}; betroffen sind {cases} Vorgänge."
    ),
    "text.deadline": "Bei {where} sind gesetzliche Fristen gefährdet ({value}); betroffen sind {cases} Vorgänge.",
    "text.data_quality": "Die Daten zu {where} sind lückenhaft ({value}); das schränkt die Aussagen ein.",
    "text.handover": "Bei {where} wird der Vorgang häufig weitergereicht ({value}); betroffen sind {cases} Vorgänge.",
    "text.no_show": "Bei {where} verfallen viele Termine ({value}); betroffen sind {cases} Vorgänge.",
    "text.batching": "{where} wird gebündelt an festen Tagen erledigt ({value}); betroffen sind {cases} Vorgänge.",
    "text.drift": "Bei {where} ändern sich die Fallzahlen sprunghaft ({value}); betroffen sind {cases} Vorgänge.",
    "text.generic": "Auffälligkeit „{kind}“ bei {where} ({value}); betroffen sind {cases} Vorgänge.",
    "text.norm_clause": ", die Norm beträgt {norm} ({basis})",
    "text.where_office": "der gesamten Dienststelle",
    "text.where_pair": "„{from_activity}“ → „{to_activity}“",
    "text.where_activity": "„{activity}“",
    "text.value_suppressed": "Wert nicht ausgewiesen",
    "text.in_case_type": " (Verfahrensart {case_type})",
    "text.where_case_type": "der Verfahrensart „{case_type}“",
    "text.where_team": "Team {team}",
    "text.cases_suppressed": "weniger als {k}",
    "norm_basis.legal": "gesetzliche Frist",
    "norm_basis.usual": "übliche Dauer",
    "norm_basis.network": "Netzwerk-Median",
    "norm_basis.office": "Wert der übrigen Dienststelle",
    "norm_basis.unknown": "Vergleichswert",
    "compare.norm": "Norm: {norm} ({basis})",
    "compare.network": "Netzwerk-Median: {value}",
    "compare.none": "–",
    "evidence.impact": "{impact} zusätzliche Vorgangstage pro Jahr",
    "evidence.cases": "{cases} Vorgänge betroffen",
    # --- evidence keys commonly set by the analysis (label for key: value lines) ----------------
    "evidence_key.network_median": "Netzwerk-Median",
    "evidence_key.share_over_norm": "Anteil über der Norm",
    "evidence_key.share_over_90_days": "Anteil über 90 Tage",
    "evidence_key.cases_over_90_days": "Vorgänge über 90 Tage",
    "evidence_key.staff": "Personen im Team",
    "evidence_key.norm_source": "Quelle der Norm",
    "evidence_key.share_on_weekday": "Anteil am Bündelungstag",
    "evidence_key.share_offices_over_norm": "Anteil der Dienststellen über der Norm",
    "evidence_key.offices_with_same_drift": "Dienststellen mit gleicher Veränderung",
    "evidence_key.p90_days": "P90",
    "evidence_key.median_days": "Median",
    "evidence_key.share": "Anteil",
    "evidence_key.offices_affected": "betroffene Dienststellen",
    "evidence_key.window": "Zeitraum",
    # --- units ---------------------------------------------------------------------------------
    "unit.days": "Kalendertage",
    "unit.share": "Anteil",
    "unit.ratio": "Verhältnis",
    "unit.per_case": "je Vorgang",
    "unit.cases": "Vorgänge",
    "unit.count": "Anzahl",
    "unit.s": "Sekunden",
    "unit.case_days": "Vorgangstage",
    # --- process map ---------------------------------------------------------------------------
    "map.start": "Beginn",
    "map.end": "Ende",
    "map.caption": "Prozesslandkarte {office}",
    "model.caption": "Prozessmodell {office} (BPMN)",
    # --- comparison --------------------------------------------------------------------------
    "caption.with_direction": "{name} – {direction}",
    # --- errors ------------------------------------------------------------------------------
    "error.no_chromium": "Chromium wurde nicht gefunden; die PDF-Datei kann nicht erzeugt werden. Bitte Chromium installieren oder PROCMINE_CHROMIUM setzen.",
    "error.no_pdf": "Chromium hat keine PDF-Datei geschrieben: {path}",
    # --- progress messages -------------------------------------------------------------------
    "progress.office": "Bericht {office} …",
    "progress.comparison": "Netzwerkvergleich und results.json …",
    # --- page footer ---------------------------------------------------------------------------
    "footer": (
        "Erstellt mit procmine. Fallkennungen und Personalkennungen sind pseudonymisiert; Aussagen zu "
        "Personal nur auf Teamebene. Werte aus weniger als {k} Vorgängen sind unterdrückt."
    ),
}


def label(key: str, /, **values: object) -> str:
    """The German text for ``key``, with ``{placeholders}`` filled; KeyError names the missing key."""
    try:
        text = LABELS[key]
    except KeyError:
        raise KeyError(f"no German label for key {key!r} in procmine.report.labels_de") from None
    return text.format(**values) if values else text


def has_label(key: str) -> bool:
    """True when the catalogue knows ``key``."""
    return key in LABELS


def label_or(key: str, fallback: str, /, **values: object) -> str:
    """The German text for ``key``, or ``fallback`` when the catalogue does not know it."""
    return label(key, **values) if key in LABELS else fallback


MEASURE_KEYS = (
    "appointment_steering",
    "servicepoint_triage",
    "document_checklist",
    "apply_deemed_consent",
    "card_by_post",
    "team_rebalancing",
    "escalate_external",
    "status_portal",
    "longer_fiction_validity",
    "digital_file",
    "priority_rules",
    "slot_release_rules",
    "daily_processing",
)
