"""Benchmark: procmine against pm4py (and DuckDB's SQL) on the same log, in the same run.

``python -m procmine.bench [--cases 100000] [--ingest-rows 1000000] [--network-cases 3000]``
prints a table of seconds and ratios plus peak memory, and writes the same figures as JSON
(``bench-results/bench-<time>.json``). Speed targets live here, never in a timed unit test.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from procmine import schema
from procmine.catalogue import ACTIVITIES

# Path templates of a case (canonical keys); "LOOP" marks where document rounds repeat.
_TEMPLATES: list[tuple[list[str], float]] = [
    (["application_received", "appointment_requested", "appointment_scheduled", "appearance_completed",
      "biometrics_captured", "completeness_checked", "LOOP", "register_checked", "decision_approved",
      "fee_paid", "eat_ordered", "eat_received", "handover_scheduled", "eat_handed_over", "case_closed"], 0.45),
    (["application_received", "appointment_requested", "appointment_scheduled", "appearance_completed",
      "completeness_checked", "LOOP", "ba_consent_requested", "ba_consent_granted", "register_checked",
      "decision_approved", "fee_paid", "eat_ordered", "eat_received", "eat_handed_over", "case_closed"], 0.15),
    (["application_received", "appointment_requested", "appointment_scheduled", "appearance_completed",
      "completeness_checked", "LOOP", "security_check_requested", "security_check_completed",
      "fiction_certificate_issued", "decision_approved", "eat_ordered", "eat_received", "eat_handed_over",
      "case_closed"], 0.15),
    (["application_received", "appointment_requested", "appointment_scheduled", "appointment_no_show",
      "appointment_scheduled", "appearance_completed", "completeness_checked", "decision_approved",
      "paper_document_issued", "case_closed"], 0.15),
    (["application_received", "completeness_checked", "LOOP", "hearing_letter_sent", "decision_rejected",
      "case_closed"], 0.10),
]


def bench_log(n_cases: int, seed: int = 7) -> pd.DataFrame:
    """A canonical interval log of ``n_cases`` cases (~14 events each), built vectorised."""
    rng = np.random.default_rng(seed)
    keys = list(ACTIVITIES)
    code_of = {k: i for i, k in enumerate(keys)}
    probs = np.array([p for _, p in _TEMPLATES])
    template = rng.choice(len(_TEMPLATES), size=n_cases, p=probs / probs.sum())
    rounds = np.minimum(rng.geometric(0.7, size=n_cases) - 1, 4)
    case_codes, act_codes = [], []
    for t, (steps, _) in enumerate(_TEMPLATES):  # loop over path shapes (a few dozen), not cases
        for k in range(5):
            cases = np.flatnonzero((template == t) & (rounds == k))
            if cases.size == 0:
                continue
            seq: list[int] = []
            for s in steps:
                if s == "LOOP":
                    seq += [code_of["documents_requested"], code_of["documents_received"]] * k
                else:
                    seq.append(code_of[s])
            case_codes.append(np.repeat(cases, len(seq)))
            act_codes.append(np.tile(np.array(seq), cases.size))
    case = np.concatenate(case_codes)
    act = np.concatenate(act_codes)
    order = np.argsort(case, kind="stable")
    case, act = case[order], act[order]
    n = case.size
    gap_s = rng.lognormal(mean=np.log(3 * 86400), sigma=1.2, size=n)
    service_s = rng.lognormal(mean=np.log(20 * 60), sigma=0.6, size=n)
    first = np.r_[True, case[1:] != case[:-1]]
    case_start = rng.uniform(0, 640 * 86400, size=n_cases)
    gap_s[first] = 0.0
    # cumulative time within each case: total cumsum minus the cumsum at the case's first row
    step = gap_s + service_s
    cum = np.cumsum(step)
    base = np.maximum.accumulate(np.where(first, cum - step, 0.0))
    end_s = case_start[case] + (cum - base)
    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    end = t0 + pd.to_timedelta(end_s, unit="s")
    start = end - pd.to_timedelta(service_s, unit="s")
    case_ids = np.char.add("C", np.char.zfill(case.astype(str), 7))
    df = pd.DataFrame(
        {
            schema.CASE_ID: case_ids,
            schema.ACTIVITY: np.array(keys, dtype=object)[act],
            schema.ACTIVITY_KEY: np.array(keys, dtype=object)[act],
            schema.START: start,
            schema.END: end,
            schema.PRECISION: "second",
            schema.RESOURCE: np.char.add("R", (rng.integers(0, 60, size=n)).astype(str)),
            schema.TEAM: np.char.add("Team ", (rng.integers(0, 6, size=n)).astype(str)),
            schema.OFFICE: "BENCH",
            schema.CASE_TYPE: "AE_EXT",
            schema.EVENT_SEQ: np.arange(n),
            schema.SOURCE_FILE: "bench",
            schema.SOURCE_ROW: np.arange(n) + 2,
        }
    )
    return schema.conform(df)


def _timed(fn: Callable[[], object], repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (VmHWM: not inherited across fork+exec, unlike ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def analysis_steps(log: pd.DataFrame) -> list[dict]:
    """Time each statistic in procmine and in pm4py (and DuckDB where a SQL form exists)."""
    import pm4py

    from procmine import analyse
    from procmine.analyse.handover import handover_of_work
    from procmine.eventlog import EventLog

    events = EventLog.of(log)  # checked and put in order once, outside the timings, like pm4py's frame below
    log = events.df
    keys = schema.PM4PY_KEYS.kwargs()
    pm = schema.for_pm4py(log)  # converted once, outside the timings
    pm["start_timestamp"] = pm[schema.START]  # pm4py's performance DFG reads starts from this name
    steps: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
        ("dfg", lambda: analyse.directly_follows(log), lambda: pm4py.discover_dfg(pm, **keys)),
        ("performance_dfg", lambda: analyse.process_map(log),
         lambda: pm4py.discover_performance_dfg(pm, **keys)),
        ("variants", lambda: analyse.variants(log, top=10), lambda: pm4py.get_variants(pm, **keys)),
        ("case_durations", lambda: analyse.case_durations(log),
         lambda: pm4py.get_all_case_durations(pm, **keys)),
        ("rework", lambda: analyse.rework(log), lambda: pm4py.get_rework_cases_per_activity(pm, **keys)),
        ("handover", lambda: handover_of_work(log),
         lambda: pm4py.discover_handover_of_work_network(
             pm, case_id_key=schema.CASE_ID, timestamp_key=schema.END, resource_key=schema.RESOURCE)),
    ]
    rows = []
    for name, ours, theirs in steps:
        ours()  # warm-up (imports, caches)
        p = _timed(ours, repeat=3)
        q = _timed(theirs, repeat=1)
        rows.append({"step": name, "procmine_s": round(p, 4), "pm4py_s": round(q, 4), "ratio": round(q / p, 1)})
        print(f"  {name:<16} procmine {p:8.3f} s   pm4py {q:8.3f} s   ×{q / p:7.1f}", flush=True)
    return rows


def duckdb_reference(log: pd.DataFrame) -> dict:
    """DFG counts + mean waits in DuckDB SQL on the same frame (the reference the issue names)."""
    try:
        import duckdb
    except ImportError:
        return {"available": False}
    frame = log[[schema.CASE_ID, schema.ACTIVITY, schema.START, schema.END, schema.EVENT_SEQ]].copy()
    frame[schema.CASE_ID] = frame[schema.CASE_ID].astype(str)
    frame[schema.ACTIVITY] = frame[schema.ACTIVITY].astype(str)
    con = duckdb.connect()
    con.register("log", frame)
    sql = """
        WITH t AS (
          SELECT activity AS a, "end" AS e,
                 lead(activity) OVER w AS b, lead(coalesce(start, "end")) OVER w AS s
          FROM log WINDOW w AS (PARTITION BY case_id ORDER BY "end", event_seq))
        SELECT a, b, count(*) AS n, avg(epoch(s) - epoch(e)) AS mean_wait
        FROM t WHERE b IS NOT NULL GROUP BY a, b"""
    con.execute(sql).fetchall()  # warm-up
    seconds = _timed(lambda: con.execute(sql).fetchall(), repeat=3)
    return {"available": True, "dfg_mean_wait_s": round(seconds, 4)}


def _hand_back_memory() -> None:
    """Return the memory the bench process freed (the generated log) to the system before the timed runs.
    On a virtual machine whose host backs guest memory lazily, fresh processes otherwise get pages the
    host has never backed, and every first touch costs a host fault: both sides ran up to a fifth slower
    while this process kept a gigabyte it no longer used."""
    from procmine.runtime import release_free_memory

    gc.collect()
    release_free_memory()


# the fresh ingest processes run with the CLI's process-wide tuning (``procmine.runtime``), entered for the
# child's whole life (it ends right after printing)
TUNED = "from procmine.runtime import tuned;_tuning=tuned();_tuning.__enter__();"
INGEST_REPEATS = 5  # fresh-process runs per side; the median is reported (a run on a shared VM varies by +-20 %)


def _fresh_runs(codes: dict[str, str]) -> dict[str, list[dict]]:
    """Run each snippet ``INGEST_REPEATS`` times in fresh processes, alternating; each prints seconds, peak
    RSS in MB and rows as its last three words (one run on a shared machine varies by +-20 %)."""
    runs: dict[str, list[dict]] = {name: [] for name in codes}
    for _ in range(INGEST_REPEATS):
        for name, code in codes.items():
            proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            if proc.returncode != 0:
                print(proc.stderr[-2000:], file=sys.stderr)
                continue
            secs, peak, rows = proc.stdout.split()[-3:]
            runs[name].append({"seconds": float(secs), "peak_rss_mb": float(peak), "rows": int(rows)})
    return runs


def ingest_step(rows: int, workdir: Path, shape: str = "xes") -> dict:
    """Ingest a ``rows``-event CSV: procmine vs pandas.read_csv + pm4py.format_dataframe on the same file.

    ``shape``: ``xes`` (XES-style names, ISO timestamps with offset, comma, UTF-8; the issue's target)
    or ``de`` (German office export: semicolon, Windows-1252, German step labels, dd.mm.yyyy HH:MM:SS
    local time; pandas and pm4py are given the date format, as an analyst would).
    """
    cases = max(1, rows // 12)
    log = bench_log(cases, seed=11)
    while len(log) < rows:  # cases have about 13 events: enough of them for exactly ``rows`` rows
        cases = cases + cases // 10 + 1
        log = bench_log(cases, seed=11)
    log = log.head(rows)
    csv = workdir / f"ingest_bench_{shape}.csv"
    if shape == "de":
        local = {c: log[c].dt.tz_convert("Europe/Berlin").dt.strftime("%d.%m.%Y %H:%M:%S") for c in (schema.START, schema.END)}
        out = pd.DataFrame(
            {
                "Vorgang": log[schema.CASE_ID].astype(str),
                "Tätigkeit": log[schema.ACTIVITY].astype(str).map(ACTIVITIES),  # the German labels: umlauts, §
                "Beginn": local[schema.START],
                "Ende": local[schema.END],
                "Sachbearbeitung": log[schema.RESOURCE].astype(str),
                "Team": log[schema.TEAM].astype(str),
            }
        )
        out.to_csv(csv, index=False, sep=";", encoding="cp1252")
        read = f"pd.read_csv({str(csv)!r},sep=';',encoding='cp1252')"
        keys = "case_id='Vorgang',activity_key='Tätigkeit',timestamp_key='Ende',start_timestamp_key='Beginn',timest_format='%d.%m.%Y %H:%M:%S'"
    else:
        out = pd.DataFrame(
            {
                "case:concept:name": log[schema.CASE_ID].astype(str),
                "concept:name": log[schema.ACTIVITY].astype(str),
                "start_timestamp": log[schema.START].dt.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "time:timestamp": log[schema.END].dt.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "org:resource": log[schema.RESOURCE].astype(str),
                "org:group": log[schema.TEAM].astype(str),
            }
        )
        out.to_csv(csv, index=False)
        read = f"pd.read_csv({str(csv)!r})"
        keys = "case_id='case:concept:name',activity_key='concept:name',timestamp_key='time:timestamp'"
    del log, out
    _hand_back_memory()
    size_mb = csv.stat().st_size / 1e6
    ours = (
        "import time,resource,sys;from pathlib import Path;from procmine.normalise import ingest_file;" + TUNED +
        f"t=time.perf_counter();r=ingest_file(Path({str(csv)!r}),Path({str(workdir / 'norm')!r}));"
        "from procmine.bench import _peak_rss_mb;print(time.perf_counter()-t, _peak_rss_mb(), r.quality.rows_kept)"
    )
    theirs = (
        "import time,resource,pandas as pd,pm4py;"
        f"t=time.perf_counter();df={read};"
        f"df=pm4py.format_dataframe(df,{keys});"
        "from procmine.bench import _peak_rss_mb;print(time.perf_counter()-t, _peak_rss_mb(), len(df))"
    )
    base_mb = float(
        subprocess.run(
            [sys.executable, "-c", "import pandas,pyarrow,procmine.normalise;from procmine.bench import _peak_rss_mb;"
             "print(_peak_rss_mb())"],
            capture_output=True, text=True, check=True,
        ).stdout.split()[0]
    )
    # each side runs INGEST_REPEATS times in fresh processes, alternating; the median time and the
    # largest peak are reported (one run on a shared machine varies by +-20 %)
    runs = _fresh_runs({"procmine": ours, "pandas+pm4py": theirs})
    res = {
        name: {
            "seconds": float(np.median([r["seconds"] for r in rs])),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in rs),
            "rows": rs[0]["rows"],
            "all_seconds": [round(r["seconds"], 3) for r in rs],
        }
        if rs else None
        for name, rs in runs.items()
    }
    p, q = res.get("procmine"), res.get("pandas+pm4py")
    row = {
        "step": f"ingest_{rows}_rows" if shape == "xes" else f"ingest_{rows}_rows_{shape}",
        "procmine_s": p and round(p["seconds"], 3),
        "pm4py_s": q and round(q["seconds"], 3),
        "ratio": round(q["seconds"] / p["seconds"], 1) if p and q else None,
        "file_mb": round(size_mb, 1),
        "procmine_peak_rss_mb": p and round(p["peak_rss_mb"], 1),
        "procmine_peak_over_baseline_mb": p and round(p["peak_rss_mb"] - base_mb, 1),
        "memory_ratio_to_file": p and round((p["peak_rss_mb"] - base_mb) / size_mb, 2),
        "rows_kept": p and p["rows"],
        "runs": INGEST_REPEATS,
        "procmine_all_s": p and p["all_seconds"],
        "pm4py_all_s": q and q["all_seconds"],
    }
    print(
        f"  ingest {rows:,} rows {'(XES-style' if shape == 'xes' else '(German export'}, {size_mb:.0f} MB, median of {INGEST_REPEATS} runs each): procmine {row['procmine_s']} s, "
        f"pandas+pm4py {row['pm4py_s']} s, "
        f"×{row['ratio']}; procmine peak {row['procmine_peak_rss_mb']} MB "
        f"({row['memory_ratio_to_file']}× file size above the {base_mb:.0f} MB interpreter baseline)",
        flush=True,
    )
    return row


def _write_xes(log: pd.DataFrame, path: Path) -> None:
    """A gzipped XES file of the bench log (lifecycle complete, ISO times with offset), written directly:
    pm4py's writer would take longer than what is measured."""
    from xml.sax.saxutils import quoteattr

    def attr(kind: str, key: str, value: str) -> str:
        return f'<{kind} key="{key}" value={quoteattr(value)}/>'

    case = log[schema.CASE_ID].astype(str).to_numpy()
    act = log[schema.ACTIVITY].astype(str).to_numpy()
    res = log[schema.RESOURCE].astype(str).to_numpy()
    end = log[schema.END].dt.strftime("%Y-%m-%dT%H:%M:%S.000+00:00").to_numpy()
    bounds = np.flatnonzero(np.r_[True, case[1:] != case[:-1], True])
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0" xmlns="http://www.xes-standard.org/">\n']
    for lo, hi in zip(bounds[:-1], bounds[1:]):  # writing a file for the bench: one string per case
        parts.append(f"<trace>{attr('string', 'concept:name', case[lo])}")
        parts.extend(
            f"<event>{attr('string', 'concept:name', act[i])}{attr('string', 'org:resource', res[i])}"
            f"{attr('string', 'lifecycle:transition', 'complete')}{attr('date', 'time:timestamp', end[i])}</event>"
            for i in range(lo, hi)
        )
        parts.append("</trace>\n")
    parts.append("</log>\n")
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=3) as fh:
        fh.write("".join(parts))


