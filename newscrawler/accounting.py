"""Page accounting: every page a crawl fetched is archived, or counted as a failure with its reason.

``PageAccounting`` is an extension (on by default; ``NEWSCRAWLER_ACCOUNTING_ENABLED``) that keeps
a ledger of the crawl's responses and, when the crawl ends, reconciles it:

- every response a download brought back (Scrapy's ``response_downloaded``: redirects and
  retried answers included, robots.txt apart) is opened in the ledger;
- it is closed when its page is done with: its item went through every pipeline (``archived``,
  or ``scraped`` without an archive), it was a redirect that was followed (``redirected``) or an
  answer that was retried (``retried``), or it failed for a reason: ``write_error`` (the archive
  refused it), ``pipeline_error``, ``spider_error``, ``dropped``, ``undecodable`` (a body that is
  not what its ``Content-Encoding`` says), ``too_large``, ``redirect_loop``,
  ``redirect_offsite``, ``redirect_limit``, ``redirect_filtered`` (the duplicate filter dropped
  where it led);
- requests that failed without a response (DNS, refused connections, timeouts, a truncated
  body, no download handler, a damaged WARC record a replay could not serve, a page the WARC
  files replayed never captured) are counted as failures too (``download_error``, ``truncated``,
  ``unreadable_capture``, ``not_captured``…), and robots.txt refusals apart (``refused/robots``).

Whatever is still open at the end of a crawl that ran to its end was lost without a reason:
each such URL is logged as an error and counted (``newscrawler/accounting/lost``). A crawl that
lost a page, whose archive refused a write, that hit an unexpected error (spider or pipeline),
or that archived nothing and failed at least once, is **failed**: its ``finish_reason`` becomes
``failed`` (so the archive's run, ``newscrawler crawls`` and the exit code of ``newscrawler
crawl`` say so) and ``newscrawler/accounting/failed_because`` says why; Scrapy's own close reason
is kept as ``newscrawler/accounting/close_reason``. A crawl stopped early (Ctrl-C, a WARC write
error) keeps its reason; the pages it had in flight are counted ``interrupted``: none was marked
done, so the crawl resumed from its job directory fetches them again. (So do the pages in
flight when a ``CLOSESPIDER_*`` limit closed the crawl, which keeps its reason and exit 0.)

Stats: ``newscrawler/accounting/downloaded``, ``…/archived`` (or ``…/scraped``),
``…/redirected``, ``…/retried``, ``…/failed/<reason>``, ``…/refused/robots``, ``…/lost``.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured, NotSupported
from scrapy.http import Response
from twisted.python.failure import Failure

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from typing_extensions import Self

logger = logging.getLogger(__name__)

PREFIX = "newscrawler/accounting/"
FAILED = PREFIX + "failed/"
# Failures that mean the crawl itself went wrong, not the site: any of them fails the run.
FATAL = ("write_error", "pipeline_error", "spider_error")


class ArchiveWriteError(Exception):
    """The archive refused a page (a full disk, a locked or corrupt file)."""


class UnreadableCapture(Exception):
    """A page a replay of WARC files holds but cannot serve: its record is damaged (corrupt, or
    past the end of a file cut off), or a revisit's original is missing or damaged."""


class NotCaptured(IgnoreRequest):
    """A request a replay of WARC files has no capture for. The files say nothing of the page,
    least of all that it is gone: nothing is answered (a 404 would be archived as the site's
    and, for an archived article, count as a sign of its removal), nothing is archived.

    An ``IgnoreRequest``: no retry, and a robots.txt never captured leaves its host's rules
    unknown (every URL allowed) without an error, as a robots.txt that cannot be fetched does.
    """


class RedirectNotFollowed(IgnoreRequest):
    """A redirect that was not followed, and why (``redirect_loop``, ``redirect_offsite``,
    ``redirect_limit``)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def failure_reason(failure: Failure) -> str:
    """The ledger's name for why a request failed without a page to archive."""
    exc = failure.value
    message = str(exc)
    if isinstance(exc, RedirectNotFollowed):
        return exc.reason
    if isinstance(exc, UnreadableCapture):
        return "unreadable_capture"
    if isinstance(exc, NotCaptured):
        return "not_captured"
    if isinstance(exc, IgnoreRequest):
        if "robots.txt" in message:
            return "robots"
        if "DOWNLOAD_MAXSIZE" in message or "max size" in message:
            return "too_large"
        if "max redirections" in message:
            return "redirect_limit"
        if "offsite" in message.lower():
            return "offsite"
        return "ignored"
    if "max size" in message or "maxsize" in message.lower():
        return "too_large"  # the download was cancelled at DOWNLOAD_MAXSIZE
    if isinstance(exc, (gzip.BadGzipFile, zlib.error, EOFError)):
        return "undecodable"  # HttpCompressionMiddleware could not decode the body
    name = type(exc).__name__
    if "DataLoss" in name or (name == "ResponseFailed" and "DataLoss" in repr(exc)):
        return "truncated"  # the connection ended before the body did
    if isinstance(exc, NotSupported):
        return "no_download_handler"
    return "download_error"


