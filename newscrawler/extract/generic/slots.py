"""Unlabelled byline slots: elements whose class or id says what they hold.

Many templates print the source outlet or the author without a label and name the field in the
markup instead: ``<span class="source">新华社</span>``, ``<em class="where">青山日报</em>``,
``<a class="author" href="/u/12">张三</a>``. Such a slot counts only between the headline and the
body, where a page's meta lines are, or in the few lines right below the text; anywhere else the
same class names a sidebar, a feed or a media player. An author slot counts only when it holds
personal names (``names``), never an account's name or a follow button. A slot whose text
carries its own label (``来源：新华社``) is left to the meta lines.
"""

from __future__ import annotations

import re
from typing import Any

from ..byline import split_names
from ..names import looks_like_person
from ..normalize import HAN, collapse_whitespace
from ..times import TIME_PATTERN
from .lines import BLOCK_TAGS, Line, tag_of
from .metalines import BADGE, FIELD_LABEL, SENTENCE

# Class and id words (split at spaces, - and _, and camelCase humps) naming each kind of slot.
_SOURCE_WORDS = frozenset({"source", "sources", "where", "provider", "origin", "laiyuan", "copyfrom"})
# "media" alone names a picture or a player box; with these it names the outlet (media-name).
_MEDIA_WORDS = frozenset({"name", "from", "title"})
_AUTHOR_WORDS = frozenset({"author", "authors", "auther", "writer", "byline", "reporter", "zuozhe"})
_WORD_SPLIT = re.compile(r"[\s_\-]+|(?<=[a-z])(?=[A-Z])")
_HAS_WORD = re.compile(r"[A-Za-z]")
_MAX_SLOT = 24
_OUTLET_TEXT = re.compile(rf"^[{HAN}A-Za-z0-9·•&＆ .]{{2,{_MAX_SLOT}}}$")
_BADGE = re.compile(BADGE)
_EDGE_PUNCTUATION = "()（）[]【】<>《》:：|丨｜︱/／-—·• "


def _slot_kind(element: Any) -> str | None:
    words = f"{element.attrib.get('class', '')} {element.attrib.get('id', '')}"
    if not _HAS_WORD.search(words):
        return None
    tokens = {token.lower() for token in _WORD_SPLIT.split(words) if token}
    if not tokens.isdisjoint(_SOURCE_WORDS) or ("media" in tokens and not tokens.isdisjoint(_MEDIA_WORDS)):
        return "source"
    if not tokens.isdisjoint(_AUTHOR_WORDS):
        return "author"
    return None


def _candidates(lines: list[Line]) -> list[Any]:
    """The elements that render the given lines: each line's block, two of its ancestors (a
    slot may wrap the block: <div class="source"><p>新华社</p></div>) and the inline elements
    inside it (child blocks render lines of their own)."""
    found: dict[int, Any] = {}
    for line in lines:
        node, depth = line.owner, 0
        while node is not None and depth < 3:
            found.setdefault(id(node), node)
            node, depth = node.getparent(), depth + 1
        stack = list(reversed(line.owner))  # in document order
        while stack:
            element = stack.pop()
            if isinstance(element.tag, str) and tag_of(element) not in BLOCK_TAGS:
                found.setdefault(id(element), element)
                stack.extend(reversed(element))
    return list(found.values())


def slot_bylines(lines: list[Line], start: int, stop: int) -> list[str]:
    """Labelled byline text (``来源：…``, names) for the unlabelled slots shown in lines
    ``start`` < index < ``stop``."""
    found: list[str] = []
    for element in _candidates(lines[max(0, start + 1) : max(0, stop)]):
        if not element.attrib:
            continue
        kind = _slot_kind(element)
        if kind is None:
            continue
        text = collapse_whitespace("".join(element.itertext())).strip(_EDGE_PUNCTUATION)
        if not text or len(text) > _MAX_SLOT or FIELD_LABEL.search(text) or SENTENCE.search(text):
            continue
        if TIME_PATTERN.search(text):
            continue
        if kind == "source" and _OUTLET_TEXT.match(text) and not text.isdigit() and not _BADGE.match(text):
            found.append(f"来源：{text}")
        elif kind == "author":
            # An author slot also holds account names and follow buttons: only personal names.
            names = split_names(text)
            if names and len(names) <= 4 and all(map(looks_like_person, names)):
                found.append(" ".join(names))
    return found
