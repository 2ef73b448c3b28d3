"""Item pipelines, in order: extraction, normalisation, validation, then output.

Each does one job and says why it drops an item. Stats keys name their component
(``newscrawler/validate/missing/editors``). Enabled in ``settings.ITEM_PIPELINES``; the output
pipelines switch themselves on from their settings:

- ``NEWSCRAWLER_OUTPUT`` (path): ``JsonLinesOutputPipeline`` appends one record per line.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from .extract import InvalidRecord, build_record, read_page, validate
from .extract.validate import missing_fields
from .items import PageItem

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from typing_extensions import Self

logger = logging.getLogger(__name__)


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
    """Decode the page and read its raw fields with the portal layout's selectors."""

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not _is_article(item):
            return item
        try:
            item.raw, item.context = read_page(
                item.url, item.body, item.headers, datetime.fromisoformat(item.fetched_at), item.portal
            )
        except Exception as exc:
            # An extractor bug must not stop the crawl; the page is still captured downstream.
            self.stats.inc_value("newscrawler/extract/error")
            logger.exception("Extraction failed for %s", item.url)
            item.notes.append(f"extract_error:{type(exc).__name__}: {exc}")
        return item


class NormalisationPipeline(_Stage):
    """Turn raw fields into the normalised record."""

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if _is_article(item) and item.raw is not None:
            item.record = build_record(item.raw, item.context)
        return item


class ValidationPipeline(_Stage):
    """Require a headline and body; record missing optional fields as warnings and count them."""

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not _is_article(item) or item.record is None:
            return item
        try:
            validate(item.record)
        except InvalidRecord as exc:
            self.stats.inc_value(f"newscrawler/validate/invalid/{exc.reason}")
            item.notes.append(f"invalid:{exc.reason}")
            item.record = None
            logger.warning("No record for %s: %s", item.url, exc.reason)
            return item
        self.stats.inc_value("newscrawler/validate/articles")
        for name in missing_fields(item.record):
            self.stats.inc_value(f"newscrawler/validate/missing/{name}")
        for warning in item.record["warnings"]:
            if not warning.startswith("missing:"):
                self.stats.inc_value(f"newscrawler/validate/warning/{warning.split(':', 1)[0]}")
        return item


class JsonLinesOutputPipeline(_Stage):
    """Append each article record to ``NEWSCRAWLER_OUTPUT`` as one JSON line."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        path = crawler.settings.get("NEWSCRAWLER_OUTPUT")
        if not path:
            raise NotConfigured
        self.path = Path(path)
        self.file: Any = None

    def open_spider(self, spider: Spider | None = None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = self.path.open("a", encoding="utf-8")

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.file:
            self.file.close()

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if isinstance(item, PageItem) and item.record is not None:
            self.file.write(json.dumps(item.record, ensure_ascii=False) + "\n")
            self.file.flush()
            self.stats.inc_value("newscrawler/output/records")
        return item
