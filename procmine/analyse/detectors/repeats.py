"""Repeats (document rounds, status inquiries, fiction renewals, hand-overs, no-shows).

Own excess of occurrences per case (status inquiries and fiction renewals, which pile up while a case
stays open, are compared within the same case type *and* band of elapsed days, so a slow office is not
counted twice) × the typical round length (network median of the time between two occurrences of the
activity in a case; for activities never repeated, of the wait to the case's next event; capped at 30
days). Offices whose export cannot show repeats (one source row per case, ``stats.repeats_visible``)
are left out. A loop shows in several activities (request, receipt, new appointment); each pattern
family is reported once per office (``merge_families``), under its defining activity
(``CONTACT_KEYS``) where present, with the family's largest impact.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from procmine import catalogue
from procmine.analyse.detectors.base import (
    CONTACT_KEYS,
    ELAPSED_BANDS_D,
    EXPOSURE_KEYS,
    MAX_ROUND_DAYS,
    REPEAT_KEYS,
    Network,
    capacity_key,
    node_key,
    own_excess_agg,
)
from procmine.analyse.detectors.registry import PatternSpec, detector, is_capacity
from procmine.analyse.model import Finding
from procmine.analyse.stats import DAY_S, US, repeats_visible

# generic repeats fold into the office's largest named family when that family is at least this large
GENERIC_FOLD_SHARE = 0.5
DEFAULT_MINUTES = 10.0  # staff minutes of an occurrence the catalogue has no figure for
PATTERNS = [
    PatternSpec("document_loops", "rework", ("document_checklist", "digital_file"), "rework_visits"),
    PatternSpec("inquiry_flood", "rework", ("status_portal",), "rework_visits", capacity=True),
    PatternSpec("fiction_churn", "deadline", ("longer_fiction_validity",), "deadlines"),
    PatternSpec("handoff_pingpong", "handover", ("digital_file", "team_rebalancing"), "teams"),
    PatternSpec("booking_abuse", "no_show", ("slot_release_rules", "appointment_steering"), "rework_visits"),
    PatternSpec("rework", "rework", ("document_checklist",), "rework_visits"),
    PatternSpec("repeated_checks", "rework", ("document_checklist",), "rework_visits", capacity=True),
]


def _node_medians(office: str, nodes: np.ndarray, code: np.ndarray, gap: np.ndarray, loop: bool) -> pd.DataFrame:
    """The office's median gap per node (``code`` indexes ``nodes``): office, item, gap, loop."""
    med = pd.Series(gap).groupby(code).median()
    return pd.DataFrame({"office": office, "item": np.asarray(nodes, dtype=object)[med.index.to_numpy(dtype=np.int64)],
                         "gap": med.to_numpy(dtype=float), "loop": loop})


