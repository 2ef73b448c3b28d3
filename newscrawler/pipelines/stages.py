"""The record stages: reading a page's fields, building its record, and judging it.

Extraction, normalisation, validation, the spider's ``since`` date and the signs of an archived
article's removal, in that order (``settings.ITEM_PIPELINES``); ``Stage`` is the base of every
pipeline of the package.
"""

from __future__ import annotations

import itertools
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future

from ..extract import InvalidRecord, build_record, read_lists, read_page, validate
from ..extract.fallback import STAT as FALLBACK_STAT
from ..extract.fallback import fallback_fields
from ..extract.validate import missing_fields
from ..items import PageItem
from ..portals import never_shown
from ..reports import NEVER_SHOWN_STAT, REMOVAL_SIGN_STAT
from ..worker import for_crawler

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from typing_extensions import Self

# Every pipeline of the package logs as the package, whichever module it is in: the crawl log
# names them ``[newscrawler.pipelines]``, and log filters may select them by that name.
logger = logging.getLogger("newscrawler.pipelines")


class Stage:
    """A pipeline made from the crawler, which it keeps with the crawl's stats: the base of every
    pipeline of the package, and of the check command's (``newscrawler.check``)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)


def _is_article(item: Any) -> bool:
    return isinstance(item, PageItem) and item.kind == "article" and 200 <= item.status < 300


class ExtractionPipeline(Stage):
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


class NormalisationPipeline(Stage):
    """Turn raw fields into the normalised record."""

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        # Built already when the page was read in the worker process (newscrawler.worker).
        if _is_article(item) and item.raw is not None and item.record is None:
            item.record = build_record(item.raw, item.context)
        return item


class ValidationPipeline(Stage):
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


class SincePipeline(Stage):
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


class RemovalPipeline(Stage):
    """Put on a page fetched again for an archived article the sign of its removal it shows
    (``newscrawler.removals``): a 404 or 410, a redirect to a home or channel page, a soft 404.

    The archive counts it as an observation of the article's removal. Counted as
    ``newscrawler/removal/<sign>``.
    """

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, PageItem) or not item.revisit_of or item.kind == "not-modified":
            return item
        from .. import portals
        from ..removals import removal_sign

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
