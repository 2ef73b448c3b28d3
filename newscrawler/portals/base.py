"""The shape of a portal profile: where its pages are, and how each layout reads them.

A portal is declared, not programmed: hosts, start pages, URL rules and CSS selectors as class
attributes. ``Layout`` holds the selectors of one article template and one short method per field;
a redesign is a new ``Layout`` subclass with a new version (overriding only what changed) and a
``valid_until`` date on the old one, so records say which layout read them and old fixtures keep
passing. The methods call shared helpers; nothing portal-specific happens after a field is read.
What a layout's selectors miss on a drifted page is read by the generic extractor
(``newscrawler.extract.fallback``, run by ``read_page``); layouts declare nothing for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from lxml import etree

from ..extract.fields import RawFields, RawImage, RawLink
from ..extract.images import is_article_image
from ..extract.page import NOT_OWN_TEXT, Page, text_of
from ..extract.selectors import HREF, select, select_first, select_xpath


@dataclass(frozen=True)
class ListingEntry:
    """A link found on a listing page, with the date shown beside it when there is one."""

    url: str
    date_text: str | None = None


class Layout:
    """One version of a portal's article template. Subclasses set the selectors."""

    version: ClassVar[str] = "1"
    # The last fetch date this layout applies to; None for the current layout.
    valid_until: ClassVar[date | None] = None

    headline: ClassVar[str]
    # The meta line under the headline (time, source, writers).
    info_line: ClassVar[str]
    # The publication time element, when the layout has one; otherwise the meta line is searched.
    time: ClassVar[str | None] = None
    # Body blocks, in order; image-only blocks and caption blocks are sorted out by their selectors.
    paragraphs: ClassVar[str]
    # Credit lines outside the body (编辑:…).
    credit_lines: ClassVar[str | None] = None
    # Images in the body, and the caption of each relative to the image.
    images: ClassVar[str | None] = None
    image_caption_xpath: ClassVar[str | None] = None
    # Hot-news ranking boxes: box, its title, its period tabs, its lists (one per tab, in tab order),
    # and in each list the items with their rank element and link.
    ranking_box: ClassVar[str | None] = None
    ranking_title: ClassVar[str] = "h3"
    ranking_tabs: ClassVar[str | None] = None
    ranking_lists: ClassVar[str] = "ol"
    ranking_rank: ClassVar[str | None] = None
    # Other boxes listing linked stories (湛圖片 …): box and its title.
    related_box: ClassVar[str | None] = None
    related_title: ClassVar[str] = "h3"
    related_item_title: ClassVar[str | None] = None
    # The element showing comment counts.
    comments: ClassVar[str | None] = None
    # Newspaper pages: the line above the headline (引题), the one below it (副题), and the label
    # of the printed page (A01版：要闻). Paper and edition date come from ``read_paper`` and
    # ``read_edition_date``, which e-paper layouts override (they are usually in the URL).
    kicker: ClassVar[str | None] = None
    subtitle: ClassVar[str | None] = None
    page_label: ClassVar[str | None] = None

    def __init__(self, page: Page) -> None:
        self.page = page
        self._paragraph_nodes: list[Any] | None = None

    @classmethod
    def name(cls, portal: str) -> str:
        return f"{portal}@{cls.version}"

    def read(self) -> RawFields:
        """Every raw field of the page."""
        return RawFields(
            headline=self.read_headline(),
            time_text=self.read_time(),
            bylines=self.read_bylines(),
            paragraphs=self.read_paragraphs(),
            credits=self.read_credits(),
            images=self.read_images(),
            rankings=self.read_rankings(),
            related=self.read_related(),
            comments_text=self.read_comments(),
            kicker=self.read_kicker(),
            subtitle=self.read_subtitle(),
            paper=self.read_paper(),
            edition_date=self.read_edition_date(),
            page=self.read_page_label(),
        )

    def read_headline(self) -> str | None:
        return self.page.text(self.headline)

    def read_time(self) -> str | None:
        return (self.time and self.page.text(self.time)) or self.page.text(self.info_line)

    def read_bylines(self) -> list[str]:
        return self.page.texts(self.info_line)

    def read_credits(self) -> list[str]:
        return self.page.texts(self.credit_lines) if self.credit_lines else []

    def read_paragraphs(self) -> list[str]:
        return [text_of(node) for node in self.paragraph_nodes()]

    def paragraph_nodes(self) -> list[Any]:
        """The elements the paragraph selector matched, in document order. The fallback to the
        generic extractor (``newscrawler.extract.fallback``) looks at what surrounds them."""
        if self._paragraph_nodes is None:
            self._paragraph_nodes = self.page.css(self.paragraphs)
        return self._paragraph_nodes

    def read_images(self) -> list[RawImage]:
        if not self.images:
            return []
        images = []
        for img in self.page.css(self.images):
            url = self.page.absolute(img.attrib.get("data-src") or img.attrib.get("src"))
            if not url or not is_article_image(img, url, self.page.url):
                continue  # banners, advertising and tracking pixels are not the article's
            images.append(RawImage(url, self.image_caption(img)))
        return images

    def image_caption(self, img: Any) -> str | None:
        """The caption of an ``<img>`` by the layout's caption rule; None when it finds none."""
        if not self.image_caption_xpath:
            return None
        found = select_xpath(img, self.image_caption_xpath)
        return text_of(found[0]) if found else None

    def read_rankings(self) -> list[RawLink]:
        if not self.ranking_box:
            return []
        links: list[RawLink] = []
        absolute = self.page.absolute
        rank_tag = _bare_tag(self.ranking_rank)
        for box in self.page.css(self.ranking_box):
            title = _first_text(box, self.ranking_title) or ""
            tabs = [text_of(t) for t in select(box, self.ranking_tabs)] if self.ranking_tabs else []
            # Lists follow the tabs in order: the first list belongs to the first tab.
            for index, ranked in enumerate(select(box, self.ranking_lists)):
                period = tabs[index] if index < len(tabs) else None
                items = _plain_items(ranked, rank_tag) if rank_tag or not self.ranking_rank else None
                if items is None:
                    items = self._ranking_items(ranked)
                for position, anchor, rank_element in items:
                    # A link and a rank without children (nearly all) are read as text_of would
                    # read them, without its call and its tests of the tag.
                    text = (anchor.text or "") if not len(anchor) else text_of(anchor)
                    if rank_element is None:
                        rank = None
                    elif not len(rank_element) and rank_element.tag not in NOT_OWN_TEXT:
                        rank = rank_element.text
                    else:
                        rank = text_of(rank_element)
                    links.append(
                        # RawLink's own constructor is a Python function: build the tuple in C.
                        tuple.__new__(RawLink, (title, text, absolute(anchor.get(HREF)), period,
                                                rank or str(position)))
                    )
        return links

    def _ranking_items(self, ranked: Any) -> list[tuple[int, Any, Any]]:
        """(position, link, rank element) of each item of a ranking list that has a link; the
        position counts the items without one too."""
        items = []
        for position, item in enumerate(ranked.iter("li"), start=1):
            anchor = next(item.iter("a"), None)
            if anchor is not None:
                items.append((position, anchor, _first(item, self.ranking_rank)))
        return items

    def read_related(self) -> list[RawLink]:
        if not self.related_box:
            return []
        links: list[RawLink] = []
        absolute = self.page.absolute
        item_title = self.related_item_title
        title_tag = _bare_tag(item_title)
        for box in self.page.css(self.related_box):
            title = _first_text(box, self.related_title) or ""
            items = _titled_links(box, title_tag) if title_tag else None
            if items is None:
                items = [(anchor, _first(anchor, item_title)) for anchor in select(box, "li a")]
            for anchor, title_element in items:
                # The title element when the item has one (beside a thumbnail), else the link text.
                text = None
                if title_element is not None:
                    text = (title_element.text if not len(title_element)
                            and title_element.tag not in NOT_OWN_TEXT else text_of(title_element))
                if not text:
                    text = (anchor.text or "") if not len(anchor) else text_of(anchor)
                links.append(tuple.__new__(RawLink, (title, text, absolute(anchor.get(HREF)), None, None)))
        return links

    def read_comments(self) -> str | None:
        return self.page.text(self.comments) if self.comments else None

    def read_kicker(self) -> str | None:
        return self.page.text(self.kicker) if self.kicker else None

    def read_subtitle(self) -> str | None:
        return self.page.text(self.subtitle) if self.subtitle else None

    def read_page_label(self) -> str | None:
        return self.page.text(self.page_label) if self.page_label else None

    def read_paper(self) -> str | None:
        return None

    def read_edition_date(self) -> str | None:
        return None


