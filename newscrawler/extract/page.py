"""A parsed HTML page and the text helpers every layout uses.

Ruby annotations (``<rt>``, ``<rp>``) are removed once at parse time: they render as pronunciation
above the text and are noise to a reader and to search. Text is read with scripts, styles and
hidden template blocks skipped.
"""

from __future__ import annotations

from urllib.parse import urljoin

from lxml import etree
from parsel import Selector

_SKIP_TEXT = frozenset({"script", "style", "noscript", "template", "textarea"})


class Page:
    """An HTML document with its URL; selectors are CSS, as in the portal profiles."""

    def __init__(self, html: str, url: str) -> None:
        self.url = url
        self.selector = Selector(text=html, type="html")
        root = self.selector.root
        if root is not None and hasattr(root, "iter"):
            etree.strip_elements(root, "rt", "rp", with_tail=False)

    def css(self, query: str) -> list[Selector]:
        return list(self.selector.css(query))

    def first(self, query: str) -> Selector | None:
        found = self.selector.css(query)
        return found[0] if found else None

    def text(self, query: str) -> str | None:
        """Text of the first element matching ``query``, or None when nothing matches."""
        node = self.first(query)
        return text_of(node) if node is not None else None

    def texts(self, query: str) -> list[str]:
        return [text_of(node) for node in self.selector.css(query)]

    def absolute(self, href: str | None) -> str | None:
        return urljoin(self.url, href.strip()) if href and href.strip() else None


def text_of(node: Selector) -> str:
    """The visible text of an element: descendants' text joined, scripts and styles skipped."""
    root = node.root
    if isinstance(root, str):
        return root
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
