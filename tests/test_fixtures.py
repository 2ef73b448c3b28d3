"""Fixture replay: every saved page under ``fixtures/`` against its expected record, field by field.

Each ``<name>.expected.json`` beside a saved page ``<name>.html`` holds the URL and fetch time of
the page, ``expect_empty`` (the fields that are legitimately empty or null on that page) and the
full record. ``scripts/regenerate_expected.py`` rewrites the records; its diff is reviewed by a
person, because an expected record states what the page says, not what the extractor outputs.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from newscrawler.extract import extract
from newscrawler.extract.decode import decode_html
from newscrawler.extract.record import FIELDS, check_record

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SUFFIX = ".expected.json"
EXPECTED_FILES = sorted(FIXTURES.rglob("*" + SUFFIX))
EMPTY: tuple[Any, ...] = (None, "", [], {})


def _id(path: Path) -> str:
    return str(path.relative_to(FIXTURES))[: -len(SUFFIX)]


def _page(expected: Path) -> Path:
    stem = expected.name[: -len(SUFFIX)]
    for extension in (".html", ".htm"):
        page = expected.with_name(stem + extension)
        if page.exists():
            return page
    raise FileNotFoundError(f"no saved page beside {expected}")


def _headers(page: Path) -> dict[str, str]:
    sidecar = page.with_name(page.name + ".headers.json")
    return json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}


def _load(expected: Path) -> dict[str, Any]:
    return json.loads(expected.read_text(encoding="utf-8"))


def _is_empty(value: Any) -> bool:
    return any(value == empty and type(value) is type(empty) for empty in EMPTY)


@cache
def _extracted(expected_path: Path) -> dict[str, Any]:
    """The record extracted now from the page of one expected file (once per file)."""
    expected = _load(expected_path)
    page = _page(expected_path)
    return extract(
        expected["url"],
        page.read_bytes(),
        _headers(page),
        datetime.fromisoformat(expected["fetched_at"]),
    )


def test_fixtures_exist() -> None:
    assert EXPECTED_FILES, f"no {SUFFIX} files under {FIXTURES}"


@pytest.mark.parametrize("path", EXPECTED_FILES, ids=_id)
def test_record_passes_field_table(path: Path) -> None:
    record = _extracted(path)
    check_record(record)
    assert list(record) == list(_load(path)["record"]), "keys differ from the expected record"


@pytest.mark.parametrize(
    ("path", "field"),
    [(path, field) for path in EXPECTED_FILES for field in FIELDS],
    ids=[f"{_id(path)}:{field}" for path in EXPECTED_FILES for field in FIELDS],
)
def test_record_field_matches_expected(path: Path, field: str) -> None:
    record = _extracted(path)
    want = _load(path)["record"]
    assert field in record, f"{field}: missing from the extracted record"
    assert field in want, f"{field}: missing from the expected record"
    assert record[field] == want[field], f"{field} differs from the expected record"


@pytest.mark.parametrize("path", EXPECTED_FILES, ids=_id)
def test_expected_file_is_well_formed(path: Path) -> None:
    expected = _load(path)
    assert list(expected) == ["url", "fetched_at", "expect_empty", "record"]
    assert datetime.fromisoformat(expected["fetched_at"]).tzinfo is not None
    record = expected["record"]
    check_record(record)
    assert record["url"] == expected["url"]
    assert record["fetched_at"] == datetime.fromisoformat(expected["fetched_at"]).isoformat()


@pytest.mark.parametrize("path", EXPECTED_FILES, ids=_id)
def test_expected_empty_fields_are_declared(path: Path) -> None:
    expected = _load(path)
    declared = expected["expect_empty"]
    assert len(declared) == len(set(declared)), "expect_empty lists a field twice"
    unknown = sorted(set(declared) - set(FIELDS))
    assert not unknown, f"expect_empty names fields the record does not have: {unknown}"
    empty = {name for name, value in expected["record"].items() if _is_empty(value)}
    undeclared = sorted(empty - set(declared))
    assert not undeclared, f"empty in the expected record but not in expect_empty: {undeclared}"
    not_empty = sorted(set(declared) - empty)
    assert not not_empty, f"listed in expect_empty but not empty in the record: {not_empty}"


@pytest.mark.parametrize(
    "path",
    sorted(p for p in FIXTURES.rglob("*") if p.is_file()),
    ids=lambda p: str(p.relative_to(FIXTURES)),
)
def test_fixture_file_has_no_replacement_character(path: Path) -> None:
    # U+FFFD in a saved page or an expected record is a decoding error frozen into the fixtures.
    # Pages are read the way extraction reads them (their bytes may be GBK); the rest is UTF-8.
    body = path.read_bytes()
    if path.suffix in (".html", ".htm"):
        text = decode_html(body, _headers(path).get("Content-Type")).text
    else:
        text = body.decode("utf-8")
    assert "\ufffd" not in text
