"""Resumable crawls: a crawl stopped at any moment, even by SIGKILL, picks up where it stopped.

Switched on by Scrapy's ``JOBDIR`` (``newscrawler crawl`` sets ``<archive dir>/jobs/<portal>/``,
or ``--job-dir``). Scrapy keeps two things there, and neither survives a SIGKILL as it stands:

- the scheduler's disk queue is only consistent after a clean close (queuelib writes the queue
  sizes and ``active.json`` on close); and
- the duplicate filter writes a request's fingerprint when the request is *scheduled*, so a page
  whose response arrived but whose item was never archived would never be fetched again.

``ArchivedDupeFilter`` therefore persists a fingerprint only once the page's item has gone
through every pipeline (Scrapy's ``item_scraped`` signal, after the archive committed it); while
the crawl runs, every scheduled request is remembered in memory as usual. Listing pages are never
persisted: a resumed crawl fetches them again, rediscovers the links whose requests were queued
when the crawl died, and takes one more hot-list snapshot (listings are always fetched anyway,
see ``newscrawler.incremental``). An article archived in the moment between the commit and the
fingerprint write is fetched again on resume, which the archive absorbs (same content: outcome
``unchanged``, no new version).

``ResumableScheduler`` takes the job directory's lock (``newscrawler.joblock``) for the crawl's
life, so that one crawl at a time uses it, and marks the job directory while a crawl runs. A
marker left behind means the last crawl died without closing: its queue is discarded (the
restart from the start pages rebuilds it). A crawl that finished clears the job directory, so
the next crawl is a new job and the recrawl policy, not a stale duplicate filter, decides which
articles are fetched again. A crawl that was stopped cleanly (Ctrl-C) keeps its queue and
resumes from it; as the listings are fetched again and rediscover the same links, a request left
in the queue by an earlier run goes through the duplicate filter when it comes out of the queue,
so each page is fetched once.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.core.scheduler import Scheduler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.job import job_dir

from .items import PageItem
from .joblock import JobDirInUse, JobDirLock, claim_job_dir
from .seen import SeenSet

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.internet.defer import Deferred
    from typing_extensions import Self

logger = logging.getLogger(__name__)

RUNNING_MARKER = "crawl.running"
# The ``--max-articles`` budget a job has spent, beside ``requests.seen`` in the job directory.
BUDGET_FILE = "articles.counted"
# Request meta naming the crawl process that scheduled a request (queued requests outlive it).
RUN_META = "newscrawler_scheduled_by"
# Request meta: the canonical URL an article request spent the --max-articles budget on.
BUDGET_META = "newscrawler_budget"
# Queued article requests of an earlier run dropped: the job's budget, now smaller, has no room.
OVER_BUDGET_STAT = "newscrawler/resume/over_budget_dropped"
# Finish reasons after which the job is complete and its directory is cleared.
COMPLETE = ("finished", "closespider_itemcount", "closespider_pagecount")
# The crawl holding a job directory writes a token of its own into the marker before the archive
# records its run (the stat, read by the archive pipeline), and the run keeps it among its
# settings (the key): a crawl killed before the marker named its run has the run found by it.
JOB_TOKEN_STAT = "newscrawler/resume/job_token"
JOB_TOKEN = "job_token"


class ArchivedDupeFilter(RFPDupeFilter):
    """Scrapy's duplicate filter, persisting only the fingerprints of pages that were archived."""

    def __init__(self, path: str | None = None, debug: bool = False, *, crawler: Crawler | None = None,
                 **kwargs: Any) -> None:
        super().__init__(path, debug, **kwargs)
        if self.file is not None:
            # A record cut off by a kill would misalign every record appended after it.
            self.file.seek(0)
            self.file.truncate(_complete_length(self.file.read()))
        self.stats = crawler.stats if crawler else None
        if self.stats is not None and self._fingerprints:
            self.stats.set_value("newscrawler/resume/archived_before", len(self._fingerprints))
        if crawler is not None:
            crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(
            job_dir(crawler.settings),
            crawler.settings.getbool("DUPEFILTER_DEBUG"),
            fingerprinter=crawler.request_fingerprinter,
            crawler=crawler,
        )

    def request_seen(self, request: Request) -> bool:
        fingerprint = self._fingerprint(request)
        if fingerprint in self._fingerprints:
            return True
        self._fingerprints.add(fingerprint)
        return False

    def item_scraped(self, item: Any, response: Response, spider: Spider | None = None) -> None:
        if self.file is None or not isinstance(item, PageItem) or item.kind == "listing":
            return
        # For an item from an errback ``response`` is the failure, which carries the request too.
        request = getattr(response, "request", None)
        if request is None:
            return
        fingerprint = self._fingerprint(request)
        self.file.write(len(fingerprint).to_bytes(2, "big") + fingerprint)
        self.file.flush()


