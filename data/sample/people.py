"""The people of the sample's register: each household's members (generated names, synthetic ID
numbers, ages and the facts that decide services) and the cadres who help them.

Everything here is invented and marked so: the names are drawn from common surnames and given
names, ID numbers begin with 99 (no province has that code) and phone numbers with 10 (no
mobile network's prefix), so none can be a real person's.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from analysis.register import LIVELIHOOD_GUARANTEE

SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许沈曾彭吕苏卢蒋"
            "蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟"
            "龙万段雷钱汤尹易常武乔贺赖龚文屈党柯")
GIVEN = ("建国军华明伟强平刚勇杰涛斌超波辉鹏磊峰亮红英兰芳霞玲娟秀珍丽敏静燕梅莉娥桂凤琴"
         "春生林海山宝成发福全兴旺德俊文武忠义东西南北秋冬雪云")
UNITS = ("县委办", "县政府办", "县发改局", "县财政局", "县教育局", "县卫计局", "县民政局",
         "县农业局", "县林业局", "县水务局", "县交通局", "县住建局", "县人社局", "县扶贫局",
         "县供电分公司", "县农商银行", "镇政府")
MEMBER_SHARE = {"disabled": 0.06, "subsistence_livelihood": 0.7, "subsistence_industry": 0.04,
                "parents_away": 0.3}
HOUSEHOLDS_PER_CADRE = 5
TODAY = 2017  # the sample's present (periods.QUARTERS ends in 2017Q2)


@dataclass(frozen=True)
class MemberRecord:
    household: int  # index into the register
    name: str
    id_number: str
    relation: str
    sex: str  # "M" or "F"
    birth_year: int
    lives_alone: bool
    left_behind_child: bool
    disabled: bool
    subsistence: bool
    in_school: bool


@dataclass(frozen=True)
class CadreRecord:
    name: str
    unit: str
    phone: str


def members_of(register, county_code, rng):
    """The members of each household of `register` (periods.SampleRegister), heads first."""
    out = []
    for h, (size, category) in enumerate(zip(register.members, register.category)):
        surname = SURNAMES[rng.integers(len(SURNAMES))]
        away = rng.random() < MEMBER_SHARE["parents_away"]
        subsistence = MEMBER_SHARE["subsistence_livelihood" if category == LIVELIHOOD_GUARANTEE
                                   else "subsistence_industry"]
        if size == 1:  # often an old person on their own
            people = [("户主", int(rng.integers(1935, 1958)) if rng.random() < 0.8
                       else int(rng.integers(1958, 1990)))]
        else:
            head = int(rng.integers(1945, 1985))
            people = [("户主", head), ("配偶", head + int(rng.integers(-3, 4)))]
            for _ in range(size - 2):
                if rng.random() < 0.2 and head > 1960:
                    people.append(("父母", head - int(rng.integers(22, 32))))
                else:
                    people.append(("子女", min(head + int(rng.integers(20, 36)), 2016)))
        for i, (relation, born) in enumerate(people):
            sex = ("M" if rng.random() < 0.8 else "F") if i == 0 else (
                "F" if relation == "配偶" else ("M" if rng.random() < 0.5 else "F"))
            age = TODAY - born
            out.append(MemberRecord(
                h, surname + _given(rng) if relation != "配偶" else
                SURNAMES[rng.integers(len(SURNAMES))] + _given(rng),
                synthetic_id_number(county_code, born, h * 10 + i), relation, sex, born,
                lives_alone=size == 1 and age >= 60,
                left_behind_child=away and age < 16 and relation == "子女",
                disabled=bool(rng.random() < MEMBER_SHARE["disabled"]),
                subsistence=bool(rng.random() < subsistence),
                in_school=6 <= age <= 18))
    return out


def cadres_for(household_count, rng):
    """Cadres enough to help `household_count` households, and the cadre of each household."""
    count = max(1, household_count // HOUSEHOLDS_PER_CADRE)
    cadres = [CadreRecord(SURNAMES[rng.integers(len(SURNAMES))] + _given(rng),
                          UNITS[rng.integers(len(UNITS))], f"10{i:09d}") for i in range(count)]
    return cadres, rng.integers(0, count, household_count)


def _given(rng):
    return "".join(GIVEN[i] for i in rng.integers(0, len(GIVEN), rng.integers(1, 3)))


def synthetic_id_number(county_code, birth_year, serial):
    """An 18-digit resident ID number, check digit included (GB 11643), in the province code 99
    that no province has: 99 + the county's last four digits, a birth date in `birth_year` and
    a 3-digit serial, both from `serial` (distinct serials below 365,000 give distinct
    numbers)."""
    born = date(birth_year, 1, 1) + timedelta(days=serial // 1000 % 365)
    body = f"99{county_code[2:6]}{born:%Y%m%d}{serial % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    return body + check
