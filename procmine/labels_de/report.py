"""THE catalogue of German report text: every heading, label and sentence template, looked up by key.

Code and templates never hold German prose; they ask ``label(key, **values)``. Sentence templates use
``str.format`` placeholders, filled with values already formatted by ``format_de``.
"""

from __future__ import annotations

# words the analysis writes into its results: the legal norm a finding cites (``norm_source`` of its
# evidence, the norm of a waiting time) and the group of cases and staff without a team
NORM_VWGO_75 = "§ 75 VwGO (Untätigkeitsklage nach 3 Monaten)"
NORM_VWGO_75_USUAL = "§ 75 VwGO (Untätigkeitsklage nach 3 Monaten); üblich bis 3 Monate"
NO_TEAM = "ohne Team"
# the source of a wait's norm where no law or usage sets one
NORM_NETWORK = "typischer Wert der Dienststellen, die diese Wartezeit erfassen"
NORM_OWN = "üblicher Wert dieser Dienststelle (zu wenige Dienststellen erfassen diese Wartezeit)"

LABELS: dict[str, str] = {
    # the legal norms a finding names as its source (``norm_source`` of its evidence)
    # --- page titles and sections -------------------------------------------------------------
    "title.office": "Prozessanalyse {office}",
    "title.comparison": "Netzwerkvergleich der Dienststellen",
    "meta.office": "Dienststelle",
    "meta.period": "Zeitraum der Daten",
    "meta.period_value": "{start} bis {end}",
    "meta.generated": "Erstellt am",
    "meta.offices": "Verglichene Dienststellen",
    "meta.log_kind_interval": "Ereignisprotokoll mit Beginn und Ende je Tätigkeit",
    "meta.log_kind_completion": "Ereignisprotokoll nur mit Abschlusszeitpunkten (keine Bearbeitungsdauern)",
    "meta.log_kind": "Art der Daten",
    "meta.holidays": "Feiertage",
    "meta.holidays_default": "{land} (Voreinstellung: kein Land angegeben)",
    "meta.back_to_comparison": "Zum Netzwerkvergleich",
    "comparison.alone": (
        "Ausgewertet wurde nur eine Dienststelle ({office}). Ein Vergleich braucht mindestens zwei Dienststellen; "
        "alle Zahlen stehen im Bericht der Dienststelle."
    ),
    "nav.contents": "Inhalt",
    "section.summary": "Auf einen Blick",
    "section.process_map": "Prozesslandkarte",
    "section.process_model": "Anhang: Prozessmodell",
    "section.bottlenecks": "Engpässe",
    "section.variants": "Varianten",
    "section.cycle_times": "Durchlaufzeiten",
    "section.data_quality": "Datenqualität",
    "section.kpi_table": "Kennzahlen im Vergleich",
    "section.kpi_by_case_type": "Kennzahlen je Verfahrensart",
    "section.top_findings": "Wichtigster Engpass je Dienststelle",
    "section.not_evaluated": "Nicht ausgewertet",
    "intro.not_evaluated": "Diese Exporte konnten nicht ausgewertet werden und fehlen im Vergleich. Die genaue Meldung (Datei, Zeile, Spalte, was zu tun ist) steht in der Ausgabe des Laufs und in results.json unter „failed“.",
    "col.files": "Datei(en)",
    "failed.no_rows_kept": "keine Zeile übernommen (alle in Quarantäne)",
    "failed.internal_error": "interner Fehler beim Einlesen",
    "failed.unrecognised_columns": "Spalten nicht erkannt (Profil anlegen)",
    "failed.bad_profile": "Profil unvollständig oder ungültig",
    "failed.office_in_several_shapes": "eine Dienststelle in Exporten unterschiedlicher Form",
    "failed.other": "Export nicht lesbar",
    "section.key_figures": "Kennzahlen",
    "section.top3": "Die größten Verluste",
    # --- intro sentences -----------------------------------------------------------------------
    "intro.summary": "Dieser Bericht wertet {cases} Vorgänge mit {events} Bearbeitungsschritten aus ({period}). Zeiten sind Kalenderzeit mit Wochenenden und Feiertagen, außer wo ausdrücklich Arbeitszeit genannt ist.",
    "intro.process_map": "Die Prozesslandkarte zeigt, welche Schritte wie oft aufeinander folgen. Der Hauptweg, den die meisten Vorgänge nehmen, ist dick und gerade gezeichnet. Kästen sind Schritte mit ihrer Häufigkeit, Pfeile Übergänge mit Anzahl und mittlerer Liegezeit; die Farbe eines Pfeils zeigt, wie lange Vorgänge dort liegen. Die einfache Fassung zeigt {shown} von {total} Schritten und deckt {coverage} aller Übergänge ab; ausführlichere Fassungen stehen darunter zum Aufklappen.",
    "intro.process_model": "Das Prozessmodell fasst die häufigen Abläufe als ein Bild zusammen: Kästen sind Schritte, eine Raute mit × ist eine Verzweigung (es geht auf einem von mehreren Wegen weiter), eine Raute mit + sind Schritte, die nebeneinander laufen können. Es ist aus den Daten abgeleitet und dient Fachleuten zum Nachprüfen; für den Workshop genügt die Prozesslandkarte.",
    "intro.bottlenecks": "Die Engpässe sind nach ihrer Wirkung geordnet: zusätzliche Vorgangstage pro Jahr über dem Vergleichswert. Jeder der wichtigsten hat oben eine eigene Seite; als „extern, nicht selbst steuerbar“ markierte liegen bei anderen Stellen.",
    "intro.variants": "Eine Variante ist eine Abfolge von Schritten, die mehrere Vorgänge genau so durchlaufen haben. Gezeigt werden die {n} häufigsten, abgeschlossene und noch offene Vorgänge getrennt, soweit die Schritte das erkennen lassen; der Anteil bezieht sich auf alle Vorgänge.",
    "intro.cycle_times": "Die Durchlaufzeit reicht vom ersten bis zum letzten erfassten Schritt eines abgeschlossenen Vorgangs, in Kalendertagen. „Median“ heißt: die Hälfte der Vorgänge ist schneller. „9 von 10“ heißt: so lange dauert es, bis 9 von 10 Vorgängen abgeschlossen sind. Der Anteil über 90 Tage zählt auch offene Vorgänge mit, die schon länger als 90 Tage laufen.",
    "intro.data_quality": "Zeilen, die nicht sicher ausgewertet werden konnten, wurden aussortiert und in einer eigenen Datei abgelegt. Sie fehlen in allen Zahlen dieses Berichts.",
    "intro.comparison": (
        "Die Dienststellen werden mit denselben Kennzahlen verglichen. Blau markiert den besten, orange den "
        "schwächsten Wert je Kennzahl. Alle Zeiten sind Kalendertage."
    ),
    "intro.comparison_by_case_type": (
        "Je Verfahrensart werden nur Arten verglichen, von denen jede Dienststelle mindestens {k} Vorgänge hat."
    ),
    "intro.suppression": "Werte aus weniger als {k} Vorgängen werden aus Datenschutzgründen nicht gezeigt („< {k}“).",
    "note.no_findings": "Es wurden keine Engpässe über der Norm gefunden.",
    "note.no_model": "Für diese Daten liegt kein Prozessmodell vor.",
    "note.model_activities": "Das Modell zeigt die {k} häufigsten von {total} Schritten der häufigen Abläufe; die selteneren stehen in der Prozesslandkarte.",
    "note.no_map": "Für diese Daten liegt keine Prozesslandkarte vor.",
    "note.no_case_types": "Keine Verfahrensart ist in allen Dienststellen häufig genug für einen fairen Vergleich.",
    "note.no_quality": "Für diese Dienststelle liegt kein Datenqualitätsbericht vor.",
    "note.no_quarantine": "Es wurden keine Zeilen aussortiert.",
    "note.best": "bester Wert",
    "note.worst": "schwächster Wert",
    "note.lower_better": "niedriger ist besser",
    "note.not_measurable": "nicht messbar",
    "not_measurable.no_repeats": "Exportformat ohne Wiederholungen",
    "not_measurable.no_start": "Export ohne Beginnzeiten",
    "not_measurable.explain": (
        "„nicht messbar“: Das Exportformat der betreffenden Dienststelle kann die Kennzahl nicht abbilden, etwa ein "
        "Meilenstein-Export mit einer Datumsspalte je Schritt (ein Schritt kann darin nie zweimal vorkommen) oder "
        "ein Export nur mit Abschlusszeitpunkten (keine Bearbeitungsdauer). Solche Werte werden weder als bester "
        "noch als schwächster Wert markiert und gehen nicht in Netzwerk-Mediane ein."
    ),
    "activity.with_export": "{label} ({export})",
    # which names the report gives the steps (Methodik appendix; report.cells.naming_note)
    "naming.own": "Die Schritte tragen in diesem Bericht die Namen aus dem Export der Dienststelle.",
    "naming.gloss": "Wo ein Name eine Abkürzung nutzt oder ganz anders lautet als im Katalog der Ausländerbehörden, steht in Tabellen der Katalogname in Klammern dahinter.",
    "naming.replaced": "Nur wo der Export einen Schritt mit einem Code oder englisch benennt ({n} Schritte), steht der deutsche Name aus dem Katalog der Ausländerbehörden (Tabelle „Namen der Schritte“).",
    "naming.kept": "{n} Schritte kennt der Katalog nicht; sie stehen so da, wie der Export sie nennt, auch wo das ein Code oder englisch ist.",
    "naming.kept_all": "Die Namen sind nicht übersetzt, auch wo der Export englische Namen oder Codes nutzt ({n} Schritte).",
    "col.export_name": "Name im Export",
    "col.report_name": "Name im Bericht",
    "caption.naming": "Namen der Schritte",
    "note.higher_better": "höher ist besser",
    "note.external": "extern, nicht selbst steuerbar",
    "note.shared": "in den meisten Dienststellen ähnlich",
    "note.no_top_finding": "kein Engpass über der Norm",
    "note.no_high_impact": "Kein Engpass mit hoher Wirkung: keiner der Befunde liegt sicher über seiner Norm.",
    "note.no_high_impact_strengths": (
        "Kein Engpass mit hoher Wirkung: keiner der Befunde liegt sicher über seiner Norm. "
        "Im Netzwerk besonders gut: {strengths}."
    ),
    "strength.median_elapsed_days": "Laufzeit im Median {value} (Netzwerk-Median {network})",
    "strength.share_over_90_days": "Anteil der Vorgänge über drei Monate {value} (Netzwerk-Median {network})",
    "strength.appointment_to_visit_days": "von der Terminanfrage bis zur Vorsprache im Median {value} (Netzwerk-Median {network})",
    "strength.status_inquiries_per_case": "{value} Sachstandsanfragen je Vorgang (Netzwerk-Median {network})",
    "strength.document_requests_per_case": "{value} Nachforderungen je Vorgang (Netzwerk-Median {network})",
    "text.caused_by": "Folge der Wartezeit bei {where}",
    "evidence.staff_hours": "Personalaufwand (Schätzung): {hours} Stunden im Jahr, {fte} Vollzeitstellen",
    "evidence.carried_by": "bei {share} der Vorgänge über {days}, bei den übrigen wie üblich",
    "evidence.few_cases": "beruht auf wenigen Vorgängen: mit Vorsicht lesen",
    "note.not_high_impact": "geringe Wirkung: weniger als ein zusätzlicher Tag je Vorgang und Jahr",
    "note.more_findings": "Alle {n} Engpässe stehen im Abschnitt „Engpässe“.",
    # --- table columns -------------------------------------------------------------------------
    "col.rank": "Rang",
    "col.kind": "Art",
    "col.where": "Wo",
    "col.extent": "Ausmaß",
    "col.comparison": "Vergleich mit Norm/Netzwerk",
    "col.network_median": "Netzwerk-Median",
    "note.network_median": (
        "Netzwerk-Median: der mittlere Wert der Dienststellen, die die Kennzahl messen. Dieselbe Zahl steht "
        "in jedem Dienststellenbericht."
    ),
    "col.variant": "Abfolge der Tätigkeiten",
    "col.cases": "Vorgänge",
    "col.share": "Anteil",
    "col.case_type": "Verfahrensart",
    "col.median": "Median",
    "col.p90": "9 von 10 fertig nach",
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
    "quality.rows_quarantined": "Aussortierte Zeilen",
    "quality.events": "Ausgewertete Ereignisse",
    "quality.start_rows_merged": "Beginn-Zeilen mit ihrem Ende zu einem Ereignis zusammengeführt",
    "quality.by_reason": "Aussortiert nach Grund",
    "quality.flags": "Übernommen, aber markiert",
    "quality.notes": "Hinweise zum Einlesen",
    "col.note": "Hinweis",
    "col.count": "Anzahl",
    "qnote.dst_ambiguous_resolved": "Zeitangaben in der doppelten Stunde der Herbst-Zeitumstellung, als Sommerzeit gelesen",
    "qnote.dst_end_read_as_standard_time": "Enden in der doppelten Herbst-Stunde, die als Sommerzeit vor ihrem Beginn lägen: als zweiter Durchlauf (Winterzeit) gelesen",
    "qnote.dst_nonexistent_shifted": "Zeitangaben in der ausgelassenen Stunde der Frühjahrs-Zeitumstellung, um eine Stunde nach vorn verschoben",
    "qnote.duplicates_across_files": "Zeilen, die in mehreren Exportdateien stehen (Überschneidung; einmal übernommen)",
    "qnote.blank_rows_skipped": "leere Zeilen übersprungen",
    "qnote.preamble_lines_skipped": "Titelzeilen vor der Kopfzeile übersprungen",
    "note.not_pseudonymised": "Achtung: Vorgangs- und Mitarbeiterkennungen sind in diesem Lauf NICHT pseudonymisiert "
    "(ausdrücklich mit --no-pseudonymise gestartet); die normalisierten Protokolle enthalten sie im Klartext.",
    "note.dropped_columns": "{n} Spalten des Exports wurden nicht übernommen (nur zugeordnete Spalten werden "
    "gespeichert, zum Schutz der Daten; welche es sind, steht in der Qualitätsdatei neben dem normalisierten Protokoll).",
    "qnote.lines_in_values": "Zeilenumbrüche innerhalb von Werten (mehrzeilige Felder)",
    "qnote.rows_in_other_sheets": "Zeilen anderer Tabellenblätter (andere Kopfzeile, nicht eingelesen)",
    "qnote.mixed_encoding": "Datei mit gemischter Zeichenkodierung (UTF-8 und Windows-1252), beide gelesen",
    "qnote.undecodable_bytes_replaced": "nicht darstellbare Zeichen (Steuerbytes) durch � ersetzt",
    "qnote.activity_spellings_merged": "Tätigkeiten, die sich nur in Groß-/Kleinschreibung oder Leerzeichen unterschieden, auf die häufigste Schreibweise vereinheitlicht (Zeilen)",
    "qnote.sheets_read_together": "Tabellenblätter mit gleicher Kopfzeile (z. B. Monatsblätter) als ein Export gelesen",
    "qnote.lifecycle_transitions_as_steps": "Zeilen mit weiteren XES-Lebenszyklus-Übergängen (z. B. schedule, suspend, resume), als eigene Schritte „Tätigkeit (Übergang)“ übernommen",
    "qnote.midnight_read_as_day_precision": "Zeitangaben einer Spalte, die durchweg 00:00 Uhr zeigt: als Datum ohne Uhrzeit gelesen (keine Sammelerfassung)",
    "qnote.milestone_start_without_end": "Schritte mit Beginn, aber ohne Ende (z. B. noch am Schalter beim Export): nicht als Schritt gezählt",
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
    "kpi.cycle_time_p90_days": "Durchlaufzeit (9 von 10 Vorgängen)",
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
    "pattern.weekly_batching": "Arbeitsschritt gebündelt an festen Wochentagen",
    "pattern.booking_abuse": "Blockierte oder verfallene Termine",
    "pattern.control": "Gute Praxis",
    "pattern.waiting": "Wartezeit zwischen zwei Schritten",
    "pattern.rework": "Wiederholte Arbeitsschritte",
    "pattern.repeated_checks": "Prüfungen werden mehrfach durchgeführt",
    "pattern.stuck_minority": "Ein Teil der Vorgänge bleibt liegen",
    "pattern.single_point": "Schritt hängt an sehr wenigen Personen",
    "pattern.growing_backlog": "Wachsender Rückstau",
    "pattern.deadline_share": "Viele Vorgänge über drei Monate",
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
    "measure.priority_rules": "Bearbeitungsreihenfolge festlegen: Vorgänge nach Alter und Frist priorisieren, damit ältere und lange liegende Vorgänge nicht hinter neuen zurückbleiben.",
    "measure.slot_release_rules": (
        "Terminfreigabe absichern: Termine gestaffelt freigeben, Mehrfachbuchungen verhindern und "
        "Bestätigung verlangen, damit Termine nicht blockiert verfallen."
    ),
    "measure.daily_processing": (
        "Arbeit täglich statt gebündelt erledigen: Entscheidungen und Ausgaben nicht auf einen festen "
        "Wochentag sammeln, sondern laufend abarbeiten."
    ),
    "measure.stuck_case_review": (
        "Liegende Akten sichtbar machen: Vorgänge ohne Bearbeitungsschritt seit mehreren Wochen "
        "wöchentlich auflisten und einer zuständigen Stelle im Team zuweisen."
    ),
    "measure.deputy_rule": (
        "Den Schritt auf mehr Schultern verteilen: Vertretung festlegen, eine zweite Zeichnungsbefugnis "
        "einrichten und Routinefälle an das Team delegieren."
    ),
    "measure.backlog_reduction": (
        "Den wachsenden Rückstand gezielt abbauen: befristet zusätzliche Termine oder Bearbeitungszeit "
        "einplanen, bis der Zulauf wieder abgearbeitet wird."
    ),
    "measure.deadline_monitoring": (
        "Fristen im Blick behalten: Vorgänge ab zwei Monaten Laufzeit markieren und vor Ablauf von "
        "drei Monaten vorrangig bearbeiten, um Untätigkeitsklagen zu vermeiden."
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
    "measure_short.stuck_case_review": "Liegende Akten regelmäßig sichten",
    "measure_short.deputy_rule": "Vertretung und Zweitzeichnung regeln",
    "measure_short.backlog_reduction": "Rückstand gezielt abbauen",
    "measure_short.deadline_monitoring": "Fristen überwachen",
    # --- one German sentence per finding (text_de), by kind -------------------------------------
    "text.waiting": (
        "Zwischen „{from_activity}“ und „{to_activity}“ warten {cases} Vorgänge länger als die Norm, "
        "im Mittel {value}{norm_clause}."
    ),
    "text.waiting_activity": "Bei „{activity}“ vergehen im Median {value}{norm_clause}; betroffen sind {cases} Vorgänge.",
    "text.backlog": "Bei {where} staut sich die Arbeit ({value}); betroffen sind {cases} Vorgänge.",
    # a pattern's own sentence where its figure is not the kind's (seasonal_surge: peak month over the monthly mean)
    "text.fiction_churn": (
        "Fiktionsbescheinigungen werden oft verlängert, weil die Entscheidung auf sich warten lässt: {where} im Mittel "
        "{value}{norm_clause}; betroffen sind {cases} Vorgänge."
    ),
    "text.policy_shock": (
        "Bei {where} gehen seit einem Sprung {value} so viele Anträge ein wie vorher{norm_clause}; "
        "betroffen sind {cases} Vorgänge."
    ),
    "text.seasonal_surge": (
        "Bei {where} gehen im stärksten Monat {value} so viele Anträge ein wie im Monatsmittel{norm_clause}; "
        "die {cases} Vorgänge aus den Spitzenmonaten dauern länger als die übrigen."
    ),
    "text.rework": "{where} kommt mehrfach vor: im Mittel {value}{norm_clause}; betroffen sind {cases} Vorgänge.",
    "text.resource": "{where} ist auffällig belastet ({value}); betroffen sind {cases} Vorgänge.",
    "text.resource_days": (
        "Bei {where} beträgt die mittlere Dauer {value}{norm_clause}; betroffen sind {cases} Vorgänge."
    ),
    # a team finding says which of its two measures it shows (evidence "team_measure", analyse/detectors/teams.py)
    "text.resource_days.case_elapsed": (
        "Vorgänge von {where} dauern im Mittel {value}{norm_clause}; betroffen sind {cases} Vorgänge."
    ),
    "text.resource_days.queue_wait_per_step": (
        "Bevor {where} einen Vorgang bearbeitet, wartet er im Mittel {value}{norm_clause}; betroffen sind {cases} Vorgänge."
    ),
    "text.deadline": "Bei {where} sind gesetzliche Fristen gefährdet ({value}); betroffen sind {cases} Vorgänge.",
    # a deadline finding's figure: the share of cases past three months (open, or closed late)
    "text.deadline_share": (
        "{value} der Vorgänge{of} dauern länger als drei Monate oder sind schon so lange offen{norm_clause}; "
        "betroffen sind {cases} Vorgänge."
    ),
    "text.of_case_type": " der Verfahrensart „{case_type}“",
    "text.deadline_lost_at": "Die meiste Zeit verlieren sie bei {where}.",
    "text.deadline_net_of_external": (
        "Gezählt ohne die Zeit, die andere Stellen über ihre übliche Dauer hinaus brauchten; mit ihr sind es {gross}."
    ),
    "text.data_quality": "Die Daten zu {where} sind lückenhaft ({value}); das schränkt die Aussagen ein.",
    "text.handover": "Bei {where} wird der Vorgang häufig weitergereicht: im Mittel {value}{norm_clause}; betroffen sind {cases} Vorgänge.",
    "text.no_show": "Bei {where} verfallen viele Termine: im Mittel {value}{norm_clause}; betroffen sind {cases} Vorgänge.",
    "text.batching": "{where} wird gebündelt an festen Tagen erledigt ({value}); betroffen sind {cases} Vorgänge.",
    "text.drift": "Bei {where} ändern sich die Fallzahlen sprunghaft ({value}); betroffen sind {cases} Vorgänge.",
    "text.generic": "Auffälligkeit „{kind}“ bei {where} ({value}); betroffen sind {cases} Vorgänge.",
    "text.norm_clause": ", die Norm beträgt {norm} ({basis})",
    "text.where_office": "der gesamten Dienststelle",
    "text.where_pair": "„{from_activity}“ → „{to_activity}“",
    "text.where_activity": "„{activity}“",
    "text.value_suppressed": "Wert nicht ausgewiesen",
    "chart.gaps_week": "Lücken in den Linien: Wochen mit 1 bis {high} Vorgängen werden zum Schutz der Daten nicht gezeigt.",
    "text.in_case_type": " (Verfahrensart {case_type})",
    "case_type.none": "ohne Angabe der Verfahrensart",
    "text.where_case_type": "der Verfahrensart „{case_type}“",
    "text.where_team": "Team {team}",
    "text.cases_suppressed": "weniger als {k}",
    "norm_basis.legal": "gesetzliche Frist",
    "norm_basis.usual": "übliche Dauer",
    "norm_basis.network": "typischer Wert im Netzwerk",
    "norm_basis.office": "Vergleichswert aus dieser Dienststelle",
    "norm_basis.team_shortage.office": "Wert der übrigen Teams dieser Dienststelle",
    "norm_basis.policy_shock.office": "Wert vor dem Sprung",
    "norm_basis.own": "üblicher Wert dieser Dienststelle",
    "norm_basis.unknown": "Vergleichswert",
    "compare.norm": "Norm: {norm} ({basis})",
    "compare.network": "Netzwerk-Median: {value}",
    "compare.typical": "typische Dienststelle: {value}",
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
    "evidence_key.p90_days": "9 von 10 Vorgängen nach",
    "evidence_key.median_days": "Median",
    "evidence_key.mean_beyond_norm_days": "mittlere Wartezeit der Vorgänge über der Norm",
    "evidence_key.network_mean_beyond_norm_days": "typische Dienststelle: mittlere Wartezeit der Vorgänge über der Norm",
    "evidence_key.mean_excess_days": "mittlere Überschreitung der Norm je Wartezeit (alle Vorgänge)",
    "evidence_key.waits_over_norm": "Wartezeiten über der Norm",
    "evidence_key.share": "Anteil",
    "evidence_key.offices_affected": "betroffene Dienststellen",
    "evidence_key.window": "Zeitraum",
    # --- units ---------------------------------------------------------------------------------
    "unit.days": "Kalendertage",
    "unit.share": "Anteil",
    "unit.ratio": "Verhältnis",
    "unit.per_case": "je Vorgang",
    "unit.in_days": "in Tagen",
    "unit.cases": "Vorgänge",
    "unit.count": "Anzahl",
    "unit.s": "Sekunden",
    "unit.case_days": "Vorgangstage",
    # --- process map ---------------------------------------------------------------------------
    "map.start": "Beginn",
    "map.end": "Ende",
    "model.caption": "Prozessmodell (häufige Abläufe mit Verzweigungen)",
    "model.col.step": "Schritt",
    "model.col.next": "danach möglich (direkt, laut Modell)",
    "model.screen_only": (
        "Das Prozessmodell ist für eine A4-Seite zu groß und wird deshalb nur in der HTML-Fassung dieses Berichts "
        "gezeigt. Für die Arbeit im Workshop reicht die Prozesslandkarte."
    ),
    # --- comparison --------------------------------------------------------------------------
    "caption.with_direction": "{name} – {direction}",
    # --- issue-5 sections (profile) ------------------------------------------------------------
    "section.waiting": "Warten und Bearbeiten",
    "section.backlog": "Rückstand und Warteschlangen",
    "section.rework_visits": "Nacharbeit und Vorsprachen",
    "section.external": "Externe Wartezeiten",
    "section.deadlines": "Fristen",
    "section.teams": "Teams und Personalbedarf",
    "intro.waiting": "Liegezeit ist die Zeit, in der ein Vorgang nach dem vorigen Schritt auf den nächsten wartet; Bearbeitungszeit die Zeit von Beginn bis Ende eines Schritts. Jede Dauer steht zweimal da: in Kalenderzeit (mit Nächten, Wochenenden und Feiertagen) und in Arbeitszeit (nur Öffnungszeiten {open}–{close} Uhr an Arbeitstagen, ohne die Feiertage in {land}). Gezeigt wird jeweils der Median.",
    "note.waiting_completion_only": (
        "Dieser Export enthält nur Abschlusszeitpunkte. Die Bearbeitungszeit ist in den Daten nicht enthalten; "
        "gezeigt wird der Abstand zwischen zwei Abschlüssen, der Liege- und Bearbeitungszeit zusammen enthält."
    ),
    "note.waiting_mixed": (
        "Nur ein Teil der Schritte hat einen Beginn. Bei Schritten ohne Beginn steht in der Spalte „Liegezeit“ der "
        "Abstand zum vorigen Abschluss (Liege- und Bearbeitungszeit zusammen); ihre Bearbeitungszeit ist nicht bekannt."
    ),
    "caption.activity_times": "Tätigkeiten: Liegezeit davor und Bearbeitungszeit (Median)",
    "caption.transition_times": "Häufigste Übergänge: Liegezeit zwischen zwei Schritten (Median)",
    "col.activity": "Tätigkeit",
    "col.time_basis": "Datengrundlage",
    "col.wait_calendar": "Liegezeit (Kalenderzeit)",
    "col.wait_working": "Liegezeit (Arbeitsstunden)",
    "col.service_calendar": "Bearbeitungszeit (Kalenderzeit)",
    "col.service_working": "Bearbeitungszeit (Arbeitsstunden)",
    "col.gap_calendar": "Abstand zum vorigen Schritt (Kalenderzeit)",
    "col.gap_working": "Abstand zum vorigen Schritt (Arbeitsstunden)",
    "col.from": "Von",
    "col.to": "Nach",
    "col.transitions": "Übergänge",
    "basis.interval": "Beginn und Ende",
    "basis.completion_only": "nur Ende (Abstand)",
    "basis.mixed": "teils mit Beginn",
    "intro.backlog": (
        "Zugänge sind neue Vorgänge je Woche, Erledigungen abgeschlossene Vorgänge je Woche, der Bestand sind die "
        "am Wochenende offenen Vorgänge."
    ),
    "chart.flow_title": "Bestand, Zugänge und Erledigungen je Woche",
    "chart.wip": "Bestand (offene Vorgänge)",
    "chart.arrivals": "Zugänge je Woche",
    "chart.completions": "Erledigungen je Woche",
    "chart.aria": "Grafik: {title}, {first} bis {last}",
    # --- "Wohin die Zeit geht": the elapsed time split into parts (report.timesplit) ---------------
    "section.timesplit": "Wohin die Zeit geht",
    "intro.timesplit": (
        "Woraus die Laufzeit eines Vorgangs besteht: Bearbeitung, Warten auf die Behörde, Warten auf andere Stellen "
        "(z. B. Bundesagentur für Arbeit, Sicherheitsbehörden, Bundesdruckerei) und Warten auf die Antragstellenden. "
        "Gezeigt sind Kalendertage (alle Tage, auch Wochenenden und Feiertage) im Mittel je Vorgang. Noch offene Vorgänge "
        "zählen bis zum Ende der Daten mit („noch offen“). Die Teile ergeben zusammen genau die mittlere Laufzeit."
    ),
    "intro.timesplit_generic": (
        "Woraus die Laufzeit eines Vorgangs besteht: Bearbeitung und Warten zwischen den Schritten. Gezeigt sind "
        "Kalendertage (alle Tage, auch Wochenenden und Feiertage) im Mittel je Vorgang. Noch offene Vorgänge zählen bis "
        "zum Ende der Daten mit („noch offen“). Die Teile ergeben zusammen genau die mittlere Laufzeit."
    ),
    "timesplit.part.work": "Bearbeitung",
    "timesplit.part.wait_office": "Warten auf die Behörde",
    "timesplit.part.gap_office": "Warten und Bearbeitung bei der Behörde",
    "timesplit.part.external": "Warten auf andere Stellen",
    "timesplit.part.applicant": "Warten auf die Antragstellenden",
    "timesplit.part.pending": "noch offen (seit dem letzten Schritt)",
    "timesplit.part_generic.wait_office": "Warten zwischen den Schritten",
    "timesplit.part_generic.gap_office": "Warten und Bearbeitung",
    "timesplit.all": "Alle Vorgänge",
    "timesplit.too_few": "zu wenige Vorgänge",
    "timesplit.total": "Laufzeit zusammen",
    "timesplit.sentence_all": "Über alle Vorgänge dauert ein Vorgang im Mittel {total}, davon {days} {part} ({share}).",
    "timesplit.sentence": "Bei {case_type} dauert ein Vorgang im Mittel {total}, davon {days} {part} ({share}).",
    "timesplit.sentence_rest": (
        "Bei den übrigen {n} Verfahrensarten ist ebenfalls „{part}“ der größte Teil ({low} bis {high} der Laufzeit)."
    ),
    "timesplit.sentence_rest_same": (
        "Bei den übrigen {n} Verfahrensarten ist ebenfalls „{part}“ der größte Teil (je {low} der Laufzeit)."
    ),
    "timesplit.sentence_empty": "Bei {case_type} ist keine Zeit vergangen (jeder Vorgang hat nur einen Zeitpunkt).",
    "timesplit.chart_title": "Wohin die Zeit geht: Kalendertage je Vorgang (Mittelwert), nach Verfahrensart",
    "timesplit.chart_title_single": "Wohin die Zeit geht: Kalendertage je Vorgang (Mittelwert)",
    "timesplit.axis": "Kalendertage je Vorgang (Mittelwert)",
    "timesplit.col_case_type": "Verfahrensart",
    "timesplit.col_working": "Laufzeit in Arbeitstagen",
    "timesplit.table_caption": "Kalendertage je Vorgang (Mittelwert); die letzte Spalte in Arbeitstagen",
    "timesplit.note_gap": (
        "Wo der Export von einem Schritt nur das Ende kennt, lassen sich Warten und Bearbeitung nicht trennen; "
        "diese Zeit steht als „Warten und Bearbeitung“ (schraffiert)."
    ),
    "timesplit.note_parties": (
        "Warten auf andere Stellen und auf die Antragstellenden reicht bis zu deren Antwort (z. B. Zustimmung, "
        "nachgereichte Unterlagen) und schließt deren eigene Bearbeitung ein."
    ),
    "timesplit.note_mean": (
        "Anders als bei den Durchlaufzeiten (Median der abgeschlossenen Vorgänge) ist das hier der Mittelwert über alle "
        "Vorgänge: Einzelne sehr lange Vorgänge zählen voll mit."
    ),
    "timesplit.note_working": (
        "In den Zahlen zur Grafik stehen zusätzlich Arbeitstage: nur die Öffnungszeit ({open}–{close} Uhr) an Werktagen "
        "ohne Feiertage; ein Arbeitstag hat {hours} Stunden."
    ),
    "timesplit.note_suppressed": "Verfahrensarten mit weniger als {k} Vorgängen zeigen keine Werte („zu wenige Vorgänge“).",
    "timesplit.hidden": "ausgeblendet (Datenschutz)",
    "timesplit.note_hidden": (
        "Damit sich die Werte kleiner Verfahrensarten nicht aus „Alle Vorgänge“ zurückrechnen lassen, ist auch die "
        "nächstkleinere Verfahrensart ausgeblendet („ausgeblendet (Datenschutz)“)."
    ),
    "trend.growing": (
        "Der Bestand wächst: im Mittel um {slope} Vorgänge je Woche (95-%-Vertrauensbereich {low} bis {high}, "
        "{weeks} Wochen). Die Warteschlange baut sich auf."
    ),
    "trend.shrinking": (
        "Der Bestand sinkt: im Mittel um {slope_abs} Vorgänge je Woche (95-%-Vertrauensbereich {low} bis {high}, "
        "{weeks} Wochen). Der Rückstand wird abgebaut."
    ),
    "trend.stable": (
        "Kein eindeutiger Trend: die Steigung beträgt {slope} Vorgänge je Woche, der 95-%-Vertrauensbereich "
        "({low} bis {high}, {weeks} Wochen) schließt 0 ein."
    ),
    "trend.too_short": "Für eine Trendaussage sind zu wenige Wochen in den Daten.",
    "littles.consistent": (
        "Plausibilitätsprüfung (Gesetz von Little): Vom {start} bis {end} waren im Mittel {wip} Vorgänge offen. "
        "Aus {throughput} Erledigungen je Tag und einer mittleren Verweildauer von {days} ergeben sich rechnerisch "
        "{predicted}. Das Verhältnis {ratio} liegt nahe 1: Zugänge, Abschlüsse und Bestand passen zusammen."
    ),
    "littles.inconsistent": (
        "Plausibilitätsprüfung (Gesetz von Little): Vom {start} bis {end} waren im Mittel {wip} Vorgänge offen. "
        "Aus {throughput} Erledigungen je Tag und einer mittleren Verweildauer von {days} ergeben sich rechnerisch "
        "{predicted}. Das Verhältnis {ratio} weicht deutlich von 1 ab: vermutlich fehlen Abschlussereignisse, "
        "Vorgänge sind abgeschnitten oder der Bestand war nicht im Gleichgewicht. Bestandszahlen mit Vorsicht lesen."
    ),
    "littles.unavailable": "Die Plausibilitätsprüfung nach Little ist mit diesen Daten nicht möglich.",
    "note.closed_estimate": (
        "Der Export enthält keine Abschlusskennzeichen: Als abgeschlossen gilt ein Vorgang, der länger ruht als "
        "90 % aller Pausen zwischen zwei Schritten (Schätzung)."
    ),
    "caption.open_ages": "Offene Vorgänge am Ende der Daten nach Alter",
    "caption.open_ages_by_case_type": "Offene Vorgänge nach Verfahrensart und Alter",
    "col.age_band": "Alter seit Eingang",
    "col.open_cases": "offene Vorgänge",
    "caption.step_queues": "Warteschlangen je Schritt (Wochenwerte)",
    "col.step": "Schritt",
    "col.mean_wip": "mittlerer Bestand",
    "col.trend": "Trend je Woche",
    "col.trend_ci": "95-%-Bereich",
    "col.trend_verdict": "Bewertung",
    "verdict.growing": "wächst",
    "verdict.shrinking": "sinkt",
    "verdict.stable": "kein klarer Trend",
    "verdict.none": "zu wenige Wochen",
    "range": "{low} bis {high}",
    "intro.rework_visits": (
        "Nacharbeit: eine Tätigkeit kommt im selben Vorgang mehrmals vor. Eine Vorsprache ist ein Tag mit "
        "Check-in, Servicepoint-Kontakt oder persönlicher Vorsprache. „Erstlösung“ heißt: keine Unterlagen "
        "nachgefordert."
    ),
    "caption.rework_kpis": "Kennzahlen der Dienststelle",
    "caption.rework_by_case_type": "Nacharbeit nach Verfahrensart",
    "caption.rework_by_team": "Nacharbeit nach Team",
    "caption.activity_repeats": "Tätigkeiten, die am häufigsten wiederholt werden",
    "col.value": "Wert",
    "col.team": "Team",
    "col.repeat_share": "Anteil mit Wiederholung",
    "col.document_rounds": "Nachforderungen je Vorgang",
    "col.visits": "Vorsprachen je Vorgang",
    "col.ftr": "Erstlösungsquote",
    "col.cases_with_repeat": "Vorgänge mit Wiederholung",
    "col.self_loops": "direkt wiederholt",
    "rework.rework_share": "Nacharbeitsquote",
    "rework.document_rounds_mean": "Nachforderungsrunden je Vorgang",
    "rework.visits_mean": "Vorsprachen je Vorgang",
    "rework.first_time_right_share": "Erstlösungsquote (keine Nachforderung)",
    "rework.status_inquiries_mean": "Sachstandsanfragen je Vorgang",
    "intro.external": (
        "Wartezeiten auf andere Stellen, jeweils von der Anfrage bis zur ersten Antwort im selben Vorgang, mit "
        "der gesetzlichen oder üblichen Frist. Offene Anfragen zählen bis zum Ende der Daten."
    ),
    "caption.external": "Wartezeiten auf andere Stellen und ihre Fristen",
    "col.wait_kind": "Wartet auf",
    "col.norm": "Frist",
    "col.answered": "beantwortet",
    "col.open": "offen",
    "col.median_days": "Median (Kalendertage)",
    "col.p90_days": "9 von 10 (Kalendertage)",
    "col.median_working_h": "Median (Arbeitsstunden)",
    "col.share_over_norm": "Anteil über Frist",
    "col.open_over_norm": "offen und über Frist",
    "wait.ba_consent": "Zustimmung der Bundesagentur für Arbeit",
    "wait.security_check": "Sicherheitsabfrage",
    "wait.eat_production": "Kartenproduktion Bundesdruckerei (eAT)",
    "wait.eat_handover": "Aushändigung der Karte (eigene Behörde)",
    "wait.visa_consent": "Zustimmung zum Visum",
    "ba.summary": (
        "Zustimmung der Bundesagentur für Arbeit (Frist 14 Tage, im § 81a-Verfahren 7 Tage; danach gilt sie als "
        "erteilt, § 36 Abs. 2 BeschV): {requests} Anfragen; {over} der beantworteten lagen über der Frist. "
        "Über die Zustimmungsfiktion erledigt: {deemed}."
    ),
    "ba.not_applied": (
        "In {n} Vorgängen ({share}) kam die Zustimmung ausdrücklich erst nach Fristablauf, ohne dass die Fiktion "
        "genutzt wurde: zusammen {days} Wartetage, obwohl die Zustimmung schon als erteilt galt."
    ),
    "ba.not_applied_small": (
        "In weniger als {k} Vorgängen kam die Zustimmung ausdrücklich erst nach Fristablauf, ohne dass die Fiktion "
        "genutzt wurde."
    ),
    "ba.none": "Im Zeitraum gab es keine Anfragen an die Bundesagentur für Arbeit.",
    "caption.uncollected_cards": "Eingegangene, noch nicht ausgehändigte Karten (eAT) nach Liegedauer",
    "col.cards": "Karten",
    "col.card_age": "Liegedauer seit Eingang der Karte",
    "col.norm_days": "Fristdauer",
    "col.open_over_90_short": "offen über 3 Monate",
    "caption.waiting_by_party": "Liegezeit insgesamt nach Zuständigkeit",
    "col.party": "Wartet auf",
    "col.sum_calendar_days": "Summe (Kalendertage)",
    "col.sum_working_h": "Summe (Arbeitsstunden)",
    "col.share_calendar": "Anteil (Kalenderzeit)",
    "col.share_working": "Anteil (Arbeitszeit)",
    "party.external": "andere Stellen (extern)",
    "party.applicant": "Antragstellende",
    "party.office": "eigene Behörde (intern)",
    "party_basis.waiting": "Liegezeit",
    "party_basis.gap": "Abstand (enthält Bearbeitung)",
    "external.split": (
        "Von aller erfassten Liegezeit entfallen {external} auf andere Stellen, {applicant} auf Antragstellende "
        "und {office} auf die eigene Behörde (Kalenderzeit)."
    ),
    "intro.deadlines": (
        "Nach drei Monaten ohne Entscheidung ist eine Untätigkeitsklage möglich (§ 75 VwGO). Im beschleunigten "
        "Fachkräfteverfahren (§ 81a AufenthG) gelten eigene Fristen. Fiktionsbescheinigungen überbrücken die "
        "Wartezeit; häufige Verlängerungen zeigen lange Verfahren."
    ),
    "deadline.inaction": (
        "Am {date} waren {open} Vorgänge offen, davon {over} ({share}) länger als 3 Monate: hier ist eine "
        "Untätigkeitsklage möglich."
    ),
    "deadline.fiction": (
        "In {cases} Vorgängen ({share}) wurde eine Fiktionsbescheinigung ausgestellt; je solchem Vorgang wurde sie "
        "im Mittel {renewals}-mal verlängert, in {multi} Vorgängen mehr als einmal."
    ),
    "deadline.no_fiction": "Im Zeitraum wurden keine Fiktionsbescheinigungen erfasst.",
    "caption.deadline_monthly": "Entwicklung je Monat (letzte 12 Monate, Stand jeweils Monatsende)",
    "col.month": "Monat",
    "col.open_over_90": "davon über 3 Monate",
    "col.closed_over_90": "nach über 3 Monaten abgeschlossen",
    "col.fiction_issued": "Fiktionsbescheinigungen ausgestellt",
    "col.fiction_extended": "verlängert",
    "col.legal_remedies": "Rechtsbehelfe",
    "caption.fkv": "Fristen im beschleunigten Fachkräfteverfahren (§ 81a AufenthG)",
    "col.deadline": "Frist",
    "col.requests": "Anfragen",
    "col.met": "eingehalten",
    "col.missed": "überschritten",
    "col.open_overdue": "offen und überfällig",
    "col.share_met": "Quote eingehalten",
    "fkv.ba_consent_81a": "Zustimmung BA binnen 1 Woche",
    "fkv.recognition": "Anerkennung binnen 2 Monaten",
    "intro.teams": (
        "Zahlen nur auf Teamebene, nie zu einzelnen Personen. Teams mit weniger als {min} verschiedenen "
        "Mitarbeitenden-Kennungen sind als „Sonstige Teams“ zusammengefasst."
    ),
    "caption.team_load": "Auslastung und offene Vorgänge je Team",
    "col.staff_ids": "Personal-Kennungen",
    "col.events_per_staff": "Ereignisse je Kennung",
    "col.service_working_h": "Bearbeitungszeit (Arbeitsstunden)",
    "col.utilisation": "Auslastung (Arbeitszeit)",
    "note.utilisation_completion": "Ohne Beginn der Schritte ist keine Bearbeitungszeit und damit keine Auslastung bekannt.",
    "caption.team_handovers": "Häufigste Übergaben zwischen Teams",
    "col.from_team": "Von Team",
    "col.to_team": "An Team",
    "col.handovers": "Übergaben",
    "caption.weekday": "Wochentage",
    "weekday.basis_decisions": "Entscheidungen",
    "weekday.basis_all_events": "alle Ereignisse",
    "weekday.summary": (
        "Verteilung der {basis} auf Wochentage: am häufigsten {day} mit {share}. Bündelung {conc} "
        "(0 = gleichmäßig, 1 = alles an einem Tag)."
    ),
    "weekday.0": "Montag",
    "weekday.1": "Dienstag",
    "weekday.2": "Mittwoch",
    "weekday.3": "Donnerstag",
    "weekday.4": "Freitag",
    "weekday.5": "Samstag",
    "weekday.6": "Sonntag",
    "col.weekday": "Wochentag",
    "caption.seasonal": "Monate mit deutlich mehr Zugängen als üblich (Saisonindex ab 1,5)",
    "col.arrivals": "Zugänge",
    "col.seasonal_index": "Saisonindex",
    "note.no_seasonal_peaks": "Kein Monat hatte bei einer Verfahrensart mindestens 1,5-mal so viele Zugänge wie üblich.",
    "caption.starvation": "Verweildauer je Verfahrensart im Vergleich zur ganzen Behörde",
    "col.median_days_all": "Median (Kalendertage)",
    "col.p90_ratio": "9-von-10-Wert im Verhältnis zur Behörde",
    "caption.kgst": "Personalbedarf nach KGSt je Verfahrensart",
    "col.annual_volume": "Vorgänge pro Jahr",
    "col.touch_minutes": "Bearbeitungsminuten je Vorgang (Annahme)",
    "col.fte_needed": "Stellenbedarf (Vollzeitstellen)",
    "kgst.assumptions": (
        "Berechnung: Vorgänge pro Jahr × Bearbeitungsminuten × (1 + {allowance} Zuschlag für Verteilzeit) ÷ "
        "{hours} Jahresarbeitsstunden je Vollzeitkraft. Vorgänge pro Jahr sind die Eingänge von {days} Tagen, "
        "auf 365 Tage hochgerechnet. Die Bearbeitungsminuten sind Annahmen und sollten mit der Dienststelle "
        "abgestimmt werden."
    ),
    "kgst.needed": "Rechnerischer Personalbedarf: {fte} Vollzeitstellen.",
    "kgst.gap_actual": "Ist-Personal laut Angabe der Dienststelle: {actual} Vollzeitstellen. {gap_text}",
    "kgst.gap_missing": "Rechnerisch fehlen {gap} Vollzeitstellen.",
    "kgst.gap_surplus": "Rechnerisch sind {gap} Vollzeitstellen mehr vorhanden als nach KGSt nötig.",
    "kgst.no_actual": "Die tatsächlichen Vollzeitstellen der Dienststelle sind nicht angegeben. Die Zahl der Mitarbeitenden-Kennungen im Export ist dafür kein Maß (Teilzeit, Vertretung, Abwesenheit, Auszubildende), darum wird kein Vergleich von Bedarf und Bestand ausgewiesen. Für den Vergleich die tatsächlichen Vollzeitstellen angeben.",
    "unavailable.no_keys": (
        "nicht verfügbar: Der Export ordnet die Tätigkeiten keinem Katalogschritt zu (z. B. Nachforderung, "
        "Anfrage bei einer anderen Stelle); dafür braucht das Zuordnungsprofil eine Tätigkeitsliste."
    ),
    "unavailable.no_teams": "nicht verfügbar: Der Export enthält keine Teams.",
    "unavailable.no_resources": (
        "nicht verfügbar: Der Export enthält keine Mitarbeitenden-Kennungen; Teamgröße und Auslastung sind nicht bekannt."
    ),
    "unavailable.no_case_types": "nicht verfügbar: Der Export enthält keine Verfahrensarten; der Personalbedarf nach KGSt lässt sich nicht berechnen.",
    "land.BW": "Baden-Württemberg",
    "land.BY": "Bayern",
    "land.BE": "Berlin",
    "land.BB": "Brandenburg",
    "land.HB": "Bremen",
    "land.HH": "Hamburg",
    "land.HE": "Hessen",
    "land.MV": "Mecklenburg-Vorpommern",
    "land.NI": "Niedersachsen",
    "land.NW": "Nordrhein-Westfalen",
    "land.RP": "Rheinland-Pfalz",
    "land.SL": "Saarland",
    "land.SN": "Sachsen",
    "land.ST": "Sachsen-Anhalt",
    "land.SH": "Schleswig-Holstein",
    "land.TH": "Thüringen",
    "evidence.link": "Alle Zahlen dazu: Abschnitt „{section}“",
    # --- workshop report (page 1, finding pages, charts, map levels, Methodik) ------------------
    "section.glance_measures": "Die vielversprechendsten Maßnahmen",
    "section.glance_strengths": "Was gut läuft",
    "section.methodik": "Anhang: Methodik",
    "intro.methodik": "Hier sind alle Zahlen des Berichts definiert und die Fachbegriffe erklärt, die der Haupttext vermeidet.",
    "section.rework_generic": "Nacharbeit",
    "intro.rework_generic": "Nacharbeit: ein Schritt kommt im selben Vorgang mehrmals vor.",
    "kpi.share_cases_over_90_days.explain_generic": "Anteil der Vorgänge, die länger als 90 Kalendertage dauern oder schon so lange offen sind.",
    "kpi.open_over_90_days.explain_generic": "Offene Vorgänge, die älter als 90 Kalendertage sind.",
    "glance.size": "etwa {impact} zusätzliche Vorgangstage pro Jahr, {cases} Vorgänge betroffen",
    "glance.size_cases": "{cases} Vorgänge betroffen",
    "glance.size_staff": "geschätzt etwa {hours} Arbeitsstunden pro Jahr, {cases} Vorgänge betroffen",
    "glance.size_value": "{value}, {cases} Vorgänge betroffen",
    "glance.consequence": "Folge davon (Engpass {rank}): {title} – {size}",
    "glance.verdict": "Der größte Verlust: {title} ({size}).",
    "glance.verdict_small": "Nichts Großes läuft schief: Kein Engpass kostet mehr als einen zusätzlichen Tag je Vorgang und Jahr. Die kleineren Auffälligkeiten stehen im Abschnitt „Engpässe“.",
    "glance.verdict_none": "Nichts Großes läuft schief: Es wurde kein Engpass über dem Vergleichswert gefunden.",
    "glance.measure_for": "hilft gegen: {finding}",
    "strength.value": "{name}: {value}",
    "since.month": "seit {month} (dort ändert sich der Verlauf)",
    "since.period": "gemessen über den ganzen Zeitraum der Daten ({period}); den Verlauf je Monat zeigt der Abschnitt „Durchlaufzeiten“",
    "since.course_above": "über der Norm seit {month} (Grafik „Verlauf je Monat“ unten)",
    "since.course_always": "in jedem gezeigten Monat über der Norm, ab {month} (Grafik „Verlauf je Monat“ unten)",
    "since.course_back": "zuletzt wieder bei oder unter der Norm, seit {month} (Grafik „Verlauf je Monat“ unten)",
    "since.period_trend": "gemessen über den ganzen Zeitraum der Daten ({period}); den Verlauf je Monat zeigt die Grafik „Verlauf je Monat“ unten",
    "finding.page_title": "Engpass {rank}: {title}",
    "finding.what": "Was passiert",
    "finding.where": "Wo",
    "finding.size": "Wie groß",
    "finding.since": "Seit wann",
    "finding.compare": "Vergleich",
    "finding.evidence": "Belege",
    "finding.helps": "Was helfen kann",
    "finding.no_measures": "Keine der Standardmaßnahmen passt zu diesem Engpass; im Workshop gemeinsam ableiten.",
    "finding.next": "Was als Nächstes prüfen",
    "next.generic": "Mit den Beteiligten klären, welche Vorgänge betroffen sind und was sie gemeinsam haben.",
    "finding.title_where": "{title}: {where}",
    "next.waiting": "Prüfen, ob die Liegezeit bei bestimmten Verfahrensarten, Teams oder Monaten entsteht, und wer in dieser Zeit am Zug ist.",
    "next.rework": "Einige betroffene Vorgänge gemeinsam durchgehen: Warum kommt der Schritt mehrmals vor, und was fehlte beim ersten Mal?",
    # status inquiries are no rework: the applicant asks because the case waits
    "next.inquiry_flood": (
        "Einige Sachstandsanfragen gemeinsam durchgehen: Wie lange lag der Vorgang da schon, und hätte eine "
        "Eingangsbestätigung oder Zwischennachricht die Anfrage erspart?"
    ),
    "next.deadline": "Die ältesten offenen Vorgänge auflisten und klären, woran jeder einzelne hängt.",
    "next.resource": "Mit dem Team die Verteilung der Arbeit und die Vertretung besprechen.",
    "next.backlog": "Zugänge und Erledigungen je Woche vergleichen: wächst der Bestand, weil mehr kommt oder weil weniger erledigt wird?",
    "next.handover": "Den Weg eines Vorgangs zwischen den Teams aufzeichnen und klären, welche Übergaben nötig sind.",
    "next.no_show": "Klären, wie Termine vergeben und bestätigt werden und wer nicht erscheint.",
    "next.batching": "Klären, warum die Arbeit an festen Tagen gesammelt wird und ob das nötig ist.",
    "next.drift": "Klären, welche Änderung zu diesem Zeitpunkt die Fallzahlen verschoben hat.",
    "method.closed_rule.activity_key": (
        "Abgeschlossen: Ein Vorgang gilt als abgeschlossen, wenn sein letzter Schritt ein Abschlussschritt des Katalogs ist "
        "(z. B. Bescheid ausgehändigt, Vorgang abgeschlossen, Antrag zurückgenommen); eine spätere Sachstandsanfrage öffnet ihn nicht wieder."
    ),
    "method.closed_rule.end_activities": (
        "Abgeschlossen: Der Export enthält keine Abschlussschritte des Katalogs. Als abgeschlossen gilt ein Vorgang, dessen "
        "letzter Schritt ein Endschritt dieses Protokolls ist: ein Schritt, der Vorgänge beendet und nach dem fast nie noch "
        "etwas anderes folgt."
    ),
    "method.closed_rule.time": (
        "Abgeschlossen (Schätzung): Der Export zeigt keine Endschritte. Als abgeschlossen gilt ein Vorgang, der vor dem Ende "
        "der Daten länger ruht als 90 % aller Pausen zwischen zwei Schritten."
    ),
    "calendar.set": "Arbeitszeit: Öffnungszeiten {open}–{close} Uhr an Werktagen, ohne die gesetzlichen Feiertage in {land}.",
    "calendar.default": "Arbeitszeit: Öffnungszeiten {open}–{close} Uhr an Werktagen, ohne die gesetzlichen Feiertage in {land}. Das ist die Voreinstellung, weil für diese Dienststelle kein Land angegeben ist; liegt sie in einem anderen Land, das Land im Profil angeben.",
    "chart.data": "Zahlen zur Grafik",
    "map.col.from": "von",
    "map.col.to": "nach",
    "map.col.count": "Übergänge",
    "map.col.wait": "Liegezeit (Median)",
    "chart.bin_upto_short": "bis {days}",
    "chart.bin_range_short": "{low}–{high}",
    "chart.bin_over_short": "über {days}",
    "chart.axis_duration": "Durchlaufzeit in Kalendertagen",
    "chart.bin_upto": "bis {days} Tage",
    "chart.bin_range": "{low}–{high} Tage",
    "chart.bin_over": "über {days} Tage",
    "chart.cycle_title": "Wie lange abgeschlossene Vorgänge gedauert haben",
    "chart.cases_finished": "abgeschlossene Vorgänge",
    "chart.axis_cases": "Vorgänge",
    "chart.axis_days": "Tage",
    "chart.axis_hours": "Stunden",
    "chart.axis_minutes": "Minuten",
    "chart.axis_open": "offene Vorgänge",
    "chart.axis_per_week": "Vorgänge je Woche",
    "chart.axis_percent": "Prozent",
    "chart.monthly_title": "Entwicklung je Monat: neue und abgeschlossene Vorgänge, Durchlaufzeit",
    "chart.arrivals_month": "neue Vorgänge",
    "chart.completions_month": "abgeschlossene Vorgänge",
    "chart.median_month": "Durchlaufzeit der in dem Monat abgeschlossenen (Median, Tage)",
    "chart.own_office": "diese Dienststelle",
    "chart.network": "Netzwerk-Median",
    "chart.network_median": "Netzwerk-Median",
    "chart.typical_office": "typische Dienststelle",
    "chart.norm": "Norm",
    "chart.value": "Wert",
    "chart.wait_title": "Liegezeit vor jedem häufigen Schritt (Median, Kalendertage)",
    "chart.wait_note_network": "Der zweite Balken ist der Netzwerk-Median: der mittlere Wert aller Dienststellen mit diesem Schritt, derselbe in jedem Dienststellenbericht.",
    "chart.wait_note_single": "Es liegen keine weiteren Dienststellen zum Vergleich vor.",
    "chart.finding_title": "Der Wert dieser Dienststelle im Vergleich",
    # a finding's figure month by month (report.finding_trend)
    "trend.title": "Verlauf je Monat",
    "trend.axis_hours": "Stunden",
    "trend.axis_value": "Wert",
    "trend.col_cases": "Vorgänge im Monat",
    "trend.col_value": "Wert im Monat",
    "trend.note": "Monate mit weniger als {k} Vorgängen sind nicht gezeigt.",
    "trend.note_running": "Die letzten {n} Monate fehlen: Vorgänge, die dort begonnen haben, laufen zum großen Teil noch, ihr Wert wäre zu niedrig.",
    "trend.running": "läuft noch",
    "col.duration_class": "Dauer",
    "col.cases_finished": "abgeschlossene Vorgänge",
    "col.completions": "abgeschlossen",
    "col.wait_days_own": "Liegezeit (Median, Tage)",
    "col.wait_days_network": "Netzwerk-Median (Tage)",
    "col.week_end": "Woche bis",
    "col.compared": "Vergleich",
    "col.share_all": "Anteil an allen Vorgängen",
    "col.explanation": "Bedeutung",
    "col.term": "Begriff",
    "caption.variants_all": "Häufigste Abläufe (ob ein Vorgang abgeschlossen ist, lässt sich an den Schritten nicht erkennen)",
    "caption.variants_finished": "Häufigste Abläufe abgeschlossener Vorgänge",
    "caption.variants_open": "Häufigste Abläufe noch offener Vorgänge",
    "caption.terms": "Begriffe",
    "caption.kpi_definitions": "Kennzahlen",
    "map.band.0": "unter {high} Tag",
    "map.band.mid": "{low} bis {high} Tage",
    "map.band.last": "über {low} Tage",
    "map.band.none": "ohne Liegezeit (Beginn, Ende)",
    "map.merged": "{first} …\n{last}\n({n} Schritte nacheinander)",
    "map.to_part": "weiter in Teil {n}",
    "map.from_part": "aus Teil {n}",
    "map.part": "{title}, Teil {n} von {of}",
    "map.legend": "Farbe der Pfeile: mittlere Liegezeit (Median)",
    "map.level.simple": "Prozesslandkarte, einfache Fassung: Hauptweg und häufigste Schritte",
    "map.level.medium": "Prozesslandkarte, mittlere Fassung",
    "map.level.detailed": "Prozesslandkarte, ausführliche Fassung",
    "map.more": "Ausführlichere Fassung zeigen: {title}",
    "map.level_note": "{shown} von {total} Schritten, {coverage} aller Übergänge.",
    "map.screen_only": "Ausführlichere Fassungen der Landkarte stehen nur in der Bildschirmfassung dieses Berichts (HTML-Datei): gedruckt wäre ihre Schrift zu klein (unter 9 Punkt).",
    "privacy.note": "Datenschutz: Dieser Bericht enthält keine Fallnummern, Namen, Personalkennungen oder Freitexte. Personal erscheint nur als Team; Teams mit weniger als 5 Personen sind zusammengefasst, Werte aus weniger als {k} Vorgängen werden nicht gezeigt.",
    "method.median.term": "Median",
    "method.median.text": "Der mittlere Wert: die Hälfte der Vorgänge liegt darunter, die Hälfte darüber. Anders als der Durchschnitt wird er von wenigen sehr langen Vorgängen nicht verzerrt.",
    "method.p90.term": "„9 von 10“ (P90, 90-%-Perzentil)",
    "method.p90.text": "Der Wert, unter dem 9 von 10 Vorgängen liegen; er zeigt, wie lange die langsamen Vorgänge dauern.",
    "method.working_time.term": "Kalenderzeit und Arbeitszeit",
    "method.working_time.text": "Kalenderzeit zählt jede Stunde; Arbeitszeit nur die Öffnungszeiten an Werktagen ohne Feiertage.",
    "method.suppression.term": "Ausgeblendete kleine Werte („< {k}“)",
    "method.suppression.text": "Werte aus weniger als {k} Vorgängen werden nicht gezeigt, damit keine Einzelfälle erkennbar sind; auch Summen, aus denen sie sich zurückrechnen ließen, entfallen.",
    "method.quarantine.term": "Aussortierte Zeilen (Quarantäne)",
    "method.quarantine.text": "Zeilen, die nicht sicher gelesen werden konnten (z. B. ungültiges Datum), werden in eine eigene Quarantäne-Datei gelegt und nicht ausgewertet; gelesene Zeilen = übernommene + aussortierte.",
    "method.files.term": "Weitere Dateien",
    "method.files.text": "Neben diesem Bericht liegen die Netzwerk-Übersicht und alle Zahlen in maschinenlesbarer Form (results.json, CSV-Tabellen) für eigene Auswertungen.",
    "method.fte.term": "Vollzeitstellen (VZÄ) nach KGSt",
    "method.fte.text": "Rechnerischer Personalbedarf nach dem Verfahren der KGSt: Vorgänge pro Jahr × Bearbeitungsminuten je Vorgang × Zuschlag für Verteilzeit ÷ Jahresarbeitsstunden einer Vollzeitkraft. Die Bearbeitungsminuten sind Annahmen.",
    "method.concentration.term": "Bündelung (Herfindahl-Index)",
    "method.concentration.text": "Wie stark sich die Arbeit auf wenige Wochentage ballt: 0 heißt gleichmäßig verteilt, 1 heißt alles an einem Tag.",
    "method.model.term": "Prozesslandkarte und Prozessmodell",
    "method.model.text": "Die Landkarte zählt, welcher Schritt auf welchen folgt (direkte Nachfolge). Das Prozessmodell im Anhang ist mit einem Verfahren zur Modellfindung (Inductive Miner) aus den häufigen Abläufen abgeleitet (den häufigsten Varianten bis zu 80 % der Vorgänge, höchstens 100 Varianten) und in BPMN gezeichnet.",
    "method.legal.term": "Fristen",
    "method.legal.text": "Nach drei Monaten ohne Entscheidung ist eine Untätigkeitsklage möglich (§ 75 VwGO); die Zustimmung der Bundesagentur für Arbeit gilt nach zwei Wochen als erteilt (§ 36 Abs. 2 BeschV).",
    # --- errors ------------------------------------------------------------------------------
    "error.no_chromium": "Chromium wurde nicht gefunden; die PDF-Datei kann nicht erzeugt werden. Bitte Chromium installieren oder PROCMINE_CHROMIUM setzen.",
    "error.no_pdf": "Chromium hat keine PDF-Datei geschrieben: {path}",
    # --- progress messages -------------------------------------------------------------------
    "progress.office": "Bericht {office} …",
    "progress.no_pdf": "PDF für {path} nicht erstellt: {reason}",
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
        raise KeyError(f"no German label for key {key!r} in procmine.labels_de.report") from None
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
    "stuck_case_review",
    "deputy_rule",
    "backlog_reduction",
    "deadline_monitoring",
)
