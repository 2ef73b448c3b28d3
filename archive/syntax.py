"""The search query language: user queries parsed into FTS5 MATCH expressions.

User text never reaches MATCH as it was typed. The query is parsed here, every word and phrase
becomes a quoted FTS5 phrase of its folded bigrams (``archive/fold.py``), and only the
operators this module writes join them. The grammar, operators in ASCII and upper case::

    query   := all
    all     := any ( ["AND"] any )*           every part must occur (a space is enough)
    any     := unary ( ("OR" | "|") unary )*  one alternative must occur; binds tighter than AND
    unary   := ("-" | "NOT") unary | primary  the part must not occur
    primary := WORD | '"' PHRASE '"' | "(" all ")"

* A WORD is a run of characters up to whitespace or one of ``" ( ) |``; it matches as a
  substring of the folded text, exactly as before there were operators. ``-`` negates only at
  the start of a word (``COVID-19`` is one word); ``OR``, ``AND`` and ``NOT`` are operators only
  in upper case and standing alone (``or`` is a word; ``"OR"`` searches for it).
* A PHRASE is everything between two double quotes: its parts must occur in this order, with
  nothing between them where the phrase has no whitespace. Whitespace between two Latin letters
  or digits must be whitespace in the text (any amount, a line break included: ``"new york"``
  does not find ``newyork``); next to a Chinese character it may be whitespace or nothing
  (``"COVID-19 疫苗"`` finds ``COVID-19疫苗``), see ``fold.spaced``. Like a word, a phrase may
  begin or end inside a longer word.
* OR binds tighter than AND, as in Google and LexisNexis: ``徐闻 会议 OR 大会`` is 徐闻 and one of
  会议, 大会. A negation covers the one word, phrase or group after it and is subtracted from
  the group it stands in: ``会议 OR 大会 -体育`` drops every article with 体育.
* Errors (``QueryError``): an unclosed quote, unbalanced parentheses, an empty phrase or group, an
  operator with nothing to act on, a ``-`` followed by whitespace, a negation as an alternative
  of OR (``A OR -B``), a query or group made only of negations, which FTS5 cannot answer (and
  which would match nearly everything), and a phrase with more than ``MAX_OPTIONAL_GAPS`` spaces
  next to Chinese characters, and parentheses or negations nested more than ``MAX_NESTING`` deep.
* Invisible characters a copied query brings along (a byte-order mark, zero-width spaces and
  joiners, soft hyphens) are removed before parsing: they are not in the index and would make
  the query find nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .fold import SEPARATOR_CHARS, FoldTable, fold, quote, runs, spaced, term_query

# Characters that end a word outside quotes: whitespace and controls (the tokenizer's
# separators) and the syntax characters.
_SPACE = re.compile(f"[{SEPARATOR_CHARS}]")
_WORD = re.compile(f'[^{SEPARATOR_CHARS}"()|]+')
KEYWORDS = ("OR", "AND", "NOT")
# Deeper than any query a person writes, and far within Python's recursion limit.
MAX_NESTING = 100
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200d\u2060\ufeff]")


class QueryError(ValueError):
    """A malformed query, or one with nothing searchable in it."""


# -- syntax tree ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A word (``phrase`` false) or a quoted phrase, as typed."""

    text: str
    phrase: bool = False


@dataclass(frozen=True)
class Not:
    part: Node


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


Node = Term | Not | And | Or


def _all(parts: list[Node]) -> Node:
    flat: list[Node] = []
    for part in parts:
        flat.extend(part.parts if isinstance(part, And) else [part])
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def _any(parts: list[Node]) -> Node:
    flat: list[Node] = []
    for part in parts:
        flat.extend(part.parts if isinstance(part, Or) else [part])
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


def _not(part: Node) -> Node:
    return part.part if isinstance(part, Not) else Not(part)


# -- lexer -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # word, phrase, (, ), OR, AND, NOT, -, end
    text: str
    at: int


def tokens(query: str) -> list[_Token]:
    """The query's tokens, ending with an ``end`` token."""
    out: list[_Token] = []
    i = 0
    while i < len(query):
        ch = query[i]
        if _SPACE.match(ch):
            i += 1
        elif ch == '"':
            close = query.find('"', i + 1)
            if close == -1:
                raise QueryError(f"unclosed quote at character {i + 1}: {query[i:]!r}")
            out.append(_Token("phrase", query[i + 1 : close], i))
            i = close + 1
        elif ch in "()|":
            out.append(_Token("OR" if ch == "|" else ch, ch, i))
            i += 1
        elif ch == "-" and i + 1 < len(query) and not _SPACE.match(query[i + 1]):
            out.append(_Token("-", ch, i))
            i += 1
        elif ch == "-":
            raise QueryError(
                f"'-' at character {i + 1} must be written right before the word, phrase or"
                " group it excludes, as in -体育 (quote it to search for it: \"-\")"
            )
        else:
            word = _WORD.match(query, i)
            assert word is not None
            text = word.group()
            out.append(_Token(text if text in KEYWORDS else "word", text, i))
            i = word.end()
    out.append(_Token("end", "", len(query)))
    return out


