"""Generic extraction: the raw fields of an article page from a site that has no portal profile.

``GenericLayout`` is a ``Layout`` whose ``read()`` finds the fields without selectors, using only
conventions shared by Chinese news pages, so normalisation, the byline grammar and validation are
the same as for every profiled portal. ``newscrawler.portals.generic.GenericPortal`` uses it for
any URL no profile owns. In order:

1. **Lines.** The page is cut into rendered lines: a block element (``p``, ``div``, ``td`` …)
   starts a line, ``<br>`` ends one; inline text and links stay inside their block's line. Hidden
   elements, scripts, forms controls, ``nav`` and ``aside`` are skipped.
2. **Body.** Each line with text scores by its length and its punctuation (Chinese prose is dense
   in ，。；); the score goes to the line's block, its parent and (halved) its grandparent, in the
   manner of Readability and GeneralNewsExtractor's text/punctuation density. A candidate's score
   is lowered by its share of link text and by class/id words of page chrome (``comment``,
   ``share``, ``related`` …). The best candidate's lines are the body, cleaned of the usual
   non-text lines (原标题, share and QR prompts, 相关阅读 blocks, copyright and disclaimers).
3. **Headline.** The visible heading that best matches the page's own title data (JSON-LD
   ``headline``, ``og:title``, ``<title>`` without its ``_站点名`` suffix); h1 preferred.
4. **Bylines and credits.** Short lines between the headline and the body holding a time or a
   byline label; credit-shaped lines just after the body; credit lines inside the body, the
   dateline credit opening the first paragraph (``新华社北京3月1日电（记者…）``) and a credit
   closing the last one (``（文/图 …）``). The byline grammar reads them all later.
5. **Time.** Structured metadata (JSON-LD ``datePublished``, ``article:published_time``,
   ``publishdate`` …) cross-checked against the time shown near the headline: the visible time
   wins when they disagree, the structured one fills in what the page leaves out (the year of
   ``09-30 22:46``, the time of a bare date) and replaces a relative one (``昨天``). Last come
   times held by page scripts (``var ct = "1581517074"``), only when they all agree. A metadata
   time set to a CMS's end-of-day placeholder (``23:59:59``) counts only when the page shows
   its date.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from ..portals.base import Layout
from .byline import (
    AUTHOR_OUTLET,
    EDITOR_ROLES,
    NOT_STORY_SOURCES,
    REPORTER_ROLES,
    SOURCE_LABELS,
    _alternation,
    parse_byline,
)
from .credits import _CREDIT_ROLE, has_credit_role, is_credit_line, lead_credit, trailing_credit
from .fields import RawFields, RawImage
from .noise import is_noise_line
from .normalize import HAN, collapse_whitespace, has_han
from .page import Page
from .times import TIME_PATTERN, is_relative, parse_time, portal_zone

# --- lines -----------------------------------------------------------------------------------

_SKIP = frozenset({
    "script", "style", "noscript", "template", "textarea", "select", "option", "input",
    "iframe", "svg", "canvas", "object", "embed", "head", "title", "nav", "map", "video",
    "audio", "link", "meta",
})
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "html", "li", "main", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "caption",
})
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HIDDEN_CLASS = frozenset({"hidden", "hide", "d-none", "sr-only", "visually-hidden"})
_NON_SPACE = re.compile(r"\S")
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


@dataclass
class _Buffer:
    parts: list[str] = field(default_factory=list)
    link_chars: int = 0

    def add(self, text: str, in_link: bool) -> None:
        self.parts.append(text)
        if in_link:
            self.link_chars += len(_NON_SPACE.findall(text))


def _tag(element: Any) -> str:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else ""


def is_hidden(element: Any) -> bool:
    """Hidden by its own markup: ``style="display:none"``, ``hidden``, a hiding class."""
    attrib = element.attrib
    if "hidden" in attrib or (attrib.get("aria-hidden") == "true" and _tag(element) in _BLOCK):
        return True
    style = attrib.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    classes = attrib.get("class")
    return bool(classes) and not _HIDDEN_CLASS.isdisjoint(classes.split())


def page_lines(root: Any) -> tuple[list[Line], list[tuple[Any, int]]]:
    """The rendered lines of a document in order, and its images with the line count before each."""
    lines: list[Line] = []
    images: list[tuple[Any, int]] = []

    def flush(buffer: _Buffer, owner: Any) -> None:
        if buffer.parts:
            joined = "".join(buffer.parts)
            text = collapse_whitespace(joined.replace(_EDGE, ""))
            if text:
                chars = len(text.replace(" ", ""))
                spaced = collapse_whitespace(joined.replace(_EDGE, " "))
                lines.append(Line(text, owner, chars, min(buffer.link_chars, chars), len(lines), spaced))
        buffer.parts = []
        buffer.link_chars = 0

    def walk(element: Any, owner: Any, buffer: _Buffer, in_link: bool) -> None:
        tag = _tag(element)
        if not tag or tag in _SKIP or is_hidden(element):
            return
        if tag == "br":
            flush(buffer, owner)
            return
        if tag == "img":
            images.append((element, len(lines)))
            return
        if tag in _BLOCK:
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


# --- the body --------------------------------------------------------------------------------

# Punctuation of running prose; its density tells text from menus and lists.
_PROSE_PUNCT = re.compile(r"[，。；：！？、“”,;]")
# Class and id words of page chrome and of article containers (Readability's convention).
_NEGATIVE = re.compile(
    r"comment|footer|foot\b|\bside|related|recommend|share|\bnav|menu|\bhot|\brank|banner"
    r"|copyright|breadcrumb|crumb|login|widget|popup|modal|\bad\b|ads\b|advert|guess|tuijian"
    r"|xiangguan|toolbar|qrcode|erweima|pinglun|fenxiang|reply",
    re.IGNORECASE,
)
_POSITIVE = re.compile(r"article|content|body|text|main|detail|post|entry|story|zhengwen|\bcon\b", re.IGNORECASE)
# Chrome words that end the body when they mark a box inside it.
_CHROME_BOX = re.compile(
    r"comment|share|related|recommend|copyright|qrcode|erweima|toolbar|fenxiang|xiangguan|tuijian|pinglun",
    re.IGNORECASE,
)
_MIN_SCORED_CHARS = 10


def line_score(line: Line) -> float:
    """How much a line looks like article prose: length and punctuation, less its link text."""
    text_chars = line.chars - line.link_chars
    if text_chars < _MIN_SCORED_CHARS:
        return 0.0
    return (1 + len(_PROSE_PUNCT.findall(line.text)) + min(text_chars / 40, 3)) * (1 - line.link_share)


def _class_words(element: Any) -> str:
    return f"{element.attrib.get('class', '')} {element.attrib.get('id', '')}"


def class_weight(element: Any) -> float:
    words = _class_words(element)
    weight = 0.5 if _tag(element) in ("aside", "footer", "header") else 1.0
    if not words.strip():
        return weight
    if _NEGATIVE.search(words):
        weight *= 0.5
    if _POSITIVE.search(words):
        weight *= 1.25
    return weight


def best_container(lines: list[Line]) -> Any | None:
    """The element holding the article text: the best-scoring block after link and class weights."""
    scores: dict[Any, float] = {}
    totals: dict[Any, list[int]] = {}
    for line in lines:
        # Every ancestor counts the line's characters, for its link density.
        element = line.owner
        while element is not None:
            total = totals.setdefault(element, [0, 0])
            total[0] += line.chars
            total[1] += line.link_chars
            element = element.getparent()
        score = line_score(line)
        if not score:
            continue
        owner = line.owner
        parent = owner.getparent()
        scores[owner] = scores.get(owner, 0.0) + score
        if parent is not None:
            scores[parent] = scores.get(parent, 0.0) + score
            grandparent = parent.getparent()
            if grandparent is not None:
                scores[grandparent] = scores.get(grandparent, 0.0) + score / 2
    best, best_score = None, 0.0
    for element, score in scores.items():
        if _tag(element) in ("html", "body", "p") or _tag(element) in _HEADINGS:
            continue
        chars, link_chars = totals.get(element, (0, 0))
        density = link_chars / chars if chars else 0.0
        final = score * (1 - density) * class_weight(element)
        # Deeper wins ties: a wrapper adds only chrome to the same text.
        if final > best_score * 1.0001 or (best is not None and final >= best_score and _is_ancestor(best, element)):
            best, best_score = element, final
    return best


def _is_ancestor(ancestor: Any, element: Any) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.getparent()
    return False


def _within(element: Any, container: Any) -> bool:
    return element is container or _is_ancestor(container, element)


def _in_chrome_box(element: Any, container: Any) -> bool:
    """True when an element sits in a share/comment/related box inside the container."""
    while element is not None and element is not container:
        if _CHROME_BOX.search(_class_words(element)):
            return True
        element = element.getparent()
    return False


_STOP = re.compile(
    r"^[【\[]?\s*(?:[相][关關](?:[阅閱][读讀]|推[荐薦]|新[闻聞]|文章|[链鏈]接|[报報][道导導]|[资資][讯訊]|[专專][题題])"
    r"|延伸[阅閱][读讀]|推[荐薦][阅閱][读讀]|[热熱][门門]推[荐薦]|[热熱][点點]推[荐薦]|猜你喜[欢歡]"
    r"|更多(?:精彩|[阅閱][读讀]|推[荐薦]|新[闻聞])|往期(?:回[顾顧]|推[荐薦]|精[选選])|[热熱][门門]文章|[热熱][门門]新[闻聞]"
    r"|精彩推[荐薦]|[为為]你推[荐薦]|[网網]友[评評][论論]|[发發]表[评評][论論]|[评評][论論]列表"
    r"|我要跟帖|我要[评評][论論]|[写寫][评評][论論]|[评評][论論][区區]|你可能(?:[会會])?喜[欢歡]|大家都在看)"
)


def is_stop_line(text: str) -> bool:
    """True for the heading of a related-stories or comment box: the body ends there."""
    return len(text) <= 30 and bool(_STOP.search(text))


# --- bylines, credits and times --------------------------------------------------------------

_ROLE_WORDS = _alternation(REPORTER_ROLES + EDITOR_ROLES + SOURCE_LABELS)
_META_LABEL = re.compile(rf"{_CREDIT_ROLE.pattern}|发布|發布|时间|時間|日期|作者")
_SENTENCE = re.compile(r"[。！？!?；;，]")
# Values that name nobody: a byline field left at its placeholder.
_NOBODY = re.compile(
    r"((?:作者|记者|編輯|编辑|责任编辑|責任編輯|来源|來源)\s*[:：]?\s*)"
    r"(?:未知|佚名|匿名|不详|网络整理|网络|網絡|综合|本站|admin|管理员)(?=$|[\s|丨/])"
)
# The credit closing a last paragraph: …。（文/图 刘玺东 易赛楠）, …。（张巨峰）.
_TAIL_CREDIT = re.compile(r"[（(](?P<credit>[^（）()]{2,40})[)）]\s*$")
_BARE_NAME = re.compile(rf"^[{HAN}]{{2,3}}$")
# A bracketed name ending in these is an organisation or an outlet, not a person.
_ORG_END = re.compile(r"[社网網报報台局部会會院处處办辦委厅廳站刊馆館司组組队隊所中]$")
_TIME_LABELLED = re.compile(r"(?:发布|發布|發佈|更新|出版)?(?:时间|時間|日期)\s*[:：]")
_BYLINE_WINDOW = 12
_CREDIT_WINDOW = 30
_MAX_BYLINE_LENGTH = 160
_MAX_CREDIT_LENGTH = 80


_LABEL_WORDS = _alternation(
    tuple(r for r in REPORTER_ROLES + EDITOR_ROLES + SOURCE_LABELS if len(r) > 1)
    + ("发布", "發布", "时间", "時間", "日期", "作者", "发表于", "发布于")
)
# A label at a field boundary or followed by a colon: not 作者 inside 工作者.
_BOUNDED_LABEL = re.compile(rf"(?:^|(?<=[\s|丨/:：\]】)）]))(?:{_LABEL_WORDS})|(?:{_LABEL_WORDS})\s*[:：]")
_SUMMARY = re.compile(r"(?:摘要|导语|導語|内容提要|內容提要|简介|簡介|编者按|編者按)\s*[:：]")
_CHROME_WORDS = re.compile(r"^(?:字号|字號|关注|關注|分享|收藏|打印|评论|評論|举报|舉報|[大中小\s]+|A[+-])")


_LONG_HAN_RUN = re.compile(rf"[{HAN}]{{15,}}")


def is_meta_line(text: str) -> bool:
    """A meta line near the headline: short, not prose, with a time or a labelled field."""
    if len(text) > _MAX_BYLINE_LENGTH or "。" in text or text.count("，") > 1 or is_noise_line(text):
        return False
    if _SUMMARY.match(text):
        return False
    if _BOUNDED_LABEL.search(text) or AUTHOR_OUTLET.match(text):
        return True
    # A time alone, or with short fields (names, an outlet); not a sentence that holds a date.
    return bool(TIME_PATTERN.search(text)) and not _LONG_HAN_RUN.search(TIME_PATTERN.sub(" ", text))


def _is_short(line: Line) -> bool:
    return line.chars <= 40 and not _SENTENCE.search(line.text)


def is_chrome_line(line: Line) -> bool:
    """Widgets between the meta lines and the text: font size, follow and share buttons."""
    return line.link_share > 0.5 or is_noise_line(line.text) or (
        line.chars <= 8 and bool(_CHROME_WORDS.match(line.text))
    )


# Not 图片来源 and its kind: where a picture or figures came from is no source outlet.
_NOT_STORY_SOURCE = "".join(f"(?<!{word})" for word in NOT_STORY_SOURCES)
_SOURCE_LABEL = re.compile(rf"{_NOT_STORY_SOURCE}(?:{_alternation(SOURCE_LABELS)})\s*[:：]?\s*")
_COUNTERS = re.compile(
    r"(?:浏览|瀏覽|阅读|閱讀|点击|點擊|访问|訪問|播放|人气|人氣)(?:次数|次數|量|数|數)?\s*[:：]?\s*\d*\s*次?"
    r"|\d+\s*(?:次阅读|人阅读|次浏览|条评论|條評論|人参与|人參與|人评论|次播放)"
    r"|(?<!\S)(?:举报|舉報|分享到?|收藏|打印|评论|評論|关注|關注|字号[:：]?|字號[:：]?|[大中小])(?!\S)"
)
_UPDATED = re.compile(
    rf"(?:最后更新|最後更新|更新时间|更新時間|更新于|更新於|修改时间|修改時間)\s*[:：]?\s*(?:{TIME_PATTERN.pattern})?"
)
_TIME_LABEL = re.compile(
    r"(?:(?:发布|發布|發佈|出版)(?:时间|時間|日期|于|於)?|发表于|發表於|(?:时间|時間|日期))\s*[:：]?"
)
_TRAILING_NUMBERS = re.compile(r"(?:\s+\d{1,7})+\s*$")
_STAFF_CODE = re.compile(rf"(?<=[{HAN}])_[A-Za-z0-9]+")
_GLUED_LABEL = re.compile(rf"{_NOT_STORY_SOURCE}(?:{_LABEL_WORDS})(?=\s*[:：])")
_FIELD_BOUNDARY = frozenset(" :：/|丨(（[【")
_TIME_AND_OUTLET = re.compile(
    rf"^(?P<time>{TIME_PATTERN.pattern})\s+(?P<outlet>[^\s:：|丨/\d][^\s:：|丨/]{{1,19}}?)"
    r"\s*(?:\[[^\]]{1,4}\]|【[^】]{1,4}】|（[^）]{1,4}）|\([^)]{1,4}\))?$"
)


# Link and button text that a page glues to the end of a byline: 向雪妮返回富达，查看更多.
_UI_PHRASE = re.compile(
    r"(?:返回|查看更多|查看全部|点击查看|點擊查看|阅读全文|閱讀全文|展开全文|展開全文|阅读原文|閱讀原文)"
    r"[^\s，,|丨:：]{0,6}"
)
_FIELD_LABEL = re.compile(rf"{_CREDIT_ROLE.pattern}|(?:^|(?<=[\s/|丨:：(（]))(?:文|图|圖|摄|攝)\s*[/:：]")


def tidy_byline(text: str) -> str:
    """Prepare a meta or credit line for the byline grammar.

    Drops what is not a byline field (view and comment counters, buttons, summaries, update
    times, placeholder names, staff codes after names), puts a space before a label glued to
    the previous field (``证券时报网作者：李在山``), keeps only the outlet after 来源 (``来源:
    新京报 举报``), and reads a lone name after the time as the source (``2019-09-26 10:56
    证券时报网``), as portals print it.
    """
    text = strip_nobody(text)
    text = _UI_PHRASE.sub(" ", text)
    text = _STAFF_CODE.sub("", text)
    text = _TIME_LABEL.sub(" ", text)
    summary = _SUMMARY.search(text)
    if summary:
        text = text[: summary.start()]
    text = _UPDATED.sub(" ", text)
    text = _COUNTERS.sub(" ", text)
    text = _TRAILING_NUMBERS.sub("", text)
    text = _GLUED_LABEL.sub(
        lambda m: m.group(0) if m.start() == 0 or text[m.start() - 1] in _FIELD_BOUNDARY else " " + m.group(0),
        text,
    )
    text = collapse_whitespace(text)
    source = _SOURCE_LABEL.search(text)
    if source:
        rest = text[source.end():]
        token = re.match(r"[^\s|丨]*", rest).group(0)  # type: ignore[union-attr]
        following = _BOUNDED_LABEL.search(rest, len(token))
        tail = rest[following.start():] if following else ""
        text = f"{text[: source.end()]}{token} {tail}".strip()
    elif not _BOUNDED_LABEL.search(text):
        match = _TIME_AND_OUTLET.match(text)
        # A company's registered name there is the publishing account's owner, not an outlet.
        if match and not re.search(r"(?:公司|集团|集團)$", match.group("outlet")):
            text = f"{match.group('time')} 来源：{match.group('outlet')}"
    return text


def strip_nobody(text: str) -> str:
    """Remove placeholder values (``作者：未知``) that would read as names."""
    return _NOBODY.sub(r"\1 ", text)


def tail_credit(paragraph: str) -> str | None:
    """A bracketed credit closing a paragraph: roles and names, or one bare personal name."""
    match = _TAIL_CREDIT.search(paragraph)
    if not match:
        return None
    credit = match.group("credit").strip()
    if has_credit_role(credit) or re.search(r"(?:^|[\s/])(?:文|图|圖|摄|攝)(?:[\s/:：]|$)", credit):
        if len(credit) <= 30 and not _SENTENCE.search(credit):
            return credit
        return None
    if _BARE_NAME.match(credit) and not _ORG_END.search(credit):
        return credit
    return None


# --- structured metadata ---------------------------------------------------------------------

_ARTICLE_TYPES = frozenset({"newsarticle", "article", "reportagenews", "blogposting", "analysisnewsarticle", "webpage"})
_META_TIME_NAMES = (
    "article:published_time", "og:article:published_time", "og:release_date", "publishdate",
    "pubdate", "publish_date", "publish-date", "publishtime", "publish_time", "datepublished",
    "dc.date", "dc.date.issued", "dcterms.created", "sailthru.date", "weibo:article:create_at",
    "created", "firstpublishedtime",
)
_META_MODIFIED_NAMES = (
    "article:modified_time", "og:updated_time", "datemodified", "dateupdate", "lastmodified",
    "last-modified",
)


@dataclass
class Metadata:
    headline: str | None = None
    titles: list[str] = field(default_factory=list)
    times: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    canonical: str | None = None
    # Update times: only used to complete a visible time that agrees with them.
    modified: list[str] = field(default_factory=list)


def _jsonld_objects(page: Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for raw in page.selector.xpath('//script[@type="application/ld+json"]/text()').getall():
        try:
            data = json.loads(raw.strip().rstrip(";"), strict=False)
        except ValueError:
            continue  # a broken block is common and says nothing: other metadata remains
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.append(item["@graph"])
                kinds = item.get("@type")
                kinds = kinds if isinstance(kinds, list) else [kinds]
                if any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds):
                    found.append(item)
    # Articles before web pages.
    found.sort(key=lambda item: str(item.get("@type", "")).lower() == "webpage")
    return found


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    return []


def read_metadata(page: Page) -> Metadata:
    meta = Metadata()
    for item in _jsonld_objects(page):
        if isinstance(item.get("headline"), str) and not meta.headline:
            meta.headline = collapse_whitespace(item["headline"])
        for key in ("datePublished", "dateCreated"):
            if isinstance(item.get(key), str):
                meta.times.append(item[key].strip())
        if isinstance(item.get("dateModified"), str):
            meta.modified.append(item["dateModified"].strip())
        meta.authors.extend(_names(item.get("author")))
    by_name: dict[str, str] = {}
    for node in page.selector.xpath("//meta[@content]"):
        key = (node.attrib.get("property") or node.attrib.get("name") or node.attrib.get("itemprop") or "").lower()
        if key and key not in by_name:
            by_name[key] = node.attrib["content"].strip()
    for key in ("og:title", "twitter:title", "title"):
        if by_name.get(key):
            meta.titles.append(collapse_whitespace(by_name[key]))
    title = page.selector.xpath("//title//text()").getall()
    if title:
        meta.titles.append(collapse_whitespace("".join(title)))
    for key in _META_TIME_NAMES:
        if by_name.get(key):
            meta.times.append(by_name[key])
    for node in page.selector.xpath('//*[@itemprop="datePublished"][not(self::meta)]'):
        value = node.attrib.get("datetime") or node.attrib.get("content")
        if value:
            meta.times.append(value.strip())
    for key in _META_MODIFIED_NAMES:
        if by_name.get(key):
            meta.modified.append(by_name[key])
    # Last, the least direct evidence: a publication time a page script holds for its renderer.
    meta.times.extend(script_times(page))
    canonical = page.selector.xpath('//link[@rel="canonical"]/@href').get() or by_name.get("og:url")
    meta.canonical = canonical.strip() if canonical else None
    return meta


# Page scripts that render the time themselves hold it in a variable or JSON key: var ct =
# "1581517074", "publishTime": "2020-02-12 22:17:54". Unix times in seconds or milliseconds.
_SCRIPT_TIME = re.compile(
    r"(?<![\w.$])[\"']?(?:publish_?time|publish_?date|pub_?time|pub_?date|release_?time|post_?time|"
    r"send_?time|create_?time|date_?published|ct)[\"']?\s*[:=]\s*[\"']?"
    r"(?P<value>\d{13}|\d{10}|\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)"
    r"(?![\d:])",
    re.IGNORECASE,
)
_EPOCH_RANGE = (datetime(1995, 1, 1, tzinfo=timezone.utc), datetime(2100, 1, 1, tzinfo=timezone.utc))


def script_times(page: Page) -> list[str]:
    """The publication time held by the page's inline scripts, as ISO 8601; none when they hold
    several different ones (a list of stories, each with its own), which says nothing of this page."""
    found: list[str] = []
    for script in page.selector.xpath("//script[not(@src)]/text()").getall():
        for match in _SCRIPT_TIME.finditer(script):
            value = match.group("value")
            if value.isdigit():
                moment = datetime.fromtimestamp(int(value) / (1000 if len(value) == 13 else 1), timezone.utc)
                if not _EPOCH_RANGE[0] <= moment < _EPOCH_RANGE[1]:
                    continue
                value = moment.astimezone(_ZONE).isoformat()
            found.append(value)
    distinct = {parsed.replace(second=0, microsecond=0) for _, parsed in _parsed_times(found)}
    return found[:1] if len(distinct) == 1 else []


# --- headline --------------------------------------------------------------------------------

# Separators between a headline and the site or channel names in a <title>.
_TITLE_SPLIT = re.compile(
    r"\s*(?:_|\||｜|--+|—+|\s-\s|(?<![\dA-Za-z])-(?![\dA-Za-z])|\s–\s|·(?=[^·]{2,12}$))\s*"
)
_ELLIPSIS = re.compile(r"(?:\.{2,}|…+|。{2,})$")
_TITLE_CLASS = re.compile(r"title|headline|biaoti|bt\b", re.IGNORECASE)
_NO_SPACE = re.compile(r"\s+")
_CRUMB = re.compile(r"[>›»]|首页|首頁|当前位置|當前位置|您的位置")


def title_parts(title: str) -> list[str]:
    """A <title> and the pieces it is made of: ``标题_频道_网站`` gives the headline first."""
    parts = [p for p in _TITLE_SPLIT.split(title) if p]
    return [title] + parts if len(parts) > 1 else [title]


def headline_match(text: str, references: list[str]) -> float:
    """How well a visible heading matches the page's title data (0 to 1)."""
    # Spacing differs between a <title> and the page (2007　年末): compare without it.
    text = _NO_SPACE.sub("", text)
    core = _ELLIPSIS.sub("", text).strip()
    if len(core) < 2:
        return 0.0
    best = 0.0
    for reference in references:
        for index, part in enumerate(title_parts(reference)):
            part = _NO_SPACE.sub("", part)
            if not part:
                continue
            # The first piece of a <title> is the headline; later pieces name channels and sites.
            weight = 1.0 if index <= 1 else 0.45
            if text == part or core == part:
                match = 1.0
            elif part.startswith(core) and len(core) >= 4:
                match = 0.5 + 0.4 * len(core) / len(part)
            elif core in part and len(core) >= 6:
                match = 0.3 + 0.4 * len(core) / len(part)
            elif part in core and len(part) >= 6:
                match = 0.3 + 0.4 * len(part) / len(core)
            else:
                match = 0.0
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
        if score > best_score:
            best, best_score = index, score
    return best, best_score


