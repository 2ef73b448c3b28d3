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
   manner of Readability and GeneralNewsExtractor's text/punctuation density. Boilerplate scores
   nothing (licence footers, comment-board rules, browser banners), so a one-paragraph article
   still wins. A candidate's score is lowered by its share of link text and by class/id words of
   page chrome (``comment``, ``share``, ``related`` …); a block holding another story's headline
   (a later heading of the same kind that matches nothing in the title data and has its own time
   line) is never chosen. A sibling block past an advert or a picture, holding paragraphs set as
   the text's own, is the rest of the text. The best candidate's lines are the body, cleaned of the usual non-text
   lines (原标题, share and QR prompts, 相关阅读 blocks, copyright and disclaimers, closing widgets,
   desk lines) and of a headline block repeated at its top. A widget set inline with a
   paragraph is cut from it, the paragraph keeping its own text: a slideshow's counter opening
   a caption (``1/10 ``), a player's autoplay switch above the first paragraph (``自动播放``),
   a back link after the last one (``返回``, ``返回顶部``, ``返回新闻网首页>>``). Above the first
   paragraph, a summary box inside the block (``class="introduction"``), a key-points label
   and its list (``划重点：``), a video player's title and a lead box that a paragraph below
   repeats word for word are not text; see
   ``docs/generic-body.md``. A data table in the text gives one paragraph per row, its cells joined
   by a space (``tables``); an attachment list closing a notice (``附件：`` over its files) is
   not text (``attachments``). A standfirst set above the body block (``chapo``, ``standfirst``,
   ``dek``), not repeated in it, opens the paragraphs; a summary or 导语 box does not.
3. **Headline.** The visible heading that best matches the page's own title data (JSON-LD
   ``headline``, ``og:title``, ``<title>`` without its ``_站点名`` suffix or ``站点名 - `` prefix,
   its ``站点名 > 频道 >`` steps or ``丨账号名``, a founder-CMS or crawl-corpus record's title); h1 preferred.
   Both sides are compared in one script (a Traditional heading under a Simplified title), and a
   title cut short with ``…`` matches the whole heading. When no heading matches fully, a plain
   line near the body that repeats the title (a table layout's title row) wins over a bold deck
   opening the body. The site's logo (a heading in a ``logo`` box, or linking to the front
   page) is never the headline, nor is a title piece that the page's own links or breadcrumb
   name (``本地新闻 - 东湖新闻网`` names a channel and the site). Without a match: the nearest
   heading above the body, a block named a title by its class (``<div class="article-title">``)
   counting as one of the lowest rank (or the higher-ranked one right above it, an ``<h1>`` over
   its ``<h3>`` deck; a link only when it leads to the page itself), whole when ``<br>`` sets it
   over lines, without a set label in an element of its own (``<span>原创</span>``); the
   widget and meta rows between a headline and its text (font size, print and share buttons,
   counters) do not count in that distance. When the title data name only the
   site (a short name, or one such as ``衡山县人民政府门户网站`` or ``…新闻网``; a greeting,
   ``欢迎访问南溪新闻网``, ``南溪在线 -- 欢迎您``, names the site only): the line above
   the text set apart in bold, a large font or centred, or named for the title by its class, id
   or tag (``<span id="title">``, ``<founder-title>``), whole when ``<br>`` sets it over rows (a
   class may name the bold font, ``f14b``; a widget row, ``【字体：大 中 小】``, is never one);
   then a line above the text that the page's list of stories links to by its whole text (an
   e-paper's 版面导航); then the text's own first line when set apart; then a plain ``<p>`` or
   ``<div>`` right above the time and byline rows over the text (a mobile page). A ``——``
   subheadline is passed over, and so is a line whose class names a kicker or subtitle (``article-subtitle``,
   ``fu-title``, ``yinti``): never a candidate nor joined to the headline, even when the title
   data join them, unless it is a row inside the headline's own heading. Rows of a heading are
   joined with nothing, or with a space when the title data join them so. An e-paper title
   naming the edition page (``青川日报 - 第03版:要闻 - 标题``) gives the piece after it; a piece
   naming a site (``…人民政府门户网站``, ``…新闻网``) is never the headline piece, however long,
   nor is a column tag opening the title (``【新春走基层】标题--报名`` gives ``标题``; a line holding
   only such a tag is never the headline);
   government portals' metadata (``ArticleTitle``) is title data. A page where nothing reads as
   the headline keeps the site's name its title gives. The lines the page sets with the headline
   as its block are the kicker (引题) and subtitle (副题): marked by class (``yt``, ``ft``,
   ``subtitle``, ``article-pretitle``, ``fu-title``), by a heading of lower rank, or, below it,
   by an opening dash; else a deck the heading sets in small type at its end is the subtitle,
   and a short plain block right before the heading the kicker, when the title data give the
   heading alone.
