"""Labels and meta rows a CMS sets inside the headline's heading: 原创, 视频, the time, the source.

Portals mark a story in its own heading with a short label in an element of its own, at the start
or the end: ``<h1><span class="tag">原创</span>标题</h1>``, ``<h1>标题<em>视频</em></h1>``. The
label is the story's kind or its place in a list, not words of the headline. When the page's title
data give the headline, the heading is read against them (``headline._without_badge``); when they
name only the site, nothing tells the label from the headline but the label's own shape, which is
what this module reads: an element of its own, inline, whose whole text is one of the set labels
(brackets allowed: ``【视频】``), at the heading's start or end, with a headline left beside it.

Words that as often open a headline as label it (``重磅``, ``突发``) are not in the list: a
headline that begins with them keeps them. A meta row set the same way (``<h1>标题<span>2024-07-01
10:00 来源：某报</span></h1>``: a time or a labelled field, as the byline reads them) is left out
too; the byline still reads it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .lines import Line, tag_of
from .metalines import is_meta_line

# The set labels, either script. One-character marks (热, 荐, 新, 精) count only in an element
# of their own, as every label here does.
_LABEL = re.compile(
    r"[【\[（(]?\s*(?:原创|原創|独家|獨家|首发|首發|置顶|置頂|推荐|推薦|荐|薦|热|熱|新|精"
    r"|视频|視頻|图集|圖集|组图|組圖|图文|圖文|多图|多圖|直播|快讯|快訊|专题|專題|音频|音頻"
    r"|转载|轉載|热门|熱門|最新|头条|頭條)\s*[】\]）)]?"
)
# Inline elements a label is set in; a link or a block is something else (a channel, a row).
_LABEL_TAGS = frozenset({"span", "i", "em", "b", "strong", "label", "small", "sup", "mark", "font", "ins"})
# What must be left of the heading for the label to be one: a headline, not a word.
_MIN_HEADLINE = 4


def edge_texts(line: Line) -> list[tuple[Any, str]]:
    """The first and the last element of a heading, each with its text spaced as the line's text
    is (runs of spaces, NBSP and U+3000 as one space)."""
    children = [child for child in line.owner if isinstance(child.tag, str)]
    return [(child, " ".join("".join(child.itertext()).split())) for child in children[:1] + children[-1:]]


def without_edge(line: Line, text: str, takes: Callable[[Any, str], bool],
                 leaves: Callable[[str], bool]) -> str:
    """The heading's ``text`` without the text of its first or last element, when ``takes`` says
    that element may go and ``leaves`` accepts what is left; ``text`` unchanged otherwise."""
    for child, extra in edge_texts(line):
        if not extra or not takes(child, extra):
            continue
        if text.startswith(extra):
            rest = text[len(extra):].strip()
        elif text.endswith(extra):
            rest = text[: -len(extra)].strip()
        else:
            continue
        if leaves(rest):
            return rest
    return text


def without_label(line: Line, text: str) -> str:
    """The heading's text without a set label or a meta row standing in an element of its own at
    its start or end (``<span>原创</span>``, ``<span>2024-07-01</span>``); the text unchanged
    when there is none."""
    if text != line.text:
        return text
    return without_edge(line, text, _is_label, lambda rest: len(rest) >= _MIN_HEADLINE)


def is_label_text(text: str) -> bool:
    """True for a text that is one of the set labels whole (原创, 【视频】)."""
    return _LABEL.fullmatch(text) is not None


def _is_label(element: Any, text: str) -> bool:
    return tag_of(element) in _LABEL_TAGS and bool(_LABEL.fullmatch(text) or is_meta_line(text))


def heading_meta(line: Line, headline: str) -> str | None:
    """The meta row (time, source) a heading sets beside its headline in an element of its own,
    once the headline was read without it; None when there is none."""
    if line.text == headline:
        return None
    for child, text in edge_texts(line):
        if text and tag_of(child) in _LABEL_TAGS and is_meta_line(text):
            return text
    return None
