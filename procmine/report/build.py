"""All content decisions of the reports: which findings, their order, German sentences, suppression.

Turns ``OfficeAnalysis`` / ``Comparison`` / ``QualityReport`` into the report model (``report.model``)
and into the ``results.json`` dict. Small groups: any published cell from 1..k-1 cases is replaced
by "< k" (``Cell(kind="suppressed")``); staff appear only as teams, never as resource ids.
"""

from __future__ import annotations

import importlib
import math
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from procmine.analyse.model import Finding, OfficeAnalysis
from procmine.catalogue import CASE_TYPES
from procmine.compare import HIGHER, LOWER, Comparison, case_type_frame, kpi_direction
from procmine.quality import QualityReport
from procmine.report import format_de as fmt
from procmine.report.labels_de import has_label, label, label_or
from procmine.report.model import (
    BpmnModel,
    BpmnNode,
    Cell,
    ComparisonReport,
    FindingItem,
    Kpi,
    MapEdge,
    MapNode,
    OfficeReport,
    ProcessMap,
    Section,
    Table,
)
from procmine.schema import DISPLAY_TZ, SCHEMA_VERSION

K_MIN = 5  # minimum cases per published cell (DOMAIN §5 recommendation 3)
TOP_N_FINDINGS = 3
TOP_N_VARIANTS = 10
MAP_COVERAGE = 0.9  # show the most frequent edges covering this share of transitions
MAP_MAX_EDGES = 60  # and never more than this many (readability)
RESULTS_VARIANTS = 50  # variants kept in results.json
CORE_KPIS = ("cycle_time_median_days", "cycle_time_p90_days", "share_cases_over_90_days")
CASE_TYPE_KPIS = CORE_KPIS

# default measures by pattern, used when the analysis gives a finding none (DOMAIN §4.1, §6, §7.4)
PATTERN_MEASURES: dict[str, tuple[str, ...]] = {
    "appointment_backlog": ("appointment_steering", "servicepoint_triage"),
    "team_shortage": ("team_rebalancing",),
    "document_loops": ("document_checklist",),
    "ba_wait": ("apply_deemed_consent", "escalate_external"),
    "security_outage": ("escalate_external", "longer_fiction_validity"),
    "eat_bottleneck": ("card_by_post", "escalate_external"),
    "seasonal_surge": ("appointment_steering", "team_rebalancing"),
    "priority_starvation": ("priority_rules",),
    "inquiry_flood": ("status_portal",),
    "fiction_churn": ("longer_fiction_validity",),
    "handoff_pingpong": ("digital_file",),
    "visa_consent_queue": ("priority_rules",),
    "policy_shock": ("team_rebalancing",),
    "weekly_batching": ("team_rebalancing",),
    "booking_abuse": ("slot_release_rules",),
}

# --- small helpers ------------------------------------------------------------------------------


def now_berlin() -> datetime:
    """The current time in Europe/Berlin (generation date of a report)."""
    return datetime.now(ZoneInfo(DISPLAY_TZ)).replace(microsecond=0)


def _num(x: Any) -> float | None:
    """A finite float, or None for missing/NaN/inf/non-numeric."""
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def count_cell(n: Any, k: int = K_MIN) -> Cell:
    """A case count as a cell; 1..k-1 becomes suppressed ("< k")."""
    v = _num(n)
    if v is None:
        return Cell(None, "missing")
    if 0 < v < k:
        return Cell(k, "suppressed")
    return Cell(int(round(v)), "int")


def unit_kind(unit: str | None) -> str:
    """The cell kind for a finding/KPI unit."""
    return {
        "days": "days",
        "share": "percent",
        "ratio": "percent",
        "per_case": "per_case",
        "cases": "int",
        "count": "int",
        "s": "duration",
        "seconds": "duration",
    }.get(unit or "", "number")


def kpi_kind(key: str) -> str:
    """The cell kind for a KPI key, from its naming convention (…_days, share_…, …_per_case, …_s)."""
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


