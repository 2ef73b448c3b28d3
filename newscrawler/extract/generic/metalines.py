"""Meta and credit lines: which short lines near the headline or the body carry bylines, and
their tidying for the byline grammar."""

from __future__ import annotations

import re

from ..byline import author_outlet, unify_colons
from ..credits import _CREDIT_ROLE, has_credit_role
from ..names import looks_like_person
from ..noise import is_noise_line
from ..normalize import HAN, collapse_whitespace
from ..roles import EDITOR_ROLES, NOT_STORY_SOURCES, REPORTER_ROLES, SOURCE_LABELS, alternation
from ..times import TIME_PATTERN, has_bare_minguo
from .lines import Line

_ROLE_WORDS = alternation(REPORTER_ROLES + EDITOR_ROLES + SOURCE_LABELS)
_META_LABEL = re.compile(rf"{_CREDIT_ROLE.pattern}|发布|發布|时间|時間|日期|作者")
SENTENCE = re.compile(r"[。！？!?；;，]")
# Values that name nobody: a byline field left at its placeholder. 本站 ("this site") names no
# person, but as the 来源 value it is what the page says of the story's origin: the site's own
# (a record keeps the 来源 value as shown, as it keeps 本站原创; its URL names the site).
_NOBODY = re.compile(
    r"((?:作者|记者|編輯|编辑|责任编辑|責任編輯|(?P<source>来源|來源)))[于於]?(\s*[:：]?\s*)"
    r"(?:未知|佚名|匿名|不详|不詳|网络整理|网络|網絡|网路|網路|互联网|互聯網|综合|(?(source)(?!))本站|admin|管理员)"
    r"(?=$|[\s|丨/])"
)
# The credit closing a last paragraph: …。（文/图 刘玺东 易赛楠）, …。（张巨峰）; some pages print
# the story's code after it: …。（編輯：王小明）2301.
_TAIL_CREDIT = re.compile(r"[（(](?P<credit>[^（）()]{2,40})[)）]\s*(?:\d{1,8}\s*)?$")
# An author who signs a commentary with a title and no role: （作者系青山大学研究员 张三）,
# （青山大学经济研究所研究员 李四）. The name is the last word, after the title.
_SIGNED_TITLE = re.compile(
    rf"^(?:作者系|作者为|作者為|作者是)?[^，,。；;\s]{{0,20}}?"
    r"(?:大学|大學|学院|學院|研究院|研究所|研究中心|智库|智庫|学会|學會|事务所|事務所|公司|集团|集團)"
    r"[^，,。；;\s]{0,10}?"
    r"(?:研究员|研究員|副教授|教授|讲师|講師|博士|学者|學者|律师|律師|分析师|分析師)"
    rf"\s*(?P<name>[{HAN}]{{2,3}})$"
)
_BARE_NAME = re.compile(rf"^[{HAN}]{{2,3}}$")
# A bracketed name ending in these is an organisation or an outlet, not a person.
_ORG_END = re.compile(r"[社网網报報台局部会會院处處办辦委厅廳站刊馆館司组組队隊所中]$")
TIME_LABELLED = re.compile(r"(?:发布|發布|發佈|更新|出版|公开|公開)?(?:时间|時間|日期)\s*[:：]")
# A time labelled as the publication's own (发布日期：, 公开日期：), not any 时间：.
PUBLISHED_LABELLED = re.compile(r"(?:发布|發布|發佈|公开|公開)(?:时间|時間|日期)\s*[:：]")
BYLINE_WINDOW = 12
CREDIT_WINDOW = 30
MAX_BYLINE_LENGTH = 160
MAX_CREDIT_LENGTH = 80


