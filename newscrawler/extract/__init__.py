"""Extraction: one pure function from a fetched page to an article record.

    record = extract(url, body, headers, fetched_at)

``url`` is None for a page read outside a crawl whose address is unknown (a saved file without a
canonical link): the record then has ``url`` and ``canonical_url`` null, no ``article_id``, and a
``no_url`` warning, and the portal is the generic one unless named.

It runs three stages, which the Scrapy item pipelines also run one by one: ``read_page`` (decode
the bytes, pick the portal's layout, read raw fields with its selectors), ``build_record``
(normalisation) and ``validate``. The spider, the command line, re-extraction from the archive and
the tests all call these same functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .assemble import PageContext, build_rankings, build_record, build_related
from .decode import Decoded, decode_page
from .fallback import SUFFIX as FALLBACK_SUFFIX
from .fallback import complete, warnings_for
from .fields import RawFields
from .times import portal_zone
from .validate import InvalidRecord, validate

if TYPE_CHECKING:
    from ..portals.base import Portal
    from .page import Page

__all__ = ["InvalidRecord", "PageContext", "RawFields", "build_record", "error_reason", "extract",
           "read_lists", "read_page", "saved_page", "validate"]


def _header(headers: Mapping[str, Any] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name:
            if isinstance(value, (list, tuple)):
                value = value[0] if value else None
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            return value
    return None


def resolve_portal(url: str | None, portal: str | type[Portal] | None) -> type[Portal]:
    """The named profile, or the one owning the URL's host, or the generic one when none does
    (or when the URL is unknown)."""
    # Imported here: portal modules import the extraction helpers, not the other way round. The
    # generic pseudo-profile only when it reads the page: it imports the generic extractor.
    from .. import portals

    if isinstance(portal, str) and portal != portals.GENERIC:
        return portals.get(portal)
    if portal is not None and not isinstance(portal, str):
        return portal
    found = portals.for_url(url) if portal is None and url else None
    if found is not None:
        return found
    from ..portals.generic import GenericPortal

    return GenericPortal


def read_page(
    url: str | None,
    body: bytes,
    headers: Mapping[str, Any] | None = None,
    fetched_at: datetime | None = None,
    portal: str | type[Portal] | None = None,
    *,
    fallback: bool = True,
) -> tuple[RawFields, PageContext]:
    """Stage one: decode and read the raw fields with the portal's layout for the fetch date.

    What a profile's selectors miss is read by the generic extractor from the same parsed page
    (``fallback.complete``): the record then says ``fallback:<field>`` in its warnings and
    ``<profile>@<version>+generic`` as its extractor. ``fallback=False`` gives the profile's
    reading alone (what a profile's author checks selectors against).

    ``fetched_at`` None means the fetch time is unknown (a page saved elsewhere): the record's
    ``fetched_at`` is then the time of reading, and relative times stay unresolved. ``url`` None
    means the page's address is unknown: links on it that are relative stay relative.
    """
    return _read(url, body, headers, fetched_at, resolve_portal(url, portal), fallback)


def _read(
    url: str | None,
    body: bytes,
    headers: Mapping[str, Any] | None,
    fetched_at: datetime | None,
    profile: type[Portal],
    fallback: bool,
    parsed: tuple[Decoded, Page] | None = None,
) -> tuple[RawFields, PageContext]:
    """``read_page`` with the profile already resolved; ``parsed``: ``body`` as ``saved_page``
    read it."""
    fetched = (fetched_at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    if parsed is None:
        decoded, page = decode_page(body, _header(headers, "content-type"), url or "")
    else:
        decoded, page = parsed
        page.url = url or ""  # read before its address was known: links resolve against it now
    layout = profile.layout_for(fetched)
    reader = layout(page)
    raw = reader.read()
    fell_back: list[str] = []
    if fallback and _is_profile(layout):
        raw, fell_back = complete(reader, raw)
    warnings = decoded.warnings
    if url:
        # A layout that reads the canonical link off the page (the generic one) sets it.
        canonical_url: str | None = getattr(reader, "canonical_url", None) or profile.canonical_url(url)
    else:
        # Without the page's own address nothing ties a canonical link to the page's site.
        canonical_url = None
        warnings = (*warnings, "no_url")
    context = PageContext(
        url=url,
        canonical_url=canonical_url,
        portal=profile.name,
        article_id=profile.article_id(url) if url else None,
        fetched_at=fetched,
        zone=portal_zone(profile.timezone),
        extractor=layout.name(profile.name) + (FALLBACK_SUFFIX if fell_back else ""),
        encoding=decoded.encoding,
        warnings=(*warnings, *warnings_for(fell_back)),
        fetch_time_known=fetched_at is not None,
    )
    return raw, context


def _is_profile(layout: type[Any]) -> bool:
    """True for a profile layout reading with selectors; a layout that reads the page its own
    way (the generic one) has nothing to fall back to."""
    from ..portals.base import Layout

    return layout.read is Layout.read


def read_lists(
    url: str | None,
    body: bytes,
    headers: Mapping[str, Any] | None = None,
    fetched_at: datetime | None = None,
    portal: str | type[Portal] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The hot lists of a page without an article (a listing page): what its record would hold
    as ``rankings`` and ``related``, read without reading or normalising the rest of the page."""
    from ..portals.base import Layout

    profile = resolve_portal(url, portal)
    layout = profile.layout_for((fetched_at or datetime.now(timezone.utc)).astimezone(timezone.utc))
    if layout.read is not Layout.read:
        # A layout that reads the page its own way (the generic one): its full reading's lists.
        record = build_record(*read_page(url, body, headers, fetched_at, portal))
        return {"rankings": record["rankings"], "related": record["related"]}
    reader = layout(decode_page(body, _header(headers, "content-type"), url or "")[1])
    return {"rankings": build_rankings(reader.read_rankings()),
            "related": build_related(reader.read_related())}


def extract(
    url: str | None,
    body: bytes,
    headers: Mapping[str, Any] | None = None,
    fetched_at: datetime | None = None,
    portal: str | type[Portal] | None = None,
    *,
    fallback: bool = True,
    parsed: tuple[Decoded, Page] | None = None,
) -> dict[str, Any]:
    """The validated record for one article page; raises ``InvalidRecord`` when it has none.
    ``parsed``: the page as ``saved_page`` already read it from ``body``, not read again."""
    profile = resolve_portal(url, portal)  # once: resolving costs as much as a selector
    raw, context = _read(url, body, headers, fetched_at, profile, fallback, parsed)
    return validate(build_record(raw, context), profile.never_shown)


def saved_page(body: bytes, headers: Mapping[str, Any] | None = None) -> tuple[Decoded, Page]:
    """A saved page decoded and parsed as extraction reads it, before its address is known: what
    ``generic.metadata.canonical_link`` reads the address from, and what ``extract`` then takes as
    ``parsed`` instead of parsing the body a second time."""
    return decode_page(body, _header(headers, "content-type"), "")


def error_reason(exc: BaseException) -> str:
    """An unexpected extraction error in one line, for a report: its type and the first line of
    its message (an extractor bug on one page; the rest of a batch goes on)."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