def fallback_headline(references: list[str]) -> str | None:
    """The headline a <title> holds when no visible heading matches it: its first piece."""
    for reference in references:
        parts = title_parts(reference)
        if parts[-1]:
            return parts[1] if len(parts) > 1 else parts[0]
    return None


# --- the layout ------------------------------------------------------------------------------


class GenericLayout(Layout):
    """Reads any article page by the conventions of Chinese news pages; no selectors."""

    version = "2"
    headline = info_line = paragraphs = ""
    # Set by ``read()``: the page's own canonical URL when it names one on the same site.
    canonical_url: str | None = None
    # Set by ``read()``: the print-edition note of a web article that ran in a newspaper.
    print_edition: re.Match[str] | None = None

    def read(self) -> RawFields:
        page = self.page
        meta = read_metadata(page)
        self.canonical_url = same_site_url(page.url, meta.canonical)
        lines, images = page_lines(page.selector.root)
        container = best_container(lines)
        body = [line for line in lines if container is not None and _within(line.owner, container)]

        references = [r for r in ([meta.headline] + meta.titles) if r]
        headline, headline_index = self._headline(lines, references, body)
        # The container may hold the headline and the meta lines too: the body starts after them.
        if headline_index >= 0 and any(line.index > headline_index for line in body):
            body = [line for line in body if line.index > headline_index]
        meta_lines: list[Line] = []
        while body and len(meta_lines) < _BYLINE_WINDOW:
            if is_meta_line(body[0].spaced):
                meta_lines.append(body.pop(0))
            elif meta_lines and is_chrome_line(body[0]):
                body.pop(0)
            elif not meta_lines and len(body) > 1 and _is_short(body[0]) and is_meta_line(body[1].spaced):
                body.pop(0)  # e.g. the author/outlet line printed without labels above the time
            else:
                break
        paragraphs, credits, body_end = self._body(body, container, headline)
        first_body = body[0].index if body else len(lines)
        bylines = self._bylines(lines, headline_index, meta_lines[0].index if meta_lines else first_body)
        bylines += [line.spaced for line in meta_lines]
        credits.extend(self._trailing_credits(lines, body_end))
        time_text = self._time(meta, bylines, credits, lines, headline_index, first_body)
        # Only labelled fields name people or the source: an unlabelled meta line holds the time,
        # the site's or account's name, counters.
        labelled = [t for t in map(tidy_byline, bylines) if _FIELD_LABEL.search(t) or AUTHOR_OUTLET.match(t)]
        edition = self.print_edition
        return RawFields(
            headline=headline,
            time_text=time_text,
            bylines=labelled,
            paragraphs=paragraphs,
            credits=[tidy_byline(line) for line in credits],
            images=self._images(images, container, lines),
            paper=edition.group("paper") if edition else None,
            edition_date=edition.group("date") if edition else None,
            page=re.sub(r"\s+", "", edition.group("page")) if edition else None,
        )

    # Headline: the visible heading matching the title data, else the heading nearest above the
    # body, else the <title>'s first piece.
    def _headline(self, lines: list[Line], references: list[str], body: list[Line]) -> tuple[str | None, int]:
        body_start = body[0].index if body else len(lines)
        body_end = body[-1].index if body else len(lines)
        candidates: list[tuple[str, str]] = []
        positions: list[int] = []
        for line in lines:
            if line.chars > 120 or line.chars < 2 or line.index > body_end:
                continue
            element = line.owner
            tag = _tag(element)
            if tag in _HEADINGS or _TITLE_CLASS.search(_class_words(element)):
                candidates.append((tag, line.text))
                positions.append(line.index)
            elif line.link_share < 0.5 and abs(line.index - body_start) <= 3:
                # A short line at the body start may be the headline when the title data says so.
                candidates.append(("", line.text))
                positions.append(line.index)
        # A long headline may be set as two or three lines in a row.
        joined: list[tuple[str, str]] = []
        joined_end: list[int] = []
        for start in range(len(candidates)):
            for length in (2, 3):
                end = start + length - 1
                if end < len(candidates) and positions[end] - positions[start] == length - 1:
                    tags = {candidates[i][0] for i in range(start, end + 1)}
                    if len(tags) == 1:
                        joined.append((tags.pop(), "".join(candidates[i][1] for i in range(start, end + 1))))
                        joined_end.append(positions[end])
        chosen, score = choose_headline(candidates + joined, references)
        if chosen >= 0 and score >= 0.5:
            return (candidates + joined)[chosen][1], (positions + joined_end)[chosen]
        # No match: the nearest heading above the body (not a breadcrumb, not a link).
        for index in range(len(candidates) - 1, -1, -1):
            tag, text = candidates[index]
            line = lines[positions[index]]
            if (tag in _HEADINGS and body_start - 8 <= positions[index] <= body_start
                    and line.chars >= 6 and line.link_share < 0.5 and not _CRUMB.search(text)):
                return text, positions[index]
        return fallback_headline(references), -1

    def _body(self, body: list[Line], container: Any, headline: str | None) -> tuple[list[str], list[str], int]:
        """Body paragraphs and the credit lines found among them; index of the last body line."""
        paragraphs: list[str] = []
        credits: list[str] = []
        total = sum(line.chars for line in body) or 1
        seen = 0
        end = body[-1].index if body else -1
        for line in body:
            seen += line.chars
            text = line.text
            if is_stop_line(text) and seen / total > 0.5:
                end = line.index - 1
                break
            if _in_chrome_box(line.owner, container) or is_stop_line(text):
                continue
            if line.link_share > 0.6 and line.chars < 60:
                continue
            if headline and text == headline:
                continue
            if is_noise_line(text) or ("\ufffd" in text and not has_han(text.replace("\ufffd", ""))):
                continue
            edition = _PRINT_EDITION.match(text)
            if edition:
                self.print_edition = edition  # 《人民日报》（2024年06月24日 11版）: where it was printed
                continue
            if self._is_credit(text):
                credits.append(line.spaced)
                continue
            paragraphs.append(text)
        # Credits inside the text: a dateline credit opening the body, a credit closing it.
        for paragraph in paragraphs[:2]:
            credit = lead_credit(paragraph)
            if credit:
                credits.insert(0, credit)
                break
        for paragraph in paragraphs[-2:]:
            credit = tail_credit(paragraph)
            if credit:
                credits.append(credit)
        for paragraph in paragraphs:
            credit = trailing_credit(paragraph)
            if credit and len(paragraph) <= 80:
                credits.append(credit)  # a photo credit closing a caption: （刘通摄）
        return paragraphs, credits, end

    @staticmethod
    def _is_credit(text: str) -> bool:
        if is_credit_line(text):
            return True
        # Standalone credit lines that open with an outlet or end with a label: 新京报记者 陆一夫.
        if len(text) > 40 or _SENTENCE.search(text) or not has_credit_role(text) or TIME_PATTERN.search(text):
            return False
        byline = parse_byline(tidy_byline(text))
        return bool(byline.reporters or byline.editors)

    def _bylines(self, lines: list[Line], headline_index: int, body_start: int) -> list[str]:
        """The meta lines after the headline (up to the body), or just above the body."""
        if headline_index >= 0:
            stop = body_start if body_start > headline_index else len(lines)
            window = lines[headline_index + 1 : min(stop, headline_index + 1 + _BYLINE_WINDOW)]
        else:
            window = lines[max(0, body_start - _BYLINE_WINDOW) : body_start]
        return [line.spaced for line in window if is_meta_line(line.spaced)]

    def _trailing_credits(self, lines: list[Line], body_end: int) -> list[str]:
        """Credit lines right after the body, up to the first related-stories or comment box."""
        found = []
        past_box = False
        for line in lines[body_end + 1 : body_end + 1 + _CREDIT_WINDOW]:
            text = line.spaced
            if is_stop_line(line.text) and (line.chars <= 10 or _tag(line.owner) in _HEADINGS):
                # A related-stories box may sit between the body and its editor line: past it,
                # only a line opening with a credit label counts, never a story title.
                past_box = True
                continue
            if line.chars > _MAX_CREDIT_LENGTH or line.link_share > 0.5 or _SENTENCE.search(text):
                continue
            if is_credit_line(text) or (
                not past_box and has_credit_role(text) and re.search(r"[:：/|丨]", text)
            ):
                found.append(text)
        return found

    def _time(self, meta: Metadata, bylines: list[str], credits: list[str], lines: list[Line],
              headline_index: int, body_start: int) -> str | None:
        visible = None
        for text in bylines + [t for t in credits if _TIME_LABELLED.search(t)]:
            match = TIME_PATTERN.search(text)
            if match:
                visible = match.group(0)
                break
        if visible is None:
            # A labelled time anywhere near the article (发布日期：… below the body).
            for line in lines[max(0, headline_index): body_start + 400]:
                if line.chars <= _MAX_BYLINE_LENGTH and _TIME_LABELLED.search(line.spaced):
                    match = TIME_PATTERN.search(line.spaced)
                    if match:
                        visible = match.group(0)
                        break
        if visible is None:
            # Metadata alone: a CMS's end-of-day placeholder (2007-08-20-23:59:59) is no
            # publication time unless the page shows that date itself.
            times = [t for t in meta.times if not _PLACEHOLDER_CLOCK.search(t) or _date_shown(t, lines)]
            return reconcile_times(None, times, meta.modified)
        return reconcile_times(visible, meta.times, meta.modified)

    def _images(self, images: list[tuple[Any, int]], container: Any, lines: list[Line]) -> list[RawImage]:
        """Images in the body; the caption is a figcaption, or the short line set right under the
        image (in the image's own block after it, or in the next block, or a caption-class block).
        The caption line also stays a paragraph: it stands as its own block in the body."""
        found: list[RawImage] = []
        if container is None:
            return found
        for element, position in images:
            if not _within(element, container) or _in_chrome_box(element, container):
                continue  # share QR codes and related-story thumbnails are not the story's images
            src = next(
                (element.attrib[k] for k in ("data-src", "data-original", "src") if element.attrib.get(k)), None
            )
            if not src or src.startswith("data:") or _NOT_A_PHOTO.search(src):
                continue
            url = self.page.absolute(src)
            if url is None:
                continue
            caption = None
            figure = element.getparent()
            while figure is not None and _tag(figure) != "figure" and figure is not container:
                figure = figure.getparent()
            if figure is not None and _tag(figure) == "figure":
                captions = figure.findall(".//figcaption")
                if captions:
                    caption = collapse_whitespace("".join(captions[0].itertext())) or None
            if caption is None and position < len(lines):
                caption = _caption_after(element, lines[position], container)
            found.append(RawImage(url, caption))
        return found


