"""One crawl per job directory (``newscrawler.joblock``): two real crawls let go at the same
instant as they take the job directory, and a crawl killed with SIGKILL whose lock the kernel
released, even before the killed process was reaped."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import ROOT, ZJDAILY, job_dir_held_unnamed, run_cli, without_crawl_delay

from newscrawler.joblock import LOCK_FILE, JobDirInUse, check_job_dir, claim_job_dir, job_dir_user
from newscrawler.resume import RUNNING_MARKER


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return without_crawl_delay(ZJDAILY, tmp_path_factory.mktemp("joblock") / "zjdaily")


def _crawl(portal: Path, work: Path, *extra: str) -> list[str]:
    return ["crawl", "zjdaily", "--replay", str(portal), "--db", str(work / "archive.sqlite"),
            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "--log-level", "WARNING", *extra]


def _statuses(archive: Path) -> list[str]:
    with sqlite3.connect(archive) as db:
        return [row[0] for row in db.execute("SELECT status FROM runs ORDER BY id")]


# ``newscrawler crawl`` that, once its job directory is settled (Scrapy's scheduler built, the
# job about to open), says so on its standard output and waits for a line on its standard input.
_AT_THE_BARRIER = """
import sys
from newscrawler.resume import ResumableScheduler
opened = ResumableScheduler.open
def open_at_the_barrier(self, spider):
    print("at the barrier", flush=True)
    sys.stdin.readline()
    return opened(self, spider)
ResumableScheduler.open = open_at_the_barrier
from newscrawler.__main__ import main
main()
"""


def test_two_crawls_let_go_at_the_same_instant_get_one_job_directory(portal: Path, tmp_path: Path) -> None:
    """Both crawls start; each goes as far as it can towards opening the job, and only once both
    are there (or refused) are both let go together. One crawls; the other refuses the job
    directory, naming the first, with nothing recorded."""
    args = [sys.executable, "-c", _AT_THE_BARRIER, *_crawl(portal, tmp_path, "--max-articles", "2")]
    crawls = [subprocess.Popen(args, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        # A crawl at the barrier says so; a refused one ends, its output closed.
        arrived = [crawl for crawl in crawls if crawl.stdout and crawl.stdout.readline() == "at the barrier\n"]
        for crawl in arrived:
            assert crawl.stdin is not None
            crawl.stdin.write("go\n")
        for crawl in arrived:
            assert crawl.stdin is not None
            crawl.stdin.flush()
        outputs = [crawl.communicate(timeout=180) for crawl in crawls]
    finally:
        for crawl in crawls:
            if crawl.poll() is None:
                crawl.kill()
                crawl.wait()
    codes = sorted((crawl.returncode, i) for i, crawl in enumerate(crawls))
    assert [code for code, _ in codes] == [0, 1], outputs
    winner, loser = crawls[codes[0][1]], codes[1][1]
    # Both processes' ids with the refusal: a refusal that once named neither (CI, under load)
    # is to be told from one naming the refused crawl itself or a worker of either.
    assert outputs[loser][1].startswith(f"Error: another crawl (process {winner.pid}) is using the job"
                                        f" directory {tmp_path / 'jobs' / 'zjdaily'};"), (
        f"winner {winner.pid}, loser {crawls[loser].pid}: {outputs[loser][1]}")
    assert "Traceback" not in outputs[loser][1]
    assert _statuses(tmp_path / "archive.sqlite") == ["finished"]


def test_a_crawl_killed_leaves_no_lock_even_before_it_is_reaped(portal: Path, tmp_path: Path) -> None:
    """SIGKILL, and the next crawl at once, while the killed one is still a zombie (its parent has
    not collected it): the kernel has released its lock; the job is resumed, not refused."""
    # The fixture's Crawl-delay: 1 kept, so the crawl is still running when it is killed.
    job = tmp_path / "jobs" / "zjdaily"
    killed = subprocess.Popen([sys.executable, "-m", "newscrawler", *_crawl(ZJDAILY, tmp_path)],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while job_dir_user(job) != killed.pid or "running" not in _marker_and_run(job, tmp_path):
            assert killed.poll() is None and time.monotonic() < deadline, "the crawl did not start"
            time.sleep(0.05)
        os.kill(killed.pid, signal.SIGKILL)
        # Dead, and left unreaped: a zombie whose process id is still taken.
        os.waitid(os.P_PID, killed.pid, os.WEXITED | os.WNOWAIT)
        assert job_dir_user(job) is None
        check_job_dir(job)
        result = run_cli(*_crawl(portal, tmp_path, "--max-articles", "2"))
    finally:
        if killed.poll() is None:
            killed.kill()
        killed.wait()
    assert killed.returncode == -signal.SIGKILL
    assert result.returncode == 0, result.stderr[-3000:]
    assert "did not close; its request queue is discarded" in result.stderr
    assert _statuses(tmp_path / "archive.sqlite") == ["killed", "finished"]


def _marker_and_run(job: Path, work: Path) -> str:
    """The run status the job's marker names, once it names one ('' before)."""
    try:
        run_id = json.loads((job / RUNNING_MARKER).read_text("utf-8")).get("run_id")
        with sqlite3.connect(f"file:{work / 'archive.sqlite'}?mode=ro", uri=True) as db:
            row = db.execute("SELECT status FROM runs WHERE id = ?", (run_id,)).fetchone()
    except (OSError, ValueError, sqlite3.Error):
        return ""
    return row[0] if row else ""


def test_the_lock_names_its_holder_and_is_free_once_released(tmp_path: Path) -> None:
    lock = claim_job_dir(tmp_path)
    assert job_dir_user(tmp_path) == os.getpid()
    with pytest.raises(JobDirInUse, match=rf"^another crawl \(process {os.getpid()}\) is using the job directory"):
        claim_job_dir(tmp_path)
    lock.release()
    assert job_dir_user(tmp_path) is None
    assert (tmp_path / LOCK_FILE).read_bytes() == b""  # no id of a crawl that ended
    claim_job_dir(tmp_path).release()


def test_the_refusal_of_a_job_directory_whose_holder_names_none_is_read_back(
    portal: Path, tmp_path: Path
) -> None:
    """`newscrawler crawl` refused a job directory held by a process that wrote no id in the lock
    file: what it prints (``process unknown``) is read back as a refusal (0: no process named),
    as the scheduler reads it; a named holder is read back as its id."""
    from newscrawler.joblock import job_dir_refused

    job = tmp_path / "jobs" / "zjdaily"
    job.mkdir(parents=True)
    with job_dir_held_unnamed(job / LOCK_FILE):
        result = run_cli(*_crawl(portal, tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.startswith("Error: another crawl (process unknown) is using the job directory")
    assert job_dir_refused(result.stdout + result.stderr) == 0

    held = claim_job_dir(job)
    try:
        named = run_cli(*_crawl(portal, tmp_path))
    finally:
        held.release()
    assert named.returncode == 1, named.stdout + named.stderr
    assert job_dir_refused(named.stdout + named.stderr) == os.getpid()
    assert job_dir_refused("crawl of zjdaily: finished") is None
