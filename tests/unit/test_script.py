"""Script detection through the table of every BMP character gives what classifying each
character with OpenCC gives: the table itself, ``detect_script`` and ``simplified``."""

from __future__ import annotations

from functools import cache, lru_cache

import opencc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from newscrawler.extract import script
from newscrawler.extract.script import detect_script, simplified


@lru_cache(maxsize=2)
def _opencc(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


@cache
def _script_of(ch: str) -> int:
    """+1 Traditional-only, -1 Simplified-only, 0 neither: OpenCC asked about this one character."""
    if ch.isascii():
        return 0
    return (_opencc("t2s").convert(ch) != ch) - (_opencc("s2t").convert(ch) != ch)


def _reference(*texts: str) -> str | None:
    # Distinct characters of each script; the script with more, Simplified on a tie.
    unique = set().union(*texts)
    traditional = sum(1 for ch in unique if _script_of(ch) > 0)
    simple = sum(1 for ch in unique if _script_of(ch) < 0)
    if traditional == simple == 0:
        return None
    return "zh-Hant" if traditional > simple else "zh-Hans"


def test_table_classifies_every_bmp_character_as_opencc_does() -> None:
    script.load_converters()
    for point in range(128, 0x10000):
        if 0xD800 <= point <= 0xDFFF:
            continue
        ch = chr(point)
        assert (ch in script._TRADITIONAL) - (ch in script._SIMPLIFIED) == _script_of(ch), hex(point)


# Traditional-only, Simplified-only and neutral characters, in and past the BMP.
TRADITIONAL = "記陳報導聞奮進衛縣創這個說們時國會\U0002005e\U00020325"
SIMPLIFIED = "记陈报导闻奋进卫县创这个说们时国会\U0002003e\U000201b2"
NEUTRAL = "徐文明城市生湛江，。「」 a1\n\u3000𠀀\U0002a6d6€"


@pytest.mark.parametrize("texts", [
    (), ("",), ("plain ASCII",), ("徐闻奋力推进文明城市卫生县城创建",), ("徐聞奮力推進文明城市衛生縣城創建",),
    ("記者", "记者"), ("記", "记者陈"), ("記者陳", "记"), ("\U0002005e",), ("\U0002003e", "記"),
    ("\U0002003e", "記", "陳"), ("湛江", "市"), ("记者", "", "記者"),
])
def test_detect_script_cases(texts: tuple[str, ...]) -> None:
    assert detect_script(*texts) == _reference(*texts)


@given(st.lists(st.text(alphabet=TRADITIONAL + SIMPLIFIED + NEUTRAL, max_size=30), max_size=5))
def test_detect_script_equals_opencc_per_character(texts: list[str]) -> None:
    assert detect_script(*texts) == _reference(*texts)


@given(st.lists(st.text(max_size=20), max_size=4))
def test_detect_script_on_any_text(texts: list[str]) -> None:
    texts = [t for t in texts if not any(0xD800 <= ord(ch) <= 0xDFFF for ch in t)]
    assert detect_script(*texts) == _reference(*texts)


@given(st.text(alphabet=TRADITIONAL + SIMPLIFIED + NEUTRAL, max_size=30))
def test_simplified_key(text: str) -> None:
    traditional = any(_script_of(ch) > 0 for ch in text)
    assert simplified(text) == (_opencc("t2s").convert(text) if traditional else text)
