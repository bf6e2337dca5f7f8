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
    # reading a file (procmine.ingest): the key names the situation, not always the problem's code
    "file_not_found": {
        "found": "keine solche Datei",
        "expected": "eine vorhandene Exportdatei",
        "hint": "Prüfen Sie Pfad und Dateinamen.",
    },
    "bad_gzip": {
        "found": "ein beschädigtes gzip-Archiv ({error})",
        "expected": "eine vollständige .gz-Datei",
        "expected_xes": "eine vollständige .xes.gz-Datei",
        "hint": "Laden oder exportieren Sie die Datei erneut.",
    },
    "bad_parquet": {
        "found": "eine unlesbare Parquet-Datei ({error})",
        "expected": "eine gültige Parquet-Datei",
        "hint": "Erzeugen Sie die Datei neu.",
    },
    "bad_xes": {
        "expected": "eine gültige XES-Datei (IEEE 1849)",
        "hint": "Exportieren Sie das Ereignisprotokoll erneut oder prüfen Sie, ob die Datei abgeschnitten ist.",
        "bad_xml": "fehlerhaftes XML ({error})",
        "outside_trace": "Ereignis außerhalb eines <trace> (Zeile der XES-Datei)",
    },
    "bad_workbook": {
        "expected": "eine gültige Excel-Datei (.xlsx oder .xls)",
        "hint": "Öffnen Sie die Datei in Excel, speichern Sie sie als .xlsx neu und versuchen Sie es erneut.",
        "found_unopenable": "eine Arbeitsmappe, die sich nicht öffnen lässt ({error})",
        "expected_unopenable": "eine gültige Excel-Datei (.xlsx oder .xls), nicht kennwortgeschützt",
        "found_aborted": "eine Arbeitsmappe, bei der das Lesen abbrach ({error})",
        "found_archive": "ein beschädigtes Archiv ({error})",
        "expected_archive": "eine gültige Excel-Datei (.xlsx)",
        "found_sheet": "ein beschädigtes Tabellenblatt ({error})",
        "expected_sheet": "eine vollständige Excel-Datei (.xlsx oder .xls)",
        "hint_sheet": "Öffnen Sie die Datei in Excel, speichern Sie sie als .xlsx neu oder exportieren Sie sie erneut.",
    },
    "missing_sheet": {
        "found": "kein Blatt '{sheet}'",
        "expected": "eines der Blätter: {sheets}",
        "hint": "Tragen Sie im Profil unter sheet den richtigen Blattnamen ein.",
    },
    "empty_workbook": {
        "found": "nur leere Blätter ({sheets})",
        "expected": "ein Blatt mit Kopfzeile und Daten",
        "hint": "Prüfen Sie, ob der Export vollständig erstellt wurde.",
    },
    "not_a_table": {
        "expected": "eine Textdatei mit Spaltenüberschriften (CSV/TXT), eine Excel-Arbeitsmappe, XES oder Parquet",
        "hint": "Exportieren Sie die Daten erneut als CSV- oder Excel-Datei aus dem Fachverfahren.",
        "found_null_bytes": "Binärdaten (Null-Bytes) statt Text",
        "found_controls": "Binärdaten oder Steuerzeichen statt Text",
        "found_pdf": "ein PDF-Dokument",
        "hint_pdf": "Exportieren Sie die Daten als CSV oder Excel, nicht als PDF.",
    },
    "unknown_encoding": {
        "found": "unbekannte Zeichenkodierung '{encoding}'",
        "expected": "z. B. utf-8, cp1252, iso-8859-15, utf-16",
        "hint": "Tragen Sie im Profil encoding = \"auto\" oder eine der genannten Kodierungen ein.",
    },
    "wrong_encoding": {
        "found": "Byte {byte} an Position {position} passt nicht zu {encoding}",
        "expected": "Text in der Kodierung {encoding}",
        "hint": "Setzen Sie im Profil encoding = \"auto\" oder die richtige Kodierung (oft cp1252 oder utf-8).",
    },
    "empty_file": {
        "found": "eine leere Datei",
        "expected": "eine Kopfzeile mit Spaltennamen und darunter eine Zeile je Ereignis oder Vorgang",
        "hint": "Prüfen Sie, ob der Export vollständig erstellt wurde, und exportieren Sie erneut.",
    },
    "no_header": {
        "found": "keine Kopfzeile",
        "expected": "eine Kopfzeile mit Spaltennamen",
        "hint": "Prüfen Sie, ob der Export vollständig erstellt wurde.",
    },
    "quote_swallows_lines": {
        "found": "ein Wert in Anführungszeichen über {lines} Zeilen (ein Anführungszeichen ohne Gegenstück "
        "verschluckt die folgenden Zeilen)",
        "expected": "Werte mit höchstens {max_lines} Zeilenumbrüchen, Anführungszeichen paarweise",
        "hint": "Öffnen Sie die Datei in einem Editor, schließen oder entfernen Sie das Anführungszeichen in dieser Zeile "
        "und exportieren Sie Textfelder mit Anführungszeichen; mehrzeilige Werte erlaubt --max-value-lines.",
    },
    "malformed_csv": {
        "found": "die Zeile lässt sich nicht in Spalten zerlegen ({error})",
        "expected": "Felder getrennt durch '{delimiter}', Anführungszeichen paarweise",
        "hint": "Öffnen Sie die Datei in einem Editor und prüfen Sie Anführungszeichen in dieser Zeile.",
    },
    # a folder of exports (procmine.pipeline)
    "not_a_folder": {
        "found": "kein Ordner",
        "expected": "ein Ordner mit Exportdateien (CSV, TXT, XLSX, XLS, XES, Parquet)",
        "hint": "Pfad prüfen; für eine einzelne Datei 'procmine ingest DATEI' verwenden.",
    },
    "no_exports": {
        "found": "keine Exportdateien",
        "expected": "Dateien mit der Endung .csv, .txt, .xlsx, .xls, .xes, .xes.gz oder .parquet",
        "hint": "Exporte der Dienststellen in diesen Ordner legen (mehrere Exporte einer Dienststelle in einen "
        "Unterordner mit ihrem Namen).",
    },
    "no_rows_kept": {
        "found": "keine Zeile übernommen ({read} gelesen, alle in Quarantäne); häufigster Grund: {reason} ({count} Zeilen)",
        "found_file": ", siehe Quarantänedatei {file}",
        "hint": "Die Zeilen der Quarantänedatei prüfen und den Export oder das Profil korrigieren.",
        "found_empty": "keine Zeile übernommen: die Datei enthält keine Datenzeilen",
        "hint_empty": "Den Export mit Datenzeilen wiederholen.",
        "expected": "mindestens eine gültige Zeile",
        "message": "Dienststelle '{office}': {message}",
    },
    "no_office_read": {
        "found": "keine Dienststelle lesbar ({count} Exporte mit Problemen)",
        "expected": "mindestens eine Exportdatei, die eingelesen werden kann",
        "hint": "Die einzelnen Meldungen unten beheben und den Lauf wiederholen.",
    },
    "internal_error": {
        "message": "Datei '{files}': interner Fehler beim Einlesen ({error}). "
        "Was tun: die Datei und die Fehlerdetails an das Entwicklungsteam senden [internal_error]",
    },
    "broken_profile": {
        "note": "Hinweis: Profil '{name}' ist unvollständig oder ungültig und wird übersprungen "
        "({found}; erwartet: {expected}); Exporte, die nicht nach ihm benannt sind, werden ohne es erkannt.",
        "found": "das Profil dieser Datei ({name}) ist unvollständig oder ungültig: {found}",
        "hint": "{hint} Oder die Profildatei umbenennen, dann wird die Datei automatisch erkannt.",
    },
    "office_in_several_shapes": {
        "found": "Dienststelle(n) {offices} in Exporten unterschiedlicher Form ({shapes})",
        "expected": "die Exporte einer Dienststelle in einer Form (gleiche Spalten)",
        "hint": "Exportieren Sie die Zeiträume in derselben Form oder legen Sie die Dateien getrennt in "
        "Unterordner mit verschiedenen Namen.",
    },
    "no_logs": {
        "found": "keine .parquet-Dateien",
        "expected": "normalisierte Ereignisprotokolle aus 'procmine ingest'",
        "hint": "zuerst 'procmine ingest EXPORT --out ORDNER' ausführen.",
    },
}
COLUMNS_PRESENT = "vorhandene Spalten: {columns}"
COLUMNS_HIDDEN = "{count} (Namen mit 'procmine inspect {file}' ansehen)"  # replaces the names in a failure record

