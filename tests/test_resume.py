"""Resumable crawls: a crawl killed with SIGKILL and run again ends with the same archive as a crawl
that was never interrupted (archive.compare: articles, versions, hot lists; not fetch times)."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler
from support import ROOT, ZJDAILY, run_cli, without_crawl_delay

from archive.compare import differences, snapshot
from newscrawler.items import PageItem
from newscrawler.joblock import claim_job_dir
from newscrawler.resume import BUDGET_FILE, RUNNING_MARKER, ArchivedDupeFilter, ArticleBudget

# Pages the fixture server answered before the kill (robots.txt included); the copy has 36.
KILL_AFTER = (3, 14, 27)


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return without_crawl_delay(ZJDAILY, tmp_path_factory.mktemp("resume") / "zjdaily")


def _args(portal: Path, work: Path, delay: str = "0", extra: tuple[str, ...] = ()) -> list[str]:
    return [
        "crawl", "zjdaily", "--replay", str(portal), "--db", str(work / "archive.sqlite"),
        "-s", f"NEWSCRAWLER_REPLAY_LOG={work / 'access.jsonl'}", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", f"DOWNLOAD_DELAY={delay}", "--log-level", "WARNING", *extra,
    ]


@pytest.fixture(scope="module")
def uninterrupted(portal: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("whole")
    result = run_cli(*_args(portal, work))
    assert result.returncode == 0, result.stderr[-3000:]
    return snapshot(work / "archive.sqlite")


def _served(log: Path) -> int:
    if not log.exists():
        return 0
    return log.read_bytes().count(b"\n")


def _articles_served(log: Path) -> list[str]:
    if not log.exists():
        return []
    lines = log.read_text(encoding="utf-8").split("\n")[:-1]
    return [path for path in (json.loads(line)["path"] for line in lines) if path.startswith("/p/")]


def _crawl_and_kill(portal: Path, work: Path, after: int, how: signal.Signals = signal.SIGKILL,
                    extra: tuple[str, ...] = (), served: Callable[[Path], int] = _served) -> None:
    """Crawl, and send ``how`` once ``served`` (default: every page) counts ``after`` answers."""
    log = work / "access.jsonl"
    # The crawl's own messages, for the failure message when it stalls or ends too early.
    stderr = work / "crawl.stderr"
    with stderr.open("wb") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "newscrawler", *_args(portal, work, delay="0.1", extra=extra)],
            cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"),
            stdout=subprocess.DEVNULL, stderr=errors,
        )

    def said() -> str:
        return stderr.read_text("utf-8", "replace")[-3000:]

    try:
        deadline = time.monotonic() + 60
        while served(log) < after:
            assert process.poll() is None, f"the crawl ended before it could be killed: {said()}"
            assert time.monotonic() < deadline, (
                f"the crawl made no progress ({served(log)} of {after} answers): {said()}")
            time.sleep(0.01)
        process.send_signal(how)
    finally:
        process.wait(timeout=30)
    if how == signal.SIGKILL:
        assert process.returncode == -signal.SIGKILL


# ``newscrawler crawl`` killed (SIGKILL, by itself) the moment its run is recorded in the archive:
# before the spider opens, when the job directory's marker does not name the run yet.
_KILLED_AS_ITS_RUN_STARTS = """
import os, signal
from newscrawler.pipelines import ArchivePipeline
opened = ArchivePipeline.open_spider
def open_spider(self, spider=None):
    opened(self, spider)
    os.kill(os.getpid(), signal.SIGKILL)
