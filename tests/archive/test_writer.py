"""The write path: outcomes, versions, idempotence, rankings, verbatim text and crash safety."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEED_MOBILE_URL, SEED_URL, make_capture, make_record

from archive import Archive, ArchiveError
from archive.schema import LATEST
from archive.writer import Writer, content_hash


def rows(archive: Archive, sql: str) -> list[tuple]:
    return archive.conn.execute(sql).fetchall()


def test_open_sets_up_schema_wal_and_foreign_keys(db_path):
    with Archive.open(db_path) as first:
        assert first.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert first.conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert first.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        tables = set(first.db.table_names())
    # Opening again runs no migration twice and changes nothing.
    with Archive.open(db_path) as second:
        assert second.conn.execute("PRAGMA user_version").fetchone() == (LATEST,)
        assert set(second.db.table_names()) == tables
        assert second.conn.execute("SELECT count(*) FROM fold WHERE ch = '聞'").fetchone() == (1,)
    assert {"runs", "captures", "bodies", "articles", "versions", "people", "paragraphs",
            "images", "rankings", "related", "fold", "search"} <= tables


def test_open_without_create_never_makes_a_file(tmp_path):
    missing = tmp_path / "missing.sqlite"
    with pytest.raises(ArchiveError, match="no archive"):
        Archive.open(missing, create=False)
    assert not missing.exists()


def test_open_refuses_a_foreign_file(tmp_path):
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(ArchiveError, match="not a newscrawler archive"):
        Archive.open(other, create=False)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ArchiveError):
        Archive.open(junk, create=False)


def test_runs_record_settings_and_stats(archive):
    run = archive.start_run("zjdaily", {"depth": 2})
    archive.finish_run(run, "finished", {"pages": 3})
    row = archive.db["runs"].get(run)
    assert (row["portal"], row["status"], row["settings"], row["stats"]) == (
        "zjdaily", "finished", '{"depth": 2}', '{"pages": 3}')
    assert row["started_at"] <= row["ended_at"]
    with pytest.raises(ValueError):
        archive.finish_run(999, "finished", {})


def test_new_article_rows(seeded):
    assert list(seeded.db["articles"].rows) == [{
        "id": 1,
        "canonical_url": SEED_URL,
        "url_key": "gdzjdaily.com.cn/p/2953118.html",
        "portal": "zjdaily",
        "portal_article_id": "2953118",
        "current_version_id": 1,
        "headline": "徐聞奮力推進文明城市衛生縣城創建",
        "published_at": "2022-04-19T17:31:00+08:00",
        "published_utc": "2022-04-19T09:31:00+00:00",
        "source": "湛江云媒",
        "script": "zh-Hant",
        "first_seen": "2026-01-01T00:00:00+00:00",
        "last_seen": "2026-01-01T00:00:00+00:00",
        "version_count": 1,
        "status": "live",
        "status_since": None,
        "removal_pending_capture_id": None,
    }]
    assert rows(seeded, "SELECT kind, position, role, name FROM people ORDER BY id") == [
        ("reporter", 0, "記者", "陳荔雅"),
        ("reporter", 1, "特約通訊員", "譚總"),
        ("editor", 0, "編輯", "吳文靜"),
    ]
    assert len(rows(seeded, "SELECT * FROM paragraphs")) == 5
    assert rows(seeded, "SELECT article_id, kind, role, name FROM article_people"
                        " WHERE kind = 'editor'") == [(1, "editor", "編輯", "吳文靜")]
    flat = seeded.db["articles_flat"].get(1) if False else next(seeded.db["articles_flat"].rows)
    assert flat["reporters"] == "記者 陳荔雅; 特約通訊員 譚總"
    assert flat["editors"] == "編輯 吳文靜"
    assert flat["text"] == "\n".join(make_record()["paragraphs"])


def test_record_round_trips(seeded):
    assert seeded.record(1) == make_record()
    assert seeded.article(SEED_MOBILE_URL)["record"] == make_record()


def test_unchanged_page_moves_last_seen_only(seeded, run_id):
    record = make_record(url=SEED_MOBILE_URL, fetched_at="2026-01-02T00:00:00+00:00",
                         warnings=["missing:x"], comments=None,
                         rankings=[], related=[])
    assert seeded.add_capture(run_id, make_capture(record), record) == "unchanged"
    assert rows(seeded, "SELECT count(*) FROM articles") == [(1,)]
    assert rows(seeded, "SELECT id, first_seen, last_seen FROM versions") == [
        (1, "2026-01-01T00:00:00+00:00", "2026-01-02T00:00:00+00:00")]
    assert rows(seeded, "SELECT last_seen, version_count FROM articles") == [
        ("2026-01-02T00:00:00+00:00", 1)]
    assert rows(seeded, "SELECT id, outcome, version_id FROM captures") == [
        (1, "new", 1), (2, "unchanged", 1)]


def test_same_capture_twice_is_stored_once(seeded, run_id):
    record = make_record()
    assert seeded.add_capture(run_id, make_capture(record), record) == "unchanged"
    assert rows(seeded, "SELECT count(*) FROM captures") == [(1,)]
    assert rows(seeded, "SELECT count(*) FROM rankings") == [(3,)]


def test_correction_adds_a_version(seeded, run_id):
    corrected = make_record(
        fetched_at="2026-01-03T00:00:00+00:00",
        paragraphs=[*make_record()["paragraphs"][:4], "與會人員表示，將全力以赴完成創建任務（更正）。"],
    )
    assert seeded.add_capture(run_id, make_capture(corrected), corrected) == "changed"
    assert rows(seeded, "SELECT id, article_id, first_seen, last_seen FROM versions") == [
        (1, 1, "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00"),
        (2, 1, "2026-01-03T00:00:00+00:00", "2026-01-03T00:00:00+00:00"),
    ]
    assert rows(seeded, "SELECT current_version_id, version_count FROM articles") == [(2, 2)]
    # The first version is untouched.
    assert seeded.record(1)["paragraphs"] == make_record()["paragraphs"]
    assert [hit.id for hit in seeded.search("更正")] == [1]
    # Going back to the first content reuses its version.
    reverted = make_record(fetched_at="2026-01-04T00:00:00+00:00")
    assert seeded.add_capture(run_id, make_capture(reverted), reverted) == "changed"
    assert rows(seeded, "SELECT current_version_id, version_count FROM articles") == [(1, 2)]
    assert seeded.search("更正") == []


def test_volatile_keys_do_not_change_the_hash():
    base = make_record()
    same = make_record(url=SEED_MOBILE_URL, fetched_at="2030-01-01T00:00:00+00:00", rankings=[],
                       related=[], comments=None, warnings=["w"])
    assert content_hash(base) == content_hash(same)
    assert content_hash(base) != content_hash(make_record(headline="另一個標題"))


def test_mobile_and_www_copies_are_one_article(seeded, run_id):
    mobile = make_record(url=SEED_MOBILE_URL, fetched_at="2026-01-05T00:00:00+00:00")
    assert seeded.add_capture(run_id, make_capture(mobile), mobile) == "unchanged"
    assert rows(seeded, "SELECT count(*) FROM articles") == [(1,)]
    assert seeded.article(SEED_MOBILE_URL)["article"]["id"] == 1
    assert seeded.article("http://gdzjdaily.com.cn/p/2953118.html")["article"]["id"] == 1


def test_non_article_capture(archive, run_id):
    assert archive.add_capture(run_id, make_capture(None), None) == "captured"
    assert rows(archive, "SELECT kind, outcome, article_id, version_id FROM captures") == [
        ("listing", "captured", None, None)]
    assert rows(archive, "SELECT count(*) FROM articles") == [(0,)]


def test_rankings_link_to_archived_articles(seeded, run_id):
    assert rows(seeded, "SELECT list, period, rank, url_key, target_article_id FROM rankings"
                        " ORDER BY id") == [
        ("熱點新聞排行", "月點擊", 1, "gdzjdaily.com.cn/p/2953118.html", 1),
        ("熱點新聞排行", "月點擊", 2, "gdzjdaily.com.cn/p/2953000.html", None),
        ("熱點新聞排行", "周點擊", 1, "gdzjdaily.com.cn/p/2953000.html", None),
    ]
    # When the ranked article is archived later, earlier entries point at it.
    other = make_record(url="http://m.gdzjdaily.com.cn/p/2953000.html",
                        canonical_url="https://www.gdzjdaily.com.cn/p/2953000.html",
                        article_id="2953000", headline="湛江新聞", rankings=[], related=[],
                        fetched_at="2026-01-02T00:00:00+00:00")
    assert seeded.add_capture(run_id, make_capture(other), other) == "new"
    assert rows(seeded, "SELECT rank, target_article_id FROM rankings ORDER BY id") == [
        (1, 1), (2, 2), (1, 2)]


def test_rankings_of_one_capture_are_stored_once(archive, run_id):
    entry = {"list": "熱點", "period": None, "rank": 1, "title": "甲", "url": None}
    record = make_record(rankings=[entry, dict(entry)], related=[])
    archive.add_capture(run_id, make_capture(record), record)
    assert rows(archive, "SELECT list, period, rank, title FROM rankings") == [
        ("熱點", None, 1, "甲")]
    history = archive.rankings()
    assert [(r["title"], r["snapshots"]) for r in history] == [("甲", 1)]


def test_rankings_over_time(seeded, run_id):
    for day in ("02", "03"):
        record = make_record(fetched_at=f"2026-01-{day}T00:00:00+00:00")
        seeded.add_capture(run_id, make_capture(record), record)
    history = seeded.rankings(portal="zjdaily", period="月點擊")
    assert [(r["rank"], r["first_seen"][:10], r["last_seen"][:10], r["snapshots"])
            for r in history] == [(1, "2026-01-01", "2026-01-03", 3), (2, "2026-01-01", "2026-01-03", 3)]


def test_bodies_are_compressed_deduplicated_and_readable(seeded, run_id):
    capture = make_capture(make_record())
    assert seeded.capture_body(1) == capture["body"]
    again = make_record(fetched_at="2026-01-02T00:00:00+00:00")
    seeded.add_capture(run_id, make_capture(again), again)
    assert rows(seeded, "SELECT count(*), sum(size) FROM bodies") == [(1, len(capture["body"]))]
    assert seeded.capture_body(2) == capture["body"]


NASTY = [
    'He said "quote" and \'single\'',
    "'; DROP TABLE articles; --",
    "nul\x00byte\x00inside",
    "emoji 😀👍🏽 and rare CJK \U0002A6A5 \U00030000 \U00030001",
    "行" * (1024 * 1024),
]


def test_text_round_trips_verbatim(archive, run_id):
    record = make_record(headline="\U0002A6A5標題 'x'; DROP TABLE y; \x00", paragraphs=NASTY,
                         reporters=[{"role": None, "name": "\U00030000\U00030001"}])
    body = "\U0002A6A5".encode() + b"\x00\xff\xfe raw bytes"
    assert archive.add_capture(run_id, make_capture(record, body=body), record) == "new"
    assert archive.record(1) == record
    assert archive.capture_body(1) == body
    assert [h.id for h in archive.search("\U0002A6A5標")] == [1]
    assert [h.id for h in archive.search("\U00030000\U00030001")] == [1]
    assert [h.id for h in archive.search("DROP")] == [1]


def test_crash_part_way_leaves_nothing_half_written(seeded, run_id, monkeypatch):
    before = {t: rows(seeded, f"SELECT * FROM {t}") for t in seeded.db.table_names()
              if not t.startswith("search")}

    def boom(self, version_id, record):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Writer, "_insert_children", boom)
    corrected = make_record(headline="更正後的標題", fetched_at="2026-01-02T00:00:00+00:00")
    with pytest.raises(RuntimeError, match="disk on fire"):
        seeded.add_capture(run_id, make_capture(corrected), corrected)
    fresh = make_record(canonical_url="https://www.gdzjdaily.com.cn/p/1.html", headline="新文章",
                        fetched_at="2026-01-02T00:00:00+00:00")
    with pytest.raises(RuntimeError):
        seeded.add_capture(run_id, make_capture(fresh), fresh)
    after = {t: rows(seeded, f"SELECT * FROM {t}") for t in before}
    assert after == before
    assert seeded.search("更正") == [] and seeded.search("新文章") == []
    # The archive still works after the failures.
    monkeypatch.undo()
    assert seeded.add_capture(run_id, make_capture(fresh), fresh) == "new"
    assert [h.id for h in seeded.search("新文章")] == [2]


def test_unknown_run_is_an_error(archive):
    record = make_record()
    with pytest.raises(ValueError, match="no crawl run"):
        archive.add_capture(42, make_capture(record), record)
    assert rows(archive, "SELECT count(*) FROM captures") == [(0,)]


def test_byte_headers_are_stored_as_text(archive, run_id):
    capture = make_capture(None, headers={"Content-Type": b"text/html; charset=gbk",
                                          "Set-Cookie": [b"a=1", b"b=2"]})
    archive.add_capture(run_id, capture, None)
    assert rows(archive, "SELECT headers FROM captures") == [
        ('{"Content-Type": "text/html; charset=gbk", "Set-Cookie": ["a=1", "b=2"]}',)]


def test_the_library_never_imports_the_crawler():
    code = (
        "import sys, archive, archive.cli, archive.export, archive.search, archive.serve;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('scrapy', 'newscrawler'));"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


def test_an_archive_from_a_newer_version_is_refused(db_path):
    Archive.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    with pytest.raises(ArchiveError, match="newer"):
        Archive.open(db_path)


def test_a_batch_stores_what_its_pages_store_one_by_one(tmp_path):
    # The same article new, corrected and reverted in one transaction (its search row replaced
    # twice before the commit writes the index), another article, and a listing's hot lists.
    corrected = make_record(headline="更正後的標題", fetched_at="2026-01-02T00:00:00+00:00")
    reverted = make_record(fetched_at="2026-01-03T00:00:00+00:00")
    other = make_record(url="https://www.gdzjdaily.com.cn/p/2953000.html",
                        canonical_url="https://www.gdzjdaily.com.cn/p/2953000.html",
                        article_id="2953000", headline="湛江新聞", rankings=[], related=[])
    lists = {"rankings": make_record()["rankings"][:1], "related": []}
    pages = [(make_capture(record), record, None)
             for record in (make_record(), corrected, reverted, other)]
    pages.append((make_capture(None), None, lists))
    stored = {}
    for name in ("one", "batch"):
        with Archive.open(tmp_path / f"{name}.sqlite") as archive:
            run = archive.start_run("zjdaily", {})
            if name == "one":
                outcomes = [archive.add_capture(run, *page) for page in pages]
            else:
                outcomes = archive.add_captures(run, pages)
            archive.conn.execute("INSERT INTO search (search) VALUES ('integrity-check')")
            stored[name] = (
                outcomes,
                {t: rows(archive, f"SELECT * FROM {t} ORDER BY 1") for t in archive.db.table_names()
                 if not t.startswith("search") and t != "runs"},
                {term: [hit.id for hit in archive.search(term)]
                 for term in ("更正", "徐聞奮力", "湛江新聞", "記者")},
            )
    assert stored["batch"] == stored["one"]
    outcomes, _, hits = stored["batch"]
    assert outcomes == ["new", "changed", "changed", "new", "captured"]
    assert hits["更正"] == [] and hits["徐聞奮力"] == [1] and hits["湛江新聞"] == [2]
