"""Domain catalogue (DOMAIN.md §7): activities, case types, norms and bottleneck patterns.

Keys are English identifiers used in code; the German labels here are the ones users read for
domain terms (activity and case-type names). Report wording lives in `labels_de/report.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

# canonical activity key -> German label (DOMAIN §7.1, in process order)
ACTIVITIES: dict[str, str] = {
    "expiry_reminder_sent": "Erinnerungsschreiben vor Ablauf versandt",
    "application_received": "Antrag/Anliegen eingegangen",
    "appointment_requested": "Terminanfrage gestellt",
    "appointment_scheduled": "Termin vergeben",
    "appointment_cancelled": "Termin abgesagt / umgebucht",
    "appointment_no_show": "Termin nicht wahrgenommen",
    "checked_in": "Check-in / Wartemarke gezogen",
    "called": "Aufruf an Schalter/Platz",
    "servicepoint_contact": "Vorsprache am Servicepoint (Triage)",
    "appearance_completed": "Persönliche Vorsprache durchgeführt",
    "identity_verified": "Identität/Pass geprüft",
    "biometrics_captured": "Lichtbild und Fingerabdrücke erfasst",
    "status_inquiry_received": "Sachstandsanfrage eingegangen",
    "completeness_checked": "Vollständigkeitsprüfung durchgeführt",
    "documents_requested": "Unterlagen nachgefordert",
    "documents_received": "Unterlagen nachgereicht",
    "file_requested": "Akte angefordert (Archiv/andere ABH)",
    "file_received": "Akte eingegangen",
    "register_checked": "AZR-/Registerabfrage durchgeführt",
    "security_check_requested": "Sicherheitsabfrage gestellt (§ 73 Abs. 2 AufenthG)",
    "security_check_completed": "Rückmeldung Sicherheitsbehörden eingegangen",
    "ba_consent_requested": "Zustimmung BA angefragt (§ 39 AufenthG)",
    "ba_consent_granted": "Zustimmung BA erteilt",
    "ba_consent_deemed": "Zustimmung BA gilt als erteilt (Fiktion, § 36 Abs. 2 BeschV)",
    "ba_consent_refused": "Zustimmung BA versagt",
    "recognition_requested": "Anerkennungsverfahren eingeleitet",
    "recognition_decided": "Anerkennungsbescheid eingegangen",
    "other_agency_consulted": "Beteiligung sonstiger Stellen (Jobcenter, BAMF, Standesamt, Auslandsvertretung)",
    "case_handed_over": "Weiterleitung an anderes Team / Backoffice",
    "hearing_letter_sent": "Anhörung vor Ablehnung versandt",
    "fiction_certificate_issued": "Fiktionsbescheinigung ausgestellt",
    "fiction_certificate_extended": "Fiktionsbescheinigung verlängert",
    "decision_approved": "Entscheidung: bewilligt",
    "decision_rejected": "Entscheidung: abgelehnt",
    "application_withdrawn": "Antrag zurückgenommen / Erledigung ohne Entscheidung",
    "legal_remedy_filed": "Untätigkeitsklage / Widerspruch erhoben",
    "fee_assessed": "Gebühr festgesetzt",
    "fee_paid": "Gebühr bezahlt",
    "eat_ordered": "eAT bei Bundesdruckerei bestellt",
    "eat_received": "eAT von Bundesdruckerei eingegangen",
    "handover_scheduled": "Abholtermin vergeben",
    "eat_handed_over": "eAT ausgehändigt",
    "paper_document_issued": "Bescheinigung/Etikett ausgehändigt (Duldung, VE, Zusatzblatt)",
    "visa_consent_sent": "Vorabzustimmung / Zustimmung zum Visum übermittelt",
    "guarantee_signed": "Verpflichtungserklärung unterzeichnet/ausgehändigt",
    "work_authorisation_granted": "Beschäftigungserlaubnis erteilt / Nebenbestimmung geändert",
    "case_transferred_out": "Vorgang an andere ABH abgegeben",
    "case_closed": "Vorgang abgeschlossen",
}

# which party acts, for keys where it is not the office itself (DOMAIN §7.1 resource_role)
EXTERNAL_PARTY: dict[str, str] = {
    "security_check_completed": "external_SEC",
    "ba_consent_granted": "external_BA",
    "ba_consent_deemed": "external_BA",
    "ba_consent_refused": "external_BA",
    "recognition_decided": "external_REC",
    "eat_received": "external_BDR",
    "documents_received": "applicant",
    "status_inquiry_received": "applicant",
    "legal_remedy_filed": "applicant",
    "appointment_no_show": "applicant",
    "appointment_cancelled": "applicant",
}


# steps the applicant triggers (DOMAIN §7.1): a request, an application, an inquiry, documents handed in;
# when they happen is demand, not the office's work pattern
APPLICANT_TRIGGERED: frozenset[str] = frozenset(
    {k for k, v in EXTERNAL_PARTY.items() if v == "applicant"} | {"application_received", "appointment_requested"}
)


def office_performs(key: str | None) -> bool:
    """True for steps the office itself performs: neither triggered by the applicant nor done by
    another body (BA, security services, Bundesdruckerei). Steps without a catalogue key count as
    the office's own."""
    return key is None or (key not in APPLICANT_TRIGGERED and key not in EXTERNAL_PARTY)


