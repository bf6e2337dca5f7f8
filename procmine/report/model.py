"""The report model: frozen plain data saying what the reports show; templates only lay it out.

Every value cell says what kind it is (``Cell.kind``), so templates format it with the matching
``format_de`` filter and never sniff types. ``to_dict`` gives the JSON the golden tests compare.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

CELL_KINDS = (
    "text",  # value: str
    "int",  # value: int
    "number",  # value: float
    "number2",  # value: float, shown with two decimals (e.g. per case, the unit named in the header)
    "days",  # value: float, calendar days
    "duration",  # value: float, seconds
    "percent",  # value: float share 0..1
    "per_case",  # value: float
    "hours",  # value: float, hours (working time on the office calendar)
    "date",  # value: ISO date string
    "suppressed",  # value: k (fewer than k cases: shown as "< k")
    "missing",  # value: None
    "not_measurable",  # value: German "nicht messbar"; note: why (the export cannot show it)
)


@dataclass(frozen=True)
class Cell:
    """One value to show, with its kind and an optional mark ("best", "worst")."""

    value: Any
    kind: str = "text"
    mark: str = ""
    link: str = ""  # relative link target, if the cell is a link
    note: str = ""  # small second line (e.g. "niedriger ist besser")


@dataclass(frozen=True)
class Table:
    """A table: German column headers, rows of cells, and which columns are numeric (right-aligned)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    numeric: tuple[bool, ...] = ()
    caption: str = ""
    column_notes: tuple[str, ...] = ()  # small hint under each header ("niedriger ist besser"), may be empty


@dataclass(frozen=True)
class Kpi:
    """A key figure with German name and plain explanation."""

    key: str
    name: str
    value: Cell
    explanation: str
    mark: str = ""


@dataclass(frozen=True)
class FindingItem:
    """One ranked bottleneck as the report shows it."""

    rank: int
    kind: str
    kind_label: str
    pattern: str
    pattern_label: str
    where: str
    extent: Cell
    comparison: str
    evidence: tuple[str, ...]
    measures: tuple[str, ...]  # full German recommendations
    measures_short: tuple[str, ...]  # their short names (findings table)
    external: bool
    shared: bool
    text_de: str
    section_link: str = ""  # anchor ("#externe-wartezeiten") of the section holding the evidence and chart
    section_title: str = ""  # German title of that section


@dataclass(frozen=True)
class MapNode:
    """An activity box of the process map."""

    id: str
    label: str
    count: Cell
    kind: str = "activity"  # activity | start | end
    export_label: str = ""  # the label as in the export, where the shown (catalogue) label differs


@dataclass(frozen=True)
class MapEdge:
    """A directly-follows arrow of the process map (display-filtered)."""

    source: str
    target: str
    count: Cell
    median_wait_s: float | None
    weight: float = 1.0  # 0..1 relative frequency, for line width
    main: bool = False  # on the main path (drawn first, straight and thick)
    wait_band: int = -1  # index into WAIT_BANDS (colour by median wait); -1 = no wait known


@dataclass(frozen=True)
class ProcessMap:
    """The displayed part of the directly-follows graph and how much of it is shown."""

    nodes: tuple[MapNode, ...]
    edges: tuple[MapEdge, ...]
    shown_edges: int
    total_edges: int
    coverage: float  # share of transitions covered by the shown edges
    level: str = "simple"  # level of detail: simple | medium | detailed (MAP_LEVELS)
    title: str = ""  # German name of the level ("Hauptweg und häufigste Schritte")
    shown_activities: int = 0
    total_activities: int = 0
    table: Table | None = None  # the numbers behind the picture: each shown transition, its count and median wait


@dataclass(frozen=True)
class BpmnNode:
    """A BPMN element: task, start, end, xor, and (parallel), or (inclusive)."""

    id: str
    kind: str
    label: str = ""


@dataclass(frozen=True)
class BpmnModel:
    """Nodes and sequence flows of a discovered BPMN model."""

    nodes: tuple[BpmnNode, ...]
    flows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ChartSeries:
    """One series of a chart: German name, a value per x position (None = gap or suppressed), colour
    (one of ``charts.PALETTE``; "" = next in the palette), the panel it is drawn in (0 = top, 1 = below)."""

    name: str
    values: tuple[float | None, ...]
    color: str = ""
    panel: int = 0


