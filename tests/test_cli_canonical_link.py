"""`newscrawler extract FILE` without --url: the page's URL is its canonical link, read from the
parsed document as extraction reads the page (its encoding, the parser's attribute values, no
comments), so that the portal profile owning the URL reads the page.

Each page is the zjdaily fixture page with one change made here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from newscrawler.cli import cli

FIXTURE = Path(__file__).parent.parent / "fixtures" / "zjdaily" / "p" / "2953118.html"
URL = "https://www.gdzjdaily.com.cn/p/2953118.html"
LINK = f'<link rel="canonical" href="{URL}">'
HEADLINE = "徐聞奮力推進文明城市衛生縣城創建"


def _page() -> str:
    text = FIXTURE.read_text(encoding="utf-8")
    assert text.count(LINK) == 1
    return text


def _extract(path: Path) -> tuple[int, dict[str, Any] | None, str]:
    result = CliRunner().invoke(cli, ["extract", str(path)])
    return result.exit_code, json.loads(result.stdout) if result.stdout else None, result.stderr


def _read(tmp_path: Path, body: bytes) -> dict[str, Any]:
    page = tmp_path / "page.html"
    page.write_bytes(body)
    code, record, err = _extract(page)
    assert code == 0, err
    assert record is not None
    assert record["headline"] == HEADLINE
    return record


@pytest.mark.parametrize(("bom", "codec"), [
    (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
])
def test_a_page_saved_in_a_unicode_encoding_with_a_bom(tmp_path: Path, bom: bytes, codec: str) -> None:
    record = _read(tmp_path, bom + _page().encode(codec))
    assert (record["url"], record["canonical_url"]) == (URL, URL)
    assert (record["portal"], record["extractor"]) == ("zjdaily", "zjdaily@1")
    assert "no_url" not in record["warnings"]


@pytest.mark.parametrize("link", [
    f'<link href="{URL}" rel="canonical">',
    f'<LINK REL="Canonical" HREF="{URL}">',
    f"<link rel='canonical nofollow' href='{URL}' />",
    f'<link\n  rel="canonical"\n  href=" {URL} ">',
])
def test_a_canonical_link_written_any_way_html_allows(tmp_path: Path, link: str) -> None:
    record = _read(tmp_path, _page().replace(LINK, link).encode("utf-8"))
    assert (record["url"], record["extractor"]) == (URL, "zjdaily@1")


def test_entities_in_the_link_are_decoded(tmp_path: Path) -> None:
    link = '<link rel="canonical" href="https://www.gdzjdaily.com.cn/show.php?id=2953118&amp;page=1">'
    record = _read(tmp_path, _page().replace(LINK, link).encode("utf-8"))
    assert record["url"] == "https://www.gdzjdaily.com.cn/show.php?id=2953118&page=1"
    assert record["extractor"] == "zjdaily@1"


def test_a_link_with_chinese_characters_is_percent_encoded_as_a_crawl_stores_it(tmp_path: Path) -> None:
    link = '<link rel="canonical" href="https://www.gdzjdaily.com.cn/p/徐闻2953118.html">'
    record = _read(tmp_path, _page().replace(LINK, link).encode("utf-8"))
    # The URL Scrapy requests (and a crawl archives) for that href: UTF-8, percent-encoded.
    assert record["url"] == "https://www.gdzjdaily.com.cn/p/%E5%BE%90%E9%97%BB2953118.html"
    assert record["extractor"] == "zjdaily@1"


def test_a_commented_out_link_is_no_link(tmp_path: Path) -> None:
    commented = '<!-- <link rel="canonical" href="https://evil.example/x.html"> -->\n'
    record = _read(tmp_path, _page().replace(LINK, commented + LINK).encode("utf-8"))
    assert (record["url"], record["extractor"]) == (URL, "zjdaily@1")

    record = _read(tmp_path, _page().replace(LINK, commented).encode("utf-8"))
    assert (record["url"], record["extractor"]) == (None, "generic@2")


def test_og_url_when_there_is_no_canonical_link(tmp_path: Path) -> None:
    record = _read(tmp_path, _page().replace(LINK, f'<meta property="og:url" content="{URL}">').encode("utf-8"))
    assert (record["url"], record["extractor"]) == (URL, "zjdaily@1")


def test_a_relative_canonical_link_is_an_error_for_that_page(tmp_path: Path) -> None:
    # Nothing to resolve it against: the page's URL has to be given.
    page = tmp_path / "page.html"
    page.write_text(_page().replace(LINK, '<link rel="canonical" href="/p/2953118.html">'), encoding="utf-8")
    code, record, err = _extract(page)
    assert (code, record) == (1, None)
    assert f"error: {page}: the page's canonical link '/p/2953118.html' is not an http:// or https:// URL" in err
    assert err.rstrip().endswith("give --url")


def test_a_page_without_a_canonical_link_has_no_url(tmp_path: Path) -> None:
    record = _read(tmp_path, _page().replace(LINK, "").encode("utf-8"))
    assert (record["url"], record["canonical_url"], record["article_id"]) == (None, None, None)
    assert (record["portal"], record["extractor"]) == ("generic", "generic@2")
    assert "no_url" in record["warnings"]


def test_the_generic_extractor_reads_the_same_link(tmp_path: Path) -> None:
    """A page no profile owns, fetched from a share URL: its canonical_url is its own link, found
    by the one reading the command uses (rel as a token list, in any case)."""
    page = tmp_path / "page.html"
    page.write_text(
        '<html><head><meta charset="utf-8"><title>东港社区开办长者饭堂</title>'
        '<link rel="Canonical nofollow" href="https://www.donggang.example/sq/101.html"></head>'
        "<body><h1>东港社区开办长者饭堂</h1><div class=\"content\">"
        "<p>东港社区长者饭堂昨日开门迎客，七十岁以上的居民凭卡就餐，每餐只需八元。</p>"
        "<p>饭堂由社区服务中心改建而成，可同时容纳六十人用餐，菜单每周更换一次。</p>"
        "<p>社区负责人表示，下一步将为行动不便的老人提供送餐上门服务，首批已有四十多户登记。</p>"
        "</div></body></html>", encoding="utf-8")
    for args in ([], ["--url", "https://www.donggang.example/sq/101.html?from=share"]):
        result = CliRunner().invoke(cli, ["extract", str(page), *args])
        assert result.exit_code == 0, result.stderr
        record = json.loads(result.stdout)
        assert record["canonical_url"] == "https://www.donggang.example/sq/101.html"
        assert record["extractor"] == "generic@2"
