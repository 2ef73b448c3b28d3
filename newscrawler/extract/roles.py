"""The roles of the byline grammar: the words pages label credits with, and what each names.

Every role word is listed in both scripts and falls in one class: a reporter role (people who
made the content: 记者, 通讯员, 摄 …), an editor role (editorial staff: 编辑, 值班主任 …), a source
label (来源: the outlet, never a person), an organisation label (主办单位: who runs the page) or
a noise label (阅读: a counter). Video and graphics credits (``CRAFT_ROLES``: 视频, 拍摄, 制图 …)
are reporter roles read only before a separator. ``PREFIX_PATTERN`` finds the labels written
before the names they apply to, ``POSTFIX_PATTERN`` the roles written after them (李嘉斌 摄).
The grammar that reads names around them is ``byline.py``.
"""

from __future__ import annotations

import re

from .normalize import HAN
from .prefilter import guarded

# Who put a story together from other material: 编译/张三, 整理：李四. Roles only when a separator
# or a space follows: 整理自澎湃新闻 says where the text came from.
COMPILER_ROLES = ("编译", "編譯", "整理", "整合")
# Who translated a story: 翻译：张三, 译者 李四. Roles only before a separator or a space, as
# the compilers' (翻译成 is a verb).
TRANSLATOR_ROLES = ("翻译", "翻譯", "译者", "譯者")
# Text and pictures by the same person, written as one word: 图文：张三, 文图 | 李四. Roles only
# when a separator or a space follows, as the compilers' roles: 图文直播 and 图文并茂 are words.
COMBINED_ROLES = ("图文", "圖文", "文图", "文圖")
# Who made a story's video or graphics, or told it: 视频：张三, 拍摄/李四, 剪辑：王五, 制图：赵六,
# 设计：钱七, 海报：孙八, and the narrator of a first-person account (口述：周九, beside the
# 整理 who wrote it down). They made the content, as a 摄 or 摄像 credit does: reporters with
# the role shown. Each word is as often a word of the text (视频：龙舟赛现场, 设计：金属机身),
# so they are roles only before a separator, and only over names of a person's shape
# (``byline.py``); they are no field labels of a meta line (``REPORTER_ROLES``).
CRAFT_ROLES = (
    "视频", "視頻", "拍摄", "拍攝", "剪辑", "剪輯", "制图", "製圖", "设计", "設計", "海报", "海報",
    "口述",
)
# Roles of people who made the content, as pages write them (both scripts).
REPORTER_ROLES: tuple[str, ...] = (
    "本报记者", "本報記者", "本台记者", "本台記者", "本网记者", "本網記者",
    "特约记者", "特約記者", "特约通讯员", "特約通訊員", "特约撰稿人", "特約撰稿人", "特约撰稿", "特約撰稿",
    # Who gathered and wrote the story: 采写：张三.
    "采写", "採寫",
    # Who sent the story in, on school and association sites its writer: 投稿人：张三.
    "投稿人",
    "融媒体记者", "融媒體記者", "全媒体记者", "全媒體記者", "见习记者", "見習記者",
    "首席记者", "首席記者", "记者", "記者", "通讯员", "通訊員", "实习生", "實習生",
    "特约评论员", "特約評論員", "评论员", "評論員", "撰文", "撰稿人", "撰稿", "执笔", "執筆", "主笔", "主筆",
    "摄影", "攝影",
    # The kinds of reporter pages print as one word: the qualifier is no name of its own.
    "特派记者", "特派記者", "驻站记者", "駐站記者", "实习记者", "實習記者", "视频记者", "視頻記者",
    "摄影记者", "攝影記者", "资深记者", "資深記者",
    "摄像", "攝像", "作者", "文/图", "文/圖", "图/文", "圖/文",
    *COMBINED_ROLES,
    *TRANSLATOR_ROLES,
    "文字", "图片", "圖片", "文", "图", "圖", "摄", "攝",
    *COMPILER_ROLES,
)
# Roles of editorial staff.
EDITOR_ROLES: tuple[str, ...] = (
    "责任编辑", "責任編輯", "值班主任", "值班编委", "值班編委", "值班总编", "值班總編",
    "编辑", "編輯", "责编", "責編", "审核", "審核", "校对", "校對", "编审", "編審",
    "审校", "審校", "初审", "初審", "二审", "二審", "三审", "三審", "终审", "終審",
    "美编", "美編", "监制", "監製", "统筹", "統籌", "主编", "主編", "制作", "製作",
    "责任校对", "責任校對", "选稿", "選稿", "审稿", "審稿", "签发", "簽發", "出品人", "出品",
    "策划", "策劃", "排版", "组版", "組版", "复审", "複審",
    # Who put the story online, the last step of a portal's sign-off chain after 审核 and 签发:
    # 发布人：张三, 发布者：李四. Site staff, not the writer.
    "发布者", "發布者", "发布人", "發布人",
)
# Government portals name the person in each step of the sign-off chain with 人: 审核人：张三,
# 签发人：李四. The same roles.
EDITOR_ROLES += tuple(
    f"{role}人" for role in (
        "编辑", "編輯", "审核", "審核", "审稿", "審稿", "校对", "校對", "签发", "簽發", "初审", "初審",
        "复审", "複審", "终审", "終審",
    )
)
# Labels whose value is an organisation or a place, never a person nor the source outlet: who
# produced or hosts the page (制作单位：…, 版权所有：…) and where a commenter's IP is (IP属地：广东).
ORGANISATION_LABELS = (
    "制作单位", "製作單位", "出品单位", "出品單位", "主办单位", "主辦單位", "承办单位", "承辦單位",
    "协办单位", "協辦單位", "主办", "主辦", "承办", "承辦", "协办", "協辦", "技术支持", "技術支持",
    "版权所有", "版權所有", "IP属地", "IP屬地",
)
# Labels whose value is the source outlet, never a person.
SOURCE_LABELS = (
    "稿件来源", "稿件來源", "文章来源", "文章來源", "新闻来源", "新聞來源", "信息来源", "信息來源",
    "来源", "來源", "稿源", "出处", "出處",
    # Where a repost was taken from: 转自：青山日报.
    "转载自", "轉載自", "转自", "轉自",
)
# Page furniture on meta lines: counters and buttons, whose values are neither people nor outlets.
NOISE_LABELS: tuple[str, ...] = (
    "浏览次数", "瀏覽次數", "阅读次数", "閱讀次數", "点击次数", "點擊次數", "访问次数", "訪問次數",
    "阅读数", "閱讀數", "浏览数", "瀏覽數", "点击数", "點擊數",
    "阅读量", "閱讀量", "浏览量", "瀏覽量", "点击量", "點擊量", "阅读", "閱讀", "浏览", "瀏覽",
    "点击", "點擊", "访问", "訪問", "字号", "字號", "字体", "字體", "评论", "評論", "分享",
    "原文链接", "原文鏈接", "原文地址", "本文链接", "本文鏈接", "链接", "鏈接", "网址", "網址",
)
# What a 来源 may be about other than the story: where a picture, a video or figures came from
# (图片来源：视觉中国) is not the story's source outlet.
NOT_STORY_SOURCES = (
    "图片", "圖片", "题图", "題圖", "封面", "配图", "配圖", "视频", "視頻", "数据", "數據", "资料", "資料",
)
NOISE_LABELS += tuple(f"{what}{label}" for what in NOT_STORY_SOURCES for label in ("来源", "來源"))
# Roles written after the names they apply to.
POSTFIX_ROLES = ("摄影", "攝影", "摄", "攝", "文/图", "文/圖", "图/文", "圖/文")

