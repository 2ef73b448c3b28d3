"""Uncompressed `.warc` files: read whole or named as damaged, and exported as valid gzip.

An uncompressed record has no checksum of its own: its damage is found by its digests
(``WARC-Block-Digest``) and its framing (its ``Content-Length`` must end it where blank lines and
the next record's ``WARC/`` line, or the file's end, follow). The files are real: one crawl of
the fixture portal writes a ``.warc.gz``, which is inflated into the same records uncompressed;
a second crawl replays that `.warc` (without writing WARC files of its own), so its archive's
captures point at the uncompressed file. Tests damage copies by flipping or cutting bytes, and
read them through the replay, the export and the index command, as users do.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import re
import shutil
import sqlite3
import zlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from support import crawl_with_warc, run_cli
from warcio.archiveiterator import ArchiveIterator
from warcio.checker import Checker
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive import Archive
from archive.warc import DamagedRecord, WarcStore
from newscrawler.warc.__main__ import main as warc_command
from newscrawler.warc.index import Entry, index_warc, read_record, scan_warc, warc_files

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``plain``: the crawl's WARC file uncompressed, alone in its directory (no index);
    ``archive``: the archive of a replay of it, whose captures point at it."""
    tmp = tmp_path_factory.mktemp("uncompressed")
    (compressed,) = warc_files(crawl_with_warc(tmp))
    plain = tmp / "plain" / compressed.name.removesuffix(".gz")
    plain.parent.mkdir()
    # The members inflated one after the other: the same records, uncompressed.
    plain.write_bytes(gzip.decompress(compressed.read_bytes()))
    db = tmp / "replayed" / "archive.sqlite"
    result = run_cli("crawl", "zjdaily", "--replay", str(plain.parent), "--db", str(db), "--no-warc",
                     *FAST, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return {"plain": plain, "archive": db}


def rows(db: Path, query: str) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute(query).fetchall()


def check(path: Path) -> None:
    """warcio's checker: every record readable, every digest valid."""
    checker = Checker(SimpleNamespace(inputs=[str(path)], verbose=False))
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        assert checker.process_all() == 0, report.getvalue()


def exported(path: Path) -> dict[int, bytes]:
    """Capture id -> decoded payload of the response its metadata record names, read by warcio."""
    payloads, captures = {}, {}
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            headers = record.rec_headers
            if record.rec_type == "response":
                payloads[headers.get_header("WARC-Record-ID")] = record.content_stream().read()
            elif record.rec_type == "metadata":
                fields = dict(line.split(": ", 1) for line in record.content_stream().read().decode().splitlines())
                captures[int(fields["archive-capture-id"])] = headers.get_header("WARC-Refers-To")
    return {capture_id: payloads[record_id] for capture_id, record_id in captures.items()}


def article_bodies(db: Path) -> dict[int, bytes]:
    """Capture id -> the archive's stored body, for every article capture."""
    with Archive.open(db, create=False) as archive:
        return {capture_id: archive.capture_body(capture_id) for (capture_id,) in archive.conn.execute(
            "SELECT id FROM captures WHERE article_id IS NOT NULL AND status = 200")}


def plain_captures(plain: Path) -> list[Entry]:
    return sorted(index_warc(plain), key=lambda e: e.offset)


# --- export ------------------------------------------------------------------------------------


def test_records_copied_from_an_uncompressed_file_are_gzip_members(crawled: dict[str, Path], tmp_path: Path) -> None:
    db, plain = crawled["archive"], crawled["plain"]
    assert {name for (name,) in rows(db, "SELECT DISTINCT warc_filename FROM captures")} == {plain.name}
    out = tmp_path / "export.warc.gz"
    result = run_cli("export", "--format", "warc", "-o", str(out), "--db", str(db),
                     "--warc-dir", str(plain.parent))
    assert result.returncode == 0, result.stderr
    bodies = article_bodies(db)
    assert f"({len(bodies)} copied from WARC files, 0 from revisits, 0 rebuilt" in result.stderr
    check(out)
    # Each record its own gzip member: the file reads member by member, and every page is there
    # as the archive holds it.
    data, at, members = out.read_bytes(), 0, 0
    while at < len(data):
        member = zlib.decompressobj(16 + zlib.MAX_WBITS)
        record = member.decompress(data[at:])
        assert member.eof and record.startswith(b"WARC/1.") and record.endswith(b"\r\n\r\n"), at
        at, members = len(data) - len(member.unused_data), members + 1
    with out.open("rb") as stream:
        assert members == len(list(ArchiveIterator(stream)))
    assert exported(out) == bodies
    # The index points at each response's member, which inflates alone to that record.
    for line in out.with_name(out.name + ".cdxj").read_text(encoding="utf-8").splitlines():
        fields = json.loads(line.split(" ", 2)[2])
        with out.open("rb") as stream:
            stream.seek(int(fields["offset"]))
            record = gzip.decompress(stream.read(int(fields["length"])))
        assert record.startswith(b"WARC/1.1\r\n") and record.endswith(b"\r\n\r\n")
        assert f"WARC-Target-URI: {fields['url']}\r\n".encode() in record


# --- replay and export of a damaged record -----------------------------------------------------


def damaged_copy(plain: Path, target: Path, with_index: bool) -> tuple[Path, Entry]:
    """A copy of the uncompressed file alone in ``target``, one bit flipped in the page of an
    article's response about halfway through it; with ``with_index``, its index is written
    first, while the copy is whole."""
    target.mkdir(parents=True)
    copy = target / plain.name
    shutil.copy(plain, copy)
    if with_index:
        with contextlib.redirect_stdout(io.StringIO()):
            assert warc_command(["index", str(copy)]) == 0
    hit = next(e for e in plain_captures(plain) if e.offset > plain.stat().st_size // 2
               and "/p/" in e.url and not e.is_revisit and e.status == "200")
    flip(copy, hit.offset + hit.length - 200)
    return copy, hit


def crawl(source: Path, db: Path) -> Any:
    return run_cli("crawl", "zjdaily", "--replay", str(source), "--db", str(db), "--no-warc", *FAST,
                   timeout=180)


def test_replay_fails_the_damaged_page_alone(crawled: dict[str, Path], tmp_path: Path) -> None:
    copy, hit = damaged_copy(crawled["plain"], tmp_path / "warc", with_index=True)
    result = crawl(copy.parent, tmp_path / "a.sqlite")
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    damage = f"{copy.name}: the record at offset {hit.offset} is damaged (its block does not match its"
    (warning,) = [line for line in result.stderr.splitlines() if "Damaged WARC record:" in line]
    assert damage in warning
    assert "damaged WARC files: 1; pages not replayed (their records unreadable): 1" in result.stdout
    (listed,) = [line for line in result.stdout.splitlines() if damage in line]
    assert listed.endswith(f"): {hit.url}")
    assert "1 failed (unreadable capture 1), 0 lost without a reason" in result.stdout
    # Nothing is archived from the damaged record; the records after it are replayed.
    db = tmp_path / "a.sqlite"
    assert rows(db, f"SELECT count(*) FROM captures WHERE warc_offset = {hit.offset}") == [(0,)]
    assert rows(db, f"SELECT count(*) FROM captures WHERE warc_offset > {hit.offset}")[0][0] > 0


def test_replay_without_index_reads_on_past_the_damaged_record(crawled: dict[str, Path], tmp_path: Path) -> None:
    copy, hit = damaged_copy(crawled["plain"], tmp_path / "warc", with_index=False)
    result = crawl(copy.parent, tmp_path / "a.sqlite")
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    (named,) = [line for line in result.stdout.splitlines() if copy.name in line]
    assert re.fullmatch(rf"    {re.escape(copy.name)}: damaged record \(its block does not match its WARC-Block-Digest"
                        rf" sha1:\w+\) at byte {hit.offset} after \d+ records, read on from byte \d+;"
                        rf" {len(plain_captures(crawled['plain'])) - 1} captures replayable", named), named
    after = rows(tmp_path / "a.sqlite", f"SELECT count(*) FROM captures WHERE warc_offset > {hit.offset}")
    assert after[0][0] > 0


def test_export_names_the_damaged_record_and_rebuilds_its_page(crawled: dict[str, Path], tmp_path: Path) -> None:
    copy, hit = damaged_copy(crawled["plain"], tmp_path / "warc", with_index=False)
    db = tmp_path / "archive.sqlite"
    shutil.copy(crawled["archive"], db)
    damaged = [capture_id for (capture_id,) in rows(
        db, f"SELECT id FROM captures WHERE warc_offset = {hit.offset} AND article_id IS NOT NULL AND status = 200")]
    assert damaged
    out = tmp_path / "export.warc.gz"
    result = run_cli("export", "--format", "warc", "-o", str(out), "--db", str(db), "--warc-dir", str(copy.parent))
    assert result.returncode == 1, result.stderr
    bodies = article_bodies(db)
    assert (f"({len(bodies) - len(damaged)} copied from WARC files, 0 from revisits, {len(damaged)} rebuilt"
            f" from the archive, 0 skipped); damaged WARC records: {len(damaged)}") in result.stderr
    damage = f"{copy}: the record at offset {hit.offset} is damaged (its block does not match"
    listed = [line for line in result.stderr.splitlines() if damage in line]
    assert [line.split(" ")[3] for line in listed] == [str(i) for i in damaged]
    check(out)
    assert exported(out) == bodies



# --- reading damaged records --------------------------------------------------------------------


def warcio_file(path: Path, pages: int = 3) -> list[tuple[str, int]]:
    """An uncompressed WARC file written by warcio: a warcinfo record, then a response (a page
    of a few kB) and its request for each page; returns each response's URL and offset."""
    written = []
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=False, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for number in range(pages):
            url = f"https://www.x.cn/p/{number}.html"
            body = f"<p>第{number}页 {url}</p>\n".encode() * 100
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            response = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
            written.append((url, stream.tell()))
            writer.write_record(response)
            request = StatusAndHeaders(f"GET /p/{number}.html HTTP/1.1", [("Host", "www.x.cn")], is_http_request=True)
            writer.write_record(writer.create_warc_record(
                url, "request", payload=io.BytesIO(b""), http_headers=request,
                warc_headers_dict={"WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")}))
    return written


