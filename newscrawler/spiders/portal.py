"""The one spider, driven by a portal profile.

It starts from the profile's start pages, follows listing pages (pagination included) and
requests the article pages they link to; it yields one raw ``PageItem`` per response, articles,
listings and HTTP errors alike, and leaves extraction to the item pipelines.

Arguments (``-a`` with ``scrapy crawl``, options with ``newscrawler crawl``):
``portal`` (with the generic ``portal`` spider), ``max_articles``, ``since`` (a date: articles
listed or published before it are skipped) and ``follow_articles`` (also follow article links
found on article pages). Depth is Scrapy's ``DEPTH_LIMIT``.

Articles the archive already holds are requested again only when the recrawl policy says so,
and then conditionally (``newscrawler.incremental``); listing pages are always requested.

``max_articles`` counts the article requests of the whole job: a crawl resumed in its job
directory counts those of the run it resumes (``newscrawler.resume.ArticleBudget``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, timezone
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.job import job_dir
from twisted.python.failure import Failure

from .. import portals
from ..accounting import failure_reason, ledger
from ..extract.page import Page
from ..extract.times import parse_time, portal_zone
from ..incremental import Incremental
from ..items import PageItem
from ..portals.base import Portal
from ..redirects import HOPS_META
from ..replay import REPLAY_DATE_META
from ..resume import BUDGET_META, COMPLETE, ArticleBudget
from ..seen import SeenSet
from ..sidecars import parse_http_date

# The URLs of each kind of expected gap (``Portal.expected_gap``), e.g. ``…/missing_edition``.
GAP_URLS = "newscrawler/spider/gap_urls/"
# Request meta: the canonical URL of the archived article a request fetches again.
REVISIT_META = "newscrawler_revisit"


def parse_since(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"since must be a date like 2022-04-01, got {value!r}") from None


def _positive(value: int | str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)  # type: ignore[arg-type]
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError(f"max_articles must be a whole number of at least 1, got {value!r}")
    return number


class PortalSpider(scrapy.Spider):
    name = "portal"
    # Set on the per-portal subclasses; the generic spider takes ``-a portal=NAME``.
    portal_name: str | None = None

    def __init__(
        self,
        portal: str | None = None,
        max_articles: int | str | None = None,
        since: str | date | None = None,
        follow_articles: bool | str = False,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        name = portal or self.portal_name
        if not name:
            raise ValueError("no portal given: use `scrapy crawl <portal>` or -a portal=NAME")
        self.profile: type[Portal] = portals.get(name)
        portals.check_edition_dates(name, [key for key in portals.EDITION_DATES if kwargs.get(key) is not None])
        self.max_articles = _positive(max_articles)
        self.since = parse_since(since)
        self.follow_articles = str(follow_articles).lower() in ("1", "true", "yes")
        self.allowed_domains = list(self.profile.hosts)
        self.zone = portal_zone(self.profile.timezone)
        self.articles_requested = 0
        # Canonical URLs of the articles requested, for the whole crawl: kept compact.
        self.articles_seen = SeenSet()
        # Other arguments (an e-paper's date_from/date_to) choose the profile's start pages.
        self.start_args = dict(kwargs)
        self._incremental: Incremental | None = None
        self._budget: ArticleBudget | None = None

    @classmethod
    def check_arguments(cls, **arguments: Any) -> None:
        """``ValueError`` for spider arguments (``-a NAME=VALUE``) this spider cannot read, before
        a crawl starts (``newscrawler.commands.crawl``)."""
        spider = cls(**arguments)
        list(spider.profile.start_urls_for(**spider.start_args))

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._item_scraped, signal=signals.item_scraped)
        return spider

    @property
    def incremental(self) -> Incremental:
        """The archive's view of which articles to fetch again (settings are read on first use)."""
        if self._incremental is None:
            self._incremental = Incremental.from_settings(self.settings, self.profile.name)
        return self._incremental

    @property
    def budget(self) -> ArticleBudget:
        """The articles counted against ``max_articles`` in this job, this run's and earlier ones'
        (read on first use: by then the scheduler has dealt with a killed crawl's queue)."""
        if self._budget is None:
            stats = self.crawler.stats if hasattr(self, "crawler") else None
            discarded = bool(stats and stats.get_value("newscrawler/resume/queue_discarded"))
            killed_run = stats.get_value("newscrawler/resume/killed_run_id") if stats else None
            archived = (
                {self.profile.canonical_url(url) for url in self.incremental.articles_of_run(killed_run)}
                if discarded and isinstance(killed_run, int) else set()
            )
            self._budget = ArticleBudget(job_dir(self.settings) if hasattr(self, "crawler") else None,
                                         queue_discarded=discarded, archived_in_archive=archived,
                                         limit=self.max_articles)
            if self._budget.before and stats is not None:
                stats.set_value("newscrawler/resume/budget_spent_before", self._budget.before)
                if self.max_articles is not None:  # the summary says what the count is towards
                    stats.set_value("newscrawler/resume/max_articles", self.max_articles)
                self.logger.info("Resuming a job that counted %s articles already", self._budget.before)
            if self._budget.trimmed:
                self.logger.info("%s articles requested by the resumed run are over --max-articles %s"
                                 " and are not fetched", self._budget.trimmed, self.max_articles)
        return self._budget

    def _item_scraped(self, item: Any, response: Any, spider: Any = None) -> None:
        # For an item from an errback ``response`` is the failure, which carries the request too.
        request = getattr(response, "request", None)
        url = request.meta.get(BUDGET_META) if request is not None else None
        if url:
            self.budget.archived(url)

    def closed(self, reason: str) -> None:
        if self._incremental is not None:
            self._incremental.close()
        if self._budget is not None:
            self._budget.close(complete=reason in COMPLETE)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.profile.start_urls_for(**self.start_args):
            yield self._request(url, "listing")
        for request in self._unlisted_revisits():
            yield request

    def _request(self, url: str, kind: str, headers: dict[str, str] | None = None) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse, errback=self.on_error, cb_kwargs={"kind": kind},
            headers=headers or None,
            # A conditional request's 304 is an answer for the spider, not an HTTP error.
            meta={"handle_httpstatus_list": [304]} if headers else None,
        )

    def _budget_left(self) -> bool:
        return self.max_articles is None or len(self.budget) < self.max_articles

    def parse(self, response: Response, kind: str = "listing") -> Iterator[Any]:
        if response.status == 304:
            self.crawler.stats.inc_value("newscrawler/incremental/not_modified")
            yield self._item(response, "not-modified")
            return
        kind = self.profile.kind_after_fetch(kind, response)
        if (kind == "article" and response.meta.get(HOPS_META)
                and self.profile.page_kind(response.url) == "listing"):
            # An article's URL that now redirects to a home or channel page: that page is
            # archived as what it is (and as a sign of the article's removal), not read as one.
            yield self._item(response, "listing")
            return
        yield self._item(response, kind)
        if kind == "listing" or self.follow_articles:
            yield from self._follow(response)

    def _follow(self, response: Response) -> Iterator[scrapy.Request]:
        page = Page(response.text, response.url)
        entries = list(self.profile.listing_entries(page))
        dated = [e for e in entries if e.date_text and self.profile.page_kind(e.url) == "article"]
        # A listing page whose dated stories are all older than --since ends its pagination.
        all_old = bool(dated) and all(self._too_old(e.date_text) for e in dated)
        if self._budget_left():
            canonical = {self.profile.canonical_url(e.url) for e in entries
                         if self.profile.page_kind(e.url) == "article"}
            self.incremental.prepare(sorted(url for url in canonical if url not in self.articles_seen))
        for entry in entries:
            kind = self.profile.page_kind(entry.url)
            if kind == "article":
                if self._too_old(entry.date_text):
                    self.crawler.stats.inc_value("newscrawler/spider/skipped_before_since")
                    continue
                request = self._article_request(entry.url)
                if request is not None:
                    yield request
            elif kind == "listing" and not all_old and self._budget_left():
                yield self._request(entry.url, "listing")

    def _article_request(self, url: str) -> scrapy.Request | None:
        """The request for an article page, or None: already requested, over budget, or
        archived and not due for a revisit."""
        canonical = self.profile.canonical_url(url)
        # Spent by the run this one resumes: requested again (if need be) for free.
        spent = canonical in self.budget
        if canonical in self.articles_seen or not (spent or self._budget_left()):
            return None  # a twin or a repeat link must not use up the --max-articles budget
        self.articles_seen.add(canonical)
        plan = self.incremental.plan(canonical)
        if plan is None:
            # Archived and not due for a revisit: no request, no budget used.
            self.crawler.stats.inc_value("newscrawler/incremental/skipped")
            return None
        if plan.revisit:
            self.crawler.stats.inc_value("newscrawler/incremental/revisited")
        if not spent:
            self.articles_requested += 1
            self.budget.spend(canonical)
        request = self._request(url, "article", plan.headers)
        request.meta[BUDGET_META] = canonical
        if plan.revisit:
            request.meta[REVISIT_META] = canonical
        return request

    def _unlisted_revisits(self) -> Iterator[scrapy.Request]:
        """Archived articles due for a revisit, whether or not a listing still links to them:
        an article taken down usually leaves the listings first (``NEWSCRAWLER_RECRAWL_UNLISTED``,
        default True)."""
        if not self.settings.getbool("NEWSCRAWLER_RECRAWL_UNLISTED", True):
            return
        for url in self.incremental.due():
            if self.profile.owns(url):
                request = self._article_request(url)
                if request is not None:
                    self.crawler.stats.inc_value("newscrawler/incremental/unlisted")
                    yield request

    def _too_old(self, date_text: str | None) -> bool:
        if self.since is None or not date_text:
            return False
        shown = parse_time(date_text, datetime.now(timezone.utc), self.zone)
        return shown is not None and shown.date() < self.since

    def _item(self, response: Response, kind: str) -> PageItem:
        return PageItem(
            url=response.url,
            status=response.status,
            headers={
                key.decode("latin-1"): b", ".join(values).decode("latin-1")
                for key, values in response.headers.items()
            },
            body=response.body,
            fetched_at=_fetch_time(response),
            kind=kind,
            portal=self.profile.name,
            warc_filename=response.meta.get("warc_filename"),
            warc_offset=response.meta.get("warc_offset"),
            redirects=list(response.meta.get(HOPS_META, [])),
            revisit_of=response.meta.get(REVISIT_META),
        )

    def on_error(self, failure: Failure) -> Iterator[PageItem]:
        """HTTP errors become items (so the archive records them); other failures are counted."""
        if failure.check(HttpError):
            response = failure.value.response
            gap = self.profile.expected_gap(response.url, response.status)
            if gap:  # e.g. no edition on that day: archived and counted, not an error
                self.crawler.stats.inc_value(f"newscrawler/spider/{gap}")
                # Kept for the summary, which names them (``Portal.describe_gaps``).
                urls = self.crawler.stats.get_value(GAP_URLS + gap) or []
                self.crawler.stats.set_value(GAP_URLS + gap, [*urls, response.url])
                self.logger.info("No page at %s (%s)", response.url, gap)
                yield self._item(response, "error")
                return
            if response.meta.get(REVISIT_META) and response.status in (404, 410):
                # An archived article the server says is gone: the answer is evidence of its
                # removal, archived and counted as such (newscrawler.removals), not a failure.
                self.crawler.stats.inc_value("newscrawler/spider/gone")
                self.logger.info("HTTP %s for archived article %s", response.status, response.url)
                yield self._item(response, "error")
                return
            self.crawler.stats.inc_value(f"newscrawler/spider/http_status/{response.status}")
            self.logger.warning("HTTP %s for %s", response.status, response.url)
            yield self._item(response, "error")
            return
        request = failure.request  # type: ignore[attr-defined]
        reason = failure_reason(failure)
        accounts = ledger(self.crawler)
        if accounts is not None:
            accounts.fail(request, reason)
        if failure.check(IgnoreRequest):
            # robots.txt refusals are counted by the middleware that refused; the rest by reason.
            if reason == "robots":
                self.logger.debug("Ignored %s: %s", request.url, failure.getErrorMessage())
            elif reason == "not_captured":
                # A replay going further than the capture did: expected, counted, not an error.
                self.logger.info("Not replayed %s: %s", request.url, failure.getErrorMessage())
            else:
                self.crawler.stats.inc_value(f"newscrawler/spider/failure/{reason}")
                self.logger.warning("Not fetched %s: %s", request.url, failure.getErrorMessage())
            return
        kind = failure.type.__name__ if failure.type else "unknown"
        self.crawler.stats.inc_value(f"newscrawler/spider/failure/{kind}")
        self.logger.error("Failed %s (%s): %s", request.url, reason, failure.getErrorMessage())


def _fetch_time(response: Response) -> str:
    """When the page was fetched: now, or for a replayed page, when it was captured (its WARC
    record's date, or the saved copy's ``Date``), never the day of the replay."""
    captured = response.meta.get("warc_date")
    if captured:
        return datetime.fromisoformat(str(captured).replace("Z", "+00:00")).astimezone(timezone.utc).isoformat()
    saved = response.meta.get(REPLAY_DATE_META)
    # An unreadable Date: the replay's own clock, as the server would have used.
    captured_at = parse_http_date(str(saved)) if saved else None
    return (captured_at or datetime.now(timezone.utc)).isoformat()


def spider_for(portal: type[Portal]) -> type[PortalSpider]:
    """A spider class named after the portal (``scrapy crawl zjdaily``)."""
    return type(
        f"{portal.__name__}Spider",
        (PortalSpider,),
        {"name": portal.name, "portal_name": portal.name, "__module__": __name__},
    )


# One named spider per registered portal; Scrapy's spider loader finds them in this module.
def _register_portal_spiders() -> None:
    for portal_name in portals.names():
        spider = spider_for(portals.get(portal_name))
        globals()[spider.__name__] = spider


_register_portal_spiders()
