"""Run reports: every run keeps its figures, and a run whose field coverage falls is flagged.

The end-to-end test crawls a fast copy of the fixture portal (no Crawl-delay) twice, then a copy
whose article template changed (the meta line renamed and hidden, so time, source and reporters
vanish, for the generic extractor too, which reads only what a reader sees): that run is flagged
in the archive, listed as flagged, and the crawl exits non-zero naming the fields.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from support import ZJDAILY, run_cli, without_crawl_delay

from archive import Archive
from newscrawler.reports import (
    EXIT_FLAGGED,
    coverage,
    coverage_drops,
    errors_by_kind,
    open_flag,
    run_line,
)


def _copy(source: Path, target: Path, old: bytes, new: bytes) -> Path:
    shutil.copytree(source, target)
    for page in (target / "p").glob("*.html"):
        page.write_bytes(page.read_bytes().replace(old, new))
    return target


@pytest.fixture(scope="module")
def portal_copies(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The portal; the same portal rendered again (an article page whose bytes are unchanged
    is not extracted again, so it says nothing of the layout); and the changed template."""
    base = tmp_path_factory.mktemp("portals")
    fast = without_crawl_delay(ZJDAILY, base / "fast" / "zjdaily")
    again = _copy(fast, base / "again" / "zjdaily", b"</body>", b"<!-- rendered again --></body>")
    broken = _copy(fast, base / "broken" / "zjdaily", b'class="article-info"', b'class="article-meta" hidden')
    return fast, again, broken


def _crawl(portal: Path, db: Path):
    return run_cli(
        "crawl", "zjdaily", "--replay", str(portal), "--db", str(db), "--no-warc",
        "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
        # Fetch every article again, though the archive holds it (incremental crawling).
        "-s", "NEWSCRAWLER_RECRAWL=all",
    )


def test_a_run_whose_coverage_falls_is_flagged(portal_copies: tuple[Path, Path, Path], tmp_path: Path) -> None:
    fast, again, broken = portal_copies
    db = tmp_path / "archive.sqlite"
    for portal in (fast, again):
        result = _crawl(portal, db)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "FLAGGED" not in result.stdout

    result = _crawl(broken, db)
    assert result.returncode == EXIT_FLAGGED, result.stderr[-3000:]
    for name in ("published_at", "source", "reporters"):
        assert name in result.stdout
        assert re.search(rf"flagged: field coverage fell: .*{name} 0\.[0-3]\d \(usually 1\.00\)", result.stderr)
    assert "editors" not in result.stdout.split("FLAGGED", 1)[1]

    with Archive.open(db, create=False) as archive:
        runs = archive.runs("zjdaily")
    assert [r["flagged"] for r in runs] == [True, False, False]
    assert [r["status"] for r in runs] == ["finished"] * 3
    assert runs[0]["flag_reason"].startswith("field coverage fell: published_at 0.00 (usually 1.00)")
    assert runs[0]["stats"]["newscrawler/report/coverage/published_at"] == 0.0
    assert runs[1]["stats"]["newscrawler/archive/unchanged"] == runs[1]["stats"]["newscrawler/validate/articles"] > 5

    listed = run_cli("crawls", "--db", str(db))
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(f"#{runs[0]['id']}  zjdaily") and "FLAGGED: field coverage fell" in lines[0]
    assert "FLAGGED" not in lines[1] and "coverage published_at 1.00" in lines[1]
    only = run_cli("crawls", "--db", str(db), "--flagged", "--portal", "zjdaily", "--last", "5")
    assert only.stdout.splitlines() == lines[:1]

    # Checked by an archivist: acknowledged, the reason kept, no longer an open flag.
    acked = run_cli("crawls", "--db", str(db), "--acknowledge", str(runs[0]["id"]),
                    "--note", "checked: template changed, layout fix under way", "--by", "li")
    assert acked.returncode == 0, acked.stderr
    assert re.search(r"  flag acknowledged \S+ \S+ by li \(checked: template changed, layout fix"
                     r" under way\): field coverage fell: published_at 0\.00", acked.stdout), acked.stdout
    assert "FLAGGED" not in acked.stdout
    listed = run_cli("crawls", "--db", str(db))
    assert listed.stdout.splitlines()[0] == acked.stdout.strip()
    assert listed.stdout.splitlines()[1:] == lines[1:]
    only = run_cli("crawls", "--db", str(db), "--flagged")
    assert only.returncode == 0 and only.stdout == ""
    with Archive.open(db, create=False) as archive:
        run = archive.runs("zjdaily")[0]
    assert run["flagged"] and run["flag_reason"] == runs[0]["flag_reason"]
    assert run["acknowledged_by"] == "li"
    assert run["acknowledged_note"] == "checked: template changed, layout fix under way"
    assert run["acknowledged_at"] >= run["ended_at"]
    again = run_cli("crawls", "--db", str(db), "--acknowledge", str(runs[0]["id"]), "--note", "again")
    assert again.returncode == 1
    assert again.stderr.startswith(f"Error: run {runs[0]['id']}'s flag was acknowledged already, ")
    assert "by li: checked: template changed" in again.stderr

    # The layout is still broken: the next run (pages rendered again, so extracted again) is
    # flagged again, the acknowledged run staying out of its baseline.
    result = _crawl(_copy(broken, tmp_path / "broken-again" / "zjdaily", b"</body>", b"<!-- again --></body>"), db)
    assert result.returncode == EXIT_FLAGGED, result.stderr[-3000:]
    only = run_cli("crawls", "--db", str(db), "--flagged")
    assert len(only.stdout.splitlines()) == 1 and "FLAGGED: field coverage fell" in only.stdout


