"""Non-text lines (prompts, 原标题 notes, legal lines) in both scripts, and prose that stays."""

from __future__ import annotations

import pytest

from newscrawler.extract import extract
from newscrawler.extract.noise import (
    is_noise_line,
    photo_counter,
    strip_autoplay,
    strip_back_link,
    strip_photo_counter,
)


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
        # Boilerplate printed at length: a platform's disclaimer, comment-board rules, a
        # browser-support banner, a licence footer.
        "以上内容（包括图片及视频）为平台用户上传并发布，本平台仅提供信息存储服务。",
        "1. 请遵守中华人民共和国有关法律法规，文明上网，理性发言，不得发布含有攻击、侮辱、诽谤他人内容的言论，"
        "一切因您的行为而直接或间接引起的法律责任由您自行承担。",
        "温馨提示：您的浏览器版本过低，为了获得更好的浏览体验，建议您使用Chrome、Firefox、Edge等浏览器的最新版本，"
        "或将浏览器切换到极速模式访问本站。",
        "本网站所刊登的各种新闻、信息和各种专题专栏资料，均为本网版权所有，未经协议授权，禁止下载使用。"
        "凡转载本网稿件，务请注明来源，不得篡改或歪曲原意。",
        # Widgets closing an article.
        "加载更多",
        "点击查看更多",
        "返回首页",
        "請繼續往下閱讀",
        "关键词：湿地公园 栈道 观鸟",
        "新闻热线：0791-86841234",
        # Follow, subscribe and report buttons beside an account's name.
        "关注",
        "+关注",
        "＋ 關注",
        "订阅",
        "举报",
        # A slideshow's label.
        "图集",
        "高清组图",
        # Closing marks, a like button, a keyword list after arrows.
        "- THE END -",
        "全文完",
        "+1",
        "关键词 >> 债市 基金",
        # A disclaimer set as its own paragraph, however long.
        "免责声明：本平台提供的内容均源自自媒体，版权归原作者所有，转载请联系原作者并获许可。文章观点仅代表作者本人，"
        "不代表本平台立场。若内容涉及投资建议，仅供参考，勿作为投资依据。投资有风险，入市需谨慎。",
        # Provenance and submission lines closing a repost.
        "本文首发于青山深呼吸公众号（qingshan39）",
        "发送邮件至news@qingshan.example申请加入青山政务号",
        # Desk lines standing alone.
        "（本报综合）",
        "（综合新华社、央视新闻）",
        "（据新华社）",
        "（中央社）",
        "（法新社、路透社）",
        "（新华社电）",
        # A slideshow's counter and a player's autoplay switch standing alone.
        "3/12",
        "（1/10）",
        "自动播放",
        "自動播放 開 關",
        # A wire story's closing mark in brackets, a player's clock and loading prompt, an
        # advert's label, bracketed buttons, paging, a topic page's link, an app prompt.
        "（完）",
        "【完】",
        "(全文完)",
        "00:00/02:15",
        "00:00 / 1:02:15",
        "视频加载中，请稍候...",
        "广告",
        "廣告",
        "ADVERTISEMENT",
        "【纠错】",
        "[我要糾錯]",
        "【打印本页】【关闭窗口】",
        "【字体：大 中 小】",
        "上一页 1 2 3 下一页",
        "1 2 3 4 下一頁 尾頁",
        "第1页 第2页",
        "共3页",
        "进入专题>>",
        "点击图片进入下一页",
        "展开剩余85%",
        "打开云帆新闻APP，阅读体验更佳",
        # Calls to follow the outlet on a social network or to subscribe to its newsletter.
        "港灣日報 Facebook 專頁：按讚追蹤我們，第一時間掌握最新消息",
        "本台有Instagram！若您是IG用户，欢迎搜寻本台账号加入我们，随时掌握最新动态。",
        "欢迎订阅我们的YouTube频道",
        "【訂閱港灣日報電子報】每日精選新聞直送你的郵箱，立即登記！",
        "订阅电子报",
        # An image's source, a call for tips, a closing mark between dashes, arrows.
        "图片来源：视觉中国",
        "图源：网络",
        "（本版图片均由受访者提供）",
        "新闻线索请拨打：0571-6512345",
        "爆料热线：6512345",
        "欢迎投稿",
        "- 完 -",
        "—— End ——",
        "▼",
        "↓↓↓",
        "更多内容请关注桐江发布",
        "原文链接：https://www.bd-tongjiang-daily.example/a/1.html",
        # Toolbars and counters: unbracketed button rows, a font-size switch, the links to the
        # stories before and after, a view counter.
        "打印本页 关闭窗口",
        "打印 | 关闭",
        "字号：大 中 小",
        "上一篇：医保经办服务指南",
        "下一篇：没有了",
        "浏览次数：1523",
        "阅读 1234",
        "阅读量：10万+",
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
        "警方表示，对散布谣言的人员将依法追究法律责任。",
        "市民如有疑问，可拨打12345政务服务便民热线咨询，工作人员将在两个工作日内答复，热线全天开通。",
        "返回首页后，他又点开了那条新闻。",
        "本文作者认为，湿地保护需要长期投入。",
        # …but a heading that opens with the same word stays.
        "关注民生",
        "举报有奖",
        "The end of the war came in 1945.",
        "（据了解，该项目总投资3亿元，预计明年建成投用，届时将新增就业岗位500个。）",
        "1/3的受访者表示满意",
        "自动播放功能默认开启",
        # Prose holding the same words, and a bracketed heading inside the text.
        "完",
        "广告业务收入同比增长三成",
        "打开APP后，用户可以直接查看附近的充电桩，并在线完成支付。",
        "第3页的内容显示，该公司去年营收增长。",
        "10:00至12:00",
        "【写在最后】",
        "纠错机制",
        "2024年3月共发放补贴5000元",
        # A network's name or a newsletter in a sentence of the text.
        "他在Facebook上宣布加入新政党，引发外界关注。",
        "LINE公司今年营收增长，加入该平台的商家超过十万家。",
        "欢迎社会各界关注和支持我们的工作。",
        "订阅电子报的读者人数增长三成。",
        "市民可拨打12345热线咨询。",
        "更多进展本报将持续关注。",
        "资料图显示，该桥建于1958年。",
        # A picture's label is its caption.
        "（资料图）",
        "图片由市民拍摄后上传至社交平台，引发网友热议。",
        "投稿作品共计1200件，评出一等奖10名。",
        "线索由群众提供，警方随即展开调查。",
        "上一篇文章中我们提到，该市去年经济增长百分之六。",
        "点击量激增的背后，是平台算法的调整。",
        "阅读2小时",
        # A reporter's name in brackets, a cooperative's name opening a sentence.
        "（张巨峰）",
        "（合作社）社员们都很高兴。",
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


