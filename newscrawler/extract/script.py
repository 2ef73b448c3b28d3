"""Which script a text is written in: Traditional (``zh-Hant``) or Simplified (``zh-Hans``).

OpenCC knows which characters differ between the scripts: a character that ``t2s`` changes is
Traditional-only, one that ``s2t`` changes is Simplified-only. The text itself is never converted.
"""

from __future__ import annotations

from functools import lru_cache

import opencc


@lru_cache(maxsize=2)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def _changed(text: str, config: str) -> int:
    converted = _converter(config).convert(text)
    if len(converted) != len(text):  # a phrase conversion changed length: compare per character
        return sum(_converter(config).convert(ch) != ch for ch in text)
    return sum(a != b for a, b in zip(text, converted))


def detect_script(text: str) -> str | None:
    """``zh-Hant``, ``zh-Hans``, or None when no character tells the scripts apart."""
    unique = "".join(sorted(set(text)))
    traditional = _changed(unique, "t2s")
    simplified = _changed(unique, "s2t")
    if traditional == simplified == 0:
        return None
    return "zh-Hant" if traditional > simplified else "zh-Hans"
