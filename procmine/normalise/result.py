"""What the normaliser gives back, and the codes it counts with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from procmine.profiles import Profile
from procmine.quality import QualityReport

Progress = Callable[[int, int | None], None]


# quarantine reasons, in the order they are checked (a row gets the first that applies)
REASONS = (
    "malformed_row",
    "missing_case_id",
    "missing_activity",
    "missing_timestamp",
    "unparseable_timestamp",
    "implausibly_early_timestamp",
    "future_timestamp",
    "start_after_end",
    "value_too_long",
    "unknown_activity",
    "unknown_lifecycle",
    "exact_duplicate",
    "unmatched_lifecycle",
)


FLAGS = ("out_of_order", "batch_entry", "day_precision", "unmatched_complete")


MAX_VALUE_CHARS = 500


QUARANTINE_VALUE_CHARS = 1000


FUTURE_TOLERANCE = pd.Timedelta(days=1)


@dataclass(frozen=True)
class NormaliseResult:
    """The canonical log, the quarantined rows and the counts that tie them together."""

    log: pd.DataFrame
    quality: QualityReport
    quarantine: pd.DataFrame
    profile: Profile | None = None
    paths: dict[str, Path] = field(default_factory=dict)
