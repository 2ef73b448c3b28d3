"""No silent loss: every page a crawl fetched is archived or counted as a failure with its reason,
and a crawl that lost a page never ends "finished" with exit 0 (``newscrawler.accounting``).

The crawls run through the real engine against the fixture server told to misbehave as real
servers do (``accounting_site``): redirects to the same page, off the site and in a loop, a meta
refresh to a twin, a 503 with Retry-After, a connection dropped mid-page, a body that is not the
gzip it claims to be.
"""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from accounting_site import CASES, FAST, WWW, build_site
from click.testing import CliRunner
from scrapy.exceptions import IgnoreRequest, ResponseDataLossError
from support import ROOT, run_cli
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure

from archive import Archive
from newscrawler.accounting import failure_reason
from newscrawler.cli import cli
from newscrawler.crawl import project_settings
from newscrawler.replay import FixtureServer


def _run(db: Path) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        status, stats = conn.execute("SELECT status, stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    return {"status": status, "stats": json.loads(stats)}


def _accounting(stats: dict[str, Any]) -> dict[str, Any]:
    prefix = "newscrawler/accounting/"
    return {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("accounting")
    site = build_site(tmp / "site")
    db = tmp / "archive.sqlite"
    result = run_cli("crawl", "zjdaily", "--replay", str(site), "--db", str(db), *FAST, timeout=180)
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        captures = [dict(row) for row in conn.execute("SELECT * FROM captures ORDER BY id")]
        articles = {row["canonical_url"]: dict(row) for row in conn.execute("SELECT * FROM articles")}
    return {"result": result, "db": db, "captures": captures, "articles": articles, "tmp": tmp}


def test_a_crawl_with_counted_failures_finishes(crawl: dict[str, Any]) -> None:
    result = crawl["result"]
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert result.stdout.startswith("crawl of zjdaily: finished\n")
    run = _run(crawl["db"])
    assert run["status"] == "finished"
    ledger = _accounting(run["stats"])
    # Home page, two 404 channel pages and six articles archived; three hops followed, one 503
    # retried; five pages counted with their reasons (the dropped connections brought no
    # response); nothing open at the end.
    assert ledger == {
        "archived": 9, "redirected": 3, "retried": 1, "downloaded": 16, "robots_txt": 2,
        "failed/redirect_offsite": 1, "failed/redirect_loop": 1, "failed/truncated": 1,
        "failed/undecodable": 1, "failed/download_error": 1, "close_reason": "finished",
    }
    assert "  download errors: 3\n" in result.stdout
    assert ("pages accounted for: 16 responses; 9 archived, 3 redirects followed, 1 answers retried,"
            " 5 failed (download error 1, redirect loop 1, redirect offsite 1, truncated 1, undecodable 1),"
            " 0 lost without a reason") in result.stdout


def test_redirects_to_the_same_page_are_followed_and_recorded(crawl: dict[str, Any]) -> None:
    followed = {"2953118": (301, "location"), "2953124": (302, "location"), "2953140": (200, "meta refresh")}
    for number, (status, reason) in followed.items():
        assert f"{WWW}/p/{number}.html" in crawl["articles"], number
        (capture,) = [c for c in crawl["captures"] if c["url"].endswith(f"/p/{number}.html")]
        (hop,) = json.loads(capture["redirects"])
        assert (hop["url"], hop["status"], hop["reason"]) == (CASES[number][0], status, reason)
        # The hop's own response is in the WARC, where the capture says.
        index = (crawl["db"].parent / "warc" / (hop["warc_filename"] + ".cdxj")).read_text(encoding="utf-8")
        line = next(json.loads(row.split(" ", 2)[2]) for row in index.splitlines()
                    if f'"offset": "{hop["warc_offset"]}"' in row)
        assert (line["url"], line["status"]) == (hop["url"], str(status))
    assert crawl["captures"][0]["redirects"] is None or all(
        c["redirects"] is None for c in crawl["captures"] if c["url"].endswith("/p/2953127.html"))


def test_pages_not_archived_are_counted_by_reason(crawl: dict[str, Any]) -> None:
    archived = {c["url"] for c in crawl["captures"]}
    for number in ("2953131", "2953135", "2953152", "2953158", "2953163"):
        assert not [url for url in archived if number in url]
    assert f"{WWW}/p/2953146.html" in crawl["articles"]  # the 503 was retried after Retry-After
    stderr = crawl["result"].stderr
    assert "redirect off the site" in stderr and "redirect loop" in stderr


def test_crawls_lists_the_failures(crawl: dict[str, Any]) -> None:
    result = CliRunner().invoke(cli, ["crawls", "--db", str(crawl["db"])])
    assert result.exit_code == 0, result.output
    assert "redirect_loop 1" in result.output and "redirect_offsite 1" in result.output
    assert "FAILED" not in result.output


def test_dates_without_a_year_resolve_against_the_capture(crawl: dict[str, Any]) -> None:
    article = crawl["articles"][f"{WWW}/p/3418377.html"]
    assert article["published_at"] == "2024-06-26T20:48:00+08:00"
    dated = {c["fetched_at"] for c in crawl["captures"]}
    assert dated == {"2024-07-01T03:00:00+00:00"}


def test_the_fixture_server_sends_the_capture_date() -> None:
    import urllib.request

    with FixtureServer(ROOT / "fixtures" / "zjdaily") as server:
        for path in ("/p/2953118.html", "/no/such/page.html"):
            try:
                with urllib.request.urlopen(server.base_url + path) as response:
                    date = response.headers["Date"]
            except urllib.error.HTTPError as error:
                date = error.headers["Date"]
            assert date == "Mon, 01 Jul 2024 03:00:00 GMT", path


def test_an_archive_write_error_fails_the_crawl(tmp_path: Path) -> None:
    site = build_site(tmp_path / "site", {number: CASES[number] for number in ("2953127", "3418377")})
    db = tmp_path / "archive.sqlite"
    with Archive.open(db) as archive:
        # The archive refuses one page, as a full disk would.
        archive.conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON captures WHEN NEW.url LIKE '%/p/3418377.html'"
            " BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
    result = run_cli("crawl", "zjdaily", "--replay", str(site), "--db", str(db), *FAST, timeout=180)
    assert result.returncode == 4, result.stdout + result.stderr[-3000:]
    assert result.stdout.startswith("crawl of zjdaily: failed (1 write errors)\n"), result.stdout
    assert "  archive write errors: 1\n" in result.stdout
    run = _run(db)
    assert run["status"] == "failed"
    assert _accounting(run["stats"])["failed/write_error"] == 1
    listed = CliRunner().invoke(cli, ["crawls", "--db", str(db)]).output
    assert "write_error 1" in listed and "FAILED: 1 write errors" in listed


def test_a_page_lost_without_a_reason_fails_the_crawl(tmp_path: Path) -> None:
    # Scrapy's own redirect middleware, put back: its redirect to the same page is dropped by the
    # duplicate filter, and nothing counts that hop. The ledger finds it open at the end.
    site = build_site(tmp_path / "site", {number: CASES[number] for number in ("2953127", "2953118")})
    middlewares = project_settings().getdict("DOWNLOADER_MIDDLEWARES")
    del middlewares["newscrawler.redirects.RedirectMiddleware"]
    middlewares["scrapy.downloadermiddlewares.redirect.RedirectMiddleware"] = 600
    db = tmp_path / "archive.sqlite"
    result = run_cli("crawl", "zjdaily", "--replay", str(site), "--db", str(db), *FAST,
                     "-s", f"DOWNLOADER_MIDDLEWARES={json.dumps(middlewares)}", timeout=180)
    assert result.returncode == 4, result.stdout + result.stderr[-3000:]
    assert result.stdout.startswith("crawl of zjdaily: failed (1 pages lost without a reason)\n"), result.stdout
    assert "Lost without a reason: 301 http://www.gdzjdaily.com.cn/p/2953118.html" in result.stderr
    assert _run(db)["status"] == "failed"


def test_replay_of_a_file_that_is_no_directory_fails(tmp_path: Path) -> None:
    result = run_cli("crawl", "zjdaily", "--replay", str(ROOT / "README.md"), "--db",
                     str(tmp_path / "a.sqlite"), *FAST, timeout=180)
    assert result.returncode == 4, result.stdout + result.stderr[-3000:]
    assert "crawl of zjdaily: failed (nothing archived, 3 failures)" in result.stdout
    assert "  download errors: 3\n" in result.stdout


def test_scrapy_crawl_feeds_get_the_records(crawl: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="newscrawler.settings", PYTHONUNBUFFERED="1")
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "zjdaily", "-o", str(out),
         "-s", f"NEWSCRAWLER_REPLAY_DIR={crawl['tmp'] / 'site'}", *FAST],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "not JSON serializable" not in result.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["canonical_url"] for r in records} == set(crawl["articles"])
    assert all("body" not in r and r["headline"] for r in records)
    # Without NEWSCRAWLER_ARCHIVE, scrapy crawl writes no archive, and says so.
    assert "no archive" in result.stderr
    assert not list(tmp_path.rglob("*.sqlite"))


