"""Merging the archives of several crawl nodes into one, as a single machine would have stored it.

``merge(out, [node1, node2, ...])`` reads each node's archive (a snapshot, see
``archive.snapshot``; opened read-only) and stores every capture into ``out`` through the
archive's own write path (``Archive.add_captures_of_runs``), all nodes' captures together in
fetch-time order. So the rules are the crawl's, not a second copy of them: an article URL
crawled on two nodes is one article; a version whose content is already there (same content
hash) is the same version; the current version is that of the latest capture; ``version_changes``
compare each version with the one seen before it; a sign of removal seen on one node and its
confirmation on another make the article ``removed``; hot-list entries point at the archived
article; the search index is written with each article made current. Captures merged later than
newer ones of the same article (a node's snapshot merged after another's) get the write path's
rules for late captures, and the removal status of an article with signs of removal is decided
again from all its captures in fetch order (``Writer.restate_status``).

Every id is new: runs, captures, articles, versions, people, rankings and events get ``out``'s
next ids, and every reference between them is to ``out``'s rows. A run is the same run when it
has the same portal, start time and settings (a later snapshot of a node brings its runs again:
a run that was still ``running`` takes the ending the later snapshot shows). A capture is the
same capture when it has the same URL, fetch time and body, as for a crawl: merging the same
snapshot twice adds nothing.

Captures are rebuilt for the write path from what the node stored: the body (decompressed), the
record from the stored version (its fields, with the version's own content hash, since the
archive keeps only the fields it files) and the capture's hot lists, comments and warnings.

WARC files are copied, with their CDXJ indexes, from ``warc/`` beside each node's archive into
``warc/`` beside ``out``, and captures keep their file name and offset: the merged archive and
its directory stand alone, as a crawl's do (``show``, ``export --format warc``, re-extraction
look there), whatever becomes of the nodes' files. File names carry the crawl's id, so nodes
never share one; a file of the same name that has grown since the last merge (a node's file
still open when the snapshot was taken) extends the shorter copy by the bytes that follow it, and
one whose bytes differ from the copy's leaves the copy as it was and is reported
(``snapshot.sync_warc_dir``).
"""

from __future__ import annotations

import heapq
import json
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import compress as codec
from .connection import BUSY_TIMEOUT_S, ArchiveError, check_file, database_error
from .db import Archive
from .query import version_content
from .schema import LATEST
from .snapshot import sync_warc_dir
from .warc import default_warc_dir

# What the report counts, by table: the id of the table's newest row tells what a capture added.
COUNTED = {
    "articles": "articles", "versions": "versions", "captures": "captures",
    "rankings": "rankings", "people": "people", "events": "article_events",
}
# Pages stored per transaction: each commit writes a search index segment.
BATCH = 500

_CAPTURES_SQL = (
    "SELECT c.id, c.run_id, c.url, c.fetched_at, c.status, c.kind, c.headers, c.body_sha256,"
    " c.article_id, c.version_id, c.comments, c.warnings, c.warc_filename, c.warc_offset,"
    " c.redirects, c.removal, a.canonical_url, v.content_sha256"
    " FROM captures c LEFT JOIN articles a ON a.id = c.article_id"
    " LEFT JOIN versions v ON v.id = c.version_id ORDER BY c.fetched_at, c.id"
)
_RUN_COLUMNS = ("portal", "started_at", "ended_at", "status", "settings", "stats", "flagged",
                "flag_reason", "acknowledged_at", "acknowledged_by", "acknowledged_note")


class MergeError(ArchiveError):
    """A merge that cannot be done: a source that is not an archive (or of another schema
    version), or a merged archive that stays locked."""


