"""``python -m newscrawler.warc index FILE...``: write the sorted ``FILE.cdxj`` beside each WARC
file that came without one (from another tool, or copied in without its index).

A damaged file gets no index: a replay trusts an index, so one written now would hide the damage
(the records lost would simply be absent), while a replay of the file without one reads it
itself, past the damage too, and names it. The command says where each damage is and what the
file still gives, and exits 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .index import cdxj_path, scan_warc


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2 or args[0] != "index":
        print("usage: python -m newscrawler.warc index FILE.warc.gz...", file=sys.stderr)
        return 2
    status = 0
    for name in args[1:]:
        path = Path(name)
        entries, damages = scan_warc(path)
        if damages:
            for damage in damages:
                print(f"error: {damage} (no index written: a replay reads the file itself and names"
                      " the damage)", file=sys.stderr)
            status = 1
            continue
        lines = sorted(entry.line() for entry in entries)
        cdxj_path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        print(f"{cdxj_path(path)}: {len(lines)} captures")
    return status


if __name__ == "__main__":
    sys.exit(main())
