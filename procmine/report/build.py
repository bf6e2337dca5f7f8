"""All content decisions of the reports: which findings, their order, German sentences, suppression.

Turns ``OfficeAnalysis`` / ``Comparison`` / ``QualityReport`` into the report model (``report.model``)
and into the ``results.json`` dict. Small groups: any published cell from 1..k-1 cases is replaced
by "< k" (``Cell(kind="suppressed")``); staff appear only as teams, never as resource ids.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from procmine import catalogue
from procmine.analyse.decomposition import decomposition_records
from procmine.analyse.detectors import registry
from procmine.analyse.model import Finding, OfficeAnalysis
from procmine.analyse.queues import CLOSING_KEYS
from procmine.compare import (
    HIGHER,
    LOWER,
    Comparison,
    NetworkMedians,
    case_type_frame,
    export_limits,
    kpi_direction,
    not_measurable_kpis,
    tied_best_worst,
)
from procmine.compare.medians import NETWORK, TYPICAL, comparison_of_finding
from procmine.labels_de.report import has_label, label, label_or
from procmine.quality import QualityReport
from procmine.report import format_de as fmt
from procmine.report.cells import (  # re-exported: other modules and tests use them as build.*
    K_MIN,
    _catalogue_key,
    _num,
    activity_label,
    activity_text,
    case_type_label,
    count_cell,
    display_names,
    jsonable,
    naming_note,
    naming_table,
    not_measurable_cell,
    plain_words,
    value_cell,
)
from procmine.report.diagnosis_sections import (
    FLOW_CHART_ID,
    diagnosis_record,
    diagnosis_sections,
    finding_section,
    littles_sentence,
)
from procmine.report.figures import (
    cycle_time_chart,
    flow_chart,
    monthly_chart,
    waiting_chart,
)
from procmine.report.mapview import process_map_levels
from procmine.report.model import (
    BpmnModel,
    BpmnNode,
    Cell,
    Chart,
    ComparisonReport,
    FindingItem,
    Kpi,
    OfficeReport,
    Section,
    Table,
)
from procmine.report.pages import (
    calendar_note,
    finding_pages,
    fitting_measures,
    glance,
    holiday_land,
    is_generic,
    kpi_label,
    methodik_section,
    more_findings_table,
    network_size,
    strength_texts,
)
from procmine.report.timesplit import timesplit_section
from procmine.schema import DISPLAY_TZ

RESULTS_SCHEMA_VERSION = 1  # of results.json; bump only for breaking changes (docs/results.md)

TOP_N_FINDINGS = 3
TOP_N_VARIANTS = 10
VARIANT_ARROW = " → "  # how the analysis joins a variant's steps (analyse.stats)
RESULTS_VARIANTS = 50  # variants kept in results.json
CORE_KPIS = ("cycle_time_median_days", "cycle_time_p90_days", "share_cases_over_90_days")
CASE_TYPE_KPIS = CORE_KPIS


# --- small helpers ------------------------------------------------------------------------------


def now_berlin() -> datetime:
    """The current time in Europe/Berlin (generation date of a report)."""
    return datetime.now(ZoneInfo(DISPLAY_TZ)).replace(microsecond=0)


def unit_kind(unit: str | None) -> str:
    """The cell kind for a finding/KPI unit."""
    return {
        "days": "days",
        "share": "percent",
        "ratio": "ratio",
        "per_case": "per_case",
        "cases": "int",
        "count": "int",
        "s": "duration",
        "seconds": "duration",
    }.get(unit or "", "number")


KPI_KIND_OVERRIDES = {"open_over_90_days": "int", "variants_count": "int", "cases_closed": "int", "cases_open": "int"}
DEFINITION_UNIT_KINDS = {"Anzahl": "int", "Tage": "days", "Anteil": "percent", "je Vorgang": "per_case"}


def kpi_kind(key: str, definitions: dict[str, tuple[str, str, str]] | None = None) -> str:
    """The cell kind for a KPI key: known counts, the unit of its definition, else its naming (…_days, share_…)."""
    if key in KPI_KIND_OVERRIDES:
        return KPI_KIND_OVERRIDES[key]
    unit = (definitions or {}).get(key, ("", "", ""))[2]
    if unit in DEFINITION_UNIT_KINDS:
        return DEFINITION_UNIT_KINDS[unit]
    if key.endswith("_days") and not key.startswith("share"):
        return "days"
    if key.startswith("share") or key.endswith("_share") or key.endswith("_rate"):
        return "percent"
    if key.endswith("per_case"):
        return "per_case"
    if key.endswith("_s"):
        return "duration"
    if key in ("cases", "events", "open_cases") or key.endswith("_cases") or key.startswith("n_"):
        return "int"
    return "number"


def activity_keys(a: OfficeAnalysis) -> dict[str, str]:
    """Export label -> catalogue key for an office's activities whose key the catalogue knows."""
    acts = a.activities
    if acts is None or not len(acts) or not {"activity", "activity_key"} <= set(acts.columns):
        return {}
    df = pd.DataFrame({"activity": acts["activity"].astype(str), "key": acts["activity_key"].astype(object)})
    df = df[df["key"].notna()]
    df = df[df["key"].astype(str).isin(list(catalogue.ACTIVITIES))]
    return dict(zip(df["activity"], df["key"].astype(str)))


def office_display_names(a: OfficeAnalysis) -> dict[str, str]:
    """``display_names`` over all of an office's activities (one naming for map, model and variants)."""
    acts = a.activities
    if acts is None or not len(acts) or "activity" not in acts.columns:
        return {}
    return display_names(acts["activity"].astype(str), activity_keys(a))


def kpi_name(key: str, definitions: dict[str, tuple[str, str, str]]) -> str | None:
    """German name of a KPI: the catalogue's plain name first (no jargon such as P90), then the analysis' definition."""
    return kpi_label(key, definitions)


def kpi_explanation(key: str, definitions: dict[str, tuple[str, str, str]], generic: bool = False) -> str:
    """Plain German explanation of a KPI (``generic``: without immigration law, e.g. no § 75 VwGO)."""
    if generic and has_label(f"kpi.{key}.explain_generic"):
        return label(f"kpi.{key}.explain_generic")
    if has_label(f"kpi.{key}.explain"):
        return label(f"kpi.{key}.explain")
    if key in definitions:
        return definitions[key][1]
    return label("kpi.generic.explain")


def load_kpi_definitions() -> list[tuple[str, str, str, str]]:
    """(key, German name, definition, unit) rows from ``procmine.analyse.kpi_definitions`` if it exists."""
    try:
        mod = importlib.import_module("procmine.analyse.kpi_definitions")
    except ImportError:
        return []
    candidates = [getattr(mod, n) for n in ("KPI_DEFINITIONS", "DEFINITIONS", "KPIS") if hasattr(mod, n)]
    candidates += [v for n, v in vars(mod).items() if not n.startswith("_") and isinstance(v, (list, tuple))]
    for rows in candidates:
        if isinstance(rows, dict):
            rows = [(k, *v) if isinstance(v, (list, tuple)) else (k, str(v), "", "") for k, v in rows.items()]
        out = []
        for r in rows:
            if isinstance(r, (list, tuple)) and len(r) >= 4 and all(isinstance(x, str) for x in r[:4]):
                out.append((r[0], r[1], r[2], r[3]))
            elif hasattr(r, "key") and hasattr(r, "unit"):
                name = getattr(r, "name_de", None) or getattr(r, "name", None)
                definition = getattr(r, "definition_de", None) or getattr(r, "definition", None)
                if name and definition:
                    out.append((str(r.key), str(name), str(definition), str(r.unit)))
        if out:
            return out
    return []


