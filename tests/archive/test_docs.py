"""docs/archive.md cannot drift: it carries the commands' help and the canned search SQL."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from archive import Archive
from archive.cli import COMMANDS, reference_markdown
from archive.schema import SCHEMA_V1
from archive.serve import METADATA_FILE

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "archive.md"


def test_every_command_is_documented_with_its_help():
    assert reference_markdown() in DOC.read_text("utf-8")


# In a fresh process: the commands' help shown first one way (ARGV[1]), then the other ways, and
# whether `newscrawler COMMAND -h` shows help; as JSON.
HELP_IN_ORDER = """
import json, sys
from click.testing import CliRunner
from archive.cli import COMMANDS, main, reference_markdown
from newscrawler.cli import cli

def through(group, flag):
    return [CliRunner().invoke(group, [command.name, flag]) for command in COMMANDS]

ways = {"newscrawler": lambda: [r.output for r in through(cli, "--help")],
        "archive.cli": lambda: [r.output for r in through(main, "--help")],
        "reference": reference_markdown}
shown = {sys.argv[1]: ways.pop(sys.argv[1])()}
shown.update((name, way()) for name, way in ways.items())
shown["-h"] = [r.exit_code for r in through(cli, "-h")]
json.dump(shown, sys.stdout)
"""


def _help_line(text: str) -> str:
    return " ".join(next(line for line in text.splitlines() if "Show this message and exit." in line).split())


@pytest.mark.parametrize("first", ["newscrawler", "archive.cli", "reference"])
def test_the_commands_help_does_not_depend_on_which_group_showed_it_first(first: str) -> None:
    """The archive's commands run under `newscrawler` and `python -m archive.cli` and are
    rendered into docs/archive.md under neither; whichever comes first in a process, each shows
    the same help, the one the page carries."""
    run = subprocess.run([sys.executable, "-c", HELP_IN_ORDER, first], capture_output=True,
                         text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    shown = json.loads(run.stdout)
    assert shown["reference"] in DOC.read_text("utf-8")
    documented = [_help_line(block) for block in shown["reference"].split("### ")[1:]]
    assert [_help_line(text) for text in shown["newscrawler"]] == documented
    assert [_help_line(text) for text in shown["archive.cli"]] == documented
    # -h is help, except for search, where a single-dash argument is the query ("-h": not h).
    for command, line, status in zip(COMMANDS, documented, shown["-h"], strict=True):
        assert line.startswith("-h, --help") == (command.name != "search")
        assert status == (0 if command.name != "search" else 2), command.name


def test_the_documented_search_sql_is_the_canned_query():
    text = DOC.read_text("utf-8")
    block = text.split("<!-- search-sql", 1)[1].split("```sql\n", 1)[1].split("\n```", 1)[0]
    metadata = json.loads(METADATA_FILE.read_text("utf-8"))
    assert block == metadata["databases"]["newscrawler"]["queries"]["search"]["sql"]


def test_every_table_and_view_is_documented(db_path):
    text = DOC.read_text("utf-8")
    names = re.findall(r"CREATE (?:TABLE|VIEW|VIRTUAL TABLE) (\w+)", SCHEMA_V1)
    assert names and all(f"`{name}`" in text for name in names)
    with Archive.open(db_path) as archive:
        described = json.loads(METADATA_FILE.read_text("utf-8"))["databases"]["newscrawler"]["tables"]
        public = [t for t in archive.db.table_names() + archive.db.view_names()
                  if not t.startswith("search_")]
        assert sorted(public) == sorted(described)
