"""Terminal output of the research commands: tables aligned by display width, the article
summary of ``show``, through click's CliRunner on a real archive file."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from conftest import make_capture, make_record
from rich.cells import cell_len

from archive import cli
from archive.terminal import table


def invoke(*args: object):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def start(line: str, text: str) -> int:
    """The terminal column (in cells) where ``text`` starts in ``line``."""
    return cell_len(line[: line.index(text)])


@pytest.fixture
def path(seeded, run_id, db_path):
    # A second article with a Latin headline of another length, so that a column after the
    # headline only lines up if Chinese characters count two cells.
    other = make_record(
        url="https://www.gdzjdaily.com.cn/p/1.html", canonical_url="https://www.gdzjdaily.com.cn/p/1.html",
        article_id="1", headline="Xuwen 5G", paragraphs=["徐闻 5G base stations."],
    )
    seeded.add_capture(run_id, make_capture(other), other)
    return db_path


def test_search_table_lines_up_chinese_and_latin_rows(path):
    result = invoke("search", "徐闻", "--db", path)
    assert result.exit_code == 0, result.output
    header, rule, *rows = result.output.splitlines()
    assert header.split() == ["id", "published_at", "portal", "headline", "snippet"]
    assert set(rule) == {"─"}
    assert sorted(row.split()[0] for row in rows) == ["1", "2"]
    headlines = {"1": "徐聞奮力推進文明城市衛生縣城創建", "2": "Xuwen 5G"}
    snippets = {"1": "4月18日，[徐聞]縣", "2": "[徐闻] 5G"}
    for row in rows:
        assert start(row, headlines[row.split()[0]]) == start(header, "headline")
        assert start(row, snippets[row.split()[0]]) == start(header, "snippet")


def test_table_wraps_long_text_within_its_column_on_a_narrow_terminal():
    rows = [{"rank": 1, "title": "徐聞奮力推進文明城市衛生縣城創建" * 2, "snapshots": 33}]
    lines = table(rows, ["rank", "title", "snapshots"], width=40).splitlines()
    assert len(lines) > 3
    assert all(cell_len(line) <= 40 for line in lines)
    # The title's pieces all sit in the title column, and read in order give the whole title.
    pieces = [(start(line, piece), piece) for line in lines[2:]
              for piece in re.findall(r"[\u4e00-\u9fff]+", line)]
    assert {at for at, _ in pieces} == {start(lines[0], "title")}
    assert "".join(piece for _, piece in pieces) == rows[0]["title"]


def test_table_prints_brackets_as_text_not_markup():
    assert "[徐聞]" in table([{"snippet": "縣[徐聞]縣"}], ["snippet"])


def test_stats_tables_have_headers(path):
    result = invoke("stats", "--db", path)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].split() == ["articles", "versions", "captures", "runs", "body_bytes",
                                "stored_body_bytes"]
    assert lines[3].split()[:2] == ["2", "2"]
    by_day = result.output.split("Articles by portal and day\n", 1)[1].splitlines()
    assert by_day[0].split() == ["portal", "day", "articles"]
    assert by_day[2].split() == ["zjdaily", "2022-04-19", "2"]


def test_rankings_table_lines_up(path):
    result = invoke("rankings", "--db", path)
    header, _, *rows = result.output.splitlines()
    assert len(rows) == 3
    for row in rows:
        assert start(row, "熱點新聞排行") == start(header, "list")
        assert start(row, "點擊") - 2 == start(header, "period")


def test_show_prints_a_summary(path):
    result = invoke("show", "https://www.gdzjdaily.com.cn/p/2953118.html", "--db", path,
                    "--paragraphs", "2")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:3] == ["徐聞奮力推進文明城市衛生縣城創建", "https://www.gdzjdaily.com.cn/p/2953118.html", ""]
    text = result.output
    for expected in ("published  2022-04-19T17:31:00+08:00 (page: 2022-04-19 17:31)",
                     "source     湛江云媒", "reporters  記者 陳荔雅; 特約通訊員 譚總",
                     "editors    編輯 吳文靜", "會議強調，要以更高標準、更實舉措推進創建工作。",
                     "… 3 more paragraphs (5 in all", "Versions (1)", "Captures (1)"):
        assert expected in text, expected
    assert "徐聞縣各鎮" not in text
    captures = text.split("Captures (1)\n", 1)[1].splitlines()
    assert captures[0].split() == ["id", "fetched_at", "status", "outcome", "version", "url",
                                   "warc", "record"]
    assert captures[2].split()[:5] == ["1", "2026-01-01T00:00:00+00:00", "200", "new", "1"]
    assert len(result.output.splitlines()) < 40


def test_show_all_paragraphs_and_json(path):
    result = invoke("show", "1", "--db", path, "--paragraphs", "0")
    assert "徐聞縣各鎮" in result.output and "more paragraphs" not in result.output
    shown = json.loads(invoke("show", "1", "--db", path, "--json").output)
    assert shown["record"] == make_record()
    assert [(c["id"], c["warc_filename"]) for c in shown["captures"]] == [(1, None)]


def test_tables_show_times_to_the_second():
    rows = [{"first_seen": "2026-12-05T08:43:36.653435+00:00", "day": "2022-04-19"}]
    assert table(rows, ["first_seen", "day"]).splitlines()[2].split() == [
        "2026-12-05T08:43:36+00:00", "2022-04-19"]


def test_search_without_hits_says_so(path):
    result = CliRunner().invoke(cli.main, ["search", "不存在的词", "--db", str(path)])
    assert result.exit_code == 0
    assert result.output == "No articles match '不存在的词'.\n"
    json_result = invoke("search", "不存在的词", "--db", path, "--format", "json")
    assert json.loads(json_result.output) == []


def test_show_lists_the_latest_captures_only(seeded, run_id, db_path):
    for day in range(2, 14):
        again = make_record(fetched_at=f"2026-01-{day:02d}T00:00:00+00:00")
        seeded.add_capture(run_id, make_capture(again), again)
    output = invoke("show", "1", "--db", db_path).output
    captures = output.split("Captures (13, the latest 10 shown)\n", 1)[1].splitlines()
    assert [line.split()[0] for line in captures[2:]] == [str(n) for n in range(4, 14)]
    assert len(json.loads(invoke("show", "1", "--db", db_path, "--json").output)["captures"]) == 13