def _reason_dicts() -> tuple[dict[str, str], dict[str, str]]:
    """German labels and hints per quarantine reason, from ``procmine.normalise`` if available."""
    try:
        mod = importlib.import_module("procmine.normalise")
    except Exception:  # noqa: BLE001 - the ingest stage may be absent or broken; fall back to codes
        return {}, {}
    return dict(getattr(mod, "REASON_LABELS_DE", {}) or {}), dict(getattr(mod, "REASON_HINTS_DE", {}) or {})


def safe_dirname(office: str) -> str:
    """A file-system-safe folder name for an office (``procmine.outputs.safe_name``: labels, never paths)."""
    from procmine.outputs import safe_name

    return safe_name(office)


def _period(a: OfficeAnalysis) -> str:
    """'01.01.2024 bis 30.09.2025' for an analysis."""
    return label("meta.period_value", start=fmt.fmt_date(a.period_start), end=fmt.fmt_date(a.period_end))


# --- findings -----------------------------------------------------------------------------------


def team_name(team: str) -> str:
    """'Team Erwerb' for a team key 'Erwerb'; keys already starting with 'Team' stay as they are."""
    text = str(team)
    return text if text.lower().startswith("team") else label("text.where_team", team=text)


def finding_where(f: Finding, export: bool = False) -> str:
    """Where a finding sits, in German: catalogue activity labels (with the export's own in parentheses
    when ``export`` and they differ), team, case type."""
    name = activity_text if export else activity_label
    if f.from_activity and f.to_activity:
        where = label(
            "text.where_pair", from_activity=name(f.from_activity, f.from_key), to_activity=name(f.to_activity, f.to_key)
        )
    elif f.activity:
        where = label("text.where_activity", activity=name(f.activity, f.activity_key))
    elif f.team:
        where = team_name(f.team)
    elif f.case_type:
        return label("text.where_case_type", case_type=case_type_label(f.case_type))
    else:
        return label("text.where_office")
    if f.team and (f.activity or f.from_activity):
        where += " · " + team_name(f.team)
    if f.case_type:
        where += label("text.in_case_type", case_type=case_type_label(f.case_type))
    return where


def finding_suppressed(f: Finding, k: int = K_MIN) -> bool:
    """True when the finding's figure stems from 1..k-1 cases."""
    return 0 < int(f.cases) < k


def finding_text(f: Finding, k: int = K_MIN, export: bool = False) -> str:
    """One German sentence describing the finding (``text_de``): catalogue activity labels, with the export's
    own in parentheses where they differ when ``export`` (tables that must let the office recognise its step)."""
    name = activity_text if export else activity_label
    suppressed = finding_suppressed(f, k)
    value = label("text.value_suppressed") if suppressed else fmt.fmt_value(f.value, f.unit)
    cases = label("text.cases_suppressed", k=k) if suppressed else fmt.fmt_int(f.cases)
    norm_clause = ""
    if f.norm is not None and not suppressed and _num(f.norm) is not None:
        norm_clause = label("text.norm_clause", norm=norm_text(f), basis=_basis(f))
    where = finding_where(f, export)
    # a finding whose figure is the mean wait of the waits past the norm (a wait, an appointment backlog, ...)
    # says so in the wait's own words, whatever its kind
    wait_figure = f.unit == "days" and "mean_beyond_norm_days" in (f.evidence or {})
    if (f.kind == "waiting" or wait_figure) and f.from_activity and f.to_activity:
        text = label(
            "text.waiting",
            from_activity=name(f.from_activity, f.from_key),
            to_activity=name(f.to_activity, f.to_key),
            value=value,
            norm_clause=norm_clause,
            cases=cases,
        )
        if f.case_type:
            text = text[:-1] + label("text.in_case_type", case_type=case_type_label(f.case_type)) + "."
        return text
    if f.kind == "waiting" and f.activity:
        return label(
            "text.waiting_activity", activity=name(f.activity, f.activity_key), value=value, norm_clause=norm_clause, cases=cases
        )
    if f.kind == "resource" and f.unit == "days":
        key = f"text.resource_days.{(f.evidence or {}).get('team_measure')}"
        return label(key if has_label(key) else "text.resource_days", where=where, value=value, norm_clause=norm_clause,
                     cases=cases)
    if f.kind == "deadline" and f.unit == "share":  # the share of cases past three months, and where they lost time
        # a norm in days is the three-month limit the sentence names already; a share norm is the typical share
        share_norm = norm_clause if (_num(f.norm) or 2.0) <= 1.0 else ""
        text = label("text.deadline_share", value=value, norm_clause=share_norm, cases=cases,
                     of=label("text.of_case_type", case_type=case_type_label(f.case_type)) if f.case_type else "")
        gross = _num((f.evidence or {}).get("share_over_90_days_with_external"))
        if gross is not None and not suppressed and fmt.fmt_value(gross, f.unit) != value:
            text += " " + label("text.deadline_net_of_external", gross=fmt.fmt_value(gross, f.unit))
        if f.from_activity and f.to_activity:
            text += " " + label("text.deadline_lost_at", where=where)
        return text
    key = next((k for k in (f"text.{f.pattern}", f"text.{f.kind}") if has_label(k)), "text.generic")
    return label(key, where=where, value=value, cases=cases, norm_clause=norm_clause,
                 kind=label_or(f"kind.{f.kind}", f.kind))


def norm_text(f: Finding) -> str:
    """The finding's norm, formatted in its own unit: days where the evidence says so (or a share norm above 1)."""
    norm = _num(f.norm)
    days = _num((f.evidence or {}).get("norm_days"))
    if days is not None and norm is not None and math.isclose(days, norm):
        return fmt.fmt_days(norm)
    if f.unit == "share" and norm is not None and norm > 1:
        return fmt.fmt_days(norm)
    return fmt.fmt_value(norm, f.unit)


def _basis(f: Finding) -> str:
    """German name of a finding's norm basis (legal, usual, network, office; a pattern may name its own, e.g. a
    team's norm is the office's other teams); a neutral word if unknown."""
    return label_or(f"norm_basis.{f.pattern}.{f.norm_basis}",
                    label_or(f"norm_basis.{f.norm_basis}", label("norm_basis.unknown")))


def _finding_comparison(f: Finding, suppressed: bool, single: bool = False, medians: NetworkMedians | None = None) -> str:
    """'Norm: 14,0 Tage (gesetzliche Frist)' and the one network figure the finding is compared with (the typical
    office's same figure or the network median, ``compare.medians.comparison_of_finding``); a single office is
    compared with no network."""
    parts = []
    if suppressed or (single and f.norm_basis == "network"):
        return label("compare.none")
    norm = _num(f.norm)
    if norm is not None:
        parts.append(label("compare.norm", norm=norm_text(f), basis=_basis(f)))
    value, which = (None, "") if single else comparison_of_finding(f, medians)
    if value is not None:
        parts.append(label(COMPARISON_LABELS[which], value=fmt.fmt_value(value, f.unit)))
    return " · ".join(parts) if parts else label("compare.none")


