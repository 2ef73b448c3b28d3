"""The generic extractor's body paragraphs on page classes met on sites it was never tuned on.

Each class also has a fixture page of its own writing under ``fixtures/generic/`` (replayed by
``tests/test_fixtures.py``); these tests hold the rule's edges, the pages it must leave alone.
"""

from __future__ import annotations

from lxml.html import fromstring

from newscrawler.extract.generic import GenericLayout, page_lines
from newscrawler.extract.generic.body import is_stop_line, is_teaser
from newscrawler.extract.page import Page

_HEADLINE = "老街夜市重新开张"
_TEXT = (
    "<p>　　6月28日晚，停业整修半年的老街夜市重新开张，八十余家摊位亮灯迎客，不少市民专程前来。</p>"
    "<p>　　街道办负责人介绍，整修后的夜市统一了摊位样式，增设了垃圾分类点和公共座椅。</p>"
)


def _paragraphs(top: str, body: str, title: str = _HEADLINE) -> list[str]:
    html = (
        f"<html><head><meta charset='utf-8'><title>{title}_南湾晚报</title></head><body>"
        f"<div class='nav'><a href='/'>首页</a> <a href='/sh/'>社会</a></div>{top}"
        "<div class='info'>2024-06-29 07:30 来源：南湾晚报</div>"
        f"<div class='article-content'>{body}</div><div class='footer'>南湾晚报社</div></body></html>"
    )
    return GenericLayout(Page(html, "https://www.bd-nanwan-evening.example/a/1.html")).read().paragraphs


def test_a_deck_repeated_under_the_repeated_headline_is_not_text() -> None:
    repeated = f"<p>{_HEADLINE}</p><p>——探访整修后的老街</p>"
    assert _paragraphs(f"<h1>{_HEADLINE}</h1>", repeated + _TEXT)[0].startswith("6月28日晚")


def test_the_subtitle_repeated_under_the_repeated_headline_is_not_text() -> None:
    top = f"<h3>烟火气回来了</h3><h1>{_HEADLINE}</h1><h2>八十余家摊位亮灯迎客</h2>"
    repeated = f"<p>烟火气回来了</p><p>{_HEADLINE}</p><p>八十余家摊位亮灯迎客</p>"
    assert _paragraphs(top, repeated + _TEXT)[0].startswith("6月28日晚")


def test_a_short_line_under_the_repeated_headline_that_is_no_deck_stays() -> None:
    # A sub-heading opening the text is the text's own.
    repeated = f"<p>{_HEADLINE}</p><p><strong>半年整修</strong></p>"
    assert _paragraphs(f"<h1>{_HEADLINE}</h1>", repeated + _TEXT)[0] == "半年整修"


def test_a_dash_line_opening_the_text_stays_when_no_headline_is_repeated() -> None:
    opening = "<p>——“夜市回来了，老街就活了。”</p>"
    assert _paragraphs(f"<h1>{_HEADLINE}</h1>", opening + _TEXT)[0] == "——“夜市回来了，老街就活了。”"


def _teasers(item: str) -> list[bool]:
    """Which lines of a list of three copies of ``item`` read as a teaser's summary."""
    root = fromstring(f"<html><body><ul>{item * 3}</ul></body></html>")
    lines, _ = page_lines(root)
    return [is_teaser(lines, position) for position in range(len(lines))]


_SUMMARY = "<p>为进一步激发消费活力，市文旅局联合多部门推出暑期文旅消费季，发放消费券五百万元。</p>"


def test_a_teaser_summary_may_be_followed_by_its_items_time_and_source() -> None:
    item = f"<li><h4><a href='/n/1.html'>暑期文旅消费季启动</a></h4>{_SUMMARY}<span>2024-06-30 09:00</span></li>"
    assert _teasers(item) == [False, True, False] * 3


def test_a_linked_line_over_more_prose_in_its_block_is_no_teaser() -> None:
    # An article's block opening with a linked line: the prose after the first line is its own.
    item = (
        f"<li><h4><a href='/n/1.html'>暑期文旅消费季启动</a></h4>{_SUMMARY}"
        "<p>活动期间，各景区推出门票优惠，部分剧场演出票价下调两成。</p></li>"
    )
    assert not any(_teasers(item))


_HALF = (
    "<p>据介绍，今年全省共有五十余万名考生参加高考，本科录取计划较去年有所增加，新增专业三十个。</p>"
    "<p>考试院表示，考生可通过官方网站等渠道查询录取结果，切勿轻信所谓“内部指标”。</p>"
)
_ADVERT = "<div class='adv'><a href='/ad'><img src='/ad.gif'></a></div>"


