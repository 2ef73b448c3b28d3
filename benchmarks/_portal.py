"""Synthetic zjdaily portals for the crawl benchmarks, and crawls of them in child processes.

``generate(root, articles)`` writes a fixture tree that ``NEWSCRAWLER_REPLAY_DIR`` can serve and
that the real ``zjdaily`` profile follows: ``robots.txt`` (no ``Crawl-delay``: the benchmarks
measure throughput, not politeness), the home page ``/``, two channels ``/zjxw/`` and ``/xsq/``
with paginated listings (``index.html``, ``index_2.html`` …; items are
``<ul class="news-list"><li><a href=…>…</a><span class="date">…</span></li>``) and the article
pages ``/p/<id>.html``. Articles are made from the seed fixture
``fixtures/zjdaily/p/2953118.html``: id, headline, time, bylines and body paragraphs vary per
article (paragraphs are drawn from the seed's own sentences), the rest of the page is the seed's.
Every tenth listing link points at the mobile twin ``m.gdzjdaily.com.cn``. Pages are written
once; 10,000 articles take a few seconds and about 120 MB.

``run_child(...)`` runs one crawl in a fresh interpreter (Twisted's reactor cannot be restarted in
a process) and returns what the child measured: pages fetched, elapsed crawl time, CPU time of
the crawl (process and reactor thread), peak RSS (of the crawl's process and of its worker).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "fixtures" / "zjdaily" / "p" / "2953118.html"
SEED_ID = "2953118"
WWW = "https://www.gdzjdaily.com.cn"
MOBILE = "https://m.gdzjdaily.com.cn"
CHANNELS = (("zjxw", "湛江新聞"), ("xsq", "縣市區"))
FIRST_ID = 3_000_000
PER_LISTING = 20

ROBOTS = "User-agent: *\nDisallow: /user/\nDisallow: /search/\n"

_H1 = re.compile(r'(<h1 class="article-title">)(.*?)(</h1>)', re.DOTALL)
_TITLE = re.compile(r"(<title>)(.*?)( - 湛江云媒</title>)", re.DOTALL)
_TIME = re.compile(r'(<span class="time">)(.*?)(</span>)', re.DOTALL)
_AUTHOR = re.compile(r'(<span class="author">)(.*?)(</span>)', re.DOTALL)
_EDITOR = re.compile(r'(<div class="article-editor">)(.*?)(</div>)', re.DOTALL)
_CONTENT = re.compile(r'(<div class="article-content" id="content">)(.*?)(</div>)', re.DOTALL)
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)

_SURNAMES = "陳李黃林吳張梁劉何鄭周許楊蔡謝"
_GIVEN = (
    "荔雅",
    "文靜",
    "志強",
    "曉東",
    "海燕",
    "建華",
    "嘉欣",
    "永康",
    "麗華",
    "國平",
    "思遠",
    "明輝",
)
_PLACES = ("徐聞", "雷州", "廉江", "吳川", "遂溪", "麻章", "坡頭", "霞山", "赤坎", "東海島")
_TOPICS = (
    "推進文明城市創建",
    "召開經濟工作會議",
    "開展禁毒宣傳活動",
    "舉辦紅樹林文化節",
    "加快港口建設",
    "部署防汛防風工作",
    "推動鄉村振興",
    "開展安全生產檢查",
    "舉辦青少年書畫展",
    "優化營商環境",
)


@dataclass(frozen=True)
class Portal:
    root: Path
    articles: int
    listing_pages: int
    # Pages the real crawl fetches: robots.txt (www and m.), home, listings, articles.
    expected_pages: int


def _seed() -> tuple[str, list[str]]:
    template = SEED.read_text(encoding="utf-8")
    if not _CONTENT.search(template) or not _H1.search(template):
        raise RuntimeError(f"{SEED} no longer has the markup the generator rewrites")
    body = _CONTENT.search(template).group(2)  # type: ignore[union-attr]
    sentences = [s + "。" for p in _PARAGRAPH.findall(body) for s in p.split("。") if s.strip()]
    return template, sentences


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)


def _article(
    template: str, sentences: list[str], article_id: int, when: datetime
) -> tuple[str, str]:
    rng = random.Random(article_id)
    headline = f"{rng.choice(_PLACES)}{rng.choice(_TOPICS)}(第{article_id - FIRST_ID}期)"
    paragraphs = []
    for _ in range(rng.randint(3, 8)):
        paragraphs.append("".join(rng.sample(sentences, k=min(len(sentences), rng.randint(1, 4)))))
    content = "\n" + "\n".join(f"<p>{p}</p>" for p in paragraphs) + "\n      "
    page = template.replace(SEED_ID, str(article_id))
    page = _TITLE.sub(lambda m: m.group(1) + headline + m.group(3), page, count=1)
    page = _H1.sub(lambda m: m.group(1) + headline + m.group(3), page, count=1)
    page = _TIME.sub(
        lambda m: m.group(1) + when.strftime("%Y-%m-%d %H:%M") + m.group(3), page, count=1
    )
    page = _AUTHOR.sub(
        lambda m: f"{m.group(1)}作者:記者{_name(rng)} 通訊員{_name(rng)}{m.group(3)}", page, count=1
    )
    page = _EDITOR.sub(lambda m: f"{m.group(1)}編輯:{_name(rng)}{m.group(3)}", page, count=1)
    page = _CONTENT.sub(lambda m: m.group(1) + content + m.group(3), page, count=1)
    return page, headline


def _shell(title: str, body: str) -> str:
    nav = "".join(f'<li><a href="{WWW}/{slug}/">{name}</a></li>' for slug, name in CHANNELS)
    return (
        '<!DOCTYPE html>\n<html lang="zh-Hant">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title} - 湛江云媒</title>\n</head>\n<body>\n"
        f'<div class="nav"><ul class="wrap"><li><a href="{WWW}/">首頁</a></li>{nav}</ul></div>\n'
        f'<div class="main wrap">\n{body}\n</div>\n'
        '<div class="footer"><p>湛江日報社主辦 版權所有</p></div>\n</body>\n</html>\n'
    )


def _items(entries: list[tuple[int, str, datetime]]) -> str:
    lines = []
    for article_id, headline, when in entries:
        host = MOBILE if article_id % 10 == 0 else WWW
        lines.append(
            f'  <li><a href="{host}/p/{article_id}.html" target="_blank">{headline}</a>'
            f'<span class="date">{when:%Y-%m-%d %H:%M}</span></li>'
        )
    return '<ul class="news-list">\n' + "\n".join(lines) + "\n</ul>"


def _listing_url(slug: str, number: int) -> str:
    return f"{WWW}/{slug}/" if number == 1 else f"{WWW}/{slug}/index_{number}.html"


def generate(root: str | Path, articles: int = 300, seed_time: datetime | None = None) -> Portal:
    """Write a portal of ``articles`` article pages under ``root`` (created if missing)."""
    root = Path(root)
    (root / "p").mkdir(parents=True, exist_ok=True)
    template, sentences = _seed()
    newest = seed_time or datetime(2024, 6, 30, 18, 0)
    by_channel: dict[str, list[tuple[int, str, datetime]]] = {slug: [] for slug, _ in CHANNELS}
    for index in range(articles):
        article_id = FIRST_ID + articles - index  # newest first, as listings show them
        when = newest - timedelta(minutes=17 * index)
        page, headline = _article(template, sentences, article_id, when)
        (root / "p" / f"{article_id}.html").write_text(page, encoding="utf-8")
        by_channel[CHANNELS[index % len(CHANNELS)][0]].append((article_id, headline, when))

    (root / "robots.txt").write_text(ROBOTS, encoding="utf-8")
    listing_pages = 0
    latest: list[tuple[int, str, datetime]] = []
    for slug, name in CHANNELS:
        entries = by_channel[slug]
        latest.extend(entries[:5])
        pages = max(1, -(-len(entries) // PER_LISTING))
        (root / slug).mkdir(exist_ok=True)
        for number in range(1, pages + 1):
            chunk = entries[(number - 1) * PER_LISTING : number * PER_LISTING]
            pager = []
            if number > 1:
                pager.append(f'<a class="prev" href="{_listing_url(slug, number - 1)}">上一頁</a>')
            if number < pages:
                pager.append(f'<a class="next" href="{_listing_url(slug, number + 1)}">下一頁</a>')
            body = f'<h2>{name}</h2>\n{_items(chunk)}\n<div class="pager">{"".join(pager)}</div>'
            filename = "index.html" if number == 1 else f"index_{number}.html"
            (root / slug / filename).write_text(_shell(name, body), encoding="utf-8")
        listing_pages += pages
    (root / "index.html").write_text(_shell("首頁", _items(latest)), encoding="utf-8")
    # robots.txt on both hosts, the home page, every listing page and every article.
    expected = 2 + 1 + listing_pages + articles
    return Portal(root, articles, listing_pages, expected)


# --- Crawls in a child process ----------------------------------------------------------------


# The same for the bare spider and the real crawl: throughput, not politeness.
def add_concurrency_options(parser: argparse.ArgumentParser) -> None:
    """The download concurrency options every crawl benchmark takes."""
    parser.add_argument(
        "--concurrency", type=int, default=16, help="CONCURRENT_REQUESTS (default: %(default)s)"
    )
    parser.add_argument(
        "--per-domain",
        type=int,
        default=8,
        help="CONCURRENT_REQUESTS_PER_DOMAIN (default: %(default)s)",
    )


def throughput_settings(concurrency: int, per_domain: int) -> dict[str, Any]:
    return {
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "DOWNLOAD_DELAY_JITTER": 0,
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": per_domain,
        "LOG_LEVEL": "WARNING",
        "LOGSTATS_INTERVAL": 0,
    }


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """``NAME=VALUE`` options as settings; VALUE is read as JSON when it parses."""
    overrides: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--set wants NAME=VALUE, got {item!r}")
        try:
            overrides[name] = json.loads(value)
        except json.JSONDecodeError:
            overrides[name] = value
    return overrides


def run_child(kind: str, portal: Path, settings: dict[str, Any], **options: Any) -> dict[str, Any]:
    """Run ``_crawl_child.main`` below in a fresh interpreter; its JSON report is the result."""
    spec = {"kind": kind, "portal": str(portal), "settings": settings, **options}
    proc = subprocess.run(
        [sys.executable, str(Path(__file__)), json.dumps(spec)],
        cwd=REPO,
        check=False,  # a failed crawl is reported below with its stderr
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} crawl failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    report_line = [line for line in proc.stdout.splitlines() if line.startswith("{")][-1]
    report = json.loads(report_line)
    if report["finish_reason"] not in (
        "finished",
        "closespider_pagecount",
        "closespider_itemcount",
    ):
        raise RuntimeError(
            f"{kind} crawl ended with {report['finish_reason']}:\n{proc.stderr[-4000:]}"
        )
    return report


def _child(spec: dict[str, Any]) -> dict[str, Any]:
    import resource
    import time

    import psutil
    import scrapy
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from newscrawler import portals
    from newscrawler.crawl import project_settings

    settings = dict(spec["settings"])
    settings["NEWSCRAWLER_REPLAY_DIR"] = spec["portal"]
    kind = spec["kind"]
    process_info = psutil.Process()
    samples: list[tuple[int, int, int]] = []

    if kind == "bare":
        # Same URL rules, same download path (handler, robots.txt, middlewares); no extraction,
        # no items, no pipelines. Links are found with a regex rather than a parsed tree.
        profile = portals.get("zjdaily")
        href = re.compile(rb'href="([^"]+)"')

        class BareSpider(scrapy.Spider):
            name = "bare"
            allowed_domains = list(profile.hosts)  # noqa: RUF012 - Scrapy's attribute

            async def start(self):  # type: ignore[no-untyped-def]
                for url in profile.start_urls:
                    yield scrapy.Request(url, cb_kwargs={"kind": "listing"})

            def parse(self, response, kind):  # type: ignore[no-untyped-def]
                if kind != "listing":
                    return
                for match in href.finditer(response.body):
                    url = response.urljoin(match.group(1).decode("utf-8"))
                    found = profile.page_kind(url)
                    if found:
                        yield scrapy.Request(url, cb_kwargs={"kind": found})

        settings["ITEM_PIPELINES"] = {}
        # Page accounting would fail a crawl that keeps none of the pages it fetched, which is
        # what the bare spider is for.
        settings["NEWSCRAWLER_ACCOUNTING_ENABLED"] = False
        spider: Any = BareSpider
        args: dict[str, Any] = {}
    else:
        spider = "zjdaily"
        args = {"max_articles": spec.get("max_articles")}
        args = {k: v for k, v in args.items() if v is not None}

    worker_profile = ""
    if spec.get("profile"):
        # The worker process (forked as the crawler is made) profiles itself into this file.
        import tempfile

        from newscrawler.worker import PROFILE_ENV

        handle, worker_profile = tempfile.mkstemp(prefix="newscrawler-worker-", suffix=".prof")
        os.close(handle)
        os.environ[PROFILE_ENV] = worker_profile
    process = CrawlerProcess(project_settings(settings))
    crawler = process.create_crawler(spider)

    # tracemalloc snapshots once the crawl has fetched each of these many pages, and at its end,
    # dumped to files (a snapshot kept in memory would be traced itself).
    trace_at = sorted(int(n) for n in spec.get("trace_at", []))
    snapshots: list[tuple[int, str]] = []
    if trace_at:
        import tracemalloc

        tracemalloc.start(int(spec.get("trace_frames", 8)))

    # The worker process (newscrawler.worker) is forked from this one once tracing runs, so it
    # traces too: asked by SIGUSR1, it dumps its own snapshot to the path in ``request``.
    crawl_pid = os.getpid()
    request = Path(spec.get("trace_dir") or ".") / "worker-snapshot-request"
    worker_snapshots: list[tuple[int, str]] = []

    def dump_when_asked(signum: int, frame: Any) -> None:
        import gc
        import tracemalloc

        if os.getpid() == crawl_pid or not tracemalloc.is_tracing():
            return
        gc.collect()
        target = request.read_text(encoding="utf-8")
        tracemalloc.take_snapshot().dump(target + ".part")
        os.replace(target + ".part", target)

    if trace_at:
        import signal

        signal.signal(signal.SIGUSR1, dump_when_asked)

    def snapshot(pages: int) -> None:
        import gc
        import signal
        import tracemalloc

        gc.collect()
        path = Path(spec["trace_dir"]) / f"snapshot-{pages}.trace"
        tracemalloc.take_snapshot().dump(str(path))
        snapshots.append((pages, str(path)))
        for child in process_info.children():
            target = Path(spec["trace_dir"]) / f"worker-{child.pid}-{pages}.trace"
            request.write_text(str(target), encoding="utf-8")
            os.kill(child.pid, signal.SIGUSR1)
            deadline = time.monotonic() + 120
            while not target.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            if target.exists():
                worker_snapshots.append((pages, str(target)))

    def sample() -> None:
        pages = crawler.stats.get_value("response_received_count", 0) if crawler.stats else 0
        # (pages, this process's RSS, its worker processes' RSS): both grow with a crawl.
        workers = 0
        for child in process_info.children():
            # The worker may end between the listing and the reading.
            with contextlib.suppress(psutil.Error):
                workers += child.memory_info().rss
        samples.append((pages, process_info.memory_info().rss, workers))
        while trace_at and pages >= trace_at[0]:
            trace_at.pop(0)
            snapshot(pages)

    interval = float(spec.get("sample_interval", 0))
    loopers: list[Any] = []
    # CPU seconds of the crawl, spider opened to closed: the whole process (the replay server's
    # threads included, as in every offline crawl) and the reactor's thread alone.
    cpu: dict[str, float] = {}

    def opened(spider: Any) -> None:
        cpu["process"], cpu["thread"] = -time.process_time(), -time.thread_time()
        # Imported once the crawl runs: importing it earlier installs the default reactor.
        from twisted.internet import task

        if interval:
            loopers.append(task.LoopingCall(sample))
            loopers[0].start(interval, now=True)

    def closed(spider: Any, reason: str) -> None:
        cpu["process"] += time.process_time()
        cpu["thread"] += time.thread_time()
        # The crawl's worker process (newscrawler.worker), still running at this point.
        cpu["workers"] = sum(sum(child.cpu_times()[:2]) for child in process_info.children())
        for looper in loopers:
            if looper.running:
                looper.stop()
        sample()
        if "trace_at" in spec:
            snapshot(crawler.stats.get_value("response_received_count", 0) if crawler.stats else 0)

    crawler.signals.connect(opened, signal=signals.spider_opened)
    crawler.signals.connect(closed, signal=signals.spider_closed)
    started = time.perf_counter()
    process.crawl(crawler, **args)
    profiler = None
    if spec.get("profile"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    process.start()
    wall = time.perf_counter() - started
    profile_text = ""
    if profiler is not None:
        import io
        import pstats

        profiler.disable()
        out = io.StringIO()
        stats_view = pstats.Stats(profiler, stream=out).strip_dirs()
        stats_view.sort_stats("cumulative").print_stats(int(spec["profile"]))
        stats_view.sort_stats("tottime").print_stats(int(spec["profile"]))
        if worker_profile and Path(worker_profile).stat().st_size:
            out.write("\nthe worker process (newscrawler.worker):\n")
            worker_view = pstats.Stats(worker_profile, stream=out).strip_dirs()
            worker_view.sort_stats("cumulative").print_stats(int(spec["profile"]))
            worker_view.sort_stats("tottime").print_stats(int(spec["profile"]))
            Path(worker_profile).unlink()
        profile_text = out.getvalue()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return {
        "kind": kind,
        "pages": int(stats.get("response_received_count", 0)),
        "items": int(stats.get("item_scraped_count", 0)),
        "records": int(stats.get("newscrawler/validate/articles", 0)),
        "elapsed": float(stats.get("elapsed_time_seconds", wall)),
        "wall": wall,
        "cpu": cpu.get("process", 0.0),
        "thread_cpu": cpu.get("thread", 0.0),
        "worker_cpu": cpu.get("workers", 0.0),
        "finish_reason": str(stats.get("finish_reason")),
        # How the crawl and its worker process fed each other (newscrawler.worker).
        "worker_figures": {
            k.removeprefix("newscrawler/worker/"): v
            for k, v in stats.items()
            if k.startswith("newscrawler/worker/")
        },
        "errors": {
            k: v for k, v in stats.items() if "error" in k or "invalid" in k or "failure" in k
        },
        # Linux reports ru_maxrss in KiB. Children's: the largest of the worker processes
        # joined by now (the crawl joins its worker as it stops).
        "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "worker_maxrss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
        "samples": samples,
        "snapshots": snapshots,
        "worker_snapshots": worker_snapshots,
        "profile": profile_text,
    }


if __name__ == "__main__":
    # Child entry point used by run_child; not a command line for people.
    print(json.dumps(_child(json.loads(sys.argv[1])), default=str))