@dataclass(frozen=True)
class CaseType:
    code: str
    label_de: str
    share: float  # share of cases in a mid-sized mixed office (DOMAIN §7.2, ASSUMPTION)
    touch_minutes: float  # touch time per case for the KGSt calculation (DOMAIN §7.3, ASSUMPTION)
    eat: bool  # ends with an electronic residence card from the Bundesdruckerei
    p_ba: float  # probability the Federal Employment Agency must consent
    p_secq: float  # probability of a security inquiry (§ 73 Abs. 2)


CASE_TYPES: dict[str, CaseType] = {
    c.code: c
    for c in [
        CaseType("AE_EXT", "Verlängerung Aufenthaltserlaubnis", 0.24, 45, True, 0.05, 0.05),
        CaseType("AE_FAM", "Ersterteilung AE familiäre Gründe", 0.08, 75, True, 0.0, 0.30),
        CaseType("AE_EMP", "AE Erwerbstätigkeit", 0.07, 75, True, 0.60, 0.10),
        CaseType("BLUE", "Blaue Karte EU", 0.04, 60, True, 0.20, 0.10),
        CaseType("AE_EDU", "AE Studium/Ausbildung", 0.08, 45, True, 0.0, 0.05),
        CaseType("AE_HUM", "AE humanitär", 0.12, 60, True, 0.0, 0.60),
        CaseType("NE", "Niederlassungserlaubnis / Daueraufenthalt-EU", 0.06, 90, True, 0.0, 1.0),
        CaseType("DUL", "Duldung", 0.10, 30, False, 0.15, 0.05),
        CaseType("VE", "Verpflichtungserklärung", 0.06, 20, False, 0.0, 0.0),
        CaseType("TRANSFER", "Übertrag auf neuen Pass / eAT-Neuausstellung", 0.07, 25, True, 0.0, 0.0),
        CaseType("VISA_CONSENT", "Zustimmung zum Visum / Vorabzustimmung", 0.05, 60, False, 0.10, 0.30),
        CaseType("FKV_81A", "Beschleunigtes Fachkräfteverfahren", 0.01, 90, False, 1.0, 0.0),
        CaseType("WORK_COND", "Beschäftigungserlaubnis / Auflagenänderung", 0.02, 30, False, 0.70, 0.0),
    ]
}


@dataclass(frozen=True)
class WaitNorm:
    """A legal or usual maximum for the wait between two catalogue steps (DOMAIN §2, §7.3)."""

    from_key: str
    to_key: str
    days: float
    basis: str  # "legal" or "usual"
    source: str  # where the norm comes from, in words
    external: bool  # the wait is on a body the office cannot steer
    office_may_proceed: bool = False  # after `days` the law lets the office go on (deemed consent)


