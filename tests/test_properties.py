"""Properties of extraction and time parsing that hold for any input, checked with Hypothesis on
arbitrary and mutated input.

* ``extract`` on any bytes, with any Content-Type, and on fixture pages cut, spliced and
  corrupted: a record that meets the field contract, or ``InvalidRecord``; nothing else.
* The time parser on any text: ``None`` or a timezone-aware time, whether the fetch time is known
  or not.

The search query parser has its own in ``tests/archive/test_query_properties.py``. Example
counts are modest so the suite stays fast; Hypothesis keeps failing examples in
``.hypothesis/`` and tries them first next time.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support import FIXTURES

from newscrawler.extract import InvalidRecord, extract
from newscrawler.extract.record import check_record
from newscrawler.extract.times import find_and_parse, parse_time, portal_zone

# In CI the examples are the same on every run (derandomize), so a red build is never a roll of
# the dice; on a developer's machine they vary, and the failures found stay in .hypothesis/.
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                derandomize=bool(os.environ.get("CI")))

PAGES = (sorted(FIXTURES.glob("zjdaily/p/*.html")) + sorted(FIXTURES.glob("zjdaily-epaper/**/content_*.htm"))[:3]
         + sorted(FIXTURES.glob("generic/*/**/*.html"))[:6])
URLS = ["https://www.gdzjdaily.com.cn/p/2953124.html", "https://news.example.cn/2024-07/01/content_1.htm",
        "https://szb.gdzjdaily.com.cn/zjrb/html/2022-04/19/content_1_1.htm"]
CONTENT_TYPES = [None, "text/html", "text/html; charset=utf-8", "text/html; charset=gbk",
                 "text/html; charset=utf-16", "text/html; charset=utf-32", "text/html; charset=big5",
                 "text/html; charset=x-unknown", "text/html; charset=", "application/octet-stream"]
FETCHED = [None, datetime(2024, 7, 1, 3, 0, tzinfo=timezone.utc)]


def assert_record_or_invalid(url: str, body: bytes, content_type: str | None,
                             fetched_at: datetime | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    try:
        record = extract(url, body, headers, fetched_at)
    except InvalidRecord:
        return
    check_record(record)
    assert record["headline"] and record["paragraphs"]
    assert all("\x00" not in p for p in record["paragraphs"])


# -- extraction -----------------------------------------------------------------------------------


@FAST
@given(body=st.binary(max_size=3000), url=st.sampled_from(URLS),
       content_type=st.sampled_from(CONTENT_TYPES), fetched_at=st.sampled_from(FETCHED))
@example(body=b"<p>abc</p>", url=URLS[0], content_type="text/html; charset=utf-16", fetched_at=None)
@example(body=b"\xff\xfe<\x00p", url=URLS[0], content_type=None, fetched_at=None)
def test_extract_any_bytes(body: bytes, url: str, content_type: str | None, fetched_at: datetime | None) -> None:
    assert_record_or_invalid(url, body, content_type, fetched_at)


# Mutations a page suffers in the wild: a cut download, a lost or doubled block, bytes of another
# encoding or plain garbage spliced in, markup nested deep.
NOISE = st.one_of(
    st.binary(min_size=1, max_size=40),
    st.sampled_from([b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", "徐闻".encode("gbk"), "會議".encode("big5"),
                     b"<div>" * 300, b"</div></body></html>", b"<!--", b"<script>", b"]]>", b"&#0;",
                     b"&#x110000;", "<p>2022年13月45日 25:61</p>".encode(), b"<time>99999-01-01</time>",
                     b'<meta charset="utf-16">', b'<a href="//[::1/x">x</a>', b'<img src="http://[::1 x">',
                     b'<a href="http://[::1/p">', b"<p>" + "年".encode() * 50]),
)


@st.composite
def mutated_page(draw: st.DrawFn) -> bytes:
    body = bytearray(draw(st.sampled_from(PAGES)).read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(body)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "truncate", "repeat"]))
        if kind == "truncate":
            del body[at:]
        elif kind == "insert":
            body[at:at] = draw(NOISE)
        elif kind == "delete":
            del body[at:at + draw(st.integers(1, 2000))]
        elif kind == "replace":
            body[at:at + draw(st.integers(1, 40))] = draw(NOISE)
        else:
            body[at:at] = body[at:at + draw(st.integers(1, 2000))]
    return bytes(body)


@FAST
@given(body=mutated_page(), url=st.sampled_from(URLS), content_type=st.sampled_from(CONTENT_TYPES),
       fetched_at=st.sampled_from(FETCHED))
def test_extract_mutated_fixture_pages(body: bytes, url: str, content_type: str | None,
                                       fetched_at: datetime | None) -> None:
    assert_record_or_invalid(url, body, content_type, fetched_at)


def test_the_mutations_start_from_real_pages() -> None:
    # A mutation property over no pages would pass without testing anything.
    assert len(PAGES) >= 8
    assert all(p.stat().st_size > 1000 for p in PAGES)


# -- the time parser ------------------------------------------------------------------------------

TIME_TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(list("0123456789-/.: T+Z年月日时分秒前天昨今刚小钟") +
                             ["北京时间", "GMT", "星期二", "2022", "99999", "\u3000", "："]),
             max_size=30).map("".join),
)
ZONES = st.sampled_from(["Asia/Shanghai", "Asia/Taipei", "UTC", "America/New_York"])
# Every fetch time the type allows, the extremes included: arithmetic on them must not overflow.
FETCH_TIMES = st.one_of(st.none(), st.datetimes(timezones=st.sampled_from([timezone.utc])),
                        st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1),
                                     timezones=st.sampled_from([timezone.utc])))


@FAST
@given(text=TIME_TEXT, zone=ZONES, fetched_at=FETCH_TIMES)
@example(text="99999-01-01 10:00", zone="Asia/Shanghai", fetched_at=None)
@example(text="0000-01-01 10:00", zone="UTC", fetched_at=None)
@example(text="9999-12-31 23:59 GMT", zone="Asia/Shanghai", fetched_at=None)
@example(text="02-29 10:00", zone="UTC", fetched_at=datetime(1971, 3, 1, tzinfo=timezone.utc))
@example(text="99999天前", zone="UTC", fetched_at=datetime(2024, 1, 1, tzinfo=timezone.utc))
@example(text="前天", zone="Asia/Shanghai", fetched_at=datetime(1, 1, 1, tzinfo=timezone.utc))
@example(text="12-31 10:00", zone="America/New_York", fetched_at=datetime(9999, 12, 31, 23, tzinfo=timezone.utc))
def test_any_time_text_gives_an_aware_time_or_none(text: str, zone: str, fetched_at: datetime | None) -> None:
    tz = portal_zone(zone)
    found = find_and_parse(text, fetched_at, tz)
    if found is not None:
        assert found.raw in text
        assert found.value.tzinfo is not None and found.value.utcoffset() is not None
    parsed = parse_time(text, fetched_at, tz)
    assert parsed is None or parsed.utcoffset() is not None

