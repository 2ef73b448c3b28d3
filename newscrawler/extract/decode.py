"""Decode page bytes to text, trusting declarations only as far as the bytes agree.

Order: a byte-order mark (as browsers do: it cannot be there by accident), then the HTTP
``Content-Type`` charset, then the page's ``<meta>`` declaration, then the ``encoding`` of a
crawl-corpus wrapper (``<text id="URL" title="…" encoding="gb2312">``, whose records often lost
their ``<head>``), then UTF-8 when every byte reads as UTF-8 (multi-byte text in another charset
almost never does, while a detector can mistake short UTF-8 text for a legacy code page), then
statistical detection (charset-normalizer), then GB18030 as the last resort. ``charset``
attributes of ``<script>`` tags name the script file's charset, not the page's, and are ignored. Each
candidate must decode the whole body strictly: a GBK page that declares UTF-8 fails the UTF-8 try
and falls through to a label that works, with a warning recorded. Labels are read as browsers
read them (w3lib's ``resolve_encoding``): ``latin1`` is windows-1252, and GB2312 and GBK labels
are read as GB18030, their superset, as the Encoding Standard's GBK decoder reads them. A body cut
in the middle of its last character (a truncated download) is read with the codec that reads
everything before the cut; the broken tail is dropped and reported as ``charset_truncated``, and so are the broken
first bytes of a body that starts in the middle of a character (a download resumed at an offset).
Nothing here replaces bytes unless no encoding at all can read them: then the bytes the declared
codec (else UTF-8) cannot read are dropped and counted (``charset_invalid_bytes``), since a record
never holds U+FFFD.

A UTF-16 or UTF-32 label without a byte-order mark is only believed when the text it gives has
HTML markup in it: ASCII-compatible bytes "decode" as UTF-16 into CJK-looking nonsense, and an odd
length fails outright. Control characters other than whitespace, U+FFFD and numeric references to
no character, which no page means to show and the parser would turn into U+FFFD, are removed
(``control_chars:removed=N``), and a page nested deeper than the HTML parser follows, whose tail
the parser would drop, is reported (``html_too_deep``).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from charset_normalizer import from_bytes
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

from .page import MAX_DEPTH, Page, depth_check


@dataclass(frozen=True)
class Decoded:
    """The page text, the codec that read it, and what went wrong on the way."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = field(default=())
    # The UTF-8 bytes of ``text`` when the body already is them (a UTF-8 page left unchanged), so
    # the parser reads them without encoding the text again; None otherwise.
    utf8: bytes | None = field(default=None, compare=False, repr=False)
    # The document tree of ``text`` when the depth check had to parse it (a page of many tags),
    # for ``Page`` to take instead of parsing it again; None otherwise.
    parsed: Any = field(default=None, compare=False, repr=False)


