"""What ``newscrawler crawl`` prints: the summary and, on a terminal, the progress line; Scrapy's
log only with ``--verbose`` (or ``--log-level``), kept in a file beside the archive otherwise,
and its warnings and errors counted and shown after the summary.

The crawls run over a copy of ``fixtures/generic-site`` whose home page also links to a page
that is not there: its HTTP 404 is the crawl's one warning.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path
from typing import Any

import pytest
from support import FIXTURES, ROOT, run_cli

HOME = "https://www.nanhai-daily.example/"
GONE = HOME + "news/2024/05/24/1099.html"
WARNING_LINE = f"WARNING [generic] HTTP 404 for {GONE}"
# Scrapy's INFO lines: "2026-12-05 09:11:04 [scrapy.core.engine] INFO: Spider opened".
SCRAPY_INFO = re.compile(r"^\S+ \S+ \[[\w.]+\] INFO: ", re.MULTILINE)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("site") / "generic-site"
    shutil.copytree(FIXTURES / "generic-site", copy)
    home = copy / "index.html"
    html = home.read_text(encoding="utf-8")
    assert "</body>" in html
    home.write_text(html.replace("</body>", f'<a href="{GONE}">已删除的稿件</a></body>'), encoding="utf-8")
    return copy


def _args(site: Path, tmp: Path, *extra: str) -> list[str]:
    return ["crawl", "--start-url", HOME, "--replay", str(site), "--db", str(tmp / "archive.sqlite"),
            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", *extra]


def test_by_default_the_log_goes_to_a_file_and_its_warnings_follow_the_summary(site: Path, tmp_path: Path) -> None:
    result = run_cli(*_args(site, tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert not SCRAPY_INFO.search(result.stderr), result.stderr[:2000]
    assert "Dumping Scrapy stats" not in result.stderr + result.stdout
    assert result.stderr.splitlines() == [WARNING_LINE]
    logs = list((tmp_path / "logs").glob("site-www.nanhai-daily.example-*.log"))
    assert len(logs) == 1
    summary = result.stdout.splitlines()
    assert summary[0] == "crawl of generic: finished"
    assert summary[-1] == f"  log: 1 warning, 0 errors; the full log: {logs[0]}"
    full = logs[0].read_text(encoding="utf-8")
    assert SCRAPY_INFO.search(full) and "Dumping Scrapy stats" in full
    assert f"WARNING: HTTP 404 for {GONE}" in full


def test_verbose_prints_scrapys_log(site: Path, tmp_path: Path) -> None:
    result = run_cli(*_args(site, tmp_path, "--verbose"))
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "[scrapy.core.engine] INFO: Spider opened" in result.stderr
    assert "Dumping Scrapy stats" in result.stderr
    # The warning is in the log as it happened, and again after the summary.
    assert f"WARNING: HTTP 404 for {GONE}" in result.stderr
    assert result.stderr.splitlines()[-1] == WARNING_LINE
    assert result.stdout.splitlines()[-1] == "  log: 1 warning, 0 errors (above)"
    assert not (tmp_path / "logs").exists()


def test_log_level_prints_the_log_at_that_level_and_log_file_keeps_it(site: Path, tmp_path: Path) -> None:
    log = tmp_path / "crawl.log"
    result = run_cli(*_args(site, tmp_path, "--log-level", "WARNING", "--log-file", str(log)))
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert not SCRAPY_INFO.search(result.stderr)
    assert f"WARNING: HTTP 404 for {GONE}" in result.stderr
    assert f"WARNING: HTTP 404 for {GONE}" in log.read_text(encoding="utf-8")
    assert not SCRAPY_INFO.search(log.read_text(encoding="utf-8"))
    assert result.stdout.splitlines()[-1] == f"  log: 1 warning, 0 errors; the full log: {log}"


def test_a_crawl_that_wrote_no_records_says_why(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "records.jsonl"
    first = run_cli(*_args(site, tmp_path, "-o", str(output)))
    assert first.returncode == 0, first.stdout + first.stderr[-3000:]
    assert f"  output: 5 records appended to {output}" in first.stdout.splitlines()
    # Again into the same archive: every article is archived and not due for a recrawl.
    again = run_cli(*_args(site, tmp_path, "-o", str(output)))
    assert again.returncode == 0, again.stdout + again.stderr[-3000:]
    assert (f"  output: no records written to {output}: 5 articles already in the archive not due to"
            " be fetched again (--recrawl all fetches them); only listing pages were fetched"
            in again.stdout.splitlines()), again.stdout
    assert len(output.read_text(encoding="utf-8").splitlines()) == 5
    # Two runs within a second keep two log files.
    assert len(list((tmp_path / "logs").glob("*.log"))) == 2


def _run_in_terminal(args: list[str], tmp: Path) -> tuple[int, str]:
    """Run the command line with a pseudo-terminal (200 columns) as its standard streams."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    env = dict(os.environ, PYTHONUNBUFFERED="1", TERM="xterm", COLUMNS="200")
    env.pop("NO_COLOR", None)
    process = subprocess.Popen([sys.executable, "-m", "newscrawler", *args], cwd=ROOT, env=env,
                               stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the terminal's last user has exited
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    code = process.wait(timeout=300)
    # Terminal control sequences (cursor moves, colours) out; what a person reads stays.
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r", "", b"".join(chunks).decode("utf-8", "replace"))
    return code, text


def test_on_a_terminal_the_progress_line_and_the_summary_show_not_the_log(site: Path, tmp_path: Path) -> None:
    code, screen = _run_in_terminal(_args(site, tmp_path), tmp_path)
    assert code == 0, screen[-3000:]
    progress = re.search(r"generic  \d:\d\d:\d\d  pages \d+ \([\d.]+/s\)  articles new \d+", screen)
    assert progress, screen[-3000:]
    assert "crawl of generic: finished" in screen
    assert screen.index(progress.group(0)) < screen.index("crawl of generic: finished")
    assert "  log: 1 warning, 0 errors; the full log: " in screen
    assert WARNING_LINE in screen
    assert not SCRAPY_INFO.search(screen) and " INFO: " not in screen, screen[:3000]


def test_the_summary_shows_the_first_errors_then_the_first_warnings_one_line_each() -> None:
    import logging

    from newscrawler.crawllog import Installed, LogPlan

    plan = LogPlan(file=Path("data/logs/zjdaily.log"))
    installed = Installed(plan, {})
    logger = logging.getLogger("newscrawler.test")
    try:
        for n in range(7):
            logger.warning("HTTP 404 for https://www.gdzjdaily.com.cn/p/%d.html", n)
        logger.info("not counted")
        try:
            raise ValueError("bad byte")
        except ValueError:
            logger.exception("Error processing {'url': 'x',\n 'body': b'...'}")
    finally:
        log = installed.finish()
    assert installed.collector not in logging.root.handlers
    assert log.summary_line() == "  log: 7 warnings, 1 error; the full log: data/logs/zjdaily.log"
    assert log.excerpt() == [
        "ERROR [newscrawler.test] Error processing {'url': 'x',",
        *[f"WARNING [newscrawler.test] HTTP 404 for https://www.gdzjdaily.com.cn/p/{n}.html" for n in range(5)],
        "… and 2 more warnings",
    ]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a file every write to fails")
def test_an_output_file_that_cannot_be_written_stops_the_crawl_and_says_so(site: Path, tmp_path: Path) -> None:
    # /dev/full answers every write with ENOSPC: a disk that filled up during the crawl.
    result = run_cli(*_args(site, tmp_path, "-o", "/dev/full"))
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    summary = result.stdout.splitlines()
    assert summary[0] == "crawl of generic: output_write_error"
    assert ("  output: ERROR: could not write /dev/full: No space left on device; records of this crawl"
            " are missing from it, which the archive has (`newscrawler export` writes them)") in summary
    assert "ERROR [newscrawler.pipelines] Cannot write the output file /dev/full: No space left on device:" \
           " closing the spider" in result.stderr.splitlines()
    # What was archived before the crawl stopped stays: export gives its records.
    exported = run_cli("export", "--db", str(tmp_path / "archive.sqlite"), "--format", "jsonl")
    assert exported.returncode == 0, exported.stderr
    run = re.search(r"archive run 1: new (\d+)", result.stdout)
    assert run and int(run.group(1)) >= 1
    assert len(exported.stdout.splitlines()) == int(run.group(1))


# The command line, with the --output file moved away (ARGV[1] "move", as logrotate's
# `mv out.jsonl out.jsonl.1`) or removed ("remove") once the crawl has written its second record.
DURING_CRAWL = r"""
import os, sys
from newscrawler import pipelines
from newscrawler.cli import main

action = sys.argv[1]
write = pipelines.JsonLinesOutputPipeline.process_item
done = []

def process_item(self, item, spider=None):
    item = write(self, item, spider)
    if not done and self.stats.get_value("newscrawler/output/records") == 2:
        done.append(action)
        if action == "move":
            os.rename(self.path, f"{self.path}.1")
        else:
            os.unlink(self.path)
    return item

pipelines.JsonLinesOutputPipeline.process_item = process_item
sys.argv = ["newscrawler", *sys.argv[2:]]
main()
"""


def _crawl_and(action: str, site: Path, tmp_path: Path, output: Path) -> subprocess.CompletedProcess[str]:
    # One article at a time, each passed on once archived, with a pause between downloads: the
    # records come in turns of the reactor of their own, each written out at the end of its
    # turn, so the crawl writes more records after the file was moved or removed.
    args = _args(site, tmp_path, "-o", str(output), "-s", "CONCURRENT_REQUESTS=1", "-s", "DOWNLOAD_DELAY=0.5",
                 "-s", "NEWSCRAWLER_ARCHIVE_BATCH=1")
    return subprocess.run([sys.executable, "-c", DURING_CRAWL, action, *args], cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True,
                          timeout=300)


def _archived_urls(tmp_path: Path) -> list[str]:
    exported = run_cli("export", "--db", str(tmp_path / "archive.sqlite"), "--format", "jsonl")
    assert exported.returncode == 0, exported.stderr
    return sorted(json.loads(line)["url"] for line in exported.stdout.splitlines())


def _urls(path: Path) -> list[str]:
    return [json.loads(line)["url"] for line in path.read_text(encoding="utf-8").splitlines()]


def test_an_output_file_moved_away_during_the_crawl_is_followed_by_a_new_one(site: Path, tmp_path: Path) -> None:
    # A rotation (logrotate's `mv records.jsonl records.jsonl.1`): nothing written is lost, so
    # the crawl goes on, opening the path again for the records that follow.
    output = tmp_path / "records.jsonl"
    result = _crawl_and("move", site, tmp_path, output)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert result.stdout.splitlines()[0] == "crawl of generic: finished"
    moved = _urls(output.with_name("records.jsonl.1"))
    after = _urls(output)
    assert len(moved) >= 2 and after
    # Every record once, the first ones in the moved file and the rest in the new one.
    assert sorted(moved + after) == _archived_urls(tmp_path)
    total = len(moved) + len(after)
    assert (f"  output: {total} records appended to {output} ({len(moved)} of them before it was moved"
            " away during the crawl: they are in the moved file)") in result.stdout.splitlines()
    log = next((tmp_path / "logs").glob("*.log")).read_text(encoding="utf-8")
    assert f"The output file {output} was moved away; the records written so far are in the moved file," \
           " the next go to a new file at that path" in log


def test_an_output_file_removed_during_the_crawl_stops_it(site: Path, tmp_path: Path) -> None:
    # Records written to a file without a name are lost: the crawl stops, as on a full disk.
    output = tmp_path / "records.jsonl"
    result = _crawl_and("remove", site, tmp_path, output)
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    summary = result.stdout.splitlines()
    assert summary[0] == "crawl of generic: output_write_error"
    assert (f"  output: ERROR: could not write {output}: the file was removed or replaced while the"
            " crawl wrote to it; records of this crawl are missing from it, which the archive has"
            " (`newscrawler export` writes them)") in summary
    assert not output.exists()
    run = re.search(r"archive run 1: new (\d+)", result.stdout)
    assert run and len(_archived_urls(tmp_path)) == int(run.group(1)) >= 2


class _NoTimer:
    """Stands in for the reactor's timer outside a crawl: the test calls ``_flush`` itself."""

    def __init__(self, func: Any) -> None:
        self.func = func

    def schedule(self) -> None:
        pass


def _output_pipeline(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any, list[str]]:
    """The output pipeline of a crawl (without an engine) writing to ``path``, its stats, and
    the list that gets "stop" when it stops the crawl."""
    from scrapy.utils.test import get_crawler

    from newscrawler import pipelines
    from newscrawler.pipelines import output

    monkeypatch.setattr(output, "CallLaterOnce", _NoTimer)
    crawler = get_crawler(settings_dict={"NEWSCRAWLER_OUTPUT": str(path)})
    crawler.stats.open_spider()
    pipeline = pipelines.JsonLinesOutputPipeline.from_crawler(crawler)
    pipeline.open_spider()
    stops: list[str] = []
    monkeypatch.setattr(pipeline, "_stop", lambda: stops.append("stop"))
    return pipeline, crawler.stats, stops


def _page(n: int) -> Any:
    from newscrawler.items import PageItem

    url = f"https://www.nanhai-daily.example/news/{n}.html"
    return PageItem(url=url, status=200, headers={}, body=b"", fetched_at="2024-05-24T00:00:00+00:00",
                    kind="article", portal="generic", record={"url": url})


def test_an_output_file_removed_during_the_crawl_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             ) -> None:
    # Writes to a file whose directory was removed succeed, into a file nobody can read.
    folder = tmp_path / "out"
    folder.mkdir()
    pipeline, stats, stops = _output_pipeline(folder / "records.jsonl", monkeypatch)
    pipeline.process_item(_page(1))
    pipeline._flush()
    assert stats.get_value("newscrawler/output/error") is None and not stops
    shutil.rmtree(folder)
    pipeline.process_item(_page(2))
    pipeline._flush()
    assert stats.get_value("newscrawler/output/error") == "the file was removed or replaced while the crawl wrote to it"
    assert stops == ["stop"]
    pipeline.process_item(_page(3))  # the page goes on to be archived; nothing more is written
    pipeline.close_spider()
    assert stops == ["stop"]
    assert not folder.exists()