@dataclass
class SourceReport:
    """What one node's archive brought: per table, rows added and rows already present."""

    path: str
    added: dict[str, int] = field(default_factory=lambda: dict.fromkeys([*COUNTED, "runs"], 0))
    total: dict[str, int] = field(default_factory=dict)
    warc_files_copied: int = 0
    warc_files_present: int = 0
    warc_bytes_copied: int = 0
    # WARC files in the merged archive's directory kept as they were: this source's copy of
    # them differs (one line each, ``snapshot.sync_warc_dir``).
    warc_files_differing: list[str] = field(default_factory=list)
    # Captures whose WARC file is not in the merged archive's directory (the node had none).
    captures_without_warc: int = 0

    @property
    def present(self) -> dict[str, int]:
        return {name: max(self.total.get(name, 0) - added, 0) for name, added in self.added.items()}

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "added": dict(self.added), "already_present": self.present,
            "warc_files_copied": self.warc_files_copied,
            "warc_files_present": self.warc_files_present,
            "warc_bytes_copied": self.warc_bytes_copied,
            "warc_files_differing": list(self.warc_files_differing),
            "captures_without_warc": self.captures_without_warc,
        }


@dataclass
class MergeReport:
    out: str
    sources: list[SourceReport]
    seconds: float = 0.0

    @property
    def captures_added(self) -> int:
        return sum(s.added["captures"] for s in self.sources)

    @property
    def warc_files_differing(self) -> list[str]:
        """The WARC files kept as they were because a source's copy differs, one line each."""
        return [line for s in self.sources for line in s.warc_files_differing]

    def as_dict(self) -> dict[str, Any]:
        return {"out": self.out, "seconds": round(self.seconds, 3),
                "sources": [s.as_dict() for s in self.sources]}

    def rows(self) -> list[dict[str, Any]]:
        """One row per source and table: added, already present."""
        return [
            {"source": s.path, "rows": name, "added": s.added[name], "already_present": present}
            for s in self.sources for name, present in s.present.items()
        ]


class _Source:
    """A node's archive, read-only, and what the merge needs from it."""

    def __init__(self, index: int, path: Path) -> None:
        self.index, self.path = index, path
        if not path.is_file():
            raise MergeError(f"no archive at {path}")
        check_file(path)
        self.conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            # Damaged pages found before anything is written, not after some batches were.
            problem = self.conn.execute("PRAGMA quick_check(1)").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise MergeError(str(database_error(path, exc))) from exc
        if problem != "ok":  # "*** in database main ***\nOn tree page 147 cell 6: …"
            self.conn.close()
            found = sqlite3.DatabaseError(problem.splitlines()[-1])
            raise MergeError(str(database_error(path, found)))
        if version != LATEST:
            self.conn.close()
            if version > LATEST:
                raise MergeError(f"{path} has archive schema {version}, newer than this library's"
                                 f" {LATEST}: merge it with the newer newscrawler")
            raise MergeError(
                f"{path} has archive schema {version}, this library {LATEST}: open it once with"
                " this version (any command, e.g. `newscrawler stats --db …`) to bring it up to date"
                if version > 0 else f"{path} is not an archive of schema {LATEST}")
        self.report = SourceReport(str(path))
        self.runs: dict[int, int] = {}
        self._dictionaries: dict[int, bytes] = {}
        self._versions: dict[int, dict[str, Any]] = {}

    def count(self) -> None:
        for name, table in {**COUNTED, "runs": "runs"}.items():
            self.report.total[name] = self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def captures(self) -> Iterator[tuple[str, int, int, tuple[Any, ...]]]:
        # Sort key (fetch time, node, id), then the row: all nodes' captures interleave in time.
        for row in self.conn.cursor().execute(_CAPTURES_SQL):
            yield row[3], self.index, row[0], row

    def body(self, sha256: str) -> bytes:
        data, dictionary_id = self.conn.execute(
            "SELECT data, dictionary_id FROM bodies WHERE sha256 = ?", (sha256,)).fetchone()
        if dictionary_id is None:
            return codec.decompress(data, None)
        if dictionary_id not in self._dictionaries:
            (packed,) = self.conn.execute(
                "SELECT data FROM body_dictionaries WHERE id = ?", (dictionary_id,)).fetchone()
            self._dictionaries[dictionary_id] = codec.decompress(packed)
        return codec.decompress(data, self._dictionaries[dictionary_id])

    def lists(self, capture_id: int) -> dict[str, list[dict[str, Any]]]:
        """The capture's hot lists as the record held them, in the order they were stored."""
        rankings = [dict(zip(("list", "period", "rank", "title", "url"), r, strict=True))
                    for r in self.conn.execute(
                        "SELECT list, period, rank, title, url FROM rankings WHERE capture_id = ?"
                        " ORDER BY id", (capture_id,))]
        related = [dict(zip(("list", "title", "url"), r, strict=True)) for r in self.conn.execute(
            "SELECT list, title, url FROM related WHERE capture_id = ? ORDER BY id", (capture_id,))]
        return {"rankings": rankings, "related": related}

    def content(self, version_id: int) -> dict[str, Any]:
        # Twin captures (www. and m.) of one version come close together; a small cache suffices.
        found = self._versions.get(version_id)
        if found is None:
            if len(self._versions) > 256:
                self._versions.clear()
            found = self._versions[version_id] = version_content(self.conn, version_id)
        return found

    def close(self) -> None:
        self.conn.close()


