"""Articles and their versions: a record filed as a new article, a new version of one, or
the version it already has; the current version's search index rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import repeated
from .diff import KnownChange, change_summary, record_change, record_version
from .fold import index_text, index_texts
from .records import PRINT_COLUMNS, _published_utc, content_hash
from .urls import url_key
from .writebase import SearchRow, WriterBase

# A version's search index texts: headline, body, names (people and the source).
SearchValues = tuple[str, str, str]
# A version's texts as typed, per index column: [headline], paragraphs, names.
_Texts = tuple[list[str], list[str], list[str]]
# Per index column: its index text and the characters it repeats (``repeated.longest``).
_Column = tuple[str, dict[str, int]]
_Columns = tuple[_Column, _Column, _Column]


def _column(text: str) -> _Column:
    """An index column's text with the characters it repeats."""
    return text, repeated.longest([text])


@dataclass(frozen=True)
class ReparseHint:
    """What filing a re-extracted record needs, made before it is filed, where it was extracted.

    Folding and splitting the texts into bigrams, hashing the record and comparing it with the
    version before it are most of what filing a new version costs besides SQL; re-extraction's
    worker processes make them (``VersionWriter.reparse_hint``, reading only), so that the one
    writing process does not. Each part names the state it was made from, and the writer uses it
    only while that state holds (stored versions never change, but another capture filed first
    may have made another version current, or filed one in between):

    - ``capture_version_id``: the capture's version, whose content the record does not have;
    - ``digest``: the record's content hash;
    - ``old``, ``old_chars``: the index texts of the article's current version
      (``old_version_id``; 0 and None for an article not yet filed) and their rows of repeated
      characters (``archive/repeated.py``), to delete its index row;
    - ``new``, ``new_chars``: the same of the record;
    - ``change``: the ``version_changes`` summary of a new version from the record against the
      version that would be seen just before it (None: none would be, or the record makes none).
    """

    capture_version_id: int | None
    digest: str
    old_version_id: int
    old: SearchValues | None
    new: SearchValues
    old_chars: dict[str, int] | None = None
    new_chars: dict[str, int] | None = None
    change: KnownChange | None = None


