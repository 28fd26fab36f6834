"""The GeoJSON layer endpoints: valid RFC 7946 in lon/lat, counts, bbox, search, errors, roles."""
import json

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry

from layers.models import County, Road, ServiceCenter, Village

# Layer -> its rows in the sample county: 1 county, 16 towns and 4 zones (data/README.md and
# data/sample/places.py), 247 villages (data/sample/shangluo_divisions_2023.csv), 34 industries
# (data/sample/services.py: 6 named + 28 by theme), 8 rivers (the Luo and 7 tributaries);
# centers and roads depend on the generated terrain, so they are counted in the database.
EXPECTED = {
    "county": lambda: 1, "towns": lambda: 16, "zones": lambda: 4, "villages": lambda: 247,
    "centers": lambda: ServiceCenter.objects.count(), "industries": lambda: 34,
    "roads": lambda: Road.objects.count(), "rivers": lambda: 8,
    "protected_areas": lambda: 2,  # the sample's ecological protection area and basic farmland
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
    assert (p["code"], p["name"], p["town"], p["zone"]) == (village.code, village.name,
                                                            village.town.name, village.zone.name)
    assert p["incidence"] == round(village.poor_population / village.population, 4)
    assert p["poor_population"] == village.poor_population
    # A poor village's incidence is at least 20% (data/sample/figures.py): it fails that criterion.
    assert "贫困发生率低于 3%" in p["standard_failed"]
    exited = Village.objects.exited().first()  # exited villages met the standard module
    _, data = get(role_client, "/api/layers/villages/", q=exited.code)
    assert data["features"][0]["properties"]["standard_failed"] == []


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


def test_bbox_on_point_layers_and_boxes_larger_than_the_county(role_client):
    center = ServiceCenter.objects.of_kind("relief").first()
    point = center.location.transform(4326, clone=True)
    box = f"{point.x - 0.0005},{point.y - 0.0005},{point.x + 0.0005},{point.y + 0.0005}"
    _, data = get(role_client, "/api/layers/centers/", bbox=box)
    assert center.name in {f["properties"]["name"] for f in data["features"]}
    # The whole world: cut to the county's surroundings, so every row still comes back.
    for name, count in (("centers", ServiceCenter.objects.count()), ("roads", Road.objects.count()),
                        ("villages", 247)):
        _, data = get(role_client, f"/api/layers/{name}/", bbox="-180,-85,180,85")
        assert len(data["features"]) == count, name


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
    assert response["WWW-Authenticate"]


def test_a_user_without_the_view_permission_gets_403(client, db):
    client.force_login(User.objects.create_user("nobody", password="x-1234567"))
    assert client.get("/api/layers/villages/").status_code == 403


def test_answers_are_gzipped_when_asked_and_cached_briefly(role_client):
    response = role_client.get("/api/layers/villages/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip" and "Accept-Encoding" in response["Vary"]
    assert "private" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]


def test_the_openapi_schema_documents_every_layer(client, db):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert {p for p in schema["paths"] if p.startswith("/api/layers/")} == {f"/api/layers/{name}/" for name in EXPECTED}
    villages = schema["paths"]["/api/layers/villages/"]["get"]
    assert {p["name"] for p in villages["parameters"]} == {"bbox", "zone", "town", "exit_status", "q"}
    assert set(villages["responses"]) == {"200", "400", "401", "403"}
