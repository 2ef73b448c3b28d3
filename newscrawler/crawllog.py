"""Where a crawl's log goes, and the warnings and errors its summary ends with.

Scrapy logs some 130 INFO lines and a stats dump for a small crawl; on a terminal they bury the
live progress line and the summary. So ``newscrawler crawl`` keeps Scrapy's log off the terminal
unless asked (``LogPlan``):

- by default the full log (level INFO) goes to a file, ``logs/<job>-<UTC time>.log`` beside the
  archive (``--log-file`` chooses another), and nothing of it to the terminal;
- ``--verbose`` prints it on standard error, as ``scrapy crawl`` does; ``--log-level LEVEL``
  too, at that level. With ``--log-file`` as well it also goes to the file.

Either way ``WarningCollector`` counts the WARNING and ERROR records and keeps the first few, one
line each: the crawl's summary says how many there were and where the full log is, and shows
those lines after it (``CrawlLog``).

Only the command line makes a plan; ``crawl.run_crawl`` without one leaves Scrapy's logging as
Scrapy configures it (tests and other callers of the library).
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

# Lines of each level kept for the summary; the rest are counted.
KEEP = 5
# An item that failed a pipeline is logged whole (its body bytes too): a line is cut here.
LINE_WIDTH = 240


def default_log_file(archive: str | Path, job: str, now: datetime | None = None) -> Path:
    """``logs/<job>-<UTC time>.log`` in the archive's directory, created empty: one file per
    run, kept."""
    when = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    folder = Path(archive).parent / "logs"
    path = folder / f"{job}-{when:%Y%m%dT%H%M%SZ}.log"
    n = 1
    while True:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # Claimed by creating it: two runs starting in one second (two crawls of a portal
            # at once, each with its job directory) must not share a file, nor truncate it.
            path.open("x").close()
            return path
        except FileExistsError:
            n += 1
            path = folder / f"{job}-{when:%Y%m%dT%H%M%SZ}-{n}.log"
        except OSError:
            return path  # an unwritable folder is reported where the log is opened


@dataclass(frozen=True)
class LogPlan:
    """Where Scrapy's log goes: standard error (``show``), a file, or both; at ``level``."""

    show: bool = False
    level: str = "INFO"
    file: Path | None = None

    def settings(self) -> dict[str, Any]:
        """The Scrapy settings of the plan. Scrapy's root handler writes the file when there is
        one; ``install`` adds the terminal's handler beside it."""
        settings: dict[str, Any] = {"LOG_LEVEL": self.level}
        if self.file is not None:
            settings["LOG_FILE"] = str(self.file)
            settings["LOG_FILE_APPEND"] = False
        elif not self.show:
            settings["LOG_ENABLED"] = False
        return settings

    def prepare(self) -> None:
        if self.file is not None:
            self.file.parent.mkdir(parents=True, exist_ok=True)


class WarningCollector(logging.Handler):
    """Counts the WARNING and ERROR (and CRITICAL) records of a crawl; keeps the first few."""

    def __init__(self, keep: int = KEEP) -> None:
        super().__init__(logging.WARNING)
        self.keep = keep
        self.counts: dict[str, int] = {"WARNING": 0, "ERROR": 0}
        self.first: dict[str, list[str]] = {"WARNING": [], "ERROR": []}

    def emit(self, record: logging.LogRecord) -> None:
        level = "ERROR" if record.levelno >= logging.ERROR else "WARNING"
        self.counts[level] += 1
        if len(self.first[level]) < self.keep:
            try:
                message = record.getMessage()
            except Exception:  # noqa: BLE001 - a malformed record is still counted, shown raw
                message = str(record.msg)
            # The first line only: tracebacks and whole items stay in the full log.
            text = (message.strip().splitlines() or [""])[0]
            if len(text) > LINE_WIDTH:
                text = text[:LINE_WIDTH - 1] + "…"
            self.first[level].append(f"{level} [{record.name}] {text}")


@dataclass
class CrawlLog:
    """What the summary says of the log: counts, the first lines of each level, the file."""

    warnings: int = 0
    errors: int = 0
    first_errors: list[str] = field(default_factory=list)
    first_warnings: list[str] = field(default_factory=list)
    file: Path | None = None
    shown: bool = False

    def summary_line(self) -> str:
        counts = (f"{self.warnings} warning{'s' * (self.warnings != 1)},"
                  f" {self.errors} error{'s' * (self.errors != 1)}")
        if self.file is not None:
            return f"  log: {counts}; the full log: {self.file}"
        if self.shown:
            return f"  log: {counts} (above)"
        return f"  log: {counts} (--verbose or --log-file FILE to see them all)"

    def excerpt(self) -> list[str]:
        """The first errors, then the first warnings, with how many more there were."""
        lines: list[str] = []
        for first, total, kind in ((self.first_errors, self.errors, "errors"),
                                   (self.first_warnings, self.warnings, "warnings")):
            lines += first
            if total > len(first):
                lines.append(f"… and {total - len(first)} more {kind}")
        return lines


class Installed:
    """The handlers a plan added to the root logger, removed again by ``finish``."""

    def __init__(self, plan: LogPlan, scrapy_settings: Any) -> None:
        self.plan = plan
        self.collector = WarningCollector()
        self.handlers: list[logging.Handler] = [self.collector]
        if plan.show and plan.file is not None:
            # Scrapy's root handler writes the file: the terminal gets a handler of its own.
            stream = logging.StreamHandler(sys.stderr)
            stream.setFormatter(logging.Formatter(scrapy_settings.get("LOG_FORMAT"),
                                                  scrapy_settings.get("LOG_DATEFORMAT")))
            stream.setLevel(plan.level)
            self.handlers.append(stream)
        for handler in self.handlers:
            logging.root.addHandler(handler)

    def finish(self) -> CrawlLog:
        for handler in self.handlers:
            logging.root.removeHandler(handler)
        collector = self.collector
        return CrawlLog(warnings=collector.counts["WARNING"], errors=collector.counts["ERROR"],
                        first_errors=list(collector.first["ERROR"]),
                        first_warnings=list(collector.first["WARNING"]),
                        file=self.plan.file, shown=self.plan.show)
