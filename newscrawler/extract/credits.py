"""Credit lines inside an article body: ``(编辑/… 值班主任/…)``, ``(来源:…)``, ``李嘉斌 摄``.

Many portals type the editor and source credits as the last paragraphs of the body. They are
bylines, not text: they are taken out of ``paragraphs`` and read with the byline grammar.
"""

from __future__ import annotations

import re

from .byline import parse_byline, unify_colons
from .names import looks_like_person
from .normalize import HAN
from .roles import (
    COMBINED_ROLES,
    CRAFT_ROLES,
    EDITOR_ROLES,
    POSTFIX_ROLES,
    REPORTER_ROLES,
    SOURCE_LABELS,
    TRANSLATOR_ROLES,
    alternation,
)

_LABELS = alternation(EDITOR_ROLES + REPORTER_ROLES + SOURCE_LABELS)
# A line that opens (after an optional bracket or bullet: □记者) with a role or source label and a
# separator; 本文来源 and its kind are the same label.
# The bars WeChat-style posts set before a label (▍来源：…, │编辑：…) are bullets too.
_LEADING_LABEL = re.compile(
    rf"^[(（\[【□■◎●◆▲★◇△▶►▌※☆\u2588-\u258f│┃｜]?\s*(?:本文|文章|稿件)?(?:{_LABELS})\s*(?:[:：/|丨｜]|\s)"
)
# A name as credits write it: two to four Han characters, or a transliterated name with a dot.
_NAME = rf"(?:[{HAN}]{{2,4}}|[{HAN}]+[·•][{HAN}]+)"
_NAMES = rf"{_NAME}(?:[\s、，,]+{_NAME})*"
# Names followed by 摄 (but not the verb 拍摄) or 文/图.
_POSTFIX_CREDIT = rf"(?P<names>{_NAMES})\s*[/／]?\s*(?<!拍)(?:{alternation(POSTFIX_ROLES)})\s*[)）]?"
# A photo credit standing alone as a paragraph.
_PHOTO_CREDIT = re.compile(rf"^[(（]?\s*{_POSTFIX_CREDIT}$")
# A photo credit ending an image caption: "雷州青年运河……（李嘉斌 摄）".
_TRAILING_CREDIT = re.compile(rf"(?:(?:^|(?<=[\s，,。；;]))[(（]?|[(（])\s*{_POSTFIX_CREDIT}$")
# Credit lines are short and are not sentences.
_MAX_LENGTH = 100
_SENTENCE_END = re.compile("[。！？!?]")


# A line opening with a video or graphics role and a separator (拍摄：张三 剪辑：李四, 制图/王五).
# Such a line is a credit only when the grammar reads people from it: 视频：龙舟赛现场 labels a
# clip, 设计：金属机身 a feature.
_CRAFT_LABEL = re.compile(rf"^[(（\[【□■◎●◆▲★◇△▶►▌※☆]?\s*(?:{alternation(CRAFT_ROLES)})\s*[:：/／|丨｜]")


def is_credit_line(text: str) -> bool:
    """True when a body paragraph is a credit line rather than article text."""
    if not text or len(text) > _MAX_LENGTH or _SENTENCE_END.search(text):
        return False
    text = unify_colons(text)
    if _LEADING_LABEL.match(text) or _PHOTO_CREDIT.match(text):
        return True
    if _CRAFT_LABEL.match(text):
        byline = parse_byline(text)
        return bool(byline.reporters or byline.editors)
    return False


def trailing_credit(text: str) -> str | None:
    """The credit ending an image caption (``李嘉斌 摄``), as its own text, or None."""
    match = _TRAILING_CREDIT.search(text.strip()) if text else None
    return match.group(0).strip() if match else None


# A role or source label of two characters or more, anywhere in a text.
_SEPARATED = COMBINED_ROLES + TRANSLATOR_ROLES
_ANYWHERE_ROLES = tuple(r for r in REPORTER_ROLES + EDITOR_ROLES + SOURCE_LABELS if len(r) > 1 and r not in _SEPARATED)
_CREDIT_ROLE = re.compile(
    rf"(?:{alternation(_ANYWHERE_ROLES)})"
    # 图文 and 翻译 are roles only before a separator: 图文直播 and 翻译成 are words.
    rf"|(?:{alternation(_SEPARATED)})(?=\s*[:：/／|丨｜]|\s)"
)
_CLAUSE = re.compile(r"[。！？!?；;，]")
# The credit opening a first paragraph: 新华社北京3月1日电（记者 张三、李四）, 本报讯（记者 王五）.
_LEAD_CREDIT = re.compile(
    r"^\s*[【\[]?[^，。（(【\[]{0,30}?(?:讯|訊|电|電|消息)\s*[】\]]?\s*[（(](?P<credit>[^（）()]{2,60})[)）]"
    r"|^\s*[（(【\[〔［](?P<credit2>[^（）()【】\[\]〔〕［］]{2,60})[)）】\]〕］]"
)


