"""German text of the ingest and normalisation that users read: quarantine reasons and hints, the
messages of input problems, the ``inspect`` listing and the CLI summary. Looked up by key; code
builds no German sentence of its own. ``{name}`` fields are filled with ``str.format``.
"""

from __future__ import annotations

# quarantine reasons and quality flags (codes in ``procmine.normalise.REASONS`` / ``FLAGS``)
REASON_LABELS_DE: dict[str, str] = {
    "malformed_row": "Zeile nicht lesbar",
    "missing_case_id": "Vorgangs-ID fehlt",
    "missing_activity": "Tätigkeit fehlt",
    "missing_timestamp": "Zeitstempel fehlt",
    "unparseable_timestamp": "Zeitstempel unlesbar",
    "implausibly_early_timestamp": "Zeitstempel unplausibel früh",
    "future_timestamp": "Zeitstempel in der Zukunft",
    "start_after_end": "Beginn nach Ende",
    "value_too_long": "Wert zu lang",
    "unknown_activity": "Tätigkeit unbekannt",
    "unknown_lifecycle": "Lebenszyklus-Wert unbekannt",
    "exact_duplicate": "doppelte Zeile",
    "unmatched_lifecycle": "Beginn ohne Ende",
    "event_outside_trace": "Ereignis außerhalb eines Vorgangs (XES)",
    "sheet_not_read": "Zeile eines anderen Tabellenblatts (nicht eingelesen)",
    "out_of_order": "Reihenfolge widerspricht Zeit",
    "batch_entry": "Sammelerfassung",
    "day_precision": "nur Datum, keine Uhrzeit",
    "unmatched_complete": "Ende ohne Beginn",
}
REASON_HINTS_DE: dict[str, str] = {
    "event_outside_trace": "Das Ereignis steht in der XES-Datei außerhalb eines <trace>; exportieren Sie das Protokoll erneut.",
    "sheet_not_read": "Das Blatt hat eine andere Kopfzeile; mit --sheet wählen oder die Blätter in einer Form exportieren.",
    "malformed_row": "Prüfen Sie die Zeile im Editor: meist ein Trennzeichen oder Anführungszeichen im Text; exportieren Sie mit Anführungszeichen um Textfelder.",
    "missing_case_id": "Ergänzen Sie die Vorgangsnummer im Fachverfahren oder exportieren Sie nur Zeilen mit Vorgangsbezug.",
    "missing_activity": "Prüfen Sie, ob der Export für jede Zeile die Tätigkeit enthält, und ergänzen Sie fehlende Einträge.",
    "missing_timestamp": "Prüfen Sie, ob der Schritt tatsächlich stattgefunden hat; wenn ja, ergänzen Sie Datum und Uhrzeit im Fachverfahren.",
    "unparseable_timestamp": "Tragen Sie im Profil das Datumsformat des Exports ein (z. B. %d.%m.%Y %H:%M) oder korrigieren Sie die genannten Werte.",
    "implausibly_early_timestamp": "Korrigieren Sie Tippfehler in der Jahreszahl oder setzen Sie plausible_start im Profil, wenn alte Vorgänge gewollt sind.",
    "future_timestamp": "Prüfen Sie Tippfehler in der Jahreszahl und die Uhr des Export-Servers; geplante Termine gehören nicht in das Ereignisprotokoll.",
    "start_after_end": "Prüfen Sie, ob Beginn und Ende im Profil vertauscht sind, oder korrigieren Sie die Zeitangaben im Fachverfahren.",
    "value_too_long": "Ordnen Sie die Spalte im Profil richtig zu; Freitext gehört nicht in Vorgangs-ID, Tätigkeit oder Sachbearbeitung.",
    "unknown_activity": "Ergänzen Sie die Tätigkeit im Abschnitt [activities] des Profils oder schalten Sie require_known_activities aus.",
    "unknown_lifecycle": "Tragen Sie den Wert im Abschnitt [lifecycle] des Profils unter start oder complete ein.",
    "exact_duplicate": "Nichts zu tun, wenn Exporte sich überschneiden; sonst prüfen Sie, ob der Export Zeilen doppelt schreibt.",
    "unmatched_lifecycle": "Prüfen Sie, ob der Vorgang noch läuft oder der Export zu früh abgeschnitten wurde; offene Schritte zählen erst mit Ende.",
    "out_of_order": "Prüfen Sie nachträglich erfasste Schritte; die Auswertung ordnet nach Zeitstempel.",
    "batch_entry": "Sammelerfassungen verfälschen Wartezeiten; erfassen Sie Schritte möglichst zum tatsächlichen Zeitpunkt.",
    "day_precision": "Wenn möglich, exportieren Sie Datum und Uhrzeit; Wartezeiten unter einem Tag lassen sich sonst nicht messen.",
    "unmatched_complete": "Nichts zu tun: der Schritt zählt ohne Beginn, seine Bearbeitungsdauer bleibt unbekannt.",
}

