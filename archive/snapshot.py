"""A consistent copy of an archive that crawls are still writing to, with its WARC files.

``snapshot(db, out)`` copies the database with SQLite's online backup API in a single step
(``Connection.backup(pages=-1)``). The archive runs in WAL mode: the copy is made inside one read
transaction, which sees the database as of the last commit before it began. Writers go on
appending their commits to the WAL meanwhile and never change the pages that reader sees, so the
copy holds every page committed before that moment and nothing of a transaction in progress or
committed later: no half-stored capture, no version without its article. A copy of the file
(``cp``) would not be: the WAL holds the recent commits, and the file alone can be mid-checkpoint.

The WARC files beside the archive (``warc/``) are copied after the database. A crawl writes a
page's WARC record before the archive stores its capture, and WARC files only grow, so every
record a capture of the copy points at is in the copied files. The ``.cdxj`` index of a file
still being written may end in a line being written; it is copied up to its last whole line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .db import BUSY_TIMEOUT_S, ArchiveError, check_file, database_error
from .warc import default_warc_dir


@dataclass
class SnapshotResult:
    path: Path
    captures: int
    # WARC files copied, and those already in warc/ beside the copy (an earlier snapshot's).
    warc_files: int
    warc_bytes: int
    warc_present: int = 0


def snapshot(
    db_path: str | os.PathLike[str], out_path: str | os.PathLike[str], *, warc: bool = True
) -> SnapshotResult:
    """Copy the archive at ``db_path`` to ``out_path`` (which must not exist), and with ``warc``
    its ``warc/`` directory to ``warc/`` beside ``out_path``.

    The copy is written to a temporary name and renamed, so ``out_path`` is either absent or
    whole. ``ArchiveError`` if the source is not an archive, is damaged (the copy is checked
    page by page, ``PRAGMA quick_check``) or the target exists.
    """
    source, out = Path(db_path), Path(out_path)
    if not source.is_file():
        raise ArchiveError(f"no archive at {source}")
    check_file(source)
    if out.exists():
        raise ArchiveError(f"{out} exists: a snapshot is written to a new file")
    partial = out.with_name(out.name + ".partial")
    try:
        partial.unlink(missing_ok=True)
        src = sqlite3.connect(str(source), timeout=BUSY_TIMEOUT_S)
        try:
            if src.execute("PRAGMA user_version").fetchone()[0] == 0:
                raise ArchiveError(f"{source} is not a newscrawler archive")
            try:
                dst = sqlite3.connect(str(partial))
            except sqlite3.DatabaseError as exc:  # "unable to open database file"
                raise ArchiveError(f"cannot write {out}: {exc}") from exc
            try:
                # One step: the whole copy in one read transaction (a stepwise backup restarts
                # whenever another connection commits, and would never end under a busy crawl).
                src.backup(dst, pages=-1)
                _check_copy(dst)
                captures = dst.execute("SELECT count(*) FROM captures").fetchone()[0]
            finally:
                dst.close()
        finally:
            src.close()
        os.replace(partial, out)
    except sqlite3.DatabaseError as exc:
        raise database_error(source, exc) from exc
    except OSError as exc:  # a full disk, a directory that cannot be written
        raise ArchiveError(f"cannot write {exc.filename or out}: {exc.strerror or exc}") from exc
    finally:
        # Never a half-written copy left behind under the name of the next attempt.
        partial.unlink(missing_ok=True)
    files = present = size = 0
    if warc:
        try:
            files, present, size = sync_warc_dir(default_warc_dir(source), default_warc_dir(out))
        except OSError as exc:
            raise ArchiveError(f"{out} written, its WARC files not: cannot write"
                               f" {exc.filename or default_warc_dir(out)}: {exc.strerror or exc}") from exc
    return SnapshotResult(out, captures, files, size, present)


def _check_copy(copy: sqlite3.Connection) -> None:
    """``sqlite3.DatabaseError`` naming the first problem when the copy has damaged pages.

    The backup copies pages as they are, damaged ones too, without reading what is in them: a
    damaged archive would give a damaged snapshot and a report of success. The copy is checked
    rather than the source: it is the same pages, and no crawl is writing to it.
    """
    problems = copy.execute("PRAGMA quick_check(1)").fetchall()
    if problems != [("ok",)]:
        # "*** in database main ***\nPage 9: btreeInitPage() returns error code 11": one line.
        lines = [line for line in str(problems[0][0]).splitlines() if not line.startswith("***")]
        raise sqlite3.DatabaseError("database disk image is malformed: " + "; ".join(lines))


def sync_warc_dir(source: Path, target: Path) -> tuple[int, int, int]:
    """Bring a WARC directory's ``.warc.gz`` files and their ``.cdxj`` indexes (whole lines)
    into ``target``: (files copied, files already there, bytes copied).

    A file already in ``target`` is left alone when it is the same size, and replaced when it is
    shorter and the source continues it (the file was still being written at the last copy);
    another file of the same name is an ``ArchiveError`` rather than a silent overwrite. Nothing
    to do when there is none, nor when both are the same directory (every file is there).
    """
    if not source.is_dir():
        return 0, 0, 0
    if target.exists() and source.resolve() == target.resolve():
        # Beside each other (a node's snapshot in the merged archive's directory): every file
        # is already there, and says so rather than "0 copied, 0 already there".
        return 0, len(list(source.glob("*.warc.gz"))), 0
    target.mkdir(parents=True, exist_ok=True)
    copied = present = size = 0
    for path in sorted(source.glob("*.warc.gz")):
        dest = target / path.name
        if dest.exists():
            have, want = dest.stat().st_size, path.stat().st_size
            if have > want or _tail(dest, have) != _tail(path, have):
                raise ArchiveError(f"{dest} exists with other content than {path}")
            if have == want:
                present += 1
                continue
        partial = dest.with_name(dest.name + ".partial")
        shutil.copyfile(path, partial)
        os.replace(partial, dest)
        copied += 1
        size += dest.stat().st_size
        index = path.with_name(path.name + ".cdxj")
        if index.is_file():
            copy_cdxj(index, target / index.name)
    return copied, present, size


def _tail(path: Path, end: int, size: int = 65536) -> bytes:
    """The ``size`` bytes before ``end``: enough to tell two WARC files apart (their records
    carry ids and times), without reading gigabytes."""
    with path.open("rb") as file:
        file.seek(max(end - size, 0))
        return file.read(end - max(end - size, 0))


def copy_cdxj(source: Path, target: Path) -> None:
    """A CDXJ index up to its last whole line, sorted (an open file's index is in write order)."""
    text = source.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines.pop()
    partial = target.with_name(target.name + ".tmp")
    partial.write_text("".join(sorted(lines)), encoding="utf-8")
    os.replace(partial, target)
