"""The state every part of the archive's write path shares: the connection and the
transaction's pending search rows (``archive.writer`` puts the parts together)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from typing import Any, NamedTuple

from .fold import FoldTable


class SearchRow(NamedTuple):
    """A search index row to write when the transaction commits (``Writer.flush``): inserted, or
    deleted (``delete``) with the texts it was inserted with. ``chars``: the rows of repeated
    characters of those texts, when already known (``archive/repeated.py``)."""

    article_id: int
    values: tuple[str, str, str]
    delete: bool
    chars: dict[str, int] | None = None


class WriterBase:
    """The connection the write path runs on. Not thread-safe, like the connection itself."""

    def __init__(
        self, conn: sqlite3.Connection, fold_table: FoldTable | Callable[[], FoldTable]
    ) -> None:
        """``fold_table`` may be given as a function that reads it: it is then read on first use,
        so that a write path that files no article version (a crawl process whose worker files
        them, a status update) never reads the archive's fold table."""
        self.conn = conn
        self._fold_table = fold_table
        # How long after a first sign of removal a second one confirms it (docs/changes.md).
        self.removal_confirm = timedelta(hours=24)
        # Search index rows of this transaction, written just before it commits (``flush``).
        self._search_rows: list[SearchRow] = []

    @property
    def fold_table(self) -> FoldTable:
        """The archive's character folding table (the search index's)."""
        if callable(self._fold_table):
            self._fold_table = self._fold_table()
        return self._fold_table

    def _insert(self, sql: str, params: tuple[Any, ...]) -> int:
        """Run an INSERT and return the new row's id."""
        rowid = self.conn.execute(sql, params).lastrowid
        assert rowid is not None  # an INSERT into a rowid table always sets it
        return rowid
