"""What the process map shows: the main path first, a few fixed levels of detail, no orphan boxes.

The analysis gives the whole directly-follows graph (``OfficeAnalysis.process_map``); this module picks,
per level of detail, the activities and arrows to draw. The main path is the route a case most often
takes: from the most frequent first step, always along the most frequent arrow to a step not yet on
the path, until ending there is more frequent than going on. Each level shows the main path plus the
most frequent further steps (at most ``MAP_LEVELS`` many); every shown box keeps its strongest way in
and out, so no box floats alone. Arrows carry their median waiting time as a colour band (``WAIT_BANDS_DAYS``).
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd

from procmine.analyse.model import OfficeAnalysis
from procmine.labels_de.report import label
from procmine.report.cells import K_MIN, _num, count_cell
from procmine.report.model import Cell, MapEdge, MapNode, ProcessMap, Table

# level key -> (most activities shown, share of the transitions among them drawn as arrows)
MAP_LEVELS: dict[str, tuple[int, float]] = {"simple": (8, 0.8), "medium": (14, 0.9), "detailed": (24, 0.97)}
WAIT_BANDS_DAYS = (1.0, 7.0, 30.0)  # arrow colour: < 1 day, 1 to 7, 7 to 30, over 30 days median wait
SPLIT_LONGER_THAN = 8  # a simple map whose main path has more boxes than this is drawn in two halves
MERGE_LONGER_THAN = 8  # the simple map joins straight runs of steps only on a main path longer than this
SIMPLE_MARKER_SHARE = 0.05  # the simple map draws start/end arrows only for steps with at least this share of cases
MARKER_COVERAGE = 0.9  # start/end arrows: the most frequent first/last steps covering this share of cases


def wait_band(median_wait_s: float | None) -> int:
    """Index of the waiting-time band of an arrow (0 = shortest); -1 when no wait is known."""
    v = _num(median_wait_s)
    if v is None:
        return -1
    days = max(0.0, v) / 86400.0
    return sum(days >= b for b in WAIT_BANDS_DAYS)


def main_path(pm: pd.DataFrame, starts: dict[str, int], ends: dict[str, int]) -> list[str]:
    """The route cases most often take (see module docstring); one step per activity at most."""
    if pm is None or not len(pm) or not starts:
        return []
    edges = pm[pm["from"].astype(str) != pm["to"].astype(str)]
    out = {str(a): g.sort_values(["count", "to"], ascending=[False, True], kind="stable")
           for a, g in edges.assign(**{"from": edges["from"].astype(str), "to": edges["to"].astype(str)}).groupby("from")}
    node = max(sorted(starts), key=lambda a: starts[a])
    path = [str(node)]
    while True:  # at most one round per activity
        nxt = out.get(path[-1])
        nxt = nxt[~nxt["to"].isin(path)] if nxt is not None else None
        if nxt is None or not len(nxt) or int(ends.get(path[-1], 0)) > int(nxt["count"].iloc[0]):
            return path
        path.append(str(nxt["to"].iloc[0]))


def _markers(counts: dict[str, int] | None, shown: set[str], k: int, must: str | None, least: float = 0.0) -> dict[str, int]:
    """Start (or end) arrows: the most frequent first (last) steps covering MARKER_COVERAGE of cases, shown, >= k
    and at least the share ``least`` of cases; ``must`` (the main path's first or last step) always."""
    if not counts:
        return {}
    s = pd.Series({str(a): int(n) for a, n in counts.items()}, dtype="int64").sort_values(ascending=False, kind="stable")
    before = s.cumsum().shift(fill_value=0) / max(int(s.sum()), 1)
    big = (s >= max(k, least * int(s.sum()))).to_numpy()
    keep = s[((before < MARKER_COVERAGE).to_numpy() & big) | (s.index == must)]
    return {a: int(n) for a, n in keep.items() if a in shown}


def _choose(pm: pd.DataFrame, nodes: list[str], share: float, path: list[str]) -> pd.DataFrame:
    """Arrows among ``nodes``: the main path, the most frequent covering ``share``, each box's strongest in and out."""
    sub = pm[pm["from"].isin(nodes) & pm["to"].isin(nodes)]
    sub = sub.sort_values(["count", "from", "to"], ascending=[False, True, True], kind="stable")
    total = float(sub["count"].sum()) or 1.0
    keep = (sub["count"].cumsum().shift(fill_value=0) / total < share).to_numpy().copy()
    pairs = set(pairwise(path))
    keep |= np.array([p in pairs for p in zip(sub["from"], sub["to"])], dtype=bool)
    moves = sub[sub["from"] != sub["to"]]
    strongest = set(moves.drop_duplicates("from").index) | set(moves.drop_duplicates("to").index)
    keep |= sub.index.isin(list(strongest))
    return sub[keep]


def _connected(edges: pd.DataFrame, nodes: list[str], starts: set[str], ends: set[str]) -> list[str]:
    """The boxes with a way in (an arrow from another box, or a start arrow) and a way out."""
    moves = edges[edges["from"] != edges["to"]]
    has_in = set(moves["to"]) | starts
    has_out = set(moves["from"]) | ends
    return [n for n in nodes if n in has_in and n in has_out]


def _straight_runs(
    path: list[str], edges: pd.DataFrame, starts: set[str], ends: set[str], least: int = 3, most: int = 4
) -> list[list[str]]:
    """Runs of ``least`` to ``most`` main-path steps done in one go: each step leads only to the next, the next
    is reached only from it (no other arrow, start or end in between) and the wait between them is under a
    day; drawn as one box in the simple map (a wait that matters always keeps its own arrow)."""
    moves = edges[edges["from"] != edges["to"]]
    outs = moves.groupby("from").size()
    ins = moves.groupby("to").size()
    loops = set(edges.loc[edges["from"] == edges["to"], "from"])
    quick = {(f, t) for f, t, w in zip(moves["from"], moves["to"], moves["median_wait_s"]) if wait_band(w) == 0}
    runs: list[list[str]] = []
    run: list[str] = path[:1]
    for a, b in pairwise(path):  # one round per main-path step
        straight = (outs.get(a, 0) == 1 and ins.get(b, 0) == 1 and a not in ends and b not in starts
                    and a not in loops and b not in loops and (a, b) in quick)
        if straight and len(run) < most:
            run.append(b)
            continue
        if len(run) >= least:
            runs.append(run)
        run = [b]
    if len(run) >= least:
        runs.append(run)
    return runs


def build_process_maps(
    a: OfficeAnalysis, k: int = K_MIN, level: str = "simple", names: dict[str, str] | None = None
) -> tuple[ProcessMap, ...]:
    """The process map at one level of detail (``MAP_LEVELS``), as one picture or, for a long simple map, two
    halves; empty when the analysis has no map."""
    pm = a.process_map
    if pm is None or len(pm) == 0:
        return ()
    pm = pm.assign(**{"from": pm["from"].astype(str), "to": pm["to"].astype(str)})
    most, share = MAP_LEVELS[level]
    least = SIMPLE_MARKER_SHARE if level == "simple" else 0.0
    starts_all = {str(s): int(n) for s, n in (a.start_activities or {}).items()}
    ends_all = {str(s): int(n) for s, n in (a.end_activities or {}).items()}
    path = main_path(pm, starts_all, ends_all)
    acts = a.activities.assign(activity=a.activities["activity"].astype(str)) if len(a.activities) else None
    by_count = (acts.sort_values(["count", "activity"], ascending=[False, True], kind="stable")["activity"].tolist()
                if acts is not None else pd.unique(pd.concat([pm["from"], pm["to"]])).tolist())
    nodes = list(path) + [x for x in by_count if x not in path][: max(0, most - len(path))]
    for _ in range(len(nodes)):  # prune boxes without a way in or out until none is left (a few rounds)
        edges = _choose(pm, nodes, share, path)
        starts = _markers(starts_all, set(nodes), k, path[0] if path else None, least)
        ends = _markers(ends_all, set(nodes), k, path[-1] if path else None, least)
        kept = _connected(edges, nodes, set(starts), set(ends))
        if kept == nodes:
            break
        nodes = kept
    if not nodes:
        return ()
    names = dict(names or {})
    shown_edges, shown_count = len(edges), float(edges["count"].sum())  # before runs are joined
    shown_steps = len(nodes)  # every step the level shows, in both halves and inside joined boxes
    long_path = len(path) > MERGE_LONGER_THAN
    runs = _straight_runs(path, edges, set(starts), set(ends)) if level == "simple" and long_path else []
    for run in runs:  # one box for a run of steps that always follow each other (shorter map, larger print)
        first, last = run[0], run[-1]
        names[first] = label("map.merged", first=names.get(first, first), last=names.get(last, last), n=len(run))
        inner = set(run[1:])
        edges = edges[~edges["from"].isin(inner) & ~edges["to"].isin(inner)
                      | (edges["from"] == last) & ~edges["to"].isin(inner)]
        edges = edges.assign(**{"from": edges["from"].replace(last, first)})
        edges = edges[~((edges["from"] == first) & (edges["to"] == first))]
        ends = {(first if a == last else a): n for a, n in ends.items()}
        nodes = [n for n in nodes if n not in inner]
        path = [n for n in path if n not in inner]
    count = acts.set_index("activity")["count"] if acts is not None and "count" in acts.columns else pd.Series(dtype=float)
    total = float(pm["count"].sum())
    info = {"level": level, "shown_edges": shown_edges, "total_edges": len(pm), "shown": shown_steps,
            "coverage": shown_count / total if total else 0.0,
            "total_activities": len(acts) if acts is not None else len(set(pm["from"]) | set(pm["to"]))}
    parts = _split(path, nodes, edges) if level == "simple" and len(path) > SPLIT_LONGER_THAN else [nodes]
    return tuple(
        _draw(part, edges, starts, ends, path, names, count, k, info, i, len(parts)) for i, part in enumerate(parts)
    )


def _split(path: list[str], nodes: list[str], edges: pd.DataFrame) -> list[list[str]]:
    """Two halves of a long map: the main path cut in the middle, every other box with the half it is most
    connected to (each half then prints on its own A4 page with readable labels)."""
    mid = len(path) // 2
    side = {n: 0 for n in path[:mid]} | {n: 1 for n in path[mid:]}
    moves = edges[edges["from"] != edges["to"]]
    for n in (x for x in nodes if x not in side):  # one round per box off the main path
        near = moves[(moves["from"] == n) | (moves["to"] == n)]
        other = np.where(near["from"] == n, near["to"], near["from"])
        weight = pd.Series(near["count"].to_numpy(), index=[side.get(o, -1) for o in other]).groupby(level=0).sum()
        side[n] = int(weight.drop(-1, errors="ignore").idxmax()) if len(weight.drop(-1, errors="ignore")) else 1
    return [[n for n in nodes if side[n] == 0], [n for n in nodes if side[n] == 1]]


def _draw(
    part: list[str], edges: pd.DataFrame, starts: dict[str, int], ends: dict[str, int], path: list[str],
    names: dict[str, str], count: pd.Series, k: int, info: dict, index: int, parts: int,
) -> ProcessMap:
    """One drawable map of the boxes in ``part``; arrows to or from the other half end at a connector circle."""
    ids = {name: f"a{i}" for i, name in enumerate(part)}
    inside = set(part)
    map_nodes = [MapNode("start", label("map.start"), Cell(None, "missing"), "start")]
    map_nodes += [MapNode(ids[n], names.get(n, n), count_cell(count.get(n), k), export_label=n if names.get(n, n) != n else "")
                  for n in part]
    map_nodes.append(MapNode("end", label("map.end"), Cell(None, "missing"), "end"))
    pairs = set(pairwise(path))
    top = float(edges["count"].max()) if len(edges) else 1.0
    own = edges[edges["from"].isin(inside) & edges["to"].isin(inside)]
    map_edges = [
        # an edge of 1..k-1 cases shows no wait: one case's wait is that person's wait (as in results.json)
        MapEdge(ids[f], ids[t], count_cell(n, k), _num(w) if n >= k else None, float(n) / top, (f, t) in pairs,
                wait_band(w if n >= k else None))
        for f, t, n, w in zip(own["from"], own["to"], own["count"], own["median_wait_s"])
    ]
    if parts > 1:  # arrows across the cut, summed per box, end at "weiter in Teil …" / come from "aus Teil …"
        other = index + 1 if index + 1 < parts else index - 1
        out = edges[edges["from"].isin(inside) & ~edges["to"].isin(inside)]
        into = edges[~edges["from"].isin(inside) & edges["to"].isin(inside)]
        if len(out):
            map_nodes.append(MapNode("to_part", label("map.to_part", n=other + 1), Cell(None, "missing"), "end"))
            for f, g in out.groupby("from", sort=True):
                main = any(p in pairs for p in zip(g["from"], g["to"]))
                map_edges.append(MapEdge(ids[str(f)], "to_part", count_cell(g["count"].sum(), k), None, float(g["count"].sum()) / top, main))
        if len(into):
            map_nodes.insert(1, MapNode("from_part", label("map.from_part", n=other + 1), Cell(None, "missing"), "start"))
            for t, g in into.groupby("to", sort=True):
                main = any(p in pairs for p in zip(g["from"], g["to"]))
                map_edges.append(MapEdge("from_part", ids[str(t)], count_cell(g["count"].sum(), k), None, float(g["count"].sum()) / top, main))
    starts = {s: n for s, n in starts.items() if s in inside}
    ends = {s: n for s, n in ends.items() if s in inside}
    top_se = max([*starts.values(), *ends.values(), 1])
    map_edges += [MapEdge("start", ids[s], count_cell(n, k), None, n / top_se, bool(path) and s == path[0]) for s, n in starts.items()]
    map_edges += [MapEdge(ids[s], "end", count_cell(n, k), None, n / top_se, bool(path) and s == path[-1]) for s, n in ends.items()]
    used = {e.source for e in map_edges} | {e.target for e in map_edges}
    title = label(f"map.level.{info['level']}")
    # the numbers behind the picture: every shown transition leaving a box of this part (its real target, also
    # across the cut), the most frequent first; no wait for 1..k-1 cases, as on the arrows
    leaving = edges[edges["from"].isin(inside)].sort_values("count", ascending=False, kind="stable")
    table = Table(
        (label("map.col.from"), label("map.col.to"), label("map.col.count"), label("map.col.wait")),
        tuple((Cell(names.get(f, f)), Cell(names.get(t, t)), count_cell(n, k),
               Cell(max(float(w), 0.0), "duration") if n >= k and _num(w) is not None else Cell(None, "missing"))
              for f, t, n, w in zip(leaving["from"], leaving["to"], leaving["count"], leaving["median_wait_s"])),
        (False, False, True, True),
    )
    if parts > 1:
        title = label("map.part", title=title, n=index + 1, of=parts)
    return ProcessMap(
        tuple(n for n in map_nodes if n.kind == "activity" or n.id in used), tuple(map_edges), info["shown_edges"],
        info["total_edges"], info["coverage"], level=info["level"], title=title, shown_activities=info["shown"],
        total_activities=info["total_activities"], table=table,
    )


def build_process_map(
    a: OfficeAnalysis, k: int = K_MIN, level: str = "simple", names: dict[str, str] | None = None
) -> ProcessMap | None:
    """The process map at one level of detail (its first half, where a long simple map is cut in two)."""
    maps = build_process_maps(a, k, level, names)
    return maps[0] if maps else None


def process_map_levels(a: OfficeAnalysis, k: int = K_MIN, names: dict[str, str] | None = None) -> tuple[ProcessMap, ...]:
    """The map at each level of detail, simplest first (a long simple map in two halves); a level that shows no
    more than the one before is left out."""
    out: list[ProcessMap] = []
    for level in MAP_LEVELS:
        maps = build_process_maps(a, k, level, names)
        last = out[-1] if out else None
        if maps and (last is None or (maps[0].level, maps[0].shown_edges) != (last.level, last.shown_edges)
                     and maps[0].shown_activities > last.shown_activities):
            out.extend(maps)
    return tuple(out)
