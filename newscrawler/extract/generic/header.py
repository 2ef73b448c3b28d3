"""Header fields split across sibling items: a page's meta row set as several blocks.

Portals set the row under the headline as sibling ``<li>``, ``<p>`` or ``<td>`` items: the time in
one, 来源 in the next, a view counter or print buttons between; a clock apart from its date
(``<li>2024-03-11</li><li>16:20</li>``), an outlet's name alone after the time, or a label in one
item and its value in the next (``<td>来源：</td><td>青山晚报</td>``). Read one item at a time,
the label loses its value and the clock, the counter, the buttons or the outlet turn into body
paragraphs. Each field still stands on its own: items that are meta lines themselves are not
joined to their neighbours.
"""

from __future__ import annotations

import re

from ..times import TIME_PATTERN
from .lines import Line
from .metalines import SENTENCE, is_chrome_line, is_meta_line

# A label alone, its value in the next item: 来源：, 发布时间：.
_BARE_LABEL = re.compile(r"^[^\s:：，。]{1,8}\s*[:：]$")
# A clock set apart from its date.
_CLOCK = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?$")
# Items of a meta row that are no field: separators, counters, buttons. They are passed over.
_ROW_FILLER = re.compile(
    r"^(?:[|丨｜/·•\-]+|(?:浏览|瀏覽|阅读|閱讀|点击|點擊|访问|訪問)(?:次数|次數|量|数|數)?\s*[:：]?\s*\d*\s*次?"
    r"|(?:[【\[]?(?:打印|关闭|關閉|收藏|分享|字号|字號|[大中小])[】\]]?\s*)+)$"
)
# An outlet's name standing alone after the time: 青山晚报, 大河网, 新华社.
_OUTLET = re.compile(r"^[^\s\d:：，。]{2,14}(?:报|報|网|網|台|社|刊|客户端|客戶端|在线|在線|新闻|新聞)$")
_MAX_ITEM = 30


def _is_value(line: Line) -> bool:
    return line.chars <= 40 and not _BARE_LABEL.match(line.text) and not SENTENCE.search(line.text)


def _belongs(item: Line, row: list[Line]) -> bool:
    """An item completing the meta row begun by ``row``: a sibling block, short, not prose, and
    no field of its own (a meta line of its own is read on its own)."""
    first = row[0]
    if item.owner is not first.owner and item.owner.getparent() is not first.owner.getparent():
        return False
    if item.chars > _MAX_ITEM or SENTENCE.search(item.text) or is_meta_line(item.spaced):
        return False
    if _CLOCK.match(item.text) or _is_filler(item):
        return True
    # An outlet's name right after a time shown alone: 2024-03-11 16:20 | 青山晚报.
    shown = TIME_PATTERN.sub("", " ".join(line.text for line in row if not _is_filler(line))).strip()
    return not shown and bool(_OUTLET.match(item.text))


def _is_filler(item: Line) -> bool:
    return bool(_ROW_FILLER.match(item.text)) or is_chrome_line(item)


def _joined(items: list[Line], spaced: str) -> Line:
    first = items[0]
    return Line("".join(i.text for i in items), first.owner, sum(i.chars for i in items),
                sum(i.link_chars for i in items), first.index, spaced)


def header_item(lines: list[Line], start: int) -> tuple[Line, int]:
    """The meta row item at ``start`` with the items that complete it, and how many lines it took.

    A bare label takes the value after it; a meta line takes the sibling items of its row.
    """
    first = lines[start]
    if start + 1 < len(lines) and _BARE_LABEL.match(first.text) and _is_value(lines[start + 1]):
        first = _joined([first, lines[start + 1]], f"{first.spaced}{lines[start + 1].spaced}")
        taken = 2
    else:
        taken = 1
    if not is_meta_line(first.spaced):
        return first, taken
    items = [first]
    parts = [first.spaced]
    while start + taken < len(lines) and _belongs(lines[start + taken], items):
        item = lines[start + taken]
        items.append(item)
        if not _is_filler(item):
            parts.append(item.spaced)
        taken += 1
    return (_joined(items, " ".join(parts)) if len(items) > 1 else first), taken
