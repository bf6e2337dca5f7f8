"""Waits between steps: each step pair against its legal/usual norm, else the network's typical office.

Pairs touching interleaved contacts (status inquiries, fiction certificates) are left out: those are
measured as repeats. With a legal/usual norm, per wait max(0, wait − norm) summed, own excess as in
``base``; without one, the same with the network's typical office as the norm, like with like (median
of the medians of the offices that log a wait at that pair, or of those that log the second step at
once, for an office of either kind; at least ``MIN_NORM_OFFICES`` of them, ``network_norms``), so a
minority of cases stuck for months counts with its full (mean) excess. Where too few offices log the
step as the office does, there is no network norm: the office's own typical wait (its median) is the
line (``norm_basis`` "own"), the finding is listed and ranked by its tail, and it is high-impact only
where the wait grows in the office's own history (``trend`` "growing").

One quantity (issue 14): a wait finding shows, next to its norm, the figure its impact is computed
from: ``value`` = the mean wait of the waits beyond the norm, ``cases`` = the cases with such a wait,
so the excess before the typical office's share is subtracted = those waits × (value − norm); the
evidence adds the mean excess per wait of all (``mean_excess_days``) and the share beyond the norm.
"""

from __future__ import annotations

from typing import Any

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
    group_percentile,
    node_key,
    norm_waits,
    own_excess,
    trends,
)
from procmine.analyse.detectors.registry import PatternSpec, detector
from procmine.analyse.model import Finding
from procmine.analyse.stats import DAY_S, US
from procmine.labels_de.report import NORM_NETWORK, NORM_OWN

PATTERNS = [
    PatternSpec("waiting", "waiting", ("priority_rules",), "waiting", external_section="external"),
    PatternSpec("appointment_backlog", "backlog", ("appointment_steering", "servicepoint_triage", "slot_release_rules"), "waiting"),
    PatternSpec("ba_wait", "waiting", ("apply_deemed_consent", "escalate_external"), "external"),
    PatternSpec("security_outage", "waiting", ("escalate_external", "longer_fiction_validity"), "external"),
    PatternSpec("eat_bottleneck", "waiting", ("card_by_post", "escalate_external"), "external"),
    PatternSpec("stuck_minority", "waiting", ("stuck_case_review", "priority_rules"), "waiting"),
]
# a step's waits are a stuck minority when at least this share of them (and twice the network's
# typical share) lies beyond the typical office's P90 while the office's median is as usual
STUCK_MIN_SHARE = 0.15
STUCK_MAX_SHARE = 0.5  # a minority: beyond this the whole step is slow


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



BOOTSTRAP_ROUNDS = 100
MEASURED_D = 1.0 / 24.0  # an office whose median wait at a pair is below an hour logs no wait there
MIN_MEASURING = 2  # offices that must log the wait for a network median of it
# offices that must log a wait without a legal/usual norm for a network norm of it (as many as
# ``base.own_excess`` needs to take out the typical office's excess)
MIN_NORM_OFFICES = 3


def network_norms(tab: pd.DataFrame) -> pd.DataFrame:
    """Norms of the waits without a legal/usual one, like with like, per (item, office): offices that
    log a wait at the pair (their median ≥ ``MEASURED_D``) are compared with the typical office among
    them (median of their medians), offices that log the second step at once with the typical office
    among those; a group of fewer than ``MIN_NORM_OFFICES`` offices has no network norm, and each of
    its offices is measured against its own median. Columns: item, office, norm_d, basis ("network"
    or "own"), measuring."""
    med = tab.groupby(["item", "office"], sort=False, observed=True)["wait_d"].median().rename("own").reset_index()
    med["measuring"] = med["own"].to_numpy() >= MEASURED_D
    g = med.groupby(["item", "measuring"], sort=False, observed=True)["own"]
    net = g.transform("median").where(g.transform("size") >= MIN_NORM_OFFICES)
    return pd.DataFrame({"item": med["item"], "office": med["office"], "norm_d": net.fillna(med["own"]).to_numpy(dtype=float),
                         "basis": np.where(net.notna(), "network", "own"), "measuring": med["measuring"].to_numpy()})