_LABEL_WORDS = alternation(
    tuple(r for r in REPORTER_ROLES + EDITOR_ROLES + SOURCE_LABELS if len(r) > 1)
    + ("发布", "發布", "时间", "時間", "日期", "作者", "发表于", "发布于")
)
# A label at a field boundary or followed by a colon: not 作者 inside 工作者.
_BOUNDED_LABEL = re.compile(rf"(?:^|(?<=[\s|丨/:：\]】)）(（]))(?:{_LABEL_WORDS})|(?:{_LABEL_WORDS})\s*[:：]")
_SUMMARY = re.compile(r"(?:摘要|导语|導語|内容提要|內容提要|简介|簡介|编者按|編者按)\s*[:：]")
_CHROME_WORDS = re.compile(r"^(?:字号|字號|关注|關注|分享|收藏|打印|评论|評論|举报|舉報|[大中小\s]+|A[+-])")


_LONG_HAN_RUN = re.compile(rf"[{HAN}]{{15,}}")

# A two-character label spaced out to line up with others (来 源：, 作　者：, 编 辑：), as county
# and government portals set their meta rows: read as the label. Only a known label is joined, so
# a padded name (王 明：) stays as it is.
_SPACED_LABEL = re.compile(rf"(?<![{HAN}])([{HAN}])[ \u3000\xa0]{{1,3}}([{HAN}])(?=\s*[:：])")
_TWO_CHARACTER_LABELS = frozenset(
    label for label in REPORTER_ROLES + EDITOR_ROLES + SOURCE_LABELS + ("时间", "時間", "日期", "作者")
    if len(label) == 2
)


def join_spaced_labels(text: str) -> str:
    """``text`` with its spaced two-character labels written whole (来 源：青山日报 → 来源：青山日报)."""
    if "：" not in text and ":" not in text:
        return text
    return _SPACED_LABEL.sub(
        lambda m: m.group(1) + m.group(2) if m.group(1) + m.group(2) in _TWO_CHARACTER_LABELS else m.group(0),
        text,
    )


def is_meta_line(text: str) -> bool:
    """A meta line near the headline: short, not prose, with a time or a labelled field."""
    if len(text) > MAX_BYLINE_LENGTH or "。" in text or text.count("，") > 1 or is_noise_line(text):
        return False
    if _SUMMARY.match(text):
        return False
    if _BOUNDED_LABEL.search(text) or _BOUNDED_LABEL.search(join_spaced_labels(text)) or author_outlet(text):
        return True
    # A time alone, or with short fields (names, an outlet); not a sentence that holds a date.
    # A Minguo date without its era (113-03-05) is one too: whether it is read as a time is
    # decided with the page's script.
    if not TIME_PATTERN.search(text):
        return has_bare_minguo(text) and not _LONG_HAN_RUN.search(text)
    return not _LONG_HAN_RUN.search(TIME_PATTERN.sub(" ", text))


def is_short(line: Line) -> bool:
    return line.chars <= 40 and not SENTENCE.search(line.text)


def is_chrome_line(line: Line) -> bool:
    """Widgets between the meta lines and the text: font size, follow and share buttons."""
    return line.link_share > 0.5 or is_noise_line(line.text) or (
        line.chars <= 8 and bool(_CHROME_WORDS.match(line.text))
    )


