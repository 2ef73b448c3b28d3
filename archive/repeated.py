"""Which articles repeat a character many times in a row: the candidates of a phrase that does.

A word that repeats one character (``一``×8 is the phrase ``"一一 一一 … 一一"``, seven tokens of
one bigram) is FTS5's slow case (``archive/repeats.py``): it moves one iterator per token over
that bigram's postings and checks positions in every article holding it, however few hold the
phrase (``一一`` is in nearly every article of a large archive, so about 6 ms per token at
100,000 articles). The table ``repeated_chars`` answers the question that pass asks first: it
keeps, for each article in the search index, every character its index text repeats at least
``MIN_LENGTH`` times in a row, with the longest such row. The articles holding a phrase that
spells ``c`` n times in a row are among those whose row of ``c`` is n long or longer: one range
of the table's b-tree, however common the character.

The rows are made from the index texts themselves (``longest``), when ``Writer.flush`` writes an
article's row of the search index and when it deletes one (with the same texts, as FTS5's
``'delete'`` needs them), so the table holds what the index holds whichever way the texts were
made (a crawl, a re-extraction's ``ReparseHint``, a merge). Schema 11 fills it for an archive
written before it (``build``).
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .writer import Writer

__all__ = ["MIN_LENGTH", "add", "articles", "build", "longest", "phrase_row", "remove"]

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


def articles(conn: sqlite3.Connection, ch: str, length: int, limit: int) -> list[int]:
    """The articles whose index text repeats ``ch`` at least ``length`` times in a row, at most
    ``limit`` of them (in no particular order)."""
    return [row[0] for row in conn.execute(
        "SELECT article_id FROM repeated_chars WHERE ch = ? AND length >= ? LIMIT ?",
        (ch, max(length, MIN_LENGTH), limit))]
