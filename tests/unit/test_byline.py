"""The Chinese byline grammar: reporters, editors (roles kept) and the source outlet."""

from __future__ import annotations

import pytest

from newscrawler.extract.byline import Byline, Person, parse_byline, split_names
from newscrawler.extract.roles import is_editor_role

R = list[tuple[str | None, str]]


def people(persons: list[Person]) -> R:
    return [(p.role, p.name) for p in persons]


@pytest.mark.parametrize(
    ("text", "reporters", "editors", "source"),
    [
        # The forms seen on 湛江云媒's own pages.
        ("作者:記者陳荔雅 特約通訊員譚總", [("記者", "陳荔雅"), ("特約通訊員", "譚總")], [], None),
        ("作者：记者陈荔雅 特约通讯员谭总", [("记者", "陈荔雅"), ("特约通讯员", "谭总")], [], None),
        (
            "(编辑/徐卫民 值班主任/何杰 值班编委/郑时雨)",
            [],
            [("编辑", "徐卫民"), ("值班主任", "何杰"), ("值班编委", "郑时雨")],
            None,
        ),
        (
            "（编辑/徐卫民  值班主任/何杰  值班编委/郑时雨）",
            [],
            [("编辑", "徐卫民"), ("值班主任", "何杰"), ("值班编委", "郑时雨")],
            None,
        ),
        ("(来源:湛江云媒)", [], [], "湛江云媒"),
        ("（来源：湛江云媒）", [], [], "湛江云媒"),
        ("李嘉斌 摄", [("摄", "李嘉斌")], [], None),
        ("李嘉斌/摄", [("摄", "李嘉斌")], [], None),
        ("李嘉斌摄", [("摄", "李嘉斌")], [], None),
        ("李嘉斌 攝", [("攝", "李嘉斌")], [], None),
        ("編輯:吳文靜", [], [("編輯", "吳文靜")], None),
        # The whole meta line: the time is not a person, the outlet is the source.
        (
            "2022-04-19 17:31 來源:湛江云媒 作者:記者陳荔雅 特約通訊員譚總",
            [("記者", "陳荔雅"), ("特約通訊員", "譚總")],
            [],
            "湛江云媒",
        ),
        # Roles other portals use.
        ("本报记者 张三", [("本报记者", "张三")], [], None),
        ("本报记者张三", [("本报记者", "张三")], [], None),
        ("本報記者 張三", [("本報記者", "張三")], [], None),
        ("通讯员 李四", [("通讯员", "李四")], [], None),
        ("通訊員 譚總", [("通訊員", "譚總")], [], None),
        ("实习生 王五", [("实习生", "王五")], [], None),
        ("见习记者 张三", [("见习记者", "张三")], [], None),
        ("融媒体记者 张三", [("融媒体记者", "张三")], [], None),
        ("特约记者 张三", [("特约记者", "张三")], [], None),
        ("作者：张三", [("作者", "张三")], [], None),  # 作者 with a name of its own is a role
        ("文/图 张三", [("文/图", "张三")], [], None),
        ("文/图：张三", [("文/图", "张三")], [], None),
        ("图/文 张三", [("图/文", "张三")], [], None),
        ("文字：张三 图片：李四", [("文字", "张三"), ("图片", "李四")], [], None),
        ("摄影：李嘉斌", [("摄影", "李嘉斌")], [], None),
        ("文/本报记者 张三", [("文", "张三"), ("本报记者", "张三")], [], None),
        ("责任编辑：张三", [], [("责任编辑", "张三")], None),
        ("责编：李四", [], [("责编", "李四")], None),
        ("审核：王五", [], [("审核", "王五")], None),
        ("校对：赵六", [], [("校对", "赵六")], None),
        ("编审：孙七", [], [("编审", "孙七")], None),
        (
            "责任编辑 张三 审核 李四 校对 王五",
            [],
            [("责任编辑", "张三"), ("审核", "李四"), ("校对", "王五")],
            None,
        ),
        ("编辑：张三 责任编辑：李四", [], [("编辑", "张三"), ("责任编辑", "李四")], None),
        # Every separator.
        ("编辑:吴文静", [], [("编辑", "吴文静")], None),
        ("编辑：吴文静", [], [("编辑", "吴文静")], None),
        ("编辑/吴文静", [], [("编辑", "吴文静")], None),
        ("编辑丨吴文静", [], [("编辑", "吴文静")], None),
        ("编辑|吴文静", [], [("编辑", "吴文静")], None),
        ("编辑｜吴文静", [], [("编辑", "吴文静")], None),
        ("编辑 吴文静", [], [("编辑", "吴文静")], None),
        ("编辑吴文静", [], [("编辑", "吴文静")], None),
        ("记者:张三 | 编辑:李四", [("记者", "张三")], [("编辑", "李四")], None),
        ("记者 张三/通讯员 李四", [("记者", "张三"), ("通讯员", "李四")], [], None),
        # Several names under one role.
        ("记者 张三 李四", [("记者", "张三"), ("记者", "李四")], [], None),
        ("记者张三、李四", [("记者", "张三"), ("记者", "李四")], [], None),
        ("记者 张三，李四", [("记者", "张三"), ("记者", "李四")], [], None),
        ("记者 张三/李四", [("记者", "张三"), ("记者", "李四")], [], None),
        ("记者｜张三｜李四", [("记者", "张三"), ("记者", "李四")], [], None),
        (
            "记者 张三、李四 通讯员 王五",
            [("记者", "张三"), ("记者", "李四"), ("通讯员", "王五")],
            [],
            None,
        ),
        # Names padded for alignment.
        ("记者 吴  静", [("记者", "吴静")], [], None),
        ("记者 吴　静", [("记者", "吴静")], [], None),
        ("编辑：吴\u00a0静", [], [("编辑", "吴静")], None),
        ("记者 吴 静 李四", [("记者", "吴静"), ("记者", "李四")], [], None),
        # A name holding 文/图/摄 characters is not split into a role.
        ("吴文静", [(None, "吴文静")], [], None),
        ("记者 吴文静", [("记者", "吴文静")], [], None),
        ("记者 欧阳文静", [("记者", "欧阳文静")], [], None),
        ("文/吴文静", [("文", "吴文静")], [], None),
        ("图/王图强", [("图", "王图强")], [], None),
        ("文：吴文静 图：王图强", [("文", "吴文静"), ("图", "王图强")], [], None),
        ("文 吴文静", [("文", "吴文静")], [], None),
        ("王图强 摄", [("摄", "王图强")], [], None),
        ("记者 吴 文 通讯员 王五", [("记者", "吴文"), ("通讯员", "王五")], [], None),
        ("记者 王 图 李四", [("记者", "王图"), ("记者", "李四")], [], None),
        ("记者 李讯 通讯员 王五", [("记者", "李讯"), ("通讯员", "王五")], [], None),
        ("记者 买买提·艾力", [("记者", "买买提·艾力")], [], None),
        # Datelines and filler are not names.
        ("新华社北京3月1日电（记者张三、李四）", [("记者", "张三"), ("记者", "李四")], [], None),
        ("本报讯（记者张三 通讯员李四）", [("记者", "张三"), ("通讯员", "李四")], [], None),
        ("本报讯 记者张三 通讯员李四", [("记者", "张三"), ("通讯员", "李四")], [], None),
        ("本报湛江4月18日讯 记者张三", [("记者", "张三")], [], None),
        ("本报湛江讯（记者 张三）", [("记者", "张三")], [], None),
        ("湛江日报讯 记者 张三", [("记者", "张三")], [], None),
        ("新华社电 记者 张三", [("记者", "张三")], [], None),
        ("记者张三报道", [("记者", "张三")], [], None),
        ("记者 张三 等", [("记者", "张三")], [], None),
        # A photo credit after a role: the role is the photographer's title, the credit is 摄.
        ("记者 李嘉斌 摄", [("摄", "李嘉斌")], [], None),
        ("图片来源：本报记者 李嘉斌 摄", [("摄", "李嘉斌")], [], None),
        ("▲青山日报全媒体图片记者李嘉斌、黄思远摄", [("摄", "李嘉斌"), ("摄", "黄思远")], [], None),
        # A WeChat article's header kept in a repost: 原创：author account. The account is
        # neither a person nor the outlet; 原创：outlet alone names the outlet.
        ("原创： 林知远编译 青山财经观察", [("编译", "林知远")], [], None),
        ("原创：张明远 青山发布", [(None, "张明远")], [], None),
        ("原创：青山日报", [], [], "青山日报"),
        # A picture library credited for a stock picture is nobody's name.
        ("图/pixabay", [], [], None),
        ("图片：视觉中国", [], [], None),
        ("记者 黄思远/文 李嘉斌/摄影", [("记者", "黄思远"), ("文", "黄思远"), ("摄影", "李嘉斌")], [], None),
        # Sources: never a person.
        ("来源：湛江云媒", [], [], "湛江云媒"),
        ("来源: 人民日报客户端", [], [], "人民日报客户端"),
        ("来源湛江云媒", [], [], "湛江云媒"),
        ("稿件来源：湛江云媒", [], [], "湛江云媒"),
        # CMS labels naming what the source is of: never a person after an author.
        ("作者：吕海涛　文章来源：清溪镇政府", [("作者", "吕海涛")], [], "清溪镇政府"),
        ("作者：张三 新闻来源：东湖日报", [("作者", "张三")], [], "东湖日报"),
        ("信息来源：市政府办公室", [], [], "市政府办公室"),
        ("出处：湛江云媒", [], [], "湛江云媒"),
        ("來源:湛江云媒", [], [], "湛江云媒"),
        ("来源：新华社 编辑：张三", [], [("编辑", "张三")], "新华社"),
        ("来源:湛江云媒 作者:記者陳荔雅", [("記者", "陳荔雅")], [], "湛江云媒"),
        ("来源：湛江日报 记者 张三", [("记者", "张三")], [], "湛江日报"),
        ("来源：", [], [], None),
        # Editors are never folded into reporters.
        ("文/图 张三 编辑 李四", [("文/图", "张三")], [("编辑", "李四")], None),
        # Nothing.
        (None, [], [], None),
        ("", [], [], None),
        ("   ", [], [], None),
    ],
)
def test_parse_byline(text: str | None, reporters: R, editors: R, source: str | None) -> None:
    byline = parse_byline(text)
    assert (people(byline.reporters), people(byline.editors), byline.source) == (
        reporters,
        editors,
        source,
    )