def like_with_like(tab: pd.DataFrame, instant: np.ndarray) -> pd.DataFrame:
    """``tab`` with each case type split by how the office logs the pair (``instant``: the second step
    at once), so the typical office's excess (``base.own_excess``, ``bootstrap_own``) comes from offices
    logging the pair the same way."""
    ct = tab["ct"].astype("category")
    cats = np.asarray(ct.cat.categories, dtype=object)
    c = ct.cat.codes.to_numpy(dtype=np.int64)
    codes = np.where(c < 0, -1, c * 2 + instant.astype(np.int64))  # no case type stays missing
    names = np.column_stack([cats.astype(str), np.char.add(cats.astype(str), "\u2007")]).ravel()
    return tab.assign(ct=pd.Categorical.from_codes(codes, categories=pd.Index(names)))


def chain_segments(data: dict[str, OfficeData]) -> dict[tuple[str, str], dict[str, object]]:
    """Waits with a norm that chain (request → appointment given → appearance) are compared over the
    combined segment too: offices log the appointment at different points, so only the whole span is
    like with like. Per (item, office): the segment's keys, the office's median and the network's
    (median over offices of their medians; every office measures the whole span)."""
    norms = catalogue.WAIT_NORMS
    out: dict[tuple[str, str], dict[str, object]] = {}
    for a in norms:
        for b in norms:
            if a.to_key != b.from_key or a.external or b.external:
                continue
            med = {}
            for name, d in data.items():  # one step per office
                w = norm_waits(d, catalogue.WaitNorm(a.from_key, b.to_key, a.days + b.days, a.basis, a.source, False))
                if len(w):
                    med[name] = float(np.median(w["wait_d"].to_numpy(dtype=float)))
            if not med:
                continue
            net = float(np.median(list(med.values())))
            for n in (a, b):
                for name, m in med.items():
                    out[(f"{n.from_key}\u2192{n.to_key}", name)] = {
                        "segment_from_key": a.from_key, "segment_to_key": b.to_key, "segment_median_days": m,
                        "network_segment_median_days": net, "segment_norm_days": float(a.days + b.days)}
    return out


def bootstrap_own(tab: pd.DataFrame, cand: pd.DataFrame, rounds: int = BOOTSTRAP_ROUNDS, min_offices: int = 3,
                  seed: int = 0) -> pd.DataFrame:
    """95 % bootstrap interval (percentiles) of the own excess of the (item, office) pairs in ``cand``:
    the office's waits of the pair resampled (Poisson weights, ``rounds`` rounds, fixed seed), each
    wait counting its excess minus the typical office's mean excess for its case type (held fixed, as
    in ``base.own_excess``). Vectorised: one sparse (pair × wait) product per office."""
    from scipy import sparse

    empty = pd.DataFrame(columns=["item", "office", "boot_low", "boot_high"])
    if cand.empty:
        return empty
    g = tab.groupby(["item", "ct", "office"], sort=False)["excess"].mean()
    typ = g.groupby(level=["item", "ct"]).agg(["median", "size"])
    typ_mean = typ["median"].where(typ["size"] >= min_offices, 0.0)
    # the waits of the candidate pairs in the table's order (what an inner merge keeps), found through
    # integer codes of item and office rather than a merge on their text
    icode, icats = pd.factorize(tab["item"])
    ocode, ocats = pd.factorize(tab["office"])
    inames, onames = np.asarray(icats, dtype=object), np.asarray(ocats, dtype=object)
    ci = pd.Index(inames).get_indexer(cand["item"].to_numpy(dtype=object))
    co = pd.Index(onames).get_indexer(cand["office"].to_numpy(dtype=object))
    found = (ci >= 0) & (co >= 0)
    keep = np.isin(icode.astype(np.int64) * len(onames) + ocode, ci[found].astype(np.int64) * len(onames) + co[found])
    sel = tab.loc[keep]
    dev = sel["excess"].to_numpy(dtype=float) - typ_mean.reindex(pd.MultiIndex.from_arrays([sel["item"], sel["ct"]])).to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    parts = []
    office, sel_item = ocode[keep], icode[keep]
    for oc in pd.unique(office):  # one step per office
        name = onames[oc]
        m = np.flatnonzero(office == oc)
        codes, uniq = pd.factorize(sel_item[m])
        items = inames[uniq]
        w = rng.poisson(1.0, size=(len(m), rounds)).astype(np.float32)
        agg = sparse.csr_matrix((dev[m].astype(np.float32), (codes, np.arange(len(m)))), shape=(len(items), len(m)))
        lo, hi = np.percentile(np.asarray(agg @ w), [2.5, 97.5], axis=1)
        parts.append(pd.DataFrame({"item": items, "office": name, "boot_low": lo, "boot_high": hi}))
    return pd.concat(parts, ignore_index=True) if parts else empty


