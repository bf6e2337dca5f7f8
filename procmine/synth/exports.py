"""Vendor-shaped exports of a simulated office, the canonical log that matches them, and injected defects.

Five shapes (DOMAIN §3.3 is the basis; the vendors are invented): an XES-style event CSV, a German event
CSV (Windows-1252, semicolon, ``dd.mm.yyyy HH:MM``, decimal comma), a milestone-style wide CSV (one row per
case, back-office dates without time), an XLSX event table with separate date and time columns and a
lifecycle CSV (one row per start and per completion). For every shape the canonical log is built from the
same rounded values the file holds, so ``normalise(read(export))`` and ``simulate_network().logs`` agree
(apart from pseudonymisation and the defect rows, which ingest quarantines).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from procmine import schema
from procmine.catalogue import ACTIVITIES, CASE_TYPES
from procmine.synth.simulate import DAY, TZ, WINDOW_START, OfficeRun

# --- activity labels per shape ------------------------------------------------------------------

_EN_FIX = {"Ba ": "BA ", "Eat ": "eAT ", "eat ": "eAT "}


def _english(key: str) -> str:
    label = key.replace("_", " ").capitalize() + " "
    for a, b in _EN_FIX.items():
        label = label.replace(a, b)
    return label.strip()


# a vendor's own German wording (short, as case-management software shows it)
DE_VENDOR: dict[str, str] = {
    "expiry_reminder_sent": "Erinnerung Ablauf versandt",
    "application_received": "Antrag eingegangen",
    "appointment_requested": "Terminwunsch eingegangen",
    "appointment_scheduled": "Termin gebucht",
    "appointment_cancelled": "Termin storniert",
    "appointment_no_show": "Termin nicht erschienen",
    "checked_in": "Wartemarke gezogen",
    "called": "Aufruf Schalter",
    "servicepoint_contact": "Servicepoint-Kontakt",
    "appearance_completed": "Vorsprache erledigt",
    "identity_verified": "Identitätsprüfung",
    "biometrics_captured": "Biometrie erfasst",
    "status_inquiry_received": "Sachstandsanfrage",
    "completeness_checked": "Vollständigkeitsprüfung",
    "documents_requested": "Nachforderung Unterlagen",
    "documents_received": "Unterlagen nachgereicht",
    "file_requested": "Aktenanforderung",
    "file_received": "Akte eingegangen",
    "register_checked": "AZR-Abfrage",
    "security_check_requested": "Sicherheitsabfrage § 73 gestellt",
    "security_check_completed": "Sicherheitsabfrage Rückmeldung",
    "ba_consent_requested": "BA-Zustimmung angefragt",
    "ba_consent_granted": "BA-Zustimmung erteilt",
    "ba_consent_deemed": "BA-Zustimmung fingiert",
    "ba_consent_refused": "BA-Zustimmung versagt",
    "recognition_requested": "Anerkennung eingeleitet",
    "recognition_decided": "Anerkennungsbescheid",
    "other_agency_consulted": "Beteiligung andere Stelle",
    "case_handed_over": "Abgabe an Sachgebiet",
    "hearing_letter_sent": "Anhörung versandt",
    "fiction_certificate_issued": "Fiktionsbescheinigung erteilt",
    "fiction_certificate_extended": "Fiktionsbescheinigung verlängert",
    "decision_approved": "Bescheid: Erteilung",
    "decision_rejected": "Bescheid: Ablehnung",
    "application_withdrawn": "Rücknahme/Erledigung",
    "legal_remedy_filed": "Widerspruch/Klage eingegangen",
    "fee_assessed": "Gebühr festgesetzt",
    "fee_paid": "Gebühr bezahlt",
    "eat_ordered": "eAT-Bestellung",
    "eat_received": "eAT-Eingang Bundesdruckerei",
    "handover_scheduled": "Abholtermin vergeben",
    "eat_handed_over": "eAT-Aushändigung",
    "paper_document_issued": "Bescheinigung ausgehändigt",
    "visa_consent_sent": "Zustimmung Visum übermittelt",
    "guarantee_signed": "VE unterzeichnet",
    "work_authorisation_granted": "Beschäftigungserlaubnis erteilt",
    "case_transferred_out": "Abgabe an andere ABH",
    "case_closed": "Vorgang abgeschlossen",
}

# a lifecycle-logging vendor with upper-case step codes
LIFECYCLE_CODES: dict[str, str] = {
    "application_received": "ANTRAG_EINGANG", "appointment_requested": "TERMIN_ANFRAGE",
    "appointment_scheduled": "TERMIN_VERGABE", "appointment_no_show": "TERMIN_NICHT_ERSCHIENEN",
    "checked_in": "CHECKIN", "called": "AUFRUF", "servicepoint_contact": "SERVICEPOINT",
    "appearance_completed": "VORSPRACHE", "identity_verified": "ID_PRUEFUNG",
    "biometrics_captured": "BIOMETRIE", "status_inquiry_received": "SACHSTANDSANFRAGE",
    "completeness_checked": "VOLLSTAENDIGKEIT", "documents_requested": "NACHFORDERUNG",
    "documents_received": "NACHREICHUNG", "file_requested": "AKTE_ANGEFORDERT",
    "file_received": "AKTE_EINGANG", "register_checked": "AZR_ABFRAGE",
    "security_check_requested": "SIA_GESTELLT", "security_check_completed": "SIA_RUECKMELDUNG",
    "ba_consent_requested": "BA_ANFRAGE", "ba_consent_granted": "BA_ZUSTIMMUNG",
    "ba_consent_deemed": "BA_FIKTION", "ba_consent_refused": "BA_VERSAGUNG",
    "recognition_requested": "ANERKENNUNG_EINGELEITET", "recognition_decided": "ANERKENNUNG_BESCHEID",
    "other_agency_consulted": "BETEILIGUNG", "case_handed_over": "WEITERLEITUNG",
    "hearing_letter_sent": "ANHOERUNG", "fiction_certificate_issued": "FIKTION_ERTEILT",
    "fiction_certificate_extended": "FIKTION_VERLAENGERT", "decision_approved": "BEWILLIGUNG",
    "decision_rejected": "ABLEHNUNG", "application_withdrawn": "RUECKNAHME",
    "legal_remedy_filed": "RECHTSBEHELF", "fee_paid": "ZAHLUNG", "eat_ordered": "EAT_BESTELLUNG",
    "eat_received": "EAT_EINGANG", "handover_scheduled": "ABHOLTERMIN", "eat_handed_over": "EAT_AUSGABE",
    "paper_document_issued": "BESCHEINIGUNG", "visa_consent_sent": "VISUM_ZUSTIMMUNG",
    "guarantee_signed": "VE_UNTERZEICHNET", "work_authorisation_granted": "BESCHAEFTIGUNG_ERLAUBT",
    "case_closed": "ABSCHLUSS",
}

LABELS: dict[str, dict[str, str]] = {
    "xes_events_csv": {k: _english(k) for k in ACTIVITIES},
    "de_events_csv": {k: DE_VENDOR.get(k, v) for k, v in ACTIVITIES.items()},
    "de_milestones_csv": dict(ACTIVITIES),
    "de_events_xlsx": dict(ACTIVITIES),
    "de_lifecycle_csv": {k: LIFECYCLE_CODES.get(k, k.upper()) for k in ACTIVITIES},
}

# case-type codes per shape (export code -> catalogue code is the inverse, written into the profiles)
PARAGRAPH_CODES: dict[str, str] = {
    "AE_EXT": "§ 8", "AE_FAM": "§§ 27-36", "AE_EMP": "§§ 18a/18b", "BLUE": "§ 18g", "AE_EDU": "§ 16b",
    "AE_HUM": "§ 25", "NE": "§ 9", "DUL": "§ 60a", "VE": "§ 68", "TRANSFER": "Übertrag eAT",
    "VISA_CONSENT": "§ 31 AufenthV", "FKV_81A": "§ 81a", "WORK_COND": "§ 4a",
}
XLSX_CODES: dict[str, str] = {
    "AE_EXT": "Verlängerung", "AE_FAM": "Familie", "AE_EMP": "Erwerb", "BLUE": "Blaue Karte",
    "AE_EDU": "Studium/Ausbildung", "AE_HUM": "Humanitär", "NE": "Niederlassung", "DUL": "Duldung",
    "VE": "Verpflichtungserklärung", "TRANSFER": "Übertrag", "VISA_CONSENT": "Vorabzustimmung Visum",
    "FKV_81A": "Fachkräfteverfahren", "WORK_COND": "Beschäftigung/Auflage",
}
CASE_TYPE_CODES: dict[str, dict[str, str]] = {
    "xes_events_csv": {c: c for c in CASE_TYPES},
    "de_events_csv": PARAGRAPH_CODES,
    "de_milestones_csv": {c: ct.label_de for c, ct in CASE_TYPES.items()},
    "de_events_xlsx": XLSX_CODES,
    "de_lifecycle_csv": {c: c for c in CASE_TYPES},
}

# milestone columns: header -> catalogue key (first occurrence per case); front-office ones carry a time
MILESTONES: list[tuple[str, str, bool]] = [
    ("Eingang", "application_received", True),
    ("Termin angefragt", "appointment_requested", True),
    ("Termin vergeben", "appointment_scheduled", True),
    ("Vorsprache", "appearance_completed", True),
    ("Vollständigkeit geprüft", "completeness_checked", False),
    ("Nachforderung", "documents_requested", False),
    ("Unterlagen eingegangen", "documents_received", False),
    ("BA angefragt", "ba_consent_requested", False),
    ("BA Zustimmung", "ba_consent_granted", False),
    ("BA Zustimmungsfiktion", "ba_consent_deemed", False),
    ("Sicherheitsabfrage", "security_check_requested", False),
    ("Rückmeldung Sicherheit", "security_check_completed", False),
    ("Fiktionsbescheinigung", "fiction_certificate_issued", False),
    ("Entscheidung Erteilung", "decision_approved", False),
    ("Entscheidung Ablehnung", "decision_rejected", False),
    ("eAT bestellt", "eat_ordered", False),
    ("eAT eingegangen", "eat_received", False),
    ("eAT ausgegeben", "eat_handed_over", True),
    ("Bescheinigung ausgegeben", "paper_document_issued", True),
    ("Zustimmung Visum", "visa_consent_sent", False),
    ("Abschluss", "case_closed", True),
]

PERSONAL: dict[str, list[str]] = {
    "xes_events_csv": ["case:applicant", "case:birthdate"],
    "de_events_csv": ["Name", "Geburtsdatum", "Aktenzeichen", "Vermerk"],
    "de_milestones_csv": ["Aktenzeichen", "Name", "Geburtsdatum", "Bemerkung"],
    "de_events_xlsx": ["Name", "Geburtsdatum", "Bemerkung"],
    "de_lifecycle_csv": ["Name", "Geburtsdatum"],
}
FILE_SUFFIX = {
    "xes_events_csv": ".csv", "de_events_csv": ".csv", "de_milestones_csv": ".csv",
    "de_events_xlsx": ".xlsx", "de_lifecycle_csv": ".csv",
}
GIVEN_NAMES = ["Amira", "Bogdan", "Chiara", "Dawit", "Elif", "Farid", "Grażyna", "Hüseyin", "Ines", "Jonas",
               "Kateryna", "Luís", "Maryam", "Nikolai", "Olusegun", "Priya", "Radu", "Söhret", "Tomás", "Yara"]
REMARKS = ["", "", "", "Rückruf erbeten", "Pass läuft ab – Fiktion prüfen", "Unterlagen unvollständig",
           "Dolmetscher Arabisch", "Arbeitgeber angefragt", "Übersetzung fehlt", "Kunde verärgert (Telefon)",
           "Gebührenbefreiung prüfen", "Familienangehörige mit Vorgang verknüpft", "Eilt! Abschiebungsschutz"]


@dataclass
class ExportTable:
    """One office's export before writing: the raw table (strings/cells), its canonical log, defects."""

    office: str
    shape: str
    table: pd.DataFrame
    log: pd.DataFrame
    defects: dict[str, int] = field(default_factory=dict)
    personal_columns: list[str] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        return self.office + FILE_SUFFIX[self.shape]


