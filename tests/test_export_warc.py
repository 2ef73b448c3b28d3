"""`newscrawler export --format warc`: the selected articles' captures as a WARC file + CDXJ.

The fixture portal (one page served gzip-encoded) is crawled twice, into two archives that share
one WARC directory, so the second crawl's WARC records are revisits of the first's. The export must pass
warcio's checker, index every response at its offset, and give back for every capture the body
the archive holds, whether the record was copied, resolved from a revisit, or rebuilt from the
archive because the WARC files are gone.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import re
import shutil
import sqlite3
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from support import ZJDAILY, run_cli, without_crawl_delay
from warcio.archiveiterator import ArchiveIterator
from warcio.checker import Checker

from archive import Archive
from archive.cli import export
from archive.warc.export import surt as archive_surt
from newscrawler.warc.index import surt

GZIPPED = "p/2953124.html"


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("export")
    site = without_crawl_delay(ZJDAILY, tmp / "site")
    page = site / GZIPPED
    page.write_bytes(gzip.compress(page.read_bytes(), mtime=0))
    (site / f"{GZIPPED}.headers.json").write_text('{"Content-Encoding": "gzip"}', encoding="utf-8")
    found = {"warc": tmp / "crawl" / "warc"}
    for name in ("first", "second"):
        found[name] = tmp / ("crawl" if name == "first" else "again") / "archive.sqlite"
        result = run_cli(
            "crawl", "zjdaily", "--replay", str(site), "--db", str(found[name]),
            "--log-level", "WARNING", "-s", f"NEWSCRAWLER_WARC_DIR={found['warc']}",
            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", timeout=120,
        )
        assert result.returncode == 0, result.stderr[-3000:]
    return found


@pytest.fixture(scope="module")
def crawled(crawls: dict[str, Path]) -> Path:
    return crawls["first"]


def run_export(db: Path, out: Path, *args: str) -> str:
    result = CliRunner().invoke(export, ["--format", "warc", "-o", str(out), "--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.output


def read(path: Path) -> list[dict[str, Any]]:
    found = []
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            payload = record.content_stream().read()
            # Asking for the offset first would skip the payload: warcio reads to the end.
            found.append({
                "type": record.rec_type, "offset": records.get_record_offset(),
                "warc": dict(record.rec_headers.headers), "http": record.http_headers,
                "payload": payload,
            })
    return found


def check(path: Path) -> None:
    checker = Checker(SimpleNamespace(inputs=[str(path)], verbose=False))
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        assert checker.process_all() == 0, report.getvalue()


def article_captures(db: Path, where: str = "1") -> dict[int, dict[str, Any]]:
    with Archive.open(db, create=False) as archive:
        rows = archive.conn.execute(
            "SELECT c.id, c.url, c.warc_filename FROM captures c JOIN articles a ON a.id = c.article_id"
            f" WHERE c.status = 200 AND {where}").fetchall()
        return {cid: {"url": url, "warc": name, "body": archive.capture_body(cid)}
                for cid, url, name in rows}


def exported(records: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Capture id -> its exported response and the metadata record that names it."""
    responses = {r["warc"]["WARC-Record-ID"]: r for r in records if r["type"] == "response"}
    found = {}
    for meta in (r for r in records if r["type"] == "metadata"):
        fields = dict(line.split(": ", 1) for line in meta["payload"].decode().splitlines())
        found[int(fields["archive-capture-id"])] = {
            "response": responses[meta["warc"]["WARC-Refers-To"]], "fields": fields}
    return found


