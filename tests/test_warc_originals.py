"""The WARC writer's compact revisit index gives back the entries it was given."""

from __future__ import annotations

from pathlib import Path

from newscrawler.portals import canonical_url
from newscrawler.warc.index import REVISIT_MIME, Entry, surt
from newscrawler.warc.originals import RevisitIndex


def entry(url: str, digest: str, timestamp: str = "20260301000000", offset: int = 100,
          filename: str = "a.warc.gz", mime: str = "text/html", directory: Path = Path("/w")) -> Entry:
    key = surt(url.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    return Entry(key=key, timestamp=timestamp, url=url, mime=mime, status="200", digest=digest,
                 length=1234, offset=offset, filename=filename, path=directory / filename)


def test_an_entry_comes_back_equal_for_its_url_and_digest() -> None:
    index = RevisitIndex(lambda url: url)
    first = entry("https://www.x.cn/p/1.html", "AAAA")
    other = entry("https://www.x.cn/p/2.html", "BBBB", offset=900, filename="b.warc.gz")
    index.remember(first)
    index.remember(other)
    assert index.get("https://www.x.cn/p/1.html", "AAAA") == first
    assert index.get("https://www.x.cn/p/2.html", "BBBB") == other
    assert index.get("https://www.x.cn/p/1.html", "BBBB") is None
    assert index.get("https://www.x.cn/p/3.html", "AAAA") is None
    assert len(index) == 2


def test_the_latest_response_wins_and_revisits_are_not_kept() -> None:
    index = RevisitIndex(lambda url: url)
    url = "https://www.x.cn/p/1.html"
    early, late = entry(url, "AAAA", "20260301000000"), entry(url, "AAAA", "20260302000000", 50)
    index.remember(late)
    index.remember(early)  # an older capture (an earlier CDXJ read later) does not replace it
    assert index.get(url, "AAAA") == late
    same_second = entry(url, "AAAA", "20260302000000", 60)  # file order breaks the tie
    index.remember(same_second)
    assert index.get(url, "AAAA") == same_second
    index.remember(entry(url, "AAAA", "20260303000000", 70, mime=REVISIT_MIME))
    assert index.get(url, "AAAA") == same_second


def test_twins_share_an_entry_under_the_canonical_url() -> None:
    index = RevisitIndex(canonical_url)
    mobile = entry("https://m.gdzjdaily.com.cn/p/1.html", "AAAA")
    index.remember(mobile)
    found = index.get("https://www.gdzjdaily.com.cn/p/1.html", "AAAA")
    assert found == mobile and found is not None and found.url == mobile.url


def test_entries_with_unusual_text_come_back_whole() -> None:
    index = RevisitIndex(lambda url: url)
    odd = entry("https://www.x.cn/p/\x00.html", "AAAA")
    wide = entry("https://www.x.cn/p/新聞\udc80.html", "BBBB", filename="新.warc.gz")
    for kept in (odd, wide):
        index.remember(kept)
        assert index.get(kept.url, kept.digest) == kept