COMPARISON_LABELS = {TYPICAL: "compare.typical", NETWORK: "compare.network"}


def _finding_evidence(f: Finding, k: int) -> tuple[str, ...]:
    """Evidence lines: impact, cases, and catalogued evidence keys (never resource ids)."""
    if finding_suppressed(f, k):
        return (label("evidence.cases", cases=label("text.cases_suppressed", k=k)),)
    lines = []
    ev = f.evidence or {}
    if _num(f.impact) is not None and f.impact > 0:
        lines.append(label("evidence.impact", impact=fmt.fmt_int(f.impact)))
    if _num(f.staff_hours) is not None:
        lines.append(label("evidence.staff_hours", hours=fmt.fmt_int(f.staff_hours), fte=fmt.fmt_number(f.fte or 0.0, 2)))
    if ev.get("caused_by"):
        c = ev["caused_by"]
        if c.get("from_activity") and c.get("to_activity"):
            where = label("text.where_pair", from_activity=activity_label(c["from_activity"], c.get("from_key")),
                          to_activity=activity_label(c["to_activity"], c.get("to_key")))
        else:
            where = label_or(f"pattern.{c.get('pattern')}", str(c.get("pattern")))
        lines.append(label("text.caused_by", where=where))
    # "bei 27 % der Vorgänge über 100 Tage, bei den übrigen wie üblich" only where a minority carries the
    # excess: the cases waiting longer than the finding's own norm (``cases_over_norm``), the rest within it
    share, norm_days = _num(ev.get("share_cases_over_norm")), _num(f.norm)
    if share is not None and norm_days is not None and 0.0 < share <= 0.5:
        lines.append(label("evidence.carried_by", share=fmt.fmt_percent(share), days=fmt.fmt_days(norm_days)))
    if f.few_cases:
        lines.append(label("evidence.few_cases"))
    lines.append(label("evidence.cases", cases=fmt.fmt_int(f.cases)))
    for key, value in (f.evidence or {}).items():
        if key in ("network_median", "network_median_days") or not has_label(f"evidence_key.{key}"):
            continue
        v = _num(value)
        if v is None:
            text = plain_words(str(value))
        elif key.startswith("share"):
            text = fmt.fmt_percent(v)
        elif key.startswith(("cases", "offices", "staff")):
            text = fmt.fmt_int(v)
        elif key.endswith("_days"):
            text = fmt.fmt_days(v)
        else:
            text = fmt.fmt_number(v, 1) if not float(v).is_integer() else fmt.fmt_int(v)
        lines.append(f"{label('evidence_key.' + key)}: {text}")
    return tuple(lines)


def finding_measures(f: Finding) -> tuple[str, ...]:
    """The finding's measure keys, or the pattern's defaults when it names none."""
    return tuple(f.measures) if f.measures else registry.measures_of(f.pattern)


def ranked_findings(a: OfficeAnalysis) -> list[Finding]:
    """Findings in report order: by rank (0 = unranked goes last), then by impact, largest first."""
    return sorted(a.findings, key=lambda f: (f.rank <= 0, f.rank, -(_num(f.impact) or 0.0)))


def finding_item(
    f: Finding, rank: int, k: int = K_MIN, sections: dict[str, Section] | None = None, single: bool = False,
    medians: NetworkMedians | None = None,
) -> FindingItem:
    """The report's view of one finding; with the report's ``sections``, a link to the one holding its evidence.
    Only measures that fit the finding (``pages.fitting_measures``); ``single``: no network to compare with;
    ``medians``: the comparison's network medians."""
    suppressed = finding_suppressed(f, k)
    extent = Cell(k, "suppressed") if suppressed else value_cell(f.value, unit_kind(f.unit))
    keys = fitting_measures(f, finding_measures(f))
    measures = tuple(label_or(f"measure.{m}", label("measure.unknown", key=m)) for m in keys)
    measures_short = tuple(label_or(f"measure_short.{m}", m) for m in keys)
    return FindingItem(
        rank=rank,
        kind=f.kind,
        kind_label=label_or(f"kind.{f.kind}", f.kind),
        pattern=f.pattern,
        pattern_label=label_or(f"pattern.{f.pattern}", ""),
        where=finding_where(f),
        extent=extent,
        comparison=_finding_comparison(f, suppressed, single, medians),
        evidence=_finding_evidence(f, k),
        measures=measures,
        measures_short=measures_short,
        external=bool(f.external),
        shared=bool(f.shared),
        text_de=finding_text(f, k),
        **_evidence_link(f, sections or {}),
    )


def _evidence_link(f: Finding, sections: dict[str, Section]) -> dict[str, str]:
    """``section_link``/``section_title`` of the report section whose tables and chart back a finding."""
    key = "data_quality" if f.kind == "data_quality" else finding_section(f.kind, f.pattern, bool(f.external))
    sec = sections.get(key) if key else None
    return {"section_link": f"#{sec.key}", "section_title": sec.title} if sec else {}


# --- process map and model ----------------------------------------------------------------------


_BPMN_KINDS = {
    "Task": "task",
    "StartEvent": "start",
    "NormalStartEvent": "start",
    "EndEvent": "end",
    "NormalEndEvent": "end",
    "ExclusiveGateway": "xor",
    "ParallelGateway": "and",
    "InclusiveGateway": "or",
}


def model_table(bpmn: BpmnModel | None) -> Table | None:
    """The numbers behind the model picture, in words: each step and the steps that can come directly after it
    (through any gateways: one of them, or side by side), "Ende" where the case can end there."""
    if bpmn is None:
        return None
    kind = {n.id: n for n in bpmn.nodes}
    after: dict[str, list[str]] = {}
    for src, dst in bpmn.flows:
        after.setdefault(src, []).append(dst)

    def next_steps(node: str) -> list[str]:  # the model's nodes, not events: a walk over a few dozen gateways
        seen, todo, out = {node}, list(after.get(node, [])), []
        while todo:
            n = todo.pop(0)
            if n in seen:
                continue
            seen.add(n)
            if kind[n].kind == "task":
                out.append(kind[n].label)
            elif kind[n].kind == "end":
                out.append(label("map.end"))
            else:
                todo.extend(after.get(n, []))
        return list(dict.fromkeys(out))

    rows = tuple((Cell(n.label), Cell(" · ".join(next_steps(n.id)) or "–")) for n in bpmn.nodes if n.kind == "task")
    return Table((label("model.col.step"), label("model.col.next")), rows, (False, False)) if rows else None


