"""Validation: a record without a headline or body text is rejected; missing optional fields are
recorded as warnings on the record (``missing:editors``) so that nothing is dropped silently."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

# Optional fields whose absence is worth a warning: researchers count on them.
WARN_WHEN_MISSING = ("published_at", "source", "reporters", "editors")


class InvalidRecord(ValueError):
    """A page that cannot become a record; ``reason`` is a short code for stats, ``why`` what the
    page itself shows to explain it, when something does."""

    def __init__(self, reason: str, url: str | None, why: str | None = None) -> None:
        super().__init__(f"{reason}: {url or 'page without a URL'}" + (f" ({why})" if why else ""))
        self.reason = reason
        self.url = url
        self.why = why


# Warnings of a rejected record that explain why a field is empty: the page's own text was cut.
_CAUSES = {
    "html_too_deep": "the page nests elements deeper than the HTML parser follows; it reads no "
                     "further than that",
}


def validate(record: dict[str, Any], never_shown: Collection[str] = ()) -> dict[str, Any]:
    """Check required fields and add ``missing:<field>`` warnings; returns the same record.

    ``never_shown``: the fields the record's portal never shows (``Portal.never_shown``), which
    are not missing when absent.
    """
    if not record["headline"]:
        raise InvalidRecord("no_headline", record["url"], _cause(record["warnings"]))
    if not record["paragraphs"]:
        raise InvalidRecord("no_body", record["url"], _cause(record["warnings"]))
    for name in WARN_WHEN_MISSING:
        if not record[name] and name not in never_shown:
            record["warnings"].append(f"missing:{name}")
    return record


def _cause(warnings: list[str]) -> str | None:
    return next((_CAUSES[code] for w in warnings if (code := w.partition(":")[0]) in _CAUSES), None)


def missing_fields(record: dict[str, Any]) -> list[str]:
    """The optional fields a validated record lacks, from its warnings."""
    return [w.split(":", 1)[1] for w in record["warnings"] if w.startswith("missing:")]
