"""Pages nested as deep as the parser follows them (``page.MAX_DEPTH``, 2048 levels) extract like any
other page, by a profile with its fallback to the generic extractor and by the generic extractor
alone; past that depth the record says ``html_too_deep``. The element walks read with their own
stack: Python's recursion limit (1000) is below the parser's.

The article page is of our own writing, in the layout of the zjdaily profile, with a body
paragraph written as a ``<div>`` so that the profile's reading falls back to the generic one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support import FIXTURES, run_cli, without_crawl_delay

from archive import Archive
from newscrawler.cli import cli
from newscrawler.extract.page import MAX_DEPTH

ARTICLE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>湛江港新航線開通_湛江云媒</title>
<link rel="canonical" href="https://www.gdzjdaily.com.cn/p/9100001.html"></head>
<body class="page-article">
<div class="header"><a href="/">首頁</a> <a href="/zjxw/">湛江新聞</a></div>
<div class="main">
<div class="article">
<h1 class="article-title">湛江港新航線開通</h1>
<div class="article-info"><span class="time">2024-05-06 09:30</span> 來源：湛江日報 記者 林海燕</div>
<div class="article-content" id="content">
<p>湛江港昨日開通一條通往東南亞的集裝箱航線，每周往返一班，首航船舶載貨一千二百標箱。</p>
<p>港口負責人介紹，新航線將縮短本地企業的出口運輸時間，預計每年可增加貨運量三萬標箱。</p>
<div>據了解，今年以來湛江港已新開航線五條，貨物吞吐量同比增長百分之八，外貿業務持續向好。</div>
</div>
<div class="article-editor">編輯：周明</div>
</div>
</div>
<div class="footer">湛江日報社 版權所有</div>
</body></html>
"""
BODY = '<body class="page-article">'
FETCHED_AT = "2024-05-06T03:00:00Z"
# Nesting below the parser's limit and above Python's recursion limit.
BELOW_LIMIT = 1500
PORTALS = [None, "generic"]  # the profile the URL picks (with its fallback), the generic extractor


def _around_body(levels: int) -> str:
    """The article with the whole body nested ``levels`` <div>s deeper."""
    return ARTICLE.replace(BODY, BODY + "<div>" * levels).replace("</body>", "</div>" * levels + "</body>")


def _around(html: str, marker: str, end: str, levels: int) -> str:
    """``html`` with the markup from ``marker`` to ``end`` (included) nested ``levels`` <div>s deeper."""
    start = html.index(marker)
    stop = html.index(end, start) + len(end)
    return html[:start] + "<div>" * levels + html[start:stop] + "</div>" * levels + html[stop:]