class VersionWriter(WriterBase):
    """Articles, versions, their people, paragraphs and images."""

    # The hint of the re-extracted record being filed, if it came with one (``add_reparsed``).
    _hint: ReparseHint | None = None
    # The version ``_insert_version`` added last: ``add_reparsed`` tells added from matched by it.
    _inserted: int | None = None

    def _find_article(self, record: dict[str, Any]) -> tuple[int, int, str] | None:
        """The article a record belongs to: by canonical URL, else by the portal's URL key."""
        row: tuple[int, int, str] | None = self.conn.execute(
            "SELECT id, current_version_id, last_seen FROM articles WHERE canonical_url = ?",
            (record["canonical_url"],),
        ).fetchone() or self.conn.execute(
            "SELECT id, current_version_id, last_seen FROM articles WHERE portal = ? AND url_key = ?"
            " ORDER BY id LIMIT 1",
            (record["portal"], _key(record)),
        ).fetchone()
        return row

    def reparse_hint(self, capture_id: int, record: dict[str, Any]) -> ReparseHint | None:
        """What filing ``record`` for the capture will need (``ReparseHint``); None when the
        record has the content of the version the capture is linked to, ignoring the extractor's
        name: ``add_reparsed`` would change nothing. Reads only."""
        fetched_at, version_id, unchanged = self._reparsed_state(capture_id, record, None)
        if unchanged:
            return None
        digest = content_hash(record)
        article = self._find_article(record)
        current = article[1] if article is not None and article[1] else 0
        new_texts = self.record_search_texts(record)
        old_texts = self.search_texts(current) if current else None
        new_columns, new, new_chars = self._index_values_of(new_texts, None)
        old = old_chars = None
        if old_texts is not None:
            # A re-extraction mostly changes one field: a column with the same texts as the
            # current version's has the same index text, folded once.
            _, old, old_chars = self._index_values_of(old_texts, (new_texts, new_columns))
        change = None
        if article is not None and not self.conn.execute(
                "SELECT 1 FROM versions WHERE article_id = ? AND content_sha256 = ?",
                (article[0], digest)).fetchone():
            # A new version, filed at the capture's fetch time with an id above every other, so
            # the version seen before it is the latest first seen at that time or earlier.
            row = self.conn.execute(
                "SELECT id FROM versions WHERE article_id = ? AND first_seen <= ?"
                " ORDER BY first_seen DESC, id DESC LIMIT 1", (article[0], fetched_at)).fetchone()
            if row is not None:
                change = KnownChange(row[0], change_summary(self.conn, row[0], record_version(record)))
        return ReparseHint(version_id, digest, current, old, new, old_chars, new_chars, change)

    def _reparsed_state(
        self, capture_id: int, record: dict[str, Any], hint: ReparseHint | None
    ) -> tuple[str, int | None, bool]:
        """The capture's fetch time and version, and whether ``record`` has that version's
        content. A hint made while the capture had the same version answers the last without
        hashing the record again: a stored version's content never changes."""
        row = self.conn.execute(
            "SELECT fetched_at, version_id FROM captures WHERE id = ?", (capture_id,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no capture {capture_id}")
        fetched_at, old_version_id = row
        if old_version_id is None:
            return fetched_at, None, False
        if hint is not None and hint.capture_version_id == old_version_id:
            return fetched_at, old_version_id, False
        found = self.conn.execute(
            "SELECT content_sha256, extractor FROM versions WHERE id = ?", (old_version_id,)
        ).fetchone()
        unchanged = found is not None and (
            content_hash({**record, "extractor": found[1]}) == found[0])
        return fetched_at, old_version_id, unchanged

    def _index_values_of(
        self, texts: _Texts, same: tuple[_Texts, _Columns] | None
    ) -> tuple[_Columns, SearchValues, dict[str, int]]:
        """Each column's index text and repeated characters, then the three index texts and
        the characters of all three; a column whose texts are those of ``same`` takes both from
        there."""
        columns = tuple(
            same[1][i] if same is not None and same[0][i] == column
            else _column(index_text(column[0], self.fold_table) if i == 0
                         else index_texts(column, self.fold_table))
            for i, column in enumerate(texts))
        chars: dict[str, int] = {}
        for _, found in columns:
            for ch, length in found.items():
                if length > chars.get(ch, 0):
                    chars[ch] = length
        return ((columns[0], columns[1], columns[2]),
                (columns[0][0], columns[1][0], columns[2][0]), chars)

    def record_search_values(self, record: dict[str, Any]) -> SearchValues:
        """The index texts of a record: those ``search_values`` reads back once it is filed, since
        the version keeps its headline, paragraphs, people (reporters first) and source as given."""
        headline, paragraphs, names = self.record_search_texts(record)
        return self._index_values(headline[0], paragraphs, names)

    @staticmethod
    def record_search_texts(record: dict[str, Any]) -> _Texts:
        """A record's texts as ``search_texts`` reads them back from the version filed from it."""
        names = [person["name"] for key in ("reporters", "editors") for person in record.get(key) or []]
        if record.get("source"):
            names.append(record["source"])
        return [record["headline"]], list(record["paragraphs"]), names

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
        published_utc = _published_utc(record.get("published_at"))
        article = self._find_article(record)
        if article is None:
            key = _key(record)
            article_id = self._insert(
                "INSERT INTO articles (canonical_url, url_key, portal, headline, first_seen,"
                " last_seen) VALUES (?, ?, ?, ?, ?, ?)",
                (record["canonical_url"], key, portal, record["headline"], fetched_at, fetched_at),
            )
            version_id = self._insert_version(article_id, record, digest, capture_id, fetched_at,
                                              published_utc, first=True)
            self._make_current(article_id, version_id, record, fetched_at, published_utc, 0,
                               filed=True)
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
        row = self.conn.execute(
            "SELECT id FROM versions WHERE article_id = ? AND content_sha256 = ?",
            (article_id, digest),
        ).fetchone()
        if row is not None:
            self._seen(article_id, fetched_at)
            version_id = row[0]
            self.conn.execute(
                "UPDATE versions SET first_seen = min(first_seen, ?), last_seen = max(last_seen, ?)"
                " WHERE id = ?",
                (fetched_at, fetched_at, version_id),
            )
            if version_id == current_id or not is_latest:
                return "unchanged", article_id, version_id
            # Content went back to an earlier version (a correction reverted).
            self._make_current(article_id, version_id, record, fetched_at, published_utc, current_id)
            return "changed", article_id, version_id

        version_id = self._insert_version(article_id, record, digest, capture_id, fetched_at,
                                          published_utc)
        # One statement for the article's times and count (and, below, its current version).
        self._seen(article_id, fetched_at, ", version_count = version_count + 1")
        if is_latest:
            self._make_current(article_id, version_id, record, fetched_at, published_utc,
                               current_id, filed=True)
        return "changed", article_id, version_id

    def _seen(self, article_id: int, fetched_at: str, also: str = "") -> None:
        self.conn.execute(
            "UPDATE articles SET first_seen = min(first_seen, ?), last_seen = max(last_seen, ?)"
            f"{also} WHERE id = ?",
            (fetched_at, fetched_at, article_id),
        )

    def _insert_version(
        self, article_id: int, record: dict[str, Any], digest: str, capture_id: int, fetched_at: str,
        published_utc: str | None, first: bool = False,
    ) -> int:
        version_id = self._insert(
            "INSERT INTO versions (article_id, content_sha256, url, canonical_url, portal,"
            " portal_article_id, headline, published_at, published_utc, published_at_raw, source,"
            " script, encoding, extractor, first_seen, last_seen, first_capture_id,"
            f" {', '.join(PRINT_COLUMNS)})"
            f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?{', ?' * len(PRINT_COLUMNS)})",
            (
                article_id,
                digest,
                record["url"],
                record["canonical_url"],
                record["portal"],
                record.get("article_id"),
                record["headline"],
                record.get("published_at"),
                published_utc,
                record.get("published_at_raw"),
                record.get("source"),
                record.get("script"),
                record.get("encoding"),
                record.get("extractor"),
                fetched_at,
                fetched_at,
                capture_id,
                *(record.get(column) for column in PRINT_COLUMNS),
            ),
        )
        self._inserted = version_id
        self._insert_children(version_id, record)
        if not first:
            # The first version of an article has nothing before it to be compared with and no
            # successor whose comparison it changes: it gets no ``version_changes`` row, which
            # is what ``record_change`` would find after two lookups. Any other is compared as
            # filed, without reading it back, or with the summary its hint brings.
            hint = self._hint
            record_change(self.conn, version_id, filed=(article_id, fetched_at, record_version(record)),
                          known=hint.change if hint is not None else None)
        return version_id

    def _insert_children(self, version_id: int, record: dict[str, Any]) -> None:
        people = [
            (version_id, kind, position, person.get("role"), person["name"])
            for kind, key in (("reporter", "reporters"), ("editor", "editors"))
            for position, person in enumerate(record.get(key) or [])
        ]
        if people:
            self.conn.executemany(
                "INSERT INTO people (version_id, kind, position, role, name) VALUES (?, ?, ?, ?, ?)",
                people,
            )
        self.conn.executemany(
            "INSERT INTO paragraphs (version_id, position, text) VALUES (?, ?, ?)",
            [(version_id, i, text) for i, text in enumerate(record["paragraphs"])],
        )
        if record.get("images"):
            self.conn.executemany(
                "INSERT INTO images (version_id, position, url, caption) VALUES (?, ?, ?, ?)",
                [(version_id, i, image["url"], image.get("caption"))
                 for i, image in enumerate(record["images"])],
            )

    def _make_current(
        self, article_id: int, version_id: int, record: dict[str, Any], fetched_at: str,
        published_utc: str | None, old_version_id: int, filed: bool = False,
    ) -> None:
        """Make ``version_id`` the article's current version and queue its search index rows.

        ``old_version_id``: the version current until now (0: the article was just created).
        ``filed``: the version was just filed from ``record``, so its stored texts are the
        record's as given."""
        self.conn.execute(
            "UPDATE articles SET current_version_id = ?, canonical_url = ?, portal_article_id = ?,"
            " headline = ?, published_at = ?, published_utc = ?, source = ?, script = ?"
            " WHERE id = ?",
            (
                version_id,
                record["canonical_url"],
                record.get("article_id"),
                record["headline"],
                record.get("published_at"),
                published_utc,
                record.get("source"),
                record.get("script"),
                article_id,
            ),
        )
        hint = self._hint
        if old_version_id:
            # A contentless index forgets its text: the row is deleted by repeating the values
            # it was indexed with, those of the version that was current (from the hint only
            # while that version is still the current one: another capture may have changed it).
            if hint is not None and hint.old is not None and hint.old_version_id == old_version_id:
                self._search_rows.append(SearchRow(article_id, hint.old, True, hint.old_chars))
            else:
                self._search_rows.append(SearchRow(article_id, self.search_values(old_version_id), True))
        # The version now current holds the record's content (a new version from this record, or
        # an earlier one with the same content hash), so the record's texts are its texts. A
        # version just filed from the record is indexed from the record itself: reading its rows
        # back (three queries) would give the same texts, as filed.
        if hint is not None:
            self._search_rows.append(SearchRow(article_id, hint.new, False, hint.new_chars))
        elif filed:
            self._search_rows.append(SearchRow(article_id, self.record_search_values(record), False))
        else:
            self._search_rows.append(SearchRow(article_id, self.search_values(version_id), False))

    def search_values(self, version_id: int) -> SearchValues:
        """The index texts of a version (headline, body, names), built from its stored rows.

        Building them from the database guarantees that the 'delete' above repeats exactly what
        was inserted; a record's own texts (``record_search_values``, or a re-extracted record's
        ``ReparseHint``) stand in only for the version filed from that record, whose rows hold
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


def _key(record: dict[str, Any]) -> str:
    """The record's URL key (``archive/urls.py``), its canonical URL when it has none."""
    return url_key(record["canonical_url"]) or record["canonical_url"]
