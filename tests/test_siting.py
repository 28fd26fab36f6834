"""Industry siting on the sample county: the run, the command, the API and the page.

The hand-checked arithmetic is in tests/test_suitability.py; here the sample county is used to
show that the constraints, zones and conflicts come through from the database."""
import io
import json

import fiona
import numpy as np
import pytest
import rasterio
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, LineString
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from layers.models import County, Industry, ProtectedArea, RasterLayer, Road, Zone
from siting.criteria import LAYERS, ZONE_LABELS, county_stack, zone_labels
from siting.runs import SitingOptions, run_siting

from .conftest import log_in

pytestmark = pytest.mark.django_db
API = "/api/analysis/suitability/"


@pytest.fixture(scope="module", autouse=True)
def data_dir(tmp_path_factory):
    """Criteria and surfaces of this module in a folder of its own, derived once."""
    with override_settings(DATA_DIR=tmp_path_factory.mktemp("siting")):
        yield


def read(path):
    with rasterio.open(path) as dataset:
        return dataset.read(1)


def test_constraints_leave_protected_steep_and_built_land_unscored(sample):
    run = run_siting(SitingOptions("manufacturing"))
    layers = {name: read(path) for name, path in run.county.stack.paths.items()}
    score = read(run.surface.path)
    scored = ~np.isnan(score)
    assert scored.sum() == run.surface.scored_cells > 0
    # The profile excludes slopes over 25 degrees, water and built-up land, the ecological
    # protection area and basic farmland: none of it has a score.
    assert not (scored & (layers["slope"] > 25)).any()
    assert not (scored & np.isin(layers["landcover"], [5, 6])).any()
    assert not (scored & (layers["ecological_protection"] == 1)).any()
    assert not (scored & (layers["basic_farmland"] == 1)).any()
    assert not (scored & (layers["zone"] == 0)).any()  # outside the county
    # Farming may use basic farmland.
    farming = read(run_siting(SitingOptions("modern_agriculture")).surface.path)
    assert (~np.isnan(farming) & (layers["basic_farmland"] == 1)).any()


def test_sites_are_ranked_with_breakdowns_that_add_up(sample):
    run = run_siting(SitingOptions("modern_agriculture", top=5))
    rows = run.site_rows()
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    for row, site in zip(rows, run.sites):
        assert row["score"] >= run.profile.threshold
        assert sum(c["contribution"] for c in row["criteria"]) == pytest.approx(row["score"])
        assert site.area >= run.profile.min_area
        assert row["zone"] in Zone.Code.values and row["village"]
    assert len(run.changes) == 2 * len(run.profile.criteria)  # each weight -20% and +20%


def test_a_zone_not_meant_for_the_industry_shows_its_suitable_land_as_a_conflict(sample):
    # In the sample only the Central zone is meant for manufacturing.
    run = run_siting(SitingOptions("manufacturing", top=20))
    assert run.intended == ["C"]
    for row in run.zone_rows():
        assert row["conflict_km2"] == (0 if row["code"] == "C" else row["suitable_km2"])
    assert sum(r["conflict_km2"] for r in run.zone_rows()) > 0
    assert all(r["conflict"] == (r["zone"] != "C") for r in run.site_rows())
    assert sum(r["suitable_km2"] for r in run.zone_rows()) == pytest.approx(
        run.surface.suitable_cells * run.cell_km2)


def test_one_zone_is_scored_alone(sample):
    run = run_siting(SitingOptions("tourism", zone="W"))
    scored = ~np.isnan(read(run.surface.path))
    assert scored.any()
    assert (read(run.county.stack.paths["zone"])[scored] == ZONE_LABELS["W"]).all()
    assert [r["code"] for r in run.zone_rows()] == ["W"]


