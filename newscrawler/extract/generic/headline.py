"""The headline: the visible heading that best matches the page's own title data."""

from __future__ import annotations

import re
from itertools import islice
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from ..times import TIME_PATTERN
from .badges import edge_texts, without_edge, without_label
from .body import class_words
from .headingrows import (
    below_kicker,
    heading_start,
    joined_rows,
    print_block_headline,
    rest_of_heading,
    whole_heading,
)
from .lines import HEADINGS, Line, tag_of
from .marks import CRUMB, SUBHEADLINE, deck_marked, heading_of, title_marked
from .rows import line_over_meta, listed_line, opening_line, prominent_line, rows_above, whole_block
from .titles import (
    COLUMN_TAG,
    LONG_PIECE,
    SITE_TITLE,
    fallback_headline,
    headline_piece_of,
    reference_keys,
    title_key,
    title_parts,
    without_column_tag,
)

_ELLIPSIS = re.compile(r"(?:\.{2,}|…+|。{2,})$")


# A heading that repeats a title's site or channel name stays below the 0.5 a headline needs,
# even as an <h1> (a logo).
_NAME_WEIGHT = 0.4
# How far above the body a plain line repeating the title is read as its headline.
_TITLE_ROWS = 12


# The steps of a breadcrumb: 首页 > 本地新闻 > 正文, 当前位置：首页 >> 本地新闻.
_CRUMB_STEP = re.compile(r"[>›»＞/|｜:：]+")


def own_titles(references: list[str], lines: list[Line]) -> list[str]:
    """The title data without the site and channel names the page itself gives in its links and
    breadcrumb: a title such as ``本地新闻 - 东湖新闻网`` names no headline, and its channel piece
    must not make the channel's name, shown in bold above the text, the headline. A title whose
    headline piece another title gives as the site's name (og:title ``东湖新闻网-东湖人自己的网站``
    beside the <title> ``标题_东湖新闻网``) names none either."""
    names: set[str] | None = None
    # The pieces each title gives besides its headline: channel and site names.
    named = {
        key for keys, piece in map(reference_keys, references)
        for index, key in enumerate(keys) if index not in (0, piece)
    }
    kept = []
    for reference in references:
        if _SPACED_NAME.search(reference) and len(title_parts(reference)) == 1:
            names = page_names(lines) if names is None else names
            reference = _without_spaced_name(reference, names)
        parts = title_parts(reference)
        pieces = parts[1:] or parts
        headline_piece = pieces[max(0, headline_piece_of(parts) - 1)]
        if title_key(headline_piece) in named:
            continue
        if len(title_key(headline_piece)) >= LONG_PIECE:
            kept.append(reference)
            continue
        if names is None:
            names = page_names(lines)  # only for titles whose headline piece is short
        if title_key(headline_piece) not in names:
            kept.append(reference)
            continue
        rest = [piece for piece in pieces if title_key(piece) not in names]
        if rest:
            kept.append("_".join(rest))
    return kept


# A site's name set off from the headline by spacing alone: ``市区新增三条公交线路 东湖网``.
_SPACED_NAME = re.compile(r"^\S{2,7}\s+\S|\S\s+\S{2,7}$")


def _without_spaced_name(title: str, names: set[str]) -> str:
    """A title without a name the page gives its site or a channel (the logo, a menu link), set
    off by spacing at its end or its start; headlines have spaces of their own (习近平 会见…), so
    only a word the page itself uses as a name goes."""
    words = title.split()
    count = len(words)
    while len(words) > 1 and title_key(words[-1]) in names:
        words.pop()
    while len(words) > 1 and title_key(words[0]) in names:
        words.pop(0)
    return " ".join(words) if len(words) < count else title


# The site's name as its metadata gives it: og:site_name, the name of a web application.
_SITE_NAME_META = etree.XPath(
    "//meta[@property='og:site_name' or @name='application-name' or @name='apple-mobile-web-app-title']"
    "/@content"
)


def page_names(lines: list[Line]) -> set[str]:
    """Names the page gives its site and channels (as ``title_key``): the short texts of links
    and of the images in them (menus, the logo), and the steps of a breadcrumb."""
    texts: list[str] = []
    if not lines:
        return set()
    for line in lines:
        if line.chars <= 60 and CRUMB.search(line.text):
            texts.extend(_CRUMB_STEP.split(line.text))
    root = lines[0].owner.getroottree().getroot()
    for link in root.iter("a"):
        texts.append("".join(link.itertext()))
        texts.extend(image.attrib.get("alt") or "" for image in link.iter("img"))
    texts.extend(_SITE_NAME_META(root))
    return {key for key in map(title_key, texts) if 2 <= len(key) < LONG_PIECE}


