"""Publication times: find them in page text and parse every form Chinese portals show.

Absolute forms (``2022-04-19 17:31``, ``2022年04月19日 17:31``, ``2022/04/19 17:31:05``, ISO 8601
with an offset; a clock in words, ``17时31分``, or on 12 hours after its half of the day,
``下午5:31``) are parsed by python-dateutil. Year-less (``04-19 17:31``) and relative forms
(``3小时前``, ``昨天 17:31``, ``刚刚``) are resolved against the fetch time, in the portal's zone;
when the fetch time is unknown (a page saved by someone else) they are left unresolved rather
than guessed. Every result is timezone-aware: a time shown without a zone is in the portal's zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, datetime, timedelta, timezone, tzinfo
from functools import lru_cache

from dateutil import parser as date_parser
from dateutil import tz as date_tz

# The time as a page shows it. Ordered from most to least specific; each alternative is a whole
# form so that the raw text we keep is exactly what the page showed.
# Zone names pages print beside a time (overseas outlets, wire copy): 北京时间, 格林尼治标准时间, GMT.
_ZONE_NAMES = {
    "北京时间": "Asia/Shanghai", "北京時間": "Asia/Shanghai", "香港时间": "Asia/Hong_Kong",
    "香港時間": "Asia/Hong_Kong", "台北时间": "Asia/Taipei", "台北時間": "Asia/Taipei",
    "东京时间": "Asia/Tokyo", "東京時間": "Asia/Tokyo", "日本时间": "Asia/Tokyo", "日本時間": "Asia/Tokyo",
    "格林尼治标准时间": "UTC", "格林尼治標準時間": "UTC", "格林威治标准时间": "UTC",
    "格林威治標準時間": "UTC", "格林尼治时间": "UTC", "格林尼治時間": "UTC", "格林威治时间": "UTC",
    "格林威治時間": "UTC", "世界标准时间": "UTC", "世界標準時間": "UTC", "协调世界时": "UTC",
    "協調世界時": "UTC", "GMT": "UTC", "UTC": "UTC",
    "美东时间": "America/New_York", "美東時間": "America/New_York", "美国东部时间": "America/New_York",
    "美國東部時間": "America/New_York", "英国时间": "Europe/London", "英國時間": "Europe/London",
    "伦敦时间": "Europe/London", "倫敦時間": "Europe/London", "巴黎时间": "Europe/Paris",
    "巴黎時間": "Europe/Paris", "柏林时间": "Europe/Berlin", "柏林時間": "Europe/Berlin",
}
_ZONE = "|".join(sorted(map(re.escape, _ZONE_NAMES), key=len, reverse=True))
# …or in words, as government portals and newspapers print it: 10时20分, 9点05分, 10时20分31秒.
_WORD_CLOCK = r"\d{1,2}\s*[时時点點]\s*\d{1,2}\s*分(?:\s*\d{1,2}\s*秒)?"
_CLOCK = rf"(?:\d{{1,2}}[:：]\d{{2}}(?:[:：]\d{{2}})?|{_WORD_CLOCK})"
# A zone name before the clock (2012年12月10日, 格林尼治标准时间10:41) or after it (10:41 GMT).
# …and a weekday may stand between the date and the clock: 2019年9月24日 星期二 09:10.
_WEEKDAY = r"(?:星期|周|週|禮拜|礼拜)[一二三四五六日天]"
# The half of the day a 12-hour clock is set in (Taiwan and Hong Kong pages: 下午2:20, 上午 09:15).
_HALF_DAY = r"上午|下午|中午|晚上|凌晨|早上|傍晚"
_ZONED_CLOCK = (
    rf"(?:\s*[(（]?{_WEEKDAY}[)）]?\s*)?(?:[,，]?\s*(?:{_ZONE})\s*)?(?:(?:{_HALF_DAY})\s*)?{_CLOCK}"
    rf"(?:\s*[(（]?(?:{_ZONE})[)）]?)?"
)
_MERIDIEM = r"\s*(?:[AaPp]\.?[Mm]\.?)(?![A-Za-z])"
# Never a clock that stops short of its AM/PM (a caller's pattern could backtrack to that).
_US_CLOCK = rf"\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:{_MERIDIEM}|(?!{_MERIDIEM}))"
_MONTH_NAME = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)(?![a-z])"
)
# Every form starts where a number starts: in 99999-01-01 the last four digits are no year.
_ABSOLUTE = (
    r"(?<!\d)\d{4}-\d{1,2}-\d{1,2}T\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
    rf"|(?:(?:{_ZONE})\s*)?(?<!\d)\d{{4}}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日(?:\s*{_ZONED_CLOCK})?"
    rf"|(?:(?:{_ZONE})\s*)?(?<!\d)\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}"
    # …a weekday may stand between the date and the clock (2021-03-05 星期五 10:20).
    # The weekday may be bracketed, and then the clock may follow it without a space:
    # 2024/05/18（星期六）09:30, as Hong Kong and county pages print it.
    rf"(?:(?:\s*[(（]{_WEEKDAY}[)）]\s*(?:(?:{_HALF_DAY})\s*)?|(?:\s*{_WEEKDAY})?(?:\s*(?:{_HALF_DAY})\s*|\s+))(?:{_WORD_CLOCK}|\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:Z|[+-]\d{{2}}:?\d{{2}}|\s*[(（]?(?:{_ZONE})[)）]?|{_MERIDIEM}|(?!{_MERIDIEM}))?))?"
    # US style, month first, with AM/PM and no zone (overseas Chinese sites): 11/20/2004 10:30 PM,
    # Nov 20, 2004. A slashed date without AM/PM may be day first (21/01/2022 on a European
    # site): it is not read, rather than read wrong.
    rf"|(?<!\d)\d{{1,2}}/\d{{1,2}}/\d{{4}}\s+\d{{1,2}}:\d{{2}}(?::\d{{2}})?{_MERIDIEM}"
    rf"|{_MONTH_NAME}\.?\s+\d{{1,2}},?\s+\d{{4}}(?:,?\s+(?:at\s+)?{_US_CLOCK})?"
    # A Minguo year, as Taiwan's government pages date their notices: 民國113年3月5日 is 2024.
    # Written with dashes or slashes too, once its era is named (民國113-03-05, 民國113/03/05).
    rf"|(?:中華民國|中华民国|民國|民国)\s*\d{{2,3}}\s*(?:年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日|[-/]\d{{1,2}}[-/]\d{{1,2}}(?!\d))"
    rf"(?:\s*{_ZONED_CLOCK})?"
    # A dotted date with the year last is day first wherever it is written (05.03.2021 on a
    # German or French service's Chinese pages); no Chinese page writes month first with dots.
    r"|(?<![\dA-Za-z.])\d{1,2}\.\d{1,2}\.\d{4}(?![\d.])(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?![\d:]))?"
)
_YEARLESS = (
    r"(?<![\d/.-])\d{1,2}[-/]\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?"
    rf"|(?<![\d年])\d{{1,2}}月\d{{1,2}}日\s*(?:(?:{_HALF_DAY})\s*)?\d{{1,2}}[:：]\d{{2}}"
)
_RELATIVE = (
    r"\d+\s*(?:秒|分钟|分鐘|小时|小時|天)前"
    r"|(?:今天|昨天|前天)(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
    r"|刚刚|剛剛"
)
TIME_PATTERN = re.compile(f"(?:{_ABSOLUTE}|{_YEARLESS}|{_RELATIVE})")
_RELATIVE_ONLY = re.compile(f"(?:{_YEARLESS}|{_RELATIVE})")

_RELATIVE_UNITS = {
    "秒": timedelta(seconds=1),
    "分钟": timedelta(minutes=1),
    "分鐘": timedelta(minutes=1),
    "小时": timedelta(hours=1),
    "小時": timedelta(hours=1),
    "天": timedelta(days=1),
}
# Stands in for an unknown fetch time once relative forms are ruled out: absolute forms ignore it.
_NO_FETCH = datetime(2100, 1, 1, tzinfo=timezone.utc)
_DAY_WORDS = {"今天": 0, "昨天": 1, "前天": 2}
_CJK_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日")
# A zone name printed with a time (北京时间, GMT): such a time states its zone itself. Compiled
# once: parse_time runs for every page.
ZONE_NAME_PATTERN = re.compile(_ZONE)
# A clock on a line, with colons or in words (17:31, 17时31分): the text shows a time of day.
CLOCK_PATTERN = re.compile(_CLOCK)
_ZONE_WORDS = re.compile(rf"[,，]?\s*[(（]?(?:{_ZONE})[)）]?\s*")
_WEEKDAY_WORD = re.compile(rf"[(（]?{_WEEKDAY}[)）]?")
_MINGUO = re.compile(r"^(?:中華民國|中华民国|民國|民国)\s*(?P<year>\d{2,3})\s*(?P<sep>年|[-/])")
# A Minguo date printed without its era, as Taiwan's pages print it (113-03-05, 113/03/05,
# 113年3月5日): a three-digit year from 100 (2011) to 200. Read so only on a page in Traditional
# script (``minguo_named``): nowhere else is a three-digit year a date.
_BARE_MINGUO = re.compile(
    r"(?<![\d./:-])(?<![國国])(?<![國国]\s)(?P<year>1\d{2}|200)(?=\s*(?:[-/]\d{1,2}[-/]\d{1,2}|年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)(?!\d))"
)
_DAY_FIRST = re.compile(r"^(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})(?P<rest>\s.*)?$")
_WORD_CLOCK_PARTS = re.compile(
    r"(?P<hour>\d{1,2})\s*[时時点點]\s*(?P<minute>\d{1,2})\s*分(?:\s*(?P<second>\d{1,2})\s*秒)?"
)
_HALF_DAY_CLOCK = re.compile(rf"(?P<half>{_HALF_DAY})\s*(?P<hour>\d{{1,2}}):(?P<rest>\d{{2}})")
# The halves after noon: a clock there below 12 is in the afternoon or evening (中午1:05 too).
_AFTERNOON = frozenset({"下午", "晚上", "傍晚"})
_YEARLESS_START = re.compile(r"^\d{1,2}[-/]\d{1,2}(?:\s|$)")
_AGO = re.compile(r"(\d+)\s*(秒|分钟|分鐘|小时|小時|天)前")
_DAY_WORD_TIME = re.compile(r"(今天|昨天|前天)(?:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?")


@dataclass(frozen=True)
class ParsedTime:
    """A parsed time and the text it was parsed from."""

    value: datetime
    raw: str


def portal_zone(name: str) -> tzinfo:
    """The tzinfo for an IANA zone name; an unknown name is an error, not UTC."""
    zone = date_tz.gettz(name) if name and name.strip() else None
    if zone is None:
        raise ValueError(f"unknown time zone: {name!r}")
    return zone


def has_bare_minguo(text: str) -> bool:
    """True when ``text`` shows a Minguo date without its era (113-03-05)."""
    return _BARE_MINGUO.search(text) is not None


def minguo_named(text: str) -> str:
    """``text`` with its era named before each bare Minguo date (113-03-05 is 民國113-03-05),
    so that the time patterns read it; for a page known to be in Traditional script only."""
    return _BARE_MINGUO.sub(r"民國\g<year>", text)


@lru_cache(maxsize=256)
def find_time_text(text: str) -> str | None:
    """The first time-like text in ``text`` (e.g. a meta line), as shown, or None. Cached: the
    fallback's check and normalisation both ask it of the same meta line."""
    match = TIME_PATTERN.search(text)
    return match.group(0) if match else None


