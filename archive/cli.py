"""Research commands over an archive: search, show, export, stats, rankings, serve.

Each command is a thin layer over the library. They are collected in ``COMMANDS`` so the
``newscrawler`` command group can add them; ``python -m archive.cli`` runs them on their own.
Mistakes (a missing archive, a bad query, an unknown portal) end with a one-line error and a
non-zero exit; read commands never create an archive file.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click

from .changes import COLUMNS as CHANGE_COLUMNS
from .changes import KINDS
from .clidoc import help_markdown
from .connection import ArchiveError, database_error, default_db_path
from .db import Archive
from .export import MissingDependency
from .jsoncolumns import unreadable_warning
from .params import (
    HELP_OPTIONS,
    STDOUT,
    TIME_BOUND,
    ArchivePath,
    ChartPath,
    OutputPath,
    same_help_everywhere,
)
from .query import AmbiguousArticle, ArticleFilter
from .rankings import COLUMNS as RANKING_COLUMNS
from .search import HIT_FIELDS

FORMATS = ("table", "json", "csv")


def db_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db", "db_path", type=ArchivePath(), default=default_db_path,
        show_default="$NEWSCRAWLER_DB or data/newscrawler.sqlite", help="Archive file.",
    )(command)


@contextmanager
def opened(db_path: str) -> Iterator[Archive]:
    """The archive for a read command: never created, errors as one line, those SQLite meets
    while the command reads it (damaged pages, a lock held too long) too."""
    try:
        archive = Archive.open(db_path, create=False)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        yield archive
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(str(database_error(db_path, exc))) from exc
    finally:
        archive.close()


@contextmanager
def writing(target: str | None) -> Iterator[None]:
    """Errors writing a command's output (file ``target``, or standard output when None) as one
    line: a directory that cannot be written, a full disk. A file left behind is said to be
    incomplete."""
    try:
        yield
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            raise  # a reader that stopped (| head): click exits quietly
        name = exc.filename or target
        where = f"cannot write {name}" if name else "cannot write to standard output"
        left = " (what it holds is incomplete)" if name and os.path.isfile(name) else ""
        raise click.ClickException(f"{where}: {exc.strerror or exc}{left}") from exc


def check_portal(archive: Archive, portal: str | None) -> None:
    if portal and portal not in archive.portals():
        known = ", ".join(archive.portals()) or "none"
        raise click.ClickException(f"unknown portal {portal!r} (archive has: {known})")


def emit(rows: list[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None, *,
         nothing: str | None = None, fields: Sequence[str] = ()) -> None:
    """Print rows as a table (aligned by display width), a JSON array or CSV.

    No rows, when there is nothing to show (``nothing``): the table is the line ``nothing`` on
    standard error, so that standard output stays data; JSON is ``[]``; CSV is the header row
    of ``fields`` (the columns rows would have), which tools read as a table without rows.
    """
    if not rows and nothing is not None and fmt == "table":
        click.echo(nothing, err=True)
        return
    columns = list(columns or (list(rows[0]) if rows else fields))
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        from .terminal import table

        click.echo(table(rows, columns))


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--portal", help="Only this portal."),
        click.option("--since", type=TIME_BOUND,
                     help="Published on or after: YYYY-MM-DD (portal's local date) or ISO time."),
        click.option("--until", type=TIME_BOUND, help="Published on or before: YYYY-MM-DD or ISO time."),
    ]):
        command = option(command)
    return command


def _filter(**kwargs: Any) -> ArticleFilter:
    article_filter = ArticleFilter(**kwargs)
    try:
        article_filter.where()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    return article_filter


class SearchCommand(click.Command):
    """``search``: an argument that starts with a single ``-`` is the query, not an option.

    The command's options are all long (``--portal``), so ``-体育 徐闻`` (a query that starts
    with an exclusion) can only be the query; without this click would report an unknown option.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if "--" not in args:
            queries = [a for a in args if a.startswith("-") and not a.startswith("--") and a != "-"]
            if queries:
                args = [a for a in args if a not in queries] + ["--", *queries]
        return super().parse_args(ctx, args)


