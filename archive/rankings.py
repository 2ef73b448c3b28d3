"""Hot lists over time: which title held which rank of which list, from when to when, and each
story's rank at every snapshot of its list (``history``, what ``archive/rankchart.py`` draws).

A portal may show the same list in either script (a Traditional page beside a Simplified one
shows 月點擊 where the other shows 月点击), so a list or period asked for matches every stored
name that folds to the same text (``archive/fold.py``), as search does. A name that matches
nothing is an error that lists the names there are, with how often each was seen. A title asked
for matches as a substring in either script; an article (id, URL or PORTAL:ID) matches the entries that link
to it, and those with its URL seen before it was archived.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .fold import fold
from .query import find_article_id, parse_bound

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
    sql = f"SELECT {column}, count(DISTINCT fetched_at) FROM rankings{_and(clauses)} GROUP BY {column}"
    sql += f" ORDER BY {column}"
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


def _where(
    archive: Archive,
    *,
    portal: str | None = None,
    list_name: str | None = None,
    period: str | None = None,
    since: str | None = None,
    article: int | str | None = None,
    title: str | None = None,
) -> tuple[list[str], list[Any]]:
    """The WHERE clauses and parameters of a rankings filter; UnknownRanking when a list,
    period, article or title matches nothing."""
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
    if article is not None:
        article_id = find_article_id(archive.conn, article)
        if article_id is None:
            raise UnknownRanking(f"no article {article!r} in the archive")
        found = archive.conn.execute("SELECT portal, url_key FROM articles WHERE id = ?",
                                     (article_id,)).fetchone()
        # The archive links an entry to an article by this same URL key (any www./m. twin),
        # also for entries seen before the article was archived; the key is indexed.
        clauses.append("portal = ? AND url_key = ?")
        params += list(found)
    if title:
        key = fold(title, archive.fold_table)
        sql = "SELECT DISTINCT title FROM rankings" + _and(clauses)
        titles = [t for (t,) in archive.conn.execute(sql, params)
                  if key in fold(t, archive.fold_table)]
        if not titles:
            where = "the hot-list entries asked for" if clauses else "the hot lists"
            raise UnknownRanking(f"no title containing {title!r} in {where}")
        clauses.append(f"title IN ({', '.join('?' * len(titles))})")
        params += titles
    return clauses, params


def _and(clauses: list[str]) -> str:
    return " WHERE " + " AND ".join(clauses) if clauses else ""


# The fields of a ``rankings`` row, in the order of its SELECT (a CSV of no rows has them too).
COLUMNS = ("portal", "list", "period", "rank", "title", "url", "target_article_id", "first_seen",
           "last_seen", "snapshots")


def rankings(
    archive: Archive,
    *,
    portal: str | None = None,
    list_name: str | None = None,
    period: str | None = None,
    since: str | None = None,
    article: int | str | None = None,
    title: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Which title held which rank, from when to when, in how many snapshots.

    ``list_name``, ``period`` and ``title`` match in either script; ``article`` is an article's
    id, URL or PORTAL:ID. UnknownRanking (a ValueError) when nothing matches.
    """
    clauses, params = _where(archive, portal=portal, list_name=list_name, period=period,
                             since=since, article=article, title=title)
    sql = (
        "SELECT portal, list, period, rank, title, url, target_article_id,"
        " min(fetched_at) AS first_seen, max(fetched_at) AS last_seen,"
        " count(DISTINCT fetched_at) AS snapshots FROM rankings"
        + _and(clauses)
        + " GROUP BY portal, list, period, rank, title, url"
        " ORDER BY portal, list, period, first_seen, rank"
    )
    if limit:
        sql += f" LIMIT {int(limit)}"
    cursor = archive.conn.execute(sql, params)
    return [dict(zip(COLUMNS, row, strict=True)) for row in cursor]


