"""Storing one fetched page: the capture, and the article version its record describes.

``Writer.add_capture`` is the whole write path of a crawl. ``archive.db`` wraps each call in one
``BEGIN IMMEDIATE`` transaction, so a crash part-way leaves no capture, article or version half
written.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import datetime, timedelta, timezone
from typing import Any

from . import compress as codec
from .diff import record_change
from .fold import FoldTable, index_text, index_texts
from .urls import url_key

# Keys that describe the fetch or the portal at fetch time rather than the article: they do not
# make a new version when they change.
VOLATILE_KEYS = frozenset({"url", "fetched_at", "rankings", "related", "comments", "warnings"})
REQUIRED_KEYS = ("url", "canonical_url", "portal", "headline", "paragraphs")
# Articles are filed by URL: a record read outside a crawl without one (url null, warning no_url)
# cannot be archived.
REQUIRED_VALUES = ("canonical_url",)
# Bodies this small (robots.txt, redirects) gain nothing from a preset dictionary.
MIN_DICTIONARY_SAMPLE = 2048


def content_hash(record: dict[str, Any]) -> str:
    """sha256 of the record without its volatile keys, independent of key order."""
    content = {k: v for k, v in record.items() if k not in VOLATILE_KEYS}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def utc_iso(value: str | datetime) -> str:
    """An ISO 8601 time in UTC, so stored times sort as strings. Naive input is rejected."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"time without a UTC offset: {value!r}")
    return moment.astimezone(timezone.utc).isoformat()


