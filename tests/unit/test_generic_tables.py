"""Tables inside the generic extractor's body: a data table's row is one paragraph.

The fixture page ``fixtures/generic/www.d2-qinghe-news.example/`` shows the class; these tests
hold its edges, the layout tables that keep one paragraph per block.
"""

from __future__ import annotations

from newscrawler.extract.generic import GenericLayout
from newscrawler.extract.page import Page

_HEADLINE = "北塘区公布首批老旧小区改造名单"
_OPENING = "<p>记者从北塘区住建局获悉，首批老旧小区改造名单日前公布，涉及三个街道的十二个小区，改造将于年内完工。</p>"
_CLOSING = "<p>住建局负责人表示，改造内容包括管网更新、加装电梯和增设停车位，具体方案将征求居民意见后确定。</p>"


def _paragraphs(text: str) -> list[str]:
    html = (
        f"<html><head><meta charset='utf-8'><title>{_HEADLINE}_北塘新闻网</title></head><body>"
        f"<div class='nav'><a href='/'>首页</a></div><h1>{_HEADLINE}</h1>"
        "<div class='info'>2024-08-02 10:15 来源：北塘日报</div>"
        f"<div class='article-content'>{_OPENING}{text}{_CLOSING}</div>"
        "<div class='footer'>北塘新闻网</div></body></html>"
    )
    return GenericLayout(Page(html, "https://www.d2-beitang-news.example/a/1.html")).read().paragraphs


def test_each_row_of_a_data_table_is_one_paragraph() -> None:
    table = (
        "<table><thead><tr><th>街道</th><th>小区</th><th>户数</th></tr></thead><tbody>"
        "<tr><td>东门街道</td><td>纺织新村</td><td>320</td></tr>"
        "<tr><td>西坝街道</td><td>粮站宿舍</td><td>86</td></tr></tbody></table>"
    )
    assert _paragraphs(table)[1:4] == ["街道 小区 户数", "东门街道 纺织新村 320", "西坝街道 粮站宿舍 86"]


def test_a_cell_of_several_lines_is_joined_into_its_row() -> None:
    table = (
        "<table><tr><td><p>序号</p></td><td><p>获奖人</p></td></tr>"
        "<tr><td><p>1</p></td><td><p>周明远</p><p>何佳</p></td></tr></table>"
    )
    assert _paragraphs(table)[1:3] == ["序号 获奖人", "1 周明远 何佳"]


def test_a_picture_beside_its_caption_keeps_one_paragraph_per_cell() -> None:
    table = (
        "<table><tr><td><img src='/a.jpg'></td><td>改造前的纺织新村</td></tr>"
        "<tr><td><img src='/b.jpg'></td><td>施工中的粮站宿舍</td></tr></table>"
    )
    assert _paragraphs(table)[1:3] == ["改造前的纺织新村", "施工中的粮站宿舍"]


def test_a_table_with_a_column_of_prose_is_layout() -> None:
    prose = (
        "据介绍，本次改造坚持先民生后提升，优先解决居民反映强烈的漏水、停电等问题，同时兼顾适老化改造和公共空间整治。"
        "改造期间，各小区将设立临时议事点，由居民代表参与监督施工质量和进度。"
    )
    table = (
        f"<table><tr><td>一</td><td>{prose}</td></tr>"
        f"<tr><td>二</td><td>{prose}</td></tr></table>"
    )
    assert _paragraphs(table)[1:3] == ["一", prose]


def test_a_single_row_of_cells_keeps_one_paragraph_per_cell() -> None:
    table = "<table><tr><td>东门街道</td><td>西坝街道</td></tr><tr><td>共十二个小区</td></tr></table>"
    assert _paragraphs(table)[1:4] == ["东门街道", "西坝街道", "共十二个小区"]


def test_a_layout_table_holding_the_text_is_not_read_as_data() -> None:
    html = (
        f"<html><head><meta charset='utf-8'><title>{_HEADLINE}_北塘新闻网</title></head><body>"
        f"<table><tr><td>首页</td><td>新闻</td></tr><tr><td colspan=2><b>{_HEADLINE}</b></td></tr>"
        f"<tr><td>2024-08-02</td><td>{_OPENING}{_CLOSING}</td></tr></table></body></html>"
    )
    paragraphs = GenericLayout(Page(html, "https://www.d2-beitang-news.example/a/2.html")).read().paragraphs
    assert paragraphs[0].startswith("记者从北塘区") and paragraphs[-1].startswith("住建局负责人")


def test_a_table_of_names_closing_the_text_is_no_sign_off() -> None:
    table = "<table><tr><td>周明远</td><td>何佳</td></tr><tr><td>李卫东</td><td>王晓梅</td></tr></table>"
    html = (
        f"<html><head><meta charset='utf-8'><title>{_HEADLINE}_北塘新闻网</title></head><body>"
        f"<h1>{_HEADLINE}</h1><div class='info'>2024-08-02 10:15 来源：北塘日报</div>"
        f"<div class='article-content'>{_OPENING}{_CLOSING}{table}</div></body></html>"
    )
    record = GenericLayout(Page(html, "https://www.d2-beitang-news.example/a/3.html")).read()
    assert record.paragraphs[-2:] == ["周明远 何佳", "李卫东 王晓梅"]
    assert not record.credits


_INFO = (
    "<table><tr><td>索引号：</td><td>11510000/2024-00123</td><td>发布机构：</td><td>北塘区住建局</td></tr>"
    "<tr><td>成文日期：</td><td>2024-08-01</td><td>主题分类：</td><td>城乡建设</td></tr></table>"
)


def test_an_information_table_above_the_text_is_not_text() -> None:
    html = (
        f"<html><head><meta charset='utf-8'><title>{_HEADLINE}_北塘区人民政府</title></head><body>"
        f"<h1>{_HEADLINE}</h1><div class='info'>发布时间：2024-08-02 10:15</div>"
        f"<div class='article-content'>{_INFO}{_OPENING}{_CLOSING}</div></body></html>"
    )
    paragraphs = GenericLayout(Page(html, "https://www.d2-beitang.gov.example/a/4.html")).read().paragraphs
    assert paragraphs[0].startswith("记者从北塘区") and len(paragraphs) == 2


def test_a_table_of_labels_inside_the_text_stays() -> None:
    # Below the first paragraph a table is the text's own, whatever its cells say.
    assert _paragraphs(_INFO)[1:3] == [
        "索引号： 11510000/2024-00123 发布机构： 北塘区住建局",
        "成文日期： 2024-08-01 主题分类： 城乡建设",
    ]
