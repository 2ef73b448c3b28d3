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




def _in(folder: Path, *args: object) -> Result:
    """The command line, run in ``folder`` (where a file named ``-`` would land): newscrawler's
    for a crawl, the archive's own group for its commands."""
    from newscrawler.cli import cli as newscrawler

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        result = CliRunner().invoke(newscrawler if args[0] == "crawl" else cli.main, [str(a) for a in args])
    assert not (folder / "-").exists(), "a file named '-' was written"
    return result


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_to_dash_writes_standard_output(path: Path, tmp_path: Path, fmt: str) -> None:
    plain = invoke("export", "--format", fmt, "--db", path)
    dash = _in(tmp_path, "export", "--format", fmt, "-o", "-", "--db", path)
    assert dash.exit_code == 0, dash.output
    assert dash.stdout == plain.stdout and "徐聞" in dash.stdout


@pytest.mark.parametrize("fmt", ["parquet", "warc"])
def test_export_of_a_binary_format_to_dash_is_a_usage_error(path: Path, tmp_path: Path, fmt: str) -> None:
    result = _in(tmp_path, "export", "--format", fmt, "-o", "-", "--db", path)
    assert_usage_error(result, f"{fmt} needs -o FILE: it is written to a file, not standard output")


@pytest.mark.parametrize(("command", "why"), [
    (["stats", "--plot", "-"], "a chart is an image file, not standard output"),
    (["rankings", "--plot", "-"], "a chart is an image file, not standard output"),
    (["archive", "snapshot", "-"], "a snapshot is an SQLite file, not standard output"),
    (["archive", "merge", "-", "{db}"], "an archive is an SQLite file, not standard input or output"),
    (["search", "徐闻", "--db", "-"], "an archive is an SQLite file, not standard input or output"),
    (["crawl", "zjdaily", "-o", "-"], "standard output has the crawl's summary: give a file"),
    (["crawl", "zjdaily", "--log-file", "-"], "give a file (--verbose prints the log on standard error)"),
])
def test_dash_where_only_a_file_will_do_is_a_usage_error(path: Path, tmp_path: Path, command: list[str],
                                                         why: str) -> None:
    args = [str(path) if arg == "{db}" else arg for arg in command]
    if "--db" not in args and args[0] != "crawl" and args[1] != "merge":
        args += ["--db", str(path)]
    result = _in(tmp_path, *args)
    assert_usage_error(result, why, "for a file named '-', give ./-")
