"""Deterministic Chinese names, phone numbers and place names for demo data.

Every function draws only from the ``random.Random`` it is given, so one seed always yields the same
street. The pools lean towards southern Zhejiang (叶, 季, 柳, 蓝, 雷 are common family names around
Yunhe; 垟, 坑, 岙, 坞 are typical of its hamlet names).
"""

import random

# Family names, roughly by frequency, with the local ones repeated so they come up more often.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜钟谭陆汪范金石廖夏方邹孟熊邱江尹薛段雷侯毛郝邵钱严武戴项"
    "叶叶叶季季柳柳蓝蓝雷雷练梅吴陈陈王王李刘周徐潘潘"
)
MALE_GIVEN = "伟强磊军勇杰涛斌超明辉刚健鹏飞华平建国东林峰志宇浩俊波海庚良忠春晨锋文兵荣新庆德成"
FEMALE_GIVEN = "芳娟敏静丽艳燕霞玲婷雪梅琴慧红英兰萍洁颖琳倩佳月秀凤云莉娜晶雅欣怡琪丹瑶"

# Valid mainland mobile prefixes (China Mobile, Unicom, Telecom), so every number matches 1[3-9]\d{9}.
PHONE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 147 150 151 152 153 155 156 157 158 159 "
    "166 172 173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 191 198 199"
).split()

# Urban street names of a county town.
ROADS = (
    "解放街 中山街 人民路 新华路 城东路 城西路 环城北路 环城东路 仙宫路 滨江路 凤凰路 云丰路 "
    "瓯江路 浮云溪路 府前路 文昌路 青云路 东门街 健康路 育才路 朝阳路 沿溪路 紫金路 龙泉路"
).split()

HAMLET_HEADS = "上下大小前后东西新老石黄白高长龙杨梅竹桐坑岭"
HAMLET_TAILS = "垟坑岭坪源口头湾山岙寮坞畈溪岗"

CHINESE_DIGITS = "零一二三四五六七八九"


def person_name(rng: random.Random, *, surname: str | None = None) -> str:
    """A full name: family name plus one or two given characters (two thirds have two)."""
    pool = MALE_GIVEN if rng.random() < 0.5 else FEMALE_GIVEN
    given = rng.choice(pool)
    if rng.random() < 0.67:
        given += rng.choice(pool)
    return (surname or rng.choice(SURNAMES)) + given


class PhoneBook:
    """Hands out unique, valid-looking mainland mobile numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def number(self) -> str:
        while True:
            phone = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if phone not in self.used:
                self.used.add(phone)
                return phone


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals: 3 → 三, 10 → 十, 17 → 十七, 42 → 四十二."""
    if not 0 < n < 100:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CHINESE_DIGITS[tens] + "十")
    return head + (CHINESE_DIGITS[ones] if ones else "")


def hamlet_names(rng: random.Random, count: int, *, taken: set[str]) -> list[str]:
    """``count`` distinct natural-village names like 下垟, 石坑, 龙岙, none already in ``taken``."""
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(HAMLET_HEADS) + rng.choice(HAMLET_TAILS)
        if name[0] != name[1] and name not in taken:
            taken.add(name)
            names.append(name)
    return names


def flat_address(rng: random.Random, *, road: str, lane: int) -> str:
    """A flat in a lane off ``road``: 人民路12弄3幢2单元501室."""
    floor = rng.randint(1, 6)
    return f"{road}{lane}弄{rng.randint(1, 12)}幢{rng.randint(1, 3)}单元{floor}0{rng.randint(1, 2)}室"


def village_address(rng: random.Random, *, village: str, hamlet: str) -> str:
    """A house in a hamlet of a village: 白岩村下垟18号."""
    return f"{village}{hamlet}{rng.randint(1, 120)}号"
