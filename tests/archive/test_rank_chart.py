"""``newscrawler rankings --plot FILE.png``: each story's rank over time, on an archive crawled
from the fixture portal's hot lists on seven days (``fixtures/zjdaily-rankings``)."""

from __future__ import annotations

import math
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import Archive, cli
from archive.rankings import history

DAYS = [f"2024-07-0{n}T03:00:00+00:00" for n in range(1, 8)]


def plotted(figure) -> list[tuple[str, str, list[tuple[str, float]]]]:
    """Each line of the figure: its panel's title, its label, and its (time seen, rank) points."""
    import matplotlib.dates as mdates

    lines = []
    for axes in figure.axes:
        for line in axes.get_lines():
            points = [(mdates.num2date(x).isoformat(), y)
                      for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True)]
            lines.append((axes.get_title(loc="left"), line.get_label(), points))
    return lines


def test_history_has_every_snapshot_of_a_list_and_each_storys_rank_in_it(hot_lists: Path) -> None:
    with Archive.open(hot_lists, create=False) as archive:
        boards = history(archive, period="月點擊")  # Traditional asks, Simplified was shown
    assert [(b.portal, b.list_name, b.period, b.snapshots) for b in boards] == [
        ("zjdaily", "热点新闻排行", "月点击", DAYS)]
    # Every story that was on the list, best rank first; each rank as the archive stored it.
    with sqlite3.connect(hot_lists) as conn:
        stored = defaultdict(dict)
        for article_id, at, rank in conn.execute(
                "SELECT target_article_id, fetched_at, rank FROM rankings WHERE period = '月点击'"):
            stored[article_id][at] = rank
        titles = dict(conn.execute("SELECT id, headline FROM articles"))
    stories = boards[0].stories
    assert len(stories) == len(stored) == 10
    for story in stories:
        assert story.title == titles[story.article_id]
        assert story.ranks == [stored[story.article_id].get(at) for at in DAYS]
    assert [s.best for s in stories] == sorted(s.best for s in stories)
    # The fixture's story of the week: 深中通道 holds first place, then falls behind the art show.
    assert stories[0].title == "深中通道6月30日下午3时通车试运营" and stories[0].ranks == [1, 1, 1, 1, 1, 2, 3]
    assert stories[1].title == "少儿书画作品展:以童趣心灵描绘“鲜美湛江”"
    assert stories[1].ranks == [5, 4, 3, 2, 2, 1, 1]


def test_the_plot_is_a_png_of_the_top_stories_the_rankings_command_lists(hot_lists: Path,
                                                                           tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="matplotlib is not installed (pip install -e '.[plot]')")
    from archive.rankchart import draw

    out = tmp_path / "ranks.png"
    result = CliRunner().invoke(cli.main, ["rankings", "--db", str(hot_lists), "--period", "月点击",
                                           "--top", "4", "--plot", str(out)])
    assert result.exit_code == 0, result.output
    assert f"rank over time of 4 stories in 1 list over 7 snapshots plotted to {out}" in result.output
    assert "深中通道6月30日下午3时通车试运营" in result.output  # the table is printed too
    png = out.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1000, 400)

    with Archive.open(hot_lists, create=False) as archive:
        rows = archive.rankings(period="月点击")
        figure, shown = draw(history(archive, period="月点击", top=4))
    assert shown["stories"] == 4 and shown["lists"] == 1 and shown["snapshots"] == 7
    # The four stories drawn are the rankings' four best: best rank, then best average rank.
    ranks: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        ranks[row["title"]] += [row["rank"]] * row["snapshots"]
    top = sorted(ranks, key=lambda title: (min(ranks[title]), sum(ranks[title]) / len(ranks[title])))[:4]
    lines = plotted(figure)
    # Without a CJK font (fonts-noto-cjk) stories are named by URL and lists by number.
    urls = {row["title"]: row["url"] for row in rows}
    names = [title if shown["font"] else urls[title] for title in top]
    assert [label for _, label, _ in lines] == [n if len(n) <= 22 else n[:21] + "…" for n in names]
    assert {panel for panel, _, _ in lines} == {"热点新闻排行 · 月点击" if shown["font"] else "list 1"}
    # Each line is the rankings' rows of its story: every (rank, snapshots, first and last seen).
    for title, (_, _, points) in zip(top, lines, strict=True):
        assert [at for at, _ in points] == DAYS  # a gap is a point without a rank, not a skip
        seen = defaultdict(list)
        for at, rank in points:
            if not math.isnan(rank):
                seen[int(rank)].append(at)
        assert {(rank, len(ats), min(ats), max(ats)) for rank, ats in seen.items()} == {
            (r["rank"], r["snapshots"], r["first_seen"], r["last_seen"]) for r in rows if r["title"] == title}


