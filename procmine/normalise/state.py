"""The state the normaliser's steps share for one table, and the first step that sets it up."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from procmine.ingest import RawTable
from procmine.normalise.categories import _categorical_except
from procmine.normalise.columns import _combined_case_id, _office_name, resolve_columns
from procmine.normalise.marks import _Marks
from procmine.normalise.result import FUTURE_TOLERANCE
from procmine.privacy import load_key
from procmine.profiles import Profile


@dataclass
class Work:
    """One table on its way through the steps: its columns, the rows' quarantine marks and what may be written.

    ``safe``: original header -> values safe to write to the quarantine file (pseudonymised where needed);
    ``proxies``: plain-text column -> a per-row function of the row's text (for duplicates).
    """

    raw: RawTable
    profile: Profile
    key: bytes
    data: pd.DataFrame
    cols: dict[str, str]  # canonical field -> header
    office_name: str
    office_row: pd.Series  # categorical office per row
    plausible: pd.Timestamp
    horizon: pd.Timestamp
    marks: _Marks
    notes: dict[str, int]
    drop: set[str]
    safe: dict[str, pd.Series | None] = field(default_factory=dict)
    proxies: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.data)

    @property
    def one_office(self) -> bool:
        return len(self.office_row.cat.categories) <= 1


def prepare(raw: RawTable, profile: Profile, key: bytes | None, now: pd.Timestamp | None, office: str | None) -> Work:
    """Columns resolved through the profile, text as categoricals (timestamp columns stay text), the
    combined case id, the office of each row and the plausible time range."""
    key = load_key() if key is None else key
    now = _utc_now(now)
    cols = resolve_columns(raw, profile)
    time_cols = {cols[f] for f in ("start", "end", "start_date", "end_date", "milestone_date") if f in cols}
    if profile.shape == "milestones" and "milestone_date" not in cols:
        time_cols |= set(profile.milestones) | set(profile.milestone_starts)  # (clock-only ones are categoricals)
    data = _categorical_except(raw.data, time_cols)
    if profile.case_id_with:
        data, cols = _combined_case_id(data, cols, profile.case_id_with)
    n = len(data)
    office_name = office or _office_name(profile, raw)
    if "office" in cols:  # offices per row: a column, or one name
        off = data[cols["office"]].astype(object).where(data[cols["office"]].notna(), office_name)
        office_row = off.astype(str).astype("category")
    else:
        office_row = pd.Series(pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), [office_name]))
    return Work(
        raw=raw,
        profile=profile,
        key=key,
        data=data,
        cols=cols,
        office_name=office_name,
        office_row=office_row,
        plausible=pd.Timestamp(profile.plausible_start, tz=profile.timezone).tz_convert("UTC"),
        horizon=now + FUTURE_TOLERANCE,
        marks=_Marks(n),
        notes={k: int(v) for k, v in raw.notes.items()},
        drop=set(profile.never_load()) | set(profile.privacy_drop),
    )


def _utc_now(now: pd.Timestamp | None) -> pd.Timestamp:
    if now is None:
        return pd.Timestamp.now(tz="UTC")
    now = pd.Timestamp(now)
    return now.tz_convert("UTC") if now.tzinfo else now.tz_localize("UTC")
