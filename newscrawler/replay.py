"""Offline crawls: serve a saved copy of a portal on loopback and fetch the portal's URLs from it.

``FixtureServer`` serves a directory laid out by URL path (``/`` → ``index.html``, ``/zjxw/`` →
``zjxw/index.html``, ``/p/1.html`` → ``p/1.html``) for every host, over real HTTP on 127.0.0.1. A
page whose URL does not end in ``.html`` may be saved with ``.html`` added (``/news/123`` →
``news/123.html``, ``/a/5.shtml`` → ``a/5.shtml.html``), as ``wget --adjust-extension`` and
``newscrawler portal new`` save it, when there is no file of the URL's own name; a URL with
no file is answered 404, the site's answer (the directory is the site as served; a replay of WARC
files, ``newscrawler.warc.replay``, answers no URL it never captured instead). A
file ``X.headers.json`` beside ``X`` adds response headers (a wrong charset, say); a file
``.headers.json`` in a directory adds them to every file below it (the nearest wins). Every file
is served with validators, ``ETag`` (a hash of its content) and ``Last-Modified`` (the file's
mtime, unless its sidecar sets one), and conditional requests (``If-None-Match``,
``If-Modified-Since``) are answered with 304 Not Modified when they match.

A saved copy says when it was captured with a ``Date`` header (``fixtures/zjdaily/.headers.json``
dates the whole portal): the server sends it, and the crawl takes it as the page's fetch time, so
dates shown without a year (``06-26 20:48``) resolve against the capture, never against the day
of the replay. A fixture without one gets the current time, as from a live server.

A sidecar can make the server answer as real servers do. It is a JSON object of headers, or a
list of them applied in order; keys starting with ``:`` are instructions, not headers:

- ``":status": 301`` answers with that status (the file is the body; with ``Location``, a
  redirect; with ``Retry-After``, a 503 or 429 to come back to);
- ``":scheme": "http"``, ``":host": "m.example.cn"``: the object applies only to requests for
  that scheme or host (``http://`` redirected to ``https://`` on the same path);
- ``":times": 1``: the object applies to the first N requests for the file only (a 503 that
  a retry gets past);
- ``":truncate": 100``: send the full ``Content-Length`` but only the first N bytes of the body,
  then hang up (a connection lost mid-page);
- ``":hangup": true``: close the connection without answering (a server that went away);
- ``":body": "other.html"``: answer with that file's bytes (beside the sidecar) instead, e.g. a
  page that refreshes to its twin on another host.

A body that is not what its ``Content-Encoding`` says (bad gzip) needs no instruction: the
header and the file are served as they are.

``ReplayDownloadHandler`` is Scrapy's HTTP/1.1 handler: with ``NEWSCRAWLER_REPLAY_DIR`` set it
starts a ``FixtureServer`` on that directory and sends each request there instead of to the
network, and hands the response back under the URL that was requested, with the server's
``Date`` on the request's meta (``replay_date``): when the saved page was captured. Everything above the
download (robots.txt, throttling, retries, the spider, the pipelines) runs as in a live crawl.
Without the setting it is the plain HTTP/1.1 handler.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mimetypes
import posixpath
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

from .sidecars import DIRECTORY_SIDECAR, read_rules

if TYPE_CHECKING:
    from email.message import Message

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

# Carry the requested host and scheme to the fixture server, which logs them and matches sidecar
# instructions (``":host"``, ``":scheme"``) against them.
HOST_HEADER = "X-Replay-Host"
SCHEME_HEADER = "X-Replay-Scheme"
# Sent by the fixture server when its ``Date`` is the fixture's capture time, not its clock's;
# the handler removes it, so it is never archived.
CAPTURED_HEADER = "X-Replay-Captured"
# Request meta: the ``Date`` the fixture server answered with, the capture time of a saved page.
REPLAY_DATE_META = "replay_date"
# A directory's headers for every file below it.
DIRECTORY_HEADERS = DIRECTORY_SIDECAR


# How often the server's loop looks for a stop request. ``stop`` waits for it, and socketserver's
# default (0.5 s) made every offline crawl, test and demo wait about that long per server when it
# closed; a few wake-ups a second more cost nothing measurable.
SHUTDOWN_POLL_SECONDS = 0.05
# Sidecars kept parsed: every directory sidecar of a saved site, and the pages' own ones most
# recently served.
SIDECARS_KEPT = 1024


class _QuietServer(ThreadingHTTPServer):
    """The loopback server of an offline crawl: it must never be what the crawl waits for."""

    # A crawl opens up to CONCURRENT_REQUESTS connections at once (tests fire more). The
    # socketserver default backlog of 5 overflows then: the kernel drops the connection attempt
    # and the client's SYN is retried only after a second, a stall that dominated short crawls
    # and made benchmark runs vary by a third. The kernel caps it at net.core.somaxconn.
    request_queue_size = 128
    # One thread per connection, never waited for: a crawl that stops mid-download must not hang
    # on a connection its client abandoned.
    daemon_threads = True
    block_on_close = False
    # A test run or a benchmark restarts servers quickly; ports in TIME_WAIT must not block them.
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A crawler that hangs up (a page over DOWNLOAD_MAXSIZE, a crawl stopped) is not an error.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


def site_path(url_path: str) -> str:
    """Where a saved copy laid out by URL path keeps the page of ``url_path``, relative to its
    root: percent-decoded (``%E6%9C%AC`` is the folder 本), dot segments removed as a browser
    removes them (``/a/../b.html`` is ``b.html``, and none climbs above the root). The server
    and ``newscrawler portal new``, which saves a sample for it, read a URL alike by it."""
    return posixpath.normpath("/" + unquote(url_path)).lstrip("/")


class FixtureServer:
    """A threaded loopback HTTP server over a fixture directory. Use as a context manager."""

    def __init__(self, root: str | Path, access_log: str | Path | None = None) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise FileNotFoundError(f"replay directory not found: {root}")
        self.access_log = Path(access_log) if access_log else None
        self._lock = threading.Lock()
        # Requests served per file, for ``":times"``.
        self._served: dict[Path, int] = {}
        # Sidecars read, by path: (mtime in ns, size, rules). Every request applies its
        # directories' sidecars, so each would otherwise be read and parsed again per request;
        # an edited sidecar has another mtime or size and is read again.
        self._sidecars: OrderedDict[Path, tuple[int, int, list[dict[str, Any]]]] = OrderedDict()
        self._httpd = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._thread: threading.Thread | None = None

    @property
    def listen_backlog(self) -> int:
        """Connection attempts the kernel queues before the server accepts them (as asked; the
        kernel caps it at ``net.core.somaxconn``)."""
        return int(self._httpd.request_queue_size)

    @property
    def base_url(self) -> str:
        port = self._httpd.server_address[1]
        return f"http://127.0.0.1:{port}"

    def start(self) -> FixtureServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(SHUTDOWN_POLL_SECONDS,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def resolve(self, path: str) -> Path | None:
        """The file serving a URL path, or None (outside the root or missing)."""
        target = (self.root / site_path(path)).resolve()
        if target != self.root and self.root not in target.parents:
            return None
        if target.is_dir():
            target = target / "index.html"
        elif not target.is_file() and target != self.root:
            # Saved with .html added (wget --adjust-extension, portal new): /news/123 is 123.html.
            target = target.with_name(target.name + ".html")
        return target if target.is_file() else None

    def answer(self, target: Path, scheme: str, host: str) -> tuple[int, dict[str, str], int | None, Path]:
        """Status, headers, truncation (bytes to send, or None) and the file whose bytes are the
        body, for one request of a file."""
        found = self._header_files(target)
        served = 0
        if any(":times" in rule for _, rules in found for rule in rules):
            # Counted only for the files a rule limits: a long crawl serves thousands of files,
            # and a count for each would grow with it.
            with self._lock:
                served = self._served[target] = self._served.get(target, 0) + 1
        status, headers, truncate, body = int(HTTPStatus.OK), {}, None, target
        for folder, rules in found:
            for rule in rules:
                if ":scheme" in rule and rule[":scheme"] != scheme:
                    continue
                if ":host" in rule and rule[":host"] != host:
                    continue
                if ":times" in rule and served > int(rule[":times"]):
                    continue
                status = int(rule.get(":status", status))
                if ":truncate" in rule:
                    truncate = int(rule[":truncate"])
                if rule.get(":hangup"):
                    truncate = -1
                if ":body" in rule:
                    body = folder / str(rule[":body"])
                headers.update({k: str(v) for k, v in rule.items() if not k.startswith(":")})
        return status, headers, truncate, body

    def site_date(self) -> dict[str, str]:
        """The saved copy's ``Date`` (its root ``.headers.json``), for answers without a file."""
        dates = [str(rule["Date"]) for rule in self._rules(self.root / DIRECTORY_HEADERS) or []
                 if "Date" in rule]
        return {"Date": dates[-1]} if dates else {}

    def _header_files(self, target: Path) -> list[tuple[Path, list[dict[str, Any]]]]:
        """The header rules for a file: its directories' ``.headers.json`` from the root down,
        then its own sidecar."""
        folders = [target.parent, *target.parent.parents]
        files = [d / DIRECTORY_HEADERS for d in reversed(folders) if d == self.root or self.root in d.parents]
        files.append(target.with_name(target.name + ".headers.json"))
        found = []
        for path in files:
            rules = self._rules(path) if path != target else None
            if rules is not None:
                found.append((path.parent, rules))
        return found

    def _rules(self, path: Path) -> list[dict[str, Any]] | None:
        """The rules of the sidecar at ``path``, None when there is none; read again only when
        the file changed. Bounded: a saved site may have a sidecar for every page."""
        try:
            stat = path.stat()
        except OSError:
            return None
        if not S_ISREG(stat.st_mode):
            return None
        with self._lock:
            cached = self._sidecars.get(path)
            if cached is not None and cached[:2] == (stat.st_mtime_ns, stat.st_size):
                self._sidecars.move_to_end(path)
                return cached[2]
        rules = read_rules(path)
        with self._lock:
            self._sidecars[path] = (stat.st_mtime_ns, stat.st_size, rules)
            if len(self._sidecars) > SIDECARS_KEPT:
                self._sidecars.popitem(last=False)
        return rules

    def _log(self, host: str, path: str, status: int, arrived: float) -> None:
        """One access-log line; ``arrived`` is when the request had been read, before any file
        work, so the logged times are as close as a server can see to when the client sent."""
        if self.access_log is None:
            return
        line = json.dumps({"time": arrived, "host": host, "path": path, "status": status})
        with self._lock, self.access_log.open("a", encoding="utf-8") as log:
            log.write(line + "\n")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes. With Nagle's algorithm on, the body waits
            # for the client to acknowledge the headers, which a client on a kept-alive
            # connection delays by 40 ms: every reused connection paid that per response.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                arrived = time.time()
                path = urlsplit(self.path).path
                host = self.headers.get(HOST_HEADER, self.headers.get("Host", ""))
                scheme = self.headers.get(SCHEME_HEADER, "http")
                target = server.resolve(path)
                truncate: int | None = None
                if target is None:
                    body = b"<html><body><h1>404 Not Found</h1></body></html>"
                    status = int(HTTPStatus.NOT_FOUND)
                    headers = {"Content-Type": "text/html", **server.site_date()}
                else:
                    body = target.read_bytes()
                    headers = {
                        "Content-Type": _content_type(target),
                        "ETag": '"' + hashlib.sha256(body).hexdigest()[:32] + '"',
                        "Last-Modified": formatdate(target.stat().st_mtime, usegmt=True),
                    }
                    status, extra, truncate, source = server.answer(target, scheme, host)
                    if truncate == -1:  # ":hangup": no answer at all
                        server._log(host, path, 0, arrived)
                        self.close_connection = True
                        return
                    if source != target:
                        body = source.read_bytes()
                    headers.update(extra)
                    if status == HTTPStatus.OK and _not_modified(self.headers, headers):
                        status, body = int(HTTPStatus.NOT_MODIFIED), b""
                server._log(host, path, status, arrived)
                # send_response_only: the fixture's Date (its capture time) replaces the clock's.
                self.send_response_only(status)
                self.send_header("Server", self.version_string())
                if any(name.lower() == "date" for name in headers):
                    # The fixture's capture time: the handler takes it as the fetch time.
                    self.send_header(CAPTURED_HEADER, "1")
                else:
                    self.send_header("Date", self.date_time_string())
                for name, value in headers.items():
                    self.send_header(name, value)
                if status != HTTPStatus.NOT_MODIFIED:  # a 304 has no body, and no length for one
                    self.send_header("Content-Length", str(len(body)))
                if truncate is not None:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                    body = body[:truncate]
                self.end_headers()
                # The crawler may hang up (a page over DOWNLOAD_MAXSIZE): its choice.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # the access log above replaces stderr noise

        return Handler


