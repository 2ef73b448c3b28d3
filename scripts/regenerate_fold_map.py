"""Write ``archive/fold_map.json``: the search fold map, computed from the installed OpenCC.

    .venv/bin/python scripts/regenerate_fold_map.py

A new archive reads the map from that file when the installed OpenCC and Python's Unicode
database are the versions recorded in it (``archive.fold.fold_map``), and computes it otherwise.
Run this after upgrading OpenCC or Python, review the diff, and commit the file;
``tests/archive/test_fold_map.py`` fails until then.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.fold import FOLD_MAP_FILE, compute_fold_map, fold_versions


def main() -> int:
    pairs = sorted((ord(k), ord(v)) for k, v in compute_fold_map().items())
    head = json.dumps({
        "about": "archive/fold.py compute_fold_map(): code point -> folded code point;"
                 " written by scripts/regenerate_fold_map.py",
        "versions": fold_versions(),
    }, indent=1)[:-2]
    # One pair a line, so a diff after an OpenCC upgrade shows what changed.
    body = ",\n".join(f"[{a},{b}]" for a, b in pairs)
    FOLD_MAP_FILE.write_text(f'{head},\n"pairs": [\n{body}\n]}}\n', encoding="utf-8")
    print(f"wrote {len(pairs)} pairs to {FOLD_MAP_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
