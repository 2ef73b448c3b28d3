"""Normalisation: turn a layout's raw strings into the article record.

Shared by every portal: text rules (``normalize``), the byline grammar (``byline``), credit lines
in the body (``credits``), times (``times``) and script detection (``script``). The output has
exactly the keys of the field table (``record.FIELDS``), in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from .byline import Byline, parse_byline
from .credits import is_credit_line, lead_credit, trailing_credit
from .fields import RawFields, RawLink
from .noise import is_noise_line
from .normalize import CACHED_LENGTH, clean_short, clean_text, collapse_whitespace
from .prefilter import guarded
from .script import detect_script
from .times import find_and_parse, find_time_text, is_relative

# Labels that introduce the time on a meta line; removed with the time before reading names.
# Guarded: it runs on every meta line, and most of a line's positions start no match.
_TIME_LABEL = guarded(re.compile(r"(?:发布|發布|發佈|更新)?(?:时间|時間|日期)\s*[:：]?"))
_PARTICIPANTS = re.compile(r"(\d+)\s*人\s*(?:参与|參與)")
_COMMENT_COUNT = re.compile(r"(\d+)\s*(?:条|條)\s*(?:评论|評論)")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class PageContext:
    """What is known about a page apart from its content."""

    # None for a page read outside a crawl whose address is unknown.
    url: str | None
    canonical_url: str | None
    portal: str
    article_id: str | None
    fetched_at: datetime
    zone: tzinfo
    extractor: str
    encoding: str
    warnings: tuple[str, ...] = ()
    # False for a page saved by someone else at an unknown time: ``fetched_at`` is then only when
    # it was read, and relative times (昨天, 3小时前) cannot be resolved against it.
    fetch_time_known: bool = True


def build_record(raw: RawFields, ctx: PageContext) -> dict[str, Any]:
    """The normalised record for one article page (not yet validated)."""
    warnings = list(ctx.warnings)
    published = None
    unresolved = None
    if raw.time_text:
        published = find_and_parse(raw.time_text, ctx.fetched_at if ctx.fetch_time_known else None, ctx.zone)
        shown = find_time_text(raw.time_text) if published is None else published.raw
        if published is None and shown and not ctx.fetch_time_known and is_relative(shown):
            warnings.append(f"unresolved:published_at={shown} (fetch time unknown)")
            unresolved = shown  # kept as shown, for a reader who knows when the page was saved
        elif published is None:
            warnings.append(f"unparsed:published_at={collapse_whitespace(raw.time_text)[:60]}")

    byline = Byline()
    for line in raw.bylines:
        if published is not None:
            line = line.replace(published.raw, " ")
        byline.extend(parse_byline(_TIME_LABEL.sub(" ", line)))
    paragraphs: list[str] = []
    for block in raw.paragraphs:
        text = clean_text(block)
        if not text or is_noise_line(text):
            continue  # prompts, 原标题 notes and legal lines are not article text
        if is_credit_line(text):
            byline.extend(parse_byline(text))
            continue
        if len(paragraphs) < 2:
            # 本报讯（记者 陈荔雅 通讯员 谭总）4月18日… names people and stays text.
            credit = lead_credit(text)
            if credit:
                byline.extend(parse_byline(credit))
        paragraphs.append(text)
    # Photo credits at the end of image captions name content makers too.
    for image in raw.images:
        credit = trailing_credit(clean_text(image.caption))
        if credit:
            byline.extend(parse_byline(credit))
    for line in raw.credits:
        byline.extend(parse_byline(line))

    headline = clean_text(raw.headline)
    return {
        "url": ctx.url,
        "canonical_url": ctx.canonical_url,
        "portal": ctx.portal,
        "article_id": ctx.article_id,
        "headline": headline,
        "kicker": clean_text(raw.kicker) or None,
        "subtitle": clean_text(raw.subtitle) or None,
        "published_at": published.value.isoformat() if published else None,
        "published_at_raw": collapse_whitespace(published.raw if published else unresolved or "") or None,
        "source": byline.source,
        "paper": clean_text(raw.paper) or None,
        "edition_date": edition_date(raw.edition_date),
        "page": clean_text(raw.page) or None,
        "reporters": [p.as_dict() for p in byline.reporters],
        "editors": [p.as_dict() for p in byline.editors],
        "paragraphs": paragraphs,
        "images": [
            {"url": image.url, "caption": clean_text(image.caption) or None} for image in raw.images
        ],
        "rankings": build_rankings(raw.rankings),
        "related": build_related(raw.related),
        "comments": parse_comments(raw.comments_text),
        "script": detect_script(headline, *paragraphs),
        "encoding": ctx.encoding,
        "fetched_at": ctx.fetched_at.isoformat(),
        "extractor": ctx.extractor,
        "warnings": warnings,
    }


def build_rankings(links: list[RawLink]) -> list[dict[str, Any]]:
    """The record's ``rankings`` from a layout's ranking links."""
    rankings = []
    # Position within its own list and period, for items that show no rank number; each list's
    # title and period cleaned once. The links are unpacked, not read by field name: a named
    # tuple's field is a Python-level lookup, and a page has dozens of items.
    counters: dict[tuple[str, str | None], list[Any]] = {}
    for box, title, url, period, shown in links:
        key = (box, period)
        group = counters.get(key)
        if group is None:
            group = counters[key] = [0, clean_text(box), clean_text(period) or None]
        group[0] += 1
        rankings.append({
            "list": group[1],
            "period": group[2],
            # The common case (1, 2 …) without a call: the whole text is the number.
            "rank": int(shown) if shown and shown.isdecimal() else _rank(shown, group[0]),
            # clean_text, without its call: a list's titles are short.
            "title": clean_short(title) if title and len(title) <= CACHED_LENGTH else clean_text(title),
            "url": url,
        })
    return rankings


def _rank(shown: str | None, position: int) -> int:
    """The first number in the rank the page shows, else the item's position."""
    if shown and shown.isdecimal():
        return int(shown)  # the common case (1, 2 …): the whole text is the number
    digits = _DIGITS.search(shown or "")
    return int(digits.group(0)) if digits else position


def build_related(links: list[RawLink]) -> list[dict[str, Any]]:
    """The record's ``related`` from a layout's related-story links (untitled ones left out)."""
    related = []
    lists: dict[str, str] = {}  # each box's title cleaned once
    for box, title, url, _, _ in links:
        title = clean_short(title) if title and len(title) <= CACHED_LENGTH else clean_text(title)
        if title:
            name = lists.get(box)
            if name is None:
                name = lists[box] = clean_text(box)
            related.append({"list": name, "title": title, "url": url})
    return related


_EDITION_DATE = re.compile(r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]?\s*/?\s*(\d{1,2})")


def edition_date(text: str | None) -> str | None:
    """``2022-04/19`` (a Founder URL folder), ``2022年4月19日`` → ``2022-04-19``; None if no date."""
    match = _EDITION_DATE.search(text or "")
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_comments(text: str | None) -> dict[str, int | None] | None:
    """``評論 0人參與,0條評論`` → ``{"participants": 0, "count": 0}``; None when no count shows."""
    if not text:
        return None
    text = clean_text(text)
    participants = _PARTICIPANTS.search(text)
    count = _COMMENT_COUNT.search(text)
    if not participants and not count:
        return None
    return {
        "participants": int(participants.group(1)) if participants else None,
        "count": int(count.group(1)) if count else None,
    }
