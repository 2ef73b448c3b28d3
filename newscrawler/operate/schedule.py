"""Scheduled crawls: cron times of each job, a foreground scheduler, and crontab lines.

``newscrawler schedule run`` (``Scheduler``) reads the configuration file (``newscrawler.operate.config``)
and starts each due crawl as its own process, ``python -m newscrawler crawl PORTAL ...``, with
its output in ``log_dir``. The rules it keeps:

- one crawl per portal at a time: a portal still crawling when its next time comes skips that
  time (logged), and a lock file per portal (``log_dir/locks``) keeps two schedulers, or a
  scheduler and a crontab line, from crawling one portal at once; a ``newscrawler crawl`` of the
  portal started by hand (no lock, but its job directory in use) makes it skip the time too,
  whether the scheduler sees it before starting its crawl or that crawl refuses the directory;
- every run is in the archive: the crawl records its own run; the scheduler finds it by the
  ``NEWSCRAWLER_RUN_TAG`` setting it passed, and when the crawl died before recording (or while
  its run was still ``running``) it records the run itself as ``crashed`` or ``killed``, with
  the exit status and the last lines of the crawl's log. Then the schedule goes on;
- after the machine slept (or the scheduler was not running), a job whose time passed runs
  once, not once per missed time; at start, a job whose last recorded run is older than its
  latest scheduled time runs once;
- SIGINT or SIGTERM stops it: no new crawls; running ones get SIGINT (Scrapy's clean shutdown)
  and ``stop_timeout`` seconds, then a second SIGINT and 10 seconds, then SIGKILL. A second
  signal to the scheduler skips the wait. Crawls start with SIGINT and SIGTERM blocked
  (``newscrawler.stopsignals``), so one stopped before it has started ends ``shutdown`` too;
  one stopped while it waited for the archive another process held locked could not record its
  run, and the scheduler records it so (``shutdown``, not ``crashed``). Recording a run waits
  for an archive another process holds locked as long as SQLite's busy timeout, or until the
  scheduler is stopped; a run it could not record is said in one line naming the crawl's log.
  Stopped while it records the run of a crawl that ended, its stop line says so.

A portal placed on a scrapyd node (``newscrawler.operate.nodes``) is crawled there instead: the
scheduler queues it with the node's ``schedule.json`` and polls ``listjobs.json``, keeping the
same rules (lock, one crawl per portal, at most ``max_crawls`` per node). The crawl records its
run in the node's archive and logs it; the scheduler reads the outcome from the job's log (kept
in ``log_dir`` too) and records in its own archive what the node could not: a job that ended
without its run recorded (``crashed``), and a node found down (``node-down``), waiting for an
archive held locked as it does for a local crawl's run. A node that is
down keeps its crawls: they are retried there every ``NODE_RETRY_SECONDS`` until it is back, and
a job it lost (it restarted while the crawl ran) is recorded as crashed and queued again.
"""

from __future__ import annotations

import fcntl
import os
import shlex
import signal
import subprocess
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from croniter import croniter

from .. import stopsignals
from .config import Config, Job
from .nodes import Node, Scrapyd
from .remote import RUN_TAG, RemoteCrawls, last_dispatches, log_end, setting_value, tail

POLL_SECONDS = 0.5
KILL_GRACE_SECONDS = 10.0
# Missed times are counted for the log, up to this many.
MISSED_COUNT_CAP = 1000


def next_time(job: Job, after: datetime) -> datetime:
    """The job's first scheduled time strictly after ``after`` (aware, in after's zone)."""
    return min(croniter(expr, after).get_next(datetime) for expr in job.schedules)


def previous_time(job: Job, at: datetime) -> datetime:
    """The job's latest scheduled time at or before ``at``."""
    return max(croniter(expr, at).get_prev(datetime) for expr in job.schedules)


def next_times(job: Job, after: datetime, count: int) -> list[datetime]:
    times: list[datetime] = []
    current = after
    while len(times) < count:
        current = next_time(job, current)
        times.append(current)
    return times