def test_repeated_person_is_kept_once() -> None:
    byline = parse_byline("记者 张三 记者 张三 通讯员 张三")
    assert people(byline.reporters) == [("记者", "张三"), ("通讯员", "张三")]


def test_source_outlet_is_never_a_person() -> None:
    byline = parse_byline("(来源:湛江云媒) (编辑/徐卫民)")
    assert byline == Byline(reporters=[], editors=[Person("编辑", "徐卫民")], source="湛江云媒")
    names = {p.name for p in byline.reporters + byline.editors}
    assert "湛江云媒" not in names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("张三 李四", ["张三", "李四"]),
        ("张三、李四、王五", ["张三", "李四", "王五"]),
        ("张三，李四,王五;赵六；孙七", ["张三", "李四", "王五", "赵六", "孙七"]),
        ("张三/李四｜王五丨赵六|孙七", ["张三", "李四", "王五", "赵六", "孙七"]),
        ("吴  静", ["吴静"]),
        ("吴\u3000静", ["吴静"]),
        ("吴 静 李四", ["吴静", "李四"]),
        ("（张三）", ["张三"]),
        (":张三", ["张三"]),
        ("张三报道", ["张三"]),
        ("张三 等", ["张三"]),
        ("李讯", ["李讯"]),
        ("吴文静", ["吴文静"]),
        ("2022-04-19 17:31", []),
        ("", []),
        ("吴", ["吴"]),
    ],
)
def test_split_names(text: str, expected: list[str]) -> None:
    assert split_names(text) == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("编辑", True),
        ("編輯", True),
        ("责任编辑", True),
        ("責任編輯", True),
        ("责编", True),
        ("审核", True),
        ("校对", True),
        ("编审", True),
        ("值班主任", True),
        ("值班编委", True),
        ("记者", False),
        ("記者", False),
        ("通讯员", False),
        ("特約通訊員", False),
        ("实习生", False),
        ("文/图", False),
        ("摄", False),
        ("作者", False),
        ("来源", False),
        (None, False),
        ("", False),
    ],
)
def test_is_editor_role(role: str | None, expected: bool) -> None:
    assert is_editor_role(role) is expected