# -- parser ----------------------------------------------------------------------------------


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokens(query)
        self.pos = 0
        self.depth = 0

    def nest(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise QueryError(
                f"{token.text!r} at character {token.at + 1} is nested more than {MAX_NESTING} deep"
            )

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise QueryError(f"nothing to search for in {self.query!r}")
        node = self.all()
        token = self.peek()
        if token.kind == ")":
            raise QueryError(f"unmatched ')' at character {token.at + 1}")
        assert token.kind == "end", token
        return node

    def all(self) -> Node:
        parts = [self.any()]
        while self.peek().kind not in ("end", ")"):
            if self.peek().kind == "AND":
                self.take()
            parts.append(self.any())
        return _all(parts)

    def any(self) -> Node:
        parts = [self.unary()]
        while self.peek().kind == "OR":
            self.take()
            parts.append(self.unary())
        return _any(parts)

    def unary(self) -> Node:
        if self.peek().kind in ("-", "NOT"):
            self.nest(self.take())
            node = _not(self.unary())
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "word":
            return Term(token.text)
        if token.kind == "phrase":
            if not runs(token.text):
                raise QueryError(f"empty phrase at character {token.at + 1}")
            return Term(token.text, phrase=True)
        if token.kind == "(":
            if self.peek().kind == ")":
                raise QueryError(f"empty parentheses at character {token.at + 1}")
            if self.peek().kind == "end":
                raise QueryError(f"missing ')' for the '(' at character {token.at + 1}")
            self.nest(token)
            node = self.all()
            if self.take().kind != ")":
                raise QueryError(f"missing ')' for the '(' at character {token.at + 1}")
            self.depth -= 1
            return node
        # An operator where a word, phrase or group should be.
        before = self.tokens[self.pos - 2] if self.pos >= 2 else None
        if before is not None and before.kind in ("OR", "AND", "NOT", "-"):
            what = f"{before.text!r} at character {before.at + 1}"
            where = "the end" if token.kind == "end" else f"{token.text!r}"
            raise QueryError(
                f"{what} needs a word, phrase or group after it, not {where}"
                f" (to search for {before.text!r} itself, quote it: \"{before.text}\")"
            )
        if token.kind == ")":
            raise QueryError(f"unmatched ')' at character {token.at + 1}")
        raise QueryError(
            f"{token.text!r} at character {token.at + 1} needs a word, phrase or group before it"
            f" (to search for {token.text!r} itself, quote it: \"{token.text}\")"
        )


def parse(query: str) -> Node:
    """The syntax tree of ``query``; ``QueryError`` when it is malformed."""
    return _Parser(clean(query)).parse()


def clean(query: str) -> str:
    """``query`` without the invisible characters that copying text brings along."""
    return _INVISIBLE.sub("", query)


# -- FTS5 expressions ------------------------------------------------------------------------


# A phrase's whitespace next to a Chinese character matches whitespace or none, which doubles
# the FTS5 phrases to try; past this many such gaps the query is refused.
MAX_OPTIONAL_GAPS = 5


def phrase_query(phrase: str, table: FoldTable) -> str:
    """The FTS5 expression matching the texts where ``phrase`` occurs (``fold.term_pattern``).

    Whitespace between two narrow characters must be whitespace in the text; next to a wide
    (Chinese) character it may also be nothing (``fold.spaced``). Each optional gap is tried
    both ways, and the phrases are ORed.
    """
    parts = runs(fold(phrase, table))
    optional = [i for i in range(1, len(parts)) if not spaced(parts[i - 1][-1], parts[i][0])]
    if len(optional) > MAX_OPTIONAL_GAPS:
        raise QueryError(
            f"the phrase {phrase!r} has more than {MAX_OPTIONAL_GAPS} spaces next to Chinese"
            " characters, where Chinese text has none: remove some (each matches a space or none)"
        )
    alternatives = []
    for mask in reversed(range(2 ** len(optional))):  # everything joined up first
        joined = {gap for bit, gap in enumerate(optional) if mask >> bit & 1}
        merged: list[str] = []
        for i, run in enumerate(parts):
            if i in joined:
                merged[-1] += run
            else:
                merged.append(run)
        alternatives.append(_runs_phrase(merged, table))
    return " OR ".join(alternatives)


def _runs_phrase(parts: list[str], table: FoldTable) -> str:
    """The FTS5 phrase of runs that must follow each other with whitespace in between.

    A run of the index text ``c1 … cn`` is the tokens ``c1c2 … c(n-1)cn cn``, and a one-character
    token only ever ends a run. So the first run of the phrase contributes its bigrams and its
    last character (it ends a run of the text), a middle run the same (it is a whole run), and the
    last run its bigrams only (it starts a run), or its one character as a prefix token.
    """
    if len(parts) == 1:
        return term_query(parts[0], table)
    words: list[str] = []
    for run in parts[:-1]:
        words += [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]
    last = parts[-1]
    if len(last) == 1:
        return quote(" ".join([*words, last])) + " *"
    words += [last[i : i + 2] for i in range(len(last) - 1)]
    return quote(" ".join(words))


def _expression(node: Node, table: FoldTable, whole: bool = False) -> tuple[str, bool]:
    """The FTS5 expression of ``node`` and whether it is a single phrase (needs no parentheses).
    ``whole``: the node is the whole query (an error then speaks of the query, not a group)."""
    if isinstance(node, Term):
        if node.phrase:
            expr = phrase_query(node.text, table)
            return expr, " OR " not in expr
        expr = term_query(node.text, table)
        if not expr:
            raise QueryError(f"nothing to search for in {node.text!r}")
        return expr, " AND " not in expr
    if isinstance(node, Not):
        raise _only_exclusions(node, whole)
    if isinstance(node, Or):
        for part in node.parts:
            if isinstance(part, Not):
                raise QueryError(
                    f"an exclusion cannot be an alternative of OR (in {describe(node)}): write it"
                    " beside the OR group, as in (徐闻 OR 雷州) -体育"
                )
        return " OR ".join(_operand(part, table) for part in node.parts), False
    positives = [part for part in node.parts if not isinstance(part, Not)]
    negatives = [part.part for part in node.parts if isinstance(part, Not)]
    if not positives:
        raise _only_exclusions(node, whole)
    expr = " AND ".join(_operand(part, table) for part in positives)
    if not negatives:
        return expr, False
    if len(positives) > 1:
        expr = f"({expr})"
    excluded = " OR ".join(_operand(part, table) for part in negatives)
    if len(negatives) > 1:
        excluded = f"({excluded})"
    return f"{expr} NOT {excluded}", False


def _only_exclusions(node: Node, whole: bool) -> QueryError:
    """The error for a query or group of exclusions alone, with the query it could be.

    The query is shown as the language writes it, unquoted: quotes around ``-徐闻`` read as part
    of what to type, and the quotes of a phrase (``-"徐闻 会议"``) would be lost among them.
    """
    excluded = describe(node)
    if whole:
        where, example = "the query", f"会议 {excluded}"
    else:
        where, example = f"the group ({excluded})", f"(会议 {excluded})"
    return QueryError(
        f"{where} only excludes: add a word or phrase that must occur, as in {example}"
        " (articles are found by the words they contain, not by those they lack)"
    )


def _operand(node: Node, table: FoldTable) -> str:
    expr, single = _expression(node, table)
    return expr if single else f"({expr})"


def to_fts(node: Node, table: FoldTable) -> str:
    """The FTS5 MATCH expression for a parsed query."""
    return _expression(node, table, whole=True)[0]


def fts_query(query: str, table: FoldTable) -> str:
    """The FTS5 MATCH expression for a user query; ``QueryError`` when it is malformed."""
    return to_fts(parse(query), table)


def check(query: str) -> None:
    """``QueryError`` when ``query`` is malformed; needs no archive (the fold changes no structure)."""
    fts_query(query, {})


# A quoted FTS5 phrase as ``to_fts`` writes it (``fold.quote``), and the `` *`` of a prefix phrase.
FTS_PHRASE = re.compile(r'"((?:[^"]|"")*)"( \*)?')


def repeating_phrases(expression: str) -> list[list[str]]:
    """The phrases of an FTS5 expression (``to_fts``) in which a token occurs more than once.

    Each is given as its distinct whole tokens (a prefix phrase's last token left out), in
    order: ``"一一 一一 一一"`` (一一一一) gives ``["一一"]``, ``"哈哈 哈大 大哈 哈哈"`` gives
    ``["哈哈", "哈大", "大哈"]``. Every article where the phrase occurs contains all of them.
    Parsed back from the expression, so it describes exactly what FTS5 is asked.
    """
    found = []
    for quoted in FTS_PHRASE.finditer(expression):
        tokens = quoted.group(1).replace('""', '"').split(" ")
        if quoted.group(2):
            tokens = tokens[:-1]
        distinct = list(dict.fromkeys(tokens))
        if len(distinct) < len(tokens):
            found.append(distinct)
    return found


def positive_terms(node: Node) -> list[Term]:
    """The words and phrases a match can contain (none under a negation), for snippets."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return []
    return [term for part in node.parts for term in positive_terms(part)]


def describe(node: Node) -> str:
    """``node`` written back in the query language, fully bracketed."""
    if isinstance(node, Term):
        return f'"{node.text}"' if node.phrase else node.text
    if isinstance(node, Not):
        return "-" + _bracketed(node.part)
    joiner = " OR " if isinstance(node, Or) else " "
    return joiner.join(_bracketed(part) for part in node.parts)


def _bracketed(node: Node) -> str:
    return describe(node) if isinstance(node, (Term, Not)) else f"({describe(node)})"
