"""Credit lines inside the body and photo credits ending image captions."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawler.extract.credits import (
    _LEAD_CREDIT,
    _LEAD_WORDS,
    _may_open_with_credit,
    is_credit_line,
    trailing_credit,
)
from newscrawler.extract.page import Page, text_of

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(编辑/徐卫民 值班主任/何杰 值班编委/郑时雨)", True),
        ("(来源:湛江云媒)", True),
        ("编辑:吴文静", True),
        ("（記者 張三）", True),
        ("李嘉斌 摄", True),
        ("（李嘉斌 摄）", True),
        ("李嘉斌、王小明 摄", True),
        ("李嘉斌 文/图", True),
        # A bullet may mark the credit line.
        ("□记者 张三 通讯员 李四", True),
        ("■本报记者 张三", True),
        # 本文来源 is the source label too.
        ("（本文来源：人民网）", True),
        # Sentences and subheadings that merely contain role words are text.
        ("记者从市交通局获悉，今年以来全市新增公交线路12条。", False),
        ("佳作云集 引来观众驻足拍摄", False),
        ("摄影比赛在湛江举行", False),
        ("4月18日,徐聞縣召開創建廣東省衛生縣城暨廣東省縣級文明城市工作推進會", False),
        ("", False),
    ],
)
def test_is_credit_line(text: str, expected: bool) -> None:
    assert is_credit_line(text) is expected


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("雷州青年运河红色教育基地。李嘉斌 摄", "李嘉斌 摄"),
        ("市民在红树林观鸟（李嘉斌 摄）", "（李嘉斌 摄）"),
        ("市民在红树林观鸟", None),
        ("观众驻足拍摄", None),
        ("", None),
    ],
)
def test_trailing_credit(caption: str, expected: str | None) -> None:
    assert trailing_credit(caption) == expected


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("本报讯（记者 陈荔雅 通讯员 谭总）4月18日，徐闻县召开会议。", "记者 陈荔雅 通讯员 谭总"),
        # Without brackets: the roles and names standing as words of their own.
        ("本报讯 记者 张三 通讯员 李四 6月1日，青山县召开会议。", "记者 张三 通讯员 李四"),
        ("本报讯 记者 张三 李四 昨日，青山县召开会议。", "记者 张三 李四"),
        ("本报讯 6月1日，青山县召开会议。", None),
        # Tortoise-shell brackets, as Taiwanese papers print the dateline.
        ("〔記者王小明／台北報導〕行政院今天宣布，補助將延長。", "記者王小明／台北報導"),
        ("記者王小明／台北報導 行政院今天宣布，補助將延長。", "記者王小明／台北報導"),
        ("記者王小明、李大同／綜合報導 行政院今天宣布，補助將延長。", "記者王小明、李大同／綜合報導"),
        ("新华社北京3月1日电（记者张三、李四）3月1日，会议在北京召开。", "记者张三、李四"),
        ("4月18日，徐闻县（广东省）召开会议。", None),
    ],
)
def test_lead_credit(paragraph: str, expected: str | None) -> None:
    from newscrawler.extract.credits import lead_credit

    assert lead_credit(paragraph) == expected


# Text made of what the dateline patterns look for, so that near-matches come up often.
_DATELINE_ALPHABET = st.sampled_from(
    list("讯訊电電消息/／（(【[〔［)）】]记者通讯员報導报道张三王五，。 \u3000\t")
    + ["本报讯", "新华社北京3月1日电", "记者 ", "記者林思妤／台北報導 "]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_DATELINE_ALPHABET, max_size=12).map("".join))
def test_the_quick_dateline_test_never_turns_a_credit_away(paragraph: str) -> None:
    if _LEAD_CREDIT.match(paragraph) or _LEAD_WORDS.match(paragraph):
        assert _may_open_with_credit(paragraph)


def test_the_quick_dateline_test_on_the_fixtures_first_paragraphs() -> None:
    lines = []
    for path in sorted(FIXTURES.glob("*/**/*.html")):
        root = Page(path.read_text(encoding="utf-8", errors="replace"), "").root
        lines += [" ".join(p.split()) for p in (text_of(e) for e in root.iter("p")) if p.strip()]
    assert len(lines) > 500
    assert sum(1 for line in lines if _LEAD_CREDIT.match(line) or _LEAD_WORDS.match(line)) > 0
    for line in lines:
        if _LEAD_CREDIT.match(line) or _LEAD_WORDS.match(line):
            assert _may_open_with_credit(line), line


def test_text_and_pictures_role_needs_a_separator() -> None:
    from newscrawler.extract.credits import has_credit_role

    assert is_credit_line("图文：何晓燕")
    assert has_credit_role("图文 | 何晓燕")
    # A sub-heading with the word inside is text.
    assert not has_credit_role("图文长廊里的老手艺")
    assert not is_credit_line("图文并茂的宣传展板")


@pytest.mark.parametrize(
    ("paragraph", "credit"),
    [
        # Names of an unbracketed dateline credit set apart by 、 as well as by spaces.
        ("本报讯 记者 苗雨晴、邱晓峰 通讯员 杭立新 6月11日，通河市…", "记者 苗雨晴、邱晓峰 通讯员 杭立新"),
        ("新华社北京3月5日电 记者张三、李四 青山市今年以来…", "记者张三、李四"),
        # A comma ends a clause, never a run of names.
        ("本报讯 记者了解到，青山市今年以来…", None),
        ("本报讯 记者获悉，青山市今年以来…", None),
    ],
)
def test_lead_words_with_enumeration_comma(paragraph: str, credit: str | None) -> None:
    from newscrawler.extract.credits import lead_credit

    assert lead_credit(paragraph) == credit


@pytest.mark.parametrize(
    ("paragraph", "credit"),
    [
        # The bullet newspapers mark a byline with opens the credit as a dateline does.
        ("□本报记者 廖云舒 通讯员 滕建波 7月7日中午，…", "本报记者 廖云舒 通讯员 滕建波"),
        ("■ 本报记者 张三、李四 青山市今年以来…", "本报记者 张三、李四"),
        # A bullet before text, or before a role word inside a clause, opens no credit.
        ("● 青山市今年以来持续推进老旧小区改造，…", None),
        ("□记者了解到，青山市今年以来…", None),
    ],
)
def test_lead_words_after_a_byline_bullet(paragraph: str, credit: str | None) -> None:
    from newscrawler.extract.credits import lead_credit

    assert lead_credit(paragraph) == credit


@pytest.mark.parametrize(
    ("paragraph", "credit"),
    [
        # A byline opening the text without a dateline, closed by 报道: the paper before the
        # role is no name, the paragraph stays text.
        ("青山日报记者 张三 报道：6月1日，青山县召开会议。", "记者 张三"),
        ("本报记者 张三 李四 报道 6月1日，青山县召开会议。", "本报记者 张三 李四"),
        ("本报记者张三报道：6月1日，青山县召开会议。", "本报记者张三"),
        ("本报记者 张三、李四 通讯员 王五 报道：近日，青山县召开会议。", "本报记者 张三、李四 通讯员 王五"),
        ("本報記者 王小明 報導 行政院今天宣布，補助將延長。", "本報記者 王小明"),
        # A report quoted from elsewhere, a sentence about a report, words where names stand.
        ("据青山日报记者 张三 报道，青山县召开会议。", None),
        ("记者张三报道称，青山县召开会议。", None),
        ("本报记者 张三 深入报道：青山县召开会议。", None),
        ("记者调查报道：青山县夜市摊位。", None),
        ("青山县召开会议，本报记者 张三 报道。", None),
    ],
)
def test_lead_byline_closed_by_reported(paragraph: str, credit: str | None) -> None:
    from newscrawler.extract.credits import lead_credit

    assert lead_credit(paragraph) == credit


@pytest.mark.parametrize(
    ("line", "credit"),
    [
        ("拍摄：韦志成 剪辑：蒙丽萍 制图：黄一帆", True),
        ("（视频：张三）", True),
        ("口述：林秀英 整理：宋佳怡", True),
        # A clip's label and a feature list are text.
        ("视频：龙舟赛决赛现场", False),
        ("设计：金属机身，重量180克", False),
    ],
)
def test_video_and_graphics_credit_lines(line: str, credit: bool) -> None:
    assert is_credit_line(line) is credit
