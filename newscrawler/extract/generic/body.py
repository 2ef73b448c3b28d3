"""The body container: the block of the page whose lines read most like article prose."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

from lxml import etree

from ..noise import is_noise_line
from ..normalize import han_count
from .lines import HEADINGS, Line, tag_of

# Punctuation of running prose; its density tells text from menus and lists.
_PROSE_PUNCT = re.compile(r"[，。；：！？、“”,;]")
# Class and id words of page chrome and of article containers (Readability's convention).
_NEGATIVE = re.compile(
    r"comment(?!ary)|footer|foot\b|\bside|related|recommend|share|\bnav|menu|\bhot|\brank|banner"
    r"|copyright|breadcrumb|crumb|login|widget|popup|modal|\bad\b|ads\b|advert|guess|tuijian"
    r"|xiangguan|toolbar|qrcode|erweima|pinglun|fenxiang|reply",
    re.IGNORECASE,
)
_POSITIVE = re.compile(r"article|content|body|text|main|detail|post|entry|story|zhengwen|\bcon\b", re.IGNORECASE)
# Chrome words that end the body when they mark a box inside it.
_CHROME_BOX = re.compile(
    r"comment(?!ary)|share|related|recommend|copyright|qrcode|erweima|toolbar|fenxiang|xiangguan|tuijian|pinglun",
    re.IGNORECASE,
)
_MIN_SCORED_CHARS = 10
# A line this much link text, with no prose punctuation or no more than a date or a source's name
# beside its links, is an item of a list of links.
_LISTED_LINK_SHARE = 0.4
_LISTED_TEXT_CHARS = 20
# A line shorter than this, without prose punctuation and with fewer Han characters than
# ``_WORDS_HAN``, is figures, not words (a date, a time, a counter).
_SENTENCE_CHARS = 20
_WORDS_HAN = 4


def line_score(line: Line) -> float:
    """How much a line looks like article prose: length and punctuation, less its link text."""
    text_chars = line.chars - line.link_chars
    if text_chars < _MIN_SCORED_CHARS or is_noise_line(line.text):
        # Boilerplate is often long and full of commas (licence footers, comment-board rules):
        # it must not outweigh a one-paragraph article.
        return 0.0
    if line.link_share >= _LISTED_LINK_SHARE and (
            text_chars < _LISTED_TEXT_CHARS or not _PROSE_PUNCT.search(line.text)):
        # A linked title beside its date, its source or its count of views: an item of a list of
        # other stories (its title's commas are no prose of this page), and a list of a hundred
        # must not outweigh a short article, whatever its dates add up to.
        return 0.0
    if (text_chars < _SENTENCE_CHARS and not _PROSE_PUNCT.search(line.text)
            and han_count(line.text) < _WORDS_HAN):
        # A short line of figures that is no sentence: a list item's date (2024-05-18 09:30), a
        # counter. A dozen story cards, each with its date, must not outweigh a short article;
        # a gallery's short captions (市民在滨河路摊点选购小吃) still count.
        return 0.0
    return (1 + len(_PROSE_PUNCT.findall(line.text)) + min(text_chars / 40, 3)) * (1 - line.link_share)


def class_words(element: Any) -> str:
    return f"{element.attrib.get('class', '')} {element.attrib.get('id', '')}"


def class_weight(element: Any) -> float:
    words = class_words(element)
    weight = 0.5 if tag_of(element) in ("aside", "footer", "header") else 1.0
    if not words.strip():
        return weight
    if _NEGATIVE.search(words):
        weight *= 0.5
    if _POSITIVE.search(words):
        weight *= 1.25
    return weight


def best_container(lines: list[Line], excluded: Collection[Any] = ()) -> Any | None:
    """The element holding the article text: the best-scoring block after link and class weights.

    ``excluded`` are elements that may not be chosen (the blocks of another article on the page).
    """
    scores: dict[Any, float] = {}
    totals: dict[Any, list[int]] = {}
    # Boxes of comments or of other stories: named so by their class, or opened by their heading.
    boxes: list[Any] = comment_boxes(lines[0].owner) if lines else []
    teasers: dict[Any, int] = {}  # teasers seen in each list (the block holding their items)
    for position, line in enumerate(lines):
        # Every ancestor counts the line's characters, for its link density.
        element = line.owner
        while element is not None:
            total = totals.setdefault(element, [0, 0])
            total[0] += line.chars
            total[1] += line.link_chars
            element = element.getparent()
        if is_stop_line(line.text):
            box = _box_headed_by(line)
            # Only a box the heading opens: one set in the middle of the text (相关新闻： between
            # two paragraphs) leaves the text around it as it is.
            if box is not None and (position == 0 or not within(lines[position - 1].owner, box)):
                boxes.append(box)
            continue
        score = line_score(line)
        if not score or (boxes and any(within(line.owner, box) for box in boxes)):
            continue
        owner = line.owner
        parent = owner.getparent()
        if is_teaser(lines, position):
            # Each more teaser of the same list counts for less: a dozen cards of other stories
            # must not outweigh a one-paragraph article either.
            listing = parent.getparent() if parent is not None else None
            seen = teasers[listing] = teasers.get(listing, 0) + 1
            score *= _TEASER_WEIGHT / seen
        scores[owner] = scores.get(owner, 0.0) + score
        if parent is not None:
            scores[parent] = scores.get(parent, 0.0) + score
            grandparent = parent.getparent()
            if grandparent is not None:
                scores[grandparent] = scores.get(grandparent, 0.0) + score / 2
    best, best_score = None, 0.0
    for element, score in scores.items():
        if tag_of(element) in ("html", "body", "p") or tag_of(element) in HEADINGS or element in excluded:
            continue
        chars, link_chars = totals.get(element, (0, 0))
        density = link_chars / chars if chars else 0.0
        final = score * (1 - density) * class_weight(element)
        # Deeper wins ties: a wrapper adds only chrome to the same text.
        if final > best_score * 1.0001 or (best is not None and final >= best_score and is_ancestor(best, element)):
            best, best_score = element, final
    return best


# Class and id words of a box of readers' comments (评论, 留言, 跟帖), as whole words or word
# parts: comment-list, commentBox, pinglun_area, replyList. Not ``commentary`` (an opinion
# column's article), nor a comment counter inside the story's own block (the box may hold no
# ``<h1>``).
_COMMENT_BOX = re.compile(r"comments?(?!ary)|pinglun|gentie|liuyan|\breply|replies", re.IGNORECASE)
_CLASSED = etree.XPath("//*[@class or @id]")


def comment_boxes(element: Any) -> list[Any]:
    """The boxes of readers' comments on the page of ``element``, by their class or id: the
    outermost of each nest, none holding a page heading (``<h1>``)."""
    boxes: list[Any] = []
    for candidate in _CLASSED(element.getroottree()):
        if (_COMMENT_BOX.search(class_words(candidate))
                and not any(within(candidate, box) for box in boxes)
                and next(candidate.iter("h1"), None) is None
                and tag_of(candidate) not in ("body", "html")):
            boxes.append(candidate)
    return boxes


def _box_headed_by(heading: Line) -> Any | None:
    """The box a related-stories or comment heading heads (网友评论, 相关新闻): the smallest block
    around the heading holding more than it. What follows the heading there is comments or other
    stories, whose prose must not outweigh a short article's. None when that block is the page's
    (the heading set loose in ``<body>``) or holds a page heading (``<h1>``): a block holding the
    article's own headline is the article's, whatever box it sets before its text."""
    box, heading_text = heading.owner, "".join(heading.text.split())
    while "".join("".join(box.itertext()).split()) == heading_text:
        box = box.getparent()
        if box is None:
            return None
    if tag_of(box) in ("body", "html") or next(box.iter("h1"), None) is not None:
        return None
    return box


# A teaser's summary counts for this much of a paragraph: "more stories" lists set each story as a
# linked title and a summary of prose, and six of them must not outweigh a one-paragraph article.
_TEASER_WEIGHT = 0.25


def is_teaser(lines: list[Line], position: int) -> bool:
    """A story teaser's summary: the line after a linked title, the two alone in their item block
    but for the item's meta rows after them, a time or a source that is no sentence
    (<li><h4><a>标题</a></h4><p>摘要…</p><span>2024-06-30 09:00</span></li>); or a summary
    closed in its item by a link reading more (<li><p>摘要…</p><a>详细>></a></li>)."""
    if _read_more_follows(lines, position):
        return True
    if position == 0:
        return False
    line, title = lines[position], lines[position - 1]
    if title.link_share < 0.8 or title.chars < 6:
        return False
    item = line.owner.getparent()
    if item is None or not _in_item(title, item):
        return False
    for following in lines[position + 1 :]:
        if not _in_item(following, item):
            return True
        if following.chars > _TEASER_META_CHARS or _PROSE_PUNCT.search(following.text):
            return False  # more prose in the item: an article's block, not a teaser
    return True


# A link to the rest of a story, closing its summary in a list: 详细>>, [全文], 阅读全文, 查看详情.
_READ_MORE = re.compile(
    r"^[\[【(（]?\s*(?:详细|詳細|详情|詳情|全文|阅读全文|閱讀全文|查看详情|查看詳情|查看全文|更多|阅读更多|閱讀更多)"
    r"\s*[\]】)）]?\s*[>»›》]*$"
)


def _read_more_follows(lines: list[Line], position: int) -> bool:
    """Whether the line after ``position`` is a link reading more of the story, alone with the
    summary in an item that a sibling item of the same kind repeats (a list of such summaries,
    not the story's own last paragraph above a link to more)."""
    if position + 1 >= len(lines):
        return False
    following = lines[position + 1]
    if following.link_share < 0.8 or not _READ_MORE.match(following.text):
        return False
    owner = lines[position].owner
    item = owner if following.owner is owner else owner.getparent()
    if item is None or not _in_item(following, item):
        return False
    link = following.text.strip()
    return any(sibling is not None and sibling.tag == item.tag
               and "".join(sibling.itertext()).strip().endswith(link)
               for sibling in (item.getprevious(), item.getnext()))


# The longest meta row (a time, a source, a counter) an item may set after a teaser's summary.
_TEASER_META_CHARS = 30


def _in_item(line: Line, item: Any) -> bool:
    return line.owner is item or line.owner.getparent() is item


def other_article_blocks(headline: Line, foreign: list[Line]) -> set[Any]:
    """The blocks of another article: everything inside the widest block that holds another
    story's headline but not the page's own (a recommendation feed printing a second full story,
    with its own heading, time and text, below the article)."""
    own = set()
    element = headline.owner
    while element is not None:
        own.add(element)
        element = element.getparent()
    blocks: set[Any] = set()
    for line in foreign:
        element = line.owner
        while element.getparent() is not None and element.getparent() not in own:
            element = element.getparent()
        if element not in own:
            blocks.update(element.iter())
    return blocks


def is_ancestor(ancestor: Any, element: Any) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.getparent()
    return False


def within(element: Any, container: Any) -> bool:
    return element is container or is_ancestor(container, element)


# Class and id words of a summary box (摘要, 导语) that a CMS sets at the top of the text block:
# it restates the story, so it is not a paragraph. Whole words only: ``desc`` names captions too.
_SUMMARY_BOX = re.compile(
    r"(?<![a-z])(?:summary|introduction|intro|abstract|digest|zhaiyao|daoyu)(?![a-z])", re.IGNORECASE
)


def _up_to(element: Any, container: Any, test: Callable[[Any], object]) -> bool:
    """True when ``test`` holds for the element or one of its ancestors below the container."""
    while element is not None and element is not container:
        if test(element):
            return True
        element = element.getparent()
    return False


def in_summary_box(element: Any, container: Any) -> bool:
    """True when an element sits in a box inside the container named a summary by its class or id."""
    return _up_to(element, container, lambda node: _SUMMARY_BOX.search(class_words(node)))


# A video player's box: its title and controls are chrome, not text (the player's autoplay switch
# is cut from the first paragraph by ``strip_autoplay``).
_PLAYER_BOX = re.compile(r"player", re.IGNORECASE)


def in_player_box(element: Any, container: Any) -> bool:
    """True when an element sits in a video player's box inside the container."""
    return _up_to(element, container, lambda node: _PLAYER_BOX.search(class_words(node)))


# The shortest lead box told by its repeat: a short line (a sub-heading, 图：…) may recur.
_RESTATED_CHARS = 20


def restated_below(body: list[Line], position: int) -> bool:
    """True when a line of prose above the text's first paragraph is repeated word for word by a
    later line of the text set in another block: a lead box (<div class="tips">) restating one of
    its paragraphs. A paragraph printed twice among its siblings is the text's, however odd."""
    line = body[position]
    if line.chars < _RESTATED_CHARS:
        return False
    text, box = line.text, line.owner.getparent()
    return any(other.text == text and other.owner.getparent() is not box for other in body[position + 1 :])


# The label of a key-points box opening the text (划重点：, 要点：, 核心提示：) set alone on its line,
# its points in a list below it: like a summary box, it restates the story.
_KEY_POINTS_LABEL = re.compile(
    r"(?:划重点|劃重點|本文要点|本文要點|要点|要點|核心提示|内容提要|內容提要|摘要|导语|導語|导读|導讀)\s*[:：]?"
)


def is_key_points_label(text: str) -> bool:
    return _KEY_POINTS_LABEL.fullmatch(text.strip("【】[] ")) is not None


def in_list_item(element: Any, container: Any) -> bool:
    """True when an element is, or sits in, a list item inside the container."""
    return _up_to(element, container, lambda node: tag_of(node) == "li")


def in_chrome_box(element: Any, container: Any) -> bool:
    """True when an element sits in a share/comment/related box inside the container."""
    return _up_to(element, container, lambda node: _CHROME_BOX.search(class_words(node)))


_STOP = re.compile(
    r"^[【\[]?\s*(?:[相][关關](?:[阅閱][读讀]|推[荐薦]|新[闻聞]|文章|[链鏈]接|[报報][道导導]|[资資][讯訊]|[专專][题題])"
    r"|延伸\s*[·•・]?\s*(?:[阅閱][读讀]|推[荐薦])|推[荐薦][阅閱][读讀]|[热熱][门門]推[荐薦]|[热熱][点點]推[荐薦]|猜你喜[欢歡]"
    r"|更多(?:精彩|[阅閱][读讀]|推[荐薦]|新[闻聞])|往期(?:回[顾顧]|推[荐薦]|精[选選])|[热熱][门門]文章|[热熱][门門]新[闻聞]"
    r"|精彩推[荐薦]|[为為]你推[荐薦]|[网網]友[评評][论論]|[发發]表[评評][论論]|[评評][论論]列表"
    r"|我要跟帖|我要[评評][论論]|[写寫][评評][论論]|[评評][论論][区區]|你可能(?:[会會])?喜[欢歡]|大家都在看"
    r"|(?:[相][关關]|精彩|推[荐薦]|更多)[视視][频頻]|[视視][频頻]推[荐薦]"
    # More stories from the site, its name between: 更多中台灣日報報導, 更多本地新闻>>.
    r"|更多[^\s，。,]{0,10}(?:[报報][导導]|新[闻聞]|文章|[资資][讯訊])\s*[>》»]*$)"
)


def is_stop_line(text: str) -> bool:
    """True for the heading of a related-stories or comment box: the body ends there."""
    return len(text) <= 30 and bool(_STOP.search(text))



# The standfirst of an article, by its name in newsrooms and CMSs (French ``chapo``, British
# ``standfirst``, American ``dek``/``lede``): the opening of the story set above the body block.
# Summary and 导语 boxes are not it: they restate the story.
_STANDFIRST = re.compile(r"chapo|standfirst|\blede\b|\bdek\b", re.IGNORECASE)


def standfirst(between: list[Line], paragraphs: list[str]) -> list[str]:
    """The standfirst set between the headline and the body, when the body does not repeat it."""
    for line in between:
        if (line.chars >= 20 and line.link_share < 0.3 and _PROSE_PUNCT.search(line.text)
                and _STANDFIRST.search(class_words(line.owner))
                and not any(line.text in paragraph for paragraph in paragraphs[:2])):
            return [line.text]
    return []


# A block of the text set apart from the rest by an advert or a picture: the blocks between the
# two halves hold no line longer than this (an advert's label, an empty cell), or page chrome.
_GAP_CHARS = 10
# How many prose lines a sibling block needs to be read as the rest of the text.
_PART_LINES = 2
_PART_LINK_SHARE = 0.25
_PART_CHARS = 30
_PART_SHARE = 0.6
_SENTENCE_PUNCT = re.compile(r"[。！？；]")


def body_blocks(lines: list[Line], container: Any, excluded: Collection[Any] = ()) -> list[Any]:
    """The container and the blocks beside it that hold the rest of the same text, in page order.

    A page may split its text over sibling blocks with an advert or a picture between them
    (<div id=artibody>…</div><div class=adv>…</div><div class=artibody-more><div>…</div></div>):
    the best block is one half. A sibling is the other half when it holds prose paragraphs (two
    at least, few links, no chrome or summary class, no page heading) and nothing but non-text
    blocks stand between them; a related-stories list or a single line of prose stops the search.
    """
    # Wrappers holding nothing but the container: the split is between their siblings. The
    # anchor is the highest of them below the lowest ancestor that holds prose of its own.
    chain = [container, *container.iterancestors()]
    depth = {id(element): level for level, element in enumerate(chain)}
    # Each line's meeting point with the container's ancestors: 0 inside the container, the
    # level of the lowest ancestor holding it otherwise (None outside the document's root).
    meets: list[int | None] = []
    lowest = len(chain) - 1
    for line in lines:
        element = line.owner
        while element is not None and id(element) not in depth:
            element = element.getparent()
        level = None if element is None else depth[id(element)]
        meets.append(level)
        if level and level < lowest and line.chars >= _MIN_SCORED_CHARS and line_score(line):
            lowest = level
    anchor = container
    for element in chain[1:lowest]:
        if tag_of(element) in ("body", "html"):
            break
        anchor = element
    parent = anchor.getparent()
    if parent is None:
        return [container]
    top = depth[id(parent)]
    groups: dict[Any, list[Line]] = {}
    for line, level in zip(lines, meets, strict=True):
        if level is not None and level <= top:
            child = _child_of(line.owner, parent)
            if child is not None:
                groups.setdefault(child, []).append(line)
    siblings = [child for child in parent if tag_of(child) and tag_of(child) not in _UNSHOWN]
    position = siblings.index(anchor)
    shapes = {
        paragraph_shape(line) for line, level in zip(lines, meets, strict=True) if level == 0 and _is_paragraph(line)
    }
    before = _parts(reversed(siblings[:position]), groups, excluded, shapes)
    after = _parts(siblings[position + 1 :], groups, excluded, shapes)
    return list(reversed(before)) + [container] + after


# Elements that show nothing: neither a gap between two parts of the text nor a part.
_UNSHOWN = frozenset({"script", "style", "noscript", "template", "link", "meta"})


def paragraph_shape(line: Line) -> tuple[str, str]:
    """How a paragraph is marked up: its block's tag and class (the halves of one text share it)."""
    return tag_of(line.owner), line.owner.get("class", "")


def inline_box(body: list[Line], position: int, container: Any, shapes: set[tuple[str, str]]) -> set[int]:
    """The indices of the lines of a related-stories box set between two paragraphs of the text,
    its heading at ``position``; empty when the box closes the text.

    The box is the smallest block inside the container holding the heading and the line after
    it; the text goes on past it when the first line after the box is a paragraph of prose
    marked up as the paragraphs before it are (``shapes``). A comment board's heading set in
    the text block itself, its comments after it, is no box of its own: the text ends there.
    """
    if position + 1 >= len(body):
        return set()
    following = body[position + 1]
    box = body[position].owner
    while box is not container and not within(following.owner, box):
        box = box.getparent()
        if box is None:
            return set()
    if box is container:
        return set()
    inside = {line.index for line in body[position:] if within(line.owner, box)}
    after = next((line for line in body[position:] if line.index not in inside), None)
    if (after is None or not _is_paragraph(after) or after.link_share > _PART_LINK_SHARE
            or paragraph_shape(after) not in shapes):
        return set()
    return inside


def _is_paragraph(line: Line) -> bool:
    return line.chars >= _PART_CHARS and bool(_SENTENCE_PUNCT.search(line.text))


def _child_of(element: Any, parent: Any) -> Any | None:
    """The child of ``parent`` that holds ``element``, or None when it is outside ``parent``."""
    while element is not None:
        up = element.getparent()
        if up is parent:
            return element
        element = up
    return None


def _parts(
    siblings: Any, groups: dict[Any, list[Line]], excluded: Collection[Any], shapes: set[tuple[str, str]]
) -> list[Any]:
    """The siblings, nearest first, that are parts of the text, up to the first that is neither
    a part nor a gap (a block without text). A part stands past a gap: blocks of prose right
    beside the text (a summary box, an author's note) are the page's, not the text's."""
    found: list[Any] = []
    gap = False
    for sibling in siblings:
        own = groups.get(sibling, [])
        if all(line.chars < _GAP_CHARS or is_noise_line(line.text) for line in own):
            gap = True  # an advert, a picture, an empty block: the text may go on after it
            continue
        if not gap or not _is_part(sibling, own, excluded, shapes):
            break
        found.append(sibling)
        gap = False
    return found


def _is_part(block: Any, own: list[Line], excluded: Collection[Any], shapes: set[tuple[str, str]]) -> bool:
    if block in excluded or tag_of(block) in ("aside", "footer", "header", "nav", "form"):
        return False
    if any(_NEGATIVE.search(class_words(node)) or _SUMMARY_BOX.search(class_words(node))
           or _STANDFIRST.search(class_words(node)) for node in {block, *_inner_blocks(block, own)}):
        return False
    if block.find(".//h1") is not None or tag_of(block) == "h1":
        return False  # the page's headline block, not a part of its text
    if any(is_stop_line(line.text) for line in own):
        return False  # a related-stories or comment box
    if any(is_teaser(own, position) for position in range(len(own))):
        return False  # a list of other stories, each a linked title over its summary
    chars = sum(line.chars for line in own) or 1
    if sum(line.link_chars for line in own) / chars > _PART_LINK_SHARE:
        return False
    # Paragraphs of prose, most of the block's text: not a toolbar or a feedback form whose
    # options are short phrases.
    prose = [line for line in own if _is_paragraph(line)]
    if len(prose) < _PART_LINES or sum(line.chars for line in prose) < _PART_SHARE * chars:
        return False
    # Paragraphs marked up as the text's own are: the same template wrote both halves.
    return sum(1 for line in prose if paragraph_shape(line) in shapes) * 2 > len(prose)


def _inner_blocks(block: Any, own: list[Line]) -> set[Any]:
    """The blocks between a sibling and its lines' own blocks (its inner wrappers)."""
    found: set[Any] = set()
    for line in own:
        element = line.owner
        while element is not None and element is not block and element not in found:
            found.add(element)
            element = element.getparent()
    return found
