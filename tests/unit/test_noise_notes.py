"""Notes a page sets at the edges of its text: the original headline and the header picture's source.

The fixture page ``fixtures/generic/www.d2-shaxi-news.example/`` shows both; these tests hold
their edges, the sentences that stay.
"""

from __future__ import annotations

import pytest

from newscrawler.extract.noise import is_noise_line


@pytest.mark.parametrize("line", ["【原标题】老桥新生！永济桥修缮完工", "原文标题：永济桥修缮完工", "[原标题]永济桥"])
def test_the_original_headline_in_any_of_its_forms_is_a_note(line: str) -> None:
    assert is_noise_line(line)


@pytest.mark.parametrize("line", ["题图：视觉中国", "题图来源：沙溪镇文化站", "头图来源：网络", "封面图：受访者供图"])
def test_the_header_pictures_source_is_a_note(line: str) -> None:
    assert is_noise_line(line)


@pytest.mark.parametrize("line", ["原文：通知全文如下", "标题：永济桥", "题图中的老人今年八十岁。", "【原创】永济桥"])
def test_sentences_and_other_labels_stay(line: str) -> None:
    assert not is_noise_line(line)
