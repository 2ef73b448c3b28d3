"""Re-extraction: run today's extractors over the article pages already in the archive.

    newscrawler reparse [--portal P] [--since D] [--until D] [--jobs N] [--db FILE]

Each successful article capture is read back — its body from the archive
(``Archive.capture_body``), or, when the archive has no body for it, from the crawl's WARC record
(``captures.warc_filename``/``warc_offset``, revisits resolved, content encoding undone) — and
goes through the same ``extract()`` as a crawl, with the layout the portal profile picks for the
capture's fetch date. No network. The archive then decides (``Archive.add_versions_from_reparse``,
the crawl's own version logic): content equal to the capture's version, whatever extractor made
it, changes nothing; other content becomes a new version of the article, recording the extractor
that read it (``zjdaily@2``), and becomes current if the capture is the article's latest.

Reading and extraction run in ``--jobs`` worker processes (default: one per core,
``newscrawler/reparse_pool.py``); this process alone writes, in capture order, so the archive is
the same whatever the number of jobs. Writes are batched (``BATCH`` captures per transaction).
Progress goes to standard error: a rich progress bar on a terminal when ``rich`` is installed,
plain lines otherwise.

A capture that cannot be read back (``unreadable``) or whose extraction raises (an extractor bug
on that page, ``failed``) is counted, logged and listed in the summary with its reason, and the
pass goes on: one page must not keep the rest of the archive from being re-extracted. The
command then exits 1, after the summary.

Three things stop a pass before its end: a worker process that dies (killed, or out of
memory), one that delivers nothing for ``worker_timeout`` seconds (stopped, or stuck: every
worker is then killed), and an archive that refuses a write (disk full, the file locked or
read-only). Each raises ``ReparseStopped`` with what was done: every batch written before stays in the archive, and the
outcomes the workers had already delivered are written first when the archive still takes them.
Running the command again finishes the pass; captures already re-extracted read the same and
change nothing.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from archive.query import CaptureFilter, count_article_captures
from archive.warc import WarcReadError, WarcStore, default_warc_dir

from . import portals
from .extract import InvalidRecord, error_reason, extract
from .reparse_pool import STALL_TIMEOUT, ExtractorPool, WorkerStuck

if TYPE_CHECKING:
    from archive import Archive
    from archive.versions import ReparseHint

logger = logging.getLogger(__name__)

BATCH = 200
# Plain progress lines at most this often (seconds).
PLAIN_INTERVAL = 5.0
# Failures listed in the summary; the log has every one.
SHOWN_FAILURES = 20


@dataclass
class ReparseResult:
    """What a re-extraction did, capture by capture."""

    captures: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    # Captures read from a WARC file because the archive had no body for them.
    from_warc: int = 0
    elapsed: float = 0.0
    # Why each unreadable or failed capture has no record today, in capture order.
    failures: list[str] = field(default_factory=list)

    @property
    def new_versions(self) -> int:
        return self.outcomes["added"] + self.outcomes["new"]

    def summary(self) -> str:
        """The counts on one line, then the captures unreadable or failing extraction, one a line."""
        rate = self.captures / self.elapsed if self.elapsed else 0.0
        o = self.outcomes
        lines = [
            f"reparsed {self.captures} article captures in {self.elapsed:.1f} s ({rate:.0f}/s):"
            f" {o['added']} new versions, {o['new']} new articles, {o['unchanged']} unchanged,"
            f" {o['matched']} matched an existing version, {o['invalid']} without a record,"
            f" {o['unreadable']} unreadable, {o['failed']} failed to extract;"
            f" {self.from_warc} read from WARC files"
        ]
        lines += [f"  {reason}" for reason in self.failures[:SHOWN_FAILURES]]
        if len(self.failures) > SHOWN_FAILURES:
            lines.append(f"  … and {len(self.failures) - SHOWN_FAILURES} more (logged above)")
        return "\n".join(lines)


class ReparseStopped(Exception):
    """A re-extraction pass that stopped before its end, and why; ``result`` counts what it did,
    all of which the archive keeps."""

    def __init__(self, reason: str, result: ReparseResult) -> None:
        super().__init__(reason)
        self.reason = reason
        self.result = result


def _body(archive: Archive, store: WarcStore, capture: dict[str, Any]) -> tuple[bytes, bool]:
    """The capture's decoded body, and whether it came from a WARC file."""
    try:
        return archive.capture_body(capture["id"]), False
    except KeyError:
        if not capture["warc_filename"] or capture["warc_offset"] is None:
            raise WarcReadError(f"capture {capture['id']}: no body in the archive and no WARC record") from None
    return store.body(capture["warc_filename"], int(capture["warc_offset"])), True


