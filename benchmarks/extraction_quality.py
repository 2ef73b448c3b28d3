"""Extraction quality: newscrawler's generic extractor against trafilatura and GNE, per field.

A corpus is a folder of saved pages and hand annotations (``pages/NAME.html`` and
``annotations/NAME.json``, schema in the corpus README). By default every known corpus is scored,
each in its own table, then one summary table (``_corpora.py`` lists them): ``dev`` and ``dev2``
(development, ``../shared/corpus``), ``dev3`` (held out, not tuned on), ``heldout``
(newspaper4k pages, held out; downloaded into ``.cache/heldout`` by ``fetch_heldout.py``
first, skipped with the reason when that fails) and ``found`` (development, GNE 0.4.3 sdist
pages from sites not in dev; downloaded into ``.cache/found`` the same way). A corpus folder
that is absent is skipped too. Pages are third-party content: they are read at run time, never
copied into the project.

    .venv/bin/python benchmarks/extraction_quality.py [--corpus NAME|DIR] [--pages] [--json FILE]
    .venv/bin/python benchmarks/extraction_quality.py --only newscrawler --update-floors

Every page goes through the three extractors in one run; each field scores 1 (right) or 0
(wrong) per page, except the body, and the table shows the average over the pages:

- ``headline``: equal after whitespace normalisation (NFC, runs of whitespace to one space).
- ``published_at``: the same minute, compared in UTC; an annotation that shows only a date
  (``2012-06-24``) compares the date in China Standard Time. An annotation without a UTC offset
  (dev3 ``traf2_cdp1998``: a US-style time, zone not shown) states only the clock time the page
  shows, so the prediction's clock time in its own offset is compared (a zone-less prediction as
  written): an extractor that reads the right time and assumes a zone is right, whatever zone.
- ``source``: equal after whitespace normalisation.
- ``reporters``, ``editors``: the same set of names (roles are not compared). On a corpus whose
  README lists no photographers (dev3), people with a photo role (摄, 摄影, 图 …) are left out on
  both sides before comparing; only newscrawler gives roles, the others give bare names.
- ``body``: ROUGE-L F1 between the joined paragraphs, tokenised with jieba (whitespace tokens
  dropped); the longest common subsequence is computed here, bit-parallel. Paragraphs the
  annotation marks optional (captions standing as their own block, named with their indices in the
  notes; RFI's standfirst in dev3) count either way: the better of the scores against all
  paragraphs and against the paragraphs without the optional ones.

**Empty annotations.** When the annotation has null or an empty list for a field, an extractor is
right when it also returns nothing (null, empty string or empty list) and wrong when it returns
anything: inventing a source or a reporter is an error, as missing one is. An extractor that gives
no result for a page (newscrawler rejecting it for want of a headline or body, an exception)
scores 0 on every field of that page, empty ones included. Organisations in an author slot, which
dev3 does not list as people, are not filtered: naming one is the extractor's error.

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
- newscrawler gets the annotation's URL when it has one (the page's own, from the page) and no
  URL otherwise, as ``newscrawler extract`` without ``--url``; trafilatura gets the same URL.

Timing: milliseconds per page, the median of ``--rounds`` runs after one warm-up run, for each
extractor on the same pages; newscrawler's time is the whole ``extract`` (decoding, reading,
normalisation, validation), trafilatura's starts from bytes, GNE's includes decoding.

**Floors.** ``quality_floors.json`` pins newscrawler's scores per corpus and
``tests/test_quality_floors.py`` fails when one drops. ``--update-floors`` raises every floor of
the corpora just scored to today's score and never lowers one (see ``_floors.py``).

Needs the ``bench`` extra (trafilatura, gne, jieba).
"""

from __future__ import annotations

import argparse
import json
import os
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _corpora  # noqa: E402
import _floors  # noqa: E402
from _corpora import Corpus  # noqa: E402
from _floors import FIELDS  # noqa: E402

from newscrawler.extract import InvalidRecord, extract  # noqa: E402
from newscrawler.extract.decode import decode_html  # noqa: E402
from newscrawler.extract.times import parse_time, portal_zone  # noqa: E402

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
    # Indices of paragraphs that count either way (captions, a standfirst).
    optional: frozenset[int] = frozenset()
    # False where the corpus lists no photographers: photo roles are left out before comparing.
    photographers_listed: bool = True

    @property
    def url(self) -> str | None:
        """The page's own URL as annotated (read off the page), or None when it shows none."""
        url: str | None = self.annotation.get("url")
        return url


