"""Take the README's screenshots of the Datasette front end from the demo archive.

    make demo && .venv/bin/python scripts/docs_screenshots.py

Starts ``newscrawler serve`` on data/newscrawler.sqlite and has headless Chromium (Debian's
chromium and chromium-driver, with fonts-noto-cjk) save the home page and a search for 徐闻
into docs/img/. The rankings chart needs hot lists seen on several days, which the demo's one
capture date does not have: the script crawls ``fixtures/zjdaily-rankings`` (seven days) into a
temporary archive and saves its chart of 月点击. The chart needs the plot extra (matplotlib).
Look at them before committing.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[1]
ARCHIVE = ROOT / "data" / "newscrawler.sqlite"
OUT = ROOT / "docs" / "img"


HOT_LISTS = ROOT / "fixtures" / "zjdaily-rankings"


@contextmanager
def serving(archive: Path) -> Iterator[str]:
    """``newscrawler serve`` on the archive while the block runs; yields its address."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "newscrawler", "serve", "--db", str(archive),
                               "--port", str(port)])
    site = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(site + "/-/versions.json")
                break
            except OSError:
                time.sleep(0.2)
        yield site
    finally:
        server.terminate()
        server.wait()


def crawl_hot_lists(archive: Path) -> None:
    """The fixture portal's seven days, crawled in order into ``archive``."""
    for day in sorted(HOT_LISTS.iterdir()):
        subprocess.run([sys.executable, "-m", "newscrawler", "crawl", "zjdaily", "--replay", str(day),
                        "--db", str(archive), "--no-warc", "-s", "DOWNLOAD_DELAY=0",
                        "-s", "AUTOTHROTTLE_ENABLED=False"], check=True, capture_output=True)


def main() -> None:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--hide-scrollbars"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        OUT.mkdir(parents=True, exist_ok=True)
        with serving(ARCHIVE) as site:
            driver.get(site + "/")
            driver.save_screenshot(str(OUT / "datasette-home.png"))
            driver.get(f"{site}/{ARCHIVE.stem}/search?q=" + urllib.parse.quote("徐闻"))
            driver.save_screenshot(str(OUT / "datasette-search.png"))
        with tempfile.TemporaryDirectory() as tmp:
            hot_lists = Path(tmp) / "newscrawler.sqlite"
            crawl_hot_lists(hot_lists)
            with serving(hot_lists) as site:
                driver.get(f"{site}/{hot_lists.stem}/-/rankings-chart?period=" + urllib.parse.quote("月点击"))
                # Wait for the chart image, not only the page.
                for _ in range(300):
                    if driver.execute_script("const i = document.querySelector('img.rankings-chart');"
                                             " return i && i.complete && i.naturalWidth > 0"):
                        break
                    time.sleep(0.2)
                driver.save_screenshot(str(OUT / "rankings-chart.png"))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
