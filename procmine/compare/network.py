"""The network comparison as one object: fair comparison, topics, trends and the measures asked for.

``network_comparison(logs, measures=...)`` is what ``compare_offices(..., logs=...)`` attaches to the
``Comparison`` (``Comparison.network``), what ``results.json`` carries under ``network`` and what
``vergleich.html`` shows. Measures come from ``procmine run --measure`` as ``"OFFICE:YYYY-MM-DD[:STEP or KPI]"``
(``STEP`` = two activity labels of the office's export joined by →) or from a TOML file of ``[[measure]]``
tables (``office``, ``date``, optional ``step`` / ``kpi`` / ``name``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date as date_cls
from pathlib import Path
from typing import Any

import pandas as pd

from procmine.compare.effect import MeasureEffect, evaluate_measure
from procmine.compare.fair import FairComparison, fair_comparison
from procmine.compare.measures import KPIS, case_measures
from procmine.compare.topics import TopicView, topic_views
from procmine.compare.trends import Trends, network_trends
from procmine.errors import UsageProblem
from procmine.labels_de.network import nlabel


@dataclass(frozen=True)
class MeasureSpec:
    """A measure to evaluate: office, date (ISO), and the KPI or the step (export labels) it should move."""

    office: str
    date: str
    kpi: str = "cycle_time_days"
    step: tuple[str, str] | None = None
    name: str = ""


@dataclass(frozen=True)
class NetworkComparison:
    """Everything the network report shows beyond the per-office KPIs."""

    fair: FairComparison
    topics: tuple[TopicView, ...]
    trends: Trends
    measures: tuple[tuple[MeasureSpec, MeasureEffect], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (docs/results.md, ``network``)."""
        return {
            "fair_comparison": self.fair.to_dict(),
            "topics": [t.to_dict() for t in self.topics],
            "trends": self.trends.to_dict(),
            "measures": [{"name": spec.name or None, **eff.to_dict()} for spec, eff in self.measures],
        }


def _bad_measure(text: str, why: str) -> UsageProblem:
    return UsageProblem(nlabel("measure.bad", text=text, why=why))


def _spec(office: str, day: str, what: str | None, name: str, text: str) -> MeasureSpec:
    try:
        iso = date_cls.fromisoformat(day.strip()).isoformat()
    except ValueError:
        raise _bad_measure(text, nlabel("measure.bad_date", day=day)) from None
    if not what:
        return MeasureSpec(office.strip(), iso, name=name)
    what = what.strip().replace("->", "→")
    if "→" in what:
        a, b = (p.strip() for p in what.split("→", 1))
        return MeasureSpec(office.strip(), iso, step=(a, b), name=name)
    if what in KPIS and KPIS[what].comparable:
        return MeasureSpec(office.strip(), iso, kpi=what, name=name)
    raise _bad_measure(text, nlabel("measure.bad_what", what=what, kpis=", ".join(k for k, d in KPIS.items() if d.comparable)))


def parse_measures(items: list[str]) -> list[MeasureSpec]:
    """``--measure`` values: ``OFFICE:YYYY-MM-DD[:STEP|KPI]`` or the path of a TOML file of ``[[measure]]``."""
    specs: list[MeasureSpec] = []
    for text in items:
        path = Path(text)
        if text.endswith(".toml"):
            if not path.is_file():
                raise _bad_measure(text, nlabel("measure.no_file"))
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as err:
                raise _bad_measure(text, nlabel("measure.bad_toml", error=err)) from None
            for i, m in enumerate(data.get("measure", []), start=1):
                if not isinstance(m, dict) or "office" not in m or "date" not in m:
                    raise _bad_measure(text, nlabel("measure.incomplete", number=i))
                what = m.get("step") or m.get("kpi")
                specs.append(_spec(str(m["office"]), str(m["date"]), str(what) if what else None, str(m.get("name", "")), text))
            continue
        parts = text.split(":", 2)
        if len(parts) < 2:
            raise _bad_measure(text, nlabel("measure.no_office_date"))
        specs.append(_spec(parts[0], parts[1], parts[2] if len(parts) == 3 else None, "", text))
    return specs


def network_comparison(
    logs: dict[str, pd.DataFrame],
    measures: list[MeasureSpec] | tuple[MeasureSpec, ...] = (),
    repeats: dict[str, bool | None] | None = None,
) -> NetworkComparison:
    """Fair comparison, topics, trends and the evaluation of each measure over the offices' ``logs``."""
    per_office = {o: case_measures(log) for o, log in logs.items()}
    fair = fair_comparison(logs, repeats=repeats, measures=per_office)
    topics = tuple(topic_views(logs, fair))
    trends = network_trends(logs)
    evaluated = tuple((m, evaluate_measure(logs, m.office, m.date, kpi=m.kpi, step=m.step)) for m in measures)
    return NetworkComparison(fair, topics, trends, evaluated)
