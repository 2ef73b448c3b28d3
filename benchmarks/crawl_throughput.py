"""Crawl throughput: the real zjdaily crawl against a bare Scrapy spider over the same pages.

Generates a zjdaily portal (home page, paginated listings, ``--articles`` article pages; see
``_portal.py``) in a temporary directory, then runs, each in its own child process (Twisted's
reactor cannot restart) and through the same replay download handler:

- the baseline: a bare spider that follows the same URL rules from the same start pages and
  fetches the same pages, but parses nothing beyond hrefs, yields no items and has no pipelines;
- the real ``zjdaily`` crawl: the portal spider and every pipeline, pages and records written
  to a temporary archive and records to a temporary JSON Lines file, as ``newscrawler crawl``
  writes them (``--job-dir``: resumable too, as ``newscrawler crawl`` runs by default;
  ``--no-archive``: no archive).

Both write WARC files (the capture middleware is part of the download path), each run into a
fresh temporary directory.

Both get the same overrides (robots.txt without ``Crawl-delay``, ``AUTOTHROTTLE_ENABLED=False``,
``DOWNLOAD_DELAY=0``, the same ``CONCURRENT_REQUESTS``/``_PER_DOMAIN``) so that the figure is
throughput, not politeness. pages/s = responses received / the crawl's ``elapsed_time_seconds``
(engine start to close; interpreter start-up excluded). CPU ms/page = the crawl process's CPU
time from spider opened to spider closed (the in-process replay server included, as in every
offline crawl) / responses; the reactor thread's own share is shown below it, and the CPU time of
the crawl's worker process (``NEWSCRAWLER_WORKER``, ``newscrawler.worker``) beside it. ``--repeat``
alternates the two runs and reports the medians.

Then (``--cpu-bound N``, default 64) both crawls run again with N concurrent requests, per
domain too: enough that neither waits for a response, so both keep their reactor thread busy
and the pages/s ratio is one of CPU time per page. The real crawl's worker process
(``newscrawler.worker``) reads, archives and writes WARC records of pages on the second core;
the bare spider's worker writes its WARC records (CPU use: both processes together). Target:
the real crawl at >= 70% of the bare spider's rate, in both phases. ``--profile N`` then runs
one more real crawl under cProfile and prints its top N functions (the crawl's thread only).

    .venv/bin/python benchmarks/crawl_throughput.py [--articles 1500] [--repeat 3]

1,500 articles by default (300 until 2026-12): a crawl of 300 lasts about a second and a half,
so its start (the worker idle until the first listings are read) and its end (the last pages
waiting for their archive batch) weighed on the real crawl's rate far more than on the bare
spider's; 1,500 measure the rate the crawl keeps up.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _portal

TARGET = 0.70
# Article pages generated: enough that the crawl's start and end do not decide its rate.
ARTICLES = 1500


def _run_settings(settings: dict[str, Any], run_dir: Path, kind: str, args: Any) -> dict[str, Any]:
    """Settings of one run: its own fresh WARC directory (the WARC writer reads every index in
    its directory when it opens, so a shared one would grow with every run) and, for the real
    crawl, its own archive and JSON Lines file, as ``newscrawler crawl`` writes them."""
    extra = dict(settings, NEWSCRAWLER_WARC_DIR=str(run_dir / "warc"))
    if kind == "real":
        extra["NEWSCRAWLER_OUTPUT"] = str(run_dir / "records.jsonl")
        if not args.no_archive:
            extra["NEWSCRAWLER_ARCHIVE"] = str(run_dir / "archive.sqlite")
        if args.job_dir:
            extra["JOBDIR"] = str(run_dir / "job")
    return extra


def _measure(
    settings: dict[str, Any], run_root: Path, portal: _portal.Portal, args: Any
) -> dict[str, dict[str, list[float]]]:
    """Alternate the bare and the real crawl ``--repeat`` times; each run's figures by crawl."""
    runs: dict[str, dict[str, list[float]]] = {
        kind: {"rate": [], "cpu_ms": [], "thread_ms": [], "worker_ms": [], "cores": []}
        for kind in ("bare", "real")
    }
    for run in range(args.repeat):
        for kind in ("bare", "real"):
            extra = _run_settings(settings, run_root / f"{kind}-{run}", kind, args)
            report = _portal.run_child(kind, portal.root, extra)
            pages, elapsed = report["pages"], report["elapsed"]
            figures = runs[kind]
            figures["rate"].append(pages / elapsed)
            figures["cpu_ms"].append(1000 * report["cpu"] / pages)
            figures["thread_ms"].append(1000 * report["thread_cpu"] / pages)
            figures["worker_ms"].append(1000 * report.get("worker_cpu", 0.0) / pages)
            figures["cores"].append((report["cpu"] + report.get("worker_cpu", 0.0)) / elapsed)
            detail = f", {report['records']} records" if kind == "real" else ""
            print(
                f"  run {run + 1} {kind:<4}: {pages} pages in {elapsed:.2f}s"
                f" = {pages / elapsed:6.1f} pages/s, CPU {figures['cpu_ms'][-1]:.2f} ms/page"
                f" (+ worker process {figures['worker_ms'][-1]:.2f}){detail}"
            )
            fed = _fed(report.get("worker_figures", {}), elapsed)
            if fed:
                print(f"    worker: {fed}")
            if pages != portal.expected_pages:
                print(f"    (expected {portal.expected_pages} pages)")
            if kind == "real" and report["records"] != portal.articles:
                print(f"    (expected {portal.articles} records; errors: {report['errors']})")
    return runs