def load_corpus(corpus: Path | Corpus) -> list[Case]:
    """The pages of a corpus with their annotations and the corpus's scoring rules."""
    known = corpus if isinstance(corpus, Corpus) else _corpora.for_path(corpus)
    cases = []
    for path in sorted((known.path / "annotations").glob("*.json")):
        annotation = json.loads(path.read_text(encoding="utf-8"))
        body = (known.path / "pages" / f"{path.stem}.html").read_bytes()
        optional = _corpora.optional_paragraphs(known, path.stem, annotation)
        cases.append(Case(path.stem, body, annotation, optional, known.photographers_listed))
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
        "reporters": record["reporters"],
        "editors": record["editors"],
        "paragraphs": record["paragraphs"],
    }


def _split_names(value: str | None) -> list[dict[str, Any]]:
    """People from a names-only author string: no role is known."""
    return [{"role": None, "name": name} for name in _NAME_SPLIT.split(value or "") if name.strip()]


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
    # bare_extraction gives a dict only when asked to (as_dict, deprecated).
    assert not isinstance(document, dict)
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
    """A time as an extractor or annotation writes it; a zone-less one is read in CST."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return date.fromisoformat(value)
    return parse_time(value, FETCHED_AT, CST)


# An ISO 8601 time that ends with its UTC offset.
_OFFSET = re.compile(r"(?:[+-]\d{2}:?\d{2}|Z)$")


def _wall_clock(value: str) -> datetime | None:
    """A zone-less annotated time as the clock time it shows (naive)."""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        parsed = parse_time(value, FETCHED_AT, CST)
        return parsed.replace(tzinfo=None) if parsed else None


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


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
    assert annotated is not None  # want is not None
    if not _OFFSET.search(annotated.strip()):
        # The page shows a clock time and no zone (dev3 traf2_cdp1998): no offset can be right or
        # wrong, so the prediction's clock time in the offset it gives is what counts.
        shown = _wall_clock(annotated.strip())
        return shown is not None and _minute(got.replace(tzinfo=None)) == _minute(shown)
    return _minute(got.astimezone(timezone.utc)) == _minute(want.astimezone(timezone.utc))


def people(found: list[dict[str, Any]] | None, photographers_listed: bool = True) -> set[str]:
    """The set of names compared, photo roles left out where the corpus lists no photographers."""
    return {
        normalise(person["name"])
        for person in found or []
        if photographers_listed or not _corpora.is_photo_role(person.get("role"))
    }


def names_correct(
    predicted: list[dict[str, Any]] | None, annotated: list[dict[str, Any]], photographers_listed: bool = True
) -> bool:
    return people(predicted, photographers_listed) == people(annotated, photographers_listed)


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


def body_score(paragraphs: list[str], case: Case) -> float:
    """ROUGE-L of the body; optional paragraphs count either way (the better of both)."""
    predicted = tokens("\n".join(paragraphs))
    reference = case.annotation["paragraphs"]
    best = rouge_l(predicted, tokens("\n".join(reference)))
    if case.optional:
        required = [text for index, text in enumerate(reference) if index not in case.optional]
        best = max(best, rouge_l(predicted, tokens("\n".join(required))))
    return best


def score(prediction: Prediction, case: Case) -> dict[str, float]:
    if not prediction:
        # No record at all (rejected page, crash): nothing is right, not even the empty fields.
        return dict.fromkeys(FIELDS, 0.0)
    annotation, listed = case.annotation, case.photographers_listed
    source = normalise(prediction.get("source")) or None
    want_source = normalise(annotation.get("source_outlet")) or None
    return {
        "headline": float(normalise(prediction.get("headline")) == normalise(annotation["headline"])),
        "published_at": float(time_correct(prediction.get("published_at"), annotation.get("published_at"))),
        "source": float(source == want_source),
        "reporters": float(names_correct(prediction.get("reporters"), annotation.get("reporters") or [], listed)),
        "editors": float(names_correct(prediction.get("editors"), annotation.get("editors") or [], listed)),
        "body": body_score(prediction.get("paragraphs") or [], case),
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
            pages[case.name] = score(predictions[case.name], case)
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


def print_summary(runs: dict[str, Any]) -> None:
    """One row per field, one column per corpus: the extractors' averages side by side."""
    extractors = list(next(iter(runs.values()))["results"])
    corpora = [f"{name} ({run['pages']})" for name, run in runs.items()]
    width = max(len(" / ".join(["0.000"] * len(extractors))), *(len(c) for c in corpora)) + 2
    print(f"\nsummary: {' / '.join(extractors)}")
    print(f"{'field':<14}" + "".join(f"{c:>{width}}" for c in corpora))
    for field in (*FIELDS, "ms/page"):
        cells = []
        for run in runs.values():
            results = run["results"]
            if field == "ms/page":
                cells.append(" / ".join(f"{results[e]['ms_per_page']:.1f}" for e in extractors))
            else:
                cells.append(" / ".join(f"{results[e]['average'][field]:.3f}" for e in extractors))
        print(f"{field:<14}" + "".join(f"{c:>{width}}" for c in cells))