_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?([^\s;\"']+)", re.IGNORECASE)
# The record wrapper of research crawl corpora, opening the file: <text id="URL" encoding="gb2312">.
_WRAPPER_ENCODING = re.compile(
    rb"^\s*<text\b[^>]*?\sencoding\s*=\s*[\"']?([A-Za-z0-9_-]+)", re.IGNORECASE
)


def _declarations(body: bytes, content_type: str | None) -> Iterator[tuple[str, str]]:
    declared = http_content_type_encoding(content_type) if content_type else None
    if declared:
        yield "header", declared
    elif content_type and (raw := _CHARSET_PARAM.search(content_type)):
        yield "header", raw.group(1)  # a label w3lib does not know: reported as unknown
    meta = html_body_declared_encoding(body)
    if meta:
        yield "meta", meta
    wrapper = _WRAPPER_ENCODING.match(body[:1024])
    if wrapper:
        yield "wrapper", wrapper.group(1).decode("ascii")


class _Declarations:
    """A page's declarations in order of trust (``_declarations``), each read when first asked
    for and kept: a page whose header names a codec that reads it never has its ``<meta>``
    scanned, which is most of what deciding on a codec costs."""

    def __init__(self, body: bytes, content_type: str | None) -> None:
        self._source = _declarations(body, content_type)
        self._read: list[tuple[str, str]] = []

    def __iter__(self) -> Iterator[tuple[str, str]]:
        index = 0
        while True:
            if index == len(self._read):
                found = next(self._source, None)
                if found is None:
                    return
                self._read.append(found)
            yield self._read[index]
            index += 1


def _candidates(body: bytes, declarations: _Declarations) -> Iterator[tuple[str, str]]:
    """(origin, codec name) pairs in the order we trust them."""
    bom, _ = read_bom(body)
    if bom:
        yield "bom", bom
    yield from declarations
    yield "utf-8", "utf-8"
    # Plain ASCII reads the same in every candidate; detection would only name cp1252.
    best = from_bytes(body[:65536]).best() if body and not body.isascii() else None
    if best is not None:
        yield "detected", best.encoding
    yield "fallback", "gb18030"


# Python codecs narrower than the Encoding Standard's decoder of the same name, and the codec
# that reads as that decoder does. The standard's GBK decoder is gb18030's (every GB2312 and GBK
# label names it), while Python's gbk codec refuses GB18030's four-byte sequences and 0x80 (€).
_WIDER_CODEC = {"gbk": "gb18030"}


@lru_cache(maxsize=64)
def _codec(label: str) -> str | None:
    """The Python codec that reads what ``label`` names, as browsers read it; None for a label
    that names no encoding, or one no Python codec reads (the standard's ``replacement``)."""
    name = resolve_encoding(label)
    if name is None:
        return None
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return None
    return _WIDER_CODEC.get(name, name)


def decode_html(body: bytes, content_type: str | None = None, *, parse: bool = False) -> Decoded:
    """Decode an HTML body; ``content_type`` is the HTTP header value, when there was one.

    ``parse``: the caller parses the text next (``Page``): the tree is then parsed here, once,
    for the depth check, and handed over as ``Decoded.parsed`` (None for a blank page, or when
    the parser gives no tree)."""
    fast = _declared_utf8(body, content_type, parse)
    return fast if fast is not None else _decode_general(body, content_type, parse)


def decode_page(body: bytes, content_type: str | None, url: str) -> tuple[Decoded, Page]:
    """The body decoded (``decode_html``) and its ``Page``, parsed once: the tree the depth check
    parses is the page's, and the UTF-8 bytes the body already is are what the parser reads."""
    decoded = decode_html(body, content_type, parse=True)
    return decoded, Page(decoded.text, url, utf8=decoded.utf8, parsed=decoded.parsed)


def _decode_general(body: bytes, content_type: str | None, parse: bool = False) -> Decoded:
    """``decode_html`` for every page: the candidates in order of trust, each checked."""
    warnings: list[str] = []
    declarations = _Declarations(body, content_type)
    declared = next((c for _, label in declarations if (c := _codec(label))), None)
    tried: dict[str, None] = {}  # in the order tried, which is the order of trust
    for origin, label in _candidates(body, declarations):
        codec = _codec(label)
        if codec is None:
            warnings.append(f"charset_unknown:{origin}={label}")
            continue
        if codec in tried:
            continue
        tried[codec] = None
        # UnicodeError, not only UnicodeDecodeError: the UTF-16 codec raises the former for a
        # body of odd length that starts without a byte-order mark.
        whole = True
        try:
            text = body.decode(codec)
        except UnicodeError:
            whole = False
            # Only the last character cut short: everything before it reads in this codec.
            try:
                text = codecs.getincrementaldecoder(codec)().decode(body, final=False)
            except UnicodeError:
                continue
        if origin != "bom" and codec.startswith(("utf-16", "utf-32")) and "<" not in text:
            continue  # a wide-character label on bytes that are not wide characters
        if not whole:
            warnings.append(f"charset_truncated:decoded={codec}")
        if declared is not None and codec != declared:
            warnings.append(f"charset_mismatch:declared={declared},decoded={codec}")
        elif declared is None and origin in ("utf-8", "detected", "fallback"):
            warnings.append(f"charset_undeclared:decoded={codec}")
        utf8 = None
        if codec == "utf-8" and whole:
            # The text is exactly these bytes read as UTF-8 (the byte-order mark aside).
            utf8 = body[3:] if text.startswith("\ufeff") else body
        return _checked(_strip_bom(text), codec, warnings, utf8, parse)
    # A body that starts in the middle of a character (a download resumed at an offset): the
    # first codec, in the order of trust, that reads all after its first few bytes.
    for skip in range(1, 4):
        for codec in tried:
            if codec.startswith(("utf-16", "utf-32")):
                continue  # a skipped byte shifts every character: nonsense that decodes
            try:
                text = codecs.getincrementaldecoder(codec)().decode(body[skip:], final=False)
            except UnicodeError:
                continue
            warnings.append(f"charset_truncated:decoded={codec},skipped={skip}")
            if declared is not None and codec != declared:
                warnings.append(f"charset_mismatch:declared={declared},decoded={codec}")
            return _checked(_strip_bom(text), codec, warnings, parse=parse)
    # No codec reads every byte (a corrupt page): the declared codec, else UTF-8, reads it; the
    # bytes it cannot read are left out and counted, since a record holds no U+FFFD (it would be
    # a character no page showed).
    codec = declared if declared and not declared.startswith(("utf-16", "utf-32")) else "utf-8"
    text = body.decode(codec, errors="replace")
    warnings.append(f"charset_invalid_bytes:decoded={codec},dropped={text.count(chr(0xFFFD))}")
    return _checked(_strip_bom(text.replace("\ufffd", "")), codec, warnings, parse=parse)


def _declared_utf8(body: bytes, content_type: str | None, parse: bool = False) -> Decoded | None:
    """The common case, decided without the general search's generators: a page without a
    byte-order mark whose first declaration (the header's charset, else its ``<meta>``) names
    UTF-8 and whose bytes all read as UTF-8. ``decode_html`` would try that declaration first and
    keep it, with no warning; None for every other page, which takes the general search."""
    if read_bom(body)[0]:
        return None
    label = http_content_type_encoding(content_type) if content_type else None
    if label is None:
        if content_type and _CHARSET_PARAM.search(content_type):
            return None  # a label w3lib does not know: warned about on the general path
        label = html_body_declared_encoding(body)
    if label is None or _codec(label) != "utf-8":
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return _checked(text, "utf-8", [], body, parse)


# What no page means to show and libxml2 would mangle without a word: C0 controls other than
# whitespace (they become U+FFFD in text, and attribute names lxml then refuses to read),
# noncharacters, and numeric references to a control or to no character (&#0;, &#xD800;).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")
_REPLACEMENT = "\ufffd"


def _bad_reference(match: re.Match[str]) -> str:
    hex_digits, decimal = match.groups()
    point = int(hex_digits, 16) if hex_digits else int(decimal)
    if point > 0x10FFFF or 0xD800 <= point <= 0xDFFF or point == 0xFFFD or _CONTROL.match(chr(point)):
        return _REPLACEMENT  # counted and removed with the others below
    return match.group(0)


# The C0 controls ``_CONTROL`` names, as the bytes that encode them in UTF-8.
_CONTROL_BYTES = (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20))


