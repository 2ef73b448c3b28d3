"""Which ``<img>`` elements in an article body are the article's own pictures.

Bodies carry more than the story's figures: advertising banners linking elsewhere, images under
``/ad/`` or ``banner`` paths, and tracking pixels. ``is_article_image`` is the one shared rule;
profile layouts (``Layout.read_images``) and the fallback to the generic extractor apply it to
every image they keep, so an advertisement never becomes a record's image.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

# Path segments, file-name words and class or id words of advertising and tracking images.
_AD_WORDS = frozenset({
    "ad", "ads", "adv", "advert", "adverts", "advertise", "advertisement", "advertising",
    "banner", "banners", "guanggao", "sponsor", "sponsored",
})
_TRACKING_WORDS = frozenset({"pixel", "beacon", "tracker", "tracking", "spacer", "1x1"})
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
# Attributes and styles giving an image's rendered size.
_STYLE_SIZE = re.compile(r"(?<![-\w])(width|height)\s*:\s*(\d+(?:\.\d+)?)\s*px", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|bmp|avif)$", re.IGNORECASE)
# How far up the tree an advertising class marks an image: its own block and the box around it.
_CLASS_DEPTH = 3
# Rendered this small, an image is a tracking pixel, never a picture.
_PIXEL_SIZE = 2


@lru_cache(maxsize=1024)
def _words(text: str) -> frozenset[str]:
    # Cached: a portal's templates repeat the same class and id values on every page.
    return frozenset(word for word in _WORD_SPLIT.split(text.lower()) if word)


@lru_cache(maxsize=256)
def _path_words(url: str) -> frozenset[str]:
    # Both tests below ask for the words of the same image's path.
    return _words(urlsplit(url).path)


def _tag(element: Any) -> str:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else ""


def _size(element: Any) -> list[float]:
    sizes = []
    for name in ("width", "height"):
        value = (element.get(name) or "").strip().lower().removesuffix("px")
        if _NUMBER.fullmatch(value):
            sizes.append(float(value))
    sizes.extend(float(value) for _, value in _STYLE_SIZE.findall(element.get("style") or ""))
    return sizes


def is_tracking_pixel(img: Any, url: str) -> bool:
    """A 1×1 (or ≤ 2 px) image, or one named as a pixel or beacon."""
    if any(size <= _PIXEL_SIZE for size in _size(img)):
        return True
    return bool(_path_words(url) & _TRACKING_WORDS) or bool(_words(img.get("class") or "") & _TRACKING_WORDS)


def is_advertising(img: Any, url: str) -> bool:
    """An image under an advertising path (``/ad/``, ``ads``, ``banner``, ``adv`` as a path
    segment or file-name word), or inside an element whose class or id says advertising."""
    if _path_words(url) & _AD_WORDS:
        return True
    element = img
    for _ in range(_CLASS_DEPTH + 1):
        if element is None:
            break
        if _words(f"{element.get('class') or ''} {element.get('id') or ''}") & _AD_WORDS:
            return True
        element = element.getparent()
    return False


def links_elsewhere(img: Any, url: str, page_url: str) -> bool:
    """True when the image is wrapped in a link to another page (a banner): a link to the image
    file itself, or to a larger picture, is how bodies let readers enlarge a photo."""
    element = img.getparent()
    while element is not None and _tag(element) not in ("a", "p", "div", "figure", "td", "body"):
        element = element.getparent()
    if element is None or _tag(element) != "a":
        return False
    href = (element.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:")):
        return False
    target = urljoin(page_url, href)
    return target != url and not _IMAGE_FILE.search(urlsplit(target).path)


def is_article_image(img: Any, url: str, page_url: str) -> bool:
    """True for a picture of the article: not a link-wrapped banner, not advertising, not a
    tracking pixel. ``img`` is the lxml ``<img>`` element, ``url`` its absolute source URL and
    ``page_url`` the URL of the page it is on."""
    return not (
        is_tracking_pixel(img, url) or is_advertising(img, url) or links_elsewhere(img, url, page_url)
    )
