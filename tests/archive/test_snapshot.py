"""``newscrawler archive snapshot``: a copy of a live archive holds every commit made before it
and nothing of the transaction a writer has open; the WARC directory comes with it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import make_capture, make_record

from archive import Archive, ArchiveError
from archive.cli import main
from archive.compare import differences
from archive.compare import snapshot as content
from archive.snapshot import WarcSync, _first_difference, snapshot, sync_warc_dir

SECOND_URL = "https://www.gdzjdaily.com.cn/p/2953119.html"


def _check(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_snapshot_during_a_write_transaction_holds_the_last_commit(
    seeded: Archive, run_id: int, db_path: Path, tmp_path: Path
) -> None:
    before = content(db_path)
    during = tmp_path / "during.sqlite"
    second = make_record(url=SECOND_URL, canonical_url=SECOND_URL, article_id="2953119",
                         headline="湛江港口吞吐量创新高", fetched_at="2026-01-02T00:00:00+00:00")
    edited = make_record(paragraphs=["會議強調，要以更高標準推進創建工作。"],
                         fetched_at="2026-01-02T00:00:00+00:00")

    def pages() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        # The writer's transaction is open and has stored a page when the copy is taken.
        yield make_capture(second), second
        snapshot(db_path, during, warc=False)
        yield make_capture(edited), edited

    assert seeded.add_captures(run_id, pages()) == ["new", "changed"]
    _check(during)
    assert differences(before, content(during)) == []
    assert differences(content(db_path), content(during))  # the writer did commit, later
    with Archive.open(during, create=False) as copy:
        assert [hit.headline for hit in copy.search("徐闻")] == ["徐聞奮力推進文明城市衛生縣城創建"]
        assert copy.search("港口") == []
        # The copy is an archive of its own: it takes the same writes.
        assert copy.add_capture(run_id, make_capture(second), second) == "new"
    after = tmp_path / "after.sqlite"
    snapshot(db_path, after, warc=False)
    assert differences(content(db_path), content(after)) == []


def test_snapshot_never_overwrites(seeded: Archive, db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy.sqlite"
    out.write_bytes(b"")
    with pytest.raises(ArchiveError, match="exists"):
        snapshot(db_path, out)
    assert out.read_bytes() == b""


def test_a_snapshot_into_a_missing_directory_is_a_usage_error(
    seeded: Archive, db_path: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(main, ["archive", "snapshot", "--db", str(db_path),
                                       str(tmp_path / "no" / "copy.sqlite")])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.output.splitlines()[-1] == (
        f"Error: Invalid value for 'OUT': directory {str(tmp_path / 'no')!r} does not exist")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc, where no file can be made")
def test_a_snapshot_where_no_file_can_be_made_is_a_one_line_error(
    seeded: Archive, db_path: Path
) -> None:
    result = CliRunner().invoke(main, ["archive", "snapshot", "--db", str(db_path),
                                       "/proc/copy.sqlite", "--no-warc"])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.output == "Error: cannot write /proc/copy.sqlite: unable to open database file\n"


def test_a_snapshot_whose_warc_files_cannot_be_copied_says_so(
    seeded: Archive, db_path: Path, tmp_path: Path
) -> None:
    _warc_dir(db_path.parent, b"WARC/1.1\r\n", "")
    out = tmp_path / "copies" / "copy.sqlite"
    out.parent.mkdir()
    (out.parent / "warc").write_text("not a directory", encoding="utf-8")
    with pytest.raises(ArchiveError, match=r"copy\.sqlite written, its WARC files not: cannot write"):
        snapshot(db_path, out)
    _check(out)


def _warc_dir(root: Path, records: bytes, index: str) -> Path:
    directory = root / "warc"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "newscrawler-zjdaily-1-00000-abcd1234.warc.gz").write_bytes(records)
    (directory / "newscrawler-zjdaily-1-00000-abcd1234.warc.gz.cdxj").write_text(index, "utf-8")
    return directory


def test_warc_files_come_along_and_a_grown_file_extends_its_copy(
    seeded: Archive, db_path: Path, tmp_path: Path
) -> None:
    # A file still being written: its index in write order, listing a record written after the
    # file was read, the last line not yet whole.
    _warc_dir(db_path.parent, b"record-1|", 'com,b)/ 2 {"offset": "9", "length": "9"}\n'
              'com,a)/ 1 {"offset": "0", "length": "9"}\ncom,c')
    out = tmp_path / "out" / "copy.sqlite"
    out.parent.mkdir()
    result = CliRunner().invoke(main, ["archive", "snapshot", "--db", str(db_path), str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"1 capture copied to {out}; 1 WARC file copied (9 bytes), 0 already there\n"
    copied = out.parent / "warc" / "newscrawler-zjdaily-1-00000-abcd1234.warc.gz"
    assert copied.read_bytes() == b"record-1|"
    assert copied.with_name(copied.name + ".cdxj").read_text("utf-8") == 'com,a)/ 1 {"offset": "0", "length": "9"}\n'
    _check(out)
    # Later the file has grown, and its index lists a record written after the file was read:
    # the copy is extended by the new bytes (9 of them), the index copied without that line.
    # An index is only added to: a line the source's lacks stays.
    source = _warc_dir(db_path.parent, b"record-1|record-2|", 'com,b)/ 2 {"offset": "9", "length": "9"}\n'
                       'com,c)/ 3 {"offset": "18", "length": "9"}\n')
    inode = copied.stat().st_ino
    assert sync_warc_dir(source, copied.parent) == WarcSync(copied=1, size=9)
    assert copied.read_bytes() == b"record-1|record-2|" and copied.stat().st_ino == inode
    assert copied.with_name(copied.name + ".cdxj").read_text("utf-8") == (
        'com,a)/ 1 {"offset": "0", "length": "9"}\ncom,b)/ 2 {"offset": "9", "length": "9"}\n')
    # The same bytes, and the index line that was being written is whole now: it is copied.
    source = _warc_dir(db_path.parent, b"record-1|record-2|", 'com,a)/ 1 {"offset": "0", "length": "9"}\n'
                       'com,b)/ 2 {"offset": "9", "length": "9"}\ncom,c)/ 3 {"offset": "18", "length": "9"}\n'
                       'com,d)/ 4 {"offset": "9", "length": "9"}\n')
    assert sync_warc_dir(source, copied.parent) == WarcSync(present=1)
    index = copied.with_name(copied.name + ".cdxj")
    assert index.read_text("utf-8") == (
        'com,a)/ 1 {"offset": "0", "length": "9"}\ncom,b)/ 2 {"offset": "9", "length": "9"}\n'
        'com,d)/ 4 {"offset": "9", "length": "9"}\n')
    # An older copy of the file (a node's earlier snapshot merged after a later one): all of
    # it is there already, and its shorter index leaves the copy's alone.
    older = _warc_dir(tmp_path / "older", b"record-1|", "")
    assert sync_warc_dir(older, copied.parent) == WarcSync(present=1)
    assert copied.read_bytes() == b"record-1|record-2|" and "com,d)/ 4" in index.read_text("utf-8")


@pytest.mark.parametrize("content", [b"record-X|record-2|", b"record-X|", b"record-X|record-2|record-3|"],
                         ids=["same size", "shorter", "longer"])
def test_a_copy_whose_source_differs_is_kept_and_named(content: bytes, tmp_path: Path) -> None:
    # The source's bytes differ from the copy's at byte 7: damaged since it was copied, or
    # another file of the same name. Whatever its size, nothing is written over the copy.
    copied = _warc_dir(tmp_path / "copy", b"record-1|record-2|", "kept\n")
    name = "newscrawler-zjdaily-1-00000-abcd1234.warc.gz"
    source = _warc_dir(tmp_path / "source", content, "other\n")
    (source / "newscrawler-zjdaily-2-00000-abcd1234.warc.gz").write_bytes(b"new|")
    done = sync_warc_dir(source, copied)
    assert done == WarcSync(copied=1, size=4, differing=[
        f"{copied / name}: kept as it was, {source / name} differs from it at byte 7"
        " (damaged since it was copied, or another file of the same name)"])
    assert (copied / name).read_bytes() == b"record-1|record-2|"
    assert (copied / f"{name}.cdxj").read_text("utf-8") == "kept\n"
    assert (copied / "newscrawler-zjdaily-2-00000-abcd1234.warc.gz").read_bytes() == b"new|"


def test_the_first_difference_is_found_anywhere() -> None:
    block = bytes(range(256)) * 5000
    for at in (0, 1, 255, 70000, len(block) - 1):
        changed = bytearray(block)
        changed[at] ^= 0xFF
        assert _first_difference(block, bytes(changed)) == at
    assert _first_difference(block, block[:1000]) == 1000


def test_snapshot_and_merge_keep_a_copy_the_source_differs_from_and_exit_1(
    seeded: Archive, db_path: Path, tmp_path: Path
) -> None:
    name = "newscrawler-zjdaily-1-00000-abcd1234.warc.gz"
    _warc_dir(db_path.parent, b"record-1|", "")
    seeded.close()
    folder = tmp_path / "out"
    folder.mkdir()
    result = CliRunner().invoke(main, ["archive", "snapshot", "--db", str(db_path), str(folder / "a.sqlite")])
    assert result.exit_code == 0, result.output
    _warc_dir(db_path.parent, b"record-X|record-2|", "")
    result = CliRunner().invoke(main, ["archive", "snapshot", "--db", str(db_path), str(folder / "b.sqlite")])
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        f"Error: {folder / 'warc' / name}: kept as it was, {db_path.parent / 'warc' / name} differs"
        " from it at byte 7 (damaged since it was copied, or another file of the same name)",
        f"1 capture copied to {folder / 'b.sqlite'}; 0 WARC files copied (0 bytes), 0 already there,"
        " 1 kept as they were (the source differs)"]
    assert (folder / "warc" / name).read_bytes() == b"record-1|"
    _check(folder / "b.sqlite")

    merged = tmp_path / "merged" / "merged.sqlite"
    merged.parent.mkdir()
    _warc_dir(merged.parent, b"record-1|", "")
    result = CliRunner().invoke(main, ["archive", "merge", str(merged), str(db_path)])
    assert result.exit_code == 1, result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert line.startswith(f"Error: {merged.parent / 'warc' / name}: kept as it was")
    assert (f"{db_path}: 0 WARC files copied (0 bytes), 0 already there, 1 kept as they were"
            " (the source differs)") in result.output.splitlines()
    assert "1 captures merged into" in result.output  # the archive is merged all the same
    assert (merged.parent / "warc" / name).read_bytes() == b"record-1|"
    report = CliRunner().invoke(main, ["archive", "merge", str(merged), str(db_path), "--json"])
    assert report.exit_code == 1
    (listed,) = json.loads(report.stdout)["sources"][0]["warc_files_differing"]
    assert listed.startswith(f"{merged.parent / 'warc' / name}: kept as it was")


def test_warc_files_already_beside_the_copy_are_counted_as_there(
    seeded: Archive, db_path: Path, tmp_path: Path
) -> None:
    # A second snapshot into the same directory: its warc/ has every file. It used to say
    # "0 WARC files (0 bytes)", as if there were none.
    _warc_dir(db_path.parent, b"record-1|", "")
    folder = tmp_path / "out"
    folder.mkdir()
    for name in ("first.sqlite", "second.sqlite"):
        result = CliRunner().invoke(main, ["archive", "snapshot", "--db", str(db_path), str(folder / name)])
        assert result.exit_code == 0, result.output
    assert result.output == (f"1 capture copied to {folder / 'second.sqlite'}; 0 WARC files copied (0 bytes),"
                             " 1 already there\n")


def test_a_merge_counts_the_warc_files_already_there(seeded: Archive, db_path: Path, tmp_path: Path) -> None:
    _warc_dir(db_path.parent, b"record-1|", "")
    seeded.close()
    # The node's snapshot lies beside the merged archive: its warc/ is the merged archive's.
    # That used to be "0 WARC files copied, 0 already there".
    out = db_path.parent / "merged.sqlite"
    result = CliRunner().invoke(main, ["archive", "merge", str(out), str(db_path)])
    assert result.exit_code == 0, result.output
    assert f"{db_path}: 0 WARC files copied (0 bytes), 1 already there" in result.output.splitlines()
    # Elsewhere, once copied and then there.
    elsewhere = tmp_path / "merged" / "merged.sqlite"
    elsewhere.parent.mkdir()
    lines = []
    for _ in range(2):
        result = CliRunner().invoke(main, ["archive", "merge", str(elsewhere), str(db_path)])
        assert result.exit_code == 0, result.output
        lines.append(next(line for line in result.output.splitlines() if "WARC" in line))
    assert lines == [f"{db_path}: 1 WARC file copied (9 bytes), 0 already there",
                     f"{db_path}: 0 WARC files copied (0 bytes), 1 already there"]
    report = CliRunner().invoke(main, ["archive", "merge", str(out), str(db_path), "--json"])
    source = json.loads(report.stdout)["sources"][0]
    assert (source["warc_files_copied"], source["warc_files_present"]) == (0, 1)
