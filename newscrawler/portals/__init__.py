"""The registry of portal profiles: one module per portal, registered at import time.

``get(name)`` and ``for_url(url)`` find a profile; registering two portals with the same name or
the same host is an error raised at import, not a surprise during a crawl.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from ..extract.validate import WARN_WHEN_MISSING
from .base import Layout, ListingEntry, Portal

# The generic pseudo-profile's name (``portals.generic``, which is imported only when needed: it
# imports the generic extractor).
GENERIC = "generic"
# The spider arguments (and configuration keys) naming the editions of a portal with dated
# editions: ``crawl --from/--to``.
EDITION_DATES = ("date_from", "date_to")

_REGISTRY: dict[str, type[Portal]] = {}
_BY_HOST: dict[str, type[Portal]] = {}


class UnknownPortal(LookupError):
    """No profile has this name, or no profile owns this URL."""


def register(portal: type[Portal]) -> type[Portal]:
    """Class decorator adding a portal to the registry."""
    if portal.name in _REGISTRY:
        raise ValueError(f"portal {portal.name!r} is registered twice")
    unknown = set(portal.never_shown) - set(WARN_WHEN_MISSING)
    if unknown:
        raise ValueError(f"portal {portal.name!r}: never_shown names {sorted(unknown)}, not among the"
                         f" optional fields {', '.join(WARN_WHEN_MISSING)}")
    for host in portal.hosts:
        if host in _BY_HOST:
            raise ValueError(f"host {host} belongs to {_BY_HOST[host].name} and {portal.name}")
    _REGISTRY[portal.name] = portal
    for host in portal.hosts:
        _BY_HOST[host] = portal
    return portal


def names() -> list[str]:
    return sorted(_REGISTRY)


def get(name: str) -> type[Portal]:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownPortal(f"unknown portal {name!r} (known: {', '.join(names())})") from None


def for_url(url: str) -> type[Portal] | None:
    """The portal owning the URL's host, or None."""
    return _BY_HOST.get(urlsplit(url).hostname or "")


def never_shown(name: str) -> tuple[str, ...]:
    """The fields portal ``name`` never shows; none for a name without a profile (generic)."""
    found = _REGISTRY.get(name)
    return found.never_shown if found else ()


def check_edition_dates(name: str, given: Sequence[str], label: str | None = None) -> None:
    """``ValueError`` when edition dates are given (``given``: the options or keys that set
    them, such as ``--from``) for a portal without dated editions: they would be ignored and
    its usual start pages crawled instead of the days asked for. The message calls the portal
    ``label`` (default: its name) and names the portals that take them. An unknown name passes
    (``get`` reports it)."""
    portal = _REGISTRY.get(name)
    if not given or portal is None or portal.dated_editions:
        return
    dated = [other for other in names() if _REGISTRY[other].dated_editions]
    verb = "is" if len(given) == 1 else "are"
    raise ValueError(f"{label or name} has no dated editions: {' and '.join(given)} {verb} for "
                     f"{', '.join(dated) or 'no portal'}")


def canonical_url(url: str) -> str:
    """The canonical form of any URL: the owning portal's, or the URL unchanged."""
    portal = for_url(url)
    return portal.canonical_url(url) if portal else url


def _import_portal_modules() -> None:
    """Import every module of this package: each portal module registers itself on import, so
    adding a portal is adding a module, with no list to edit."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        # Not profiles: the base classes, and the generic pseudo-profiles that import the generic
        # extractor (which imports this package: importing them here would be circular).
        if not module.name.startswith("_") and module.name not in ("base", "generic", "adhoc"):
            importlib.import_module(f"{__name__}.{module.name}")


_import_portal_modules()

__all__ = ["EDITION_DATES", "Layout", "ListingEntry", "Portal", "UnknownPortal", "canonical_url",
           "check_edition_dates", "for_url", "get", "names", "never_shown", "register"]
