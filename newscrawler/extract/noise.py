"""Lines that are not article text, by the conventions of Chinese news pages, in both scripts.

Pages put prompts and legal lines in and around the body: 原标题 notes, QR-code and app-download
prompts, share buttons, copyright and disclaimer lines, keyword lists. Normalisation drops them
from every portal's paragraphs; the generic extractor also uses them to tell the body from page
chrome. Each prompt or legal pattern is matched on short lines only, so that a sentence of article
text mentioning 版权 or 二维码 stays.

Widgets set inline with a paragraph are cut from it rather than dropping the line: a slideshow's
counter opening a caption, a player's autoplay switch above the first paragraph, a back link after
the last one. The generic extractor says which line is a caption, the first or the last paragraph
(``strip_photo_counter``, ``strip_autoplay``, ``strip_back_link``).
"""

from __future__ import annotations

import re

from .prefilter import AnyOf

# 原标题：…, 原题为《…》, 【原标题】…, 原文标题：….
_ORIGINAL_TITLE = re.compile(r"^[（(【\[]?\s*(?:(?:本文)?原|原文)(?:标|標)?(?:题|題)\s*(?:为|為)?\s*[:：《】\]]")
_PROMPT = re.compile(
    r"[扫掃]描?(?:下方|上方|文末|左侧|左側|右侧|右側)?二[维維][码碼]|[扫掃]一[扫掃]"
    r"|^[扫掃][码碼]|[扫掃][码碼](?:[关關]注|下[载載]|[阅閱][读讀]|[观觀]看|加入|[进進]群|收[听聽]|[订訂][阅閱]|[领領]取)"
    r"|[长長]按(?:[识識]别|[识識]別|二[维維][码碼]|[图圖]片)|[识識][别別]二[维維][码碼]"
    r"|^\d*[、.]?\s*回[复復]\s*[【\[]|[点點][击擊]菜[单單]|我要跟帖|我要[评評][论論]|已[输輸]入\d+字|^特[别別][声聲]明$"
    r"|下[载載].{0,12}(?:客[户戶]端|APP|App|app)|(?:客[户戶]端|APP|App|app).{0,6}下[载載]|分享到"
    r"|[点點][击擊](?:[阅閱][读讀]原文|[关關]注|下[载載]|查看更多|[进進]入)"
    r"|[关關]注(?:我[们們]|公[众眾][号號]|微信公[众眾][号號])|微信公[众眾][号號][:：]|[阅閱][读讀]原文"
    r"|[点點][击擊]上方|戳[这這][里裡]|^[点點]我|[订訂][阅閱][号號]|^在看$|[点點].{0,3}在看"
    r"|^(?:分享|打印|收藏|[关關]閉|[关關]闭|返回[顶頂]部|字[号號]|[评評][论論]|[点點][赞贊])\S{0,8}$"
    # A follow, subscribe or report button beside an account's name: the word alone.
    r"|^[+＋]?\s*(?:[关關]注|[订訂][阅閱]|[举舉][报報])$"
    # A slideshow's label: 图集, 高清组图.
    r"|^(?:高清)?(?:[图圖]集|[组組][图圖])$",
)
_LEGAL = re.compile(
    r"[版][权權]所有|[版][权權][声聲]明|[版][权權][归歸]"
    r"|未[经經](?:授[权權]|[许許]可|允[许許]|同意).{0,12}(?:[转轉][载載]|使用|[复複]制|摘[编編])"
    r"|不得[转轉][载載]|禁止[转轉][载載]|免[责責][声聲]明|^[声聲]明[:：]|[转轉][载載][请請]注明|Copyright|©"
    r"|本文(?:[为為]|系).{0,20}(?:原创|原創|作者)|[仅僅]代表作者(?:[个個]人)?[观觀]点|[仅僅]代表\S{0,6}[观觀][点點]"
    r"|不代表\S{0,12}(?:[观觀][点點]|立[场場])|(?:[图圖]片|[图圖]文|信息|[内內]容|文章|素材)(?:均)?[来來](?:自|源于|源於)[网網][络絡]"
    r"|如有侵[权權]|侵[删刪]|^【?(?:[编編]者按)?】?$"
)
_MAX_NOISE_LENGTH = 80
# A desk line standing alone, saying how the copy was put together: （本报综合）, （综合新华社、
# 央视新闻）, （据新华社）, or naming the agencies it came from: （中央社）, （法新社、路透社）.
# Not article text. (A 来源 line is a credit, read for the source.)
_DESK = re.compile(
    r"^[（(【\[]\s*(?:(?:本[报報台网網刊站])(?:综合|綜合|[讯訊]|[编編][译譯]|整理)"
    r"|(?:综合|綜合|据|據|[编編][译譯]|整理)[^（）()]{0,24}"
    # A news agency's name alone (or several): （中央社）, （法新社、路透社）, （新华社电）.
    r"|[^\s（）()，。、,]{1,6}社(?:[电電])?(?:\s*[、，,/]\s*[^\s（）()，。、,]{1,6}社(?:[电電])?)*)\s*[)）】\]]$"
)
# Boilerplate blocks that pages print at length, so they are matched on longer lines: a hosting
# platform's disclaimer, comment-board rules, browser-support banners. Their wording is set
# phrases that article prose does not use.
_BOILERPLATE = re.compile(
    r"仅提供信息存储(?:空间)?服务|僅提供信息存儲(?:空間)?服務|[仅僅]提供信息[发發]布平台"
    r"|文明上[网網]|理性[发發]言|[网網]友[评評][论論](?:仅|僅)供|[评評][论論](?:需|须|須)?[经經][过過]?审核"
    r"|遵守.{0,12}(?:法律法[规規]|[国國]家法律)|(?:不得|禁止)[发發]布.{0,20}(?:言论|言論|信息|[内內]容)"
    r"|[浏瀏][览覽]器版本(?:[过過]|太)?低|升[级級](?:您的)?[浏瀏][览覽]器|(?:推荐|推薦|建议|建議)(?:您)?使用.{0,30}[浏瀏][览覽]器"
    r"|最佳[浏瀏][览覽](?:效果|体验|體驗)|[浏瀏][览覽]器.{0,12}(?:不支持|不兼容|兼容性)"
    r"|(?:[转轉][载載]|引用).{0,12}(?:注明|註明)(?:来源|來源|出[处處])|特此[声聲]明|All Rights Reserved|ICP[备備]"
    # A disclaimer set as a paragraph of its own, however long; and a site's statement
    # (声明：本文由…作者撰写，观点仅代表作者本人…) once it speaks of views, rights or reposting.
    r"|^免[责責][声聲]明\s*[:：]"
    r"|^(?:特[别別]|郑重|鄭重)?[声聲]明\s*[:：].{0,80}?(?:[仅僅]代表|不代表|侵[权權]|[转轉][载載]|版[权權])"
    # A site's colophon: who runs it, its address and its licences, each a label with its value
    # (主办：… 地址：…, 互联网新闻信息服务许可证：…, 违法和不良信息举报电话：…, 公网安备 …).
    r"|(?:主[办辦]|主管)(?:[单單]位)?\s*[:：].{1,60}?(?:地址|[电電][话話]|[邮郵][编編]|[传傳][真])\s*[:：]"
    r"|[许許]可[证證](?:[编編]?[号號])?\s*[:：]\s*[\dA-Za-z（(]"
    r"|[违違]法和不良信息[举舉][报報](?:中心)?(?:[电電][话話]|[邮郵]箱|[专專][区區])\s*[:：]"
    r"|公[网網]安[备備]\s*\d"
)
_MAX_BOILERPLATE_LENGTH = 240
_MAX_WIDGET_LENGTH = 40
# A video player's or slideshow's autoplay switch: the label, then the switch's own words
# (自动播放 开 关, 自動播放：ON).
_AUTOPLAY_LABEL = (
    r"[【\[]?\s*自[动動]播放\s*[】\]]?"
    r"(?:\s*[:：/|]?\s*(?:开启|開啟|关闭|關閉|[开開关關]|ON|OFF|On|Off|on|off)){0,2}"
)
# The buttons a page sets around its text: print, close, correct, comment, share.
_BUTTON_NAME = (
    r"(?:打印|列印|[关關][闭閉]|收藏|分享|(?:我要)?[纠糾][错錯]|(?:我要|[发發]表)?[评評][论論]"
    r"|推[荐薦]给?朋友|告[诉訴]好友|[复複]制[链鏈]接|返回[顶頂]部)"
)
# A button in brackets, the font-size switch among them, with what it acts on (打印本页).
_BUTTON = rf"(?:{_BUTTON_NAME}|字[体體号號])[^【】\[\]]{{0,8}}"
# A button's word standing unbracketed in a row of buttons.
_BUTTON_WORD = rf"{_BUTTON_NAME}(?:本[页頁]|此[页頁]|本文|文章|窗口)?"
# Widgets at the end of an article: load-more and back-home buttons, keyword lists, hotline
# boxes, the "continue reading below" line before an advert.
_WIDGET = re.compile(
    r"^(?:[点點][击擊])?(?:加[载載]更多|查看更多|展开全文|展開全文|[显顯]示全文)\S{0,4}$"
    r"|^(?:返回|回到)(?:首[页頁]|[顶頂]部|列表|[频頻]道)\S{0,6}$"
    r"|[请請][继繼][续續]往下[阅閱][读讀]|[继繼][续續][阅閱][读讀]下一[篇页頁]"
    r"|^(?:关键[词字]|關鍵[詞字]|[标標][签籤]|Tags?)\s*(?:[:：]|>>|»|》)"
    # A closing mark standing alone (- THE END -, 全文完) and a like button's +1.
    r"|^[\s\-—–~·•]*(?:THE\s+END|END|End|全文完)[\s\-—–~·•]*$|^[+＋]\s*1$"
    # …完 between dashes (- 完 -), and arrows alone pointing at a widget below (▼, ↓↓↓).
    r"|^[\-—–~·•]+\s*完\s*[\-—–~·•]+$|^[▼↓⬇▽]+$"
    # An image's source standing alone: 图片来源：…, 图源：网络, 题图：…, 头图来源：…, and where the page's pictures
    # came from: （本版图片均由受访者提供）. (A label such as 资料图 is the picture's caption.)
    r"|^[（(]?\s*(?:[图圖]片[来來]源|[图圖]源|(?:[题題]|[头頭]|封面)[图圖](?:[来來]源)?)\s*[:：]"
    r"|^[（(]?\s*(?:本[版文]|以上|文中)?[图圖]片(?:均|皆)?由.{1,16}提供\s*[)）]?$"
    # A call for news tips: 新闻线索请拨打：…, 爆料热线 …, 欢迎投稿.
    r"|^(?:新[闻聞])?(?:[线線]索|爆料|投稿)[^。]{0,10}?(?:[电電][话話]|[热熱][线線綫]|[邮郵]箱|信箱|[拨撥]打|[联聯]系)"
    r"\s*[:：]?\s*(?:[（(]?\d{3,4}|\S+@)|^欢迎投稿|^歡迎投稿"
    # A call to follow the account for more: 更多内容请关注…
    r"|^更多.{0,10}[请請]\s*[关關]注"
    r"|(?:[热熱][线線]|[电電][话話]|[热熱]綫)\s*[:：]?\s*[（(]?\d{3,4}[)）-]?\s*\d{4}"
    # A slideshow's photo counter (1/10, （3/12）) and a player's autoplay switch standing alone.
    r"|^[（(【\[]?\s*\d{1,3}\s*/\s*\d{1,3}\s*[)）】\]]?$"
    rf"|^{_AUTOPLAY_LABEL}$"
    # A wire story's closing mark in brackets: （完）, 【完】, (全文完).
    r"|^[（(【\[]\s*(?:完|全文完|全文[结結]束)\s*[)）】\]]$"
    # A video player's clock (00:00/02:15) and its loading or play prompt.
    r"|^\d{1,2}:\d{2}(?::\d{2})?\s*/\s*\d{1,2}:\d{2}(?::\d{2})?$"
    r"|^(?:[视視][频頻]|影片)?\s*(?:加[载載]|[载載]入)中\s*[.。…，,]*\s*(?:[请請]稍[候后後等][.。…]*)?$"
    r"|^[点點][击擊]播放$"
    # An advertisement's label left where the advert was.
    r"|^[（(【\[]?\s*(?:广告|廣告|推广|推廣|AD|Ad|ADVERTISEMENT|Advertisement|advertisement)\s*[)）】\]]?$"
    # A row of bracketed buttons: 【纠错】, 【打印本页】【关闭窗口】, [我要纠错]; a row of two or more
    # buttons between spaces or bars (打印本页 关闭窗口, 打印 | 关闭), a font-size switch.
    rf"|^(?:[【\[]\s*{_BUTTON}\s*[】\]]\s*)+$"
    rf"|^{_BUTTON_WORD}(?:\s*[|｜/·]?\s*{_BUTTON_WORD})+$|^字[体體号號]\s*[:：]\s*(?:[大中小]\s*){{2,3}}$"
    # Links to the stories before and after (上一篇：…, 下一篇：没有了) and a view counter
    # (阅读 1234, 浏览次数：1523, 阅读量：10万+).
    r"|^(?:上一?篇|下一?篇|上一条|下一条|上一則|下一則)\s*[:：]"
    r"|^(?:阅读|閱讀|浏览|瀏覽|点击|點擊|访问|訪問)(?:量|数|數|次数|次數)?\s*[:：(（]?\s*\d[\d,.]*\s*(?:[万萬wW])?\+?"
    r"\s*[)）]?\s*次?$"
    # Paging of an article split over pages: 上一页 1 2 3 下一页, 第1页 第2页, 共3页 (each token
    # taken whole, so a failing line is not tried split every way).
    r"|^(?=.*[页頁])(?:(?:上一?[页頁]|下一?[页頁]|首[页頁]|尾[页頁]|末[页頁]|前一[页頁]|[后後]一[页頁]"
    r"|(?:本文)?共\s*\d{1,3}\s*[页頁]|第\s*\d{1,3}\s*[页頁]|\d{1,3}(?!\d)|[<>«»‹›＜＞]+(?![<>«»‹›＜＞])"
    r"|\.{2,}(?!\.)|…+(?!…))\s*)+$"
    # A topic page's link and a slideshow's or feed's prompts: 进入专题>>, 点击图片进入下一页,
    # 展开剩余85%, 打开某某APP，阅读全文.
    r"|^[>＞»]*\s*[进進]入[专專][题題]\s*[>＞»]*$|^[点點][击擊][图圖]片(?:[进進]入|查看|[观觀]看)"
    r"|^(?:[点點][击擊])?展[开開]剩[余餘]"
    r"|^打[开開].{0,12}(?:客[户戶]端|APP|App|app)(?:\s*[,，]?\s*(?:[阅閱][读讀]|查看|[观觀]看|[体體][验驗]|[获獲]取).{0,10})?$"
)
# Where the piece first ran and how to submit or join, closing a repost: 本文首发于…公众号,
# 发送邮件至…@…申请加入.
_PROVENANCE = re.compile(
    r"^本文(?:首[发發]|原[载載]|[转轉][载載]自|[来來]源于|[来來]源於|[来來]自|摘自|选自|選自)"
    # …or reposted with leave: 本文经授权转载自…, 本文已获授权转载, 本文由某某授权发布.
    r"|^(?:本文)?(?:[经經]|已[获獲])(?:作者)?授[权權](?:[转轉][载載]|[发發]布)|^本文由.{1,20}授[权權](?:[转轉][载載]|[发發]布)"
    r"|(?:[发發]送[邮郵]件至|投稿[邮郵]箱|投稿信箱)\s*[:：]?\s*\S+@"
    # The address of the piece or its original: 原文链接：https://…
    r"|^(?:原文|本文)(?:[链鏈]接|[网網]址|地址)\s*[:：]"
)
# A prompt to follow the outlet on a social network or to subscribe to its newsletter, closing an
# article: the network's name with a call to follow (追蹤我們, 欢迎搜寻…加入我们, 按讚).
_SOCIAL_NAME = re.compile(
    r"Instagram|Facebook|Telegram|YouTube|Twitter|Threads|LINE|臉書|脸书|推特|(?<![A-Za-z])IG(?![A-Za-z])"
)
_FOLLOW = re.compile(
    r"(?:追[踪蹤]|加入|[关關]注)我[们們]|按[讚赞]"
    r"|(?:欢迎|歡迎|立即|馬上|马上)[^。]{0,20}(?:搜[寻尋索]|[订訂][阅閱]|追[踪蹤]|[关關]注|加入)"
)
# A newsletter's box: in brackets or with a call (立即订阅), or the words alone.
_NEWSLETTER = re.compile(
    r"^(?:[【\[]\s*(?:立即|馬上|马上)?|立即|馬上|马上)[订訂][阅閱][^。，,]{0,12}[电電]子[报報]"
    r"|^[订訂][阅閱][^。，,]{0,8}[电電]子[报報][！!】\]]?$"
)
# A keyword list: three or more short words between bars (20190926|国贸|增长率).
_TAG_LIST = re.compile(r"^[^\s|丨｜]{1,12}(?:\s*[|丨｜]\s*[^\s|丨｜]{1,12}){2,}$")


