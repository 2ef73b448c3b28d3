"""Which articles repeat a character many times in a row: the candidates of a phrase that does.

A word that repeats one character (``一``×8 is the phrase ``"一一 一一 … 一一"``, seven tokens of
one bigram) is FTS5's slow case (``archive/repeats.py``): it moves one iterator per token over
that bigram's postings and checks positions in every article holding it, however few hold the
phrase (``一一`` is in nearly every article of a large archive, so about 6 ms per token at
100,000 articles). The table ``repeated_chars`` answers the question that pass asks first: it
keeps, for each article in the search index, every character its index text repeats at least
``MIN_LENGTH`` times in a row, with the longest such row. The articles holding a phrase that
spells ``c`` n times in a row are among those whose row of ``c`` is n long or longer: one range
of the table's b-tree, however common the character. When the phrase is that row and nothing
else (``whole_row``), they are exactly its articles, counted (``count``) and listed newest first
(``newest``) without the index.

The rows are made from the index texts themselves (``longest``), when ``Writer.flush`` writes an
article's row of the search index and when it deletes one (with the same texts, as FTS5's
``'delete'`` needs them), so the table holds what the index holds whichever way the texts were
made (a crawl, a re-extraction's ``ReparseHint``, a merge). Schema 11 fills it for an archive
written before it (``build``).
"""

from __future__ import annotations

import heapq
import itertools
import re
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .writer import Writer

__all__ = [
    "MIN_LENGTH", "add", "articles", "build", "count", "longest", "newest", "phrase_row", "remove",
    "whole_row",
]

# Shorter rows are not kept: a phrase of one or two tokens of a bigram (cc, ccc) costs FTS5
# what any phrase of its length costs, and nearly every article has some character twice.
MIN_LENGTH = 3

# A row of c in the index text: the bigram token cc, then again after a space. Two characters
# side by side are always a whole bigram token there, and tokens of one run of the folded text
# are a space apart; a run ends with its last character as a token of its own, so a row never
# continues into the next run (``archive/fold.py``).
_ROW = re.compile(r"(\S)\1(?: \1\1)+")


def longest(values: Iterable[str]) -> dict[str, int]:
    """Each character that the index texts ``values`` (``fold.index_text``) repeat at least
    ``MIN_LENGTH`` times in a row in the folded text, with its longest row."""
    found: dict[str, int] = {}
    for text in values:
        for row in _ROW.finditer(text):
            # k tokens of cc, k - 1 spaces between them: the row is k + 1 characters long.
            length = (len(row.group()) + 1) // 3 + 1
            ch = row.group(1)
            if length > found.get(ch, 0):
                found[ch] = length
    return found


def add(conn: sqlite3.Connection, article_id: int, values: Iterable[str],
        found: dict[str, int] | None = None) -> None:
    """Record the rows of an article's index texts, as its search index row is inserted;
    ``found``: their ``longest``, when already known."""
    rows = longest(values) if found is None else found
    if rows:
        conn.executemany(
            "INSERT INTO repeated_chars (ch, length, article_id) VALUES (?, ?, ?)",
            [(ch, length, article_id) for ch, length in rows.items()],
        )


def remove(conn: sqlite3.Connection, article_id: int, values: Iterable[str],
           found: dict[str, int] | None = None) -> None:
    """Forget the rows of an article's index texts, as its search index row is deleted with the
    same texts; ``found``: their ``longest``, when already known."""
    rows = longest(values) if found is None else found
    if rows:
        conn.executemany(
            "DELETE FROM repeated_chars WHERE ch = ? AND length = ? AND article_id = ?",
            [(ch, length, article_id) for ch, length in rows.items()],
        )


def build(conn: sqlite3.Connection, writer: Writer) -> None:
    """Fill the table from the stored current versions, as the writer makes their index texts."""
    for article_id, version_id in conn.execute(
            "SELECT id, current_version_id FROM articles WHERE current_version_id IS NOT NULL"
            " ORDER BY id").fetchall():
        add(conn, article_id, writer.search_values(version_id))


