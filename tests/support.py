"""Shared test helpers (imported as `support`): paths, fixture pages, and running the command line in a subprocess.

Crawls run in a subprocess because Twisted's reactor cannot be restarted within one process.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
ZJDAILY = FIXTURES / "zjdaily"
BENCHMARKS = ROOT / "benchmarks"


def load_benchmark(name: str) -> ModuleType:
    """A module of ``benchmarks/`` (a folder of scripts, not a package), loaded once."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def fixture_cases(portal_dir: Path = ZJDAILY) -> list[Path]:
    """Every expected-output file under a fixture portal."""
    return sorted(portal_dir.rglob("*.expected.json"))


def load_case(expected_path: Path) -> dict[str, Any]:
    case = json.loads(expected_path.read_text(encoding="utf-8"))
    page = expected_path.with_name(expected_path.name.replace(".expected.json", ".html"))
    sidecar = page.with_name(page.name + ".headers.json")
    case["page"] = page
    case["body"] = page.read_bytes()
    case["headers"] = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}
    case["fetched_at_dt"] = datetime.fromisoformat(case["fetched_at"])
    return case


def run_cli(*args: str, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if args[:1] == ("crawl",) and "--db" not in args:
        # A crawl skips what its archive already holds: each test crawl gets a fresh default
        # archive (and job directory beside it), never the working copy's data/.
        env["NEWSCRAWLER_DB"] = str(Path(tempfile.mkdtemp(prefix="newscrawler-test-")) / "archive.sqlite")
    return subprocess.run(
        [sys.executable, "-m", "newscrawler", *args],
        cwd=cwd or ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


# --- scrapyd on loopback (tests/test_scrapyd.py, tests/test_nodes.py) ------------------------

def without_crawl_delay(source: Path, target: Path) -> Path:
    """A copy of a fixture portal whose robots.txt has no Crawl-delay: a fast replay."""
    shutil.copytree(source, target)
    robots = target / "robots.txt"
    robots.write_text(re.sub(r"(?im)^crawl-delay:.*\n", "", robots.read_text("utf-8")), "utf-8")
    return target


def crawl_with_warc(tmp: Path) -> Path:
    """Crawl the fixture portal offline (no Crawl-delay) into ``tmp/a.sqlite``, writing its WARC
    captures into ``tmp/warc``; that directory."""
    site = without_crawl_delay(ZJDAILY, tmp / "site")
    result = run_cli("crawl", "zjdaily", "--replay", str(site), "--db", str(tmp / "a.sqlite"),
                     "-s", f"NEWSCRAWLER_WARC_DIR={tmp / 'warc'}", "-s", "DOWNLOAD_DELAY=0",
                     "-s", "AUTOTHROTTLE_ENABLED=False", timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    return tmp / "warc"


# Another process writing to an archive: it holds the write lock until a line comes in or its
# input closes.
_HOLDS_THE_ARCHIVE_LOCKED = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.rollback()
"""


@contextmanager
def archive_held_locked(path: Path) -> Iterator[subprocess.Popen[str]]:
    """The archive at ``path`` (made when missing) held locked by another process writing to it,
    for the block; that process, which a test can end sooner with ``communicate("done\\n")``."""
    from archive import Archive

    Archive.open(path).close()
    with _held_by(_HOLDS_THE_ARCHIVE_LOCKED, path, "locked") as locker:
        yield locker


# Holds a job directory's lock as a crawl would, without ever writing its process id into the lock
# file; says so on its output, and lets the lock go when its input closes.
_HOLDS_THE_JOB_LOCK_UNNAMED = """
import fcntl, sys
lock = open(sys.argv[1], "a+b")
fcntl.flock(lock, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


@contextmanager
def job_dir_held_unnamed(lock_file: Path) -> Iterator[subprocess.Popen[str]]:
    """A job directory's lock file held, for the block, by another process that names none in
    it (as a crawl of another version might); that process."""
    with _held_by(_HOLDS_THE_JOB_LOCK_UNNAMED, lock_file, "held") as holder:
        yield holder


@contextmanager
def _held_by(script: str, path: Path, ready: str) -> Iterator[subprocess.Popen[str]]:
    """``script`` run on ``path`` in another process, from the line ``ready`` it prints when it
    holds its lock until the end of the block, when its input closes and it lets the lock go."""
    holder = subprocess.Popen([sys.executable, "-c", script, str(path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == f"{ready}\n"
        yield holder
    finally:
        if holder.poll() is None:
            holder.communicate("", timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ScrapydServer:
    """A real scrapyd on a loopback port, its state (eggs, queue, logs, items) in ``directory``,
    so that a restarted server still has the project deployed and its pending jobs."""

    def __init__(self, directory: Path, username: str = "", password: str = "") -> None:
        self.directory = directory
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.username, self.password = username, password
        self.process: subprocess.Popen[bytes] | None = None
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "scrapyd.conf").write_text(
            f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {self.port}\npoll_interval = 0.2\n"
            f"username = {username}\npassword = {password}\n"
            "logs_dir = logs\neggs_dir = eggs\ndbs_dir = dbs\nitems_dir = items\n", "utf-8")

    def call(self, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict[str, Any]:
        request = urllib.request.Request(
            self.base + endpoint, data=urllib.parse.urlencode(data).encode() if data is not None else None)
        if self.username:
            token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        with urllib.request.urlopen(request, timeout=10) as response:
            return dict(json.loads(response.read()))

    def start(self) -> None:
        # A session of its own: stopping the server's process group stops its crawls with it,
        # as a machine that goes down does.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scrapyd"], cwd=self.directory, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=(self.directory / "scrapyd.err").open("ab"))
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.call("daemonstatus.json")["status"] == "ok":
                    return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    err = (self.directory / "scrapyd.err").read_text("utf-8")[-2000:]
                    pytest.fail(f"scrapyd did not start: {err}")
                time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL the server and the crawls it runs (a node that goes down)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)

    def wait_for_job(self, jobid: str, state: str = "finished", timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            jobs = self.call("listjobs.json?project=newscrawler")
            found = [j for j in jobs[state] if j["id"] == jobid]
            if found:
                return dict(found[0])
            assert time.monotonic() < deadline, f"job {jobid} not {state}: {jobs}"
            time.sleep(0.3)


def project_copy(target: Path, servers: dict[str, ScrapydServer]) -> Path:
    """What scrapyd-deploy packs: the packages, pyproject.toml and scrapy.cfg, whose deploy
    targets are the test servers (by name) instead of the ``local`` one."""
    target.mkdir()
    for name in ("newscrawler", "archive"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, target / name)
    cfg = (ROOT / "scrapy.cfg").read_text("utf-8")
    sections = "".join(
        f"[deploy:{name}]\nurl = {server.base}\nproject = newscrawler\n"
        + (f"username = {server.username}\npassword = {server.password}\n" if server.username else "")
        for name, server in servers.items())
    cfg = re.sub(r"(?ms)^\[deploy:local\].*?(?=^\[|\Z)", lambda _: sections, cfg)
    (target / "scrapy.cfg").write_text(cfg, "utf-8")
    return target


def deploy(project: Path, *args: str) -> str:
    """Run scrapyd-deploy in the project copy; returns its output, having checked it worked."""
    result = subprocess.run([sys.executable, "-m", "scrapyd_client.deploy", *args], cwd=project,
                            capture_output=True, text=True, timeout=180, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output