def _merge_runs(out: Archive, source: _Source) -> None:
    """Map the node's runs to ``out``'s: the same run (portal, start, settings) or a new one."""
    columns = ", ".join(_RUN_COLUMNS)
    with out.transaction() as conn:
        for run_id, *values in source.conn.execute(f"SELECT id, {columns} FROM runs ORDER BY id"):
            row = dict(zip(_RUN_COLUMNS, values, strict=True))
            found = conn.execute(
                "SELECT id, status FROM runs WHERE portal = ? AND started_at = ? AND settings = ?",
                (row["portal"], row["started_at"], row["settings"])).fetchone()
            if found is None:
                new_id = conn.execute(
                    f"INSERT INTO runs ({columns}) VALUES ({', '.join('?' * len(values))})",
                    values).lastrowid
                assert new_id is not None
                source.runs[run_id] = new_id
                source.report.added["runs"] += 1
                continue
            source.runs[run_id] = found[0]
            if found[1] == "running" and row["status"] != "running":
                # A later snapshot of the node: the run has ended since the last merge.
                updated = ", ".join(f"{name} = ?" for name in _RUN_COLUMNS[2:])
                conn.execute(f"UPDATE runs SET {updated} WHERE id = ?",
                             (*values[2:], found[0]))


def _item(out: Archive, source: _Source, row: tuple[Any, ...]) -> tuple[
        int, dict[str, Any], dict[str, Any] | None, dict[str, Any] | None] | None:
    """The write path's arguments for a node's capture; None when ``out`` has it already."""
    (capture_id, run_id, url, fetched_at, status, kind, headers, body_sha256, _article,
     version_id, comments, warnings, warc_filename, warc_offset, redirects, removal,
     canonical_url, content_sha256) = row
    if removal is None and out.conn.execute(
        "SELECT 1 FROM captures WHERE url = ? AND fetched_at = ? AND body_sha256 = ?",
        (url, fetched_at, body_sha256),
    ).fetchone():
        # Stored already (this snapshot merged before): the write path would say so too, after
        # reading the body. A sign of removal goes through it, to be linked as the crawl did.
        return None
    capture: dict[str, Any] = {
        "url": url, "fetched_at": fetched_at, "status": status, "kind": kind,
        "headers": json.loads(headers), "body": source.body(body_sha256),
        "warc_filename": warc_filename, "warc_offset": warc_offset,
        "redirects": json.loads(redirects) if redirects else None, "removal": removal,
        "canonical_url": canonical_url, "content_sha256": content_sha256,
    }
    lists = source.lists(capture_id)
    if version_id is None or status == 304:
        # A page without a record: a listing, an error, a 304 or a sign of removal.
        return source.runs[run_id], capture, None, lists if any(lists.values()) else None
    content = source.content(version_id)
    record = {key: value for key, value in content.items() if key not in ("first_seen", "last_seen")}
    record.update(lists, url=url, fetched_at=fetched_at,
                  comments=json.loads(comments) if comments else None,
                  warnings=json.loads(warnings) if warnings else [])
    return source.runs[run_id], capture, record, None


def _newest(conn: sqlite3.Connection) -> dict[str, int]:
    return {name: conn.execute(f"SELECT ifnull(max(id), 0) FROM {table}").fetchone()[0]
            for name, table in COUNTED.items()}