def test_person_as_dict() -> None:
    assert Person("記者", "陳荔雅").as_dict() == {"role": "記者", "name": "陳荔雅"}
    assert Person(None, "吴文静").as_dict() == {"role": None, "name": "吴文静"}


def test_byline_extend() -> None:
    byline = parse_byline("作者:記者陳荔雅 特約通訊員譚總")
    byline.extend(parse_byline("編輯:吳文靜"))
    byline.extend(parse_byline("记者 陈荔雅 (来源:湛江云媒)"))
    byline.extend(parse_byline("記者陳荔雅 (来源:湛江日报)"))
    assert byline == Byline(
        reporters=[Person("記者", "陳荔雅"), Person("特約通訊員", "譚總"), Person("记者", "陈荔雅")],
        editors=[Person("編輯", "吳文靜")],
        source="湛江云媒",
    )


@pytest.mark.parametrize(
    ("text", "reporters", "editors", "source"),
    [
        # A role word inside an outlet's name does not end the source.
        ("来源:湛江市摄影家协会", [], [], "湛江市摄影家协会"),
        ("来源：湛江日报社编辑部", [], [], "湛江日报社编辑部"),
        ("来源:湛江日报社编辑部 作者:记者 李嘉斌", [("记者", "李嘉斌")], [], "湛江日报社编辑部"),
        # A padded two-character name starting with a single-character role word.
        ("编辑:文  静", [], [("编辑", "文静")], None),
        ("责任编辑：图　强", [], [("责任编辑", "图强")], None),
        # 文/图 after the names it applies to.
        ("记者 李嘉斌 文/图", [("记者", "李嘉斌"), ("文/图", "李嘉斌")], [], None),
        ("李嘉斌 文/图", [("文/图", "李嘉斌")], [], None),
    ],
)
def test_role_words_inside_values(text: str, reporters: R, editors: R, source: str | None) -> None:
    byline = parse_byline(text)
    assert (people(byline.reporters), people(byline.editors), byline.source) == (reporters, editors, source)


