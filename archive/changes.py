"""What changed in a window: edits, headline and byline changes, removals and restorations.

``changes(archive, portal=…, since=…, until=…, kind=…)`` reads the ``changes`` view
(``archive/schema.py``), one row per event, oldest first: a new version of an article (kind
``edited`` for the body, time or source, ``headline``, ``people`` for reporters and editors,
space-separated when a version is several) or a change of status (``removed``, ``restored``,
see ``docs/changes.md``). A version that reads the same page bytes differently (``reparse``
with a newer extractor) is kind ``reextracted``: left out unless asked for by ``kind``, since
the article did not change. ``newscrawler changes`` prints it; Datasette has it as the canned
query ``changes``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .query import parse_bound

if TYPE_CHECKING:
    from .db import Archive

KINDS = ("edited", "headline", "people", "removed", "restored", "reextracted")
COLUMNS = ("at", "kind", "portal", "article_id", "headline", "previous_headline", "detail",
           "from_version_id", "to_version_id", "capture_id", "canonical_url")


def _bound(value: str, end: bool) -> str:
    is_date, bound = parse_bound(value)
    # A bare date is a UTC day, inclusive: its end is the start of the next character.
    return bound + "\uffff" if is_date and end else bound


def changes(
    archive: Archive, *, portal: str | None = None, since: str | None = None,
    until: str | None = None, kind: str | None = None, limit: int | None = None,
) -> list[dict[str, Any]]:
    """The events of the window, oldest first. ``since``/``until``: a UTC day ``YYYY-MM-DD``
    (inclusive) or an ISO time with its offset, compared with when the change was first seen."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    clauses: list[str] = []
    params: list[Any] = []
    if portal:
        clauses.append("portal = ?")
        params.append(portal)
    if since:
        clauses.append("at >= ?")
        params.append(_bound(since, end=False))
    if until:
        clauses.append("at <= ?")
        params.append(_bound(until, end=True))
    if kind:
        clauses.append("(' ' || kind || ' ') LIKE ?")
        params.append(f"% {kind} %")
    else:
        clauses.append("kind != 'reextracted'")
    sql = (f"SELECT {', '.join(COLUMNS)} FROM changes"
           + (" WHERE " + " AND ".join(clauses) if clauses else "")
           + " ORDER BY at, article_id, kind")
    if limit:
        sql += f" LIMIT {int(limit)}"
    cursor = archive.conn.execute(sql, params)
    return [dict(zip(COLUMNS, row, strict=True)) for row in cursor]
