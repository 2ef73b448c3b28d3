"""Text normalisation rules: each rule on its own, then ``clean_text`` as the chain of them."""

from __future__ import annotations

import pytest

from newscrawler.extract.normalize import (
    clean_text,
    collapse_whitespace,
    has_han,
    nfc,
    remove_zero_width,
    strip_pinyin_glosses,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("e\u0301", "\u00e9"),  # combining acute composes
        ("ha\u0300o", "hào"),  # a decomposed tone mark composes
        ("u\u0308\u030c", "ǚ"),
        ("\uf92c", "\u90ce"),  # a CJK compatibility ideograph maps to its unified form
        ("湛江云媒", "湛江云媒"),
        ("", ""),
    ],
)
def test_nfc(text: str, expected: str) -> None:
    assert nfc(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("湛\u200b江", "湛江"),
        ("湛\u200c\u200d江", "湛江"),
        ("\ufeff湛江", "湛江"),
        ("湛\u2060江", "湛江"),
        ("soft\u00adhyphen", "softhyphen"),
        ("a\u180eb", "ab"),
        ("湛 江", "湛 江"),  # a real space is not zero-width
        ("湛\u3000江", "湛\u3000江"),
    ],
)
def test_remove_zero_width(text: str, expected: str) -> None:
    assert remove_zero_width(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  徐闻  奋力\n\n推进 ", "徐闻 奋力 推进"),
        ("徐闻\u00a0奋力", "徐闻 奋力"),  # NBSP
        ("徐闻\u3000\u3000奋力", "徐闻 奋力"),  # ideographic space
        ("徐闻\t\r\n奋力", "徐闻 奋力"),
        ("a\u2002\u2009\u202f\u205fb", "a b"),
        ("\u3000\u3000徐闻奋力推进。", "徐闻奋力推进。"),  # paragraph indent
        # Full-width punctuation is not whitespace and is kept as published.
        ("来源：湛江云媒，记者（陈荔雅）！", "来源：湛江云媒，记者（陈荔雅）！"),
        ("", ""),
        (" \u00a0\u3000 ", ""),
    ],
)
def test_collapse_whitespace(text: str, expected: str) -> None:
    assert collapse_whitespace(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Glosses as the portal's captured page shows them.
        ("登錄湛江云媒賬號(hào)", "登錄湛江云媒賬號"),
        ("徐闻奋力推進(jìn)文明城市衛(wèi)生縣城創(chuàng)建", "徐闻奋力推進文明城市衛生縣城創建"),
        ("來(lái)源", "來源"),
        ("號（hào）", "號"),  # full-width brackets
        ("號(hào）", "號"),  # mixed brackets
        ("號 (hào)", "號"),  # one space before the gloss
        ("中(zhōng)国(guó)", "中国"),
        ("美丽的(de)城市", "美丽的城市"),  # neutral tone, no mark
        ("他来了(le)吗(ma)", "他来了吗"),
        ("女(nǚ)", "女"),
        ("绿(lü)", "绿"),
        ("绿(lv)", "绿"),  # ü typed as v
        ("略(lüè)", "略"),
        ("壮(zhuàng)", "壮"),  # the longest syllables have six letters
        ("双(shuāng)", "双"),
        ("儿(ér)", "儿"),
        ("嗯(ńg)", "嗯"),
        ("𠀀(hē)", "𠀀"),  # a supplementary-plane character
        # Not glosses: left exactly as they are.
        ("湛江(Zhanjiang)", "湛江(Zhanjiang)"),
        ("湛江(zhanjiang)", "湛江(zhanjiang)"),
        ("徐闻(xuwen)", "徐闻(xuwen)"),  # two syllables: a romanised name, not a gloss
        ("遂溪(suixi)", "遂溪(suixi)"),
        ("赤坎(chikan)", "赤坎(chikan)"),
        ("注册(app)", "注册(app)"),
        ("上网(wifi)", "上网(wifi)"),
        ("號(Hào)", "號(Hào)"),  # capitalised
        ("號(hao4)", "號(hao4)"),  # numbered tones are not how this portal glosses
        ("(2022)", "(2022)"),
        ("湛江(2022)", "湛江(2022)"),
        ("Chapter (a)", "Chapter (a)"),  # after Latin text
        ("see(a)", "see(a)"),
        ("完成。(a)", "完成。(a)"),  # after punctuation
        ("完成，(de)", "完成，(de)"),
        ("(hào)", "(hào)"),  # nothing before it
        ("號  (hào)", "號  (hào)"),  # two spaces: not directly after the character
    ],
)
def test_strip_pinyin_glosses(text: str, expected: str) -> None:
    assert strip_pinyin_glosses(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, ""),
        ("", ""),
        ("   \u3000", ""),
        ("  登錄湛江云媒賬號(hào)  ", "登錄湛江云媒賬號"),
        # A gloss split from its character by a line break is still seen (whitespace first).
        ("推進\n(jìn)文明", "推進文明"),
        ("推進\u3000(jìn)", "推進"),
        # A decomposed tone mark and a zero-width space inside the gloss.
        ("號(ha\u0300o)", "號"),
        ("號(\u200bhào)", "號"),
        ("衛\u200b(wèi)生", "衛生"),
        ("湛江\u00a0(Zhanjiang)", "湛江 (Zhanjiang)"),
        ("2022-04-19\u00a017:31\u3000來(lái)源:湛江云媒", "2022-04-19 17:31 來源:湛江云媒"),
    ],
)
def test_clean_text(text: str | None, expected: str) -> None:
    assert clean_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("湛江", True),
        ("abc 湛 123", True),
        ("𠀀", True),  # extension B
        ("\u3400", True),  # extension A
        ("\uf92c", True),  # compatibility ideograph
        ("abc", False),
        ("，。！（）", False),  # full-width punctuation is not Han
        ("ひらがな", False),
        ("", False),
    ],
)
def test_has_han(text: str, expected: bool) -> None:
    assert has_han(text) is expected
