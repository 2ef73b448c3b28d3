"""docs/commands.md cannot drift: it carries the help of the commands that crawl and operate."""

from __future__ import annotations

import json
import subprocess
import sys
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


# In a fresh process: every command's help shown through `newscrawler` first (click builds a
# command's help option once, from the first context that asks), then the page's reference.
HELP_FIRST = """
import json, sys
import click
from click.testing import CliRunner
from newscrawler.cli import cli, reference_markdown

def paths(group, prefix):
    for name, command in group.commands.items():
        yield [*prefix, name]
        if isinstance(command, click.Group):
            yield from paths(command, [*prefix, name])

shown = {" ".join(path): CliRunner().invoke(cli, [*path, "--help"], prog_name="newscrawler",
                                           terminal_width=100, max_content_width=100).output
         for path in paths(cli, [])}
json.dump({"shown": shown, "reference": reference_markdown()}, sys.stdout)
"""


def test_the_page_shows_the_help_a_user_sees_whatever_ran_first() -> None:
    run = subprocess.run([sys.executable, "-c", HELP_FIRST], capture_output=True, text=True,
                         cwd=DOC.parents[1], timeout=300)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    text = DOC.read_text("utf-8") + (DOC.parent / "archive.md").read_text("utf-8")
    assert result["reference"] in text
    for path, output in result["shown"].items():
        # The page's block for the command: its usage line names the whole path.
        block = text.split(f"### `newscrawler {path}`\n\n```\n", 1)[1].split("\n```", 1)[0]
        assert output.rstrip("\n") == block, path
