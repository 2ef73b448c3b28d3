"""The response and request records of a plain HTTP exchange, and metadata records, built
without warcio's record objects: the same bytes warcio writes, at a fraction of the cost.

Writing an exchange through warcio parses the HTTP head that ``Exchange`` has just serialised,
digests the payload twice, builds header objects for both records and serialises them again:
about half of the worker's time for a page's WARC records went there, the other half to gzip
(``benchmarks/README.md``, crawl_throughput.py). Here the records are put together from the
exchange's fields in the order warcio gives them, digested once each, and each gzipped as one
member at warcio's level.

Only exchanges whose heads warcio would read back unchanged take this path (``plain``): HTTP/1.x,
header names and values in printable ASCII without surrounding spaces. Any other exchange, and
every revisit, is written by warcio (``WarcFileSet.write_exchange``). ``tests/test_warc.py``
checks that both give the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import re
import zlib
from typing import TYPE_CHECKING

from warcio.statusandheaders import StatusAndHeadersParser  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from .writer import Exchange

# What warcio's GzippingWrapper uses: a gzip member per record, best compression.
GZIP_LEVEL = 9
_PROTOCOLS = ("HTTP/1.0", "HTTP/1.1")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"})
# A header name or value warcio's parser gives back as it was written: printable ASCII, no
# spaces at either end (it strips them), and for names no colon.
_VALUE = re.compile(r"(?:[!-~](?:[ -~]*[!-~])?)?\Z")
_NAME = re.compile(r"[!-9;-~]+\Z")


def _sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def plain(exchange: Exchange) -> bool:
    """True when warcio would read the exchange's response and request heads back as written,
    so that the records built here are the ones it would write."""
    if exchange.protocol not in _PROTOCOLS or exchange.method not in _METHODS:
        return False
    if not _VALUE.match(exchange.reason) or not _VALUE.match(exchange.url):
        return False
    for name, value in (*exchange.request_headers, *exchange.response_headers):
        if not _NAME.match(name) or not _VALUE.match(value):
            return False
    return True


def gzip_member(warc_headers: list[tuple[str, str]], block: bytes) -> bytes:
    """One record: its WARC head, its block and the two line ends, gzipped as one member."""
    text = "WARC/1.1\r\n" + "".join(f"{name}: {value}\r\n" for name, value in warc_headers)
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return (compressor.compress((text + "\r\n").encode("utf-8") + block + b"\r\n\r\n")
            + compressor.flush())


def response_record(exchange: Exchange, head: bytes, digest: str,
                    ) -> tuple[str, bytes]:
    """(record id, gzipped record) of the response; ``digest`` is the payload's."""
    record_id = StatusAndHeadersParser.make_warc_id()
    headers = [("WARC-Date", exchange.date)]
    if exchange.ip_address:
        headers.append(("WARC-IP-Address", exchange.ip_address))
    if exchange.truncated:
        headers.append(("WARC-Truncated", exchange.truncated))
    block = head + exchange.body
    headers += [
        ("WARC-Type", "response"), ("WARC-Record-ID", record_id),
        ("WARC-Target-URI", exchange.url), ("WARC-Payload-Digest", digest),
        ("WARC-Block-Digest", _sha1(block)),
        ("Content-Type", "application/http; msgtype=response"),
        ("Content-Length", str(len(block))),
    ]
    return record_id, gzip_member(headers, block)


def request_record(exchange: Exchange, concurrent_to: str) -> bytes:
    """The gzipped request record of the exchange, ``WARC-Concurrent-To`` its response."""
    block = exchange.request_block()
    headers = [
        ("WARC-Date", exchange.date), ("WARC-Concurrent-To", concurrent_to),
        ("WARC-Type", "request"), ("WARC-Record-ID", StatusAndHeadersParser.make_warc_id()),
        ("WARC-Target-URI", exchange.url), ("WARC-Payload-Digest", _sha1(exchange.request_body)),
        ("WARC-Block-Digest", _sha1(block)),
        ("Content-Type", "application/http; msgtype=request"),
        ("Content-Length", str(len(block))),
    ]
    return gzip_member(headers, block)


def metadata_record(url: str, refers_to: str, date: str, body: bytes) -> tuple[str, bytes]:
    """(record id, gzipped record) of a ``metadata`` record (``application/warc-fields``)."""
    record_id = StatusAndHeadersParser.make_warc_id()
    digest = _sha1(body)
    headers = [
        ("WARC-Date", date), ("WARC-Refers-To", refers_to), ("WARC-Type", "metadata"),
        ("WARC-Record-ID", record_id), ("WARC-Target-URI", url), ("WARC-Payload-Digest", digest),
        ("WARC-Block-Digest", digest), ("Content-Type", "application/warc-fields"),
        ("Content-Length", str(len(body))),
    ]
    return record_id, gzip_member(headers, body)
