"""Hot lists over time: which title held which rank of which list, from when to when.

A portal may show the same list in either script (a Traditional page beside a Simplified one
shows 月點擊 where the other shows 月点击), so a list or period asked for matches every stored
name that folds to the same text (``archive/fold.py``), as search does. A name that matches
nothing is an error that lists the names there are, with how often each was seen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .fold import fold
from .query import parse_bound

if TYPE_CHECKING:
    from .db import Archive

class UnknownRanking(ValueError):
    """A list or period the archive's hot lists never showed."""


def names(archive: Archive, column: str, portal: str | None = None,
          list_names: list[str] | None = None) -> dict[str | None, int]:
    """Every stored value of ``column`` (``list`` or ``period``), with its number of snapshots."""
    assert column in ("list", "period")
    clauses, params = [], []
    if portal:
        clauses.append("portal = ?")
        params.append(portal)
    if list_names:
        clauses.append(f"list IN ({', '.join('?' * len(list_names))})")
        params += list_names
    sql = (f"SELECT {column}, count(DISTINCT fetched_at) FROM rankings"
           + (" WHERE " + " AND ".join(clauses) if clauses else "")
           + f" GROUP BY {column} ORDER BY {column}")
    return dict(archive.conn.execute(sql, params).fetchall())


def matching(archive: Archive, wanted: str, found: dict[str | None, int], what: str) -> list[str]:
    """The stored names that fold to the same text as ``wanted``; UnknownRanking if none."""
    key = fold(wanted, archive.fold_table)
    same = [name for name in found if name is not None and fold(name, archive.fold_table) == key]
    if not same:
        known = ", ".join(f"{name} ({count} snapshot{'s' * (count != 1)})"
                          for name, count in found.items() if name is not None) or "none"
        raise UnknownRanking(f"no {what} {wanted!r} in the hot lists ({what}s: {known})")
    return same


def rankings(
    archive: Archive,
    *,
    portal: str | None = None,
    list_name: str | None = None,
    period: str | None = None,
    since: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Which title held which rank, from when to when, in how many snapshots.

    ``list_name`` and ``period`` match in either script; UnknownRanking (a ValueError) when
    nothing matches.
    """
    clauses: list[str] = []
    params: list[Any] = []
    if portal:
        clauses.append("portal = ?")
        params.append(portal)
    lists = None
    if list_name:
        lists = matching(archive, list_name, names(archive, "list", portal), "list")
        clauses.append(f"list IN ({', '.join('?' * len(lists))})")
        params += lists
    if period:
        periods = matching(archive, period, names(archive, "period", portal, lists), "period")
        clauses.append(f"period IN ({', '.join('?' * len(periods))})")
        params += periods
    if since:
        clauses.append("fetched_at >= ?")
        params.append(parse_bound(since)[1])
    sql = (
        "SELECT portal, list, period, rank, title, url, target_article_id,"
        " min(fetched_at) AS first_seen, max(fetched_at) AS last_seen,"
        " count(DISTINCT fetched_at) AS snapshots FROM rankings"
        + (" WHERE " + " AND ".join(clauses) if clauses else "")
        + " GROUP BY portal, list, period, rank, title, url"
        " ORDER BY portal, list, period, first_seen, rank"
    )
    if limit:
        sql += f" LIMIT {int(limit)}"
    cursor = archive.conn.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor]
