"""The quality benchmark's scoring rules, on annotations of our own writing (no corpus needed).

The rules come from the corpus READMEs: zone-less annotated times compare on the clock, photo
roles are left out where a corpus lists no photographers, and optional paragraphs (captions, a
standfirst) named in the notes count either way.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from support import load_benchmark


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_benchmark("extraction_quality")


@pytest.mark.parametrize(
    ("predicted", "annotated", "right"),
    [
        ("2019-09-18T06:23:00+08:00", "2019-09-18T06:23:00+08:00", True),
        ("2019-09-17T22:23:00+00:00", "2019-09-18T06:23:00+08:00", True),  # the same instant
        ("2019-09-18 06:23", "2019-09-18T06:23:00+08:00", True),  # zone-less prediction: CST
        ("2019-09-18T06:23:00+01:00", "2019-09-18T06:23:00+08:00", False),
        # The page shows a clock time and no zone: any offset on the right clock time is right.
        ("2004-06-04T19:30:00+08:00", "2004-06-04T19:30:00", True),
        ("2004-06-04T19:30:00-04:00", "2004-06-04T19:30:00", True),
        ("2004-06-04 19:30", "2004-06-04T19:30:00", True),
        ("2004-06-04T11:30:00+00:00", "2004-06-04T19:30:00", False),  # 19:30 CST, not as shown
        ("2012-06-24T10:00:00+08:00", "2012-06-24", True),
        (None, None, True),
        ("2012-06-24T10:00:00+08:00", None, False),
    ],
)
def test_published_at(bench: ModuleType, predicted: str | None, annotated: str | None, right: bool) -> None:
    assert bench.time_correct(predicted, annotated) is right


def test_photo_roles_are_left_out_on_both_sides_only_where_photographers_are_not_listed(bench: ModuleType) -> None:
    predicted = [{"role": "记者", "name": "林海燕"}, {"role": "摄", "name": "陈光"}]
    annotated = [{"role": "记者", "name": "林海燕"}]
    assert bench.names_correct(predicted, annotated, photographers_listed=False)
    assert not bench.names_correct(predicted, annotated, photographers_listed=True)
    # Names only (trafilatura, GNE): nothing to leave out on the predicted side.
    bare = [{"role": None, "name": "林海燕"}, {"role": None, "name": "陈光"}]
    assert not bench.names_correct(bare, annotated, photographers_listed=False)
    # Words and pictures credit text too: not a photo role.
    words_and_pictures = [*annotated, {"role": "文/图", "name": "陈光"}]
    assert not bench.names_correct(words_and_pictures, annotated, photographers_listed=False)


def test_optional_paragraphs_come_from_the_notes_and_the_readme() -> None:
    corpora = load_benchmark("_corpora")
    corpus = corpora.Corpus("c", Path("c"), "test", optional={"p2": (0,)})
    notes = (
        "URL from <link rel=\"canonical\">. paragraphs[1] \"活动现场\" and paragraphs[3] \"合影\" are image "
        "captions. Section numbers kept as paragraphs[2]; no captions under [4]. Captions kept: [5] and [9]."
    )
    annotation = {"paragraphs": ["a"] * 8, "notes": notes}
    assert corpora.optional_paragraphs(corpus, "p1", annotation) == {1, 3, 5}  # [9] is past the end
    assert corpora.optional_paragraphs(corpus, "p2", {"paragraphs": ["a", "b"], "notes": ""}) == {0}


def test_optional_paragraphs_count_either_way(bench: ModuleType) -> None:
    pytest.importorskip("jieba")
    text = ["海滨夜市迎来首个完整周末，累计接待市民游客一万二千人次。", "夜市设在滨海公园南侧停车场。"]
    caption = "夜市一角"
    case = bench.Case("p", b"", {"paragraphs": [caption, *text]}, frozenset({0}))
    assert bench.body_score(text, case) == 1.0
    assert bench.body_score([caption, *text], case) == 1.0
    required = bench.Case("p", b"", {"paragraphs": [caption, *text]})
    assert bench.body_score(text, required) < 1.0
