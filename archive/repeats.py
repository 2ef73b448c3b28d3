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
occurrences in each column of its texts. Hits and scores are those of the plain FTS5 query
(``tests/archive/test_search_repeats.py`` compares them).

That pass grows with the phrase: FTS5 moves one iterator per token over the same postings
(``一``×16 is 15 of them). And a query of several words (``一``×8 ``丁``) is listed and scored by
FTS5, whose bm25 makes the second pass over the repeating phrase's postings all the same.
``conjunction_page`` covers both when the query is phrases that must all occur: FTS5 finds the
candidates, the articles holding the first ``SHORT`` tokens of the repeating phrase (an article
holding the phrase holds them), and each candidate's texts tell which phrases it holds and how
often, as ``newest_page`` counts them (``_Counter``): all the repeating phrase's matches are
seen, so the page, its filters and its scores follow (the other phrases' document frequencies
are counted by FTS5, as its bm25 counts them). When there are more than ``CANDIDATES``
candidates, the plain query lists the page.

A phrase that spells one character three times or more in a row (``一``×8, or 哈哈哈 inside a
longer phrase) takes its candidates from ``repeated_chars`` first (``archive/repeated.py``): the
articles with a row of that character at least as long, found without reading the postings, so
a short phrase (``一``×8, alone or beside other words) no longer costs a pass either.

A phrase that is such a row and nothing else (``一``×4 is ``"一一 一一 一一"``) is held by exactly
those articles, however many: ``disjunction_page`` lists its page newest first and counts it
there, without FTS5, alone or as one of several alternatives (a quoted phrase with a space:
``"一一 一"`` is ``"一一 一一" OR "一一 一 一" *``). The other alternatives are listed by FTS5 down
to the page's last row, and counted only when an article of the page holds them (a phrase an
article lacks adds nothing to its bm25).

Instances are counted in the stored texts as typed (``_Counter``): how the index cuts a text
into tokens tells where each phrase starts and what lies between its characters (``_typed``),
so no text is folded and cut into bigrams again.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import repeated
from .fold import SEPARATOR_CHARS, FoldTable, quote
from .query import HIT_COLUMNS, HIT_FROM
from .repeated import articles, phrase_row, whole_row
from .syntax import FTS_PHRASE, repeating_phrases
from .writer import Writer

if TYPE_CHECKING:
    from .db import Archive

__all__ = [
    "CANDIDATES", "PAGE_ROWS", "SHORT", "Phrase", "common", "conjunction", "conjunction_page",
    "disjunction", "disjunction_page", "newest_page", "single_phrase",
]

# A phrase of more tokens than this (一×9 and longer) looks for candidates with its first SHORT
# tokens. The pass over a common bigram's postings costs FTS5 about 6 ms per token at 100,000
# articles (一×8, 7 tokens: 63 ms; 一×16, 15 tokens: 114 ms), so a longer short phrase costs as
# much as the long one; a shorter one has too many candidates (一×5: 1,281 at 100,000).
SHORT = 7
# Checking a candidate reads its texts back and finds its phrases in them as typed (about 0.1 ms
# at 100,000 articles), so 30 add a few milliseconds to the short phrase's pass (63 ms for 7
# tokens of 一一): within 100 ms in all. More candidates than that: the short phrase is common,
# its pass stopped at the 31st, and the plain query lists the page as before.
CANDIDATES = 30
# Past this many rows a page's texts and sizes cost more to read (about 0.15 ms a row) than
# FTS5's passes over a common repeated bigram's postings (about 60 ms each for 一一 at 100,000
# articles): ``disjunction_page`` leaves longer pages to FTS5.
PAGE_ROWS = 1000

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
    the phrase's occurrences counted in its texts are the ones FTS5 counts.
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
        f"SELECT {HIT_COLUMNS} {HIT_FROM} WHERE search MATCH ?" + "".join(" AND " + c for c in clauses)
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
    count = _Counter(archive, weights, [Phrase(tuple(tokens))])
    totals = _totals(archive)
    return [(*row, _rank(archive, totals, row[0], [(matches, count(row[-1])[0][1])]))
            for row in rows]


