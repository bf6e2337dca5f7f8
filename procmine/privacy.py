"""Pseudonymisation with a keyed hash (keyed BLAKE2b, RFC 7693), and the key's life cycle.

The key comes from ``PROCMINE_KEY`` or from a key file (``PROCMINE_KEY_FILE``, default
``~/.config/procmine/key``) that is created with 32 random bytes on first use (atomically, mode 0600). It is
never written next to the outputs. Key text = hexadecimal digits, at least 64 (32 random bytes); the keyed
hash uses the text's ASCII bytes as written (as key files always were), so existing key files keep their
pseudonyms. A shorter, empty, non-hex, low-variety or unreadable key is refused (``KeyProblem``): an
unkeyed or guessable hash would let anyone recover case ids by trying every Aktenzeichen. The same key and id always give the same pseudonym, so logs of one
office stay linkable across runs; the office name is mixed in so ids are separate per office.
BLAKE2b in keyed mode is a MAC by design (no HMAC construction needed) and hashes the distinct ids of
a large export about 3x faster than HMAC-SHA256; keys longer than 64 bytes are hashed down first.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import os
import secrets
import string
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from procmine.errors import ProcmineError
from procmine.labels_de.messages import COLUMNS_HIDDEN, COLUMNS_PRESENT
from procmine.labels_de.safety import key_text

DEFAULT_KEY_FILE = Path.home() / ".config" / "procmine" / "key"
PSEUDONYM_CHARS = 16


MIN_KEY_BYTES = 32
MIN_DISTINCT_BYTES = 12  # 32 random bytes have about 30 distinct values; fewer than 12: typed, not random


class KeyProblem(ProcmineError):
    """The pseudonymisation key is missing, too short or unreadable (exit code 1); holds the German message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def user_message(self) -> str:
        return self.message


def key_file() -> Path:
    return Path(os.environ.get("PROCMINE_KEY_FILE", DEFAULT_KEY_FILE)).expanduser()


def check_key_text(text: str, where: str) -> bytes:
    """The key bytes (the text's ASCII) when ``text`` holds at least 64 hex digits of varied value; else
    ``KeyProblem`` naming ``where`` (never the key itself)."""
    key = text.strip()
    if not key:
        raise KeyProblem(key_text("key_empty", where=where))
    if any(c not in string.hexdigits for c in key) or len(key) % 2:
        raise KeyProblem(
            key_text("key_not_hex", where=where, hex_chars=2 * MIN_KEY_BYTES)
        )
    raw = bytes.fromhex(key)
    if len(raw) < MIN_KEY_BYTES:
        raise KeyProblem(
            key_text("key_too_short", where=where, length=len(raw), min_bytes=MIN_KEY_BYTES, hex_chars=2 * MIN_KEY_BYTES)
        )
    if len(set(raw)) < MIN_DISTINCT_BYTES:
        raise KeyProblem(
            key_text("key_not_random", where=where)
        )
    return key.encode("ascii")


