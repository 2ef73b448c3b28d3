"""Feed exports of article records: ``scrapy crawl zjdaily -o out.jsonl`` and scrapyd's items feed.

The spider's items are raw pages (``PageItem``: the page bytes, headers, the record the
pipelines built from them). A feed is for people and tools reading articles, so
``RecordFeedExporter``, which replaces Scrapy's ``FeedExporter`` in ``settings.EXTENSIONS``,
hands each feed the article record (the fields of ``docs/record.md``) and leaves out pages
without one (listings, HTTP errors, pages that did not validate). Every feed format, storage and
option of Scrapy's works as documented; only what is exported changes. Items that are not pages
(another project's) are exported as they are.
"""

from __future__ import annotations

from typing import Any

from scrapy.extensions.feedexport import FeedExporter

from .items import PageItem


class RecordFeedExporter(FeedExporter):
    def item_scraped(self, item: Any, spider: Any = None) -> None:  # type: ignore[override]
        if isinstance(item, PageItem):
            if item.record is None:
                return
            item = item.record
        super().item_scraped(item, spider)
