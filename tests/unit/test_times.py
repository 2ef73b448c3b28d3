"""Publication times: every form a portal shows, always timezone-aware in the portal's zone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from newscrawler.extract.times import (
    ParsedTime,
    find_and_parse,
    find_time_text,
    has_bare_minguo,
    minguo_named,
    parse_time,
    portal_zone,
)

SHANGHAI = portal_zone("Asia/Shanghai")
# 2024-06-30T20:00Z is already 2024-07-01 04:00 in the portal's zone (+08:00).
FETCHED = datetime(2024, 6, 30, 20, 0, tzinfo=timezone.utc)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Absolute forms without a zone: wall-clock time in the portal's zone.
        ("2022-04-19 17:31", "2022-04-19T17:31:00+08:00"),
        ("2022-04-19 17:31:05", "2022-04-19T17:31:05+08:00"),
        ("2022-4-9 7:05", "2022-04-09T07:05:00+08:00"),
        ("2022年04月19日 17:31", "2022-04-19T17:31:00+08:00"),
        ("2022年04月19日17:31", "2022-04-19T17:31:00+08:00"),
        ("2022年04月19日 17：31", "2022-04-19T17:31:00+08:00"),
        ("2022年04月19日 17:31:05", "2022-04-19T17:31:05+08:00"),
        ("2022 年 4 月 19 日", "2022-04-19T00:00:00+08:00"),
        ("2022年4月19日", "2022-04-19T00:00:00+08:00"),
        ("2022/04/19", "2022-04-19T00:00:00+08:00"),
        ("2022/04/19 17:31:05", "2022-04-19T17:31:05+08:00"),
        ("2022.04.19", "2022-04-19T00:00:00+08:00"),
        ("２０２２年４月１９日 １７:３１", "2022-04-19T17:31:00+08:00"),  # full-width digits
        ("2022-04-19T17:31:05", "2022-04-19T17:31:05+08:00"),
        # A zone on the page wins over the portal's zone.
        ("2022-04-19T17:31:05+08:00", "2022-04-19T17:31:05+08:00"),
        ("2022-04-19T09:31:05Z", "2022-04-19T09:31:05+00:00"),
        ("2022-04-19T17:31:05.123+0800", "2022-04-19T17:31:05.123000+08:00"),
        ("2022-04-19T05:31:05-04:00", "2022-04-19T05:31:05-04:00"),
        ("2022-04-19 09:31:05+00:00", "2022-04-19T09:31:05+00:00"),
        # US style, month first, with AM/PM and no zone: wall-clock time in the portal's zone.
        ("11/20/2004 10:30 PM", "2004-11-20T22:30:00+08:00"),
        ("3/11/2024 4:20:15 pm", "2024-03-11T16:20:15+08:00"),
        ("2004-11-20 10:30 PM", "2004-11-20T22:30:00+08:00"),
        ("Nov 20, 2004", "2004-11-20T00:00:00+08:00"),
        ("November 20, 2004 at 10:30 a.m.", "2004-11-20T10:30:00+08:00"),
        # Year-less: the fetch year (in the portal's zone), or the year before if in the future.
        ("04-19 17:31", "2024-04-19T17:31:00+08:00"),
        ("04/19 17:31", "2024-04-19T17:31:00+08:00"),
        ("4月19日 17:31", "2024-04-19T17:31:00+08:00"),
        ("07-01 03:59", "2024-07-01T03:59:00+08:00"),  # same day in +08:00, though June in UTC
        ("12-31 23:00", "2023-12-31T23:00:00+08:00"),
        ("07-02 05:00", "2023-07-02T05:00:00+08:00"),  # more than a day ahead: last year
        ("07-01 23:00", "2024-07-01T23:00:00+08:00"),  # within a day: clock skew, same year
        # Relative to the fetch time in the portal's zone (2024-07-01 04:00+08:00).
        ("刚刚", "2024-07-01T04:00:00+08:00"),
        ("剛剛", "2024-07-01T04:00:00+08:00"),
        ("30秒前", "2024-07-01T03:59:30+08:00"),
        ("5分钟前", "2024-07-01T03:55:00+08:00"),
        ("5分鐘前", "2024-07-01T03:55:00+08:00"),
        ("3小时前", "2024-07-01T01:00:00+08:00"),
        ("3小時前", "2024-07-01T01:00:00+08:00"),
        ("3 小时前", "2024-07-01T01:00:00+08:00"),
        ("5小时前", "2024-06-30T23:00:00+08:00"),
        ("2天前", "2024-06-29T04:00:00+08:00"),
        ("今天 08:00:05", "2024-07-01T08:00:05+08:00"),
        ("昨天 17:31", "2024-06-30T17:31:00+08:00"),
        ("昨天17:31", "2024-06-30T17:31:00+08:00"),
        ("昨天 17：31", "2024-06-30T17:31:00+08:00"),
        ("前天 1:05", "2024-06-29T01:05:00+08:00"),
        # A day word alone gives the date: the start of that day.
        ("今天", "2024-07-01T00:00:00+08:00"),
        ("昨天", "2024-06-30T00:00:00+08:00"),
        ("前天", "2024-06-29T00:00:00+08:00"),
        # Nothing we understand.
        ("", None),
        ("来源:湛江云媒", None),
        ("2024-02-30 10:00", None),
        ("2022-04-19 25:00", None),
    ],
)
def test_parse_time(raw: str, expected: str | None) -> None:
    assert iso(parse_time(raw, FETCHED, SHANGHAI)) == expected


def test_zone_less_time_is_aware_in_portal_zone() -> None:
    # Catches a ``value.replace(tzinfo=zone)`` whose result is thrown away.
    value = parse_time("2022-04-19 17:31", FETCHED, SHANGHAI)
    assert value is not None
    assert value.tzinfo is not None
    assert value.utcoffset() == timedelta(hours=8)
    assert value == datetime(2022, 4, 19, 9, 31, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "raw", ["2022-04-19 17:31", "2022年04月19日", "04-19 17:31", "3小时前", "昨天 17:31", "刚刚"]
)
def test_every_result_is_aware(raw: str) -> None:
    value = parse_time(raw, FETCHED, SHANGHAI)
    assert value is not None and value.utcoffset() == timedelta(hours=8)


def test_fetch_time_in_another_zone_is_converted_first() -> None:
    # The same instant given in New York time resolves exactly as in UTC.
    fetched = FETCHED.astimezone(portal_zone("America/New_York"))
    assert iso(parse_time("昨天 17:31", fetched, SHANGHAI)) == "2024-06-30T17:31:00+08:00"
    assert iso(parse_time("3小时前", fetched, SHANGHAI)) == "2024-07-01T01:00:00+08:00"


def test_naive_fetch_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_time("2022-04-19 17:31", datetime(2024, 6, 30, 20, 0), SHANGHAI)


@pytest.mark.parametrize(
    ("fetched", "expected"),
    [
        # 02-29 more than a day ahead of the fetch: the leap year before.
        (datetime(2024, 2, 28, 0, 0, tzinfo=timezone.utc), "2020-02-29T10:00:00+08:00"),
        # Fetched in a common year: the latest 29 February behind us.
        (datetime(2025, 3, 1, 0, 0, tzinfo=timezone.utc), "2024-02-29T10:00:00+08:00"),
        (datetime(2024, 3, 1, 0, 0, tzinfo=timezone.utc), "2024-02-29T10:00:00+08:00"),
    ],
)
def test_yearless_leap_day(fetched: datetime, expected: str) -> None:
    assert iso(parse_time("02-29 10:00", fetched, SHANGHAI)) == expected


def test_new_year_yearless_date_is_last_year() -> None:
    # 2024-12-31T17:00Z is 2025-01-01 01:00 in +08:00: a December date is from 2024.
    fetched = datetime(2024, 12, 31, 17, 0, tzinfo=timezone.utc)
    assert iso(parse_time("12-31 22:10", fetched, SHANGHAI)) == "2024-12-31T22:10:00+08:00"
    assert iso(parse_time("01-01 00:30", fetched, SHANGHAI)) == "2025-01-01T00:30:00+08:00"


def test_relative_hours_count_elapsed_time_across_dst() -> None:
    # New York springs forward at 02:00 on 2024-03-10; 07:30Z is 03:30 EDT.
    new_york = portal_zone("America/New_York")
    fetched = datetime(2024, 3, 10, 7, 30, tzinfo=timezone.utc)
    value = parse_time("2小时前", fetched, new_york)
    assert value is not None
    assert value.astimezone(timezone.utc) == datetime(2024, 3, 10, 5, 30, tzinfo=timezone.utc)
    assert iso(value) == "2024-03-10T00:30:00-05:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-04-19 17:31 來源:湛江云媒 作者:記者陳荔雅 特約通訊員譚總", "2022-04-19 17:31"),
        ("发布时间：2022-04-19 17:31:05 来源：湛江云媒", "2022-04-19 17:31:05"),
        ("时间：2022年04月19日 17:31 来源：湛江日报", "2022年04月19日 17:31"),
        ("2022-04-19T17:31:05+08:00", "2022-04-19T17:31:05+08:00"),
        ("2022-04-19 09:31:05+00:00 UTC", "2022-04-19 09:31:05+00:00"),
        ("更新于 04-19 17:31", "04-19 17:31"),
        ("3小时前 · 湛江云媒", "3小时前"),
        ("湛江云媒 5分鐘前", "5分鐘前"),
        ("昨天 17:31 湛江云媒", "昨天 17:31"),
        ("发布于前天", "前天"),
        ("刚刚 湛江云媒", "刚刚"),
        ("2022/04/19", "2022/04/19"),
        ("来源：湛江云媒", None),
        ("", None),
    ],
)
def test_find_time_text(text: str, expected: str | None) -> None:
    assert find_time_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "2022-04-19 17:31 來源:湛江云媒 作者:記者陳荔雅 特約通訊員譚總",
            ParsedTime(datetime(2022, 4, 19, 9, 31, tzinfo=timezone.utc), "2022-04-19 17:31"),
        ),
        (
            "来源：湛江云媒 昨天 17:31",
            ParsedTime(datetime(2024, 6, 30, 9, 31, tzinfo=timezone.utc), "昨天 17:31"),
        ),
        ("来源：湛江云媒", None),
        ("2024-02-30 10:00", None),  # found but not a real date
    ],
)
def test_find_and_parse(text: str, expected: ParsedTime | None) -> None:
    result = find_and_parse(text, FETCHED, SHANGHAI)
    assert result == expected
    if result is not None:
        assert result.value.utcoffset() == timedelta(hours=8)


def test_portal_zone() -> None:
    zone = portal_zone("Asia/Shanghai")
    assert datetime(2024, 7, 1, tzinfo=zone).utcoffset() == timedelta(hours=8)
    assert datetime(2024, 1, 1, tzinfo=zone).utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize("name", ["Asia/Shangai", "Mars/Base", "", "  "])
def test_unknown_zone_is_an_error(name: str) -> None:
    # The empty name would otherwise be the machine's local zone.
    with pytest.raises(ValueError, match="unknown time zone"):
        portal_zone(name)


@pytest.mark.parametrize("raw", ["昨天", "昨天 17:31", "3小时前", "刚刚", "04-19 17:31", "4月19日 17:31"])
def test_relative_times_stay_unresolved_without_a_fetch_time(raw: str) -> None:
    assert parse_time(raw, None, SHANGHAI) is None
    assert find_and_parse(f"发布时间：{raw}", None, SHANGHAI) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2022-04-19 17:31", "2022-04-19T17:31:00+08:00"),
        ("2022年04月19日 17:31", "2022-04-19T17:31:00+08:00"),
        ("2020-02-12T14:17:54Z", "2020-02-12T14:17:54+00:00"),
    ],
)
def test_absolute_times_need_no_fetch_time(raw: str, expected: str) -> None:
    parsed = parse_time(raw, None, SHANGHAI)
    assert parsed is not None and parsed.isoformat() == expected


@pytest.mark.parametrize(
    ("text", "raw", "expected"),
    [
        # A zone printed beside the time wins over the portal's zone.
        ("2012年12月10日, 格林尼治标准时间10:41", "2012年12月10日, 格林尼治标准时间10:41", "2012-12-10T10:41:00+00:00"),
        ("更新于 2019-09-24 09:10 GMT", "2019-09-24 09:10 GMT", "2019-09-24T09:10:00+00:00"),
        ("2019-09-24 09:10（美东时间）", "2019-09-24 09:10（美东时间）", "2019-09-24T09:10:00-04:00"),
        ("北京时间2019年9月24日 09:10", "北京时间2019年9月24日 09:10", "2019-09-24T09:10:00+08:00"),
        ("東京時間2019年1月24日 09:10", "東京時間2019年1月24日 09:10", "2019-01-24T09:10:00+09:00"),
        # A weekday between the date and the clock.
        ("2019年9月24日 星期二 09:10 来源：新华网", "2019年9月24日 星期二 09:10", "2019-09-24T09:10:00+08:00"),
    ],
)
def test_zone_named_beside_the_time(text: str, raw: str, expected: str) -> None:
    parsed = find_and_parse(text, FETCHED, SHANGHAI)
    assert parsed is not None
    assert (parsed.raw, parsed.value.isoformat()) == (raw, expected)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("发布时间：11/20/2004 10:30 PM 作者：孙明", "11/20/2004 10:30 PM"),
        ("Posted Nov 20, 2004 by staff", "Nov 20, 2004"),
        # A slashed date without AM/PM may be day first (a European site): not read.
        ("发表时间 : 21/01/2022 - 10:31", None),
        ("01/02/2022", None),
        ("Market 12, 2004", None),
    ],
)
def test_us_style_times_are_found_only_when_unambiguous(text: str, found: str | None) -> None:
    assert find_time_text(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "发布时间：99999-01-01 10:00",
        "99999年1月2日 10:00",
        "99999-01-01T10:00:00+08:00",
        "12022/04/19 17:31",
    ],
)
def test_a_year_of_five_digits_is_no_time(text: str) -> None:
    # Its last four digits used to be read as the year (99999 became 9999), or its month and day
    # as a year-less date.
    assert find_time_text(text) is None
    assert find_and_parse(text, FETCHED, SHANGHAI) is None


@pytest.mark.parametrize("raw", ["0:0-3000", "2024-05-01 08:00 +2500", "05-01 08:00 -3000"])
def test_an_offset_of_a_day_or_more_is_no_time(raw: str) -> None:
    # dateutil reads these with an offset no datetime can print: no time, not a crash later.
    assert parse_time(raw, FETCHED, SHANGHAI) is None
@pytest.mark.parametrize(
    ("text", "raw", "expected"),
    [
        # A 12-hour clock after its half of the day, as Taiwan and Hong Kong pages print it.
        ("2021年3月5日 週五 下午2:20 來源", "2021年3月5日 週五 下午2:20", "2021-03-05T14:20:00+08:00"),
        ("2021/03/05 下午 02:20　記者", "2021/03/05 下午 02:20", "2021-03-05T14:20:00+08:00"),
        ("2021-03-05 上午 09:20", "2021-03-05 上午 09:20", "2021-03-05T09:20:00+08:00"),
        ("2021年3月5日 晚上8:15", "2021年3月5日 晚上8:15", "2021-03-05T20:15:00+08:00"),
        ("2021年3月5日 中午12:05", "2021年3月5日 中午12:05", "2021-03-05T12:05:00+08:00"),
        ("2021年3月5日 中午1:05", "2021年3月5日 中午1:05", "2021-03-05T13:05:00+08:00"),
        ("2021年3月5日 凌晨12:30", "2021年3月5日 凌晨12:30", "2021-03-05T00:30:00+08:00"),
        ("2021年3月5日 下午", "2021年3月5日", "2021-03-05T00:00:00+08:00"),  # no clock: the date
        ("3月5日 下午3:05", "3月5日 下午3:05", "2024-03-05T15:05:00+08:00"),
    ],
)
def test_half_day_word_before_a_twelve_hour_clock(text: str, raw: str, expected: str) -> None:
    found = find_and_parse(text, FETCHED, SHANGHAI)
    assert found is not None
    assert (found.raw, iso(found.value)) == (raw, expected)


@pytest.mark.parametrize(
    ("text", "raw", "expected"),
    [
        # A clock in words, as government portals and newspapers print it.
        ("发布时间：2021年03月05日 10时20分 来源", "2021年03月05日 10时20分", "2021-03-05T10:20:00+08:00"),
        ("2021年3月5日10时20分31秒", "2021年3月5日10时20分31秒", "2021-03-05T10:20:31+08:00"),
        ("2021-03-05 9点05分", "2021-03-05 9点05分", "2021-03-05T09:05:00+08:00"),
        ("2021年3月5日 下午3点20分", "2021年3月5日 下午3点20分", "2021-03-05T15:20:00+08:00"),
        # A weekday between a dashed date and its clock.
        ("2021-03-05 星期五 10:20", "2021-03-05 星期五 10:20", "2021-03-05T10:20:00+08:00"),
        ("2021/03/05 週五 下午 02:20", "2021/03/05 週五 下午 02:20", "2021-03-05T14:20:00+08:00"),
        # …in brackets, the clock set right after it or not.
        ("2021/03/05（星期五）10:20 来源", "2021/03/05（星期五）10:20", "2021-03-05T10:20:00+08:00"),
        ("2021年3月5日（星期五）10:20", "2021年3月5日（星期五）10:20", "2021-03-05T10:20:00+08:00"),
        ("2021-03-05 (周五) 下午2:20", "2021-03-05 (周五) 下午2:20", "2021-03-05T14:20:00+08:00"),
        ("2021年3月5日(週五) 上午 09:15", "2021年3月5日(週五) 上午 09:15", "2021-03-05T09:15:00+08:00"),
        # A weekday alone after the date, or an hour count in prose, adds no clock.
        ("2021-03-05 星期五 来源：青山日报", "2021-03-05", "2021-03-05T00:00:00+08:00"),
        ("2021年3月5日（星期五） 第03版", "2021年3月5日", "2021-03-05T00:00:00+08:00"),
        ("2021-03-05（星期五）12版", "2021-03-05", "2021-03-05T00:00:00+08:00"),
        ("2021年3月5日 历时3小时", "2021年3月5日", "2021-03-05T00:00:00+08:00"),
    ],
)
def test_word_clock_and_weekday_before_the_clock(text: str, raw: str, expected: str) -> None:
    found = find_and_parse(text, FETCHED, SHANGHAI)
    assert found is not None
    assert (found.raw, iso(found.value)) == (raw, expected)


@pytest.mark.parametrize(
    ("text", "raw", "expected"),
    [
        # A dotted date with the year last is day first (European services' Chinese pages).
        ("日期 05.03.2021", "05.03.2021", "2021-03-05T00:00:00+08:00"),
        ("31.12.2020 18:05", "31.12.2020 18:05", "2020-12-31T18:05:00+08:00"),
        ("2021.03.05", "2021.03.05", "2021-03-05T00:00:00+08:00"),
    ],
)
def test_dotted_date_with_the_year_last_is_day_first(text: str, raw: str, expected: str) -> None:
    found = find_and_parse(text, FETCHED, SHANGHAI)
    assert found is not None
    assert (found.raw, iso(found.value)) == (raw, expected)


@pytest.mark.parametrize("text", ["版本 1.2.2021.5", "v3.05.2021", "5.13.2021"])
def test_dotted_numbers_that_are_no_date(text: str) -> None:
    assert find_and_parse(text, FETCHED, SHANGHAI) is None


@pytest.mark.parametrize(
    ("text", "raw", "expected"),
    [
        # A Minguo year (Taiwan's government pages): year 1 is 1912.
        ("發布日期：中華民國113年3月5日", "中華民國113年3月5日", "2024-03-05T00:00:00+08:00"),
        ("民國113年03月05日 下午2:20", "民國113年03月05日 下午2:20", "2024-03-05T14:20:00+08:00"),
        # …with dashes or slashes once its era is named.
        ("民國113-03-05 10:20 中央社", "民國113-03-05 10:20", "2024-03-05T10:20:00+08:00"),
        ("民國113/03/05", "民國113/03/05", "2024-03-05T00:00:00+08:00"),
    ],
)
def test_minguo_year(text: str, raw: str, expected: str) -> None:
    found = find_and_parse(text, FETCHED, SHANGHAI)
    assert found is not None
    assert (found.raw, iso(found.value)) == (raw, expected)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        # A Minguo date without its era (a Taiwanese page's 113-03-05) gets it named.
        ("113-03-05 10:20", "民國113-03-05 10:20"),
        ("發布時間：113/03/05 下午 02:20", "發布時間：民國113/03/05 下午 02:20"),
        ("113年3月5日 記者王小明", "民國113年3月5日 記者王小明"),
        # Not a named era, a four-digit or two-digit year, a year past 200, a longer number.
        ("民國113年3月5日", "民國113年3月5日"),
        ("中華民國 113年3月5日", "中華民國 113年3月5日"),
        ("2024-03-05", "2024-03-05"),
        ("99-03-05", "99-03-05"),
        ("201-03-05", "201-03-05"),
        ("113-03-051", "113-03-051"),
        ("10:113-03-05", "10:113-03-05"),
    ],
)
def test_bare_minguo_date_gets_its_era_named(text: str, named: str) -> None:
    assert minguo_named(text) == named
    assert has_bare_minguo(text) == (named != text)
    # Without its era a three-digit year is no time: only a Traditional page's reading names it.
    assert find_time_text("113-03-05") is None
