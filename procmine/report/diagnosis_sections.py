"""Report content of the issue-5 office profile: six German sections and the results.json ``profile``.

``diagnosis_sections(profile, k)`` turns an ``OfficeDiagnosis`` into ``Section``s of the report model
("Warten und Bearbeiten", "Rückstand und Warteschlangen", "Nacharbeit und Vorsprachen", "Externe
Wartezeiten", "Fristen", "Teams und Personalbedarf"); ``diagnosis_record(profile, k)`` gives the same
numbers as plain JSON data. Small groups (1..k-1 cases) are suppressed as everywhere in the reports;
teams appear only merged (the analysis already folds teams under 5 staff ids into "Sonstige Teams").
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from procmine.analyse.detectors import registry
from procmine.analyse.diagnosis import OfficeDiagnosis
from procmine.compare import limit_reason
from procmine.labels_de.report import label
from procmine.report import format_de as fmt
from procmine.report.cells import (
    K_MIN,
    _num,
    case_type_label,
    count_cell,
    display_names,
    jsonable,
    not_measurable_cell,
    value_cell,
)
from procmine.report.model import Cell, Section, Table

TOP_ACTIVITIES = 15
TOP_TRANSITIONS = 10
TOP_ROWS = 10
SEASONAL_PEAK = 1.5
MONTHS_SHOWN = 12

# section key in OfficeReport.sections -> (anchor id, label key); order = order in the report
SECTION_IDS: dict[str, tuple[str, str]] = {
    "waiting": ("warten-und-bearbeiten", "section.waiting"),
    "backlog": ("rueckstand", "section.backlog"),
    "rework_visits": ("nacharbeit-und-vorsprachen", "section.rework_visits"),
    "external": ("externe-wartezeiten", "section.external"),
    "deadlines": ("fristen", "section.deadlines"),
    "teams": ("teams-und-personalbedarf", "section.teams"),
}
FLOW_CHART_ID = "rueckstand-grafik"

BASIS_LABELS = {"interval": "basis.interval", "completion_only": "basis.completion_only", "mixed": "basis.mixed"}
PARTY_LABELS = {"external": "party.external", "applicant": "party.applicant", "office": "party.office"}
PARTY_BASIS_LABELS = {"waiting": "party_basis.waiting", "gap": "party_basis.gap"}
WAIT_LABELS = {
    "ba_consent": "wait.ba_consent",
    "security_check": "wait.security_check",
    "eat_production": "wait.eat_production",
    "eat_handover": "wait.eat_handover",
    "visa_consent": "wait.visa_consent",
}
FKV_LABELS = {"ba_consent_81a": "fkv.ba_consent_81a", "recognition": "fkv.recognition"}
REWORK_LABELS = {
    "rework_share": ("rework.rework_share", "percent"),
    "document_rounds_mean": ("rework.document_rounds_mean", "per_case"),
    "visits_mean": ("rework.visits_mean", "per_case"),
    "first_time_right_share": ("rework.first_time_right_share", "percent"),
    "status_inquiries_mean": ("rework.status_inquiries_mean", "per_case"),
}
LAND_LABELS = {
    "BW": "land.BW", "BY": "land.BY", "BE": "land.BE", "BB": "land.BB", "HB": "land.HB", "HH": "land.HH",
    "HE": "land.HE", "MV": "land.MV", "NI": "land.NI", "NW": "land.NW", "RP": "land.RP", "SL": "land.SL",
    "SN": "land.SN", "ST": "land.ST", "SH": "land.SH", "TH": "land.TH",
}
WEEKDAY_LABELS = ("weekday.0", "weekday.1", "weekday.2", "weekday.3", "weekday.4", "weekday.5", "weekday.6")
UNAVAILABLE_LABELS = {
    "no_keys": "unavailable.no_keys",
    "no_teams": "unavailable.no_teams",
    "no_resources": "unavailable.no_resources",
    "no_case_types": "unavailable.no_case_types",
}

# finding kind -> profile section, for findings of no registered pattern (the detector registry,
# ``analyse.detectors.registry``, names each pattern's section)
KIND_SECTIONS = {
    "waiting": "waiting",
    "backlog": "backlog",
    "rework": "rework_visits",
    "no_show": "rework_visits",
    "deadline": "deadlines",
    "resource": "teams",
    "handover": "teams",
    "batching": "teams",
    "drift": "teams",
}


def finding_section(kind: str, pattern: str, external: bool = False) -> str | None:
    """The profile section (key of ``SECTION_IDS``) whose tables and chart back a finding, if any."""
    return registry.section_of(pattern, external) or KIND_SECTIONS.get(kind)


def _lab(mapping: dict[str, str], key: Any) -> str:
    """German label of a code through a literal mapping; the code itself when unknown."""
    k = mapping.get(str(key))
    return label(k) if k else str(key)


def _days(seconds: Any) -> float | None:
    """Seconds as days (None when missing)."""
    v = _num(seconds)
    return None if v is None else v / 86400.0


def _hours(seconds: Any) -> float | None:
    """Seconds as hours (None when missing)."""
    v = _num(seconds)
    return None if v is None else v / 3600.0


def _act(names: dict[str, str], activity: Any) -> str:
    """An activity as a table shows it: catalogue label, the export's own in parentheses where it differs."""
    return names.get(str(activity), str(activity))


