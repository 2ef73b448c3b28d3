"""The generic extractor against lists of other stories: a linked title beside its date, its
source or its count of views is no prose of the page, however many of them the page lists.

The fixture ``fixtures/generic/www.ll-shuangfeng-news.example/`` shows the page class: a
one-paragraph notice beside a list of seventy dated stories.
"""

from __future__ import annotations

import pytest
from lxml.html import fromstring

from newscrawler.extract.generic import GenericLayout
from newscrawler.extract.generic.body import line_score
from newscrawler.extract.generic.lines import Line
from newscrawler.extract.page import Page

_OWNER = fromstring("<div><p>x</p></div>")


def _line(text: str, link_text: str) -> Line:
    chars = len("".join(text.split()))
    return Line(text, _OWNER, chars, len("".join(link_text.split())))


def test_a_linked_title_beside_its_date_scores_nothing() -> None:
    assert line_score(_line("石门乡召开防汛工作部署会 2024-05-18 09:30", "石门乡召开防汛工作部署会")) == 0.0


def test_a_linked_title_with_commas_beside_a_short_source_scores_nothing() -> None:
    # The title's commas are the other story's, not prose of this page.
    line = _line("石门乡：汛期将至，全面排查隐患 来源：双峰日报", "石门乡：汛期将至，全面排查隐患")
    assert line_score(line) == 0.0


def test_prose_around_a_link_still_scores() -> None:
    line = _line("详见《双峰县夜间便民摊点管理办法》，摊点实行统一编号，经营者收摊后须带走垃圾。",
                 "《双峰县夜间便民摊点管理办法》")
    assert line_score(line) > 0


def test_a_mostly_linked_line_with_prose_of_its_own_still_scores() -> None:
    linked = "双峰县二〇二四年第一批农村道路硬化工程建设项目招标公告及附件下载"
    line = _line(f"{linked}，报名截止前请将材料报送县交通运输局，逾期不予受理。", linked)
    assert line.link_share >= 0.4
    assert line_score(line) > 0


_NOTICE = ("5月20日，记者从县城市管理局获悉，城区新增三处夜间便民摊点当晚起开放，"
           "每晚18时至22时允许摊贩在划定区域内经营。")


def _page(items: str) -> str:
    return (
        "<html><head><meta charset='utf-8'><title>城区新增夜间便民摊点_东坪新闻网</title></head><body>"
        "<h1>城区新增夜间便民摊点</h1><div class='info'>2024-05-20 17:42 来源：东坪新闻网</div>"
        f"<div class='text'><p>{_NOTICE}</p></div><div class='list'><ul>{items}</ul></div></body></html>"
    )


def _paragraphs(html: str) -> list[str]:
    return GenericLayout(Page(html, "https://www.ll-dongping-news.example/a/1.html")).read().paragraphs


def test_a_short_notice_beats_a_long_list_of_dated_stories() -> None:
    items = "".join(f"<li><a href='/a/{i}.html'>东坪镇第{i}批便民项目完工</a>"
                    f"<span>2024-05-{i % 28 + 1:02d}</span></li>" for i in range(80))
    assert _paragraphs(_page(items)) == [_NOTICE]


def test_a_list_of_stories_with_summaries_of_prose_is_still_weighed_as_teasers() -> None:
    # Items with prose of their own are left to the teaser rule: the notice still wins.
    items = "".join(f"<li><a href='/a/{i}.html'>东坪镇便民项目完工</a>"
                    f"<p>项目于5月{i % 28 + 1}日完工，惠及周边居民。</p></li>" for i in range(6))
    assert _paragraphs(_page(items)) == [_NOTICE]


def test_a_date_line_alone_scores_nothing() -> None:
    # A story card's date under its summary: no sentence, however many cards.
    assert line_score(_line("2024-05-18 09:30:00", "")) == 0.0
    assert line_score(_line("一、基本情况和主要做法", "")) > 0  # a sub-heading keeps its score
    assert line_score(_line("市民在滨河路摊点选购小吃", "")) > 0  # and a caption without a stop


def test_a_gallery_of_short_captions_without_stops_is_still_the_text() -> None:
    captions = ["东坪县城区夜间便民摊点开放现场", "市民在滨河路摊点选购小吃", "文化广场摊点灯火通明人气旺"]
    gallery = "".join(f"<p><img src='/i/{i}.jpg'></p><p>{text}</p>" for i, text in enumerate(captions))
    assert _paragraphs(_page("").replace(f"<p>{_NOTICE}</p>", gallery)) == captions


def _cards(count: int) -> str:
    return "".join(
        f"<div class='card'><a href='/a/{i}.html'><img src='/i/{i}.jpg'></a>"
        f"<h4><a href='/a/{i}.html'>东坪镇第{i}批便民项目完工</a></h4>"
        f"<p>记者从东坪镇获悉，第{i}批便民项目日前完工，惠及周边居民三千余人。</p>"
        f"<div class='date'>2024-05-{i % 28 + 1:02d} 09:30</div></div>" for i in range(count))


@pytest.mark.parametrize("count", [6, 12, 30])
def test_a_short_notice_beats_any_number_of_story_cards(count: int) -> None:
    # Each card a linked title, a summary of prose and a date: each more teaser of the same list
    # counts for less, and the dates for nothing.
    assert _paragraphs(_page(_cards(count))) == [_NOTICE]


def test_summaries_closed_by_a_read_more_link_are_teasers() -> None:
    items = "".join(f"<li><p>东坪镇第{i}批便民项目日前完工，惠及周边居民三千余人，获群众好评。</p>"
                    f"<a href='/a/{i}.html'>[详细]</a></li>" for i in range(12))
    assert _paragraphs(_page(items)) == [_NOTICE]


def test_a_paragraph_followed_by_a_more_link_in_the_text_stays_text() -> None:
    # A read-more link after the story's own last paragraph: the story is still the text.
    html = _page("").replace(f"<p>{_NOTICE}</p>", f"<p>{_NOTICE}</p><a href='/zt/1.html'>更多>></a>")
    assert _paragraphs(html) == [_NOTICE]
