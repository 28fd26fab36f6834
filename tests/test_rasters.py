"""import_raster: a county's own DEM and land use onto its analysis grid; each refusal leaves the
database and DATA_DIR as they were; the point query; the basemap and attribution follow.

The rasters are generated here, small: a tilted plane over the sample county (about 110 km by
90 km around it, so that it covers the county) in lon/lat or in the storage CRS.
"""
import hashlib
import io
import math
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pyproj
import pytest
import rasterio
import shapely
from django.conf import settings
from django.core.management import CommandError, call_command
from rasterio import Affine
from rasterio.transform import from_origin

from analysis.landcover import CROPLAND, FOREST, WATER
from analysis.suitability import Grid, slope_aspect_degrees
from analysis.warping import warp
from jobs.models import Job
from jobs.tasks import Progress, run_raster_import
from layers.models import County, RasterLayer
from layers.rasters import RasterOptions, RasterRefused, import_raster, value_at

from .conftest import log_in
from .layer_files import write_layer, zip_shapefile

pytestmark = pytest.mark.usefixtures("english")
# Around the sample county (Luonan, about 109.75-110.7 E, 33.95-34.45 N).
WEST, NORTH, EAST, SOUTH = 109.4, 34.7, 111.0, 33.7
SEAT = (110.141, 34.089)
# A plane rising 2 m per 100 m to the east and 1 m per 100 m to the north, 1,000 m at the
# seat: its slope is atan(hypot(0.02, 0.01)) = 1.28 degrees everywhere, and it stays within
# 0..2,000 m over the county and its margin (50 km either side of the seat at most).
RISE_EAST, RISE_NORTH, AT_SEAT = 0.02, 0.01, 1000.0
PLANE_SLOPE = math.degrees(math.atan(math.hypot(RISE_EAST, RISE_NORTH)))
TO_4546 = pyproj.Transformer.from_crs(4326, 4546, always_xy=True)


def plane(x, y):
    """Elevation of the plane at storage-CRS (EPSG:4546) metres x, y."""
    sx, sy = TO_4546.transform(*SEAT)
    return AT_SEAT + RISE_EAST * (x - sx) + RISE_NORTH * (y - sy)


def write_raster(path, array, transform, crs="EPSG:4326", nodata=None, **extra):
    profile = {"driver": "GTiff", "width": array.shape[1], "height": array.shape[0], "count": 1,
               "dtype": array.dtype, "transform": transform, "nodata": nodata, **extra}
    if crs:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as out:
        out.write(array, 1)
    return path


def lonlat_dem(path, step=0.01, west=WEST, east=EAST, values=None, **extra):
    """The plane in EPSG:4326 cells of `step` degrees (1.1 km by 0.9 km at 0.01)."""
    cols, rows = round((east - west) / step), round((NORTH - SOUTH) / step)
    lon = west + (np.arange(cols) + 0.5) * step
    lat = NORTH - (np.arange(rows) + 0.5) * step
    x, y = TO_4546.transform(*np.meshgrid(lon, lat))
    array = plane(x, y).astype("float32") if values is None else values(x, y, plane(x, y))
    return write_raster(path, array, from_origin(west, NORTH, step, step), **extra)


def projected_dem(path, cell=1000.0):
    """The plane in EPSG:4546 cells of `cell` metres over the same ground."""
    x0, y1 = TO_4546.transform(WEST, NORTH)
    x1, y0 = TO_4546.transform(EAST, SOUTH)
    cols, rows = round((x1 - x0) / cell), round((y1 - y0) / cell)
    xs = x0 + (np.arange(cols) + 0.5) * cell
    ys = y1 - (np.arange(rows) + 0.5) * cell
    x, y = np.meshgrid(xs, ys)
    return write_raster(path, plane(x, y).astype("float32"), from_origin(x0, y1, cell, cell), "EPSG:4546")


def data_dir_state():
    """Every file under DATA_DIR with the hash of its bytes."""
    root = Path(settings.DATA_DIR)
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(root.rglob("*"))}


def database_state():
    return list(RasterLayer.objects.order_by("pk").values())


# The warp: one plane, two coordinate systems, the same slope ----------------------------------

