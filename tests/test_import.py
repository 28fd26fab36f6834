"""import_layer: encodings, coordinate systems, codes, all-or-nothing, zips, zones; each scenario
through the function, the command and the API (tests/layer_files.run_import)."""
import json
import zipfile

import pyproj
import pytest
import shapely
import shapely.affinity
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from layers.importing import reading
from layers.models import County, PlanVersion, Road, Town, Village, Zone

from .layer_files import Refused, in_srid, run_import, write_geojson, write_layer, write_xlsx, zip_shapefile

VIA = ("function", "command", "api")


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(params=VIA)
def via(request, client, sample):
    """How the import is run; the API as the planner (who may edit villages, centers, zones, roads)."""
    client.force_login(User.objects.get(username="planner"))
    return request.param


@pytest.fixture
def villages(sample):
    """The first three villages of the sample, by code."""
    return list(Village.objects.order_by("code")[:3])


def refused(via, client, kind, path, **options):
    with pytest.raises(Refused) as refusal:
        run_import(via, client, kind, path, **options)
    return str(refusal.value)


def renamed_points(villages, srid):
    """Each village's committee point in EPSG `srid`, under a new Chinese name."""
    return [({"code": v.code, "name": f"新{v.name}"}, in_srid(v.location, srid)) for v in villages]


# Encodings of shapefiles ---------------------------------------------------------------------

@pytest.mark.parametrize("cpg, ldid, expected", [
    (True, 0, "GBK"),  # fiona writes "GBK" into the .cpg; GDAL recodes from it
    (False, 0x4D, "CP936"),  # only the DBF language driver byte (0x4D = code page 936)
])
def test_gbk_shapefile_with_a_cpg_or_a_code_page_byte(via, client, villages, tmp_path, cpg, ldid, expected):
    shp = write_layer(tmp_path / "村.shp", renamed_points(villages, 4490), 4490, encoding="gbk")
    if not cpg:
        shp.with_suffix(".cpg").unlink()
        dbf = bytearray(shp.with_suffix(".dbf").read_bytes())
        dbf[29] = ldid
        shp.with_suffix(".dbf").write_bytes(dbf)
    summary = run_import(via, client, "villages", shp)
    assert "3 read, 0 created, 3 updated" in summary and expected in summary and "EPSG:4490" in summary
    assert [v.name for v in Village.objects.filter(code__in=[v.code for v in villages]).order_by("code")] \
        == [f"新{v.name}" for v in villages]


@pytest.mark.parametrize("encoding, detected", [("utf-8", "utf-8"), ("gbk", "gb18030")])
def test_shapefile_without_cpg_or_code_page_is_decoded_strictly(via, client, villages, tmp_path,
                                                                encoding, detected):
    shp = write_layer(tmp_path / "villages.shp", renamed_points(villages, 4490), 4490, encoding=encoding)
    shp.with_suffix(".cpg").unlink()  # and byte 29 is 0: fiona leaves it so
    assert shp.with_suffix(".dbf").read_bytes()[29] == 0
    summary = run_import(via, client, "villages", shp)
    assert f"({detected}, EPSG:4490)" in summary
    assert Village.objects.get(code=villages[0].code).name == f"新{villages[0].name}"


def test_encoding_option_wins_and_a_wrong_one_is_refused(via, client, villages, tmp_path):
    shp = write_layer(tmp_path / "villages.shp", renamed_points(villages, 4490), 4490, encoding="gbk")
    shp.with_suffix(".cpg").unlink()
    assert "not valid utf-8" in refused(via, client, "villages", shp, encoding="utf-8")
    assert Village.objects.get(code=villages[0].code).name == villages[0].name  # nothing written
    assert "(gbk, EPSG:4490)" in run_import(via, client, "villages", shp, encoding="gbk")
    assert Village.objects.get(code=villages[0].code).name == f"新{villages[0].name}"


# Coordinate systems --------------------------------------------------------------------------

@pytest.mark.parametrize("srid, prj, expected", [
    (4546, "WKT1_ESRI", 4546),  # CGCS2000_3_Degree_GK_CM_111E
    (4525, "WKT1_ESRI", 4525),  # CGCS2000_3_Degree_GK_Zone_37: x carries the zone number 37
    (4490, "WKT1_ESRI", 4490),  # GCS_China_Geodetic_Coordinate_System_2000
    # EPSG-style WKT with AUTHORITY tags; 4546 (3° zone CM 111E) and 4508 (6° zone CM 111E)
    # are the same projection, and pyproj may name either.
    (4546, "WKT1_GDAL", (4546, 4508)),
])
def test_prj_files_are_identified_to_epsg_codes(via, client, villages, tmp_path, srid, prj, expected):
    rows = [({"code": v.code}, in_srid(v.location, srid)) for v in villages]
    if srid == 4525:
        assert 37_400_000 < rows[0][1].x < 37_600_000  # zone-prefixed eastings
    shp = write_layer(tmp_path / "villages.shp", rows, srid)
    shp.with_suffix(".prj").write_text(pyproj.CRS.from_epsg(srid).to_wkt(prj))
    moved = Village.objects.filter(code=villages[0].code)
    moved.update(location=villages[1].location)  # the import puts it back where the file says
    summary = run_import(via, client, "villages", shp)
    assert any(f"EPSG:{code})" in summary for code in (expected if isinstance(expected, tuple) else (expected,)))
    assert moved.get().location.distance(villages[0].location) < 0.01  # metres: a round trip