# Only --help: a single-dash argument is the query ("-h" excludes h).
@click.command(cls=SearchCommand, context_settings={"help_option_names": ["--help"]})
@click.argument("query")
@filter_options
@click.option("--reporter", help="A reporter's name contains this (either script).")
@click.option("--editor", help="An editor's name contains this (either script).")
@click.option("--source", help="The source contains this (either script).")
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@db_option
def search(query: str, portal: str | None, since: str | None, until: str | None,
           reporter: str | None, editor: str | None, source: str | None, limit: int, fmt: str,
           db_path: str) -> None:
    """Full-text search; words separated by spaces must all occur.

    Each word matches as a substring in Traditional or Simplified script: 徐闻 finds 徐聞.

    \b
      徐闻 会议 OR 大会     徐闻, and 会议 or 大会 (OR, also |, binds tighter than a space)
      会议 -体育            会议 but not 体育 (also: 会议 NOT 体育)
      "New York 时报"       a phrase: these words in this order
      (徐闻 OR 雷州) 会议   parentheses group

    Operators are ASCII and upper case; quote them to search for them ("OR").
    """
    from .syntax import QueryError, check

    try:
        check(query)
    except QueryError as exc:
        raise click.UsageError(str(exc)) from exc
    article_filter = _filter(portal=portal, since=since, until=until, reporter=reporter,
                             editor=editor, source=source)
    with opened(db_path) as archive:
        check_portal(archive, portal)
        try:
            hits = archive.search(query, limit=limit, **vars(article_filter))
        except QueryError as exc:
            raise click.UsageError(str(exc)) from exc
        rows = [hit.as_dict() for hit in hits]
        if fmt != "json":
            for row in rows:
                row["reporters"] = "; ".join(row["reporters"])
                row["editors"] = "; ".join(row["editors"])
        columns = ["id", "published_at", "portal", "headline", "snippet"]
        emit(rows, fmt, columns if fmt == "table" else None, nothing=f"No articles match {query!r}.",
             fields=HIT_FIELDS)


@click.command(context_settings=HELP_OPTIONS)
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True,
              help="The full record, every version and every capture, as JSON.")
@click.option("--paragraphs", type=click.IntRange(0), default=3, show_default=True,
              help="Opening paragraphs to print (0: all).")
@db_option
def show(ref: str, as_json: bool, paragraphs: int, db_path: str) -> None:
    """An article by ID, URL or PORTAL:ID (the portal's own id, as `show` prints it): headline,
    time, source, people, its opening paragraphs, and its versions and captures (with where each
    capture's WARC record is). A portal's id alone works too when it is no archive ID and one
    article has it."""
    from .terminal import article_summary

    with opened(db_path) as archive:
        try:
            found = archive.article(ref)
        except AmbiguousArticle as exc:
            raise click.ClickException(str(exc)) from None
        if found is None:
            raise click.ClickException(f"no article {ref!r} in {db_path}")
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        click.echo(article_summary(found, paragraphs=paragraphs))


@click.command(context_settings=HELP_OPTIONS)
@click.argument("ref")
@click.option("--from", "from_number", type=click.IntRange(min=1), metavar="N",
              help="The older version, by number (1 = first seen; default: the one before --to).")
@click.option("--to", "to_number", type=click.IntRange(min=1), metavar="N",
              help="The newer version (default: the latest).")
@click.option("--html", "as_html", is_flag=True, help="A standalone HTML page instead of text.")
@click.option("--color/--no-color", default=None,
              help="Colour the changes (default: on a terminal only).")
@db_option
def diff(ref: str, from_number: int | None, to_number: int | None, as_html: bool,
         color: bool | None, db_path: str) -> None:
    """What changed between two versions of an article (by ID, URL or PORTAL:ID): the fields that differ
    and the paragraphs inserted, deleted and rewritten, characters deleted marked [-so-] and
    inserted {+so+}. Versions are numbered in the order they were first seen, as `show` lists
    them; by default the latest is compared with the one before it."""
    from .diffview import terminal, to_html
    from .terminal import terminal_width

    with opened(db_path) as archive:
        try:
            changes, from_n, to_n = archive.diff(ref, from_number, to_number)
        except (KeyError, ValueError) as exc:
            # The message itself: str() of a KeyError is its repr, quotes and all.
            raise click.ClickException(str(exc.args[0])) from exc
        article = archive.conn.execute(
            "SELECT id, canonical_url FROM articles WHERE id = (SELECT article_id FROM versions"
            " WHERE id = ?)", (changes.to_version,)).fetchone()
    title = f"article {article[0]} {article[1]}: version {from_n} → {to_n}"
    if as_html:
        click.echo(to_html(changes, title), nl=False)
        return
    width = terminal_width()
    click.echo(terminal(changes, title, color=width is not None if color is None else color,
                        width=width), nl=False)


