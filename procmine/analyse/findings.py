"""Findings engine: detectors per pattern family, sized in one unit and ranked per office.

Every detector works on the whole network at once (one vectorised table over all offices), because the
norm of a step is often the network's typical office. The ranking unit (``Finding.impact``) is
**excess case-days per year**: the days the office's cases spend beyond what the norm (legal/usual
norm from ``catalogue.WAIT_NORMS``) or the typical office of the network (median over offices, same
step and case type) would give them, scaled to a year by the office log's span.

Own excess, not raw excess: for a step and case type the *typical excess* is the median over offices
of the mean per-case excess; an office's own excess is Σ over its case types of
cases × (its mean excess − typical excess). A wait every office shares (e.g. card production at the
Bundesdruckerei) therefore adds nothing to one office's own problems; it is listed with
``shared=True`` and ranked after the office's own findings.

Impact formulas per family (all in case-days per year):

* waiting (a step pair; pairs touching interleaved contacts such as status inquiries or fiction
  certificates are left out, those are measured as repeats): with a legal/usual norm, per case max(0, wait − norm) summed, own excess
  as above; without one, waits × (office median − median of the offices' medians), so only a
  shift of the typical case counts, not a few long tails.
* repeats (document rounds, status inquiries, fiction renewals, hand-overs, no-shows): own excess
  of occurrences per case (status inquiries and fiction renewals, which pile up while a case
  stays open, are compared within the same case type *and* band of elapsed days, so a slow office
  is not counted twice) × the typical round length (network median of the time between two
  occurrences of the activity in a case; for activities never repeated, of the wait to the case's
  next event; capped at 30 days). Offices whose export cannot show repeats (one source row per case,
  ``stats.repeats_visible``) are left out of this detector. A loop shows in several activities (request, receipt, new
  appointment); each pattern family is reported once per office, under its defining activity
  (``CONTACT_KEYS``) where present, with the family's largest impact.
* deadline (cases beyond 90 days by case type): per case max(0, elapsed − 90) days; own excess of a
  case type beyond the office's own median over case types (so a case type starved by priority
  rules stands out from an office that is slow everywhere).
* team (team level only; teams with fewer than ``min_team_resources`` distinct staff are left out):
  a case's excess = its elapsed days (duration, or age if open) net of its waits on other bodies
  (BA, security services, Bundesdruckerei) − the network's typical such days for its case type; a team's impact = Σ over its cases of (excess − the mean excess of the office's
  other teams' cases). A case belongs to the team with most of its events (front desks touching
  over 80 % of cases excluded).
* batching: events of an activity concentrated on one weekday beyond the network's typical share
  × 2.5 days (the mean extra wait of work released once a week instead of daily), or, when larger
  (the release day cannot take a week's work, so it queues for weeks), the own excess (mix-adjusted,
  as above) of the wait into the activity from the case's previous event. A generic wait finding
  into the batched activity is the same problem and is folded into the batching finding.
* seasonal surge: a case type's arrivals peak in some months of the year (≥ 1.5× its monthly mean) well above the network's
  usual peak (× 1.3); impact = elapsed days of peak-month cases above the type's other cases.
* drift (listed, never high-impact; impact 0): a step change in a case type's share of the monthly
  arrivals (full calendar months; types with ≥ 30 cases; segments ≥ 3 months). Per office, type and
  split month a binomial likelihood-ratio test of two shares vs one, divided by the dispersion φ ≥ 1
  of the monthly counts around the two-share model (so seasonal swings need a larger step). Network
  first (≥ 3 offices): the offices' scaled LRs summed (χ² with one degree of freedom per office),
  Bonferroni over types × months at ``DRIFT_ALPHA`` = 0.01, and more than half of the offices
  showing it alone (p < ``DRIFT_OFFICE_ALPHA`` = 0.05, majority direction): reported as shared
  for those offices (a law, e.g. the AE_EMP policy shock). Then each office alone, Bonferroni over
  its types × months at ``DRIFT_OWN_ALPHA`` = 0.001. Both step down: a type found leaves the shares
  before the next search, so the other types' shares, shifted by its step, are no drifts of their own.

A finding is *high-impact* when it is the office's own (not shared) and its impact is at least
``min_impact_per_case_year`` days per case per year of the office (default 1: the problem costs at
least one extra day for every case the office handles in a year); findings below
``min_listed_per_case_year`` are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from procmine import catalogue
from procmine.analyse.model import Finding
from procmine.analyse.stats import DAY_S, US, EventArrays, case_durations, repeats_visible
from procmine.eventlog import LogLike, as_frame
from procmine.schema import DISPLAY_TZ, END, RESOURCE, TEAM

YEAR_D = 365.25

MEASURES = catalogue.MEASURES_BY_PATTERN

# activities each occurrence of which is itself extra work (counted from the first), by pattern
CONTACT_KEYS: dict[str, tuple[str, str]] = {
    "documents_requested": ("document_loops", "rework"),
    "status_inquiry_received": ("inquiry_flood", "rework"),
    "fiction_certificate_extended": ("fiction_churn", "deadline"),
    "case_handed_over": ("handoff_pingpong", "handover"),
    "appointment_no_show": ("booking_abuse", "no_show"),
}
# activities whose repeats (beyond the first occurrence) are rework, by pattern. A re-booked
# appointment is left out on purpose: it follows a no-show as often as a document round, so it is
# generic rework and joins whichever of those families is the office's larger (_merge_families)
REPEAT_KEYS: dict[str, tuple[str, str]] = {
    "documents_received": ("document_loops", "rework"),
    "appearance_completed": ("document_loops", "rework"),
    "file_requested": ("handoff_pingpong", "handover"),
    "fiction_certificate_issued": ("fiction_churn", "deadline"),
}
EXTERNAL_KEYS = {k for k, v in catalogue.EXTERNAL_PARTY.items() if v.startswith("external_")}
DEADLINE_PATTERN_BY_CASE_TYPE = {"VISA_CONSENT": "visa_consent_queue"}
MAX_ROUND_DAYS = 30.0
MIN_Z = 3.0  # deadline findings: standard errors above the network's typical share to count as high-impact
# contacts that pile up while a case stays open: compared within bands of elapsed days
EXPOSURE_KEYS = {"status_inquiry_received", "fiction_certificate_extended"}
ELAPSED_BANDS_D = [30.0, 60.0, 90.0, 180.0, 365.0]
# contacts interleaved with the process steps: a directly-follows "wait" to or from them is no step
INTERLEAVED_KEYS = set(CONTACT_KEYS) | {"fiction_certificate_issued", "fiction_certificate_extended"}


APPOINTMENT_STEPS = {"appointment_requested", "appointment_scheduled", "appointment_cancelled", "appointment_no_show",
                     "checked_in", "called", "appearance_completed"}
EAT_STEPS = {"eat_ordered", "eat_received", "handover_scheduled", "eat_handed_over"}


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


@dataclass
class OfficeData:
    """Per-office arrays the detectors share (built once per office)."""

    office: str
    ea: EventArrays
    cases: pd.DataFrame  # case_durations + elapsed_d
    node: np.ndarray  # per activity code: canonical key, else "label:<label>"
    years: float

    @classmethod
    def build(cls, office: str, log: pd.DataFrame) -> "OfficeData":
        ea = EventArrays(log)
        cases = case_durations(ea)
        elapsed = np.where(cases["closed"].to_numpy(dtype=bool), cases["duration_s"], cases["age_s"])
        cases["elapsed_d"] = np.asarray(elapsed, dtype=float) / DAY_S
        lk = ea.label_key
        node = np.array([lk.get(str(lbl)) or f"label:{lbl}" for lbl in ea.labels], dtype=object)
        out = cls(office, ea, cases, node, ea.span_days / YEAR_D)
        # elapsed days net of waits on other bodies (BA, security services, Bundesdruckerei)
        ext = np.zeros(ea.n_cases)
        ext_excess = np.zeros(ea.n_cases)
        ext_over = np.zeros(ea.n_cases, dtype=bool)
        for norm in catalogue.WAIT_NORMS:
            if norm.external:
                w = _norm_waits(out, norm)
                if len(w):
                    case = w["case"].to_numpy(dtype=np.int64)
                    wait = w["wait_d"].to_numpy(dtype=float)
                    np.add.at(ext, case, np.maximum(wait, 0.0))
                    np.add.at(ext_excess, case, np.maximum(wait - norm.days, 0.0))
                    ext_over[case[wait > norm.days]] = True
        cases["internal_d"] = np.maximum(cases["elapsed_d"].to_numpy() - ext, 0.0)
        # elapsed days without the part of external waits beyond their norm: that part is the
        # external finding's (e.g. ba_wait), so deadline findings do not count it a second time
        cases["elapsed_net_d"] = np.maximum(cases["elapsed_d"].to_numpy() - ext_excess, 0.0)
        # cases held by another body beyond its norm: their later queueing is that body's doing
        cases["external_over"] = ext_over
        return out

    @property
    def cases_per_year(self) -> float:
        return max(self.ea.n_cases / self.years, 1.0)

    def label_of(self, node: str) -> str | None:
        """The office's own label for a node (the most frequent label carrying that key)."""
        idx = np.flatnonzero(self.node == node)
        if not len(idx):
            return node[6:] if node.startswith("label:") else None
        counts = np.bincount(self.ea.act, minlength=len(self.node))[idx]
        return str(self.ea.labels[idx[np.argmax(counts)]])