def _not_modified(request: Message, headers: Mapping[str, str]) -> bool:
    """Whether a conditional request matches the response's validators (RFC 9110 13.2.2)."""
    if_none_match = request.get("If-None-Match")
    if if_none_match is not None:
        # If-None-Match takes precedence; weak comparison, as for GET.
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        etag = headers.get("ETag", "").removeprefix("W/")
        return "*" in tags or (bool(etag) and etag in tags)
    since, modified = request.get("If-Modified-Since"), headers.get("Last-Modified")
    if since and modified:
        try:
            return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False  # an unreadable date: send the page
    return False


def _content_type(path: Path) -> str:
    if path.suffix in (".html", ".htm"):
        return "text/html"
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


class ReplayDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        root = crawler.settings.get("NEWSCRAWLER_REPLAY_DIR")
        self.server: FixtureServer | None = None
        if root:
            self.server = FixtureServer(root, crawler.settings.get("NEWSCRAWLER_REPLAY_LOG")).start()

    async def download_request(self, request: Request) -> Response:
        if self.server is None:
            return await super().download_request(request)
        parts = urlsplit(request.url)
        local = request.replace(
            url=f"{self.server.base_url}{parts.path or '/'}{'?' + parts.query if parts.query else ''}"
        )
        local.headers[HOST_HEADER] = parts.netloc
        local.headers[SCHEME_HEADER] = parts.scheme
        response = await super().download_request(local)
        # Only a date the fixture gives is a capture time; the server's clock is the fetch's own,
        # and the crawl's clock says it more precisely (HTTP dates are whole seconds).
        if response.headers.pop(CAPTURED_HEADER, None):
            date = response.headers.get(b"Date")
            if date:
                request.meta[REPLAY_DATE_META] = date.decode("latin-1")
        return response.replace(url=request.url)

    async def close(self) -> None:
        await super().close()
        if self.server is not None:
            self.server.stop()