def _first_text(node, query: str | None) -> str | None:  # type: ignore[no-untyped-def]
    if not query:
        return None
    found = select_first(node, query)
    return text_of(found) if found is not None else None


def _first(node: Any, query: str | None) -> Any:
    """The first element of ``node`` (itself included) matching ``query``, or None."""
    if not query:
        return None
    if query.isalnum():
        return next(node.iter(query), None)  # the common case, without select_first's call
    return select_first(node, query)


@lru_cache(maxsize=64)
def _titled_links_xpath(tag: str) -> etree.XPath:
    # The links of ``select(box, "li a")`` and the first ``tag`` below each, in document order.
    links = "descendant-or-self::li/descendant::a"
    return etree.XPath(f"{links} | {links}/descendant::{tag}[1]")


def _titled_links(box: Any, tag: str) -> list[tuple[Any, Any]] | None:
    """(link, its first ``tag`` element or None) for every link of an item of ``box``, read
    with one XPath call instead of an iterator per link; None when a title element is not a
    child of its link (then the links are read one by one).

    XPath gives the elements in document order, each once: a title element that is a child of
    the link before it is that link's first. A link without one can only have one further on
    when the next link lies inside it, which is looked for only then."""
    items: list[tuple[Any, Any]] = []
    anchor = title = None
    for element in _titled_links_xpath(tag)(box):
        if element.tag == "a":
            if anchor is not None:
                if title is None and any(outer is anchor for outer in element.iterancestors("a")):
                    return None
                items.append((anchor, title))
            anchor, title = element, None
        elif anchor is None or title is not None or element.getparent() is not anchor:
            return None
        else:
            title = element
    if anchor is not None:
        items.append((anchor, title))
    return items


