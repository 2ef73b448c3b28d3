"""Click parameter types of the crawling commands: URLs and Scrapy settings (``-s NAME=VALUE``).

Like ``archive.params`` (dates, time bounds, archive and output files, which these commands use
too), a bad value ends the command before a crawl starts, with a one-line usage error and exit
code 2, instead of a traceback from deep inside Scrapy once the crawl is running.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

if TYPE_CHECKING:
    from scrapy.settings import Settings


def check_url(value: str) -> str:
    """``value`` stripped, if it is an absolute http(s) URL with a host; ``ValueError`` if not."""
    text = value.strip()
    try:
        parts = urlsplit(text)
        host, _port = parts.hostname, parts.port  # both parse lazily and raise on junk
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range", …
        raise ValueError(f"{value!r} is not a URL ({exc})") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError(f"{value!r} is not an http:// or https:// URL with a host")
    return text


class URLType(click.ParamType):
    """An absolute http(s) URL."""

    name = "URL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return check_url(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


# Settings whose default is a whole number but which Scrapy (or this project) reads as a
# fraction: DOWNLOAD_DELAY=0.5 is fine where CONCURRENT_REQUESTS=1.5 is not.
_FRACTIONAL = frozenset({
    "DOWNLOAD_DELAY", "DOWNLOAD_DELAY_JITTER", "DOWNLOAD_TIMEOUT", "DNS_TIMEOUT",
    "CLOSESPIDER_TIMEOUT", "LOGSTATS_INTERVAL", "AUTOTHROTTLE_START_DELAY",
    "AUTOTHROTTLE_MAX_DELAY", "AUTOTHROTTLE_TARGET_CONCURRENCY",
    "NEWSCRAWLER_ARCHIVE_BATCH_SECONDS", "NEWSCRAWLER_RECRAWL_INTERVAL_HOURS",
    "NEWSCRAWLER_RECRAWL_MAX_AGE_DAYS", "NEWSCRAWLER_RETRY_AFTER_MAX",
    "NEWSCRAWLER_REMOVAL_CONFIRM_HOURS",
})


def _size(value: str) -> None:
    from .warc.capture import parse_size

    if parse_size(value) <= 0:
        raise ValueError("must be positive")


def _schedule(value: str) -> None:
    from .incremental import parse_schedule

    parse_schedule(value)


def _log_level(value: str) -> None:
    # What logging.Handler.setLevel accepts: a registered level name (upper case) or a number.
    if not value.isdigit() and not isinstance(logging.getLevelName(value), int):
        raise ValueError("unknown level")


# Settings this project reads with a parser of its own rather than by their default's type.
_READERS: dict[str, tuple[Callable[[str], object], str]] = {
    "LOG_LEVEL": (_log_level, "a log level: CRITICAL, ERROR, WARNING, INFO or DEBUG"),
    "NEWSCRAWLER_WARC_MAX_SIZE": (_size, "a size in bytes, like 1000000 or 1GB"),
    "NEWSCRAWLER_RECRAWL_WATCH": (_schedule, "AGE_DAYS:EVERY_DAYS bands ending with *, like 7:1,30:7,*:91"),
}


def _defaults() -> Settings:
    # Imported when a -s option is given: only the crawling commands take one.
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("newscrawler.settings", priority="project")
    return settings


def check_setting(name: str, value: str) -> None:
    """``ValueError`` when ``value`` cannot be read as the type of setting ``name``'s default.

    Settings without a default, or with a text default, take any value, as in Scrapy.
    """
    from scrapy.settings import BaseSettings, Settings

    if name in _READERS:
        reader, wanted = _READERS[name]
        try:
            reader(value)
        except ValueError as exc:
            raise ValueError(f"{name}={value}: expected {wanted}") from exc
        return
    default = _defaults().get(name)
    getter: Callable[[Settings, str], object]
    if isinstance(default, bool):
        getter, kind = Settings.getbool, "true or false (also 1 or 0)"
    elif isinstance(default, float) or (isinstance(default, int) and name in _FRACTIONAL):
        getter, kind = Settings.getfloat, "a number"
    elif isinstance(default, int):
        getter, kind = Settings.getint, "a whole number"
    elif isinstance(default, (dict, BaseSettings)):
        getter, kind = Settings.getdict, "a JSON object"
    else:
        return
    try:
        # Settings() holds Scrapy's defaults: a component setting (a dict) reads its JSON value
        # when it is set, the others when they are read.
        getter(Settings({name: value}), name)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name}={value}: expected {kind}") from exc


class SettingType(click.ParamType):
    """``NAME=VALUE``, a Scrapy setting; the value is checked against the type of the setting's
    default. Converts to a ``(name, value)`` pair."""

    name = "NAME=VALUE"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> tuple[str, str]:
        if isinstance(value, tuple):
            return value
        text = str(value)
        if "=" not in text:
            self.fail(f"expected NAME=VALUE, got {text!r}", param, ctx)
        name, _, setting = text.partition("=")
        name = name.strip()
        if not name:
            self.fail(f"expected NAME=VALUE, got {text!r}", param, ctx)
        try:
            check_setting(name, setting)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        return name, setting


URL = URLType()
SETTING = SettingType()
