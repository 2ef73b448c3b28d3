"""Hot lists over time: list and period names match in either script, and a name that matches
nothing says which names there are."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import make_capture, make_record

from archive import cli
from archive.rankings import UnknownRanking


@pytest.fixture
def two_scripts(seeded, run_id):
    """The seed page (Traditional lists) and two later Simplified pages of the same lists."""
    for day in ("02", "03"):
        simplified = make_record(
            url=f"https://www.gdzjdaily.com.cn/p/29531{day}.html",
            canonical_url=f"https://www.gdzjdaily.com.cn/p/29531{day}.html",
            article_id=f"29531{day}", fetched_at=f"2026-01-{day}T00:00:00+00:00",
            rankings=[{"list": "热点新闻排行", "period": "月点击", "rank": 1, "title": "湛江新闻",
                       "url": "https://www.gdzjdaily.com.cn/p/2953000.html"}],
        )
        seeded.add_capture(run_id, make_capture(simplified), simplified)
    return seeded


def rows(archive, **filters):
    return [(r["list"], r["period"], r["rank"], r["title"], r["snapshots"])
            for r in archive.rankings(**filters)]


def test_period_matches_in_either_script(two_scripts):
    both = [("热点新闻排行", "月点击", 1, "湛江新闻", 2),
            ("熱點新聞排行", "月點擊", 1, "徐聞奮力推進文明城市衛生縣城創建", 1),
            ("熱點新聞排行", "月點擊", 2, "湛江新聞", 1)]
    assert rows(two_scripts, period="月點擊") == both
    assert rows(two_scripts, period="月点击") == both
    assert rows(two_scripts, list_name="热点新闻排行", period="周点击") == [
        ("熱點新聞排行", "周點擊", 1, "湛江新聞", 1)]


def test_unknown_period_lists_the_periods_there_are(two_scripts):
    with pytest.raises(UnknownRanking) as raised:
        two_scripts.rankings(period="年点击")
    assert str(raised.value) == (
        "no period '年点击' in the hot lists (periods: 周點擊 (1 snapshot), 月点击 (2 snapshots),"
        " 月點擊 (1 snapshot))")


def test_rankings_command_across_scripts_and_unknown_names(two_scripts, db_path):
    two_scripts.close()
    runner = CliRunner()
    result = runner.invoke(cli.main, ["rankings", "--db", str(db_path), "--period", "月點擊",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    assert sorted({r["period"] for r in json.loads(result.output)}) == ["月点击", "月點擊"]
    result = runner.invoke(cli.main, ["rankings", "--db", str(db_path), "--list", "要闻"])
    assert result.exit_code == 1
    assert result.output == ("Error: no list '要闻' in the hot lists (lists: 热点新闻排行 (2 snapshots),"
                             " 熱點新聞排行 (1 snapshot))\n")