def test_existing_projects_on_protected_land_or_in_the_wrong_zone_are_conflicts(sample, english):
    eco = ProtectedArea.objects.get(kind="ecological_protection").boundary.point_on_surface
    west = Zone.objects.in_force().get(code="W").boundary.point_on_surface
    county = County.objects.get()
    Industry.objects.create(county=county, kind="manufacturing", name="红线内工厂", location=eco)
    Industry.objects.create(county=county, kind="manufacturing", name="西部工厂", location=west)
    rows = {r["name"]: r for r in run_siting(SitingOptions("manufacturing")).existing_rows()}
    assert rows["红线内工厂"]["score"] is None
    assert "ecological protection area" in rows["红线内工厂"]["conflicts"]
    assert "zone W is not meant for this industry" in rows["西部工厂"]["conflicts"]


def test_an_imported_protection_area_takes_a_candidate_site_away(sample, tmp_path):
    # A county loads its own ecological protection area (生态保护红线) over the best site.
    best = run_siting(SitingOptions("manufacturing", top=1)).sites[0]
    outline = GEOSGeometry(best.geometry.buffer(60).wkt, srid=4546).transform(4326, clone=True)
    path = tmp_path / "红线.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": json.loads(outline.json),
        "properties": {"类型": "生态保护红线", "名称": "新划红线"}}]}, ensure_ascii=False),
        encoding="utf-8")
    call_command("import_layer", "protected_areas", str(path), stdout=io.StringIO())
    assert ProtectedArea.objects.filter(kind="ecological_protection", name="新划红线").exists()
    after = run_siting(SitingOptions("manufacturing", top=20))
    assert best.id not in {s.id for s in after.sites}
    score = read(after.surface.path)
    row, col = (int(n) for n in best.id[1:].split("c"))
    assert np.isnan(score[row, col])


def test_distances_to_trunk_roads_are_to_fewer_roads(sample):
    paths = county_stack(County.objects.get()).stack.paths
    road, trunk = read(paths["road_distance"]), read(paths["trunk_road_distance"])
    assert (trunk >= road).all() and (trunk > road).any()
    assert set(paths) == set(LAYERS)


def test_criteria_are_derived_once_and_again_after_an_edit(sample):
    first = county_stack(County.objects.get()).stack.paths["road_distance"]
    assert county_stack(County.objects.get()).stack.paths["road_distance"] == first
    road = Road.objects.first()
    road.geometry = LineString([(x + 500, y) for x, y in road.geometry.coords],
                               srid=road.geometry.srid)
    road.save()
    assert county_stack(County.objects.get()).stack.paths["road_distance"] != first


def test_without_a_land_use_a_profile_runs_on_its_other_criteria_and_says_so(sample, english):
    # A county that has imported its DEM but no land use yet. Tourism scores land cover (a
    # criterion) and excludes built-up land and water with it (a constraint): both drop out.
    RasterLayer.objects.filter(kind="landcover").delete()
    run = run_siting(SitingOptions("tourism"))
    assert run.omitted == ("landcover",)
    assert "landcover" not in {criterion.layer for criterion in run.profile.criteria}
    assert "run without land cover: the county has none" in run.summary()
    assert run.sites  # the other criteria still find candidate sites


def test_a_land_cover_off_the_dem_grid_is_refused_by_command_and_api(sample, client, tmp_path):
    cover = RasterLayer.objects.get(kind="landcover")
    shifted = tmp_path / "landcover.tif"
    with rasterio.open(cover.path) as src:
        profile = src.profile
        profile["transform"] = src.transform @ rasterio.Affine.translation(0.5, 0)
        with rasterio.open(shifted, "w", **profile) as dst:
            dst.write(src.read())
    RasterLayer.objects.filter(pk=cover.pk).update(path=str(shifted))
    kept = sorted((settings.DATA_DIR / "criteria").rglob("*"))
    with pytest.raises(CommandError, match="does not align"):
        call_command("suitability", "--industry", "tourism", "--out", str(tmp_path / "x.tif"))
    response = log_in(client, "analyst").get(API, {"industry": "tourism"})
    assert response.status_code == 400 and "does not align" in response.json()["error"]
    assert not (tmp_path / "x.tif").exists()
    assert sorted((settings.DATA_DIR / "criteria").rglob("*")) == kept  # nothing derived


