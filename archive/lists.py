"""The hot lists a page shows (rankings, related boxes), stored per capture and pointed at the
archived articles they name."""

from __future__ import annotations

from typing import Any

from .urls import articles_by_key, url_key
from .writebase import WriterBase


class ListWriter(WriterBase):
    """Rankings and related-article boxes of a capture."""

    def _targets(self, portal: str, keys: set[str | None]) -> dict[str | None, int]:
        """The archived article each URL key names, for all the entries of a page at once."""
        return {key: row[0] for key, row in articles_by_key(self.conn, portal, keys, "id").items()}

    def _store_lists(
        self, record: dict[str, Any], capture_id: int, fetched_at: str, portal: str
    ) -> None:
        rankings = record.get("rankings") or []
        related = record.get("related") or []
        ranking_keys = [url_key(entry.get("url")) for entry in rankings]
        related_keys = [url_key(entry.get("url")) for entry in related]
        targets = self._targets(portal, {*ranking_keys, *related_keys})
        ranking_rows = []
        for entry, key in zip(rankings, ranking_keys, strict=True):
            ranking_rows.append((
                capture_id, fetched_at, portal, entry["list"], entry.get("period"),
                int(entry["rank"]), entry["title"], entry.get("url"), key, targets.get(key),
            ))
        # OR IGNORE: a page that repeats an entry (same list, period, rank) stores it once.
        self.conn.executemany(
            "INSERT OR IGNORE INTO rankings (capture_id, fetched_at, portal, list, period, rank,"
            " title, url, url_key, target_article_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ranking_rows,
        )
        rows = []
        positions: dict[str, int] = {}
        for entry, key in zip(related, related_keys, strict=True):
            position = positions.get(entry["list"], 0)
            positions[entry["list"]] = position + 1
            rows.append((
                capture_id, fetched_at, portal, entry["list"], position, entry["title"],
                entry.get("url"), key, targets.get(key),
            ))
        self.conn.executemany(
            "INSERT OR IGNORE INTO related (capture_id, fetched_at, portal, list, position, title,"
            " url, url_key, target_article_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