def _key(node: str) -> str | None:
    return None if node.startswith("label:") else node


def _own_excess(tab: pd.DataFrame, value: str, min_offices: int = 3) -> pd.DataFrame:
    """Mix-adjusted own excess per (item, office).

    ``tab``: one row per (office, item, ct, unit) with column ``value`` (per-unit excess ≥ 0).
    Returns per (item, office): n, total (Σ value), typical_total (Σ_ct n_ct × typical mean),
    own (total − typical_total), offices (offices having the item).
    """
    g = tab.groupby(["item", "ct", "office"], sort=False, observed=True)[value].agg(["size", "sum", "mean"])
    g = g.reset_index()
    offices = tab.groupby("item", sort=False, observed=True)["office"].nunique()
    return _own_excess_agg(g, offices, min_offices)


def _own_excess_agg(g: pd.DataFrame, offices: pd.Series, min_offices: int = 3) -> pd.DataFrame:
    """``_own_excess`` from pre-aggregated rows (item, ct, office, size, sum, mean)."""
    typ = g.groupby(["item", "ct"], sort=False, observed=True)["mean"].agg(["median", "size"]).reset_index()
    typ = typ.rename(columns={"median": "typ_mean", "size": "n_off"})
    g = g.merge(typ, on=["item", "ct"], how="left")
    # with too few offices for a network comparison, the office is its own (empty) reference
    g["typ_mean"] = np.where(g["n_off"] >= min_offices, g["typ_mean"], 0.0)
    g["typ_total"] = g["size"] * g["typ_mean"]
    out = g.groupby(["item", "office"], sort=False, observed=True).agg(
        n=("size", "sum"), total=("sum", "sum"), typical_total=("typ_total", "sum")
    )
    out["own"] = out["total"] - out["typical_total"]
    out = out.reset_index()
    out["offices"] = out["item"].map(offices).to_numpy()
    return out


