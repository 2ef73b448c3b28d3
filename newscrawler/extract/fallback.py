"""Profiles degrade, they never drop: fields a profile's selectors miss come from the generic
extractor, read from the same parsed page.

Portal profiles are reconstructed from captured pages, and live sites drift: a body container
renamed, paragraphs written as ``<div>`` blocks, a meta line with a new class. ``complete`` runs
after a profile layout has read a page (``read_page`` calls it for every profile) and fills in
what its selectors missed from ``GenericLayout(page).read()`` — the same ``Page`` object, so the
page is neither decoded nor parsed twice:

- ``headline``, ``published_at`` (the time text), ``bylines`` (the meta line: source and
  reporters): when the profile's selector found nothing (for the time: no text showing a time);
- ``paragraphs``: when the profile found no body, or when a cheap check says it missed text —
  its matched paragraphs' container (their common ancestor) holds at least ``MISSED_TEXT_MIN``
  characters in blocks of another tag (``<div>`` paragraphs after ``<p>`` ones), not counting
  the captions of the profile's images — and the generic
  body holds the profile's text and clearly more; or when the generic reading ran anyway and
  its body is ``FAR_MORE`` times the profile's. Credit lines the generic reading took out of
  that body come with it; image captions it keeps as paragraphs do not (profiles read captions
  apart from the text);
- ``images``: with a fallen-back body, when the profile's image selector found none;
- ``credits``: when a credit line (``（来源：湛江日报）``, ``编辑：…``) stands in the body
  container in a block the paragraph selector missed, or when the profile declares credit lines,
  found none, and the generic reading ran: the generic reading's credit lines are added.

The generic reading (~5–10 ms a page against ~0.7 ms for a profile) runs only when one of these
checks asks for it. Every field taken from it is a ``fallback:<field>`` warning on the record, and
the record's ``extractor`` says so (``zjdaily@1+generic``); the crawl counts them
(``newscrawler/extract/fallback/<field>``), ``newscrawler crawls`` and ``newscrawler check``
show them, and a run that needs them much more than usual is flagged (``newscrawler.reports``).
Images kept from the generic reading pass ``images.is_article_image`` as a profile's do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .credits import is_credit_line
from .fields import RawFields, RawImage
from .images import is_article_image
from .normalize import clean_text
from .page import text_of
from .times import find_time_text

if TYPE_CHECKING:
    from ..portals.base import Layout

# In the order the warnings appear on a record.
FIELDS = ("headline", "published_at", "bylines", "paragraphs", "images", "credits")
WARNING = "fallback:"
# Crawl stats: ``<STAT><field>`` per field taken, ``<STAT>records`` per record that took any.
STAT = "newscrawler/extract/fallback/"
# Text in other blocks of the body container that says the profile's selector missed paragraphs:
# more than a share prompt or a font-size switch (字号：大 中 小), less than the shortest
# paragraph of a newspaper page (about 30 characters). Image captions do not count.
MISSED_TEXT_MIN = 20
# A generic body this many times the profile's replaces it even without the cheap check firing.
FAR_MORE = 1.5
# Share of the profile's body text the generic body must hold before it replaces it: the generic
# reading must have found the same article, not a comment box beside it.
MUST_HOLD = 0.8
SUFFIX = "+generic"
_SPACE = re.compile(r"\s+")
_SKIP = frozenset({"script", "style", "noscript", "template", "textarea"})


def complete(reader: Layout, raw: RawFields) -> tuple[RawFields, list[str]]:
    """The profile's raw fields with what its selectors missed read by the generic extractor,
    and the fields taken from it (in ``FIELDS`` order; empty when the profile read everything)."""
    body_missed, credit_missed = _missed(reader, raw)
    wanted = (body_missed or credit_missed or not _filled(raw.headline) or not _shows_time(raw.time_text)
              or not raw.bylines)
    if not wanted:
        return raw, []
    # Imported here: the generic extractor is a layout too, and portal modules import this package.
    from .generic import GenericLayout

    generic = GenericLayout(reader.page).read()
    taken: dict[str, Any] = {}
    if not _filled(raw.headline) and _filled(generic.headline):
        taken["headline"] = generic.headline
    if not _shows_time(raw.time_text) and _shows_time(generic.time_text):
        taken["time_text"] = generic.time_text
    if not raw.bylines and generic.bylines:
        taken["bylines"] = generic.bylines
    if _better_body(raw.paragraphs, generic.paragraphs, body_missed):
        images = raw.images
        if not raw.images and reader.images:
            images = _article_images(reader, generic.images)
            if images:
                taken["images"] = images
        taken["paragraphs"] = _without_captions(generic.paragraphs, images, raw.paragraphs)
        taken["credits"] = raw.credits + [c for c in generic.credits if c not in raw.credits]
    elif credit_missed or (reader.credit_lines and not raw.credits):
        more = [c for c in generic.credits if c not in raw.credits]
        if more:
            taken["credits"] = raw.credits + more
    fields = [
        name for name in FIELDS
        if _raw_name(name) in taken and (name != "credits" or "paragraphs" not in taken)
    ]
    return (replace(raw, **taken) if taken else raw), fields


def warnings_for(fields: list[str]) -> list[str]:
    return [WARNING + name for name in fields]


def fallback_fields(warnings: list[str] | tuple[str, ...]) -> list[str]:
    """The fields a record took from the generic extractor, from its warnings."""
    return [w[len(WARNING):] for w in warnings if w.startswith(WARNING)]


def missed_blocks(nodes: list[Any]) -> list[str]:
    """The text the paragraph selector left in its paragraphs' container, block by block:
    elements holding no matched node, except those of the matched nodes' own tag (the selector
    excludes them on purpose, such as caption paragraphs), and loose text between blocks.
    Scripts and styles are not text."""
    if not nodes:
        return []
    container = _common_ancestor(nodes)
    if container is None:
        return []
    found: list[str] = []
    _walk(container, set(nodes), _holders(nodes, container), {node.tag for node in nodes}, found)
    return found


def _holders(nodes: list[Any], container: Any) -> set[Any]:
    """The elements up to ``container`` that hold at least one of ``nodes`` below them: found by
    walking up from each node (a few steps, and no further than a chain already walked) rather
    than by searching every element's descendants for one, which cost a walk of the container's
    subtree per block."""
    holders: set[Any] = set()
    for node in nodes:
        for ancestor in node.iterancestors():
            if ancestor in holders:
                break  # its own ancestors, up to the container, are in already
            holders.add(ancestor)
            if ancestor is container:
                break
    return holders


def _walk(container: Any, matched: set[Any], holders: set[Any], tags: set[Any], found: list[str]) -> None:
    """The missed text of ``container``, in document order: the text of each element holding a
    matched node and the tails of its children, and the whole text of the other blocks.

    A walk with its own stack rather than a recursive one: the parser follows nesting to
    ``page.MAX_DEPTH``, deeper than Python's recursion limit."""
    if container in matched or not isinstance(container.tag, str) or container.tag in _SKIP:
        return
    _keep(container.text, found)
    # An iterator over the children of each holder being walked, with that holder's tail, which
    # follows the text of its last child.
    stack: list[tuple[Iterator[Any], str | None]] = [(iter(container), None)]
    while stack:
        children, tail = stack[-1]
        for child in children:
            # A matched paragraph: nothing of it is missed (most children).
            if child not in matched and isinstance(child.tag, str) and child.tag not in _SKIP:
                if child in holders:
                    _keep(child.text, found)
                    stack.append((iter(child), child.tail))
                    break
                if child.tag not in tags:
                    _keep(text_of(child), found)
            after = child.tail
            if after and not after.isspace():  # _keep(after), without the call
                found.append(after)
        else:
            stack.pop()
            if tail and not tail.isspace():
                found.append(tail)