# --- widget text glued to a paragraph ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spaced", "caption"),
    [
        ("1/10 游客在湿地栈道观鸟", None, "游客在湿地栈道观鸟"),
        ("1 / 10 游客在湿地栈道观鸟", None, "游客在湿地栈道观鸟"),
        ("(1/10)游客在湿地栈道观鸟", None, "游客在湿地栈道观鸟"),
        ("（3/12） 新建成的候船大厅", None, "新建成的候船大厅"),
        ("【2/5】大桥合龙现场", None, "大桥合龙现场"),
        ("10/10 6月12日，游客在码头候船", None, "6月12日，游客在码头候船"),
        # The counter in an element of its own, run into the caption in the text.
        ("4/4夜幕下的灯组", "4/4 夜幕下的灯组", "夜幕下的灯组"),
    ],
)
def test_photo_counter_leaves_the_caption(text: str, spaced: str | None, caption: str) -> None:
    assert strip_photo_counter(text, spaced) == caption


@pytest.mark.parametrize(
    "text",
    [
        "1/3的受访者表示满意",  # a fraction run into the text
        "1/10上午，市政府召开新闻发布会",  # a date run into the text
        "1/10 14:30 市政府发布最新通报",  # a live page's entry: a date before a clock
        "本届灯会展期为12/20至1/10，共22天",  # a date inside a sentence
        "11/10 游客在湿地栈道观鸟",  # past the total: no counter
        "2024/1/10 游客在湿地栈道观鸟",
        "1/10/2024 游客在湿地栈道观鸟",
        "(1/10 游客在湿地栈道观鸟",  # an open bracket that never closes
        "1/10",  # nothing after it: a line of its own, not glued
    ],
)
def test_photo_counter_leaves_prose(text: str) -> None:
    assert strip_photo_counter(text) == text