def test_the_summary_counts_extraction_and_download_errors() -> None:
    from newscrawler.crawl import CrawlResult

    result = CrawlResult("zjdaily", {
        "finish_reason": "finished", "newscrawler/accounting/close_reason": "finished",
        "newscrawler/accounting/downloaded": 3, "newscrawler/accounting/archived": 3,
        "newscrawler/accounting/failed/download_error": 4, "newscrawler/extract/error": 2,
    })
    summary = result.summary()
    assert "  download errors: 4\n" in summary
    assert "  extraction errors: 2\n" in summary
    assert "3 archived, 4 failed (download error 4), 0 lost without a reason" in summary
    assert result.exit_code == 0
    lost = CrawlResult("zjdaily", {**result.stats, "finish_reason": "failed",
                                   "newscrawler/accounting/failed_because": "1 pages lost without a reason"})
    assert lost.exit_code == 4
    assert lost.summary().startswith("crawl of zjdaily: failed (1 pages lost without a reason)\n")


def test_every_exit_status_is_documented() -> None:
    from newscrawler import crawl as crawl_module

    statuses = {value for name, value in vars(crawl_module).items() if name.startswith("EXIT_")}
    assert statuses == {0, 1, 2, 3, 4}
    help_text = CliRunner().invoke(cli, ["crawl", "--help"]).output
    block = help_text.split("Exit status:", 1)[1].split("Options:", 1)[0]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = (ROOT / "docs" / "accounting.md").read_text(encoding="utf-8")
    for status in statuses:
        assert f"\n    {status}  " in block, status
        assert f"| {status} |" in table, status
    assert "exits with status 0 when" in readme and "4 when it failed" in readme


