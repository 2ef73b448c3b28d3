"""Which script a text is written in: Traditional (``zh-Hant``) or Simplified (``zh-Hans``).

OpenCC knows which characters differ between the scripts: a character that ``t2s`` changes is
Traditional-only, one that ``s2t`` changes is Simplified-only. The text itself is never converted;
``simplified`` gives a key to compare texts across scripts, never text for a record.
"""

from __future__ import annotations

import re
from functools import lru_cache

import opencc


@lru_cache(maxsize=2)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def load_converters() -> None:
    """Build both OpenCC converters and the table of every BMP character's script now (the
    dictionaries take tens of milliseconds to load, the table as long again): a crawl does it
    before forking its worker, which then starts with them."""
    for config in ("t2s", "s2t"):
        _converter(config)
    _script_patterns()


# Characters classified one by one as they are met: ASCII (neither script, known without asking
# OpenCC) and the characters the table below leaves out. Traditional-only and Simplified-only
# characters, whether classified with the table or one by one.
_CLASSIFIED: set[str] = {chr(point) for point in range(128)}
_TRADITIONAL: set[str] = set()
_SIMPLIFIED: set[str] = set()
# What the table leaves to classification when met: surrogates (no page text holds one) and the
# planes past the BMP (CJK extension B and after, where a few characters have a variant in the
# other script). As a character class, added to the Traditional pattern so that a page's search
# finds them too.
_UNTABLED = "\ud800-\udfff\U00010000-\U0010ffff"
_patterns: tuple[re.Pattern[str], re.Pattern[str]] | None = None


def _untabled(ch: str) -> bool:
    return ch > "\uffff" or "\ud800" <= ch <= "\udfff"


def _script_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(Traditional-only characters and the untabled ones, Simplified-only characters), each a
    regex character class: built once, from every BMP character classified in two OpenCC calls.

    A page's texts are then searched for them in C: the set of a text's characters, which the
    detection took before, allocated a string per CJK character and asked OpenCC about every
    character not yet met, a cost per page that the table pays once per process."""
    global _patterns
    if _patterns is None:
        _classify([chr(point) for point in range(128, 0x10000) if not 0xD800 <= point <= 0xDFFF],
                  remember=False)
        traditional = "".join(sorted(ch for ch in _TRADITIONAL if not _untabled(ch)))
        simplified = "".join(sorted(ch for ch in _SIMPLIFIED if not _untabled(ch)))
        # Every character of the classes is a CJK ideograph or other non-ASCII letter: none is
        # special inside brackets, but escaping costs nothing once.
        _patterns = (re.compile(f"[{re.escape(traditional)}{_UNTABLED}]"),
                     re.compile(f"[{re.escape(simplified)}]"))
    return _patterns


def _classify(chars: list[str], *, remember: bool = True) -> None:
    # One OpenCC call per direction for all new characters, one per line so that phrase
    # conversion cannot merge them. ``remember``: note them as classified one by one (the
    # table's characters are known to be classified without a set of 63,000 strings).
    joined = "\n".join(chars)
    to_simplified = _converter("t2s").convert(joined).split("\n")
    to_traditional = _converter("s2t").convert(joined).split("\n")
    if len(to_simplified) != len(chars) or len(to_traditional) != len(chars):
        to_simplified = [_converter("t2s").convert(ch) for ch in chars]
        to_traditional = [_converter("s2t").convert(ch) for ch in chars]
    for ch, simplified, traditional in zip(chars, to_simplified, to_traditional, strict=True):
        script = (simplified != ch) - (traditional != ch)
        if remember:
            _CLASSIFIED.add(ch)
        if script > 0:
            _TRADITIONAL.add(ch)
        elif script < 0:
            _SIMPLIFIED.add(ch)


def detect_script(*texts: str) -> str | None:
    """``zh-Hant``, ``zh-Hans``, or None when no character of the texts (taken together) tells
    the scripts apart: the script with more distinct characters of its own, Simplified on a tie."""
    traditional_pattern, simplified_pattern = _script_patterns()
    # Traditional-only characters are few on a Simplified page (the common case): collected
    # whole. With them come the characters the table left out, classified now.
    found: set[str] = set()
    for text in texts:
        found.update(traditional_pattern.findall(text))
    # The characters the table left out sort after the rest (surrogates and the planes past the
    # BMP): one comparison in C tells whether there are any, instead of a call per character.
    if found and max(found) >= "\ud800":
        unknown = [ch for ch in found if _untabled(ch) and ch not in _CLASSIFIED]
        if unknown:
            _classify(unknown)
    traditional = len(found & _TRADITIONAL)
    # Simplified-only characters are counted only as far as the answer needs: to the first one
    # when there is no Traditional one, else to as many as there are Traditional ones.
    simplified = found & _SIMPLIFIED  # the untabled ones
    if len(simplified) >= traditional > 0:
        return "zh-Hans"
    for text in texts:
        for match in simplified_pattern.finditer(text):
            simplified.add(match.group())
            if len(simplified) >= traditional:
                return "zh-Hans"
    if traditional == 0:
        return "zh-Hans" if simplified else None
    return "zh-Hant"


def simplified(text: str) -> str:
    """``text`` in Simplified characters: a comparison key for texts that may be in either script.
    Text without Traditional-only characters is returned as it is, so that OpenCC's phrase rules
    never make a Simplified text and a piece of it compare differently."""
    if text.isascii():
        return text
    _script_patterns()
    unique = set(text)
    unknown = [ch for ch in unique - _CLASSIFIED if _untabled(ch)]
    if unknown:
        _classify(unknown)
    return _converter("t2s").convert(text) if unique & _TRADITIONAL else text
