"""A compact set of the strings a crawl has seen (canonical article URLs), for its whole length.

The spider remembers every article it requested (so that a twin or a repeat link is not fetched
or counted twice) and the ``--max-articles`` budget every article it spent: two entries an
article, for the whole crawl. As a ``set`` of URL strings that was about 150-200 bytes an
article. ``SeenSet`` keeps a 16-byte BLAKE2b hash of each string instead, appended to one of
4,096 ``bytearray`` buckets (chosen by the hash's first 12 bits) and found there by a byte search:
about 17 bytes an entry plus the buckets' own (about 60 bytes each), no Python object an entry,
and a lookup scans about 16 bytes for every 4,096 entries. Two different strings would count as
one only if their 128-bit hashes collided, which is vanishingly unlikely (about 2^-128 per pair;
Scrapy's own duplicate filter trusts 160-bit SHA-1 fingerprints the same way).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

_SIZE = 16  # bytes a hash
_BUCKET_BITS = 12


def _hash(text: str) -> bytes:
    # "surrogatepass": any str encodes, and two different strings never encode alike.
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=_SIZE).digest()


class SeenSet:
    """Strings added, for membership and a count; the strings themselves are not kept."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self._buckets: list[bytearray | None] = [None] * (1 << _BUCKET_BITS)
        self._count = 0
        for text in texts:
            self.add(text)

    def __len__(self) -> int:
        return self._count

    def __contains__(self, text: object) -> bool:
        if not isinstance(text, str):
            return False
        value = _hash(text)
        bucket = self._buckets[int.from_bytes(value[:2], "big") >> (16 - _BUCKET_BITS)]
        return bucket is not None and _find(bucket, value)

    def add(self, text: str) -> bool:
        """Add ``text``; True if it was not there yet."""
        value = _hash(text)
        number = int.from_bytes(value[:2], "big") >> (16 - _BUCKET_BITS)
        bucket = self._buckets[number]
        if bucket is None:
            bucket = self._buckets[number] = bytearray()
        elif _find(bucket, value):
            return False
        bucket += value
        self._count += 1
        return True


def _find(bucket: bytearray, value: bytes) -> bool:
    """Whether ``value`` is one of the hashes in ``bucket`` (a match must start at a hash)."""
    at = bucket.find(value)
    while at != -1:
        if at % _SIZE == 0:
            return True
        at = bucket.find(value, at + 1)
    return False