def is_relative(raw: str) -> bool:
    """True for times that only mean something against the fetch time (昨天, 3小时前, 04-19 17:31)."""
    text = raw.strip().replace("：", ":")
    return _RELATIVE_ONLY.fullmatch(text) is not None


def parse_time(raw: str, fetched_at: datetime | None, zone: tzinfo) -> datetime | None:
    """Parse one time text; relative and year-less forms are resolved against ``fetched_at``.

    Returns an aware datetime, or None when the text holds no time we understand, or when it is
    relative or year-less and ``fetched_at`` is None (unknown).
    """
    if fetched_at is None:
        return None if is_relative(raw) else parse_time(raw, _NO_FETCH, zone)
    if fetched_at.tzinfo is None:
        raise ValueError("fetched_at must be timezone-aware")
    text = raw.strip().replace("：", ":")
    try:
        iso = _fast_iso(text) if text[:1].isdigit() else None
    except OverflowError:
        iso = None  # the general path gives what it gives for it
    if iso is not None:
        # Text the standard library reads as ISO 8601 holds no zone name, weekday, relative or
        # year-less form (it starts with a four-digit year and is ASCII but for one separator
        # character), so none of the rewriting below applies to it and the general path would
        # reach ``_fast_iso`` with this same text: its result, without the regexes on the way.
        if fetched_at.year in (MINYEAR, MAXYEAR) and not _converts(fetched_at, zone):
            return None
        return _aware(iso, zone)
    return _parse_general(text, fetched_at, zone)