@pytest.mark.parametrize(
    ("text", "reporters", "editors"),
    [
        # A Latin name keeps the space between its words; Han names are still split on spaces.
        ("责编：Demi Xia", [], [("责编", "Demi Xia")]),
        ("记者 张三 John Smith", [("记者", "张三"), ("记者", "John Smith")], []),
        # 执笔 (written by) is a writer's role; & separates names like 、.
        ("执笔/叨叨姐、胡一刀&李小飞刀", [("执笔", "叨叨姐"), ("执笔", "胡一刀"), ("执笔", "李小飞刀")], []),
    ],
)
def test_latin_names_and_writer_roles(text: str, reporters: R, editors: R) -> None:
    byline = parse_byline(text)
    assert people(byline.reporters) == reporters
    assert people(byline.editors) == editors


@pytest.mark.parametrize(
    ("text", "reporters", "source"),
    [
        # Roles written after each name, with a slash.
        (
            "作者：实习生 林小雨 记者 黄思远/文 李嘉斌/摄",
            [("实习生", "林小雨"), ("记者", "黄思远"), ("文", "黄思远"), ("摄", "李嘉斌")],
            None,
        ),
        # A role before another role applies to the names after both (作者 is only a label).
        ("文/图 记者 李嘉斌", [("文/图", "李嘉斌"), ("记者", "李嘉斌")], None),
        (
            "作者:文/记者 黄思远 图/记者 李嘉斌",
            [("文", "黄思远"), ("记者", "黄思远"), ("图", "李嘉斌"), ("记者", "李嘉斌")],
            None,
        ),
        # Spans rendered without a space between them: a label with a separator ends the source.
        ("来源: 湛江云媒作者: 记者|陈荔雅", [("记者", "陈荔雅")], "湛江云媒"),
    ],
)
def test_roles_around_names(text: str, reporters: R, source: str | None) -> None:
    byline = parse_byline(text)
    assert (people(byline.reporters), byline.source) == (reporters, source)


@pytest.mark.parametrize(
    ("text", "reporters", "source"),
    [
        ("来源：湛江云媒 阅读：1234", [], "湛江云媒"),
        ("来源：青山县融媒体中心 浏览次数：1288", [], "青山县融媒体中心"),
        ("来源：湛江云媒 浏览 56次 作者：记者 张三", [("记者", "张三")], "湛江云媒"),
        ("评论员 张三", [("评论员", "张三")], None),
    ],
)
def test_meta_line_counters_are_not_people(text: str, reporters: R, source: str | None) -> None:
    byline = parse_byline(text)
    assert (people(byline.reporters), byline.source) == (reporters, source)