# how an input problem reads (``procmine.errors.InputProblem.user_message``)
PROBLEM_FRAME: dict[str, str] = {
    "file": "Datei '{file}'",
    "sheet": "Blatt '{sheet}'",
    "row": "Zeile {row}",
    "column": "Spalte '{column}'",
    "found": "gefunden: {found}.",
    "expected": "erwartet: {expected}.",
    "hint": "Was tun: {hint}",
}

# what a quarantined row shows in the ``found`` column, by situation
REJECT_FOUND: dict[str, str] = {
    "sheet_not_read": "Blatt '{sheet}' mit anderer Kopfzeile, nicht eingelesen",
    "field_count": "{count} Felder statt {width}",
}

# the canonical fields of a profile's [columns] and what each means
FIELD_LABELS: dict[str, str] = {
    "case_id": "Vorgangs-ID",
    "activity": "Tätigkeit/Aktivität",
    "start": "Beginn (Datum und Uhrzeit)",
    "end": "Ende/Zeitstempel (Datum und Uhrzeit)",
    "start_date": "Beginn-Datum",
    "start_time": "Beginn-Uhrzeit",
    "end_date": "Datum",
    "end_time": "Uhrzeit",
    "resource": "Sachbearbeitung",
    "team": "Team",
    "office": "Dienststelle",
    "case_type": "Verfahrensart",
    "lifecycle": "Lebenszyklus (start/complete)",
    "milestone_date": "Datum zu Meilensteinen mit reiner Uhrzeit",
}


