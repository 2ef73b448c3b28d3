"""The Datasette front end in a real browser: headless Chromium driven by Selenium against
``newscrawler serve`` running on a real archive file.

Screenshots of every page the tests reach are kept as test artefacts in ``build/screenshots``
(or ``$NEWSCRAWLER_SCREENSHOTS``). Without Chromium, chromedriver or Selenium the tests skip,
except in continuous integration (``CI`` set), where ``.ci/run`` installs them and a skip would
hide a broken front end.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make_capture, make_record

ROOT = Path(__file__).resolve().parents[2]
HEADLINE = "徐聞奮力推進文明城市衛生縣城創建"
# A story of fixtures/zjdaily-rankings that entered the hot lists on the second day.
PORT_LINE = "湛江港集团开通新外贸航线"


def missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: continuous integration must run the browser tests (.ci/run installs it)")
    pytest.skip(reason)


def browser_binaries() -> tuple[str, str]:
    browser = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))),
                   None)
    driver = shutil.which("chromedriver")
    if not browser or not driver:
        missing("Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    return browser, driver  # type: ignore[return-value]


@pytest.fixture(scope="module")
def screenshots() -> Path:
    directory = Path(os.environ.get("NEWSCRAWLER_SCREENSHOTS", ROOT / "build" / "screenshots"))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
def browser() -> Iterator[object]:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing("Selenium is not installed (pip install -e '.[test]')")
    binary, driver_path = browser_binaries()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--lang=zh-CN"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def site(seeded, run_id, db_path) -> Iterator[str]:
    """``newscrawler serve`` on an archive of a Traditional and a Simplified article."""
    other = make_record(
        url="https://www.gdzjdaily.com.cn/p/3418512.html",
        canonical_url="https://www.gdzjdaily.com.cn/p/3418512.html", article_id="3418512",
        headline="湛江海上风电项目桩基础施工全部完成", reporters=[{"role": "记者", "name": "梁峰"}],
        paragraphs=["随着最后一根钢管桩沉桩到位，湛江海上风电项目桩基础施工全部完成。"],
        script="zh-Hans",
    )
    seeded.add_capture(run_id, make_capture(other), other)
    seeded.close()
    yield from serve(db_path)


@pytest.fixture
def chart_site(hot_lists) -> Iterator[str]:
    """``newscrawler serve`` on the fixture portal's hot lists crawled on seven days."""
    yield from serve(hot_lists)