@pytest.mark.parametrize(
    ("text", "reporters", "source"),
    [
        # The outlet or column glued to a role is no name.
        ("文/观察者网专栏作者 王文", [("文", "王文")], None),  # 作者 only repeats who 文 credits
        ("通讯员 李四 新京报记者 王五", [("通讯员", "李四"), ("记者", "王五")], None),
        # …but a name glued to the next role stays a name.
        ("記者陳荔雅特約通訊員譚總", [("記者", "陳荔雅"), ("特約通訊員", "譚總")], None),
        # Names and their outlet without labels.
        ("石佳/中国青年报", [(None, "石佳")], "中国青年报"),
        ("张三 李四｜新京报", [(None, "张三"), (None, "李四")], "新京报"),
        # Without an outlet word after the slash it is no outlet.
        ("石佳/王五", [(None, "石佳"), (None, "王五")], None),
    ],
)
def test_affiliations_and_unlabelled_outlets(text: str, reporters: R, source: str | None) -> None:
    byline = parse_byline(text)
    assert (people(byline.reporters), byline.source) == (reporters, source)


@pytest.mark.parametrize(
    ("text", "reporters"),
    [
        # The outlet a reporter writes for, standing among the names, is no person.
        ("文/观察者网 王慧", [("文", "王慧")]),
        ("文/ 新京报 齐倩", [("文", "齐倩")]),
        # …also a compound outlet joined with a dot, which is no transliterated name.
        ("文/顶端新闻·河南商报记者 张三 李四", [("文", "张三"), ("记者", "张三"), ("文", "李四"), ("记者", "李四")]),
        ("作者：青山新闻·青山日报记者 张三", [("记者", "张三")]),
        ("文/青山新闻·青山日报 记者 张三", [("文", "张三"), ("记者", "张三")]),
        # …but a three-character name ending like an outlet word stays a name.
        ("记者 李中台", [("记者", "李中台")]),
        # A news agency in the author slot is no person; a name ending in 社 stays a name.
        ("作者：新华社", []),
        ("记者 张三 中新社", [("记者", "张三")]),
        ("记者 王建社", [("记者", "王建社")]),
        # How a story was put together is no name either.
        ("记者 张三 综合报道", [("记者", "张三")]),
    ],
)
def test_outlets_and_filler_among_names(text: str, reporters: R) -> None:
    assert people(parse_byline(text).reporters) == reporters


@pytest.mark.parametrize(
    ("text", "source"),
    [
        # Where a picture or figures came from is not the story's source.
        ("图片来源：视觉中国", None),
        ("图片来源：视觉中国 来源：新京报", "新京报"),
        ("来源：新京报 数据来源：国家统计局", "新京报"),
    ],
)
def test_picture_and_data_sources_are_not_the_source(text: str, source: str | None) -> None:
    assert parse_byline(text).source == source


@pytest.mark.parametrize(
    ("text", "reporters"),
    [
        # Where the reporter filed from is no name, in either script.
        ("記者林思妤／台北報導", [("記者", "林思妤")]),
        ("记者 张三/北京报道", [("记者", "张三")]),
        ("记者 张三报道", [("记者", "张三")]),
    ],
)
def test_place_filed_from_is_not_a_name(text: str, reporters: R) -> None:
    assert people(parse_byline(text).reporters) == reporters