def _split_page(first: str, between: str, second: str) -> list[str]:
    html = (
        "<html><head><meta charset='utf-8'><title>全省高考录取工作启动_江淮在线</title></head><body>"
        "<div class='col'><h1>全省高考录取工作启动</h1><div class='meta'>2024-07-05 09:30 来源：江淮在线</div>"
        f"{first}{between}{second}</div></body></html>"
    )
    return GenericLayout(Page(html, "https://www.bd-jianghuai-online.example/a/1.html")).read().paragraphs


def test_the_text_goes_on_in_a_sibling_block_past_an_advert() -> None:
    first = (
        "<div id='artibody'><p>7月5日，全省普通高校招生录取工作正式启动，本科提前批首先开始投档，各批次依次进行。</p>"
        "<p>省教育考试院提醒考生，录取期间要保持通讯畅通，及时关注录取结果。</p></div>"
    )
    paragraphs = _split_page(first, _ADVERT, f"<div class='more'><div>{_HALF * 2}</div></div>")
    assert paragraphs[0].startswith("7月5日") and len(paragraphs) == 6


def test_prose_right_beside_the_text_without_a_gap_is_not_merged() -> None:
    # A box of prose set against the text (an author's note): no advert or picture splits them.
    note = (
        "<div class='note'><p>作者为省教育研究院研究员，长期关注高考招生制度改革，著有多部专著。</p>"
        "<p>他常年为本网撰稿，评论文章曾多次获得省新闻奖，也在高校讲授新闻写作。</p></div>"
    )
    paragraphs = _split_page(f"<div id='artibody'>{_HALF * 2}</div>", "", note)
    assert len(paragraphs) == 4


def test_prose_past_an_advert_marked_up_otherwise_is_not_merged() -> None:
    # Comments under an advert: prose, but not set as the text's paragraphs are.
    comments = (
        "<div class='talk'><div class='item'>这个政策很好，希望各地都能落实到位，让考生少跑腿。</div>"
        "<div class='item'>去年我家孩子也是这样查的，很方便，点赞考试院的工作。</div></div>"
    )
    paragraphs = _split_page(f"<div id='artibody'>{_HALF * 2}</div>", _ADVERT, comments)
    assert len(paragraphs) == 4


_PARAGRAPHS = "".join(
    f"<p>　　{text}</p>"
    for text in (
        "连日来，各乡镇抢抓有利时机，组织干部群众开展春季植树造林活动，全县已完成造林一万二千亩。",
        "在城关镇的荒山上，数百名干部群众挥锹铲土、扶苗培土，一派繁忙景象，不少家庭全家出动。",
        "县林业局负责人介绍，今年全县计划完成造林三万亩，重点实施荒山绿化和通道绿化工程。",
    )
)
_LAST = "<p>　　据了解，县里还将对造林成活率进行验收，对成活率达不到要求的地块及时组织补植。</p>"
_RELATED = (
    "<div class='box'><b>相关链接：</b><ul><li><a href='/1.htm'>我县去年造林面积创新高</a></li>"
    "<li><a href='/2.htm'>林业局开展森林防火宣传活动</a></li></ul></div>"
)


def test_the_text_goes_on_past_a_related_box_set_between_its_paragraphs() -> None:
    paragraphs = _paragraphs(f"<h1>{_HEADLINE}</h1>", _PARAGRAPHS + _RELATED + _LAST)
    assert paragraphs[-1].startswith("据了解") and len(paragraphs) == 4


def test_a_related_box_closing_the_text_ends_it_before_other_prose() -> None:
    # Past the box, prose set otherwise (a teaser's summary in a div) is not the text's.
    summary = "<div class='sum'>全市今年计划新增造林面积十万亩，各地正在抓紧落实苗木和资金，确保按时完成。</div>"
    paragraphs = _paragraphs(f"<h1>{_HEADLINE}</h1>", _PARAGRAPHS + _RELATED + summary)
    assert len(paragraphs) == 3


def test_a_comment_heading_set_in_the_text_block_ends_the_text() -> None:
    # The heading has no box of its own: the comments after it are set as paragraphs too.
    comments = "<p>网友评论</p><p>　　植树造林是好事，但更要管护好，不能只种不管，希望有关部门加强后期管理。</p>"
    paragraphs = _paragraphs(f"<h1>{_HEADLINE}</h1>", _PARAGRAPHS + comments)
    assert len(paragraphs) == 3


def test_a_more_stories_heading_naming_the_site_ends_the_text() -> None:
    assert is_stop_line("更多中台灣日報報導")
    assert is_stop_line("更多本地新闻>>")
    # A sentence of the text opening on 更多 runs on past its noun.
    assert not is_stop_line("更多细节，本报将持续报道")
    assert not is_stop_line("更多市民表示支持这项新闻发布制度。")