# Not 图片来源 and its kind: where a picture or figures came from is no source outlet.
_NOT_STORY_SOURCE = "".join(f"(?<!{word})" for word in NOT_STORY_SOURCES)
# The label may be written 来源于 and be set off by a bar or a slash instead of a colon (来源 | 新华社).
_SOURCE_LABEL = re.compile(
    rf"{_NOT_STORY_SOURCE}(?:{alternation(SOURCE_LABELS)})[于於]?\s*[:：|｜丨︱/／]?\s*"
)
_COUNTERS = re.compile(
    r"(?:浏览|瀏覽|阅读|閱讀|点击|點擊|访问|訪問|播放|人气|人氣)(?:次数|次數|量|数|數)?\s*[:：]?\s*\d*\s*次?"
    r"|\d+\s*(?:次阅读|人阅读|次浏览|条评论|條評論|人参与|人參與|人评论|次播放)"
    r"|(?<!\S)(?:举报|舉報|分享到?|收藏|打印|评论|評論|关注|關注|字号[:：]?|字號[:：]?|[大中小])(?!\S)"
    # The font-size switch in brackets: 【大 中 小】, [大][中][小].
    r"|[\[【(（]\s*大\s*[\]】)）]?\s*[\[【(（]?\s*中\s*[\]】)）]?\s*[\[【(（]?\s*小\s*[\]】)）]"
)
_UPDATED = re.compile(
    rf"(?:最后更新|最後更新|更新时间|更新時間|更新于|更新於|修改时间|修改時間)\s*[:：]?\s*(?:{TIME_PATTERN.pattern})?"
)
_PUBLISHED_VERB = "发布|發布|發佈|发表|發表|出版"
# 发布 alone labels a time only where it stands as a word or before a colon: glued to a name it
# ends an outlet's name, as government new-media accounts are called (来源：上海发布).
_TIME_LABEL = re.compile(
    rf"(?:(?:{_PUBLISHED_VERB})(?:时间|時間|日期|于|於)|(?<![{HAN}])(?:{_PUBLISHED_VERB})|(?:{_PUBLISHED_VERB})(?=\s*[:：])"
    r"|(?:公开|公開)(?:时间|時間|日期)|(?:时间|時間|日期))"
    r"(?=\s|[:：]|\d|$)\s*[:：]?"
)
_TRAILING_NUMBERS = re.compile(r"(?:\s+\d{1,7})+\s*$")
_STAFF_CODE = re.compile(rf"(?<=[{HAN}])_[A-Za-z0-9]+")
_GLUED_LABEL = re.compile(rf"{_NOT_STORY_SOURCE}(?<!注明)(?<!註明)(?:{_LABEL_WORDS})(?=\s*[:：])")
_FIELD_BOUNDARY = frozenset(" :：/|丨(（[【")
# A badge a platform gives a post or its account (原创, 独家, 优质原创作者, 认证作者): printed where
# the outlet would be, never an outlet's name.
BADGE = r"(?:原[创創]|[独獨]家|首[发發]|[优優][质質]|[认認][证證])"
# The lone word after the time; never 来自广东 or IP属地 (where the poster's IP address is), nor
# what else pages print after a date: the weekday, the lunar date, the print page, a button.
_NOT_OUTLET_AFTER_TIME = (
    r"来自|來自|IP|星期|礼拜|禮拜|周[一二三四五六日天]|週[一二三四五六日天]|农历|農曆|第\S{0,4}版|[A-Z]?\d+版"
    r"|打印|关闭|關閉|返回|收藏|分享|[\[【(（]"
    rf"|{BADGE}"
    # …nor the rest of the time: half of the day, its zone.
    r"|(?:[AaPp]\.?[Mm]\.?|GMT|UTC|[ECMP][SD]T|CST|北京|上午|下午|中午|晚上|凌晨|早上)(?![A-Za-z])"
)
_TIME_AND_OUTLET = re.compile(
    rf"^(?P<time>{TIME_PATTERN.pattern})\s*(?:[·•|｜丨]\s*|\s)(?!{_NOT_OUTLET_AFTER_TIME})"
    r"(?P<outlet>[^\s:：|丨/\d][^\s:：|丨/]{1,19}?)(?<!版)"
    r"\s*(?:\[[^\]]{1,4}\]|【[^】]{1,4}】|（[^）]{1,4}）|\([^)]{1,4}\))?$"
)

# …or the outlet before the time (人民网 2024-06-23 07:40): then only a word shaped like an
# outlet's name, since a column, a channel (国际新闻) or a person stands there as often.
_OUTLET_AND_TIME = re.compile(
    rf"^(?P<outlet>[{HAN}A-Za-z0-9·]{{1,16}}(?:报|報|网|網|社|电视台|電視台|客户端|客戶端))\s*[·•|｜丨]?\s*"
    rf"(?P<time>{TIME_PATTERN.pattern})$"
)