# --- waiting -------------------------------------------------------------------------------------


def _norm_waits(d: OfficeData, norm: catalogue.WaitNorm) -> pd.DataFrame:
    """Waits from each ``from_key`` event to the next ``to_key`` event of the same case (days)."""
    ea = d.ea
    keys = ea.keys
    f = np.flatnonzero(keys == norm.from_key)
    t = np.flatnonzero(keys == norm.to_key)
    if not len(f) or not len(t):
        return pd.DataFrame(columns=["case", "wait_d", "time"])
    left = pd.DataFrame({"case": ea.case_index[f], "time": ea.end_us[f]}).sort_values("time", kind="stable")
    right = pd.DataFrame({"case": ea.case_index[t], "time": ea.start_us[t], "t_to": ea.start_us[t]}).sort_values(
        "time", kind="stable"
    )
    m = pd.merge_asof(left, right, on="time", by="case", direction="forward")
    m = m[m["t_to"].notna()]
    # one wait per case and request: the first answer after the (last) request before it
    m = m.sort_values("time").drop_duplicates(["case", "t_to"], keep="last")
    return pd.DataFrame(
        {"case": m["case"].to_numpy(dtype=np.int64), "wait_d": (m["t_to"].to_numpy() - m["time"].to_numpy()) / US / DAY_S,
         "time": m["time"].to_numpy()}
    )


def _wait_table(data: dict[str, OfficeData]) -> pd.DataFrame:
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
            w = _norm_waits(d, norm)
            if len(w):
                parts.append(pd.DataFrame({"office": name, "from": fk, "to": tk, "case": w["case"], "wait_d": w["wait_d"]}))
    if not parts:
        return pd.DataFrame(columns=["office", "from", "to", "case", "wait_d", "ct", "item"])
    tab = pd.concat(parts, ignore_index=True)
    ct_by_office = {n: d.cases["case_type"].to_numpy() for n, d in data.items()}
    tab["ct"] = _lookup_ct(tab, ct_by_office)
    tab["item"] = tab["from"].astype(str) + "\u2192" + tab["to"].astype(str)
    return tab


def _lookup_ct(tab: pd.DataFrame, ct_by_office: dict[str, np.ndarray]) -> np.ndarray:
    """Case type of each row's case (vectorised per office)."""
    out = np.empty(len(tab), dtype=object)
    office = tab["office"].to_numpy()
    case = tab["case"].to_numpy(dtype=np.int64)
    for name, cts in ct_by_office.items():  # one step per office, not per case
        m = office == name
        out[m] = cts[case[m]]
    return out


