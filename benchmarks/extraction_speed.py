"""Per-page extraction time: newscrawler against trafilatura and GNE on the same article pages.

Every article page in ``fixtures/zjdaily/p/*.html`` (with its ``*.headers.json`` sidecar headers
when there is one) goes through, in the same process and the same rounds:

- ``newscrawler.extract.extract(url, body, headers, fetched_at)``: decoding, the portal layout's
  selectors, normalisation and validation, i.e. the whole record;
- ``trafilatura.extract(body, url=…, output_format="json", with_metadata=True)`` (the baseline);
- ``gne.GeneralNewsExtractor().extract(html)`` (GNE takes text, so decoding is timed with it);
- ``extract(..., fallback=False)``: the same without the fallback's check for what the profile
  missed (``newscrawler.extract.fallback``), so the difference is what that check costs;
- ``lxml.etree.fromstring(body, HTMLParser())``: a bare libxml2 parse of the bytes, the least any
  extractor does (the second baseline).

One warm-up round is not counted (imports, caches, lazily compiled patterns). Each round then times
every page with every extractor, interleaved so machine noise falls on all of them alike, in an
order shuffled for each page (seeded), so that no extractor always runs first (on caches the
others left cold) or always right after the same code read the same page. Printed:
median and mean ms/page per extractor, the newscrawler/trafilatura ratio (target: at most 0.2, a
fifth of trafilatura's time), the newscrawler/lxml-parse ratio (target: at most 4) and the
fallback check's cost. ``--profile`` adds a cProfile of newscrawler's extraction.

``--instructions`` counts instead of timing: each of newscrawler, ``no fallback`` and the lxml
parse runs alone under callgrind (valgrind), the warm-up round and ``--count-rounds`` rounds
against the warm-up alone, and the difference is printed as instructions a page with the
newscrawler/lxml parse ratio by instructions. A count is the same whatever else the machine
runs (the time ratio moves with the load and the CPU), but it has no cache misses, which the
time ratio pays: it tells whether a change did less work, not whether the target is met.

    .venv/bin/python benchmarks/extraction_speed.py [--rounds 20] [--profile]
    .venv/bin/python benchmarks/extraction_speed.py --instructions [--count-rounds 2]

Needs the ``bench`` extra: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures" / "zjdaily"
HOST = "https://www.gdzjdaily.com.cn"
TARGET = 0.2
# Profiled extraction against a bare parse of the same bytes: at most this many times as long.
PARSE_TARGET = 4.0
NO_FALLBACK = "no fallback"
LXML = "lxml parse"
# A fixed fetch date: the layout chosen (and so the work done) must not depend on today.
FETCHED_AT = datetime(2024, 7, 1, 4, 0, tzinfo=timezone.utc)


def load_pages(root: Path) -> list[tuple[str, bytes, dict[str, str]]]:
    pages = []
    for path in sorted(root.glob("p/*.html")):
        sidecar = path.with_name(path.name + ".headers.json")
        headers = {"Content-Type": "text/html"}
        if sidecar.is_file():
            headers.update(json.loads(sidecar.read_text(encoding="utf-8")))
        url = f"{HOST}/{path.relative_to(root).as_posix()}"
        pages.append((url, path.read_bytes(), headers))
    return pages


def _charset(headers: dict[str, str]) -> str:
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    _, _, charset = content_type.partition("charset=")
    return charset.strip().strip("\"'") or "utf-8"


Runner = Callable[[str, bytes, dict[str, str]], Any]


def own_extractors() -> dict[str, Runner]:
    """newscrawler's extraction, without its fallback, and the bare parse: no comparison
    extractor imported (``--instructions`` counts these alone)."""
    from lxml import etree

    from newscrawler.extract import InvalidRecord, extract

    def newscrawler(url: str, body: bytes, headers: dict[str, str]) -> Any:
        try:
            return extract(url, body, headers, FETCHED_AT)
        except InvalidRecord:
            return None  # a page without a record still costs what it cost

    def without_fallback(url: str, body: bytes, headers: dict[str, str]) -> Any:
        try:
            return extract(url, body, headers, FETCHED_AT, fallback=False)
        except InvalidRecord:
            return None

    # The least any extractor does: libxml2 parses the bytes (the parser newscrawler uses).
    parser = etree.HTMLParser(recover=True, huge_tree=True)

    def lxml_parse(url: str, body: bytes, headers: dict[str, str]) -> Any:
        return etree.fromstring(body, parser=parser) is not None  # a tree: output

    return {"newscrawler": newscrawler, NO_FALLBACK: without_fallback, LXML: lxml_parse}


def extractors() -> dict[str, Runner]:
    found = own_extractors()
    try:
        import trafilatura
    except ImportError:
        sys.exit("trafilatura is missing: pip install -e '.[bench]'")

    def trafilatura_json(url: str, body: bytes, headers: dict[str, str]) -> Any:
        return trafilatura.extract(body, url=url, output_format="json", with_metadata=True)

    found["trafilatura"] = trafilatura_json
    try:
        from gne import GeneralNewsExtractor
    except ImportError:
        print("gne is missing (pip install -e '.[bench]'): skipped", file=sys.stderr)
    else:
        gne = GeneralNewsExtractor()

        def gne_extract(url: str, body: bytes, headers: dict[str, str]) -> Any:
            return gne.extract(body.decode(_charset(headers), errors="replace"))

        found["gne"] = gne_extract
    return found


def measure(
    pages: list[tuple[str, bytes, dict[str, str]]],
    runners: dict[str, Runner],
    rounds: int,
) -> tuple[dict[str, list[float]], dict[str, int]]:
    timings: dict[str, list[float]] = {name: [] for name in runners}
    empty: dict[str, int] = {name: 0 for name in runners}
    for name, run in runners.items():  # warm-up, not counted
        for url, body, headers in pages:
            if not run(url, body, headers):
                empty[name] += 1
    clock = time.perf_counter
    names = list(runners)
    # Each page's extractors run in a shuffled order (seeded: runs are comparable). Whichever runs
    # first on a page meets caches cold from the one before (trafilatura and GNE evict most of
    # them), and the one right after the same code on the same page finds both warm: a fixed
    # order, or one merely rotated, gives some extractors the same neighbours every time.
    shuffle = random.Random(0).shuffle
    for _ in range(rounds):
        for url, body, headers in pages:
            shuffle(names)
            for name in names:
                run = runners[name]
                start = clock()
                run(url, body, headers)
                timings[name].append((clock() - start) * 1000)
    return timings, empty


def profile(pages: list[tuple[str, bytes, dict[str, str]]], rounds: int, top: int) -> str:
    run = extractors()["newscrawler"]
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        for url, body, headers in pages:
            run(url, body, headers)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def run_alone(pages: list[tuple[str, bytes, dict[str, str]]], name: str, rounds: int) -> None:
    """One extractor over every page: the warm-up round, then ``rounds`` more (what callgrind
    counts for ``--instructions``)."""
    run = own_extractors()[name]
    for _ in range(1 + rounds):
        for url, body, headers in pages:
            run(url, body, headers)


_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def instructions(fixtures: Path, pages: int, rounds: int) -> dict[str, float]:
    """Instructions a page of each of our extractors, counted by callgrind: the warm-up and
    ``rounds`` rounds against the warm-up alone, each in a process of its own."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        sys.exit("--instructions needs valgrind (the Debian package valgrind)")
    # A fixed hash seed: set and dict orders, and so the work done, are the same in every run.
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    per_page: dict[str, float] = {}
    for name in own_extractors():
        totals = []
        for counted in (0, rounds):
            with tempfile.TemporaryDirectory() as scratch:
                done = subprocess.run(
                    [valgrind, "--tool=callgrind", f"--callgrind-out-file={scratch}/callgrind.out",
                     sys.executable, __file__, "--fixtures", str(fixtures),
                     "--run-alone", name, "--count-rounds", str(counted)],
                    capture_output=True, text=True, env=env, check=False,
                )
            found = _COLLECTED.search(done.stderr)
            if done.returncode or found is None:
                sys.exit(f"callgrind failed on {name!r}:\n{done.stderr[-2000:]}")
            totals.append(int(found.group(1)))
        per_page[name] = (totals[1] - totals[0]) / (rounds * pages)
    return per_page