def _keep(text: str | None, found: list[str]) -> None:
    if text and not text.isspace():  # text.strip(), without copying it
        found.append(text)


def _missed(reader: Layout, raw: RawFields) -> tuple[bool, bool]:
    """(the body missed text, the body missed a credit line): the cheap check."""
    if not any(p.strip() for p in raw.paragraphs):
        return True, False
    captions = {_SPACE.sub("", image.caption) for image in raw.images if image.caption}
    blocks = [b for b in missed_blocks(reader.paragraph_nodes()) if _SPACE.sub("", b) not in captions]
    credit = any(is_credit_line(clean_text(block)) for block in blocks)
    return _chars(blocks) >= MISSED_TEXT_MIN, credit


def _common_ancestor(nodes: list[Any]) -> Any:
    first = nodes[0].getparent()
    if first is None:
        return None
    chain = [first, *first.iterancestors()]
    depth = {id(element): index for index, element in enumerate(chain)}
    deepest = 0
    for node in nodes[1:]:
        if node.getparent() is first:
            continue  # siblings, the common case: nothing deeper than their parent
        for ancestor in node.iterancestors():
            if id(ancestor) in depth:
                deepest = max(deepest, depth[id(ancestor)])
                break
    return chain[deepest]


def _visible(text: str | None) -> int:
    return len("".join(text.split())) if text else 0


