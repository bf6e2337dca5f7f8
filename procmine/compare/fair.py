"""Fair comparison of offices: case-mix standardised KPIs with bootstrap intervals, ranked only where they separate.

For every KPI of ``measures.KPIS``:

* **per office and case type**: mean and number of cases (cells under ``k`` cases suppressed, with secondary
  suppression so that no suppressed count can be recomputed from row or column totals);
* **overall, directly standardised** to the network's case-type mix: the office's case-type means weighted by
  the network's shares of those case types (among the cases the KPI measures), so an office with many slow
  case types is not judged worse for its mix; case types an office has none of are left out and the weights
  renormalised (``coverage`` says how much of the network's mix that is);
* a **95 % bootstrap interval** (cases resampled within office × case type, percentile interval), computed for
  all replicates at once with numpy (no loop per case);
* the **difference to the rest of the network** (the other offices' mean of standardised values) with its own
  bootstrap interval: ``better`` / ``worse`` when it excludes 0, else ``within_noise``;
* **tiers**: offices sorted by value, a new tier starting where an interval no longer overlaps the tier's best;
  an office is named best only when it alone forms the first tier.

A KPI an office's export cannot show (its steps never appear, or it counts repeats in a milestone export) is
``not_measurable`` for that office; a KPI that depends on how detailed the export is (``steps_per_case``)
is shown but never ranked.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from procmine import schema
from procmine.compare.measures import KPIS, case_measures, kpi_keys_needed

K_MIN = 5  # cells under this many cases are suppressed
N_BOOT = 400
SEED = 20260101

BETTER = "better"
WORSE = "worse"
WITHIN_NOISE = "within_noise"
NOT_MEASURABLE = "not_measurable"
NOT_COMPARABLE = "not_comparable"
# why a KPI cannot be measured or compared (German wording in labels_de/network.py "why.*")
STEP_MISSING = "step_missing"  # the export never shows the steps the KPI needs
NO_REPEATS = "no_repeats"  # counts repeated steps, but the export shows each step once (milestones)
EXPORT_DETAIL = "export_detail"  # depends on how detailed the export is


@dataclass(frozen=True)
class FairKpi:
    """One KPI across the network: ``table`` has one row per office (index) with estimate, ci_low, ci_high,
    cases, coverage, diff, diff_low, diff_high, position, tier, reason."""

    key: str
    unit: str
    comparable: bool
    table: pd.DataFrame
    best: str | None  # the office alone in the first tier (None: no office separates)
    network: float | None  # the network's own value (all measurable cases pooled, its mix)
    tests: int  # comparisons with the rest made for this KPI
    hits: int  # of which significant

    def to_dict(self) -> dict[str, Any]:
        rows = []
        for office, r in self.table.iterrows():
            rows.append(
                {
                    "office": str(office),
                    **{c: _num(r[c]) for c in ("estimate", "ci_low", "ci_high", "diff", "diff_low", "diff_high", "coverage")},
                    "cases": int(r["cases"]),
                    "position": r["position"],
                    "tier": None if pd.isna(r["tier"]) else int(r["tier"]),
                    "reason": r["reason"] or None,
                }
            )
        return {"kpi": self.key, "unit": self.unit, "comparable": self.comparable, "best": self.best,
                "network": _num(self.network), "tests": self.tests, "significant": self.hits, "offices": rows}


@dataclass(frozen=True)
class FairComparison:
    """The network's fair comparison (see the module docstring)."""

    offices: tuple[str, ...]
    kpis: dict[str, FairKpi]
    counts: pd.DataFrame  # office x case type, cases (suppressed cells NaN)
    case_mix: pd.DataFrame  # office x case type share of the office's cases (suppressed NaN); row "network"
    by_case_type: pd.DataFrame  # long: office, case_type, kpi, value, cases (suppressed cells dropped)
    suppressed: pd.DataFrame  # office x case type, True where suppressed (primary or secondary)
    k: int = K_MIN
    n_boot: int = N_BOOT
    replicates: dict[str, np.ndarray] = field(default_factory=dict, repr=False)  # kpi -> (offices, B) standardised

    @property
    def tests(self) -> int:
        return sum(k.tests for k in self.kpis.values())

    @property
    def hits(self) -> int:
        return sum(k.hits for k in self.kpis.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (documented in docs/results.md under ``fair_comparison``)."""
        return {
            "k": self.k,
            "bootstrap_replicates": self.n_boot,
            "tests": self.tests,
            "significant": self.hits,
            "kpis": {key: kpi.to_dict() for key, kpi in self.kpis.items()},
            "case_mix": {
                str(o): {str(ct): _num(v) for ct, v in row.items()} for o, row in self.case_mix.iterrows()
            },
            "cases_by_case_type": {
                str(o): {str(ct): (None if pd.isna(v) else int(v)) for ct, v in row.items()} for o, row in self.counts.iterrows()
            },
            "kpis_by_case_type": [
                {"office": str(r["office"]), "case_type": str(r["case_type"]), "kpi": str(r["kpi"]), "value": _num(r["value"]), "cases": int(r["cases"])}
                for r in self.by_case_type.to_dict("records")
                if np.isfinite(r["value"])
            ],
        }


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if not np.isfinite(v) else round(v, 4)


def repeats_visible(log: pd.DataFrame) -> bool:
    """Whether any step appears twice in a case (a milestone export never shows that)."""
    if len(log) < 2:
        return True
    case = schema.codes_of(log[schema.CASE_ID]) if isinstance(log[schema.CASE_ID].dtype, pd.CategoricalDtype) else pd.factorize(log[schema.CASE_ID])[0]
    act = schema.codes_of(log[schema.ACTIVITY]) if isinstance(log[schema.ACTIVITY].dtype, pd.CategoricalDtype) else pd.factorize(log[schema.ACTIVITY])[0]
    pairs = case.astype(np.int64) * (int(act.max()) + 1) + act
    return bool(len(np.unique(pairs)) < len(pairs))


def not_measurable(log: pd.DataFrame, repeats: bool | None = None) -> dict[str, str]:
    """KPI key -> reason code for the KPIs this office's export cannot measure."""
    keys = set(log[schema.ACTIVITY_KEY].dropna().astype(str).unique()) if schema.ACTIVITY_KEY in log.columns else set()
    repeats = repeats_visible(log) if repeats is None else repeats
    out: dict[str, str] = {}
    for kdef in KPIS.values():
        needed = kpi_keys_needed(kdef)
        if needed and not (set(kdef.wait.to_keys if kdef.wait else needed) & keys and (not kdef.wait or kdef.wait.from_keys is None or set(kdef.wait.from_keys) & keys)):
            out[kdef.key] = STEP_MISSING
        elif kdef.needs_repeats and not repeats:
            out[kdef.key] = NO_REPEATS
    return out


def suppress(counts: pd.DataFrame, k: int = K_MIN) -> pd.DataFrame:
    """Cells to suppress in a count table: 1..k-1 cases (primary), plus, in every row and column with exactly
    one suppressed cell, its smallest other non-zero cell (secondary), until no total gives a cell away."""
    c = counts.fillna(0).to_numpy(dtype=float)
    mask = (c > 0) & (c < k)
    changed = True
    while changed:  # a few passes over rows and columns of a small table
        changed = False
        for m, v in ((mask, c), (mask.T, c.T)):
            for i in range(m.shape[0]):
                if m[i].sum() == 1:
                    free = np.where(~m[i] & (v[i] > 0), v[i], np.inf)
                    if np.isfinite(free.min()):
                        m[i, int(np.argmin(free))] = True
                        changed = True
    return pd.DataFrame(mask, index=counts.index, columns=counts.columns)


def _pct(a: np.ndarray, q: float) -> np.ndarray:
    """Percentile along the last axis, NaN (without a warning) where a row has no value."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanpercentile(a, q, axis=-1)


def _tiers(est: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Tier per office (1 = best, lower is better): sorted by estimate, a new tier where an office's interval
    no longer overlaps the interval of its tier's best office. NaN where the estimate is NaN."""
    tiers = np.full(len(est), np.nan)
    order = [i for i in np.argsort(est, kind="stable") if np.isfinite(est[i])]
    tier, head = 0, None
    for i in order:
        if head is None or low[i] > high[head]:
            tier, head = tier + 1, i
        tiers[i] = tier
    return tiers


def _bootstrap_means(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Means of each column (NaN ignored) and their ``n_boot`` bootstrap replicates (rows resampled).

    Returns (means (K,), replicate means (B, K), measured count (K,)); a replicate without any measured value
    in a column falls back to the point mean.
    """
    n = len(values)
    ok = ~np.isnan(values)
    filled = np.where(ok, values, 0.0)
    count = ok.sum(axis=0)
    means = np.where(count > 0, filled.sum(axis=0) / np.maximum(count, 1), np.nan)
    idx = rng.integers(0, n, size=(n_boot, n))
    s = filled[idx].sum(axis=1)
    m = ok[idx].sum(axis=1)
    reps = np.where(m > 0, s / np.maximum(m, 1), means[None, :])
    return means, reps, count


def fair_comparison(
    logs: dict[str, pd.DataFrame],
    k: int = K_MIN,
    n_boot: int = N_BOOT,
    seed: int = SEED,
    repeats: dict[str, bool | None] | None = None,
    measures: dict[str, pd.DataFrame] | None = None,
) -> FairComparison:
    """Compare the offices' ``logs`` fairly (see the module docstring).

    ``repeats``: per office whether its export can show a step twice (e.g. from ``OfficeAnalysis``); inferred
    from the log when missing. ``measures``: precomputed ``case_measures`` per office.
    """
    offices = tuple(logs)
    keys = list(KPIS)
    rng = np.random.default_rng(seed)
    per_office = {o: measures[o] if measures and o in measures else case_measures(logs[o]) for o in offices}
    nm = {o: not_measurable(logs[o], (repeats or {}).get(o)) for o in offices}
    allm = pd.concat([m.assign(office=o) for o, m in per_office.items()], ignore_index=True)
    allm["case_type"] = allm["case_type"].replace("", "–")
    for o in offices:  # what the export cannot show is not a value
        for key in nm[o]:
            allm.loc[allm["office"] == o, key] = np.nan
    counts = allm.pivot_table(index="office", columns="case_type", values="start", aggfunc="size", fill_value=0).reindex(list(offices)).fillna(0)
    mask = suppress(counts, k)
    case_types = list(counts.columns)
    # network weights per KPI: share of each case type among the measured cases of all offices
    measured = allm[keys].notna()
    weights = measured.groupby(allm["case_type"]).sum().reindex(case_types).fillna(0)  # case type x kpi
    weights = weights / weights.sum(axis=0).replace(0, np.nan)
    n_off, n_ct, n_k = len(offices), len(case_types), len(keys)
    cell_mean = np.full((n_off, n_ct, n_k), np.nan)
    cell_n = np.zeros((n_off, n_ct, n_k))
    cell_reps = np.full((n_off, n_ct, n_boot, n_k), np.nan)
    groups = allm.groupby(["office", "case_type"], sort=False).indices
    for (o, ct), rows in groups.items():  # one vectorised bootstrap per office x case type stratum
        i, j = offices.index(o), case_types.index(ct)
        means, reps, cnt = _bootstrap_means(allm[keys].to_numpy(dtype=float)[rows], n_boot, rng)
        cell_mean[i, j], cell_reps[i, j], cell_n[i, j] = means, reps, cnt
    w = weights.to_numpy(dtype=float)  # (ct, k)
    avail = cell_n > 0
    wa = np.where(avail, w[None, :, :], 0.0)  # (o, ct, k)
    wsum = wa.sum(axis=1)  # (o, k)
    std = np.nansum(wa * np.nan_to_num(cell_mean), axis=1) / np.where(wsum > 0, wsum, np.nan)
    std_reps = np.einsum("ojk,ojbk->obk", wa, np.nan_to_num(cell_reps)) / np.where(wsum > 0, wsum, np.nan)[:, None, :]
    pooled = allm[keys].mean(axis=0)
    fair: dict[str, FairKpi] = {}
    replicates: dict[str, np.ndarray] = {}
    for kk, key in enumerate(keys):
        kdef = KPIS[key]
        est, reps = std[:, kk], std_reps[:, :, kk]
        ok = np.isfinite(est) & np.array([key not in nm[o] for o in offices])
        low, high = _pct(reps, 2.5), _pct(reps, 97.5)
        n_ok = int(ok.sum())
        diff = np.full(n_off, np.nan)
        dlow, dhigh = np.full(n_off, np.nan), np.full(n_off, np.nan)
        if n_ok >= 2:
            tot, tot_r = np.nansum(np.where(ok, est, 0.0)), np.nansum(np.where(ok[:, None], reps, 0.0), axis=0)
            rest = (tot - est) / (n_ok - 1)
            rest_r = (tot_r[None, :] - reps) / (n_ok - 1)
            diff = np.where(ok, est - rest, np.nan)
            d_r = reps - rest_r
            dlow, dhigh = _pct(d_r, 2.5), _pct(d_r, 97.5)
            dlow, dhigh = np.where(ok, dlow, np.nan), np.where(ok, dhigh, np.nan)
        sig = ok & ((dlow > 0) | (dhigh < 0))
        position = np.where(~ok, NOT_MEASURABLE, np.where(sig, np.where(diff < 0, BETTER, WORSE), WITHIN_NOISE))
        if not kdef.comparable:
            position = np.where(ok, NOT_COMPARABLE, NOT_MEASURABLE)
        tiers = _tiers(np.where(ok, est, np.nan), low, high) if kdef.comparable and n_ok >= 2 else np.full(n_off, np.nan)
        first = np.flatnonzero(tiers == 1)
        best = offices[int(first[0])] if len(first) == 1 and n_ok >= 2 else None
        coverage = np.where(ok, wsum[:, kk], np.nan)
        table = pd.DataFrame(
            {
                "estimate": np.where(ok, est, np.nan),
                "ci_low": np.where(ok, low, np.nan),
                "ci_high": np.where(ok, high, np.nan),
                "cases": cell_n[:, :, kk].sum(axis=1).astype(int),
                "coverage": coverage,
                "diff": diff,
                "diff_low": dlow,
                "diff_high": dhigh,
                "position": position,
                "tier": tiers,
                "reason": [nm[o].get(key, EXPORT_DETAIL if not kdef.comparable else "") for o in offices],
            },
            index=list(offices),
        )
        n_tests = 0 if not kdef.comparable or n_ok < 2 else (1 if n_ok == 2 else n_ok)
        n_hits = 0 if n_tests == 0 else (int(sig.any()) if n_ok == 2 else int(sig.sum()))
        network = float(pooled[key]) if np.isfinite(pooled[key]) else None
        fair[key] = FairKpi(key, kdef.unit, kdef.comparable, table, best, network, n_tests, n_hits)
        replicates[key] = reps
    # per case type (suppressed cells dropped); case mix (suppressed shares hidden as well)
    oi, ji = np.nonzero(np.ones((n_off, n_ct), dtype=bool))
    long = pd.DataFrame(
        {
            "office": np.repeat([offices[i] for i in oi], n_k),
            "case_type": np.repeat([case_types[j] for j in ji], n_k),
            "kpi": np.tile(keys, len(oi)),
            "value": cell_mean[oi, ji].ravel(),
            "cases": cell_n[oi, ji].ravel(),
        }
    )
    hidden = mask.to_numpy()[oi, ji].repeat(n_k)
    long = long[~hidden & (long["cases"] >= k)].reset_index(drop=True)
    shares = counts.div(counts.sum(axis=1).replace(0, np.nan), axis=0).mask(mask)
    network_mix = counts.sum(axis=0) / max(float(counts.to_numpy().sum()), 1.0)
    case_mix = pd.concat([shares, network_mix.to_frame("network").T])
    return FairComparison(offices, fair, counts.mask(mask), case_mix, long, mask, k, n_boot, replicates)
