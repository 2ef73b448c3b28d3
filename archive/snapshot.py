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
still being written may end in a line being written; it is copied up to its last whole line, and
without the records written after the file was copied. A file copied before is only extended by
the bytes that follow it unchanged in the source, never replaced (``sync_warc_dir``).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from .connection import BUSY_TIMEOUT_S, ArchiveError, check_file, database_error
from .warc import default_warc_dir


@dataclass
class SnapshotResult:
    path: Path
    captures: int
    # WARC files copied, and those already in warc/ beside the copy (an earlier snapshot's).
    warc_files: int
    warc_bytes: int
    warc_present: int = 0
    # Files in warc/ beside the copy kept as they were: the source's bytes differ (one line each).
    warc_differing: list[str] = field(default_factory=list)


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
    synced = WarcSync()
    if warc:
        try:
            synced = sync_warc_dir(default_warc_dir(source), default_warc_dir(out))
        except OSError as exc:
            raise ArchiveError(f"{out} written, its WARC files not: cannot write"
                               f" {exc.filename or default_warc_dir(out)}: {exc.strerror or exc}") from exc
    return SnapshotResult(out, captures, synced.copied, synced.size, synced.present, synced.differing)


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


@dataclass
class WarcSync:
    """What bringing a WARC directory into another did."""

    # Files copied whole or extended, files already there whole, and the bytes written.
    copied: int = 0
    present: int = 0
    size: int = 0
    # One line per file whose copy was kept as it was: its bytes differ from the source's.
    differing: list[str] = field(default_factory=list)


# Bytes compared and copied at once.
_BLOCK = 1 << 20


def sync_warc_dir(source: Path, target: Path) -> WarcSync:
    """Bring a WARC directory's ``.warc.gz`` files and their ``.cdxj`` indexes (whole lines)
    into ``target``.

    A file already in ``target`` is only ever extended by the bytes that follow it in the
    source, never replaced: every byte of it is compared with the source's (``_continue``). The
    same bytes: it is there (the source may end earlier: an older copy of a file the target has
    more of). The source longer with the same bytes first (the file was still being written at
    the last copy): the rest is appended. Any byte different (the source damaged since, or
    another file of the same name): the copy is kept as it was, its index too, and named in
    ``differing``. Nothing to do when there is no source, nor when both are the same directory
    (every file is there).
    """
    done = WarcSync()
    if not source.is_dir():
        return done
    if target.exists() and source.resolve() == target.resolve():
        # Beside each other (a node's snapshot in the merged archive's directory): every file
        # is already there, and says so rather than "0 copied, 0 already there".
        done.present = len(list(source.glob("*.warc.gz")))
        return done
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.warc.gz")):
        dest = target / path.name
        if dest.exists():
            added, differs_at = _continue(path, dest)
            if differs_at is not None:
                done.differing.append(
                    f"{dest}: kept as it was, {path} differs from it at byte {differs_at}"
                    " (damaged since it was copied, or another file of the same name)")
                continue
            if not added:
                done.present += 1
                if path.stat().st_size >= dest.stat().st_size:
                    # The same bytes: the source's index describes the copy, and may have more
                    # whole lines than when it was copied (a line being written, then).
                    _copy_index(path, dest)
                continue
            size = added
        else:
            partial = dest.with_name(dest.name + ".partial")
            shutil.copyfile(path, partial)
            os.replace(partial, dest)
            size = dest.stat().st_size
        done.copied += 1
        done.size += size
        _copy_index(path, dest)
    return done


def _copy_index(warc: Path, copy: Path) -> None:
    """The source's ``.cdxj`` beside the copy, for the bytes the copy holds."""
    index = warc.with_name(warc.name + ".cdxj")
    if index.is_file():
        copy_cdxj(index, copy.with_name(index.name), copy.stat().st_size)


def _continue(source: Path, copy: Path) -> tuple[int, int | None]:
    """Extend ``copy`` by what follows it in ``source``: (bytes appended, None), or (0, the
    first byte where they differ) with ``copy`` left as it was.

    Every byte the two have in common is compared, not a sample: damage can be anywhere, and a
    copy replaced by a damaged source would lose what it held (the cost is reading both files,
    about what copying the source costs; ``benchmarks/warc_sync.py``). The bytes appended are
    read on from the same point of the same open file as those compared. A write that fails
    part way is undone, and one cut short (the process killed) leaves a longer copy the source
    still continues, which the next copy completes.
    """
    with source.open("rb") as src:
        with copy.open("rb") as dst:  # opened for writing only to extend it (it may be read-only)
            have, want = os.fstat(dst.fileno()).st_size, os.fstat(src.fileno()).st_size
            done = 0
            common = min(have, want)
            while done < common:
                ours, theirs = dst.read(min(_BLOCK, common - done)), src.read(min(_BLOCK, common - done))
                if ours != theirs or not ours:
                    return 0, done + _first_difference(ours, theirs)
                done += len(ours)
        if want <= have:
            return 0, None
        added = 0
        with copy.open("r+b") as out:
            out.seek(have)
            try:
                while chunk := src.read(_BLOCK):
                    out.write(chunk)
                    added += len(chunk)
                out.flush()
            except OSError:
                out.truncate(have)
                raise
        return added, None


def _first_difference(ours: bytes, theirs: bytes) -> int:
    """Where two blocks first differ (the shorter one's length when it is the other's start)."""
    low, high = 0, min(len(ours), len(theirs))
    if ours[:high] == theirs[:high]:
        return high
    while high - low > 1:  # the first half that differs holds the first difference
        middle = (low + high) // 2
        if ours[low:middle] != theirs[low:middle]:
            high = middle
        else:
            low = middle
    return low


def copy_cdxj(source: Path, target: Path, size: int | None = None) -> None:
    """A CDXJ index up to its last whole line, sorted (an open file's index is in write order).

    With ``size``, the lines of records that end past it are left out: the index of a file still
    being written may list a record appended after the file was copied; the next copy has both.
    The lines of an index already at ``target`` are kept (it described the copy's bytes, which
    the copy still holds), so an index is only ever added to.
    """
    lines = _whole_lines(source)
    if size is not None:
        lines = [line for line in lines if _record_end(line) <= size]
    had = _whole_lines(target) if target.is_file() else []
    text = "".join(sorted(set(lines) | set(had)))
    if target.is_file() and "".join(had) == text:
        return
    partial = target.with_name(target.name + ".tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, target)


def _whole_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines.pop()
    return lines


def _record_end(line: str) -> int:
    """Where the record a CDXJ line lists ends in its file (0 when the line does not say)."""
    try:
        fields = json.loads(line.split(" ", 2)[2])
        return int(fields["offset"]) + int(fields["length"])
    except (IndexError, ValueError, KeyError, TypeError):
        return 0