def test_every_capture_of_every_article(crawled: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.warc.gz"
    message = run_export(crawled, out)
    check(out)
    records = read(out)
    assert records[0]["type"] == "warcinfo"
    captures = article_captures(crawled)
    found = exported(records)
    assert set(found) == set(captures)
    assert {f["fields"]["source"].split(" ", 1)[0] for f in found.values()} == {"copied"}
    assert f"{len(captures)} captures of {len(captures)} articles" in message
    for capture_id, capture in captures.items():
        response = found[capture_id]["response"]
        assert response["warc"]["WARC-Target-URI"] == capture["url"]
        # content_stream() undoes the content encoding, as the archive's stored body is.
        assert response["payload"] == capture["body"]
    gzipped = [f["response"] for f in found.values()
               if f["response"]["warc"]["WARC-Target-URI"].endswith(GZIPPED)]
    assert gzipped and all(r["http"].get_header("Content-Encoding") == "gzip" for r in gzipped)


def test_revisits_become_full_responses(crawls: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "again.warc.gz"
    run_export(crawls["second"], out, "--warc-dir", str(crawls["warc"]))
    check(out)
    captures = article_captures(crawls["second"])
    found = exported(read(out))
    assert set(found) == set(captures)
    assert {f["fields"]["source"].split(" ", 1)[0] for f in found.values()} == {"revisit"}
    for capture_id, capture in captures.items():
        response = found[capture_id]["response"]
        assert response["warc"]["WARC-Type"] == "response"
        assert response["payload"] == capture["body"]


def test_cdxj_indexes_every_response_at_its_offset(crawled: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.warc.gz"
    run_export(crawled, out)
    lines = out.with_name(out.name + ".cdxj").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)
    by_offset = {r["offset"]: r for r in read(out)}
    responses = [r for r in by_offset.values() if r["type"] == "response"]
    assert len(lines) == len(responses)
    for line in lines:
        key, timestamp, rest = line.split(" ", 2)
        fields = json.loads(rest)
        record = by_offset[int(fields["offset"])]
        assert record["type"] == "response" and fields["filename"] == out.name
        assert key == surt(fields["url"]) == archive_surt(fields["url"])
        assert record["warc"]["WARC-Target-URI"] == fields["url"]
        assert timestamp == re.sub(r"\D", "", record["warc"]["WARC-Date"])[:14]
        assert record["warc"]["WARC-Payload-Digest"] == "sha1:" + fields["digest"]
        with out.open("rb") as stream:  # the member alone decompresses to the record
            stream.seek(int(fields["offset"]))
            member = stream.read(int(fields["length"]))
        assert gzip.decompress(member).startswith(b"WARC/1.1\r\n")


def test_without_warc_files_captures_are_rebuilt_from_the_archive(
    crawled: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "crawl"
    shutil.copytree(crawled.parent, copy, ignore=shutil.ignore_patterns("warc"))
    db = copy / crawled.name
    out = tmp_path / "rebuilt.warc.gz"
    run_export(db, out)
    check(out)
    captures = article_captures(db)
    found = exported(read(out))
    assert set(found) == set(captures)
    for capture_id, capture in captures.items():
        response = found[capture_id]["response"]
        assert found[capture_id]["fields"]["source"].startswith("rebuilt from the archive")
        assert response["payload"] == capture["body"]
        assert response["http"].get_statuscode() == "200"
        # The body is stored decoded: no header may claim otherwise.
        assert response["http"].get_header("Content-Encoding") is None
        assert response["http"].get_header("Content-Length") == str(len(capture["body"]))


def test_selection_by_publication_date(crawled: Path, tmp_path: Path) -> None:
    with Archive.open(crawled, create=False) as archive:
        days = sorted(r[0] for r in archive.conn.execute(
            "SELECT substr(published_at, 1, 10) FROM articles WHERE published_at IS NOT NULL"))
    cutoff = days[len(days) // 2]
    out = tmp_path / "since.warc.gz"
    run_export(crawled, out, "--since", cutoff, "--portal", "zjdaily")
    check(out)
    expected = article_captures(crawled, f"substr(a.published_at, 1, 10) >= '{cutoff}'")
    assert 0 < len(expected) < len(article_captures(crawled))
    assert set(exported(read(out))) == set(expected)


def test_warc_needs_an_output_file(crawled: Path) -> None:
    result = CliRunner().invoke(export, ["--format", "warc", "--db", str(crawled)])
    assert result.exit_code == 2 and "warc needs -o FILE" in result.output


def test_bodies_match_even_without_foreign_keys(crawled: Path) -> None:
    # Guard for the rebuilt test above: every article capture has its body in the archive.
    conn = sqlite3.connect(crawled)
    missing = conn.execute(
        "SELECT count(*) FROM captures c LEFT JOIN bodies b ON b.sha256 = c.body_sha256"
        " WHERE b.sha256 IS NULL").fetchone()[0]
    conn.close()
    assert missing == 0