def flip(path: Path, at: int) -> None:
    """One bit of the byte at ``at`` turned over."""
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def record_starts(path: Path) -> list[int]:
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        return [records.get_record_offset() for _ in records]


def test_a_flipped_byte_is_found_by_every_reader(tmp_path: Path) -> None:
    path = tmp_path / "pages.warc"
    (first, _), (_, hit), (last, _) = warcio_file(path)
    next_record = next(start for start in record_starts(path) if start > hit)
    flip(path, hit + 1500)  # in the page
    damaged = (rf"{path.name}: the record at offset {hit} is damaged"
               r" \(its block does not match its WARC-Block-Digest sha1:")

    with pytest.raises(DamagedRecord, match=damaged):
        read_record(path, hit)  # replay
    with WarcStore(tmp_path) as store:
        with pytest.raises(DamagedRecord, match=damaged):
            store.load(path.name, hit)  # export, revisits
        with pytest.raises(DamagedRecord, match=damaged):
            store.body(path.name, hit)  # re-extraction
    # The records before and after it read as usual.
    assert read_record(path, record_starts(path)[1])[0].rec_headers.get_header("WARC-Target-URI") == first
    # Read through without an index: the damage is named, and reading goes on at the next record.
    entries, (damage,) = scan_warc(path)
    assert [e.url for e in entries] == [first, last]
    assert (damage.offset, damage.resumed, damage.captures) == (hit, next_record, 2)
    assert str(damage).startswith(f"{path.name}: damaged record (its block does not match its WARC-Block-Digest")
    with contextlib.redirect_stderr(io.StringIO()) as said:
        assert warc_command(["index", str(path)]) == 1
    assert re.search(rf"at byte {hit} after 3 records, read on from byte {next_record}; 2 captures", said.getvalue())
    assert not path.with_name(path.name + ".cdxj").exists()


