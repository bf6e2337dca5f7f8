"""Mapping profiles: how one export shape maps to the canonical log (TOML, see docs/architecture.md).

Built-in profiles live in ``procmine/profiles/*.toml``; a folder of exports may carry ``*.profile.toml``.
``suggest_profile`` sniffs a RawTable's header (German, English and XES names) and proposes a profile
the analyst confirms; ``Profile.to_toml`` writes it back so that ``load_profile`` gives the same profile.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from procmine import catalogue
from procmine.errors import InputProblem
from procmine.ingest.raw import RawTable
from procmine.labels_de.messages import FIELD_LABELS, PROFILE_NEAREST, PROFILE_SUGGESTION, profile_problem
from procmine.privacy import clear_ids_allowed
from procmine.schema import codes_of

BUILTIN_DIR = Path(__file__).resolve().parent / "profiles"
FORMATS = ("auto", "csv", "xlsx", "xls", "xes", "parquet")
SHAPES = ("events", "lifecycle", "milestones")
# canonical field -> meaning (what a [columns] entry may name)
FIELDS = FIELD_LABELS
DEFAULT_LIFECYCLE_START = ("start", "Beginn", "begonnen")
DEFAULT_LIFECYCLE_COMPLETE = ("complete", "Ende", "Abschluss", "abgeschlossen", "end")
# transitions of the XES standard lifecycle model besides start and complete (IEEE 1849, lifecycle
# extension "standard"): kept as steps of their own, as the XES activity classifier
# (concept:name + lifecycle:transition) shows them, instead of being refused as unknown values
XES_OTHER_TRANSITIONS = frozenset(
    {"schedule", "assign", "reassign", "suspend", "resume", "pi_abort", "ate_abort", "autoskip", "manualskip", "withdraw"}
)


@dataclass(frozen=True)
class Profile:
    """One export shape: where each canonical field comes from and how its values are written."""

    name: str
    description: str = ""
    format: str = "auto"
    encoding: str = "auto"
    delimiter: str = "auto"
    decimal: str = ","
    shape: str = "events"
    timezone: str = "Europe/Berlin"
    date_format: str = "auto"
    office: str = ""
    sheet: str = ""
    plausible_start: str = "1990-01-01"
    land: str = ""  # the office's Land (catalogue.LAENDER code) for its public holidays; "" = not given
    require_known_activities: bool = False
    match_columns: tuple[str, ...] = ()
    case_id_with: tuple[str, ...] = ()  # further columns that make the case id unique (ticket number + date)
    columns: dict[str, str] = field(default_factory=dict)
    lifecycle_start: tuple[str, ...] = DEFAULT_LIFECYCLE_START
    lifecycle_complete: tuple[str, ...] = DEFAULT_LIFECYCLE_COMPLETE
    milestones: dict[str, str] = field(default_factory=dict)
    milestone_starts: dict[str, str] = field(default_factory=dict)  # start column -> milestone column it starts
    activities: dict[str, str] = field(default_factory=dict)
    case_types: dict[str, str] = field(default_factory=dict)
    privacy_drop: tuple[str, ...] = ()
    pseudonymise: tuple[str, ...] = ("case_id", "resource")
    extra: dict[str, str] = field(default_factory=dict)
    privacy_keep: tuple[str, ...] = ()  # [extra] columns that look personal and are kept on purpose
    source: str = ""  # where the profile was loaded from (not written to TOML)

    def __hash__(self) -> int:  # dict fields: hash by the serialised form
        return hash(self.to_toml())

    # --- serialisation ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The TOML document as nested dicts (sections as in docs/architecture.md)."""
        prof: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "decimal": self.decimal,
            "shape": self.shape,
            "timezone": self.timezone,
            "date_format": self.date_format,
            "office": self.office,
            "sheet": self.sheet,
            "plausible_start": self.plausible_start,
            "match_columns": list(self.match_columns),
            "require_known_activities": self.require_known_activities,
        }
        if self.land:
            prof["land"] = self.land
        if self.case_id_with:
            prof["case_id_with"] = list(self.case_id_with)
        doc: dict[str, Any] = {"profile": prof, "columns": dict(self.columns)}
        doc["lifecycle"] = {"start": list(self.lifecycle_start), "complete": list(self.lifecycle_complete)}
        doc["milestones"] = dict(self.milestones)
        if self.milestone_starts:
            doc["milestone_starts"] = dict(self.milestone_starts)
        doc["activities"] = dict(self.activities)
        doc["case_types"] = dict(self.case_types)
        doc["privacy"] = {"drop": list(self.privacy_drop), "pseudonymise": list(self.pseudonymise)}
        if self.privacy_keep:
            doc["privacy"]["keep"] = list(self.privacy_keep)
        doc["extra"] = dict(self.extra)
        return doc

    def to_toml(self) -> str:
        """The profile as TOML text; ``profile_from_toml(p.to_toml()) == p``."""
        out: list[str] = []
        for section, body in self.to_dict().items():
            out.append(f"[{section}]")
            for key, value in body.items():
                out.append(f"{_toml_key(key)} = {_toml_value(value)}")
            out.append("")
        return "\n".join(out)

    def save(self, path: str | Path) -> Path:
        """Write the profile as TOML (UTF-8)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_toml(), encoding="utf-8")
        return path

    def used_columns(self) -> list[str]:
        """Source headers the profile reads (mapped fields, milestone and extra columns)."""
        cols = [c for c in self.columns.values() if c]
        cols += [c for c in self.case_id_with if c not in cols]
        cols += [c for c in self.milestones if c not in cols]
        cols += [c for c in self.milestone_starts if c not in cols]
        cols += [c for c in self.extra if c not in cols]
        return cols

    def never_load(self) -> tuple[str, ...]:
        """Personal columns the readers skip (a dropped column that feeds a pseudonymised field is kept)."""
        feeds = {self.columns.get(f) for f in self.pseudonymise}
        return tuple(c for c in self.privacy_drop if c not in feeds)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Profile):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(self) if f.name != "source")


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_str(text: str) -> str:
    """A TOML basic string (JSON escapes are valid TOML; DEL must be escaped too)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _toml_str(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return _toml_str(str(value))


def _problem(source: str, found: str, expected: str, hint: str, column: str | None = None) -> InputProblem:
    return InputProblem(code="bad_profile", file=source, found=found, expected=expected, hint=hint, column=column)


def _nearest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.5)
    return PROFILE_NEAREST.format(word=close[0]) if close else ""


