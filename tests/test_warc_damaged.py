"""Damaged WARC files: what can be read is read, the damage is named, counted and never lost.

The WARC files are real: one crawl of the fixture portal (no Crawl-delay) writes them, once for
the module; the tests damage copies (cut off mid-record, a corrupt record in the middle of a file
whose index is intact, random bytes beside them, only random bytes) and replay or export those
through the command line, then read the archive and the summary. Unit tests read the copies with
the index and build the handler directly, or write their own files with the crawler's writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import random
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler
from support import crawl_with_warc, run_cli
from warcio.archiveiterator import ArchiveIterator

from archive.warc import DamagedRecord, WarcStore
from newscrawler.accounting import UnreadableCapture
from newscrawler.portals import canonical_url
from newscrawler.warc.__main__ import main as warc_command
from newscrawler.warc.index import (
    CaptureIndex,
    Entry,
    index_warc,
    read_record,
    scan_warc,
    warc_files,
)
from newscrawler.warc.replay import (
    DAMAGED_STAT,
    UNREADABLE_STAT,
    WarcReplayDownloadHandler,
    WarcReplayError,
)
from newscrawler.warc.writer import Exchange, WarcFileSet

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]


@pytest.fixture(scope="module")
def original(warc: Path) -> Path:
    """The archive of the crawl that wrote the WARC file (``warc/`` beside it)."""
    return warc.parent.parent / "a.sqlite"


@pytest.fixture(scope="module")
def warc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The WARC file of a crawl of the fixture portal (its ``.cdxj`` beside it)."""
    (path,) = warc_files(crawl_with_warc(tmp_path_factory.mktemp("damaged")))
    return path


def cut_copy(warc: Path, target: Path, size: int, with_index: bool = False) -> Path:
    """A copy of the WARC file cut off after ``size`` bytes, alone in ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    copy = target / warc.name
    copy.write_bytes(warc.read_bytes()[:size])
    if with_index:
        shutil.copy(warc.with_name(warc.name + ".cdxj"), target)
    return copy


def mid_record_cut(warc: Path) -> tuple[int, list[Entry]]:
    """A cut in the middle of a response record about halfway through the file, and the
    captures wholly before it."""
    captures = list(index_warc(warc))
    middle = next(e for e in captures
                  if e.offset > warc.stat().st_size // 2 and not e.is_revisit and e.length > 2000)
    cut = middle.offset + middle.length // 2
    return cut, [e for e in captures if e.offset + e.length <= cut]


def damaged_copy(warc: Path, target: Path) -> tuple[Path, Entry]:
    """A copy of the WARC file with its index, intact, in ``target``; 300 random bytes are
    written over the middle of one article's response record, about halfway through the file."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(warc.with_name(warc.name + ".cdxj"), target)
    captures = sorted(index_warc(warc), key=lambda e: e.offset)
    hit = next(e for e in captures if e.offset > warc.stat().st_size // 2 and "/p/" in e.url
               and not e.is_revisit and e.status == "200")
    data = bytearray(warc.read_bytes())
    middle = hit.offset + hit.length // 2
    data[middle - 150: middle + 150] = random.Random(hit.url).randbytes(300)
    (target / warc.name).write_bytes(bytes(data))
    return target / warc.name, hit


def record_bounds(warc: Path) -> set[int]:
    """Where each record of the file (of any type) starts and ends."""
    bounds = set()
    with warc.open("rb") as stream:
        records = ArchiveIterator(stream)
        for _ in records:
            bounds |= {records.get_record_offset(), records.get_record_offset() + records.get_record_length()}
    return bounds


def junk(path: Path) -> Path:
    """Random bytes (the same each run) under a WARC file's name."""
    path.write_bytes(random.Random(path.name).randbytes(5000))
    return path


def crawl(source: Path, db: Path, *args: str) -> Any:
    return run_cli("crawl", "zjdaily", "--replay", str(source), "--db", str(db), "--no-warc", *FAST, *args,
                   timeout=180)


