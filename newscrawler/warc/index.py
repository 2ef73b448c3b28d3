"""CDXJ indexes of WARC files: SURT keys, index lines, reading an index, loading a record.

No Scrapy here: the writer, the replay handler and anyone with a directory of WARCs use it.

A CDXJ line is ``<SURT key> <14-digit timestamp> <JSON>``; the JSON has the keys pywb writes
(``url``, ``mime``, ``status``, ``digest``, ``length``, ``offset``, ``filename``), with pywb's
conventions so that pywb can read our indexes as they are: values are strings, the digest is the
base32 SHA-1 without its ``sha1:`` prefix, and a revisit's ``mime`` is ``warc/revisit``.

A damaged file (cut off, corrupt, not a WARC) with no index: ``index_warc`` raises
``DamagedWarc`` at the damage; ``read_index`` and ``CaptureIndex.load`` keep every record that
reads whole, those past the damage too (reading goes on at the next gzip member or uncompressed
record that reads whole as a WARC record, ``archive.warc.reading.next_record_at``), and say where
and why (``Damage``). A
file's ``.cdxj`` lists its captures by offset, so with one every capture stays known, damage or
not: ``read_record`` reads one whole or raises ``DamagedRecord``.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from io import BytesIO
from pathlib import Path
from typing import IO, TYPE_CHECKING

from surt import surt  # type: ignore[import-untyped]  # SURT keys as pywb computes them
from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]
from warcio.exceptions import ArchiveLoadFailed  # type: ignore[import-untyped]

from archive.warc.plain import record_after
from archive.warc.reading import (
    GZIP_MAGIC,
    MEMBER_START,
    READ_CHUNK,
    inflate_member,
    member_label,
    next_record_at,
    read_record_at,
)
from archive.warc.records import DamagedRecord

if TYPE_CHECKING:
    from warcio.recordloader import ArcWarcRecord  # type: ignore[import-untyped]

REVISIT_MIME = "warc/revisit"
logger = logging.getLogger(__name__)


def timestamp14(warc_date: str) -> str:
    """``2024-07-01T03:04:05Z`` (any precision) → ``20240701030405``."""
    return re.sub(r"\D", "", warc_date)[:14].ljust(14, "0")


def strip_digest(digest: str) -> str:
    return digest.split(":", 1)[1] if ":" in digest else digest


@dataclass(frozen=True)
class Entry:
    """One indexed capture (a response or a revisit record)."""

    key: str
    timestamp: str
    url: str
    mime: str
    status: str
    digest: str
    length: int
    offset: int
    filename: str
    # The WARC file, resolved against the index's directory (not written to the CDXJ line).
    path: Path

    @property
    def is_revisit(self) -> bool:
        return self.mime == REVISIT_MIME

    def line(self) -> str:
        fields = {
            "url": self.url, "mime": self.mime, "status": self.status, "digest": self.digest,
            "length": str(self.length), "offset": str(self.offset), "filename": self.filename,
        }
        return f"{self.key} {self.timestamp} {json.dumps(fields, ensure_ascii=False)}"

    @property
    def order(self) -> tuple[str, str, int]:
        """Later captures sort higher; file order breaks ties within one second."""
        return (self.timestamp, self.filename, self.offset)


def parse_line(line: str, directory: Path) -> Entry:
    key, timestamp, rest = line.split(" ", 2)
    fields = json.loads(rest)
    return Entry(
        key=key, timestamp=timestamp, url=fields["url"], mime=fields.get("mime", ""),
        status=str(fields.get("status", "")), digest=fields.get("digest", ""),
        length=int(fields["length"]), offset=int(fields["offset"]), filename=fields["filename"],
        path=directory / fields["filename"],
    )


def read_cdxj(path: Path) -> Iterator[Entry]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            line = line.strip()
            if not line or line.startswith("!"):
                continue
            try:
                yield parse_line(line, path.parent)
            except (ValueError, KeyError) as exc:
                raise ValueError(f"{path}:{number}: not a CDXJ line: {exc}") from exc


def _mime(record: ArcWarcRecord) -> str:
    if record.rec_type == "revisit":
        return REVISIT_MIME
    value = record.http_headers.get_header("Content-Type") if record.http_headers else None
    return (value or "unk").split(";", 1)[0].strip().lower()


@dataclass(frozen=True)
class Damage:
    """Where reading a WARC file met damage, and why: what a replay reports of a damaged file."""

    filename: str
    reason: str
    # The byte where the unreadable part starts, and the records read whole before it (None
    # when the file was not read through, only checked against its index).
    offset: int
    records: int | None
    # The captures of the file that can still be replayed.
    captures: int = 0
    # Where reading went on past the damage (the next gzip member that reads as a WARC record),
    # or None: nothing past it could be read.
    resumed: int | None = None

    @property
    def unreadable(self) -> bool:
        """Nothing of the file can be read."""
        return self.offset == 0 and not self.records and self.resumed is None

    def __str__(self) -> str:
        if self.unreadable:
            return f"{self.filename}: {self.reason}, nothing replayable"
        where = f"at byte {self.offset}" + ("" if self.records is None else f" after {self.records} records")
        if self.resumed is not None:
            where += f", read on from byte {self.resumed}"
        return f"{self.filename}: {self.reason} {where}; {self.captures} captures replayable"


class DamagedWarc(ValueError):
    """A WARC file that stops being readable part way (or at once): cut off, corrupt, not a WARC."""

    def __init__(self, damage: Damage) -> None:
        super().__init__(str(damage))
        self.damage = damage


def _reason(exc: BaseException, at: int) -> str:
    """What a reader error at byte ``at`` of a file means to someone holding the file."""
    if isinstance(exc, ArchiveLoadFailed):
        if "non-chunked gzip" in str(exc):
            return "gzipped whole, not record by record (`warcio recompress` makes it readable)"
        if "Unknown archive format" in str(exc):
            return "not a WARC file" if at == 0 else "not a WARC record"
        return f"invalid record ({str(exc)[:80]})"
    if isinstance(exc, (zlib.error, EOFError, gzip.BadGzipFile)):
        return f"corrupt gzip data ({exc})"
    if isinstance(exc, OSError):
        return f"cannot read the file ({exc.strerror or exc})"
    # warcio parses what a cut-off header block leaves with no check of its own: a record
    # without WARC-Target-URI fails inside it (an AttributeError on None), and the like.
    return "unreadable record headers (cut off or malformed)"


def _missing_bytes(record: ArcWarcRecord) -> int:
    """How many bytes of its block a record read to its end lacks (0 when whole).

    warcio ends a file cut in the middle of a record quietly, with the record short: its block
    reader still expecting bytes is the only sign.
    """
    return int(getattr(record.raw_stream, "limit", 0) or 0)


class _Unreadable(Exception):
    """Where a walk through a file stops, and why (``_records`` makes it a ``DamagedWarc``)."""

    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(reason)
        self.reason, self.offset = reason, offset


def _records(path: Path, start: int = 0, read: int = 0) -> Iterator[tuple[ArcWarcRecord, int, int, int]]:
    """Each record read whole from ``start`` on, with its offset, its length and how many came
    before it (``read`` before ``start``); where the file stops being readable, ``DamagedWarc``
    saying where and why (its captures: those read from ``start``).

    A file of gzip members is walked member by member, each inflated whole by the shared
    reader before warcio parses it (``_members``): a damaged member is found where it starts
    and said as what it is, never read as a cut record. An uncompressed file is walked record
    by record with the shared reader, which checks each one's digests and framing (``_plain``).
    """
    captures = 0
    position = start

    def damaged(reason: str, offset: int) -> DamagedWarc:
        # warcio's offsets in a file gzipped whole are not the file's: never below its start.
        return DamagedWarc(Damage(path.name, reason, max(offset, 0), read, captures))

    try:
        stream = path.open("rb")
    except OSError as exc:
        raise damaged(_reason(exc, 0), 0) from exc
    with stream:
        try:
            walk = (_members if stream.read(2) == GZIP_MAGIC else _plain)(stream, start, path.name)
            for record, offset, length in walk:
                if record.rec_headers.get_header("Content-Length") is None:
                    # Mandatory in every record: without it the header block was cut off.
                    raise _Unreadable("cut off (a record's headers end early)", offset)
                missing = _missing_bytes(record)
                if missing:
                    raise _Unreadable(f"cut off ({missing} bytes of a record missing)", offset)
                yield record, offset, length, read
                read += 1
                captures += record.rec_type in ("response", "revisit")
                position = offset + length
        except _Unreadable as exc:
            raise damaged(exc.reason, exc.offset) from exc
        except OSError as exc:  # the disk failed to give the bytes after the last record read
            raise damaged(_reason(exc, position), position) from exc


def _members(stream: IO[bytes], start: int, name: str) -> Iterator[tuple[ArcWarcRecord, int, int]]:
    """The records of a file of gzip members from ``start`` on, one a member; ``_Unreadable``
    where a member does not read whole or holds no WARC record."""
    offset = start
    while True:
        stream.seek(offset)
        head = stream.read(len(MEMBER_START))
        if head != MEMBER_START:
            stream.seek(offset)
            if stream.read(4096).strip():
                # A file cut in the first bytes of a member, or bytes that are not one.
                raise _Unreadable("cut off or corrupt (bytes past the last whole record are unreadable)", offset)
            return

        def read(at: int, offset: int = offset) -> bytes:
            stream.seek(offset + at)
            return stream.read(READ_CHUNK)

        try:
            data, length = inflate_member(read, member_label(name, offset))
        except DamagedRecord as exc:
            reason = ("cut off (the file ends inside the gzip member of a record)" if exc.truncated
                      else f"corrupt gzip data ({exc.__cause__})")
            raise _Unreadable(reason, offset) from exc
        records = ArchiveIterator(BytesIO(data))
        # Whatever warcio raises on the bytes of a member is that member's damage.
        try:
            record = next(records, None)
            if record is None:
                raise _Unreadable("no WARC record in a gzip member", offset)
            records.read_to_end(record)
            more = next(records, None) is not None
        except _Unreadable:
            raise
        except Exception as exc:
            raise _Unreadable(_reason(exc, offset), offset) from exc
        if more:
            # One member for all the records: none can be found by its offset.
            raise _Unreadable("gzipped whole, not record by record (`warcio recompress` makes it readable)",
                              offset)
        yield record, offset, length
        offset += length


def _plain(stream: IO[bytes], start: int, name: str) -> Iterator[tuple[ArcWarcRecord, int, int]]:
    """The records of an uncompressed file from ``start`` on, each read whole by the shared
    reader (its digests and framing checked); ``_Unreadable`` where one does not read whole."""
    offset = start
    while True:
        stream.seek(offset)
        if not stream.read(1):
            return
        try:
            record, _, length = read_record_at(stream, offset, name)
        except DamagedRecord as exc:
            # warcio's own error says best what the bytes are (not a WARC file at all, say).
            cause = exc.__cause__
            raise _Unreadable(exc.reason if cause is None else _reason(cause, offset), offset) from exc
        yield record, offset, length
        # The blank lines after the record, then the next one (read_record_at checked them).
        offset = record_after(stream, offset + length, name)


def index_warc(path: Path) -> Iterator[Entry]:
    """Index a WARC file by reading it (for WARCs that came without a ``.cdxj``).

    Yields the captures of every record read whole; where the file stops being readable (cut
    off, corrupt, not a WARC at all), raises ``DamagedWarc`` saying where and why. (What a
    damaged file still holds past the damage: ``scan_warc``.)
    """
    yield from _entries(path)


def scan_warc(path: Path) -> tuple[list[Entry], list[Damage]]:
    """The captures of every record of a WARC file that reads whole, and the damage met.

    Where the file stops being readable, reading goes on at the next gzip member that reads
    whole as a WARC record (each record is its own member, so those after a damaged one are
    whole): the records past a corrupt member are replayed, only the damaged ones are lost.
    Each damage says where it starts, where reading went on, and how many captures the file
    still gives.
    """
    entries: list[Entry] = []
    damages: list[Damage] = []
    start = read = 0
    while True:
        try:
            entries.extend(_entries(path, start, read))
            break
        except DamagedWarc as exc:
            damage = exc.damage
            read = damage.records or 0
            resumed = _next_record(path, damage.offset + 1)
            damages.append(Damage(damage.filename, damage.reason, damage.offset, damage.records,
                                  resumed=resumed))
            if resumed is None:
                break
            start = resumed
    # Each damage says what the whole file still gives.
    return entries, [replace(d, captures=len(entries)) for d in damages]


def _next_record(path: Path, start: int) -> int | None:
    try:
        with path.open("rb") as stream:
            return next_record_at(stream, start, path.name)
    except OSError:
        return None


def _entries(path: Path, start: int = 0, read: int = 0) -> Iterator[Entry]:
    """The captures of the records read whole from ``start`` on (``_records``; ``read``
    records before it)."""
    for record, offset, length, _ in _records(path, start, read):
        if record.rec_type not in ("response", "revisit"):
            continue
        url = record.rec_headers.get_header("WARC-Target-URI")
        status = record.http_headers.get_statuscode() if record.http_headers else "-"
        digest = record.rec_headers.get_header("WARC-Payload-Digest") or ""
        date = record.rec_headers.get_header("WARC-Date") or ""
        yield Entry(
            key=surt(url), timestamp=timestamp14(date), url=url, mime=_mime(record), status=status,
            digest=strip_digest(digest), length=length, offset=offset, filename=path.name, path=path,
        )


def first_record_damage(path: Path) -> Damage | None:
    """Why no record of a file can be read, or None: a quick check that a file is a WARC at all,
    without reading it through (past a damaged first record, only as far as the next record
    that reads whole)."""
    try:
        for _ in _records(path):
            return None
    except DamagedWarc as exc:
        if _next_record(path, exc.damage.offset + 1) is None:
            return exc.damage
        return None
    return Damage(path.name, "no WARC records", 0, 0)


def warc_files(location: Path) -> list[Path]:
    """The WARC files at a location: the file itself, or a directory's ``*.warc.gz``/``*.warc``."""
    if location.is_file():
        return [location]
    if not location.is_dir():
        raise FileNotFoundError(f"no WARC file or directory at {location}")
    return sorted(p for p in location.iterdir() if p.name.endswith((".warc.gz", ".warc")))


