"""Phrases that repeat a bigram (一一一一, 哈哈哈): FTS5's slow case, and a faster page for it.

A query becomes one FTS5 phrase of its bigrams (``archive/fold.py``), and a repeated character
repeats a bigram: 一一一一 is ``"一一 一一 一一"``. FTS5 reads a phrase's postings once per token,
so it reads 一一's postings three times, and checks positions in every article that has 一一,
however few hold the phrase. ``archive/search.py`` lists such a query newest first when its
bigrams are common (``common``), so that FTS5 stops at the page's last row.

A rare phrase still takes FTS5 one pass over those postings to fill its page, and FTS5 would
make a second one for bm25's document frequency (the number of articles holding the phrase).
When the first pass ran to the end, it saw every match, so that number is known, and
``newest_page`` computes each listed article's score as FTS5's ``bm25()`` does, from the same
figures: the index's row and token totals, the article's size in tokens, and the phrase's
occurrences in each column of its index text. Hits and scores are those of the plain FTS5 query
(``tests/archive/test_search_repeats.py`` compares them).
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import TYPE_CHECKING, Any

from .fold import quote
from .syntax import repeating_phrases

if TYPE_CHECKING:
    from .db import Archive

__all__ = ["common", "newest_page", "single_phrase"]

# FTS5's bm25 constants (fts5_aux.c).
_K1 = 1.2
_B = 0.75
_RANK = re.compile(r"bm25\(\s*([0-9.eE+-]+(?:\s*,\s*[0-9.eE+-]+)*)\s*\)")
_PHRASE = re.compile(r'"((?:[^"]|"")*)"')


def common(archive: Archive, match: str, limit: int) -> bool:
    """Whether ``match`` has a phrase repeating a bigram whose bigrams are in more than
    ``limit`` articles.

    Counts the articles holding all of the phrase's distinct bigrams (no positions read, so a
    millisecond or two), one past ``limit`` at most.
    """
    for tokens in repeating_phrases(match):
        found = archive.conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM search WHERE search MATCH ? LIMIT ?)",
            (" AND ".join(map(quote, tokens)), limit + 1),
        ).fetchone()[0]
        if found > limit:
            return True
    return False


def single_phrase(match: str) -> list[str] | None:
    """The tokens of ``match`` when it is one phrase of wide (Chinese) bigrams that repeats one.

    Only then does this module list the page: Chinese characters reach the index unchanged by
    the tokenizer (which folds a few Greek and special characters further than ``fold``), so
    the phrase's occurrences counted in the index text are the ones FTS5 counts.
    """
    whole = _PHRASE.fullmatch(match)
    if whole is None:
        return None
    tokens = whole.group(1).replace('""', '"').split(" ")
    if len(set(tokens)) == len(tokens):
        return None
    wide = all(len(token) == 2 and all(unicodedata.east_asian_width(ch) in ("W", "F")
                                       for ch in token) for token in tokens)
    return tokens if wide else None


def newest_page(
    archive: Archive,
    match: str,
    tokens: list[str],
    clauses: list[str],
    params: list[Any],
    limit: int,
    offset: int,
) -> list[tuple[Any, ...]] | None:
    """The page of the phrase ``match`` newest first, as rows of ``archive.search.search``'s
    query (the rank last), when one pass over its postings finds all its matches (a rare
    phrase, the slow case for FTS5); ``None`` when it does not, or when the index ranks with
    something other than bm25.
    """
    weights = _weights(archive)
    if weights is None:
        return None
    # Without the rank, FTS5 stops at the page's last row: at once when the phrase is common,
    # after one pass over the postings when it is rare.
    rows = archive.conn.execute(
        "SELECT a.id, a.canonical_url, a.portal, a.headline, a.published_at, a.source,"
        " a.current_version_id FROM search JOIN articles a ON a.id = search.rowid"
        " WHERE search MATCH ?" + "".join(" AND " + c for c in clauses)
        + " ORDER BY search.rowid DESC LIMIT ? OFFSET ?",
        [match, *params, limit, offset],
    ).fetchall()
    if not rows:
        return []
    if clauses or len(rows) == limit:
        # Matches are left unseen, or filtered out: FTS5 counts them for its bm25 as fast as
        # we could, and the page costs little to list again when it filled up early.
        return None
    matches = max(offset, 0) + len(rows)  # the pass reached the last match: all were seen
    rows_total, tokens_total = _totals(archive)
    avgdl = float(tokens_total) / float(rows_total)
    idf = math.log((rows_total - matches + 0.5) / (matches + 0.5))
    if idf <= 0.0:
        idf = 1e-6
    from .writer import Writer

    # An instance starts at a token boundary; lookahead counts overlapping ones (一一一 in 一一一一).
    phrase = re.compile(r"(?<!\S)(?=" + re.escape(" ".join(tokens)) + r"(?!\S))")
    writer = Writer(archive.conn, archive.fold_table)
    out = []
    for row in rows:
        freq = 0.0
        for weight, text in zip(weights, writer.search_values(row[-1]), strict=True):
            for _ in phrase.finditer(text):
                freq += weight  # one instance at a time, as FTS5 adds them up
        size = _docsize(archive, row[0])
        # The expression of fts5Bm25Function, operation for operation, so the double is the same.
        score = idf * ((freq * (_K1 + 1.0)) / (freq + _K1 * (1 - _B + _B * size / avgdl)))
        out.append((*row, -1.0 * score))
    return out


def _weights(archive: Archive) -> list[float] | None:
    """The column weights of the index's rank function, when it is bm25."""
    row = archive.conn.execute("SELECT v FROM search_config WHERE k = 'rank'").fetchone()
    found = _RANK.fullmatch(str(row[0]).strip()) if row else None
    if found is None:
        return None
    # One weight per column (headline, body, names); missing ones are 1, extra ones unused.
    weights = [float(w) for w in found.group(1).split(",")]
    return (weights + [1.0] * 3)[:3]


def _totals(archive: Archive) -> tuple[int, int]:
    """FTS5's row count and token count over all columns (its averages record, rowid 1)."""
    block = archive.conn.execute("SELECT block FROM search_data WHERE id = 1").fetchone()[0]
    values = _varints(block)
    return values[0], sum(values[1:])


def _docsize(archive: Archive, rowid: int) -> int:
    """An article's size in tokens over all columns, as FTS5 stored it."""
    return sum(_varints(archive.conn.execute(
        "SELECT sz FROM search_docsize WHERE id = ?", (rowid,)).fetchone()[0]))


def _varints(data: bytes) -> list[int]:
    """SQLite varints (big-endian, 7 bits a byte, a ninth byte of 8 bits), as FTS5 writes them."""
    out = []
    i = 0
    while i < len(data):
        value = 0
        for n in range(9):
            byte = data[i]
            i += 1
            if n == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if byte < 0x80:
                break
        out.append(value)
    return out
