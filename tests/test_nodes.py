"""Crawls spread over scrapyd nodes: placement in the configuration file, then scheduled rounds
over two real scrapyd servers on loopback ports (node ``b`` behind basic authentication), the
project deployed to both with scrapyd-deploy, each node writing its own archive and WARC files.
A node stopped before its crawl is reported and the crawl retried there once it is back."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import (
    FIXTURES,
    ROOT,
    ZJDAILY,
    ScrapydServer,
    archive_held_locked,
    deploy,
    free_port,
    project_copy,
    run_cli,
    without_crawl_delay,
)

from archive import Archive
from newscrawler.operate.config import ConfigError, load_config
from newscrawler.operate.nodes import PlacementError, place
from newscrawler.operate.schedule import RUN_TAG, Scheduler

EPAPER = FIXTURES / "zjdaily-epaper"
CREDENTIALS = {"NODE_B_USER": "archivist", "NODE_B_PASSWORD": "s3cret pass"}


# --- placement ----------------------------------------------------------------------------------

def test_portals_sharing_a_host_go_together_and_their_pins_must_agree() -> None:
    hosts = {"a": ["x.example"], "b": ["X.example", "y.example"], "c": ["y.example"], "d": ["w.example"]}
    placement = place(hosts, {}, ["n1", "n2", "n3"])
    assert placement["a"] == placement["b"] == placement["c"]
    # One pin places the whole group.
    assert {place(hosts, {"c": "n3"}, ["n1", "n2", "n3"])[p] for p in "abc"} == {"n3"}
    with pytest.raises(PlacementError, match=r"'a' \(node 'n1'\) and 'b' \(node 'n2'\) share the host x\.example"):
        place(hosts, {"a": "n1", "b": "n2"}, ["n1", "n2"])
    with pytest.raises(PlacementError, match=r"'a' \(node 'n1'\) and 'c' \(node 'n2'\) share hosts through b"):
        place(hosts, {"a": "n1", "c": "n2"}, ["n1", "n2"])


_PLACE = ("import json, sys; from newscrawler.operate.nodes import place; "
          "print(json.dumps(place({f'p{i}': [f'h{i}.example'] for i in range(50)}, {}, sys.argv[1:])))")


def _placement_in_a_new_process(seed: str, *nodes: str) -> dict[str, str]:
    result = subprocess.run([sys.executable, "-c", _PLACE, *nodes], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONHASHSEED=seed), check=True, cwd=ROOT)
    return dict(json.loads(result.stdout))


def test_unpinned_portals_spread_the_same_in_every_process_and_a_new_node_takes_only_its_share() -> None:
    first = _placement_in_a_new_process("1", "a", "b", "c")
    assert _placement_in_a_new_process("2", "c", "a", "b") == first
    counts = {node: list(first.values()).count(node) for node in "abc"}
    assert min(counts.values()) >= 8, counts  # fifty portals, none of three nodes left idle
    grown = _placement_in_a_new_process("3", "a", "b", "c", "d")
    moved = {portal for portal in first if grown[portal] != first[portal]}
    assert moved and all(grown[portal] == "d" for portal in moved)
    assert len(moved) < 25


def _nodes_config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "newscrawler.toml"
    path.write_text(body, "utf-8")
    return path


_TWO_NODES = """\
archive = "scheduler.sqlite"

[nodes.a]
url = "http://10.0.0.2:6800/"
archive = "/srv/newscrawler/a.sqlite"
max_crawls = 2

[nodes.b]
url = "https://10.0.0.3/scrapyd/"
username_env = "NODE_B_USER"
password_env = "NODE_B_PASSWORD"
archive = "/srv/newscrawler/b.sqlite"
warc_dir = "/srv/warc"

[portals.zjdaily]
schedules = ["0 3 * * *"]
node = "b"

