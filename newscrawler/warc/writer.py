"""Writing a set of WARC/1.1 files in one directory: records, rollover, CDXJ, revisits.

No Scrapy here (``capture.py`` feeds it from the downloader). ``WarcFileSet`` writes each HTTP
exchange as a ``response`` record and a ``request`` record (``WARC-Concurrent-To`` the response),
or, when the same URL was captured before with the same payload digest, a ``revisit`` record
(profile identical-payload-digest, HTTP headers kept, payload left out) in place of the response.
Each file opens with a ``warcinfo`` record, every record is its own gzip member (compressed by
ISA-L, ``MemberWriter``), and a file is closed once it reaches ``max_size``; the next record opens
a new one.

Response, request and metadata records are formatted here (``record_bytes``) exactly as warcio
formats them, without its round trip: warcio parses a record's HTTP head back out of the block
and writes it out again, and hashes and base32-encodes each digest in Python. A head that warcio
would write back differently (``written_as_is``: non-ASCII bytes, folded or padded header lines,
an unknown method or protocol) and every revisit and ``warcinfo`` record still go through warcio.

"The same URL" for revisits can be widened with ``canonical``: the crawler passes the portals'
canonical URL, so a page fetched from its ``m.`` twin repeats one fetched from ``www.``.

Beside each ``X.warc.gz`` an ``X.warc.gz.cdxj`` gets one line per response or revisit as it is
written (so a crash leaves a usable index), and is sorted when the file is closed. The revisit
lookup reads every ``*.cdxj`` of the directory when the set opens: captures from earlier crawls
into the same directory count, WARC files without an index do not.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from isal import igzip
from warcio.statusandheaders import (  # type: ignore[import-untyped]
    StatusAndHeaders,
    StatusAndHeadersParser,
)
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

from archive.warc import WarcReadError

from .index import Entry, cdxj_path, parse_line, read_record, strip_digest, surt, timestamp14
from .originals import RevisitIndex

logger = logging.getLogger(__name__)

WARC_VERSION = "1.1"
WARC_FIELDS = "application/warc-fields"
# The content types warcio gives response and request records.
RESPONSE_TYPE = "application/http; msgtype=response"
REQUEST_TYPE = "application/http; msgtype=request"
# Hop-by-hop framing that no longer describes the stored body (it is stored de-chunked): kept
# under pywb's prefix for original headers, so the record still parses and nothing is lost.
_FRAMING_HEADERS = {"transfer-encoding"}
_ORIG_PREFIX = "X-Archive-Orig-"
# ISA-L's highest level: 3-4x faster than warcio's zlib level 9 on our pages, members about 5%
# larger (levels 1 and 2: a few microseconds a page faster still, 7% larger).
GZIP_LEVEL = 3


def payload_digest(body: bytes) -> str:
    """``sha1:<base32>``, as in ``WARC-Payload-Digest``."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def warc_fields(fields: list[tuple[str, str]]) -> bytes:
    """``application/warc-fields`` lines: ``name: value``, each ended by CRLF, in UTF-8."""
    return "".join([f"{name}: {value}\r\n" for name, value in fields]).encode("utf-8")


