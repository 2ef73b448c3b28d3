"""Profiles degrade, they never drop: what a profile's selectors miss, the generic extractor reads.

The drift fixtures (``fixtures/zjdaily-drift``, ``fixtures/zjdaily-epaper-drift``) are pages of
both templates after realistic changes; ``test_fixtures.py`` compares every field of their records.
Here: each of them is complete and says what fell back; the fixture pages of both portals, with
their body container renamed or their last paragraph turned into a ``<div>``, keep their whole
body; clean pages never pay for the generic reading; advertising is no article image; and a crawl
over the drift site counts the fallbacks, reports them and flags the run.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler
from support import FIXTURES, load_case, run_cli

from archive import Archive
from newscrawler.extract import InvalidRecord, extract, generic, read_page
from newscrawler.extract.images import is_article_image
from newscrawler.extract.page import Page
from newscrawler.items import PageItem
from newscrawler.pipelines import ExtractionPipeline
from newscrawler.reports import EXIT_FLAGGED, fallback_rises, fallbacks, run_line

DRIFT = FIXTURES / "zjdaily-drift"
DRIFT_CASES = sorted(DRIFT.rglob("*.expected.json")) + sorted(
    (FIXTURES / "zjdaily-epaper-drift").rglob("*.expected.json"))
PROFILE_CASES = sorted((FIXTURES / "zjdaily").rglob("*.expected.json")) + sorted(
    (FIXTURES / "zjdaily-epaper").rglob("*.expected.json"))
# What each drift page changed, and so what its record must say fell back.
FELL_BACK = {
    "3500101": ["fallback:paragraphs", "fallback:images"],  # body container renamed
    "3500102": ["fallback:paragraphs"],  # <div> paragraphs
    "3500103": ["fallback:paragraphs"],  # <p> then <div> paragraphs
    "3500104": ["fallback:published_at", "fallback:bylines"],  # meta line renamed
    "3500105": ["fallback:headline"],  # headline in a new box, extra wrappers
    "3500106": ["fallback:headline", "fallback:published_at", "fallback:bylines",
                "fallback:paragraphs", "fallback:images"],  # a new template
    "3500107": ["fallback:credits"],  # closing credit lines as <div> blocks
    "160301": ["fallback:paragraphs"],  # body box renamed
    "160302": ["fallback:bylines", "fallback:paragraphs"],  # byline class renamed, <p> then <div>
    "160303": ["fallback:headline"],  # headline moved
}


def _case(path: Path) -> dict[str, Any]:
    """An expected file with its page (``.html``, or ``.htm`` on the e-paper) and headers."""
    case = json.loads(path.read_text(encoding="utf-8"))
    stem = path.name.removesuffix(".expected.json")
    page = next(p for p in (path.with_name(stem + ".html"), path.with_name(stem + ".htm")) if p.exists())
    sidecar = page.with_name(page.name + ".headers.json")
    case["body"] = page.read_bytes()
    case["headers"] = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}
    case["fetched_at_dt"] = datetime.fromisoformat(case["fetched_at"])
    return case


def _extract(case: dict[str, Any], body: bytes | None = None) -> dict[str, Any]:
    return extract(case["url"], case["body"] if body is None else body, case["headers"], case["fetched_at_dt"])


def _id(path: Path) -> str:
    return re.sub(r"\D", "", path.name)


@pytest.mark.parametrize("path", DRIFT_CASES, ids=_id)
def test_drift_page_gives_a_complete_record_saying_what_fell_back(path: Path) -> None:
    record = _extract(_case(path))
    assert [w for w in record["warnings"] if w.startswith("fallback:")] == FELL_BACK[_id(path)]
    assert record["extractor"] == f"{record['portal']}@1+generic"
    for name in ("headline", "published_at", "reporters", "paragraphs"):
        assert record[name], name
    if record["portal"] == "zjdaily":
        assert record["source"] and record["editors"]


def test_mixed_paragraphs_are_read_in_document_order() -> None:
    record = _extract(_case(DRIFT / "p" / "3500103.expected.json"))
    assert [p[:6] for p in record["paragraphs"]] == ["连日来,在廉", "基地负责人介", "为保证种苗质", "近年来,廉江"]
    # The photo stays; the link-wrapped advertising banner and the tracking pixel do not.
    assert [image["url"] for image in record["images"]] == ["https://img.gdzjdaily.com.cn/2024/06/c83b2d7e44.jpg"]


def _renamed_container(case: dict[str, Any]) -> bytes:
    body = case["body"]
    old, new = ((b'id="ozoom"', b'id="zoom"') if case["record"]["portal"] == "zjdaily-epaper"
                else (b'id="content"', b'id="contentText"'))
    assert old in body
    return body.replace(old, new)


def _last_paragraph_as_div(case: dict[str, Any]) -> bytes:
    body = case["body"]
    if case["record"]["portal"] == "zjdaily-epaper":
        end = body.index(b"<!--/enpcontent-->")
    else:  # the end of the body container, which holds no other <div>
        end = body.index(b"</div>", body.index(b'id="content"'))
    start = body.rindex(b"<p>", 0, end)
    close = body.index(b"</p>", start)
    return body[:start] + b"<div>" + body[start + 3:close] + b"</div>" + body[close + 4:]


@pytest.mark.parametrize("path", PROFILE_CASES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_a_renamed_body_container_keeps_the_whole_body(path: Path) -> None:
    case = _case(path)
    record = _extract(case, _renamed_container(case))
    assert "fallback:paragraphs" in record["warnings"]
    assert record["paragraphs"] == case["record"]["paragraphs"]
    assert [i["url"] for i in record["images"]] == [i["url"] for i in case["record"]["images"]]


@pytest.mark.parametrize("path", PROFILE_CASES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_a_last_paragraph_written_as_a_div_is_not_lost(path: Path) -> None:
    case = _case(path)
    record = _extract(case, _last_paragraph_as_div(case))
    for name in ("headline", "published_at", "source", "reporters", "editors", "paragraphs"):
        assert record[name] == case["record"][name], name
    # A paragraph, or a credit line set as the last block (（来源：湛江日报）), fell back.
    assert {"fallback:paragraphs", "fallback:credits"} & set(record["warnings"])


def test_clean_pages_never_run_the_generic_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[str] = []
    original = generic.GenericLayout.read

    def counted(self: generic.GenericLayout) -> Any:
        read.append(self.page.url)
        return original(self)

    monkeypatch.setattr(generic.GenericLayout, "read", counted)
    for path in PROFILE_CASES:
        case = _case(path)
        _, context = read_page(case["url"], case["body"], case["headers"], case["fetched_at_dt"])
        assert not [w for w in context.warnings if w.startswith("fallback:")]
        assert context.extractor == f"{case['record']['portal']}@1"
    assert read == []
    case = _case(DRIFT_CASES[0])
    read_page(case["url"], case["body"], case["headers"], case["fetched_at_dt"])
    assert read == [case["url"]]  # once per page that needs it


def _pipeline_item(case: dict[str, Any], fallback: bool | None) -> tuple[PageItem, dict[str, Any]]:
    settings = {} if fallback is None else {"NEWSCRAWLER_FALLBACK": fallback}
    crawler = get_crawler(settings_dict=settings)
    crawler.stats.open_spider()
    item = PageItem(url=case["url"], status=200, headers=case["headers"], body=case["body"],
                    fetched_at=case["fetched_at"], kind="article", portal="zjdaily")
    ExtractionPipeline.from_crawler(crawler).process_item(item)
    return item, crawler.stats.get_stats()


def test_the_extraction_pipeline_counts_fallbacks_and_can_do_without() -> None:
    case = _case(DRIFT / "p" / "3500101.expected.json")
    item, stats = _pipeline_item(case, None)
    assert item.context.extractor == "zjdaily@1+generic"
    assert {k: v for k, v in stats.items() if k.startswith("newscrawler/extract/")} == {
        "newscrawler/extract/fallback/paragraphs": 1,
        "newscrawler/extract/fallback/images": 1,
        "newscrawler/extract/fallback/records": 1,
    }
    # Off: the profile's reading alone, which has no body on this page.
    item, stats = _pipeline_item(case, False)
    assert item.context.extractor == "zjdaily@1" and item.raw.paragraphs == []
    assert not [k for k in stats if k.startswith("newscrawler/extract/")]
    with pytest.raises(InvalidRecord, match="no_body"):
        extract(case["url"], case["body"], case["headers"], case["fetched_at_dt"], fallback=False)


def test_extract_command_without_fallback() -> None:
    page = DRIFT / "p" / "3500102.html"
    result = run_cli("extract", "--no-fallback", str(page))
    assert result.returncode == 1 and "no_body" in result.stderr
    result = run_cli("extract", str(page))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["warnings"] == ["fallback:paragraphs"]


@pytest.mark.parametrize(
    ("markup", "article"),
    [
        ('<p><img src="/2024/06/photo.jpg"></p>', True),
        ('<p><a href="/2024/06/photo-large.jpg"><img src="/2024/06/photo.jpg"></a></p>', True),
        ('<p><a href="https://shop.example.cn/sale"><img src="/2024/06/photo.jpg"></a></p>', False),
        ('<p><img src="/ad/2024/summer.jpg"></p>', False),
        ('<p><img src="/upload/ads/summer.jpg"></p>', False),
        ('<p><img src="/static/banner_0630.gif"></p>', False),
        ('<p><img src="/images/adv/shipping.gif"></p>', False),
        ('<div class="adv-box"><img src="/2024/06/photo.jpg"></div>', False),
        ('<div id="ad_slot"><img src="/2024/06/photo.jpg"></div>', False),
        ('<p><img src="/count/pixel.gif?id=1"></p>', False),
        ('<p><img src="/t/beacon.png"></p>', False),
        ('<p><img src="/2024/06/dot.gif" width="1" height="1"></p>', False),
        ('<p><img src="/2024/06/dot.gif" style="width:2px;height:2px"></p>', False),
        ('<p><img src="/2024/06/photo.jpg" width="640" height="427"></p>', True),
        ('<p><img src="/2024/06/loading.jpg" class="header"></p>', True),  # "ad" only inside a word
    ],
)
def test_is_article_image(markup: str, article: bool) -> None:
    page = Page(f"<html><body><div id='content'>{markup}</div></body></html>", "https://www.example.cn/a/1.html")
    img = page.css("img")[0]
    url = page.absolute(img.get("src"))
    assert url is not None
    assert is_article_image(img, url, page.url) is article


def test_reports_count_fallbacks_and_flag_a_rise() -> None:
    stats = {"newscrawler/validate/articles": 6, "newscrawler/extract/fallback/paragraphs": 4,
             "newscrawler/extract/fallback/headline": 2, "newscrawler/extract/fallback/records": 6}
    assert fallbacks(stats) == {"headline": 2, "paragraphs": 4}
    shares = {"headline": 2 / 6, "paragraphs": 4 / 6}
    # No baseline: a profile that reads its pages needs no fallback at all.
    assert fallback_rises(shares, []) == [("headline", 2 / 6, 0.0), ("paragraphs", 4 / 6, 0.0)]
    assert fallback_rises(shares, [{"paragraphs": 0.5}, {"paragraphs": 0.6}, {"paragraphs": 0.4}]) == [
        ("headline", 2 / 6, 0.0)]
    run = {"id": 7, "portal": "zjdaily", "started_at": "2024-07-01T03:00:00+00:00", "ended_at": None,
           "status": "finished", "stats": stats, "flagged": False}
    assert "  fallback headline 2, paragraphs 4" in run_line(run)


@pytest.fixture(scope="module")
def drift_crawl(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("drift")
    db = tmp / "archive.sqlite"
    result = run_cli("crawl", "zjdaily", "--replay", str(DRIFT), "--db", str(db), "--no-warc",
                     "--output", str(tmp / "records.jsonl"))
    crawls = run_cli("crawls", "--db", str(db))
    with Archive.open(db, create=False) as archive:
        runs = archive.runs("zjdaily")
    records = [json.loads(line) for line in (tmp / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    return {"result": result, "crawls": crawls, "runs": runs, "records": records, "db": db}


def test_drift_crawl_counts_the_fallbacks(drift_crawl: dict[str, Any]) -> None:
    result = drift_crawl["result"]
    assert result.returncode == EXIT_FLAGGED, result.stderr[-3000:]
    stats = drift_crawl["runs"][0]["stats"]
    assert {k: v for k, v in stats.items() if k.startswith("newscrawler/extract/fallback/")} == {
        "newscrawler/extract/fallback/headline": 2,
        "newscrawler/extract/fallback/published_at": 2,
        "newscrawler/extract/fallback/bylines": 2,
        "newscrawler/extract/fallback/paragraphs": 4,
        "newscrawler/extract/fallback/images": 2,
        "newscrawler/extract/fallback/credits": 1,
        "newscrawler/extract/fallback/records": 7,
    }
    assert stats["newscrawler/validate/articles"] == 7
    assert "invalid" not in json.dumps(stats)
    assert ("  fields the profile missed, read by the generic extractor (7 records):"
            " headline 2, published_at 2, bylines 2, paragraphs 4, images 2, credits 1") in result.stdout


def test_drift_crawl_records_equal_the_extraction_function(drift_crawl: dict[str, Any]) -> None:
    by_url = {record["canonical_url"]: record for record in drift_crawl["records"]}
    assert set(by_url) == {load_case(path)["url"] for path in sorted(DRIFT.rglob("*.expected.json"))}
    for path in sorted(DRIFT.rglob("*.expected.json")):
        case = load_case(path)
        record = by_url[case["url"]]
        assert record == extract(record["url"], case["body"], case["headers"],
                                 datetime.fromisoformat(record["fetched_at"]))
    with sqlite3.connect(drift_crawl["db"]) as db:
        extractors = {row[0] for row in db.execute("SELECT extractor FROM versions")}
    assert extractors == {"zjdaily@1+generic"}


def test_drift_crawl_is_flagged_and_reported(drift_crawl: dict[str, Any]) -> None:
    run = drift_crawl["runs"][0]
    assert run["flagged"]
    # 2 of 7 records (0.29) is within the usual noise; 4 of 7 is not.
    assert run["flag_reason"] == "profile missed fields, read by the generic extractor: paragraphs 0.57 (usually 0.00)"
    crawls = drift_crawl["crawls"]
    assert crawls.returncode == 0, crawls.stderr[-2000:]
    line = crawls.stdout.splitlines()[0]
    assert "  fallback headline 2, published_at 2, bylines 2, paragraphs 4, images 2, credits 1  " in line
    assert line.endswith("FLAGGED: " + run["flag_reason"])