[portals.zjdaily-epaper]
schedules = ["0 4 * * *"]
date_from = "1d"
"""


def test_nodes_in_the_configuration_file(tmp_path: Path) -> None:
    config = load_config(_nodes_config(tmp_path, _TWO_NODES))
    assert sorted(config.nodes) == ["a", "b", "local"]
    b = config.nodes["b"]
    assert (b.url, b.username_env, b.password_env, b.archive, b.warc_dir, b.max_crawls) == (
        "https://10.0.0.3/scrapyd/", "NODE_B_USER", "NODE_B_PASSWORD", "/srv/newscrawler/b.sqlite",
        "/srv/warc", None)
    assert config.nodes["a"].max_crawls == 2
    assert b.job_dir("zjdaily") == "/srv/newscrawler/jobs/zjdaily"
    jobs = {job.portal: job for job in config.jobs}
    assert jobs["zjdaily"].node == "b" and config.pinned == {"zjdaily"}
    # Unpinned: placed by hash over the declared nodes, never on the implicit local one.
    assert jobs["zjdaily-epaper"].node in ("a", "b")
    # Without [nodes], everything runs here, as before.
    plain = _TWO_NODES[_TWO_NODES.index("[portals.zjdaily]"):].replace('node = "b"\n', "")
    assert {job.node for job in load_config(_nodes_config(tmp_path, plain)).jobs} == {"local"}


@pytest.mark.parametrize(("change", "line", "message"), [
    (('url = "http://10.0.0.2:6800/"\n', ""), 3, "[nodes.a] needs url = ..."),
    (('"/srv/newscrawler/a.sqlite"', '"a.sqlite"'), 5, "archive must be an absolute path on the node"),
    (('"http://10.0.0.2:6800/"', '"10.0.0.2:6800"'), 4, "url must be scrapyd's http:// or https:// address"),
    (('node = "b"', 'node = "c"'), 17, "unknown node 'c' (known: a, b, local)"),
    (("max_crawls = 2", "max_crawl = 2"), 6, "unknown key 'max_crawl' in [nodes.a]"),
    (('password_env = "NODE_B_PASSWORD"', 'password = "hunter2"'), 11, "unknown key 'password' in [nodes.b]"),
    (("[nodes.a]", "[nodes.local]"), 4, "unknown key 'url' in [nodes.local]"),
])
def test_a_bad_node_is_one_line_naming_file_and_line(
    tmp_path: Path, change: tuple[str, str], line: int, message: str
) -> None:
    path = _nodes_config(tmp_path, _TWO_NODES.replace(*change))
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value).startswith(f"{path}:{line}: "), str(error.value)
    assert message in str(error.value)


# --- two real nodes -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def credentials() -> Iterator[None]:
    """Node b's user name and password, in the variables the configuration file names."""
    saved = {name: os.environ.get(name) for name in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ScrapydServer]]:
    """Two scrapyd servers, the project deployed to both (one egg, built once)."""
    pytest.importorskip("scrapyd", reason="scrapyd is not installed (pip install -e '.[test]')")
    pytest.importorskip("scrapyd_client", reason="scrapyd-client is not installed (pip install -e '.[test]')")
    base = tmp_path_factory.mktemp("nodes")
    servers = {"a": ScrapydServer(base / "scrapyd-a"),
               "b": ScrapydServer(base / "scrapyd-b", *CREDENTIALS.values())}
    try:
        for server in servers.values():
            server.start()
        project = project_copy(base / "project", servers)
        deploy(project, "--build-egg", str(base / "newscrawler.egg"))
        output = deploy(project, "-a", "-p", "newscrawler", "--egg", str(base / "newscrawler.egg"))
        assert output.count('"status": "ok"') == 2, output
        yield servers
    finally:
        for server in servers.values():
            server.stop()