# input problems: code -> the parts of ``InputProblem`` (found, expected, hint)
PROBLEMS: dict[str, dict[str, str]] = {
    "missing_column": {
        "found": "keine Spalte '{column}' für {field_label}",
        "expected": "eine Spalte '{column}' in der Kopfzeile",
        "hint": "Tragen Sie im Profil '{profile}' die richtige Spalte für {field_label} ({field}) ein{nearest}.",
        "hint_nearest": " (ähnlichste vorhandene Spalte: '{column}')",
        "hint_header_not_split": "Die Kopfzeile wurde nicht in Spalten zerlegt: setzen Sie im Profil delimiter = \"auto\" "
        "oder das richtige Trennzeichen.",
    },
    "duplicate_column": {
        "found": "die Spalte '{column}' kommt mehrfach in der Kopfzeile vor",
        "expected": "eindeutige Spaltennamen",
        "hint": "Benennen Sie die doppelten Spalten im Export um und ordnen Sie im Profil die richtige zu.",
    },
    "unreadable_column": {
        "found": "{count} von {filled} Werten sind kein lesbarer Zeitpunkt, z. B. {examples}",
        "expected": "Datum und Uhrzeit im Format {format} (z. B. 05.03.2024 14:30 oder 2024-03-05T14:30:00+01:00)",
        "hint": "Tragen Sie im Profil unter date_format das Format der Spalte ein (z. B. %m/%d/%Y %H:%M) "
        "oder ordnen Sie die richtige Spalte zu.",
        "format_auto": "automatisch erkannt",
    },
    "unrecognised_columns": {
        "found": "keine Spalte erkannt für {fields}",
        "expected": "Spalten für Vorgangs-ID, Tätigkeit und Zeitstempel (z. B. Vorgang, Tätigkeit, Ende)",
        "hint": "Legen Sie ein Profil an (procmine inspect schreibt einen Vorschlag) und ordnen Sie die Spalten zu.",
        "sheets": "Blätter der Arbeitsmappe: {sheets} (ein anderes mit --sheet wählen)",
    },
    "no_files": {
        "found": "keine Dateien",
        "expected": "mindestens eine Exportdatei",
        "hint": "Geben Sie die Exportdateien der Behörde an.",
    },
}
COLUMNS_PRESENT = "vorhandene Spalten: {columns}"


def problem(code: str, part: str, **values: object) -> str:
    """One part (found, expected, hint, ...) of the message of an input problem, filled in."""
    return PROBLEMS[code][part].format(**values)


