"""The one-character prefix index (schema 5) finds the same hits as the bigram-only index before it.

A copy of an archive is taken back to schema 4 (its search table as version 1 created it, filled
the same way). Searching it (through an ``Archive`` on a plain connection, so nothing migrates)
and searching today's index must give the same hits, scores and snippets, in both orders (bm25,
and newest first past ``RANK_LIMIT`` matches); so must the copy once opening it has migrated it.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from conftest import make_capture
from test_search import ALPHABET, random_record

from archive import Archive
from archive.fold import TOKENIZE
from archive.schema import LATEST, MIGRATIONS
from archive.writer import Writer

QUERIES = [
    *ALPHABET,  # every one-character word: common and rare, Traditional and Simplified
    "的的", "的的的的", "会会会", "東东", "的 的", '"的 会"', '"东 的"', "的 OR 聞", "的 -会", "a", "B",
]


def _as_schema_4(path: Path) -> None:
    """Rebuild ``path``'s search index as schema 4 had it (no prefix index)."""
    tokenize = TOKENIZE.replace('"', '""')
    with Archive.open(path, create=False) as archive:
        conn = archive.conn
        conn.execute("DROP TABLE search")
        conn.execute("CREATE VIRTUAL TABLE search USING fts5(headline, body, names, content = '',"
                     f' tokenize = "{tokenize}")')
        conn.execute("INSERT INTO search(search, rank) VALUES ('rank', 'bm25(10.0, 1.0, 3.0)')")
        writer = Writer(conn, archive.fold_table)
        for article_id, version_id in conn.execute(
                "SELECT id, current_version_id FROM articles").fetchall():
            conn.execute("INSERT INTO search (rowid, headline, body, names) VALUES (?, ?, ?, ?)",
                         (article_id, *writer.search_values(version_id)))
        conn.execute("UPDATE archive_meta SET value = 'bigram-1' WHERE key = 'index_scheme'")


def _hits(archive: Archive) -> dict[str, list[dict[str, Any]]]:
    return {q: [asdict(hit) for hit in archive.search(q, limit=30)] for q in QUERIES}


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    rng = random.Random(5)
    new = tmp_path_factory.mktemp("prefix") / "new.sqlite"
    with Archive.open(new) as archive:
        run = archive.start_run("example", {})
        for n in range(1, 201):
            record = random_record(rng, n)
            archive.add_capture(run, make_capture(record), record)
    old = new.with_name("old.sqlite")
    shutil.copy(new, old)
    _as_schema_4(old)
    return old, new


@pytest.mark.parametrize("rank_limit", [10, 10**9])
def test_same_hits_as_the_index_without_prefixes(
    archives: tuple[Path, Path], tmp_path: Path, rank_limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("archive.search.RANK_LIMIT", rank_limit)
    old, new = archives
    with Archive.open(new, create=False) as archive:
        assert "prefix = '1'" in archive.conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'search'").fetchone()[0]
        expected = _hits(archive)
    assert sum(bool(hits) for hits in expected.values()) > len(QUERIES) // 2
    assert any(len(hits) == 30 for hits in expected.values())

    copy = tmp_path / "schema5.sqlite"
    shutil.copy(old, copy)
    conn = sqlite3.connect(copy, isolation_level=None)
    assert _hits(Archive(conn, copy)) == expected  # the old index, searched as it is
    # The migration that brings the prefix index rebuilds it from the stored versions.
    rebuild = next(apply for _, about, apply in MIGRATIONS if "one-character prefixes" in about)
    with conn:
        conn.execute("BEGIN")
        rebuild(conn)
    conn.close()

    with Archive.open(copy, create=False) as archive:
        assert archive.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert dict(archive.conn.execute("SELECT key, value FROM archive_meta"))[
            "index_scheme"] == "bigram-1 prefix-1"
        assert _hits(archive) == expected
