"""Change over time: monthly KPI series per office, change points (ruptures), shocks shared by most offices.

Each series is the monthly mean of a KPI's values by the month they belong to (a case's start, a wait's
start; see ``measures.observations``), months with fewer than ``MIN_MONTH_N`` values left out, and the last
months cut where most cases are still open (as in ``effect``). Change points come from ruptures' PELT with an
L2 cost and a penalty of ``PENALTY`` × σ² × log(n), σ² the typical variance of a monthly mean (within-month
variance over its count), so a change must stand out from what the month-to-month noise explains. A month in
which at least half of the offices with a series have a change point (± one month) is a **shared shock**
(a law change, a season): it is marked as such and not read as one office's doing. Besides the KPIs, each
case type's share of the cases that start in a month is a series (``new_share:<case type>``): a law change
that brings more applications of one type shows there first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import ruptures as rpt

from procmine.compare.measures import KPIS, case_table, observations

TREND_KPIS = ("cycle_time_days", "appointment_wait_days", "ba_consent_days", "security_check_days", "card_handover_days", "decision_wait_days")
MIN_MONTH_N = 5
MIN_MONTHS = 8
PENALTY = 5.0
SHARED_SHARE = 0.5
MIX_PREFIX = "new_share:"  # series key of a case type's share of new cases: "new_share:AE_EMP"
MIX_MIN_SHARE = 0.05  # case types under this share of the network's cases get no mix series


def mix_key(case_type: str) -> str:
    return f"{MIX_PREFIX}{case_type}"


def case_mix_series(logs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Monthly share of each case type among the cases that start that month, per office (``kpi`` =
    ``new_share:<case type>``; ``var`` = p(1-p), so var/n is the binomial noise of the share). A law change
    that brings more applications of one type shows here first, in most offices at once."""
    frames = []
    for office, log in logs.items():
        if not len(log):
            continue
        cases = case_table(log)
        month = pd.to_datetime(cases["start"], unit="s", utc=True).dt.tz_convert("Europe/Berlin").dt.strftime("%Y-%m")
        counts = pd.crosstab(month.to_numpy(), cases["case_type"].to_numpy())
        n = counts.sum(axis=1)
        counts = counts[n >= MIN_MONTH_N * 4]
        n = counts.sum(axis=1)
        share = counts.div(n, axis=0)
        for ct in share.columns:
            if not ct or float(counts[ct].sum()) < MIX_MIN_SHARE * float(n.sum()):
                continue
            p = share[ct]
            frames.append(pd.DataFrame({"kpi": mix_key(str(ct)), "office": office, "month": share.index, "mean": p.to_numpy(),
                                        "n": n.to_numpy(), "var": (p * (1 - p)).to_numpy()}))
    if not frames:
        return pd.DataFrame(columns=["kpi", "office", "month", "mean", "n", "var"])
    out = pd.concat(frames, ignore_index=True)
    months = out.groupby(["kpi", "office"])["month"].transform("size")
    return out[months >= MIN_MONTHS].reset_index(drop=True)


@dataclass(frozen=True)
class Trends:
    """Monthly series (``series``: kpi, office, month, mean, n), change points (``change_points``: kpi, office,
    month, before, after, shared) and shared shocks (``shared``: kpi, month, offices)."""

    series: pd.DataFrame
    change_points: pd.DataFrame
    shared: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        def rows(df: pd.DataFrame) -> list[dict[str, Any]]:
            out = []
            for r in df.to_dict("records"):
                out.append({k: (round(float(v), 3) if isinstance(v, (float, np.floating)) else (list(v) if isinstance(v, tuple) else v)) for k, v in r.items()})
            return out

        return {"change_points": rows(self.change_points), "shared_shocks": rows(self.shared)}