def test_a_dem_in_4546_and_in_4326_of_the_same_ground_give_the_same_slope(tmp_path):
    # A 3 km square of 30 m cells near the seat; each DEM warped onto it with bilinear
    # resampling, then slope by Horn's method. A plane's slope is the same everywhere: 1.28°.
    sx, sy = (round(v / 30) * 30 for v in TO_4546.transform(*SEAT))  # on whole cells
    grid = Grid.around("EPSG:4546", (sx - 1500, sy - 1500, sx + 1500, sy + 1500), 30.0, 0.0)
    slopes = []
    for name, source in (("lonlat", lonlat_dem(tmp_path / "a.tif", step=0.002)),
                         ("projected", projected_dem(tmp_path / "b.tif", cell=250.0))):
        with rasterio.open(source) as dataset:
            warp(dataset, dataset.crs, grid, tmp_path / f"{name}-grid.tif",
                 rasterio.enums.Resampling.bilinear, "float32", -32768.0)
        with rasterio.open(tmp_path / f"{name}-grid.tif") as warped:
            z = warped.read(1).astype(float)
        slopes.append(slope_aspect_degrees(z, 30.0, 30.0)[0])
    assert grid.shape == (100, 100)  # 3 km / 30 m
    assert np.abs(slopes[1] - PLANE_SLOPE).max() < 0.01  # a plane warped in its own CRS: exact
    assert np.abs(slopes[0] - slopes[1]).max() < 0.5


def test_the_grid_has_whole_cells_around_the_county():
    # 1,010..2,990 by 5,020..6,000 with 1,000 m around, in 500 m cells: 0..4,000 by 4,000..7,000
    grid = Grid.around("EPSG:4546", (1010, 5020, 2990, 6000), 500.0, 1000.0)
    assert grid.bounds == (0.0, 4000.0, 4000.0, 7000.0)
    assert grid.shape == (6, 8)


# Imports through the command -------------------------------------------------------------------

def test_a_dem_imports_onto_the_county_grid_and_the_point_query_reads_it(sample, tmp_path):
    source = lonlat_dem(tmp_path / "plane.tif")
    old_basemap = RasterLayer.objects.get(kind="basemap").path
    call_command("import_raster", "dem", str(source), source="a plane", licence="CC0",
                 attribution="plane © test", verbosity=0)
    dem = RasterLayer.objects.get(kind="dem")
    assert (dem.resolution, dem.srid, dem.native_crs, dem.synthetic) == (60.0, 4546, "EPSG:4326", False)
    # 0.01° cells at 34.2° N: 1,113 m × cos(34.2°) = 921 m by 1,106 m; their geometric mean 1,009 m
    assert dem.native_resolution == pytest.approx(1009, abs=5)
    assert (dem.source, dem.licence, dem.attribution) == ("a plane", "CC0", "plane © test")
    with rasterio.open(dem.path) as cog:
        assert cog.profile["tiled"] and cog.compression.name == "zstd" and cog.overviews(1)
        assert cog.res == (60.0, 60.0) and cog.transform.c % 60 == 0 and cog.transform.f % 60 == 0
    basemap = RasterLayer.objects.get(kind="basemap")
    assert basemap.path != old_basemap and Path(basemap.path).is_file()
    # At the seat the plane is 1,000 m; the query reads the 60 m cell the seat is in, whose
    # centre is at most 30 m off each way: 0.02 × 30 + 0.01 × 30 = 0.9 m at most (bilinear
    # resampling of a plane is exact).
    value = value_at(County.objects.default(), "dem", *SEAT)
    assert value.value == pytest.approx(AT_SEAT, abs=0.9) and value.unit == "m"
    assert value.attribution == "plane © test"
    # 3 km east of the seat: 60 m higher
    east = TO_4546.transform(*SEAT)
    lon, lat = pyproj.Transformer.from_crs(4546, 4326, always_xy=True).transform(east[0] + 3000, east[1])
    assert value_at(County.objects.default(), "dem", lon, lat).value == pytest.approx(AT_SEAT + 60, abs=0.9)
    assert value_at(County.objects.default(), "dem", 100.0, 30.0).value is None  # far outside the grid


def test_the_data_page_shows_the_grid_and_each_rasters_origin(sample, tmp_path, client):
    call_command("import_raster", "dem", str(lonlat_dem(tmp_path / "plane.tif")),
                 source="a plane", licence="CC0", attribution="plane © test", verbosity=0)
    page = log_in(client, "official").get("/data/import/").content.decode()
    assert "EPSG:4546, 1535 × 1166 cells of 60 m" in page  # the county's box and 3 km around it
    assert "native about 1009 m, grid 60 m" in page  # as above
    assert "plane © test" in page and "CC0" in page
    assert 'id="raster-form"' not in page  # officials may not import


