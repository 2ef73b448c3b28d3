"""Reading captures back from a directory of WARC files: ``WarcStore``.

``load`` parses a record with warcio (any layout, revisits resolved through the CDXJ indexes);
``body`` reads the crawler's common record (one gzip member, a plain response) directly: from a
window read ahead in the file, inflated in one call, then split into its page (``split.page``).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from io import BufferedReader, BytesIO
from pathlib import Path
from typing import Any, cast

from deflate import DeflateError, gzip_decompress  # libdeflate: about 1.4x ISA-L's inflate here
from isal import isal_zlib  # ISA-L's inflate: about 1.7x zlib's on WARC records
from warcio.bufferedreaders import ChunkedDataReader  # type: ignore[import-untyped]

from .plain import record_after
from .reading import GZIP_MAGIC, inflate_member, member_label, read_record_at
from .records import (
    REVISIT_MIME,
    DamagedRecord,
    WarcCapture,
    WarcReadError,
    decoded_payload,
    strip_digest,
    timestamp14,
)
from .split import page

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
# No window yet: (offset of data[0], last offset served from it, data).
_NO_WINDOW: tuple[int, int, memoryview] = (0, -1, memoryview(b""))
# isal's type stubs declare its exception as an instance rather than a class.
_INFLATE_ERROR = cast("type[Exception]", isal_zlib.error)
# What ends every WARC record after its block (the standard's CRLF CRLF): an uncompressed record
# is copied with it, though warcio does not count it in the record's length.
_RECORD_END = b"\r\n\r\n"
# WARC files a store keeps open between reads: re-extraction reads a file's records one after
# the other, and opening the file again for each costs as much as parsing the record's header.
_OPEN_FILES = 8


class WarcStore:
    """The WARC files of one directory, read by file name and offset (the captures' columns).

    The last few files read stay open (``close``, or use the store as a context manager).
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        # (url, payload digest) -> [(timestamp, filename, offset)] of full responses, from CDXJ.
        self._originals: dict[tuple[str, str], list[tuple[str, str, int]]] | None = None
        self._open: OrderedDict[str, BufferedReader] = OrderedDict()
        # The bytes last read by the direct reader in each open file: (offset of data[0], the
        # last offset read from them, data). One per file, so captures of crawls that wrote to
        # several files at once still read ahead in each.
        self._windows: dict[str, tuple[int, int, memoryview]] = {}
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
        """The open file ``filename``, the least recently read one closed past ``_OPEN_FILES``
        (a read from a file's window does not count: the window was read when it was)."""
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

    def _read(self, filename: str, offset: int, with_request: bool) -> tuple[Any, bytes, bytes, int, str, bool]:
        """The record at ``offset``, its payload, its stored bytes (with the request record that
        follows it, for ``with_request``), the length of the response's own bytes among them,
        why the request record following it could not be read (or ""), and whether the bytes are
        gzip members; ``DamagedRecord`` when the record itself is not whole.

        A record of an uncompressed file is given whole: up to the end of its block (its length
        in the file, as warcio counts it) and the ``CRLF CRLF`` that ends every record."""
        path = self.directory / filename
        stream = self._stream(filename)
        # The file stays open for the next read (_stream).
        record, payload, length = read_record_at(stream, offset, path)
        if record.rec_type not in ("response", "revisit"):
            raise WarcReadError(f"{path}: no response or revisit record at offset {offset}")
        if not with_request:
            return record, payload, b"", length, "", True
        stream.seek(offset)
        compressed = stream.read(2) == GZIP_MAGIC
        # Where the next record starts: right after a gzip member; past the blank lines after
        # an uncompressed record (read_record_at checked they are there).
        end = offset + length if compressed else record_after(stream, offset + length, str(path))
        spans = [(offset, length)]
        following, request_problem = None, ""
        stream.seek(end)
        if stream.read(1):  # the last record of a file has none after it
            try:
                following, _, following_length = read_record_at(stream, end, path)
            except DamagedRecord as exc:
                # The response is whole and is what is asked for: it is copied without the
                # damaged record after it rather than given up, and the damage is said.
                request_problem = str(exc)
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        if following is not None and following.rec_type == "request" and (
            following.rec_headers.get_header("WARC-Concurrent-To") == record_id
        ):
            spans.append((end, following_length))
        pieces = []
        for start, size in spans:
            stream.seek(start)
            pieces.append(stream.read(size) + (b"" if compressed else _RECORD_END))
        return record, payload, b"".join(pieces), len(pieces[0]), request_problem, compressed

    def load(self, filename: str, offset: int, raw: bool = False) -> WarcCapture:
        """The response at ``offset`` of ``filename``; ``raw`` keeps its stored bytes too."""
        record, payload, stored, length, request_problem, compressed = self._read(
            filename, offset, with_request=raw)
        http = record.http_headers
        if http is None:
            raise WarcReadError(f"{filename} at {offset}: no HTTP headers in the record")
        headers = [(str(k), str(v)) for k, v in http.headers]
        url = record.rec_headers.get_header("WARC-Target-URI")
        date = record.rec_headers.get_header("WARC-Date") or ""
        if record.rec_type == "revisit":
            target = record.rec_headers.get_header("WARC-Refers-To-Target-URI") or url
            digest = record.rec_headers.get_header("WARC-Payload-Digest") or ""
            payload = self._original_payload(target, digest, timestamp14(date))
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
            request_problem=request_problem, compressed=compressed,
        )

    def body(self, filename: str, offset: int) -> bytes:
        """The decoded payload at ``offset`` of ``filename``: ``decoded_payload`` of ``load``.

        A response record that is one gzip member with a plain (not chunked) body, as the crawler
        writes them, is unpacked and split here directly, several times faster than warcio's
        general reader; anything else (a revisit, a chunked body, an uncompressed file, an
        unexpected header layout) goes through ``load``. A damaged or truncated record raises
        ``WarcReadError``, never gives a cut body.
        """
        # Most reads are of a record in the window read ahead in its file (only the direct
        # reader of .gz files makes one): inflated and split here, without further calls.
        start, limit, data = self._windows.get(filename, _NO_WINDOW)
        if start <= offset <= limit:
            data = data[offset - start : offset - start + _MEMBER_SIZE]
            record: bytes | bytearray
            try:
                record = gzip_decompress(data, self._room)
            except DeflateError:
                record = self._inflate_again(filename, offset, data)
            found = page(record)
        else:
            found = self._direct_body(filename, offset) if filename.endswith(".gz") else None
        if found is None:
            capture = self.load(filename, offset)
            return decoded_payload(capture.headers, capture.payload)
        return found

    def _bytes_at(self, filename: str, offset: int) -> memoryview:
        """Bytes of ``filename`` from ``offset``, without copying them out of the window last read:
        at most ``_MEMBER_SIZE``, fewer after a read elsewhere in the file (at least
        ``_SMALL_READ``) or at its end, none past it. Valid until the next read of the same file."""
        start, limit, data = self._windows.get(filename, _NO_WINDOW)
        if start <= offset <= limit:
            return data[offset - start : offset - start + _MEMBER_SIZE]
        # Moving forward through the file: read ahead for the records that follow.
        ahead = bool(data) and start <= offset <= start + len(data) + _WINDOW_SIZE
        stream = self._stream(filename)
        stream.seek(offset)
        want = _WINDOW_SIZE if ahead else _SMALL_READ
        # Each file's window is read into the same buffer, whose pages stay mapped: a new
        # buffer of this size would be mapped afresh for every read ahead.
        buffer = self._buffers.get(filename)
        if buffer is None:
            buffer = self._buffers[filename] = bytearray(_WINDOW_SIZE)
        view = memoryview(buffer)
        got = 0
        while got < want:
            n = stream.readinto(view[got:want])
            if not n:
                break
            got += n
        data = view[:got]
        # Later reads are served from the window while it holds _MEMBER_SIZE bytes from their
        # offset; near the file's end they read again, and so see what was appended since.
        self._windows[filename] = (offset, offset + got - _MEMBER_SIZE, data)
        return data[:_MEMBER_SIZE]

    def _long_member(self, filename: str, offset: int) -> bytes:
        """The inflated gzip member at ``offset``, read a piece at a time from the file's window.

        Raises ``DamagedRecord`` for a damaged or truncated member: warcio would fail on it with
        a less telling message, or, for a truncated one, give a cut body as if it were whole.
        """
        data, _ = inflate_member(lambda at: self._bytes_at(filename, offset + at),
                                 member_label(self.directory / filename, offset))
        return data

    def _inflate(self, filename: str, offset: int) -> bytes | bytearray:
        """The inflated gzip member at ``offset``: a record's WARC header, HTTP header and page.

        One call inflates the member in place: the decompressor stops at its end, ignores the
        records after it, and checks the CRC and length. libdeflate does it fastest, given room
        for the whole output; a member that does not fit, or is longer than the bytes at hand (a
        page of several hundred kB, or any page after a read elsewhere), or is damaged, goes to
        ISA-L, and then piece by piece (``_long_member``), which says what is wrong if anything.
        """
        data = self._bytes_at(filename, offset)
        try:
            return gzip_decompress(data, self._room)
        except DeflateError:
            return self._inflate_again(filename, offset, data)

    def _inflate_again(self, filename: str, offset: int, data: memoryview) -> bytes:
        """``_inflate`` after libdeflate failed on ``data``, the bytes at ``offset``: it does not
        say why (too little room, too few bytes, or damage), so ISA-L tries, then the piecewise
        reader, which says what is wrong if anything; the room grows for a record that did not
        fit."""
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
        return page(self._inflate(filename, offset))

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
            e for e in self._originals.get((url, strip_digest(digest)), []) if e[0] <= before
        ]
        if not found:
            raise WarcReadError(f"revisit of {url}: no response with digest {digest} in the index")
        _, filename, offset = max(found)
        payload = self._read(filename, offset, with_request=False)[1]
        return payload