WAIT_NORMS: list[WaitNorm] = [
    WaitNorm("ba_consent_requested", "ba_consent_granted", 14, "legal", "§ 36 Abs. 2 BeschV (Zustimmungsfiktion nach 2 Wochen)", True, True),
    WaitNorm("ba_consent_requested", "ba_consent_deemed", 14, "legal", "§ 36 Abs. 2 BeschV", True, True),
    WaitNorm("security_check_requested", "security_check_completed", 30, "usual", "üblich: Median 10 Tage, P90 30 Tage", True),
    WaitNorm("eat_ordered", "eat_received", 42, "usual", "Bundesdruckerei: üblich 4–6 Wochen", True),
    WaitNorm("eat_received", "eat_handed_over", 14, "usual", "Aushändigung binnen 2 Wochen (gute Praxis)", False),
    WaitNorm("appointment_requested", "appointment_scheduled", 14, "usual", "Termin binnen 14 Tagen (gute Praxis Dormagen)", False),
    WaitNorm("appointment_scheduled", "appearance_completed", 21, "usual", "Terminvorlauf Median 21 Tage", False),
    WaitNorm("file_requested", "file_received", 14, "usual", "Aktenanforderung: üblich bis 2 Wochen", False),
]

# days after which an open case carries the risk of an Untätigkeitsklage (§ 75 VwGO)
INACTION_DAYS = 90

# the DOMAIN §7.4 patterns: number -> (key, kind of finding it shows up as)
PATTERNS: dict[int, tuple[str, str]] = {
    1: ("appointment_backlog", "backlog"),
    2: ("team_shortage", "resource"),
    3: ("document_loops", "rework"),
    4: ("ba_wait", "waiting"),
    5: ("security_outage", "waiting"),
    6: ("eat_bottleneck", "waiting"),
    7: ("seasonal_surge", "backlog"),
    8: ("priority_starvation", "deadline"),
    9: ("inquiry_flood", "rework"),
    10: ("fiction_churn", "deadline"),
    11: ("handoff_pingpong", "handover"),
    12: ("visa_consent_queue", "deadline"),
    13: ("policy_shock", "drift"),
    14: ("weekly_batching", "batching"),
    15: ("booking_abuse", "no_show"),
    16: ("control", "none"),
    17: ("stuck_minority", "waiting"),
    18: ("single_point", "resource"),
    20: ("deadline_share", "deadline"),
}


# staff minutes one occurrence costs (ASSUMPTION, estimates: DOMAIN §7.3 gives none; the synthetic
# offices use 8 minutes per status inquiry); capacity findings are sized with these, labelled estimate
# appointment_no_show: the booked slot stays empty (a short appearance); repeated checks: each check
# beyond the first of a case is done again in full
MINUTES_PER_OCCURRENCE: dict[str, float] = {
    "status_inquiry_received": 8.0,
    "appointment_no_show": 30.0,
    "case_handed_over": 5.0,
    "completeness_checked": 15.0,
    "register_checked": 5.0,
    "identity_verified": 5.0,
}
HOURS_PER_FTE = 1600.0  # annual working hours of one full-time employee (DOMAIN §7.3, olev 1,560/1,644 h)

# the 16 German Länder (ISO 3166-2:DE subdivision codes): whose public holidays an office keeps
LAENDER = ("BB", "BE", "BW", "BY", "HB", "HE", "HH", "MV", "NI", "NW", "RP", "SH", "SL", "SN", "ST", "TH")

# contacts that pile up while a case waits: repeated, they are a symptom of waiting, not rework
NOT_REWORK_KEYS = frozenset({"status_inquiry_received", "fiction_certificate_extended", "legal_remedy_filed"})
# events that happen while the case waits for something else (an inquiry, a bridging certificate, a complaint
# about inaction): the stretch before one of them is still the wait for the next step, so it takes that
# step's party (``time.wait_party``), never "applicant" for an office backlog
INTERPOSED_KEYS = NOT_REWORK_KEYS | {"fiction_certificate_issued"}
