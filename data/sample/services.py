"""Service centers and industries of the sample county, placed by zone and theme."""
from dataclasses import dataclass

import numpy as np
from shapely.geometry import Point

# Centers of each type per zone; the North and West are left thin on purpose, so that coverage
# analysis finds underserved villages there.
CENTERS_PER_ZONE = {
    "relief": {"C": 1, "E": 2, "N": 1, "W": 1},
    "agri_policy": {"C": 1, "E": 2, "N": 1, "W": 1},
    "elderly_care": {"C": 1, "E": 1, "N": 1, "W": 1},
    "children_care": {"C": 1, "E": 2, "N": 2, "W": 1},
    "health_check": {"C": 1, "E": 1, "N": 1, "W": 1},
}
CENTER_NAMES = {
    "relief": "救助政策便民服务中心",
    "agri_policy": "涉农政策服务中心",
    "elderly_care": "空巢老人托管中心",
    "children_care": "留守儿童关爱中心",
    "health_check": "困难群众免费体检中心",
    "town_health_center": "卫生院",
    "village_clinic": "卫生室",
}
CENTER_CAPACITY = {"relief": (200, 600), "agri_policy": (200, 600), "elderly_care": (30, 120),
                   "children_care": (50, 200), "health_check": (2000, 8000),
                   "town_health_center": (20, 80), "village_clinic": (1, 3)}

# Industries per zone: (type, name suffix, count), following the report's themes.
INDUSTRY_THEMES = {
    "E": (("modern_agriculture", "现代农业示范园", 5), ("planting", "设施蔬菜基地", 2),
          ("tourism", "田园综合体", 1)),
    "W": (("livestock", "肉牛养殖场", 3), ("livestock", "生猪养殖场", 2), ("tourism", "生态旅游区", 2)),
    "N": (("planting", "竹林种植基地", 3), ("planting", "花卉种植基地", 2), ("tourism", "乡村旅游点", 2)),
    "C": (("manufacturing", "农产品加工厂", 3), ("commerce_logistics", "电商物流中心", 2),
          ("tourism", "绿道驿站", 1)),
}
# Named places from the report, placed in the zone whose theme they carry.
NAMED_INDUSTRIES = (
    ("N", "planting", "百里竹廊"), ("N", "tourism", "万亩花海"), ("E", "planting", "古城玫瑰小镇"),
    ("C", "tourism", "蟒岭绿道"), ("C", "tourism", "四皓音乐小镇"), ("C", "commerce_logistics", "县城物流园"),
)


@dataclass(frozen=True)
class CenterRecord:
    kind: str
    name: str
    point: Point
    capacity: int
    status: str
    village: int | None  # index of the village of a village clinic


@dataclass(frozen=True)
class IndustryRecord:
    kind: str
    name: str
    point: Point
    site: object  # a shapely Polygon or None
    poor_households_driven: int
    investment_10k_yuan: int
    status: str


def spot(point, polygon, turn, radius):
    """A point `radius` metres from `point` at `turn` (a fraction of a full circle), pulled in
    until it lies inside `polygon`: separate buildings of one place, in the same village."""
    while radius > 5:
        angle = 2 * np.pi * turn
        candidate = Point(point.x + radius * np.cos(angle), point.y + radius * np.sin(angle))
        if polygon.contains(candidate):
            return candidate
        radius *= 0.7
    return point


def place_centers(towns, seat_village, village_zone, village_points, village_polygons,
                  clinic_names, has_clinic, rng, per_zone_table=CENTERS_PER_ZONE):
    """Centers around town seats (the committee nearest each seat), by zone (`per_zone_table`:
    kind -> zone -> count), each kind in its own building; a health center in every town; a
    clinic in every village that has one, named `clinic_names[v]` + 卫生室."""
    kinds = list(CENTERS_PER_ZONE) + ["town_health_center"]

    def at_seat(kind, t):
        v = seat_village[t]
        return spot(village_points[v], village_polygons[v], kinds.index(kind) / len(kinds), 450.0)

    centers = []
    for kind, per_zone in per_zone_table.items():
        for zone, count in per_zone.items():
            candidates = [t for t, v in enumerate(seat_village) if village_zone[v] == zone]
            picks = rng.choice(candidates, size=min(count, len(candidates)), replace=False)
            for rank, t in enumerate(sorted(picks)):
                status = "planned" if rank == 1 and kind == "children_care" else "existing"
                centers.append(_center(kind, towns[t].name, at_seat(kind, t), status, None, rng))
    for t in range(len(seat_village)):
        centers.append(_center("town_health_center", towns[t].name,
                               at_seat("town_health_center", t), "existing", None, rng))
    for v, clinic in enumerate(has_clinic):
        if clinic:
            centers.append(_center("village_clinic", clinic_names[v], village_points[v],
                                   "existing", v, rng))
    return centers


def _center(kind, place, point, status, village, rng):
    low, high = CENTER_CAPACITY[kind]
    return CenterRecord(kind, place + CENTER_NAMES[kind], point, int(rng.integers(low, high + 1)),
                        status, village)


def place_industries(village_zone, village_points, village_names, village_polygons, fitness, rng,
                     themes=INDUSTRY_THEMES, named=NAMED_INDUSTRIES):
    """Industries in the villages of each zone that fit their type best (`fitness[type]` is a
    score per village), with a site polygon for the parks and bases: the `named` places first
    ((zone, type, name)), then those of each zone's `themes` ((type, name suffix, count))."""
    used, industries = set(), []

    def best_village(zone, kind):
        order = np.argsort(-(fitness[kind] * rng.uniform(0.7, 1.0, len(village_zone))))
        return next(v for v in order if village_zone[v] == zone and v not in used)

    plan = [(zone, kind, name, None) for zone, kind, name in named]
    plan += [(zone, kind, None, suffix) for zone, zone_themes in themes.items()
             for kind, suffix, count in zone_themes for _ in range(count)]
    for zone, kind, name, suffix in plan:
        v = best_village(zone, kind)
        used.add(v)
        # Away from the committee (and its clinic), inside the village.
        point = spot(village_points[v], village_polygons[v], rng.random(), 500.0)
        site = None
        if kind in ("modern_agriculture", "planting", "livestock"):
            site = point.buffer(float(rng.uniform(250, 700)), quad_segs=4).intersection(
                village_polygons[v])
            point = site.representative_point()
        industries.append(IndustryRecord(
            kind, name or name_stem(village_names[v]) + suffix, point, site,
            int(rng.integers(30, 400)), int(rng.integers(50, 3000)),
            "planned" if rng.random() < 0.2 else "existing"))
    return industries


def name_stem(village):
    """What a village lends the name of a place in it: 柳家湾村 -> 柳家湾, 西街社区 -> 西街; a
    one-character stem keeps its word (王村 stays 王村)."""
    for word in ("村", "社区"):
        stem = village.removesuffix(word)
        if stem != village and len(stem) >= 2:
            return stem
    return village
