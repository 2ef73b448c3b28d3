"""WARC captures and replay from WARC.

End to end (module-scoped, three crawls of a few seconds each, run as subprocesses): the fixture
portal is crawled into a WARC directory, crawled again into the same directory (unchanged pages
become revisit records; small files force rollover), then crawled from the WARC files alone into a
fresh archive. The fixture copy has no Crawl-delay (speed) and serves one article gzip-encoded
with ``Content-Encoding: gzip`` (the capture must keep the gzip bytes).

Which of an article's www./m. twins a crawl requests (the other is a duplicate) depends on which
listing page is parsed first, which depends on timing even one request at a time; a record's
``url`` is the twin requested and no other field depends on it. So the round trip compares
records by canonical URL: every field equal but ``fetched_at``, and ``url`` the same page.

Unit tests build the writer, the middleware and the handler directly.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gzip
import hashlib
import io
import json
import shutil
import sqlite3
import zlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from support import ZJDAILY, fixture_cases, load_case, run_cli
from warcio.archiveiterator import ArchiveIterator
from warcio.checker import Checker

from newscrawler import settings as project_settings
from newscrawler.accounting import NotCaptured
from newscrawler.portals import canonical_url
from newscrawler.warc.__main__ import main as warc_command
from newscrawler.warc.capture import WarcCaptureMiddleware, parse_size
from newscrawler.warc.index import CaptureIndex, index_warc, read_cdxj, surt, warc_files
from newscrawler.warc.replay import WarcReplayDownloadHandler
from newscrawler.warc.writer import Exchange, WarcFileSet, payload_digest

MIDDLEWARE = "newscrawler.warc.capture.WarcCaptureMiddleware"
HANDLER = "newscrawler.warc.replay.WarcReplayDownloadHandler"
GZIPPED = "p/2953124.html"
PROFILE_1_1 = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"


def component_settings() -> list[str]:
    """``-s`` options enabling the WARC components on top of the project's own entries."""
    middlewares = {**project_settings.DOWNLOADER_MIDDLEWARES, MIDDLEWARE: 950}
    handlers = {**project_settings.DOWNLOAD_HANDLERS, "http": HANDLER, "https": HANDLER}
    return [
        "-s", f"DOWNLOADER_MIDDLEWARES={json.dumps(middlewares)}",
        "-s", f"DOWNLOAD_HANDLERS={json.dumps(handlers)}",
        "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
    ]


def crawl(*args: str) -> None:
    result = run_cli("crawl", "zjdaily", *args, *component_settings(), timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]


def fast_site(tmp: Path) -> Path:
    site = tmp / "site"
    shutil.copytree(ZJDAILY, site)
    robots = site / "robots.txt"
    robots.write_text(
        "".join(line for line in robots.read_text(encoding="utf-8").splitlines(keepends=True)
                if not line.startswith("Crawl-delay")),
        encoding="utf-8",
    )
    page = site / GZIPPED
    page.write_bytes(gzip.compress(page.read_bytes(), mtime=0))
    (site / f"{GZIPPED}.headers.json").write_text('{"Content-Encoding": "gzip"}', encoding="utf-8")
    return site


def records(path: Path) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for record in lines:
        record.pop("fetched_at")
    return sorted(lines, key=lambda r: r["url"])


