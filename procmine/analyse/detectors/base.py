"""Shared ground of the detectors: per-office arrays, the network, own-excess arithmetic.

The ranking unit (``Finding.impact``) is **excess case-days per year**: the days the office's cases
spend beyond what the norm (legal/usual norm from ``catalogue.WAIT_NORMS``) or the typical office of
the network (median over offices, same step and case type) would give them, scaled to a year by the
office log's span.

Own excess, not raw excess: for a step and case type the *typical excess* is the median over offices
of the mean per-case excess; an office's own excess is Σ over its case types of
cases × (its mean excess − typical excess). A wait every office shares (e.g. card production at the
Bundesdruckerei) therefore adds nothing to one office's own problems; it is listed with
``shared=True`` and ranked after the office's own findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from procmine import catalogue
from procmine.analyse.decomposition import elapsed_days
from procmine.analyse.stats import DAY_S, US, EventArrays, case_durations
from procmine.schema import RESOURCE, TEAM

YEAR_D = 365.25

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
    # checks done again (after a document round, a hand-over): staff time (``capacity_key``)
    "completeness_checked": ("repeated_checks", "rework"),
    "register_checked": ("repeated_checks", "rework"),
    "identity_verified": ("repeated_checks", "rework"),
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


def capacity_key(key: str | None) -> bool:
    """An activity each extra occurrence of which costs staff time rather than elapsed time (status
    inquiries, no-shows, hand-overs, repeated checks): sized in staff hours with the catalogue's minutes."""
    return key in catalogue.MINUTES_PER_OCCURRENCE


APPOINTMENT_STEPS = {"appointment_requested", "appointment_scheduled", "appointment_cancelled", "appointment_no_show",
                     "checked_in", "called", "appearance_completed"}
EAT_STEPS = {"eat_ordered", "eat_received", "handover_scheduled", "eat_handed_over"}



@dataclass
class OfficeData:
    """Per-office arrays the detectors share (built once per office)."""

    office: str
    ea: EventArrays
    cases: pd.DataFrame  # case_durations + elapsed_d
    node: np.ndarray  # per activity code: canonical key, else "label:<label>"
    years: float
    cache: dict[str, Any] = field(default_factory=dict)  # tables several detectors share

    @classmethod
    def build(cls, office: str, log: pd.DataFrame) -> OfficeData:
        ea = EventArrays(log)
        cases = case_durations(ea)
        # elapsed days = the sum of the case's decomposition parts (closed: to its end, open: to the log's end)
        cases["elapsed_d"] = elapsed_days(ea, cases["closed"].to_numpy(dtype=bool))
        lk = ea.label_key
        node = np.array([lk.get(str(lbl)) or f"label:{lbl}" for lbl in ea.labels], dtype=object)
        out = cls(office, ea, cases, node, ea.span_days / YEAR_D)
        # elapsed days net of waits on other bodies (BA, security services, Bundesdruckerei)
        ext = np.zeros(ea.n_cases)
        ext_excess = np.zeros(ea.n_cases)
        ext_over = np.zeros(ea.n_cases, dtype=bool)
        for norm in catalogue.WAIT_NORMS:
            if norm.external:
                w = norm_waits(out, norm)
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


def node_key(node: str) -> str | None:
    return None if node.startswith("label:") else node


def own_excess(tab: pd.DataFrame, value: str, min_offices: int = 3) -> pd.DataFrame:
    """Mix-adjusted own excess per (item, office).

    ``tab``: one row per (office, item, ct, unit) with column ``value`` (per-unit excess ≥ 0).
    Returns per (item, office): n, total (Σ value), typical_total (Σ_ct n_ct × typical mean),
    own (total − typical_total), offices (offices having the item).
    """
    g = tab.groupby(["item", "ct", "office"], sort=False, observed=True)[value].agg(["size", "sum", "mean"])
    g = g.reset_index()
    offices = tab.groupby("item", sort=False, observed=True)["office"].nunique()
    return own_excess_agg(g, offices, min_offices)


def own_excess_agg(g: pd.DataFrame, offices: pd.Series, min_offices: int = 3) -> pd.DataFrame:
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




def norm_waits(d: OfficeData, norm: catalogue.WaitNorm) -> pd.DataFrame:
    """Waits from each ``from_key`` event to the next ``to_key`` event of the same case (days).
    Computed once per office and step pair (the office's ``cache``; callers only read the table)."""
    key = f"norm_waits:{norm.from_key}\u2192{norm.to_key}"
    if key not in d.cache:
        d.cache[key] = _norm_waits(d, norm.from_key, norm.to_key)
    return d.cache[key]


def key_rows(d: OfficeData, key: str) -> np.ndarray:
    """Rows of the office's log carrying the activity key ``key``, ascending (one grouping of the
    keys per office, the ``cache``, instead of a text comparison over the log per step pair)."""
    if "key_rows" not in d.cache:
        codes, uniq = pd.factorize(d.ea.keys)
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(uniq) + 1))
        d.cache["key_rows"] = {str(k): order[bounds[i]:bounds[i + 1]] for i, k in enumerate(uniq)}
    return d.cache["key_rows"].get(key, np.zeros(0, dtype=np.int64))


