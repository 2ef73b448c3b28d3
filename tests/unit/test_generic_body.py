"""The generic extractor's body paragraphs on page classes met on sites it was never tuned on.

Each class also has a fixture page of its own writing under ``fixtures/generic/`` (replayed by
``tests/test_fixtures.py``); these tests hold the rule's edges, the pages it must leave alone.
"""

from __future__ import annotations

from lxml.html import fromstring

from newscrawler.extract.generic import GenericLayout, page_lines
from newscrawler.extract.generic.body import is_teaser
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
