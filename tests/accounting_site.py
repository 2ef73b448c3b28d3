"""A small copy of the zjdaily portal whose server misbehaves as real ones do (see the sidecar
instructions in ``newscrawler/replay.py``): one article per case, linked from the home page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from support import ZJDAILY

WWW = "https://www.gdzjdaily.com.cn"

# article id -> (the link on the home page, the sidecar rules of /p/<id>.html)
CASES: dict[str, tuple[str, list[dict[str, Any]]]] = {
    # Fetched as linked: the control.
    "2953127": (f"{WWW}/p/2953127.html", []),
    # Dated "06-26 20:48", no year: the year is the capture's (2024), not the replay's.
    "3418377": (f"{WWW}/p/3418377.html", []),
    # http:// redirected to https:// on the same path: the same page.
    "2953118": ("http://www.gdzjdaily.com.cn/p/2953118.html",
                [{":scheme": "http", ":status": 301, "Location": f"{WWW}/p/2953118.html"}]),
    # m. redirected to www.: the same page.
    "2953124": ("https://m.gdzjdaily.com.cn/p/2953124.html",
                [{":host": "m.gdzjdaily.com.cn", ":status": 302, "Location": f"{WWW}/p/2953124.html"}]),
    # www. answers with a meta refresh to its m. twin: the same page.
    "2953140": (f"{WWW}/p/2953140.html",
                [{"Content-Type": "text/html; charset=utf-8"},
                 {":host": "www.gdzjdaily.com.cn", ":body": "2953140.refresh.html"}]),
    # Off the site.
    "2953131": (f"{WWW}/p/2953131.html",
                [{":status": 307, "Location": "https://elsewhere.example.org/story.html"}]),
    # To itself, for ever.
    "2953135": (f"{WWW}/p/2953135.html", [{":status": 308, "Location": f"{WWW}/p/2953135.html"}]),
    # Busy once, then served.
    "2953146": (f"{WWW}/p/2953146.html", [{":times": 1, ":status": 503, "Retry-After": "1"}]),
    # The connection drops mid-page, every time.
    "2953152": (f"{WWW}/p/2953152.html", [{":truncate": 300}]),
    # The server hangs up without answering, every time.
    "2953163": (f"{WWW}/p/2953163.html", [{":hangup": True}]),
    # Says gzip, is not.
    "2953158": (f"{WWW}/p/2953158.html", [{"Content-Encoding": "gzip"}]),
}
REFRESH = (b'<html><head><meta http-equiv="refresh" content="0; url=https://m.gdzjdaily.com.cn/p/2953140.html">'
           b"</head><body>moved</body></html>")


def build_site(root: Path, cases: dict[str, tuple[str, list[dict[str, Any]]]] | None = None) -> Path:
    """The site under ``root``: robots.txt without a Crawl-delay, a home page linking each case,
    the articles and their sidecars; the channel start pages answer 404."""
    cases = CASES if cases is None else cases
    (root / "p").mkdir(parents=True)
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /tg/\n", encoding="utf-8")
    shutil.copy(ZJDAILY / ".headers.json", root / ".headers.json")
    links = "".join(f'<li><a href="{link}">{number}</a></li>' for number, (link, _) in cases.items())
    (root / "index.html").write_text(
        f'<html><head><meta charset="utf-8"><title>湛江云媒</title></head><body>'
        f'<ul class="news-list">{links}</ul></body></html>', encoding="utf-8")
    for number, (_, rules) in cases.items():
        shutil.copy(ZJDAILY / "p" / f"{number}.html", root / "p" / f"{number}.html")
        if rules:
            (root / "p" / f"{number}.html.headers.json").write_text(json.dumps(rules), encoding="utf-8")
    (root / "p" / "2953140.refresh.html").write_bytes(REFRESH)
    return root


FAST = ("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=1")
