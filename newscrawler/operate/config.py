"""The configuration file of scheduled crawls (``newscrawler.toml``, or ``--config PATH``).

It names the portals to archive, each with one or more cron schedules, its crawl limits
(``max_articles``, ``since``, ``depth``; an e-paper's ``date_from``/``date_to``), an optional
replay source, and Scrapy settings that override the polite defaults; plus the archive file,
the crawl log directory, the time zone of the schedules and how long a stopping scheduler waits
for running crawls. ``[nodes.NAME]`` tables declare scrapyd nodes and a portal's ``node`` key
pins it to one (``newscrawler.operate.nodes`` places the others). See ``newscrawler.example.toml``,
``docs/scheduling.md`` and ``docs/scaling.md``.

The file is validated whole on load, before anything runs: an unknown key, an unknown portal,
a malformed cron expression or an unknown Scrapy setting is a ``ConfigError`` whose message is
one line, ``FILE:LINE: what is wrong``. TOML parsers report lines only for syntax errors, so
the line of a key or value is found by searching the file's text for it, within its table.
"""

from __future__ import annotations

import os
import re
import sys
import urllib.parse
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo
from functools import cached_property
from pathlib import Path
from typing import Any

from .nodes import LOCAL, Node, PlacementError, place

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DEFAULT_CONFIG = "newscrawler.toml"
DEFAULT_STOP_TIMEOUT = 120.0

TOP_KEYS = {"archive", "log_dir", "timezone", "stop_timeout", "settings", "portals", "nodes"}
PORTAL_KEYS = {"schedules", "max_articles", "since", "depth", "replay", "settings", "node",
               "date_from", "date_to"}
NODE_KEYS = {"url", "username_env", "password_env", "max_crawls", "archive", "warc_dir"}
# The local node runs crawls on this machine, into the top-level archive: only its capacity is set.
LOCAL_NODE_KEYS = {"max_crawls"}
# "7d": the last seven days, counted from each run's start.
_RELATIVE_SINCE = re.compile(r"(\d+)d")
_CRON_NICKNAMES = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message is ``FILE:LINE: problem``."""


@dataclass(frozen=True)
class Job:
    """One portal's scheduled crawl."""

    portal: str
    schedules: tuple[str, ...]
    max_articles: int | None = None
    since: str | None = None  # YYYY-MM-DD, or "Nd" for the last N days
    # An e-paper's editions (``--from``/``--to``): dates, or "Nd" for N days before each run.
    date_from: str | None = None
    date_to: str | None = None
    depth: int | None = None
    replay: Path | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    # The node that crawls the portal (``newscrawler.operate.nodes.place``).
    node: str = LOCAL

    def since_date(self, now: datetime) -> str | None:
        """The ``--since`` date for a run starting at ``now``."""
        return _day(self.since, now)

    def edition_dates(self, now: datetime) -> tuple[str | None, str | None]:
        """The ``--from`` and ``--to`` dates for a run starting at ``now``."""
        return _day(self.date_from, now), _day(self.date_to, now)


def _day(value: str | None, now: datetime) -> str | None:
    if value is None:
        return None
    relative = _RELATIVE_SINCE.fullmatch(value)
    if relative:
        return (now - timedelta(days=int(relative.group(1)))).date().isoformat()
    return value


@dataclass(frozen=True)
class Config:
    path: Path
    archive: Path
    log_dir: Path
    jobs: list[Job]
    timezone: str | None = None
    stop_timeout: float = DEFAULT_STOP_TIMEOUT
    nodes: dict[str, Node] = field(default_factory=lambda: {LOCAL: Node(LOCAL)})
    # Portals pinned by their ``node`` key (the others were placed by hash).
    pinned: frozenset[str] = frozenset()
    # The archive is ``$NEWSCRAWLER_DB``'s (the file names none).
    archive_from_env: bool = False

    @cached_property
    def zone(self) -> tzinfo | None:
        """The schedules' time zone: ``timezone``, else the machine's, as cron uses."""
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        if self.timezone is not None:
            return ZoneInfo(self.timezone)
        # The machine's zone with its DST rules (a fixed offset would be an hour off for half
        # the year in a scheduler left running); the current offset when it cannot be read.
        try:
            if os.environ.get("TZ"):
                return ZoneInfo(os.environ["TZ"].lstrip(":"))
            with open("/etc/localtime", "rb") as localtime:
                return ZoneInfo.from_file(localtime, key="localtime")
        except (OSError, ValueError, ZoneInfoNotFoundError):
            return datetime.now().astimezone().tzinfo