def test_an_output_file_whose_directory_was_moved_away_is_an_error(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # The records written are in the moved directory, but the path cannot be opened again.
    folder = tmp_path / "out"
    folder.mkdir()
    pipeline, stats, stops = _output_pipeline(folder / "records.jsonl", monkeypatch)
    pipeline.process_item(_page(1))
    folder.rename(tmp_path / "out.1")
    pipeline._flush()
    assert stats.get_value("newscrawler/output/error") == "No such file or directory"
    assert stops == ["stop"]
    pipeline.close_spider()
    assert _urls(tmp_path / "out.1" / "records.jsonl") == [_page(1).url]
    assert not folder.exists()


def test_an_output_file_that_fails_only_when_closed_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                ) -> None:
    output = tmp_path / "records.jsonl"
    pipeline, stats, stops = _output_pipeline(output, monkeypatch)
    pipeline.process_item(_page(1))  # buffered: the crawl ends before a flush
    output.unlink()
    pipeline.close_spider()
    assert not stops  # the crawl is ending already
    assert stats.get_value("newscrawler/output/error") == "the file was removed or replaced while the crawl wrote to it"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a file every write to fails")
def test_a_feed_that_cannot_be_written_stops_the_crawl_and_says_so(site: Path, tmp_path: Path) -> None:
    # A Scrapy feed (-s FEEDS=…, scrapyd's items feed) used to fail in the log only, exit 0.
    result = run_cli(*_args(site, tmp_path, "-s", 'FEEDS={"/dev/full": {"format": "jsonlines"}}'))
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    summary = result.stdout.splitlines()
    assert summary[0] == "crawl of generic: output_write_error"
    assert ("  feeds: ERROR: could not write a feed: No space left on device; 1 feed not stored"
            " (see the log)") in summary
    assert "ERROR [newscrawler.feeds] Cannot write a feed: No space left on device: closing the spider" \
           in result.stderr.splitlines()
    assert re.search(r"archive run 1: new [1-9]", result.stdout)