@click.command(context_settings=HELP_OPTIONS)
@click.option("--portal", help="Only this portal.")
@click.option("--since", type=TIME_BOUND,
              help="Changes first seen on or after: YYYY-MM-DD (UTC day) or ISO time.")
@click.option("--until", type=TIME_BOUND, help="Changes first seen on or before.")
@click.option("--kind", type=click.Choice(KINDS),
              help="Only this kind of change (reextracted: the same page read by a newer"
                   " extractor; left out otherwise).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), help="At most N changes.")
@db_option
def changes(portal: str | None, since: str | None, until: str | None, kind: str | None,
            fmt: str, limit: int | None, db_path: str) -> None:
    """What changed in a window, oldest first: new versions of articles (edited: body, time or
    source; headline; people: reporters or editors) and articles removed or restored. `diff`
    shows a version's changes in full. Versions `reparse` made from the same page bytes are not
    changes of the article and are left out (`--kind reextracted` lists them)."""
    with opened(db_path) as archive:
        check_portal(archive, portal)
        rows = archive.changes(portal=portal, since=since, until=until, kind=kind, limit=limit)
    columns = ["at", "kind", "article_id", "headline", "detail"] if fmt == "table" else None
    emit(rows, fmt, columns, nothing="No changes match.", fields=CHANGE_COLUMNS)


@click.command(context_settings=HELP_OPTIONS)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet", "warc"]),
              default="jsonl", show_default=True)
@filter_options
@click.option("-o", "--output", type=OutputPath(stdout=True),
              help="File to write (default, or -: standard output; a file is required for parquet "
                   "and warc).")
@click.option("--warc-dir", type=click.Path(exists=True, file_okay=False),
              help="warc: the crawl's WARC files (default: warc/ beside the archive).")
@db_option
def export(fmt: str, portal: str | None, since: str | None, until: str | None,
           output: str | None, warc_dir: str | None, db_path: str) -> None:
    """Stream every article's current version as JSON lines, CSV (for spreadsheets) or Parquet.

    warc writes every capture of the selected articles to a WARC file (.warc.gz) with a CDXJ
    index beside it (FILE.cdxj), for replay tools such as pywb and ReplayWeb.page. A capture
    whose WARC record is damaged is rebuilt from the archive's stored body, or left out when
    there is none; each is listed after the summary and the command then exits 1.
    """
    from . import export as exporter

    article_filter = _filter(portal=portal, since=since, until=until)
    if fmt in ("parquet", "warc") and output in (None, STDOUT):
        raise click.UsageError(f"{fmt} needs -o FILE: it is written to a file, not standard output")
    if output == STDOUT:
        output = None  # -: standard output, as without -o
    with opened(db_path) as archive, writing(output):
        check_portal(archive, portal)
        if fmt == "warc":
            from .warc.export import export_warc

            done = export_warc(archive, article_filter, output, warc_dir)  # type: ignore[arg-type]
            click.echo(done.line(output), err=True)
            for problem in done.problems:
                click.echo(f"  {problem}", err=True)
            if done.problems:  # damaged WARC records, captures not exported: listed above
                sys.exit(1)
            return
        rows = archive.iter_articles(article_filter)
        if fmt == "parquet":
            try:
                count = exporter.write_parquet(rows, output)  # type: ignore[arg-type]
            except exporter.MissingDependency as exc:
                raise click.ClickException(str(exc)) from exc
        else:
            write = exporter.write_jsonl if fmt == "jsonl" else exporter.write_csv
            # The BOM makes Excel read the CSV as UTF-8.
            encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
            if output:
                with open(output, "w", encoding=encoding, newline="") as out:
                    count = write(rows, out)
            else:
                stream = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, newline="",
                                          write_through=True)
                count = write(rows, stream)
                stream.detach()
        if output:
            click.echo(f"{count} articles written to {output}", err=True)


@click.command(context_settings=HELP_OPTIONS)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--plot", "plot_path", type=ChartPath(), metavar="FILE.png",
              help="Also chart the articles per day of each portal into this image (PNG, SVG or "
                   "PDF by its name); needs the plot extra (matplotlib).")
