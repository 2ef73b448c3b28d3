"""``Progress``: a live one-line display of a crawl on a terminal (rich), as a Scrapy extension.

It shows pages fetched and pages per second, article records new, changed and unchanged in the
archive, errors, the elapsed time and, when ``--max-articles`` bounds the crawl, an estimate of
the time left. Log lines keep scrolling above it.

Setting ``NEWSCRAWLER_PROGRESS``: ``auto`` (default: on when standard output is a terminal),
``on`` or ``off``. When it is off, Scrapy's LogStats still logs a progress line every minute,
into the crawl's log (``newscrawler.crawllog``: a file by default, standard error with
``newscrawler crawl --verbose``), which is what a crawl whose output goes to a file or a pipe wants.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from typing_extensions import Self

logger = logging.getLogger(__name__)

MODES = ("auto", "on", "off")
REFRESH_SECONDS = 0.5


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


def progress_line(portal: str, stats: dict[str, Any], elapsed: float,
                  max_articles: int | None = None) -> str:
    """The text of the display, from the crawl's stats."""
    from .reports import errors_by_kind

    def count(key: str) -> int:
        return int(stats.get(key, 0) or 0)

    pages = count("response_received_count")
    rate = pages / elapsed if elapsed > 0 else 0.0
    errors = sum(errors_by_kind(stats).values())
    line = (f"{portal}  {_clock(elapsed)}  pages {pages} ({rate:.1f}/s)  articles new"
            f" {count('newscrawler/archive/new')}, changed {count('newscrawler/archive/changed')},"
            f" unchanged {count('newscrawler/archive/unchanged')}  errors {errors}")
    if max_articles:
        done = (count("newscrawler/validate/articles")
                + sum(int(v or 0) for k, v in stats.items() if k.startswith("newscrawler/validate/invalid/"))
                + count("newscrawler/incremental/not_modified"))
        # A resumed job's budget counts the articles of the run it resumes.
        before = count("newscrawler/resume/budget_spent_before")
        line += f"  {min(before + done, max_articles)}/{max_articles}"
        if done > 0 and before + done < max_articles:
            line += f"  ETA {_clock(elapsed * (max_articles - before - done) / done)}"
    return line


class Progress:
    def __init__(self, crawler: Crawler) -> None:
        mode = str(crawler.settings.get("NEWSCRAWLER_PROGRESS", "auto")).lower()
        if mode not in MODES:
            logger.warning("NEWSCRAWLER_PROGRESS must be one of %s, not %r; using auto",
                           ", ".join(MODES), mode)
            mode = "auto"
        if mode == "off" or (mode == "auto" and not sys.stdout.isatty()):
            raise NotConfigured
        self.crawler = crawler
        self.live: Any = None
        self.loop: Any = None
        self.started = 0.0
        self.max_articles: int | None = None
        self.portal = ""
        self._streams: list[tuple[logging.StreamHandler[Any], Any]] = []
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def text(self) -> str:
        stats = dict(self.crawler.stats.get_stats()) if self.crawler.stats else {}
        return progress_line(self.portal, stats, time.monotonic() - self.started, self.max_articles)

    def spider_opened(self, spider: Spider) -> None:
        from rich.console import Console
        from rich.live import Live
        from twisted.internet import task

        self.started = time.monotonic()
        self.max_articles = getattr(spider, "max_articles", None)
        self.portal = spider.name
        original = sys.stderr
        # Refreshed from the reactor (not rich's thread), so the stats are read between callbacks.
        # Not a terminal (NEWSCRAWLER_PROGRESS=on into a file): one unwrapped line at the end.
        console = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 200)
        self.live = Live(self._render(), console=console, auto_refresh=False,
                         redirect_stdout=True, redirect_stderr=True, transient=False)
        self.live.start()
        # Scrapy's log handler holds the real stderr: point it at rich's proxy (on a terminal,
        # Live replaced sys.stderr), so log lines print above the display, not through it.
        if sys.stderr is not original:
            for handler in logging.getLogger().handlers:
                if isinstance(handler, logging.StreamHandler) and handler.stream is original:
                    handler.setStream(sys.stderr)
                    self._streams.append((handler, original))
        self.loop = task.LoopingCall(self.refresh)
        self.loop.start(REFRESH_SECONDS, now=False)

    def _render(self) -> Any:
        from rich.text import Text

        return Text(self.text(), no_wrap=True, overflow="ellipsis")

    def refresh(self) -> None:
        if self.live is not None:
            self.live.update(self._render(), refresh=True)

    def spider_closed(self, spider: Spider) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.live is not None:
            self.refresh()
            for handler, stream in self._streams:
                handler.setStream(stream)
            self._streams.clear()
            self.live.stop()
            if not self.live.console.is_terminal:
                self.live.console.print()
            self.live = None
