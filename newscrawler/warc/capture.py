"""The Scrapy side of WARC writing: a downloader middleware that records every HTTP exchange.

``WarcCaptureMiddleware`` sits below ``HttpCompressionMiddleware`` (order 950 > 590), so its
``process_request`` runs after every other middleware has set its headers and its
``process_response`` sees each response first, with the body and headers as the download handler
received them (gzip still gzip). It hands the exchange to a ``WarcFileSet`` and puts where the
response record went on the request's meta, which the response shares: ``warc_filename``,
``warc_offset``, ``warc_record_id`` and ``warc_record_type`` (``response`` or ``revisit``).

The ``metadata`` record of an article page is written on Scrapy's ``item_scraped`` signal, which
fires once the item pipelines are done with an item: the extractor name and version only exist in
the record the pipelines build, and the signal hands over the response (for its outlinks and its
WARC record id) beside the item, which a pipeline stage would not get. With the crawl's worker
process the fields, outlinks included, are found here too, from the response, and the worker only
writes the record: the worker is the busier of the two processes, and the page need not cross the
pipe again for them.

A saved page replayed from a fixture directory is dated by its capture (the fixture's ``Date``):
its records' ``WARC-Date`` is that time, as the archive's ``fetched_at`` is.

Responses that did not come from the network are not written again: those served from Scrapy's
HTTP cache (flag ``cached``) and those replayed from WARC files (flag ``warc``).
"""

from __future__ import annotations

import codecs
import html
import logging
import re
import uuid
from functools import lru_cache
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import scrapy
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import TextResponse
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from scrapy.utils.response import get_base_url
from w3lib.html import get_base_url as w3lib_base_url

from .. import __version__
from ..extensions import crawl_killed
from ..portals import canonical_url
from ..replay import REPLAY_DATE_META
from ..sidecars import parse_http_date
from ..worker import WorkerDied, for_crawler
from .writer import Exchange, WarcFileSet, warc_date, warc_fields

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from typing_extensions import Self

logger = logging.getLogger(__name__)