def value_cell(value: Any, kind: str, cases: Any = None, k: int = K_MIN, mark: str = "") -> Cell:
    """A value cell; suppressed when it stems from 1..k-1 cases, missing when not a finite number."""
    n = _num(cases)
    if n is not None and 0 < n < k:
        return Cell(k, "suppressed")
    v = _num(value)
    if v is None:
        return Cell(None, "missing")
    if kind == "int":
        return Cell(int(round(v)), "int", mark)
    return Cell(v, kind, mark)


def _cell_text(cell: Cell) -> str:
    """A cell as plain German text (for sentences)."""
    if cell.kind == "suppressed":
        return f"< {cell.value}"
    if cell.kind == "missing" or cell.value is None:
        return fmt.MISSING
    return {
        "int": fmt.fmt_int,
        "days": fmt.fmt_days,
        "percent": fmt.fmt_percent,
        "duration": fmt.fmt_duration,
        "per_case": lambda v: fmt.fmt_value(v, "per_case"),
        "date": fmt.fmt_date,
        "number": fmt.fmt_number,
    }.get(cell.kind, str)(cell.value)


def case_type_label(code: str | None) -> str:
    """The German case-type name for a catalogue code; the export's own code otherwise."""
    if code is None:
        return ""
    ct = CASE_TYPES.get(str(code))
    return ct.label_de if ct else str(code)


def kpi_name(key: str, definitions: dict[str, tuple[str, str, str]]) -> str | None:
    """German name of a KPI: catalogue first, then the analysis' KPI definitions; None if unknown."""
    if has_label(f"kpi.{key}"):
        return label(f"kpi.{key}")
    if key in definitions:
        return definitions[key][0]
    return None


def kpi_explanation(key: str, definitions: dict[str, tuple[str, str, str]]) -> str:
    """Plain German explanation of a KPI."""
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
            elif all(hasattr(r, a) for a in ("key", "name", "definition", "unit")):
                out.append((str(r.key), str(r.name), str(r.definition), str(r.unit)))
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
    """A file-system-safe folder name for an office (keeps letters, digits, - _ .)."""
    name = "".join(ch if (ch.isalnum() or ch in "-_.") else "_" for ch in str(office)).strip("._")
    return name or "office"


def _period(a: OfficeAnalysis) -> str:
    """'01.01.2024 bis 30.09.2025' for an analysis."""
    return label("meta.period_value", start=fmt.fmt_date(a.period_start), end=fmt.fmt_date(a.period_end))


# --- findings -----------------------------------------------------------------------------------


def finding_where(f: Finding) -> str:
    """Where a finding sits, in German, as in the office's export (activity labels, team, case type)."""
    if f.from_activity and f.to_activity:
        where = label("text.where_pair", from_activity=f.from_activity, to_activity=f.to_activity)
    elif f.activity:
        where = label("text.where_activity", activity=f.activity)
    elif f.team:
        where = label("text.where_team", team=f.team)
    elif f.case_type:
        return label("text.where_case_type", case_type=case_type_label(f.case_type))
    else:
        return label("text.where_office")
    if f.team and (f.activity or f.from_activity):
        where += " · " + label("text.where_team", team=f.team)
    if f.case_type:
        where += label("text.in_case_type", case_type=case_type_label(f.case_type))
    return where


def finding_suppressed(f: Finding, k: int = K_MIN) -> bool:
    """True when the finding's figure stems from 1..k-1 cases."""
    return 0 < int(f.cases) < k