def _norm_waits(d: OfficeData, from_key: str, to_key: str) -> pd.DataFrame:
    """The pairs of ``pandas.merge_asof(direction="forward")`` by case (each ``from_key`` end to the first
    ``to_key`` start of the case at or after it), then per (case, answer) the last request before it,
    in the order (and with the tie order) of a sort by request time; found with one ``searchsorted``
    over (case, time rank) instead of a merge."""
    ea = d.ea
    f = key_rows(d, from_key)
    t = key_rows(d, to_key)
    if not len(f) or not len(t):
        return pd.DataFrame(columns=["case", "wait_d", "time"])
    lt = ea.end_us[f]
    lo = np.argsort(lt, kind="stable")
    l_case, l_time = ea.case_index[f][lo], lt[lo]
    r_case, r_time = ea.case_index[t], ea.start_us[t]
    times = np.unique(np.concatenate([l_time, r_time]))
    width = len(times) + 1
    r_key = np.sort(r_case.astype(np.int64) * width + np.searchsorted(times, r_time))
    at = np.searchsorted(r_key, l_case.astype(np.int64) * width + np.searchsorted(times, l_time), side="left")
    ok = at < len(r_key)
    ok[ok] = r_key[at[ok]] // width == l_case[ok]
    case, when = l_case[ok].astype(np.int64), l_time[ok]
    to_rank = r_key[at[ok]] % width
    # the first answer after the (last) request before it: sorted by request time as pandas sorts
    # (``sort_values`` = numpy's default argsort), each (case, answer) kept at its last row
    by_time = np.argsort(when, kind="quicksort")
    case, when, to_rank = case[by_time], when[by_time], to_rank[by_time]
    pair = case * width + to_rank
    _, last_rev = np.unique(pair[::-1], return_index=True)
    keep = np.zeros(len(pair), dtype=bool)
    keep[len(pair) - 1 - last_rev] = True
    t_to = times[to_rank[keep]]
    return pd.DataFrame({"case": case[keep], "wait_d": (t_to - when[keep]) / US / DAY_S, "time": when[keep]})



def group_percentile(values: np.ndarray, group: np.ndarray, n_groups: int, q: float) -> np.ndarray:
    """``np.percentile(values of the group, q)`` for every group code 0..n_groups-1 at once (NaN for
    an empty group): the same sort, virtual index and interpolation as numpy's default ("linear")
    method, so the same floats as calling it per group."""
    values = np.asarray(values, dtype=float)
    order = np.lexsort((values, group))
    v = values[order]
    n = np.bincount(group, minlength=n_groups)
    start = np.concatenate([[0], np.cumsum(n)[:-1]])
    virtual = (n - 1) * (q / 100)
    prev = np.floor(virtual)
    gamma = virtual - prev
    last = virtual >= n - 1
    lo = np.where(last, n - 1, prev).astype(np.int64)
    hi = np.where(last, n - 1, prev + 1).astype(np.int64)
    has = n > 0
    a = np.where(has, v[np.minimum(start + lo, max(len(v) - 1, 0))] if len(v) else 0.0, np.nan)
    b = np.where(has, v[np.minimum(start + hi, max(len(v) - 1, 0))] if len(v) else 0.0, np.nan)
    diff = b - a
    out = a + diff * gamma
    return np.where(gamma >= 0.5, b - diff * (1 - gamma), out)


def lookup_ct(tab: pd.DataFrame, ct_by_office: dict[str, np.ndarray]) -> np.ndarray:
    """Case type of each row's case (vectorised per office)."""
    out = np.empty(len(tab), dtype=object)
    office = tab["office"].to_numpy()
    case = tab["case"].to_numpy(dtype=np.int64)
    for name, cts in ct_by_office.items():  # one step per office, not per case
        m = office == name
        out[m] = cts[case[m]]
    return out