def _detect_waits(data: dict[str, OfficeData], min_pair_cases: int) -> list[tuple[str, Finding]]:
    tab = _wait_table(data)
    if tab.empty:
        return []
    norms = {f"{n.from_key}\u2192{n.to_key}": n for n in catalogue.WAIT_NORMS}
    # network norm for pairs without a legal/usual one: median over offices of the office median
    med = tab.groupby(["item", "office"], sort=False)["wait_d"].median()
    net_norm = med.groupby(level="item", sort=False).median()
    norm_d = tab["item"].map({k: v.days for k, v in norms.items()})
    tab["norm_d"] = norm_d.fillna(tab["item"].map(net_norm)).astype(float)
    tab["excess"] = np.maximum(tab["wait_d"].to_numpy() - tab["norm_d"].to_numpy(), 0.0)
    own = _own_excess(tab, "excess")
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
        fkey, tkey = _key(fk), _key(tk)
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
                    measures=MEASURES.get(pattern, ()),
                ),
            )
        )
    return out


# --- repeats (rework, contacts, hand-overs, no-shows) --------------------------------------------


def _detect_repeats(data: dict[str, OfficeData]) -> list[tuple[str, Finding]]:
    """Repeated activities per case, sparse: only (case, activity) pairs that occur are counted; the
    cases without the activity enter the per-case means through the case counts per case type."""
    parts = []
    denoms = []
    gaps = []
    for name, d in data.items():
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
        same = ea.case_index[1:] == ea.case_index[:-1]
        nxt = (ea.end_us[1:] - ea.end_us[:-1])[same] / US / DAY_S
        gaps.append(pd.DataFrame({"office": name, "item": d.node[ea.act[:-1][same]], "gap": nxt, "loop": False}))
        order = np.lexsort((np.arange(ea.n), ea.act, ea.case_index))
        ca, aa = ea.case_index[order], ea.act[order]
        rep = (ca[1:] == ca[:-1]) & (aa[1:] == aa[:-1])
        loop = (ea.end_us[order][1:] - ea.end_us[order][:-1])[rep] / US / DAY_S
        gaps.append(pd.DataFrame({"office": name, "item": d.node[aa[1:][rep]], "gap": loop, "loop": True}))
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
    own = _own_excess_agg(g, item_office.groupby("item")["office"].nunique())
    g = pd.concat(gaps, ignore_index=True)
    looped = set(g.loc[g["loop"], "item"])
    g = g[g["loop"] == g["item"].isin(looped)]
    round_d = g.groupby(["item", "office"])["gap"].median().groupby(level="item").median().clip(upper=MAX_ROUND_DAYS)
    counts = tab.assign(e=tab["extra"] > 0, p=True).groupby(["item", "office"]).agg(
        cases_present=("p", "sum"), cases_extra=("e", "sum")
    )
    own = own.merge(counts.reset_index(), on=["item", "office"])
    out = []
    for r in own.itertuples(index=False):  # one step per (activity, office) candidate
        if r.own <= 0 or r.cases_extra == 0:
            continue
        d = data[r.office]
        k = _key(r.item)
        pattern, kind = CONTACT_KEYS.get(k or "", REPEAT_KEYS.get(k or "", ("rework", "rework")))
        rl = float(round_d.get(r.item, 1.0))
        rl = rl if np.isfinite(rl) and rl > 0 else 1.0
        impact = r.own * rl / d.years
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
                    evidence={
                        "extra_per_case": float(per_case),
                        "network_typical_per_case": float(typical),
                        "cases_with_extra": int(r.cases_extra),
                        "cases_with_activity": int(r.cases_present),
                        "round_days": rl,
                        "extra_occurrences": float(r.total),
                        "own_extra_occurrences": float(r.own),
                    },
                    measures=MEASURES.get(pattern, ()),
                ),
            )
        )
    return out


def _merge_families(found: list[tuple[str, Finding]]) -> list[tuple[str, Finding]]:
    """One finding per (office, pattern) for the repeat families (their waits included, e.g. file
    latency joins the hand-over family).

    A named family is reported under its defining activity (``CONTACT_KEYS``) where present, else
    its largest member; impact = the family's largest. Generic repeats (pattern "rework", e.g. the
    steps of a repeated visit) are reported once per office, and folded into the office's largest
    named family when that family is at least 80 % as large (they are then its symptoms).
    """
    families = {p for p, _ in CONTACT_KEYS.values()} | {p for p, _ in REPEAT_KEYS.values()} | {"rework"}
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
        rep = max(defining or fs, key=lambda f: f.impact)
        top = max(f.impact for f in fs)
        related = [f.activity or f"{f.from_activity} → {f.to_activity}" for f in fs if f is not rep]
        merged[(office, pattern)] = replace(rep, impact=top, evidence={**rep.evidence, "related_activities": related})
    for (office, pattern), generic in list(merged.items()):
        if pattern != "rework":
            continue
        named = [(k, f) for k, f in merged.items() if k[0] == office and k[1] != "rework"]
        if not named:
            continue
        key, best = max(named, key=lambda kf: kf[1].impact)
        if best.impact >= 0.8 * generic.impact:
            rel = [*best.evidence.get("related_activities", []), generic.activity, *generic.evidence.get("related_activities", [])]
            merged[key] = replace(best, impact=max(best.impact, generic.impact), evidence={**best.evidence, "related_activities": rel})
            del merged[(office, pattern)]
    return passed + [(k[0], f) for k, f in merged.items()]


