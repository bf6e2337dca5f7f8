"""Process comparison of two offices or two periods: difference map, variants in one only, time by step.

``diff_logs(log_a, log_b)`` compares two logs on their directly-follows edges, named by catalogue key where
known (so two offices with different export labels are compared step for step), else by label:

* **difference map**: per edge the share of cases that take it (two-proportion z-test) and its mean wait
  (Welch's t-test), both with Benjamini–Hochberg adjusted p-values over all edges (``q_share``, ``q_wait``);
  an edge is more frequent or slower in one log where its q-value is under 5 %;
* **variants** (the sequence of steps of a case) found in one log and not the other, with their cases;
* **time by step**: the mean case duration is the sum over edges of (edge count per case × mean wait); the
  difference between the logs splits exactly into these per-step parts (grouped by the step the wait leads to).

``period_log(log, start, end)`` keeps the cases that start in [start, end), for ``procmine diff --period``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from procmine.catalogue import ACTIVITIES
from procmine.compare.measures import _case_codes, edge_pairs, edge_table, step_names

Q_LEVEL = 0.05
_M1, _M2, _P1, _P2 = 2_147_483_629, 2_147_483_587, 1_000_003, 999_983


@dataclass(frozen=True)
class ProcessDiff:
    """Two logs compared (``a`` and ``b`` name them: offices or periods)."""

    a: str
    b: str
    cases_a: int
    cases_b: int
    edges: pd.DataFrame  # source, target, labels, share_a/b, q_share, mean_a/b, q_wait, contribution_a/b, more_frequent_in, slower_in
    by_step: pd.DataFrame  # step, label, days_a, days_b, diff (days per case arriving at the step)
    variants_only_a: pd.DataFrame  # variant, cases
    variants_only_b: pd.DataFrame
    duration_a: float  # mean case duration, days (end of first to end of last event)
    duration_b: float

    def to_dict(self, top: int = 20) -> dict[str, Any]:
        """JSON-ready (``procmine diff --json``)."""

        def rows(df: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: (None if isinstance(v, float) and not np.isfinite(v) else (round(v, 4) if isinstance(v, float) else v)) for k, v in r.items()} for r in df.to_dict("records")]

        sig = self.edges[self.edges["more_frequent_in"].notna() | self.edges["slower_in"].notna()]
        return {
            "a": self.a,
            "b": self.b,
            "cases_a": self.cases_a,
            "cases_b": self.cases_b,
            "duration_a_days": round(self.duration_a, 3),
            "duration_b_days": round(self.duration_b, 3),
            "edges_tested": len(self.edges),
            "edges_different": rows(sig.head(top)),
            "by_step": rows(self.by_step.head(top)),
            "variants_only_a": rows(self.variants_only_a.head(top)),
            "variants_only_b": rows(self.variants_only_b.head(top)),
        }


def _variants(log: pd.DataFrame, vocabulary: pd.Index) -> pd.DataFrame:
    """Per case its variant: a double polynomial hash of its step sequence (vectorised; step codes from the
    ``vocabulary`` shared by both logs). Columns: case, h1, h2, first (row), n (events)."""
    names = step_names(log)
    codes = vocabulary.get_indexer(names).astype(np.int64) + 1
    case = _case_codes(log)
    if not len(case):
        return pd.DataFrame({"case": [], "h1": [], "h2": []})
    starts = np.flatnonzero(np.r_[True, case[1:] != case[:-1]])
    pos = np.arange(len(case)) - np.repeat(starts, np.diff(np.r_[starts, len(case)]))
    pw1 = np.ones(int(pos.max()) + 1, dtype=np.int64)
    pw2 = np.ones(int(pos.max()) + 1, dtype=np.int64)
    for i in range(1, len(pw1)):  # powers up to the longest case (a few dozen)
        pw1[i], pw2[i] = pw1[i - 1] * _P1 % _M1, pw2[i - 1] * _P2 % _M2
    h1 = np.add.reduceat(codes * pw1[pos] % _M1, starts) % _M1
    h2 = np.add.reduceat(codes * pw2[pos] % _M2, starts) % _M2
    return pd.DataFrame({"case": np.arange(len(starts)), "h1": h1, "h2": h2, "first": starts, "n": np.diff(np.r_[starts, len(case)])})


def _variant_text(names: np.ndarray, first: int, n: int) -> str:
    return " → ".join(ACTIVITIES.get(str(s), str(s)) for s in names[first : first + n])


def _only_in(va: pd.DataFrame, vb: pd.DataFrame, names: np.ndarray) -> pd.DataFrame:
    """Variants of ``va`` that ``vb`` lacks: variant text and cases, most frequent first."""
    key_a = va["h1"].to_numpy() * _M2 + va["h2"].to_numpy()
    key_b = set((vb["h1"].to_numpy() * _M2 + vb["h2"].to_numpy()).tolist())
    only = va[~np.isin(key_a, list(key_b))]
    if not len(only):
        return pd.DataFrame({"variant": [], "cases": []})
    g = only.groupby(["h1", "h2"], sort=False).agg(cases=("case", "size"), first=("first", "first"), n=("n", "first"))
    g = g.sort_values("cases", ascending=False).head(50)
    return pd.DataFrame({"variant": [_variant_text(names, int(f), int(n)) for f, n in zip(g["first"], g["n"])], "cases": g["cases"].to_numpy()})


def _bh(p: np.ndarray) -> np.ndarray:
    q = np.full(len(p), np.nan)
    ok = np.isfinite(p)
    if ok.any():
        q[ok] = multipletests(p[ok], alpha=Q_LEVEL, method="fdr_bh")[1]
    return q


def diff_logs(log_a: pd.DataFrame, log_b: pd.DataFrame, a: str = "A", b: str = "B") -> ProcessDiff:
    """Compare two logs (see the module docstring)."""
    pa_, pb_ = edge_pairs(log_a), edge_pairs(log_b)
    na, nb = int(log_a["case_id"].nunique()), int(log_b["case_id"].nunique())
    ta, tb = edge_table(pa_, na), edge_table(pb_, nb)
    sa = pa_.groupby(["source", "target"])["wait_days"].std().rename("sd").reset_index()
    sb = pb_.groupby(["source", "target"])["wait_days"].std().rename("sd").reset_index()
    ta, tb = ta.merge(sa, on=["source", "target"], how="left"), tb.merge(sb, on=["source", "target"], how="left")
    e = ta.merge(tb, on=["source", "target"], how="outer", suffixes=("_a", "_b"))
    for c in ("cases", "count"):
        e[f"{c}_a"], e[f"{c}_b"] = e[f"{c}_a"].fillna(0), e[f"{c}_b"].fillna(0)
    e["share_a"], e["share_b"] = e["cases_a"] / max(na, 1), e["cases_b"] / max(nb, 1)
    # two-proportion z-test per edge (vectorised)
    pooled = (e["cases_a"] + e["cases_b"]) / max(na + nb, 1)
    se = np.sqrt(pooled * (1 - pooled) * (1 / max(na, 1) + 1 / max(nb, 1)))
    z = np.where(se > 0, (e["share_a"] - e["share_b"]) / np.where(se > 0, se, 1), 0.0)
    e["p_share"] = 2 * stats.norm.sf(np.abs(z))
    # Welch's t-test on the waits (edges with at least 2 waits on each side)
    ok = (e["count_a"] >= 2) & (e["count_b"] >= 2) & (e["sd_a"].fillna(0) + e["sd_b"].fillna(0) > 0)
    p_wait = np.full(len(e), np.nan)
    if ok.any():
        def col(name: str) -> np.ndarray:
            return e.loc[ok, name].fillna(0).to_numpy(dtype=float)

        r = stats.ttest_ind_from_stats(
            col("mean_days_a"), col("sd_a"), col("count_a"), col("mean_days_b"), col("sd_b"), col("count_b"), equal_var=False
        )
        p_wait[ok.to_numpy()] = r.pvalue
    e["p_wait"] = p_wait
    e["q_share"], e["q_wait"] = _bh(e["p_share"].to_numpy(dtype=float)), _bh(p_wait)
    # the log where an edge is significantly more frequent / slower; NaN where the difference is within noise
    e["more_frequent_in"] = pd.Series(np.where(e["share_a"] > e["share_b"], a, b), index=e.index, dtype=object).where(e["q_share"] < Q_LEVEL)
    e["slower_in"] = pd.Series(np.where(e["mean_days_a"] > e["mean_days_b"], a, b), index=e.index, dtype=object).where(e["q_wait"] < Q_LEVEL)
    e["contribution_a"] = (e["count_a"] / max(na, 1)) * e["mean_days_a"].fillna(0)
    e["contribution_b"] = (e["count_b"] / max(nb, 1)) * e["mean_days_b"].fillna(0)
    e["source_label"] = [ACTIVITIES.get(s, s) for s in e["source"]]
    e["target_label"] = [ACTIVITIES.get(t, t) for t in e["target"]]
    e["weight"] = np.abs(e["contribution_a"] - e["contribution_b"]) + np.abs(e["share_a"] - e["share_b"])
    e = e.sort_values("weight", ascending=False).reset_index(drop=True)
    cols = ["source", "target", "source_label", "target_label", "share_a", "share_b", "q_share", "mean_days_a", "mean_days_b",
            "q_wait", "contribution_a", "contribution_b", "more_frequent_in", "slower_in"]
    edges = e[cols].rename(columns={"mean_days_a": "mean_a", "mean_days_b": "mean_b"})
    by = e.groupby("target")[["contribution_a", "contribution_b"]].sum()
    by_step = pd.DataFrame(
        {"step": by.index, "label": [ACTIVITIES.get(s, s) for s in by.index], "days_a": by["contribution_a"].to_numpy(), "days_b": by["contribution_b"].to_numpy()}
    )
    by_step["diff"] = by_step["days_a"] - by_step["days_b"]
    by_step = by_step.reindex(by_step["diff"].abs().sort_values(ascending=False).index).reset_index(drop=True)
    vocabulary = pd.Index(pd.unique(np.concatenate([step_names(log_a), step_names(log_b)])))
    va, vb = _variants(log_a, vocabulary), _variants(log_b, vocabulary)
    return ProcessDiff(
        a, b, na, nb, edges, by_step,
        _only_in(va, vb, step_names(log_a)), _only_in(vb, va, step_names(log_b)),
        float(edges["contribution_a"].sum()), float(edges["contribution_b"].sum()),
    )


def period_log(log: pd.DataFrame, start: str | pd.Timestamp, end: str | pd.Timestamp) -> pd.DataFrame:
    """The cases of ``log`` whose first event lies in [start, end) (dates in Europe/Berlin)."""
    s = pd.Timestamp(start)
    t = pd.Timestamp(end)
    s = s.tz_localize("Europe/Berlin") if s.tzinfo is None else s
    t = t.tz_localize("Europe/Berlin") if t.tzinfo is None else t
    case = _case_codes(log)
    first = log["end"].groupby(case).transform("min") if len(log) else log["end"]
    keep = ((first >= s) & (first < t)).to_numpy()
    return log[keep].reset_index(drop=True)
