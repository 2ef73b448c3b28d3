"""The generic extractor's headline on page classes it meets on sites it was never tuned on.

Each class also has a fixture page of its own under ``fixtures/generic/`` (replayed by
``tests/test_fixtures.py``): deck lines marked by class on an e-paper (``epaper.qingchuan-daily``),
a title marked on an inline element (``www.xichuan-news``), an e-paper title naming the edition
page (``paper.wanjiang-evening``), a table headline set over rows with ``<br>``
(``www.pingyuan-net``), heading rows the title joins with a space (``www.baihe-news``), the
government portals' ``ArticleTitle`` metadata (``www.songling.gov``), a bold font named by class
(``www.lanxi-online``), an e-paper headline its story list links to (``paper.jinhe-daily``) and a
crawl record of paragraphs opening with its headline (``www.guanshan-forum``) and a subtitle
marked by class that the title joins to the headline (``www.xiangjiang-morning``), a headline
many widget rows above the text (``news.yanbei-net``), a long site name as the whole title
(``www.hengshan.gov``), a short headline beside a long site name (``www.taoxi.gov``) and a
headline named by class under a title worded otherwise (``www.qinghe-online``), and a kicker
heading above the ``<h1>`` that the title joins to the headline (``epaper.xishan-daily``), and a
centred subtitle paragraph under a centred headline (``www.baisha.gov``), and kicker, headline
and subtitle set as rows of one title block, each named by its own class (``www.donghai-evening``),
a label in the heading under a title naming only the site (``news.tongshan-portal``), a
原标题 note under the headline that is no subtitle (``www.luoxi-news``), and the time and source
set inside the heading (``www.heyang-online``), a short headline under a channel's banner
(``www.hl-yunling-morning``), a column tag the title leaves out (``www.hl-qinghe-county``), a
decorated site's name as the title (``www.hl-nanxi-online``) and an e-paper print block in
centred rows under a title naming the edition page alone (``paper.hl-dongyue-evening``), and a
column tag opening the title, set alone above the text (``www.h2-nandao-daily``), and the site's
name before a dash in the title of a page without a heading (``www.h2-nandao-news``), and a
greeting as the title of a table layout (``www.h2-nandao-online``), and a mobile page's plain
headline over its meta row (``wap.h2-nandao-news``), and a deck in small type at the heading's end
read as the subtitle (``www.h2-nandao-times``), and a kicker in a plain block right before the
heading (``www.h2-nandao-evening``).
"""

from __future__ import annotations

import pytest

from newscrawler.extract.generic import (
    GenericLayout,
    choose_headline,
    fallback_headline,
    headline_match,
)
from newscrawler.extract.generic.metadata import read_metadata
from newscrawler.extract.page import Page

_HEADLINE = "全市首条智慧公交线路开通"
_TEXT = (
    "<div class='info'>2023-04-18 09:30　来源：青川日报</div><div class='content'>"
    "<p>4月17日，全市首条智慧公交线路正式开通，沿线二十三个站台全部换装电子站牌，乘客可查到站时间。</p>"
    "<p>市公交集团有关负责人介绍，年内还将完成二十条线路的智慧化改造，覆盖主城区主要客流走廊。</p></div>"
)


def _read(head: str, body: str) -> GenericLayout:
    html = f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"
    return GenericLayout(Page(html, "https://www.qingchuan.example/a/1.html"))


def _headline(title: str, top: str, text: str = _TEXT) -> str | None:
    return _read(f"<title>{title}</title>", top + text).read().headline


@pytest.mark.parametrize(
    "top",
    [
        # ``title`` inside a deck's class names no headline: the subtitle below is not it.
        f"<p class='article-pretitle'>到站时间实时可查</p><div class='article-title'>{_HEADLINE}</div>"
        "<p class='article-subtitle'>年内还将改造二十条线路</p>",
        f"<div class='title'><b>{_HEADLINE}</b></div><div class='fu-title'><b>年内还将改造二十条线路</b></div>",
        f"<h2 class='yinti'>到站时间实时可查</h2><h2>{_HEADLINE}</h2><h2 class='futi'>年内还将改造二十条线路</h2>",
        f"<h1 class='title'>{_HEADLINE}</h1><h1 class='sub-title'>年内还将改造二十条线路</h1>",
    ],
)
def test_a_kicker_or_subtitle_marked_by_class_is_not_the_headline(top: str) -> None:
    assert _headline("青川日报", top) == _HEADLINE


def test_a_subtitle_marked_by_class_is_read_as_the_subtitle() -> None:
    top = (
        f"<p class='article-pretitle'>到站时间实时可查</p><div class='article-title'>{_HEADLINE}</div>"
        "<p class='article-subtitle'>年内还将改造二十条线路</p>"
    )
    raw = _read("<title>青川日报</title>", top + _TEXT).read()
    assert (raw.kicker, raw.headline, raw.subtitle) == ("到站时间实时可查", _HEADLINE, "年内还将改造二十条线路")


