"""``ArchivePipeline``: every fetched page and its record written to the SQLite archive, in
batches, and the crawl's run started and finished in it."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from .. import stopsignals
from ..accounting import ArchiveWriteError
from ..extensions import crawl_killed
from ..items import PageItem
from ..portals import never_shown
from ..reports import EVENTS_STAT, STOPPED_WHILE_STARTING_STAT, stopped_unrecorded_line
from ..resume import JOB_TOKEN, JOB_TOKEN_STAT
from ..worker import KeptRecord, for_crawler
from .stages import Stage

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

# The package's name, as every pipeline's logger (``stages`` says why).
logger = logging.getLogger("newscrawler.pipelines")

# How often the archive pipeline checks whether its buffer must be written (seconds).
TICK_SECONDS = 0.05


class ArchivePipeline(Stage):
    """Write each page and its record to the archive, many pages to a transaction.

    Pages wait in a buffer and are written together: at most ``NEWSCRAWLER_ARCHIVE_BATCH`` pages
    (default 50) to a transaction, and none waits longer than ``NEWSCRAWLER_ARCHIVE_BATCH_SECONDS``
    (default 0.25). The buffer is written at once when the crawl cannot go on without it: nothing is
    being downloaded and every page in the scraper is waiting here (the last pages of a crawl, a
    crawl closing), or the scraper holds so much that downloads wait. ``NEWSCRAWLER_ARCHIVE_BATCH``
    1 writes each page in its own transaction as it comes.

    An item leaves this stage only once its transaction has committed, so whatever follows the
    pipelines (Scrapy's ``item_scraped``: the resumable crawl's fingerprint of the page, the WARC
    metadata record, the JSON Lines output) happens for committed pages only. A crash loses the
    pages of the batch being filled, and none of them is marked done: a resumed crawl fetches them
    again. A batch that fails is written again page by page, so a page the archive refuses fails
    alone.

    With the crawl's worker process (``NEWSCRAWLER_WORKER``, ``newscrawler.worker``) the batches
    are written by the worker's own connection, in the order they were sent, and each item waits
    for its batch's answer as it waits for the commit otherwise. This connection starts the run
    and finishes it once the worker has closed its own.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        path = crawler.settings.get("NEWSCRAWLER_ARCHIVE")
        if not path:
            if path is None:  # never set (scrapy crawl), rather than switched off (--no-archive)
                logger.warning("NEWSCRAWLER_ARCHIVE is not set: this crawl writes no archive, only "
                               "its feeds and WARC files (-s NEWSCRAWLER_ARCHIVE=data/newscrawler.sqlite)")
            raise NotConfigured
        self.path = Path(path)
        self.batch_size = max(1, crawler.settings.getint("NEWSCRAWLER_ARCHIVE_BATCH", 50))
        self.max_wait = crawler.settings.getfloat("NEWSCRAWLER_ARCHIVE_BATCH_SECONDS", 0.25)
        self.archive: Any = None
        self.run_id: int | None = None
        self.waiting = False  # for the archive's write lock, as the run starts
        self.gave_up = False  # that wait, for a stop: the run is not recorded
        self.portal = ""
        # (item, capture, Deferred fired with the outcome once committed), oldest first.
        self.buffer: list[tuple[PageItem, dict[str, Any], Deferred[str]]] = []
        self.oldest = 0.0
        self.ticker: Any = None
        # Pages sent to the worker process and not yet committed (newscrawler.worker).
        self.in_flight = 0
        self.worker = for_crawler(crawler)
        if self.worker is not None:
            self.worker.keep_records = True  # sent back as references (_record)
        # The run is finished on spider_closed, after Scrapy has set finish_reason and the
        # final stats (close_spider runs before both).
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.crawl_killed, signal=crawl_killed)

    def open_spider(self, spider: Spider | None = None) -> None:
        from archive import Archive  # the archive library has no Scrapy dependency
        from archive.connection import CACHE_MB, WaitGivenUp

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.archive = Archive.open(
            self.path, cache_mb=self.crawler.settings.getfloat("NEWSCRAWLER_ARCHIVE_CACHE_MB", CACHE_MB))
        self.archive.removal_confirm = timedelta(
            hours=self.crawler.settings.getfloat("NEWSCRAWLER_REMOVAL_CONFIRM_HOURS", 24))
        self.portal = _portal_name(self.crawler.spider)
        try:
            # The archive reports the fields the portal never shows as such, not as missing.
            self.run_id = self.archive.start_run(self.portal, _run_settings(self.crawler),
                                                 never_shown=never_shown(self.portal),
                                                 give_up=self._stop_held)
        except WaitGivenUp:
            # Its run cannot be recorded without the lock: the crawl ends as one stopped while
            # it starts (``extensions.StartingStop``, which takes the stop), without it.
            logger.warning("Stopped while waiting for the archive %s, which another process holds locked: "
                           "this crawl's run is not recorded in it", self.path)
            self.archive.close()
            self.archive = None
            self.gave_up = True
            return
        self.stats.set_value("newscrawler/archive/run_id", self.run_id)
        # With the id, the start time tells this archive's run from another archive's run of the
        # same id (``newscrawler.resume`` binds a job directory to the run it resumes).
        run = self.archive.runs(before=self.run_id + 1, last=1)
        self.stats.set_value("newscrawler/archive/run_started_at", run[0]["started_at"] if run else None)
        if self.worker is not None:
            # The pages are written by the worker's own connection; this one starts and finishes
            # the run and reads the archive for the run's report once the worker has closed its.
            self.worker.call(
                "archive_open", str(self.path),
                self.crawler.settings.getfloat("NEWSCRAWLER_ARCHIVE_CACHE_MB", CACHE_MB),
                self.crawler.settings.getfloat("NEWSCRAWLER_REMOVAL_CONFIRM_HOURS", 24),
            ).addErrback(lambda failure: logger.error(
                "The worker cannot open the archive %s: %s", self.path, failure.getErrorMessage()))
        if self.batch_size > 1:
            from twisted.internet import task

            self.ticker = task.LoopingCall(self._tick)
            self.ticker.start(TICK_SECONDS, now=False)

    def _stop_held(self) -> bool:
        """Asked while another process holds the archive locked: a stop held meanwhile
        (``stopsignals``, ``newscrawler crawl`` and ``scrapy crawl``) ends the wait; without one
        the crawl waits as long as SQLite's busy timeout, Ctrl-C then acting only after it."""
        if not self.waiting:
            self.waiting = True
            logger.warning("Waiting for the archive %s, which another process holds locked", self.path)
        return stopsignals.pending() is not None

    def close_spider(self, spider: Spider | None = None) -> None:
        # Scrapy closes the pipelines once no item is in them, so the buffer is empty by now.
        if self.ticker is not None and self.ticker.running:
            self.ticker.stop()
        self.flush()

    async def spider_closed(self, spider: Spider | None = None, reason: str = "finished") -> None:
        if self.archive is None or self.run_id is None:
            stopped = self.stats.get_value(STOPPED_WHILE_STARTING_STAT) if self.gave_up else None
            if stopped:
                # In place of the line of a recorded run, for a scheduler reading a scrapyd job's
                # log (``newscrawler crawl`` says it in its summary too).
                logger.warning("%s", stopped_unrecorded_line(str(stopped)))
            return
        if self.worker is not None:
            # After every page sent to it (its calls run in order): the run's report reads them.
            try:
                await maybe_deferred_to_future(self.worker.call("archive_close"))
            except Exception:
                logger.exception("Closing the worker's archive connection failed")
        from ..reports import COVERAGE_STAT, FLAG_STAT, coverage, recorded_line, review

        for kind, count in self.archive.run_events(self.run_id).items():
            self.stats.set_value(f"{EVENTS_STAT}{kind}", count)
        stats = self.stats.get_stats()
        stats.setdefault("finish_reason", reason)
        for name, share in (coverage(stats) or {}).items():
            self.stats.set_value(COVERAGE_STAT + name, share)
        flag = review(self.archive, self.portal, self.run_id, stats)
        if flag:
            self.stats.set_value(FLAG_STAT, flag)
            logger.error("Run %s of %s flagged: %s", self.run_id, self.portal, flag)
        self.archive.finish_run(self.run_id, str(stats["finish_reason"]),
                                _json_safe(self.stats.get_stats()), flag)
        # The outcome for a scheduler that cannot open this archive (a crawl on a scrapyd node).
        run = next((r for r in self.archive.runs(self.portal, last=20) if r["id"] == self.run_id), None)
        if run is not None:
            logger.info("%s", recorded_line(run))
        self.archive.close()
        self.archive = None

    def crawl_killed(self) -> None:
        """Stopped by force (``extensions.ForcedStop``): the run ends ``killed``, counting what
        the archive holds of it once the worker has stored what it was sent (``abandon``)."""
        if self.archive is None or self.run_id is None:
            return
        if self.worker is not None:
            self.worker.abandon()
        for outcome, count in self.archive.run_outcomes(self.run_id).items():
            self.stats.set_value(f"newscrawler/archive/{outcome}", count)
        stats = self.stats.get_stats()
        self.archive.finish_run(self.run_id, str(stats["finish_reason"]), _json_safe(stats))
        self.archive.close()
        self.archive = None

    async def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, PageItem):
            return item
        capture = {
            "url": item.url,
            "fetched_at": item.fetched_at,
            "status": item.status,
            "headers": item.headers,
            "body": item.body,
            "kind": item.kind,
            "warc_filename": item.warc_filename,
            "warc_offset": item.warc_offset,
            "redirects": item.redirects,
        }
        if item.kind == "not-modified":
            from ..portals import canonical_url

            capture["canonical_url"] = canonical_url(item.url)
        if item.removal:
            capture["removal"] = item.removal
            capture["canonical_url"] = item.revisit_of
        if self.batch_size == 1:
            try:
                if self.worker is None:
                    outcome = self.archive.add_capture(self.run_id, capture, item.record, item.lists)
                else:
                    outcome = await maybe_deferred_to_future(self.worker.call(
                        "archive_add_one", self.run_id, (capture, _record(item), item.lists)))
            except Exception as exc:
                raise self._write_error(item, exc) from exc
            self._count(outcome)
            self.stats.inc_value("newscrawler/archive/transactions")
            return item
        committed: Deferred[str] = Deferred()
        if not self.buffer:
            self.oldest = time.monotonic()
        self.buffer.append((item, capture, committed))
        if len(self.buffer) >= self.batch_size or self._crawl_waits():
            self.flush()
        await maybe_deferred_to_future(committed)
        return item

    def _tick(self) -> None:
        try:
            if self.buffer and (time.monotonic() - self.oldest >= self.max_wait or self._crawl_waits()):
                self.flush()
        except Exception:
            # The timer must keep running, or pages would wait for a batch that never fills.
            logger.exception("Writing the archive's buffered pages failed")

    def _crawl_waits(self) -> bool:
        """True when the crawl cannot go on until the buffer is written."""
        engine = self.crawler.engine
        try:
            scraping = engine.scraper.slot
            if scraping is None:
                return False
            if scraping.needs_backout():
                return True  # the scraper holds too much: no download starts until pages leave
            # Nothing downloading, nothing queued for the spider, and every response in the
            # scraper has its page here (each response makes one page).
            return (not engine.downloader.active and not scraping.queue
                    and len(scraping.active) <= len(self.buffer) + self.in_flight)
        except AttributeError:  # another Scrapy's internals: the timer alone writes the buffer
            return False

    def flush(self) -> None:
        """Write the buffered pages in one transaction, then let their items go on."""
        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        if self.worker is not None:
            pages = [(capture, _record(item), item.lists) for item, capture, _ in batch]
            self.in_flight += len(batch)
            written = self.worker.call("archive_add", self.run_id, pages)
            written.addCallbacks(self._committed, self._batch_failed, callbackArgs=(batch,),
                                 errbackArgs=(batch,))
            return
        pages = [(capture, item.record, item.lists) for item, capture, _ in batch]
        try:
            outcomes = self.archive.add_captures(self.run_id, pages)
        except Exception:  # noqa: BLE001 - logged with its traceback in _batch_failed
            self._batch_failed(Failure(), batch)
            return
        self._committed(outcomes, batch)

    def _committed(self, outcomes: list[str], batch: list[tuple[PageItem, dict[str, Any], Deferred[str]]],
                   ) -> None:
        if self.worker is not None:
            self.in_flight -= len(batch)
        self.stats.inc_value("newscrawler/archive/transactions")
        for (_, _, committed), outcome in zip(batch, outcomes, strict=True):
            self._count(outcome)
            committed.callback(outcome)

    def _batch_failed(self, failure: Failure,
                      batch: list[tuple[PageItem, dict[str, Any], Deferred[str]]]) -> None:
        logger.warning("Writing %d pages together failed; writing them one by one", len(batch),
                       exc_info=(failure.type, failure.value, failure.getTracebackObject()))
        if self.worker is None:
            self._write_one_by_one(batch)
            return
        self.in_flight -= len(batch)
        for item, capture, committed in batch:
            self.in_flight += 1
            written = self.worker.call("archive_add_one", self.run_id,
                                       (capture, _record(item), item.lists))
            written.addCallbacks(self._one_committed, self._one_failed,
                                 callbackArgs=(committed,), errbackArgs=(item, committed))

    def _one_committed(self, outcome: str, committed: Deferred[str]) -> None:
        self.in_flight -= 1
        self.stats.inc_value("newscrawler/archive/transactions")
        self._count(outcome)
        committed.callback(outcome)

    def _one_failed(self, failure: Failure, item: PageItem, committed: Deferred[str]) -> None:
        self.in_flight -= 1
        error = failure.value if isinstance(failure.value, Exception) else Exception(str(failure.value))
        committed.errback(Failure(self._write_error(item, error)))

    def _write_one_by_one(self, batch: list[tuple[PageItem, dict[str, Any], Deferred[str]]]) -> None:
        for item, capture, committed in batch:
            try:
                outcome = self.archive.add_capture(self.run_id, capture, item.record, item.lists)
            except Exception as exc:  # noqa: BLE001 - the item's error: Scrapy logs it, the item is not scraped
                committed.errback(Failure(self._write_error(item, exc)))
                continue
            self.stats.inc_value("newscrawler/archive/transactions")
            self._count(outcome)
            committed.callback(outcome)

    def _count(self, outcome: str) -> None:
        self.stats.inc_value(f"newscrawler/archive/{outcome}")

    def _write_error(self, item: PageItem, exc: Exception) -> ArchiveWriteError:
        # Counted here and by the page ledger (item_error): any of them fails the crawl.
        self.stats.inc_value("newscrawler/archive/write_error")
        error = ArchiveWriteError(f"the archive refused {item.url}: {type(exc).__name__}: {exc}")
        error.__cause__ = exc
        return error


