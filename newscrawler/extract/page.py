"""A parsed HTML page and the text helpers every layout uses.

Ruby annotations (``<rt>``, ``<rp>``) are removed once at parse time: they render as pronunciation
above the text and are noise to a reader and to search. Text is read with scripts, styles and
hidden template blocks skipped.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import cached_property
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector

from .selectors import CLASS, Test, compiled_document_css, id_step, key_class, tree_matcher

_SKIP_TEXT = frozenset({"script", "style", "noscript", "template", "textarea"})
# Tags whose element, without children, ``text_of`` does not read as its own ``.text``.
NOT_OWN_TEXT = _SKIP_TEXT | {"br"}


class Page:
    """An HTML document with its URL; selectors are CSS, as in the portal profiles.

    ``css`` returns lxml elements, found by walking the tree for the common selectors (tags and
    classes, see ``selectors.tree_matcher``) and through XPath compiled once per selector for the
    others, which is what keeps extraction fast; ``selector`` is the same tree as a parsel
    ``Selector`` for code that prefers parsel's API.
    """

    def __init__(self, html: str, url: str, *, utf8: bytes | None = None,
                 parsed: etree._Element | None = None) -> None:
        """``utf8``: the UTF-8 bytes of ``html`` when the caller has them (``Decoded.utf8``),
        parsed as they are instead of encoding the text again. ``parsed``: the tree of
        ``parse_html(html)`` when the caller already has it (``Decoded.parsed``)."""
        self.url = url
        self.root = parsed if parsed is not None else parse_html(html, utf8)
        etree.strip_elements(self.root, "rt", "rp", with_tail=False)
        # By tag: its elements with a class attribute and the attribute (``_with_class``). The
        # tree is not changed after this point, so the lists stay true.
        self._classed: dict[str | None, list[tuple[etree._Element, str]]] = {}
        # What each ``id()`` lookup of ``_below_id`` found.
        self._by_id: dict[etree.XPath, list[Any]] = {}

    @cached_property
    def selector(self) -> Selector:
        """The same tree as a parsel ``Selector`` (built on first use: profiles never need it)."""
        return Selector(root=self.root, type="html")

    def css(self, query: str) -> list[etree._Element]:
        """Elements of the whole document matching a CSS selector."""
        if self.root is None:
            return []
        matcher = tree_matcher(query)
        if matcher is not None:
            key = key_class(query)
            if key is not None:
                return matcher(self.root, None, self._with_class(*key))
            return matcher(self.root, None)
        below_id = id_step(query)
        if below_id is not None:
            found = self._below_id(*below_id)
            if found is not None:
                return found
        return [e for e in compiled_document_css(query)(self.root) if isinstance(e, etree._Element)]

    def _with_class(self, tag: str | None, name: str) -> list[tuple[etree._Element, str]]:
        """The elements of ``tag`` (any, for None) whose class attribute holds ``name`` as a
        substring, with that attribute, in document order: a superset of those with the class,
        for the selector's own test. A profile asks for several classes of the same tag
        (``div.article-info``, ``div.hot-rank`` …); the tag's elements with a class attribute
        are listed once per page, so each later query tests strings, not elements."""
        classed = self._classed.get(tag)
        if classed is None:
            found = self.root.iter(tag) if tag is not None else self.root.iter(etree.Element)
            classed = self._classed[tag] = [(e, value) for e in found if (value := e.get(CLASS))]
        return [pair for pair in classed if name in pair[1]]

    def _below_id(self, by_id: etree.XPath, tag: str | None, test: Test) -> list[etree._Element] | None:
        """The elements below the id's element that pass the step's test, in document order: what
        the selector's XPath gives, read by iterating that element's subtree (a few dozen
        elements) instead of evaluating the step's class test in XPath. None unless ``id()``
        finds exactly one element (the XPath then decides). Each id is looked up once a page
        (``#content p``, ``#content img``)."""
        found = self._by_id.get(by_id)
        if found is None:
            found = self._by_id[by_id] = by_id(self.root)
        if len(found) != 1:
            return None
        scope = found[0]
        return [element for element in (scope.iter(tag) if tag is not None else scope.iter())
                if element is not scope and test(element)]

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
        if href.startswith(("https://", "http://")) and " " not in href and "[" not in href:
            return href  # already absolute: urljoin would return it unchanged, slowly
        try:
            return urljoin(self.url, href)
        except ValueError:
            # "Invalid IPv6 URL" (http://[::1): the link leads nowhere, and the page is still read.
            return None


def parse_html(html: str, utf8: bytes | None = None) -> etree._Element:
    """The document tree of an HTML text (an empty ``<html>`` for a page with no markup).

    A plain libxml2 HTML parser: lxml.html's element classes (what parsel uses) cost a Python
    call every time an element is touched, which is most of what extraction does. It follows
    elements nested up to ``MAX_DEPTH`` deep; past that libxml2 drops the rest of the document
    (``too_deep`` tells). ``utf8``, when given, is ``html`` encoded as UTF-8.
    """
    if html and not html.isspace():  # html.strip(), without copying the page
        root = etree.fromstring(html.encode("utf-8") if utf8 is None else utf8, parser=_html_parser())
        if root is not None:
            return root
    return etree.fromstring(b"<html/>")


_PARSERS = threading.local()
# libxml2's nesting limit with huge_tree; without it the limit is 256, which a page built of
# nested layout tables and <font> tags can pass, and the body after that point would be lost.
MAX_DEPTH = 2048


def _html_parser() -> etree.HTMLParser:
    # One parser per thread: lxml parsers must not be shared between threads.
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    return parser


def too_deep(html: str) -> bool:
    """Whether ``html`` nests elements past ``MAX_DEPTH``, where the parser stops reading it.

    A page needs more than ``MAX_DEPTH`` start tags to get there, so almost every page is answered
    by counting them; only the others are parsed (again) to find out.
    """
    return depth_check(html)[0]


def depth_check(html: str, utf8: bytes | None = None, *,
                parse: bool = False) -> tuple[bool, etree._Element | None]:
    """``too_deep(html)``, and the document tree when finding out took a parse (else None): the
    same parse of the same bytes as ``parse_html``, which ``Page`` then takes as it is instead of
    parsing the page a second time. ``utf8``: ``html`` encoded as UTF-8, when the caller has it.

    ``parse``: the caller parses the page anyway (extraction), so it is parsed here whenever
    ``parse_html`` would parse it, and the tree returned; the start tags are then counted only
    when the parser reports excessive depth (a page it never does is not too deep by either
    test), which spares a scan of every page's text."""
    if parse:
        if not html or html.isspace():
            return False, None  # parse_html does not parse it either
        parser = _html_parser()
        root = etree.fromstring(html.encode("utf-8") if utf8 is None else utf8, parser=parser)
        return _reports_depth(parser) and _many_tags(html), root
    if not _many_tags(html):
        return False, None
    parser = _html_parser()
    root = etree.fromstring(html.encode("utf-8") if utf8 is None else utf8, parser=parser)
    return _reports_depth(parser), root


def _many_tags(html: str) -> bool:
    """Whether ``html`` opens more than ``MAX_DEPTH`` elements, which nesting past it needs."""
    opened = html.count("<")  # counting "</" costs more than "<": only when it can matter
    return opened > MAX_DEPTH and opened - html.count("</") > MAX_DEPTH


def _reports_depth(parser: etree.HTMLParser) -> bool:
    """Whether the last parse with ``parser`` stopped at its nesting limit."""
    return any("Excessive depth" in entry.message for entry in parser.error_log)


# Elements whose presence needs the careful text walk below (lxml filters tags in C).
_NEEDS_WALK = ("script", "style", "noscript", "template", "textarea", "br", etree.Comment, etree.PI)
_WALK_TAGS = frozenset(tag for tag in _NEEDS_WALK if isinstance(tag, str))
# Elements looked at in Python before leaving the test to lxml: lxml builds a tag matcher for
# every ``iter`` call with names (about a microsecond a name), more than a small element's walk.
_SMALL_SUBTREE = 24


def _needs_walk(root: etree._Element) -> bool:
    """``next(root.iter(*_NEEDS_WALK), None) is not None``: whether ``root`` or an element below
    it is one whose text ``text_of`` skips or changes (a script, a ``<br>``, a comment)."""
    for seen, element in enumerate(root.iter(), start=1):
        tag = element.tag
        if isinstance(tag, str):
            if tag in _WALK_TAGS:
                return True
        elif tag is etree.Comment or tag is etree.PI:
            return True
        if seen == _SMALL_SUBTREE:
            return next(root.iter(*_NEEDS_WALK), None) is not None
    return False


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
    if not _needs_walk(root):
        # The common case: every text node below, in document order, which is what
        # ``"".join(root.itertext())`` gives, concatenated by libxml2 (lxml's text iterator
        # costs more to set up than a small element's whole text).
        return etree.tostring(root, method="text", encoding="unicode", with_tail=False)
    parts: list[str] = []
    _collect(root, parts)
    return "".join(parts)


def _collect(element: etree._Element, parts: list[str]) -> None:
    """Append the visible text of ``element`` to ``parts``: each element's text, then its
    children's, each child followed by its tail; scripts and styles skipped (their tails kept),
    a newline for each ``<br>``.

    A walk with its own stack rather than a recursive one: the parser follows nesting to
    ``MAX_DEPTH``, deeper than Python's recursion limit."""
    if not _open(element, parts):
        return
    # An iterator over the children of each open element, with that element's tail, which
    # follows its last child's.
    stack: list[tuple[Iterator[etree._Element], str | None]] = [(iter(element), None)]
    while stack:
        children, tail = stack[-1]
        for child in children:
            if _open(child, parts) and len(child):
                stack.append((iter(child), child.tail))
                break
            if child.tail:
                parts.append(child.tail)
        else:
            stack.pop()
            if tail:
                parts.append(tail)


def _open(element: etree._Element, parts: list[str]) -> bool:
    """Append what ``element`` shows before its children; False for an element whose text is
    skipped (a script, a style)."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _SKIP_TEXT:
        return False
    if tag == "br":
        parts.append("\n")
    if element.text and tag:
        parts.append(element.text)
    return True