# --- deadlines (cases beyond 90 days by case type) ------------------------------------------------


def _case_team(d: OfficeData, shared_team_share: float = 0.8) -> np.ndarray:
    """Team owning each case: the team with most events in the case, leaving out teams that touch
    more than ``shared_team_share`` of all cases (front desks); "" where none."""
    ea = d.ea
    if TEAM not in ea.log.columns or not ea.log[TEAM].notna().any():
        return np.full(ea.n_cases, "", dtype=object)
    tcodes, tlabels = pd.factorize(ea.log[TEAM].astype("string"))
    valid = tcodes >= 0
    n_t = len(tlabels)
    counts = np.bincount(ea.case_index[valid] * n_t + tcodes[valid], minlength=ea.n_cases * n_t).reshape(ea.n_cases, n_t)
    reach = (counts > 0).mean(axis=0)
    counts[:, reach > shared_team_share] = 0
    best = counts.argmax(axis=1)
    has = counts.max(axis=1) > 0
    return np.where(has, np.asarray(tlabels, dtype=object)[best], "")


def _detect_deadlines(data: dict[str, OfficeData], teams: dict[str, np.ndarray]) -> list[tuple[str, Finding]]:
    lim = float(catalogue.INACTION_DAYS)
    parts = [
        pd.DataFrame(
            {"office": n, "item": d.cases["case_type"].to_numpy(), "ct": d.cases["case_type"].to_numpy(),
             "beyond": np.maximum(d.cases["elapsed_net_d"].to_numpy() - lim, 0.0), "team": teams[n]}
        )
        for n, d in data.items()
        if len(d.cases)
    ]
    if not parts:
        return []
    tab = pd.concat(parts, ignore_index=True)
    tab = tab[tab["ct"] != ""]
    if tab.empty:
        return []
    own = _own_excess(tab, "beyond")
    # excess per case of this case type beyond the office's own median over case types
    own["own_per_case"] = own["own"] / own["n"]
    base = own.groupby("office")["own_per_case"].median().clip(lower=0)
    own["office_level"] = own["office"].map(base).to_numpy()
    own["starved"] = own["n"] * (own["own_per_case"] - own["office_level"])
    over = tab.assign(o=tab["beyond"] > 0).groupby(["item", "office"]).agg(
        over=("o", "sum"), share=("o", "mean"), top_team=("team", lambda s: s.mode().iloc[0] if len(s) else ""),
        team_share=("team", lambda s: float((s == s.mode().iloc[0]).mean()) if len(s) else 0.0),
    )
    own = own.merge(over.reset_index(), on=["item", "office"])
    # how sure: the share over 90 days against the network's typical share for the type (binomial z)
    typical_share = own.groupby("item")["share"].median()
    p0 = own["item"].map(typical_share).clip(0.01, 0.99).to_numpy()
    own["z"] = (own["share"].to_numpy() - p0) / np.sqrt(p0 * (1 - p0) / own["n"].clip(lower=1).to_numpy())
    out = []
    for r in own.itertuples(index=False):  # one step per (case type, office)
        if r.starved <= 0 or r.over == 0:
            continue
        d = data[r.office]
        pattern = DEADLINE_PATTERN_BY_CASE_TYPE.get(r.item, "priority_starvation")
        team = r.top_team if (r.top_team and r.team_share >= 0.8) else None
        out.append(
            (
                r.office,
                Finding(
                    kind="deadline",
                    pattern=pattern,
                    value=float(r.share),
                    unit="share",
                    impact=float(r.starved / d.years),
                    cases=int(r.over),
                    case_type=r.item,
                    team=team,
                    norm=lim,
                    norm_basis="legal",
                    evidence={
                        "cases": int(r.n),
                        "cases_over_90_days": int(r.over),
                        "share_over_90_days": float(r.share),
                        "days_beyond_90_per_case": float(r.total / r.n),
                        "network_typical_days_beyond_90_per_case": float(r.typical_total / r.n),
                        "office_level_per_case": float(r.office_level),
                        "network_typical_share_over_90_days": float(typical_share.get(r.item, np.nan)),
                        "significance_z": float(r.z),
                        "norm_source": "§ 75 VwGO (Untätigkeitsklage nach 3 Monaten)",
                    },
                    measures=MEASURES.get(pattern, ()),
                ),
            )
        )
    return out


