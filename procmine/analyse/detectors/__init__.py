"""Findings detectors, one module per pattern family, registered in ``registry``.

``detect_network`` (in ``combine``) runs every registered detector over the whole network at once (one
vectorised table over all offices, because the norm of a step is often the network's typical office),
merges findings that are one problem, and ranks them per office. Every module of this package is
imported here, so a new detector module registers itself without any other file changing.
"""

from __future__ import annotations

import importlib
import pkgutil

from procmine.analyse.detectors.base import Network, OfficeData
from procmine.analyse.detectors.combine import detect_network, rank_findings
from procmine.analyse.detectors.waits import wait_pattern

for _m in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_m.name}")

__all__ = ["Network", "OfficeData", "detect_network", "rank_findings", "wait_pattern"]
