"""Vector tiles: /tiles/<layer>/{z}/{x}/{y}.pbf read back with GDAL's MVT driver (through fiona),
on the sample county, whose every village lies in tile 6/51/25 (109.7-110.75 E, 33.9-34.5 N
are columns 51.50-51.69 and rows 25.46-25.59 at zoom 6) and is split by a tile edge at zoom 8
(rows 101.83-102.35: tiles 8/206/101 and 8/206/102).
"""
import math

import fiona
import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from layers.models import DataVersion, Road, Village
from layers.tiles import HALF_WORLD, MVT, TileRefused, tile_bounds

from .conftest import log_in

pytestmark = pytest.mark.usefixtures("english")
fiona.drvsupport.supported_drivers["MVT"] = "r"


def features(client, tmp_path, layer, z, x, y):
    response = client.get(f"/tiles/{layer}/{z}/{x}/{y}.pbf")
    assert response.status_code == 200 and response["Content-Type"] == MVT, response.content
    if not response.content:
        return {}
    path = tmp_path / f"{layer}-{z}-{x}-{y}.pbf"
    path.write_bytes(response.content)
    with fiona.open(path, driver="MVT", X=x, Y=y, Z=z) as tile:
        return {f.properties["mvt_id"]: (dict(f.properties), f.geometry.type) for f in tile}


def test_tile_bounds_by_hand():
    assert tile_bounds(0, 0, 0) == (-HALF_WORLD, -HALF_WORLD, HALF_WORLD, HALF_WORLD)
    # Zoom 1, column 1, row 0: the north-east quarter of the world.
    assert tile_bounds(1, 1, 0) == (0.0, 0.0, HALF_WORLD, HALF_WORLD)
    for z, x, y in ((21, 0, 0), (1, 2, 0), (1, 0, -1)):
        with pytest.raises(TileRefused):
            tile_bounds(z, x, y)


def test_one_tile_holds_the_county_and_its_villages_with_their_figures(sample, client, tmp_path):
    log_in(client, "official")
    tile = features(client, tmp_path, "villages", 6, 51, 25)
    villages = {v.pk: v for v in Village.objects.all()}
    assert set(tile) == set(villages) and len(tile) == 247
    village = next(v for v in villages.values() if v.population)
    props, kind = tile[village.pk]
    # At zoom 6 a village is a pixel or two: its committee's point, with what colours it (the
    # incidence to 0.1%).
    assert kind == "Point"
    assert props["exit_status"] == village.exit_status
    assert props["incidence"] == pytest.approx(village.poor_population / village.population, abs=0.0005)
    assert len(features(client, tmp_path, "county", 6, 51, 25)) == 1


def test_tiles_across_an_edge_hold_every_village_between_them(sample, client, tmp_path):
    log_in(client, "official")
    north = features(client, tmp_path, "villages", 8, 206, 101)
    south = features(client, tmp_path, "villages", 8, 206, 102)
    assert set(north) | set(south) == set(Village.objects.values_list("pk", flat=True))
    assert north and south  # the edge runs through the county


def test_points_and_lines_have_their_kinds(sample, client, tmp_path):
    log_in(client, "official")
    roads = features(client, tmp_path, "roads", 6, 51, 25)
    centers = features(client, tmp_path, "centers", 6, 51, 25)
    assert roads and {kind for _, kind in roads.values()} <= {"LineString", "MultiLineString"}
    assert centers and {kind for _, kind in centers.values()} == {"Point"}
    assert {props["road_class"] for props, _ in roads.values()} <= set(Road.RoadClass.values)


