"""Safe outputs: file names from labels, cells that cannot run as formulas, staged folders with a lock.

* ``safe_name``: an office name (a label taken from the data or a profile) as a file or folder name.
  Allow-listed characters only (letters, digits, ``-``, ``_``, ``.`` inside the name); when anything had to be
  changed, a short hash of the whole name is appended, so two different names never share a file
  (``A B``, ``A?B`` and ``A_B`` give three names; ``../../x`` and ``/abs`` stay plain names).
* ``inside``: the path of a name under a folder, refused when it would lead out of it.
* ``neutralise_formula`` / ``neutralise_frame``: CSV cells that spreadsheet programs would run as a
  formula (first character ``=``, ``+``, ``-``, ``@``, tab or CR) get a leading apostrophe (OWASP rule).
* ``staged_output``: a run writes into a hidden folder inside ``--out`` and the results are moved into
  place only when it succeeds; a lock file refuses a second concurrent run into the same folder.
* ``error_log``: the per-user, per-run file that holds the details of an internal error.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from procmine.errors import ProcmineError
from procmine.labels_de.safety import OS_REASONS, output_text

NAME_MAX_CHARS = 80  # longer names are cut (and get the hash)
HASH_CHARS = 10  # hex characters of the name's SHA-256 appended when the name had to be changed
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
STAGING_PREFIX = ".procmine-neu-"
LOCK_NAME = ".procmine.lock"


class OutputProblem(ProcmineError):
    """An output folder or file cannot be written (exit code 1): read-only or full disk, a file where a
    folder is expected, a second run into the same folder. Holds the German message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def user_message(self) -> str:
        return self.message


def _name_hash(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_CHARS]


def _looks_hashed(name: str) -> bool:
    tail = name[-HASH_CHARS - 1 :]
    return len(tail) == HASH_CHARS + 1 and tail[0] == "-" and all(c in "0123456789abcdef" for c in tail[1:])


def safe_name(name: object) -> str:
    """A file or folder name for a label: kept as it is when it is already safe, else its allow-listed
    characters plus ``-`` and 10 hex characters of the SHA-256 of the whole label.

    Safe means: letters and digits (after Unicode NFC), ``-``, ``_`` and ``.`` (not first or last), at most
    ``NAME_MAX_CHARS`` characters, not a Windows device name, not ending like a hashed name. Different
    labels give different names (apart from a hash collision, 1 in 2^40).
    """
    text = str(name)
    nfc = unicodedata.normalize("NFC", text)
    cleaned = "".join(ch if (ch.isalnum() or ch in "-_.") else "_" for ch in nfc)
    cleaned = cleaned.strip("._")
    changed = (
        cleaned != text
        or not cleaned
        or len(cleaned) > NAME_MAX_CHARS
        or cleaned.split(".")[0].lower() in _WINDOWS_RESERVED
        or _looks_hashed(cleaned)
    )
    if not changed:
        return cleaned
    base = cleaned[:NAME_MAX_CHARS].rstrip("._") or "dienststelle"
    return f"{base}-{_name_hash(text)}"


