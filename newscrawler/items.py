"""Items the spider yields: one ``PageItem`` per fetched page, raw and complete.

The spider does no extraction. Item pipelines fill ``raw``/``context`` (extraction), then
``record`` (normalisation, validation), then write it out; the page bytes travel with the item so
the archive can keep what the server sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PageItem:
    url: str
    status: int
    headers: dict[str, str]
    # Left out of the item's repr: Scrapy logs an item that failed, and the page is no news.
    body: bytes = field(repr=False)
    # ISO 8601 in UTC.
    fetched_at: str
    # ``article``, ``listing``, ``error`` for an HTTP error response, or ``not-modified`` for a
    # 304 answer to a conditional request (see newscrawler.incremental).
    kind: str
    portal: str
    # Where the WARC record of this response is (see newscrawler.warc), when WARCs are written.
    warc_filename: str | None = None
    warc_offset: int | None = None
    # The redirects that led here, oldest first: ``url``, ``status``, ``reason`` (``location`` or
    # ``meta refresh``) and their WARC record (``warc_filename``, ``warc_offset``).
    redirects: list[dict[str, Any]] = field(default_factory=list)
    # Filled by the pipelines.
    raw: Any = field(default=None, repr=False)
    context: Any = field(default=None, repr=False)
    record: dict[str, Any] | None = field(default=None, repr=False)
    # The hot lists (``rankings``, ``related``) of a page without a record: listing pages.
    lists: dict[str, Any] | None = field(default=None, repr=False)
    notes: list[str] = field(default_factory=list)
    # The canonical URL of the archived article this page was fetched again for (a revisit,
    # see newscrawler.incremental), and the sign of its removal the page showed, if any
    # (``http_404``, ``redirect_home``, ``soft_404`` …, see newscrawler.removals).
    revisit_of: str | None = None
    removal: str | None = None
    # (token, record): the worker keeps the record it built until the page is archived, so that
    # the archive pipeline sends a reference instead (newscrawler.worker.KeptRecord).
    worker_record: tuple[int, dict[str, Any]] | None = field(default=None, repr=False)