4. **Bylines and credits.** Short lines between the headline and the body holding a time, a
   byline label or a byline standing alone (``河畔新闻记者 吴晓东``); a dated meta line with a
   labelled field set right above the headline, read after those; unlabelled slots there whose
   class or id names the field (``<em class="where">``, ``<a class="author">``, ``slots``);
   credit-shaped lines just after the body; credit lines inside the body, the dateline credit
   opening the first paragraph (``新华社北京3月1日电（记者…）``) and a credit closing the last one
   (``（文/图 …）``, ``（作者系…研究员 张三）``). The byline grammar reads them all later. When the
   page shows no source outlet, the one its CMS records is read (``<meta name="source"
   content="来源：…">``, government portals' ``ContentSource``): short Chinese text, never an
   address or a code. A label spaced out to line up with others (``来 源：``, ``编 辑：``) is
   read whole. The site's own story (``来源：本站``) keeps 本站 as its source, as shown; 来自 before an
   outlet's name (``· 来自青山日报``) names the source, before a bare place (``来自广东``) the
   poster's IP location. A
   commentary that credits nobody else may name its author as the headline's prefix
   (``张三：…``, ``signed``).
5. **Time.** Structured metadata (JSON-LD ``datePublished``, ``article:published_time``,
   ``publishdate`` …) cross-checked against the time shown near the headline: the visible time
   wins when they disagree, the structured one fills in what the page leaves out (the year of
   ``09-30 22:46``, the time of a bare date) and replaces a relative one (``昨天``). Last come
   times held by page scripts (``var ct = "1581517074"``), only when they all agree. A visible
   time shown without a zone takes the offset of a metadata or ``<time datetime>`` time that
   shows the same clock in another zone (an overseas site's ``2021年3月5日 10:20`` beside
   ``2021-03-05T10:20:00+01:00``): the page's zone, not the portal's, never from a zero offset
   (a CMS writing its local time with ``Z`` is common). A publication time in UTC of the same
   instant gives the offset its clock differs by (``2024-03-05 14:30`` beside
   ``2024-03-05T13:30:00Z`` is +01:00): a whole or half hour from −12 to +14, never 0 nor the
   portal's own +8. A 12-hour clock after its half of the day
   (``2024/06/19 下午 03:45``, ``週五 上午9:20``, as Taiwan and Hong Kong pages print it) is read on
   the 24-hour clock, and so is a clock in words (``15时42分``, ``9点05分``), a weekday
   standing before it or not (``2024-03-05 星期二 15:42``), in brackets too
   (``2024年5月18日（星期六）09:30``); a dotted date with the year last
   is day first (``05.03.2024`` on a European service's pages); a Minguo year is Taiwan's
   (``中華民國113年3月5日`` is 2024-03-05), and on a page in Traditional script (or tagged
   ``zh-TW``/``zh-Hant`` and not Simplified) so is a bare three-digit year from 100 to 200
   (``113-03-05``, ``113/03/05``, ``113年3月5日``), recorded with its era named
   (``民國113-03-05``); a byline glued to its outlet
   after the time (``海峽社記者林子晴``) is no source outlet. A metadata
   time set to a CMS's end-of-day placeholder (``23:59:59``) counts only when the page shows
   its date. A time labelled as an update (更新时间, 最后更新, 修改时间) is not the publication time: it
   is read as one only as the last resort, when the page shows and records no other time; a print
   view's stamp (打印日期：…, the day the page was printed) never is. A meta line closing the text
   (``2024-05-18 09:30　来源：青山日报`` below it, or as the last line of its block) gives its
   time as one above it would. A
   government portal's information table, above or below the headline, its labels and values in
   cells of their own, gives its 发布日期 (or 公开日期) and its 来源; the date the document was written
   (成文日期, 生成日期) is taken only when the page and its metadata date it no other way.

The stages live in one module each: ``lines``, ``body``, ``headline``, ``titles`` (the title
data cut into pieces, the headline piece), ``marks`` (how a page marks a line as its headline,
kicker or subtitle), ``headingrows`` (a headline set over rows: a heading's rows, a print
block's centred rows, a kicker the title joins to the heading below), ``rows`` (the lines above
the body read when the title names only the site), ``headblock`` (the
kicker and subtitle the page sets with the headline), ``header`` (meta rows
split across sibling blocks), ``metalines``, ``metadata``, ``reconcile``, ``images``, ``slots``
(unlabelled source and author slots), ``signed`` (a commentary's headline prefix), ``tables``
(a data table's rows), ``attachments`` (files to download); ``layout`` puts them together.
"""

from __future__ import annotations

from ..credits import lead_credit
from ..noise import is_noise_line
from .body import best_container, is_stop_line, line_score
from .headline import (
    choose_headline,
    fallback_headline,
    headline_match,
    is_logo,
    own_titles,
    page_names,
    title_parts,
)
from .layout import GenericLayout
from .lines import page_lines
from .metadata import same_site_url, script_times
from .metalines import tail_credit, tidy_byline
from .reconcile import reconcile_times

__all__ = [
    "GenericLayout",
    "best_container",
    "choose_headline",
    "fallback_headline",
    "headline_match",
    "is_logo",
    "is_noise_line",
    "is_stop_line",
    "lead_credit",
    "line_score",
    "own_titles",
    "page_lines",
    "page_names",
    "reconcile_times",
    "same_site_url",
    "script_times",
    "tail_credit",
    "tidy_byline",
    "title_parts",
]
