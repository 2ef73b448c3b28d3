"""Lines that are not article text, by the conventions of Chinese news pages, in both scripts.

Pages put prompts and legal lines in and around the body: 原标题 notes, QR-code and app-download
prompts, share buttons, copyright and disclaimer lines, keyword lists. Normalisation drops them
from every portal's paragraphs; the generic extractor also uses them to tell the body from page
chrome. Each prompt or legal pattern is matched on short lines only, so that a sentence of article
text mentioning 版权 or 二维码 stays.
"""

from __future__ import annotations

import re

from .prefilter import AnyOf

_ORIGINAL_TITLE = re.compile(r"^[（(【\[]?\s*(?:本文)?原(?:标|標)?(?:题|題)\s*(?:为|為)?\s*[:：《]")
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
    r"|不代表\S{0,12}(?:[观觀][点點]|立[场場])|(?:[图圖]片|信息|[内內]容)(?:均)?[来來](?:自|源于|源於)[网網][络絡]"
    r"|如有侵[权權]|侵[删刪]|^【?(?:[编編]者按)?】?$"
)
_MAX_NOISE_LENGTH = 80
# A desk line standing alone, saying how the copy was put together: （本报综合）, （综合新华社、
# 央视新闻）, （据新华社）. Not article text. (A 来源 line is a credit, read for the source.)
_DESK = re.compile(
    r"^[（(【\[]\s*(?:(?:本[报報台网網刊站])(?:综合|綜合|[讯訊]|[编編][译譯]|整理)"
    r"|(?:综合|綜合|据|據|[编編][译譯]|整理)[^（）()]{0,24})\s*[)）】\]]$"
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
    # A disclaimer set as a paragraph of its own, however long.
    r"|^免[责責][声聲]明\s*[:：]"
)
_MAX_BOILERPLATE_LENGTH = 240
_MAX_WIDGET_LENGTH = 40
# Widgets at the end of an article: load-more and back-home buttons, keyword lists, hotline
# boxes, the "continue reading below" line before an advert.
_WIDGET = re.compile(
    r"^(?:[点點][击擊])?(?:加[载載]更多|查看更多|展开全文|展開全文|[显顯]示全文)\S{0,4}$"
    r"|^(?:返回|回到)(?:首[页頁]|[顶頂]部|列表|[频頻]道)\S{0,6}$"
    r"|[请請][继繼][续續]往下[阅閱][读讀]|[继繼][续續][阅閱][读讀]下一[篇页頁]"
    r"|^(?:关键[词字]|關鍵[詞字]|[标標][签籤]|Tags?)\s*(?:[:：]|>>|»|》)"
    # A closing mark standing alone (- THE END -, 全文完) and a like button's +1.
    r"|^[\s\-—–~·•]*(?:THE\s+END|END|全文完)[\s\-—–~·•]*$|^[+＋]\s*1$"
    r"|(?:[热熱][线線]|[电電][话話]|[热熱]綫)\s*[:：]?\s*[（(]?\d{3,4}[)）-]?\s*\d{4}"
)
# Where the piece first ran and how to submit or join, closing a repost: 本文首发于…公众号,
# 发送邮件至…@…申请加入.
_PROVENANCE = re.compile(
    r"^本文(?:首[发發]|原[载載]|[转轉][载載]自|[来來]源于|[来來]源於|[来來]自|摘自|选自|選自)"
    r"|(?:[发發]送[邮郵]件至|投稿[邮郵]箱|投稿信箱)\s*[:：]?\s*\S+@"
)
# A keyword list: three or more short words between bars (20190926|国贸|增长率).
_TAG_LIST = re.compile(r"^[^\s|丨｜]{1,12}(?:\s*[|丨｜]\s*[^\s|丨｜]{1,12}){2,}$")


# The body scorer asks these of each line of a page: each phrase is tried only on lines holding
# a character it needs (``AnyOf``), which spares nearly every line nearly every phrase.
_SHORT_NOISE = AnyOf(_PROMPT, _LEGAL, _BOILERPLATE, _PROVENANCE)
_LONG_NOISE = AnyOf(_BOILERPLATE)
_WIDGETS = AnyOf(_WIDGET)


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
    return _SHORT_NOISE.search(text) or (len(text) <= _MAX_WIDGET_LENGTH and _WIDGETS.search(text))
