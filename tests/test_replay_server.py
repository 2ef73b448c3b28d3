"""The fixture server under load: it answers every connection a crawl opens at once, and answers
kept-alive connections as well as fresh ones.

No timing thresholds: a server that overflows its listen queue still answers, a second later per
dropped attempt, so the load test checks that the server is configured not to overflow, and that
every one of many concurrent requests gets the right answer within a generous timeout.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from support import ZJDAILY

from newscrawler.replay import FixtureServer

PAGE = "/p/2953118.html"
CONNECTIONS = 64
# Generous: a dropped connection attempt is retried after 1 s, then 3 s; a loaded test machine
# must not fail the test, only a server that never answers.
TIMEOUT = 30.0


def _port(server: FixtureServer) -> int:
    return int(server.base_url.rsplit(":", 1)[1])


def _fetch(port: int) -> tuple[int, bytes]:
    """One request on a connection of its own, read to the end."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as conn:
        conn.sendall(f"GET {PAGE} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def test_backlog_holds_a_crawls_concurrent_connections() -> None:
    # Below the crawl's CONCURRENT_REQUESTS (16) the kernel drops attempts: a 1 s retry each.
    with FixtureServer(ZJDAILY) as server:
        assert server.listen_backlog >= 128


def test_every_concurrent_connection_is_answered() -> None:
    expected = (ZJDAILY / PAGE.lstrip("/")).read_bytes()
    with FixtureServer(ZJDAILY) as server, ThreadPoolExecutor(CONNECTIONS) as pool:
        port = _port(server)
        answers = list(pool.map(lambda _: _fetch(port), range(CONNECTIONS)))
    assert len(answers) == CONNECTIONS
    assert all(status == 200 for status, _ in answers)
    digests = {hashlib.sha256(body).hexdigest() for _, body in answers}
    assert digests == {hashlib.sha256(expected).hexdigest()}


def test_kept_alive_connection_answers_every_request() -> None:
    expected = (ZJDAILY / PAGE.lstrip("/")).read_bytes()
    with FixtureServer(ZJDAILY) as server:
        conn = http.client.HTTPConnection("127.0.0.1", _port(server), timeout=TIMEOUT)
        try:
            for _ in range(20):
                conn.request("GET", PAGE)
                response = conn.getresponse()
                assert response.status == 200
                assert response.read() == expected
                assert not response.will_close
        finally:
            conn.close()


def test_server_restarts_at_once() -> None:
    # Servers started and stopped in quick succession (tests, benchmarks) each get a port and
    # stop without waiting for their connections' threads.
    for _ in range(3):
        with FixtureServer(ZJDAILY) as server:
            status, _ = _fetch(_port(server))
            assert status == 200


def test_an_edited_sidecar_is_read_again(tmp_path: Path) -> None:
    # Sidecars are kept parsed between requests; an edit made while the server runs still counts.
    (tmp_path / "a.html").write_text("<html><body>a</body></html>", encoding="utf-8")
    directory = tmp_path / ".headers.json"
    sidecar = tmp_path / "a.html.headers.json"
    directory.write_text('{"X-Site": "one"}', encoding="utf-8")
    sidecar.write_text('{"X-Page": "first"}', encoding="utf-8")
    with FixtureServer(tmp_path) as server:
        def headers() -> dict[str, str]:
            conn = http.client.HTTPConnection("127.0.0.1", _port(server), timeout=TIMEOUT)
            conn.request("GET", "/a.html")
            response = conn.getresponse()
            response.read()
            conn.close()
            return {name: value for name, value in response.getheaders() if name.startswith("X-")}

        assert headers() == {"X-Site": "one", "X-Page": "first"}
        assert headers() == {"X-Site": "one", "X-Page": "first"}
        sidecar.write_text('{"X-Page": "second"}', encoding="utf-8")
        os.utime(sidecar, ns=(0, 10**18))  # a new mtime however coarse the file system's clock
        directory.unlink()
        assert headers() == {"X-Page": "second"}


def test_a_page_saved_with_html_added_is_served_at_its_url(tmp_path: Path) -> None:
    # wget --adjust-extension and `newscrawler portal new` save /news/123 as news/123.html.
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "123.html").write_text("<html><body>123</body></html>", encoding="utf-8")
    (tmp_path / "news" / "5.shtml.html").write_text("<html><body>5</body></html>", encoding="utf-8")
    (tmp_path / "news" / "7").write_text("seven", encoding="utf-8")
    (tmp_path / "news" / "7.html").write_text("<html><body>7</body></html>", encoding="utf-8")
    with FixtureServer(tmp_path) as server:
        def get(path: str) -> tuple[int, str, bytes]:
            conn = http.client.HTTPConnection("127.0.0.1", _port(server), timeout=TIMEOUT)
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            conn.close()
            return response.status, response.getheader("Content-Type") or "", body

        assert get("/news/123") == (200, "text/html", b"<html><body>123</body></html>")
        assert get("/news/5.shtml")[::2] == (200, b"<html><body>5</body></html>")
        assert get("/news/7")[::2] == (200, b"seven")  # the file of the URL's own name comes first
        assert get("/news/8")[0] == 404
