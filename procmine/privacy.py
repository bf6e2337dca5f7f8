"""Pseudonymisation with a keyed hash (HMAC-SHA256), and the key's life cycle.

The key comes from ``PROCMINE_KEY`` (hex or any text) or from a key file (``PROCMINE_KEY_FILE``,
default ``~/.config/procmine/key``) that is created with 32 random bytes on first use. It is never
written next to the outputs. The same key and id always give the same pseudonym, so logs of one
office stay linkable across runs; the office name is mixed in so ids are separate per office.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

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


def pseudonymise(values: pd.Series, key: bytes, domain: str, prefix: str = "") -> pd.Series:
    """Replace each distinct value by ``prefix + hex(HMAC(key, domain|value))[:16]``.

    Hashes each distinct value once (not once per row). Missing values stay missing.
    """
    cat = values.astype("string").astype("category")
    cats = cat.cat.categories
    head = f"{domain}|".encode("utf-8")
    digest = hmac.digest  # one-shot C path: one call per distinct value, none per row
    mapped = [prefix + digest(key, head + str(v).encode("utf-8"), "sha256").hex()[:PSEUDONYM_CHARS] for v in cats]
    codes = cat.cat.codes.to_numpy()
    arr = np.asarray(mapped + [None], dtype=object)[np.where(codes < 0, len(mapped), codes)]
    return pd.Series(arr, index=values.index, dtype="string")
