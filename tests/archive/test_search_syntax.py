"""The search query language: OR, NOT, phrases and groups, on archives built through the API.

Exact result sets on hand-written Simplified and Traditional articles, recall equal to a Python
filter and to SQL LIKE on a random corpus for random queries, the FTS5 expressions themselves,
errors for malformed queries, and the ``search`` command.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import unicodedata

import pytest
from click.testing import CliRunner
from conftest import make_capture, make_record

from archive import Archive, cli
from archive.fold import fold, runs
from archive.search import QueryError

# Each article: id → (script, headline, paragraphs, reporter, source).
ARTICLES = {
    1: ("zh-Hans", "徐闻召开文明城市推进会",
        ["徐闻县召开会议，部署卫生县城创建工作。", "会议由县长主持。"], "陈荔雅", "湛江云媒"),
    2: ("zh-Hant", "雷州舉行全民體育大會",
        ["雷州市體育大會開幕，徐聞代表團參加。"], "林曉", "湛江日報"),
    3: ("zh-Hans", "纽约时报报道湛江港",
        ["The New York Times 报道了湛江港的吞吐量。"], None, None),
    4: ("zh-Hant", "湛江港吞吐量創新高",
        ["紐約以外，NewYork 一詞也出現在報道中。", "港口會議在湛江召開。"], None, "湛江日報"),
    5: ("zh-Hans", "台风过境",
        ["强台风“木兰”登陆，雷州停课。"], None, None),
    6: ("zh-Hant", "颱風後重建",
        ["雷州重建工作啟動，COVID-19 防控同步進行。", "new\u3000\u3000york 的記者也在場"], None, None),
}


def article_record(n: int) -> dict:
    script, headline, paragraphs, reporter, source = ARTICLES[n]
    url = f"https://www.example.cn/p/{n}.html"
    return make_record(
        url=url, canonical_url=url, portal="example", article_id=str(n), script=script,
        headline=headline, paragraphs=paragraphs, source=source,
        reporters=[{"role": "记者", "name": reporter}] if reporter else [], editors=[],
        images=[], rankings=[], related=[],
    )


@pytest.fixture(scope="module")
def news(tmp_path_factory):
    archive = Archive.open(tmp_path_factory.mktemp("news") / "news.sqlite")
    run = archive.start_run("example", {})
    for n in ARTICLES:
        record = article_record(n)
        assert archive.add_capture(run, make_capture(record), record) == "new"
    yield archive
    archive.close()


def ids(archive: Archive, query: str, **filters) -> set[int]:
    return {hit.id for hit in archive.search(query, limit=1000, **filters)}


@pytest.mark.parametrize("query, expected", [
    # Words: all must occur, either script finds both.
    ("徐闻", {1, 2}),
    ("徐聞 会议", {1}),
    ("徐闻 AND 會議", {1}),
    ("湛江 港", {3, 4}),
    # OR, also |, binds tighter than the space.
    ("徐闻 OR 雷州", {1, 2, 5, 6}),
    ("徐闻|雷州", {1, 2, 5, 6}),
    ("徐闻 | 雷州", {1, 2, 5, 6}),
    ("湛江 會議 OR 體育", {1, 2, 4}),
    ("湛江 (会议 OR 体育)", {1, 2, 4}),
    ("(湛江 会议) OR 台风", {1, 4, 5, 6}),
    # Exclusions, in either script, of words, phrases and groups.
    ("雷州 -体育", {5, 6}),
    ("雷州 NOT 體育", {5, 6}),
    ("雷州 AND NOT 體育", {5, 6}),
    ("(徐闻 OR 雷州) -台风", {1, 2}),
    ("徐闻 OR 雷州 -颱風", {1, 2}),
    ("湛江 -(会议 OR 纽约)", {2}),
    ("湛江 -会议 -纽约", {2}),
    ("湛江 -(港 会议)", {1, 2, 3}),
    ("湛江 (港 -会议)", {3}),
    ("--徐闻", {1, 2}),
    # One-character words are prefix queries on the bigram index, inside OR and NOT too.
    ("聞", {1, 2}),
    ("闻", {1, 2}),
    ("港 OR 颱", {3, 4, 5, 6}),
    ("雷州 -風", {2}),
    ("雷州 -风 市", {2}),
    ("雷州 -(风 OR 市)", set()),
    ("湛 -(港 OR 县)", {2}),
    # Phrases: parts in order. Whitespace between Latin words must be whitespace in the text
    # (any amount); next to a Chinese character it may also be nothing.
    ('"new york"', {3, 6}),
    ('"NEW YORK"', {3, 6}),
    ("newyork", {4}),
    ('"newyork"', {4}),
    ("new york", {3, 4, 6}),
    ('"york times"', {3}),
    ('"Times 報道"', {3}),
    ('"new york" OR 紐約', {3, 4, 6}),
    ('"new york" -紐約', {6}),  # 3 has 纽约 in its headline
    ('"s 报"', {3}),
    ('"w y"', {3, 6}),
    ('"徐闻县召开"', {1}),
    ('"徐闻 县"', {1}),
    ('"雷州  停课"', {5}),
    ('"new york 的"', {6}),
    ('"NewYork 一詞"', {4}),
    ('"NewYork一詞"', set()),  # no whitespace in the phrase: none in the text
    ('"york times 報道"', {3}),
    # Operator words and syntax characters are text when quoted or in lower case.
    ('"OR"', {3, 4, 6}),
    ("徐闻 or", set()),
    ("york or", {3, 4, 6}),
    ("COVID-19", {6}),
    ("COVID -19", set()),
    ('"COVID-19" OR 纽约', {3, 4, 6}),
    # Names and the source are searched too.
    ("林曉", {2}),
    ("陈荔雅 OR 林晓", {1, 2}),
    ("湛江日报 -港", {2}),
])
def test_exact_results(news, query, expected):
    assert ids(news, query) == expected


def test_filters_combine_with_operators(news):
    assert ids(news, "徐闻 OR 雷州", since="2022-04-19") == {1, 2, 5, 6}
    assert ids(news, "徐闻 OR 雷州", reporter="林曉") == {2}
    assert ids(news, "湛江 -港", source="湛江日報") == {2}


def test_ranking_stays_bm25_with_the_newest_first_fallback(news, monkeypatch):
    hits = news.search("徐闻 OR 雷州 OR 港")
    assert {h.id for h in hits} == {1, 2, 3, 4, 5, 6}
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    # Headline matches weigh more than body matches.
    assert {h.id for h in hits[-2:]} == {5, 6}
    monkeypatch.setattr("archive.search.RANK_LIMIT", 3)
    assert [h.id for h in news.search("徐闻 OR 雷州 OR 港")] == [6, 5, 4, 3, 2, 1]
    monkeypatch.setattr("archive.search.RANK_LIMIT", 1)
    assert [h.id for h in news.search("徐闻 OR 雷州 -台风")] == [2, 1]


def test_snippets_mark_what_was_found_and_never_what_was_excluded(news):
    by_id = {h.id: h.snippet for h in news.search("徐闻 OR 雷州 -颱風")}
    assert by_id[2] == "[雷州]市體育大會開幕，[徐聞]代表團參加。"
    by_id = {h.id: h.snippet for h in news.search("雷州 -(港 体育)")}
    assert by_id[5] == "强台风“木兰”登陆，[雷州]停课。"
    assert "[" not in by_id[2].replace("[雷州]", "")
    by_id = {h.id: h.snippet for h in news.search('"new york"')}
    assert by_id[3] == "The [New York] Times 报道了湛江港的吞吐量。"
    assert by_id[6] == "[new\u3000\u3000york] 的記者也在場"


@pytest.mark.parametrize("query, expected", [
    ("徐聞 會議", '"徐闻" AND "会议"'),
    ("徐闻 会议 OR 大会", '"徐闻" AND ("会议" OR "大会")'),
    ("会议 | 大会 -体育", '("会议" OR "大会") NOT "体育"'),
    ("a (b OR c) -(d e) NOT f",
     '("a" * AND ("b" * OR "c" *)) NOT (("d" * AND "e" *) OR "f" *)'),
    ("(a -b) OR c", '("a" * NOT "b" *) OR "c" *'),
    ("a (-b -c)", '"a" * NOT ("b" * OR "c" *)'),
    ('"new york" 時報', '"ne ew w yo or rk" AND "时报"'),
    ('"聞 a"', '"闻a" OR "闻 a" *'),
    ('x "徐闻 会议"', '"x" * AND ("徐闻 闻会 会议" OR "徐闻 闻 会议")'),
    ('"一 二 三 四 五 六 七"', None),  # 5 optional gaps at most: 2**5 phrases
    ('"a  bc  d"', '"a bc c d" *'),
    ('"OR" NOT', None),
    ("COVID-19", '"co ov vi id d- -1 19"'),
    ('x"y z"', '"x" * AND "y z" *'),
    ("＂（）｜－", '"""( () )| |-"'),  # full-width forms are text, folded to ASCII
])
def test_fts_expressions(news, query, expected):
    if expected is None:
        with pytest.raises(QueryError):
            news.fts_query(query)
        return
    match = news.fts_query(query)
    assert match == expected
    news.conn.execute("SELECT count(*) FROM search WHERE search MATCH ?", (match,)).fetchone()