def create_key_file(path: Path) -> None:
    """Write a new random key to ``path`` atomically with mode 0600: a fresh temporary file in the same
    folder, synced, then linked to ``path`` (fails when another process made one meanwhile: that one wins)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(MIN_KEY_BYTES) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load_key() -> bytes:
    """The pseudonymisation key: from the environment, else the key file (created if absent).

    Raises ``KeyProblem`` for a key that is empty, too short, not hex, not random or unreadable.
    """
    env = os.environ.get("PROCMINE_KEY")
    if env is not None and env != "":
        return check_key_text(env, key_text("where_env"))
    path = key_file()
    try:
        if not path.exists():
            create_key_file(path)
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else type(err).__name__
        raise KeyProblem(
            key_text("key_unreadable", path=path, reason=reason)
        ) from None
    return check_key_text(text, key_text("where_file", path=path))


# --- clear ids only when asked for ------------------------------------------------------------------

_CLEAR_IDS = contextvars.ContextVar("procmine_clear_ids", default=False)


def clear_ids_allowed() -> bool:
    """Whether the user turned pseudonymisation off explicitly (``--no-pseudonymise``)."""
    return _CLEAR_IDS.get()


@contextlib.contextmanager
def allow_clear_ids(allowed: bool = True) -> Iterator[None]:
    """Within this block, profiles whose ``pseudonymise`` leaves case or staff ids in clear are accepted."""
    token = _CLEAR_IDS.set(allowed)
    try:
        yield
    finally:
        _CLEAR_IDS.reset(token)


def mac_key(key: bytes) -> bytes:
    """The BLAKE2b key: the key itself, or its 64-byte BLAKE2b digest when it is longer than 64 bytes."""
    return key if len(key) <= hashlib.blake2b.MAX_KEY_SIZE else hashlib.blake2b(key).digest()


def pseudonyms(values: Iterable[str], key: bytes, domain: str, prefix: str = "") -> list[str]:
    """``prefix + hex(BLAKE2b_key(domain|value))`` (16 hex characters) for each value, in order."""
    return pseudonym_labels(pseudonym_digests((v.encode("utf-8") for v in values), key, domain), prefix).to_pylist()


def pseudonym_digests(values: Iterable[bytes], key: bytes, domain: str) -> np.ndarray:
    """The keyed BLAKE2b digest of ``domain|value`` for each value (UTF-8 bytes), as unsigned 64-bit
    integers read big-endian: their order is the text order of the pseudonyms (fixed-width hex).

    One keyed state absorbs ``domain|`` once and is copied per value: one C call chain per distinct
    value, none per row.
    """
    base = hashlib.blake2b(key=mac_key(key), digest_size=PSEUDONYM_CHARS // 2)
    base.update(f"{domain}|".encode())
    copy = base.copy
    digests: list[bytes] = []
    append = digests.append
    for v in values:
        h = copy()
        h.update(v)
        append(h.digest())
    return np.frombuffer(b"".join(digests), dtype=">u8").astype(np.uint64)


def pseudonym_labels(digests: np.ndarray, prefix: str = "") -> pa.StringArray:
    """``prefix`` + 16 lowercase hex characters per digest, as arrow text built in one pass (no per-value
    string objects)."""
    n = len(digests)
    hexed = np.frombuffer(np.asarray(digests, dtype=">u8").tobytes().hex().encode("ascii"), dtype=np.uint8)
    cells = np.empty((n, len(prefix.encode("utf-8")) + PSEUDONYM_CHARS), dtype=np.uint8)
    cells[:, : cells.shape[1] - PSEUDONYM_CHARS] = np.frombuffer(prefix.encode("utf-8"), dtype=np.uint8)
    cells[:, cells.shape[1] - PSEUDONYM_CHARS :] = hexed.reshape(n, PSEUDONYM_CHARS)
    offsets = np.arange(0, (n + 1) * cells.shape[1], cells.shape[1], dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(cells))


def pseudonymise(values: pd.Series, key: bytes, domain: str, prefix: str = "") -> pd.Series:
    """Replace each distinct value by its pseudonym (see ``pseudonyms``); missing values stay missing.

    Hashes each distinct value once (not once per row).
    """
    cat = values.astype("string").astype("category")
    mapped = pseudonyms(map(str, cat.cat.categories), key, domain, prefix)
    codes = cat.cat.codes.to_numpy()
    arr = np.asarray(mapped + [None], dtype=object)[np.where(codes < 0, len(mapped), codes)]
    return pd.Series(arr, index=values.index, dtype="string")


def with_privacy_record(result: Any, raw: Any) -> Any:
    """The normalise result with its quality report saying what privacy did: the source columns not kept in
    the log (names only: every header the profile does not read) and whether ids were pseudonymised.

    ``result``: ``normalise.NormaliseResult``; ``raw``: the ``RawTable`` it was made from.
    """
    from dataclasses import replace

    prof = result.profile
    header = [str(h) for h in (raw.header or tuple(raw.columns))]
    used = set(prof.used_columns()) if prof is not None else set(header)
    seen: dict[str, None] = {}
    for h in header:
        name = h.strip()
        if name and name not in used:
            seen[name] = None
    from procmine.profiles import clear_id_fields

    clear = prof is not None and bool(clear_id_fields(prof))
    quality = replace(result.quality, dropped_columns=tuple(seen), pseudonymised=not clear)
    return replace(result, quality=quality)


_COUNT_KEYS = ("count", "cases", "open_cases")
_WAIT_KEYS = ("mean_wait_s", "median_wait_s", "overlap_count", "mean_overlap_s")


def group_hidden(cases: Any, k: int) -> np.ndarray:
    """Which groups of a breakdown with a published total to hide: every group of 1..k-1 cases, and then the
    smallest other groups until the hidden ones hold at least ``k`` cases together (secondary suppression:
    the total minus the shown groups then reveals only an aggregate of ``k`` or more cases)."""
    c = np.asarray(cases, dtype=float)
    mask = (c > 0) & (c < k)
    short = k - c[mask].sum()
    if not mask.any() or short <= 0:
        return mask
    others = np.flatnonzero(~mask & (c > 0))
    others = others[np.argsort(c[others], kind="stable")]
    upto = np.searchsorted(np.cumsum(c[others]), short)  # the first prefix that holds ``short`` cases
    mask[others[: upto + 1]] = True
    return mask


def _suppress_decomposition(rows: list[dict[str, Any]], k: int) -> None:
    """results.json ``decomposition``: the rows of a case type hidden by ``group_hidden`` (beside the ``all``
    row, which would reveal them) get null numbers and ``suppressed`` true; every row says ``suppressed``."""
    cases: dict[str, int] = {}
    for r in rows:
        if r.get("case_type") != "all" and isinstance(r.get("cases"), int):
            cases.setdefault(str(r["case_type"]), int(r["cases"]))
    names = list(cases)
    hidden = {n for n, h in zip(names, group_hidden([cases[n] for n in names], k)) if h}
    for r in rows:
        small = str(r.get("case_type")) in hidden or (r.get("case_type") == "all" and _small(r, k))
        if small:
            for key, value in list(r.items()):
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    r[key] = None
        r["suppressed"] = small


def _small(rec: dict[str, Any], k: int) -> bool:
    return any(isinstance(rec.get(c), int) and not isinstance(rec.get(c), bool) and 0 < rec[c] < k for c in _COUNT_KEYS)


def _suppress_group_rows(node: Any, k: int) -> None:
    """Rows of a case-type table (records with a ``case_type``) from 1..k-1 cases, anywhere below ``node``:
    their numbers become null and ``suppressed`` true, as ``kpis_by_case_type`` and the HTML withhold them.
    Office-wide tables (weeks, age bands) stay exact (docs/results.md)."""
    if isinstance(node, dict):
        if "case_type" in node and _small(node, k):
            for key, value in list(node.items()):
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    node[key] = None
            node["suppressed"] = True
        for value in node.values():
            _suppress_group_rows(value, k)
    elif isinstance(node, list):
        for item in node:
            _suppress_group_rows(item, k)


def privacy_results(doc: dict[str, Any], qualities: dict[str, Any]) -> dict[str, Any]:
    """results.json as published: small cells (< ``min_cases``) suppressed as the HTML suppresses them, and
    each office's quality record saying what privacy did (``pseudonymised``, ``dropped_columns``).

    * a process-map edge taken by 1..k-1 cases keeps its transition count (counts add up to
      ``events - cases``) but loses its waits: a wait of one case is that person's wait (``suppressed``);
    * a case-type row of 1..k-1 cases in the office diagnosis (``profile``) loses its numbers;
    * the overlap of an edge (``overlap_count``, ``mean_overlap_s``) goes with its waits; a mean overlap of
      1..k-1 overlapping transitions is null;
    * a case type of the ``decomposition`` hidden by ``group_hidden`` loses its numbers.
    """
    k = int(doc.get("min_cases") or 0)
    for office in doc.get("offices", []):
        if k:
            for edge in (office.get("process_map") or {}).get("edges") or []:
                small = _small(edge, k)
                if small:
                    for key in _WAIT_KEYS:
                        edge[key] = None
                elif isinstance(edge.get("overlap_count"), int) and 0 < edge["overlap_count"] < k:
                    edge["mean_overlap_s"] = None  # the mean overlap of 1..k-1 transitions
                edge["suppressed"] = small
            _suppress_group_rows(office.get("profile"), k)
            _suppress_decomposition(office.get("decomposition") or [], k)
        q = qualities.get(office.get("office"))
        if office.get("quality") is not None and q is not None:
            office["quality"]["pseudonymised"] = bool(getattr(q, "pseudonymised", True))
            office["quality"]["dropped_columns"] = list(getattr(q, "dropped_columns", ()))
    return doc


COLUMNS_DETAIL = COLUMNS_PRESENT.format(columns="")


def redacted(problem: ProcmineError) -> ProcmineError:
    """The problem without the header cells it lists: when a file has no header row, those 'column names'
    are the first data row (name, birth date, nationality). The count stays, the names are for
    ``procmine inspect`` on the analyst's own screen. Other problems are returned as they are."""
    from dataclasses import replace

    from procmine.errors import InputProblem

    if not isinstance(problem, InputProblem) or not any(d.startswith(COLUMNS_DETAIL) for d in problem.details):
        return problem
    details = [
        COLUMNS_DETAIL + COLUMNS_HIDDEN.format(count=d.count(", ") + 1, file=problem.file)
        if d.startswith(COLUMNS_DETAIL) else d
        for d in problem.details
    ]
    return replace(problem, details=details)
