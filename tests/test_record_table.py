"""``docs/record.md`` is generated from the field table and must not drift from it."""

from __future__ import annotations

from pathlib import Path

from newscrawler.extract.record import field_table_markdown

DOC = Path(__file__).resolve().parent.parent / "docs" / "record.md"


def test_record_doc_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == field_table_markdown(), (
        "docs/record.md is stale: python -m newscrawler.extract.record > docs/record.md"
    )