def by_page(found: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Records by canonical URL, each ``url`` replaced by its canonical form (see above)."""
    pages = {canonical_url(r["url"]): {**r, "url": canonical_url(r["url"])} for r in found}
    assert len(pages) == len(found)
    return pages


def read_records(path: Path) -> list[dict[str, Any]]:
    """Every record of a WARC file: type, headers, HTTP headers, payload, offset."""
    out = []
    with path.open("rb") as stream:
        iterator = ArchiveIterator(stream)
        for record in iterator:
            payload = record.raw_stream.read()  # before the offset: asking for it skips the rest
            out.append({
                "type": record.rec_type,
                "offset": iterator.get_record_offset(),
                "warc": dict(record.rec_headers.headers),
                "http": record.http_headers,
                "payload": payload,
                "file": path.name,
            })
    return out


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("warc")
    site, warc = fast_site(tmp), tmp / "warc"
    crawl("--replay", str(site), "--db", str(tmp / "a.sqlite"), "--output", str(tmp / "a.jsonl"),
          "-s", f"NEWSCRAWLER_WARC_DIR={warc}")
    first = set(warc_files(warc))
    # An archive of its own: a second crawl into a.sqlite would skip the archived articles.
    crawl("--replay", str(site), "--db", str(tmp / "a2.sqlite"), "--output", str(tmp / "a2.jsonl"),
          "-s", f"NEWSCRAWLER_WARC_DIR={warc}", "-s", "NEWSCRAWLER_WARC_MAX_SIZE=20KB")
    second = set(warc_files(warc)) - first
    crawl("--db", str(tmp / "b.sqlite"), "--output", str(tmp / "b.jsonl"),
          "-s", f"NEWSCRAWLER_REPLAY_WARC={warc}", "-s", f"NEWSCRAWLER_WARC_DIR={tmp / 'rewritten'}")
    return {"tmp": tmp, "site": site, "warc": warc, "first": sorted(first), "second": sorted(second)}


# --- end to end --------------------------------------------------------------------------------


def test_every_file_passes_warcio_check(crawls: dict[str, Any]) -> None:
    files = warc_files(crawls["warc"])
    assert len(crawls["first"]) == 1 and len(crawls["second"]) > 1  # the second crawl rolled over
    checker = Checker(SimpleNamespace(inputs=[str(f) for f in files], verbose=False))
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        assert checker.process_all() == 0, report.getvalue()


def test_each_file_opens_with_warcinfo(crawls: dict[str, Any]) -> None:
    for path in warc_files(crawls["warc"]):
        first, *rest = read_records(path)
        assert first["type"] == "warcinfo" and first["warc"]["WARC-Filename"] == path.name
        fields = dict(line.split(": ", 1) for line in first["payload"].decode().splitlines())
        assert fields["software"].startswith("newscrawler/")
        assert fields["portal"] == "zjdaily"
        assert fields["isPartOf"].startswith("newscrawler-zjdaily-")
        assert fields["archive-run-id"] in ("1", "2")
        assert fields["http-header-user-agent"].startswith("newscrawler/")
        assert "warcinfo" not in {r["type"] for r in rest}


def test_requests_and_responses_pair_up(crawls: dict[str, Any]) -> None:
    for path in warc_files(crawls["warc"]):
        found = read_records(path)
        answers = {r["warc"]["WARC-Record-ID"]: r for r in found if r["type"] in ("response", "revisit")}
        requests = [r for r in found if r["type"] == "request"]
        assert len(requests) == len(answers)
        for request in requests:
            answer = answers[request["warc"]["WARC-Concurrent-To"]]
            assert answer["warc"]["WARC-Target-URI"] == request["warc"]["WARC-Target-URI"]
            assert request["http"].protocol == "GET"
            assert request["http"].get_header("User-Agent").startswith("newscrawler/")


def test_gzip_body_kept_as_received(crawls: dict[str, Any]) -> None:
    url = f"https://www.gdzjdaily.com.cn/{GZIPPED}"
    sent = (crawls["site"] / GZIPPED).read_bytes()
    response = next(r for r in read_records(crawls["first"][0])
                    if r["type"] == "response" and r["warc"]["WARC-Target-URI"].endswith(GZIPPED))
    assert response["http"].get_header("Content-Encoding") == "gzip"
    assert response["payload"] == sent and sent[:2] == b"\x1f\x8b"
    assert response["warc"]["WARC-Payload-Digest"] == payload_digest(sent)
    # ...and the pipeline still saw the decoded page.
    record = next(r for r in records(crawls["tmp"] / "a.jsonl") if r["canonical_url"] == url)
    expected = load_case(ZJDAILY / GZIPPED.replace(".html", ".expected.json"))["record"]
    assert record["headline"] == expected["headline"]
    assert record["paragraphs"] == expected["paragraphs"]


def test_metadata_record_per_article_page(crawls: dict[str, Any]) -> None:
    found = read_records(crawls["first"][0])
    by_id = {r["warc"]["WARC-Record-ID"]: r for r in found}
    article_records = {r["url"]: r for r in records(crawls["tmp"] / "a.jsonl")}
    metadata = [r for r in found if r["type"] == "metadata"]
    assert {m["warc"]["WARC-Target-URI"] for m in metadata} == set(article_records)
    for meta in metadata:
        assert meta["warc"]["Content-Type"] == "application/warc-fields"
        described = by_id[meta["warc"]["WARC-Refers-To"]]
        assert described["type"] == "response"
        assert described["warc"]["WARC-Target-URI"] == meta["warc"]["WARC-Target-URI"]
        lines = [line.split(": ", 1) for line in meta["payload"].decode("utf-8").splitlines()]
        fields = dict(lines)
        record = article_records[meta["warc"]["WARC-Target-URI"]]
        assert fields["extractor"] == record["extractor"]
        assert fields["extractor-version"] == record["extractor"].rpartition("@")[2]
        outlinks = [value for name, value in lines if name == "outlink"]
        assert any(link.endswith(" L a/@href") for link in outlinks)
        assert all(link.split(" ")[0].startswith("http") for link in outlinks)


def test_cdxj_lists_every_response_where_it_is(crawls: dict[str, Any]) -> None:
    for path in warc_files(crawls["warc"]):
        index = path.with_name(path.name + ".cdxj")
        lines = index.read_text(encoding="utf-8").splitlines()
        assert lines == sorted(lines)
        assert [e.line() for e in read_cdxj(index)] == sorted(e.line() for e in index_warc(path))
        for line in lines:
            key, timestamp, fields = line.split(" ", 2)
            value = json.loads(fields)
            assert set(value) == {"url", "mime", "status", "digest", "length", "offset", "filename"}
            assert key == surt(value["url"]) and len(timestamp) == 14 and timestamp.isdigit()
            assert value["filename"] == path.name


def test_second_crawl_of_unchanged_pages_writes_revisits(crawls: dict[str, Any]) -> None:
    originals = {r["warc"]["WARC-Record-ID"]: r for r in read_records(crawls["first"][0])}
    second = [r for path in crawls["second"] for r in read_records(path)]
    captured = [r for r in second if r["type"] in ("response", "revisit")]
    # Which twins (and so which robots.txt) a crawl fetches varies; every page seen before repeats.
    pages = {canonical_url(r["warc"]["WARC-Target-URI"]) for r in originals.values() if r["type"] == "response"}
    assert len(captured) > 30
    assert {canonical_url(r["warc"]["WARC-Target-URI"]) for r in captured} <= pages
    for revisit in captured:
        assert revisit["type"] == "revisit", revisit["warc"]["WARC-Target-URI"]
        assert revisit["warc"]["WARC-Profile"] == PROFILE_1_1
        assert revisit["payload"] == b""
        original = originals[revisit["warc"]["WARC-Refers-To"]]
        assert revisit["warc"]["WARC-Refers-To-Target-URI"] == original["warc"]["WARC-Target-URI"]
        assert revisit["warc"]["WARC-Refers-To-Date"] == original["warc"]["WARC-Date"]
        assert revisit["warc"]["WARC-Payload-Digest"] == original["warc"]["WARC-Payload-Digest"]
        assert revisit["http"].get_statuscode() == original["http"].get_statuscode()


def test_replay_from_warc_yields_the_same_records(crawls: dict[str, Any]) -> None:
    tmp = crawls["tmp"]
    first, replayed = by_page(records(tmp / "a.jsonl")), by_page(records(tmp / "b.jsonl"))
    assert len(first) == len(fixture_cases())  # every saved article of the portal
    assert replayed == first
    # A replayed crawl writes no WARC of its own.
    assert not (tmp / "rewritten").exists()


def test_replay_fills_a_fresh_archive(crawls: dict[str, Any]) -> None:
    def captures(path: Path, run: int) -> list[tuple[Any, ...]]:
        with contextlib.closing(sqlite3.connect(path)) as db:
            rows = db.execute("SELECT url, status, kind, body_sha256 FROM captures WHERE run_id = ?", (run,))
            return sorted((canonical_url(url), *rest) for url, *rest in rows)

    tmp = crawls["tmp"]
    assert captures(tmp / "b.sqlite", 1) == captures(tmp / "a.sqlite", 1)


# --- units -------------------------------------------------------------------------------------


def exchange(url: str, body: bytes, **headers: str) -> Exchange:
    response_headers = [("Content-Type", "text/html; charset=utf-8"), *headers.items()]
    return Exchange(url, "GET", [("Host", url.split("/")[2])], b"", 200, "OK", response_headers, body)


def test_surt_keys() -> None:
    assert surt("https://www.Example.com/A/b.html?z=1&a=2#top") == "com,example)/a/b.html?a=2&z=1"
    assert surt("http://m.gdzjdaily.com.cn:8080/") == "cn,com,gdzjdaily,m:8080)/"
    assert surt("https://gdzjdaily.com.cn:443") == "cn,com,gdzjdaily)/"


def test_size_setting() -> None:
    assert parse_size(5) == 5
    assert parse_size("20KB") == 20_000
    assert parse_size("1GB") == 1_000_000_000
    with pytest.raises(ValueError):
        parse_size("lots")


def test_rollover_and_revisits_across_writers(tmp_path: Path) -> None:
    pages = {f"https://www.x.cn/p/{n}.html": f"<p>{n}</p>".encode() * 50 for n in range(4)}
    files = WarcFileSet(tmp_path, max_size=1, info={"software": "test"}, name_suffix="one")
    for url, body in pages.items():
        assert files.write_exchange(exchange(url, body)).record_type == "response"
    files.close()
    assert len(files.files) == 4  # every exchange filled a file
    again = WarcFileSet(tmp_path, max_size=10**6, info={"software": "test"}, name_suffix="two")
    written = [again.write_exchange(exchange(url, body)) for url, body in pages.items()]
    changed = again.write_exchange(exchange("https://www.x.cn/p/0.html", b"<p>new</p>"))
    again.close()
    assert [w.record_type for w in written] == ["revisit"] * 4 and changed.record_type == "response"
    assert {w.refers_to.filename for w in written if w.refers_to} == {p.name for p in files.files}
    checker = Checker(SimpleNamespace(inputs=[str(p) for p in warc_files(tmp_path)], verbose=False))
    with contextlib.redirect_stdout(io.StringIO()):
        assert checker.process_all() == 0
    for path in warc_files(tmp_path):
        assert read_records(path)[0]["type"] == "warcinfo"
        assert path.with_name(path.name + ".cdxj").is_file()


def test_middleware_captures_raw_bytes_and_marks_the_request(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"NEWSCRAWLER_WARC_DIR": str(tmp_path)})
    middleware = WarcCaptureMiddleware(crawler)
    body = gzip.compress(b"<html><body>hi</body></html>")
    request = Request("https://www.x.cn/p/1.html", headers={"User-Agent": "t", "Accept-Encoding": "gzip"})
    response = Response(request.url, status=200, body=body, request=request, protocol="HTTP/1.1",
                        headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
    assert middleware.process_response(request, response) is response
    middleware.spider_closed()
    (path,) = warc_files(tmp_path)
    assert request.meta["warc_filename"] == path.name
    kinds = {r["offset"]: r for r in read_records(path)}
    captured = kinds[request.meta["warc_offset"]]
    assert captured["type"] == "response" and captured["payload"] == body
    assert captured["warc"]["WARC-Record-ID"] == request.meta["warc_record_id"]
    assert captured["http"].get_header("Content-Encoding") == "gzip"


def test_cut_off_body_is_marked_truncated_and_never_a_revisit(tmp_path: Path) -> None:
    middleware = WarcCaptureMiddleware(get_crawler(settings_dict={"NEWSCRAWLER_WARC_DIR": str(tmp_path)}))
    for flags in ([], ["dataloss"]):
        request = Request("https://www.x.cn/")
        middleware.process_response(request, HtmlResponse(request.url, body=b"<p>", flags=flags))
    middleware.spider_closed()
    assert request.meta["warc_record_type"] == "response"
    (path,) = warc_files(tmp_path)
    cut = next(r for r in read_records(path) if r["offset"] == request.meta["warc_offset"])
    assert cut["warc"]["WARC-Truncated"] == "disconnect"


def test_middleware_skips_cached_and_replayed_responses(tmp_path: Path) -> None:
    middleware = WarcCaptureMiddleware(get_crawler(settings_dict={"NEWSCRAWLER_WARC_DIR": str(tmp_path)}))
    for flag in ("cached", "warc"):
        request = Request("https://www.x.cn/")
        middleware.process_response(request, HtmlResponse(request.url, body=b"x", flags=[flag]))
        assert "warc_filename" not in request.meta
    assert not warc_files(tmp_path)


def test_replay_handler_resolves_revisits_and_answers_no_url_never_captured(tmp_path: Path) -> None:
    body = gzip.compress(b"<html><title>t</title></html>")
    files = WarcFileSet(tmp_path, 10**6, {"software": "test"})
    files.write_exchange(exchange("https://www.x.cn/a.html", body, **{"Content-Encoding": "gzip"}))
    revisit = files.write_exchange(exchange("https://www.x.cn/a.html", body, **{"Content-Encoding": "gzip"}))
    files.close()
    assert revisit.record_type == "revisit"
    handler = WarcReplayDownloadHandler(get_crawler(settings_dict={"NEWSCRAWLER_REPLAY_WARC": str(tmp_path)}))
    request = Request("https://www.x.cn/a.html")
    response = asyncio.run(handler.download_request(request))
    assert (response.status, response.body) == (200, body)
    assert response.headers[b"Content-Encoding"] == b"gzip" and "warc" in response.flags
    assert (request.meta["warc_filename"], request.meta["warc_offset"]) == (revisit.filename, revisit.offset)
    assert request.meta["warc_date"] == revisit.date  # when the page was fetched, for extraction
    # The http twin folds into the same SURT key; a URL never captured is not answered (a
    # 404 would be the site's answer, which the files do not hold).
    assert asyncio.run(handler.download_request(Request("http://x.cn/a.html"))).body == body
    with pytest.raises(NotCaptured):
        asyncio.run(handler.download_request(Request("https://www.x.cn/b.html")))


def test_capture_index_prefers_the_latest(tmp_path: Path) -> None:
    files = WarcFileSet(tmp_path, 10**6, {"software": "test"})
    files.write_exchange(exchange("https://www.x.cn/", b"old"))
    newer = files.write_exchange(exchange("https://www.x.cn/", b"new"))
    files.close()
    latest = CaptureIndex.load(tmp_path).latest("https://www.x.cn/")
    assert latest is not None and latest.offset == newer.offset
    digest = base64.b32encode(hashlib.sha1(b"new").digest()).decode()
    assert latest.digest == digest


def test_index_command_rebuilds_a_missing_cdxj(tmp_path: Path) -> None:
    files = WarcFileSet(tmp_path, 10**6, {"software": "test"})
    for n in range(3):
        files.write_exchange(exchange(f"https://www.x.cn/{n}", b"x" * n))
    files.close()
    (path,) = files.files
    index = path.with_name(path.name + ".cdxj")
    written = index.read_text(encoding="utf-8")
    index.unlink()
    with contextlib.redirect_stdout(io.StringIO()):
        assert warc_command(["index", str(path)]) == 0
    assert index.read_text(encoding="utf-8") == written


def test_a_twin_repeating_a_page_is_a_revisit_that_replays(tmp_path: Path) -> None:
    body = b"<html><title>twin</title></html>"
    files = WarcFileSet(tmp_path, 10**6, {"software": "test"}, canonical=canonical_url)
    files.write_exchange(exchange("https://m.gdzjdaily.com.cn/p/1.html", body))
    revisit = files.write_exchange(exchange("https://www.gdzjdaily.com.cn/p/1.html", body))
    files.close()
    assert revisit.record_type == "revisit"
    assert revisit.refers_to is not None and revisit.refers_to.url == "https://m.gdzjdaily.com.cn/p/1.html"
    handler = WarcReplayDownloadHandler(get_crawler(settings_dict={"NEWSCRAWLER_REPLAY_WARC": str(tmp_path)}))
    response = asyncio.run(handler.download_request(Request("https://www.gdzjdaily.com.cn/p/1.html")))
    assert (response.status, response.body) == (200, body)


def test_each_record_is_a_gzip_member_as_warcio_would_format_it(tmp_path: Path) -> None:
    """Every record is a gzip member of its own (which readers seek to by offset), and its bytes
    are warcio's: headers in warcio's order, digests that check."""
    files = WarcFileSet(tmp_path, max_size=10**6, info={"software": "test"})
    response = files.write_exchange(exchange("https://www.x.cn/p/1.html", b"<p>1</p>" * 100))
    files.write_metadata("https://www.x.cn/p/1.html", response.record_id, [("outlink", "a")])
    files.close()
    (path,) = warc_files(tmp_path)
    data, offsets, records = path.read_bytes(), [], []
    position = 0
    while position < len(data):
        member = zlib.decompressobj(31)
        records.append(member.decompress(data[position:]))
        offsets.append(position)
        position = len(data) - len(member.unused_data)
    assert [r["offset"] for r in read_records(path)] == offsets
    # Each member holds one whole record: the two line breaks that end it, then nothing.
    assert all(r.startswith(b"WARC/1.1\r\n") and r.endswith(b"\r\n\r\n") for r in records)
    assert len(records) == 4  # warcinfo, response, request, metadata
    names = [line.split(b":")[0] for line in records[1].split(b"\r\n\r\n")[0].split(b"\r\n")[1:]]
    assert names == [b"WARC-Date", b"WARC-Type", b"WARC-Record-ID", b"WARC-Target-URI",
                     b"WARC-Payload-Digest", b"WARC-Block-Digest", b"Content-Type",
                     b"Content-Length"]
    metadata = records[3].split(b"\r\n\r\n")[0]
    payload = metadata.split(b"WARC-Payload-Digest: ")[1].split(b"\r\n")[0]
    assert metadata.split(b"WARC-Block-Digest: ")[1].split(b"\r\n")[0] == payload
    checker = Checker(SimpleNamespace(inputs=[str(path)], verbose=False))
    with contextlib.redirect_stdout(io.StringIO()):
        assert checker.process_all() == 0
