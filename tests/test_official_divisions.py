"""The sample county on the official divisions: the codes of its towns and committees are those
of the National Bureau of Statistics (统计用区划代码 2023, in ../shared/data/real, which CI has),
each committee of its kind and named as people say it; and a village whose name repeats in the
county is shown with its town."""
import csv
from pathlib import Path

from access.runs import CoverageOptions, run_coverage
from assessment.runs import run_assessment
from layers.models import Town, Village
from layers.naming import village_label

from .conftest import log_in

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
LUONAN = "611021"
# The names that repeat among Luonan's committees, with the towns of each (counted in
# ../shared/data/real/shaanxi_villages_stats2023.csv): 13 committees in all.
NAMESAKES = {"王村": ("古城镇", "石坡镇", "永丰镇"), "王塬村": ("城关街道", "柏峪寺镇"),
             "腰庄村": ("城关街道", "洛源镇"), "杨村": ("三要镇", "永丰镇"),
             "五龙村": ("灵口镇", "洛源镇"), "杨河村": ("石门镇", "高耀镇")}


def official(name):
    """The rows of Luonan in one of the statistics bureau's files."""
    with (SHARED / name).open(encoding="utf-8", newline="") as source:
        return [row for row in csv.DictReader(source) if row["areaCode"] == LUONAN]


def labels():
    return dict(Village.objects.annotate(label=village_label()).values_list("code", "label"))


def test_the_towns_and_committees_have_the_official_codes(sample):
    towns = {r["code"]: r["name"] for r in official("shaanxi_towns_stats2023.csv")}
    committees = official("shaanxi_villages_stats2023.csv")
    # ../shared/data/real/README.md: 16 towns and subdistricts, 247 village-level committees.
    assert len(towns) == 16 and len(committees) == 247
    assert dict(Town.objects.values_list("code", "name")) == towns
    assert set(Village.objects.values_list("code", "town__code")) == {
        (r["code"], r["streetCode"]) for r in committees}


def test_each_committee_is_of_its_kind(sample):
    # The bureau's convention (../shared/data/real/README.md): the last three digits 001-199 are
    # a residents' committee (社区), 200-399 a villagers' committee (村委会); Luonan has 43 and 204.
    kinds = dict(Village.objects.values_list("code", "kind"))
    assert all((kind == "community") == (int(code[-3:]) < 200) for code, kind in kinds.items())
    assert sorted(kinds.values()).count("community") == 43
    assert sorted(kinds.values()).count("village") == 204


def test_committees_are_named_as_people_say_them(sample):
    names = dict(Village.objects.values_list("code", "name"))
    # One of each form of the bureau's names.
    assert names["611021001213"] == "王塬村"  # 王塬村委会
    assert names["611021101238"] == "光明村"  # 光明村村委会
    assert names["611021001001"] == "西街社区"  # 西街社区居委会
    assert names["611021002001"] == "柳林社区"  # 柳林社区居民委员会
    assert names["611021001013"] == "八里社区"  # 八里社区
    for row in official("shaanxi_villages_stats2023.csv"):
        name = names[row["code"]]
        word = "社区" if int(row["code"][-3:]) < 200 else "村"
        # The bureau's name begins with what people say, less its last word: 陶村委会 is 陶村.
        assert name.endswith(word) and row["name"].startswith(name.removesuffix(word)), row


def test_a_name_that_repeats_in_the_county_is_shown_with_its_town(sample):
    shown = labels()
    towns = dict(Village.objects.values_list("code", "town__name"))
    names = dict(Village.objects.values_list("code", "name"))
    for code, label in shown.items():
        if names[code] in NAMESAKES:
            assert label == f"{names[code]}（{towns[code]}）"
            assert towns[code] in NAMESAKES[names[code]]
        else:
            assert label == names[code]
    assert sum(label != names[code] for code, label in shown.items()) == 13
    assert shown["611021102202"] == "王村（古城镇）" and shown["611021108208"] == "王村（石坡镇）"
    # A name that comes to repeat is told apart at once: 东街社区 renamed 西街社区.
    Village.objects.filter(code="611021001002").update(name="西街社区")
    assert labels()["611021001001"] == "西街社区（城关街道）"


def test_pages_and_results_show_the_label(sample, client):
    # The map's villages: 永丰镇's 王村 by its label, its name kept as it is.
    log_in(client, "official")
    [feature] = client.get("/api/layers/villages/", {"q": "611021114214"}).json()["features"]
    assert (feature["properties"]["name"], feature["properties"]["label"]) == ("王村", "王村（永丰镇）")
    # The assessment page's table of every village, and the coverage results.
    page = client.get("/assessment/").content.decode()
    assert "王村（古城镇） <small>611021102202</small>" in page
    assert "腰庄村（洛源镇） <small>611021111209</small>" in page
    assert {r["name"] for r in run_assessment().rows()} >= {"王村（石坡镇）", "王塬村（柏峪寺镇）"}
    coverage = {r["code"]: r["name"] for r in run_coverage(CoverageOptions("relief")).rows()}
    assert (coverage["611021103202"], coverage["611021001003"]) == ("杨村（三要镇）", "柏槐社区")
