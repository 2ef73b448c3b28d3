"""The crawl's worker process: extraction, archive writes and WARC writes beside the reactor.

Scrapy runs a crawl on one thread, and Python's GIL keeps a second thread from doing Python work
at the same time: a crawl uses one core. Reading a page (extraction, normalisation), writing it to
the archive and writing its WARC records is most of what a page costs us, and none of it needs
Scrapy. ``CrawlWorker`` runs that work in one other process, so that a crawl uses two cores
(``NEWSCRAWLER_WORKER``, on by default where the crawl may use a second core;
``benchmarks/README.md``, crawl_throughput.py).

One worker per crawl, shared by the components that use it (``for_crawler``). Calls go down one
pipe and are run in the order they were sent (a batch of pages is archived after the batches
sent before it, a WARC metadata record after its response record), each answered through a
``Deferred`` on the reactor thread. The worker keeps state between calls: the archive connection
and the WARC files, opened and closed by calls of their own, and the records it built for pages
not yet archived (``KeptRecord``: the archive's batch refers to them rather than carrying them
back).

What crosses the pipe is kept small, since both processes pay for it (pickling, system calls,
waking the other side): the calls of one turn of the reactor go as one message, the worker
answers the calls it ran while more were waiting together, a page's outlinks are found where the
page is read, and an extraction is answered with the record and a summary of its context.

Stopping loses nothing queued: ``stop`` is answered only once every call sent before it has
run, and the crawl waits for it (``engine_stopped``). The worker ignores Ctrl-C and SIGTERM,
which the crawl handles with an orderly close that still sends it work. When the crawl's
process dies, the worker finishes what it was sent (a batch committed then is archived; a
resumed crawl finds it stored already), closes its archive and WARC files, and exits.

The worker is forked, not spawned, where the platform can: it runs exactly the code loaded in
the crawl (portal profiles, their layout versions) and starts in milliseconds. It is forked
while the crawl is being set up (``StartWorker``, an extension), before the reactor, the replay
server and their threads run.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.reactor import CallLaterOnce
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# The crawler attribute holding its worker (None when the setting is off).
_ATTRIBUTE = "_newscrawler_worker"
_STOP = "stop"
# The worker's GIL switch interval (seconds): how long its reader thread may wait to take calls.
READER_SWITCH_SECONDS = 0.0005
# Answers the worker may hold back while more calls wait (see ``_Answers``).
ANSWER_BATCH = 16
# Bytes each end may have in flight before a send waits (the system's limit, net.core.wmem_max,
# caps it): a few hundred pages, so that the reactor never waits on a busy worker to send it one.
SOCKET_BUFFER = 4 * 1024 * 1024


class WorkerDied(RuntimeError):
    """The worker process ended before answering a call."""


# --- the worker process's side ------------------------------------------------------------

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
             fallback: bool, encoding: str | None = None, token: int | None = None,
             ) -> tuple[Any, Any, dict[str, Any] | None, list[str] | None]:
    """Raw fields, context, record and outlinks of an article page; with a record, only a
    summary of the context (the raw fields are then unused). The record is None when it cannot be
    built: the normalisation stage then builds it again on the crawl's side from the raw fields
    and the context, where its error is reported as it would be without a worker.

    The outlinks (``outlink`` values of the page's WARC metadata record, found in the page as
    decoded with ``encoding``) are found here, where the page already is, so that the metadata
    record's call need not carry the page again; None without an encoding, or when finding them
    failed (the metadata record's call then finds them, and reports the error, as before).

    With a ``token`` the record is kept here too, until the page is archived (``KeptRecord``)."""
    from datetime import datetime

    from .extract import build_record, read_page

    raw, context = read_page(url, body, headers, datetime.fromisoformat(fetched_at), portal,
                             fallback=fallback)
    links = _outlinks(url, body, encoding) if encoding is not None else None
    try:
        record = build_record(raw, context)
    except Exception:  # noqa: BLE001 - raised again where the crawl reports it
        return raw, context, None, links
    summary = ReadSummary(tuple(context.warnings), getattr(context, "extractor", None))
    if token is not None:
        _kept()[token] = record
    return None, summary, record, links


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


def _outlinks(url: str, body: bytes, encoding: str) -> list[str] | None:
    from .warc.capture import outlink_values, page_outlinks

    try:
        return outlink_values(page_outlinks(url, body, encoding))
    except Exception:  # noqa: BLE001 - found again, and reported, with the metadata record
        return None


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
    """Many pages in one transaction (``Archive.add_captures``). When it fails the pages' kept
    records stay: the crawl writes the pages again one by one (``_archive_add_one``)."""
    outcomes = list(_state["archive"].add_captures(run_id, [_page(page) for page in pages]))
    _release(pages)
    return outcomes


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


def _warc_metadata(url: str, record_id: str, fields: list[tuple[str, str]],
                   body: bytes | None = None, encoding: str | None = None) -> None:
    """The metadata record of an article page. Its outlinks are in ``fields`` when the page was
    read here (``_extract``); otherwise they are found here, from ``body``."""
    if body is not None and encoding is not None:
        from .warc.capture import outlink_values, page_outlinks

        fields = fields + [("outlink", value)
                           for value in outlink_values(page_outlinks(url, body, encoding))]
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


def _serve(conn: Connection, parent_end: Connection | None) -> None:
    """The worker's main loop: run calls in order, answer each, until ``stop`` or the crawl's end."""
    # The crawl stops on Ctrl-C and SIGTERM in order, and keeps sending work while it closes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if parent_end is not None:
        parent_end.close()  # a forked copy of the crawl's end would keep this one from seeing EOF
    # Calls are read as they come, so that the crawl never waits on a full pipe. Each message is
    # the calls the crawl made in one turn of its reactor.
    calls: queue.SimpleQueue[list[tuple[int, str, tuple[Any, ...]]] | None] = queue.SimpleQueue()

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
    answers = _Answers(conn)
    while True:
        batch = calls.get()
        if batch is None:
            # No one to answer: store what was sent, close the files properly and go.
            _close_all()
            return
        for number, name, args in batch:
            if name == _STOP:
                _close_all()
                answers.add(number, True, None)
                answers.send()
                return
            try:
                result = CALLS[name](*args)
            except BaseException as exc:  # noqa: BLE001 - the caller's error, sent back to it
                if hasattr(exc, "add_note"):  # Python 3.11+: the crawl's log shows where
                    exc.add_note("In the worker process:\n" + traceback.format_exc().rstrip())
                answers.add(number, False, exc)
            else:
                answers.add(number, True, result)
        if calls.empty():
            answers.send()


class _Answers:
    """Answers sent together: those of the calls run while more were waiting, at most
    ``ANSWER_BATCH``, so that a busy worker does not wake the crawl for every call."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.waiting: list[tuple[int, bool, Any]] = []

    def add(self, number: int, ok: bool, value: Any) -> None:
        self.waiting.append((number, ok, value))
        if len(self.waiting) >= ANSWER_BATCH:
            self.send()

    def send(self) -> None:
        if not self.waiting:
            return
        answers, self.waiting = self.waiting, []
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


# A file the worker writes its cProfile statistics to when it ends (benchmarks/crawl_throughput.py
# --profile): the crawl's own profile sees none of the worker's time.
PROFILE_ENV = "NEWSCRAWLER_WORKER_PROFILE"


def _main(conn: Connection, parent_end: Connection | None) -> None:
    profile_path = os.environ.get(PROFILE_ENV)
    profiler = None
    if profile_path:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    try:
        _serve(conn, parent_end)
    finally:
        conn.close()
        if profiler is not None and profile_path:
            profiler.disable()
            profiler.dump_stats(profile_path)


# --- the crawl's side ---------------------------------------------------------------------


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class CrawlWorker:
    """The worker process and the thread that reads its answers, on the crawl's side."""

    def __init__(self) -> None:
        context = _context()
        if context.get_start_method() == "fork":
            # What the worker runs, imported once here (the crawl needs it too), not in each fork.
            import scrapy.http  # noqa: F401

            import archive  # noqa: F401

            from .extract import script
            from .warc import writer  # noqa: F401

            script.load_converters()
        here, there = context.Pipe(duplex=True)
        for end in (here, there):
            _widen(end)
        forked = context.get_start_method() == "fork"
        self.process = context.Process(
            target=_main, args=(there, here if forked else None), name="newscrawler-worker",
            daemon=True,
        )
        self.process.start()
        there.close()
        self.conn = here
        self.pending: dict[int, Deferred[Any]] = {}
        self.lock = threading.Lock()
        self.number = 0
        self.dead: BaseException | None = None
        self.stopping: Deferred[None] | None = None
        # Whether the worker should keep the records it builds until their pages are archived
        # (``KeptRecord``): set by the archive pipeline, which sends them back.
        self.keep_records = False
        # Calls made in this turn of the reactor, sent at its end.
        self.outbox: list[tuple[int, str, tuple[Any, ...]]] = []
        self.sender = CallLaterOnce(self._send)
        self.reader = threading.Thread(target=self._read, name="newscrawler-worker-answers",
                                       daemon=True)
        self.reader.start()

    def call(self, name: str, *args: Any) -> Deferred[Any]:
        """Run ``name`` (a key of ``CALLS``) in the worker; fires with its result, on the reactor.

        Calls made in one turn of the reactor are sent together at its end (``_send``)."""
        deferred: Deferred[Any] = Deferred()
        with self.lock:
            if self.dead is not None:
                deferred.errback(Failure(WorkerDied(str(self.dead))))
                return deferred
            self.number += 1
            number = self.number
            self.pending[number] = deferred
        self.outbox.append((number, name, args))
        self.sender.schedule()
        return deferred

    def _send(self) -> None:
        calls, self.outbox = self.outbox, []
        if not calls:
            return
        try:
            self.conn.send(calls)
        except (OSError, EOFError) as exc:
            with self.lock:
                failed = [self.pending.pop(number, None) for number, _, _ in calls]
            for deferred in failed:
                if deferred is not None:
                    deferred.errback(Failure(WorkerDied(f"the worker process is gone: {exc}")))

    def stop(self) -> Deferred[None]:
        """Fires once every call sent so far has run and the worker has exited. Idempotent."""
        if self.stopping is None:
            self.stopping = self.call(_STOP)
            self.stopping.addBoth(self._joined)
        return self.stopping

    async def stopped(self) -> None:
        """``stop``, awaited: what the crawl's ``engine_stopped`` waits on."""
        await maybe_deferred_to_future(self.stop())

    def _joined(self, result: Any) -> None:
        self.process.join(5)
        if isinstance(result, Failure) and not result.check(WorkerDied):
            logger.error("The worker process failed to stop: %s", result.getErrorMessage())

    def _read(self) -> None:
        """Answers as they come, handed to the reactor thread in bunches."""
        from twisted.internet import reactor

        while True:
            answers: list[tuple[int, bool, Any]] = []
            try:
                answers.extend(self.conn.recv())
                while self.conn.poll(0):
                    answers.extend(self.conn.recv())
            except (EOFError, OSError) as exc:
                if answers:
                    reactor.callFromThread(self._deliver, answers)  # type: ignore[attr-defined]
                reactor.callFromThread(self._died, exc)  # type: ignore[attr-defined]
                return
            reactor.callFromThread(self._deliver, answers)  # type: ignore[attr-defined]

    def _deliver(self, answers: list[tuple[int, bool, Any]]) -> None:
        for number, ok, value in answers:
            with self.lock:
                deferred = self.pending.pop(number, None)
            if deferred is None:
                continue
            if ok:
                deferred.callback(value)
            else:
                deferred.errback(Failure(value))

    def _died(self, exc: BaseException) -> None:
        with self.lock:
            self.dead = exc
            pending, self.pending = self.pending, {}
        if pending or self.stopping is None:
            logger.error("The worker process ended with %d calls unanswered", len(pending))
        for deferred in pending.values():
            deferred.errback(Failure(WorkerDied(f"the worker process ended: {exc!r}")))


def _widen(conn: Connection) -> None:
    """Let ``conn`` (one end of a socket pair) hold ``SOCKET_BUFFER`` bytes unread."""
    import socket

    try:
        with socket.socket(fileno=os.dup(conn.fileno())) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER)
    except OSError:
        logger.debug("The worker's socket buffer stays as the system made it", exc_info=True)