def _portal(name: str) -> str | None:
    # A run of a portal this code no longer has falls back to the profile owning the URL.
    return name if name in portals.names() else None


@dataclass
class Outcome:
    """What reading and extracting one capture gave; no archive writes (a worker makes these)."""

    capture_id: int
    record: dict[str, Any] | None
    # "unreadable", "invalid" or "failed" (extraction raised) when there is no record, with the reason.
    failure: str | None = None
    reason: str = ""
    from_warc: bool = False
    # The record has its capture's content already: nothing to write, so no record is carried.
    unchanged: bool = False
    # What filing the record needs (hashes, search index texts, the comparison with the version
    # before it), made where the record was extracted.
    hint: ReparseHint | None = None


def reextract(archive: Archive, store: WarcStore, capture: dict[str, Any]) -> Outcome:
    """Today's record of one capture (``iter_article_captures`` row), read and extracted."""
    try:
        body, from_warc = _body(archive, store, capture)
    except (WarcReadError, OSError, ValueError) as exc:
        return Outcome(capture["id"], None, "unreadable", f"capture {capture['id']} {capture['url']}: {exc}")
    try:
        record = extract(
            capture["url"], body, capture["headers"],
            datetime.fromisoformat(capture["fetched_at"]), _portal(capture["portal"]),
        )
    except InvalidRecord as exc:
        # Today's extractor finds no article here; what the archive has stays as it is.
        return Outcome(capture["id"], None, "invalid", f"capture {capture['id']} ({capture['url']}): {exc}",
                       from_warc)
    except Exception as exc:  # noqa: BLE001 - an extractor bug on one page is reported, the pass goes on
        return Outcome(capture["id"], None, "failed",
                       f"capture {capture['id']} {capture['url']}: {error_reason(exc)}", from_warc)
    # Most captures read the same as before. Finding that out here, where a worker process
    # does it, spares the one writing process a record to receive and hash for each of them.
    # For the others, hashing, folding the texts for the search index and comparing with the
    # version before are most of what filing a new version costs besides SQL: done here too,
    # they leave the one writing process little else.
    hint = archive.reparse_hint(capture["id"], record)
    if hint is None:
        return Outcome(capture["id"], None, from_warc=from_warc, unchanged=True)
    return Outcome(capture["id"], record, from_warc=from_warc, hint=hint)


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def _outcomes(
    archive: Archive, filters: CaptureFilter, store: WarcStore, pool: ExtractorPool | None
) -> Iterator[Outcome]:
    """An outcome per selected capture, in capture order, extracted here or by ``pool``."""
    captures = archive.iter_article_captures(filters)
    if pool is None:
        return (reextract(archive, store, capture) for capture in captures)
    # Twice a batch in flight: the workers keep extracting while this process writes one.
    return pool.map(captures, window=2 * BATCH)


def reparse(
    archive: Archive, filters: CaptureFilter | None = None, warc_dir: str | Path | None = None,
    progress: Callable[[int], None] | None = None, jobs: int = 1,
    pool: ExtractorPool | None = None, worker_timeout: float = STALL_TIMEOUT,
) -> ReparseResult:
    """Re-extract the selected captures into ``archive``; ``progress(1)`` after each capture.

    With ``jobs`` above 1 (or a ``pool`` already started), worker processes read and extract
    while this process writes, in capture order, so the archive ends up the same as with one;
    a worker that delivers nothing for ``worker_timeout`` seconds is taken as stuck.
    """
    started = time.perf_counter()
    filters = filters or CaptureFilter()
    warc_dir = warc_dir if warc_dir is not None else default_warc_dir(archive.path)
    store = WarcStore(warc_dir)
    if pool is None and jobs > 1:
        with ExtractorPool(archive.path, warc_dir, jobs, worker_timeout) as own:
            result = reparse(archive, filters, warc_dir, progress, pool=own)
        result.elapsed = time.perf_counter() - started  # starting and stopping workers included
        return result
    result = ReparseResult()
    batch: list[tuple[int, dict[str, Any], ReparseHint | None]] = []

    def flush() -> None:
        if batch:
            result.outcomes.update(archive.add_versions_from_reparse(batch))
        batch.clear()

    with store:  # closes the WARC files the store kept open
        try:
            _file_outcomes(_outcomes(archive, filters, store, pool), result, batch, flush, progress)
            flush()
        except (BrokenProcessPool, WorkerStuck) as exc:
            # The outcomes delivered before the worker died (or was killed, stuck) are sound:
            # file them, then stop.
            if isinstance(exc, WorkerStuck):
                reason = (f"a worker process delivered nothing for {exc.timeout:g} s (stopped, or stuck);"
                          " every worker was killed")
            else:
                reason = "a worker process stopped abruptly (killed, or out of memory)"
            try:
                flush()
            except sqlite3.Error as write_error:
                raise _stopped(f"{reason}; then the archive refused a write ({write_error})",
                               result, batch, started) from exc
            raise _stopped(reason, result, batch, started) from exc
        except sqlite3.Error as exc:
            raise _stopped(f"the archive refused a write ({exc})", result, batch, started) from exc
    result.elapsed = time.perf_counter() - started
    return result


