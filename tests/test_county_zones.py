"""Each county is measured in its own CGCS2000 3-degree Gauss-Krüger zone, whatever the storage
CRS (EPSG:4546, central meridian 111°E).

The county drawn here, 宁强县 (610726), lies about 106.2°E: its own zone is EPSG:4544 (central
meridian 105°E), 1.2° away, where lengths are stretched by 0.014%; the storage zone is 4.8° away,
where they are stretched by about 0.25%. Everything is placed in EPSG:4544 metres from the
county's south-west corner (X0, Y0), so that lengths in its own zone are round numbers.
"""
import numpy as np
import pyproj
import pytest
import rasterio
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from django.db.models import Exists, OuterRef
from rasterio.transform import from_origin

from access.runs import CoverageOptions, run_coverage
from layers import arrays
from layers.crs import gauss_kruger_srid
from layers.models import County, PlanVersion, RasterLayer, Road, ServiceCenter, Town, Village, Zone
from layers.rasters import RasterOptions, county_grid, import_raster

OWN = 4544
X0, Y0 = pyproj.Transformer.from_crs(4490, OWN, always_xy=True).transform(106.1, 32.7)
GEOD = pyproj.Geod(ellps="GRS80")  # CGCS2000's ellipsoid (its flattening differs in the 12th digit)


def at(dx, dy=0.0):
    return Point(X0 + dx, Y0 + dy, srid=OWN)


def box(west, south, east, north):
    return MultiPolygon(Polygon.from_bbox((X0 + west, Y0 + south, X0 + east, Y0 + north)), srid=OWN)


@pytest.mark.parametrize("longitude, srid", [
    (110.1, 4546),  # Luonan: CM 111
    (109.1, 4545),  # Zhashui: CM 108 (109.5 is where the zones meet)
    (106.2, 4544),  # Ningqiang: CM 105
    (75.0, 4534), (70.0, 4534),  # CM 75 and west of it: the first zone
    (135.0, 4554), (140.0, 4554),  # CM 135 and east of it: the last
])
def test_a_longitude_falls_in_the_zone_of_the_nearest_central_meridian(longitude, srid):
    assert gauss_kruger_srid(longitude) == srid


@pytest.fixture
def ningqiang(db):
    """A 30 km square county; villages A at (2 km, 5 km) and B 10 km east of it; a health-check
    center at A; a road at 36 km/h (600 m a minute) from A to B."""
    county = County.objects.create(adcode="610726", name="宁强县", boundary=box(0, 0, 30_000, 30_000),
                                   rural_population=200, poor_households=10, poor_population=20)
    town = Town.objects.create(county=county, code="610726100", name="汉源街道",
                               boundary=box(0, 0, 30_000, 30_000), seat=at(15_000, 15_000))
    plan = PlanVersion.objects.create(county=county, name="一片区", status=PlanVersion.Status.APPROVED)
    Zone.objects.create(plan=plan, code="C", name="中部片区", boundary=box(0, 0, 30_000, 30_000))
    for code, name, x in (("610726100201", "甲村", 2_000), ("610726100202", "乙村", 12_000)):
        Village.objects.create(code=code, name=name, town=town, location=at(x, 5_000),
                               population=100, poor_population=10)
    ServiceCenter.objects.create(county=county, kind="health_check", name="甲村体检点",
                                 location=at(2_000, 5_000))
    Road.objects.create(county=county, road_class="county", speed_kmh=36,
                        geometry=LineString(at(2_000, 5_000), at(12_000, 5_000), srid=OWN))
    return county


def test_the_county_s_own_zone_is_that_of_its_centroid(ningqiang):
    assert ningqiang.gk_srid == OWN
    assert County.objects.get(adcode="610726").boundary.srid == 4546  # stored as every county


def test_the_arrays_are_in_the_county_s_own_zone(ningqiang):
    villages = arrays.villages(ningqiang)
    assert villages.srid == OWN
    assert villages.xy == pytest.approx(np.array([[X0 + 2_000, Y0 + 5_000], [X0 + 12_000, Y0 + 5_000]]),
                                        abs=1e-6)
    [line], _, _ = arrays.roads([ningqiang])
    assert line == pytest.approx(villages.xy, abs=1e-6)
    lon, lat = villages.lonlat().T
    assert lon == pytest.approx([106.1 + 2_000 / 93_500, 106.1 + 12_000 / 93_500], abs=0.002)


