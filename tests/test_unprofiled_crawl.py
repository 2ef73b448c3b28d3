"""Crawling a site without a profile (``newscrawler crawl --start-url``), end to end.

``fixtures/generic-site`` is a small site of our own: a home page, channel listings with
pagination, five articles under different URL shapes (date folders, ``.shtml``, ``content_<n>``),
a topic page whose URL looks like an article's, an about page, a members' area that robots.txt
disallows, a story on the ``m.`` subdomain and a link to another site. Crawls run the real
engine over loopback with the same spider and pipelines as profiled portals.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from support import FIXTURES, run_cli

from newscrawler.extract import extract
from newscrawler.extract.record import check_record
from newscrawler.portals.adhoc import adhoc_portal, looks_like_article_page, looks_like_article_url

SITE = FIXTURES / "generic-site"
HOME = "https://www.nanhai-daily.example/"
WWW_ARTICLES = {
    HOME + "news/2024/05/20/1001.html",
    HOME + "news/2024/05/21/1002.html",
    HOME + "local/20240522/c_88231.shtml",
    HOME + "news/content_4471.htm",
    HOME + "special/2024/05/1005.html",
}
MOBILE_ARTICLE = "https://m.nanhai-daily.example/news/2024/05/23/1006.html"


def _crawl(tmp: Path, *args: str) -> dict[str, Any]:
    output, log, db = tmp / "records.jsonl", tmp / "access.jsonl", tmp / "archive.sqlite"
    result = run_cli(
        "crawl", "--start-url", HOME, "--replay", str(SITE), "-o", str(output), "--db", str(db),
        "-s", f"NEWSCRAWLER_REPLAY_LOG={log}", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "DOWNLOAD_DELAY=0", *args,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()] if output.exists() else []
    requests = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    with sqlite3.connect(db) as conn:
        captures = dict(conn.execute("SELECT url, kind FROM captures").fetchall())
    return {"records": records, "requests": requests, "captures": captures, "stdout": result.stdout}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _crawl(tmp_path_factory.mktemp("site"))


def _page_file(url: str) -> Path:
    return SITE / url.split("/", 3)[3]


def test_articles_found_by_url_shape_and_content(crawl: dict[str, Any]) -> None:
    assert {r["canonical_url"] for r in crawl["records"]} == WWW_ARTICLES
    assert len(crawl["records"]) == len(WWW_ARTICLES)
    # The topic page has an article-like URL but no prose: a listing, whose links are followed
    # (the story only it links to was found above).
    assert crawl["captures"][HOME + "special/20240520.html"] == "listing"
    assert crawl["captures"][HOME + "about/"] == "listing"
    assert crawl["captures"][HOME + "news/index_2.html"] == "listing"


def test_records_are_the_generic_extractors(crawl: dict[str, Any]) -> None:
    for record in crawl["records"]:
        check_record(record)
        assert record["portal"] == "generic"
        again = extract(record["url"], _page_file(record["url"]).read_bytes(), {},
                        datetime.fromisoformat(record["fetched_at"]))
        assert record == again


def test_stays_on_site_and_polite(crawl: dict[str, Any]) -> None:
    hosts = {r["host"] for r in crawl["requests"]}
    assert hosts == {"www.nanhai-daily.example"}
    paths = [r["path"] for r in crawl["requests"]]
    assert "/robots.txt" in paths
    assert not [p for p in paths if p.startswith("/member/") or p.endswith(".pdf")]
    assert "robots.txt refusals: 2" in crawl["stdout"]


def test_allow_domain(tmp_path: Path) -> None:
    crawl = _crawl(tmp_path, "--allow-domain", "nanhai-daily.example")
    assert {r["canonical_url"] for r in crawl["records"]} == WWW_ARTICLES | {MOBILE_ARTICLE}
    assert {r["host"] for r in crawl["requests"]} == {"www.nanhai-daily.example", "m.nanhai-daily.example"}


def test_max_articles(tmp_path: Path) -> None:
    crawl = _crawl(tmp_path, "--max-articles", "2")
    assert len(crawl["records"]) == 2


def test_article_pattern_decides(tmp_path: Path) -> None:
    crawl = _crawl(tmp_path, "--article-pattern", r"/news/\d{4}/")
    assert {r["canonical_url"] for r in crawl["records"]} == {
        HOME + "news/2024/05/20/1001.html", HOME + "news/2024/05/21/1002.html",
    }
    assert crawl["captures"][HOME + "local/20240522/c_88231.shtml"] == "listing"


def test_url_heuristics() -> None:
    for url in WWW_ARTICLES | {HOME + "special/20240520.html", "https://x.example/20240301/c_1130.htm"}:
        assert looks_like_article_url(url), url
    for url in (HOME, HOME + "news/", HOME + "news/index_2.html", HOME + "about/", HOME + "index.shtml"):
        assert not looks_like_article_url(url), url
    portal = adhoc_portal(HOME, ["nanhai-daily.example"])
    assert portal.page_kind(MOBILE_ARTICLE) == "article"
    assert portal.page_kind("https://www.other-portal.example/news/2024/05/20/9999.html") is None
    assert portal.page_kind(HOME + "uploads/2024/05/report.pdf") is None


def test_page_check() -> None:
    article = HOME + "news/content_4471.htm"
    assert looks_like_article_page(article, _page_file(article).read_bytes())
    assert not looks_like_article_page(HOME + "special/20240520.html", (SITE / "special/20240520.html").read_bytes())


def test_usage_errors() -> None:
    both = run_cli("crawl", "zjdaily", "--start-url", HOME, "--no-archive")
    assert both.returncode == 2 and "not both" in both.stderr
    owned = run_cli("crawl", "--start-url", "https://www.gdzjdaily.com.cn/", "--no-archive")
    assert owned.returncode == 2 and "zjdaily" in owned.stderr
    pattern = run_cli("crawl", "--start-url", HOME, "--article-pattern", "(", "--no-archive")
    assert pattern.returncode == 2 and "pattern" in pattern.stderr
