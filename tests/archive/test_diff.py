"""Version diffs: the alignment, the summary row kept per version, its backfill, and `diff`."""

from __future__ import annotations

import inspect

from click.testing import CliRunner
from conftest import SEED, make_capture, make_record

from archive import Archive
from archive.cli import diff as diff_command
from archive.diff import Segment, align_paragraphs, backfill, char_segments, diff_versions
from archive.schema import MIGRATIONS

P = SEED["paragraphs"]


def test_char_segments_mark_inserted_and_deleted_characters():
    assert char_segments("會議強調，要以更高標準推進", "會議指出，要以更高標準推進") == (
        Segment("equal", "會議"), Segment("delete", "強調"), Segment("insert", "指出"),
        Segment("equal", "，要以更高標準推進"))


def test_paragraphs_are_kept_inserted_deleted_or_rewritten():
    new = [P[0], "新增的一段，與其他段落毫無關係。", P[1].replace("更實", "更有力的"), P[3], P[4]]
    ops = [(p.op, p.old_position, p.new_position) for p in align_paragraphs(P, new)]
    assert ops == [("equal", 0, 0), ("insert", None, 1), ("rewrite", 1, 2), ("delete", 2, None),
                   ("equal", 3, 3), ("equal", 4, 4)]


def _versions():
    first = make_record()
    second = make_record(
        headline="徐聞推進文明城市創建", fetched_at="2026-01-02T00:00:00+00:00",
        reporters=[{"role": "特約通訊員", "name": "譚總"}],
        paragraphs=[P[0], P[1].replace("更實", "更有力的"), P[3], P[4]],
    )
    return first, second


def _store(archive: Archive, *records):
    run = archive.start_run("zjdaily", {})
    return [archive.add_capture(run, make_capture(r), r) for r in records]


def test_each_new_version_gets_its_summary_row(archive):
    assert _store(archive, *_versions()) == ["new", "changed"]
    rows = list(archive.db["version_changes"].rows)
    assert rows == [{
        "version_id": 2, "article_id": 1, "previous_version_id": 1,
        "seen_at": "2026-01-02T00:00:00+00:00", "changed": "headline reporters paragraphs",
        "headline_changed": 1, "published_at_changed": 0, "source_changed": 0,
        "reporters_changed": 1, "editors_changed": 0, "paragraphs_changed": 1,
        "chars_inserted": 3, "chars_deleted": 2 + 4 + 1 + len(P[2]),
        "paragraphs_inserted": 0, "paragraphs_deleted": 1, "paragraphs_rewritten": 1,
        "people_removed": "記者 陳荔雅", "people_added": None,
    }]


def test_a_version_stored_out_of_order_is_compared_with_its_neighbours(archive):
    first, second = _versions()
    middle = make_record(fetched_at="2026-01-01T12:00:00+00:00", headline="中間的標題")
    _store(archive, first, second, middle)
    assert archive.conn.execute(
        "SELECT version_id, previous_version_id, changed FROM version_changes ORDER BY seen_at"
    ).fetchall() == [(3, 1, "headline"), (2, 3, "headline reporters paragraphs")]


def test_the_migration_backfills_existing_versions(archive):
    _store(archive, *_versions())
    expected = list(archive.db["version_changes"].rows)
    # The migration that added the table fills it with backfill() from the versions alone.
    adding = next(apply for _, about, apply in MIGRATIONS if "version_changes" in about)
    assert "backfill(conn)" in inspect.getsource(adding)
    with archive.transaction() as conn:
        conn.execute("DELETE FROM version_changes")
        backfill(conn)
    assert list(archive.db["version_changes"].rows) == expected


def test_diff_versions_reports_fields():
    old = {"headline": "甲", "published_at": None, "source": "湛江云媒", "reporters": ["記者 甲"],
           "editors": [], "paragraphs": ["一"]}
    new = {**old, "source": "湛江日報"}
    assert [(c.name, c.old, c.new) for c in diff_versions(old, new).fields] == [
        ("source", "湛江云媒", "湛江日報")]
    assert diff_versions(old, new).changed == ["source"]


def test_diff_command_text_and_html(db_path):
    with Archive.open(db_path) as archive:
        _store(archive, *_versions())
    runner = CliRunner()
    result = runner.invoke(diff_command, ["1", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"article 1 {SEED['url']}: version 1 → 2"
    assert "headline: 徐聞[-奮力-]推進文明城市[-衛生縣城-]創建" in lines
    assert "reporters: [-記者 陳荔雅; 特約通訊員 譚總-] {+特約通訊員 譚總+}" in lines
    assert "~ ¶2 會議強調，要以更高標準、更[-實-]{+有力的+}舉措推進創建工作。" in lines
    assert f"- ¶3 [-{P[2]}-]" in lines
    html = runner.invoke(diff_command, ["1", "--html", "--db", str(db_path)]).output
    assert "<del>奮力</del>" in html and html.startswith("<!DOCTYPE html>")
    same = runner.invoke(diff_command, ["1", "--from", "2", "--to", "2", "--db", str(db_path)])
    assert "no differences" in same.output
    bad = runner.invoke(diff_command, ["1", "--to", "3", "--db", str(db_path)])
    assert bad.exit_code == 1 and "versions 1 to 2, not 3" in bad.output