def cdxj_path(warc: Path) -> Path:
    return warc.with_name(warc.name + ".cdxj")


def read_index(warc: Path) -> tuple[list[Entry], list[Damage]]:
    """The captures of one WARC file, from its ``.cdxj`` or, lacking one, the file itself
    (``scan_warc``: past damage too), and the damage met (none for a whole file)."""
    index = cdxj_path(warc)
    if index.is_file():
        try:
            listed = list(read_cdxj(index))
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            logger.warning("Ignoring the index %s (%s): reading %s itself", index.name, exc, warc.name)
        else:
            entries, damage = _within_file(warc, listed)
            return entries, [] if damage is None else [damage]
    return scan_warc(warc)


def _within_file(warc: Path, listed: list[Entry]) -> tuple[list[Entry], Damage | None]:
    """The captures an index lists, and the damage of a file cut off after it was indexed.

    Those past the file's end (all of them, for a file that cannot be read) stay listed: the
    pages were captured, and a replay asking for one fails on its record, as on any damaged
    record, rather than answer as if it never was.
    """
    try:
        size = warc.stat().st_size
    except OSError as exc:
        return listed, Damage(warc.name, _reason(exc, 0), 0, None)
    kept = sum(e.offset + e.length <= size for e in listed)
    if kept == len(listed):
        return listed, None
    lost = len(listed) - kept
    reason = f"cut off ({lost} of the {len(listed)} captures its index lists are past its end)"
    return listed, Damage(warc.name, reason, size, None, kept)


