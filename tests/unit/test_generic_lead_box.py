"""A lead box opening the generic extractor's body that restates a paragraph of the text word for word.

The fixture page ``fixtures/generic/health.d2-yuxi-net.example/`` shows the class; these tests
hold its edges, the repeats that stay.
"""

from __future__ import annotations

from newscrawler.extract.generic import GenericLayout
from newscrawler.extract.page import Page

_HEADLINE = "南岭镇夜间集市开市"
_LEAD = "南岭镇夜间集市昨晚开市，六十余个摊位售卖本地小吃和手工艺品，吸引周边群众前来游逛。"
_FIRST = "<p>6月14日晚，南岭镇滨河广场灯火通明，镇里首个夜间集市正式开市。</p>"
_LAST = "<p>镇文化站负责人说，集市每周五、周六晚开放，摊位免收租金。</p>"


def _paragraphs(text: str) -> list[str]:
    html = (
        f"<html><head><meta charset='utf-8'><title>{_HEADLINE}_南岭新闻网</title></head><body>"
        f"<h1>{_HEADLINE}</h1><div class='info'>2024-06-15 08:10 来源：南岭新闻网</div>"
        f"<div class='content'>{text}</div><div class='footer'>南岭新闻网</div></body></html>"
    )
    return GenericLayout(Page(html, "https://www.d2-nanling-news.example/a/1.html")).read().paragraphs


def test_a_lead_box_repeated_by_a_paragraph_below_is_not_text() -> None:
    text = f"<div class='tips'><p>{_LEAD}</p></div>{_FIRST}<p>{_LEAD}</p>{_LAST}"
    assert _paragraphs(text) == [
        "6月14日晚，南岭镇滨河广场灯火通明，镇里首个夜间集市正式开市。",
        _LEAD,
        "镇文化站负责人说，集市每周五、周六晚开放，摊位免收租金。",
    ]


def test_a_paragraph_repeated_inside_the_text_stays_twice() -> None:
    text = f"{_FIRST}<p>{_LEAD}</p><p>{_LEAD}</p>{_LAST}"
    assert _paragraphs(text).count(_LEAD) == 2


def test_a_paragraph_repeated_among_its_siblings_at_the_top_stays() -> None:
    text = f"<p>{_LEAD}</p><p>{_LEAD}</p>{_FIRST}{_LAST}"
    assert _paragraphs(text)[:2] == [_LEAD, _LEAD]


def test_a_short_opening_line_repeated_below_stays() -> None:
    # A sub-heading may recur (一、开市首日), a lead box is prose.
    text = f"<p>开市首日</p>{_FIRST}<p>开市首日</p>{_LAST}"
    assert _paragraphs(text)[0] == "开市首日"
