"""The generic extractor's body paragraphs on page classes met on sites it was never tuned on.

Each class also has a fixture page of its own writing under ``fixtures/generic/`` (replayed by
``tests/test_fixtures.py``); these tests hold the rule's edges, the pages it must leave alone.
"""

from __future__ import annotations

from newscrawler.extract.generic import GenericLayout
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
