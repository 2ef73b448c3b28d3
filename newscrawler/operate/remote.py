"""Crawls on scrapyd nodes, for the scheduler: queued with ``schedule.json``, polled with
``listjobs.json``, their outcome read from the job's log.

``RemoteCrawls`` is the part of ``newscrawler.operate.schedule.Scheduler`` that talks to the nodes
(``newscrawler.operate.nodes.Scrapyd``); the scheduler keeps the lock, the per-node crawl slots and the
stopping rules for local and remote crawls alike. A crawl records its run in its node's archive
and logs it (``reports.recorded_line``); what the node cannot record is recorded in the
scheduler's archive: a job that ended without its run (``crashed``; ``shutdown`` when its log
says it was stopped as it started, waiting for the node's archive held locked), a job the node lost when it
restarted (``crashed``, then queued again), a node found down (``node-down``, once per outage
and crawl; the crawl waits for the node and is never moved to another), and a node that refused
to queue the crawl (``refused``: credentials, the project not deployed; tried again at the next
scheduled time).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
import traceback
import uuid
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .nodes import Node, NodeDown, NodeRefused, Scrapyd

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from .config import Config, Job
    from .schedule import Running

# The setting by which the scheduler finds the run of a crawl it started (kept with the run).
RUN_TAG = "NEWSCRAWLER_RUN_TAG"
# How often the nodes' jobs are polled, and a node found down is tried again.
REMOTE_POLL_SECONDS = 1.0
NODE_RETRY_SECONDS = 5.0


def setting_value(value: Any) -> str:
    # Scrapy reads -s values as strings: booleans as True/False, lists and dicts as JSON.
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def scrapyd_job(node: Node, job: Job, now: datetime, tag: str) -> tuple[dict[str, str], dict[str, str]]:
    """The settings and spider arguments of ``schedule.json`` for one run of the job on a node:
    what ``crawl_args`` gives ``newscrawler crawl``, with the node's archive and WARC directory."""
    assert node.archive is not None
    settings = {name: setting_value(value) for name, value in job.settings.items()}
    settings.update({"NEWSCRAWLER_ARCHIVE": node.archive, "JOBDIR": node.job_dir(job.portal),
                     RUN_TAG: tag, "NEWSCRAWLER_PROGRESS": "off"})
    if node.warc_dir:
        settings["NEWSCRAWLER_WARC_DIR"] = node.warc_dir
    if job.replay is not None:
        from ..warc import is_warc_source

        kind = "NEWSCRAWLER_REPLAY_WARC" if is_warc_source(job.replay) else "NEWSCRAWLER_REPLAY_DIR"
        settings[kind] = str(job.replay)
    if job.depth is not None:
        settings["DEPTH_LIMIT"] = str(job.depth)
    args = {}
    if job.max_articles is not None:
        args["max_articles"] = str(job.max_articles)
    since = job.since_date(now)
    if since is not None:
        args["since"] = since
    for name, day in zip(("date_from", "date_to"), job.edition_dates(now), strict=True):
        if day is not None:
            args[name] = day
    return settings, args


