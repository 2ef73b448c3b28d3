"""A parsed HTML page and the text helpers every layout uses.

Ruby annotations (``<rt>``, ``<rp>``) are removed once at parse time: they render as pronunciation
above the text and are noise to a reader and to search. Text is read with scripts, styles and
hidden template blocks skipped.
"""

from __future__ import annotations

import re
import threading
from functools import cached_property, lru_cache
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator, css2xpath

_SKIP_TEXT = frozenset({"script", "style", "noscript", "template", "textarea"})


class Page:
    """An HTML document with its URL; selectors are CSS, as in the portal profiles.

    ``css`` returns lxml elements through XPath compiled once per selector (``select``), which is
    what keeps extraction fast; ``selector`` is the same tree as a parsel ``Selector`` for code
    that prefers parsel's API.
    """

    def __init__(self, html: str, url: str) -> None:
        self.url = url
        self.root = parse_html(html)
        etree.strip_elements(self.root, "rt", "rp", with_tail=False)

    @cached_property
    def selector(self) -> Selector:
        """The same tree as a parsel ``Selector`` (built on first use: profiles never need it)."""
        return Selector(root=self.root, type="html")

    def css(self, query: str) -> list[etree._Element]:
        """Elements of the whole document matching a CSS selector."""
        if self.root is None:
            return []
        return [e for e in _compiled_document_css(query)(self.root) if isinstance(e, etree._Element)]

    def first(self, query: str) -> etree._Element | None:
        found = self.css(query)
        return found[0] if found else None

    def text(self, query: str) -> str | None:
        """Text of the first element matching ``query``, or None when nothing matches."""
        node = self.first(query)
        return text_of(node) if node is not None else None

    def texts(self, query: str) -> list[str]:
        return [text_of(node) for node in self.css(query)]

    def absolute(self, href: str | None) -> str | None:
        if not href or not (href := href.strip()):
            return None
        if href.startswith(("https://", "http://")) and " " not in href:
            return href  # already absolute: urljoin would return it unchanged, slowly
        return urljoin(self.url, href)


_TRANSLATOR = HTMLTranslator()
# cssselect writes "#content" as a scan of every element's id; libxml2's id() uses its id table.
_ID_SCAN = re.compile(r"//\*\[@id = '([^'\\]+)'\]")


@lru_cache(maxsize=1024)
def _compiled_document_css(query: str) -> etree.XPath:
    # From the document root "//" is the same as cssselect's "descendant-or-self::" and libxml2
    # evaluates it faster.
    xpath = _TRANSLATOR.css_to_xpath(query, prefix="//")
    return etree.XPath(_ID_SCAN.sub(r"id('\1')", xpath))


def parse_html(html: str) -> etree._Element:
    """The document tree of an HTML text (an empty ``<html>`` for a page with no markup).

    A plain libxml2 HTML parser: lxml.html's element classes (what parsel uses) cost a Python
    call every time an element is touched, which is most of what extraction does.
    """
    if html.strip():
        root = etree.fromstring(html.encode("utf-8"), parser=_html_parser())
        if root is not None:
            return root
    return etree.fromstring(b"<html/>")


_PARSERS = threading.local()


def _html_parser() -> etree.HTMLParser:
    # One parser per thread: lxml parsers must not be shared between threads.
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = etree.HTMLParser(recover=True, encoding="utf-8")
    return parser


@lru_cache(maxsize=1024)
def _compiled_css(query: str) -> etree.XPath:
    return etree.XPath(css2xpath(query))


@lru_cache(maxsize=256)
def _compiled_xpath(query: str) -> etree.XPath:
    return etree.XPath(query)


def select(node: etree._Element, query: str) -> list[etree._Element]:
    """Elements matching a CSS selector inside ``node`` (the node itself included)."""
    if node is None:
        return []
    if query.isalnum():  # a bare tag name: lxml's own iteration is much faster than XPath
        return list(node.iter(query))
    return [found for found in _compiled_css(query)(node) if isinstance(found, etree._Element)]


def select_xpath(node: etree._Element, query: str) -> list[etree._Element]:
    """Elements matching an XPath expression relative to ``node``."""
    return [found for found in _compiled_xpath(query)(node) if isinstance(found, etree._Element)]


# Elements whose presence needs the careful text walk below (lxml filters tags in C).
_NEEDS_WALK = ("script", "style", "noscript", "template", "textarea", "br", etree.Comment, etree.PI)


def text_of(node: etree._Element | Selector) -> str:
    """The visible text of an element: descendants' text joined, scripts and styles skipped."""
    root = node.root if isinstance(node, Selector) else node
    if isinstance(root, str):
        return root
    tag = root.tag
    if not len(root) and isinstance(tag, str):
        # A leaf element (a sidebar link, a label, a heading): its own text, at a fraction of the
        # cost of the iterators below, which is most of what reading a small element costs.
        if tag in _SKIP_TEXT:
            return ""
        if tag == "br":
            return "\n" + (root.text or "")
        return root.text or ""
    if next(root.iter(*_NEEDS_WALK), None) is None:
        return "".join(root.itertext())  # the common case, at C speed
    parts: list[str] = []
    _collect(root, parts)
    return "".join(parts)


def _collect(element: etree._Element, parts: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _SKIP_TEXT:
        return
    if tag == "br":
        parts.append("\n")
    if element.text and tag:
        parts.append(element.text)
    for child in element:
        _collect(child, parts)
        if child.tail:
            parts.append(child.tail)
