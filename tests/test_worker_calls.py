"""The crawl worker's calls run in this process (they are plain functions): a record it keeps
reaches the archive as the crawl's side left it. Outlinks found in a page's bytes (``page_outlinks``)
are those found through its response."""

from __future__ import annotations

import copy
import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse
from support import ZJDAILY

from archive import Archive
from newscrawler import worker_process as worker
from newscrawler.extract import validate
from newscrawler.portals import never_shown
from newscrawler.warc import capture
from newscrawler.warc.capture import outlink_values, outlinks, page_outlinks

ARTICLE = ZJDAILY / "p" / "2953118.html"
URL = "https://www.gdzjdaily.com.cn/p/2953118.html"
FETCHED = datetime(2024, 6, 30, 10, 0, tzinfo=timezone.utc).isoformat()
HEADERS = {"Content-Type": "text/html; charset=utf-8"}


@pytest.mark.parametrize("body", [
    ARTICLE.read_bytes(),
    # A <base> element: links are joined to it, as the response's urljoin does.
    ARTICLE.read_bytes().replace(b"<head>", b'<head><base href="https://cdn.example.com/x/">', 1),
    # Relative, protocol-relative, entity-escaped and non-links.
    b'<a href="a.html">a</a><a href="//m.example.com/b">b</a><img src="/i.png">'
    b'<a href="/q?x=1&amp;y=2">q</a><a href="#top">t</a><a href="javascript:void(0)">j</a>',
])
def test_outlinks_from_the_page_bytes_are_the_responses(body: bytes) -> None:
    response = HtmlResponse(URL, body=body, encoding="utf-8")
    assert page_outlinks(URL, body, "utf-8") == outlinks(response)
    assert outlink_values(outlinks(response))  # every case has some


def test_outlinks_remembered_from_other_pages_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Absolute links are remembered across pages (``_PAGE_FREE``): a page scanned with them
    remembered, from pages of other sites and encodings, gives what it gives scanned first."""
    monkeypatch.setattr(capture, "_PAGE_FREE", {})
    pages = [
        (URL, ARTICLE.read_bytes(), "utf-8"),
        ("https://m.gdzjdaily.com.cn/p/1.html",
         ARTICLE.read_bytes().replace(b"<head>", b'<head><base href="https://cdn.example.com/">', 1),
         "utf-8"),
        ("http://x.cn/a/b.html", '<a href="http://x.cn/新">n</a><a href="javascript:;">j</a>'
         '<a href="HTTP://X.CN/">h</a><A HREF="http://x.cn/">u</A><img src="http://x.cn/">'
         '<a href="http://x.cn/?a=1&amp;b=2">e</a><a href=" #top ">t</a>'.encode("gbk"), "gbk"),
    ]
    first = [page_outlinks(url, body, encoding) for url, body, encoding in pages]
    assert capture._PAGE_FREE
    again = [page_outlinks(url, body, encoding) for url, body, encoding in reversed(pages)]
    assert again[::-1] == first
    monkeypatch.setattr(capture, "_PAGE_FREE", {})
    assert [page_outlinks(url, body, encoding) for url, body, encoding in pages] == first


def test_a_kept_record_is_archived_with_the_warnings_validation_added(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    archive = Archive.open(path)
    run_id = archive.start_run("zjdaily", {})
    archive.close()
    body = ARTICLE.read_bytes()
    worker._archive_open(str(path), 16, 24)
    try:
        _, _, record = worker._extract(URL, body, HEADERS, FETCHED, "zjdaily", True, 7)
        assert record is not None and 7 in worker._kept()
        # The crawl's side validates its own copy (a pickled one, in a real crawl), whose
        # warnings reach the archive with the reference to the worker's.
        built = list(record["warnings"])
        crawl_side = copy.deepcopy(record)
        validate(crawl_side, never_shown("zjdaily"))
        crawl_side["warnings"].append("missing:editors")  # one the worker's copy lacks
        capture: dict[str, Any] = {"url": URL, "fetched_at": FETCHED, "status": 200,
                                   "headers": HEADERS, "body": body, "kind": "article",
                                   "redirects": []}
        kept = worker.KeptRecord(7, tuple(crawl_side["warnings"]))
        assert worker._archive_add(run_id, [(capture, kept, None)]) == ["new"]
        assert 7 not in worker._kept()
    finally:
        worker._archive_close()
    with sqlite3.connect(path) as conn:
        warnings = conn.execute("SELECT warnings FROM captures").fetchone()[0]
    assert json.loads(warnings) == crawl_side["warnings"] != built


def test_a_dropped_record_is_forgotten(tmp_path: Path) -> None:
    body = ARTICLE.read_bytes()
    worker._extract(URL, body, HEADERS, FETCHED, "zjdaily", True, 8)
    worker._forget_records([8])
    assert 8 not in worker._kept()