def test_acknowledging_a_flag_in_the_library(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a.sqlite") as archive:
        flagged = archive.start_run("zjdaily", {})
        archive.finish_run(flagged, "finished", _stats(9, editors=8),
                           "field coverage fell: editors 0.11 (usually 1.00)")
        plain = archive.start_run("zjdaily", {})
        archive.finish_run(plain, "finished", _stats(9))
        with pytest.raises(ValueError, match=f"run {plain} is not flagged"):
            archive.acknowledge_flag(plain, note="fine", by="li")
        with pytest.raises(ValueError, match="no crawl run 99 in this archive"):
            archive.acknowledge_flag(99, note="fine", by="li")
        with pytest.raises(ValueError, match="needs a note"):
            archive.acknowledge_flag(flagged, note="  ", by="li")
        assert [open_flag(r) for r in archive.runs()] == [False, True]
        when = archive.acknowledge_flag(flagged, note=" site was down ", by="li")
        runs = archive.runs()
    assert [open_flag(r) for r in runs] == [False, False]
    assert runs[1]["acknowledged_at"] == when and runs[1]["acknowledged_note"] == "site was down"
    assert runs[1]["flagged"] and runs[1]["flag_reason"] == "field coverage fell: editors 0.11 (usually 1.00)"
    assert runs[0]["acknowledged_at"] is None and runs[0]["acknowledged_by"] is None
    assert run_line(runs[1]).endswith(
        f"  flag acknowledged {when[:19].replace('T', ' ')} by li (site was down):"
        " field coverage fell: editors 0.11 (usually 1.00)")


def test_an_archive_flagged_before_acknowledgements_existed_is_migrated(tmp_path: Path) -> None:
    import sqlite3

    from archive.schema import MIGRATIONS

    path = tmp_path / "v3.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    for number, _description, apply in MIGRATIONS[:3]:
        apply(conn)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.execute("INSERT INTO runs (portal, started_at, status, flagged, flag_reason)"
                 " VALUES ('zjdaily', '2024-07-01T00:00:00+00:00', 'finished', 1, 'field coverage fell')")
    conn.close()
    result = run_cli("crawls", "--db", str(path), "--flagged")
    assert result.returncode == 0 and "FLAGGED: field coverage fell" in result.stdout
    acked = run_cli("crawls", "--db", str(path), "--acknowledge", "1", "--note", "old run, checked")
    assert acked.returncode == 0, acked.stderr
    assert "flag acknowledged" in acked.stdout and " by " in acked.stdout


def test_acknowledge_usage_errors(tmp_path: Path) -> None:
    db = str(tmp_path / "a.sqlite")
    Archive.open(db).close()
    for args, message in (
        (("--acknowledge", "1"), "--acknowledge needs --note"),
        (("--acknowledge", "1", "--note", "x", "--flagged"), "--acknowledge takes no --flagged"),
        (("--note", "x"), "--note and --by go with --acknowledge RUN_ID"),
    ):
        result = run_cli("crawls", "--db", db, *args)
        assert result.returncode == 2 and f"Error: {message}" in result.stderr, result.stderr


def test_crawls_on_a_missing_archive_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_cli("crawls", "--db", str(tmp_path / "none.sqlite"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"Error: no archive at {tmp_path / 'none.sqlite'}"
    assert not (tmp_path / "none.sqlite").exists()


def _spoil(db: Path, run_id: int, column: str, value: str) -> None:
    """Write a value into the runs table as an editor or another program could."""
    import sqlite3

    conn = sqlite3.connect(db)
    with conn:
        conn.execute(f"UPDATE runs SET {column} = ? WHERE id = ?", (value, run_id))
    conn.close()


def test_a_run_whose_stats_are_not_json_is_listed_as_unreadable_with_a_warning(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    with Archive.open(db) as archive:
        good = archive.record_failed_run("zjdaily", {}, "crashed", {"response_received_count": 7})
        broken = archive.record_failed_run("zjdaily", {}, "finished", {"response_received_count": 3})
        listed = archive.record_failed_run("zjdaily", {}, "finished", {"response_received_count": 5})
        flagged = archive.start_run("zjdaily", {})
        archive.finish_run(flagged, "finished", {}, "field coverage fell: editors 0.10 (usually 1.00)")
    _spoil(db, broken, "stats", "{pages: 3")
    _spoil(db, listed, "stats", "[3, 5]")
    _spoil(db, flagged, "stats", "not json at all")

    result = run_cli("crawls", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [f"#{flagged}", f"#{listed}", f"#{broken}", f"#{good}"]
    assert re.fullmatch(rf"#{broken}  zjdaily  \S+ \S+  finished  0:00:00  stats unreadable: not JSON"
                        r" \(Expecting property name enclosed in double quotes at character 1\)", lines[2]), lines[2]
    assert lines[1].endswith("  stats unreadable: JSON an array, not an object")
    assert "pages" not in lines[0] and lines[0].endswith("FLAGGED: field coverage fell: editors 0.10 (usually 1.00)")
    assert "pages 7 " in lines[3]
    assert result.stderr == (
        "Warning: not readable as JSON in the archive (edited by hand, or written by another program?):"
        f" stats of run #{flagged}, stats of run #{listed}, stats of run #{broken}; listed without them\n")

    only = run_cli("crawls", "--db", str(db), "--flagged")
    assert only.returncode == 0 and only.stdout.splitlines() == lines[:1], only.stderr
    acked = run_cli("crawls", "--db", str(db), "--acknowledge", str(flagged), "--note", "checked", "--by", "li")
    assert acked.returncode == 0 and "flag acknowledged" in acked.stdout, acked.stderr
    assert acked.stderr.count("\n") == 1 and f"stats of run #{flagged}" in acked.stderr

    # Settings are read the same way: the run is listed, its figures with it.
    _spoil(db, good, "settings", "{")
    with Archive.open(db, create=False) as archive:
        run = next(r for r in archive.runs() if r["id"] == good)
    assert run["settings"] == {} and run["stats"] == {"response_received_count": 7}
    assert run["unreadable"] == {"settings": "not JSON (Expecting property name enclosed in double quotes"
                                             " at character 1)"}
    result = run_cli("crawls", "--db", str(db))
    assert result.returncode == 0 and "pages 7 " in result.stdout.splitlines()[3]
    assert f"settings of run #{good}" in result.stderr


def test_a_crawl_reviews_its_run_beside_a_run_whose_stats_are_not_json(
    portal_copies: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    """The flag review reads the portal's earlier runs as its baseline when the crawl ends."""
    db = tmp_path / "archive.sqlite"
    with Archive.open(db) as archive:
        spoiled = archive.record_failed_run("zjdaily", {}, "finished", {})
    _spoil(db, spoiled, "stats", "{truncated")
    result = _crawl(portal_copies[0], db)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    with Archive.open(db, create=False) as archive:
        run, old = archive.runs()
    assert (run["status"], run["unreadable"]) == ("finished", {})
    assert old["unreadable"]["stats"].startswith("not JSON")


def _stats(articles: int, **missing: int) -> dict:
    stats = {"newscrawler/validate/articles": articles, "finish_reason": "finished"}
    stats.update({f"newscrawler/validate/missing/{k}": v for k, v in missing.items()})
    return stats


def test_coverage_is_the_share_of_records_with_each_field() -> None:
    assert coverage(_stats(10, editors=3, source=10)) == {
        "published_at": 1.0, "source": 0.0, "reporters": 1.0, "editors": 0.7}
    assert coverage(_stats(0)) is None
    # A portal that never shows a field (Portal.never_shown) has no share for it.
    never = {**_stats(10, editors=10, source=10), "newscrawler/validate/never_shown": ["editors", "source"]}
    assert coverage(never) == {"published_at": 1.0, "reporters": 1.0}
    assert coverage_drops(coverage(never) or {}, [coverage(_stats(10))] * 3) == []


def test_a_portal_can_only_declare_optional_fields_never_shown() -> None:
    from newscrawler.portals import register
    from newscrawler.portals.base import Portal

    class Headless(Portal):
        name = "headless-test"
        hosts = ("headless.example",)
        never_shown = ("headline",)

    with pytest.raises(ValueError, match="never_shown names \\['headline'\\]"):
        register(Headless)


def test_a_drop_counts_against_the_median_of_recent_runs() -> None:
    usual = coverage(_stats(10, editors=1))
    assert coverage_drops(coverage(_stats(10, editors=5)), [usual, usual]) == [("editors", 0.5, 0.9)]
    # 0.3 below the median is not "more than 0.3": not a drop.
    assert coverage_drops(coverage(_stats(10, editors=4)), [usual, usual]) == []
    # One earlier run is not a baseline.
    assert coverage_drops(coverage(_stats(10, editors=10)), [usual]) == []
    # The median shrugs off one odd earlier run.
    odd = coverage(_stats(10, editors=10))
    assert coverage_drops(coverage(_stats(10, editors=1)), [usual, odd, usual]) == []


def test_a_run_in_the_archive_has_its_report_line(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a.sqlite") as archive:
        run_id = archive.start_run("zjdaily", {})
        stats = {**_stats(4, editors=1), "response_received_count": 9, "newscrawler/archive/new": 3,
                 "newscrawler/archive/unchanged": 1, "newscrawler/spider/http_status/404": 2,
                 "robotstxt/forbidden": 1}
        archive.finish_run(run_id, "finished", stats, "field coverage fell: editors 0.75 (usually 1.00)")
        crashed = archive.record_failed_run("zjdaily", {}, "crashed", {"newscrawler/scheduler/exit_code": 1})
        runs = archive.runs()
    assert [r["id"] for r in runs] == [crashed, run_id]
    line = run_line(runs[1])
    assert re.fullmatch(
        rf"#{run_id}  zjdaily  \S+ \S+  finished  0:00:0\d  pages 9  articles 4 \(new 3, changed 0,"
        r" unchanged 1\)  errors 2 \(http_404 2\)  robots 1  coverage published_at 1.00 source 1.00"
        r" reporters 1.00 editors 0.75  FLAGGED: field coverage fell: editors 0.75 \(usually 1.00\)",
        line,
    ), line
    assert " crashed " in run_line(runs[0])
    assert errors_by_kind({"newscrawler/extract/error": 2, "newscrawler/validate/invalid/no_body": 1}) == {
        "invalid_no_body": 1, "extract_error": 2}


# --- progress ------------------------------------------------------------------------------------

def test_the_progress_line() -> None:
    from newscrawler.progress import progress_line

    stats = {"response_received_count": 30, "newscrawler/archive/new": 5, "newscrawler/archive/changed": 1,
             "newscrawler/validate/articles": 6, "newscrawler/validate/invalid/no_body": 2,
             "newscrawler/spider/http_status/404": 3}
    assert progress_line("zjdaily", stats, 12.0) == (
        "zjdaily  0:00:12  pages 30 (2.5/s)  articles new 5, changed 1, unchanged 0  errors 5")
    # 8 of 20 articles in 12 s: 12 more articles take 18 s.
    assert progress_line("zjdaily", stats, 12.0, max_articles=20).endswith("  8/20  ETA 0:00:18")
    assert progress_line("zjdaily", {}, 0.0, max_articles=20).endswith("errors 0  0/20")
    # Resumed: 4 articles counted by the interrupted run; 8 more in 12 s, 8 left take 12 s.
    resumed = {**stats, "newscrawler/resume/budget_spent_before": 4}
    assert progress_line("zjdaily", resumed, 12.0, max_articles=20).endswith("  12/20  ETA 0:00:12")


@pytest.mark.parametrize(("mode", "enabled"), [("off", False), ("auto", False), ("on", True), ("bogus", False)])
def test_progress_is_on_for_terminals_only_unless_asked(mode: str, enabled: bool) -> None:
    from scrapy.exceptions import NotConfigured
    from scrapy.utils.test import get_crawler

    from newscrawler.progress import Progress

    crawler = get_crawler(settings_dict={"NEWSCRAWLER_PROGRESS": mode})
    if enabled:
        assert Progress(crawler).live is None  # starts with the spider
    else:  # pytest's standard output is not a terminal
        with pytest.raises(NotConfigured):
            Progress(crawler)


def test_a_crawl_shows_its_progress_when_asked(portal_copies: tuple[Path, Path, Path], tmp_path: Path) -> None:
    fast = portal_copies[0]
    result = run_cli(
        "crawl", "zjdaily", "--replay", str(fast), "--db", str(tmp_path / "a.sqlite"), "--no-warc",
        "--max-articles", "3", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
        "-s", "NEWSCRAWLER_PROGRESS=on",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.search(r"^zjdaily  0:00:\d\d  pages \d+ \([\d.]+/s\)  articles new 3, changed 0,"
                     r" unchanged 0  errors 0  3/3$", result.stdout, re.MULTILINE), result.stdout
