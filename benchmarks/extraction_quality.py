"""Extraction quality: newscrawler's generic extractor against trafilatura and GNE, per field.

The corpus is a folder of saved pages and hand annotations (``pages/NAME.html`` and
``annotations/NAME.json``, schema in the corpus README); by default ``../shared/corpus/dev``
relative to the repository. Pages are third-party content: they are read at run time, never
copied into the project.

    .venv/bin/python benchmarks/extraction_quality.py [--corpus DIR] [--pages] [--json FILE]

Every page goes through the three extractors in one run; each field scores 1 (right) or 0
(wrong) per page, except the body, and the table shows the average over the pages:

- ``headline``: equal after whitespace normalisation (NFC, runs of whitespace to one space).
- ``published_at``: the same minute, compared in UTC; an annotation that shows only a date
  (``2012-06-24``) compares the date in China Standard Time.
- ``source``: equal after whitespace normalisation.
- ``reporters``, ``editors``: the same set of names (roles are not compared).
- ``body``: ROUGE-L F1 between the joined paragraphs, tokenised with jieba (whitespace tokens
  dropped); the longest common subsequence is computed here, bit-parallel.

**Empty annotations.** When the annotation has null or an empty list for a field, an extractor is
right when it also returns nothing (null, empty string or empty list) and wrong when it returns
anything: inventing a source or a reporter is an error, as missing one is. An extractor that gives
no result for a page (newscrawler rejecting it for want of a headline or body, an exception)
scores 0 on every field of that page, empty ones included.

**Mapping the other extractors** (as fairly as their outputs allow):

- trafilatura (``bare_extraction`` on the page bytes, ``with_metadata=True``, htmldate asked for a
  time as well as a date, ``original_date`` and ``extensive_search`` on): ``title`` → headline,
  ``date`` → published_at (read in China Standard Time when zone-less), ``sitename`` → source (it
  has no 来源 field; the site name is the closest and often equal), ``author`` split on ``;`` ``,``
  ``、`` → reporters, nothing → editors, ``text`` lines → paragraphs.
- GNE (``GeneralNewsExtractor().extract`` on the text decoded as newscrawler decodes it):
  ``title`` → headline, ``publish_time`` → published_at (CST when zone-less), ``author`` split as
  above → reporters; it has no source or editor field (null and empty), ``content`` lines →
  paragraphs.

Timing: milliseconds per page, the median of ``--rounds`` runs after one warm-up run, for each
extractor on the same pages; newscrawler's time is the whole ``extract`` (decoding, reading,
normalisation, validation), trafilatura's starts from bytes, GNE's includes decoding.

Needs the ``bench`` extra (trafilatura, gne, jieba).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newscrawler.extract import InvalidRecord, extract  # noqa: E402
from newscrawler.extract.decode import decode_html  # noqa: E402
from newscrawler.extract.times import parse_time, portal_zone  # noqa: E402

DEFAULT_CORPUS = (REPO / ".." / "shared" / "corpus" / "dev").resolve()
FIELDS = ("headline", "published_at", "source", "reporters", "editors", "body")
EXTRACTORS = ("newscrawler", "trafilatura", "gne")
# A fixed reference for reading the other extractors' time strings, so that a relative or
# year-less one never depends on today.
FETCHED_AT = datetime(2024, 7, 1, 4, 0, tzinfo=timezone.utc)
CST = portal_zone("Asia/Shanghai")
_NAME_SPLIT = re.compile(r"\s*[;；,，、]\s*")


@dataclass
class Case:
    name: str
    body: bytes
    annotation: dict[str, Any]

    @property
    def url(self) -> str:
        # Pages without a known URL get one on a reserved domain: the generic extractor needs one.
        return self.annotation.get("url") or f"https://corpus.invalid/{self.name}.html"


def load_corpus(corpus: Path) -> list[Case]:
    cases = []
    for path in sorted((corpus / "annotations").glob("*.json")):
        annotation = json.loads(path.read_text(encoding="utf-8"))
        body = (corpus / "pages" / f"{path.stem}.html").read_bytes()
        cases.append(Case(path.stem, body, annotation))
    return cases


# --- extractors: each returns our fields ---------------------------------------------------------

Prediction = dict[str, Any]


def run_newscrawler(case: Case) -> Prediction:
    try:
        # When a corpus page was saved is unknown: relative times (昨天) cannot be resolved.
        record = extract(case.url, case.body, {}, None, "generic")
    except InvalidRecord:
        return {}
    return {
        "headline": record["headline"],
        "published_at": record["published_at"],
        "source": record["source"],
        "reporters": [p["name"] for p in record["reporters"]],
        "editors": [p["name"] for p in record["editors"]],
        "paragraphs": record["paragraphs"],
    }


def _split_names(value: str | None) -> list[str]:
    return [name for name in _NAME_SPLIT.split(value or "") if name.strip()]


def run_trafilatura(case: Case) -> Prediction:
    import trafilatura

    document = trafilatura.bare_extraction(
        case.body,
        url=case.annotation.get("url"),
        with_metadata=True,
        date_extraction_params={
            "extensive_search": True,
            "original_date": True,
            "outputformat": "%Y-%m-%d %H:%M:%S",
        },
    )
    if document is None:
        return {}
    return {
        "headline": document.title,
        "published_at": document.date,
        "source": document.sitename,
        "reporters": _split_names(document.author),
        "editors": [],
        "paragraphs": (document.text or "").splitlines(),
    }


_GNE = None


def run_gne(case: Case) -> Prediction:
    global _GNE
    from gne import GeneralNewsExtractor

    if _GNE is None:
        _GNE = GeneralNewsExtractor()
    html = decode_html(case.body).text
    try:
        result = _GNE.extract(html)
    except Exception as exc:  # noqa: BLE001 - GNE raises bare exceptions on odd pages; scores zero
        print(f"gne failed on {case.name}: {exc!r}", file=sys.stderr)
        return {}
    return {
        "headline": result.get("title"),
        "published_at": result.get("publish_time"),
        "source": None,
        "reporters": _split_names(result.get("author")),
        "editors": [],
        "paragraphs": (result.get("content") or "").splitlines(),
    }


RUNNERS: dict[str, Callable[[Case], Prediction]] = {
    "newscrawler": run_newscrawler,
    "trafilatura": run_trafilatura,
    "gne": run_gne,
}


# --- scoring -------------------------------------------------------------------------------------


def normalise(text: str | None) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()


def _as_time(value: str | None) -> datetime | date | None:
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return date.fromisoformat(value)
    parsed = parse_time(value, FETCHED_AT, CST)
    return parsed


def time_correct(predicted: str | None, annotated: str | None) -> bool:
    want = _as_time(annotated)
    if want is None:
        return not predicted
    got = _as_time(predicted)
    if got is None:
        return False
    if not isinstance(want, datetime):
        got_day = got.astimezone(CST).date() if isinstance(got, datetime) else got
        return got_day == want
    if not isinstance(got, datetime):
        return False
    return got.astimezone(timezone.utc).replace(second=0, microsecond=0) == want.astimezone(
        timezone.utc
    ).replace(second=0, microsecond=0)


def names_correct(predicted: list[str] | None, annotated: list[dict[str, Any]]) -> bool:
    return {normalise(n) for n in predicted or []} == {normalise(p["name"]) for p in annotated}


_JIEBA = None


def tokens(text: str) -> list[str]:
    global _JIEBA
    if _JIEBA is None:
        import jieba

        jieba.setLogLevel(60)
        _JIEBA = jieba
    return [t for t in _JIEBA.lcut(text) if t.strip()]


def lcs_length(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence, bit-parallel (Hyyrö 2004) over Python ints."""
    if not a or not b:
        return 0
    masks: dict[str, int] = {}
    for index, token in enumerate(a):
        masks[token] = masks.get(token, 0) | (1 << index)
    full = (1 << len(a)) - 1
    v = full
    for token in b:
        u = v & masks.get(token, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - bin(v).count("1")


def rouge_l(predicted: list[str], reference: list[str]) -> float:
    """ROUGE-L F1 of two token lists."""
    if not predicted and not reference:
        return 1.0
    lcs = lcs_length(reference, predicted)
    if not lcs:
        return 0.0
    precision, recall = lcs / len(predicted), lcs / len(reference)
    return 2 * precision * recall / (precision + recall)


def score(prediction: Prediction, annotation: dict[str, Any]) -> dict[str, float]:
    if not prediction:
        # No record at all (rejected page, crash): nothing is right, not even the empty fields.
        return dict.fromkeys(FIELDS, 0.0)
    source = normalise(prediction.get("source")) or None
    want_source = normalise(annotation.get("source_outlet")) or None
    body = tokens("\n".join(prediction.get("paragraphs") or []))
    return {
        "headline": float(normalise(prediction.get("headline")) == normalise(annotation["headline"])),
        "published_at": float(time_correct(prediction.get("published_at"), annotation.get("published_at"))),
        "source": float(source == want_source),
        "reporters": float(names_correct(prediction.get("reporters"), annotation.get("reporters") or [])),
        "editors": float(names_correct(prediction.get("editors"), annotation.get("editors") or [])),
        "body": rouge_l(body, tokens("\n".join(annotation["paragraphs"]))),
    }


def averages(scores: list[dict[str, float]]) -> dict[str, float]:
    return {name: round(sum(s[name] for s in scores) / len(scores), 4) for name in FIELDS}


# --- running -------------------------------------------------------------------------------------


def evaluate(cases: list[Case], extractors: tuple[str, ...] = EXTRACTORS, rounds: int = 1) -> dict[str, Any]:
    """Scores per extractor and page, their averages, and the median time per page."""
    results: dict[str, Any] = {}
    for name in extractors:
        runner = RUNNERS[name]
        pages: dict[str, dict[str, float]] = {}
        predictions: dict[str, Prediction] = {}
        times: list[float] = []
        for case in cases:
            runner(case)  # warm-up: imports, caches, compiled patterns
        for _ in range(max(1, rounds)):
            started = time.perf_counter()
            for case in cases:
                predictions[case.name] = runner(case)
            times.append((time.perf_counter() - started) * 1000 / len(cases))
        for case in cases:
            pages[case.name] = score(predictions[case.name], case.annotation)
        results[name] = {
            "average": averages(list(pages.values())),
            "ms_per_page": round(statistics.median(times), 2),
            "pages": pages,
            "predictions": predictions,
        }
    return results


def print_table(results: dict[str, Any]) -> None:
    names = list(results)
    print(f"{'field':<14}" + "".join(f"{n:>14}" for n in names))
    for field in FIELDS:
        print(f"{field:<14}" + "".join(f"{results[n]['average'][field]:>14.3f}" for n in names))
    print(f"{'ms/page':<14}" + "".join(f"{results[n]['ms_per_page']:>14.1f}" for n in names))


def print_pages(results: dict[str, Any]) -> None:
    for name, result in results.items():
        print(f"\n{name}: per page ({' '.join(f[:4] for f in FIELDS)})")
        for page, scores in result["pages"].items():
            marks = " ".join(f"{scores[f]:.2f}" for f in FIELDS)
            print(f"  {page:<24} {marks}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus folder")
    parser.add_argument("--only", choices=EXTRACTORS, action="append", help="run only these extractors")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (median is shown)")
    parser.add_argument("--pages", action="store_true", help="print per-page scores")
    parser.add_argument("--json", type=Path, help="write every score and prediction to this file")
    args = parser.parse_args(argv)
    if not (args.corpus / "annotations").is_dir():
        parser.error(f"no corpus at {args.corpus}")
    cases = load_corpus(args.corpus)
    results = evaluate(cases, tuple(args.only or EXTRACTORS), args.rounds)
    print(f"{len(cases)} pages from {args.corpus}\n")
    print_table(results)
    if args.pages:
        print_pages(results)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