def _complete_length(data: bytes) -> int:
    """The length of the leading complete records of a ``requests.seen`` file."""
    end = 0
    while end + 2 <= len(data):
        size = int.from_bytes(data[end : end + 2], "big")
        if end + 2 + size > len(data):
            break
        end += 2 + size
    return end


def _marker(marker: Path) -> dict[str, Any]:
    """What a running crawl wrote into its marker: its ``run_id`` in the archive and its
    ``token``. Older versions also wrote ``pid`` and ``lifetime``, which are not read."""
    try:
        found = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


# The portal and the archive run a job's last crawl wrote into (``{"portal", "run_id",
# "started_at", "archive"}``): the job's fingerprints say "archived" of that archive only.
JOB_ARCHIVE_FILE = "archive.json"
# What a job directory holds of an unfinished job; all of it is discarded together.
JOB_STATE = ("requests.seen", "requests.queue", "spider.state", BUDGET_FILE, RUNNING_MARKER,
             JOB_ARCHIVE_FILE)


class JobOfAnotherPortal(JobDirInUse):
    """A job directory holding another portal's unfinished job: this crawl would take over that
    portal's queue and article budget, and clear its job when it finishes."""


def _unfinished(jobdir: Path) -> bool:
    return any((jobdir / name).exists() for name in ("requests.seen", "requests.queue", BUDGET_FILE))


def check_job_portal(jobdir: str | Path, portal: str) -> None:
    """Raise ``JobOfAnotherPortal`` when ``jobdir`` holds an unfinished job of another portal."""
    jobdir = Path(jobdir)
    other = _marker(jobdir / JOB_ARCHIVE_FILE).get("portal")
    if isinstance(other, str) and other != portal and _unfinished(jobdir):
        raise JobOfAnotherPortal(
            f"the job directory {jobdir} holds an unfinished crawl of {other}: finish it with"
            f" `newscrawler crawl {other}`, or give this crawl its own --job-dir"
        )


def foreign_job_state(jobdir: str | Path, archive: str | None) -> str | None:
    """Why the job state in ``jobdir`` is not true of ``archive`` (None when it is, or when it
    cannot be told): the archive its crawl wrote into was deleted, or is another file.

    Resuming would otherwise skip every page the fingerprints mark as archived, pages the
    archive given does not hold.
    """
    jobdir = Path(jobdir)
    bound = _marker(jobdir / JOB_ARCHIVE_FILE)
    run_id, started_at = bound.get("run_id"), bound.get("started_at")
    if not archive or not isinstance(run_id, int) or not isinstance(started_at, str):
        return None  # no archive now, or a job directory that never named its archive
    if not _unfinished(jobdir):
        return None
    if not Path(archive).is_file():
        return f"the archive it was crawled into is not at {archive} any more"
    from archive import Archive, ArchiveError

    try:
        with Archive.open(archive, create=False) as opened:
            runs = opened.runs(before=run_id + 1, last=1)
    except ArchiveError:
        return None  # the crawl reports an archive it cannot open
    if not runs or runs[0]["id"] != run_id or runs[0]["started_at"] != started_at:
        return f"{archive} does not hold its run {run_id} (another archive, or one made anew)"
    return None


def discard_job_state(jobdir: str | Path) -> None:
    """Remove an unfinished job's state: the next crawl starts a new job."""
    for name in JOB_STATE:
        path = Path(jobdir) / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