# The body scorer asks these of each line of a page: each phrase is tried only on lines holding
# a character it needs (``AnyOf``), which spares nearly every line nearly every phrase.
_SHORT_NOISE = AnyOf(_PROMPT, _LEGAL, _BOILERPLATE, _PROVENANCE)
_LONG_NOISE = AnyOf(_BOILERPLATE)
_WIDGETS = AnyOf(_WIDGET)
_FOLLOWS = AnyOf(_FOLLOW)


def _has_bars(text: str) -> bool:
    # What a keyword list needs before its pattern is tried: most lines have no bar, and the
    # pattern backtracks through the first dozen characters of every line to find that out.
    return "|" in text or "丨" in text or "｜" in text


def is_noise_line(text: str) -> bool:
    """True for the non-text lines pages put in or around the body: 原标题, prompts, legal lines."""
    if _ORIGINAL_TITLE.search(text) or (_has_bars(text) and _TAG_LIST.match(text)) or _DESK.match(text):
        return True
    if len(text) > _MAX_NOISE_LENGTH:
        return len(text) <= _MAX_BOILERPLATE_LENGTH and _LONG_NOISE.search(text)
    if ("子" in text and _NEWSLETTER.match(text)) or (_FOLLOWS.search(text) and _SOCIAL_NAME.search(text)):
        return True
    return _SHORT_NOISE.search(text) or (len(text) <= _MAX_WIDGET_LENGTH and _WIDGETS.search(text))


