"""Streaming export of the current version of every article: JSON lines, CSV or Parquet.

Rows come one at a time from ``Archive.iter_articles``, and writers flush as they go, so memory
stays constant however large the archive is. CSV is meant for spreadsheets: one row per article,
UTF-8 with a byte order mark (Excel then reads Chinese correctly), lists joined with ``'; '`` and
paragraphs with line breaks inside the cell.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

# In the record's order (docs/record.md); the fields of a printed page are null elsewhere.
FIELDS = [
    "id", "canonical_url", "url", "portal", "article_id", "headline", "kicker", "subtitle",
    "published_at", "published_at_raw", "source", "paper", "edition_date", "page", "reporters",
    "editors", "paragraphs", "images", "script", "encoding", "extractor", "first_seen",
    "last_seen", "versions",
]
PARQUET_BATCH = 1000
LIST_SEPARATOR = "; "


class MissingDependency(RuntimeError):
    """An optional package needed for this format is not installed."""


def _ordered(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row.get(name) for name in FIELDS}


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(_ordered(row), ensure_ascii=False) + "\n")
        count += 1
    return count


def _person(person: dict[str, Any]) -> str:
    return f"{person['role']} {person['name']}" if person.get("role") else person["name"]


def csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """A flat row: people as ``role name``, images as their URLs."""
    flat = _ordered(row)
    flat["reporters"] = LIST_SEPARATOR.join(_person(p) for p in row["reporters"])
    flat["editors"] = LIST_SEPARATOR.join(_person(p) for p in row["editors"])
    flat["paragraphs"] = "\n".join(row["paragraphs"])
    flat["images"] = LIST_SEPARATOR.join(image["url"] for image in row["images"])
    return flat


def write_csv(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """CSV rows; open ``out`` with ``encoding='utf-8-sig'`` for the BOM."""
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(csv_row(row))
        count += 1
    return count


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(_ordered(row))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def write_parquet(rows: Iterable[dict[str, Any]], path: str) -> int:
    """A Parquet file written in row groups of ``PARQUET_BATCH`` articles."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise MissingDependency(
            "Parquet export needs pyarrow, the parquet extra: in a source checkout"
            " .venv/bin/pip install -e '.[parquet]' (an installed package: pip install"
            " 'newscrawler[parquet]')"
        ) from exc
    person = pa.struct([("role", pa.string()), ("name", pa.string())])
    schema = pa.schema([
        ("id", pa.int64()), ("canonical_url", pa.string()), ("url", pa.string()),
        ("portal", pa.string()), ("article_id", pa.string()), ("headline", pa.string()),
        ("kicker", pa.string()), ("subtitle", pa.string()),
        ("published_at", pa.string()), ("published_at_raw", pa.string()),
        ("source", pa.string()), ("paper", pa.string()), ("edition_date", pa.string()),
        ("page", pa.string()),
        ("reporters", pa.list_(person)), ("editors", pa.list_(person)),
        ("paragraphs", pa.list_(pa.string())),
        ("images", pa.list_(pa.struct([("url", pa.string()), ("caption", pa.string())]))),
        ("script", pa.string()), ("encoding", pa.string()), ("extractor", pa.string()),
        ("first_seen", pa.string()), ("last_seen", pa.string()), ("versions", pa.int64()),
    ])
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        for batch in _batches(rows, PARQUET_BATCH):
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count