@dataclass(frozen=True)
class Phrase:
    """A phrase of an FTS5 expression: its tokens, the last one a prefix when ``prefix``."""

    tokens: tuple[str, ...]
    prefix: bool = False

    @property
    def whole(self) -> tuple[str, ...]:
        """The tokens that must occur whole (all of them but a prefix)."""
        return self.tokens[:-1] if self.prefix else self.tokens

    def query(self) -> str:
        """The phrase as FTS5 reads it alone."""
        return quote(" ".join(self.tokens)) + (" *" if self.prefix else "")


def conjunction(match: str) -> list[Phrase] | None:
    """The phrases of ``match`` when it is phrases of wide (Chinese) tokens joined by AND.

    Only then does this module check matches in the texts: with AND alone an article matches
    when it holds every phrase, and FTS5 counts every instance of each phrase in it for bm25 (a
    NOT would make that depend on FTS5's iterators; phrases joined by OR are ``disjunction``'s).
    Wide characters reach the index unchanged by the tokenizer (which folds a few Greek and
    special characters further than ``fold``), so the instances counted in the texts are the
    ones FTS5 counts.
    """
    return _joined(match, " AND ")


def disjunction(match: str) -> list[Phrase] | None:
    """The phrases of ``match`` when it is phrases of wide (Chinese) tokens joined by OR (a
    quoted phrase with a space in it becomes one: ``"一一 一"`` is ``"一一 一一" OR "一一 一 一" *``).

    An article matches when it holds one of them, and FTS5's bm25 counts the instances of each
    phrase it holds: FTS5 moves every phrase's iterator to the article, and an iterator stops
    only where its phrase occurs, so a phrase the article lacks adds nothing.
    """
    return _joined(match, " OR ")


def _joined(match: str, joiner: str) -> list[Phrase] | None:
    """The phrases of ``match`` when it is phrases of wide tokens joined by ``joiner``."""
    phrases = []
    at = 0
    for found in FTS_PHRASE.finditer(match):
        if found.start() != at:
            return None
        tokens = tuple(found.group(1).replace('""', '"').split(" "))
        if not all(0 < len(token) <= 2 and all(
                unicodedata.east_asian_width(ch) in ("W", "F") for ch in token) for token in tokens):
            return None
        phrases.append(Phrase(tokens, bool(found.group(2))))
        at = found.end()
        if match.startswith(joiner, at) and at + len(joiner) < len(match):
            at += len(joiner)
    return phrases if phrases and at == len(match) else None