def _fed(figures: dict[str, Any], elapsed: float) -> str:
    """How the crawl and its worker process fed each other: the share of the crawl the worker
    had nothing to do, the calls a message carried each way, and how long the calls a page
    waits on took from call to answer (mean)."""
    if not figures.get("messages"):
        return ""
    waits = ", ".join(
        f"{name} {figures[f'wait_ms/{name}']:.1f}"
        for name in ("warc_exchange", "extract", "archive_add")
        if f"wait_ms/{name}" in figures
    )
    return (
        f"idle {figures.get('idle_seconds', 0.0) / elapsed:.0%} of the crawl,"
        f" {figures['calls'] / figures['messages']:.1f} calls a message,"
        f" {figures['calls'] / max(1, figures.get('answer_messages', 1)):.1f} answers a message;"
        f" ms from call to answer: {waits}"
    )


def _row(
    name: str, runs: dict[str, dict[str, list[float]]], key: str, higher_is_better: bool | None
) -> None:
    """One line of the summary: both medians and zjdaily's standing against the bare spider,
    as a rate ratio (CPU time per page is inverted: bare/zjdaily, so 0.70 means the same in
    every row). CPU use has no ratio: it says whether a crawl was CPU-bound (about 1 core)."""
    bare, real = statistics.median(runs["bare"][key]), statistics.median(runs["real"][key])
    ratio = (
        ""
        if higher_is_better is None
        else f"{(real / bare if higher_is_better else bare / real):6.2f}"
    )
    print(f"{name:<52} {bare:8.2f} {real:8.2f} {ratio:>6}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--articles", type=int, default=ARTICLES,
        help="article pages generated (default: %(default)s)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each crawl, alternating (default: %(default)s)",
    )
    _portal.add_concurrency_options(parser)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="another setting for both crawls (a JSON value or a string), e.g. --set CONCURRENT_ITEMS=8",
    )
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        help="then profile one real crawl (cProfile, top N functions)",
    )
    parser.add_argument(
        "--cpu-bound",
        type=int,
        default=64,
        metavar="N",
        help="then both crawls again with N concurrent requests (per domain too), enough that"
        " both are CPU-bound; 0: skip (default: %(default)s)",
    )
    parser.add_argument(
        "--job-dir",
        action="store_true",
        help="give the real crawl a JOBDIR too (resumable, as `newscrawler crawl` runs by default)",
    )
    parser.add_argument(
        "--no-archive",
        action="store_true",
        help="the real crawl without its archive (JSON Lines and WARC only)",
    )
    parser.add_argument(
        "--keep", type=Path, help="generate the portal here and keep it (default: a temp dir)"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="newscrawler-bench-") as tmp:
        root = args.keep or Path(tmp) / "portal"
        portal = _portal.generate(root, args.articles)
        print(
            f"portal: {portal.articles} articles, {portal.listing_pages} listing pages,"
            f" {portal.expected_pages} pages to fetch (incl. robots.txt on www. and m.) in {root}"
        )
        settings = _portal.throughput_settings(args.concurrency, args.per_domain)
        settings.update(_portal.parse_overrides(args.set))
        print(
            f"settings (both crawls): CONCURRENT_REQUESTS={args.concurrency}"
            f" CONCURRENT_REQUESTS_PER_DOMAIN={args.per_domain} DOWNLOAD_DELAY=0"
            " AUTOTHROTTLE_ENABLED=False, robots.txt without Crawl-delay"
            + "".join(f" {item}" for item in args.set)
        )
        phases = [("as configured", settings)]
        if args.cpu_bound:
            # Enough requests in flight that neither crawl ever waits for the network: both run
            # their one Python thread flat out, so the ratio is one of CPU time per page.
            busy = dict(settings)
            busy.update(
                CONCURRENT_REQUESTS=args.cpu_bound, CONCURRENT_REQUESTS_PER_DOMAIN=args.cpu_bound
            )
            phases.append((f"CPU-bound ({args.cpu_bound} concurrent)", busy))
        results = {}
        for number, (label, phase_settings) in enumerate(phases):
            print(f"{label}:")
            results[label] = _measure(phase_settings, Path(tmp) / f"phase-{number}", portal, args)
        if args.profile:
            extra = _run_settings(settings, Path(tmp) / "profiled", "real", args)
            profiled = _portal.run_child("real", root, extra, profile=args.profile)

    print(f"\nmedians of {args.repeat} runs each; baseline: the bare spider")
    print(f"{'':<52} {'bare':>8} {'zjdaily':>8} {'ratio':>6}")
    for label, runs in results.items():
        _row(f"pages/s, {label}", runs, "rate", higher_is_better=True)
        _row(f"CPU ms/page, {label}", runs, "cpu_ms", higher_is_better=False)
        _row(f"  reactor thread ms/page, {label}", runs, "thread_ms", higher_is_better=False)
        _row(f"  worker process ms/page, {label}", runs, "worker_ms", higher_is_better=None)
        _row(f"  CPU use (cores, worker included), {label}", runs, "cores", higher_is_better=None)
    for label, runs in results.items():
        ratio = statistics.median(runs["real"]["rate"]) / statistics.median(runs["bare"]["rate"])
        verdict = "met" if ratio >= TARGET else "MISSED"
        print(f"zjdaily/bare pages/s, {label}: {ratio:.2f}; target >= {TARGET:.2f}: {verdict}")
    if args.profile:
        print("\nprofile of one real crawl (main thread; the replay server's thread is not in it):")
        print(profiled["profile"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
