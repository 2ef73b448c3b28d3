"""An article's status over its captures: live, removed (two signs of removal far enough
apart), restored; and a 304 answer to a conditional request, which sees it unchanged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .urls import url_key
from .writebase import WriterBase


class StatusWriter(WriterBase):
    """Removal evidence and the captures that show an article still served."""

    def _known_article(self, capture: dict[str, Any], portal: str) -> tuple[int, int] | None:
        """(id, current version) of the archived article a capture answers for, by the
        canonical URL that was asked for (``canonical_url``, else the capture's URL)."""
        canonical = capture.get("canonical_url") or capture["url"]
        found: tuple[int, int] | None = self.conn.execute(
            "SELECT id, current_version_id FROM articles WHERE canonical_url = ?", (canonical,)
        ).fetchone() or self.conn.execute(
            "SELECT id, current_version_id FROM articles WHERE portal = ? AND url_key = ?"
            " ORDER BY id LIMIT 1",
            (portal, url_key(canonical)),
        ).fetchone()
        return found

    def _seen_live(self, article_id: int, capture_id: int, fetched_at: str) -> None:
        """The article was served again: a pending sign of removal was transient, and a removed
        article is ``restored`` from this capture on."""
        status, since = self.conn.execute(
            "SELECT status, status_since FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if status == "removed" and fetched_at > (since or ""):
            self.conn.execute(
                "UPDATE articles SET status = 'restored', status_since = ?,"
                " removal_pending_capture_id = NULL WHERE id = ?", (fetched_at, article_id))
            self.conn.execute(
                "INSERT INTO article_events (article_id, kind, at, capture_id)"
                " VALUES (?, 'restored', ?, ?)", (article_id, fetched_at, capture_id))
        elif status != "removed":
            pending = self.conn.execute(
                "SELECT c.fetched_at FROM articles a JOIN captures c"
                " ON c.id = a.removal_pending_capture_id WHERE a.id = ?", (article_id,)
            ).fetchone()
            if pending is not None and fetched_at > pending[0]:
                self.conn.execute(
                    "UPDATE articles SET removal_pending_capture_id = NULL WHERE id = ?",
                    (article_id,))

    def restate_status(self, article_id: int) -> None:
        """Decide an article's status (live, removed, restored) again from all its captures in
        fetch order, as a crawl that saw them in that order would have: a merge brought captures
        older than those the status was decided on."""
        portal, canonical = self.conn.execute(
            "SELECT portal, canonical_url FROM articles WHERE id = ?", (article_id,)).fetchone()
        self.conn.execute("DELETE FROM article_events WHERE article_id = ?", (article_id,))
        self.conn.execute("UPDATE articles SET status = 'live', status_since = NULL,"
                          " removal_pending_capture_id = NULL WHERE id = ?", (article_id,))
        for capture_id, url, fetched_at, removal in self.conn.execute(
            "SELECT id, url, fetched_at, removal FROM captures WHERE article_id = ?"
            " ORDER BY fetched_at, id", (article_id,)).fetchall():
            if removal:
                capture = {"url": url, "removal": removal, "canonical_url": canonical}
                self._removal_observed(capture, capture_id, fetched_at, portal)
            else:
                self._seen_live(article_id, capture_id, fetched_at)

    def _removal_observed(
        self, capture: dict[str, Any], capture_id: int, fetched_at: str, portal: str
    ) -> None:
        """A capture of an archived article that shows it gone (``capture["removal"]`` says
        how: a 404 or 410, a redirect to a home or channel page, a soft 404).

        The capture is kept as evidence and points at the article. One such observation is
        pending; a second at least ``removal_confirm`` later makes the article ``removed``,
        dated by the first. A page the archive does not know stays a plain capture.
        """
        article = self._known_article(capture, portal)
        if article is None:
            return
        article_id = article[0]
        linked = self.conn.execute(
            "UPDATE captures SET removal = ?, article_id = ? WHERE id = ?"
            " AND ifnull(article_id, ?) = ?",
            (capture["removal"], article_id, capture_id, article_id, article_id),
        ).rowcount
        if not linked:
            return  # a page already filed as another article's: not evidence for this one
        status, pending_id = self.conn.execute(
            "SELECT status, removal_pending_capture_id FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if status == "removed":
            return
        if pending_id is None:
            self.conn.execute(
                "UPDATE articles SET removal_pending_capture_id = ? WHERE id = ?",
                (capture_id, article_id))
            return
        first_at, reason = self.conn.execute(
            "SELECT fetched_at, removal FROM captures WHERE id = ?", (pending_id,)
        ).fetchone()
        elapsed = datetime.fromisoformat(fetched_at) - datetime.fromisoformat(first_at)
        if elapsed < self.removal_confirm:
            return
        self.conn.execute(
            "UPDATE articles SET status = 'removed', status_since = ?,"
            " removal_pending_capture_id = NULL WHERE id = ?", (first_at, article_id))
        self.conn.execute(
            "INSERT INTO article_events (article_id, kind, at, capture_id, confirmed_by, reason)"
            " VALUES (?, 'removed', ?, ?, ?, ?)",
            (article_id, first_at, pending_id, capture_id, reason))

    def _not_modified(
        self, capture: dict[str, Any], capture_id: int, fetched_at: str, portal: str
    ) -> str:
        """A 304 answer to a conditional request: the archived article was seen again, unchanged.

        The capture has no body; it points at the article and its current version, and both
        have their ``last_seen`` moved. A 304 for a page the archive does not know stays a
        plain capture.
        """
        article = self._known_article(capture, portal)
        if article is None:
            return "captured"
        article_id, version_id = article
        self.conn.execute(
            "UPDATE articles SET last_seen = max(last_seen, ?) WHERE id = ?", (fetched_at, article_id)
        )
        self.conn.execute(
            "UPDATE versions SET last_seen = max(last_seen, ?) WHERE id = ?", (fetched_at, version_id)
        )
        self.conn.execute(
            "UPDATE captures SET outcome = 'unchanged', article_id = ?, version_id = ? WHERE id = ?",
            (article_id, version_id, capture_id),
        )
        self._seen_live(article_id, capture_id, fetched_at)
        return "unchanged"
