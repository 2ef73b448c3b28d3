"""CDXJ indexes of WARC files: SURT keys, index lines, reading an index, loading a record.

No Scrapy here: the writer, the replay handler and anyone with a directory of WARCs use it.

A CDXJ line is ``<SURT key> <14-digit timestamp> <JSON>``; the JSON has the keys pywb writes
(``url``, ``mime``, ``status``, ``digest``, ``length``, ``offset``, ``filename``), with pywb's
conventions so that pywb can read our indexes as they are: values are strings, the digest is the
base32 SHA-1 without its ``sha1:`` prefix, and a revisit's ``mime`` is ``warc/revisit``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from surt import surt  # type: ignore[import-untyped]  # SURT keys as pywb computes them
from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from warcio.recordloader import ArcWarcRecord  # type: ignore[import-untyped]

REVISIT_MIME = "warc/revisit"


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


def index_warc(path: Path) -> Iterator[Entry]:
    """Index a WARC file by reading it (for WARCs that came without a ``.cdxj``)."""
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            if record.rec_type not in ("response", "revisit"):
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            status = record.http_headers.get_statuscode() if record.http_headers else "-"
            digest = record.rec_headers.get_header("WARC-Payload-Digest") or ""
            offset = records.get_record_offset()
            date = record.rec_headers.get_header("WARC-Date")
            mime = _mime(record)
            records.read_to_end(record)
            yield Entry(
                key=surt(url), timestamp=timestamp14(date), url=url, mime=mime, status=status,
                digest=strip_digest(digest), length=records.get_record_length(), offset=offset,
                filename=path.name, path=path,
            )


def warc_files(location: Path) -> list[Path]:
    """The WARC files at a location: the file itself, or a directory's ``*.warc.gz``/``*.warc``."""
    if location.is_file():
        return [location]
    if not location.is_dir():
        raise FileNotFoundError(f"no WARC file or directory at {location}")
    return sorted(p for p in location.iterdir() if p.name.endswith((".warc.gz", ".warc")))


def cdxj_path(warc: Path) -> Path:
    return warc.with_name(warc.name + ".cdxj")


def index_entries(location: Path) -> Iterator[Entry]:
    """Every capture at a location, from each file's ``.cdxj`` or, lacking one, the file itself."""
    for warc in warc_files(location):
        index = cdxj_path(warc)
        yield from (read_cdxj(index) if index.is_file() else index_warc(warc))


class CaptureIndex:
    """Captures by URL, for finding the latest capture of a URL and a revisit's original."""

    def __init__(self, entries: Iterable[Entry] = (), canonical: Callable[[str], str] | None = None) -> None:
        self.by_key: dict[str, list[Entry]] = {}
        # Optional folding of twins beyond SURT (a portal's www./m. hosts): the last resort.
        self.canonical = canonical
        self.by_canonical: dict[str, list[Entry]] = {}
        for entry in entries:
            self.add(entry)

    @classmethod
    def load(cls, location: str | Path, canonical: Callable[[str], str] | None = None) -> CaptureIndex:
        return cls(index_entries(Path(location)), canonical)

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


def read_record(path: Path, offset: int, consume: bool = True) -> tuple[ArcWarcRecord, bytes]:
    """The record at ``offset`` of a WARC file and its payload as stored (HTTP headers parsed off).

    The payload is the entity as received: still content-encoded (gzip stays gzip).
    """
    with path.open("rb") as stream:
        stream.seek(offset)
        record = next(iter(ArchiveIterator(stream)), None)
        if record is None:
            raise ValueError(f"{path}: no WARC record at offset {offset}")
        payload = record.raw_stream.read() if consume else b""
        return record, payload

