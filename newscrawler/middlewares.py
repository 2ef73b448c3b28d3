"""Downloader middlewares for polite crawling.

- ``ContactUserAgentMiddleware``: an honest User-Agent naming the project and, from
  ``NEWSCRAWLER_CONTACT``, who runs the crawl.
- ``RetryAfterMiddleware``: Scrapy's retries on 429/503 and friends, plus ``Retry-After``: the
  host's download slot waits at least that long before its next request (the retry included).
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware

from .sidecars import parse_http_date

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from typing_extensions import Self

logger = logging.getLogger(__name__)


class ContactUserAgentMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        base = crawler.settings.get("USER_AGENT")
        contact = crawler.settings.get("NEWSCRAWLER_CONTACT", "").strip()
        if contact:
            # "newscrawler/0.1 (+https://…)" becomes "newscrawler/0.1 (+https://…; contact: …)".
            if base.endswith(")"):
                self.user_agent = base[:-1] + f"; contact: {contact})"
            else:
                self.user_agent = f"{base} (contact: {contact})"
        else:
            self.user_agent = base
            replaying = crawler.settings.get("NEWSCRAWLER_REPLAY_DIR") or crawler.settings.get(
                "NEWSCRAWLER_REPLAY_WARC"
            )
            if not replaying:
                logger.warning(
                    "NEWSCRAWLER_CONTACT is not set: site operators cannot reach you "
                    "(use --contact EMAIL or set it in settings)"
                )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        request.headers.setdefault(b"User-Agent", self.user_agent)


def retry_after_seconds(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    when = parse_http_date(text)
    if when is None:
        return None
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("NEWSCRAWLER_RETRY_AFTER_MAX")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None):  # type: ignore[no-untyped-def, override]
        if response.status in self.retry_http_codes and not request.meta.get("dont_retry"):
            wait = retry_after_seconds(response.headers.get(b"Retry-After"))
            if wait is not None:
                if wait > self.max_wait:
                    logger.warning(
                        "%s asks to retry after %.0fs, more than NEWSCRAWLER_RETRY_AFTER_MAX",
                        request.url, wait,
                    )
                    self.crawler.stats.inc_value("newscrawler/retry_after/too_long")
                    return response
                self._hold_slot(request, wait)
        result = super().process_response(request, response)
        if result is not response:
            # Asked again: this answer is done with, the retry's will be accounted in its place.
            from .accounting import ledger

            accounts = ledger(self.crawler)
            if accounts is not None:
                accounts.close(request, "retried")
        return result

    def _hold_slot(self, request: Request, wait: float) -> None:
        downloader = self.crawler.engine.downloader
        key = request.meta.get("download_slot") or downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is not None and slot.delay < wait:
            slot.delay = wait
            self.crawler.stats.inc_value("newscrawler/retry_after/honoured")
            logger.info("Holding %s for %.1fs (Retry-After)", key, wait)
