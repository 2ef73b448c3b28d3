"""Incremental crawling: the recrawl policy, conditional requests and 304 captures, and listings'
hot lists archived on every run."""

from __future__ import annotations

import json
import re
import sqlite3
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from support import ROOT, ZJDAILY, fixture_cases, run_cli, without_crawl_delay

from archive import Archive
from archive.query import crawl_states
from newscrawler.incremental import RecrawlPolicy, conditional_headers, parse_schedule
from newscrawler.replay import FixtureServer

NOW = datetime(2024, 7, 1, 12, 0, tzinfo=timezone.utc)
ARTICLES = len(fixture_cases())


def _state(published: str | None, last_seen: str, first_seen: str = "2024-06-01T00:00:00+00:00") -> dict:
    return {"published_utc": published, "first_seen": first_seen, "last_seen": last_seen}


@pytest.mark.parametrize(
    ("mode", "state", "revisit"),
    [
        # Published 2 days ago, last fetched 25 hours ago: due for a look at corrections.
        ("policy", _state("2024-06-29T12:00:00+00:00", "2024-06-30T11:00:00+00:00"), True),
        # Fetched an hour ago: not yet.
        ("policy", _state("2024-06-29T12:00:00+00:00", "2024-07-01T11:00:00+00:00"), False),
        # Published 8 days ago: never again.
        ("policy", _state("2024-06-23T12:00:00+00:00", "2024-06-23T13:00:00+00:00"), False),
        # No publication time: the first capture stands in for it; a zone-less time is UTC.
        ("policy", _state(None, "2024-06-30T10:00:00", first_seen="2024-06-30T10:00:00"), True),
        ("all", _state("2020-01-01T00:00:00+00:00", "2024-07-01T11:59:00+00:00"), True),
        ("none", _state("2024-06-29T12:00:00+00:00", "2024-06-30T11:00:00+00:00"), False),
        # Watch: daily in the first week, weekly to a month, monthly to a year, quarterly after.
        ("watch", _state("2024-06-29T12:00:00+00:00", "2024-06-30T11:00:00+00:00"), True),
        ("watch", _state("2024-06-11T12:00:00+00:00", "2024-06-27T12:00:00+00:00"), False),
        ("watch", _state("2024-06-11T12:00:00+00:00", "2024-06-24T12:00:00+00:00"), True),
        ("watch", _state("2024-01-01T00:00:00+00:00", "2024-06-10T00:00:00+00:00"), False),
        ("watch", _state("2024-01-01T00:00:00+00:00", "2024-05-31T00:00:00+00:00"), True),
        ("watch", _state("2020-01-01T00:00:00+00:00", "2024-05-01T00:00:00+00:00"), False),
        ("watch", _state("2020-01-01T00:00:00+00:00", "2024-03-31T00:00:00+00:00"), True),
    ],
)
def test_recrawl_policy(mode: str, state: dict, revisit: bool) -> None:
    policy = RecrawlPolicy(mode, max_age=timedelta(days=7), interval=timedelta(hours=24))
    assert policy.revisit(state, NOW) is revisit


def test_unknown_recrawl_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="policy, watch, all, none"):
        RecrawlPolicy("sometimes")


@pytest.mark.parametrize("schedule", ["7:1,30:7", "30:7,7:1,*:91", "7:0,*:1", "seven:1,*:2", "7,*:1", ""])
def test_malformed_watch_schedules_are_refused(schedule: str) -> None:
    with pytest.raises(ValueError, match="watch schedule"):
        parse_schedule(schedule)
    assert parse_schedule("7:1,*:0.5") == ((7.0, timedelta(days=1)), (float("inf"), timedelta(hours=12)))


def test_conditional_headers_from_validators() -> None:
    assert conditional_headers({"etag": '"abc"', "last_modified": "Sat, 29 Jun 2024 10:00:00 GMT"}) == {
        "If-None-Match": '"abc"', "If-Modified-Since": "Sat, 29 Jun 2024 10:00:00 GMT"}
    assert conditional_headers({"etag": None, "last_modified": None}) == {}


# --- the archive ---------------------------------------------------------------------------------

URL = "https://www.gdzjdaily.com.cn/p/1.html"


def _record(headline: str = "标题") -> dict:
    return {"url": URL, "canonical_url": URL, "portal": "zjdaily", "headline": headline,
            "paragraphs": ["正文。"], "published_at": "2024-06-30T08:00:00+08:00", "rankings": []}


def _capture(fetched_at: str, status: int = 200, kind: str = "article", **extra: object) -> dict:
    return {"url": URL, "fetched_at": fetched_at, "status": status, "kind": kind,
            "headers": {"Etag": '"v1"', "Last-Modified": "Sun, 30 Jun 2024 00:00:00 GMT"},
            "body": b"" if status == 304 else b"<html>1</html>", **extra}


