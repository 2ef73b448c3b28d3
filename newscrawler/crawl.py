"""Running a crawl from Python or the command line: Scrapy's ``CrawlerProcess`` with the project
settings, and a short summary of what the crawl did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from .extract.fallback import STAT as FALLBACK_STAT
from .reports import fallbacks


def project_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """newscrawler's settings (whatever the working directory), with overrides on top."""
    settings = Settings()
    settings.setmodule("newscrawler.settings", priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


@dataclass
class CrawlResult:
    portal: str
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def finish_reason(self) -> str:
        return str(self.stats.get("finish_reason", "unknown"))

    @property
    def ok(self) -> bool:
        return self.finish_reason in ("finished", "closespider_itemcount", "closespider_pagecount")

    @property
    def flag_reason(self) -> str | None:
        """Why the archive flagged this run (its field coverage fell), see ``reports``."""
        return self.stats.get("newscrawler/report/flag_reason")

    def count(self, key: str) -> int:
        return int(self.stats.get(key, 0))

    def summary(self) -> str:
        missing = {
            key.rsplit("/", 1)[1]: value
            for key, value in sorted(self.stats.items())
            if key.startswith("newscrawler/validate/missing/")
        }
        invalid = sum(v for k, v in self.stats.items() if k.startswith("newscrawler/validate/invalid/"))
        http_errors = sum(
            v for k, v in self.stats.items() if k.startswith("newscrawler/spider/http_status/")
        )
        lines = [
            f"crawl of {self.portal}: {self.finish_reason}",
            f"  pages fetched: {self.count('response_received_count')}",
            f"  article records: {self.count('newscrawler/validate/articles')}"
            f" (pages without a record: {invalid})",
            f"  robots.txt refusals: {self.count('robotstxt/forbidden')}",
            f"  HTTP errors: {http_errors}",
        ]
        before = self.count("newscrawler/resume/budget_spent_before")
        if before:
            lines.append(f"  resumed: {before} articles counted by the interrupted run (towards --max-articles)")
        older = self.count("newscrawler/since/skipped_after_extraction")
        if older:
            lines.append(f"  published before --since (captured, no record): {older}")
        if missing:
            lines.append("  missing fields: " + ", ".join(f"{k} {v}" for k, v in missing.items()))
        fell_back = fallbacks(self.stats)
        if fell_back:
            lines.append(
                f"  fields the profile missed, read by the generic extractor"
                f" ({self.count(FALLBACK_STAT + 'records')} records): "
                + ", ".join(f"{k} {v}" for k, v in fell_back.items())
            )
        skipped = self.count("newscrawler/incremental/skipped")
        revisited = self.count("newscrawler/incremental/revisited")
        if skipped or revisited:
            lines.append(f"  archived articles: {skipped} not fetched again, {revisited} revisited"
                         f" ({self.count('newscrawler/incremental/not_modified')} not modified)")
        if "newscrawler/archive/run_id" in self.stats:
            lines.append(
                f"  archive run {self.stats['newscrawler/archive/run_id']}:"
                f" new {self.count('newscrawler/archive/new')},"
                f" changed {self.count('newscrawler/archive/changed')},"
                f" unchanged {self.count('newscrawler/archive/unchanged')}"
            )
        if self.flag_reason:
            lines.append(f"  FLAGGED: {self.flag_reason}")
        return "\n".join(lines)


def run_crawl(
    portal: str,
    settings: dict[str, Any] | None = None,
    **spider_args: Any,
) -> CrawlResult:
    """Crawl one portal to completion in this process and return its stats."""
    process = CrawlerProcess(project_settings(settings))
    crawler = process.create_crawler(portal)
    args = {k: v for k, v in spider_args.items() if v is not None}
    process.crawl(crawler, **args)
    process.start()
    return CrawlResult(portal, dict(crawler.stats.get_stats() if crawler.stats else {}))
