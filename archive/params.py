"""Click parameter types for what every command reads: dates, time bounds, archive files and
output files.

A bad value ends the command before it does anything, with click's one-line usage error and exit
code 2, the same message for the same mistake in every command. The checks themselves live in
the library (``archive.query.parse_bound``, ``archive.connection.check_file``) so that code
calling the library gets the same answers as a ``ValueError`` or ``ArchiveError``.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import click

from .connection import ArchiveError, ArchiveUnreadable, check_file
from .query import parse_bound

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

# ``context_settings`` of every command and group: ``-h`` is help as well as ``--help``. Each
# command sets it itself rather than inheriting it from the group that runs it, because click
# builds a command's help option once, from the first context that asks, and keeps it: the
# archive's commands run under two groups (``newscrawler``, ``python -m archive.cli``) and
# ``docs/archive.md`` renders them under none, so an inherited setting would make their help
# depend on which ran first in the process.
HELP_OPTIONS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}


def same_help_everywhere(group: click.Group) -> None:
    """Set ``HELP_OPTIONS`` on every command under ``group``, subgroups' too, that does not set
    its own help names: for the reason above, whichever group runs it and whatever ran first."""
    for command in group.commands.values():
        command.context_settings.setdefault("help_option_names", HELP_OPTIONS["help_option_names"])
        if isinstance(command, click.Group):
            same_help_everywhere(command)


class DateType(click.ParamType):
    """A calendar day, ``YYYY-MM-DD``; the value stays that string."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        if not _DAY.fullmatch(text):
            self.fail(f"{value!r} is not a date: use YYYY-MM-DD, e.g. 2022-04-19", param, ctx)
        try:
            date.fromisoformat(text)
        except ValueError:
            self.fail(f"{value!r} is not a date: no such day", param, ctx)
        return text


class TimeBoundType(click.ParamType):
    """A filter bound: a day ``YYYY-MM-DD`` or an ISO 8601 time with its UTC offset; the value
    stays the string as given."""

    name = "YYYY-MM-DD|TIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        try:
            parse_bound(text)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        return text


# The name that means standard output (or input) to most Unix tools.
STDOUT = "-"


def refuse_dash(value: Any, why: str, param: click.Parameter | None, ctx: click.Context | None) -> None:
    """A usage error for ``-`` where only a file will do: ``why`` says what is needed instead.
    A file really named ``-`` is still ``./-``."""
    if value == STDOUT:
        raise click.BadParameter(f"{why} (for a file named '-', give ./-)", ctx, param)


class ArchivePath(click.Path):
    """An archive file: missing or new is fine (the command decides whether it may create it),
    anything else must be an archive, an empty file or an SQLite database without tables."""

    def __init__(self) -> None:
        super().__init__(dir_okay=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        refuse_dash(value, "an archive is an SQLite file, not standard input or output", param, ctx)
        path = super().convert(value, param, ctx)
        try:
            check_file(os.fsdecode(path))
        except ArchiveUnreadable as exc:
            # Damaged or locked: the same one line and exit status 1 as when a command meets it
            # later, rather than a usage error.
            raise click.ClickException(str(exc)) from exc
        except ArchiveError as exc:
            self.fail(str(exc), param, ctx)
        return path


class OutputPath(click.Path):
    """A file to write: its directory must exist (it is not created, in case of a typo) and be
    writable, also where a symbolic link leads, and the file, when it exists, must be a file.

    ``-`` is standard output where the command can write there (``stdout`` True: the value stays
    ``-``); elsewhere it is a usage error saying why a file is needed (``no_stdout``), never a
    file named ``-``.
    """

    def __init__(self, stdout: bool = False, no_stdout: str = "give a file name, not standard output",
                 ) -> None:
        super().__init__(dir_okay=False, writable=True)
        self.stdout = stdout
        self.no_stdout = no_stdout

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value == STDOUT and self.stdout:
            return value
        refuse_dash(value, self.no_stdout, param, ctx)
        path = super().convert(value, param, ctx)
        target = Path(os.fsdecode(path))
        parent = target.parent
        if not parent.is_dir():
            self.fail(f"directory {str(parent)!r} does not exist", param, ctx)
        try:
            # Where the file really goes: open() follows a symbolic link, to wherever it points.
            real = target.resolve().parent
            exists = target.exists()
        except OSError as exc:  # a name too long for the file system, a loop of links
            self.fail(f"{str(target)!r}: {exc.strerror or exc}", param, ctx)
        if not real.is_dir():
            self.fail(f"{str(target)!r} is a link into directory {str(real)!r}, which does not"
                      " exist", param, ctx)
        if not exists and not os.access(real, os.W_OK | os.X_OK):
            self.fail(f"directory {str(real)!r} is not writable", param, ctx)
        return path


class ChartPath(OutputPath):
    """An image file for a chart: its name says the format, PNG, SVG or PDF, as matplotlib reads
    it (a name without one would get .png added, and another suffix fails after the work)."""

    SUFFIXES = (".png", ".svg", ".pdf")

    def __init__(self) -> None:
        super().__init__(no_stdout="a chart is an image file, not standard output: name it .png, .svg or .pdf")

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = super().convert(value, param, ctx)
        if Path(os.fsdecode(path)).suffix.lower() not in self.SUFFIXES:
            self.fail(f"{os.fsdecode(path)!r}: name the chart .png, .svg or .pdf", param, ctx)
        return path


DATE = DateType()
TIME_BOUND = TimeBoundType()
