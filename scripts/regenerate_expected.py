"""Regenerate the expected records of the fixture pages under ``fixtures/``.

Every ``<name>.expected.json`` sits beside its saved page ``<name>.html``; extra HTTP response
headers of the page, when it had any, are in ``<name>.html.headers.json``. The expected file holds
the URL the page was fetched from, the fetch time, ``expect_empty`` (the record fields that are
legitimately empty or null on this page) and the full record::

    python scripts/regenerate_expected.py                      # rewrite every expected file
    python scripts/regenerate_expected.py fixtures/zjdaily/p/2953118.expected.json
    python scripts/regenerate_expected.py --new fixtures/zjdaily/p/2953124.html \\
        https://www.gdzjdaily.com.cn/p/2953124.html            # start a new one

Regenerating keeps ``url``, ``fetched_at`` and ``expect_empty`` and replaces ``record`` with what
``newscrawler.extract.extract`` returns now. Review the diff field by field before committing it:
an expected file states what the page says, not what the extractor happens to output, so a wrong
record is an extraction bug to fix, never an expected file to accept.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newscrawler.extract import extract  # noqa: E402

FIXTURES = ROOT / "fixtures"
SUFFIX = ".expected.json"
# The fetch time of the bundled fixtures: a year-less time on a page resolves against it.
DEFAULT_FETCHED_AT = "2024-07-01T03:00:00+00:00"


def page_for(expected: Path) -> Path:
    """The saved page an expected file describes: same name, ``.html`` (or ``.htm``)."""
    stem = expected.name[: -len(SUFFIX)]
    for extension in (".html", ".htm"):
        page = expected.with_name(stem + extension)
        if page.exists():
            return page
    raise FileNotFoundError(f"no page beside {expected}")


def expected_for(page: Path) -> Path:
    return page.with_name(page.stem + SUFFIX)


def headers_for(page: Path) -> dict[str, str]:
    """The page's extra response headers from its sidecar, or none."""
    sidecar = page.with_name(page.name + ".headers.json")
    if not sidecar.exists():
        return {}
    headers = json.loads(sidecar.read_text(encoding="utf-8"))
    if not isinstance(headers, dict):
        raise ValueError(f"{sidecar}: expected a JSON object")
    return headers


def record_for(page: Path, url: str, fetched_at: str) -> dict[str, Any]:
    return extract(url, page.read_bytes(), headers_for(page), datetime.fromisoformat(fetched_at))


def empty_fields(record: dict[str, Any]) -> list[str]:
    return [name for name, value in record.items() if value in (None, "", [], {})]


def dump(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def regenerate(expected: Path) -> bool:
    """Rewrite one expected file; True when its content changed."""
    old = json.loads(expected.read_text(encoding="utf-8"))
    record = record_for(page_for(expected), old["url"], old["fetched_at"])
    new = {
        "url": old["url"],
        "fetched_at": old["fetched_at"],
        "expect_empty": old.get("expect_empty", []),
        "record": record,
    }
    stale = sorted(set(empty_fields(record)) ^ set(new["expect_empty"]))
    if stale:
        print(f"{expected}: empty fields differ from expect_empty: {stale}", file=sys.stderr)
    if new == old:
        return False
    dump(expected, new)
    return True


def create(page: Path, url: str, fetched_at: str) -> Path:
    expected = expected_for(page)
    if expected.exists():
        raise SystemExit(f"{expected} exists; regenerate it instead")
    record = record_for(page, url, fetched_at)
    dump(
        expected,
        {"url": url, "fetched_at": fetched_at, "expect_empty": empty_fields(record), "record": record},
    )
    return expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="expected files (default: all)")
    parser.add_argument(
        "--new", nargs=2, metavar=("PAGE", "URL"), help="create the expected file of a saved page"
    )
    parser.add_argument("--fetched-at", default=DEFAULT_FETCHED_AT, help="with --new")
    args = parser.parse_args(argv)
    if args.new:
        page, url = Path(args.new[0]), args.new[1]
        print(f"created {create(page, url, args.fetched_at)}: review every field")
        return 0
    files = args.files or sorted(FIXTURES.rglob("*" + SUFFIX))
    changed = [path for path in files if regenerate(path)]
    for path in changed:
        print(f"changed {path}")
    print(f"{len(changed)} of {len(files)} expected files changed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
