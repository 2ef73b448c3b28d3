"""``JsonLinesOutputPipeline``: each article record appended to the ``NEWSCRAWLER_OUTPUT`` file
as one JSON line, with the file's write errors, removal and rotation handled."""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.reactor import CallLaterOnce

from ..items import PageItem
from .stages import Stage

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

# The package's name, as every pipeline's logger (``stages`` says why).
logger = logging.getLogger("newscrawler.pipelines")

# Bytes of JSON Lines the output pipeline buffers between writes.
OUTPUT_BUFFER = 1 << 20
# ``json.dumps(record, ensure_ascii=False)``, without making an encoder for every record.
_JSON_LINE = json.JSONEncoder(ensure_ascii=False)


class JsonLinesOutputPipeline(Stage):
    """Append each article record to ``NEWSCRAWLER_OUTPUT`` as one JSON line.

    A file that cannot be written (a full disk) or that is removed while the crawl runs (the file
    or its directory: what is written after goes nowhere) stops the crawl, as a WARC file that
    cannot be written does: the error is logged once, ``newscrawler/output/error`` says what it
    was for the summary, and the archive keeps every page archived until then (``newscrawler
    export`` writes their records again).

    A file moved away while the crawl runs (rotated: ``mv out.jsonl out.jsonl.1``) keeps what was
    written to it, so it is no error: the crawl opens the path again, as logging's
    ``WatchedFileHandler`` does, and writes the records that follow there. Whether the file
    opened is gone or only moved is told by its link count, at each write-out.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        path = crawler.settings.get("NEWSCRAWLER_OUTPUT")
        if not path:
            raise NotConfigured
        self.path = Path(path)
        self.file: Any = None
        self.flusher: CallLaterOnce[None] | None = None
        self.failed = False
        # The identity of the file opened: when the path names another file (or none), the one
        # opened was moved away or removed.
        self.identity: tuple[int, int] | None = None

    def open_spider(self, spider: Spider | None = None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._open()
        self.flusher = CallLaterOnce(self._flush)
        # The crawl's summary says how many records went where (and why none, when none did).
        self.stats.set_value("newscrawler/output/path", str(self.path))
        self.stats.set_value("newscrawler/output/records", 0)

    def _open(self) -> None:
        # Written out once per turn of the reactor (``_flush``), not once per record: the
        # buffer holds what the pages done in one turn give (a batch of the archive's pages).
        self.file = self.path.open("a", encoding="utf-8", buffering=OUTPUT_BUFFER)
        self.identity = _identity(os.fstat(self.file.fileno()))

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.file and not self.file.closed:
            try:
                self.file.flush()
                self._check_file(reopen=False)  # nothing more to write: a moved file is complete
            except OSError as exc:
                self._failed(exc, stop=False)  # the crawl is ending already
            finally:
                _close_quietly(self.file)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if self.failed or not (isinstance(item, PageItem) and item.record is not None):
            return item  # after a write error the page is still archived, its record not written
        try:
            self.file.write(_JSON_LINE.encode(item.record) + "\n")
        except OSError as exc:
            self._failed(exc)
            return item
        assert self.flusher is not None
        self.flusher.schedule()
        self.stats.inc_value("newscrawler/output/records")
        return item

    def _flush(self) -> None:
        if self.failed or not self.file or self.file.closed:
            return
        try:
            self.file.flush()
            self._check_file(reopen=True)
        except OSError as exc:
            self._failed(exc)

    def _check_file(self, reopen: bool) -> None:
        """``OSError`` when the file opened was removed (or replaced: the path now names another
        file and the one opened has no name left), taking the records written to it with it.
        When it was moved away, with ``reopen`` the path is opened again for what follows (a
        path that cannot be opened any more, its directory moved, is a write error)."""
        if os.fstat(self.file.fileno()).st_nlink == 0:
            raise OSError("the file was removed or replaced while the crawl wrote to it")
        try:
            now = _identity(os.stat(self.path))
        except (FileNotFoundError, NotADirectoryError):
            now = None
        except OSError:
            return  # a directory made unreadable: the file opened is still written, unchecked
        if now == self.identity:
            return
        # Moved away: every record written so far is in the moved file.
        self.stats.inc_value("newscrawler/output/moved")
        self.stats.set_value("newscrawler/output/records_before_move",
                             self.stats.get_value("newscrawler/output/records", 0))
        logger.info("The output file %s was moved away; the records written so far are in the moved"
                    " file%s", self.path, ", the next go to a new file at that path" if reopen else "")
        if reopen:
            moved = self.file
            self._open()
            _close_quietly(moved)

    def _failed(self, exc: OSError, stop: bool = True) -> None:
        """Log the first write error, keep it for the summary and stop the crawl."""
        if self.failed:
            return
        self.failed = True
        reason = exc.strerror or str(exc)
        self.stats.set_value("newscrawler/output/error", reason)
        logger.error("Cannot write the output file %s: %s: closing the spider", self.path, reason)
        _close_quietly(self.file)
        if stop:
            self._stop()

    def _stop(self) -> None:
        """Stop the crawl: with its output gone, a crawl that wanted one should not go on."""
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="output_write_error"))


def _identity(status: os.stat_result) -> tuple[int, int]:
    """What tells one file from another whatever its name: device and inode."""
    return status.st_dev, status.st_ino


def _close_quietly(file: Any) -> None:
    """Close a file whose writes already failed: what is still buffered fails again, unsaid."""
    with contextlib.suppress(OSError):
        file.close()
