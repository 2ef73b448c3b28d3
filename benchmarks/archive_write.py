"""Archive write throughput, bytes on disk and capture compression.

    python benchmarks/archive_write.py [--articles 2000]

Writes N generated article pages through ``Archive.add_capture`` (one transaction per page, as a
crawl does), then inserts exactly the rows that produced into a fresh archive with raw sqlite3
``executemany`` in one transaction: the baseline is pure insertion, so the ratio shows what
hashing, compression, folding, lookups and per-page commits cost. Figures are printed, never
asserted. Targets: ≥0.5× the baseline; stored captures ≤25% of raw HTML bytes.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import archive_corpus as corpus

from archive import Archive

BATCH = 100
# Tables in dependency order; the baseline copies them row for row.
TABLES = ["runs", "body_dictionaries", "bodies", "articles", "versions", "captures", "people",
          "paragraphs", "images", "rankings", "related"]


def size_on_disk(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def real_pages(root: Path, tmp: str) -> tuple[int, int, int]:
    """Pages, raw bytes and stored bytes of the project's saved portal pages, captured as a crawl
    would (one run per portal directory)."""
    archive = Archive.open(Path(tmp) / "fixtures.sqlite")
    pages = sorted(p for p in root.rglob("*") if p.suffix in (".html", ".htm"))
    runs: dict[str, int] = {}
    raw = 0
    for n, page in enumerate(pages):
        portal = page.relative_to(root).parts[0]
        if portal not in runs:
            runs[portal] = archive.start_run(portal, {})
        body = page.read_bytes()
        raw += len(body)
        archive.add_capture(runs[portal], {
            "url": f"https://{portal}.example/{page.relative_to(root)}", "status": 200,
            "fetched_at": f"2026-03-01T00:00:{n % 60:02d}+00:00", "headers": {},
            "body": body, "kind": "article",
        }, None)
    stored = archive.conn.execute(
        "SELECT (SELECT ifnull(sum(length(data)), 0) FROM bodies)"
        " + (SELECT ifnull(sum(length(data)), 0) FROM body_dictionaries)").fetchone()[0]
    archive.close()
    return len(pages), raw, stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--pages", type=Path, default=Path(__file__).resolve().parents[1] / "fixtures",
                        help="Saved real pages whose capture compression is reported too.")
    args = parser.parse_args()
    rng = random.Random(1)
    head, foot = corpus.template(rng)
    records = [corpus.article(rng, n, corpus.when(n)) for n in range(args.articles)]
    captures = [corpus.capture(r, head, foot, f"2026-03-01T00:00:{n % 60:02d}.{n:06d}+00:00")
                for n, r in enumerate(records)]
    raw_bytes = sum(len(c["body"]) for c in captures)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "archive.sqlite"
        archive = Archive.open(path)  # creation (fold table) is not part of the timing
        run = archive.start_run("bench", {})
        start = time.perf_counter()
        for record, capture in zip(records, captures, strict=True):
            archive.add_capture(run, capture, record)
        ours = time.perf_counter() - start
        archive.finish_run(run, "finished", {})
        # The same pages again into a second archive, 100 per transaction.
        batched_path = Path(tmp) / "batched.sqlite"
        batched = Archive.open(batched_path)
        batch_run = batched.start_run("bench", {})
        pairs = list(zip(captures, records, strict=True))
        start = time.perf_counter()
        for i in range(0, len(pairs), BATCH):
            batched.add_captures(batch_run, pairs[i:i + BATCH])
        ours_batched = time.perf_counter() - start
        batched.close()
        stored = archive.conn.execute(
            "SELECT (SELECT sum(length(data)) FROM bodies)"
            " + ifnull((SELECT sum(length(data)) FROM body_dictionaries), 0)").fetchone()[0]
        # Same rows again, the raw way.
        data = {t: archive.conn.execute(f"SELECT * FROM {t}").fetchall() for t in TABLES}
        # The index is contentless: its rows are rebuilt from the stored versions.
        search_rows = [
            (article_id, *archive._writer.search_values(version_id))
            for article_id, version_id in archive.conn.execute(
                "SELECT id, current_version_id FROM articles").fetchall()
        ]
        archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        archive.close()
        disk = size_on_disk(path)

        base_path = Path(tmp) / "baseline.sqlite"
        Archive.open(base_path).close()  # the same schema, indexes and FTS table
        conn = sqlite3.connect(base_path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute("PRAGMA defer_foreign_keys = ON")  # captures and versions refer to each other
        for table in TABLES:
            if data[table]:
                marks = ", ".join("?" * len(data[table][0]))
                conn.executemany(f"INSERT INTO {table} VALUES ({marks})", data[table])
        conn.executemany("INSERT INTO search (rowid, headline, body, names) VALUES (?, ?, ?, ?)",
                         search_rows)
        conn.execute("COMMIT")
        base = time.perf_counter() - start
        conn.close()
        fixture_pages, fixture_raw, fixture_stored = (
            real_pages(args.pages, tmp) if args.pages.is_dir() else (0, 0, 0))

    n = args.articles
    print(f"articles                 {n}")
    print(f"archive add_capture      {n / ours:10.0f} articles/s  ({ours:.2f} s)")
    print(f"add_captures, {BATCH}/txn    {n / ours_batched:10.0f} articles/s  ({ours_batched:.2f} s)")
    print(f"raw executemany baseline {n / base:10.0f} articles/s  ({base:.2f} s)")
    print(f"ratio per page (>= 0.5)  {base / ours:10.2f} x")
    print(f"ratio batched  (>= 0.5)  {base / ours_batched:10.2f} x")
    print(f"bytes on disk / article  {disk / n:10.0f}  (file {disk / 1e6:.1f} MB)")
    print(f"raw HTML / page          {raw_bytes / n:10.0f} bytes")
    print(f"stored captures / raw    {stored / raw_bytes:10.1%}  (target <= 25%)")
    if fixture_pages:
        print(f"saved real pages         {fixture_pages:10d}  ({fixture_raw / 1e3:.0f} kB)")
        print(f"  stored / raw           {fixture_stored / fixture_raw:10.1%}  (target <= 25%)")


if __name__ == "__main__":
    main()
