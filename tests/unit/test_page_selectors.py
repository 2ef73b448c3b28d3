"""Selectors of tags and classes are matched by walking the tree (``selectors.tree_matcher``, and
from the outer step down for two steps inside an element, ``selectors._outer_first``; below an
id's element for ``#id step``); they must select exactly what cssselect's XPath selects, in the same order, from
the document and from any element (``select``, ``select_first``), whatever the class attributes
and ids look like."""

from __future__ import annotations

import random

import pytest
from lxml import etree

from newscrawler.extract import selectors as selectors_module
from newscrawler.extract.page import Page
from newscrawler.extract.selectors import select, select_first

SELECTORS = [
    "div.a", "div.a p", ".a", "*", "* .b", "li:not(.a)", "ul.a li:not(.b) a", "div p span",
    "p.a.b", ".a-b", "a[href]", "div a[href]", "div.A", "DIV.a", "span:not(.a):not(.b)",
    "div .a .b", "p *", "div.a div.a", "div.article h1.article-title", "ul.news-list li",
]
# XPath's normalize-space() splits on space, tab, CR and LF only: NBSP and form feed are not
# separators, so "x\xa0a" is one class.
CLASSES = ["a", "b", "a-b", "A", "x\xa0a", "a\tb", "\na\n", "", " ", "ab", "b a", "a\fb",
           "article", "article-title", "news-list"]
TAGS = ["div", "p", "span", "li", "ul", "a", "h1", "em"]


def _element(rng: random.Random, depth: int, ids: bool = False) -> str:
    """A random subtree. With ``ids``, ids come from a small set, so that an id is often missing,
    once, or repeated (libxml2's id() finds the first), and nested inside an element with the
    same id."""
    if depth == 0 or rng.random() < 0.3:
        return rng.choice(["text", "<!-- comment -->", ""])
    tag = rng.choice(TAGS)
    attributes = f' class="{rng.choice(CLASSES)}"' if rng.random() < 0.7 else ""
    if ids:
        attributes += f' id="{rng.choice(["c", "d", "e"])}"' if rng.random() < 0.3 else ""
    attributes += ' href="x"' if rng.random() < 0.3 else ""
    children = "".join(_element(rng, depth - 1, ids) for _ in range(rng.randint(0, 3)))
    return f"<{tag}{attributes}>{children}</{tag}>"


def _xpath_css(page: Page, query: str) -> list[etree._Element]:
    return [e for e in selectors_module.compiled_document_css(query)(page.root)
            if isinstance(e, etree._Element)]


def _xpath_select(node: etree._Element, query: str) -> list[etree._Element]:
    return [e for e in selectors_module._compiled_css(query)(node) if isinstance(e, etree._Element)]


@pytest.mark.parametrize("seed", range(40))
def test_tree_walking_selects_what_xpath_selects(seed: int) -> None:
    rng = random.Random(seed)
    page = Page("<html><body>" + "".join(_element(rng, 5) for _ in range(4)) + "</body></html>", "u")
    for query in SELECTORS:
        assert selectors_module.tree_matcher(query) is not None, query
        assert page.css(query) == _xpath_css(page, query), query
        for node in page.root.iter():
            if isinstance(node.tag, str):
                expected = _xpath_select(node, query)
                assert select(node, query) == expected, (query, node.tag)
                assert select_first(node, query) == (expected[0] if expected else None), (query, node.tag)


ID_SELECTORS = ["#c p", "#c .a", "#c p:not(.a)", "#d *", "#c div.a", "#c a[href]", "#d span:not(.a):not(.b)"]


@pytest.mark.parametrize("seed", range(60))
def test_below_an_id_selects_what_xpath_selects(seed: int) -> None:
    rng = random.Random(seed)
    page = Page("<html><body>" + "".join(_element(rng, 5, ids=True) for _ in range(4)) + "</body></html>", "u")
    for query in ID_SELECTORS:
        assert selectors_module.id_step(query) is not None, query
        assert page.css(query) == _xpath_css(page, query), query


@pytest.mark.parametrize("query", ["#content p", "a > b", "p:first-child", "a[href^=x]", "a, b",
                                   "p::text", "li:not(p)", "p:nth-of-type(2)"])
def test_other_selectors_go_through_xpath(query: str) -> None:
    assert selectors_module.tree_matcher(query) is None


@pytest.mark.parametrize("query", ["div#c p", "#c > p", "#c p span", "#c.a p", "#c p::text", "#c, p"])
def test_other_id_selectors_go_through_xpath(query: str) -> None:
    assert selectors_module.id_step(query) is None


def test_a_body_nested_hundreds_deep_is_read_whole() -> None:
    # libxml2 stops at 256 levels without huge_tree and drops the rest of the document silently.
    html = "<html><body>" + "<div>" * 300 + "<p>深处</p>" + "</div>" * 300 + "<p>之后</p></body></html>"
    assert Page(html, "https://example.cn/").texts("p") == ["深处", "之后"]


def test_attribute_names_as_bytes_read_what_names_as_str_read() -> None:
    # The matcher and the link readers look attributes up by bytes names (selectors.CLASS, HREF).
    root = etree.fromstring(
        '<html><body><div class="x\xa0a 標題">1</div><div>2</div>'
        '<a href="/新聞/1.html?q=é">3</a><a>4</a></body></html>', etree.HTMLParser())
    for element in root.iter():
        assert element.get(selectors_module.CLASS) == element.get("class")
        assert element.get(selectors_module.HREF) == element.get("href")