def _str_map(doc: dict[str, Any], section: str, source: str) -> dict[str, str]:
    body = doc.get(section, {}) or {}
    if not isinstance(body, dict):
        raise _problem(source, *profile_problem("not_a_section_map", section=section))
    return {str(k): str(v) for k, v in body.items()}


def profile_from_dict(doc: dict[str, Any], source: str = "") -> Profile:
    """Build and validate a Profile from a parsed TOML document."""
    prof = doc.get("profile", {}) or {}
    if not prof.get("name"):
        raise _problem(source, *profile_problem("no_name"))
    lifecycle = doc.get("lifecycle", {}) or {}
    privacy = doc.get("privacy", {}) or {}
    for section, body, keys in (("profile", prof, ("match_columns", "case_id_with")), ("lifecycle", lifecycle, ("start", "complete")),
                                ("privacy", privacy, ("drop", "pseudonymise", "keep"))):
        if not isinstance(body, dict):
            raise _problem(source, *profile_problem("not_a_section", section=section))
        for key in keys:
            if key in body and not isinstance(body[key], list):
                raise _problem(source, *profile_problem("not_a_list", key=key, value=_toml_value(body[key]), section=section))
    p = Profile(
        name=str(prof["name"]),
        description=str(prof.get("description", "")),
        format=str(prof.get("format", "auto")),
        encoding=str(prof.get("encoding", "auto")),
        delimiter=str(prof.get("delimiter", "auto")),
        decimal=str(prof.get("decimal", ",")),
        shape=str(prof.get("shape", "events")),
        timezone=str(prof.get("timezone", "Europe/Berlin")),
        date_format=str(prof.get("date_format", "auto")),
        office=str(prof.get("office", "")),
        sheet=str(prof.get("sheet", "") or ""),
        plausible_start=str(prof.get("plausible_start", "1990-01-01")),
        land=str(prof.get("land", "") or "").strip().upper(),
        require_known_activities=bool(prof.get("require_known_activities", False)),
        match_columns=tuple(str(c) for c in prof.get("match_columns", [])),
        case_id_with=tuple(str(c) for c in prof.get("case_id_with", [])),
        columns=_str_map(doc, "columns", source),
        lifecycle_start=tuple(str(v) for v in lifecycle.get("start", DEFAULT_LIFECYCLE_START)),
        lifecycle_complete=tuple(str(v) for v in lifecycle.get("complete", DEFAULT_LIFECYCLE_COMPLETE)),
        milestones=_str_map(doc, "milestones", source),
        milestone_starts=_str_map(doc, "milestone_starts", source),
        activities=_str_map(doc, "activities", source),
        case_types=_str_map(doc, "case_types", source),
        privacy_drop=tuple(str(v) for v in privacy.get("drop", [])),
        pseudonymise=tuple(str(v) for v in privacy.get("pseudonymise", ["case_id", "resource"])),
        privacy_keep=tuple(str(v) for v in privacy.get("keep", [])),
        extra=_str_map(doc, "extra", source),
        source=source,
    )
    validate_profile(p)
    return p


