"""Process-wide tuning is opt-in: library calls leave the interpreter as found; ``runtime.tuned()`` undoes itself."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pytest

from procmine import runtime

from conftest import TEST_KEY

ROOT = Path(__file__).resolve().parents[1]

CSV = """Vorgang;Tätigkeit;Ende;Sachbearbeitung
V1;Antrag eingegangen;06.01.2025 09:00;S1
V1;Vollständigkeit geprüft;07.01.2025 10:30;S2
V1;Entscheidung getroffen;09.01.2025 14:00;S1
V2;Antrag eingegangen;06.01.2025 11:00;S2
V2;Vollständigkeit geprüft;08.01.2025 08:15;S2
"""

# run in a plain interpreter: the state is read before and after each library call
CHILD = textwrap.dedent(
    """
    import gc, json, sys
    from pathlib import Path
    import pyarrow as pa

    def state():
        return {"switch": sys.getswitchinterval(), "gc": gc.isenabled(),
                "pool": pa.default_memory_pool().backend_name, "threads": __import__("threading").active_count()}

    calls = []  # any attempt to change the state, even one undone later

    def recording(name, real):
        def call(*args):
            calls.append(name)
            return real(*args)
        return call

    sys.setswitchinterval = recording("setswitchinterval", sys.setswitchinterval)
    gc.disable = recording("gc.disable", gc.disable)
    pa.jemalloc_set_decay_ms = recording("jemalloc_set_decay_ms", pa.jemalloc_set_decay_ms)

    work = Path(sys.argv[1])
    seen = [state()]
    import procmine
    from procmine.normalise import ingest_file
    result = ingest_file(work / "ABH-01.csv", work / "out", key=b"k" * 32)
    seen.append(state())
    log = procmine.load(work / "out" / "ABH-01.parquet")
    seen.append(state())
    from procmine.analyse import analyse_office
    analyse_office(log)
    seen.append(state())
    print(json.dumps({"seen": seen, "kept": result.quality.rows_kept, "calls": calls}))
    """
)


def test_library_calls_leave_the_interpreter_as_found(tmp_path: Path) -> None:
    (tmp_path / "ABH-01.csv").write_text(CSV, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path)], check=False, capture_output=True, text=True, cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["kept"] == 5  # the ingest really ran
    first, *after = out["seen"]
    assert first["gc"] is True and first["switch"] == 0.005  # a plain interpreter's defaults
    for state in after:  # ingest_file, procmine.load, analyse_office
        assert state == first
    assert out["calls"] == []  # not even changed and put back: the reader's allocator decay included


def test_tuned_changes_state_only_inside_and_restores_it() -> None:
    switch, gc_on = sys.getswitchinterval(), gc.isenabled()
    assert not runtime.is_tuned()
    assert runtime.reading_pool().backend_name == pa.default_memory_pool().backend_name
    with runtime.quick_thread_handoff(), runtime.without_cycle_collection():  # not tuned: no change
        assert sys.getswitchinterval() == switch and gc.isenabled() == gc_on
    with runtime.tuned():
        with runtime.tuned():  # re-entrant
            assert runtime.is_tuned()
        assert runtime.is_tuned()
        with runtime.quick_thread_handoff(), runtime.without_cycle_collection():
            assert abs(sys.getswitchinterval() - runtime.GIL_HANDOFF_S) < 1e-9
            assert not gc.isenabled()
        assert sys.getswitchinterval() == switch and gc.isenabled() == gc_on
    assert not runtime.is_tuned()
    assert sys.getswitchinterval() == switch and gc.isenabled() == gc_on


def test_helpers_give_the_same_results_tuned_or_not() -> None:
    plain = (runtime.beside(lambda: 6 * 7).result(), runtime.parallel_map(lambda x: x * x, range(5)))
    with runtime.tuned():
        tuned = (runtime.beside(lambda: 6 * 7).result(), runtime.parallel_map(lambda x: x * x, range(5)))
    assert plain == tuned == (42, [0, 1, 4, 9, 16])
    failing = runtime.beside(lambda: 1 // 0)  # an error reaches the caller through result(), as from a thread
    try:
        failing.result()
    except ZeroDivisionError:
        pass
    else:
        raise AssertionError("the job's error was lost")


def test_the_cli_runs_its_command_tuned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from procmine.cli import app

    seen: list[bool] = []
    real = runtime.tuned

    @contextmanager
    def recording() -> Iterator[None]:
        with real():
            seen.append(runtime.is_tuned())
            yield
        seen.append(runtime.is_tuned())

    monkeypatch.setattr(runtime, "tuned", recording)
    monkeypatch.setenv("PROCMINE_KEY", TEST_KEY)
    (tmp_path / "ABH-01.csv").write_text(CSV, encoding="utf-8")
    switch, gc_on = sys.getswitchinterval(), gc.isenabled()
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "ABH-01.csv"), "--out", str(tmp_path / "out"), "--quiet"])
    assert res.exit_code == 0, res.output
    assert seen == [True, False]  # entered for the command, left when it ended
    assert sys.getswitchinterval() == switch and gc.isenabled() == gc_on