def headline_match(text: str, references: list[str]) -> float:
    """How well a visible heading matches the page's title data (0 to 1)."""
    # Spacing differs between a <title> and the page (2007　年末): compare without it.
    text = title_key(text)
    core = _ELLIPSIS.sub("", text).strip()
    if len(core) < 2:
        return 0.0
    best = 0.0
    for reference in references:
        keys, headline_piece = reference_keys(reference)
        for index, part in enumerate(keys):
            if not part:
                continue
            # The whole title and its headline piece are the headline; other pieces name channels
            # and sites, though a long one that a visible line repeats whole is a headline too.
            weight = 1.0 if index in (0, headline_piece) else _NAME_WEIGHT
            shown = _ELLIPSIS.sub("", part)
            if text == part or core == part:
                match = 1.0
                if weight < 1 and len(part) >= LONG_PIECE and not SITE_TITLE.search(part):
                    weight = 0.85
            elif weight == 1.0 and part[:1] in _TAG_OPENING and core == without_column_tag(part):
                match = 1.0  # 【新春走基层】标题: the heading shows the headline without its column
            elif shown != part and len(shown) >= 6 and core.startswith(shown):
                match = 0.95  # a title cut short with …, the page showing the whole headline
            elif part.startswith(core) and len(core) >= 4:
                match = 0.5 + 0.4 * len(core) / len(part)
            elif core in part and len(core) >= 6:
                match = 0.3 + 0.4 * len(core) / len(part)
            elif part in core and len(part) >= 6:
                match = 0.3 + 0.4 * len(part) / len(core)
            else:
                match = 0.0
            if index == 0 and headline_piece > 1 and match < 1:
                weight = _NAME_WEIGHT  # the start of 站点名 - 标题 is the site's name
            best = max(best, match * weight)
    return best


def choose_headline(candidates: list[tuple[str, str]], references: list[str]) -> tuple[int, float]:
    """Index of the best (tag, text) heading candidate and its match; (-1, 0) when none fits."""
    best, best_score = -1, 0.0
    for index, (tag, text) in enumerate(candidates):
        score = headline_match(text, references)
        if not score:
            continue
        score += {"h1": 0.06, "h2": 0.04, "h3": 0.02}.get(tag, 0.0)
        # On a tie the fuller text wins: the whole two-row headline over its first row.
        if score > best_score or (best >= 0 and score == best_score and len(text) > len(candidates[best][1])):
            best, best_score = index, score
    return best, best_score


def other_headlines(lines: list[Line], references: list[str]) -> tuple[Line | None, list[Line]]:
    """The heading line that matches the title data, and the later headings of the same kind
    that head another story: they match nothing in the title data and have their own time line
    right below (a recommendation feed printing a full second article)."""
    inside = heading_blocks(lines)
    headings = [(line, tag) for line in lines if line.chars <= 120 and (tag := inside.get(line.owner, ""))]
    own = next(((line, tag) for line, tag in headings if headline_match(line.text, references) >= 0.9), None)
    if own is None:
        return None, []
    headline, tag = own
    foreign = [
        line for line, other in headings
        if other == tag and line.index > headline.index + 1 and line.chars >= 8
        and headline_match(line.text, references) < 0.3
        and any(below.chars <= 40 and TIME_PATTERN.search(below.text) for below in lines[line.index + 1:][:4])
    ]
    return headline, foreign


def heading_blocks(lines: list[Line]) -> dict[Any, str]:
    """Every element inside a heading, with that heading's tag: a line belongs to a heading by
    its own block or by a block inside one (``<h1><p>正题</p><p>副题</p></h1>``)."""
    if not lines:
        return {}
    root = lines[0].owner.getroottree().getroot()
    inside: dict[Any, str] = {}
    for heading in root.iter(*HEADINGS):
        for element in heading.iter():
            inside.setdefault(element, tag_of(heading))
    return inside