# A web article's note of where it was printed: 《 人民日报 》（ 2024年06月24日 11 版）.
_PRINT_EDITION = re.compile(
    r"^[（(]?\s*《\s*(?P<paper>[^《》]{2,16}?)\s*》\s*[（(]\s*(?P<date>\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)"
    r"\s*(?:第\s*)?(?P<page>[A-Za-z]?\d{1,3}\s*版)\s*[)）]\s*[)）]?$"
)
# Image files named for page furniture rather than the story: QR codes, icons, logos, avatars.
_NOT_A_PHOTO = re.compile(r"qr_?code|erweima|[/_-]qr[._-]|icon|logo|avatar|share|loading|blank\.gif|spacer", re.I)
_CAPTION_CLASS = re.compile(r"desc|caption|pic|img|photo|note|tuzhu|zhushi|explain", re.IGNORECASE)
_MAX_CAPTION_LENGTH = 60


def _block_of(element: Any) -> Any:
    while element is not None and _tag(element) not in _BLOCK:
        element = element.getparent()
    return element


def _caption_after(image: Any, line: Line, container: Any) -> str | None:
    """The line right after an image when it reads as that image's caption."""
    if line.chars > _MAX_CAPTION_LENGTH or line.link_share > 0.5 or not _within(line.owner, container):
        return None
    block = _block_of(image)
    owner = line.owner
    if owner is block or _tag(owner) == "figcaption" or _CAPTION_CLASS.search(_class_words(owner)):
        return line.text
    if block is not None and owner.getprevious() is block and not _SENTENCE.search(line.text.rstrip("。")):
        return line.text
    return None


