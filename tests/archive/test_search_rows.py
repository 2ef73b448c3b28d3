"""Search index rows filed from a record's own texts are those its stored version gives.

A version just filed from a record is indexed from the record (``record_search_values``), not
from its rows read back (``search_values``). An archive filled with new articles, new versions,
reverts to an earlier version and captures older than the latest is compared with the same
archive whose search index (and ``repeated_chars``) was rebuilt from every article's stored
current version: every term instance, every document size, the repeated characters and the
hits of a set of searches must be the same.
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

from archive import Archive, repeated
from archive.writer import Writer

QUERIES = [*ALPHABET[:40], "的的", "東东", '"的 会"', "的 OR 聞", "的 -会", "湛江云媒", "新華社"]


def _later(record: dict[str, Any], minutes: int) -> dict[str, Any]:
    return {**record, "fetched_at": f"2026-01-01T{minutes // 60:02d}:{minutes % 60:02d}:00+00:00"}


def _fill(path: Path) -> None:
    """New articles, then new versions of some, reverts, and captures older than the latest."""
    rng = random.Random(15)
    with Archive.open(path) as archive:
        run = archive.start_run("example", {})
        records = {n: random_record(rng, n) for n in range(1, 81)}
        for record in records.values():
            record = _later(record, 10)
            assert archive.add_capture(run, make_capture(record), record) == "new"
        for n in range(1, 41):
            base = records[n]
            changed = _later(random_record(rng, n), 20)
            changed["source"] = None if n % 3 == 0 else changed["source"]
            changed["editors"] = [] if n % 2 else base["editors"]
            assert archive.add_capture(run, make_capture(changed), changed) == "changed"
            if n % 4 == 0:  # content back to the first version: made current again, not filed
                back = _later(base, 30)
                assert archive.add_capture(run, make_capture(back), back) == "changed"
            if n % 5 == 0:  # a third version captured before the latest: filed, not current
                older = _later(random_record(rng, n), 15)
                assert archive.add_capture(run, make_capture(older), older) == "changed"


def _rebuild(path: Path) -> None:
    """The search index and ``repeated_chars`` rebuilt from each article's current version."""
    with Archive.open(path, create=False) as archive:
        conn = archive.conn
        writer = Writer(conn, archive.fold_table)
        with conn:
            conn.execute("BEGIN")
            conn.execute("INSERT INTO search (search) VALUES ('delete-all')")
            conn.execute("DELETE FROM repeated_chars")
            for article_id, version_id in conn.execute(
                    "SELECT id, current_version_id FROM articles ORDER BY id").fetchall():
                values = writer.search_values(version_id)
                conn.execute("INSERT INTO search (rowid, headline, body, names) VALUES (?, ?, ?, ?)",
                             (article_id, *values))
                repeated.add(conn, article_id, values)


def _index(path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(path)
    conn.execute("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, 'search', 'instance')")
    index = {
        "terms": conn.execute("SELECT * FROM temp.terms ORDER BY 1, 2, 3, 4").fetchall(),
        "sizes": conn.execute("SELECT * FROM search_docsize ORDER BY id").fetchall(),
        "repeated": conn.execute("SELECT * FROM repeated_chars ORDER BY 1, 2").fetchall(),
    }
    conn.close()
    with Archive.open(path, create=False) as archive:
        index["hits"] = {q: [asdict(hit) for hit in archive.search(q, limit=30)] for q in QUERIES}
    return index


@pytest.fixture(scope="module")
def filed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rows") / "filed.sqlite"
    _fill(path)
    return path


def test_rows_from_records_are_the_stored_versions_rows(filed: Path, tmp_path: Path) -> None:
    rebuilt = tmp_path / "rebuilt.sqlite"
    shutil.copy(filed, rebuilt)
    _rebuild(rebuilt)
    expected = _index(rebuilt)
    assert len(expected["sizes"]) == 80
    assert len(expected["terms"]) > 1000
    assert sum(bool(hits) for hits in expected["hits"].values()) > len(QUERIES) // 2
    assert _index(filed) == expected


def test_the_archive_holds_every_kind_of_filing(filed: Path) -> None:
    """The fill above did what it says: versions filed current, reverted, and filed not current."""
    conn = sqlite3.connect(filed)
    versions = dict(conn.execute(
        "SELECT article_id, count(*) FROM versions GROUP BY article_id").fetchall())
    assert sorted(set(versions.values())) == [1, 2, 3]
    first = conn.execute(
        "SELECT count(*) FROM articles a JOIN versions v ON v.id = a.current_version_id"
        " WHERE v.id = (SELECT min(id) FROM versions WHERE article_id = a.id) AND a.id <= 40"
    ).fetchone()[0]
    assert first == 10  # reverted to the first version (every fourth of the first 40)
    conn.close()