def _round_config(directory: Path, nodes: dict[str, ScrapydServer], portals: str) -> Path:
    zjdaily = without_crawl_delay(ZJDAILY, directory / "portal-zjdaily")
    epaper = without_crawl_delay(EPAPER, directory / "portal-epaper")
    path = directory / "newscrawler.toml"
    path.write_text(f"""\
archive = "scheduler.sqlite"
timezone = "UTC"
stop_timeout = 30

[settings]
AUTOTHROTTLE_ENABLED = false
DOWNLOAD_DELAY = 0

[nodes.a]
url = "{nodes['a'].base}"
archive = "{directory / 'node-a' / 'archive.sqlite'}"

[nodes.b]
url = "{nodes['b'].base}"
username_env = "NODE_B_USER"
password_env = "NODE_B_PASSWORD"
archive = "{directory / 'node-b' / 'archive.sqlite'}"
warc_dir = "{directory / 'node-b' / 'captures'}"
max_crawls = 1
""" + portals.format(zjdaily=zjdaily, epaper=epaper), "utf-8")
    return path


_ZJDAILY_ON_A = """
[portals.zjdaily]
schedules = ["0 3 * * *"]
max_articles = 4
replay = "{zjdaily}"
node = "a"
"""
_EPAPER_ON_B = """
[portals.zjdaily-epaper]
schedules = ["0 3 * * *"]
max_articles = 4
date_from = "2022-04-18"
date_to = "2022-04-19"
replay = "{epaper}"
node = "b"
"""


@dataclass
class Round:
    config: Path
    lines: list[str]
    failed: int
    archives: dict[str, Path]  # each node's archive, by node name


@pytest.fixture(scope="module")
def scheduled_round(nodes: dict[str, ScrapydServer], credentials: None,
                    tmp_path_factory: pytest.TempPathFactory) -> Round:
    """One round of the schedule through the real Scheduler: zjdaily on node a, zjdaily-epaper
    on node b. ``archives`` are the two node archives (to be merged into one and compared)."""
    directory = tmp_path_factory.mktemp("round")
    path = _round_config(directory, nodes, _ZJDAILY_ON_A + _EPAPER_ON_B)
    lines: list[str] = []
    failed = Scheduler(load_config(path), echo=lines.append).run(once=True)
    return Round(path, lines, failed, {name: directory / f"node-{name}" / "archive.sqlite" for name in "ab"})


def _runs(path: Path) -> list[dict]:
    with Archive.open(path, create=False) as archive:
        return archive.runs()