@detector("repeats", PATTERNS, order=20)
def detect_repeats(net: Network) -> list[tuple[str, Finding]]:
    """Repeated activities per case, sparse: only (case, activity) pairs that occur are counted; the
    cases without the activity enter the per-case means through the case counts per case type."""
    parts = []
    denoms = []
    gaps = []
    for name, d in net.data.items():
        ea = d.ea
        n_act = len(d.node)
        if not ea.n or repeats_visible(ea) is False:
            continue  # a milestone export cannot show repeats: its zeros would lower the network's typical
        key = ea.case_index.astype(np.int64) * n_act + ea.act
        uniq, cnt = np.unique(key, return_counts=True)
        case, act = uniq // n_act, uniq % n_act
        contact = np.array([nd in CONTACT_KEYS for nd in d.node], dtype=bool)
        extra = np.where(contact[act], cnt, np.maximum(cnt - 1, 0)).astype(float)
        ct = d.cases["case_type"].to_numpy().astype(str)
        item = d.node[act]
        # contacts that pile up while a case stays open are compared within elapsed-time bands
        band = np.digitize(d.cases["elapsed_d"].to_numpy(dtype=float), ELAPSED_BANDS_D).astype(str)
        ct_band = np.char.add(np.char.add(ct, "|"), band)
        expo = np.isin(item, list(EXPOSURE_KEYS))
        parts.append(pd.DataFrame({"office": name, "item": item, "ct": np.where(expo, ct_band[case], ct[case]),
                                   "extra": extra}))
        denoms.append(pd.DataFrame({"office": name, "ct": ct, "ctb": ct_band}))
        # round length: time between consecutive occurrences of the activity in a case (the loop),
        # and, for activities never repeated, the wait from it to the case's next event
        # (the office's median per node, grouped by the node's code: no text per event)
        same = ea.case_index[1:] == ea.case_index[:-1]
        nxt = (ea.end_us[1:] - ea.end_us[:-1])[same] / US / DAY_S
        ncode, nodes = pd.factorize(d.node)
        gaps.append(_node_medians(name, nodes, ncode[ea.act[:-1][same]], nxt, False))
        order = np.lexsort((np.arange(ea.n), ea.act, ea.case_index))
        ca, aa = ea.case_index[order], ea.act[order]
        rep = (ca[1:] == ca[:-1]) & (aa[1:] == aa[:-1])
        loop = (ea.end_us[order][1:] - ea.end_us[order][:-1])[rep] / US / DAY_S
        gaps.append(_node_medians(name, nodes, ncode[aa[1:][rep]], loop, True))
    if not parts:
        return []
    tab = pd.concat(parts, ignore_index=True)
    # only activities that repeat somewhere (or are contacts) are candidates
    rep_items = tab.loc[tab["extra"] > 0, "item"].unique()
    tab = tab[tab["item"].isin(rep_items)]
    if tab.empty:
        return []
    sums = tab.groupby(["item", "ct", "office"], sort=False)["extra"].sum()
    den = pd.concat(denoms, ignore_index=True)
    n_ct = den.groupby(["office", "ct"]).size().rename("size").reset_index()
    n_ctb = den.groupby(["office", "ctb"]).size().rename("size").reset_index().rename(columns={"ctb": "ct"})
    # every case of an office counts for each item the office has (zero where absent)
    item_office = tab[["item", "office"]].drop_duplicates()
    is_expo = item_office["item"].isin(EXPOSURE_KEYS)
    g = pd.concat([item_office[~is_expo].merge(n_ct, on="office"), item_office[is_expo].merge(n_ctb, on="office")],
                  ignore_index=True)
    g["sum"] = sums.reindex(pd.MultiIndex.from_frame(g[["item", "ct", "office"]])).fillna(0.0).to_numpy()
    g["mean"] = g["sum"] / g["size"]
    own = own_excess_agg(g, item_office.groupby("item")["office"].nunique())
    g = pd.concat(gaps, ignore_index=True)
    looped = set(g.loc[g["loop"], "item"])
    g = g[g["loop"] == g["item"].isin(looped)]
    round_d = g.groupby("item")["gap"].median().clip(upper=MAX_ROUND_DAYS)  # median over offices of their medians
    counts = tab.assign(e=tab["extra"] > 0, p=True).groupby(["item", "office"]).agg(
        cases_present=("p", "sum"), cases_extra=("e", "sum")
    )
    own = own.merge(counts.reset_index(), on=["item", "office"])
    out = []
    for r in own.itertuples(index=False):  # one step per (activity, office) candidate
        if r.own <= 0 or r.cases_extra == 0:
            continue
        d = net.data[r.office]
        k = node_key(r.item)
        pattern, kind = CONTACT_KEYS.get(k or "", REPEAT_KEYS.get(k or "", ("rework", "rework")))
        rl = float(round_d.get(r.item, 1.0))
        rl = rl if np.isfinite(rl) and rl > 0 else 1.0
        impact = r.own * rl / d.years
        staff_hours = None
        if capacity_key(k):  # costs staff time: sized in staff hours (catalogue minutes, an estimate)
            minutes = catalogue.MINUTES_PER_OCCURRENCE.get(k or "", DEFAULT_MINUTES)
            staff_hours = r.own * minutes / 60.0 / d.years
            if is_capacity(pattern):  # and no elapsed time of its own (the wait / document round has it)
                impact = 0.0
        per_case = r.total / max(r.n, 1)
        typical = r.typical_total / max(r.n, 1)
        out.append(
            (
                r.office,
                Finding(
                    kind=kind,
                    pattern=pattern,
                    value=float(per_case),
                    unit="per_case",
                    impact=float(impact),
                    cases=int(r.cases_extra),
                    activity=d.label_of(r.item),
                    activity_key=k,
                    norm=float(typical),
                    norm_basis="network",
                    staff_hours=staff_hours,
                    fte=None if staff_hours is None else staff_hours / catalogue.HOURS_PER_FTE,
                    evidence={
                        "extra_per_case": float(per_case),
                        "network_typical_per_case": float(typical),
                        "cases_with_extra": int(r.cases_extra),
                        "cases_with_activity": int(r.cases_present),
                        "round_days": rl,
                        "extra_occurrences": float(r.total),
                        "own_extra_occurrences": float(r.own),
                        "office_cases_per_year": float(r.n / d.years),
                        # counts: Poisson error of the office's extra occurrences
                        "impact_low": float(max(r.own - 1.96 * np.sqrt(r.total), 0.0) * rl / d.years) if impact > 0 else 0.0,
                        "impact_high": float((r.own + 1.96 * np.sqrt(r.total)) * rl / d.years) if impact > 0 else 0.0,
                    },
                ),
            )
        )
    return out



