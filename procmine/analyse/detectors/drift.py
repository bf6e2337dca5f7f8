"""Drift: a step change in a case type's share of the monthly arrivals (listed, never high-impact; impact 0).

Full calendar months; types with ≥ 30 cases; segments ≥ 3 months. Per office, type and split month a
binomial likelihood-ratio test of two shares vs one, divided by the dispersion φ ≥ 1 of the monthly
counts around the two-share model (so seasonal swings need a larger step). Network first (≥ 3
offices): the offices' scaled LRs summed (χ² with one degree of freedom per office), Bonferroni over
types × months at ``DRIFT_ALPHA`` = 0.01, and more than half of the offices showing it alone
(p < ``DRIFT_OFFICE_ALPHA`` = 0.05, majority direction): reported as shared for those offices (a law,
e.g. the AE_EMP policy shock). Then each office alone, Bonferroni over its types × months at
``DRIFT_OWN_ALPHA`` = 0.001. Both step down: a type found leaves the shares before the next search.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from procmine.analyse.detectors.base import Network, OfficeData
from procmine.analyse.detectors.registry import PatternSpec, detector
from procmine.analyse.model import Finding
from procmine.schema import DISPLAY_TZ

PATTERNS = [PatternSpec("policy_shock", "drift", ("team_rebalancing",), "teams")]

DRIFT_ALPHA = 0.01  # family-wise error of the drift tests (Bonferroni over case types × split months)
DRIFT_OWN_ALPHA = 0.001  # family-wise error of an office's own drift (no other office confirms it)
DRIFT_OFFICE_ALPHA = 0.05  # an office takes part in a network drift found at a given type and month
DRIFT_MONTH_TOLERANCE = 2  # months apart that still count as the same network drift


def _binom_ll(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Binomial log-likelihood at the maximum (x log p + (n − x) log(1 − p), p = x / n; 0 log 0 = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, x / np.where(n > 0, n, 1.0), 0.0)
        a = np.where(x > 0, x * np.log(np.where(p > 0, p, 1.0)), 0.0)
        b = np.where(n - x > 0, (n - x) * np.log(np.where(p < 1, 1.0 - p, 1.0)), 0.0)
    return a + b


def _month_table(d: OfficeData) -> pd.DataFrame:
    """Arrivals (case starts) per full calendar month × case type; partial first/last months dropped."""
    c = d.cases
    if not len(c):
        return pd.DataFrame()
    month = c["start"].dt.tz_convert(DISPLAY_TZ).dt.tz_localize(None).dt.to_period("M")
    tab = pd.crosstab(month, c["case_type"]).drop(columns=[""], errors="ignore")  # unknown type: no type
    if len(tab) < 3:
        return pd.DataFrame()
    full = pd.period_range(tab.index[0], tab.index[-1], freq="M")  # months without arrivals count as 0
    return tab.reindex(full, fill_value=0).iloc[1:-1]


def _split_scan(tab: pd.DataFrame, min_months: int) -> dict[str, np.ndarray]:
    """Likelihood-ratio scan of one step in each case type's share of the monthly arrivals.

    Per split month k (first month of the after segment) and case type: LR = 2 × (binomial
    log-likelihood with separate shares before/after − with one share), and the dispersion φ ≥ 1 of
    the monthly counts around the two-share model (Pearson χ² / (months − 2)), so a case type whose
    share swings for other reasons (seasonal peaks) needs a correspondingly larger step.
    """
    x = tab.to_numpy(dtype=float)  # months × case types
    n = x.sum(axis=1)
    m = len(x)
    ks = np.arange(min_months, m - min_months + 1)
    cx = np.vstack([np.zeros(x.shape[1]), np.cumsum(x, axis=0)])
    cn = np.concatenate([[0.0], np.cumsum(n)])[:, None]
    x1, n1 = cx[ks], np.broadcast_to(cn[ks], cx[ks].shape)
    x2, n2 = cx[-1] - x1, cn[-1] - n1
    lr = 2.0 * (_binom_ll(x1, n1) + _binom_ll(x2, n2) - _binom_ll(cx[-1], np.broadcast_to(cn[-1], cx[-1].shape)))
    lr = np.maximum(lr, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1 = x1 / np.where(n1 > 0, n1, 1.0)
        p2 = x2 / np.where(n2 > 0, n2, 1.0)
        # expected share per month × split × type: before or after the split
        after = np.arange(m)[:, None] >= ks[None, :]  # months × splits
        p = np.where(after[:, :, None], p2[None], p1[None])
        var = n[:, None, None] * p * (1.0 - p)
        chi = np.where(var > 0, (x[:, None, :] - n[:, None, None] * p) ** 2 / np.where(var > 0, var, 1.0), 0.0)
        phi = np.maximum(chi.sum(axis=0) / max(m - 2, 1), 1.0)
        # share after / share before (a share of 0 counted as half a case, so the ratio stays finite)
        ratio = np.maximum(p2, 0.5 / np.maximum(n2, 1.0)) / np.maximum(p1, 0.5 / np.maximum(n1, 1.0))
    return {"months": np.array([str(tab.index[k]) for k in ks], dtype=object), "lr": lr, "phi": phi,
            "ratio": ratio, "before": p1, "after": p2, "n_type": x.sum(axis=0), "types": np.asarray(tab.columns, dtype=object)}


def _month_no(month: str) -> int:
    """Running month number of "YYYY-MM" (to compare months)."""
    return int(month[:4]) * 12 + int(month[5:7])


@detector("drift", PATTERNS, order=70)
def detect_drift(net: Network, min_months: int = 3, min_type_cases: int = 30) -> list[tuple[str, Finding]]:
    data = net.data
    """Step changes in a case type's share of the monthly arrivals (a law, a new employer, a closed
    reception centre); listed, never high-impact.

    Network step first: per case type and split month, the offices' dispersion-scaled LRs add up to
    a χ² with one degree of freedom per office; a (type, month) is a network drift when it passes
    Bonferroni over all types × months (``DRIFT_ALPHA``) and more than half of the offices show it on
    their own (LR ≥ the χ²₁ quantile of ``DRIFT_OFFICE_ALPHA``, in the majority's direction); per
    type the month most offices show (then the strongest) is reported, for those offices, as shared. Then each office alone: its most significant split per case type,
    Bonferroni over its types × months at ``DRIFT_OWN_ALPHA``, step-down: a type found (here or in a
    network drift) is taken out of the shares before the next search. One near the network drift's
    month (``DRIFT_MONTH_TOLERANCE``) is reported as shared.
    """
    from scipy.stats import chi2

    tabs = {}
    for name, d in data.items():  # one step per office
        tab = _month_table(d)
        if tab.empty or len(tab) < 2 * min_months:
            continue
        tab = tab.loc[:, tab.sum(axis=0) >= min_type_cases]
        if tab.shape[1] >= 2:
            tabs[name] = tab
    if not tabs:
        return []
    one = float(chi2.isf(DRIFT_OFFICE_ALPHA, 1))
    shared: dict[str, str] = {}  # case type -> month of the network drift
    found: set[tuple[str, str]] = set()  # (office, case type) taking part in a network drift
    out: list[tuple[str, Finding]] = []
    # network step-down: the strongest network drift first; its type then leaves the agreeing
    # offices' shares, so the other types' shifted shares are not network drifts of their own
    while len(tabs) >= 3:  # at most one step per case type
        left = {n: t.drop(columns=[c for c in t.columns if (n, c) in found]) for n, t in tabs.items()}
        scan = pd.concat([_scan_frame(n, t, min_months) for n, t in left.items() if t.shape[1] >= 2], ignore_index=True)
        scan = scan[~scan["ct"].isin(list(shared))]
        if scan.empty:
            break
        scan["up"] = scan["ratio"] > 1.0
        g = scan.groupby(["ct", "month"])
        cand = g.agg(stat=("stat", "sum"), k=("office", "size")).reset_index()
        cand["p"] = chi2.sf(cand["stat"], cand["k"])
        # offices showing the step on their own, in the direction most offices show it
        scan["agrees"] = (scan["stat"] >= one) & (scan["up"] == (g["up"].transform("mean").to_numpy() >= 0.5))
        cand["agree"] = scan.groupby(["ct", "month"])["agrees"].sum().to_numpy()
        cand = cand[(cand["p"] * len(cand) < DRIFT_ALPHA) & (cand["agree"] > len(tabs) / 2)]
        if cand.empty:
            break
        # the month most offices agree on (then the strongest)
        best = cand.sort_values(["agree", "p"], ascending=[False, True], kind="stable").iloc[0]
        ct, month = str(best["ct"]), str(best["month"])
        shared[ct] = month
        agree = scan[(scan["ct"] == ct) & (scan["month"] == month) & scan["agrees"]]
        for r in agree.itertuples(index=False):
            found.add((r.office, ct))
            out.append((r.office, _drift_finding(r, True, len(agree), float(chi2.sf(r.stat, 1)))))
    # each office alone, step-down: its most significant split of any case type, Bonferroni over the
    # scan's types × months; a type found (here or in a network drift) leaves the shares of the rest,
    # so the other types' shares, shifted by its step, are not reported as drifts of their own
    for name, tab in tabs.items():  # one step per office (at most one per case type inside)
        tab = tab.drop(columns=[c for c in tab.columns if (name, c) in found])
        while tab.shape[1] >= 2:
            sc = _scan_frame(name, tab, min_months)
            r = next(sc.sort_values("stat", ascending=False, kind="stable").itertuples(index=False))
            p = float(chi2.sf(r.stat, 1))
            if p * len(sc) >= DRIFT_OWN_ALPHA:
                break
            near = r.ct in shared and abs(_month_no(r.month) - _month_no(shared[r.ct])) <= DRIFT_MONTH_TOLERANCE
            offices = int(sum(1 for _, c in found if c == r.ct)) + 1 if near else 1
            out.append((name, _drift_finding(r, near, offices, p)))
            tab = tab.drop(columns=[r.ct])
    return out


def _scan_frame(office: str, tab: pd.DataFrame, min_months: int) -> pd.DataFrame:
    """``_split_scan`` of one office as rows (office, ct, month, stat = LR / φ, ratio, shares, n)."""
    s = _split_scan(tab, min_months)
    stat = s["lr"] / s["phi"]
    k, t = np.meshgrid(np.arange(len(s["months"])), np.arange(len(s["types"])), indexing="ij")
    return pd.DataFrame({
        "office": office, "ct": s["types"][t.ravel()], "month": s["months"][k.ravel()], "stat": stat.ravel(),
        "ratio": s["ratio"].ravel(), "before": s["before"].ravel(), "after": s["after"].ravel(),
        "n": s["n_type"][t.ravel()],
    })


def _drift_finding(r: Any, shared: bool, offices: int, p: float) -> Finding:
    """A drift finding from one row of the split scan."""
    return Finding(
        kind="drift",
        pattern="policy_shock",
        value=float(r.ratio),
        unit="ratio",
        impact=0.0,
        cases=int(r.n),
        case_type=str(r.ct),
        shared=shared,
        norm=1.0,
        norm_basis="office",
        evidence={"from_month": str(r.month), "share_ratio_after_before": float(r.ratio),
                  "share_before": float(r.before), "share_after": float(r.after),
                  "dispersion_scaled_lr": float(r.stat), "p_value": p, "offices_with_same_drift": int(offices)},

    )

