"""Telling that an archived article is gone: the signs a page fetched again can show.

When the crawl asks again for an article the archive holds (a revisit, ``newscrawler.incremental``),
the answer is a **sign of removal** when it is:

- ``http_404`` / ``http_410``: the server says the page is not there (or gone for good);
- ``redirect_home`` / ``redirect_channel``: the article's URL now redirects (3xx or meta refresh)
  to the portal's home page or to a channel (listing) page;
- ``soft_404``: a 200 page on which extraction found no article (or a scrap of one, under
  ``THIN_ARTICLE_CHARS``: the generic extractor reads an error page's title and its one
  sentence as a headline and body), whose text says so
  (页面不存在, 该内容已被删除, 文章已下线, a bare 404 …, ``REMOVED_PHRASES``) or which matches one of
  the portal's declared error templates (``Portal.error_page_selectors``).

A transient answer (5xx, a timeout, a refused connection) is never a sign: the server did not
say anything about the article. ``RemovalPipeline`` (``newscrawler.pipelines``) puts the sign on
the page, and the archive decides: one sign is pending, a second at least
``NEWSCRAWLER_REMOVAL_CONFIRM_HOURS`` later (default 24) makes the article ``removed``; a page
of the article served again makes it ``restored`` (``archive.writer``, ``docs/changes.md``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .extract.decode import decode_page
from .extract.page import text_of

if TYPE_CHECKING:
    from .portals.base import Portal

# What Chinese portals print on the page that replaced an article, in both scripts.
REMOVED_PHRASES = (
    "页面不存在", "頁面不存在", "该内容已被删除", "該內容已被刪除", "内容已被删除", "內容已被刪除",
    "文章已下线", "文章已下線", "内容已下线", "內容已下線", "页面已删除", "页面找不到", "页面未找到",
    "您访问的页面不存在", "信息不存在", "文章不存在",
)
# "404" as a number of its own: not inside an article id or a phone number.
_BARE_404 = re.compile(r"(?<![\d.])404(?![\d.])")
# A record with less body text than this, on a page that says the content is gone, is the
# error page read as an article.
THIN_ARTICLE_CHARS = 200
# Paths of a home page.
_HOME_PATHS = {"", "/", "/index.html", "/index.htm", "/index.shtml", "/index.php", "/default.html"}


def page_says_removed(text: str) -> bool:
    """Whether a page's visible text says the content is gone."""
    return any(phrase in text for phrase in REMOVED_PHRASES) or bool(_BARE_404.search(text))


def redirect_sign(url: str, requested: str, profile: type[Portal] | None) -> str | None:
    """``redirect_home`` or ``redirect_channel`` when the article at canonical ``requested``
    ended, after redirects, at ``url``, a home or listing page; None when it ended at an
    article (itself on another host, or another article) or off the portal."""
    if profile is None or not profile.owns(url) or profile.canonical_url(url) == requested:
        return None
    if profile.page_kind(url) == "article":
        return None  # another article: merged or moved, not taken down
    return "redirect_home" if urlsplit(url).path in _HOME_PATHS else "redirect_channel"


def soft_404_sign(body: bytes, content_type: str | None, url: str,
                  profile: type[Portal] | None) -> str | None:
    """``soft_404`` when a page without an article says it is an error page."""
    _, page = decode_page(body, content_type, url)
    if page.root is None:
        return None
    for selector in getattr(profile, "error_page_selectors", ()) or ():
        if page.css(selector):
            return "soft_404"
    return "soft_404" if page_says_removed(text_of(page.root)) else None


def is_thin(record: dict[str, Any] | None) -> bool:
    """No article, or too little of one to be more than an error page read as one."""
    return record is None or sum(len(p) for p in record.get("paragraphs") or []) < THIN_ARTICLE_CHARS


def removal_sign(
    *, status: int, url: str, requested: str, redirected: bool, record: dict[str, Any] | None,
    body: bytes, content_type: str | None, profile: type[Portal] | None,
) -> str | None:
    """The sign of removal a page fetched for the archived article ``requested`` shows, or None.

    ``record``: what extraction found on the page. An article of some length is no sign at all,
    even when redirected: the article moved with its content.
    """
    if status in (404, 410):
        return f"http_{status}"
    if not 200 <= status < 300 or not is_thin(record):
        return None
    if redirected:
        sign = redirect_sign(url, requested, profile)
        if sign:
            return sign
    return soft_404_sign(body, content_type, url, profile)
