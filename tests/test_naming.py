"""Activity names are the office's own (issue 15): the export's label where it is readable German, the German
catalogue name where the export uses a code or English, a catalogue gloss only where it adds meaning, and the
Methodik appendix says which naming the report uses."""

from __future__ import annotations

import re

import pytest
from report_fixtures import ENGLISH_STEPS, english_log, receipt_log
from test_report import ENGLISH_WORDS as ENGLISH_IN_TEXT
from test_report import RAW_CODE, _main_text

from procmine import catalogue
from procmine.analyse import analyse_office
from procmine.labels_de.words import ENGLISH_WORDS, SHARED_WORDS
from procmine.report import build
from procmine.report.cells import activity_label, activity_text, display_names, gloss, is_code, is_english, readable_german
from procmine.report.render import process_map_svg, render_office_html

from conftest import NOW

# the same six steps as a German vendor, an English (XES) vendor and a vendor of upper-case codes name them
GERMAN = {"Application received": "Antrag eingegangen", "Appointment requested": "Terminwunsch eingegangen",
          "Appointment scheduled": "Termin gebucht", "Documents requested": "Nachforderung Unterlagen",
          "Decision: approved": "Bescheid: Erteilung", "Case closed": "Vorgang abgeschlossen"}
CODES = {"Application received": "ANTRAG_EINGANG", "Appointment requested": "TERMIN_ANFRAGE",
         "Appointment scheduled": "TERMIN_VERGABE", "Documents requested": "NACHFORDERUNG",
         "Decision: approved": "BEWILLIGUNG", "Case closed": "ABSCHLUSS"}


def test_codes_english_and_german_names_are_told_apart():
    assert not readable_german("<b>Antrag</b>") and not readable_german("{{ Termin }}")  # markup is no name
    for code in ("TERMIN_VERGABE", "AUFRUF", "CHECKIN", "4711", "documents_requested", "BA_FIKTION"):
        assert is_code(code) and not readable_german(code), code
    for english in ("Application received", "Status inquiry received", "BA consent requested", "eAT ordered",
                    "Checked in", "Servicepoint contact", "Decision: approved"):
        assert is_english(english) and not readable_german(english), english
    for german in ("AZR-Abfrage", "Persönliche Vorsprache durchgeführt", "Termin gebucht", "eAT-Aushändigung",
                   "Servicepoint-Kontakt", "Check-in / Wartemarke gezogen", "BA-Zustimmung fingiert", "Register geprüft"):
        assert readable_german(german), german


def test_the_word_list_knows_every_word_of_the_catalogue_keys():
    """The catalogue's keys are English: an export that writes them out ("Ba consent deemed") is recognised."""
    words = {w for key in catalogue.ACTIVITIES for w in key.split("_") if len(w) > 1}
    assert not words - ENGLISH_WORDS - SHARED_WORDS
    assert all(is_english(key.replace("_", " ").capitalize()) or is_code(key) for key in catalogue.ACTIVITIES)


def test_each_case_gets_its_name():
    # readable German: the office's own name, even where the catalogue words it differently
    assert activity_label("Termin gebucht", "appointment_scheduled") == "Termin gebucht"
    assert activity_label("AZR-Abfrage", "register_checked") == "AZR-Abfrage"
    # English and codes: the German catalogue name
    assert activity_label("Appointment scheduled", "appointment_scheduled") == "Termin vergeben"
    assert activity_label("TERMIN_VERGABE", "appointment_scheduled") == "Termin vergeben"
    # no catalogue step: as in the export, whatever it is
    assert activity_label("TERMIN_XY", None) == "TERMIN_XY" and activity_label("Coffee break", None) == "Coffee break"


def test_a_gloss_only_where_it_adds_meaning():
    # an abbreviation the catalogue spells out, and a name sharing no word with the catalogue's: glossed
    assert gloss("VE unterzeichnet", "guarantee_signed") == "Verpflichtungserklärung unterzeichnet/ausgehändigt"
    assert activity_text("Bescheid: Erteilung", "decision_approved") == "Bescheid: Erteilung (Entscheidung: bewilligt)"
    # the same words (or the abbreviation the catalogue uses too): no gloss
    for own, key in (("Termin gebucht", "appointment_scheduled"), ("AZR-Abfrage", "register_checked"),
                     ("Aktenanforderung", "file_requested"), ("eAT-Aushändigung", "eat_handed_over"),
                     ("Vorgang abgeschlossen", "case_closed")):
        assert gloss(own, key) == "" and activity_text(own, key) == own, own
    # a replaced name is never glossed with the English or the code it replaces
    assert activity_text("TERMIN_VERGABE", "appointment_scheduled") == "Termin vergeben"