def warc_date(moment: datetime | None = None) -> str:
    # Whole seconds, so that the CDXJ timestamp is exactly the WARC-Date.
    moment = (moment or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_from_timestamp(timestamp: str) -> str:
    t = timestamp
    return f"{t[0:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:14]}Z"


@dataclass
class Exchange:
    """One HTTP request and its response, as the downloader saw them."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    # The entity as received: de-chunked, but not content-decoded.
    body: bytes
    protocol: str = "HTTP/1.1"
    ip_address: str | None = None
    date: str = field(default_factory=warc_date)
    # WARC-Truncated reason when the body is incomplete (``disconnect``, ``length``, ...).
    truncated: str | None = None

    def request_block(self) -> bytes:
        parts = urlsplit_target(self.url)
        lines = [f"{self.method} {parts} {self.protocol}"]
        lines += [f"{name}: {value}" for name, value in self.request_headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + self.request_body

    def response_head(self) -> bytes:
        lines = [f"{self.protocol} {self.status} {self.reason}".rstrip()]
        for name, value in self.response_headers:
            if name.lower() in _FRAMING_HEADERS:
                name = _ORIG_PREFIX + name
            lines.append(f"{name}: {value}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")

    @property
    def mime(self) -> str:
        for name, value in self.response_headers:
            if name.lower() == "content-type":
                return value.split(";", 1)[0].strip().lower() or "unk"
        return "unk"


def urlsplit_target(url: str) -> str:
    """The request-target of a URL: path and query (``/`` for an empty path)."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class MemberWriter(WARCWriter):  # type: ignore[misc]
    """warcio's writer with every record a gzip member of its own, compressed by ISA-L.

    warcio formats the record uncompressed (``gzip=False``) into a buffer, and the buffer is
    written out as one gzip member: the record's bytes are warcio's, only the compression is
    ours (warcio's own gzips each record with zlib at level 9).
    """

    def __init__(self, stream: IO[bytes]) -> None:
        super().__init__(stream, gzip=False, warc_version=WARC_VERSION)

    def write_record(self, record: object, params: object = None) -> None:
        buffer = BytesIO()
        self._write_warc_record(buffer, record)
        self.write_member(buffer.getvalue())

    def write_member(self, data: bytes) -> None:
        """A record's bytes, as one gzip member."""
        # mtime 0, as zlib's gzip header had it: the same record always compresses the same.
        self.out.write(igzip.compress(data, GZIP_LEVEL, mtime=0))
        # Flushed as warcio's does: a revisit reads its original back while the file is open.
        self.out.flush()


def warc_headers(
    url: str, record_type: str, fields: dict[str, str], digests: dict[str, str]
) -> StatusAndHeaders:
    """A record's WARC headers with its digests already known, so that warcio hashes nothing
    again: in the order warcio gives them (``fields``, the type, the record id, the target URI,
    then the payload and block digests it would have added)."""
    headers = [
        *fields.items(),
        ("WARC-Type", record_type),
        ("WARC-Record-ID", StatusAndHeadersParser.make_warc_id()),
        ("WARC-Target-URI", url),
        *digests.items(),
    ]
    return StatusAndHeaders("", headers, protocol="WARC/" + WARC_VERSION)


# What warcio's HTTP parsers take as the first word of a response's and a request's head
# (``ArcWarcRecordLoader.HTTP_TYPES`` and ``HTTP_VERBS``, in its order).
RESPONSE_PROTOCOLS = ("HTTP/1.0", "HTTP/1.1")
REQUEST_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "OPTIONS", "CONNECT", "PATCH")


def written_as_is(head: bytes, first_words: tuple[str, ...]) -> bool:
    """Whether warcio, given a block starting with this HTTP ``head`` (status line, header lines,
    blank line), would write the head back byte for byte.

    warcio parses the head out of the block (each line's trailing white space stripped, the first
    word checked against ``first_words`` and upper-cased, a header's name right-stripped of
    blanks and its value left-stripped, lines starting with a blank folded into the one before)
    and writes ``name: value`` lines back, percent-encoding what is not ASCII. A head that
    survives that unchanged is the block's own bytes, so the record can be formatted without it.
    """
    if not head.isascii() or not head.endswith(b"\r\n\r\n"):
        return False
    lines = head[:-4].decode("ascii").split("\r\n")
    if any("\n" in line or "\r" in line or line[:1] in (" ", "\t") for line in lines):
        return False
    first = lines[0].rstrip()
    word = next((word for word in first_words if first.upper().startswith(word)), None)
    if word is None:
        return False
    status = first[len(word):].strip()
    if (f"{word} {status}" if status else word) != lines[0]:
        return False
    for line in lines[1:]:
        name, colon, value = line.rstrip().partition(":")
        if not colon or name.rstrip(" \t") + ": " + value.lstrip() != line:
            return False
    return True


def record_bytes(url: str, record_type: str, fields: dict[str, str], digests: dict[str, str],
                 content_type: str, block: bytes) -> tuple[str, bytes]:
    """A record's id and bytes, as warcio writes a record whose ``warc_headers`` are
    ``warc_headers(url, record_type, fields, digests)`` and whose block is ``block`` (for a
    response or request, only when ``written_as_is`` holds for its head): the block digest
    when ``digests`` lacks it, then the content type and length, after the headers."""
    record_id = StatusAndHeadersParser.make_warc_id()
    headers = [
        *fields.items(),
        ("WARC-Type", record_type),
        ("WARC-Record-ID", record_id),
        ("WARC-Target-URI", url),
        *digests.items(),
    ]
    if "WARC-Block-Digest" not in digests:
        headers.append(("WARC-Block-Digest", payload_digest(block)))
    headers += [("Content-Type", content_type), ("Content-Length", str(len(block)))]
    text = "".join([f"{name}: {value}\r\n" for name, value in headers])
    return record_id, b"".join(
        [b"WARC/" + WARC_VERSION.encode() + b"\r\n", text.encode("utf-8"), b"\r\n", block,
         b"\r\n\r\n"])


@dataclass(frozen=True)
class Written:
    """Where a record went."""

    filename: str
    offset: int
    length: int
    record_id: str
    record_type: str
    date: str
    # For a revisit: the response it stands for.
    refers_to: Entry | None = None


