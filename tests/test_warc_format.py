"""WARC records formatted without warcio's round trip are warcio's records, byte for byte.

``newscrawler.warc.writer`` formats response, request and metadata records itself when warcio
would write a record's HTTP head back unchanged (``written_as_is``), and leaves every other
record to warcio. Here the same exchanges are written both ways (warcio forced by making
``written_as_is`` say no), with the same record ids, and the files' records compared; and heads
of every awkward shape are checked against warcio's own parse and write-back.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.recordloader import ArcWarcRecordLoader
from warcio.statusandheaders import (
    StatusAndHeadersParser,
    StatusAndHeadersParserException,
)

from newscrawler.warc import writer
from newscrawler.warc.index import warc_files
from newscrawler.warc.writer import (
    REQUEST_METHODS,
    RESPONSE_PROTOCOLS,
    Exchange,
    WarcFileSet,
    payload_digest,
    written_as_is,
)

URL = "https://www.x.cn/p/1.html"


def _exchanges() -> list[Exchange]:
    body = "<p>新闻</p>".encode() * 200
    plain = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
    request = [("Host", "www.x.cn"), ("User-Agent", "newscrawler/0.1 (+https://x.cn)"),
               ("Accept-Encoding", "gzip, deflate")]

    def make(url: str = URL, **changes: object) -> Exchange:
        fields: dict[str, object] = {
            "url": url, "method": "GET", "request_headers": request, "request_body": b"",
            "status": 200, "reason": "OK", "response_headers": plain, "body": body,
            "ip_address": "127.0.0.1", "date": "2026-12-06T10:00:00Z",
        }
        fields.update(changes)
        return Exchange(**fields)  # type: ignore[arg-type]

    return [
        make(),
        make("https://www.x.cn/p/2.html?a=1&b=2", protocol="HTTP/1.0", ip_address=None),
        make("https://www.x.cn/p/3.html", response_headers=[*plain, ("X-Empty", "")]),
        make("https://www.x.cn/p/4.html", response_headers=[*plain, ("Set-Cookie", "a=b; Path=/")]),
        make("https://www.x.cn/p/7.html", response_headers=[*plain, ("Transfer-Encoding", "chunked")]),
        # warcio rewrites these heads (and the last request's below): they go through it.
        make("https://www.x.cn/p/5.html", response_headers=[*plain, ("X-Name", "caf\u00e9")]),
        make("https://www.x.cn/p/6.html", response_headers=[*plain, ("X-Padded", " a ")]),
        make("https://www.x.cn/p/8.html", method="POST", request_body=b"q=%E6%96%B0&page=2",
             request_headers=[*request, ("Content-Type", "application/x-www-form-urlencoded")]),
        make("https://www.x.cn/p/9.html", status=404, reason="Not Found", body=b"gone"),
        make("https://www.x.cn/p/10.html", status=299, reason="", body=b""),
        make("https://www.x.cn/p/11.html", truncated="disconnect", body=body[:100]),
        make("https://www.x.cn/p/12.html", request_headers=[*request, ("Cookie", "a=\u00ff")]),
        make("https://www.x.cn/p/新闻.html"),
        # The same payload again: a revisit (warcio's in both).
        make("https://www.x.cn/p/1.html", date="2026-12-06T11:00:00Z"),
    ]


def _write(directory: Path, monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every record of a file written from ``_exchanges``, decompressed, ids numbered in order."""
    numbers = itertools.count()
    monkeypatch.setattr(StatusAndHeadersParser, "make_warc_id",
                        staticmethod(lambda id_=None: f"<urn:uuid:{next(numbers):032d}>"))
    monkeypatch.setattr(writer, "warc_date", lambda moment=None: "2026-12-06T12:00:00Z")
    files = WarcFileSet(directory, max_size=10**9, info={"software": "test"})
    for exchange in _exchanges():
        response = files.write_exchange(exchange)
        files.write_metadata(exchange.url, response.record_id,
                             [("software", "newscrawler/0.1"), ("outlink", f"{exchange.url}#x L a/@href"),
                              ("note", "新闻")])
    files.write_metadata(URL, "<urn:uuid:none>", [])
    files.close()
    (path,) = warc_files(directory)
    data, records = path.read_bytes(), []
    while data:
        member = zlib.decompressobj(31)
        records.append(member.decompress(data))
        data = member.unused_data
    return records[1:]  # the warcinfo record carries warcio's own date, to the microsecond


