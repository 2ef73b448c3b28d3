"""The ``newscrawler`` command line: crawling and extraction here, research commands from
``archive.cli``. Each command is a thin layer over the library; user mistakes get a one-line
error and a non-zero exit, not a traceback."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import click
from w3lib.url import safe_url_string

from archive.connection import default_db_path
from archive.params import (
    DATE,
    HELP_OPTIONS,
    TIME_BOUND,
    ArchivePath,
    OutputPath,
    same_help_everywhere,
)

from . import __version__, portals
from .extract import InvalidRecord, error_reason, extract, saved_page
from .operate import nodes_cli, schedule_cli
from .params import SETTING, URL, check_url
from .reparse_pool import STALL_TIMEOUT
from .sidecars import SidecarError, capture_date, check_sidecars, page_headers

if TYPE_CHECKING:
    from .crawllog import LogPlan


def _checked_replay(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A saved copy to replay: its header sidecars are read before the crawl serves them; of
    WARC files, at least one must be readable (what damaged ones hold is replayed as far as it
    can be read)."""
    if value and Path(value).is_dir():
        if not any(path.is_file() for path in Path(value).rglob("*")):
            # Every page would answer 404, which reads as broken selectors or start pages.
            raise click.BadParameter(f"{value} is empty: no saved pages or WARC files to replay", ctx, param)
        try:
            check_sidecars(Path(value))
        except SidecarError as exc:
            raise click.BadParameter(str(exc), ctx, param) from exc
    if value and _is_warc_source(Path(value)):
        from .warc.index import first_record_damage, warc_files

        files = warc_files(Path(value))
        damages = [first_record_damage(path) for path in files]
        if files and all(damages):
            raise click.BadParameter("no readable WARC file: " + "; ".join(map(str, damages)), ctx, param)
    return value