def finding_text(f: Finding, k: int = K_MIN) -> str:
    """One German sentence describing the finding (``text_de``)."""
    suppressed = finding_suppressed(f, k)
    value = label("text.value_suppressed") if suppressed else fmt.fmt_value(f.value, f.unit)
    cases = label("text.cases_suppressed", k=k) if suppressed else fmt.fmt_int(f.cases)
    norm_clause = ""
    if f.norm is not None and not suppressed and _num(f.norm) is not None:
        basis = label_or(f"norm_basis.{f.norm_basis}", str(f.norm_basis or ""))
        norm_clause = label("text.norm_clause", norm=fmt.fmt_value(f.norm, f.unit), basis=basis)
    where = finding_where(f)
    if f.kind == "waiting" and f.from_activity and f.to_activity:
        text = label(
            "text.waiting",
            from_activity=f.from_activity,
            to_activity=f.to_activity,
            value=value,
            norm_clause=norm_clause,
            cases=cases,
        )
        if f.case_type:
            text = text[:-1] + label("text.in_case_type", case_type=case_type_label(f.case_type)) + "."
        return text
    if f.kind == "waiting" and f.activity:
        return label("text.waiting_activity", activity=f.activity, value=value, norm_clause=norm_clause, cases=cases)
    key = f"text.{f.kind}" if has_label(f"text.{f.kind}") else "text.generic"
    return label(key, where=where, value=value, cases=cases, kind=label_or(f"kind.{f.kind}", f.kind))


def _finding_comparison(f: Finding, suppressed: bool) -> str:
    """'Norm: 14,0 Tage (gesetzliche Frist)' and/or the network median, from the finding."""
    parts = []
    if suppressed:
        return label("compare.none")
    if _num(f.norm) is not None:
        basis = label_or(f"norm_basis.{f.norm_basis}", str(f.norm_basis or ""))
        parts.append(label("compare.norm", norm=fmt.fmt_value(f.norm, f.unit), basis=basis))
    net = _num((f.evidence or {}).get("network_median"))
    if net is not None and f.norm_basis != "network":
        parts.append(label("compare.network", value=fmt.fmt_value(net, f.unit)))
    return " · ".join(parts) if parts else label("compare.none")


def _finding_evidence(f: Finding, k: int) -> tuple[str, ...]:
    """Evidence lines: impact, cases, and catalogued evidence keys (never resource ids)."""
    if finding_suppressed(f, k):
        return (label("evidence.cases", cases=label("text.cases_suppressed", k=k)),)
    lines = []
    if _num(f.impact) is not None and f.impact > 0:
        lines.append(label("evidence.impact", impact=fmt.fmt_int(f.impact)))
    lines.append(label("evidence.cases", cases=fmt.fmt_int(f.cases)))
    for key, value in (f.evidence or {}).items():
        if key == "network_median" or not has_label(f"evidence_key.{key}"):
            continue
        v = _num(value)
        if v is None:
            text = str(value)
        elif key.endswith("_days"):
            text = fmt.fmt_days(v)
        elif key == "share":
            text = fmt.fmt_percent(v)
        elif key == "network_median":
            text = fmt.fmt_value(v, f.unit)
        else:
            text = fmt.fmt_number(v, 1) if not float(v).is_integer() else fmt.fmt_int(v)
        lines.append(f"{label('evidence_key.' + key)}: {text}")
    return tuple(lines)


def finding_measures(f: Finding) -> tuple[str, ...]:
    """The finding's measure keys, or the pattern's defaults when it names none."""
    return tuple(f.measures) if f.measures else PATTERN_MEASURES.get(f.pattern, ())


def ranked_findings(a: OfficeAnalysis) -> list[Finding]:
    """Findings in report order: by rank (0 = unranked goes last), then by impact, largest first."""
    return sorted(a.findings, key=lambda f: (f.rank <= 0, f.rank, -(_num(f.impact) or 0.0)))


def finding_item(f: Finding, rank: int, k: int = K_MIN) -> FindingItem:
    """The report's view of one finding."""
    suppressed = finding_suppressed(f, k)
    extent = Cell(k, "suppressed") if suppressed else value_cell(f.value, unit_kind(f.unit))
    measures = tuple(label_or(f"measure.{m}", label("measure.unknown", key=m)) for m in finding_measures(f))
    return FindingItem(
        rank=rank,
        kind=f.kind,
        kind_label=label_or(f"kind.{f.kind}", f.kind),
        pattern=f.pattern,
        pattern_label=label_or(f"pattern.{f.pattern}", ""),
        where=finding_where(f),
        extent=extent,
        comparison=_finding_comparison(f, suppressed),
        evidence=_finding_evidence(f, k),
        measures=measures,
        external=bool(f.external),
        shared=bool(f.shared),
        text_de=finding_text(f, k),
    )


