"""Portal scaffolding: a first draft of a portal module from one saved article page.

``newscrawler portal new NAME --sample FILE --url URL`` runs the generic extractor on the page,
finds the element holding each field it read (headline, meta line, body paragraphs, credit lines,
images) and derives a CSS selector for it from stable names only — ids and semantic class names,
never generated ones (``css-1x2y3z``, ``Title_h1__3xYz``, hashes) — walking up to a stable
ancestor when the element itself has none. It writes:

- ``newscrawler/portals/<name>.py``: hosts, canonical host, start pages, URL rules guessed from
  the sample URL, and a ``Layout`` with the proposed selectors (the registry imports every module
  of the package, so nothing else needs editing);
- ``fixtures/<name>/<URL path>``: the sample, laid out by URL path;
- its ``.expected.json``: the record the new module extracts from it;
- ``fixtures/<name>/.headers.json``, unless there is one: the ``Date`` the copy was captured
  (``--fetched-at``, default now), by which a replay (``--replay fixtures/<name>``) dates its pages.

Everything is a proposal for a person to review: read the expected record against the page,
correct the selectors, then ``python scripts/regenerate_expected.py`` the fixture.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from w3lib.url import canonicalize_url

from .extract import extract
from .extract.decode import decode_page
from .extract.fields import RawImage
from .extract.generic import GenericLayout
from .extract.normalize import clean_text, collapse_whitespace
from .extract.page import Page, text_of
from .extract.selectors import select_xpath
from .portals.generic import GenericPortal
from .replay import site_path

ROOT = Path(__file__).resolve().parent.parent
PORTALS_DIR = Path(__file__).resolve().parent / "portals"
FIXTURES_DIR = ROOT / "fixtures"
NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")

# Names a build tool generated: CSS-in-JS prefixes, CSS-module hashes, digits inside letters.
_GENERATED = re.compile(
    r"^(?:css|sc|jsx|emotion|styled|svelte|tw|chakra|mui|ant)-"
    r"|__[A-Za-z0-9_-]{4,}$"
    r"|[0-9a-f]{6,}"
    r"|\d{3,}"
    r"|[A-Za-z]\d+[A-Za-z]|\d[A-Za-z]+\d",
    re.IGNORECASE,
)
_NAME_SHAPE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")


class ScaffoldError(ValueError):
    """The page or the arguments do not allow a draft (no headline found, name taken …)."""


def is_stable_name(name: str) -> bool:
    """An id or class name a person chose (``article-title``), not a generated one."""
    return bool(_NAME_SHAPE.match(name)) and not _GENERATED.search(name)


def _token(element: Any) -> str | None:
    """``#id`` or ``tag.class`` for an element with a stable name, else None."""
    element_id = element.get("id")
    if element_id and is_stable_name(element_id):
        return f"#{element_id}"
    for name in (element.get("class") or "").split():
        if is_stable_name(name):
            return f"{element.tag}.{name}"
    return None


def stable_selector(page: Page, targets: list[Any], tag_only: bool = False) -> str | None:
    """The shortest CSS selector of stable names that selects exactly ``targets`` (in order).

    The selector ends with the targets' own token (their tag when they have no stable name, or
    always with ``tag_only``) and is anchored on stable ancestors (an id ends the walk up).
    """
    first = targets[0]
    own = first.tag if tag_only else (_token(first) or first.tag)
    if any(t.tag != first.tag for t in targets) or (not tag_only and any((_token(t) or t.tag) != own for t in targets)):
        own = first.tag
    ancestors: list[str] = []
    node = _common_ancestor(targets) if len(targets) > 1 else first.getparent()
    while node is not None and node.tag not in ("html", "body"):
        token = _token(node)
        if token:
            ancestors.insert(0, token)
            if token.startswith("#"):
                break
        node = node.getparent()
    # A bare tag (h2, p) is anchored on at least one stable ancestor: it alone would break as
    # soon as the site adds another such element anywhere on the page.
    bare = "." not in own and "#" not in own
    for count in range(1 if bare and ancestors else 0, len(ancestors) + 1):
        selector = " ".join(ancestors[len(ancestors) - count:] + [own])
        if page.css(selector) == targets:
            return selector
    return None


def _common_ancestor(elements: list[Any]) -> Any:
    chains = [list(e.iterancestors()) for e in elements]
    for candidate in chains[0]:
        if all(candidate in chain for chain in chains[1:]):
            return candidate
    return None


def _elements(page: Page) -> list[tuple[Any, str]]:
    """Every element with its visible text, cleaned, in document order."""
    found = []
    for element in page.root.iter():
        if isinstance(element.tag, str) and element.tag not in ("html", "head", "script", "style", "title", "meta"):
            found.append((element, clean_text(text_of(element))))
    return found


