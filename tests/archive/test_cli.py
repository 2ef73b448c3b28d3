"""The research commands, through click's CliRunner."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from conftest import make_capture, make_record

from archive import cli


def invoke(*args: str):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


@pytest.fixture
def path(seeded, db_path):
    return db_path


def test_commands_are_exported():
    assert [c.name for c in cli.COMMANDS] == [
        "search", "show", "diff", "changes", "export", "stats", "rankings", "serve"]
    for command in cli.COMMANDS:
        assert any(p.name == "db_path" for p in command.params), command.name


def test_search_formats(path):
    result = invoke("search", "徐闻", "--db", path)
    assert result.exit_code == 0, result.output
    assert "徐聞奮力推進文明城市衛生縣城創建" in result.output
    result = invoke("search", "徐闻", "--db", path, "--format", "json")
    hits = json.loads(result.output)
    assert [(h["id"], h["reporters"]) for h in hits] == [(1, ["記者 陳荔雅", "特約通訊員 譚總"])]
    result = invoke("search", "徐闻", "--db", path, "--format", "csv", "--reporter", "陳荔雅")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["id"], r["reporters"]) for r in rows] == [("1", "記者 陳荔雅; 特約通訊員 譚總")]


@pytest.mark.parametrize("args", [
    ["--reporter", "陈荔雅"], ["--reporter", "陳荔雅"], ["--editor", "吴文静"], ["--source", "湛江雲媒"],
])
def test_search_filters_match_in_either_script(path, args):
    # The query folds Traditional and Simplified; the filters did not: --editor 吴文静 missed
    # the Traditional article edited by 吳文靜.
    result = invoke("search", "徐闻", *args, "--db", path, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [hit["id"] for hit in json.loads(result.output)] == [1]


@pytest.mark.parametrize("args, message", [
    (["search", "  "], "nothing to search for"),
    (["search", "徐闻", "--portal", "nowhere"], "unknown portal 'nowhere'"),
    (["search", "徐闻", "--since", "last week"], "bad time"),
    (["show", "999"], "no article '999'"),
    (["diff", "999"], "no article '999'"),
    (["diff", "1", "--from", "2"], "article 1 has versions 1 to 1, not 2"),
    (["rankings", "--portal", "nowhere"], "unknown portal"),
    (["export", "--format", "parquet"], "parquet needs -o FILE"),
])
def test_user_mistakes_are_one_line_errors(path, args, message):
    result = invoke(*args, "--db", path)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("args", [["show"], ["diff"], ["rankings", "--article"]])
def test_an_id_past_sqlites_integers_is_no_article_like_any_other(path, args):
    """A 30-digit id cannot be an SQLite integer: it names no article, as id 0 does."""
    huge = "9" * 30
    result = invoke(*args, huge, "--db", path)
    assert f"Error: no article '{huge}" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == invoke(*args, "0", "--db", path).exit_code == 1


@pytest.mark.parametrize("command", [["search", "徐闻"], ["show", "1"], ["export"], ["stats"],
                                     ["rankings"], ["serve"]])
def test_missing_archive_is_an_error_and_never_created(tmp_path, command, monkeypatch):
    monkeypatch.setattr("archive.serve.datasette_installed", lambda: True)
    missing = tmp_path / "missing.sqlite"
    result = invoke(*command, "--db", missing)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: no archive at {missing}"
    assert not missing.exists()


def test_default_path_comes_from_the_environment(path, monkeypatch):
    monkeypatch.setenv("NEWSCRAWLER_DB", str(path))
    assert invoke("stats").exit_code == 0


def test_show_by_url(path):
    result = invoke("show", "https://m.gdzjdaily.com.cn/p/2953118.html", "--db", path, "--json")
    shown = json.loads(result.output)
    assert shown["record"] == make_record()
    assert [v["id"] for v in shown["versions"]] == [1]
    assert [(c["id"], c["outcome"]) for c in shown["captures"]] == [(1, "new")]


def test_export_jsonl_and_csv(path, tmp_path):
    result = invoke("export", "--db", path)
    lines = result.output.splitlines()
    assert len(lines) == 1
    row = json.loads(lines[0])
    assert (row["headline"], row["reporters"], row["versions"]) == (
        "徐聞奮力推進文明城市衛生縣城創建", make_record()["reporters"], 1)
    out = tmp_path / "out.csv"
    assert invoke("export", "--format", "csv", "-o", out, "--db", path).exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["reporters"], r["editors"], r["paragraphs"].count("\n")) for r in rows] == [
        ("記者 陳荔雅; 特約通訊員 譚總", "編輯 吳文靜", 4)]
    assert invoke("export", "--db", path, "--since", "2022-04-20").output == ""


def test_export_parquet(path, tmp_path):
    out = tmp_path / "out.parquet"
    result = invoke("export", "--format", "parquet", "-o", out, "--db", path)
    try:
        import pyarrow.parquet as pq
    except ImportError:
        assert result.exit_code == 1
        assert "pyarrow" in result.output and "Traceback" not in result.output
        assert ".venv/bin/pip install -e '.[parquet]'" in result.output
        return
    assert result.exit_code == 0, result.output
    table = pq.read_table(out).to_pylist()
    assert [(r["id"], r["reporters"]) for r in table] == [(1, make_record()["reporters"])]


def test_stats(path):
    result = invoke("stats", "--db", path, "--format", "json")
    figures = json.loads(result.output)
    assert figures["by_day"] == [{"portal": "zjdaily", "day": "2022-04-19", "articles": 1}]
    assert figures["coverage"] == [{"portal": "zjdaily", "articles": 1, "with_time": 1.0,
                                    "with_source": 1.0, "with_reporters": 1.0, "with_editor": 1.0,
                                    "never_shown": []}]
    assert "with_editor" in invoke("stats", "--db", path).output


def test_fields_a_portal_never_shows_are_not_shown_as_its_latest_run_declared(archive, db_path):
    paper = make_record(url="https://szb.gdzjdaily.com.cn/zjrb/html/2022-04/19/content_1.htm",
                        canonical_url="https://szb.gdzjdaily.com.cn/zjrb/html/2022-04/19/content_1.htm",
                        portal="zjdaily-epaper", article_id="1", source=None, editors=[], rankings=[],
                        related=[])
    run = archive.start_run("zjdaily-epaper", {}, never_shown=("source", "editors"))
    archive.add_capture(run, make_capture(paper), paper)

    def coverage():
        return json.loads(invoke("stats", "--db", db_path, "--format", "json").output)["coverage"]

    assert coverage() == [{"portal": "zjdaily-epaper", "articles": 1, "with_time": 1.0, "with_source": None,
                           "with_reporters": 1.0, "with_editor": None, "never_shown": ["editors", "source"]}]
    lines = invoke("stats", "--db", db_path).output.splitlines()
    assert "Field coverage (share of articles; not shown: the portal never shows it)" in lines
    assert [line.split() for line in lines if line.startswith("zjdaily-epaper  ")][-1] == [
        "zjdaily-epaper", "1", "1", "not", "shown", "1", "not", "shown"]
    # A run that does not say (recorded by an older crawler) changes nothing; a later run of a
    # profile that shows the fields brings their shares back.
    archive.start_run("zjdaily-epaper", {})
    assert coverage()[0]["never_shown"] == ["editors", "source"]
    archive.start_run("zjdaily-epaper", {}, never_shown=())
    assert coverage() == [{"portal": "zjdaily-epaper", "articles": 1, "with_time": 1.0, "with_source": 0.0,
                           "with_reporters": 1.0, "with_editor": 0.0, "never_shown": []}]


@pytest.mark.parametrize(("value", "reason"), [
    ('["source", "edit', "not JSON (Unterminated string starting at character 11)"),
    ('{"source": true}', "JSON an object, not an array"),
    ("[1, 2]", "JSON an array of other things than field names"),
])
def test_a_never_shown_value_that_cannot_be_read_is_a_warning_and_the_portal_still_counted(
        archive, db_path, value, reason):
    """The fields a portal never shows come from its latest run that recorded them; a value
    spoiled there (edited by hand, another program) is said once, as a run's unreadable stats
    are, and the portal's coverage is counted as if it showed every field."""
    import sqlite3

    fine = archive.start_run("zjdaily", {}, never_shown=())
    spoiled = archive.start_run("zjdaily-epaper", {}, never_shown=("source", "editors"))
    for run, portal in ((fine, "zjdaily"), (spoiled, "zjdaily-epaper")):
        url = f"https://{portal}.example/1.htm"
        record = make_record(url=url, canonical_url=url, portal=portal, source=None)
        archive.add_capture(run, make_capture(record), record)
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE runs SET never_shown = ? WHERE id = ?", (value, spoiled))
    conn.close()

    warning = ("Warning: not readable as JSON in the archive (edited by hand, or written by another program?):"
               f" never_shown of run #{spoiled} ({reason}); its portal's coverage counted as if it showed"
               " every field\n")
    table = invoke("stats", "--db", db_path)
    assert table.exit_code == 0 and table.stderr == warning, table.output
    assert ["zjdaily-epaper", "1", "1", "0", "1", "1"] in [line.split() for line in table.stdout.splitlines()]
    shown = invoke("stats", "--db", db_path, "--format", "json")
    assert shown.exit_code == 0 and shown.stderr == warning, shown.output
    figures = json.loads(shown.stdout)
    assert [(row["portal"], row["never_shown"], row["with_source"]) for row in figures["coverage"]] == [
        ("zjdaily", [], 0.0), ("zjdaily-epaper", [], 0.0)]
    assert figures["unreadable"] == {f"never_shown of run #{spoiled}": reason}