CHART_KINDS = (
    "line",  # one line per series over x_labels (weeks, months); series with panel 1 go to a second panel below
    "bars",  # vertical bars per x label, one bar per series side by side
    "hbars",  # horizontal bars per x label (long German step names), one bar per series
    "stacked_hbars",  # one horizontal bar per x label, the series stacked in it (parts of a whole; report.timesplit)
)


@dataclass(frozen=True)
class Chart:
    """A picture drawn by matplotlib as static SVG (``report.charts``), with the table of its data.

    ``title`` is its accessible name and caption; ``table`` the same numbers for reading and screen
    readers (shown collapsible); ``y_title``/``y2_title`` name the axes of the first and second panel.
    """

    key: str  # element id, stable (link target)
    title: str
    x_labels: tuple[str, ...]
    series: tuple[ChartSeries, ...]
    kind: str = "line"
    x_title: str = ""
    y_title: str = ""
    y2_title: str = ""
    table: Table | None = None
    note: str = ""
    reference: float | None = None  # a horizontal reference line (the norm) on the first panel, in the axis' unit
    reference_label: str = ""  # its name in the legend


LineChart = Chart  # the earlier name of a line chart


@dataclass(frozen=True)
class Section:
    """A titled report section with an intro sentence and optional tables, notes, charts and sentences."""

    key: str  # anchor id, stable
    title: str
    intro: str = ""
    tables: tuple[Table, ...] = ()
    notes: tuple[str, ...] = ()
    charts: tuple[Chart, ...] = ()
    paragraphs: tuple[str, ...] = ()  # statements in plain German, shown before the tables


@dataclass(frozen=True)
class FindingPage:
    """One page per finding: what, where, how big, since when, the evidence as chart and numbers, what helps."""

    key: str  # anchor id ("engpass-1")
    title: str  # "1. Terminstau"
    item: FindingItem
    since: str
    chart: Chart | None
    next_steps: tuple[str, ...]
    trend: Chart | None = None  # the finding's figure month by month (``Finding.monthly``), with the norm


@dataclass(frozen=True)
class Glance:
    """Page 1 "Auf einen Blick": the biggest losses with their size, the most promising measures, or what works well."""

    verdict: str  # one sentence: the biggest problem, or that nothing big is wrong
    # (title, sentence, size, link to the finding page, its consequences told under it: "Folge: …", its rank:
    # the number of its "Engpass" page, so page 1 and the finding pages count alike)
    losses: tuple[tuple[str, str, str, str, tuple[str, ...], int], ...]
    measures: tuple[tuple[str, str], ...]  # (recommendation, which loss it addresses)
    strengths: tuple[str, ...]  # what the office does well (sentences)


@dataclass(frozen=True)
class OfficeReport:
    """All content of one office's ``bericht.html``."""

    office: str
    title: str
    period: str
    generated_at: str  # ISO timestamp, Europe/Berlin
    log_kind: str
    k: int
    intro: str
    kpis: tuple[Kpi, ...]
    top_findings: tuple[FindingItem, ...]
    findings: tuple[FindingItem, ...]
    process_map: ProcessMap | None
    process_model: BpmnModel | None
    sections: dict[str, Section]  # process_map, process_model, bottlenecks, variants, cycle_times, data_quality, definitions
    footer: str
    notes: tuple[str, ...] = ()
    glance: Glance | None = None
    finding_pages: tuple[FindingPage, ...] = ()
    map_levels: tuple[ProcessMap, ...] = ()  # simplest first; process_map is the first
    generic: bool = False  # the log's steps do not map to the immigration catalogue: generic wording
    calendar_note: str = ""  # which Land's public holidays the working time leaves out
    holidays: str = ""  # short: the Land of the holiday calendar (header line)
    comparison_link: bool = True  # the header links to vergleich.html (not for an office analysed alone)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (for golden tests and debugging)."""
        return asdict(self)


@dataclass(frozen=True)
class ComparisonReport:
    """All content of ``vergleich.html``."""

    title: str
    generated_at: str
    period: str
    k: int
    intro: str
    offices: tuple[Cell, ...]  # office names linking to their reports
    kpi_table: Table
    case_type_tables: tuple[Table, ...]
    case_type_intro: str
    top_findings: Table
    footer: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    not_evaluated: Table | None = None  # exports the run could not use (file, office, reason); None when all were
    alone: str = ""  # one office analysed alone: what the page says instead of comparing it with itself

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (for golden tests and debugging)."""
        return asdict(self)