def validate_profile(p: Profile) -> None:
    """Raise InputProblem(code='bad_profile') when a profile cannot work on any file."""
    src = p.source or p.name
    if p.shape not in SHAPES:
        raise _problem(src, *profile_problem("bad_shape", value=p.shape))
    if p.format not in FORMATS:
        raise _problem(src, *profile_problem("bad_format", value=p.format, formats=", ".join(FORMATS)))
    for fld in p.columns:
        if fld not in FIELDS:
            raise _problem(src, *profile_problem("unknown_field", field=fld, nearest=_nearest(fld, list(FIELDS)),
                                                 fields=", ".join(FIELDS)))
    for label, key in p.activities.items():
        if key not in catalogue.ACTIVITIES:
            raise _problem(src, *profile_problem("unknown_activity", key=key, label=label,
                                                 nearest=_nearest(key, list(catalogue.ACTIVITIES))))
    for code, ct in p.case_types.items():
        if ct not in catalogue.CASE_TYPES:
            raise _problem(src, *profile_problem("unknown_case_type", case_type=ct, code=code,
                                                 nearest=_nearest(ct, list(catalogue.CASE_TYPES))))
    if p.shape == "milestones":
        if "case_id" not in p.columns or not p.milestones:
            raise _problem(src, *profile_problem("milestones_incomplete"))
        for start_col, end_col in p.milestone_starts.items():
            if end_col not in p.milestones:
                raise _problem(src, *profile_problem("milestone_start_unknown", start=start_col, end=end_col))
    else:
        has_end = "end" in p.columns or "end_date" in p.columns
        if "case_id" not in p.columns or "activity" not in p.columns or not has_end:
            missing = [f for f in ("case_id", "activity") if f not in p.columns] + ([] if has_end else ["end"])
            raise _problem(src, *profile_problem("missing_mapping", fields=", ".join(missing)))
        if p.shape == "lifecycle" and "lifecycle" not in p.columns:
            raise _problem(src, *profile_problem("lifecycle_without_column"))
    if p.decimal not in (",", "."):
        raise _problem(src, *profile_problem("bad_decimal", value=p.decimal))
    _check_values(p, src)
    personal = [c for c in p.extra if is_personal(c) and c not in p.privacy_keep]
    if personal:
        raise _problem(src, *profile_problem("personal_extra", columns=", ".join(personal)))
    clear = clear_id_fields(p)
    if clear and not clear_ids_allowed():
        raise _problem(src, *profile_problem("clear_ids", fields=", ".join(clear)))