# Widget text glued to a paragraph: a widget set inline in the same block as text reads as one
# line with it, so the line keeps its text and loses the widget. Each is recognised only where
# the page sets it apart, by a space or by an element of its own (``spaced``: the line with a
# space wherever an inline element starts or ends), and only where the widget stands (the
# caller says which paragraph): prose that mentions 返回 or 自动播放, or opens on a date such as
# 1/10, stays whole.

# A slideshow's photo counter opening a caption: 1/10, 1 / 10, (1/10), 【3/12】; not a date
# before a clock (1/10 14:30, a live page's entry).
_LEAD_COUNTER = re.compile(
    r"^(?:(?P<open>[（(【\[])\s*)?(?P<current>\d{1,3})\s*/\s*(?P<total>\d{1,3})(?![\d/.:])"
    r"(?:\s*(?P<close>[)）】\]]))?(?P<gap>\s*)(?=\S)(?!\d{1,2}\s*[:：]\d)"
)
# A player's autoplay switch opening the first paragraph, its switch words with it.
_LEAD_AUTOPLAY = re.compile(rf"^{_AUTOPLAY_LABEL}\s+(?=\S)")
# A back link closing the last paragraph: 返回, 返回首页, [返回顶部], <<返回列表, 回到顶部 ↑,
# 返回某网，查看更多. ``before`` is what the text ends with in front of it.
_TAIL_BACK = re.compile(
    r"(?P<before>[。！？!?…”’」』）)】\]》]|\s)\s*"
    r"(?P<widget>(?P<arrow>[<＜《«‹←↑△▲]+\s*)?(?P<bracket>[【\[（(]\s*)?"
    r"(?:返回|回到(?=\s*(?:首[页頁]|[顶頂]部)))"
    # 返回新闻网首页: the site's own name may stand before 首页 (eight characters at most).
    r"(?P<where>\s*(?:首[页頁]|[顶頂]部|列表|[频頻]道|上[一1]?[页頁级級]|主[页頁]|目[录錄]"
    r"|[^\s，,。！？、<＜>＞]{1,8}?首[页頁]"
    r"|[^\s，,。！？]{1,8}[，,]\s*查看更多))?"
    r"\s*[】\])）]?\s*[>＞》»›↑]*)$"
)
# How far from the end of a line a back link starts: a cheap test before the pattern.
_BACK_REACH = 24


