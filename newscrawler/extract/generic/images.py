"""Body images: the story's own pictures in the body container, each with its caption."""

from __future__ import annotations

import re
from typing import Any

from ..fields import RawImage
from ..images import is_article_image
from ..noise import photo_counter, strip_photo_counter
from ..normalize import collapse_whitespace
from ..page import Page
from .body import class_words, in_chrome_box, within
from .lines import BLOCK_TAGS, Line, tag_of
from .metalines import SENTENCE

# Image files named for page furniture rather than the story: QR codes, icons, logos, avatars.
_NOT_A_PHOTO = re.compile(r"qr_?code|erweima|[/_-]qr[._-]|icon|logo|avatar|share|loading|blank\.gif|spacer", re.I)
_CAPTION_CLASS = re.compile(r"desc|caption|pic|img|photo|note|tuzhu|zhushi|explain", re.IGNORECASE)
_MAX_CAPTION_LENGTH = 60


def _block_of(element: Any) -> Any:
    while element is not None and tag_of(element) not in BLOCK_TAGS:
        element = element.getparent()
    return element


def _caption_after(image: Any, line: Line, container: Any) -> str | None:
    """The line right after an image when it reads as that image's caption."""
    if line.chars > _MAX_CAPTION_LENGTH or line.link_share > 0.5 or not within(line.owner, container):
        return None
    block = _block_of(image)
    owner = line.owner
    if owner is block or tag_of(owner) == "figcaption" or _CAPTION_CLASS.search(class_words(owner)):
        return strip_photo_counter(line.text, line.spaced)
    if block is not None and owner.getprevious() is block and not SENTENCE.search(line.text.rstrip("。")):
        return strip_photo_counter(line.text, line.spaced)
    return None


def caption_lines(body: list[Line], images: list[tuple[Any, int]]) -> set[int]:
    """The indices of the body lines that may be captions opening on a slideshow's counter
    (``1/10 游客在栈道观鸟``): the line right under a picture, a caption block (``figcaption``,
    ``class="pic-note"``), and lines whose counters count the same pictures (1/6, 2/6 …)."""
    under = {position for _, position in images}
    counted: dict[int, list[tuple[int, int]]] = {}
    found = set()
    for line in body:
        counter = photo_counter(line.spaced)
        if counter is None:
            continue
        owner = line.owner
        if line.index in under or tag_of(owner) == "figcaption" or _CAPTION_CLASS.search(class_words(owner)):
            found.add(line.index)
        counted.setdefault(counter[1], []).append((counter[0], line.index))
    for series in counted.values():
        if len({current for current, _ in series}) > 1:
            found.update(index for _, index in series)
    return found


def body_images(
    page: Page, images: list[tuple[Any, int]], container: Any, lines: list[Line]
) -> list[RawImage]:
    """Images in the body; the caption is a figcaption, or the short line set right under the
    image (in the image's own block after it, or in the next block, or a caption-class block).
    The caption line also stays a paragraph: it stands as its own block in the body."""
    found: list[RawImage] = []
    if container is None:
        return found
    for element, position in images:
        if not within(element, container) or in_chrome_box(element, container):
            continue  # share QR codes and related-story thumbnails are not the story's images
        src = next(
            (element.attrib[k] for k in ("data-src", "data-original", "src") if element.attrib.get(k)), None
        )
        if not src or src.startswith("data:") or _NOT_A_PHOTO.search(src):
            continue
        url = page.absolute(src)
        if url is None or not is_article_image(element, url, page.url):
            continue  # a banner linking elsewhere, an advertisement, a tracking pixel
        caption = None
        figure = element.getparent()
        while figure is not None and tag_of(figure) != "figure" and figure is not container:
            figure = figure.getparent()
        if figure is not None and tag_of(figure) == "figure":
            captions = figure.findall(".//figcaption")
            if captions:
                parts = list(captions[0].itertext())
                caption = strip_photo_counter(
                    collapse_whitespace("".join(parts)), collapse_whitespace(" ".join(parts))
                ) or None
        if caption is None and position < len(lines):
            caption = _caption_after(element, lines[position], container)
        found.append(RawImage(url, caption))
    return found