@db_option
def stats(fmt: str, plot_path: str | None, db_path: str) -> None:
    """Articles by portal and publication day, and how often each field is present."""
    if plot_path:
        from .plot import require_matplotlib

        try:  # before anything is read: the command does all it was asked or nothing
            require_matplotlib()
        except MissingDependency as exc:
            raise click.ClickException(str(exc)) from exc
    with opened(db_path) as archive:
        figures = archive.stats()
    warning = unreadable_warning((f"{name} ({reason})" for name, reason in figures["unreadable"].items()),
                                 "its portal's coverage counted as if it showed every field")
    if warning:  # on standard error: standard output stays data
        click.echo(warning, err=True)
    if plot_path:
        from .plot import plot_by_day

        if not figures["by_day"]:  # as rankings --plot: no empty chart
            raise click.ClickException("no articles with a publication day: nothing to plot")
        with writing(plot_path):
            shown = plot_by_day(figures["by_day"], plot_path)
        click.echo(f"articles per day of {len(shown['portals'])} portals over {shown['days']} days"
                   f" plotted to {plot_path}", err=True)
    if fmt == "json":
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    totals = figures["totals"]
    if not totals["articles"]:
        # Tables of nothing say nothing: one line, as the other commands give for no rows.
        click.echo(f"No articles in the archive ({_count(totals['captures'], 'capture')},"
                   f" {_count(totals['runs'], 'run')}).", err=True)
        return
    click.echo("Archive")
    emit([totals], "table", list(totals))
    click.echo("\nArticles by portal and day")
    emit(figures["by_day"], "table", ["portal", "day", "articles"])
    click.echo("\nField coverage (share of articles; not shown: the portal never shows it)")
    columns = ["portal", "articles", "with_time", "with_source", "with_reporters", "with_editor"]
    emit([{**row, **{column: "not shown" for column in columns if row[column] is None}}
          for row in figures["coverage"]], "table", columns)


@click.command(context_settings=HELP_OPTIONS)
@click.option("--portal", help="Only this portal.")
@click.option("--list", "list_name", help="Only this list (box title), in either script.")
@click.option("--period", help="Only this period tab, in either script: 月點擊 also finds 月点击.")
@click.option("--since", type=TIME_BOUND, help="Seen on or after: YYYY-MM-DD (UTC) or ISO time.")
@click.option("--article", metavar="ID|URL", help="Only the entries of this archived article (also PORTAL:ID).")
@click.option("--title", help="Only titles containing this, in either script.")
@click.option("--limit", type=click.IntRange(1), default=None)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--plot", "plot_path", type=ChartPath(), metavar="FILE.png",
              help="Also chart each list's rank over time into this image (PNG, SVG or PDF by its "
                   "name): one line per story; needs the plot extra (matplotlib).")
@click.option("--top", type=click.IntRange(1), default=10, show_default=True,
              help="--plot: the stories drawn per list (best rank first), unless --article or "
                   "--title picks them.")
@db_option
def rankings(portal: str | None, list_name: str | None, period: str | None, since: str | None,
             article: str | None, title: str | None, limit: int | None, fmt: str,
             plot_path: str | None, top: int, db_path: str) -> None:
    """Hot lists over time: which title held which rank, first and last seen, snapshots.

    A list or period the archive never saw is an error that names the ones it has.
    """
    if plot_path:
        from .plot import require_matplotlib

        try:  # before anything is read: the command does all it was asked or nothing
            require_matplotlib()
        except MissingDependency as exc:
            raise click.ClickException(str(exc)) from exc
    filters = {"portal": portal, "list_name": list_name, "period": period, "since": since,
               "article": article, "title": title}
    with opened(db_path) as archive:
        check_portal(archive, portal)
        try:
            rows = archive.rankings(**filters, limit=limit)
            boards = archive.rank_history(**filters, top=top) if plot_path else []
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    if plot_path:
        if not boards:
            raise click.ClickException("no hot-list entries match: nothing to plot")
        from .rankchart import write

        with writing(plot_path):
            shown = write(boards, plot_path)
        left_out = (f"; {shown['left_out']} more lists left out (choose with --list, --period)"
                    if shown["left_out"] else "")
        click.echo(f"rank over time of {_count(shown['stories'], 'story', 'stories')} in"
                   f" {_count(shown['lists'], 'list')} over {_count(shown['snapshots'], 'snapshot')}"
                   f" plotted to {plot_path}{left_out}", err=True)
    columns = ["portal", "list", "period", "rank", "title", "first_seen", "last_seen", "snapshots"]
    emit(rows, fmt, columns if fmt == "table" else None, nothing="No hot-list entries match.",
         fields=RANKING_COLUMNS)