@pytest.mark.parametrize("query, message", [
    ("", "nothing to search for"),
    ("  \u3000", "nothing to search for"),
    ('"徐闻', "unclosed quote at character 1"),
    ('徐闻 "会议" "大会', "unclosed quote at character 9"),
    ("(徐闻 OR 雷州", "missing ')' for the '(' at character 1"),
    ("((徐闻) 雷州", "missing ')' for the '(' at character 1"),
    ("徐闻)", "unmatched ')' at character 3"),
    ("()", "empty parentheses"),
    ('徐闻 ""', "empty phrase at character 4"),
    ('" "', "empty phrase"),
    ("-徐闻", "only excludes"),
    ("NOT 徐闻 -雷州", "only excludes"),
    ("-(徐闻 OR 雷州)", "only excludes"),
    ("徐闻 (-雷州) OR 港", "cannot be an alternative of OR"),
    ("徐闻 OR -雷州", "cannot be an alternative of OR"),
    ("徐闻 OR NOT 雷州", "cannot be an alternative of OR"),
    ("OR 徐闻", "'OR' at character 1 needs a word, phrase or group before it"),
    ("徐闻 OR", "'OR' at character 4 needs a word, phrase or group after it, not the end"),
    ("徐闻 | | 雷州", "'|' at character 4 needs a word, phrase or group after it, not '|'"),
    ("徐闻 AND", "'AND' at character 4 needs"),
    ("徐闻 NOT", "'NOT' at character 4 needs"),
    ("徐闻 - 雷州", "'-' at character 4 must be written right before"),
    ("徐闻 -)", "'-' at character 4 needs a word, phrase or group after it, not ')'"),
])
def test_malformed_queries(news, query, message):
    with pytest.raises(QueryError, match=re.escape(message)):
        news.search(query)
    with pytest.raises(ValueError, match=re.escape(message)):
        news.fts_query(query)


