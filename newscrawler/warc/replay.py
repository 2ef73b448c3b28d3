"""Crawling from WARC files: a download handler that answers every request from captures.

With ``NEWSCRAWLER_REPLAY_WARC`` (a ``.warc.gz`` file or a directory of them) set,
``WarcReplayDownloadHandler`` loads the CDXJ index beside each file (or indexes a file that has
none), and answers each request with the latest capture of its URL: of the exact URL, else of
the same SURT key (``http``/``https`` and ``www.`` twins), else of the same canonical URL (a
portal's ``m.`` twins, which the duplicate filter already treats as one request). A revisit
record answers with its own status and headers and the payload of the response it refers to.
The body is handed over as it was stored, still content-encoded, so Scrapy's middlewares
(decompression, robots.txt, retries, redirects) and the spider run exactly as in a live crawl,
with no network. A URL with no capture is not answered: the files say nothing of it (a 404 would
be archived as the site's answer and, for an archived article, count as a sign of its removal),
so its request fails with ``NotCaptured``, which the ledger counts (``not_captured``) and the
summary reports; nothing is archived for it. A replay going further than the capture did is
normal: it does not change the exit status.

Damage does not stop a replay, and is never passed off as the site's answer. A file that cannot
be read through (cut off, corrupt, not WARC at all, with no index) is named once as a warning;
every record of it that reads whole is replayed, those past a damaged gzip member too
(``index.scan_warc``), and the URLs of the records lost are unknown, as a URL never captured is.
A capture the index lists whose record cannot be read whole (a corrupt
gzip member anywhere in the file, a record past the end of a file cut off after it was indexed,
a revisit whose original is missing or damaged) fails its request with ``UnreadableCapture``:
the ledger counts it (``unreadable_capture``), nothing is archived for it, and the damaged record
is named once as a warning with its file, offset and URL. The other records of the file are read
as usual (each is its own gzip member, found by its offset). Each damage is a line of the stats
(``newscrawler/warc_replay/damaged``), which the crawl's summary lists, and a replay that met any
ends with exit status 1. With no readable file at all the handler cannot be built:
``WarcReplayError`` says why, for every request.

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
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from warcio.bufferedreaders import ChunkedDataReader  # type: ignore[import-untyped]

from archive.warc import WarcReadError

from ..accounting import NotCaptured, UnreadableCapture
from ..portals import canonical_url
from ..replay import ReplayDownloadHandler
from .capture import REPLAYED_FLAG
from .index import CaptureIndex, Entry, read_record, strip_digest, warc_files

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

STATS = "newscrawler/warc_replay/"
# The damage a replay met, one line each (a file, ``Damage``, or a record): the crawl's summary
# lists them.
DAMAGED_STAT = STATS + "damaged"
DAMAGED_FILES_STAT = STATS + "damaged_files"
# Requests failed because their capture's record could not be read: pages not replayed.
UNREADABLE_STAT = STATS + "unreadable"
# Requests for URLs the files hold no capture of: not answered.
NOT_CAPTURED_STAT = STATS + "not_captured"


class WarcReplayError(Exception):
    """A capture that cannot be replayed (its record is unreadable, a revisit's original is
    missing), or WARC files that cannot be replayed at all."""


class _Source:
    """The captures a crawl replays, read once for its http and https handlers, and the damage
    reported so far (each once)."""

    def __init__(self, crawler: Crawler, location: Path) -> None:
        self.stats = crawler.stats
        self.reported: set[str] = set()
        self.damaged_files: set[str] = set()
        try:
            files = warc_files(location)
        except FileNotFoundError as exc:
            raise WarcReplayError(f"cannot replay WARC files: {exc}") from None
        if not files:
            raise WarcReplayError(f"cannot replay WARC files: no *.warc.gz or *.warc file in {location}")
        self.index = CaptureIndex.load(location, canonical_url)
        unreadable = [d for d in self.index.damaged if d.unreadable]
        if len(unreadable) == len(files):
            raise WarcReplayError(f"no readable WARC file in {location}: " + "; ".join(map(str, unreadable)))
        for damage in self.index.damaged:
            self.report(damage.filename, str(damage), f"Damaged WARC file: {damage} (the records"
                        " lost are not replayed)")
        logger.info("Replaying %d captures from %s", len(self.index), location)

    def report(self, filename: str, what: str, warning: str) -> None:
        """Damage in ``filename``, once: a warning in the log and a line in the stats."""
        if what in self.reported:
            return
        self.reported.add(what)
        self.damaged_files.add(filename)
        logger.warning("%s", warning)
        self.stats.set_value(DAMAGED_STAT, [*(self.stats.get_value(DAMAGED_STAT) or []), what])
        self.stats.set_value(DAMAGED_FILES_STAT, len(self.damaged_files))


# One source per crawl; a failure is kept too, so both handlers say the same and read once.
_SOURCES: WeakKeyDictionary[Crawler, _Source | WarcReplayError] = WeakKeyDictionary()


class WarcReplayDownloadHandler(BaseDownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        location = crawler.settings.get("NEWSCRAWLER_REPLAY_WARC")
        if location and crawler.settings.get("NEWSCRAWLER_REPLAY_DIR"):
            raise ValueError("set NEWSCRAWLER_REPLAY_WARC or NEWSCRAWLER_REPLAY_DIR, not both")
        self.stats = crawler.stats
        self.index: CaptureIndex | None = None
        self.source: _Source | None = None
        # Without WARC files: fixture replay or the network, through the project's handler.
        self.fallback: ReplayDownloadHandler | None = None
        if not location:
            self.fallback = ReplayDownloadHandler(crawler)
            return
        source = _SOURCES.get(crawler)
        if source is None:
            try:
                source = _Source(crawler, Path(location))
            except WarcReplayError as exc:
                source = exc
                # Scrapy logs a handler that failed to build with a traceback and then fails
                # every request with "Unsupported URL scheme": this line says why, plainly.
                logger.error("Cannot replay WARC files: %s", exc)
            _SOURCES[crawler] = source
        if isinstance(source, WarcReplayError):
            raise WarcReplayError(str(source))
        self.source = source
        self.index = source.index

    async def download_request(self, request: Request) -> Response:
        if self.fallback is not None:
            return await self.fallback.download_request(request)
        assert self.index is not None
        entry = self.index.latest(request.url)
        if entry is None:
            self.stats.inc_value(NOT_CAPTURED_STAT)
            raise NotCaptured("no capture of it in the WARC files")
        try:
            status, headers, body, protocol, date = self.load(entry)
        except WarcReplayError as exc:
            # The page was captured, so a 404 would be a lie (and, for an archived article,
            # a sign of its removal): the request fails with the reason, and the record is
            # named once.
            self.stats.inc_value(UNREADABLE_STAT)
            assert self.source is not None
            what = f"{exc}: {entry.url}"
            self.source.report(entry.filename, what, f"Damaged WARC record: {what} (not replayed)")
            raise UnreadableCapture(f"its WARC record cannot be read: {exc}") from exc
        request.meta.update(warc_filename=entry.filename, warc_offset=entry.offset, warc_date=date)
        kind = "revisit" if entry.is_revisit else "response"
        self.stats.inc_value(STATS + kind)
        return _response(request.url, status, headers, body, flags=[REPLAYED_FLAG], protocol=protocol)

    async def close(self) -> None:
        if self.fallback is not None:
            await self.fallback.close()

    def load(self, entry: Entry) -> tuple[int, Headers, bytes, str | None, str]:
        """Status, headers, payload (as stored), protocol and WARC-Date of a capture, revisits
        resolved."""
        record, payload = _read(entry)
        http = record.http_headers
        if http is None:
            raise WarcReplayError(f"{entry.filename}: the record at offset {entry.offset} has no HTTP headers")
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
            raise WarcReplayError(f"{entry.filename}: the revisit at offset {entry.offset} has no"
                                  f" original (no response of {url} with digest {digest})")
        return _read(original)[1]


def _read(entry: Entry) -> tuple[Any, bytes]:
    """``read_record`` of a capture, its failure a ``WarcReplayError`` naming file and offset."""
    try:
        return read_record(entry.path, entry.offset)
    except WarcReadError as exc:  # names the file and offset already
        raise WarcReplayError(str(exc)) from exc
    except OSError as exc:
        raise WarcReplayError(f"{entry.filename}: cannot read it ({exc.strerror or exc})") from exc


def _response(url: str, status: int, headers: Headers, body: bytes, flags: list[str],
              protocol: str | None = None) -> Response:
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url=url, status=status, headers=headers, body=body, flags=flags, protocol=protocol)
