"""Take the README's screenshots of the Datasette front end from the demo archive.

    make demo && .venv/bin/python scripts/docs_screenshots.py

Starts ``newscrawler serve`` on data/newscrawler.sqlite and has headless Chromium (Debian's
chromium and chromium-driver, with fonts-noto-cjk) save the home page and a search for 徐闻
into docs/img/. Look at them before committing.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[1]
ARCHIVE = ROOT / "data" / "newscrawler.sqlite"
OUT = ROOT / "docs" / "img"


def main() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "newscrawler", "serve", "--db", str(ARCHIVE),
                               "--port", str(port)])
    site = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(site + "/-/versions.json")
                break
            except OSError:
                time.sleep(0.2)
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                         "--window-size=1280,1000", "--hide-scrollbars"):
            options.add_argument(argument)
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
        try:
            OUT.mkdir(parents=True, exist_ok=True)
            driver.get(site + "/")
            driver.save_screenshot(str(OUT / "datasette-home.png"))
            driver.get(f"{site}/{ARCHIVE.stem}/search?q=" + urllib.parse.quote("徐闻"))
            driver.save_screenshot(str(OUT / "datasette-search.png"))
        finally:
            driver.quit()
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
