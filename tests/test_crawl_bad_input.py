"""Bad input during a crawl: each problem is recorded (a warning, a stat, a capture), the crawl
carries on, and nothing already archived is lost."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from support import ZJDAILY, run_cli, without_crawl_delay

from newscrawler.extract.record import check_record

EXTRA = {
    "9000001": "no headline",
    "9000002": "truncated",
    "9000003": "huge",
    "9000004": "missing (404)",
}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("bad")
    portal = without_crawl_delay(ZJDAILY, tmp / "zjdaily")
    template = (portal / "p" / "2953124.html").read_text(encoding="utf-8")
    # A page with no headline anywhere (its heading and its <title> gone, so the generic extractor
    # has none to fall back on either): no record, but the page is still captured.
    (portal / "p" / "9000001.html").write_text(
        re.sub(r"<title>.*?</title>", "<title></title>",
               re.sub(r"<h1 class=\"article-title\">.*?</h1>", "", template, flags=re.S), flags=re.S),
        encoding="utf-8",
    )
    # A page cut off in the middle of a multi-byte character, as a dropped connection leaves it.
    encoded = template.encode("utf-8")
    cut = encoded.index("会议指出".encode()) + 4
    (portal / "p" / "9000002.html").write_bytes(encoded[:cut])
    # A page over the size limit.
    (portal / "p" / "9000003.html").write_bytes(encoded + b"<!--" + b"x" * 300_000 + b"-->")
    listing = portal / "zjxw" / "index.html"
    links = "".join(
        f'<li><a href="https://www.gdzjdaily.com.cn/p/{article_id}.html">{label}</a>'
        f'<span class="date">2022-04-20 09:00</span></li>'
        for article_id, label in EXTRA.items()
    )
    listing.write_text(
        listing.read_text(encoding="utf-8").replace('<ul class="news-list">', f'<ul class="news-list">{links}', 1),
        encoding="utf-8",
    )
    db, output = tmp / "archive.sqlite", tmp / "records.jsonl"
    result = run_cli(
        "crawl", "zjdaily", "--replay", str(portal), "--db", str(db), "-o", str(output), "--no-warc",
        "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "DOWNLOAD_MAXSIZE=200000",
    )
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    connection = sqlite3.connect(db)
    captures = {
        url: (status, outcome)
        for url, status, outcome in connection.execute("SELECT url, status, outcome FROM captures")
    }
    connection.close()
    return {"result": result, "records": records, "captures": captures}


def _url(article_id: str) -> str:
    return f"https://www.gdzjdaily.com.cn/p/{article_id}.html"


def test_the_crawl_finishes_and_reports(crawl: dict) -> None:
    result = crawl["result"]
    assert result.returncode == 0, result.stderr[-2000:]
    assert "crawl of zjdaily: finished" in result.stdout
    assert "Traceback" not in result.stderr


def test_every_good_article_is_archived(crawl: dict) -> None:
    good = {r["canonical_url"] for r in crawl["records"]}
    expected = {_url(path.stem.split(".")[0]) for path in (ZJDAILY / "p").glob("*.expected.json")}
    assert expected <= good
    for record in crawl["records"]:
        check_record(record)


def test_a_page_without_headline_is_captured_and_counted(crawl: dict) -> None:
    assert crawl["captures"][_url("9000001")] == (200, "captured")
    assert _url("9000001") not in {r["canonical_url"] for r in crawl["records"]}
    assert "pages without a record: 1" in crawl["result"].stdout


def test_a_truncated_page_keeps_what_arrived_with_a_warning(crawl: dict) -> None:
    record = next(r for r in crawl["records"] if r["canonical_url"] == _url("9000002"))
    assert record["headline"] == "徐闻奋力推进文明城市卫生县城创建"
    assert any(w.startswith("charset_") for w in record["warnings"]), record["warnings"]
    assert all("\ufffd" not in p for p in record["paragraphs"])


def test_http_errors_are_captured(crawl: dict) -> None:
    assert crawl["captures"][_url("9000004")][0] == 404


def test_a_page_over_the_size_limit_is_refused(crawl: dict) -> None:
    assert _url("9000003") not in crawl["captures"]
    assert "larger than download max size" in crawl["result"].stderr
