"""The workshop pages of an office report: page 1 "Auf einen Blick", one page per finding, the Methodik appendix.

Also decides what fits the data: whether the log speaks the immigration catalogue (else the generic
wording, without § 75 VwGO, § 81a or Fiktion), which measures fit a finding, and whether the office is
compared with a network at all (a single office never is).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from procmine.analyse.model import Finding, OfficeAnalysis
from procmine.analyse.time import DEFAULT_CALENDAR, OfficeCalendar
from procmine.compare import Comparison
from procmine.compare.medians import NETWORK, TYPICAL, NetworkMedians, comparison_of_finding, strength_figure
from procmine.labels_de.report import has_label, label, label_or
from procmine.report import format_de as fmt
from procmine.report.cells import K_MIN, _num
from procmine.report.figures import finding_chart
from procmine.report.finding_trend import course, finding_trend_chart
from procmine.report.model import Cell, Chart, FindingItem, FindingPage, Glance, Section, Table

TOP_LOSSES = 3
TOP_MEASURES = 3
FINDING_PAGES = 5  # findings with a page of their own; the rest are listed in a table
MAX_STRENGTHS = 4

# a measure fits a finding only when the finding is about what the measure changes: the pattern, the kind,
# or a catalogue step of the finding whose key contains one of the words (keys are English identifiers)
MEASURE_FITS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # measure: (patterns, kinds, words in the finding's step keys)
    "document_checklist": (("document_loops",), (), ("document",)),
    "apply_deemed_consent": (("ba_wait",), (), ("ba_consent",)),
    "card_by_post": (("eat_bottleneck",), (), ("eat", "card")),
    "longer_fiction_validity": (("fiction_churn", "security_outage"), (), ("fiction",)),
    "appointment_steering": (("appointment_backlog", "booking_abuse", "seasonal_surge"), (), ("appointment",)),
    "slot_release_rules": (("appointment_backlog", "booking_abuse"), ("no_show",), ("appointment",)),
    "servicepoint_triage": (("appointment_backlog",), (), ("appointment", "servicepoint", "check_in")),
    "status_portal": (("inquiry_flood",), (), ("inquiry",)),
}
# words of immigration law that a generic report (another authority, a helpdesk) never shows
LEGAL_WORDS = ("§", "VwGO", "AufenthG", "BeschV", "Fiktion", "Untätigkeitsklage", "Ausländerbehörde", "eAT", "Bundesagentur")
# measures that need an outside body behind the finding
EXTERNAL_MEASURES = ("escalate_external",)


def is_generic(a: OfficeAnalysis) -> bool:
    """True when none of the log's steps maps to the immigration catalogue (another authority, a helpdesk …)."""
    if a.diagnosis is not None:
        return not a.diagnosis.keyed
    acts = a.activities
    return acts is None or "activity_key" not in acts.columns or not acts["activity_key"].notna().any()


def network_size(comparison: Comparison | None) -> int:
    """How many offices the report can compare with (1 = a single office: no network figures)."""
    return len(comparison.offices) if comparison is not None else 1


def measure_fits(f: Finding, measure: str) -> bool:
    """Whether a measure fits the finding (``MEASURE_FITS``); measures not listed fit any finding they come with."""
    if measure in EXTERNAL_MEASURES:
        return bool(f.external)
    if measure not in MEASURE_FITS:
        return True
    patterns, kinds, words = MEASURE_FITS[measure]
    keys = " ".join(str(x) for x in (f.activity_key, f.from_key, f.to_key) if x)
    return f.pattern in patterns or f.kind in kinds or any(w in keys for w in words)


def fitting_measures(f: Finding, keys: tuple[str, ...]) -> tuple[str, ...]:
    """The measure keys that fit the finding, in their order."""
    return tuple(m for m in keys if measure_fits(f, m))


