"""`newscrawler extract FILE` on a saved page whose URL is unknown: no --url, no canonical link.

The page is read anyway (a saved file is often all a researcher has): the record has ``url`` and
``canonical_url`` null and the warning ``no_url``. Such a record is for reading only; the archive
files articles by URL and refuses it with a clear message, writing nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree

from archive import Archive
from newscrawler.cli import cli
from newscrawler.extract.record import RecordError, check_record

# A page of our own writing, with no canonical link, no og:url and a relative image.
PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>东港社区开办长者饭堂_东港新闻网</title></head>
<body><h1>东港社区开办长者饭堂</h1>
<div class="info">2024-05-06 09:30 来源：东港日报 记者 林海燕</div>
<div class="content">
<p>东港社区长者饭堂昨日开门迎客，七十岁以上的居民凭卡就餐，每餐只需八元。</p>
<p><img src="img/canteen.jpg"></p>
<p>饭堂由社区服务中心改建而成，可同时容纳六十人用餐，菜单每周更换一次。</p>
<p>社区负责人表示，下一步将为行动不便的老人提供送餐上门服务，首批已有四十多户登记。</p>
</div>
<p>（编辑：周明）</p>
</body></html>
"""


def _write_page(folder: Path, html: str = PAGE) -> Path:
    page = folder / "canteen.html"
    page.write_text(html, encoding="utf-8")
    return page


def _extract(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["extract", *args])
    return result.exit_code, result.stdout, result.stderr


def test_page_without_url_or_canonical_link_gives_a_record_without_url(tmp_path: Path) -> None:
    code, out, err = _extract(str(_write_page(tmp_path)))
    assert code == 0, err
    record = json.loads(out)
    check_record(record)
    assert (record["url"], record["canonical_url"], record["article_id"]) == (None, None, None)
    assert (record["portal"], record["extractor"]) == ("generic", "generic@2")
    assert "no_url" in record["warnings"]
    assert record["headline"] == "东港社区开办长者饭堂"
    assert record["published_at"] == "2024-05-06T09:30:00+08:00"
    assert record["source"] == "东港日报"
    assert len(record["paragraphs"]) == 3
    # Nothing to resolve a relative link against: it stays as the page wrote it.
    assert [image["url"] for image in record["images"]] == ["img/canteen.jpg"]


def test_url_given_or_found_on_the_page_is_used(tmp_path: Path) -> None:
    page = _write_page(tmp_path)
    code, out, err = _extract(str(page), "--url", "https://www.donggang.example/sq/101.html")
    assert code == 0, err
    record = json.loads(out)
    assert record["url"] == record["canonical_url"] == "https://www.donggang.example/sq/101.html"
    assert "no_url" not in record["warnings"]
    assert record["images"][0]["url"] == "https://www.donggang.example/sq/img/canteen.jpg"

    canonical = PAGE.replace(
        "<title>", '<link rel="canonical" href="https://www.donggang.example/sq/101.html"><title>'
    )
    code, out, err = _extract(str(_write_page(tmp_path, canonical)))
    assert code == 0, err
    assert json.loads(out)["url"] == "https://www.donggang.example/sq/101.html"


def test_several_files_each_with_or_without_a_url(tmp_path: Path) -> None:
    first = _write_page(tmp_path)
    second = tmp_path / "second.html"
    second.write_text(
        PAGE.replace("<title>", '<link rel="canonical" href="https://www.donggang.example/sq/102.html"><title>'),
        encoding="utf-8",
    )
    code, out, err = _extract(str(first), str(second))
    assert code == 0, err
    assert [json.loads(line)["url"] for line in out.splitlines()] == [
        None, "https://www.donggang.example/sq/102.html",
    ]


def test_page_that_is_no_article_still_fails_and_says_why(tmp_path: Path) -> None:
    page = _write_page(tmp_path, "<html><head><title>首页</title></head><body><p>欢迎</p></body></html>")
    code, out, err = _extract(str(page))
    assert code == 1
    assert out == ""
    assert f"error: {page}: no_" in err
    assert "page without a URL" in err