def build_bpmn(model: Any, names: dict[str, str] | None = None) -> BpmnModel | None:
    """Nodes and flows of a pm4py BPMN graph in an order fixed by the graph alone (``_canonical_ranks``), so the
    same model is drawn the same way in every run; None when there is no BPMN model.

    ``names`` maps export labels to the labels shown (``display_names``); task labels not in it stay as they are.
    """
    if model is None or not (hasattr(model, "get_nodes") and hasattr(model, "get_flows")):
        return None
    raw = list(model.get_nodes())

    def kind(n: Any) -> str:
        for cls in type(n).__mro__:
            if cls.__name__ in _BPMN_KINDS:
                return _BPMN_KINDS[cls.__name__]
        return "other"

    def name(n: Any) -> str:
        return str(n.get_name() or "") if hasattr(n, "get_name") else ""

    flows_raw = [(fl.get_source(), fl.get_target()) for fl in model.get_flows()]
    rank = _canonical_ranks(raw, flows_raw, [(kind(n), name(n)) for n in raw])
    order = sorted(range(len(raw)), key=lambda i: (kind(raw[i]) != "start", kind(raw[i]) == "end", rank[i], name(raw[i])))
    raw = [raw[i] for i in order]
    ids = {id(n): f"b{i}" for i, n in enumerate(raw)}
    names = names or {}
    nodes = tuple(
        BpmnNode(ids[id(n)], kind(n), names.get(name(n), name(n)) if kind(n) == "task" else "") for n in raw
    )
    flows = sorted(
        (ids[id(fl.get_source())], ids[id(fl.get_target())])
        for fl in model.get_flows()
        if id(fl.get_source()) in ids and id(fl.get_target()) in ids
    )
    return BpmnModel(nodes, tuple(flows))


def _canonical_ranks(nodes: list[Any], flows: list[tuple[Any, Any]], labels: list[tuple[str, str]], rounds: int = 8) -> list[int]:
    """A rank per node that depends on the graph alone, not on the order pm4py keeps its nodes in (a set:
    it changes from run to run, and with it the drawing). Nodes are told apart by their distance from the
    start and by their kind and label refined with their neighbours' (Weisfeiler-Lehman); gateways have no
    label of their own, so only their place in the graph tells them apart."""
    index = {id(n): i for i, n in enumerate(nodes)}
    succ: list[list[int]] = [[] for _ in nodes]
    pred: list[list[int]] = [[] for _ in nodes]
    for a, b in flows:
        if id(a) in index and id(b) in index:
            succ[index[id(a)]].append(index[id(b)])
            pred[index[id(b)]].append(index[id(a)])
    depth = [len(nodes)] * len(nodes)  # breadth-first distance from the start event(s)
    frontier = [i for i, lab in enumerate(labels) if lab[0] == "start"]
    for i in frontier:
        depth[i] = 0
    while frontier:
        nxt = []
        for i in frontier:
            for j in succ[i]:
                if depth[j] > depth[i] + 1:
                    depth[j] = depth[i] + 1
                    nxt.append(j)
        frontier = nxt
    keys: list[tuple] = [(depth[i], *labels[i]) for i in range(len(nodes))]
    rank = _dense_ranks(keys)
    for _ in range(rounds):
        keys = [
            (rank[i], tuple(sorted(rank[j] for j in succ[i])), tuple(sorted(rank[j] for j in pred[i])))
            for i in range(len(nodes))
        ]
        new = _dense_ranks(keys)
        if len(set(new)) == len(set(rank)):
            break  # no node told apart any more
        rank = new
    return rank


def _dense_ranks(keys: list[tuple]) -> list[int]:
    position = {k: r for r, k in enumerate(sorted(set(keys)))}
    return [position[k] for k in keys]


# --- office report ------------------------------------------------------------------------------


def _kpis(
    a: OfficeAnalysis, defs: dict[str, tuple[str, str, str]], comparison: Comparison | None, k: int, generic: bool = False
) -> tuple[Kpi, ...]:
    """Headline KPIs: core ones first, then every other KPI with a German name."""
    keys = [key for key in CORE_KPIS if key in a.kpis] + [key for key in a.kpis if key not in CORE_KPIS]
    out = [Kpi("cases", label("kpi.cases"), count_cell(a.cases, k), label("kpi.cases.explain"))]
    unmeasurable = not_measurable_kpis(a, keys)
    for key in keys:
        if key in ("cases", "events"):
            continue
        name = kpi_name(key, defs)
        if name is None:
            continue
        if key in unmeasurable:  # the export cannot show it: no value, no best/worst mark
            out.append(Kpi(key, name, not_measurable_cell(unmeasurable[key]), kpi_explanation(key, defs, generic)))
            continue
        mark = ""
        if comparison is not None and key in comparison.kpis.columns:
            best, worst = tied_best_worst(comparison.kpis[key], comparison.directions.get(key))
            mark = "best" if a.office in best else "worst" if a.office in worst else ""
        out.append(Kpi(key, name, value_cell(a.kpis[key], kpi_kind(key, defs), a.cases, k, mark),
                       kpi_explanation(key, defs, generic), mark))
    return tuple(out)


def _variant_text(variant: Any, names: dict[str, str]) -> str:
    """A variant ("A → B → C") with each step under its shown label."""
    steps = list(variant) if isinstance(variant, (list, tuple, np.ndarray)) else str(variant).split(VARIANT_ARROW)
    return VARIANT_ARROW.join(names.get(str(x), str(x)) for x in steps)


def _variants_tables(a: OfficeAnalysis, k: int, n: int = TOP_N_VARIANTS) -> tuple[Table, ...]:
    """The most frequent variants, finished and still open apart where the steps tell (a last step that closes a
    case, ``queues.CLOSING_KEYS``); counts and shares of all cases (small counts suppressed)."""
    v = a.variants if a.variants is not None else pd.DataFrame(columns=["variant", "count", "share"])
    names = office_display_names(a)
    steps = list(v["activities"] if "activities" in v.columns else v["variant"].astype(str).str.split(VARIANT_ARROW))
    keys = activity_keys(a)
    last = [keys.get(str(x[-1])) if len(x) else None for x in steps]
    finished = np.array([key in CLOSING_KEYS for key in last], dtype=bool)
    cols = (label("col.rank"), label("col.variant"), label("col.cases"), label("col.share_all"))

    def table(mask: np.ndarray, caption: str) -> Table:
        idx = np.flatnonzero(mask)[:n]
        rows = tuple(
            (Cell(int(i + 1), "int"), Cell(_variant_text(steps[j], names)), count_cell(v["count"].iloc[j], k),
             value_cell(v["share"].iloc[j], "percent", v["count"].iloc[j], k))
            for i, j in enumerate(idx)
        )
        return Table(cols, rows, (True, False, True, True), caption=caption)

    if not finished.any():  # the steps do not say which cases are finished (or none of the frequent ones is)
        return (table(np.ones(len(steps), dtype=bool), label("caption.variants_all")),)
    return (table(finished, label("caption.variants_finished")), table(~finished, label("caption.variants_open")))


