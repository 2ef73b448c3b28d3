"""Full-text search over the current version of every article, ranked by bm25.

The index is explained in ``archive/fold.py``, the query language (words that must all occur,
OR, ``-``/NOT, quoted phrases, parentheses) in ``archive/syntax.py``, both in ``docs/archive.md``.
Each word matches as a substring (like ``LIKE '%word%'``) in either script. Snippets come from
the original text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

from .fold import snippet
from .query import HIT_COLUMNS, HIT_FROM, ArticleFilter
from .repeats import (
    common,
    conjunction,
    conjunction_page,
    disjunction,
    disjunction_page,
    newest_page,
    single_phrase,
)
from .syntax import QueryError, parse, positive_terms, to_fts

if TYPE_CHECKING:
    from .db import Archive


# Above this many matching articles, results come newest first rather than by bm25.
RANK_LIMIT = 20_000


__all__ = ["HIT_FIELDS", "RANK_LIMIT", "QueryError", "SearchHit", "newest_rows", "search"]


@dataclass
class SearchHit:
    id: int
    canonical_url: str
    portal: str
    headline: str
    published_at: str | None
    source: str | None
    reporters: list[str]
    editors: list[str]
    score: float
    snippet: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# The fields of a hit, in order (a CSV of no hits has them too).
HIT_FIELDS = tuple(field.name for field in fields(SearchHit))


def search(
    archive: Archive,
    query: str,
    *,
    portal: str | None = None,
    since: str | None = None,
    until: str | None = None,
    reporter: str | None = None,
    editor: str | None = None,
    source: str | None = None,
    limit: int = 20,
    offset: int = 0,
    marks: tuple[str, str] = ("[", "]"),
) -> list[SearchHit]:
    """Articles matching ``query``, best first (newest first past RANK_LIMIT, see ``_ranked``).

    ``QueryError`` (a ``ValueError``) when the query is malformed; see ``archive/syntax.py``.
    """
    parsed = parse(query)
    match = to_fts(parsed, archive.fold_table)
    clauses, params = ArticleFilter(portal, since, until, reporter, editor, source).where()
    if _ranked(archive, match):
        rows = _rows(archive, match, "search.rank", clauses, params, limit, offset)
    else:
        rows = newest_rows(archive, match, clauses, params, int(limit), int(offset))
    terms = [term.text for term in positive_terms(parsed)]
    hits = []
    for article_id, url, portal_, headline, published_at, source_, version_id, rank in rows:
        people = archive.conn.execute(
            "SELECT kind, ifnull(role || ' ', '') || name FROM people WHERE version_id = ?"
            " ORDER BY kind, position",
            (version_id,),
        ).fetchall()
        hits.append(SearchHit(
            id=article_id,
            canonical_url=url,
            portal=portal_,
            headline=headline,
            published_at=published_at,
            source=source_,
            reporters=[name for kind, name in people if kind == "reporter"],
            editors=[name for kind, name in people if kind == "editor"],
            # bm25 is smaller for better matches; flip it so a bigger score is better.
            score=-rank,
            snippet=_snippet(archive, version_id, headline, terms, marks),
        ))
    return hits


def newest_rows(
    archive: Archive, match: str, clauses: list[str], params: list[Any], limit: int, offset: int
) -> list[tuple[Any, ...]]:
    """The page of ``match`` newest first, as rows of ``search``'s query (the rank last).

    Also the canned SQL ``search``'s newest-first page in the Datasette front end
    (``archive.serve.register_functions``).
    """
    found = None
    alternatives = disjunction(match)
    if alternatives is not None:
        # A row of one character alone, or among the alternatives of a phrase: its articles
        # listed and counted by repeated_chars, the others' by FTS5 as far as the page needs.
        found = disjunction_page(archive, alternatives, clauses, params, limit, offset)
    phrases = conjunction(match) if found is None else None
    if phrases is not None:
        # Phrases that must all occur, or a long phrase, from the candidates of the repeating
        # one (or its first tokens), checked in their texts.
        found = conjunction_page(archive, phrases, clauses, params, limit, offset)
    tokens = single_phrase(match)
    if found is None and tokens is not None:
        # A phrase alone: in one pass over its postings.
        found = newest_page(archive, match, tokens, clauses, params, limit, offset)
    if found is not None:
        return found
    return _rows(archive, match, "search.rowid DESC", clauses, params, limit, offset)


def _rows(
    archive: Archive, match: str, order: str, clauses: list[str], params: list[Any], limit: int,
    offset: int,
) -> list[tuple[Any, ...]]:
    sql = (
        f"SELECT {HIT_COLUMNS}, search.rank {HIT_FROM} WHERE search MATCH ?"
        + "".join(" AND " + c for c in clauses)
        + f" ORDER BY {order} LIMIT ? OFFSET ?"
    )
    return archive.conn.execute(sql, [match, *params, int(limit), int(offset)]).fetchall()


def _ranked(archive: Archive, match: str) -> bool:
    """Whether the matches of ``match`` are listed by bm25 (else newest first)."""
    # A phrase that repeats a bigram (一一一一 is "一一 一一 一一") makes FTS5 read that bigram's
    # postings once per repetition and check positions in every article holding its bigrams,
    # however few hold the phrase, and it would do so three times over (the count, bm25's
    # document frequency, the ranked rows). When more than RANK_LIMIT articles hold its
    # bigrams, the query is listed newest first, like a common word (archive/repeats.py).
    if common(archive, match, RANK_LIMIT):
        return False
    # bm25 costs a few microseconds for every matching row, whatever the LIMIT. Counting is
    # ~20x cheaper, so count first: a word found in more than RANK_LIMIT articles (where its
    # bm25 weight is close to nothing anyway) lists the newest archived articles first instead.
    return _count(archive, match) <= RANK_LIMIT


def _count(archive: Archive, match: str) -> int:
    """The articles ``match`` finds, counted up to one past RANK_LIMIT: only which side of it
    the count falls matters, and a common word need not be counted to the end."""
    return int(archive.conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM search WHERE search MATCH ? LIMIT ?)",
        (match, RANK_LIMIT + 1),
    ).fetchone()[0])


def _snippet(
    archive: Archive, version_id: int, headline: str, terms: list[str], marks: tuple[str, str]
) -> str:
    start, end = marks
    texts = [r[0] for r in archive.conn.execute(
        "SELECT text FROM paragraphs WHERE version_id = ? ORDER BY position", (version_id,))]
    for text in [*texts, headline]:
        found = snippet(text, terms, archive.fold_table, start=start, end=end)
        if found is not None:
            return found
    # The match was in a name or the source: show the opening of the text instead.
    first = texts[0] if texts else headline
    return first[:60] + ("…" if len(first) > 60 else "")
