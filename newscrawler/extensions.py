"""Crawl extensions.

``CrawlDelay``: honour robots.txt ``Crawl-delay``, which Scrapy reads but does not apply.
When a host's robots.txt is parsed, its ``Crawl-delay`` for our user agent becomes a floor on
that host's download slot delay, with no random jitter below it. AutoThrottle lowers delays as
responses come back, so the floor is applied again after each response (this extension is
ordered after AutoThrottle in ``EXTENSIONS``, and signal handlers run in connection order).

``ForcedStop``: a crawl stopped by force ends ``killed``. Ctrl-C or SIGTERM starts an orderly
close; a second one while it runs makes Scrapy stop the reactor at once, and nothing of the
close runs (no ``spider_closed``, no ``engine_stopped``). The components that keep state beyond
the crawl's process hear of it by ``crawl_killed``, sent as the reactor shuts down: the worker
process is ended, the archive's run finished ``killed`` with what it stored.

``StartingStop``: a crawl asked to stop while it was starting ends ``shutdown``, as one stopped
once it runs. ``newscrawler crawl`` and ``scrapy crawl`` (``scrapy_command``) hold Ctrl-C and
SIGTERM until then (``stopsignals``): when the engine starts with one held, the engine is
stopped before it fetches anything (stat ``newscrawler/stopped_while_starting``: the signal's
name); otherwise the signals are released to Scrapy's handlers once the engine runs, which stop
it the usual way.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from . import stopsignals
from .reports import STOPPED_WHILE_STARTING_STAT

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from typing_extensions import Self

logger = logging.getLogger(__name__)

# Sent (synchronously, the reactor stopped) when a crawl is stopped by force: see ``ForcedStop``.
crawl_killed = object()
# The crawl's ``finish_reason`` then, and its run's status in the archive: as a crawl that died
# any other way (a run left ``running`` is ended so when the job resumes, ``newscrawler.resume``).
KILLED = "killed"


class CrawlDelay:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        self.crawler = crawler
        self.user_agent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get(
            "USER_AGENT"
        )
        self.floors: dict[str, float] = {}
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(self.apply, signal=signals.response_downloaded)
        crawler.signals.connect(self.apply, signal=signals.request_reached_downloader)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def _slot_key(self, request: Request) -> str:
        return request.meta.get("download_slot") or self.crawler.engine.downloader.get_slot_key(
            request
        )

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        delay = robotparser.crawl_delay(self.user_agent)
        if not delay:
            return
        key = self._slot_key(request)
        self.floors[key] = float(delay)
        self.crawler.stats.set_value(f"newscrawler/crawl_delay/{key}", float(delay))
        logger.info("Crawl-delay %.2fs for %s (robots.txt)", delay, key)
        self.apply(request=request)

    def apply(self, request: Request, **kwargs: Any) -> None:
        key = self._slot_key(request)
        floor = self.floors.get(key)
        if floor is None:
            return
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is not None:
            slot.jitter = 0.0
            slot.delay = max(slot.delay, floor)


class ForcedStop:
    """Ends a crawl stopped by force (see the module's docstring): its ``finish_reason`` is
    ``killed`` (the summary says so, and ``newscrawler crawl`` exits 1) and ``crawl_killed`` is
    sent, once the reactor has stopped."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.trigger: Any = None
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def engine_started(self) -> None:
        # "after": once Scrapy's own shutdown steps ("before") have returned, which on a forced
        # stop they do at once. A crawl that closed removed it (``engine_stopped``).
        self.trigger = _reactor().addSystemEventTrigger("after", "shutdown", self.killed)

    def engine_stopped(self) -> None:
        if self.trigger is not None:
            _reactor().removeSystemEventTrigger(self.trigger)
            self.trigger = None

    def killed(self) -> None:
        self.trigger = None
        stats = self.crawler.stats
        # Scrapy sets it once the spider has closed: a spider that closed keeps its reason (its
        # run is recorded already), only the steps after were cut short.
        if stats is not None and stats.get_value("finish_reason") is None:
            stats.set_value("finish_reason", KILLED)
            logger.warning("The crawl was stopped by force before it closed: it ends %s", KILLED)
        self.crawler.signals.send_catch_log(signal=crawl_killed)


class StartingStop:
    """Acts on a stop held while the crawl started (see the module's docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.released = False
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)
        crawler.signals.connect(self.release, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def engine_started(self) -> None:
        held = stopsignals.take()
        if held is None:
            self._release_when_running()
            return
        if self.crawler.stats is not None:
            self.crawler.stats.set_value(STOPPED_WHILE_STARTING_STAT, held.name)
        logger.warning("Received %s while the crawl was starting: it stops before fetching anything", held.name)
        self.release()  # a second signal now stops it by force, as during the crawl
        assert self.crawler.engine is not None
        # Stopped while it starts, which the engine allows for: it never starts its requests.
        await self.crawler.engine.stop_async()

    def _release_when_running(self) -> None:
        # Not before: Scrapy's handler stops a crawl only once its engine runs, which it does
        # after every engine_started handler has returned.
        if self.released:
            return
        if self.crawler.engine is not None and self.crawler.engine.running:
            self.release()
        else:
            _reactor().callLater(0, self._release_when_running)

    def release(self) -> None:
        if not self.released:
            self.released = True
            stopsignals.release()


def _reactor() -> Any:
    from twisted.internet import reactor

    return reactor