def problem(code: str, part: str, /, **values: object) -> str:
    """One part (found, expected, hint, ...) of the message of an input problem, filled in."""
    return PROBLEMS[code][part].format(**values)


# a profile that cannot work (InputProblem ``bad_profile``): key -> (found, expected, hint)
PROFILE_PROBLEMS: dict[str, tuple[str, str, str]] = {
    "not_a_section_map": ("[{section}] ist kein Abschnitt", "[{section}] mit Einträgen \"Spalte\" = \"Wert\"",
                          "Korrigieren Sie den Abschnitt im Profil."),
    "no_name": ("kein Profilname", "[profile] name = \"...\"", "Geben Sie dem Profil einen eindeutigen Namen."),
    "not_a_section": ("[{section}] ist kein Abschnitt", "[{section}] mit Einträgen", "Korrigieren Sie das Profil."),
    "not_a_list": ("{key} = {value} in [{section}]", "eine Liste, z. B. {key} = [\"...\"]",
                   "Schreiben Sie die Werte in eckige Klammern."),
    "bad_shape": ("shape = \"{value}\"", "events, lifecycle oder milestones", "Korrigieren Sie shape im Profil."),
    "bad_format": ("format = \"{value}\"", "{formats}", "Korrigieren Sie format im Profil."),
    "unknown_field": ("unbekanntes Feld '{field}' in [columns]{nearest}", "eines von: {fields}",
                      "Korrigieren Sie den Feldnamen links vom Gleichheitszeichen."),
    "unknown_activity": ("Aktivitätsschlüssel '{key}' für '{label}'{nearest}",
                         "ein Schlüssel aus dem Katalog (DOMAIN §7.1), z. B. application_received",
                         "Korrigieren Sie den Eintrag in [activities]."),
    "unknown_case_type": ("Verfahrensart '{case_type}' für '{code}'{nearest}", "ein Code aus dem Katalog, z. B. AE_EDU",
                          "Korrigieren Sie den Eintrag in [case_types]."),
    "milestones_incomplete": ("Meilenstein-Profil ohne case_id oder ohne [milestones]",
                              "[columns] case_id und [milestones] \"Datumsspalte\" = \"Tätigkeit\"",
                              "Ergänzen Sie die fehlenden Angaben im Profil."),
    "milestone_start_unknown": ("[milestone_starts] \"{start}\" = \"{end}\": '{end}' steht nicht in [milestones]",
                                "als Wert eine Spalte aus [milestones] (das Ende des Schritts)",
                                "Tragen Sie die Ende-Spalte in [milestones] ein oder korrigieren Sie den Eintrag."),
    "missing_mapping": ("fehlende Zuordnung für {fields}", "[columns] mit case_id, activity und end (oder end_date + end_time)",
                        "Ergänzen Sie die Zuordnung im Profil."),
    "lifecycle_without_column": ("shape = \"lifecycle\" ohne Spalte lifecycle", "[columns] lifecycle = \"Status\"",
                                 "Tragen Sie die Spalte mit start/complete ein."),
    "bad_decimal": ("decimal = \"{value}\"", "\",\" oder \".\"", "Korrigieren Sie decimal im Profil."),
    "personal_extra": ("[extra] übernimmt Spalten, die personenbezogen aussehen: {columns}",
                       "personenbezogene Spalten nur mit ausdrücklichem Eintrag in [privacy] keep",
                       "Streichen Sie die Spalten aus [extra] oder tragen Sie sie bewusst in [privacy] keep = [...] ein "
                       "(sie stehen dann im Klartext im Ereignisprotokoll)."),
    "clear_ids": ("[privacy] pseudonymise ohne {fields} (Kennungen blieben im Klartext)",
                  "pseudonymise = [\"case_id\", \"resource\"]",
                  "Tragen Sie die Felder wieder ein; nur wenn Klartext-Kennungen ausdrücklich gewollt sind, "
                  "procmine mit --no-pseudonymise aufrufen (der Bericht vermerkt das)."),
    "bad_timezone": ("timezone = \"{value}\"", "eine Zeitzone wie \"Europe/Berlin\"", "Korrigieren Sie timezone im Profil."),
    "bad_land": ("land = \"{value}\" ist kein Kürzel eines Bundeslandes",
                 "eines der Kürzel {codes} (z. B. \"BY\" für Bayern)",
                 "Korrigieren Sie land im Profil (es bestimmt, welche Feiertage nicht als Arbeitszeit zählen)."),
    "bad_plausible_start": ("plausible_start = \"{value}\"", "ein Datum wie \"1990-01-01\"",
                            "Korrigieren Sie plausible_start im Profil."),
    "bad_delimiter": ("delimiter = \"{value}\"", "ein Zeichen wie \";\", \",\", \"tab\" oder \"auto\"",
                      "Korrigieren Sie delimiter im Profil."),
    "quote_delimiter": ("delimiter = {value}", "ein Trennzeichen wie \";\" oder \",\"", "Korrigieren Sie delimiter im Profil."),
    "bad_date_format": ("date_format = \"{value}\"", "auto oder ein Format wie \"%d.%m.%Y %H:%M\"",
                        "Korrigieren Sie date_format im Profil."),
    "bad_toml": ("kein gültiges TOML ({error})", "ein Profil im TOML-Format (siehe docs/architecture.md)",
                 "Korrigieren Sie die genannte Stelle in der Profildatei."),
    "unreadable": ("Profil nicht lesbar ({error})", "eine UTF-8-Textdatei", "Prüfen Sie den Pfad."),
    "unknown_profile": ("kein Profil '{name}'{nearest}", "eines von: {names}",
                        "Geben Sie einen vorhandenen Profilnamen oder den Pfad einer .toml-Datei an."),
}
PROFILE_NEAREST = " (meinten Sie '{word}'?)"
PROFILE_SUGGESTION = "Vorschlag für {file} (bitte prüfen)"


