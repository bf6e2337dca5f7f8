"""Seasonal surges: a case type's arrivals peak in some months far above the network's usual peak.

A case type peaks in months with ≥ 1.5× its monthly mean, and its peak-to-mean ratio is ≥ 1.3× the
network's typical one; impact = elapsed days of peak-month cases above the type's other cases.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procmine.analyse.detectors.base import Network
from procmine.analyse.detectors.registry import PatternSpec, detector
from procmine.analyse.model import Finding
from procmine.schema import DISPLAY_TZ

PATTERNS = [PatternSpec("seasonal_surge", "backlog", ("appointment_steering", "team_rebalancing"), "teams")]


@detector("seasonal", PATTERNS, order=60)
def detect_seasonal(net: Network, min_cases: int = 60, min_ratio: float = 1.3) -> list[tuple[str, Finding]]:
    data = net.data
    rows = []
    for name, d in data.items():  # one step per office
        c = d.cases
        if len(c) < min_cases:
            continue
        local = c["start"].dt.tz_convert(DISPLAY_TZ).dt.tz_localize(None)
        period = local.dt.to_period("M")
        full = period[(period > period.min()) & (period < period.max())]
        if full.nunique() < 6:
            continue
        tab = pd.crosstab(period, c["case_type"]).loc[sorted(full.unique())]
        moy = tab.groupby(tab.index.month).mean()
        amp = moy.max() / moy.mean().where(moy.mean() > 0)
        peak_months = {c: tuple(sorted(moy.index[moy[c] >= 1.5 * moy[c].mean()])) for c in moy.columns}
        for ct in tab.columns:
            if tab[ct].sum() >= min_cases and np.isfinite(amp[ct]):
                rows.append((name, ct, float(amp[ct]), peak_months[ct]))
    if not rows:
        return []
    df = pd.DataFrame(rows, columns=["office", "ct", "amp", "peaks"])
    df["typical"] = df["ct"].map(df.groupby("ct")["amp"].median())
    out = []
    for r in df.itertuples(index=False):  # one step per (office, case type)
        if r.amp < min_ratio * r.typical or not r.peaks:
            continue
        d = data[r.office]
        c = d.cases
        month = c["start"].dt.tz_convert(DISPLAY_TZ).dt.month.to_numpy()
        sel = c["case_type"].to_numpy() == r.ct
        peak = sel & np.isin(month, list(r.peaks))
        off = sel & ~peak
        if not peak.any() or not off.any():
            continue
        el = c["elapsed_d"].to_numpy()
        excess = float(np.maximum(el[peak] - el[off].mean(), 0).sum())
        out.append(
            (
                r.office,
                Finding(
                    kind="backlog",
                    pattern="seasonal_surge",
                    value=r.amp,
                    unit="ratio",
                    impact=excess / d.years,
                    cases=int(peak.sum()),
                    case_type=r.ct,
                    norm=float(r.typical),
                    norm_basis="network",
                    evidence={"peak_months": sorted(int(m) for m in r.peaks), "peak_to_mean": r.amp,
                              "network_typical_peak_to_mean": float(r.typical),
                              "mean_elapsed_days_peak": float(el[peak].mean()), "mean_elapsed_days_other": float(el[off].mean())},

                ),
            )
        )
    return out

