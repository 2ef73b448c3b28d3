"""Non-text lines (prompts, 原标题 notes, legal lines) in both scripts, and prose that stays."""

from __future__ import annotations

import pytest

from newscrawler.extract import extract
from newscrawler.extract.noise import is_noise_line


@pytest.mark.parametrize(
    "line",
    [
        "（原标题：跨海高铁隧道贯通 两岸半小时通达）",
        "扫描下方二维码，关注“青山发布”微信公众号",
        "掃描下方二維碼，關注“湛江發布”微信公眾號",
        "扫码关注我们",
        "下载湛江云媒客户端，阅读更多本地新闻",
        "版权所有 © 青山县新闻网　未经授权禁止转载",
        "版權所有 未經授權不得轉載",
        "免责声明：本网转载内容仅供参考，不构成投资建议。",
        "本文仅代表作者个人观点。",
        "点个在看",
        "20190926|国贸|增长率",
    ],
)
def test_noise_lines(line: str) -> None:
    assert is_noise_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "活动现场，主办方还发布了徐闻菠萝品牌标准和产地溯源平台，消费者扫码即可查看果园、采摘和运输信息。",
        "我们正在看这批样品的检测结果。",
        "据统计，丰收节首日现场交易额达86万元，签订意向订单21份。",
    ],
)
def test_prose_is_not_noise(line: str) -> None:
    assert not is_noise_line(line)


def test_noise_lines_leave_every_portals_paragraphs() -> None:
    # Normalisation drops them whichever layout read the body, here a profiled portal's.
    html = (
        "<html><head><title>t</title></head><body><div class='article'><h1 class='article-title'>雷州举办菠萝节</h1>"
        "<div id='content'><p>雷州菠萝节昨日开幕，吸引了大批游客前来品尝和采购。</p>"
        "<p>掃描下方二維碼，關注“湛江發布”微信公眾號</p></div></div></body></html>"
    )
    record = extract("https://www.gdzjdaily.com.cn/p/1.html", html.encode(), {}, None, "zjdaily")
    assert record["paragraphs"] == ["雷州菠萝节昨日开幕，吸引了大批游客前来品尝和采购。"]
