"""The WARC writer's revisit index, kept compact: (canonical URL, payload digest) → latest response.

``WarcFileSet`` writes a ``revisit`` record when a page's payload repeats an earlier response of
the same (canonical) URL, so it keeps one entry per (URL, payload digest) it has written or found
in the directory's CDXJ files: a crawl's whole history of responses, one more with every page.
Kept as ``Entry`` objects keyed by (URL, digest) tuples, an entry cost about 1.2 kB of Python
heap (a dataclass with its own ``__dict__``, ten field objects, the key's tuple and strings).

Here a key is a 16-byte BLAKE2b hash of the canonical URL and the digest, and a value is one
``bytes`` object holding the entry's fields (``_pack``; the WARC file is a number into a list of
the files seen, the digest is the key's own): about 280 bytes an entry. ``get`` gives back the
same ``Entry`` as before. Two different (URL, digest) pairs would share a key only if their
128-bit hashes collided, which is vanishingly unlikely (about 2^-128 per pair).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from .index import Entry

# Between packed fields. A field with it (which no URL, MIME type or CDXJ key written by a crawl
# has) keeps its ``Entry`` whole instead.
_SEPARATOR = "\x00"
_FIELDS = 8


def _key(canonical_url: str, digest: str) -> bytes:
    # "surrogatepass": any str encodes, and two different strings never encode alike.
    joined = f"{canonical_url}{_SEPARATOR}{digest}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(joined, digest_size=16).digest()


class RevisitIndex:
    """Latest full response of each (canonical URL, payload digest); revisits are not kept."""

    def __init__(self, canonical: Callable[[str], str]) -> None:
        self.canonical = canonical
        self._entries: dict[bytes, bytes | Entry] = {}
        # The WARC files entries are in: (file name, path), each once; a packed entry keeps its
        # number in this list.
        self._files: list[tuple[str, Path]] = []
        self._numbers: dict[tuple[str, Path], int] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def remember(self, entry: Entry) -> None:
        """Keep ``entry`` if it is a response later than the one kept for its URL and digest."""
        if entry.is_revisit:
            return
        key = _key(self.canonical(entry.url), entry.digest)
        known = self._entries.get(key)
        if known is None or entry.order >= self._unpack(known, entry.digest).order:
            self._entries[key] = self._pack(entry)

    def get(self, url: str, digest: str) -> Entry | None:
        """The latest response of ``url``'s canonical URL with payload ``digest`` (without its
        ``sha1:`` prefix), or None."""
        packed = self._entries.get(_key(self.canonical(url), digest))
        return None if packed is None else self._unpack(packed, digest)

    def _pack(self, entry: Entry) -> bytes | Entry:
        texts = (entry.key, entry.timestamp, entry.url, entry.mime, entry.status)
        if any(_SEPARATOR in text for text in (*texts, entry.filename)):
            return entry
        where = (entry.filename, entry.path)
        number = self._numbers.get(where)
        if number is None:
            number = self._numbers[where] = len(self._files)
            self._files.append(where)
        fields = (str(number), str(entry.length), str(entry.offset), *texts)
        return _SEPARATOR.join(fields).encode("utf-8", "surrogatepass")

    def _unpack(self, packed: bytes | Entry, digest: str) -> Entry:
        if isinstance(packed, Entry):
            return packed
        number, length, offset, key, timestamp, url, mime, status = (
            packed.decode("utf-8", "surrogatepass").split(_SEPARATOR, _FIELDS - 1)
        )
        filename, path = self._files[int(number)]
        return Entry(
            key=key, timestamp=timestamp, url=url, mime=mime, status=status, digest=digest,
            length=int(length), offset=int(offset), filename=filename, path=path,
        )