def calendar_note(a: OfficeAnalysis) -> str:
    """Which Land's public holidays the working time leaves out, and whether that was set or assumed."""
    p = a.diagnosis
    if p is None:
        return ""
    land = label_or(f"land.{p.calendar.land}", str(p.calendar.land))
    key = "calendar.default" if _assumed(p.calendar) else "calendar.set"
    return label(key, land=land, open=f"{p.calendar.open_time:%H:%M}", close=f"{p.calendar.close_time:%H:%M}")


def holiday_land(a: OfficeAnalysis) -> str:
    """The Land whose public holidays the analysis used, for the report's header ("" without a diagnosis)."""
    p = a.diagnosis
    if p is None:
        return ""
    land = label_or(f"land.{p.calendar.land}", str(p.calendar.land))
    return label("meta.holidays_default", land=land) if _assumed(p.calendar) else land


def _assumed(cal: OfficeCalendar) -> bool:
    """The default calendar, its Land not stated by profile or ``--land``."""
    return cal == DEFAULT_CALENDAR and not cal.land_given


# --- page 1 -----------------------------------------------------------------------------------------


def _loss_size(f: Finding, item: FindingItem, k: int) -> str:
    """'etwa 1.234 zusätzliche Vorgangstage pro Jahr, … betroffen'; a capacity finding in staff hours (an estimate);
    a finding without either in its own figure (e.g. '65,2 %')."""
    if 0 < int(f.cases) < k:
        return label("text.value_suppressed")
    impact = _num(f.impact)
    if impact is not None and impact > 0:
        return label("glance.size", impact=fmt.fmt_int(impact), cases=fmt.fmt_int(f.cases))
    hours = _num(f.staff_hours)
    if hours is not None and hours > 0:
        return label("glance.size_staff", hours=fmt.fmt_int(hours), cases=fmt.fmt_int(f.cases))
    if _num(f.value) is not None:
        return label("glance.size_value", value=fmt.fmt_value(f.value, f.unit), cases=fmt.fmt_int(f.cases))
    return label("glance.size_cases", cases=fmt.fmt_int(f.cases))


# the analysis' strengths (``extra["strengths"]``, analyse/detectors/strengths.py): label and number format
STRENGTH_FORMATS: dict[str, tuple[str, Callable[[float], str]]] = {
    "median_elapsed_days": ("strength.median_elapsed_days", fmt.fmt_days),
    "share_over_90_days": ("strength.share_over_90_days", fmt.fmt_percent),
    "appointment_to_visit_days": ("strength.appointment_to_visit_days", fmt.fmt_days),
    "status_inquiries_per_case": ("strength.status_inquiries_per_case", lambda v: fmt.fmt_number(v, 2)),
    "document_requests_per_case": ("strength.document_requests_per_case", lambda v: fmt.fmt_number(v, 2)),
}


def strength_texts(a: OfficeAnalysis, medians: NetworkMedians | None) -> tuple[str, ...]:
    """What the office does well, from the analysis' strengths, each with its network median as the comparison
    holds it (``compare.medians``, ``strength:<metric>``; the same number in every report)."""
    out = []
    for s in a.extra.get("strengths") or []:
        metric = str(s.get("metric"))
        net = medians.get(strength_figure(metric)) if medians is not None else None
        if metric in STRENGTH_FORMATS and net is not None and _num(s.get("value")) is not None:
            key, f = STRENGTH_FORMATS[metric]
            out.append(label(key, value=f(float(s["value"])), network=f(net)))
    return tuple(out)