def inside(root: Path, name: str) -> Path:
    """``root / name`` when it stays inside ``root`` (no separators, no ``..``); raises ValueError otherwise."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
        raise ValueError(f"not a plain file name: {name!r}")
    path = Path(root) / name
    if os.path.commonpath([os.path.abspath(root), os.path.abspath(path)]) != os.path.abspath(root):
        raise ValueError(f"{name!r} leads out of {root}")
    return path


def safe_path(root: Path, label: object, suffix: str = "") -> Path:
    """The file (or folder) for a label under ``root``: ``root / (safe_name(label) + suffix)``."""
    return inside(Path(root), safe_name(label) + suffix)


# --- CSV injection ---------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """A cell that a spreadsheet would run as a formula, with a leading apostrophe (OWASP CSV injection);
    other values unchanged. Missing values stay missing."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with every text cell neutralised (``neutralise_formula``), per distinct value of a
    categorical column; numbers and the column names' order unchanged. Column names are neutralised too."""
    out = {}
    for col in frame.columns:
        s = frame[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            cats = s.cat.categories
            if pd.api.types.is_object_dtype(cats.dtype) or pd.api.types.is_string_dtype(cats.dtype):
                new = [neutralise_formula(c) for c in cats]
                if new != list(cats):
                    s = s.cat.rename_categories(new) if len(set(new)) == len(new) else s.astype(object).map(neutralise_formula)
        elif s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            s = s.astype(object).map(neutralise_formula)
        out[neutralise_formula(str(col))] = s
    return pd.DataFrame(out, index=frame.index)


# --- failures of the file system as messages --------------------------------------------------------

_OS_REASONS_DE = {getattr(errno, name): reason for name, reason in OS_REASONS.items() if hasattr(errno, name)}


def os_problem(err: OSError, what: str = "") -> OutputProblem:
    """An OSError while writing outputs as a German message naming the path and the reason."""
    reason = _OS_REASONS_DE.get(err.errno or 0, err.strerror or type(err).__name__)
    where = err.filename or what
    return OutputProblem(
        output_text("output_not_writable", where=where, reason=reason)
    )


# --- staged output folder with a lock --------------------------------------------------------------


def prepare_out_dir(out: Path) -> Path:
    """Create ``--out`` (and its parents) or refuse with a message: a file there, read-only, full."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputProblem(
            output_text("out_is_a_file", out=out)
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise os_problem(err, str(out)) from None
    return out


@contextlib.contextmanager
def folder_lock(out: Path) -> Iterator[Path]:
    """Hold an exclusive lock on ``out/.procmine.lock`` (released when the process ends, also after a kill);
    a second run into the same folder is refused with a message. (POSIX ``flock``; where it is missing the
    lock file is created but not locked.)"""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        fcntl = None  # type: ignore[assignment]

    lock_path = Path(out) / LOCK_NAME
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError as err:
        raise os_problem(err, str(lock_path)) from None
    try:
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise OutputProblem(
                output_text("out_in_use", out=out)
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode("ascii"))
        yield lock_path
    finally:
        os.close(fd)


def _remove_stale_staging(out: Path) -> None:
    """Staging folders left by a run that was killed (the lock is held: no run is writing them)."""
    for old in Path(out).glob(STAGING_PREFIX + "*"):
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """A fresh hidden folder inside ``out`` to write a run's outputs into; on success its entries replace
    those of ``out`` (each by a rename), on failure it is removed and ``out`` is left as it was.

    Holds ``folder_lock(out)`` throughout. OSErrors (read-only, full disk) become ``OutputProblem``.
    """
    out = prepare_out_dir(out)
    with folder_lock(out):
        _remove_stale_staging(out)
        try:
            staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
        except OSError as err:
            raise os_problem(err, str(out)) from None
        try:
            yield staging
            publish(staging, out)
        except OSError as err:
            raise os_problem(err, str(out)) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def publish(staging: Path, out: Path) -> None:
    """Move every entry of ``staging`` into ``out``, replacing an entry of the same name (a folder is first
    renamed aside, then removed: a reader never sees half of the old and half of the new folder)."""
    for entry in sorted(staging.iterdir()):
        target = out / entry.name
        if target.is_dir() and not target.is_symlink():
            aside = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
            os.replace(target, aside / entry.name)
            os.replace(entry, target)
            shutil.rmtree(aside, ignore_errors=True)
        else:
            if target.is_symlink():
                target.unlink()
            os.replace(entry, target)


def rebase_path(text: str | None, staging: Path, final: Path) -> str | None:
    """A path written while staging (``…/.procmine-neu-x/normalised/a.csv``) as it is after ``publish``."""
    if not text:
        return text
    return "; ".join(
        str(final / Path(p).relative_to(staging)) if Path(p).is_relative_to(staging) else p for p in text.split("; ")
    )


def atomic_write_text(path: Path, text: str) -> Path:
    """Write a text file so that readers see the old or the new content, never half of it (a temporary file
    beside it, then a rename); OSErrors become ``OutputProblem``."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as err:
        raise os_problem(err, str(path)) from None
    return path


# --- error log -------------------------------------------------------------------------------------


def error_log(text: str) -> Path:
    """Write ``text`` to a new file only this user can read (``mkstemp``: a fresh name, created exclusively,
    never through a symlink) in a per-user folder; returns its path."""
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "procmine"
    try:
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        if base.is_symlink() or not base.is_dir():
            raise OSError(errno.ENOTDIR, "not a folder", str(base))
    except OSError:
        base = Path(tempfile.mkdtemp(prefix="procmine-"))  # private (0700), a fresh name: nothing to plant
    fd, name = tempfile.mkstemp(prefix="fehler-", suffix=".log", dir=base)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return Path(name)
