"""What changed and what vanished, through the real engine: one small portal replayed at seven
points in time (``fixtures/zjdaily-changes``), crawled in sequence into one archive.

Article 3600001 is edited (a paragraph softened, one deleted), retitled, loses its reporter, is
deleted (404), then served as the portal's "页面不存在" page with a 200 (a soft 404), and comes
back. Article 3600002 starts redirecting to the home page. Taken down, both leave the listings:
only asking for the archived articles again shows they are gone. Article 3600003's server has a bad
day (503 twice): never a removal.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from support import FIXTURES, run_cli

STEPS = ("1-published", "2-edited", "3-retitled", "4-reporter-removed", "5-deleted", "6-soft-404",
         "7-restored")
BASE = "https://www.gdzjdaily.com.cn/p/"


def _day(n: int) -> str:
    return f"2024-07-0{n}T03:00:00+00:00"


# Each step's crawl summary (standard output), by step.
OUTPUT: dict[str, str] = {}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("changes") / "a.sqlite"
    for step in STEPS:
        # The default confirmation delay (24 hours): the two signs of removal come a day apart.
        result = run_cli(
            "crawl", "zjdaily", "--replay", str(FIXTURES / "zjdaily-changes" / step), "--db", str(db),
            "--no-warc", "--recrawl", "all", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
            "-s", "RETRY_TIMES=1", "--log-level", "INFO",
        )
        assert result.returncode == 0, (step, result.stderr[-3000:])
        OUTPUT[step] = result.stdout
    return db


def _rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_statuses_after_the_sequence(archive: Path) -> None:
    assert _rows(archive, "SELECT canonical_url, status, status_since, removal_pending_capture_id,"
                          " version_count FROM articles ORDER BY canonical_url") == [
        (BASE + "3600001.html", "restored", _day(7), None, 4),
        (BASE + "3600002.html", "removed", _day(5), None, 1),
        (BASE + "3600003.html", "live", None, None, 1),
    ]


def test_removals_keep_their_evidence(archive: Path) -> None:
    events = _rows(archive,
        "SELECT a.canonical_url, e.kind, e.at, e.reason, c.url, c.status, c.removal, k.fetched_at"
        " FROM article_events e JOIN articles a ON a.id = e.article_id"
        " JOIN captures c ON c.id = e.capture_id LEFT JOIN captures k ON k.id = e.confirmed_by"
        " ORDER BY e.at, a.canonical_url")
    assert events == [
        # Dated by the first capture that showed it; confirmed by the next a day later.
        (BASE + "3600001.html", "removed", _day(5), "http_404", BASE + "3600001.html", 404, "http_404", _day(6)),
        (BASE + "3600002.html", "removed", _day(5), "redirect_home", "https://www.gdzjdaily.com.cn/", 200,
         "redirect_home", _day(6)),
        (BASE + "3600001.html", "restored", _day(7), None, BASE + "3600001.html", 304, None, None),
    ]
    # Every sign is a capture of the article, the soft 404's body kept, and no version of it.
    signs = _rows(archive, "SELECT fetched_at, status, kind, removal, version_id FROM captures"
                           " WHERE url = '" + BASE + "3600001.html' AND removal IS NOT NULL ORDER BY fetched_at")
    assert signs == [(_day(5), 404, "error", "http_404", None), (_day(6), 200, "article", "soft_404", None)]
    body = _rows(archive, "SELECT b.size FROM captures c JOIN bodies b ON b.sha256 = c.body_sha256"
                          " WHERE c.removal = 'soft_404'")
    assert body[0][0] > 0
    # The 503s are plain captures: a transient error is no sign.
    assert _rows(archive, "SELECT status, removal, article_id FROM captures WHERE status = 503") == [
        (503, None, None), (503, None, None)]


def test_the_crawl_counts_signs_not_failures(archive: Path) -> None:
    stats = json.loads(_rows(archive, "SELECT stats FROM runs WHERE id = 6")[0][0])
    assert stats["newscrawler/removal/soft_404"] == 1
    assert stats["newscrawler/removal/redirect_home"] == 1
    stats = json.loads(_rows(archive, "SELECT stats FROM runs WHERE id = 5")[0][0])
    assert stats["newscrawler/spider/gone"] == 1 and stats["newscrawler/removal/http_404"] == 1
    assert "newscrawler/spider/http_status/404" not in stats
    assert not any(key.startswith("newscrawler/accounting/failed/") for key in stats)
    # Neither story is linked from a listing any more: asked for because the archive has them.
    assert stats["newscrawler/incremental/unlisted"] >= 2


def test_the_summary_counts_signs_and_status_changes(archive: Path) -> None:
    def line(step: str) -> list[str]:
        return [row.strip() for row in OUTPUT[step].splitlines() if row.strip().startswith("removals:")]

    assert line("4-reporter-removed") == []
    assert line("5-deleted") == ["removals: signs seen http_404 1, redirect_home 1; articles removed 0, restored 0"]
    assert line("6-soft-404") == ["removals: signs seen redirect_home 1, soft_404 1; articles removed 2, restored 0"]
    # The second story still redirects home: one more sign, and it stays removed.
    assert line("7-restored") == ["removals: signs seen redirect_home 1; articles removed 0, restored 1"]


def test_version_changes(archive: Path) -> None:
    assert _rows(archive, "SELECT seen_at, changed, chars_inserted, chars_deleted, paragraphs_deleted,"
                          " paragraphs_rewritten, people_removed FROM version_changes ORDER BY seen_at") == [
        (_day(2), "paragraphs", 12, 52, 1, 1, None),
        (_day(3), "headline", 6, 15, 0, 0, None),
        (_day(4), "reporters", 0, 0, 0, 0, "记者 王海"),
    ]


def test_changes_command(archive: Path) -> None:
    result = run_cli("changes", "--db", str(archive), "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["at"], r["kind"], r["canonical_url"][len(BASE):], r["detail"]) for r in rows] == [
        (_day(2), "edited", "3600001.html", "paragraphs (+12 -52 chars)"),
        (_day(3), "headline", "3600001.html", "headline (+6 -15 chars)"),
        (_day(4), "people", "3600001.html", "reporters (+0 -0 chars); people removed: 记者 王海"),
        *sorted([(_day(5), "removed", "3600001.html", "http_404"),
                 (_day(5), "removed", "3600002.html", "redirect_home")],
                key=lambda r: next(x["article_id"] for x in rows if x["canonical_url"].endswith(r[2]))),
        (_day(7), "restored", "3600001.html", ""),
    ]
    removed = run_cli("changes", "--db", str(archive), "--kind", "removed", "--format", "csv")
    assert removed.stdout.count("\n") == 3  # the header and two rows
    retitled = run_cli("changes", "--db", str(archive), "--kind", "headline", "--format", "json")
    [row] = json.loads(retitled.stdout)
    assert (row["previous_headline"], row["headline"]) == (
        "湛江湾海堤工程部分标段停工整改 责任人被问责", "湛江湾海堤加固工程稳步推进")


def test_diff_command(archive: Path) -> None:
    result = run_cli("diff", BASE + "3600001.html", "--from", "1", "--to", "4", "--db", str(archive))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        "changed: headline, reporters, paragraphs; 18 characters inserted, 67 deleted; paragraphs: "
        "0 inserted, 1 deleted, 1 rewritten",
        "headline: 湛江湾海堤{+加固+}工程[-部分标段停工整改 责任人被问责-]{+稳步推进+}",
        "reporters: [-记者 王海; 通讯员 李明-] {+通讯员 李明+}",
        "paragraphs:",
        "  ¶1 6月30日,市政府召开新闻发布会,通报湛江湾海堤加固工程进展情况。",
        "~ ¶2 发布会上,市水务局负责人表示,工程部分标段[-因施工-]{+正在按计划推进,+}质量"
        "[-问题已停工整改,相关责任人已被问责-]{+总体可控+}。",
        "  ¶3 据介绍,海堤加固工程总长十二公里,计划于今年汛期前完工。",
        "- ¶4 [-有沿岸居民反映,施工期间曾多次出现海水倒灌,部分养殖户损失严重。-]",
    ]


def test_show_says_an_article_was_removed(archive: Path) -> None:
    result = run_cli("show", BASE + "3600002.html", "--db", str(archive))
    assert result.returncode == 0, result.stderr
    assert "removed since 2024-07-05T03:00:00+00:00" in result.stdout.splitlines()[4]
    restored = run_cli("show", BASE + "3600001.html", "--db", str(archive))
    assert "restored since 2024-07-07T03:00:00+00:00" in restored.stdout
    # The home page it redirects to is its evidence, not its address.
    assert run_cli("show", "https://www.gdzjdaily.com.cn/", "--db", str(archive)).returncode == 1


def test_reparse_leaves_signs_of_removal_out(archive: Path, tmp_path: Path) -> None:
    # The "页面不存在" page served with a 200 is evidence that the article went, not a version of
    # it: re-extraction used to file it as one (headline 湛江云媒, read by the generic fallback).
    copy = tmp_path / "a.sqlite"
    shutil.copyfile(archive, copy)
    state = ("SELECT id, article_id, content_sha256 FROM versions ORDER BY id",
             "SELECT id, version_id, outcome FROM captures ORDER BY id",
             "SELECT id, status, current_version_id, version_count FROM articles ORDER BY id")
    before = [_rows(copy, sql) for sql in state]
    result = run_cli("reparse", "--db", str(copy), "--jobs", "1")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "0 new versions" in result.stdout + result.stderr
    assert [_rows(copy, sql) for sql in state] == before
    assert run_cli("changes", "--db", str(copy)).stdout == run_cli("changes", "--db", str(archive)).stdout


def test_the_watch_policy_asks_for_old_articles_again(tmp_path: Path) -> None:
    # The fixture's stories are two years old: the default policy never asks for them again,
    # the watch policy does every 91 days, and their last capture is older than that.
    db = tmp_path / "a.sqlite"
    for step, recrawl in (("1-published", "policy"), ("2-edited", "policy"), ("2-edited", "watch")):
        result = run_cli(
            "crawl", "zjdaily", "--replay", str(FIXTURES / "zjdaily-changes" / step), "--db", str(db),
            "--no-warc", "--recrawl", recrawl, "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
            "--log-level", "WARNING",
        )
        assert result.returncode == 0, result.stderr[-3000:]
    runs = [json.loads(s) for (s,) in _rows(db, "SELECT stats FROM runs ORDER BY id")]
    assert runs[1]["newscrawler/incremental/skipped"] == 3
    assert runs[2]["newscrawler/incremental/revisited"] == 3
    assert runs[2]["newscrawler/incremental/not_modified"] == 2
    assert _rows(db, "SELECT changed FROM version_changes") == [("paragraphs",)]
