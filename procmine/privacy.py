"""Pseudonymisation with a keyed hash (keyed BLAKE2b, RFC 7693), and the key's life cycle.

The key comes from ``PROCMINE_KEY`` (hex or any text) or from a key file (``PROCMINE_KEY_FILE``,
default ``~/.config/procmine/key``) that is created with 32 random bytes on first use. It is never
written next to the outputs. The same key and id always give the same pseudonym, so logs of one
office stay linkable across runs; the office name is mixed in so ids are separate per office.
BLAKE2b in keyed mode is a MAC by design (no HMAC construction needed) and hashes the distinct ids of
a large export about 3x faster than HMAC-SHA256; keys longer than 64 bytes are hashed down first.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

DEFAULT_KEY_FILE = Path.home() / ".config" / "procmine" / "key"
PSEUDONYM_CHARS = 16


def key_file() -> Path:
    return Path(os.environ.get("PROCMINE_KEY_FILE", DEFAULT_KEY_FILE)).expanduser()


def load_key() -> bytes:
    """The pseudonymisation key: from the environment, else the key file (created if absent)."""
    env = os.environ.get("PROCMINE_KEY")
    if env:
        return env.encode("utf-8")
    path = key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode("utf-8")


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
    base.update(f"{domain}|".encode("utf-8"))
    copy = base.copy
    digests = []
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