# A fixed reference for comparing times: parsing needs a fetch time only for relative forms.
_REFERENCE = datetime(2100, 1, 1, tzinfo=timezone.utc)
_ZONE = portal_zone("Asia/Shanghai")
_HAS_YEAR = re.compile(r"\d{4}")
_HAS_CLOCK = re.compile(r"\d{1,2}[:：]\d{2}")


_PLACEHOLDER_CLOCK = re.compile(r"23:59:59")


def _date_shown(value: str, lines: list[Line]) -> bool:
    """True when the date of a metadata time appears in the page's text, in any common form."""
    match = re.search(r"(\d{4})\D{1,2}(\d{1,2})\D{1,2}(\d{1,2})", value)
    if not match:
        return False
    year, month, day = (int(part) for part in match.groups())
    shown = re.compile(rf"{year}\s*[-/.年]\s*0?{month}\s*[-/.月]\s*0?{day}(?!\d)")
    return any(shown.search(line.text) for line in lines)


def reconcile_times(
    visible: str | None, structured: list[str], completing: list[str] | tuple[str, ...] = ()
) -> str | None:
    """The publication time to read: the visible one, completed or confirmed by metadata.

    ``structured`` are publication times from metadata; ``completing`` are other times (updates)
    that may only complete a visible time they agree with.
    """
    if visible is None or is_relative(visible):
        # A relative time (昨天) can only be checked against the fetch time, which the page
        # does not know: the metadata's absolute time is the better reading.
        structured_only = _parsed_times(structured)
        if structured_only or visible is None:
            return structured_only[0][0] if structured_only else None
    parsed = _parsed_times(structured) + _parsed_times(completing)
    if not parsed:
        return visible
    return _completed(visible, parsed)