def _measured(value: Any, kind: str, key: str, limits: tuple[str, ...], cases: Any = None, k: int = K_MIN) -> Cell:
    """A value cell, or 'nicht messbar' when the export cannot show the figure ``key`` (``compare.limit_reason``)."""
    reason = limit_reason(key, limits)
    return not_measurable_cell(reason) if reason else value_cell(value, kind, cases, k)


def _unavailable(p: OfficeDiagnosis, section: str) -> tuple[str, ...]:
    """German "nicht verfügbar: …" notes for a section."""
    return tuple(label(UNAVAILABLE_LABELS[c]) for c in p.unavailable.get(section, ()) if c in UNAVAILABLE_LABELS)


def _section(key: str, intro: str = "", **kw: Any) -> Section:
    """A profile section with its stable anchor and German title."""
    anchor, title_key = SECTION_IDS[key]
    return Section(anchor, label(title_key), intro, **kw)


# --- 1 waiting vs service -------------------------------------------------------------------------


def _waiting_section(p: OfficeDiagnosis, k: int, names: dict[str, str]) -> Section:
    """Per activity and per transition: waiting and service, calendar and working time."""
    cal = p.calendar
    intro = label("intro.waiting", open=f"{cal.open_time:%H:%M}", close=f"{cal.close_time:%H:%M}", land=_lab(LAND_LABELS, cal.land))
    comp = p.time_basis == "completion_only"
    notes = []
    if comp:
        notes.append(label("note.waiting_completion_only"))
    elif p.time_basis == "mixed":
        notes.append(label("note.waiting_mixed"))
    at = p.activity_times.head(TOP_ACTIVITIES)
    rows = []
    for r in at.to_dict("records"):
        n = r["events"]
        interval = r["time_basis"] != "completion_only"
        wait_c = r["waiting_calendar_median_s"] if interval else r["gap_calendar_median_s"]
        wait_w = r["waiting_working_median_s"] if interval else r["gap_working_median_s"]
        row = [Cell(_act(names, r["activity"])), count_cell(n, k)]
        if comp:
            row += [value_cell(wait_c, "duration", n, k), value_cell(_hours(wait_w), "hours", n, k)]
        else:
            row += [
                Cell(_lab(BASIS_LABELS, r["time_basis"])),
                value_cell(wait_c, "duration", n, k),
                value_cell(_hours(wait_w), "hours", n, k),
                value_cell(r["service_calendar_median_s"], "duration", n, k),
                value_cell(_hours(r["service_working_median_s"]), "hours", n, k),
            ]
        rows.append(tuple(row))
    cols: tuple[str, ...]
    if comp:
        cols = (label("col.activity"), label("col.events"), label("col.gap_calendar"), label("col.gap_working"))
    else:
        cols = (label("col.activity"), label("col.events"), label("col.time_basis"), label("col.wait_calendar"),
                label("col.wait_working"), label("col.service_calendar"), label("col.service_working"))
    numeric = tuple(i >= 1 and not (not comp and i == 2) for i in range(len(cols)))
    tables = [Table(cols, tuple(rows), numeric, caption=label("caption.activity_times"))]
    tt = p.transition_times.head(TOP_TRANSITIONS)
    if len(tt):
        trows = []
        for r in tt.to_dict("records"):
            n = r["count"]
            interval = r["time_basis"] != "completion_only"
            c = r["waiting_calendar_median_s"] if interval else r["gap_calendar_median_s"]
            w = r["waiting_working_median_s"] if interval else r["gap_working_median_s"]
            trows.append((Cell(_act(names, r["from"])), Cell(_act(names, r["to"])), count_cell(n, k),
                          value_cell(c, "duration", n, k), value_cell(_hours(w), "hours", n, k)))
        wc, ww = ("col.gap_calendar", "col.gap_working") if comp else ("col.wait_calendar", "col.wait_working")
        tables.append(Table((label("col.from"), label("col.to"), label("col.transitions"), label(wc), label(ww)),
                            tuple(trows), (False, False, True, True, True), caption=label("caption.transition_times")))
    return _section("waiting", intro, tables=tuple(tables), notes=tuple(notes))


# --- 2 backlog and queues -------------------------------------------------------------------------