def test_listing_context_and_not_modified_captures(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a.sqlite") as archive:
        run = archive.start_run("zjdaily", {})
        assert archive.add_capture(run, _capture("2024-06-30T01:00:00+00:00"), _record()) == "new"
        ranking = {"list": "热点新闻排行", "period": "周点击", "rank": 1, "title": "标题", "url": URL}
        listing = {**_capture("2024-06-30T01:01:00+00:00", kind="listing"),
                   "url": "https://www.gdzjdaily.com.cn/zjxw/"}
        assert archive.add_capture(run, listing, None, context={"rankings": [ranking], "related": []}) == "captured"
        outcome = archive.add_capture(
            run, _capture("2024-07-01T01:00:00+00:00", status=304, kind="not-modified"), None
        )
        assert outcome == "unchanged"
        rows = archive.conn.execute(
            "SELECT kind, status, outcome, article_id IS NOT NULL, version_id IS NOT NULL FROM captures"
            " ORDER BY id").fetchall()
        assert rows == [("article", 200, "new", 1, 1), ("listing", 200, "captured", 0, 0),
                        ("not-modified", 304, "unchanged", 1, 1)]
        assert archive.conn.execute(
            "SELECT list, period, rank, title, url, target_article_id FROM rankings").fetchall() == [
            ("热点新闻排行", "周点击", 1, "标题", URL, 1)]
        assert archive.conn.execute("SELECT last_seen FROM articles").fetchone()[0] == "2024-07-01T01:00:00+00:00"
        assert archive.conn.execute("SELECT count(*) FROM versions").fetchone()[0] == 1
        state = archive.crawl_state("https://m.gdzjdaily.com.cn/p/1.html", "zjdaily")
        assert state == {
            "article_id": 1, "published_utc": "2024-06-30T00:00:00+00:00",
            "first_seen": "2024-06-30T01:00:00+00:00", "last_seen": "2024-07-01T01:00:00+00:00",
            "etag": '"v1"', "last_modified": "Sun, 30 Jun 2024 00:00:00 GMT",
        }
        assert archive.crawl_state("https://www.gdzjdaily.com.cn/p/2.html", "zjdaily") is None
        # The links of a listing page, looked up together, as each would be on its own.
        urls = ["https://www.gdzjdaily.com.cn/p/1.html", "https://m.gdzjdaily.com.cn/p/1.html",
                "https://www.gdzjdaily.com.cn/p/2.html", "not a url", URL]
        assert crawl_states(archive.conn, urls, "zjdaily") == {
            url: archive.crawl_state(url, "zjdaily") for url in urls}
        assert crawl_states(archive.conn, urls, "another portal")["https://m.gdzjdaily.com.cn/p/1.html"] is None


# --- the fixture server --------------------------------------------------------------------------


def _get(url: str, **headers: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_fixture_server_answers_conditional_requests() -> None:
    with FixtureServer(ZJDAILY) as server:
        url = server.base_url + "/p/2953118.html"
        status, headers, body = _get(url)
        assert status == 200 and body and headers["ETag"].startswith('"')
        assert _get(url, **{"If-None-Match": headers["ETag"]})[:3:2] == (304, b"")
        assert _get(url, **{"If-None-Match": '"other"'})[0] == 200
        assert _get(url, **{"If-Modified-Since": headers["Last-Modified"]})[0] == 304
        assert _get(url, **{"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200


# --- end to end ----------------------------------------------------------------------------------


@pytest.fixture
def portal(tmp_path: Path) -> Path:
    copy = without_crawl_delay(ZJDAILY, tmp_path / "zjdaily")
    # A live site, crawled again and again: its server answers with today's Date, not the day
    # the saved copy was captured.
    (copy / ".headers.json").unlink()
    return copy


def _crawl(portal: Path, work: Path, *args: str) -> tuple[dict, list[dict]]:
    log = work / "access.jsonl"
    log.unlink(missing_ok=True)
    result = run_cli(
        "crawl", "zjdaily", "--replay", str(portal), "--db", str(work / "a.sqlite"), "--no-warc",
        "-s", f"NEWSCRAWLER_REPLAY_LOG={log}", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "DOWNLOAD_DELAY=0", "--log-level", "WARNING", *args,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(work / "a.sqlite") as db:
        stats = json.loads(db.execute("SELECT stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0])
    return stats, [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def test_second_crawl_fetches_listings_only_and_snapshots_rankings(portal: Path, tmp_path: Path) -> None:
    _crawl(portal, tmp_path)
    stats, requests = _crawl(portal, tmp_path)
    assert stats["newscrawler/incremental/skipped"] == ARTICLES
    assert not [r for r in requests if r["path"].startswith("/p/")]
    with sqlite3.connect(tmp_path / "a.sqlite") as db:
        # Every listing fetched in each run, each with its ranking box archived.
        per_run = db.execute(
            "SELECT c.run_id, count(DISTINCT c.id), count(DISTINCT r.capture_id) FROM captures c"
            " LEFT JOIN rankings r ON r.capture_id = c.id WHERE c.kind = 'listing' GROUP BY 1").fetchall()
        assert [listings == ranked for _, listings, ranked in per_run] == [True, True]
        assert per_run[0][1] == per_run[1][1] > 0
        assert db.execute("SELECT count(*) FROM captures WHERE run_id = 2 AND kind = 'article'").fetchone()[0] == 0


def test_revisits_are_conditional_and_catch_corrections(portal: Path, tmp_path: Path) -> None:
    _crawl(portal, tmp_path)
    corrected = portal / "p" / "2953118.html"
    text = corrected.read_text(encoding="utf-8")
    head, _, tail = text.partition('id="content">')
    corrected.write_text(head + 'id="content">' + tail.replace("</p>", "(更正)</p>", 1), encoding="utf-8")
    # Every archived article counts as recent and due: each is asked for conditionally.
    stats, requests = _crawl(portal, tmp_path, "-s", "NEWSCRAWLER_RECRAWL_MAX_AGE_DAYS=100000",
                             "-s", "NEWSCRAWLER_RECRAWL_INTERVAL_HOURS=0")
    articles = [r for r in requests if r["path"].startswith("/p/")]
    assert stats["newscrawler/incremental/revisited"] == ARTICLES == len(articles)
    assert stats["newscrawler/incremental/not_modified"] == ARTICLES - 1
    assert sorted(r["status"] for r in articles) == [200] + [304] * (ARTICLES - 1)
    with sqlite3.connect(tmp_path / "a.sqlite") as db:
        assert db.execute(
            "SELECT kind, status, outcome, count(*), count(version_id) FROM captures WHERE run_id = 2"
            " AND kind != 'listing' GROUP BY 1, 2, 3 ORDER BY 1").fetchall() == [
            ("article", 200, "changed", 1, 1), ("not-modified", 304, "unchanged", ARTICLES - 1, ARTICLES - 1)]
        # The 304s moved last_seen: every article was seen in the second run.
        second_start = db.execute("SELECT started_at FROM runs WHERE id = 2").fetchone()[0]
        seen = db.execute(
            "SELECT count(*) FROM articles WHERE last_seen >= ?", (second_start,)
        ).fetchone()[0]
        assert seen == ARTICLES
    # The default policy: the fixture stories are years old, so none is fetched again.
    stats, requests = _crawl(portal, tmp_path)
    assert stats["newscrawler/incremental/skipped"] == ARTICLES
    stats, _ = _crawl(portal, tmp_path, "--recrawl", "all")
    assert stats["newscrawler/incremental/not_modified"] == ARTICLES


def test_settings_and_options_are_documented() -> None:
    doc = (ROOT / "docs" / "incremental.md").read_text(encoding="utf-8")
    settings = (ROOT / "newscrawler" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r"^(NEWSCRAWLER_RECRAWL\w*) =", settings, re.MULTILINE))
    assert names == {"NEWSCRAWLER_RECRAWL", "NEWSCRAWLER_RECRAWL_MAX_AGE_DAYS", "NEWSCRAWLER_RECRAWL_INTERVAL_HOURS",
                     "NEWSCRAWLER_RECRAWL_UNLISTED", "NEWSCRAWLER_RECRAWL_WATCH"}
    for name in [*names, "--recrawl", "--job-dir", "--replay", "-n", "newscrawler/incremental/skipped",
                 "newscrawler/incremental/revisited", "newscrawler/incremental/not_modified",
                 "newscrawler/incremental/unlisted"]:
        assert name in doc, name


def test_warc_replay_answers_with_the_full_capture_not_a_later_304() -> None:
    from newscrawler.warc.index import CaptureIndex, Entry, surt

    def entry(timestamp: str, status: str) -> Entry:
        return Entry(key=surt(URL), timestamp=timestamp, url=URL, mime="text/html", status=status,
                     digest="X", length=1, offset=int(timestamp[-2:]), filename="a.warc.gz",
                     path=Path("a.warc.gz"))

    index = CaptureIndex([entry("20240630000001", "200"), entry("20240701000002", "304")])
    chosen = index.latest(URL)
    assert chosen is not None and chosen.status == "200"
