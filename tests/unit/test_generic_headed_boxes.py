"""The generic extractor against boxes of comments or other stories, opened by a heading
(网友评论, 相关新闻) or named by their class (``comment-list``): their prose is not the page's,
however much of it there is.

The fixtures show the page classes: ``fixtures/generic/www.ll-taohua-online.example/``, a
two-paragraph story above ten readers' comments in a box with no class naming it, under its
heading; ``fixtures/generic/bbs.ll-xiagu-net.example/``, a one-paragraph story above twelve
comments in a box its id names, with no heading.
"""

from __future__ import annotations

from newscrawler.extract.generic import GenericLayout
from newscrawler.extract.page import Page

_TEXT = [
    "6月11日，东坪社区图书角正式开放，首批上架图书两千余册，每天9时至20时免费向居民开放。",
    "社区负责人介绍，图书角由闲置会议室改建而成，日常由社区志愿者管理。",
]
_SAYS = "这个做法很好，希望能长期坚持下去，也希望管理部门加强监管，让大家用得放心。"


def _paragraphs(main: str, after: str = "") -> list[str]:
    html = (
        "<html><head><meta charset='utf-8'><title>东坪社区图书角开放_东坪在线</title></head><body>"
        f"<div class='wrap'>{main}</div>{after}<div class='footer'>东坪在线 版权所有</div></body></html>"
    )
    return GenericLayout(Page(html, "https://www.ll-dongping-online.example/a/1.html")).read().paragraphs


_ARTICLE = ("<h1>东坪社区图书角开放</h1><div class='info'>2024-06-11 16:05 来源：东坪在线</div>"
            "<div class='text'>" + "".join(f"<p>{text}</p>" for text in _TEXT) + "</div>")


def _items(count: int) -> str:
    return "".join(f"<div class='item'><a href='/u/{i}'>网友{i}</a><p>{_SAYS}</p>"
                   f"<span>2024-06-12 08:{i:02d}</span></div>" for i in range(count))


def test_comments_under_their_heading_do_not_outweigh_a_short_story() -> None:
    box = f"<div class='box'><div class='hd'><h3>网友评论</h3></div><div class='bd'>{_items(12)}</div></div>"
    assert _paragraphs(_ARTICLE, box) == _TEXT


def test_other_stories_under_a_related_heading_do_not_outweigh_a_short_story() -> None:
    stories = "".join(f"<div class='news'><p>东坪镇第{i}批便民项目日前完工，惠及周边居民三千余人，"
                      "获群众好评，下一批项目将于秋季开工。</p></div>" for i in range(8))
    box = f"<div><span>相关新闻</span>{stories}</div>"
    assert _paragraphs(_ARTICLE, box) == _TEXT


def test_a_related_line_in_the_middle_of_the_text_opens_no_box_of_the_text() -> None:
    # The heading follows a paragraph of the text in the text's own block: the text after it
    # still counts for the block, which beats a sidebar of two paragraphs.
    more = "社区还将定期举办亲子阅读活动，欢迎居民报名担任图书角志愿者，报名电话见社区公告栏。"
    text = (f"<p>{_TEXT[0]}</p><p>相关新闻：</p><p><a href='/a/2.html'>东坪社区再添一处健身角</a></p>"
            f"<p>{_TEXT[1]}</p><p>{more}</p>")
    article = ("<h1>东坪社区图书角开放</h1><div class='info'>2024-06-11 16:05 来源：东坪在线</div>"
               f"<div class='text'>{text}</div>")
    aside = ("<div class='col'><p>东坪县今年将新建农家书屋二十个，覆盖全部行政村，所需图书由县图书馆统一配送。</p>"
             "<p>县文化馆暑期将开设书法、剪纸、舞蹈等公益培训班，面向全县中小学生免费开放。</p></div>")
    paragraphs = _paragraphs(article + aside)
    assert paragraphs[0] == _TEXT[0] and more in paragraphs


def test_a_block_holding_the_headline_after_a_hot_list_is_still_the_story() -> None:
    # A list of other stories set first inside the story's own block: that block is no box of them.
    hot = "<h3>热门文章</h3><ul><li><a href='/a/3.html'>东坪镇开展农技培训进村活动</a></li></ul>"
    assert _paragraphs(hot + _ARTICLE, f"<div class='box'><h3>网友评论</h3>{_items(4)}</div>") == _TEXT


def test_comments_in_a_box_its_class_names_do_not_outweigh_a_short_story() -> None:
    assert _paragraphs(_ARTICLE, f"<div class='comment-list'>{_items(12)}</div>") == _TEXT


def test_an_opinion_column_its_class_names_commentary_is_still_the_story() -> None:
    article = ("<h1>东坪社区图书角开放</h1><div class='info'>2024-06-11 16:05 来源：东坪在线</div>"
               "<div class='commentary-body'>" + "".join(f"<p>{text}</p>" for text in _TEXT) + "</div>")
    aside = "<div class='col'><p>东坪县今年将新建农家书屋二十个，覆盖全部行政村。</p></div>"
    assert _paragraphs(article, aside) == _TEXT


def test_a_block_named_for_comments_that_holds_the_headline_is_still_the_story() -> None:
    # A page wrapping the story and its comment board in one box named for the board.
    wrapped = f"<div class='comment-wrap'>{_ARTICLE}<div class='say'>{_items(2)}</div></div>"
    assert _paragraphs(wrapped) == _TEXT