def trend_sentence(p: OfficeDiagnosis) -> str:
    """The WIP trend with its 95 % interval in plain German."""
    tr = p.wip_trend
    if _num(tr.slope_per_week) is None:
        return label("trend.too_short")
    values = dict(slope=fmt.fmt_number(tr.slope_per_week, 1), slope_abs=fmt.fmt_number(abs(tr.slope_per_week), 1),
                  low=fmt.fmt_number(tr.ci_low, 1), high=fmt.fmt_number(tr.ci_high, 1), weeks=fmt.fmt_int(tr.weeks))
    key = "trend.growing" if tr.growing else "trend.shrinking" if tr.shrinking else "trend.stable"
    return label(key, **values)


def littles_sentence(p: OfficeDiagnosis) -> str:
    """The Little's-law check in plain German."""
    ll = p.littles_law
    if _num(ll.ratio) is None:
        return label("littles.unavailable")
    key = "littles.consistent" if ll.consistent else "littles.inconsistent"
    return label(
        key,
        start=fmt.fmt_date(ll.window_start),
        end=fmt.fmt_date(ll.window_end),
        wip=fmt.fmt_number(ll.mean_wip, 0),
        throughput=fmt.fmt_number(ll.throughput_per_day, 1),
        days=fmt.fmt_days(ll.mean_time_in_system_days),
        predicted=fmt.fmt_number(ll.predicted_wip, 0),
        ratio=fmt.fmt_number(ll.ratio, 2),
    )


def _verdict(r: dict[str, Any]) -> str:
    """German verdict of a step's queue trend."""
    if _num(r.get("slope_per_week")) is None:
        return label("verdict.none")
    return label("verdict.growing" if r["growing"] else "verdict.shrinking" if r["shrinking"] else "verdict.stable")


def _backlog_section(p: OfficeDiagnosis, k: int, names: dict[str, str]) -> Section:
    """Chart, trend, Little's law, open-case ages, per-step queues."""
    paragraphs = [trend_sentence(p)]  # the plausibility check (Little's law) is in the appendix
    notes = []
    if "estimate" in p.closed_rule or p.closed_rule == "time":
        notes.append(label("note.closed_estimate"))
    ages = p.open_ages
    tables = [
        Table(
            (label("col.age_band"), label("col.open_cases"), label("col.share")),
            tuple((Cell(str(r["age_band"])), count_cell(r["cases"], k), value_cell(r["share"], "percent", r["cases"], k))
                  for r in ages.to_dict("records")),
            (False, True, True),
            caption=label("caption.open_ages"),
        )
    ]
    by_ct = p.open_ages_by_case_type
    if by_ct is not None and len(by_ct):
        piv = by_ct.pivot_table(index="case_type", columns="age_band", values="cases", aggfunc="sum", observed=False).fillna(0)
        piv = piv[piv.sum(axis=1) > 0]
        piv = piv.loc[piv.sum(axis=1).sort_values(ascending=False, kind="stable").index]
        bands = [str(c) for c in piv.columns]
        rows = tuple((Cell(case_type_label(ct)), count_cell(int(row.sum()), k), *[count_cell(v, k) for v in row.to_numpy()])
                     for ct, row in piv.iterrows())
        tables.append(Table((label("col.case_type"), label("col.open_cases"), *bands), rows,
                            (False, True, *[True] * len(bands)), caption=label("caption.open_ages_by_case_type")))
    sq = p.step_queues.head(TOP_ROWS)
    if len(sq):
        step_rows: list[tuple[Cell, ...]] = []
        for r in sq.to_dict("records"):
            has = _num(r["slope_per_week"]) is not None
            rng = label("range", low=fmt.fmt_number(r["ci_low"], 2), high=fmt.fmt_number(r["ci_high"], 2)) if has else fmt.MISSING
            slope = fmt.fmt_number(r["slope_per_week"], 2) if has else fmt.MISSING
            step_rows.append((Cell(_act(names, r["activity"])), value_cell(r["mean_wip"], "number"), Cell(slope), Cell(rng),
                              Cell(_verdict(r))))
        tables.append(Table((label("col.step"), label("col.mean_wip"), label("col.trend"), label("col.trend_ci"),
                             label("col.trend_verdict")),
                            tuple(step_rows), (False, True, True, True, False), caption=label("caption.step_queues")))
    return _section("backlog", label("intro.backlog"), tables=tuple(tables), notes=tuple(notes),
                    paragraphs=tuple(paragraphs))


# --- 3 rework and visits --------------------------------------------------------------------------


