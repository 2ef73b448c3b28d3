"""The ISO 8601 fast path of ``parse_time`` gives exactly what the general path gives: the same
instant, the same wall time and the same zone, for every offset form and for naive times."""

from __future__ import annotations

import itertools
from datetime import MAXYEAR, MINYEAR, datetime, timezone, tzinfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from newscrawler.extract.times import (
    _NO_FETCH,
    _parse_general,
    is_relative,
    parse_time,
    portal_zone,
)

DATES = ["2024-05-01", "2022-04-19", "2000-02-29", "1900-01-01", "0001-01-01", "9999-12-31",
         "2024-03-10", "2024-11-03", "1986-05-04", "20240501", "2024-W18-3"]
CLOCKS = ["", "08", "08:00", "0800", "08:00:00", "23:59:59", "08:00:00.5", "08:00:00.123456",
          "08:00:00,123", "00:00", "24:00", "08:00:60", "08:00:00.1234567"]
OFFSETS = ["", "Z", "z", "+08:00", "+0800", "+08", "-05:00", "-0530", "+00:00", "-00:00", "+14:00",
           "-23:59", "+05:45:30", "+08:00:00.5", "UTC", " +08:00", "GMT"]
SEPARATORS = ["T", " ", "t", "_", "：", "日"]
ZONES = [portal_zone(name) for name in ("Asia/Shanghai", "America/New_York", "Europe/London",
                                        "Asia/Kolkata", "UTC")] + [timezone.utc]
FETCHES = [datetime(2024, 7, 1, 4, 0, tzinfo=timezone.utc), None,
           datetime(MAXYEAR, 12, 31, 23, 0, tzinfo=timezone.utc),
           datetime(MINYEAR, 1, 1, 1, 0, tzinfo=timezone.utc)]


def _general(raw: str, fetched_at: datetime | None, zone: tzinfo) -> datetime | None:
    # What parse_time gave before the fast path: its general path on the same text.
    if fetched_at is None:
        return None if is_relative(raw) else _general(raw, _NO_FETCH, zone)
    return _parse_general(raw.strip().replace("：", ":"), fetched_at, zone)


def _same(raw: str) -> None:
    for zone, fetched in itertools.product(ZONES, FETCHES):
        fast = parse_time(raw, fetched, zone)
        slow = _general(raw, fetched, zone)
        assert fast == slow, (raw, zone, fetched)
        if fast is not None and slow is not None:
            assert fast.isoformat() == slow.isoformat()
            assert fast.tzinfo == slow.tzinfo
            assert fast.utcoffset() == slow.utcoffset()


@pytest.mark.parametrize("date", DATES)
def test_iso_times_equal_the_general_path(date: str) -> None:
    for separator, clock, offset in itertools.product(SEPARATORS, CLOCKS, OFFSETS):
        _same(f"{date}{separator}{clock}{offset}" if clock else f"{date}{offset}")
    _same(f"  {date}T08:00:00+08:00\n")


@pytest.mark.parametrize("raw", [
    "2022-04-19 17:31", "2022年04月19日 17:31", "2022/04/19 17:31:05", "04-19 17:31", "昨天 17:31",
    "3小时前", "刚刚", "北京时间2022-04-19 17:31", "2022-04-19 17:31 GMT", "2022-04-19 星期二 17:31",
    "2022-04-19 17:31（北京时间）", "2022-04-19T17:31:00+08:00", "2022-04-19 17：31", "２０２２-04-19",
    "Nov 20, 2004", "11/20/2004 10:30 PM", "", " ", "2022", "2022-13-01", "2022-04-31 10:00",
])
def test_other_forms_equal_the_general_path(raw: str) -> None:
    _same(raw)


@given(st.datetimes(timezones=st.none() | st.timezones()), st.sampled_from(["T", " "]),
       st.sampled_from(["auto", "hours", "minutes", "seconds", "milliseconds", "microseconds"]))
def test_any_iso_time_equals_the_general_path(value: datetime, separator: str, spec: str) -> None:
    try:
        raw = value.isoformat(separator, spec)
    except ValueError:
        return
    _same(raw)


@given(st.text(alphabet="0123456789-:+TZ .年月日", max_size=30))
@example("0:0-3000")  # an offset of 30 hours, which no datetime can print
def test_near_iso_text_equals_the_general_path(raw: str) -> None:
    _same(raw)