class _Locator:
    """Finds the line of a key or value in the file's text, preferring its own table."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def _section(self, table: str | None) -> range:
        if not table:
            end = next((i for i, line in enumerate(self.lines) if line.lstrip().startswith("[")),
                       len(self.lines))
            return range(end)
        parts = table.split(".")
        header = re.compile(
            r"\s*\[\s*" + r"\s*\.\s*".join(rf"""["']?{re.escape(p)}["']?""" for p in parts) + r"\s*\]"
        )
        for i, line in enumerate(self.lines):
            if header.match(line):
                end = next((j for j in range(i + 1, len(self.lines))
                            if self.lines[j].lstrip().startswith("[")), len(self.lines))
                return range(i, end)
        return range(len(self.lines))

    def line(self, table: str | None = None, key: str | None = None, value: str | None = None) -> int:
        """1-based line of ``key =`` (or of ``value``) in ``table``; else of the table; else 1."""
        patterns = []
        if value is not None:
            patterns.append(re.compile(re.escape(value)))
        if key is not None:
            patterns.append(re.compile(rf"""^\s*(?:[\w.-]+\.)?["']?{re.escape(key)}["']?\s*="""))
        section = self._section(table)
        for pattern in patterns:
            for scope in (section, range(len(self.lines))):
                for i in scope:
                    if pattern.search(self.lines[i]):
                        return i + 1
        if table:
            return self._section(table).start + 1
        return 1

    def error(self, message: str, table: str | None = None, key: str | None = None,
              value: str | None = None) -> ConfigError:
        return ConfigError(f"{self.path}:{self.line(table, key, value)}: {message}")


