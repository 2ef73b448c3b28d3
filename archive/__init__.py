"""The newscrawler archive: a SQLite file of crawl runs, raw captures and versioned articles.

A library of its own on sqlite-utils, usable without the crawler::

    from archive import Archive
    with Archive.open("data/newscrawler.sqlite", create=False) as archive:
        for hit in archive.search("徐闻"):
            print(hit.headline, hit.snippet)

See ``docs/archive.md`` for the schema and for searching from SQL.
"""

from __future__ import annotations

from .connection import DEFAULT_DB_PATH, ArchiveError, default_db_path
from .db import Archive

__all__ = ["DEFAULT_DB_PATH", "Archive", "ArchiveError", "default_db_path"]