def test_a_cut_off_record_is_truncated(tmp_path: Path) -> None:
    path = tmp_path / "pages.warc"
    (first, _), (second, _), (_, last) = warcio_file(path)
    path.write_bytes(path.read_bytes()[:last + 1000])  # in the last page
    with pytest.raises(DamagedRecord, match=rf"record at offset {last} is truncated \(\d+ bytes of its block missing"):
        read_record(path, last)
    entries, (damage,) = scan_warc(path)
    assert [e.url for e in entries] == [first, second]
    assert (damage.offset, damage.resumed) == (last, None)
    assert damage.reason.startswith("cut off (") and "bytes of a record missing" in damage.reason
    # Cut in the blank lines that end the last record: its block is whole, the file is not.
    whole = tmp_path / "whole.warc"
    warcio_file(whole)
    whole.write_bytes(whole.read_bytes()[:-4])
    with pytest.raises(DamagedRecord, match="where the end of the file follows"):
        read_record(whole, record_starts(whole)[-1])


def without_digests(path: Path) -> None:
    """The file with every digest header taken out (Content-Length stays true)."""
    path.write_bytes(re.sub(rb"WARC-(Block|Payload)-Digest: [^\r]*\r\n", b"", path.read_bytes()))


def set_length(path: Path, offset: int, change: int) -> None:
    """The Content-Length of the record at ``offset`` made ``change`` bytes longer."""
    data = path.read_bytes()
    head = data.index(b"\r\n\r\n", offset)
    found = re.compile(rb"Content-Length: (\d+)").search(data, offset, head)
    assert found
    new = f"Content-Length: {int(found[1]) + change}".encode()
    path.write_bytes(data[:found.start()] + new + data[found.end():])


