"""How a page marks a line as its headline, or as the kicker or subtitle set with it.

Pages without heading elements still mark their headline: by a class or id named for it
(``title``, ``biaoti``, ``<span id="title">``), by a custom element (an e-paper system's
``<founder-title>``), or by setting it apart as table layouts did (bold, a large font, centred).
A breadcrumb and a ——subheadline are marked by their text. The lines set with the headline are
marked too: a kicker (引题: ``yt``, ``pretitle``) or a subtitle (副题: ``ft``, ``fu-title``,
``subtitle``) is no headline, although its class may contain ``title``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .body import class_words
from .lines import HEADINGS, Line, tag_of

TITLE_CLASS = re.compile(r"title|headline|biaoti|bt\b|(?<![a-z])tit(?![a-z])", re.IGNORECASE)
# A breadcrumb: 首页 > 本地新闻, 当前位置：….
CRUMB = re.compile(r"[>›»]|首页|首頁|当前位置|當前位置|您的位置")
# A subheadline (副题) under the headline opens with a dash: ——访…; never the headline alone.
SUBHEADLINE = re.compile(r"^\s*(?:[—―－\-]{2}|[—―])")
# Inline markup that sets a line apart as a heading in a page without heading elements.
_EMPHASIS = frozenset({"b", "strong", "font", "big", "span"})
_CENTRED = re.compile(r"text-align\s*:\s*center", re.IGNORECASE)
# Bold or a large font set by a style (font-weight:bold; font-size:18px) or by a class named
# after it (f18b, font20, bt1), as table layouts did before headings had styles of their own.
_BIG_STYLE = re.compile(
    r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)|font-size\s*:\s*(?:(?:1[6-9]|[2-4]\d)(?:\.\d+)?px"
    r"|(?:1[2-9]|[23]\d)(?:\.\d+)?pt|(?:x+-)?large)",
    re.IGNORECASE,
)
# f14b, font12_b: a bold font named by its class, whatever its size.
_BIG_CLASS = re.compile(
    r"(?<![a-z])(?:f(?:ont)?[-_]?(?:(?:1[6-9]|[2-4]\d)(?!\d)|1[2-5][-_]?b(?:old)?(?![a-z]))|bt\d)", re.IGNORECASE
)
# A custom element named for the headline: an e-paper system's <founder-title>.
_TITLE_TAGS = ("-title", "-headline")


def _titled(element: Any) -> bool:
    tag = tag_of(element)
    return bool(TITLE_CLASS.search(class_words(element))) or ("-" in tag and tag.endswith(_TITLE_TAGS))


def _only_child(element: Any) -> Any:
    """The one element holding all of a block's text (<td><span id="title">…</span></td>), or None;
    a line break after it (<td><b>…</b><br></td>) holds nothing."""
    if not len(element) or (element.text or "").strip():
        return None  # most blocks: text alone, or text before their first element
    only = None
    for child in element:
        if (child.tail or "").strip():
            return None
        if tag_of(child) == "br":
            continue
        if only is not None:
            return None
        only = child
    return only


def _marked(block: Any, named: Callable[[Any], bool]) -> bool:
    """True when a line's block, or an inline element holding all its text, is ``named``."""
    element = block
    for _ in range(3):
        if element is None:
            return False
        if named(element):
            return True
        element = _only_child(element)
    return False


def title_marked(block: Any) -> bool:
    """True when a line's block, or an inline element holding all its text, is named for the
    headline by its class or id (``title``, ``biaoti``), or by its tag (``<founder-title>``)."""
    return _marked(block, _titled)


# Class or id words naming the kicker (引题: yt, yinti, pretitle, article-pretitle) or the
# subtitle (副题: ft, futi, fu-title, article-subtitle) set with the headline; ``title`` inside
# them names no headline.
KICKER_CLASS = re.compile(
    r"(?<![a-z])(?:(?:pre|yin|jian)[-_]?(?:title|tit|ti|head(?:line)?)|yt|jt|kicker|overline)(?![a-z])",
    re.IGNORECASE,
)
SUBTITLE_CLASS = re.compile(
    r"(?<![a-z])(?:(?:sub|fu)[-_]?(?:title|tit|ti|head(?:line)?)|ft|fbt|deck)(?![a-z])", re.IGNORECASE
)


def _deck_named(element: Any) -> bool:
    words = class_words(element)
    return bool(KICKER_CLASS.search(words) or SUBTITLE_CLASS.search(words))


def deck_marked(line: Line) -> bool:
    """True when a line's block (or an inline element holding its text) is named as the kicker or
    subtitle of a headline (<h2 class="subtitle">, <p class="yt">), or, for one of the rows a
    block sets with <br>, the inline element holding that row alone (<div class="title"><span
    class="yt">引题</span><br><span>正题</span></div>). Rows inside one heading are the headline's
    own lines (<h1><p>正题</p><p class="sub">续行</p></h1>): only the heading's name counts."""
    block = line.owner
    heading = heading_of(block)
    if heading is not None and heading is not block:
        return _deck_named(heading)
    return _marked(block, _deck_named) or any(map(_deck_named, row_elements(line)))


def row_elements(line: Line) -> list[Any]:
    """The inline elements of a line's block that hold that line's text alone: the element of one
    of the rows a block sets with <br> (<div><span class="yt">引题</span><br>…</div>)."""
    return [
        child for child in line.owner
        if isinstance(child.tag, str) and " ".join("".join(child.itertext()).split()) == line.text
    ]


def centred(line: Line) -> bool:
    """True when a line's block is centred (``align``, ``text-align``, ``<center>``)."""
    block = line.owner
    return (
        (block.attrib.get("align") or "").lower() == "center" or _CENTRED.search(block.attrib.get("style") or "")
        is not None or tag_of(block) == "center"
    )


def set_apart(line: Line) -> bool:
    """True when a line's whole text is set in bold or a large font, or its block is centred."""
    return centred(line) or emphasised(line)


def emphasised(line: Line) -> bool:
    """True when a line's whole text is set in bold or a large font, or named a title by class."""
    block = line.owner
    if title_marked(block) or _big(block):
        return True
    # <td><font size="4"><b>…</b></font></td>: one emphasis element holds all the text.
    element = _only_child(block)
    while element is not None and tag_of(element) in _EMPHASIS:
        if tag_of(element) in ("b", "strong", "big") or element.attrib.get("size") or _big(element):
            return True
        inner = list(element)
        element = inner[0] if len(inner) == 1 and not (element.text or "").strip() else None
    return False


def _big(element: Any) -> bool:
    return bool(_BIG_STYLE.search(element.attrib.get("style") or "") or _BIG_CLASS.search(class_words(element)))


def heading_of(element: Any) -> Any:
    """The heading element a line's block is or sits in, or None."""
    while element is not None and tag_of(element) not in HEADINGS:
        element = element.getparent()
    return element
