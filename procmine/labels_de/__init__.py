"""One home for every German text a user reads: report labels, network wording, error reasons and hints.

Code and identifiers stay English; each stage looks its words up here by key, so a translation or a
rewording touches only this package. It imports nothing from the pipeline stages (no import cycles):

- ``report``: headings, sentences and table labels of the office and network reports, finding and
  measure texts (``label``, ``label_or``, ``has_label``);
- ``network``: the network comparison's verdicts and wording (``nlabel``), read by compare and report;
- ``messages``: ingest and event-log problems, quarantine reasons and hints, the CLI summary.
"""

from __future__ import annotations

from procmine.labels_de.network import nlabel
from procmine.labels_de.report import has_label, label, label_or

__all__ = ["has_label", "label", "label_or", "nlabel"]
