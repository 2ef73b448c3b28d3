"""URL keys: one key for every copy of a page, to link hot-list entries to archived articles.

Portals serve the same story on ``www.``, ``m.`` and other mobile hosts, over http and https, with
tracking parameters. The key drops the scheme, those host prefixes, the fragment and ``utm_*``
parameters, and sorts the rest of the query; lookups also require the same portal, so two portals
that happen to share a path never meet.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit

_MOBILE_PREFIXES = ("www.", "m.", "wap.", "3g.", "mobile.")
_TRACKING = ("utm_", "spm", "from", "share")


# Pages repeat the same hot lists and sidebars: each URL is keyed once.
@lru_cache(maxsize=8192)
def url_key(url: str | None) -> str | None:
    """``host/path?query`` with twins folded together, ``None`` for no URL, and the text itself for
    one that does not parse."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        # Not a URL urllib can read (http://[::1): it can only be a twin of itself.
        return url.strip()
    host = (parts.hostname or "").lower()
    for prefix in _MOBILE_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING)
    )
    key = host + (parts.path or "/")
    if query:
        key += "?" + urlencode(query)
    return key
