"""docs/commands.md cannot drift: it carries the help of the commands that crawl and operate."""

from __future__ import annotations

from pathlib import Path

from archive.cli import COMMANDS
from newscrawler.cli import cli, reference_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "commands.md"


def test_every_crawling_and_operating_command_is_documented_with_its_help() -> None:
    assert reference_markdown() in DOC.read_text("utf-8"), (
        "docs/commands.md differs from the commands' help: regenerate its reference "
        "(the command is on the page)")


def test_every_command_is_on_one_of_the_two_pages() -> None:
    documented = DOC.read_text("utf-8") + (DOC.parent / "archive.md").read_text("utf-8")
    for name in cli.commands:
        assert f"### `newscrawler {name}`" in documented, name
    # The research commands are on archive.md alone.
    assert not any(f"### `newscrawler {command.name}`" in DOC.read_text("utf-8") for command in COMMANDS)