def _case_type_shares(tab: pd.DataFrame, top: int = 5) -> pd.DataFrame:
    """Per (item, office): the case types carrying most of the wait's excess,
    {case type: [share of the excess, share of the waits]}."""
    g = tab.groupby(["item", "office", "ct"], sort=False)["excess"].agg(["sum", "size"])
    tot = g.groupby(level=["item", "office"]).transform("sum")
    df = pd.DataFrame({"s": g["sum"] / tot["sum"].where(tot["sum"] > 0), "n": g["size"] / tot["size"]}).dropna()
    df = df[df["s"] > 0].sort_values("s", ascending=False)
    if df.empty:
        return pd.DataFrame(columns=["item", "office", "ct_shares"])
    df = df.reset_index().groupby(["item", "office"], sort=False).head(top)
    df["pair"] = list(zip(df["ct"].astype(str), df["s"].astype(float), df["n"].astype(float)))
    out = df.groupby(["item", "office"], sort=False)["pair"].agg(lambda ps: {c: [round(a, 4), round(b, 4)] for c, a, b in ps})
    return out.rename("ct_shares").reset_index()


def _team_shares(tab: pd.DataFrame, net: Network, min_offices: int = 3) -> pd.DataFrame:
    """Per (item, office): the team whose cases carry most of the wait's *own* excess, and its share.

    Own, as the finding's impact: each wait's excess over the norm minus the typical office's mean
    excess for its case type (``base.own_excess``). The raw excess over a median norm also holds the
    part every office has (about half of any office's waits lie above the typical median), spread over
    all teams in proportion to their cases; counted in, it hides a team that carries nearly all of
    what the office adds. Share = the team's own excess over the sum of the teams' positive own excess;
    (item, office) where no team has a positive own excess have no row (no team carries it)."""
    # the team of each wait's case as a categorical: per office the team codes of its cases, mapped to
    # the network's (sorted) team names; no text per wait ("" = no team, missing = office without teams)
    office = tab["office"].astype("category")
    oc = office.cat.codes.to_numpy()
    case = tab["case"].to_numpy(dtype=np.int64)
    per_office = [pd.factorize(net.teams[name]) if name in net.teams else (np.zeros(0, dtype=np.int64), np.array([], dtype=object))
                  for name in office.cat.categories]
    cats = pd.Index(np.concatenate([np.asarray(u, dtype=object) for _, u in per_office] + [np.array([], dtype=object)])).unique().sort_values()
    tcode = np.full(len(tab), -1, dtype=np.int64)
    for i, (tc, tu) in enumerate(per_office):  # one step per office
        m = oc == i
        if len(tu):
            tcode[m] = cats.get_indexer(np.asarray(tu, dtype=object))[tc][case[m]]
    team = pd.Categorical.from_codes(tcode, categories=cats)
    typ = tab.groupby(["item", "ct", "office"], sort=False, observed=True)["excess"].mean().groupby(
        level=["item", "ct"], observed=True).agg(["median", "size"])
    typ_mean = typ["median"].where(typ["size"] >= min_offices, 0.0)
    at = pd.MultiIndex.from_arrays([tab["item"], tab["ct"]])
    own = tab["excess"].to_numpy(dtype=float) - typ_mean.reindex(at).fillna(0.0).to_numpy(dtype=float)
    ex = tab.assign(team=team, own=own)
    ex = ex[ex["team"] != ""]
    if ex.empty:
        return pd.DataFrame(columns=["item", "office", "top_team", "top_team_share"])
    by = ex.groupby(["item", "office", "team"], sort=False, observed=True)["own"].sum()
    tot = by.clip(lower=0.0).groupby(level=["item", "office"], observed=True).sum()
    top = by.groupby(level=["item", "office"], observed=True).idxmax()
    share = by.groupby(level=["item", "office"], observed=True).max().clip(lower=0.0) / tot.where(tot > 0)
    # no team with a positive own excess: no team carries it (no row, no NaN share in the evidence)
    carried = share.notna()
    return pd.DataFrame({"top_team": top[carried].map(lambda k: k[2]), "top_team_share": share[carried]}).reset_index()