def test_two_codes_of_one_step_stay_apart():
    names = display_names(["TERMIN_A", "TERMIN_B", "Termin vergeben"], {n: "appointment_scheduled" for n in
                                                                       ("TERMIN_A", "TERMIN_B", "Termin vergeben")})
    assert names == {"TERMIN_A": "Termin vergeben (TERMIN_A)", "TERMIN_B": "Termin vergeben (TERMIN_B)",
                     "Termin vergeben": "Termin vergeben"}


def _office(office: str, rename: dict[str, str]):
    log = english_log(office, cases=60)
    log["activity"] = log["activity"].astype(str).map(lambda x: rename.get(x, x)).astype("category")
    a = analyse_office(log, office=office, discover=False)
    r = build.build_office_report(a, None, None, now=NOW)
    return a, r, render_office_html(r)


def _shown_steps(r) -> set[str]:
    return {n.label for m in r.map_levels for n in m.nodes if n.kind == "activity"}


@pytest.mark.parametrize("vendor", ["german", "english", "codes"])
def test_report_of_each_naming(vendor):
    rename = {"german": GERMAN, "english": {}, "codes": CODES}[vendor]
    a, r, html = _office("ABH-N", rename)
    text = _main_text(html)
    words = set(re.findall(r"[A-Za-zÄÖÜäöüß]+", text.lower()))
    assert not [w for w in ENGLISH_IN_TEXT if (w in words if " " not in w else w in text.lower())]
    assert not RAW_CODE.findall(text), RAW_CODE.findall(text)[:5]
    steps = _shown_steps(r)
    methodik = r.sections["definitions"]
    naming = [t for t in methodik.tables if t.caption == "Namen der Schritte"]
    assert not [c.value for t in methodik.tables for row in t.rows for c in row if "{" in str(c.value)]  # all filled in
    if vendor == "german":  # the office's own names in map, text and tables; nothing replaced
        assert set(GERMAN.values()) >= steps >= {"Termin gebucht", "Bescheid: Erteilung"}
        assert "Termin gebucht" in text and "Termin vergeben" not in text
        assert not naming and "Export der Dienststelle" in " ".join(methodik.paragraphs)
        assert "Bescheid: Erteilung (Entscheidung: bewilligt)" in html  # a table of steps adds the gloss
    else:  # codes and English give way to the catalogue; the appendix lists what stands for what
        german = {catalogue.ACTIVITIES[key] for _, key, _ in ENGLISH_STEPS}
        assert steps <= german and "Termin vergeben" in steps
        assert naming and {row[0].value for row in naming[0].rows} == set(rename.values() or GERMAN)
        assert "Code oder englisch benennt (6 Schritte)" in " ".join(methodik.paragraphs)
        appendix = html[html.index('<section id="methodik"'):]
        assert (CODES["Appointment scheduled"] if vendor == "codes" else "Appointment scheduled") in appendix
    svg = " ".join(str(process_map_svg(m)) for m in r.map_levels)
    assert "Termin gebucht" in svg if vendor == "german" else "Termin vergeben" in svg


def _receipt():
    raw, log = receipt_log()
    return raw, analyse_office(log, office="receipt", discover=False)


def test_real_log_without_catalogue_keeps_its_names_and_says_so():
    """receipt.csv (a Dutch municipality, English step names, no catalogue step): the generic report shows the
    names as the export has them, says in the appendix that they are not translated, and no catalogue name."""
    raw, a = _receipt()
    r = build.build_office_report(a, None, None, now=NOW)
    assert r.generic
    steps = _shown_steps(r)
    assert steps and steps <= set(raw["concept:name"])  # never a catalogue name for a step the catalogue lacks
    assert "Confirmation of receipt" in steps
    note = " ".join(r.sections["definitions"].paragraphs)
    n_foreign = sum(not readable_german(x) for x in raw["concept:name"].unique())
    assert 2 * n_foreign > raw["concept:name"].nunique() and f"nicht übersetzt, auch wo der Export englische Namen oder Codes nutzt ({n_foreign} Schritte)" in note
    assert not [t for t in r.sections["definitions"].tables if t.caption == "Namen der Schritte"]
    html = render_office_html(r)
    assert "Ausländerbehörde" not in html and "Katalog" not in note


def test_no_report_label_shows_a_raw_key():
    """A report sentence never names a raw key ('dropped_columns' stood in the data-quality note); placeholders and
    error messages for the operator aside."""
    from procmine.labels_de.report import LABELS

    found = {k: RAW_CODE.findall(re.sub(r"\{[^}]*\}", "", str(v))) for k, v in LABELS.items() if not k.startswith("error.")}
    assert not {k: v for k, v in found.items() if v}
