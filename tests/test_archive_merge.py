"""Merging node archives, end to end: real crawls of the fixture portals, merged by the command
line, compared with one archive that crawled the same pages (``archive.compare``).

Two cases. Two portals on two nodes (zjdaily on one, its e-paper on the other) against one
machine that crawled both. One portal on two nodes taking turns (``fixtures/zjdaily-changes``:
an article edited, retitled, taken down and restored, another redirected home; odd steps on one
node, even steps on the other) against one machine that crawled every step: neither node alone
saw the article's history, the merge must.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from support import FIXTURES, ZJDAILY, run_cli, without_crawl_delay

from archive import Archive
from archive.compare import differences, snapshot
from archive.warc import WarcStore

EPAPER = FIXTURES / "zjdaily-epaper"
CHANGES = FIXTURES / "zjdaily-changes"
STEPS = ("1-published", "2-edited", "3-retitled", "4-reporter-removed", "5-deleted", "6-soft-404",
         "7-restored")
FAST = ("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=1")
# Tables whose rows a merge must reproduce one for one.
TABLES = ("runs", "captures", "articles", "versions", "people", "paragraphs", "images", "rankings",
          "related", "version_changes", "article_events", "bodies")


def _crawl(portal: str, site: Path, db: Path, *args: str) -> None:
    result = run_cli("crawl", portal, "--replay", str(site), "--db", str(db), *FAST, *args)
    assert result.returncode == 0, result.stderr[-3000:]


def _merge(out: Path, *sources: Path) -> dict[str, Any]:
    result = run_cli("archive", "merge", str(out), *map(str, sources), "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture(scope="module")
def two_portals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("merge")
    zjdaily = without_crawl_delay(ZJDAILY, tmp / "sites" / "zjdaily")
    epaper = without_crawl_delay(EPAPER, tmp / "sites" / "zjdaily-epaper")
    days = ("--from", "2022-04-17", "--to", "2022-04-19")
    node1, node2 = tmp / "node1" / "archive.sqlite", tmp / "node2" / "archive.sqlite"
    single, merged = tmp / "single" / "archive.sqlite", tmp / "merged" / "archive.sqlite"
    _crawl("zjdaily", zjdaily, node1)
    _crawl("zjdaily-epaper", epaper, node2, *days)
    _crawl("zjdaily", zjdaily, single)
    _crawl("zjdaily-epaper", epaper, single, *days)
    first = _merge(merged, node1, node2)
    after_first = (_counts(merged), snapshot(merged))
    again = _merge(merged, node1, node2)
    return {"nodes": (node1, node2), "single": single, "merged": merged, "first": first,
            "after_first": after_first, "again": again}


def test_merged_archive_equals_one_that_crawled_both(two_portals: dict[str, Any]) -> None:
    single, merged = two_portals["single"], two_portals["merged"]
    assert differences(snapshot(single), snapshot(merged)) == []
    assert _counts(merged) == _counts(single)
    # Each node holds one portal: the test compares archives that could differ.
    assert differences(snapshot(two_portals["nodes"][0]), snapshot(single))


def test_report_says_what_each_node_added(two_portals: dict[str, Any]) -> None:
    report = two_portals["first"]
    for node, source in zip(two_portals["nodes"], report["sources"], strict=True):
        counts = _counts(node)
        assert source["path"] == str(node)
        assert source["added"] == {
            "articles": counts["articles"], "versions": counts["versions"],
            "captures": counts["captures"], "rankings": counts["rankings"],
            "people": counts["people"], "events": counts["article_events"], "runs": counts["runs"],
        }
        assert set(source["already_present"].values()) == {0}
        assert (source["warc_files_copied"], source["captures_without_warc"]) == (1, 0)
    assert report["sources"][0]["added"]["rankings"] > 0 and report["sources"][1]["added"]["people"] > 0


def test_merging_the_same_archives_again_adds_nothing(two_portals: dict[str, Any]) -> None:
    counts, content = two_portals["after_first"]
    merged = two_portals["merged"]
    assert _counts(merged) == counts
    assert differences(content, snapshot(merged)) == []
    for node, source in zip(two_portals["nodes"], two_portals["again"]["sources"], strict=True):
        assert set(source["added"].values()) == {0}
        assert source["already_present"]["captures"] == _counts(node)["captures"]
        assert (source["warc_files_copied"], source["warc_files_present"]) == (0, 1)


def test_ids_are_remapped_without_collision(two_portals: dict[str, Any]) -> None:
    merged = two_portals["merged"]
    assert _rows(merged, "PRAGMA foreign_key_check") == []
    assert _rows(merged, "PRAGMA integrity_check") == [("ok",)]
    # Both nodes numbered their rows from 1; in the merged archive every capture still belongs
    # to its own article, version and run: compared through what identifies them, not ids.
    sql = ("SELECT c.url, c.fetched_at, c.body_sha256, r.portal, r.started_at, a.canonical_url,"
           " v.content_sha256 FROM captures c JOIN runs r ON r.id = c.run_id"
           " LEFT JOIN articles a ON a.id = c.article_id LEFT JOIN versions v ON v.id = c.version_id")
    expected = sorted(row for node in two_portals["nodes"] for row in _rows(node, sql))
    assert sorted(_rows(merged, sql)) == expected
    people = ("SELECT a.canonical_url, p.kind, p.position, p.name FROM people p"
              " JOIN versions v ON v.id = p.version_id JOIN articles a ON a.id = v.article_id")
    assert sorted(_rows(merged, people)) == sorted(
        row for node in two_portals["nodes"] for row in _rows(node, people))


def test_search_on_the_merged_archive_finds_both_portals(two_portals: dict[str, Any]) -> None:
    found = {}
    for name in ("single", "merged"):
        result = run_cli("search", "徐闻", "--db", str(two_portals[name]), "--format", "json",
                         "--limit", "100")
        assert result.returncode == 0, result.stderr
        found[name] = sorted((hit["portal"], hit["headline"]) for hit in json.loads(result.stdout))
    assert {portal for portal, _ in found["merged"]} == {"zjdaily", "zjdaily-epaper"}
    assert found["merged"] == found["single"]


def test_warc_records_of_merged_captures_are_readable(two_portals: dict[str, Any]) -> None:
    merged = two_portals["merged"]
    (article_id,) = _rows(merged, "SELECT id FROM articles WHERE portal = 'zjdaily-epaper'"
                                  " ORDER BY id DESC LIMIT 1")[0]
    shown = run_cli("show", str(article_id), "--db", str(merged), "--json")
    assert shown.returncode == 0, shown.stderr
    (capture,) = json.loads(shown.stdout)["captures"]
    assert (merged.parent / "warc" / capture["warc_filename"]).is_file()
    with Archive.open(merged, create=False) as archive:
        body = archive.capture_body(capture["id"])
    assert WarcStore(merged.parent / "warc").body(capture["warc_filename"], capture["warc_offset"]) == body
    exported = merged.parent / "epaper.warc.gz"
    result = run_cli("export", "--format", "warc", "--portal", "zjdaily-epaper", "-o", str(exported),
                     "--db", str(merged))
    assert result.returncode == 0, result.stderr
    # Every capture copied from the merged WARC files, none rebuilt from the archive's bodies.
    assert " 0 rebuilt from the archive, 0 skipped" in result.stderr, result.stderr


@pytest.fixture(scope="module")
def taking_turns(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("turns")
    odd, even, single = (tmp / name / "archive.sqlite" for name in ("odd", "even", "single"))
    for number, step in enumerate(STEPS, start=1):
        for db in (odd if number % 2 else even, single):
            _crawl("zjdaily", CHANGES / step, db, "--recrawl", "all")
    merged = tmp / "merged" / "archive.sqlite"
    _merge(merged, odd, even)
    # One node at a time, the later one first: the other's captures arrive out of order.
    in_turn = tmp / "in-turn" / "archive.sqlite"
    _merge(in_turn, even)
    _merge(in_turn, odd)
    return {"odd": odd, "even": even, "single": single, "merged": merged, "in_turn": in_turn}


HISTORY = (
    "SELECT canonical_url, status, status_since, version_count FROM articles ORDER BY 1",
    "SELECT a.canonical_url, e.kind, e.at, e.reason, c.url, k.url FROM article_events e"
    " JOIN articles a ON a.id = e.article_id JOIN captures c ON c.id = e.capture_id"
    " LEFT JOIN captures k ON k.id = e.confirmed_by ORDER BY 1, 3",
    "SELECT a.canonical_url, vc.seen_at, vc.changed, vc.chars_inserted, vc.chars_deleted,"
    " vc.people_removed FROM version_changes vc JOIN articles a ON a.id = vc.article_id"
    " ORDER BY 1, 2",
)


def test_nodes_taking_turns_merge_into_the_whole_history(taking_turns: dict[str, Path]) -> None:
    single, merged = taking_turns["single"], taking_turns["merged"]
    assert differences(snapshot(single), snapshot(merged)) == []
    for sql in HISTORY:
        assert _rows(merged, sql) == _rows(single, sql), sql
    assert _rows(merged, HISTORY[0])[:2] == [
        ("https://www.gdzjdaily.com.cn/p/3600001.html", "restored", "2024-07-07T03:00:00+00:00", 4),
        ("https://www.gdzjdaily.com.cn/p/3600002.html", "removed", "2024-07-05T03:00:00+00:00", 1),
    ]
    # Neither node saw it: one saw the takedown (404), the other the soft 404 a day later.
    for node in ("odd", "even"):
        assert _rows(taking_turns[node], HISTORY[0]) != _rows(single, HISTORY[0])


def test_nodes_merged_one_at_a_time_out_of_order_too(taking_turns: dict[str, Path]) -> None:
    single, in_turn = taking_turns["single"], taking_turns["in_turn"]
    assert differences(snapshot(single), snapshot(in_turn)) == []
    for sql in HISTORY:
        assert _rows(in_turn, sql) == _rows(single, sql), sql