# --- building ------------------------------------------------------------------------------------


def _local(minutes: np.ndarray) -> pd.Series:
    """Simulation minutes -> tz-aware Europe/Berlin timestamps (NaT stays NaT)."""
    base = pd.Timestamp(WINDOW_START)
    seconds = np.round(np.asarray(minutes, dtype=float) * 60.0)
    local = pd.Series(base + pd.to_timedelta(seconds, unit="s"))
    return local.dt.tz_localize(TZ, ambiguous=np.zeros(len(local), dtype=bool), nonexistent="shift_forward")


def _personal(run: OfficeRun, seed: int) -> pd.DataFrame:
    """Fictitious personal data per case (names from a small invented list), dropped by the profiles."""
    rng = np.random.default_rng(seed)
    n = len(run.cases)
    given = np.array(GIVEN_NAMES)[rng.integers(0, len(GIVEN_NAMES), n)]
    birth = pd.Timestamp("1950-01-01") + pd.to_timedelta(rng.integers(0, 365 * 55, n), unit="D")
    year = (WINDOW_START.year + run.cases["arrival"].to_numpy() // (365 * DAY)).astype(int) % 100
    letter = run.cases["surname"].str[0].str.upper()
    return pd.DataFrame({
        "name": run.cases["surname"].to_numpy() + ", " + given,
        "birth": birth.strftime("%d.%m.%Y"),
        "file_no": [f"{run.config.name[-2:]}-{i + 1:05d}/{y:02d}-{ch}" for i, y, ch in
                    zip(range(n), year, letter)],
        "remark": np.array(REMARKS, dtype=object)[rng.integers(0, len(REMARKS), n)],
    })


def _events(run: OfficeRun, shape: str, unit: str) -> pd.DataFrame:
    """True events joined with case attributes, times rounded to what the shape stores."""
    ev = run.events.merge(run.cases[["idx", "case_id", "case_type", "team"]].rename(
        columns={"idx": "case_idx", "team": "case_team"}), on="case_idx", how="left")
    step = 60.0 if unit == "second" else 1.0
    ev["end"] = np.floor(ev["end"] * step + 1e-6) / step
    ev["start"] = np.floor(ev["start"] * step + 1e-6) / step
    ev["start"] = ev["start"].where(ev["start"] <= ev["end"])
    ev["end_local"] = _local(ev["end"].to_numpy()).set_axis(ev.index)
    ev["start_local"] = _local(ev["start"].to_numpy()).set_axis(ev.index)
    ev["activity"] = ev["key"].map(LABELS[shape])
    return ev


def _canonical(ev: pd.DataFrame, office: str, file_name: str, precision: pd.Series | str,
               source_row: np.ndarray, with_start: bool) -> pd.DataFrame:
    """The canonical log of the recorded events (case_id not pseudonymised, for tests)."""
    log = pd.DataFrame({
        schema.CASE_ID: ev["case_id"].to_numpy(),
        schema.ACTIVITY: ev["activity"].to_numpy(),
        schema.ACTIVITY_KEY: ev["key"].to_numpy(),
        schema.START: _ser(ev["start_local"]).dt.tz_convert("UTC") if with_start else pd.NaT,
        schema.END: _ser(ev["end_local"]).dt.tz_convert("UTC"),
        schema.PRECISION: precision if isinstance(precision, str) else precision.to_numpy(),
        schema.RESOURCE: ev["resource"].to_numpy(),
        schema.TEAM: ev["team"].to_numpy(),
        schema.OFFICE: office,
        schema.CASE_TYPE: ev["case_type"].to_numpy(),
        schema.EVENT_SEQ: np.arange(len(ev), dtype=np.int64),
        schema.SOURCE_FILE: file_name,
        schema.SOURCE_ROW: source_row.astype(np.int64),
    })
    return schema.sort_log(schema.conform(log))


def _ser(ts: pd.Series) -> pd.Series:
    """A tz-aware series with a fresh 0..n-1 index (keeps the dtype, unlike ``to_numpy``)."""
    return ts.reset_index(drop=True)


def _fmt(ts: pd.Series, fmt: str) -> pd.Series:
    out = _ser(ts).dt.strftime(fmt)
    return out.fillna("")


def _iso(ts: pd.Series) -> pd.Series:
    s = _fmt(ts, "%Y-%m-%dT%H:%M:%S%z")
    return s.where(s == "", s.str[:-2] + ":" + s.str[-2:])


def _fee_de(fee: pd.Series) -> pd.Series:
    return fee.map(lambda v: "" if pd.isna(v) else f"{v:.2f}".replace(".", ","))


def build_export(run: OfficeRun, seed: int) -> ExportTable:
    """Render one office's run in its export shape, with defects injected and recorded."""
    shape = run.config.export_shape
    office = run.config.name
    file_name = office + FILE_SUFFIX[shape]
    pers = _personal(run, seed)
    builder = {
        "xes_events_csv": _xes, "de_events_csv": _de_events, "de_milestones_csv": _milestones,
        "de_events_xlsx": _xlsx, "de_lifecycle_csv": _lifecycle,
    }[shape]
    table, log_parts = builder(run, shape, pers)
    table, row_of, defects = _inject_defects(table, shape, random.Random(seed))
    ev, precision, with_start, rows = log_parts
    log = _canonical(ev, office, file_name, precision, row_of[rows] + 2, with_start)
    return ExportTable(office, shape, table, log, defects, PERSONAL[shape])


def _xes(run: OfficeRun, shape: str, pers: pd.DataFrame) -> tuple[pd.DataFrame, tuple]:
    ev = _events(run, shape, "second")
    codes = CASE_TYPE_CODES[shape]
    p = pers.iloc[ev["case_idx"].to_numpy()]
    table = pd.DataFrame({
        "case:concept:name": ev["case_id"].to_numpy(),
        "concept:name": ev["activity"].to_numpy(),
        "time:timestamp": _iso(ev["end_local"]).to_numpy(),
        "start_timestamp": _iso(ev["start_local"]).to_numpy(),
        "org:resource": ev["resource"].fillna("").to_numpy(),
        "org:group": ev["team"].fillna("").to_numpy(),
        "case:type": ev["case_type"].map(codes).to_numpy(),
        "lifecycle:transition": "complete",
        "cost:amount": ev["fee"].map(lambda v: "" if pd.isna(v) else f"{v:.2f}").to_numpy(),
        "case:applicant": p["name"].to_numpy(),
        "case:birthdate": p["birth"].to_numpy(),
    })
    return table, (ev, "second", True, np.arange(len(ev)))


def _de_events(run: OfficeRun, shape: str, pers: pd.DataFrame) -> tuple[pd.DataFrame, tuple]:
    ev = _events(run, shape, "minute")
    p = pers.iloc[ev["case_idx"].to_numpy()]
    remark = np.where(ev["key"].to_numpy() == "application_received", p["remark"].to_numpy(), "")
    table = pd.DataFrame({
        "Vorgangsnummer": ev["case_id"].to_numpy(),
        "Verfahrensart": ev["case_type"].map(CASE_TYPE_CODES[shape]).to_numpy(),
        "Tätigkeit": ev["activity"].to_numpy(),
        "Beginn": _fmt(ev["start_local"], "%d.%m.%Y %H:%M").to_numpy(),
        "Ende": _fmt(ev["end_local"], "%d.%m.%Y %H:%M").to_numpy(),
        "Sachbearbeiter": ev["resource"].fillna("").to_numpy(),
        "Team": ev["team"].fillna("").to_numpy(),
        "Gebühr": _fee_de(ev["fee"]).to_numpy(),
        "Name": p["name"].to_numpy(),
        "Geburtsdatum": p["birth"].to_numpy(),
        "Aktenzeichen": p["file_no"].to_numpy(),
        "Vermerk": remark,
    })
    return table, (ev, "minute", True, np.arange(len(ev)))


def _xlsx(run: OfficeRun, shape: str, pers: pd.DataFrame) -> tuple[pd.DataFrame, tuple]:
    ev = _events(run, shape, "minute")
    p = pers.iloc[ev["case_idx"].to_numpy()]
    end = _ser(ev["end_local"])
    table = pd.DataFrame({
        "Vorgang": ev["case_id"].to_numpy(),
        "Art": ev["case_type"].map(CASE_TYPE_CODES[shape]).to_numpy(),
        "Tätigkeit": ev["activity"].to_numpy(),
        "Datum": end.dt.tz_localize(None).dt.normalize().to_numpy(),
        "Uhrzeit": _fmt(end, "%H:%M").to_numpy(),
        "Bearbeiter": ev["resource"].fillna("").to_numpy(),
        "Sachgebiet": ev["team"].fillna("").to_numpy(),
        "Gebühr (EUR)": ev["fee"].to_numpy(),
        "Name": p["name"].to_numpy(),
        "Geburtsdatum": p["birth"].to_numpy(),
        "Bemerkung": np.where(ev["key"].to_numpy() == "application_received", p["remark"].to_numpy(), ""),
    })
    return table, (ev, "minute", False, np.arange(len(ev)))


def _lifecycle(run: OfficeRun, shape: str, pers: pd.DataFrame) -> tuple[pd.DataFrame, tuple]:
    ev = _events(run, shape, "second")
    p = pers.iloc[ev["case_idx"].to_numpy()]
    n = len(ev)
    has_start = ev["start"].notna().to_numpy()
    base = pd.DataFrame({
        "Fall-ID": ev["case_id"].to_numpy(),
        "Prozessschritt": ev["activity"].to_numpy(),
        "Mitarbeiter": ev["resource"].fillna("").to_numpy(),
        "Organisationseinheit": ev["team"].fillna("").to_numpy(),
        "Verfahren": ev["case_type"].map(CASE_TYPE_CODES[shape]).to_numpy(),
        "Name": p["name"].to_numpy(),
        "Geburtsdatum": p["birth"].to_numpy(),
    })
    starts = base[has_start].copy()
    starts.insert(2, "Status", "Beginn")
    starts.insert(3, "Zeitpunkt", _fmt(ev.loc[has_start, "start_local"], "%Y-%m-%d %H:%M:%S").to_numpy())
    ends = base.copy()
    ends.insert(2, "Status", "Abschluss")
    ends.insert(3, "Zeitpunkt", _fmt(ev["end_local"], "%Y-%m-%d %H:%M:%S").to_numpy())
    # order rows by time within the file (a log table), start rows before their completion
    key_t = np.concatenate([ev.loc[has_start, "start"].to_numpy(), ev["end"].to_numpy()])
    is_end = np.concatenate([np.zeros(has_start.sum(), bool), np.ones(n, bool)])
    order = np.lexsort((is_end, key_t))
    table = pd.concat([starts, ends], ignore_index=True).iloc[order].reset_index(drop=True)
    pos = np.empty(len(order), dtype=np.int64)
    pos[order] = np.arange(len(order))
    end_rows = pos[has_start.sum():]  # table row of each event's completion row
    return table, (ev, "second", True, end_rows)


def _milestones(run: OfficeRun, shape: str, pers: pd.DataFrame) -> tuple[pd.DataFrame, tuple]:
    ev = _events(run, shape, "minute")
    cases = run.cases
    first = ev.drop_duplicates(["case_idx", "key"], keep="first")
    table = pd.DataFrame({
        "Vorgangsnr": cases["case_id"].to_numpy(),
        "Aktenzeichen": pers["file_no"].to_numpy(),
        "Name": pers["name"].to_numpy(),
        "Geburtsdatum": pers["birth"].to_numpy(),
        "Vorgangsart": cases["case_type"].map(CASE_TYPE_CODES[shape]).to_numpy(),
        "Team": cases["team"].to_numpy(),
    })
    # caseworker of record: the staff who decided (else who last worked the case in the back office)
    back = ev[ev["resource"].notna() & (ev["team"] == ev["case_team"])]
    worker = back.groupby("case_idx")["resource"].last()
    table["Sachbearbeiter"] = worker.reindex(cases["idx"]).fillna("").to_numpy()
    parts = []
    for header, key, with_time in MILESTONES:
        sel = first[first["key"] == key]
        local = _ser(sel["end_local"])
        text = _fmt(local, "%d.%m.%Y %H:%M" if with_time else "%d.%m.%Y")
        col = pd.Series("", index=cases["idx"])
        col.loc[sel["case_idx"].to_numpy()] = text.to_numpy()
        table[header] = col.to_numpy()
        rec = sel[["case_idx", "case_id", "case_type", "key"]].copy()
        rec["activity"] = ACTIVITIES[key]
        rec["end_local"] = (local if with_time else local.dt.tz_localize(None).dt.normalize().dt.tz_localize(TZ)).array
        rec["precision"] = "minute" if with_time else "day"
        rec["resource"] = table["Sachbearbeiter"].to_numpy()[sel["case_idx"].to_numpy()]
        rec["team"] = cases["team"].to_numpy()[sel["case_idx"].to_numpy()]
        parts.append(rec)
    table["Gebühr"] = _fee_de(ev[ev["key"] == "fee_paid"].groupby("case_idx")["fee"].first().reindex(
        cases["idx"])).to_numpy()
    table["Bemerkung"] = pers["remark"].to_numpy()
    rec = pd.concat(parts, ignore_index=True)
    rec["resource"] = rec["resource"].replace("", None)
    rec["start_local"] = pd.Series(pd.NaT, index=rec.index, dtype=f"datetime64[ns, {TZ}]")
    return table, (rec, rec["precision"], False, rec["case_idx"].to_numpy())


# --- defects -------------------------------------------------------------------------------------

CASE_COLUMN = {"xes_events_csv": "case:concept:name", "de_events_csv": "Vorgangsnummer",
               "de_milestones_csv": "Vorgangsnr", "de_events_xlsx": "Vorgang", "de_lifecycle_csv": "Fall-ID"}
TIME_COLUMN = {"xes_events_csv": "time:timestamp", "de_events_csv": "Ende", "de_milestones_csv": "Vorsprache",
               "de_events_xlsx": "Datum", "de_lifecycle_csv": "Zeitpunkt"}
BAD_TIMES = {"xes_events_csv": "2025-02-31T10:15:00+01:00", "de_events_csv": "31.02.2025 10:15",
             "de_milestones_csv": "31.02.2025 10:15", "de_events_xlsx": "31.02.2025",
             "de_lifecycle_csv": "2025-02-31 10:15:00"}


def _inject_defects(table: pd.DataFrame, shape: str, r: random.Random) -> tuple[pd.DataFrame, np.ndarray, dict[str, int]]:
    """Add rows with an empty case id, an unparseable timestamp, exact duplicates (extra rows, so the
    canonical log stays complete). Returns the table, the final position of each original row, counts."""
    n = len(table)
    counts = {"empty_case_id": r.randint(3, 6), "bad_timestamp": r.randint(3, 6), "duplicate_row": r.randint(3, 6)}
    if n == 0:
        return table, np.arange(0), {k: 0 for k in counts}
    extra, keys = [], []
    for kind, k in counts.items():
        for _ in range(k):
            i = r.randrange(n)
            row = table.iloc[[i]].copy()
            if kind == "empty_case_id":
                row[CASE_COLUMN[shape]] = ""
                keys.append(r.uniform(0, n))
            elif kind == "bad_timestamp":
                row[TIME_COLUMN[shape]] = BAD_TIMES[shape]
                keys.append(r.uniform(0, n))
            else:
                keys.append(i + 0.5)
            extra.append(row)
    if shape == "de_events_xlsx":
        table = table.astype({"Datum": object})
    full = pd.concat([table] + extra, ignore_index=True)
    sort_key = np.concatenate([np.arange(n, dtype=float), np.array(keys)])
    order = np.argsort(sort_key, kind="stable")
    full = full.iloc[order].reset_index(drop=True)
    pos = np.empty(len(order), dtype=np.int64)
    pos[order] = np.arange(len(order))
    return full, pos[:n], counts


# --- writing -------------------------------------------------------------------------------------


def write_export(exp: ExportTable, out_dir: Path) -> Path:
    """Write one export file in its vendor dialect."""
    path = Path(out_dir) / exp.file_name
    t = exp.table
    if exp.shape == "xes_events_csv":
        t.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    elif exp.shape in ("de_events_csv", "de_milestones_csv"):
        t.to_csv(path, index=False, sep=";", encoding="cp1252", lineterminator="\r\n", errors="replace")
    elif exp.shape == "de_lifecycle_csv":
        t.to_csv(path, index=False, sep=";", encoding="utf-8-sig", lineterminator="\r\n")
    elif exp.shape == "de_events_xlsx":
        _write_xlsx(t, path, exp.office)
    else:
        raise ValueError(exp.shape)
    return path


def _write_xlsx(t: pd.DataFrame, path: Path, office: str) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    ws = wb.add_worksheet("Vorgänge")
    date_fmt = wb.add_format({"num_format": "dd.mm.yyyy"})
    money = wb.add_format({"num_format": "#,##0.00"})
    bold = wb.add_format({"bold": True})
    cols = list(t.columns)
    for j, c in enumerate(cols):
        ws.write_string(0, j, c, bold)
    data = {c: t[c].to_numpy() for c in cols}
    for i in range(len(t)):
        row = i + 1
        for j, c in enumerate(cols):
            v = data[c][i]
            if c == "Datum":
                if isinstance(v, str):
                    ws.write_string(row, j, v)
                elif not pd.isna(v):
                    ws.write_datetime(row, j, pd.Timestamp(v).to_pydatetime(), date_fmt)
            elif c == "Gebühr (EUR)":
                if not pd.isna(v):
                    ws.write_number(row, j, float(v), money)
            elif v is not None and v == v and v != "":
                ws.write_string(row, j, str(v))
    ws.freeze_panes(1, 0)
    notes = wb.add_worksheet("Hinweise")
    for i, line in enumerate([
        f"Export Vorgangsbearbeitung – Dienststelle {office}",
        "Erstellt mit Berichtsmodul 'Tätigkeitsprotokoll' (fiktiver Hersteller).",
        "Uhrzeit = Zeitpunkt der Erledigung (Ortszeit).",
        "Personenbezogene Spalten (Name, Geburtsdatum, Bemerkung) nur für den Dienstgebrauch.",
    ]):
        notes.write_string(i, 0, line)
    wb.close()