def glance(
    a: OfficeAnalysis, findings: list[Finding], items: list[FindingItem], pages: tuple[FindingPage, ...],
    comparison: Comparison | None, kpi_names: dict[str, str], k: int = K_MIN,
) -> Glance:
    """Page 1: the three biggest losses (high-impact findings, by rank) and the most promising measures
    (each once, from the biggest loss down); without high-impact findings what the office does well."""
    links = {p.item.rank: f"#{p.key}" for p in pages}
    big = [(f, it) for f, it in zip(findings, items) if f.high_impact]
    # a consequence (status inquiries of a backlog, its late cases) is told under its cause, not as a loss of its own
    shown: dict[int, int] = {}  # rank of a loss's finding -> its index in ``rows``
    rows: list[tuple[Finding, FindingItem, list[str]]] = []
    for f, it in big:
        cause = f.cause_rank
        if cause is not None and cause in shown:
            rows[shown[cause]][2].append(label("glance.consequence", rank=it.rank, title=it.pattern_label or it.kind_label,
                                               size=_loss_size(f, it, k)))
        elif len(rows) < TOP_LOSSES:
            shown[it.rank] = len(rows)
            rows.append((f, it, []))
    losses = tuple((it.pattern_label or it.kind_label, it.text_de, _loss_size(f, it, k), links.get(it.rank, "#engpaesse"),
                    tuple(after), it.rank) for f, it, after in rows)
    big = [(f, it) for f, it, _ in rows]
    measures: list[tuple[str, str]] = []
    seen: set[str] = set()
    for _, it in big:
        for m in it.measures:
            if m not in seen and len(measures) < TOP_MEASURES:
                seen.add(m)
                measures.append((m, it.pattern_label or it.kind_label))
    strengths = () if big else _page_one_strengths(a, comparison, kpi_names, k)
    if big:
        verdict = label("glance.verdict", title=losses[0][0], size=losses[0][2])
    elif findings:
        verdict = label("glance.verdict_small")
    else:
        verdict = label("glance.verdict_none")
    return Glance(verdict, losses, tuple(measures), strengths)


def _page_one_strengths(a: OfficeAnalysis, comparison: Comparison | None, names: dict[str, str], k: int) -> tuple[str, ...]:
    """The analysis' strengths (first letter upper case, a list on page 1); an office without any (alone, or
    nowhere among the network's best) gets its key figures stated, not judged."""
    medians = comparison.network_medians if network_size(comparison) >= 2 and comparison is not None else None
    out = [t[:1].upper() + t[1:] for t in strength_texts(a, medians)]
    if not out:
        for key in ("cycle_time_median_days", "share_cases_over_90_days"):
            v = _num(a.kpis.get(key))
            if v is not None and a.cases >= k:
                text = fmt.fmt_percent(v) if "share" in key else fmt.fmt_days(v)
                out.append(label("strength.value", name=names.get(key, key), value=text))
    return tuple(out[:MAX_STRENGTHS])


# --- one page per finding ----------------------------------------------------------------------------


SINCE_COURSE = {"above": "since.course_above", "always": "since.course_always", "back": "since.course_back"}


def _since(f: Finding, period: str, trend: Chart | None = None) -> str:
    """Since when: the month the analysis names (a jump in case numbers), else what the page's monthly chart shows
    against the norm (above it since, back within it since), else the whole period of the data."""
    ev = f.evidence or {}
    month = ev.get("from_month")
    if month:
        s = str(month)
        return label("since.month", month=f"{s[5:7]}/{s[:4]}" if len(s) >= 7 else s)
    seen = course(trend)
    if seen is not None:
        return label(SINCE_COURSE[seen[0]], month=seen[1])
    return label("since.period_trend" if trend is not None else "since.period", period=period)


def _network_value(f: Finding, single: bool, medians: NetworkMedians | None) -> tuple[float | None, str]:
    """The third bar of a finding's chart and its name: the one network figure the finding is compared with
    (``compare.medians.comparison_of_finding``); None for an office alone."""
    value, which = (None, "") if single else comparison_of_finding(f, medians)
    return value, label(CHART_NAMES[which]) if which else ""


CHART_NAMES = {TYPICAL: "chart.typical_office", NETWORK: "chart.network_median"}


