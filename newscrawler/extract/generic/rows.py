"""The lines above the body read as the headline when no heading matches the title data and the
title names only the site.

A table layout sets its headline apart (bold, a large font, centred, a class naming a title or a
bold font) a few rows above the text, with the meta rows and widgets between (time, source, font
size, print and share buttons, counters), which are not counted in that distance. An e-paper may
set it in a plain block that its list of the page's stories links to; a crawl record of
paragraphs alone opens with it; a mobile page sets it in a plain block right above its time and
byline line.
"""

from __future__ import annotations

import re

from ..times import TIME_PATTERN
from .lines import Line, tag_of
from .marks import CRUMB, SUBHEADLINE, deck_marked, set_apart
from .metalines import is_chrome_line, is_meta_line
from .titles import LONG_PIECE, title_key


def rows_above(lines: list[Line], body_start: int, rows: int) -> int:
    """Index of the first of the ``rows`` lines above the body that may hold text: the meta rows,
    widgets and empty cells a page sets between its headline and its text (time, source, font
    size, print and share buttons, a view counter) are passed over, up to three times as many."""
    index = min(body_start, len(lines))
    counted = 0
    limit = max(0, index - 3 * rows)
    while index > limit and counted < rows:
        index -= 1
        line = lines[index]
        if not (line.chars <= 2 or is_chrome_line(line) or is_meta_line(line.spaced)):
            counted += 1
    return index


_PROMINENT_ROWS = 8
_SENTENCE_END = re.compile(r"[。！？；]$|[，,]")


def whole_block(lines: list[Line], last: int) -> str:
    """The text of a line set apart as the headline with the lines before it in the same block:
    a table layout sets a long headline over rows with <br> (<b>第一行<br>第二行</b>)."""
    first = last
    while (
        first > 0 and last - first < 2 and lines[first - 1].owner is lines[last].owner
        and _headline_row(lines[first - 1], 2)
    ):
        first -= 1
    return "".join(line.text for line in lines[first : last + 1])


# Widgets a page sets between its headline and its text: 【字体：大 中 小】, 浏览次数：318.
_WIDGET = re.compile(
    r"^[【\[]?\s*字\s*[体號号體]|^(?:浏览|瀏覽|点击|點擊|阅读|閱讀|访问|訪問)(?:次数|次數|量|数|數)\s*[:：]"
)


def _headline_row(line: Line, shortest: int = 6) -> bool:
    """A short line that could be (a row of) a headline: no link, sentence, time, breadcrumb,
    meta line, widget or ——subheadline."""
    text = line.text
    if not (shortest <= line.chars <= 60) or line.link_share >= 0.5 or _SENTENCE_END.search(text):
        return False
    if _WIDGET.search(text):
        return False
    if TIME_PATTERN.search(text) or CRUMB.search(text) or is_meta_line(line.spaced):
        return False
    return not SUBHEADLINE.match(text)  # ——副题 under the headline is set apart as well


def _upwards(lines: list[Line], body_start: int) -> range:
    """The lines above the body where a headline is looked for, nearest first."""
    return range(min(body_start, len(lines)) - 1, rows_above(lines, body_start, _PROMINENT_ROWS) - 1, -1)


def prominent_line(lines: list[Line], body_start: int) -> int | None:
    """Index of the nearest line above the body that is set apart as a heading: short, no link,
    not a sentence, no time or breadcrumb; None when there is none."""
    for index in _upwards(lines, body_start):
        line = lines[index]
        if _headline_row(line) and set_apart(line) and not deck_marked(line):
            return index
    return None


def opening_line(lines: list[Line], body_start: int) -> int | None:
    """The body's first line when it is set apart as a headline: a page of paragraphs alone
    (a crawl record without its table) opens with its headline centred or in a large font."""
    line = lines[body_start]
    return body_start if _headline_row(line) and set_apart(line) and not deck_marked(line) else None


# How many meta rows (time, source, byline) a mobile page sets between its headline and its text.
_META_ROWS = 2
_PLAIN_BLOCKS = frozenset({"p", "div"})


def line_over_meta(lines: list[Line], body_start: int) -> int | None:
    """Index of the plain line right above the meta rows (the time, the byline) that stand right
    above the body: a mobile page sets its headline in a plain ``<p>`` or ``<div>``, in a block of
    its own, over its time and byline line, nothing setting it apart but its place. The body may
    open with them when one box holds the headline, the meta rows and the text. At least
    ``LONG_PIECE`` characters, longer than a channel's name; None when there is none."""
    index = min(body_start, len(lines)) - 1
    rows = 0
    while index >= 0 and rows < _META_ROWS and _meta_row(lines[index]):
        index -= 1
        rows += 1
    if rows and index >= 0 and _plain_headline(lines, index):
        return index
    if body_start < len(lines) and _plain_headline(lines, body_start):
        after = body_start + 1
        while after < len(lines) and after - body_start <= _META_ROWS and _meta_row(lines[after]):
            after += 1
        if after > body_start + 1 and after < len(lines):
            return body_start
    return None


def _plain_headline(lines: list[Line], index: int) -> bool:
    """A plain block of its own that could hold a headline, the meta rows after it."""
    line = lines[index]
    # A table's plain cell over its meta row is one row among many, not set apart by its place.
    if tag_of(line.owner) not in _PLAIN_BLOCKS or index + 1 >= len(lines) or line.owner is lines[index + 1].owner:
        return False
    return _headline_row(line, LONG_PIECE) and not deck_marked(line)


def _meta_row(line: Line) -> bool:
    """A short line holding the time or a byline field (来源：…, 记者 …)."""
    return line.chars <= 60 and line.link_share < 0.5 and (
        TIME_PATTERN.search(line.text) is not None or is_meta_line(line.spaced)
    )


def listed_line(lines: list[Line], body_start: int) -> int | None:
    """Index of the nearest line above the body that the page's own list of stories links to by
    its whole text: an e-paper lists the stories of its page (版面导航) beside the one shown, whose
    headline may be set in a plain block. Channel names in menus are shorter than a headline."""
    rows = [index for index in _upwards(lines, body_start) if _headline_row(lines[index], LONG_PIECE)]
    if not rows:
        return None
    root = lines[0].owner.getroottree().getroot()
    linked = {key for link in root.iter("a") if len(key := title_key("".join(link.itertext()))) >= LONG_PIECE}
    return next((index for index in rows if title_key(lines[index].text) in linked), None)
