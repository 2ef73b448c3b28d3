"""The lines set with the headline: the kicker (引题, 肩题) above it and the subtitle (副题) below.

Newspaper sites print a headline as a block: a short kicker line, the headline, and a subtitle
that often opens with a dash (``——新建城北水厂昨日正式通水``). Neither is the headline (the
headline is the main line alone), and neither is taken unless the page marks it as part of the
block, because the line above a headline is as often a channel name or a breadcrumb:

- by its class (``yt``, ``kicker``, ``pre``, ``article-pretitle`` above; ``ft``, ``subtitle``, ``sub``,
  ``fu-title`` below);
- as a heading of lower rank right above or below the headline's heading (``<h3>`` kicker,
  ``<h1>`` headline, ``<h3>`` subtitle);
- a subtitle by its opening dash, or as a centred line right after a centred headline (a print
  block set in paragraphs: ``<p align=center><b>正题</b></p><p align=center>副题</p>``); and then
  the line right above the headline, set apart as the headline is (centred, bold, a large font),
  is the kicker of that print block.

A kicker no class names is taken only when the title data give the heading alone and leave the
line out: a short plain block right before the heading, in the same box, longer than a channel's
name and shorter than the headline (``<div>引题</div><h1>正题</h1>``).

A deck the heading itself sets in small type at its end (``<h1>正题<small>副题</small></h1>``) is
the subtitle when no line below is one.

A subtitle right below the headline is no paragraph of the text either (``subtitle_line``). A
line of page chrome below it, such as a 原标题 note (``原标题：…``), is never the subtitle; a
channel's name the page links to, set over the headline (``<h2>体育</h2>``), is never the kicker.
"""

from __future__ import annotations

import re
from typing import Any

from ..noise import is_noise_line
from ..times import TIME_PATTERN
from .badges import is_label_text
from .body import class_words
from .headline import page_names, small_deck
from .lines import Line, tag_of
from .marks import (
    CRUMB,
    KICKER_CLASS,
    SUBHEADLINE,
    SUBTITLE_CLASS,
    centred,
    heading_of,
    row_elements,
    set_apart,
)
from .metalines import is_meta_line
from .titles import reference_keys, title_key

# Beside the class names ``marks`` knows (KICKER_CLASS, SUBTITLE_CLASS), a bare ``pre`` or ``sub``
# marks the line next to a headline as its kicker or subtitle here; too common a word to keep a
# line from being a headline elsewhere.
_KICKER_CLASSES = frozenset({"pre"})
_SUBTITLE_CLASSES = frozenset({"sub"})
_MAX_KICKER = 40
_MAX_SUBTITLE = 60
_SENTENCE = re.compile(r"[。？！]$")
# The blocks a bare kicker is set in, right before the heading.
_BARE_BLOCKS = frozenset({"p", "div", "span"})
# Shorter lines there are a channel's or a column's name (本地新闻, 时政要闻) as often.
_MIN_BARE_KICKER = 6


def headline_block(
    lines: list[Line], headline: str | None, last: int, references: list[str] | None = None
) -> tuple[str | None, str | None]:
    """The kicker and the subtitle of the headline whose last line is at ``last`` (None when the
    page does not mark one as part of the headline's block). ``references``, the title data, let
    a bare line right above the heading be read as its kicker (``_bare_kicker``)."""
    if headline is None or last < 0 or last >= len(lines):
        return None, None
    first = _first_line(lines, headline, last)
    rank = _rank(lines[first].owner)
    subtitle = None
    below = lines[last + 1] if last + 1 < len(lines) else None
    dashed = below is not None and SUBHEADLINE.match(below.text) is not None
    paired = below is not None and _centred_pair(lines, first, last, below)
    # A 原标题 note under the headline (<h2>原标题：…</h2>) names an earlier title: no subtitle.
    if below is not None and _plain(below, _MAX_SUBTITLE) and not is_noise_line(below.text) and (
        dashed or _marked(below, _SUBTITLE_CLASSES, SUBTITLE_CLASS) or _lower(below.owner, rank) or paired
    ):
        # The dash only marks the line as a subtitle, as a heading's size would.
        subtitle = SUBHEADLINE.sub("", below.text).strip() or None
    kicker = None
    above = lines[first - 1] if first > 0 else None
    # A channel's name the page links to (体育 over the headline, 国际 as a label) is its banner,
    # not a kicker written for this story.
    if above is not None and _plain(above, _MAX_KICKER) and not SUBHEADLINE.match(above.text) and (
        _marked(above, _KICKER_CLASSES, KICKER_CLASS) or _lower(above.owner, rank)
        or (subtitle is not None and dashed and set_apart(above))
        or (subtitle is not None and paired and centred(above) and above.owner.getnext() is lines[first].owner)
    ) and title_key(above.text) not in page_names(lines):
        kicker = above.text
    if kicker is None and above is not None and references:
        kicker = above.text if _bare_kicker(lines, above, first, headline, references) else None
    if subtitle is None:
        # A deck the heading sets in small type at its end (<h1>正题<small>副题</small></h1>), left
        # out of the headline.
        subtitle = small_deck(lines[last], headline)
    return kicker, subtitle


