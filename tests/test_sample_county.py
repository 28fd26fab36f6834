"""The sample county against the facts of data/README.md: its outline, towns, villages, figures,
zones, terrain, roads and centers."""
import json

import numpy as np
import rasterio
import rasterio.features
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import Exists, OuterRef
from rasterio.windows import Window
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from analysis.exit import DEMONSTRATION, STANDARD, assess
from analysis.network import ROAD_SPEED_KMH
from data.load import load_sample
from data.sample.geography import project
from data.sample.places import PEAK, TOWNS
from analysis.landcover import CLASSES
from layers.arrays import exit_columns
from layers.models import County, Industry, RasterLayer, River, Road, ServiceCenter, Town, Village, Zone


def scalar(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_towns_are_the_sixteen_of_the_report(sample):
    # data/README.md: 2 subdistricts and 14 towns.
    assert sorted(Town.objects.values_list("name", flat=True)) == sorted(t.name for t in TOWNS)
    assert Town.objects.filter(kind="subdistrict").count() == 2


def test_villages_number_247_with_12_digit_text_codes(sample):
    codes = list(Village.objects.values_list("code", "town__code"))
    assert len(codes) == 247  # the official committees (data/sample/shangluo_divisions_2023.csv)
    assert all(len(code) == 12 and code.isdigit() and code.startswith(town) for code, town in codes)
    assert Village.objects.filter(code__startswith="6110210").exists()  # leading zeros kept


def partition_errors(table, where="TRUE"):
    """(area of county XOR the union of a layer's polygons over the county's area, total
    pairwise overlap in m²) for the rows of `table` that satisfy `where`."""
    # Raw SQL: a self-join of pairwise intersections has no ORM spelling.
    difference = scalar(f"""
        SELECT ST_Area(ST_SymDifference(c.boundary, u.merged)) / ST_Area(c.boundary)
        FROM layers_county c, (SELECT ST_Union(boundary) AS merged FROM {table} t
                               WHERE {where}) u""")
    overlap = scalar(f"""
        SELECT COALESCE(SUM(ST_Area(ST_Intersection(a.boundary, b.boundary))), 0)
        FROM {table} a JOIN {table} b ON a.id < b.id AND a.boundary && b.boundary
        WHERE {where.replace("t.", "a.")} AND {where.replace("t.", "b.")}""")
    return difference, overlap


IN_FORCE = "t.plan_id IN (SELECT id FROM layers_planversion WHERE status = 'approved')"


def test_zones_partition_the_county(sample):
    difference, overlap = partition_errors("layers_zone", IN_FORCE)
    assert Zone.objects.in_force().count() == 4
    assert difference < 0.001  # within 0.1% of the county's area
    assert overlap < 1.0  # m²


def test_zones_follow_the_report_geography(sample):
    # The county's zone plan (data/sample/places.py ZONE_PLAN): Central around the seat, East
    # on the eastern valley (古城), North with the northern towns (巡检), West the western
    # uplands (洛源).
    for lon, lat, code in ((110.1406, 34.0886, "C"), (110.42, 34.118, "E"),
                           (110.25, 34.35, "N"), (109.80, 34.228, "W")):
        point = Point(*project(lon, lat), srid=4546)
        assert Zone.objects.in_force().containing(point).get().code == code, (lon, lat)


def test_towns_partition_the_county(sample):
    difference, overlap = partition_errors("layers_town")
    assert difference < 0.001 and overlap < 1.0


def test_villages_partition_their_towns(sample):
    # Per town: the area of (town XOR union of its villages) over the town's area. Raw SQL: a
    # per-group union compared with another table's polygon.
    worst = scalar("""
        SELECT MAX(ST_Area(ST_SymDifference(t.boundary, v.merged)) / ST_Area(t.boundary))
        FROM layers_town t JOIN (SELECT town_id, ST_Union(boundary) AS merged
                                 FROM layers_village GROUP BY town_id) v ON v.town_id = t.id""")
    assert worst < 0.001
    difference, overlap = partition_errors("layers_village")
    assert difference < 0.001 and overlap < 1.0


def test_every_village_lies_in_one_town_and_one_zone(sample):
    for village in Village.objects.select_related("town", "zone"):
        assert village.town.boundary.contains(village.location), village
        assert village.boundary.contains(village.location), village
        containing = Zone.objects.in_force().containing(village.location)
        assert list(containing) == [village.zone], village


def test_village_committees_sit_in_valleys(sample):
    # A committee stands lower than the mean of the 3 km square around it, on gentle ground.
    dem = RasterLayer.objects.get(kind="dem")
    with rasterio.open(dem.path) as src:
        half = int(1500 / src.res[0])
        for village in Village.objects.all():
            row, col = src.index(village.location.x, village.location.y)
            window = src.read(1, window=Window(col - half, row - half, 2 * half + 1, 2 * half + 1))
            here = window[half, half]
            assert here < window.mean(), village
            dz_dy, dz_dx = np.gradient(window[half - 1:half + 2, half - 1:half + 2], src.res[0])
            assert np.degrees(np.arctan(np.hypot(dz_dx[1, 1], dz_dy[1, 1]))) < 20, village


def test_figures_add_up_to_the_report(sample):
    # data/README.md: 27,000 poor households, 86,000 poor people, incidence 24.8%.
    totals = Village.objects.totals()
    assert totals["poor_households"] == 27_000
    assert totals["poor_population"] == 86_000
    assert round(100 * totals["poor_population"] / totals["population"], 1) == 24.8
    for v in Village.objects.all():
        assert v.poor_population <= v.population and v.poor_households <= v.households
        assert v.poor_households <= v.poor_population
        assert v.industry_support_households + v.livelihood_guarantee_households == v.poor_households


def test_dem_covers_the_county_and_follows_the_terrain_facts(sample):
    county = County.objects.get().boundary
    dem = RasterLayer.objects.get(kind="dem")
    assert dem.footprint.contains(county)
    with rasterio.open(dem.path) as src:
        assert src.crs.to_epsg() == 4546 and 30 <= src.res[0] <= 90
        elevation = src.read(1, masked=True)
        inside = rasterio.features.geometry_mask([json.loads(county.json)], src.shape, src.transform,
                                                 invert=True)

        def at(lon, lat):
            return float(next(src.sample([project(lon, lat)]))[0])

        # data/README.md: the seat near 950 m, the Luo leaves near 灵口 at 550-650 m,
        # 草链岭 about 2,645 m on the north-western border.
        seat, exit_ = at(110.1406, 34.0886), at(110.62, 34.162)
        peak_row, peak_col = np.unravel_index(np.argmax(np.where(inside, elevation, -1)), src.shape)
        peak_x, peak_y = src.xy(peak_row, peak_col)
    assert not np.ma.getmaskarray(elevation)[inside].any()
    assert np.isfinite(elevation.data[inside]).all()
    assert 900 <= seat <= 1000
    assert 550 <= exit_ <= 650
    assert 2500 <= elevation[inside].max() <= 2700
    assert np.hypot(peak_x - project(*PEAK)[0], peak_y - project(*PEAK)[1]) < 5000


def test_road_graph_is_connected_noded_and_reaches_every_village(sample):
    lines = [road.geometry for road in Road.objects.all()]
    ends = {}
    edges = [(ends.setdefault((round(line[0][0], 2), round(line[0][1], 2)), len(ends)),
              ends.setdefault((round(line[-1][0], 2), round(line[-1][1], 2)), len(ends)))
             for line in lines]
    a, b = np.array(edges).T
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(len(ends), len(ends)))
    assert connected_components(graph, directed=False)[0] == 1
    # Roads meet only at their ends: no crossing without a junction. Raw SQL: a self-join.
    assert scalar("""SELECT COUNT(*) FROM layers_road a JOIN layers_road b
                     ON a.id < b.id AND ST_Crosses(a.geometry, b.geometry)""") == 0
    near_a_road = Road.objects.filter(geometry__dwithin=(OuterRef("location"), 2000))
    assert not Village.objects.exclude(Exists(near_a_road)).exists()
    assert set(Road.objects.values_list("road_class", flat=True)) == set(Road.RoadClass.values)
    for road in Road.objects.all():  # slower on steep stretches, never faster than the class
        assert 0 < road.speed_kmh <= ROAD_SPEED_KMH[road.road_class]