class RemoteCrawls:
    """The scheduler's crawls on scrapyd nodes (a mixin of ``Scheduler``)."""

    config: Config
    running: dict[str, Running]
    clients: dict[str, Scrapyd]
    next_remote_poll: float
    finished: int
    failed: int
    stopping: bool
    forced: bool
    archive_wait: float
    # The portals whose run the scheduler is recording in its archive: a crawl that ended is out
    # of ``running`` by then, yet the scheduler still works on it (and may wait for the archive).
    recording: set[str]
    clock: Callable[[], datetime]

    def say(self, message: str) -> None:
        raise NotImplementedError  # Scheduler.say

    # --- recording a run in the scheduler's archive (local and remote crawls alike) -----------

    @contextmanager
    def _recording(self, running: Running) -> Iterator[Callable[[], bool]]:
        """While the scheduler records the crawl's run: the ``give_up`` to pass to the archive's
        writes. Asked while another process holds the archive locked, it says the wait once, and
        ends it at a stop of the scheduler that came meanwhile (the first signal, or a second
        while it stops: it waits for nothing else then)."""
        before = (self.stopping, self.forced)
        said = False

        def give_up() -> bool:
            nonlocal said
            if not said:
                said = True
                self.say(f"{running.job.portal}: waiting for the archive {self.config.archive}, which another"
                         " process holds locked, to record the run; a stop of the scheduler ends the wait")
            return (self.stopping, self.forced) != before

        self.recording.add(running.job.portal)
        try:
            yield give_up
        finally:
            self.recording.discard(running.job.portal)

    def _not_recorded(self, running: Running, exc: Exception) -> str | None:
        """The line of a run the scheduler could not record because another process held its
        archive locked (past ``archive_wait``, or until the scheduler was stopped): why, and where
        what the crawl did is kept. None for any other failure."""
        from archive.connection import WaitGivenUp

        if isinstance(exc, WaitGivenUp):
            why = (f"the scheduler was stopped while {self.config.archive} was locked by another process"
                   " writing to it")
        elif isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
            why = (f"{self.config.archive} stayed locked by another process writing to it for"
                   f" {self.archive_wait:g} s")
        else:
            return None
        # A crawl the node refused, or never had queued, wrote no log: the line it is said in is
        # all there is of it.
        if not running.log_path.is_file():
            return f"run not recorded: {why}"
        return f"run not recorded: {why}; the crawl's log keeps what it did: {running.log_path}"

    def _client(self, name: str) -> Scrapyd:
        if name not in self.clients:
            self.clients[name] = Scrapyd(self.config.nodes[name])
        return self.clients[name]

    def _dispatch(self, running: Running) -> None:
        """Queue the crawl on its node (``schedule.json``); a node that is down is retried."""
        job, node = running.job, self.config.nodes[running.job.node]
        settings, args = scrapyd_job(node, job, running.now or self.clock(), running.tag)
        running.args = [f"{name}={value}" for name, value in {**settings, **args}.items()]
        try:
            client = self._client(node.name)
            # A crawl of the portal this scheduler did not start (another scheduler, or this one
            # before a restart) still holds the portal's job directory on the node.
            jobs = client.jobs()
            other = next((j for state in ("pending", "running") for j in jobs[state]
                          if j["spider"] == job.portal), None)
            if other is not None:
                del self.running[job.portal]
                running.lock.close()
                self.say(f"{job.portal}: node {node.name} is crawling it already (job {other['id']});"
                         " skipping this scheduled time")
                return
            running.jobid = client.schedule(job.portal, settings, args, running.tag)
        except NodeDown as exc:
            self._node_down(running, str(exc))
            return
        except NodeRefused as exc:
            # Credentials, a project not deployed, a spider unknown there: the archivist must act;
            # the portal's crawl is tried again at its next time.
            del self.running[job.portal]
            running.lock.close()
            self.failed += 1
            # The recorded run keeps the whole answer (it is read on its own, `newscrawler
            # crawls`); the line names the node once, as the DOWN line does.
            recorded = self._record_failure_as(running, "refused", str(exc))
            self.say(f"{job.portal}: REFUSED: {exc}; tried again at its next scheduled time ({recorded})")
            return
        except Exception:  # noqa: BLE001 - the schedule goes on; the traceback is printed
            del self.running[job.portal]
            running.lock.close()
            self.failed += 1
            self.say(f"{job.portal}: could not queue the crawl on node {node.name}:\n{traceback.format_exc()}")
            return
        back = " (the node is back)" if running.down else ""
        running.down = None
        record_dispatch(self.config.log_dir, job.portal, running.started_at)
        self.say(f"{job.portal}: crawl queued on node {node.name}{back} (job {running.jobid})")

    def _node_down(self, running: Running, reason: str) -> None:
        """Report a node found down, once per outage and crawl: in the log and as a run."""
        running.retry_at = time.monotonic() + NODE_RETRY_SECONDS
        if running.down is not None:
            return
        running.down = reason
        where = f"job {running.jobid}" if running.jobid else "not queued yet"
        recorded = self._record_failure_as(running, "node-down", reason)
        self.say(f"{running.job.portal}: DOWN: {reason} ({where}); the crawl waits for the node, tried"
                 f" again every {NODE_RETRY_SECONDS:g} s ({recorded})")

    def _poll_remote(self) -> None:
        if time.monotonic() < self.next_remote_poll:
            return
        self.next_remote_poll = time.monotonic() + REMOTE_POLL_SECONDS
        remote = [running for running in self.running.values() if running.process is None]
        for name in sorted({running.job.node for running in remote}):
            mine = [r for r in remote if r.job.node == name and r.retry_at <= time.monotonic()]
            for running in [r for r in mine if r.jobid is None and not self.stopping]:
                self._dispatch(running)
            queued = [r for r in mine if r.jobid is not None]
            if not queued:
                continue
            try:
                jobs = self._client(name).jobs()
            except (NodeDown, NodeRefused) as exc:
                for running in queued:
                    self._node_down(running, str(exc))
                continue
            known = {j["id"]: (state, j) for state, entries in jobs.items() for j in entries}
            for running in queued:
                if running.down is not None:
                    self.say(f"{running.job.portal}: node {name} is back")
                    running.down = None
                state, entry = known.get(running.jobid, ("lost", {}))
                if state in ("finished", "lost"):
                    self._settle(running, state, entry)

    def _settle(self, running: Running, state: str, entry: dict[str, Any]) -> None:
        """A job the node finished, or no longer knows (it restarted): its outcome from its log."""
        from ..reports import (
            STOPPED_WHILE_STARTING_STAT,
            SUCCESS_STATUSES,
            find_recorded,
            find_stopped_unrecorded,
        )

        job, name = running.job, running.job.node
        try:
            log = self._client(name).log({"id": running.jobid, "spider": job.portal, **entry})
        except NodeDown as exc:
            self._node_down(running, str(exc))
            return
        except NodeRefused:  # no log kept (scrapyd's logs_dir off), or none written
            log = ""
        running.log_path.write_text(log, encoding="utf-8")
        run = find_recorded(log)
        if run is not None:
            del self.running[job.portal]
            running.lock.close()
            self.finished += 1
            if run["status"] not in SUCCESS_STATUSES or run["flag_reason"]:
                self.failed += 1
            self.say(f"{job.portal}: crawl ended on node {name} ({run['status']}): {run['report']}")
            return
        self.failed += 1
        if state == "lost":
            # Said as REFUSED and DOWN are, naming the node once; the recorded run keeps the same
            # text, read on its own by `newscrawler crawls`.
            failure = (f"node {name} lost job {running.jobid}:"
                       " it restarted while the crawl was queued or running")
            recorded = self._record_failure_as(running, "crashed", failure)
            self.say(f"{job.portal}: LOST: {failure}; queued again ({recorded})")
            running.tag = uuid.uuid4().hex
            running.jobid = None
            self._dispatch(running)
            return
        del self.running[job.portal]
        running.lock.close()
        self.finished += 1
        stopped = find_stopped_unrecorded(log)
        if stopped is not None:
            # Stopped (cancelled) while it waited for the node's archive another process held
            # locked: it ended as any crawl stopped as it starts, which is what is recorded.
            line = self._record_run(running, "shutdown", {STOPPED_WHILE_STARTING_STAT: stopped})
            self.say(f"{job.portal}: crawl ended on node {name} (shutdown): {line}")
            return
        line = self._record_failure(running, "crashed", tail(running.log_path) or "no log")
        self.say(f"{job.portal}: crawl ended on node {name} without recording its run: {line}")

    def _record_failure(self, running: Running, status: str, failure: str) -> str:
        """Record in the scheduler's archive what the node could not; returns the run's line."""
        return self._record_run(running, status, {"newscrawler/scheduler/failure": failure})

    def _record_run(self, running: Running, status: str, stats: dict[str, Any]) -> str:
        """Record in the scheduler's archive the run the node could not; returns its line."""
        from ..reports import run_line

        try:
            return run_line(self._store_run(running, status, stats))
        except Exception as exc:  # noqa: BLE001 - the schedule goes on; one line, or the traceback
            return self._not_recorded(running, exc) or f"could not record it in the archive:\n{traceback.format_exc()}"

    def _record_failure_as(self, running: Running, status: str, failure: str) -> str:
        """Record in the scheduler's archive what the node could not; returns which run it is."""
        try:
            return f"recorded as run #{self._store_failure(running, status, failure)['id']}"
        except Exception as exc:  # noqa: BLE001 - the schedule goes on; one line, or the traceback
            return self._not_recorded(running, exc) or f"could not record it in the archive:\n{traceback.format_exc()}"

    def _store_failure(self, running: Running, status: str, failure: str) -> dict[str, Any]:
        """Record the run in the scheduler's archive; returns it as ``Archive.runs`` reads it."""
        return self._store_run(running, status, {"newscrawler/scheduler/failure": failure})

    def _store_run(self, running: Running, status: str, stats: dict[str, Any]) -> dict[str, Any]:
        """Record the run in the scheduler's archive, its ``stats`` with the node and the log;
        returns it as ``Archive.runs`` reads it."""
        from archive import Archive

        stats = {**stats, "newscrawler/scheduler/node": running.job.node,
                 "newscrawler/scheduler/log": str(running.log_path)}
        with self._recording(running) as give_up, \
                Archive.open(self.config.archive, busy_timeout=self.archive_wait) as archive:
            run_id = archive.record_failed_run(
                running.job.portal, {RUN_TAG: running.tag, "node": running.job.node,
                                     "args": running.args}, status, stats,
                started_at=running.started_at, give_up=give_up)
            return next(r for r in archive.runs(running.job.portal, last=50) if r["id"] == run_id)

    def _cancel_remote(self, running: Running, sig: int) -> None:
        if running.jobid is None:  # never queued (its node is down): nothing to stop
            del self.running[running.job.portal]
            running.lock.close()
            self.say(f"{running.job.portal}: not queued on node {running.job.node}, which is down")
            return
        with suppress(NodeDown, NodeRefused):
            self._client(running.job.node).cancel(running.jobid, signal.Signals(sig).name[3:])


