"""Chinese full-text search: recall equal to a substring scan, script folding, ranking, snippets."""

from __future__ import annotations

import json
import random

import pytest
from conftest import make_capture, make_record

from archive import Archive
from archive.fold import fold, index_text, snippet
from archive.search import QueryError
from archive.serve import METADATA_FILE
from archive.syntax import fts_query

# Simplified characters, Traditional forms of some of them, punctuation, Latin, digits, and
# characters from CJK extensions B and G; small enough that random queries find something.
ALPHABET = list("徐闻县会议说东车门长发的是在了不和有大这主中人上为们地个用工时要动国产以我到")
ALPHABET += list("聞縣會議說東車門長發")
ALPHABET += list("，。、“”《》") + list("aBc12") + ["\U0002A6A5", "\U00030000"]


def random_text(rng: random.Random, low: int, high: int) -> str:
    chars = [rng.choice(ALPHABET) for _ in range(rng.randint(low, high))]
    for _ in range(rng.randint(0, 2)):  # a few spaces: run boundaries inside a paragraph
        chars.insert(rng.randrange(len(chars)), " ")
    return "".join(chars)


def random_record(rng: random.Random, n: int) -> dict:
    return make_record(
        url=f"https://www.example.cn/p/{n}.html",
        canonical_url=f"https://www.example.cn/p/{n}.html",
        portal="example",
        article_id=str(n),
        headline=random_text(rng, 5, 15).strip() or "標題",
        paragraphs=[random_text(rng, 10, 80) for _ in range(rng.randint(1, 4))],
        reporters=[{"role": "记者", "name": random_text(rng, 2, 3).replace(" ", "") or "张三"}],
        source=rng.choice([None, "湛江云媒", "新華社"]),
        rankings=[], related=[],
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    rng = random.Random(20260101)
    path = tmp_path_factory.mktemp("corpus") / "corpus.sqlite"
    archive = Archive.open(path)
    run = archive.start_run("example", {})
    records = {}
    for n in range(1, 301):
        record = random_record(rng, n)
        archive.add_capture(run, make_capture(record), record)
        records[n] = record
    yield archive, records
    archive.close()


def expected_ids(archive: Archive, records: dict, query: str) -> set[int]:
    """What a LIKE scan over the folded fields finds, every term required."""
    table = archive.fold_table
    found = set()
    for n, record in records.items():
        fields = [record["headline"], *record["paragraphs"],
                  *(p["name"] for p in record["reporters"] + record["editors"]),
                  record["source"] or ""]
        folded = [fold(f, table) for f in fields]
        if all(any(fold(term, table) in f for f in folded) for term in query.split()):
            found.add(n)
    return found


def test_recall_equals_a_substring_scan(corpus):
    archive, records = corpus
    rng = random.Random(7)
    queries = []
    for _ in range(150):  # substrings of real texts, 2-8 characters
        text = rng.choice(records[rng.randint(1, 300)]["paragraphs"])
        size = rng.randint(2, 8)
        start = rng.randint(0, max(0, len(text) - size))
        queries.append(text[start:start + size])
    queries += ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(2, 8)))
                for _ in range(150)]
    checked = 0
    for query in queries:
        if not query.split():
            continue
        got = {hit.id for hit in archive.search(query, limit=1000)}
        assert got == expected_ids(archive, records, query), query
        checked += 1
    assert checked > 250


def test_recall_equals_sql_like_on_folded_text(corpus):
    """The same check against SQLite's own LIKE, for queries without wildcards."""
    archive, _records = corpus
    archive.conn.create_function("fold_text", 1, lambda s: fold(s or "", archive.fold_table))
    for query in ["徐闻", "聞縣", "会议", "东車", "的是", "a1", "，。", "\U0002A6A5"]:
        like = {row[0] for row in archive.conn.execute(
            "SELECT DISTINCT a.id FROM articles a JOIN paragraphs p"
            " ON p.version_id = a.current_version_id WHERE fold_text(p.text) LIKE ?"
            " UNION SELECT id FROM articles WHERE fold_text(headline) LIKE ?"
            " UNION SELECT id FROM articles WHERE fold_text(source) LIKE ?"
            " UNION SELECT a.id FROM articles a JOIN people p"
            " ON p.version_id = a.current_version_id WHERE fold_text(p.name) LIKE ?",
            [f"%{fold(query, archive.fold_table)}%"] * 4)}
        got = {hit.id for hit in archive.search(query, limit=1000)}
        assert got == like, query
        assert got, query