def _img_in_zone_37(folder):
    # ERDAS Imagine, in CGCS2000 Gauss-Krüger zone 37 with the zone in its eastings (EPSG:4525:
    # 37,500,000 where EPSG:4546 has 500,000; the same ground). Imagine writes the CRS with a
    # TOWGS84 of zeros, which matches no EPSG definition as it stands.
    with rasterio.open(projected_dem(folder / "plane.tif")) as flat:
        array, transform = flat.read(1), flat.transform
    return write_raster(folder / "plane.img", array, Affine.translation(37_000_000, 0) @ transform,
                        "EPSG:4525", driver="HFA")


def _zip_with_world_file(folder):
    # A GeoTIFF with no georeferencing of its own, its .tfw (cell size, rotation, centre of the
    # first cell) and .prj (EPSG:4546 as ESRI WKT) beside it, zipped as a county office sends it.
    with rasterio.open(projected_dem(folder / "keyed.tif")) as keyed:
        array, t = keyed.read(1), keyed.transform
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
        with rasterio.open(folder / "dem.tif", "w", driver="GTiff", width=array.shape[1],
                           height=array.shape[0], count=1, dtype=array.dtype) as plain:
            plain.write(array, 1)
    world = [t.a, t.d, t.b, t.e, t.c + t.a / 2, t.f + t.e / 2]
    (folder / "dem.tfw").write_text("\n".join(repr(v) for v in world) + "\n")
    (folder / "dem.prj").write_text(pyproj.CRS.from_epsg(4546).to_wkt("WKT1_ESRI"))
    with zipfile.ZipFile(folder / "dem.zip", "w") as archive:
        for suffix in (".tif", ".tfw", ".prj"):
            archive.write(folder / f"dem{suffix}", f"dem{suffix}")
    return folder / "dem.zip"


@pytest.mark.parametrize("write, srid", [
    (lambda folder: lonlat_dem(folder / "cgcs2000.tif", crs="EPSG:4490"), 4490),
    (_img_in_zone_37, 4525),
    (_zip_with_world_file, 4546),
], ids=["geotiff-4490", "erdas-img-zone-37", "zip-tif-tfw-prj"])
def test_formats_and_coordinate_systems_a_county_office_has(sample, tmp_path, write, srid):
    call_command("import_raster", "dem", str(write(tmp_path)), verbosity=0)
    dem = RasterLayer.objects.get(kind="dem")
    assert dem.native_crs == f"EPSG:{srid}" and dem.srid == 4546
    assert value_at(County.objects.default(), "dem", *SEAT).value == pytest.approx(AT_SEAT, abs=0.9)  # as above


def test_feet_are_converted(sample, tmp_path):
    source = lonlat_dem(tmp_path / "feet.tif", values=lambda x, y, z: (z / 0.3048).astype("float32"))
    call_command("import_raster", "dem", str(source), units="feet", verbosity=0)
    assert value_at(County.objects.default(), "dem", *SEAT).value == pytest.approx(AT_SEAT, abs=0.9)  # as above


def test_a_globeland30_land_use_is_classified_onto_the_grid(sample, tmp_path):
    # GlobeLand30 codes: 10 (cultivated) west of 110.141 E, 20 (forest) east of it, 60 (water)
    # on the 0.01° cells within 0.02° of the seat's latitude (rows of 0.01°).
    def codes(x, y, z):
        sx, _ = TO_4546.transform(*SEAT)
        out = np.where(x < sx, 10, 20).astype(np.uint8)
        lat = NORTH - (np.arange(z.shape[0]) + 0.5) * 0.01
        out[np.abs(lat - SEAT[1]) < 0.02] = 60
        return out
    source = lonlat_dem(tmp_path / "globeland30.tif", values=codes, nodata=0)
    out = io.StringIO()
    call_command("import_raster", "landcover", str(source), classes="globeland30",
                 source="GlobeLand30 2020", stdout=out)
    cover = RasterLayer.objects.get(kind="landcover")
    assert (cover.scheme, cover.resolution, cover.synthetic) == ("globeland30", 60.0, False)
    with rasterio.open(cover.path) as cog:  # nearest class: no code between classes appears
        assert set(np.unique(cog.read(1))) <= {0, CROPLAND, FOREST, WATER}
    assert value_at(County.objects.default(), "landcover", *SEAT).value == WATER
    assert value_at(County.objects.default(), "landcover", SEAT[0] - 0.1, SEAT[1] + 0.1).label == "cropland"
    assert value_at(County.objects.default(), "landcover", SEAT[0] + 0.1, SEAT[1] + 0.1).label == "forest"
    assert "cropland" in out.getvalue() and "forest" in out.getvalue() and "water" in out.getvalue()