def _rework_group_table(df: pd.DataFrame, by: str, caption: str, k: int, limits: tuple[str, ...] = ()) -> Table | None:
    """Rework per case type or team (groups under k cases suppressed; repeat figures the export cannot show marked)."""
    if df is None or not len(df):
        return None
    df = df.sort_values(["cases", by], ascending=[False, True], kind="stable")
    name = case_type_label if by == "case_type" else str
    rows = tuple(
        (
            Cell(name(r[by])),
            count_cell(r["cases"], k),
            _measured(r["repeat_share"], "percent", "repeat_share", limits, r["cases"], k),
            _measured(r["document_rounds_mean"], "per_case", "document_rounds_mean", limits, r["cases"], k),
            _measured(r["visits_mean"], "per_case", "visits_mean", limits, r["cases"], k),
            value_cell(r["first_time_right_share"], "percent", r["cases"], k),
        )
        for r in df.to_dict("records")
    )
    first = label("col.case_type") if by == "case_type" else label("col.team")
    return Table((first, label("col.cases"), label("col.repeat_share"), label("col.document_rounds"),
                  label("col.visits"), label("col.ftr")), rows, (False, True, True, True, True, True), caption=caption)


def _rework_section(
    p: OfficeDiagnosis, k: int, names: dict[str, str], limits: tuple[str, ...] = (), generic: bool = False
) -> Section:
    """Office rework KPIs, by case type, by team, most repeated activities ('nicht messbar' where the export
    cannot show repeats)."""
    kp = Table(
        (label("col.kpi"), label("col.value")),
        tuple((Cell(label(lk)), _measured(p.rework.get(key), kind, key, limits)) for key, (lk, kind) in REWORK_LABELS.items()),
        (False, True),
        caption=label("caption.rework_kpis"),
    )
    tables = [kp]
    for t in (_rework_group_table(p.rework_by_case_type, "case_type", label("caption.rework_by_case_type"), k, limits),
              _rework_group_table(p.rework_by_team, "team", label("caption.rework_by_team"), k, limits)):
        if t is not None:
            tables.append(t)
    rep = p.activity_repeats
    rep = rep[rep["cases_with_repeat"] > 0].head(TOP_ROWS) if len(rep) else rep
    if len(rep):
        tables.append(Table(
            (label("col.activity"), label("col.cases"), label("col.cases_with_repeat"), label("col.share"), label("col.self_loops")),
            tuple((Cell(_act(names, r["activity"])), count_cell(r["cases"], k), count_cell(r["cases_with_repeat"], k),
                   value_cell(r["repeat_share"], "percent", r["cases_with_repeat"], k), count_cell(r["self_loops"], k))
                  for r in rep.to_dict("records")),
            (False, True, True, True, True),
            caption=label("caption.activity_repeats"),
        ))
    notes = _unavailable(p, "rework")
    if any(limit_reason(key, limits) for key in REWORK_LABELS):
        notes += (label("not_measurable.explain"),)
    section = _section("rework_visits", label("intro.rework_generic" if generic else "intro.rework_visits"), tables=tuple(tables),
                       notes=notes)
    return replace(section, title=label("section.rework_generic")) if generic else section


# --- 4 external waits -----------------------------------------------------------------------------


def _party_shares(p: OfficeDiagnosis) -> dict[str, float]:
    """Share of all waiting (calendar) per party."""
    w = p.waiting_by_party
    if w is None or not len(w):
        return {}
    s = w.groupby("wait_party")["calendar_s"].sum()
    tot = float(s.sum())
    return {str(a): float(v) / tot for a, v in s.items()} if tot else {}