def _extract(tmp_path: Path, html: str, portal: str | None, name: str = "page.html") -> dict[str, Any]:
    page = tmp_path / name
    page.write_text(html, encoding="utf-8")
    args = ["extract", "--fetched-at", FETCHED_AT, *(["--portal", portal] if portal else []), str(page)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    record: dict[str, Any] = json.loads(result.stdout)
    return record


@pytest.mark.parametrize("portal", PORTALS)
def test_the_plain_page_reads_fully(tmp_path: Path, portal: str | None) -> None:
    record = _extract(tmp_path, ARTICLE, portal)
    assert record["headline"] == "湛江港新航線開通"
    assert len(record["paragraphs"]) == 3 and record["paragraphs"][2].startswith("據了解")
    assert record["published_at"] == "2024-05-06T09:30:00+08:00"
    assert record["reporters"] == [{"role": "記者", "name": "林海燕"}]
    if portal is None:
        # The profile missed the <div> paragraph: the generic extractor ran and supplied it.
        assert record["extractor"] == "zjdaily@1+generic"
        assert record["warnings"] == ["fallback:paragraphs"]


@pytest.mark.parametrize("portal", PORTALS)
def test_a_body_nested_below_the_parsers_limit_reads_as_the_plain_page(tmp_path: Path, portal: str | None) -> None:
    assert 1000 < BELOW_LIMIT < MAX_DEPTH - 10
    assert _extract(tmp_path, _around_body(BELOW_LIMIT), portal) == _extract(tmp_path, ARTICLE, portal)


@pytest.mark.parametrize("portal", PORTALS)
def test_a_paragraph_nested_below_the_parsers_limit_is_read(tmp_path: Path, portal: str | None) -> None:
    # The first paragraph deep inside the body container: the profile's missed-text check walks
    # down to it, the generic extractor reads its lines.
    html = _around(ARTICLE, "<p>湛江港昨日", "</p>", BELOW_LIMIT)
    assert _extract(tmp_path, html, portal) == _extract(tmp_path, ARTICLE, portal)


@pytest.mark.parametrize("portal", PORTALS)
def test_nesting_past_the_parsers_limit_says_html_too_deep(tmp_path: Path, portal: str | None) -> None:
    # The footer, after the article, nested past the limit: the parser stops there, the article
    # before it is read, and the record says why the rest of the page is missing.
    html = _around(ARTICLE, '<div class="footer">', "</div>", MAX_DEPTH + 100)
    plain = _extract(tmp_path, ARTICLE, portal)
    record = _extract(tmp_path, html, portal)
    assert record["warnings"] == [f"html_too_deep:depth>{MAX_DEPTH}", *plain["warnings"]]
    assert {**record, "warnings": None} == {**plain, "warnings": None}


@pytest.mark.parametrize("portal", PORTALS)
@pytest.mark.parametrize("levels", [900, 2000])
def test_page_metadata_nested_deep_is_no_failure(tmp_path: Path, portal: str | None, levels: int) -> None:
    # A JSON-LD author nested deep: read with a stack up to the depth the JSON decoder follows,
    # skipped as a broken block past it. Either way the page is read.
    block = '{"@context": "https://schema.org", "@type": "NewsArticle", "author": ' + _nested_json(levels) + "}"
    html = ARTICLE.replace("</head>", f'<script type="application/ld+json">{block}</script></head>')
    record, plain = _extract(tmp_path, html, portal), _extract(tmp_path, ARTICLE, portal)
    assert (record["headline"], record["paragraphs"]) == (plain["headline"], plain["paragraphs"])


def _nested_json(levels: int) -> str:
    """``{"name": {"name": … "林海燕" …}}``, ``levels`` objects deep (json.dumps would recurse)."""
    return '{"name": ' * levels + '"林海燕"' + "}" * levels


def test_a_crawl_reads_a_page_nested_below_the_parsers_limit(tmp_path: Path) -> None:
    # A replayed copy of the drift portal (pages its profile partly misses, so the generic
    # extractor runs) with one article's body nested deep: the page gets its record like the
    # others, and re-extraction over the archive reads it too.
    site = without_crawl_delay(FIXTURES / "zjdaily-drift", tmp_path / "site")
    page = site / "p" / "3500102.html"
    html = page.read_text(encoding="utf-8")
    assert html.count(BODY) == 1
    page.write_text(html.replace(BODY, BODY + "<div>" * BELOW_LIMIT)
                    .replace("</body>", "</div>" * BELOW_LIMIT + "</body>"), encoding="utf-8")
    db = tmp_path / "archive.sqlite"
    crawl = run_cli("crawl", "zjdaily", "--replay", str(site), "--db", str(db), "--log-level", "WARNING",
                    "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", timeout=120)
    assert "extraction errors: 0" in crawl.stdout and "pages without a record: 0" in crawl.stdout, crawl.stdout
    expected = json.loads(page.with_suffix(".expected.json").read_text(encoding="utf-8"))["record"]
    with Archive.open(db, create=False) as archive:
        found = archive.article(expected["url"])
    assert found is not None
    for name in ("headline", "published_at", "reporters", "editors", "paragraphs", "extractor", "warnings"):
        assert found["record"][name] == expected[name], name
    reparse = run_cli("reparse", "--db", str(db), "--jobs", "2")
    assert reparse.returncode == 0, reparse.stdout + reparse.stderr[-3000:]
    assert " 0 unreadable, 0 failed to extract;" in reparse.stdout


@pytest.mark.parametrize("portal", PORTALS)
def test_a_body_past_the_parsers_limit_is_no_record_and_says_why(tmp_path: Path, portal: str | None) -> None:
    # The whole body nested past the limit: the parser never reaches the text, and the error
    # names the depth as the reason rather than leaving a bare "no_body".
    page = tmp_path / "deep.html"
    page.write_text(_around_body(MAX_DEPTH + 100), encoding="utf-8")
    args = ["extract", "--fetched-at", FETCHED_AT, *(["--portal", portal] if portal else []), str(page)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1].endswith(
        "(the page nests elements deeper than the HTML parser follows; it reads no further than that)")
    assert "no_" in result.stderr.splitlines()[-1]


def test_a_crawl_logs_why_a_page_nested_past_the_limit_has_no_record(tmp_path: Path) -> None:
    site = without_crawl_delay(FIXTURES / "zjdaily-drift", tmp_path / "site")
    page = site / "p" / "3500102.html"
    html = page.read_text(encoding="utf-8")
    levels = MAX_DEPTH + 100
    page.write_text(html.replace(BODY, BODY + "<div>" * levels)
                    .replace("</body>", "</div>" * levels + "</body>"), encoding="utf-8")
    db = tmp_path / "archive.sqlite"
    crawl = run_cli("crawl", "zjdaily", "--replay", str(site), "--db", str(db), "--log-level", "WARNING",
                    "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", timeout=120)
    assert "pages without a record: 1" in crawl.stdout, crawl.stdout
    logged = [line for line in crawl.stderr.splitlines() if "No record for" in line]
    assert logged, crawl.stderr[-3000:]  # the log line, and its repeat in the closing summary
    for line in logged:
        assert "/p/3500102.html: no_" in line
        assert line.endswith(
            "(the page nests elements deeper than the HTML parser follows; it reads no further than that)")