def test_one_articles_rank_on_every_list_it_was_on(hot_lists: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="matplotlib is not installed (pip install -e '.[plot]')")
    from archive.rankchart import draw

    out = tmp_path / "article.svg"
    # The mobile twin of the article's URL finds it; it entered the lists on 2 July.
    url = "https://m.gdzjdaily.com.cn/p/3418530.html"
    result = CliRunner().invoke(cli.main, ["rankings", "--db", str(hot_lists), "--article", url,
                                           "--plot", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "rank over time of 2 stories in 2 lists over 7 snapshots" in result.output
    svg = out.read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and "<svg" in svg
    with Archive.open(hot_lists, create=False) as archive:
        rows = archive.rankings(article=url)
        figure, shown = draw(history(archive, article=url))
        lines = plotted(figure)
    assert {row["title"] for row in rows} == {"湛江港集团开通新外贸航线"}
    if shown["font"]:
        assert "湛江港集团开通新外贸航线" in svg
        title = "湛江港集团开通新外贸航线"
        assert [(panel, label) for panel, label, _ in lines] == [
            ("热点新闻排行 · 日点击", title), ("热点新闻排行 · 月点击", title)]
    else:  # without a CJK font (fonts-noto-cjk): lists by number, the story by its URL
        story = rows[0]["url"]
        label = story if len(story) <= 22 else story[:21] + "…"
        assert [(panel, name) for panel, name, _ in lines] == [("list 1", label), ("list 2", label)]
    for (_, _, points), period in zip(lines, ("日点击", "月点击"), strict=True):
        ranks = {at: rank for at, rank in points if not math.isnan(rank)}
        assert ranks == {at: row["rank"] for row in rows if row["period"] == period
                         for at in DAYS if row["first_seen"] <= at <= row["last_seen"]}
    assert [rank for _, rank in lines[0][2]][1:] == [3, 1, 1, 2, 3, 4]
    assert math.isnan(lines[0][2][0][1])  # not on the list on 1 July


def test_a_title_matches_in_either_script_and_an_unknown_one_says_so(hot_lists: Path) -> None:
    with Archive.open(hot_lists, create=False) as archive:
        boards = history(archive, title="風電")
        assert [[s.title for s in b.stories] for b in boards] == [["湛江海上风电项目桩基础施工全部完成"]] * 2
    result = CliRunner().invoke(cli.main, ["rankings", "--db", str(hot_lists), "--title", "体育"])
    assert result.exit_code == 1
    assert result.output == "Error: no title containing '体育' in the hot lists\n"


def test_without_matplotlib_the_plot_is_refused_with_how_to_install_it(hot_lists: Path, tmp_path: Path,
                                                                       monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib raises ImportError
    out = tmp_path / "ranks.png"
    result = CliRunner().invoke(cli.main, ["rankings", "--db", str(hot_lists), "--plot", str(out)])
    assert result.exit_code == 1
    assert ".venv/bin/pip install -e '.[plot]'" in result.output and "Traceback" not in result.output
    assert "热点新闻排行" not in result.output  # nothing done: the table is not printed either
    assert not out.exists()

