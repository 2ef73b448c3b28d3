"""The crawl's compact set of seen strings (canonical URLs) behaves as a set of them."""

from __future__ import annotations

import random

from newscrawler.seen import SeenSet


def test_membership_and_count_match_a_set() -> None:
    rng = random.Random(5)
    urls = [f"https://www.gdzjdaily.com.cn/p/{rng.randint(1, 30_000)}.html" for _ in range(20_000)]
    seen, reference = SeenSet(), set()
    for url in urls:
        assert seen.add(url) == (url not in reference)
        reference.add(url)
    assert len(seen) == len(reference)
    assert all(url in seen for url in reference)
    others = {f"https://www.gdzjdaily.com.cn/p/{n}.html" for n in range(30_001, 31_000)}
    assert not any(url in seen for url in others)


def test_made_from_strings_and_odd_ones() -> None:
    seen = SeenSet(["https://a/1", "https://a/1", "", "新聞", "\udc80", "https://a/1\x00"])
    assert len(seen) == 5
    assert all(text in seen for text in ("https://a/1", "", "新聞", "\udc80", "https://a/1\x00"))
    assert "https://a/2" not in seen and b"https://a/1" not in seen and None not in seen
    assert not seen.add("新聞") and seen.add("https://a/2") and len(seen) == 6