def _record(item: PageItem) -> Any:
    """The page's record as the worker is sent it: a reference to the one it built and kept,
    when it did (``KeptRecord``), with the warnings validation added."""
    if item.worker_record is None:
        return item.record
    token, built = item.worker_record
    if item.record is built:
        return KeptRecord(token, tuple(built["warnings"]))
    return KeptRecord(token, None, item.record)  # dropped (None) or replaced on the way


def _portal_name(spider: Spider | None) -> str:
    """The portal a run is recorded under: the spider's profile name, else the spider's own."""
    return str(getattr(getattr(spider, "profile", None), "name", None) or getattr(spider, "name", ""))


def _run_settings(crawler: Crawler) -> dict[str, Any]:
    """The settings worth keeping with a crawl run: ours and the politeness ones."""
    names = ("USER_AGENT", "ROBOTSTXT_OBEY", "DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED",
             "CONCURRENT_REQUESTS_PER_DOMAIN", "DEPTH_LIMIT")
    settings = {name: crawler.settings.get(name) for name in names}
    settings.update({k: v for k, v in crawler.settings.items() if k.startswith("NEWSCRAWLER_")})
    spider = crawler.spider
    for arg in ("max_articles", "since"):
        value = getattr(spider, arg, None)
        if value is not None:
            settings[arg] = str(value)
    token = crawler.stats.get_value(JOB_TOKEN_STAT) if crawler.stats else None
    if token is not None:  # a crawl with a job directory: how its resumed crawl finds this run
        settings[JOB_TOKEN] = token
    return _json_safe(settings)


def _json_safe(values: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(values, default=str))

