"""``newscrawler portal new``: a draft portal module from one saved page, which passes its own
fixture as generated. Runs on a generic fixture page, writing into temporary directories; the
generated module is imported in a subprocess so that its host never joins this process's registry.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support import FIXTURES, ROOT, run_cli

from newscrawler.extract.page import Page
from newscrawler.replay import FixtureServer
from newscrawler.scaffold import is_stable_name, stable_selector

SAMPLE = FIXTURES / "generic" / "www.county-news.example" / "xw" / "2023-11-08_5521.html"
URL = "https://www.county-news.example/xw/2023-11-08_5521.html"

CHECK = """
import json, sys
from datetime import datetime
from pathlib import Path
from newscrawler.extract import extract
from newscrawler.extract.record import check_record
from newscrawler.scaffold import load_portal_module
portal = load_portal_module(Path(sys.argv[1]))
expected = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
page = Path(sys.argv[2].replace(".expected.json", ".html"))
# As the fixture test reads it: by URL, through the registry the module joined on import.
record = extract(expected["url"], page.read_bytes(), {}, datetime.fromisoformat(expected["fetched_at"]))
check_record(record)
print(json.dumps({"portal": portal.name, "equal": record == expected["record"], "record": record}, ensure_ascii=False))
"""


def test_portal_new_writes_a_module_that_passes_its_fixture(tmp_path: Path) -> None:
    portals_dir, fixtures_dir = tmp_path / "portals", tmp_path / "fixtures"
    result = run_cli("portal", "new", "county-news", "--sample", str(SAMPLE), "--url", URL,
                     "--portals-dir", str(portals_dir), "--fixtures-dir", str(fixtures_dir),
                     "--fetched-at", "2024-07-01T03:00:00+00:00")
    assert result.returncode == 0, result.stderr[-3000:]
    module = portals_dir / "county_news.py"
    fixture = fixtures_dir / "county-news" / "xw" / "2023-11-08_5521.html"
    expected = fixture.with_name("2023-11-08_5521.expected.json")
    assert fixture.read_bytes() == SAMPLE.read_bytes()
    source = module.read_text(encoding="utf-8")
    assert "headline = 'div.news-title h2'" in source
    assert "paragraphs = 'div.news-body p'" in source
    assert "info_line = 'div.news-info'" in source

    checked = subprocess.run([sys.executable, "-c", CHECK, str(module), str(expected)], cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr[-3000:]
    outcome = json.loads(checked.stdout)
    assert outcome["portal"] == "county-news" and outcome["equal"]
    record = outcome["record"]
    generic = json.loads((SAMPLE.with_name("2023-11-08_5521.expected.json")).read_text(encoding="utf-8"))["record"]
    for name in ("headline", "published_at", "reporters", "editors"):
        assert record[name] == generic[name], name
    assert record["extractor"] == "county-news@1" and record["article_id"] == "5521"
    # Nothing was written into the repository.
    assert not (ROOT / "newscrawler" / "portals" / "county_news.py").exists()
    assert not (FIXTURES / "county-news").exists()


@pytest.mark.parametrize("path", [
    "/xw/%E6%9C%AC%E5%9C%B0/5521.html",  # 本地, percent-encoded as URLs carry it
    "/xw/tmp/../5521.html",
    "/../../../outside/5521.html",  # dot segments above the root end at the root, as in a browser
    # Without .html: saved with it added, which the replay serves (it used to answer 404).
    "/news/5521",
    "/xw/5521.shtml",
])
def test_portal_new_puts_the_sample_where_a_replay_serves_its_url(tmp_path: Path, path: str) -> None:
    portals_dir, fixtures_dir = tmp_path / "portals", tmp_path / "fixtures"
    url = f"https://www.county-news.example{path}"
    result = run_cli("portal", "new", "county-news", "--sample", str(SAMPLE), "--url", url,
                     "--portals-dir", str(portals_dir), "--fixtures-dir", str(fixtures_dir))
    assert result.returncode == 0, result.stderr[-3000:]
    served = FixtureServer(fixtures_dir / "county-news").resolve(urlsplit(url).path)
    assert served is not None and served.read_bytes() == SAMPLE.read_bytes()
    assert served.with_name(served.stem + ".expected.json").is_file()
    written = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert written == {portals_dir / "county_news.py", served.with_name(served.stem + ".expected.json"),
                       served, fixtures_dir / "county-news" / ".headers.json"}


def test_portal_new_refuses_taken_names_and_hosts(tmp_path: Path) -> None:
    taken = run_cli("portal", "new", "zjdaily", "--sample", str(SAMPLE), "--url", URL,
                    "--portals-dir", str(tmp_path), "--fixtures-dir", str(tmp_path))
    # The registered module, not a file of that name in --portals-dir, which there is not.
    assert taken.returncode == 2 and "portal 'zjdaily' exists (" in taken.stderr
    assert str(ROOT / "newscrawler" / "portals" / "zjdaily.py") in taken.stderr
    owned = run_cli("portal", "new", "other", "--sample", str(SAMPLE),
                    "--url", "https://www.gdzjdaily.com.cn/p/1.html",
                    "--portals-dir", str(tmp_path), "--fixtures-dir", str(tmp_path))
    assert owned.returncode == 2 and "zjdaily" in owned.stderr
    assert not list(tmp_path.rglob("*.py"))


def test_generated_class_names_are_never_used() -> None:
    for name in ("article-title", "news_body", "content", "main-left", "col-md-8"):
        assert is_stable_name(name), name
    for name in ("css-1x2y3z", "sc-bdVaJa", "Title_h1__3xYz", "a8f3c2e1", "x1y2z3", "item-20240520"):
        assert not is_stable_name(name), name
    page = Page(
        '<html><body><div id="root"><div class="css-1x2y3z"><div class="article">'
        '<h1 class="sc-bdVaJa">标题</h1><div class="Body_text__9Xk2"><p>一</p><p>二</p></div>'
        '</div></div><h1>另一个</h1></div></body></html>',
        "https://example.org/a/1.html",
    )
    h1 = page.css("div.article h1")[0]
    assert stable_selector(page, [h1]) == "div.article h1"
    paragraphs = page.css("div.article p")
    assert stable_selector(page, paragraphs) == "div.article p"


def test_images_leave_out_furniture_and_captions_get_a_path() -> None:
    from newscrawler.scaffold import propose

    sample = FIXTURES / "generic" / "www.xiaoxiang-morning.example" / "content/2024-06/26/content_1187342.html"
    url = "https://www.xiaoxiang-morning.example/content/2024-06/26/content_1187342.html"
    proposal = propose(url, sample.read_bytes())
    # The share QR code in the body box is not one of the story's images.
    assert proposal.images == "#detailContent > p > img"
    assert proposal.image_caption_xpath is not None and "pic-desc" in proposal.image_caption_xpath
    page = Page(sample.read_text(encoding="utf-8"), url)
    assert [img.get("src") for img in page.css(proposal.images)] == [
        "/uploads/image/20240626/1719389214731.jpg",
        "/uploads/image/20240626/1719389302518.jpg",
    ]


KIND = """
import json, sys
from pathlib import Path
from newscrawler.scaffold import load_portal_module
portal = load_portal_module(Path(sys.argv[1]))
print(json.dumps({url: [portal.page_kind(url), portal.article_id(url)] for url in sys.argv[2:]}))
"""


@pytest.mark.parametrize("path, same_shape, folder", [
    ("/news/5521", "/news/6034", "/news/"),
    # A URL ending in / used to get a rule that did not match it (and no article id), and its
    # own folder as a listing.
    ("/news/5521/", "/news/6034/", "/news/"),
    ("/news/2023/11/08/xuwen-meeting/", "/news/2024/01/02/leizhou-port/", "/news/2023/11/08/"),
    ("/5521", "/6034", "/"),
])
def test_portal_new_drafts_article_urls_without_a_suffix(tmp_path: Path, path: str, same_shape: str,
                                                         folder: str) -> None:
    portals_dir, fixtures_dir = tmp_path / "portals", tmp_path / "fixtures"
    host = "https://www.county-news.example"
    result = run_cli("portal", "new", "county-news", "--sample", str(SAMPLE), "--url", host + path,
                     "--portals-dir", str(portals_dir), "--fixtures-dir", str(fixtures_dir))
    assert result.returncode == 0, result.stderr[-3000:]
    urls = [host + path, host + same_shape, host + folder]
    checked = subprocess.run([sys.executable, "-c", KIND, str(portals_dir / "county_news.py"), *urls],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr[-3000:]
    kinds = json.loads(checked.stdout)
    name = path.rstrip("/").rsplit("/", 1)[-1]
    assert kinds[host + path] == ["article", name]
    assert kinds[host + same_shape][0] == "article"
    assert kinds[host + folder][0] == "listing"
    served = FixtureServer(fixtures_dir / "county-news").resolve(path)
    assert served is not None and served.read_bytes() == SAMPLE.read_bytes()
    expected = json.loads(served.with_name(served.stem + ".expected.json").read_text(encoding="utf-8"))
    assert expected["record"]["article_id"] == name


START_URLS = """
import json, sys
from pathlib import Path
from newscrawler.scaffold import load_portal_module
print(json.dumps(load_portal_module(Path(sys.argv[1])).start_urls))
"""


@pytest.mark.parametrize("path, start_urls", [
    ("/xw/2023-11-08_5521.html", ["/", "/xw/"]),
    # At the root, the article's folder is the home page: it used to be listed twice.
    ("/article123.html", ["/"]),
    ("/5521", ["/"]),
    # A folder that is the home page once its dot segments are resolved.
    ("/xw/../5521.html", ["/"]),
])
def test_portal_new_lists_each_start_page_once(tmp_path: Path, path: str, start_urls: list[str]) -> None:
    portals_dir, fixtures_dir = tmp_path / "portals", tmp_path / "fixtures"
    host = "https://www.county-news.example"
    result = run_cli("portal", "new", "county-news", "--sample", str(SAMPLE), "--url", host + path,
                     "--portals-dir", str(portals_dir), "--fixtures-dir", str(fixtures_dir))
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = subprocess.run([sys.executable, "-c", START_URLS, str(portals_dir / "county_news.py")],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    assert json.loads(loaded.stdout) == [host + start for start in start_urls]


@pytest.mark.parametrize("url, message", [
    ("https://www.county-news.example/content.jsp?id=5521",
     "an article told apart by its query (?id=5521) cannot be drafted"),
    ("https://www.county-news.example/", "the home page is not an article"),
])
def test_portal_new_refuses_urls_a_profile_cannot_match(tmp_path: Path, url: str, message: str) -> None:
    result = run_cli("portal", "new", "county-news", "--sample", str(SAMPLE), "--url", url,
                     "--portals-dir", str(tmp_path), "--fixtures-dir", str(tmp_path))
    assert result.returncode == 2, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert not list(tmp_path.rglob("*"))