@pytest.mark.parametrize(
    "cell",
    [
        "<table><tr><td><span id='title'>{}</span></td></tr></table>",
        "<table><tr><td><founder-title>{}</founder-title></td></tr></table>",
    ],
)
def test_a_title_marked_on_an_inline_element_is_the_headline(cell: str) -> None:
    assert _headline("青川日报", cell.format(_HEADLINE)) == _HEADLINE


def test_an_e_paper_title_gives_the_piece_after_the_edition_page() -> None:
    headline = "沿江大道今晚起分段封闭施工"
    assert fallback_headline([f"皖江晚报数字报 - 第A05版:城市 - {headline}"]) == headline
    assert fallback_headline([f"皖江晚报 - A05版 - {headline}"]) == headline
    assert fallback_headline([f"{headline} - 皖江晚报 - 第A05版"]) == headline
    # Without an edition page, a long first piece stays the headline.
    assert fallback_headline([f"{headline}_城市_皖江晚报数字报"]) == headline
    assert headline_match("皖江晚报数字报", [f"皖江晚报数字报 - 第A05版:城市 - {headline}"]) < 0.5


def test_a_table_headline_set_over_rows_is_read_whole() -> None:
    cell = (
        "<table><tr><td align='center'><font size='4'><b>平原县首届农民运动会开幕<br>十二个乡镇八百余名农民参赛"
        "</b></font></td></tr></table>"
    )
    assert _headline("平原网", cell) == "平原县首届农民运动会开幕十二个乡镇八百余名农民参赛"


@pytest.mark.parametrize(
    ("title", "headline"),
    [
        ("白河大桥主桥合龙 年底具备通车条件_白河新闻网", "白河大桥主桥合龙 年底具备通车条件"),
        ("白河大桥主桥合龙年底具备通车条件_白河新闻网", "白河大桥主桥合龙年底具备通车条件"),
        ("白河新闻网", "白河大桥主桥合龙年底具备通车条件"),
    ],
)
def test_heading_rows_are_joined_as_the_title_joins_them(title: str, headline: str) -> None:
    assert _headline(title, "<h1>白河大桥主桥合龙<br>年底具备通车条件</h1>") == headline


def test_government_article_title_metadata_is_title_data() -> None:
    head = "<title>松岭市人民政府</title><meta name='ArticleTitle' content='松岭市启动城乡供水一体化工程'>"
    meta = read_metadata(Page(f"<html><head>{head}</head><body></body></html>", "https://www.songling.example/"))
    assert meta.titles == ["松岭市启动城乡供水一体化工程", "松岭市人民政府"]


@pytest.mark.parametrize(
    ("cell", "read"),
    [
        ("<td class='f14b'>{}</td>", True),
        ("<td class='font12_b'>{}</td>", True),
        # A line break after the bold text holds nothing.
        ("<td><b>{}</b><br></td>", True),
        ("<td class='f12'>{}</td>", False),
        ("<td><b>{}</b><br>2005-03-01</td>", False),
    ],
)
def test_a_bold_font_named_by_class_or_followed_by_a_break_sets_a_headline_apart(cell: str, read: bool) -> None:
    top = f"<table><tr>{cell.format(_HEADLINE)}</tr><tr><td>作者：郑远帆</td></tr></table>"
    assert _headline("青川新闻网", top) == (_HEADLINE if read else "青川新闻网")


def test_an_e_paper_headline_in_a_plain_block_is_the_story_its_list_links_to() -> None:
    stories = ["金河市新增十个城市书房", _HEADLINE, "社区食堂让老人吃得更放心"]
    listing = "<ul>" + "".join(f"<li><a href='content_{i}.htm'>{s}</a></li>" for i, s in enumerate(stories)) + "</ul>"
    assert _headline("青川日报", f"{listing}<div class='article-head'>{_HEADLINE}</div>") == _HEADLINE
    # A channel's name, which menus link to as well, is too short to be a headline.
    menu = "<div><a href='/'>首页</a><a href='/minsheng/'>民生</a></div>"
    assert _headline("青川日报", f"{menu}<div>民生</div>") == "青川日报"


def test_a_page_of_paragraphs_opening_with_its_headline_set_apart() -> None:
    text = "<p>　　乡村图书室这些年建了不少，可走进去看一看，书架上的书多半落满了灰，门也常年锁着。</p>" * 3
    opening = "<p align='center'><font size='5'>林远：乡村图书室要办成读书的地方</font></p>"
    assert _headline("观山论坛", opening + text, text="") == "林远：乡村图书室要办成读书的地方"
    # A plain opening line is the text's own.
    assert _headline("观山论坛", "<p>乡村图书室要办成读书的地方</p>" + text, text="") == "观山论坛"


_MAIN, _DECK = "湘江沿岸十二座码头完成生态修复", "昔日砂石场变身滨江公园"