def load_config(path: Path | str = DEFAULT_CONFIG) -> Config:
    """Read and validate a configuration file; raises ``ConfigError`` with one line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file (see newscrawler.example.toml)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(f"{path}:{where.group(1) if where else 1}: invalid TOML: {message}") from None
    return _parse(path, data, _Locator(path, text))


def _unknown_keys(loc: _Locator, table: dict[str, Any], allowed: set[str], where: str | None) -> None:
    for key in table:
        if key not in allowed:
            label = f"in [{where}]" if where else "at the top level"
            raise loc.error(f"unknown key {key!r} {label} (known: {', '.join(sorted(allowed))})",
                            where, key)


def _parse(path: Path, data: dict[str, Any], loc: _Locator) -> Config:
    from .. import portals

    base = path.resolve().parent
    _unknown_keys(loc, data, TOP_KEYS, None)

    def path_value(table: str | None, key: str, value: Any) -> Path:
        if not isinstance(value, str) or not value:
            raise loc.error(f"{key} must be a path (a string)", table, key)
        found = Path(value).expanduser()
        return found if found.is_absolute() else base / found

    if "archive" in data:
        archive = path_value(None, "archive", data["archive"])
    elif os.environ.get("NEWSCRAWLER_DB"):
        # Named where the command runs; ``crontab_lines`` passes it on to cron, which lacks it.
        archive = Path(os.environ["NEWSCRAWLER_DB"]).expanduser().resolve()
    else:
        # Beside the file, as its other paths: ``schedule run`` started anywhere and the crontab
        # lines (which run in the file's directory) write one archive.
        from archive import default_db_path

        archive = base / default_db_path()
    log_dir = path_value(None, "log_dir", data["log_dir"]) if "log_dir" in data else archive.parent / "logs"
    _check_paths(loc, archive, log_dir, "archive" in data)
    zone = data.get("timezone")
    if zone is not None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise loc.error(f"unknown time zone {zone!r}", None, "timezone") from None
    stop_timeout = data.get("stop_timeout", DEFAULT_STOP_TIMEOUT)
    if isinstance(stop_timeout, bool) or not isinstance(stop_timeout, (int, float)) or stop_timeout < 0:
        raise loc.error("stop_timeout must be a number of seconds", None, "stop_timeout")
    common = _settings(loc, data.get("settings", {}), "settings")

    nodes = _nodes(loc, data.get("nodes", {}))
    table = data.get("portals")
    if not isinstance(table, dict) or not table:
        raise loc.error("no portals to archive: add a [portals.NAME] table", None, "portals")
    jobs = []
    for name, entry in table.items():
        where = f"portals.{name}"
        try:
            portals.get(name)
        except portals.UnknownPortal as exc:
            raise loc.error(str(exc), where, name) from None
        if not isinstance(entry, dict):
            raise loc.error(f"[{where}] must be a table", where, name)
        _unknown_keys(loc, entry, PORTAL_KEYS, where)
        dates = [key for key in portals.EDITION_DATES if key in entry]
        try:
            portals.check_edition_dates(name, dates)
        except ValueError as exc:
            raise loc.error(str(exc), where, dates[0]) from None
        jobs.append(Job(
            portal=name,
            schedules=_schedules(loc, where, entry.get("schedules")),
            max_articles=_int(loc, where, "max_articles", entry.get("max_articles"), 1),
            since=_since(loc, where, entry.get("since")),
            date_from=_since(loc, where, entry.get("date_from"), "date_from"),
            date_to=_since(loc, where, entry.get("date_to"), "date_to"),
            depth=_int(loc, where, "depth", entry.get("depth"), 0),
            replay=path_value(where, "replay", entry["replay"]) if "replay" in entry else None,
            settings={**common, **_settings(loc, entry.get("settings", {}), f"{where}.settings")},
            node=_node_key(loc, where, entry.get("node"), nodes),
        ))
    pinned = {job.portal: job.node for job in jobs if job.node}
    try:
        # Unpinned portals spread over the declared nodes (``local`` too, if declared).
        spread = [name for name in nodes if name != LOCAL or LOCAL in data.get("nodes", {})]
        placement = place({job.portal: portals.get(job.portal).hosts for job in jobs}, pinned,
                          spread or [LOCAL])
    except PlacementError as exc:
        raise loc.error(str(exc), f"portals.{exc.portals[1]}", "node") from None
    jobs = [replace(job, node=placement[job.portal]) for job in jobs]
    for job in jobs:
        # A replay path on a node is the node's; one crawled here must be here.
        if job.replay is not None and nodes[job.node].local and not job.replay.exists():
            raise loc.error(f"replay: no such file or directory {job.replay}", f"portals.{job.portal}", "replay")
    return Config(path=path, archive=archive, log_dir=log_dir, jobs=jobs, timezone=zone,
                  stop_timeout=float(stop_timeout), nodes=nodes, pinned=frozenset(pinned),
                  archive_from_env="archive" not in data and bool(os.environ.get("NEWSCRAWLER_DB")))


def _check_paths(loc: _Locator, archive: Path, log_dir: Path, archive_given: bool) -> None:
    """The archive and the log directory, checked as the crawls will use them: a mistake here
    would otherwise fail every crawl at its scheduled time."""
    from archive import ArchiveError
    from archive.connection import check_file

    try:
        check_file(archive)
    except ArchiveError as exc:
        raise loc.error(f"archive: {exc}", None, "archive" if archive_given else None) from None
    if log_dir.exists() and not log_dir.is_dir():
        raise loc.error(f"log_dir: {log_dir} is not a directory", None, "log_dir")


def _nodes(loc: _Locator, value: Any) -> dict[str, Node]:
    """The declared nodes, and ``local`` (which is always there to pin a portal to)."""
    if not isinstance(value, dict):
        raise loc.error("[nodes] must hold one [nodes.NAME] table per scrapyd node", "nodes")
    nodes = {LOCAL: Node(LOCAL)}
    for name, entry in value.items():
        where = f"nodes.{name}"
        if not isinstance(entry, dict):
            raise loc.error(f"[{where}] must be a table", where, name)
        _unknown_keys(loc, entry, LOCAL_NODE_KEYS if name == LOCAL else NODE_KEYS, where)
        max_crawls = _int(loc, where, "max_crawls", entry.get("max_crawls"), 1)
        if name == LOCAL:
            nodes[name] = Node(name, max_crawls=max_crawls)
            continue
        for key in ("url", "archive"):
            if key not in entry:
                raise loc.error(f"[{where}] needs {key} = ...", where)
        strings: dict[str, str | None] = {}
        for key in ("url", "username_env", "password_env", "archive", "warc_dir"):
            if key in entry and (not isinstance(entry[key], str) or not entry[key]):
                raise loc.error(f"{key} must be a string", where, key)
            strings[key] = entry.get(key)
        url = str(entry["url"])
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise loc.error(f"url must be scrapyd's http:// or https:// address, not {url!r}", where, "url")
        # Paths on the node, not on this machine: nothing to resolve them against here.
        for key in ("archive", "warc_dir"):
            if not (strings[key] or "/").startswith("/"):
                raise loc.error(f"{key} must be an absolute path on the node", where, key)
        nodes[name] = Node(name, url=url, username_env=strings["username_env"],
                           password_env=strings["password_env"], max_crawls=max_crawls,
                           archive=strings["archive"], warc_dir=strings["warc_dir"])
    return nodes


def _node_key(loc: _Locator, where: str, value: Any, nodes: dict[str, Node]) -> str:
    """A portal's pinned node, or "" (placed by hash)."""
    if value is None:
        return ""
    if not isinstance(value, str) or value not in nodes:
        raise loc.error(f"unknown node {value!r} (known: {', '.join(sorted(nodes))})", where, "node")
    return value