def _check_values(p: Profile, src: str) -> None:
    """Values a run would otherwise only fail on deep inside (as an internal error): time zone, plausible
    start, delimiter, date format (an unknown encoding is the reader's clear ``bad_encoding``)."""
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(p.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise _problem(src, *profile_problem("bad_timezone", value=p.timezone)) from None
    try:
        start = pd.Timestamp(p.plausible_start)
        if pd.isna(start):
            raise ValueError(p.plausible_start)
    except (ValueError, TypeError, OverflowError):
        raise _problem(src, *profile_problem("bad_plausible_start", value=p.plausible_start)) from None
    if p.delimiter not in ("auto", "tab", "\\t") and len(p.delimiter) != 1:
        raise _problem(src, *profile_problem("bad_delimiter", value=p.delimiter))
    if p.delimiter in ('"', "\n", "\r"):
        raise _problem(src, *profile_problem("quote_delimiter", value=_toml_str(p.delimiter)))
    if p.land and p.land not in catalogue.LAENDER:
        raise _problem(src, *profile_problem("bad_land", value=p.land, codes=", ".join(catalogue.LAENDER)))
    if p.date_format != "auto" and "%" not in p.date_format:
        raise _problem(src, *profile_problem("bad_date_format", value=p.date_format))


def clear_id_fields(p: Profile) -> list[str]:
    """The id fields a profile maps but does not pseudonymise (case id always counts; staff when mapped)."""
    wanted = ["case_id"] + (["resource"] if p.columns.get("resource") else [])
    return [f for f in wanted if f not in p.pseudonymise]


def profile_from_toml(text: str, source: str = "") -> Profile:
    """Parse TOML text into a validated Profile."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise _problem(source, *profile_problem("bad_toml", error=err)) from None
    return profile_from_dict(doc, source)


def load_profile(path: str | Path) -> Profile:
    """Load one profile file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise _problem(str(path), *profile_problem("unreadable", error=err)) from None
    return profile_from_toml(text, source=str(path))


def builtin_profiles() -> list[Profile]:
    """Profiles shipped in ``procmine/profiles/*.toml``, sorted by file name (parsed once per process:
    a run over nine offices would otherwise parse them for every export)."""
    return list(_builtin_profiles())


@functools.lru_cache(maxsize=1)
def _builtin_profiles() -> tuple[Profile, ...]:
    return tuple(load_profile(p) for p in sorted(BUILTIN_DIR.glob("*.toml")))


def folder_profiles(folder: str | Path, unusable: dict[Path, InputProblem] | None = None) -> list[Profile]:
    """The usable profiles a folder of exports carries (``*.profile.toml``).

    An unusable one (e.g. an unconfirmed suggestion with a column still missing) is left out, and noted in
    ``unusable`` when given: one unfinished profile must not stop the other exports from being read.
    """
    out = []
    for path in sorted(Path(folder).glob("*.profile.toml")):
        try:
            out.append(load_profile(path))
        except InputProblem as problem:
            if unusable is not None:
                unusable[path] = problem
    return out


def get_profile(name: str, extra: list[Profile] | None = None) -> Profile:
    """A profile by name (folder ones first, then built-in) or by path."""
    if name.endswith(".toml") and Path(name).exists():
        return load_profile(name)
    profiles = list(extra or []) + builtin_profiles()
    for p in profiles:
        if p.name == name:
            return p
    names = [p.name for p in profiles]
    raise _problem(name, *profile_problem("unknown_profile", name=name, nearest=_nearest(name, names), names=", ".join(names)))


def match_profile(header: list[str] | tuple[str, ...], profiles: list[Profile]) -> Profile | None:
    """The profile whose ``match_columns`` all appear in the header, the most specific one (most match
    columns) when several do, the earlier on a tie; None if none does.

    Two exports that share some columns (one with a time column, one without) each get their own profile.
    """
    have = {str(h).strip() for h in header}
    fitting = [p for p in profiles if p.match_columns and all(c in have for c in p.match_columns)]
    return max(fitting, key=lambda p: len(set(p.match_columns)), default=None)


# --- suggesting a profile for a new file ------------------------------------------------------------

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "case_id": ("caseconceptname", "caseid", "case", "caseidentifier", "casenumber", "vorgang", "vorgangsnummer",
                "vorgangsnr", "vorgangid", "vorgangsid", "fall", "fallnummer", "fallid", "fallnr", "antragsnummer",
                "antragsnr", "antragid", "antragsid", "vorgangskennung", "verfahrensnummer", "vorgangsnummerintern"),
    "activity": ("conceptname", "activity", "activityname", "aktivitaet", "taetigkeit", "vorgangsschritt", "schritt",
                 "ereignis", "bearbeitungsschritt", "aktion", "event", "eventname", "task", "arbeitsschritt",
                 "ereignisart", "massnahme"),
    "end": ("timetimestamp", "timestamp", "end", "endtime", "endtimestamp", "completetimestamp", "ende", "endzeit",
            "zeitstempel", "zeitpunkt", "datumuhrzeit", "erledigtam", "abgeschlossenam", "ereigniszeit", "datetime",
            "completetime", "endedatum", "endeam", "datumereignis", "ereigniszeitpunkt", "zeitpunktereignis",
            "eventtime", "eventtimestamp", "eventdate", "zeitstempelmez", "zeitstempelmesz", "zeitpunktmez"),
    "start": ("starttimestamp", "start", "starttime", "beginn", "startzeit", "begonnenam", "begin", "beginnzeit",
              "startdatum", "beginnam"),
    "end_date": ("datum", "date", "ereignisdatum", "enddatum", "tag"),
    "end_time": ("uhrzeit", "zeit", "time"),
    "resource": ("orgresource", "resource", "sachbearbeiter", "sachbearbeiterin", "bearbeiter", "bearbeiterin",
                 "mitarbeiter", "mitarbeiterin", "user", "benutzer", "sb", "sbkennung", "userid", "bearbeitetvon",
                 "sachbearbeiterkuerzel", "bearbeiterkuerzel", "sbkuerzel", "kuerzel", "benutzerkennung", "benutzerkuerzel",
                 "mitarbeiterkuerzel", "userkuerzel"),
    "team": ("orggroup", "group", "team", "sachgebiet", "organisationseinheit", "oe", "abteilung", "referat", "orgunit",
             "arbeitsgruppe"),
    "office": ("dienststelle", "office", "behoerde", "abh", "auslaenderbehoerde", "standort", "caseoffice"),
    "case_type": ("casetype", "casecasetype", "verfahrensart", "vorgangsart", "aufenthaltszweck", "rechtsgrundlage",
                  "antragsart", "titelart", "verfahren"),
    "lifecycle": ("lifecycletransition", "lifecycle", "transition", "eventtype", "lebenszyklus"),
}
PERSONAL = ("name", "vorname", "nachname", "familienname", "geburtsname", "geburtsdatum", "geburtsort", "geboren",
            "aktenzeichen", "az", "vermerk", "vermerke", "bemerkung", "bemerkungen", "notiz", "notizen", "kommentar",
            "freitext", "staatsangehoerigkeit", "nationalitaet", "nationality", "adresse", "anschrift", "strasse", "plz",
            "wohnort", "telefon", "telefonnummer", "email", "emailadresse", "mail", "passnummer", "ausweisnummer",
            "azrnummer", "personenkennziffer", "birthdate", "dateofbirth", "firstname", "lastname", "surname",
            "fullname", "address", "phone", "comment", "comments", "note", "notes", "tel", "fax", "mobil", "handy",
            "plzort", "ort", "pass", "passnr", "azr", "azrnr", "gebam", "gebdat", "geschlecht", "gender", "sex",
            "religion", "konfession", "familienstand", "kontakt", "hinweis", "hinweise", "herkunft", "herkunftsland",
            "geburtsland", "passport", "passportnumber", "email", "strassehausnummer", "hausnummer", "iban")


