"""Several exports of one office: one log, one quarantine file, overlaps found, nothing overwritten.

An office's monthly exports go into a subfolder named after the office; top-level files that turn out
to feed the same office (an office column) are read again together. Counts are worked out by hand in
the comments.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from procmine import schema
from procmine.cli import app
from procmine.errors import InputProblem
from procmine.pipeline import ingest_folder, load_normalised, load_qualities

from conftest import PUBLIC_DATA, TEST_KEY

HEADER = "Vorgang;Tätigkeit;Ende;Sachbearbeiter"
JAN = [
    "V1;Antrag eingegangen;06.01.2025 09:00;S1",
    "V1;Termin vergeben;08.01.2025 10:00;S1",
    "V2;Antrag eingegangen;30.01.2025 11:00;S2",
]
FEB = [
    "V2;Antrag eingegangen;30.01.2025 11:00;S2",  # repeated from the January export (overlap)
    "V2;Termin vergeben;03.02.2025 09:30;S2",
    "V3;Antrag eingegangen;04.02.2025 08:00;S1",
    ";Termin vergeben;05.02.2025 08:00;S1",  # missing case id
]
PROFILE = """[profile]
name = "monthly"
format = "csv"
encoding = "utf-8"
delimiter = ";"
date_format = "%d.%m.%Y %H:%M"
match_columns = ["Vorgang", "Tätigkeit", "Ende"]

