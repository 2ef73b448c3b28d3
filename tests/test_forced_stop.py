"""A crawl stopped by force (Ctrl-C or SIGTERM a second time, while it closes after the first):
it exits 1 at once with its worker process gone, the archive keeps what it stored and says the
run was killed, and the next crawl resumes the job. A crawl stopped while it is still starting
ends as one stopped once it runs, ``shutdown``, without a traceback."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import ROOT, ZJDAILY, archive_held_locked, run_cli, without_crawl_delay

# A liveness bound, not a measure: a crawl that ignores its forced stop would wait for ever.
EXIT_WITHIN = 60


def _crawl(replay: Path, work: Path, *extra: str) -> list[str]:
    return [
        "crawl", "zjdaily", "--replay", str(replay), "--db", str(work / "archive.sqlite"),
        "--job-dir", str(work / "jobs"), "-s", "AUTOTHROTTLE_ENABLED=False", *extra,
    ]


def _captures(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM captures").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def _group_alive(group: int) -> list[int]:
    """The processes still in process group ``group``."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ")".
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == group and fields[0] != "Z":
            alive.append(int(entry.name))
    return alive


def _stop_twice(work: Path, how: signal.Signals, *extra: str) -> tuple[int, str, str]:
    """Crawl the fixture (its robots.txt asks a one-second delay: a clean close takes seconds),
    and once a page is archived send ``how`` to the crawl's process group twice, the second while
    the crawl closes after the first, as a terminal's Ctrl-C pressed twice does."""
    replay = work / "zjdaily"
    shutil.copytree(ZJDAILY, replay)
    out, err = work / "crawl.out", work / "crawl.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "newscrawler", *_crawl(replay, work, "--log-level", "INFO", *extra)],
            cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"), stdout=stdout, stderr=stderr,
            start_new_session=True,
        )

    def said() -> str:
        return err.read_text("utf-8", "replace")[-3000:]

    try:
        deadline = time.monotonic() + EXIT_WITHIN
        while _captures(work / "archive.sqlite") == 0:
            assert process.poll() is None, f"the crawl ended before it was stopped: {said()}"
            assert time.monotonic() < deadline, f"the crawl archived nothing: {said()}"
            time.sleep(0.05)
        os.killpg(process.pid, how)
        while "shutting down gracefully" not in said():
            assert process.poll() is None, f"the crawl ended before its forced stop: {said()}"
            assert time.monotonic() < deadline, f"the crawl did not start closing: {said()}"
            time.sleep(0.05)
        os.killpg(process.pid, how)
        try:
            code = process.wait(timeout=EXIT_WITHIN)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the crawl did not exit after its forced stop: {said()}")
        # Its worker process too: nothing of the crawl is left.
        deadline = time.monotonic() + EXIT_WITHIN
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _group_alive(process.pid) == [], "the crawl left a process behind"
    finally:
        if process.poll() is None or _group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert "forcing unclean shutdown" in said(), "the crawl closed before its forced stop"
    return code, out.read_text("utf-8"), said()


def _runs(db: Path) -> list[tuple[str, dict[str, int]]]:
    """Each run's status, and the captures it stored by outcome."""
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        runs = []
        for run_id, status in conn.execute("SELECT id, status FROM runs ORDER BY id").fetchall():
            outcomes = dict(conn.execute(
                "SELECT outcome, count(*) FROM captures WHERE run_id = ? GROUP BY outcome", (run_id,)))
            runs.append((status, outcomes))
        return runs


@pytest.mark.parametrize("how, worker", [
    (signal.SIGINT, True), (signal.SIGTERM, True), (signal.SIGINT, False),
], ids=["sigint", "sigterm", "sigint-without-worker"])
def test_a_forced_stop_ends_the_crawl_and_records_its_run_as_killed(
    tmp_path: Path, how: signal.Signals, worker: bool
) -> None:
    code, summary, log = _stop_twice(tmp_path, how, "-s", f"NEWSCRAWLER_WORKER={worker}")
    assert code == 1, log
    assert summary.startswith("crawl of zjdaily: killed\n"), summary
    db = tmp_path / "archive.sqlite"
    [(status, outcomes)] = _runs(db)
    assert status == "killed"
    assert outcomes, "the crawl archived nothing before it was stopped"
    # The run's report counts what the archive holds of it.
    with sqlite3.connect(db) as conn:
        stats = conn.execute("SELECT stats FROM runs").fetchone()[0]

    recorded = json.loads(stats)
    for outcome in ("new", "changed", "unchanged"):
        assert recorded.get(f"newscrawler/archive/{outcome}", 0) == outcomes.get(outcome, 0)
    assert recorded["response_received_count"] > 0
    if how == signal.SIGINT and worker:
        # The next crawl resumes the job: what was archived stays, each article once.
        with sqlite3.connect(db) as conn:
            before = {row[0] for row in conn.execute("SELECT canonical_url FROM articles")}
        fast = without_crawl_delay(ZJDAILY, tmp_path / "fast")
        result = run_cli(*_crawl(fast, tmp_path, "--log-level", "WARNING"))
        assert result.returncode == 0, result.stderr[-3000:]
        assert [status for status, _ in _runs(db)] == ["killed", "finished"]
        with sqlite3.connect(db) as conn:
            after = {row[0] for row in conn.execute("SELECT canonical_url FROM articles")}
            versions = conn.execute("SELECT count(*) FROM versions").fetchone()[0]
        assert before < after
        assert versions == len(after)


