"""Dump every office's result of ``analyse_network`` on the nine benchdata offices, or compare two dumps.

Used to show that a speed-up changes no result (issue 14 item 7):

    python tools/dump_network.py dump before.pkl [--nomodel] [--workers N]
    python tools/dump_network.py compare before.pkl after.pkl

The dump holds every field of every ``OfficeAnalysis``: KPIs, tables, the findings (all fields, evidence,
intervals, monthly series), the office diagnosis (every table and small result), the ``extra`` dict and the
process model (as its string form). ``compare`` lists every difference by path (exact equality; NaN equals
NaN) and prints "0 differences" when there are none.
"""

from __future__ import annotations

import dataclasses
import glob
import inspect
import math
import pickle
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

BENCHDATA = "/work/benchdata/*.parquet"


def plain(obj: Any) -> Any:
    """A comparable plain form of a result: dicts, lists, tuples of scalars."""
    if isinstance(obj, pd.DataFrame):
        return {"__frame__": True, "columns": [str(c) for c in obj.columns],
                "dtypes": [str(t) for t in obj.dtypes], "index": plain(obj.index),
                "data": {str(c): plain(obj[c]) for c in obj.columns}}
    if isinstance(obj, pd.Series):
        return {"__series__": True, "name": str(obj.name), "dtype": str(obj.dtype), "index": plain(obj.index),
                "values": [plain(v) for v in obj.tolist()]}
    if isinstance(obj, pd.Index):
        return {"__index__": True, "dtype": str(obj.dtype), "values": [plain(v) for v in obj.tolist()]}
    if isinstance(obj, np.ndarray):
        return {"__array__": True, "dtype": str(obj.dtype), "values": [plain(v) for v in obj.tolist()]}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {"__dc__": type(obj).__name__, **{f.name: plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}}
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted(plain(v) for v in obj)
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (pd.Timestamp, pd.Timedelta)):
        return str(obj)
    if obj is pd.NaT or obj is pd.NA:
        return "<NA>"
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    if type(obj).__name__ == "BPMN":
        return _bpmn(obj)
    if inspect.isroutine(obj):
        return f"<fn {getattr(obj, '__name__', '?')}>"
    return f"<{type(obj).__name__}> {obj}"


def _bpmn(model: Any) -> dict:
    """A BPMN graph without its random ids: node types and names, and the flows between them, where a
    gateway is described by its type and the names of its neighbours (two levels)."""
    def name(n: Any) -> str:
        return f"{type(n).__name__}:{n.get_name()}" if type(n).__name__ == "Task" else type(n).__name__

    ins: dict[Any, list[str]] = {}
    outs: dict[Any, list[str]] = {}
    for f in model.get_flows():
        outs.setdefault(f.get_source(), []).append(name(f.get_target()))
        ins.setdefault(f.get_target(), []).append(name(f.get_source()))

    def desc(n: Any) -> str:
        if type(n).__name__ == "Task":
            return name(n)
        return f"{name(n)}({sorted(ins.get(n, []))}->{sorted(outs.get(n, []))})"

    return {"nodes": sorted(desc(n) for n in model.get_nodes()),
            "flows": sorted(f"{desc(f.get_source())} => {desc(f.get_target())}" for f in model.get_flows())}


def dump(path: Path, discover: bool, workers: int | None) -> None:
    from procmine import schema
    from procmine.analyse import analyse_network

    logs = {Path(p).stem: schema.read_log(p) for p in sorted(glob.glob(BENCHDATA))}
    kwargs: dict[str, Any] = {} if workers is None else {"workers": workers}
    res = analyse_network(logs, discover=discover, **kwargs)
    out = {a.office: plain(a) for a in res}
    path.write_bytes(pickle.dumps(out))
    print(f"dumped {len(out)} offices, {sum(len(a.findings) for a in res)} findings to {path}")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return type(a) is type(b) and a == b


def diff(a: Any, b: Any, path: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: only in {'after' if k not in a else 'before'}")
            else:
                diff(a[k], b[k], f"{path}.{k}", out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: length {len(a)} != {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f"{path}[{i}]", out)
    elif not _same(a, b):
        out.append(f"{path}: {a!r} != {b!r}")


def compare(p1: Path, p2: Path) -> int:
    a, b = pickle.loads(p1.read_bytes()), pickle.loads(p2.read_bytes())
    out: list[str] = []
    diff(a, b, "", out)
    for line in out[:50]:
        print(line)
    print(f"{len(out)} differences")
    return 1 if out else 0


if __name__ == "__main__":
    if sys.argv[1] == "compare":
        raise SystemExit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    w = int(sys.argv[sys.argv.index("--workers") + 1]) if "--workers" in sys.argv else None
    dump(Path(sys.argv[2]), discover="--nomodel" not in sys.argv, workers=w)