[columns]
case_id = "Vorgang"
activity = "Tätigkeit"
end = "Ende"
resource = "Sachbearbeiter"
"""


def _csv(path: Path, header: str, rows: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCMINE_KEY", TEST_KEY)


def test_monthly_exports_in_a_subfolder_become_one_office(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    _csv(exports / "ABH-07" / "2025-01.csv", HEADER, JAN)
    _csv(exports / "ABH-07" / "2025-02.csv", HEADER, FEB)
    (exports / "ABH-07" / "monthly.profile.toml").write_text(PROFILE, encoding="utf-8")
    out = tmp_path / "normalised"
    logs, qualities = ingest_folder(exports, out)
    q = qualities["ABH-07"]
    # 7 rows read = 5 kept + 1 duplicate across files + 1 missing case id
    assert (q.rows_read, q.rows_kept, q.rows_quarantined, q.events) == (7, 5, 2, 5)
    assert q.by_reason == {"exact_duplicate": 1, "missing_case_id": 1}
    assert q.notes.get("duplicates_across_files") == 1
    assert q.files == ("2025-01.csv", "2025-02.csv")
    on_disk = load_normalised(out)
    assert list(on_disk) == ["ABH-07"] and len(on_disk["ABH-07"]) == 5 == len(logs["ABH-07"])
    assert sorted(p.name for p in out.glob("*.quarantine.csv")) == ["ABH-07.quarantine.csv"]
    assert len(pd.read_csv(out / "ABH-07.quarantine.csv", sep=";", encoding="utf-8-sig")) == 2


def test_top_level_files_of_one_office_are_read_together(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    header = HEADER + ";Dienststelle"
    _csv(exports / "land.csv", header, [r + ";ABH-01" for r in JAN] + ["W1;Antrag eingegangen;07.01.2025 09:00;S9;ABH-02"])
    _csv(exports / "nachtrag.csv", header, [r + ";ABH-01" for r in FEB])
    (exports / "land.profile.toml").write_text(
        PROFILE.replace('"Ende"]', '"Ende", "Dienststelle"]') + 'office = "Dienststelle"\n', encoding="utf-8"
    )
    out = tmp_path / "normalised"
    logs, qualities = ingest_folder(exports, out)
    a, b = qualities["ABH-01"], qualities["ABH-02"]
    assert (a.rows_read, a.rows_kept, a.rows_quarantined, a.events) == (7, 5, 2, 5)
    assert a.notes.get("duplicates_across_files") == 1
    assert (b.rows_read, b.rows_kept, b.events) == (1, 1, 1)
    on_disk = load_normalised(out)
    # the joined read replaced the separate outputs: nothing stale, nothing lost
    assert {o: len(df) for o, df in on_disk.items()} == {"ABH-01": 5, "ABH-02": 1}
    assert {o: len(df) for o, df in logs.items()} == {"ABH-01": 5, "ABH-02": 1}
    assert sorted(p.name for p in out.glob("*.quarantine.csv")) == ["land.quarantine.csv"]
    assert set(load_qualities(out)) == {"ABH-01", "ABH-02"}
    schema.validate(on_disk["ABH-01"])


def test_one_office_in_two_export_shapes_is_refused_with_a_message(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    _csv(exports / "land.csv", HEADER + ";Dienststelle", [r + ";ABH-03" for r in JAN])
    (exports / "land.profile.toml").write_text(
        PROFILE.replace('"Ende"]', '"Ende", "Dienststelle"]') + 'office = "Dienststelle"\n', encoding="utf-8"
    )
    _csv(exports / "ABH-03.csv", "case:concept:name,concept:name,time:timestamp",
         ["X1,application_received,2025-01-02T10:00:00+01:00"])
    with pytest.raises(InputProblem) as err:
        ingest_folder(exports, tmp_path / "normalised")
    assert err.value.code == "office_in_several_shapes" and "ABH-03" in str(err.value)


def test_cli_ingest_with_office_joins_the_files(tmp_path: Path) -> None:
    _csv(tmp_path / "jan.csv", HEADER, JAN)
    _csv(tmp_path / "feb.csv", HEADER, FEB)
    (tmp_path / "monthly.profile.toml").write_text(PROFILE, encoding="utf-8")
    out = tmp_path / "normalised"
    res = CliRunner().invoke(
        app, ["ingest", str(tmp_path / "jan.csv"), str(tmp_path / "feb.csv"), "--office", "ABH-09", "--out", str(out), "--quiet"]
    )
    assert res.exit_code == 0, res.output
    assert "ABH-09: 7 Zeilen gelesen = 5 übernommen + 2 in Quarantäne; 5 Ereignisse" in res.output
    assert len(load_normalised(out)["ABH-09"]) == 5


def test_a_file_matching_a_profile_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import procmine.normalise.files as normalise

    header = HEADER + ";Name"  # a personal column the profile drops: never loaded
    rows = [f"V{i};Antrag eingegangen;06.01.2025 09:{i % 60:02d};S{i % 7};Erika Mustermann {i}" for i in range(12000)]
    _csv(tmp_path / "ABH-05.csv", header, rows)  # about 500 KB: chosen from a preview of the head
    (tmp_path / "p.profile.toml").write_text(PROFILE + '\n[privacy]\ndrop = ["Name"]\n', encoding="utf-8")
    calls: list[tuple] = []
    real = normalise.read_table

    def counting(*args: object, **kwargs: object):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(normalise, "read_table", counting)
    res = normalise.ingest_file(tmp_path / "ABH-05.csv", tmp_path / "out")
    assert len(calls) == 1 and res.profile.name == "monthly"
    assert res.quality.rows_kept == 12000
    assert "Name" not in res.quarantine.columns and "Erika" not in (tmp_path / "out" / "ABH-05.quarantine.csv").read_text(encoding="utf-8-sig")


def test_same_log_in_two_formats_stays_two_sources(tmp_path: Path) -> None:
    import shutil

    public = PUBLIC_DATA
    exports = tmp_path / "exports"
    exports.mkdir()
    for name in ("running-example.csv", "running-example.xes"):
        shutil.copy(public / name, exports / name)
    logs, qualities = ingest_folder(exports, tmp_path / "normalised")
    # same file stem, different formats: not one office's two exports (that would count every event twice)
    assert sorted(logs) == ["running-example.csv", "running-example.xes"]
    assert [len(logs[o]) for o in sorted(logs)] == [42, 42]
    assert {o: q.rows_read for o, q in qualities.items()} == {"running-example.csv": 42, "running-example.xes": 42}
    assert {o: len(df) for o, df in load_normalised(tmp_path / "normalised").items()} == {
        "running-example.csv": 42, "running-example.xes": 42}


def test_cli_overrides_encoding_and_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "ABH-06.csv"
    path.write_bytes(("\n".join([HEADER, *JAN]) + "\n").encode("cp1252"))
    runner = CliRunner()
    res = runner.invoke(app, ["inspect", str(path), "--encoding", "latin-1", "--write-profile", str(tmp_path / "x.toml")])
    assert res.exit_code == 0, res.output
    assert "Kodierung: iso-8859-1" in res.output  # as told, not the detected cp1252
    assert 'encoding = "latin-1"' in (tmp_path / "x.toml").read_text(encoding="utf-8")
    wrong = runner.invoke(app, ["ingest", str(path), "--delimiter", ",", "--out", str(tmp_path / "n1"), "--quiet"])
    assert wrong.exit_code == 1  # every line is one column when split at commas: a clear data problem
    right = runner.invoke(app, ["ingest", str(path), "--delimiter", ";", "--encoding", "cp1252", "--out", str(tmp_path / "n2"), "--quiet"])
    assert right.exit_code == 0, right.output
    assert "3 Zeilen gelesen = 3 übernommen" in right.output
