"""The towns and village-level committees of Shangluo's counties as the National Bureau of
Statistics lists them (统计用区划代码 2023, shangluo_divisions_2023.csv; its source and licence are
in data/README.md): their official codes, the names people use for them, and their kind."""
import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DIVISIONS = Path(__file__).with_name("shangluo_divisions_2023.csv")

# The forms the bureau's names take in the file, and what people say instead: 王塬村委会 is
# 王塬村, 光明村村委会 光明村, 韩峪川村村民委员会 韩峪川村, 西街社区居委会, 柳林社区居民委员会 and
# 王塬社区委会 西街社区, 柳林社区 and 王塬社区; 八里社区 and 西苑村 are said as they are written.
# Longest form first.
NAME_FORMS = (("社区居民委员会", "社区"), ("社区居委会", "社区"), ("社区委会", "社区"),
              ("社区居委", "社区"), ("村村民委员会", "村"), ("村民委员会", "村"), ("村村委会", "村"),
              ("村委会", "村"), ("社区", "社区"), ("村", "村"))
# By the bureau's convention a committee whose last three digits are 001-199 is a residents'
# committee (社区), 200-399 a villagers' committee (村).
FIRST_VILLAGE_NUMBER = 200
# Town-level units numbered from 400 are not townships but reservoirs, forest farms, industrial
# parks and colleges, whose "virtual" committees (虚拟生活区, 虚拟社区) hold no villagers: the
# sample leaves them out.
FIRST_VIRTUAL_TOWN_NUMBER = 400
# A residents' committee that may be poor: one where poor households were resettled.
RESETTLEMENT_WORDS = ("移民", "安置")


@dataclass(frozen=True)
class Committee:
    code: str  # 12 digits
    name: str  # as people say it
    town: str  # the 9-digit code of its town
    kind: str  # "village" (村委会) or "community" (社区, a residents' committee)

    @property
    def resettlement(self):
        """A community of resettled households (移民新区社区)."""
        return self.kind == "community" and any(word in self.name for word in RESETTLEMENT_WORDS)


def spoken_name(official):
    """The name people use for a committee listed as `official`: 王塬村委会 -> 王塬村."""
    for form, said in NAME_FORMS:
        if official.endswith(form):
            return official.removesuffix(form) + said
    raise ValueError(f"{official}: not one of the name forms of {DIVISIONS.name}")


def kind_of(code):
    return "community" if int(code[-3:]) < FIRST_VILLAGE_NUMBER else "village"


@cache
def official_divisions(county):
    """The towns ({9-digit code: name}) of the county with 6-digit code `county` and their
    committees (Committee, in code order)."""
    with DIVISIONS.open(encoding="utf-8", newline="") as source:
        rows = [r for r in csv.DictReader(source) if r["code"].startswith(county)
                and int(r["code"][6:9]) < FIRST_VIRTUAL_TOWN_NUMBER]
    towns = {r["code"]: r["name"] for r in rows if len(r["code"]) == 9}
    committees = tuple(Committee(r["code"], spoken_name(r["name"]), r["parent"], kind_of(r["code"]))
                       for r in sorted(rows, key=lambda r: r["code"]) if len(r["code"]) == 12)
    return towns, committees
