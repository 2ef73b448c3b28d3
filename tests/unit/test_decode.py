"""Decoding page bytes: header, then meta, BOM and detection, each checked against the bytes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from scrapy.http import HtmlResponse

from newscrawler.extract.decode import _CONTROL, Decoded, _may_hold_controls, decode_html
from newscrawler.extract.page import parse_html

BODY = "<p>徐闻奋力推进文明城市卫生县城创建，记者陈荔雅报道。</p>"
BODY_TRAD = "<p>徐聞奮力推進文明城市衛生縣城創建，記者陳荔雅報導。</p>"


def page(charset: str | None, body: str = BODY) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return f"<html><head>{meta}<title>湛江云媒</title></head><body>{body}</body></html>"


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        # Labels that agree with the bytes.
        (
            page("utf-8").encode("utf-8"),
            "text/html; charset=utf-8",
            Decoded(page("utf-8"), "utf-8"),
        ),
        (page("utf-8").encode("utf-8"), None, Decoded(page("utf-8"), "utf-8")),
        (page(None).encode("utf-8"), "text/html; charset=UTF-8", Decoded(page(None), "utf-8")),
        # GB2312 and GBK labels are read as GB18030, their superset.
        (page("gb2312").encode("gbk"), None, Decoded(page("gb2312"), "gb18030")),
        (page("gbk").encode("gbk"), None, Decoded(page("gbk"), "gb18030")),
        (page(None).encode("gbk"), "text/html; charset=GBK", Decoded(page(None), "gb18030")),
        (page(None).encode("gbk"), "text/html; charset=gb2312", Decoded(page(None), "gb18030")),
        # Characters outside GB2312 (€, an extension-B character) under a GB2312 label.
        (
            page("gb2312", "<p>湛江€𠀀</p>").encode("gb18030"),
            "text/html; charset=gb2312",
            Decoded(page("gb2312", "<p>湛江€𠀀</p>"), "gb18030"),
        ),
        # The header wins over the meta when both agree with the bytes.
        (page("gbk").encode("utf-8"), "text/html; charset=utf-8", Decoded(page("gbk"), "utf-8")),
        # A GBK page labelled UTF-8 (header, meta, or both): read as GB18030, with a warning.
        (
            page("utf-8").encode("gbk"),
            "text/html; charset=utf-8",
            Decoded(page("utf-8"), "gb18030", ("charset_mismatch:declared=utf-8,decoded=gb18030",)),
        ),
        (
            page("utf-8").encode("gbk"),
            None,
            Decoded(page("utf-8"), "gb18030", ("charset_mismatch:declared=utf-8,decoded=gb18030",)),
        ),
        (
            page(None).encode("gbk"),
            "text/html; charset=utf-8",
            Decoded(page(None), "gb18030", ("charset_mismatch:declared=utf-8,decoded=gb18030",)),
        ),
        # Big5 pages.
        (
            page("big5", BODY_TRAD).encode("big5"),
            None,
            Decoded(page("big5", BODY_TRAD), "big5hkscs"),
        ),
        (
            page(None, BODY_TRAD).encode("big5"),
            "text/html; charset=big5",
            Decoded(page(None, BODY_TRAD), "big5hkscs"),
        ),
        # No label at all: detection, reported as undeclared.
        (
            page(None).encode("gbk"),
            None,
            Decoded(page(None), "gb18030", ("charset_undeclared:decoded=gb18030",)),
        ),
        (
            page(None, BODY_TRAD).encode("big5"),
            None,
            Decoded(page(None, BODY_TRAD), "big5hkscs", ("charset_undeclared:decoded=big5hkscs",)),
        ),
        # Plain ASCII with no label is UTF-8, not whatever a detector guesses.
        (
            b"<html>hello</html>",
            None,
            Decoded("<html>hello</html>", "utf-8", ("charset_undeclared:decoded=utf-8",)),
        ),
        # Byte-order marks: the mark is not part of the text.
        (b"\xef\xbb\xbf" + page(None).encode("utf-8"), None, Decoded(page(None), "utf-8")),
        (b"\xff\xfe" + page(None).encode("utf-16-le"), None, Decoded(page(None), "utf-16-le")),
        (b"\xfe\xff" + page(None).encode("utf-16-be"), None, Decoded(page(None), "utf-16-be")),
        # A BOM beats a wrong label, even when the label's codec could read the bytes.
        (
            b"\xef\xbb\xbf" + "湛江云媒湛".encode(),
            "text/html; charset=gbk",
            Decoded("湛江云媒湛", "utf-8", ("charset_mismatch:declared=gb18030,decoded=utf-8",)),
        ),
        (
            b"\xef\xbb\xbf" + page("gbk").encode("utf-8"),
            None,
            Decoded(page("gbk"), "utf-8", ("charset_mismatch:declared=gb18030,decoded=utf-8",)),
        ),
        # An unknown label is reported, and the next declaration is used.
        (
            page("utf-8").encode("utf-8"),
            "text/html; charset=x-foo",
            Decoded(page("utf-8"), "utf-8", ("charset_unknown:header=x-foo",)),
        ),
        # Empty bodies.
        (b"", None, Decoded("", "utf-8", ("charset_undeclared:decoded=utf-8",))),
        (b"", "text/html; charset=utf-8", Decoded("", "utf-8")),
        (b"", "text/html; charset=gbk", Decoded("", "gb18030")),
    ],
)
def test_decode_html(body: bytes, content_type: str | None, expected: Decoded) -> None:
    assert decode_html(body, content_type) == expected


CUT = "湛".encode()[:2]  # a three-byte character cut after two bytes


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (
            page("utf-8").encode("utf-8") + CUT,
            None,
            Decoded(page("utf-8"), "utf-8", ("charset_truncated:decoded=utf-8",)),
        ),
        (
            page(None).encode("utf-8") + CUT,
            "text/html; charset=utf-8",
            Decoded(page(None), "utf-8", ("charset_truncated:decoded=utf-8",)),
        ),
        (
            page(None).encode("utf-8") + CUT,
            None,
            Decoded(
                page(None),
                "utf-8",
                ("charset_truncated:decoded=utf-8", "charset_undeclared:decoded=utf-8"),
            ),
        ),
        # Cut so that the bytes before the cut also pair up as GB18030/CP949: still UTF-8.
        (
            "<p>湛江云媒</p>".encode()[:13],
            "text/html; charset=utf-8",
            Decoded("<p>湛江云", "utf-8", ("charset_truncated:decoded=utf-8",)),
        ),
        # A GBK page cut after the first byte of a two-byte character.
        (
            page("gbk").encode("gbk") + "湛".encode("gbk")[:1],
            None,
            Decoded(page("gbk"), "gb18030", ("charset_truncated:decoded=gb18030",)),
        ),
    ],
)
def test_truncated_body_is_read_and_reported(
    body: bytes, content_type: str | None, expected: Decoded
) -> None:
    result = decode_html(body, content_type)
    assert result == expected
    assert "\ufffd" not in result.text


@pytest.mark.parametrize("cut", ["<meta", '<meta charset="gb', "<meta http-equiv="])
def test_a_page_cut_inside_its_meta_tag_is_read_by_us_and_by_scrapy(cut: str) -> None:
    # A download cut short in the <head>. w3lib 2.6.0's scanner panicked here (a BaseException,
    # from w3lib and so from Scrapy's response.text, which the spiders read links from): the reason
    # pyproject.toml bounds w3lib.
    text = f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n{cut}'
    assert decode_html(text.encode("utf-8"), None).text == text
    assert decode_html(text.encode("utf-8"), "text/html; charset=utf-8") == Decoded(text, "utf-8")
    response = HtmlResponse("http://news.example/a.html", body=text.encode("utf-8"))
    assert response.text == text


def test_bytes_no_codec_reads_are_dropped_and_reported() -> None:
    # A record holds no U+FFFD (the field contract): the bytes are counted, not replaced.
    body = b"<p>" + b"\xff\xfe\xfd\x80" * 3 + b"</p>"
    assert decode_html(body, "text/html; charset=utf-8") == Decoded(
        "<p></p>", "utf-8", ("charset_invalid_bytes:decoded=utf-8,dropped=12",)
    )


def test_a_page_cut_at_both_ends_is_read_after_its_broken_first_bytes() -> None:
    # A download resumed mid-character and cut again, with a GBK label it does not match.
    text = page(None)
    body = "徐".encode()[1:] + text.encode("utf-8") + "闻".encode()[:2]
    assert decode_html(body, "text/html; charset=gbk") == Decoded(
        text, "utf-8",
        ("charset_truncated:decoded=utf-8,skipped=2", "charset_mismatch:declared=gb18030,decoded=utf-8"),
    )


def test_gbk_labelled_utf8_has_no_replacement_characters() -> None:
    result = decode_html(page("utf-8").encode("gbk"), "text/html; charset=utf-8")
    assert "\ufffd" not in result.text
    assert "徐闻奋力推进文明城市卫生县城创建" in result.text


def test_valid_utf8_is_read_before_a_statistical_guess(monkeypatch: pytest.MonkeyPatch) -> None:
    # A detector can name a legacy code page for UTF-8 text; bytes that read as UTF-8 are UTF-8.
    class _Guess:
        encoding = "cp1252"

    class _Matches:
        def best(self) -> _Guess:
            return _Guess()

    monkeypatch.setattr("newscrawler.extract.decode.from_bytes", lambda _body: _Matches())
    assert decode_html(page(None).encode("utf-8"), None) == Decoded(
        page(None), "utf-8", ("charset_undeclared:decoded=utf-8",)
    )


def test_script_charset_is_not_a_page_declaration() -> None:
    # <script charset> names the script file's charset; the page itself is GBK, undeclared.
    html = f'<html><head><script src="a.js" charset="utf-8"></script></head><body>{BODY}</body></html>'
    result = decode_html(html.encode("gbk"), None)
    assert result == Decoded(html, "gb18030", ("charset_undeclared:decoded=gb18030",))


def test_crawl_corpus_wrapper_declares_the_encoding() -> None:
    # Research crawl corpora wrap each record in <text id="URL" title="…" encoding="…">, often
    # without the page's <head>: the wrapper's label is the declaration.
    html = f'<text id="http://news.example/a.htm" title="湛江云媒" encoding="gb2312">{BODY}</text>'
    assert decode_html(html.encode("gbk"), None) == Decoded(html, "gb18030")
    # Its dash at A1 AA reads as a browser shows it (U+2014), not as Python's gb2312 (U+2015).
    dashed = html.replace("报道", "报道——")
    assert "——" in decode_html(dashed.encode("gbk"), None).text


# -- labels and bytes no HTML page means ---------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-16", None])
@pytest.mark.parametrize("extra", ["", "x"])  # an even and an odd number of bytes
def test_a_utf16_label_on_a_page_that_is_not_utf16_is_read_as_what_it_is(
    content_type: str | None, extra: str
) -> None:
    # Odd lengths made the UTF-16 codec raise UnicodeError; even ones "decoded" to nonsense.
    text = page("utf-16" if content_type is None else None) + extra
    decoded = decode_html(text.encode("utf-8"), content_type)
    assert decoded == Decoded(text, "utf-8", ("charset_mismatch:declared=utf-16,decoded=utf-8",))


def test_a_real_utf16_page_with_its_label_still_reads() -> None:
    text = page(None)
    assert decode_html(text.encode("utf-16-le"), "text/html; charset=utf-16le") == Decoded(text, "utf-16-le")


def test_nul_bytes_are_removed_with_a_warning() -> None:
    # libxml2 turned each into U+FFFD, without a word.
    decoded = decode_html(page("utf-8", "<p>徐闻\x00奋力\x00推进</p>").encode("utf-8"))
    assert decoded == Decoded(page("utf-8", "<p>徐闻奋力推进</p>"), "utf-8", ("control_chars:removed=2",))


def test_controls_and_references_to_no_character_are_removed_with_a_warning() -> None:
    body = '<p class\x01="x">徐\x1f闻&#0;奋&#xD800;力&#x110000;推&#xFFFD;进\ufffd\x0c会议&#x4F1A;&#20250;</p>'
    decoded = decode_html(page("utf-8", body).encode("utf-8"))
    assert decoded == Decoded(
        page("utf-8", '<p class="x">徐闻奋力推进 会议&#x4F1A;&#20250;</p>'), "utf-8", ("control_chars:removed=7",)
    )


def test_a_page_nested_past_the_parsers_limit_is_reported() -> None:
    deep = "<div>" * 2100 + "<p>徐闻</p>" + "</div>" * 2100
    assert decode_html(page("utf-8", deep).encode("utf-8")).warnings == ("html_too_deep:depth>2048",)
    # Many tags, but shallow: no warning.
    assert decode_html(page("utf-8", "<p>徐闻</p>" * 2100).encode("utf-8")).warnings == ()


@pytest.mark.parametrize("body", [
    "<div>" * 2100 + "<p>徐闻</p>" + "</div>" * 2100,  # too deep
    "<div>" * 2045 + "<p>徐闻</p>" + "</div>" * 2045,  # at the limit with the implied elements
    "<div>" * 2040 + "<p>徐闻</p>",  # few start tags, unclosed
    "<p>徐闻</p>" * 2100,  # many tags, shallow
    "<p>徐闻</p>",
])
@pytest.mark.parametrize("codec", ["utf-8", "gbk"])
def test_parsing_while_decoding_gives_the_same_page(body: str, codec: str) -> None:
    # parse=True parses for the depth check instead of counting tags first: the same warnings,
    # text and codec, and the tree parse_html gives.
    encoded = page("utf-8" if codec == "utf-8" else None, body).encode(codec)
    plain, parsed = decode_html(encoded), decode_html(encoded, parse=True)
    assert parsed == plain
    assert parsed.parsed is not None
    assert etree.tostring(parsed.parsed) == etree.tostring(parse_html(plain.text, plain.utf8))


def test_a_blank_page_is_not_parsed_while_decoding() -> None:
    # parse_html gives a blank page an empty document of its own; decoding hands over no tree.
    assert decode_html(b"  \n ", parse=True).parsed is None


# Characters around every edge of what the control test looks for, in both encodings' widths.
_EDGES = st.sampled_from(
    [chr(c) for c in (*range(0x21), 0x7F, 0x80, 0xA0, 0xFEFF, 0xFFFD, 0xFFFE, 0xFFFF, 0x10000)]
    + ["徐", "闻", "𠀀", "\udc80"]
)


@given(st.text(alphabet=_EDGES, max_size=12))
def test_the_quick_control_check_answers_as_the_pattern(text: str) -> None:
    assert _may_hold_controls(text) == bool(_CONTROL.search(text))
