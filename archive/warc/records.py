"""What a capture's WARC record gives: the response (``WarcCapture``), its payload with the
content encoding undone, the error for a record that cannot be read, and small helpers shared by
reading and export."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

REVISIT_MIME = "warc/revisit"


def default_warc_dir(archive_path: str | Path) -> Path:
    """Where the crawler writes WARC files by default: ``warc/`` beside the archive file."""
    return Path(archive_path).parent / "warc"


def timestamp14(warc_date: str) -> str:
    return re.sub(r"\D", "", warc_date)[:14].ljust(14, "0")


def strip_digest(digest: str) -> str:
    return digest.split(":", 1)[1] if ":" in digest else digest


def payload_digest(body: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


class WarcReadError(Exception):
    """A capture's WARC record cannot be read: file missing, no record there, or a revisit whose
    original is not found."""


class DamagedRecord(WarcReadError):
    """A WARC record that is there but cannot be read whole: its bytes are corrupt, or the file
    ends inside it (``truncated``). The message names the file and the record's offset;
    ``reason`` says what is wrong without them, as a file's damage is said (``cut off (…)``),
    when that is not the message's own words."""

    def __init__(self, message: str, *, truncated: bool = False, reason: str = "") -> None:
        super().__init__(message)
        self.truncated = truncated
        self.reason = reason or message


@dataclass
class WarcCapture:
    """A response as stored in a WARC file (a revisit: with its original's payload)."""

    url: str
    date: str
    record_type: str  # response or revisit
    status: int
    protocol: str
    headers: list[tuple[str, str]]
    # The entity as received: still content-encoded; a chunked body is de-chunked.
    payload: bytes
    # The response record's bytes as stored, with the request record that follows it (responses
    # only), and the length of the response's own bytes: gzip members from a .warc.gz; from an
    # uncompressed file (``compressed`` false), each record whole, with the CRLF CRLF ending it.
    raw: bytes = field(default=b"", repr=False)
    response_length: int = 0
    compressed: bool = True
    record_id: str = ""
    digest: str = ""
    # Why the request record after the response was left out of ``raw`` (it is damaged), or "".
    request_problem: str = ""

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


def decoded_payload(headers: list[tuple[str, str]], payload: bytes) -> bytes:
    """The payload with its ``Content-Encoding`` undone (gzip, deflate), as the archive stores it."""
    encodings = [
        e.strip().lower()
        for name, value in headers if name.lower() == "content-encoding"
        for e in value.split(",") if e.strip()
    ]
    for encoding in reversed(encodings):
        if encoding in ("gzip", "x-gzip"):
            payload = gzip.decompress(payload)
        elif encoding == "deflate":
            try:
                payload = zlib.decompress(payload)
            except zlib.error:
                payload = zlib.decompress(payload, -zlib.MAX_WBITS)  # raw deflate, as some send
        elif encoding != "identity":
            raise WarcReadError(f"cannot undo Content-Encoding {encoding!r}")
    return payload
