"""The crawl worker's own side (``newscrawler.worker`` starts it): the calls it runs and its loop.

Calls come down the pipe in messages (the calls of one turn of the crawl's reactor) and are
run in two lanes (``_Lanes``): the download path's calls (``DOWNLOAD_PATH``: WARC records, which a
response waits for before the spider sees it) before the pipelines' (reading pages, archive
writes), each lane in the order it was sent. Those calls do not depend on each other: a page is
read, archived and described in a metadata record only after its response record was written, and
the crawl sends each call once what it needs has been answered. A batch of pages being archived
lets download path calls that came meanwhile run between its pages (``_between``), so that no
response waits for a whole transaction.

Answers go back together (``_Answers``): those of the calls run while more were waiting, at most
``ANSWER_BATCH``; a download path answer goes as soon as no other download path call waits.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

logger = logging.getLogger(__name__)

STOP = "stop"
# The worker's GIL switch interval (seconds): how long its reader thread may wait to take calls.
READER_SWITCH_SECONDS = 0.0005
# Answers the worker may hold back while more calls wait (see ``_Answers``).
ANSWER_BATCH = 16
# Calls on the download path: a response waits for its WARC records before the spider sees it,
# and the spider's next requests (a listing's next page) wait for that.
DOWNLOAD_PATH = frozenset({"warc_open", "warc_exchange", "warc_metadata", "warc_close"})
# Calls whose only product is their answer: once the crawl is gone there is no one to read it.
ANSWER_ONLY = frozenset({"extract", "read_lists", "pid"})
# A file the worker writes its cProfile statistics to when it ends (benchmarks/crawl_throughput.py
# --profile): the crawl's own profile sees none of the worker's time.
PROFILE_ENV = "NEWSCRAWLER_WORKER_PROFILE"

Call = tuple[int, str, tuple[Any, ...]]


# What calls keep between them: the archive (``archive``) and the WARC files (``warc``).
_state: dict[str, Any] = {}


@dataclass(frozen=True)
class ReadSummary:
    """What the crawl's side reads of an extraction context once the record is built: its
    warnings (fallback counts) and what read the page. Sent instead of the whole context, whose
    pickling cost more than the record's."""

    warnings: tuple[str, ...]
    extractor: str | None


@dataclass(frozen=True)
class KeptRecord:
    """In a page sent to the archive: the record the worker built for the page and kept (under
    ``token``, see ``_extract``), so that it does not travel back. The stages after extraction
    change a record only by adding to its ``warnings`` (validation), which come along; a record
    they dropped or replaced is ``record`` instead (``warnings`` None)."""

    token: int
    warnings: tuple[str, ...] | None
    record: dict[str, Any] | None = None


def _extract(url: str, body: bytes, headers: dict[str, str], fetched_at: str, portal: str,
             fallback: bool, token: int | None = None,
             ) -> tuple[Any, Any, dict[str, Any] | None]:
    """Raw fields, context and record of an article page; with a record, only a
    summary of the context (the raw fields are then unused). The record is None when it cannot be
    built: the normalisation stage then builds it again on the crawl's side from the raw fields
    and the context, where its error is reported as it would be without a worker.

    With a ``token`` the record is kept here too, until the page is archived (``KeptRecord``)."""
    from datetime import datetime

    from .extract import build_record, read_page

    raw, context = read_page(url, body, headers, datetime.fromisoformat(fetched_at), portal,
                             fallback=fallback)
    try:
        record = build_record(raw, context)
    except Exception:  # noqa: BLE001 - raised again where the crawl reports it
        return raw, context, None
    summary = ReadSummary(tuple(context.warnings), getattr(context, "extractor", None))
    if token is not None:
        _kept()[token] = record
    return None, summary, record


def _kept() -> dict[int, dict[str, Any]]:
    kept: dict[int, dict[str, Any]] = _state.setdefault("records", {})
    return kept


def _page(page: tuple[Any, ...]) -> tuple[Any, ...]:
    """A page to archive with its kept record in place (``KeptRecord``); the record stays kept
    (a batch that fails is written again page by page) until ``_release``."""
    capture, record, lists = page
    if not isinstance(record, KeptRecord):
        return page
    if record.warnings is None:
        return capture, record.record, lists
    kept = _kept()[record.token]
    kept["warnings"] = list(record.warnings)
    return capture, kept, lists


def _release(pages: list[tuple[Any, ...]]) -> None:
    kept = _kept()
    for _, record, _ in pages:
        if isinstance(record, KeptRecord):
            kept.pop(record.token, None)


def _forget_records(tokens: list[int]) -> None:
    """Records kept for pages that will not be archived (their item failed on the way)."""
    kept = _kept()
    for token in tokens:
        kept.pop(token, None)


def _read_lists(url: str, body: bytes, headers: dict[str, str], fetched_at: str,
                portal: str) -> dict[str, Any]:
    from datetime import datetime

    from .extract import read_lists

    return read_lists(url, body, headers, datetime.fromisoformat(fetched_at), portal)


