"""The golden report test guards its file: without it the test fails and writes nothing; only
PROCMINE_UPDATE_GOLDEN=1 writes it."""

from __future__ import annotations

from pathlib import Path

import pytest
import test_report


def test_missing_golden_file_fails_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    golden = tmp_path / "golden"
    monkeypatch.setattr(test_report, "GOLDEN", golden)
    monkeypatch.setattr(test_report, "UPDATE_GOLDEN", False)
    with pytest.raises(AssertionError, match="golden file .* missing"):
        test_report.test_report_model_golden(None)  # catalogues unpinned: the check comes before any comparison
    assert not golden.exists()


def test_update_flag_writes_the_golden_file_it_then_matches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    golden = tmp_path / "golden"
    monkeypatch.setattr(test_report, "GOLDEN", golden)
    monkeypatch.setattr(test_report, "UPDATE_GOLDEN", True)
    test_report.test_report_model_golden(None)
    written = (golden / "report_model.json").read_text(encoding="utf-8")
    assert '"comparison"' in written and '"office"' in written
    monkeypatch.setattr(test_report, "UPDATE_GOLDEN", False)
    test_report.test_report_model_golden(None)  # the same model again: passes against what was written
