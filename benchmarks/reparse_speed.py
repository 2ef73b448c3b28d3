"""Re-extraction speed: ``newscrawler reparse`` in articles per second.

Generates a zjdaily portal (``_portal.py``), crawls it once into a temporary archive (a child
process, as in the other crawl benchmarks), then re-extracts every article capture in this
process, ``--repeat`` times each, the passes alternating within each round:

- the baseline: ``extract()`` alone over the same stored bodies (read from the archive
  beforehand), no archive reads or writes, in this one process;
- ``unchanged``: today's layout, so every capture compares equal and nothing is written;
- ``changed``: a new layout version (the zjdaily layout patched to version ``N`` without its
  editor line selector), so every article gets a new version (on a fresh copy of the
  archive each time);
- ``from WARC``: as ``unchanged``, with the archive's bodies deleted so every page is read from
  the WARC files (each capture first asks the archive for its body, as re-extraction does, and
  finds none: a query more than ``unchanged`` makes).

Before the passes, body reads alone: every capture's body from the archive
(``Archive.capture_body``) and from its WARC record (``WarcStore.body``), alternating, µs a
capture, and inflating the same WARC records' gzip members already in memory, with libdeflate (the
floor of a WARC read) and with ISA-L; the target is WARC reads at least as fast as archive reads.
Both read the same captures from rows already fetched (``iter_article_captures``, which carries
each capture's WARC file and offset); an archive read makes its own query for the body. One
archive connection and one WARC store serve all rounds. Wall-clock medians, and this process's
CPU time beside them.

Each of the three passes runs with ``--jobs 1`` (one process) and with ``--jobs N`` (default:
one per core). Printed ratios: each pass against ``extract()`` alone, ``jobs N`` against
``jobs 1`` for the same pass, and WARC bodies against archive bodies (``from WARC`` against
``unchanged``) for the same number of jobs; for the ``changed`` pass with ``jobs N``, the CPU time
of the one writing process per capture; and for the ``changed`` pass, the CPU time of all its
processes per capture with each number of jobs, whose ratio is the most ``jobs N`` can gain on
``N`` free cores (work added by splitting it: sending captures and records between processes,
each worker's own archive reads). Figures are printed, never asserted.

On a shared machine the cores are not always there to be had, so each round also measures what
the machine gives: the same pure-Python loop run ``N`` times in one process and once in each of
``N`` processes at a time (``machine``: the second rate against the first). Read ``jobs N``
against ``jobs 1`` beside it.

    .venv/bin/python benchmarks/reparse_speed.py [--articles 1000] [--repeat 3] [--jobs N]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _portal
from deflate import gzip_decompress
from isal import isal_zlib

from archive import Archive
from archive.warc import WarcStore
from newscrawler.extract import extract
from newscrawler.portals.zjdaily import ZjdailyV1
from newscrawler.reparse import default_jobs, reparse


def _spin(n: int = 2_000_000) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def _children_cpu() -> float:
    """CPU seconds of this process's ended children (a pool's workers, once it is closed)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_parallelism(jobs: int) -> float:
    """How much faster ``jobs`` processes do ``jobs`` units of pure-Python work than one does."""
    started = time.perf_counter()
    for _ in range(jobs):
        _spin()
    one = time.perf_counter() - started
    context = (multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods()
               else multiprocessing.get_context("spawn"))
    started = time.perf_counter()
    workers = [context.Process(target=_spin) for _ in range(jobs)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return one / (time.perf_counter() - started)


def _copy(crawl_dir: Path, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(crawl_dir, target)
    return target / "archive.sqlite"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000,
                        help="article pages generated (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=default_jobs(),
                        help="worker processes of the parallel passes (default: cores, %(default)s)")
    args = parser.parse_args(argv)
    jobs_n = f"jobs {args.jobs}"

    with tempfile.TemporaryDirectory(prefix="newscrawler-reparse-bench-") as tmp_name:
        tmp = Path(tmp_name)
        portal = _portal.generate(tmp / "portal", args.articles)
        crawl_dir = tmp / "crawl"
        settings = {**_portal.throughput_settings(16, 8),
                    "NEWSCRAWLER_ARCHIVE": str(crawl_dir / "archive.sqlite"),
                    "NEWSCRAWLER_WARC_DIR": str(crawl_dir / "warc")}
        report = _portal.run_child("real", portal.root, settings)
        print(f"crawled {report['pages']} pages, {report['records']} records")

        with Archive.open(crawl_dir / "archive.sqlite", create=False) as archive:
            captures = list(archive.iter_article_captures())
            pages = [(c["url"], archive.capture_body(c["id"]), c["headers"],
                      datetime.fromisoformat(c["fetched_at"])) for c in captures]
            # Body reads alone, archive against WARC, alternating: a few tens of microseconds a
            # page, too little to tell apart in whole passes on a shared machine. Wall clock and
            # this process's CPU time (steadier while other work shares the machine).
            reads: dict[str, list[float]] = {"archive": [], "WARC": [], "libdeflate": [], "ISA-L": []}
            read_cpu: dict[str, list[float]] = {name: [] for name in reads}
            # The floor of a WARC read: inflating each record's gzip member, already in memory.
            files = {name: (crawl_dir / "warc" / name).read_bytes()
                     for name in {c["warc_filename"] for c in captures}}
            members = [files[c["warc_filename"]][int(c["warc_offset"]):][:64 * 1024]
                       for c in captures]

            def timed(name: str, since: tuple[float, float]) -> None:
                reads[name].append((time.perf_counter() - since[0]) / len(captures))
                read_cpu[name].append((time.process_time() - since[1]) / len(captures))

            # One store for all rounds, as one archive connection serves all the archive's reads:
            # neither side opens its files or fills its caches anew in each round.
            with WarcStore(crawl_dir / "warc") as store:
                for _ in range(max(5, args.repeat)):
                    clocks = time.perf_counter(), time.process_time()
                    for c in captures:
                        archive.capture_body(c["id"])
                    timed("archive", clocks)
                    clocks = time.perf_counter(), time.process_time()
                    for c in captures:
                        store.body(c["warc_filename"], int(c["warc_offset"]))
                    timed("WARC", clocks)
                    clocks = time.perf_counter(), time.process_time()
                    for member in members:
                        gzip_decompress(member, 64 * 1024)
                    timed("libdeflate", clocks)
                    clocks = time.perf_counter(), time.process_time()
                    for member in members:
                        isal_zlib.decompress(member, 31)
                    timed("ISA-L", clocks)
            for name, values in reads.items():
                what = (f"inflating the WARC records alone with {name}" if name in ("libdeflate", "ISA-L")
                        else f"body reads from the {name}")
                print(f"{what}: median {statistics.median(values) * 1e6:.1f} µs"
                      f" a capture (range {min(values) * 1e6:.1f}-{max(values) * 1e6:.1f});"
                      f" CPU time {statistics.median(read_cpu[name]) * 1e6:.1f} µs")
            print("WARC body reads against archive body reads:"
                  f" {statistics.median(reads['archive']) / statistics.median(reads['WARC']):.2f}x"
                  f" (CPU time: {statistics.median(read_cpu['archive']) / statistics.median(read_cpu['WARC']):.2f}x)")
        n = len(pages)
        figures: dict[str, list[float]] = {}
        machine: list[float] = []

        # CPU time of this process (the one writer) per capture, in jobs N passes.
        writer_cpu: dict[str, list[float]] = {}
        # CPU time of every process of a changed pass per capture (this one and its workers).
        total_cpu: dict[str, list[float]] = {}

        def record(name: str, count: int, seconds: float, note: str = "", cpu: float | None = None) -> None:
            figures.setdefault(name, []).append(count / seconds)
            if cpu is not None:
                writer_cpu.setdefault(name, []).append(cpu / count)
                note += f" (writing process: {cpu / count * 1e3:.2f} ms CPU a capture)"
            print(f"  {name:22} {count} captures in {seconds:.2f} s = {count / seconds:.0f}/s {note}")

        for run in range(args.repeat):
            print(f"run {run + 1}")
            started = time.perf_counter()
            for url, body, headers, fetched_at in pages:
                extract(url, body, headers, fetched_at, "zjdaily")
            record("extract", n, time.perf_counter() - started)

            machine.append(machine_parallelism(args.jobs))
            print(f"  machine: {args.jobs} processes at once {machine[-1]:.2f}x one")
            for jobs in (1, args.jobs):
                label = f"jobs {jobs}"
                db = _copy(crawl_dir, tmp / "work")
                with Archive.open(db, create=False) as archive:
                    result = reparse(archive, jobs=jobs)
                record(f"unchanged, {label}", result.captures, result.elapsed,
                       f"({result.new_versions} new versions)")

                # A new layout version that reads credit lines no more: every article changes.
                with mock.patch.multiple(ZjdailyV1, version=f"bench{run}", credit_lines=None), \
                        Archive.open(db, create=False) as archive:
                    cpu, workers = time.process_time(), _children_cpu()
                    result = reparse(archive, jobs=jobs)
                    cpu, workers = time.process_time() - cpu, _children_cpu() - workers
                total_cpu.setdefault(label, []).append((cpu + workers) / result.captures)
                record(f"changed, {label}", result.captures, result.elapsed,
                       f"({result.new_versions} new versions)", cpu if jobs > 1 else None)

                db = _copy(crawl_dir, tmp / "work")
                conn = sqlite3.connect(db)
                conn.execute("PRAGMA foreign_keys = OFF")
                conn.execute("DELETE FROM bodies")
                conn.commit()
                conn.close()
                with Archive.open(db, create=False) as archive:
                    result = reparse(archive, warc_dir=crawl_dir / "warc", jobs=jobs)
                record(f"from WARC, {label}", result.captures, result.elapsed,
                       f"({result.from_warc} read from WARC files)")

        median = {name: statistics.median(rates) for name, rates in figures.items()}
        base = median["extract"]
        print(f"\nmedian articles/s over {n} captures, {args.repeat} runs"
              f" (extract() alone, one process: {base:.0f}/s):")
        for name, rate in median.items():
            print(f"  {name:22} {rate:6.0f}/s  ({rate / base:.2f}x extract alone)")
        print(f"\n{jobs_n} against jobs 1, same pass (machine: {args.jobs} processes"
              f" {statistics.median(machine):.2f}x one, rounds {', '.join(f'{m:.2f}' for m in machine)}):")
        for name in ("unchanged", "changed", "from WARC"):
            print(f"  {name:22} {median[f'{name}, {jobs_n}'] / median[f'{name}, jobs 1']:.2f}x")
        for name, values in writer_cpu.items():
            print(f"  writing process, {name}: median {statistics.median(values) * 1e3:.2f} ms CPU a capture")
        one, many = statistics.median(total_cpu["jobs 1"]), statistics.median(total_cpu[jobs_n])
        print(f"  changed pass, CPU of all its processes: jobs 1 {one * 1e3:.2f} ms a capture,"
              f" {jobs_n} {many * 1e3:.2f} ms; the most {jobs_n} can gain with {args.jobs} free"
              f" cores: {args.jobs * one / many:.2f}x")
        print("\nWARC bodies against archive bodies (from WARC / unchanged):")
        for label in dict.fromkeys(("jobs 1", jobs_n)):
            print(f"  {label:22} {median[f'from WARC, {label}'] / median[f'unchanged, {label}']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
