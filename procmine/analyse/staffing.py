"""KGSt staffing calculation (Personalbemessung, DOMAIN §4.2):

    FTE needed = Σ_case types (annual volume × touch minutes) × (1 + allowances) / annual minutes per FTE

Annual volume = new cases in the log period scaled to 365 days. Touch minutes default to
``catalogue.CASE_TYPES[...].touch_minutes`` (DOMAIN §7.3, assumptions), 1,600 working hours per FTE
and year, 15 % allowance for distributed time; all of it can be overridden with
``StaffingAssumptions``. The gap is compared to the actual staff where known: passed in as FTE, or
estimated as the number of distinct staff ids seen (each counted as one full FTE) — labelled as an
estimate, because part-time staff and absences are invisible in an event log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from procmine.analyse.queues import CaseSpans, case_spans
from procmine.analyse.teams import MIN_TEAM_RESOURCES, _case_team_of_codes, distinct_staff, team_group_codes
from procmine.analyse.time import case_codes, same_case_as_previous
from procmine.catalogue import CASE_TYPES
from procmine.eventlog import LogLike, as_frame
from procmine.labels_de.report import NO_TEAM
from procmine.schema import CASE_TYPE, END, RESOURCE

DAY_S = 86400.0


def _default_touch_minutes() -> dict[str, float]:
    """Touch minutes per case type from the catalogue."""
    return {code: float(ct.touch_minutes) for code, ct in CASE_TYPES.items()}


@dataclass(frozen=True)
class StaffingAssumptions:
    """Inputs of the KGSt calculation; every value can be overridden per office.

    >>> StaffingAssumptions(allowance=0.2, annual_hours_per_fte=1560).annual_minutes_per_fte
    93600.0
    """

    touch_minutes: dict[str, float] = field(default_factory=_default_touch_minutes)
    default_touch_minutes: float = 60.0  # case types not in ``touch_minutes`` (or unknown)
    allowance: float = 0.15  # distributed time (Verteilzeit) etc., as a fraction
    annual_hours_per_fte: float = 1600.0
    trainee_factor: float = 1.0  # e.g. 1.3 when many trainees (DOMAIN §7.3)

    @property
    def annual_minutes_per_fte(self) -> float:
        """Net annual working minutes of one full-time employee."""
        return self.annual_hours_per_fte * 60.0


@dataclass(frozen=True)
class StaffingResult:
    """FTE needed vs actual. ``per_case_type`` columns: case_type, cases, annual_volume,
    touch_minutes, annual_minutes, fte_needed. ``per_team`` (merged small teams) likewise by the
    cases' dominant team, with staff_ids seen. ``actual_fte_is_estimate`` says whether
    ``actual_fte`` is a count of distinct staff ids rather than a figure given by the office."""

    period_days: float
    fte_needed: float
    actual_fte: float | None
    actual_fte_is_estimate: bool
    gap_fte: float | None  # needed − actual (positive = too few staff)
    per_case_type: pd.DataFrame
    per_team: pd.DataFrame
    assumptions: StaffingAssumptions


def kgst_staffing(
    log: LogLike,
    assumptions: StaffingAssumptions | None = None,
    actual_fte: float | None = None,
    period_days: float | None = None,
    min_resources: int = MIN_TEAM_RESOURCES,
    spans: CaseSpans | None = None,
) -> StaffingResult:
    """KGSt target staff (FTE) from the case volume of the log, and the gap to the actual staff.

    >>> r = kgst_staffing(log, actual_fte=12.0)  # doctest: +SKIP
    >>> round(r.gap_fte, 1)  # doctest: +SKIP
    """
    log = as_frame(log)
    a = assumptions or StaffingAssumptions()
    spans = spans or case_spans(log)
    c = spans.cases
    end = pd.to_datetime(log[END], utc=True)
    if period_days is None:
        period_days = max((end.max() - c["start"].min()).total_seconds() / DAY_S, 1.0) if len(c) else 0.0
    scale = 365.0 / period_days if period_days else np.nan
    ct = c[CASE_TYPE].astype("object").fillna("unbekannt") if CASE_TYPE in c.columns else pd.Series("unbekannt", index=c.index)
    minutes = ct.map(a.touch_minutes).astype(float).fillna(a.default_touch_minutes) * a.trainee_factor
    factor = (1 + a.allowance) / a.annual_minutes_per_fte

    def table(groups: pd.Series) -> pd.DataFrame:
        g = pd.DataFrame({"g": groups.to_numpy(), "m": minutes.to_numpy()}).groupby("g", dropna=False)
        t = pd.DataFrame({"cases": g.size(), "touch_minutes": g["m"].mean()})
        t["annual_volume"] = t["cases"] * scale
        t["annual_minutes"] = g["m"].sum() * scale
        t["fte_needed"] = t["annual_minutes"] * factor
        return t

    per_ct = table(ct).rename_axis(CASE_TYPE).reset_index()
    per_ct = per_ct[[CASE_TYPE, "cases", "annual_volume", "touch_minutes", "annual_minutes", "fte_needed"]]
    tcodes, tlabels = team_group_codes(log, min_resources)  # integer codes, not text per row
    codes_first = case_codes(log)[~same_case_as_previous(log)]
    case_team = _case_team_of_codes(log, tcodes, tlabels).reindex(codes_first).fillna(NO_TEAM)
    per_team = table(case_team).rename_axis("team").reset_index()
    if RESOURCE in log.columns:
        # distinct staff ids per merged team ("ohne Team" for rows without one), on integer codes
        names = np.append(tlabels, np.array([NO_TEAM], dtype=object))
        gcodes, glabels = pd.factorize(pd.Series(names, dtype=object))
        row_groups = gcodes[np.where(tcodes < 0, len(tlabels), tcodes)]
        used = np.bincount(row_groups, minlength=len(glabels)) > 0
        staff = pd.Series(distinct_staff(row_groups, len(glabels), log)[used], index=np.asarray(glabels, dtype=object)[used])
        per_team["staff_ids"] = per_team["team"].map(staff).fillna(0).astype(int)
        per_team["gap_fte_estimate"] = per_team["fte_needed"] - per_team["staff_ids"]
    needed = float(per_ct["fte_needed"].sum())
    estimate = False
    if actual_fte is None and RESOURCE in log.columns and log[RESOURCE].notna().any():
        actual_fte = float(log[RESOURCE].nunique())
        estimate = True
    gap = needed - actual_fte if actual_fte is not None else None
    return StaffingResult(float(period_days), needed, actual_fte, estimate, gap, per_ct, per_team, a)