def test_a_page_the_extractor_fails_on_does_not_stop_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An extractor bug on one page (simulated: extraction raises on it) is reported for that
    # file in one line, as a page without an article is; the pages after it are still read.
    from newscrawler import cli as module

    real = module.extract

    def failing(url: str | None, body: bytes, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if b"<!-- the failing page -->" in body:
            raise RecursionError("maximum recursion depth exceeded\nwhile reading the page")
        return real(url, body, *args, **kwargs)

    monkeypatch.setattr(module, "extract", failing)
    good = _write_page(tmp_path)
    bad = tmp_path / "bad.html"
    bad.write_text(PAGE.replace("<body>", "<body><!-- the failing page -->"), encoding="utf-8")
    other = tmp_path / "other.html"
    other.write_text(PAGE.replace("东港社区开办长者饭堂</h1>", "东港社区长者饭堂开门</h1>"), encoding="utf-8")
    code, out, err = _extract(str(good), str(bad), str(other))
    assert code == 1
    headlines = [json.loads(line)["headline"] for line in out.splitlines()]
    assert headlines == ["东港社区开办长者饭堂", "东港社区长者饭堂开门"]
    assert err.splitlines() == [
        f"error: {bad}: extraction failed: RecursionError: maximum recursion depth exceeded"]


@pytest.mark.parametrize("step", ["saved_page", "canonical_link"])
def test_a_failure_reading_a_page_before_extraction_does_not_stop_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    # Decoding a page and reading its canonical link come before extraction proper; a bug
    # there (simulated) is reported for that file like an extraction failure.
    from newscrawler import cli as module
    from newscrawler.extract.generic import metadata

    owner: Any = module if step == "saved_page" else metadata
    real = getattr(owner, step)

    def failing(first: Any, *args: Any) -> Any:
        text = first if isinstance(first, bytes) else etree.tostring(first.root)
        if b"the failing page" in text:
            raise ValueError("cannot read this page\nsecond line")
        return real(first, *args)

    monkeypatch.setattr(owner, step, failing)
    good = _write_page(tmp_path)
    bad = tmp_path / "bad.html"
    bad.write_text(PAGE.replace("<body>", "<body><!-- the failing page -->"), encoding="utf-8")
    code, out, err = _extract(str(bad), str(good))
    assert code == 1
    assert [json.loads(line)["headline"] for line in out.splitlines()] == ["东港社区开办长者饭堂"]
    assert err.splitlines() == [f"error: {bad}: extraction failed: ValueError: cannot read this page"]


def test_a_file_that_cannot_be_read_does_not_stop_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = _write_page(tmp_path)
    locked = tmp_path / "locked.html"
    locked.write_text(PAGE, encoding="utf-8")
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.html":  # as a file without read permission, which root can read
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    code, out, err = _extract(str(locked), str(good))
    assert code == 1
    assert len(out.splitlines()) == 1
    assert err.splitlines() == [f"error: {locked}: cannot read the file: Permission denied"]


def test_a_null_url_comes_with_its_warning_and_a_null_canonical_url(tmp_path: Path) -> None:
    record: dict[str, Any] = json.loads(_extract(str(_write_page(tmp_path)))[1])
    with pytest.raises(RecordError, match="null only together"):
        check_record({**record, "canonical_url": "https://www.donggang.example/sq/101.html"})
    with pytest.raises(RecordError, match="no_url"):
        check_record({**record, "warnings": [w for w in record["warnings"] if w != "no_url"]})


def test_archive_refuses_a_record_without_url_and_writes_nothing(tmp_path: Path) -> None:
    record = json.loads(_extract(str(_write_page(tmp_path)))[1])
    capture = {
        "url": "https://www.donggang.example/sq/101.html",
        "fetched_at": record["fetched_at"],
        "status": 200,
        "kind": "article",
        "headers": {"Content-Type": "text/html; charset=utf-8"},
        "body": PAGE.encode("utf-8"),
    }
    with Archive.open(tmp_path / "archive.sqlite") as archive:
        run = archive.start_run("generic", {})
        with pytest.raises(ValueError, match="no canonical_url: a page read without its URL cannot be archived"):
            archive.add_capture(run, capture, record)
        assert archive.conn.execute("SELECT count(*) FROM captures").fetchone() == (0,)
        assert archive.conn.execute("SELECT count(*) FROM articles").fetchone() == (0,)
