"""The crawl's worker process (``newscrawler.worker``): pages read, archived and written to WARC
files there are all stored when a crawl is stopped part-way, and the worker ends with the crawl.

Each crawl runs in a subprocess (Twisted's reactor cannot restart). The probe stops the crawl as
Ctrl-C does (an orderly close) as soon as a few pages are done, while others are still queued in
the worker: extracted, waiting for their batch, or waiting for their WARC records. Another
probe kills the worker at its first batch: its pages fail, none silently.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, ZJDAILY

PROBE = r"""
import json, os, sys
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.utils.defer import deferred_from_coro
from newscrawler.crawl import project_settings

settings = json.loads(sys.argv[1])
if len(sys.argv) > 2:  # the worker dies at its first batch (it is forked: it runs this too)
    import newscrawler.worker
    newscrawler.worker.CALLS["archive_add"] = lambda *args: os._exit(1)
process = CrawlerProcess(project_settings(settings))
crawler = process.create_crawler("zjdaily")
scraped = []
STOP_NEVER = len(sys.argv) > 2


def item_scraped(item, response, spider):
    scraped.append(item.url)
    if len(scraped) == 3 and not STOP_NEVER:  # what Ctrl-C does: close in order, with pages still in the worker
        deferred_from_coro(crawler.engine.close_spider_async(reason="shutdown"))


crawler.signals.connect(item_scraped, signal=signals.item_scraped)
process.crawl(crawler)
process.start()
worker = getattr(crawler, "_newscrawler_worker", None)
stats = crawler.stats.get_stats()
print(json.dumps({
    "scraped": scraped, "finish_reason": stats.get("finish_reason"),
    "items": stats.get("item_scraped_count", 0),
    "archived": sum(v for k, v in stats.items() if k.startswith("newscrawler/archive/")
                    and k.rsplit("/", 1)[1] in ("new", "changed", "unchanged", "captured")),
    "warc_files": stats.get("newscrawler/warc/files"),
    "worker": worker is not None, "worker_alive": worker is not None and worker.process.is_alive(),
    "failed_pages": stats.get("newscrawler/archive/write_error", 0),
}))
"""


def _crawl(tmp_path: Path, *probe_args: str, **extra: object) -> dict:
    settings = {
        "NEWSCRAWLER_REPLAY_DIR": str(ZJDAILY), "NEWSCRAWLER_ARCHIVE": str(tmp_path / "a.sqlite"),
        "NEWSCRAWLER_WARC_DIR": str(tmp_path / "warc"), "JOBDIR": str(tmp_path / "job"),
        "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "ROBOTSTXT_OBEY": False,
        "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "LOG_LEVEL": "ERROR",
        "NEWSCRAWLER_WORKER": True,  # whatever the default on this machine's cores
        **extra,
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(settings), *probe_args], cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("batch", [50, 1])
def test_pages_queued_in_the_worker_when_the_crawl_stops_are_archived(tmp_path: Path, batch: int) -> None:
    report = _crawl(tmp_path, NEWSCRAWLER_ARCHIVE_BATCH=batch)
    assert report["worker"] and not report["worker_alive"]
    assert report["finish_reason"] == "shutdown"
    # Pages done after the stop was asked for were in the worker then: every one is archived
    # and counted, none lost.
    assert len(report["scraped"]) == report["items"] > 3
    with sqlite3.connect(tmp_path / "a.sqlite") as conn:
        urls = {url for (url,) in conn.execute("SELECT url FROM captures")}
        status = conn.execute("SELECT status FROM runs").fetchone()[0]
    assert set(report["scraped"]) <= urls and len(urls) == report["archived"]
    assert status == "shutdown"
    # The worker's WARC files are closed, each with its index.
    files = sorted((tmp_path / "warc").glob("*.warc.gz"))
    assert report["warc_files"] == len(files) >= 1
    assert all(path.with_name(path.name + ".cdxj").is_file() for path in files)


def test_the_worker_and_the_crawl_in_one_process_archive_the_same(tmp_path: Path) -> None:
    with_worker = _crawl(tmp_path / "worker")
    alone = _crawl(tmp_path / "alone", NEWSCRAWLER_WORKER=False)
    assert with_worker["worker"] and not alone["worker"]
    assert with_worker["finish_reason"] == alone["finish_reason"] == "shutdown"
    for report, name in ((with_worker, "worker"), (alone, "alone")):
        with sqlite3.connect(tmp_path / name / "a.sqlite") as conn:
            assert conn.execute("SELECT count(*) FROM captures").fetchone()[0] == report["archived"]


def test_a_worker_that_dies_fails_its_pages_and_the_crawl_ends(tmp_path: Path) -> None:
    report = _crawl(tmp_path, "die")
    # Every page the dead worker was to archive is a write error, none is done, and the crawl
    # ends failed rather than hanging or finishing as if they were stored.
    assert report["finish_reason"] == "failed"
    assert report["items"] == 0 and report["failed_pages"] > 0
    with sqlite3.connect(tmp_path / "a.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM captures").fetchone()[0] == 0
