"""Which script a text is written in: Traditional (``zh-Hant``) or Simplified (``zh-Hans``).

OpenCC knows which characters differ between the scripts: a character that ``t2s`` changes is
Traditional-only, one that ``s2t`` changes is Simplified-only. The text itself is never converted;
``simplified`` gives a key to compare texts across scripts, never text for a record.
"""

from __future__ import annotations

from functools import lru_cache

import opencc


@lru_cache(maxsize=2)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def load_converters() -> None:
    """Build both OpenCC converters now (their dictionaries take tens of milliseconds to load):
    a crawl does it before forking its worker, which then starts with them."""
    for config in ("t2s", "s2t"):
        _converter(config)


# Characters classified so far, and those that are Traditional-only or Simplified-only. Filled
# lazily; a news site uses a few thousand distinct characters, so these stay small and save
# OpenCC calls per page, and a page's characters are counted with set operations.
# ASCII is neither script, known without asking OpenCC.
_CLASSIFIED: set[str] = {chr(point) for point in range(128)}
_TRADITIONAL: set[str] = set()
_SIMPLIFIED: set[str] = set()


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
        script = (simplified != ch) - (traditional != ch)
        _CLASSIFIED.add(ch)
        if script > 0:
            _TRADITIONAL.add(ch)
        elif script < 0:
            _SIMPLIFIED.add(ch)


def detect_script(*texts: str) -> str | None:
    """``zh-Hant``, ``zh-Hans``, or None when no character of the texts (taken together) tells
    the scripts apart."""
    # The texts' characters without joining them first; nearly all are classified already,
    # which the subset test answers without building the difference.
    unique = set().union(*texts)
    if not unique <= _CLASSIFIED:
        unknown = [ch for ch in unique - _CLASSIFIED if not ch.isascii()]
        if unknown:
            _classify(unknown)
    # Distinct characters of each script, counted in C.
    traditional = len(unique & _TRADITIONAL)
    simplified = len(unique & _SIMPLIFIED)
    if traditional == simplified == 0:
        return None
    return "zh-Hant" if traditional > simplified else "zh-Hans"


def simplified(text: str) -> str:
    """``text`` in Simplified characters: a comparison key for texts that may be in either script.
    Text without Traditional-only characters is returned as it is, so that OpenCC's phrase rules
    never make a Simplified text and a piece of it compare differently."""
    if text.isascii():
        return text
    unique = set(text)
    unknown = [ch for ch in unique - _CLASSIFIED if not ch.isascii()]
    if unknown:
        _classify(unknown)
    return _converter("t2s").convert(text) if unique & _TRADITIONAL else text