# --- process map and model ----------------------------------------------------------------------


def select_edges(process_map: pd.DataFrame, coverage: float = MAP_COVERAGE, max_edges: int = MAP_MAX_EDGES) -> pd.DataFrame:
    """The most frequent edges that together cover ``coverage`` of all transitions (at most ``max_edges``)."""
    if process_map is None or len(process_map) == 0:
        return pd.DataFrame(columns=["from", "to", "count", "mean_wait_s", "median_wait_s"])
    pm = process_map.sort_values(["count", "from", "to"], ascending=[False, True, True], kind="stable")
    total = float(pm["count"].sum())
    before = pm["count"].cumsum().shift(fill_value=0) / (total if total else 1.0)
    keep = (before < coverage).to_numpy()
    keep[0] = True
    return pm[keep].head(max_edges).reset_index(drop=True)


def build_process_map(a: OfficeAnalysis, k: int = K_MIN, coverage: float = MAP_COVERAGE) -> ProcessMap | None:
    """Nodes (activities with counts) and the displayed edges, plus start/end markers."""
    pm = a.process_map
    if pm is None or len(pm) == 0:
        return None
    shown = select_edges(pm, coverage)
    acts = a.activities.set_index(a.activities["activity"].astype(str)) if len(a.activities) else None
    names = pd.unique(pd.concat([shown["from"].astype(str), shown["to"].astype(str)], ignore_index=True))
    starts = {str(s): n for s, n in (a.start_activities or {}).items() if str(s) in set(names)}
    ends = {str(s): n for s, n in (a.end_activities or {}).items() if str(s) in set(names)}
    ids = {name: f"a{i}" for i, name in enumerate(names)}
    nodes = [MapNode("start", label("map.start"), Cell(None, "missing"), "start")]
    for name in names:
        cnt = acts["count"].get(name) if acts is not None and "count" in acts.columns else None
        nodes.append(MapNode(ids[name], name, count_cell(cnt, k)))
    nodes.append(MapNode("end", label("map.end"), Cell(None, "missing"), "end"))
    top = float(shown["count"].max()) if len(shown) else 1.0
    edges = [
        MapEdge(ids[str(r.source)], ids[str(r.target)], count_cell(r.count, k), _num(r.median_wait_s), float(r.count) / top)
        for r in shown.rename(columns={"from": "source", "to": "target"}).itertuples(index=False)
    ]
    top_se = max([*starts.values(), *ends.values(), 1])
    edges += [MapEdge("start", ids[s], count_cell(n, k), None, float(n) / top_se) for s, n in starts.items()]
    edges += [MapEdge(ids[s], "end", count_cell(n, k), None, float(n) / top_se) for s, n in ends.items()]
    covered = float(shown["count"].sum()) / float(pm["count"].sum()) if float(pm["count"].sum()) else 0.0
    return ProcessMap(tuple(nodes), tuple(edges), len(shown), len(pm), covered)


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


def build_bpmn(model: Any) -> BpmnModel | None:
    """Nodes and flows of a pm4py BPMN graph (deterministic order); None when there is no BPMN model."""
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

    raw.sort(key=lambda n: (kind(n) != "start", kind(n) == "end", name(n), str(getattr(n, "get_id", lambda: "")())))
    ids = {id(n): f"b{i}" for i, n in enumerate(raw)}
    nodes = tuple(BpmnNode(ids[id(n)], kind(n), name(n) if kind(n) == "task" else "") for n in raw)
    flows = sorted(
        (ids[id(fl.get_source())], ids[id(fl.get_target())])
        for fl in model.get_flows()
        if id(fl.get_source()) in ids and id(fl.get_target()) in ids
    )
    return BpmnModel(nodes, tuple(flows))


# --- office report ------------------------------------------------------------------------------