def committed_at_once():
    """The data's version grows when a transaction commits, and a test's never does: here the
    triggers run at the end of each statement instead."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_tile_without_rows_is_empty(sample, client):
    log_in(client, "official")
    far = client.get("/tiles/villages/6/0/0.pbf")
    assert far.status_code == 200 and far.content == b""


def test_tiles_are_cached_until_the_data_changes(sample, client, tmp_path):
    log_in(client, "official")
    url = "/tiles/villages/6/51/25.pbf"
    with CaptureQueriesContext(connection) as built:
        first = client.get(url)
    with CaptureQueriesContext(connection) as cached:
        second = client.get(url)
    assert any("ST_AsMVT" in q["sql"] for q in built.captured_queries)
    assert not any("ST_AsMVT" in q["sql"] for q in cached.captured_queries)
    assert second.content == first.content and second["ETag"] == first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and not again.content and again["ETag"] == first["ETag"]

    committed_at_once()
    village = Village.objects.filter(poor_population__gt=0).first()
    Village.objects.filter(pk=village.pk).update(poor_population=0)
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    tile = features(client, tmp_path, "villages", 6, 51, 25)
    assert tile[village.pk][0]["incidence"] == 0


def test_a_transaction_raises_the_version_once_however_many_rows_it_changes(sample):
    before = DataVersion.objects.current()
    committed_at_once()
    Village.objects.update(households=F("households"))  # 247 rows
    Road.objects.update(speed_kmh=F("speed_kmh"))
    assert DataVersion.objects.current() == before + 1


def test_bad_addresses_and_callers_are_refused(sample, client):
    assert client.get("/tiles/villages/6/51/25.pbf").status_code == 401
    log_in(client, "official")
    assert client.get("/tiles/villages/21/0/0.pbf").status_code == 400
    assert client.get("/tiles/villages/2/4/0.pbf").status_code == 400
    assert client.get("/tiles/households/6/51/25.pbf").status_code == 404


def test_the_tilejson_says_where_the_tiles_are_and_what_they_hold(sample, client):
    log_in(client, "official")
    doc = client.get("/tiles/villages.json").json()
    assert doc["tilejson"] == "3.0.0" and doc["tiles"] == ["http://testserver/tiles/villages/{z}/{x}/{y}.pbf"]
    west, south, east, north = doc["bounds"]  # the county: about 109.75-110.7 E, 33.95-34.45 N
    assert 109.6 < west < 109.9 and 110.6 < east < 110.8 and 33.8 < south < 34.0 and 34.3 < north < 34.6
    assert {"code", "label", "incidence", "exit_status"} <= set(doc["vector_layers"][0]["fields"])


def test_a_commit_raises_the_version_and_a_rollback_does_not(django_db_blocker):
    # Outside a test's transaction: each statement commits on its own (the row keeps its value).
    with django_db_blocker.unblock():
        before = DataVersion.objects.current()
        Village.objects.filter(pk=Village.objects.first().pk).update(households=F("households"))
        assert DataVersion.objects.current() == before + 1
        with pytest.raises(RuntimeError), transaction.atomic():
            Road.objects.update(speed_kmh=F("speed_kmh"))
            raise RuntimeError("rolled back")
        assert DataVersion.objects.current() == before + 1


def test_roads_come_by_class_as_the_map_zooms_in(sample, client, tmp_path):
    # The sample county's one tile at zoom 6 holds its national and provincial roads only (a
    # province's view); at zoom 11 a tile holds every class of road that meets it.
    log_in(client, "official")
    wide = features(client, tmp_path, "roads", 6, 51, 25)
    assert {props["road_class"] for props, _ in wide.values()} <= {"national", "provincial"}
    # (Segments shorter than a unit of the tile's grid, some 150 m at zoom 6, vanish.)
    assert 0 < len(wide) <= Road.objects.filter(road_class__in=["national", "provincial"]).count()
    lon, lat = Road.objects.filter(road_class="village").first().geometry.transform(4326, clone=True)[0]
    n = 2 ** 11  # the zoom-11 tile holding the first vertex of a village road
    x, y = int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    close = features(client, tmp_path, "roads", 11, x, y)
    assert "village" in {props["road_class"] for props, _ in close.values()}


def test_villages_are_points_below_zoom_9_and_polygons_from_it(sample, client, tmp_path):
    log_in(client, "official")
    village = Village.objects.exclude(population=0).order_by("code").first()
    lon, lat = village.location.transform(4326, clone=True).coords
    kinds = {}
    for z in (8, 9):
        n = 2 ** z  # the tile holding the village's committee
        x, y = int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        kinds[z] = features(client, tmp_path, "villages", z, x, y)[village.pk]
    assert kinds[8][1] == "Point" and kinds[9][1] in ("Polygon", "MultiPolygon")
    # The points carry what a map colours them by; the polygons every figure of the popups.
    assert {"incidence", "exit_status"} <= set(kinds[8][0]) and "code" not in kinds[8][0]
    assert (kinds[9][0]["population"], kinds[9][0]["label"]) == (village.population, village.name)
