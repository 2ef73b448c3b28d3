"""Polite defaults: robots.txt, throttling, an honest User-Agent, size limits, Retry-After."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newscrawler.crawl import project_settings
from newscrawler.middlewares import (
    ContactUserAgentMiddleware,
    RetryAfterMiddleware,
    retry_after_seconds,
)


def _ours(**overrides: object) -> dict[str, object]:
    """Our settings that the middlewares read (not Scrapy's reactor settings, which tests own)."""
    settings = project_settings()
    names = ("USER_AGENT", "RETRY_HTTP_CODES", "RETRY_TIMES", "NEWSCRAWLER_CONTACT", "NEWSCRAWLER_RETRY_AFTER_MAX")
    return {**{name: settings.get(name) for name in names}, **overrides}


def test_polite_defaults() -> None:
    settings = project_settings()
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2
    assert 0 < settings.getint("DOWNLOAD_MAXSIZE") <= 50 * 1024 * 1024
    assert {429, 503} <= set(settings.getlist("RETRY_HTTP_CODES"))
    assert settings.get("USER_AGENT").startswith("newscrawler/")
    assert "newscrawler.extensions.CrawlDelay" in settings.getdict("EXTENSIONS")


def test_user_agent_names_the_contact() -> None:
    crawler = get_crawler(settings_dict=_ours(NEWSCRAWLER_CONTACT="archive@example.org"))
    middleware = ContactUserAgentMiddleware(crawler)
    request = Request("https://www.gdzjdaily.com.cn/")
    middleware.process_request(request)
    agent = request.headers[b"User-Agent"].decode()
    assert agent.startswith("newscrawler/")
    assert "contact: archive@example.org" in agent


@pytest.mark.parametrize(
    ("value", "expected"),
    [("120", 120.0), (b"5", 5.0), ("soon", None), (None, None)],
)
def test_retry_after_values(value: str | bytes | None, expected: float | None) -> None:
    assert retry_after_seconds(value) == expected


def test_retry_after_http_date() -> None:
    now = datetime(2024, 7, 1, 3, 0, tzinfo=timezone.utc)
    value = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds(value, now=now) == 90.0


class _Slot:
    def __init__(self) -> None:
        self.delay = 0.5


class _Downloader:
    def __init__(self) -> None:
        self.slots = {"www.gdzjdaily.com.cn": _Slot()}

    def get_slot_key(self, request: Request) -> str:
        return "www.gdzjdaily.com.cn"


class _Engine:
    def __init__(self) -> None:
        self.downloader = _Downloader()


def _retry_middleware(max_wait: int = 600) -> RetryAfterMiddleware:
    crawler = get_crawler(settings_dict=_ours(NEWSCRAWLER_RETRY_AFTER_MAX=max_wait))
    crawler.engine = _Engine()  # type: ignore[assignment]
    crawler.spider = crawler._create_spider("zjdaily")
    crawler.stats.open_spider()  # type: ignore[union-attr]
    return RetryAfterMiddleware(crawler)


def _response(status: int, retry_after: str) -> tuple[Request, HtmlResponse]:
    request = Request("https://www.gdzjdaily.com.cn/p/1.html")
    response = HtmlResponse(request.url, status=status, headers={"Retry-After": retry_after}, body=b"", request=request)
    return request, response


def test_503_with_retry_after_holds_the_host_and_retries() -> None:
    middleware = _retry_middleware()
    request, response = _response(503, "30")
    result = middleware.process_response(request, response)
    assert isinstance(result, Request)  # a retry, not the error response
    assert result.meta["retry_times"] == 1
    assert middleware.crawler.engine.downloader.slots["www.gdzjdaily.com.cn"].delay == 30.0  # type: ignore[union-attr]


def test_429_asking_too_long_a_wait_gives_up() -> None:
    middleware = _retry_middleware(max_wait=60)
    request, response = _response(429, "3600")
    assert middleware.process_response(request, response) is response
    assert middleware.crawler.engine.downloader.slots["www.gdzjdaily.com.cn"].delay == 0.5  # type: ignore[union-attr]
