"""Output a command cannot write: a file in a place that cannot be written, a full disk. One
`Error:` line naming where, exit status 1, never a traceback; a reader that stops early (`| head`)
stays quiet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import make_capture, make_record

from archive import Archive, cli

FULL = Path("/dev/full")  # every write fails with ENOSPC, as on a full disk


@pytest.fixture
def path(seeded: Archive, db_path: Path) -> Path:
    return db_path


def invoke(*args: object) -> Result:
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def assert_one_line_error(result: Result, *parts: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.output
    for part in parts:
        assert part in errors[0], errors


def assert_usage_error(result: Result, *parts: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.output
    for part in parts:
        assert part in errors[0], errors


OUTPUTS = [["export", "-o"], ["export", "--format", "csv", "-o"], ["export", "--format", "warc", "-o"],
           ["stats", "--plot"], ["rankings", "--plot"]]


@pytest.mark.parametrize("command", OUTPUTS)
def test_an_output_behind_a_link_into_a_missing_directory(path: Path, tmp_path: Path,
                                                          command: list[str]) -> None:
    # The directory of the name given exists; the one the link leads to does not. It used to
    # end in a traceback once the command had read the archive.
    link = tmp_path / "out.png"
    link.symlink_to(tmp_path / "gone" / "out.png")
    result = invoke(*command, link, "--db", path)
    assert_usage_error(result, "is a link into directory", "which does not exist")
    assert not (tmp_path / "gone").exists()


@pytest.mark.parametrize("command", OUTPUTS)
def test_an_output_name_too_long_for_the_file_system(path: Path, tmp_path: Path,
                                                     command: list[str]) -> None:
    result = invoke(*command, tmp_path / ("长" * 200 + ".png"), "--db", path)
    assert_usage_error(result, "File name too long")


@pytest.mark.skipif(not FULL.exists(), reason="no /dev/full")
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_to_a_full_disk(path: Path, fmt: str) -> None:
    result = invoke("export", "--format", fmt, "-o", FULL, "--db", path)
    assert_one_line_error(result, f"cannot write {FULL}", "No space left on device")


@pytest.mark.skipif(not FULL.exists(), reason="no /dev/full")
def test_export_to_standard_output_on_a_full_disk(path: Path) -> None:
    with FULL.open("wb") as full:
        done = subprocess.run([sys.executable, "-m", "archive.cli", "export", "--db", str(path)],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
                              cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 1, done.stderr
    assert done.stderr == "Error: cannot write to standard output: No space left on device\n"


def test_export_to_a_reader_that_stops_early_is_quiet(path: Path) -> None:
    archive = Archive.open(path)
    try:  # enough articles that the export outlasts the pipe's buffer
        run_id = archive.start_run("zjdaily", {})
        for n in range(200):
            record = make_record(url=f"https://www.gdzjdaily.com.cn/p/{n}.html",
                                 canonical_url=f"https://www.gdzjdaily.com.cn/p/{n}.html",
                                 article_id=str(n), headline=f"湛江新聞 {n}")
            archive.add_capture(run_id, make_capture(record), record)
    finally:
        archive.close()
    export = subprocess.Popen([sys.executable, "-m", "archive.cli", "export", "--db", str(path)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              cwd=Path(__file__).resolve().parents[2])
    assert export.stdout is not None and export.stderr is not None
    export.stdout.read(10)
    export.stdout.close()
    assert export.wait(timeout=120) in (0, 1)
    assert export.stderr.read() == b""


