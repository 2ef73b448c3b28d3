"""``CrawlDelay``: honour robots.txt ``Crawl-delay``, which Scrapy reads but does not apply.

When a host's robots.txt is parsed, its ``Crawl-delay`` for our user agent becomes a floor on
that host's download slot delay, with no random jitter below it. AutoThrottle lowers delays as
responses come back, so the floor is applied again after each response (this extension is
ordered after AutoThrottle in ``EXTENSIONS``, and signal handlers run in connection order).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from typing_extensions import Self

logger = logging.getLogger(__name__)


class CrawlDelay:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        self.crawler = crawler
        self.user_agent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get(
            "USER_AGENT"
        )
        self.floors: dict[str, float] = {}
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(self.apply, signal=signals.response_downloaded)
        crawler.signals.connect(self.apply, signal=signals.request_reached_downloader)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def _slot_key(self, request: Request) -> str:
        return request.meta.get("download_slot") or self.crawler.engine.downloader.get_slot_key(
            request
        )

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        delay = robotparser.crawl_delay(self.user_agent)
        if not delay:
            return
        key = self._slot_key(request)
        self.floors[key] = float(delay)
        self.crawler.stats.set_value(f"newscrawler/crawl_delay/{key}", float(delay))
        logger.info("Crawl-delay %.2fs for %s (robots.txt)", delay, key)
        self.apply(request=request)

    def apply(self, request: Request, **kwargs: Any) -> None:
        key = self._slot_key(request)
        floor = self.floors.get(key)
        if floor is None:
            return
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is not None:
            slot.jitter = 0.0
            slot.delay = max(slot.delay, floor)
