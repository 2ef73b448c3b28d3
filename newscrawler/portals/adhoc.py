"""Crawling a site that has no portal profile: a profile built at run time from a start URL.

``newscrawler crawl --start-url URL [--allow-domain D] [--article-pattern REGEX]`` builds an
``AdhocPortal`` subclass with ``adhoc_portal()`` and crawls it with the same spider and item
pipelines as any profiled portal (archive, politeness, WARC). Its pages are read by the generic
extractor, so its records are exactly what ``newscrawler extract`` gives for the same page
(``portal: generic``).

Which pages are followed: links on the start URL's host and on the ``--allow-domain`` domains
(and their subdomains); not images, documents, scripts or feeds. Which are articles:

- with ``--article-pattern``, the URLs the pattern matches (``re.search`` on the whole URL);
- without, URLs shaped like Chinese news articles — a date in the path (``/2024/05/20/``,
  ``/20240520/``, ``2024-05-20_``), a long numeric id, ``.shtml``, ``content_<n>`` — confirmed
  after the fetch by the generic extractor finding a headline and at least three paragraphs of
  Chinese prose. A candidate that fails the check is treated as a listing and its links are
  followed (topic pages, dated indexes). Articles whose URLs have none of these shapes need
  ``--article-pattern``.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import urlsplit

from ..extract.decode import decode_html
from ..extract.generic import GenericLayout
from ..extract.normalize import han_count
from ..extract.page import Page
from .generic import GenericPortal

# Links that are not pages.
_NOT_A_PAGE = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|ico|bmp|css|js|json|xml|rss|atom|pdf|docx?|xlsx?|pptx?|zip|rar"
    r"|7z|gz|apk|exe|mp3|mp4|m3u8|flv|avi|mov|swf|txt)$",
    re.IGNORECASE,
)
# Listing pages by name, whatever else their URL holds: index.shtml, list_2.html, default.htm.
_LISTING_NAME = re.compile(r"/(?:index|list|default|more)(?:[_-]\d+)?\.[a-z]+$", re.IGNORECASE)
# Article URL shapes of Chinese news sites.
_ARTICLE_SHAPES = re.compile(
    r"(?<!\d)20\d{2}(?:[-/_]?(?:0[1-9]|1[0-2]))(?:[-/_]?(?:0[1-9]|[12]\d|3[01]))?(?:[/_-]|(?=\d{3,}))"  # a date
    r"|(?<![\d])\d{5,}(?:[_-]\d+)?\.[a-z]+$"  # a long numeric id as the page name
    r"|\.shtml$"
    r"|/content_\d+"
    r"|/(?:article|detail|details|show|view|p|a)/\d+",
    re.IGNORECASE,
)
# The page check: a headline and this many paragraphs holding at least this many Han characters.
MIN_PARAGRAPHS = 3
MIN_HAN = 10


def looks_like_article_url(url: str) -> bool:
    path = urlsplit(url).path or "/"
    return not _LISTING_NAME.search(path) and bool(_ARTICLE_SHAPES.search(path))


def looks_like_article_page(url: str, body: bytes, content_type: str | None = None) -> bool:
    """The generic extractor finds a headline and at least three Chinese paragraphs."""
    text = decode_html(body, content_type).text
    raw = GenericLayout(Page(text, url)).read()
    prose = [p for p in raw.paragraphs if han_count(p) >= MIN_HAN]
    return bool(raw.headline) and len(prose) >= MIN_PARAGRAPHS


class AdhocPortal(GenericPortal):
    """A site without a profile; ``adhoc_portal()`` makes the subclass for one crawl."""

    title = "A site without a profile"
    # Domains whose subdomains belong to the crawl too (--allow-domain).
    domains: ClassVar[tuple[str, ...]] = ()
    article_pattern: ClassVar[re.Pattern[str] | None] = None

    @classmethod
    def owns(cls, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            return False
        return host in cls.hosts or any(host == d or host.endswith("." + d) for d in cls.domains)

    @classmethod
    def page_kind(cls, url: str) -> str | None:
        if not cls.owns(url):
            return None
        path = urlsplit(url).path or "/"
        if _NOT_A_PAGE.search(path):
            return None
        if cls.article_pattern is not None:
            return "article" if cls.article_pattern.search(url) else "listing"
        return "article" if looks_like_article_url(url) else "listing"

    @classmethod
    def kind_after_fetch(cls, kind: str, response: Any) -> str:
        """Without a pattern, an article candidate must read as one; else it is a listing."""
        if kind != "article" or cls.article_pattern is not None:
            return kind
        body = getattr(response, "body", b"")
        content_type = response.headers.get("Content-Type") if hasattr(response, "headers") else None
        if isinstance(content_type, bytes):
            content_type = content_type.decode("latin-1")
        return "article" if body and looks_like_article_page(response.url, body, content_type) else "listing"


def adhoc_portal(start_url: str, allow_domains: tuple[str, ...] | list[str] = (),
                 article_pattern: str | None = None) -> type[AdhocPortal]:
    """The profile of one crawl of a site without one. Raises ValueError on a bad argument."""
    parts = urlsplit(start_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {start_url!r}")
    try:
        pattern = re.compile(article_pattern) if article_pattern else None
    except re.error as exc:
        raise ValueError(f"bad article pattern {article_pattern!r}: {exc}") from exc
    domains = tuple(d.strip().lower().lstrip(".") for d in allow_domains if d.strip())
    host = parts.hostname.lower()
    return type(
        "AdhocPortal",
        (AdhocPortal,),
        {
            "__module__": __name__,
            "hosts": tuple(dict.fromkeys((host, *domains))),
            "canonical_host": host,
            "start_urls": (start_url,),
            "domains": domains,
            "article_pattern": pattern,
        },
    )


def register_adhoc(portal: type[AdhocPortal]) -> str:
    """Register the profile for this process and give it a spider; returns the spider's name.

    Raises ValueError when a profile already owns one of its hosts (crawl that portal instead).
    """
    from .. import portals
    from ..spiders import portal as spiders  # Scrapy's spider loader finds spiders there

    portals.register(portal)
    spider = spiders.spider_for(portal)
    setattr(spiders, spider.__name__, spider)
    return portal.name
