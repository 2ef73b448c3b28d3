"""Worker processes for re-extraction: read and extract captures on every core.

Extraction is pure CPU work in Python, so one process uses one core. ``ExtractorPool`` starts
``jobs`` workers, each with its own read-only use of the archive (bodies) and of the WARC files;
the parent sends them capture rows (no bodies) in chunks and gets back ``Outcome``\\ s, in the
order it sent the rows, and writes them itself: SQLite has one writer anyway, and one writer in
capture order makes the archive the same whatever the number of jobs.

Work in flight is bounded (``AHEAD`` chunks per worker, or the window the caller asks for:
re-extraction keeps two of its write batches in flight), so memory stays flat however many
captures are selected. Workers are forked where the platform can, so they run exactly the
extractors (and layout versions) loaded in the parent; they ignore Ctrl-C, which the parent
handles by stopping them.

A worker that delivers nothing for ``stall_timeout`` seconds while the parent waits for it
(stopped, or stuck in a page) would hold the pass forever: the pool kills every worker and
raises ``WorkerStuck``, as a dead worker raises ``BrokenProcessPool``.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import multiprocessing
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive import Archive
    from archive.warc import WarcStore

    from .reparse import Outcome

# Captures per task: enough to make the cost of sending one small against extracting it
# (a few milliseconds a page), few enough to keep every worker busy to the end.
CHUNK = 25
# Chunks sent ahead per worker, so none waits for the parent between two chunks.
AHEAD = 3

# How long the parent waits for the next chunk before it takes the worker as stuck: a chunk
# takes well under a second, a chunk of pathological pages seconds.
STALL_TIMEOUT = 300.0

# The worker's own archive connection and WARC store, set once per worker process.
_worker: tuple[Archive, WarcStore] | None = None


def _start_worker(db_path: str, warc_dir: str) -> None:
    global _worker
    from archive import Archive
    from archive.warc import WarcStore

    # The parent stops the workers on Ctrl-C; a traceback from each of them would only be noise.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker = (Archive.open(db_path, create=False), WarcStore(warc_dir))


def _extract_chunk(captures: list[dict[str, Any]]) -> list[Outcome]:
    from .reparse import reextract

    assert _worker is not None, "worker not started"
    archive, store = _worker
    return [reextract(archive, store, capture) for capture in captures]


def _chunks(captures: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    rows = iter(captures)
    while chunk := list(itertools.islice(rows, CHUNK)):
        yield chunk


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class WorkerStuck(Exception):
    """A worker delivered nothing for ``timeout`` seconds; every worker was killed."""

    def __init__(self, timeout: float) -> None:
        super().__init__(f"no worker delivered for {timeout:g} s")
        self.timeout = timeout


class ExtractorPool:
    """``jobs`` worker processes reading and extracting captures of the archive at ``db_path``."""

    def __init__(self, db_path: str | Path, warc_dir: str | Path, jobs: int,
                 stall_timeout: float = STALL_TIMEOUT) -> None:
        self.jobs = max(1, jobs)
        self.stall_timeout = stall_timeout
        self._executor = ProcessPoolExecutor(
            self.jobs, mp_context=_context(), initializer=_start_worker,
            initargs=(str(db_path), str(warc_dir)),
        )
        # Start every worker now (one task each), not at the first chunk: the caller may start
        # threads afterwards (a progress display) that a forked child should not inherit.
        for future in [self._executor.submit(_extract_chunk, []) for _ in range(self.jobs)]:
            future.result()

    def map(self, captures: Iterable[dict[str, Any]], window: int = 0) -> Iterator[Outcome]:
        """An outcome per capture, in the order of ``captures``.

        ``AHEAD`` chunks per worker are in flight, or enough for ``window`` captures if that is
        more: a caller that stops taking outcomes for a while (to write a batch of them) should
        find the workers still busy when it is done, not idle for want of work.
        """
        chunks = _chunks(captures)
        pending: deque[Future[list[Outcome]]] = deque()
        for chunk in itertools.islice(chunks, max(self.jobs * AHEAD, -(-window // CHUNK))):
            pending.append(self._executor.submit(_extract_chunk, chunk))
        while pending:
            try:
                done = pending.popleft().result(timeout=self.stall_timeout)
            except concurrent.futures.TimeoutError:
                self.kill()
                raise WorkerStuck(self.stall_timeout) from None
            for chunk in itertools.islice(chunks, 1):
                pending.append(self._executor.submit(_extract_chunk, chunk))
            yield from done

    def kill(self) -> None:
        """Kill every worker (SIGKILL ends a stopped process too): the pool is broken after."""
        # The executor has no public way to its processes before Python 3.14's kill_workers().
        for process in list((self._executor._processes or {}).values()):
            process.kill()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ExtractorPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
