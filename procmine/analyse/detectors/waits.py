"""Waits between steps: each step pair against its legal/usual norm, else the network's typical office.

Pairs touching interleaved contacts (status inquiries, fiction certificates) are left out: those are
measured as repeats. With a legal/usual norm, per wait max(0, wait − norm) summed, own excess as in
``base``; without one, the same with the network's typical office (median of the offices' medians)
as the norm, so a minority of cases stuck for months counts with its full (mean) excess.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procmine import catalogue
from procmine.analyse.detectors.base import (
    APPOINTMENT_STEPS,
    EAT_STEPS,
    EXTERNAL_KEYS,
    INTERLEAVED_KEYS,
    Network,
    OfficeData,
    lookup_ct,
    node_key,
    norm_waits,
    own_excess,
)
from procmine.analyse.detectors.registry import PatternSpec, detector
from procmine.analyse.model import Finding
from procmine.analyse.stats import DAY_S

PATTERNS = [
    PatternSpec("waiting", "waiting", ("priority_rules",), "waiting", external_section="external"),
    PatternSpec("appointment_backlog", "waiting", ("appointment_steering", "servicepoint_triage", "slot_release_rules"), "waiting"),
    PatternSpec("ba_wait", "waiting", ("apply_deemed_consent", "escalate_external"), "external"),
    PatternSpec("security_outage", "waiting", ("escalate_external", "longer_fiction_validity"), "external"),
    PatternSpec("eat_bottleneck", "waiting", ("card_by_post", "escalate_external"), "external"),
]


def wait_pattern(from_key: str, to_key: str) -> str:
    """Pattern key of a wait between two canonical steps of the same family ("waiting" otherwise)."""
    if from_key.startswith("ba_") and to_key.startswith("ba_"):
        return "ba_wait"
    if from_key.startswith("security_") and to_key.startswith("security_"):
        return "security_outage"
    if from_key in EAT_STEPS and to_key in EAT_STEPS:
        return "eat_bottleneck"
    if (from_key, to_key) == ("file_requested", "file_received"):
        return "handoff_pingpong"
    if from_key.startswith("appointment_") and to_key in APPOINTMENT_STEPS:
        return "appointment_backlog"
    if (from_key, to_key) == ("documents_requested", "documents_received"):
        return "document_loops"
    if to_key == "visa_consent_sent":
        return "visa_consent_queue"
    return "waiting"



def wait_table(data: dict[str, OfficeData]) -> pd.DataFrame:
    """All waits of the network: office, item ("from→to" node pair), ct, case, wait_d, norm info."""
    norm_pairs = {(n.from_key, n.to_key): n for n in catalogue.WAIT_NORMS}
    parts = []
    from procmine.analyse.stats import directly_follows_pairs

    for name, d in data.items():
        pairs = directly_follows_pairs(d.ea, clip_negative=True)
        if not pairs.empty:
            fn = d.node[pairs["from"].to_numpy()]
            tn = d.node[pairs["to"].to_numpy()]
            normed = np.array([(a, b) in norm_pairs for a, b in zip(fn, tn)]) if len(fn) else np.zeros(0, bool)
            side = np.isin(fn, list(INTERLEAVED_KEYS)) | np.isin(tn, list(INTERLEAVED_KEYS))
            # self-loops are rework, norm pairs are measured below, interleaved contacts as repeats
            keep = (fn != tn) & ~normed & ~side
            parts.append(
                pd.DataFrame(
                    {"office": name, "from": fn[keep], "to": tn[keep], "case": pairs["case"].to_numpy()[keep],
                     "wait_d": pairs["wait_s"].to_numpy()[keep] / DAY_S}
                )
            )
        for (fk, tk), norm in norm_pairs.items():
            w = norm_waits(d, norm)
            if len(w):
                parts.append(pd.DataFrame({"office": name, "from": fk, "to": tk, "case": w["case"], "wait_d": w["wait_d"]}))
    if not parts:
        return pd.DataFrame(columns=["office", "from", "to", "case", "wait_d", "ct", "item"])
    tab = pd.concat(parts, ignore_index=True)
    ct_by_office = {n: d.cases["case_type"].to_numpy() for n, d in data.items()}
    tab["ct"] = lookup_ct(tab, ct_by_office)
    tab["item"] = tab["from"].astype(str) + "\u2192" + tab["to"].astype(str)
    return tab




@detector("waits", PATTERNS, order=10)
def detect_waits(net: Network) -> list[tuple[str, Finding]]:
    data, min_pair_cases = net.data, net.min_pair_cases
    tab = wait_table(data)
    if tab.empty:
        return []
    norms = {f"{n.from_key}\u2192{n.to_key}": n for n in catalogue.WAIT_NORMS}
    # network norm for pairs without a legal/usual one: median over offices of the office median
    med = tab.groupby(["item", "office"], sort=False)["wait_d"].median()
    net_norm = med.groupby(level="item", sort=False).median()
    norm_d = tab["item"].map({k: v.days for k, v in norms.items()})
    tab["norm_d"] = norm_d.fillna(tab["item"].map(net_norm)).astype(float)
    tab["excess"] = np.maximum(tab["wait_d"].to_numpy() - tab["norm_d"].to_numpy(), 0.0)
    own = own_excess(tab, "excess")
    stats_ = tab.groupby(["item", "office"], sort=False).agg(
        median=("wait_d", "median"),
        p90=("wait_d", lambda s: float(np.percentile(s, 90))),
        cases=("case", "nunique"),
        over=("excess", lambda s: float((s > 0).mean())),
        norm=("norm_d", "first"),
    )
    own = own.merge(stats_.reset_index(), on=["item", "office"])
    own["net_median"] = own["item"].map(own.groupby("item")["median"].median()).to_numpy()
    exceeding = own.assign(ex=own["median"] > own["norm"]).groupby("item")["ex"].mean()
    own["share_offices_over"] = own["item"].map(exceeding).to_numpy()
    out = []
    for r in own.itertuples(index=False):  # one step per (pair, office) candidate, not per case
        if r.cases < min_pair_cases:
            continue
        fk, tk = r.item.split("\u2192")
        norm = norms.get(r.item)
        d = data[r.office]
        fkey, tkey = node_key(fk), node_key(tk)
        # waiting past a deadline after which the law lets the office proceed (the BA's deemed
        # consent) is the office's own choice, so such a wait is not marked as external
        external = bool(norm.external and not norm.office_may_proceed) if norm else bool(tkey in EXTERNAL_KEYS)
        shared = bool(norm is not None and r.offices >= 3 and r.share_offices_over > 0.5)
        pattern = wait_pattern(fkey or "", tkey or "") if (fkey or tkey) else "waiting"
        # without a legal/usual norm the typical office is the norm: its median, robust to tails
        own_days = max(r.own, 0.0) if norm else r.n * max(r.median - r.net_median, 0.0)
        impact_norm = r.total / d.years
        impact = (impact_norm if shared else own_days / d.years)
        if impact <= 0:
            continue
        out.append(
            (
                r.office,
                Finding(
                    kind="waiting",
                    pattern=pattern,
                    value=float(r.median),
                    unit="days",
                    impact=float(impact),
                    cases=int(r.cases),
                    from_activity=d.label_of(fk),
                    to_activity=d.label_of(tk),
                    from_key=fkey,
                    to_key=tkey,
                    norm=float(r.norm),
                    norm_basis=norm.basis if norm else "network",
                    external=external,
                    shared=shared,
                    evidence={
                        "median_days": float(r.median),
                        "p90_days": float(r.p90),
                        "cases": int(r.cases),
                        "waits": int(r.n),
                        "norm_days": float(r.norm),
                        "norm_source": norm.source if norm else "typischer Wert des Netzwerks",
                        "network_median_days": float(r.net_median),
                        "share_over_norm": float(r.over),
                        "share_offices_over_norm": float(r.share_offices_over),
                        "excess_days_per_year_over_norm": float(impact_norm),
                        "own_excess_days_per_year": float(own_days / d.years),
                    },
                ),
            )
        )
    return out

