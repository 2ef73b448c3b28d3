"""The archive's SQLite page cache is a setting (NEWSCRAWLER_ARCHIVE_CACHE_MB)."""

from __future__ import annotations

from pathlib import Path

from scrapy import Spider
from scrapy.utils.test import get_crawler

from archive import Archive
from archive.connection import CACHE_MB
from newscrawler.pipelines import ArchivePipeline


def _cache_kib(archive: Archive) -> int:
    # A negative cache_size is in KiB.
    return -int(archive.conn.execute("PRAGMA cache_size").fetchone()[0])


def test_archive_open_sets_the_page_cache(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a.sqlite") as archive:
        assert _cache_kib(archive) == CACHE_MB * 1024
    with Archive.open(tmp_path / "a.sqlite", cache_mb=2.5) as archive:
        assert _cache_kib(archive) == 2560


def test_the_crawl_archive_takes_the_setting(tmp_path: Path) -> None:
    crawler = get_crawler(Spider, settings_dict={
        "NEWSCRAWLER_ARCHIVE": str(tmp_path / "a.sqlite"), "NEWSCRAWLER_ARCHIVE_CACHE_MB": 8,
    })
    crawler.spider = Spider("zjdaily")
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider(crawler.spider)
    try:
        assert _cache_kib(pipeline.archive) == 8 * 1024
    finally:
        pipeline.archive.close()
