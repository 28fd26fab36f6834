"""Facts of the sample county, declared as data (see data/README.md for their sources).

Positions are lon/lat (CGCS2000). Town seats and river courses are plausible, not surveyed:
the real outline is the only real geometry in the sample.
"""
from dataclasses import dataclass

COUNTY_ADCODE = "611021"
COUNTY_NAME = "洛南县"
COUNTY_NAME_EN = "Luonan County"
STORAGE_SRID = 4546  # CGCS2000 / 3-degree Gauss-Kruger CM 111E
SEED = 611021

RURAL_POPULATION = 347_000
POOR_POPULATION = 86_000
POOR_HOUSEHOLDS = 27_000


@dataclass(frozen=True)
class TownSeat:
    code: str  # the 9-digit township code (shangluo_divisions_2023.csv)
    name: str
    name_en: str
    kind: str  # "subdistrict" or "town"
    lon: float
    lat: float


TOWNS = (
    TownSeat("611021001", "城关街道", "Chengguan", "subdistrict", 110.1406, 34.0886),
    TownSeat("611021002", "四皓街道", "Sihao", "subdistrict", 110.085, 34.055),
    TownSeat("611021101", "景村镇", "Jingcun", "town", 110.315, 34.128),
    TownSeat("611021102", "古城镇", "Gucheng", "town", 110.42, 34.118),
    TownSeat("611021103", "三要镇", "Sanyao", "town", 110.33, 34.245),
    TownSeat("611021104", "灵口镇", "Lingkou", "town", 110.595, 34.158),
    TownSeat("611021106", "寺耳镇", "Si'er", "town", 109.925, 34.207),
    TownSeat("611021107", "巡检镇", "Xunjian", "town", 110.25, 34.35),
    TownSeat("611021108", "石坡镇", "Shipo", "town", 110.07, 34.33),
    TownSeat("611021109", "石门镇", "Shimen", "town", 110.2, 33.985),
    TownSeat("611021110", "麻坪镇", "Maping", "town", 110.04, 34.005),
    TownSeat("611021111", "洛源镇", "Luoyuan", "town", 109.8, 34.228),
    TownSeat("611021112", "保安镇", "Bao'an", "town", 110.12, 34.2),
    TownSeat("611021114", "永丰镇", "Yongfeng", "town", 110.32, 34.02),
    TownSeat("611021117", "柏峪寺镇", "Baiyusi", "town", 110.5, 34.0),
    TownSeat("611021118", "高耀镇", "Gaoyao", "town", 109.995, 34.15),
)
COUNTY_SEAT_TOWN = "611021001"

PEAK = (109.826, 34.277)  # 草链岭, about 2,645 m
PEAK_ELEVATION = 2600.0


@dataclass(frozen=True)
class RiverCourse:
    name: str
    points: tuple  # lon/lat from source to mouth
    floor_m: tuple  # valley-floor elevation at each point (None: taken from the river it joins)
    half_width_m: float
    synthetic_name: bool = False


# The Luo crosses the county west to east; its floor elevations follow data/README.md
# (the seat near 950 m, the exit near 600 m). Tributaries end on the river they join.
LUO = RiverCourse(
    "洛河",
    ((109.745, 34.245), (109.8, 34.228), (109.86, 34.214), (109.925, 34.207), (109.995, 34.15),
     (110.06, 34.105), (110.1406, 34.0886), (110.22, 34.1), (110.315, 34.128), (110.42, 34.118),
     (110.51, 34.14), (110.595, 34.158), (110.68, 34.166)),
    (1700, 1380, 1270, 1190, 1100, 1020, 950, 880, 800, 740, 680, 625, 585),
    1100.0,
)
TRIBUTARIES = (
    RiverCourse("文峪河", ((110.115, 34.33), (110.12, 34.2), (110.135, 34.095)),
                (1500, 1080, None), 600.0),
    RiverCourse("麻坪河", ((110.0, 33.955), (110.04, 34.005), (110.085, 34.055), (110.1, 34.093)),
                (1350, 1090, 990, None), 600.0),
    RiverCourse("巡检河", ((110.25, 34.415), (110.25, 34.35), (110.33, 34.245), (110.33, 34.127)),
                (1500, 1180, 960, None), 650.0, synthetic_name=True),
    RiverCourse("石坡河", ((110.04, 34.41), (110.07, 34.33), (110.1, 34.255), (110.12, 34.205)),
                (1550, 1260, 1140, None), 500.0, synthetic_name=True),
    RiverCourse("石门河", ((110.21, 33.925), (110.2, 33.985), (110.21, 34.099)),
                (1250, 1050, None), 550.0, synthetic_name=True),
    RiverCourse("永丰河", ((110.31, 33.95), (110.32, 34.02), (110.35, 34.125)),
                (1150, 960, None), 600.0, synthetic_name=True),
    RiverCourse("柏峪寺河", ((110.56, 33.88), (110.5, 34.0), (110.47, 34.125)),
                (1100, 880, None), 650.0, synthetic_name=True),
)


@dataclass(frozen=True)
class RoadCourse:
    name: str
    road_class: str
    points: tuple  # lon/lat waypoints; the road follows least-cost paths between them


# Trunk roads named in data/README.md. Waypoints outside the outline are where a road leaves
# the county; the path between waypoints is found over the terrain.
TRUNK_ROADS = (
    RoadCourse("G242", "national", ((110.22, 34.43), (110.12, 34.2), (110.1406, 34.0886),
                                    (110.2, 33.985), (110.24, 33.905))),
    RoadCourse("S307", "provincial", ((109.745, 34.245), (109.925, 34.207), (110.1406, 34.0886),
                                      (110.42, 34.118), (110.595, 34.158), (110.68, 34.166))),
    RoadCourse("G344", "national", ((110.1406, 34.0886), (110.33, 34.245), (110.5, 34.39))),
    RoadCourse("景丹路", "provincial", ((110.315, 34.128), (110.5, 34.0), (110.6, 33.88))),
    RoadCourse("蟒岭绿道", "county", ((110.1406, 34.0886), (110.085, 34.055), (110.04, 34.005),
                                   (110.0, 33.93))),
)
GREENWAY = "蟒岭绿道"

# A display rank per class (their speeds on flat road: analysis.network.ROAD_SPEED_KMH).
ROAD_CLASSES = ("national", "provincial", "county", "township", "village")


@dataclass(frozen=True)
class ZonePlan:
    code: str
    name: str
    name_en: str
    theme: str
    industries: tuple
    color: str


# The four zones of the county's development plan, each with its theme and the industries meant
# for it. Their colours avoid the reds and greens of the poverty-incidence map drawn beneath them.
ZONE_PLAN = (
    ZonePlan("E", "东部片区", "East", "土地宽广肥沃，发展现代绿色农业",
             ("modern_agriculture", "planting"), "#1f78b4"),
    ZonePlan("W", "西部片区", "West", "区位与生态优势，发展畜牧养殖和旅游",
             ("livestock", "tourism"), "#e7298a"),
    ZonePlan("N", "北部片区", "North", "百里竹廊、万亩花海，发展种植和旅游",
             ("planting", "tourism"), "#8c510a"),
    ZonePlan("C", "中部片区", "Central", "县城与蟒岭绿道，发展工业、商贸和物流",
             ("manufacturing", "commerce_logistics", "tourism"), "#6a3d9a"),
)
