"""URL keys: one key for every copy of a page, to link hot-list entries to archived articles.

Portals serve the same story on ``www.``, ``m.`` and other mobile hosts, over http and https, with
tracking parameters. The key drops the scheme, those host prefixes, the fragment and ``utm_*``
parameters, and sorts the rest of the query; lookups also require the same portal, so two portals
that happen to share a path never meet.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

_MOBILE_PREFIXES = ("www.", "m.", "wap.", "3g.", "mobile.")
_TRACKING = ("utm_", "spm", "from", "share")


# Pages repeat the same hot lists and sidebars: each URL is keyed once.
@lru_cache(maxsize=8192)
def url_key(url: str | None) -> str | None:
    """``host/path?query`` with twins folded together, ``None`` for no URL, and the text itself for
    one that does not parse."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        # Not a URL urllib can read (http://[::1): it can only be a twin of itself.
        return url.strip()
    host = (parts.hostname or "").lower()
    for prefix in _MOBILE_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING)
    )
    key = host + (parts.path or "/")
    if query:
        key += "?" + urlencode(query)
    return key


# URLs or keys looked up in one query (SQLite allows 32766 parameters since 3.32, 999 before).
_AT_ONCE = 500


def _rows_in(conn: sqlite3.Connection, sql: str, values: list[str], before: tuple[Any, ...] = ()) -> Iterable[Any]:
    """The rows of ``sql`` (``IN ({marks})`` in it) for ``values``, a query per 500 of them."""
    for start in range(0, len(values), _AT_ONCE):
        chunk = values[start:start + _AT_ONCE]
        yield from conn.execute(sql.format(marks=",".join("?" * len(chunk))), [*before, *chunk])


def articles_by_url(conn: sqlite3.Connection, urls: Iterable[str], columns: str) -> dict[str, tuple[Any, ...]]:
    """``columns`` of the archived article with each canonical URL, by URL (the missing left out)."""
    sql = f"SELECT canonical_url, {columns} FROM articles WHERE canonical_url IN ({{marks}})"
    return {url: tuple(row) for url, *row in _rows_in(conn, sql, sorted(set(urls)))}


def articles_by_key(
    conn: sqlite3.Connection, portal: str, keys: Iterable[str | None], columns: str
) -> dict[str, tuple[Any, ...]]:
    """``columns`` of the oldest archived article of ``portal`` with each URL key, by key (the
    missing left out): the article a twin URL (www./m.) or a hot-list entry names. All the keys
    of a page are found together, not with a query each."""
    sql = f"SELECT url_key, {columns} FROM articles WHERE portal = ? AND url_key IN ({{marks}}) ORDER BY id"
    found: dict[str, tuple[Any, ...]] = {}
    for key, *row in _rows_in(conn, sql, sorted({k for k in keys if k is not None}), (portal,)):
        found.setdefault(key, tuple(row))
    return found
