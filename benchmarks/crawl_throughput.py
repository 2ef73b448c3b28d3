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
(engine start to close; interpreter start-up excluded). ``--repeat`` alternates the two runs and
reports the median. Target: the real crawl at >= 70% of the bare spider's rate. ``--profile N``
then runs one more real crawl under cProfile and prints its top N functions.

    .venv/bin/python benchmarks/crawl_throughput.py [--articles 300] [--repeat 3]
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--articles", type=int, default=300, help="article pages generated (default: %(default)s)"
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
        rates: dict[str, list[float]] = {"bare": [], "real": []}
        for run in range(args.repeat):
            for kind in ("bare", "real"):
                extra = _run_settings(settings, Path(tmp) / f"{kind}-{run}", kind, args)
                report = _portal.run_child(kind, root, extra)
                rate = report["pages"] / report["elapsed"]
                rates[kind].append(rate)
                detail = f", {report['records']} records" if kind == "real" else ""
                print(
                    f"  run {run + 1} {kind:<4}: {report['pages']} pages in {report['elapsed']:.2f}s"
                    f" = {rate:6.1f} pages/s{detail}"
                )
                if report["pages"] != portal.expected_pages:
                    print(f"    (expected {portal.expected_pages} pages)")
                if kind == "real" and report["records"] != portal.articles:
                    print(f"    (expected {portal.articles} records; errors: {report['errors']})")
        if args.profile:
            extra = _run_settings(settings, Path(tmp) / "profiled", "real", args)
            profiled = _portal.run_child("real", root, extra, profile=args.profile)

    bare, real = statistics.median(rates["bare"]), statistics.median(rates["real"])
    ratio = real / bare
    print(f"bare spider (baseline): {bare:.1f} pages/s (median of {args.repeat})")
    print(f"zjdaily crawl:          {real:.1f} pages/s (median of {args.repeat})")
    print(
        f"zjdaily/bare: {ratio:.2f}; target >= {TARGET:.2f}: {'met' if ratio >= TARGET else 'MISSED'}"
    )
    if args.profile:
        print("\nprofile of one real crawl (main thread; the replay server's thread is not in it):")
        print(profiled["profile"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
