"""Item pipelines, in order: extraction, normalisation, validation, then output.

Each does one job and says why it drops an item. Stats keys name their component
(``newscrawler/validate/missing/editors``; ``newscrawler/extract/fallback/paragraphs`` for a field
the profile missed and the generic extractor read). Enabled in ``settings.ITEM_PIPELINES``; the
output pipelines switch themselves on from their settings:

- ``NEWSCRAWLER_ARCHIVE`` (path): ``ArchivePipeline`` stores every fetched page (articles,
  listings, HTTP errors) as a capture and every record as an article version, in the SQLite
  archive (the ``archive`` package). ``newscrawler crawl`` sets it by default (``--db``).
- ``NEWSCRAWLER_OUTPUT`` (path): ``JsonLinesOutputPipeline`` appends one record per line.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from scrapy.utils.reactor import CallLaterOnce
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from . import stopsignals
from .accounting import ArchiveWriteError
from .extensions import crawl_killed
from .extract import InvalidRecord, build_record, read_lists, read_page, validate
from .extract.fallback import STAT as FALLBACK_STAT
from .extract.fallback import fallback_fields
from .extract.validate import missing_fields
from .items import PageItem
from .portals import never_shown
from .reports import EVENTS_STAT, NEVER_SHOWN_STAT, REMOVAL_SIGN_STAT
from .resume import JOB_TOKEN, JOB_TOKEN_STAT
from .worker import KeptRecord, for_crawler

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from typing_extensions import Self

logger = logging.getLogger(__name__)

# How often the archive pipeline checks whether its buffer must be written (seconds).
TICK_SECONDS = 0.05


class _Stage:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)


def _is_article(item: Any) -> bool:
    return isinstance(item, PageItem) and item.kind == "article" and 200 <= item.status < 300


class ExtractionPipeline(_Stage):
    """Decode the page and read its raw fields with the portal layout's selectors.

    Listing pages show the hot lists too: their rankings and related boxes go to ``item.lists``.
    Fields the selectors miss are read by the generic extractor (``extract.fallback``); each is
    counted as ``newscrawler/extract/fallback/<field>``, and records taking any as ``…/records``.
    ``NEWSCRAWLER_FALLBACK`` False (default True) keeps to the profile's reading alone.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.fallback = crawler.settings.getbool("NEWSCRAWLER_FALLBACK", True)
        # Pages are read in the crawl's worker process when there is one (newscrawler.worker).
        self.worker = for_crawler(crawler)
        self.tokens = itertools.count(1)
        if self.worker is not None:
            # A page that fails on its way to the archive leaves no record kept in the worker.
            crawler.signals.connect(self._forget, signal=signals.item_error)
            crawler.signals.connect(self._forget, signal=signals.item_dropped)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if self.worker is not None and (_is_listing(item) or _is_article(item)):
            return self._in_worker(item)
        if _is_listing(item):
            self._read_lists(item)
        if not _is_article(item):
            return item
        try:
            item.raw, item.context = read_page(
                item.url, item.body, item.headers, datetime.fromisoformat(item.fetched_at), item.portal,
                fallback=self.fallback,
            )
        except Exception as exc:  # noqa: BLE001 - counted and logged in _failed
            # An extractor bug must not stop the crawl; the page is still captured downstream.
            self._failed(item, exc, "Extraction failed for %s")
            return item
        self._count_fallbacks(item.context.warnings)
        return item

    async def _in_worker(self, item: PageItem) -> PageItem:
        """The same reading in the worker process; the record is built there too."""
        assert self.worker is not None
        page = (item.url, item.body, item.headers, item.fetched_at, item.portal)
        if _is_listing(item):
            try:
                item.lists = await maybe_deferred_to_future(self.worker.call("read_lists", *page))
            except Exception as exc:  # noqa: BLE001 - counted and logged in _failed
                self._failed(item, exc, "Reading the hot lists failed for %s")
            return item
        token = next(self.tokens) if self.worker.keep_records else None
        try:
            item.raw, item.context, item.record = await maybe_deferred_to_future(
                self.worker.call("extract", *page, self.fallback, token))
        except Exception as exc:  # noqa: BLE001 - counted and logged in _failed
            self._failed(item, exc, "Extraction failed for %s")
            return item
        if token is not None and item.record is not None:
            item.worker_record = (token, item.record)
        self._count_fallbacks(item.context.warnings)
        return item

    def _forget(self, item: Any, **kwargs: Any) -> None:
        if self.worker is not None and getattr(item, "worker_record", None) is not None:
            self.worker.call("forget_records", [item.worker_record[0]])

    def _failed(self, item: PageItem, exc: Exception, message: str) -> None:
        self.stats.inc_value("newscrawler/extract/error")
        logger.error(message, item.url, exc_info=exc)
        item.notes.append(f"extract_error:{type(exc).__name__}: {exc}")

    def _count_fallbacks(self, warnings: tuple[str, ...]) -> None:
        # Fields the profile's selectors missed and the generic extractor read: a sign of drift.
        fields = fallback_fields(warnings)
        for name in fields:
            self.stats.inc_value(f"{FALLBACK_STAT}{name}")
        if fields:
            self.stats.inc_value(f"{FALLBACK_STAT}records")

    def _read_lists(self, item: PageItem) -> None:
        try:
            item.lists = read_lists(
                item.url, item.body, item.headers, datetime.fromisoformat(item.fetched_at), item.portal
            )
        except Exception as exc:  # noqa: BLE001 - counted and logged in _failed
            self._failed(item, exc, "Reading the hot lists failed for %s")


