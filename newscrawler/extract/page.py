"""A parsed HTML page and the text helpers every layout uses.

Ruby annotations (``<rt>``, ``<rp>``) are removed once at parse time: they render as pronunciation
above the text and are noise to a reader and to search. Text is read with scripts, styles and
hidden template blocks skipped.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import urljoin

import cssselect
from cssselect import parser as css_parser
from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator, css2xpath

_SKIP_TEXT = frozenset({"script", "style", "noscript", "template", "textarea"})
# Tags whose element, without children, ``text_of`` does not read as its own ``.text``.
NOT_OWN_TEXT = _SKIP_TEXT | {"br"}


class Page:
    """An HTML document with its URL; selectors are CSS, as in the portal profiles.

    ``css`` returns lxml elements, found by walking the tree for the common selectors (tags and
    classes, see ``_matcher``) and through XPath compiled once per selector for the others, which
    is what keeps extraction fast; ``selector`` is the same tree as a parsel ``Selector`` for code
    that prefers parsel's API.
    """

    def __init__(self, html: str, url: str, *, utf8: bytes | None = None,
                 parsed: etree._Element | None = None) -> None:
        """``utf8``: the UTF-8 bytes of ``html`` when the caller has them (``Decoded.utf8``),
        parsed as they are instead of encoding the text again. ``parsed``: the tree of
        ``parse_html(html)`` when the caller already has it (``Decoded.parsed``)."""
        self.url = url
        self.root = parsed if parsed is not None else parse_html(html, utf8)
        etree.strip_elements(self.root, "rt", "rp", with_tail=False)
        # By tag: its elements with a class attribute and the attribute (``_with_class``). The
        # tree is not changed after this point, so the lists stay true.
        self._classed: dict[str | None, list[tuple[etree._Element, str]]] = {}
        # What each ``id()`` lookup of ``_below_id`` found.
        self._by_id: dict[etree.XPath, list[Any]] = {}

    @cached_property
    def selector(self) -> Selector:
        """The same tree as a parsel ``Selector`` (built on first use: profiles never need it)."""
        return Selector(root=self.root, type="html")

    def css(self, query: str) -> list[etree._Element]:
        """Elements of the whole document matching a CSS selector."""
        if self.root is None:
            return []
        matcher = _matcher(query)
        if matcher is not None:
            key = _key_class(query)
            if key is not None:
                return matcher(self.root, None, self._with_class(*key))
            return matcher(self.root, None)
        below_id = _below_id(query)
        if below_id is not None:
            found = self._below_id(*below_id)
            if found is not None:
                return found
        return [e for e in _compiled_document_css(query)(self.root) if isinstance(e, etree._Element)]

    def _with_class(self, tag: str | None, name: str) -> list[tuple[etree._Element, str]]:
        """The elements of ``tag`` (any, for None) whose class attribute holds ``name`` as a
        substring, with that attribute, in document order: a superset of those with the class,
        for the selector's own test. A profile asks for several classes of the same tag
        (``div.article-info``, ``div.hot-rank`` …); the tag's elements with a class attribute
        are listed once per page, so each later query tests strings, not elements."""
        classed = self._classed.get(tag)
        if classed is None:
            found = self.root.iter(tag) if tag is not None else self.root.iter(etree.Element)
            classed = self._classed[tag] = [(e, value) for e in found if (value := e.get("class"))]
        return [pair for pair in classed if name in pair[1]]

    def _below_id(self, by_id: etree.XPath, tag: str | None, test: _Test) -> list[etree._Element] | None:
        """The elements below the id's element that pass the step's test, in document order: what
        the selector's XPath gives, read by iterating that element's subtree (a few dozen
        elements) instead of evaluating the step's class test in XPath. None unless ``id()``
        finds exactly one element (the XPath then decides). Each id is looked up once a page
        (``#content p``, ``#content img``)."""
        found = self._by_id.get(by_id)
        if found is None:
            found = self._by_id[by_id] = by_id(self.root)
        if len(found) != 1:
            return None
        scope = found[0]
        return [element for element in (scope.iter(tag) if tag is not None else scope.iter())
                if element is not scope and test(element)]

    def first(self, query: str) -> etree._Element | None:
        found = self.css(query)
        return found[0] if found else None

    def text(self, query: str) -> str | None:
        """Text of the first element matching ``query``, or None when nothing matches."""
        node = self.first(query)
        return text_of(node) if node is not None else None

    def texts(self, query: str) -> list[str]:
        return [text_of(node) for node in self.css(query)]

    def absolute(self, href: str | None) -> str | None:
        if not href or not (href := href.strip()):
            return None
        if href.startswith(("https://", "http://")) and " " not in href and "[" not in href:
            return href  # already absolute: urljoin would return it unchanged, slowly
        try:
            return urljoin(self.url, href)
        except ValueError:
            # "Invalid IPv6 URL" (http://[::1): the link leads nowhere, and the page is still read.
            return None


_TRANSLATOR = HTMLTranslator()
# cssselect writes "#content" as a scan of every element's id; libxml2's id() uses its id table.
_ID_SCAN = re.compile(r"//\*\[@id = '([^'\\]+)'\]")


@lru_cache(maxsize=1024)
def _compiled_document_css(query: str) -> etree.XPath:
    # From the document root "//" is the same as cssselect's "descendant-or-self::" and libxml2
    # evaluates it faster. No EXSLT regular expressions: cssselect writes none, and registering
    # them costs every call.
    xpath = _TRANSLATOR.css_to_xpath(query, prefix="//")
    return etree.XPath(_ID_SCAN.sub(r"id('\1')", xpath), regexp=False)


def _parsed_tree(query: str) -> Any:
    """cssselect's parsed tree of a selector of one group without a pseudo-element, or None (a
    list of selectors, ``::text``, or not CSS at all) for the shortcuts to leave to XPath."""
    try:
        groups = cssselect.parse(query)
    except cssselect.SelectorError:
        return None
    if len(groups) != 1 or groups[0].pseudo_element is not None:
        return None
    return groups[0].parsed_tree


def _descendant_steps(query: str) -> tuple[Any, Any] | None:
    """The outer and inner parts of a selector of two parts joined by a space (cssselect's parsed
    trees), or None for any other selector."""
    tree = _parsed_tree(query)
    if not isinstance(tree, css_parser.CombinedSelector) or tree.combinator != " ":
        return None
    return tree.selector, tree.subselector


@lru_cache(maxsize=1024)
def _below_id(query: str) -> tuple[etree.XPath, str | None, _Test] | None:
    """For a selector of an id and one step the matcher reads (``#content img``, ``#comment
    div.comment-count``): the XPath finding the id's element as ``_compiled_document_css`` finds
    it (libxml2's ``id()``), and the step's tag and test; None for other selectors."""
    parts = _descendant_steps(query)
    if parts is None or not isinstance(parts[0], css_parser.Hash):
        return None
    outer = parts[0].selector
    if not (isinstance(outer, css_parser.Element) and outer.element in (None, "*") and outer.namespace is None):
        return None
    scan = _ID_SCAN.match(_TRANSLATOR.css_to_xpath(query, prefix="//"))
    compound = _parse_compound(parts[1])
    if scan is None or compound is None:
        return None
    tag, _, test = _steps(*compound)
    return _id_lookup(scan.group(1)), tag, test


@lru_cache(maxsize=256)
def _id_lookup(value: str) -> etree.XPath:
    # One object per id, which a page's lookups are remembered by.
    return etree.XPath(f"id('{value}')", regexp=False)


def parse_html(html: str, utf8: bytes | None = None) -> etree._Element:
    """The document tree of an HTML text (an empty ``<html>`` for a page with no markup).

    A plain libxml2 HTML parser: lxml.html's element classes (what parsel uses) cost a Python
    call every time an element is touched, which is most of what extraction does. It follows
    elements nested up to ``MAX_DEPTH`` deep; past that libxml2 drops the rest of the document
    (``too_deep`` tells). ``utf8``, when given, is ``html`` encoded as UTF-8.
    """
    if html and not html.isspace():  # html.strip(), without copying the page
        root = etree.fromstring(html.encode("utf-8") if utf8 is None else utf8, parser=_html_parser())
        if root is not None:
            return root
    return etree.fromstring(b"<html/>")


_PARSERS = threading.local()
# libxml2's nesting limit with huge_tree; without it the limit is 256, which a page built of
# nested layout tables and <font> tags can pass, and the body after that point would be lost.
MAX_DEPTH = 2048


def _html_parser() -> etree.HTMLParser:
    # One parser per thread: lxml parsers must not be shared between threads.
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    return parser


def too_deep(html: str) -> bool:
    """Whether ``html`` nests elements past ``MAX_DEPTH``, where the parser stops reading it.

    A page needs more than ``MAX_DEPTH`` start tags to get there, so almost every page is answered
    by counting them; only the others are parsed (again) to find out.
    """
    return depth_check(html)[0]


def depth_check(html: str, utf8: bytes | None = None) -> tuple[bool, etree._Element | None]:
    """``too_deep(html)``, and the document tree when finding out took a parse (else None): the
    same parse of the same bytes as ``parse_html``, which ``Page`` then takes as it is instead of
    parsing the page a second time. ``utf8``: ``html`` encoded as UTF-8, when the caller has it."""
    opened = html.count("<")  # counting "</" costs more than "<": only when it can matter
    if opened <= MAX_DEPTH or opened - html.count("</") <= MAX_DEPTH:
        return False, None
    parser = _html_parser()
    root = etree.fromstring(html.encode("utf-8") if utf8 is None else utf8, parser=parser)
    return any("Excessive depth" in entry.message for entry in parser.error_log), root


@lru_cache(maxsize=1024)
def _compiled_css(query: str) -> etree.XPath:
    return etree.XPath(css2xpath(query), regexp=False)


@lru_cache(maxsize=256)
def _compiled_xpath(query: str) -> etree.XPath:
    # EXSLT regular expressions (``re:test``) only for a query that can use them.
    return etree.XPath(query, regexp="re:" in query)


def select(node: etree._Element, query: str) -> list[etree._Element]:
    """Elements matching a CSS selector inside ``node`` (the node itself included)."""
    if node is None:
        return []
    if query.isalnum():  # a bare tag name: lxml's own iteration is much faster than XPath
        return list(node.iter(query))
    matcher = _box_matcher(query)
    if matcher is not None:
        return matcher(node, node)
    pair = _descendant_pair(query)
    if pair is not None:
        return _outer_first(node, *pair, first=False)
    return [found for found in _compiled_css(query)(node) if isinstance(found, etree._Element)]


@lru_cache(maxsize=1024)
def _descendant_pair(query: str) -> tuple[str | None, _Test, str | None, _Test] | None:
    """For a selector of two steps the matcher reads, joined by a space (``div.side-title h3``,
    ``ul.rank-tabs li:not(.blank)``): the outer step's tag and test and the inner step's, for
    ``_outer_first``; None for other selectors."""
    parts = _descendant_steps(query)
    if parts is None:
        return None
    outer, inner = _parse_compound(parts[0]), _parse_compound(parts[1])
    if outer is None or inner is None:
        return None
    outer_tag, _, outer_test = _steps(*outer)
    inner_tag, _, inner_test = _steps(*inner)
    return outer_tag, outer_test, inner_tag, inner_test


def _outer_first(node: etree._Element, outer_tag: str | None, outer_test: _Test,
                 inner_tag: str | None, inner_test: _Test, *, first: bool) -> list[etree._Element]:
    """What the XPath of a two-step selector gives inside ``node`` (``descendant-or-self::``
    the outer step, ``descendant::`` the inner one), found from the outer elements down: only
    the elements below an outer match are tested, not every element of the inner step's tag in
    the box with a walk up from each (the rank tabs' items, not the ranking lists' too).

    The outer matches come in document order; one inside an outer match already searched adds
    nothing (its subtree is part of that one's), and the others' subtrees are disjoint and in
    document order, so the inner matches come in document order, each once. ``first``: stop at
    the first."""
    found: list[etree._Element] = []
    searched = None
    for outer in node.iter(outer_tag) if outer_tag is not None else node.iter():
        if not outer_test(outer) or (searched is not None and _below(outer, searched, node)):
            continue
        searched = outer
        for element in outer.iter(inner_tag) if inner_tag is not None else outer.iter():
            if element is not outer and inner_test(element):
                found.append(element)
                if first:
                    return found
    return found


def _below(element: etree._Element, ancestor: etree._Element, scope: etree._Element) -> bool:
    """Whether ``ancestor`` is an ancestor of ``element``, both inside ``scope``."""
    for above in element.iterancestors():
        if above is ancestor:
            return True
        if above is scope:
            return False
    return False


@lru_cache(maxsize=1024)
def _box_matcher(query: str) -> _Matcher | None:
    """The tree-walking matcher for a selector of one step, for ``select``; None for others.

    Inside a box (a sidebar, a list item) the trade is the reverse of the whole document's: the
    matcher tests every element of the last step's tag there and walks up from each for the
    outer steps (the rank tabs' selector tested every item of the lists below them), while
    libxml2 evaluates the XPath over a few dozen elements in C, two to three times faster."""
    matcher = _matcher(query)
    if matcher is None or isinstance(_parsed_tree(query), css_parser.CombinedSelector):
        return None
    return matcher


def select_first(node: etree._Element, query: str) -> etree._Element | None:
    """The first element ``select`` would give, or None; a bare tag name stops at the first."""
    if node is None:
        return None
    if query.isalnum():
        return next(node.iter(query), None)
    pair = None if _box_matcher(query) is not None else _descendant_pair(query)
    found = _outer_first(node, *pair, first=True) if pair is not None else select(node, query)
    return found[0] if found else None


# --- The common selectors without XPath -----------------------------------------------------
#
# Profiles mostly use tag names and classes joined by spaces (``div.article h1.article-title``,
# ``ul.rank-tabs li:not(.blank)``). libxml2 evaluates cssselect's XPath for a class by building
# strings for every element it tests, which made selector evaluation the largest single cost of
# reading a page. Selectors made only of type selectors (or ``*``), classes, ``:not(.class)``,
# ``[attribute]`` and the descendant combinator are matched here by walking the tree with lxml;
# they select exactly what cssselect's XPath selects, in document order. Inside an element
# (``select``) one step is matched so, two from the outer step down (``_outer_first``), more go
# through XPath; ``#id step`` is read below the element ``id()`` finds (``Page._below_id``).
# Anything else (other ids, combinators and pseudo-classes, groups) goes through XPath.

# The whitespace of XPath's normalize-space(), which cssselect's class test uses.
_XPATH_SPACE = re.compile("[ \t\r\n]+")


def _class_names(value: str) -> list[str]:
    """The names in a class attribute as XPath's normalize-space() separates them, for tests of
    membership: split at single spaces when the value holds no tab or line break (a printable
    string holds none), five times faster than the regex; the empty strings that doubled spaces
    leave are never a class name a selector asks for."""
    return value.split(" ") if value.isprintable() else _XPATH_SPACE.split(value.strip(" \t\r\n"))


_Test = Callable[[etree._Element], bool]
_Matcher = Callable[..., list[etree._Element]]


def _compound(tag: str | None, classes: tuple[str, ...], not_classes: tuple[str, ...],
              attributes: tuple[str, ...], check_tag: bool = True) -> _Test:
    """A test for one element: its tag (unless the caller iterates that tag only), the classes
    it has and has not, the attributes it has. Loops, not generators: it runs for every element
    a selector looks at."""
    if not check_tag and len(classes) == 1 and not not_classes and not attributes:
        # The most common shape by far (``div.hot-rank``): one class of elements of one tag.
        only = classes[0]

        def has_class(element: etree._Element) -> bool:
            value = element.get("class")
            return (value is not None and only in value
                    and only in _class_names(value))

        return has_class

    excluded = frozenset(not_classes)

    def test(element: etree._Element) -> bool:
        if check_tag:
            if tag is not None:
                if element.tag != tag:
                    return False
            elif not isinstance(element.tag, str):
                return False  # a comment or processing instruction
        for name in attributes:
            if element.get(name) is None:
                return False
        if not classes and not not_classes:
            return True
        value = element.get("class")
        if value is None:
            return not classes
        for name in classes:
            if name not in value:
                return False  # not even a substring: the common case, decided without splitting
        tokens = _class_names(value)
        for name in classes:
            if name not in tokens:
                return False
        return excluded.isdisjoint(tokens)  # in C, not a generator per element

    return test


def _parse_compound(tree: Any) -> tuple[str | None, list[str], list[str], list[str]] | None:
    """(tag, classes, classes negated, attributes) of a cssselect compound, or None when it
    holds anything else."""
    classes: list[str] = []
    not_classes: list[str] = []
    attributes: list[str] = []
    while True:
        if isinstance(tree, css_parser.Class):
            classes.append(tree.class_name)
        elif isinstance(tree, css_parser.Negation):
            sub = tree.subselector
            if not (isinstance(sub, css_parser.Class) and isinstance(sub.selector, css_parser.Element)
                    and sub.selector.element in (None, "*") and sub.selector.namespace is None):
                return None
            not_classes.append(sub.class_name)
        elif isinstance(tree, css_parser.Attrib):
            if tree.operator != "exists" or tree.namespace is not None:
                return None
            attributes.append(tree.attrib.lower())
        elif isinstance(tree, css_parser.Element):
            if tree.namespace is not None:
                return None
            element = tree.element if tree.element not in (None, "*") else None
            return (element.lower() if element else None), classes, not_classes, attributes
        else:
            return None
        tree = tree.selector


def _class_value_test(classes: tuple[str, ...], not_classes: tuple[str, ...]) -> Callable[[str], bool]:
    """``_compound``'s test of classes, on an element's class attribute (present) itself."""
    if len(classes) == 1 and not not_classes:
        only = classes[0]

        def has_class(value: str) -> bool:
            return only in value and only in _class_names(value)

        return has_class

    excluded = frozenset(not_classes)

    def test(value: str) -> bool:
        for name in classes:
            if name not in value:
                return False
        tokens = _class_names(value)
        for name in classes:
            if name not in tokens:
                return False
        return excluded.isdisjoint(tokens)

    return test


def _steps(tag: str | None, classes: list[str], not_classes: list[str],
           attributes: list[str]) -> tuple[str | None, _Test, _Test]:
    """A compound's tag, its full test, and its test for elements already of that tag."""
    parts = (tuple(classes), tuple(not_classes), tuple(attributes))
    return (tag, _compound(tag, *parts),
            _compound(tag, *parts, check_tag=tag is None))


@lru_cache(maxsize=1024)
def _key_class(query: str) -> tuple[str | None, str] | None:
    """The tag (None for any) of the last step of a tree-walking selector and a class it names
    (every element it matches has it), or None when that step names no class."""
    tree = _parsed_tree(query)
    if isinstance(tree, css_parser.CombinedSelector):
        tree = tree.subselector
    compound = _parse_compound(tree) if tree is not None else None
    return (compound[0], compound[1][0]) if compound is not None and compound[1] else None


@lru_cache(maxsize=1024)
def _matcher(query: str) -> _Matcher | None:
    """A tree-walking matcher for ``query``, or None when XPath must evaluate it.

    ``matcher(scope, stop)`` returns the matching elements of ``scope``'s subtree (``scope``
    included) in document order; the elements a descendant combinator looks up to are ``stop``
    and its descendants (``select``: the node searched in), or any (``stop`` None: the document).
    """
    tree = _parsed_tree(query)
    if tree is None:
        return None
    steps: list[tuple[str | None, _Test, _Test]] = []
    last_compound = None
    while isinstance(tree, css_parser.CombinedSelector):
        if tree.combinator != " ":
            return None
        compound = _parse_compound(tree.subselector)
        if compound is None:
            return None
        last_compound = last_compound or compound
        steps.append(_steps(*compound))
        tree = tree.selector
    compound = _parse_compound(tree)
    if compound is None:
        return None
    last_compound = last_compound or compound
    steps.append(_steps(*compound))
    steps.reverse()  # outermost first
    tests = [test for _, test, _ in steps]
    last_tag, last_any, last_own = steps[-1]
    _, last_classes, last_not_classes, last_attributes = last_compound
    # The last step's test on the class attribute alone, for the page's class index, which
    # holds each element with that attribute already read; None when it names attributes.
    last_value = (None if last_attributes or not last_classes
                  else _class_value_test(tuple(last_classes), tuple(last_not_classes)))

    def has_ancestors(element: etree._Element, index: int, stop: etree._Element | None) -> bool:
        # An ancestor matching tests[index], itself below ancestors matching tests[:index].
        if element is stop:
            return False
        for ancestor in element.iterancestors():
            if tests[index](ancestor) and (index == 0 or has_ancestors(ancestor, index - 1, stop)):
                return True
            if ancestor is stop:
                break
        return False

    def inside(element: etree._Element, stop: etree._Element | None,
               known: dict[etree._Element, bool]) -> bool:
        # has_ancestors(element, 0, stop), remembering for each ancestor walked through whether
        # it or one above it passes: the items of one list share their ancestors, which are
        # then tested once per call, not once per item.
        if element is stop:
            return False
        walked = []
        found = False
        ancestor = element.getparent()
        while ancestor is not None:
            answer = known.get(ancestor)
            if answer is not None:
                found = answer
                break
            walked.append(ancestor)
            if outer(ancestor):
                found = True
                break
            if ancestor is stop:
                break
            ancestor = ancestor.getparent()
        for passed in walked:
            known[passed] = found
        return found

    outer = tests[0]

    def matcher(scope: etree._Element, stop: etree._Element | None,
                candidates: Iterable[tuple[etree._Element, str]] | None = None) -> list[etree._Element]:
        # ``candidates``: the elements of ``scope`` that may match, with their class attribute,
        # in document order (the page's class index); else every element of the last step's tag.
        if candidates is None:
            last = last_own
            iterated = scope.iter(last_tag) if last_tag is not None else scope.iter()
            if len(tests) == 1:
                return [element for element in iterated if last(element)]
            found = [element for element in iterated if last(element)]
        elif last_value is not None:
            found = [element for element, value in candidates if last_value(value)]
        else:
            found = [element for element, _ in candidates if last_any(element)]
        if len(tests) == 1:
            return found
        if len(tests) == 2:
            known: dict[etree._Element, bool] = {}
            return [element for element in found if inside(element, stop, known)]
        return [element for element in found if has_ancestors(element, len(tests) - 2, stop)]

    return matcher


def select_xpath(node: etree._Element, query: str) -> list[etree._Element]:
    """Elements matching an XPath expression relative to ``node``."""
    return [found for found in _compiled_xpath(query)(node) if isinstance(found, etree._Element)]


# Elements whose presence needs the careful text walk below (lxml filters tags in C).
_NEEDS_WALK = ("script", "style", "noscript", "template", "textarea", "br", etree.Comment, etree.PI)


def text_of(node: etree._Element | Selector) -> str:
    """The visible text of an element: descendants' text joined, scripts and styles skipped."""
    root = node.root if isinstance(node, Selector) else node
    if isinstance(root, str):
        return root
    tag = root.tag
    if not len(root) and isinstance(tag, str):
        # A leaf element (a sidebar link, a label, a heading): its own text, at a fraction of the
        # cost of the iterators below, which is most of what reading a small element costs.
        if tag in _SKIP_TEXT:
            return ""
        if tag == "br":
            return "\n" + (root.text or "")
        return root.text or ""
    if next(root.iter(*_NEEDS_WALK), None) is None:
        return "".join(root.itertext())  # the common case, at C speed
    parts: list[str] = []
    _collect(root, parts)
    return "".join(parts)


def _collect(element: etree._Element, parts: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _SKIP_TEXT:
        return
    if tag == "br":
        parts.append("\n")
    if element.text and tag:
        parts.append(element.text)
    for child in element:
        _collect(child, parts)
        if child.tail:
            parts.append(child.tail)
