"""What makes a record of an uncompressed WARC file whole: its digests and its framing.

A record in a gzip member has the member's CRC to show it is as written; an uncompressed one has
nothing of the kind, so its damage is found by what the record says of itself (``check_plain``):

- its ``WARC-Block-Digest`` must match its block, as warcio's digest-verifying reader computes it
  (``ArchiveIterator(check_digests=True)``); lacking one, its ``WARC-Payload-Digest`` must match
  its payload. A payload digest that differs while the block digest matches is no damage: the
  bytes are exactly those the writer hashed, and tools differ on what a payload digest covers
  (a chunked or content-encoded body). Revisits are not checked, as warcio does not: their
  payload digest is their original's.
- its block must be as long as its ``Content-Length`` says (the file does not end inside it),
  and what follows it must be the blank lines that end a record, then the next record's
  ``WARC/`` line or the end of the file: a wrong ``Content-Length``, or bytes lost or added
  inside the record, leaves something else there (``record_after``).

Either failing raises ``DamagedRecord``, as a gzip member that does not inflate does.
"""

from __future__ import annotations

from typing import IO, Any

from .records import DamagedRecord

# Where a WARC record starts: its version line.
RECORD_START = b"WARC/"
# The line breaks of the blank lines between two records (CRLF CRLF, as the standard has it;
# warcio reads any number of either).
_BLANK = b"\r\n"
_SCAN = 4096


def digest_problem(record: Any) -> str | None:
    """What is wrong with a record's digests once its block has been read to its end through
    warcio's digest-verifying reader, or None (no digest to check counts as nothing wrong)."""
    checker = record.digest_checker
    if checker.passed is not False:
        return None
    problems = [str(problem) for problem in checker.problems]
    headers = record.rec_headers
    block = headers.get_header("WARC-Block-Digest")
    if any(p.startswith("block digest failed") for p in problems):
        return f"its block does not match its WARC-Block-Digest {block}"
    if block and not any(p.startswith("unknown hash algorithm name in block") for p in problems):
        return None  # the block digest matched: every byte is as written
    if any(p.startswith("payload digest failed") for p in problems):
        return f"its payload does not match its WARC-Payload-Digest {headers.get_header('WARC-Payload-Digest')}"
    return None  # digests in an algorithm warcio does not know: nothing can be checked


def record_after(stream: IO[bytes], end: int, where: str) -> int:
    """Where the next record starts after a record whose block ends at ``end`` (past the blank
    lines that close it), or the file's end; ``DamagedRecord`` when anything else is there."""
    stream.seek(end)
    at = end
    while True:
        chunk = stream.read(_SCAN)
        rest = chunk.lstrip(_BLANK)
        at += len(chunk) - len(rest)
        if rest or len(chunk) < _SCAN:
            break
    stream.seek(at)
    head = stream.read(len(RECORD_START))
    if at > end and head in (b"", RECORD_START):
        return at
    found = "the end of the file" if not head else repr(head)
    raise DamagedRecord(
        f"{where} is damaged (its Content-Length ends it at byte {end}, where {found} follows,"
        " not the blank lines and the next record)",
        reason="damaged record (its Content-Length does not end it where the next record starts)",
        truncated=not head)


def check_plain(stream: IO[bytes], offset: int, record: Any, block_end: int, where: str) -> int:
    """The checks above for the record at ``offset`` of an uncompressed file, its block read to
    ``block_end``; returns where the next record starts (or the file's end)."""
    problem = digest_problem(record)
    if problem is not None:
        raise DamagedRecord(f"{where} is damaged ({problem})", reason=f"damaged record ({problem})")
    return record_after(stream, block_end, where)
