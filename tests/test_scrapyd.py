"""Deploying to scrapyd: a real scrapyd on a loopback port, the project deployed with
scrapyd-deploy through scrapy.cfg's ``local`` target, ``zjdaily`` scheduled through
schedule.json to replay the fixture portal into an archive, and the archive checked."""

from __future__ import annotations

import configparser
import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from support import ROOT, ZJDAILY, fixture_cases

from archive import Archive

pytest.importorskip("scrapyd", reason="scrapyd is not installed (pip install -e '.[test]')")
pytest.importorskip("scrapyd_client", reason="scrapyd-client is not installed (pip install -e '.[test]')")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _call(base: str, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(base + endpoint, data=body, timeout=10) as response:
        return json.loads(response.read())


def _project_copy(target: Path, url: str) -> Path:
    """What scrapyd-deploy packs: the packages, pyproject.toml and scrapy.cfg, whose ``local``
    target points at the test server."""
    target.mkdir()
    for name in ("newscrawler", "archive"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, target / name)
    cfg = (ROOT / "scrapy.cfg").read_text("utf-8")
    (target / "scrapy.cfg").write_text(cfg.replace("http://localhost:6800/", url), "utf-8")
    return target


def test_the_deploy_target_is_in_scrapy_cfg() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "scrapy.cfg")
    assert config["deploy:local"]["url"] == "http://localhost:6800/"
    assert config["deploy:local"]["project"] == "newscrawler"


def test_deploy_and_schedule_on_scrapyd(tmp_path: Path) -> None:
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    assert re.search(r'(?ms)^\[project\.entry-points\.scrapy\]\s*settings\s*=\s*"newscrawler\.settings"',
                     pyproject), ("pyproject.toml must declare [project.entry-points.scrapy] settings ="
                                  ' "newscrawler.settings": scrapyd finds the project settings by it')
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    server = tmp_path / "scrapyd"
    server.mkdir()
    (server / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\npoll_interval = 0.2\n"
        "logs_dir = logs\neggs_dir = eggs\ndbs_dir = dbs\nitems_dir = items\n", "utf-8")
    portal = tmp_path / "portal"
    shutil.copytree(ZJDAILY, portal)
    robots = portal / "robots.txt"
    robots.write_text(re.sub(r"(?im)^crawl-delay:.*\n", "", robots.read_text("utf-8")), "utf-8")
    archive_path = tmp_path / "archive.sqlite"

    daemon = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=server,
                              stdout=subprocess.DEVNULL, stderr=(server / "scrapyd.err").open("wb"))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert _call(base, "daemonstatus.json")["status"] == "ok"
                break
            except OSError:
                if time.monotonic() > deadline or daemon.poll() is not None:
                    pytest.fail("scrapyd did not start: " + (server / "scrapyd.err").read_text("utf-8")[-2000:])
                time.sleep(0.2)

        project = _project_copy(tmp_path / "project", base)
        deploy = subprocess.run(
            [sys.executable, "-m", "scrapyd_client.deploy", "local", "-p", "newscrawler"],
            cwd=project, capture_output=True, text=True, timeout=120, check=False)
        assert deploy.returncode == 0, deploy.stdout + deploy.stderr
        assert '"status": "ok"' in deploy.stdout + deploy.stderr, deploy.stdout + deploy.stderr
        spiders = _call(base, "listspiders.json?project=newscrawler")["spiders"]
        assert "zjdaily" in spiders

        job = _call(base, "schedule.json", [
            ("project", "newscrawler"), ("spider", "zjdaily"),
            ("setting", f"NEWSCRAWLER_REPLAY_DIR={portal}"),
            ("setting", f"NEWSCRAWLER_ARCHIVE={archive_path}"),
            ("setting", "AUTOTHROTTLE_ENABLED=False"), ("setting", "DOWNLOAD_DELAY=0"),
        ])
        assert job["status"] == "ok", job
        deadline = time.monotonic() + 90
        while True:
            jobs = _call(base, "listjobs.json?project=newscrawler")
            finished = [j for j in jobs["finished"] if j["id"] == job["jobid"]]
            if finished:
                break
            assert time.monotonic() < deadline, f"the job did not finish: {jobs}"
            time.sleep(0.5)
        log = (server / "logs" / "newscrawler" / "zjdaily" / f"{job['jobid']}.log").read_text("utf-8")
        assert "Spider closed (finished)" in log, log[-3000:]
    finally:
        daemon.terminate()
        try:
            daemon.wait(timeout=15)
        except subprocess.TimeoutExpired:
            daemon.kill()

    expected = {json.loads(p.read_text("utf-8"))["url"] for p in fixture_cases()}
    with Archive.open(archive_path, create=False) as archive:
        urls = {row[0] for row in archive.conn.execute("SELECT canonical_url FROM articles")}
        (run,) = archive.runs()
    assert expected <= urls
    assert run["status"] == "finished"
    # scrapyd's items feed: one article record per line, not the raw pages.
    (feed,) = (server / "items" / "newscrawler" / "zjdaily").glob("*.jl")
    records = [json.loads(line) for line in feed.read_text("utf-8").splitlines()]
    assert {r["canonical_url"] for r in records} == expected
    assert all("body" not in r and r["headline"] for r in records)
    assert run["settings"]["NEWSCRAWLER_REPLAY_DIR"] == str(portal)