def _deepest(elements: list[tuple[Any, str]], match: Any) -> Any | None:
    """The last (deepest, in document order) element whose text satisfies ``match``."""
    chosen = None
    for element, text in elements:
        if text and match(text) and (chosen is None or chosen in element.iterancestors()):
            chosen = element
    return chosen


@dataclass
class Proposal:
    """The selectors proposed for one page, and what could not be located."""

    headline: str | None = None
    info_line: str | None = None
    time: str | None = None
    paragraphs: str | None = None
    credit_lines: str | None = None
    images: str | None = None
    image_caption_xpath: str | None = None
    notes: list[str] = field(default_factory=list)


def _image_url(page: Page, img: Any) -> str | None:
    src = next((img.get(k) for k in ("data-src", "data-original", "src") if img.get(k)), None)
    return page.absolute(src) if src else None


def _propose_images(page: Page, proposal: Proposal, container: str, wanted: list[RawImage]) -> None:
    """The story's images, without furniture in the body box (share QR codes), and a caption
    XPath relative to each image when the generic extractor found captions."""
    urls = [image.url for image in wanted]
    story = [img for img in page.css(f"{container} img") if _image_url(page, img) in urls]
    if not story:
        return
    candidates = [f"{container} img"]
    parents = [parent for parent in (img.getparent() for img in story) if parent is not None]
    tag = str(parents[0].tag) if parents else ""
    if len(parents) == len(story) and all(parent.tag == tag for parent in parents):
        token = _token(parents[0])
        if token and all(_token(parent) == token for parent in parents):
            candidates.append(f"{container} {token} img")
        candidates.append(f"{container} > {tag} > img")
    proposal.images = next((c for c in candidates if page.css(c) == story), None)
    if proposal.images is None:
        proposal.images = candidates[0]
        proposal.notes.append("images: the selector also takes images that are not the story's; narrow it")
    captions = [image.caption for image in wanted if image.url in [_image_url(page, i) for i in story]]
    if not any(captions):
        return
    for xpath in _caption_xpaths(story, captions):
        found = [select_xpath(img, xpath) for img in story]
        read = [clean_text(text_of(f[0])) if f else None for f in found]
        if read == [clean_text(c) if c else None for c in captions]:
            proposal.image_caption_xpath = xpath
            return
    proposal.notes.append("images: captions found, but no caption path fits every image")


def _caption_xpaths(story: list[Any], captions: list[str | None]) -> list[str]:
    """Caption paths to try, relative to an image: a figure's figcaption, or the block right
    after the image's own block, by its stable class or its tag."""
    paths = ["ancestor::figure[1]/figcaption"]
    for img, caption in zip(story, captions, strict=True):
        if not caption:
            continue
        block = img.getparent()
        while block is not None and block.tag in ("a", "span", "strong", "em", "b", "i", "font", "center"):
            block = block.getparent()
        following = block.getnext() if block is not None else None
        if block is None or following is None:
            continue
        step = f"ancestor::{block.tag}[1]" if block is not img.getparent() else ".."
        names = [n for n in (following.get("class") or "").split() if is_stable_name(n)]
        for name in names:
            paths.append(
                f"{step}/following-sibling::{following.tag}[1]"
                f"[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"
            )
        break
    return paths


def propose(url: str, body: bytes, content_type: str | None = None) -> Proposal:
    """Selectors for the fields the generic extractor reads on this page."""
    _, page = decode_page(body, content_type, url)
    raw = GenericLayout(page).read()
    elements = _elements(page)
    proposal = Proposal()

    headline = clean_text(raw.headline)
    if not headline:
        raise ScaffoldError("the generic extractor found no headline on this page")
    element = _deepest(elements, lambda text: text == headline)
    if element is not None:
        proposal.headline = stable_selector(page, [element])
    if not proposal.headline:
        proposal.notes.append("headline: no element holds exactly the headline")

    meta_texts = [collapse_whitespace(t) for t in raw.bylines] or ([raw.time_text] if raw.time_text else [])
    if meta_texts:
        needle = clean_text(meta_texts[0])[:20]
        element = _deepest(elements, lambda text: needle in text and len(text) < 200)
        if element is not None:
            proposal.info_line = stable_selector(page, [element])
    if not proposal.info_line:
        proposal.notes.append("info_line: no meta line (time, source, writers) located")

    paragraphs = [clean_text(p) for p in raw.paragraphs if clean_text(p)]
    located = []
    for paragraph in paragraphs:
        element = _deepest(elements, lambda text, p=paragraph: text == p)
        if element is not None and element not in located:
            located.append(element)
    if located:
        container = _common_ancestor(located) if len(located) > 1 else located[0].getparent()
        # Every block of the body's tag inside the container: a body paragraph the generic
        # extractor set aside (a credit line) is still read, and sorted out in normalisation.
        container_selector = stable_selector(page, [container]) if container is not None else None
        if container_selector:
            proposal.paragraphs = f"{container_selector} {located[0].tag}"
            if raw.images:
                _propose_images(page, proposal, container_selector, raw.images)
    if not proposal.paragraphs:
        proposal.notes.append("paragraphs: the body's container has no stable name")

    credit_elements = []
    body_container = page.first(proposal.paragraphs.rsplit(" ", 1)[0]) if proposal.paragraphs else None
    for credit in raw.credits:
        needle = clean_text(credit)[:20]
        element = _deepest(elements, lambda text, n=needle: n in text and len(text) < 120)
        if element is None:
            continue
        inside = body_container is not None and body_container in element.iterancestors()
        if not inside and element not in credit_elements:
            credit_elements.append(element)
    if credit_elements:
        proposal.credit_lines = stable_selector(page, credit_elements)
    return proposal