ArchivePipeline.open_spider = open_spider
from newscrawler.__main__ import main
main()
"""


def test_a_crawl_killed_as_its_run_is_recorded_has_the_run_ended_when_it_resumes(
    portal: Path, tmp_path: Path
) -> None:
    killed = subprocess.run([sys.executable, "-c", _KILLED_AS_ITS_RUN_STARTS, *_args(portal, tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    with sqlite3.connect(tmp_path / "archive.sqlite") as db:
        assert [r[0] for r in db.execute("SELECT status FROM runs")] == ["running"]
    result = run_cli(*_args(portal, tmp_path, extra=("--max-articles", "2")))
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "archive.sqlite") as db:
        assert [r[0] for r in db.execute("SELECT status FROM runs ORDER BY id")] == ["killed", "finished"]


@pytest.mark.parametrize("after", KILL_AFTER)
def test_killed_crawl_resumes_to_the_same_archive(
    portal: Path, uninterrupted: dict, tmp_path: Path, after: int
) -> None:
    _crawl_and_kill(portal, tmp_path, after)
    job = tmp_path / "jobs" / "zjdaily"
    assert (job / RUNNING_MARKER).exists(), "the killed crawl left its job directory behind"
    before = snapshot(tmp_path / "archive.sqlite")
    assert len(before["articles"]) < len(uninterrupted["articles"])

    result = run_cli(*_args(portal, tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert differences(uninterrupted, snapshot(tmp_path / "archive.sqlite")) == []
    with sqlite3.connect(tmp_path / "archive.sqlite") as db:
        # Each article archived once and never re-extracted into a second version.
        assert db.execute("SELECT count(*) FROM versions").fetchone()[0] == len(uninterrupted["articles"])
        # The killed run does not stay "running" for ever.
        assert [r[0] for r in db.execute("SELECT status FROM runs ORDER BY id")] == ["killed", "finished"]
    # The job finished: the next crawl starts a new job.
    assert not (job / RUNNING_MARKER).exists() and not (job / "requests.seen").exists()


def test_a_crawl_stopped_cleanly_resumes_from_its_queue_fetching_each_article_once(
    portal: Path, uninterrupted: dict, tmp_path: Path
) -> None:
    _crawl_and_kill(portal, tmp_path, 12, signal.SIGINT)
    job = tmp_path / "jobs" / "zjdaily"
    assert (job / "requests.queue" / "active.json").exists() and not (job / RUNNING_MARKER).exists()
    result = run_cli(*_args(portal, tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert differences(uninterrupted, snapshot(tmp_path / "archive.sqlite")) == []
    # No --max-articles: the count is said for what it is, towards no limit.
    (resumed,) = [line for line in result.stdout.splitlines() if "resumed:" in line]
    assert re.fullmatch(r"  resumed: [1-9]\d* articles requested by the interrupted run \(archived by it,"
                        r" or left in its queue for this run\)", resumed), resumed
    assert "--max-articles" not in result.stdout
    served = [json.loads(line)["path"] for line in (tmp_path / "access.jsonl").read_text().splitlines()]
    articles = [path for path in served if path.startswith("/p/")]
    assert len(articles) == len(set(articles)) == len(uninterrupted["articles"])


# Above what a clean stop drains (the downloader holds up to CONCURRENT_REQUESTS, 8), so that
# requests are left in the queue it keeps; below the 26 articles of the portal.
MAX_ARTICLES = 20


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_max_articles_counts_the_articles_of_the_run_it_resumes(
    portal: Path, uninterrupted: dict, tmp_path: Path, how: signal.Signals
) -> None:
    limit = ("--max-articles", str(MAX_ARTICLES))
    assert len(uninterrupted["articles"]) > MAX_ARTICLES
    log = tmp_path / "access.jsonl"
    _crawl_and_kill(portal, tmp_path, 4, how, extra=limit, served=lambda log: len(_articles_served(log)))
    job = tmp_path / "jobs" / "zjdaily"
    assert (job / BUDGET_FILE).exists()
    with sqlite3.connect(tmp_path / "archive.sqlite") as db:
        archived = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert 0 < archived < MAX_ARTICLES
    fetched_before = len(_articles_served(log))

    result = run_cli(*_args(portal, tmp_path, extra=limit))
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.search(rf"resumed: \d+ articles counted by the interrupted run \(towards --max-articles"
                     rf" {MAX_ARTICLES}\)\n", result.stdout), result.stdout
    with sqlite3.connect(tmp_path / "archive.sqlite") as db:
        # N in total, not N more: the resumed run fetched only what the first one had not archived.
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == MAX_ARTICLES
        assert db.execute("SELECT count(*) FROM versions").fetchone()[0] == MAX_ARTICLES
        statuses = [r[0] for r in db.execute("SELECT status FROM runs ORDER BY id")]
    assert statuses == ["killed" if how == signal.SIGKILL else "shutdown", "finished"]
    fetched_after = _articles_served(log)[fetched_before:]
    assert len(fetched_after) == len(set(fetched_after)) == MAX_ARTICLES - archived
    # The job finished: its count goes with it, and the next crawl has a budget of its own.
    assert not (job / BUDGET_FILE).exists()
    again = run_cli(*_args(portal, tmp_path, extra=("--max-articles", "3")))
    assert again.returncode == 0, again.stderr[-3000:]
    assert "resumed:" not in again.stdout
    with sqlite3.connect(tmp_path / "archive.sqlite") as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == MAX_ARTICLES + 3


@pytest.mark.parametrize("change", ["smaller", "larger"])
def test_a_crawl_resumed_with_another_max_articles_keeps_to_it_in_total(
    portal: Path, tmp_path: Path, change: str
) -> None:
    """Stopped cleanly, a job keeps article requests queued; resumed with a smaller limit, those
    beyond it are dropped, not fetched. With a larger one the job goes on up to it."""
    log = tmp_path / "access.jsonl"
    _crawl_and_kill(portal, tmp_path, 4, signal.SIGINT, extra=("--max-articles", str(MAX_ARTICLES)),
                    served=lambda log: len(_articles_served(log)))
    with sqlite3.connect(tmp_path / "archive.sqlite") as db:
        archived = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    lines = (tmp_path / "jobs" / "zjdaily" / BUDGET_FILE).read_text(encoding="utf-8").splitlines()
    pending = {line[2:] for line in lines if line[0] == "R"} - {line[2:] for line in lines if line[0] == "A"}
    assert 0 < archived < MAX_ARTICLES and len(pending) > 1, (archived, pending)
    fetched_before = len(_articles_served(log))
    limit = archived + 1 if change == "smaller" else MAX_ARTICLES + 3

    result = run_cli(*_args(portal, tmp_path, extra=("--max-articles", str(limit))))
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "archive.sqlite") as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == limit
    fetched_after = _articles_served(log)[fetched_before:]
    assert len(fetched_after) == len(set(fetched_after)) == limit - archived
    dropped = re.search(r"resumed: (\d+) queued article requests over --max-articles dropped", result.stdout)
    if change == "smaller":
        # Those the stop left in flight were never queued; the listings do not ask for them again.
        assert dropped and 0 < int(dropped[1]) <= len(pending) - 1, result.stdout
    else:
        assert dropped is None, result.stdout


def _replace_archive(path: Path, how: str) -> None:
    """The archive a stopped job wrote into is deleted, or replaced by another one of its own
    runs (run 1 too, started at another time)."""
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    if how == "replaced":
        from archive import Archive

        with Archive.open(path) as other:
            other.finish_run(other.start_run("zjdaily", {}), "finished", {})


@pytest.mark.parametrize(("how", "archive"), [(signal.SIGINT, "deleted"), (signal.SIGKILL, "replaced")])
def test_a_job_is_not_resumed_into_an_archive_without_its_pages(
    portal: Path, uninterrupted: dict, tmp_path: Path, how: signal.Signals, archive: str
) -> None:
    """The job's fingerprints say which pages are archived in the archive its crawl wrote into:
    resumed into another, they would skip pages that archive never had."""
    _crawl_and_kill(portal, tmp_path, 14, how)
    assert (tmp_path / "jobs" / "zjdaily" / "requests.seen").stat().st_size > 0
    _replace_archive(tmp_path / "archive.sqlite", archive)

    result = run_cli(*_args(portal, tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "not resumed: the job directory's unfinished job was discarded" in result.stdout, result.stdout
    assert differences(uninterrupted, snapshot(tmp_path / "archive.sqlite")) == []


def test_a_kill_between_the_archive_and_the_budget_file_spends_nothing_twice(
    portal: Path, tmp_path: Path
) -> None:
    """The archive commits a page before the crawl writes its ``A`` line: a kill in between
    leaves archived articles the budget file only saw requested. They still count."""
    limit = ("--max-articles", str(MAX_ARTICLES))
    _crawl_and_kill(portal, tmp_path, 4, signal.SIGKILL, extra=limit,
                    served=lambda log: len(_articles_served(log)))
    budget = tmp_path / "jobs" / "zjdaily" / BUDGET_FILE
    lines = budget.read_text(encoding="utf-8").split("\n")[:-1]
    # As if the kill had come before any ``A`` line: every article only requested.
    budget.write_text("".join(f"R {line[2:]}\n" for line in lines), encoding="utf-8")
    with sqlite3.connect(tmp_path / "archive.sqlite") as db:
        archived = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert 0 < archived < MAX_ARTICLES

    result = run_cli(*_args(portal, tmp_path, extra=limit))
    assert result.returncode == 0, result.stderr[-3000:]
    assert (f"resumed: {archived} articles counted by the interrupted run (towards --max-articles"
            f" {MAX_ARTICLES})") in result.stdout, result.stdout
    with sqlite3.connect(tmp_path / "archive.sqlite") as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == MAX_ARTICLES


def spent(budget: ArticleBudget) -> set[str]:
    """The URLs a budget counts (it keeps their hashes, not the URLs): those of these tests."""
    found = {f"https://a/{n}" for n in range(10) if f"https://a/{n}" in budget}
    assert len(found) == len(budget)
    return found


def test_the_article_budget_file(tmp_path: Path) -> None:
    first = ArticleBudget(tmp_path)
    assert len(first) == first.before == 0
    for url in ("https://a/1", "https://a/2", "https://a/3"):
        first.spend(url)
    first.spend("https://a/1")  # spent once
    first.archived("https://a/1")
    assert len(first) == 3 and "https://a/2" in first
    first.close(complete=False)
    with (tmp_path / BUDGET_FILE).open("a", encoding="utf-8") as budget:
        budget.write("A https://a/2")  # cut off by a kill: not archived
    # Killed: the queue is gone, only the archived article counts (2 and 3 are spent again).
    killed = ArticleBudget(tmp_path, queue_discarded=True)
    assert spent(killed) == {"https://a/1"} and killed.before == 1
    killed.spend("https://a/4")
    killed.close(complete=False)
    # Stopped cleanly: what was requested is queued still, and counts.
    stopped = ArticleBudget(tmp_path)
    assert spent(stopped) == {"https://a/1", "https://a/4"}
    stopped.archived("https://a/4")
    stopped.close(complete=False)
    assert spent(ArticleBudget(tmp_path, queue_discarded=True)) == {"https://a/1", "https://a/4"}
    # A job that completes leaves nothing behind; without a job directory nothing is kept.
    ArticleBudget(tmp_path).close(complete=True)
    assert not (tmp_path / BUDGET_FILE).exists()
    memory = ArticleBudget(None)
    memory.spend("https://a/5")
    memory.close(complete=True)
    assert len(memory) == 1 and not list(tmp_path.iterdir())


def test_the_archive_counts_for_a_budget_file_a_kill_cut_short(tmp_path: Path) -> None:
    first = ArticleBudget(tmp_path)
    for url in ("https://a/1", "https://a/2", "https://a/3"):
        first.spend(url)
    first.archived("https://a/1")
    first.close(complete=False)
    # The killed run's captures hold 2 as well (archived, its ``A`` line never written) and 9
    # (archived but never spent: a revisit outside the budget), which does not count.
    killed = ArticleBudget(tmp_path, queue_discarded=True,
                           archived_in_archive={"https://a/2", "https://a/9"})
    assert spent(killed) == {"https://a/1", "https://a/2"} and killed.before == 2
    killed.close(complete=False)
    # Written back as archived: a second kill keeps them.
    assert spent(ArticleBudget(tmp_path, queue_discarded=True)) == {"https://a/1", "https://a/2"}


def test_fingerprints_persist_only_for_archived_pages(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"JOBDIR": str(tmp_path)})
    first = ArchivedDupeFilter.from_crawler(crawler)
    archived, in_flight, listing = (Request(f"https://www.gdzjdaily.com.cn/{p}") for p in
                                    ("p/1.html", "p/2.html", "zjxw/"))
    for request in (archived, in_flight, listing):
        assert not first.request_seen(request)
        assert first.request_seen(request)  # within a crawl, a request is scheduled once

    def item(request: Request, kind: str) -> tuple[PageItem, object]:
        response = type("R", (), {"request": request})()
        return PageItem(url=request.url, status=200, headers={}, body=b"", fetched_at="", kind=kind,
                        portal="zjdaily"), response

    first.item_scraped(*item(archived, "article"))
    first.item_scraped(*item(listing, "listing"))
    first.close("killed")

    # A kill in the middle of a write leaves half a record, which must not misalign later ones.
    with (tmp_path / "requests.seen").open("ab") as seen:
        seen.write(b"\x00\x14half")
    resumed = ArchivedDupeFilter.from_crawler(get_crawler(settings_dict={"JOBDIR": str(tmp_path)}))
    assert resumed.request_seen(archived)
    # The response arrived but its item was never archived; listings are always fetched again.
    assert not resumed.request_seen(in_flight)
    assert not resumed.request_seen(listing)
    resumed.item_scraped(*item(in_flight, "article"))
    resumed.close("killed")
    again = ArchivedDupeFilter.from_crawler(get_crawler(settings_dict={"JOBDIR": str(tmp_path)}))
    assert again.request_seen(archived) and again.request_seen(in_flight)
    again.close("finished")


def test_compare_reports_what_differs(uninterrupted: dict) -> None:
    other = {**uninterrupted, "articles": dict(uninterrupted["articles"])}
    url = min(other["articles"])
    other["articles"][url] = {**other["articles"][url], "headline": "改过的标题"}
    assert differences(uninterrupted, other) == [f"article {url}: headline differ"]


def test_a_job_directory_in_use_by_a_live_crawl_is_refused(tmp_path: Path) -> None:
    from newscrawler.joblock import JobDirInUse
    from newscrawler.resume import ResumableScheduler

    crawler = get_crawler(settings_dict={"JOBDIR": str(tmp_path)})
    held = claim_job_dir(tmp_path)  # as the live crawl does, here by this process
    try:
        with pytest.raises(JobDirInUse, match=rf"another crawl \(process {os.getpid()}\)"):
            ResumableScheduler.from_crawler(crawler).open(Spider(name="test"))
    finally:
        held.release()


def test_the_crawl_command_refuses_a_job_directory_in_use(portal: Path, tmp_path: Path) -> None:
    job = tmp_path / "jobs" / "zjdaily"
    held = claim_job_dir(job)
    try:
        result = run_cli(*_args(portal, tmp_path))
    finally:
        held.release()
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: another crawl (process {os.getpid()})") and "--job-dir" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "archive.sqlite").exists()


def test_a_job_directory_taken_as_the_crawl_starts_is_refused_as_before_it(portal: Path, tmp_path: Path) -> None:
    """A crawl started after ``newscrawler crawl`` looked finds the directory taken when Scrapy's
    scheduler opens the job: ``run_crawl`` raises the same refusal (the command's one ``Error:``
    line and exit 1), not a crawl ending ``unknown``; nothing is recorded in the archive."""
    job = tmp_path / "jobs" / "zjdaily"
    held = claim_job_dir(job)
    script = (
        "import sys\n"
        "from newscrawler.crawl import run_crawl\n"
        "from newscrawler.joblock import JobDirInUse, job_dir_refused\n"
        "try:\n"
        f"    run_crawl('zjdaily', {{'JOBDIR': {str(job)!r}, 'NEWSCRAWLER_ARCHIVE': {str(tmp_path / 'a.sqlite')!r},"
        f" 'NEWSCRAWLER_REPLAY_DIR': {str(portal)!r}, 'NEWSCRAWLER_WARC_ENABLED': False,"
        " 'LOG_LEVEL': 'ERROR'})\n"
        "except JobDirInUse as exc:\n"
        "    print(job_dir_refused(f'Error: {exc}'))\n"
        "    sys.exit(0)\n"
        "sys.exit('the crawl ran')\n"
    )
    try:
        result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                                timeout=120, check=False)
    finally:
        held.release()
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert result.stdout.strip() == str(os.getpid())
    assert not (tmp_path / "a.sqlite").exists()


def test_a_marker_naming_a_live_process_without_the_lock_is_a_dead_crawls(
    portal: Path, tmp_path: Path
) -> None:
    """A marker an older version wrote names the dead crawl's process id; after a reboot (or in a
    restarted container) that id belongs to some other process, alive: only the job directory's
    lock says a crawl holds it, so the crawl is resumed, not refused for ever."""
    from newscrawler.joblock import check_job_dir, process_lifetime

    job = tmp_path / "jobs" / "zjdaily"
    job.mkdir(parents=True)
    alive = os.getppid()
    (job / RUNNING_MARKER).write_text(json.dumps({"pid": alive, "run_id": 1, "lifetime": process_lifetime(alive)}),
                                      encoding="utf-8")
    check_job_dir(job)
    result = run_cli(*_args(portal, tmp_path, extra=("--max-articles", "2")))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "did not close; its request queue is discarded" in result.stderr


def test_the_marker_names_the_run_and_a_marker_of_an_older_version_is_still_read(
    portal: Path, tmp_path: Path
) -> None:
    """The marker says which run a dead crawl leaves to end; the lock file, not the marker, says
    which process holds the job directory. A marker an older version wrote (with the process id
    and its lifetime) is still read: its run is ended as killed."""
    from newscrawler.joblock import process_lifetime

    _crawl_and_kill(portal, tmp_path, 12)
    marker = tmp_path / "jobs" / "zjdaily" / RUNNING_MARKER
    written = json.loads(marker.read_text("utf-8"))
    assert sorted(written) == ["run_id", "token"], written
    with sqlite3.connect(tmp_path / "archive.sqlite") as db:
        assert [r[0] for r in db.execute("SELECT id FROM runs WHERE status = 'running'")] == [written["run_id"]]
    # As an older version wrote it, naming a process alive now (another one, after a reboot).
    alive = os.getppid()
    marker.write_text(json.dumps({"pid": alive, "run_id": written["run_id"], "token": written["token"],
                                  "lifetime": process_lifetime(alive)}), encoding="utf-8")
    result = run_cli(*_args(portal, tmp_path, extra=("--max-articles", "2")))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert "did not close; its request queue is discarded" in result.stderr
    with sqlite3.connect(tmp_path / "archive.sqlite") as db:
        assert [r[0] for r in db.execute("SELECT status FROM runs ORDER BY id")] == ["killed", "finished"]


def test_a_job_directory_holding_another_portals_unfinished_job_is_refused(
    portal: Path, uninterrupted: dict, tmp_path: Path
) -> None:
    """One --job-dir given to two portals: the second would crawl the first's queue (its pages
    offsite), count the first's articles against its --max-articles, and clear the first's job."""
    job = tmp_path / "job"
    _crawl_and_kill(portal, tmp_path, 12, signal.SIGINT, extra=("--job-dir", str(job)))
    epaper = ["crawl", "zjdaily-epaper", "--replay", str(ROOT / "fixtures" / "zjdaily-epaper"),
              "--db", str(tmp_path / "archive.sqlite"), "--job-dir", str(job), "--log-level", "WARNING"]
    refused = run_cli(*epaper)
    assert refused.returncode == 2, refused.stdout + refused.stderr[-3000:]
    assert refused.stderr.startswith(f"Error: the job directory {job} holds an unfinished crawl of zjdaily")
    # The first portal's job is still there, and resumes to the same archive.
    result = run_cli(*_args(portal, tmp_path, extra=("--job-dir", str(job))))
    assert result.returncode == 0, result.stderr[-3000:]
    assert differences(uninterrupted, snapshot(tmp_path / "archive.sqlite")) == []
    assert run_cli(*epaper).returncode == 0  # the job finished: the directory is free again
