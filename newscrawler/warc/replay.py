"""Crawling from WARC files: a download handler that answers every request from captures.

With ``NEWSCRAWLER_REPLAY_WARC`` (a ``.warc.gz`` file or a directory of them) set,
``WarcReplayDownloadHandler`` loads the CDXJ index beside each file (or indexes a file that has
none), and answers each request with the latest capture of its URL: of the exact URL, else of
the same SURT key (``http``/``https`` and ``www.`` twins), else of the same canonical URL (a
portal's ``m.`` twins, which the duplicate filter already treats as one request). A revisit
record answers with its own status and headers and the payload of the response it refers to.
A URL with no capture gets a 404. The body is handed over as it was stored, still
content-encoded, so Scrapy's middlewares (decompression, robots.txt, retries, redirects) and the
spider run exactly as in a live crawl, with no network.

Replayed responses carry the flag ``warc`` (the capture middleware does not write them again) and
put the record they came from on the request's meta: ``warc_filename``, ``warc_offset``, and
``warc_date`` (its ``WARC-Date``: when the page was really fetched).

Without the setting the handler hands every request to ``newscrawler.replay.ReplayDownloadHandler``
(fixture replay with ``NEWSCRAWLER_REPLAY_DIR``, else plain HTTP/1.1), so one
``DOWNLOAD_HANDLERS`` entry serves all three modes; with it, no HTTP client is set up at all.
"""

from __future__ import annotations

import logging
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from warcio.bufferedreaders import ChunkedDataReader  # type: ignore[import-untyped]

from ..portals import canonical_url
from ..replay import ReplayDownloadHandler
from .capture import REPLAYED_FLAG
from .index import CaptureIndex, Entry, read_record, strip_digest

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

_INDEXES: WeakKeyDictionary[Crawler, CaptureIndex] = WeakKeyDictionary()
NOT_FOUND_BODY = b"<html><body><h1>404 Not Found</h1><p>Not in the WARC files.</p></body></html>"


class WarcReplayError(Exception):
    """A capture that cannot be replayed: its file is missing or a revisit's original is."""


class WarcReplayDownloadHandler(BaseDownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        location = crawler.settings.get("NEWSCRAWLER_REPLAY_WARC")
        if location and crawler.settings.get("NEWSCRAWLER_REPLAY_DIR"):
            raise ValueError("set NEWSCRAWLER_REPLAY_WARC or NEWSCRAWLER_REPLAY_DIR, not both")
        self.stats = crawler.stats
        self.index: CaptureIndex | None = None
        # Without WARC files: fixture replay or the network, through the project's handler.
        self.fallback: ReplayDownloadHandler | None = None
        if not location:
            self.fallback = ReplayDownloadHandler(crawler)
            return
        # http and https each get a handler: they share one index.
        self.index = _INDEXES.get(crawler)
        if self.index is None:
            self.index = _INDEXES[crawler] = CaptureIndex.load(Path(location), canonical_url)
            logger.info("Replaying %d captures from %s", len(self.index), location)

    async def download_request(self, request: Request) -> Response:
        if self.fallback is not None:
            return await self.fallback.download_request(request)
        assert self.index is not None
        entry = self.index.latest(request.url)
        if entry is None:
            self.stats.inc_value("newscrawler/warc_replay/missing")
            return _response(request.url, 404, Headers({"Content-Type": "text/html"}), NOT_FOUND_BODY,
                             flags=[REPLAYED_FLAG])
        status, headers, body, protocol, date = self.load(entry)
        request.meta.update(warc_filename=entry.filename, warc_offset=entry.offset, warc_date=date)
        kind = "revisit" if entry.is_revisit else "response"
        self.stats.inc_value(f"newscrawler/warc_replay/{kind}")
        return _response(request.url, status, headers, body, flags=[REPLAYED_FLAG], protocol=protocol)

    async def close(self) -> None:
        if self.fallback is not None:
            await self.fallback.close()

    def load(self, entry: Entry) -> tuple[int, Headers, bytes, str | None, str]:
        """Status, headers, payload (as stored), protocol and WARC-Date of a capture, revisits
        resolved."""
        try:
            record, payload = read_record(entry.path, entry.offset)
        except (OSError, ValueError) as exc:
            raise WarcReplayError(f"cannot read {entry.filename} at {entry.offset}: {exc}") from exc
        http = record.http_headers
        if http is None:
            raise WarcReplayError(f"{entry.filename} at {entry.offset}: no HTTP headers in the record")
        if record.rec_type == "revisit":
            payload = self._original_payload(entry, record)
        names = [name for name, _ in http.headers]
        chunked = any(n.lower() == "transfer-encoding" for n in names) and "chunked" in (
            http.get_header("Transfer-Encoding") or "").lower()
        if chunked:
            # A WARC from another tool may keep the body chunked as sent: replay it de-chunked.
            payload = ChunkedDataReader(BytesIO(payload)).read()
        headers = Headers()
        for name, value in http.headers:
            if chunked and name.lower() == "transfer-encoding":
                continue
            headers.appendlist(name, value)
        date = record.rec_headers.get_header("WARC-Date") or ""
        return int(http.get_statuscode()), headers, payload, http.protocol or None, date

    def _original_payload(self, entry: Entry, record: object) -> bytes:
        assert self.index is not None
        rec_headers = record.rec_headers  # type: ignore[attr-defined]
        url = rec_headers.get_header("WARC-Refers-To-Target-URI") or entry.url
        digest = strip_digest(rec_headers.get_header("WARC-Payload-Digest") or entry.digest)
        original = self.index.original(url, digest, before=entry)
        if original is None:
            raise WarcReplayError(f"revisit of {entry.url} in {entry.filename}: no response with digest {digest}")
        _, payload = read_record(original.path, original.offset)
        return payload


def _response(url: str, status: int, headers: Headers, body: bytes, flags: list[str],
              protocol: str | None = None) -> Response:
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url=url, status=status, headers=headers, body=body, flags=flags, protocol=protocol)
