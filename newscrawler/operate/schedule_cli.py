"""Commands for crawls left running: ``newscrawler schedule list|run|crontab`` and
``newscrawler crawls``. A thin click layer over ``newscrawler.operate.config``, ``newscrawler.operate.schedule``
and ``newscrawler.reports``; ``COMMANDS`` is added to the ``newscrawler`` group in ``cli.py``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from archive import default_db_path
from archive.cli import opened
from archive.params import ArchivePath

from .config import DEFAULT_CONFIG, Config, ConfigError, load_config


class BadConfig(click.ClickException):
    """A configuration file that cannot be used: bad input, exit status 2, one line."""

    exit_code = 2


def _load(path: str | None) -> Config:
    try:
        return load_config(Path(path) if path else Path(DEFAULT_CONFIG))
    except ConfigError as exc:
        raise BadConfig(str(exc)) from None


config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False),
    help=f"The configuration file (default: {DEFAULT_CONFIG}).",
)


@click.group()
def schedule() -> None:
    """Scheduled crawls of the portals in the configuration file (see docs/scheduling.md)."""


@schedule.command(name="list")
@config_option
@click.option("--count", "-n", type=click.IntRange(1, 100), default=3, show_default=True,
              help="Next run times shown per job.")
def list_jobs(config_path: str | None, count: int) -> None:
    """Each job (portal and schedule) and its next run times."""
    from .schedule import next_times

    config = _load(config_path)
    now = datetime.now(config.zone)
    for job in config.jobs:
        times = ", ".join(t.strftime("%Y-%m-%d %H:%M %Z").strip() for t in next_times(job, now, count))
        click.echo(f"{job.portal}\t{'; '.join(job.schedules)}\t{times}")


@schedule.command(name="crontab")
@config_option
def crontab(config_path: str | None) -> None:
    """Crontab lines equivalent to `schedule run` (one crawl per line, with a lock per portal)."""
    from .schedule import crontab_lines

    config = _load(config_path)
    for line in crontab_lines(config):
        click.echo(line)


@schedule.command(name="run")
@config_option
@click.option("--once", is_flag=True,
              help="Start every job now, whatever its schedule; exit when all have finished.")
@click.option("--max-runs", type=click.IntRange(min=1),
              help="Exit after this many crawls have finished.")
def run(config_path: str | None, once: bool, max_runs: int | None) -> None:
    """Run the schedule in the foreground: each due crawl in its own process.

    One crawl per portal at a time; a crash is recorded in the archive and the schedule goes
    on. SIGINT or SIGTERM stops it: running crawls get SIGINT (Scrapy's clean shutdown) and
    `stop_timeout` seconds to finish. After the machine slept, a missed job runs once. Portals
    on scrapyd nodes are queued there and followed to their end (docs/scaling.md).
    """
    from .schedule import Scheduler

    config = _load(config_path)
    scheduler = Scheduler(config, echo=click.echo)
    failed = scheduler.run(once=once, max_runs=max_runs)
    if (once or max_runs) and failed:
        raise SystemExit(1)


@schedule.command(name="crawl")
@click.argument("portal")
@config_option
def crawl_job(portal: str, config_path: str | None) -> None:
    """Crawl one configured PORTAL now, as `schedule run` would (lock, crash record); for cron."""
    from .schedule import Scheduler

    config = _load(config_path)
    if portal not in {job.portal for job in config.jobs}:
        raise click.UsageError(f"{portal!r} is not in {config.path}")
    scheduler = Scheduler(config, echo=click.echo)
    if scheduler.run(once=True, only=[portal]):
        raise SystemExit(1)


@click.command()
@click.option("--portal", help="Only this portal.")
@click.option("--last", type=click.IntRange(min=1), default=20, show_default=True,
              help="The newest N runs.")
@click.option("--flagged", is_flag=True, help="Only flagged runs no one has acknowledged yet.")
@click.option("--acknowledge", "run_id", type=int, metavar="RUN_ID",
              help="Acknowledge the flag of run RUN_ID (the #number) once checked; needs --note.")
@click.option("--note", help="With --acknowledge: what was checked, e.g. 'site was down'.")
@click.option("--by", "by", metavar="NAME",
              help="With --acknowledge: who checked it (default: your login name).")
@click.option("--db", "db_path", type=ArchivePath(), default=default_db_path,
              show_default="$NEWSCRAWLER_DB or data/newscrawler.sqlite", help="Archive file.")
@click.pass_context
def crawls(ctx: click.Context, portal: str | None, last: int, flagged: bool, run_id: int | None,
           note: str | None, by: str | None, db_path: str) -> None:
    """List crawl runs, newest first, one line each: pages, articles new/changed/unchanged,
    errors, robots.txt refusals, field coverage, and FLAGGED when coverage fell.

    A flag someone checked is acknowledged with `--acknowledge RUN_ID --note TEXT`: the run is
    then listed as `flag acknowledged ... by NAME (TEXT): REASON` and left out of --flagged.
    """
    from ..reports import open_flag, run_line

    if run_id is None:
        if note is not None or by is not None:
            raise click.UsageError("--note and --by go with --acknowledge RUN_ID")
    else:
        listing = [f"--{name}" for name in ("portal", "last", "flagged")
                   if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE]
        if listing:
            raise click.UsageError(f"--acknowledge takes no {', '.join(listing)}")
        if not note or not note.strip():
            raise click.UsageError("--acknowledge needs --note saying what was checked")
    with opened(db_path) as archive:
        if run_id is not None:
            try:
                archive.acknowledge_flag(run_id, note=str(note), by=by or _login_name())
            except ValueError as exc:
                raise click.ClickException(str(exc)) from None
            acknowledged = [r for r in archive.runs() if r["id"] == run_id]
            _warn_unreadable(acknowledged)
            click.echo(run_line(acknowledged[0]))
            return
        runs = archive.runs(portal)
    if flagged:
        runs = [r for r in runs if open_flag(r)]
    if not runs:
        # Said on standard error, as the archive's commands say it: standard output stays data.
        click.echo("No crawl runs match.", err=True)
    _warn_unreadable(runs[:last])
    for record in runs[:last]:
        click.echo(run_line(record))


def _warn_unreadable(runs: list[dict[str, Any]]) -> None:
    from ..reports import unreadable_warning

    warning = unreadable_warning(runs)
    if warning:
        click.echo(warning, err=True)


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers): the archivist must say
        raise click.UsageError("cannot tell who you are: give --by NAME") from None


COMMANDS: list[click.Command] = [schedule, crawls]