def profile_problem(key: str, /, **values: object) -> tuple[str, str, str]:
    """found, expected and hint of a profile problem, filled in."""
    return tuple(part.format(**values) for part in PROFILE_PROBLEMS[key])  # type: ignore[return-value]


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
# progress lines of a run (procmine.pipeline)
PROGRESS: dict[str, str] = {
    "group_files": "{folder}/ ({count} Dateien)",
    "reading": "[{number}/{total}] Einlesen: {label}",
    "skipped": "      ✗ übersprungen: {message}",
    "profile_from": "      Profil aus {name}",
    "rows_read": "{rows} Zeilen gelesen",
    "rows_normalised": "{rows} Zeilen normalisiert",
    "rows_checking": "{rows} Zeilen werden geprüft",
    "rows_elapsed": "      … {text} ({seconds:.0f} s)",
    "counts": "      {read} Zeilen gelesen = {kept} übernommen + {quarantined} in Quarantäne; {events} Ereignisse",
    "read_together": "      {offices}: {count} Dateien gemeinsam eingelesen (Überschneidungen werden erkannt)",
    "analysing": "Analyse von {count} Dienststelle(n) …",
    "writing_reports": "Berichte schreiben …",
}


def progress_text(key: str, /, **values: object) -> str:
    """A progress line of a run, filled in."""
    return PROGRESS[key].format(**values)


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