# ``python -m newscrawler``, stopped as its run starts in the archive (the crawl is set up, its
# engine not started) until a line comes in on its standard input.
_WAIT_AS_THE_RUN_STARTS = """
import sys
from newscrawler.pipelines import ArchivePipeline

original = ArchivePipeline.open_spider

def waiting(*args, **kwargs):
    print("waiting", flush=True)
    sys.stdin.readline()
    return original(*args, **kwargs)

ArchivePipeline.open_spider = waiting
from newscrawler.__main__ import main
sys.argv[0] = "newscrawler"
main()
"""


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_a_crawl_stopped_while_it_starts_ends_shutdown_without_a_traceback(
    tmp_path: Path, how: signal.Signals
) -> None:
    """The signal comes while the crawl sets itself up, as its run starts: it certainly comes
    before the crawl runs."""
    db = tmp_path / "archive.sqlite"
    fast = without_crawl_delay(ZJDAILY, tmp_path / "fast")
    err = tmp_path / "crawl.err"
    with err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", _WAIT_AS_THE_RUN_STARTS, *_crawl(fast, tmp_path, "--log-level", "INFO")],
            cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=stderr, text=True)
    assert process.stdin is not None and process.stdout is not None
    try:
        assert process.stdout.readline() == "waiting\n", err.read_text("utf-8", "replace")[-3000:]
        process.send_signal(how)
        summary, _ = process.communicate("go on\n", timeout=EXIT_WITHIN)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    log = err.read_text("utf-8", "replace")
    assert process.returncode == 1, summary + log[-3000:]
    assert summary.startswith(f"crawl of zjdaily: shutdown ({how.name} while the crawl was starting:"
                              " nothing was fetched)\n"), summary
    assert "Traceback" not in log and "KeyboardInterrupt" not in log, log[-3000:]
    assert f"Received {how.name} while the crawl was starting: it stops before fetching anything" in log
    [(status, outcomes)] = _runs(db)
    assert (status, outcomes) == ("shutdown", {})

    # Its job is one a crawl resumes as any other: the next crawl runs to its end.
    result = run_cli(*_crawl(fast, tmp_path, "--log-level", "WARNING"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert [status for status, _ in _runs(db)] == ["shutdown", "finished"]


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_a_crawl_waiting_for_its_locked_archive_stops_without_waiting_on(
    tmp_path: Path, how: signal.Signals
) -> None:
    """Ctrl-C while the crawl waits for the archive another process holds locked (for as long as
    SQLite's busy timeout) stops it there: it ends as a crawl stopped while starting, the lock
    still held, its run not recorded (it cannot be, without the lock)."""
    db = tmp_path / "archive.sqlite"
    fast = without_crawl_delay(ZJDAILY, tmp_path / "fast")
    err = tmp_path / "crawl.err"
    process = None
    with archive_held_locked(db) as locker:
        try:
            with err.open("wb") as stderr:
                process = subprocess.Popen(
                    [sys.executable, "-m", "newscrawler", *_crawl(fast, tmp_path, "--log-level", "INFO")],
                    cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"), stdout=subprocess.PIPE,
                    stderr=stderr, text=True)
            deadline = time.monotonic() + EXIT_WITHIN
            while "Waiting for the archive" not in err.read_text("utf-8", "replace"):
                assert process.poll() is None and time.monotonic() < deadline, err.read_text("utf-8")[-3000:]
                time.sleep(0.05)
            process.send_signal(how)
            summary, _ = process.communicate(timeout=EXIT_WITHIN)
            # It did not wait for the lock: the other process holds it still.
            assert locker.poll() is None
        finally:
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    log = err.read_text("utf-8", "replace")
    assert process.returncode == 1, summary + log[-3000:]
    assert summary.startswith(f"crawl of zjdaily: shutdown ({how.name} while the crawl was starting:"
                              " nothing was fetched)\n"), summary
    assert "Traceback" not in log and "KeyboardInterrupt" not in log, log[-3000:]
    assert (f"Stopped while waiting for the archive {db}, which another process holds locked: this crawl's"
            " run is not recorded in it") in log, log[-3000:]
    assert _runs(db) == []

    # Nothing of it is left in the way: the next crawl runs to its end.
    result = run_cli(*_crawl(fast, tmp_path, "--log-level", "WARNING"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert [status for status, _ in _runs(db)] == ["finished"]
