"""Crawl limits: --max-articles, --since and --depth, on a copy of the fixture portal whose
robots.txt has no Crawl-delay (so these crawls take seconds)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import ZJDAILY, fixture_cases, load_case, run_cli, without_crawl_delay


@pytest.fixture(scope="module")
def fast_portal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return without_crawl_delay(ZJDAILY, tmp_path_factory.mktemp("portal") / "zjdaily")


def _crawl(portal: Path, tmp_path: Path, *args: str) -> tuple[list[dict], list[dict]]:
    output, log = tmp_path / "out.jsonl", tmp_path / "access.jsonl"
    result = run_cli(
        "crawl", "zjdaily", "--replay", str(portal), "-o", str(output),
        "-s", f"NEWSCRAWLER_REPLAY_LOG={log}", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "DOWNLOAD_DELAY=0", *args,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()] if output.exists() else []
    requests = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return records, requests


def test_max_articles(fast_portal: Path, tmp_path: Path) -> None:
    records, requests = _crawl(fast_portal, tmp_path, "--max-articles", "3")
    assert len(records) == 3
    assert len([r for r in requests if r["path"].startswith("/p/")]) == 3


def test_since_skips_older_stories(fast_portal: Path, tmp_path: Path) -> None:
    dates = sorted(load_case(p)["record"]["published_at"][:10] for p in fixture_cases())
    cutoff = dates[len(dates) // 2]
    records, _ = _crawl(fast_portal, tmp_path, "--since", cutoff)
    assert records, "some fixture stories are on or after the cutoff"
    assert all(r["published_at"] is None or r["published_at"][:10] >= cutoff for r in records)
    expected = {load_case(p)["url"] for p in fixture_cases() if load_case(p)["record"]["published_at"][:10] >= cutoff}
    assert {r["canonical_url"] for r in records} <= expected


def test_depth_limits_link_following(fast_portal: Path, tmp_path: Path) -> None:
    # Start pages are depth 0; their links (articles, page 2 of each listing) depth 1; stories
    # listed only on page 2 are depth 2 and out of reach.
    records, requests = _crawl(fast_portal, tmp_path, "--depth", "1")
    paths = {r["path"] for r in requests}
    assert {"/", "/zjxw/", "/xsq/", "/zjxw/index_2.html"} <= paths
    assert 0 < len(records) < len(fixture_cases())


def test_unknown_portal_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_cli("crawl", "nosuchportal", "-o", str(tmp_path / "x.jsonl"))
    assert result.returncode != 0
    assert "unknown portal 'nosuchportal'" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_since_is_rejected(tmp_path: Path) -> None:
    result = run_cli("crawl", "zjdaily", "--since", "last week")
    assert result.returncode != 0
    assert "YYYY-MM-DD" in result.stderr
