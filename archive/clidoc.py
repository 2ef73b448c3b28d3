"""The ``--help`` of click commands as the markdown the docs carry, so a page cannot drift from
the commands it documents (tests compare them)."""

from __future__ import annotations

from collections.abc import Iterable

import click

# A fixed width, so the page does not depend on the terminal it was generated on.
_WIDTH = 100


def _help(command: click.Command, path: str) -> str:
    # A context as the command's group would make it: its context_settings (help option names)
    # apply. The whole path is the name, so the usage line reads as typed.
    ctx = click.Context(command, info_name=path,
                        **{**command.context_settings, "terminal_width": _WIDTH, "max_content_width": _WIDTH})
    return command.get_help(ctx)


def help_markdown(commands: Iterable[click.Command], prefix: str = "newscrawler") -> str:
    """One ``### `PREFIX COMMAND``` section per command, its help in a code block; a group's
    subcommands follow it, each with its own section."""
    parts = []
    for command in commands:
        path = f"{prefix} {command.name}"
        parts.append(f"### `{path}`\n\n```\n{_help(command, path)}\n```\n")
        if isinstance(command, click.Group):
            subcommands = (command.commands[name] for name in sorted(command.commands))
            parts.append(help_markdown(subcommands, path))
    return "\n".join(parts)