def normalise_header(name: str) -> str:
    """Header text reduced for matching: case-folded, umlauts spelled out, only letters and digits."""
    s = str(name).casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    return re.sub(r"[^a-z0-9]", "", s)


_STAFF_WORDS = ("resource", "responsible", "bearbeiter", "sachbearbeit", "mitarbeiter", "user", "benutzer", "creator")


_PERSONAL_PARTS = ("vorname", "nachname", "familienname", "geburt", "aktenzeichen", "vermerk", "bemerkung", "notiz",
                   "kommentar", "freitext", "staatsangeh", "nationalit", "anschrift", "adresse", "telefon", "email",
                   "passnummer", "ausweis", "birth", "address", "phone", "surname", "firstname", "lastname", "applicant",
                   "antragsteller", "herkunft", "geschlecht", "strasse", "telefax", "mobilnummer", "handynummer",
                   "postleitzahl", "passnr", "reisepass", "passport", "azrnr", "azrnummer", "religion", "konfession",
                   "familienstand", "kontakt", "hinweis", "gebam", "gebdatum", "geburt", "wohnanschrift", "aufenthaltsort",
                   "steuerid", "sozialversicherung", "krankenkasse", "iban", "personalausweis")
_XES_STANDARD_PREFIXES = ("concept:", "org:", "time:", "lifecycle:", "cost:", "identity:", "semantic:")


def is_personal(header: str) -> bool:
    """Whether a header names personal data that must never leave ingest (names, birth dates, notes ...).

    Deliberately wide (any header ending in 'name' outside XES keys): a suggestion the analyst confirms.
    """
    text = str(header).strip()
    if ":" in text:  # XES keys: case:Name, case:note are personal; concept:name, org:resource are the standard
        bare = text.removeprefix("case:")
        if bare.startswith(_XES_STANDARD_PREFIXES) or ":" in bare:
            return False
        text = bare
    n = normalise_header(text)
    if n in PERSONAL or any(part in n for part in _PERSONAL_PARTS):
        return True
    return n.endswith("name") and n not in _SYNONYMS["activity"]


def is_staff_like(header: str) -> bool:
    """Whether an unmapped column probably names staff (kept out of extras, since only mapped ids are hashed)."""
    n = normalise_header(header)
    return any(w in n for w in _STAFF_WORDS) or n in _SYNONYMS["resource"] or n in _SYNONYMS["case_id"]


def _date_share(values: pd.Series) -> float:
    """Share of a column's sample that looks like a date."""
    sample = _sample(values)
    if sample.empty:
        return 0.0
    weekday = r"(?:(?:Mo|Di|Mi|Do|Fr|Sa|So|Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+)?"
    pattern = (rf"^\s*{weekday}(\d{{1,2}}\.\d{{1,2}}\.\d{{2,4}}|\d{{4}}[-.]\d{{2}}[-.]\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}"
               r"|\d{1,2}\.?[\s-]*[A-Za-zä]{3,}\.?[\s.-]+\d{2,4})")
    return float(sample.str.match(pattern).mean())


# second choices: used only when no header of the first list is present. The Aktenzeichen (file reference)
# is personal data as an extra column, but when it is the export's only case identifier it becomes the
# case id, which is pseudonymised at ingest like any other; "Status" is the step in status-style exports.
_FALLBACK_SYNONYMS: dict[str, tuple[str, ...]] = {
    "case_type": ("anliegen", "anliegenart", "dienstleistung", "leistung", "aufenthaltstitel", "titel", "paragraph",
                  "rechtsnorm"),
    "case_id": ("aktenzeichen", "az", "geschaeftszeichen", "aktennummer", "aktenzeichenabh", "akte", "dossier",
                "dossiernummer", "vorgangsaktenzeichen", "ticketid", "ticketnr", "ticketnummer"),
    "activity": ("status", "vorgangsstatus", "bearbeitungsstatus", "statustext", "statusbezeichnung", "statusname",
                 "bearbeitungsstand"),
}
_TIME_OF_DAY = r"^\s*\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?\s*$"


