"""Crawl log files beside the archive: one per run, even for runs starting in the same second."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from newscrawler.crawllog import default_log_file


def test_two_runs_starting_in_one_second_get_a_log_file_each(tmp_path: Path) -> None:
    """Two crawls of a portal at once (each with its --job-dir) into one archive: each name is
    claimed before its crawl writes anything, so the second never truncates the first's log."""
    now = datetime(2026, 12, 7, 12, 58, 11, tzinfo=timezone.utc)
    first = default_log_file(tmp_path / "archive.sqlite", "zjdaily", now)
    second = default_log_file(tmp_path / "archive.sqlite", "zjdaily", now)
    assert first == tmp_path / "logs" / "zjdaily-20261207T125811Z.log"
    assert second == tmp_path / "logs" / "zjdaily-20261207T125811Z-2.log"
    assert first.exists() and second.exists()
