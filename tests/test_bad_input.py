"""Bad input from the user, on the command line and in the files it names: a one-line usage
error with exit status 2 before anything is done, or a record with a warning; never a traceback,
never silently ignored.

Command-line mistakes in the crawl commands run the real ``newscrawler`` in a subprocess (a crawl
that wrongly started would need its own process); the others use click's runner.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from support import FIXTURES, ROOT, ZJDAILY, run_cli

from archive import Archive, ArchiveError
from newscrawler.cli import cli
from newscrawler.extract import InvalidRecord, extract
from newscrawler.extract.record import check_record

PAGE = ZJDAILY / "p" / "2953124.html"
URL = "https://www.gdzjdaily.com.cn/p/2953124.html"
FETCHED = "2024-07-01T11:00:00+08:00"


def invoke(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_usage_error(output: str, exit_code: int, *message: str) -> None:
    """Exit status 2, the usage line, and one line saying what is wrong."""
    assert exit_code == 2, output
    assert "Traceback" not in output
    error = [line for line in output.splitlines() if line.startswith("Error: ")]
    assert len(error) == 1, output
    for part in message:
        assert part in error[0], output


def saved_page(tmp_path: Path, body: bytes | None = None, headers: str | None = None) -> Path:
    page = tmp_path / "page.html"
    page.write_bytes(PAGE.read_bytes() if body is None else body)
    if headers is not None:
        (tmp_path / "page.html.headers.json").write_text(headers, encoding="utf-8")
    return page


def extract_one(page: Path) -> dict:
    result = invoke("extract", page, "--url", URL, "--fetched-at", FETCHED)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# -- pages and their sidecars -------------------------------------------------------------------


def test_a_utf16_label_on_a_utf8_page_gives_the_record_with_a_warning(tmp_path: Path) -> None:
    for odd in (b"", b" "):  # an odd length made the UTF-16 codec raise UnicodeError
        page = saved_page(tmp_path, PAGE.read_bytes() + odd, '{"Content-Type": "text/html; charset=utf-16"}')
        record = extract_one(page)
        assert record["headline"] == "徐闻奋力推进文明城市卫生县城创建"
        assert record["warnings"] == ["charset_mismatch:declared=utf-16,decoded=utf-8"]


@pytest.mark.parametrize(("sidecar", "message"), [
    ('{"Content-Type": "text/html"', "not JSON"),
    ('["Content-Type", "text/html"]', "expected a JSON object"),
    ('{"Content-Type": null}', "must be a string"),
    ('{"Date": "garbage"}', "header 'Date' is not an HTTP date"),
    ('{"date": "2024-07-01 11:00"}', "header 'date' is not an HTTP date"),
    ('[{":host": "m.gdzjdaily.com.cn", "Date": "yesterday"}]', "header 'Date' is not an HTTP date"),
    ('{"Content-Type": "text/html\\r\\nX-Evil: 1"}', "line break"),
])
def test_a_malformed_sidecar_is_a_usage_error(tmp_path: Path, sidecar: str, message: str) -> None:
    page = saved_page(tmp_path, headers=sidecar)
    result = invoke("extract", page, "--url", URL)
    assert_usage_error(result.output, result.exit_code, "page.html.headers.json", message)


def test_a_malformed_sidecar_in_a_replayed_copy_stops_the_crawl_before_it_starts(tmp_path: Path) -> None:
    site = tmp_path / "zjdaily"
    shutil.copytree(ZJDAILY, site)
    (site / "p" / "2953124.html.headers.json").write_text("{Content-Type: text/html}", encoding="utf-8")
    db = tmp_path / "archive.sqlite"
    for command in (["crawl", "zjdaily", "--db", str(db)], ["check", "zjdaily"]):
        result = run_cli(*command, "--replay", str(site))
        assert_usage_error(result.stderr, result.returncode, "--replay", "2953124.html.headers.json", "not JSON")
    assert not db.exists()


def test_a_bad_date_in_a_directory_sidecar_is_a_usage_error_for_the_pages_below(tmp_path: Path) -> None:
    page = saved_page(tmp_path)
    (tmp_path / ".headers.json").write_text('{"Date": "Monday"}', encoding="utf-8")
    result = invoke("extract", page, "--url", URL)
    assert_usage_error(result.output, result.exit_code, str(tmp_path / ".headers.json"), "'Date'",
                       "not an HTTP date")


def test_a_bad_date_in_a_replayed_copy_stops_the_crawl_before_it_starts(tmp_path: Path) -> None:
    # The copy's Date is the fetch time of its pages: a crawl would date them today instead.
    site = tmp_path / "zjdaily"
    shutil.copytree(ZJDAILY, site)
    (site / ".headers.json").write_text('{"Date": "Mon, 32 Jul 2024 03:00:00 GMT"}', encoding="utf-8")
    db = tmp_path / "archive.sqlite"
    result = run_cli("crawl", "zjdaily", "--db", str(db), "--replay", str(site))
    assert_usage_error(result.stderr, result.returncode, "--replay", ".headers.json", "'Date'", "not an HTTP date")
    assert not db.exists()


def test_nul_bytes_in_a_page_are_dropped_with_a_warning(tmp_path: Path) -> None:
    body = PAGE.read_bytes().replace("会议指出".encode(), "会议\x00指出".encode())
    assert b"\x00" in body
    record = extract_one(saved_page(tmp_path, body))
    assert "control_chars:removed=1" in record["warnings"]
    assert not any("\ufffd" in p for p in record["paragraphs"])
    assert any("会议指出" in p for p in record["paragraphs"])


def test_an_article_nested_hundreds_deep_keeps_its_whole_body(tmp_path: Path) -> None:
    text = PAGE.read_text(encoding="utf-8")
    deep = text.replace('<div class="article-content" id="content">',
                        "<div>" * 300 + '<div class="article-content" id="content">', 1)
    deep = deep.replace("</body>", "</div>" * 300 + "</body>", 1)
    expected = json.loads((ZJDAILY / "p" / "2953124.expected.json").read_text(encoding="utf-8"))["record"]
    record = extract_one(saved_page(tmp_path, deep.encode("utf-8")))
    assert record["paragraphs"] == expected["paragraphs"]
    assert record["warnings"] == []


def test_an_article_nested_past_the_parsers_limit_is_a_record_with_a_warning(tmp_path: Path) -> None:
    text = PAGE.read_text(encoding="utf-8")
    # Past the body, so the record is still whole: what matters is that the loss is reported.
    deep = text.replace("</body>", "<div>" * 2100 + "<p>后文</p>" + "</div>" * 2100 + "</body>", 1)
    record = extract_one(saved_page(tmp_path, deep.encode("utf-8")))
    assert record["warnings"] == ["html_too_deep:depth>2048"]


def test_a_five_digit_year_is_no_publication_time(tmp_path: Path) -> None:
    body = PAGE.read_bytes().replace(b'<span class="time">2022-04-19 17:31</span>',
                                     b'<span class="time">99999-04-19 17:31</span>')
    record = extract_one(saved_page(tmp_path, body))
    # It used to be read as the year 9999.
    assert record["published_at"] is None
    assert "missing:published_at" in record["warnings"] or any(
        w.startswith("unparsed:published_at") for w in record["warnings"]), record["warnings"]


@pytest.mark.parametrize(("value", "message"), [
    ("9999-12-31T23:00:00-05:00", "out of range"),  # an OverflowError traceback before
    ("0001-01-01T00:00:00+05:00", "out of range"),
    ("2999-07-01T11:00:00+08:00", "in the future"),
    ("yesterday", "use ISO 8601"),
])
def test_a_bad_fetch_time_is_a_usage_error(value: str, message: str) -> None:
    result = invoke("extract", PAGE, "--url", URL, "--fetched-at", value)
    assert_usage_error(result.output, result.exit_code, "--fetched-at", message)


# -- URLs -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://[::1", "http://example.cn:99999/", "ftp://example.cn/a", "example.cn/a"])
def test_a_bad_url_for_extract_is_a_usage_error(url: str) -> None:
    result = invoke("extract", PAGE, "--url", url)
    assert_usage_error(result.output, result.exit_code, "--url", repr(url))


def test_a_bad_canonical_link_on_a_page_is_an_error_for_that_page(tmp_path: Path) -> None:
    body = PAGE.read_bytes().replace(URL.encode(), b"http://[::1/p/2953124.html")
    assert b"http://[::1" in body
    page = saved_page(tmp_path, body)
    result = invoke("extract", page, PAGE)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"error: {page}: the page's canonical link 'http://[::1/p/2953124.html' is not a URL" in result.output
    assert json.loads(result.stdout.splitlines()[-1])["url"] == URL  # the other page is read


@pytest.mark.parametrize("href", ["//[::1/p/1.html", "http://[::1 x", "http://[::1/p/1.html"])
def test_a_link_that_is_no_url_is_left_out_and_the_page_archived(tmp_path: Path, href: str) -> None:
    # Hot-list links that urllib cannot read ended extraction (Page.absolute) or the archive
    # write (url_key) in a ValueError.
    body = PAGE.read_bytes().replace(b"https://www.gdzjdaily.com.cn/p/3418107.html", href.encode())
    record = extract_one(saved_page(tmp_path, body))
    check_record(record)
    first = record["rankings"][0]
    assert first["title"] == "深中通道6月30日下午3时通车试运营"
    assert first["url"] in (None, href)
    with Archive.open(tmp_path / "archive.sqlite") as archive:
        run = archive.start_run("zjdaily", {})
        capture = {"url": URL, "fetched_at": record["fetched_at"], "status": 200, "headers": {},
                   "body": body, "kind": "article"}
        assert archive.add_capture(run, capture, record) == "new"
    result = invoke("show", href, "--db", tmp_path / "archive.sqlite")
    assert result.exit_code == 1 and result.output == f"Error: no article {href!r} in {tmp_path / 'archive.sqlite'}\n"


def test_a_canonical_link_that_is_no_url_on_a_page_without_profile() -> None:
    page = next(p for p in sorted((FIXTURES / "generic").rglob("*.html")) if b'rel="canonical"' in p.read_bytes())
    body = re.sub(rb'(<link[^>]+rel="canonical"[^>]+href=")[^"]+', rb"\1//[::1/a.html", page.read_bytes())
    assert b"//[::1/a.html" in body
    with contextlib.suppress(InvalidRecord):  # a record or InvalidRecord, as for any page
        extract("https://news.example.cn/a.html", body, {}, None)


def test_a_bad_url_for_portal_new_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("portal", "new", "county", "--sample", PAGE, "--url", "http://[::1",
                    "--portals-dir", tmp_path, "--fixtures-dir", tmp_path)
    assert_usage_error(result.output, result.exit_code, "--url", "Invalid IPv6 URL")
    assert list(tmp_path.iterdir()) == []


# -- the crawl's options --------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["zjdaily", "--since", "2022-13-45"], ["'--since'", "no such day"]),
    (["zjdaily", "--since", "22-04-19"], ["'--since'", "use YYYY-MM-DD"]),
    (["zjdaily-epaper", "--from", "2022-02-30", "--to", "2022-03-01"], ["'--from'", "no such day"]),
    (["zjdaily-epaper", "--from", "2022-02-01", "--to", "2022-02-30"], ["'--to'", "no such day"]),
    # Edition dates for a portal without editions would be ignored: it would crawl as usual.
    (["zjdaily", "--from", "2022-04-17"], ["zjdaily has no dated editions: --from is for zjdaily-epaper"]),
    (["zjdaily", "--from", "2022-04-17", "--to", "2022-04-19"],
     ["zjdaily has no dated editions: --from and --to are for zjdaily-epaper"]),
    (["--start-url", "https://www.nanhai-daily.example/", "--to", "2022-04-19"],
     ["a site crawled by --start-url has no dated editions: --to is for zjdaily-epaper"]),
    (["zjdaily", "-s", "DOWNLOAD_DELAY=abc"], ["DOWNLOAD_DELAY=abc: expected a number"]),
    (["zjdaily", "-s", "CONCURRENT_REQUESTS=1.5"], ["expected a whole number"]),
    (["zjdaily", "-s", "AUTOTHROTTLE_ENABLED=maybe"], ["expected true or false"]),
    (["zjdaily", "-s", "ITEM_PIPELINES=none"], ["expected a JSON object"]),
    (["zjdaily", "-s", "NEWSCRAWLER_WARC_MAX_SIZE=big"], ["expected a size in bytes"]),
    (["zjdaily", "-s", "DOWNLOAD_DELAY"], ["expected NAME=VALUE"]),
    (["zjdaily", "-s", "LOG_LEVEL=loud"], ["LOG_LEVEL=loud: expected a log level"]),
    (["--start-url", "http://[::1"], ["'--start-url'", "Invalid IPv6 URL"]),
    (["zjdaily", "-o", "no/such/dir/records.jsonl"], ["'--output'", "directory 'no/such/dir' does not exist"]),
    # A link into a missing directory: the crawl used to stop at once, its summary saying only
    # "shutdown" (-o), or end in a traceback (--log-file).
    (["zjdaily", "-o", "link"], ["'--output'", "'link' is a link into directory", "which does not exist"]),
    (["zjdaily", "--log-file", "link"], ["'--log-file'", "'link' is a link into directory"]),
])
def test_bad_crawl_options_are_usage_errors(tmp_path: Path, args: list[str], message: list[str]) -> None:
    (tmp_path / "link").symlink_to(tmp_path / "gone" / "records.jsonl")
    db = tmp_path / "archive.sqlite"
    result = run_cli("crawl", *args, "--db", str(db), "--replay", str(ZJDAILY), cwd=tmp_path)
    assert_usage_error(result.stderr, result.returncode, *message)
    assert result.stdout == ""
    assert not db.exists()


@pytest.mark.parametrize(("args", "message"), [
    (["zjdaily", "-a", "since=2022-13-45"], "-a: since must be a date like 2022-04-01, got '2022-13-45'"),
    (["zjdaily", "-a", "max_articles=abc"], "-a: max_articles must be a whole number of at least 1"),
    (["zjdaily-epaper", "-a", "date_from=2022-02-30"], "-a: expected a date like 2022-04-19, got '2022-02-30'"),
    (["zjdaily-epaper", "-a", "date_from=2022-03-02", "-a", "date_to=2022-03-01"],
     "-a: date_from 2022-03-02 is after date_to 2022-03-01"),
    (["zjdaily", "-a", "date_from=2022-04-17"], "-a: zjdaily has no dated editions: date_from is for zjdaily-epaper"),
    (["portal"], "-a: no portal given"),
    (["zjdaily", "-s", "LOG_LEVEL=loud"], "LOG_LEVEL=loud: expected a log level"),
    (["zjdaily", "-L", "loud"], "LOG_LEVEL=loud: expected a log level"),
    (["zjdaily", "-s", "DOWNLOAD_DELAY=abc"], "DOWNLOAD_DELAY=abc: expected a number"),
])
def test_scrapy_crawl_refuses_bad_arguments_before_the_crawl(tmp_path: Path, args: list[str], message: str) -> None:
    """``scrapy crawl`` (and scrapyd, which runs it) ends with a one-line usage error, not a
    traceback from inside the running crawl, and touches no archive."""
    db = tmp_path / "archive.sqlite"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy.cmdline", "crawl", *args, "-a", f"replay={ZJDAILY}",
         "-s", f"NEWSCRAWLER_DB={db}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert not db.exists()


def test_a_good_log_level_passes() -> None:
    from newscrawler.params import check_setting

    for value in ("DEBUG", "WARNING", "10"):
        check_setting("LOG_LEVEL", value)


def test_check_takes_settings_the_same_way() -> None:
    result = run_cli("check", "zjdaily", "--replay", str(ZJDAILY), "-s", "DOWNLOAD_DELAY=abc")
    assert_usage_error(result.stderr, result.returncode, "DOWNLOAD_DELAY=abc: expected a number")


def test_good_settings_pass() -> None:
    from newscrawler.params import check_setting

    for name, value in [("DOWNLOAD_DELAY", "0.5"), ("AUTOTHROTTLE_ENABLED", "False"),
                        ("CONCURRENT_REQUESTS", "4"), ("USER_AGENT", "anything"),
                        ("NEWSCRAWLER_RECRAWL_MAX_AGE_DAYS", "2.5"), ("UNKNOWN_SETTING", "x"),
                        ("NEWSCRAWLER_WARC_MAX_SIZE", "20KB"), ("NEWSCRAWLER_WARC_MAX_SIZE", "1000")]:
        check_setting(name, value)


# -- archive files -------------------------------------------------------------------------------


@pytest.fixture
def not_sqlite(tmp_path: Path) -> Path:
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my notes, not a database\n" * 10, encoding="utf-8")
    return path


@pytest.fixture
def foreign(tmp_path: Path) -> Path:
    path = tmp_path / "other-app.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('徐闻', '123')")
    conn.commit()
    conn.close()
    return path


def tables(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [name for (name,) in conn.execute("SELECT name FROM sqlite_master ORDER BY name")]
    finally:
        conn.close()


DB_COMMANDS = [["search", "徐闻"], ["show", "1"], ["export"], ["stats"], ["rankings"], ["reparse"],
               ["crawls"]]


@pytest.mark.parametrize("command", DB_COMMANDS)
def test_a_db_that_is_not_sqlite_is_a_usage_error(not_sqlite: Path, command: list[str]) -> None:
    before = not_sqlite.read_bytes()
    result = invoke(*command, "--db", not_sqlite)
    assert_usage_error(result.output, result.exit_code, "'--db'", "not a newscrawler archive (not an SQLite database)")
    assert not_sqlite.read_bytes() == before


@pytest.mark.parametrize("command", DB_COMMANDS)
def test_another_applications_database_is_a_usage_error(foreign: Path, command: list[str]) -> None:
    result = invoke(*command, "--db", foreign)
    assert_usage_error(result.output, result.exit_code, "'--db'", "other tables: contacts")
    assert tables(foreign) == ["contacts"]


def test_the_default_archive_from_the_environment_is_checked_too(
    foreign: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSCRAWLER_DB", str(foreign))
    result = invoke("stats")
    assert_usage_error(result.output, result.exit_code, "other tables: contacts")


@pytest.mark.parametrize("which", ["not_sqlite", "foreign"])
def test_a_crawl_never_writes_into_a_file_that_is_not_an_archive(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    path: Path = request.getfixturevalue(which)
    before = path.read_bytes()
    result = run_cli("crawl", "zjdaily", "--replay", str(ZJDAILY), "--db", str(path), "--no-warc")
    assert_usage_error(result.stderr, result.returncode, "'--db'", "not a newscrawler archive")
    assert path.read_bytes() == before


def test_the_library_refuses_them_too(not_sqlite: Path, foreign: Path) -> None:
    for path in (not_sqlite, foreign):
        with pytest.raises(ArchiveError, match="not a newscrawler archive"):
            Archive.open(path)  # create=True: it used to add the archive's tables
    assert tables(foreign) == ["contacts"]


def test_an_empty_file_or_an_empty_database_becomes_an_archive(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    blank = tmp_path / "blank.sqlite"
    sqlite3.connect(blank).close()
    for path in (empty, blank):
        with Archive.open(path) as archive:
            assert archive.portals() == []
        assert "captures" in tables(path)


# -- filters and output files ----------------------------------------------------------------------


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    path = tmp_path / "archive.sqlite"
    Archive.open(path).close()
    return path


@pytest.mark.parametrize("command", [["search", "徐闻"], ["export"], ["reparse"], ["rankings"]])
@pytest.mark.parametrize("value", ["2022-13-45", "2022-02-30", "99999-01-01", "2022-04-19T10:00"])
def test_an_impossible_date_in_a_filter_is_a_usage_error(archive_path: Path, command: list[str], value: str) -> None:
    # 2022-13-45 used to filter silently (everything or nothing, exit 0).
    result = invoke(*command, "--since", value, "--db", archive_path)
    assert_usage_error(result.output, result.exit_code, "'--since'", repr(value))
    if command[0] != "rankings":
        result = invoke(*command, "--until", value, "--db", archive_path)
        assert_usage_error(result.output, result.exit_code, "'--until'", repr(value))


def test_export_into_a_missing_directory_is_a_usage_error(archive_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "articles.csv"
    for fmt in ("jsonl", "csv", "warc"):
        result = invoke("export", "--format", fmt, "-o", target, "--db", archive_path)
        assert_usage_error(result.output, result.exit_code, "'-o' / '--output'", "does not exist")
    assert not (tmp_path / "no").exists()



@pytest.mark.parametrize("command", ["export", "reparse"])
def test_a_warc_dir_that_does_not_exist_is_a_usage_error(
    archive_path: Path, tmp_path: Path, command: str
) -> None:
    # A mistyped --warc-dir used to pass: export rebuilt every capture with a warning each, and
    # reparse read nothing from WARC files, both exiting 0.
    missing = tmp_path / "warcs"
    args = ["--format", "warc", "-o", tmp_path / "out.warc.gz"] if command == "export" else []
    result = invoke(command, *args, "--warc-dir", missing, "--db", archive_path)
    assert_usage_error(result.output, result.exit_code, "'--warc-dir'", "does not exist")
    assert not (tmp_path / "out.warc.gz").exists()


def test_replay_instructions_in_a_sidecar_are_checked_like_headers(tmp_path: Path) -> None:
    page = saved_page(tmp_path, headers='[{"Date": "Mon, 01 Jul 2024 03:00:00 GMT"}, {":status": "301"}]')
    result = invoke("extract", page, "--url", URL)
    assert_usage_error(result.output, result.exit_code, "page.html.headers.json", "':status' must be a int")
    page = saved_page(tmp_path, headers='{":stauts": 301}')
    result = invoke("extract", page, "--url", URL)
    assert_usage_error(result.output, result.exit_code, "unknown instruction ':stauts'")