def _is_listing(item: Any) -> bool:
    return isinstance(item, PageItem) and item.kind == "listing" and 200 <= item.status < 300


class NormalisationPipeline(_Stage):
    """Turn raw fields into the normalised record."""

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        # Built already when the page was read in the worker process (newscrawler.worker).
        if _is_article(item) and item.raw is not None and item.record is None:
            item.record = build_record(item.raw, item.context)
        return item


class ValidationPipeline(_Stage):
    """Require a headline and body; record missing optional fields as warnings and count them.

    Fields the portal never shows (``Portal.never_shown``) are not missing; the crawl's stats
    name them (``newscrawler/validate/never_shown``), so its coverage leaves them out.
    """

    def open_spider(self, spider: Spider | None = None) -> None:
        name = getattr(getattr(self.crawler.spider, "profile", None), "name", "")
        if never_shown(name):
            self.stats.set_value(NEVER_SHOWN_STAT, sorted(never_shown(name)))

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not _is_article(item) or item.record is None:
            return item
        try:
            validate(item.record, never_shown(item.portal))
        except InvalidRecord as exc:
            self.stats.inc_value(f"newscrawler/validate/invalid/{exc.reason}")
            item.notes.append(f"invalid:{exc.reason}")
            item.record = None
            logger.warning("No record for %s: %s%s", item.url, exc.reason, f" ({exc.why})" if exc.why else "")
            return item
        self.stats.inc_value("newscrawler/validate/articles")
        for name in missing_fields(item.record):
            self.stats.inc_value(f"newscrawler/validate/missing/{name}")
        for warning in item.record["warnings"]:
            if not warning.startswith("missing:"):
                self.stats.inc_value(f"newscrawler/validate/warning/{warning.split(':', 1)[0]}")
        return item


class SincePipeline(_Stage):
    """Keep no record for an article published before the spider's ``since`` date.

    The spider already skips stories whose listing shows an older date; links without a date
    (sidebars, rankings) are only known to be old once extracted. The page is still captured.
    """

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        since = getattr(self.crawler.spider, "since", None)
        if since is None or not isinstance(item, PageItem) or item.record is None:
            return item
        published = item.record["published_at"]
        if published and datetime.fromisoformat(published).date() < since:
            self.stats.inc_value("newscrawler/since/skipped_after_extraction")
            item.notes.append(f"before_since:{published}")
            item.record = None
        return item


class RemovalPipeline(_Stage):
    """Put on a page fetched again for an archived article the sign of its removal it shows
    (``newscrawler.removals``): a 404 or 410, a redirect to a home or channel page, a soft 404.

    The archive counts it as an observation of the article's removal. Counted as
    ``newscrawler/removal/<sign>``.
    """

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, PageItem) or not item.revisit_of or item.kind == "not-modified":
            return item
        from . import portals
        from .removals import removal_sign

        profile: type[portals.Portal] | None
        try:
            profile = portals.get(item.portal)
        except portals.UnknownPortal:
            profile = portals.for_url(item.revisit_of)
        content_type = next((v for k, v in item.headers.items() if k.lower() == "content-type"), None)
        item.removal = removal_sign(
            status=item.status, url=item.url, requested=item.revisit_of,
            redirected=bool(item.redirects), record=item.record, body=item.body,
            content_type=content_type, profile=profile,
        )
        if item.removal and item.record is not None:
            # The portal's error page, read as a scrap of an article: not a version of it.
            item.notes.append(f"removal:{item.removal}")
            item.record = None
        if item.removal:
            self.stats.inc_value(f"{REMOVAL_SIGN_STAT}{item.removal}")
            logger.info("%s: archived article %s looks removed (%s)", item.url, item.revisit_of,
                        item.removal)
        return item


class ArchivePipeline(_Stage):
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
        from archive.db import CACHE_MB, WaitGivenUp

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
            return
        if self.worker is not None:
            # After every page sent to it (its calls run in order): the run's report reads them.
            try:
                await maybe_deferred_to_future(self.worker.call("archive_close"))
            except Exception:
                logger.exception("Closing the worker's archive connection failed")
        from .reports import COVERAGE_STAT, FLAG_STAT, coverage, recorded_line, review

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
            from .portals import canonical_url

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