def conjunction_page(
    archive: Archive,
    phrases: list[Phrase],
    clauses: list[str],
    params: list[Any],
    limit: int,
    offset: int,
) -> list[tuple[Any, ...]] | None:
    """The page, newest first, of phrases that must all occur (``conjunction``), one of which
    repeats a token, as rows of ``archive.search.search``'s query (the rank last); ``None``
    when the candidates are more than ``CANDIDATES``, when the index does not rank with bm25,
    or when the query is one phrase of at most ``SHORT`` tokens that spells no row of one
    character long enough to look up (``newest_page`` lists it).

    The candidates are the articles holding the longest row of one character a phrase spells
    (``archive/repeated.py``), else the articles holding the first ``SHORT`` whole tokens of the
    first repeating phrase: all of that phrase's matches are among them, so its document
    frequency is known without FTS5's second pass over its postings. Each candidate's texts give
    every phrase's instances (``_Counter``), hence whether it matches and its bm25; the other
    phrases' document frequencies are counted by FTS5, as its ``bm25()`` counts them.
    """
    weights = _weights(archive)
    if weights is None:
        return None
    ids: list[int] | None = None
    repeating: Phrase | None = None
    rows_of = [(row, phrase) for phrase in phrases if (row := phrase_row(phrase.whole))]
    if rows_of:
        # A row of one character: its candidates from the table of rows, with no pass over the
        # repeated bigram's postings at all.
        (ch, length), repeating = max(rows_of, key=lambda found: found[0][1])
        ids = articles(archive.conn, ch, length, CANDIDATES + 1)
        if len(ids) > CANDIDATES:
            ids = repeating = None
    if repeating is None:
        repeating = next((p for p in phrases if len(set(p.whole)) < len(p.whole)), None)
        if repeating is None or (len(phrases) == 1 and (repeating.prefix
                                                        or len(repeating.tokens) <= SHORT)):
            return None
    # A word no article holds ends FTS5's AND at once, before any pass over the repeating
    # phrase's postings: so it ends this page.
    if any(not _exists(archive, phrase) for phrase in phrases if phrase != repeating):
        return []
    # Every candidate is read (bm25 needs the number of all matches), the filters evaluated
    # alongside so that a filtered page needs no second query.
    kept = " AND ".join(f"({clause})" for clause in clauses) or "1"
    if ids is not None:
        rows = archive.conn.execute(
            f"SELECT {HIT_COLUMNS}, {kept} FROM articles a WHERE a.id IN"
            f" ({', '.join('?' * len(ids))}) ORDER BY a.id DESC",
            [*params, *ids],
        ).fetchall()
    else:
        rows = archive.conn.execute(
            f"SELECT {HIT_COLUMNS}, {kept} {HIT_FROM} WHERE search MATCH ? ORDER BY search.rowid DESC"
            " LIMIT ?",
            [*params, quote(" ".join(repeating.whole[:SHORT])), CANDIDATES + 1],
        ).fetchall()
        if len(rows) > CANDIDATES:
            return None
    count = _Counter(archive, weights, phrases)
    holding = 0  # candidates holding the repeating phrase: its document frequency
    found = []
    for *row, keep in rows:
        counted = count(row[-1])
        holding += counted[phrases.index(repeating)][0] > 0
        if keep and all(count for count, _ in counted):
            found.append((row, [freq for _, freq in counted]))
    start = max(offset, 0)
    page = found[start:] if limit < 0 else found[start:start + limit]  # LIMIT -1: no limit
    if not page:
        return []
    matches = [holding if phrase == repeating else _matches(archive, phrase) for phrase in phrases]
    totals = _totals(archive)
    return [(*row, _rank(archive, totals, row[0], list(zip(matches, freqs, strict=True))))
            for row, freqs in page]