# ``procmine inspect``: one template per line
INSPECT: dict[str, str] = {
    "file": "Datei: {name}",
    "format": "Format: {format}",
    "encoding": "Kodierung: {encoding}",
    "delimiter": "Trennzeichen: {delimiter}",
    "sheets": "Blätter: {sheets} (gelesen: {sheet})",
    "rows": "Zeilen: {rows}",
    "columns": "Spalten ({count}): {columns}",
    "duplicate_headers": "Doppelte Spaltennamen: {columns}",
    "profile_matched": "Profil: {name} (vorhandenes Profil passt)",
    "profile_suggested": "Profil: {name} (Vorschlag, bitte prüfen)",
    "shape": "Form: {shape}",
    "field": "  {field_label} ({field}) ← '{column}'",
    "case_id_with": "    zusammen mit {columns} (case_id_with: erst beides macht den Vorgang eindeutig)",
    "milestone": "  Meilenstein '{column}' → {label}",
    "milestone_start": " (Beginn: '{column}')",
    "privacy_drop": "Personenbezogene Spalten (werden nicht gelesen): {columns}",
    "extra": "Weitere Spalten (werden übernommen): {columns}",
    "missing": "Nicht erkannt: {fields} – bitte im Profil ergänzen.",
    "preview": "Vorschau (erste {rows} Zeilen, personenbezogene Spalten und Sachbearbeitung verdeckt):",
    "no_rows": "(keine Datenzeilen)",
}
DELIMITER_NAMES: dict[str, str] = {"\t": "Tabulator", ";": "Semikolon ;", ",": "Komma ,", "|": "senkrechter Strich |"}
MASKED = "•••"

# the CLI's summary of one ingest
SUMMARY: dict[str, str] = {
    "counts": "{office}: {read} Zeilen gelesen = {kept} übernommen + {quarantined} in Quarantäne; {events} Ereignisse.",
    "reason": "  - {label}: {count}",
    "flag": "  * markiert, {label}: {count}",
}
UNATTRIBUTED_OFFICE = "(ohne Behörde)"  # the pseudo-office of counts no office can be given


def int_de(n: int) -> str:
    """A count with German thousands separators (1.234.567)."""
    return f"{n:,}".replace(",", ".")

# the event-log checks (procmine.eventlog.EventLogProblem): code -> (found, expected, what to do);
# "where_*" name a row, "title" and "parts" frame the message
EVENT_LOG_PROBLEMS: dict[str, tuple[str, str, str]] = {
    "not_a_frame": (
        "ein Objekt vom Typ {type}",
        "eine Tabelle (pandas DataFrame) oder ein EventLog",
        "das Protokoll mit procmine.load(...) laden",
    ),
    "missing_column": (
        "die Spalte fehlt (vorhanden: {present})",
        "die Pflichtspalten {required}",
        "das Protokoll mit procmine.load(...) oder 'procmine ingest' erzeugen",
    ),
    "naive_time": (
        "Zeitangaben ohne Zeitzone (Typ {dtype}, z. B. {example})",
        "Zeitpunkte mit Zeitzone (gespeichert in UTC)",
        "die Spalte der Ortszeit zuordnen, z. B. log['{column}'].dt.tz_localize('Europe/Berlin')",
    ),
    "bad_time": (
        "Werte, die keine Zeitpunkte sind (Typ {dtype}, z. B. {example})",
        "Zeitpunkte mit Zeitzone (gespeichert in UTC)",
        "die Spalte mit pandas.to_datetime(..., utc=True) umwandeln",
    ),
    "bad_integer": (
        "Werte, die keine ganzen Zahlen sind (Typ {dtype}, z. B. {example})",
        "ganze Zahlen",
        "",
    ),
    "empty_values": (
        "{count} leere Werte, der erste in {where}",
        "einen Wert in jeder Zeile",
        "die Zeilen ohne Wert entfernen oder den Wert ergänzen",
    ),
    "bad_precision": (
        "die Werte {values}",
        "einen der Werte {allowed}",
        "",
    ),
    "start_after_end": (
        "{count} Ereignisse mit Beginn nach Ende, das erste in {where} (Beginn {start}, Ende {end})",
        "Beginn nicht nach Ende",
        "Beginn und Ende dieser Zeilen prüfen",
    ),
    "duplicate_seq": (
        "{count} mehrfach vergebene Nummern, z. B. {example}",
        "eine eigene Nummer für jedes Ereignis",
        "die Nummern neu vergeben, z. B. log['event_seq'] = range(len(log))",
    ),
    "where_row": ("Tabellenzeile {row}", "", ""),
    "where_source": ("Tabellenzeile {row} (Datei '{file}', Zeile {source_row})", "", ""),
    "title": ("Ereignisprotokoll, Spalte '{column}'", "Ereignisprotokoll", ""),
    "parts": ("gefunden: {found}.", "erwartet: {expected}.", "Was tun: {hint}."),
}
