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
from archive.snapshot import snapshot, sync_warc_dir

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


def test_warc_files_come_along_and_a_grown_file_replaces_its_copy(
    seeded: Archive, db_path: Path, tmp_path: Path
) -> None:
    # A file still being written: its index in write order, the last line not yet whole.
    _warc_dir(db_path.parent, b"record-1|", 'com,b)/ 2 {"offset": "0"}\ncom,a)/ 1 {"offset": "9"}\ncom,c')
    out = tmp_path / "out" / "copy.sqlite"
    out.parent.mkdir()
    result = CliRunner().invoke(main, ["archive", "snapshot", "--db", str(db_path), str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"1 capture copied to {out}; 1 WARC file copied (9 bytes), 0 already there\n"
    copied = out.parent / "warc" / "newscrawler-zjdaily-1-00000-abcd1234.warc.gz"
    assert copied.read_bytes() == b"record-1|"
    assert copied.with_name(copied.name + ".cdxj").read_text("utf-8") == (
        'com,a)/ 1 {"offset": "9"}\ncom,b)/ 2 {"offset": "0"}\n')
    _check(out)
    # Later the file has grown: the next copy replaces the shorter one, the same one is left.
    source = _warc_dir(db_path.parent, b"record-1|record-2|", "")
    assert sync_warc_dir(source, copied.parent) == (1, 0, 18)
    assert copied.read_bytes() == b"record-1|record-2|"
    assert sync_warc_dir(source, copied.parent) == (0, 1, 0)
    # Another file under the same name is an error, not an overwrite.
    other = _warc_dir(tmp_path / "other", b"record-X|record-2|", "")
    with pytest.raises(ArchiveError, match="other content"):
        sync_warc_dir(other, copied.parent)
    assert copied.read_bytes() == b"record-1|record-2|"


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