def test_photo_counter_reads_current_and_total() -> None:
    assert photo_counter("3 / 12 大桥合龙现场") == (3, 12)
    assert photo_counter("0/12 大桥合龙现场") is None


@pytest.mark.parametrize(
    ("text", "spaced", "paragraph"),
    [
        ("自动播放 记者从市交通运输局获悉，地铁五号线月底开通。", None, "记者从市交通运输局获悉，地铁五号线月底开通。"),
        ("自动播放 开 关 记者从市交通运输局获悉", None, "记者从市交通运输局获悉"),
        ("自動播放：ON 記者從市交通運輸局獲悉", None, "記者從市交通運輸局獲悉"),
        ("【自动播放】 记者从市交通运输局获悉", None, "记者从市交通运输局获悉"),
        ("自动播放开关记者从市交通运输局获悉", "自动播放 开 关 记者从市交通运输局获悉", "记者从市交通运输局获悉"),
        # The label, then a paragraph that happens to open on a switch word.
        ("自动播放 开启新一轮城市更新，是今年的重点工作。", None, "开启新一轮城市更新，是今年的重点工作。"),
    ],
)
def test_autoplay_label_leaves_the_paragraph(text: str, spaced: str | None, paragraph: str) -> None:
    assert strip_autoplay(text, spaced) == paragraph


@pytest.mark.parametrize(
    "text",
    [
        "自动播放功能默认开启，引发不少用户不满。",
        "自动播放开启后，用户可以在设置中关闭。",
        "站台电子屏的广告视频自动播放，音量过大。",
        "自动播放",
    ],
)
def test_autoplay_label_leaves_prose(text: str) -> None:
    assert strip_autoplay(text) == text


@pytest.mark.parametrize(
    ("text", "spaced", "paragraph"),
    [
        ("将带动周边消费。返回", None, "将带动周边消费。"),
        ("将带动周边消费。 返回首页", None, "将带动周边消费。"),
        ("将带动周边消费。[返回顶部]", None, "将带动周边消费。"),
        ("将带动周边消费。<<返回列表", None, "将带动周边消费。"),
        ("将带动周边消费。回到顶部↑", None, "将带动周边消费。"),
        ("将带动周边消费。返回顶部 返回列表", None, "将带动周边消费。"),
        ("将带动周边消费。返回某某网，查看更多", None, "将带动周边消费。"),
        ("（通讯员 李青）返回", None, "（通讯员 李青）"),
        # A link naming where it leads, set apart by its element only.
        ("记者 张三返回顶部", "记者 张三 返回顶部", "记者 张三"),
    ],
)
def test_back_link_leaves_the_paragraph(text: str, spaced: str | None, paragraph: str) -> None:
    assert strip_back_link(text, spaced) == paragraph


@pytest.mark.parametrize(
    "text",
    [
        "代表团一行于昨日乘机返回。",
        "考察结束后，代表团一行返回",
        "将带动周边消费 返回",  # a bare 返回 after a space: a verb, not a link
        "返回首页后，他又点开了那条新闻。",
        "返回首页",  # the link alone: a line of its own, not glued
    ],
)
def test_back_link_leaves_prose(text: str) -> None:
    assert strip_back_link(text) == text