_EDITOR_SET = frozenset(EDITOR_ROLES)
POSTFIX_SET = frozenset(POSTFIX_ROLES)
# Postfix roles that credit a picture alone (文/图 credits the text too).
PHOTO_POSTFIX = frozenset({"摄影", "攝影", "摄", "攝"})
# Roles that credit pictures alone, written before or after the names (文/图 credits text too).
PICTURE_ROLES = PHOTO_POSTFIX | frozenset({
    "摄像", "攝像", "摄影记者", "攝影記者", "图", "圖", "图片", "圖片",
})
CRAFT_SET = frozenset(CRAFT_ROLES)
# Separators between a label and its value or between names: bars and slashes of every width
# (︱ and │ are the vertical forms some CMS fonts use); none is ever part of a name.
SEPARATORS = ":：/／|丨｜︱│"
# Roles of one character (文, 图, 摄): read only at a boundary, or they would come out of names.
SINGLE_CHAR_ROLES = frozenset(r for r in REPORTER_ROLES + EDITOR_ROLES if len(r) == 1)


def alternation(words: tuple[str, ...]) -> str:
    """A regex alternation of ``words``, longest first, so that 本报记者 wins over 记者."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


# A prefix role: multi-character roles may touch the name before them ("記者陳荔雅特約通訊員譚總"
# is rare but real); a single-character role (文, 图, 摄) must stand at a boundary and be followed
# by a separator, or it would be read out of a name like 吴文静; nor may it follow a lone character
# and a space, where it is the second half of a padded name (记者 吴 文).
_SEPARATED_ROLES = COMPILER_ROLES + COMBINED_ROLES + TRANSLATOR_ROLES
_MULTI_ROLES = tuple(r for r in REPORTER_ROLES + EDITOR_ROLES if len(r) > 1 and r not in _SEPARATED_ROLES)
# Behind a lookahead for its first characters (``guarded``): hundreds of words, tried at every
# position of every meta line otherwise.
PREFIX_PATTERN = guarded(re.compile(
    rf"(?P<noise>{alternation(NOISE_LABELS)})(?=\s*[:：]|\s*\d)"
    rf"|(?P<organisation>{alternation(ORGANISATION_LABELS)})"
    # 来源于 reads as 来源 (来源于新华社); not in a notice: 转载请注明来源：… asks others to
    # credit the site.
    rf"|(?<!注明)(?<!註明)(?P<source>{alternation(SOURCE_LABELS)})(?:[于於](?=\s*\S))?(?:\s*[{SEPARATORS}]|\s+)?"
    # The craft roles (视频, 设计 …) only before a separator: 设计 方案 is a phrase.
    rf"|(?P<compiler>(?:{alternation(_SEPARATED_ROLES)})(?=\s*[{SEPARATORS}]|\s)"
    rf"|(?:{alternation(CRAFT_ROLES)})(?=\s*[{SEPARATORS}]))"
    # 原创：39健康网 — original content of the outlet named; a bare 原创 is a tag (原创 张三).
    rf"|(?P<original>原创|原創)\s*[:：]"
    rf"|(?P<multi>{alternation(_MULTI_ROLES)})"
    rf"|(?:(?<=^)|(?<=[\s(（{SEPARATORS}]))(?<![\s(（{SEPARATORS}][{HAN}]\s)(?<!^[{HAN}]\s)"
    rf"(?P<single>{alternation(tuple(SINGLE_CHAR_ROLES))})"
    rf"(?=\s*[{SEPARATORS}]|\s)"
    # …nor may it be followed by one lone character: then it is the first half of a padded
    # name (编辑:文  静).
    rf"(?!\s+[{HAN}](?:$|[\s、，,]))"
))
# A role written after the names it credits: "李嘉斌 摄", "李嘉斌/摄", "李嘉斌摄", "黄思远/文";
# 文 and 图 only with the slash, 摄 not as the verb 拍摄.
POSTFIX_PATTERN = re.compile(
    rf"\s*(?:[/／]\s*(?P<slashed>{alternation(POSTFIX_ROLES + ('文', '图', '圖'))})"
    rf"|(?<![拍/／])(?P<bare>{alternation(POSTFIX_ROLES)}))(?=[\s、，,]|$)"
)


def is_editor_role(role: str | None) -> bool:
    """True for editorial staff roles (编辑, 值班主任, 责任编辑 …)."""
    return role is not None and role in _EDITOR_SET
