"""``text_of`` reads an element's text from libxml2 when nothing below it needs the careful walk,
and decides that by looking at a small subtree in Python: the text must be what the iterator
path gives (``itertext``, or the walk skipping scripts and styles), for every element of
generated trees, small and large, with and without the elements the walk is for."""

from __future__ import annotations

import random

import pytest
from lxml import etree

from newscrawler.extract import page as page_module
from newscrawler.extract.page import Page, text_of

_TAGS = ["div", "p", "span", "a", "em", "li", "ul", "b", "script", "style", "br", "noscript",
         "textarea", "template", "img"]
_WORDS = ["", "", " ", "徐闻", "text", "\n  ", "&amp;", "𠀀字", "a < b"]


def _reference(root: etree._Element) -> str:
    # text_of as it was: the tag matcher decides, itertext reads the common case.
    tag = root.tag
    if not len(root) and isinstance(tag, str):
        if tag in page_module._SKIP_TEXT:
            return ""
        if tag == "br":
            return "\n" + (root.text or "")
        return root.text or ""
    if next(root.iter(*page_module._NEEDS_WALK), None) is None:
        return "".join(root.itertext())
    parts: list[str] = []
    page_module._collect(root, parts)
    return "".join(parts)


def _html(rng: random.Random, depth: int, plain: bool) -> str:
    parts = []
    for _ in range(rng.randint(0, 5 if depth < 4 else 1)):
        kind = rng.random()
        if not plain and kind < 0.05:
            parts.append("<!-- note -->")
        elif not plain and kind < 0.08:
            parts.append("<?pi data?>")
        else:
            tag = rng.choice(_TAGS[:8] if plain else _TAGS)
            inner = _html(rng, depth + 1, plain) if tag not in ("br", "img") else ""
            parts.append(f"<{tag}>{rng.choice(_WORDS)}{inner}</{tag}>" if inner or tag not in ("br", "img")
                         else f"<{tag}>")
        parts.append(rng.choice(_WORDS))
    return "".join(parts)


@pytest.mark.parametrize("seed", range(300))
def test_text_of_gives_what_the_iterators_give(seed: int) -> None:
    rng = random.Random(seed)
    plain = seed % 2 == 0  # half the trees hold nothing the walk is for
    body = "".join(f"<div>{_html(rng, 0, plain)}</div>" for _ in range(rng.randint(1, 4)))
    page = Page(f"<html><body>{body}</body></html>", "")
    for element in page.root.iter():
        assert text_of(element) == _reference(element)
        if isinstance(element.tag, str):
            assert page_module._needs_walk(element) == (
                next(element.iter(*page_module._NEEDS_WALK), None) is not None)
