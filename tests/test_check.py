"""`newscrawler check`: per-field counts over a few pages, and a failing exit after a redesign."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support import ZJDAILY, run_cli, without_crawl_delay

FAST = ("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0")


def _copy(tmp_path: Path) -> Path:
    return without_crawl_delay(ZJDAILY, tmp_path / "zjdaily")


def _rows(output: str) -> dict[str, str]:
    """``{"article/headline": "5/5", ...}`` from the table."""
    rows, kind = {}, ""
    for line in output.splitlines():
        heading = re.match(r"^  (\w+) field\s+pages(?:\s+fallback)?$", line)
        if heading:
            kind = heading.group(1)
            continue
        match = re.match(r"^    (\S.*?)\s+(\d+/\d+)", line)
        if match:
            rows[f"{kind}/{match.group(1)}"] = match.group(2)
    return rows


def test_check_passes_on_the_fixtures(tmp_path: Path) -> None:
    result = run_cli("check", "zjdaily", "--replay", str(_copy(tmp_path)), "-n", "3", *FAST)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    rows = _rows(result.stdout)
    assert rows["article/headline"] == rows["article/paragraphs"] == "3/3"
    listings = int(rows["listing/article links"].split("/")[1])
    assert listings >= 1 and rows["listing/rankings"] == f"{listings}/{listings}"
    assert "FAIL" not in result.stdout and "Error:" not in result.stderr
    assert "  read by zjdaily@1 (3)" in result.stdout


def test_check_fails_when_the_headline_selector_no_longer_matches(tmp_path: Path) -> None:
    site = _copy(tmp_path)
    for page in (site / "p").glob("*.html"):
        page.write_bytes(page.read_bytes().replace(b'class="article-title"', b'class="article-heading"'))
    result = run_cli("check", "zjdaily", "--replay", str(site), "-n", "3", *FAST)
    assert result.returncode == 1
    rows = _rows(result.stdout)
    assert rows["article/headline"] == "0/3"
    assert rows["article/paragraphs"] == "3/3"
    # The records keep their headline (the generic extractor read it), the profile did not.
    assert "  article field    pages  fallback" in result.stdout
    assert "    headline       0/3           3  FAIL (required)" in result.stdout
    assert "    paragraphs     3/3           -" in result.stdout
    assert "  read by zjdaily@1+generic (3)" in result.stdout
    # Which twin (www. or m.) of an article is fetched first depends on timing.
    assert re.search(r"^Error: headline missing on 3 of 3 article pages,"
                     r" e\.g\. https://(www|m)\.gdzjdaily\.com\.cn/p/", result.stderr, re.MULTILINE)
    assert "(the generic extractor read it on 3: the profile's selectors no longer match)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["check", "crawl"])
def test_an_empty_replay_directory_is_a_usage_error(tmp_path: Path, command: str) -> None:
    """Replayed, every page of an empty directory answers 404, which reads as a broken profile."""
    empty = tmp_path / "saved"
    (empty / "zjxw").mkdir(parents=True)
    more = ("--db", str(tmp_path / "a.sqlite")) if command == "crawl" else ("-n", "3")
    result = run_cli(command, "zjdaily", "--replay", str(empty), *more)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"Error: Invalid value for '--replay': {empty} is empty" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "a.sqlite").exists()


@pytest.mark.parametrize("portal", ["nosuchportal"])
def test_check_unknown_portal_is_a_usage_error(portal: str) -> None:
    result = run_cli("check", portal)
    assert result.returncode == 2 and "unknown portal" in result.stderr


def test_fields_a_portal_never_shows_are_marked_in_the_table() -> None:
    from newscrawler.check import STAT, CheckReport

    stats = {f"{STAT}pages/article": 2, f"{STAT}article/headline": 2, f"{STAT}article/paragraphs": 2,
             f"{STAT}article/reporters": 1}
    lines = CheckReport("zjdaily-epaper", stats).table().splitlines()
    assert "    source         0/2           -  (the portal never shows it)" in lines
    assert "    editors        0/2           -  (the portal never shows it)" in lines
    assert "    reporters      1/2           -" in lines
    assert not [line for line in CheckReport("zjdaily", stats).table().splitlines() if "never shows" in line]
