"""Feed exports of article records: ``scrapy crawl zjdaily -o out.jsonl`` and scrapyd's items feed.

The spider's items are raw pages (``PageItem``: the page bytes, headers, the record the
pipelines built from them). A feed is for people and tools reading articles, so
``RecordFeedExporter``, which replaces Scrapy's ``FeedExporter`` in ``settings.EXTENSIONS``,
hands each feed the article record (the fields of ``docs/record.md``) and leaves out pages
without one (listings, HTTP errors, pages that did not validate). Every feed format, storage and
option of Scrapy's works as documented; only what is exported changes. Items that are not pages
(another project's) are exported as they are.

A feed that cannot be written while the crawl runs (a full disk) stops the crawl, as the
``--output`` file does (``pipelines.JsonLinesOutputPipeline``): one error in the log, and
``newscrawler/feeds/error`` for the crawl's summary, which also counts the feeds Scrapy could not
store at the end (``feedexport/failed_count/*``).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.extensions.feedexport import FeedExporter
from scrapy.utils.defer import deferred_from_coro

from .items import PageItem

logger = logging.getLogger(__name__)

ERROR_STAT = "newscrawler/feeds/error"


class RecordFeedExporter(FeedExporter):
    def item_scraped(self, item: Any, spider: Any = None) -> None:  # type: ignore[override]
        if isinstance(item, PageItem):
            if item.record is None:
                return
            item = item.record
        if self.crawler.stats and self.crawler.stats.get_value(ERROR_STAT):
            return  # the crawl is stopping: no more of the error
        try:
            super().item_scraped(item, spider)
        except OSError as exc:
            self._write_failed(exc)

    def _write_failed(self, exc: OSError) -> None:
        """Say once that a feed cannot be written, and stop the crawl."""
        reason = exc.strerror or str(exc)
        if self.crawler.stats:
            self.crawler.stats.set_value(ERROR_STAT, reason)
        logger.error("Cannot write a feed: %s: closing the spider", reason)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="output_write_error"))
