"""German text of the safety checks a user reads: the pseudonymisation key (``procmine.privacy``), writing
the outputs (``procmine.outputs``) and the per-file limits (``procmine.limits``). Looked up by key;
``{name}`` fields are filled with ``str.format``. Each message ends in its code in brackets.
"""

from __future__ import annotations

# the pseudonymisation key (KeyProblem); "hint" is appended to every key message
KEY_TEXTS: dict[str, str] = {
    "hint": "Was tun: einen neuen Schlüssel erzeugen, z. B. mit python -c \"import secrets; print(secrets.token_hex(32))\", "
    "und als PROCMINE_KEY setzen oder in die Schlüsseldatei schreiben (nur für Sie lesbar, chmod 600); "
    "ohne PROCMINE_KEY legt procmine die Schlüsseldatei beim ersten Lauf selbst an, wenn sie fehlt. "
    "Achtung: mit einem neuen Schlüssel ändern sich alle Pseudonyme.",
    "key_empty": "Schlüssel für die Pseudonymisierung ({where}) ist leer. {hint} [key_empty]",
    "key_not_hex": "Schlüssel für die Pseudonymisierung ({where}) ist keine Hexadezimalzahl (erwartet: mindestens "
    "{hex_chars} Zeichen 0-9 und a-f). {hint} [key_not_hex]",
    "key_too_short": "Schlüssel für die Pseudonymisierung ({where}) ist zu kurz: {length} Byte, erwartet mindestens "
    "{min_bytes} zufällige Byte ({hex_chars} Hex-Zeichen). {hint} [key_too_short]",
    "key_not_random": "Schlüssel für die Pseudonymisierung ({where}) ist nicht zufällig (zu wenige verschiedene Werte). "
    "{hint} [key_not_random]",
    "key_unreadable": "Schlüsseldatei '{path}' lässt sich nicht lesen oder anlegen ({reason}). {hint} [key_unreadable]",
    "where_env": "Umgebungsvariable PROCMINE_KEY",
    "where_file": "Schlüsseldatei '{path}'",
}


def key_text(key: str, /, **values: object) -> str:
    """A message about the pseudonymisation key, filled in (the common hint included)."""
    return KEY_TEXTS[key].format(hint=KEY_TEXTS["hint"], **values)


# writing the outputs (OutputProblem): the reason of an OSError by errno name, then the messages
OS_REASONS: dict[str, str] = {
    "EROFS": "das Laufwerk ist schreibgeschützt",
    "ENOSPC": "das Laufwerk ist voll",
    "EDQUOT": "das Speicherkontingent ist erschöpft",
    "EACCES": "keine Schreibrechte",
    "EPERM": "keine Schreibrechte",
    "ENOTDIR": "ein Teil des Pfads ist eine Datei, kein Ordner",
    "EEXIST": "dort liegt schon eine Datei",
    "EISDIR": "dort liegt ein Ordner",
    "ENAMETOOLONG": "der Pfad ist zu lang",
}
OUTPUT_TEXTS: dict[str, str] = {
    "output_not_writable": "Ausgabe kann nicht geschrieben werden: '{where}': {reason}. Was tun: einen beschreibbaren "
    "Zielordner mit genug freiem Platz angeben (--out) und den Lauf wiederholen. [output_not_writable]",
    "out_is_a_file": "Zielordner '{out}' ist eine Datei, kein Ordner. Was tun: mit --out einen Ordner angeben. [out_is_a_file]",
    "out_in_use": "In den Zielordner '{out}' schreibt gerade ein anderer procmine-Lauf. Was tun: warten, bis er fertig "
    "ist, oder einen anderen Zielordner angeben (--out). [out_in_use]",
}


def output_text(key: str, /, **values: object) -> str:
    """A message about writing the outputs, filled in."""
    return OUTPUT_TEXTS[key].format(**values)


# a file over one of the per-file limits (InputProblem ``over_limit``)
LIMIT_TEXTS: dict[str, str] = {
    "found": "{what}: {found} (Grenze {limit})",
    "expected": "höchstens {limit}",
    "hint": "Prüfen Sie, ob die Datei wirklich ein Export ist; wenn ja, die Grenze mit {option} erhöhen.",
    # what was counted (the ``what`` of ``limits.check``)
    "decompressed_size": "entpackte Größe",
    "decompressed_size_min": "entpackte Größe (mindestens)",
    "header_columns": "Spalten in der Kopfzeile",
    "cells": "Zellen (Zeilen × Spalten)",
    "sheet_rows": "Zeilen eines Tabellenblatts",
    "sheet_columns": "Spalten eines Tabellenblatts",
    "sheet_cells": "Zellen eines Tabellenblatts (Zeilen × Spalten)",
    "xes_attributes": "verschiedene Attribute",
    "xes_events": "Ereignisse",
}


def limit_text(key: str, /, **values: object) -> str:
    """A part of the message of a file over a limit, or the name of what was counted, filled in."""
    return LIMIT_TEXTS[key].format(**values)