def test_service_centers_of_each_type_in_each_zone_with_gaps(sample):
    five = ["relief", "agri_policy", "elderly_care", "children_care", "health_check"]
    for zone in Zone.objects.in_force():
        for kind in five:
            assert ServiceCenter.objects.in_zone(zone).of_kind(kind).existing().exists(), (zone, kind)
    # Gaps: some villages are more than 15 km from the nearest relief center.
    relief_near = ServiceCenter.objects.of_kind("relief").filter(
        location__dwithin=(OuterRef("location"), 15000))
    assert Village.objects.exclude(Exists(relief_near)).count() >= 10
    # Every clinic stands in its own village.
    for clinic in ServiceCenter.objects.of_kind("village_clinic").select_related("village"):
        assert clinic.village.boundary.contains(clinic.location)


def test_industries_follow_each_zone_theme(sample):
    for zone in Zone.objects.in_force():
        kinds = list(Industry.objects.in_zone(zone).values_list("kind", flat=True))
        on_theme = sum(kind in zone.preferred_industries for kind in kinds)
        assert kinds and on_theme / len(kinds) >= 0.7, zone
    assert Industry.objects.filter(poor_households_driven__gt=0).count() == Industry.objects.count()


def test_exit_indicators_give_a_realistic_mix(sample):
    columns = exit_columns(Village.objects.all())
    standard, demonstration = assess(STANDARD, columns), assess(DEMONSTRATION, columns)
    n = len(columns["incidence"])
    assert 5 <= standard.passed.sum() <= 0.25 * n  # some pass the standard module
    assert 1 <= demonstration.passed.sum() < standard.passed.sum()  # a few the demonstration
    assert np.isin(standard.failures, [1, 2]).sum() > 0.5 * n  # most fail one or two criteria
    exited = Village.objects.exited()
    assert exited.exists() and all(assess(STANDARD, exit_columns(exited)).passed)


