"""Findings engine (kept for existing imports): the detectors live in ``procmine.analyse.detectors``."""

from __future__ import annotations

from procmine.analyse.detectors import (
    Network,
    OfficeData,
    detect_network,
    rank_findings,
    wait_pattern,
)
from procmine.analyse.detectors.base import YEAR_D

__all__ = ["YEAR_D", "Network", "OfficeData", "detect_network", "rank_findings", "wait_pattern"]