def _sample(values: pd.Series, k: int = 200) -> pd.Series:
    """The first ``k`` filled values as text (looking at the head first: a long text column is not copied)."""
    head = values.iloc[: k * 5]
    filled = head[head.notna().to_numpy()]
    if len(filled) < k and len(values) > len(head):  # a sparse column: search the whole of it
        filled = values.iloc[np.flatnonzero(values.notna().to_numpy())[:k]]
    return filled.iloc[:k].astype(str)


def _time_share(values: pd.Series) -> float:
    """Share of a column's sample that is a time of day alone (``HH:MM[:SS]``)."""
    sample = _sample(values)
    return float(sample.str.match(_TIME_OF_DAY).mean()) if len(sample) else 0.0


def _date_only(values: pd.Series) -> bool:
    """Whether a date column's sample carries no clock time at all (a date, or a date at 00:00:00)."""
    sample = _sample(values)
    if not len(sample):
        return False
    clock = sample.str.extract(r"\d[ T]+(\d{1,2}:\d{2}(?::\d{2})?)", expand=False).dropna()
    return bool(clock.str.fullmatch(r"0?0:00(:00)?").all())


_LIFECYCLE_VOCAB = {v.casefold() for v in (*DEFAULT_LIFECYCLE_START, *DEFAULT_LIFECYCLE_COMPLETE)} | set(XES_OTHER_TRANSITIONS)


def _is_lifecycle_column(values: pd.Series) -> bool:
    """Values that are lifecycle words only (e.g. Beginn/Ende, start/complete), with a start and an end."""
    vals = {v.strip().casefold() for v in _sample(values, 500).tolist()}  # a look at the head: columns can be long
    starts = {v.casefold() for v in DEFAULT_LIFECYCLE_START}
    return bool(vals) and vals <= _LIFECYCLE_VOCAB and bool(vals & starts) and bool(vals - starts)


_EVENT_TIME_WORDS = ("ereignis", "event", "zeitpunkt", "zeitstempel", "timestamp", "erledigt", "abgeschlossen",
                     "durchgefuehrt", "bearbeitet", "ausgefuehrt", "complete", "ende", "done")
_NOT_EVENT_TIME_WORDS = ("erfasst", "angelegt", "erstellt", "geaendert", "aenderung", "created", "modified", "updated",
                         "import", "export", "antragsdatum", "eingangsdatum", "gueltig", "ablauf", "frist", "geburt")


def _event_time_score(norm: str) -> int:
    """How much a (normalised) header names the time an event happened, rather than when it was typed in,
    changed, or a date of the case (application, validity, deadline)."""
    return sum(w in norm for w in _EVENT_TIME_WORDS) - 2 * sum(w in norm for w in _NOT_EVENT_TIME_WORDS)


_CODE = r"^\s*[A-Za-z]{0,4}[-_ .]?\d{1,6}\s*$"
_DESCRIPTION_WORDS = ("bezeichnung", "beschreibung", "text", "klartext", "description", "label", "name", "langtext")


def _description_for_codes(raw: RawTable, column: str, taken: set[str]) -> str | None:
    """The column that spells out an activity column holding codes (``A01`` / ``Antrag eingegangen``): an
    unmapped, non-personal column named like a description whose values are text, not codes."""
    if float(_sample(raw.data[column]).str.match(_CODE).mean() or 0) < 0.9:
        return None
    for h in raw.columns:
        n = normalise_header(h)
        if h in taken or h == column or not any(w in n for w in _DESCRIPTION_WORDS):
            continue
        if is_personal(h) and not n.endswith(("bezeichnung", "beschreibung", "text")):
            continue
        sample = _sample(raw.data[h])
        if len(sample) and float(sample.str.match(_CODE).mean()) < 0.5:
            return h
    return None


def _header_keys(header: str) -> tuple[str, ...]:
    """Normalised forms a header is matched by: itself, and without an XES ``case:`` prefix (trace attributes
    such as ``case:Verfahrensart``)."""
    n = normalise_header(header)
    if str(header).casefold().startswith("case:") and n != "caseconceptname":
        return (n, n[4:])
    return (n,)


