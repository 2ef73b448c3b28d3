"""WARC overhead: the real crawl with and without WARC writing, and disk bytes per capture.

Generates a zjdaily portal (``_portal.py``) in a temporary directory, then runs the real
``zjdaily`` crawl (every pipeline, the SQLite archive on) in child processes, alternating
``NEWSCRAWLER_WARC_ENABLED`` off (the baseline) and on, ``--repeat`` times; each run gets a fresh
archive and WARC directory, so every run fetches every page. pages/s = responses / the crawl's
``elapsed_time_seconds``. Target: WARC writing costs at most 15% of the rate
(on / off >= 0.85). Disk figures, from the last run with WARCs: WARC bytes (``.warc.gz`` and
``.cdxj``) per response record, and archive bytes (the SQLite file after a checkpoint, and the
stored page bodies alone) per capture. Figures are printed, never asserted.

    .venv/bin/python benchmarks/warc_overhead.py [--articles 300] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _portal

TARGET = 0.85


def _disk(run_dir: Path) -> dict[str, float]:
    db = run_dir / "archive.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    captures = conn.execute("SELECT count(*) FROM captures").fetchone()[0]
    bodies = conn.execute(
        "SELECT (SELECT ifnull(sum(length(data)), 0) FROM bodies)"
        " + (SELECT ifnull(sum(length(data)), 0) FROM body_dictionaries)"
    ).fetchone()[0]
    raw = conn.execute("SELECT ifnull(sum(size), 0) FROM bodies").fetchone()[0]
    conn.close()
    warc_dir = run_dir / "warc"
    warc = sum(p.stat().st_size for p in warc_dir.glob("*.warc.gz"))
    cdxj = sum(p.stat().st_size for p in warc_dir.glob("*.cdxj"))
    responses = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in warc_dir.glob("*.cdxj"))
    return {
        "captures": captures, "responses": responses,
        "warc_per_response": warc / max(responses, 1),
        "cdxj_per_response": cdxj / max(responses, 1),
        "archive_per_capture": db.stat().st_size / max(captures, 1),
        "bodies_per_capture": bodies / max(captures, 1),
        "raw_per_capture": raw / max(captures, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300,
                        help="article pages generated (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each crawl, alternating (default: %(default)s)")
    parser.add_argument("--concurrency", type=int, default=16,
                        help="CONCURRENT_REQUESTS (default: %(default)s)")
    parser.add_argument("--per-domain", type=int, default=8,
                        help="CONCURRENT_REQUESTS_PER_DOMAIN (default: %(default)s)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="newscrawler-warc-bench-") as tmp:
        portal = _portal.generate(Path(tmp) / "portal", args.articles)
        print(f"portal: {args.articles} articles, {portal.expected_pages} pages expected")
        rates: dict[str, list[float]] = {"off": [], "on": []}
        disk: dict[str, float] = {}
        for run in range(args.repeat):
            for mode in ("off", "on"):
                run_dir = Path(tmp) / f"run-{run}-{mode}"
                settings = {
                    **_portal.throughput_settings(args.concurrency, args.per_domain),
                    "NEWSCRAWLER_ARCHIVE": str(run_dir / "archive.sqlite"),
                    "NEWSCRAWLER_WARC_DIR": str(run_dir / "warc"),
                    "NEWSCRAWLER_WARC_ENABLED": mode == "on",
                }
                report = _portal.run_child("real", portal.root, settings)
                rate = report["pages"] / report["elapsed"]
                rates[mode].append(rate)
                print(f"run {run + 1} WARC {mode:3}: {report['pages']} pages in"
                      f" {report['elapsed']:.2f} s = {rate:.1f} pages/s")
                if mode == "on":
                    disk = _disk(run_dir)
        off, on = statistics.median(rates["off"]), statistics.median(rates["on"])
        ratio = on / off
        verdict = "meets" if ratio >= TARGET else "misses"
        print(f"\nmedian pages/s: WARC off {off:.1f}, WARC on {on:.1f}; on/off {ratio:.2f}"
              f" (rate {(ratio - 1) * 100:+.0f}%; target: at most 15% slower, {verdict})")
        print(f"WARC: {disk['warc_per_response'] / 1000:.1f} kB per response record"
              f" (+ {disk['cdxj_per_response']:.0f} B of CDXJ), {disk['responses']:.0f} records")
        print(f"archive: {disk['archive_per_capture'] / 1000:.1f} kB per capture"
              f" (whole SQLite file, {disk['captures']:.0f} captures);"
              f" stored bodies {disk['bodies_per_capture'] / 1000:.1f} kB"
              f" of {disk['raw_per_capture'] / 1000:.1f} kB raw")
    return 0


if __name__ == "__main__":
    sys.exit(main())
