"""A headline set over several rows, and the rows around it that are not the headline.

Pages set a long headline over rows: lines of one heading (``<h1>正题<br>续行</h1>``), plain lines
in a row that the title data join, or a print block of centred paragraphs (``<p align=center>引题
</p><p align=center><b>正题</b></p><p align=center>副题</p>``). This module reads such rows as
one headline: where the heading starts and ends, how its rows are joined (with nothing, or with
a space when the title data join them so), which row of a print block is the headline, and the
heading below a kicker that the title data join to it (``引题 正题``). ``headline`` chooses the
heading; this module only reads the rows around the one chosen.
"""

from __future__ import annotations

from functools import lru_cache

from ..times import TIME_PATTERN
from .lines import HEADINGS, Line
from .marks import SUBHEADLINE, centred, deck_marked, emphasised, heading_of
from .metalines import is_meta_line
from .titles import SPACES, reference_keys, title_key, title_parts


def print_block_headline(lines: list[Line], found: int) -> int:
    """The headline of a print block whose rows are all centred (引题, 正题, 副题 as
    ``<p align=center>``): the row set in bold or a large font, one or two rows away from the
    set-apart line found when that one is only centred (the subtitle above the text, or the
    kicker opening it)."""
    if not centred(lines[found]) or emphasised(lines[found]):
        return found
    parent = lines[found].owner.getparent()
    for step in (-1, 1):
        for index in (found + step, found + 2 * step):
            line = lines[index] if 0 <= index < len(lines) else None
            if line is None or not centred(line) or line.owner.getparent() is not parent or line.chars > 60:
                break  # the rows of one print block stand together, each centred
            if emphasised(line) and line.chars >= 6 and line.link_share < 0.5:
                return index
    return found


def below_kicker(
    candidates: list[tuple[int, str, str]], references: list[str], found: tuple[str, int, float]
) -> tuple[str, int, float]:
    """The heading right below the chosen line, when that is a plain line or a heading of lower
    rank and the title data join the two (``引题 正题``: <h3>引题</h3><h1>正题</h1>, or the kicker
    in a plain block above the heading): the chosen line is its kicker."""
    text, position, score = found
    tags = {index: tag for index, tag, _ in candidates}
    below = next(((tag, line) for index, tag, line in candidates if index == position + 1), None)
    if below is None or below[0] not in HEADINGS:
        return found
    chosen = tags.get(position, "")
    if chosen in HEADINGS and below[0] >= chosen:  # "h1" < "h3": the heading below must rank higher
        return found
    joined = title_key(text) + title_key(below[1])
    for keys, _ in map(reference_keys, references):
        # The whole title or a piece of it (引题 正题_站点), or two of its pieces in a row.
        if joined in keys or any(keys[i] + keys[i + 1] == joined for i in range(1, len(keys) - 1)):
            return below[1], position + 1, score
    return found


def rest_of_heading(lines: list[Line], found: tuple[str, int, float]) -> tuple[str, int, float]:
    """The chosen heading row with the rows after it in the same heading: a title may give only
    the first row of a headline set over two (``<h1>正题<br>续行</h1>``, title ``正题_站点``).
    A ——subheadline, a marked deck, a meta row or a block of its own after it is no row of the
    headline."""
    text, position, score = found
    heading = heading_of(lines[position].owner)
    if heading is None or text != lines[position].text:
        return found
    end = position
    # Rows set with <br> in one block; a block of its own inside the heading is a widget (播报文章).
    while end + 1 < len(lines) and end - position < 2 and lines[end + 1].owner is lines[position].owner:
        row = lines[end + 1]
        if (SUBHEADLINE.match(row.text) or deck_marked(row) or TIME_PATTERN.search(row.text)
                or is_meta_line(row.spaced) or row.link_share >= 0.5 or row.chars < 2):
            break
        end += 1
    if end == position:
        return found
    return "".join(line.text for line in lines[position : end + 1]), end, score


def heading_start(lines: list[Line], position: int) -> int:
    """The first line of the heading whose line is at ``position`` (``<h1>第一行<br>第二行</h1>``),
    not counting a ——subheadline inside it."""
    heading = heading_of(lines[position].owner)
    if heading is None:
        return position  # a block named a title by its class: a line of its own
    start = position
    while start > 0 and heading_of(lines[start - 1].owner) is heading:
        if SUBHEADLINE.match(lines[start - 1].text):
            break
        start -= 1
    return start


def whole_heading(lines: list[Line], position: int) -> str:
    """The text of a heading ending at ``position``, its lines joined as one headline."""
    return "".join(line.text for line in lines[heading_start(lines, position) : position + 1])


def joined_rows(rows: list[str], references: list[str]) -> str:
    """A headline set over several rows (<br>, blocks) as one text: joined with nothing, unless
    the title data join those rows with a space (第一行 第二行), as the page shows them apart."""
    spaced = " ".join(rows)
    return spaced if any(spaced in _spaced_pieces(reference) for reference in references) else "".join(rows)


@lru_cache(maxsize=64)
def _spaced_pieces(reference: str) -> frozenset[str]:
    """A title's pieces with their spacing as one space (read once per page)."""
    return frozenset(SPACES.sub(" ", part).strip() for part in title_parts(reference))
