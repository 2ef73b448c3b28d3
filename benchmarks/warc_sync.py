"""What it costs to check a WARC copy against its source before extending it (``archive snapshot``,
``archive merge``: ``archive.snapshot.sync_warc_dir``).

    python benchmarks/warc_sync.py [--size-mb 1000] [--dir DIR] [--rounds 3]

Writes a file of ``--size-mb`` MB (random bytes: a ``.warc.gz`` is gzip members, as dense; the
comparison does not look at what the bytes mean) and a copy of it, in a temporary directory
under ``--dir`` (default: the system's). Then, in each round:

- ``copy``: ``shutil.copyfile`` of the file (the baseline: what copying a new file costs);
- ``compare, same size``: ``_continue`` on the copy, every byte compared (a file already there);
- ``compare, extend 1%``: the copy cut 1% short first, then ``_continue`` (a file that grew:
  every common byte compared, the rest appended);
- ``tail only``: the last 64 kB of both (what was checked before), for scale.

Each is timed with the files in the page cache (warm) and, where the system allows it, with the
files' pages dropped from it first (cold: ``posix_fadvise(DONTNEED)`` on these files only, so
they are read from the disk). Figures are printed, never asserted; the choice they support is
in ``docs/archive.md`` (Snapshots and merging).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.snapshot import _continue

MB = 1_000_000


def write_file(path: Path, size: int) -> None:
    block = os.urandom(16 * MB)
    with path.open("wb") as file:
        done = 0
        while done < size:
            done += file.write(block[: size - done])


def drop_cache(*paths: Path) -> bool:
    """Drop these files' pages from the page cache (after writing them out); False when the
    system has no ``posix_fadvise``."""
    if not hasattr(os, "posix_fadvise"):
        return False
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    return True


def tail(path: Path, size: int = 65536) -> bytes:
    with path.open("rb") as file:
        file.seek(max(path.stat().st_size - size, 0))
        return file.read()


def timed(prepare: Callable[[], None], run: Callable[[], object], cold: bool, paths: list[Path]) -> float:
    prepare()
    if cold:
        drop_cache(*paths)
    else:
        for path in paths:  # read once so that the pages are cached
            with path.open("rb") as file:
                while file.read(8 * MB):
                    pass
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1000)
    parser.add_argument("--dir", default=None, help="where to write the files (default: the system's temp)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    size = args.size_mb * MB
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        source, copy, fresh = Path(tmp, "a.warc.gz"), Path(tmp, "copy.warc.gz"), Path(tmp, "fresh.warc.gz")
        write_file(source, size)
        shutil.copyfile(source, copy)
        short = size - size // 100

        def same() -> None:
            pass

        def cut() -> None:
            with copy.open("r+b") as file:
                file.truncate(short)

        def whole() -> None:
            fresh.unlink(missing_ok=True)

        cases: list[tuple[str, Callable[[], None], Callable[[], object], list[Path]]] = [
            ("copy", whole, lambda: shutil.copyfile(source, fresh), [source]),
            ("compare, same size", same, lambda: _continue(source, copy), [source, copy]),
            ("compare, extend 1%", cut, lambda: _continue(source, copy), [source, copy]),
            ("tail only", same, lambda: tail(source) == tail(copy), [source, copy]),
        ]
        cold_ok = hasattr(os, "posix_fadvise")
        print(f"{args.size_mb} MB file, {args.rounds} rounds, in {tmp}")
        print(f"{'case':<22} {'warm s (median)':>16} {'cold s (median)':>16} {'cold MB/s read':>15}")
        for name, prepare, run, paths in cases:
            warm = [timed(prepare, run, False, paths) for _ in range(args.rounds)]
            cold = [timed(prepare, run, True, paths) for _ in range(args.rounds)] if cold_ok else []
            read = size * (2 if len(paths) == 2 else 1) / MB
            cold_s = statistics.median(cold) if cold else float("nan")
            rate = read / cold_s if cold and name != "tail only" else float("nan")
            print(f"{name:<22} {statistics.median(warm):>16.3f} {cold_s:>16.3f} {rate:>15.0f}")
        fresh.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
