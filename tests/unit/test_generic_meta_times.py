"""The generic extractor's time and source beside what competes with them on a real page: a print
view's date, a meta line set below the text, labels spaced out to align, an information table."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from newscrawler.extract import extract
from newscrawler.extract.generic.metalines import join_spaced_labels, tidy_byline
from newscrawler.extract.generic.reconcile import shown_time

FETCHED_AT = datetime(2024, 7, 1, 3, tzinfo=timezone.utc)
_TEXT = (
    "<p>5月17日，白石县最后一座乡村便民桥建成通车，全县今年计划新建的十二座便民桥全部完工。</p>"
    "<p>过去，沿河村民外出主要依靠渡船，每逢汛期河水上涨，群众只能绕行二十多公里山路。</p>"
    "<p>据县交通运输局介绍，下一步将继续推进农村公路提档升级，让山区群众出行更加便捷。</p>"
)


def _record(head: str = "", above: str = "", between: str = "", below: str = "") -> dict[str, Any]:
    html = (
        f"<html><head><meta charset='utf-8'><title>白石县便民桥全部完工_白石网</title>{head}</head><body>"
        f"<div class='main'>{above}<h1>白石县便民桥全部完工</h1>{between}"
        f"<div class='content'>{_TEXT}</div>{below}</div>"
        "<div class='footer'>© 2003-2024 白石网 版权所有 湘ICP备12345678号</div></body></html>"
    )
    return extract("https://www.t3-baishi.example/a/1.html", html.encode(), {}, FETCHED_AT, "generic")


_PUBLISHED_META = "<meta property='article:published_time' content='2024-05-18T09:30:00+08:00'>"


@pytest.mark.parametrize(
    "printed",
    ["打印日期：2024-07-01", "打印时间：2024-07-01 11:02", "列印日期：2024/07/01", "打印于 2024-07-01"],
)
def test_print_date_is_not_the_publication_time(printed: str) -> None:
    # The print view's stamp is the day the page was fetched; the metadata's time is the story's.
    record = _record(head=_PUBLISHED_META, between="<div class='info'>来源：白石日报</div>",
                     below=f"<div class='print'>{printed}　【打印本页】【关闭窗口】</div>")
    assert record["published_at"] == "2024-05-18T09:30:00+08:00"


def test_print_date_alone_gives_no_time() -> None:
    record = _record(between="<div class='info'>来源：白石日报</div>",
                     below="<div class='print'>打印日期：2024-07-01</div>")
    assert record["published_at"] is None


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("打印日期：2024-07-01", None),
        # A label that only ends in 打印 is no print stamp: the date after 发布时间 is shown.
        ("发布时间：2024-05-18 09:30　打印日期：2024-07-01", "2024-05-18 09:30"),
        ("2024-05-18 09:30　来源：白石日报", "2024-05-18 09:30"),
    ],
)
def test_shown_time_passes_over_print_stamps(text: str, shown: str | None) -> None:
    assert shown_time(text) == shown


@pytest.mark.parametrize(
    "shown",
    ["2024-05-18 09:30", "2024年05月18日 09:30", "2024/05/18 09:30", "2024.05.18 09:30"],
)
def test_meta_line_below_the_text_dates_the_story(shown: str) -> None:
    record = _record(below=f"<div class='info'>{shown}　来源：白石日报　作者：李明</div>"
                     "<div class='comment'><h3>网友评论</h3><p>河东网友：点赞！ 2024-05-19 10:12</p></div>")
    assert (record["published_at"], record["source"]) == ("2024-05-18T09:30:00+08:00", "白石日报")


def test_meta_line_above_the_text_wins_over_one_below() -> None:
    record = _record(between="<div class='info'>2024-05-18 09:30　来源：白石日报</div>",
                     below="<div class='info'>2024-05-20 16:00　责任编辑：王芳</div>")
    assert record["published_at"] == "2024-05-18T09:30:00+08:00"


def test_dateline_inside_the_text_dates_nothing() -> None:
    # The day a dateline names is the event's, without a year: no time is read from it.
    html = (
        "<html><head><title>白石县便民桥全部完工_白石网</title></head><body><h1>白石县便民桥全部完工</h1>"
        "<div class='content'><p>新华社白石5月17日电（记者李明）白石县最后一座乡村便民桥建成通车，"
        "全县今年计划新建的十二座便民桥全部完工。</p><p>过去，沿河村民外出主要依靠渡船，每逢汛期"
        "河水上涨，群众只能绕行二十多公里山路。</p></div></body></html>"
    )
    record = extract("https://www.t3-baishi.example/a/2.html", html.encode(), {}, FETCHED_AT, "generic")
    assert record["published_at"] is None


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("来 源：白石日报", "来源：白石日报"),
        ("来　源：白石日报　作　者：李明", "来源：白石日报　作者：李明"),
        ("编\xa0辑:王芳", "编辑:王芳"),
        # Only a known label: a padded name before a colon, or words that label nothing, stay.
        ("王 明：我们村也通桥了", "王 明：我们村也通桥了"),
        ("文 章：白石日报", "文 章：白石日报"),
        # Nor a label's characters without a colon after them.
        ("来 源 白石日报", "来 源 白石日报"),
    ],
)
def test_spaced_labels_are_joined(text: str, joined: str) -> None:
    assert join_spaced_labels(text) == joined


@pytest.mark.parametrize(
    "line",
    [
        "发布时间：2024-05-18 09:30　来 源：白石日报　作 者：李明",
        "2024-05-18 09:30　来　源：白石日报",
        "时 间：2024-05-18 09:30　来 源：白石日报",
    ],
)
def test_spaced_source_label_names_the_source(line: str) -> None:
    record = _record(between=f"<div class='info'>{line}</div>")
    assert (record["published_at"], record["source"]) == ("2024-05-18T09:30:00+08:00", "白石日报")


def test_spaced_editor_label_below_the_text_is_a_credit() -> None:
    record = _record(between="<div class='info'>2024-05-18 09:30　来源：白石日报</div>",
                     below="<div class='editor'>编 辑：王芳</div>")
    assert record["editors"] == [{"role": "编辑", "name": "王芳"}]
    assert record["paragraphs"][-1].startswith("据县交通运输局介绍")


def test_tidy_byline_joins_a_spaced_label() -> None:
    assert tidy_byline("来 源：白石日报") == "来源：白石日报"


_INFO_TABLE = (
    "<table class='xxgk'><tr><td>发布日期：</td><td>2024-05-18</td><td>来源：</td><td>白石县交通运输局</td></tr>"
    "<tr><td>索引号：</td><td>11430000-0012/2024-00318</td><td>主题分类：</td><td>交通</td></tr></table>"
)


def test_information_table_above_the_headline_gives_the_source() -> None:
    record = _record(above=_INFO_TABLE)
    assert (record["published_at"], record["source"]) == ("2024-05-18T00:00:00+08:00", "白石县交通运输局")


def test_source_shown_under_the_headline_wins_over_the_table() -> None:
    record = _record(above=_INFO_TABLE, between="<div class='info'>来源：白石日报</div>")
    assert record["source"] == "白石日报"


def test_source_above_the_headline_without_the_table_names_nothing() -> None:
    # A 来源 above the headline with no publication date beside it is no information table.
    record = _record(above="<div class='top'><p>来源：白石县交通运输局</p><p>白石网首页</p></div>")
    assert record["source"] is None


def _closing(last: str) -> dict[str, Any]:
    html = (
        "<html><head><title>白石县便民桥全部完工_白石网</title></head><body><h1>白石县便民桥全部完工</h1>"
        f"<div class='content'>{_TEXT}<p class='info'>{last}</p></div></body></html>"
    )
    return extract("https://www.t3-baishi.example/a/3.html", html.encode(), {}, FETCHED_AT, "generic")


def test_meta_line_closing_the_text_block_is_no_paragraph() -> None:
    record = _closing("2024-05-18 09:30　来源：白石日报　作者：李明")
    assert (record["published_at"], record["source"]) == ("2024-05-18T09:30:00+08:00", "白石日报")
    assert record["reporters"] == [{"role": "作者", "name": "李明"}]
    assert record["paragraphs"][-1].startswith("据县交通运输局介绍")


@pytest.mark.parametrize(
    "last",
    [
        # A notice's date under its signature is text, and so is a date with no labelled field.
        "2024年5月16日",
        "白石县交通运输局 2024年5月16日",
    ],
)
def test_dated_line_without_a_labelled_field_stays_text(last: str) -> None:
    assert _closing(last)["paragraphs"][-1] == last


def test_meta_line_right_above_the_headline_dates_the_story() -> None:
    record = _record(above="<div class='info'>2024-05-18 09:30　来源：白石日报　作者：李明</div>")
    assert (record["published_at"], record["source"]) == ("2024-05-18T09:30:00+08:00", "白石日报")
    assert record["reporters"] == [{"role": "作者", "name": "李明"}]


def test_meta_line_under_the_headline_wins_over_one_above() -> None:
    record = _record(above="<div class='info'>2024-05-20 16:00　来源：白石晚报</div>",
                     between="<div class='info'>2024-05-18 09:30　来源：白石日报</div>")
    assert (record["published_at"], record["source"]) == ("2024-05-18T09:30:00+08:00", "白石日报")


@pytest.mark.parametrize(
    "above",
    [
        # A top bar's date, with no labelled field beside it: today's date, not the story's.
        "<div class='top'>2024年7月1日 星期一</div>",
        # A list of other stories above the headline, each with its time and outlet.
        "<ul><li><a href='/a/9.html'>白石县举办农民丰收节 来源：白石晚报</a> 2024-06-28 10:15</li></ul>",
    ],
)
def test_other_dated_lines_above_the_headline_date_nothing(above: str) -> None:
    record = _record(above=above)
    assert (record["published_at"], record["source"]) == (None, None)