def _parse_general(text: str, fetched_at: datetime, zone: tzinfo) -> datetime | None:
    """``parse_time`` for every form, on the stripped text with ASCII colons."""
    named = ZONE_NAME_PATTERN.search(text)
    if named:
        # A time printed with its zone's name is in that zone, whatever the portal's.
        zone = portal_zone(_ZONE_NAMES[named.group(0)])
        text = _ZONE_WORDS.sub(" ", text).strip()
    text = _WEEKDAY_WORD.sub(" ", text)
    minguo = _MINGUO.match(text) if "民" in text else None
    if minguo:
        text = f"{int(minguo['year']) + 1911}{minguo['sep']}{text[minguo.end():]}"
    day_first = _DAY_FIRST.match(text) if "." in text else None
    if day_first:
        text = f"{day_first['year']}-{day_first['month']}-{day_first['day']}{day_first['rest'] or ''}"
    if "分" in text:
        text = _WORD_CLOCK_PARTS.sub(_colon_clock, text)
    if "午" in text or "晚" in text or "凌" in text or "早" in text:
        text = _HALF_DAY_CLOCK.sub(_clock_of_day, text)
    # The fetch time in the zone is only needed for relative and year-less forms, and converting
    # it runs dateutil's Python code: it is converted when one is found. A fetch at the edge of
    # what datetime holds (year 1 or 9999) may not convert at all, and then no time can be given
    # (a zone's offset is under a day, so no other fetch time can fail).
    if fetched_at.year in (MINYEAR, MAXYEAR) and not _converts(fetched_at, zone):
        return None
    try:
        relative = _parse_relative(text, fetched_at, zone)
    except OverflowError:
        return None
    if relative is not None:
        return relative
    match = _CJK_DATE.search(text) if "月" in text else None  # a memchr spares the regex
    if match:
        year, month, day = match.groups()
        text = f"{year or ''}{'-' if year else ''}{month}-{day} {text[match.end():].strip()}"
    text = text.strip()
    if _YEARLESS_START.match(text):
        try:
            return _parse_yearless(text, fetched_at.astimezone(zone), zone)
        except OverflowError:
            return None
    try:
        parsed = _fast_iso(text) or (
            date_parser.isoparse(text) if "T" in text else date_parser.parse(text)
        )
    except (ValueError, OverflowError):
        return None
    return _aware(parsed, zone)


