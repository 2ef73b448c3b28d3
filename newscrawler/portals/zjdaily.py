"""湛江云媒 (gdzjdaily.com.cn), the news site of the 湛江日报 group, Zhanjiang, Guangdong.

Article pages are ``/p/<id>.html`` on ``www.`` and on the mobile twin ``m.``, which serve the same
article. Channels are folders with paginated listings (``/zjxw/``, ``/zjxw/index_2.html``). The
markup is reconstructed from captured pages (see the fixtures in ``fixtures/zjdaily``): when the
live site differs, correct the selectors here and check them with ``newscrawler check zjdaily``.
"""

from __future__ import annotations

import re

from . import register
from .base import Layout, Portal


class ZjdailyV1(Layout):
    """The article template in use since 2021: headline, meta line, body, editor line, sidebars."""

    version = "1"
    headline = "div.article h1.article-title"
    info_line = "div.article div.article-info"
    time = "div.article-info span.time"
    # Body paragraphs at any depth (editors paste <div><p>…</p></div>), minus image blocks.
    paragraphs = "#content p:not(.pic):not(.pic-desc)"
    credit_lines = "div.article div.article-editor"
    images = "#content img"
    image_caption_xpath = (
        "ancestor::p[1]/following-sibling::p[1][contains(concat(' ', @class, ' '), ' pic-desc ')]"
        " | ancestor::figure[1]/figcaption"
    )
    ranking_box = "div.hot-rank"
    ranking_title = "div.side-title h3"
    ranking_tabs = "ul.rank-tabs li:not(.blank)"
    ranking_lists = "ol.rank-list"
    ranking_rank = "em"
    related_box = "div.pic-list"
    related_title = "div.side-title h3"
    related_item_title = "span"
    comments = "#comment div.comment-count"


@register
class Zjdaily(Portal):
    name = "zjdaily"
    title = "湛江云媒"
    hosts = ("www.gdzjdaily.com.cn", "m.gdzjdaily.com.cn", "gdzjdaily.com.cn")
    canonical_host = "www.gdzjdaily.com.cn"
    timezone = "Asia/Shanghai"
    start_urls = (
        "https://www.gdzjdaily.com.cn/",
        "https://www.gdzjdaily.com.cn/zjxw/",
        "https://www.gdzjdaily.com.cn/xsq/",
    )
    article_path = re.compile(r"^/p/(?P<id>\d+)\.html$")
    # The home page and the news channels (湛江新闻, 县市区, 湛图片, 推广) with their paginated
    # listings; other folders (/about/, /user/) are not listings.
    channels = ("zjxw", "xsq", "tp", "tg")
    listing_path = re.compile(
        rf"^/(?:index\.html)?$|^/(?:{'|'.join(channels)})/(?:index(?:_\d+)?\.html)?$"
    )
    listing_item = "ul.news-list li"
    listing_item_date = "span.date"
    layouts = (ZjdailyV1,)
