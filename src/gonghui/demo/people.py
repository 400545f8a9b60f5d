"""Made-up people for demo and benchmark data: Chinese names, birth dates, valid ID numbers
(GB 11643 check character), mobile numbers. Everything comes from one ``random.Random`` so
the same seed gives the same people."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from gonghui.core.rules import id_check_char

# Common surnames, roughly by frequency (the first ones appear more often).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤温赖"
)
SURNAME_WEIGHTS = [max(1.0, 12.0 - i * 0.25) for i in range(len(SURNAMES))]
MALE_CHARS = "伟强磊军洋勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林阳建国志文博海峰春晨东亮"
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀英华慧巧美玲婷雪琳晶燕红梅莉兰凤洁琴云颖倩璐瑶佳欣怡萍丹琼玉"

# Residents of the (fictional) 青山县 carry local region codes; migrant workers come from
# other provinces.
LOCAL_REGIONS = ("360730", "360731", "360732", "360733", "360734")
OTHER_REGIONS = ("412722", "511623", "430524", "522126", "341221", "360321")
ETHNICITIES = ("汉族",) * 40 + ("畲族", "回族", "苗族", "土家族")
PHONE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "177",
    "180",
    "181",
    "186",
    "187",
    "188",
    "189",
    "191",
    "199",
]


def years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


class IdNumbers:
    """Hands out distinct resident ID numbers: the order code (digits 15–17) counts up per
    region, birth date and gender; its last digit is odd for men (GB 11643)."""

    def __init__(self) -> None:
        self._used: dict[str, int] = {}

    def make(self, region: str, birth: date, gender: str) -> str:
        stem = f"{region}{birth:%Y%m%d}"
        key = stem + gender
        n = self._used.get(key, 0)
        if n >= 500:
            raise ValueError(f"no order codes left for {key}")
        self._used[key] = n + 1
        start = (birth.toordinal() * 37) % 500  # spread the codes, still deterministic
        code = 2 * ((start + n) % 500) + (1 if gender == "M" else 0)
        first17 = f"{stem}{code:03d}"
        return first17 + id_check_char(first17)


class Folk:
    """Generates person data (the ``person`` dict the member services take)."""

    def __init__(self, rng: random.Random, ids: IdNumbers | None = None) -> None:
        self.rng = rng
        self.ids = ids or IdNumbers()

    def name(self, gender: str) -> str:
        rng = self.rng
        surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
        chars = MALE_CHARS if gender == "M" else FEMALE_CHARS
        given = rng.choice(chars)
        if rng.random() < 0.65:
            given += rng.choice(chars)
        return surname + given

    def birth_date(self, today: date, age_min: int, age_max: int) -> date:
        """A birth date of someone aged age_min..age_max (inclusive) on ``today``."""
        latest = years_before(today, age_min)
        earliest = years_before(today, age_max + 1) + timedelta(days=1)
        return earliest + timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def person(
        self,
        today: date,
        *,
        gender: str | None = None,
        women_share: float = 0.5,
        age: tuple[int, int] = (23, 58),
        migrant: bool = False,
        name: str = "",
        education: tuple[str, ...] = ("本科", "本科", "大专", "硕士研究生"),
    ) -> dict[str, Any]:
        rng = self.rng
        gender = gender or ("F" if rng.random() < women_share else "M")
        birth = self.birth_date(today, *age)
        region = rng.choice(OTHER_REGIONS if migrant else LOCAL_REGIONS)
        return {
            "name": name or self.name(gender),
            "gender": gender,
            "birth_date": birth,
            "id_number": self.ids.make(region, birth, gender),
            "phone": self.phone(),
            "ethnicity": rng.choice(ETHNICITIES),
            "political_status": rng.choices(
                ("中共党员", "群众", "共青团员", "民盟盟员"), weights=(35, 50, 12, 3)
            )[0],
            "education": rng.choice(education),
        }