def test_geojson_without_crs_is_lon_lat_and_metres_declared_as_degrees_are_refused(via, client, villages, tmp_path):
    lon_lat = write_geojson(tmp_path / "ok.geojson", [
        ({"code": v.code}, shapely.geometry.mapping(in_srid(v.location, 4326))) for v in villages])
    assert "EPSG:4326" in run_import(via, client, "villages", lon_lat)
    metres = write_geojson(tmp_path / "metres.geojson", [
        ({"code": v.code}, shapely.geometry.mapping(in_srid(v.location, 4546))) for v in villages])
    assert "feature 1: coordinates like" in (message := refused(via, client, "villages", metres))
    assert "look like metres in a file declared as degrees" in message


def test_missing_or_unknown_prj_is_refused_and_srid_overrides(via, client, villages, tmp_path):
    shp = write_layer(tmp_path / "villages.shp", [({"code": v.code}, in_srid(v.location, 4546))
                                                  for v in villages], 4546)
    shp.with_suffix(".prj").unlink()
    assert "--srid" in refused(via, client, "villages", shp)
    assert "EPSG:4546" in run_import(via, client, "villages", shp, srid=4546)
    # A Gauss-Kruger projection with a false easting of 400 km is no EPSG system.
    shp.with_suffix(".prj").write_text(
        pyproj.CRS.from_epsg(4546).to_wkt("WKT1_ESRI").replace("500000.0", "400000.0"))
    assert "matches no EPSG code" in refused(via, client, "villages", shp)


# Village codes and figures in tables ---------------------------------------------------------

def test_xlsx_codes_as_text_update_figures_and_numbers_that_lost_digits_are_refused(via, client, villages, tmp_path):
    v = villages[0]
    text = write_xlsx(tmp_path / "figures.xlsx", [
        ["村代码", "户数", "人口", "贫困户", "贫困人口"], [v.code, 120, 400, 10, 30]])
    assert "1 read, 0 created, 1 updated" in run_import(via, client, "villages", text)
    assert Village.objects.filter(code=v.code, households=120, population=400, poor_households=10,
                                  poor_population=30).exists()
    # The code typed as a number, with its first digit gone the way a leading zero goes.
    number = write_xlsx(tmp_path / "numbers.xlsx", [["code", "户数"], [int(v.code[1:]), 1]])
    message = refused(via, client, "villages", number)
    assert message.startswith("row 2: code:") and "store codes as text" in message


def test_csv_row_numbers_are_the_spreadsheets_and_unknown_codes_are_refused(via, client, villages, tmp_path):
    rows = ["code,population,poor_population"] + [f"{v.code},100,10" for v in villages]
    rows[3] = f"{villages[2].code},100,200"  # the fourth line: more poor people than people
    bad = tmp_path / "figures.csv"
    bad.write_text("\n".join(rows), encoding="gbk")
    message = refused(via, client, "villages", bad)
    assert message.startswith("row 4:") and "exceeds" in message
    assert not Village.objects.filter(population=100).exists()  # rows 2 and 3 were not written
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("code,population\n611021999999,5\n", encoding="utf-8")
    assert "row 2: no village has the code 611021999999" in refused(via, client, "villages", unknown)


def test_new_village_from_lon_lat_gets_the_town_containing_it(via, client, villages, tmp_path):
    point = in_srid(villages[0].location, 4490)
    table = tmp_path / "new.csv"
    table.write_text(f"lon,lat,村代码,名称\n{point.x},{point.y},611021999001,新村\n", encoding="utf-8")
    assert "1 created" in run_import(via, client, "villages", table, srid=4490)
    new = Village.objects.get(code="611021999001")
    assert new.town_id == villages[0].town_id and new.zone_id == villages[0].zone_id


# All or nothing ------------------------------------------------------------------------------