def _find_columns(raw: RawTable) -> dict[str, str]:
    """Canonical field -> header, from header names (first choices, then second ones) and a look at values."""
    headers = raw.columns
    keys = {h: _header_keys(h) for h in headers}
    found: dict[str, str] = {}
    taken: set[str] = set()
    # a column holding only lifecycle words is the lifecycle, whatever its name ("Ereignis": Beginn/Ende)
    for h in headers:
        if _is_lifecycle_column(raw.data[h]):
            found["lifecycle"] = h
            taken.add(h)
            break
    has_xes_case = any(keys[h][0] == "caseconceptname" for h in headers)
    for table in (_SYNONYMS, _FALLBACK_SYNONYMS):
        for fld in ("case_id", "lifecycle", "start", "end", "activity", "resource", "team", "office", "case_type",
                    "end_date", "end_time"):
            if fld in found or fld not in table:
                continue
            for syn in table[fld]:
                if fld == "activity" and syn == "conceptname" and not has_xes_case:
                    continue
                hit = next((h for h in headers if syn in keys[h] and h not in taken), None)
                if hit is not None:
                    found[fld] = hit
                    taken.add(hit)
                    break
    if "activity" in found:
        spelled = _description_for_codes(raw, found["activity"], taken)
        if spelled is not None:  # the step's code stays an extra column
            taken.discard(found["activity"])
            found["activity"] = spelled
            taken.add(spelled)
    if "end" not in found and "end_date" not in found and "activity" in found:
        # a date-like column named otherwise: the one that most looks like the event's time (never a personal
        # column such as Geburtsdatum; "Datum Ereignis" before "Erfasst am" or "Antragsdatum")
        dated = [h for h in headers if h not in taken and not is_personal(h) and _date_share(raw.data[h]) > 0.8]
        if dated:
            best = max(dated, key=lambda h: (_event_time_score(keys[h][0]), not _date_only(raw.data[h]), -headers.index(h)))
            found["end"] = best
            taken.add(best)
    if "end" in found and _date_only(raw.data[found["end"]]):
        # a date column with the clock time beside it (Datum + Uhrzeit, ERL_DATUM + ERL_ZEIT)
        clock = found.get("end_time")
        if clock is None or _time_share(raw.data[clock]) < 0.8:
            times = [h for h in headers if h not in taken and _time_share(raw.data[h]) > 0.8]
            named = [h for h in times if any(w in keys[h][0] for w in ("zeit", "time", "uhr"))]
            clock = (named or times)[0] if len(named) == 1 or len(times) == 1 else None
        if clock is not None:
            found["end_date"] = found.pop("end")
            found["end_time"] = clock
            taken.add(clock)
    if "end" in found:
        found.pop("end_date", None)
        found.pop("end_time", None)
    elif "end_date" in found and "end_time" not in found:
        found["end"] = found.pop("end_date")
    return found


_TICKET_WORDS = ("ticket", "wartenummer", "wartemarke", "aufrufnummer", "marke", "nummernzettel")
# clock-time columns of a queue system -> (role, catalogue key); role "start"/"end" form the service step
_QUEUE_COLUMNS = (
    (("ausgabe", "ziehung", "gezogen", "checkin", "ankunft", "erstellt", "anmeldung", "issued", "arrival"), "point", "checked_in"),
    (("aufruf", "aufgerufen", "called", "call"), "point", "called"),
    (("beginn", "start", "bedienbeginn", "begin"), "start", "servicepoint_contact"),
    (("ende", "end", "bedienende", "abschluss", "finish"), "end", "servicepoint_contact"),
)


def _queue_shape(
    raw: RawTable, found: dict[str, str]
) -> tuple[dict[str, str], dict[str, str], dict[str, str], tuple[str, ...]] | None:
    """A queue-system export (one row per ticket: a date, ticket number, and clock times such as Ausgabe,
    Aufruf, Beginn, Ende): columns, milestones, milestone starts and the case-id companions (the date,
    since ticket numbers start again every day). None when the table does not look like one."""
    headers = raw.columns
    norm = {h: normalise_header(h) for h in headers}
    ticket = next((h for h in headers if any(w in norm[h] for w in _TICKET_WORDS)), None)
    if ticket is None:
        return None
    dates = [h for h in headers if h != ticket and _date_share(raw.data[h]) > 0.8 and _date_only(raw.data[h])]
    clocks = [h for h in headers if h not in (ticket, *dates) and _time_share(raw.data[h]) > 0.8]
    if not dates or len(clocks) < 2:
        return None
    milestones: dict[str, str] = {}
    starts: list[str] = []
    ends: list[str] = []
    for h in clocks:
        role, key = next(((r, k) for words, r, k in _QUEUE_COLUMNS if any(norm[h].startswith(w) or norm[h].endswith(w) for w in words)),
                         ("point", h))
        (starts if role == "start" else ends if role == "end" else []).append(h)
        if role != "start":
            milestones[h] = key
    milestone_starts = {starts[0]: ends[0]} if len(starts) == 1 and len(ends) == 1 else {}
    for h in starts:
        if h not in milestone_starts:
            milestones[h] = h  # a start without a matching end: its own milestone
    columns = {k: v for k, v in found.items() if k in ("resource", "team", "office", "case_type") and v not in clocks}
    columns = {"case_id": ticket, "milestone_date": dates[0], **columns}
    return columns, milestones, milestone_starts, (dates[0],)


