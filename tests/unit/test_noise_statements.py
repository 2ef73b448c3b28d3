"""Statements, provenance and legal lines a page sets in its text: no article text.

The fixture pages ``fixtures/generic/hao.d2-donglin-news.example/`` (a site's statement) and
``www.d2-hexi-wanbao.example`` (a repost's provenance) show the classes; these tests hold their
edges, the sentences that stay.
"""

from __future__ import annotations

from newscrawler.extract.noise import is_noise_line

_STATEMENT = (
    "声明：本文由入驻南湖号的作者撰写，除南湖新闻网官方账号外，观点仅代表作者本人，不代表南湖新闻网立场。"
    "如有侵权或其他问题，请联系举报，我们将在核实后第一时间处理，感谢您的支持。"
)


def test_a_long_statement_on_views_and_rights_is_noise() -> None:
    assert len(_STATEMENT) > 80
    assert is_noise_line(_STATEMENT)
    assert is_noise_line(
        "郑重声明：本文仅代表作者个人观点，与南湖新闻网无关。其原创性以及文中陈述文字和内容未经本站证实，"
        "对本文以及其中全部或者部分内容、文字的真实性、完整性、及时性本站不作任何保证或承诺，请读者仅作参考。"
    )


def test_a_statement_quoted_in_the_story_stays() -> None:
    quoted = (
        "声明：南湖区住建局今日发布声明，对网传“老旧小区改造将全部拆除重建”的说法予以澄清，指出改造以综合整治为主，"
        "不涉及拆除，请广大居民以官方发布的信息为准，共同维护良好的网络环境。"
    )
    assert len(quoted) > 80
    assert not is_noise_line(quoted)
    assert not is_noise_line("该公司随后发表声明：网传消息不实，公司将依法追究造谣者责任，目前生产经营一切正常，"
                             "各项目按计划推进，请投资者以公司在指定信息披露媒体刊登的公告为准，注意投资风险。")


def test_a_repost_with_leave_is_provenance() -> None:
    # The fixture page www.d2-hexi-wanbao.example opens on one and closes on a picture note.
    for line in ("本文经授权转载自南湖城建发布（ID：nanhucj）", "经授权转载自南湖发布", "本文已获授权转载",
                 "本文由南湖发布授权转载", "本文经作者授权发布"):
        assert is_noise_line(line), line


def test_text_or_pictures_taken_from_the_web_is_a_legal_line() -> None:
    for line in ("部分图文来源于网络", "文章来源于网络", "本文素材来源于网络"):
        assert is_noise_line(line), line


def test_leave_and_the_web_inside_a_sentence_stay() -> None:
    assert not is_noise_line("经授权，该公司将在园区内发布新品。")
    assert not is_noise_line("文章称，该数据来源于网络调查。")