def rows(db: Path, query: str) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute(query).fetchall()


def archived(db: Path) -> dict[str, int]:
    """Status by canonical URL of every capture in the archive."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return {canonical_url(url): status for url, status in conn.execute("SELECT url, status FROM captures")}


def lines_with(text: str, word: str) -> list[str]:
    return [line for line in text.splitlines() if word in line]


# --- reading damaged files ---------------------------------------------------------------------


def test_every_cut_keeps_the_whole_records_before_it(warc: Path, tmp_path: Path) -> None:
    captures = list(index_warc(warc))
    size = warc.stat().st_size
    bounds = record_bounds(warc)
    # Cuts all through the file, and some in the last bytes of a record's gzip member (its
    # trailer: the record reads whole, the file is still cut off).
    for cut in [*range(97, size, size // 40), *(end - 4 for end in sorted(bounds)[1:8])]:
        copy = cut_copy(warc, tmp_path / str(cut), cut)
        index = CaptureIndex.load(copy.parent)
        kept = {(e.url, e.offset) for entries in index.by_key.values() for e in entries}
        whole = {(e.url, e.offset) for e in captures if e.offset + e.length <= cut}
        begun = {(e.url, e.offset) for e in captures if e.offset < cut}
        assert whole <= kept <= begun, cut
        if cut not in bounds:  # a cut between two records leaves a whole WARC
            (damage,) = index.damaged
            assert damage.filename == warc.name and damage.offset <= cut, cut
            assert damage.captures == len(kept)


def test_an_index_beside_a_cut_file_keeps_every_capture_it_lists(warc: Path, tmp_path: Path) -> None:
    cut, before = mid_record_cut(warc)
    copy = cut_copy(warc, tmp_path, cut, with_index=True)
    index = CaptureIndex.load(copy.parent)
    listed = list(index_warc(warc))
    # Those past the end stay known, so that a replay says they are lost rather than 404.
    assert len(index) == len(listed)
    (damage,) = index.damaged
    assert damage.offset == cut and "past its end" in damage.reason
    assert damage.captures == len(before)
    lost = next(e for e in listed if e.offset + e.length > cut)
    with pytest.raises(DamagedRecord, match=f"{warc.name}: the gzip member at offset {lost.offset} is truncated"):
        read_record(copy, lost.offset)


def test_no_index_is_written_for_a_damaged_file(warc: Path, tmp_path: Path) -> None:
    copy = cut_copy(warc, tmp_path, mid_record_cut(warc)[0])
    with contextlib.redirect_stderr(io.StringIO()) as said:
        assert warc_command(["index", str(copy)]) == 1
    assert said.getvalue().startswith(f"error: {warc.name}: ") and "cut off" in said.getvalue()
    assert not copy.with_name(copy.name + ".cdxj").exists()
    # Nor for one with a corrupt record in the middle, though every other record reads: an
    # index would hide the damage from a replay, which reads the file itself and names it.
    copy, hit = damaged_copy(warc, tmp_path / "corrupt")
    copy.with_name(copy.name + ".cdxj").unlink()
    with contextlib.redirect_stderr(io.StringIO()) as said:
        assert warc_command(["index", str(copy)]) == 1
    (line,) = said.getvalue().splitlines()
    assert line.startswith(f"error: {warc.name}: corrupt gzip data (") and f"at byte {hit.offset} after" in line
    assert f"read on from byte {hit.offset + hit.length}; {len(list(index_warc(warc))) - 1} captures" in line
    assert line.endswith("(no index written: a replay reads the file itself and names the damage)")
    assert not copy.with_name(copy.name + ".cdxj").exists()


def test_reading_goes_on_past_a_damaged_member_to_the_next_record(warc: Path, tmp_path: Path) -> None:
    # No index: a corrupt record in the middle, then bytes that are no record, one of them
    # starting like a gzip member (1f 8b 08) to be tried and passed over, between two records.
    copy, hit = damaged_copy(warc, tmp_path)
    copy.with_name(copy.name + ".cdxj").unlink()
    data = copy.read_bytes()
    later = next(e for e in sorted(index_warc(warc), key=lambda e: e.offset) if e.offset > hit.offset + hit.length)
    noise = b"\x00" * 40 + b"\x1f\x8b\x08" + random.Random(3).randbytes(200)
    copy.write_bytes(data[:later.offset] + noise + data[later.offset:])
    entries, damages = scan_warc(copy)
    shifted = {(e.url, e.offset if e.offset < later.offset else e.offset + len(noise))
               for e in index_warc(warc) if e.offset != hit.offset}
    assert {(e.url, e.offset) for e in entries} == shifted
    assert [(d.offset, d.resumed) for d in damages] == [
        (hit.offset, hit.offset + hit.length), (later.offset, later.offset + len(noise))]
    assert all(d.captures == len(entries) for d in damages)
    assert str(damages[0]).startswith(f"{warc.name}: corrupt gzip data (")
    assert str(damages[1]).startswith(f"{warc.name}: cut off or corrupt (bytes past the last whole record")
    # Every capture read is read whole by the single-record reader, at its offset.
    for entry in entries:
        assert read_record(copy, entry.offset)[0].rec_headers.get_header("WARC-Target-URI") == entry.url


def test_handler_without_a_readable_file_says_so(tmp_path: Path) -> None:
    junk(tmp_path / "junk.warc.gz")
    (tmp_path / "notes.warc").write_text("not a WARC\n", encoding="utf-8")
    crawler = get_crawler(settings_dict={"NEWSCRAWLER_REPLAY_WARC": str(tmp_path)})
    for _ in ("http", "https"):  # both schemes' handlers fail alike
        with pytest.raises(WarcReplayError, match="no readable WARC file") as raised:
            WarcReplayDownloadHandler(crawler)
        assert "junk.warc.gz: not a WARC file" in str(raised.value)
        assert "notes.warc: not a WARC file" in str(raised.value)


def test_a_record_unreadable_when_asked_for_fails_its_request_and_is_named(tmp_path: Path) -> None:
    files = WarcFileSet(tmp_path, 10**6, {"software": "test"})
    urls = [f"https://www.x.cn/{name}.html" for name in "abc"]
    written = [
        files.write_exchange(Exchange(url, "GET", [("Host", "www.x.cn")], b"", 200, "OK",
                                      [("Content-Type", "text/html")], f"<p>{url}</p>".encode() * 200))
        for url in urls
    ]
    files.close()
    (path,) = files.files
    data = bytearray(path.read_bytes())
    data[written[1].offset + 30: written[1].offset + 60] = b"\0" * 30  # the index does not know
    path.write_bytes(bytes(data))
    crawler = get_crawler(settings_dict={"NEWSCRAWLER_REPLAY_WARC": str(tmp_path)})
    handler = WarcReplayDownloadHandler(crawler)
    for _ in range(2):
        # Captured, so never a 404: the request fails with the reason.
        with pytest.raises(UnreadableCapture, match=f"gzip member at offset {written[1].offset} is damaged"):
            asyncio.run(handler.download_request(Request(urls[1])))
    # The records before and after it, in the same file, are read as usual.
    for url in (urls[0], urls[2]):
        response = asyncio.run(handler.download_request(Request(url)))
        assert response.status == 200 and response.body == f"<p>{url}</p>".encode() * 200
    assert crawler.stats is not None
    (named,) = crawler.stats.get_value(DAMAGED_STAT)  # once, however often it is asked for
    assert named.startswith(f"{path.name}: the gzip member at offset {written[1].offset} is damaged (")
    assert named.endswith(f"): {urls[1]}")
    assert crawler.stats.get_value(UNREADABLE_STAT) == 2


# --- crawls --------------------------------------------------------------------------------------


def test_a_cut_off_file_replays_its_intact_part(warc: Path, tmp_path: Path) -> None:
    cut, before = mid_record_cut(warc)
    source = cut_copy(warc, tmp_path / "warc", cut).parent
    result = crawl(source, tmp_path / "a.sqlite")
    # Pages were lost to the damage: the crawl finished, and says it is not whole.
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    # The summary names the file, where it stopped and what is left; the log warns once.
    (named,) = [line for line in lines_with(result.stdout, warc.name)]
    assert f"{len(before)} captures replayable" in named and "cut off" in named
    assert "damaged WARC files: 1; pages not replayed (their records unreadable): 0" in result.stdout
    assert len(lines_with(result.stderr, f"Damaged WARC file: {warc.name}")) == 1
    assert "NoneType" not in result.stdout + result.stderr
    assert " 0 lost without a reason" in result.stdout
    # Pages captured before the cut are archived as they were; the rest are not known to have
    # been captured, so they are not answered (no 404 is made up for them) and counted.
    captured = {canonical_url(e.url): int(e.status) for e in before}
    pages = archived(tmp_path / "a.sqlite")
    assert any(status == 200 for status in pages.values())
    assert all(status == captured[url] for url, status in pages.items())
    assert re.search(r"pages not captured in the WARC files \(not replayed, nothing archived\): [1-9]",
                     result.stdout)


def test_pages_an_index_lists_past_the_cut_are_not_replayed_not_404(warc: Path, tmp_path: Path) -> None:
    cut, before = mid_record_cut(warc)
    source = cut_copy(warc, tmp_path / "warc", cut, with_index=True).parent
    result = crawl(source, tmp_path / "a.sqlite")
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    lost = int(re.search(r"pages not replayed \(their records unreadable\): (\d+)", result.stdout)[1])
    assert lost > 0 and f"failed (unreadable capture {lost})" in result.stdout
    assert f"past its end) at byte {cut}; {len(before)} captures replayable" in result.stdout
    # Every capture the index lists is known: what the crawl archived is what was captured.
    captured = {canonical_url(e.url): int(e.status) for e in index_warc(warc)}
    pages = archived(tmp_path / "a.sqlite")
    assert pages and all(status == captured[url] for url, status in pages.items())
    assert 404 not in pages.values()


def test_random_bytes_beside_good_files_change_nothing_but_the_warning_and_status(warc: Path, tmp_path: Path) -> None:
    good = tmp_path / "good"
    good.mkdir()
    shutil.copy(warc, good)
    mixed = tmp_path / "mixed"
    shutil.copytree(good, mixed)
    junk(mixed / "junk.warc.gz")
    clean, damaged = crawl(good, tmp_path / "good.sqlite"), crawl(mixed, tmp_path / "mixed.sqlite")
    # What the unreadable file held is unknown: the replay is not known to be whole.
    assert (clean.returncode, damaged.returncode) == (0, 1), damaged.stderr[-3000:]
    assert archived(tmp_path / "mixed.sqlite") == archived(tmp_path / "good.sqlite")
    assert lines_with(damaged.stdout, "junk.warc.gz") == ["    junk.warc.gz: not a WARC file, nothing replayable"]
    assert not lines_with(clean.stdout, "damaged WARC")
    assert len(lines_with(damaged.stderr, "Damaged WARC file: junk.warc.gz")) == 1


def test_no_readable_file_is_bad_input(tmp_path: Path) -> None:
    source = tmp_path / "warc"
    source.mkdir()
    junk(source / "a.warc.gz")
    junk(source / "b.warc.gz")
    result = crawl(source, tmp_path / "a.sqlite")
    assert result.returncode == 2
    (error,) = lines_with(result.stderr, "Error:")
    assert "no readable WARC file" in error
    assert "a.warc.gz: not a WARC file" in error and "b.warc.gz: not a WARC file" in error
    assert not (tmp_path / "a.sqlite").exists()  # nothing ran


def test_a_corrupt_record_mid_file_fails_alone_and_the_crawl_says_so(
    warc: Path, original: Path, tmp_path: Path
) -> None:
    copy, hit = damaged_copy(warc, tmp_path / "warc")
    result = crawl(copy.parent, tmp_path / "a.sqlite")
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    damage = f"{warc.name}: the gzip member at offset {hit.offset} is damaged ("
    # One warning for the record, naming file, offset and URL; the summary counts and lists it.
    (warning,) = lines_with(result.stderr, "Damaged WARC record:")
    assert damage in warning and hit.url in warning
    assert "damaged WARC files: 1; pages not replayed (their records unreadable): 1" in result.stdout
    (listed,) = lines_with(result.stdout, damage)
    assert listed.endswith(f"): {hit.url}")
    assert "download errors: 1" in result.stdout
    assert "1 failed (unreadable capture 1), 0 lost without a reason" in result.stdout
    # Never a 404 for a page that was captured: no capture of it at all; every other page is
    # archived as the crawl that wrote the file archived it, those whose records come after the
    # damaged one in the file too.
    expected = archived(original)
    del expected[canonical_url(hit.url)]
    assert archived(tmp_path / "a.sqlite") == expected
    after = rows(tmp_path / "a.sqlite", f"SELECT count(*) FROM captures WHERE warc_offset > {hit.offset}")
    assert after[0][0] > 0


def test_a_corrupt_record_in_a_file_without_index_costs_that_page_alone(
    warc: Path, original: Path, tmp_path: Path
) -> None:
    copy, hit = damaged_copy(warc, tmp_path / "warc")
    copy.with_name(copy.name + ".cdxj").unlink()
    result = crawl(copy.parent, tmp_path / "a.sqlite")
    # Damage met: exit 1, the file named once in the log and in the summary, with where reading
    # went on and what the file still gives.
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    captures = len(list(index_warc(warc))) - 1
    (named,) = lines_with(result.stdout, warc.name)
    assert re.fullmatch(rf"    {re.escape(warc.name)}: corrupt gzip data \(.+\) at byte {hit.offset} after \d+"
                        rf" records, read on from byte {hit.offset + hit.length}; {captures} captures replayable",
                        named), named
    assert len(lines_with(result.stderr, f"Damaged WARC file: {warc.name}")) == 1
    assert "damaged WARC files: 1; pages not replayed (their records unreadable): 0" in result.stdout
    # The records after the damaged one are replayed: every page but the one whose record is
    # lost is archived as the crawl that wrote the file archived it. That one is unknown to the
    # replay (its URL was in the lost bytes): not answered, counted as not captured.
    expected = archived(original)
    del expected[canonical_url(hit.url)]
    assert archived(tmp_path / "a.sqlite") == expected
    assert rows(tmp_path / "a.sqlite", f"SELECT count(*) FROM captures WHERE warc_offset > {hit.offset}")[0][0] > 0
    assert "failed (not captured 1), 0 lost without a reason" in result.stdout


def test_a_corrupt_record_changes_nothing_archived(warc: Path, original: Path, tmp_path: Path) -> None:
    # Replayed into the archive that holds its article, every article asked for again: the
    # unreadable record is not taken for the page gone (a 404 is a sign of removal).
    copy, hit = damaged_copy(warc, tmp_path / "warc")
    db = tmp_path / "a.sqlite"
    shutil.copy(original, db)
    before = rows(db, "SELECT * FROM captures ORDER BY id")
    result = crawl(copy.parent, db, "--recrawl", "all")
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    assert "1 failed (unreadable capture 1)" in result.stdout
    last = before[-1][0]
    assert rows(db, f"SELECT * FROM captures WHERE id <= {last} ORDER BY id") == before
    added = rows(db, f"SELECT url, status FROM captures WHERE id > {last}")
    assert all(status == 200 and canonical_url(url) != canonical_url(hit.url) for url, status in added)
    assert rows(db, "SELECT DISTINCT status FROM articles") == [("live",)]
    assert rows(db, "SELECT count(*) FROM article_events") == [(0,)]


def test_export_names_a_damaged_record_and_loses_no_capture(
    warc: Path, original: Path, tmp_path: Path
) -> None:
    copy, hit = damaged_copy(warc, tmp_path / "warc")  # warc/ beside the archive's copy
    db = tmp_path / "a.sqlite"
    shutil.copy(original, db)
    ((capture_id,),) = rows(db, f"SELECT id FROM captures WHERE warc_offset = {hit.offset}")
    articles = rows(db, "SELECT count(*) FROM captures WHERE article_id IS NOT NULL AND status = 200")[0][0]
    damage = f"{copy}: the gzip member at offset {hit.offset} is damaged ("

    out = tmp_path / "export.warc.gz"
    result = run_cli("export", "--format", "warc", "-o", str(out), "--db", str(db))
    assert result.returncode == 1, result.stderr
    assert (f"({articles - 1} copied from WARC files, 0 from revisits, 1 rebuilt from the archive,"
            f" 0 skipped); damaged WARC records: 1") in result.stderr
    (listed,) = lines_with(result.stderr, damage)
    assert listed.startswith(f"  capture {capture_id} {hit.url}: rebuilt from the archive, its WARC record is damaged:")
    # The page is there all the same, from the archive's stored body; the others are copied.
    with out.open("rb") as stream:
        exported = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(stream)
                    if r.rec_type == "response"]
    assert len(exported) == articles and hit.url in exported

    # Without the archive's bodies the capture cannot be exported: said, and the status says so.
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("DELETE FROM bodies")
        conn.commit()
    result = run_cli("export", "--format", "warc", "-o", str(out), "--db", str(db))
    assert result.returncode == 1, result.stderr
    assert (f"{articles - 1} captures of {articles} articles written to {out} ({articles - 1} copied"
            " from WARC files, 0 from revisits, 0 rebuilt from the archive, 1 skipped);"
            " damaged WARC records: 1") in result.stderr
    (listed,) = lines_with(result.stderr, damage)
    assert listed.startswith(f"  capture {capture_id} {hit.url}: not exported, no body in the archive:")


def test_damage_past_warcios_first_read_is_found_by_every_reader(tmp_path: Path) -> None:
    # A record whose gzip member is longer than warcio reads at once (16 kB), damaged near its
    # end: warcio would hand back a cut, garbled payload with a line on standard error.
    text = random.Random(7)
    body = "".join(text.choice("湛江日报记者编辑新闻报道 abcdefghij") for _ in range(60000)).encode()
    url = "https://www.x.cn/long.html"
    exchange = Exchange(url, "GET", [("Host", "www.x.cn")], b"", 200, "OK", [("Content-Type", "text/html")], body)
    files = WarcFileSet(tmp_path, 10**7, {"software": "test"})
    first = files.write_exchange(exchange)
    files.close()
    (path,) = files.files
    assert first.length > 3 * 16384
    data = bytearray(path.read_bytes())
    at = first.offset + first.length * 4 // 5
    data[at: at + 200] = text.randbytes(200)
    path.write_bytes(bytes(data))
    damaged = f"the gzip member at offset {first.offset} is damaged"

    with pytest.raises(DamagedRecord, match=damaged):
        read_record(path, first.offset)  # replay
    with WarcStore(tmp_path) as store:
        with pytest.raises(DamagedRecord, match=damaged):
            store.load(path.name, first.offset)  # export, revisits
        with pytest.raises(DamagedRecord, match=damaged):
            store.body(path.name, first.offset)  # re-extraction
    # The same page captured again is written in full: a revisit of the damaged record would
    # lose it.
    again = WarcFileSet(tmp_path, 10**7, {"software": "test"})
    second = again.write_exchange(exchange)
    again.close()
    assert second.record_type == "response"
    assert read_record(tmp_path / second.filename, second.offset)[1] == body