def _aware(moment: datetime) -> datetime:
    """A time as recorded, in UTC when it names no zone (older archives)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def missed_times(job: Job, due: datetime, now: datetime) -> int:
    """How many scheduled times fell in [due, now]: more than one means the machine slept."""
    count, current = 1, due
    while count < MISSED_COUNT_CAP:
        current = next_time(job, current)
        if current > now:
            break
        count += 1
    return count


def crawl_args(config: Config, job: Job, now: datetime, tag: str | None = None) -> list[str]:
    """Arguments of ``newscrawler crawl`` for one run of the job."""
    args = ["crawl", job.portal, "--db", str(config.archive)]
    if job.replay is not None:
        args += ["--replay", str(job.replay)]
    if job.max_articles is not None:
        args += ["--max-articles", str(job.max_articles)]
    since = job.since_date(now)
    if since is not None:
        args += ["--since", since]
    if job.depth is not None:
        args += ["--depth", str(job.depth)]
    for option, day in zip(("--from", "--to"), job.edition_dates(now), strict=True):
        if day is not None:
            args += [option, day]
    for name, value in job.settings.items():
        args += ["-s", f"{name}={setting_value(value)}"]
    if tag is not None:
        # The scheduler keeps each run's output in a file of its own: the whole log goes there.
        args += ["-s", f"{RUN_TAG}={tag}", "-s", "NEWSCRAWLER_PROGRESS=off", "--verbose"]
    return args


def crontab_lines(config: Config, program: str | None = None) -> list[str]:
    """Crontab lines that run the same jobs through ``newscrawler schedule crawl`` (which keeps
    the per-portal lock and records crashed runs, as ``schedule run`` does)."""
    program = program or shlex.join([sys.executable, "-m", "newscrawler"])
    config_path = shlex.quote(str(config.path.resolve()))
    workdir = shlex.quote(str(config.path.resolve().parent))
    lines = [f"# newscrawler schedule from {config.path.resolve()}"]
    if config.timezone:
        lines.append(f"CRON_TZ={config.timezone}")
    # cron's environment has no $NEWSCRAWLER_DB: the archive it named is passed on.
    env = f"NEWSCRAWLER_DB={shlex.quote(str(config.archive))} " if config.archive_from_env else ""
    # The shell opens the log before the crawl runs: in a directory not made yet, nothing would.
    mkdir = f"mkdir -p {shlex.quote(str(config.log_dir))}"
    for job in config.jobs:
        log = shlex.quote(str(config.log_dir / f"{job.portal}.cron.log"))
        command = (f"cd {workdir} && {mkdir} && {env}{program} schedule crawl {shlex.quote(job.portal)}"
                   f" --config {config_path} >> {log} 2>&1")
        # cron reads % as a newline: escape it.
        command = command.replace("%", r"\%")
        for expression in job.schedules:
            lines.append(f"{expression} {command}")
    return lines


@dataclass
class Running:
    job: Job
    process: subprocess.Popen[bytes] | None  # None for a crawl on a scrapyd node
    tag: str
    started_at: str
    log_path: Path
    lock: IO[str]
    args: list[str]
    # On a scrapyd node: the job id once queued there (the tag), the reason the node was found
    # down (reported once per outage), and when to try it again.
    jobid: str | None = None
    down: str | None = None
    retry_at: float = 0.0
    now: datetime | None = None


class Scheduler(RemoteCrawls):
    """Starts due crawls as child processes and keeps the rules above.

    ``echo`` prints its lines; ``python`` is the program crawls are started with (``python -m
    newscrawler crawl ...``); ``clock`` and ``sleep`` give the time and wait; ``archive_wait``:
    how long recording a run waits for the archive another process holds locked (SQLite's busy
    timeout, ``archive.connection.BUSY_TIMEOUT_S``, by default).
    """

    def __init__(self, config: Config, echo: Callable[[str], Any] = print,
                 python: str = sys.executable,
                 clock: Callable[[], datetime] | None = None,
                 sleep: Callable[[float], Any] = time.sleep,
                 archive_wait: float | None = None) -> None:
        from archive.connection import BUSY_TIMEOUT_S

        self.config = config
        # How long recording a run waits for the archive another process holds locked.
        self.archive_wait = BUSY_TIMEOUT_S if archive_wait is None else archive_wait
        self.echo = echo
        self.python = python
        self.clock = clock or (lambda: datetime.now(config.zone))
        self.sleep = sleep
        self.running: dict[str, Running] = {}
        self.recording: set[str] = set()
        # Due jobs waiting for their node to have a crawl slot free (max_crawls).
        self.queued: dict[str, Job] = {}
        self.clients: dict[str, Scrapyd] = {}
        self.next_remote_poll = 0.0
        self.finished = 0
        self.failed = 0
        self.stopping = False
        self.forced = False

    def say(self, message: str) -> None:
        stamp = self.clock().strftime("%Y-%m-%d %H:%M:%S")
        self.echo(f"{stamp} {message}")

    # --- the loop ---------------------------------------------------------------------------

    def run(self, once: bool = False, max_runs: int | None = None,
            only: list[str] | None = None) -> int:
        """Run until stopped (or, with ``once``, until each job ran once); returns failed runs."""
        jobs = [job for job in self.config.jobs if only is None or job.portal in only]
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            now = self.clock()
            if once:
                for job in jobs:
                    self._start(job, now)
            else:
                due = {job.portal: self._first_due(job, now) for job in jobs}
                for job in jobs:
                    self.say(f"{job.portal}: next crawl {due[job.portal]:%Y-%m-%d %H:%M %Z}".rstrip())
            while not self.stopping:
                self._reap()
                if max_runs is not None and self.finished >= max_runs:
                    break
                if once:
                    if not self.running and not self.queued:
                        break
                else:
                    now = self.clock()
                    for job in jobs:
                        if due[job.portal] <= now:
                            missed = missed_times(job, due[job.portal], now)
                            if missed > 1:
                                self.say(f"{job.portal}: {missed} scheduled times passed (the machine"
                                         " slept or the scheduler was busy); crawling once")
                            due[job.portal] = next_time(job, now)
                            self._start(job, now)
                self.sleep(POLL_SECONDS)
            if self.stopping:
                self._stop_running()
            else:
                self._wait_running()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return self.failed

    def _on_signal(self, signum: int, frame: Any) -> None:
        if self.stopping:
            self.forced = True
            return
        self.stopping = True
        name = signal.Signals(signum).name
        # A crawl that ended is out of ``running`` while its run is recorded, which may wait for
        # the archive: said, so that the scheduler still busy with it is not taken for idle.
        ended = sorted(self.recording - set(self.running))
        recording = f"; the run of {', '.join(ended)}, which ended, is being recorded" if ended else ""
        self.say(f"{name}: stopping; {len(self.running)} crawl(s) running{recording}")

    def _first_due(self, job: Job, now: datetime) -> datetime:
        """Now, if a scheduled time passed since the portal's last recorded run; else the next."""
        from archive import Archive, ArchiveError

        latest = previous_time(job, now)
        try:
            with Archive.open(self.config.archive, create=False) as archive:
                runs = archive.runs(job.portal, last=1)
        except ArchiveError:
            runs = []
        starts = [run["started_at"] for run in runs]
        queued = last_dispatches(self.config.log_dir).get(job.portal)
        if queued and not self.config.nodes[job.node].local:
            # The node's archive holds its runs; the scheduler notes each crawl it queued there.
            starts.append(queued)
        if starts:
            last = max(_aware(datetime.fromisoformat(start)) for start in starts)
            if last < latest:
                self.say(f"{job.portal}: last crawl {last.astimezone(self.config.zone):%Y-%m-%d %H:%M},"
                         f" before the scheduled {latest:%Y-%m-%d %H:%M}; crawling once now")
                return now
        return next_time(job, now)

    # --- one crawl --------------------------------------------------------------------------

    def _lock(self, portal: str) -> IO[str] | None:
        directory = self.config.log_dir / "locks"
        directory.mkdir(parents=True, exist_ok=True)
        handle = (directory / f"{portal}.lock").open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return None
        return handle

    def _start(self, job: Job, now: datetime) -> None:
        if job.portal in self.running or job.portal in self.queued:
            self.say(f"{job.portal}: still crawling; skipping this scheduled time")
            return
        node = self.config.nodes[job.node]
        if not self._has_slot(node):
            self.queued[job.portal] = job
            self.say(f"{job.portal}: node {node.name} has its {node.max_crawls} crawl(s) running;"
                     " waiting for one to end")
            return
        lock = None
        try:
            lock = self._lock(job.portal)
            if lock is None:
                self.say(f"{job.portal}: another process is crawling it (lock held); skipping")
                return
            tag = uuid.uuid4().hex
            if not node.local:
                self._start_remote(job, now, tag, lock)
                return
            user = self._job_dir_user(job)
            if user is not None:
                lock.close()
                self._skip_for_hand_crawl(job.portal, user)
                return
            args = crawl_args(self.config, job, now, tag)
            self.config.log_dir.mkdir(parents=True, exist_ok=True)
            log_path = self.config.log_dir / f"{job.portal}-{now:%Y%m%dT%H%M%S}-{tag[:6]}.log"
            # Held from its first moment, a stop (ours, when the scheduler stops) waits until the
            # crawl can end as stopped, never a traceback of an interrupted start.
            with log_path.open("wb") as log, stopsignals.held():
                process = subprocess.Popen(
                    [self.python, "-m", "newscrawler", *args],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    cwd=self.config.path.resolve().parent,
                    # Its own process group: a Ctrl-C on the terminal reaches the scheduler
                    # only, which stops the crawls in order.
                    start_new_session=True,
                    # The crawl holds the portal's lock too: a crawl that outlives a killed
                    # scheduler keeps the next scheduler or crontab line from starting another.
                    pass_fds=(lock.fileno(),),
                )
        except Exception:  # noqa: BLE001 - the schedule goes on; the traceback is printed
            if lock is not None:
                lock.close()
            self.failed += 1
            self.say(f"{job.portal}: could not start the crawl:\n{traceback.format_exc()}")
            return
        self.running[job.portal] = Running(job, process, tag, datetime.now(timezone.utc).isoformat(),
                                           log_path, lock, args)
        self.say(f"{job.portal}: crawl started (pid {process.pid}, log {log_path})")

    def _skip_for_hand_crawl(self, portal: str, pid: int) -> None:
        from ..joblock import LOCK_FILE

        # 0 (``job_dir_user``): the lock's holder never wrote its process id into the lock file;
        # which process it is, is not known.
        who = f"process {pid}" if pid else f"its process not named in {LOCK_FILE}"
        self.say(f"{portal}: another crawl ({who}, not started by the scheduler)"
                 " is using its job directory; skipping this scheduled time")

    def _job_dir_user(self, job: Job) -> int | None:
        """The live crawl (a ``newscrawler crawl`` run by hand) holding the job directory the
        portal's crawl would use: started anyway, the crawl would refuse it (``_finish``)."""
        from ..joblock import job_dir_user

        # Where ``newscrawler crawl`` keeps it: jobs/PORTAL beside the archive.
        archive = self.config.path.resolve().parent / self.config.archive
        return job_dir_user(archive.parent / "jobs" / job.portal)

    def _reap(self) -> None:
        for portal, running in list(self.running.items()):
            if running.process is not None and running.process.poll() is not None:
                del self.running[portal]
                self._finish(running)
        self._poll_remote()
        for portal, job in list(self.queued.items()):
            if not self.stopping and self._has_slot(self.config.nodes[job.node]):
                del self.queued[portal]
                self._start(job, self.clock())

    def _has_slot(self, node: Node) -> bool:
        busy = sum(1 for running in self.running.values() if running.job.node == node.name)
        return node.max_crawls is None or busy < node.max_crawls

    def _finish(self, running: Running) -> None:
        assert running.process is not None
        code = running.process.returncode
        user = self._refused_job_dir(running, code)
        if user is not None:
            # A crawl started by hand (or a process naming none, 0) took the job directory after
            # ``_start`` looked: the same skipped time as when it looks in time, not a failed run.
            running.lock.close()
            self._skip_for_hand_crawl(running.job.portal, user)
            return
        self.finished += 1
        if code != 0:
            self.failed += 1
        from archive import ArchiveError

        try:
            line = self._record(running, code)
        except Exception as exc:  # noqa: BLE001 - the schedule goes on; one line, or the traceback
            not_recorded = self._not_recorded(running, exc)
            if not_recorded is not None:  # the archive held locked by another process
                line = not_recorded
            elif isinstance(exc, ArchiveError):  # damaged, replaced by something else: said in a line
                line = f"could not check the archive: {exc}"
            else:
                line = f"could not check the archive:\n{traceback.format_exc()}"
        finally:
            running.lock.close()
        self.say(f"{running.job.portal}: crawl ended (exit {code}): {line}")

    @staticmethod
    def _refused_job_dir(running: Running, code: int) -> int | None:
        """The process the crawl found using its job directory, when it refused to start for
        that (exit 1 and its ``Error:`` line); it refuses before recording a run."""
        from ..joblock import job_dir_refused

        return job_dir_refused(tail(running.log_path)) if code == 1 else None

    def _record(self, running: Running, code: int) -> str:
        """The run's report line; records the run if the crawl could not."""
        from archive import Archive

        from ..reports import STOPPED_WHILE_STARTING_STAT, run_line, stopped_while_starting

        with self._recording(running) as give_up, \
                Archive.open(self.config.archive, busy_timeout=self.archive_wait) as archive:
            mine = [run for run in archive.runs(running.job.portal, last=50)
                    if run["settings"].get(RUN_TAG) == running.tag]
            failure = {
                "newscrawler/scheduler/exit_code": code,
                "newscrawler/scheduler/failure": tail(running.log_path),
                "newscrawler/scheduler/log": str(running.log_path),
            }
            status = "killed" if code < 0 else "crashed"
            # The summary's first line, with the warnings it repeats below it: the log's last 64 KiB.
            stopped = stopped_while_starting(log_end(running.log_path, 65536)) if code == 1 and not mine else None
            if stopped is not None:
                # Stopped while it waited to record its run (another process held the archive
                # locked): it ended as any crawl stopped as it starts, which is what is recorded.
                status = "shutdown"
                failure = {STOPPED_WHILE_STARTING_STAT: stopped, "newscrawler/scheduler/exit_code": code,
                           "newscrawler/scheduler/log": str(running.log_path)}
            if not mine:
                run_id = archive.record_failed_run(
                    running.job.portal, {RUN_TAG: running.tag, "args": running.args}, status,
                    failure, started_at=running.started_at, give_up=give_up)
            else:
                run_id = mine[0]["id"]
                if mine[0]["status"] == "running":
                    archive.finish_run(run_id, status, {**mine[0]["stats"], **failure}, give_up=give_up)
            return run_line(next(r for r in archive.runs(running.job.portal, last=50) if r["id"] == run_id))

    # --- a crawl on a scrapyd node (the rest in RemoteCrawls) ---------------------------------

    def _start_remote(self, job: Job, now: datetime, tag: str, lock: IO[str]) -> None:
        self.config.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.config.log_dir / f"{job.portal}-{now:%Y%m%dT%H%M%S}-{tag[:6]}.log"
        running = Running(job, None, tag, datetime.now(timezone.utc).isoformat(), log_path, lock, [],
                          now=now)
        self.running[job.portal] = running
        self._dispatch(running)

    # --- stopping ---------------------------------------------------------------------------

    def _wait_running(self) -> None:
        while (self.running or self.queued) and not self.stopping:
            self._reap()
            self.sleep(POLL_SECONDS)
        if self.running:
            self._stop_running()

    def _signal_all(self, sig: int) -> None:
        for running in list(self.running.values()):
            if running.process is not None:
                with suppress(ProcessLookupError):
                    os.killpg(running.process.pid, sig)
            else:
                self._cancel_remote(running, sig)

    def _stop_running(self) -> None:
        for portal in self.queued:
            self.say(f"{portal}: not started (waiting for a crawl slot on node {self.queued[portal].node})")
        self.queued.clear()
        steps = [(signal.SIGINT, self.config.stop_timeout), (signal.SIGINT, KILL_GRACE_SECONDS),
                 (signal.SIGKILL, KILL_GRACE_SECONDS)]
        for sig, timeout in steps:
            self._reap()
            if not self.running:
                return
            self.say(f"sending {signal.Signals(sig).name} to {', '.join(self.running)}")
            self._signal_all(sig)
            deadline = time.monotonic() + timeout
            forced = self.forced
            while self.running and time.monotonic() < deadline and self.forced == forced:
                time.sleep(POLL_SECONDS / 5)
                self._reap()
        self._reap()
        for portal, running in list(self.running.items()):  # on a node that stayed down
            del self.running[portal]
            running.lock.close()
            self.say(f"{portal}: left running on node {running.job.node} (job {running.jobid}), unreachable")