def _colon_clock(match: re.Match[str]) -> str:
    """A clock in words (10时20分31秒) written with colons (10:20:31)."""
    second = match.group("second")
    clock = f"{int(match.group('hour')):02d}:{int(match.group('minute')):02d}"
    return f" {clock}:{int(second):02d}" if second else f" {clock}"


def _clock_of_day(match: re.Match[str]) -> str:
    """A 12-hour clock with its half of the day (下午2:20) on the 24-hour clock (14:20)."""
    half, hour = match.group("half"), int(match.group("hour"))
    if hour < 12 and (half in _AFTERNOON or (half == "中午" and hour < 11)):
        hour += 12
    elif hour == 12 and half in ("凌晨", "上午", "早上"):
        hour = 0
    return f" {hour:02d}:{match.group('rest')}"


def _fast_iso(text: str) -> datetime | None:
    # The commonest form (2022-04-19 17:31[:05]) is ISO 8601 already: the standard library reads
    # it several times faster than dateutil's general parser, which handles everything else.
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _converts(fetched_at: datetime, zone: tzinfo) -> bool:
    """False when the fetch time cannot be shown in the zone (a fetch at year 1 or 9999 that a
    zone's offset carries past what datetime holds)."""
    try:
        fetched_at.astimezone(zone)
    except OverflowError:
        return False
    return True