def _nonspace(text: str) -> int:
    return len(text) - text.count(" ")


def _drop_head(text: str, count: int) -> str:
    """``text`` without its first ``count`` characters other than spaces (``spaced`` and the
    text differ only in spaces, so a length measured on one cuts the other)."""
    index = 0
    while count and index < len(text):
        if text[index] != " ":
            count -= 1
        index += 1
    return text[index:].lstrip()


def _drop_tail(text: str, count: int) -> str:
    index = len(text)
    while count and index:
        index -= 1
        if text[index] != " ":
            count -= 1
    return text[:index].rstrip()


def photo_counter(spaced: str) -> tuple[int, int] | None:
    """The slideshow counter opening a line (``1/10 `` → ``(1, 10)``), when it is set apart
    from what follows: in brackets, by a space or by an element of its own. A fraction or a date
    run into the text (1/3的受访者, 1/10上午) is no counter, nor is a count past the total."""
    match = _LEAD_COUNTER.match(spaced) if "/" in spaced[:16] else None
    if match is None or bool(match.group("open")) != bool(match.group("close")):
        return None
    if not match.group("open") and not match.group("gap"):
        return None
    current, total = int(match.group("current")), int(match.group("total"))
    return (current, total) if 1 <= current <= total else None


def strip_photo_counter(text: str, spaced: str | None = None) -> str:
    """A caption without the slideshow counter opening it: ``1/10 游客在栈道观鸟`` → ``游客在栈道观鸟``.

    Only for a line known to be a caption: a paragraph may open on a date written 1/10.
    """
    spaced = text if spaced is None else spaced
    if photo_counter(spaced) is None:
        return text
    match = _LEAD_COUNTER.match(spaced)
    assert match is not None
    return _drop_head(text, _nonspace(match.group(0)))


