"""A replay of WARC files asked for a page they never captured does not answer it: no 404 is made
up, nothing is archived, the ledger and the summary count it, and it is never a sign of removal.

The WARC files are real: a crawl of the fixture portal limited to three articles captures the
listings and three articles; a replay of its files without the limit goes further, to the
articles the listings link to. An archive of the whole portal (a second crawl) is replayed into
with every article asked for again.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler
from support import ZJDAILY, run_cli, without_crawl_delay

from newscrawler.accounting import NotCaptured
from newscrawler.portals import canonical_url
from newscrawler.warc.replay import NOT_CAPTURED_STAT, WarcReplayDownloadHandler
from newscrawler.warc.writer import Exchange, WarcFileSet

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
SUMMARY = re.compile(r"pages not captured in the WARC files \(not replayed, nothing archived\): (\d+)")


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three articles captured (``small``, its WARC files in ``small-warc``), and the whole portal
    archived (``whole``)."""
    tmp = tmp_path_factory.mktemp("not-captured")
    site = without_crawl_delay(ZJDAILY, tmp / "site")
    small, warc, whole = tmp / "small.sqlite", tmp / "small-warc", tmp / "whole.sqlite"
    for args in (["--db", str(small), "--max-articles", "3", "-s", f"NEWSCRAWLER_WARC_DIR={warc}"],
                 ["--db", str(whole), "--no-warc"]):
        result = run_cli("crawl", "zjdaily", "--replay", str(site), *args, *FAST, timeout=180)
        assert result.returncode == 0, result.stderr[-3000:]
    return {"small": small, "warc": warc, "whole": whole}


def rows(db: Path, query: str) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute(query).fetchall()


def archived(db: Path, after: int = 0) -> dict[str, int]:
    """Status by canonical URL of the archive's captures (those after capture ``after``)."""
    return {canonical_url(url): status
            for url, status in rows(db, f"SELECT url, status FROM captures WHERE id > {after}")}


def replay(crawls: dict[str, Path], db: Path, *args: str) -> Any:
    return run_cli("crawl", "zjdaily", "--replay", str(crawls["warc"]), "--db", str(db), "--no-warc",
                   *FAST, *args, timeout=180)


def not_replayed(result: Any, log: Path) -> list[str]:
    """The URLs the crawl's log names as not replayed, and the summary's count of them."""
    urls = re.findall(r"Not replayed (\S+): no capture of it in the WARC files", log.read_text("utf-8"))
    (count,) = SUMMARY.findall(result.stdout)
    assert int(count) == len(urls)
    return urls


def test_a_page_never_captured_is_counted_not_archived(crawls: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    result = replay(crawls, db)
    # The crawl went further than the capture: normal, so it finished, exit 0, and said so.
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    urls = not_replayed(result, next((tmp_path / "logs").glob("*.log")))
    assert sum("/p/" in url for url in urls) > 10
    assert f"failed (not captured {len(urls)}), 0 lost without a reason" in result.stdout
    assert "HTTP errors: 0" in result.stdout and "download errors: 0" in result.stdout
    assert "damaged WARC" not in result.stdout and "Not replayed" not in result.stderr
    # What is archived is what was captured, no more: no 404 was made up for the rest.
    assert archived(db) == archived(crawls["small"])
    assert not {canonical_url(url) for url in urls} & set(archived(crawls["small"]))


def test_a_page_never_captured_is_no_sign_of_removal(crawls: dict[str, Path], tmp_path: Path) -> None:
    # The archive holds every article; the replay asks for each again, and holds three.
    db = tmp_path / "a.sqlite"
    shutil.copy(crawls["whole"], db)
    before = rows(db, "SELECT * FROM captures ORDER BY id")
    result = replay(crawls, db, "--recrawl", "all")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "removals:" not in result.stdout
    assert SUMMARY.search(result.stdout)
    # The three captured are the same captures as the archive's (the same fetch), kept once;
    # the others are not answered, so nothing is added for them. Which URL of an article with two
    # (an alias) each crawl fetched depends on which answered first: a capture of the alias the
    # whole crawl did not fetch is new, and only such a one.
    added = [row for row in rows(db, "SELECT * FROM captures ORDER BY id") if row not in before]
    captured = {url for (url,) in rows(crawls["small"], "SELECT url FROM captures")}
    assert [row[2] for row in added if row[2] not in captured] == []
    assert len(added) <= 1, added
    assert rows(db, "SELECT DISTINCT status FROM articles") == [("live",)]
    assert rows(db, "SELECT count(*) FROM article_events") == [(0,)]
    assert rows(db, "SELECT count(*) FROM captures WHERE removal IS NOT NULL") == [(0,)]


def test_the_handler_answers_no_url_it_holds_no_capture_of(tmp_path: Path) -> None:
    files = WarcFileSet(tmp_path, 10**6, {"software": "test"})
    files.write_exchange(Exchange("https://www.x.cn/a.html", "GET", [("Host", "www.x.cn")], b"", 200, "OK",
                                  [("Content-Type", "text/html")], b"<p>a</p>"))
    files.close()
    crawler = get_crawler(settings_dict={"NEWSCRAWLER_REPLAY_WARC": str(tmp_path)})
    handler = WarcReplayDownloadHandler(crawler)
    assert asyncio.run(handler.download_request(Request("https://www.x.cn/a.html"))).status == 200
    for url in ("https://www.x.cn/b.html", "https://www.x.cn/robots.txt"):
        with pytest.raises(NotCaptured, match="no capture of it in the WARC files"):
            asyncio.run(handler.download_request(Request(url)))
    assert crawler.stats is not None and crawler.stats.get_value(NOT_CAPTURED_STAT) == 2