# 来自 before an outlet's name names the story's source (· 来自青山日报, 来自：青山晚报客户端,
# 本文来自青山发布); before a bare place it says where the poster's IP address is (来自广东),
# which the pattern below drops. A station ends in 电视台 or 电台, never in 台 alone (来自烟台);
# a device a post was sent from is no outlet (来自iPhone客户端, 来自手机客户端).
_FROM_OUTLET = re.compile(
    rf"(?:^|(?<=[\s·•|｜丨]))(?:本文|此文|该文|該文)?[来來]自\s*[:：]?\s*"
    r"(?!(?:手机|手機|安卓|苹果|蘋果|移动|移動|网页|網頁|电脑|電腦)客)"
    rf"(?=[{HAN}·]{{1,14}}?(?:报|報|网|網|社|(?:电视|電視|电|電)台|客户端|客戶端|发布|發布|發佈|新闻|新聞)"
    r"(?:$|[\s|｜丨/，,（(]))"
)
# Where the poster's IP address is (IP属地：广东, 来自北京市): neither a person nor an outlet.
_IP_LOCATION = re.compile(rf"(?:IP\s*[属屬]地\s*[:：]?|(?<!\S)[来來]自)\s*[{HAN}]{{2,8}}(?!\S)")


# Link and button text that a page glues to the end of a byline: 向雪妮返回富达，查看更多.
_UI_PHRASE = re.compile(
    r"(?:返回|查看更多|查看全部|点击查看|點擊查看|阅读全文|閱讀全文|展开全文|展開全文|阅读原文|閱讀原文)"
    r"[^\s，,|丨:：]{0,6}"
)
FIELD_LABEL = re.compile(
    rf"{_CREDIT_ROLE.pattern}|(?:^|(?<=[\s/|丨:：(（]))(?:文|图|圖|摄|攝)\s*[/:：]|(?:^|(?<=\s))原[创創]\s*[:：]"
)


# A repost note on a meta or credit line, with or without its colon: 本文转载自青山日报. 本文 ("this
# article") opens the label; it names nobody.
_REPOST = re.compile(
    rf"{_NOT_STORY_SOURCE}(?:本文|此文|该文|該文)?(?P<label>转载自|轉載自|转自|轉自)\s*[:：]?\s*(?=[^\s:：])"
)
_THIS_ARTICLE = re.compile(r"(?:本文|此文)(?=(?:来源|來源|出处|出處)\s*[:：于於]?)")


def _labelled_repost(match: re.Match[str]) -> str:
    return f"{match.group('label')}："


def tidy_byline(text: str) -> str:
    """Prepare a meta or credit line for the byline grammar.

    Drops what is not a byline field (view and comment counters, buttons, summaries, update
    times, placeholder names, staff codes after names), puts a space before a label glued to
    the previous field (``证券时报网作者：李在山``), keeps only the outlet after 来源 (``来源:
    新京报 举报``), and reads a lone name after the time as the source (``2019-09-26 10:56
    证券时报网``), as portals print it. A repost note reads as its label with or without a colon
    (``本文转载自青山日报``: the source; 本文 names nobody).
    """
    text = join_spaced_labels(unify_colons(text))
    text = _REPOST.sub(_labelled_repost, text)
    if "自" in text:
        text = _FROM_OUTLET.sub("来源：", text)
    text = _THIS_ARTICLE.sub("", text)
    text = strip_nobody(text)
    text = _IP_LOCATION.sub(" ", text)
    text = _UI_PHRASE.sub(" ", text)
    text = _STAFF_CODE.sub("", text)
    # The update time goes whole before the time labels go: else 更新时间 would lose only its
    # 时间 and leave 更新 to be read as a name (作者：张三 更新时间：2005-3-5).
    text = _UPDATED.sub(" ", text)
    text = _TIME_LABEL.sub(" ", text)
    summary = _SUMMARY.search(text)
    if summary:
        text = text[: summary.start()]
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
        # The outlet ends at a space, a bar or a bracket: 来源：青山日报（记者 张三）.
        token = re.match(r"[^\s|丨｜︱（(]*", rest).group(0)  # type: ignore[union-attr]
        following = _BOUNDED_LABEL.search(rest, len(token))
        tail = rest[following.start():] if following else ""
        text = f"{text[: source.end()]}{token} {tail}".strip()
    elif not _BOUNDED_LABEL.search(text):
        match = _TIME_AND_OUTLET.match(text) or _OUTLET_AND_TIME.match(text)
        # A company's registered name there is the publishing account's owner, not an outlet;
        # a personal name there is an unlabelled author (2004-05-06 张三), not an outlet either.
        outlet = match.group("outlet") if match else ""
        # A byline glued to its outlet (中央社記者陳小明) is no outlet either: the grammar reads it.
        if match and not re.search(r"(?:公司|集团|集團)$", outlet) and not has_credit_role(outlet) and not (
            looks_like_person(outlet) and not re.search(r"[报報网網社台刊]$", outlet)
        ):
            text = f"{match.group('time')} 来源：{match.group('outlet')}"
    return text