def _statuses_while_crawling(path: Path) -> list[str]:
    """The run statuses of an archive a crawl may be creating at this moment."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            return [row[0] for row in conn.execute("SELECT status FROM runs")]
    except sqlite3.Error:  # not there yet, or its tables not yet created
        return []


def test_a_round_on_two_nodes_writes_each_nodes_archive(scheduled_round: Round) -> None:
    lines = "\n".join(scheduled_round.lines)
    assert scheduled_round.failed == 0, lines
    assert "zjdaily: crawl queued on node a (job " in lines
    assert "zjdaily: crawl ended on node a (finished): #1  zjdaily  " in lines
    assert "zjdaily-epaper: crawl ended on node b (finished): #1  zjdaily-epaper  " in lines
    expected_host = {"a": "www.gdzjdaily.com.cn", "b": "szb.gdzjdaily.com.cn"}
    for name, portal in (("a", "zjdaily"), ("b", "zjdaily-epaper")):
        (run,) = _runs(scheduled_round.archives[name])
        assert (run["portal"], run["status"]) == (portal, "finished")
        assert run["settings"]["NEWSCRAWLER_ARCHIVE"] == str(scheduled_round.archives[name])
        assert run["settings"][RUN_TAG] in lines  # the scrapyd job id is the run's tag
        with sqlite3.connect(scheduled_round.archives[name]) as conn:
            urls = [row[0] for row in conn.execute("SELECT canonical_url FROM articles")]
        assert urls and all(url.split("/")[2] == expected_host[name] for url in urls), urls
    # Each node's WARC files: beside its archive (a), or in its warc_dir (b).
    root = scheduled_round.archives["a"].parent.parent
    assert list((root / "node-a" / "warc").glob("*.warc.gz"))
    assert list((root / "node-b" / "captures").glob("*.warc.gz"))
    assert not (root / "node-b" / "warc").exists()
    # The scheduler keeps each job's log; its own archive holds nothing: no run went wrong.
    logs = sorted((root / "logs").glob("*.log"))
    assert len(logs) == 2 and all("Spider closed (finished)" in log.read_text("utf-8") for log in logs)
    assert not (root / "scheduler.sqlite").exists() or _runs(root / "scheduler.sqlite") == []
    # What it keeps instead: when it queued each portal's crawl, for catching up after a restart.
    assert sorted(json.loads((root / "logs" / "dispatched.json").read_text("utf-8"))) == ["zjdaily", "zjdaily-epaper"]


def test_the_node_archives_snapshotted_and_merged_equal_one_machines_crawl(
        scheduled_round: Round, tmp_path: Path) -> None:
    """What researchers query: each node's archive copied while it may be written
    (``archive snapshot``), the copies merged (``archive merge``), and the result compared with
    the archive one machine builds crawling the same portals with the same limits."""
    from archive.compare import differences, snapshot

    assert scheduled_round.failed == 0, "\n".join(scheduled_round.lines)
    copies = []
    for name, source in scheduled_round.archives.items():
        copy = tmp_path / f"snapshot-{name}" / "archive.sqlite"
        copy.parent.mkdir()
        result = run_cli("archive", "snapshot", "--db", str(source), str(copy))
        assert result.returncode == 0, result.stderr
        copies.append(copy)
    merged = tmp_path / "merged" / "archive.sqlite"
    result = run_cli("archive", "merge", str(merged), *map(str, copies), "--json")
    assert result.returncode == 0, result.stderr
    # One machine crawling the same captures: the nodes' WARC files replayed.
    root = scheduled_round.config.parent
    single = tmp_path / "single" / "archive.sqlite"
    for portal, warcs, days in (
            ("zjdaily", root / "node-a" / "warc", ()),
            ("zjdaily-epaper", root / "node-b" / "captures", ("--from", "2022-04-18", "--to", "2022-04-19"))):
        result = run_cli("crawl", portal, "--replay", str(warcs), "--db", str(single), *days)
        assert result.returncode == 0, result.stderr[-3000:]
    assert differences(snapshot(single), snapshot(merged)) == []


def test_the_nodes_command_shows_each_node_its_jobs_and_portals(
    scheduled_round: Round, nodes: dict[str, ScrapydServer]
) -> None:
    result = run_cli("nodes", "--config", str(scheduled_round.config))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"a  {nodes['a'].base}  ok  no crawl limit  running 0, pending 0, finished 1")
    assert "  portals: zjdaily (pinned)" in lines
    assert "  portals: zjdaily-epaper (pinned)" in lines
    assert any(line.startswith(f"b  {nodes['b'].base}  ok  max 1 crawls") for line in lines)
    # Without node b's credentials in the environment, the node is named as refusing.
    env = {name: value for name, value in os.environ.items() if name not in CREDENTIALS}
    refused = subprocess.run([sys.executable, "-m", "newscrawler", "nodes", "--config",
                              str(scheduled_round.config)], capture_output=True, text=True, env=env,
                             cwd=ROOT, timeout=60, check=False)
    assert refused.returncode == 1
    assert f"b  {nodes['b'].base}  REFUSED: the environment variable NODE_B_USER is not set\n" in refused.stdout


class _SchedulerRun:
    """``newscrawler schedule run --once`` in a subprocess, its output read as it comes; killed on
    leaving the ``with`` block if still running."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "newscrawler", "schedule", "run", "--once", "--config", str(path)],
            cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        self.output: list[str] = []
        stdout = self.process.stdout
        assert stdout is not None
        self.reader = threading.Thread(target=lambda: self.output.extend(iter(stdout.readline, "")), daemon=True)
        self.reader.start()

    @property
    def text(self) -> str:
        return "".join(self.output)

    def wait_until(self, condition: Callable[[], bool], deadline: float) -> None:
        """Poll ``condition`` while the scheduler runs, until ``deadline`` (``time.monotonic``)."""
        while not condition():
            assert time.monotonic() < deadline and self.process.poll() is None, self.text
            time.sleep(0.2)

    def said(self, words: str) -> bool:
        return any(words in line for line in self.output)

    def finish(self) -> int:
        self.process.wait(timeout=180)
        self.reader.join(timeout=10)
        return self.process.returncode

    def __enter__(self) -> _SchedulerRun:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()


