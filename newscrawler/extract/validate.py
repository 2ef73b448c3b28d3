"""Validation: a record without a headline or body text is rejected; missing optional fields are
recorded as warnings on the record (``missing:editors``) so that nothing is dropped silently."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

# Optional fields whose absence is worth a warning: researchers count on them.
WARN_WHEN_MISSING = ("published_at", "source", "reporters", "editors")


class InvalidRecord(ValueError):
    """A page that cannot become a record; ``reason`` is a short code for stats."""

    def __init__(self, reason: str, url: str | None) -> None:
        super().__init__(f"{reason}: {url or 'page without a URL'}")
        self.reason = reason
        self.url = url


def validate(record: dict[str, Any], never_shown: Collection[str] = ()) -> dict[str, Any]:
    """Check required fields and add ``missing:<field>`` warnings; returns the same record.

    ``never_shown``: the fields the record's portal never shows (``Portal.never_shown``), which
    are not missing when absent.
    """
    if not record["headline"]:
        raise InvalidRecord("no_headline", record["url"])
    if not record["paragraphs"]:
        raise InvalidRecord("no_body", record["url"])
    for name in WARN_WHEN_MISSING:
        if not record[name] and name not in never_shown:
            record["warnings"].append(f"missing:{name}")
    return record


def missing_fields(record: dict[str, Any]) -> list[str]:
    """The optional fields a validated record lacks, from its warnings."""
    return [w.split(":", 1)[1] for w in record["warnings"] if w.startswith("missing:")]
