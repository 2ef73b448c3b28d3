"""The search query parser on any text, checked with Hypothesis: ``check`` and a real archive's
search agree, and give either hits or ``QueryError`` with a one-line message; never an SQLite
error from a MATCH expression we wrote, never a RecursionError."""

from __future__ import annotations

import os

import pytest
from conftest import make_capture, make_record
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import Archive
from archive.syntax import QueryError, check

WORDS = list('徐闻聞会议雷州 ()"|-*:^+.') + ["OR", "AND", "NOT", " OR ", " NOT ", "NEAR", "\u200b", "\ufeff",
                                            "\x00", "\u3000", "（", "）", "“", "\U0002A6A5"]
QUERIES = st.one_of(st.text(max_size=40), st.lists(st.sampled_from(WORDS), max_size=30).map("".join))


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory):
    archive = Archive.open(tmp_path_factory.mktemp("props") / "news.sqlite")
    run = archive.start_run("example", {})
    for n, (headline, paragraph) in enumerate([("徐闻召开会议", "徐聞縣召開會議，雷州參加。"),
                                               ("雷州舉行大會", "OR AND NOT 是英文词 \"quoted\"")], 1):
        record = make_record(url=f"https://example.cn/{n}.html", canonical_url=f"https://example.cn/{n}.html",
                             article_id=str(n), headline=headline, paragraphs=[paragraph])
        archive.add_capture(run, make_capture(record), record)
    yield archive
    archive.close()


def test_the_archive_has_something_to_find(news: Archive) -> None:
    assert {hit.id for hit in news.search("徐闻 OR 雷州")} == {1, 2}


# Fixed examples in CI, as in tests/test_properties.py.
@settings(max_examples=300, deadline=None, derandomize=bool(os.environ.get("CI")))
@given(query=QUERIES)
def test_any_query_gives_hits_or_a_query_error(news: Archive, query: str) -> None:
    try:
        check(query)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)
        with pytest.raises(QueryError):
            news.search(query)
        return
    hits = news.search(query, limit=50)
    assert {hit.id for hit in hits} <= {1, 2}
