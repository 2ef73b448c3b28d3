"""Record and capture factories for the archive tests, an archive in tmp_path, and an archive
crawled from the fixture portal's hot lists on seven days."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archive import Archive

SEED_URL = "https://www.gdzjdaily.com.cn/p/2953118.html"
SEED_MOBILE_URL = "https://m.gdzjdaily.com.cn/p/2953118.html"

# The seed article as the zjdaily extractor produces it (Traditional script).
SEED: dict[str, Any] = {
    "url": SEED_URL,
    "canonical_url": SEED_URL,
    "portal": "zjdaily",
    "article_id": "2953118",
    "headline": "徐聞奮力推進文明城市衛生縣城創建",
    "kicker": None,
    "subtitle": None,
    "published_at": "2022-04-19T17:31:00+08:00",
    "published_at_raw": "2022-04-19 17:31",
    "source": "湛江云媒",
    "paper": None,
    "edition_date": None,
    "page": None,
    "reporters": [{"role": "記者", "name": "陳荔雅"}, {"role": "特約通訊員", "name": "譚總"}],
    "editors": [{"role": "編輯", "name": "吳文靜"}],
    "paragraphs": [
        "4月18日，徐聞縣召開創建全國文明城市和國家衛生縣城工作推進會。",
        "會議強調，要以更高標準、更實舉措推進創建工作。",
        "徐聞縣各鎮、各部門主要負責人參加會議。",
        "會議通報了近期創建工作的進展情況。",
        "與會人員表示，將全力以赴完成創建任務。",
    ],
    "images": [{"url": "https://www.gdzjdaily.com.cn/img/1.jpg", "caption": "推進會現場"}],
    "rankings": [
        {"list": "熱點新聞排行", "period": "月點擊", "rank": 1, "title": "徐聞奮力推進文明城市衛生縣城創建",
         "url": SEED_MOBILE_URL},
        {"list": "熱點新聞排行", "period": "月點擊", "rank": 2, "title": "湛江新聞", "url":
         "https://www.gdzjdaily.com.cn/p/2953000.html"},
        {"list": "熱點新聞排行", "period": "周點擊", "rank": 1, "title": "湛江新聞", "url":
         "https://www.gdzjdaily.com.cn/p/2953000.html"},
    ],
    "related": [{"list": "湛圖片", "title": "圖片新聞", "url": "https://www.gdzjdaily.com.cn/p/2952000.html"}],
    "comments": {"participants": 3, "count": 2},
    "script": "zh-Hant",
    "encoding": "utf-8",
    "fetched_at": "2026-01-01T00:00:00+00:00",
    "extractor": "zjdaily@1",
    "warnings": [],
}

HTML_TEMPLATE = (
    "<html><head><meta charset='utf-8'><title>{headline}</title></head><body>"
    "<nav>首頁 新聞 湛江 廣東 國內 國際 體育 娛樂 財經 科技 教育 健康 旅遊</nav>"
    "<h1>{headline}</h1>{body}<footer>湛江日報社版權所有 粵ICP備</footer></body></html>"
)


def make_record(**overrides: Any) -> dict[str, Any]:
    """The seed record with some keys replaced; key order stays the field table's."""
    record = copy.deepcopy(SEED)
    for key, value in overrides.items():
        assert key in record, key
        record[key] = value
    return record


def make_capture(record: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """A capture of ``record``'s page (or of a listing page when there is no record)."""
    if record is not None:
        body = HTML_TEMPLATE.format(
            headline=record["headline"],
            body="".join(f"<p>{p}</p>" for p in record["paragraphs"]),
        ).encode("utf-8")
        capture = {"url": record["url"], "fetched_at": record["fetched_at"], "kind": "article"}
    else:
        body = HTML_TEMPLATE.format(headline="列表", body="<ul><li>新聞</li></ul>").encode()
        capture = {"url": "https://www.gdzjdaily.com.cn/list.html",
                   "fetched_at": "2026-01-01T00:00:00+00:00", "kind": "listing"}
    capture.update(status=200, headers={"content-type": "text/html; charset=utf-8"}, body=body)
    capture.update(overrides)
    return capture


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.sqlite"


@pytest.fixture
def archive(db_path: Path):
    opened = Archive.open(db_path)
    yield opened
    opened.close()


@pytest.fixture
def run_id(archive: Archive) -> int:
    return archive.start_run("zjdaily", {"replay": "fixtures/zjdaily"})


@pytest.fixture
def seeded(archive: Archive, run_id: int) -> Archive:
    """An archive holding the seed article."""
    record = make_record()
    assert archive.add_capture(run_id, make_capture(record), record) == "new"
    return archive


HOT_LISTS = Path(__file__).resolve().parents[2] / "fixtures" / "zjdaily-rankings"


def crawl_hot_lists(db: Path) -> None:
    """Crawl ``fixtures/zjdaily-rankings`` into ``db``, a day at a time, as a portal's archive
    grows: the home and channel pages show the hot lists (月点击, 日点击) of that day."""
    for day in sorted(HOT_LISTS.iterdir()):
        result = subprocess.run(
            [sys.executable, "-m", "newscrawler", "crawl", "zjdaily", "--replay", str(day), "--db",
             str(db), "--no-warc", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0"],
            capture_output=True, text=True, timeout=300, env=dict(os.environ, PYTHONUNBUFFERED="1"))
        assert result.returncode == 0, (day.name, result.stderr[-3000:])


@pytest.fixture(scope="session")
def hot_lists(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of seven days of the fixture portal's hot lists (read it, do not write it)."""
    db = tmp_path_factory.mktemp("hot-lists") / "newscrawler.sqlite"
    crawl_hot_lists(db)
    return db