def disjunction_page(
    archive: Archive,
    phrases: list[Phrase],
    clauses: list[str],
    params: list[Any],
    limit: int,
    offset: int,
) -> list[tuple[Any, ...]] | None:
    """The page, newest first, of phrases one of which must occur (``disjunction``: one phrase,
    or the alternatives of a quoted phrase with a space), at least one of them a row of one
    character and nothing else (``whole_row``: ``"一一 一一 一一"``), as rows of
    ``archive.search.search``'s query (the rank last); ``None`` when none is such a row, when
    the page is longer than ``PAGE_ROWS`` (or unlimited), or when the index does not rank with
    bm25.

    The articles holding such a row are listed by ``repeated_chars``, newest first, and counted
    there: exactly those holding the phrase, so neither FTS5's pass over the repeated bigram's
    postings to list them nor its second one for bm25's document frequency is needed. Any other
    phrase is listed by FTS5 down to the page's last row (no rank: it stops there). Each listed
    article's texts give every phrase's instances (``_Counter``), and its bm25 follows. A
    phrase's document frequency counts only for the articles holding it: when no article of the
    page does, it is not counted at all; when one does, FTS5 counts it, unless its list ran to
    its end unfiltered and so saw them all.
    """
    weights = _weights(archive)
    rows_of = [whole_row(phrase.whole) if not phrase.prefix else None for phrase in phrases]
    if weights is None or not any(rows_of) or not 0 <= limit <= PAGE_ROWS:
        return None
    start = max(offset, 0)
    wanted = start + limit
    where = "".join(" AND " + clause for clause in clauses)
    matches: list[int | None] = []
    ids: set[int] = set()
    for phrase, row in zip(phrases, rows_of, strict=True):
        if row is not None:
            ids.update(repeated.newest(archive.conn, *row, wanted, clauses, params))
            matches.append(repeated.count(archive.conn, *row))
            continue
        listed = [found for (found,) in archive.conn.execute(
            f"SELECT search.rowid {HIT_FROM} WHERE search MATCH ?{where}"
            " ORDER BY search.rowid DESC LIMIT ?",
            [phrase.query(), *params, wanted])]
        ids.update(listed)
        complete = not clauses and len(listed) < wanted
        matches.append(len(listed) if complete else None)
    chosen = sorted(ids, reverse=True)[start:wanted]
    if not chosen:
        return []
    rows = archive.conn.execute(
        f"SELECT {HIT_COLUMNS} FROM articles a WHERE a.id IN ({', '.join('?' * len(chosen))})"
        " ORDER BY a.id DESC",
        chosen,
    ).fetchall()
    count_in = _Counter(archive, weights, phrases)
    counted = [count_in(row[-1]) for row in rows]
    for i, phrase in enumerate(phrases):
        if matches[i] is None and any(found[i][0] for found in counted):
            matches[i] = _matches(archive, phrase)
    totals = _totals(archive)
    # A phrase the article lacks adds idf × 0 = 0 to its bm25, whatever its idf: any count does.
    return [(*row, _rank(archive, totals, row[0], [
                (matches[i] or 0, freq) for i, (_, freq) in enumerate(found)]))
            for row, found in zip(rows, counted, strict=True)]


class _Counter:
    """Each phrase's instances in a version and their sum weighted by column, as FTS5 counts
    them for bm25.

    Phrases are found in the stored texts as typed (``_typed``), each character matched by the
    set of characters that fold to it: the fold maps one character to one, so that is where the
    folded text holds the phrase, and no text need be folded and cut into bigrams (which was
    most of the time a page took). A column's texts are joined by a line break, as the index
    joins them, so that a phrase with whitespace in it spans two as FTS5 sees it do.
    """

    def __init__(self, archive: Archive, weights: list[float], phrases: list[Phrase]) -> None:
        self.writer = Writer(archive.conn, archive.fold_table)
        self.weights = weights
        folding = _Folding.of(archive.fold_table)
        self.typed = [_typed(folding, phrase) for phrase in phrases]

    def __call__(self, version_id: int) -> list[tuple[int, float]]:
        columns = tuple(["\n".join(text for text in texts if text)]
                        for texts in self.writer.search_texts(version_id))
        return [_frequency(self.weights, typed, columns) for typed in self.typed]


class _Folding:
    """The fold table read backwards, as regular expression sets: the characters that fold to a
    given one, and a run break as typed. Made once for a table (about 10 ms): ``of`` keeps the
    last one made, for the next page of the same archive (the same table, or an equal one read
    by another connection, as the front end's are)."""

    _last: tuple[FoldTable, _Folding] | None = None

    @classmethod
    def of(cls, table: FoldTable) -> _Folding:
        last = cls._last
        if last is None or (last[0] is not table and last[0] != table):
            last = cls._last = (table, cls(table))
        return last[1]

    def __init__(self, table: FoldTable) -> None:
        self.table = table
        self.members: dict[str, list[str]] = {}
        breaks = []  # characters that fold to a run break
        unbroken = []  # run breaks that fold to another character
        for point, folded in table.items():  # the characters that change, and what they become
            self.members.setdefault(folded, []).append(chr(point))
            if _SEPARATOR.fullmatch(folded):
                breaks.append(chr(point))
            elif _SEPARATOR.fullmatch(chr(point)):
                unbroken.append(chr(point))
        # A run break as typed: a break the fold leaves alone, or a character it makes one.
        self.separator = ("(?:" + (f"(?![{_chars(unbroken)}])" if unbroken else "")
                          + f"[{SEPARATOR_CHARS}{_chars(breaks)}])")

    def char(self, ch: str) -> str:
        members = self.members.get(ch, []) + ([] if ord(ch) in self.table else [ch])
        return f"[{_chars(members)}]" if members else "(?!)"