def select_corpora(name: str | None) -> list[Corpus]:
    """Every known corpus, or the one named (by name or folder)."""
    if name is None:
        return list(_corpora.CORPORA)
    try:
        return [_corpora.by_name(name)]
    except KeyError:
        return [_corpora.for_path(Path(name))]


def update_floors(runs: dict[str, Any]) -> None:
    """Raise the floors of the known corpora just scored; other folders have none."""
    floors = _floors.load()
    known = {corpus.name: corpus.path.resolve() for corpus in _corpora.CORPORA}
    for name, run in runs.items():
        corpus_path = Path(run["path"]).resolve()
        if known.get(name) != corpus_path:
            print(f"floors: {corpus_path}: not one of the known corpora, no floors kept")
            continue
        try:
            stored = str(corpus_path.relative_to(REPO))
        except ValueError:
            stored = os.path.relpath(corpus_path, REPO)
        for line in _floors.raise_floors(
            floors, name, stored, run["pages"], run["results"]["newscrawler"]["average"]
        ):
            print(f"floors: {line}")
    _floors.save(floors)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", help="score one corpus: a name (" + ", ".join(c.name for c in _corpora.CORPORA)
        + ") or a folder; default: all of them, each in its own table"
    )
    parser.add_argument("--only", choices=EXTRACTORS, action="append", help="run only these extractors")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (median is shown)")
    parser.add_argument("--pages", action="store_true", help="print per-page scores")
    parser.add_argument("--json", type=Path, help="write every score and prediction to this file, by corpus")
    parser.add_argument(
        "--no-download", action="store_true",
        help="do not download the heldout or found pages when they are missing (skip that corpus)",
    )
    parser.add_argument(
        "--update-floors", action="store_true",
        help="raise quality_floors.json to newscrawler's scores of this run; never lowers a floor",
    )
    args = parser.parse_args(argv)
    extractors = tuple(args.only or EXTRACTORS)
    if args.update_floors and "newscrawler" not in extractors:
        parser.error("--update-floors needs the newscrawler scores")
    corpora = select_corpora(args.corpus)
    if args.corpus and not corpora[0].present() and corpora[0].name not in _corpora.FETCHED:
        parser.error(f"no corpus at {corpora[0].path}")
    runs: dict[str, Any] = {}
    for corpus in corpora:
        if corpus.name in _corpora.FETCHED:
            reason = _corpora.fetch_heldout(download=not args.no_download, corpus=corpus.name)
            if reason:
                print(f"{corpus.title}: skipped, {reason}\n")
                continue
        if not corpus.present():
            print(f"{corpus.title}: skipped, no corpus at {corpus.path}\n")
            continue
        cases = load_corpus(corpus)
        results = evaluate(cases, extractors, args.rounds)
        runs[corpus.name] = {
            "label": corpus.label,
            "held_out": corpus.held_out,
            "path": str(corpus.path),
            "pages": len(cases),
            "results": results,
        }
        optional = sum(len(case.optional) for case in cases)
        print(f"{corpus.title}: {len(cases)} pages from {corpus.path}")
        if optional:
            on = sum(1 for case in cases if case.optional)
            print(f"  (optional paragraphs: {optional}, on {on} page{'s' if on > 1 else ''})")
        if not corpus.photographers_listed:
            print("  (reporters compared without photo roles: 摄, 摄影, 图 …)")
        print()
        print_table(results)
        if args.pages:
            print_pages(results)
        print()
    if not runs:
        print("no corpus to score", file=sys.stderr)
        return 1
    if len(runs) > 1:
        print_summary(runs)
    if args.json:
        args.json.write_text(json.dumps(runs, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    if args.update_floors:
        print()
        update_floors(runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