def _kpis(a: OfficeAnalysis, defs: dict[str, tuple[str, str, str]], comparison: Comparison | None, k: int) -> tuple[Kpi, ...]:
    """Headline KPIs: core ones first, then every other KPI with a German name."""
    keys = [key for key in CORE_KPIS if key in a.kpis] + [key for key in a.kpis if key not in CORE_KPIS]
    out = [Kpi("cases", label("kpi.cases"), count_cell(a.cases, k), label("kpi.cases.explain"))]
    for key in keys:
        if key in ("cases", "events"):
            continue
        name = kpi_name(key, defs)
        if name is None:
            continue
        mark = ""
        if comparison is not None:
            if comparison.best.get(key) == a.office:
                mark = "best"
            elif comparison.worst.get(key) == a.office:
                mark = "worst"
        out.append(Kpi(key, name, value_cell(a.kpis[key], kpi_kind(key), a.cases, k, mark), kpi_explanation(key, defs), mark))
    return tuple(out)


def _variants_table(a: OfficeAnalysis, k: int, n: int = TOP_N_VARIANTS) -> Table:
    """Top-n variants with counts and shares (small counts suppressed)."""
    v = a.variants.head(n) if a.variants is not None else pd.DataFrame(columns=["variant", "count", "share"])
    rows = tuple(
        (
            Cell(int(i + 1), "int"),
            Cell(str(r.variant), "text"),
            count_cell(r.count, k),
            value_cell(r.share, "percent", r.count, k),
        )
        for i, r in enumerate(v.itertuples(index=False))
    )
    return Table(
        (label("col.rank"), label("col.variant"), label("col.cases"), label("col.share")),
        rows,
        (True, False, True, True),
    )


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
    """Read/kept/quarantined, reasons with German hints, flags."""
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
        ),
        (False, True),
    )
    tables = [counts]
    notes = []
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
    return Section("datenqualitaet", title, label("intro.data_quality"), tuple(tables), tuple(notes))


def _findings_table_section(items: list[FindingItem]) -> Section:
    """The Engpässe section (the template renders the items themselves)."""
    notes = () if items else (label("note.no_findings"),)
    return Section("engpaesse", label("section.bottlenecks"), label("intro.bottlenecks"), notes=notes)


def build_office_report(
    a: OfficeAnalysis,
    quality: QualityReport | None = None,
    comparison: Comparison | None = None,
    now: datetime | None = None,
    k: int = K_MIN,
) -> OfficeReport:
    """The report model of one office's ``bericht.html``."""
    now = now or now_berlin()
    definitions = load_kpi_definitions()
    defs = {key: (name, definition, unit) for key, name, definition, unit in definitions}
    items = [finding_item(f, i + 1, k) for i, f in enumerate(ranked_findings(a))]
    pmap = build_process_map(a, k)
    bpmn = build_bpmn(a.model)
    sections = {
        "process_map": Section(
            "prozesslandkarte",
            label("section.process_map"),
            label(
                "intro.process_map",
                coverage=fmt.fmt_percent(pmap.coverage, 0),
                shown=fmt.fmt_int(pmap.shown_edges),
                total=fmt.fmt_int(pmap.total_edges),
            )
            if pmap
            else "",
            notes=() if pmap else (label("note.no_map"),),
        ),
        "process_model": Section(
            "prozessmodell",
            label("section.process_model"),
            label("intro.process_model") if bpmn else "",
            notes=() if bpmn else (label("note.no_model"),),
        ),
        "bottlenecks": _findings_table_section(items),
        "variants": Section(
            "varianten", label("section.variants"), label("intro.variants", n=TOP_N_VARIANTS), (_variants_table(a, k),)
        ),
        "cycle_times": Section(
            "durchlaufzeiten",
            label("section.cycle_times"),
            label("intro.cycle_times"),
            (_cycle_table(a, k),),
            (label("intro.suppression", k=k),),
        ),
        "data_quality": _quality_section(quality),
        "definitions": Section(
            "definitionen",
            label("section.definitions"),
            label("intro.definitions"),
            (
                Table(
                    (label("col.kpi"), label("col.definition"), label("col.unit")),
                    tuple((Cell(n), Cell(d), Cell(label_or(f"unit.{u}", u))) for _, n, d, u in definitions),
                    (False, False, False),
                ),
            )
            if definitions
            else (),
        ),
    }
    notes = (label("note.more_findings", n=len(items)),) if len(items) > TOP_N_FINDINGS else ()
    return OfficeReport(
        office=a.office,
        title=label("title.office", office=a.office),
        period=_period(a),
        generated_at=now.isoformat(),
        log_kind=label("meta.log_kind_interval" if a.has_start else "meta.log_kind_completion"),
        k=k,
        intro=label("intro.summary", cases=fmt.fmt_int(a.cases), events=fmt.fmt_int(a.events)),
        kpis=_kpis(a, defs, comparison, k),
        top_findings=tuple(items[:TOP_N_FINDINGS]),
        findings=tuple(items),
        process_map=pmap,
        process_model=bpmn,
        sections=sections,
        footer=label("footer", k=k),
        notes=notes,
    )