# Headline: the visible heading matching the title data, else the heading nearest above the
# body, else the <title>'s first piece.
def find_headline(
    lines: list[Line], references: list[str], body: list[Line], url: str | None = None
) -> tuple[str | None, int]:
    """The headline and the index of its line (-1 when it comes from the title data alone)."""
    body_start = body[0].index if body else len(lines)
    body_end = body[-1].index if body else len(lines)
    # The title data whole and its headline piece, compared without spacing.
    exact = {keys[index] for keys, piece in map(reference_keys, references) for index in {0, piece}}
    exact |= {without_column_tag(key) for key in exact if key[:1] in _TAG_OPENING}
    candidates: list[tuple[int, str, str]] = []
    # Plain lines away from the body that repeat the title data: a table layout sets the headline
    # in <font><b>, rows away from the text. They are a second choice, for when no heading
    # matches the title fully (the body may open with a bold deck that matches it only in part).
    title_lines: list[tuple[int, str, str]] = []
    inside = heading_blocks(lines)
    for line in lines:
        if line.chars > 120 or line.chars < 2 or line.index > body_end:
            continue
        if line.text[:1] in _TAG_OPENING and _TAG_LINE.match(line.text):
            continue  # a column tag set alone (【新春走基层】) is no headline, nor a row of one
        element = line.owner
        tag = inside.get(element, "")
        if tag or title_marked(element):
            # A kicker or subtitle the page marks as one is no headline, nor a row of it.
            if not is_logo(element) and not deck_marked(line):
                candidates.append((line.index, tag or tag_of(element), line.text))
        elif line.link_share < 0.5 and abs(line.index - body_start) <= 3:
            # A short line at the body start may be the headline when the title data says so.
            candidates.append((line.index, "", line.text))
        elif (line.link_share < 0.5 and body_start - _TITLE_ROWS <= line.index < body_start
              and title_key(line.text) in exact):
            title_lines.append((line.index, "", line.text))
    found = _best_match(lines, candidates, references, exact)
    if title_lines and (found is None or found[2] < 0.9):
        found = _best_match(lines, sorted(candidates + title_lines), references, exact) or found
    if found is not None:
        found = below_kicker(candidates, references, found)
    if found is not None and found[2] >= 0.5:
        found = rest_of_heading(lines, found)
        chosen = (_without_badge(lines[found[1]], found[0], exact), found[1])
        if not _may_be_banner(chosen):
            return chosen
        return _past_banner(lines, _nearest_heading(lines, candidates, body_start, url), body_start, chosen)
    nearest = _nearest_heading(lines, candidates, body_start, url)
    if nearest is not None:
        chosen = _past_banner(lines, nearest, body_start, nearest) if _may_be_banner(nearest) else nearest
        # Nothing in the title data to read the heading against: a set label (原创, 视频) in an
        # element of its own is left out by its shape.
        return _without_small_deck(lines[chosen[1]], without_label(lines[chosen[1]], chosen[0])), chosen[1]
    from_title = fallback_headline(references)
    if from_title is None or len(title_key(from_title)) < LONG_PIECE or SITE_TITLE.search(title_key(from_title)):
        # The title data name only the site, or nothing: a table layout's headline is the line
        # above the text that it sets apart in bold, a large font or centred.
        prominent = prominent_line(lines, body_start)
        if prominent is not None:
            prominent = print_block_headline(lines, prominent)
        if prominent is None:
            prominent = listed_line(lines, body_start)
        if prominent is None and body_end > body_start:
            prominent = opening_line(lines, body_start)
            if prominent is not None:
                prominent = print_block_headline(lines, prominent)
        if prominent is None:
            # A mobile page's plain line over its time and byline line, nothing else setting it apart.
            prominent = line_over_meta(lines, body_start)
        if prominent is not None:
            return whole_block(lines, prominent), prominent
    return from_title, -1


def _without_small_deck(line: Line, text: str) -> str:
    """A heading's text without the deck it sets in small type at its end
    (``<h1>正题<small>副题</small></h1>``): the headline is the main line."""
    if text != line.text:
        return text
    return without_edge(line, text, _small_deck_element, lambda rest: len(title_key(rest)) >= 6)


def _small_deck_element(child: Any, extra: str) -> bool:
    """True for a heading's last element set in small type and holding a deck, not a short mark
    (``<small>(图)</small>``)."""
    return tag_of(child) == "small" and child.getnext() is None and not (child.tail or "").strip() and len(extra) >= 4


def small_deck(line: Line, headline: str | None) -> str | None:
    """The deck a heading sets in small type at its end (``<h1>正题<small>副题</small></h1>``),
    once the headline was read without it: the subtitle, when the page marks none other."""
    if headline is None or line.text == headline:
        return None
    for child, extra in edge_texts(line)[-1:]:
        if (_small_deck_element(child, extra) and line.text.endswith(extra)
                and line.text[: -len(extra)].strip() == headline):
            return SUBHEADLINE.sub("", extra).strip() or None
    return None


