"""A response record, inflated, split into the page it carries, as warcio and ``decoded_payload``
would give it.

``page(record)`` takes the bytes of a record (WARC header, HTTP header, payload) and returns the
payload with its ``Content-Encoding`` undone, or None for a record it leaves to warcio's general
parser (not a response, a chunked body, folded header lines, an unexpected layout). The crawler's
own layout is recognised by a few searches in place; any other layout goes through the fields of
the WARC header, found by a regular expression.
"""

from __future__ import annotations

import re

from .records import decoded_payload

# The line before the last of the crawler's WARC header for a response; the last is its length,
# which then runs to the header's end.
_CRAWLER_TYPE = b"\r\nContent-Type: application/http; msgtype=response"
_TYPE_SIZE = len(_CRAWLER_TYPE)
# HTTP header lines that need more than a slice: folded lines, a body chunked as sent, a content
# encoding to undo. One search over the header finds any of them; most pages have none.
_HTTP_SPECIAL = re.compile(rb"\r\n(?:[ \t]|(?i:transfer-encoding|content-encoding))")
# The WARC header fields needed, in any other layout; a regular expression finds the few lines
# faster than splitting every line of the header.
_WANTED_FIELDS = re.compile(
    rb"\r\n[ \t]*(warc-type|content-type|content-length)[ \t]*:([^\r\n]*)", re.IGNORECASE
)


def _header_fields(head: bytes | bytearray) -> dict[str, str]:
    """The fields of a WARC header block that the reader needs, by lower-case name."""
    return {
        m.group(1).lower().decode("ascii"): m.group(2).strip().decode("utf-8", "replace")
        for m in _WANTED_FIELDS.finditer(head)
    }


def page(record: bytes | bytearray) -> bytes | None:
    """The decoded payload of the response ``record`` (WARC header, HTTP block); None when the
    record is not a response or needs warcio's general parser."""
    end = record.find(b"\r\n\r\n")
    # The crawler's layout: its response type, and the first Content-Length line (the one warcio
    # reads) last, right after its content type.
    at = record.find(b"\r\nContent-Length: ", 0, end) if end > 0 else -1
    if (
        at > _TYPE_SIZE
        and record.startswith(_CRAWLER_TYPE, at - _TYPE_SIZE)
        and record.find(b"\r\nWARC-Type: response\r\n", 0, at) > 0
        and record.startswith(b"WARC/")
    ):
        try:
            stop = end + 4 + int(record[at + 18 : end])
        except ValueError:  # more lines after the length: the general way below
            stop = -1
        if stop > 0:
            split = record.find(b"\r\n\r\n", end + 4, stop)
            if (
                split > 0
                and record.startswith(b"HTTP/", end + 4)
                and _HTTP_SPECIAL.search(record, end + 4, split) is None
            ):
                # The common case: one copy of the page, as bytes (the record is a bytearray).
                return bytes(memoryview(record)[split + 4 : stop])
    return _general_page(record, end)


def _general_page(record: bytes | bytearray, end: int) -> bytes | None:
    """``page`` for any layout of the WARC header, and for HTTP headers that need splitting."""
    if end < 0 or not record.startswith(b"WARC/"):
        return None
    # The crawler's own header lines are found by a few searches in place; any other layout
    # (case, spacing) is left to the regular expression.
    kind = b"response" if record.find(b"\r\nWARC-Type: response\r\n", 0, end) > 0 else None
    content_type = (
        b"application/http" if record.find(b"\r\nContent-Type: application/http", 0, end) > 0
        else None
    )
    at = record.find(b"\r\nContent-Length: ", 0, end)
    length = record[at + 18 : record.find(b"\r\n", at + 18, end + 2)] if at > 0 else None
    if kind is None or content_type is None or length is None:
        fields = _header_fields(record[:end])
        kind = fields.get("warc-type", "").encode()
        content_type = fields.get("content-type", "").encode()
        length = fields.get("content-length", "").encode()
    if kind != b"response" or not content_type.startswith(b"application/http"):
        return None
    # The HTTP block is record[start:stop]; sliced once, for the payload (a page is 10 kB or so).
    start = end + 4
    try:
        stop = start + int(length)
    except ValueError:
        return None
    split = record.find(b"\r\n\r\n", start, stop)
    if split < 0 or not record.startswith(b"HTTP/", start):
        return None
    http_head = record[start:split].lower()
    if b"\r\n " in http_head or b"\r\n\t" in http_head:
        return None  # folded lines: warcio's parser knows those
    if b"\r\ntransfer-encoding" in http_head:
        return None  # chunked as sent, most likely: warcio de-chunks it
    # One copy of the page, as bytes (libdeflate's record is a bytearray).
    payload = bytes(memoryview(record)[split + 4 : stop])
    if b"\r\ncontent-encoding" not in http_head:
        return payload  # no header needs splitting
    headers = []
    for line in record[start:split].decode("iso-8859-1").split("\r\n")[1:]:
        name, colon, value = line.partition(":")
        if not colon or name != name.strip():
            return None  # malformed lines: warcio's parser knows those
        headers.append((name, value.strip()))
    return decoded_payload(headers, payload)