def _chars(chars: list[str]) -> str:
    return "".join(map(re.escape, chars))


_SEPARATOR = re.compile(f"[{SEPARATOR_CHARS}]")


def _typed(folding: _Folding, phrase: Phrase) -> re.Pattern[str]:
    """Where ``phrase`` starts in a column's texts as typed.

    The index cuts a run ``c1 … cn`` of the folded text into the tokens ``c1c2 … c(n-1)cn cn``
    (``archive/fold.py``): a bigram is followed by a token starting with its second character
    in the same run, a one-character token ends its run, and the next token starts the next
    run, past whitespace. So each bigram adds a character to the row; a one-character token
    ends the run (whitespace or the end of the column follows); the token after it starts a new
    run after whitespace. A prefix token (always the last) only has to start a token, which
    every character of a run does. Tokens that cannot follow each other (``"ab cd"``) never
    match. The lookahead counts overlapping instances (一一一 in 一一一一).
    """
    body = ""
    last: str | None = None  # the run's last character so far; None after a run's end
    ended = False
    for at, token in enumerate(phrase.tokens):
        if ended:
            body += folding.separator + "+"
            ended = False
        if last is not None and token[0] != last:
            return re.compile("(?!)")
        if last is None:
            body += folding.char(token[0])
        if phrase.prefix and at == len(phrase.tokens) - 1 and len(token) == 1:
            break
        if len(token) == 2:
            body += folding.char(token[1])
            last = token[1]
        else:
            last = None
            ended = True
    if ended:
        body += f"(?={folding.separator}|\\Z)"
    return re.compile("(?=" + body + ")")


def _frequency(
    weights: list[float], instances: re.Pattern[str], columns: tuple[list[str], ...]
) -> tuple[int, float]:
    """A phrase's occurrences in a version's texts, column by column, and their sum weighted
    by column."""
    count = 0
    freq = 0.0
    for weight, texts in zip(weights, columns, strict=True):
        for text in texts:
            for _ in instances.finditer(text):
                count += 1
                freq += weight  # one instance at a time, as FTS5 adds them up
    return count, freq


def _exists(archive: Archive, phrase: Phrase) -> bool:
    return archive.conn.execute(
        "SELECT 1 FROM search WHERE search MATCH ? LIMIT 1", (phrase.query(),)).fetchone() is not None


def _matches(archive: Archive, phrase: Phrase) -> int:
    """The articles holding ``phrase``: FTS5's pass for bm25's document frequency."""
    return int(archive.conn.execute(
        "SELECT count(*) FROM search WHERE search MATCH ?", (phrase.query(),)).fetchone()[0])


def _rank(
    archive: Archive, totals: tuple[int, int], rowid: int, phrases: list[tuple[int, float]]
) -> float:
    """FTS5's ``bm25()`` of an article for an expression's phrases, in their order, each
    given as the number of articles holding it and its weighted instances in this one, given
    the index's totals (``_totals``)."""
    rows_total, tokens_total = totals
    avgdl = float(tokens_total) / float(rows_total)
    size = _docsize(archive, rowid)
    score = 0.0
    for matches, freq in phrases:
        # fts5Bm25GetData and fts5Bm25Function, operation for operation, so the double is the same.
        idf = math.log((rows_total - matches + 0.5) / (matches + 0.5))
        if idf <= 0.0:
            idf = 1e-6
        score += idf * ((freq * (_K1 + 1.0)) / (freq + _K1 * (1 - _B + _B * size / avgdl)))
    return -1.0 * score


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