def _request_of(response: Any) -> Request | None:
    """The request behind a response, or behind an errback's failure (items from errbacks are
    handed over with the failure in place of a response)."""
    if isinstance(response, Response):
        return response.request
    if isinstance(response, Failure):
        found = getattr(response, "request", None)
        if found is None:
            found = getattr(getattr(response.value, "response", None), "request", None)
        return found
    return None


class PageAccounting:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("NEWSCRAWLER_ACCOUNTING_ENABLED", True):
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        self.kept = "archived" if crawler.settings.get("NEWSCRAWLER_ARCHIVE") else "scraped"
        # id(request) -> (request, what to say of it if it is never closed).
        self.pending: dict[int, tuple[Request, str]] = {}
        connect = crawler.signals.connect
        connect(self.response_downloaded, signal=signals.response_downloaded)
        connect(self.request_dropped, signal=signals.request_dropped)
        connect(self.item_scraped, signal=signals.item_scraped)
        connect(self.item_dropped, signal=signals.item_dropped)
        connect(self.item_error, signal=signals.item_error)
        connect(self.spider_error, signal=signals.spider_error)
        connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    # --- the ledger ------------------------------------------------------------------------

    def close(self, request: Request | None, outcome: str) -> None:
        """A page done with: ``archived``, ``redirected``, ``retried``…"""
        if request is not None:
            self.pending.pop(id(request), None)
        self.stats.inc_value(PREFIX + outcome)

    def fail(self, request: Request | None, reason: str) -> None:
        """A page (or a request that got no page) that failed, and why."""
        if request is not None:
            self.pending.pop(id(request), None)
        if reason == "robots":
            self.stats.inc_value(PREFIX + "refused/robots")
            return
        self.stats.inc_value(FAILED + reason)

    # --- signals ---------------------------------------------------------------------------

    def response_downloaded(self, response: Response, request: Request, spider: Any = None) -> None:
        if request.meta.get("dont_obey_robotstxt") and request.url.endswith("/robots.txt"):
            # robots.txt is read by its middleware, not archived as a page (it is in the WARC).
            self.stats.inc_value(PREFIX + "robots_txt")
            return
        self.stats.inc_value(PREFIX + "downloaded")
        self.pending[id(request)] = (request, f"{response.status} {request.url}")

    def request_dropped(self, request: Request, spider: Any = None) -> None:
        # A redirect's target the duplicate filter refused: the chain ends without a page.
        if request.meta.get("redirect_urls"):
            self.fail(request, "redirect_filtered")
            logger.warning("Redirect from %s to %s not followed: already requested",
                           request.meta["redirect_urls"][-1], request.url)

    def item_scraped(self, item: Any, response: Any, spider: Any = None) -> None:
        self.close(_request_of(response), self.kept)

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any = None) -> None:
        self.fail(_request_of(response), "dropped")

    def item_error(self, item: Any, response: Any, failure: Failure, spider: Any = None) -> None:
        reason = "write_error" if failure.check(ArchiveWriteError) else "pipeline_error"
        self.fail(_request_of(response), reason)

    def spider_error(self, failure: Failure, response: Any, spider: Any = None) -> None:
        self.fail(_request_of(response), "spider_error")

    def spider_closed(self, spider: Any = None, reason: str = "finished") -> None:
        lost = list(self.pending.values())
        self.pending.clear()
        self.stats.set_value(PREFIX + self.kept, int(self.stats.get_value(PREFIX + self.kept, 0)))
        self.stats.set_value(PREFIX + "close_reason", reason)
        if lost and reason != "finished":
            # A crawl stopped early (Ctrl-C, a WARC write error, a CLOSESPIDER_* limit) drops the
            # pages in flight; none is marked done, so a crawl resumed from its job directory
            # fetches them again.
            self.stats.set_value(PREFIX + "interrupted", len(lost))
            logger.warning("%d pages in flight when the crawl stopped (%s): fetched again when it resumes",
                           len(lost), reason)
            lost = []
        for _, what in lost:
            logger.error("Lost without a reason: %s (fetched, neither archived nor counted as a failure)", what)
        if lost:
            self.stats.set_value(PREFIX + "lost", len(lost))
        why = self.failed_because(len(lost))
        if why:
            self.stats.set_value(PREFIX + "failed_because", why)
            # After CoreStats (an earlier extension) recorded Scrapy's reason: the run failed.
            self.stats.set_value("finish_reason", "failed")
            logger.error("Crawl failed: %s", why)

    def failed_because(self, lost: int) -> str | None:
        stats = self.stats.get_stats()
        failed = {key[len(FAILED):]: int(value) for key, value in stats.items() if key.startswith(FAILED)}
        reasons = []
        if lost:
            reasons.append(f"{lost} pages lost without a reason")
        reasons += [f"{failed[name]} {name.replace('_', ' ')}s" for name in FATAL if failed.get(name)]
        kept = int(stats.get(PREFIX + self.kept, 0))
        if not kept and any(failed.values()):
            reasons.append(f"nothing {self.kept}, {sum(failed.values())} failures")
        return "; ".join(reasons) or None


def ledger(crawler: Crawler) -> PageAccounting | None:
    """The crawl's ledger, or None when accounting is switched off."""
    return crawler.get_extension(PageAccounting) if crawler.extensions else None