def test_simplified_query_finds_traditional_article_and_back(seeded, run_id):
    simplified = make_record(canonical_url="https://www.gdzjdaily.com.cn/p/2.html",
                             url="https://www.gdzjdaily.com.cn/p/2.html",
                             headline="徐闻召开会议", paragraphs=["徐闻县召开会议。"],
                             script="zh-Hans", rankings=[], related=[], reporters=[],
                             source=None)
    seeded.add_capture(run_id, make_capture(simplified), simplified)
    assert {h.id for h in seeded.search("徐闻")} == {1, 2}
    assert {h.id for h in seeded.search("徐聞")} == {1, 2}
    assert {h.id for h in seeded.search("衛生縣城")} == {1}
    assert {h.id for h in seeded.search("卫生县城")} == {1}
    # Names and the source are indexed too.
    assert {h.id for h in seeded.search("陈荔雅")} == {1}
    assert {h.id for h in seeded.search("湛江云媒")} == {1}


def test_headline_hits_rank_first_with_snippets_from_the_original(seeded, run_id):
    body_only = make_record(canonical_url="https://www.gdzjdaily.com.cn/p/3.html",
                            url="https://www.gdzjdaily.com.cn/p/3.html", headline="其他新聞",
                            paragraphs=["這裡也提到文明城市一次。"], rankings=[], related=[])
    seeded.add_capture(run_id, make_capture(body_only), body_only)
    for n in range(4, 8):  # unrelated articles, so that the terms are rare enough to weigh
        other = make_record(canonical_url=f"https://www.gdzjdaily.com.cn/p/{n}.html",
                            headline=f"天氣預報{n}", paragraphs=["明天多雲。"])
        seeded.add_capture(run_id, make_capture(other), other)
    hits = seeded.search("文明城市")
    assert [h.id for h in hits] == [1, 2]
    assert hits[0].score > hits[1].score
    assert hits[1].snippet == "這裡也提到[文明城市]一次。"
    assert hits[0].headline == "徐聞奮力推進文明城市衛生縣城創建"
    assert hits[0].reporters == ["記者 陳荔雅", "特約通訊員 譚總"]


def test_filters(seeded):
    assert [h.id for h in seeded.search("徐闻", portal="zjdaily")] == [1]
    assert seeded.search("徐闻", portal="other") == []
    assert [h.id for h in seeded.search("徐闻", since="2022-04-19", until="2022-04-19")] == [1]
    assert seeded.search("徐闻", since="2022-04-20") == []
    assert seeded.search("徐闻", until="2022-04-19T09:00:00+00:00") == []
    assert [h.id for h in seeded.search("徐闻", reporter="陳荔雅")] == [1]
    assert seeded.search("徐闻", reporter="吳文靜") == []
    assert [h.id for h in seeded.search("徐闻", editor="吳文靜")] == [1]
    assert [h.id for h in seeded.search("徐闻", source="湛江")] == [1]
    with pytest.raises(ValueError, match="bad time"):
        seeded.search("徐闻", since="yesterday")


def test_one_character_and_malformed_queries(seeded):
    assert [h.id for h in seeded.search("聞")] == [1]
    assert [h.id for h in seeded.search('徐闻 "AND" "OR" "NOT"')] == []  # quoted operators are text
    for malformed in ["   ", '"', "徐闻 AND OR NOT", "(徐闻", "-徐闻"]:
        with pytest.raises(QueryError):
            seeded.search(malformed)


def test_index_text_and_query_shape():
    table = {ord("聞"): "闻", ord("＂"): '"'}
    assert index_text("徐聞奮 ab", table) == "徐闻 闻奮 奮 ab b"
    assert fts_query("徐聞 a ＂", table) == '"徐闻" AND "a" * AND """" *'
    assert snippet("甲乙丙丁", ["乙丙"], table) == "甲[乙丙]丁"


def canned(name: str) -> str:
    return json.loads(METADATA_FILE.read_text("utf-8"))["databases"]["newscrawler"]["queries"][name]["sql"]


