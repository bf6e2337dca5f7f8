"""Data-quality summary of one office's ingest: what was read, kept, quarantined and flagged."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class QualityReport:
    """Counts that add up: ``rows_read == rows_kept + rows_quarantined`` (checked in __post_init__).

    ``rows_*`` count source rows (a milestone row that becomes several events counts once).
    ``by_reason``: quarantine reason code -> rows; ``by_column``: original column -> quarantined rows;
    ``flags``: kept-but-flagged code (out_of_order, batch_entry, day_precision, ...) -> events;
    ``notes``: informational counts (dst_ambiguous_resolved, duplicates_across_files, ...).
    """

    office: str
    files: tuple[str, ...]
    rows_read: int
    rows_kept: int
    rows_quarantined: int
    events: int
    by_reason: dict[str, int] = field(default_factory=dict)
    by_column: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)
    quarantine_file: str | None = None
    profile: str | None = None

    def __post_init__(self) -> None:
        if self.rows_read != self.rows_kept + self.rows_quarantined:
            raise ValueError(
                f"row counts do not add up for {self.office}: read {self.rows_read} != "
                f"kept {self.rows_kept} + quarantined {self.rows_quarantined}"
            )
        if sum(self.by_reason.values()) != self.rows_quarantined:
            raise ValueError(f"quarantine reasons do not add up for {self.office}")

    def to_dict(self) -> dict:
        return asdict(self)