def wait_trends(tab: pd.DataFrame, data: dict[str, OfficeData]) -> pd.DataFrame:
    """``base.trends`` of every (item, office) wait: item, office, trend columns."""
    span = {n: (float(d.ea.end_us.min()), float(d.ea.end_us.max())) if d.ea.n else (0.0, 0.0) for n, d in data.items()}
    t0 = tab["office"].map({n: v[0] for n, v in span.items()}).to_numpy(dtype=float)
    t1 = tab["office"].map({n: v[1] for n, v in span.items()}).to_numpy(dtype=float)
    # one integer per (item, office), not a text key per wait
    ic, items = pd.factorize(tab["item"])
    oc, offices = pd.factorize(tab["office"])
    key = ic.astype(np.int64) * max(len(offices), 1) + oc
    tr = trends(key, tab["time"].to_numpy(dtype=float), tab["wait_d"].to_numpy(dtype=float), t0, t1)
    if not len(tr):
        return pd.DataFrame(columns=["item", "office", "months", "slope", "se", "level_first", "level_last", "trend"])
    at = tr.index.to_numpy(dtype=np.int64)
    return tr.assign(item=np.asarray(items, dtype=object)[at // max(len(offices), 1)],
                     office=np.asarray(offices, dtype=object)[at % max(len(offices), 1)]).reset_index(drop=True)


def trend_evidence(r: Any) -> dict[str, object]:
    """The trend of a wait as evidence keys (none when there were too few months)."""
    trend = getattr(r, "trend", None)
    if not isinstance(trend, str):
        return {}
    return {"trend": trend, "trend_days_per_month": float(r.slope), "trend_se": float(r.se),
            "trend_months": int(r.months), "level_first_days": float(r.level_first),
            "level_last_days": float(r.level_last)}


def step_pairs(d: OfficeData) -> pd.DataFrame:
    """Directly-follows pairs of the process steps (case, from/to node, wait in days clipped at 0),
    with interleaved contacts (status inquiries, fiction certificates) taken out of the sequence first:
    an inquiry arriving while a file lies untouched does not split that wait in two."""
    if "step_pairs" in d.cache:
        return d.cache["step_pairs"]
    ea = d.ea
    order = ea.dfg_order
    interleaved = np.isin(d.node, list(INTERLEAVED_KEYS))  # per activity code, not per event
    order = order[~interleaved[ea.act[order]]]
    ci = ea.case_index[order]
    same = ci[1:] == ci[:-1]
    a, b = order[:-1][same], order[1:][same]
    raw = (ea.start_us[b] - ea.end_us[a]) / US / DAY_S
    # overlapping steps (the next starts before the previous ends) wait 0, as in pm4py; the overlap is
    # kept as its own figure; the node texts stay Python objects (not converted to Arrow text and back)
    out = pd.DataFrame({"case": ci[:-1][same], "from": pd.Series(d.node[ea.act[a]], dtype=object),
                        "to": pd.Series(d.node[ea.act[b]], dtype=object),
                        "wait_d": np.maximum(raw, 0.0), "time": ea.end_us[a], "overlap_d": np.maximum(-raw, 0.0)})
    d.cache["step_pairs"] = out
    return out


def _pair_items(fn: np.ndarray, tn: np.ndarray) -> np.ndarray:
    """The "from→to" item of each step pair, the text built once per distinct pair (not per wait)."""
    fc, fu = pd.factorize(fn)
    tc, tu = pd.factorize(tn)
    pc, pu = pd.factorize(fc.astype(np.int64) * max(len(tu), 1) + tc)
    names = np.array([f"{fu[p // max(len(tu), 1)]}\u2192{tu[p % max(len(tu), 1)]}" for p in pu], dtype=object)
    return names[pc]


def pair_items(d: OfficeData) -> np.ndarray:
    """The "from→to" item of each of the office's ``step_pairs`` (built once per office)."""
    if "pair_items" not in d.cache:
        p = step_pairs(d)
        d.cache["pair_items"] = _pair_items(p["from"].to_numpy(), p["to"].to_numpy())
    return d.cache["pair_items"]


def _categorical(parts: list[tuple[np.ndarray, np.ndarray]]) -> pd.Categorical:
    """One categorical of blocks each given as (integer codes, the distinct values they index; -1 =
    missing), with the categories ``pd.Categorical`` gives the concatenated values (sorted), without
    converting or hashing each value's text."""
    if not parts:
        return pd.Categorical([])
    cats = pd.Index(np.concatenate([np.asarray(u, dtype=object) for _, u in parts])).unique().sort_values()
    codes = [np.where(c < 0, -1, cats.get_indexer(np.asarray(u, dtype=object))[np.maximum(c, 0)]) if len(u)
             else np.full(len(c), -1) for c, u in parts]
    return pd.Categorical.from_codes(np.concatenate(codes), categories=cats)


def wait_table(data: dict[str, OfficeData]) -> pd.DataFrame:
    """All waits of the network: office, item ("from→to" node pair), ct, case, wait_d, time, overlap_d
    (missing for the waits measured against a norm). Office, item and case type are categorical: the
    detector groups and merges the network's waits by them many times."""
    norm_pairs = {(n.from_key, n.to_key): n for n in catalogue.WAIT_NORMS}
    norm_items = [f"{a}\u2192{b}" for a, b in norm_pairs]
    cols: dict[str, list[np.ndarray]] = {c: [] for c in ("case", "wait_d", "time", "overlap_d")}
    # office, item and case type as (codes, distinct values) per block: categoricals without text per wait
    cats: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {c: [] for c in ("office", "item", "ct")}

    def add(name: str, ct: tuple[np.ndarray, np.ndarray], case: np.ndarray, wait: np.ndarray, when: np.ndarray,
            overlap: np.ndarray, item: tuple[np.ndarray, np.ndarray]) -> None:
        case = np.asarray(case, dtype=np.int64)
        for c, v in (("case", case), ("wait_d", wait), ("time", when), ("overlap_d", overlap)):
            cols[c].append(np.asarray(v))
        cats["office"].append((np.zeros(len(case), dtype=np.int64), np.array([name], dtype=object)))
        cats["item"].append(item)
        cats["ct"].append((ct[0][case], ct[1]))

    for name, d in data.items():
        ct = pd.factorize(d.cases["case_type"].to_numpy().astype(object))
        pairs = step_pairs(d)
        if not pairs.empty:
            fn, tn = pairs["from"].to_numpy(), pairs["to"].to_numpy()
            item = pair_items(d)
            # self-loops are rework, norm pairs are measured below
            ic, iu = pd.factorize(item)  # the norm pairs looked up per distinct item, not per wait
            keep = (fn != tn) & ~np.isin(np.asarray(iu, dtype=object), norm_items)[ic]
            add(name, ct, pairs["case"].to_numpy()[keep], pairs["wait_d"].to_numpy()[keep],
                pairs["time"].to_numpy()[keep], pairs["overlap_d"].to_numpy()[keep], (ic[keep], np.asarray(iu, dtype=object)))
        for (fk, tk), norm in norm_pairs.items():
            w = norm_waits(d, norm)
            if len(w):
                add(name, ct, w["case"].to_numpy(), w["wait_d"].to_numpy(), w["time"].to_numpy(),
                    np.full(len(w), np.nan), (np.zeros(len(w), dtype=np.int64), np.array([f"{fk}\u2192{tk}"], dtype=object)))
    if not cols["case"]:
        return pd.DataFrame(columns=["office", "case", "wait_d", "time", "overlap_d", "item", "ct"])
    tab = pd.DataFrame({"office": _categorical(cats["office"]), **{c: np.concatenate(v) for c, v in cols.items()},
                        "item": _categorical(cats["item"]), "ct": _categorical(cats["ct"])})
    return tab


@detector("waits", PATTERNS, order=10)
def detect_waits(net: Network) -> list[tuple[str, Finding]]:
    data, min_pair_cases = net.data, net.min_pair_cases
    tab = wait_table(data)
    if tab.empty:
        return []
    norms = {f"{n.from_key}\u2192{n.to_key}": n for n in catalogue.WAIT_NORMS}
    # network norm for pairs without a legal/usual one, like with like: the typical office among those
    # logging a wait there (or, for an office logging the step at once, among those doing the same);
    # too few such offices: the office's own median is the line (``network_norms``)
    pair_norms = network_norms(tab)
    at = pd.MultiIndex.from_arrays([tab["item"], tab["office"]])
    by_pair = pair_norms.set_index(["item", "office"])
    legal = tab["item"].map({k: float(v.days) for k, v in norms.items()}).to_numpy(dtype=float)
    tab["norm_d"] = np.where(~np.isnan(legal), legal, by_pair["norm_d"].reindex(at).to_numpy(dtype=float))
    basis_of = by_pair["basis"].to_dict()
    instant = np.isnan(legal) & ~by_pair["measuring"].reindex(at).to_numpy(dtype=bool)
    tab["excess"] = np.maximum(tab["wait_d"].to_numpy() - tab["norm_d"].to_numpy(), 0.0)
    # per-item figures are looked up through the item's integer code, not per wait's text
    icode, items = pd.factorize(tab["item"].to_numpy())
    paired = like_with_like(tab, instant)
    own = own_excess(paired, "excess")
    # the same own excess on the plain mean wait (not clipped at the norm): a team's queue is sized
    # and shown in this one quantity (``teams.fold_team_waits``)
    plain = own_excess(paired, "wait_d").rename(columns={"total": "wait_total", "typical_total": "wait_typical_total"})
    own = own.merge(plain[["item", "office", "wait_total", "wait_typical_total"]], on=["item", "office"], how="left")
    # who carries the excess: waits beyond the typical office's P90 (median over offices of the office P90)
    p90 = tab.groupby(["item", "office"], sort=False)["wait_d"].quantile(0.9).groupby(level="item").median()
    tab["long"] = tab["wait_d"].to_numpy() > pd.Series(items).map(p90).to_numpy(dtype=float)[icode]
    pair_groups = tab.groupby(["item", "office"], sort=False)
    stats_ = pair_groups.agg(median=("wait_d", "median"), cases=("case", "nunique"), norm=("norm_d", "first"),
                         share_long=("long", "mean"), overlap_mean=("overlap_d", "mean"))
    # P90 and the shares over the norm / overlapping per pair from the pairs' codes (no Python per pair)
    pc, n_pc = pair_groups.ngroup().to_numpy(dtype=np.int64), len(stats_)
    size = np.bincount(pc, minlength=n_pc)
    stats_["p90"] = group_percentile(tab["wait_d"].to_numpy(dtype=float), pc, n_pc, 90)
    stats_["over"] = np.bincount(pc, weights=tab["excess"].to_numpy() > 0, minlength=n_pc) / size
    stats_["overlap"] = np.bincount(pc, weights=tab["overlap_d"].to_numpy() > 0, minlength=n_pc) / size
    stats_ = stats_[["median", "p90", "cases", "over", "norm", "share_long", "overlap", "overlap_mean"]]
    rest = tab.loc[~tab["long"]].groupby(["item", "office"], sort=False)["wait_d"].median().rename("rest_median")
    # the waits beyond the norm: how many, in how many cases (they carry the whole excess)
    beyond = tab.loc[tab["excess"].to_numpy() > 0].groupby(["item", "office"], sort=False).agg(
        n_over=("excess", "size"), cases_over=("case", "nunique"))
    stats_ = stats_.join(rest).join(beyond)
    stats_[["n_over", "cases_over"]] = stats_[["n_over", "cases_over"]].fillna(0)
    own = own.merge(stats_.reset_index(), on=["item", "office"])
    own["net_rest_median"] = own["item"].map(own.groupby("item")["rest_median"].median()).to_numpy()
    # like with like: the network's median of a step pair only from offices that log a wait there (median
    # ≥ MEASURED_D); an office that logs the step at once (e.g. the appointment given at the request)
    # has its wait elsewhere. Fewer than MIN_MEASURING such offices: no network median (the norm alone)
    measuring = own[own["median"] >= MEASURED_D].groupby("item")["median"].agg(["median", "size"])
    measured_median = measuring["median"].where(measuring["size"] >= MIN_MEASURING)
    own["net_median"] = own["item"].map(measured_median).to_numpy(dtype=float)
    # the figure a wait finding shows, in the typical office of the same offices: the mean wait of the
    # waits beyond the norm (compare like with like: the office's figure is that mean, not a median)
    own["beyond_mean"] = (own["norm"] + own["total"] / own["n_over"].where(own["n_over"] > 0)).to_numpy(dtype=float)
    beyond = own[own["median"] >= MEASURED_D].groupby("item")["beyond_mean"].agg(["median", "count"])
    own["net_beyond_mean"] = own["item"].map(beyond["median"].where(beyond["count"] >= MIN_MEASURING)).to_numpy(dtype=float)
    own["net_measuring"] = own["item"].map(measuring["size"]).fillna(0).to_numpy(dtype=int)
    own["net_p90"] = own["item"].map(p90).to_numpy(dtype=float)
    own["net_share_long"] = own["item"].map(own.groupby("item")["share_long"].median()).to_numpy()
    exceeding = own.assign(ex=own["median"] > own["norm"]).groupby("item")["ex"].mean()
    own["share_offices_over"] = own["item"].map(exceeding).to_numpy()
    # sampling error of the own excess (normal approximation over the office's waits)
    own = own.merge(wait_trends(tab, data), on=["item", "office"], how="left")
    own = own.merge(_team_shares(paired, net), on=["item", "office"], how="left")
    own = own.merge(_case_type_shares(tab), on=["item", "office"], how="left")
    # bootstrap interval of the own excess, for the candidates only (positive own excess, enough cases)
    cand = own.loc[(own["own"] > 0) & (own["cases"] >= min_pair_cases), ["item", "office"]]
    own = own.merge(bootstrap_own(paired, cand), on=["item", "office"], how="left")
    segments = chain_segments(data)
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
        # the mean excess over the norm (legal/usual, else the typical office's median) beyond the
        # typical office's mean excess: a minority of cases stuck for months counts in full
        own_days = max(r.own, 0.0)
        impact_norm = r.total / d.years
        impact = (impact_norm if shared else own_days / d.years)
        if impact <= 0 or r.n_over <= 0:
            continue
        basis = norm.basis if norm else str(basis_of[(r.item, r.office)])
        # one quantity: the mean wait of the waits beyond the norm, so (value − norm) × those waits is
        # the excess the impact is computed from
        beyond_mean = float(r.beyond_mean)
        # the other cases (below the long-wait line) wait as long as the typical office's do
        rest_usual = bool(r.rest_median <= 1.25 * r.net_rest_median + 1.0)
        if pattern == "waiting" and rest_usual and STUCK_MAX_SHARE >= r.share_long >= max(STUCK_MIN_SHARE, 2.0 * r.net_share_long):
            pattern = "stuck_minority"
        out.append(
            (
                r.office,
                Finding(
                    kind="waiting",
                    pattern=pattern,
                    value=beyond_mean,
                    unit="days",
                    impact=float(impact),
                    cases=int(r.cases_over),
                    from_activity=d.label_of(fk),
                    to_activity=d.label_of(tk),
                    from_key=fkey,
                    to_key=tkey,
                    norm=float(r.norm),
                    # no legal or usual norm: the typical office of those logging the wait, else the office's own
                    norm_basis=basis,
                    external=external,
                    shared=shared,
                    evidence={
                        "median_days": float(r.median),
                        "p90_days": float(r.p90),
                        "cases": int(r.cases),
                        "waits": int(r.n),
                        "norm_days": float(r.norm),
                        "norm_source": norm.source if norm else (NORM_NETWORK if basis == "network" else NORM_OWN),
                        # who carries the excess: the waits beyond the norm (value = their mean wait)
                        "mean_beyond_norm_days": beyond_mean,
                        "waits_over_norm": int(r.n_over),
                        "cases_over_norm": int(r.cases_over),
                        # who carries the excess against the norm: "bei 27 % der Vorgänge über <norm>"
                        "share_cases_over_norm": float(r.cases_over / max(r.cases, 1)),
                        "mean_excess_days": float(r.total / max(r.n, 1)),
                        "network_median_days": float(r.net_median) if r.net_median == r.net_median else None,
                        **({"network_mean_beyond_norm_days": float(r.net_beyond_mean)} if r.net_beyond_mean == r.net_beyond_mean else {}),
                        "network_offices_measuring": int(r.net_measuring),
                        **segments.get((r.item, r.office), {}),
                        "share_over_norm": float(r.over),
                        "share_offices_over_norm": float(r.share_offices_over),
                        "excess_days_per_year_over_norm": float(impact_norm),
                        "own_excess_days_per_year": float(own_days / d.years),
                        # plain mean wait against the typical office's mean for the same case mix
                        # (with fewer than three offices: the step's norm), per year of the log
                        "mean_days": float(r.wait_total / max(r.n, 1)),
                        "typical_mean_days": float((r.wait_typical_total if r.offices >= 3 else r.norm * r.n) / max(r.n, 1)),
                        "waits_per_year": float(r.n / d.years),
                        "impact_low": float(max(r.boot_low, 0.0) / d.years) if r.boot_low == r.boot_low else 0.0,
                        "impact_high": float(max(r.boot_high, 0.0) / d.years) if r.boot_high == r.boot_high else 0.0,
                        "long_wait_days": float(r.net_p90),
                        "share_long_waits": float(r.share_long),
                        "network_share_long_waits": float(r.net_share_long),
                        "rest_as_usual": rest_usual,
                        "share_overlapping": float(r.overlap) if r.overlap == r.overlap else 0.0,
                        "mean_overlap_days": float(r.overlap_mean) if r.overlap_mean == r.overlap_mean else 0.0,
                        **trend_evidence(r),
                        **({"carried_by_team": str(r.top_team), "team_share_of_excess": float(r.top_team_share)}
                           if isinstance(r.top_team, str) and r.top_team and r.top_team_share == r.top_team_share else {}),
                        **({"excess_share_by_case_type": r.ct_shares} if isinstance(r.ct_shares, dict) else {}),
                    },
                ),
            )
        )
    return out

