"""Publication times: the visible time reconciled with the times the page's metadata holds."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from ..times import (
    CLOCK_PATTERN,
    TIME_PATTERN,
    ZONE_NAME_PATTERN,
    is_relative,
    parse_time,
    portal_zone,
)
from .lines import Line

# A fixed reference for comparing times: parsing needs a fetch time only for relative forms.
_REFERENCE = datetime(2100, 1, 1, tzinfo=timezone.utc)
ZONE = portal_zone("Asia/Shanghai")
_HAS_YEAR = re.compile(r"\d{4}")


PLACEHOLDER_CLOCK = re.compile(r"23:59:59")
# An update time is when the page last changed, not when it was published: it is read as the
# publication time only as the last resort, when the page shows and records no other time at all
# (a late time is still the best bound on when the story was out; null would tell less).
_UPDATE_LABEL = re.compile(
    r"(?:最后更新|最後更新|最近更新|更新(?:时间|時間|日期|于|於)?|修改(?:时间|時間|日期|于|於)|修订(?:时间|日期|于)"
    r"|[Uu]pdated?(?:\s+on|\s+at)?)\s*[:：]?\s*$"
)


# A government portal's information table (索引号, 发布机构, 成文日期, 发布日期) dates the document
# when it was written as well as when it was published: the written date is not the publication
# time, only its last resort.
_DRAFTED_LABEL = re.compile(
    r"(?:成文|生成|创建|創建|制发|製發|印发|印發|签署|簽署|形成)(?:时间|時間|日期)\s*[:：]?\s*$"
)


# A page's print view stamps the day the reader printed it (打印日期：2024-07-01), a crawl's
# fetch day: never when the story was published, not even as a last resort.
_PRINTED_LABEL = re.compile(r"(?:打印|列印)(?:时间|時間|日期|于|於)\s*[:：]?\s*$")


def shown_time(text: str) -> str | None:
    """The first time a meta line shows as its publication time: not one labelled as an update,
    nor the date a document was written (成文日期), nor the day it was printed (打印日期)."""
    for match in TIME_PATTERN.finditer(text):
        before = text[max(0, match.start() - 12) : match.start()]
        if not (_UPDATE_LABEL.search(before) or _DRAFTED_LABEL.search(before) or _PRINTED_LABEL.search(before)):
            return match.group(0)
    return None


def drafted_time(text: str) -> str | None:
    """The date a meta line labels as when the document was written (成文日期：2021-03-04)."""
    for match in TIME_PATTERN.finditer(text):
        if _DRAFTED_LABEL.search(text[max(0, match.start() - 12) : match.start()]):
            return match.group(0)
    return None


def updated_time(text: str) -> str | None:
    """The time a meta line labels as an update (更新时间：2024-03-11 16:20)."""
    for match in TIME_PATTERN.finditer(text):
        if _UPDATE_LABEL.search(text[max(0, match.start() - 12) : match.start()]):
            return match.group(0)
    return None


def date_shown(value: str, lines: list[Line]) -> bool:
    """True when the date of a metadata time appears in the page's text, in any common form."""
    match = re.search(r"(\d{4})\D{1,2}(\d{1,2})\D{1,2}(\d{1,2})", value)
    if not match:
        return False
    year, month, day = (int(part) for part in match.groups())
    shown = re.compile(rf"{year}\s*[-/.年]\s*0?{month}\s*[-/.月]\s*0?{day}(?!\d)")
    return any(shown.search(line.text) for line in lines)


def reconcile_times(
    visible: str | None,
    structured: list[str],
    completing: list[str] | tuple[str, ...] = (),
    zoning: list[str] | tuple[str, ...] = (),
) -> str | None:
    """The publication time to read: the visible one, completed or confirmed by metadata.

    ``structured`` are publication times from metadata; ``completing`` are other times (updates)
    that may only complete a visible time they agree with; ``zoning`` are machine-readable times
    (``<time datetime>``) that may only give a visible time its zone.
    """
    if visible is None or is_relative(visible):
        # A relative time (昨天) can only be checked against the fetch time, which the page
        # does not know: the metadata's absolute time is the better reading.
        structured_only = parsed_times(structured)
        if structured_only or visible is None:
            return structured_only[0][0] if structured_only else None
    # A UTC time matches a shown clock by its minute alone: of the <time datetime> elements, only
    # one standing alone is the article's; among many (a list of stories) one would match by chance.
    zoned = _zoned(visible, [*structured, *completing, *zoning]) or _shifted_from_utc(
        visible, [*structured, *zoning] if len(zoning) == 1 else structured
    )
    if zoned is not None:
        return zoned
    parsed = parsed_times(structured) + parsed_times(completing)
    if not parsed:
        return visible
    return _completed(visible, parsed)


# An explicit offset other than UTC's: a CMS that writes its local time with Z or +00:00 is common,
# so a zero offset that agrees with the shown clock says nothing of the page's zone.
_NONZERO_OFFSET = re.compile(r"[+-](?!00:?00)\d{2}:?\d{2}$")


