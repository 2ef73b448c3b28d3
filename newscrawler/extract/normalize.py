"""Text normalisation rules for extracted fields.

Each rule is a small function with one job so it can be tested on its own; ``clean_text`` chains
them in the order that matters (glosses are removed after whitespace is collapsed so that a gloss
split across a line break is still seen). None of these rules converts between Traditional and
Simplified script: text stays in the script it was published in.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Zero-width and invisible formatting characters that CMS editors paste into text.
_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
_ZERO_WIDTH = re.compile(f"[{_ZERO_WIDTH_CHARS}]")


# Han characters: CJK unified ideographs, extension A, compatibility, and the supplementary planes.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RE = re.compile(f"[{HAN}]")

# A pinyin syllable as glossed after a character: lowercase, with or without tone marks.
_GLOSS_LETTERS = "abcdefghijklmnopqrstuvwxyzāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêńňǹḿ"
# The shape of one toneless Mandarin syllable (initial + final, ü also written v), so that a
# lowercase romanised word such as 徐闻(xuwen) or 注册(app) is not mistaken for a gloss.
_TONELESS_SYLLABLE = (
    "(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    "(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|üan|van|ai|ei|ao|ou|an|en|er|in|un|ün|vn"
    "|ia|ie|iu|ua|uo|ui|ue|üe|ve|a|o|e|i|u|ü|v)"
    "|hng|hm|ng|m|n|ê"
)
_TONE_MARKS = re.compile("[\u0300\u0301\u0304\u030c]")


def _toned(pattern: str) -> str:
    """``pattern`` with each letter widened to the gloss letters that are that letter once their
    tone mark is dropped (``a`` → ``[aāáǎà]``, ``n`` → ``[nńňǹ]``, ``ü`` → ``[ǖǘǚǜü]``): it
    matches a toned word exactly when the pattern matches the word without its tone marks."""
    widened: dict[str, str] = {}
    for letter in _GLOSS_LETTERS:
        base = unicodedata.normalize(
            "NFC", _TONE_MARKS.sub("", unicodedata.normalize("NFD", letter)))
        widened[base] = widened.get(base, "") + letter
    out, in_class = [], False
    for ch in pattern:
        if ch in "[]":
            in_class = ch == "["
            out.append(ch)
        elif widened.get(ch, ch) != ch:
            out.append(widened[ch] if in_class else f"[{widened[ch]}]")
        else:
            out.append(ch)
    return "".join(out)


# A gloss: a syllable in brackets right after a Han character, or after one whitespace character
# after it; the whitespace goes with the gloss. Written to start with the character it consumes
# first (whitespace or bracket) and to look back from there, so that the regex engine skips
# straight to brackets and spaces, and with the syllable test in the pattern, so that no Python
# runs per gloss (a glossed portal's article has a hundred and more).
_PINYIN_GLOSS = re.compile(
    f"[\\s(（](?:(?<=[{HAN}]\\s)[(（]|(?<=[{HAN}][(（]))(?:{_toned(_TONELESS_SYLLABLE)})[)）]"
)


def nfc(text: str) -> str:
    """Compose characters (NFC), so that equal text compares equal and searches match."""
    return unicodedata.normalize("NFC", text)


def remove_zero_width(text: str) -> str:
    """Drop zero-width spaces, joiners, soft hyphens and stray byte-order marks."""
    # Nearly all text holds none: a search for each character (a memchr) is half the regex's time.
    for char in _ZERO_WIDTH_CHARS:
        if char in text:
            return _ZERO_WIDTH.sub("", text)
    return text


def collapse_whitespace(text: str) -> str:
    """Turn every run of whitespace (NBSP and U+3000 included) into one space and trim the ends.

    Whitespace is what ``str.isspace`` says it is: every Unicode space separator (NBSP, U+3000,
    U+2000–U+200A, U+202F, U+205F), line and paragraph separators, and the ASCII and C1 control
    whitespace. ``str.split`` splits on exactly those, in C, several times faster than a regex
    substitution. Full-width punctuation is not whitespace and is kept as published.
    """
    return " ".join(text.split())


def strip_pinyin_glosses(text: str) -> str:
    """Remove pinyin glosses written after Han characters: ``號(hào)`` becomes ``號``.

    Only a single lowercase pinyin syllable in brackets directly after a Han character counts, so
    ``湛江(Zhanjiang)``, ``徐闻(xuwen)`` or ``(2022)`` are left alone.
    """
    return _PINYIN_GLOSS.sub("", text)

def clean_text(text: str | None) -> str:
    """All text rules in order; ``None`` becomes the empty string."""
    if not text:
        return ""
    # Sidebars repeat the same short titles on every page of a crawl: clean each once.
    return clean_short(text) if len(text) <= CACHED_LENGTH else _clean(text)


def _clean(text: str) -> str:
    text = collapse_whitespace(remove_zero_width(nfc(text)))
    # Glosses need brackets: most text has none, and skips the regex.
    return strip_pinyin_glosses(text) if "(" in text or "（" in text else text


CACHED_LENGTH = 200
# ``clean_text`` of a non-empty text up to ``CACHED_LENGTH`` long, for loops over list items.
clean_short = lru_cache(maxsize=8192)(_clean)


def has_han(text: str) -> bool:
    """True when the text contains at least one Han character."""
    return bool(_HAN_RE.search(text))


def han_count(text: str) -> int:
    """How many Han characters the text holds."""
    return len(_HAN_RE.findall(text))
