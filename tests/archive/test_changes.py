"""Removals and restorations in the archive, and the changes they make with new versions:
statuses, evidence kept, the `changes` view and command."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from conftest import SEED, make_capture, make_record

from archive import Archive
from archive.cli import changes as changes_command

URL = SEED["url"]


def _gone(at: str, removal: str | None = "http_404", status: int = 404) -> dict:
    return {"url": URL, "canonical_url": URL, "fetched_at": at, "status": status, "kind": "error",
            "headers": {}, "body": f"<h1>{status}</h1>".encode(), "removal": removal}


def _day(n: int) -> str:
    return f"2026-01-{n:02d}T00:00:00+00:00"


def _status(archive: Archive) -> tuple:
    return archive.conn.execute(
        "SELECT status, status_since, removal_pending_capture_id FROM articles").fetchone()


def _events(archive: Archive) -> list[tuple]:
    return archive.conn.execute(
        "SELECT kind, at, capture_id, confirmed_by, reason FROM article_events ORDER BY id").fetchall()


@pytest.fixture
def live(archive: Archive) -> tuple[Archive, int]:
    run = archive.start_run("zjdaily", {})
    record = make_record()
    archive.add_capture(run, make_capture(record), record)
    return archive, run


def test_a_removal_needs_a_second_observation_a_set_time_later(live):
    archive, run = live
    assert archive.removal_confirm == timedelta(hours=24)
    assert archive.add_capture(run, _gone("2026-01-02T00:00:00+00:00"), None) == "captured"
    assert _status(archive) == ("live", None, 2)
    # Twelve hours later: not yet confirmed.
    archive.add_capture(run, _gone("2026-01-02T12:00:00+00:00", "soft_404", 200), None)
    assert _status(archive)[0] == "live" and _events(archive) == []
    archive.add_capture(run, _gone(_day(3), "redirect_home", 200), None)
    assert _status(archive) == ("removed", _day(2), None)
    # Dated by the first capture that showed it, confirmed by the later one.
    assert _events(archive) == [("removed", _day(2), 2, 4, "http_404")]
    # Every observation is kept as evidence, pointing at the article.
    assert archive.conn.execute(
        "SELECT id, status, removal, article_id FROM captures WHERE removal IS NOT NULL").fetchall() == [
        (2, 404, "http_404", 1), (3, 200, "soft_404", 1), (4, 200, "redirect_home", 1)]


def test_a_transient_sign_is_forgotten_when_the_article_is_seen_again(live):
    archive, run = live
    archive.removal_confirm = timedelta(0)
    archive.add_capture(run, _gone(_day(2)), None)
    record = make_record(fetched_at=_day(3))
    archive.add_capture(run, make_capture(record), record)
    assert _status(archive) == ("live", None, None)
    archive.add_capture(run, _gone(_day(4)), None)
    assert _status(archive)[0] == "live"  # one observation again, pending


def test_a_removed_article_that_comes_back_is_restored(live):
    archive, run = live
    archive.removal_confirm = timedelta(0)
    archive.add_capture(run, _gone(_day(2)), None)
    archive.add_capture(run, _gone(_day(3), "http_410", 410), None)
    not_modified = {"url": URL, "canonical_url": URL, "fetched_at": _day(5), "status": 304,
                    "kind": "not-modified", "headers": {}, "body": b""}
    assert archive.add_capture(run, not_modified, None) == "unchanged"
    assert _status(archive) == ("restored", _day(5), None)
    assert [e[:3] for e in _events(archive)] == [("removed", _day(2), 2), ("restored", _day(5), 4)]


def test_a_page_the_archive_does_not_know_is_no_removal(live):
    archive, run = live
    other = {**_gone(_day(2)), "url": "https://www.gdzjdaily.com.cn/p/1.html",
             "canonical_url": "https://www.gdzjdaily.com.cn/p/1.html"}
    archive.add_capture(run, other, None)
    assert archive.conn.execute("SELECT article_id FROM captures WHERE id = 2").fetchone() == (None,)
    assert _status(archive) == ("live", None, None)


def _history(archive: Archive, run: int) -> None:
    archive.removal_confirm = timedelta(0)
    retitled = make_record(fetched_at=_day(2), headline="徐聞推進創建")
    edited = make_record(fetched_at=_day(3), headline="徐聞推進創建",
                         reporters=[SEED["reporters"][1]],
                         paragraphs=[*SEED["paragraphs"][:4], "與會人員表示將完成任務。"])
    for record in (retitled, edited):
        archive.add_capture(run, make_capture(record), record)
    archive.add_capture(run, _gone(_day(4)), None)
    archive.add_capture(run, _gone(_day(5), "soft_404", 200), None)
    back = make_record(fetched_at=_day(6), headline="徐聞推進創建", reporters=[SEED["reporters"][1]],
                       paragraphs=[*SEED["paragraphs"][:4], "與會人員表示將完成任務。"])
    archive.add_capture(run, make_capture(back), back)


def test_changes_lists_versions_and_statuses_in_order(live):
    archive, run = live
    _history(archive, run)
    rows = archive.changes()
    assert [(r["at"], r["kind"], r["detail"]) for r in rows] == [
        (_day(2), "headline", "headline (+0 -10 chars)"),
        (_day(3), "edited people", "reporters paragraphs (+0 -7 chars); people removed: 記者 陳荔雅"),
        (_day(4), "removed", "http_404"),
        (_day(6), "restored", ""),
    ]
    assert rows[0]["previous_headline"] == SEED["headline"] and rows[0]["headline"] == "徐聞推進創建"
    assert [r["kind"] for r in archive.changes(kind="people")] == ["edited people"]
    assert [r["at"] for r in archive.changes(since="2026-01-03", until="2026-01-04")] == [_day(3), _day(4)]
    with pytest.raises(ValueError):
        archive.changes(kind="deleted")


def test_changes_command_formats(db_path):
    with Archive.open(db_path) as archive:
        run = archive.start_run("zjdaily", {})
        archive.add_capture(run, make_capture(make_record()), make_record())
        _history(archive, run)
    runner = CliRunner()
    table = runner.invoke(changes_command, ["--db", str(db_path), "--kind", "removed"])
    assert table.exit_code == 0, table.output
    assert table.output.splitlines()[0].split() == ["at", "kind", "article_id", "headline", "detail"]
    assert "http_404" in table.output and "restored" not in table.output
    as_json = json.loads(runner.invoke(changes_command, ["--db", str(db_path), "--format", "json"]).output)
    assert [r["kind"] for r in as_json] == ["headline", "edited people", "removed", "restored"]
    csv = runner.invoke(changes_command, ["--db", str(db_path), "--format", "csv", "--kind", "headline"])
    assert csv.output.splitlines()[0].startswith("at,kind,portal,article_id,headline,previous_headline")
    none = runner.invoke(changes_command, ["--db", str(db_path), "--since", "2027-01-01"])
    assert none.exit_code == 0 and none.stdout == "" and "No changes" in none.stderr
    unknown = runner.invoke(changes_command, ["--db", str(db_path), "--portal", "nope"])
    assert unknown.exit_code == 1


def test_a_reextraction_of_the_same_page_is_no_change_of_the_article(live):
    """``reparse`` reading an archived capture with a newer extractor makes a version, but the
    page bytes are those of the version before: kind ``reextracted``, left out by default."""
    archive, run = live
    capture_id = archive.conn.execute("SELECT id FROM captures").fetchone()[0]
    reread = make_record(headline="徐闻推进创建", extractor="zjdaily@2")
    assert archive.add_versions_from_reparse([(capture_id, reread)]) == ["added"]
    # A real edit later: other page bytes.
    edited = make_record(fetched_at=_day(3), headline="徐闻推进创建工作", extractor="zjdaily@2")
    archive.add_capture(run, make_capture(edited), edited)
    everything = archive.changes(kind="reextracted")
    assert [(r["kind"], r["headline"]) for r in everything] == [("reextracted", "徐闻推进创建")]
    assert [(r["at"], r["kind"]) for r in archive.changes()] == [(_day(3), "headline")]
    assert archive.changes(kind="headline")[0]["previous_headline"] == "徐闻推进创建"
    runner = CliRunner()
    db = archive.conn.execute("PRAGMA database_list").fetchone()[2]
    listed = runner.invoke(changes_command, ["--db", db, "--format", "json", "--kind", "reextracted"])
    assert [r["kind"] for r in json.loads(listed.output)] == ["reextracted"], listed.output