def index_entries(location: Path, damaged: list[Damage] | None = None) -> Iterator[Entry]:
    """Every capture at a location, from each file's ``.cdxj`` or, lacking one, the file itself;
    what a damaged file still holds, the damage added to ``damaged``."""
    for warc in warc_files(location):
        entries, damages = read_index(warc)
        if damaged is not None:
            damaged.extend(damages)
        yield from entries


class CaptureIndex:
    """Captures by URL, for finding the latest capture of a URL and a revisit's original."""

    def __init__(self, entries: Iterable[Entry] = (), canonical: Callable[[str], str] | None = None) -> None:
        self.by_key: dict[str, list[Entry]] = {}
        # Optional folding of twins beyond SURT (a portal's www./m. hosts): the last resort.
        self.canonical = canonical
        self.by_canonical: dict[str, list[Entry]] = {}
        # The files that could be read only in part (or not at all), and why.
        self.damaged: list[Damage] = []
        for entry in entries:
            self.add(entry)

    @classmethod
    def load(cls, location: str | Path, canonical: Callable[[str], str] | None = None) -> CaptureIndex:
        """The captures of every file at a location that can be read; damaged files in ``damaged``."""
        damaged: list[Damage] = []
        index = cls(index_entries(Path(location), damaged), canonical)
        index.damaged = damaged
        return index

    def add(self, entry: Entry) -> None:
        self.by_key.setdefault(entry.key, []).append(entry)
        if self.canonical is not None:
            self.by_canonical.setdefault(self.canonical(entry.url), []).append(entry)

    def __len__(self) -> int:
        return sum(len(entries) for entries in self.by_key.values())

    def latest(self, url: str) -> Entry | None:
        """The latest capture of exactly this URL, else of the same SURT key (``www.``/``http``
        twins), else of the same canonical URL.

        A 304 answered a conditional request and holds no page: the latest full capture before
        it is what the page was, so 304s are only chosen when nothing else was captured.
        """
        candidates = self.by_key.get(surt(url), [])
        exact = [e for e in candidates if e.url == url]
        chosen = exact or candidates
        if not chosen and self.canonical is not None:
            chosen = self.by_canonical.get(self.canonical(url), [])
        chosen = [e for e in chosen if e.status != "304"] or chosen
        return max(chosen, key=lambda e: e.order) if chosen else None

    def original(self, url: str, digest: str, before: Entry | None = None) -> Entry | None:
        """The latest full response of ``url`` with this payload digest (what a revisit means)."""
        digest = strip_digest(digest)
        found = [
            e for e in self.by_key.get(surt(url), [])
            if not e.is_revisit and e.digest == digest and e.url == url
            and (before is None or e.order <= before.order)
        ]
        return max(found, key=lambda e: e.order) if found else None


def read_record(path: Path, offset: int) -> tuple[ArcWarcRecord, bytes]:
    """The record at ``offset`` of a WARC file and its payload as stored (HTTP headers parsed off).

    The payload is the entity as received: still content-encoded (gzip stays gzip). A record
    that cannot be read whole raises ``DamagedRecord`` naming the file and offset (the archive
    library's reader, ``archive.warc.reading``); a file that cannot be opened, ``OSError``.
    """
    with path.open("rb") as stream:
        record, payload, _ = read_record_at(stream, offset, path.name)
    return record, payload
