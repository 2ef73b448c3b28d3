"""Deploying to scrapyd: a real scrapyd on a loopback port, the project deployed with
scrapyd-deploy through scrapy.cfg's ``local`` target, ``zjdaily`` scheduled through
schedule.json to replay the fixture portal into an archive, and the archive checked."""

from __future__ import annotations

import configparser
import json
import re
import sqlite3
import time
from pathlib import Path

import pytest
from support import (
    ROOT,
    ZJDAILY,
    ScrapydServer,
    deploy,
    fixture_cases,
    project_copy,
    without_crawl_delay,
)

from archive import Archive

pytest.importorskip("scrapyd", reason="scrapyd is not installed (pip install -e '.[test]')")
pytest.importorskip("scrapyd_client", reason="scrapyd-client is not installed (pip install -e '.[test]')")


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
    server = ScrapydServer(tmp_path / "scrapyd")
    portal = without_crawl_delay(ZJDAILY, tmp_path / "portal")
    archive_path = tmp_path / "archive.sqlite"

    server.start()
    try:
        output = deploy(project_copy(tmp_path / "project", {"local": server}), "local", "-p", "newscrawler")
        assert '"status": "ok"' in output, output
        spiders = server.call("listspiders.json?project=newscrawler")["spiders"]
        assert "zjdaily" in spiders

        job = server.call("schedule.json", [
            ("project", "newscrawler"), ("spider", "zjdaily"),
            ("setting", f"NEWSCRAWLER_REPLAY_DIR={portal}"),
            ("setting", f"NEWSCRAWLER_ARCHIVE={archive_path}"),
            ("setting", "AUTOTHROTTLE_ENABLED=False"), ("setting", "DOWNLOAD_DELAY=0"),
        ])
        assert job["status"] == "ok", job
        server.wait_for_job(job["jobid"], timeout=90)
        log = (server.directory / "logs" / "newscrawler" / "zjdaily" / f"{job['jobid']}.log").read_text("utf-8")
        assert "Spider closed (finished)" in log, log[-3000:]
    finally:
        server.stop()

    expected = {json.loads(p.read_text("utf-8"))["url"] for p in fixture_cases()}
    with Archive.open(archive_path, create=False) as archive:
        urls = {row[0] for row in archive.conn.execute("SELECT canonical_url FROM articles")}
        (run,) = archive.runs()
    assert expected <= urls
    assert run["status"] == "finished"
    # scrapyd's items feed: one article record per line, not the raw pages.
    (feed,) = (server.directory / "items" / "newscrawler" / "zjdaily").glob("*.jl")
    records = [json.loads(line) for line in feed.read_text("utf-8").splitlines()]
    assert {r["canonical_url"] for r in records} == expected
    assert all("body" not in r and r["headline"] for r in records)
    assert run["settings"]["NEWSCRAWLER_REPLAY_DIR"] == str(portal)


def test_a_job_cancelled_while_it_starts_ends_shutdown_without_a_traceback(tmp_path: Path) -> None:
    """scrapyd cancels a job by SIGINT. Here it comes while the crawl starts, waiting for the
    archive another writer holds locked, so that it certainly comes before the crawl runs. The
    job ends as a crawl stopped once running does, ``shutdown``, nothing fetched, no traceback,
    without waiting for the lock: its run is not recorded (it cannot be, without the lock)."""
    server = ScrapydServer(tmp_path / "scrapyd")
    portal = without_crawl_delay(ZJDAILY, tmp_path / "portal")
    archive_path = tmp_path / "archive.sqlite"
    Archive.open(archive_path).close()
    busy = sqlite3.connect(archive_path, isolation_level=None)
    busy.execute("BEGIN IMMEDIATE")
    server.start()
    try:
        output = deploy(project_copy(tmp_path / "project", {"local": server}), "local", "-p", "newscrawler")
        assert '"status": "ok"' in output, output
        job = server.call("schedule.json", [
            ("project", "newscrawler"), ("spider", "zjdaily"),
            ("setting", f"NEWSCRAWLER_REPLAY_DIR={portal}"), ("setting", f"NEWSCRAWLER_ARCHIVE={archive_path}"),
            ("setting", "AUTOTHROTTLE_ENABLED=False"), ("setting", "DOWNLOAD_DELAY=0"),
        ])
        log_path = server.directory / "logs" / "newscrawler" / "zjdaily" / f"{job['jobid']}.log"
        deadline = time.monotonic() + 90
        while not log_path.exists() or "Waiting for the archive" not in log_path.read_text("utf-8"):
            assert time.monotonic() < deadline, server.call("listjobs.json?project=newscrawler")
            time.sleep(0.1)
        assert server.call("cancel.json", [("project", "newscrawler"), ("job", job["jobid"])])["status"] == "ok"
        server.wait_for_job(job["jobid"], timeout=90)
        log = log_path.read_text("utf-8")
    finally:
        busy.rollback()
        busy.close()
        server.stop()
    assert "Traceback" not in log and "KeyboardInterrupt" not in log, log[-3000:]
    assert "Received SIGINT while the crawl was starting: it stops before fetching anything" in log, log[-3000:]
    assert "Spider closed (shutdown)" in log, log[-3000:]
    assert "'newscrawler/stopped_while_starting': 'SIGINT'" in log, log[-3000:]
    assert "'downloader/request_count'" not in log, log[-3000:]
    with Archive.open(archive_path, create=False) as archive:
        assert archive.runs() == []