# Bytes of JSON Lines the output pipeline buffers between writes.
OUTPUT_BUFFER = 1 << 20
# ``json.dumps(record, ensure_ascii=False)``, without making an encoder for every record.
_JSON_LINE = json.JSONEncoder(ensure_ascii=False)


class JsonLinesOutputPipeline(_Stage):
    """Append each article record to ``NEWSCRAWLER_OUTPUT`` as one JSON line.

    A file that cannot be written (a full disk) or that is removed while the crawl runs (the file
    or its directory: what is written after goes nowhere) stops the crawl, as a WARC file that
    cannot be written does: the error is logged once, ``newscrawler/output/error`` says what it
    was for the summary, and the archive keeps every page archived until then (``newscrawler
    export`` writes their records again).

    A file moved away while the crawl runs (rotated: ``mv out.jsonl out.jsonl.1``) keeps what was
    written to it, so it is no error: the crawl opens the path again, as logging's
    ``WatchedFileHandler`` does, and writes the records that follow there. Whether the file
    opened is gone or only moved is told by its link count, at each write-out.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        path = crawler.settings.get("NEWSCRAWLER_OUTPUT")
        if not path:
            raise NotConfigured
        self.path = Path(path)
        self.file: Any = None
        self.flusher: CallLaterOnce[None] | None = None
        self.failed = False
        # The identity of the file opened: when the path names another file (or none), the one
        # opened was moved away or removed.
        self.identity: tuple[int, int] | None = None

    def open_spider(self, spider: Spider | None = None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._open()
        self.flusher = CallLaterOnce(self._flush)
        # The crawl's summary says how many records went where (and why none, when none did).
        self.stats.set_value("newscrawler/output/path", str(self.path))
        self.stats.set_value("newscrawler/output/records", 0)

    def _open(self) -> None:
        # Written out once per turn of the reactor (``_flush``), not once per record: the
        # buffer holds what the pages done in one turn give (a batch of the archive's pages).
        self.file = self.path.open("a", encoding="utf-8", buffering=OUTPUT_BUFFER)
        self.identity = _identity(os.fstat(self.file.fileno()))

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.file and not self.file.closed:
            try:
                self.file.flush()
                self._check_file(reopen=False)  # nothing more to write: a moved file is complete
            except OSError as exc:
                self._failed(exc, stop=False)  # the crawl is ending already
            finally:
                _close_quietly(self.file)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if self.failed or not (isinstance(item, PageItem) and item.record is not None):
            return item  # after a write error the page is still archived, its record not written
        try:
            self.file.write(_JSON_LINE.encode(item.record) + "\n")
        except OSError as exc:
            self._failed(exc)
            return item
        assert self.flusher is not None
        self.flusher.schedule()
        self.stats.inc_value("newscrawler/output/records")
        return item

    def _flush(self) -> None:
        if self.failed or not self.file or self.file.closed:
            return
        try:
            self.file.flush()
            self._check_file(reopen=True)
        except OSError as exc:
            self._failed(exc)

    def _check_file(self, reopen: bool) -> None:
        """``OSError`` when the file opened was removed (or replaced: the path now names another
        file and the one opened has no name left), taking the records written to it with it.
        When it was moved away, with ``reopen`` the path is opened again for what follows (a
        path that cannot be opened any more, its directory moved, is a write error)."""
        if os.fstat(self.file.fileno()).st_nlink == 0:
            raise OSError("the file was removed or replaced while the crawl wrote to it")
        try:
            now = _identity(os.stat(self.path))
        except (FileNotFoundError, NotADirectoryError):
            now = None
        except OSError:
            return  # a directory made unreadable: the file opened is still written, unchecked
        if now == self.identity:
            return
        # Moved away: every record written so far is in the moved file.
        self.stats.inc_value("newscrawler/output/moved")
        self.stats.set_value("newscrawler/output/records_before_move",
                             self.stats.get_value("newscrawler/output/records", 0))
        logger.info("The output file %s was moved away; the records written so far are in the moved"
                    " file%s", self.path, ", the next go to a new file at that path" if reopen else "")
        if reopen:
            moved = self.file
            self._open()
            _close_quietly(moved)

    def _failed(self, exc: OSError, stop: bool = True) -> None:
        """Log the first write error, keep it for the summary and stop the crawl."""
        if self.failed:
            return
        self.failed = True
        reason = exc.strerror or str(exc)
        self.stats.set_value("newscrawler/output/error", reason)
        logger.error("Cannot write the output file %s: %s: closing the spider", self.path, reason)
        _close_quietly(self.file)
        if stop:
            self._stop()

    def _stop(self) -> None:
        """Stop the crawl: with its output gone, a crawl that wanted one should not go on."""
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="output_write_error"))


def _identity(status: os.stat_result) -> tuple[int, int]:
    """What tells one file from another whatever its name: device and inode."""
    return status.st_dev, status.st_ino


def _close_quietly(file: Any) -> None:
    """Close a file whose writes already failed: what is still buffered fails again, unsaid."""
    with contextlib.suppress(OSError):
        file.close()
