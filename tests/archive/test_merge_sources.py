"""Sources a merge refuses before writing anything: each named with what to do about it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive import Archive
from archive.merge import MergeError, merge
from archive.schema import LATEST, MIGRATIONS


def test_a_source_from_a_newer_library_says_so(seeded: Archive, db_path: Path, tmp_path: Path) -> None:
    seeded.close()
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    out = tmp_path / "merged.sqlite"
    with pytest.raises(MergeError) as raised:
        merge(out, [db_path], warc=False)
    # It used to say the file "is not an archive of schema N", as of something else altogether.
    assert str(raised.value) == (f"{db_path} has archive schema {LATEST + 1}, newer than this"
                                 f" library's {LATEST}: merge it with the newer newscrawler")
    assert not out.exists()


def test_a_source_from_an_older_library_says_how_to_bring_it_up_to_date(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite"
    conn = sqlite3.connect(old, isolation_level=None)
    for number, _about, apply in MIGRATIONS[:5]:
        apply(conn)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.close()
    with pytest.raises(MergeError, match=r"has archive schema 5, this library \d+: open it once"):
        merge(tmp_path / "merged.sqlite", [old], warc=False)