def _external_section(p: OfficeDiagnosis, k: int) -> Section:
    """External waits against their norms, BA deemed consent, uncollected cards, waiting by party."""
    paragraphs = []
    tables = []
    ex = p.external_summary
    if ex is not None and len(ex):
        rows = []
        for r in ex.to_dict("records"):
            n = int(r["answered"]) + int(r["open"])
            rows.append((
                Cell(_lab(WAIT_LABELS, r["wait"]), note=str(r.get("source") or "")),
                value_cell(r["norm_days"], "days"),
                count_cell(r["answered"], k),
                count_cell(r["open"], k),
                value_cell(r["median_days"], "days", r["answered"], k),
                value_cell(r["p90_days"], "days", r["answered"], k),
                value_cell(r["median_working_h"], "hours", r["answered"], k),
                value_cell(r["share_over_norm"], "percent", r["answered"], k),
                count_cell(r["open_over_norm"], k) if n else Cell(None, "missing"),
            ))
        tables.append(Table(
            (label("col.wait_kind"), label("col.norm"), label("col.answered"), label("col.open"),
             label("col.median_days"), label("col.p90_days"), label("col.median_working_h"), label("col.share_over_norm"),
             label("col.open_over_norm")),
            tuple(rows), (False, True, True, True, True, True, True, True, True), caption=label("caption.external"),
        ))
    ba = p.ba_consent
    if ba.requests:
        paragraphs.append(label("ba.summary", requests=fmt.fmt_int(ba.requests), over=fmt.fmt_percent(ba.share_over_norm),
                                deemed=fmt.fmt_int(ba.deemed)))
        if 0 < ba.deemed_not_applied < k:
            paragraphs.append(label("ba.not_applied_small", k=k))
        elif ba.deemed_not_applied:
            paragraphs.append(label(
                "ba.not_applied",
                n=fmt.fmt_int(ba.deemed_not_applied),
                share=fmt.fmt_percent(ba.deemed_not_applied_share),
                days=fmt.fmt_number(ba.excess_days_not_applied, 0),
            ))
    elif p.keyed:
        paragraphs.append(label("ba.none"))
    shares = _party_shares(p) if p.keyed else {}  # without keys every wait would count as the office's own
    if shares:
        paragraphs.append(label("external.split", **{x: fmt.fmt_percent(shares.get(x, 0.0)) for x in ("external", "applicant", "office")}))
        w = p.waiting_by_party
        tables.append(Table(
            (label("col.party"), label("col.time_basis"), label("col.sum_calendar_days"), label("col.sum_working_h"),
             label("col.share_calendar"), label("col.share_working")),
            tuple((Cell(_lab(PARTY_LABELS, r["wait_party"])), Cell(_lab(PARTY_BASIS_LABELS, r["basis"])),
                   value_cell(_days(r["calendar_s"]), "int"),
                   value_cell(_hours(r["working_s"]), "int"),
                   value_cell(r["share_calendar"], "percent"), value_cell(r["share_working"], "percent"))
                  for r in w.to_dict("records")),
            (False, False, True, True, True, True), caption=label("caption.waiting_by_party"),
        ))
    cards = p.uncollected_cards
    if p.keyed and cards is not None and int(cards["cards"].sum()) > 0:
        tables.append(Table(
            (label("col.card_age"), label("col.cards"), label("col.share")),
            tuple((Cell(str(r["age_band"])), count_cell(r["cards"], k), value_cell(r["share"], "percent", r["cards"], k))
                  for r in cards.to_dict("records")),
            (False, True, True), caption=label("caption.uncollected_cards"),
        ))
    return _section("external", label("intro.external"), tables=tuple(tables), notes=_unavailable(p, "external"),
                    paragraphs=tuple(paragraphs))


# --- 5 deadlines ----------------------------------------------------------------------------------


def _deadlines_section(p: OfficeDiagnosis, k: int) -> Section:
    """Untätigkeitsklage risk, monthly trend, § 81a deadlines, Fiktionsbescheinigungen."""
    r = p.inaction
    over = f"< {k}" if 0 < r.open_over_limit < k else fmt.fmt_int(r.open_over_limit)
    paragraphs = [label("deadline.inaction", date=fmt.fmt_date(r.as_of), open=fmt.fmt_int(r.open_cases), over=over,
                        share=fmt.MISSING if 0 < r.open_over_limit < k else fmt.fmt_percent(r.share_over_limit))]
    f = p.fiction
    if p.keyed:
        if f.cases_with_certificate:
            small = 0 < f.cases_with_certificate < k
            paragraphs.append(label(
                "deadline.fiction",
                cases=f"< {k}" if small else fmt.fmt_int(f.cases_with_certificate),
                share=fmt.MISSING if small else fmt.fmt_percent(f.certificate_share),
                renewals=fmt.MISSING if small else fmt.fmt_number(f.renewals_per_certificate_case, 1),
                multi=f"< {k}" if 0 < f.cases_multiple_renewals < k else fmt.fmt_int(f.cases_multiple_renewals),
            ))
        else:
            paragraphs.append(label("deadline.no_fiction"))
    tables = []
    m = p.deadline_monthly.tail(MONTHS_SHOWN)
    if len(m):
        keyed = p.keyed
        cols = [label("col.month"), label("col.open_cases"), label("col.open_over_90"), label("col.share"), label("col.closed_over_90")]
        if keyed:
            cols += [label("col.fiction_issued"), label("col.fiction_extended"), label("col.legal_remedies")]
        rows = []
        for x in m.to_dict("records"):
            row = [Cell(_month_text(x["month"])), count_cell(x["open_cases"], k), count_cell(x["open_over_limit"], k),
                   value_cell(x["share_over_limit"], "percent", x["open_cases"], k), count_cell(x["closed_over_limit"], k)]
            if keyed:
                row += [count_cell(x["fiction_issued"], k), count_cell(x["fiction_extended"], k), count_cell(x["legal_remedies"], k)]
            rows.append(tuple(row))
        tables.append(Table(tuple(cols), tuple(rows), (False, *[True] * (len(cols) - 1)), caption=label("caption.deadline_monthly")))
    fkv = p.fkv_deadlines
    if fkv is not None and len(fkv) and int(fkv["cases"].sum()) > 0:
        tables.append(Table(
            (label("col.deadline"), label("col.norm_days"), label("col.requests"), label("col.met"),
             label("col.missed"), label("col.open_overdue"), label("col.share_met")),
            tuple((Cell(_lab(FKV_LABELS, x["deadline"]), note=str(x["source"])), value_cell(x["norm_days"], "days"),
                   count_cell(x["cases"], k), count_cell(x["met"], k), count_cell(x["missed"], k), count_cell(x["open_overdue"], k),
                   value_cell(x["share_met"], "percent", x["cases"], k))
                  for x in fkv.to_dict("records")),
            (False, True, True, True, True, True, True), caption=label("caption.fkv"),
        ))
    return _section("deadlines", label("intro.deadlines"), tables=tuple(tables), notes=_unavailable(p, "deadlines"),
                    paragraphs=tuple(paragraphs))