def _schedules(loc: _Locator, where: str, value: Any) -> tuple[str, ...]:
    from croniter import CroniterError, croniter

    if value is None:
        raise loc.error(f"[{where}] needs schedules = [\"CRON EXPRESSION\", ...]", where)
    if isinstance(value, str):
        value = [value]
    if value == []:
        # An empty list would never crawl the portal, without a word.
        raise loc.error("schedules is empty: give at least one cron expression (to stop crawling"
                        f" the portal, remove [{where}])", where, "schedules")
    if not isinstance(value, list):
        raise loc.error("schedules must be a list of cron expressions", where, "schedules")
    for expression in value:
        if not isinstance(expression, str):
            raise loc.error("schedules must be a list of cron expressions", where, "schedules")
        fields = expression.split()
        nickname = len(fields) == 1 and fields[0].lower() in _CRON_NICKNAMES
        if not nickname and (len(fields) != 5 or not croniter.is_valid(expression)):
            raise loc.error(
                f"malformed cron expression {expression!r} (five fields: minute hour day month"
                " weekday, or @hourly/@daily/@weekly/@monthly/@yearly)", where, "schedules", expression)
        try:
            croniter(expression, datetime(2000, 1, 1)).get_next(datetime)
        except (CroniterError, ValueError):  # a date that never comes (February 30)
            raise loc.error(f"cron expression {expression!r} never fires", where, "schedules",
                            expression) from None
    return tuple(value)


def _int(loc: _Locator, where: str, key: str, value: Any, minimum: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise loc.error(f"{key} must be a whole number >= {minimum}", where, key)
    return value


def _since(loc: _Locator, where: str, value: Any, key: str = "since") -> str | None:
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        if _RELATIVE_SINCE.fullmatch(value):
            return value
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise loc.error(f"{key} must be a date (2024-07-01) or a number of days (\"7d\")", where, key)


def _known_settings() -> set[str]:
    from scrapy.settings import default_settings

    from .. import settings as project

    return {n for module in (default_settings, project) for n in vars(module) if n.isupper()}


def _settings(loc: _Locator, value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise loc.error(f"[{where}] must be a table of Scrapy settings", where)
    from ..params import check_setting
    from .remote import setting_value

    known = _known_settings()
    for name, setting in value.items():
        if name not in known:
            raise loc.error(f"unknown Scrapy setting {name!r} in [{where}]", where, name)
        try:
            # As the crawl will read it from its -s option: a wrong type fails here, not there.
            check_setting(name, setting_value(setting))
        except ValueError as exc:
            raise loc.error(f"{exc} in [{where}]", where, name) from None
    return dict(value)