# -- random queries against a Python filter and SQL LIKE ------------------------------------------

# Simplified and Traditional forms, Latin (upper and lower case), digits and punctuation; small
# enough that random words and phrases are found.
HANS = list("徐闻县会议说东车门长发的是在了不和大中国人")
HANT = list("聞縣會議說東車門長發")
LATIN = list("abAB12，。")


def random_text(rng: random.Random, low: int, high: int) -> str:
    chars = [rng.choice(HANS + HANT + LATIN) for _ in range(rng.randint(low, high))]
    for _ in range(rng.randint(0, 4)):  # whitespace: run boundaries that phrases cross
        chars.insert(rng.randrange(len(chars) + 1), rng.choice([" ", "  ", "\u3000", "\n"]))
    return "".join(chars)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    rng = random.Random(20260214)
    archive = Archive.open(tmp_path_factory.mktemp("corpus") / "corpus.sqlite")
    run = archive.start_run("example", {})
    columns = {}
    for n in range(1, 251):
        url = f"https://www.example.cn/p/{n}.html"
        record = make_record(
            url=url, canonical_url=url, portal="example", article_id=str(n),
            headline=random_text(rng, 4, 12).strip() or "标题",
            paragraphs=[random_text(rng, 5, 40) for _ in range(rng.randint(1, 3))],
            reporters=[{"role": "记者", "name": "".join(rng.choice(HANS + HANT) for _ in range(3))}],
            editors=[], source=rng.choice([None, "湛江云媒", "新華社"]), rankings=[], related=[],
        )
        archive.add_capture(run, make_capture(record), record)
        # The three indexed columns as the index sees them: texts of a column joined by a line.
        names = [p["name"] for p in record["reporters"]] + [record["source"] or ""]
        columns[n] = [fold(text, archive.fold_table) for text in (
            record["headline"], "\n".join(record["paragraphs"]), "\n".join(names))]
    yield archive, columns
    archive.close()


