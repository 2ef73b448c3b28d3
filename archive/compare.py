"""Comparing archives by what they hold, not by how and when it was fetched.

Two crawls of the same pages never produce byte-identical archives: fetch times, run and row ids
and the number of captures differ (a resumed crawl fetches its listing pages twice). What must
be the same is the content::

    from archive.compare import snapshot, differences
    problems = differences(snapshot("a.sqlite"), snapshot("b.sqlite"))   # [] when equal

``snapshot`` takes, per article (by canonical URL), the current fields and the content hashes
of every version; per portal, the set of hot-list entries ``(list, period, rank, title, url)``
and related-story entries ``(list, title, url)`` seen in any capture. Duplicates the archive
itself prevents (a ranking entry twice in one capture, an article twice) would show as extra
versions or articles.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

ARTICLE_FIELDS = ("portal", "portal_article_id", "headline", "published_at", "source", "script")


def snapshot(source: str | os.PathLike[str] | sqlite3.Connection) -> dict[str, Any]:
    """The semantic content of an archive (a path, opened read-only, or a connection)."""
    if isinstance(source, sqlite3.Connection):
        return _snapshot(source)
    conn = sqlite3.connect(f"{Path(source).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return _snapshot(conn)
    finally:
        conn.close()


def _snapshot(conn: sqlite3.Connection) -> dict[str, Any]:
    articles: dict[str, dict[str, Any]] = {}
    columns = ", ".join(f"a.{name}" for name in ARTICLE_FIELDS)
    for row in conn.execute(
        f"SELECT a.canonical_url, {columns}, v.content_sha256 FROM articles a"
        " JOIN versions v ON v.id = a.current_version_id ORDER BY a.canonical_url"
    ):
        fields = dict(zip(ARTICLE_FIELDS, row[1:-1], strict=True))
        fields["current_version"] = row[-1]
        articles[row[0]] = fields
    article_rows = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    versions: dict[str, list[str]] = {}
    for url, digest in conn.execute(
        "SELECT a.canonical_url, v.content_sha256 FROM versions v JOIN articles a"
        " ON a.id = v.article_id ORDER BY 1, 2"
    ):
        versions.setdefault(url, []).append(digest)
    rankings: dict[str, set[tuple[Any, ...]]] = {}
    for portal, *entry in conn.execute(
        "SELECT DISTINCT portal, list, period, rank, title, url FROM rankings"
    ):
        rankings.setdefault(portal, set()).add(tuple(entry))
    related: dict[str, set[tuple[Any, ...]]] = {}
    for portal, *entry in conn.execute("SELECT DISTINCT portal, list, title, url FROM related"):
        related.setdefault(portal, set()).add(tuple(entry))
    return {
        "article_rows": article_rows,
        "articles": articles,
        "versions": versions,
        "rankings": rankings,
        "related": related,
    }


def differences(a: dict[str, Any], b: dict[str, Any], limit: int = 20) -> list[str]:
    """What differs between two snapshots, one line each (at most ``limit``); [] when equal."""
    out: list[str] = []
    if a["article_rows"] != b["article_rows"]:
        out.append(f"article rows: {a['article_rows']} != {b['article_rows']}")
    for url in sorted(a["articles"].keys() | b["articles"].keys()):
        left, right = a["articles"].get(url), b["articles"].get(url)
        if left is None or right is None:
            out.append(f"article {url}: only in {'b' if left is None else 'a'}")
        elif left != right:
            changed = sorted(k for k in left if left[k] != right.get(k))
            out.append(f"article {url}: {', '.join(changed)} differ")
    for url in sorted(a["versions"].keys() | b["versions"].keys()):
        if a["versions"].get(url, []) != b["versions"].get(url, []):
            out.append(f"versions of {url}: {a['versions'].get(url, [])} != {b['versions'].get(url, [])}")
    for key in ("rankings", "related"):
        for portal in sorted(a[key].keys() | b[key].keys()):
            left, right = a[key].get(portal, set()), b[key].get(portal, set())
            if left != right:
                out.append(f"{key} of {portal}: {len(left - right)} entries only in a,"
                           f" {len(right - left)} only in b, e.g. {sorted(left ^ right, key=str)[:2]}")
    return out[:limit]
