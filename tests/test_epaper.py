"""The 湛江日报 e-paper end to end: a date-range crawl of the reconstructed Founder edition site.

The fixtures hold the editions of 2022-04-18 and 2022-04-19 of both papers (湛江日报 in GB2312,
湛江晚报 in UTF-8), two pages each; 2022-04-17 has no edition (404). The crawl runs the real
engine over loopback on a copy whose robots.txt has no Crawl-delay, so it takes seconds.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from support import FIXTURES, run_cli, without_crawl_delay

from newscrawler.extract import extract
from newscrawler.extract.record import check_record
from newscrawler.portals import get

EPAPER = FIXTURES / "zjdaily-epaper"
HOST = "https://szb.gdzjdaily.com.cn"


@pytest.fixture(scope="module")
def fast_epaper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return without_crawl_delay(EPAPER, tmp_path_factory.mktemp("epaper") / "zjdaily-epaper")


def _crawl(site: Path, tmp: Path, *args: str) -> dict[str, Any]:
    output, log, db = tmp / "records.jsonl", tmp / "access.jsonl", tmp / "archive.sqlite"
    result = run_cli(
        "crawl", "zjdaily-epaper", "--replay", str(site), "-o", str(output), "--db", str(db),
        "-s", f"NEWSCRAWLER_REPLAY_LOG={log}", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "DOWNLOAD_DELAY=0", *args,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()] if output.exists() else []
    requests = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    with sqlite3.connect(db) as conn:
        stats = json.loads(conn.execute("SELECT stats FROM runs").fetchone()[0])
        captures = conn.execute("SELECT url, status, kind FROM captures").fetchall()
    return {"records": records, "requests": requests, "stats": stats, "captures": captures,
            "stderr": result.stderr, "stdout": result.stdout, "db": db}


@pytest.fixture(scope="module")
def crawl(fast_epaper: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _crawl(fast_epaper, tmp_path_factory.mktemp("crawl"), "--from", "2022-04-17", "--to", "2022-04-19")


def _fixture_articles() -> dict[str, Path]:
    return {f"{HOST}/{path.relative_to(EPAPER).as_posix()}": path for path in EPAPER.rglob("content_*.htm")}


def test_start_pages_are_the_front_pages_of_each_day() -> None:
    urls = get("zjdaily-epaper").start_urls_for(date_from="2022-04-18", date_to="2022-04-19", max_articles=3)
    assert urls == (
        f"{HOST}/zjrb/html/2022-04/18/node_2.htm", f"{HOST}/zjwb/html/2022-04/18/node_2.htm",
        f"{HOST}/zjrb/html/2022-04/19/node_2.htm", f"{HOST}/zjwb/html/2022-04/19/node_2.htm",
    )


def test_every_article_of_the_range_archived_once_with_paper_date_and_page(crawl: dict[str, Any]) -> None:
    by_url = Counter(record["canonical_url"] for record in crawl["records"])
    assert set(by_url) == set(_fixture_articles())
    assert set(by_url.values()) == {1}
    where = Counter((r["paper"], r["edition_date"], r["page"]) for r in crawl["records"])
    assert where == {
        ("湛江日报", "2022-04-18", "A01版：要闻"): 3, ("湛江日报", "2022-04-18", "A02版：综合"): 2,
        ("湛江日报", "2022-04-19", "A01版：要闻"): 3, ("湛江日报", "2022-04-19", "A02版：综合"): 2,
        ("湛江晚报", "2022-04-18", "01版：头版"): 2, ("湛江晚报", "2022-04-18", "02版：城事"): 2,
        ("湛江晚报", "2022-04-19", "01版：头版"): 2, ("湛江晚报", "2022-04-19", "02版：城事"): 2,
    }
    article_captures = [c for c in crawl["captures"] if c[2] == "article"]
    assert sorted(c[0] for c in article_captures) == sorted(_fixture_articles())


def test_records_match_the_extraction_function(crawl: dict[str, Any]) -> None:
    articles = _fixture_articles()
    for record in crawl["records"]:
        check_record(record)
        again = extract(record["url"], articles[record["url"]].read_bytes(), {},
                        datetime.fromisoformat(record["fetched_at"]))
        assert record == again
    encodings = {r["paper"]: r["encoding"] for r in crawl["records"]}
    assert encodings == {"湛江日报": "gb18030", "湛江晚报": "utf-8"}


def test_missing_edition_recorded_not_an_error(crawl: dict[str, Any]) -> None:
    missing = {f"{HOST}/{paper}/html/2022-04/17/node_2.htm" for paper in ("zjrb", "zjwb")}
    assert crawl["stats"]["newscrawler/spider/missing_edition"] == 2
    assert not [k for k in crawl["stats"] if k.startswith("newscrawler/spider/http_status/")]
    assert {(url, status) for url, status, _ in crawl["captures"] if status == 404} == {(u, 404) for u in missing}
    for line in crawl["stderr"].splitlines():
        if "WARNING" in line or "ERROR" in line:
            assert "2022-04/17" not in line, line


def test_both_pages_of_each_edition_followed_nothing_else(crawl: dict[str, Any]) -> None:
    paths = Counter(r["path"] for r in crawl["requests"])
    nodes = {p for p in paths if "/node_" in p}
    assert nodes == {
        f"/{paper}/html/2022-04/{day}/node_{n}.htm"
        for paper in ("zjrb", "zjwb") for day in ("17", "18", "19") for n in (2, 3)
        if day != "17" or n == 2
    }
    # Calendar, PDF, image and home-page links are not followed.
    assert all(p.endswith(".htm") or p == "/robots.txt" for p in paths), paths


def test_links_to_other_days_are_not_followed(fast_epaper: Path, tmp_path: Path) -> None:
    # The 19th's pages link to the 18th (上一期); a crawl of the 19th alone stays on the 19th.
    crawl = _crawl(fast_epaper, tmp_path, "--from", "2022-04-19", "--to", "2022-04-19")
    days = {r["edition_date"] for r in crawl["records"]}
    assert days == {"2022-04-19"}
    assert not [r for r in crawl["requests"] if "/2022-04/18/" in r["path"]]
    assert len(crawl["records"]) == 9


def test_summary_names_the_missing_editions(crawl: dict[str, Any]) -> None:
    line = "  missing editions (edition page answered 404): 2022-04-17 (湛江日报, 湛江晚报)"
    assert line in crawl["stdout"].splitlines()


def test_fields_the_e_paper_never_shows_are_not_missing(crawl: dict[str, Any]) -> None:
    assert get("zjdaily-epaper").never_shown == ("source", "editors")
    for record in crawl["records"]:
        assert record["source"] is None and record["editors"] == []
        assert not {"missing:source", "missing:editors"} & set(record["warnings"]), record["warnings"]
    assert not [k for k in crawl["stats"] if k in ("newscrawler/validate/missing/source",
                                                   "newscrawler/validate/missing/editors")]
    # Coverage has no share for them (a share of 0 would flag every run), the others keep theirs.
    coverage = {k.rsplit("/", 1)[1] for k in crawl["stats"] if k.startswith("newscrawler/report/coverage/")}
    assert coverage == {"published_at", "reporters"}
    lines = crawl["stdout"].splitlines()
    assert "  fields zjdaily-epaper never shows (not counted missing): editors, source" in lines
    assert not [line for line in lines if line.startswith("  missing fields:")
                and ("source" in line or "editors" in line)]


def test_the_archive_stats_say_which_fields_the_e_paper_never_shows(crawl: dict[str, Any]) -> None:
    # The run records the portal's never-shown fields, so the archive (which knows no portal
    # profiles) reports them as not shown rather than as a coverage of 0.
    with sqlite3.connect(crawl["db"]) as conn:
        assert conn.execute("SELECT portal, never_shown FROM runs").fetchall() == [
            ("zjdaily-epaper", '["editors", "source"]')]
    result = run_cli("stats", "--db", str(crawl["db"]), "--format", "json")
    assert result.returncode == 0, result.stderr
    articles = len(crawl["records"])
    dated = sum(1 for r in crawl["records"] if r["published_at"]) / articles
    with_reporters = sum(1 for r in crawl["records"] if r["reporters"]) / articles
    assert json.loads(result.stdout)["coverage"] == [{
        "portal": "zjdaily-epaper", "articles": articles, "with_time": round(dated, 3),
        "with_source": None, "with_reporters": round(with_reporters, 3), "with_editor": None,
        "never_shown": ["editors", "source"]}]
    table = run_cli("stats", "--db", str(crawl["db"])).stdout.splitlines()
    row = next(line for line in table if line.startswith("zjdaily-epaper ") and "not shown" in line)
    cells = row.split()
    assert cells[:2] == ["zjdaily-epaper", str(articles)] and cells[3:5] == cells[6:] == ["not", "shown"]
    assert (float(cells[2]), float(cells[5])) == (round(dated, 3), round(with_reporters, 3))