def test_runs_recorded_before_never_shown_take_it_from_their_stats(tmp_path):
    import sqlite3

    from archive import Archive
    from archive.schema import MIGRATIONS

    path = tmp_path / "before.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    adding = next(n for n, (_, about, _) in enumerate(MIGRATIONS) if "never shows" in about)
    for number, _description, apply in MIGRATIONS[:adding]:
        apply(conn)
        conn.execute(f"PRAGMA user_version = {number}")
    stats = json.dumps({"newscrawler/validate/never_shown": ["editors", "source"]})
    conn.executemany("INSERT INTO runs (portal, started_at, status, stats) VALUES (?, ?, 'finished', ?)",
                     [("zjdaily-epaper", "2024-07-01T00:00:00+00:00", stats),
                      ("zjdaily", "2024-07-01T00:00:00+00:00", "{}"),
                      ("zjdaily", "2024-07-02T00:00:00+00:00", None)])
    conn.close()
    with Archive.open(path, create=False) as archive:
        assert archive.conn.execute("SELECT portal, never_shown FROM runs ORDER BY id").fetchall() == [
            ("zjdaily-epaper", '["editors","source"]'), ("zjdaily", None), ("zjdaily", None)]


def test_rankings(seeded, run_id, path):
    later = make_record(fetched_at="2026-01-02T00:00:00+00:00")
    seeded.add_capture(run_id, make_capture(later), later)
    result = invoke("rankings", "--db", path, "--period", "周點擊", "--format", "json")
    assert [(r["rank"], r["title"], r["snapshots"]) for r in json.loads(result.output)] == [
        (1, "湛江新聞", 2)]


