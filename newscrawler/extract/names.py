"""Whether a word looks like a Chinese personal name, for credits that carry no role label.

A labelled credit (``记者 张三``) says by its label that a person follows. Unlabelled places
where a name may stand (an author slot in the markup, a commentary headline ``张三：…``) also
hold account names, outlets and buttons, so there a word counts as a person only when it has
the shape of one: two or three Han characters opening with a common surname (the ~200 most
frequent cover well over nine in ten people), or a compound surname and one or two more.
"""

from __future__ import annotations

import re

from .normalize import HAN

# The most frequent single-character surnames, in both scripts where they differ.
_SURNAMES = frozenset(
    "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何林高罗羅郑鄭梁谢謝宋唐许許韩韓冯馮"
    "邓鄧曹彭曾肖萧蕭田董袁潘于蒋蔣蔡余杜叶葉程苏蘇魏吕呂丁任沈姚卢盧姜崔钟鍾谭譚陆陸汪范"
    "金石廖贾賈夏韦韋付傅方白邹鄒孟熊秦邱江尹薛闫閆段雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵万萬"
    "钱錢严嚴覃武戴莫孔向汤湯常温溫康施文牛樊葛邢安齐齊易乔喬伍庞龐颜顏倪庄莊聂聶章鲁魯岳"
    "翟殷詹申欧歐耿关關兰蘭焦俞左柳甘祝包宁寧尚符舒阮柯纪紀梅童凌毕畢单單季裴霍涂塗成苗谷"
    "盛曲翁冉骆駱蓝藍路游辛靳管柴蒙鲍鮑华華喻祁蒲房滕屈饶饒解牟艾尤阳陽时時穆农農司卓古吉"
    "缪繆简簡车車项項连連芦蘆麦麥褚娄婁窦竇戚岑景党宫宮费費卜冷晏席卫衛米柏宗瞿桂全佟应應"
    "臧闵閔苟邬鄔边邊卞姬师師和仇栾欒隋商刁沙荣榮巫寇桑郎甄丛叢仲虞敖巩鞏明佘池查麻苑迟遲"
    "邝鄺官封谈談匡鞠惠荆荊乐樂冀郁胥南班储儲原栗燕楚鄢劳勞谌諶奚皮粟冼蔺藺楼樓盘盤满滿闻聞"
    "位厉厲伊仝区區郜海阚闞花权權强強帅帥屠豆朴盖蓋练練廉禹井祖漆巴丰"
)
_COMPOUND_SURNAMES = (
    "欧阳", "歐陽", "司马", "司馬", "上官", "诸葛", "諸葛", "东方", "東方", "皇甫", "令狐", "慕容",
    "司徒", "夏侯", "宇文", "尉迟", "尉遲", "长孙", "長孫", "公孙", "公孫", "端木", "独孤", "獨孤",
)
_HAN_WORD = re.compile(rf"^[{HAN}]+$")
# Words with a surname's first character that label buttons and fields, not people.
_NOT_PEOPLE = frozenset({
    "关注", "關注", "分享", "收藏", "举报", "舉報", "更多", "订阅", "訂閱", "作者", "来源", "來源",
    "编辑", "編輯", "记者", "記者", "时间", "時間", "文章", "主页", "主頁", "简介", "簡介",
    # What closes a text in brackets: （全文）, （全文完）.
    "全文", "全文完",
})


def looks_like_person(word: str) -> bool:
    """True for a word shaped like a Chinese personal name: 张三, 王小明, 欧阳修远."""
    if not _HAN_WORD.match(word) or word in _NOT_PEOPLE:
        return False
    if word[:2] in _COMPOUND_SURNAMES:
        return 3 <= len(word) <= 4
    return 2 <= len(word) <= 3 and word[0] in _SURNAMES
