"""Structured metadata: JSON-LD, <meta> tags, the <title>, script-held times and the canonical link."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree
from w3lib.url import safe_url_string

from ..normalize import collapse_whitespace, has_han
from ..page import Page
from .reconcile import ZONE, parsed_times

if TYPE_CHECKING:
    from tldextract import TLDExtract

_ARTICLE_TYPES = frozenset({"newsarticle", "article", "reportagenews", "blogposting", "analysisnewsarticle", "webpage"})
_META_TIME_NAMES = (
    "article:published_time", "og:article:published_time", "og:release_date", "publishdate",
    "pubdate", "publish_date", "publish-date", "publishtime", "publish_time", "datepublished",
    "dc.date", "dc.date.issued", "dcterms.created", "sailthru.date", "weibo:article:create_at",
    "created", "firstpublishedtime",
)
# Where a CMS records the source outlet: a ``source`` meta (``来源：青山网-青山日报``) and
# ``ContentSource`` of the government portals' metadata standard.
_META_SOURCE_NAMES = ("contentsource", "source")


def _is_outlet(value: str | None) -> bool:
    """A recorded source that can be an outlet's name: short Chinese text, not an address or a
    code (``source`` also names where a page came from: ``web``, ``https://…``, ``app``)."""
    return bool(value and len(value) <= 40 and has_han(value) and "://" not in value)


_META_MODIFIED_NAMES = (
    "article:modified_time", "og:updated_time", "datemodified", "dateupdate", "lastmodified",
    "last-modified",
)


@dataclass
class Metadata:
    headline: str | None = None
    titles: list[str] = field(default_factory=list)
    times: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    canonical: str | None = None
    # Update times: only used to complete a visible time that agrees with them.
    modified: list[str] = field(default_factory=list)
    # The machine-readable times of <time datetime> elements: only used to give a visible time
    # that shows the same clock its zone (a side list's times are there too).
    machine: list[str] = field(default_factory=list)
    # The source outlet a CMS records (<meta name="source">, government portals' ContentSource):
    # only used when the page shows none.
    source: str | None = None


# Compiled once and run on the lxml tree: the same results as the parsel selector's ``getall()``
# (plain strings) and its nodes' attributes, without building a parsel object for every result.
_JSONLD = etree.XPath('//script[@type="application/ld+json"]/text()', smart_strings=False)
_META = etree.XPath("//meta[@content]")
_TITLE = etree.XPath("//title//text()", smart_strings=False)
_DATE_PUBLISHED = etree.XPath('//*[@itemprop="datePublished"][not(self::meta)]')
_TIME_ELEMENTS = etree.XPath("//time/@datetime", smart_strings=False)
# rel is a list of tokens in any case (rel="Canonical", rel="canonical nofollow"); og:url is
# read whether the page names it by property or by name.
_UPPER, _LOWER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"
_CANONICAL = etree.XPath(
    f"//link[contains(concat(' ', normalize-space(translate(@rel, '{_UPPER}', '{_LOWER}')), ' '), ' canonical ')]"
    "/@href",
    smart_strings=False,
)
_OG_URL = etree.XPath(
    f"//meta[translate(@property, '{_UPPER}', '{_LOWER}') = 'og:url'"
    f" or translate(@name, '{_UPPER}', '{_LOWER}') = 'og:url']/@content",
    smart_strings=False,
)
_INLINE_SCRIPTS = etree.XPath("//script[not(@src)]/text()", smart_strings=False)


def _strings(query: etree.XPath, page: Page) -> list[str]:
    return [str(found) for found in query(page.root)] if page.root is not None else []


def _elements(query: etree.XPath, page: Page) -> list[Any]:
    return list(query(page.root)) if page.root is not None else []


def _jsonld_objects(page: Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for raw in _strings(_JSONLD, page):
        try:
            data = json.loads(raw.strip().rstrip(";"), strict=False)
        except (ValueError, RecursionError):
            # A broken block is common and says nothing: other metadata remains. So is a block
            # nested deeper than the decoder follows (RecursionError).
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.append(item["@graph"])
                kinds = item.get("@type")
                kinds = kinds if isinstance(kinds, list) else [kinds]
                if any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds):
                    found.append(item)
    # Articles before web pages.
    found.sort(key=lambda item: str(item.get("@type", "")).lower() == "webpage")
    return found


def _names(value: Any) -> list[str]:
    """The names in a JSON-LD value, in order: a string, an object's ``name``, a list's items'.
    Read with a stack, not by recursion: the value may nest as deep as the decoder went."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack.append(item.get("name"))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return found


def read_metadata(page: Page) -> Metadata:
    meta = Metadata()
    for item in _jsonld_objects(page):
        if isinstance(item.get("headline"), str) and not meta.headline:
            meta.headline = _unescaped(item["headline"])
        for key in ("datePublished", "dateCreated"):
            if isinstance(item.get(key), str):
                meta.times.append(item[key].strip())
        if isinstance(item.get("dateModified"), str):
            meta.modified.append(item["dateModified"].strip())
        meta.authors.extend(_names(item.get("author")))
    by_name: dict[str, str] = {}
    for node in _elements(_META, page):
        key = (node.attrib.get("property") or node.attrib.get("name") or node.attrib.get("itemprop") or "").lower()
        if key and key not in by_name:
            by_name[key] = node.attrib["content"].strip()
    # ArticleTitle: the metadata standard of government portals (with SiteName, ColumnName, PubDate).
    for key in ("og:title", "twitter:title", "title", "articletitle", "headline"):
        if by_name.get(key):
            meta.titles.append(_unescaped(by_name[key]))
    title = _strings(_TITLE, page)
    if title:
        meta.titles.append(_unescaped("".join(title)))
    cms = _cms_properties(page)
    wrapper = _corpus_wrapper(page)
    for found in (cms.get("title"), wrapper.get("title")):
        if found and found.strip():
            meta.titles.append(collapse_whitespace(found))
    for key in _META_TIME_NAMES:
        if by_name.get(key):
            meta.times.append(by_name[key])
    for node in _elements(_DATE_PUBLISHED, page):
        value = node.attrib.get("datetime") or node.attrib.get("content")
        if value:
            meta.times.append(value.strip())
    meta.source = next((_unescaped(by_name[key]) for key in _META_SOURCE_NAMES if _is_outlet(by_name.get(key))), None)
    for key in _META_MODIFIED_NAMES:
        if by_name.get(key):
            meta.modified.append(by_name[key])
    meta.machine = [value.strip() for value in _strings(_TIME_ELEMENTS, page) if value.strip()]
    if cms.get("date"):
        meta.times.append(cms["date"])
    # Last, the least direct evidence: a publication time a page script holds for its renderer.
    meta.times.extend(script_times(page))
    # The page's own address: the canonical link first, then the CMS's and the corpus's records.
    canonical = next(
        (u for u in (canonical_link(page), by_name.get("url"), cms.get("url"), wrapper.get("id"))
         if u and u.strip()),
        None,
    )
    meta.canonical = canonical.strip() if canonical else None
    return meta


def canonical_link(page: Page) -> str | None:
    """The address the page gives itself: the href of its first ``<link rel=canonical>``, else
    its ``og:url``, as the parser reads them (entities decoded, comments skipped) and stripped;
    None without either. Relative as the page writes it: resolving is the caller's business."""
    for query in (_CANONICAL, _OG_URL):
        found = next((value.strip() for value in _strings(query, page) if value.strip()), None)
        if found:
            return found
    return None


def _unescaped(text: str) -> str:
    """A title from metadata, with the entities a CMS escaped twice (&amp;quot;) read as text."""
    return collapse_whitespace(html.unescape(text) if "&" in text else text)


# Founder CMS pages (方正翔宇, common on Chinese newspaper sites and e-papers) record the article
# in a comment: <!--enpproperty <articleid>…</articleid><date>2022-01-05 09:12:30.0</date>
# <title>…</title>…<url>…</url>…/enpproperty-->.
_CMS_FIELD = re.compile(r"<(date|title|url)>([^<]{1,500})</\1>")


def _cms_properties(page: Page) -> dict[str, str]:
    for comment in page.selector.xpath("//comment()").getall():
        if "enpproperty" in comment:
            return {key: value.strip() for key, value in reversed(_CMS_FIELD.findall(comment))}
    return {}


def _corpus_wrapper(page: Page) -> dict[str, str]:
    """The record wrapper of research crawl corpora: <text id="URL" title="…" encoding="…">."""
    root = page.root
    if root is None:
        return {}
    wrapper = next(root.iter("text"), None)
    if wrapper is None or not ("id" in wrapper.attrib and "title" in wrapper.attrib):
        return {}
    found = {"title": wrapper.attrib["title"]}
    address = wrapper.attrib["id"].strip()
    if _SCHEMELESS.match(address):
        address = "http://" + address  # corpora often store the address without its scheme
    if address.startswith(("http://", "https://")):
        found["id"] = address
    return found


_SCHEMELESS = re.compile(r"^[\w-]+(?:\.[\w-]+)+(?::\d+)?/")


# Page scripts that render the time themselves hold it in a variable or JSON key: var ct =
# "1581517074", "publishTime": "2020-02-12 22:17:54". Unix times in seconds or milliseconds.
_SCRIPT_TIME = re.compile(
    r"(?<![\w.$])[\"']?(?:publish_?time|publish_?date|pub_?time|pub_?date|release_?time|post_?time|"
    r"send_?time|create_?time|date_?published|ct)[\"']?\s*[:=]\s*[\"']?"
    r"(?P<value>\d{13}|\d{10}|\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)"
    r"(?![\d:])",
    re.IGNORECASE,
)
# What every match holds (its value): a script without it is not searched with the pattern above,
# whose look-behind and keyword alternation are tried at every position of the script.
_SCRIPT_TIME_VALUE = re.compile(r"\d{10}|\d{4}-\d")
_EPOCH_RANGE = (datetime(1995, 1, 1, tzinfo=timezone.utc), datetime(2100, 1, 1, tzinfo=timezone.utc))


def script_times(page: Page) -> list[str]:
    """The publication time held by the page's inline scripts, as ISO 8601; none when they hold
    several different ones (a list of stories, each with its own), which says nothing of this page."""
    found: list[str] = []
    for script in _strings(_INLINE_SCRIPTS, page):
        if not _SCRIPT_TIME_VALUE.search(script):
            continue
        for match in _SCRIPT_TIME.finditer(script):
            value = match.group("value")
            if value.isdigit():
                moment = datetime.fromtimestamp(int(value) / (1000 if len(value) == 13 else 1), timezone.utc)
                if not _EPOCH_RANGE[0] <= moment < _EPOCH_RANGE[1]:
                    continue
                value = moment.astimezone(ZONE).isoformat()
            found.append(value)
    distinct = {parsed.replace(second=0, microsecond=0) for _, parsed in parsed_times(found)}
    return found[:1] if len(distinct) == 1 else []



@cache
def _domains() -> TLDExtract:
    """The Public Suffix List as tldextract ships it (no download: extraction never goes online),
    with the private suffixes (github.io, where each subdomain is someone else's site). Made at
    first use: importing tldextract costs about 0.1 s, which a page with no canonical link
    should not make a command wait for."""
    from tldextract import TLDExtract

    return TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def _site(host: str) -> str:
    """The site ``host`` belongs to: its registrable domain by the Public Suffix List, so that
    news.sina.com.cn and sina.com.cn are one site and two sites under gd.cn are two. An address
    is its own site; a name the list has no suffix for (a reserved or private top-level domain,
    .example, .internal) is taken as its last two labels."""
    host = host.lower()
    parts = _domains()(host)
    if parts.ipv4 or parts.ipv6:
        return host
    return parts.top_domain_under_public_suffix or ".".join(host.split(".")[-2:])


def same_site_url(url: str, canonical: str | None) -> str:
    """The page's canonical URL when it is on the same site; otherwise the URL without fragment.
    Percent-encoded, as a crawl stores the URLs it fetches: a page writes its canonical link as
    it likes (道路.html), and one record must not hold its addresses in two forms."""
    parts = urlsplit(url)
    if canonical:
        try:
            target = urlsplit(urljoin(url, canonical.strip()))
            target_host = target.hostname
        except ValueError:
            # A canonical link that is no URL (//[::1…) names nothing: the fetched URL stands.
            target_host = None
        if target_host and target.scheme in ("http", "https") and parts.hostname and (
            _site(target_host) == _site(parts.hostname)
        ):
            return safe_url_string(
                urlunsplit((target.scheme, target.netloc, target.path or "/", target.query, "")))
    return safe_url_string(urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, "")))