DEFAULT_MAX_SIZE = 1_000_000_000
REPLAYED_FLAG = "warc"
_SIZE = re.compile(r"^\s*(\d+)\s*([kmg]?)i?b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9}


def parse_size(value: Any) -> int:
    """Bytes from ``1000000``, ``"500MB"`` or ``"1GB"`` (decimal units)."""
    if isinstance(value, int):
        return value
    match = _SIZE.match(str(value))
    if not match:
        raise ValueError(f"NEWSCRAWLER_WARC_MAX_SIZE: expected bytes like 1000000 or 1GB, got {value!r}")
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def default_warc_dir(archive: str | None) -> Path:
    """``warc/`` beside the archive file, else ``data/warc``."""
    return Path(archive).parent / "warc" if archive else Path("data/warc")


def _text(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _header_list(headers: Any) -> list[tuple[str, str]]:
    return [(_text(name), _text(value)) for name, values in headers.items() for value in values]


def _captured_at(request: Request) -> dict[str, str]:
    """A saved page's capture time (the fixture's ``Date``, see ``newscrawler.replay``) as the
    record's ``WARC-Date``: the record says when the page was fetched, as the archive does."""
    saved = request.meta.get(REPLAY_DATE_META)
    captured_at = parse_http_date(str(saved)) if saved else None
    return {"date": warc_date(captured_at)} if captured_at else {}


def _truncation(flags: list[str]) -> str | None:
    """The WARC-Truncated reason for a body Scrapy did not receive in full."""
    if "dataloss" in flags:
        return "disconnect"
    if "download_stopped" in flags:
        return "unspecified"
    return None


class WarcCaptureMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWLER_WARC_ENABLED", True):
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        self.directory = Path(
            settings.get("NEWSCRAWLER_WARC_DIR") or default_warc_dir(settings.get("NEWSCRAWLER_ARCHIVE"))
        )
        self.max_size = parse_size(settings.get("NEWSCRAWLER_WARC_MAX_SIZE", DEFAULT_MAX_SIZE))
        if self.max_size <= 0:
            raise ValueError("NEWSCRAWLER_WARC_MAX_SIZE must be positive")
        self.crawl_id = uuid.uuid4().hex
        self.files: WarcFileSet | None = None
        self.failed = False
        # Records are written by the crawl's worker process when there is one (newscrawler.worker);
        # ``opened``: the worker's WARC files are open (on the first response).
        self.worker = for_crawler(crawler)
        self.opened = False
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        # Stopped by force: the files written here are closed whole (the worker closes its own).
        crawler.signals.connect(self.crawl_killed, signal=crawl_killed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    # --- files -----------------------------------------------------------------------------

    def _portal(self) -> str:
        spider = self.crawler.spider
        return getattr(getattr(spider, "profile", None), "name", None) or getattr(spider, "name", "") or "crawl"

    def _info(self, request: Request) -> dict[str, str]:
        settings = self.crawler.settings
        portal = self._portal()
        info = {
            "software": f"newscrawler/{__version__} (Scrapy/{scrapy.__version__}; warcio)",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "isPartOf": f"newscrawler-{portal}-{self.crawl_id}",
            "description": f"newscrawler crawl of the {portal} portal",
            "portal": portal,
            "crawl-run": self.crawl_id,
            "http-header-user-agent": _text(request.headers.get(b"User-Agent") or b""),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "operator": settings.get("NEWSCRAWLER_CONTACT", ""),
        }
        # The archive's run, when the archive pipeline has opened one (it does before any request).
        run_id = self.stats.get_value("newscrawler/archive/run_id") if self.stats else None
        if run_id is not None:
            info["archive-run-id"] = str(run_id)
            info["archive"] = str(settings.get("NEWSCRAWLER_ARCHIVE", ""))
        return info

    def _fileset(self, request: Request) -> WarcFileSet:
        if self.files is None:
            self.files = WarcFileSet(
                self.directory, self.max_size, self._info(request),
                name_prefix=f"newscrawler-{self._portal()}", name_suffix=self.crawl_id[:8],
                canonical=canonical_url,
            )
        return self.files

    def spider_closed(self, spider: Spider | None = None) -> Any:
        if self.worker is not None:
            return self._close_in_worker() if self.opened else None
        if self.files is not None:
            self.files.close()
            self.stats.set_value("newscrawler/warc/files", len(self.files.files))
        return None

    def crawl_killed(self) -> None:
        if self.worker is None and self.files is not None:
            self.files.close()

    async def _close_in_worker(self) -> None:
        assert self.worker is not None
        try:
            files = await maybe_deferred_to_future(self.worker.call("warc_close"))
        except Exception:
            logger.exception("Closing the WARC files failed")
            return
        self.stats.set_value("newscrawler/warc/files", files)

    # --- exchanges -------------------------------------------------------------------------

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        """The response, once its records are written (a coroutine when the worker writes them)."""
        if "cached" in response.flags or REPLAYED_FLAG in response.flags:
            return response
        exchange = self._exchange(request, response)
        if self.worker is not None:
            return self._write_in_worker(request, response, exchange)
        files = self._fileset(request)
        try:
            written = files.write_exchange(exchange)
        except OSError:
            self._write_failed(request)
            return response
        self._written(request, written)
        return response

    async def _write_in_worker(self, request: Request, response: Response, exchange: Exchange) -> Response:
        assert self.worker is not None
        if not self.opened:
            self.opened = True
            self.worker.call(
                "warc_open", str(self.directory), self.max_size, self._info(request),
                f"newscrawler-{self._portal()}", self.crawl_id[:8],
            )  # its error, if any, is the first record's too
        try:
            written = await maybe_deferred_to_future(self.worker.call("warc_exchange", exchange))
        except (OSError, WorkerDied):  # a full disk, or no worker left to write
            self._write_failed(request)
            return response
        self._written(request, written)
        return response

    def _write_failed(self, request: Request) -> None:
        # A full disk must stop the crawl, not leave an archive without its WARCs.
        logger.exception("Cannot write the WARC records of %s: closing the spider", request.url)
        self.stats.inc_value("newscrawler/warc/write_error")
        if not self.failed:
            self.failed = True
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="warc_write_error"))

    def _written(self, request: Request, written: Any) -> None:
        request.meta.update(
            warc_filename=written.filename, warc_offset=written.offset,
            warc_record_id=written.record_id, warc_record_type=written.record_type,
        )
        self.stats.inc_value(f"newscrawler/warc/{written.record_type}")

    def _exchange(self, request: Request, response: Response) -> Exchange:
        parts = request.url.split("/", 3)
        host = parts[2] if len(parts) > 2 else ""
        request_headers = [("Host", host)] if b"Host" not in request.headers else []
        request_headers += _header_list(request.headers)
        protocol = response.protocol or ""
        if not protocol.startswith("HTTP/"):
            protocol = "HTTP/1.1"  # h2 and unknown: the record still needs an HTTP/1.x status line
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = ""
        exchange = Exchange(
            url=request.url, method=request.method, request_headers=request_headers,
            request_body=request.body, status=response.status, reason=reason,
            response_headers=_header_list(response.headers), body=response.body,
            protocol=protocol,
            ip_address=str(response.ip_address) if response.ip_address is not None else None,
            truncated=_truncation(response.flags),
            **_captured_at(request),
        )
        return exchange

    # --- metadata --------------------------------------------------------------------------

    def item_scraped(self, item: Any, response: Response, spider: Spider | None = None) -> None:
        if getattr(item, "kind", None) != "article" or (self.files is None and not self.opened):
            return
        record_id = response.meta.get("warc_record_id")
        if not record_id:
            return  # a cached or replayed response: no WARC record of ours to describe
        if self.worker is not None:
            # Written after the response record (the worker's calls run in order), outlinks and
            # all; the WARC files are closed after it too.
            call = self.worker.call("warc_metadata", response.url, record_id,
                                    warc_fields(metadata_fields(item, response)))
            call.addCallbacks(
                lambda _: self.stats.inc_value("newscrawler/warc/metadata"),
                lambda failure: logger.error("Cannot write the WARC metadata record of %s: %s",
                                             response.url, failure.getErrorMessage()),
            )
            return
        if self.files is not None:
            self.files.write_metadata(response.url, record_id, metadata_fields(item, response))
        self.stats.inc_value("newscrawler/warc/metadata")


def metadata_fields(item: Any, response: Response) -> list[tuple[str, str]]:
    """``application/warc-fields`` lines for an article page, Heritrix-style outlinks included."""
    record = getattr(item, "record", None)
    fields: list[tuple[str, str]] = [("software", f"newscrawler/{__version__}")]
    if record is not None:
        fields += [
            ("extractor", record["extractor"]),
            ("extractor-version", record["extractor"].rpartition("@")[2]),
            ("canonical-url", record["canonical_url"]),
            ("extraction", "record"),
        ]
    else:
        fields.append(("extraction", "none"))
    fields += [("note", note) for note in getattr(item, "notes", [])]
    fields += [("outlink", value) for value in outlink_values(outlinks(response))]
    return fields


# Links (L) and embeds (E) as Heritrix records them. A tag scan is enough for this metadata and
# costs a fraction of parsing the page a second time.
_OUTLINK = re.compile(
    rb"""<(a|img|link|script)\b[^>]*?\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE
)
_NOT_LINKS = ("#", "javascript:", "mailto:", "data:")
_HOPS = {
    b"a": ("L", "a/@href"),
    b"img": ("E", "img/@src"),
    b"link": ("E", "link/@href"),
    b"script": ("E", "script/@src"),
}


# Encodings in which "<base" can only be written as those bytes: a page without them has no
# <base> element.
_ASCII_SUPERSETS = frozenset({
    "ascii", "utf-8", "gbk", "gb2312", "gb18030", "big5", "big5hkscs", "cp936", "cp950",
    "latin-1", "iso8859-1", "cp1252", "shift_jis", "cp932", "euc_jp", "euc_kr", "cp949",
})
_BASE_TAG = re.compile(rb"<base", re.IGNORECASE)


def _base_url(url: str, body: bytes, encoding: str, response: TextResponse | None) -> str:
    """What ``response.urljoin`` joins with: the page's <base href>, else its URL.

    Scrapy finds it by decoding the page; a page whose bytes hold no "<base" has none, which is
    most pages, and w3lib then gives the URL as it gives it for any text without a <base>.
    """
    try:
        ascii_superset = codecs.lookup(encoding).name in _ASCII_SUPERSETS
    except LookupError:
        ascii_superset = False
    if ascii_superset and not _BASE_TAG.search(body):
        return w3lib_base_url("", url, encoding)
    return get_base_url(response or TextResponse(url, body=body, encoding=encoding))


@lru_cache(maxsize=4096)
def _join_path(origin: str, path: str) -> str:
    """``urljoin`` of a site's origin (``https://host/``) and an absolute path, which is what
    ``urljoin`` of any page of the site and that path gives."""
    return urljoin(origin, path)


def outlinks(response: Response) -> list[tuple[str, str, str]]:
    """(absolute URL, hop type, XPath-ish source) for links (``L``) and embeds (``E``)."""
    if not isinstance(response, TextResponse):
        return []
    return page_outlinks(response.url, response.body, response.encoding, response)


# What an absolute link (or a value that is no link, ``_NOT_LINKS``) scans to, by tag and bytes
# as scanned: the same on every page, whatever its URL, and a portal's pages share most of theirs
# (navigation, sidebars, images). Only ASCII bytes in an encoding that reads them as ASCII.
_PAGE_FREE: dict[tuple[bytes, bytes], tuple[str, str, str] | None] = {}
_PAGE_FREE_MAX = 8192
_UNSEEN = ("", "", "")


@lru_cache(maxsize=64)
def _reads_ascii(encoding: str) -> bool:
    """Whether ``encoding`` reads ASCII bytes as ASCII (``_ASCII_SUPERSETS``)."""
    try:
        return codecs.lookup(encoding).name in _ASCII_SUPERSETS
    except LookupError:
        return False


def page_outlinks(url: str, body: bytes, encoding: str, response: TextResponse | None = None,
                  ) -> list[tuple[str, str, str]]:
    """``outlinks`` of a page given as its URL, bytes and encoding (the response's), where there
    is no response: the crawl's worker process finds them while it reads the page."""
    found: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    # Scanned as bytes: URLs are ASCII (or percent-encoded) in practice, and decoding the whole
    # page here would be a second decode of every article.
    base: str | None = None  # the page's base URL (its <base href>, else its URL), looked up once
    origin = ""
    remember = _reads_ascii(encoding)
    page_free = _PAGE_FREE
    for tag, double, single in _OUTLINK.findall(body):
        raw = double or single  # findall gives b"" for the quote style not used
        known = page_free.get((tag, raw), _UNSEEN) if remember else _UNSEEN
        if known is not _UNSEEN:
            if known is not None and known[0] not in seen:
                seen.add(known[0])
                found.append(known)
            continue
        value = raw.decode(encoding, "replace").strip()
        if "&" in value:
            value = html.unescape(value)
        if not value or value.startswith(_NOT_LINKS):
            if remember and raw.isascii():
                _remember(tag, raw, None)
            continue
        if value.startswith(("http://", "https://")):
            link = value
            if remember and raw.isascii():
                _remember(tag, raw, (link, *_HOPS[tag.lower()]))
        else:
            if base is None:
                base = _base_url(url, body, encoding, response)
                origin = urljoin(base, "/")
            if value.startswith("/") and not value.startswith("//"):
                link = _join_path(origin, value)  # /static/… : the same on every page of a site
            else:
                link = urljoin(base, value)
        if link not in seen:
            seen.add(link)
            found.append((link, *_HOPS[tag.lower()]))
    return found


def _remember(tag: bytes, raw: bytes, scanned: tuple[str, str, str] | None) -> None:
    if len(_PAGE_FREE) >= _PAGE_FREE_MAX:
        _PAGE_FREE.clear()  # a crawl of many sites: start again rather than grow
    _PAGE_FREE[(tag, raw)] = scanned


def outlink_values(links: list[tuple[str, str, str]]) -> list[str]:
    """The ``outlink`` field values of a metadata record: ``<URL> <hop> <source>``."""
    return [f"{url} {hop} {path}" for url, hop, path in links]