def _store(out: Archive, sources: list[_Source]) -> None:
    """Every node's captures, in fetch-time order, through the write path in batches."""
    merged = heapq.merge(*(source.captures() for source in sources))
    current: _Source | None = None
    before: dict[str, int] = {}

    def attribute(source: _Source | None) -> None:
        # Rows added since the last switch belong to the node whose captures were being stored.
        nonlocal current, before
        if source is current:
            return
        now = _newest(out.conn)
        if current is not None:
            for name, newest in now.items():
                current.report.added[name] += newest - before[name]
        current, before = source, now

    def items(limit: int) -> Iterator[tuple[int, dict[str, Any], dict[str, Any] | None,
                                             dict[str, Any] | None]]:
        # Consumed inside the transaction: the ids read between pages are this transaction's.
        stored = 0
        for _at, index, _id, row in merged:
            source = sources[index]
            attribute(source)
            item = _item(out, source, row)
            if item is not None:
                yield item
                stored += 1
                if stored >= limit:
                    return
        attribute(None)

    while out.add_captures_of_runs(items(BATCH)):
        pass
    attribute(None)


def _warc_gaps(source: _Source, warc_dir: Path) -> int:
    """How many of the node's captures name a WARC file that the merged directory lacks."""
    counts = source.conn.execute(
        "SELECT warc_filename, count(*) FROM captures WHERE warc_filename IS NOT NULL"
        " GROUP BY warc_filename").fetchall()
    return sum(n for name, n in counts if not (warc_dir / name).is_file())


def merge(
    out_path: str | os.PathLike[str], sources: Sequence[str | os.PathLike[str]], *, warc: bool = True,
    busy_timeout: float = BUSY_TIMEOUT_S,
) -> MergeReport:
    """Merge the archives ``sources`` into ``out_path`` (created if missing); see the module
    docstring. With ``warc``, their WARC files are copied into ``warc/`` beside ``out_path``.

    ``MergeError`` names a source that is damaged or not an archive of this schema before
    anything is written, and ``out_path`` when it stays locked by another writer for
    ``busy_timeout`` seconds (what was merged until then stays; merging again adds the rest)."""
    started = time.perf_counter()
    out_path = Path(out_path)
    resolved = {Path(s).resolve() for s in sources}
    if out_path.exists() and out_path.resolve() in resolved:
        raise MergeError(f"{out_path} is both the merged archive and a source")
    opened: list[_Source] = []
    try:
        for index, path in enumerate(sources):
            opened.append(_Source(index, Path(path)))
        warc_dir = default_warc_dir(out_path)
        with Archive.open(out_path, busy_timeout=busy_timeout) as out:
            for source in opened:
                source.count()
                if warc:
                    synced = sync_warc_dir(default_warc_dir(source.path), warc_dir)
                    source.report.warc_files_copied, source.report.warc_files_present = (
                        synced.copied, synced.present)
                    source.report.warc_bytes_copied = synced.size
                    source.report.warc_files_differing = synced.differing
                _merge_runs(out, source)
            last = out.conn.execute("SELECT ifnull(max(id), 0) FROM captures").fetchone()[0]
            _store(out, opened)
            # An article's removal status depends on the order its evidence arrived: where this
            # merge added captures of an article with signs of removal, it is decided again from
            # all of them in fetch order (the same again when they came in order).
            out.restate_status([article_id for (article_id,) in out.conn.execute(
                "SELECT DISTINCT article_id FROM captures WHERE id > ? AND article_id IN"
                " (SELECT article_id FROM captures WHERE removal IS NOT NULL) ORDER BY 1",
                (last,)).fetchall()])
        for source in opened:
            source.report.captures_without_warc = _warc_gaps(source, warc_dir)
    except sqlite3.DatabaseError as exc:
        # The sources passed their check when opened: a lock or damage met now is the target's.
        raise MergeError(str(database_error(out_path, exc))) from exc
    finally:
        for source in opened:
            source.close()
    return MergeReport(str(out_path), [s.report for s in opened], time.perf_counter() - started)
