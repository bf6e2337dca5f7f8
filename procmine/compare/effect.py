"""Did a measure help? Interrupted time series and difference-in-differences around a date.

``evaluate_measure(logs, office, date, kpi=…, step=…)`` estimates how a KPI of one office changed when a
measure was taken (a new appointment system, a service point, an extra post):

* **Interrupted time series (ITS)** on the office's own values: level and slope before and after the date,
  seasonality held by one annual harmonic when the data span a year. The level change at the date is the
  ITS effect. It cannot tell a measure from anything else that happened at the same time.
* **Difference-in-differences (DiD)** against the other offices as controls: office, week and case-type fixed
  effects and one treated-after-the-date term. Week effects absorb whatever hit every office at once (a law
  change, a season), so a network-wide shock is not credited to the measure. This is the headline effect when
  there are controls; without controls the ITS is, with a note.
* **Placebo tests**: the same estimator at the first of every month before the date, on the data before the
  date only, where nothing was done (in time), and each control office as if it had taken the measure,
  against the other controls (in space). When too many of the dates come out "significant", the series is
  too unstable to judge; where the placebo effects scatter more than their own errors say, the headline
  interval is widened by that excess.

Each value is one case (cycle time, at the case's start) or one wait (at the moment it started). Values whose
moment lies closer to the log's end than the 95th percentile of the values are left out: most cases started
then are still open, and only the quick ones would be measured. Regressions are statsmodels OLS with
cluster-robust errors (clusters: weeks for ITS, office-weeks for DiD).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm

from procmine.compare.measures import DAYS, KPIS, observations, step_keys_of
from procmine.labels_de.network import nlabel

MIN_OBS = 30  # values on each side of the date, in the office itself
MIN_CONTROL_OBS = 30  # a control office needs this many values on each side
PLACEBO_MIN_MONTHS = 3  # placebo dates keep this many months of data on each side
PLACEBO_UNSTABLE_SHARE = 0.25  # more placebo hits than this share (and at least 2): not assessable
ALPHA = 0.05
WINDOW_MONTHS = 6.0  # values used on each side of the date
WEEK_S = 7 * 86400.0
MONTH_S = 30.4375 * 86400.0

HELPED = "helped"
WORSE = "worse"
NO_EFFECT = "no_effect"
NOT_ASSESSABLE = "not_assessable"
DID = "difference_in_differences"
ITS = "interrupted_time_series"


@dataclass(frozen=True)
class Estimate:
    """One estimated effect with its 95 % interval and p-value (in the KPI's unit)."""

    effect: float
    ci_low: float
    ci_high: float
    p_value: float

    @property
    def significant(self) -> bool:
        return bool(self.ci_low > 0 or self.ci_high < 0)

    def to_dict(self) -> dict[str, float | None]:
        return {"effect": _r(self.effect), "ci_low": _r(self.ci_low), "ci_high": _r(self.ci_high), "p_value": _r(self.p_value, 4)}


@dataclass(frozen=True)
class MeasureEffect:
    """The evaluation of one measure; ``to_dict()`` is what ``procmine effect --json`` prints."""

    office: str
    date: str
    kpi: str
    step: tuple[str, str] | None
    unit: str
    verdict_code: str  # helped | worse | no_effect | not_assessable
    verdict: str  # German: "hat geholfen", "kein messbarer Effekt", "nicht beurteilbar, weil …"
    explanation: str  # German sentence with the figures
    method: str | None = None  # difference_in_differences | interrupted_time_series (the headline)
    headline: Estimate | None = None
    its: Estimate | None = None
    its_slope_per_month: Estimate | None = None
    did: Estimate | None = None
    controls: tuple[str, ...] = ()
    placebo: tuple[tuple[str, Estimate], ...] = ()  # (date, estimate) where nothing happened
    placebo_hits: int = 0
    placebo_offices: tuple[tuple[str, Estimate], ...] = ()  # (control office, its DiD at the date against the other controls)
    n_before: int = 0
    n_after: int = 0
    reason: str | None = None  # reason code when not assessable
    monthly: pd.DataFrame = field(default_factory=pd.DataFrame)  # month, office mean, controls' mean, n

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (documented in docs/results.md under ``measures``)."""
        h = self.headline
        return {
            "office": self.office,
            "date": self.date,
            "kpi": self.kpi,
            "step": "→".join(self.step) if self.step else None,
            "unit": self.unit,
            "effect": _r(h.effect) if h else None,
            "ci_low": _r(h.ci_low) if h else None,
            "ci_high": _r(h.ci_high) if h else None,
            "p_value": _r(h.p_value, 4) if h else None,
            "method": self.method,
            "verdict": self.verdict,
            "verdict_code": self.verdict_code,
            "explanation": self.explanation,
            "reason": self.reason,
            "its": {**self.its.to_dict(), "slope_change_per_month": self.its_slope_per_month.to_dict() if self.its_slope_per_month else None} if self.its else None,
            "did": {**self.did.to_dict(), "controls": list(self.controls)} if self.did else None,
            "placebo": {
                "tests": len(self.placebo),
                "hits": self.placebo_hits,
                "dates": [{"date": d, **e.to_dict()} for d, e in self.placebo],
                "offices": [{"office": o, **e.to_dict()} for o, e in self.placebo_offices],
            },
            "n_before": self.n_before,
            "n_after": self.n_after,
        }


def _r(x: float | None, digits: int = 3) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), digits)


def _de(x: float, digits: int = 1) -> str:
    return f"{x:.{digits}f}".replace("-", "−").replace(".", ",")


def _estimate(fit: Any, name: str) -> Estimate:
    ci = fit.conf_int(alpha=ALPHA)
    return Estimate(float(fit.params[name]), float(ci.loc[name, 0]), float(ci.loc[name, 1]), float(fit.pvalues[name]))


HAC_LAGS = 8  # weeks of autocorrelation the errors may carry (a backlog lasts weeks)


def _weekly(obs: pd.DataFrame) -> pd.DataFrame:
    """Weekly cells per office: mean of the case-type-adjusted values (``resid``), count, mid time."""
    week = np.floor(obs["t"].to_numpy(dtype=float) / WEEK_S).astype(np.int64)
    g = pd.DataFrame({"office": obs["office"].to_numpy(), "week": week, "resid": obs["resid"].to_numpy(dtype=float)})
    cells = g.groupby(["office", "week"], sort=True)["resid"].agg(["mean", "size"]).reset_index()
    cells["t"] = (cells["week"] + 0.5) * WEEK_S
    return cells


def _its(cells: pd.DataFrame, t0: float) -> tuple[Estimate, Estimate] | None:
    """Level and slope change at ``t0`` in the office's own weekly series (WLS by cases, HAC errors)."""
    if len(cells) < 8 or (cells["t"] < t0).sum() < 4 or (cells["t"] >= t0).sum() < 4:
        return None
    t = cells["t"].to_numpy(dtype=float)
    tau = (t - t0) / MONTH_S
    post = (t >= t0).astype(float)
    x = pd.DataFrame({"const": 1.0, "trend": tau, "level_change": post, "slope_change": tau * post})
    if (t.max() - t.min()) >= 365 * 86400.0:
        angle = 2 * np.pi * (t / 86400.0) / 365.25
        x["season_sin"], x["season_cos"] = np.sin(angle), np.cos(angle)
    fit = sm.WLS(cells["mean"].to_numpy(dtype=float), x, weights=cells["size"].to_numpy(dtype=float)).fit(
        cov_type="HAC", cov_kwds={"maxlags": HAC_LAGS, "use_correction": True}, use_t=True
    )
    return _estimate(fit, "level_change"), _estimate(fit, "slope_change")


def _did(cells: pd.DataFrame, office: str, controls: tuple[str, ...], t0: float) -> Estimate | None:
    """Difference-in-differences on the weekly gap between the office and its controls.

    The gap (office minus the controls' pooled weekly mean, both case-type adjusted) removes whatever hit
    every office in a week; its change after ``t0`` is the effect (WLS, weights by cases on both sides, HAC
    errors). A control office that took its own measure at the same time moves the gap by its share of the
    controls' cases.
    """
    own = cells[cells["office"] == office].set_index("week")
    ctl = cells[cells["office"].isin(controls)].assign(total=lambda d: d["mean"] * d["size"])
    ctl = ctl.groupby("week")[["total", "size"]].sum().rename(columns={"size": "size_c"})
    both = own.join(ctl, how="inner")
    both = both[both["size_c"] > 0]
    if len(both) < 8:
        return None
    gap = both["mean"] - both["total"] / both["size_c"]
    post = (both["t"] >= t0).astype(float)
    if post.sum() < 4 or (1 - post).sum() < 4:
        return None
    weights = 1.0 / (1.0 / both["size"] + 1.0 / both["size_c"])
    x = pd.DataFrame({"const": 1.0, "treated_post": post})
    fit = sm.WLS(gap.to_numpy(dtype=float), x, weights=weights.to_numpy(dtype=float)).fit(cov_type="HAC", cov_kwds={"maxlags": HAC_LAGS, "use_correction": True}, use_t=True)
    return _estimate(fit, "treated_post")


def _observations(
    logs: dict[str, pd.DataFrame], office: str, kpi: str, step: tuple[str, str] | None
) -> pd.DataFrame:
    """Values of every office (columns office, case_type, t, value), right-censored part cut off."""
    keys = step_keys_of(logs[office], step) if step else (None, None)
    frames, horizons = [], []
    per_case = step is None and KPIS[kpi].wait is None
    for name, log in logs.items():
        if not len(log):
            continue
        obs = observations(log, kpi, step, keys)
        if per_case and kpi != "cycle_time_days":
            horizons.append(observations(log, "cycle_time_days")["value"].to_numpy())
        if len(obs):
            frames.append(obs.assign(office=name, log_end=float(log["end"].max().timestamp())))
    if not frames:
        return pd.DataFrame(columns=["office", "case_type", "t", "value", "resid"])
    allobs = pd.concat(frames, ignore_index=True)
    # a per-case KPI is complete once the case is closed: cut at the 95th percentile of the cycle time
    ref = np.concatenate(horizons) if horizons else allobs["value"].to_numpy(dtype=float)
    horizon = float(np.nanpercentile(ref, 95)) * 86400.0 if len(ref) else 0.0
    kept = allobs[allobs["t"] <= allobs["log_end"] - horizon].drop(columns="log_end").reset_index(drop=True)
    # case-type adjustment: each value minus its case type's mean over the network and the whole period
    kept["resid"] = kept["value"] - kept.groupby("case_type")["value"].transform("mean")
    return kept


def _estimate_all(obs: pd.DataFrame, office: str, t0: float) -> tuple[Estimate | None, Estimate | None, Estimate | None, tuple[str, ...]]:
    """ITS level, ITS slope, DiD and the control offices used, on ``obs`` around ``t0``."""
    cells = _weekly(obs)
    its = _its(cells[cells["office"] == office], t0)
    before = obs["t"] < t0
    counts = pd.DataFrame({"office": obs["office"], "before": before}).value_counts()
    controls = tuple(
        sorted(
            str(o)
            for o in obs["office"].unique()
            if o != office and counts.get((o, True), 0) >= MIN_CONTROL_OBS and counts.get((o, False), 0) >= MIN_CONTROL_OBS
        )
    )
    did = _did(cells, office, controls, t0) if controls else None
    return (its[0] if its else None), (its[1] if its else None), did, controls


def _month_starts(t_from: float, t_to: float) -> list[pd.Timestamp]:
    start = pd.Timestamp(t_from, unit="s", tz="UTC").normalize() + pd.offsets.MonthBegin(1)
    end = pd.Timestamp(t_to, unit="s", tz="UTC")
    return list(pd.date_range(start, end, freq="MS")) if start <= end else []


def _placebos(obs: pd.DataFrame, office: str, t0: float, use_did: bool, window_months: float | None) -> list[tuple[str, Estimate]]:
    """The headline estimator at each first of month before ``t0``, on the data before ``t0`` only (each
    placebo date with the same window as the real one, shortened so that it ends before ``t0``)."""
    pre = obs[obs["t"] < t0]
    own_t = pre.loc[pre["office"] == office, "t"]
    if not len(own_t):
        return []
    lo = float(own_t.min()) + PLACEBO_MIN_MONTHS * MONTH_S
    hi = t0 - PLACEBO_MIN_MONTHS * MONTH_S
    out = []
    for day in _month_starts(lo, hi):  # a handful of dates, each one small regression
        tp = float(day.timestamp())
        reach = (t0 - tp) if window_months is None else min(window_months * MONTH_S, t0 - tp)
        part = pre[(pre["t"] - tp).abs() <= reach]
        own = part[part["office"] == office]
        if (own["t"] < tp).sum() < MIN_OBS or (own["t"] >= tp).sum() < MIN_OBS:
            continue
        its, _, did, _ = _estimate_all(part, office, tp)
        est = did if use_did else its
        if est is not None:
            out.append((day.date().isoformat(), est))
    return out


def _office_placebos(obs: pd.DataFrame, office: str, controls: tuple[str, ...], t0: float) -> list[tuple[str, Estimate]]:
    """Each control office treated as if it had taken the measure, against the other controls (the office
    itself left out): how far offices that did nothing drift apart at the same date."""
    if len(controls) < 3:
        return []
    cells = _weekly(obs[obs["office"] != office])
    out = []
    for c in controls:  # one small regression per control office
        est = _did(cells, c, tuple(x for x in controls if x != c), t0)
        if est is not None:
            out.append((c, est))
    return out


def _widened(est: Estimate, placebo: list[tuple[str, Estimate]]) -> Estimate:
    """``est`` with its interval widened by the spread the placebo effects show beyond their own errors.

    Where nothing happened the effects should scatter around 0 as their standard errors say; in a series
    with slow swings (a backlog that builds and drains) they scatter more, and so would the real estimate.
    """
    if len(placebo) < 2:
        return est
    z = 1.959963984540054
    effects = np.array([e.effect for _, e in placebo])
    ses = np.array([(e.ci_high - e.ci_low) / (2 * z) for _, e in placebo])
    extra = float(np.mean(effects**2) - np.mean(ses**2))
    if extra <= 0:
        return est
    se = math.sqrt(((est.ci_high - est.ci_low) / (2 * z)) ** 2 + extra)
    from scipy.stats import norm

    return Estimate(est.effect, est.effect - z * se, est.effect + z * se, float(2 * norm.sf(abs(est.effect) / se)))


def _monthly(obs: pd.DataFrame, office: str) -> pd.DataFrame:
    """Monthly mean of the office and of the other offices (for the chart)."""
    if not len(obs):
        return pd.DataFrame(columns=["month", "office_mean", "office_n", "controls_mean"])
    month = pd.to_datetime(obs["t"], unit="s", utc=True).dt.tz_localize(None).dt.to_period("M").astype(str)
    own = obs["office"] == office
    g = pd.DataFrame({"month": month, "value": obs["value"], "own": own})
    a = g[g["own"]].groupby("month")["value"].agg(["mean", "size"]).rename(columns={"mean": "office_mean", "size": "office_n"})
    b = g[~g["own"]].groupby("month")["value"].mean().rename("controls_mean")
    return a.join(b, how="outer").reset_index()


def evaluate_measure(
    logs: dict[str, pd.DataFrame],
    office: str,
    date: str | pd.Timestamp,
    kpi: str = "cycle_time_days",
    step: tuple[str, str] | None = None,
    window_months: float | None = WINDOW_MONTHS,
) -> MeasureEffect:
    """Estimate the effect of a measure ``office`` took at ``date`` on ``kpi`` (or on the wait ``step``,
    a pair of activity labels of the office's export); see the module docstring for the method.
    ``window_months``: only values this many months either side of the date are used (None: all), so that
    other changes long before or after do not enter the comparison.

    >>> evaluate_measure(logs, "ABH-05", "2025-04-01", step=("eAT-Bestellung", "eAT-Eingang"))  # doctest: +SKIP
    """
    day = pd.Timestamp(date)
    day = day.tz_localize("Europe/Berlin") if day.tzinfo is None else day
    t0 = float(day.timestamp())
    date_s = day.date().isoformat()
    kdef = KPIS[kpi] if step is None else None
    unit = kdef.unit if kdef else DAYS
    kpi_name = nlabel("nkpi.step_wait_days", step=" → ".join(step)) if step else nlabel(f"nkpi.{kpi}")
    base = {"office": office, "date": date_s, "kpi": kpi if step is None else "step_wait_days", "step": step, "unit": unit}

    def refuse(reason: str, **fields: object) -> MeasureEffect:
        text = nlabel("verdict.not_assessable", reason=nlabel(f"reason.{reason}", **fields))
        return MeasureEffect(**base, verdict_code=NOT_ASSESSABLE, verdict=text, explanation=text, reason=reason, **extra)  # type: ignore[arg-type]

    extra: dict[str, Any] = {}
    if office not in logs:
        return refuse("office_unknown", office=office)
    all_obs = _observations(logs, office, kpi, step)
    obs = all_obs
    if window_months is not None:
        obs = all_obs[(all_obs["t"] - t0).abs() <= window_months * MONTH_S].reset_index(drop=True)
    own = obs[obs["office"] == office]
    if step and not len(own):
        return refuse("step_not_found", step=" → ".join(step), office=office)
    n_before, n_after = int((own["t"] < t0).sum()), int((own["t"] >= t0).sum())
    extra = {"n_before": n_before, "n_after": n_after, "monthly": _monthly(obs, office)}
    if n_before < MIN_OBS:
        return refuse("too_few_before", n=n_before, need=MIN_OBS)
    if n_after < MIN_OBS:
        return refuse("too_few_after", n=n_after, need=MIN_OBS)
    its, slope, did, controls = _estimate_all(obs, office, t0)
    method = DID if did is not None else ITS
    headline = did if did is not None else its
    placebo = _placebos(all_obs, office, t0, use_did=did is not None, window_months=window_months)
    hits = sum(e.significant for _, e in placebo)
    in_space = _office_placebos(obs, office, controls, t0) if did is not None else []
    if headline is not None:
        headline = _widened(headline, placebo + in_space)
    extra.update(its=its, its_slope_per_month=slope, did=did, controls=controls, placebo=tuple(placebo), placebo_hits=hits,
                 placebo_offices=tuple(in_space))
    if headline is None:
        return refuse("too_few_before", n=n_before, need=MIN_OBS)
    if hits >= 2 and hits > PLACEBO_UNSTABLE_SHARE * len(placebo):
        res = refuse("placebo_unstable", hits=hits, tests=len(placebo))
        return _with(res, method=method, headline=headline)
    code = NO_EFFECT if not headline.significant else (HELPED if headline.effect < 0 else WORSE)
    scale = 100.0 if unit == "share" else 1.0
    unit_de = nlabel(f"unit.{unit}")
    method_de = nlabel("method.did", n=len(controls)) if did is not None else nlabel("method.its")
    fmt = {
        "kpi": kpi_name,
        "date": day.strftime("%d.%m.%Y"),
        "effect": f"{_de(abs(headline.effect) * scale if code != NO_EFFECT else headline.effect * scale)} {unit_de}",
        "ci_low": _de(headline.ci_low * scale),
        "ci_high": _de(headline.ci_high * scale),
        "method": method_de,
        "lower": nlabel("dir.lower.days" if unit == DAYS else "dir.lower.other"),
        "higher": nlabel("dir.higher.days" if unit == DAYS else "dir.higher.other"),
    }
    text = nlabel(f"explain.{code}", **fmt)
    if did is not None and its is not None and its.significant and not did.significant:
        text += nlabel("explain.network_change", its_effect=f"{_de(its.effect * scale)} {unit_de}")
    if did is None:
        text += nlabel("explain.no_controls")
    text += nlabel("explain.placebo", tests=len(placebo), hits=hits)
    return MeasureEffect(**base, verdict_code=code, verdict=nlabel(f"verdict.{code}"), explanation=text, method=method, headline=headline, **extra)  # type: ignore[arg-type]


def _with(res: MeasureEffect, **changes: Any) -> MeasureEffect:
    from dataclasses import replace

    return replace(res, **changes)