def _month_text(month: str) -> str:
    """'2025-03' -> '03/2025'."""
    s = str(month)
    return f"{s[5:7]}/{s[:4]}" if len(s) >= 7 else s


# --- 6 teams and staffing -------------------------------------------------------------------------


def _teams_section(p: OfficeDiagnosis, k: int, min_staff: int = 5) -> Section:
    """Team load, hand-overs, weekday profile, seasonal peaks, starvation, KGSt staffing."""
    tables = []
    paragraphs = []
    notes = list(_unavailable(p, "teams"))
    load = p.team_load
    if load is not None and len(load):
        load = load.sort_values(["cases", "team"], ascending=[False, True], kind="stable")
        tables.append(Table(
            (label("col.team"), label("col.cases"), label("col.staff_ids"), label("col.events_per_staff"),
             label("col.service_working_h"), label("col.utilisation"), label("col.open_cases"), label("col.open_over_90")),
            tuple((Cell(str(r["team"])), count_cell(r["cases"], k), value_cell(r["staff_ids"], "int"),
                   value_cell(r["events_per_staff"], "number", r["cases"], k), value_cell(r["service_working_h"], "number", r["cases"], k),
                   value_cell(r["utilisation"], "percent", r["cases"], k), count_cell(r["open_cases"], k),
                   count_cell(r["open_over_90_days"], k))
                  for r in load.to_dict("records")),
            (False, *[True] * 7), caption=label("caption.team_load"),
        ))
        if p.time_basis == "completion_only":
            notes.append(label("note.utilisation_completion"))
    ho = p.team_handovers
    if ho is not None and len(ho):
        tables.append(Table(
            (label("col.from_team"), label("col.to_team"), label("col.handovers"), label("col.cases"), label("col.share")),
            tuple((Cell(str(r["from_team"])), Cell(str(r["to_team"])), count_cell(r["handovers"], k), count_cell(r["cases"], k),
                   value_cell(r["share"], "percent", r["cases"], k))
                  for r in ho.head(TOP_ROWS).to_dict("records")),
            (False, False, True, True, True), caption=label("caption.team_handovers"),
        ))
    wd = p.weekday
    if wd.events:
        basis = label("weekday.basis_decisions" if wd.basis == "decisions" else "weekday.basis_all_events")
        paragraphs.append(label("weekday.summary", basis=basis, day=label(WEEKDAY_LABELS[wd.top_weekday]),
                                share=fmt.fmt_percent(wd.top_share), conc=fmt.fmt_number(wd.concentration, 2)))
        t = wd.table[wd.table["events"] > 0]
        tables.append(Table(
            (label("col.weekday"), label("col.count"), label("col.share")),
            tuple((Cell(label(WEEKDAY_LABELS[int(r["weekday"])])), count_cell(r["events"], k), value_cell(r["share"], "percent", r["events"], k))
                  for r in t.to_dict("records")),
            (False, True, True), caption=label("caption.weekday"),
        ))
    se = p.seasonal
    if se is not None and len(se):
        peaks = se[(se["seasonal_index"] >= SEASONAL_PEAK) & (se["arrivals"] >= k)]
        peaks = peaks.sort_values(["seasonal_index", "month"], ascending=[False, True], kind="stable").head(TOP_ROWS)
        if len(peaks):
            tables.append(Table(
                (label("col.month"), label("col.case_type"), label("col.arrivals"), label("col.seasonal_index")),
                tuple((Cell(_month_text(r["month"])), Cell(case_type_label(r["case_type"])), count_cell(r["arrivals"], k),
                       value_cell(r["seasonal_index"], "ratio"))
                      for r in peaks.to_dict("records")),
                (False, False, True, True), caption=label("caption.seasonal"),
            ))
        else:
            notes.append(label("note.no_seasonal_peaks"))
    st = p.starvation
    if st is not None and len(st):
        st = st.sort_values(["p90_ratio", "case_type"], ascending=[False, True], kind="stable", na_position="last")
        tables.append(Table(
            (label("col.case_type"), label("col.cases"), label("col.open_cases"), label("col.median_days_all"), label("col.p90_days"),
             label("col.p90_ratio"), label("col.open_over_90_short")),
            tuple((Cell(case_type_label(r["case_type"])), count_cell(r["cases"], k), count_cell(r["open_cases"], k),
                   value_cell(r["median_days"], "days", r["cases"], k), value_cell(r["p90_days"], "days", r["cases"], k),
                   value_cell(r["p90_ratio"], "ratio", r["cases"], k), count_cell(r["open_over_90_days"], k))
                  for r in st.to_dict("records")),
            (False, *[True] * 6), caption=label("caption.starvation"),
        ))
    s = p.staffing
    if s is not None:
        a = s.assumptions
        paragraphs.append(label("kgst.needed", fte=fmt.fmt_number(s.fte_needed, 1)))
        if s.actual_fte is None or s.actual_fte_is_estimate:
            # staff ids in an export are not posts (part time, absence, deputies): state the need only
            paragraphs.append(label("kgst.no_actual"))
        else:
            gap = float(s.gap_fte or 0.0)
            gap_text = (label("kgst.gap_missing", gap=fmt.fmt_number(gap, 1)) if gap >= 0
                        else label("kgst.gap_surplus", gap=fmt.fmt_number(-gap, 1)))
            paragraphs.append(label("kgst.gap_actual", actual=fmt.fmt_number(s.actual_fte, 1), gap_text=gap_text))
        ct = s.per_case_type.sort_values(["fte_needed", "case_type"], ascending=[False, True], kind="stable")
        tables.append(Table(
            (label("col.case_type"), label("col.cases"), label("col.annual_volume"), label("col.touch_minutes"), label("col.fte_needed")),
            tuple((Cell(case_type_label(r["case_type"])), count_cell(r["cases"], k), value_cell(r["annual_volume"], "int", r["cases"], k),
                   value_cell(r["touch_minutes"], "int"), value_cell(r["fte_needed"], "number", r["cases"], k))
                  for r in ct.to_dict("records")),
            (False, True, True, True, True),
            caption=label("caption.kgst"),
        ))
        notes.append(label("kgst.assumptions", allowance=fmt.fmt_percent(a.allowance, 0),
                           hours=fmt.fmt_int(a.annual_hours_per_fte), days=fmt.fmt_int(s.period_days)))
    notes += list(_unavailable(p, "staffing"))
    return _section("teams", label("intro.teams", min=min_staff), tables=tuple(tables), notes=tuple(notes),
                    paragraphs=tuple(paragraphs))


