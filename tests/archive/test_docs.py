"""docs/archive.md cannot drift: it carries the commands' help and the canned search SQL."""

from __future__ import annotations

import json
import re
from pathlib import Path

from archive import Archive
from archive.cli import reference_markdown
from archive.schema import SCHEMA_V1
from archive.serve import METADATA_FILE

DOC = Path(__file__).resolve().parents[2] / "docs" / "archive.md"


def test_every_command_is_documented_with_its_help():
    assert reference_markdown() in DOC.read_text("utf-8")


def test_the_documented_search_sql_is_the_canned_query():
    text = DOC.read_text("utf-8")
    block = text.split("<!-- search-sql", 1)[1].split("```sql\n", 1)[1].split("\n```", 1)[0]
    metadata = json.loads(METADATA_FILE.read_text("utf-8"))
    assert block == metadata["databases"]["newscrawler"]["queries"]["search"]["sql"]


def test_every_table_and_view_is_documented(db_path):
    text = DOC.read_text("utf-8")
    names = re.findall(r"CREATE (?:TABLE|VIEW|VIRTUAL TABLE) (\w+)", SCHEMA_V1)
    assert names and all(f"`{name}`" in text for name in names)
    with Archive.open(db_path) as archive:
        described = json.loads(METADATA_FILE.read_text("utf-8"))["databases"]["newscrawler"]["tables"]
        public = [t for t in archive.db.table_names() + archive.db.view_names()
                  if not t.startswith("search_")]
        assert sorted(public) == sorted(described)
