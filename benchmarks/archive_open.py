"""Start-up cost of a new archive: ``Archive.open`` of a path where there is no archive yet.

    python benchmarks/archive_open.py [--repeat 7]

A new archive stores the search index's character map (``archive/fold.py``) before its first
page. Each run is a fresh interpreter (so no cache of an earlier run helps) timing
``Archive.open`` of a new file, alternating:

- the baseline: the map computed from OpenCC and Unicode (``compute_fold_map``), as every new
  archive did before the package shipped it; forced by pointing ``FOLD_MAP_FILE`` at no file;
- ``shipped``: the map read from ``archive/fold_map.json`` (``fold_map``), which is what a new
  archive does when the installed OpenCC and Unicode versions are those of the file.

Prints each run and the medians (and their spread); imports are not counted. Figures are printed,
never asserted. Target: the shipped map makes a new archive at least 5× cheaper to open.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, {repo!r})
import archive.fold
from archive import Archive
if {computed!r}:
    archive.fold.FOLD_MAP_FILE = Path({tmp!r}) / "no-such-file.json"
started = time.perf_counter()
Archive.open(Path({tmp!r}) / "new.sqlite").close()
print(json.dumps({{"seconds": time.perf_counter() - started}}))
"""


def run(computed: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        code = CHILD.format(repo=str(REPO), computed=computed, tmp=tmp)
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                             text=True).stdout
    return float(json.loads(out.splitlines()[-1])["seconds"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"computed": [], "shipped": []}
    for n in range(args.repeat):
        for name in times:
            times[name].append(run(name == "computed"))
        print(f"run {n + 1}: " + ", ".join(f"{k} {v[-1] * 1000:.0f} ms" for k, v in times.items()))
    median = {k: statistics.median(v) for k, v in times.items()}
    for name, values in times.items():
        print(f"{name:>9}: median {median[name] * 1000:.0f} ms"
              f" (range {min(values) * 1000:.0f}-{max(values) * 1000:.0f})")
    ratio = median["computed"] / median["shipped"]
    print(f"new archive opens {ratio:.1f}x faster with the shipped map; target >= 5x:"
          f" {'met' if ratio >= 5 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
