"""Queries that repeat a bigram (的的的, 聞聞聞聞) find what the plain FTS5 query finds.

``archive/repeats.py`` lists such a query newest first when its bigrams are common, and finds a
rare one's page in one pass, computing bm25 itself; a long one's page from the candidates of a
shorter phrase, checked in their texts; a row of one character alone or among alternatives
(``"的的 的"``) from ``repeated_chars`` (``test_search_alternatives.py``). Every hit, score, page
and snippet is compared with the plain FTS5 query (``reference``) and the hits with a LIKE scan,
on an archive with runs of repeated characters longer than the queries, overlapping runs,
Traditional and Simplified forms mixed, runs in headlines, names and the source, rows broken by
whitespace.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import sqlite3
import unicodedata
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import make_capture
from test_search import canned, like_ids, random_record

from archive import Archive, cli
from archive.fold import fold
from archive.query import ArticleFilter
from archive.repeated import articles
from archive.repeats import Phrase, conjunction, conjunction_page, disjunction, single_phrase
from archive.search import _ranked, _rows
from archive.serve import front_end_sql, metadata_for, register_functions, register_site
from archive.syntax import repeating_phrases

QUERIES = [
    "的的", "的的的", "的的的的", "的的的的的的", "的" * 30,  # longer than any run: none
    "闻闻闻", "聞聞聞", "闻聞闻聞", "會會會", "会会会会",
    "的的闻", "闻的的的", "的闻的闻", "闻的闻的闻",  # a bigram repeated apart from itself
    "aaa", "AAA",  # narrow characters: listed by FTS5 itself
    # With other words: from the candidates of the repeating word, checked in their text.
    "的的的 会", "会 的的的", "的的的的的的 闻", "聞聞聞 的的的的", "的的的 的的的", "的的的 会会 闻的",
    "會會會會 的 闻", "的的的 龘",  # a word no article holds: none
    # Alternatives (OR, or a quoted phrase with a space: "的的 的" is "的的 的的" OR "的的 的 的" *):
    # rows of one character from repeated_chars, the other phrases from FTS5.
    '"的的 的的"', '"闻闻 闻"', "闻闻闻 OR 會會會", '"的的 的"', '"的 的的"', '"聞聞聞 闻"',
    "的的的 OR 闻的", "闻的闻 OR 的的的的的的", '"闻 闻 闻"', "会 OR 的的的的", "的的的 OR 的的的",
    # With other operators: FTS5 lists them, newest first by the same rule.
    "的 -闻闻闻", "(的的的 | 会会会) 闻", "的的的 aa",
]


@pytest.fixture(scope="module")
def repeated(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return repeated_archive(tmp_path_factory.mktemp("repeated") / "repeated.sqlite")


def repeated_archive(path: Path) -> Archive:
    """An archive of 243 articles with runs of repeated characters (the fixture ``repeated``)."""
    rng = random.Random(20261206)
    archive = Archive.open(path)
    run = archive.start_run("example", {})

    def runs(text: str) -> str:
        for _ in range(rng.randint(0, 3)):
            cut = rng.randint(0, len(text))
            # Runs of one form, of both forms mixed (闻聞闻), and overlapping pairs (的闻的闻的).
            piece = rng.choice([
                rng.choice(["的", "闻", "聞", "会", "會", "a", "A"]) * rng.randint(1, 9),
                "".join(rng.choice("闻聞") for _ in range(rng.randint(2, 8))),
                "".join(rng.choice("會会") for _ in range(rng.randint(2, 8))),
                ("的闻" * 5)[: rng.randint(3, 10)],
            ])
            text = text[:cut] + piece + text[cut:]
        return text

    for n in range(1, 241):
        record = random_record(rng, n)
        record["headline"] = runs(record["headline"])
        record["paragraphs"] = [runs(text) for text in record["paragraphs"]]
        record["reporters"][0]["name"] += rng.choice(["", "的的的", "聞聞"])
        record["source"] = rng.choice([None, "的的的报", "新聞聞社"])
        archive.add_capture(run, make_capture(record), record)
    # Rows of one character broken by whitespace (a quoted phrase with a space finds them): in a
    # paragraph, across two, after an ideographic space, in a headline and a name, both scripts.
    for n, (headline, paragraphs, name) in enumerate([
        ("会议的的 的", ["今天的的", "的确如此"], "张三"),
        ("新聞", ["聞聞　聞聞聞 会议", "的的的 的的"], "闻闻 闻"),
        ("标题", ["开会 的的", "的 的的 的"], "的的 的的"),
    ], start=241):
        record = random_record(rng, n)
        record.update(headline=headline, paragraphs=paragraphs, source=None)
        record["reporters"][0]["name"] = name
        archive.add_capture(run, make_capture(record), record)
    return archive


def reference(archive: Archive, query: str, rank_limit: int, **filters: Any) -> list[tuple]:
    """The plain FTS5 query's rows: (id, score), by the ordering rule of ``archive.search``."""
    limit, offset = filters.pop("limit", 20), filters.pop("offset", 0)
    match = archive.fts_query(query)
    clauses, params = ArticleFilter(**filters).where()
    candidates = [archive.conn.execute(
        "SELECT count(*) FROM search WHERE search MATCH ?",
        (" AND ".join(f'"{t}"' for t in tokens),)).fetchone()[0]
        for tokens in repeating_phrases(match)]
    matches = archive.conn.execute(
        "SELECT count(*) FROM search WHERE search MATCH ?", (match,)).fetchone()[0]
    ranked = max(candidates, default=0) <= rank_limit and matches <= rank_limit
    rows = _rows(archive, match, "search.rank" if ranked else "search.rowid DESC", clauses,
                 params, limit, offset)
    return [(row[0], -row[-1]) for row in rows]


