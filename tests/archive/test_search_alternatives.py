"""Alternatives (an OR, or a quoted phrase with a space: ``"的的 的"`` is ``"的的 的的" OR "的的 的 的"
*``) and rows of one character alone (``的的的的``), listed and counted from ``repeated_chars``.

``archive/repeats.py``'s ``disjunction_page`` takes a row of one character and nothing else from
the table, the other alternatives from FTS5 as far as the page needs, and counts every phrase in
the texts as typed. ``test_search_repeats.py`` compares their hits and scores with the plain FTS5
query; here: what is read from where, what is counted and when, and the count as typed against
the index text's.
"""

from __future__ import annotations

import contextlib
import random
import re
import sqlite3
from pathlib import Path

import pytest
from test_search_repeats import found, reference, repeated_archive, same

from archive import Archive
from archive.fold import fold, fold_map, index_texts, translate_table
from archive.repeated import articles, newest, whole_row
from archive.repeats import Phrase, _Folding, _frequency, _typed, disjunction, disjunction_page


@pytest.fixture(scope="module")
def repeated(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return repeated_archive(tmp_path_factory.mktemp("repeated") / "repeated.sqlite")


def test_disjunction_reads_only_or_of_wide_phrases() -> None:
    assert disjunction('"一一 一一" OR "一一 一 一" *') == [
        Phrase(("一一", "一一")), Phrase(("一一", "一", "一"), prefix=True)]
    assert disjunction('"一一 一一"') == [Phrase(("一一", "一一"))]
    assert disjunction('"丁丁 丁丁" OR "一 一" * OR "丁"') == [
        Phrase(("丁丁", "丁丁")), Phrase(("一", "一"), prefix=True), Phrase(("丁",))]
    # Quoted text is never an operator (and OR is no wide token).
    for match in ['"一 OR 一" OR "一一"', '"一一 一一" AND "丁" *', '"一一 一一" NOT "丁丁"', '("一一 一一" OR "丁丁")',
                  '"一一 一一" OR "aa"', '"一一 一一" OR', '"一一 一一"  OR "丁丁"']:
        assert disjunction(match) is None, match
    # A row of one character and nothing else, as (character, length).
    assert whole_row(["一一", "一一"]) == ("一", 3)
    assert whole_row(["一一", "一一", "一一"]) == ("一", 4)
    for tokens in (["一一"], ["一一", "一一", "一丁"], ["丁一", "一一", "一一"], ["一一", "一"], ["一", "一"]):
        assert whole_row(tokens) is None, tokens


@pytest.mark.parametrize("query", ["的的的的", '"的的 的"'])
def test_long_pages_are_left_to_fts5(
    repeated: Archive, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past PAGE_ROWS rows (or with no limit) reading every row's texts would cost more than
    # FTS5's passes: FTS5 lists the page, with the same rows and scores.
    monkeypatch.setattr("archive.search.RANK_LIMIT", 0)
    phrases = disjunction(repeated.fts_query(query))
    assert phrases is not None
    assert disjunction_page(repeated, phrases, [], [], 5, 0) is not None
    monkeypatch.setattr("archive.repeats.PAGE_ROWS", 4)
    assert disjunction_page(repeated, phrases, [], [], 5, 0) is None
    assert disjunction_page(repeated, phrases, [], [], -1, 0) is None
    for limit, offset in [(5, 0), (5, 3), (1000, 0)]:
        same(found(repeated, query, limit=limit, offset=offset),
             reference(repeated, query, 0, limit=limit, offset=offset))


def _copy_without(archive: Archive, tmp_path: Path, ch: str, length: int) -> Archive:
    """A copy of ``archive`` whose repeated_chars leaves out the newest article holding a row of
    ``ch`` at least ``length`` long (FTS5 still finds it there)."""
    path = tmp_path / "copy.sqlite"
    with contextlib.closing(sqlite3.connect(path)) as target:
        archive.conn.backup(target)
    copy = Archive.open(path, create=False)
    left_out = newest(copy.conn, ch, length, 1)[0]
    with copy.conn:
        copy.conn.execute("DELETE FROM repeated_chars WHERE ch = ? AND article_id = ?", (ch, left_out))
    return copy


@pytest.mark.parametrize("query, ch, length", [
    ("的的的的", "的", 4), ("聞聞聞", "闻", 3), ('"的的 的"', "的", 3)])
def test_rows_of_one_character_are_listed_and_counted_from_repeated_chars(
    repeated: Archive, tmp_path: Path, query: str, ch: str, length: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Whatever the number of articles holding the row (more than the 30 candidates of a
    # conjunction), its page comes from repeated_chars: an article left out of the table is
    # left out of the page, and bm25's document frequency is the table's count (one less).
    monkeypatch.setattr("archive.search.RANK_LIMIT", 0)
    assert len(articles(repeated.conn, ch, length, 10**9)) > 30
    before = found(repeated, query, limit=1000)
    copy = _copy_without(repeated, tmp_path, ch, length)
    try:
        left_out = before[0][0]
        assert copy.conn.execute(
            "SELECT count(*) FROM repeated_chars WHERE article_id = ? AND ch = ?", (left_out, ch)
        ).fetchone()[0] == 0
        after = found(copy, query, limit=1000)
        # The other alternative of a phrase, listed by FTS5, still brings the article if it
        # holds that one.
        others = [phrase.query() for phrase in disjunction(repeated.fts_query(query)) or []
                  if whole_row(phrase.whole) is None or phrase.prefix]
        kept = any(copy.conn.execute(
            "SELECT 1 FROM search WHERE search MATCH ? AND rowid = ?", (other, left_out)
        ).fetchone() for other in others)
        assert [i for i, _ in after] == [i for i, _ in before if kept or i != left_out]
        articles_total = copy.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        if 2 * len(articles(repeated.conn, ch, length, 10**9)) < articles_total:
            # (Held by half the articles or more, a phrase weighs the least bm25 gives.)
            assert [s for i, s in after if i != left_out] != pytest.approx(
                [s for i, s in before if i != left_out], rel=1e-12)
    finally:
        copy.close()


def test_alternatives_count_what_the_page_needs(
    repeated: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "的的 的" is a row of 的 three long (repeated_chars lists and counts it) or "的的 的 的" *
    # (a run that ends with 的的 and one that starts with 的), which FTS5 lists down to the
    # page's last row. Its articles are counted only when the page holds one of them, and by
    # FTS5 only when its list stopped there; FTS5 never reads the repeated bigram's postings.
    monkeypatch.setattr("archive.search.RANK_LIMIT", 0)
    match = repeated.fts_query('"的的 的"')
    phrases = disjunction(match)
    assert phrases is not None
    row, spaced = phrases
    holding = {r[0] for r in repeated.conn.execute(
        "SELECT rowid FROM search WHERE search MATCH ?", (spaced.query(),))}
    assert 0 < len(holding) < 1000
    whole = [(r[0], r[-1]) for r in repeated.conn.execute(
        "SELECT rowid, rank FROM search WHERE search MATCH ? ORDER BY rowid DESC", (match,))]
    # Pages: everything (the spaced phrase's list runs to its end), the newest holding it (its
    # list stops there), and the first three that do not hold it.
    first = next(i for i, (article, _) in enumerate(whole) if article in holding)
    lacking = next(i for i in range(len(whole))
                   if not {article for article, _ in whole[i:i + 3]} & holding)
    assert first + 1 < len(holding)
    statements: list[str] = []
    repeated.conn.set_trace_callback(statements.append)
    try:
        counted = {}
        for limit, offset in [(1000, 0), (1, first), (3, lacking)]:
            statements.clear()
            got = disjunction_page(repeated, phrases, [], [], limit, offset)
            assert got is not None
            same([(r[0], r[-1]) for r in got], whole[offset:offset + limit])
            assert not any(row.query() in s for s in statements)  # no pass over 的的's postings
            counted[limit] = len([s for s in statements if "count(*)" in s and "MATCH" in s])
    finally:
        repeated.conn.set_trace_callback(None)
    assert counted == {1000: 0, 1: 1, 3: 0}


def test_phrases_are_counted_in_the_texts_as_typed_as_in_the_index_text() -> None:
    # Every shape of phrase the expressions have (bigrams that follow each other, one-character
    # tokens that end a run, the run after whitespace, a prefix token, tokens that cannot follow
    # each other), counted in random texts as typed and, as the index holds them, in the index
    # text: tokens whitespace apart, a one-character token ending its run.
    rng = random.Random(20261207)
    table = translate_table(fold_map())
    alphabet = "的闻聞会會丁"
    breaks = [" ", "  ", "\u3000", "\t", " \u3000 "]

    def text() -> str:
        out = "".join(rng.choice(alphabet + "的的的 ") for _ in range(rng.randint(0, 14)))
        return rng.choice(["", " ", "\u3000"]) + out.replace(" ", rng.choice(breaks))

    def indexed(phrase: Phrase, index: str) -> int:
        body = r"\s+".join(map(re.escape, phrase.tokens))
        return len(re.findall(r"(?<!\S)(?=" + body + ("" if phrase.prefix else r"(?!\S)") + ")",
                              index))

    checked = holding = 0
    for _ in range(400):
        texts = [text() for _ in range(rng.randint(0, 3))]
        index = index_texts(texts, table)
        tokens = index.split()
        if tokens and rng.random() < 0.8:  # tokens that follow each other in the index text
            at = rng.randrange(len(tokens))
            phrase_tokens = tokens[at:at + rng.randint(1, 4)]
        else:
            phrase_tokens = [fold(rng.choice(alphabet) * rng.randint(1, 2), table)
                             for _ in range(rng.randint(1, 4))]
        prefix = rng.random() < 0.3
        if prefix:
            phrase_tokens[-1] = phrase_tokens[-1][0]
        phrase = Phrase(tuple(phrase_tokens), prefix)
        folding = _Folding.of(table)
        typed = _frequency([1.0], _typed(folding, phrase), (["\n".join(t for t in texts if t)],))
        assert typed[0] == indexed(phrase, index), (texts, phrase)
        checked += 1
        holding += typed[0] > 0
    assert holding > 150 and checked - holding > 50
    # Made once for a table, and for an equal one (another connection's).
    assert _Folding.of(dict(table)) is _Folding.of(table)