def test_a_node_down_is_reported_and_its_crawl_retried_when_it_is_back(
    nodes: dict[str, ScrapydServer], credentials: None, tmp_path: Path
) -> None:
    path = _round_config(tmp_path, nodes, _EPAPER_ON_B)
    nodes["b"].kill()
    with _SchedulerRun(path) as scheduler:
        scheduler.wait_until(lambda: scheduler.said(": DOWN: "), time.monotonic() + 60)
        (down,) = [line for line in scheduler.output if ": DOWN: " in line]
        # Said once: DOWN, the node and its address, the reason.
        assert re.search(rf"zjdaily-epaper: DOWN: node b \({re.escape(nodes['b'].base)}\): [^:]*\bConnection refused"
                         r" \(not queued yet\)", down), down
        assert "is down" not in down, down
        assert "(not queued yet); the crawl waits for the node, tried again every 5 s" in down
        # Recorded as an event of the portal in the scheduler's archive, and shown by `nodes`.
        (event,) = _runs(tmp_path / "scheduler.sqlite")
        assert (event["portal"], event["status"]) == ("zjdaily-epaper", "node-down")
        assert event["stats"]["newscrawler/scheduler/node"] == "b"
        assert event["stats"]["newscrawler/scheduler/failure"].startswith(f"node b ({nodes['b'].base}): ")
        shown = run_cli("nodes", "--config", str(path))
        (line,) = [line for line in shown.stdout.splitlines() if line.startswith("b  ")]
        assert shown.returncode == 1 and re.fullmatch(
            rf"b  {re.escape(nodes['b'].base)}  DOWN: [^:]*\bConnection refused", line), line

        nodes["b"].start()
        returncode = scheduler.finish()
    text = scheduler.text
    assert returncode == 0, text
    assert "zjdaily-epaper: crawl queued on node b (the node is back) (job " in text
    assert "zjdaily-epaper: crawl ended on node b (finished): #1  zjdaily-epaper" in text
    (run,) = _runs(tmp_path / "node-b" / "archive.sqlite")
    assert (run["portal"], run["status"]) == ("zjdaily-epaper", "finished")
    # Never moved to another node: node a did not crawl it.
    assert not (tmp_path / "node-a").exists()


def test_a_node_killed_mid_crawl_loses_the_job_which_is_recorded_and_crawled_again(
    nodes: dict[str, ScrapydServer], credentials: None, tmp_path: Path
) -> None:
    # The e-paper with its Crawl-delay: 1 kept, so the crawl is still running when its node dies.
    path = _round_config(tmp_path, nodes, _EPAPER_ON_B.replace("{epaper}", str(EPAPER)))
    archive = tmp_path / "node-b" / "archive.sqlite"
    running: list[dict] = []

    def crawl_started() -> bool:  # the job runs and its crawl has recorded the start of its run
        running[:] = nodes["b"].call("listjobs.json?project=newscrawler")["running"]
        return bool(running) and "running" in _statuses_while_crawling(archive)

    with _SchedulerRun(path) as scheduler:
        deadline = time.monotonic() + 90
        scheduler.wait_until(crawl_started, deadline)
        jobid = running[0]["id"]
        nodes["b"].kill()
        scheduler.wait_until(lambda: scheduler.said(": DOWN: "), deadline)
        assert any(f"zjdaily-epaper: DOWN: node b ({nodes['b'].base}): " in line
                   and f"(job {jobid}); the crawl waits" in line for line in scheduler.output)
        nodes["b"].start()
        returncode = scheduler.finish()
    text = scheduler.text
    # The crawl did not finish, so the round failed; the crawl that followed did.
    assert returncode == 1, text
    assert "zjdaily-epaper: node b is back" in text
    # Said once, naming the node once, as DOWN and REFUSED are; and the run recorded.
    (lost,) = [line.rstrip("\n") for line in scheduler.output if ": LOST: " in line]
    assert lost.endswith(f"zjdaily-epaper: LOST: node b lost job {jobid}: it restarted while the crawl was"
                         " queued or running; queued again (recorded as run #2)"), lost
    assert lost.count("node b") == 1, lost
    assert "zjdaily-epaper: crawl ended on node b (finished): #2  zjdaily-epaper" in text
    # The node's archive: the killed run, ended as such by the resumed crawl, and the finished one.
    assert [(r["portal"], r["status"]) for r in _runs(tmp_path / "node-b" / "archive.sqlite")] == [
        ("zjdaily-epaper", "finished"), ("zjdaily-epaper", "killed")]
    # The scheduler's archive: the outage, then the lost job.
    assert [r["status"] for r in _runs(tmp_path / "scheduler.sqlite")] == ["crashed", "node-down"]