# --- team level ---------------------------------------------------------------------------------


def _quarterly_team_gap(df: pd.DataFrame, case_start: np.ndarray, teams: pd.Index, min_quarters: int = 3, min_cases: int = 5) -> pd.Series:
    """Per team: median over quarters (by case start) of (team median − other teams' median) residual."""
    start = pd.to_datetime(pd.Series(case_start[df.index.to_numpy()]), utc=True)
    q = ((start - start.min()).dt.days // 91).to_numpy()
    team = df["team"].to_numpy()
    r = df["r"].to_numpy()
    out = {}
    for t in teams:  # a handful of teams × a handful of quarters
        gaps = []
        for quarter in np.unique(q):
            in_q = q == quarter
            mine, others = r[in_q & (team == t)], r[in_q & (team != t)]
            if len(mine) >= min_cases and len(others) >= min_cases:
                gaps.append(float(np.median(mine) - np.median(others)))
        if len(gaps) >= min_quarters:
            out[t] = float(np.median(gaps))
    return pd.Series(out, dtype=float)


def _detect_teams(
    data: dict[str, OfficeData], teams: dict[str, np.ndarray], min_team_resources: int
) -> list[tuple[str, Finding]]:
    out = []
    net = pd.concat(
        [pd.DataFrame({"office": n, "ct": d.cases["case_type"].to_numpy(), "el": d.cases["internal_d"].to_numpy()}) for n, d in data.items()],
        ignore_index=True,
    )
    # typical elapsed days per case type: median over offices of the office mean
    net_ct = net.groupby(["ct", "office"])["el"].mean().groupby(level="ct").median()
    for name, d in data.items():  # one step per office
        team = teams[name]
        if not (team != "").any() or RESOURCE not in d.ea.log.columns:
            continue
        log_team = d.ea.log[TEAM].astype("string").fillna("")
        staff = d.ea.log[RESOURCE].astype("string").groupby(log_team.to_numpy()).nunique()
        ok = [t for t, k in staff.items() if t and k >= min_team_resources]
        ct = d.cases["case_type"].to_numpy()
        el = d.cases["internal_d"].to_numpy()
        # a case's excess over the network's typical case of its type (removes the case mix)
        df = pd.DataFrame({"team": team, "ct": ct, "el": el, "r": el - pd.Series(ct).map(net_ct).to_numpy()})
        df = df[df["team"].isin(ok) & df["r"].notna()]
        if df["team"].nunique() < 2:
            continue
        per_team = df.groupby("team").agg(n=("r", "size"), rsum=("r", "sum"), total=("el", "sum"), rmed=("r", "median"))
        # reference: the office's other teams (same office, so office-wide effects cancel); medians,
        # so a shortage that slows the team's typical case counts, not a passing flood of some cases
        other_med = pd.Series({t: float(np.median(df.loc[df["team"].to_numpy() != t, "r"])) for t in per_team.index})
        # a shortage is chronic: take the smaller of the whole-period gap and the median of the
        # quarterly gaps, so a queue that one burst leaves behind (e.g. a batch released after an
        # outage of another body) does not pass for a staffing problem
        quarterly = _quarterly_team_gap(df, d.cases["start"].to_numpy(), per_team.index)
        # and a team is short only where its typical case is also slower than the network's typical
        # case of the same type (rmed > 0), not merely less fast than the office's other teams
        gap = np.minimum(per_team["rmed"] - other_med, quarterly.reindex(per_team.index).fillna(np.inf))
        gap = np.minimum(gap, per_team["rmed"])
        per_team["excess"] = per_team["n"] * gap
        main_ct = df.groupby("team")["ct"].agg(lambda x: x.mode().iloc[0])
        main_share = df.assign(m=df["ct"].to_numpy() == df["team"].map(main_ct).to_numpy()).groupby("team")["m"].mean()
        for t, r in per_team.iterrows():
            if r["excess"] <= 0:
                continue
            mean_el = r["total"] / r["n"]
            ref_mean = (r["total"] - r["excess"]) / r["n"]
            out.append(
                (
                    name,
                    Finding(
                        kind="resource",
                        pattern="team_shortage",
                        value=float(mean_el),
                        unit="days",
                        impact=float(r["excess"] / d.years),
                        cases=int(r["n"]),
                        team=str(t),
                        norm=float(ref_mean),
                        norm_basis="office",
                        evidence={
                            "team_cases": int(r["n"]),
                            "mean_elapsed_days": float(mean_el),
                            "reference_mean_elapsed_days": float(ref_mean),
                            "staff": int(staff.get(t, 0)),
                            "main_case_type": str(main_ct[t]),
                            "main_case_type_share": float(main_share[t]),
                        },
                        measures=MEASURES["team_shortage"],
                    ),
                )
            )
    return out


# --- weekday batching -----------------------------------------------------------------------------


def _detect_batching(data: dict[str, OfficeData], min_events: int = 50) -> list[tuple[str, Finding]]:
    parts = []
    for name, d in data.items():
        if not d.ea.n:
            continue
        wd = d.ea.log[END].dt.tz_convert(DISPLAY_TZ).dt.day_of_week.to_numpy()
        ci = d.ea.case_index
        end = d.ea.end_us.astype(float)
        # days since the case's previous event (NaN for a case's first event)
        wait = np.full(d.ea.n, np.nan)
        same = ci[1:] == ci[:-1]
        wait[1:][same] = (end[1:] - end[:-1])[same] / (DAY_S * US)
        parts.append(pd.DataFrame({"office": name, "item": d.node[d.ea.act], "wd": wd, "wait": wait,
                                   "ct": d.ea.case_type[ci]}))
    if not parts:
        return []
    tab = pd.concat(parts, ignore_index=True)
    # own excess of the wait into each activity (mix-adjusted by case type, network typical office)
    w = tab[tab["wait"].notna()]
    held = _own_excess(w[["office", "item", "ct", "wait"]], "wait", min_offices=2).set_index(["item", "office"])["own"]
    cnt = tab.groupby(["item", "office", "wd"]).size().unstack("wd", fill_value=0)
    n = cnt.sum(axis=1)
    cnt = cnt[n >= min_events]
    n = n[n >= min_events]
    if cnt.empty:
        return []
    top = cnt.max(axis=1) / n
    top_wd = cnt.idxmax(axis=1)
    typical = top.groupby(level="item").median()
    res = pd.DataFrame({"n": n, "top": top, "wd": top_wd}).reset_index()
    res["typical"] = res["item"].map(typical)
    res["excess"] = res["top"] - res["typical"]
    res["held"] = held.reindex(pd.MultiIndex.from_frame(res[["item", "office"]])).fillna(0.0).to_numpy()
    out = []
    for r in res.itertuples(index=False):  # one step per (activity, office)
        if r.excess <= 0.1:
            continue
        d = data[r.office]
        # the mean extra wait of work released once a week, or, when the held work queues longer
        # than that (the release day cannot take a week's work), the own excess wait into the step
        impact = max(r.n * r.excess * 2.5, r.held)
        out.append(
            (
                r.office,
                Finding(
                    kind="batching",
                    pattern="weekly_batching",
                    value=float(r.top),
                    unit="share",
                    impact=float(impact / d.years),
                    cases=int(r.n),
                    activity=d.label_of(r.item),
                    activity_key=_key(r.item),
                    norm=float(r.typical),
                    norm_basis="network",
                    evidence={"weekday": int(r.wd), "share_on_weekday": float(r.top), "network_typical_share": float(r.typical), "events": int(r.n),
                              "own_excess_wait_days": float(r.held)},
                    measures=MEASURES["weekly_batching"],
                ),
            )
        )
    return out


# --- seasonal surges ------------------------------------------------------------------------------


def _detect_seasonal(data: dict[str, OfficeData], min_cases: int = 60, min_ratio: float = 1.3) -> list[tuple[str, Finding]]:
    """Case types whose arrivals peak in some months of the year far above the network's usual
    seasonality; impact = extra elapsed days of the peak-month cases over the type's other cases."""
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
                    measures=MEASURES["seasonal_surge"],
                ),
            )
        )
    return out