def _aware(value: datetime, zone: tzinfo) -> datetime | None:
    # A time shown without a zone is wall-clock time in the portal's zone.
    if value.tzinfo is None:
        return value.replace(tzinfo=zone)
    try:
        value.utcoffset()
    except ValueError:
        # An offset of a day or more (dateutil reads 0:0-3000 as UTC-30:00): no zone has one,
        # and a record could not print the time.
        return None
    return value


def _parse_relative(text: str, fetched_at: datetime, zone: tzinfo) -> datetime | None:
    if text in ("刚刚", "剛剛"):
        return fetched_at.astimezone(zone).replace(microsecond=0)
    match = _AGO.fullmatch(text)
    if match:
        now = fetched_at.astimezone(zone)
        # "3 hours ago" is elapsed time: subtract it in UTC so a DST change in between counts.
        elapsed = int(match.group(1)) * _RELATIVE_UNITS[match.group(2)]
        return (now.astimezone(timezone.utc) - elapsed).astimezone(now.tzinfo).replace(
            microsecond=0
        )
    match = _DAY_WORD_TIME.fullmatch(text)
    if match:
        now = fetched_at.astimezone(zone)
        # A day word alone (昨天) gives the date only: the start of that day.
        day = now - timedelta(days=_DAY_WORDS[match.group(1)])
        return day.replace(
            hour=int(match.group(2) or 0),
            minute=int(match.group(3) or 0),
            second=int(match.group(4) or 0),
            microsecond=0,
        )
    return None


def _parse_yearless(text: str, now: datetime, zone: tzinfo) -> datetime | None:
    # The default is in a leap year so that 02-29 parses; the real year is chosen below.
    default = now.replace(tzinfo=None, year=2000, month=1, day=1, second=0, microsecond=0)
    try:
        parsed = date_parser.parse(text, default=default)
    except (ValueError, OverflowError):
        return None
    # A year-less date later than the fetch is from last year (a December story read in January);
    # 02-29 falls back to the latest leap year that does not lie ahead.
    for year in range(now.year, now.year - 8, -1):
        try:
            value = _aware(parsed.replace(year=year), zone)
        except ValueError:
            continue
        if value is None:
            return None
        if value <= now + timedelta(days=1):
            return value
    return None


def find_and_parse(text: str, fetched_at: datetime | None, zone: tzinfo) -> ParsedTime | None:
    """Find the first time in ``text`` and parse it."""
    raw = find_time_text(text)
    if raw is None:
        return None
    value = parse_time(raw, fetched_at, zone)
    return ParsedTime(value, raw) if value is not None else None
