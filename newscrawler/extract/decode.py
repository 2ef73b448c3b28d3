"""Decode page bytes to text, trusting declarations only as far as the bytes agree.

Order: a byte-order mark (as browsers do: it cannot be there by accident), then the HTTP
``Content-Type`` charset, then the page's ``<meta>`` declaration, then the ``encoding`` of a
crawl-corpus wrapper (``<text id="URL" title="…" encoding="gb2312">``, whose records often lost
their ``<head>``), then UTF-8 when every byte reads as UTF-8 (multi-byte text in another charset
almost never does, while a detector can mistake short UTF-8 text for a legacy code page), then
statistical detection (charset-normalizer), then GB18030 as the last resort. ``charset``
attributes of ``<script>`` tags name the script file's charset, not the page's, and are ignored. Each
candidate must decode the whole body strictly: a GBK page that declares UTF-8 fails the UTF-8 try
and falls through to a label that works, with a warning recorded. GB2312 and GBK labels are read as
GB18030, their superset (w3lib's ``resolve_encoding`` does the mapping). Nothing here replaces bytes
with U+FFFD unless no encoding at all can read them, and that case is reported too. A body cut in
the middle of its last character (a truncated download) is read with the codec that reads
everything before the cut; the broken tail is dropped and reported as ``charset_truncated``.
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


@dataclass(frozen=True)
class Decoded:
    """The page text, the codec that read it, and what went wrong on the way."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = field(default=())


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


def _candidates(body: bytes, content_type: str | None) -> Iterator[tuple[str, str]]:
    """(origin, codec name) pairs in the order we trust them."""
    bom, _ = read_bom(body)
    if bom:
        yield "bom", bom
    yield from _declarations(body, content_type)
    yield "utf-8", "utf-8"
    # Plain ASCII reads the same in every candidate; detection would only name cp1252.
    best = from_bytes(body[:65536]).best() if body and not body.isascii() else None
    if best is not None:
        yield "detected", best.encoding
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
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            # Only the last character cut short: everything before it reads in this codec.
            try:
                text = codecs.getincrementaldecoder(codec)().decode(body, final=False)
            except UnicodeDecodeError:
                continue
            warnings.append(f"charset_truncated:decoded={codec}")
        if declared is not None and codec != declared:
            warnings.append(f"charset_mismatch:declared={declared},decoded={codec}")
        elif declared is None and origin in ("utf-8", "detected", "fallback"):
            warnings.append(f"charset_undeclared:decoded={codec}")
        return Decoded(_strip_bom(text), codec, tuple(warnings))
    # No codec reads every byte (a truncated or corrupt page): keep what can be read.
    codec = declared or "utf-8"
    warnings.append(f"charset_invalid_bytes:decoded={codec}")
    return Decoded(_strip_bom(body.decode(codec, errors="replace")), codec, tuple(warnings))


def _strip_bom(text: str) -> str:
    return text.removeprefix("\ufeff")