@pytest.mark.parametrize(
    ("text", "reporters"),
    [
        # A wire dateline glued to the name: the place and the day are no part of it.
        ("中央社記者王小明台北19日電", [("記者", "王小明")]),
        ("新华社记者张三北京3月1日电", [("记者", "张三")]),
        ("记者 张三 李四 北京报道", [("记者", "张三"), ("记者", "李四")]),
        ("记者张三北京报道", [("记者", "张三")]),
        ("记者张三6月1日", [("记者", "张三")]),
        ("记者 张三 发自北京", [("记者", "张三")]),
        ("本报记者张三发自上海", [("本报记者", "张三")]),
        # A kind of reporter or a bureau glued to the role is no name.
        ("记者 张三 特派记者 李四", [("记者", "张三"), ("特派记者", "李四")]),
        ("记者：张三 实习记者：李四", [("记者", "张三"), ("实习记者", "李四")]),
        ("记者 张三 驻京记者 李四", [("记者", "张三"), ("记者", "李四")]),
        ("撰稿人：张三", [("撰稿人", "张三")]),
        # A role word inside a sentence (a deck, a subheading) is no byline.
        ("记者探访青山县夜市烟火", []),
        ("本报记者张三", [("本报记者", "张三")]),
        ("记者阿卜杜拉·买买提", [("记者", "阿卜杜拉·买买提")]),
        # Bars and slashes of every width separate; none is part of a name.
        ("文︱张三", [("文", "张三")]),
        ("作者：张三︱李四", [("作者", "张三"), ("作者", "李四")]),
        ("作者｜张三 李四", [("作者", "张三"), ("作者", "李四")]),
        # Who compiled or translated the story is credited; the words alone are no names.
        ("编译/张三", [("编译", "张三")]),
        ("整合／张三", [("整合", "张三")]),
        ("记者 张三 整理", [("记者", "张三")]),
        ("（综合整理自新京报、南方日报、央视新闻等）", []),
        # Who provided a picture is no name.
        ("记者 张三 李四/文 受访者供图", [("记者", "张三"), ("文", "张三"), ("记者", "李四"), ("文", "李四")]),
        ("▌记者 张三", [("记者", "张三")]),
        ("记者 张三/文 受访者/图", [("记者", "张三"), ("文", "张三")]),
        ("记者 张三/文 图片来自网络", [("记者", "张三"), ("文", "张三")]),
        # Picture libraries, agencies and social accounts credited for a picture are no people.
        ("◎ 图：123rf", []),
        ("◎ 图：@青山微博截图", []),
        ("图：锐景视觉", []),
        # Who the person is, after the name, is no second name.
        ("作者：张三（青山大学教授）", [("作者", "张三")]),
        ("作者：张三 青山大学经济学院教授", [("作者", "张三")]),
        ("作者：张三系青山大学研究员", [("作者", "张三")]),
        ("文/张三（作者系青山大学研究员）", [("文", "张三")]),
        ("作者 张三 李四（均为青山大学教授）", [("作者", "张三"), ("作者", "李四")]),
        ("作者：李四（系青山大学学生）", [("作者", "李四")]),
        # An outlet before 记者 is the reporter's employer: the role is 记者, the outlet no source
        # (a paper's own pages name it on every byline; a repost labels its 来源).
        ("联合报記者王小明／台北報導", [("記者", "王小明")]),
        ("光明日报记者 张三", [("记者", "张三")]),
    ],
)
def test_names_stand_apart_from_place_date_and_separators(text: str, reporters: R) -> None:
    byline = parse_byline(text)
    assert people(byline.reporters) == reporters
    assert byline.source is None


@pytest.mark.parametrize(
    ("text", "editors"),
    [
        # More editorial roles, each kept as the page shows it.
        ("选稿：张三 出品：李四 审核：王五", [("选稿", "张三"), ("出品", "李四"), ("审核", "王五")]),
        ("编辑：张三 排版：李四", [("编辑", "张三"), ("排版", "李四")]),
        ("责任校对：赵六 签发：钱七", [("责任校对", "赵六"), ("签发", "钱七")]),
        # A staff code beside a name is no second name; alone it is the only name given.
        ("责任编辑：张三 ZB012", [("责任编辑", "张三")]),
        ("编辑：张三 排版：ZB012", [("编辑", "张三")]),
        ("（责任编辑：HN666）", [("责任编辑", "HN666")]),
        # Organisations are no editors.
        ("出品：青山日报新媒体中心 编辑：张三", [("编辑", "张三")]),
        ("制作单位：青山县融媒体中心", []),
        ("版权所有：青山日报社 编辑：张三", [("编辑", "张三")]),
        # A word that qualifies the next role, a grade after a name, a content role before an
        # editorial one: none is a name, nor makes the editor a reporter.
        ("编辑：张三 实习编辑：李四", [("编辑", "张三"), ("编辑", "李四")]),
        ("主编：张三 副主编：李四", [("主编", "张三"), ("主编", "李四")]),
        ("责任编辑：张三 微信编辑：李四", [("责任编辑", "张三"), ("编辑", "李四")]),
        ("编辑: 张三(实习)", [("编辑", "张三")]),
        ("文字编辑：张三", [("编辑", "张三")]),
        ("初审：张三 复审：李四 终审：王五", [("初审", "张三"), ("复审", "李四"), ("终审", "王五")]),
        # A closing sign-off with the page's code after it.
        ("（編輯：王小明）2301", [("編輯", "王小明")]),
    ],
)
def test_editor_roles_codes_and_organisations(text: str, editors: R) -> None:
    byline = parse_byline(text)
    assert people(byline.editors) == editors
    assert people(byline.reporters) == []


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("来源于新华社", "新华社"),
        ("来源 | 新华社", "新华社"),
        ("转自：青山日报", "青山日报"),
        # 原创 with a colon names the outlet whose original content it is; the time is no part.
        ("原创：青山健康网 2024-04-23 12:27:25", "青山健康网"),
        ("来源：本站原创", "本站原创"),
        ("转载自：青山日报", "青山日报"),
        ("原文链接：http://www.qingshan-daily.example/a/1.html", None),
        ("（本文来源：人民网 作者：张三）", "人民网"),
        # Where the poster's IP address is: no source, no person.
        ("IP属地：广东", None),
        # A notice asking others to credit the site names no source of this story.
        ("转载请注明来源：青山网", None),
    ],
)
def test_source_label_forms(text: str, source: str | None) -> None:
    byline = parse_byline(text)
    assert byline.source == source
    assert byline.editors == [] and all(p.role == "作者" for p in byline.reporters)


