"""Request fingerprints on canonical URLs, so www./m. twins of an article are fetched once.

Scrapy's duplicate filter (and a resumable crawl's saved state) key requests by fingerprint;
fingerprinting the portal's canonical URL makes the twins one request without special cases in
the spider.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.utils.request import RequestFingerprinter

from .portals import canonical_url

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from typing_extensions import Self


class CanonicalRequestFingerprinter:
    def __init__(self, crawler: Crawler | None = None) -> None:
        self._default = RequestFingerprinter(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        canonical = canonical_url(request.url)
        if canonical != request.url:
            request = request.replace(url=canonical)
        return self._default.fingerprint(request)
