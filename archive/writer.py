"""Storing one fetched page: the capture, and the article version its record describes.

``Writer.add_capture`` is the whole write path of a crawl. ``archive.db`` wraps each call in one
``BEGIN IMMEDIATE`` transaction, so a crash part-way leaves no capture, article or version half
written. Its parts, by concern: ``records`` (checks and hashes), ``bodies`` (page bodies),
``versions`` (articles and versions), ``status`` (removal and restoration), ``lists`` (hot lists).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from . import repeated
from .bodies import MIN_DICTIONARY_SAMPLE, BodyWriter
from .fold import FoldTable
from .lists import ListWriter
from .records import (
    REQUIRED_KEYS,
    REQUIRED_VALUES,
    VOLATILE_KEYS,
    _check_record,
    _header_text,
    _published_utc,
    content_hash,
    utc_iso,
)
from .status import StatusWriter
from .versions import ReparseHint, VersionWriter

__all__ = [
    "MIN_DICTIONARY_SAMPLE", "REQUIRED_KEYS", "REQUIRED_VALUES", "VOLATILE_KEYS", "Writer",
    "_published_utc", "content_hash", "utc_iso",
]


class Writer(VersionWriter, StatusWriter, ListWriter, BodyWriter):
    """Write path bound to one connection. Not thread-safe, like the connection itself."""

    def __init__(
        self, conn: sqlite3.Connection, fold_table: FoldTable | Callable[[], FoldTable]
    ) -> None:
        super().__init__(conn, fold_table)
        self._run_portals: dict[int, str] = {}

    # Transaction hooks: cached dictionary ids are only trusted once their row is committed.
    def committed(self) -> None:
        self._dictionaries.update(self._pending)
        self._pending.clear()

    def rolled_back(self) -> None:
        self._pending.clear()
        self._search_rows.clear()

    def flush(self) -> None:
        """Write the transaction's search index rows; ``archive.db`` calls it before COMMIT.

        FTS5 writes its pending terms out as a new index segment whenever a later statement of the
        transaction opens a statement journal (an UPDATE with constraints does), so rows inserted
        as each page is stored would make one segment per page however many pages a transaction
        holds. Written together at the end, they make one segment per transaction. In order: an
        article made current twice in a transaction is deleted and inserted as it was stored.
        The rows of ``repeated_chars`` follow the index's, from the same texts.
        """
        rows, self._search_rows = self._search_rows, []
        for row in rows:
            if row.delete:
                self.conn.execute(
                    "INSERT INTO search (search, rowid, headline, body, names)"
                    " VALUES ('delete', ?, ?, ?, ?)",
                    (row.article_id, *row.values),
                )
                repeated.remove(self.conn, row.article_id, row.values, row.chars)
            else:
                self.conn.execute(
                    "INSERT INTO search (rowid, headline, body, names) VALUES (?, ?, ?, ?)",
                    (row.article_id, *row.values),
                )
                repeated.add(self.conn, row.article_id, row.values, row.chars)

    def add_capture(
        self, run_id: int, capture: dict[str, Any], record: dict[str, Any] | None,
        context: dict[str, Any] | None = None,
    ) -> str:
        if record is not None:
            _check_record(record)  # before anything is written
        portal = self._run_portal(run_id)
        fetched_at = utc_iso(capture["fetched_at"])
        body = capture.get("body") or b""
        if isinstance(body, str):
            raise TypeError("capture body must be bytes, as fetched")
        digest = self._store_body(body, portal, capture.get("kind") or "page")
        row = self.conn.execute(
            "SELECT id FROM captures WHERE url = ? AND fetched_at = ? AND body_sha256 = ?",
            (capture["url"], fetched_at, digest),
        ).fetchone()
        if row is not None:
            # The very same fetch stored again (a replayed crawl): nothing new to record, unless
            # it is where an archived article now redirects (a home page also fetched as itself
            # at the same capture time): then it is that article's evidence too.
            if record is None and capture.get("removal"):
                self._removal_observed(capture, row[0], fetched_at, portal)
            return "unchanged" if record is not None else "captured"
        capture_id = self._insert(
            "INSERT INTO captures (run_id, url, fetched_at, status, kind, headers, body_sha256,"
            " outcome, warc_filename, warc_offset, redirects)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 'captured', ?, ?, ?)",
            (
                run_id,
                capture["url"],
                fetched_at,
                int(capture["status"]),
                capture.get("kind") or "page",
                json.dumps(dict(capture.get("headers") or {}), ensure_ascii=False,
                           default=_header_text),
                digest,
                capture.get("warc_filename"),
                capture.get("warc_offset"),
                json.dumps(capture["redirects"], ensure_ascii=False) if capture.get("redirects") else None,
            ),
        )
        if record is None:
            if context:
                # A page without an article (a listing) still shows hot lists worth keeping.
                self._store_lists(context, capture_id, fetched_at, portal)
            if int(capture["status"]) == 304:
                return self._not_modified(capture, capture_id, fetched_at, portal)
            if capture.get("removal"):
                self._removal_observed(capture, capture_id, fetched_at, portal)
            return "captured"
        outcome, article_id, version_id = self._store_article(
            record, capture_id, fetched_at, capture.get("content_sha256"))
        self._store_lists(record, capture_id, fetched_at, record["portal"])
        self.conn.execute(
            "UPDATE captures SET outcome = ?, article_id = ?, version_id = ?, comments = ?,"
            " warnings = ? WHERE id = ?",
            (
                outcome,
                article_id,
                version_id,
                None if record.get("comments") is None else json.dumps(record["comments"]),
                json.dumps(record.get("warnings") or [], ensure_ascii=False),
                capture_id,
            ),
        )
        self._seen_live(article_id, capture_id, fetched_at)
        return outcome

    def reparsed_unchanged(self, capture_id: int, record: dict[str, Any]) -> bool:
        """Whether ``record`` has the content of the version the capture is linked to, ignoring
        the extractor's name: ``add_reparsed`` would change nothing. Reads only."""
        return self._reparsed_state(capture_id, record, None)[2]

    def add_reparsed(self, capture_id: int, record: dict[str, Any], hint: ReparseHint | None = None) -> str:
        """Store what the extractor of today reads from an archived capture.

        Compared with the version the capture is linked to, ignoring the extractor's name: the
        same content changes nothing (``unchanged``). Other content goes through the crawl's own
        version logic (``_store_article`` at the capture's fetch time): a version with this
        content already there (a twin capture re-read first) is reused (``matched``), else a
        version is added (``added``; ``new`` when the capture had no article), recording the
        extractor that read it. The capture is then linked to that version, with the new
        record's warnings and comments; its hot lists stay as stored. A ``hint`` made for this
        record (``reparse_hint``) spares hashing, folding and comparing it here.
        """
        fetched_at, _, unchanged = self._reparsed_state(capture_id, record, hint)
        if unchanged:
            return "unchanged"
        _check_record(record)
        self._hint = hint
        self._inserted = None
        try:
            outcome, article_id, version_id = self._store_article(
                record, capture_id, fetched_at, hint.digest if hint is not None else None)
        finally:
            self._hint = None
        self.conn.execute(
            "UPDATE captures SET article_id = ?, version_id = ?, comments = ?, warnings = ?"
            " WHERE id = ?",
            (
                article_id,
                version_id,
                None if record.get("comments") is None else json.dumps(record["comments"]),
                json.dumps(record.get("warnings") or [], ensure_ascii=False),
                capture_id,
            ),
        )
        if outcome == "new":
            return "new"
        return "added" if version_id == self._inserted else "matched"

    def _run_portal(self, run_id: int) -> str:
        if run_id not in self._run_portals:
            row = self.conn.execute("SELECT portal FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise ValueError(f"no crawl run {run_id} in this archive")
            self._run_portals[run_id] = row[0]
        return self._run_portals[run_id]