def _parsed_times(values: list[str] | tuple[str, ...]) -> list[tuple[str, datetime]]:
    parsed = []
    for raw in values:
        match = TIME_PATTERN.search(raw)
        if not match or not _HAS_YEAR.search(match.group(0)):
            continue
        value = parse_time(match.group(0), _REFERENCE, _ZONE)
        if value is not None:
            parsed.append((match.group(0), value.astimezone(_ZONE)))
    return parsed


def _completed(visible: str, parsed: list[tuple[str, datetime]]) -> str:
    has_year = bool(_HAS_YEAR.search(visible)) and not re.match(r"^\d{1,2}[-/]", visible)
    has_clock = bool(_HAS_CLOCK.search(visible))
    if has_year and has_clock:
        return visible
    shown = parse_time(visible, _REFERENCE, _ZONE)
    if shown is None:
        return visible
    shown = shown.astimezone(_ZONE)
    for raw, value in parsed:
        same_day = (value.month, value.day) == (shown.month, shown.day)
        if has_year:
            # A bare date on the page: metadata of that same day adds the time.
            if same_day and value.year == shown.year:
                return raw
        elif same_day and (not has_clock or (value.hour, value.minute) == (shown.hour, shown.minute)):
            # A year-less or relative time: metadata that agrees adds the year.
            return raw
    return visible


def _site(host: str) -> str:
    labels = host.lower().split(".")
    if len(labels) >= 3 and labels[-2] in ("com", "net", "org", "gov", "edu", "ac", "co"):
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_site_url(url: str, canonical: str | None) -> str:
    """The page's canonical URL when it is on the same site; otherwise the URL without fragment."""
    parts = urlsplit(url)
    if canonical:
        absolute = urljoin(url, canonical.strip())
        target = urlsplit(absolute)
        if target.scheme in ("http", "https") and target.hostname and parts.hostname and (
            _site(target.hostname) == _site(parts.hostname)
        ):
            return urlunsplit((target.scheme, target.netloc, target.path or "/", target.query, ""))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
