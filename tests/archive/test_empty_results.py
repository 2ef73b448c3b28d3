"""Commands with nothing to show say so the same way: in table format one line on standard error
and nothing on standard output, exit status 0; as JSON an empty array, as CSV the header row
alone (a table without rows), so that what reads standard output still reads valid data."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from archive import Archive, cli
from archive.changes import COLUMNS as CHANGE_COLUMNS
from archive.rankings import COLUMNS as RANKING_COLUMNS
from archive.search import HIT_FIELDS

# Each command, with what makes it match nothing in an archive holding the seed article.
NOTHING = {
    "search": (["search", "不存在的词"], "No articles match '不存在的词'.", HIT_FIELDS),
    "changes": (["changes", "--since", "2099-01-01"], "No changes match.", CHANGE_COLUMNS),
    "rankings": (["rankings", "--since", "2099-01-01"], "No hot-list entries match.", RANKING_COLUMNS),
}


def invoke(*args: object) -> Result:
    # The archive's own group for its commands, newscrawler's for its own.
    from newscrawler.cli import cli as newscrawler

    group = newscrawler if args[0] == "crawls" else cli.main
    return CliRunner().invoke(group, [str(a) for a in args])


@pytest.fixture
def path(seeded: Archive, db_path: Path) -> Path:
    seeded.close()
    return db_path


@pytest.mark.parametrize("name", NOTHING)
def test_a_table_of_nothing_is_one_line_on_standard_error(path: Path, name: str) -> None:
    args, line, _ = NOTHING[name]
    result = invoke(*args, "--db", path)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == line + "\n"


@pytest.mark.parametrize("name", NOTHING)
def test_json_of_nothing_is_an_empty_array(path: Path, name: str) -> None:
    args, _, _ = NOTHING[name]
    result = invoke(*args, "--format", "json", "--db", path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [] and result.stderr == ""


@pytest.mark.parametrize("name", NOTHING)
def test_csv_of_nothing_is_its_header_row(path: Path, name: str) -> None:
    # It used to be an empty line: not even the columns a reader expects.
    args, _, columns = NOTHING[name]
    result = invoke(*args, "--format", "csv", "--db", path)
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.stdout))) == [list(columns)] and result.stderr == ""


def test_the_csv_header_of_nothing_is_that_of_rows(path: Path) -> None:
    for name in ("search", "rankings"):
        args = {"search": ["search", "徐闻"], "rankings": ["rankings"]}[name]
        result = invoke(*args, "--format", "csv", "--db", path)
        assert result.exit_code == 0, result.output
        assert next(csv.reader(io.StringIO(result.stdout))) == list(NOTHING[name][2])


def test_crawls_of_nothing(path: Path) -> None:
    result = invoke("crawls", "--portal", "不存在", "--db", path)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == "No crawl runs match.\n"


def test_stats_of_an_archive_without_articles(db_path: Path, tmp_path: Path) -> None:
    Archive.open(db_path).close()
    result = invoke("stats", "--db", db_path)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == "No articles in the archive (0 captures, 0 runs).\n"
    figures = json.loads(invoke("stats", "--format", "json", "--db", db_path).stdout)
    assert figures["totals"]["articles"] == 0 and figures["by_day"] == []
    chart = tmp_path / "days.png"
    plotted = invoke("stats", "--plot", chart, "--db", db_path)
    assert plotted.exit_code == 1 and "nothing to plot" in plotted.stderr
    assert not chart.exists()
