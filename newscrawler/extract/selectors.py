"""CSS selectors of the portal profiles, evaluated on lxml trees.

The common selectors (tags, classes, ``:not(.class)``, ``[attribute]``, the descendant
combinator) are matched by walking the tree (``tree_matcher``), since libxml2 evaluating
cssselect's XPath for a class test builds strings for every element; ``#id step`` selectors are
read below the element ``id()`` finds (``id_step``); everything else goes through XPath compiled
once per selector. Every path selects exactly what cssselect's XPath selects, in document order.
``Page`` (``page.py``) uses these for whole documents, ``select`` and ``select_first`` inside an
element.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import cssselect
from cssselect import parser as css_parser
from lxml import etree
from parsel.csstranslator import HTMLTranslator, css2xpath

_TRANSLATOR = HTMLTranslator()
# Attribute names as bytes: lxml encodes a str name to UTF-8 on every ``get`` (a new bytes object
# each time) and reads a bytes name as it is; the value comes back as str either way.
CLASS = b"class"
HREF = b"href"

# cssselect writes "#content" as a scan of every element's id; libxml2's id() uses its id table.
_ID_SCAN = re.compile(r"//\*\[@id = '([^'\\]+)'\]")


@lru_cache(maxsize=1024)
def compiled_document_css(query: str) -> etree.XPath:
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
def id_step(query: str) -> tuple[etree.XPath, str | None, Test] | None:
    """For a selector of an id and one step the matcher reads (``#content img``, ``#comment
    div.comment-count``): the XPath finding the id's element as ``compiled_document_css`` finds
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
def _descendant_pair(query: str) -> tuple[str | None, Test, str | None, Test] | None:
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


def _outer_first(node: etree._Element, outer_tag: str | None, outer_test: Test,
                 inner_tag: str | None, inner_test: Test, *, first: bool) -> list[etree._Element]:
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
def _box_matcher(query: str) -> Matcher | None:
    """The tree-walking matcher for a selector of one step, for ``select``; None for others.

    Inside a box (a sidebar, a list item) the trade is the reverse of the whole document's: the
    matcher tests every element of the last step's tag there and walks up from each for the
    outer steps (the rank tabs' selector tested every item of the lists below them), while
    libxml2 evaluates the XPath over a few dozen elements in C, two to three times faster."""
    matcher = tree_matcher(query)
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


@lru_cache(maxsize=4096)
def _class_names(value: str) -> frozenset[str]:
    """The names in a class attribute as XPath's normalize-space() separates them, for tests of
    membership: split at single spaces when the value holds no tab or line break (a printable
    string holds none), five times faster than the regex; the empty strings that doubled spaces
    leave are never a class name a selector asks for. Cached: a site's templates repeat the same
    few class attributes on every element and page, and a set answers each test at once."""
    return frozenset(value.split(" ") if value.isprintable()
                     else _XPATH_SPACE.split(value.strip(" \t\r\n")))


Test = Callable[[etree._Element], bool]
Matcher = Callable[..., list[etree._Element]]


def _compound(tag: str | None, classes: tuple[str, ...], not_classes: tuple[str, ...],
              attributes: tuple[str, ...], check_tag: bool = True) -> Test:
    """A test for one element: its tag (unless the caller iterates that tag only), the classes
    it has and has not, the attributes it has. Loops, not generators: it runs for every element
    a selector looks at."""
    if not check_tag and len(classes) == 1 and not not_classes and not attributes:
        # The most common shape by far (``div.hot-rank``): one class of elements of one tag.
        only = classes[0]

        def has_class(element: etree._Element) -> bool:
            value = element.get(CLASS)
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
        value = element.get(CLASS)
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
           attributes: list[str]) -> tuple[str | None, Test, Test]:
    """A compound's tag, its full test, and its test for elements already of that tag."""
    parts = (tuple(classes), tuple(not_classes), tuple(attributes))
    return (tag, _compound(tag, *parts),
            _compound(tag, *parts, check_tag=tag is None))


@lru_cache(maxsize=1024)
def key_class(query: str) -> tuple[str | None, str] | None:
    """The tag (None for any) of the last step of a tree-walking selector and a class it names
    (every element it matches has it), or None when that step names no class."""
    tree = _parsed_tree(query)
    if isinstance(tree, css_parser.CombinedSelector):
        tree = tree.subselector
    compound = _parse_compound(tree) if tree is not None else None
    return (compound[0], compound[1][0]) if compound is not None and compound[1] else None


@lru_cache(maxsize=1024)
def tree_matcher(query: str) -> Matcher | None:
    """A tree-walking matcher for ``query``, or None when XPath must evaluate it.

    ``matcher(scope, stop)`` returns the matching elements of ``scope``'s subtree (``scope``
    included) in document order; the elements a descendant combinator looks up to are ``stop``
    and its descendants (``select``: the node searched in), or any (``stop`` None: the document).
    """
    tree = _parsed_tree(query)
    if tree is None:
        return None
    steps: list[tuple[str | None, Test, Test]] = []
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