@pytest.mark.parametrize("joint", ["", " ", "——"])
@pytest.mark.parametrize(
    "top",
    [
        f"<h2 class='news-title'>{_MAIN}</h2><h2 class='news-subtitle'>{_DECK}</h2>",
        f"<div class='bt'>{_MAIN}</div><div class='fbt'>{_DECK}</div>",
        f"<div class='title'><p>{_MAIN}</p><p class='subtitle'>{_DECK}</p></div>",
    ],
)
def test_a_subtitle_marked_by_class_is_not_joined_to_the_headline(top: str, joint: str) -> None:
    # The title data join headline and subtitle; the page marks the second line as a subtitle.
    assert _headline(f"{_MAIN}{joint}{_DECK}_湘江晨报网", top) == _MAIN


def test_a_kicker_marked_by_class_is_no_headline_even_when_the_title_opens_with_it() -> None:
    top = f"<h2 class='yt'>{_DECK}</h2><h2>{_MAIN}</h2>"
    assert _headline(f"{_DECK}——{_MAIN}_湘江晨报网", top) == _MAIN


@pytest.mark.parametrize(
    "title",
    [f"{_DECK} {_MAIN}", f"{_DECK} {_MAIN}_湘江晨报网", f"湘江晨报网-{_DECK} {_MAIN}", f"{_DECK}——{_MAIN}"],
)
@pytest.mark.parametrize("kicker_tag", ["h2", "h3", "h4"])
def test_a_heading_the_title_joins_to_the_higher_heading_below_it_is_its_kicker(title: str, kicker_tag: str) -> None:
    # <h3>引题</h3><h1>正题</h1>, the title data giving both: the <h1> is the headline, however
    # the lengths of the two compare with the title's.
    top = f"<{kicker_tag}>{_DECK}</{kicker_tag}><h1>{_MAIN}</h1>"
    assert _headline(title, top) == _MAIN


def test_a_heading_of_the_same_rank_below_is_no_headline_under_a_kicker() -> None:
    # Two <h2> rows the title joins are one headline set over two rows, not kicker and headline.
    assert _headline(f"{_DECK}{_MAIN}_湘江晨报网", f"<h2>{_DECK}</h2><h2>{_MAIN}</h2>") == _DECK + _MAIN


_PARAGRAPHS = "".join(
    f"<p>{text}</p>" for text in (
        "4月17日，全市首条智慧公交线路正式开通，沿线二十三个站台全部换装电子站牌，乘客可查到站时间。",
        "市公交集团有关负责人介绍，年内还将完成二十条线路的智慧化改造，覆盖主城区主要客流走廊。",
    )
)


@pytest.mark.parametrize("title", ["青川日报电子版", f"{_HEADLINE}_青川日报"])
@pytest.mark.parametrize(
    ("deck", "centre"),
    [("到站时间实时可查", "align='center'"), ("——到站时间实时可查", "align='center'"),
     ("到站时间实时可查", "style='text-align: center'")],
)
def test_a_centred_line_right_after_a_centred_headline_is_its_subtitle_not_text(
    title: str, deck: str, centre: str
) -> None:
    # A print block set in paragraphs: <p align=center><b>正题</b></p><p align=center>副题</p>.
    body = f"<div class='article'><p {centre}><strong>{_HEADLINE}</strong></p><p {centre}>{deck}</p>{_PARAGRAPHS}</div>"
    fields = _read(f"<title>{title}</title>", body).read()
    assert (fields.headline, fields.subtitle) == (_HEADLINE, "到站时间实时可查")
    assert fields.paragraphs[0].startswith("4月17日")


def test_a_centred_caption_under_a_picture_below_the_headline_stays_text() -> None:
    body = (f"<h1 align='center'>{_HEADLINE}</h1><div class='article'><p align='center'><img src='a.jpg'></p>"
            f"<p align='center'>新换装的电子站牌</p>{_PARAGRAPHS}</div>")
    fields = _read(f"<title>{_HEADLINE}_青川日报</title>", body).read()
    assert (fields.headline, fields.subtitle) == (_HEADLINE, None)
    assert fields.paragraphs[0] == "新换装的电子站牌"


@pytest.mark.parametrize("title", [f"{_DECK} {_MAIN}", "湘江晨报网"])
def test_rows_a_block_sets_with_breaks_are_marked_by_their_own_class(title: str) -> None:
    # <div class="title"><span class="yt">引题</span><br><span>正题</span><br><span class="ft">副题</span>
    rows = [f"<span class='yt'>{_DECK}</span>", f"<span>{_MAIN}</span>", "<span class='ft'>到站时间实时可查</span>"]
    top = f"<div class='title'>{'<br>'.join(rows)}</div>"
    fields = _read(f"<title>{title}</title>", top + _TEXT).read()
    assert (fields.kicker, fields.headline, fields.subtitle) == (_DECK, _MAIN, "到站时间实时可查")