def _bare_tag(query: str | None) -> str | None:
    """``query`` when it is a bare tag name that ``_plain_items`` can look for; else None."""
    return query if query and query.isalnum() and query not in ("li", "a") else None


def _plain_items(ranked: Any, rank_tag: str | None) -> list[tuple[int, Any, Any]] | None:
    """What ``Layout._ranking_items`` gives, read with one pass of lxml's iteration instead of
    two iterators per item (most of what an item cost); None when the list is not plain.

    Plain: every item is a child of the list and every link and rank element one of an item
    (``<li><em>1</em><a …>…</a></li>``). Then an item's first link and rank element below it
    are its first such children, met in document order right after it; anything else (nested
    lists, a link inside a ``<span>``) is read item by item."""
    items: list[tuple[int, Any, Any]] = []
    tags = ("li", "a", rank_tag) if rank_tag else ("li", "a")
    item = None
    anchor = rank = None
    position = 0
    for element in ranked.iter(*tags):
        if element.tag == "li":
            if element.getparent() is not ranked:
                return None
            if anchor is not None:
                items.append((position, anchor, rank))
            item = element
            anchor = rank = None
            position += 1
        elif item is None or element.getparent() is not item:
            return None
        elif element.tag == "a":
            if anchor is None:
                anchor = element
        elif rank is None:
            rank = element
    if anchor is not None:
        items.append((position, anchor, rank))
    return items