def _without_badge(line: Line, text: str, exact: set[str]) -> str:
    """A heading's text without what it sets in an element of its own at its start or end, when
    what is left is the headline the title data give whole: a label (<span>原创</span>, <i>置顶</i>)
    or the time and source (<h1>标题<span>2024-06-30 来源：某报</span></h1>)."""
    if title_key(text) in exact:
        return text
    # A column tag the heading shows and the title data leave out (【新春走基层】标题, title
    # ``标题_站点``) names the column the story runs in; a tag the title shows too stays.
    tagged = _COLUMN_PREFIX.match(text)
    if tagged and title_key(tagged.group(1)) in exact:
        return tagged.group(1)
    if text != line.text:
        return text
    return without_edge(line, text, lambda _child, _extra: True, lambda rest: title_key(rest) in exact)


# A column tag in brackets at a heading's start: 【新春走基层】, [两会快评], 〔专访〕, 「解讀」.
_COLUMN_PREFIX = re.compile(rf"^\s*(?:{COLUMN_TAG}|「[^「」]{{1,14}}」)\s*(\S.{{3,}})$")


def _may_be_banner(chosen: tuple[str, int]) -> bool:
    """True for a headline short enough to be a channel's name, read from a line of the page."""
    text, index = chosen
    return index >= 0 and len(title_key(text)) < LONG_PIECE


def _past_banner(
    lines: list[Line], nearest: tuple[str, int] | None, body_start: int, chosen: tuple[str, int]
) -> tuple[str, int]:
    """The chosen headline (short: ``_may_be_banner``), unless it is a channel's banner: a
    heading (本地新闻) in a block of its own, with a longer heading (``nearest``, the one nearest
    above the body) or a line set apart as one between it and the text. A <title> that names the
    channel and the site only (本地新闻_东湖网) makes the banner match."""
    index = chosen[1]
    nearer = nearest
    if nearer is None or nearer[1] <= index:
        prominent = prominent_line(lines, body_start)
        nearer = (whole_block(lines, prominent), prominent) if prominent is not None else None
    if (
        nearer is not None and nearer[1] > index and len(title_key(nearer[0])) >= LONG_PIECE
        and not _same_block(lines[index].owner, lines[nearer[1]].owner)
    ):
        return nearer
    return chosen


def _same_block(first: Any, second: Any) -> bool:
    """True when two lines' blocks share a parent or one holds the other (a headline and its deck
    set in one header box)."""
    return (
        first.getparent() is second.getparent()
        or first in second.iterancestors() or second in first.iterancestors()
    )


_LOGO = re.compile(r"logo|brand|site-?name", re.IGNORECASE)
# A link to the site's front page: /, /index.html, http://host/.
_HOME = re.compile(r"^(?:(?:https?:)?//[^/]+)?/?(?:index\.\w+)?$", re.IGNORECASE)
_LOGO_LEVELS = 3


def is_logo(element: Any) -> bool:
    """True for the site's name set as a heading: a block in a logo box (class or id ``logo``,
    ``brand``, ``sitename``) or holding one link, to the front page."""
    ancestor = element
    for _ in range(_LOGO_LEVELS):
        if ancestor is None:
            break
        if _LOGO.search(class_words(ancestor)):
            return True
        ancestor = ancestor.getparent()
    href = _only_link(element)
    return href is not None and _HOME.match(href) is not None


_NEAREST_ROWS = 8
# The shortest heading read as a headline when the title data name none (国足出线).
_SHORTEST = 4
# A block named a title by its class (<div class="article-title">) ranks below every heading,
# unless it holds a site's or channel's name (<div class="title">青川市人民政府</div>).
_TITLED_RANK = "h7"


def _nearest_heading(
    lines: list[Line], candidates: list[tuple[int, str, str]], body_start: int, url: str | None
) -> tuple[str, int] | None:
    """When nothing matches the title data: the nearest heading above the body that is no
    breadcrumb, no link to another page and no ——subheadline; a heading of higher rank right
    above it is the headline it stands under (<h1> over an <h3> deck). Whole when <br> sets it
    over several lines."""
    reach = rows_above(lines, body_start, _NEAREST_ROWS)
    names: set[str] | None = None  # the page's names, read only for a block named a title
    usable: dict[int, str] = {}
    for position, tag, text in candidates:
        line = lines[position]
        if (
            not reach <= position <= body_start or line.chars < _SHORTEST or CRUMB.search(text)
            or SUBHEADLINE.match(text) or deck_marked(line)
            or not (line.link_share < 0.5 or links_here(line.owner, url))
        ):
            continue
        if line.chars < 6:
            # A headline of four or five characters (国足出线) reads like a channel's banner
            # (本地新闻): it is one only when the page names no site or channel so in its links.
            names = page_names(lines) if names is None else names
            key = title_key(text)
            if key in names or SITE_TITLE.search(key) or tag not in HEADINGS:
                continue
        if tag in HEADINGS:
            usable[position] = tag
        elif heading_of(line.owner) is None and title_marked(line.owner):
            names = page_names(lines) if names is None else names
            key = title_key(text)
            if not SITE_TITLE.search(key) and key not in names:
                usable[position] = _TITLED_RANK  # no site's or channel's name
    if not usable:
        return None
    position = max(usable)
    while True:
        above = heading_start(lines, position) - 1
        # "h1" < "h3": a higher rank, in the same block (not a channel's banner in the header).
        if usable.get(above, "h9") >= usable[position] or _block_of(lines, above) is not _block_of(lines, position):
            break
        if lines[above].chars < 6:
            break  # a short heading over a longer one is the channel's banner (<h2>本地新闻</h2>)
        position = above
    return whole_heading(lines, position), position