class WarcFile:
    """One open ``.warc.gz`` and its CDXJ."""

    def __init__(self, path: Path, writer_info: dict[str, str]) -> None:
        self.path = path
        self.stream: IO[bytes] = path.open("xb")
        self.cdxj: IO[str] = cdxj_path(path).open("x", encoding="utf-8")
        self.writer = MemberWriter(self.stream)
        record = self.writer.create_warcinfo_record(path.name, writer_info)
        self.write(record)

    @property
    def size(self) -> int:
        return self.stream.tell()

    def write(self, record: object) -> tuple[int, int]:
        offset = self.stream.tell()
        self.writer.write_record(record)
        return offset, self.stream.tell() - offset

    def write_warcio(self, record: Any) -> tuple[str, str, tuple[int, int]]:
        """A record warcio built: its id, its type, and where it went."""
        return record.rec_headers.get_header("WARC-Record-ID"), record.rec_type, self.write(record)

    def write_bytes(self, data: bytes) -> tuple[int, int]:
        """A record formatted already (``record_bytes``)."""
        offset = self.stream.tell()
        self.writer.write_member(data)
        return offset, self.stream.tell() - offset

    def index(self, entry: Entry) -> None:
        self.cdxj.write(entry.line() + "\n")
        self.cdxj.flush()

    def close(self) -> None:
        self.stream.close()
        self.cdxj.close()
        # pywb and other CDXJ readers binary-search the index: sort it once the file is done.
        index = cdxj_path(self.path)
        lines = sorted(index.read_text(encoding="utf-8").splitlines())
        partial = index.with_name(index.name + ".tmp")
        partial.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        os.replace(partial, index)


