"""The Chinese byline grammar: who wrote, photographed and edited a story, and its source outlet.

A byline is read as a sequence of *roles*, each followed by the names it applies to:

    作者:記者陳荔雅 特約通訊員譚總          -> 記者 陳荔雅, 特約通訊員 譚總 (作者 is only a label)
    (编辑/徐卫民 值班主任/何杰 值班编委/郑时雨) -> three editors, each with their role
    记者 张三、李四 通讯员 王五              -> 记者 张三, 记者 李四, 通讯员 王五
    李嘉斌 摄                              -> 摄 李嘉斌 (a role written after the names)
    (来源:湛江云媒)                         -> source 湛江云媒, never a person

People who made the content (writers, correspondents, photographers) are reporters; editorial
staff are editors. Roles keep the script and wording the page shows. A role word written right
before another role is a field label (``作者:``) and is dropped. The role words, their classes
and the patterns that find them are in ``roles.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .names import looks_like_person
from .normalize import HAN, clean_text
from .prefilter import guarded
from .roles import (
    COMPILER_ROLES,
    CRAFT_SET,
    PHOTO_POSTFIX,
    PICTURE_ROLES,
    POSTFIX_PATTERN,
    POSTFIX_SET,
    PREFIX_PATTERN,
    REPORTER_ROLES,
    SEPARATORS,
    SINGLE_CHAR_ROLES,
    alternation,
    is_editor_role,
)

# Whitespace between two Latin letters stays inside a name (责编：Demi Xia).
_NAME_SPLIT = guarded(re.compile(r"[、，,;；/／|丨｜︱│&＆]+|(?<![A-Za-z])\s+|\s+(?![A-Za-z])"))
# What may stand right before a field label: a role inside a source value without such a
# boundary is part of the outlet's name (湛江市摄影家协会, 湛江日报社编辑部).
_BOUNDARY_BEFORE = frozenset(" " + SEPARATORS)
# What ends a source outlet's name: a time printed after it (来源：新华社 2024-04-23 12:27).
_BEFORE_DIGITS = re.compile(r"\s+(?=\d)")
# Between the names of an unlabelled byline.
_NAMES_SPLIT = re.compile(r"[\s、，,]+")
# Brackets and bullets, which only group or mark a credit line.
_BRACKETS = re.compile(r"[()（）\[\]【】〔〕［］□■◎●◆▲★◇△▶►▌※☆]")
_SEPARATOR_AFTER = re.compile(r"\s*[:：]")
# Words that say what kind of role the next one is: 实习编辑, 视觉编辑, 副主编, 执行主编.
_QUALIFIERS = frozenset({
    "实习", "實習", "见习", "見習", "视觉", "視覺", "微信", "副", "执行", "執行", "网络", "網絡",
    "新媒体", "新媒體", "值班", "运营", "運營", "美术", "美術", "技术", "技術", "视频", "視頻",
    "特约", "特約", "特派", "首席", "资深", "資深",
})
# Role words that are only field labels when another role follows them (作者:记者 张三); any
# other role before a role applies to the names after both (文/本报记者 张三: 文 and 本报记者).
_LABELS = frozenset({"作者"})
# Dateline markers and filler that precede or follow bylines and are not names.
_FILLER = guarded(re.compile(r"本报讯|本報訊|本台讯|本台訊|报道|報道|報導|报导|等$|^等"))
# Where the reporter filed from, after a slash: 記者林思妤／台北報導, 记者 张三/北京报道.
_FILED_FROM = re.compile(rf"[/／]\s*[{HAN}]{{2,8}}?(?:报道|報道|報導|报导)")
# Words standing where a name would, saying how a story was put together: 综合报道, 整理.
_NOT_NAMES = frozenset({
    "综合", "綜合", "整理", "整合", "综述", "綜述", "供稿", "编译", "編譯",
    # A platform's badge beside the author's name: 原创 张三.
    "原创", "原創",
    # A grade after a name: 张三（实习）.
    "实习", "實習", "见习", "見習",
}) | CRAFT_SET  # 拍摄 张三 剪辑 李四 without separators: the craft words are no names
# Who provided a picture (受访者供图, 资料图, 网络配图, 受访者/图, 来自网络): no person's name.
_PICTURE_PROVIDED = re.compile(
    r"(?:供图|供圖|资料图|資料圖|配图|配圖|截图|截圖|网络图|網絡圖|视觉|視覺|图库|圖庫|微博|视觉中国|視覺中國)$"
    r"|^(?:受访者|受訪者|网络|網絡|網路|网友|網友|读者|讀者|资料|資料|本报|本報|本网|本網|本台)$"
    r"|^(?:来自|來自|由)"
    # Picture libraries and agencies credited for a stock picture (图/pixabay, 图片：视觉中国).
    r"|^(?:[Pp]ixabay|[Uu]nsplash|[Pp]exels|[Gg]etty\s*[Ii]mages|[Ss]hutterstock|IC\s*[Pp]hoto|CFP"
    r"|[图圖]虫|[图圖]蟲|[东東]方IC|全景[网網]|[摄攝][图圖][网網]|[站]酷海洛|[视視][觉覺]中[国國])$"
)
# A wire dateline glued to the name before it, in the Taiwanese style: 記者王小明台北19日電,
# 记者张三北京3月1日电. The run of Han characters after the role is the name and the place it
# was filed from.
_GLUED_DATELINE = re.compile(
    rf"(?P<role>{alternation(tuple(r for r in REPORTER_ROLES if len(r) > 1))})\s*(?P<run>[{HAN}]{{4,7}})"
    r"\s*(?:\d{1,2}\s*月\s*)?\d{1,2}\s*日\s*(?:电|電|讯|訊)"
)
# Where a reporter filed from, standing as its own word after the names: 记者 张三 北京报道.
_PLACE_FILED = re.compile(rf"^(?P<run>[{HAN}]{{2,7}})(?:报道|報道|報導|报导)$")
# …or with 发自 (记者 张三 发自北京, 本报记者张三发自上海).
_SENT_FROM = re.compile(rf"^(?P<name>[{HAN}]{{0,4}}?)(?:发自|發自)[{HAN}]{{2,8}}$")
# Where a compiled text came from (综合整理自澎湃新闻、智东西等): outlets, never people.
_COMPILED_FROM = guarded(
    re.compile(r"(?:综合|綜合|整理|整合|编译|編譯|摘编|摘編|转载|轉載|摘)+[自于於](?!\s*[:：])\S*")
)
# A staff code: letters and digits (ZB012). Beside a personal name it is the CMS account of the
# same person or of the typesetter, not a second name; alone it is the only name the page gives.
_STAFF_CODE = re.compile(r"^[A-Za-z]{1,4}\d{2,6}$")
# A title, with the institution before it, standing after a name: 张三（青山大学教授）,
# 张三系青山大学研究员, 张三 李四（均为青山大学教授）. It says who the person is; no second name.
_TITLE_WORD = (
    r"(?:教授|研究员|研究員|博士生|博士|讲师|講師|主任|院长|院長|所长|所長|律师|律師|学者|學者|专家|專家"
    r"|分析师|分析師|经济学家|經濟學家|校长|校長|会长|會長|书记|書記|学生|學生|研究生|教师|教師|老师|老師)"
)
_TITLED = re.compile(rf"{_TITLE_WORD}$")
_NAME_THEN_TITLE = re.compile(rf"^(?P<name>[{HAN}]{{2,3}})(?:系|係|为|為|是)[{HAN}]{{2,}}{_TITLE_WORD}$")
# A date or a time glued to a name: 张三6月1日.
_DIGIT_TAIL = re.compile(rf"^(?P<name>[{HAN}·•]{{2,}})\d")
# A wire-service dateline before the byline: 新华社北京3月1日电, 本报湛江4月18日讯.
# Without a date: 本报湛江讯, 湛江日报讯, 新华社电 (an outlet word right before 讯/电), never a
# bare 讯 that may end a name (李讯).
_DATELINE = re.compile(
    r"\S*?\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:电|電|讯|訊)"
    r"|(?:本报|本報|本台|本网|本網)[^\s(（]*?(?:讯|訊|电|電)"
    r"|[^\s(（]*?(?:报|報|社|网|網|台|媒)(?:讯|訊|电|電)"
)
_HAN_NAME = re.compile(rf"^[{HAN}·•]+$")
_HAN_WORD = re.compile(rf"^[{HAN}]+$")
# The last word of an outlet's or a column's name (观察者网, 中国青年报, 南都, 澎湃新闻, 专栏).
_OUTLET_END = (
    r"(?:报|報|网|網|社|台|刊|新闻|新聞|客户端|客戶端|杂志|雜誌|周刊|週刊|传媒|傳媒|媒体|媒體|"
    r"频道|頻道|专栏|專欄|中心|工作室)"
)
# A compound outlet joins its parts with a dot: 顶端新闻·河南商报, 澎湃新闻·澎湃号.
_AFFILIATION = re.compile(rf"^[{HAN}A-Za-z0-9·•]{{1,24}}{_OUTLET_END}$")
# A person's name as bylines print it: two to four Han characters, or a transliteration with a dot.
_PERSON = rf"(?:[{HAN}]{{2,4}}|[{HAN}]+[·•][{HAN}]+)"
# An unlabelled byline of names and their outlet: 石佳/中国青年报, 张三 李四｜新京报.
AUTHOR_OUTLET = re.compile(
    rf"^\s*(?P<names>{_PERSON}(?:[\s、，,]+{_PERSON})*)\s*[/／|｜丨]\s*"
    rf"(?P<outlet>[{HAN}A-Za-z0-9]{{1,16}}{_OUTLET_END})\s*$"
)


def author_outlet(text: str) -> re.Match[str] | None:
    """An unlabelled ``names/outlet`` byline, when every name has a person's shape: a breadcrumb
    such as 首页/新闻中心 has the same form."""
    match = AUTHOR_OUTLET.match(text)
    if not match:
        return None
    names = [n for n in _NAMES_SPLIT.split(match.group("names")) if n]
    return match if all("·" in n or "•" in n or looks_like_person(n) for n in names) else None


@dataclass(frozen=True)
class Person:
    """One credited person: the role as shown (or None) and the cleaned name."""

    role: str | None
    name: str

    def as_dict(self) -> dict[str, str | None]:
        return {"role": self.role, "name": self.name}


@dataclass
class Byline:
    """What a byline says: reporters and editors in page order, and the source outlet."""

    reporters: list[Person] = field(default_factory=list)
    editors: list[Person] = field(default_factory=list)
    source: str | None = None

    def extend(self, other: Byline) -> None:
        """Add another byline's people (each listed once, see ``_list``) and its source if we
        have none."""
        for person in other.reporters:
            _list(self.reporters, person)
        for person in other.editors:
            _list(self.editors, person)
        if self.source is None:
            self.source = other.source


# How much a role says of what a person did: none shown, only the field's label (作者), or a
# role of its own (记者, 通讯员, 责任编辑 …).
_ROLE_SAYS_NOTHING, _ROLE_LABEL_ONLY, _ROLE_OF_ITS_OWN = range(3)


def _how_specific(role: str | None) -> int:
    if role is None:
        return _ROLE_SAYS_NOTHING
    return _ROLE_LABEL_ONLY if role in _LABELS else _ROLE_OF_ITS_OWN


# Credits for one part of the content alone (a picture, a video, a graphic): never the writer's.
_OWN_WORK = PICTURE_ROLES | CRAFT_SET


def _list(people: list[Person], person: Person) -> None:
    """Add ``person`` to ``people`` unless the same person is listed already.

    A page credits one person in more than one place: 作者：张三 over the text and （记者 张三）
    in its dateline, or a sign-off （张三） under it. That is one person, in the place of the
    first credit, with the role that says the most. Two roles of their own (记者 and 通讯员,
    文 and 摄) are two credits, and a picture or video credit never merges: 张三 摄 under a
    photo says the person took it, not that they wrote the story.
    """
    # Names and roles compared directly, not the dataclasses: their generated __eq__ is a
    # Python call per person listed, and this runs for every credit of every page.
    name, role = person.name, person.role
    for index, known in enumerate(people):
        if known.name != name:
            continue
        if known.role == role:
            return
        if known.role in _OWN_WORK or role in _OWN_WORK:
            continue
        # At most one credit of a name says less than a role of its own (the merges keep it so),
        # so the first one this credit merges with is the one.
        rank, known_rank = _how_specific(role), _how_specific(known.role)
        if rank < _ROLE_OF_ITS_OWN and rank <= known_rank:
            return  # listed already with a role that says as much or more
        if known_rank < _ROLE_OF_ITS_OWN and known_rank < rank:
            people[index] = person
            return
    people.append(person)


# Colons of other forms that credits are typeset with, Hong Kong and Taiwan pages most: the
# vertical two-dot leader (記者︰張三), the small colon (編輯﹕李四) and the ratio sign (文∶王五).
# Each is read as the full-width colon: none is ever part of a name.
_COLON_FORMS = str.maketrans({"︰": "：", "﹕": "：", "∶": "："})


def unify_colons(text: str) -> str:
    """The text with every colon form a credit may be typeset with written as ``：``."""
    return text.translate(_COLON_FORMS)



def _name_before_place(run: str) -> str:
    """The name at the head of a name glued to a place (王小明台北 → 王小明).

    Nothing marks where the one ends and the other begins; personal names have two or three
    characters and the places reporters file from mostly two (台北, 北京, 东京), some three or
    four (华盛顿, 乌鲁木齐): four characters read as two and two, longer runs keep three.
    """
    if len(run) <= 3:
        return run
    return run[:2] if len(run) == 4 else run[:3]


def split_names(text: str) -> list[str]:
    """Clean a run of names and split it into names.

    Names are separated by spaces, 、 or ，. Chinese names hold no spaces: a single Han character
    standing alone is half of a name padded for alignment (``吴 静``, ``吴　静``) and is joined to
    the next part.
    """
    text = clean_text(text).strip(SEPARATORS + " ()（）[]【】")
    parts = [p for p in _NAME_SPLIT.split(text) if p]
    names: list[str] = []
    pending = ""
    for part in parts:
        sent = _SENT_FROM.match(part)
        if sent:
            if not sent.group("name"):
                continue
            part = sent.group("name")
        filed = _PLACE_FILED.match(part)
        if filed:
            if names or pending:
                continue  # 记者 张三 北京报道: where the story was filed from, not a second name
            part = _name_before_place(filed.group("run"))  # 张三报道, 张三北京报道
        part = _FILLER.sub("", part).strip(SEPARATORS)
        glued = _DIGIT_TAIL.match(part) or _NAME_THEN_TITLE.match(part)
        if glued:
            part = glued.group("name")  # 张三6月1日, 张三系青山大学教授: only the name is a name
        elif _TITLED.search(part):
            continue
        if not any(char.isalpha() for char in part) or ":" in part or "：" in part or part[0].isdigit():
            # No name holds only digits and punctuation (a time), a colon (a notice), or opens with
            # a digit (123rf, a picture library).
            continue
        if pending:
            part, pending = pending + part, ""
        elif len(part) == 1 and _HAN_NAME.match(part):
            pending = part
            continue
        if part in _NOT_NAMES or _is_outlet(part) or _PICTURE_PROVIDED.search(part):
            continue  # the outlet a reporter writes for (文/观察者网 王慧), not a person
        names.append(part)
    if pending:
        names.append(pending)
    if any(_HAN_NAME.match(name) for name in names):
        names = [name for name in names if not _STAFF_CODE.match(name)]
    return names


def _is_outlet(word: str) -> bool:
    # Three characters ending in 报 or 网 (新京报) are an outlet; so is an agency (新华社, 中新社)
    # unless it opens with a common surname (王建社 is a name). Shorter words and other endings
    # need four characters (观察者网, 澎湃新闻), or names such as 李中台 would be lost.
    if not _AFFILIATION.match(word):
        return False
    if len(word) == 3 and word[-1] == "社":
        return not looks_like_person(word)
    return len(word) >= 4 or (len(word) == 3 and word[-1] in "报報网網")


def parse_byline(text: str | None) -> Byline:
    """Read reporters, editors and the source outlet from one byline or credit line."""
    if not text:
        return Byline()
    # A portal prints the same credit lines on page after page (編輯:吳文靜, 来源:湛江云媒):
    # each is read once, and every caller gets a Byline of its own to extend.
    reporters, editors, source = _read_short(text) if len(text) <= _CACHED_LENGTH else _read(text)
    return Byline(list(reporters), list(editors), source)


_People = tuple[tuple[Person, ...], tuple[Person, ...], str | None]
# Credit and meta lines are short; a body paragraph read for a credit is not cached.
_CACHED_LENGTH = 200


def _read(text: str) -> _People:
    byline = _parse(text)
    return tuple(byline.reporters), tuple(byline.editors), byline.source


_read_short = lru_cache(maxsize=4096)(_read)


def _parse(text: str) -> Byline:
    """``parse_byline`` of a non-empty text, read afresh."""
    byline = Byline()
    text = unify_colons(clean_text(text))
    # Both dateline patterns end in 电, 讯 or their Traditional forms: most credit lines hold
    # none, and the lazy patterns would try every position of the line to find that out.
    dateline = "电" in text or "讯" in text or "電" in text or "訊" in text
    if dateline:
        text = _GLUED_DATELINE.sub(
            lambda m: f"{m.group('role')} {_name_before_place(m.group('run'))} ", text
        )
    text = _COMPILED_FROM.sub(" ", text)
    text = _FILED_FROM.sub(" ", _DATELINE.sub(" ", text) if dateline else text)
    # Brackets and bullets only group or mark a credit line; they carry no meaning for the grammar.
    text = _BRACKETS.sub(" ", text)
    matches = _field_matches(text)
    if not matches:
        unlabelled = author_outlet(text)
        if unlabelled:
            byline.source = unlabelled.group("outlet")
            text = unlabelled.group("names")
        _add_names(byline, None, text)
        return byline
    # Text before the first role is only taken when a role follows the names ("李嘉斌 摄"):
    # otherwise it is a site name or a date, not a person.
    _add_names(byline, None, text[: matches[0].start()], postfix_only=True)
    pending: list[str] = []
    skip = -1
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        value = text[match.end() : end]
        if index == skip or match.group("noise") or match.group("organisation"):
            continue  # 阅读：1234, 制作单位：某某融媒体中心
        if match.group("original"):
            following = matches[index + 1] if index + 1 < len(matches) else None
            if following is not None and following.group("compiler") and value.strip() and not value[-1].isspace():
                # 原创：路闻卓立编译 人民币交易与研究: the role is glued to the name before it.
                after = matches[index + 2].start() if index + 2 < len(matches) else len(text)
                value = f"{value}{following.group('compiler')} {text[following.end() : after]}"
                skip = index + 1
            if _original_author(byline, value):
                continue
        if match.group("source") or match.group("original"):
            # The outlet, not the time printed after it (来源：新华社 2024-04-23 12:27).
            source = _BEFORE_DIGITS.split(clean_text(value).strip(SEPARATORS + " "))[0]
            byline.source = byline.source or (source or None)
            continue
        role = match.group("multi") or match.group("single") or match.group("compiler")
        if end < len(text) and value:
            following = matches[index + 1]
            next_role = following.group("multi") or following.group("single") or following.group("compiler") or ""
            # The words right before the next role may be its outlet or column, not a name:
            # 文/观察者网专栏作者 王文, 通讯员 李四 新京报记者 王五; nor is a bureau (驻京记者)
            # or a word that qualifies the next role (编辑：张三 实习编辑：李四, 副主编).
            head, _, last = value.rstrip().rpartition(" ")
            last = last.strip(SEPARATORS)
            glued = not value[-1].isspace()
            # A name comes after 记者, never glued before it: 采写：南都记者 张三 (a short form
            # of the outlet's name), where 通讯员 may follow a name (記者陳荔雅特約通訊員譚總).
            before_reporter = glued and next_role.endswith(("记者", "記者")) and _HAN_WORD.match(last)
            if (glued and _AFFILIATION.match(last)) or before_reporter or (
                head and (last in _QUALIFIERS or (glued and last[:1] in "驻駐" and len(last) <= 4))
            ):
                value = head
        if not value.strip(SEPARATORS + " ") or (not is_editor_role(role) and not split_names(value)):
            # A role right before another (or before only the outlet: 文/新京报 记者 张三): 作者
            # is only a field label (作者:记者…), any other role applies to the names that
            # follow (文/图 记者 李嘉斌).
            if role not in _LABELS:
                pending.append(role)
            continue
        first = value.split(None, 1)[0] if value.strip() else ""
        if (
            value[:1] not in SEPARATORS + " " and len(first) > 4 and _HAN_WORD.match(first)
            and not _SENT_FROM.match(first) and not _PLACE_FILED.match(first)
        ):
            continue  # 记者探访青山夜市: the role word inside a sentence, no byline
        if role in CRAFT_SET and not all(
            looks_like_person(name) or "·" in name for name in split_names(value)
        ):
            pending = []
            continue  # 视频：龙舟赛现场, 设计：金属机身: a word of the text, not a credit
        # A content role right before an editorial one only qualifies it (文字编辑, 图片编辑).
        also = [r for r in pending if is_editor_role(r) == is_editor_role(role)]
        _add_names(byline, role, value, also=also)
        pending = []
    return _without_staff_codes(byline)


# A name with the compiler's role glued to it: 路闻卓立编译.
_NAME_COMPILED = re.compile(rf"^(?P<name>[{HAN}]{{2,4}})(?P<role>{alternation(COMPILER_ROLES)})$")


def _original_author(byline: Byline, value: str) -> bool:
    """Read ``原创：作者 公众号`` (a WeChat article's header, kept in a repost) as its author: a
    person's name (or one with 编译 glued on) followed by the account's name, which is neither a
    person nor the story's outlet. ``原创：青山日报`` alone names the outlet (False)."""
    words = clean_text(value).strip(SEPARATORS + " ").split()
    compiled = _NAME_COMPILED.match(words[0]) if words else None
    if compiled:
        _add(byline, compiled.group("role"), compiled.group("name"))
        return True
    if len(words) >= 2 and looks_like_person(words[0]):
        _add(byline, None, words[0])
        return True
    return False


def _without_staff_codes(byline: Byline) -> Byline:
    """Drop staff codes (排版：ZB012) from a byline that names people: the code is an account."""
    people = byline.reporters + byline.editors
    if any(_HAN_NAME.match(p.name) for p in people) and any(_STAFF_CODE.match(p.name) for p in people):
        byline.reporters = [p for p in byline.reporters if not _STAFF_CODE.match(p.name)]
        byline.editors = [p for p in byline.editors if not _STAFF_CODE.match(p.name)]
    return byline


def _field_matches(text: str) -> list[re.Match[str]]:
    """Role and source-label matches; inside a source value only labels at a boundary count."""
    matches: list[re.Match[str]] = []
    for match in PREFIX_PATTERN.finditer(text):
        in_source = bool(matches) and matches[-1].group("source") is not None
        at_boundary = match.start() == 0 or text[match.start() - 1] in _BOUNDARY_BEFORE
        # …or where a separator follows: "来源:湛江云媒作者:记者…" (spans rendered glued).
        if in_source and not at_boundary and not _SEPARATOR_AFTER.match(text, match.end()):
            continue
        role = match.group("multi") or match.group("single") or match.group("compiler")
        if (
            role in SINGLE_CHAR_ROLES
            and match.start() >= 2
            and text[match.start() - 1] in "/／"
            and _HAN_NAME.match(text[match.start() - 2])
        ):
            continue  # 黄思远/文: a role written after the name it credits
        if role in POSTFIX_SET and not text[match.end() :].strip(SEPARATORS + " "):
            continue  # a role ending the line (记者 李嘉斌 文/图) applies to the names before it
        matches.append(match)
    return matches


def _add_names(
    byline: Byline,
    role: str | None,
    text: str,
    postfix_only: bool = False,
    also: list[str] | None = None,
) -> None:
    """Add the names in ``text`` under ``role``, and under ``also`` (roles written before it).

    Roles written after names (``李嘉斌 摄``, ``黄思远/文 李嘉斌/摄``) credit the names right
    before them, in addition to the prefix role; a photo credit is the exception (below).
    """
    text = text.strip(SEPARATORS + " ")
    segments: list[tuple[str, str | None]] = []
    position = 0
    for postfix in POSTFIX_PATTERN.finditer(text):
        if postfix.start() > position:
            segments.append((text[position : postfix.start()], postfix.group("slashed") or postfix.group("bare")))
        position = postfix.end()
    if postfix_only and not segments:
        return
    segments.append((text[position:], None))
    for segment, postfix_role in segments:
        if postfix_role in PHOTO_POSTFIX and not is_editor_role(role):
            # 记者 李嘉斌 摄, 图片记者黎旭阳、李妍摄: the credit says who took the picture; the
            # words before the names are the photographer's title, not a second credit.
            for name in split_names(segment):
                _add(byline, postfix_role, name)
            continue
        for name in split_names(segment):
            for earlier in also or ():
                _add(byline, earlier, name)
            if role is not None or postfix_role is None:
                _add(byline, role, name)
            if postfix_role is not None:
                _add(byline, postfix_role, name)


# The last word of an organisation's name: a department, an office, a company, a school, a
# government body. People are credited, organisations are not: 出品：某某日报新媒体中心 names who
# produced the page, and a government portal prints its office in the author field (作者：市应急
# 管理局, 作者：区政府办) as often as a person.
_ORGANISATION = re.compile(
    rf"^[{HAN}A-Za-z0-9·]{{2,20}}(?:中心|部|社|公司|集团|集團|委员会|委員會|办公室|辦公室|局|厅|廳|处|處"
    r"|科|组|組|站|台|报|報|网|網|工作室|单位|單位|编辑部|編輯部"
    r"|办|辦|委|政府|院|所|大学|大學|学校|學校|小学|小學|中学|中學|协会|協會|学会|學會|商会|商會|联合会|聯合會"
    r"|工会|工會|医院|醫院|银行|銀行|基金会|基金會|支队|支隊|大队|大隊|派出所|街道|社区|社區|镇|鎮|乡|鄉|村委)$"
)


# A party or league branch (医技党支部, 团支部) signs a story it wrote as a collective author.
_BRANCH = re.compile(r"(?:支部|总支|總支|支委)$")


def _is_organisation(name: str, editor: bool) -> bool:
    """A name of four characters or more that ends like an organisation's, unless it has the
    shape of a person's (欧阳文科: a compound surname and two more). As a writer, a branch of
    the party or the league counts as its members' collective name."""
    if len(name) < 4 or _ORGANISATION.match(name) is None or looks_like_person(name):
        return False
    return editor or not _BRANCH.search(name)


def _add(byline: Byline, role: str | None, name: str) -> None:
    person = Person(role, name)
    editor = is_editor_role(role)
    if _is_organisation(name, editor or role is None):
        return  # an organisation credited in a person's place (作者：市应急管理局) is nobody's name
    _list(byline.editors if editor else byline.reporters, person)