def random_word(rng: random.Random, columns: dict) -> str:
    column = rng.choice(columns[rng.randint(1, len(columns))])
    parts = runs(column)
    if not parts or rng.random() < 0.2:  # now and then a word that may occur nowhere
        return "".join(rng.choice(HANS + HANT + LATIN) for _ in range(rng.randint(1, 3)))
    part = rng.choice(parts)
    size = rng.choice([1, 1, 2, 2, 3, 4])
    start = rng.randint(0, max(0, len(part) - size))
    word = part[start:start + size]
    # Queries come in both scripts: put some characters back into Traditional.
    back = {"闻": "聞", "县": "縣", "会": "會", "议": "議", "东": "東"}
    return "".join(back.get(c, c) if rng.random() < 0.5 else c for c in word)


def random_phrase(rng: random.Random, columns: dict) -> str:
    """A piece of a column across whitespace, the whitespace written as one space (and
    now and then a space added)."""
    column = rng.choice(columns[rng.randint(1, len(columns))][:2])
    spaces = [m.start() for m in re.finditer(r"\s+", column.strip())]
    if not spaces:
        return random_word(rng, columns)
    at = rng.choice(spaces)
    text = column.strip()
    piece = " ".join(text[max(0, at - rng.randint(1, 3)):at + rng.randint(2, 6)].split())
    if rng.random() < 0.3:  # a space the text does not have, which Chinese may ignore
        cut = rng.randint(1, max(1, len(piece) - 1))
        piece = piece[:cut] + " " + piece[cut:]
    return piece.strip() or random_word(rng, columns)


# A query tree: ("word", text), ("phrase", text), ("and", [...]), ("or", [...]), ("not", tree).
def random_tree(rng: random.Random, columns: dict, depth: int = 0):
    roll = rng.random()
    if depth >= 2 or roll < 0.35:
        if rng.random() < 0.25:
            return ("phrase", random_phrase(rng, columns))
        return ("word", random_word(rng, columns))
    if roll < 0.65:
        return ("or", [random_tree(rng, columns, depth + 1) for _ in range(rng.randint(2, 3))])
    parts = [random_tree(rng, columns, depth + 1) for _ in range(rng.randint(1, 2))]
    parts += [("not", random_tree(rng, columns, depth + 1)) for _ in range(rng.randint(0, 2))]
    rng.shuffle(parts)
    return ("and", parts)


def render(tree, rng: random.Random, inside: str = "and") -> str:
    kind = tree[0]
    if kind == "word":
        return tree[1]
    if kind == "phrase":
        return '"' + tree[1] + '"'
    if kind == "not":
        part = tree[1]
        body = render(part, rng, "not")
        if part[0] in ("and", "or") and not body.startswith("("):
            body = f"({body})"
        return rng.choice(["-", "NOT "]) + body
    if kind == "or":
        text = rng.choice([" OR ", " | ", "|"]).join(render(p, rng, "or") for p in tree[1])
        group = inside in ("or", "not") or rng.random() < 0.3
    else:
        text = rng.choice([" ", " ", " AND "]).join(render(p, rng, "and") for p in tree[1])
        group = inside in ("or", "not") or (inside == "and" and rng.random() < 0.3)
    return f"({text})" if group else text


