"""Merge throughput and the merged archive's search latency, against a single machine's archive.

    python benchmarks/archive_merge.py [--articles 4000] [--queries 30]

Generates N article pages (``archive_corpus``) and, every tenth article, a later capture with one
paragraph edited (a new version). Node 1 gets the even articles and node 2 the odd ones, each
edit going to the other node than its article, so that a tenth of the articles are on both
nodes. Each node archive is written through ``Archive.add_captures`` (500 pages a transaction).

Baseline: the same captures, in fetch order, written through the archive's own write path
(``Archive.add_captures``, 500 pages a transaction) into one archive, as a single machine would
have stored them. Measured: ``archive.merge.merge`` of the two nodes into a new archive (WARC
copying off: the nodes have none), and a second merge of the same nodes (idempotent: nothing
added). Printed as captures/s and the ratio merge/baseline.

Search: the same queries (1, 2 and 4 characters cut from the articles' text, as in
``archive_search.py``) on the merged archive and on the baseline archive, alternating, and the
ratio of their medians (merged/single). Figures are printed, never asserted. Targets: merge ≥ 0.5×
the write path; search ratio ≤ 1.2.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import archive_corpus as corpus
from archive_search import percentile, queries

from archive import Archive
from archive.merge import merge

BATCH = 500
START = datetime(2026, 3, 1, tzinfo=timezone.utc)

Page = tuple[int, dict[str, Any], dict[str, Any]]  # node, capture, record


def pages(articles: int) -> list[Page]:
    """Every capture in fetch order, with the node that fetched it."""
    rng = random.Random(5)
    head, foot = corpus.template(rng)
    out: list[Page] = []
    for n in range(articles):
        record = corpus.article(rng, n, corpus.when(n))
        record["fetched_at"] = (START + timedelta(seconds=10 * n)).isoformat()
        out.append((n % 2, corpus.capture(record, head, foot, record["fetched_at"]), record))
        if n % 10 == 5:
            edited = dict(record, paragraphs=[*record["paragraphs"][:-1], corpus.text(rng, 80)],
                          fetched_at=(START + timedelta(seconds=10 * n + 5 * articles)).isoformat())
            out.append((1 - n % 2, corpus.capture(edited, head, foot, edited["fetched_at"]), edited))
    return sorted(out, key=lambda page: page[1]["fetched_at"])


def write(path: Path, items: list[tuple[dict[str, Any], dict[str, Any]]]) -> float:
    """Seconds to store the pages through the write path, BATCH a transaction."""
    with Archive.open(path) as archive:
        run = archive.start_run("bench", {"path": path.name})
        start = time.perf_counter()
        for i in range(0, len(items), BATCH):
            archive.add_captures(run, items[i:i + BATCH])
        seconds = time.perf_counter() - start
        archive.finish_run(run, "finished", {})
    return seconds


def search_times(paths: list[Path], sizes: tuple[int, ...], count: int) -> dict[str, list[float]]:
    """Milliseconds per query on each archive, the same queries, archives taking turns."""
    archives = [Archive.open(p, create=False) for p in paths]
    rng = random.Random(3)
    qs = [q for size in sizes for q in queries(archives[0], size, count, rng)]
    times: dict[str, list[float]] = {p.stem: [] for p in paths}
    for q in qs:
        for path, archive in zip(paths, archives, strict=True):
            start = time.perf_counter()
            archive.search(q, limit=20)
            times[path.stem].append((time.perf_counter() - start) * 1000)
    for archive in archives:
        archive.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=4000)
    parser.add_argument("--queries", type=int, default=30, help="Queries per length.")
    args = parser.parse_args()
    all_pages = pages(args.articles)
    captures = len(all_pages)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        nodes = [root / "node1" / "node1.sqlite", root / "node2" / "node2.sqlite"]
        for node, path in enumerate(nodes):
            write(path, [(c, r) for n, c, r in all_pages if n == node])
        single = root / "single" / "single.sqlite"
        baseline = write(single, [(c, r) for _, c, r in all_pages])
        merged = root / "merged" / "merged.sqlite"
        report = merge(merged, nodes, warc=False)
        again = merge(merged, nodes, warc=False)
        assert report.captures_added == captures and again.captures_added == 0
        times = search_times([merged, single], (1, 2, 4), args.queries)

    print(f"captures                      {captures}  ({args.articles} articles,"
          f" {captures - args.articles} later versions on the other node)")
    print(f"single machine (write path)   {captures / baseline:10.0f} captures/s  ({baseline:.2f} s)")
    print(f"merge of 2 nodes              {captures / report.seconds:10.0f} captures/s"
          f"  ({report.seconds:.2f} s)")
    print(f"merge again (adds nothing)    {captures / again.seconds:10.0f} captures/s"
          f"  ({again.seconds:.2f} s)")
    print(f"ratio merge/write path        {baseline / report.seconds:10.2f} x  (target >= 0.5)")
    for name in ("single", "merged"):
        values = times[name]
        print(f"search {name:<7} p50 {statistics.median(values):6.2f} ms  p95"
              f" {percentile(values, 0.95):6.2f} ms  ({len(values)} queries)")
    ratio = statistics.median(times["merged"]) / statistics.median(times["single"])
    print(f"search ratio merged/single p50 {ratio:6.2f}  (target <= 1.2)")


if __name__ == "__main__":
    main()
