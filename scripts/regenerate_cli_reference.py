"""Rewrite the command reference in docs/archive.md from the commands' ``--help``.

tests/archive/test_docs.py fails when the two differ; run this after changing a command, and
review the diff.
"""

from __future__ import annotations

from pathlib import Path

from archive.cli import reference_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "archive.md"
START, END = "### `newscrawler search`", "## Datasette"

text = DOC.read_text("utf-8")
head, rest = text.split(START, 1)
tail = rest.split(END, 1)[1]
DOC.write_text(head + reference_markdown() + "\n" + END + tail, "utf-8")
