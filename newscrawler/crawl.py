"""Running a crawl from Python or the command line: Scrapy's ``CrawlerProcess`` with the project
settings, a short summary of what the crawl did, and the exit status that says how it ended.

Exit statuses of ``newscrawler crawl`` (``EXIT_*``):

- 0: the crawl ran to its end (or to a limit it was given) and every page it fetched was
  archived or counted as a failure with its reason (an HTTP error, a download error…);
- 1: the crawl did not run to its end (stopped, a WARC file could not be written, the job
  directory is in use) or could not start, or its ``--output`` file or a feed could not be
  written, or the WARC files it replayed were damaged (pages lost to the damage);
- 2: the command line was wrong (an unknown option or portal, a bad value);
- 3: the crawl ran to its end but was flagged: its field coverage fell (``newscrawler.reports``);
- 4: the crawl failed: it lost pages without a reason, the archive refused a write, or an
  unexpected error in the spider or a pipeline lost a page (``newscrawler.accounting``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from . import reports
from .extract.fallback import STAT as FALLBACK_STAT
from .feeds import ERROR_STAT as FEED_ERROR_STAT
from .joblock import JobDirInUse
from .reports import (
    EVENTS_STAT,
    NEVER_SHOWN_STAT,
    REMOVAL_SIGN_STAT,
    STOPPED_WHILE_STARTING_STAT,
    fallbacks,
    stopped_while_starting_status,
)
from .resume import OVER_BUDGET_STAT
from .stopsignals import discard
from .warc.replay import DAMAGED_FILES_STAT, DAMAGED_STAT, NOT_CAPTURED_STAT, UNREADABLE_STAT

if TYPE_CHECKING:
    from twisted.python.failure import Failure

    from .crawllog import CrawlLog, LogPlan

EXIT_OK = 0
EXIT_INCOMPLETE = 1
EXIT_USAGE = 2
EXIT_FLAGGED = reports.EXIT_FLAGGED  # 3
EXIT_FAILED = 4
ACCOUNTING = "newscrawler/accounting/"
# Damage lines the summary lists; the log has them all.
SHOWN_DAMAGE = 10


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
    # The warnings and errors logged, when the crawl ran with a ``LogPlan``.
    log: CrawlLog | None = None

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

    @property
    def failed_because(self) -> str | None:
        """Why the page ledger failed the crawl (``newscrawler.accounting``), or None."""
        return self.stats.get(ACCOUNTING + "failed_because")

    @property
    def exit_code(self) -> int:
        """The exit status of ``newscrawler crawl`` for this crawl (see the module's docstring)."""
        if self.failed_because:
            return EXIT_FAILED
        if not self.ok or self.output_error or self.feeds_failed or self.replay_damage:
            return EXIT_INCOMPLETE
        if self.flag_reason:
            return EXIT_FLAGGED
        return EXIT_OK

    @property
    def replay_damage(self) -> list[str]:
        """The damaged WARC files and records a replay met, one line each (``warc.replay``)."""
        return list(self.stats.get(DAMAGED_STAT) or [])

    @property
    def output_error(self) -> str | None:
        """Why the ``--output`` file could not be written, or None."""
        return self.stats.get("newscrawler/output/error")

    @property
    def feeds_failed(self) -> bool:
        """A feed (``-s FEEDS=…``, scrapyd's items feed) could not be written or stored."""
        return bool(self.stats.get(FEED_ERROR_STAT) or sum(self.counts("feedexport/failed_count/").values()))

    def _feeds_line(self) -> str | None:
        if not self.feeds_failed:
            return None
        written = self.stats.get(FEED_ERROR_STAT)
        stored = sum(self.counts("feedexport/failed_count/").values())
        parts = ([f"could not write a feed: {written}"] if written else []) + (
            [f"{stored} feed{'s' * (stored != 1)} not stored (see the log)"] if stored else [])
        return "  feeds: ERROR: " + "; ".join(parts)

    def count(self, key: str) -> int:
        return int(self.stats.get(key, 0))

    def counts(self, prefix: str) -> dict[str, int]:
        """The stats under ``prefix``, keyed by the rest of their names."""
        return {k[len(prefix):]: int(v) for k, v in sorted(self.stats.items()) if k.startswith(prefix)}

    def _failures(self) -> dict[str, int]:
        return self.counts(ACCOUNTING + "failed/")

    def _ledger_line(self) -> str | None:
        """Where every fetched page went: the reconciliation of the page ledger."""
        if ACCOUNTING + "close_reason" not in self.stats:
            return None  # accounting was switched off
        kept = "scraped" if ACCOUNTING + "scraped" in self.stats else "archived"
        failures = self._failures()
        parts = [f"{self.count(ACCOUNTING + kept)} {kept}"]
        for key, label in (("redirected", "redirects followed"), ("retried", "answers retried")):
            if self.count(ACCOUNTING + key):
                parts.append(f"{self.count(ACCOUNTING + key)} {label}")
        parts.append(f"{sum(failures.values())} failed"
                     + (" (" + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in failures.items()) + ")"
                        if failures else ""))
        parts.append(f"{self.count(ACCOUNTING + 'lost')} lost without a reason")
        if self.count(ACCOUNTING + "interrupted"):
            parts.append(f"{self.count(ACCOUNTING + 'interrupted')} in flight when the crawl stopped")
        return f"  pages accounted for: {self.count(ACCOUNTING + 'downloaded')} responses; " + ", ".join(parts)

    def _replay_damage_lines(self) -> list[str]:
        """What damage in the WARC files replayed cost: said here, not only in the log."""
        damaged = self.replay_damage
        if not damaged:
            return []
        lines = [f"  damaged WARC files: {self.count(DAMAGED_FILES_STAT)}; pages not replayed"
                 f" (their records unreadable): {self.count(UNREADABLE_STAT)}"]
        lines += [f"    {what}" for what in damaged[:SHOWN_DAMAGE]]
        if len(damaged) > SHOWN_DAMAGE:
            lines.append(f"    … and {len(damaged) - SHOWN_DAMAGE} more (in the log)")
        return lines

    def _gaps(self) -> list[str]:
        """The expected gaps (an e-paper's missing editions), as the portal describes them."""
        from .portals import UnknownPortal, get
        from .portals.base import Portal
        from .spiders.portal import GAP_URLS

        try:
            profile: type[Portal] = get(self.portal)
        except UnknownPortal:  # a site without a profile, registered by another process
            profile = Portal
        return [profile.describe_gaps(key[len(GAP_URLS):], list(urls))
                for key, urls in sorted(self.stats.items()) if key.startswith(GAP_URLS) and urls]

    def _output_line(self) -> str | None:
        """Where the records went (``--output``), and why none did when none did."""
        path = self.stats.get("newscrawler/output/path")
        if not path:
            return None
        written = self.count("newscrawler/output/records")
        if self.output_error:
            # What the file lacks is unknown (its buffer was lost): the archive has all of it.
            kept = (", which the archive has (`newscrawler export` writes them)"
                    if "newscrawler/archive/run_id" in self.stats else "")
            return (f"  output: ERROR: could not write {path}: {self.output_error};"
                    f" records of this crawl are missing from it{kept}")
        if written:
            line = f"  output: {written} record{'s' * (written != 1)} appended to {path}"
            moved = self.count("newscrawler/output/moved")
            if moved:
                # Rotated during the crawl: the records written until then are in the moved file.
                before = self.count("newscrawler/output/records_before_move")
                times = "" if moved == 1 else f" {moved} times"
                line += (f" ({before} of them before it was moved away{times} during the crawl:"
                         f" they are in the moved file{'s' * (moved != 1)})")
            return line
        return f"  output: no records written to {path}: " + "; ".join(self._why_no_records())

    def _why_no_records(self) -> list[str]:
        """The reasons a crawl made no article record, from its stats, most telling first."""
        reasons = []
        if not self.ok:
            reasons.append(f"the crawl did not run to its end ({self.finish_reason})")
        skipped = self.count("newscrawler/incremental/skipped")
        if skipped:
            reasons.append(f"{skipped} article{'s' * (skipped != 1)} already in the archive"
                           " not due to be fetched again (--recrawl all fetches them)")
        not_modified = self.count("newscrawler/incremental/not_modified")
        if not_modified:
            reasons.append(f"{not_modified} fetched again answered 304 Not Modified")
        invalid = sum(self.counts("newscrawler/validate/invalid/").values())
        if invalid:
            reasons.append(f"{invalid} article page{'s' * (invalid != 1)} without a headline or body")
        older = (self.count("newscrawler/spider/skipped_before_since")
                 + self.count("newscrawler/since/skipped_after_extraction"))
        if older:
            reasons.append(f"{older} article{'s' * (older != 1)} published before --since")
        before = self.count("newscrawler/resume/budget_spent_before")
        if before:
            reasons.append(f"{before} articles were archived by the interrupted run this one resumed")
        errors = self.count("newscrawler/extract/error")
        if errors:
            reasons.append(f"{errors} extraction error{'s' * (errors != 1)}")
        if not reasons:
            pages = self.count("response_received_count")
            reasons.append(f"none of the {pages} pages fetched was an article page" if pages
                           else "no page was fetched")
        elif not (self.count("newscrawler/validate/articles") or invalid or errors or not_modified):
            reasons.append("only listing pages were fetched")
        return reasons

    def _removals_line(self) -> str | None:
        """Signs of removal seen on articles fetched again, and the status changes they made."""
        signs = self.counts(REMOVAL_SIGN_STAT)
        events = self.counts(EVENTS_STAT)
        if not signs and not events:
            return None
        seen = ", ".join(f"{k} {v}" for k, v in signs.items()) or "none"
        return (f"  removals: signs seen {seen}; articles removed {events.get('removed', 0)},"
                f" restored {events.get('restored', 0)}")

    def summary(self) -> str:
        missing = self.counts("newscrawler/validate/missing/")
        invalid = sum(self.counts("newscrawler/validate/invalid/").values())
        http_errors = sum(self.counts("newscrawler/spider/http_status/").values())
        download_errors = sum(
            v for k, v in self._failures().items()
            if k in ("download_error", "truncated", "undecodable", "too_large", "no_download_handler",
                     "unreadable_capture")
        )
        status = self.finish_reason
        if self.failed_because:
            status += f" ({self.failed_because})"
        stopped = self.stats.get(STOPPED_WHILE_STARTING_STAT)
        if stopped:
            status += f" {stopped_while_starting_status(stopped)}"
        lines = [
            f"crawl of {self.portal}: {status}",
            f"  pages fetched: {self.count('response_received_count')}",
            f"  article records: {self.count('newscrawler/validate/articles')}"
            f" (pages without a record: {invalid})",
            f"  robots.txt refusals: {self.count('robotstxt/forbidden')}",
            f"  HTTP errors: {http_errors}",
            f"  download errors: {download_errors}",
            f"  extraction errors: {self.count('newscrawler/extract/error')}",
            f"  archive write errors: {self.count('newscrawler/archive/write_error')}",
        ]
        ledger = self._ledger_line()
        if ledger:
            lines.append(ledger)
        lines += self._replay_damage_lines()
        # The ledger's count: pages, not the robots.txt the handler was asked for too.
        not_captured = (self._failures().get("not_captured", 0) if ACCOUNTING + "close_reason" in self.stats
                        else self.count(NOT_CAPTURED_STAT))
        if not_captured:
            # Not damage: the crawl went further than the capture did. Said, not an error.
            lines.append(f"  pages not captured in the WARC files (not replayed, nothing archived): {not_captured}")
        discarded = self.stats.get("newscrawler/resume/job_discarded")
        if discarded:
            lines.append(f"  not resumed: the job directory's unfinished job was discarded, {discarded}")
        before = self.count("newscrawler/resume/budget_spent_before")
        if before:
            limit = self.stats.get("newscrawler/resume/max_articles")
            lines.append(f"  resumed: {before} articles counted by the interrupted run (towards --max-articles {limit})"
                         if limit else
                         f"  resumed: {before} articles requested by the interrupted run (archived by it, or"
                         " left in its queue for this run)")
        over = self.count(OVER_BUDGET_STAT)
        if over:
            lines.append(f"  resumed: {over} queued article requests over --max-articles dropped, not fetched")
        older = self.count("newscrawler/since/skipped_after_extraction")
        if older:
            lines.append(f"  published before --since (captured, no record): {older}")
        if missing:
            lines.append("  missing fields: " + ", ".join(f"{k} {v}" for k, v in missing.items()))
        never = self.stats.get(NEVER_SHOWN_STAT)
        if never:
            lines.append(f"  fields {self.portal} never shows (not counted missing): {', '.join(never)}")
        lines += [f"  {line}" for line in self._gaps()]
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
        removals = self._removals_line()
        if removals:
            lines.append(removals)
        output = self._output_line()
        if output:
            lines.append(output)
        feeds = self._feeds_line()
        if feeds:
            lines.append(feeds)
        if self.flag_reason:
            lines.append(f"  FLAGGED: {self.flag_reason}")
        if self.log is not None:
            lines.append(self.log.summary_line())
        return "\n".join(lines)


