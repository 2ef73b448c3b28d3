"""Decode page bytes to text, trusting declarations only as far as the bytes agree.

Order: the HTTP ``Content-Type`` charset, then the page's ``<meta>`` declaration, then a byte-order
mark, then statistical detection (charset-normalizer), then UTF-8 and GB18030 as last resorts. Each
candidate must decode the whole body strictly: a GBK page that declares UTF-8 fails the UTF-8 try
and falls through to a label that works, with a warning recorded. GB2312 and GBK labels are read as
GB18030, their superset (w3lib's ``resolve_encoding`` does the mapping). Nothing here replaces bytes
with U+FFFD unless no encoding at all can read them, and that case is reported too.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass, field

from charset_normalizer import from_bytes
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)


@dataclass(frozen=True)
class Decoded:
    """The page text, the codec that read it, and what went wrong on the way."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = field(default=())


def _candidates(body: bytes, content_type: str | None) -> Iterator[tuple[str, str]]:
    """(origin, codec name) pairs in the order we trust them."""
    declared = http_content_type_encoding(content_type) if content_type else None
    if declared:
        yield "header", declared
    meta = html_body_declared_encoding(body)
    if meta:
        yield "meta", meta
    bom, _ = read_bom(body)
    if bom:
        yield "bom", bom
    best = from_bytes(body[:65536]).best() if body else None
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
    declared: str | None = None
    tried: set[str] = set()
    for origin, label in _candidates(body, content_type):
        codec = _codec(label)
        if codec is None:
            warnings.append(f"charset_unknown:{origin}={label}")
            continue
        if origin in ("header", "meta") and declared is None:
            declared = codec
        if codec in tried:
            continue
        tried.add(codec)
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue
        if declared is not None and codec != declared:
            warnings.append(f"charset_mismatch:declared={declared},decoded={codec}")
        elif declared is None and origin in ("detected", "fallback"):
            warnings.append(f"charset_undeclared:decoded={codec}")
        return Decoded(_strip_bom(text), codec, tuple(warnings))
    # No codec reads every byte (a truncated or corrupt page): keep what can be read.
    codec = declared or "utf-8"
    warnings.append(f"charset_invalid_bytes:decoded={codec}")
    return Decoded(_strip_bom(body.decode(codec, errors="replace")), codec, tuple(warnings))


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text
