"""Extraction quality floors: the generic extractor never gets worse on any annotated corpus.

Runs newscrawler alone (not the other extractors) through ``benchmarks/extraction_quality.py``
on each corpus of ``benchmarks/quality_floors.json`` (dev, dev2, dev3, heldout, found), and fails when a
field's average drops below its floor. Floors only move up: when the extractor improves, raise
them in the same commit with ``python benchmarks/extraction_quality.py --only newscrawler
--update-floors``. A corpus whose folder is absent (third-party pages, never in the repository;
the heldout and found pages until ``benchmarks/fetch_heldout.py`` has run) is skipped, as is everything
without jieba (the ``bench`` extra). Nothing is downloaded here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import BENCHMARKS, ROOT, load_benchmark

FLOORS = BENCHMARKS / "quality_floors.json"
FIELDS = {"headline", "published_at", "source", "reporters", "editors", "body"}



def _floors() -> dict[str, Any]:
    floors: dict[str, Any] = json.loads(FLOORS.read_text(encoding="utf-8"))
    return floors


def test_floors_file_is_well_formed() -> None:
    floors = _floors()
    assert "only move up" in floors["about"]
    corpora = load_benchmark("_corpora")
    assert set(floors["corpora"]) == {"dev", "dev2", "dev3", "heldout", "found"}
    for name, entry in floors["corpora"].items():
        assert set(entry) == {"corpus", "pages", "floors"}, name
        assert (ROOT / entry["corpus"]).resolve() == corpora.by_name(name).path.resolve(), name
        assert isinstance(entry["pages"], int) and entry["pages"] > 0, name
        assert set(entry["floors"]) == FIELDS, name
        assert all(0.0 <= value <= 1.0 for value in entry["floors"].values()), name


def test_raising_floors_never_lowers_one() -> None:
    floors_module = load_benchmark("_floors")
    floors = {"corpora": {"dev": {"corpus": "c", "pages": 2, "floors": dict.fromkeys(FIELDS, 0.5)}}}
    scores = {**dict.fromkeys(FIELDS, 0.4), "body": 0.75}
    changes = floors_module.raise_floors(floors, "dev", "c", 2, scores)
    assert changes == ["dev: body 0.5000 -> 0.7500"]
    assert floors["corpora"]["dev"]["floors"] == {**dict.fromkeys(FIELDS, 0.5), "body": 0.75}
    # Another page count measures something else: left to a person.
    assert "not raised" in floors_module.raise_floors(floors, "dev", "c", 3, dict.fromkeys(FIELDS, 1.0))[0]
    assert floors["corpora"]["dev"]["floors"]["headline"] == 0.5
    floors_module.raise_floors(floors, "new", "n", 4, scores)
    assert floors["corpora"]["new"] == {"corpus": "n", "pages": 4, "floors": scores}


@pytest.mark.parametrize("name", sorted(_floors()["corpora"]))
def test_generic_extractor_stays_above_its_floors(name: str) -> None:
    pytest.importorskip("jieba")
    entry = _floors()["corpora"][name]
    corpus = load_benchmark("_corpora").by_name(name)
    if not corpus.present():
        pytest.skip(f"no corpus at {corpus.path}")
    bench = load_benchmark("extraction_quality")
    cases = bench.load_corpus(corpus)
    assert len(cases) == entry["pages"], (
        f"{name} has {len(cases)} pages, its floors were pinned on {entry['pages']}: re-pin them by hand"
    )
    scores = bench.evaluate(cases, ("newscrawler",))["newscrawler"]["average"]
    print(f"{name}: field          score  floor")
    for field, floor in entry["floors"].items():
        print(f"{field:<14} {scores[field]:.4f}  {floor:.4f}")
    below = load_benchmark("_floors").below(scores, entry["floors"])
    assert not below, f"{name}: below the floor (score, floor): {below}"