def finding_pages(
    findings: list[Finding], items: list[FindingItem], period: str, single: bool, k: int = K_MIN,
    medians: NetworkMedians | None = None, horizon_days: float | None = None,
) -> tuple[FindingPage, ...]:
    """A page for each of the first ``FINDING_PAGES`` high-impact findings, with its evidence chart (a finding
    that is not high-impact gets no "Engpass" page: page 1 has just said that nothing big is wrong)."""
    pages = []
    paged = paged_findings(findings, items)
    repeated = Counter(it.pattern_label or it.kind_label for _, it in paged)
    for f, it in paged:
        key = f"engpass-{it.rank}"
        net_value, net_name = _network_value(f, single, medians)
        chart = finding_chart(f, f"{key}-grafik", it.extent.kind, net_value, k, single, net_name)
        nxt = (label_or(f"next.{f.pattern}", label_or(f"next.{f.kind}", label("next.generic"))),)
        title = it.pattern_label or it.kind_label
        if repeated[title] > 1:  # the same pattern at several places: say where
            title = label("finding.title_where", title=title, where=it.where)
        trend = finding_trend_chart(f, f"{key}-verlauf", it.extent.kind, k, single, horizon_days)
        pages.append(FindingPage(key, label("finding.page_title", rank=it.rank, title=title), it,
                                 _since(f, period, trend), chart, nxt, trend))
    return tuple(pages)


def paged_findings(findings: list[Finding], items: list[FindingItem]) -> list[tuple[Finding, FindingItem]]:
    """The findings with a page of their own: the high-impact ones, at most ``FINDING_PAGES``."""
    return [(f, it) for f, it in zip(findings, items) if f.high_impact][:FINDING_PAGES]


def more_findings_table(findings: list[Finding], items: list[FindingItem]) -> Table | None:
    """The findings without a page of their own, in one table."""
    paged = {it.rank for _, it in paged_findings(findings, items)}
    rest = [it for it in items if it.rank not in paged]
    if not rest:
        return None
    return Table(
        (label("col.rank"), label("col.finding"), label("col.extent")),
        tuple((Cell(it.rank, "int"), Cell(it.text_de), it.extent) for it in rest),
        (True, False, True),
    )


# --- appendix: Methodik ------------------------------------------------------------------------------


def methodik_section(
    definitions: list[tuple[str, str, str, str]], extra: tuple[str, ...], generic: bool, k: int,
    shown_keys: frozenset[str] = frozenset(), naming: Table | None = None,
) -> Section:
    """The appendix that defines every figure and holds the technical terms kept out of the main text."""
    terms = ["median", "p90", "working_time", "suppression", "quarantine", "files", "fte", "concentration", "model"]
    if not generic:
        terms.append("legal")
    rows = tuple((Cell(label(f"method.{t}.term", k=k)), Cell(label(f"method.{t}.text", k=k))) for t in terms)
    tables = [Table((label("col.term"), label("col.definition")), rows, (False, False), caption=label("caption.terms"))]
    if generic:  # only figures this office has; immigration law only where a plain wording replaces it
        definitions = [d for d in definitions if d[0] in shown_keys
                       and (has_label(f"kpi.{d[0]}.explain_generic") or not any(w in d[2] for w in LEGAL_WORDS))]
    if definitions:
        tables.append(Table(
            (label("col.kpi"), label("col.definition"), label("col.unit")),
            tuple((Cell(n), Cell(label(f"kpi.{key}.explain_generic") if generic and has_label(f"kpi.{key}.explain_generic") else d),
                   Cell(label_or(f"unit.{u}", u))) for key, n, d, u in definitions),
            (False, False, False), caption=label("caption.kpi_definitions"),
        ))
    if naming is not None:  # the export's codes and English names beside the names the report uses
        tables.append(naming)
    return Section("methodik", label("section.methodik"), label("intro.methodik"), tuple(tables),
                   paragraphs=tuple(p for p in extra if p))


def kpi_label(key: str, definitions: dict[str, Any]) -> str | None:
    """A KPI's German name in the main text: the catalogue's plain name first, then the analysis' definition."""
    if has_label(f"kpi.{key}"):
        return label(f"kpi.{key}")
    d = definitions.get(key)
    return d[0] if d else None