def _bare_kicker(lines: list[Line], above: Line, first: int, headline: str, references: list[str]) -> bool:
    """A kicker no class names: a short plain block right before the heading, in the same box,
    shorter than the headline, which the title data give alone, leaving the line out. A channel's
    name the page links to, a set label or a line the title data hold is none."""
    heading = heading_of(lines[first].owner)
    if heading is None or above.owner.getnext() is not heading or tag_of(above.owner) not in _BARE_BLOCKS:
        return False
    if first >= 2 and lines[first - 2].owner is above.owner:
        return False  # one line of a block of several, not a line of its own
    wanted = title_key(headline)
    key = title_key(above.text)
    if not (_MIN_BARE_KICKER <= len(key) < len(wanted)) or not _plain(above, _MAX_KICKER):
        return False
    if SUBHEADLINE.match(above.text) or is_noise_line(above.text) or is_label_text(above.text):
        return False
    keys = [reference_keys(reference)[0] for reference in references]
    if not any(wanted in pieces for pieces in keys) or any(key in pieces[0] for pieces in keys):
        return False
    return key not in page_names(lines)


def subtitle_line(lines: list[Line], last: int, subtitle: str | None) -> int | None:
    """The index of the line the subtitle was read from, right below the headline's last line."""
    if subtitle is None or last + 1 >= len(lines):
        return None
    return last + 1 if SUBHEADLINE.sub("", lines[last + 1].text).strip() == subtitle else None


def _centred_pair(lines: list[Line], first: int, last: int, below: Line) -> bool:
    """A centred short line right after a centred headline's block, in the next block of the same
    parent (no picture between them: a centred caption stands under its picture), with the text
    going on after it: the subtitle of a print block set in paragraphs."""
    headline_block = lines[last].owner
    return (
        all(centred(lines[i]) for i in range(first, last + 1)) and centred(below)
        and below.owner.getprevious() is headline_block and below.index + 1 < len(lines)
    )


def _first_line(lines: list[Line], headline: str, last: int) -> int:
    """The first of the lines a headline was read from (it may be set over up to three)."""
    wanted = re.sub(r"\s+", "", headline)
    joined = ""
    for first in range(last, max(-1, last - 3), -1):
        joined = re.sub(r"\s+", "", lines[first].text) + joined
        if joined == wanted:
            return first
    return last


def _plain(line: Line, longest: int) -> bool:
    """A short line of its own that is no link, time, byline, breadcrumb or sentence."""
    text = line.text
    return (
        2 <= line.chars <= longest and line.link_share < 0.5 and not _SENTENCE.search(text)
        and not CRUMB.search(text) and not TIME_PATTERN.search(text) and not is_meta_line(line.spaced)
    )


def _marked(line: Line, names: frozenset[str], named: re.Pattern[str]) -> bool:
    """True when the line's block, or the inline element holding the line alone (one of the rows
    a block sets with <br>), has a class naming it (``names`` as words, or ``named``)."""
    for element in (line.owner, *row_elements(line)):
        words = class_words(element)
        if not names.isdisjoint(words.lower().split()) or named.search(words) is not None:
            return True
    return False


def _rank(element: Any) -> str | None:
    heading = heading_of(element)
    return tag_of(heading) if heading is not None else None


def _lower(element: Any, rank: str | None) -> bool:
    """A heading of lower rank than the headline's: an <h3> beside an <h1>."""
    other = _rank(element)
    return rank is not None and other is not None and other > rank