def test_records_are_warcio_records_byte_for_byte(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    ours = _write(tmp_path / "ours", monkeypatch)
    taken: list[bool] = []

    def counted(head: bytes, first_words: tuple[str, ...]) -> bool:
        taken.append(written_as_is(head, first_words))
        return False

    monkeypatch.setattr(writer, "written_as_is", counted)
    theirs = _write(tmp_path / "theirs", monkeypatch)
    assert len(ours) == len(theirs) == 14 * 3 + 1
    for number, (mine, warcio) in enumerate(zip(ours, theirs, strict=True)):
        assert mine == warcio, f"record {number}"
    # Most heads were formatted here; the awkward ones went through warcio.
    assert taken.count(True) == 24 and taken.count(False) == 3


def test_payload_digest_is_base32_sha1() -> None:
    for body in (b"", b"x", bytes(range(256)) * 40):
        expected = "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")
        assert payload_digest(body) == expected


def _warcio_head(head: bytes, first_words: tuple[str, ...]) -> bytes | None:
    """The head as warcio writes it back after parsing it out of a block; None: it refuses it."""
    loader = ArcWarcRecordLoader()
    parser = loader.http_parser if first_words is RESPONSE_PROTOCOLS else loader.http_req_parser
    try:
        parsed = parser.parse(BytesIO(head + b"body"))
    except (StatusAndHeadersParserException, EOFError):
        return None
    parsed.compute_headers_buffer()
    return bytes(parsed.headers_buff)


_PIECES = st.sampled_from(["a", "Z", "-", ":", " ", "\t", "\x0b", "\x1f", ";", "=", "é", "\r", "\n",
                           "1", "/"])
_TEXT = st.lists(_PIECES, max_size=6).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    first=st.sampled_from(["HTTP/1.1 200 OK", "HTTP/1.0 404 Not Found", "http/1.1 200 OK",
                           "HTTP/1.1  200 OK", "HTTP/1.1 200", "HTTP/2 200", "HTTP/1.1",
                           "GET /a HTTP/1.1", "get /a HTTP/1.1", "POST  /a HTTP/1.1",
                           "PUTX /a HTTP/1.1", " GET /a HTTP/1.1", "GET /a HTTP/1.1 "]),
    headers=st.lists(st.tuples(_TEXT, _TEXT), max_size=4),
)
def test_a_head_written_as_is_is_what_warcio_writes_back(
        first: str, headers: list[tuple[str, str]]) -> None:
    lines = [first, *(f"{name}: {value}" for name, value in headers)]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    for words in (RESPONSE_PROTOCOLS, REQUEST_METHODS):
        if written_as_is(head, words):
            assert _warcio_head(head, words) == head


def test_plain_heads_are_written_as_is() -> None:
    assert written_as_is(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Empty: \r\n\r\n",
                         RESPONSE_PROTOCOLS)
    assert written_as_is(b"GET /p/1.html?a=1 HTTP/1.1\r\nHost: x.cn\r\n\r\n", REQUEST_METHODS)
    assert not written_as_is(b"HTTP/1.1 200 OK\r\nX: caf\xe9\r\n\r\n", RESPONSE_PROTOCOLS)
    assert not written_as_is(b"HTTP/1.1 200 OK\r\nX:  a\r\n\r\n", RESPONSE_PROTOCOLS)
    assert not written_as_is(b"HTTP/2 200\r\n\r\n", RESPONSE_PROTOCOLS)