def test_straight_line_coverage_measures_in_the_county_s_own_zone(ningqiang):
    # B is 10,000 m from the center in the county's zone; on the ellipsoid 10,000 / 1.00014
    # (the zone's scale 1.2° from its meridian), 9,998.6 m; in the storage CRS about 10,025 m.
    run = run_coverage(CoverageOptions("health_check", "euclidean", max_distance=10_010,
                                       county="610726"))
    rows = {row["code"]: row for row in run.rows()}
    assert rows["610726100202"]["covered"]
    assert run.distance_m[1] == pytest.approx(10_000, abs=0.01)
    a, b = (v.location.transform(4490, clone=True) for v in Village.objects.of_county(ningqiang).order_by("code"))
    geodesic = GEOD.inv(a.x, a.y, b.x, b.y)[2]
    assert geodesic == pytest.approx(9_998.6, abs=0.2)
    stored = (Village.objects.filter(code="610726100202")
              .annotate(d=Distance("location", a.transform(4546, clone=True))).get().d.m)
    assert stored > 10_020  # what a measure in the storage CRS would have refused


def test_road_coverage_measures_in_the_county_s_own_zone(ningqiang):
    # 10,000 m at 600 m a minute: 16.667 minutes, within 16.7; the same road measured in the
    # storage CRS (about 10,025 m) would take 16.71 minutes.
    run = run_coverage(CoverageOptions("health_check", max_minutes=16.7, county="610726"))
    assert run.travel_min[1] == pytest.approx(10_000 / 600, abs=1e-6)
    assert run.coverage.covered.tolist() == [True, True]


def test_a_road_within_500_m_is_found_by_the_county_s_own_measure(ningqiang):
    # A village 499 m north of the road in the county's zone: about 500.2 m in the storage CRS.
    town = ningqiang.towns.get()
    Village.objects.create(code="610726100203", name="丙村", town=town, location=at(7_000, 5_499),
                           population=10, poor_population=1)
    near = Village.objects.filter(code="610726100203").annotate(
        stored=Distance("location", Road.objects.of_county(ningqiang).get().geometry),
        road_near=Exists(Road.objects.within_metres(OuterRef("location"), 500, OWN))).get()
    assert near.stored.m > 500 and near.road_near
    beyond = Village.objects.filter(code="610726100203").annotate(
        road_near=Exists(Road.objects.within_metres(OuterRef("location"), 498, OWN))).get()
    assert not beyond.road_near


def test_zone_areas_are_measured_in_the_county_s_own_zone(ningqiang):
    zone = Zone.objects.get(plan__county=ningqiang)
    assert ningqiang.area_km2(zone.boundary) == pytest.approx(900, abs=1e-6)  # 30 km × 30 km
    assert zone.boundary.area / 1e6 > 903  # 904.4: stretched by about 0.5% in the storage CRS


def test_a_dem_is_warped_onto_a_grid_in_the_county_s_own_zone(ningqiang, tmp_path, settings):
    settings.DATA_DIR = str(tmp_path / "data")
    grid = county_grid(ningqiang)
    # The 30 km square and 3 km around it, in 30 m cells, on whole cells of the zone's metres.
    assert grid.crs.to_epsg() == OWN and grid.cell == (30.0, 30.0)
    assert grid.bounds[0] == pytest.approx((X0 - 3_000) // 30 * 30)
    # A flat DEM of 800 m in lon/lat cells of 0.005°, over the county and more.
    path = tmp_path / "flat.tif"
    with rasterio.open(path, "w", driver="GTiff", width=100, height=100, count=1, dtype="float32",
                       crs="EPSG:4326", transform=from_origin(106.0, 33.1, 0.005, 0.005)) as out:
        out.write(np.full((100, 100), 800, "float32"), 1)
    import_raster(RasterOptions("dem", path, county="610726"))
    dem = RasterLayer.objects.of_county(ningqiang).get(kind="dem")
    assert dem.srid == OWN and dem.footprint.srid == 4546
    assert dem.footprint.contains(County.objects.get(adcode="610726").boundary)
    with rasterio.open(dem.path) as warped:
        assert warped.crs.to_epsg() == OWN and warped.transform == grid.transform

