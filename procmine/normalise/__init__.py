"""Normalisation: exports in, the canonical event log, its quarantine and a data-quality report out.

The stage is a sequence of named steps, one module each (``normaliser.normalise`` runs them in order):

* ``state``: columns resolved through the profile (``columns``), text as categoricals, office per row;
* ``pseudonyms``: case and staff ids pseudonymised (on distinct values);
* ``events``: event candidates with their timestamps (``procmine.ingest.timestamps``) parsed and checked
  (``quarantine``), or milestone tables unpivoted (``milestones``);
* ``activities``: labels merged and keyed; ``lifecycle``: start/complete kinds and pairing;
* ``duplicates``: exact duplicate rows; ``flags``: kept-but-flagged events;
* ``assemble``: the log sorted and validated (``order``); ``quarantine.account``: read = kept + quarantined;
* ``files``: read a file with its profile (``profile_choice``), normalise, ``write``;
* ``inspect``: ``procmine inspect``.

German text users read lives in ``procmine.labels_de.messages``.
"""

from __future__ import annotations

from procmine.ingest import read_table
from procmine.ingest.timestamps import parse_distinct
from procmine.labels_de.messages import REASON_HINTS_DE, REASON_LABELS_DE
from procmine.normalise.columns import resolve_columns
from procmine.normalise.files import (
    concat_raw,
    ingest_file,
    ingest_office,
    read_with_profile,
)
from procmine.normalise.inspect import InspectReport, inspect_file
from procmine.normalise.normaliser import normalise
from procmine.normalise.order import sort_events
from procmine.normalise.profile_choice import choose_profile, matching_profile
from procmine.normalise.result import FLAGS, REASONS, NormaliseResult, Progress
from procmine.profiles import suggest_profile
from procmine.quality import summary_de

__all__ = [
    "FLAGS",
    "REASONS",
    "REASON_HINTS_DE",
    "REASON_LABELS_DE",
    "InspectReport",
    "NormaliseResult",
    "Progress",
    "choose_profile",
    "concat_raw",
    "ingest_file",
    "ingest_office",
    "inspect_file",
    "matching_profile",
    "normalise",
    "parse_distinct",
    "read_table",
    "read_with_profile",
    "resolve_columns",
    "sort_events",
    "suggest_profile",
    "summary_de",
]