def links_here(element: Any, url: str | None) -> bool:
    """True when a block's one link leads to the page itself: a headline linking to its story."""
    href = _only_link(element)
    if not url or not href:
        return False
    try:
        target = urlsplit(urljoin(url, href))
    except ValueError:
        return False  # an href that is no URL leads nowhere
    here = urlsplit(url)
    return (target.netloc, target.path, target.query) == (here.netloc, here.path, here.query)


def _block_of(lines: list[Line], position: int) -> Any:
    """The element holding the heading of the line at ``position``."""
    heading = heading_of(lines[position].owner)
    return heading.getparent() if heading is not None else None


def _only_link(element: Any) -> str | None:
    """The address of the one link in a block; None when it has none or several (an anchor
    without an address, <a name="top">, is no link)."""
    links = [href for a in islice(element.iter("a"), 3) if (href := (a.attrib.get("href") or "").strip())]
    return links[0] if len(links) == 1 else None


def _best_match(
    lines: list[Line], candidates: list[tuple[int, str, str]], references: list[str], exact: set[str]
) -> tuple[str, int, float] | None:
    """The candidate (alone or joined with the lines after it) that best matches the title data:
    its text, the index of its last line and its match."""
    options = [(tag, text) for _, tag, text in candidates]
    ends = [position for position, _, _ in candidates]
    # A long headline may be set as two or three lines in a row.
    for start in range(len(candidates)):
        for length in (2, 3):
            end = start + length - 1
            if end < len(candidates) and candidates[end][0] - candidates[start][0] == length - 1:
                tags = {candidates[i][1] for i in range(start, end + 1)}
                if len(tags) == 1:
                    rows = [candidates[i][2] for i in range(start, end + 1)]
                    options.append((tags.pop(), joined_rows(rows, references)))
                    ends.append(candidates[end][0])
    # A title-matching plain line and the short line under it: a headline set in two rows.
    for position, tag, text in candidates:
        following = lines[position + 1] if position + 1 < len(lines) else None
        if (tag == "" and following is not None and following.chars <= 60 and title_key(text) in exact
                and not deck_marked(following)):
            options.append(("", text + following.text))
            ends.append(position + 1)
    chosen, score = choose_headline(options, references)
    return (options[chosen][1], ends[chosen], score) if chosen >= 0 else None


# A column tag set alone on a line (【新春走基层】, [两会快评]): never a headline nor a row of one.
_TAG_LINE = re.compile(rf"^\s*(?:{COLUMN_TAG})\s*$")
# The brackets a column tag opens with: a cheap test before the patterns.
_TAG_OPENING = frozenset("【[〔")


# A column tag set alone above the text: 【新春走基层】.
_COLUMN_TAG = re.compile(r"^【[^【】]{2,12}】$")
_REPEAT_WINDOW = 4


def after_repeated_headline(body: list[Line], headline: str | None) -> list[Line]:
    """The body without the headline block a print layout repeats at its top: the kicker and the
    headline (whole or over several lines), or a column tag alone."""
    if not headline or not body:
        return body
    wanted = title_key(headline)
    for start in range(min(_REPEAT_WINDOW, len(body))):
        if start and (body[start - 1].chars > 40 or "。" in body[start - 1].text):
            break  # only a kicker's short lines stand above the repeated headline
        joined = ""
        for end in range(start, min(start + 3, len(body))):
            joined += title_key(body[end].text)
            if joined == wanted:
                return body[end + 1 :]
            if not wanted.startswith(joined):
                break
    return body[1:] if _COLUMN_TAG.match(body[0].text) else body