@pytest.mark.parametrize("kicker", [f"<div>{_DECK}</div>", f"<p>{_DECK}</p>"])
def test_a_plain_line_the_title_joins_to_the_heading_below_it_is_no_headline(kicker: str) -> None:
    assert _headline(f"{_DECK} {_MAIN}", f"{kicker}<h1>{_MAIN}</h1>") == _MAIN


def test_rows_inside_one_heading_stay_the_headline_whatever_their_class() -> None:
    top = f"<h1><p>{_MAIN}</p><p class='sub'>{_DECK}</p></h1>"
    assert _headline(f"{_MAIN}{_DECK}_湘江晨报网", top) == _MAIN + _DECK


_WIDGET_ROWS = [
    "<div>发布时间：2008-05-26 15:20</div>", "<div>信息来源：县林业局</div>", "<div>浏览次数：318</div>",
    "<div>【字体：<a href='#'>大</a> <a href='#'>中</a> <a href='#'>小</a>】</div>",
    "<div><a href='#'>打印</a></div>", "<div><a href='#'>关闭</a></div>", "<div>分享到：</div>",
    "<div><a href='#'>微博</a></div>", "<div><a href='#'>QQ空间</a></div>", "<div>&nbsp;</div>",
]


@pytest.mark.parametrize(
    ("title", "heading"),
    [
        # The title words the headline otherwise: the nearest heading, past the widget rows.
        ("智慧公交线路开通_青川网", f"<h1>{_HEADLINE}</h1>"),
        # The title names only the site: the centred line, past the widget rows.
        ("青川网", f"<div align='center'>{_HEADLINE}</div>"),
    ],
)
def test_widget_and_meta_rows_do_not_count_in_the_distance_to_the_text(title: str, heading: str) -> None:
    text = _TEXT.split("</div>", 1)[1]
    assert _headline(title, heading + "".join(_WIDGET_ROWS), text) == _HEADLINE


def test_a_long_site_name_as_the_whole_title_names_no_headline() -> None:
    top = f"<div align='center'><b>{_HEADLINE}</b></div><div align='center'>浏览次数：318</div>"
    assert _headline("青川县人民政府门户网站", top) == _HEADLINE
    # A title that is a headline stays one, set apart line or not.
    assert _headline(f"{_HEADLINE}", "<div align='center'><b>到站时间实时可查</b></div>") == _HEADLINE


def test_a_widget_row_set_apart_is_no_headline() -> None:
    top = "<div align='center'>【字体：大 中 小】</div><div align='center'>浏览次数：318</div>"
    assert _headline("青川县人民政府门户网站", top) == "青川县人民政府门户网站"


@pytest.mark.parametrize(
    "title",
    [
        "春耕正当时 - 桃溪县人民政府门户网站",
        "桃溪县人民政府门户网站 - 春耕正当时",
        "春耕正当时_桃溪新闻网_桃溪县最大的新闻门户网站",
    ],
)
def test_a_short_headline_beside_a_long_site_name_is_the_headline(title: str) -> None:
    assert fallback_headline([title]) == "春耕正当时"
    assert headline_match("春耕正当时", [title]) == 1.0
    # The site's name, even set as an <h1>, gives way to the headline.
    assert choose_headline([("h1", "桃溪县人民政府门户网站"), ("", "春耕正当时")], [title])[0] == 1


def test_a_headline_ending_in_a_site_word_stays_the_headline_beside_the_site_name() -> None:
    assert fallback_headline(["我县建成覆盖城乡的就业信息网_桃溪网"]) == "我县建成覆盖城乡的就业信息网"


@pytest.mark.parametrize(
    ("top", "headline"),
    [
        (f"<div class='article-title'>{_HEADLINE}</div>", _HEADLINE),
        (f"<table><tr><td class='bt'>{_HEADLINE}</td></tr></table>", _HEADLINE),
        (f"<div class='title'>{_HEADLINE}</div><div class='subtitle'>年内还将改造二十条线路</div>", _HEADLINE),
        # A site's name in a block named a title is no headline: the title's piece stays.
        ("<div class='title'>青川市人民政府门户网站</div>", "新开通的智慧公交 让候车不再靠猜"),
    ],
)
def test_a_block_named_a_title_is_the_headline_when_the_title_words_it_otherwise(top: str, headline: str) -> None:
    assert _headline("新开通的智慧公交 让候车不再靠猜_青川网", top) == headline


@pytest.mark.parametrize(
    ("heading", "headline"),
    [
        (f"<h1><span class='tag'>原创</span>{_HEADLINE}</h1>", _HEADLINE),
        (f"<h1><i>【置顶】</i> {_HEADLINE}</h1>", _HEADLINE),
        (f"<h1>{_HEADLINE}<em class='label'>视频</em></h1>", _HEADLINE),
        # A word that opens headlines as often as it labels them stays; so does a label in the text.
        (f"<h1><span>重磅</span>{_HEADLINE}</h1>", f"重磅{_HEADLINE}"),
        ("<h1>原创音乐剧首演</h1>", "原创音乐剧首演"),
    ],
)
def test_a_label_in_the_heading_is_left_out_when_the_title_names_only_the_site(heading: str, headline: str) -> None:
    html = (
        "<html><head><title>青川网</title></head><body><div class='nav'><a href='/'>青川网</a></div>"
        f"{heading}{_TEXT}</body></html>"
    )
    assert GenericLayout(Page(html, "http://www.qingchuan.example/a/1.html")).read().headline == headline


