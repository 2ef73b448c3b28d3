"""The archive's captures as WARC records: read back from the crawl's WARC files, or exported.

Uses warcio only (no crawler code), so a researcher with the archive and its ``warc/`` directory
can do both:

- ``WarcStore(directory).load(filename, offset)``: a capture's response as the crawl wrote it,
  a ``revisit`` resolved to the payload of the response it repeats (found through the
  directory's CDXJ indexes). ``decoded_payload`` undoes the content encoding;
  ``WarcStore.body(filename, offset)`` gives that decoded payload alone, which is all
  re-extraction needs, and reads the common record (one gzip member, a plain response) without
  warcio's general parser, inflating it in one call from bytes read ahead in the file. A damaged
  or truncated record raises ``WarcReadError``.
- ``export_warc(archive, filters, path)``: a WARC/1.1 file with every capture of the selected
  articles, and a CDXJ index beside it, for pywb or ReplayWeb.page (``docs/warc.md``). A capture
  whose WARC record is there is copied byte for byte (with its request record); a revisit
  becomes a full response (its own status and headers, its original's payload), so the file
  stands alone; a capture without a readable WARC record is rebuilt from the archive's stored
  body and headers. A ``metadata`` record after each says which, and names the archive's
  capture, article and version.

The CDXJ lines are those the crawler writes (``newscrawler.warc.index``): SURT key, 14-digit
timestamp, pywb's JSON fields.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import logging
import re
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from io import BufferedReader, BytesIO
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from deflate import DeflateError, gzip_decompress  # libdeflate: about 1.4x ISA-L's inflate here
from isal import isal_zlib  # ISA-L's inflate: about 1.7x zlib's on WARC records
from surt import surt  # type: ignore[import-untyped]  # SURT keys as pywb computes them
from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]
from warcio.bufferedreaders import ChunkedDataReader  # type: ignore[import-untyped]
from warcio.recordloader import ArchiveLoadFailed  # type: ignore[import-untyped]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from .db import Archive
    from .query import ArticleFilter

logger = logging.getLogger(__name__)

REVISIT_MIME = "warc/revisit"
# Headers that described the bytes on the wire, not the decoded body the archive stores.
_WIRE_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}


# Compressed bytes handed to the decompressor in one call, without copying them: a page record is
# 5 kB or so of gzip, and the decompressor stops at the member's end.
_MEMBER_SIZE = 64 * 1024
# Bytes read from a WARC file at once when the reads move forward through it, as re-extraction's
# do (captures come oldest first, and a crawl appends them in that order): one read covers some
# fifty records. A read elsewhere in a file takes only what one record needs.
_WINDOW_SIZE = 512 * 1024
_SMALL_READ = 16 * 1024
# Room for an inflated record given to libdeflate, which inflates a whole member in one call but
# wants room for all of it up front: at first enough for a page of 30 kB or so, then twice the
# largest record met that did not fit (up to _MAX_ROOM), so larger pages fall back once.
_ROOM = 32 * 1024
_MAX_ROOM = 8 * 1024 * 1024
_EMPTY = memoryview(b"")
# isal's type stubs declare its exception as an instance rather than a class.
_INFLATE_ERROR = cast("type[Exception]", isal_zlib.error)
# WARC files a store keeps open between reads: re-extraction reads a file's records one after
# the other, and opening the file again for each costs as much as parsing the record's header.
_OPEN_FILES = 8
# The WARC header fields the direct reader looks at; a regular expression finds the few lines
# faster than splitting every line of the header.
_WANTED_FIELDS = re.compile(
    rb"\r\n[ \t]*(warc-type|content-type|content-length)[ \t]*:([^\r\n]*)", re.IGNORECASE
)


def _header_fields(head: bytes | bytearray) -> dict[str, str]:
    """The fields of a WARC header block that the direct reader needs, by lower-case name."""
    return {
        m.group(1).lower().decode("ascii"): m.group(2).strip().decode("utf-8", "replace")
        for m in _WANTED_FIELDS.finditer(head)
    }


def default_warc_dir(archive_path: str | Path) -> Path:
    """Where the crawler writes WARC files by default: ``warc/`` beside the archive file."""
    return Path(archive_path).parent / "warc"


def _timestamp14(warc_date: str) -> str:
    return re.sub(r"\D", "", warc_date)[:14].ljust(14, "0")


def _strip_digest(digest: str) -> str:
    return digest.split(":", 1)[1] if ":" in digest else digest


def payload_digest(body: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


class WarcReadError(Exception):
    """A capture's WARC record cannot be read: file missing, no record there, or a revisit whose
    original is not found."""


@dataclass
class WarcCapture:
    """A response as stored in a WARC file (a revisit: with its original's payload)."""

    url: str
    date: str
    record_type: str  # response or revisit
    status: int
    protocol: str
    headers: list[tuple[str, str]]
    # The entity as received: still content-encoded; a chunked body is de-chunked.
    payload: bytes
    # The response record's gzip member(s) as stored, with the request record that follows it
    # (responses only), and the length of the response's own member.
    raw: bytes = field(default=b"", repr=False)
    response_length: int = 0
    record_id: str = ""
    digest: str = ""

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


def decoded_payload(headers: list[tuple[str, str]], payload: bytes) -> bytes:
    """The payload with its ``Content-Encoding`` undone (gzip, deflate), as the archive stores it."""
    encodings = [
        e.strip().lower()
        for name, value in headers if name.lower() == "content-encoding"
        for e in value.split(",") if e.strip()
    ]
    for encoding in reversed(encodings):
        if encoding in ("gzip", "x-gzip"):
            payload = gzip.decompress(payload)
        elif encoding == "deflate":
            try:
                payload = zlib.decompress(payload)
            except zlib.error:
                payload = zlib.decompress(payload, -zlib.MAX_WBITS)  # raw deflate, as some send
        elif encoding != "identity":
            raise WarcReadError(f"cannot undo Content-Encoding {encoding!r}")
    return payload


class WarcStore:
    """The WARC files of one directory, read by file name and offset (the captures' columns).

    The last few files read stay open (``close``, or use the store as a context manager).
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        # (url, payload digest) -> [(timestamp, filename, offset)] of full responses, from CDXJ.
        self._originals: dict[tuple[str, str], list[tuple[str, str, int]]] | None = None
        self._open: OrderedDict[str, BufferedReader] = OrderedDict()
        # The bytes last read by the direct reader in each open file: (offset of data[0], data).
        # One per file, so captures of crawls that wrote to several files at once still read
        # ahead in each.
        self._windows: dict[str, tuple[int, memoryview]] = {}
        self._buffers: dict[str, bytearray] = {}
        self._room = _ROOM

    def close(self) -> None:
        self._windows.clear()
        self._buffers.clear()
        while self._open:
            self._open.popitem()[1].close()

    def __enter__(self) -> WarcStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _stream(self, filename: str) -> BufferedReader:
        """The open file ``filename``, the least recently read one closed past ``_OPEN_FILES``."""
        stream = self._open.get(filename)
        if stream is not None:
            self._open.move_to_end(filename)
            return stream
        path = self.directory / filename
        try:
            stream = path.open("rb")
        except OSError as exc:
            raise WarcReadError(f"cannot open {path}: {exc}") from exc
        self._open[filename] = stream
        if len(self._open) > _OPEN_FILES:
            closed, oldest = self._open.popitem(last=False)
            oldest.close()
            self._windows.pop(closed, None)
            self._buffers.pop(closed, None)
        return stream

    def _read(self, filename: str, offset: int, with_request: bool) -> tuple[Any, bytes, bytes, int]:
        path = self.directory / filename
        stream = self._stream(filename)
        # The file stays open for the next read (_stream).
        stream.seek(offset)
        records = ArchiveIterator(stream)
        try:
            record = next(iter(records), None)
        except ArchiveLoadFailed as exc:
            raise WarcReadError(f"{path}: no readable WARC record at offset {offset}") from exc
        if record is None or record.rec_type not in ("response", "revisit"):
            raise WarcReadError(f"{path}: no response or revisit record at offset {offset}")
        payload = record.raw_stream.read()
        records.read_to_end(record)
        length = records.get_record_length()
        end = offset + length
        if with_request:
            following = next(iter(records), None)
            record_id = record.rec_headers.get_header("WARC-Record-ID")
            if following is not None and following.rec_type == "request" and (
                following.rec_headers.get_header("WARC-Concurrent-To") == record_id
            ):
                records.read_to_end(following)
                end += records.get_record_length()
        raw = b""
        if with_request:
            stream.seek(offset)
            raw = stream.read(end - offset)
        return record, payload, raw, length

    def load(self, filename: str, offset: int, raw: bool = False) -> WarcCapture:
        """The response at ``offset`` of ``filename``; ``raw`` keeps its stored bytes too."""
        record, payload, stored, length = self._read(filename, offset, with_request=raw)
        http = record.http_headers
        if http is None:
            raise WarcReadError(f"{filename} at {offset}: no HTTP headers in the record")
        headers = [(str(k), str(v)) for k, v in http.headers]
        url = record.rec_headers.get_header("WARC-Target-URI")
        date = record.rec_headers.get_header("WARC-Date") or ""
        if record.rec_type == "revisit":
            target = record.rec_headers.get_header("WARC-Refers-To-Target-URI") or url
            digest = record.rec_headers.get_header("WARC-Payload-Digest") or ""
            payload = self._original_payload(target, digest, _timestamp14(date))
            stored, length = b"", 0
        chunked = "chunked" in (
            next((v for k, v in headers if k.lower() == "transfer-encoding"), "").lower()
        )
        if chunked:
            # A WARC from another tool may keep the body chunked as sent: de-chunk it, and drop
            # the framing header that no longer describes it.
            payload = ChunkedDataReader(BytesIO(payload)).read()
            headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
        protocol = http.protocol or "HTTP/1.1"
        return WarcCapture(
            url=url, date=date, record_type=record.rec_type, status=int(http.get_statuscode()),
            protocol=protocol, headers=headers, payload=payload, raw=stored,
            response_length=length, record_id=record.rec_headers.get_header("WARC-Record-ID"),
            digest=record.rec_headers.get_header("WARC-Payload-Digest") or "",
        )

    def body(self, filename: str, offset: int) -> bytes:
        """The decoded payload at ``offset`` of ``filename``: ``decoded_payload`` of ``load``.

        A response record that is one gzip member with a plain (not chunked) body, as the crawler
        writes them, is unpacked and split here directly, several times faster than warcio's
        general reader; anything else (a revisit, a chunked body, an uncompressed file, an
        unexpected header layout) goes through ``load``. A damaged or truncated record raises
        ``WarcReadError``, never gives a cut body.
        """
        found = self._direct_body(filename, offset) if filename.endswith(".gz") else None
        if found is None:
            capture = self.load(filename, offset)
            return decoded_payload(capture.headers, capture.payload)
        return found

    def _bytes_at(self, filename: str, offset: int, size: int) -> memoryview:
        """Bytes of ``filename`` from ``offset``, without copying them out of the window last read:
        at most ``size``, fewer after a read elsewhere in the file (at least ``_SMALL_READ``) or
        at its end, none past it. The bytes are valid until the next read of the same file."""
        start, data = self._windows.get(filename, (0, _EMPTY))
        if start <= offset and offset + size <= start + len(data):
            self._open.move_to_end(filename)  # keep the file's window with the file
            return data[offset - start : offset + size - start]
        # Moving forward through the file: read ahead for the records that follow.
        ahead = bool(data) and start <= offset <= start + len(data) + _WINDOW_SIZE
        stream = self._stream(filename)
        stream.seek(offset)
        want = max(size, _WINDOW_SIZE) if ahead else _SMALL_READ
        # Each file's window is read into the same buffer, whose pages stay mapped: a new
        # buffer of this size would be mapped afresh for every read ahead.
        buffer = self._buffers.get(filename)
        if buffer is None or len(buffer) < want:
            buffer = self._buffers[filename] = bytearray(max(want, _WINDOW_SIZE))
        view = memoryview(buffer)
        got = 0
        while got < want:
            n = stream.readinto(view[got:want])
            if not n:
                break
            got += n
        data = view[:got]
        self._windows[filename] = (offset, data)
        return data[:size]

    def _long_member(self, filename: str, offset: int) -> bytes:
        """The inflated gzip member at ``offset``, read a piece at a time.

        Raises ``WarcReadError`` for a damaged or truncated member: warcio would fail on it with
        a less telling message, or, for a truncated one, give a cut body as if it were whole.
        """
        unpacker = isal_zlib.decompressobj(16 + isal_zlib.MAX_WBITS)
        parts = []
        read = 0
        try:
            while not unpacker.eof:
                chunk = self._bytes_at(filename, offset + read, _MEMBER_SIZE)
                if not chunk:
                    raise WarcReadError(
                        f"{self.directory / filename}: the gzip member at offset {offset} is"
                        f" truncated (the file ends {read} bytes into it)")
                parts.append(unpacker.decompress(chunk))
                read += len(chunk)
        except _INFLATE_ERROR as exc:
            raise WarcReadError(
                f"{self.directory / filename}: the gzip member at offset {offset} is damaged"
                f" ({exc})") from exc
        return b"".join(parts)

    def _inflate(self, filename: str, offset: int) -> bytes | bytearray:
        """The inflated gzip member at ``offset``: a record's WARC header, HTTP header and page.

        One call inflates the member in place: the decompressor stops at its end, ignores the
        records after it, and checks the CRC and length. libdeflate does it fastest, given room
        for the whole output; a member that does not fit, or is longer than the bytes at hand (a
        page of several hundred kB, or any page after a read elsewhere), or is damaged, goes to
        ISA-L, and then piece by piece (``_long_member``), which says what is wrong if anything.
        """
        data = self._bytes_at(filename, offset, _MEMBER_SIZE)
        try:
            return gzip_decompress(data, self._room)
        except DeflateError:
            pass  # libdeflate does not say why: too little room, too few bytes, or damage
        try:
            record = isal_zlib.decompress(data, 16 + isal_zlib.MAX_WBITS)
        except _INFLATE_ERROR:
            record = self._long_member(filename, offset)
        if len(record) > self._room:
            self._room = min(_MAX_ROOM, max(self._room, 2 * len(record)))
        return record

    def _direct_body(self, filename: str, offset: int) -> bytes | None:
        """The decoded payload of a one-member gzip response record; None for any other record.

        Raises ``WarcReadError`` when there is no intact gzip member at ``offset``."""
        record = self._inflate(filename, offset)
        end = record.find(b"\r\n\r\n")
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
            return payload  # the common case: no header needs splitting
        headers = []
        for line in record[start:split].decode("iso-8859-1").split("\r\n")[1:]:
            name, colon, value = line.partition(":")
            if not colon or name != name.strip():
                return None  # malformed lines: warcio's parser knows those
            headers.append((name, value.strip()))
        return decoded_payload(headers, payload)

    def _original_payload(self, url: str, digest: str, before: str) -> bytes:
        if self._originals is None:
            self._originals = {}
            for index in sorted(self.directory.glob("*.cdxj")):
                for line in index.read_text(encoding="utf-8").splitlines():
                    try:
                        _key, timestamp, rest = line.split(" ", 2)
                        entry = json.loads(rest)
                    except ValueError:
                        continue  # a torn last line of an index being written
                    if entry.get("mime") == REVISIT_MIME:
                        continue
                    self._originals.setdefault((entry["url"], entry.get("digest", "")), []).append(
                        (timestamp, entry["filename"], int(entry["offset"]))
                    )
        found = [
            e for e in self._originals.get((url, _strip_digest(digest)), []) if e[0] <= before
        ]
        if not found:
            raise WarcReadError(f"revisit of {url}: no response with digest {digest} in the index")
        _, filename, offset = max(found)
        _, payload, _, _ = self._read(filename, offset, with_request=False)
        return payload


# --- export --------------------------------------------------------------------------------------


@dataclass
class ExportSummary:
    articles: int = 0
    captures: int = 0
    copied: int = 0
    from_revisit: int = 0
    rebuilt: int = 0
    skipped: int = 0


def _warc_date(fetched_at: str) -> str:
    moment = datetime.fromisoformat(fetched_at).astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _header_lines(headers: dict[str, Any]) -> list[tuple[str, str]]:
    lines = []
    for name, value in headers.items():
        for item in value if isinstance(value, list) else [value]:
            lines.append((str(name), str(item)))
    return lines


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _http_block(protocol: str, status: int, headers: list[tuple[str, str]], body: bytes) -> bytes:
    lines = [f"{protocol} {status} {_reason(status)}".rstrip()]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + body


class _Output:
    """The export file: records through warcio, copied gzip members as they are, and the index."""

    def __init__(self, stream: IO[bytes], name: str) -> None:
        self.stream = stream
        self.name = name
        self.writer = WARCWriter(stream, gzip=True, warc_version="1.1")
        self.index: list[str] = []

    def write(self, record: Any) -> tuple[int, int]:
        offset = self.stream.tell()
        self.writer.write_record(record)
        return offset, self.stream.tell() - offset

    def copy(self, raw: bytes) -> int:
        offset = self.stream.tell()
        self.stream.write(raw)
        return offset

    def add_index(self, url: str, date: str, mime: str, status: int, digest: str,
                  length: int, offset: int) -> None:
        fields = {
            "url": url, "mime": mime, "status": str(status), "digest": _strip_digest(digest),
            "length": str(length), "offset": str(offset), "filename": self.name,
        }
        self.index.append(f"{surt(url)} {_timestamp14(date)} {json.dumps(fields, ensure_ascii=False)}")


def _mime(headers: list[tuple[str, str]]) -> str:
    for name, value in headers:
        if name.lower() == "content-type":
            return value.split(";", 1)[0].strip().lower() or "unk"
    return "unk"


def export_warc(
    archive: Archive, filters: ArticleFilter | None, path: str | Path,
    warc_dir: str | Path | None = None, software: str = "newscrawler archive",
) -> ExportSummary:
    """Write every capture of the selected articles to ``path`` (``.warc.gz``) and
    ``path.cdxj``; returns what was written. See the module docstring."""
    from .query import ArticleFilter

    path = Path(path)
    store = WarcStore(warc_dir if warc_dir is not None else default_warc_dir(archive.path))
    clauses, params = (filters or ArticleFilter()).where()
    article_ids = [r[0] for r in archive.conn.execute(
        "SELECT a.id FROM articles a" + (" WHERE " + " AND ".join(clauses) if clauses else "")
        + " ORDER BY a.id", params)]
    summary = ExportSummary(articles=len(article_ids))
    with path.open("wb") as stream, store:  # the store closes the WARC files it kept open
        out = _Output(stream, path.name)
        out.write(out.writer.create_warcinfo_record(path.name, {
            "software": software,
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "description": "Captures of archived articles exported from a newscrawler archive",
            "archive": str(archive.path),
            "selection": json.dumps(vars(filters) if filters else {}, ensure_ascii=False),
        }))
        for article_id in article_ids:
            # Pages as served: a 304 (a conditional re-fetch) has no page to replay.
            captures = archive.conn.execute(
                "SELECT id, url, fetched_at, status, headers, warc_filename, warc_offset,"
                " version_id FROM captures WHERE article_id = ? AND status BETWEEN 200 AND 299"
                " ORDER BY fetched_at, id",
                (article_id,),
            ).fetchall()
            for capture in captures:
                _export_capture(archive, store, out, article_id, capture, summary)
    index = path.with_name(path.name + ".cdxj")
    index.write_text("".join(line + "\n" for line in sorted(out.index)), encoding="utf-8")
    return summary


def _export_capture(
    archive: Archive, store: WarcStore, out: _Output, article_id: int, capture: tuple[Any, ...],
    summary: ExportSummary,
) -> None:
    capture_id, url, fetched_at, status, headers_json, filename, offset, version_id = capture
    summary.captures += 1
    found: WarcCapture | None = None
    problem = "the crawl wrote no WARC record"
    if filename and offset is not None:
        try:
            found = store.load(filename, int(offset), raw=True)
        except (WarcReadError, OSError, ValueError) as exc:
            problem = str(exc)
            logger.warning("Capture %s: rebuilt from the archive (%s)", capture_id, exc)
    how: str
    if found is not None and found.record_type == "response":
        response_offset = out.copy(found.raw)
        record_id = found.record_id
        out.add_index(found.url, found.date, _mime(found.headers), found.status, found.digest,
                      found.response_length, response_offset)
        summary.copied += 1
        how = f"copied from {filename} at offset {offset}"
        target_url, date = found.url, found.date
    else:
        if found is not None:  # a revisit: its own status line and headers, its original's payload
            block = _http_block(found.protocol, found.status, found.headers, found.payload)
            target_url, date, status_code = found.url, found.date, found.status
            mime = _mime(found.headers)
            how = f"revisit in {filename} at offset {offset}, written with its original's payload"
            summary.from_revisit += 1
        else:
            try:
                body = archive.capture_body(capture_id)
            except KeyError:
                summary.skipped += 1
                logger.warning("Capture %s: not exported (no body in the archive; %s)",
                               capture_id, problem)
                return
            stored = [(k, v) for k, v in _header_lines(json.loads(headers_json))
                      if k.lower() not in _WIRE_HEADERS]
            stored.append(("Content-Length", str(len(body))))
            block = _http_block("HTTP/1.1", int(status), stored, body)
            target_url, date, status_code, mime = url, _warc_date(fetched_at), int(status), _mime(stored)
            how = ("rebuilt from the archive's stored body (content-decoded) and headers;"
                   f" {problem}")
            summary.rebuilt += 1
        record = out.writer.create_warc_record(
            target_url, "response", payload=BytesIO(block), length=len(block),
            warc_headers_dict={"WARC-Date": date},
        )
        response_offset, length = out.write(record)
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        digest = record.rec_headers.get_header("WARC-Payload-Digest") or ""
        out.add_index(target_url, date, mime, status_code, digest, length, response_offset)
    extractor = archive.conn.execute(
        "SELECT extractor FROM versions WHERE id = ?", (version_id,)
    ).fetchone()
    fields = [
        ("source", how), ("archive-capture-id", str(capture_id)),
        ("archive-article-id", str(article_id)), ("archive-version-id", str(version_id)),
        ("extractor", extractor[0] if extractor and extractor[0] else ""),
    ]
    body = "".join(f"{name}: {value}\r\n" for name, value in fields).encode("utf-8")
    out.write(out.writer.create_warc_record(
        target_url, "metadata", payload=BytesIO(body), length=len(body),
        warc_content_type="application/warc-fields",
        warc_headers_dict={"WARC-Date": date, "WARC-Refers-To": record_id},
    ))

