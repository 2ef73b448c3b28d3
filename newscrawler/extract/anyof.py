"""Whether a text matches any alternative of long phrase-list patterns, cheaply.

The noise and boilerplate patterns (``noise``) are alternations of dozens of phrases, asked of
every paragraph of every page. Python's regex engine tries each alternative at each position of
the text, so a line that matches none (nearly every line) costs the whole list times its
length. ``AnyOf`` splits the patterns into their top-level alternatives, works out from each
one's parse a set of characters of which every match holds at least one (``needed_chars``), and
on a text tries only the alternatives whose characters it holds, found with one scan in C. The
answer is the same as ``bool(pattern.search(text))`` for any of the patterns.
"""

from __future__ import annotations

import re
import sys
from typing import Any

if sys.version_info >= (3, 11):
    from re import _parser as sre_parse
else:  # pragma: no cover - Python 3.10
    import sre_parse

# A character class this wide says nothing useful about a text: no filter.
_MAX_RANGE = 64


def split_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regular expression's source (``a|b(c|d)`` → ``a``,
    ``b(c|d)``): bars inside groups, character classes and escapes do not split."""
    parts: list[str] = []
    depth, start, index, in_class = 0, 0, 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            # A ] right after [ or [^ is a member, not the end of the class.
            if pattern[index + 1 : index + 2] == "^":
                index += 1
            if pattern[index + 1 : index + 2] == "]":
                index += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
        index += 1
    parts.append(pattern[start:])
    return parts


def needed_chars(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Characters of which every match of ``pattern`` holds at least one, or None when no such
    set can be told from the pattern (it may match anything, or the empty string)."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
        return _sequence([parsed[index] for index in range(len(parsed))])
    except (re.error, TypeError, ValueError):  # a construct this reading does not know
        return None


def _sequence(items: list[Any]) -> frozenset[str] | None:
    # Every item of a sequence is matched, so the smallest set of any one item will do.
    best: frozenset[str] | None = None
    for op, av in items:
        found = _item(op, av)
        if found is not None and (best is None or len(found) < len(best)):
            best = found
    return best


def _item(op: Any, av: Any) -> frozenset[str] | None:
    if op is sre_parse.LITERAL:
        return frozenset(chr(av))
    if op is sre_parse.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is sre_parse.LITERAL:
                chars.add(chr(value))
            elif kind is sre_parse.RANGE and value[1] - value[0] < _MAX_RANGE:
                chars.update(map(chr, range(value[0], value[1] + 1)))
            else:
                return None  # a negated class, a category (\s, \d) or a wide range
        return frozenset(chars)
    if op is sre_parse.BRANCH:
        union: set[str] = set()
        for alternative in av[1]:
            found = _sequence(list(alternative))
            if found is None:
                return None
            union |= found
        return frozenset(union)
    if op is sre_parse.SUBPATTERN:
        return _sequence(list(av[-1]))
    if op in _REPEATS:
        return _sequence(list(av[2])) if av[0] >= 1 else None
    if op is getattr(sre_parse, "ATOMIC_GROUP", None):
        return _sequence(list(av))
    return None  # anchors, lookarounds (not part of the match), any character, references


_REPEATS = tuple(
    op for op in (getattr(sre_parse, name, None) for name in
                  ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"))
    if op is not None
)


class AnyOf:
    """The top-level alternatives of some patterns, each tried only on texts that hold one of
    the characters it needs; ``search(text)`` is whether any pattern matches somewhere."""

    def __init__(self, *patterns: re.Pattern[str]) -> None:
        self._always: list[re.Pattern[str]] = []
        self._alternatives: list[re.Pattern[str]] = []
        self._by_char: dict[str, list[int]] = {}
        for pattern in patterns:
            for source in split_alternatives(pattern.pattern):
                alternative = re.compile(source, pattern.flags)
                chars = needed_chars(alternative)
                if chars is None:
                    self._always.append(alternative)
                    continue
                for char in chars:
                    self._by_char.setdefault(char, []).append(len(self._alternatives))
                self._alternatives.append(alternative)
        members = "".join(re.escape(char) for char in sorted(self._by_char))
        self._trigger = re.compile(f"[{members}]") if members else None

    def search(self, text: str) -> bool:
        for alternative in self._always:
            if alternative.search(text):
                return True
        if self._trigger is None:
            return False
        tried: set[int] = set()
        for char in set(self._trigger.findall(text)):
            for index in self._by_char[char]:
                if index not in tried:
                    tried.add(index)
                    if self._alternatives[index].search(text):
                        return True
        return False
