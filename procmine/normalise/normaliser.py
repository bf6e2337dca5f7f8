"""RawTable + Profile -> canonical event log, quarantine and data-quality report, as a sequence of steps."""

from __future__ import annotations

import pandas as pd

from procmine import runtime
from procmine.ingest import RawTable
from procmine.normalise.activities import label_activities
from procmine.normalise.assemble import assemble_log
from procmine.normalise.duplicates import mark_duplicates
from procmine.normalise.events import event_candidates, keep_events
from procmine.normalise.lifecycle import lifecycle_kinds
from procmine.normalise.pseudonyms import pseudonymise_ids
from procmine.normalise.quarantine import _refuse_misread_timestamps, account
from procmine.normalise.result import NormaliseResult
from procmine.normalise.state import prepare
from procmine.profiles import Profile


def normalise(
    raw: RawTable,
    profile: Profile,
    key: bytes | None = None,
    now: pd.Timestamp | None = None,
    office: str | None = None,
) -> NormaliseResult:
    """Turn a RawTable into the canonical log plus quarantine and quality report, following ``profile``.

    Every source row ends up either in the log (as one or more events) or in the quarantine with a reason,
    the column and its original values (case and staff ids pseudonymised, personal columns never loaded).
    ``key`` pseudonymises (default: the key file), ``now`` bounds future timestamps, ``office`` names rows
    without an office column. Under ``runtime.tuned()`` (CLI, bench) the case ids are hashed in a helper
    thread; a library call leaves the interpreter as it was.
    """
    with runtime.quick_thread_handoff(), runtime.without_cycle_collection():
        work = prepare(raw, profile, key, now, office)  # columns through the profile, office per row
        ids = pseudonymise_ids(work)  # case ids (beside the next steps when tuned) and staff ids
        candidates = event_candidates(work, ids)  # timestamps parsed and checked, or milestones unpivoted
        candidates, other_transition = label_activities(work, candidates)
        lc_kind = lifecycle_kinds(work, other_transition)
        _refuse_misread_timestamps(raw, work.marks, profile)
        mark_duplicates(work)
        kept = keep_events(work, candidates, lc_kind, other_transition, ids)  # lifecycle rows paired
        log, flags = assemble_log(work, kept, ids)  # flags, sorted, validated
        quarantine, quality = account(work, kept.kept_rows, len(log), flags, kept.start_rows_merged)
    return NormaliseResult(log=log, quality=quality, quarantine=quarantine, profile=profile)
