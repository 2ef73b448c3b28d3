"""Extraction quality floors: the generic extractor on the development corpus never gets worse.

Runs newscrawler alone (not the other extractors) through ``benchmarks/extraction_quality.py``
on the corpus, and fails when any field's average drops below its floor in
``benchmarks/quality_floors.json``. Floors only move up: when the extractor improves, raise them
in the same commit. Skipped when the corpus folder (third-party pages, never in the repository)
or jieba (the ``bench`` extra) is absent.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOORS = ROOT / "benchmarks" / "quality_floors.json"


def _benchmark():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("extraction_quality", ROOT / "benchmarks" / "extraction_quality.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("extraction_quality", module)
    spec.loader.exec_module(module)
    return module


def test_floors_file_is_well_formed() -> None:
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    assert "only move up" in floors["about"]
    assert set(floors["floors"]) == {"headline", "published_at", "source", "reporters", "editors", "body"}
    assert all(0.0 <= value <= 1.0 for value in floors["floors"].values())


def test_generic_extractor_stays_above_its_floors() -> None:
    pytest.importorskip("jieba")
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    corpus = (ROOT / floors["corpus"]).resolve()
    if not (corpus / "annotations").is_dir():
        pytest.skip(f"no corpus at {corpus}")
    bench = _benchmark()
    scores = bench.evaluate(bench.load_corpus(corpus), ("newscrawler",))["newscrawler"]["average"]
    print("field          score  floor")
    for field, floor in floors["floors"].items():
        print(f"{field:<14} {scores[field]:.3f}  {floor:.3f}")
    below = {f: (scores[f], floor) for f, floor in floors["floors"].items() if scores[f] < floor}
    assert not below, f"below the floor (score, floor): {below}"
