"""Crawl memory: how the real zjdaily crawl's RSS grows with the number of pages, and whose it is.

Generates one zjdaily portal of the largest size (see ``_portal.py``; pages are written once, so
10,000 articles take seconds), then for each size runs the real ``zjdaily`` crawl with every
pipeline, ``max_articles=<size>``, in its own child process (Twisted's reactor cannot restart),
with the throughput settings of ``crawl_throughput.py`` (no delays). Like ``newscrawler crawl``,
it writes a fresh SQLite archive, WARC files and a JSON Lines file, all in a temporary directory.
A crawl is two processes: the crawl's (Scrapy, the spider) and its worker (``newscrawler.worker``:
extraction, the archive's SQLite connection and page cache, the WARC writer). The child reports
the peak RSS of each (``getrusage`` ``ru_maxrss``, its own and its joined children's) and samples
the RSS of both every ``--interval`` seconds; every figure below is of the two together unless
it names one.

Figures:

- **Peak RSS** at each size against the smallest (the baseline).
- **Slope**: MiB of RSS per 1,000 pages fetched, a least-squares line through the samples of the
  second half of the largest crawl, when the archive's page cache (``NEWSCRAWLER_ARCHIVE_CACHE_MB``,
  filled within the first few thousand pages) and Python's heap have warmed up. ``--with-bare`` also
  crawls with the bare spider (same download path, no extraction, no items, no archive, no WARC
  files): its slope is Scrapy's own, and the difference is ours.
- ``--trace``: one more crawl of the largest size under ``tracemalloc``, with snapshots after a
  quarter of the pages and at the end, in both processes (the worker, forked from the traced
  crawl, traces too and dumps its snapshot when asked by ``SIGUSR1``); prints for each process the
  Python allocation sites that grew most between the two, each attributed to the first frame in
  newscrawler's code, Scrapy, Twisted or another package, and the growth by owner per 1,000
  pages. SQLite's own memory (its page cache) is not Python's and does not show there. Slower
  (tracemalloc roughly doubles the crawl's CPU time).

Target: flat, which the verdict reads as our slope (the real crawl's minus the bare spider's, or
the real crawl's when there is no bare run; each of the crawl's process and its worker together)
at most ``TARGET_SLOPE`` MiB per 1,000 pages.

    .venv/bin/python benchmarks/crawl_memory.py [--sizes 1000,10000] [--with-bare] [--trace]
"""

from __future__ import annotations

import argparse
import sys
import sysconfig
import tempfile
import tracemalloc
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _portal