def test_a_third_land_survey_parcel_layer_is_rasterised_onto_the_grid(sample, tmp_path):
    # Three hand-drawn parcels in the storage CRS, a GBK shapefile as a county office has it:
    # 旱地 (0103) west of the seat, 乔木林地 (0301) east of it, and over both a 4 km square of
    # 河流水面 (1101) centred on the seat, drawn last.
    sx, sy = TO_4546.transform(*SEAT)
    x0, y1 = TO_4546.transform(WEST, NORTH)
    x1, y0 = TO_4546.transform(EAST, SOUTH)
    parcels = [({"DLBM": "0103", "DLMC": "旱地"}, shapely.box(x0, y0, sx, y1)),
               ({"DLBM": "0301", "DLMC": "乔木林地"}, shapely.box(sx, y0, x1, y1)),
               ({"DLBM": "1101", "DLMC": "河流水面"}, shapely.box(sx - 2000, sy - 2000, sx + 2000, sy + 2000))]
    shp = write_layer(tmp_path / "DLTB.shp", parcels, srid=4546, encoding="gbk")
    call_command("import_raster", "landcover", str(zip_shapefile(shp)), encoding="gbk", verbosity=0)
    cover = RasterLayer.objects.get(kind="landcover")
    assert (cover.scheme, cover.native_resolution) == ("sandiao", 60.0)
    at = pyproj.Transformer.from_crs(4546, 4326, always_xy=True).transform
    assert value_at(County.objects.default(), "landcover", *at(sx + 1000, sy - 1000)).label == "water"
    assert value_at(County.objects.default(), "landcover", *at(sx - 3000, sy)).label == "cropland"
    assert value_at(County.objects.default(), "landcover", *at(sx + 3000, sy)).label == "forest"


def test_an_empty_grid_setting_takes_the_finest_rasters_cells(sample, tmp_path):
    # The sample's rasters are 60 m; a 1,009 m DEM (0.01° cells) does not make the grid coarser.
    County.objects.update(grid_cell=None)
    call_command("import_raster", "dem", str(lonlat_dem(tmp_path / "plane.tif")), verbosity=0)
    assert RasterLayer.objects.get(kind="dem").resolution == 60.0


def test_the_api_queues_an_import_and_the_job_makes_it_current(sample, tmp_path, client):
    source = lonlat_dem(tmp_path / "plane.tif")
    log_in(client, "analyst")
    with source.open("rb") as upload:
        assert client.post("/api/import/raster/dem/", {"file": upload}).status_code == 403
    log_in(client, "planner")
    with source.open("rb") as upload:
        answer = client.post("/api/import/raster/dem/", {"file": upload, "attribution": "plane © test"})
    assert answer.status_code == 202, answer.content
    job = Job.objects.get(pk=answer.json()["id"])
    assert job.kind == Job.Kind.RASTER and RasterLayer.objects.get(kind="dem").synthetic
    # What the worker runs (tests/test_jobs.py runs the worker itself).
    result = run_raster_import(job, Progress(job))
    assert "warped onto the county's 60 m grid" in result["summary"]
    value = client.get("/api/rasters/dem/value/", {"lon": SEAT[0], "lat": SEAT[1]}).json()
    assert value["value"] == pytest.approx(AT_SEAT, abs=0.9) and value["attribution"] == "plane © test"


def test_the_point_query_refuses_what_it_cannot_answer(sample, client):
    log_in(client, "official")
    query = "/api/rasters/%s/value/"
    assert client.get(query % "dem", {"lon": "east"}).status_code == 400
    assert client.get(query % "dem", {"lon": 200, "lat": 34}).status_code == 400
    assert client.get(query % "slope", {"lon": 110, "lat": 34}).status_code == 404
    RasterLayer.objects.filter(kind="landcover").delete()
    assert client.get(query % "landcover", {"lon": 110, "lat": 34}).status_code == 404
    outside = client.get(query % "dem", {"lon": 100, "lat": 30}).json()
    assert outside["value"] is None


def test_a_dem_on_a_new_grid_is_imported_and_says_the_land_use_is_not(sample, tmp_path):
    # The grid's cell changed from the sample's 60 m to 30 m: the DEM lands on the new grid, the
    # sample's land use stays on the old one until it is imported again; the import says so.
    County.objects.update(grid_cell=30)
    out = io.StringIO()
    call_command("import_raster", "dem", str(lonlat_dem(tmp_path / "plane.tif")), stdout=out)
    assert RasterLayer.objects.get(kind="dem").resolution == 30.0
    assert "the land cover is on another grid (60 m cells): import it again" in out.getvalue()