class WarcFileSet:
    """WARC files in one directory, written one after another with rollover at ``max_size``.

    ``info`` goes into each file's ``warcinfo`` record; ``name_prefix`` starts each file name,
    which continues with the time the file was opened, a serial number and ``name_suffix``
    (something unique to this writer, so that two crawls may share a directory).
    """

    def __init__(
        self, directory: str | Path, max_size: int, info: dict[str, str],
        name_prefix: str = "newscrawler", name_suffix: str = "",
        canonical: Callable[[str], str] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.max_size = max_size
        self.info = info
        self.name_prefix = name_prefix
        self.name_suffix = name_suffix
        self.serial = 0
        self.current: WarcFile | None = None
        self.files: list[Path] = []
        self.directory.mkdir(parents=True, exist_ok=True)
        # Twins of one page (a portal's www./m. hosts) share their captures' payloads: a revisit
        # may then name the other twin in WARC-Refers-To-Target-URI (a URL-agnostic revisit).
        self.canonical = canonical or (lambda url: url)
        # One entry per (URL, payload digest) ever written: kept compact (``originals.py``).
        self.originals = RevisitIndex(self.canonical)
        self._load_originals()

    def _load_originals(self) -> None:
        """(canonical URL, payload digest) → latest full response, from the directory's CDXJ."""
        bad = 0
        for index in sorted(self.directory.glob("*.cdxj")):
            with index.open(encoding="utf-8") as lines:
                for line in lines:
                    line = line.strip()
                    if not line:
                        continue
                    try:
                        entry = parse_line(line, self.directory)
                    except (ValueError, KeyError):
                        # Another crawl may be writing this index right now: a torn last line.
                        bad += 1
                        continue
                    self.originals.remember(entry)
        if bad:
            logger.warning("Skipped %d unreadable CDXJ lines in %s", bad, self.directory)

    def _file(self) -> WarcFile:
        if self.current is None:
            opened = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")[:17]
            name = f"{self.name_prefix}-{opened}-{self.serial:05d}"
            if self.name_suffix:
                name += f"-{self.name_suffix}"
            self.serial += 1
            path = self.directory / f"{name}.warc.gz"
            self.current = WarcFile(path, self.info)
            self.files.append(path)
        return self.current

    def _roll_if_full(self) -> None:
        if self.current is not None and self.current.size >= self.max_size:
            self.current.close()
            self.current = None

    def _revisit_target(self, url: str, digest: str) -> tuple[Entry, str, str] | None:
        """The earlier response this payload repeats, its record id and date; None: write in full."""
        entry = self.originals.get(url, strip_digest(digest))
        if entry is None:
            return None
        try:
            # Read whole, payload and all: a revisit of a damaged original would lose the page.
            record, _ = read_record(entry.path, entry.offset)
        except (OSError, WarcReadError) as exc:
            # The original is gone or unreadable: a revisit would point at nothing.
            logger.warning("Writing %s in full: its earlier capture is unreadable (%s)", url, exc)
            return None
        headers = record.rec_headers
        date = headers.get_header("WARC-Date") or iso_from_timestamp(entry.timestamp)
        return entry, headers.get_header("WARC-Record-ID"), date

    def write_exchange(self, exchange: Exchange) -> Written:
        """Write the response (or a revisit) and the request; returns where the response went."""
        file = self._file()
        writer = file.writer
        digest = payload_digest(exchange.body)
        head = exchange.response_head()
        fields = {"WARC-Date": exchange.date}
        if exchange.ip_address:
            fields["WARC-IP-Address"] = exchange.ip_address
        if exchange.truncated:
            fields["WARC-Truncated"] = exchange.truncated
        # An empty or cut-off payload is never a revisit.
        repeatable = exchange.body and not exchange.truncated
        target = self._revisit_target(exchange.url, digest) if repeatable else None
        if target is not None:
            original, original_id, original_date = target
            if original_id:
                fields["WARC-Refers-To"] = original_id
            http_headers = writer.parser.parse(BytesIO(head))
            record_id, record_type, (offset, length) = file.write_warcio(
                writer.create_revisit_record(
                    exchange.url, digest, original.url, original_date,
                    http_headers=http_headers, warc_headers_dict=fields,
                ))
            mime = "warc/revisit"
        elif written_as_is(head, RESPONSE_PROTOCOLS):
            # The payload digest is the one found above; the block digest covers the head as
            # warcio would write it back, which is the head itself.
            record_id, data = record_bytes(
                exchange.url, "response", fields, {"WARC-Payload-Digest": digest},
                RESPONSE_TYPE, head + exchange.body)
            record_type, (offset, length) = "response", file.write_bytes(data)
            mime = exchange.mime
        else:
            # warcio adds the block digest (over the HTTP headers as it writes them, and the body).
            block = head + exchange.body
            record_id, record_type, (offset, length) = file.write_warcio(
                writer.create_warc_record(
                    exchange.url, "response", payload=BytesIO(block), length=len(block),
                    warc_headers=warc_headers(exchange.url, "response", fields,
                                              {"WARC-Payload-Digest": digest}),
                ))
            mime = exchange.mime
        self._write_request(file, exchange, record_id)
        entry = Entry(
            key=surt(exchange.url), timestamp=timestamp14(exchange.date), url=exchange.url,
            mime=mime, status=str(exchange.status), digest=strip_digest(digest), length=length,
            offset=offset, filename=file.path.name, path=file.path,
        )
        file.index(entry)
        self.originals.remember(entry)
        written = Written(
            filename=file.path.name, offset=offset, length=length, record_id=record_id,
            record_type=record_type, date=exchange.date,
            refers_to=target[0] if target else None,
        )
        self._roll_if_full()
        return written

    def write_metadata(self, url: str, refers_to: str,
                       fields: list[tuple[str, str]] | bytes) -> Written:
        """A ``metadata`` record (``application/warc-fields``) about the record ``refers_to``:
        its fields, or their lines already formatted (``warc_fields``)."""
        file = self._file()
        body = fields if isinstance(fields, bytes) else warc_fields(fields)
        date = warc_date()
        # Without HTTP headers the block is the payload: one digest is both.
        digest = payload_digest(body)
        record_id, data = record_bytes(
            url, "metadata", {"WARC-Date": date, "WARC-Refers-To": refers_to},
            {"WARC-Payload-Digest": digest, "WARC-Block-Digest": digest}, WARC_FIELDS, body)
        offset, length = file.write_bytes(data)
        written = Written(file.path.name, offset, length, record_id, "metadata", date)
        self._roll_if_full()
        return written

    def _write_request(self, file: WarcFile, exchange: Exchange, response_id: str) -> None:
        """The request record, ``WARC-Concurrent-To`` the response (or revisit) ``response_id``."""
        block = exchange.request_block()
        fields = {"WARC-Date": exchange.date, "WARC-Concurrent-To": response_id}
        digests = {"WARC-Payload-Digest": payload_digest(exchange.request_body)}
        if written_as_is(block[:block.index(b"\r\n\r\n") + 4], REQUEST_METHODS):
            file.write_bytes(record_bytes(exchange.url, "request", fields, digests, REQUEST_TYPE,
                                          block)[1])
            return
        file.write(file.writer.create_warc_record(
            exchange.url, "request", payload=BytesIO(block), length=len(block),
            warc_headers=warc_headers(exchange.url, "request", fields, digests),
        ))

    def close(self) -> None:
        if self.current is not None:
            self.current.close()
            self.current = None
