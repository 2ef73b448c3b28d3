"""The table of repeated characters (``repeated_chars``) holds what the search index holds.

Its rows are compared with the rows computed afresh from every current version's texts after
each way the index is written: crawl writes (new articles, corrections, a correction reverted,
several in one transaction), re-extraction with and without the search texts made ahead, a
merge of two archives, and the migration that fills it for an archive written before it.
``longest`` is compared with the rows of the folded text found directly.
"""

from __future__ import annotations

import random
import re
import sqlite3
from pathlib import Path

import pytest
from conftest import make_capture
from hypothesis import given
from hypothesis import strategies as st
from test_search import random_record

from archive import Archive
from archive.fold import fold, index_texts, runs
from archive.merge import merge
from archive.repeated import MIN_LENGTH, longest, phrase_row
from archive.schema import LATEST, MIGRATIONS
from archive.writer import Writer

PIECES = ["的", "闻", "聞", "會", "会", "a", "A", "0", "\U00030000"]


def rows_of(archive: Archive) -> set[tuple[str, int, int]]:
    return set(archive.conn.execute("SELECT ch, length, article_id FROM repeated_chars"))


def expected(archive: Archive) -> set[tuple[str, int, int]]:
    """The rows of every current version, from its folded texts."""
    writer = Writer(archive.conn, archive.fold_table)
    found = set()
    for article_id, version_id in archive.conn.execute(
            "SELECT id, current_version_id FROM articles").fetchall():
        best: dict[str, int] = {}
        for texts in writer.search_texts(version_id):
            for text in texts:
                for run in runs(fold(text, archive.fold_table)):
                    for row in re.finditer(r"(.)\1*", run):
                        ch, length = row.group(1), len(row.group())
                        if length >= MIN_LENGTH and length > best.get(ch, 0):
                            best[ch] = length
        found |= {(ch, length, article_id) for ch, length in best.items()}
    return found


def with_rows(rng: random.Random, n: int) -> dict:
    record = random_record(rng, n)

    def rows(text: str) -> str:
        for _ in range(rng.randint(0, 3)):
            cut = rng.randint(0, len(text))
            text = text[:cut] + rng.choice(PIECES) * rng.randint(1, 7) + text[cut:]
        return text

    record["headline"] = rows(record["headline"])
    record["paragraphs"] = [rows(text) for text in record["paragraphs"]]
    record["source"] = rng.choice([None, "新聞聞聞社", "的的的报"])
    return record


@given(st.lists(st.text(alphabet=[*PIECES, " ", "\n", "丁", "聞", "\x00"], max_size=30), max_size=4))
def test_longest_is_the_longest_row_of_the_folded_text(texts: list[str]) -> None:
    table = {ord("聞"): "闻"}
    direct: dict[str, int] = {}
    for text in texts:
        for run in runs(fold(text, table)):
            for row in re.finditer(r"(.)\1*", run):
                if len(row.group()) >= MIN_LENGTH:
                    direct[row.group(1)] = max(direct.get(row.group(1), 0), len(row.group()))
    assert longest([index_texts(texts, table)]) == direct


def test_phrase_row() -> None:
    assert phrase_row(["一一", "一一", "一一"]) == ("一", 4)
    assert phrase_row(["一一", "一一"]) == ("一", 3)
    assert phrase_row(["一一"]) is None
    assert phrase_row(["一一", "一", "一一"]) is None  # across runs: no row of three
    assert phrase_row(["丁一", "一一", "一一", "一丁", "丁丁", "丁丁"]) == ("一", 3)  # 丁一一一丁丁丁
    assert phrase_row(["丁丁", "丁丁", "丁一", "一一", "一一", "一一"]) == ("一", 4)  # 丁丁丁一一一一
    assert phrase_row(["的闻", "闻的", "的闻"]) is None


@pytest.fixture
def crawled(tmp_path: Path) -> Archive:
    rng = random.Random(11)
    archive = Archive.open(tmp_path / "crawled.sqlite")
    run = archive.start_run("example", {})
    pages = []
    for n in range(1, 61):
        record = with_rows(rng, n)
        pages.append((make_capture(record), record, None))
    archive.add_captures(run, pages[:30])
    for capture, record, _ in pages[30:]:
        archive.add_capture(run, capture, record)
    return archive


def test_crawl_writes_corrections_and_reverts(crawled: Archive) -> None:
    assert rows_of(crawled) == expected(crawled)
    assert any(ch == "闻" and length >= 4 for ch, length, _ in rows_of(crawled))
    rng = random.Random(12)
    run = crawled.start_run("example", {})
    # Corrections, a correction reverted, and both in one transaction.
    for day, n in enumerate([3, 4, 5, 40, 41], start=2):
        record = with_rows(rng, n)
        record["fetched_at"] = f"2026-01-{day:02d}T00:00:00+00:00"
        crawled.add_capture(run, make_capture(record), record)
    batch = []
    for day, n in enumerate([6, 6, 7, 7], start=10):
        record = with_rows(rng, n) if day % 2 == 0 else with_rows(random.Random(n), n)
        record["fetched_at"] = f"2026-01-{day:02d}T00:00:00+00:00"
        batch.append((make_capture(record), record, None))
    crawled.add_captures(run, batch)
    assert rows_of(crawled) == expected(crawled)


@pytest.mark.parametrize("hint", [True, False])
def test_reparse(crawled: Archive, hint: bool) -> None:
    rng = random.Random(13)
    items = []
    for capture_id, article_id in crawled.conn.execute(
            "SELECT id, article_id FROM captures WHERE article_id <= 20 ORDER BY id").fetchall():
        record = with_rows(rng, article_id)
        record["extractor"] = "newer"
        items.append((capture_id, record, crawled.reparse_hint(capture_id, record) if hint else None))
    crawled.add_versions_from_reparse(items)
    assert rows_of(crawled) == expected(crawled)


def test_merge(tmp_path: Path) -> None:
    rng = random.Random(14)
    nodes = []
    for node in (1, 2):
        with Archive.open(tmp_path / f"node{node}.sqlite") as archive:
            run = archive.start_run("example", {"node": node})
            for n in range(node, 41, 2 if node == 1 else 3):
                record = with_rows(rng, n)
                record["fetched_at"] = f"2026-01-0{node}T00:00:00+00:00"
                archive.add_capture(run, make_capture(record), record)
        nodes.append(tmp_path / f"node{node}.sqlite")
    merge(tmp_path / "merged.sqlite", nodes, warc=False)
    with Archive.open(tmp_path / "merged.sqlite", create=False) as merged:
        assert rows_of(merged) == expected(merged) != set()


def test_an_older_archive_gets_the_table_when_opened(crawled: Archive) -> None:
    wanted = rows_of(crawled)
    path = crawled.path
    crawled.close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE repeated_chars")
    added = next(version for version, about, _ in MIGRATIONS if "repeated_chars" in about)
    conn.execute(f"PRAGMA user_version = {added - 1}")
    conn.commit()
    conn.close()
    with Archive.open(path, create=False) as archive:
        assert archive.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert rows_of(archive) == wanted == expected(archive)
