"""Quality floors: the newscrawler scores per corpus that extraction must never fall below.

``quality_floors.json`` holds, per corpus, the page count the floors were pinned on and one floor
per field. ``tests/test_quality_floors.py`` fails when a score drops below its floor. Floors only
move up: ``raise_floors`` (``extraction_quality.py --update-floors``) lifts each floor to today's
score and never lowers one. A corpus whose page count changed measures something else; its floors
are not touched, and re-pinning them is a decision for a person, made by editing the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FLOORS_FILE = Path(__file__).resolve().parent / "quality_floors.json"
FIELDS = ("headline", "published_at", "source", "reporters", "editors", "body")


def load(path: Path = FLOORS_FILE) -> dict[str, Any]:
    floors: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return floors


def save(floors: dict[str, Any], path: Path = FLOORS_FILE) -> None:
    path.write_text(json.dumps(floors, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def below(scores: dict[str, float], pinned: dict[str, float]) -> dict[str, tuple[float, float]]:
    """The fields scoring under their floor: {field: (score, floor)}."""
    return {name: (scores[name], floor) for name, floor in pinned.items() if scores[name] < floor}


def raise_floors(
    floors: dict[str, Any], corpus: str, corpus_path: str, pages: int, scores: dict[str, float]
) -> list[str]:
    """Lift the corpus's floors to ``scores`` where they are higher; never lower one.

    A corpus without floors yet gets today's scores. Returns what happened, one line per change
    (or why nothing changed), for the person running it to read.
    """
    entry = floors["corpora"].get(corpus)
    if entry is None:
        floors["corpora"][corpus] = {
            "corpus": corpus_path,
            "pages": pages,
            "floors": {name: scores[name] for name in FIELDS},
        }
        return [f"{corpus}: pinned at today's scores ({pages} pages)"]
    if entry["pages"] != pages:
        return [
            f"{corpus}: not raised: floors were pinned on {entry['pages']} pages, the corpus has "
            f"{pages} now; re-pin by hand in {FLOORS_FILE.name}"
        ]
    changes = []
    for name in FIELDS:
        if scores[name] > entry["floors"][name]:
            changes.append(f"{corpus}: {name} {entry['floors'][name]:.4f} -> {scores[name]:.4f}")
            entry["floors"][name] = scores[name]
    return changes or [f"{corpus}: no floor to raise"]
