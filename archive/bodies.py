"""Page bodies: stored once by their SHA-256, zlib-compressed with a preset dictionary per
portal and kind of page, made from the first body large enough to teach it."""

from __future__ import annotations

import hashlib
from typing import Any

from . import compress as codec
from .writebase import WriterBase

# Bodies this small (robots.txt, redirects) gain nothing from a preset dictionary.
MIN_DICTIONARY_SAMPLE = 2048


class BodyWriter(WriterBase):
    """Bodies and their dictionaries; dictionary ids are cached once their row is committed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._dictionaries: dict[tuple[str, str], tuple[int, bytes] | None] = {}
        self._pending: dict[tuple[str, str], tuple[int, bytes] | None] = {}

    def _dictionary(self, portal: str, kind: str, sample: bytes) -> tuple[int, bytes] | None:
        key = (portal, kind)
        if key in self._dictionaries:
            return self._dictionaries[key]
        if key in self._pending:
            return self._pending[key]
        row = self.conn.execute(
            "SELECT id, data FROM body_dictionaries WHERE portal = ? AND kind = ?", key
        ).fetchone()
        if row is not None:
            found = (row[0], codec.decompress(row[1]))
            self._dictionaries[key] = found
            return found
        if len(sample) < MIN_DICTIONARY_SAMPLE:
            return None
        data = codec.make_dictionary(sample)
        new_id = self._insert(
            "INSERT INTO body_dictionaries (portal, kind, data) VALUES (?, ?, ?)",
            (portal, kind, codec.compress(data)),
        )
        found_new = (new_id, data)
        self._pending[key] = found_new
        return found_new

    def _store_body(self, body: bytes, portal: str, kind: str) -> str:
        digest = hashlib.sha256(body).hexdigest()
        if self.conn.execute("SELECT 1 FROM bodies WHERE sha256 = ?", (digest,)).fetchone():
            return digest
        found = self._dictionary(portal, kind, body)
        dictionary_id, dictionary = found if found else (None, None)
        self.conn.execute(
            "INSERT INTO bodies (sha256, size, codec, dictionary_id, data) VALUES (?, ?, 'zlib', ?, ?)",
            (digest, len(body), dictionary_id, codec.compress(body, dictionary)),
        )
        return digest
