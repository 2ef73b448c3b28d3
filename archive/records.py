"""What the archive asks of a record before filing it, and the values it files it by.

A record's content hash (which makes a new version or not), times in UTC, and the checks that
refuse a record the archive cannot file.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any

# Keys that describe the fetch or the portal at fetch time rather than the article: they do not
# make a new version when they change.
VOLATILE_KEYS = frozenset({"url", "fetched_at", "rankings", "related", "comments", "warnings"})
# A printed page's fields (e-papers, web articles with a print note), filed as version columns of
# the same names; null elsewhere.
PRINT_COLUMNS = ("kicker", "subtitle", "paper", "edition_date", "page")
REQUIRED_KEYS = ("url", "canonical_url", "portal", "headline", "paragraphs")
# Articles are filed by URL: a record read outside a crawl without one (url null, warning no_url)
# cannot be archived.
REQUIRED_VALUES = ("canonical_url",)
# Bodies this small (robots.txt, redirects) gain nothing from a preset dictionary.

def content_hash(record: dict[str, Any]) -> str:
    """sha256 of the record without its volatile keys, independent of key order."""
    content = {k: v for k, v in record.items() if k not in VOLATILE_KEYS}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def utc_iso(value: str | datetime) -> str:
    """An ISO 8601 time in UTC, so stored times sort as strings. Naive input is rejected."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"time without a UTC offset: {value!r}")
    return moment.astimezone(timezone.utc).isoformat()


def _published_utc(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return utc_iso(value)
    except ValueError:
        # The record contract requires an offset; a time without one is kept verbatim in
        # published_at and simply not placed on the UTC axis rather than guessed.
        return None


def _check_record(record: dict[str, Any]) -> None:
    """Refuse, with the reason, a record the archive cannot file."""
    missing = [key for key in REQUIRED_KEYS if key not in record]
    if missing:
        raise ValueError(f"record lacks {', '.join(missing)}")
    empty = [key for key in REQUIRED_VALUES if not record[key]]
    if empty:
        raise ValueError(
            f"record has no {', '.join(empty)}: a page read without its URL cannot be archived"
        )


def _header_text(value: Any) -> Any:
    """Header values that arrive as bytes (as Scrapy keeps them): latin-1, as HTTP defines."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    if isinstance(value, (list, tuple)):
        return [_header_text(v) for v in value]
    return str(value)
