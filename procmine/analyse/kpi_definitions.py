"""Definitions of every figure the analysis reports, in plain German, for the report appendix and
docs/kpis.md (one list, so both say the same). ``time_basis``: "Kalenderzeit", "Arbeitszeit",
"beides" or "" (not a duration)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KpiDefinition:
    """One figure: code key, German name, German definition, unit, and which clock it uses."""

    key: str
    name_de: str
    definition_de: str
    unit: str
    time_basis: str = ""


KPI_DEFINITIONS: list[KpiDefinition] = [
    # core (stats.py)
    KpiDefinition("cases", "Vorgänge", "Anzahl der Vorgänge (Fälle) im Auswertungszeitraum.", "Anzahl"),
    KpiDefinition("cycle_time_median_days", "Durchlaufzeit (Median)", "Zeit vom ersten bis zum letzten Ereignis eines abgeschlossenen Vorgangs; die Hälfte der Vorgänge ist schneller.", "Tage", "Kalenderzeit"),
    KpiDefinition("cycle_time_p90_days", "Durchlaufzeit (90. Perzentil)", "Durchlaufzeit, die 90 % der abgeschlossenen Vorgänge nicht überschreiten; zeigt die langen Fälle.", "Tage", "Kalenderzeit"),
    KpiDefinition("share_cases_over_90_days", "Anteil Vorgänge über 3 Monate", "Anteil der Vorgänge, die länger als 90 Tage dauern oder schon so lange offen sind (Risiko einer Untätigkeitsklage, § 75 VwGO).", "Anteil"),
    KpiDefinition("rework_share", "Nacharbeitsquote", "Anteil der Vorgänge, in denen mindestens eine Tätigkeit mehr als einmal vorkommt.", "Anteil"),
    KpiDefinition("first_time_right_share", "Erstlösungsquote (first time right)", "Anteil der Vorgänge ohne Nachforderung von Unterlagen: beim ersten Kontakt vollständig.", "Anteil"),
    KpiDefinition("document_rounds_mean", "Nachforderungsrunden je Vorgang", "Durchschnittliche Zahl der Ereignisse „Unterlagen nachgefordert“ je Vorgang.", "je Vorgang"),
    KpiDefinition("visits_mean", "Vorsprachen je Vorgang", "Durchschnittliche Zahl der Tage mit Vorsprache (Check-in, Servicepoint oder persönliche Vorsprache) je Vorgang; mehrere Schritte am selben Tag zählen als eine Vorsprache.", "je Vorgang"),
    KpiDefinition("status_inquiries_mean", "Sachstandsanfragen je Vorgang", "Durchschnittliche Zahl eingegangener Sachstandsanfragen je Vorgang.", "je Vorgang"),
    # time.py
    KpiDefinition("service_calendar_s", "Bearbeitungszeit (Kalenderzeit)", "Zeit von Beginn bis Ende eines Schritts. Nur vorhanden, wenn der Export einen Beginn enthält.", "Sekunden (angezeigt als Std./Tage)", "Kalenderzeit"),
    KpiDefinition("service_working_s", "Bearbeitungszeit (Arbeitszeit)", "Wie Bearbeitungszeit, aber nur die Zeit innerhalb der Öffnungszeiten (Standard Mo–Fr 8–16 Uhr) an Arbeitstagen ohne Feiertage des Landes.", "Sekunden", "Arbeitszeit"),
    KpiDefinition("waiting_calendar_s", "Liegezeit (Kalenderzeit)", "Zeit vom Ende des vorigen Schritts bis zum Beginn dieses Schritts im selben Vorgang. Überlappen Schritte, zählt 0.", "Sekunden", "Kalenderzeit"),
    KpiDefinition("waiting_working_s", "Liegezeit (Arbeitszeit)", "Liegezeit, gezählt nur in den Öffnungszeiten an Arbeitstagen.", "Sekunden", "Arbeitszeit"),
    KpiDefinition("gap_calendar_s", "Abstand zwischen Ereignissen", "Bei Exporten nur mit Endzeitpunkten: Zeit vom Ende des vorigen bis zum Ende dieses Schritts. Enthält Liege- und Bearbeitungszeit, die sich hier nicht trennen lassen.", "Sekunden", "beides"),
    KpiDefinition("cycle_working_s", "Durchlaufzeit (Arbeitszeit)", "Durchlaufzeit eines Vorgangs, gezählt nur in den Öffnungszeiten an Arbeitstagen.", "Sekunden", "Arbeitszeit"),
    # queues.py
    KpiDefinition("arrivals", "Zugänge", "Neue Vorgänge (oder: Vorgänge, die für einen Schritt bereit werden) je Tag, Woche oder Monat.", "Anzahl je Zeitraum"),
    KpiDefinition("completions", "Erledigungen", "Abgeschlossene Vorgänge (oder erledigte Schritte) je Zeitraum.", "Anzahl je Zeitraum"),
    KpiDefinition("wip", "Bestand (offene Vorgänge)", "Offene Vorgänge am Ende des Zeitraums: Zugänge bis dahin minus Erledigungen bis dahin.", "Anzahl"),
    KpiDefinition("open_age_band", "Alter offener Vorgänge", "Offene Vorgänge am Stichtag nach Alter seit Eingang: unter 1 Monat (30 Tage), 1–3 Monate, über 3 Monate (90 Tage).", "Anzahl, Anteil", "Kalenderzeit"),
    KpiDefinition("wip_trend_per_week", "Trend des Bestands", "Steigung einer Ausgleichsgeraden durch den wöchentlichen Bestand mit 95-%-Vertrauensbereich; „wächst“, wenn der ganze Bereich über 0 liegt.", "Vorgänge je Woche"),
    KpiDefinition("littles_law_ratio", "Plausibilität nach Little", "Mittlerer Bestand geteilt durch (Erledigungen je Tag × mittlere Verweildauer). Nahe 1 passen die Daten zusammen; weit daneben fehlen z. B. Abschlussereignisse.", "Verhältnis"),
    # visits.py
    KpiDefinition("repeat_share", "Wiederholungsquote je Tätigkeit", "Anteil der Vorgänge mit dieser Tätigkeit, in denen sie mehr als einmal vorkommt.", "Anteil"),
    # external.py
    KpiDefinition("external_wait_days", "Wartezeit auf andere Stellen", "Tage von der Anfrage (z. B. Zustimmung BA, Sicherheitsabfrage, eAT-Bestellung) bis zur ersten Antwort im selben Vorgang; offene Anfragen zählen bis zum Ende der Daten.", "Tage", "beides"),
    KpiDefinition("share_over_norm", "Anteil über der Frist", "Anteil der beantworteten Anfragen, deren Wartezeit die gesetzliche oder übliche Frist überschreitet (BA 14 Tage, im § 81a-Verfahren 7 Tage; Sicherheitsabfrage 30; Bundesdruckerei 42; Aushändigung 14; Zustimmung zum Visum 90).", "Anteil", "Kalenderzeit"),
    KpiDefinition("ba_deemed_share", "Anteil Zustimmungsfiktion BA", "Anteil der BA-Anfragen, die durch die Zustimmungsfiktion (§ 36 Abs. 2 BeschV) erledigt wurden.", "Anteil"),
    KpiDefinition("ba_deemed_not_applied", "Fiktion nicht genutzt", "BA-Zustimmungen, die ausdrücklich nach mehr als 14 Tagen kamen, ohne dass die Fiktion vermerkt wurde: die Behörde hat gewartet, obwohl die Zustimmung schon als erteilt galt.", "Anzahl"),
    KpiDefinition("uncollected_cards", "Nicht abgeholte eAT", "Karten, die von der Bundesdruckerei eingegangen, aber noch nicht ausgehändigt sind, nach Liegedauer (unter 14, 14–30, 30–90, über 90 Tage).", "Anzahl", "Kalenderzeit"),
    KpiDefinition("waiting_by_party", "Liegezeit nach Zuständigkeit", "Summe der Liegezeiten, aufgeteilt nach: andere Stellen (BA, Sicherheitsbehörden, Bundesdruckerei, Anerkennungsstelle), Antragstellende (Unterlagen, Termine) und eigene Behörde.", "Sekunden, Anteil", "beides"),
    # deadlines.py
    KpiDefinition("open_over_90_days", "Offen über 3 Monate", "Offene Vorgänge, die am Stichtag (oder Monatsende) älter als 90 Tage sind; ab dann ist eine Untätigkeitsklage möglich.", "Anzahl, Anteil", "Kalenderzeit"),
    KpiDefinition("fkv_81a_share_met", "§ 81a-Fristen eingehalten", "Im beschleunigten Fachkräfteverfahren: Anteil der BA-Antworten binnen 7 Tagen und der Anerkennungsbescheide binnen 2 Monaten.", "Anteil", "Kalenderzeit"),
    KpiDefinition("fiction_renewals_per_case", "Verlängerungen der Fiktionsbescheinigung", "Durchschnittliche Zahl der Verlängerungen je Vorgang mit Fiktionsbescheinigung.", "je Vorgang"),
    KpiDefinition("fiction_certificate_share", "Anteil mit Fiktionsbescheinigung", "Anteil der Vorgänge, in denen eine Fiktionsbescheinigung ausgestellt oder verlängert wurde.", "Anteil"),
    # teams.py
    KpiDefinition("team_utilisation", "Auslastung je Team", "Erfasste Bearbeitungszeit (Arbeitszeit) des Teams geteilt durch (Zahl der Mitarbeitenden-Kennungen × Arbeitszeit im Zeitraum). Nur bei Exporten mit Beginn und Ende; Teams unter 5 Personen werden als „Sonstige Teams“ zusammengefasst.", "Anteil", "Arbeitszeit"),
    KpiDefinition("team_handovers", "Übergaben zwischen Teams", "Wie oft ein Vorgang direkt von einem Team zum nächsten wechselt.", "Anzahl"),
    KpiDefinition("weekday_concentration", "Bündelung auf Wochentage", "Verteilung der Entscheidungen auf Wochentage; Konzentration 0 = gleichmäßig, 1 = alle an einem Tag (normierter Herfindahl-Index).", "0–1"),
    KpiDefinition("seasonal_index", "Saisonindex", "Zugänge eines Monats geteilt durch den Monatsdurchschnitt derselben Verfahrensart (1 = üblich, 2 = doppelt so viele).", "Verhältnis"),
    KpiDefinition("starvation_p90_ratio", "Benachteiligung einer Verfahrensart", "90. Perzentil der Verweildauer einer Verfahrensart geteilt durch das der ganzen Behörde; offene Vorgänge zählen mit ihrem Alter.", "Verhältnis", "Kalenderzeit"),
    # staffing.py
    KpiDefinition("fte_needed", "Personalbedarf nach KGSt", "Summe über Verfahrensarten (Fälle pro Jahr × Bearbeitungsminuten) × (1 + Zuschläge, Standard 15 %) geteilt durch die Jahresarbeitsminuten einer Vollzeitkraft (Standard 1.600 Std.).", "Vollzeitstellen"),
    KpiDefinition("fte_gap", "Personallücke", "Personalbedarf minus tatsächliches Personal. Ist kein Ist-Wert angegeben, wird die Zahl der Mitarbeitenden-Kennungen als Schätzung genutzt (Teilzeit und Abwesenheit sind darin nicht sichtbar).", "Vollzeitstellen"),
]


def kpi_definition(key: str) -> KpiDefinition:
    """The definition of one figure by key (KeyError if unknown)."""
    for k in KPI_DEFINITIONS:
        if k.key == key:
            return k
    raise KeyError(key)