def diagnosis_sections(
    p: OfficeDiagnosis,
    k: int = K_MIN,
    activity_keys: dict[str, str] | None = None,
    limits: tuple[str, ...] = (),
    generic: bool = False,
) -> dict[str, Section]:
    """The issue-5 sections of one office report, keyed as in ``SECTION_IDS`` (report order).

    ``activity_keys`` (export label -> catalogue key, added to the keys of ``p.activity_times``) gives the
    German catalogue labels in the tables; ``limits`` (``compare.export_limits``) marks figures as not measurable.
    ``generic``: the log's steps do not map to the immigration catalogue, so the sections that only the
    catalogue fills (external waits, legal deadlines) are left out and the wording has no immigration terms.
    """
    keys = dict(activity_keys or {})
    at = p.activity_times
    if at is not None and len(at) and {"activity", "activity_key"} <= set(at.columns):
        known = at[at["activity_key"].notna()]
        keys = {**dict(zip(known["activity"].astype(str), known["activity_key"].astype(str))), **keys}
    labels = set(keys)
    for df, cols in ((at, ("activity",)), (p.transition_times, ("from", "to")), (p.step_queues, ("activity",)),
                     (p.activity_repeats, ("activity",))):
        if df is not None and len(df):
            for c in cols:
                if c in df.columns:
                    labels |= set(df[c].astype(str).unique())
    names = display_names(labels, keys, glossed=True)  # tables of steps: with the catalogue gloss where it adds meaning
    sections = {
        "waiting": _waiting_section(p, k, names),
        "backlog": _backlog_section(p, k, names),
        "rework_visits": _rework_section(p, k, names, limits, generic),
        "external": _external_section(p, k),
        "deadlines": _deadlines_section(p, k),
        "teams": _teams_section(p, k),
    }
    if generic:
        del sections["external"], sections["deadlines"]
    return sections


# --- results.json ---------------------------------------------------------------------------------


