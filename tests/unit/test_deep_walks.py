"""The element walks of extraction read with their own stack, not by recursion: the parser follows
nesting to ``page.MAX_DEPTH`` (2048), deeper than Python's recursion limit (1000).

Each walk reads a page of our own writing (tails, scripts, styles, ``<br>``, comments, hidden
blocks, links, text after ``</html>``) exactly as the recursive walk did (the expected values
are what it read, recorded before the change), reads generated trees as a copy of the recursive
walk does, and reads chains of elements nested deeper than the recursion limit.
"""

from __future__ import annotations

import random
import sys
from typing import Any

import pytest
from lxml import etree

from newscrawler.extract.fallback import missed_blocks
from newscrawler.extract.generic import lines as lines_module
from newscrawler.extract.generic.lines import Line, page_lines
from newscrawler.extract.normalize import collapse_whitespace
from newscrawler.extract.page import Page, _collect, text_of

PAGE = """<html><head><title>標題</title><style>p{color:red}</style></head>
<body>前言<div id="main">
<h1>港口新聞<span>快訊</span></h1>
<div class="meta">2024-05-06 <span>09:30</span><span>來源：港口日報</span><!-- 注釋 -->尾巴</div>
<div id="content">
<p>第一段<b>粗體</b>尾一<br>換行後<a href="/x">鏈接<em>強調</em></a>鏈尾</p>
<script>var x = "腳本";</script>腳本尾
<p>第二段<style>.a{}</style>樣式尾<img src="a.jpg">圖尾</p>
<div style="display:none">隱藏</div>隱藏尾
<div>塊<p>內段</p>塊尾<noscript>無腳本</noscript>末</div>
<p class="hidden">類隱藏</p>
<span>行內<div>行內中的塊</div>行內尾</span>
<textarea>文本框</textarea>框尾<?pi 指令?>指令尾
<template><p>模板</p></template>模板尾
<p>（編輯：周明）</p>
</div>
<ul><li><a href="/1">熱點一</a></li><li><a href="/2">熱點二</a>附註</li></ul>
</div>結尾</body></html>
<p>文檔後</p>"""

