"""What an office does well: its best figures in the network (for an office without headline problems).

Per office a few comparable figures (lower is better): median elapsed days of closed cases, share of
cases past 90 days, median wait from appointment request to visit, status inquiries and document
requests per case. Each is ranked among the offices that show it; an office's strengths are the
figures where it is among the best third (rank 1 first), with the network median beside them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procmine import catalogue
from procmine.analyse.detectors.base import OfficeData, norm_waits
from procmine.analyse.stats import repeats_visible

METRICS = ("median_elapsed_days", "share_over_90_days", "appointment_to_visit_days", "status_inquiries_per_case",
           "document_requests_per_case")
MAX_STRENGTHS = 3


def _figures(d: OfficeData) -> dict[str, float]:
    c = d.cases
    closed = c["closed"].to_numpy(dtype=bool)
    el = c["elapsed_d"].to_numpy(dtype=float)
    out = {"median_elapsed_days": float(np.median(el[closed])) if closed.any() else np.nan,
           "share_over_90_days": float((el > catalogue.INACTION_DAYS).mean()) if len(el) else np.nan}
    visit = norm_waits(d, catalogue.WaitNorm("appointment_requested", "appearance_completed", 0, "usual", "", False))
    out["appointment_to_visit_days"] = float(visit["wait_d"].median()) if len(visit) else np.nan
    n = max(d.ea.n_cases, 1)
    keys = d.ea.keys
    if len(keys) and repeats_visible(d.ea) is not False:  # a milestone export shows no repeat contacts
        out["status_inquiries_per_case"] = float((keys == "status_inquiry_received").sum() / n)
        out["document_requests_per_case"] = float((keys == "documents_requested").sum() / n)
    return out


def network_strengths(data: dict[str, OfficeData]) -> dict[str, list[dict[str, object]]]:
    """Per office: its best figures in the network (metric, value, network median, rank, offices)."""
    tab = pd.DataFrame({n: _figures(d) for n, d in data.items()}).T.reindex(columns=list(METRICS))
    out: dict[str, list[dict[str, object]]] = {n: [] for n in data}
    if len(tab) < 2:
        return out
    ranks = tab.rank(method="min")
    counts = tab.notna().sum()
    med = tab.median()
    for metric in METRICS:  # a handful of figures
        for office in tab.index[tab[metric].notna()]:
            r, k = int(ranks.loc[office, metric]), int(counts[metric])
            if r <= max(1, k // 3) and tab.loc[office, metric] < med[metric]:
                out[str(office)].append({"metric": metric, "value": float(tab.loc[office, metric]),
                                         "network_median": float(med[metric]), "rank": r, "offices": k})
    return {n: sorted(v, key=lambda s: (s["rank"], s["value"] / s["network_median"] if s["network_median"] else 0.0))[:MAX_STRENGTHS]  # type: ignore[operator]
            for n, v in out.items()}