def test_an_original_title_note_under_the_headline_is_no_subtitle() -> None:
    html = (
        f"<html><head><title>{_HEADLINE}_青川日报</title></head><body><h1>{_HEADLINE}</h1>"
        f"<h2>原标题：智慧公交线路开通</h2>{_TEXT}</body></html>"
    )
    raw = GenericLayout(Page(html, "http://www.qingchuan.example/a/1.html")).read()
    assert (raw.headline, raw.subtitle) == (_HEADLINE, None)


@pytest.mark.parametrize("title", ["青川网", f"{_HEADLINE}_青川网"])
def test_a_meta_row_inside_the_heading_is_read_as_the_byline(title: str) -> None:
    html = (
        f"<html><head><title>{title}</title></head><body><h1>{_HEADLINE}"
        "<span class='info'>2023-04-18&#12288;09:30 来源：青川日报</span></h1>"
        f"{_TEXT.split('</div>', 1)[1]}</body></html>"
    )
    raw = GenericLayout(Page(html, "http://www.qingchuan.example/a/1.html")).read()
    assert raw.headline == _HEADLINE
    assert "2023-04-18" in (raw.time_text or "")


@pytest.mark.parametrize(
    ("top", "headline"),
    [
        # A headline of four or five characters, the title naming only the site.
        ("<h1>国足出线</h1>", "国足出线"),
        ("<h2>体育</h2><h1>国足出线</h1>", "国足出线"),
        ("<h1>春到青川</h1>", "春到青川"),
        # A channel's name the menu links to is its banner, not the headline.
        (f"<h1>本地新闻</h1><p align='center'><b>{_HEADLINE}</b></p>", _HEADLINE),
        # A short heading over a longer one is its banner, linked or not.
        (f"<h2>图片新闻</h2><h3>{_HEADLINE}</h3>", _HEADLINE),
    ],
)
def test_a_short_heading_is_the_headline_unless_the_page_names_a_channel_so(top: str, headline: str) -> None:
    html = (
        "<html><head><title>青川晨报</title></head><body><div class='nav'><a href='/'>青川晨报</a>"
        f"<a href='/bd/'>本地新闻</a><a href='/ty/'>体育</a></div>{top}{_TEXT}</body></html>"
    )
    assert GenericLayout(Page(html, "http://www.qingchuan.example/a/1.html")).read().headline == headline


@pytest.mark.parametrize(
    ("above", "kicker"),
    [
        ("<h3>到站时间实时可查</h3>", "到站时间实时可查"),
        # The channel's name the menu links to, set over the headline: its banner, no kicker.
        ("<h3>本地新闻</h3>", None),
        ("<span class='kicker'>本地新闻</span>", None),
    ],
)
def test_a_channel_name_over_the_headline_is_no_kicker(above: str, kicker: str | None) -> None:
    html = (
        f"<html><head><title>{_HEADLINE}_青川晨报</title></head><body><div class='nav'>"
        f"<a href='/bd/'>本地新闻</a><a href='/ty/'>体育</a></div>{above}<h1>{_HEADLINE}</h1>{_TEXT}</body></html>"
    )
    raw = GenericLayout(Page(html, "http://www.qingchuan.example/a/1.html")).read()
    assert (raw.headline, raw.kicker) == (_HEADLINE, kicker)


@pytest.mark.parametrize(
    ("title", "heading", "headline"),
    [
        # The heading's column tag, left out by the title: the column, not the headline.
        (f"{_HEADLINE}_青川网", f"【新春走基层】{_HEADLINE}", _HEADLINE),
        (f"{_HEADLINE} - 青川网", f"[两会快评] {_HEADLINE}", _HEADLINE),
        (f"{_HEADLINE}｜青川网", f"「专访」{_HEADLINE}", _HEADLINE),
        # The title shows the tag too: it stays, as does a quotation opening the headline.
        (f"【新春走基层】{_HEADLINE}_青川网", f"【新春走基层】{_HEADLINE}", f"【新春走基层】{_HEADLINE}"),
        ("「一国两制」行稳致远_青川网", "「一国两制」行稳致远", "「一国两制」行稳致远"),
    ],
)
def test_a_column_tag_the_title_leaves_out_is_no_part_of_the_headline(title: str, heading: str, headline: str) -> None:
    assert _headline(title, f"<h1>{heading}</h1>") == headline