def test_canned_sql_search_agrees_with_the_library(corpus):
    archive, records = corpus
    sql = canned("search")
    rng = random.Random(3)
    for _ in range(60):
        text = rng.choice(records[rng.randint(1, 300)]["paragraphs"]).replace(" ", "")
        size = rng.randint(1, 6)
        start = rng.randint(0, max(0, len(text) - size))
        query = text[start:start + size]
        if not query:
            continue
        in_sql = [row[0] for row in archive.conn.execute(sql, {"q": query})]
        assert in_sql == [h.id for h in archive.search(query, limit=100)], query


def test_very_common_words_list_newest_first(corpus, monkeypatch):
    archive, _records = corpus
    monkeypatch.setattr("archive.search.RANK_LIMIT", 10)
    hits = archive.search("的", limit=5)
    assert len(hits) == 5
    assert [h.id for h in hits] == sorted((h.id for h in hits), reverse=True)
    monkeypatch.setattr("archive.search.RANK_LIMIT", 10**9)
    ranked = archive.search("的", limit=5)
    assert [h.score for h in ranked] == sorted((h.score for h in ranked), reverse=True)


@pytest.fixture(scope="module")
def repeats(tmp_path_factory):
    """Articles with runs of one repeated character (的的的…, 聞聞…, aaa), 1 to 9 long."""
    rng = random.Random(20261205)
    path = tmp_path_factory.mktemp("repeats") / "repeats.sqlite"
    archive = Archive.open(path)
    run = archive.start_run("example", {})
    for n in range(1, 201):
        record = random_record(rng, n)
        record["paragraphs"] = [
            text[:cut] + rng.choice("的闻聞a") * rng.randint(1, 9) + text[cut:]
            for text in record["paragraphs"] for cut in [rng.randint(0, len(text))]
        ]
        archive.add_capture(run, make_capture(record), record)
    yield archive
    archive.close()


def like_ids(archive: Archive, query: str) -> set[int]:
    archive.conn.create_function("fold_text", 1, lambda s: fold(s or "", archive.fold_table))
    return {row[0] for row in archive.conn.execute(
        "SELECT DISTINCT a.id FROM articles a JOIN paragraphs p"
        " ON p.version_id = a.current_version_id WHERE fold_text(p.text) LIKE ?"
        " UNION SELECT id FROM articles WHERE fold_text(headline) LIKE ?"
        " UNION SELECT id FROM articles WHERE fold_text(source) LIKE ?"
        " UNION SELECT a.id FROM articles a JOIN people p"
        " ON p.version_id = a.current_version_id WHERE fold_text(p.name) LIKE ?",
        [f"%{fold(query, archive.fold_table)}%"] * 4)}


@pytest.mark.parametrize("char", ["的", "闻", "聞", "a"])
def test_repeated_characters_find_what_like_finds(repeats, char):
    found = []
    for size in range(1, 10):
        query = char * size
        got = {hit.id for hit in repeats.search(query, limit=1000)}
        assert got == like_ids(repeats, query), query
        found.append(len(got))
    # Longer runs are rarer, and the longest still occur: the comparison is not vacuous.
    assert found == sorted(found, reverse=True) and found[0] > found[-1] > 0


def test_rank_limit_is_exact(repeats, monkeypatch):
    # Ranked by bm25 up to RANK_LIMIT matches, newest first from one more: the count may stop
    # early, but never on the wrong side of the limit. (A phrase that repeats a bigram, 的的的,
    # follows its bigrams' count instead: tests/archive/test_search_repeats.py.)
    matches = len(like_ids(repeats, "闻的"))
    assert matches > 5
    monkeypatch.setattr("archive.search.RANK_LIMIT", matches)
    ranked = repeats.search("闻的", limit=matches)
    assert [h.score for h in ranked] == sorted((h.score for h in ranked), reverse=True)
    assert [h.id for h in ranked] != sorted((h.id for h in ranked), reverse=True)
    monkeypatch.setattr("archive.search.RANK_LIMIT", matches - 1)
    newest = repeats.search("闻的", limit=matches)
    assert [h.id for h in newest] == sorted((h.id for h in ranked), reverse=True)