def explained(f: Finding) -> float:
    """Case-days per year a repeat finding's figure can explain: the office's cases per year × (value −
    norm) extra occurrences, each at most one round of ``MAX_ROUND_DAYS`` (a family member's larger
    claim is not shown by this figure); unbounded for findings without the count."""
    per_year = f.evidence.get("office_cases_per_year")
    if per_year is None or f.norm is None or f.unit != "per_case":
        return float("inf")
    return float(per_year) * max(f.value - f.norm, 0.0) * MAX_ROUND_DAYS


def merge_families(found: list[tuple[str, Finding]]) -> list[tuple[str, Finding]]:
    """One finding per (office, pattern) for the repeat families (their waits included, e.g. file
    latency joins the hand-over family).

    A named family is reported under its defining activity (``CONTACT_KEYS``) where present, else
    its largest member; impact = the family's largest. Generic repeats (pattern "rework", e.g. the
    steps of a repeated visit) are reported once per office, and folded into the office's largest
    named family when that family is at least 80 % as large (they are then its symptoms).
    """
    families = {p for p, _ in CONTACT_KEYS.values()} | {p for p, _ in REPEAT_KEYS.values()} | {"rework"}
    # families sized in staff time only (every member counts occurrences)
    capacity_patterns = {p for p in families if is_capacity(p)}
    groups: dict[tuple[str, str], list[Finding]] = {}
    passed: list[tuple[str, Finding]] = []
    for office, f in found:
        if f.pattern in families and not (f.pattern == "rework" and f.kind == "waiting"):
            groups.setdefault((office, f.pattern), []).append(f)
        else:
            passed.append((office, f))
    merged: dict[tuple[str, str], Finding] = {}
    for (office, pattern), fs in groups.items():
        defining = [f for f in fs if f.activity_key in CONTACT_KEYS]
        if pattern in capacity_patterns:  # staff time of each member is spent: summed
            rep = max(defining or fs, key=lambda f: f.staff_hours or 0.0)
            spent = float(sum(f.staff_hours or 0.0 for f in fs))
            related = [f.activity or "" for f in fs if f is not rep]
            merged[(office, pattern)] = replace(rep, staff_hours=spent, fte=spent / catalogue.HOURS_PER_FTE,
                                                evidence={**rep.evidence, "related_activities": related})
            continue
        rep = max(defining or fs, key=lambda f: f.impact)
        top = max(f.impact for f in fs)
        related = [f.activity or f"{f.from_activity} → {f.to_activity}" for f in fs if f is not rep]
        # no-shows, hand-overs: the extra round's case-days and, besides, the staff time it costs
        timed = [f.staff_hours for f in fs if f.staff_hours is not None]
        hours = float(sum(timed)) if timed else None
        merged[(office, pattern)] = replace(rep, impact=min(top, explained(rep)), staff_hours=hours,
                                            fte=None if hours is None else hours / catalogue.HOURS_PER_FTE,
                                            evidence={**rep.evidence, "related_activities": related})
    for (office, pattern), generic in list(merged.items()):
        if pattern != "rework":
            continue
        named = [(k, f) for k, f in merged.items() if k[0] == office and k[1] != "rework"]
        if not named:
            continue
        key, best = max(named, key=lambda kf: kf[1].impact)
        if best.impact >= GENERIC_FOLD_SHARE * generic.impact:
            rel = [*best.evidence.get("related_activities", []), generic.activity, *generic.evidence.get("related_activities", [])]
            merged[key] = replace(best, impact=min(max(best.impact, generic.impact), explained(best)), evidence={**best.evidence, "related_activities": rel})
            del merged[(office, pattern)]
    return passed + [(k[0], f) for k, f in merged.items()]

