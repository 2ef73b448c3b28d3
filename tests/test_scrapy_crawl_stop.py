"""``scrapy crawl`` (what scrapyd runs) stopped while it starts ends as ``newscrawler crawl`` does:
``shutdown``, nothing fetched, no traceback. Its other commands keep Ctrl-C acting at once.

Each process runs Scrapy's command line through a wrapper that stops at a chosen point of the
start until the test writes a line to its standard input: the signal comes then, certainly
before the crawl runs (or the command acts)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, ZJDAILY, without_crawl_delay

from archive import Archive

# A liveness bound, not a measure.
EXIT_WITHIN = 120

# Scrapy's command line, stopped in ``{owner}.{method}`` (imported from Scrapy, so that none of
# our code runs before the command line imports the project settings) until a line comes in.
_WRAPPER = '''
import sys
from {module} import {owner}
from scrapy.cmdline import execute

original = {owner}.{method}

def waiting(*args, **kwargs):
    print("waiting", flush=True)
    sys.stdin.readline()
    return original(*args, **kwargs)

{owner}.{method} = waiting
sys.argv[0] = "scrapy"
execute()
'''


def _scrapy(args: list[str], stop_in: str) -> subprocess.Popen[str]:
    """Scrapy's command line with ``args``, stopped in ``stop_in`` (``module:Class.method``)."""
    module, _, attribute = stop_in.partition(":")
    owner, _, method = attribute.partition(".")
    wrapper = _WRAPPER.format(module=module, owner=owner, method=method)
    return subprocess.Popen(
        [sys.executable, "-c", wrapper, *args], cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _signal_while_waiting(process: subprocess.Popen[str], how: signal.Signals, go_on: bool) -> tuple[str, str]:
    """Once the process waits, send it ``how``; then let it go on (``go_on``) or not; its output."""
    assert process.stdin is not None and process.stdout is not None
    try:
        line = process.stdout.readline()
        assert line == "waiting\n", line + process.communicate(timeout=EXIT_WITHIN)[1][-3000:]
        process.send_signal(how)
        if go_on:
            process.stdin.write("go on\n")
            process.stdin.flush()
        out, err = process.communicate(timeout=EXIT_WITHIN)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"the process did not end after {how.name}: {err[-3000:]}")
    except BaseException:
        process.kill()
        process.communicate()
        raise
    return line + out, err


def _crawl(tmp_path: Path, *extra: str) -> list[str]:
    fast = without_crawl_delay(ZJDAILY, tmp_path / "fast")
    return ["crawl", "zjdaily", "-s", f"NEWSCRAWLER_REPLAY_DIR={fast}",
            "-s", f"NEWSCRAWLER_ARCHIVE={tmp_path / 'archive.sqlite'}",
            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO", *extra]


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_a_scrapy_crawl_stopped_while_it_starts_ends_shutdown_without_a_traceback(
    tmp_path: Path, how: signal.Signals
) -> None:
    """The signal comes once Scrapy has read the settings and made the crawl's process, before
    it runs the crawl (scrapyd cancels a job by SIGINT, a second cancel by SIGTERM)."""
    process = _scrapy(_crawl(tmp_path), stop_in="scrapy.commands.crawl:Command.run")
    _, log = _signal_while_waiting(process, how, go_on=True)
    assert "Traceback" not in log and "KeyboardInterrupt" not in log, log[-3000:]
    assert f"Received {how.name} while the crawl was starting: it stops before fetching anything" in log
    assert "'finish_reason': 'shutdown'" in log, log[-3000:]
    assert "downloader/request_count" not in log, log[-3000:]
    assert process.returncode == 0, log[-3000:]
    with Archive.open(tmp_path / "archive.sqlite", create=False) as archive:
        (run,) = archive.runs()
        captures = archive.conn.execute("SELECT count(*) FROM captures").fetchone()[0]
    assert run["status"] == "shutdown"
    assert run["stats"]["newscrawler/stopped_while_starting"] == how.name
    assert captures == 0


def test_a_scrapy_crawl_refused_with_a_stop_held_ends_with_its_usage_error(tmp_path: Path) -> None:
    """Ctrl-C while ``scrapy crawl`` checks its arguments, which it then refuses: the crawl never
    runs, so the stop held has nothing left to stop; the usage error is what the command says."""
    process = _scrapy(_crawl(tmp_path, "-a", "since=2022-13-45"),
                      stop_in="newscrawler.commands.crawl:Command.process_options")
    _, err = _signal_while_waiting(process, signal.SIGINT, go_on=True)
    assert process.returncode == 2, err[-3000:]
    assert "error: -a: " in err, err[-3000:]
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-3000:]
    assert not (tmp_path / "archive.sqlite").exists()


@pytest.mark.parametrize("command, stop_in", [
    (["list"], "scrapy.commands.list:Command.run"),
    (["check", "zjdaily"], "scrapy.commands.check:Command.run"),
], ids=["list", "check"])
def test_scrapys_other_commands_stop_at_once_on_ctrl_c(command: list[str], stop_in: str) -> None:
    """Nothing of them would release a held Ctrl-C: it must act at once, where they are."""
    process = _scrapy(command, stop_in=stop_in)
    _, err = _signal_while_waiting(process, signal.SIGINT, go_on=False)
    assert "KeyboardInterrupt" in err, err[-3000:]
    assert process.returncode in (1, -signal.SIGINT), err[-3000:]