def print_instructions(fixtures: Path, pages: int, rounds: int) -> None:
    counts = instructions(fixtures, pages, rounds)
    print(f"{pages} article pages from {fixtures}; instructions a page (callgrind: the warm-up"
          f" and {rounds} rounds against the warm-up alone, PYTHONHASHSEED=0)")
    for name, count in counts.items():
        print(f"{name:<12} {count / 1000:>10,.0f}k")
    print(f"newscrawler/lxml parse by instructions: {counts['newscrawler'] / counts[LXML]:.2f}"
          f" (no target: the target of {PARSE_TARGET:.0f} is of time, which cache misses add to)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--fixtures",
        type=Path,
        default=FIXTURES,
        help="portal fixture directory (default: %(default)s)",
    )
    parser.add_argument(
        "--rounds", type=int, default=20, help="timed rounds over all pages (default: %(default)s)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="also print a cProfile of newscrawler's extraction"
    )
    parser.add_argument(
        "--top", type=int, default=25, help="functions shown by --profile (default: %(default)s)"
    )
    parser.add_argument(
        "--instructions", action="store_true",
        help="count instructions a page under callgrind instead of timing (needs valgrind)",
    )
    parser.add_argument(
        "--count-rounds", type=int, default=2,
        help="rounds counted by --instructions (default: %(default)s)",
    )
    parser.add_argument("--run-alone", metavar="EXTRACTOR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    pages = load_pages(args.fixtures)
    if not pages:
        sys.exit(f"no article pages under {args.fixtures}/p/")
    if args.run_alone:
        run_alone(pages, args.run_alone, args.count_rounds)
        return 0
    if args.instructions:
        print_instructions(args.fixtures, len(pages), max(1, args.count_rounds))
        return 0
    runners = extractors()
    timings, empty = measure(pages, runners, args.rounds)

    print(f"{len(pages)} article pages from {args.fixtures}, {args.rounds} rounds (+1 warm-up)")
    print(
        f"{'extractor':<12} {'median ms':>10} {'mean ms':>10} {'p90 ms':>10}  pages without output"
    )
    for name, samples in timings.items():
        p90 = statistics.quantiles(samples, n=10)[-1] if len(samples) > 1 else samples[0]
        print(
            f"{name:<12} {statistics.median(samples):>10.3f} {statistics.fmean(samples):>10.3f}"
            f" {p90:>10.3f}  {empty[name]}/{len(pages)}"
        )
    ours, theirs = timings["newscrawler"], timings["trafilatura"]
    by_median = statistics.median(ours) / statistics.median(theirs)
    by_mean = statistics.fmean(ours) / statistics.fmean(theirs)
    verdict = "met" if by_median <= TARGET else "MISSED"
    print(
        f"newscrawler/trafilatura: {by_median:.3f} (median), {by_mean:.3f} (mean);"
        f" target <= {TARGET}: {verdict}"
    )
    parse = statistics.median(timings[LXML])
    by_parse = statistics.median(ours) / parse
    verdict = "met" if by_parse <= PARSE_TARGET else "MISSED"
    print(
        f"newscrawler/lxml parse: {by_parse:.2f} (median);"
        f" target <= {PARSE_TARGET:.0f}: {verdict}"
    )
    check = statistics.median(ours) - statistics.median(timings[NO_FALLBACK])
    print(
        f"the fallback's check: {check:+.3f} ms/page (newscrawler against {NO_FALLBACK!r},"
        f" medians; {check / statistics.median(ours):+.1%} of extraction)"
    )
    if "gne" in timings:
        print(
            f"newscrawler/gne: {statistics.median(ours) / statistics.median(timings['gne']):.3f} (median)"
        )
    if args.profile:
        print()
        print(profile(pages, max(1, args.rounds // 2), args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