# --- drift (case-mix step change) ----------------------------------------------------------------

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


def _detect_drift(data: dict[str, OfficeData], min_months: int = 3, min_type_cases: int = 30) -> list[tuple[str, Finding]]:
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
        net = g.agg(stat=("stat", "sum"), k=("office", "size")).reset_index()
        net["p"] = chi2.sf(net["stat"], net["k"])
        # offices showing the step on their own, in the direction most offices show it
        scan["agrees"] = (scan["stat"] >= one) & (scan["up"] == (g["up"].transform("mean").to_numpy() >= 0.5))
        net["agree"] = scan.groupby(["ct", "month"])["agrees"].sum().to_numpy()
        net = net[(net["p"] * len(net) < DRIFT_ALPHA) & (net["agree"] > len(tabs) / 2)]
        if net.empty:
            break
        # the month most offices agree on (then the strongest)
        best = net.sort_values(["agree", "p"], ascending=[False, True], kind="stable").iloc[0]
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


def _drift_finding(r, shared: bool, offices: int, p: float) -> Finding:
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
        measures=MEASURES["policy_shock"],
    )


def _merge_team_into_deadline(found: list[Finding], min_share: float = 0.8) -> list[Finding]:
    """A team that serves (≥ ``min_share`` of its cases) one case type whose cases run past the
    deadline is one problem, and its cause is the team's capacity, not a queue order that starves
    the type (there is no other type in that team to be preferred): reported once, as the team
    finding carrying the deadline evidence, with the larger impact of the two."""
    deadlines = {(f.case_type, f.team): i for i, f in enumerate(found) if f.kind == "deadline" and f.case_type}
    out = list(found)
    drop = set()
    for i, f in enumerate(found):
        if f.kind != "resource" or f.evidence.get("main_case_type_share", 0.0) < min_share:
            continue
        j = deadlines.get((f.evidence.get("main_case_type"), f.team))
        if j is None:
            continue
        d = out[j]
        out[i] = replace(f, impact=max(d.impact, f.impact), evidence={**f.evidence, "deadline_finding": dict(d.evidence)})
        drop.add(j)
    return [f for i, f in enumerate(out) if i not in drop]


