"""The archive pipeline writes pages in batches, and a page is done only once its batch commits.

Each crawl runs in a subprocess (Twisted's reactor cannot restart) with a probe on Scrapy's
``item_scraped`` signal, the signal on which a resumable crawl persists the page's fingerprint,
the WARC metadata record is written and the job's article budget counts the page: at that
moment the page's capture must already be readable from another connection to the archive.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from support import ROOT, ZJDAILY

from newscrawler.portals import canonical_url

PROBE = r"""
import json, sqlite3, sys
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from newscrawler.crawl import project_settings

settings, failing = json.loads(sys.argv[1]), sys.argv[2]
if failing:
    from archive.writer import Writer
    add_capture = Writer.add_capture

    def refusing(self, run_id, capture, *args):
        if capture["url"].endswith(failing):
            raise RuntimeError("refused")
        return add_capture(self, run_id, capture, *args)

    Writer.add_capture = refusing

process = CrawlerProcess(project_settings(settings))
crawler = process.create_crawler("zjdaily")
scraped, uncommitted = [], []


def item_scraped(item, response, spider):
    with sqlite3.connect(settings["NEWSCRAWLER_ARCHIVE"]) as other:
        found = other.execute("SELECT count(*) FROM captures WHERE url = ?", (item.url,)).fetchone()
    scraped.append(item.url)
    if not found[0]:
        uncommitted.append(item.url)


crawler.signals.connect(item_scraped, signal=signals.item_scraped)
process.crawl(crawler)
process.start()
stats = crawler.stats.get_stats()
print(json.dumps({"scraped": scraped, "uncommitted": uncommitted,
                  "pages": stats.get("response_received_count", 0),
                  "transactions": stats.get("newscrawler/archive/transactions", 0),
                  "finish_reason": stats.get("finish_reason")}))
"""


def _crawl(tmp_path: Path, batch: int, failing: str = "") -> dict:
    settings = {
        "NEWSCRAWLER_REPLAY_DIR": str(ZJDAILY), "NEWSCRAWLER_ARCHIVE": str(tmp_path / "a.sqlite"),
        "NEWSCRAWLER_WARC_DIR": str(tmp_path / "warc"), "JOBDIR": str(tmp_path / "job"),
        "NEWSCRAWLER_ARCHIVE_BATCH": batch, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
        "ROBOTSTXT_OBEY": False, "LOG_LEVEL": "ERROR",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(settings), failing], cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    report["stderr"] = result.stderr
    return report


def test_a_page_is_done_only_once_its_batch_has_committed(tmp_path: Path) -> None:
    report = _crawl(tmp_path, batch=8)
    assert report["finish_reason"] == "finished"
    assert len(report["scraped"]) > 16 and report["uncommitted"] == []
    # Batched: fewer transactions than pages (how many depends on timing).
    assert 0 < report["transactions"] < len(report["scraped"])


def test_batches_of_one_page_write_each_page_as_it_comes(tmp_path: Path) -> None:
    report = _crawl(tmp_path, batch=1)
    assert report["finish_reason"] == "finished"
    assert report["uncommitted"] == []
    assert report["transactions"] == len(report["scraped"]) > 16


def test_a_page_the_archive_refuses_fails_alone(tmp_path: Path) -> None:
    whole = _crawl(tmp_path / "whole", batch=8)
    # Which twin (www. or m.) of an article is fetched depends on timing: compare canonical URLs.
    pages = sorted(canonical_url(url) for url in whole["scraped"])
    refused = next(url for url in pages if "/p/" in url)
    report = _crawl(tmp_path / "refused", batch=8, failing=refused.rsplit("/", 1)[1])
    assert report["uncommitted"] == []
    # Every other page of its batch is archived and done; the refused one is not done (a
    # resumed crawl would fetch it again), and its error is logged.
    assert sorted(canonical_url(url) for url in report["scraped"]) == [
        url for url in pages if url != refused]
    assert "refused" in report["stderr"]