def _published_utc(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return utc_iso(value)
    except ValueError:
        # The record contract requires an offset; a time without one is kept verbatim in
        # published_at and simply not placed on the UTC axis rather than guessed.
        return None


def _check_record(record: dict[str, Any]) -> None:
    """Refuse, with the reason, a record the archive cannot file."""
    missing = [key for key in REQUIRED_KEYS if key not in record]
    if missing:
        raise ValueError(f"record lacks {', '.join(missing)}")
    empty = [key for key in REQUIRED_VALUES if not record[key]]
    if empty:
        raise ValueError(
            f"record has no {', '.join(empty)}: a page read without its URL cannot be archived"
        )


def _header_text(value: Any) -> Any:
    """Header values that arrive as bytes (as Scrapy keeps them): latin-1, as HTTP defines."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    if isinstance(value, (list, tuple)):
        return [_header_text(v) for v in value]
    return str(value)


class Writer:
    """Write path bound to one connection. Not thread-safe, like the connection itself."""

    def __init__(self, conn: sqlite3.Connection, fold_table: FoldTable) -> None:
        self.conn = conn
        self.fold_table = fold_table
        self._dictionaries: dict[tuple[str, str], tuple[int, bytes] | None] = {}
        self._pending: dict[tuple[str, str], tuple[int, bytes] | None] = {}
        self._run_portals: dict[int, str] = {}
        # How long after a first sign of removal a second one confirms it (docs/changes.md).
        self.removal_confirm = timedelta(hours=24)
        # Search index rows of this transaction, written just before it commits (``flush``).
        self._search_rows: list[tuple[Any, ...]] = []

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
        """
        rows, self._search_rows = self._search_rows, []
        for row in rows:
            if len(row) == 5:
                self.conn.execute(
                    "INSERT INTO search (search, rowid, headline, body, names)"
                    " VALUES ('delete', ?, ?, ?, ?)",
                    row[1:],
                )
            else:
                self.conn.execute(
                    "INSERT INTO search (rowid, headline, body, names) VALUES (?, ?, ?, ?)", row
                )

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

    def _known_article(self, capture: dict[str, Any], portal: str) -> tuple[int, int] | None:
        """(id, current version) of the archived article a capture answers for, by the
        canonical URL that was asked for (``canonical_url``, else the capture's URL)."""
        canonical = capture.get("canonical_url") or capture["url"]
        found: tuple[int, int] | None = self.conn.execute(
            "SELECT id, current_version_id FROM articles WHERE canonical_url = ?", (canonical,)
        ).fetchone() or self.conn.execute(
            "SELECT id, current_version_id FROM articles WHERE portal = ? AND url_key = ?"
            " ORDER BY id LIMIT 1",
            (portal, url_key(canonical)),
        ).fetchone()
        return found

    def _seen_live(self, article_id: int, capture_id: int, fetched_at: str) -> None:
        """The article was served again: a pending sign of removal was transient, and a removed
        article is ``restored`` from this capture on."""
        status, since = self.conn.execute(
            "SELECT status, status_since FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if status == "removed" and fetched_at > (since or ""):
            self.conn.execute(
                "UPDATE articles SET status = 'restored', status_since = ?,"
                " removal_pending_capture_id = NULL WHERE id = ?", (fetched_at, article_id))
            self.conn.execute(
                "INSERT INTO article_events (article_id, kind, at, capture_id)"
                " VALUES (?, 'restored', ?, ?)", (article_id, fetched_at, capture_id))
        elif status != "removed":
            pending = self.conn.execute(
                "SELECT c.fetched_at FROM articles a JOIN captures c"
                " ON c.id = a.removal_pending_capture_id WHERE a.id = ?", (article_id,)
            ).fetchone()
            if pending is not None and fetched_at > pending[0]:
                self.conn.execute(
                    "UPDATE articles SET removal_pending_capture_id = NULL WHERE id = ?",
                    (article_id,))

    def restate_status(self, article_id: int) -> None:
        """Decide an article's status (live, removed, restored) again from all its captures in
        fetch order, as a crawl that saw them in that order would have: a merge brought captures
        older than those the status was decided on."""
        portal, canonical = self.conn.execute(
            "SELECT portal, canonical_url FROM articles WHERE id = ?", (article_id,)).fetchone()
        self.conn.execute("DELETE FROM article_events WHERE article_id = ?", (article_id,))
        self.conn.execute("UPDATE articles SET status = 'live', status_since = NULL,"
                          " removal_pending_capture_id = NULL WHERE id = ?", (article_id,))
        for capture_id, url, fetched_at, removal in self.conn.execute(
            "SELECT id, url, fetched_at, removal FROM captures WHERE article_id = ?"
            " ORDER BY fetched_at, id", (article_id,)).fetchall():
            if removal:
                capture = {"url": url, "removal": removal, "canonical_url": canonical}
                self._removal_observed(capture, capture_id, fetched_at, portal)
            else:
                self._seen_live(article_id, capture_id, fetched_at)

    def _removal_observed(
        self, capture: dict[str, Any], capture_id: int, fetched_at: str, portal: str
    ) -> None:
        """A capture of an archived article that shows it gone (``capture["removal"]`` says
        how: a 404 or 410, a redirect to a home or channel page, a soft 404).

        The capture is kept as evidence and points at the article. One such observation is
        pending; a second at least ``removal_confirm`` later makes the article ``removed``,
        dated by the first. A page the archive does not know stays a plain capture.
        """
        article = self._known_article(capture, portal)
        if article is None:
            return
        article_id = article[0]
        linked = self.conn.execute(
            "UPDATE captures SET removal = ?, article_id = ? WHERE id = ?"
            " AND ifnull(article_id, ?) = ?",
            (capture["removal"], article_id, capture_id, article_id, article_id),
        ).rowcount
        if not linked:
            return  # a page already filed as another article's: not evidence for this one
        status, pending_id = self.conn.execute(
            "SELECT status, removal_pending_capture_id FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if status == "removed":
            return
        if pending_id is None:
            self.conn.execute(
                "UPDATE articles SET removal_pending_capture_id = ? WHERE id = ?",
                (capture_id, article_id))
            return
        first_at, reason = self.conn.execute(
            "SELECT fetched_at, removal FROM captures WHERE id = ?", (pending_id,)
        ).fetchone()
        elapsed = datetime.fromisoformat(fetched_at) - datetime.fromisoformat(first_at)
        if elapsed < self.removal_confirm:
            return
        self.conn.execute(
            "UPDATE articles SET status = 'removed', status_since = ?,"
            " removal_pending_capture_id = NULL WHERE id = ?", (first_at, article_id))
        self.conn.execute(
            "INSERT INTO article_events (article_id, kind, at, capture_id, confirmed_by, reason)"
            " VALUES (?, 'removed', ?, ?, ?, ?)",
            (article_id, first_at, pending_id, capture_id, reason))

    def _not_modified(
        self, capture: dict[str, Any], capture_id: int, fetched_at: str, portal: str
    ) -> str:
        """A 304 answer to a conditional request: the archived article was seen again, unchanged.

        The capture has no body; it points at the article and its current version, and both
        have their ``last_seen`` moved. A 304 for a page the archive does not know stays a
        plain capture.
        """
        article = self._known_article(capture, portal)
        if article is None:
            return "captured"
        article_id, version_id = article
        self.conn.execute(
            "UPDATE articles SET last_seen = max(last_seen, ?) WHERE id = ?", (fetched_at, article_id)
        )
        self.conn.execute(
            "UPDATE versions SET last_seen = max(last_seen, ?) WHERE id = ?", (fetched_at, version_id)
        )
        self.conn.execute(
            "UPDATE captures SET outcome = 'unchanged', article_id = ?, version_id = ? WHERE id = ?",
            (article_id, version_id, capture_id),
        )
        self._seen_live(article_id, capture_id, fetched_at)
        return "unchanged"

    def add_reparsed(self, capture_id: int, record: dict[str, Any]) -> str:
        """Store what the extractor of today reads from an archived capture.

        Compared with the version the capture is linked to, ignoring the extractor's name: the
        same content changes nothing (``unchanged``). Other content goes through the crawl's own
        version logic (``_store_article`` at the capture's fetch time): a version with this
        content already there (a twin capture re-read first) is reused (``matched``), else a
        version is added (``added``; ``new`` when the capture had no article), recording the
        extractor that read it. The capture is then linked to that version, with the new
        record's warnings and comments; its hot lists stay as stored.
        """
        row = self.conn.execute(
            "SELECT c.fetched_at, c.version_id, v.content_sha256, v.extractor FROM captures c"
            " LEFT JOIN versions v ON v.id = c.version_id WHERE c.id = ?",
            (capture_id,),
        ).fetchone()
        if row is None:
            raise KeyError(f"no capture {capture_id}")
        fetched_at, old_version_id, old_digest, old_extractor = row
        if old_version_id is not None and (
            content_hash({**record, "extractor": old_extractor}) == old_digest
        ):
            return "unchanged"
        _check_record(record)
        last = self.conn.execute("SELECT ifnull(max(id), 0) FROM versions").fetchone()[0]
        outcome, article_id, version_id = self._store_article(record, capture_id, fetched_at)
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
        return "added" if version_id > last else "matched"

    def _insert(self, sql: str, params: tuple[Any, ...]) -> int:
        """Run an INSERT and return the new row's id."""
        rowid = self.conn.execute(sql, params).lastrowid
        assert rowid is not None  # an INSERT into a rowid table always sets it
        return rowid

    def _run_portal(self, run_id: int) -> str:
        if run_id not in self._run_portals:
            row = self.conn.execute("SELECT portal FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise ValueError(f"no crawl run {run_id} in this archive")
            self._run_portals[run_id] = row[0]
        return self._run_portals[run_id]

    def _dictionary(self, portal: str, kind: str, sample: bytes) -> tuple[int, bytes] | None:
        key = (portal, kind)
        if key in self._dictionaries:
            return self._dictionaries[key]
        if key in self._pending:
            return self._pending[key]
        row = self.conn.execute(
            "SELECT id, data FROM body_dictionaries WHERE portal = ? AND kind = ?", key
        ).fetchone()
        if row is not None:
            found = (row[0], codec.decompress(row[1]))
            self._dictionaries[key] = found
            return found
        if len(sample) < MIN_DICTIONARY_SAMPLE:
            return None
        data = codec.make_dictionary(sample)
        new_id = self._insert(
            "INSERT INTO body_dictionaries (portal, kind, data) VALUES (?, ?, ?)",
            (portal, kind, codec.compress(data)),
        )
        found_new = (new_id, data)
        self._pending[key] = found_new
        return found_new

    def _store_body(self, body: bytes, portal: str, kind: str) -> str:
        digest = hashlib.sha256(body).hexdigest()
        if self.conn.execute("SELECT 1 FROM bodies WHERE sha256 = ?", (digest,)).fetchone():
            return digest
        found = self._dictionary(portal, kind, body)
        dictionary_id, dictionary = found if found else (None, None)
        self.conn.execute(
            "INSERT INTO bodies (sha256, size, codec, dictionary_id, data) VALUES (?, ?, 'zlib', ?, ?)",
            (digest, len(body), dictionary_id, codec.compress(body, dictionary)),
        )
        return digest

    def _store_article(
        self, record: dict[str, Any], capture_id: int, fetched_at: str, digest: str | None = None
    ) -> tuple[str, int, int]:
        # A merged capture brings its version's hash: the archive keeps only the record's fields
        # it files, so the record rebuilt from them need not hash as the crawled one did.
        digest = digest or content_hash(record)
        portal = record["portal"]
        key = url_key(record["canonical_url"]) or record["canonical_url"]
        article = self.conn.execute(
            "SELECT id, current_version_id, last_seen FROM articles WHERE canonical_url = ?",
            (record["canonical_url"],),
        ).fetchone() or self.conn.execute(
            "SELECT id, current_version_id, last_seen FROM articles WHERE portal = ? AND url_key = ?"
            " ORDER BY id LIMIT 1",
            (portal, key),
        ).fetchone()
        if article is None:
            article_id = self._insert(
                "INSERT INTO articles (canonical_url, url_key, portal, headline, first_seen,"
                " last_seen) VALUES (?, ?, ?, ?, ?, ?)",
                (record["canonical_url"], key, portal, record["headline"], fetched_at, fetched_at),
            )
            version_id = self._insert_version(article_id, record, digest, capture_id, fetched_at)
            self._make_current(article_id, version_id, record, fetched_at, new=True)
            # Hot lists seen before this article was archived can now point at it.
            for table in ("rankings", "related"):
                self.conn.execute(
                    f"UPDATE {table} SET target_article_id = ? WHERE portal = ? AND url_key = ?"
                    " AND target_article_id IS NULL",
                    (article_id, portal, key),
                )
            return "new", article_id, version_id

        article_id, current_id, last_seen = article
        is_latest = fetched_at >= last_seen
        self.conn.execute(
            "UPDATE articles SET first_seen = min(first_seen, ?), last_seen = max(last_seen, ?)"
            " WHERE id = ?",
            (fetched_at, fetched_at, article_id),
        )
        row = self.conn.execute(
            "SELECT id FROM versions WHERE article_id = ? AND content_sha256 = ?",
            (article_id, digest),
        ).fetchone()
        if row is not None:
            version_id = row[0]
            self.conn.execute(
                "UPDATE versions SET first_seen = min(first_seen, ?), last_seen = max(last_seen, ?)"
                " WHERE id = ?",
                (fetched_at, fetched_at, version_id),
            )
            if version_id == current_id or not is_latest:
                return "unchanged", article_id, version_id
            # Content went back to an earlier version (a correction reverted).
            self._make_current(article_id, version_id, record, fetched_at)
            return "changed", article_id, version_id

        version_id = self._insert_version(article_id, record, digest, capture_id, fetched_at)
        self.conn.execute(
            "UPDATE articles SET version_count = version_count + 1 WHERE id = ?", (article_id,)
        )
        if is_latest:
            self._make_current(article_id, version_id, record, fetched_at)
        return "changed", article_id, version_id

    def _insert_version(
        self, article_id: int, record: dict[str, Any], digest: str, capture_id: int, fetched_at: str
    ) -> int:
        published_at = record.get("published_at")
        version_id = self._insert(
            "INSERT INTO versions (article_id, content_sha256, url, canonical_url, portal,"
            " portal_article_id, headline, published_at, published_utc, published_at_raw, source,"
            " script, encoding, extractor, first_seen, last_seen, first_capture_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article_id,
                digest,
                record["url"],
                record["canonical_url"],
                record["portal"],
                record.get("article_id"),
                record["headline"],
                published_at,
                _published_utc(published_at),
                record.get("published_at_raw"),
                record.get("source"),
                record.get("script"),
                record.get("encoding"),
                record.get("extractor"),
                fetched_at,
                fetched_at,
                capture_id,
            ),
        )
        self._insert_children(version_id, record)
        record_change(self.conn, version_id)
        return version_id

    def _insert_children(self, version_id: int, record: dict[str, Any]) -> None:
        people = [
            (version_id, kind, position, person.get("role"), person["name"])
            for kind, key in (("reporter", "reporters"), ("editor", "editors"))
            for position, person in enumerate(record.get(key) or [])
        ]
        self.conn.executemany(
            "INSERT INTO people (version_id, kind, position, role, name) VALUES (?, ?, ?, ?, ?)",
            people,
        )
        self.conn.executemany(
            "INSERT INTO paragraphs (version_id, position, text) VALUES (?, ?, ?)",
            [(version_id, i, text) for i, text in enumerate(record["paragraphs"])],
        )
        self.conn.executemany(
            "INSERT INTO images (version_id, position, url, caption) VALUES (?, ?, ?, ?)",
            [
                (version_id, i, image["url"], image.get("caption"))
                for i, image in enumerate(record.get("images") or [])
            ],
        )

    def _make_current(
        self, article_id: int, version_id: int, record: dict[str, Any], fetched_at: str,
        new: bool = False,
    ) -> None:
        published_at = record.get("published_at")
        old_version_id = 0
        if not new:
            old_version_id = self.conn.execute(
                "SELECT current_version_id FROM articles WHERE id = ?", (article_id,)
            ).fetchone()[0]
        self.conn.execute(
            "UPDATE articles SET current_version_id = ?, canonical_url = ?, portal_article_id = ?,"
            " headline = ?, published_at = ?, published_utc = ?, source = ?, script = ?"
            " WHERE id = ?",
            (
                version_id,
                record["canonical_url"],
                record.get("article_id"),
                record["headline"],
                published_at,
                _published_utc(published_at),
                record.get("source"),
                record.get("script"),
                article_id,
            ),
        )
        if not new:
            # A contentless index forgets its text: the row is deleted by repeating the values
            # it was indexed with, recomputed from the version that was current.
            self._search_rows.append(("delete", article_id, *self.search_values(old_version_id)))
        self._search_rows.append((article_id, *self.search_values(version_id)))

    def search_values(self, version_id: int) -> tuple[str, str, str]:
        """The index texts of a version (headline, body, names), always built from stored rows.

        Building them from the database, never from the incoming record, guarantees that the
        'delete' above repeats exactly what was inserted.
        """
        headline, source = self.conn.execute(
            "SELECT headline, source FROM versions WHERE id = ?", (version_id,)
        ).fetchone()
        paragraphs = [r[0] for r in self.conn.execute(
            "SELECT text FROM paragraphs WHERE version_id = ? ORDER BY position", (version_id,))]
        names = [r[0] for r in self.conn.execute(
            "SELECT name FROM people WHERE version_id = ? ORDER BY kind DESC, position",
            (version_id,))]
        if source:
            names.append(source)
        return (
            index_text(headline, self.fold_table),
            index_texts(paragraphs, self.fold_table),
            index_texts(names, self.fold_table),
        )

    def _target(self, portal: str, key: str | None) -> int | None:
        if key is None:
            return None
        row = self.conn.execute(
            "SELECT id FROM articles WHERE portal = ? AND url_key = ? ORDER BY id LIMIT 1",
            (portal, key),
        ).fetchone()
        return row[0] if row else None

    def _store_lists(
        self, record: dict[str, Any], capture_id: int, fetched_at: str, portal: str
    ) -> None:
        ranking_rows = []
        for entry in record.get("rankings") or []:
            key = url_key(entry.get("url"))
            ranking_rows.append((
                capture_id, fetched_at, portal, entry["list"], entry.get("period"),
                int(entry["rank"]), entry["title"], entry.get("url"), key,
                self._target(portal, key),
            ))
        # OR IGNORE: a page that repeats an entry (same list, period, rank) stores it once.
        self.conn.executemany(
            "INSERT OR IGNORE INTO rankings (capture_id, fetched_at, portal, list, period, rank,"
            " title, url, url_key, target_article_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ranking_rows,
        )
        rows = []
        positions: dict[str, int] = {}
        for entry in record.get("related") or []:
            key = url_key(entry.get("url"))
            position = positions.get(entry["list"], 0)
            positions[entry["list"]] = position + 1
            rows.append((
                capture_id, fetched_at, portal, entry["list"], position, entry["title"],
                entry.get("url"), key, self._target(portal, key),
            ))
        self.conn.executemany(
            "INSERT OR IGNORE INTO related (capture_id, fetched_at, portal, list, position, title,"
            " url, url_key, target_article_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
