"""The GeoJSON layer endpoints: valid RFC 7946 in lon/lat, counts, bbox, search, errors, roles."""
import json

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry

from layers.models import County, Industry, River, Road, ServiceCenter, Town, Village, Zone

EXPECTED = {  # layer -> its rows in the sample county
    "county": lambda: County.objects.count(), "towns": lambda: Town.objects.count(),
    "zones": lambda: Zone.objects.in_force().count(), "villages": lambda: Village.objects.count(),
    "centers": lambda: ServiceCenter.objects.count(), "industries": lambda: Industry.objects.count(),
    "roads": lambda: Road.objects.count(), "rivers": lambda: River.objects.count(),
}


def get(client, url, **params):
    response = client.get(url, params)
    return response, json.loads(b"".join(response.streaming_content) if response.streaming
                                else response.content)


@pytest.mark.parametrize("name", EXPECTED)
def test_each_layer_is_a_feature_collection_in_lon_lat(role_client, name):
    response, data = get(role_client, f"/api/layers/{name}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert data["type"] == "FeatureCollection" and "crs" not in data  # RFC 7946: no crs member
    assert len(data["features"]) == EXPECTED[name]()
    county = County.objects.get().boundary.transform(4326, clone=True).buffer(0.1)
    for feature in data["features"]:
        geometry = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)
        assert geometry.valid and county.contains(geometry.centroid), feature["id"]


def test_village_properties_carry_the_popup_figures(role_client):
    village = Village.objects.select_related("town", "zone").filter(exit_status="poor").first()
    _, data = get(role_client, "/api/layers/villages/", q=village.code)
    [feature] = data["features"]
    p = feature["properties"]
    assert (p["code"], p["name"], p["town"], p["zone"]) == (village.code, village.name, village.town.name, village.zone.name)
    assert p["incidence"] == round(village.poor_population / village.population, 4)
    assert p["poor_population"] == village.poor_population
    # A poor village's incidence is at least 20% (data/sample/figures.py): it fails that criterion.
    assert "贫困发生率低于 3%" in p["standard_failed"]


def test_bbox_keeps_what_the_box_touches(role_client):
    # A box around one village committee (±0.001° ≈ 100 m) touches that village's polygon and
    # at most its neighbours; the whole county's box returns every village.
    village = Village.objects.first()
    point = village.location.transform(4326, clone=True)
    box = f"{point.x - 0.001},{point.y - 0.001},{point.x + 0.001},{point.y + 0.001}"
    _, data = get(role_client, "/api/layers/villages/", bbox=box)
    codes = {f["properties"]["code"] for f in data["features"]}
    assert village.code in codes and len(codes) <= 4
    west, south, east, north = County.objects.get().boundary.transform(4326, clone=True).extent
    _, data = get(role_client, "/api/layers/villages/", bbox=f"{west},{south},{east},{north}")
    assert len(data["features"]) == Village.objects.count()
    _, data = get(role_client, "/api/layers/villages/", bbox="0,0,1,1")  # far from the county
    assert data["features"] == []


def test_filters_and_search(role_client):
    _, data = get(role_client, "/api/layers/centers/", kind="relief")
    assert len(data["features"]) == ServiceCenter.objects.of_kind("relief").count()
    assert {f["properties"]["kind_label"] for f in data["features"]} == {"救助政策便民服务中心"}
    _, data = get(role_client, "/api/layers/roads/", **{"class": "national"})
    assert {f["properties"]["road_class"] for f in data["features"]} == {"national"}
    name = Village.objects.order_by("code").first().name
    _, data = get(role_client, "/api/layers/villages/", q=name[:2])
    assert name in {f["properties"]["name"] for f in data["features"]}


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "nan,0,1,1", "10,0,5,1", "0,100,1,101"])
def test_bad_bbox_is_a_400_with_the_reason(role_client, bbox):
    response, data = get(role_client, "/api/layers/villages/", bbox=bbox)
    assert response.status_code == 400 and "bbox" in data["error"]


def test_unknown_layer_and_unsearchable_layer(role_client):
    assert role_client.get("/api/layers/nothing/").status_code == 404
    response, data = get(role_client, "/api/layers/roads/", q="G242")
    assert response.status_code == 400


def test_anonymous_callers_get_401(client, db):
    response = client.get("/api/layers/villages/")
    assert response.status_code == 401 and json.loads(response.content)["error"]


def test_a_user_without_the_view_permission_gets_403(client, db):
    client.force_login(User.objects.create_user("nobody", password="x-1234567"))
    assert client.get("/api/layers/villages/").status_code == 403


def test_answers_are_gzipped_when_asked(role_client):
    response = role_client.get("/api/layers/villages/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