# --- comparison report --------------------------------------------------------------------------


def _direction_note(direction: str | None) -> str:
    """'niedriger ist besser' / 'höher ist besser' / ''."""
    return {LOWER: label("note.lower_better"), HIGHER: label("note.higher_better")}.get(direction or "", "")


def build_comparison_report(
    comparison: Comparison,
    analyses: list[OfficeAnalysis],
    now: datetime | None = None,
    k: int = K_MIN,
) -> ComparisonReport:
    """The report model of ``vergleich.html``: KPI table, per-case-type tables, top finding per office."""
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
    rows = []
    for office in comparison.offices:
        cases = by_office[office].cases if office in by_office else comparison.kpis.loc[office].get("cases")
        cells = [Cell(office, "text", link=links[office]), count_cell(cases, k)]
        for key in keys:
            mark = "best" if comparison.best.get(key) == office else "worst" if comparison.worst.get(key) == office else ""
            cells.append(value_cell(comparison.kpis.loc[office, key], kpi_kind(key), cases, k, mark))
        rows.append(tuple(cells))
    kpi_table = Table(
        (label("col.office"), label("col.cases"), *[kpi_name(key, defs) or key for key in keys]),
        tuple(rows),
        (False, True, *[True] * len(keys)),
        column_notes=("", "", *[_direction_note(comparison.directions.get(key)) for key in keys]),
    )
    ct_tables = []
    bct = comparison.by_case_type
    for key in [key for key in CASE_TYPE_KPIS if key in bct.columns]:
        trows = []
        for ct in comparison.case_types:
            sub = bct[bct["case_type"] == ct].set_index("office")
            cells = [Cell(case_type_label(ct), "text")]
            for office in comparison.offices:
                mark = (
                    "best"
                    if comparison.best_by_case_type.get(ct, {}).get(key) == office
                    else "worst"
                    if comparison.worst_by_case_type.get(ct, {}).get(key) == office
                    else ""
                )
                v = sub[key].get(office) if office in sub.index else None
                n = sub["cases"].get(office) if office in sub.index else None
                cells.append(value_cell(v, kpi_kind(key), n, k, mark))
            trows.append(tuple(cells))
        ct_tables.append(
            Table(
                (label("col.case_type"), *comparison.offices),
                tuple(trows),
                (False, *[True] * len(comparison.offices)),
                caption=f"{kpi_name(key, defs) or key} ({_direction_note(kpi_direction(key))})",
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
        top_rows.append(
            (
                Cell(office, link=links[office]),
                Cell(item.text_de + extra),
                Cell(item.kind_label),
                Cell(k, "suppressed") if finding_suppressed(f, k) else value_cell(f.impact, "int"),
            )
        )
    top_table = Table(
        (label("col.office"), label("col.finding"), label("col.kind"), label("unit.case_days")),
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
        notes=(label("intro.suppression", k=k),),
    )


# --- results.json -------------------------------------------------------------------------------


def jsonable(x: Any) -> Any:
    """Plain JSON data: numpy/pandas scalars to Python, NaN/NaT to None, timestamps to ISO text."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, set)):
        return [jsonable(v) for v in x]
    if isinstance(x, pd.DataFrame):
        return [jsonable(r) for r in x.to_dict("records")]
    if isinstance(x, (pd.Timestamp, datetime)):
        return None if pd.isna(x) else x.isoformat()
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if x is None or isinstance(x, (bool, int, str)):
        return x
    try:
        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        pass
    return str(x)


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
            "suppressed": suppressed,
            "evidence": {} if suppressed else evidence,
            "measures": list(finding_measures(f)),
            "text_de": finding_text(f, k),
        }
    )


def _case_type_records(a: OfficeAnalysis, k: int) -> list[dict[str, Any]]:
    """kpis_by_case_type as records; rows from 1..k-1 cases keep only case_type and suppressed=True."""
    ct = case_type_frame(a)
    out = []
    for r in ct.to_dict("records"):
        n = _num(r.get("cases"))
        if n is not None and 0 < n < k:
            out.append({"case_type": r["case_type"], "cases": None, "suppressed": True})
        else:
            out.append({**jsonable(r), "suppressed": False})
    return out


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
            "by_reason": dict(quality.by_reason),
            "flags": dict(quality.flags),
            "files": list(quality.files),
            "profile": quality.profile,
        }
    activities = []
    if a.activities is not None and len(a.activities):
        activities = [
            {"activity": str(r["activity"]), "activity_key": r.get("activity_key"), "count": int(r["count"])}
            for r in a.activities.to_dict("records")
        ]
    return jsonable(
        {
            "office": a.office,
            "cases": int(a.cases),
            "events": int(a.events),
            "has_start": bool(a.has_start),
            "period_start": a.period_start,
            "period_end": a.period_end,
            "quality": q,
            "kpis": {key: _num(v) for key, v in a.kpis.items()},
            "kpis_by_case_type": _case_type_records(a, k),
            "findings": [finding_record(f, i + 1, k) for i, f in enumerate(ranked_findings(a))],
            "process_map": {
                "edges": edges,
                "activities": activities,
                "start_activities": {str(s): int(n) for s, n in (a.start_activities or {}).items()},
                "end_activities": {str(s): int(n) for s, n in (a.end_activities or {}).items()},
            },
            "variants": variants,
        }
    )


def comparison_record(c: Comparison) -> dict[str, Any]:
    """The results.json ``comparison`` object: per KPI the value per office, best and worst office."""
    kpis = {
        key: {
            "direction": c.directions.get(key),
            "values": {o: _num(c.kpis.loc[o, key]) for o in c.offices},
            "best": c.best.get(key),
            "worst": c.worst.get(key),
        }
        for key in c.kpis.columns
    }
    by_ct: dict[str, Any] = {}
    metric_cols = [col for col in c.by_case_type.columns if col not in ("case_type", "office")]
    for ct in c.case_types:
        sub = c.by_case_type[c.by_case_type["case_type"] == ct].set_index("office")
        by_ct[ct] = {
            key: {
                "direction": kpi_direction(key) if key != "cases" else None,
                "values": {o: _num(sub[key].get(o)) for o in c.offices},
                "best": c.best_by_case_type.get(ct, {}).get(key),
                "worst": c.worst_by_case_type.get(ct, {}).get(key),
            }
            for key in metric_cols
        }
    return jsonable(
        {
            "offices": list(c.offices),
            "min_cases": c.min_cases,
            "kpis": kpis,
            "case_types": list(c.case_types),
            "by_case_type": by_ct,
            "excluded_case_types": c.excluded_case_types,
            "top_findings": {
                o: (None if f is None else {"kind": f.kind, "pattern": f.pattern, "text_de": finding_text(f)})
                for o, f in c.top_findings.items()
            },
        }
    )


def build_results(
    analyses: list[OfficeAnalysis],
    comparison: Comparison,
    qualities: dict[str, QualityReport],
    now: datetime | None = None,
    k: int = K_MIN,
) -> dict[str, Any]:
    """The whole results.json (schema_version 1; documented in docs/results.md)."""
    now = now or now_berlin()
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": now.isoformat(),
        "min_cases": k,
        "offices": [office_record(a, qualities.get(a.office), k) for a in analyses],
        "comparison": comparison_record(comparison),
    }