@pytest.mark.parametrize("title", ["::: 青川在线 :::", "★青川在线★", "==青川在线==", "【青川在线】"])
def test_a_decorated_site_name_as_the_title_names_no_headline(title: str) -> None:
    # The decoration is no part of the name: the title names only the site, so the line the
    # table sets apart in a large font above the text is the headline.
    html = (
        f"<html><head><title>{title}</title></head><body><table><tr><td><a href='/'>首页</a> "
        f"<a href='/sz/'>时政</a></td></tr></table><table><tr><td><font size='4'>{_HEADLINE}</font></td></tr>"
        f"<tr><td><font size='2'>2005-07-12　青川日报</font></td></tr><tr><td>{_TEXT}</td></tr></table></body></html>"
    )
    assert GenericLayout(Page(html, "http://www.qingchuan.example/a/1.html")).read().headline == _HEADLINE


def test_decoration_around_a_title_is_no_part_of_its_headline() -> None:
    assert fallback_headline([f"*** {_HEADLINE} ***"]) == _HEADLINE
    # Brackets around a column tag that opens the title are no decoration: the tag is left out as
    # a column's name, the headline after it kept.
    assert fallback_headline([f"【新春走基层】{_HEADLINE}_青川网"]) == _HEADLINE


def test_a_title_naming_the_edition_page_alone_names_no_headline() -> None:
    assert fallback_headline(["青川晚报-第A03版：城事"]) == "青川晚报"
    assert fallback_headline(["第A03版：城事 - 青川晚报"]) == "青川晚报"


_PRINT_KICKER = "智慧出行再提速"
_PRINT_DECK = "年内还将改造二十条线路"


@pytest.mark.parametrize("apart", [False, True])
@pytest.mark.parametrize(
    ("block", "headline", "kicker", "subtitle"),
    [
        # The rows of a print block all centred, the headline alone in a large bold font.
        (
            f"<p align='center'>{_PRINT_KICKER}</p><p align='center'><font size='5'><b>{_HEADLINE}</b></font></p>"
            f"<p align='center'>{_PRINT_DECK}</p>",
            _HEADLINE, _PRINT_KICKER, _PRINT_DECK,
        ),
        (
            f"<p align='center'><b>{_HEADLINE}</b></p><p align='center'>{_PRINT_DECK}</p>",
            _HEADLINE, None, _PRINT_DECK,
        ),
    ],
)
def test_a_print_block_set_in_centred_rows_gives_its_emphasised_row(
    block: str, headline: str, kicker: str | None, subtitle: str | None, apart: bool
) -> None:
    # The block opens the text's own box, or stands in a box of its own above it.
    assert _print_page(block, apart) == (headline, kicker, subtitle)


def test_a_bold_row_away_from_the_print_block_is_not_its_headline() -> None:
    # Rows set alike give the row nearest the text; a bold row in another block is no row of it.
    assert _print_page(f"<p align='center'>{_PRINT_KICKER}</p><p align='center'>{_HEADLINE}</p>", True)[0] == _HEADLINE
    away = f"<div><p align='center'><b>{_PRINT_KICKER}</b></p></div><p align='center'>{_HEADLINE}</p>"
    assert _print_page(away, True)[0] == _HEADLINE


def _print_page(block: str, apart: bool) -> tuple[str | None, str | None, str | None]:
    text = (
        "<p>4月17日，全市首条智慧公交线路正式开通，沿线二十三个站台全部换装电子站牌，乘客可查到站时间。</p>"
        "<p>市公交集团有关负责人介绍，年内还将完成二十条线路的智慧化改造，覆盖主城区主要客流走廊。</p>"
    )
    byline = "<p>本报记者 赵晨</p>"
    article = f"<div>{block}{byline}</div><div>{text}</div>" if apart else f"{block}{byline}{text}"
    html = (
        "<html><head><title>青川晚报-第A03版：城事</title></head><body>"
        "<div class='bm'><a href='node_1.htm'>第A01版：头版</a> <a href='node_3.htm'>第A03版：城事</a></div>"
        f"<div class='art'>{article}</div></body></html>"
    )
    raw = GenericLayout(Page(html, "http://paper.qingchuan.example/html/content_3.htm")).read()
    return raw.headline, raw.kicker, raw.subtitle


def test_a_full_width_hyphen_sets_the_site_name_apart_in_a_title() -> None:
    assert fallback_headline([f"{_HEADLINE}－青川在线"]) == _HEADLINE
    assert fallback_headline([f"青川在线－{_HEADLINE}"]) == _HEADLINE
    # Doubled it is a headline's dash; between figures, a range.
    dashed = "让老字号焕发新活力－－访市商务局局长刘建国"
    assert fallback_headline([f"{dashed}－青川网"]) == dashed
    assert fallback_headline(["明天气温１５－２０度_青川网"]) == "明天气温１５－２０度"


