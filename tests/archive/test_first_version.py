"""An article's first version is filed without comparing it with anything: the ``version_changes``
rows of an archive filled capture by capture are those a backfill (every version compared with the
one seen before it) writes, and no first version has one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from test_search_rows import _fill

from archive.diff import backfill


def test_version_changes_as_a_backfill_writes_them(tmp_path: Path) -> None:
    path = tmp_path / "filed.sqlite"
    _fill(path)
    conn = sqlite3.connect(path, isolation_level=None)
    query = "SELECT * FROM version_changes ORDER BY version_id"
    filed = conn.execute(query).fetchall()
    firsts = conn.execute(
        "SELECT count(*) FROM version_changes WHERE version_id IN"
        " (SELECT min(id) FROM versions GROUP BY article_id)").fetchone()[0]
    assert firsts == 0
    assert len(filed) == conn.execute("SELECT count(*) FROM versions").fetchone()[0] - 80
    conn.execute("BEGIN")
    conn.execute("DELETE FROM version_changes")
    backfill(conn)
    conn.execute("COMMIT")
    assert conn.execute(query).fetchall() == filed
    conn.close()