def phrase_row(tokens: Sequence[str]) -> tuple[str, int] | None:
    """The longest row of one character that consecutive tokens of a phrase spell (``"一一 一一
    一一"``: ``一`` 4 times), as (character, length), when it is ``MIN_LENGTH`` or longer.

    Every article holding the phrase holds that row in its index text: tokens that follow each
    other in a phrase follow each other in the text.
    """
    best: tuple[str, int] | None = None
    for token, same in itertools.groupby(tokens):
        if len(token) == 2 and token[0] == token[1]:
            length = len(list(same)) + 1
            if length >= MIN_LENGTH and (best is None or length > best[1]):
                best = (token[0], length)
    return best


def whole_row(tokens: Sequence[str]) -> tuple[str, int] | None:
    """The row of one character that a phrase spells and nothing else (``"一一 一一 一一"``:
    ``一`` 4 times), as (character, length), when it is ``MIN_LENGTH`` or longer.

    The articles holding such a phrase are exactly those whose row of that character is at
    least as long: ``count`` counts them and ``newest`` lists them.
    """
    row = phrase_row(tokens)
    return row if row is not None and row[1] == len(tokens) + 1 else None


def count(conn: sqlite3.Connection, ch: str, length: int) -> int:
    """The number of articles whose index text repeats ``ch`` at least ``length`` times in a
    row (one range of the table's primary key)."""
    return int(conn.execute(
        "SELECT count(*) FROM repeated_chars WHERE ch = ? AND length >= ?",
        (ch, max(length, MIN_LENGTH))).fetchone()[0])


# The lengths of the rows of a character kept for some article, from ``:length`` up: each one
# the next in the primary key after the one before, so the table is not scanned for them.
_LENGTHS = """WITH RECURSIVE lengths(n) AS (
    SELECT min(length) FROM repeated_chars WHERE ch = :ch AND length >= :length
    UNION ALL
    SELECT (SELECT min(length) FROM repeated_chars WHERE ch = :ch AND length > lengths.n)
    FROM lengths WHERE lengths.n IS NOT NULL
) SELECT n FROM lengths WHERE n IS NOT NULL"""


def newest(
    conn: sqlite3.Connection, ch: str, length: int, limit: int,
    clauses: Sequence[str] = (), params: Sequence[Any] = (),
) -> list[int]:
    """The articles whose index text repeats ``ch`` at least ``length`` times in a row, newest
    (highest id) first, at most ``limit`` of them (all for a negative ``limit``); with
    ``clauses`` (conditions on ``articles a``, with ``params``), those that meet them.

    The table orders each length's articles by id: the newest of each length are read in that
    order and merged, so a character held by most articles (一, in 68,101 of 100,000 three times
    or more) costs no more than a rare one.
    """
    where = "".join(" AND " + clause for clause in clauses)
    lists = [[row[0] for row in conn.execute(
        "SELECT r.article_id FROM repeated_chars r JOIN articles a ON a.id = r.article_id"
        f" WHERE r.ch = ? AND r.length = ?{where} ORDER BY r.article_id DESC LIMIT ?",
        (ch, n, *params, limit))]
        for (n,) in conn.execute(_LENGTHS, {"ch": ch, "length": max(length, MIN_LENGTH)}).fetchall()]
    merged = heapq.merge(*lists, reverse=True)
    return list(merged if limit < 0 else itertools.islice(merged, limit))


def articles(conn: sqlite3.Connection, ch: str, length: int, limit: int) -> list[int]:
    """The articles whose index text repeats ``ch`` at least ``length`` times in a row, at most
    ``limit`` of them (in no particular order)."""
    return [row[0] for row in conn.execute(
        "SELECT article_id FROM repeated_chars WHERE ch = ? AND length >= ? LIMIT ?",
        (ch, max(length, MIN_LENGTH), limit))]