# MiB per 1,000 pages: about 1 kB a page, what a crawl that keeps nothing per page still keeps in
# Scrapy's own duplicate filter and an idle Python heap's noise.
TARGET_SLOPE = 1.0
MIB = 1024 * 1024
_STDLIB = (sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"])


def _total(sample: list[int]) -> int:
    """A sample's RSS: the crawl's process and its workers' (older reports: the crawl's alone)."""
    return sum(sample[1:])


def _curve(samples: list[list[int]], points: int = 6) -> str:
    if not samples:
        return "-"
    step = max(1, len(samples) // points)
    chosen = samples[::step]
    if chosen[-1] != samples[-1]:
        chosen.append(samples[-1])
    return ", ".join(
        f"{s[0]}p:{_total(s) / MIB:.0f}" + (f" ({s[1] / MIB:.0f}+{s[2] / MIB:.0f})" if len(s) > 2 else "")
        for s in chosen
    )


def slope(samples: list[list[int]], column: int | None = None) -> float | None:
    """MiB per 1,000 pages over the second half of the crawl (least squares); None if too short.

    ``column``: 1 for the crawl's process alone, 2 for its workers; None for both together.
    """
    if not samples:
        return None
    last = samples[-1][0]
    points = [(s[0], _total(s) if column is None else s[column]) for s in samples
              if s[0] >= last / 2 and (column is None or len(s) > column)]
    if len(points) < 3 or points[-1][0] == points[0][0]:
        return None
    mean_x = sum(p for p, _ in points) / len(points)
    mean_y = sum(r for _, r in points) / len(points)
    cov = sum((p - mean_x) * (r - mean_y) for p, r in points)
    var = sum((p - mean_x) ** 2 for p, _ in points)
    return cov / var * 1000 / MIB


def owner(traceback: tracemalloc.Traceback) -> tuple[str, str]:
    """(owner, frame) of an allocation: the innermost frame outside the standard library."""
    frames = list(traceback)  # oldest first
    for frame in reversed(frames):
        name = frame.filename
        if name.startswith(str(_portal.REPO)) and "/site-packages/" not in name:
            where = Path(name).relative_to(_portal.REPO)
            if where.parts[0] in ("newscrawler", "archive"):
                return "ours", f"{where}:{frame.lineno}"
            return "benchmark", f"{where}:{frame.lineno}"
        if "/site-packages/" in name:
            package = name.split("/site-packages/", 1)[1].split("/", 1)[0]
            return package, f"{name.split('/site-packages/', 1)[1]}:{frame.lineno}"
        if not name.startswith(_STDLIB) and not name.startswith("<"):
            return "other", f"{name}:{frame.lineno}"
    last = frames[-1] if frames else None
    return "stdlib", f"{last.filename}:{last.lineno}" if last else "?"


def trace_report(
    snapshots: list[list[Any]], top: int = 15, process: str = "crawl"
) -> dict[str, float]:
    """Print the sites that grew most between the first and last snapshot; MiB/1,000 pages by owner."""
    (first_pages, first_path), (last_pages, last_path) = snapshots[0], snapshots[-1]
    first = tracemalloc.Snapshot.load(first_path)
    last = tracemalloc.Snapshot.load(last_path)
    pages = max(1, last_pages - first_pages)
    sites: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for stat in last.compare_to(first, "traceback"):
        site = sites[owner(stat.traceback)]
        site[0] += stat.size_diff
        site[1] += stat.count_diff
    total_first = sum(s.size for s in first.statistics("filename"))
    total_last = sum(s.size for s in last.statistics("filename"))
    print(f"\ntracemalloc, the {process}'s process: Python heap {total_first / MIB:.1f} MiB at"
          f" {first_pages} pages, {total_last / MIB:.1f} MiB at {last_pages} pages"
          f" ({(total_last - total_first) / MIB * 1000 / pages:+.2f} MiB per 1,000 pages)")
    print(f"  sites that grew most ({first_pages} to {last_pages} pages), KiB per 1,000 pages:")
    for (who, where), (size, count) in sorted(sites.items(), key=lambda i: -i[1][0])[:top]:
        print(f"    {size / 1024:+10.0f} KiB {count:+8d} blocks {size / 1024 * 1000 / pages:+8.1f}"
              f"  {who:<10} {where}")
    by_owner: dict[str, float] = defaultdict(float)
    for (who, _), (size, _) in sites.items():
        by_owner[who] += size / MIB * 1000 / pages
    print("  growth by owner, MiB per 1,000 pages: " + ", ".join(
        f"{who} {mib:+.2f}" for who, mib in sorted(by_owner.items(), key=lambda i: -i[1])
        if abs(mib) >= 0.01))
    return by_owner


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="1000,10000",
        help="article counts, comma-separated (default: %(default)s)",
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=1.0,
        help="RSS sampling interval in seconds (default: %(default)s)",
    )
    _portal.add_concurrency_options(parser)
    parser.add_argument(
        "--with-bare", action="store_true", help="also measure the bare spider at each size"
    )
    parser.add_argument(
        "--trace", action="store_true",
        help="one more crawl of the largest size under tracemalloc: top allocation sites",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="another setting for every crawl (a JSON value or a string)",
    )
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if not sizes:
        parser.error("--sizes names no size")

    settings = _portal.throughput_settings(args.concurrency, args.per_domain)
    settings.update(_portal.parse_overrides(args.set))
    kinds = ("real", "bare") if args.with_bare else ("real",)
    slopes: dict[str, float | None] = {}
    by_owner: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="newscrawler-bench-") as tmp:
        root = Path(tmp) / "portal"
        portal = _portal.generate(root, sizes[-1])
        print(f"portal: {portal.articles} articles, {portal.listing_pages} listing pages in {root}")
        peaks: dict[str, dict[int, int]] = {kind: {} for kind in kinds}

        def crawl(kind: str, size: int, label: str, **options: Any) -> dict[str, Any]:
            extra = dict(settings)
            if kind == "real":
                run_dir = Path(tempfile.mkdtemp(prefix=f"run-{label}-{size}-", dir=tmp))
                extra.setdefault("NEWSCRAWLER_ARCHIVE", str(run_dir / "archive.sqlite"))
                extra.setdefault("NEWSCRAWLER_WARC_DIR", str(run_dir / "warc"))
                extra["NEWSCRAWLER_OUTPUT"] = str(run_dir / "records.jsonl")
                options["trace_dir"] = str(run_dir)
            else:
                # The bare spider has no article budget: stop it after as many pages.
                extra["CLOSESPIDER_PAGECOUNT"] = size + size // _portal.PER_LISTING + 5
                # The WARC writer is ours, not Scrapy's (and with no directory of its own, the
                # bare crawl would write into the working copy's data/warc/).
                extra["NEWSCRAWLER_WARC_ENABLED"] = False
            report = _portal.run_child(
                kind, root, extra, max_articles=size, sample_interval=args.interval, **options
            )
            worker_peak = report.get("worker_maxrss", 0)
            print(
                f"  {label:<5} {size:>6} articles: {report['pages']} pages in {report['elapsed']:.1f}s,"
                f" peak RSS {report['maxrss'] / MIB:.1f} MiB crawl + {worker_peak / MIB:.1f} worker"
                + (f", {report['records']} records" if kind == "real" else "")
            )
            print(f"        RSS MiB by pages fetched (crawl+worker): {_curve(report['samples'])}")
            parts = [slope(report["samples"], column) for column in (1, 2)]
            if None not in parts:
                print(f"        slope, second half: crawl {parts[0]:+.2f}, worker {parts[1]:+.2f}"
                      " MiB per 1,000 pages")
            return report

        for size in sizes:
            for kind in kinds:
                report = crawl(kind, size, kind)
                # Both processes' peaks together (an upper bound on their peak together).
                peaks[kind][size] = report["maxrss"] + report.get("worker_maxrss", 0)
                if size == sizes[-1]:
                    slopes[kind] = slope(report["samples"])
        if args.trace:
            pages = sizes[-1] + sizes[-1] // _portal.PER_LISTING
            report = crawl("real", sizes[-1], "trace", trace_at=[pages // 4])
            by_owner = trace_report(report["snapshots"])
            if len(report.get("worker_snapshots", [])) >= 2:
                worker_owner = trace_report(report["worker_snapshots"], process="worker")
                for who, mib in worker_owner.items():
                    by_owner[who] = by_owner.get(who, 0.0) + mib
            else:
                print("tracemalloc: no snapshots from the worker process")

    base = sizes[0]
    for kind in kinds:
        label = "zjdaily crawl" if kind == "real" else "bare spider"
        for size in sizes[1:]:
            ratio = peaks[kind][size] / peaks[kind][base]
            print(
                f"{label}: peak RSS (crawl + worker) {peaks[kind][size] / MIB:.1f} MiB at {size} articles vs"
                f" {peaks[kind][base] / MIB:.1f} MiB at {base} (baseline): x{ratio:.2f}"
                f" ({(ratio - 1) * 100:+.0f}%)"
            )
    real, bare = slopes.get("real"), slopes.get("bare")
    if real is None:
        print("slope: too few RSS samples in the second half of the crawl (lower --interval)")
        return 0
    line = (f"slope (crawl + worker) over the second half of the {sizes[-1]}-article crawl:"
            f" real {real:+.2f} MiB")
    ours = real
    if bare is not None:
        ours = real - bare
        line += f", bare spider (Scrapy's own) {bare:+.2f}, ours {ours:+.2f}"
    line += " per 1,000 pages"
    if by_owner:
        line += f" (tracemalloc, Python heaps of both processes: ours {by_owner.get('ours', 0.0):+.2f}," \
                f" scrapy {by_owner.get('scrapy', 0.0):+.2f}, twisted {by_owner.get('twisted', 0.0):+.2f})"
    print(line)
    print(f"target: ours <= {TARGET_SLOPE:.1f} MiB per 1,000 pages:"
          f" {'met' if ours <= TARGET_SLOPE else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
