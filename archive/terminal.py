"""Tables and summaries for a terminal, laid out by display width.

A Chinese character takes two cells of a terminal, a Latin letter one; counting characters (as
``str.ljust`` and tabulate do) misaligns every column after a Chinese one. rich measures cells.

On a terminal a table fits the window and long text wraps inside its column. Piped into a file
or another program nothing wraps, so each row stays one line that ``grep`` and ``cut`` can read.
Nothing is styled: the text is the same on a terminal and in a file, and ``[`` in a snippet
(the match marks) or a headline is printed as it is, never read as markup.
"""

from __future__ import annotations

import io
import re
import shutil
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

# Piped output never wraps: a width no row reaches.
UNLIMITED = 1_000_000
# Columns whose text is long and may wrap on a terminal; the others keep each value on one line.
WRAPPING = {"headline", "snippet", "title", "text", "url", "canonical_url", "hosts", "layouts"}


def terminal_width() -> int | None:
    """The window's width when standard output is a terminal, else None (do not wrap)."""
    stream = sys.stdout
    if hasattr(stream, "isatty") and stream.isatty():
        return shutil.get_terminal_size().columns
    return None


# Fractions of a second in a capture time: noise in a table, kept in JSON and CSV.
_FRACTION = re.compile(r"(?<=^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d+(?=[+-]\d\d:\d\d$|Z$)")


def cell(value: Any) -> str:
    """A value as a table shows it: nothing for null, lists joined with '; ', times to the
    second."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(cell(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return _FRACTION.sub("", str(value))


def table(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    headers: Sequence[str] | None = None,
    width: int | None = None,
) -> str:
    """``rows`` as an aligned table with a header row; numbers are right-aligned.

    ``width`` defaults to the terminal's (see ``terminal_width``).
    """
    rows = list(rows)
    width = width or terminal_width()
    grid = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    for column, header in zip(columns, headers or columns, strict=True):
        numeric = bool(rows) and all(
            isinstance(r.get(column), (int, float)) or r.get(column) is None for r in rows
        ) and any(r.get(column) is not None for r in rows)
        wraps = column in WRAPPING
        grid.add_column(
            header,
            justify="right" if numeric else "left",
            no_wrap=not wraps,
            overflow="fold" if wraps else "ellipsis",
        )
    for row in rows:
        grid.add_row(*(Text(cell(row.get(c))) for c in columns))
    return render(grid, width)


def render(renderable: Any, width: int | None) -> str:
    """What rich prints for ``renderable``, plain text, trailing spaces removed."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width or UNLIMITED, color_system=None, markup=False,
                      highlight=False, emoji=False, soft_wrap=False)
    console.print(renderable)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())


def people(entries: Iterable[Mapping[str, Any]]) -> str:
    """Reporters or editors as the page credits them: ``記者 陳荔雅; 特約通訊員 譚總``."""
    return "; ".join(" ".join(p for p in (e.get("role"), e.get("name")) if p) for e in entries)


def article_summary(found: Mapping[str, Any], *, paragraphs: int = 3, width: int | None = None) -> str:
    """What a reader wants first of an article (``Archive.article``): headline, time, source,
    people, the opening paragraphs, then its versions and captures as short tables."""
    width = width or terminal_width()
    row, record = found["article"], found["record"]
    facts: list[tuple[str, Any]] = [
        # The portal's own id as ``show`` and ``diff`` take it (PORTAL:ID).
        ("article", f"{row['id']} ({row['portal']}:{row['portal_article_id'] or '-'})"),
        # Removed or restored (docs/changes.md): said first, a reader must not miss it.
        ("status", row.get("status") not in (None, "live")
         and f"{row['status']} since {cell(row['status_since'])}"),
        ("published", record["published_at"] and (
            f"{record['published_at']} (page: {record['published_at_raw']})"
            if record["published_at_raw"] else record["published_at"])),
        ("source", record["source"]),
        ("reporters", people(record["reporters"])),
        ("editors", people(record["editors"])),
        ("script", record["script"]),
        ("images", len(record["images"]) or None),
        ("warnings", ", ".join(record["warnings"])),
    ]
    facts_grid = Table(box=None, show_header=False, pad_edge=False)
    facts_grid.add_column(no_wrap=True)
    facts_grid.add_column(overflow="fold")
    for name, value in facts:
        if value:
            facts_grid.add_row(Text(name), Text(str(value)))
    text = record["paragraphs"]
    shown = text if paragraphs <= 0 else text[:paragraphs]
    parts = [render(Text(record["headline"] or "(no headline)"), width),
             row["canonical_url"], "", render(facts_grid, width), ""]
    parts += [render(Text(p), width) + "\n" for p in shown]
    if len(shown) < len(text):
        parts.append(f"… {len(text) - len(shown)} more paragraphs ({len(text)} in all;"
                     " --paragraphs 0 shows them, --json gives the full record)\n")
    versions, captures = found["versions"], found["captures"]
    parts.append(f"Versions ({len(versions)}{latest_note(versions)})")
    parts.append(table(versions[-SHORT:], ["id", "first_seen", "last_seen", "extractor",
                                            "headline"], width=width))
    parts.append(f"\nCaptures ({len(captures)}{latest_note(captures)})")
    rows = [{**c, "warc": c.get("warc_filename") and f"{c['warc_filename']}@{c['warc_offset']}"}
            for c in captures[-SHORT:]]
    parts.append(table(rows, ["id", "fetched_at", "status", "outcome", "version_id", "url", "warc"],
                       headers=["id", "fetched_at", "status", "outcome", "version", "url",
                                "warc record"], width=width))
    return "\n".join(parts)


# Rows of the versions and captures tables in a summary: the latest ones; --json has them all.
SHORT = 10


def latest_note(rows: Sequence[Any]) -> str:
    return f", the latest {SHORT} shown" if len(rows) > SHORT else ""