def found(archive: Archive, query: str, **filters: Any) -> list[tuple]:
    return [(hit.id, hit.score) for hit in archive.search(query, **filters)]


def same(got: list[tuple], expected: list[tuple]) -> None:
    """Same articles in the same order, and the same bm25 scores (computed the same way,
    operation for operation; the tolerance only allows for a compiler that fuses them)."""
    assert [i for i, _ in got] == [i for i, _ in expected]
    assert [s for _, s in got] == pytest.approx([s for _, s in expected], rel=1e-12)


@pytest.mark.parametrize("rank_limit", [10**9, 40, 3, 0])
@pytest.mark.parametrize("query", QUERIES)
def test_same_hits_and_scores_as_the_plain_query(
    repeated: Archive, query: str, rank_limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("archive.search.RANK_LIMIT", rank_limit)
    got = found(repeated, query, limit=1000)
    same(got, reference(repeated, query, rank_limit, limit=1000))
    if " " not in query and '"' not in query:
        assert {i for i, _ in got} == like_ids(repeated, query)


def test_the_comparison_covers_every_path(repeated: Archive) -> None:
    # Runs as long as the queries occur, and the longest query is longer than any run.
    counts = {q: len(found(repeated, q, limit=1000)) for q in QUERIES}
    assert all(counts[q] > 0 for q in QUERIES if q not in ("的" * 30, "的的的 龘")), counts
    assert counts["的" * 30] == counts["的的的 龘"] == 0
    assert counts["闻闻闻"] == counts["聞聞聞"] > counts["闻聞闻聞"]  # either script, either way
    # One-pass pages (Chinese single phrases) and FTS5 pages (the rest) are both compared.
    assert single_phrase(repeated.fts_query("聞聞聞")) == ["闻闻", "闻闻"]
    assert single_phrase(repeated.fts_query("的闻的闻")) == ["的闻", "闻的", "的闻"]
    for query in ["aaa", "的的的 会", '"闻闻 闻"', "闻闻", "闻的"]:
        assert single_phrase(repeated.fts_query(query)) is None, query
    # Words that must all occur are checked in the candidates' text; OR, NOT, phrases with
    # optional spaces and narrow characters are listed by FTS5.
    for query in ["的的的 会", "会 的的的", "會會會會 的 闻", "的的的的的的"]:
        assert conjunction(repeated.fts_query(query)) is not None, query
    for query in ['"闻闻 闻"', "闻闻闻 OR 會會會", "的 -闻闻闻", "的的的 aa", "aaa"]:
        assert conjunction(repeated.fts_query(query)) is None, query
    # Alternatives and a row alone are listed from repeated_chars; a phrase with a space
    # becomes alternatives, one of them a row of one character.
    assert repeated.fts_query('"的的 的"') == '"的的 的的" OR "的的 的 的" *'
    for query in ['"的的 的"', '"闻闻 闻"', "闻闻闻 OR 會會會", "的的的", "的的的的的的"]:
        assert disjunction(repeated.fts_query(query)) is not None, query
    for query in ["的的的 会", "的 -闻闻闻", "(的的的 | 会会会) 闻", "的的的 aa", "aaa"]:
        assert disjunction(repeated.fts_query(query)) is None, query


# Candidates: the articles holding the longest row of one character a phrase spells (from
# repeated_chars), else (or with rows left out) the articles holding the first SHORT tokens of
# the repeating phrase (7, or 2 so that the test's phrases are long); all of them checked, a few
# (the plain query past 8), or none (always the plain query).
@pytest.mark.parametrize("rows", [True, False])
@pytest.mark.parametrize("candidates", [10**9, 8, 0])
@pytest.mark.parametrize("short", [7, 2])
@pytest.mark.parametrize("rank_limit", [10**9, 3, 0])
@pytest.mark.parametrize("query", QUERIES)
def test_pages_from_the_candidates_of_the_repeating_phrase(
    repeated: Archive, query: str, rank_limit: int, short: int, candidates: int, rows: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not rows:
        monkeypatch.setattr("archive.repeats.phrase_row", lambda tokens: None)
    monkeypatch.setattr("archive.search.RANK_LIMIT", rank_limit)
    monkeypatch.setattr("archive.repeats.SHORT", short)
    monkeypatch.setattr("archive.repeats.CANDIDATES", candidates)
    got = found(repeated, query, limit=1000)
    same(got, reference(repeated, query, rank_limit, limit=1000))
    if " " not in query and '"' not in query:
        assert {i for i, _ in got} == like_ids(repeated, query)


# Phrases as FTS5 reads them, beyond those a query of words makes: one-character tokens inside
# a phrase (a phrase across runs), a prefix phrase of several tokens, a phrase twice.
@pytest.mark.parametrize("match", [
    '"的的 的" * AND "的的 的的"', '"的的 的的" AND "的的 的" *', '"闻闻 闻闻" AND "闻 闻闻" *',
    '"的的 的的" AND "的的 的的"', '"的" * AND "会会 会会" AND "闻" *',
])
def test_conjunctions_of_fts5_phrases(
    repeated: Archive, match: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("archive.repeats.CANDIDATES", 10**9)
    phrases = conjunction(match)
    assert phrases is not None
    got = conjunction_page(repeated, phrases, [], [], 1000, 0)
    expected = repeated.conn.execute(
        "SELECT rowid, rank FROM search WHERE search MATCH ? ORDER BY rowid DESC", (match,)
    ).fetchall()
    assert got is not None and expected
    same([(row[0], row[-1]) for row in got], [tuple(row) for row in expected])


def test_conjunction_reads_only_and_of_wide_phrases() -> None:
    assert conjunction('"一一 一一" AND "丁" *') == [
        Phrase(("一一", "一一")), Phrase(("丁",), prefix=True)]
    assert conjunction('"一一 一一"') == [Phrase(("一一", "一一"))]
    # Quoted text is never an operator.
    assert conjunction('"一 AND 一" AND "一一"') is None
    for match in ['"一一 一一" OR "丁" *', '"一一 一一" NOT "丁丁"', '("一一 一一" AND "丁丁")',
                  '"一一 一一" AND "aa"', '"一一 一一" AND', '"一一 一一"  AND "丁丁"', '"一一一"']:
        assert conjunction(match) is None, match


def test_long_phrase_candidates_cover_every_path(
    repeated: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("archive.repeats.SHORT", 2)

    def page(query: str, candidates: int) -> list[tuple] | None:
        monkeypatch.setattr("archive.repeats.CANDIDATES", candidates)
        phrases = conjunction(repeated.fts_query(query))
        assert phrases is not None
        return conjunction_page(repeated, phrases, [], [], 1000, 0)

    # Candidates from the rows of one character: those that hold the whole phrase and those
    # that do not (a row of 聞 or of both forms mixed is a row of 闻 once folded); none for a
    # phrase longer than any row; too many candidates.
    six = len(articles(repeated.conn, "的", 6, 10**9))
    assert 0 < len(page("的的的的的的", 10**9) or []) <= six < len(like_ids(repeated, "的的的"))
    assert len(page("的的的的的的", six) or []) > 0
    assert page("的的的的的的", six - 1) is None
    assert page("的" * 30, 10**9) == []
    assert len(page("聞聞聞", 10**9) or []) == len(like_ids(repeated, "闻闻闻")) > 0
    # With another word: candidates without it are left out.
    three = len(articles(repeated.conn, "的", 3, 10**9))
    assert 0 < len(page("的的的 会", 10**9) or []) < three
    # Candidates from FTS5, the articles holding the first SHORT tokens: when the phrase spells
    # no row of one character, or spells one with too many candidates.
    assert 0 < len(page("的闻的闻的", 10**9) or []) < len(like_ids(repeated, "的闻"))
    short = len(like_ids(repeated, "的的的"))
    monkeypatch.setattr("archive.repeats.phrase_row", lambda tokens: None)
    assert 0 < len(page("的的的的的的", 10**9) or []) < short
    assert page("的的的的的的", short - 1) is None
    assert page("的的的", 10**9) is None  # short enough to need no candidates


@pytest.mark.parametrize("short", [7, 2])
@pytest.mark.parametrize("rank_limit", [10**9, 3])
@pytest.mark.parametrize("query", [
    "的的的", "闻聞闻", "的的的的的的", "會會會 闻", "aaa", '"的的 的"', '"闻闻 闻"', "的的的 OR 闻的"])
def test_pages_filters_and_snippets(
    repeated: Archive, query: str, rank_limit: int, short: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("archive.search.RANK_LIMIT", rank_limit)
    monkeypatch.setattr("archive.repeats.SHORT", short)
    monkeypatch.setattr("archive.repeats.CANDIDATES", 10**9)
    whole = repeated.search(query, limit=1000)
    assert whole
    pages = [hit for offset in range(0, len(whole) + 7, 7)
             for hit in repeated.search(query, limit=7, offset=offset)]
    same([(h.id, h.score) for h in pages], [(h.id, h.score) for h in whole])
    unscored = [{**asdict(h), "score": None} for h in whole]
    assert [{**asdict(h), "score": None} for h in pages] == unscored
    for hit in whole:
        assert "[" in hit.snippet or len(hit.snippet) <= 61  # marked, or a match in a name
    for filters in ({"since": "2026-01-01T00:00:00+00:00"}, {"portal": "example", "offset": 2},
                    {"source": "報", "limit": 3}, {"reporter": "的的"}):
        same(found(repeated, query, **filters), reference(repeated, query, rank_limit, **filters))


def test_common_bigrams_list_newest_first(repeated: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    # 的的 is in more articles than the limit, 的的的的的 in fewer: the phrase is listed newest
    # first as the bigram would be, not ranked as its own count would have it.
    bigram = len(found(repeated, "的的", limit=1000))
    phrase = len(found(repeated, "的的的的的", limit=1000))
    assert phrase < bigram
    monkeypatch.setattr("archive.search.RANK_LIMIT", (phrase + bigram) // 2)
    newest = [i for i, _ in found(repeated, "的的的的的", limit=1000)]
    assert newest == sorted(newest, reverse=True)
    monkeypatch.setattr("archive.search.RANK_LIMIT", bigram)
    ranked = found(repeated, "的的的的的", limit=1000)
    assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)
    assert [i for i, _ in ranked] != newest


def test_repeating_phrases_of_fts_expressions() -> None:
    assert repeating_phrases('"一一 一一 一一"') == [["一一"]]
    assert repeating_phrases('"哈哈 哈大 大哈 哈哈" AND "新闻"') == [["哈哈", "哈大", "大哈"]]
    assert repeating_phrases('"a"" a"" a""" OR "x y"') == [['a"']]
    # A prefix token is not a whole one; quoted text never counts as an operator.
    assert repeating_phrases('"一一 一 一" *') == []
    assert repeating_phrases('"一" * AND "一一" NOT "OR OR"') == [["OR"]]


def test_command_and_canned_search(repeated: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    for query in ["的的的", "聞聞聞", "的闻的闻"]:
        result = CliRunner().invoke(
            cli.main, ["search", query, "--db", str(repeated.path), "--format", "json",
                       "--limit", "50"])
        assert result.exit_code == 0, result.output
        assert [h["id"] for h in json.loads(result.output)] == [
            h.id for h in repeated.search(query, limit=50)]
        in_sql = [row[0] for row in repeated.conn.execute(canned("search"), {"q": query})]
        assert in_sql == [h.id for h in repeated.search(query, limit=100)], query


@pytest.mark.parametrize("page", ["plain SQL", "front end", "front end, candidates"])
@pytest.mark.parametrize("rank_limit", [10**9, 40, 3, 0])
@pytest.mark.parametrize("query", [
    "的的的", "聞聞聞", "的闻的闻", "的的的的的的", "会", "闻", "的的 会会会", "的的的 会", "aaa", "的的的 龘"])
def test_canned_search_orders_as_the_library(
    repeated: Archive, query: str, rank_limit: int, page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The canned SQL query follows the library's rule, its limit written out as 20,000 (and
    # counted to 20,001): by bm25, or newest first past the limit, with the same scores, but
    # none in plain SQL on a newest-first page of a row word (``unscored``). The front end lists
    # the newest-first page through the library (newscrawler_newest), the long-phrase and
    # several-word pages included (short phrases of 2 tokens, every candidate), with scores.
    monkeypatch.setattr("archive.search.RANK_LIMIT", rank_limit)
    assert canned("search").count("20001") == 2 and canned("search").count("20000") == 2
    sql = canned("search").replace("20001", str(rank_limit + 1)).replace("20000", str(rank_limit))
    plain = repeated.conn.execute(sql, {"q": query}).fetchall()
    if page != "plain SQL":
        register_functions(repeated.conn)
        sql = front_end_sql(sql)
    if page == "front end, candidates":
        monkeypatch.setattr("archive.repeats.SHORT", 2)
        monkeypatch.setattr("archive.repeats.CANDIDATES", 10**9)
    rows = repeated.conn.execute(sql, {"q": query}).fetchall()
    hits = repeated.search(query, limit=100)
    assert [row[:-1] for row in rows] == [row[:-1] for row in plain]
    unscored_page = page == "plain SQL" and unscored(repeated, query)
    assert [(row[0], row[-1]) for row in rows] == [
        (h.id, None if unscored_page else round(h.score, 3)) for h in hits]
    for row in rows:
        assert row[6] == canned_snippet(repeated, row[0], query.split(" ")[0]), query
    assert rows or query == "的的的 龘"


def test_front_end_search_lists_newest_first_through_the_library(repeated: Archive) -> None:
    # Datasette with the front end: its connections have newscrawler_newest, and its canned
    # search gives the packaged query's rows (limit lowered so that the newest-first page is
    # the one listed).
    pytest.importorskip("datasette")
    from datasette.app import Datasette

    from archive.site import TEMPLATES

    metadata = metadata_for(repeated.path, front_end=True)
    query = metadata["databases"][repeated.path.stem]["queries"]["search"]
    assert "newscrawler_newest" in query["sql"]
    query["sql"] = query["sql"].replace("20001", "4").replace("20000", "3")
    register_site()
    ds = Datasette([str(repeated.path)], metadata=metadata, template_dir=str(TEMPLATES))
    plain = canned("search").replace("20001", "4").replace("20000", "3")
    for q in ["的的的", "的的的 会", "聞聞聞聞聞"]:
        response = asyncio.run(ds.client.get(
            f"/{repeated.path.stem}/search.json", params={"q": q, "_shape": "arrays"}))
        assert response.status_code == 200, response.text
        expected = repeated.conn.execute(plain, {"q": q}).fetchall()
        rows = [tuple(row) for row in response.json()["rows"]]
        assert expected and [row[:-1] for row in rows] == [row[:-1] for row in expected], q
        # Row words newest first: the front end has the library's scores, plain SQL none.
        assert all(row[-1] is None for row in expected), q
        assert all(isinstance(row[-1], float) for row in rows), q


def unscored(archive: Archive, query: str) -> bool:
    """Whether the canned query in plain SQL lists ``query`` without scores: a newest-first page
    (``archive.search``'s rule) of a query with a word that is one Chinese character three times
    or more, once folded (its candidates come from repeated_chars)."""
    rows = [fold(word, archive.fold_table) for word in query.split(" ")]
    row_word = any(len(w) >= 3 and len(set(w)) == 1 and unicodedata.east_asian_width(w[0]) == "W"
                   for w in rows)
    return row_word and not _ranked(archive, archive.fts_query(query))


def shell(archive: Archive) -> sqlite3.Connection:
    """A connection to the archive as the sqlite3 shell has it: read-only, no functions of ours."""
    return sqlite3.connect(f"file:{archive.path}?mode=ro", uri=True)


# Row words (one character three times or more) alone, twice, beside other words, in either
# script or both (闻聞闻聞), longer than any row, beside a word no article holds; narrow characters and a
# repeated bigram that is no row are listed by FTS5.
SHELL_QUERIES = [
    "的的的", "聞聞聞", "闻聞闻聞", "的的的的的的", "的" * 30, "的的的 会", "会 的的的的", "闻的 會會會",
    "的的的 聞聞聞", "的的的 的的的的", "的的的 龘", "的的的 aa", "aaa", "的闻的闻", "的的",
]


@pytest.mark.parametrize("query", SHELL_QUERIES)
def test_shell_lists_row_words_newest_first_as_the_library(
    repeated: Archive, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The packaged query in a plain connection, every page newest first (limit 0): the
    # library's articles in its order, scores only where FTS5 lists the page.
    monkeypatch.setattr("archive.search.RANK_LIMIT", 0)
    sql = canned("search").replace("20001", "1").replace("20000", "0")
    with contextlib.closing(shell(repeated)) as conn:
        rows = conn.execute(sql, {"q": query}).fetchall()
    hits = repeated.search(query, limit=100)
    assert [row[0] for row in rows] == [h.id for h in hits]
    assert [row[0] for row in rows] == sorted((row[0] for row in rows), reverse=True)
    if unscored(repeated, query):
        assert all(row[-1] is None for row in rows)
    else:
        assert [row[-1] for row in rows] == [round(h.score, 3) for h in hits]
    if " " not in query:
        assert {row[0] for row in rows} <= like_ids(repeated, query)


def test_shell_queries_cover_every_page(repeated: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    # More matches than the page holds (100), fewer, none; with and without scores.
    monkeypatch.setattr("archive.search.RANK_LIMIT", 0)
    counts = {q: len(found(repeated, q, limit=1000)) for q in SHELL_QUERIES}
    assert counts["的的的"] > 100 and counts["的的的 会"] > 100, counts
    assert 0 < counts["的的的的的的"] < 100 and 0 < counts["的的的 聞聞聞"] < counts["聞聞聞"], counts
    assert counts["的" * 30] == counts["的的的 龘"] == 0
    assert all(unscored(repeated, q) for q in ["的的的", "闻聞闻聞", "闻的 會會會", "的的的 aa"])
    assert not any(unscored(repeated, q) for q in ["aaa", "的闻的闻", "的的"])


def test_shell_takes_row_words_from_repeated_chars(
    repeated: Archive, tmp_path: Path
) -> None:
    # The shell's page of a row word is read from repeated_chars, not from FTS5's postings: an
    # article left out of the table is left out of the page (and FTS5 still finds it).
    copy = tmp_path / "copy.sqlite"
    with contextlib.closing(sqlite3.connect(copy)) as target:
        repeated.conn.backup(target)
        newest = target.execute(
            "SELECT max(article_id) FROM repeated_chars WHERE ch = '的' AND length >= 4"
        ).fetchone()[0]
        target.execute("DELETE FROM repeated_chars WHERE article_id = ?", (newest,))
        target.commit()
        sql = canned("search").replace("20001", "1").replace("20000", "0")
        before = [row[0] for row in repeated.conn.execute(sql, {"q": "的的的的"})]
        after = [row[0] for row in target.execute(sql, {"q": "的的的的"})]
        assert before[0] == newest and after == before[1:]
        assert target.execute("SELECT count(*) FROM search WHERE search MATCH ? AND rowid = ?",
                              ('"的的 的的 的的"', newest)).fetchone()[0] == 1


def test_canned_snippet_marks_the_first_place_of_the_word(tmp_path: Path) -> None:
    # Long paragraphs holding the word once or more, anywhere from the first character to the
    # last, in either script, with GLOB's special characters in it: the snippet is cut around
    # its first place, as canned_snippet finds it.
    rng = random.Random(20261207)
    archive = Archive.open(tmp_path / "snippets.sqlite")
    run = archive.start_run("example", {})
    words = ["新闻", "a*b?", "[的]^"]
    forms = {"新闻": ["新闻", "新聞"], "a*b?": ["a*b?", "A*B?"], "[的]^": ["[的]^"]}
    texts = []
    for n in range(1, 41):
        word = words[n % len(words)]
        size = rng.choice([0, 1, 30, 400, 900])
        places = sorted(rng.sample(range(size + 1), min(size + 1, rng.randint(1, 3))))
        text = "".join(rng.choice("甲乙丙丁戊己庚辛") for _ in range(size))
        for place in reversed(places):
            text = text[:place] + rng.choice(forms[word]) + text[place:]
        texts.append(text)
        record = random_record(rng, n)
        record["paragraphs"] = [rng.choice(["", "开头 "]) + "甲乙", text]
        archive.add_capture(run, make_capture(record), record)
    try:
        for word in words:
            rows = archive.conn.execute(canned("search"), {"q": word}).fetchall()
            assert len(rows) == len([t for t in texts if fold(word, archive.fold_table) in fold(
                t, archive.fold_table)]) > 10
            for row in rows:
                assert row[6] == canned_snippet(archive, row[0], word), (word, row[0])
    finally:
        archive.close()


def canned_snippet(archive: Archive, article_id: int, word: str) -> str:
    """The canned query's snippet: the first place the word occurs in the paragraphs, in either
    script, marked, with up to 20 characters before it and 40 in all from it on."""
    texts = [r[0] for r in archive.conn.execute(
        "SELECT p.text FROM paragraphs p JOIN articles a ON p.version_id = a.current_version_id"
        " WHERE a.id = ? ORDER BY p.position", (article_id,))]
    wanted = fold(word, archive.fold_table)
    for text in texts:
        at = fold(text, archive.fold_table).find(wanted)
        if at >= 0:
            end = at + len(word)
            return (("…" if at > 20 else "") + text[max(0, at - 20):at] + f"[{text[at:end]}]"
                    + text[end:at + 40] + ("…" if len(text) >= at + 41 else ""))
    return texts[0][:60]
