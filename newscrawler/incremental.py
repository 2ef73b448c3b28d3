"""Incremental crawling: archived articles are fetched again only when the recrawl policy says so.

The spider asks ``Incremental.plan(url)`` before it requests an article page. The answer comes
from the archive the crawl writes to (``NEWSCRAWLER_ARCHIVE``), opened read-only on a connection
of its own: the article's last capture, its publication time and the validators the server sent.

- An article the archive does not know is fetched.
- ``NEWSCRAWLER_RECRAWL = "policy"`` (the default): an article published less than
  ``NEWSCRAWLER_RECRAWL_MAX_AGE_DAYS`` ago (its first capture when it shows no date) is fetched
  again once its last capture is ``NEWSCRAWLER_RECRAWL_INTERVAL_HOURS`` old, to catch
  corrections; older articles are never fetched again.
- ``"watch"``: every archived article is fetched again at intervals that grow with its age,
  ``NEWSCRAWLER_RECRAWL_WATCH`` (default ``"7:1,30:7,365:30,*:91"``: daily in its first week,
  weekly to a month, every 30 days to a year, every 91 days after), to catch late edits and
  removals (docs/changes.md).
- ``"all"``: every archived article is fetched again; ``"none"``: none is.

A page fetched again is asked for conditionally (``If-None-Match``/``If-Modified-Since`` from the
``ETag``/``Last-Modified`` of its latest full capture); a 304 answer becomes a capture of kind
``not-modified`` without a body. Archived articles due for a revisit are requested even when no
listing links to them any more (``NEWSCRAWLER_RECRAWL_UNLISTED``, default True; stat
``newscrawler/incremental/unlisted``): a story taken down usually leaves its listings first, and
its removal is only seen by asking for it (``newscrawler.removals``). Listing pages are never
skipped: every crawl takes a snapshot of the hot lists they show. Stats:
``newscrawler/incremental/skipped``, ``.../revisited``, ``.../not_modified``. Without an archive
every page is fetched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

MODES = ("policy", "watch", "all", "none")
# The watch policy's default schedule: (age of the article in days up to which, days between
# checks), the last band for every older article. Checks grow rarer as a story ages: removals
# and rewrites come weeks or months after publication, but a daily check of a whole archive
# would cost as many requests as articles (docs/changes.md estimates the cost).
WATCH_SCHEDULE = "7:1,30:7,365:30,*:91"


def parse_schedule(text: str) -> tuple[tuple[float, timedelta], ...]:
    """``"7:1,30:7,*:91"`` → ((7, 1 day), (30, 7 days), (inf, 91 days)); ``ValueError`` when
    malformed (ages must grow, the last band must be ``*``)."""
    bands: list[tuple[float, timedelta]] = []
    for part in text.split(","):
        age, sep, every = part.strip().partition(":")
        try:
            upto = float("inf") if age.strip() == "*" else float(age)
            interval = timedelta(days=float(every))
        except ValueError:
            raise ValueError(f"watch schedule band must be AGE_DAYS:EVERY_DAYS, got {part!r}") from None
        if not sep or (bands and upto <= bands[-1][0]) or interval <= timedelta(0):
            raise ValueError(f"watch schedule bands must grow in age with positive intervals: {text!r}")
        bands.append((upto, interval))
    if not bands or bands[-1][0] != float("inf"):
        raise ValueError(f"watch schedule must end with a band for every age (*:DAYS): {text!r}")
    return tuple(bands)


@dataclass(frozen=True)
class RecrawlPolicy:
    """When an archived article is worth fetching again."""

    mode: str = "policy"
    max_age: timedelta = timedelta(days=7)
    interval: timedelta = timedelta(hours=24)
    watch: tuple[tuple[float, timedelta], ...] = parse_schedule(WATCH_SCHEDULE)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"recrawl mode must be one of {', '.join(MODES)}, got {self.mode!r}")

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RecrawlPolicy:
        return cls(
            mode=str(settings.get("NEWSCRAWLER_RECRAWL") or "policy").lower(),
            max_age=timedelta(days=settings.getfloat("NEWSCRAWLER_RECRAWL_MAX_AGE_DAYS", 7)),
            interval=timedelta(hours=settings.getfloat("NEWSCRAWLER_RECRAWL_INTERVAL_HOURS", 24)),
            watch=parse_schedule(str(settings.get("NEWSCRAWLER_RECRAWL_WATCH") or WATCH_SCHEDULE)),
        )

    def revisit(self, state: dict[str, Any], now: datetime) -> bool:
        """Whether to fetch again an article the archive holds (``state`` from ``crawl_state``)."""
        if self.mode not in ("policy", "watch"):
            return self.mode == "all"
        born = _utc(state.get("published_utc")) or _utc(state["first_seen"])
        last = _utc(state["last_seen"])
        if self.mode == "watch":
            assert born is not None and last is not None  # first_seen and last_seen are NOT NULL
            age_days = (now - born) / timedelta(days=1)
            every = next(interval for upto, interval in self.watch if age_days < upto)
            return now - last >= every
        assert born is not None and last is not None  # first_seen and last_seen are NOT NULL
        return now - born < self.max_age and now - last >= self.interval


def conditional_headers(state: dict[str, Any]) -> dict[str, str]:
    """Request headers asking for the page only if it changed since its last full capture."""
    headers = {}
    if state.get("etag"):
        headers["If-None-Match"] = state["etag"]
    if state.get("last_modified"):
        headers["If-Modified-Since"] = state["last_modified"]
    return headers


@dataclass(frozen=True)
class Plan:
    """How to request an article page: plainly, or conditionally as a revisit."""

    headers: dict[str, str]
    revisit: bool


class Incremental:
    """The archive's knowledge of a portal's articles, and the recrawl policy applied to it."""

    def __init__(self, archive_path: str | Path | None, portal: str, policy: RecrawlPolicy) -> None:
        self.path = Path(archive_path) if archive_path else None
        self.portal = portal
        self.policy = policy
        self._conn: sqlite3.Connection | None = None
        # What the archive knew of the links of the listing page being followed (``prepare``).
        self._states: dict[str, dict[str, Any] | None] = {}

    @classmethod
    def from_settings(cls, settings: BaseSettings, portal: str) -> Incremental:
        return cls(settings.get("NEWSCRAWLER_ARCHIVE"), portal, RecrawlPolicy.from_settings(settings))

    def _connection(self) -> sqlite3.Connection | None:
        if self._conn is None and self.path is not None and self.path.is_file():
            # Read-only and separate from the archive pipeline's connection: WAL lets it see
            # every page committed so far without ever taking the write lock.
            self._conn = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
            self._conn.execute("PRAGMA busy_timeout = 30000")
        return self._conn

    def prepare(self, urls: list[str]) -> None:
        """Look up these articles (the links of a listing page) together, for ``plan`` of each
        just after: a query or two for all, where each plan would take one or two of its own."""
        conn = self._connection()
        if conn is None or not urls:
            return
        from archive.query import crawl_states

        self._states = crawl_states(conn, urls, self.portal)

    def state(self, url: str) -> dict[str, Any] | None:
        if url in self._states:
            return self._states.pop(url)
        conn = self._connection()
        if conn is None:
            return None
        from archive.query import crawl_state

        return crawl_state(conn, url, self.portal)

    def due(self, now: datetime | None = None) -> Iterator[str]:
        """Canonical URLs of the portal's archived articles the policy would fetch again now,
        oldest capture first."""
        conn = self._connection()
        if conn is None or self.policy.mode == "none":
            return
        now = now or datetime.now(timezone.utc)
        rows = conn.execute(
            "SELECT canonical_url, published_utc, first_seen, last_seen FROM articles"
            " WHERE portal = ? ORDER BY last_seen, id", (self.portal,)
        ).fetchall()
        for url, published_utc, first_seen, last_seen in rows:
            state = {"published_utc": published_utc, "first_seen": first_seen, "last_seen": last_seen}
            if self.policy.revisit(state, now):
                yield url

    def articles_of_run(self, run_id: int) -> set[str]:
        """The URLs of the article pages an archive run captured: as fetched and canonical."""
        conn = self._connection()
        if conn is None:
            return set()
        rows = conn.execute(
            "SELECT captures.url, articles.canonical_url FROM captures"
            " JOIN articles ON articles.id = captures.article_id WHERE captures.run_id = ?",
            (run_id,),
        ).fetchall()
        return {url for row in rows for url in row}

    def plan(self, url: str, now: datetime | None = None) -> Plan | None:
        """How to request the article at canonical ``url``; None to skip it."""
        state = self.state(url)
        if state is None:
            return Plan({}, revisit=False)
        if not self.policy.revisit(state, now or datetime.now(timezone.utc)):
            return None
        return Plan(conditional_headers(state), revisit=True)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _utc(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
