"""The signs of removal a page fetched again for an archived article can show."""

from __future__ import annotations

import pytest

from newscrawler.portals import get
from newscrawler.removals import page_says_removed, removal_sign

ZJDAILY = get("zjdaily")
ARTICLE = "https://www.gdzjdaily.com.cn/p/3600001.html"
ERROR = "<html><body><p>对不起,您访问的页面不存在</p></body></html>".encode()


def sign(status: int = 200, url: str = ARTICLE, redirected: bool = False, record: dict | None = None,
         body: bytes = ERROR, profile: type = ZJDAILY) -> str | None:
    return removal_sign(status=status, url=url, requested=ARTICLE, redirected=redirected, record=record,
                        body=body, content_type="text/html; charset=utf-8", profile=profile)


@pytest.mark.parametrize(("text", "says"), [
    ("该内容已被删除", True), ("該內容已被刪除", True), ("文章已下线", True), ("Error 404", True),
    ("404 Not Found", True), ("文章编号 34045", False), ("电话 0759-404-1234", True),
    ("IP 10.404.1.2", False), ("徐闻推进文明城市创建", False),
])
def test_page_says_removed(text: str, says: bool) -> None:
    assert page_says_removed(text) is says


def test_http_gone() -> None:
    assert sign(404) == "http_404" and sign(410) == "http_410"


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429, 403])
def test_other_errors_are_no_sign(status: int) -> None:
    assert sign(status) is None


def test_redirects_to_home_or_channel() -> None:
    assert sign(url="https://www.gdzjdaily.com.cn/", redirected=True) == "redirect_home"
    assert sign(url="https://www.gdzjdaily.com.cn/zjxw/", redirected=True, body=b"<p>list</p>") == "redirect_channel"
    # The same article on its twin host, or another article: moved, not removed.
    assert sign(url="https://m.gdzjdaily.com.cn/p/3600001.html", redirected=True, body=b"<p>x</p>") is None
    assert sign(url="https://www.gdzjdaily.com.cn/p/3600009.html", redirected=True, body=b"<p>x</p>") is None


def test_soft_404_needs_no_article_and_words_or_the_portals_template() -> None:
    assert sign() == "soft_404"
    assert sign(record={"paragraphs": ["对不起,您访问的页面不存在"]}) == "soft_404"
    assert sign(record={"paragraphs": ["页面不存在" * 50]}) is None  # an article of some length
    assert sign(body="<html><body><p>暂无内容</p></body></html>".encode()) is None

    class Templated(ZJDAILY):  # type: ignore[misc, valid-type]
        error_page_selectors = ("div.error-box",)

    page = b'<html><body><div class="error-box"><img src="x.png"></div></body></html>'
    assert sign(body=page, profile=Templated) == "soft_404"
    assert sign(body=page) is None