def _may_hold_controls(text: str, utf8: bytes | None = None) -> bool:
    """False when ``text`` holds nothing ``_CONTROL`` matches, found in C on its UTF-8 bytes (a
    C0 control is one byte there, and no byte of another character is below 0x20); nearly every
    page holds none. ``utf8``: those bytes when the caller has them (encoding the text again
    costs as much as the test). One ``memchr`` per control byte (an int in bytes) costs less
    than one pass through ``bytes.translate``, which handles every byte in turn."""
    encoded = text.encode("utf-8", "surrogatepass") if utf8 is None else utf8
    for byte in _CONTROL_BYTES:
        if byte in encoded:
            return True
    # U+FFFE and U+FFFF are single characters of the text: a one-character search is a memchr.
    return "\ufffe" in text or "\uffff" in text


# Past this many ampersands without a reference, one scan for "&#" is cheaper than hopping.
_AMPERSAND_HOPS = 32


def _has_numeric_reference(text: str) -> bool:
    """``"&#" in text``, found by hopping between ampersands (each a memchr) rather than a
    two-character scan of the whole text, which costs several times more on a page with few."""
    index = text.find("&")
    for _ in range(_AMPERSAND_HOPS):
        if index < 0:
            return False
        if text.startswith("#", index + 1):
            return True
        index = text.find("&", index + 1)
    return index >= 0 and "&#" in text[index:]


def _checked(text: str, codec: str, warnings: list[str], utf8: bytes | None = None,
             parse: bool = False) -> Decoded:
    """The decoded text without what the HTML parser would silently mangle, reported.

    ``utf8``: the UTF-8 bytes of ``text``, when known; kept on the result while the text is
    left as it is. ``parse``: as for ``decode_html``."""
    # Form feed and vertical tab separate words like spaces do.
    if "\x0b" in text or "\x0c" in text:
        text = text.replace("\x0b", " ").replace("\x0c", " ")
        utf8 = None
    controls = len(_CONTROL.findall(text)) if _may_hold_controls(text, utf8) else 0
    if controls:
        text = _CONTROL.sub("", text)
    if _has_numeric_reference(text):
        # A reference to a proper character is left as it is; a bad one becomes U+FFFD, below.
        text = _REFERENCE.sub(_bad_reference, text)
    if controls or _REPLACEMENT in text:
        # U+FFFD is a decoding error upstream (or a reference to nothing): a record holds none.
        removed = controls + text.count(_REPLACEMENT)
        text = text.replace(_REPLACEMENT, "")
        warnings.append(f"control_chars:removed={removed}")
        utf8 = None
    deep, parsed = depth_check(text, utf8, parse=parse)
    if deep:
        warnings.append(f"html_too_deep:depth>{MAX_DEPTH}")
    return Decoded(text, codec, tuple(warnings), utf8, parsed)


def _strip_bom(text: str) -> str:
    return text.removeprefix("\ufeff")
