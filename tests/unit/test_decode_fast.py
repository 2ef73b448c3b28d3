"""The decoding fast path (a page declared UTF-8 that is UTF-8) gives what the general search
gives, on every mix of byte-order mark, header, ``<meta>`` and bytes, and is taken when it can."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newscrawler.extract import decode
from newscrawler.extract.decode import _declared_utf8, _decode_general, decode_html
from newscrawler.extract.page import MAX_DEPTH

TEXT = "<p>徐闻奋力推进文明城市卫生县城创建，記者陳荔雅報導。€𠀀</p>"
BOMS = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"]
HEADERS = [
    None, "", "text/html", "text/html; charset=utf-8", "text/html; charset=UTF8",
    'text/html; charset="utf-8"', "text/html; charset=gbk", "text/html; charset=latin-1",
    "text/html; charset=no-such-codec", "text/html; charset=utf-16", "text/html; charset=utf-7",
    'text/html; foo="charset=gbk"; charset=utf-8',
]
METAS = [
    "", '<meta charset="utf-8">', "<meta charset=UTF-8>", '<meta charset="gb2312">',
    '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">',
    '<meta http-equiv="Content-Type" content="text/html; charset=gbk">',
    '<meta charset="no-such-codec"><meta charset="utf-8">', '<meta charset="utf-16">',
    '<?xml version="1.0" encoding="utf-8"?>', '<script charset="gbk"></script><meta charset="utf-8">',
    '<!-- <meta charset="gbk"> --><meta charset="utf-8">',
]


def _page(meta: str, body: str = TEXT) -> str:
    return f"<html><head>{meta}<title>湛江</title></head><body>{body}</body></html>"


def _bodies(meta: str) -> list[bytes]:
    text = _page(meta)
    return [
        text.encode("utf-8"),
        text.encode("gb18030"),  # GBK bytes, whatever the labels say
        text.encode("utf-16-le"),
        text.encode("utf-8")[:-3] + "湛".encode()[:2],  # cut in the middle of a character
        _page(meta, "<p>a\x01b&#0;c\x0bd\ufffe</p>").encode("utf-8"),  # controls to remove
        _page(meta, "<p>湛江</p>" + "<div>" * (MAX_DEPTH + 10)).encode("utf-8"),
        b"\xa0" + text.encode("utf-8"),  # a stray byte first
        f"<html><head>{meta}</head><body><p>plain ASCII</p></body></html>".encode("ascii"),
    ]


def _same(body: bytes, content_type: str | None) -> None:
    fast, general = decode_html(body, content_type), _decode_general(body, content_type)
    assert fast == general
    assert fast.utf8 == general.utf8
    assert (fast.parsed is None) == (general.parsed is None)


@pytest.mark.parametrize(("meta", "content_type"), list(itertools.product(METAS, HEADERS)))
def test_fast_path_equals_general_search(meta: str, content_type: str | None) -> None:
    for body, bom in itertools.product(_bodies(meta), BOMS):
        _same(bom + body, content_type)


@given(st.binary(max_size=64), st.sampled_from(HEADERS), st.sampled_from(METAS),
       st.text(max_size=40))
def test_fast_path_equals_general_search_on_any_bytes(
    noise: bytes, content_type: str | None, meta: str, text: str
) -> None:
    _same(_page(meta, text).encode("utf-8", "surrogatepass") + noise, content_type)
    _same(noise + _page(meta, text).encode("utf-8", "surrogatepass"), content_type)


@pytest.mark.parametrize(
    ("content_type", "meta", "taken"),
    [
        ("text/html; charset=utf-8", "", True),
        ("text/html", '<meta charset="utf-8">', True),
        (None, '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">', True),
        ("text/html; charset=gbk", '<meta charset="utf-8">', False),  # the header comes first
        ("text/html; charset=no-such-codec", '<meta charset="utf-8">', False),  # warned about
        ("text/html", "", False),  # undeclared
    ],
)
def test_fast_path_is_taken_for_declared_utf8(content_type: str | None, meta: str, taken: bool) -> None:
    body = _page(meta).encode("utf-8")
    assert (_declared_utf8(body, content_type) is not None) is taken
    assert _declared_utf8(b"\xef\xbb\xbf" + body, content_type) is None  # a BOM: the general way


def test_gbk_labelled_utf8_takes_the_general_search(monkeypatch: pytest.MonkeyPatch) -> None:
    body = _page('<meta charset="utf-8">').encode("gb18030")
    assert _declared_utf8(body, "text/html; charset=utf-8") is None
    decoded = decode_html(body, "text/html; charset=utf-8")
    assert decoded.encoding != "utf-8"
    assert any(w.startswith("charset_mismatch:declared=utf-8") for w in decoded.warnings)
    monkeypatch.setattr(decode, "_declared_utf8", lambda body, content_type, parse=False: None)
    assert decode.decode_html(body, "text/html; charset=utf-8") == decoded
