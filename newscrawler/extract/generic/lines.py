"""Rendered lines: a page cut into the lines a browser would show, with their blocks and link text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..normalize import collapse_whitespace

_SKIP = frozenset({
    "script", "style", "noscript", "template", "textarea", "select", "option", "input",
    "iframe", "svg", "canvas", "object", "embed", "head", "title", "nav", "map", "video",
    "audio", "link", "meta",
})
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "html", "li", "main", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "caption",
})
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HIDDEN_CLASS = frozenset({"hidden", "hide", "d-none", "sr-only", "visually-hidden"})
_EDGE = "\x00"  # marks where an inline element starts or ends


@dataclass
class Line:
    """One rendered line of the page: its text, the block it belongs to, and its link text."""

    text: str
    owner: Any  # the lxml element of the block the line belongs to
    chars: int
    link_chars: int
    index: int = 0
    # The text with a space wherever an inline element starts or ends: meta lines put fields in
    # adjacent spans (<span>09-30</span><span>22:46</span>) that the page spaces with CSS.
    spaced: str = ""

    @property
    def link_share(self) -> float:
        return self.link_chars / self.chars if self.chars else 0.0


@dataclass(slots=True)
class _Buffer:
    parts: list[str] = field(default_factory=list)
    link_chars: int = 0

    def add(self, text: str, in_link: bool) -> None:
        self.parts.append(text)
        if in_link:
            # Characters other than whitespace: str.split() and the regex's \S agree on what
            # whitespace is, and the split costs less than collecting every match.
            self.link_chars += len("".join(text.split()))


def tag_of(element: Any) -> str:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else ""


def _hidden(element: Any, tag: str) -> bool:
    """Hidden by its own markup: ``style="display:none"``, ``hidden``, a hiding class."""
    # ``get`` rather than ``attrib``: the walk asks this of every element, and building the
    # attribute mapping costs more than the look-ups.
    if element.get("hidden") is not None or (element.get("aria-hidden") == "true" and tag in BLOCK_TAGS):
        return True
    style = element.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    classes = element.get("class")
    return bool(classes) and not _HIDDEN_CLASS.isdisjoint(classes.split())


def page_lines(root: Any) -> tuple[list[Line], list[tuple[Any, int]]]:
    """The rendered lines of a document in order, and its images with the line count before each."""
    lines: list[Line] = []
    images: list[tuple[Any, int]] = []

    def flush(buffer: _Buffer, owner: Any) -> None:
        if buffer.parts:
            joined = "".join(buffer.parts)
            edged = _EDGE in joined
            text = collapse_whitespace(joined.replace(_EDGE, "") if edged else joined)
            if text:
                chars = len(text.replace(" ", ""))
                # Without inline elements the spaced text is the text.
                spaced = collapse_whitespace(joined.replace(_EDGE, " ")) if edged else text
                lines.append(Line(text, owner, chars, min(buffer.link_chars, chars), len(lines), spaced))
        buffer.parts = []
        buffer.link_chars = 0

    def walk(element: Any, owner: Any, buffer: _Buffer, in_link: bool) -> None:
        tag = element.tag
        if not isinstance(tag, str):
            return  # a comment or processing instruction
        tag = tag.lower()
        if not tag or tag in _SKIP or _hidden(element, tag):
            return
        if tag == "br":
            flush(buffer, owner)
            return
        if tag == "img":
            images.append((element, len(lines)))
            return
        if tag in BLOCK_TAGS:
            flush(buffer, owner)
            inner = _Buffer()
            if element.text:
                inner.add(element.text, in_link)
            for child in element:
                walk(child, element, inner, in_link)
                if child.tail:
                    inner.add(child.tail, in_link)
            flush(inner, element)
            return
        link = in_link or tag == "a"
        buffer.parts.append(_EDGE)
        if element.text:
            buffer.add(element.text, link)
        for child in element:
            walk(child, owner, buffer, link)
            if child.tail:
                buffer.add(child.tail, link)
        buffer.parts.append(_EDGE)

    top = _Buffer()
    walk(root, root, top, False)
    flush(top, root)
    # Markup after a stray </html> (a header include closing the document) is still rendered by
    # browsers; libxml2 leaves it as top-level siblings of the root.
    for sibling in root.itersiblings():
        walk(sibling, sibling, top, False)
        flush(top, sibling)
    return lines, images

