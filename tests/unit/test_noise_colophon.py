"""A site's colophon is noise: who runs the site, its address and its licences, each a label with
its value (``fixtures/generic/www.ll-xikou-county.example/`` shows it under a one-paragraph
notice, where its long, colon-rich lines outweighed the notice). Prose naming the same things
stays."""

from __future__ import annotations

import pytest

from newscrawler.extract.noise import is_noise_line


@pytest.mark.parametrize("line", [
    "主办：溪口县人民政府办公室 承办：溪口县大数据中心 地址：溪口县府前路8号 邮编：000000",
    "主办单位：青山日报社　联系电话：0000-0000000　传真：0000-0000001",
    "主辦：青山日報社 地址：青山市中山路1號",
    "互联网新闻信息服务许可证：00000000000 网络文化经营许可证：0000000",
    "网站标识码：0000000000 违法和不良信息举报电话：0000-0000002",
    "違法和不良信息舉報郵箱：jubao@qingshan.example",
    "溪公网安备 00000000000000号",
])
def test_colophon_lines_are_noise(line: str) -> None:
    assert is_noise_line(line)


@pytest.mark.parametrize("line", [
    "国家网信办近日发布《互联网新闻信息服务许可管理实施细则》，对许可条件作出规定。",
    "本次活动由县文联主办，县图书馆承办，地址设在县图书馆一楼。",
    "主办：县文联",
    "市民可拨打违法和不良信息举报电话反映问题，有关部门将及时核查处理。",
    "申请人取得许可证后，应在三十日内向县市场监管局备案。",
])
def test_prose_about_the_same_things_stays(line: str) -> None:
    assert not is_noise_line(line)