@click.group(context_settings=HELP_OPTIONS)
@click.version_option(__version__, prog_name="newscrawler")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Archive Chinese news portals: crawl, extract structured records, and query the archive."""
    if ctx.invoked_subcommand != "crawl":
        # A Ctrl-C held while the program started acts now; a crawl acts on one once it runs.
        from .stopsignals import release

        release()


@cli.command()
@click.argument("portal", required=False)
@click.option("--start-url", type=URL,
              help="Crawl a site without a profile from this page instead of PORTAL: same-site "
                   "links, articles told apart by URL shape and content, the generic extractor.")
@click.option("--allow-domain", multiple=True, metavar="DOMAIN",
              help="With --start-url: also follow links to this domain and its subdomains.")
@click.option("--article-pattern", metavar="REGEX",
              help="With --start-url: article pages are the URLs this matches (re.search); "
                   "default: URL and page heuristics.")
@click.option("--replay", "replay_dir", type=click.Path(exists=True, file_okay=False), callback=_checked_replay,
              help="Crawl offline from a saved copy of the portal (a directory laid out by URL "
                   "path) or from WARC files (a .warc.gz file or a directory of them).")
@click.option("--no-warc", is_flag=True, help="Do not write WARC captures.")
@click.option("--output", "-o",
              type=OutputPath(no_stdout="standard output has the crawl's summary: give a file"),
              help="Append one JSON record per article to this JSON Lines file.")
@click.option("--db", "db_path", type=ArchivePath(),
              help="The archive file (default: $NEWSCRAWLER_DB or data/newscrawler.sqlite).")
@click.option("--no-archive", is_flag=True, help="Do not write to the archive.")
@click.option("--recrawl", type=click.Choice(["policy", "watch", "all", "none"]), default=None,
              help="Archived articles to fetch again: recent ones when due (policy, the default; "
                   "see NEWSCRAWLER_RECRAWL_*), all at intervals growing with their age (watch), "
                   "all, or none. Listings are always fetched.")
@click.option("--job-dir", type=click.Path(file_okay=False),
              help="Keep the crawl's state here so that a stopped crawl resumes when run again "
                   "(default: jobs/PORTAL beside the archive).")
@click.option("--max-articles", type=click.IntRange(min=1),
              help="Fetch at most N article pages in the whole job: a resumed crawl counts those "
                   "of the runs it resumes, and keeps to the N it is given now.")
@click.option("--since", type=DATE,
              help="Skip articles listed or published before this date (YYYY-MM-DD).")
@click.option("--from", "date_from", type=DATE,
              help="Portals addressed by date (e-papers; others refuse it): the first edition to crawl.")
@click.option("--to", "date_to", type=DATE,
              help="Portals addressed by date: the last edition to crawl (default: today).")
@click.option("--depth", type=click.IntRange(min=0), help="Follow links at most this deep (0: no limit).")
@click.option("--contact", help="E-mail or URL for site operators, sent in the User-Agent.")
@click.option("--set", "-s", "extra", multiple=True, type=SETTING, help="Any Scrapy setting.")
@click.option("--verbose", "-v", is_flag=True,
              help="Print Scrapy's log on standard error (level INFO). By default it goes to a "
                   "file only, logs/PORTAL-TIME.log beside the archive, and the summary counts its "
                   "warnings and errors and shows the first few.")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
              help="Print Scrapy's log on standard error at this level (as --verbose does at INFO).")
@click.option("--log-file", type=OutputPath(no_stdout="give a file (--verbose prints the log on standard error)"),
              help="Write the full log here (default: logs/PORTAL-TIME.log beside the archive; none "
                   "with --no-archive or --verbose unless given).")
def crawl(portal: str | None, start_url: str | None, allow_domain: tuple[str, ...],
          article_pattern: str | None, replay_dir: str | None, no_warc: bool, output: str | None, db_path: str | None,
          no_archive: bool, recrawl: str | None, job_dir: str | None, max_articles: int | None,
          since: str | None, date_from: str | None, date_to: str | None,
          depth: int | None, contact: str | None, extra: tuple[tuple[str, str], ...],
          verbose: bool, log_level: str | None, log_file: str | None) -> None:
    """Crawl PORTAL (see `newscrawler portals`), or with --start-url a site without a profile,
    into the archive (and --output, if given).

    Every page fetched is archived or counted as a failure with its reason; the summary says
    where each went. On a terminal a progress line shows the crawl as it goes; Scrapy's log is
    kept in a file (--verbose prints it).

    \b
    Exit status:
      0  finished: every page fetched archived or counted as a failure
      1  did not run to its end (stopped, WARC, --output or feed write error, job
         directory in use)
      2  usage error (bad option, value or portal)
      3  finished, but flagged: field coverage fell (see `newscrawler crawls`)
      4  failed: pages lost without a reason, archive write errors, or spider or
         pipeline errors
    """
    from .crawl import run_crawl  # Scrapy is imported only by the commands that crawl

    job_name = portal
    if start_url:
        if portal:
            raise click.UsageError("give PORTAL or --start-url, not both")
        portal = _adhoc_portal(start_url, allow_domain, article_pattern)
        job_name = f"site-{urlsplit(start_url).hostname}"
    elif allow_domain or article_pattern:
        raise click.UsageError("--allow-domain and --article-pattern go with --start-url")
    elif not portal:
        raise click.UsageError("missing PORTAL (see `newscrawler portals`) or --start-url URL")
    try:
        portals.get(portal)
        portals.check_edition_dates(portal, [option for option, day in (("--from", date_from), ("--to", date_to))
                                             if day is not None],
                                    "a site crawled by --start-url" if start_url else None)
    except (portals.UnknownPortal, ValueError) as exc:
        raise click.UsageError(str(exc)) from None
    if date_from and date_to and date_from > date_to:
        raise click.BadParameter(f"{date_from} is after --to {date_to}", param_hint="--from")
    settings: dict[str, Any] = dict(extra)
    if replay_dir:
        kind = "NEWSCRAWLER_REPLAY_WARC" if _is_warc_source(Path(replay_dir)) else "NEWSCRAWLER_REPLAY_DIR"
        settings[kind] = str(Path(replay_dir).resolve())
    if no_warc:
        settings["NEWSCRAWLER_WARC_ENABLED"] = False
    if output:
        settings["NEWSCRAWLER_OUTPUT"] = output
    if no_archive:
        settings["NEWSCRAWLER_ARCHIVE"] = ""  # chosen: no warning that nothing is archived
    else:
        if db_path is None:  # the default is checked as --db would be
            ctx = click.get_current_context()
            param = next(p for p in ctx.command.params if p.name == "db_path")
            db_path = param.type_cast_value(ctx, default_db_path())
        settings["NEWSCRAWLER_ARCHIVE"] = db_path
        job_dir = job_dir or str(Path(settings["NEWSCRAWLER_ARCHIVE"]).parent / "jobs" / str(job_name))
    if job_dir:
        from .joblock import JobDirInUse, check_job_dir
        from .resume import check_job_portal

        try:
            check_job_dir(job_dir)
            check_job_portal(job_dir, portal)
        except JobDirInUse as exc:
            _job_dir_refused(exc)
        settings["JOBDIR"] = job_dir
    if recrawl:
        settings["NEWSCRAWLER_RECRAWL"] = recrawl
    if depth is not None:
        settings["DEPTH_LIMIT"] = depth
    if contact:
        settings["NEWSCRAWLER_CONTACT"] = contact
    # -s LOG_FILE=… is Scrapy's way of saying --log-file.
    log = _log_plan(verbose, log_level, log_file or settings.pop("LOG_FILE", None),
                    None if no_archive else settings["NEWSCRAWLER_ARCHIVE"], str(job_name))
    from .joblock import JobDirInUse

    try:
        result = run_crawl(portal, settings, log, max_articles=max_articles, since=since,
                           date_from=date_from, date_to=date_to)
    except JobDirInUse as exc:  # taken by a crawl started since the check above
        _job_dir_refused(exc)
    click.echo(result.summary())
    for line in result.log.excerpt() if result.log else []:
        click.echo(line, err=True)
    sys.exit(result.exit_code)


def _job_dir_refused(exc: Exception) -> NoReturn:
    """End ``crawl`` refusing a job directory another crawl is using: one line, exit 1 (the
    scheduler reads it, ``joblock.job_dir_refused``), or exit 2 for another portal's job, a
    --job-dir given by mistake, which the user must change."""
    from .resume import JobOfAnotherPortal

    click.echo(f"Error: {exc}", err=True)
    sys.exit(2 if isinstance(exc, JobOfAnotherPortal) else 1)


def _log_plan(verbose: bool, log_level: str | None, log_file: str | None, archive: str | None,
              job: str) -> LogPlan:
    """Where a crawl's log goes (``newscrawler.crawllog``): the terminal when asked, a file
    beside the archive otherwise."""
    from .crawllog import LogPlan, default_log_file

    show = verbose or log_level is not None
    if log_file:
        file: Path | None = Path(log_file)
    elif not show and archive:
        file = default_log_file(archive, job)
    else:
        file = None
    return LogPlan(show=show, level=(log_level or "INFO").upper(), file=file)


@cli.command(name="extract")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--url", type=URL, help="The page's URL (default: its canonical link; without either, the record's "
                                       "url is null, with the warning no_url).")
@click.option("--portal", help="Portal profile to use (default: chosen by URL; `generic` for any site).")
@click.option("--fetched-at", help="When the page was saved, ISO 8601; resolves relative times (昨天, "
                                   "3小时前), which stay unresolved without it.")
@click.option("--no-fallback", is_flag=True,
              help="Only what the profile's selectors read: no fields from the generic extractor "
                   "where they miss (to check a profile's selectors).")
def extract_command(files: tuple[str, ...], url: str | None, portal: str | None,
                    fetched_at: str | None, no_fallback: bool) -> None:
    """Print one JSON record per line for saved article pages; no network.

    A file `X.headers.json` beside a page supplies its HTTP headers (e.g. Content-Type). A page
    whose URL is neither given nor in a canonical link is read by the generic extractor (or
    --portal) into a record with url and canonical_url null and the warning no_url; such records
    are for reading, not for the archive, which files articles by URL.

    A page without an article, or one the extractor fails on, gets a one-line error naming the
    file; the other pages are still read, and the command exits 1.
    """
    if url and len(files) > 1:
        raise click.UsageError("--url names one page; give one FILE with it")
    if portal and portal != "generic":
        try:
            portals.get(portal)
        except portals.UnknownPortal as exc:
            raise click.UsageError(str(exc)) from None
    when = _parse_fetched_at(fetched_at) if fetched_at else None
    try:  # a malformed sidecar is a mistake in the input: nothing is extracted
        headers = {name: page_headers(Path(name)) for name in files}
    except SidecarError as exc:
        raise click.BadParameter(str(exc), param_hint="FILES") from exc
    failed = 0
    for name in files:
        try:
            record = _extract_file(Path(name), url, headers[name], when, portal, not no_fallback)
        except _PageFailure as exc:
            click.echo(f"error: {name}: {exc}", err=True)
            failed += 1
            continue
        click.echo(json.dumps(record, ensure_ascii=False))
    if failed:
        sys.exit(1)


class _PageFailure(Exception):
    """Why ``extract`` has no record for one file, in one line; the other files are still read."""


def _extract_file(path: Path, url: str | None, headers: dict[str, Any], when: datetime | None,
                  portal: str | None, fallback: bool) -> dict[str, Any]:
    """The record of one saved page for ``extract``; ``_PageFailure`` when it has none."""
    # Here, not at the top: the generic extractor is imported only by the commands reading pages.
    from .extract.generic.metadata import canonical_link

    try:
        body = path.read_bytes()
    except OSError as exc:
        raise _PageFailure(f"cannot read the file: {exc.strerror or exc}") from exc
    try:
        # A page without --url or a canonical link is still read: its record has url null and
        # the warning no_url, since a saved file often is all a researcher has.
        parsed = None if url else saved_page(body, headers)
        link = canonical_link(parsed[1]) if parsed else None
        try:
            # Percent-encoded as a crawl stores the URL it fetched the page from.
            page_url = url or (safe_url_string(check_url(link)) if link else None)
        except ValueError as exc:
            raise _PageFailure(f"the page's canonical link {exc.args[0]}; give --url") from exc
        # Without --fetched-at, the capture's own Date (a sidecar, or a .headers.json above the
        # page) says when it was fetched, never today.
        return extract(page_url, body, headers, when or capture_date(headers), portal,
                       fallback=fallback, parsed=parsed)
    except (InvalidRecord, portals.UnknownPortal) as exc:
        raise _PageFailure(str(exc)) from exc
    except _PageFailure:
        raise
    except Exception as exc:  # an extractor bug on one page: the other pages go on
        raise _PageFailure(f"extraction failed: {error_reason(exc)}") from exc


@cli.command(name="check")
@click.argument("portal")
@click.option("--replay", "replay_dir", type=click.Path(exists=True, file_okay=False), callback=_checked_replay,
              help="Check a saved copy (a directory laid out by URL path, or WARC files) "
                   "instead of the live site.")
@click.option("-n", "pages", type=click.IntRange(min=1), default=5, show_default=True,
              help="Article pages to check (with the listing pages leading to them).")
@click.option("--contact", help="E-mail or URL for site operators, sent in the User-Agent.")
@click.option("--set", "-s", "extra", multiple=True, type=SETTING, help="Any Scrapy setting.")
def check_command(portal: str, replay_dir: str | None, pages: int, contact: str | None,
                  extra: tuple[tuple[str, str], ...]) -> None:
    """Check PORTAL's selectors on a few pages: per field, how many pages produced it.

    Exits 1 when a required field (headline, paragraphs) is missing on any article page: what
    to run after a site redesign.
    """
    from .check import run_check

    try:
        portals.get(portal)
    except portals.UnknownPortal as exc:
        raise click.UsageError(str(exc)) from None
    settings: dict[str, Any] = {"LOG_LEVEL": "WARNING", **dict(extra)}
    if replay_dir:
        kind = "NEWSCRAWLER_REPLAY_WARC" if _is_warc_source(Path(replay_dir)) else "NEWSCRAWLER_REPLAY_DIR"
        settings[kind] = str(Path(replay_dir).resolve())
    if contact:
        settings["NEWSCRAWLER_CONTACT"] = contact
    report = run_check(portal, pages, settings)
    click.echo(report.table())
    for problem in report.problems:
        click.echo(f"Error: {problem}", err=True)
    if not report.ok:
        sys.exit(1)


@cli.command(name="portals")
def list_portals() -> None:
    """List the portal profiles: name, title, hosts and layout versions."""
    from archive.terminal import table

    rows = []
    for name in portals.names():
        profile = portals.get(name)
        rows.append({"portal": name, "title": profile.title, "hosts": ", ".join(profile.hosts),
                     "layouts": ", ".join(layout.name(name) for layout in profile.layouts)})
    click.echo(table(rows, ["portal", "title", "hosts", "layouts"]))


@cli.command()
@click.option("--portal", help="Only captures from this portal's crawls.")
@click.option("--since", type=TIME_BOUND, help="Fetched on or after: YYYY-MM-DD (UTC date) or ISO time.")
@click.option("--until", type=TIME_BOUND, help="Fetched on or before: YYYY-MM-DD (UTC date) or ISO time.")
@click.option("--warc-dir", type=click.Path(exists=True, file_okay=False),
              help="WARC files to read pages the archive has no body for (default: warc/ beside "
                   "the archive).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes reading and extracting pages (default: one per core).")
@click.option("--worker-timeout", type=click.FloatRange(min=0, min_open=True), default=STALL_TIMEOUT,
              show_default=True, metavar="SECONDS",
              help="With workers: stop the pass when they deliver nothing for this long (a worker "
                   "stopped or stuck), killing them.")
@click.option("--db", "db_path", type=ArchivePath(), default=default_db_path,
              show_default="$NEWSCRAWLER_DB or data/newscrawler.sqlite", help="The archive file.")
def reparse(portal: str | None, since: str | None, until: str | None, warc_dir: str | None,
            jobs: int | None, worker_timeout: float, db_path: str) -> None:
    """Re-extract archived article pages with today's extractors; no network.

    Content that differs from a capture's version becomes a new version of the article,
    recording the extractor that read it; the same content changes nothing. A capture that
    cannot be read or whose extraction fails is listed in the summary and the others go on;
    the command then exits 1. A worker that dies or delivers nothing for --worker-timeout
    seconds, or an archive that refuses a write, stops the pass: the summary of what was
    done, then one Error line; exit 1.
    """
    from archive.cli import check_portal, opened
    from archive.query import CaptureFilter

    from .reparse import ReparseStopped, default_jobs, run

    filters = CaptureFilter(portal=portal, since=since, until=until)
    try:
        filters.where()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    with opened(db_path) as archive:
        check_portal(archive, portal)
        try:
            result = run(archive, filters, warc_dir, jobs=jobs or default_jobs(), worker_timeout=worker_timeout)
        except ReparseStopped as stopped:
            click.echo(stopped.result.summary())
            raise click.ClickException(
                f"re-extraction stopped: {stopped.reason}. What was written before is kept; run the "
                "command again to finish (captures already re-extracted change nothing)."
            ) from stopped
    click.echo(result.summary())
    if result.failures:  # captures unreadable or failing extraction: listed in the summary
        sys.exit(1)


def _add_research_commands() -> None:
    # The archive's own commands (search, show, export, stats, rankings, serve; the archive group:
    # snapshot, merge): a thin click layer over the archive library, which knows nothing of Scrapy.
    from archive.cli import COMMANDS, archive_group

    for command in COMMANDS:
        cli.add_command(command)
    cli.add_command(archive_group)


_add_research_commands()
cli.add_command(schedule_cli.schedule)
cli.add_command(schedule_cli.crawls)
for _command in nodes_cli.COMMANDS:
    cli.add_command(_command)


@cli.group(name="portal")
def portal_group() -> None:
    """Portal profiles: draft a new one from a saved page."""


@portal_group.command(name="new")
@click.argument("name")
@click.option("--sample", required=True, type=click.Path(exists=True, dir_okay=False),
              help="A saved article page of the site.")
@click.option("--url", required=True, type=URL, help="The URL the sample was saved from.")
@click.option("--portals-dir", type=click.Path(file_okay=False),
              help="Write the module here (default: the newscrawler/portals package).")
@click.option("--fixtures-dir", type=click.Path(file_okay=False),
              help="Write the fixture and its expected record here (default: fixtures/).")
@click.option("--fetched-at", help="When the sample was saved, ISO 8601 (default: now).")
def portal_new(name: str, sample: str, url: str, portals_dir: str | None, fixtures_dir: str | None,
               fetched_at: str | None) -> None:
    """Draft portal NAME from one saved page: module, fixture and expected record, to review."""
    from .scaffold import FIXTURES_DIR, PORTALS_DIR, ScaffoldError, new_portal

    try:
        made = new_portal(name, Path(sample), url, Path(portals_dir) if portals_dir else PORTALS_DIR,
                          Path(fixtures_dir) if fixtures_dir else FIXTURES_DIR,
                          _parse_fetched_at(fetched_at) if fetched_at else None)
    except (ScaffoldError, InvalidRecord) as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"wrote {made.module}\nwrote {made.fixture}\nwrote {made.expected}")
    for note in made.notes:
        click.echo(f"TODO {note}")
    click.echo("Review the expected record against the page, field by field; correct the selectors "
               "and run scripts/regenerate_expected.py on it.")


def _adhoc_portal(start_url: str, allow_domains: tuple[str, ...], article_pattern: str | None) -> str:
    """Build and register the profile of a site without one; the name to crawl it by."""
    from .portals.adhoc import adhoc_portal, register_adhoc

    try:
        return register_adhoc(adhoc_portal(start_url, allow_domains, article_pattern))
    except ValueError as exc:  # a bad URL or pattern, or a host a profile owns
        raise click.UsageError(str(exc)) from None


def _is_warc_source(path: Path) -> bool:
    from .warc import is_warc_source

    return is_warc_source(path)


def _parse_fetched_at(value: str | None) -> datetime:
    if value is None:
        return datetime.now(timezone.utc)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use ISO 8601, e.g. 2024-07-01T11:00:00+08:00", param_hint="--fetched-at") from None
    try:
        # In UTC here: at the edges of what datetime holds (9999-12-31T23:00-05:00) it cannot be.
        fetched = (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    except OverflowError:
        raise click.BadParameter(f"{value!r} is out of range", param_hint="--fetched-at") from None
    # A fetch time ahead of now is a typo (2042 for 2024): relative times would resolve into
    # the future. A day of slack for clocks and zones.
    if fetched > datetime.now(timezone.utc) + timedelta(days=1):
        raise click.BadParameter(f"{value!r} is in the future", param_hint="--fetched-at")
    return fetched


def main() -> None:
    cli()


if __name__ == "__main__":
    main()


# Every command and group defined: each gets the root's help names as its own.
same_help_everywhere(cli)


def reference_markdown() -> str:
    """The help of every command but the archive's research commands (those are on
    ``docs/archive.md``), as ``docs/commands.md`` carries it; a test keeps them equal."""
    from archive.cli import COMMANDS
    from archive.clidoc import help_markdown

    return help_markdown(command for command in cli.commands.values() if command not in COMMANDS)