def _unique_urls(urls: list[str]) -> tuple[str, ...]:
    """The URLs without repeats, in order, comparing them normalised (dot segments resolved,
    percent-escapes in one case): an article at the site's root has the home page for its
    folder. Each is kept as written, as the site's own links and the URL rules have it."""
    unique: dict[str, str] = {}
    for url in urls:
        unique.setdefault(canonicalize_url(url), url)
    return tuple(unique.values())


def _class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def _path_rule(path: str) -> tuple[str, str]:
    """The article path rule (a regex with an ``id`` group) and the page's folder.

    The id is the last run of digits of the last segment, else the segment up to its suffix; a
    URL ending in ``/`` (``/news/123/``) takes it from the segment before, and its rule keeps the
    ``/``, so that the article is not also read as the listing of its own folder.
    """
    slash = "/" if path.endswith("/") and path != "/" else ""
    folder, _, last = path.rstrip("/").rpartition("/")
    digits = list(re.finditer(r"\d+", last))
    if digits:
        id_run = digits[-1]
        pieces = []
        position = 0
        for run in digits:
            pieces.append(re.escape(last[position:run.start()]))
            pieces.append("(?P<id>\\d+)" if run is id_run else f"\\d{{{len(run.group())}}}")
            position = run.end()
        pieces.append(re.escape(last[position:]))
        last_rule = "".join(pieces)
    else:
        _stem, dot, extension = last.partition(".")
        last_rule = "(?P<id>[^/.]+)" + (re.escape(dot + extension) if dot else "")
    folder_rule = re.sub(r"\d+", lambda m: f"\\d{{{len(m.group())}}}", re.escape(folder))
    return f"^{folder_rule}/{last_rule}{slash}$", folder


_MODULE = '''"""{title} ({host}): drafted by ``newscrawler portal new`` from one saved page.

Review before relying on it: the selectors were proposed from the sample page
``{fixture}``; the URL rules were guessed from one article URL and
the start pages are the site's home page and the article's folder.
{notes}"""

from __future__ import annotations

import re

from newscrawler.portals import register
from newscrawler.portals.base import Layout, Portal


class {cls}V1(Layout):
    version = "1"
    headline = {headline!r}
    info_line = {info_line!r}
    paragraphs = {paragraphs!r}
    credit_lines = {credit_lines!r}
    images = {images!r}
    image_caption_xpath = {image_caption_xpath!r}


@register
class {cls}(Portal):
    name = {name!r}
    title = {title!r}
    hosts = ({host!r},)
    canonical_host = {host!r}
    canonical_scheme = {scheme!r}
    timezone = "Asia/Shanghai"
    start_urls = {start_urls!r}
    article_path = re.compile({article_rule!r})
    listing_path = re.compile({listing_rule!r})
    layouts = ({cls}V1,)
'''


@dataclass
class Scaffold:
    module: Path
    fixture: Path
    expected: Path
    record: dict[str, Any]
    notes: list[str]


def fixture_path(fixtures_dir: Path, name: str, url: str) -> Path:
    """Where the sample goes: laid out by URL path as a replay reads it; pages the fixture test
    reads end in .html."""
    path = urlsplit(url).path or "/"
    if path.endswith("/"):
        path += "index.html"
    target = fixtures_dir / name / site_path(path)
    if target.suffix not in (".html", ".htm"):
        target = target.with_name(target.name + ".html")
    return target