# What the recursive walks read from PAGE: each line's text, spaced text, owner's tag, characters
# and link characters; the images with the lines before each; the text parts of some elements;
# the missed blocks of some paragraph selections.
LINES = [
    ("前言", "前言", "body", 2, 0),
    ("港口新聞快訊", "港口新聞 快訊", "h1", 6, 0),
    ("2024-05-06 09:30來源：港口日報尾巴", "2024-05-06 09:30 來源：港口日報 尾巴", "div", 24, 0),
    ("第一段粗體尾一", "第一段 粗體 尾一", "p", 7, 0),
    ("換行後鏈接強調鏈尾", "換行後 鏈接 強調 鏈尾", "p", 9, 4),
    ("腳本尾", "腳本尾", "div", 3, 0),
    ("第二段樣式尾圖尾", "第二段樣式尾圖尾", "p", 8, 0),
    ("隱藏尾", "隱藏尾", "div", 3, 0),
    ("塊", "塊", "div", 1, 0),
    ("內段", "內段", "p", 2, 0),
    ("塊尾末", "塊尾末", "div", 3, 0),
    ("行內", "行內", "div", 2, 0),
    ("行內中的塊", "行內中的塊", "div", 5, 0),
    ("行內尾 框尾指令尾 模板尾", "行內尾 框尾指令尾 模板尾", "div", 11, 0),
    ("（編輯：周明）", "（編輯：周明）", "p", 7, 0),
    ("熱點一", "熱點一", "li", 3, 3),
    ("熱點二附註", "熱點二 附註", "li", 5, 3),
    ("結尾", "結尾", "body", 2, 0),
    ("文檔後", "文檔後", "p", 3, 0),
]
IMAGES = [("a.jpg", 6)]
COLLECTED = {
    "body": [
        "前言", "\n", "港口新聞", "快訊", "\n", "2024-05-06 ", "09:30", "來源：港口日報", "尾巴", "\n",
        "\n", "第一段", "粗體", "尾一", "\n", "換行後", "鏈接", "強調", "鏈尾", "\n", "腳本尾\n", "第二段",
        "樣式尾", "圖尾", "\n", "隱藏", "隱藏尾\n", "塊", "內段", "塊尾", "末", "\n", "類隱藏", "\n", "行內",
        "行內中的塊", "行內尾", "\n", "框尾", "指令尾\n", "模板尾\n", "（編輯：周明）", "\n", "\n", "熱點一",
        "熱點二", "附註", "\n", "結尾",
    ],
    "#content": [
        "\n", "第一段", "粗體", "尾一", "\n", "換行後", "鏈接", "強調", "鏈尾", "\n", "腳本尾\n", "第二段",
        "樣式尾", "圖尾", "\n", "隱藏", "隱藏尾\n", "塊", "內段", "塊尾", "末", "\n", "類隱藏", "\n", "行內",
        "行內中的塊", "行內尾", "\n", "框尾", "指令尾\n", "模板尾\n", "（編輯：周明）", "\n",
    ],
    "#content > p": ["第一段", "粗體", "尾一", "\n", "換行後", "鏈接", "強調", "鏈尾"],
    "div.meta": ["2024-05-06 ", "09:30", "來源：港口日報", "尾巴"],
    "h1": ["港口新聞", "快訊"],
}
MISSED = {
    "#content > p": ["腳本尾\n", "隱藏", "隱藏尾\n", "塊內段塊尾末", "行內行內中的塊行內尾", "框尾", "指令尾\n",
                     "模板尾\n"],
    "#content p": ["腳本尾\n", "隱藏", "隱藏尾\n", "塊", "塊尾", "末", "行內行內中的塊行內尾", "框尾", "指令尾\n",
                   "模板尾\n"],
    "h1": [
        "2024-05-06 09:30來源：港口日報尾巴",
        "\n第一段粗體尾一\n換行後鏈接強調鏈尾\n腳本尾\n第二段樣式尾圖尾\n隱藏隱藏尾\n塊內段塊尾末\n類隱藏\n"
        "行內行內中的塊行內尾\n框尾指令尾\n模板尾\n（編輯：周明）\n",
        "熱點一熱點二附註",
    ],
    "li": [],
}
# Deeper than the recursion limit, whatever it is set to.
DEEP = sys.getrecursionlimit() * 3


def _page() -> Page:
    return Page(PAGE, "https://news.example/a.html")


def _line_values(lines: list[Line]) -> list[tuple[str, str, Any, int, int, int]]:
    return [(line.text, line.spaced, line.owner, line.chars, line.link_chars, line.index) for line in lines]


# --- the page of our own writing ------------------------------------------------------------


def test_page_lines_read_the_page_as_the_recursive_walk_did() -> None:
    lines, images = page_lines(_page().root)
    assert [(line.text, line.spaced, line.owner.tag, line.chars, line.link_chars) for line in lines] == LINES
    assert [line.index for line in lines] == list(range(len(LINES)))
    assert [(image.get("src"), before) for image, before in images] == IMAGES


@pytest.mark.parametrize("query", sorted(COLLECTED))
def test_the_text_walk_reads_the_page_as_the_recursive_walk_did(query: str) -> None:
    element = _page().first(query)
    assert element is not None
    parts: list[str] = []
    _collect(element, parts)
    assert parts == COLLECTED[query]
    assert text_of(element) == "".join(COLLECTED[query])


@pytest.mark.parametrize("query", sorted(MISSED))
def test_missed_blocks_read_the_page_as_the_recursive_walk_did(query: str) -> None:
    assert missed_blocks(_page().css(query)) == MISSED[query]


# --- generated trees against the recursive walk ----------------------------------------------