def test_unlabelled_author_and_outlet_needs_personal_names() -> None:
    from newscrawler.extract.byline import author_outlet

    assert author_outlet("石佳/中国青年报") is not None
    assert author_outlet("张三 李四｜新京报") is not None
    # A breadcrumb has the same shape.
    assert author_outlet("首页/新闻中心") is None
    assert author_outlet("要闻 / 青山日报") is None


@pytest.mark.parametrize(
    ("text", "reporters"),
    [
        # A government portal's author field holds its office as often as a person.
        ("作者：市应急管理局", []),
        ("来源：区政府办 作者：区政府办公室", []),
        ("作者：青山市委宣传部", []),
        ("作者：张三 青山大学", [("作者", "张三")]),
        ("撰稿：青山县人民政府", []),
        # People whose names end like an office's, and a party branch signing as its members.
        ("作者：欧阳文科", [("作者", "欧阳文科")]),
        ("记者 格桑边觉", [("记者", "格桑边觉")]),
        ("作者：医技药剂党支部", [("作者", "医技药剂党支部")]),
    ],
)
def test_organisation_in_an_author_field_is_nobody(text: str, reporters: R) -> None:
    assert people(parse_byline(text).reporters) == reporters


@pytest.mark.parametrize(
    ("text", "reporters", "editors"),
    [
        # Text and pictures by one person, written as one word.
        ("图文：张三", [("图文", "张三")], []),
        ("文图 | 李四", [("文图", "李四")], []),
        ("圖文／王小明", [("圖文", "王小明")], []),
        # …but only before a separator: inside a title the words are no role.
        ("本报图文记者 张三", [("记者", "张三")], []),
        # A government portal's sign-off chain names each step with 人.
        ("撰稿人：张三 审核人：李四 签发人：王五", [("撰稿人", "张三")], [("审核人", "李四"), ("签发人", "王五")]),
        ("审稿人：赵六", [], [("审稿人", "赵六")]),
    ],
)
def test_combined_and_sign_off_roles(text: str, reporters: R, editors: R) -> None:
    byline = parse_byline(text)
    assert people(byline.reporters) == reporters
    assert people(byline.editors) == editors


@pytest.mark.parametrize(
    ("text", "reporters", "editors"),
    [
        # Colons typeset in other forms (Hong Kong and Taiwan pages) are colons: no part of a name.
        ("記者︰張三", [("記者", "張三")], []),
        ("撰文︰張家明　攝影︰黃志強", [("撰文", "張家明"), ("攝影", "黃志強")], []),
        ("編輯﹕李四", [], [("編輯", "李四")]),
        ("文∶王五", [("文", "王五")], []),
    ],
)
def test_colon_forms(text: str, reporters: R, editors: R) -> None:
    from newscrawler.extract.credits import is_credit_line

    byline = parse_byline(text)
    assert people(byline.reporters) == reporters
    assert people(byline.editors) == editors
    assert is_credit_line(text)


