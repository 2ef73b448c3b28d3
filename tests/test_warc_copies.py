"""Copies of WARC files (``archive snapshot``, ``archive merge``) only ever grow by the bytes that
follow them in the source: a source damaged since it was copied never replaces a good copy.

The WARC file is real: one crawl of the fixture portal writes it with its archive, once for the
module. Each test copies the node (archive and ``warc/``), takes a first copy as a snapshot or
merge taken while the file was still being written would have (a prefix ending at a record), or
whole, then damages the node's file far from its end, and copies again through the command line.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from support import ZJDAILY, run_cli, without_crawl_delay

from newscrawler.warc.index import index_warc, warc_files

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The archive of a crawl of the fixture portal, its WARC file in ``warc/`` beside it."""
    tmp = tmp_path_factory.mktemp("node")
    site = without_crawl_delay(ZJDAILY, tmp / "site")
    db = tmp / "node" / "a.sqlite"
    result = run_cli("crawl", "zjdaily", "--replay", str(site), "--db", str(db), *FAST, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    return db


def copy_node(db: Path, target: Path) -> tuple[Path, Path]:
    """A copy of the node's archive and WARC directory in ``target``: the archive and its file."""
    shutil.copytree(db.parent, target)
    (warc,) = warc_files(target / "warc")
    return target / db.name, warc


def earlier(warc: Path) -> bytes:
    """The file as a copy taken while it was being written holds it: up to its last record."""
    last = max(e.offset for e in index_warc(warc))
    return warc.read_bytes()[:last]


def damage(warc: Path) -> int:
    """300 random bytes over the middle of the file's first article record: far from its end
    (past the last 64 kB a copy's tail holds). Where the damage starts."""
    hit = min((e for e in index_warc(warc) if "/p/" in e.url and not e.is_revisit), key=lambda e: e.offset)
    data = bytearray(warc.read_bytes())
    at = hit.offset + hit.length // 2
    data[at: at + 300] = random.Random(hit.url).randbytes(300)
    assert len(data) - at > 2 * 65536
    warc.write_bytes(bytes(data))
    return at


def copy_command(command: str, db: Path, out: Path) -> list[str]:
    if command == "snapshot":
        return ["archive", "snapshot", "--db", str(db), str(out)]
    return ["archive", "merge", str(out), str(db)]


@pytest.mark.parametrize("command", ["snapshot", "merge"])
@pytest.mark.parametrize("held", ["a file still being written", "the whole file"])
def test_a_source_damaged_since_the_copy_never_overwrites_it(
    node: Path, tmp_path: Path, command: str, held: str
) -> None:
    db, warc = copy_node(node, tmp_path / "node")
    out = tmp_path / "copies"
    out.mkdir()
    first = run_cli(*copy_command(command, db, out / "first.sqlite"))
    assert first.returncode == 0, first.stderr
    copy = out / "warc" / warc.name
    if held == "a file still being written":
        copy.write_bytes(earlier(warc))  # what the first copy held; the node's file went on
    good = copy.read_bytes()
    at = damage(warc)

    result = run_cli(*copy_command(command, db, out / ("second.sqlite" if command == "snapshot" else "first.sqlite")))
    # The good copy is kept, byte for byte, with its index; the file is named once, counted in
    # the summary, and the command exits 1.
    assert result.returncode == 1, result.stderr
    assert copy.read_bytes() == good
    (named,) = [line for line in result.stderr.splitlines() if warc.name in line]
    assert named == (f"Error: {copy}: kept as it was, {warc} differs from it at byte {at}"
                     " (damaged since it was copied, or another file of the same name)")
    assert "1 kept as they were (the source differs)" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_still_being_written_is_extended_by_what_follows(node: Path, tmp_path: Path) -> None:
    db, warc = copy_node(node, tmp_path / "node")
    out = tmp_path / "copies"
    out.mkdir()
    assert run_cli(*copy_command("snapshot", db, out / "first.sqlite")).returncode == 0
    copy = out / "warc" / warc.name
    held = earlier(warc)
    copy.write_bytes(held)
    result = run_cli(*copy_command("snapshot", db, out / "second.sqlite"))
    assert result.returncode == 0, result.stderr
    assert copy.read_bytes() == warc.read_bytes()
    size = warc.stat().st_size - len(held)
    assert result.stderr.endswith(f"; 1 WARC file copied ({size} bytes), 0 already there\n")
    # Every capture of the file reads in the copy, and its index is the file's.
    assert [(e.url, e.offset, e.digest) for e in index_warc(copy)] == [
        (e.url, e.offset, e.digest) for e in index_warc(warc)]
    index = warc.with_name(warc.name + ".cdxj")
    assert copy.with_name(copy.name + ".cdxj").read_text("utf-8") == index.read_text("utf-8")
