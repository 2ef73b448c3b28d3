"""Datasette on an archive: the packaged metadata (descriptions, canned queries, hidden internal
tables), the research front end of ``archive/site`` (search on the home page, article pages), and
``serve``.

Datasette is an optional extra (``pip install 'newscrawler[datasette]'``); nothing here imports it
until it is needed. Datasette reads the archive through read-only connections, and ``serve``
listens on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

METADATA_FILE = Path(__file__).with_name("datasette-metadata.json")
# The database key the packaged file uses; Datasette names a database after its file stem.
PACKAGED_NAME = "newscrawler"

# The canned search's newest-first page as the packaged query lists it, in plain SQL (the
# sqlite3 shell, Datasette without the front end): FTS5's, or for a word that repeats one
# character the candidates from ``repeated_chars``, without scores ...
NEWEST_SQL = """  select * from (select rowid, rank, -rowid from search
    where search match (select iif(yes and not exists (select 1 from row_words), expr, '""')
      from fts, newest)
    order by rowid desc limit 100)
  union all
  -- Row words alone: the candidates are the matches.
  select * from (select id, null, -id from candidates
    where (select yes from newest) and (select expr from others) is null
    order by id desc limit 100)
  union all
  -- With other words: the candidates among FTS5's matches of them, newest first. "+rowid" keeps
  -- the list from FTS5, which would look up each candidate anew from the start of the postings.
  select * from (select rowid, null, -rowid from search
    where search match (select iif(yes and exists (select 1 from row_words),
        coalesce(expr, '""'), '""') from others, newest)
      and +rowid in (select id from candidates)
    order by rowid desc limit 100)"""
# ... and as the front end lists it: the library's page (``newscrawler_newest``), with bm25
# scores that need no second pass over a repeated character's postings (``archive/repeats.py``).
NEWEST_FRONT_END_SQL = """  select json_extract(value, '$[0]'), json_extract(value, '$[1]'),
    -json_extract(value, '$[0]')
  from json_each(newscrawler_newest((select iif(yes, expr, '""') from fts, newest), 100))"""


def metadata_for(path: str | os.PathLike[str], *, front_end: bool = False) -> dict[str, Any]:
    """The packaged metadata, keyed by the database name Datasette will give ``path``; with
    ``front_end``, its canned search as the front end runs it (``front_end_sql``)."""
    metadata = json.loads(METADATA_FILE.read_text(encoding="utf-8"))
    databases = metadata["databases"]
    databases[Path(path).stem] = databases.pop(PACKAGED_NAME)
    if front_end:
        search = databases[Path(path).stem]["queries"]["search"]
        search["sql"] = front_end_sql(search["sql"])
    return metadata


def front_end_sql(sql: str) -> str:
    """The canned search ``sql`` with its newest-first page read through ``newscrawler_newest``,
    which the front end registers on its connections (``register_functions``)."""
    if sql.count(NEWEST_SQL) != 1:
        raise ValueError("the canned search query has no newest-first page to replace")
    return sql.replace(NEWEST_SQL, NEWEST_FRONT_END_SQL)


def register_functions(conn: sqlite3.Connection) -> None:
    """Register ``newscrawler_newest(expression, limit)`` on an archive connection: the newest
    first page of an FTS5 expression as ``archive.search`` lists it, as JSON ``[[id, rank],
    …]`` (the same rows and bm25 ranks as ``ORDER BY rowid DESC`` with FTS5's ``rank``)."""
    from .db import Archive
    from .search import newest_rows

    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'fold'").fetchone() is None:
        return  # not an archive
    # Opened here rather than at the first call: opening sets a pragma, which would abort the
    # statement that calls the function.
    archive = Archive(conn, Path(""))

    def newest(match: str, limit: int) -> str:
        if match == '""':  # the order not chosen: nothing to list
            return "[]"
        rows = newest_rows(archive, match, [], [], int(limit), 0)
        return json.dumps([[row[0], row[-1]] for row in rows])

    conn.create_function("newscrawler_newest", 2, newest)


def datasette_installed() -> bool:
    return importlib.util.find_spec("datasette") is not None


def register_site() -> None:
    """Load the ``archive.site`` plugin into Datasette (once per process)."""
    from datasette.plugins import pm

    from . import site

    if not pm.is_registered(site):
        pm.register(site, name="newscrawler-site")


def app(path: str | os.PathLike[str]) -> Any:
    """A Datasette instance on the archive, as ``serve`` runs it (for tests and embedding)."""
    from datasette.app import Datasette

    from .site import TEMPLATES

    register_site()
    return Datasette(
        [str(path)], metadata=metadata_for(path, front_end=True), template_dir=str(TEMPLATES))


def serve(path: str | os.PathLike[str], host: str = "127.0.0.1", port: int = 8001) -> None:
    """Run Datasette on the archive in this process until interrupted.

    In-process rather than a child process, so Ctrl-C and signals reach Datasette directly.
    """
    from datasette.cli import cli as datasette_cli

    from .site import TEMPLATES

    register_site()
    with tempfile.TemporaryDirectory() as tmp:
        metadata = Path(tmp) / "metadata.json"
        metadata.write_text(
            json.dumps(metadata_for(path, front_end=True), ensure_ascii=False), encoding="utf-8")
        datasette_cli.main(
            ["serve", str(path), "--metadata", str(metadata), "--template-dir", str(TEMPLATES),
             "--host", host, "--port", str(port)],
            prog_name="datasette",
        )