# The same credit without brackets: 本报讯 记者 张三 通讯员 李四 6月1日，…. Only roles and names
# that stand as words of their own count; the first word that is not one starts the text.
# The bullets that mark a byline on newspaper pages: □本报记者 张三.
_BYLINE_BULLET = "[□■◎●]"
_WRITER_ROLES = alternation(tuple(r for r in REPORTER_ROLES if len(r) > 1))
_LEAD_WORDS = re.compile(
    # …after a dateline, or after the bullet newspapers mark a byline with (□本报记者 张三 …).
    rf"^\s*(?:[^，。（(【\[\s]{{0,30}}?(?:讯|訊|电|電)\s+|{_BYLINE_BULLET}\s*(?={_WRITER_ROLES}))"
    # Names are set apart by spaces or by 、 (记者张三、李四); never by a comma, which ends a
    # clause (本报讯 记者了解到，…).
    rf"(?P<credit>(?:{_WRITER_ROLES})\s*[{HAN}·•]{{2,5}}"
    rf"(?:(?:\s+|\s*、\s*)(?:(?:{_WRITER_ROLES})\s*)?[{HAN}·•]{{2,5}})*)(?=\s)"
    # …and the Taiwanese dateline opening the text: 記者林思妤／台北報導 台北市政府今天…
    rf"|^\s*(?P<filed>(?:{_WRITER_ROLES})\s*[{HAN}·•、\s]{{2,16}}?\s*[/／]\s*[{HAN}]{{2,8}}?(?:報導|报道|報道|报导))"
)


# A byline opening the text with no dateline before it, closed by 报道: 青山日报记者 张三 报道：…,
# 本报记者 张三 李四 报道 …. The outlet before the role (at most a dozen characters, not the
# 据 of a report quoted from elsewhere) is the reporter's paper, not a name; 报道 must end the
# words, with a separator or a space after it (记者张三报道称 is a sentence about a report).
_REPORTED = "报道|報道|報導|报导"
_REPORTED_WORD = re.compile(_REPORTED)
_LEAD_REPORTED = re.compile(
    rf"^\s*(?![据據])[^\s，。：:（(【\[]{{0,12}}?"
    rf"(?P<credit>(?:{_WRITER_ROLES})\s*[{HAN}·•]{{2,10}}?"
    rf"(?:(?:\s+|\s*、\s*)(?:(?:{_WRITER_ROLES})\s*)?[{HAN}·•]{{2,10}}?)*)"
    rf"\s*(?:{_REPORTED})\s*(?:[:：，,]|\s)"
)
# Where the quick test looks for 报道: the byline is short, and so is the outlet before it.
_REPORTED_WITHIN = 60


def has_credit_role(text: str) -> bool:
    """True when the text names a role or a source label (记者, 编辑, 来源 …)."""
    return bool(_CREDIT_ROLE.search(text))


# What every match of ``_LEAD_CREDIT`` or ``_LEAD_WORDS`` holds: a dateline word (讯, 电, 消息)
# or the slash of a filed line, else it opens with a bracket. A paragraph with none of them (most
# first paragraphs) is told so without trying the patterns, whose lazy heads try thirty places.
_DATELINE_CHARS = "讯訊电電消/／□■◎●"
_OPENS_WITH_BRACKET = re.compile(r"\s*[（(【\[〔［]")


def _may_open_with_credit(paragraph: str) -> bool:
    for char in _DATELINE_CHARS:
        if char in paragraph:
            return True
    return _OPENS_WITH_BRACKET.match(paragraph) is not None


def lead_credit(paragraph: str) -> str | None:
    """The bracketed credit of a dateline opening a paragraph (本报讯（记者 王五）…), when it
    names roles, or the byline opening it with 报道 (本报记者 王五 报道：…). The paragraph
    itself stays text; only the people are read from the credit."""
    if not _may_open_with_credit(paragraph):
        return _reported_credit(paragraph)
    match = _LEAD_CREDIT.match(paragraph)
    if not match:
        words = _LEAD_WORDS.match(paragraph)
        if words:
            return words.group("credit") or words.group("filed")
        return _reported_credit(paragraph)
    credit = match.group("credit") or match.group("credit2")
    return credit if has_credit_role(credit) and not _CLAUSE.search(credit) else None


def _reported_credit(paragraph: str) -> str | None:
    """The byline of a paragraph opening ``本报记者 张三 报道：`` without a dateline, or None."""
    if _REPORTED_WORD.search(paragraph, 0, _REPORTED_WITHIN) is None:
        return None  # most paragraphs: no 报道 to end a byline with
    match = _LEAD_REPORTED.match(paragraph)
    if not match:
        return None
    # Without a dateline or brackets to say a byline is there, every name must have a person's
    # shape: 记者调查报道, 记者 张三 深入报道 hold words where names would stand.
    credit = match.group("credit")
    names = [person.name for person in parse_byline(credit).reporters]
    return credit if names and all(looks_like_person(n) or "·" in n for n in names) else None