# The command -------------------------------------------------------------------------------------

def test_the_command_writes_the_cog_and_the_sites_and_prints_them(sample, tmp_path, english):
    out = io.StringIO()
    call_command("suitability", "--industry", "manufacturing", "--zone", "C", "--top", "3",
                 "--out", str(tmp_path / "m.tif"), stdout=out)
    text = out.getvalue()
    assert "candidate sites" in text and "  1. r" in text and "  3. r" in text
    with rasterio.open(tmp_path / "m.tif") as surface:
        assert surface.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
        assert surface.crs.to_epsg() == 4546
    with fiona.open(tmp_path / "m-sites.geojson") as sites:
        features = list(sites)
        assert [f["properties"]["rank"] for f in features] == [1, 2, 3]
        assert {f["properties"]["zone"] for f in features} == {"C"}
        x, y = features[0]["geometry"]["coordinates"][0][0][0]
        assert 109 < x < 111 and 33 < y < 35  # lon/lat
        assert features[0]["properties"]["slope_score"] > 0
    call_command("suitability", "--industry", "tourism", "--top", "2",
                 "--out", str(tmp_path / "t.tif"), "--sites", str(tmp_path / "t.gpkg"),
                 stdout=io.StringIO())
    with fiona.open(tmp_path / "t.gpkg") as sites:
        assert len(sites) == 2 and sites.crs.to_epsg() == 4546


@pytest.mark.parametrize("args, message", [
    (["--industry", "tourism", "--out", "x.png"], "must end in .tif"),
    (["--industry", "tourism", "--sites", "x.shp"], "must end in .geojson or .gpkg"),
    (["--industry", "tourism", "--out", "/no/such/folder/x.tif"], "no folder"),
    (["--industry", "tourism", "--top", "0"], "top is a whole number"),
])
def test_the_command_refuses_bad_options(sample, tmp_path, english, args, message, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match=message):
        call_command("suitability", *args)
    assert not list(tmp_path.iterdir())


# The API -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("username, status", [(None, 401), ("official", 403), ("analyst", 200)])
def test_the_api_answers_analysts_only(sample, client, username, status):
    if username:
        log_in(client, username)
    assert client.get(API, {"industry": "livestock", "top": 2}).status_code == status


@pytest.mark.parametrize("params, message", [
    ({}, "give the industry type"), ({"industry": "mining"}, "unknown industry type"),
    ({"industry": "tourism", "zone": "X"}, "unknown zone"),
    ({"industry": "tourism", "top": "ten"}, "top must be a whole number"),
    ({"industry": "tourism", "top": "0"}, "top is a whole number from 1"),
    ({"industry": "tourism", "top": "²"}, "top must be a whole number"),
    ({"industry": "tourism", "format": "shp"}, "format is json, geojson or tif"),
])
def test_bad_options_get_a_400_with_the_reason(sample, client, params, message):
    response = log_in(client, "analyst").get(API, params)
    assert response.status_code == 400 and message in response.json()["error"]


def test_a_zone_missing_from_the_plan_in_force_is_a_400(sample, client):
    Zone.objects.in_force().get(code="W").delete()
    response = log_in(client, "analyst").get(API, {"industry": "tourism", "zone": "W"})
    assert response.status_code == 400
    assert response.json()["error"] == "the plan in force has no zone W"


def test_a_broken_profile_file_is_a_400_with_the_reason(sample, client, tmp_path):
    broken = tmp_path / "profiles.toml"
    broken.write_text("[[profile]\n", encoding="utf-8")
    with override_settings(INDUSTRY_PROFILES=broken):
        response = log_in(client, "analyst").get(API, {"industry": "tourism"})
    assert response.status_code == 400 and "profiles.toml" in response.json()["error"]


