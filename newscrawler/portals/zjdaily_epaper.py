"""湛江日报 e-paper (数字报, szb.gdzjdaily.com.cn): the printed editions of 湛江日报 and 湛江晚报.

A Founder-style edition site. Each edition is a folder by paper and date,
``/<paper>/html/YYYY-MM/DD/`` (``zjrb`` 湛江日报, ``zjwb`` 湛江晚报): ``node_2.htm`` is the front
page with the list of every page of the edition and the front page's stories, ``node_N.htm`` the
other pages, ``content_<n>.htm`` the articles. A crawl walks edition → page → article for a date
range (``newscrawler crawl zjdaily-epaper --from 2022-04-01 --to 2022-04-19``, or
``-a date_from=… -a date_to=…``; default: today's editions); links leaving an edition's folder
(calendar, other days) are not followed, so the range bounds the crawl. A day without an
edition answers 404: it is archived and counted as ``newscrawler/spider/missing_edition``.

Selectors from public scrapers of the site: container ``div.cont``, headline ``h1``, kicker
``p.yinti``, body ``div#ozoom`` and the paragraphs of its ``founder-content`` block, images inside
``div#ozoom``, page label ``b.fisrt`` (the site's own spelling). Reconstructed, to be checked
against the live site: the subtitle ``p.futi``, the byline line ``p.author``, the edition date
in the page header and the image captions. Fixtures: ``fixtures/zjdaily-epaper``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from ..extract.page import Page
from . import register
from .base import Layout, ListingEntry, Portal

# Paper folder -> the paper's name.
PAPERS = {"zjrb": "湛江日报", "zjwb": "湛江晚报"}
_EDITION = re.compile(r"^/(?P<paper>[a-z]+)/html/(?P<month>\d{4}-\d{2})/(?P<day>\d{2})/")
# The longest range one crawl accepts: a typo in a year must not queue decades of requests.
MAX_DAYS = 3660
# Days without an edition a crawl's summary names; the others are counted.
MAX_GAP_DAYS = 20


class ZjdailyEpaperV1(Layout):
    """The Founder article page: kicker, headline, subtitle, byline line, body, page label."""

    version = "1"
    headline = "div.cont h1"
    kicker = "div.cont p.yinti"
    subtitle = "div.cont p.futi"
    info_line = "div.cont p.author"
    # Article pages show no time of their own; the edition date in the header stands for it.
    time = "div.header span.date"
    paragraphs = "div#ozoom p"
    images = "div#ozoom img"
    image_caption_xpath = "ancestor::tr[1]/following-sibling::tr[1]/td"
    page_label = "b.fisrt"
    # The other stories of the same printed page, listed beside the article.
    related_box = "div.main div.right"
    related_title = "div.title"

    def read_paper(self) -> str | None:
        match = _EDITION.match(urlsplit(self.page.url).path)
        return PAPERS.get(match.group("paper")) if match else None

    def read_edition_date(self) -> str | None:
        match = _EDITION.match(urlsplit(self.page.url).path)
        return f"{match.group('month')}-{match.group('day')}" if match else None


@register
class ZjdailyEpaper(Portal):
    name = "zjdaily-epaper"
    title = "湛江日报数字报 (湛江日报, 湛江晚报)"
    hosts = ("szb.gdzjdaily.com.cn",)
    canonical_host = "szb.gdzjdaily.com.cn"
    timezone = "Asia/Shanghai"
    start_urls = ()
    dated_editions = True
    _papers = "|".join(PAPERS)
    article_path = re.compile(rf"^/(?:{_papers})/html/\d{{4}}-\d{{2}}/\d{{2}}/content_(?P<id>\d+)\.htm$")
    listing_path = re.compile(rf"^/(?:{_papers})/html/\d{{4}}-\d{{2}}/\d{{2}}/node_\d+\.htm$")
    front_page = "node_2.htm"
    layouts = (ZjdailyEpaperV1,)
    # A printed page names its reporters at most; the paper is its own source, editors unnamed.
    never_shown = ("source", "editors")

    @classmethod
    def start_urls_for(cls, date_from: str | date | None = None, date_to: str | date | None = None,
                       **spider_args: Any) -> tuple[str, ...]:
        """The front page of every paper's edition for each day from ``date_from`` to ``date_to``."""
        last = _day(date_to) or datetime.now(timezone(timedelta(hours=8))).date()
        first = _day(date_from) or last
        if first > last:
            raise ValueError(f"date_from {first} is after date_to {last}")
        if (last - first).days >= MAX_DAYS:
            raise ValueError(f"{first} to {last} is more than {MAX_DAYS} days")
        return tuple(
            cls.edition_url(paper, first + timedelta(days=offset))
            for offset in range((last - first).days + 1)
            for paper in PAPERS
        )

    @classmethod
    def edition_url(cls, paper: str, day: date) -> str:
        return (f"{cls.canonical_scheme}://{cls.canonical_host}/{paper}/html/"
                f"{day:%Y-%m}/{day:%d}/{cls.front_page}")

    @classmethod
    def expected_gap(cls, url: str, status: int) -> str | None:
        # No front page: the paper did not appear that day (Sundays, holidays).
        path = urlsplit(url).path
        if status == 404 and path.endswith("/" + cls.front_page) and cls.listing_path.match(path):
            return "missing_edition"
        return None

    @classmethod
    def describe_gaps(cls, gap: str, urls: list[str]) -> str:
        if gap != "missing_edition":
            return super().describe_gaps(gap, urls)
        # "2022-04-17 (湛江日报, 湛江晚报)": the papers missing, by day.
        by_day: dict[str, list[str]] = {}
        for url in sorted(urls):
            match = _EDITION.match(urlsplit(url).path)
            if match:
                day = f"{match.group('month')}-{match.group('day')}"
                by_day.setdefault(day, []).append(PAPERS.get(match.group("paper"), match.group("paper")))
        days = [f"{day} ({', '.join(papers)})" for day, papers in sorted(by_day.items())]
        shown = days[:MAX_GAP_DAYS] + ([f"and {len(days) - MAX_GAP_DAYS} more days"]
                                       if len(days) > MAX_GAP_DAYS else [])
        return f"missing editions (edition page answered 404): {'; '.join(shown)}"

    @classmethod
    def listing_entries(cls, page: Page) -> Iterator[ListingEntry]:
        """Links within the page's own edition: its pages and their articles, no other days."""
        folder = urlsplit(page.url).path.rsplit("/", 1)[0] + "/"
        for entry in super().listing_entries(page):
            path = urlsplit(entry.url).path
            if path.startswith(folder) and "/" not in path[len(folder):]:
                yield entry


def _day(value: str | date | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected a date like 2022-04-19, got {value!r}") from None
