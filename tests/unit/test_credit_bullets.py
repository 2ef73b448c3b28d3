"""Credit lines set behind a bar, as WeChat-style posts print them (▍来源：…, │审核：…).

The fixture page ``fixtures/generic/www.d2-luoshan-fabu.example/`` shows the class.
"""

from __future__ import annotations

import pytest

from newscrawler.extract.credits import is_credit_line


@pytest.mark.parametrize(
    "line", ["▍来源：罗山县融媒体中心", "▎编辑：梅晓东", "█ 责编：梅晓东", "│审核：邝建平", "｜编辑：梅晓东"]
)
def test_a_label_behind_a_bar_is_a_credit(line: str) -> None:
    assert is_credit_line(line)


def test_a_sentence_behind_a_bar_stays_text() -> None:
    assert not is_credit_line("▍来源于群众，服务于群众，这是基地一直坚持的做法。")
    assert not is_credit_line("▍石门村的蓝莓")
