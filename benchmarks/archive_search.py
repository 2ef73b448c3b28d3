"""Search latency on a generated archive, against a LIKE scan of the same archive.

    python benchmarks/archive_search.py [--articles 100000] [--db PATH] [--queries 50]

Builds (or reuses, with ``--db``) an archive of N generated articles, then times 1-, 2-, 4- and
8-character queries taken from the articles' own text, and ``2=``, ``4=``, ``8=``, ``16=``: one
character of the text two to sixteen times (``一一一一``): ``Archive.search`` (top 20 with
snippets) and a ``LIKE '%q%'`` scan finding every article that contains the query (p50, p95 and
max of each, and their ratios). Then the repeated character with other words: ``8= 1``, eight
times and a one-character word (``一一一一一一一一 丁``), and ``"2= 1"``, the phrase of it twice,
a space and once (``"一一 一"``), their LIKE the scan for the repeated part (a scan costs about
the same whatever it looks for). Last, ``4= sql`` and ``8= sql``: the Datasette front end's
canned ``search`` query (top 100 with snippets) for ``4=`` and ``8=``, as ``newscrawler serve``
runs it (``archive.serve.front_end_sql``), and ``8= shell``: the packaged query as the sqlite3
shell or Datasette without the front end run it. Characters are drawn from
text positions, so one-character and repeated queries are mostly the corpus's common characters,
the hardest case for the index.
Figures are printed, never asserted. Targets: p95 < 100 ms and ≥ 20× faster than LIKE (for one
character and repeated characters: no slower than LIKE).

An archive built before schema 5 is migrated when opened (its index rebuilt with one-character
prefixes: a few minutes at 100,000 articles); measure the old index with the old code.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import archive_corpus as corpus

from archive import Archive
from archive.serve import METADATA_FILE, front_end_sql, register_functions

LIKE_SQL = (
    "SELECT count(*) FROM articles a WHERE a.headline LIKE :p OR EXISTS ("
    " SELECT 1 FROM paragraphs p WHERE p.version_id = a.current_version_id AND p.text LIKE :p)"
)


def build(path: Path, articles: int) -> None:
    rng = random.Random(2)
    archive = Archive.open(path)
    run = archive.start_run("bench", {"articles": articles})
    start = time.perf_counter()
    batch = []
    for n in range(articles):
        record = corpus.article(rng, n, corpus.when(n))
        record["rankings"] = record["related"] = []
        # Bodies do not matter for search; a small one keeps the build quick.
        capture = {"url": record["url"], "fetched_at": "2026-03-01T00:00:00+00:00",
                   "status": 200, "headers": {}, "body": str(n).encode(), "kind": "article"}
        batch.append((capture, record))
        if len(batch) == 500:
            archive.add_captures(run, batch)
            batch = []
        if n and n % 10000 == 0:
            print(f"  built {n} articles, {n / (time.perf_counter() - start):.0f}/s", flush=True)
    if batch:
        archive.add_captures(run, batch)
    archive.finish_run(run, "finished", {})
    # Merge the index into one b-tree, as a crawl's maintenance step would.
    archive.conn.execute("INSERT INTO search(search) VALUES ('optimize')")
    archive.close()


def queries(archive: Archive, size: int, count: int, rng: random.Random) -> list[str]:
    found: list[str] = []
    top = archive.conn.execute("SELECT max(id) FROM paragraphs").fetchone()[0]
    while len(found) < count:
        row = archive.conn.execute(
            "SELECT text FROM paragraphs WHERE id = ?", (rng.randint(1, top),)).fetchone()
        text = row[0]
        start = rng.randint(0, max(0, len(text) - size))
        query = text[start:start + size]
        if len(query) == size and not any(p in query for p in corpus.PUNCTUATION):
            found.append(query)
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="Archive to reuse, built when missing.")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--like-queries", type=int, default=5)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    path = args.db or Path(tmp.name) / "search.sqlite"
    if not path.exists():
        print(f"building {args.articles} articles into {path}")
        start = time.perf_counter()
        build(path, args.articles)
        print(f"  built in {time.perf_counter() - start:.0f} s")
    archive = Archive.open(path, create=False)
    total = archive.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    print(f"articles {total}, file {path.stat().st_size / 1e6:.0f} MB")
    canned = json.loads(METADATA_FILE.read_text("utf-8"))[
        "databases"]["newscrawler"]["queries"]["search"]["sql"]
    register_functions(archive.conn)
    front_end = front_end_sql(canned)
    rng = random.Random(3)
    print(f"{'chars':>7} {'search p50':>11} {'p95':>8} {'max':>8} {'hits p50':>9}"
          f" {'LIKE p50':>9} {'p95':>7} {'max':>7} {'LIKE/search p50':>16} {'p95':>5}")
    sizes = ("1", "2", "4", "8", "2=", "4=", "8=", "16=", "8= 1", '"2= 1"', "4= sql", "8= sql",
             "8= shell")
    for size in sizes:
        chars = queries(archive, 1, args.queries, rng) if "=" in size else []
        if size == "8= 1":
            words = queries(archive, 1, args.queries, rng)
            qs = [f"{c * 8} {w}" for c, w in zip(chars, words, strict=True)]
            scanned = [c * 8 for c in chars]
        elif size == '"2= 1"':
            qs = [f'"{c * 2} {c}"' for c in chars]
            scanned = [c * 2 for c in chars]
        elif "=" in size:
            qs = scanned = [c * int(size.split("=")[0]) for c in chars]
        else:
            qs = scanned = queries(archive, int(size), args.queries, rng)
        if size.endswith(("sql", "shell")):
            sql = front_end if size.endswith("sql") else canned
            ours = timed(lambda q, sql=sql: archive.conn.execute(sql, {"q": q}).fetchall(), qs)
        else:
            ours = timed(lambda q: archive.search(q, limit=20), qs)
        hits = [archive.conn.execute(
            "SELECT count(*) FROM search WHERE search MATCH ?",
            (archive.fts_query(q),)).fetchone()[0] for q in qs]
        like = timed(lambda q: archive.conn.execute(LIKE_SQL, {"p": f"%{q}%"}).fetchone(),
                     scanned[: args.like_queries])
        p50, p95 = statistics.median(ours), percentile(ours, 0.95)
        like50, like95 = statistics.median(like), percentile(like, 0.95)
        print(f"{size:>7} {p50:>9.1f}ms {p95:>6.1f}ms {max(ours):>6.1f}ms"
              f" {statistics.median(hits):>9.0f} {like50:>7.0f}ms {like95:>5.0f}ms"
              f" {max(like):>5.0f}ms {like50 / p50:>15.0f}x {like95 / p95:>4.0f}x")
    print("targets: p95 < 100 ms, LIKE/search >= 20x")
    archive.close()
    tmp.cleanup()


if __name__ == "__main__":
    main()