def for_crawler(crawler: Crawler) -> CrawlWorker | None:
    """The crawl's worker, started on first use; None when ``NEWSCRAWLER_WORKER`` is off.

    Components ask for it while the crawl is set up (their ``__init__``), so that it is forked
    before the reactor starts its threads. It stops once the engine has stopped, after every
    component has closed its part.
    """
    if hasattr(crawler, _ATTRIBUTE):
        return getattr(crawler, _ATTRIBUTE)  # type: ignore[no-any-return]
    worker: CrawlWorker | None = None
    # On in the project's settings; a crawler built without them (a component tried on its own)
    # works in its own process.
    if crawler.settings.getbool("NEWSCRAWLER_WORKER", False):
        from scrapy import signals

        worker = CrawlWorker()
        crawler.signals.connect(worker.stopped, signal=signals.engine_stopped)
        logger.debug("Worker process %s started", worker.process.pid)
    setattr(crawler, _ATTRIBUTE, worker)
    return worker


class StartWorker:
    """Extension that starts the crawl's worker as the crawler is set up: extensions are made
    before the engine, whose download handlers start threads (the replay server's), so the
    worker is forked while the crawl's process runs one thread."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StartWorker:
        for_crawler(crawler)
        return cls()


def pid() -> int:
    """This process's id (a test asks where a call ran)."""
    return os.getpid()


CALLS["pid"] = pid