def _merge_wait_into_batching(found: list[Finding]) -> list[Finding]:
    """A generic wait into an activity the office releases once a week is that release's wait: one
    problem, reported once as the batching finding (its cause) with the wait's evidence and the
    larger impact of the two."""
    batched = {(f.activity_key, f.activity): i for i, f in enumerate(found) if f.kind == "batching" and not f.shared}
    by_key = {k: i for (k, _), i in batched.items() if k}
    by_label = {a: i for (_, a), i in batched.items() if a}
    out = list(found)
    drop = set()
    for i, f in enumerate(found):
        if f.kind != "waiting" or f.pattern != "waiting" or f.shared:
            continue
        j = by_key.get(f.to_key) if f.to_key else by_label.get(f.to_activity)
        if j is None:
            continue
        b = out[j]
        waits = [*b.evidence.get("waits_into_step", []), {"from_activity": f.from_activity, "from_key": f.from_key,
                                                            "impact": float(f.impact), **f.evidence}]
        out[j] = replace(b, impact=max(b.impact, f.impact), evidence={**b.evidence, "waits_into_step": waits})
        drop.add(i)
    return [f for i, f in enumerate(out) if i not in drop]


# --- ranking --------------------------------------------------------------------------------------


def rank_findings(findings: list[Finding], cases_per_year: float, min_impact_per_case_year: float, min_listed_per_case_year: float) -> list[Finding]:
    """Drop trivial findings, flag high-impact ones, rank: own problems by impact, then shared ones."""
    kept = []
    for f in findings:
        rel = f.impact / cases_per_year
        if f.kind != "drift" and rel < min_listed_per_case_year:
            continue
        # a deadline excess also has to stand out from chance (z ≥ MIN_Z against the network's share)
        sure = f.evidence.get("significance_z", np.inf) >= MIN_Z
        high = (not f.shared) and f.kind != "drift" and rel >= min_impact_per_case_year and sure
        kept.append(replace(f, high_impact=high, evidence={**f.evidence, "impact_days_per_case_year": float(rel)}))
    kept.sort(key=lambda f: (f.shared or f.kind == "drift", -f.impact))
    return [replace(f, rank=i + 1) for i, f in enumerate(kept)]


def detect_network(
    logs: Mapping[str, LogLike],
    min_impact_per_case_year: float = 1.0,
    min_listed_per_case_year: float = 0.2,
    min_team_resources: int = 5,
    min_pair_cases: int = 10,
) -> dict[str, list[Finding]]:
    """Run every detector over the network; ranked findings per office.

    ``min_impact_per_case_year``: a finding is high-impact when its impact reaches this many excess
    days per case of the office per year; ``min_listed_per_case_year``: below this it is dropped.
    """
    data = {name: OfficeData.build(name, as_frame(lg)) for name, lg in logs.items()}
    teams = {n: _case_team(d) for n, d in data.items()}
    raw: list[tuple[str, Finding]] = []
    raw += _merge_families(_detect_waits(data, min_pair_cases) + _detect_repeats(data))
    raw += _detect_deadlines(data, teams)
    raw += _detect_teams(data, teams, min_team_resources)
    raw += _detect_batching(data)
    raw += _detect_seasonal(data)
    raw += _detect_drift(data)
    per_office: dict[str, list[Finding]] = {n: [] for n in data}
    for office, f in raw:
        per_office[office].append(f)
    per_office = {n: _merge_wait_into_batching(_merge_team_into_deadline(fs)) for n, fs in per_office.items()}
    return {
        n: rank_findings(fs, data[n].cases_per_year, min_impact_per_case_year, min_listed_per_case_year)
        for n, fs in per_office.items()
    }
