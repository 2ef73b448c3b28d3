"""Articles and their versions: a record filed as a new article, a new version of one, or
the version it already has; the current version's search index rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .diff import record_change
from .fold import index_text, index_texts
from .records import _published_utc, content_hash
from .urls import url_key
from .writebase import WriterBase

# A version's search index texts: headline, body, names (people and the source).
SearchValues = tuple[str, str, str]


@dataclass(frozen=True)
class SearchHint:
    """The search index texts filing a re-extracted record needs, made before it is filed.

    Folding and splitting the texts into bigrams is most of what filing a new version costs;
    re-extraction's worker processes make them (``VersionWriter.search_hint``, reading only), so
    that the one writing process does not. ``old`` are the texts of the article's current
    version when the hint was made (``old_version_id``; 0 and None for an article not yet
    filed): they are used only if that version is still current when the record is filed.
    """

    old_version_id: int
    old: SearchValues | None
    new: SearchValues


class VersionWriter(WriterBase):
    """Articles, versions, their people, paragraphs and images."""

    # The hint of the re-extracted record being filed, if it came with one (``add_reparsed``).
    _search_hint: SearchHint | None = None

    def _find_article(self, record: dict[str, Any], key: str) -> tuple[int, int, str] | None:
        """The article a record belongs to: by canonical URL, else by the portal's URL key."""
        row: tuple[int, int, str] | None = self.conn.execute(
            "SELECT id, current_version_id, last_seen FROM articles WHERE canonical_url = ?",
            (record["canonical_url"],),
        ).fetchone() or self.conn.execute(
            "SELECT id, current_version_id, last_seen FROM articles WHERE portal = ? AND url_key = ?"
            " ORDER BY id LIMIT 1",
            (record["portal"], key),
        ).fetchone()
        return row

    def search_hint(self, record: dict[str, Any]) -> SearchHint:
        """What filing ``record`` will need for the search index (see ``SearchHint``). Reads only."""
        key = url_key(record["canonical_url"]) or record["canonical_url"]
        article = self._find_article(record, key)
        current = article[1] if article is not None else 0
        old = self.search_values(current) if current else None
        return SearchHint(current, old, self.record_search_values(record))

    def record_search_values(self, record: dict[str, Any]) -> SearchValues:
        """The index texts of a record: those ``search_values`` reads back once it is filed, since
        the version keeps its headline, paragraphs, people (reporters first) and source as given."""
        names = [person["name"] for key in ("reporters", "editors") for person in record.get(key) or []]
        if record.get("source"):
            names.append(record["source"])
        return self._index_values(record["headline"], record["paragraphs"], names)

    def _index_values(self, headline: str, paragraphs: list[str], names: list[str]) -> SearchValues:
        return (
            index_text(headline, self.fold_table),
            index_texts(paragraphs, self.fold_table),
            index_texts(names, self.fold_table),
        )

    def _store_article(
        self, record: dict[str, Any], capture_id: int, fetched_at: str, digest: str | None = None
    ) -> tuple[str, int, int]:
        # A merged capture brings its version's hash: the archive keeps only the record's fields
        # it files, so the record rebuilt from them need not hash as the crawled one did.
        digest = digest or content_hash(record)
        portal = record["portal"]
        key = url_key(record["canonical_url"]) or record["canonical_url"]
        article = self._find_article(record, key)
        if article is None:
            article_id = self._insert(
                "INSERT INTO articles (canonical_url, url_key, portal, headline, first_seen,"
                " last_seen) VALUES (?, ?, ?, ?, ?, ?)",
                (record["canonical_url"], key, portal, record["headline"], fetched_at, fetched_at),
            )
            version_id = self._insert_version(article_id, record, digest, capture_id, fetched_at,
                                              first=True)
            self._make_current(article_id, version_id, record, fetched_at, new=True, filed=True)
            # Hot lists seen before this article was archived can now point at it.
            for table in ("rankings", "related"):
                self.conn.execute(
                    f"UPDATE {table} SET target_article_id = ? WHERE portal = ? AND url_key = ?"
                    " AND target_article_id IS NULL",
                    (article_id, portal, key),
                )
            return "new", article_id, version_id

        article_id, current_id, last_seen = article
        is_latest = fetched_at >= last_seen
        self.conn.execute(
            "UPDATE articles SET first_seen = min(first_seen, ?), last_seen = max(last_seen, ?)"
            " WHERE id = ?",
            (fetched_at, fetched_at, article_id),
        )
        row = self.conn.execute(
            "SELECT id FROM versions WHERE article_id = ? AND content_sha256 = ?",
            (article_id, digest),
        ).fetchone()
        if row is not None:
            version_id = row[0]
            self.conn.execute(
                "UPDATE versions SET first_seen = min(first_seen, ?), last_seen = max(last_seen, ?)"
                " WHERE id = ?",
                (fetched_at, fetched_at, version_id),
            )
            if version_id == current_id or not is_latest:
                return "unchanged", article_id, version_id
            # Content went back to an earlier version (a correction reverted).
            self._make_current(article_id, version_id, record, fetched_at)
            return "changed", article_id, version_id

        version_id = self._insert_version(article_id, record, digest, capture_id, fetched_at)
        self.conn.execute(
            "UPDATE articles SET version_count = version_count + 1 WHERE id = ?", (article_id,)
        )
        if is_latest:
            self._make_current(article_id, version_id, record, fetched_at, filed=True)
        return "changed", article_id, version_id

    def _insert_version(
        self, article_id: int, record: dict[str, Any], digest: str, capture_id: int, fetched_at: str,
        first: bool = False,
    ) -> int:
        published_at = record.get("published_at")
        version_id = self._insert(
            "INSERT INTO versions (article_id, content_sha256, url, canonical_url, portal,"
            " portal_article_id, headline, published_at, published_utc, published_at_raw, source,"
            " script, encoding, extractor, first_seen, last_seen, first_capture_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article_id,
                digest,
                record["url"],
                record["canonical_url"],
                record["portal"],
                record.get("article_id"),
                record["headline"],
                published_at,
                _published_utc(published_at),
                record.get("published_at_raw"),
                record.get("source"),
                record.get("script"),
                record.get("encoding"),
                record.get("extractor"),
                fetched_at,
                fetched_at,
                capture_id,
            ),
        )
        self._insert_children(version_id, record)
        if not first:
            # The first version of an article has nothing before it to be compared with and no
            # successor whose comparison it changes: it gets no ``version_changes`` row, which
            # is what ``record_change`` would find after two lookups.
            record_change(self.conn, version_id)
        return version_id

    def _insert_children(self, version_id: int, record: dict[str, Any]) -> None:
        people = [
            (version_id, kind, position, person.get("role"), person["name"])
            for kind, key in (("reporter", "reporters"), ("editor", "editors"))
            for position, person in enumerate(record.get(key) or [])
        ]
        self.conn.executemany(
            "INSERT INTO people (version_id, kind, position, role, name) VALUES (?, ?, ?, ?, ?)",
            people,
        )
        self.conn.executemany(
            "INSERT INTO paragraphs (version_id, position, text) VALUES (?, ?, ?)",
            [(version_id, i, text) for i, text in enumerate(record["paragraphs"])],
        )
        self.conn.executemany(
            "INSERT INTO images (version_id, position, url, caption) VALUES (?, ?, ?, ?)",
            [
                (version_id, i, image["url"], image.get("caption"))
                for i, image in enumerate(record.get("images") or [])
            ],
        )

    def _make_current(
        self, article_id: int, version_id: int, record: dict[str, Any], fetched_at: str,
        new: bool = False, filed: bool = False,
    ) -> None:
        """Make ``version_id`` the article's current version and queue its search index rows.

        ``new``: the article was just created (no version was current). ``filed``: the version was
        just filed from ``record``, so its stored texts are the record's as given."""
        published_at = record.get("published_at")
        old_version_id = 0
        if not new:
            old_version_id = self.conn.execute(
                "SELECT current_version_id FROM articles WHERE id = ?", (article_id,)
            ).fetchone()[0]
        self.conn.execute(
            "UPDATE articles SET current_version_id = ?, canonical_url = ?, portal_article_id = ?,"
            " headline = ?, published_at = ?, published_utc = ?, source = ?, script = ?"
            " WHERE id = ?",
            (
                version_id,
                record["canonical_url"],
                record.get("article_id"),
                record["headline"],
                published_at,
                _published_utc(published_at),
                record.get("source"),
                record.get("script"),
                article_id,
            ),
        )
        hint = self._search_hint
        if not new:
            # A contentless index forgets its text: the row is deleted by repeating the values
            # it was indexed with, those of the version that was current (from the hint only
            # while that version is still the current one: another capture may have changed it).
            old = hint.old if hint is not None and hint.old_version_id == old_version_id else None
            self._search_rows.append(("delete", article_id, *(old or self.search_values(old_version_id))))
        # The version now current holds the record's content (a new version from this record, or
        # an earlier one with the same content hash), so the record's texts are its texts. A
        # version just filed from the record is indexed from the record itself: reading its rows
        # back (three queries) would give the same texts, as filed.
        if hint is not None:
            new_values = hint.new
        elif filed:
            new_values = self.record_search_values(record)
        else:
            new_values = self.search_values(version_id)
        self._search_rows.append((article_id, *new_values))

    def search_values(self, version_id: int) -> SearchValues:
        """The index texts of a version (headline, body, names), built from its stored rows.

        Building them from the database guarantees that the 'delete' above repeats exactly what
        was inserted; a record's own texts (``record_search_values``, or a re-extracted record's
        ``SearchHint``) stand in only for the version filed from that record, whose rows hold
        them as given.
        """
        headline, paragraphs, names = self.search_texts(version_id)
        return self._index_values(headline[0], paragraphs, names)

    def search_texts(self, version_id: int) -> tuple[list[str], list[str], list[str]]:
        """The stored texts of a version's index columns, as typed: the headline, the
        paragraphs, the names (reporters and editors, then the source), in index order."""
        headline, source = self.conn.execute(
            "SELECT headline, source FROM versions WHERE id = ?", (version_id,)
        ).fetchone()
        paragraphs = [r[0] for r in self.conn.execute(
            "SELECT text FROM paragraphs WHERE version_id = ? ORDER BY position", (version_id,))]
        names = [r[0] for r in self.conn.execute(
            "SELECT name FROM people WHERE version_id = ? ORDER BY kind DESC, position",
            (version_id,))]
        if source:
            names.append(source)
        return [headline], paragraphs, names