def pattern(text: str, table) -> str:
    """Where a word or phrase occurs: its runs in order; whitespace between them in the text,
    which may be left out next to a wide (Chinese) character."""
    parts = runs(fold(text, table))
    out = re.escape(parts[0])
    for before, run in itertools.pairwise(parts):
        wide = any(unicodedata.east_asian_width(ch) in "WF" for ch in (before[-1], run[0]))
        out += r"[\s\x00-\x1f\x7f-\x9f]" + ("*" if wide else "+") + re.escape(run)
    return out


def evaluate(tree, columns: list[str], table) -> bool:
    kind = tree[0]
    if kind in ("word", "phrase"):
        return any(re.search(pattern(tree[1], table), column) for column in columns)
    if kind == "not":
        return not evaluate(tree[1], columns, table)
    results = (evaluate(part, columns, table) for part in tree[1])
    return all(results) if kind == "and" else any(results)


def valid(tree) -> bool:
    """Whether FTS5 can answer the tree: no OR alternative and no group that only excludes."""
    kind = tree[0]
    if kind == "not":
        return valid(tree[1])
    if kind == "or":
        return all(part[0] != "not" and valid(part) for part in tree[1])
    if kind == "and":
        return any(part[0] != "not" for part in tree[1]) and all(valid(p) for p in tree[1])
    return True


def test_recall_of_random_queries_equals_a_python_filter(corpus):
    archive, columns = corpus
    rng = random.Random(11)
    checked = found = 0
    while checked < 400:
        tree = random_tree(rng, columns)
        if not valid(tree):
            continue
        query = render(tree, rng, "top")
        expected = {n for n, cols in columns.items() if evaluate(tree, cols, archive.fold_table)}
        assert ids(archive, query) == expected, (query, archive.fts_query(query))
        checked += 1
        found += bool(expected)
    assert found > 150  # most queries find something


def to_sql(tree, table) -> tuple[str, list[str]]:
    """A WHERE clause over ``articles a``: LIKE on the folded headline, paragraphs and names."""
    kind = tree[0]
    if kind == "word":
        pattern = "%" + fold(tree[1], table) + "%"
        return (
            "(fold_text(a.headline) LIKE ? OR fold_text(a.source) LIKE ?"
            " OR EXISTS (SELECT 1 FROM paragraphs p WHERE p.version_id = a.current_version_id"
            " AND fold_text(p.text) LIKE ?)"
            " OR EXISTS (SELECT 1 FROM people p WHERE p.version_id = a.current_version_id"
            " AND fold_text(p.name) LIKE ?))", [pattern] * 4)
    if kind == "not":
        sql, params = to_sql(tree[1], table)
        return f"NOT {sql}", params
    parts = [to_sql(part, table) for part in tree[1]]
    joiner = " AND " if kind == "and" else " OR "
    return "(" + joiner.join(sql for sql, _ in parts) + ")", [p for _, ps in parts for p in ps]


def words_only(tree) -> bool:
    if tree[0] == "phrase":
        return False
    if tree[0] == "not":
        return words_only(tree[1])
    return tree[0] == "word" or all(words_only(part) for part in tree[1])


def test_recall_of_random_word_queries_equals_sql_like(corpus):
    archive, columns = corpus
    table = archive.fold_table
    archive.conn.create_function("fold_text", 1, lambda s: fold(s or "", table))
    rng = random.Random(12)
    checked = 0
    while checked < 100:
        tree = random_tree(rng, columns)
        # LIKE has its own wildcards; the random words have none of % _ or \\.
        if not valid(tree) or not words_only(tree):
            continue
        query = render(tree, rng, "top")
        where, params = to_sql(tree, table)
        like = {row[0] for row in archive.conn.execute(
            f"SELECT a.id FROM articles a WHERE {where}", params)}
        assert ids(archive, query) == like, query
        checked += 1


# -- the search command ----------------------------------------------------------------------


def invoke(*args: str):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