class Portal:
    """A news portal: hosts, start pages, URL rules, listing selectors and article layouts."""

    name: ClassVar[str]
    title: ClassVar[str] = ""
    hosts: ClassVar[tuple[str, ...]]
    # Article URLs are rewritten to this host and scheme: www. and m. twins are one article.
    canonical_host: ClassVar[str]
    canonical_scheme: ClassVar[str] = "https"
    timezone: ClassVar[str] = "Asia/Shanghai"
    start_urls: ClassVar[tuple[str, ...]]
    # Path rules; the article rule names the id group ``id``.
    article_path: ClassVar[re.Pattern[str]]
    listing_path: ClassVar[re.Pattern[str]]
    # On listing pages: one element per listed story, and the date element inside it.
    listing_item: ClassVar[str | None] = None
    listing_item_date: ClassVar[str | None] = None
    # Oldest first; the newest whose ``valid_until`` has not passed reads a page.
    layouts: ClassVar[tuple[type[Layout], ...]]
    # Optional record fields the portal's pages never show (an e-paper prints no source or
    # editors): not ``missing:<field>`` on its records, not counted missing in a crawl's summary,
    # and left out of its field coverage, so that only a field it does show can be missed.
    never_shown: ClassVar[tuple[str, ...]] = ()
    # CSS selectors of the portal's own "page not found" template, served with a 200 in place of
    # an article taken down; its text alone often says so too (newscrawler.removals).
    error_page_selectors: ClassVar[tuple[str, ...]] = ()

    # Whether the portal's pages are addressed by date (an e-paper's editions): only such a
    # portal takes ``date_from``/``date_to`` (``crawl --from/--to``), which choose its start pages.
    dated_editions: ClassVar[bool] = False

    @classmethod
    def start_urls_for(cls, **spider_args: Any) -> tuple[str, ...]:
        """The start pages of one crawl, given the spider's arguments; ``start_urls`` by default.

        Portals with ``dated_editions`` build them from ``date_from``/``date_to``; other
        arguments are ignored (edition dates given to any other portal are refused before:
        ``portals.check_edition_dates``).
        """
        return cls.start_urls

    @classmethod
    def expected_gap(cls, url: str, status: int) -> str | None:
        """The name of an expected gap when an HTTP error at ``url`` is one (an e-paper has no
        edition that day), else None. Gaps are archived and counted, not logged as errors."""
        return None

    @classmethod
    def describe_gaps(cls, gap: str, urls: list[str]) -> str:
        """One line for a crawl's summary on the expected gaps named ``gap`` at ``urls``."""
        return f"{gap.replace('_', ' ')}: {len(urls)}"

    @classmethod
    def kind_after_fetch(cls, kind: str, response: Any) -> str:
        """The page kind once the page is fetched; ``kind`` (from its URL) unless the profile
        checks pages (a site without a profile confirms article candidates by their content)."""
        return kind

    @classmethod
    def owns(cls, url: str) -> bool:
        return (urlsplit(url).hostname or "") in cls.hosts

    @classmethod
    def page_kind(cls, url: str) -> str | None:
        """``article``, ``listing``, or None for pages the crawler does not follow."""
        if not cls.owns(url):
            return None
        path = urlsplit(url).path or "/"
        if cls.article_path.match(path):
            return "article"
        if cls.listing_path.match(path):
            return "listing"
        return None

    @classmethod
    def article_id(cls, url: str) -> str | None:
        match = cls.article_path.match(urlsplit(url).path or "/")
        return match.group("id") if match else None

    @classmethod
    def canonical_url(cls, url: str) -> str:
        """One URL per page: canonical host and scheme, no query or fragment on articles."""
        parts = urlsplit(url)
        if not cls.owns(url):
            return url
        if cls.article_path.match(parts.path or "/"):
            return urlunsplit((cls.canonical_scheme, cls.canonical_host, parts.path, "", ""))
        return urlunsplit((cls.canonical_scheme, cls.canonical_host, parts.path or "/", parts.query, ""))

    @classmethod
    def layout_for(cls, fetched_at: datetime) -> type[Layout]:
        day = fetched_at.date()
        for layout in cls.layouts:
            if layout.valid_until is None or day <= layout.valid_until:
                return layout
        return cls.layouts[-1]

    @classmethod
    def listing_entries(cls, page: Page) -> Iterator[ListingEntry]:
        """Every link on a listing page, with its date where the listing shows one."""
        dated: dict[str, str | None] = {}
        if cls.listing_item:
            for item in page.css(cls.listing_item):
                links = select(item, "a[href]")
                if not links:
                    continue
                url = page.absolute(links[0].attrib["href"])
                if url:
                    dated[url] = _first_text(item, cls.listing_item_date)
        for anchor in page.css("a[href]"):
            url = page.absolute(anchor.attrib["href"])
            if url and url.startswith(("http://", "https://")):
                yield ListingEntry(url, dated.get(url))
