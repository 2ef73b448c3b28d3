"""The generic extractor: pages from sites without a profile.

Whole records are checked by the fixture replay (``fixtures/generic/<host>/…``, picked up by
``tests/test_fixtures.py``); here are its parts: the headline against the <title>, the body
scorer, byline tidying, time reconciliation, the canonical URL and the fallback wiring.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscrawler.cli import cli
from newscrawler.extract import extract, resolve_portal
from newscrawler.extract.byline import parse_byline
from newscrawler.extract.generic import (
    GenericLayout,
    best_container,
    choose_headline,
    fallback_headline,
    headline_match,
    is_logo,
    is_noise_line,
    lead_credit,
    line_score,
    own_titles,
    page_lines,
    page_names,
    reconcile_times,
    same_site_url,
    script_times,
    tail_credit,
    tidy_byline,
    title_parts,
)
from newscrawler.extract.generic.metadata import read_metadata
from newscrawler.extract.generic.reconcile import drafted_time, shown_time
from newscrawler.extract.page import Page
from newscrawler.portals.generic import GenericPortal
from newscrawler.portals.zjdaily import Zjdaily

ROOT = Path(__file__).resolve().parent.parent
GENERIC = ROOT / "fixtures" / "generic"
FETCHED_AT = datetime(2024, 7, 1, 3, 0, tzinfo=timezone.utc)


def _lines(html: str):  # type: ignore[no-untyped-def]
    return page_lines(Page(html, "https://news.example/a.html").selector.root)[0]


# --- wiring ----------------------------------------------------------------------------------


def test_fixture_replay_covers_generic_pages() -> None:
    import test_fixtures

    generic = [p for p in test_fixtures.EXPECTED_FILES if GENERIC in p.parents]
    assert len(generic) >= 4
    hosts = {p.relative_to(GENERIC).parts[0] for p in generic}
    assert len(hosts) >= 4, "one CMS style per site"


def test_resolve_portal_falls_back_to_generic() -> None:
    assert resolve_portal("https://news.example/a.html", None) is GenericPortal
    assert resolve_portal("https://www.gdzjdaily.com.cn/p/1.html", None) is Zjdaily
    assert resolve_portal("https://www.gdzjdaily.com.cn/p/1.html", "generic") is GenericPortal
    assert GenericPortal.layout_for(FETCHED_AT).name("generic") == "generic@2"
    assert not GenericPortal.owns("https://news.example/a.html")


def test_cli_extract_falls_back_and_forces_generic() -> None:
    page = GENERIC / "www.county-news.example" / "xw" / "2023-11-08_5521.html"
    runner = CliRunner()
    result = runner.invoke(cli, ["extract", str(page), "--url", "http://www.county-news.example/xw/1.html"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert (record["portal"], record["extractor"], record["article_id"]) == ("generic", "generic@2", None)
    zjdaily_page = ROOT / "fixtures" / "zjdaily" / "p" / "2953118.html"
    url = "https://www.gdzjdaily.com.cn/p/2953118.html"
    forced = runner.invoke(cli, ["extract", str(zjdaily_page), "--url", url, "--portal", "generic"])
    assert forced.exit_code == 0, forced.output
    record = json.loads(forced.output)
    assert record["portal"] == "generic"
    assert record["headline"] == "徐聞奮力推進文明城市衛生縣城創建"


def test_profiled_page_read_generically_agrees_on_the_essentials() -> None:
    page = ROOT / "fixtures" / "zjdaily" / "p" / "2953118.html"
    url = "https://www.gdzjdaily.com.cn/p/2953118.html"
    profiled = extract(url, page.read_bytes(), {}, FETCHED_AT)
    generic = extract(url, page.read_bytes(), {}, FETCHED_AT, "generic")
    for field in ("headline", "published_at", "source", "reporters", "editors", "paragraphs"):
        assert generic[field] == profiled[field], field


# --- headline --------------------------------------------------------------------------------


def test_title_parts_split_site_and_channel_suffixes() -> None:
    assert title_parts("青山县举办首届农民丰收节--新闻中心--青山县新闻网")[1:] == [
        "青山县举办首届农民丰收节", "新闻中心", "青山县新闻网",
    ]
    assert title_parts("滨海港吞吐量创新高_财经_滨海在线")[1] == "滨海港吞吐量创新高"
    assert title_parts("标题 | 网站")[1:] == ["标题", "网站"]
    # A dash inside the headline is not a separator unless a short site name follows it.
    assert title_parts("1-10月德清县固定资产投资结构趋稳趋优") == ["1-10月德清县固定资产投资结构趋稳趋优"]


def test_headline_prefers_the_visible_heading_matching_the_title() -> None:
    references = ["江南市老城区完成首批雨污分流改造_江南日报网"]
    candidates = [
        ("h3", "热点新闻"),
        ("h1", "江南市老城区完成首批雨污分流改造"),
        ("h3", "江南市中考成绩7月5日公布"),
    ]
    assert choose_headline(candidates, references)[0] == 1


def test_headline_truncated_with_an_ellipsis_still_matches() -> None:
    references = ["定了！广州南沙邮轮母港即将开通！地铁直达+无敌免税城"]
    assert headline_match("定了！广州南沙邮轮母港即将开通！地铁直达+无敌免...", references) >= 0.5


def test_headline_is_not_the_site_name_or_a_related_title() -> None:
    references = ["国内首条跨海高铁隧道贯通-新闻频道-通讯社网"]
    assert headline_match("通讯社网", references) < 1.0
    assert headline_match("春运收官：全国铁路发送旅客4.8亿人次", references) == 0.0
    assert choose_headline([("h1", "通讯社网"), ("", "国内首条跨海高铁隧道贯通")], references)[0] == 1


def test_fallback_headline_drops_the_title_suffix() -> None:
    assert fallback_headline(["国内首条跨海高铁隧道贯通-新闻频道-通讯社网"]) == "国内首条跨海高铁隧道贯通"
    assert fallback_headline([]) is None


@pytest.mark.parametrize(
    ("title", "top", "deck", "headline"),
    [
        # The title row of a table layout, rows above the text, wins over a bold deck that opens
        # the body and matches the title only in part.
        ("青山湖湿地公园三月底前恢复开放_青山网", "<font size='5'><b>青山湖湿地公园三月底前恢复开放</b></font>",
         "<p><b>湿地公园三月底前恢复开放</b></p>", "青山湖湿地公园三月底前恢复开放"),
        # A headline set over two rows, its second opening with a dash, as the title has it.
        ("青山湖湿地公园恢复开放——新建观鸟平台同步启用",
         "<b>青山湖湿地公园恢复开放</b><br><b>——新建观鸟平台同步启用</b>",
         "<p><b>新建观鸟平台同步启用</b></p>", "青山湖湿地公园恢复开放——新建观鸟平台同步启用"),
    ],
)
def test_visible_title_row_wins_over_a_bold_deck(title: str, top: str, deck: str, headline: str) -> None:
    text = "<p>记者从市园林局获悉，青山湖湿地公园栈道改造工程已进入收尾阶段，公园将于月底前恢复开放。</p>" * 4
    html = (
        f"<html><head><title>{title}</title></head><body><table><tr><td>{top}</td></tr>"
        "<tr><td>2024-03-11 16:20 来源：青山晚报</td></tr><tr><td>【字体：大 中 小】</td></tr>"
        "<tr><td><a href='#'>打印</a> <a href='#'>关闭</a></td></tr><tr><td>&nbsp;</td></tr>"
        f"<tr><td class='content'>{deck}{text}</td></tr></table></body></html>"
    )
    record = extract("https://news.qingshan.example/a.html", html.encode(), {}, FETCHED_AT, "generic")
    assert record["headline"] == headline


def test_site_first_title_gives_its_long_piece() -> None:
    # 站点名 - 标题: the site's name comes first; the long piece is the headline.
    references = ["北山新闻网 - 汽车下乡试点扩至六县 首批补贴车型公布"]
    assert headline_match("汽车下乡试点扩至六县 首批补贴车型公布", references) >= 0.8
    assert headline_match("北山新闻网", references) < 0.5
    assert fallback_headline(references) == "汽车下乡试点扩至六县 首批补贴车型公布"
    # The usual order keeps its first piece, however long the site's name.
    assert fallback_headline(["试点扩至六县_北山市人民政府门户网站"]) == "试点扩至六县"


def test_title_and_page_may_set_colons_and_dashes_differently() -> None:
    assert headline_match("孙明：关于乡村图书室的几点看法", ["孙明:关于乡村图书室的几点看法"]) >= 1.0
    assert headline_match("记一位老教授－－访北山医学院张明", ["记一位老教授——访北山医学院张明"]) >= 1.0
    # A dash between two long pieces is inside the headline: no site name follows it.
    assert fallback_headline(["记一位老教授——访北山医学院张明"]) == "记一位老教授——访北山医学院张明"
    assert fallback_headline(["记一位老教授——北山新闻网"]) == "记一位老教授"


def test_headline_read_from_a_div_when_h1_is_the_site_banner() -> None:
    html = """<html><head><title>央行发布一季度货币政策执行报告_财经频道</title></head><body>
    <h1>财经频道</h1><div class="art-title">央行发布一季度货币政策执行报告</div>
    <div class="info">2024-05-10 17:00 来源：金融时报</div>
    <div class="art-body"><p>中国人民银行10日发布2024年第一季度中国货币政策执行报告，报告称将保持流动性合理充裕。</p>
    <p>报告指出，稳健的货币政策要灵活适度、精准有效，合理把握债券与信贷两个最大融资市场的关系。</p></div>
    </body></html>"""
    raw = GenericLayout(Page(html, "https://finance.example/a.html")).read()
    assert raw.headline == "央行发布一季度货币政策执行报告"
    assert raw.time_text == "2024-05-10 17:00"
    assert parse_byline(raw.bylines[0]).source == "金融时报"


def test_breadcrumb_titles_split_at_their_arrows() -> None:
    assert title_parts("苍山网 > 社会新闻 > 苍山老街改造完工")[1:] == ["苍山网", "社会新闻", "苍山老街改造完工"]
    assert title_parts("苍山网::社会新闻::苍山老街改造完工")[1:] == ["苍山网", "社会新闻", "苍山老街改造完工"]
    assert title_parts("苍山网>>社会新闻>>苍山老街改造完工")[1:] == ["苍山网", "社会新闻", "苍山老街改造完工"]
    # 丨 splits off only a short last piece, an account's name; a column before it stays.
    assert title_parts("双溪街道今秋新增三所公办幼儿园丨双溪发布")[1:] == ["双溪街道今秋新增三所公办幼儿园", "双溪发布"]
    assert title_parts("专访丨张三：关于乡村图书室的几点看法") == ["专访丨张三：关于乡村图书室的几点看法"]
    assert title_parts("两会丨代表委员热议乡村教育_新华网")[1:] == ["两会丨代表委员热议乡村教育", "新华网"]
    # A comparison between figures is part of the headline.
    assert title_parts("全市七成企业增速>6%") == ["全市七成企业增速>6%"]
    headline = "苍山老街改造完工 百年骑楼重现旧貌"
    assert fallback_headline([f"苍山网 > 社会新闻 > {headline}"]) == headline


def test_title_cut_short_matches_the_whole_headline_over_the_site_name() -> None:
    references = ["靖海港首条国际集装箱航线开通 每周一班直达…_要闻_靖海日报网"]
    whole = "靖海港首条国际集装箱航线开通 每周一班直达东南亚四个港口"
    assert headline_match(whole, references) >= 0.9
    # The site's name, even set as an <h1>, stays below what a headline needs.
    assert choose_headline([("h1", "靖海日报网"), ("h2", whole)], references)[0] == 1
    assert choose_headline([("h1", "靖海日报网")], references)[1] < 0.5


def test_title_media_marks_are_not_part_of_the_headline() -> None:
    assert headline_match("玉湖公园郁金香进入盛花期", ["玉湖公园郁金香进入盛花期（组图）_玉湖新闻网"]) == 1.0
    assert headline_match("玉湖公园郁金香进入盛花期", ["[视频]玉湖公园郁金香进入盛花期"]) == 1.0
    assert fallback_headline(["玉湖公园郁金香进入盛花期 (图)_玉湖新闻网"]) == "玉湖公园郁金香进入盛花期"
    # A column tag opening the title names the column the story runs in: the headline is the text
    # after it (a heading showing the tag with it keeps it, as the page shows it).
    tagged = "【新春走基层】玉湖公园郁金香进入盛花期"
    assert fallback_headline([f"{tagged}_玉湖新闻网"]) == "玉湖公园郁金香进入盛花期"


def test_title_class_short_forms_mark_a_headline_rows_above_the_text() -> None:
    text = "<p>连日来，玉湖公园四十万株郁金香陆续盛开，二十多个品种争奇斗艳，吸引了大批市民和游客前来观赏。</p>" * 3
    html = (
        "<html><head><title>玉湖公园郁金香进入盛花期 花期持续到月底_玉湖新闻网</title></head><body><table>"
        "<tr><td class='news_tit'>玉湖公园郁金香进入盛花期</td></tr><tr><td>2007-04-16 08:50 来源：玉湖晚报</td></tr>"
        "<tr><td>【字体：<a href='#'>大</a> <a href='#'>中</a> <a href='#'>小</a>】</td></tr>"
        "<tr><td><a href='#'>打印</a> <a href='#'>关闭</a></td></tr><tr><td>&nbsp;</td></tr>"
        f"<tr><td class='content'><p><b>郁金香进入盛花期</b></p>{text}</td></tr></table></body></html>"
    )
    raw = GenericLayout(Page(html, "https://www.yuhu.example/a.html")).read()
    assert raw.headline == "玉湖公园郁金香进入盛花期"


def test_title_and_page_may_set_quotation_marks_differently() -> None:
    assert headline_match('岭南市植树节种下"市民林"', ["岭南市植树节种下“市民林”_岭南时报网"]) == 1.0
    assert headline_match("北市種下「市民林」", ["北市種下“市民林”"]) == 1.0


def test_metadata_titles_escaped_twice_are_read_as_text() -> None:
    html = (
        "<html><head><meta property='og:title' content='种下&amp;quot;市民林&amp;quot;'>"
        "<title>种下&amp;quot;市民林&amp;quot;</title></head><body></body></html>"
    )
    meta = read_metadata(Page(html, "https://news.example/a.html"))
    assert meta.titles == ['种下"市民林"', '种下"市民林"']


def test_traditional_heading_matches_a_simplified_title() -> None:
    assert headline_match("海西渡輪碼頭完成改建", ["海西渡轮码头完成改建_海西导报"]) == 1.0
    assert headline_match("海西渡轮码头完成改建", ["海西渡輪碼頭完成改建｜海西導報"]) == 1.0


def test_title_naming_only_a_channel_and_the_site_gives_no_headline() -> None:
    lines = _lines(
        "<div><a href='/'>首页</a> | <a href='/bdxw/'>本地新闻</a></div>"
        "<div>您现在的位置：首页 &gt;&gt; 本地新闻 &gt;&gt; 正文</div><p>东湖区五百余人参加义务植树活动</p>"
    )
    assert "本地新闻" in page_names(lines)
    # The channel named by the page's links leaves the site's name; a headline piece stays.
    assert own_titles(["本地新闻 - 东湖新闻网"], lines) == ["东湖新闻网"]
    assert own_titles(["东湖新闻网"], lines) == ["东湖新闻网"]
    assert own_titles(["首页_本地新闻"], lines) == []
    kept = ["东湖区五百余人参加义务植树活动_本地新闻_东湖新闻网", "义务植树_本地新闻"]
    assert own_titles(kept, lines) == kept
    # A title that is the name another title gives the site: og:title left as the site's name.
    titled = "东湖区五百余人参加义务植树活动_东湖新闻网"
    assert own_titles(["东湖新闻网", titled], lines) == [titled]
    assert own_titles(["东湖新闻网-东湖人自己的网站", titled], lines) == [titled]


@pytest.mark.parametrize(
    ("heading", "logo"),
    [
        ("<div class='logo'><h1>东湖新闻网</h1></div>", True),
        ("<h1 id='site-name'>东湖新闻网</h1>", True),
        ("<h1><a href='http://www.donghu.example/'>东湖新闻网</a></h1>", True),
        ("<h1><a href='/index.html'>东湖新闻网</a></h1>", True),
        ("<h1><a href='/bdxw/2004/0312/1058.html'>东湖区五百余人参加义务植树活动</a></h1>", False),
        ("<div class='article'><h1>东湖区五百余人参加义务植树活动</h1></div>", False),
    ],
)
def test_site_logo_is_never_the_headline(heading: str, logo: bool) -> None:
    line = next(line for line in _lines(heading) if line.text)
    assert is_logo(line.owner) is logo


def test_heading_set_over_lines_is_read_whole_without_its_subheadline() -> None:
    text = "<p>9月27日上午，松河高速公路举行通车仪式，这条高速公路全长一百六十八公里，设计时速一百公里。</p>" * 3
    html = (
        "<html><head><title>松河网-新闻中心</title></head><body><div class='article'>"
        "<h1>松河高速公路全线通车<br>市区到省城缩短至两小时<br>——沿线五县区均设出入口</h1>"
        f"<div class='info'>2012-09-27 18:05 来源：松河电视台</div><div class='text'>{text}</div></div></body></html>"
    )
    raw = GenericLayout(Page(html, "https://news.songhe.example/a.html")).read()
    assert raw.headline == "松河高速公路全线通车市区到省城缩短至两小时"


_TRAIN_TEXT = "<p>昨日是春运首日，南岭火车站共发送旅客三万二千人次，客流总体平稳，车站加开临时旅客列车二十趟。</p>" * 3


@pytest.mark.parametrize(
    ("header", "headline"),
    [
        # A deck under the headline and a kicker above it, all headings: the higher rank.
        ("<h3>春运首日客流平稳</h3><h1>南岭火车站加开临客二十趟</h1><h3>售票窗口增至三十个</h3>",
         "南岭火车站加开临客二十趟"),
        ("<h2>南岭火车站加开临客二十趟</h2><h2>——售票窗口增至三十个</h2>", "南岭火车站加开临客二十趟"),
        # A headline linking to its own page; related stories below link elsewhere.
        ("<h1><a href='/html/2010-01/22/content_40213.htm'>南岭火车站加开临客二十趟</a></h1>",
         "南岭火车站加开临客二十趟"),
    ],
)
def test_nearest_heading_is_the_headline_not_its_deck(header: str, headline: str) -> None:
    html = (
        "<html><head><title>南岭日报</title></head><body><div class='article'>"
        f"{header}<div class='info'>2010-01-22 来源：南岭日报</div><div class='text'>{_TRAIN_TEXT}</div></div>"
        "<div class='more'><h1><a href='/html/2010-01/21/content_40190.htm'>城区新增公交线路三条</a></h1></div>"
        "</body></html>"
    )
    raw = GenericLayout(Page(html, "http://epaper.nanling.example/html/2010-01/22/content_40213.htm")).read()
    assert raw.headline == headline


def test_channel_banner_above_the_article_is_not_the_headline() -> None:
    html = (
        "<html><head><title>南岭日报</title></head><body><div class='banner'><h1>南岭日报本地新闻频道</h1></div>"
        "<div class='article'><h2>南岭火车站加开临客二十趟</h2><div class='info'>2010-01-22 来源：南岭日报</div>"
        f"<div class='text'>{_TRAIN_TEXT}</div></div></body></html>"
    )
    raw = GenericLayout(Page(html, "http://www.nanling.example/a/1.html")).read()
    assert raw.headline == "南岭火车站加开临客二十趟"


@pytest.mark.parametrize(
    ("cell", "read"),
    [
        ("<td style='font-size:18px;font-weight:bold'>{}</td>", True),
        ("<td><span style='font-size:20px; color:#003399'>{}</span></td>", True),
        ("<td class='f18b'>{}</td>", True),
        ("<td><span class='bt1'>{}</span></td>", True),
        # Body-sized, plain: nothing sets the line apart from the rows around it.
        ("<td style='font-size:12px'>{}</td>", False),
        ("<td class='f12'>{}</td>", False),
    ],
)
def test_table_headline_set_apart_by_style_or_class(cell: str, read: bool) -> None:
    html = (
        "<html><head><title>南岭日报</title></head><body><table>"
        f"<tr>{cell.format('南岭火车站加开临客二十趟')}</tr><tr><td>作者：王振宇　发布时间：2010-1-22</td></tr>"
        f"<tr><td>{_TRAIN_TEXT}</td></tr></table></body></html>"
    )
    raw = GenericLayout(Page(html, "http://www.nanling.example/a/1.html")).read()
    assert raw.headline == ("南岭火车站加开临客二十趟" if read else "南岭日报")


def test_page_without_a_headline_keeps_the_site_name_from_its_title() -> None:
    # The title names only the site, as its logo link does, and nothing reads as a headline:
    # the record keeps the site's name rather than being dropped.
    html = (
        "<html><head><title>南岭日报</title></head><body><a href='/'><img alt='南岭日报' src='/logo.png'></a>"
        f"<div class='text'>{_TRAIN_TEXT}</div></body></html>"
    )
    raw = GenericLayout(Page(html, "http://www.nanling.example/a/1.html")).read()
    assert raw.headline == "南岭日报"


@pytest.mark.parametrize(
    ("header", "kicker", "subtitle"),
    [
        ("<p class='yt'>春运首日客流平稳</p><h1>南岭火车站加开临客二十趟</h1><p class='ft'>售票窗口增至三十个</p>",
         "春运首日客流平稳", "售票窗口增至三十个"),
        ("<h3>春运首日客流平稳</h3><h1>南岭火车站加开临客二十趟</h1><h3>售票窗口增至三十个</h3>",
         "春运首日客流平稳", "售票窗口增至三十个"),
        # A print block in a table: the dash marks the subtitle, the centred line above is the kicker.
        ("<table><tr><td align='center'>春运首日客流平稳</td></tr>"
         "<tr><td align='center'><font size='5'><b>南岭火车站加开临客二十趟</b></font></td></tr>"
         "<tr><td align='center'>——售票窗口增至三十个</td></tr></table>",
         "春运首日客流平稳", "售票窗口增至三十个"),
        # A channel name or a breadcrumb above, nothing below: no kicker, no subtitle.
        ("<div class='channel'>本地新闻</div><h1>南岭火车站加开临客二十趟</h1>", None, None),
        ("<div>首页 &gt; 本地新闻</div><h1>南岭火车站加开临客二十趟</h1>", None, None),
        ("<table><tr><td align='center'>春运首日客流平稳</td></tr>"
         "<tr><td align='center'><b>南岭火车站加开临客二十趟</b></td></tr></table>", None, None),
    ],
)
def test_kicker_and_subtitle_set_with_the_headline(header: str, kicker: str | None, subtitle: str | None) -> None:
    html = (
        f"<html><head><title>南岭火车站加开临客二十趟_南岭日报</title></head><body>{header}"
        f"<div class='info'>2010-01-22 来源：南岭日报</div><div class='text'>{_TRAIN_TEXT}</div></body></html>"
    )
    raw = GenericLayout(Page(html, "http://www.nanling.example/a/1.html")).read()
    assert (raw.kicker, raw.headline, raw.subtitle) == (kicker, "南岭火车站加开临客二十趟", subtitle)


# --- body ------------------------------------------------------------------------------------


def test_lines_split_at_blocks_and_br_and_skip_hidden_text() -> None:
    lines = _lines(
        "<div>第一行<br>第二行<p>段落<b>加粗</b>文字</p>尾巴"
        "<p style='display:none'>原标题：隐藏</p><script>var a = 1;</script></div>"
    )
    assert [line.text for line in lines] == ["第一行", "第二行", "段落加粗文字", "尾巴"]


def test_prose_outscores_menus_and_link_lists() -> None:
    lines = _lines(
        "<p>记者从市住建局获悉，老城区首批12条街巷的雨污分流改造工程日前全部完工，涉及居民约3200户。</p>"
        "<p>首页 新闻 财经 体育 娱乐 科技 教育 房产 汽车</p>"
        "<p><a href='/a'>城东新区今年新增学位4000个，家长可通过小程序查询学区划分</a></p>"
    )
    prose, menu, link = (line_score(line) for line in lines)
    assert prose > menu
    assert link == 0.0


def test_best_container_is_the_article_not_the_sidebar() -> None:
    paragraph = (
        "<p>丰收节设置了特色农产品展销、农耕文化体验、农技专家咨询等板块，"
        "现场人头攒动，特色产品受到市民青睐。</p>"
    )
    related = "<li><a href='/x'>青山县冬笋上市，预计今年产量同比增长一成，价格与去年持平</a></li>"
    comments = "<p>网友：说得好，支持！家乡越来越好了，点赞，希望明年还办。</p>"
    html = (
        f"<body><div class='sidebar'><ul>{related * 8}</ul></div>"
        f"<div class='news-body' id='body'>{paragraph * 4}</div>"
        f"<div class='comment-list'>{comments * 2}</div></body>"
    )
    lines = _lines(html)
    container = best_container(lines)
    assert container is not None and container.attrib.get("id") == "body"


def test_noise_lines() -> None:
    assert is_noise_line("（原标题：跨海高铁隧道贯通 两岸半小时通达）")
    assert is_noise_line("扫描下方二维码，关注“青山发布”微信公众号")
    assert is_noise_line("版权所有 © 青山县新闻网　未经授权禁止转载")
    assert is_noise_line("免责声明：本网转载内容仅供参考，不构成投资建议。")
    assert not is_noise_line("据统计，丰收节首日现场交易额达86万元，签订意向订单21份。")


def _body_of(paragraphs: str) -> list[str]:
    html = (
        "<html><head><title>湿地公园新栈道开放_青山新闻</title></head><body><h1>湿地公园新栈道开放</h1>"
        f"<div class='content'>{paragraphs}</div></body></html>"
    )
    record = extract("https://news.qingshan.example/a.html", html.encode(), {}, FETCHED_AT, "generic")
    return list(record["paragraphs"])


_LEAD = "<p>湿地公园新建的观鸟栈道昨日开放，全长一点二公里，沿途设有三处观鸟屋和两处休息平台。</p>"
_CLOSE = "<p>公园管理处提醒，栈道每日开放至下午六时，游客请勿投喂鸟类，雨天路滑时请放慢脚步。</p>"


def test_counter_opening_a_caption_under_a_picture_is_dropped() -> None:
    body = _body_of(f"{_LEAD}<div><img src='/p/1.jpg'></div><p>1/6 游客在栈道上观鸟</p>{_CLOSE}")
    assert body[1] == "游客在栈道上观鸟"


def test_counters_of_one_slideshow_are_dropped_without_pictures() -> None:
    # The pictures are loaded by script; the counters (1/6, 2/6) still count the same slideshow.
    body = _body_of(f"{_LEAD}<p>1/6 游客在栈道上观鸟</p><p>2/6 白鹭掠过湖面</p>{_CLOSE}")
    assert body[1:3] == ["游客在栈道上观鸟", "白鹭掠过湖面"]


def test_counter_opening_a_figcaption_is_dropped_from_the_pictures_caption() -> None:
    html = (
        "<html><head><title>大桥合龙_青山新闻</title></head><body><h1>大桥合龙</h1><div class='content'>"
        f"{_LEAD}<figure><img src='/p/2.jpg'><figcaption><span>2/5</span>大桥合龙现场</figcaption></figure>"
        f"{_CLOSE}</div></body></html>"
    )
    record = extract("https://news.qingshan.example/a.html", html.encode(), {}, FETCHED_AT, "generic")
    assert [image["caption"] for image in record["images"]] == ["大桥合龙现场"]


def test_a_paragraph_opening_on_a_date_is_no_caption() -> None:
    # Not under a picture, not a caption block, no other counter: 1/10 here is a date.
    paragraph = "1/10 起，公园将试行分时段预约入园，每日限流三千人。"
    assert _body_of(f"{_LEAD}<p>{paragraph}</p>{_CLOSE}")[1] == paragraph


def test_autoplay_label_counts_only_above_the_first_paragraph() -> None:
    later = "自动播放 提示音将在闭园前十分钟响起，提醒游客有序离园。"
    body = _body_of(f"<p><span>自动播放</span>{_LEAD[3:]}<p>{later}</p>{_CLOSE}")
    assert body[0] == _LEAD[3:-4]
    assert body[1] == later


def test_back_link_counts_only_after_the_last_paragraph() -> None:
    middle = "栈道沿线设有清晰的导览标识。返回"
    body = _body_of(f"{_LEAD}<p>{middle}</p>{_CLOSE[:-4]}<a href='javascript:history.back()'>返回顶部</a></p>")
    assert body[1] == middle
    assert body[-1] == _CLOSE[3:-4]


def test_back_link_to_the_sites_front_page_is_cut() -> None:
    link = "<a href='/'><img src='/favicon.ico'><span>返回青山网首页&gt;&gt;</span></a>"
    assert _body_of(f"{_LEAD}{_CLOSE[:-4]}{link}</p>")[-1] == _CLOSE[3:-4]
    # A sentence that names a front page keeps it: no link set apart after its end.
    sentence = "游客可在公园官网返回首页后查看栈道开放时间和预约入口，也可拨打服务热线咨询。"
    assert _body_of(f"{_LEAD}<p>{sentence}</p>")[-1] == sentence


def test_summary_box_opening_the_text_block_is_no_paragraph() -> None:
    summary = "<div class='article-summary'>观鸟栈道昨日开放，全长一点二公里，沿途设有三处观鸟屋。</div>"
    assert _body_of(f"{summary}{_LEAD}{_CLOSE}") == [_LEAD[3:-4], _CLOSE[3:-4]]
    # Below the first paragraph a box of that name is the text's own (a quoted abstract).
    assert _body_of(f"{_LEAD}{summary}{_CLOSE}")[1].startswith("观鸟栈道")


def test_key_points_label_and_its_list_opening_the_text_are_dropped() -> None:
    points = "<p>划重点：</p><ol><li>栈道全长一点二公里，设有三处观鸟屋。</li><li>每日开放至下午六时。</li></ol>"
    assert _body_of(f"{points}{_LEAD}{_CLOSE}") == [_LEAD[3:-4], _CLOSE[3:-4]]
    # A list after the first paragraph is text.
    assert len(_body_of(f"{_LEAD}<ol><li>栈道全长一点二公里，设有三处观鸟屋。</li></ol>{_CLOSE}")) == 3


def test_video_players_title_above_the_text_is_no_paragraph() -> None:
    player = "<div class='video-player'><div class='player-title'>观鸟栈道航拍</div></div>"
    assert _body_of(f"{player}{_LEAD}{_CLOSE}") == [_LEAD[3:-4], _CLOSE[3:-4]]


# --- bylines, credits, times, URLs -----------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "tidy"),
    [
        ("2019-11-25 11:01:53 来源: 新京报 举报", "2019-11-25 11:01:53 来源: 新京报"),
        ("2019-09-26 12:11来源：证券时报网作者：李在山", "2019-09-26 12:11 来源：证券时报网 作者：李在山"),
        ("作者：未知 责任编辑：棒棒不是糖", "作者： 责任编辑：棒棒不是糖"),
        ("2019-09-26 10:56:28 证券时报网", "2019-09-26 10:56:28 来源：证券时报网"),
        # An empty 来源 stays empty: the time and the counter after it are no outlet.
        ("来源: | 发布时间: 2018-05-17 | 浏览次数: 2168", "来源:"),
        # 图片来源 stays whole: neither the source label nor a label glued to a field.
        ("图片来源：视觉中国 来源：新京报", "图片来源：视觉中国 来源：新京报"),
        # The source set off by a bar; an IP location is neither an outlet nor a field.
        ("2024-06-01 10:00 来源 | 新华社", "2024-06-01 10:00 来源 | 新华社"),
        ("2024-06-01 10:00 来自广东", "2024-06-01 10:00"),
        # …but 来自 before an outlet's name names the source; a city, a device, a picture's
        # origin stay what they were.
        ("2024-06-01 10:00 · 来自青山日报", "2024-06-01 10:00 · 来源：青山日报"),
        ("2024-06-01 10:00 来自：青山晚报客户端 作者：张三", "2024-06-01 10:00 来源：青山晚报客户端 作者：张三"),
        ("本文来自青山发布", "来源：青山发布"),
        ("2024-06-01 10:00 来自烟台", "2024-06-01 10:00"),
        ("2024-06-01 10:00 来自手机客户端", "2024-06-01 10:00"),
        ("图片来自青山日报", "图片来自青山日报"),
        ("来源：新华社 IP属地：北京", "来源：新华社"),
        # Neither is the weekday, the print page, a button or the font-size switch after a date.
        ("2022年03月08日 星期二", "2022年03月08日 星期二"),
        ("2022年03月08日 第A05版", "2022年03月08日 第A05版"),
        ("2022-03-08 10:00 打印本页", "2022-03-08 10:00 打印本页"),
        ("2022-03-08 10:00 【大 中 小】", "2022-03-08 10:00"),
        ("2004-05-06 10:30 PM", "2004-05-06 10:30 PM"),
        ("2004-05-06 10:30 北京时间", "2004-05-06 10:30 北京"),
        ("2004-5-6 上午", "2004-5-6 上午"),
        # The credit in brackets after the outlet stays.
        ("来源：青山日报（记者 张三）", "来源：青山日报 记者 张三）"),
        ("2019-09-26 10:56:28 第一财经", "2019-09-26 10:56:28 来源：第一财经"),
        # A personal name after the time is no outlet; an outlet opening like a surname is one.
        ("2004-05-06 10:30 孙立新", "2004-05-06 10:30 孙立新"),
        ("2004-05-06 10:30 南方网", "2004-05-06 10:30 来源：南方网"),
        ("2024-06-23 07:40 · 新华社", "2024-06-23 07:40 来源：新华社"),
        ("人民网 2024-06-23 07:40", "2024-06-23 07:40 来源：人民网"),
        ("要闻 2024-06-23 07:40", "要闻 2024-06-23 07:40"),
        ("国际新闻 2024-06-23 07:40", "国际新闻 2024-06-23 07:40"),
        # Placeholders name nobody, whichever way the label is written.
        ("2024-06-23 07:40 来源于网络", "2024-06-23 07:40 来源"),
        ("来源：互联网 作者：佚名", "来源： 作者："),
        # 本站 names no person, but as the 来源 value it is the site's own story: kept as shown.
        ("来源：本站 作者：本站", "来源：本站 作者："),
        ("發布時間：2024-03-05 來源：本站", "2024-03-05 來源：本站"),
        # 发表时间 labels the time as 发布时间 does: 发表 is no name after 作者.
        ("作者 张三 发表时间：2024-03-05 10:21", "作者 张三 2024-03-05 10:21"),
        ("發表時間：2024-03-05 作者：王小明", "2024-03-05 作者：王小明"),
        # An update time goes whole: 更新 is no name after 作者 either.
        ("文章来源：青山日报 作者：张三 点击数：128 更新时间：2005-3-5", "文章来源：青山日报 作者：张三"),
        # 发布 glued to a name ends an outlet's name (a government account, 上海发布); standing
        # as a word or before a colon it labels the time.
        ("2024-03-05 10:00 来源：青山发布", "2024-03-05 10:00 来源：青山发布"),
        ("来源：青山发布 作者：张三", "来源：青山发布 作者：张三"),
        ("发布 2024-03-05 10:00 来源：青山日报", "2024-03-05 10:00 来源：青山日报"),
        ("张三 发表：2024-03-05", "张三 2024-03-05"),
    ],
)
def test_tidy_byline(line: str, tidy: str) -> None:
    assert tidy_byline(line) == tidy


def test_dateline_and_closing_credits() -> None:
    assert lead_credit("新华社北京3月1日电（记者张海洋、王雪）记者1日从有关方面获悉……") == "记者张海洋、王雪"
    assert lead_credit("本报讯（记者 孙晓东 通讯员 何芳）11月7日……") == "记者 孙晓东 通讯员 何芳"
    assert lead_credit("（2007年6月29日第十届全国人民代表大会常务委员会第二十八次会议通过）") is None
    assert tail_credit("……提升港口通过能力。（记者 钱伟）") == "记者 钱伟"
    assert tail_credit("……推进创建工作。（张巨峰）") == "张巨峰"
    assert tail_credit("……总体全县投资结构趋稳趋优。（德清县发改局）") is None
    assert tail_credit("……（新华社）") is None
    # A sign-off followed by the story's code, and an author signing with a title and no role.
    assert tail_credit("……正式启用。（編輯：王小明）2301") == "編輯：王小明"
    assert tail_credit("……值得期待。（作者系青山大学经济学院研究员 张三）") == "张三"
    assert tail_credit("……值得期待。（青山大学国际关系学院研究员李四）") == "李四"
    assert tail_credit("……仍在增长。（青山大学研究中心）") is None
    assert tail_credit("……推进创建工作。（张巨峰 李晓红）") == "张巨峰 李晓红"
    assert tail_credit("……推进创建工作。（北京、上海）") is None


def test_times_visible_wins_and_metadata_completes() -> None:
    # Agreeing metadata adds what the page leaves out.
    assert reconcile_times("09-30 22:46", [], ["2019-09-30 22:46:13"]) == "2019-09-30 22:46:13"
    assert reconcile_times("2012-06-24", ["2012-06-24T08:00:00+08:00"]) == "2012-06-24T08:00:00+08:00"
    # A stale metadata time loses against the page.
    assert reconcile_times("2019-09-18 06:23", ["2017-11-08 20:26"]) == "2019-09-18 06:23"
    assert reconcile_times("2019-09-18", ["2017-11-08 20:26"]) == "2019-09-18"
    assert reconcile_times(None, ["2024-06-28T09:15:00+08:00"]) == "2024-06-28T09:15:00+08:00"
    assert reconcile_times(None, []) is None


def test_relative_visible_time_gives_way_to_metadata() -> None:
    # 昨天 can only be checked against the fetch time; an absolute metadata time is better.
    assert reconcile_times("昨天", ["2020-02-12T22:17:54+08:00"]) == "2020-02-12T22:17:54+08:00"
    assert reconcile_times("3小时前", []) == "3小时前"


def test_visible_time_takes_its_zone_from_a_machine_time_of_the_same_clock() -> None:
    # An overseas page shows its own wall-clock time; metadata or <time datetime> of that same
    # clock with an offset tells the zone, which the portal's zone must not replace.
    paris = "2021-03-05T10:20:00+01:00"
    assert reconcile_times("2021年3月5日 10:20", [paris]) == paris
    assert reconcile_times("2021-03-05 10:20", [], [], [paris]) == paris
    assert reconcile_times("2021-03-05 10:20", [], [], ["2021-03-05T10:20:00-05:00"]) == "2021-03-05T10:20:00-05:00"
    # Not another clock (a side list's story), not the portal's own zone (the shown text stays
    # the raw time), not a zero offset (a CMS writing its local time with Z), not a named zone.
    assert reconcile_times("2021-03-05 10:20", [], [], ["2021-03-05T09:40:00+01:00"]) == "2021-03-05 10:20"
    assert reconcile_times("2021-03-05 10:20", ["2021-03-05T10:20:00+08:00"]) == "2021-03-05 10:20"
    assert reconcile_times("2021-03-05 10:20", ["2021-03-05T10:20:00Z"]) == "2021-03-05 10:20"
    assert reconcile_times("2021-03-05 10:20", ["2021-03-05T10:20:00+00:00"]) == "2021-03-05 10:20"
    assert reconcile_times("北京时间2021年3月5日 10:20", [paris]) == "北京时间2021年3月5日 10:20"
    # A bare date is no clock to agree with: the zone-less date stays (metadata completes it as before).
    assert reconcile_times("2021-03-05", [], [], [paris]) == "2021-03-05"


def test_visible_time_takes_the_offset_a_utc_publication_time_shows() -> None:
    # An overseas page shows its own clock and records the same instant in UTC: the difference
    # of the clocks is the page's offset, in whole or half hours.
    assert reconcile_times("2024-03-05 14:30", ["2024-03-05T13:30:00Z"]) == "2024-03-05T14:30:00+01:00"
    assert reconcile_times("2024年3月5日 14:30", ["2024-03-05T09:00:00+00:00"]) == "2024-03-05T14:30:00+05:30"
    assert reconcile_times("2024-03-05 09:15", [], [], ["2024-03-05T14:15:00Z"]) == "2024-03-05T09:15:00-05:00"
    # …the dates agreeing up to the shift.
    assert reconcile_times("2024-03-05 00:30", ["2024-03-04T20:30:00Z"]) == "2024-03-05T00:30:00+04:00"
    # Equal clocks (a CMS writing its local time with Z) and the portal's own +8 keep +08:00.
    assert reconcile_times("2024-03-05 14:30", ["2024-03-05T14:30:00Z"]) == "2024-03-05 14:30"
    assert reconcile_times("2024-03-05 14:30", ["2024-03-05T06:30:00Z"]) == "2024-03-05 14:30"
    # Not another minute (a modified time), not an update time, no zone's offset, no day apart.
    assert reconcile_times("2024-03-05 14:30", ["2024-03-05T13:47:00Z"]) == "2024-03-05 14:30"
    assert reconcile_times("2024-03-05 14:30", [], ["2024-03-05T13:30:00Z"]) == "2024-03-05 14:30"
    assert reconcile_times("2024-03-05 14:30", ["2024-03-05T14:30:00Z", "2024-03-04T14:30:00Z"]) == "2024-03-05 14:30"
    assert reconcile_times("2024-03-05 14:30", ["2024-03-06T04:30:00Z"]) == "2024-03-05 14:30"
    # Of many <time datetime> elements (a list of stories), none is taken to match by its minute.
    stories = ["2024-03-05T11:30:00Z", "2024-03-05T09:05:00Z"]
    assert reconcile_times("2024-03-05 14:30", [], [], stories) == "2024-03-05 14:30"
    # A time that names its zone keeps it.
    assert reconcile_times("北京时间2024年3月5日 14:30", ["2024-03-05T13:30:00Z"]) == "北京时间2024年3月5日 14:30"


def _minguo_page(lang: str, headline: str, paragraph: str, meta: str) -> dict:  # type: ignore[type-arg]
    html = (
        f"<html lang='{lang}'><head><title>{headline}</title></head><body><div class='main'>"
        f"<h1>{headline}</h1><div class='info'>{meta}</div><div class='txt'>" + f"<p>{paragraph}</p>" * 3
        + "</div></div></body></html>"
    )
    return extract("https://news.example/a.html", html.encode(), {}, FETCHED_AT, "generic")


_TRADITIONAL = (
    "青山湖濕地公園恢復開放",
    "記者從市園林處獲悉，青山湖濕地公園棧道改造工程已進入收尾階段，公園將於月底前恢復開放。",
)
_SIMPLIFIED = (
    "青山湖湿地公园恢复开放",
    "记者从市园林局获悉，青山湖湿地公园栈道改造工程已进入收尾阶段，公园将于月底前恢复开放。",
)


@pytest.mark.parametrize(
    ("lang", "texts", "meta", "published_at"),
    [
        # A Traditional page's bare Minguo date, however written, labelled or not.
        ("zh", _TRADITIONAL, "113-03-05 10:20 中央社", "2024-03-05T10:20:00+08:00"),
        ("zh-TW", _TRADITIONAL, "發布時間：113/03/05 下午 02:20", "2024-03-05T14:20:00+08:00"),
        ("", _TRADITIONAL, "113年3月5日 記者王小明", "2024-03-05T00:00:00+08:00"),
        # Never on a Simplified page, whatever its language tag says.
        ("zh-TW", _SIMPLIFIED, "113-03-05 10:20", None),
        ("zh-CN", _SIMPLIFIED, "发布时间：113/03/05 10:20", None),
    ],
)
def test_bare_minguo_date_on_a_traditional_page(
    lang: str, texts: tuple[str, str], meta: str, published_at: str | None
) -> None:
    assert _minguo_page(lang, *texts, meta)["published_at"] == published_at


def test_written_date_of_a_document_is_not_its_publication_time() -> None:
    # A government information table dates the document twice: 成文日期 is when it was written.
    row = "发布机构：临水市林业局 成文日期：2024-03-01 发布日期：2024-03-05"
    assert shown_time(row) == "2024-03-05"
    assert drafted_time(row) == "2024-03-01"
    assert shown_time("生成日期：2024-03-01 公开日期：2024-03-05") == "2024-03-05"
    # Alone it is no publication time; it stays the last resort.
    assert shown_time("成文日期：2024-03-01") is None
    assert drafted_time("成文日期：2024-03-01") == "2024-03-01"
    # Other labels are untouched.
    assert shown_time("时间：2024-03-01 来源：市林业局") == "2024-03-01"
    assert drafted_time("发布日期：2024-03-05") is None


def test_government_table_above_the_headline_gives_the_publication_date() -> None:
    page = (
        "<html><head><title>关于开展植树活动的通知_某市政府</title></head><body>"
        "<table><tr><td>成文日期：</td><td>2024-03-01</td></tr>"
        "<tr><td>发布日期：</td><td>2024-03-05</td></tr></table>"
        "<h1>关于开展植树活动的通知</h1><div class=\"content\">"
        "<p>为深入推进国土绿化行动，经研究，决定于3月中旬至4月中旬在全市范围内开展春季义务植树活动。</p>"
        "<p>各单位要结合实际制定活动方案，合理安排植树地点和时间，做到苗木、工具和后勤保障三落实。</p>"
        "</div></body></html>"
    )
    record = extract("https://www.tm-a.gov.example/art/1.html", page.encode(), {},
                     datetime(2024, 7, 1, 3, tzinfo=timezone.utc), "generic")
    assert record["published_at"] == "2024-03-05T00:00:00+08:00"


def _generic_source(head: str, meta_line: str) -> str | None:
    page = (
        f"<html><head><title>青禾县夏粮收购进度过半_青禾网</title>{head}</head><body>"
        f"<h1>青禾县夏粮收购进度过半</h1><div class=\"info\">{meta_line}</div><div class=\"content\">"
        "<p>记者从县粮食和物资储备局获悉，截至6月18日，全县已收购新产小麦三万余吨，收购进度过半。</p>"
        "<p>今年县里新增了两个收购网点，并推行预约售粮，农户通过手机即可查询收购价格。</p>"
        "</div></body></html>"
    )
    record = extract("https://www.tm-b.example/a/1.html", page.encode(), {},
                     datetime(2024, 7, 1, 3, tzinfo=timezone.utc), "generic")
    return record["source"]


def test_recorded_source_only_when_the_page_shows_none() -> None:
    recorded = '<meta name="source" content="来源：青禾网-青禾日报">'
    assert _generic_source(recorded, "2024-06-19 08:20") == "青禾网-青禾日报"
    assert _generic_source('<meta name="ContentSource" content="县粮食局">', "2024-06-19") == "县粮食局"
    # The page's own 来源 wins; a code, an address or a placeholder is no outlet.
    shown = "2024-06-19 08:20 来源：青禾日报"
    assert _generic_source('<meta name="source" content="来源：青禾网">', shown) == "青禾日报"
    assert _generic_source('<meta name="source" content="web">', "2024-06-19 08:20") is None
    assert _generic_source('<meta name="source" content="https://www.tm-b.example/">', "2024-06-19") is None
    assert _generic_source('<meta name="ContentSource" content="网络">', "2024-06-19 08:20") is None


@pytest.mark.parametrize(
    ("line", "source"),
    [
        ("2021-03-05 10:20 本文转载自青山日报", "青山日报"),
        ("（本文转载自青山日报）", "青山日报"),
        ("转载自青山晚报", "青山晚报"),
        ("本文来源于青山日报", "青山日报"),
        ("本文来源：青山日报", "青山日报"),
        # Where a picture came from, or a notice asking others to credit the site: no outlet.
        ("图片转载自青山图库", None),
        ("转载请注明来源：青山网", None),
    ],
)
def test_repost_note_names_the_source_never_a_person(line: str, source: str | None) -> None:
    byline = parse_byline(tidy_byline(line))
    assert byline.source == source
    assert byline.reporters == []


def test_script_time_only_when_the_scripts_agree() -> None:
    one = '<html><head><script>var ct = "1581517074";</script></head><body></body></html>'
    assert script_times(Page(one, "https://a.example/1")) == ["2020-02-12T22:17:54+08:00"]
    # A story list in page data, each story with its own time, says nothing about this page.
    many = (
        '<script>{"items":[{"publishDate":"2019-09-07T05:51:23.000Z"},'
        '{"publishDate":"2019-09-07T10:29:27.000Z"}]}</script>'
    )
    assert script_times(Page(many, "https://a.example/1")) == []
    # Milliseconds, and a zone kept as given.
    ms = '<script>window.DATA = {"publishTime": 1581517074000};</script>'
    assert script_times(Page(ms, "https://a.example/1")) == ["2020-02-12T22:17:54+08:00"]


@pytest.mark.parametrize(
    ("shown", "published_at"),
    [
        # A CMS's end-of-day placeholder with no date on the page: no publication time.
        ("<p>第二十八次会议通过。</p>", None),
        # The same placeholder whose date the page shows: that date.
        ("<p>发布于2007年8月20日。</p>", "2007-08-20T00:00:00+08:00"),
    ],
)
def test_placeholder_metadata_time_needs_the_page_to_show_its_date(shown: str, published_at: str | None) -> None:
    html = (
        '<html><head><meta name="firstpublishedtime" content="2007-08-20-23:59:59"><title>决议</title></head>'
        "<body><h1>决议</h1><div class='content'><p>全国人民代表大会常务委员会决定，批准该条约，"
        f"同时声明有关事项，并请有关部门做好实施准备工作，依法推进。</p>{shown}</div></body></html>"
    )
    record = extract("https://gazette.example/a.html", html.encode(), {}, FETCHED_AT, "generic")
    assert record["published_at"] == published_at


def _article(meta: str) -> dict:  # type: ignore[type-arg]
    html = (
        "<html><head><title>青山湖湿地公园恢复开放_青山网</title></head><body><div class='main'>"
        f"<h1>青山湖湿地公园恢复开放</h1>{meta}<div class='txt'>"
        + "<p>记者从市园林局获悉，青山湖湿地公园栈道改造工程已进入收尾阶段，公园将于月底前恢复开放。</p>" * 3
        + "</div></div></body></html>"
    )
    return extract("https://news.qingshan.example/a.html", html.encode(), {}, FETCHED_AT, "generic")


@pytest.mark.parametrize(
    ("meta", "published_at"),
    [
        # Beside a publication time, the update time is passed over…
        ("<div class='info'>最后更新：2024-03-11 16:20　发布时间：2024-03-10 09:00</div>", "2024-03-10T09:00:00+08:00"),
        ("<div class='info'>2024-03-10 09:00　修改时间：2024-03-11 16:20</div>", "2024-03-10T09:00:00+08:00"),
        # …and beside a time the metadata record, or the date the document was written.
        ("<meta name='publishdate' content='2024-03-09 08:00'><div class='info'>更新时间：2024-03-11 16:20</div>",
         "2024-03-09T08:00:00+08:00"),
        ("<div class='info'>成文日期：2024-03-08　更新时间：2024-03-11 16:20</div>", "2024-03-08T00:00:00+08:00"),
    ],
)
def test_update_time_is_not_the_publication_time(meta: str, published_at: str | None) -> None:
    assert _article(meta)["published_at"] == published_at


@pytest.mark.parametrize(
    "meta",
    [
        "<div class='info'>更新时间：2024-03-11 16:20</div>",
        "<div class='info'>来源：青山晚报　最后更新：2024-03-11 16:20</div>",
        "<div class='info'>作者：李明　修改時間：2024-03-11 16:20</div>",
    ],
)
def test_update_time_is_the_last_resort(meta: str) -> None:
    # A page that shows and records no other time: its update time is the best bound it gives.
    record = _article(meta)
    assert (record["published_at"], record["published_at_raw"]) == ("2024-03-11T16:20:00+08:00", "2024-03-11 16:20")


@pytest.mark.parametrize(
    "meta",
    [
        "<ul class='info'><li>2024-03-11 16:20</li><li>来源：青山晚报</li><li>作者：李明</li></ul>",
        # Label in one item, value in the next.
        "<table><tr><td>时间：</td><td>2024-03-11 16:20</td><td>来源：</td><td>青山晚报</td>"
        "<td>作者：</td><td>李明</td></tr></table>",
        "<div class='info'><p>发布时间：</p><p>2024-03-11 16:20</p><p>来源：</p><p>青山晚报</p>"
        "<p>作者：</p><p>李明</p></div>",
        # A clock apart from its date; counters, buttons and separators between the fields.
        "<ul class='info'><li>2024-03-11</li><li>16:20</li><li>|</li><li>来源：青山晚报</li>"
        "<li>浏览次数：123</li><li>作者：李明</li></ul>",
        "<div class='txt-top'><p>2024-03-11 16:20</p><p>【打印】【关闭】</p><p>来源：青山晚报</p>"
        "<p>作者：李明</p></div>",
    ],
)
def test_header_fields_split_across_sibling_items(meta: str) -> None:
    record = _article(meta)
    assert record["published_at"] == "2024-03-11T16:20:00+08:00"
    assert record["source"] == "青山晚报"
    assert [person["name"] for person in record["reporters"]] == ["李明"]
    assert record["paragraphs"][0].startswith("记者从市园林局获悉")


def test_outlet_alone_after_the_time_is_the_source() -> None:
    html = (
        "<html><head><title>青山湖湿地公园恢复开放_青山网</title></head><body><div class='main'>"
        "<h1>青山湖湿地公园恢复开放</h1><div class='txt'><p>2024-03-11 16:20</p><p>青山晚报</p><p>浏览次数：123</p>"
        + "<p>记者从市园林局获悉，青山湖湿地公园栈道改造工程已进入收尾阶段，公园将于月底前恢复开放。</p>" * 3
        + "</div></div></body></html>"
    )
    record = extract("https://news.qingshan.example/a.html", html.encode(), {}, FETCHED_AT, "generic")
    assert record["source"] == "青山晚报"
    assert len(record["paragraphs"]) == 3


def test_cli_extract_leaves_relative_times_unresolved_without_a_fetch_time(tmp_path: Path) -> None:
    page = tmp_path / "a.html"
    page.write_text(
        "<html><head><title>夜市开张</title></head><body><h1>夜市开张</h1><p><span>昨天 18:42</span></p>"
        "<div class='content'><p>海滨夜市迎来首个完整周末，一周累计接待市民游客一万二千人次，摊主们直呼没想到。</p>"
        "<p>夜市设在滨海公园南侧停车场，晚上六时至十一时营业，共有摊位八十六个，以本地小吃为主。</p></div></body></html>",
        encoding="utf-8",
    )
    runner = CliRunner()
    unknown = json.loads(runner.invoke(cli, ["extract", str(page), "--url", "https://n.example/a.html"]).output)
    assert unknown["published_at"] is None
    assert unknown["published_at_raw"] == "昨天 18:42"  # kept as shown
    assert "unresolved:published_at=昨天 18:42 (fetch time unknown)" in unknown["warnings"]
    # A capture Date in a .headers.json above the page says when it was fetched.
    (tmp_path / ".headers.json").write_text('{"Date": "Mon, 01 Jul 2024 03:00:00 GMT"}', encoding="utf-8")
    dated = json.loads(runner.invoke(cli, ["extract", str(page), "--url", "https://n.example/a.html"]).output)
    assert (dated["published_at"], dated["fetched_at"]) == ("2024-06-30T18:42:00+08:00", "2024-07-01T03:00:00+00:00")
    (tmp_path / ".headers.json").unlink()
    known = json.loads(runner.invoke(
        cli, ["extract", str(page), "--url", "https://n.example/a.html", "--fetched-at", "2024-07-01T11:00:00+08:00"]
    ).output)
    assert known["published_at"] == "2024-06-30T18:42:00+08:00"


@pytest.mark.parametrize("heading", ["相关新闻", "延伸閱讀", "相關報導", "猜你喜歡"])
def test_related_story_headings_in_both_scripts_end_the_body(heading: str) -> None:
    from newscrawler.extract.generic import is_stop_line

    assert is_stop_line(heading)


def test_print_note_of_a_web_article_names_paper_edition_and_page() -> None:
    html = (
        "<html><head><title>湿地修复完成--民生网</title></head><body><h1>湿地修复完成</h1>"
        "<div class='rm_txt_con'><p>城西湿地公园生态修复工程近日通过验收，越冬候鸟数量三年增加一倍，"
        "观测到的鸟类由八十七种增加到一百二十六种。</p><p>下一步，当地将建设湿地监测站，对水质、鸟类和植被"
        "开展长期观测。</p><p>《 民生日报 》（ 2024年06月24日 11 版）</p></div></body></html>"
    )
    record = extract("https://news.minsheng.example/n1/1.html", html.encode(), {}, FETCHED_AT, "generic")
    assert (record["paper"], record["edition_date"], record["page"]) == ("民生日报", "2024-06-24", "11版")
    assert all("民生日报" not in paragraph for paragraph in record["paragraphs"])


@pytest.mark.parametrize(
    ("address", "canonical"),
    [
        ("http://auto.beishan.example/2005/0412/1234.htm", "http://auto.beishan.example/2005/0412/1234.htm"),
        # Corpora often store the address without its scheme.
        ("auto.beishan.example/2005/0412/1234.htm", "http://auto.beishan.example/2005/0412/1234.htm"),
        ("1234", None),
    ],
)
def test_crawl_corpus_wrapper_gives_address_and_title(address: str, canonical: str | None) -> None:
    from newscrawler.extract.generic.metadata import read_metadata

    html = f'<text id="{address}" title="汽车下乡试点扩至六县" encoding="gb2312"><p>正文</p></text>'
    meta = read_metadata(Page(html, "http://auto.beishan.example/records/10.html"))
    assert meta.canonical == canonical
    assert meta.titles == ["汽车下乡试点扩至六县"]


def test_canonical_url_only_on_the_same_site() -> None:
    url = "https://www.news.example.cn/a/1.html?from=share#top"
    assert same_site_url(url, "https://m.news.example.cn/a/1.html") == "https://m.news.example.cn/a/1.html"
    assert same_site_url(url, "https://other.example/a/1.html") == "https://www.news.example.cn/a/1.html?from=share"
    assert same_site_url(url, "/a/1.html") == "https://www.news.example.cn/a/1.html"
    assert same_site_url(url, None) == "https://www.news.example.cn/a/1.html?from=share"


def test_the_same_site_is_the_same_registrable_domain_by_the_public_suffix_list() -> None:
    # Sites under a second-level suffix (sina.com.cn; a city's site under the province's gd.cn)
    # are told apart by the Public Suffix List: two sites under gd.cn are not one site.
    def canonical(url: str, link: str) -> str:
        return same_site_url(url, link)

    assert canonical("https://news.sina.com.cn/c/1.html", "https://finance.sina.com.cn/c/1.html") == (
        "https://finance.sina.com.cn/c/1.html")
    assert canonical("https://www.zhanjiang.gd.cn/a/1.html", "https://www.maoming.gd.cn/a/1.html") == (
        "https://www.zhanjiang.gd.cn/a/1.html")
    assert canonical("https://news.example.com.hk/a/1.html", "https://www.example.com.hk/a/1.html") == (
        "https://www.example.com.hk/a/1.html")
    # Each subdomain of a hosting service is its own site (the list's private suffixes).
    assert canonical("https://alice.github.io/a.html", "https://bob.github.io/a.html") == (
        "https://alice.github.io/a.html")
    # An address is its own site; a name under a reserved top-level domain, its last two labels.
    assert canonical("http://10.0.0.1/a.html", "http://192.168.0.1/a.html") == "http://10.0.0.1/a.html"
    assert canonical("http://10.0.0.1/a.html", "http://10.0.0.1/b.html") == "http://10.0.0.1/b.html"
    assert canonical("https://paper.daily.example/a.html", "https://www.daily.example/a.html") == (
        "https://www.daily.example/a.html")


def test_canonical_url_is_percent_encoded_as_a_crawl_stores_urls() -> None:
    # A canonical link written with Chinese characters, spaces or a Chinese host: the record
    # holds it in the form a crawl fetches and stores URLs in, as it holds the page's own URL.
    url = "https://www.news.example.cn/a/1.html"
    assert same_site_url(url, "/专题/道路 通车.html?城市=湛江") == (
        "https://www.news.example.cn/%E4%B8%93%E9%A2%98/%E9%81%93%E8%B7%AF%20%E9%80%9A%E8%BD%A6.html"
        "?%E5%9F%8E%E5%B8%82=%E6%B9%9B%E6%B1%9F")
    assert same_site_url("https://新闻.example.cn/a/1.html", "/a/道路.html") == (
        "https://xn--efvy88h.example.cn/a/%E9%81%93%E8%B7%AF.html")  # 新闻 in IDNA
    encoded = "https://www.news.example.cn/a/%E9%81%93%E8%B7%AF.html"
    assert same_site_url(url, encoded) == encoded  # already encoded: unchanged


def test_commentary_headline_names_its_author_only_when_nothing_else_does() -> None:
    from newscrawler.extract.generic.signed import headline_author

    body = ["入夏以来，不少城市的夜市重新热闹起来。"]
    assert headline_author("周立新：夜市要亮起来，也要管起来", body, False) == "周立新"
    # A speaker quoted in the headline is named in the report.
    assert headline_author("李建华：坚定信心稳增长", ["李建华在会上指出，……"], False) is None
    # A page that credits its reporter; a prefix that is no personal name.
    assert headline_author("周立新：夜市要亮起来，也要管起来", body, True) is None
    assert headline_author("新华时评：夜市要亮起来，也要管起来", body, False) is None
    assert headline_author("关注：夜市要亮起来，也要管起来", body, False) is None
    assert headline_author("周立新：“夜市要亮起来，也要管起来”", body, False) is None


def test_unlabelled_slots_between_headline_and_body() -> None:
    from newscrawler.extract.generic.slots import slot_bylines

    html = (
        "<html><body><h1>标题</h1><div class='info'><span>2024-06-20 08:30</span>"
        "<span class='article-source'>青山日报</span> <a class='author' href='/u/1'>李建华</a>"
        "<span class='author-follow'>关注</span></div><div class='media'>青山视频</div>"
        "<div class='body'><p>正文。</p></div><div class='source'>推荐来源</div></body></html>"
    )
    root = Page(html, "https://news.example/a.html").selector.root
    lines = page_lines(root)[0]
    headline = next(line.index for line in lines if line.text == "标题")
    body = next(line.index for line in lines if line.text == "正文。")
    # The account's follow button and a bare media box are no credits; nothing after the body counts.
    assert slot_bylines(lines, headline, body) == ["来源：青山日报", "李建华"]


def test_byline_standing_alone_in_the_header_is_read() -> None:
    body = "".join(
        f"<p>{text}</p>"
        for text in (
            "受北方冷空气影响，青山市今天起迎来明显降温，最高气温将由二十八摄氏度降至十六摄氏度左右。",
            "气象部门提醒，降温过程中伴有六级左右偏北风，市民外出注意添衣保暖，做好防风措施。",
            "农业部门建议，大棚蔬菜种植户提前加固棚膜，露天作物及时采取覆盖保温措施。",
        )
    )
    html = (
        "<html><head><title>青山市迎来明显降温_河畔时报</title></head><body><h1>青山市迎来明显降温</h1>"
        "<div class='reporter'>河畔新闻记者 吴晓东</div><div class='time'>2024-06-23 07:40</div>"
        f"<div class='content'>{body}</div></body></html>"
    )
    record = extract("https://www.riverside-times.example/a/1.html", html.encode(), {}, FETCHED_AT)
    assert record["reporters"] == [{"role": "记者", "name": "吴晓东"}]


def test_commentary_author_from_the_title_when_the_heading_drops_the_prefix() -> None:
    body = "".join(
        f"<p>{text}</p>"
        for text in (
            "入夏以来，不少城市的夜市重新热闹起来。烟火气回来了，随之而来的噪音和油烟，也让周边居民有了烦恼。",
            "管理夜市，关键在于划清边界。哪些路段可以摆摊、几点收摊、垃圾怎么清运，都应当事先定好规矩。",
            "规矩定好了，还要有人守。让夜市亮起来，也让夜市管起来，城市的烟火气才能长久。",
        )
    )
    html = (
        "<html><head><title>周立新：夜市要亮起来，也要管起来_湖滨新闻网</title></head><body>"
        "<h1>夜市要亮起来，也要管起来</h1><div class='time'>2024-06-21 10:05</div>"
        f"<div class='content'>{body}</div></body></html>"
    )
    record = extract("https://opinion.lakeside-news.example/pl/1.html", html.encode(), {}, FETCHED_AT)
    assert record["reporters"] == [{"role": None, "name": "周立新"}]


def test_byline_slots_right_below_the_text_are_read() -> None:
    body = "".join(
        f"<p>{text}</p>"
        for text in (
            "受北方冷空气影响，青山市今天起迎来明显降温，最高气温将由二十八摄氏度降至十六摄氏度左右。",
            "气象部门提醒，降温过程中伴有六级左右偏北风，市民外出注意添衣保暖，做好防风措施。",
            "农业部门建议，大棚蔬菜种植户提前加固棚膜，露天作物及时采取覆盖保温措施。",
        )
    )
    html = (
        "<html><head><title>青山市迎来明显降温_河畔时报</title></head><body><h1>青山市迎来明显降温</h1>"
        f"<div class='time'>2024-06-23 07:40</div><div class='content'>{body}</div>"
        "<div class='article-source'>青山日报</div><div class='author-name'>吴晓东</div>"
        "<div class='related'><h3>相关阅读</h3><ul><li><a href='/1'>降温天气注意事项</a></li></ul></div>"
        "<div class='footer-where'>青山市</div></body></html>"
    )
    record = extract("https://www.riverside-times.example/a/2.html", html.encode(), {}, FETCHED_AT)
    assert (record["source"], record["reporters"]) == ("青山日报", [{"role": None, "name": "吴晓东"}])


def test_column_tag_above_the_text_is_not_a_paragraph() -> None:
    html = (
        "<html><head><title>山村小学的新操场_青山网</title></head><body><h1>山村小学的新操场</h1>"
        "<div class='content'><p>【新春走基层】</p>"
        + "<p>记者走进青山县石门小学，新铺的塑胶操场上，孩子们正在老师的带领下做课间操，欢笑声传得很远。</p>" * 3
        + "</div></body></html>"
    )
    record = extract("https://news.qingshan.example/b.html", html.encode(), {}, FETCHED_AT, "generic")
    assert record["paragraphs"][0].startswith("记者走进")


@pytest.mark.parametrize(("box", "kept"), [("t-content__chapo", True), ("article-summary", False)])
def test_standfirst_above_the_body_opens_it_but_a_summary_box_does_not(box: str, kept: bool) -> None:
    lead = "冬奥会闭幕已近一周，多家报纸今天把目光投向了冬奥留下的遗产：城市里的冰雪运动热还能持续多久？"
    html = (
        "<html><head><title>冬奥之后的城市冰雪热</title></head><body><article><h1>冬奥之后的城市冰雪热</h1>"
        f"<p class='{box}'>{lead}</p><div class='body'>"
        + "<p>一家都市报在评论中写道，冬奥期间新开的室内冰场几乎场场爆满，不少家长带着孩子第一次穿上冰鞋。</p>" * 3
        + "</div></article></body></html>"
    )
    record = extract("https://www.radio.example/cn/a", html.encode(), {}, FETCHED_AT, "generic")
    assert (record["paragraphs"][0] == lead) is kept


@pytest.mark.parametrize(
    "wrap", ["<div class='more'><h3>更多新闻</h3>{items}</div>", "<div class='list'>{items}</div>"]
)
def test_one_paragraph_article_beats_a_list_of_story_teasers(wrap: str) -> None:
    article = (
        "<p>记者20日从市交通局获悉，江心洲大桥主桥当天上午顺利合龙，大桥全长3.2公里，设计为双向六车道，"
        "建成后从江心洲到主城区的车程将由四十分钟缩短到十分钟，预计年底具备通车条件。</p>"
    )
    item = (
        "<div class='item'><a href='/n/{i}.html'>城东新区今年新增学位四千个</a><p>城东新区今年将新建和改扩建学校"
        "六所，新增学位四千个，家长可通过小程序查询学区划分，报名工作将于七月启动，请关注后续通知。</p></div>"
    )
    teasers = wrap.format(items="".join(item.format(i=i) for i in range(6)))
    html = (
        "<html><head><title>江心洲大桥主桥合龙_青山网</title></head><body><div class='wrap'><h1>江心洲大桥主桥合龙</h1>"
        f"<div class='info'>2024-05-20 13:09</div><div class='text'>{article}</div>{teasers}</div></body></html>"
    )
    record = extract("https://news.qingshan.example/c.html", html.encode(), {}, FETCHED_AT, "generic")
    assert [p[:6] for p in record["paragraphs"]] == ["记者20日从"]


def test_prominent_line_above_the_body_is_the_headline_only_when_set_apart() -> None:
    from newscrawler.extract.generic.headline import prominent_line

    def lines_of(html: str) -> list:  # type: ignore[type-arg]
        return page_lines(Page(html, "https://news.example/a.html").selector.root)[0]

    bold = lines_of("<table><tr><td><font size='4'><b>老城区旧房改造正式启动</b></font></td></tr>"
                    "<tr><td>发布时间：2004-11-20 09:15</td></tr><tr><td>正文第一段。</td></tr></table>")
    assert prominent_line(bold, 2) == 0
    # A plain line, or a bold meta line, is no headline.
    plain = lines_of("<table><tr><td>老城区旧房改造正式启动</td></tr><tr><td>正文第一段。</td></tr></table>")
    assert prominent_line(plain, 1) is None
    meta = lines_of("<div><b>作者：林海明 来源：南风周刊</b></div><p>正文第一段。</p>")
    assert prominent_line(meta, 1) is None


def test_a_site_name_set_off_by_spacing_leaves_the_title() -> None:
    lines = _lines("<div><a href='/'><img src='/logo.png' alt='白云邮报'></a> <a href='/news/'>新闻</a></div>")
    assert own_titles(["白云山登山步道全线贯通 白云邮报"], lines) == ["白云山登山步道全线贯通"]
    # A word of the headline that the page names nothing with stays: headlines have spaces too.
    assert own_titles(["习近平 会见 外宾"], lines) == ["习近平 会见 外宾"]


def _headline_of(body: str, title: str) -> str | None:
    html = f"<html><head><title>{title}</title></head><body>{body}</body></html>"
    return GenericLayout(Page(html, "https://www.shatian.example/a.html")).read().headline


_TEXT = (
    "<div class='meta'>2024-06-30 09:45　来源：沙田日报</div><div class='article'>"
    "<p>记者从区交通运输局获悉，7月1日起，沙田区将新开通三条公交线路，方便沿线居民出行。</p>"
    "<p>新线路首班车时间为早上6时，末班车时间为晚上10时，全程票价2元。</p></div>"
)


def test_a_channel_banner_matching_the_title_gives_way_to_the_headline_below_it() -> None:
    banner = "<div class='channel'><h1>本地新闻</h1></div>"
    headline = "<div class='main'><h2>沙田区三条新公交线路开通</h2>" + _TEXT + "</div>"
    assert _headline_of(banner + headline, "本地新闻_沙田新闻网") == "沙田区三条新公交线路开通"


def test_a_short_headline_keeps_the_deck_set_under_it() -> None:
    head = "<div class='main'><div class='head'><h1>春天来了</h1><h2>沙田公园的樱花和玉兰竞相开放</h2></div>"
    assert _headline_of(head + _TEXT + "</div>", "春天来了_沙田新闻网") == "春天来了"


@pytest.mark.parametrize("heading", [
    "<h1><span class='badge'>独家</span>沙田区三条新公交线路开通</h1>",
    "<h1>沙田区三条新公交线路开通<span class='time'>2024-06-30 09:45</span></h1>",
])
def test_what_a_heading_sets_apart_from_the_headline_is_not_part_of_it(heading: str) -> None:
    page = "<div class='main'>" + heading + _TEXT + "</div>"
    assert _headline_of(page, "沙田区三条新公交线路开通_沙田新闻网") == "沙田区三条新公交线路开通"


def test_a_heading_the_title_gives_whole_keeps_its_parts() -> None:
    page = "<div class='main'><h1><span>沙田区</span>三条新公交线路开通</h1>" + _TEXT + "</div>"
    assert _headline_of(page, "沙田区三条新公交线路开通_沙田新闻网") == "沙田区三条新公交线路开通"


def test_the_site_name_of_the_metadata_is_a_page_name() -> None:
    lines = _lines(
        "<html><head><meta property='og:site_name' content='东湖新闻'></head>"
        "<body><p>东湖区五百余人参加义务植树活动</p></body></html>"
    )
    assert "东湖新闻" in page_names(lines)
    assert own_titles(["东湖区五百余人参加义务植树活动　东湖新闻"], lines) == ["东湖区五百余人参加义务植树活动"]


@pytest.mark.parametrize(
    ("paragraph", "credit"),
    [
        ("（袁源）", "袁源"),
        ("（陈思远 郭宁）", "陈思远 郭宁"),
        ("(记者 刘涛)", "记者 刘涛"),
        ("（編輯：王小明）2301", "編輯：王小明"),
        ("张三 李四", "张三 李四"),
        ("欧阳修远、林海", "欧阳修远、林海"),
        # Not a sign-off: bracketed words that are no names, a last word of text, prose.
        ("（待续）", None),
        ("（新华社）", None),
        ("（完）", None),
        ("未完待续", None),
        ("特别鸣谢", None),
        ("据了解，索道桥由县交通运输部门投资建设。（记者 刘涛）", None),
    ],
)
def test_sign_off(paragraph: str, credit: str | None) -> None:
    from newscrawler.extract.generic.metalines import sign_off

    assert sign_off(paragraph) == credit


@pytest.mark.parametrize(
    ("paragraph", "credit"),
    [
        ("……推进创建工作。（袁源）", "袁源"),
        ("……推进创建工作。（欧阳娜娜）", "欧阳娜娜"),
        # A serial's note and a wire's short tag close paragraphs in the same brackets.
        ("……且听下回分解。（待续）", None),
        ("……且听下回分解。（未完）", None),
        ("……推进创建工作。（全文）", None),
        ("……推进创建工作。（央视）", None),
        ("……推进创建工作。（新华）", None),
    ],
)
def test_tail_credit_bare_word_needs_a_person_shape(paragraph: str, credit: str | None) -> None:
    assert tail_credit(paragraph) == credit
