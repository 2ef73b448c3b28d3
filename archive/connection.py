"""Reaching an archive file: where it is by default, the errors opening or reading it raise, the
check that a file is an archive before SQLite opens it, and the connection's journal mode and
migrations (``Archive.open`` does all of these, in that order; ``archive.merge`` and
``archive.snapshot`` use them on files they open themselves)."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from .schema import LATEST, MIGRATIONS


def default_db_path() -> str:
    """``$NEWSCRAWLER_DB``, else ``data/newscrawler.sqlite``, read when called."""
    return os.environ.get("NEWSCRAWLER_DB") or "data/newscrawler.sqlite"


# The crawler's documented constant; commands call default_db_path() so a changed
# environment variable is honoured at run time.
DEFAULT_DB_PATH = default_db_path()

BUSY_TIMEOUT_S = 30.0
# SQLite's page cache per connection, in MiB. It is filled as pages are read or written and then
# stays at this size: a crawl's memory grows by about this much over its first few thousand
# pages (the index's hot pages), then stays flat. Smaller costs more reads per page written.
CACHE_MB = 64
# A wait for the write lock its caller may give up asks it whether to go on this often.
GIVE_UP_STEP_S = 0.1


class ArchiveError(Exception):
    """An archive that cannot be used: missing, not an archive, or from a newer version."""


class WaitGivenUp(ArchiveError):
    """A wait for the archive's write lock, held by another process, given up by its caller."""


class ArchiveUnreadable(ArchiveError):
    """An archive SQLite fails on as the command runs (damaged pages, a lock held too long):
    a failure at run time, not a mistake on the command line."""


def database_error(path: str | os.PathLike[str], exc: sqlite3.DatabaseError) -> ArchiveUnreadable:
    """The ``ArchiveUnreadable`` for SQLite failing on the archive at ``path``, in words a user can
    act on: held locked by another process past the busy timeout, or damaged pages."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return ArchiveUnreadable(f"{path} stayed locked by another process writing to it: try again"
                                 " once it is done")
    if type(exc) is sqlite3.DatabaseError:  # SQLITE_CORRUPT and SQLITE_NOTADB are no subclass
        # .recover is the sqlite3 shell's salvage of every row still readable.
        return ArchiveUnreadable(f"{path} is damaged ({text}): `sqlite3 {path} .recover | sqlite3 NEW`"
                                 " copies what is readable into a new archive file")
    return ArchiveUnreadable(f"{path}: {text}")


# Tables every version of the schema has: a database holding none of them is not an archive.
ARCHIVE_TABLES = frozenset({"runs", "captures", "articles", "versions"})
_SQLITE_HEADER = b"SQLite format 3\x00"


def check_file(path: str | os.PathLike[str]) -> None:
    """``ArchiveError`` unless ``path`` can become or is an archive: missing, empty, an SQLite
    database without tables, or one with the archive's tables.

    Checked before SQLite opens the file, so that another application's database never gets the
    archive's schema added to it, and a file that is not SQLite at all is named as such rather
    than failing on the first query.
    """
    path = Path(path)
    if not path.exists():
        return
    if not path.is_file():
        raise ArchiveError(f"{path} is not a file")
    try:
        with path.open("rb") as file:
            header = file.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise ArchiveError(f"{path}: {exc.strerror or exc}") from exc
    if not header:
        return  # an empty file: SQLite makes a new database of it
    if header != _SQLITE_HEADER:
        raise ArchiveError(f"{path} is not a newscrawler archive (not an SQLite database)")
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S)
        try:
            tables = {name for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        # An SQLite file (its header says so) whose schema cannot be read: damaged or locked.
        raise database_error(path, exc) from exc
    if tables and not tables & ARCHIVE_TABLES:
        shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
        raise ArchiveError(
            f"{path} is not a newscrawler archive (an SQLite database with other tables: {shown})"
        )


def set_wal(conn: sqlite3.Connection, busy_timeout: float) -> None:
    # Switching a new file to WAL needs an exclusive lock, and SQLite may report "locked"
    # at once instead of waiting when another process is creating the same archive: retry.
    deadline = time.monotonic() + busy_timeout
    delay = 0.01
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply missing migrations; returns the schema version. Safe to run from many processes."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > LATEST:
        raise ArchiveError(f"archive schema {version} is newer than this library ({LATEST})")
    if version == LATEST:
        return version
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while we waited for the write lock.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for number, _description, apply in MIGRATIONS:
            if number > version:
                apply(conn)
                conn.execute(f"PRAGMA user_version = {int(number)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return LATEST
