"""Archives that SQLite cannot read or write: one whose pages are damaged, one another process
holds locked. Every command names the file and what is wrong in one line and exits 1; a merge
writes nothing from a damaged source."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import make_capture, make_record

from archive import Archive, cli
from archive.merge import MergeError, merge


def invoke(*args: object) -> Result:
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def damage(path: Path, table: str) -> None:
    """Overwrite the root page of ``table`` with junk: the schema stays readable, the table not."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    conn.close()
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xa5" * page_size)


@pytest.fixture
def damaged(seeded: Archive, db_path: Path) -> Path:
    seeded.close()
    damage(db_path, "articles")
    return db_path


@pytest.mark.parametrize("command", [["export"], ["export", "--format", "csv"], ["search", "徐闻"],
                                     ["show", "1"], ["stats"], ["rankings", "--article", "1"],
                                     ["diff", "1"]])
def test_a_damaged_archive_is_a_one_line_error(damaged: Path, command: list[str]) -> None:
    result = invoke(*command, "--db", damaged)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.output
    assert str(damaged) in errors[0] and "damaged" in errors[0], errors


def test_crawls_on_a_damaged_archive_is_a_one_line_error(seeded: Archive, db_path: Path) -> None:
    from newscrawler.cli import cli as newscrawler_cli

    seeded.close()
    damage(db_path, "runs")
    result = CliRunner().invoke(newscrawler_cli, ["crawls", "--db", str(db_path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and str(db_path) in errors[0] and "damaged" in errors[0], result.output


def test_a_merge_from_a_damaged_archive_writes_nothing(damaged: Path, tmp_path: Path) -> None:
    out = tmp_path / "merged.sqlite"
    result = CliRunner().invoke(cli.main, ["archive", "merge", str(out), str(damaged), "--no-warc"])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and str(damaged) in errors[0] and "damaged" in errors[0], result.output
    assert not out.exists()  # refused before anything was written, not after its runs were


def test_a_merge_into_an_archive_another_process_holds_locked(
    seeded: Archive, db_path: Path, tmp_path: Path
) -> None:
    record = make_record()
    seeded.close()
    out = tmp_path / "merged.sqlite"
    with Archive.open(out) as target:
        run_id = target.start_run("zjdaily", {})
        target.add_capture(run_id, make_capture(record), record)
    holder = sqlite3.connect(out, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a crawl writing, say
    try:
        with pytest.raises(MergeError, match="locked by another process") as raised:
            merge(out, [db_path], warc=False, busy_timeout=0.2)
        assert str(out) in str(raised.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Archive.open(out, create=False) as target:
        assert target.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert target.conn.execute("SELECT count(*) FROM captures").fetchone() == (1,)


def _one_damaged_line(result: Result, path: Path) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and str(path) in errors[0] and "damaged" in errors[0], result.output
    assert ".recover" in errors[0] and "Usage:" not in result.output


@pytest.mark.parametrize("table", ["articles", "captures", "runs"])
def test_a_snapshot_of_a_damaged_archive_is_a_one_line_error(seeded: Archive, db_path: Path, tmp_path: Path,
                                                             table: str) -> None:
    # The backup copies damaged pages as they are: the copy used to be reported as made.
    seeded.close()
    damage(db_path, table)
    out = tmp_path / "copy.sqlite"
    result = invoke("archive", "snapshot", out, "--db", db_path, "--no-warc")
    _one_damaged_line(result, db_path)
    assert not out.exists() and not list(tmp_path.glob("copy.sqlite*"))


@pytest.mark.parametrize("command", [["archive", "snapshot", "{out}"], ["search", "徐闻"], ["stats"]])
def test_a_truncated_archive_is_damaged_not_another_file(seeded: Archive, db_path: Path, tmp_path: Path,
                                                         command: list[str]) -> None:
    # Its schema page is unreadable: it used to be "not a newscrawler archive", a usage error.
    seeded.close()
    sqlite3.connect(db_path).execute("PRAGMA wal_checkpoint(TRUNCATE)").connection.close()
    with db_path.open("r+b") as file:
        file.truncate(db_path.stat().st_size // 3)
    out = tmp_path / "copy.sqlite"
    result = invoke(*[str(out) if arg == "{out}" else arg for arg in command], "--db", db_path)
    _one_damaged_line(result, db_path)
    assert not out.exists()


def test_a_file_that_is_not_sqlite_is_still_a_usage_error(tmp_path: Path) -> None:
    garbage = tmp_path / "notes.sqlite"
    garbage.write_bytes(b"\x00garbage, not SQLite" * 1000)
    result = invoke("archive", "snapshot", tmp_path / "copy.sqlite", "--db", garbage)
    assert result.exit_code == 2, result.output
    assert "is not a newscrawler archive (not an SQLite database)" in result.output
