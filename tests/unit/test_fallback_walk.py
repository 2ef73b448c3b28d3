"""The fallback's cheap check finds the blocks that hold matched paragraphs by walking up from
them: the missed text equals what searching every block's descendants found, on generated trees."""

from __future__ import annotations

import random
from typing import Any

import pytest
from lxml import etree

from newscrawler.extract.fallback import _SKIP, _common_ancestor, _keep, missed_blocks
from newscrawler.extract.page import text_of

TAGS = ["div", "p", "span", "section", "table", "td", "script", "em", "br", "style", "a"]


def _reference(nodes: list[Any]) -> list[str]:
    # The walk as it was: each block's descendants searched for a matched node.
    if not nodes:
        return []
    container = _common_ancestor(nodes)
    if container is None:
        return []
    matched, tags, found = set(nodes), {node.tag for node in nodes}, []

    def walk(element: Any) -> None:
        if element in matched or not isinstance(element.tag, str) or element.tag in _SKIP:
            return
        if element is not container and not any(d in matched for d in element.iterdescendants()):
            if element.tag not in tags:
                _keep(text_of(element), found)
            return
        _keep(element.text, found)
        for child in element:
            walk(child)
            _keep(child.tail, found)

    walk(container)
    return found


def _tree(rng: random.Random) -> Any:
    root = etree.Element("html")
    body = etree.SubElement(root, "body")
    elements = [body]
    for index in range(rng.randint(1, 60)):
        parent = rng.choice(elements)
        child = etree.SubElement(parent, rng.choice(TAGS))
        child.text = rng.choice([None, "", " ", f"正文{index}", f"記者{index}，编辑：某"])
        child.tail = rng.choice([None, "\n", f"尾{index}"])
        if rng.random() < 0.1:
            child.append(etree.Comment("comment"))
        elements.append(child)
    return root


@pytest.mark.parametrize("seed", range(40))
def test_missed_blocks_equal_the_descendant_search(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        root = _tree(rng)
        elements = list(root.iter("p", "div", "span", "td"))
        for nodes in (
            list(root.iter("p")),
            rng.sample(elements, min(len(elements), rng.randint(1, 6))),
            [e for e in elements if rng.random() < 0.3],
        ):
            nodes = [n for n in root.iter() if n in set(nodes)]  # document order, as selectors give
            assert missed_blocks(nodes) == _reference(nodes)