def test_serve_without_datasette(path, monkeypatch):
    monkeypatch.setattr("archive.serve.datasette_installed", lambda: False)
    result = invoke("serve", "--db", path)
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: Datasette is not installed")


PRINT_FIELDS = {"kicker": "春季森林防火", "subtitle": "全市护林员加密巡查", "paper": "湛江日报",
                "edition_date": "2022-04-18", "page": "A02版：要闻"}


def test_a_printed_pages_fields_are_archived_exported_and_merged(archive, run_id, db_path, tmp_path):
    # The e-paper's records name their paper, edition and page, kicker and subtitle: the archive
    # used to drop them, so export, show and merge had nothing of them.
    record = make_record(**PRINT_FIELDS)
    assert archive.add_capture(run_id, make_capture(record), record) == "new"
    archive.close()
    rows = [json.loads(line) for line in invoke("export", "--db", db_path).output.splitlines()]
    assert [{name: row[name] for name in PRINT_FIELDS} for row in rows] == [PRINT_FIELDS]
    out = tmp_path / "out.csv"
    assert invoke("export", "--format", "csv", "-o", out, "--db", db_path).exit_code == 0
    (row,) = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))
    assert {name: row[name] for name in PRINT_FIELDS} == PRINT_FIELDS
    shown = json.loads(invoke("show", "1", "--json", "--db", db_path).output)["record"]
    assert {name: shown[name] for name in PRINT_FIELDS} == PRINT_FIELDS
    merged = tmp_path / "merged.sqlite"
    result = CliRunner().invoke(cli.main, ["archive", "merge", str(merged), str(db_path), "--no-warc"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in invoke("export", "--db", merged).output.splitlines()]
    assert [{name: row[name] for name in PRINT_FIELDS} for row in rows] == [PRINT_FIELDS]
