"""Process-wide tuning for command-line runs and the bench, switched on with ``tuned()``.

Everything procmine does that changes the interpreter's or the process's state lives here:

* the thread switch interval, shortened while the case ids are hashed in a helper thread
  (``quick_thread_handoff``), so the main thread gets the interpreter back soon after each numpy or
  arrow call;
* Python's cycle collector, paused while a file is read and normalised (``without_cycle_collection``):
  the many small objects made on the way would otherwise set off full collections that walk every
  object of pandas and pyarrow;
* jemalloc's decay, so the CSV parser's freed pages are reused for the next block instead of being
  faulted in and zeroed again (``reading_pool``);
* ``malloc_trim``, handing freed heap pages back before the Parquet writer allocates
  (``release_free_memory``);
* helper threads: the case-id hashing beside the checks, the log's columns gathered two at a time and
  the Parquet log written beside the quarantine file (``beside``, ``parallel_map``).

Only the CLI (``procmine.cli``) and the bench (``procmine.bench``) enter ``tuned()``. A library call from
a notebook takes the plain path: the same results, computed in the calling thread, with the
interpreter left exactly as it was found. Each hook restores what it changed when it ends, and
``tuned()`` restores the allocator's decay when the outermost one ends.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

import pyarrow as pa

T = TypeVar("T")
R = TypeVar("R")

GIL_HANDOFF_S = 0.00005  # switch interval while the case ids are hashed beside the main work
READ_DECAY_MS = 1000  # how long jemalloc keeps freed pages for reuse before it hands them back
ARROW_DEFAULT_DECAY_MS = 0  # Arrow's own jemalloc setting: freed pages go back at once
GATHER_THREADS = 2

_lock = threading.Lock()
_depth = 0


def is_tuned() -> bool:
    """Whether a ``tuned()`` block is active (the CLI or the bench is running)."""
    return _depth > 0


@contextmanager
def tuned() -> Iterator[None]:
    """Switch the process-wide tuning on for the block (re-entrant); everything is undone at its end."""
    global _depth
    with _lock:
        _depth += 1
        if _depth == 1:
            _set_jemalloc_decay(READ_DECAY_MS)
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _set_jemalloc_decay(ARROW_DEFAULT_DECAY_MS)


def _set_jemalloc_decay(ms: int) -> None:
    try:
        pa.jemalloc_set_decay_ms(ms)
    except (pa.ArrowNotImplementedError, NotImplementedError, AttributeError):
        pass  # pyarrow built without jemalloc


def reading_pool() -> pa.MemoryPool:
    """The memory pool the CSV parser allocates from: jemalloc (with the decay ``tuned()`` set) when tuned
    and available, else Arrow's default pool. The parser frees each block's buffers and allocates the
    next block's; pages handed back at once had to be faulted in and zeroed again by the kernel for every
    block (a tenth of an ingest's time on a small machine). The reader hands them back at its end."""
    if is_tuned():
        try:
            return pa.jemalloc_memory_pool()
        except (pa.ArrowNotImplementedError, NotImplementedError, AttributeError):
            pass
    return pa.default_memory_pool()


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """When tuned, Python's cycle collector is paused for the block (everything made in it is freed by
    reference counting) and its previous state returns at the end; otherwise nothing changes."""
    if not is_tuned():
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def quick_thread_handoff() -> Iterator[None]:
    """When tuned, a short thread switch interval for the block (``GIL_HANDOFF_S``), restored at its end."""
    if not is_tuned():
        yield
        return
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, GIL_HANDOFF_S))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def beside(job: Callable[[], T]) -> Future[T]:
    """Run ``job`` in a helper thread when tuned (its ``result()`` waits for it), else at once in this
    thread (a finished future): the same result either way."""
    if is_tuned():
        pool = ThreadPoolExecutor(max_workers=1)
        future = pool.submit(job)
        pool.shutdown(wait=False)  # the job still runs; ``future.result()`` waits for it
        return future
    done: Future[T] = Future()
    try:
        done.set_result(job())
    except BaseException as exc:  # noqa: BLE001 - handed to the caller through ``result()``, as a thread would
        done.set_exception(exc)
    return done


def parallel_map(fn: Callable[[T], R], items: Iterable[T], workers: int = GATHER_THREADS) -> list[R]:
    """``[fn(x) for x in items]``, on ``workers`` helper threads when tuned (for work that releases the GIL)."""
    if not is_tuned():
        return [fn(x) for x in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, items))


def release_free_memory() -> None:
    """When tuned, hand memory freed so far back to the system (glibc keeps freed heap pages otherwise; they
    would count twice in the peak when the Parquet writer allocates its buffers). No-op elsewhere."""
    if not is_tuned():
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
