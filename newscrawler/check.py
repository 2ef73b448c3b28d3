"""Checking a portal profile against the site: what to run after a redesign.

``newscrawler check PORTAL`` crawls a few listing and article pages through the real engine (from
the live site, or a fixture tree or WARC files with ``--replay``), archives nothing, and counts
per field how many pages produced it. ``CheckPipeline`` (enabled only by the check) reads each
record after normalisation and before validation, so a page that fails validation still shows
which fields it lacked. The check fails when a required field (headline, paragraphs) is missing
on any article page, or when no article page could be reached at all.

A field the profile's selectors missed but the generic extractor read (``extract.fallback``) is
in the record, yet the profile did not produce it: the table counts it under ``fallback``, not
under ``pages``, so a redesign still shows (and a required field read only by the fallback still
fails the check) while the crawl itself keeps its records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .items import PageItem
from .pipelines.stages import Stage

if TYPE_CHECKING:
    from scrapy import Spider

REQUIRED = ("headline", "paragraphs")
ARTICLE_FIELDS = ("headline", "published_at", "source", "reporters", "editors", "paragraphs",
                  "images", "rankings", "related", "comments")
LISTING_FIELDS = ("article links", "dated entries", "rankings", "related")
STAT = "newscrawler/check/"
# The record fields a fallback warning (``fallback:<field>``) stands for.
FALLBACK_TO_FIELDS = {
    "headline": ("headline",),
    "published_at": ("published_at",),
    "bylines": ("source", "reporters"),
    "paragraphs": ("paragraphs",),
    "images": ("images",),
    "credits": ("editors",),
}


class CheckPipeline(Stage):
    """Count, per page kind and field, the pages that produced the field (stats ``newscrawler/check/…``)."""

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, PageItem):
            return item
        if item.kind == "error":
            self._failed("fetch", item.url)
            return item
        if item.kind == "article":
            fields = _article_fields(item)
            for name in _fallback_fields(item):
                if fields.get(name):
                    fields[name] = False  # present, but not from the profile's selectors
                    self.stats.inc_value(f"{STAT}fallback/{name}")
            self._count("article", fields, item.url)
            layout = getattr(item.context, "extractor", None)
            if layout:
                self.stats.inc_value(f"{STAT}layout/{layout}")
        elif item.kind == "listing":
            self._count("listing", _listing_fields(item), item.url)
        return item

    def _count(self, kind: str, fields: dict[str, bool], url: str) -> None:
        self.stats.inc_value(f"{STAT}pages/{kind}")
        for name, present in fields.items():
            if present:
                self.stats.inc_value(f"{STAT}{kind}/{name}")
            else:
                self._failed(f"{kind}/{name}", url)

    def _failed(self, key: str, url: str) -> None:
        failed = self.stats.get_value(f"{STAT}missing/{key}") or []
        self.stats.set_value(f"{STAT}missing/{key}", [*failed, url])


def _article_fields(item: PageItem) -> dict[str, bool]:
    record = item.record or {}
    return {name: bool(record.get(name)) for name in ARTICLE_FIELDS}


def _fallback_fields(item: PageItem) -> list[str]:
    from .extract.fallback import fallback_fields

    warnings = getattr(item.context, "warnings", ())
    return [name for field in fallback_fields(warnings) for name in FALLBACK_TO_FIELDS.get(field, ())]


def _listing_fields(item: PageItem) -> dict[str, bool]:
    from . import portals
    from .extract.decode import decode_page

    profile = portals.get(item.portal)
    content_type = next((v for k, v in item.headers.items() if k.lower() == "content-type"), None)
    _, page = decode_page(item.body, content_type, item.url)
    entries = [e for e in profile.listing_entries(page) if profile.page_kind(e.url) == "article"]
    lists = item.lists or {}
    return {
        "article links": bool(entries),
        "dated entries": any(e.date_text for e in entries),
        "rankings": bool(lists.get("rankings")),
        "related": bool(lists.get("related")),
    }


@dataclass
class CheckReport:
    portal: str
    stats: dict[str, Any] = field(default_factory=dict)

    def pages(self, kind: str) -> int:
        return int(self.stats.get(f"{STAT}pages/{kind}", 0))

    def found(self, kind: str, name: str) -> int:
        return int(self.stats.get(f"{STAT}{kind}/{name}", 0))

    def fallback(self, name: str) -> int:
        """Article pages whose field the generic extractor read because the profile missed it."""
        return int(self.stats.get(f"{STAT}fallback/{name}", 0))

    def missing(self, key: str) -> list[str]:
        return list(self.stats.get(f"{STAT}missing/{key}") or [])

    @property
    def problems(self) -> list[str]:
        """Why the check fails; empty when it passes."""
        out = []
        articles = self.pages("article")
        if not articles:
            out.append("no article page was reached: check the start pages and listing links")
        for name in REQUIRED:
            urls = self.missing(f"article/{name}")
            if urls:
                problem = f"{name} missing on {len(urls)} of {articles} article pages, e.g. {urls[0]}"
                if self.fallback(name):
                    problem += (f" (the generic extractor read it on {self.fallback(name)}:"
                                " the profile's selectors no longer match)")
                out.append(problem)
        return out

    @property
    def ok(self) -> bool:
        return not self.problems

    def table(self) -> str:
        lines = [(f"check of {self.portal}: {self.pages('article')} article pages,"
                   f" {self.pages('listing')} listing pages")]
        layouts = {k.rsplit("/", 1)[1]: v for k, v in self.stats.items() if k.startswith(f"{STAT}layout/")}
        if layouts:
            lines.append("  read by " + ", ".join(f"{name} ({n})" for name, n in sorted(layouts.items())))
        from .portals import never_shown

        never = never_shown(self.portal)
        for kind, names in (("article", ARTICLE_FIELDS), ("listing", LISTING_FIELDS)):
            total = self.pages(kind)
            lines.append(f"  {kind + ' field':<16} pages" + ("  fallback" if kind == "article" else ""))
            for name in names:
                mark = ""
                if name in REQUIRED and kind == "article" and self.found(kind, name) < total:
                    mark = "  FAIL (required)"
                elif kind == "article" and name in never:
                    mark = "  (the portal never shows it)"
                counted = f"{self.found(kind, name)}/{total}"
                if kind == "article":
                    counted = f"{counted:<6} {self.fallback(name) or '-':>8}"
                lines.append(f"    {name:<14} {counted}{mark}")
        fetch_failures = self.missing("fetch")
        if fetch_failures:
            lines.append(f"  HTTP errors: {len(fetch_failures)}, e.g. {fetch_failures[0]}")
        return "\n".join(lines)


def run_check(portal: str, pages: int = 5, settings: dict[str, Any] | None = None) -> CheckReport:
    """Crawl up to ``pages`` article pages of ``portal`` (and the listings leading to them)."""
    from .crawl import project_settings, run_crawl

    overrides = dict(settings or {})
    pipelines = dict(project_settings().getdict("ITEM_PIPELINES"))
    # Between normalisation (200) and validation (300), which drops invalid records.
    pipelines["newscrawler.check.CheckPipeline"] = 250
    overrides.update({
        "ITEM_PIPELINES": pipelines,
        "NEWSCRAWLER_WARC_ENABLED": False,
        "NEWSCRAWLER_ARCHIVE": "",
        "NEWSCRAWLER_OUTPUT": "",
    })
    result = run_crawl(portal, overrides, max_articles=pages)
    return CheckReport(portal, result.stats)