def serve(db_path: Path) -> Iterator[str]:
    """Run ``newscrawler serve`` on the archive until the test is done; yields its address."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "newscrawler", "serve", "--db", str(db_path), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url + "/-/versions.json")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = server.stdout.read().decode() if server.stdout else ""
                    pytest.fail(f"newscrawler serve did not start:\n{output}")
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait()


def wait_for(driver, css: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 60).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))


def test_search_simplified_finds_traditional_article_and_opens_it(browser, site, db_path, screenshots):
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(site + "/")
    box = wait_for(driver, "form.archive-search input[name=q]")
    # The search form comes before any table list.
    headings = [h.text for h in driver.find_elements(By.TAG_NAME, "h2")]
    assert headings == ["Questions to ask", "Tables"]
    assert "fold" not in driver.find_element(By.CSS_SELECTOR, "section.content").text.split()
    driver.save_screenshot(str(screenshots / "home.png"))

    box.send_keys("徐闻")
    driver.find_element(By.CSS_SELECTOR, "form.archive-search input[type=submit]").click()
    wait_for(driver, "table.rows-and-columns td.col-headline")
    assert driver.title == "Search articles: 徐闻"
    headlines = [td.text for td in driver.find_elements(By.CSS_SELECTOR, "td.col-headline")]
    assert headlines == [HEADLINE]
    assert [m.text for m in driver.find_elements(By.CSS_SELECTOR, "td.col-snippet mark")] == ["徐聞"]
    # The SQL is hidden until asked for.
    assert not driver.find_elements(By.CSS_SELECTOR, "textarea#sql-editor")
    driver.save_screenshot(str(screenshots / "search-xuwen.png"))

    driver.find_element(By.LINK_TEXT, HEADLINE).click()
    heading = wait_for(driver, "h1")
    assert heading.text == HEADLINE
    assert driver.current_url == f"{site}/{db_path.stem}/articles/1"
    facts = driver.find_element(By.CSS_SELECTOR, "table.article-facts").text
    assert "記者 陳荔雅; 特約通訊員 譚總" in facts and "2022-04-19 17:31" in facts
    paragraphs = driver.find_elements(By.CSS_SELECTOR, ".article-text p")
    assert [p.text for p in paragraphs] == make_record()["paragraphs"]
    captures = driver.find_elements(By.CSS_SELECTOR, "table.captures tbody tr")
    assert [row.find_elements(By.TAG_NAME, "td")[3].text for row in captures] == ["new"]
    driver.save_screenshot(str(screenshots / "article.png"))


def test_simplified_article_found_from_traditional(browser, site, db_path, screenshots):
    from selenium.webdriver.common.by import By

    browser.get(f"{site}/{db_path.stem}/search?q=海上風電")
    wait_for(browser, "td.col-headline")
    assert [td.text for td in browser.find_elements(By.CSS_SELECTOR, "td.col-headline")] == [
        "湛江海上风电项目桩基础施工全部完成"]
    assert [m.text for m in browser.find_elements(By.CSS_SELECTOR, "td.col-snippet mark")] == ["海上风电"]
    browser.save_screenshot(str(screenshots / "search-traditional-query.png"))


def loaded_image(driver, css: str) -> tuple[int, int]:
    """The natural size of the image, once the browser has loaded it (0, 0: it failed)."""
    from selenium.webdriver.support.ui import WebDriverWait

    image = wait_for(driver, css)
    WebDriverWait(driver, 60).until(lambda d: d.execute_script("return arguments[0].complete", image))
    return tuple(driver.execute_script("return [arguments[0].naturalWidth, arguments[0].naturalHeight]",
                                       image))


def test_an_articles_page_leads_to_its_rank_over_time(browser, chart_site, hot_lists, screenshots):
    from selenium.webdriver.common.by import By

    with sqlite3.connect(hot_lists) as conn:
        (article_id,) = conn.execute("SELECT id FROM articles WHERE headline = ?", (PORT_LINE,)).fetchone()
    browser.get(f"{chart_site}/{hot_lists.stem}/articles/{article_id}")
    wait_for(browser, "table.rankings")
    browser.find_element(By.LINK_TEXT, "Its rank over time, as a chart").click()
    assert wait_for(browser, "h1").text == f"Hot lists over time: {PORT_LINE}"
    assert loaded_image(browser, "img.rankings-chart") == (960, 710)
    # Under the chart, a table per list it was on: the article's rank on each day, a gap (–)
    # on 1 July, before it was on the lists.
    panels = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "h2")]
    assert [p.split(" (")[0] for p in panels] == ["热点新闻排行 · 日点击", "热点新闻排行 · 月点击"]
    rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in browser.find_elements(By.CSS_SELECTOR, "table.chart-stories tbody tr")]
    assert rows == [[PORT_LINE, "1", "6", "– 3 1 1 2 3 4"], [PORT_LINE, "4", "5", "– – 8 6 5 4 4"]]
    # The image is the chart of those lists: their names and the story in its text.
    source = browser.find_element(By.CSS_SELECTOR, "img.rankings-chart").get_attribute("src")
    svg = urllib.request.urlopen(source).read().decode("utf-8")
    for text in ("热点排行 · Hot-list rank over time", "热点新闻排行 · 日点击", "热点新闻排行 · 月点击",
                 PORT_LINE, "排名 · rank"):
        assert f"<!-- {text} -->" in svg, text
    browser.save_screenshot(str(screenshots / "rankings-chart-article.png"))
    # Its story links back to the article.
    browser.find_element(By.LINK_TEXT, PORT_LINE).click()
    assert wait_for(browser, "h1").text == PORT_LINE


def test_the_hot_lists_query_leads_to_a_chart_of_its_list(browser, chart_site, hot_lists, screenshots):
    from selenium.webdriver.common.by import By

    browser.get(f"{chart_site}/{hot_lists.stem}/rankings_over_time?portal=&list=&period=月點擊")
    wait_for(browser, "table.rows-and-columns td.col-title")
    browser.find_element(By.LINK_TEXT, "These lists over time, as a chart").click()
    width, height = loaded_image(browser, "img.rankings-chart")
    assert (width, height) == (960, 384)
    assert [h.text.split(" (")[0] for h in browser.find_elements(By.CSS_SELECTOR, "h2")] == [
        "热点新闻排行 · 月点击"]
    stories = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "table.chart-stories td:first-child a")]
    assert len(stories) == 10 and stories[:2] == ["深中通道6月30日下午3时通车试运营",
                                                  "少儿书画作品展:以童趣心灵描绘“鲜美湛江”"]
    browser.save_screenshot(str(screenshots / "rankings-chart.png"))

    # A list the archive never saw says which lists there are.
    browser.get(f"{chart_site}/{hot_lists.stem}/-/rankings-chart?list=要闻")
    assert wait_for(browser, "p.message-error").text == (
        "no list '要闻' in the hot lists (lists: 热点新闻排行 (7 snapshots))")
    assert not browser.find_elements(By.CSS_SELECTOR, "img.rankings-chart")