def _records(df: pd.DataFrame | None, count: str | None = None, k: int = K_MIN, keep: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """A table as JSON records; with ``count``, rows from 1..k-1 cases keep only the ``keep`` columns,
    ``count: null`` and ``suppressed: true`` (all rows carry ``suppressed``)."""
    if df is None or not len(df):
        return []
    out = []
    for r in df.to_dict("records"):
        rec = jsonable(r)
        if count is not None:
            n = _num(r.get(count))
            small = n is not None and 0 < n < k
            if small:
                rec = {c: rec.get(c) for c in keep}
                rec[count] = None
            rec["suppressed"] = small
        out.append(rec)
    return out


def diagnosis_record(p: OfficeDiagnosis | None, k: int = K_MIN) -> dict[str, Any] | None:
    """The results.json ``profile`` object of one office (documented in docs/results.md)."""
    if p is None:
        return None
    cal = p.calendar
    ll = p.littles_law
    tr = p.wip_trend
    ba = p.ba_consent
    r = p.inaction
    f = p.fiction
    wd = p.weekday
    s = p.staffing
    flow = p.flow_weekly.assign(period=p.flow_weekly["period"].map(lambda t: pd.Timestamp(t).date().isoformat())) if len(p.flow_weekly) else p.flow_weekly
    staffing = None
    if s is not None:
        a = s.assumptions
        staffing = {
            "period_days": s.period_days,
            "fte_needed": s.fte_needed,
            "actual_fte": s.actual_fte,
            "actual_fte_is_estimate": s.actual_fte_is_estimate,
            "gap_fte": s.gap_fte,
            "assumptions": {
                "touch_minutes": dict(a.touch_minutes),
                "default_touch_minutes": a.default_touch_minutes,
                "allowance": a.allowance,
                "annual_hours_per_fte": a.annual_hours_per_fte,
                "trainee_factor": a.trainee_factor,
            },
            "per_case_type": _records(s.per_case_type, "cases", k, ("case_type",)),
            "per_team": _records(s.per_team, "cases", k, ("team",)),
        }
    return jsonable({
        "time_basis": p.time_basis,
        "keyed": p.keyed,
        "unavailable": {sec: list(codes) for sec, codes in p.unavailable.items()},
        "calendar": {
            "land": cal.land,
            "open_time": cal.open_time.strftime("%H:%M"),
            "close_time": cal.close_time.strftime("%H:%M"),
            "weekdays": list(cal.weekdays),
        },
        "time": {
            "activities": _records(p.activity_times, "events", k, ("activity", "activity_key", "time_basis")),
            "transitions": _records(p.transition_times, "count", k, ("from", "to", "time_basis")),
        },
        "queues": {
            "closed_rule": p.closed_rule,
            "weekly": _records(flow),
            "wip_trend": {"slope_per_week": tr.slope_per_week, "ci_low": tr.ci_low, "ci_high": tr.ci_high,
                          "weeks": tr.weeks, "mean_wip": tr.mean_wip, "growing": tr.growing, "shrinking": tr.shrinking},
            "littles_law": {"window_start": ll.window_start, "window_end": ll.window_end, "mean_wip": ll.mean_wip,
                            "throughput_per_day": ll.throughput_per_day, "mean_time_in_system_days": ll.mean_time_in_system_days,
                            "predicted_wip": ll.predicted_wip, "ratio": ll.ratio, "consistent": ll.consistent},
            "open_ages": _records(p.open_ages),
            "open_ages_by_case_type": _records(p.open_ages_by_case_type),
            "steps": _records(p.step_queues),
        },
        "rework": {
            "summary": dict(p.rework),
            "by_case_type": _records(p.rework_by_case_type, "cases", k, ("case_type",)),
            "by_team": _records(p.rework_by_team, "cases", k, ("team",)),
            "activities": _records(p.activity_repeats, "cases", k, ("activity",)),
        },
        "external": {
            "waits": _records(p.external_summary),
            "ba_consent": {
                "requests": ba.requests, "answered": ba.answered, "open": ba.open, "share_over_norm": ba.share_over_norm,
                "deemed": ba.deemed, "deemed_share": ba.deemed_share, "deemed_not_applied": ba.deemed_not_applied,
                "deemed_not_applied_share": ba.deemed_not_applied_share, "excess_days_not_applied": ba.excess_days_not_applied,
            },
            "uncollected_cards": _records(p.uncollected_cards),
            "waiting_by_party": _records(p.waiting_by_party),
        },
        "deadlines": {
            "inaction": {"as_of": r.as_of, "days": r.days, "open_cases": r.open_cases, "open_over_limit": r.open_over_limit,
                         "share_over_limit": r.share_over_limit},
            "monthly": _records(p.deadline_monthly),
            "fkv_81a": _records(p.fkv_deadlines),
            "fiction": {"cases_with_certificate": f.cases_with_certificate, "certificate_share": f.certificate_share,
                        "renewals_per_certificate_case": f.renewals_per_certificate_case,
                        "cases_multiple_renewals": f.cases_multiple_renewals},
        },
        "teams": {
            "load": _records(p.team_load, "cases", k, ("team",)),
            "handovers": _records(p.team_handovers, "cases", k, ("from_team", "to_team")),
            "weekday": {"basis": wd.basis, "events": wd.events, "top_weekday": wd.top_weekday, "top_share": wd.top_share,
                        "concentration": wd.concentration, "table": _records(wd.table)},
            "seasonal": _records(p.seasonal),
            "starvation": _records(p.starvation, "cases", k, ("case_type",)),
        },
        "staffing": staffing,
    })


__all__ = ["SECTION_IDS", "diagnosis_record", "diagnosis_sections", "finding_section", "littles_sentence", "trend_sentence"]