def new_portal(name: str, sample: Path, url: str, portals_dir: Path = PORTALS_DIR,
               fixtures_dir: Path = FIXTURES_DIR, fetched_at: datetime | None = None,
               title: str | None = None) -> Scaffold:
    """Write the draft module, the fixture and its expected record; see the module docstring."""
    from . import portals

    if not NAME.match(name):
        raise ScaffoldError(f"portal names are lower-case words joined by '-', got {name!r}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ScaffoldError(f"not an http(s) URL: {url!r}")
    if parts.query:
        # A profile tells articles apart by their path (and drops the query from their canonical
        # URL): /content.jsp?id=1 and ?id=2 would be one article.
        raise ScaffoldError(f"{url}: an article told apart by its query (?{parts.query}) cannot be drafted:"
                            " a portal profile reads the article id from the URL's path; give the URL"
                            " of a page addressed by path, or write the profile by hand")
    if (parts.path or "/") == "/":
        raise ScaffoldError(f"{url}: the home page is not an article; give the URL of an article page")
    module = Path(portals_dir) / f"{name.replace('-', '_')}.py"
    if module.exists():
        raise ScaffoldError(f"portal {name!r} exists ({module})")
    if name in portals.names() or name == GenericPortal.name:
        # Registered from the package, wherever --portals-dir points: name its own module.
        taken = GenericPortal if name == GenericPortal.name else portals.get(name)
        raise ScaffoldError(f"portal {name!r} exists ({inspect.getfile(taken)})")
    owner = portals.for_url(url)
    if owner is not None:
        raise ScaffoldError(f"{parts.hostname} belongs to portal {owner.name}")
    body = Path(sample).read_bytes()
    proposal = propose(url, body)
    notes = list(proposal.notes)
    if not proposal.headline or not proposal.paragraphs:
        raise ScaffoldError("no selector for " + "; ".join(notes))

    fixture = fixture_path(Path(fixtures_dir), name, url)
    article_rule, folder = _path_rule(parts.path or "/")
    folder_listing = re.escape(folder + "/") + r"(?:index(?:_\d+)?\.html?)?"
    home = f"{parts.scheme}://{parts.hostname}/"
    start_urls = _unique_urls([home, f"{parts.scheme}://{parts.hostname}{folder}/"])
    text = _MODULE.format(
        title=title or parts.hostname, host=parts.hostname, scheme=parts.scheme, name=name,
        cls=_class_name(name), headline=proposal.headline,
        info_line=proposal.info_line or proposal.headline, paragraphs=proposal.paragraphs,
        credit_lines=proposal.credit_lines, images=proposal.images,
        image_caption_xpath=proposal.image_caption_xpath,
        fixture=fixture.relative_to(fixtures_dir.parent) if fixtures_dir.parent in fixture.parents else fixture,
        start_urls=start_urls, article_rule=article_rule,
        # The home page and the article's folder; one rule when the article is at the root.
        listing_rule=rf"^{folder_listing}$" if not folder else rf"^/(?:index\.html?)?$|^{folder_listing}$",
        notes="".join(f"\nTODO {note}." for note in notes) + ("\n" if notes else ""),
    )
    module.parent.mkdir(parents=True, exist_ok=True)
    module.write_text(text, encoding="utf-8")
    try:
        portal = load_portal_module(module)
        when = (fetched_at or datetime.now(timezone.utc).replace(microsecond=0)).astimezone(timezone.utc)
        record = extract(url, body, {}, when, portal)
    except Exception:
        module.unlink()  # no half-made portal left behind for the registry to import
        raise
    fixture.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sample, fixture)
    site_headers = Path(fixtures_dir) / name / ".headers.json"
    if not site_headers.exists():
        # The saved copy's capture time: a replay dates its pages by it, as the expected record.
        site_headers.write_text(json.dumps({"Date": formatdate(when.timestamp(), usegmt=True)}) + "\n",
                                encoding="utf-8")
    expected = fixture.with_name(fixture.stem + ".expected.json")
    empty = [key for key, value in record.items() if value in (None, "", [], {})]
    expected.write_text(json.dumps(
        {"url": url, "fetched_at": when.isoformat(), "expect_empty": empty, "record": record},
        ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return Scaffold(module, fixture, expected, record, notes)


def load_portal_module(path: Path) -> Any:
    """Import a portal module from its file (it registers itself) and return its portal class."""
    from .portals.base import Portal

    module_name = f"newscrawler.portals.{path.stem}"
    if module_name in sys.modules:
        module = sys.modules[module_name]
    else:
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ScaffoldError(f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    found = [v for v in vars(module).values()
             if isinstance(v, type) and issubclass(v, Portal) and v is not Portal and v.__module__ == module_name]
    if len(found) != 1:
        raise ScaffoldError(f"{path} defines {len(found)} portals, expected one")
    return found[0]


__all__ = ["Proposal", "Scaffold", "ScaffoldError", "is_stable_name", "load_portal_module",
           "new_portal", "propose", "stable_selector"]
