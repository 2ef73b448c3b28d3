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


# Per character: +1 Traditional-only, -1 Simplified-only, 0 shared. Filled lazily; a news site
# uses a few thousand distinct characters, so this stays small and saves OpenCC calls per page.
_CHAR_SCRIPT: dict[str, int] = {}


def _classify(chars: list[str]) -> None:
    # One OpenCC call per direction for all new characters, one per line so that phrase
    # conversion cannot merge them.
    joined = "\n".join(chars)
    to_simplified = _converter("t2s").convert(joined).split("\n")
    to_traditional = _converter("s2t").convert(joined).split("\n")
    if len(to_simplified) != len(chars) or len(to_traditional) != len(chars):
        to_simplified = [_converter("t2s").convert(ch) for ch in chars]
        to_traditional = [_converter("s2t").convert(ch) for ch in chars]
    for ch, simplified, traditional in zip(chars, to_simplified, to_traditional, strict=True):
        _CHAR_SCRIPT[ch] = (simplified != ch) - (traditional != ch)


def detect_script(text: str) -> str | None:
    """``zh-Hant``, ``zh-Hans``, or None when no character tells the scripts apart."""
    unique = set(text)
    unknown = [ch for ch in unique if ch not in _CHAR_SCRIPT and not ch.isascii()]
    if unknown:
        _classify(unknown)
    traditional = sum(1 for ch in unique if _CHAR_SCRIPT.get(ch, 0) > 0)
    simplified = sum(1 for ch in unique if _CHAR_SCRIPT.get(ch, 0) < 0)
    if traditional == simplified == 0:
        return None
    return "zh-Hant" if traditional > simplified else "zh-Hans"
