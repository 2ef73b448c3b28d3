"""AnyOf answers exactly what the patterns it splits answer, on real lines and on made-up ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawler.extract.anyof import AnyOf, needed_chars, split_alternatives
from newscrawler.extract.noise import _BOILERPLATE, _LEGAL, _PROMPT, _PROVENANCE, _WIDGET
from newscrawler.extract.page import Page

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