@dataclass
class Story:
    """One story on a list: its rank at each snapshot of the list (None: not on it then)."""

    title: str  # as the latest snapshot showed it
    url: str | None
    article_id: int | None
    ranks: list[int | None]

    @property
    def best(self) -> int:
        return min(rank for rank in self.ranks if rank is not None)


@dataclass
class Board:
    """A hot list (one list and period of a portal, both scripts of its names together) over
    time: the times it was seen, oldest first, and the stories drawn from it."""

    portal: str
    list_name: str  # the name it was seen under most often
    period: str | None
    snapshots: list[str]
    stories: list[Story] = field(default_factory=list)


# A story is the article an entry links to, else its URL (www./m. twins together), else its title.
_STORY = "coalesce('a' || target_article_id, 'u' || url_key, 't' || title)"


def history(
    archive: Archive,
    *,
    portal: str | None = None,
    list_name: str | None = None,
    period: str | None = None,
    since: str | None = None,
    article: int | str | None = None,
    title: str | None = None,
    top: int = 10,
) -> list[Board]:
    """Each matching list over time with its ``top`` stories (best rank first, then the best
    average rank, then the most snapshots), or with the stories ``article``/``title`` ask for.

    Every snapshot of a list is kept, so a story's absence from a snapshot shows as a gap
    rather than being drawn over. Lists whose names fold to the same text are one list.
    """
    filters = {"portal": portal, "list_name": list_name, "period": period, "since": since}
    clauses, params = _where(archive, **filters)
    story_clauses, story_params = _where(archive, **filters, article=article, title=title)
    conn = archive.conn
    found: dict[tuple[str, str, str], Counter[tuple[str, str | None]]] = {}
    for row_portal, row_list, row_period, count in conn.execute(
            "SELECT portal, list, period, count(*) FROM rankings" + _and(story_clauses)
            + " GROUP BY portal, list, period", story_params):
        key = (row_portal, fold(row_list, archive.fold_table),
               fold(row_period or "", archive.fold_table))
        found.setdefault(key, Counter())[(row_list, row_period)] += count
    boards = []
    for (board_portal, _, _), seen in sorted(found.items()):
        pairs = sorted(seen)
        # This list under every name it was stored with.
        board_where = ["portal = ?",
                       "(" + " OR ".join(["(list = ? AND period IS ?)"] * len(pairs)) + ")"]
        board_values = [board_portal, *(name for pair in pairs for name in pair)]
        where, values = [*clauses, *board_where], [*params, *board_values]
        (shown_list, shown_period), _ = max(seen.items(), key=lambda item: (item[1], item[0][0]))
        board = Board(board_portal, shown_list, shown_period, [t for (t,) in conn.execute(
            "SELECT DISTINCT fetched_at FROM rankings" + _and(where) + " ORDER BY 1", values)])
        picked = [key for (key,) in conn.execute(
            f"SELECT {_STORY} AS story FROM rankings" + _and([*story_clauses, *board_where])
            + " GROUP BY story ORDER BY min(rank), avg(rank), count(DISTINCT fetched_at) DESC,"
            " min(fetched_at), story LIMIT ?", [*story_params, *board_values, top])]
        position = {at: n for n, at in enumerate(board.snapshots)}
        stories = {key: Story("", None, None, [None] * len(board.snapshots)) for key in picked}
        # One pass over the list for all its stories; a story's title and link as last seen.
        for key, at, rank, shown, url, target in conn.execute(
                f"SELECT {_STORY} AS story, fetched_at, min(rank), title, url, target_article_id"
                " FROM rankings" + _and([*where, f"story IN ({', '.join('?' * len(picked))})"])
                + " GROUP BY story, fetched_at ORDER BY fetched_at", [*values, *picked]):
            story = stories[key]
            story.ranks[position[at]] = rank
            story.title, story.url, story.article_id = shown, url, target
        board.stories = list(stories.values())
        boards.append(board)
    return boards
