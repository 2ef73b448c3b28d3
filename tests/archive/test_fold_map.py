"""The fold map shipped with the package (``archive/fold_map.json``) against OpenCC itself."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

import archive.fold
from archive import Archive
from archive.fold import compute_fold_map, fold_map, fold_versions, shipped_fold_map


def test_shipped_map_is_for_the_installed_versions() -> None:
    # Fails after an OpenCC or Python upgrade: run scripts/regenerate_fold_map.py and commit.
    _, versions = shipped_fold_map()
    assert versions == fold_versions()


def test_shipped_map_equals_the_computed_map() -> None:
    mapping, _ = shipped_fold_map()
    assert mapping == compute_fold_map()
    assert mapping["聞"] == "闻" and mapping["Ａ"] == "a"


def test_a_new_archive_stores_the_computed_map(tmp_path: Path) -> None:
    Archive.open(tmp_path / "a.sqlite").close()
    conn = sqlite3.connect(tmp_path / "a.sqlite")
    stored = dict(conn.execute("SELECT ch, folded FROM fold"))
    source = conn.execute("SELECT value FROM archive_meta WHERE key = 'fold_source'").fetchone()[0]
    conn.close()
    assert stored == compute_fold_map()
    assert source == f"opencc {fold_versions()['opencc']} t2s, NFKC, lower"


def test_a_map_for_other_versions_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "fold_map.json"
    other.write_text(json.dumps({"versions": {"opencc": "0.1", "unicode": "1.0"},
                                 "pairs": [[ord("聞"), ord("x")]]}), encoding="utf-8")
    monkeypatch.setattr(archive.fold, "FOLD_MAP_FILE", other)
    assert fold_map() == compute_fold_map()
    # The same file with today's versions is taken as it is.
    other.write_text(json.dumps({"versions": fold_versions(), "pairs": [[ord("聞"), ord("x")]]}),
                     encoding="utf-8")
    assert fold_map() == {"聞": "x"}


def test_a_missing_map_is_computed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive.fold, "FOLD_MAP_FILE", tmp_path / "absent.json")
    assert fold_map() == compute_fold_map()