def test_one_bad_feature_refuses_the_file(via, client, villages, tmp_path):
    rows = [({"code": v.code, "households": 50}, shapely.geometry.mapping(in_srid(v.location, 4326)))
            for v in villages]
    rows.append(({"code": villages[0].code[:-1], "households": 50}, rows[0][1]))  # feature 4
    rows[2] = ({"code": villages[2].code, "households": -5}, rows[2][1])  # feature 3
    message = refused(via, client, "villages", write_geojson(tmp_path / "bad.geojson", rows))
    assert message.startswith("feature 3: households:")  # the first bad one, counted from 1
    assert not Village.objects.filter(households=50).exists()


def test_invalid_and_outside_geometries_are_refused(via, client, villages, tmp_path):
    west, south, east, north = in_srid(villages[0].boundary, 4326).bounds
    bowtie = {"type": "Polygon", "coordinates": [[[west, south], [east, north], [east, south],
                                                  [west, north], [west, south]]]}
    message = refused(via, client, "villages", write_geojson(
        tmp_path / "bowtie.geojson", [({"code": villages[0].code}, bowtie)]))
    assert message.startswith("feature 1: invalid geometry: Self-intersection")
    # The village's own polygon moved 30 km west: most of it leaves the county.
    moved = shapely.affinity.translate(in_srid(villages[0].boundary, 4546), -30_000)
    county = shapely.from_wkb(bytes(County.objects.get().boundary.wkb))
    assert moved.intersection(county).area < 0.9 * moved.area
    shp = write_layer(tmp_path / "moved.shp", [({"code": villages[0].code}, moved)], 4546)
    assert "feature 1: it lies outside the county" in refused(via, client, "villages", shp)


def test_dry_run_reports_and_writes_nothing(via, client, villages, tmp_path):
    shp = write_layer(tmp_path / "villages.shp", renamed_points(villages, 4490), 4490, encoding="utf-8")
    summary = run_import(via, client, "villages", shp, dry_run=True)
    assert "3 updated" in summary and "dry run" in summary
    assert sorted(Village.objects.filter(code__in=[v.code for v in villages]).values_list("name", flat=True)) \
        == sorted(v.name for v in villages)  # not renamed


def test_replace_refuses_to_break_protected_relations(villages, tmp_path, client):
    client.force_login(User.objects.get(username="admin"))  # planners do not edit towns
    towns = [({"code": t.code, "name": t.name}, in_srid(t.boundary, 4546)) for t in Town.objects.all()]
    gpkg = write_layer(tmp_path / "towns.gpkg", towns, 4546)
    for via in VIA:
        assert "--replace would delete towns" in refused(via, client, "towns", gpkg, replace=True)
    assert Town.objects.count() == 16  # the sample's towns, untouched
    assert "16 read, 0 created, 0 updated" in run_import("api", client, "towns", gpkg)


def test_roads_get_a_speed_from_their_class(via, client, sample, tmp_path):
    line = shapely.LineString([in_srid(v.location, 4326) for v in Village.objects.order_by("code")[:2]])
    path = write_geojson(tmp_path / "roads.geojson", [
        ({"名称": "新路", "等级": "county"}, shapely.geometry.mapping(line)),
        ({"名称": "快路", "等级": "county", "时速": 55, "单行": "是"}, shapely.geometry.mapping(line))])
    assert "2 read, 2 created" in run_import(via, client, "roads", path)
    # analysis/network.py ROAD_SPEED_KMH: a county road is 40 km/h.
    assert Road.objects.get(name="新路").speed_kmh == 40 and not Road.objects.get(name="新路").oneway
    assert Road.objects.get(name="快路").speed_kmh == 55 and Road.objects.get(name="快路").oneway


# Zips ----------------------------------------------------------------------------------------

def write_zip(path, entries):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("entries, reason", [
    ([("../evil.shp", b"x")], "unsafe path: ../evil.shp"),
    ([("/tmp/evil.shp", b"x")], "unsafe path: /tmp/evil.shp"),
    ([(f"f{i}.txt", b"x") for i in range(reading.MAX_ZIP_ENTRIES + 1)], "holds 51 files"),
    ([("zeros.dbf", bytes(20 * 2**20))], "compressed suspiciously well"),  # 20 MB -> about 20 KB
])
def test_unsafe_zips_are_refused_before_extraction(via, client, sample, tmp_path, entries, reason):
    (tmp_path / "inner").mkdir()
    archive = write_zip(tmp_path / "inner" / "bad.zip", entries)
    assert reason in refused(via, client, "villages", archive)
    assert not (tmp_path / "evil.shp").exists()


