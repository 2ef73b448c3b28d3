"""Decode page bytes to text, trusting declarations only as far as the bytes agree.

Order: a byte-order mark (as browsers do: it cannot be there by accident), then the HTTP
``Content-Type`` charset, then the page's ``<meta>`` declaration, then statistical detection
(charset-normalizer), then UTF-8 and GB18030 as last resorts. Each
candidate must decode the whole body strictly: a GBK page that declares UTF-8 fails the UTF-8 try
and falls through to a label that works, with a warning recorded. GB2312 and GBK labels are read as
GB18030, their superset (w3lib's ``resolve_encoding`` does the mapping). Nothing here replaces bytes
with U+FFFD unless no encoding at all can read them, and that case is reported too. A body cut in
the middle of its last character (a truncated download) is read with the codec that reads
everything before the cut; the broken tail is dropped and reported as ``charset_truncated``.

A UTF-16 or UTF-32 label without a byte-order mark is only believed when the text it gives has
HTML markup in it: ASCII-compatible bytes "decode" as UTF-16 into CJK-looking nonsense, and an odd
length fails outright. NUL bytes, which no HTML page means to contain, are removed
(``control_nul:removed=N``), and a page nested deeper than the HTML parser follows, whose tail
the parser would drop, is reported (``html_too_deep``).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from charset_normalizer import from_bytes
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

from .page import MAX_DEPTH, too_deep


@dataclass(frozen=True)
class Decoded:
    """The page text, the codec that read it, and what went wrong on the way."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = field(default=())


_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?([^\s;\"']+)", re.IGNORECASE)


def _declarations(body: bytes, content_type: str | None) -> Iterator[tuple[str, str]]:
    declared = http_content_type_encoding(content_type) if content_type else None
    if declared:
        yield "header", declared
    elif content_type and (raw := _CHARSET_PARAM.search(content_type)):
        yield "header", raw.group(1)  # a label w3lib does not know: reported as unknown
    meta = html_body_declared_encoding(body)
    if meta:
        yield "meta", meta


def _candidates(body: bytes, content_type: str | None) -> Iterator[tuple[str, str]]:
    """(origin, codec name) pairs in the order we trust them."""
    bom, _ = read_bom(body)
    if bom:
        yield "bom", bom
    yield from _declarations(body, content_type)
    # Plain ASCII reads the same in every candidate; detection would only name cp1252.
    best = from_bytes(body[:65536]).best() if body and not body.isascii() else None
    if best is not None:
        yield "detected", best.encoding
    yield "fallback", "utf-8"
    yield "fallback", "gb18030"


def _codec(label: str) -> str | None:
    name = resolve_encoding(label)
    if name is None:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(body: bytes, content_type: str | None = None) -> Decoded:
    """Decode an HTML body; ``content_type`` is the HTTP header value, when there was one."""
    warnings: list[str] = []
    declared = next(
        (c for _, label in _declarations(body, content_type) if (c := _codec(label))), None
    )
    tried: set[str] = set()
    for origin, label in _candidates(body, content_type):
        codec = _codec(label)
        if codec is None:
            warnings.append(f"charset_unknown:{origin}={label}")
            continue
        if codec in tried:
            continue
        tried.add(codec)
        # UnicodeError, not only UnicodeDecodeError: the UTF-16 codec raises the former for a
        # body of odd length that starts without a byte-order mark.
        try:
            text = body.decode(codec)
        except UnicodeError:
            # Only the last character cut short: everything before it reads in this codec.
            try:
                text = codecs.getincrementaldecoder(codec)().decode(body, final=False)
            except UnicodeError:
                continue
            warnings.append(f"charset_truncated:decoded={codec}")
        if origin != "bom" and codec.startswith(("utf-16", "utf-32")) and "<" not in text:
            continue  # a wide-character label on bytes that are not wide characters
        if declared is not None and codec != declared:
            warnings.append(f"charset_mismatch:declared={declared},decoded={codec}")
        elif declared is None and origin in ("detected", "fallback"):
            warnings.append(f"charset_undeclared:decoded={codec}")
        return _checked(_strip_bom(text), codec, warnings)
    # No codec reads every byte (a truncated or corrupt page): keep what can be read.
    codec = declared if declared and not declared.startswith(("utf-16", "utf-32")) else "utf-8"
    warnings.append(f"charset_invalid_bytes:decoded={codec}")
    return _checked(_strip_bom(body.decode(codec, errors="replace")), codec, warnings)


def _checked(text: str, codec: str, warnings: list[str]) -> Decoded:
    """The decoded text with what the HTML parser would silently mangle reported."""
    nuls = text.count("\x00")
    if nuls:
        # libxml2 turns each NUL into U+FFFD in the middle of the text; they carry nothing.
        text = text.replace("\x00", "")
        warnings.append(f"control_nul:removed={nuls}")
    if too_deep(text):
        warnings.append(f"html_too_deep:depth>{MAX_DEPTH}")
    return Decoded(text, codec, tuple(warnings))


def _strip_bom(text: str) -> str:
    return text.removeprefix("\ufeff")