def test_options_that_cannot_go_together_are_refused_before_a_job_is_queued(sample, tmp_path, client):
    source = lonlat_dem(tmp_path / "plane.tif")
    log_in(client, "planner")
    for kind, options, words in (("landcover", {"units": "feet"}, "applies to a DEM's elevations only"),
                                 ("dem", {"srid": 2263}, "EPSG:2263 is neither lon/lat")):
        with source.open("rb") as upload:
            answer = client.post(f"/api/import/raster/{kind}/", {"file": upload, **options})
        assert answer.status_code == 400 and words in answer.json()["error"], answer.content
    assert not Job.objects.exists()


def test_a_bad_encoding_on_the_page_comes_back_with_the_form(sample, tmp_path, client):
    source = lonlat_dem(tmp_path / "plane.tif")
    log_in(client, "planner")
    with source.open("rb") as upload:
        page = client.post("/jobs/import/raster/", {"kind": "dem", "file": upload,
                                                    "encoding": "rot13"})
    assert page.status_code == 400 and "rot13" in page.content.decode()
    assert not Job.objects.exists()


# Refusals: one line each, nothing written ------------------------------------------------------

def _no_crs(tmp_path):
    return lonlat_dem(tmp_path / "nocrs.tif", crs=None)


def _partial(tmp_path):
    # Its west edge at 110.3 E: most of the county lies west of it.
    return lonlat_dem(tmp_path / "east.tif", west=110.3)


def _too_high(tmp_path):
    return lonlat_dem(tmp_path / "high.tif", values=lambda x, y, z: (z + 9000).astype("float32"))


def _holes(tmp_path):
    # No data within 12 km of the seat: about 450 km² of the county's 2,830, 16%.
    sx, sy = TO_4546.transform(*SEAT)
    return lonlat_dem(tmp_path / "holes.tif", nodata=-9999.0, values=lambda x, y, z: np.where(
        np.hypot(x - sx, y - sy) < 12000, -9999.0, z).astype("float32"))


def _not_a_raster(tmp_path):
    (tmp_path / "dem.tif").write_text("not a raster at all")
    return tmp_path / "dem.tif"


def _unsafe_zip(tmp_path):
    with zipfile.ZipFile(tmp_path / "dem.zip", "w") as archive:
        archive.writestr("../dem.tif", b"x")
    return tmp_path / "dem.zip"


def _unmapped(tmp_path):
    # Land use coded 1..6 but with 77 over the west half of the cells and 88 on one row.
    def codes(x, y, z):
        out = np.full(z.shape, 3, np.uint8)
        out[:, : z.shape[1] // 2] = 77
        out[0] = 88
        return out
    return lonlat_dem(tmp_path / "landuse.tif", values=codes, nodata=0)


REFUSALS = [
    ("dem", _no_crs, {}, "has no coordinate system"),
    ("dem", _partial, {}, "of the county; at least 99% is needed"),
    ("dem", _too_high, {}, "use --units feet"),
    ("dem", _holes, {}, "no data over 1"),
    ("dem", _not_a_raster, {}, "is not a raster GDAL can read"),
    ("dem", _unsafe_zip, {}, "unsafe path: ../dem.tif"),
    ("landcover", _unmapped, {}, "77"),
    ("landcover", lonlat_dem, {"units": "feet"}, "applies to a DEM's elevations only"),
]


@pytest.mark.parametrize("kind, write, options, words", REFUSALS,
                         ids=[w.__name__.strip("_") for _, w, _, _ in REFUSALS])
def test_refusals_are_one_line_and_change_nothing(sample, tmp_path, kind, write, options, words):
    folder = tmp_path / "in"
    folder.mkdir()
    path = write(folder) if write is not lonlat_dem else lonlat_dem(folder / "plain.tif")
    before = (database_state(), data_dir_state())
    with pytest.raises(CommandError) as refusal:
        call_command("import_raster", kind, str(path), verbosity=0, **options)
    message = str(refusal.value)
    assert words in message and "\n" not in message and "Traceback" not in message, message
    assert (database_state(), data_dir_state()) == before


def test_a_raster_over_the_size_limit_is_refused_unread(sample, tmp_path, settings):
    settings.MAX_RASTER_BYTES = 1000
    source = lonlat_dem(tmp_path / "big.tif")
    with pytest.raises(CommandError, match="larger than 0 MB, the raster size limit"):
        call_command("import_raster", "dem", str(source), verbosity=0)


def test_the_nodata_refusal_says_where(sample, tmp_path):
    with pytest.raises(RasterRefused) as refusal:
        import_raster(RasterOptions("dem", _holes(tmp_path)))
    # The hole is centred on the seat, 110.141 E 34.089 N
    assert "around 110.14" in str(refusal.value) and "34.0" in str(refusal.value)