def monthly_series(logs: dict[str, pd.DataFrame], kpi: str) -> pd.DataFrame:
    """kpi, office, month ('YYYY-MM'), mean, n, var (of the values) for one KPI, censored months cut."""
    frames = []
    for office, log in logs.items():
        if not len(log):
            continue
        obs = observations(log, kpi)
        if not len(obs):
            continue
        ref = obs["value"].to_numpy() if KPIS[kpi].wait is not None else observations(log, "cycle_time_days")["value"].to_numpy()
        horizon = float(np.nanpercentile(ref, 95)) * 86400.0 if len(ref) else 0.0
        obs = obs[obs["t"] <= float(log["end"].max().timestamp()) - horizon]
        month = pd.to_datetime(obs["t"], unit="s", utc=True).dt.tz_convert("Europe/Berlin").dt.strftime("%Y-%m")
        g = obs.groupby(month.to_numpy())["value"].agg(["mean", "size", "var"]).rename(columns={"size": "n"})
        g = g[g["n"] >= MIN_MONTH_N]
        if len(g) < MIN_MONTHS:  # too few months with enough values for a series
            continue
        frames.append(g.reset_index(names="month").assign(kpi=kpi, office=office))
    if not frames:
        return pd.DataFrame(columns=["kpi", "office", "month", "mean", "n", "var"])
    return pd.concat(frames, ignore_index=True)[["kpi", "office", "month", "mean", "n", "var"]]


def change_points(series: pd.DataFrame) -> list[int]:
    """Indices (into ``series``, sorted by month) where a new level starts; empty when none stands out."""
    y = series["mean"].to_numpy(dtype=float)
    if len(y) < MIN_MONTHS:
        return []
    noise = float(np.nanmedian(series["var"].to_numpy(dtype=float) / series["n"].to_numpy(dtype=float)))
    if not np.isfinite(noise) or noise <= 0:
        return []
    algo = rpt.Pelt(model="l2", min_size=2, jump=1).fit(y.reshape(-1, 1))
    return [b for b in algo.predict(pen=PENALTY * noise * np.log(len(y))) if b < len(y)]


def _month_index(month: str) -> int:
    y, m = month.split("-")
    return int(y) * 12 + int(m) - 1


def network_trends(logs: dict[str, pd.DataFrame], kpis: tuple[str, ...] = TREND_KPIS, case_mix: bool = True) -> Trends:
    """Monthly series, change points and shared shocks for ``kpis`` and (``case_mix``) for each case type's
    share of new cases (see the module docstring)."""
    all_series, cps = [], []
    mix = case_mix_series(logs) if case_mix else pd.DataFrame(columns=["kpi"])
    for kpi in [*kpis, *dict.fromkeys(mix["kpi"])]:
        s = mix[mix["kpi"] == kpi] if kpi.startswith(MIX_PREFIX) else monthly_series(logs, kpi)
        if not len(s):
            continue
        all_series.append(s)
        for office, g in s.groupby("office", sort=True):  # one small fit per office and KPI
            g = g.sort_values("month").reset_index(drop=True)
            for b in change_points(g):
                cps.append({"kpi": kpi, "office": str(office), "month": g.loc[b, "month"],
                            "before": float(g["mean"].iloc[max(0, b - 3):b].mean()), "after": float(g["mean"].iloc[b:b + 3].mean())})
    series = pd.concat(all_series, ignore_index=True) if all_series else pd.DataFrame(columns=["kpi", "office", "month", "mean", "n", "var"])
    cp = pd.DataFrame(cps, columns=["kpi", "office", "month", "before", "after"])
    shared_rows = []
    cp["shared"] = False
    for kpi, g in cp.groupby("kpi", sort=False):
        n_offices = series.loc[series["kpi"] == kpi, "office"].nunique()
        idx = np.array([_month_index(m) for m in g["month"]])
        for m in sorted(set(idx.tolist())):
            near = np.abs(idx - m) <= 1
            offices = sorted(set(g.loc[near, "office"]))
            if n_offices >= 3 and len(offices) >= SHARED_SHARE * n_offices:
                cp.loc[g.index[near], "shared"] = True
                shared_rows.append({"kpi": kpi, "month": f"{m // 12:04d}-{m % 12 + 1:02d}", "offices": tuple(offices)})
    shared = pd.DataFrame(shared_rows, columns=["kpi", "month", "offices"])
    if len(shared):  # one row per cluster: the month with the most offices
        shared["n"] = shared["offices"].map(len)
        shared = shared.sort_values(["kpi", "n"], ascending=[True, False])
        keep: list[Any] = []
        seen: list[tuple[str, int]] = []
        for i, r in shared.iterrows():
            mi = _month_index(r["month"])
            if not any(k == r["kpi"] and abs(mi - m) <= 2 for k, m in seen):
                keep.append(i)
                seen.append((r["kpi"], mi))
        shared = shared.loc[keep].drop(columns="n").reset_index(drop=True)
    return Trends(series, cp, shared)
