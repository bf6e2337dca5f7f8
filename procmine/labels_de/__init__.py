"""One home for every German text a user reads: report labels, network wording, error reasons and hints.

Code and identifiers stay English; each stage looks its words up here by key, so a translation or a
rewording touches only this package. It imports nothing from the pipeline stages (no import cycles):

- ``report``: headings, sentences and table labels of the office and network reports, finding and
  measure texts (``label``, ``label_or``, ``has_label``);
- ``network``: the network comparison's verdicts and wording (``nlabel``), read by compare and report;
- ``report``: also the legal norm a finding cites (``NORM_VWGO_75*``) and the no-team group (``NO_TEAM``);
- ``network``: also the messages of an unreadable ``--measure``;
- ``messages``: ingest and event-log problems, quarantine reasons and hints, the CLI summary: the parts
  (found, expected, hint) of each input problem by key (``PROBLEMS``, ``problem``), how a problem reads
  (``PROBLEM_FRAME``), the ``found`` of quarantined rows (``REJECT_FOUND``), profile problems
  (``PROFILE_PROBLEMS``, ``profile_problem``) and field names (``FIELD_LABELS``), the progress lines of a
  run (``PROGRESS``, ``progress_text``);
- ``safety``: the pseudonymisation key (``key_text``), writing the outputs (``OS_REASONS``,
  ``output_text``) and the per-file limits (``limit_text``).

No German sentence lives outside this package, except the CLI's option help (``cli.py``), the catalogue's
domain terms, the KPI definitions and the synthetic export data (``tests/test_texts.py`` checks it).
"""

from __future__ import annotations

from procmine.labels_de.network import nlabel
from procmine.labels_de.report import has_label, label, label_or

__all__ = ["has_label", "label", "label_or", "nlabel"]