def _chars(paragraphs: list[str]) -> int:
    return sum(_visible(p) for p in paragraphs)


def _filled(text: str | None) -> bool:
    return bool(text and text.strip())


def _shows_time(text: str | None) -> bool:
    # A layout without its time element reads the meta line instead (``Layout.read_time``); a
    # meta line without a time in it is a missed time too.
    return bool(text and find_time_text(text))


def _raw_name(field: str) -> str:
    return {"published_at": "time_text"}.get(field, field)


def _better_body(profile: list[str], generic: list[str], missed: bool) -> bool:
    """True when the generic body should replace the profile's."""
    mine, theirs = _chars(profile), _chars(generic)
    if not theirs:
        return False
    if not mine:
        return True
    if theirs < mine * FAR_MORE and not (missed and theirs - mine >= MISSED_TEXT_MIN):
        return False
    # The generic body must be the same article: it holds (nearly) all of the profile's text.
    joined = _SPACE.sub("", "".join(generic))
    held = sum(_visible(p) for p in profile if _SPACE.sub("", p) in joined)
    return held >= mine * MUST_HOLD


def _without_captions(paragraphs: list[str], images: list[RawImage], profile: list[str]) -> list[str]:
    """The generic body without the image captions it keeps as paragraphs: profiles read
    captions apart from the text (unless the profile's own paragraphs held that line)."""
    captions = {_SPACE.sub("", image.caption) for image in images if image.caption}
    own = {_SPACE.sub("", p) for p in profile}
    return [p for p in paragraphs if _SPACE.sub("", p) not in captions - own]


def _article_images(reader: Layout, images: list[RawImage]) -> list[RawImage]:
    """The generic reading's images that pass the profiles' image rule, captioned by the
    profile's caption rule where it still finds one (a caption in the next table row of a
    newspaper page), else as the generic reading found them."""
    page = reader.page
    elements: dict[str, Any] = {}
    for img in page.root.iter("img"):
        for key in ("data-src", "data-original", "src"):
            url = page.absolute(img.get(key))
            if url:
                elements.setdefault(url, img)
    kept = []
    for image in images:
        element = elements.get(image.url)
        if element is None or not is_article_image(element, image.url, page.url):
            continue
        kept.append(RawImage(image.url, reader.image_caption(element) or image.caption))
    return kept


__all__ = ["FIELDS", "STAT", "SUFFIX", "complete", "fallback_fields", "missed_blocks", "warnings_for"]
