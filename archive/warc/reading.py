"""Reading one WARC record at an offset, whole or not at all: ``read_record_at``.

warcio reads damaged gzip quietly: a member that fails to inflate on its first read is taken for
uncompressed bytes (the record is then "not a WARC record"), and one that fails further on is cut
short with a line on standard error. So a gzip member is inflated here first, the decompressor
checking its CRC and length, and only then parsed by warcio: a damaged record raises
``DamagedRecord`` saying where and what, and never gives a cut or garbled payload. Every reader
of single records uses it: re-extraction and export (``WarcStore``), replay and the writer's
revisit check (``newscrawler.warc.index.read_record``); the walk through a file without an index
inflates each member with ``inflate_member`` too, and reads each uncompressed record with
``read_record_at``.

An uncompressed record has no CRC: warcio reads it checking its digests, and its framing is
checked (``plain.py``), so that a flipped byte, a cut or a wrong ``Content-Length`` raises the
same ``DamagedRecord``.

``next_record_at`` finds, past damage in a file read through without an index, the next gzip
member or uncompressed record that reads whole as a WARC record: where reading can go on.
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import IO, Any, cast

from isal import isal_zlib  # ISA-L's inflate: about 1.7x zlib's on WARC records
from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]
from warcio.exceptions import ArchiveLoadFailed  # type: ignore[import-untyped]

from .plain import RECORD_START, check_plain
from .records import DamagedRecord

GZIP_MAGIC = b"\x1f\x8b"
# A gzip member's first bytes: the magic and deflate, the only method (RFC 1952).
MEMBER_START = GZIP_MAGIC + b"\x08"
# Compressed bytes read at once: a page record is 5 kB or so of gzip.
READ_CHUNK = 64 * 1024
# isal's type stubs declare its exception as an instance rather than a class.
_INFLATE_ERROR = cast("type[Exception]", isal_zlib.error)


def member_label(name: object, offset: int) -> str:
    """How messages name a gzip member: ``FILE: the gzip member at offset N``."""
    return f"{name}: the gzip member at offset {offset}"


def inflate_member(read: Callable[[int], bytes | memoryview], where: str) -> tuple[bytes, int]:
    """A gzip member inflated, and its length in the file; ``where`` names it in errors.

    ``read(at)`` gives bytes of the file from ``at`` bytes into the member (any number of them,
    none past the file's end). The decompressor stops at the member's end and checks its CRC
    and length: a member that does not inflate, or that the file ends inside, raises
    ``DamagedRecord``.
    """
    unpacker = isal_zlib.decompressobj(16 + isal_zlib.MAX_WBITS)
    parts = []
    done = 0
    try:
        while not unpacker.eof:
            chunk = read(done)
            if not chunk:
                raise DamagedRecord(f"{where} is truncated (the file ends {done} bytes into it)", truncated=True)
            parts.append(unpacker.decompress(chunk))
            done += len(chunk)
    except _INFLATE_ERROR as exc:
        raise DamagedRecord(f"{where} is damaged ({exc})") from exc
    return b"".join(parts), done - len(unpacker.unused_data)


def read_record_at(stream: IO[bytes], offset: int, name: object) -> tuple[Any, bytes, int]:
    """The record at ``offset`` of an open WARC file (``name`` in errors): warcio's record, its
    payload as stored (HTTP headers parsed off, still content-encoded) and its length in the file
    (for an uncompressed record, up to the end of its block: the blank lines after it are not
    counted, as warcio and pywb count them).

    A record in a gzip member is inflated whole first (``inflate_member``); one in an
    uncompressed file is read by warcio checking its digests, and its framing is checked
    (``plain.check_plain``). Either way a record that cannot be read whole raises
    ``DamagedRecord``.
    """
    stream.seek(offset)
    if stream.read(2) == GZIP_MAGIC:
        where = member_label(name, offset)

        def read(at: int) -> bytes:
            stream.seek(offset + at)
            return stream.read(READ_CHUNK)

        data, length = inflate_member(read, where)
        # The member's CRC covers every byte of the record as written: its digests would only
        # check the same bytes again.
        record, payload = _parse(ArchiveIterator(BytesIO(data)), where)
        return record, payload, length
    where = f"{name}: the record at offset {offset}"
    stream.seek(offset)
    records = ArchiveIterator(stream, check_digests=True)
    record, payload = _parse(records, where)
    # The block's end: as far as warcio's buffered reader has used the file (as warcio finds a
    # record's length).
    block_end = stream.tell() - records.reader.rem_length()
    check_plain(stream, offset, record, block_end, where)
    return record, payload, block_end - offset


def _parse(records: Any, where: str) -> tuple[Any, bytes]:
    """The first record warcio's iterator ``records`` gives, and its payload read to the end of
    its block; ``DamagedRecord`` for a record not there whole."""
    # Whatever warcio raises on the bytes there is the record's damage, said plainly.
    try:
        record = next(records, None)
        payload = record.raw_stream.read() if record is not None else b""
    except ArchiveLoadFailed as exc:
        raise DamagedRecord(f"{where} is not a WARC record ({str(exc)[:80]})") from exc
    except Exception as exc:
        raise DamagedRecord(f"{where} has unreadable headers ({type(exc).__name__})") from exc
    if record is None:
        raise DamagedRecord(f"{where} is truncated (the file ends there)", truncated=True,
                            reason="cut off (the file ends where a record starts)")
    if record.rec_headers.get_header("Content-Length") is None:
        # Mandatory in every record: without it the header block was cut off (and warcio would
        # take the rest of the file for its block).
        raise DamagedRecord(f"{where} has no Content-Length (its headers are cut off or corrupt)",
                            truncated=True, reason="cut off (a record's headers end early)")
    # warcio ends a block cut short quietly: its reader still expecting bytes is the only sign.
    missing = int(getattr(record.raw_stream, "limit", 0) or 0)
    if missing:
        raise DamagedRecord(f"{where} is truncated ({missing} bytes of its block missing)", truncated=True,
                            reason=f"cut off ({missing} bytes of a record missing)")
    return record, payload


def next_record_at(stream: IO[bytes], start: int, name: object) -> int | None:
    """The offset of the first record at or after ``start`` in an open file that reads whole
    (``read_record_at``): a gzip member, or an uncompressed record's ``WARC/`` line at the start
    of a line; None when there is none up to the file's end.

    Every place such a start occurs is tried, in order: in damaged or compressed bytes, or in a
    payload, they occur by chance, and such a candidate does not read whole as a WARC record.
    """
    at = start
    while True:
        stream.seek(at)
        block = stream.read(READ_CHUNK)
        if len(block) < len(MEMBER_START):
            return None
        found = _candidate(block, at == 0)
        if found < 0:
            if len(block) < READ_CHUNK:
                return None  # up to the file's end
            # The last bytes again with the next block: a start split between the two.
            at += len(block) - max(len(MEMBER_START), len(RECORD_START) + 1) + 1
            continue
        try:
            read_record_at(stream, at + found, name)
        except DamagedRecord:
            at += found + 1
            continue
        return at + found


def _candidate(block: bytes, file_start: bool) -> int:
    """Where in ``block`` a record may start first: a gzip member's first bytes, or ``WARC/``
    at the file's start or after a line break; -1 for nowhere."""
    member = block.find(MEMBER_START)
    if file_start and block.startswith(RECORD_START):
        plain = 0
    else:
        plain = block.find(b"\n" + RECORD_START)
        if plain >= 0:
            plain += 1  # past the line break
    if member < 0 or 0 <= plain < member:
        return plain
    return member
