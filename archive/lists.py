"""The hot lists a page shows (rankings, related boxes), stored per capture and pointed at the
archived articles they name."""

from __future__ import annotations

from typing import Any

from .urls import url_key
from .writebase import WriterBase


class ListWriter(WriterBase):
    """Rankings and related-article boxes of a capture."""

    def _target(self, portal: str, key: str | None) -> int | None:
        if key is None:
            return None
        row = self.conn.execute(
            "SELECT id FROM articles WHERE portal = ? AND url_key = ? ORDER BY id LIMIT 1",
            (portal, key),
        ).fetchone()
        return row[0] if row else None

    def _store_lists(
        self, record: dict[str, Any], capture_id: int, fetched_at: str, portal: str
    ) -> None:
        ranking_rows = []
        for entry in record.get("rankings") or []:
            key = url_key(entry.get("url"))
            ranking_rows.append((
                capture_id, fetched_at, portal, entry["list"], entry.get("period"),
                int(entry["rank"]), entry["title"], entry.get("url"), key,
                self._target(portal, key),
            ))
        # OR IGNORE: a page that repeats an entry (same list, period, rank) stores it once.
        self.conn.executemany(
            "INSERT OR IGNORE INTO rankings (capture_id, fetched_at, portal, list, period, rank,"
            " title, url, url_key, target_article_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ranking_rows,
        )
        rows = []
        positions: dict[str, int] = {}
        for entry in record.get("related") or []:
            key = url_key(entry.get("url"))
            position = positions.get(entry["list"], 0)
            positions[entry["list"]] = position + 1
            rows.append((
                capture_id, fetched_at, portal, entry["list"], position, entry["title"],
                entry.get("url"), key, self._target(portal, key),
            ))
        self.conn.executemany(
            "INSERT OR IGNORE INTO related (capture_id, fetched_at, portal, list, position, title,"
            " url, url_key, target_article_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
