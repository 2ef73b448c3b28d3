"""``python -m newscrawler.warc index FILE...``: write the sorted ``FILE.cdxj`` beside each WARC
file that came without one (from another tool, or copied in without its index)."""

from __future__ import annotations

import sys
from pathlib import Path

from .index import DamagedWarc, cdxj_path, index_warc


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2 or args[0] != "index":
        print("usage: python -m newscrawler.warc index FILE.warc.gz...", file=sys.stderr)
        return 2
    status = 0
    for name in args[1:]:
        path = Path(name)
        try:
            lines = sorted(entry.line() for entry in index_warc(path))
        except DamagedWarc as exc:
            # No index for a damaged file: a replay reads it itself, up to the damage.
            print(f"error: {exc}", file=sys.stderr)
            status = 1
            continue
        cdxj_path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        print(f"{cdxj_path(path)}: {len(lines)} captures")
    return status


if __name__ == "__main__":
    sys.exit(main())