@pytest.mark.parametrize(
    ("heading", "headline"),
    [
        # A deck set in small type at the heading's end, the title naming only the site.
        (f"<h1>{_HEADLINE}<small>年内还将改造二十条线路</small></h1>", _HEADLINE),
        # Small type opening the heading, or a short mark, stays part of what the heading shows.
        (f"<h1><small>独家报道</small>{_HEADLINE}</h1>", f"独家报道{_HEADLINE}"),
        (f"<h1>{_HEADLINE}<small>(图)</small></h1>", f"{_HEADLINE}(图)"),
    ],
)
def test_a_deck_in_small_type_at_the_heading_end_is_no_part_of_the_headline(heading: str, headline: str) -> None:
    assert _headline("青川网", heading) == headline


@pytest.mark.parametrize(
    ("heading", "headline"),
    [
        # The title gives the first row alone: the heading's rows are one headline all the same.
        (f"<h1>{_HEADLINE}<br>年内还将改造二十条线路</h1>", f"{_HEADLINE}年内还将改造二十条线路"),
        # A ——subheadline row, a time row or a widget in a block of its own is no row of it.
        (f"<h1>{_HEADLINE}<br>——年内还将改造二十条线路</h1>", _HEADLINE),
        (f"<h1>{_HEADLINE}<br>2023-04-18 09:30</h1>", _HEADLINE),
        (f"<h1><span>{_HEADLINE}</span><div class='audio'><div>播报文章</div></div></h1>", _HEADLINE),
    ],
)
def test_heading_rows_after_the_row_the_title_gives_are_part_of_the_headline(heading: str, headline: str) -> None:
    assert _headline(f"{_HEADLINE}_青川网", heading) == headline


_TAGGED_TEXT = _TEXT.replace("<div class='content'>", "<div class='content'><p>【新春走基层】</p>")


@pytest.mark.parametrize(
    ("title", "top", "headline"),
    [
        # A column tag opening the title, the page setting it alone above the text: the tag names
        # the column, the headline is the text after it, shown or not.
        (f"【新春走基层】{_HEADLINE}--青川日报", f"<h2>{_HEADLINE}</h2>", _HEADLINE),
        (f"【新春走基层】{_HEADLINE}--青川日报", f"<p>{_HEADLINE}</p>", _HEADLINE),
        (f"【新春走基层】{_HEADLINE}--青川日报", "", _HEADLINE),
        (f"[新春走基层]{_HEADLINE}_青川网", "", _HEADLINE),
        # A heading showing the tag as the title does keeps it, as the page shows it.
        (f"【新春走基层】{_HEADLINE}--青川日报", f"<h1>【新春走基层】{_HEADLINE}</h1>", f"【新春走基层】{_HEADLINE}"),
    ],
)
def test_a_column_tag_opening_the_title_is_no_headline(title: str, top: str, headline: str) -> None:
    assert _headline(title, top, _TAGGED_TEXT) == headline


@pytest.mark.parametrize("separator", ["——", "--", " | ", " - "])
def test_a_site_name_before_a_dash_in_the_title_is_no_part_of_the_headline(separator: str) -> None:
    # No heading on the page: the title's headline piece is read, never with the site's name.
    assert fallback_headline([f"青川新闻网{separator}{_HEADLINE}"]) == _HEADLINE
    assert _headline(f"青川在线{separator}{_HEADLINE}", "") == _HEADLINE


def test_a_headline_dash_in_the_title_keeps_both_halves() -> None:
    # A dash between two halves of a headline, neither naming a site, stays part of it.
    dashed = "让老字号焕发新活力——访市商务局局长刘建国"
    assert fallback_headline([dashed]) == dashed
    assert fallback_headline(["守护一江清水的人--记青川县护河员群体"]) == "守护一江清水的人--记青川县护河员群体"


@pytest.mark.parametrize(
    ("title", "fallback"),
    [
        ("青川在线 -- 欢迎您", "青川在线"),
        ("欢迎访问青川新闻网！", "青川新闻网"),
        ("青川新闻网欢迎你", "青川新闻网"),
        ("青川在线--欢迎您的光临", "青川在线"),
        (f"{_HEADLINE}_青川在线--欢迎您", _HEADLINE),
    ],
)
def test_a_greeting_in_the_title_is_no_headline(title: str, fallback: str) -> None:
    # A greeting names no headline: the title gives the site's name, and the line the table sets
    # apart above the text is the headline.
    assert fallback_headline([title]) == fallback
    table = f"<table><tr><td><font size='4'><b>{_HEADLINE}</b></font></td></tr></table>"
    assert _headline(title, table) == _HEADLINE


@pytest.mark.parametrize("title", ["家乡欢迎你_青川网", "欢迎来到冰雪世界_青川网", "市民欢迎新版公交线路图_青川网"])
def test_a_headline_that_welcomes_stays_the_headline(title: str) -> None:
    assert fallback_headline([title]) == title.split("_")[0]


