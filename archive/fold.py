"""Script and case folding plus the bigram index text behind Chinese full-text search.

SQLite's ``unicode61`` tokenizer does not split Chinese and ``trigram`` cannot match two
characters, so the archive indexes *overlapping bigrams* of a folded copy of the text:

* **Folding** maps every character to one character: NFKC (full-width → half-width), lower case,
  then OpenCC ``t2s`` (Traditional → Simplified). It is per character on purpose: OpenCC's phrase
  conversion depends on the neighbours, so a query converted on its own could fold differently
  from the same characters inside an article, and a substring search would miss it. A per
  character map keeps ``fold(part)`` a substring of ``fold(text)``, and keeps lengths equal, so a
  match position in the folded text is the same position in the original.
* The map is stored in the archive's ``fold`` table when the archive is created; the library
  reads it back from there, so an archive never disagrees with itself after an OpenCC upgrade,
  and plain SQL (Datasette, the ``sqlite3`` shell) can fold a query with a join. Computing it
  takes about a second (every code point through OpenCC), so the package ships it computed
  (``fold_map.json``, ``fold_map()``), used when the installed OpenCC and Python's Unicode
  database are the versions it was computed with, and computed afresh otherwise.
* **Index text**: the folded text is cut into runs at whitespace and control characters; each run
  ``c1 c2 … cn`` becomes the tokens ``c1c2 c2c3 … c(n-1)cn cn``. The trailing single character
  makes one-character prefix queries exact.
* **Queries**: a term of two or more characters becomes the FTS5 phrase of its bigrams
  (``"徐闻 闻奋 奋力"``), which matches exactly the runs that contain the term: recall equals a
  ``LIKE '%term%'`` scan of the folded text. A one-character term becomes ``"c" *``, which the
  index's one-character prefix index (``prefix = '1'``) answers from one posting list. The query
  language around terms (OR, NOT, phrases, parentheses) is ``archive/syntax.py``.
"""

from __future__ import annotations

import array
import functools
import itertools
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

# FTS5 tokenizer for the index: every character except whitespace and controls is a token
# character, so our space-separated bigrams reach the index unchanged (punctuation included,
# which keeps recall equal to LIKE for queries that contain it). ``Cn`` matters: SQLite's
# Unicode tables are old, so recent CJK extensions (U+30000 …) count as unassigned there.
TOKENIZE = "unicode61 remove_diacritics 0 categories 'L* N* P* S* M* Co Cn Cf'"

# Run breaks: whitespace and C0/C1 controls, the characters the tokenizer above separates on.
SEPARATOR_CHARS = r"\s\x00-\x1f\x7f-\x9f"
_SEPARATORS = re.compile(f"[{SEPARATOR_CHARS}]+")

FoldTable = Mapping[int, str]

# The map computed by ``compute_fold_map``, with the versions it depends on
# (``scripts/regenerate_fold_map.py`` writes it).
FOLD_MAP_FILE = Path(__file__).with_name("fold_map.json")


@functools.lru_cache(maxsize=1)
def fold_versions() -> dict[str, str]:
    """The versions ``compute_fold_map``'s result depends on: OpenCC's and Unicode's."""
    try:
        opencc = version("opencc")
    except PackageNotFoundError:
        opencc = "unknown"  # an odd install: never matches a shipped map, so the map is computed
    return {"opencc": opencc, "unicode": unicodedata.unidata_version}


def shipped_fold_map() -> tuple[dict[str, str], dict[str, str]]:
    """The map in ``fold_map.json`` and the versions it was computed with."""
    data = json.loads(FOLD_MAP_FILE.read_text(encoding="utf-8"))
    return {chr(a): chr(b) for a, b in data["pairs"]}, data["versions"]


def fold_map() -> dict[str, str]:
    """``compute_fold_map()``, read from the shipped file when its versions are the installed ones.

    A new archive needs the map before its first page; the file takes milliseconds to read where
    computing takes about a second. With another OpenCC or Unicode version (whose tables may
    differ) it is computed, so an archive's map is always what its OpenCC says.
    """
    try:
        mapping, versions = shipped_fold_map()
    except (OSError, ValueError, KeyError, TypeError):  # not shipped (a stripped install)
        return compute_fold_map()
    return mapping if versions == fold_versions() else compute_fold_map()


@functools.lru_cache(maxsize=1)
def compute_fold_map() -> dict[str, str]:
    """Every character whose folded form differs from itself, computed from OpenCC and Unicode.

    Takes about a second; it runs once per process, when an archive is created and the shipped
    map (``fold_map``) is not for the installed versions.
    """
    import opencc  # official binding; imported here so readers of an existing archive never need it

    t2s = opencc.OpenCC("t2s")
    mapping: dict[str, str] = {}
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        if unicodedata.category(ch) in ("Cn", "Co", "Cs"):
            continue
        folded = unicodedata.normalize("NFKC", ch)
        if len(folded) != 1:
            folded = ch
        lower = folded.lower()
        if len(lower) == 1:
            folded = lower
        if cp >= 0x2E80 and unicodedata.category(folded) == "Lo":
            simplified = t2s.convert(folded)
            if len(simplified) == 1:
                folded = simplified
        if folded != ch:
            mapping[ch] = folded
    return mapping


