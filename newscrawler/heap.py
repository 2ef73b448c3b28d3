"""``CollectorTuning``: keep Python's cyclic garbage collector from costing a crawl much.

A crawl process holds several hundred thousand objects before its first request (Scrapy,
Twisted, lxml, the portal profiles, the extraction and archive code), nearly all kept until it
ends. Python's oldest generation is collected whenever it has grown by a quarter, and each such
collection walks every one of them: on a crawl of a few hundred pages that was one collection of
about 50 ms, 0.15 ms a page (``benchmarks/HISTORY.md``, crawl_throughput.py). ``gc.freeze()``
moves the objects that exist into a generation the collector never walks.

The heap is frozen twice: as the crawler is set up (before the crawl's worker process is forked,
``newscrawler.worker``, so that the fork shares those pages instead of copying them when the
collector would touch them) and once the spider is open, with the objects the crawl's components
made. What is frozen is never collected, so only objects meant to live as long as the crawl
should exist by then.

Each page also makes thousands of short-lived objects (requests, responses, headers, deferreds,
items), and the youngest generation was collected every 700 allocations, over 150 times in such
a crawl. Collected every ``YOUNG_THRESHOLD`` allocations instead, most of those objects are freed
by their reference counts before a collection looks at them.

``NEWSCRAWLER_GC_TUNING`` False leaves the collector as Python sets it.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from typing_extensions import Self

# Allocations (less deallocations) between two collections of the youngest generation.
YOUNG_THRESHOLD = 10_000


class CollectorTuning:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("NEWSCRAWLER_GC_TUNING", True):
            raise NotConfigured
        young, middle, oldest = gc.get_threshold()
        gc.set_threshold(max(YOUNG_THRESHOLD, young), middle, oldest)
        gc.freeze()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def spider_opened(self, spider: Any = None) -> None:
        gc.freeze()