class ResumableScheduler(Scheduler):
    """Scrapy's scheduler, discarding a queue a killed crawl left and clearing a finished job."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.token = uuid.uuid4().hex
        self.job_lock: JobDirLock | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        # Before the duplicate filter reads the job's fingerprints.
        jobdir = job_dir(crawler.settings)
        if not jobdir:
            return super().from_crawler(crawler)
        # Held until the crawl closes (or its process ends): from here on no other crawl reads
        # or changes the job's state.
        lock = claim_job_dir(jobdir)
        try:
            check_job_portal(jobdir, str(crawler.spidercls.name))
            reason = foreign_job_state(jobdir, crawler.settings.get("NEWSCRAWLER_ARCHIVE"))
            if reason:
                logger.warning("The unfinished job in %s is not resumed: %s; the crawl starts a"
                               " new job", jobdir, reason)
                discard_job_state(jobdir)
                if crawler.stats is not None:
                    crawler.stats.set_value("newscrawler/resume/job_discarded", reason)
            scheduler = super().from_crawler(crawler)
        except BaseException:
            lock.release()
            raise
        scheduler.job_lock = lock
        return scheduler

    def enqueue_request(self, request: Request) -> bool:
        request.meta[RUN_META] = self.token
        return super().enqueue_request(request)

    def next_request(self) -> Request | None:
        while True:
            request = super().next_request()
            if request is None or request.meta.get(RUN_META) == self.token:
                return request
            if self._over_budget(request):
                continue
            if request.dont_filter:
                return request
            # Queued by an earlier run: this run may have scheduled the same page again already.
            if not self.df.request_seen(request):
                return request
            if self.stats is not None:
                self.stats.inc_value("newscrawler/resume/queued_twice")

    def _over_budget(self, request: Request) -> bool:
        """Whether a request queued by an earlier run is for an article the job's budget no
        longer counts (resumed with a smaller ``--max-articles``): it is dropped, not fetched."""
        url = request.meta.get(BUDGET_META)
        spider = self.crawler.spider if self.crawler is not None else None
        budget = getattr(spider, "budget", None)
        if not url or not isinstance(budget, ArticleBudget) or url in budget:
            return False
        if self.stats is not None:
            self.stats.inc_value(OVER_BUDGET_STAT)
        return True

    def open(self, spider: Spider) -> Deferred[None] | None:
        if self.dqdir:
            queue = Path(self.dqdir)
            marker = queue.parent / RUNNING_MARKER
            if marker.exists():  # left by a crawl that died: this one holds the job's lock
                self._end_interrupted_run(_marker(marker))
                logger.warning(
                    "The last crawl in %s did not close; its request queue is discarded and the "
                    "crawl restarts from the start pages, skipping pages already archived",
                    queue.parent,
                )
                shutil.rmtree(queue)
                queue.mkdir(parents=True)
                # Written on close only; a kill while it was written leaves it unreadable.
                (queue.parent / "spider.state").unlink(missing_ok=True)
                if self.stats is not None:
                    self.stats.set_value("newscrawler/resume/queue_discarded", 1)
            # Before the archive pipeline records the run (the pipelines open after the
            # scheduler): whenever this crawl dies, its marker names a token its run holds.
            if self.stats is not None:
                self.stats.set_value(JOB_TOKEN_STAT, self.token)
            self._write_marker(None)
            if self.crawler is not None:
                # The archive pipeline has started its run by the time the spider opens.
                self.crawler.signals.connect(self._spider_opened, signal=signals.spider_opened)
        return super().open(spider)

    def _write_marker(self, run_id: int | None) -> None:
        assert self.dqdir
        marker = Path(self.dqdir).parent / RUNNING_MARKER
        # Which process holds the job directory is the lock file's to say (``joblock``); the
        # marker says only which run a crawl that dies leaves to end.
        marker.write_text(json.dumps({"run_id": run_id, "token": self.token}), encoding="utf-8")

    def _spider_opened(self, spider: Spider) -> None:
        run_id = self.stats.get_value("newscrawler/archive/run_id") if self.stats else None
        if run_id is not None:
            self._write_marker(run_id)
            self._bind_archive(run_id, spider.name)

    def _bind_archive(self, run_id: int, portal: str) -> None:
        """Name the portal and the archive run this job writes into (``check_job_portal`` and
        ``foreign_job_state`` read them)."""
        assert self.dqdir and self.crawler is not None and self.stats is not None
        bound = {"portal": portal, "run_id": run_id,
                 "started_at": self.stats.get_value("newscrawler/archive/run_started_at"),
                 "archive": str(Path(self.crawler.settings.get("NEWSCRAWLER_ARCHIVE")).resolve())}
        path = Path(self.dqdir).parent / JOB_ARCHIVE_FILE
        # Replaced whole: a kill leaves the old file or the new one.
        temporary = path.with_name(JOB_ARCHIVE_FILE + ".new")
        temporary.write_text(json.dumps(bound), encoding="utf-8")
        os.replace(temporary, path)

    def _end_interrupted_run(self, marker: dict[str, Any]) -> None:
        """Mark the dead crawl's run in the archive, which would otherwise stay ``running``: the
        run its marker names, or, killed before it could name it, the run holding its token."""
        path = self.crawler.settings.get("NEWSCRAWLER_ARCHIVE") if self.crawler else None
        run_id, token = marker.get("run_id"), marker.get("token")
        if not path or not Path(path).is_file():
            return
        if not isinstance(run_id, int) and not isinstance(token, str):
            return
        from archive import Archive
        from archive.query import run_tagged

        with Archive.open(path, create=False) as archive:
            if not isinstance(run_id, int):
                run_id = run_tagged(archive.conn, JOB_TOKEN, str(token))
                if run_id is None:  # killed before its run was recorded: nothing to end
                    return
            if archive.interrupt_run(run_id):
                logger.info("Run %s of the archive ended as killed", run_id)
        if self.stats is not None:
            # For the article budget: what this run archived counts even where the kill came
            # before the budget file heard of it.
            self.stats.set_value("newscrawler/resume/killed_run_id", run_id)

    def close(self, reason: str) -> Deferred[None] | None:
        result = super().close(reason)
        if self.dqdir:
            jobdir = Path(self.dqdir).parent
            if reason in COMPLETE:
                shutil.rmtree(self.dqdir, ignore_errors=True)
                (jobdir / "requests.seen").unlink(missing_ok=True)
                (jobdir / JOB_ARCHIVE_FILE).unlink(missing_ok=True)
            (jobdir / RUNNING_MARKER).unlink(missing_ok=True)
        if self.job_lock is not None:
            self.job_lock.release()
        return result



class ArticleBudget:
    """The articles a job has spent of its ``--max-articles`` budget, kept across resumes.

    The spider counts an article when it requests it; a crawl killed and run again would count
    from zero and fetch N more. So every spend is appended to ``articles.counted`` in the job
    directory and flushed at once, as ``requests.seen`` is: ``R <url>`` when the spider spends
    budget on an article request, ``A <url>`` when that page went through every pipeline. A
    line cut off by a kill is ignored.

    What a resumed crawl counts as spent depends on how the last one ended:

    - killed (``ResumableScheduler`` discarded its queue): the articles archived. Requests that
      were in flight or queued died with it; a listing rediscovers them and they are spent again.
      The archive commits a page before the crawl hears of it, so a kill can fall between the
      two: ``archived_in_archive`` (the requested articles the killed run's captures hold, read
      from the archive) counts too, or those pages would be skipped as archived and their budget
      spent a second time on other articles.
    - stopped cleanly (queue kept): every article requested. Those still queued are fetched from
      the queue, and a listing rediscovering one spends nothing more.

    Given a ``limit`` (``--max-articles`` now) that the articles requested but not archived would
    take the job over, only as many of them as the limit leaves room for stay counted; the others
    are no longer spent (``trimmed``), and ``ResumableScheduler`` drops their queued requests.
    Articles already archived stay counted, even beyond a limit smaller than them.

    At start the file is rewritten to what is spent; a job that completes removes it.
    """

    def __init__(
        self, jobdir: str | Path | None, queue_discarded: bool = False,
        archived_in_archive: Iterable[str] = (), limit: int | None = None,
    ) -> None:
        # Every article of a long job, so kept compact (hashes, not the URLs: ``seen.py``).
        self.spent = SeenSet()
        self.before = 0  # spent by earlier runs of the job
        self.trimmed = 0  # requested by earlier runs, not counted any more: over ``limit``
        self.path = Path(jobdir) / BUDGET_FILE if jobdir else None
        self.file: Any = None
        if self.path is None:
            return
        requested, archived = _read_budget(self.path)
        archived |= requested.intersection(archived_in_archive)
        spent = set(archived) if queue_discarded else requested | archived
        spent = self._within(spent, archived, limit)
        # Rewritten whole (then replaced), so a kill now leaves the old file or the new one.
        temporary = self.path.with_name(BUDGET_FILE + ".new")
        with temporary.open("w", encoding="utf-8") as out:
            for url in sorted(spent):
                out.write(f"{'A' if url in archived else 'R'} {url}\n")
        os.replace(temporary, self.path)
        self.spent = SeenSet(spent)
        self.before = len(self.spent)
        self.file = self.path.open("a", encoding="utf-8")

    def _within(self, spent: set[str], archived: set[str], limit: int | None) -> set[str]:
        """``spent`` without the articles requested but not archived that ``limit`` has no room
        for (which ones is arbitrary but stable: the first in order)."""
        pending = sorted(spent - archived)
        room = max(0, limit - len(spent & archived)) if limit is not None else len(pending)
        self.trimmed = max(0, len(pending) - room)
        return spent - set(pending[room:])

    def __len__(self) -> int:
        return len(self.spent)

    def __contains__(self, url: object) -> bool:
        return url in self.spent

    def spend(self, url: str) -> None:
        if self.spent.add(url):
            self._write("R", url)

    def archived(self, url: str) -> None:
        self.spent.add(url)
        self._write("A", url)

    def _write(self, kind: str, url: str) -> None:
        if self.file is not None and "\n" not in url:
            self.file.write(f"{kind} {url}\n")
            self.file.flush()

    def close(self, complete: bool) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
        if complete and self.path is not None:
            self.path.unlink(missing_ok=True)


def _read_budget(path: Path) -> tuple[set[str], set[str]]:
    """The URLs requested (``R`` or ``A``) and archived (``A``) in a budget file's whole lines."""
    requested: set[str] = set()
    archived: set[str] = set()
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return requested, archived
    for line in text.split("\n")[:-1]:  # after the last newline: a line the kill cut off
        kind, _, url = line.partition(" ")
        if url and kind in ("R", "A"):
            requested.add(url)
            if kind == "A":
                archived.add(url)
    return requested, archived