def test_the_api_gives_figures_sites_surface_and_downloads(sample, client):
    log_in(client, "analyst")
    data = client.get(API, {"industry": "livestock", "top": 3}).json()
    assert {"summary", "zones", "villages", "excluded", "sensitivity", "existing", "sites",
            "surface"} <= set(data)
    sites = data["sites"]["features"]
    assert len(sites) == 3 and sites[0]["properties"]["criteria"]
    lon, lat = sites[0]["geometry"]["coordinates"][0][0][0]
    assert 109 < lon < 111 and 33 < lat < 35
    png = client.get(data["surface"]["png"])
    assert png["Content-Type"] == "image/png" and png.content[:4] == b"\x89PNG"
    south, west, north, east = json.loads(png["X-Bounds"])
    assert 33 < south < north < 35 and 109 < west < east < 111
    tif = client.get(data["surface"]["tif"])
    assert tif["Content-Type"] == "image/tiff" and b"".join(tif.streaming_content)[:2] == b"II"
    geojson = client.get(API, {"industry": "livestock", "top": 3, "format": "geojson"})
    assert len(geojson.json()["features"]) == 3


def test_a_planner_saves_a_candidate_as_a_proposed_industry(sample, client):
    site = run_siting(SitingOptions("tourism", "N", top=1)).sites[0]
    before = Industry.objects.count()
    payload = {"industry": "tourism", "zone": "N", "site": site.id, "name": "花海观光园"}
    for username, status in (("analyst", 403), ("official", 403)):
        response = log_in(client, username).post(f"{API}sites/", payload,
                                                 content_type="application/json")
        assert response.status_code == status
    log_in(client, "planner")
    for bad, status in (({**payload, "site": "r0c0"}, 409), ({**payload, "name": " "}, 400),
                        ({**payload, "industry": "mining"}, 400), ("[1]", 400)):
        response = client.post(f"{API}sites/", bad, content_type="application/json")
        assert response.status_code == status, bad
    assert Industry.objects.count() == before
    response = client.post(f"{API}sites/", payload, content_type="application/json")
    assert response.status_code == 201
    saved = Industry.objects.get(pk=response.json()["id"])
    assert (saved.name, saved.kind, saved.status, saved.zone.code) == (
        "花海观光园", "tourism", "proposed", "N")
    assert saved.site.area == pytest.approx(site.area)
    assert saved.site.contains(saved.location)


def test_a_candidate_beyond_the_first_ten_can_be_saved(sample, client):
    twelfth = run_siting(SitingOptions("planting", top=12)).sites[11]
    response = log_in(client, "planner").post(
        f"{API}sites/", {"industry": "planting", "site": twelfth.id, "name": "竹廊十二号"},
        content_type="application/json")
    assert response.status_code == 201


def test_saving_needs_the_csrf_token(sample):
    client = Client(enforce_csrf_checks=True)
    log_in(client, "planner")
    response = client.post(f"{API}sites/", {"industry": "planting", "site": "r1c1", "name": "x"},
                           content_type="application/json")
    assert response.status_code == 403


def test_the_schema_documents_the_siting_endpoints(sample, client):
    paths = log_in(client, "analyst").get("/api/schema/").json()["paths"]
    operation = paths[API]["get"]
    assert {"200", "400", "401", "403"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} >= {"industry", "zone", "top", "format"}
    assert "post" in paths[f"{API}sites/"] and "get" in paths[f"{API}surface.png"]


# The page ----------------------------------------------------------------------------------------

def test_the_page_is_for_analysts_and_planners(sample, client):
    assert client.get("/analysis/siting/").status_code == 302  # to the login page
    assert log_in(client, "official").get("/analysis/siting/").status_code == 403
    for username in ("analyst", "planner"):
        assert log_in(client, username).get("/analysis/siting/").status_code == 200


def test_zones_of_other_codes_get_labels_after_the_sample_s():
    # E 1, W 2, N 3, C 4 as ever; a county's other codes follow in alphabetical order.
    assert zone_labels(["W", "S", "NE"]) == {"E": 1, "W": 2, "N": 3, "C": 4, "NE": 5, "S": 6}
