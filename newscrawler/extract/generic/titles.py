"""The page's own title data read for its headline: a <title> cut into its pieces, which piece is
the headline, and the key texts are compared by.

A <title> holds the headline with the names of the site and its channels (``标题_频道_站点``,
``站点名 - 标题``, ``站点 > 频道 > 标题``, an e-paper's ``报名 - 第03版:要闻 - 标题``), or the
site's name alone (``衡山县人民政府门户网站``). The headline piece is the first, or a later one
when the site's name comes first; a piece naming a site or an edition page never is, nor a
column tag opening it (``【新春走基层】``) or the site's greeting (``欢迎您``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ..script import simplified

# Separators between a headline and the site or channel names in a <title>.
# Breadcrumb-style titles (站点名 :: 频道 :: 标题, 站点名 > 频道 > 标题) split at their arrows,
# but not a comparison between figures (增速>6%). A full-width hyphen (标题－站点) splits alone,
# not doubled (－－, a headline's dash) nor between figures. 丨 and · open a column (专访丨…, 两会·…) inside
# headlines: they only split off a short last piece, the site's or account's name (…丨东湖发布).
_TITLE_SPLIT = re.compile(
    r"\s*(?:_|\||｜|--+|—+|\s-\s|(?<![\dA-Za-z])-(?![\dA-Za-z])|(?<![\d０-９－])－(?![\d０-９－])|\s–\s|·(?=[^·]{2,12}$)|丨(?=[^丨_|｜\-—]{2,12}$)"
    r"|::+|(?<![\dA-Za-z])(?:>+|»+|›+|＞+)(?![\dA-Za-z]))\s*"
)
SPACES = re.compile(r"\s+")
# Dashes and rules a <title> and the page set differently (——, ――, －－, --, ─), and quotation
# marks (“绿色账” in the heading, "绿色账" in the title).
_FOLDED = str.maketrans(
    {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2500\u2501\uff0d\ufe58"}
    | {c: '"' for c in "\u201c\u201d\u201e\u201f\u300c\u300d\u300e\u300f\u301d\u301e"}
    | {c: "'" for c in "\u2018\u2019\u201a\u201b"}
)
# What a <title> adds to say a story has pictures or video, （组图）, [视频]: the page's heading
# leaves it out.
_MARK = r"\s*[(（\[【〔]\s*(?:组?图|多图|附图|图文|视频|音频|高清)\s*[)）\]】〕]\s*"
MEDIA_MARK = re.compile(f"^{_MARK}|{_MARK}$")


@lru_cache(maxsize=4096)  # the same titles and headings are compared again and again
def title_key(text: str) -> str:
    """Text as compared with the title data: without spacing, full-width forms folded (张三： and
    张三: agree), every dash and every quotation mark the same, in Simplified characters (a page
    showing its headline in Traditional script may keep its <title> in Simplified, or the other
    way round), without a media mark."""
    key = simplified(SPACES.sub("", unicodedata.normalize("NFKC", text).translate(_FOLDED)))
    return MEDIA_MARK.sub("", key)


# A dash joining a headline and its second half (记一位老教授——访…), the only separator in the title.
_HEADLINE_DASH = re.compile(r"^[^_|｜]*?(?:——|－－|--)[^_|｜]*$")
# Site and channel names are short; a title piece this long is a headline.
LONG_PIECE = 8
# A page of a print edition named in a title: 第03版:要闻, A03版, 第A3版 本地新闻.
_EDITION_PAGE = re.compile(r"^第?\s*[A-Za-z]?\d{1,3}\s*版(?:$|\s*[:：\s]\s*\S{1,8}$)")


# What old sites set around their <title> as decoration: ``::: 南溪在线 :::``, ``★南溪在线★``,
# ``==南溪在线==``, a whole title in 【】. It is no part of the headline nor of the site's name.
_DECORATION = re.compile(r"^[\s:：=*★☆●○◆◇■□~～#]+|[\s:：=*★☆●○◆◇■□~～#]+$")
_BRACKETED = re.compile(r"^【([^【】]+)】$")


def title_parts(title: str) -> list[str]:
    """A <title> and the pieces it is made of: ``标题_频道_网站`` gives the headline first."""
    title = _DECORATION.sub("", title) or title
    title = _BRACKETED.sub(r"\1", title)
    if "欢迎" in title:
        title = _without_greeting(title)
    parts = [p for p in _TITLE_SPLIT.split(title) if p]
    return [title] + parts if len(parts) > 1 else [title]


# A greeting a site sets in its <title> (南溪在线 -- 欢迎您, 欢迎访问南溪新闻网, 南溪新闻网欢迎你): no
# headline, nor a piece of one. Opening a piece, it takes a verb of visiting (欢迎来到 opens
# headlines too); closing one, it follows a site's name or stands alone (家乡欢迎你 is a headline).
_GREETING_START = re.compile(r"^\s*欢迎(?:您|你)?(?:访问|光临|莅临|登录|登陆)\s*(?:本站)?")
_GREETING_END = re.compile(r"\s*(?:欢迎(?:您|你)(?:的?光临|访问|的?到来)?|欢迎(?:访问|光临|莅临))\s*[!！。~～]*\s*$")
_SEPARATED = re.compile(f"({_TITLE_SPLIT.pattern})")


def _without_greeting(title: str) -> str:
    """A <title> without the site's greeting: a piece that is one goes with the separator before
    it, a piece that holds one keeps the site's name (``欢迎访问南溪新闻网`` gives ``南溪新闻网``)."""
    tokens = _SEPARATED.split(title)
    kept: list[str] = []
    for index in range(0, len(tokens), 2):
        piece = tokens[index]
        rest = _greeting_rest(piece)
        if rest is None or rest:
            if kept:
                kept.append(tokens[index - 1])
            kept.append(piece if rest is None else rest)
    return "".join(kept) if kept else title