def strip_autoplay(text: str, spaced: str | None = None) -> str:
    """The first paragraph without a player's autoplay switch opening it: ``自动播放 开 关
    记者从…`` → ``记者从…``. Prose about autoplay (自动播放功能…) runs on without a break."""
    spaced = text if spaced is None else spaced
    match = _LEAD_AUTOPLAY.match(spaced) if "播放" in spaced[:8] else None
    return _drop_head(text, _nonspace(match.group(0))) if match else text


def strip_back_link(text: str, spaced: str | None = None) -> str:
    """The last paragraph without a back link closing it: ``…消费。返回首页`` → ``…消费。``.

    A bare 返回 counts after the end of a sentence or in brackets and arrows (…。返回, [返回]);
    a link naming where it leads (返回顶部, 返回列表, a site's front page: 返回新闻网首页>>) after
    a space or an element's edge too.
    A sentence that ends on the verb (代表团于昨日返回。) keeps it: its full stop follows.
    """
    spaced = text if spaced is None else spaced
    while "返回" in spaced[-_BACK_REACH:] or "回到" in spaced[-_BACK_REACH:]:
        match = _TAIL_BACK.search(spaced, max(0, len(spaced) - _BACK_REACH))
        if match is None:
            break
        marked = match.group("arrow") or match.group("bracket") or not match.group("before").isspace()
        if not marked and not match.group("where"):
            break
        count = _nonspace(match.group("widget"))
        if _nonspace(text) <= count:
            break  # nothing but the link: a line of its own, not glued to text
        text, spaced = _drop_tail(text, count), _drop_tail(spaced, count)
    return text
