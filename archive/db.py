"""The ``Archive`` object: an open archive file and what the crawler and researchers do with it
(reaching the file, its errors and migrations: ``archive.connection``).

``Archive`` is the library's front door. The crawler calls ``start_run``/``add_capture``/
``finish_run``; researchers call ``search``, ``article``, ``stats``, ``rankings`` and
``iter_articles``, or use ``archive.db`` (a ``sqlite_utils.Database``) for anything else.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from . import compress as codec
from .connection import (
    BUSY_TIMEOUT_S,
    CACHE_MB,
    GIVE_UP_STEP_S,
    ArchiveError,
    WaitGivenUp,
    check_file,
    database_error,
    default_db_path,
    migrate,
    set_wal,
)
from .fold import FoldTable, fold, translate_table
from .jsoncolumns import decode
from .writer import Writer

if TYPE_CHECKING:
    from .diff import VersionDiff
    from .query import ArticleFilter, CaptureFilter
    from .rankings import Board
    from .search import SearchHit
    from .versions import ReparseHint


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _json(value: Any) -> str:
    # default=str: settings may hold paths or datetimes; a readable string beats a crash.
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


class Archive:
    """An open archive file."""

    def __init__(self, conn: sqlite3.Connection, path: Path, busy_timeout: float = BUSY_TIMEOUT_S) -> None:
        self.conn = conn
        self.path = path
        self.busy_timeout = busy_timeout
        self.db = sqlite_utils.Database(conn)
        self._writer = Writer(conn, lambda: self.fold_table)
        self._dictionaries: dict[int, bytes] = {}
        # fold() in SQL, for filters that match in either script as search does (--reporter
        # 陈荔雅 finds 陳荔雅); the table is read on the first call.
        conn.create_function("newscrawler_fold", 1, self._fold, deterministic=True)

    def _fold(self, text: str | None) -> str | None:
        return None if text is None else fold(text, self.fold_table)

    @cached_property
    def fold_table(self) -> FoldTable:
        """The archive's character folding table, read on first use (searching, filing an article
        version): about 12 ms, which most openings (a crawl's own reads of its archive, a status
        command) need not spend."""
        return translate_table(dict(self.conn.execute("SELECT ch, folded FROM fold")))

    @classmethod
    def open(
        cls, path: str | os.PathLike[str] | None = None, *, create: bool = True,
        busy_timeout: float = BUSY_TIMEOUT_S, cache_mb: float = CACHE_MB,
    ) -> Archive:
        """Open (and with ``create``, create) the archive at ``path``; migrations run as needed.

        With ``create=False`` a missing file raises ``ArchiveError`` and nothing is created,
        which is what every read-only command wants. A file that is not an archive (not SQLite,
        or another application's database) raises ``ArchiveError`` and is left untouched.
        ``cache_mb`` is SQLite's page cache for this connection (``CACHE_MB``).
        """
        path = Path(path if path is not None else default_db_path())
        if not create and not path.is_file():
            raise ArchiveError(f"no archive at {path}")
        check_file(path)
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(
                str(path), timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            if not create and conn.execute("PRAGMA user_version").fetchone()[0] == 0:
                conn.close()
                raise ArchiveError(f"{path} is not a newscrawler archive")
            # WAL: readers never block the crawl and the crawl never blocks readers.
            set_wal(conn, busy_timeout)
            # NORMAL is durable enough in WAL mode (a power cut may lose the last commits but
            # never corrupts) and makes a commit per page cheap.
            conn.execute("PRAGMA synchronous = NORMAL")
            # A page commit touches a few dozen b-tree pages; checkpointing less often copies
            # each hot page back to the database once instead of after every few pages.
            conn.execute("PRAGMA wal_autocheckpoint = 8000")
            conn.execute(f"PRAGMA cache_size = {-max(1, int(cache_mb * 1024))}")  # in KiB
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn)
        except sqlite3.DatabaseError as exc:
            raise database_error(path, exc) from exc
        return cls(conn, path, busy_timeout)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self, give_up: Callable[[], bool] | None = None) -> Iterator[sqlite3.Connection]:
        """One write transaction; taking the write lock up front avoids deadlocked upgrades.

        While another process holds the lock, ``give_up`` (when given) is asked every
        ``GIVE_UP_STEP_S`` whether to stop waiting: ``WaitGivenUp`` when it says so (True).
        Otherwise the wait lasts the busy timeout, and ends as SQLite's does.
        """
        self._begin(give_up)
        try:
            yield self.conn
            self._writer.flush()  # the search index rows of the transaction, in one segment
        except BaseException:
            self.conn.execute("ROLLBACK")
            self._writer.rolled_back()
            raise
        self.conn.execute("COMMIT")
        self._writer.committed()

    def _begin(self, give_up: Callable[[], bool] | None) -> None:
        if give_up is None:
            self.conn.execute("BEGIN IMMEDIATE")
            return
        # SQLite's own wait runs in C and asks no one: it is cut into short ones.
        deadline = time.monotonic() + self.busy_timeout
        self.conn.execute(f"PRAGMA busy_timeout = {int(GIVE_UP_STEP_S * 1000)}")
        try:
            while True:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or time.monotonic() >= deadline:
                        raise
                if give_up():
                    raise WaitGivenUp(f"{self.path} is locked by another process writing to it")
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")

    # --- the crawler's API -------------------------------------------------------------------

    def start_run(self, portal: str, settings: dict[str, Any],
                  never_shown: Iterable[str] | None = None,
                  give_up: Callable[[], bool] | None = None) -> int:
        """Record a crawl run starting; ``never_shown``: the record fields the portal never
        shows (a printed page's source and editors), which ``stats`` then reports as not shown
        rather than missing. None: not known (an empty list: the portal shows every field).
        ``give_up``: as for ``transaction``, while another process holds the archive locked."""
        with self.transaction(give_up) as conn:
            run_id = conn.execute(
                "INSERT INTO runs (portal, started_at, settings, never_shown) VALUES (?, ?, ?, ?)",
                (portal, _now(), _json(settings),
                 None if never_shown is None else _json(sorted(never_shown))),
            ).lastrowid
            assert run_id is not None  # an INSERT into a rowid table always sets it
            return run_id

    def add_capture(
        self, run_id: int, capture: dict[str, Any], record: dict[str, Any] | None,
        context: dict[str, Any] | None = None,
    ) -> str:
        """Store a fetched page and its record; returns new, changed, unchanged or captured.

        ``context`` holds the ``rankings`` and ``related`` lists of a page without a record (a
        listing page shows the hot lists too); they are stored for the capture like a record's.
        A capture with status 304 (kind ``not-modified``, no body) answers a conditional
        request for an archived article: outcome ``unchanged``, and the article's ``last_seen``
        moves to its fetch time.
        """
        with self.transaction():
            return self._writer.add_capture(run_id, capture, record, context)

    def crawl_state(self, url: str, portal: str) -> dict[str, Any] | None:
        """What the archive knows of an article URL, for deciding whether to fetch it again."""
        from .query import crawl_state

        return crawl_state(self.conn, url, portal)

    def add_captures(
        self, run_id: int,
        items: Iterable[tuple[dict[str, Any], dict[str, Any] | None]
                        | tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]],
    ) -> list[str]:
        """Store many pages in one transaction: all or none, one outcome per page.

        Items are ``(capture, record)`` or ``(capture, record, context)``, as for
        ``add_capture``. Each commit makes the full-text index write a segment, so a crawl that
        can buffer a few dozen pages (or an import of old captures) writes several times faster
        this way.
        """
        with self.transaction():
            return [self._writer.add_capture(run_id, *item) for item in items]

    def add_captures_of_runs(
        self, items: Iterable[tuple[int, dict[str, Any], dict[str, Any] | None,
                                    dict[str, Any] | None]],
    ) -> list[str]:
        """Many pages of several runs in one transaction: ``(run_id, capture, record, context)``.

        The write path of ``add_capture``; a merge (``archive.merge``) stores the captures of
        every node's runs through it in fetch order. A capture may carry ``content_sha256``, the
        hash its version had where it was first stored, and ``canonical_url``, the article a
        capture without a record (a 304, a sign of removal) answers for.
        """
        with self.transaction():
            return [self._writer.add_capture(run_id, capture, record, context)
                    for run_id, capture, record, context in items]

    def restate_status(self, article_ids: Iterable[int]) -> None:
        """Decide these articles' removal status again from their captures in fetch order
        (``Writer.restate_status``), in one transaction."""
        with self.transaction():
            for article_id in article_ids:
                self._writer.restate_status(article_id)

    def add_version_from_reparse(self, capture_id: int, record: dict[str, Any]) -> str:
        """Store a record re-extracted from a stored capture; returns unchanged, added, matched
        or new (see ``Writer.add_reparsed``)."""
        with self.transaction():
            return self._writer.add_reparsed(capture_id, record)

    def reparsed_unchanged(self, capture_id: int, record: dict[str, Any]) -> bool:
        """Whether re-extracting a capture gave the content its version already has, so that
        ``add_versions_from_reparse`` would change nothing for it. Reads only."""
        return self._writer.reparsed_unchanged(capture_id, record)

    def reparse_hint(self, capture_id: int, record: dict[str, Any]) -> ReparseHint | None:
        """What filing a re-extracted ``record`` of a capture will need, made ahead (reads only;
        ``versions.ReparseHint``), or None when it would change nothing (the capture's version
        has its content). Re-extraction's worker processes make it, send no record where it is
        None, and ``add_versions_from_reparse`` takes it beside the record, so that the one
        writing process is left mostly the SQL."""
        return self._writer.reparse_hint(capture_id, record)

    def add_versions_from_reparse(
        self, items: Iterable[tuple[int, dict[str, Any]] | tuple[int, dict[str, Any], ReparseHint | None]]
    ) -> list[str]:
        """Many re-extracted records in one transaction: all or none. Each item is a capture id
        and its record, optionally with the record's ``reparse_hint``."""
        with self.transaction():
            return [self._writer.add_reparsed(*item) for item in items]

    def finish_run(
        self, run_id: int, status: str, stats: dict[str, Any], flag_reason: str | None = None,
        give_up: Callable[[], bool] | None = None,
    ) -> None:
        """End a run; a ``flag_reason`` flags it (e.g. its field coverage fell, see runs()).
        ``give_up``: as for ``transaction``, while another process holds the archive locked."""
        with self.transaction(give_up) as conn:
            cursor = conn.execute(
                "UPDATE runs SET ended_at = ?, status = ?, stats = ?, flagged = ?, flag_reason = ?"
                " WHERE id = ?",
                (_now(), status, _json(stats), int(flag_reason is not None), flag_reason, run_id),
            )
            if cursor.rowcount != 1:
                raise ValueError(f"no crawl run {run_id} in this archive")

    def interrupt_run(self, run_id: int, status: str = "killed") -> bool:
        """End a run whose crawl died without finishing it (found when the crawl resumes).

        Only a run still ``running`` is changed; returns whether it was.
        """
        with self.transaction() as conn:
            cursor = conn.execute(
                "UPDATE runs SET ended_at = ?, status = ? WHERE id = ? AND status = 'running'",
                (_now(), status, run_id),
            )
            return cursor.rowcount == 1

    def record_failed_run(
        self, portal: str, settings: dict[str, Any], status: str, stats: dict[str, Any],
        started_at: str | None = None, give_up: Callable[[], bool] | None = None,
    ) -> int:
        """A run that ended before the crawl could record it (it crashed early, or was killed).
        ``give_up``: as for ``transaction``, while another process holds the archive locked."""
        with self.transaction(give_up) as conn:
            run_id = conn.execute(
                "INSERT INTO runs (portal, started_at, ended_at, status, settings, stats)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (portal, started_at or _now(), _now(), status, _json(settings), _json(stats)),
            ).lastrowid
            assert run_id is not None
            return run_id

    def acknowledge_flag(self, run_id: int, *, note: str, by: str) -> str:
        """Record that a person checked a flagged run: ``by`` whom, now, and why (``note``).

        The flag and its reason stay as the crawl set them; the run is no longer an open flag
        (``newscrawler crawls --flagged``). Returns the acknowledgement time. ``ValueError`` for
        an unknown run, a run that is not flagged, or one acknowledged already.
        """
        note, by = note.strip(), by.strip()
        if not note or not by:
            raise ValueError("acknowledging a flag needs a note (why) and who acknowledged it")
        when = _now()
        with self.transaction() as conn:
            cursor = conn.execute(
                "UPDATE runs SET acknowledged_at = ?, acknowledged_by = ?, acknowledged_note = ?"
                " WHERE id = ? AND flagged = 1 AND acknowledged_at IS NULL",
                (when, by, note, run_id),
            )
            if cursor.rowcount == 1:
                return when
            row = conn.execute(
                "SELECT flagged, acknowledged_at, acknowledged_by, acknowledged_note FROM runs"
                " WHERE id = ?", (run_id,),
            ).fetchone()
        if row is None:
            raise ValueError(f"no crawl run {run_id} in this archive")
        if not row[0]:
            raise ValueError(f"run {run_id} is not flagged")
        raise ValueError(f"run {run_id}'s flag was acknowledged already, {row[1]} by {row[2]}: {row[3]}")

    def runs(
        self, portal: str | None = None, *, last: int | None = None, before: int | None = None
    ) -> list[dict[str, Any]]:
        """Crawl runs, newest first: settings and stats decoded, ``flagged`` a bool; a flag
        acknowledged by a person has ``acknowledged_at``, ``acknowledged_by`` and
        ``acknowledged_note`` (None otherwise).

        A ``settings`` or ``stats`` value that is not a JSON object (edited by hand, written by
        another program) is read as ``{}``, and ``unreadable`` maps the column to why; it is
        empty for a run read whole.

        ``last`` keeps the newest N; ``before`` only runs with a smaller id (older runs).
        """
        where: list[str] = []
        params: list[str | int] = []
        if portal is not None:
            where.append("portal = ?")
            params.append(portal)
        if before is not None:
            where.append("id < ?")
            params.append(before)
        sql = ("SELECT id, portal, started_at, ended_at, status, settings, stats, flagged,"
               " flag_reason, acknowledged_at, acknowledged_by, acknowledged_note FROM runs")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC"
        if last is not None:
            sql += f" LIMIT {int(last)}"
        rows = []
        for row in self.conn.execute(sql, params):
            settings, settings_error = decode(row[5], dict)
            stats, stats_error = decode(row[6], dict)
            unreadable = {column: error for column, error in (("settings", settings_error),
                                                              ("stats", stats_error)) if error}
            rows.append({
                "id": row[0], "portal": row[1], "started_at": row[2], "ended_at": row[3],
                "status": row[4], "settings": settings, "stats": stats, "flagged": bool(row[7]),
                "flag_reason": row[8], "acknowledged_at": row[9], "acknowledged_by": row[10],
                "acknowledged_note": row[11], "unreadable": unreadable,
            })
        return rows

    # --- reading -----------------------------------------------------------------------------

    def capture_body(self, capture_id: int) -> bytes:
        """The raw bytes of a capture, decompressed."""
        row = self.conn.execute(
            "SELECT b.data, b.dictionary_id FROM captures c JOIN bodies b ON b.sha256 = c.body_sha256"
            " WHERE c.id = ?",
            (capture_id,),
        ).fetchone()
        if row is None:
            raise KeyError(f"no capture {capture_id}")
        return codec.decompress(row[0], None if row[1] is None else self._dictionary(row[1]))

    def _dictionary(self, dictionary_id: int) -> bytes:
        # A dictionary is never changed once written, so it is read and decompressed once per
        # archive object: re-extraction reads thousands of bodies that share a few of them.
        found = self._dictionaries.get(dictionary_id)
        if found is None:
            row = self.conn.execute(
                "SELECT data FROM body_dictionaries WHERE id = ?", (dictionary_id,)).fetchone()
            if row is None:
                raise KeyError(f"no body dictionary {dictionary_id}")
            found = self._dictionaries[dictionary_id] = codec.decompress(row[0])
        return found

    def iter_article_captures(
        self, filters: CaptureFilter | None = None
    ) -> Iterator[dict[str, Any]]:
        """Successful article captures, oldest first, without bodies (``capture_body`` reads
        one); for re-extraction."""
        from .query import iter_article_captures

        return iter_article_captures(self, filters)

    def portals(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT portal FROM articles UNION SELECT portal FROM runs ORDER BY 1")]

    def fts_query(self, query: str) -> str:
        """The FTS5 MATCH expression the archive uses for ``query`` (``QueryError`` if malformed)."""
        from .syntax import fts_query

        return fts_query(query, self.fold_table)

    def search(self, query: str, **filters: Any) -> list[SearchHit]:
        from .search import search

        return search(self, query, **filters)

    def article(self, ref: int | str) -> dict[str, Any] | None:
        from .query import article

        return article(self, ref)

    @property
    def removal_confirm(self) -> timedelta:
        """How long after a first sign of an article's removal a second one confirms it."""
        return self._writer.removal_confirm

    @removal_confirm.setter
    def removal_confirm(self, value: timedelta) -> None:
        self._writer.removal_confirm = value

    def changes(self, **filters: Any) -> list[dict[str, Any]]:
        """Edits, headline and people changes, removals and restorations (``archive.changes``)."""
        from .changes import changes

        return changes(self, **filters)

    def run_events(self, run_id: int) -> dict[str, int]:
        """Articles whose status a run changed: ``{"removed": n, "restored": m}`` (kinds with
        none left out). A removal belongs to the run whose capture confirmed it."""
        return dict(self.conn.execute(
            "SELECT e.kind, count(*) FROM article_events e"
            " JOIN captures c ON c.id = coalesce(e.confirmed_by, e.capture_id)"
            " WHERE c.run_id = ? GROUP BY e.kind ORDER BY e.kind", (run_id,)))

    def run_outcomes(self, run_id: int) -> dict[str, int]:
        """The captures a run stored, by outcome (``new``, ``changed``, ``unchanged``,
        ``captured``; outcomes with none left out): what a crawl that could not count its own
        writes (it was stopped by force) reports."""
        return dict(self.conn.execute(
            "SELECT outcome, count(*) FROM captures WHERE run_id = ? GROUP BY outcome"
            " ORDER BY outcome", (run_id,)))

    def diff(
        self, ref: int | str, from_number: int | None = None, to_number: int | None = None
    ) -> tuple[VersionDiff, int, int]:
        """What changed between two versions of an article (``archive.diff.compare``);
        ``KeyError`` for an unknown article, ``ValueError`` for a version it does not have."""
        from .diff import compare
        from .query import find_article_id

        article_id = find_article_id(self.conn, ref)
        if article_id is None:
            raise KeyError(f"no article {ref!r}")
        return compare(self.conn, article_id, from_number, to_number)

    def record(self, version_id: int) -> dict[str, Any]:
        from .query import version_record

        return version_record(self.conn, version_id)

    def iter_articles(self, filters: ArticleFilter | None = None) -> Iterator[dict[str, Any]]:
        from .query import iter_articles

        return iter_articles(self, filters)

    def stats(self) -> dict[str, Any]:
        from .query import stats

        return stats(self)

    def rankings(self, **filters: Any) -> list[dict[str, Any]]:
        from .rankings import rankings

        return rankings(self, **filters)

    def rank_history(self, **filters: Any) -> list[Board]:
        """Each hot list over time with its top stories' ranks (``archive.rankings.history``)."""
        from .rankings import history

        return history(self, **filters)