def text_codes(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(col.astype("string"))`` (codes, -1 = missing, and the distinct texts in order of
    first appearance as an object array), for a categorical column from its codes: no text per row."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        labels = np.asarray(col.cat.categories.astype("string"), dtype=object)
        if len(pd.unique(labels)) == len(labels):  # each category its own text
            c = col.cat.codes.to_numpy()
            valid = c >= 0
            codes = np.full(len(c), -1, dtype=np.intp)
            codes[valid], first = pd.factorize(c[valid])
            return codes, labels[first]
    codes, uniq = pd.factorize(col.astype("string"))
    return codes, np.asarray(uniq, dtype=object)


def team_staff(log: pd.DataFrame) -> pd.Series:
    """Distinct staff (``RESOURCE``) per team (``TEAM``, "" where missing), indexed by team text, from
    integer codes (as ``log[RESOURCE].astype("string").groupby(team text).nunique()``)."""
    tcode, tlabels = text_codes(log[TEAM])
    rcode, rlabels = text_codes(log[RESOURCE])
    gcode, glabels = pd.factorize(np.append(tlabels, ""))  # a missing team is "" (the last label)
    g = gcode[tcode]
    n_r = max(len(rlabels), 1)
    pairs = np.unique(g[rcode >= 0].astype(np.int64) * n_r + rcode[rcode >= 0])
    staff = np.bincount(pairs // n_r, minlength=len(glabels))
    present = np.bincount(g, minlength=len(glabels)) > 0
    out = pd.Series(staff[present], index=pd.Index(np.asarray(glabels, dtype=object)[present]))
    return out.sort_index()


def case_team(d: OfficeData, shared_team_share: float = 0.8) -> np.ndarray:
    """Team owning each case: the team with most events in the case, leaving out teams that touch
    more than ``shared_team_share`` of all cases (front desks); "" where none."""
    ea = d.ea
    if TEAM not in ea.log.columns or not ea.log[TEAM].notna().any():
        return np.full(ea.n_cases, "", dtype=object)
    tcodes, tlabels = text_codes(ea.log[TEAM])
    valid = tcodes >= 0
    n_t = len(tlabels)
    counts = np.bincount(ea.case_index[valid] * n_t + tcodes[valid], minlength=ea.n_cases * n_t).reshape(ea.n_cases, n_t)
    reach = (counts > 0).mean(axis=0)
    counts[:, reach > shared_team_share] = 0
    best = counts.argmax(axis=1)
    has = counts.max(axis=1) > 0
    return np.where(has, np.asarray(tlabels, dtype=object)[best], "")



@dataclass
class Network:
    """What every detector gets: the offices' arrays and the run's parameters."""

    data: dict[str, OfficeData]
    min_pair_cases: int = 10
    min_team_resources: int = 5
    params: dict[str, float] = field(default_factory=dict)

    @cached_property
    def teams(self) -> dict[str, np.ndarray]:
        """Team owning each case, per office (``case_team``)."""
        return {n: case_team(d) for n, d in self.data.items()}


WARMUP_MONTHS = 2  # months at the start of the data left out of trends (queues fill up from empty)
TAIL_MONTHS = 2  # months at the end left out (long waits starting there are not finished yet)
MIN_TREND_MONTHS = 6


def trends(group: np.ndarray, time_us: np.ndarray, value: np.ndarray, t0_us: np.ndarray, t1_us: np.ndarray) -> pd.DataFrame:
    """Linear trend of monthly medians per group, without the warm-up and the unfinished tail.

    ``group``: one key per value; ``time_us``: when each value starts; ``t0_us``/``t1_us``: the
    span of the group's office log (per value). Per group: months used, slope (days per month),
    its standard error, first and last fitted level and ``trend``: "growing"/"falling" when the slope
    is more than two standard errors from 0 and moves the level by ≥ 25 % (and ≥ 3 days) over the
    window, else "stable" (within noise).
    """
    month = np.floor((time_us - t0_us) / (30.44 * DAY_S * US)).astype(np.int64)
    last = np.floor((t1_us - t0_us) / (30.44 * DAY_S * US)).astype(np.int64)
    ok = (month >= WARMUP_MONTHS) & (month <= last - TAIL_MONTHS)
    df = pd.DataFrame({"g": group[ok], "x": month[ok].astype(float), "y": value[ok]})
    if df.empty:
        return pd.DataFrame(columns=["months", "slope", "se", "level_first", "level_last", "trend"])
    m = df.groupby(["g", "x"], sort=False)["y"].median().reset_index()
    m["xx"], m["xy"], m["yy"] = m["x"] ** 2, m["x"] * m["y"], m["y"] ** 2
    s = m.groupby("g").agg(n=("x", "size"), sx=("x", "sum"), sy=("y", "sum"), sxx=("xx", "sum"), sxy=("xy", "sum"),
                           syy=("yy", "sum"), x0=("x", "min"), x1=("x", "max"))
    n = s["n"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        vxx = s["sxx"] - s["sx"] ** 2 / n
        slope = (s["sxy"] - s["sx"] * s["sy"] / n) / vxx
        icpt = (s["sy"] - slope * s["sx"]) / n
        sse = (s["syy"] - icpt * s["sy"] - slope * s["sxy"]).clip(lower=0.0)
        se = np.sqrt(sse / np.maximum(n - 2, 1) / vxx)
    out = pd.DataFrame({"months": s["n"], "slope": slope, "se": se,
                        "level_first": icpt + slope * s["x0"], "level_last": icpt + slope * s["x1"]})
    rise = out["level_last"] - out["level_first"]
    big = rise.abs() >= np.maximum(3.0, 0.25 * out[["level_first", "level_last"]].abs().max(axis=1))
    sure = (out["slope"].abs() > 2.0 * out["se"]) & (out["months"] >= MIN_TREND_MONTHS)
    out["trend"] = np.where(sure & big, np.where(out["slope"] > 0, "growing", "falling"), "stable")
    return out