def _reference_lines(root: Any) -> tuple[list[Line], list[tuple[Any, int]]]:
    """``page_lines`` as it was, recursive (for trees well within the recursion limit)."""
    module = lines_module
    lines: list[Line] = []
    images: list[tuple[Any, int]] = []

    def flush(buffer: Any, owner: Any) -> None:
        if buffer.parts:
            joined = "".join(buffer.parts)
            edged = module._EDGE in joined
            text = collapse_whitespace(joined.replace(module._EDGE, "") if edged else joined)
            if text:
                chars = len(text.replace(" ", ""))
                spaced = collapse_whitespace(joined.replace(module._EDGE, " ")) if edged else text
                lines.append(Line(text, owner, chars, min(buffer.link_chars, chars), len(lines), spaced))
        buffer.parts = []
        buffer.link_chars = 0

    def walk(element: Any, owner: Any, buffer: Any, in_link: bool) -> None:
        tag = element.tag
        if not isinstance(tag, str):
            return
        tag = tag.lower()
        if not tag or tag in module._SKIP or module._hidden(element, tag):
            return
        if tag == "br":
            flush(buffer, owner)
            return
        if tag == "img":
            images.append((element, len(lines)))
            return
        if tag in module.BLOCK_TAGS:
            flush(buffer, owner)
            inner = module._Buffer()
            if element.text:
                inner.add(element.text, in_link)
            for child in element:
                walk(child, element, inner, in_link)
                if child.tail:
                    inner.add(child.tail, in_link)
            flush(inner, element)
            return
        link = in_link or tag == "a"
        buffer.parts.append(module._EDGE)
        if element.text:
            buffer.add(element.text, link)
        for child in element:
            walk(child, owner, buffer, link)
            if child.tail:
                buffer.add(child.tail, link)
        buffer.parts.append(module._EDGE)

    top = module._Buffer()
    walk(root, root, top, False)
    flush(top, root)
    for sibling in root.itersiblings():
        walk(sibling, sibling, top, False)
        flush(top, sibling)
    return lines, images