def test_a_portal_the_node_is_crawling_already_is_not_queued_twice(
    nodes: dict[str, ScrapydServer], credentials: None, tmp_path: Path
) -> None:
    # A crawl of zjdaily queued on node a by someone else (another scheduler, or by hand), kept
    # slow by the fixture's Crawl-delay: 1.
    other = nodes["a"].call("schedule.json", [
        ("project", "newscrawler"), ("spider", "zjdaily"), ("setting", f"NEWSCRAWLER_REPLAY_DIR={ZJDAILY}"),
        ("setting", f"NEWSCRAWLER_ARCHIVE={tmp_path / 'other.sqlite'}")])["jobid"]
    try:
        path = _round_config(tmp_path, nodes, _ZJDAILY_ON_A)
        lines: list[str] = []
        assert Scheduler(load_config(path), echo=lines.append).run(once=True) == 0
        assert any(f"zjdaily: node a is crawling it already (job {other}); skipping" in line
                   for line in lines), lines
        jobs = nodes["a"].call("listjobs.json?project=newscrawler")
        assert [j["id"] for j in jobs["pending"] + jobs["running"]] == [other]
    finally:
        # Cancelled while pending, a job leaves scrapyd's lists; while running, it finishes.
        nodes["a"].call("cancel.json", [("project", "newscrawler"), ("job", other)])
        deadline = time.monotonic() + 120
        while any(j["id"] == other for state in ("pending", "running")
                  for j in nodes["a"].call("listjobs.json?project=newscrawler")[state]):
            assert time.monotonic() < deadline, f"job {other} was not stopped"
            time.sleep(0.3)
    assert not (tmp_path / "node-a").exists()


def test_a_job_cancelled_while_it_waits_for_the_nodes_locked_archive_is_recorded_as_shutdown(
    nodes: dict[str, ScrapydServer], credentials: None, tmp_path: Path
) -> None:
    """The crawl queued on node a waits at its start for the node's archive, which another process
    holds locked, and its job is cancelled (scrapyd's cancel.json: SIGINT). It ends as a crawl
    stopped as it starts, its run not recorded in the node's archive (that needs the lock): the
    scheduler records it ``shutdown`` from the job's log, as for a local crawl, not ``crashed``."""
    path = _round_config(tmp_path, nodes, _ZJDAILY_ON_A)
    node_archive = tmp_path / "node-a" / "archive.sqlite"
    node_archive.parent.mkdir()
    Archive.open(node_archive).close()
    busy = sqlite3.connect(node_archive, isolation_level=None)
    busy.execute("BEGIN IMMEDIATE")
    try:
        with _SchedulerRun(path) as scheduler:
            deadline = time.monotonic() + 90
            scheduler.wait_until(lambda: scheduler.said("zjdaily: crawl queued on node a (job "), deadline)
            (queued,) = [line for line in scheduler.output if "crawl queued on node a" in line]
            jobid = queued.rstrip().rsplit("(job ", 1)[1].rstrip(")")
            job_log = nodes["a"].directory / "logs" / "newscrawler" / "zjdaily" / f"{jobid}.log"
            scheduler.wait_until(lambda: job_log.exists() and "Waiting for the archive" in job_log.read_text("utf-8"),
                                 deadline)
            cancelled = nodes["a"].call("cancel.json", [("project", "newscrawler"), ("job", jobid)])
            assert cancelled["status"] == "ok", cancelled
            returncode = scheduler.finish()
    finally:
        busy.rollback()
        busy.close()
    text = scheduler.text
    assert returncode == 1, text  # the crawl did not finish: the round failed, as a local one stopped
    assert "Traceback" not in text and "crashed" not in text and "without recording its run" not in text, text
    (ended,) = [line.rstrip("\n") for line in scheduler.output if "crawl ended on node a" in line]
    assert "zjdaily: crawl ended on node a (shutdown): #1  zjdaily" in ended, text
    assert " shutdown " in ended and "pages 0 " in ended, text
    assert ended.endswith("  stopped by SIGINT as it started, before fetching anything"), text
    (run,) = _runs(tmp_path / "scheduler.sqlite")
    assert (run["portal"], run["status"]) == ("zjdaily", "shutdown")
    assert run["stats"]["newscrawler/stopped_while_starting"] == "SIGINT"
    assert run["stats"]["newscrawler/scheduler/node"] == "a"
    assert "newscrawler/scheduler/failure" not in run["stats"]
    assert "Traceback" not in job_log.read_text("utf-8")
    assert _runs(node_archive) == []


