"""An article found by its portal's own id (the record's ``article_id``), as a researcher reads it
in an export or a record: ``PORTAL:ID``, or the id alone when that is unambiguous."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import make_capture, make_record

from archive import Archive, cli
from archive.query import AmbiguousArticle, find_article_id


def invoke(*args: object):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def _add(archive: Archive, run_id: int, portal: str, article_id: str, url: str) -> None:
    record = make_record(portal=portal, article_id=article_id, url=url, canonical_url=url,
                         rankings=[], related=[])
    assert archive.add_capture(run_id, make_capture(record), record) == "new"


def test_show_takes_the_portal_and_its_id_as_show_prints_them(seeded, db_path):
    shown = invoke("show", "zjdaily:2953118", "--db", db_path)
    assert shown.exit_code == 0, shown.output
    assert "article    1 (zjdaily:2953118)" in shown.output
    assert json.loads(invoke("show", "zjdaily:2953118", "--json", "--db", db_path).output)[
        "article"]["canonical_url"] == "https://www.gdzjdaily.com.cn/p/2953118.html"
    # Another portal's article with that id is not this one.
    missing = invoke("show", "zjdaily-epaper:2953118", "--db", db_path)
    assert missing.exit_code == 1
    assert missing.output == f"Error: no article 'zjdaily-epaper:2953118' in {db_path}\n"


@pytest.mark.parametrize("args", [["show"], ["diff"], ["rankings", "--article"]])
def test_the_portals_id_alone_finds_the_one_article_that_has_it(seeded, db_path, args):
    result = invoke(*args, "2953118", "--db", db_path)
    assert result.exit_code == 0, result.output
    assert "no article" not in result.output


def test_an_archive_id_comes_before_a_portals_id(archive, run_id, db_path):
    # Article 1 has the portal id "2"; article 2 is the archive's article 2.
    _add(archive, run_id, "zjdaily", "2", "https://www.gdzjdaily.com.cn/p/2.html")
    _add(archive, run_id, "zjdaily", "7", "https://www.gdzjdaily.com.cn/p/7.html")
    assert find_article_id(archive.conn, "2") == 2
    assert find_article_id(archive.conn, 2) == 2
    assert find_article_id(archive.conn, "7") == 2  # no article 7: the portal's id
    assert find_article_id(archive.conn, "zjdaily:2") == 1


def test_an_id_several_portals_share_is_named_with_each_portal(archive, run_id, db_path):
    _add(archive, run_id, "zjdaily", "4242", "https://www.gdzjdaily.com.cn/p/4242.html")
    _add(archive, run_id, "zjdaily-epaper", "4242",
         "https://szb.gdzjdaily.com.cn/zjrb/html/2022-04/19/content_4242.htm")
    with pytest.raises(AmbiguousArticle):
        find_article_id(archive.conn, "4242")
    archive.close()
    for args in (["show"], ["diff"], ["rankings", "--article"]):
        result = invoke(*args, "4242", "--db", db_path)
        assert result.exit_code == 1, result.output
        assert result.output == (
            "Error: '4242' is the id of articles of several portals: zjdaily:4242 (article 1),"
            " zjdaily-epaper:4242 (article 2); name one as PORTAL:ID\n"), args
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert invoke("show", "zjdaily-epaper:4242", "--db", db_path).exit_code == 0


def test_a_url_is_never_read_as_a_portal_and_its_id(seeded, db_path):
    # "https" is no portal; the URL is looked up as a URL, as before.
    assert invoke("show", "https://m.gdzjdaily.com.cn/p/2953118.html", "--db", db_path).exit_code == 0
    assert invoke("show", "https://www.gdzjdaily.com.cn/p/1.html", "--db", db_path).exit_code == 1


def test_an_archive_made_before_is_given_the_index(db_path):
    import sqlite3

    from archive.schema import MIGRATIONS

    conn = sqlite3.connect(db_path, isolation_level=None)
    adding = next(n for n, (_, about, _) in enumerate(MIGRATIONS) if "portal's own id" in about)
    for number, _description, apply in MIGRATIONS[:adding]:
        apply(conn)
        conn.execute(f"PRAGMA user_version = {number}")
    assert "articles_portal_id" not in {row[1] for row in conn.execute("PRAGMA index_list(articles)")}
    conn.close()
    with Archive.open(db_path, create=False) as archive:
        plan = " ".join(str(row) for row in archive.conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM articles WHERE portal_article_id = ? AND portal = ?",
            ("1", "zjdaily")))
    assert "articles_portal_id" in plan