# Which crawl each remote portal last had queued: the node's archive holds its runs, the
# scheduler's holds only failures, so this is what tells a restarted scheduler whether a scheduled
# time passed without a crawl.
DISPATCHED = "dispatched.json"


def record_dispatch(log_dir: Path, portal: str, started_at: str) -> None:
    """Note that a crawl of ``portal`` was queued on its node at ``started_at`` (ISO 8601)."""
    dispatched = last_dispatches(log_dir)
    dispatched[portal] = started_at
    path = log_dir / DISPATCHED
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(dispatched, indent=1, sort_keys=True), "utf-8")
    partial.replace(path)  # never a half-written file, whenever the scheduler is stopped


def last_dispatches(log_dir: Path) -> dict[str, str]:
    """When each remote portal last had a crawl queued; empty when the file is missing or unreadable."""
    try:
        data = json.loads((log_dir / DISPATCHED).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def log_end(path: Path, size: int = 20000) -> str:
    """The last ``size`` bytes of a crawl's log, as text (read from there, not the whole log);
    "" when it cannot be read."""
    try:
        with path.open("rb") as log:
            log.seek(max(0, log.seek(0, os.SEEK_END) - size))
            return log.read().decode("utf-8", "replace")
    except OSError:
        return ""


def tail(path: Path, lines: int = 5, limit: int = 2000) -> str:
    """The last ``lines`` lines of a crawl's log, at most ``limit`` characters."""
    return "\n".join(log_end(path).strip().splitlines()[-lines:])[-limit:]
