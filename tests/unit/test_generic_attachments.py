"""Attachment lists closing a notice in the generic extractor's body: files to download are no text.

The fixture page ``fixtures/generic/www.d2-beitang.gov.example/`` shows the class; these tests
hold its edges, the lines that stay text.
"""

from __future__ import annotations

from newscrawler.extract.generic import GenericLayout
from newscrawler.extract.generic.attachments import is_attachment_label, is_file_line
from newscrawler.extract.page import Page

_HEADLINE = "关于做好北塘区秋季防汛工作的通知"
_TEXT = (
    "<p>各街道办事处：</p>"
    "<p>入秋以来，我区降雨偏多，各街道要落实防汛值班制度，加强对低洼地段、地下车库和在建工地的巡查。</p>"
)


def _paragraphs(tail: str) -> list[str]:
    html = (
        f"<html><head><meta charset='utf-8'><title>{_HEADLINE}_北塘区人民政府</title></head><body>"
        f"<h1>{_HEADLINE}</h1><div class='info'>发布时间：2024-09-02 09:00</div>"
        f"<div class='article-content'>{_TEXT}{tail}</div><div class='footer'>北塘区人民政府</div></body></html>"
    )
    return GenericLayout(Page(html, "https://www.d2-beitang.gov.example/art/1.html")).read().paragraphs


def test_files_named_with_their_type_are_no_text() -> None:
    assert is_file_line("附件：1. 北塘区2024年防汛责任人名单.docx")
    assert is_file_line("2、防汛物资清单.xlsx（56.5KB）")
    assert is_file_line("【附件】应急预案.pdf")
    assert not is_file_line("报告全文可在区政府网站下载，文件名为年度报告.pdf")
    assert not is_file_line("各街道要落实防汛值班制度。")


def test_an_attachment_label_alone_is_recognised() -> None:
    assert is_attachment_label("附件：")
    assert is_attachment_label("相关附件")
    assert is_attachment_label("【附件下载】")
    assert not is_attachment_label("附件1")
    assert not is_attachment_label("详见附件。")


def test_a_label_over_linked_files_is_dropped() -> None:
    tail = "<p>附件：</p><p><a href='/f/1.docx'>1.防汛责任人名单</a></p><p><a href='/f/2.pdf'>2.应急预案</a></p>"
    assert _paragraphs(tail)[-1].startswith("入秋以来")


def test_a_file_named_in_plain_text_is_dropped() -> None:
    assert _paragraphs("<p>附件：1.北塘区防汛责任人名单.docx</p>")[-1].startswith("入秋以来")


def test_an_annexe_printed_in_the_page_stays() -> None:
    tail = "<p>附件</p><p>北塘区防汛责任人名单</p><p>东门街道：王建国，西坝街道：刘晓梅。</p>"
    assert _paragraphs(tail)[-3:] == ["附件", "北塘区防汛责任人名单", "东门街道：王建国，西坝街道：刘晓梅。"]


def test_a_sentence_pointing_to_an_attachment_stays() -> None:
    assert _paragraphs("<p>各街道防汛责任人名单详见附件。</p>")[-1] == "各街道防汛责任人名单详见附件。"