@pytest.mark.parametrize("change", [-10, 10, 4])
def test_a_wrong_content_length_is_damage_without_digests_too(tmp_path: Path, change: int) -> None:
    path = tmp_path / "pages.warc"
    warcio_file(path)
    without_digests(path)
    hit = record_starts(path)[3]  # the second response, the offsets moved
    read_record(path, hit)
    set_length(path, hit, change)
    with pytest.raises(DamagedRecord, match=rf"the record at offset {hit} is damaged \(its Content-Length ends it"):
        read_record(path, hit)
    (damage,) = scan_warc(path)[1]
    assert damage.offset == hit and "Content-Length" in damage.reason


def test_a_content_length_past_the_end_of_the_file_is_truncation(tmp_path: Path) -> None:
    path = tmp_path / "pages.warc"
    warcio_file(path)
    last = record_starts(path)[-1]
    set_length(path, last, 5000)
    with pytest.raises(DamagedRecord, match=rf"record at offset {last} is truncated \(\d+ bytes of its block missing"):
        read_record(path, last)


def test_digests_checked_block_first(tmp_path: Path) -> None:
    path = tmp_path / "pages.warc"
    (_, _), (url, _), (_, _) = warcio_file(path)
    data = path.read_bytes()
    hit = record_starts(path)[3]
    # A payload digest that does not match, the block digest matching: the bytes are as the
    # writer hashed them (tools differ on what a payload digest covers), so the record reads.
    head = data.index(b"\r\n\r\n", hit)
    wrong = re.sub(rb"(WARC-Payload-Digest: sha1:)[A-Z2-7]{32}", rb"\g<1>" + b"A" * 32, data[hit:head])
    path.write_bytes(data[:hit] + wrong + data[head:])
    assert read_record(path, hit)[0].rec_headers.get_header("WARC-Target-URI") == url
    # With only a payload digest, a flipped byte of the payload is found by it.
    path.write_bytes(re.sub(rb"WARC-Block-Digest: [^\r]*\r\n", b"", data))
    hit = record_starts(path)[3]
    read_record(path, hit)
    flip(path, hit + 1500)
    with pytest.raises(DamagedRecord, match=r"is damaged \(its payload does not match its WARC-Payload-Digest"):
        read_record(path, hit)
    # Without any digest, the flipped byte cannot be seen: the record reads.
    without_digests(path)
    read_record(path, record_starts(path)[3])