@pytest.mark.parametrize(
    ("text", "reporters"),
    [
        # The longest role wins: 特约撰稿人 is no 特约撰稿 before a name 人张三.
        ("特约撰稿人 张三", [("特约撰稿人", "张三")]),
        ("采写：张三 李四", [("采写", "张三"), ("采写", "李四")]),
        # A translator made the text readers read; only before a separator (翻译成 is a verb).
        ("作者：海伦娜·施密特　翻译：林晓雯", [("作者", "海伦娜·施密特"), ("翻译", "林晓雯")]),
        ("译者 王五", [("译者", "王五")]),
    ],
)
def test_writer_translator_roles(text: str, reporters: R) -> None:
    byline = parse_byline(text)
    assert people(byline.reporters) == reporters
    assert byline.editors == []


def test_translate_as_a_verb_is_no_role() -> None:
    from newscrawler.extract.credits import has_credit_role

    assert not has_credit_role("被翻译成德语的图书")


def test_short_outlet_glued_before_reporter_is_no_name() -> None:
    # 南都 opens like a surname, yet a name comes after 记者, never glued before it.
    byline = parse_byline("采写：南都记者 余小青 向大明")
    assert {p.name for p in byline.reporters} == {"余小青", "向大明"}


@pytest.mark.parametrize(
    ("lines", "reporters", "editors"),
    [
        # One person credited in two places is listed once, in the first place, with the role
        # that says the most: none < the field's label (作者) < a role of its own.
        (["作者：张三", "记者 张三 通讯员 李四"], [("记者", "张三"), ("通讯员", "李四")], []),
        (["作者：张三 李四", "记者 李四"], [("作者", "张三"), ("记者", "李四")], []),
        (["记者 张三", "张三"], [("记者", "张三")], []),
        (["王五 张三", "记者 张三"], [(None, "王五"), ("记者", "张三")], []),
        (["张三", "作者：张三"], [("作者", "张三")], []),
        (["文/本报专栏作者 张三"], [("文", "张三")], []),
        # Two roles of their own are two credits; a picture credit never merges.
        (["记者 张三", "通讯员 张三"], [("记者", "张三"), ("通讯员", "张三")], []),
        (["张三 摄", "张三"], [("摄", "张三"), (None, "张三")], []),
        (["作者：张三", "图片：张三"], [("作者", "张三"), ("图片", "张三")], []),
        # Editors: the same credit printed twice is one.
        (["编辑：王五", "（编辑 王五）", "责任编辑：王五"], [], [("编辑", "王五"), ("责任编辑", "王五")]),
    ],
)
def test_one_person_credited_twice_is_listed_once(lines: list[str], reporters: R, editors: R) -> None:
    byline = Byline()
    for line in lines:
        byline.extend(parse_byline(line))
    assert people(byline.reporters) == reporters
    assert people(byline.editors) == editors


@pytest.mark.parametrize(
    ("text", "reporters", "editors"),
    [
        # Who made the video or the graphics, and who told a first-person account, made the
        # content: reporters with the role shown.
        ("拍摄：张三 剪辑：李四 编辑：王五", [("拍摄", "张三"), ("剪辑", "李四")], [("编辑", "王五")]),
        ("视频/张三", [("视频", "张三")], []),
        ("制图：王五 设计：赵六", [("制图", "王五"), ("设计", "赵六")], []),
        ("海报设计：赵六", [("设计", "赵六")], []),
        ("口述：张三 整理：李四", [("口述", "张三"), ("整理", "李四")], []),
        # Who sent a story in wrote it; who put it online is site staff.
        ("投稿人：张三 审核人：李四 发布人：王五", [("投稿人", "张三")], [("审核人", "李四"), ("发布人", "王五")]),
        ("发布者：王五", [], [("发布者", "王五")]),
        # The craft words are as often words of the text: no role without a separator, none
        # over words that have no person's shape, never a name.
        ("视频记者 张三", [("视频记者", "张三")], []),
        ("视频编辑：张三", [], [("编辑", "张三")]),
        ("视频：龙舟赛现场", [], []),
        ("设计：金属机身，重量180克", [], []),
        ("拍摄 张三 剪辑 李四", [(None, "张三"), (None, "李四")], []),
    ],
)
def test_video_and_graphics_credits(text: str, reporters: R, editors: R) -> None:
    byline = parse_byline(text)
    assert people(byline.reporters) == reporters
    assert people(byline.editors) == editors


def test_a_video_credit_never_merges_with_the_writer() -> None:
    byline = Byline()
    for line in ("视频：张三", "（张三）", "记者 李四", "李四"):
        byline.extend(parse_byline(line))
    assert people(byline.reporters) == [("视频", "张三"), (None, "张三"), ("记者", "李四")]