def xes_step(events: int, workdir: Path) -> dict:
    """Ingest an ``events``-event .xes.gz: procmine (read, normalise, write Parquet) vs ``pm4py.read_xes``
    (read only), each in fresh processes, median of ``INGEST_REPEATS`` runs."""
    log = bench_log(max(1, events // 14), seed=5).head(events)
    path = workdir / "bench.xes.gz"
    _write_xes(log, path)
    n = len(log)
    del log
    _hand_back_memory()
    ours = (
        "import time;from pathlib import Path;from procmine.normalise import ingest_file;" + TUNED +
        f"t=time.perf_counter();r=ingest_file(Path({str(path)!r}),Path({str(workdir / 'xnorm')!r}));"
        "from procmine.bench import _peak_rss_mb;print(time.perf_counter()-t, _peak_rss_mb(), r.quality.rows_kept)"
    )
    theirs = (
        "import time,warnings;warnings.simplefilter('ignore');import pm4py;"
        f"t=time.perf_counter();df=pm4py.read_xes({str(path)!r});"
        "from procmine.bench import _peak_rss_mb;print(time.perf_counter()-t, _peak_rss_mb(), len(df))"
    )
    runs = _fresh_runs({"procmine": ours, "pm4py": theirs})
    med = {k: float(np.median([r["seconds"] for r in v])) if v else None for k, v in runs.items()}
    peak = {k: max(r["peak_rss_mb"] for r in v) if v else None for k, v in runs.items()}
    row = {
        "step": f"ingest_xes_{n}_events",
        "procmine_s": med["procmine"] and round(med["procmine"], 3),
        "pm4py_s": med["pm4py"] and round(med["pm4py"], 3),
        "ratio": round(med["pm4py"] / med["procmine"], 1) if med["procmine"] and med["pm4py"] else None,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "procmine_peak_rss_mb": peak["procmine"] and round(peak["procmine"], 1),
        "pm4py_peak_rss_mb": peak["pm4py"] and round(peak["pm4py"], 1),
        "rows_kept": runs["procmine"][0]["rows"] if runs["procmine"] else None,
        "runs": INGEST_REPEATS,
    }
    print(
        f"  ingest XES {n:,} events (.xes.gz, {row['file_mb']} MB, median of {INGEST_REPEATS} runs each): procmine "
        f"{row['procmine_s']} s (peak {row['procmine_peak_rss_mb']} MB), pm4py.read_xes {row['pm4py_s']} s "
        f"(peak {row['pm4py_peak_rss_mb']} MB), ×{row['ratio']}",
        flush=True,
    )
    return row


NETWORK_REPEATS = 3  # runs of the network diagnosis after a warm-up; the median is reported
# CPU seconds of the same run before issue 14 item 7 (commit af441f6, the nine benchdata offices made by
# simulate_network(3000), this 2-core VM, 2026-12-04 17:55 UTC, medians of three runs after a warm-up); wall
# seconds of the same runs in NETWORK_BEFORE_WALL_S (the machine is shared: CPU time varies less)
NETWORK_BEFORE_CPU_S = {"with_model": 14.1, "without_model": 6.8}
NETWORK_BEFORE_WALL_S = {"with_model": 14.9, "without_model": 6.9}
# the same run (with the model) before the second round of issue 14 item 7 (main 04f5f8c, min of three runs
# after a warm-up, measured back to back with the change, 2026-12-05 02:35 UTC): seconds with the worker pool
# (CPU = parent + workers) and in one process (workers=1); after that round 3.7 s wall / 5.9-6.1 s CPU with
# the pool, 5.6 s in one process
NETWORK_ROUND2_BEFORE_S = {"pool_wall": 4.7, "pool_cpu": 6.8, "one_process_wall": 6.3, "one_process_cpu": 6.3}


def _median_runs(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``repeat`` runs (the VM is shared: CPU time varies less)."""
    walls, cpus = [], []
    for _ in range(repeat):
        gc.collect()
        t, c = time.perf_counter(), time.process_time()
        ch = resource.getrusage(resource.RUSAGE_CHILDREN)
        fn()
        walls.append(time.perf_counter() - t)
        # CPU of this process plus that of the worker processes it waited for (``analyse_network``'s pool)
        ch1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        child = ch1.ru_utime + ch1.ru_stime - ch.ru_utime - ch.ru_stime
        cpus.append(time.process_time() - c + child)
    return float(np.median(walls)), float(np.median(cpus))


def network_step(cases_per_office: int) -> dict:
    """The network diagnosis of the nine synthetic offices (the demo's size by default):
    ``analyse_network`` with the core statistics, the office diagnosis, every findings detector and
    the process model; then the same without the model (pm4py's inductive miner), to show its share.
    Median of ``NETWORK_REPEATS`` runs after a warm-up run."""
    from procmine.analyse import analyse_network
    from procmine.synth import simulate_network

    sim = simulate_network(cases_per_office=cases_per_office)
    events = sum(len(v) for v in sim.logs.values())
    analyse_network(sim.logs)  # warm-up: imports, holiday tables
    wall, cpu = _median_runs(lambda: analyse_network(sim.logs), NETWORK_REPEATS)
    wall_nm, cpu_nm = _median_runs(lambda: analyse_network(sim.logs, discover=False), NETWORK_REPEATS)
    # the same in one process (``workers=1``): what the worker processes over the offices save
    wall_1, cpu_1 = _median_runs(lambda: analyse_network(sim.logs, workers=1), NETWORK_REPEATS)
    before = NETWORK_BEFORE_CPU_S if cases_per_office == 3000 else None
    ref = (f" (before, af441f6: {NETWORK_BEFORE_WALL_S['with_model']:.1f} s (CPU {before['with_model']:.1f} s); without "
           f"the model {NETWORK_BEFORE_WALL_S['without_model']:.1f} s (CPU {before['without_model']:.1f} s); before the second "
           f"round, 04f5f8c: {NETWORK_ROUND2_BEFORE_S['pool_wall']:.1f} s (CPU {NETWORK_ROUND2_BEFORE_S['pool_cpu']:.1f} s), "
           f"workers=1 {NETWORK_ROUND2_BEFORE_S['one_process_wall']:.1f} s)") if before else ""
    print(
        f"  network diagnosis 9 × {cases_per_office} cases ({events:,} events): {wall:.2f} s (CPU {cpu:.2f} s); "
        f"without the process model {wall_nm:.2f} s (CPU {cpu_nm:.2f} s); in one process (workers=1) {wall_1:.2f} s "
        f"(CPU {cpu_1:.2f} s){ref}",
        flush=True,
    )
    return {"step": f"analyse_network_9x{cases_per_office}", "procmine_s": round(wall, 3), "cpu_s": round(cpu, 3),
            "without_model_s": round(wall_nm, 3), "without_model_cpu_s": round(cpu_nm, 3), "events": events,
            "one_process_s": round(wall_1, 3), "one_process_cpu_s": round(cpu_1, 3),
            "before_cpu_s": before, "before_wall_s": NETWORK_BEFORE_WALL_S if before else None,
            "before_round2_s": NETWORK_ROUND2_BEFORE_S if before else None}


def big_step(cases: int, workdir: Path) -> dict:
    """One very large log analysed end to end from its Parquet file, in a fresh child process, so
    the peak memory is the analysis' own (the log is generated and written by another child)."""
    path = workdir / "big.parquet"
    gen = (
        "from procmine.bench import bench_log;from procmine import schema;"
        f"schema.write_log(bench_log({cases}), {str(path)!r})"
    )
    subprocess.run([sys.executable, "-c", gen], check=True, capture_output=True, text=True)
    code = (
        "import time;from procmine import schema;from procmine.analyse import analyse_network;"
        "from procmine.bench import _peak_rss_mb;"
        f"t=time.perf_counter();log=schema.read_log({str(path)!r});n=len(log);analyse_network({{'BIG':log}});"
        "print(time.perf_counter()-t, _peak_rss_mb(), n)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stderr[-2000:], file=sys.stderr)
        return {"step": f"analyse_{cases}_cases", "error": proc.stderr[-500:]}
    secs, peak, events = proc.stdout.split()[-3:]
    print(
        f"  analyse {cases:,} cases ({int(events):,} events) end to end from Parquet: {float(secs):.1f} s, "
        f"peak memory {float(peak) / 1024:.2f} GB",
        flush=True,
    )
    return {"step": f"analyse_{cases}_cases", "procmine_s": round(float(secs), 2), "events": int(events),
            "peak_rss_mb": round(float(peak), 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000, help="cases in the benchmark log (0 = skip the analysis steps)")
    parser.add_argument("--ingest-rows", type=int, default=1_000_000, help="rows of the ingest CSV (0 = skip)")
    parser.add_argument("--network-cases", type=int, default=3000, help="cases per office for the network run (0 = skip)")
    parser.add_argument("--big", type=int, default=500_000, help="cases of the large end-to-end run (0 = skip)")
    parser.add_argument("--xes-events", type=int, default=200_000, help="events of the XES ingest (0 = skip)")
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    args = parser.parse_args(argv)

    rows: list[dict] = []
    duck: dict = {"available": False}
    n_events = 0
    analysis_peak = 0.0
    if args.cases:
        print(f"Generating a log of {args.cases:,} cases …", flush=True)
        log = bench_log(args.cases)
        n_events = len(log)
        print(f"  {n_events:,} events", flush=True)
        rows = analysis_steps(log)
        total_p = sum(r["procmine_s"] for r in rows)
        total_q = sum(r["pm4py_s"] for r in rows)
        print(f"  {'together':<16} procmine {total_p:8.3f} s   pm4py {total_q:8.3f} s   ×{total_q / total_p:7.1f}")
        duck = duckdb_reference(log)
        if duck.get("available"):
            perf = next(r for r in rows if r["step"] == "performance_dfg")["procmine_s"]
            print(f"  DuckDB SQL DFG + mean waits: {duck['dfg_mean_wait_s']:.3f} s (procmine process map {perf:.3f} s)")
        analysis_peak = _peak_rss_mb()
        del log
        gc.collect()
    extra = []
    if args.network_cases:
        extra.append(network_step(args.network_cases))
    if args.big:
        with tempfile.TemporaryDirectory() as tmp:
            extra.append(big_step(args.big, Path(tmp)))
    if args.ingest_rows:
        with tempfile.TemporaryDirectory() as tmp:
            extra.append(ingest_step(args.ingest_rows, Path(tmp)))
            extra.append(ingest_step(args.ingest_rows, Path(tmp), shape="de"))
    if args.xes_events:
        with tempfile.TemporaryDirectory() as tmp:
            extra.append(xes_step(args.xes_events, Path(tmp)))
    doc = {
        "cases": args.cases,
        "events": n_events,
        "steps": rows,
        "together": (
            {"procmine_s": round(total_p, 3), "pm4py_s": round(total_q, 3), "ratio": round(total_q / total_p, 1)} if rows else None
        ),
        "duckdb": duck,
        "extra": extra,
        "peak_rss_mb": round(analysis_peak, 1),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "generated_at": datetime.now().isoformat(timespec="seconds"),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"bench-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    print(f"Peak memory (analysis process): {analysis_peak:.0f} MB")
    print(f"Figures written to {path}")
    return 0


if __name__ == "__main__":
    from procmine.runtime import tuned

    with tuned():  # as the CLI runs: the bench process itself hands memory back between steps
        raise SystemExit(main())
