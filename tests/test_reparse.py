"""Re-extraction (`newscrawler reparse`): today's extractors over the archived article pages.

The fixture portal is crawled once (a copy without Crawl-delay) into an archive with WARC files;
each test works on a copy of that archive. A new layout version is simulated in-process by
patching the zjdaily layout: version 2, without the images and comments selectors.
"""

from __future__ import annotations

import gzip
import io
import itertools
import random
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support import ZJDAILY, run_cli, without_crawl_delay

from archive import Archive
from archive.compare import differences, snapshot
from archive.query import CaptureFilter
from archive.warc import WarcReadError, WarcStore, decoded_payload, default_warc_dir
from newscrawler.cli import cli
from newscrawler.portals.zjdaily import ZjdailyV1
from newscrawler.reparse import progress_display, reparse
from newscrawler.reparse_pool import AHEAD, CHUNK, ExtractorPool


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("reparse")
    site = without_crawl_delay(ZJDAILY, tmp / "site")
    db = tmp / "crawl" / "archive.sqlite"
    result = run_cli(
        "crawl", "zjdaily", "--replay", str(site), "--db", str(db), "--log-level", "WARNING",
        "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return db


@pytest.fixture
def archive_copy(crawled: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "crawl"
    shutil.copytree(crawled.parent, copy)
    return copy / crawled.name


@pytest.fixture
def layout_v2(monkeypatch: pytest.MonkeyPatch) -> None:
    """A redesign as a new layout version: no images (content), no comments (volatile)."""
    monkeypatch.setattr(ZjdailyV1, "version", "2")
    monkeypatch.setattr(ZjdailyV1, "images", None)
    monkeypatch.setattr(ZjdailyV1, "comments", None)


def versions(db: Path) -> list[dict[str, Any]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute(
        "SELECT v.id, v.article_id, v.extractor, v.first_capture_id, a.canonical_url,"
        " a.current_version_id, (SELECT count(*) FROM images i WHERE i.version_id = v.id) AS images"
        " FROM versions v JOIN articles a ON a.id = v.article_id ORDER BY v.id")]
    conn.close()
    return rows


def test_unchanged_extractors_add_nothing(archive_copy: Path) -> None:
    before = versions(archive_copy)
    with Archive.open(archive_copy, create=False) as archive:
        result = reparse(archive)
    assert result.captures == len(before) > 10
    assert result.outcomes == {"unchanged": len(before)}
    assert versions(archive_copy) == before


def test_new_layout_version_adds_exactly_the_changed_articles(
    archive_copy: Path, layout_v2: None
) -> None:
    before = versions(archive_copy)
    with_images = {v["article_id"] for v in before if v["images"]}
    assert 0 < len(with_images) < len(before)  # some articles change, some do not
    with Archive.open(archive_copy, create=False) as archive:
        result = reparse(archive)
    after = versions(archive_copy)
    added = after[len(before):]
    # One new version per article whose content changed (it had images), read by zjdaily@2 …
    assert sorted(v["article_id"] for v in added) == sorted(with_images)
    assert {v["extractor"] for v in added} == {"zjdaily@2"}
    assert all(v["images"] == 0 for v in added)
    # … and current, since each article has one capture; the others keep version 1.
    assert all(v["current_version_id"] == v["id"] for v in added)
    old = {v["id"]: v for v in before}
    for v in after[: len(before)]:
        assert {**v, "current_version_id": None} == {**old[v["id"]], "current_version_id": None}
    assert result.outcomes == {"added": len(with_images),
                               "unchanged": len(before) - len(with_images)}

    with Archive.open(archive_copy, create=False) as archive:
        again = reparse(archive)
    assert again.outcomes == {"unchanged": len(before)}
    assert versions(archive_copy) == after


def test_pages_without_a_stored_body_are_read_from_the_warc_files(
    archive_copy: Path, layout_v2: None
) -> None:
    expected_new = len({v["article_id"] for v in versions(archive_copy) if v["images"]})
    conn = sqlite3.connect(archive_copy)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DELETE FROM bodies")
    conn.commit()
    conn.close()
    with Archive.open(archive_copy, create=False) as archive:
        result = reparse(archive)
    assert result.from_warc == result.captures > 10
    assert result.outcomes["added"] == expected_new
    assert result.outcomes["unreadable"] == 0


def test_filters_select_captures_by_portal_and_fetch_date(archive_copy: Path, layout_v2: None) -> None:
    with Archive.open(archive_copy, create=False) as archive:
        day = archive.conn.execute("SELECT substr(min(fetched_at), 1, 10) FROM captures").fetchone()[0]
        assert reparse(archive, CaptureFilter(until="2000-01-01")).captures == 0
        assert reparse(archive, CaptureFilter(portal="nosuch")).captures == 0
        assert reparse(archive, CaptureFilter(portal="zjdaily", since=day)).captures > 10
    assert {v["extractor"] for v in versions(archive_copy)} == {"zjdaily@1", "zjdaily@2"}


def test_command_line(archive_copy: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["reparse", "--db", str(archive_copy)])
    assert result.exit_code == 0, result.output
    assert "0 new versions" in result.output
    assert "reparse: " in result.stderr  # plain progress lines when not on a terminal
    bad = runner.invoke(cli, ["reparse", "--db", str(archive_copy), "--since", "last week"])
    assert bad.exit_code == 2 and "bad time" in bad.output
    missing = runner.invoke(cli, ["reparse", "--db", str(archive_copy.parent / "none.sqlite")])
    assert missing.exit_code == 1 and "no archive" in missing.output
    assert not (archive_copy.parent / "none.sqlite").exists()


def test_plain_progress_lines() -> None:
    out = io.StringIO()
    with progress_display(3, out) as advance:
        for _ in range(3):
            advance(1)
    assert out.getvalue().splitlines()[-1] == "reparse: 3/3 captures"


def test_jobs_give_the_same_archive_as_one_process(
    archive_copy: Path, tmp_path: Path, layout_v2: None
) -> None:
    # Worker processes read and extract; the parent writes in capture order, so the archives
    # match, row ids included. Some bodies come from the WARC files, some from the archive.
    conn = sqlite3.connect(archive_copy)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DELETE FROM bodies WHERE sha256 IN (SELECT body_sha256 FROM captures"
                 " WHERE kind = 'article' AND id % 2 = 0)")
    conn.commit()
    conn.close()
    parallel = tmp_path / "parallel"
    shutil.copytree(archive_copy.parent, parallel)
    with Archive.open(archive_copy, create=False) as archive:
        one = reparse(archive, jobs=1)
    with Archive.open(parallel / archive_copy.name, create=False) as archive:
        two = reparse(archive, jobs=2)
    assert one.outcomes["added"] > 0 and 0 < one.from_warc < one.captures
    assert (two.captures, two.outcomes, two.from_warc) == (one.captures, one.outcomes, one.from_warc)
    assert differences(snapshot(archive_copy), snapshot(parallel / archive_copy.name)) == []
    assert versions(parallel / archive_copy.name) == versions(archive_copy)


def test_command_line_jobs(archive_copy: Path, layout_v2: None) -> None:
    result = CliRunner().invoke(cli, ["reparse", "--db", str(archive_copy), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert " new versions" in result.output and "0 new versions" not in result.output
    bad = CliRunner().invoke(cli, ["reparse", "--db", str(archive_copy), "--jobs", "0"])
    assert bad.exit_code == 2 and "--jobs" in bad.output


def test_warc_bodies_read_directly_equal_warcio_reads(archive_copy: Path) -> None:
    store = WarcStore(default_warc_dir(archive_copy))
    conn = sqlite3.connect(archive_copy)
    records = conn.execute(
        "SELECT warc_filename, warc_offset FROM captures WHERE warc_filename IS NOT NULL").fetchall()
    conn.close()
    assert len(records) > 10
    direct = 0
    for filename, offset in records:
        found = store.load(filename, offset)
        assert store.body(filename, offset) == decoded_payload(found.headers, found.payload)
        direct += found.record_type == "response" and store._direct_body(filename, offset) is not None
    assert direct > 10  # the crawler's own records take the direct path


def test_work_in_flight_is_bounded(archive_copy: Path) -> None:
    # An endless supply of captures: the pool takes only a few chunks ahead of what it returns.
    pulled = 0
    with Archive.open(archive_copy, create=False) as archive:
        rows = list(archive.iter_article_captures())

    def captures() -> Iterator[dict[str, Any]]:
        nonlocal pulled
        for row in itertools.cycle(rows):
            pulled += 1
            yield row

    with ExtractorPool(archive_copy, default_warc_dir(archive_copy), 2) as pool:
        for n, outcome in enumerate(itertools.islice(pool.map(captures()), 300), 1):
            assert outcome.failure is None and outcome.unchanged  # read the same as archived
            assert pulled - n <= (2 * AHEAD + 1) * CHUNK
    # A window of captures asked for is kept in flight, and no more.
    pulled = 0
    with ExtractorPool(archive_copy, default_warc_dir(archive_copy), 2) as pool:
        for n, _ in enumerate(itertools.islice(pool.map(captures(), window=10 * CHUNK), 300), 1):
            assert pulled - n <= 11 * CHUNK
        assert pulled - n > (2 * AHEAD + 1) * CHUNK


def _failing_extraction(monkeypatch: pytest.MonkeyPatch, archive_copy: Path) -> tuple[int, str]:
    """Extraction raises on one capture without images (an extractor bug on that page): its id
    and URL. Worker processes are forked, so they run the patched function too."""
    from newscrawler import reparse as module

    with_images = {v["article_id"] for v in versions(archive_copy) if v["images"]}
    conn = sqlite3.connect(archive_copy)
    rows = conn.execute(
        "SELECT c.id, c.url, v.article_id FROM captures c JOIN versions v ON v.id = c.version_id"
        " WHERE c.kind = 'article' ORDER BY c.id").fetchall()
    conn.close()
    plain = [(capture_id, url) for capture_id, url, article_id in rows if article_id not in with_images]
    bad_id, bad_url = plain[len(plain) // 2]
    real = module.extract

    def failing(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if url == bad_url:
            raise RuntimeError("extractor bug on this page\n  a second line of detail")
        return real(url, *args, **kwargs)

    monkeypatch.setattr(module, "extract", failing)
    return bad_id, bad_url


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_capture_whose_extraction_fails_is_reported_and_the_pass_goes_on(
    archive_copy: Path, layout_v2: None, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture, jobs: int,
) -> None:
    before = versions(archive_copy)
    with_images = {v["article_id"] for v in before if v["images"]}
    bad_id, bad_url = _failing_extraction(monkeypatch, archive_copy)
    with Archive.open(archive_copy, create=False) as archive, caplog.at_level("WARNING"):
        result = reparse(archive, jobs=jobs)
    # Every capture was gone through: the others re-extracted (those with images have a new
    # version), the failing one counted, with its id, URL and the error's first line.
    assert result.captures == len(before)
    assert result.outcomes == {"added": len(with_images), "failed": 1,
                               "unchanged": len(before) - len(with_images) - 1}
    reason = f"capture {bad_id} {bad_url}: RuntimeError: extractor bug on this page"
    assert result.failures == [reason]
    assert [r.message for r in caplog.records if "Extraction failed" in r.message] == [
        f"Extraction failed: {reason}"]
    summary = result.summary().splitlines()
    assert "1 failed to extract" in summary[0]
    assert summary[1:] == [f"  {reason}"]
    # The archive has what it had for that capture, and the new versions of the others.
    added = versions(archive_copy)[len(before):]
    assert sorted(v["article_id"] for v in added) == sorted(with_images)


def test_command_line_reports_a_failing_capture_and_exits_1(
    archive_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad_id, bad_url = _failing_extraction(monkeypatch, archive_copy)
    for jobs in ("1", "2"):
        result = CliRunner().invoke(cli, ["reparse", "--db", str(archive_copy), "--jobs", jobs])
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and result.exception is not None  # SystemExit(1)
        lines = result.stdout.splitlines()
        assert lines[0].startswith("reparsed ") and "1 failed to extract" in lines[0]
        assert lines[1:] == [f"  capture {bad_id} {bad_url}: RuntimeError: extractor bug on this page"]


def test_the_summary_lists_the_first_failures() -> None:
    from newscrawler.reparse import SHOWN_FAILURES, ReparseResult

    result = ReparseResult(captures=30, failures=[f"capture {n} https://x.cn/{n}: Error" for n in range(30)])
    lines = result.summary().splitlines()
    assert lines[1:] == [f"  capture {n} https://x.cn/{n}: Error" for n in range(SHOWN_FAILURES)] + [
        f"  … and {30 - SHOWN_FAILURES} more (logged above)"]


def test_a_store_reading_many_files_at_random_gives_the_same_bodies(archive_copy: Path) -> None:
    # More files than a store keeps open, read in no particular order: each read equals a read
    # by a fresh store, which opens the file anew.
    warc_dir = default_warc_dir(archive_copy)
    conn = sqlite3.connect(archive_copy)
    records = conn.execute(
        "SELECT warc_filename, warc_offset FROM captures WHERE warc_filename IS NOT NULL").fetchall()
    conn.close()
    names = sorted({filename for filename, _ in records})
    copies = []
    for n in range(12):
        for name in names:
            copy = f"copy{n}-{name}"
            shutil.copyfile(warc_dir / name, warc_dir / copy)
            copies.append((name, copy))
    reads = [(copy, offset) for name, copy in copies for filename, offset in records if filename == name]
    random.Random(1).shuffle(reads)
    with WarcStore(warc_dir) as store:
        for filename, offset in reads[:400]:
            with WarcStore(warc_dir) as fresh:
                assert store.body(filename, offset) == fresh.body(filename, offset)
        assert 0 < len(store._open) <= 8
        kept = list(store._open.values())
    assert kept and all(stream.closed for stream in kept)


def _article_records(db: Path) -> list[tuple[int, str, int]]:
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT c.id, c.warc_filename, c.warc_offset FROM captures c"
        " WHERE c.warc_filename IS NOT NULL AND c.id IN (SELECT first_capture_id FROM versions)"
        " ORDER BY c.warc_offset").fetchall()
    conn.close()
    return rows


def test_a_damaged_or_truncated_warc_record_is_unreadable_not_cut(
    archive_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    warc_dir = default_warc_dir(archive_copy)
    records = _article_records(archive_copy)
    (_, damaged_file, damaged_at), (_, cut_file, cut_at) = records[0], records[-1]
    data = bytearray((warc_dir / damaged_file).read_bytes())
    data[damaged_at + 300] ^= 0xFF  # inside the compressed record
    (warc_dir / damaged_file).write_bytes(data)
    with (warc_dir / cut_file).open("r+b") as stream:
        stream.truncate(cut_at + 200)  # the file ends inside the record
    with WarcStore(warc_dir) as store:
        with pytest.raises(WarcReadError, match="damaged"):
            store.body(damaged_file, damaged_at)
        with pytest.raises(WarcReadError, match="truncated"):
            store.body(cut_file, cut_at)

    # With the archive's bodies, re-extraction never needs the WARC files.
    with Archive.open(archive_copy, create=False) as archive:
        result = reparse(archive)
    assert result.from_warc == 0 and result.outcomes["unreadable"] == 0

    conn = sqlite3.connect(archive_copy)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DELETE FROM bodies")
    conn.commit()
    conn.close()
    with Archive.open(archive_copy, create=False) as archive, caplog.at_level("WARNING"):
        result = reparse(archive)
    assert result.outcomes["unreadable"] == 2
    (damaged_id, damaged_url), (cut_id, cut_url) = _urls(archive_copy, records[0][0], records[-1][0])
    # The byte flipped breaks the deflate stream or its CRC, depending on the crawl's bytes.
    damaged, cut = sorted(result.failures, key=lambda f: f.startswith(f"capture {cut_id} "))
    assert damaged.startswith(
        f"capture {damaged_id} {damaged_url}: {warc_dir / damaged_file}: the gzip member at offset"
        f" {damaged_at} is damaged (")
    assert cut == (f"capture {cut_id} {cut_url}: {warc_dir / cut_file}: the gzip member at offset"
                   f" {cut_at} is truncated (the file ends 200 bytes into it)")
    assert sum("Unreadable" in r.message for r in caplog.records) == 2


def _urls(db: Path, *capture_ids: int) -> list[tuple[int, str]]:
    conn = sqlite3.connect(db)
    rows = [conn.execute("SELECT id, url FROM captures WHERE id = ?", (i,)).fetchone()
            for i in capture_ids]
    conn.close()
    return rows


def test_direct_reads_equal_warcio_reads_for_other_records(tmp_path: Path) -> None:
    # Records the crawler's pages rarely are: content-encoded, chunked as sent, longer than the
    # bytes the direct reader inflates in one call, lower-case WARC header names; read in file
    # order and at random.
    from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]
    from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

    rng = random.Random(3)
    big = "".join(rng.choice("新闻报道记者编辑abc ") for _ in range(200_000)).encode()
    bodies: list[tuple[list[tuple[str, str]], bytes]] = [
        ([("Content-Type", "text/html")], b"<p>plain</p>"),
        ([("Content-Type", "text/html"), ("Content-Encoding", "gzip")], gzip.compress(b"<p>gz</p>")),
        ([("Transfer-Encoding", "chunked")], b"5\r\n<p>ch\r\n5\r\nunk</\r\n2\r\np>\r\n0\r\n\r\n"),
        ([("Content-Type", "text/html")], big),
    ]
    path = tmp_path / "other.warc.gz"
    offsets = []
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for n, (headers, payload) in enumerate(bodies * 3):
            offsets.append(stream.tell())
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"https://www.x.cn/{n}.html", "response", payload=io.BytesIO(payload),
                http_headers=http))
    with WarcStore(tmp_path) as store:
        expected = [decoded_payload(store.load(path.name, o).headers, store.load(path.name, o).payload)
                    for o in offsets]
        assert expected[1] == b"<p>gz</p>" and expected[2] == b"<p>chunk</p>" and expected[3] == big
        assert [store.body(path.name, o) for o in offsets] == expected
        order = list(range(len(offsets)))
        rng.shuffle(order)
        assert [store.body(path.name, offsets[i]) for i in order] == [expected[i] for i in order]
        assert store._direct_body(path.name, offsets[3]) == big  # past one call's bytes


def test_a_record_larger_than_the_room_given_to_libdeflate_is_read_whole(tmp_path: Path) -> None:
    # libdeflate needs room for the whole inflated record up front: a larger one is read by the
    # other inflater, and the room grows so that the next such record fits.
    from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]
    from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

    pages = [("<p>" + "长文" * n + "</p>").encode() for n in (100, 60_000, 60_000, 100)]
    path = tmp_path / "large.warc.gz"
    offsets = []
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for n, page in enumerate(pages):
            offsets.append(stream.tell())
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"https://www.x.cn/{n}.html", "response", payload=io.BytesIO(page), http_headers=http))
    with WarcStore(tmp_path) as store:
        first_room = store._room
        assert len(pages[1]) > first_room
        assert [store.body(path.name, o) for o in offsets] == pages
        assert store._room > len(pages[1])


def _index_instances(db: Path) -> list[tuple[Any, ...]]:
    """Every token instance the search index holds: (term, article, column, offset)."""
    conn = sqlite3.connect(db)
    conn.execute("CREATE VIRTUAL TABLE temp.instances USING fts5vocab(main, search, 'instance')")
    rows = sorted(conn.execute("SELECT term, doc, col, offset FROM temp.instances"))
    conn.close()
    return rows


def _tables(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the search index's (``_index_instances``)."""
    conn = sqlite3.connect(db)
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'search%'")]
    tables = {name: conn.execute(f"SELECT * FROM {name} ORDER BY 1").fetchall() for name in names}
    conn.close()
    return tables


def test_search_texts_made_in_the_workers_index_what_the_writer_would(
    archive_copy: Path, tmp_path: Path, layout_v2: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Workers fold the new record's texts and read the current version's (to delete its index
    # row) so that the writer does not; the index must hold exactly what it would otherwise.
    plain = tmp_path / "plain"
    shutil.copytree(archive_copy.parent, plain)
    with Archive.open(archive_copy, create=False) as archive:
        hinted = reparse(archive, jobs=2)
    assert hinted.outcomes["added"] > 0
    filed = Archive.add_versions_from_reparse
    with monkeypatch.context() as patch:
        patch.setattr(Archive, "add_versions_from_reparse",
                      lambda self, items: filed(self, [item[:2] for item in items]))
        with Archive.open(plain / archive_copy.name, create=False) as archive:
            assert reparse(archive, jobs=1).outcomes == hinted.outcomes
    assert _index_instances(archive_copy) == _index_instances(plain / archive_copy.name)
    # Every table too: versions, their comparisons (version_changes), the rows of repeated
    # characters.
    assert _tables(archive_copy) == _tables(plain / archive_copy.name)
    # …and the record's texts are those the archive reads back from the version it filed.
    with Archive.open(archive_copy, create=False) as archive:
        for capture in itertools.islice(archive.iter_article_captures(), 5):
            version_id = archive.conn.execute(
                "SELECT version_id FROM captures WHERE id = ?", (capture["id"],)).fetchone()[0]
            record = archive.record(version_id)
            assert archive._writer.record_search_values(record) == archive._writer.search_values(version_id)


def test_a_search_hint_made_before_another_version_became_current_is_not_used(
    archive_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two captures of one article in flight: the second's hint names the version the first
    # replaces. Its texts are no longer those indexed, so the writer reads the current ones.
    plain = tmp_path / "plain"
    shutil.copytree(archive_copy.parent, plain)
    outcomes = []
    for db, hinted in ((archive_copy, True), (plain / archive_copy.name, False)):
        with Archive.open(db, create=False) as archive:
            capture = next(iter(archive.iter_article_captures()))
            version_id = archive.conn.execute(
                "SELECT version_id FROM captures WHERE id = ?", (capture["id"],)).fetchone()[0]
            base = archive.record(version_id)
            first = {**base, "paragraphs": [*base["paragraphs"], "第一次更正的段落。"]}
            second = {**base, "paragraphs": [*base["paragraphs"], "第二次更正的段落。"]}
            hints = [archive.reparse_hint(capture["id"], r) if hinted else None for r in (first, second)]
            assert not hinted or hints[1].old_version_id == version_id  # type: ignore[union-attr]
            outcomes.append(archive.add_versions_from_reparse([(capture["id"], first, hints[0])]))
            outcomes.append(archive.add_versions_from_reparse([(capture["id"], second, hints[1])]))
            assert archive.search("第一次更正") == []
            assert len(archive.search("第二次更正")) == 1
    assert outcomes == [["added"], ["added"]] * 2
    assert _index_instances(archive_copy) == _index_instances(plain / archive_copy.name)


def _dying_worker(monkeypatch: pytest.MonkeyPatch, archive_copy: Path, tmp_path: Path,
                  wait: bool = True, stop: bool = False) -> tuple[list[int], Callable[[int], None]]:
    """A worker process dies (as when killed, or out of memory) on the tenth article capture,
    in chunks of 4 captures; with ``wait``, once the parent has taken the outcomes of the two
    chunks before (the progress callback returned, the second, says when). With ``stop`` it
    is stopped instead (SIGSTOP, as by ``kill -STOP`` or a debugger), its pid in
    ``tmp_path/stopped.pid``. The article captures' ids, and that callback."""
    import os
    import signal
    import time

    from newscrawler import reparse as module
    from newscrawler import reparse_pool

    conn = sqlite3.connect(archive_copy)
    ids = [row[0] for row in conn.execute("SELECT id FROM captures WHERE kind = 'article' ORDER BY id")]
    conn.close()
    real = module.reextract
    parent = os.getpid()
    taken = tmp_path / "eight outcomes taken"

    def dying(archive: Archive, store: WarcStore, capture: dict[str, Any]) -> Any:
        if capture["id"] == ids[9] and os.getpid() != parent:
            deadline = time.monotonic() + 60
            while wait and not taken.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            if not stop:
                os._exit(9)
            (tmp_path / "stopped.pid").write_text(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGSTOP)
        return real(archive, store, capture)

    counted = itertools.count(1)

    def progress(n: int) -> None:
        if next(counted) == 8:
            taken.touch()

    monkeypatch.setattr(module, "reextract", dying)
    monkeypatch.setattr(reparse_pool, "CHUNK", 4)
    return ids, progress


def test_a_worker_that_dies_stops_the_pass_and_what_it_delivered_is_filed(
    archive_copy: Path, tmp_path: Path, layout_v2: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newscrawler.reparse import ReparseStopped

    whole, expected = _whole_pass(archive_copy, tmp_path)
    before = versions(archive_copy)
    ids, progress = _dying_worker(monkeypatch, archive_copy, tmp_path)
    # The new versions a whole pass makes from the first 8 captures.
    first_eight = _new_versions_from(whole, before, ids[:8])
    assert first_eight  # some of them changed
    with Archive.open(archive_copy, create=False) as archive, pytest.raises(ReparseStopped) as stopped:
        reparse(archive, progress=progress, jobs=2)
    assert "worker process stopped abruptly" in stopped.value.reason
    done = stopped.value.result
    # The 8 outcomes the parent took before the death are counted and filed, not dropped.
    assert done.captures == 8
    added = versions(archive_copy)[len(before):]
    assert len(added) == done.new_versions == len(first_eight)
    assert [_first_capture(archive_copy, v["id"]) for v in added] == [
        _first_capture(whole, v["id"]) for v in first_eight]
    # Running the pass again finishes it: the same archive as one pass without the death.
    monkeypatch.undo()
    monkeypatch.setattr(ZjdailyV1, "version", "2")
    monkeypatch.setattr(ZjdailyV1, "images", None)
    monkeypatch.setattr(ZjdailyV1, "comments", None)
    with Archive.open(archive_copy, create=False) as archive:
        again = reparse(archive, jobs=2)
    assert again.new_versions == expected.new_versions - done.new_versions
    assert differences(snapshot(whole), snapshot(archive_copy)) == []


def _whole_pass(archive_copy: Path, tmp_path: Path) -> tuple[Path, Any]:
    """A copy of the archive after one whole pass with ``--jobs 1`` (what a stopped pass and
    its rerun must come to), and that pass's result."""
    whole = tmp_path / "whole"
    shutil.copytree(archive_copy.parent, whole)
    with Archive.open(whole / archive_copy.name, create=False) as archive:
        return whole / archive_copy.name, reparse(archive, jobs=1)


def _new_versions_from(db: Path, before: list[Any], ids: list[int]) -> list[Any]:
    """The versions ``db`` holds past ``before`` that the captures ``ids`` made."""
    return [v for v in versions(db)[len(before):] if _first_capture(db, v["id"]) in ids]


def _first_capture(db: Path, version_id: int) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT first_capture_id FROM versions WHERE id = ?",
                                (version_id,)).fetchone()[0])
    finally:
        conn.close()


def test_command_line_names_a_dead_worker_in_one_line_and_exits_1(
    archive_copy: Path, tmp_path: Path, layout_v2: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dying_worker(monkeypatch, archive_copy, tmp_path, wait=False)
    result = CliRunner().invoke(cli, ["reparse", "--db", str(archive_copy), "--jobs", "2"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("reparsed ")
    assert result.stderr.splitlines()[-1] == (
        "Error: re-extraction stopped: a worker process stopped abruptly (killed, or out of"
        " memory). What was written before is kept; run the command again to finish (captures"
        " already re-extracted change nothing).")


def test_command_line_kills_a_stuck_worker_keeps_what_was_filed_and_exits_1(
    archive_copy: Path, tmp_path: Path, layout_v2: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing
    import os
    import threading

    whole, _ = _whole_pass(archive_copy, tmp_path)
    before = versions(archive_copy)
    ids, _ = _dying_worker(monkeypatch, archive_copy, tmp_path, wait=False, stop=True)
    # The worker stops on the tenth capture, in the third chunk of 4: the first two are delivered.
    first_eight = _new_versions_from(whole, before, ids[:8])
    assert first_eight
    results: list[Any] = []
    command = threading.Thread(target=lambda: results.append(CliRunner().invoke(
        cli, ["reparse", "--db", str(archive_copy), "--jobs", "2", "--worker-timeout", "5"])))
    command.start()
    command.join(timeout=240)
    if command.is_alive():  # the pass waits for the stopped worker: end it rather than hang
        for child in multiprocessing.active_children():
            child.kill()
        command.join()
        pytest.fail("reparse went on waiting for a stopped worker")
    result = results[0]
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stdout.splitlines()[0].startswith("reparsed 8 article captures ")
    assert result.stderr.splitlines()[-1] == (
        "Error: re-extraction stopped: a worker process delivered nothing for 5 s (stopped, or"
        " stuck); every worker was killed. What was written before is kept; run the command again"
        " to finish (captures already re-extracted change nothing).")
    # The stopped worker was killed, and every other worker ended with it.
    stopped = int((tmp_path / "stopped.pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(stopped, 0)
    assert multiprocessing.active_children() == []
    # What was filed before the stop is kept: the new versions of the first eight captures.
    added = versions(archive_copy)[len(before):]
    assert [_first_capture(archive_copy, v["id"]) for v in added] == [
        _first_capture(whole, v["id"]) for v in first_eight]
    # Running the pass again finishes it: the same archive as one pass without the stop.
    monkeypatch.undo()
    monkeypatch.setattr(ZjdailyV1, "version", "2")
    monkeypatch.setattr(ZjdailyV1, "images", None)
    monkeypatch.setattr(ZjdailyV1, "comments", None)
    again = CliRunner().invoke(cli, ["reparse", "--db", str(archive_copy), "--jobs", "2"])
    assert again.exit_code == 0, again.output
    assert differences(snapshot(whole), snapshot(archive_copy)) == []


def test_an_archive_that_refuses_a_write_stops_the_pass_saying_what_was_not_filed(
    archive_copy: Path, layout_v2: None
) -> None:
    from newscrawler.reparse import ReparseStopped

    before = versions(archive_copy)
    # Another process holds the archive's write lock for the whole pass.
    holder = sqlite3.connect(archive_copy, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Archive.open(archive_copy, create=False, busy_timeout=0.2) as archive, \
                pytest.raises(ReparseStopped) as stopped:
            reparse(archive, jobs=1)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    reason = stopped.value.reason
    assert reason.startswith("the archive refused a write (database is locked)")
    assert reason.endswith(" records of the batch being written were not filed")
    # The pass read every capture; those whose records could not be filed are not counted.
    unfiled = int(reason.split("; the ")[1].split()[0])
    assert unfiled > 0
    assert stopped.value.result.captures == len(before) - unfiled
    assert versions(archive_copy) == before
