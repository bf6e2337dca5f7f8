"""Topic by topic, who to learn from: the best office on comparable cases and how its process differs there.

For each topic (appointment wait, document rounds, BA consent, security check, card hand-over, no-shows,
decisions) the standardised KPI of the fair comparison names the office to visit: the one alone in the first
tier (its interval separates from every other office), else the best estimate marked as not separated.
Its *map fragment* is the set of directly-follows edges touching the topic's steps, each with the share of
cases that take it and the median wait, next to the same for the rest of the network: what the exchange visit
should look at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from procmine.catalogue import ACTIVITIES
from procmine.compare.fair import FairComparison
from procmine.compare.measures import (
    KPIS,
    TOPICS,
    edge_pairs,
    edge_table,
    kpi_keys_needed,
)

FRAGMENT_EDGES = 8  # edges shown per topic


@dataclass(frozen=True)
class TopicView:
    """One topic: the office to learn from (``best``), whether its interval separates from all others, its
    value and the network's, and the map fragment (best office vs the rest of the network)."""

    topic: str
    kpi: str
    unit: str
    best: str | None
    separated: bool
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    network: float | None
    fragment: pd.DataFrame  # source, target, source_label, target_label, best_share, rest_share, best_median_days, rest_median_days

    def to_dict(self) -> dict[str, Any]:
        def num(x: Any) -> float | None:
            return None if x is None or not np.isfinite(x) else round(float(x), 4)

        return {
            "topic": self.topic,
            "kpi": self.kpi,
            "unit": self.unit,
            "best": self.best,
            "separated": self.separated,
            "estimate": num(self.estimate),
            "ci_low": num(self.ci_low),
            "ci_high": num(self.ci_high),
            "network": num(self.network),
            "fragment": [
                {k: (num(v) if isinstance(v, float) else v) for k, v in row.items()} for row in self.fragment.to_dict("records")
            ],
        }


def _topic_keys(kpi: str) -> set[str]:
    kdef = KPIS[kpi]
    keys = set(kpi_keys_needed(kdef)) | set(kdef.among_keys)
    return keys


def map_fragment(best_pairs: pd.DataFrame, best_cases: int, rest_pairs: pd.DataFrame, rest_cases: int, keys: set[str]) -> pd.DataFrame:
    """Edges touching ``keys``: the best office's share of cases and median wait next to the rest's."""
    b = edge_table(best_pairs, best_cases)
    r = edge_table(rest_pairs, rest_cases)
    both = b.merge(r, on=["source", "target"], how="outer", suffixes=("_best", "_rest"))
    both = both[both["source"].isin(keys) | both["target"].isin(keys)]
    both = both.fillna({"share_best": 0.0, "share_rest": 0.0})
    both["weight"] = both[["share_best", "share_rest"]].max(axis=1)
    both = both.sort_values("weight", ascending=False).head(FRAGMENT_EDGES)
    return pd.DataFrame(
        {
            "source": both["source"].to_numpy(),
            "target": both["target"].to_numpy(),
            "source_label": [ACTIVITIES.get(s, s) for s in both["source"]],
            "target_label": [ACTIVITIES.get(t, t) for t in both["target"]],
            "best_share": both["share_best"].to_numpy(dtype=float),
            "rest_share": both["share_rest"].to_numpy(dtype=float),
            "best_median_days": both["median_days_best"].to_numpy(dtype=float),
            "rest_median_days": both["median_days_rest"].to_numpy(dtype=float),
        }
    )


def topic_views(logs: dict[str, pd.DataFrame], fair: FairComparison) -> list[TopicView]:
    """The best-practice view of every topic (see the module docstring)."""
    pairs, offset = {}, 0
    for o, log in logs.items():  # case positions made unique across offices (they are pooled for "the rest")
        p = edge_pairs(log)
        p["case"] = p["case"] + offset
        offset += int(log["case_id"].nunique()) + 1
        pairs[o] = p
    n_cases = {o: int(log["case_id"].nunique()) for o, log in logs.items()}
    views = []
    for topic, kpi in TOPICS.items():
        fk = fair.kpis[kpi]
        t = fk.table
        ok = t["estimate"].notna()
        if not ok.any():
            views.append(TopicView(topic, kpi, fk.unit, None, False, None, None, None, fk.network, pd.DataFrame()))
            continue
        best = fk.best or str(t.loc[ok, "estimate"].idxmin())
        rest = [o for o in logs if o != best]
        rest_pairs = pd.concat([pairs[o] for o in rest], ignore_index=True) if rest else pairs[best].iloc[:0]
        fragment = map_fragment(pairs[best], n_cases[best], rest_pairs, sum(n_cases[o] for o in rest), _topic_keys(kpi))
        row = t.loc[best]
        views.append(
            TopicView(topic, kpi, fk.unit, best, fk.best is not None, float(row["estimate"]), float(row["ci_low"]), float(row["ci_high"]), fk.network, fragment)
        )
    return views