# --- a node address that does not answer as scrapyd -----------------------------------------

_NOT_SCRAPYD = {
    # Something at the node's address answering status: ok with lists that are not scrapyd's jobs.
    "/listjobs.json": {"status": "ok", "running": [{"name": "zjdaily"}], "pending": [], "finished": []},
    "/daemonstatus.json": {"status": "ok", "running": 0, "pending": 0, "finished": 0},
}


@pytest.fixture
def not_scrapyd() -> Iterator[str]:
    """The URL of a loopback HTTP server answering JSON that looks like scrapyd's but is not."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(_NOT_SCRAPYD.get(self.path.split("?")[0], {"status": "ok"})).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_a_node_answering_json_that_is_not_scrapyds_is_down_not_a_traceback(
    not_scrapyd: str, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from newscrawler.cli import cli
    from newscrawler.operate.nodes import NodeDown, Scrapyd

    path = _nodes_config(tmp_path, f'archive = "s.sqlite"\n[nodes.odd]\nurl = "{not_scrapyd}"\n'
                         'archive = "/srv/a.sqlite"\n[portals.zjdaily]\nschedules = ["@daily"]\n')
    # The scheduler polls jobs() and waits for a node that is down; it read the odd list as jobs.
    with pytest.raises(NodeDown, match=r"listjobs\.json answered JSON that is not scrapyd.s"):
        Scrapyd(load_config(path).nodes["odd"]).jobs()
    result = CliRunner().invoke(cli, ["nodes", "--config", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert (f"odd  {not_scrapyd}  DOWN: listjobs.json answered JSON that is not scrapyd's"
            " (is the url scrapyd's?)\n") in result.output, result.output


def test_a_node_without_the_project_is_shown_and_its_refusal_recorded(tmp_path: Path) -> None:
    """A fresh scrapyd that nobody deployed to answers, but refuses every crawl queued there."""
    pytest.importorskip("scrapyd", reason="scrapyd is not installed (pip install -e '.[test]')")
    server = ScrapydServer(tmp_path / "scrapyd")
    server.start()
    try:
        path = _nodes_config(tmp_path, f'archive = "scheduler.sqlite"\n[nodes.fresh]\nurl = "{server.base}"\n'
                             f'archive = "{tmp_path}/node.sqlite"\n[portals.zjdaily]\nschedules = ["@daily"]\n'
                             f'replay = "{ZJDAILY}"\nmax_articles = 2\n')
        shown = run_cli("nodes", "--config", str(path))
        assert shown.returncode == 1, shown.stdout + shown.stderr
        assert f"fresh  {server.base}  NOT DEPLOYED: no project newscrawler on the node" in shown.stdout

        lines: list[str] = []
        assert Scheduler(load_config(path), echo=lines.append).run(once=True) == 1
    finally:
        server.stop()
    text = "\n".join(lines)
    assert "Traceback" not in text
    # Said once: REFUSED, the node and its address, the reason; and the run recorded.
    (refused,) = [line for line in lines if "REFUSED" in line]
    assert refused.endswith(f"zjdaily: REFUSED: node fresh ({server.base}): schedule.json: project 'newscrawler'"
                            " not found; tried again at its next scheduled time (recorded as run #1)"), refused
    assert refused.count("fresh") == 1, refused
    # In the scheduler's archive, as every run is: `newscrawler crawls` lists it.
    (run,) = _runs(tmp_path / "scheduler.sqlite")
    assert (run["portal"], run["status"]) == ("zjdaily", "refused")


# --- the scheduler's archive held locked as it records what a node could not -----------------

def test_a_refusal_recorded_while_the_archive_is_locked_past_the_wait_is_one_line(tmp_path: Path) -> None:
    """The node refuses the crawl, and another process holds the scheduler's archive locked longer
    than the scheduler waits to record that: the REFUSED line says the run is not recorded and
    why, not a traceback."""
    pytest.importorskip("scrapyd", reason="scrapyd is not installed (pip install -e '.[test]')")
    server = ScrapydServer(tmp_path / "scrapyd")  # nothing deployed: it refuses every crawl
    server.start()
    try:
        config = load_config(_nodes_config(
            tmp_path, f'archive = "scheduler.sqlite"\n[nodes.fresh]\nurl = "{server.base}"\n'
            f'archive = "{tmp_path}/node.sqlite"\n[portals.zjdaily]\nschedules = ["@daily"]\n'))
        lines: list[str] = []
        with archive_held_locked(config.archive) as locker:
            failed = Scheduler(config, echo=lines.append, archive_wait=0.5).run(once=True)
            assert locker.poll() is None
    finally:
        server.stop()
    text = "\n".join(lines)
    assert failed == 1, text
    assert "Traceback" not in text, text
    assert lines[-2].endswith(f"zjdaily: waiting for the archive {config.archive}, which another process"
                              " holds locked, to record the run; a stop of the scheduler ends the wait"), text
    assert lines[-1].endswith(
        f"zjdaily: REFUSED: node fresh ({server.base}): schedule.json: project 'newscrawler' not found;"
        f" tried again at its next scheduled time (run not recorded: {config.archive} stayed locked by"
        " another process writing to it for 0.5 s)"), text
    assert _runs(config.archive) == []


def test_a_stop_ends_the_schedulers_wait_to_record_a_node_found_down(tmp_path: Path) -> None:
    """The node is down (nothing answers at its address) and another process holds the scheduler's
    archive locked as the scheduler records the outage: a stop of the scheduler ends the wait, and
    the DOWN line says the run is not recorded and why."""
    path = _nodes_config(tmp_path, f'archive = "scheduler.sqlite"\n[nodes.gone]\n'
                         f'url = "http://127.0.0.1:{free_port()}/"\narchive = "/srv/a.sqlite"\n'
                         '[portals.zjdaily]\nschedules = ["@daily"]\n')
    db = tmp_path / "scheduler.sqlite"
    with archive_held_locked(db) as locker, _SchedulerRun(path) as scheduler:
        scheduler.wait_until(lambda: scheduler.said("zjdaily: waiting for the archive"), time.monotonic() + 90)
        scheduler.process.send_signal(signal.SIGINT)
        returncode = scheduler.finish()
        assert locker.poll() is None  # the scheduler ended with the archive still locked
    text = scheduler.text
    assert returncode == 0, text
    assert "Traceback" not in text, text
    (down,) = [line.rstrip("\n") for line in scheduler.output if ": DOWN: " in line]
    assert down.endswith(
        "(not queued yet); the crawl waits for the node, tried again every 5 s (run not recorded: the"
        f" scheduler was stopped while {db} was locked by another process writing to it)"), text
    assert "zjdaily: not queued on node gone, which is down" in text
    assert _runs(db) == []
