"""The generic pseudo-profile: articles from any site that has no portal profile.

``GenericPortal`` is not registered by host and owns no URL; ``resolve_portal`` returns it when no
profile owns a page's URL, and ``--portal generic`` on ``newscrawler extract`` forces it. It reads
pages with ``GenericLayout`` (``newscrawler.extract.generic``), which needs no selectors. Records
say ``portal: generic``, ``extractor: generic@2`` and have no ``article_id``; their canonical URL
is the page's own ``<link rel=canonical>`` (or ``og:url``) when it is on the same site. Times shown
without a zone are read in China Standard Time, the zone of the Chinese news pages it is meant for.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from ..extract.generic import GenericLayout
from . import GENERIC
from .base import Portal

NAME = GENERIC


class GenericPortal(Portal):
    """Any site: no hosts, no start pages, no listings; one layout that reads every page."""

    name = NAME
    title = "Pages from any site"
    hosts = ()
    canonical_host = ""
    timezone = "Asia/Shanghai"
    start_urls = ()
    article_path = re.compile(r"^/")
    listing_path = re.compile(r"(?!)")
    layouts = (GenericLayout,)

    @classmethod
    def owns(cls, url: str) -> bool:
        return False

    @classmethod
    def article_id(cls, url: str) -> str | None:
        return None

    @classmethod
    def canonical_url(cls, url: str) -> str:
        """The URL without its fragment; the page's own canonical link is read by the layout."""
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