def _zoned(visible: str, machine: list[str]) -> str | None:
    """A machine-readable time that shows the visible time's own clock with an explicit offset.

    A page shows its time in its own zone, without naming it (a Paris or New York site's
    ``2021年3月5日 10:20``); the same time in its metadata or a ``<time datetime>`` with
    ``+01:00`` tells the zone, which the portal's zone must not replace. Only a time of the same
    minute counts: another story's time in a side list does not.
    """
    if not (_HAS_YEAR.search(visible) and CLOCK_PATTERN.search(visible)) or ZONE_NAME_PATTERN.search(visible):
        return None
    shown = parse_time(visible, _REFERENCE, ZONE)
    if shown is None:
        return None
    wall = shown.replace(tzinfo=None, second=0, microsecond=0)
    for raw in machine:
        match = TIME_PATTERN.search(raw)
        if not match or not _NONZERO_OFFSET.search(match.group(0)):
            continue
        value = parse_time(match.group(0), _REFERENCE, ZONE)
        # …and in another zone than the portal's: then the shown text stays the raw time.
        if value is not None and value.replace(tzinfo=None, second=0, microsecond=0) == wall and (
            value.utcoffset() != shown.utcoffset()
        ):
            return match.group(0)
    return None


# A UTC time says the page's zone when the shown clock is that instant in another zone: the
# difference is then a zone's offset, in whole or half hours between UTC−12 and UTC+14.
_UTC_OFFSET = re.compile(r"(?:Z|[+-]00:?00)$")
_HALF_HOUR = timedelta(minutes=30)
_OFFSET_RANGE = (timedelta(hours=-12), timedelta(hours=14))
# The portal's own offset: a China page's CMS that writes its time in UTC says nothing new.
_PORTAL_OFFSET = timedelta(hours=8)


def _shifted_from_utc(visible: str, machine: list[str]) -> str | None:
    """The visible time in the zone a UTC publication time shows it is in, as ISO 8601.

    An overseas page shows its own wall clock without a zone (``2024-03-05 14:30``) and records
    the same instant in UTC (``2024-03-05T13:30:00Z``): the difference of the clocks is the page's
    offset (+01:00). Equal clocks say nothing (a CMS writing its local time with ``Z``), nor does
    the portal's own +8, nor a difference that is no zone's (a modified time, another story's).
    Only publication times and a lone ``<time datetime>`` count: an update time is another
    instant.
    """
    if not (_HAS_YEAR.search(visible) and CLOCK_PATTERN.search(visible)) or ZONE_NAME_PATTERN.search(visible):
        return None
    shown = None
    for raw in machine:
        match = TIME_PATTERN.search(raw)
        if not match or not _UTC_OFFSET.search(match.group(0)):
            continue
        if shown is None:
            shown = parse_time(visible, _REFERENCE, ZONE)
            if shown is None:
                return None
        value = parse_time(match.group(0), _REFERENCE, ZONE)
        if value is None:
            continue
        wall = shown.replace(tzinfo=None, microsecond=0)
        offset = wall.replace(second=0) - value.replace(tzinfo=None, second=0, microsecond=0)
        if (
            offset % _HALF_HOUR
            or not _OFFSET_RANGE[0] <= offset <= _OFFSET_RANGE[1]
            or offset in (timedelta(0), _PORTAL_OFFSET)
        ):
            continue
        return wall.replace(tzinfo=timezone(offset)).isoformat()
    return None


def parsed_times(values: list[str] | tuple[str, ...]) -> list[tuple[str, datetime]]:
    parsed = []
    for raw in values:
        match = TIME_PATTERN.search(raw)
        if not match or not _HAS_YEAR.search(match.group(0)):
            continue
        value = parse_time(match.group(0), _REFERENCE, ZONE)
        if value is not None:
            parsed.append((match.group(0), value.astimezone(ZONE)))
    return parsed


def _completed(visible: str, parsed: list[tuple[str, datetime]]) -> str:
    # 04-19 17:31 has no year (its 4-digit run is not one); 11/20/2004 10:30 PM has.
    has_year = bool(_HAS_YEAR.search(visible)) and not re.match(r"^\d{1,2}[-/]\d{1,2}(?![-/]\d)", visible)
    has_clock = bool(CLOCK_PATTERN.search(visible))
    if has_year and has_clock:
        return visible
    shown = parse_time(visible, _REFERENCE, ZONE)
    if shown is None:
        return visible
    shown = shown.astimezone(ZONE)
    for raw, value in parsed:
        same_day = (value.month, value.day) == (shown.month, shown.day)
        if has_year:
            # A bare date on the page: metadata of that same day adds the time.
            if same_day and value.year == shown.year:
                return raw
        elif same_day and (not has_clock or (value.hour, value.minute) == (shown.hour, shown.minute)):
            # A year-less or relative time: metadata that agrees adds the year.
            return raw
    return visible

