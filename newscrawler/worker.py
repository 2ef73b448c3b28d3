"""The crawl's worker process: extraction, archive writes and WARC writes beside the reactor.

Scrapy runs a crawl on one thread, and Python's GIL keeps a second thread from doing Python work
at the same time: a crawl uses one core. Reading a page (extraction, normalisation), writing it to
the archive and writing its WARC records is most of what a page costs us, and none of it needs
Scrapy. ``CrawlWorker`` runs that work in one other process, so that a crawl uses two cores
(``NEWSCRAWLER_WORKER``, on by default where the crawl may use a second core;
``benchmarks/HISTORY.md``, crawl_throughput.py).

One worker per crawl, shared by the components that use it (``for_crawler``). Calls go down one
pipe, each answered through a ``Deferred`` on the reactor thread. The worker's side
(``newscrawler.worker_process``) runs the download path's calls (WARC records, which a response
waits for before the spider sees it, and the spider's next requests with it) before the
pipelines' (reading pages, archive writes), even between the pages of an archive batch; each kind
in the order sent (a batch of pages is archived after the batches sent before it, a WARC metadata
record after its response record). The worker keeps state between calls: the archive connection
and the WARC files, opened and closed by calls of their own, and the records it built for pages
not yet archived (``KeptRecord``: the archive's batch refers to them rather than carrying them
back).

What crosses the pipe is kept small, since both processes pay for it (pickling, system calls,
waking the other side): the calls of one turn of the reactor go as one message, the worker
answers the calls it ran while more were waiting together, a page's WARC metadata record comes
with its fields (outlinks included) found in the crawl process, where the response is, and an
extraction is answered with the record and a summary of its context. The crawl's stats say how
well the two fed each other (``newscrawler/worker/…``: the worker's idle seconds, messages each
way, the mean wait for each kind of call).

Stopping loses nothing queued: ``stop`` is answered only once every call sent before it has
run, and the crawl waits for it (``engine_stopped``). The worker ignores Ctrl-C and SIGTERM,
which the crawl handles with an orderly close that still sends it work. When the crawl's
process dies or closes the pipe, the worker stores what it was sent (a batch committed then is
archived; a resumed crawl finds it stored already; extractions no one can read are skipped),
closes its archive and WARC files, and exits. A crawl stopped by force (Ctrl-C or SIGTERM a
second time: Scrapy stops the reactor without closing the crawl) shuts the pipe, waits a few
seconds for the worker (``abandon``) and kills it if it is still busy; at the latest as the
crawl's process exits, whose ``multiprocessing`` waits for the worker, which would otherwise wait
on the pipe for ever.

The worker is forked, not spawned, where the platform can: it runs exactly the code loaded in
the crawl (portal profiles, their layout versions) and starts in milliseconds. It is forked
while the crawl is being set up (``StartWorker``, an extension), before the reactor, the replay
server and their threads run.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import queue
import threading
import time
from multiprocessing.reduction import ForkingPickler
from typing import TYPE_CHECKING, Any

from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.reactor import CallLaterOnce
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

# What the worker runs, and what the crawl's components send it (re-exported for them).
from .worker_process import CALLS, PROFILE_ENV, STOP, KeptRecord, ReadSummary, main

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

__all__ = ["CALLS", "PROFILE_ENV", "CrawlWorker", "KeptRecord", "ReadSummary", "StartWorker",
           "WorkerDied", "for_crawler"]

# The crawler attribute holding its worker (None when the setting is off).
_ATTRIBUTE = "_newscrawler_worker"
# Stats of how the crawl and its worker fed each other (``CrawlWorker.figures``).
STATS_PREFIX = "newscrawler/worker/"
# Bytes each end may have in flight before a send waits (the system's limit, net.core.wmem_max,
# caps it): a few hundred pages, so that the reactor never waits on a busy worker to send it one.
SOCKET_BUFFER = 4 * 1024 * 1024
# Seconds a crawl stopped by force waits for its worker to store what it was sent (``abandon``).
ABANDON_SECONDS = 5.0


class WorkerDied(RuntimeError):
    """The worker process ended before answering a call."""


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class CrawlWorker:
    """The worker process and the thread that reads its answers, on the crawl's side."""

    def __init__(self, stats: StatsCollector | None = None) -> None:
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
            target=main, args=(there, here if forked else None), name="newscrawler-worker",
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
        self.stats = stats
        # (name, when sent) of each call unanswered, and for each name: calls answered and the
        # seconds they waited in all (``figures``).
        self.sent_at: dict[int, tuple[str, float]] = {}
        self.waits: dict[str, list[float]] = {}
        # Whether the worker should keep the records it builds until their pages are archived
        # (``KeptRecord``): set by the archive pipeline, which sends them back.
        self.keep_records = False
        # Calls made in this turn of the reactor, sent at its end.
        self.outbox: list[tuple[int, str, tuple[Any, ...]]] = []
        self.sender = CallLaterOnce(self._send)
        # Each turn's calls, pickled, and their numbers: written to the pipe by a thread of its
        # own, as multiprocessing's queues do (``_write``).
        self.outgoing: queue.SimpleQueue[tuple[memoryview, list[int]]] = queue.SimpleQueue()
        self.writer = threading.Thread(target=self._write, name="newscrawler-worker-calls",
                                       daemon=True)
        self.writer.start()
        self.reader = threading.Thread(target=self._read, name="newscrawler-worker-answers",
                                       daemon=True)
        self.reader.start()
        # Python's exit joins the worker (multiprocessing's own exit handler, after this one): a
        # worker still waiting on the pipe would hold the crawl's process for ever.
        atexit.register(self.abandon)

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
        self.sent_at[number] = (name, time.perf_counter())
        self.outbox.append((number, name, args))
        self.sender.schedule()
        return deferred

    def _send(self) -> None:
        calls, self.outbox = self.outbox, []
        if not calls:
            return
        # Pickled here, as the calls are when they are sent; written by ``_write``.
        try:
            self.outgoing.put((ForkingPickler.dumps(calls), [number for number, _, _ in calls]))
        except Exception:  # noqa: BLE001 - a call that cannot be pickled fails alone
            for call in calls:
                try:
                    self.outgoing.put((ForkingPickler.dumps([call]), [call[0]]))
                except Exception as exc:  # noqa: BLE001 - its caller's error
                    self._fail([call[0]], exc)

    def _write(self) -> None:
        """Write the calls to the pipe, in the order sent. A write gives up the GIL, and taking
        it back can wait on the crawl's other threads (the answers' reader, a replay server's):
        the reactor thread does not wait for that."""
        from twisted.internet import reactor

        while True:
            data, numbers = self.outgoing.get()
            try:
                self.conn.send_bytes(data)
            except (OSError, EOFError) as exc:
                error = WorkerDied(f"the worker process is gone: {exc}")
                reactor.callFromThread(self._fail, numbers, error)  # type: ignore[attr-defined]

    def _fail(self, numbers: list[int], error: BaseException) -> None:
        with self.lock:
            failed = [self.pending.pop(number, None) for number in numbers]
        for number in numbers:
            self.sent_at.pop(number, None)
        for deferred in failed:
            if deferred is not None:
                deferred.errback(Failure(error))

    def stop(self) -> Deferred[None]:
        """Fires once every call sent so far has run and the worker has exited. Idempotent."""
        if self.stopping is None:
            self.stopping = self.call(STOP)
            self.stopping.addBoth(self._joined)
        return self.stopping

    async def stopped(self) -> None:
        """``stop``, awaited: what the crawl's ``engine_stopped`` waits on."""
        await maybe_deferred_to_future(self.stop())

    def _joined(self, result: Any) -> None:
        self.process.join(5)
        atexit.unregister(self.abandon)
        if isinstance(result, Failure) and not result.check(WorkerDied):
            logger.error("The worker process failed to stop: %s", result.getErrorMessage())
        if self.stats is not None:
            for name, value in self.figures(result if isinstance(result, dict) else {}).items():
                self.stats.set_value(STATS_PREFIX + name, value)

    def abandon(self, wait: float = ABANDON_SECONDS) -> None:
        """End the worker without the crawl's orderly ``stop``: the crawl was stopped by force.

        The pipe is shut, both ways: the worker sees its end, stores what it was sent, closes its
        files and exits; its answers go nowhere (the crawl's threads blocked on the pipe wake up
        to an error). A worker still busy after ``wait`` seconds is killed: the archive's
        transaction it was in rolls back, and the resumed crawl fetches those pages again.
        Idempotent."""
        atexit.unregister(self.abandon)
        if self.process.pid is None or self.process.exitcode is not None:
            return
        import socket

        try:
            # Closing alone would not do: a thread blocked reading the pipe keeps it open.
            with socket.socket(fileno=os.dup(self.conn.fileno())) as sock:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # closed already
        self.process.join(wait)
        if self.process.exitcode is None:
            logger.warning("The worker process was still busy %.0f seconds after the crawl was"
                           " stopped by force: killed", wait)
            self.process.kill()  # it ignores SIGTERM
            self.process.join()

    def figures(self, worker: dict[str, Any]) -> dict[str, Any]:
        """How the crawl and its worker fed each other: the worker's own ``figures`` (messages and
        calls received, seconds with nothing to do once the crawl began, answer messages sent)
        and, for each kind of call, the mean milliseconds from call to answer (``wait_ms/…``)."""
        figures: dict[str, Any] = {name: round(value, 4) if isinstance(value, float) else value
                                   for name, value in worker.items()}
        for name, (count, seconds) in sorted(self.waits.items()):
            if name != STOP:
                figures[f"wait_ms/{name}"] = round(1000 * seconds / count, 2)
        return figures

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
        now = time.perf_counter()
        for number, ok, value in answers:
            with self.lock:
                deferred = self.pending.pop(number, None)
            if deferred is None:
                continue
            name, sent = self.sent_at.pop(number)
            waited = self.waits.setdefault(name, [0, 0.0])
            waited[0] += 1
            waited[1] += now - sent
            if ok:
                deferred.callback(value)
            else:
                deferred.errback(Failure(value))

    def _died(self, exc: BaseException) -> None:
        with self.lock:
            self.dead = exc
            pending, self.pending = self.pending, {}
        self.sent_at.clear()
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

        worker = CrawlWorker(crawler.stats)
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

