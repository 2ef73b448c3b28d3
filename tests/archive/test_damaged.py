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