def _stopped(reason: str, result: ReparseResult, unfiled: list[Any], started: float) -> ReparseStopped:
    """``ReparseStopped``, its reason naming the re-extracted records a failed write left out."""
    result.elapsed = time.perf_counter() - started
    if unfiled:
        # They were counted as re-extracted, but the archive has nothing of them.
        result.captures -= len(unfiled)
        reason += f"; the {len(unfiled)} records of the batch being written were not filed"
    return ReparseStopped(reason, result)


def _file_outcomes(
    outcomes: Iterator[Outcome], result: ReparseResult,
    batch: list[tuple[int, dict[str, Any], ReparseHint | None]], flush: Callable[[], None],
    progress: Callable[[int], None] | None,
) -> None:
    """Count each outcome into ``result`` and queue its record for ``flush``, a batch at a time."""
    for outcome in outcomes:
        result.captures += 1
        result.from_warc += outcome.from_warc
        if outcome.failure == "unreadable":
            result.outcomes["unreadable"] += 1
            result.failures.append(outcome.reason)
            logger.warning("Unreadable: %s", outcome.reason)
        elif outcome.failure == "failed":
            result.outcomes["failed"] += 1
            result.failures.append(outcome.reason)
            logger.warning("Extraction failed: %s", outcome.reason)
        elif outcome.failure == "invalid":
            result.outcomes["invalid"] += 1
            logger.warning("No record for %s", outcome.reason)
        elif outcome.unchanged:
            result.outcomes["unchanged"] += 1
        elif outcome.record is not None:
            batch.append((outcome.capture_id, outcome.record, outcome.hint))
        if len(batch) >= BATCH:
            flush()
        if progress is not None:
            progress(1)


@contextmanager
def progress_display(total: int, stream: TextIO | None = None) -> Iterator[Callable[[int], None]]:
    """A callback advancing a progress display by n captures: rich on a terminal, else lines."""
    stream = stream or sys.stderr
    if stream.isatty():
        try:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )
        except ImportError:
            pass
        else:
            from rich.console import Console

            with Progress(
                TextColumn("reparse"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                console=Console(file=stream), transient=False,
            ) as bar:
                task = bar.add_task("reparse", total=total)
                yield lambda n: bar.advance(task, n)
            return
    done = 0
    last = 0.0

    def advance(n: int) -> None:
        nonlocal done, last
        done += n
        now = time.monotonic()
        if done >= total or now - last >= PLAIN_INTERVAL:
            last = now
            print(f"reparse: {done}/{total} captures", file=stream, flush=True)

    yield advance


def run(archive: Archive, filters: CaptureFilter, warc_dir: str | Path | None = None,
        stream: TextIO | None = None, jobs: int = 1, worker_timeout: float = STALL_TIMEOUT) -> ReparseResult:
    """``reparse`` with a progress display on ``stream`` (standard error)."""
    total = count_article_captures(archive, filters)
    warc_dir = warc_dir if warc_dir is not None else default_warc_dir(archive.path)
    # Workers start before the display, whose refresh thread a forked child should not inherit.
    with (ExtractorPool(archive.path, warc_dir, jobs, worker_timeout) if jobs > 1 else nullcontext()) as pool, \
            progress_display(total, stream) as advance:
        return reparse(archive, filters, warc_dir, advance, pool=pool)