def test_land_cover_and_rivers(sample):
    landcover = RasterLayer.objects.get(kind="landcover")
    with rasterio.open(landcover.path) as src:
        classes = set(np.unique(src.read(1))) - {0}
    assert classes == set(CLASSES)
    assert River.objects.filter(name="洛河").exists()
    luo = River.objects.get(name="洛河").geometry
    assert luo.length > 60_000  # it crosses the county, about 86 km east to west


def test_within_distance_of_the_seat(sample):
    seat = Town.objects.get(code="611021001").seat
    near = Village.objects.within_distance(seat, 5000)
    assert near.exists()
    assert all(v.location.distance(seat) <= 5000 for v in near)


def test_sample_is_labelled_synthetic(sample):
    county = County.objects.get()
    assert county.synthetic and "合成" in county.source and "synthetic" in county.source
    for layer in RasterLayer.objects.exclude(kind="basemap"):
        with rasterio.open(layer.path) as src:
            assert src.tags()["SYNTHETIC"] == "yes"


def fingerprint():
    return [(v.code, v.name, v.population, v.poor_population, round(v.boundary.area), v.zone.code)
            for v in Village.objects.select_related("zone").order_by("code")]


def test_load_sample_is_idempotent(sample, sample_folder):
    before = list(Village.objects.values_list("pk", flat=True))
    assert load_sample(sample_folder).loaded is False
    assert list(Village.objects.values_list("pk", flat=True)) == before


def test_reset_rebuilds_the_same_county(sample, tmp_path):
    # A fixed seed: rebuilding from scratch gives the same villages, figures and zones.
    before = fingerprint()
    assert load_sample(tmp_path, reset=True).loaded is True
    assert fingerprint() == before
