"""The archive's captures as WARC records: read back from the crawl's WARC files, or exported.

Uses warcio only (no crawler code), so a researcher with the archive and its ``warc/`` directory
can do both:

- ``WarcStore(directory).load(filename, offset)``: a capture's response as the crawl wrote it,
  a ``revisit`` resolved to the payload of the response it repeats (found through the
  directory's CDXJ indexes). ``decoded_payload`` undoes the content encoding;
  ``WarcStore.body(filename, offset)`` gives that decoded payload alone, which is all
  re-extraction needs, and reads the common record (one gzip member, a plain response) without
  warcio's general parser, inflating it in one call from bytes read ahead in the file. A damaged
  or truncated record raises ``DamagedRecord`` (a ``WarcReadError``), never gives a cut or
  garbled payload (``reading.py``, ``store.py``); a record of an uncompressed file, which has no
  CRC, is checked by its digests and framing instead (``plain.py``).
- ``export.export_warc(archive, filters, path)``: a WARC/1.1 file with every capture of the
  selected articles, and a CDXJ index beside it, for pywb or ReplayWeb.page (``docs/warc.md``).
  A capture whose WARC record is there is copied byte for byte (with its request record; one
  from an uncompressed file compressed into gzip members of its own); a
  revisit becomes a full response (its own status and headers, its original's payload), so the
  file stands alone; a capture without a readable WARC record is rebuilt from the archive's
  stored body and headers. A ``metadata`` record after each says which, and names the archive's
  capture, article and version (``export.py``; imported on its own, as writing needs more of
  warcio than reading).

What a record gives, and its errors, are in ``records.py``. The CDXJ lines are those the crawler
writes (``newscrawler.warc.index``): SURT key, 14-digit timestamp, pywb's JSON fields.
"""

from __future__ import annotations

from .records import (
    REVISIT_MIME,
    DamagedRecord,
    WarcCapture,
    WarcReadError,
    decoded_payload,
    default_warc_dir,
    payload_digest,
)
from .store import WarcStore

__all__ = [
    "REVISIT_MIME",
    "DamagedRecord",
    "WarcCapture",
    "WarcReadError",
    "WarcStore",
    "decoded_payload",
    "default_warc_dir",
    "payload_digest",
]
