"""Redirects that never lose a page: Scrapy's redirect middlewares, accounted.

``RedirectMiddleware`` (3xx with ``Location``) and ``MetaRefreshMiddleware`` (``<meta
http-equiv="refresh">``) replace Scrapy's own (``settings.DOWNLOADER_MIDDLEWARES``) and change
what they do with a redirect:

- **to the same page** (the target has the source's canonical URL: ``http://`` → ``https://``,
  ``www.`` → ``m.``): followed even though the duplicate filter has seen that canonical URL (it
  has: the source request was its fingerprint). Scrapy's would be dropped there, silently.
- **in a loop** (the target is a URL of the chain so far): not followed, counted
  ``redirect_loop``.
- **off the site** (the target is outside the spider's ``allowed_domains``): not followed,
  counted ``redirect_offsite``.
- **too many** (``REDIRECT_MAX_TIMES``): counted ``redirect_limit``.

Each hop followed closes its response in the page ledger (``newscrawler.accounting``) as
``redirected``, and is remembered on the new request's meta (``redirect_hops``: URL, status,
reason and where its WARC record went), so the page at the end of the chain is archived with
the redirects that led to it. Stats: ``newscrawler/redirect/followed``,
``newscrawler/redirect/same_page``, ``newscrawler/redirect/loop``, ``newscrawler/redirect/offsite``,
``newscrawler/redirect/limit``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.redirect import (
    MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware,
)
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware as ScrapyRedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.url import url_is_from_any_domain

from .accounting import RedirectNotFollowed, ledger
from .portals import canonical_url

if TYPE_CHECKING:
    from scrapy import Request

# Request meta: the hops that led to this request, oldest first.
HOPS_META = "redirect_hops"


class _AccountedRedirects:
    crawler: Any

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        stats = self.crawler.stats
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in chain:
            stats.inc_value("newscrawler/redirect/loop")
            raise RedirectNotFollowed("redirect_loop", f"redirect loop: {' -> '.join([*chain, redirected.url])}")
        allowed = getattr(self.crawler.spider, "allowed_domains", None)
        if allowed and not url_is_from_any_domain(redirected.url, allowed):
            stats.inc_value("newscrawler/redirect/offsite")
            raise RedirectNotFollowed("redirect_offsite", f"redirect off the site: {request.url} -> {redirected.url}")
        try:
            followed: Request = super()._redirect(redirected, request, reason)  # type: ignore[misc]
        except IgnoreRequest:
            stats.inc_value("newscrawler/redirect/limit")
            raise RedirectNotFollowed("redirect_limit", f"too many redirects: {' -> '.join(chain)}") from None
        if canonical_url(followed.url) == canonical_url(request.url):
            # The same page: its fingerprint is the source's, which the duplicate filter has seen.
            followed.dont_filter = True
            stats.inc_value("newscrawler/redirect/same_page")
        elif request.meta.get("newscrawler_revisit"):
            # An archived article that now redirects (to the home page, say): where it leads is
            # evidence of its removal (newscrawler.removals), even when that page was fetched.
            followed.dont_filter = True
        hop = {
            "url": request.url,
            "status": reason if isinstance(reason, int) else 200,
            "reason": "location" if isinstance(reason, int) else str(reason),
            "warc_filename": request.meta.get("warc_filename"),
            "warc_offset": request.meta.get("warc_offset"),
        }
        followed.meta[HOPS_META] = [*request.meta.get(HOPS_META, []), hop]
        stats.inc_value("newscrawler/redirect/followed")
        accounts = ledger(self.crawler)
        if accounts is not None:
            accounts.close(request, "redirected")
        return followed


class RedirectMiddleware(_AccountedRedirects, ScrapyRedirectMiddleware):
    """Scrapy's 3xx redirects, following same-page redirects and counting the rest."""


class MetaRefreshMiddleware(_AccountedRedirects, ScrapyMetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, following same-page redirects and counting the rest."""
