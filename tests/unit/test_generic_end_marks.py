"""A wire story's closing mark in the generic extractor's body: alone on its line it is a widget,
glued to the last paragraph it is part of that block's rendered text and stays (as an inline
credit closing a paragraph does, by the corpus conventions)."""

from __future__ import annotations

import pytest

from newscrawler.extract.generic import GenericLayout
from newscrawler.extract.page import Page

_HEADLINE = "西岭隧道右线贯通"
_FIRST = "<p>记者从西岭高速公路建设指挥部获悉，西岭隧道右线昨日顺利贯通，全线计划于明年底建成通车。</p>"
_LAST = "西岭隧道全长四千二百米，是全线控制性工程，目前左线掘进已完成九成，各项工作正有序推进。"


def _paragraphs(text: str) -> list[str]:
    html = (
        f"<html><head><meta charset='utf-8'><title>{_HEADLINE}_西岭新闻网</title></head><body>"
        f"<h1>{_HEADLINE}</h1><div class='info'>2024-04-11 17:02 来源：西岭新闻网</div>"
        f"<div class='content'>{_FIRST}{text}</div><div class='footer'>西岭新闻网</div></body></html>"
    )
    return GenericLayout(Page(html, "https://www.d2-xiling-news.example/a/1.html")).read().paragraphs


@pytest.mark.parametrize("mark", ["（完）", "【完】", "(全文完)"])
def test_a_closing_mark_alone_is_dropped(mark: str) -> None:
    assert _paragraphs(f"<p>{_LAST}</p><p>{mark}</p>")[-1] == _LAST


@pytest.mark.parametrize("mark", ["（完）", "【完】", "（全文完）"])
def test_a_closing_mark_glued_to_the_last_paragraph_stays(mark: str) -> None:
    assert _paragraphs(f"<p>{_LAST}{mark}</p>")[-1] == _LAST + mark