def translate_table(mapping: Mapping[str, str]) -> dict[int, str]:
    """A ``str.translate`` table from a character map."""
    return {ord(k): v for k, v in mapping.items()}


def fold(text: str, table: FoldTable) -> str:
    """The folded text: same length as ``text``, one folded character per character."""
    return text.translate(table)


def runs(folded: str) -> list[str]:
    """The runs of token characters of already folded text."""
    return [run for run in _SEPARATORS.split(folded) if run]


def index_text(text: str, table: FoldTable) -> str:
    """The bigram index text of ``text`` for the FTS5 table."""
    return " ".join(map(_run_tokens, runs(fold(text, table))))


# A code point as a 4-byte array item, in UTF-32 of native byte order (so no byte order mark).
_POINT = "I" if array.array("I").itemsize == 4 else "L"
_UTF32 = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"
_SPACE = array.array(_POINT, [ord(" ")])


def _run_tokens(run: str) -> str:
    """``c1c2 c2c3 … c(n-1)cn cn`` for the run ``c1 … cn``.

    Built as an array of code points, every third one a space, with slice assignments: an
    article's body is a few thousand characters, and a string per bigram costs far more.
    """
    if len(run) < 2:
        return run
    points = array.array(_POINT, run.encode(_UTF32, "surrogatepass"))
    tokens = array.array(_POINT, bytes(12 * (len(points) - 1)))
    tokens[0::3] = points[:-1]
    tokens[1::3] = points[1:]
    tokens[2::3] = _SPACE * (len(points) - 1)
    return tokens.tobytes().decode(_UTF32, "surrogatepass") + run[-1]


def index_texts(texts: Iterable[str], table: FoldTable) -> str:
    """Index text of several texts; a newline keeps a word from spanning two of them.

    (A quoted phrase with whitespace in it can span them: the newline is whitespace.)
    """
    return "\n".join(index_text(text, table) for text in texts if text)


def quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def term_query(term: str, table: FoldTable) -> str:
    """The FTS5 expression matching every indexed text that contains ``term``."""
    parts = []
    for run in runs(fold(term, table)):
        if len(run) == 1:
            parts.append(quote(run) + " *")
        else:
            parts.append(quote(" ".join(run[i : i + 2] for i in range(len(run) - 1))))
    return " AND ".join(parts)


def spaced(before: str, after: str) -> bool:
    """Whether whitespace between two folded characters must be whitespace in the text too.

    Between two narrow characters (Latin letters, digits, ASCII punctuation) whitespace separates
    words, so ``new york`` does not match ``newyork``. Next to a wide character (Chinese, which is
    written without spaces, or full-width punctuation) it may be whitespace or nothing: a phrase
    ``"COVID-19 疫苗"`` or ``"徐闻 会议"`` also matches ``COVID-19疫苗`` and ``徐闻会议``.
    """
    return not any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in (before, after))


def term_pattern(term: str, table: FoldTable) -> str:
    """A regular expression for where ``term`` (a word or a phrase) occurs in folded text."""
    parts = runs(fold(term, table))
    pattern = re.escape(parts[0]) if parts else ""
    for before, run in itertools.pairwise(parts):
        gap = "+" if spaced(before[-1], run[0]) else "*"
        pattern += f"[{SEPARATOR_CHARS}]{gap}" + re.escape(run)
    return pattern


def snippet(
    text: str,
    terms: Iterable[str],
    table: FoldTable,
    *,
    width: int = 60,
    start: str = "[",
    end: str = "]",
    ellipsis: str = "…",
) -> str | None:
    """A window of the original ``text`` around the first match, with every match marked.

    Positions are found in the folded text and applied to the original, which the
    length-preserving fold allows. Whitespace in a term (a phrase) matches as ``term_pattern``
    says. ``None`` when no term occurs in ``text``.
    """
    folded = fold(text, table)
    spans: list[tuple[int, int]] = []
    for term in {t for t in terms if t}:
        # The lookahead finds overlapping occurrences too.
        needle = term_pattern(term, table)
        if needle:
            spans += [(m.start(), m.start() + len(m.group(1)))
                      for m in re.finditer(f"(?=({needle}))", folded)]
    if not spans:
        return None
    spans.sort()
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    first = merged[0][0]
    lo = max(0, first - width // 3)
    hi = min(len(text), lo + width)
    out = [ellipsis] if lo > 0 else []
    cursor = lo
    for a, b in merged:
        if a >= hi:
            break
        a, b = max(a, lo), min(b, hi)
        if b <= cursor:
            continue
        out += [text[cursor:a], start, text[a:b], end]
        cursor = b
    out.append(text[cursor:hi])
    if hi < len(text):
        out.append(ellipsis)
    return "".join(out)