def _archive_open(path: str, cache_mb: float, removal_confirm_hours: float) -> None:
    from datetime import timedelta

    from archive import Archive

    archive = Archive.open(path, cache_mb=cache_mb)
    archive.removal_confirm = timedelta(hours=removal_confirm_hours)
    _state["archive"] = archive


def _archive_add(run_id: int, pages: list[tuple[Any, ...]]) -> list[str]:
    """Many pages in one transaction (``Archive.add_captures``), with the download path's calls
    that come meanwhile run between them (``_between``). When it fails the pages' kept records
    stay: the crawl writes the pages again one by one (``_archive_add_one``)."""
    outcomes = list(_state["archive"].add_captures(run_id, _between(pages)))
    _release(pages)
    return outcomes


def _between(pages: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """The pages of a batch as the archive takes them, one at a time inside its transaction;
    before each, the download path's calls waiting run (WARC records touch no archive)."""
    interleave: Callable[[], None] | None = _state.get("between")
    for page in pages:
        if interleave is not None:
            interleave()
        yield _page(page)


def _archive_add_one(run_id: int, page: tuple[Any, ...]) -> str:
    try:
        return str(_state["archive"].add_capture(run_id, *_page(page)))
    finally:
        _release([page])


def _archive_close() -> None:
    archive = _state.pop("archive", None)
    if archive is not None:
        archive.close()


def _warc_open(directory: str, max_size: int, info: dict[str, str], name_prefix: str,
               name_suffix: str) -> None:
    from .portals import canonical_url
    from .warc.writer import WarcFileSet

    _state["warc"] = WarcFileSet(directory, max_size, info, name_prefix=name_prefix,
                                 name_suffix=name_suffix, canonical=canonical_url)


def _warc_exchange(exchange: Any) -> Any:
    if "warc" not in _state:
        raise RuntimeError("the WARC files could not be opened (see the log)")
    return _state["warc"].write_exchange(exchange)


def _warc_metadata(url: str, record_id: str, fields: list[tuple[str, str]] | bytes) -> None:
    """The metadata record of an article page, its fields (outlinks included) found by the crawl
    from the response, and sent formatted (``warc_fields``: one bytes object pickles in a
    fraction of the time of its forty-odd pairs)."""
    _state["warc"].write_metadata(url, record_id, fields)


def _warc_close() -> int:
    files = _state.pop("warc", None)
    if files is None:
        return 0
    files.close()
    return len(files.files)


CALLS: dict[str, Callable[..., Any]] = {
    "extract": _extract,
    "read_lists": _read_lists,
    "archive_open": _archive_open,
    "archive_add": _archive_add,
    "archive_add_one": _archive_add_one,
    "archive_close": _archive_close,
    "forget_records": _forget_records,
    "warc_open": _warc_open,
    "warc_exchange": _warc_exchange,
    "warc_metadata": _warc_metadata,
    "warc_close": _warc_close,
}


def pid() -> int:
    """This process's id (a test asks where a call ran)."""
    return os.getpid()


CALLS["pid"] = pid


def serve(conn: Connection, parent_end: Connection | None) -> None:
    """The worker's main loop: run calls and answer them, until ``stop`` or the crawl's end."""
    # The crawl stops on Ctrl-C and SIGTERM in order, and keeps sending work while it closes
    # (the terminal's Ctrl-C reaches this process too). This one ends when the pipe does.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if parent_end is not None:
        parent_end.close()  # a forked copy of the crawl's end would keep this one from seeing EOF
    # Calls are read as they come, so that the crawl never waits on a full pipe, and so that the
    # download path's calls can overtake those waiting.
    calls: queue.SimpleQueue[list[Call] | None] = queue.SimpleQueue()

    def read() -> None:
        try:
            while True:
                calls.put(conn.recv())
        except (EOFError, OSError):
            calls.put(None)  # the crawl's process is gone

    # The reader thread needs the GIL after every read, and would wait for the main thread to
    # give it up (every 5 ms by default) while the crawl, its socket buffer full, waits to send.
    sys.setswitchinterval(READER_SWITCH_SECONDS)
    threading.Thread(target=read, name="newscrawler-worker-reader", daemon=True).start()
    loop = _Loop(conn, calls)
    _state["between"] = loop.download_path
    loop.run()


class _Lanes:
    """The calls received and not yet run: the download path's (``DOWNLOAD_PATH``) first, then
    the others, each lane in the order sent. ``figures``: how the crawl fed the worker."""

    def __init__(self, calls: queue.SimpleQueue[list[Call] | None]) -> None:
        self.calls = calls
        self.first: deque[Call] = deque()
        self.then: deque[Call] = deque()
        self.ended = False  # the crawl's process is gone
        self.figures = {"messages": 0, "calls": 0, "idle_seconds": 0.0}

    def _take(self, wait: bool) -> None:
        """Sort the messages received into the lanes; with ``wait``, wait for one."""
        while not self.ended and (wait or not self.calls.empty()):
            if wait and self.figures["messages"]:
                started = time.perf_counter()
                message = self.calls.get()
                # Time with nothing to do, once the crawl has begun sending work.
                self.figures["idle_seconds"] += time.perf_counter() - started
            else:
                message = self.calls.get()  # only this thread takes: one is there
            wait = False
            if message is None:
                self.ended = True
                return
            self.figures["messages"] += 1
            self.figures["calls"] += len(message)
            for call in message:
                (self.first if call[1] in DOWNLOAD_PATH else self.then).append(call)

    def waiting(self, first_only: bool = False) -> bool:
        """Whether a call is waiting (a download path call, with ``first_only``)."""
        self._take(wait=False)
        return bool(self.first or (self.then and not first_only))

    def next(self) -> Call | None:
        """The next call to run, waiting for one; None once the crawl is gone and all have run
        (what it sent before it went is stored, as it would have been)."""
        self._take(wait=not (self.first or self.then))
        if self.first:
            return self.first.popleft()
        if self.then:
            return self.then.popleft()
        return None


class _Loop:
    """Runs the calls lane by lane and answers them."""

    def __init__(self, conn: Connection, calls: queue.SimpleQueue[list[Call] | None]) -> None:
        self.lanes = _Lanes(calls)
        self.answers = _Answers(conn)

    def run(self) -> None:
        while True:
            call = self.lanes.next()
            if call is None:
                # No one to answer: store what was sent, close the files properly and go.
                _close_all()
                return
            if call[1] == STOP:
                # Every call sent before it has run: the lanes are empty.
                _close_all()
                figures = dict(self.lanes.figures, answer_messages=self.answers.messages + 1)
                self.answers.add(call[0], True, figures)
                self.answers.send()
                return
            if self.lanes.ended and call[1] in ANSWER_ONLY:
                # Sent before the crawl went, so nothing it sent depends on the answer.
                continue
            self._run(call)
            if not self.lanes.waiting() or (self.answers.urgent and not self.lanes.first):
                self.answers.send()

    def _run(self, call: Call) -> None:
        number, name, args = call
        try:
            result = CALLS[name](*args)
        except BaseException as exc:  # noqa: BLE001 - the caller's error, sent back to it
            if hasattr(exc, "add_note"):  # Python 3.11+: the crawl's log shows where
                exc.add_note("In the worker process:\n" + traceback.format_exc().rstrip())
            self.answers.add(number, False, exc, name in DOWNLOAD_PATH)
        else:
            self.answers.add(number, True, result, name in DOWNLOAD_PATH)

    def download_path(self) -> None:
        """Run the download path's calls waiting, and answer them at once (between the pages of
        an archive batch: the responses they hold up need not wait for its commit)."""
        ran = False
        while self.lanes.waiting(first_only=True):
            self._run(self.lanes.first.popleft())
            ran = True
        if ran:
            self.answers.send()


class _Answers:
    """Answers sent together: those of the calls run while more were waiting, at most
    ``ANSWER_BATCH``, so that a busy worker does not wake the crawl for every call."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.waiting: list[tuple[int, bool, Any]] = []
        # Whether a download path call's answer is among them (``DOWNLOAD_PATH``).
        self.urgent = False
        self.messages = 0

    def add(self, number: int, ok: bool, value: Any, urgent: bool = False) -> None:
        self.waiting.append((number, ok, value))
        self.urgent = self.urgent or urgent
        if len(self.waiting) >= ANSWER_BATCH:
            self.send()

    def send(self) -> None:
        if not self.waiting:
            return
        answers, self.waiting, self.urgent = self.waiting, [], False
        self.messages += 1
        try:
            self.conn.send(answers)
        except (EOFError, OSError):
            pass  # the crawl is gone; what was written stays written
        except Exception:  # noqa: BLE001 - an answer that cannot be pickled: each on its own
            for answer in answers:
                _answer(self.conn, *answer)


def _close_all() -> None:
    for close in (_archive_close, _warc_close):
        try:
            close()
        except Exception:
            logger.exception("Closing the worker's files failed")


def _answer(conn: Connection, number: int, ok: bool, value: Any) -> None:
    try:
        conn.send([(number, ok, value)])
    except (EOFError, OSError):
        pass  # the crawl is gone; what was written stays written
    except Exception as exc:  # noqa: BLE001 - an answer that cannot be pickled
        conn.send([(number, False, RuntimeError(f"{type(value).__name__}: {value!r}; {exc}"))])


def main(conn: Connection, parent_end: Connection | None) -> None:
    """The worker process's entry point (``PROFILE_ENV``: profiled)."""
    profile_path = os.environ.get(PROFILE_ENV)
    profiler = None
    if profile_path:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    try:
        serve(conn, parent_end)
    finally:
        conn.close()
        if profiler is not None and profile_path:
            profiler.disable()
            profiler.dump_stats(profile_path)