def _greeting_rest(piece: str) -> str | None:
    """What a title piece holds besides a greeting ('' for a greeting alone); None when it holds
    no greeting."""
    opening = _GREETING_START.match(piece)
    if opening:
        return piece[opening.end() :].strip(" !！。~～")
    closing = _GREETING_END.search(piece)
    if closing:
        rest = piece[: closing.start()].strip()
        key = title_key(rest)
        if not rest or SITE_TITLE.search(key) or _NAME_END.search(key):
            return rest
    return None


@lru_cache(maxsize=64)
def reference_keys(reference: str) -> tuple[tuple[str, ...], int]:
    """A title's pieces as compared, and which piece is the headline (read once per page)."""
    parts = title_parts(reference)
    return tuple(title_key(part) for part in parts), headline_piece_of(parts)


# A column tag in brackets opening a title or a line: 【新春走基层】, [两会快评], 〔专访〕. It names the
# column a story runs in, not its headline. 「」 quote as often as they tag, so they are none here.
COLUMN_TAG = r"【[^【】]{1,14}】|\[[^\[\]]{1,14}\]|〔[^〔〕]{1,14}〕"
_TAGGED = re.compile(rf"^(?:{COLUMN_TAG})\s*(?=\S.{{3}})")


@lru_cache(maxsize=256)
def without_column_tag(text: str) -> str:
    """A title piece without the column tag opening it (``【新春走基层】标题`` gives ``标题``), at
    least four characters left; the text itself when it opens with none."""
    return _TAGGED.sub("", text, count=1) if text[:1] in "【[〔" else text


def fallback_headline(references: list[str]) -> str | None:
    """The headline a <title> holds when no visible heading matches it: its first piece, without
    a mark such as （组图）."""
    for reference in references:
        parts = title_parts(reference)
        if parts[-1]:
            if (
                len(parts) > 1 and _HEADLINE_DASH.search(reference)
                and all(len(part) >= LONG_PIECE for part in parts[2:])
                and not SITE_TITLE.search(title_key(parts[1]))
            ):
                # A dash, and no piece after it short enough to name a site: a headline's dash. Not
                # when the piece before it names a site (南岛新闻网——标题): the site's name first.
                piece = parts[0]
            else:
                piece = parts[headline_piece_of(parts)]
            piece = MEDIA_MARK.sub("", piece) or piece
            # 【新春走基层】标题--报名: the column tag is no part of the headline.
            return without_column_tag(piece)
    return None


def headline_piece_of(parts: list[str]) -> int:
    """Which piece of ``title_parts`` is the headline: the first (标题_频道_站点名), or on sites
    that put their name first (站点名 - 标题), a much longer later piece."""
    if len(parts) == 1:
        return 0
    # An e-paper's title names the edition page between the paper's name and the headline:
    # 青川日报 - 第03版:要闻 - 标题. The headline follows that piece, whatever their lengths.
    edition = next((index for index in range(1, len(parts) - 1) if _EDITION_PAGE.match(parts[index])), None)
    if edition is not None:
        return max(range(edition + 1, len(parts)), key=lambda index: len(parts[index]))
    # A piece naming a site is none, however long (春天来了 - 青川市人民政府门户网站): the headline
    # is the first other piece, or the last when the site's name comes first. Unless another
    # piece reads as a site's name too: the first is then a headline ending in such a word
    # (我市建成覆盖城乡的就业信息网_青川网).
    site = [index for index in range(1, len(parts)) if SITE_TITLE.search(title_key(parts[index]))]
    rest = [index for index in range(1, len(parts)) if index not in site]
    if site and rest and not any(_NAME_END.search(title_key(parts[index])) for index in rest):
        return rest[-1] if site[0] < rest[0] else rest[0]
    # The edition page alone beside the paper's name (青川日报 - 第A03版:城事) is no headline:
    # such a title names none, and its first piece, the paper's, stands for it.
    pieces = [index for index in range(1, len(parts)) if not _EDITION_PAGE.match(parts[index])] or [1]
    longest = max(pieces, key=lambda index: len(parts[index]))
    if len(parts[1]) < LONG_PIECE and len(parts[longest]) >= 2 * len(parts[1]):
        return longest
    return 1


# How the names of sites and outlets end: 青川网, 青川日报, 青川电视台, 新闻频道.
_NAME_END = re.compile(r"(?:[网網报報台]|频道)$")
# A title naming only the site, however long its name: 衡山县人民政府门户网站, 青川新闻网.
SITE_TITLE = re.compile(
    r"(?:网站|门户|门户网|人民政府|政府网|在线|之窗|新闻网|日报网|晚报网|信息网|资讯网|新闻中心)$"
)
