"""What a layout reads off a page before normalisation: raw strings, in page order.

Layouts (``newscrawler.portals``) fill a ``RawFields`` with selectors only; every rule about what
the text means (bylines, times, credit lines, glosses) lives in normalisation, shared by all
portals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

# Images and links are named tuples, not frozen dataclasses: a page has dozens of list items, and
# a frozen dataclass sets each field through a Python-level call.


class RawImage(NamedTuple):
    url: str
    caption: str | None = None


class RawLink(NamedTuple):
    """A linked story in a list box: the box title, the period tab (rankings), rank, title, URL."""

    list: str
    title: str
    url: str | None
    period: str | None = None
    rank: str | None = None


@dataclass
class RawFields:
    headline: str | None = None
    # Text that holds the publication time (a time element, or the whole meta line).
    time_text: str | None = None
    # Lines naming people or the source above the body (the meta line), in page order.
    bylines: list[str] = field(default_factory=list)
    # Body blocks in order; credit lines inside the body are still here and are sorted out later.
    paragraphs: list[str] = field(default_factory=list)
    # Credit lines below the body (编辑:…), in page order.
    credits: list[str] = field(default_factory=list)
    images: list[RawImage] = field(default_factory=list)
    rankings: list[RawLink] = field(default_factory=list)
    related: list[RawLink] = field(default_factory=list)
    comments_text: str | None = None
    # Newspaper pages: the lines set above (引题) and below (副题) the headline, and where the
    # article was printed (paper, edition date as shown or in the URL, page label).
    kicker: str | None = None
    subtitle: str | None = None
    paper: str | None = None
    edition_date: str | None = None
    page: str | None = None