@pytest.fixture
def news_path(news):
    return news.path


@pytest.mark.parametrize("query, expected", [
    ("徐闻 OR 雷州 -台风", [1, 2]),
    ('"new york" -紐約', [6]),
    ("-体育 雷州", [5, 6]),  # an exclusion first is the query, not an option
    ("聞 OR 颱", [1, 2, 5, 6]),
    # Invisible characters a copied query brings along are not in the index: they are dropped.
    ("\ufeff徐闻", [1, 2]),
    ("徐\u200b闻 OR\u200d 雷州\u2060", [1, 2, 5, 6]),
    ("(" * 100 + "徐闻" + ")" * 100, [1, 2]),
])
def test_command_takes_the_query_language(news_path, query, expected):
    result = invoke("search", query, "--db", news_path, "--format", "json")
    assert result.exit_code == 0, result.output
    assert sorted(hit["id"] for hit in json.loads(result.output)) == expected


@pytest.mark.parametrize("query, message", [
    ('徐闻 "会议', "unclosed quote at character 4"),
    ("(徐闻", "missing ')'"),
    ("徐闻)", "unmatched ')'"),
    ("-徐闻 NOT 雷州", "only excludes"),
    ("  ", "nothing to search for"),
    ("\u200b\ufeff", "nothing to search for"),
    # Nesting that used to end in a RecursionError.
    ("(" * 250 + "徐闻" + ")" * 250, "'(' at character 101 is nested more than 100 deep"),
    ("徐闻 " + "-" * 2000 + "雷州", "'-' at character 104 is nested more than 100 deep"),
    ("NOT " * 300 + "徐闻", "'NOT' at character 401 is nested more than 100 deep"),
])
def test_command_reports_malformed_queries_as_usage_errors(news_path, tmp_path, query, message):
    for db in (news_path, tmp_path / "missing.sqlite"):  # the query is checked first
        result = invoke("search", query, "--db", db)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert "\nError: " in result.output and message in result.output
        assert result.output.startswith("Usage: ")
    assert not (tmp_path / "missing.sqlite").exists()


def test_canned_sql_search_takes_words_only(news):
    """The Datasette query agrees on plain words and, as documented, reads operators as text."""
    from archive.serve import METADATA_FILE

    metadata = json.loads(METADATA_FILE.read_text("utf-8"))
    sql = metadata["databases"]["newscrawler"]["queries"]["search"]["sql"]

    def canned(query: str) -> set[int]:
        return {row[0] for row in news.conn.execute(sql, {"q": query})}

    assert canned("徐聞 会议") == ids(news, "徐聞 会议") == {1}
    assert canned("湛江 港") == ids(news, "湛江 港") == {3, 4}
    assert canned("york OR") == ids(news, 'york "OR"') == {3, 4, 6}  # "or" as a word
    assert canned("徐闻 OR 雷州") == set()


@pytest.mark.parametrize("query, message", [
    # The query used to be quoted back ('-徐闻' only excludes), as if the quotes were to be typed.
    ("-徐闻", "Error: the query only excludes: add a word or phrase that must occur, as in 会议 -徐闻"
              " (articles are found by the words they contain, not by those they lack)"),
    ("NOT 徐闻", "Error: the query only excludes: add a word or phrase that must occur, as in 会议 -徐闻"),
    ('-徐闻 -"雷州 台风"', 'Error: the query only excludes: add a word or phrase that must occur, as in'
                         ' 会议 -徐闻 -"雷州 台风"'),
    ("徐闻 OR (-雷州 -港)", "Error: the group (-雷州 -港) only excludes: add a word or phrase that must"
                        " occur, as in (会议 -雷州 -港)"),
    ("徐闻 OR -雷州", "Error: an exclusion cannot be an alternative of OR (in 徐闻 OR -雷州): write it"
                   " beside the OR group, as in (徐闻 OR 雷州) -体育"),
])
def test_a_query_of_exclusions_alone_is_explained_with_one_that_works(news_path, query, message):
    result = invoke("search", query, "--db", news_path)
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and errors[0].startswith(message), result.output
    assert "'" not in errors[0]