def _cycle_table(a: OfficeAnalysis, k: int) -> Table:
    """Median/P90/share over 90 days overall and per case type (calendar days)."""
    def row(name: str, cases: Any, src: Any) -> tuple[Cell, ...]:
        return (
            Cell(name, "text"),
            count_cell(cases, k),
            value_cell(src.get("cycle_time_median_days"), "days", cases, k),
            value_cell(src.get("cycle_time_p90_days"), "days", cases, k),
            value_cell(src.get("share_cases_over_90_days"), "percent", cases, k),
        )

    rows = [row(label("col.all_case_types"), a.cases, a.kpis)]
    ct = case_type_frame(a)
    if len(ct):
        ct = ct.sort_values("cases", ascending=False, kind="stable")
        rows += [row(case_type_label(r["case_type"]), r.get("cases"), r) for r in ct.to_dict("records")]
    return Table(
        (label("col.case_type"), label("col.cases"), label("col.median"), label("col.p90"), label("col.share_over_90")),
        tuple(rows),
        (False, True, True, True, True),
    )


def _quality_section(q: QualityReport | None) -> Section:
    """Read/kept/quarantined, reasons with German hints, flags, and the notes of reading (DST rule, overlaps …)."""
    title = label("section.data_quality")
    if q is None:
        return Section("datenqualitaet", title, label("intro.data_quality"), notes=(label("note.no_quality"),))
    labels_de, hints_de = _reason_dicts()
    counts = Table(
        (label("col.kpi"), label("col.rows")),
        (
            (Cell(label("quality.rows_read")), Cell(q.rows_read, "int")),
            (Cell(label("quality.rows_kept")), Cell(q.rows_kept, "int")),
            (Cell(label("quality.rows_quarantined")), Cell(q.rows_quarantined, "int")),
            (Cell(label("quality.events")), Cell(q.events, "int")),
        )
        + (((Cell(label("quality.start_rows_merged")), Cell(q.start_rows_merged, "int")),) if q.start_rows_merged else ()),
        (False, True),
    )
    tables = [counts]
    notes = []
    if not getattr(q, "pseudonymised", True):  # --no-pseudonymise: the report says the ids are in clear
        notes.append(label("note.not_pseudonymised"))
    if getattr(q, "dropped_columns", ()):
        notes.append(label("note.dropped_columns", n=len(q.dropped_columns)))
    if q.by_reason:
        reasons = sorted(q.by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
        tables.append(
            Table(
                (label("col.reason"), label("col.rows"), label("col.hint")),
                tuple(
                    (
                        Cell(labels_de.get(code, code)),
                        Cell(int(n), "int"),
                        Cell(hints_de.get(code, label("quality.hint_default"))),
                    )
                    for code, n in reasons
                ),
                (False, True, False),
                caption=label("quality.by_reason"),
            )
        )
    else:
        notes.append(label("note.no_quarantine"))
    if q.flags:
        tables.append(
            Table(
                (label("col.flag"), label("col.events")),
                tuple(
                    (Cell(label_or(f"flag.{code}", labels_de.get(code, code))), Cell(int(n), "int"))
                    for code, n in sorted(q.flags.items(), key=lambda kv: (-kv[1], kv[0]))
                ),
                (False, True),
                caption=label("quality.flags"),
            )
        )
    if q.notes:
        tables.append(
            Table(
                (label("col.note"), label("col.count")),
                tuple(
                    (Cell(label_or(f"qnote.{code}", code)), Cell(int(n), "int"))
                    for code, n in sorted(q.notes.items(), key=lambda kv: (-kv[1], kv[0]))
                    if n
                ),
                (False, True),
                caption=label("quality.notes"),
            )
        )
    return Section("datenqualitaet", title, label("intro.data_quality"), tuple(tables), tuple(notes))


def _findings_table_section(findings: list[Finding], items: list[FindingItem]) -> Section:
    """The Engpässe overview (the template renders the items; findings without a page of their own in a table)."""
    notes = () if items else (label("note.no_findings"),)
    rest = more_findings_table(findings, items)
    return Section("engpaesse", label("section.bottlenecks"), label("intro.bottlenecks"), notes=notes,
                   tables=(rest,) if rest else ())


def _with_charts(section: Section, *charts: Chart | None) -> Section:
    """A section with pictures added in front of its own."""
    return replace(section, charts=tuple(c for c in charts if c is not None) + section.charts)


def _kpi_table(kpis: tuple[Kpi, ...]) -> Table:
    """All key figures with their explanation (page 1 shows only the first few as tiles)."""
    return Table((label("col.kpi"), label("col.value"), label("col.explanation")),
                 tuple((Cell(x.name), x.value, Cell(x.explanation)) for x in kpis), (False, True, False))


def build_office_report(
    a: OfficeAnalysis,
    quality: QualityReport | None = None,
    comparison: Comparison | None = None,
    now: datetime | None = None,
    k: int = K_MIN,
    network: list[OfficeAnalysis] | None = None,
) -> OfficeReport:
    """The report model of one office's ``bericht.html``; ``comparison``: the network's comparison (None or one
    office: no network), whose ``network_medians`` give every network figure shown; ``network``: all offices'
    analyses (kept for callers; the network figures come from the comparison)."""
    now = now or now_berlin()
    definitions = load_kpi_definitions()
    defs = {key: (name, definition, unit) for key, name, definition, unit in definitions}
    generic = is_generic(a)
    single = network_size(comparison) < 2
    medians = None if single or comparison is None else comparison.network_medians
    names = office_display_names(a)
    extra_sections: dict[str, Section] = (
        diagnosis_sections(a.diagnosis, k, activity_keys=activity_keys(a), limits=export_limits(a), generic=generic)
        if a.diagnosis is not None
        else {}
    )
    if "waiting" in extra_sections:
        extra_sections["waiting"] = _with_charts(extra_sections["waiting"], waiting_chart(a, medians, names, k))
    if "backlog" in extra_sections and a.diagnosis is not None:
        extra_sections["backlog"] = _with_charts(extra_sections["backlog"], flow_chart(a.diagnosis.flow_weekly, FLOW_CHART_ID, k))
    link_targets = {**extra_sections, "data_quality": _quality_section(quality)}
    findings = ranked_findings(a)
    items = [finding_item(f, i + 1, k, link_targets, single, medians) for i, f in enumerate(findings)]
    levels = process_map_levels(a, k, names)
    pmap = levels[0] if levels else None
    bpmn = build_bpmn(a.model, names)
    kpis = _kpis(a, defs, comparison, k, generic)
    period = _period(a)
    pages = finding_pages(findings, items, period, single, k, medians, _num(a.kpis.get("cycle_time_p90_days")))
    littles = littles_sentence(a.diagnosis) if a.diagnosis is not None else ""
    sections = {
        "process_map": Section(
            "prozesslandkarte",
            label("section.process_map"),
            label("intro.process_map", shown=fmt.fmt_int(pmap.shown_activities), total=fmt.fmt_int(pmap.total_activities),
                  coverage=fmt.fmt_percent(pmap.coverage, 0))
            if pmap
            else "",
            notes=() if pmap else (label("note.no_map"),),
        ),
        "bottlenecks": _findings_table_section(findings, items),
        **extra_sections,
        "variants": Section("varianten", label("section.variants"), label("intro.variants", n=TOP_N_VARIANTS),
                            _variants_tables(a, k)),
        "cycle_times": Section(
            "durchlaufzeiten",
            label("section.cycle_times"),
            label("intro.cycle_times"),
            (_cycle_table(a, k), _kpi_table(kpis)),
            (label("intro.suppression", k=k),),
            charts=tuple(c for c in (cycle_time_chart(a, k), monthly_chart(a, k)) if c is not None),
        ),
        **({"timesplit": ts} if (ts := timesplit_section(a, k, generic)) is not None else {}),  # where the time goes
        "data_quality": _quality_section(quality),
        "process_model": Section(
            "prozessmodell",
            label("section.process_model"),
            label("intro.process_model") if bpmn else "",
            tables=tuple(t for t in (model_table(bpmn),) if t is not None),
            notes=(() if bpmn else (label("note.no_model"),)) + _model_scope_note(a, bpmn is not None),
        ),
        "definitions": methodik_section(definitions, (calendar_note(a), label_or(f"method.closed_rule.{a.extra.get('closed_rule')}", ""),
                                                      littles, naming_note(names, activity_keys(a))), generic, k,
                                        frozenset(a.kpis) | {"cases", "events"}, naming_table(names, activity_keys(a))),
    }
    notes = (label("note.more_findings", n=len(items)),) if len(items) > TOP_N_FINDINGS else ()
    # only high-impact findings are headlined; an office without any is told what it does well
    heads = [it for it, f in zip(items, ranked_findings(a)) if _high_impact(f) is not False]
    if not heads and "strengths" in a.extra:
        notes = (*notes, strengths_note(a, medians))
    return OfficeReport(
        office=a.office,
        title=label("title.office", office=a.office),
        period=period,
        generated_at=now.isoformat(),
        log_kind=label("meta.log_kind_interval" if a.has_start else "meta.log_kind_completion"),
        k=k,
        intro=label("intro.summary", cases=fmt.fmt_int(a.cases), events=fmt.fmt_int(a.events), period=period),
        kpis=kpis,
        top_findings=tuple(heads[:TOP_N_FINDINGS]),
        findings=tuple(items),
        process_map=pmap,
        process_model=bpmn,
        sections=sections,
        footer=label("footer", k=k),
        notes=notes,
        glance=glance(a, findings, items, pages, comparison, {x.key: x.name for x in kpis}, k),
        finding_pages=pages,
        map_levels=levels,
        generic=generic,
        calendar_note=calendar_note(a),
        holidays=holiday_land(a),
        comparison_link=network_size(comparison) >= 2,
    )


# --- comparison report --------------------------------------------------------------------------


def _direction_note(direction: str | None) -> str:
    """'niedriger ist besser' / 'höher ist besser' / ''."""
    return {LOWER: label("note.lower_better"), HIGHER: label("note.higher_better")}.get(direction or "", "")


# the comparison tables name these units once, in the row's note or the table's caption, not in every cell
BARE_KINDS = {"days": ("number", "unit.in_days"), "per_case": ("number2", "unit.per_case")}


def _bare(cell: Cell) -> Cell:
    """A days or per-case value as a bare number (the unit stands in the row's or table's header)."""
    kind = BARE_KINDS.get(cell.kind)
    return replace(cell, kind=kind[0]) if kind else cell


def _unit_words(kind: str, name: str) -> str:
    """'in Tagen' / 'je Vorgang' for a KPI whose cells are bare numbers; '' when the name already says it."""
    key = BARE_KINDS.get(kind, ("", ""))[1]
    return label(key) if key and label(key) not in name else ""


def build_comparison_report(
    comparison: Comparison,
    analyses: list[OfficeAnalysis],
    now: datetime | None = None,
    k: int = K_MIN,
    failed: list[dict] | None = None,
) -> ComparisonReport:
    """The report model of ``vergleich.html``: KPI table, per-case-type tables, top finding per office, and
    the exports a run could not use (``failed``: ``pipeline.FailedInput.to_dict`` records)."""
    now = now or now_berlin()
    defs = {key: (n, d, u) for key, n, d, u in load_kpi_definitions()}
    by_office = {a.office: a for a in analyses}
    keys = [key for key in CORE_KPIS if key in comparison.kpis.columns]
    keys += [
        key
        for key in comparison.kpis.columns
        if key not in keys and key != "cases" and kpi_name(key, defs) is not None
    ]
    links = {o: f"{safe_dirname(o)}/bericht.html" for o in comparison.offices}
    cases_by_office = {
        o: (by_office[o].cases if o in by_office else comparison.kpis.loc[o].get("cases")) for o in comparison.offices
    }
    net = comparison.network_medians
    rows = [(Cell(label("kpi.cases")), *[count_cell(cases_by_office[o], k) for o in comparison.offices], Cell(None, "missing"))]
    for key in keys:
        name = kpi_name(key, defs) or key
        note = ", ".join(x for x in (_unit_words(kpi_kind(key, defs), name), _direction_note(comparison.directions.get(key))) if x)
        cells = [Cell(name, note=note)]
        best, worst = tied_best_worst(comparison.kpis[key], comparison.directions.get(key))
        unmeasurable = comparison.not_measurable.get(key, {})
        for office in comparison.offices:
            if office in unmeasurable:
                cells.append(not_measurable_cell(unmeasurable[office]))
                continue
            mark = "best" if office in best else "worst" if office in worst else ""
            cells.append(_bare(value_cell(comparison.kpis.loc[office, key], kpi_kind(key, defs), cases_by_office[office], k, mark)))
        cells.append(_bare(value_cell(net.get(key), kpi_kind(key, defs))))
        rows.append(tuple(cells))
    shown_unmeasurable = any(comparison.not_measurable.get(key) for key in keys)
    kpi_table = Table(
        (label("col.kpi"), *comparison.offices, label("col.network_median")),
        tuple(rows),
        (False, *[True] * (len(comparison.offices) + 1)),
    )
    ct_tables = []
    bct = comparison.by_case_type
    for key in [key for key in CASE_TYPE_KPIS if key in bct.columns]:
        trows = []
        for ct in comparison.case_types:
            sub = bct[bct["case_type"] == ct].set_index("office")
            cells = [Cell(case_type_label(ct), "text")]
            best, worst = tied_best_worst(sub[key], kpi_direction(key))
            unmeasurable = comparison.not_measurable.get(key, {})
            for office in comparison.offices:
                if office in unmeasurable:
                    cells.append(not_measurable_cell(unmeasurable[office]))
                    continue
                mark = "best" if office in best else "worst" if office in worst else ""
                v = sub[key].get(office) if office in sub.index else None
                n = sub["cases"].get(office) if office in sub.index else None
                cells.append(_bare(value_cell(v, kpi_kind(key, defs), n, k, mark)))
            cells.append(_bare(value_cell(net.get(key, ct), kpi_kind(key, defs))))
            trows.append(tuple(cells))
        ct_tables.append(
            Table(
                (label("col.case_type"), *comparison.offices, label("col.network_median")),
                tuple(trows),
                (False, *[True] * (len(comparison.offices) + 1)),
                caption=label("caption.with_direction", name=" ".join(x for x in (kpi_name(key, defs) or key, _unit_words(kpi_kind(key, defs), kpi_name(key, defs) or key)) if x),
                              direction=_direction_note(kpi_direction(key))),
            )
        )
    top_rows = []
    for office in comparison.offices:
        f = comparison.top_findings.get(office)
        if f is None:
            top_rows.append((Cell(office, link=links[office]), Cell(label("note.no_top_finding")), Cell(""), Cell(None, "missing")))
            continue
        item = finding_item(f, 1, k)
        extra = f" ({label('note.external')})" if item.external else ""
        if not f.high_impact:  # the office's largest finding is below the high-impact line
            extra += f" ({label('note.not_high_impact')})"
        top_rows.append(
            (
                Cell(office, link=links[office]),
                Cell(finding_text(f, k, export=True) + extra),
                Cell(item.kind_label),
                Cell(k, "suppressed") if finding_suppressed(f, k) else value_cell(f.impact, "int"),
            )
        )
    top_table = Table(
        (label("col.office"), label("col.finding"), label("col.kind"), label("col.impact")),
        tuple(top_rows),
        (False, False, False, True),
    )
    starts = [a.period_start for a in analyses if a.period_start is not None and not pd.isna(a.period_start)]
    ends = [a.period_end for a in analyses if a.period_end is not None and not pd.isna(a.period_end)]
    period = label("meta.period_value", start=fmt.fmt_date(min(starts)), end=fmt.fmt_date(max(ends))) if starts and ends else fmt.MISSING
    return ComparisonReport(
        title=label("title.comparison"),
        generated_at=now.isoformat(),
        period=period,
        k=k,
        intro=label("intro.comparison"),
        offices=tuple(Cell(o, link=links[o]) for o in comparison.offices),
        kpi_table=kpi_table,
        case_type_tables=tuple(ct_tables),
        case_type_intro=label("intro.comparison_by_case_type", k=comparison.min_cases)
        if comparison.case_types
        else label("note.no_case_types"),
        top_findings=top_table,
        footer=label("footer", k=k),
        notes=(label("intro.suppression", k=k), label("note.network_median"))
        + ((label("not_measurable.explain"),) if shown_unmeasurable else ()),
        not_evaluated=_not_evaluated_table(failed or []),
        alone=label("comparison.alone", office=comparison.offices[0]) if len(comparison.offices) == 1 else "",
    )


def _model_scope_note(a: OfficeAnalysis, shown: bool) -> tuple[str, ...]:
    """Says when the model leaves the rarer activities out (``discovery.MODEL_MAX_ACTIVITIES``)."""
    k, total = a.extra.get("model_activities"), a.extra.get("model_activities_total")
    if not shown or not k or not total:
        return ()
    return (label("note.model_activities", k=fmt.fmt_int(k), total=fmt.fmt_int(total)),)


def _not_evaluated_table(failed: list[dict]) -> Table | None:
    """Exports left out of the comparison: file names, office and the kind of problem. The full message
    (which may quote cell values) stays in the console and results.json, never in the report."""
    if not failed:
        return None
    rows = []
    for f in failed:
        code = str(f.get("code") or "")
        reason = label_or(f"failed.{code}", label("failed.other"))
        rows.append((Cell(", ".join(f.get("files") or [])), Cell(f.get("office") or fmt.MISSING), Cell(reason)))
    return Table((label("col.files"), label("col.office"), label("col.reason")), tuple(rows), (False, False, False))


# --- results.json -------------------------------------------------------------------------------


def _high_impact(f: Finding) -> bool | None:
    """The analysis' own high-impact verdict (attribute or ``evidence["high_impact"]``); None if it gives none."""
    v = getattr(f, "high_impact", None)
    if v is None:
        v = (f.evidence or {}).get("high_impact")
    return None if v is None else bool(v)


def strengths_note(a: OfficeAnalysis, medians: NetworkMedians | None = None) -> str:
    """'Kein Engpass mit hoher Wirkung … Im Netzwerk besonders gut: …' from the analysis' strengths (``pages.strength_texts``)."""
    parts = strength_texts(a, medians)
    return label("note.no_high_impact_strengths", strengths="; ".join(parts)) if parts else label("note.no_high_impact")


def finding_record(f: Finding, rank: int, k: int = K_MIN) -> dict[str, Any]:
    """One finding as a results.json object (values from 1..k-1 cases are nulled)."""
    suppressed = finding_suppressed(f, k)
    evidence = {key: v for key, v in (f.evidence or {}).items() if "resource" not in str(key).lower()}
    return jsonable(
        {
            "rank": rank,
            "kind": f.kind,
            "pattern": f.pattern,
            "activity": f.activity,
            "from": f.from_activity,
            "to": f.to_activity,
            "activity_key": f.activity_key,
            "from_key": f.from_key,
            "to_key": f.to_key,
            "case_type": f.case_type,
            "team": f.team,
            "value": None if suppressed else _num(f.value),
            "unit": f.unit,
            "impact": None if suppressed else _num(f.impact),
            "impact_unit": "case_days_per_year",
            "cases": None if suppressed else int(f.cases),
            "norm": _num(f.norm),
            "norm_basis": f.norm_basis,
            "external": bool(f.external),
            "shared": bool(f.shared),
            "high_impact": _high_impact(f),
            "impact_interval": None if suppressed or f.impact_interval is None else [_num(x) for x in f.impact_interval],
            "staff_hours_per_year": None if suppressed else _num(f.staff_hours),
            "fte": None if suppressed else _num(f.fte),
            "caused_by_rank": f.cause_rank,
            "few_cases": bool(f.few_cases),
            "suppressed": suppressed,
            "evidence": {} if suppressed else evidence,
            "measures": list(finding_measures(f)),
            "monthly": None if suppressed else [{**r, "value": None if r["cases"] < k else r["value"]} for r in (f.monthly or [])],
            "text_de": finding_text(f, k),
        }
    )


def _case_type_records(a: OfficeAnalysis, k: int, unmeasurable: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """kpis_by_case_type as records; rows from 1..k-1 cases keep only case_type and suppressed=True;
    KPIs in ``unmeasurable`` are null."""
    ct = case_type_frame(a)
    out = []
    for r in ct.to_dict("records"):
        n = _num(r.get("cases"))
        if n is not None and 0 < n < k:
            out.append({"case_type": r["case_type"], "cases": None, "suppressed": True})
        else:
            rec = {**jsonable(r), "suppressed": False}
            out.append({key: (None if key in (unmeasurable or {}) else v) for key, v in rec.items()})
    return out


# profile tables holding repeat-based figures (results.json ``profile.rework``)
_PROFILE_REWORK_TABLES = ("by_case_type", "by_team")


def _null_unmeasurable_profile(profile: dict[str, Any] | None, unmeasurable: dict[str, str]) -> dict[str, Any] | None:
    """The results.json ``profile`` with the figures the export cannot measure set to null (rework summary and tables)."""
    rework = (profile or {}).get("rework")
    if not unmeasurable or not isinstance(rework, dict):
        return profile
    summary = rework.get("summary")
    if isinstance(summary, dict):
        rework["summary"] = {key: (None if key in unmeasurable else v) for key, v in summary.items()}
    for table in _PROFILE_REWORK_TABLES:
        rows = rework.get(table)
        if isinstance(rows, list):
            rework[table] = [{key: (None if key in unmeasurable else v) for key, v in r.items()} for r in rows]
    return profile


def office_record(a: OfficeAnalysis, quality: QualityReport | None, k: int = K_MIN) -> dict[str, Any]:
    """One office's results.json object."""
    pm = a.process_map if a.process_map is not None else pd.DataFrame()
    edges = [
        {
            "from": str(r["from"]),
            "to": str(r["to"]),
            "count": int(r["count"]),
            "mean_wait_s": _num(r.get("mean_wait_s")),
            "median_wait_s": _num(r.get("median_wait_s")),
            # overlapping steps (their waits count as 0): how often, and by how long on average (null where none)
            "overlap_count": None if _num(r.get("overlap_count")) is None else int(r["overlap_count"]),
            "mean_overlap_s": _num(r.get("mean_overlap_s")),
        }
        for r in pm.to_dict("records")
    ]
    variants = []
    for r in (a.variants.head(RESULTS_VARIANTS) if a.variants is not None else pd.DataFrame()).to_dict("records"):
        small = 0 < int(r["count"]) < k
        variants.append(
            {
                "variant": str(r["variant"]),
                "count": None if small else int(r["count"]),
                "share": None if small else _num(r["share"]),
                "suppressed": small,
            }
        )
    q = None
    if quality is not None:
        q = {
            "rows_read": quality.rows_read,
            "rows_kept": quality.rows_kept,
            "rows_quarantined": quality.rows_quarantined,
            "events": quality.events,
            "start_rows_merged": quality.start_rows_merged,
            "by_reason": dict(quality.by_reason),
            "flags": dict(quality.flags),
            "files": list(quality.files),
            "profile": quality.profile,
        }
    activities = []
    if a.activities is not None and len(a.activities):
        activities = [
            {
                "activity": str(r["activity"]),
                "activity_key": r.get("activity_key"),
                "label_de": catalogue.ACTIVITIES.get(_catalogue_key(r.get("activity_key")) or ""),
                "count": int(r["count"]),
            }
            for r in a.activities.to_dict("records")
        ]
    profile = _profile_record(a, k)
    ct = case_type_frame(a)
    rework = (profile or {}).get("rework") or {}
    keys = list(a.kpis) + [c for c in ct.columns if c not in a.kpis]
    keys += [c for c in (rework.get("summary") or {}) if c not in keys]
    for table in _PROFILE_REWORK_TABLES:
        keys += [c for r in (rework.get(table) or [])[:1] for c in r if c not in keys]
    unmeasurable = not_measurable_kpis(a, keys)
    return jsonable(
        {
            "office": a.office,
            "cases": int(a.cases),
            "events": int(a.events),
            "has_start": bool(a.has_start),
            "period_start": a.period_start,
            "period_end": a.period_end,
            "quality": q,
            "kpis": {key: (None if key in unmeasurable else _num(v)) for key, v in a.kpis.items()},
            "not_measurable": unmeasurable,
            "kpis_by_case_type": _case_type_records(a, k, unmeasurable),
            "findings": [finding_record(f, i + 1, k) for i, f in enumerate(ranked_findings(a))],
            "process_map": {
                "edges": edges,
                "activities": activities,
                "start_activities": {str(s): int(n) for s, n in (a.start_activities or {}).items()},
                "end_activities": {str(s): int(n) for s, n in (a.end_activities or {}).items()},
            },
            "variants": variants,
            "top_finding": None if not a.findings else ranked_findings(a)[0].pattern,
            "high_impact_findings": a.extra.get("high_impact_findings"),
            "total_excess_days_per_year": _num(a.extra.get("total_excess_days_per_year")),
            "closed_rule": a.extra.get("closed_rule"),
            "decomposition": decomposition_records(a.extra.get("decomposition"), k),
            "strengths": a.extra.get("strengths", []),
            "profile": _null_unmeasurable_profile(profile, unmeasurable),
        }
    )


def _profile_record(a: OfficeAnalysis, k: int) -> dict[str, Any] | None:
    """The issue-5 ``profile`` object of an office (null when the analysis computed none)."""
    return diagnosis_record(a.diagnosis, k)


def comparison_record(c: Comparison) -> dict[str, Any]:
    """The results.json ``comparison`` object: per KPI key its direction, the value per office, best and worst."""
    return jsonable(
        {
            key: {
                "direction": c.directions.get(key),
                "values": {o: _num(c.kpis.loc[o, key]) for o in c.offices},
                "best": c.best.get(key),
                "worst": c.worst.get(key),
                **_not_measurable_entry(c, key),
            }
            for key in c.kpis.columns
        }
    )


def _not_measurable_entry(c: Comparison, key: str) -> dict[str, Any]:
    """``{"not_measurable": {office: reason}}`` for a KPI some office's export cannot measure (those offices
    are null in ``values`` and unranked); empty otherwise, so the entry keeps its four keys."""
    unmeasurable = c.not_measurable.get(key)
    return {"not_measurable": dict(unmeasurable)} if unmeasurable else {}


def comparison_by_case_type_record(c: Comparison) -> dict[str, Any]:
    """The results.json ``comparison_by_case_type`` object: compared case types and per KPI values, best, worst."""
    by_ct: dict[str, Any] = {}
    metric_cols = [col for col in c.by_case_type.columns if col not in ("case_type", "office")]
    for ct in c.case_types:
        sub = c.by_case_type[c.by_case_type["case_type"] == ct].set_index("office")
        by_ct[ct] = {
            key: {
                "direction": kpi_direction(key),
                "values": {o: _num(sub[key].get(o)) for o in c.offices},
                "best": c.best_by_case_type.get(ct, {}).get(key),
                "worst": c.worst_by_case_type.get(ct, {}).get(key),
                **(
                    {"not_measurable": {o: r for o, r in c.not_measurable[key].items() if o in c.offices}}
                    if c.not_measurable.get(key)
                    else {}
                ),
            }
            for key in metric_cols
        }
    return jsonable(
        {
            "min_cases": c.min_cases,
            "case_types": list(c.case_types),
            "kpis": by_ct,
            "excluded_case_types": c.excluded_case_types,
        }
    )


def build_results(
    analyses: list[OfficeAnalysis],
    comparison: Comparison,
    qualities: dict[str, QualityReport],
    now: datetime | None = None,
    k: int = K_MIN,
    failed: list[dict] | None = None,
) -> dict[str, Any]:
    """The whole results.json (schema_version 1; documented in docs/results.md); ``failed``: exports a run
    could not use (``pipeline.FailedInput.to_dict``)."""
    now = now or now_berlin()
    return {
        "schema_version": RESULTS_SCHEMA_VERSION,
        "generated_at": now.isoformat(),
        "min_cases": k,
        "offices": [office_record(a, qualities.get(a.office), k) for a in analyses],
        "comparison": comparison_record(comparison),
        "comparison_by_case_type": comparison_by_case_type_record(comparison),
        # every network median the reports show, made once in compare.medians (docs/results.md "network_medians")
        "network_medians": jsonable(comparison.network_medians.to_records()),
        "failed": jsonable(list(failed or [])),
        # fair comparison, topics, trends, measures (issue 16; docs/results.md "network")
        "network": jsonable(comparison.network.to_dict()) if comparison.network is not None else None,
    }
