"""Rendered lines: a page cut into the lines a browser would show, with their blocks and link text."""

from __future__ import annotations

import re
from collections.abc import Iterator
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


# An element being read: its children left to read, the element, the block its inline text
# belongs to, the buffer that text goes to, whether it is link text, and whether the element is
# a block (whose lines are flushed at its end) rather than inline.
_Frame = tuple[Iterator[Any], Any, Any, _Buffer, bool, bool]


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

    def enter(element: Any, owner: Any, buffer: _Buffer, in_link: bool) -> _Frame | None:
        # What an element shows before its children, and the frame its children are read in;
        # None for an element read whole (without children, or a comment, a skipped or hidden
        # element, a <br>, an image).
        tag = element.tag
        if not isinstance(tag, str):
            return None  # a comment or processing instruction
        tag = tag.lower()
        if not tag or tag in _SKIP or _hidden(element, tag):
            return None
        if tag == "br":
            flush(buffer, owner)
            return None
        if tag == "img":
            images.append((element, len(lines)))
            return None
        if tag in BLOCK_TAGS:
            flush(buffer, owner)
            inner = _Buffer()
            if element.text:
                inner.add(element.text, in_link)
            if not len(element):  # most elements: read whole here, without a frame
                flush(inner, element)
                return None
            return iter(element), element, element, inner, in_link, True
        link = in_link or tag == "a"
        buffer.parts.append(_EDGE)
        if element.text:
            buffer.add(element.text, link)
        if not len(element):
            buffer.parts.append(_EDGE)
            return None
        return iter(element), element, owner, buffer, link, False

    def walk(top_element: Any, top_owner: Any, top_buffer: _Buffer) -> None:
        # Each element's text, its children in order each followed by its tail, a block's
        # lines flushed at its end. A walk with its own stack rather than a recursive one: the
        # parser follows nesting to ``page.MAX_DEPTH``, deeper than Python's recursion limit.
        frame = enter(top_element, top_owner, top_buffer, False)
        stack = [frame] if frame is not None else []
        while stack:
            children, element, owner, buffer, link, block = stack[-1]
            for child in children:
                frame = enter(child, owner, buffer, link)
                if frame is not None:
                    stack.append(frame)
                    break
                if child.tail:
                    buffer.add(child.tail, link)
            else:
                stack.pop()
                if block:
                    flush(buffer, element)
                else:
                    buffer.parts.append(_EDGE)
                if stack and element.tail:
                    parent = stack[-1]
                    parent[3].add(element.tail, parent[4])

    top = _Buffer()
    walk(root, root, top)
    flush(top, root)
    # Markup after a stray </html> (a header include closing the document) is still rendered by
    # browsers; libxml2 leaves it as top-level siblings of the root.
    for sibling in root.itersiblings():
        walk(sibling, sibling, top)
        flush(top, sibling)
    return lines, images