def suggest_profile(raw: RawTable, name: str | None = None) -> Profile:
    """Propose a profile for an unknown file from its header names and a look at its values."""
    headers = raw.columns
    found = _find_columns(raw)
    personal = tuple(h for h in headers if (is_personal(h) or is_staff_like(h)) and h not in found.values())
    shape = "events"
    milestones: dict[str, str] = {}
    if "lifecycle" in found:
        vals = {v.strip().casefold() for v in _first_distinct(raw.data[found["lifecycle"]], 50)}
        if vals & {s.casefold() for s in DEFAULT_LIFECYCLE_START}:
            shape = "lifecycle"
        elif not vals & XES_OTHER_TRANSITIONS:  # complete-only: nothing to pair or to tell apart
            found.pop("lifecycle")
    milestone_starts: dict[str, str] = {}
    case_id_with: tuple[str, ...] = ()
    ticket_id = "case_id" in found and any(w in normalise_header(found["case_id"]) for w in _TICKET_WORDS)
    queue = _queue_shape(raw, found) if "case_id" not in found or ticket_id else None
    if queue is not None:
        found, milestones, milestone_starts, case_id_with = queue
        shape = "milestones"
        personal = tuple(h for h in personal if h not in found.values())
    elif "activity" not in found and "case_id" in found:
        dates = [h for h in headers if h not in found.values() and h not in personal and _date_share(raw.data[h]) > 0.5]
        if dates:
            shape = "milestones"
            milestones = {h: h for h in dates}
            for k in ("end", "end_date", "end_time", "start"):
                if k in found and found[k] in milestones:
                    found.pop(k)
            for k in ("end", "start"):
                if k in found:
                    milestones[found.pop(k)] = found.get(k, k)
    # keep by allow-list: a suggestion keeps only the mapped fields; other columns are dropped (and listed
    # by name in the quality report) until the analyst names them in [extra]
    extra: dict[str, str] = {}
    activities: dict[str, str] = {}
    if "activity" in found:
        labels = _first_distinct(raw.data[found["activity"]], 500)
        activities = {lab: key for lab in labels if (key := catalogue_key(lab)) is not None and lab != key}
    delim = raw.delimiter or "auto"
    stem = raw.path.name.split(".")[0] if raw.path is not None else raw.file.split(".")[0]
    return Profile(
        name=name or f"vorschlag_{normalise_header(stem) or 'export'}",
        description=PROFILE_SUGGESTION.format(file=raw.file),
        format=raw.format if raw.format in FORMATS else "auto",
        encoding=raw.encoding or "auto",
        delimiter=delim,
        decimal="," if delim == ";" else ".",
        shape=shape,
        sheet=raw.sheet or "",
        match_columns=tuple(dict.fromkeys([*found.values(), *case_id_with, *milestones, *milestone_starts])),
        case_id_with=case_id_with,
        columns=dict(found),
        milestones=milestones,
        milestone_starts=milestone_starts,
        activities=activities,
        privacy_drop=personal,
        extra=extra,
    )


def _first_distinct(values: pd.Series, k: int) -> list[str]:
    """The first ``k`` distinct filled values as text, in order of appearance (via codes for categoricals)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = codes_of(values)
        look = 64 * k  # the head first: the first distinct values of a long column are usually near its top
        while True:
            head = codes[:look]
            first = pd.unique(head[head >= 0])[:k]
            if len(first) >= k or look >= len(codes):
                return [str(v) for v in values.cat.categories.take(first)]
            look *= 8
    return [str(v) for v in values.dropna().unique()[:k]]


def _extra_name(header: str) -> str:
    """Canonical extra attribute name for a source header (XES prefixes kept readable)."""
    spelled = str(header).replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("Ä", "Ae").replace("Ö", "Oe")
    spelled = spelled.replace("Ü", "Ue").replace("ß", "ss")
    name = re.sub(r"[^0-9A-Za-z_]+", "_", spelled.replace(":", "_")).strip("_").lower()
    return name or "extra"


_LABEL_TO_KEY = {normalise_header(v): k for k, v in catalogue.ACTIVITIES.items()}


def catalogue_key(label: str) -> str | None:
    """Catalogue key for an export label that is a catalogue key or German label (ignoring case/spacing)."""
    s = str(label).strip()
    if s in catalogue.ACTIVITIES:
        return s
    return _LABEL_TO_KEY.get(normalise_header(s))


def with_changes(p: Profile, **changes: Any) -> Profile:
    """A copy of a profile with some fields changed (validated)."""
    q = replace(p, **changes)
    validate_profile(q)
    return q
