"""Compression of captured page bodies.

Pages of one portal share most of their HTML (navigation, footers, hot lists), so each body is
compressed with zlib using a *preset dictionary*: the first body the archive stored for the same
portal and kind. That typically stores a page in well under a quarter of its size, where plain
zlib manages a third. The dictionary lives in the ``body_dictionaries`` table and is never
changed once written, so every stored body stays readable.
"""

from __future__ import annotations

import zlib

LEVEL = 6
# zlib only looks back 32 KiB; a longer dictionary would be dead weight.
DICTIONARY_SIZE = 32 * 1024


def make_dictionary(body: bytes) -> bytes:
    """The preset dictionary made from a sample body.

    A page can reach back into the *end* of the dictionary first, so the sample's head (the shared
    page header) goes last; its tail (the footer) fills the rest when the sample is long.
    """
    if len(body) <= DICTIONARY_SIZE:
        return body
    half = DICTIONARY_SIZE // 2
    return body[-half:] + body[:half]


def compress(body: bytes, dictionary: bytes | None = None) -> bytes:
    packer = zlib.compressobj(LEVEL, zdict=dictionary) if dictionary else zlib.compressobj(LEVEL)
    return packer.compress(body) + packer.flush()


def decompress(data: bytes, dictionary: bytes | None = None) -> bytes:
    unpacker = zlib.decompressobj(zdict=dictionary) if dictionary else zlib.decompressobj()
    return unpacker.decompress(data) + unpacker.flush()
