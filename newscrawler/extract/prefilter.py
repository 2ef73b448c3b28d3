"""Cheap first tests for costly patterns, on the text they do not match.

Python's regex engine tries every alternative of a pattern at every position of a text. The
byline grammar and the noise lists are alternations of dozens or hundreds of words, asked of
every meta line and paragraph of every page, and most positions (most lines, for the noise
lists) start no match at all. Two shared ways out, both worked out from the patterns' own parse
and both giving exactly the patterns' answers:

- ``guarded(pattern)``: the same pattern behind a lookahead for the characters a match can
  start with (``first_chars``), so the engine rejects every other position with one class
  test. Matches, groups and their positions are unchanged: a drop-in replacement.
- ``AnyOf(*patterns)``: the patterns' top-level alternatives, each tried only on texts that
  hold one of the characters every match of it holds (``needed_chars``), found with one scan
  in C, and one of the characters of each other part every match holds (``required_chars``);
  ``search(text)`` is whether any pattern matches anywhere.
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


def required_chars(pattern: re.Pattern[str]) -> list[frozenset[str]]:
    """Sets of characters of each of which every match of ``pattern`` holds at least one: one set
    for each part of the pattern every match goes through (``[扫掃]一[扫掃]`` gives {扫, 掃},
    {一} and {扫, 掃} again); empty when none can be told. ``needed_chars`` is the smallest."""
    if pattern.flags & re.IGNORECASE:
        return []
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
        return _required([parsed[index] for index in range(len(parsed))])
    except (re.error, TypeError, ValueError):  # a construct this reading does not know
        return []


def _required(items: list[Any]) -> list[frozenset[str]]:
    # Every item of a sequence is matched: the parts of a group, or of a repeat that must match
    # once, are parts of the sequence; any other item gives its one set, if it has one.
    found: list[frozenset[str]] = []
    for op, av in items:
        if op is sre_parse.SUBPATTERN:
            found += _required(list(av[-1]))
        elif op in _REPEATS and av[0] >= 1:
            found += _required(list(av[2]))
        elif op is getattr(sre_parse, "ATOMIC_GROUP", None):
            found += _required(list(av))
        else:
            chars = _item(op, av)
            if chars is not None:
                found.append(chars)
    return found


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
    the characters it needs; ``search(text)`` is whether any pattern matches somewhere.

    An alternative is found through the characters of its smallest set (``needed_chars``), and
    tried only when the text also holds a character of each of its other sets
    (``required_chars``): a common character such as 一 or 在 alone no longer sends a line
    through every phrase that holds it (``[扫掃]一[扫掃]``). A few membership tests in C cost
    less than one regex search."""

    def __init__(self, *patterns: re.Pattern[str]) -> None:
        self._always: list[re.Pattern[str]] = []
        self._alternatives: list[tuple[re.Pattern[str], tuple[tuple[str, ...], ...]]] = []
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
                # The other sets, each once, smallest first: the first missing ends the test.
                others = {tuple(sorted(found)) for found in required_chars(alternative)
                          if found != chars}
                self._alternatives.append((alternative, tuple(sorted(others, key=_smallest_first))))
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
                    pattern, others = self._alternatives[index]
                    if _holds_all(text, others) and pattern.search(text):
                        return True
        return False


def _smallest_first(chars: tuple[str, ...]) -> tuple[int, tuple[str, ...]]:
    return len(chars), chars


def _holds_all(text: str, sets: tuple[tuple[str, ...], ...]) -> bool:
    """Whether ``text`` holds a character of each of ``sets``."""
    for chars in sets:
        for char in chars:
            if char in text:
                break
        else:
            return False
    return True


def first_chars(pattern: re.Pattern[str]) -> str | None:
    """The members of a character class (``a-z\\s摄``) holding the first character of every
    match of ``pattern``, or None when that cannot be told (a match may start with any
    character, or be empty)."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
        found = _first_of([parsed[index] for index in range(len(parsed))])
    except (re.error, TypeError, ValueError):  # a construct this reading does not know
        return None
    if found is None or found[1]:
        return None
    return "".join(sorted(found[0]))


def guarded(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` behind a lookahead for the characters its matches start with; ``pattern``
    itself when they cannot be told."""
    members = first_chars(pattern)
    if members is None or _GLOBAL_FLAGS.match(pattern.pattern):
        return pattern  # (global inline flags must open a pattern: nothing may go before them)
    try:
        return re.compile(f"(?=[{members}])(?:{pattern.pattern})", pattern.flags)
    except re.error:  # pragma: no cover - a class this module built wrong
        return pattern


_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")
# (class members, whether the items can match the empty string), or None for "any character".
_First = tuple[set[str], bool]
_CATEGORIES = {
    sre_parse.CATEGORY_DIGIT: r"\d", sre_parse.CATEGORY_NOT_DIGIT: r"\D",
    sre_parse.CATEGORY_SPACE: r"\s", sre_parse.CATEGORY_NOT_SPACE: r"\S",
    sre_parse.CATEGORY_WORD: r"\w", sre_parse.CATEGORY_NOT_WORD: r"\W",
}


def _first_of(items: list[Any]) -> _First | None:
    members: set[str] = set()
    for op, av in items:
        found = _first_item(op, av)
        if found is None:
            return None
        members |= found[0]
        if not found[1]:
            return members, False
    return members, True  # every item can be empty


def _first_item(op: Any, av: Any) -> _First | None:
    if op is sre_parse.LITERAL:
        return {re.escape(chr(av))}, False
    if op is sre_parse.IN:
        members: set[str] = set()
        for kind, value in av:
            if kind is sre_parse.LITERAL:
                members.add(re.escape(chr(value)))
            elif kind is sre_parse.RANGE:
                members.add(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
            elif kind is sre_parse.CATEGORY and value in _CATEGORIES:
                members.add(_CATEGORIES[value])
            else:
                return None  # a negated class: nearly any character
        return members, False
    if op is sre_parse.BRANCH:
        union: set[str] = set()
        empty = False
        for alternative in av[1]:
            found = _first_of(list(alternative))
            if found is None:
                return None
            union |= found[0]
            empty = empty or found[1]
        return union, empty
    if op is sre_parse.SUBPATTERN:
        return _first_of(list(av[-1]))
    if op in _REPEATS:
        found = _first_of(list(av[2]))
        return None if found is None else (found[0], found[1] or av[0] == 0)
    if op is getattr(sre_parse, "ATOMIC_GROUP", None):
        return _first_of(list(av))
    if op in (sre_parse.AT, sre_parse.ASSERT, sre_parse.ASSERT_NOT):
        return set(), True  # zero-width: the match starts with what follows
    return None