_MOBILE_PARAGRAPHS = (
    "<p>4月17日，全市首条智慧公交线路正式开通，沿线二十三个站台全部换装电子站牌，乘客可查到站时间。</p>"
    "<p>市公交集团有关负责人介绍，年内还将完成二十条线路的智慧化改造，覆盖主城区主要客流走廊。</p>"
)
_MOBILE_TEXT = f"<div class='c'>{_MOBILE_PARAGRAPHS}</div>"


@pytest.mark.parametrize(
    ("top", "headline"),
    [
        # A plain block over the time and byline rows, the title naming only the site.
        (f"<div>{_HEADLINE}</div><div>青川日报　2023-04-18 09:30</div>", _HEADLINE),
        (f"<p>{_HEADLINE}</p><p>2023-04-18 09:30</p><p>记者 赵晨</p>", _HEADLINE),
        # One box holding the headline, the meta row and the text's paragraphs.
        (f"<p>{_HEADLINE}</p><p>2023-04-18 09:30　来源：青川日报</p>{_MOBILE_PARAGRAPHS}", _HEADLINE),
        # A channel's name, a link or a sentence there is no headline; nor is a table's plain cell,
        # one row among many.
        ("<div>本地新闻</div><div>2023-04-18 09:30</div>", "青川网"),
        (f"<div><a href='/a/2.html'>{_HEADLINE}</a></div><div>2023-04-18 09:30</div>", "青川网"),
        ("<div>记者从市公交集团获悉，智慧公交线路开通。</div><div>2023-04-18 09:30</div>", "青川网"),
        (f"<table><tr><td>{_HEADLINE}</td></tr><tr><td>2023-04-18 09:30</td></tr></table>", "青川网"),
        # No meta row under it: a plain line opening the text is no headline.
        (f"<p>{_HEADLINE}</p>{_MOBILE_PARAGRAPHS}", "青川网"),
    ],
)
def test_a_plain_line_over_the_meta_rows_is_the_headline_when_the_title_names_only_the_site(
    top: str, headline: str
) -> None:
    head = "<div class='hd'><a href='/'>青川网</a> <a href='/bd/'>本地新闻</a></div>"
    assert _headline("青川网", f"{head}<div class='box'>{top}{_MOBILE_TEXT}</div>", "") == headline


_SMALL_DECK = "年内还将改造二十条线路"


@pytest.mark.parametrize(
    ("title", "heading", "subtitle"),
    [
        # The deck left out of the headline is the subtitle, whatever the title data say.
        ("青川网", f"<h1>{_HEADLINE}<small>{_SMALL_DECK}</small></h1>", _SMALL_DECK),
        (f"{_HEADLINE}_青川网", f"<h1>{_HEADLINE} <small>——{_SMALL_DECK}</small></h1>", _SMALL_DECK),
        # A subtitle the page sets below the heading stays the subtitle; a short mark is none.
        (f"{_HEADLINE}_青川网", f"<h1>{_HEADLINE}<small>{_SMALL_DECK}</small></h1><h2>实时可查</h2>", "实时可查"),
        ("青川网", f"<h1>{_HEADLINE}<small>(图)</small></h1>", None),
        # The title joining the two: the heading is the headline whole, and no deck is left.
        (f"{_HEADLINE} {_SMALL_DECK}_青川网", f"<h1>{_HEADLINE} <small>{_SMALL_DECK}</small></h1>", None),
    ],
)
def test_a_deck_in_small_type_at_the_heading_end_is_the_subtitle(
    title: str, heading: str, subtitle: str | None
) -> None:
    assert _read(f"<title>{title}</title>", heading + _TEXT).read().subtitle == subtitle


@pytest.mark.parametrize(
    ("title", "above", "kicker"),
    [
        # A short plain block right before the heading the title gives alone: the kicker.
        (f"{_HEADLINE}_青川网", "<div>智慧出行再提速</div>", "智慧出行再提速"),
        (f"{_HEADLINE}_本地_青川网", "<p>智慧出行再提速</p>", "智慧出行再提速"),
        # A channel's or column's name (short, or named by the title), a label, a link, a line
        # longer than the headline, or a title naming only the site: no kicker.
        (f"{_HEADLINE}_青川网", "<div>本地新闻</div>", None),
        (f"{_HEADLINE}_智慧出行再提速_青川网", "<div>智慧出行再提速</div>", None),
        (f"{_HEADLINE}_青川网", "<div>【视频】</div>", None),
        (f"{_HEADLINE}_青川网", "<div><a href='/zt/'>智慧出行再提速</a></div>", None),
        (f"{_HEADLINE}_青川网", "<div>市公交集团推进智慧公交建设工作</div>", None),
        ("青川网", "<div>智慧出行再提速</div>", None),
    ],
)
def test_a_bare_line_right_before_the_heading_is_its_kicker(title: str, above: str, kicker: str | None) -> None:
    raw = _read(f"<title>{title}</title>", f"<div class='a'>{above}<h1>{_HEADLINE}</h1>{_TEXT}</div>").read()
    assert (raw.headline, raw.kicker) == (_HEADLINE, kicker)
