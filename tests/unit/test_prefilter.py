"""AnyOf and guarded patterns answer exactly what the patterns they stand for answer, on real
lines and on made-up ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawler.extract import byline, roles
from newscrawler.extract.noise import _BOILERPLATE, _LEGAL, _PROMPT, _PROVENANCE, _WIDGET
from newscrawler.extract.page import Page
from newscrawler.extract.prefilter import (
    AnyOf,
    first_chars,
    guarded,
    needed_chars,
    split_alternatives,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PATTERNS = (_PROMPT, _LEGAL, _BOILERPLATE, _PROVENANCE, _WIDGET)
COMBINED = AnyOf(*PATTERNS)


def _plain(text: str) -> bool:
    return any(pattern.search(text) for pattern in PATTERNS)


def _fixture_lines() -> list[str]:
    lines: list[str] = []
    for path in sorted(FIXTURES.glob("*/**/*.html")):
        root = Page(path.read_text(encoding="utf-8", errors="replace"), "").root
        lines += [text.strip() for text in root.itertext() if text.strip()]
    return lines


def test_same_answer_on_every_line_of_the_fixtures() -> None:
    lines = _fixture_lines()
    assert len(lines) > 1000
    answers = [COMBINED.search(line) for line in lines]
    assert answers == [_plain(line) for line in lines]
    assert any(answers) and not all(answers)  # both answers occur


# Text made of the patterns' own characters, so that phrases and near-misses come up often.
_ALPHABET = "".join(sorted({c for p in PATTERNS for c in p.pattern if ord(c) > 0x7F})) + "码1:：/ |()（）@.本文"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=30))
def test_same_answer_on_made_up_text(text: str) -> None:
    assert COMBINED.search(text) == _plain(text)


@pytest.mark.parametrize(
    ("source", "parts"),
    [
        ("a|b(c|d)", ["a", "b(c|d)"]),
        (r"[|]|\||x", ["[|]", r"\|", "x"]),
        ("[]|]a|b", ["[]|]a", "b"]),
        ("[^]|]a|(?:x|y)z", ["[^]|]a", "(?:x|y)z"]),
        ("single", ["single"]),
    ],
)
def test_split_alternatives(source: str, parts: list[str]) -> None:
    assert split_alternatives(source) == parts
    assert "|".join(parts) == source


@pytest.mark.parametrize(
    ("source", "chars"),
    [
        ("版权所有", {"版"}),  # any one character of a sequence does
        ("[扫掃]一[扫掃]", {"一"}),
        ("(?:微信|QQ)群", {"群"}),
        ("(?:微信|QQ)+", {"微", "Q"}),
        ("[点點]?击", {"击"}),
        ("^【?(?:[编編]者按)?】?$", None),  # matches the empty line
        (r"\d+人", {"人"}),
        (r"\S{0,8}$", None),
        ("(?<=记者)张", {"张"}),
        ("(?=记者)", None),
    ],
)
def test_needed_chars(source: str, chars: set[str] | None) -> None:
    found = needed_chars(re.compile(source))
    assert (set(found) if found is not None else None) == chars


def test_case_insensitive_patterns_are_always_tried() -> None:
    pattern = re.compile("copyright", re.IGNORECASE)
    assert needed_chars(pattern) is None
    assert AnyOf(pattern).search("COPYRIGHT 2024")


# --- guarded: the same matches behind a lookahead for their first characters -----------------

_GUARD = re.compile(r"\(\?=\[(?:\\.|[^\]\\])*\]\)\(\?:(?P<inner>.*)\)", re.DOTALL)


def _unguarded(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern ``guarded`` was given, read back out of the guarded one."""
    match = _GUARD.fullmatch(pattern.pattern)
    assert match, f"not guarded: {pattern.pattern[:40]}"
    return re.compile(match.group("inner"), pattern.flags)


GUARDED = {
    "PREFIX_PATTERN": roles.PREFIX_PATTERN,
    **{name: getattr(byline, name) for name in ("_NAME_SPLIT", "_FILLER", "_COMPILED_FROM")},
}
_BYLINE_ALPHABET = "".join(
    sorted({c for p in GUARDED.values() for c in p.pattern if ord(c) > 0x7F} | set(" \n:：/、,摄文张三李四等"))
)


def _matches(pattern: re.Pattern[str], text: str) -> list[tuple[object, ...]]:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


def test_byline_patterns_match_as_before_on_every_fixture_line() -> None:
    lines = _fixture_lines()
    for pattern in GUARDED.values():
        plain = _unguarded(pattern)
        assert [_matches(pattern, line) for line in lines] == [_matches(plain, line) for line in lines]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_BYLINE_ALPHABET, max_size=24))
def test_byline_patterns_match_as_before_on_made_up_text(text: str) -> None:
    for pattern in GUARDED.values():
        assert _matches(pattern, text) == _matches(_unguarded(pattern), text)


@pytest.mark.parametrize(
    ("source", "members"),
    [
        ("记者|编辑", "编记"),
        (r"\s*摄", r"\s摄"),
        ("(?<=^)文|[a-c]x", "a-c文"),
        ("(?P<role>记者)?张", "张记"),
        ("x?", None),  # may be empty
        ("[^a]b", None),  # starts with nearly anything
        (".b", None),
    ],
)
def test_first_chars(source: str, members: str | None) -> None:
    assert first_chars(re.compile(source)) == members


def test_patterns_that_cannot_be_guarded_are_returned_as_they_are() -> None:
    for pattern in (re.compile("x?"), re.compile("(?i)copyright"), re.compile(".b")):
        assert guarded(pattern) is pattern
    assert guarded(re.compile("(?P<a>记者)")).pattern == "(?=[记])(?:(?P<a>记者))"