def test_zip_larger_than_the_limit_is_refused(via, client, sample, tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ZIP_BYTES", 2**20)  # 1 MB instead of 1000, for speed
    archive = write_zip(tmp_path / "big.zip", [("big.csv", b"code\n" + b"6" * (2**20 + 1))])
    assert "more than 1 MB" in refused(via, client, "villages", archive)


def test_zipped_shapefile_imports(via, client, villages, tmp_path):
    shp = write_layer(tmp_path / "villages.shp", renamed_points(villages, 4546), 4546, encoding="gbk")
    assert "3 updated" in run_import(via, client, "villages", zip_shapefile(shp))


# Zones: a new draft plan version, if the zones partition the county --------------------------

def zone_rows(shrink_east=0):
    rows = []
    for zone in Zone.objects.in_force():
        shape = in_srid(zone.boundary, 4546)
        if zone.code == "E" and shrink_east:
            shape = shape.buffer(-shrink_east)
        rows.append(({"code": zone.code, "name": zone.name, "color": zone.color},
                     shapely.MultiPolygon([shape]) if shape.geom_type == "Polygon" else shape))
    return rows


def test_zones_import_makes_a_draft_plan_version(via, client, sample, tmp_path):
    gpkg = write_layer(tmp_path / "新片区.gpkg", zone_rows(), 4546)
    summary = run_import(via, client, "zones", gpkg)
    assert "4 read, 4 created" in summary and "新片区" in summary
    plan = PlanVersion.objects.get(name="新片区")
    assert plan.status == "draft" and sorted(plan.zones.values_list("code", flat=True)) == ["C", "E", "N", "W"]
    assert Zone.history.filter(plan=plan).count() == 4  # their history starts with the import
    for zone in plan.zones.all():
        assert zone.boundary.equals_exact(Zone.objects.in_force().get(code=zone.code).boundary, 0.001)


def test_zones_with_a_gap_are_refused(via, client, sample, tmp_path):
    gpkg = write_layer(tmp_path / "gap.gpkg", zone_rows(shrink_east=200), 4546)
    before = PlanVersion.objects.count()
    message = refused(via, client, "zones", gpkg)
    assert "not a partition of the county" in message and "in no zone" in message
    assert PlanVersion.objects.count() == before


# Command line and API specifics --------------------------------------------------------------

def test_command_refuses_bad_input_in_one_line(sample, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_layer", "villages", str(tmp_path / "none.shp"), verbosity=0)
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(CommandError, match="not a file type that imports"):
        call_command("import_layer", "villages", str(tmp_path / "notes.txt"), verbosity=0)
    with pytest.raises(CommandError, match="unknown encoding"):
        call_command("import_layer", "villages", str(tmp_path / "notes.txt"), encoding="nope")


def test_api_roles(role_client, villages, tmp_path):
    path = tmp_path / "figures.csv"
    path.write_text(f"code,households\n{villages[0].code},{villages[0].households + 1}\n",
                    encoding="utf-8")
    with open(path, "rb") as upload:
        response = role_client.post("/api/import/villages/", {"file": upload, "dry_run": "true"})
    data = json.loads(response.content)
    if role_client.role in ("planner", "admin"):
        assert response.status_code == 200 and data["updated"] == 1 and data["dry_run"] is True
    else:  # officials and analysts do not edit villages
        assert response.status_code == 403 and data["error"]


def test_api_anonymous_and_unknown_layer(client, sample, tmp_path):
    path = tmp_path / "figures.csv"
    path.write_text("code\n", encoding="utf-8")
    with open(path, "rb") as upload:
        assert client.post("/api/import/villages/", {"file": upload}).status_code == 401
    client.force_login(User.objects.get(username="planner"))
    assert client.post("/api/import/rivers/").status_code == 404
    assert client.post("/api/import/towns/", {}).status_code == 403  # planners do not edit towns
    response = client.post("/api/import/villages/", {})
    assert response.status_code == 400 and "file" in json.loads(response.content)["error"]


def test_upload_page_shows_the_report_or_the_refusal(client, villages, tmp_path):
    client.force_login(User.objects.get(username="planner"))
    page = client.get("/data/import/")
    assert page.status_code == 200 and b'name="file"' in page.content
    assert b"/api/export/villages.gpkg" in page.content
    bad = tmp_path / "bad.csv"
    bad.write_text("code,households\n<b>611021</b>,1\n", encoding="utf-8")
    with open(bad, "rb") as upload:
        page = client.post("/data/import/", {"kind": "villages", "file": upload})
    assert b"row 2: code: &lt;b&gt;611021&lt;/b&gt; is not a code of 12 digits" in page.content
    good = tmp_path / "good.csv"
    good.write_text(f"code,households\n{villages[0].code},{villages[0].households + 1}\n",
                    encoding="utf-8")
    with open(good, "rb") as upload:
        page = client.post("/data/import/", {"kind": "villages", "file": upload, "dry_run": "on"})
    assert b"1 updated" in page.content and b"dry run" in page.content


def test_official_sees_downloads_but_no_upload_form(client, sample):
    client.force_login(User.objects.get(username="official"))
    page = client.get("/data/import/")
    assert page.status_code == 200 and b'name="file"' not in page.content
    assert b"/api/export/villages.xlsx" in page.content
