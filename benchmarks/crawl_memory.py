"""Crawl memory: peak RSS of the real zjdaily crawl after 1,000 and after 10,000 article pages.

Generates one zjdaily portal of the largest size (see ``_portal.py``; pages are written once, so
10,000 articles take seconds), then for each size runs the real ``zjdaily`` crawl with every
pipeline, ``max_articles=<size>``, in its own child process (Twisted's reactor cannot restart),
with the throughput settings of ``crawl_throughput.py`` (no delays) and records written to a
temporary JSON Lines file. The child reports its peak RSS (``getrusage`` ``ru_maxrss``) and samples
its RSS every ``--interval`` seconds, so growth within one crawl shows too.

The baseline is the smallest size: the figure is peak RSS at each size over peak RSS at the
smallest. Target: flat in the number of pages, within +20%. ``--with-bare`` also measures the bare
spider (no extraction, no items) at each size, to tell Scrapy's own growth from ours.

    .venv/bin/python benchmarks/crawl_memory.py [--sizes 1000,10000] [--with-bare]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _portal

TARGET = 1.20
MIB = 1024 * 1024


def _curve(samples: list[list[int]], points: int = 6) -> str:
    if not samples:
        return "-"
    step = max(1, len(samples) // points)
    chosen = samples[::step]
    if chosen[-1] != samples[-1]:
        chosen.append(samples[-1])
    return ", ".join(f"{pages}p:{rss / MIB:.0f}" for pages, rss in chosen)


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
    with tempfile.TemporaryDirectory(prefix="newscrawler-bench-") as tmp:
        root = Path(tmp) / "portal"
        portal = _portal.generate(root, sizes[-1])
        print(f"portal: {portal.articles} articles, {portal.listing_pages} listing pages in {root}")
        peaks: dict[str, dict[int, int]] = {kind: {} for kind in kinds}
        for size in sizes:
            for kind in kinds:
                extra = dict(settings)
                if kind == "real":
                    extra["NEWSCRAWLER_OUTPUT"] = str(Path(tmp) / f"records-{size}.jsonl")
                else:
                    # The bare spider has no article budget: stop it after as many pages.
                    extra["CLOSESPIDER_PAGECOUNT"] = size + size // _portal.PER_LISTING + 5
                report = _portal.run_child(
                    kind, root, extra, max_articles=size, sample_interval=args.interval
                )
                peaks[kind][size] = report["maxrss"]
                print(
                    f"  {kind:<4} {size:>6} articles: {report['pages']} pages in {report['elapsed']:.1f}s,"
                    f" peak RSS {report['maxrss'] / MIB:.1f} MiB"
                    + (f", {report['records']} records" if kind == "real" else "")
                )
                print(f"       RSS MiB by pages fetched: {_curve(report['samples'])}")

    base = sizes[0]
    for kind in kinds:
        label = "zjdaily crawl" if kind == "real" else "bare spider"
        for size in sizes[1:]:
            ratio = peaks[kind][size] / peaks[kind][base]
            line = (
                f"{label}: peak RSS {peaks[kind][size] / MIB:.1f} MiB at {size} articles vs"
                f" {peaks[kind][base] / MIB:.1f} MiB at {base} (baseline): x{ratio:.2f} ({(ratio - 1) * 100:+.0f}%)"
            )
            if kind == "real":
                line += f"; target <= +{(TARGET - 1) * 100:.0f}%: {'met' if ratio <= TARGET else 'MISSED'}"
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