def test_a_crawl_closed_at_a_limit_is_not_failed_for_its_pages_in_flight(tmp_path: Path) -> None:
    site = build_site(tmp_path / "site", {number: CASES[number] for number in ("2953127", "3418377", "2953146")})
    db = tmp_path / "archive.sqlite"
    result = run_cli("crawl", "zjdaily", "--replay", str(site), "--db", str(db), *FAST,
                     "-s", "CLOSESPIDER_PAGECOUNT=2", timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    run = _run(db)
    assert run["status"] == "closespider_pagecount"
    ledger = _accounting(run["stats"])
    assert "lost" not in ledger and "failed_because" not in ledger
    assert ledger["downloaded"] == ledger["archived"] + ledger.get("interrupted", 0) + ledger.get("retried", 0)


@pytest.mark.parametrize(("exception", "reason"), [
    (IgnoreRequest("Forbidden by robots.txt"), "robots"),
    (CancelledError("Cancelling download of https://x/: expected response size (99) larger than download "
                    "max size (10)."), "too_large"),
    (IgnoreRequest("Ignored <200 https://x/> because its body (9 B compressed, 99 B decompressed so far) "
                   "exceeded DOWNLOAD_MAXSIZE (10 B) during decompression."), "too_large"),
    (gzip.BadGzipFile("Not a gzipped file (b'<!')"), "undecodable"),
    (ResponseDataLossError(), "truncated"),
    (TimeoutError(), "download_error"),
])
def test_failure_reasons(exception: Exception, reason: str) -> None:
    assert failure_reason(Failure(exception)) == reason
