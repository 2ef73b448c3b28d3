"""Exporting captures as a WARC/1.1 file with its CDXJ index: ``export_warc``.

See the ``archive.warc`` package docstring and ``docs/warc.md``.
"""

from __future__ import annotations

import gzip
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from surt import surt  # type: ignore[import-untyped]  # SURT keys as pywb computes them
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

from .records import (
    DamagedRecord,
    WarcCapture,
    WarcReadError,
    default_warc_dir,
    strip_digest,
    timestamp14,
)
from .store import WarcStore

if TYPE_CHECKING:
    from ..db import Archive
    from ..query import ArticleFilter

logger = logging.getLogger(__name__)

# Headers that described the bytes on the wire, not the decoded body the archive stores.
_WIRE_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}


@dataclass
class ExportSummary:
    articles: int = 0
    captures: int = 0
    copied: int = 0
    from_revisit: int = 0
    rebuilt: int = 0
    skipped: int = 0
    # Captures whose WARC record (or the request record after it) is damaged.
    damaged: int = 0
    # One line per capture damaged or not exported: capture id, URL, what was done and why.
    problems: list[str] = field(default_factory=list)

    @property
    def written(self) -> int:
        return self.captures - self.skipped

    def line(self, path: object) -> str:
        """The counts on one line."""
        damaged = f"; damaged WARC records: {self.damaged}" if self.damaged else ""
        return (f"{self.written} captures of {self.articles} articles written to {path}"
                f" ({self.copied} copied from WARC files, {self.from_revisit} from revisits,"
                f" {self.rebuilt} rebuilt from the archive, {self.skipped} skipped){damaged}")


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

    def copy(self, found: WarcCapture) -> tuple[int, int]:
        """A response's stored bytes and its request record's, copied; where the response went
        and its length there.

        gzip members are copied as they are. Records of an uncompressed file are compressed,
        each its own member, byte for byte (their digests stay true): written as they are, they
        would make the rest of the file unreadable, a ``.warc.gz`` being read member by member.
        """
        offset = self.stream.tell()
        if found.compressed:
            self.stream.write(found.raw)
            return offset, found.response_length
        split = found.response_length
        self.stream.write(_member(found.raw[:split]))
        length = self.stream.tell() - offset
        if found.raw[split:]:
            self.stream.write(_member(found.raw[split:]))
        return offset, length

    def add_index(self, url: str, date: str, mime: str, status: int, digest: str,
                  length: int, offset: int) -> None:
        fields = {
            "url": url, "mime": mime, "status": str(status), "digest": strip_digest(digest),
            "length": str(length), "offset": str(offset), "filename": self.name,
        }
        self.index.append(f"{surt(url)} {timestamp14(date)} {json.dumps(fields, ensure_ascii=False)}")


def _member(record: bytes) -> bytes:
    """A record's bytes as one gzip member, as warcio's writer compresses the records it writes
    (level 9; mtime 0, so the same record always compresses the same)."""
    return gzip.compress(record, compresslevel=9, mtime=0)


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
    from ..query import ArticleFilter

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


def _problem(summary: ExportSummary, capture_id: int, url: str, what: str) -> None:
    """A capture damaged or not exported: listed in the summary (the command prints it)."""
    summary.problems.append(f"capture {capture_id} {url}: {what}")


def _export_capture(
    archive: Archive, store: WarcStore, out: _Output, article_id: int, capture: tuple[Any, ...],
    summary: ExportSummary,
) -> None:
    capture_id, url, fetched_at, status, headers_json, filename, offset, version_id = capture
    summary.captures += 1
    found: WarcCapture | None = None
    problem = "the crawl wrote no WARC record"
    damaged = False
    if filename and offset is not None:
        try:
            found = store.load(filename, int(offset), raw=True)
        except (WarcReadError, OSError, ValueError) as exc:
            problem, damaged = str(exc), isinstance(exc, DamagedRecord)
            if not damaged:  # the files moved away, a revisit's original not indexed
                logger.warning("Capture %s: rebuilt from the archive (%s)", capture_id, exc)
    if damaged:
        # Rebuilt below when the archive has the body; said and counted either way.
        summary.damaged += 1
    if found is not None and found.request_problem:
        summary.damaged += 1
        _problem(summary, capture_id, url, f"copied without its request record: {found.request_problem}")
    how: str
    if found is not None and found.record_type == "response":
        response_offset, length = out.copy(found)
        record_id = found.record_id
        out.add_index(found.url, found.date, _mime(found.headers), found.status, found.digest,
                      length, response_offset)
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
                _problem(summary, capture_id, url, f"not exported, no body in the archive: {problem}")
                return
            if damaged:
                _problem(summary, capture_id, url, f"rebuilt from the archive, its WARC record is damaged: {problem}")
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