def run_crawl(
    portal: str,
    settings: dict[str, Any] | None = None,
    log: LogPlan | None = None,
    **spider_args: Any,
) -> CrawlResult:
    """Crawl one portal to completion in this process and return its stats.

    With a ``log`` plan (``newscrawler.crawllog``), Scrapy's log goes where the plan says (the
    given ``settings`` still win) and the result counts the warnings and errors logged; without
    one, logging is Scrapy's own.

    Raises ``joblock.JobDirInUse`` when the job directory is found in use as the crawl starts
    (a crawl started meanwhile took it), as ``newscrawler crawl`` finds it before starting.
    """
    installed = None
    if log is not None:
        from .crawllog import Installed

        log.prepare()
        settings = {**log.settings(), **(settings or {})}
    full = project_settings(settings)
    process = CrawlerProcess(full)
    if log is not None:
        installed = Installed(log, full)
    refused: list[JobDirInUse] = []

    def job_dir_in_use(failure: Failure) -> Failure | None:
        # Scrapy's clean-up after a scheduler that could not start fails in turn (its engine
        # has no slot): the refusal is what that error happened while handling.
        exc: BaseException | None = failure.value
        while exc is not None and not isinstance(exc, JobDirInUse):
            exc = exc.__cause__ or exc.__context__
        if exc is None:
            return failure
        refused.append(exc)
        return None

    try:
        crawler = process.create_crawler(portal)
        args = {k: v for k, v in spider_args.items() if v is not None}
        process.crawl(crawler, **args).addErrback(job_dir_in_use)
        process.start()
    finally:
        # A stop held for a crawl whose engine never ran (``stopsignals``): there is nothing
        # left to stop.
        discard()
        crawl_log = installed.finish() if installed is not None else None
    if refused:
        raise refused[0]
    return CrawlResult(portal, dict(crawler.stats.get_stats() if crawler.stats else {}), crawl_log)