@click.command(context_settings=HELP_OPTIONS)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8001, show_default=True)
@db_option
def serve(host: str, port: int, db_path: str) -> None:
    """Browse and query the archive in Datasette (needs the datasette extra)."""
    from .serve import datasette_installed
    from .serve import serve as run

    if not datasette_installed():
        raise click.ClickException(
            "Datasette is not installed: pip install 'newscrawler[datasette]'"
        )
    # Opening checks the file and brings its schema up to date before Datasette reads it.
    with opened(db_path):
        pass
    run(db_path, host=host, port=port)


COMMANDS: list[click.Command] = [search, show, diff, changes, export, stats, rankings, serve]


@click.group(name="archive", context_settings=HELP_OPTIONS)
def archive_group() -> None:
    """Copy live archives and merge the archives of several crawl nodes into one."""


@archive_group.command(name="snapshot")
@click.argument("out", type=OutputPath(no_stdout="a snapshot is an SQLite file, not standard output"))
@click.option("--warc/--no-warc", default=True, show_default=True,
              help="Also copy the WARC files (warc/ beside the archive, to warc/ beside OUT).")
@db_option
def snapshot_command(out: str, warc: bool, db_path: str) -> None:
    """A consistent copy of an archive, even while crawls write to it: every capture committed
    when the copy starts, none half-written. OUT must not exist."""
    from .snapshot import snapshot

    try:
        done = snapshot(db_path, out, warc=warc)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    _say_differing(done.warc_differing)
    click.echo(f"{_count(done.captures, 'capture')} copied to {out}"
               + (f"; {_warc_files(done.warc_files, done.warc_bytes, done.warc_present, done.warc_differing)}"
                  if warc else ""),
               err=True)
    if done.warc_differing:
        sys.exit(1)


def _warc_files(copied: int, size: int, present: int, differing: list[str]) -> str:
    """How many WARC files were copied and how many were already there, as snapshot and merge
    say it: a file already there is not copied again, and is not a file missing. A file whose
    copy was kept because the source's bytes differ is counted apart."""
    kept = f", {len(differing)} kept as they were (the source differs)" if differing else ""
    return f"{_count(copied, 'WARC file')} copied ({_count(size, 'byte')}), {present} already there{kept}"


def _say_differing(lines: list[str]) -> None:
    """Each WARC file kept as it was because the source's bytes differ, in one line."""
    for line in lines:
        click.echo(f"Error: {line}", err=True)


@archive_group.command(name="merge")
@click.argument("out", type=ArchivePath())
@click.argument("sources", nargs=-1, required=True, type=ArchivePath())
@click.option("--warc/--no-warc", default=True, show_default=True,
              help="Also copy each source's WARC files (warc/ beside it) to warc/ beside OUT.")
@click.option("--json", "as_json", is_flag=True, help="The report as JSON.")
def merge_command(out: str, sources: tuple[str, ...], warc: bool, as_json: bool) -> None:
    """Merge node archives (snapshots) into OUT, created if missing: one article per URL, its
    versions and captures in time order, runs, hot lists, people and events kept, ids new, search
    index updated. Merging a source again adds nothing. Prints what each source added and what
    was already present."""
    from .merge import merge

    try:
        report = merge(out, list(sources), warc=warc)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    _say_differing(report.warc_files_differing)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        if report.warc_files_differing:
            sys.exit(1)
        return
    emit(report.rows(), "table", ["source", "rows", "added", "already_present"])
    for source in report.sources:
        if warc:
            files = _warc_files(source.warc_files_copied, source.warc_bytes_copied,
                                source.warc_files_present, source.warc_files_differing)
            click.echo(f"{source.path}: {files}", err=True)
        if source.captures_without_warc:
            click.echo(f"{source.path}: {source.captures_without_warc} captures name a WARC file"
                       " that is not in the merged archive's warc/", err=True)
    click.echo(f"{report.captures_added} captures merged into {out} in {report.seconds:.1f} s",
               err=True)
    if report.warc_files_differing:
        sys.exit(1)


@click.group(context_settings=HELP_OPTIONS)
def main() -> None:
    """Query a newscrawler archive."""


for _command in COMMANDS:
    main.add_command(_command)
main.add_command(archive_group)
same_help_everywhere(main)



def reference_markdown() -> str:
    """The commands' ``--help``, as ``docs/archive.md`` carries it (a test keeps them equal)."""
    return help_markdown(COMMANDS)


if __name__ == "__main__":
    main()