def strip_nobody(text: str) -> str:
    """Remove placeholder values (``作者：未知``) that would read as names."""
    return _NOBODY.sub(r"\1\3 ", text)


def tail_credit(paragraph: str) -> str | None:
    """A bracketed credit closing a paragraph: roles and names, or one bare personal name."""
    match = _TAIL_CREDIT.search(paragraph)
    if not match:
        return None
    credit = match.group("credit").strip()
    signed = _SIGNED_TITLE.match(credit)
    if signed:
        return signed.group("name")
    if has_credit_role(credit) or re.search(r"(?:^|[\s/])(?:文|图|圖|摄|攝)(?:[\s/:：]|$)", credit):
        if len(credit) <= 30 and not SENTENCE.search(credit):
            return credit
        return None
    # A bare word must have a person's shape: a serial's （待续）, （未完） and a wire's short tag
    # （央视）, （新华） close paragraphs in the same brackets.
    if _BARE_NAME.match(credit) and not _ORG_END.search(credit) and looks_like_person(credit):
        return credit
    # One or several bare names (欧阳娜娜, 张三 李四, 张三、李四): each with a person's shape.
    names = [n for n in re.split(r"[\s、，,]+", credit) if n]
    if 1 <= len(names) <= 4 and all(looks_like_person(n) for n in names):
        return credit
    return None



# A paragraph that is only a bracketed credit, with the story's code a page may print after it:
# （袁源）, （张三 李四）, （編輯：王小明）2301.
_BRACKETED_ONLY = re.compile(r"^[（(][^（）()]{2,40}[)）]\s*(?:\d{1,8})?$")
# A paragraph that is only one to three personal names: 张三, 张三 李四, 张三、李四.
_NAMES_ONLY = re.compile(rf"^[{HAN}]{{2,4}}(?:[\s、，,]+[{HAN}]{{2,4}}){{0,2}}$")


def sign_off(paragraph: str) -> str | None:
    """The credit of a closing sign-off standing as a paragraph of its own: a bracketed credit
    with a role or personal names (（袁源）, （记者 刘涛）), or personal names alone (张三 李四),
    as wire stories and portals sign their last line. None for a paragraph of text, and for a
    bracketed word that is no name (（待续）, （新华社）)."""
    if _BRACKETED_ONLY.match(paragraph):
        credit = tail_credit(paragraph)
        if credit is None:
            return None
        words = [w for w in re.split(r"[\s、，,]+", credit) if w]
        return credit if has_credit_role(credit) or all(map(looks_like_person, words)) else None
    if _NAMES_ONLY.match(paragraph):
        words = [w for w in re.split(r"[\s、，,]+", paragraph) if w]
        return paragraph if all(map(looks_like_person, words)) else None
    return None