def _reference_collect(element: Any, parts: list[str]) -> None:
    """``page._collect`` as it was, recursive."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in ("script", "style", "noscript", "template", "textarea"):
        return
    if tag == "br":
        parts.append("\n")
    if element.text and tag:
        parts.append(element.text)
    for child in element:
        _reference_collect(child, parts)
        if child.tail:
            parts.append(child.tail)


_TAGS = ["div", "p", "span", "a", "em", "li", "td", "h2", "b", "script", "style", "br", "img",
         "noscript", "textarea", "nav", "section", "font"]
_WORDS = [None, "", " ", "\n  ", "港口", "記者 林海", "編輯：周明", "2024-05-06 09:30", "a < b"]


def _tree(rng: random.Random) -> Any:
    root = etree.Element("html")
    body = etree.SubElement(root, "body")
    body.text = rng.choice(_WORDS)
    elements = [body]
    for _ in range(rng.randint(1, 80)):
        parent = rng.choice(elements)
        kind = rng.random()
        if kind < 0.06:
            child = etree.Comment("注釋")
            parent.append(child)
        elif kind < 0.09:
            child = etree.ProcessingInstruction("pi", "指令")
            parent.append(child)
        else:
            child = etree.SubElement(parent, rng.choice(_TAGS))
            child.text = rng.choice(_WORDS)
            if rng.random() < 0.08:
                child.set(*rng.choice([("style", "display: none"), ("class", "x hidden"), ("hidden", ""),
                                       ("aria-hidden", "true")]))
            if child.tag == "img":
                child.set("src", f"{len(elements)}.jpg")
            elements.append(child)
        child.tail = rng.choice(_WORDS)
    return root


@pytest.mark.parametrize("seed", range(60))
def test_walks_read_generated_trees_as_the_recursive_walks_did(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(20):
        root = _tree(rng)
        lines, images = page_lines(root)
        expected_lines, expected_images = _reference_lines(root)
        assert _line_values(lines) == _line_values(expected_lines)
        assert images == expected_images
        for element in root.iter():
            parts: list[str] = []
            expected: list[str] = []
            _collect(element, parts)
            _reference_collect(element, expected)
            assert parts == expected


# --- nesting deeper than the recursion limit -------------------------------------------------


def _chain(parent: Any, tags: list[str], text: str, tail: str) -> list[Any]:
    """Elements nested in ``parent``, one in the other, the nth with text and tail numbered n."""
    chain = []
    for n, tag in enumerate(tags):
        parent = etree.SubElement(parent, tag)
        parent.text, parent.tail = f"{text}{n}", f"{tail}{n}"
        chain.append(parent)
    return chain


def test_page_lines_read_blocks_nested_past_the_recursion_limit() -> None:
    root = etree.Element("html")
    body = etree.SubElement(root, "body")
    blocks = _chain(body, ["div", "section"] * (DEEP // 2), "甲", "尾")
    paragraph = etree.SubElement(blocks[-1], "p")
    inline = _chain(paragraph, ["a"] + ["span", "em"] * (DEEP // 2), "乙", "丙")
    etree.SubElement(inline[-1], "script").text = "腳本"
    etree.SubElement(inline[-1], "img", src="deep.jpg")
    lines, images = page_lines(root)
    n, m = len(blocks), len(inline)
    # Each block's own text is a line, the paragraph holds one line of the nested inline text
    # (all of it link text), then each block's children's tails, innermost first.
    inline_parts = [f"乙{i}" for i in range(m)] + [f"丙{i}" for i in reversed(range(m))]
    text = "".join(inline_parts)
    expected = (
        [(f"甲{i}", f"甲{i}", blocks[i], len(f"甲{i}"), 0) for i in range(n)]
        # The outermost link's tail is the paragraph's text, not the link's.
        + [(text, " ".join(inline_parts), paragraph, len(text), len(text) - len("丙0"))]
        + [(f"尾{i}", f"尾{i}", blocks[i - 1], len(f"尾{i}"), 0) for i in reversed(range(1, n))]
        + [("尾0", "尾0", body, 2, 0)]
    )
    assert [(line.text, line.spaced, line.owner, line.chars, line.link_chars) for line in lines] == expected
    assert images == [(inline[-1].find("img"), n)]


def test_text_of_reads_elements_nested_past_the_recursion_limit() -> None:
    root = etree.Element("div")
    chain = _chain(root, ["span", "b"] * (DEEP // 2), "乙", "丙")
    etree.SubElement(chain[-1], "script").text = "腳本"  # the careful walk, not libxml2's text
    etree.SubElement(chain[-1], "br").tail = "換行"
    expected = "".join(f"乙{i}" for i in range(len(chain))) + "\n換行" + "".join(
        f"丙{i}" for i in reversed(range(1, len(chain))))
    assert text_of(chain[0]) == expected
    assert text_of(root) == expected + "丙0"


def test_missed_blocks_read_holders_nested_past_the_recursion_limit() -> None:
    container = etree.Element("div")
    top = etree.SubElement(container, "p")
    top.text = "第一段"
    holders = _chain(container, ["div"] * DEEP, "甲", "尾")
    deep = etree.SubElement(holders[-1], "p")
    deep.text = "深段"
    missed = etree.SubElement(holders[-1], "div")
    missed.text = "漏掉的"
    etree.SubElement(holders[-1], "script").text = "腳本"
    expected = ([f"甲{i}" for i in range(len(holders))] + ["漏掉的"]
                + [f"尾{i}" for i in reversed(range(len(holders)))])
    assert missed_blocks([top, deep]) == expected


def test_jsonld_names_are_read_in_order_at_any_depth() -> None:
    from newscrawler.extract.generic.metadata import _names

    # What the recursive reading gave.
    assert _names("甲") == ["甲"]
    assert _names({"name": "乙"}) == ["乙"]
    assert _names([{"name": ["丙", {"name": "丁"}]}, "戊", 3, None, {"x": 1}, [["己"], "庚"]]) == [
        "丙", "丁", "戊", "己", "庚"]
    assert _names({"name": {"name": ["辛", "壬"]}}) == ["辛", "壬"]
    assert _names(5) == []
    deep: Any = ["癸"]
    for _ in range(DEEP):
        deep = {"name": [deep]}
    assert _names(deep) == ["癸"]
