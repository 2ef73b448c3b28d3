"""A crawl writing while a researcher reads: neither sees "database is locked"."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import time
import traceback

import pytest
from conftest import make_capture, make_record

from archive import Archive
from archive.connection import BUSY_TIMEOUT_S, WaitGivenUp

PAGES = 150


def _writer(path: str, started, errors) -> None:
    try:
        archive = Archive.open(path)
        run = archive.start_run("zjdaily", {})
        started.set()
        for n in range(PAGES):
            record = make_record(
                canonical_url=f"https://www.gdzjdaily.com.cn/p/{n}.html",
                url=f"https://www.gdzjdaily.com.cn/p/{n}.html",
                headline=f"徐聞新聞第{n}號", fetched_at=f"2026-01-01T00:{n // 60:02d}:{n % 60:02d}+00:00",
            )
            archive.add_capture(run, make_capture(record), record)
        archive.finish_run(run, "finished", {"pages": PAGES})
        archive.close()
    except Exception:  # noqa: BLE001 - reported to the parent process
        errors.put("writer: " + traceback.format_exc())


def _reader(path: str, started, done, errors, reads) -> None:
    try:
        started.wait(30)
        count = 0
        while not done.is_set() or count == 0:
            # A fresh open each time also exercises opening while the writer holds the lock.
            with Archive.open(path, create=False) as archive:
                archive.search("徐闻")
                archive.conn.execute("SELECT count(*) FROM articles_flat").fetchone()
                archive.stats()
            count += 1
        reads.put(count)
    except Exception:  # noqa: BLE001 - reported to the parent process
        errors.put("reader: " + traceback.format_exc())
        reads.put(0)


def test_reader_and_writer_at_once(db_path):
    Archive.open(db_path).close()  # both start from an existing, migrated archive
    ctx = multiprocessing.get_context("spawn")
    started, done = ctx.Event(), ctx.Event()
    errors, reads = ctx.Queue(), ctx.Queue()
    writer = ctx.Process(target=_writer, args=(str(db_path), started, errors))
    reader = ctx.Process(target=_reader, args=(str(db_path), started, done, errors, reads))
    reader.start()
    writer.start()
    writer.join(60)
    done.set()
    reader.join(60)
    assert writer.exitcode == 0 and reader.exitcode == 0
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    assert problems == []
    assert reads.get(timeout=5) > 0
    with Archive.open(db_path, create=False) as archive:
        assert archive.conn.execute("SELECT count(*) FROM articles").fetchone() == (PAGES,)
        assert len(archive.search("徐闻", limit=1000)) == PAGES


def test_two_processes_creating_one_archive(tmp_path):
    path = tmp_path / "new.sqlite"
    ctx = multiprocessing.get_context("spawn")
    started, errors = ctx.Event(), ctx.Queue()
    started.set()
    procs = [ctx.Process(target=_open_and_close, args=(str(path), errors)) for _ in range(2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    assert errors.empty()
    with Archive.open(path, create=False) as archive:
        assert archive.conn.execute("SELECT count(*) FROM fold").fetchone()[0] > 5000


def _open_and_close(path: str, errors) -> None:
    try:
        time.sleep(0.01)
        Archive.open(path).close()
    except Exception:  # noqa: BLE001 - reported to the parent process
        errors.put(traceback.format_exc())


def test_a_wait_for_the_write_lock_is_given_up_when_its_caller_says_so(db_path):
    """Another process holds the write lock for as long as the test wants: the run does not start,
    ``give_up`` is asked as the wait goes on, and the connection keeps its busy timeout after."""
    Archive.open(db_path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys\nconn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "conn.execute('BEGIN IMMEDIATE')\nprint('locked', flush=True)\nsys.stdin.readline()", str(db_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    asked = []
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with Archive.open(db_path) as archive:
            with pytest.raises(WaitGivenUp, match="locked by another process"):
                archive.start_run("zjdaily", {}, give_up=lambda: len(asked) >= 3 or bool(asked.append(1)))
            assert len(asked) == 3
            assert holder.poll() is None  # still holding it: the wait ended without it
            assert archive.conn.execute("PRAGMA busy_timeout").fetchone()[0] == int(BUSY_TIMEOUT_S * 1000)
    finally:
        holder.communicate("done\n", timeout=30)
    with Archive.open(db_path) as archive:
        assert archive.runs() == []
        assert archive.start_run("zjdaily", {}, give_up=lambda: True) == 1  # free: never asked
