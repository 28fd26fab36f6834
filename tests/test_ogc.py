"""The OGC API – Features under /ogc/: each declared conformance class (Core, GeoJSON, HTML,
CRS by reference) tried over HTTP, the permissions of every other URL, and GDAL's OAPIF driver
(a real client) reading every collection from a live server.

Expected numbers come from the sample county's own tables (the same querysets, counted in the
test) or by hand where said."""
import json
import os
import subprocess

import pytest
import shapely
from django.contrib.auth.models import User
from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.gdal import DataSource
from django.test import Client

from layers.models import Village, VillagePeriod
from ogc.collections import COLLECTIONS
from ogc.views import CONFORMANCE
from tokens.models import ApiToken

from .test_counties import danfeng  # noqa: F401  (a fixture)
from .test_regions import user_in

LUONAN = "611021"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"


def bearer(user):
    _token, secret = ApiToken.objects.issue(User.objects.get(username=user) if isinstance(user, str)
                                            else user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def api(sample, english):
    """An official's token client (reading English)."""
    client = Client(**bearer("official"))
    client.cookies["django_language"] = "en"
    return client


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:300]
    return response


def counted(cid, region=LUONAN):
    return COLLECTIONS[cid].layer.queryset(region).count()


# Core -----------------------------------------------------------------------------------------

def test_the_landing_page_links_the_api_s_parts(api):
    landing = get(api, "/ogc/").json()
    rels = {link["rel"]: link["href"] for link in landing["links"]}
    assert rels["conformance"] == "http://testserver/ogc/conformance"
    assert rels["data"] == "http://testserver/ogc/collections"
    assert rels["service-doc"] == "http://testserver/ogc/api"
    assert get(api, "/ogc/api").status_code == 200
    # Only what is implemented is declared: Core, GeoJSON, HTML and CRS by reference, each
    # tried below; not OpenAPI 3.0 (no API definition is served).
    assert get(api, "/ogc/conformance").json()["conformsTo"] == CONFORMANCE == [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"]


def test_the_collections_are_the_layers_and_the_quarterly_figures(api):
    found = get(api, "/ogc/collections").json()["collections"]
    assert [c["id"] for c in found] == ["counties", "towns", "zones", "villages", "centers",
                                        "industries", "roads", "rivers", "protected_areas",
                                        "village_quarters"]
    villages = get(api, "/ogc/collections/villages").json()
    assert villages["itemType"] == "feature"
    west, south, east, north = villages["extent"]["spatial"]["bbox"][0]
    assert 109 < west < east < 111 and 33 < south < north < 35  # 洛南县, about 110°E 34°N
    assert {"items"} <= {link["rel"] for link in villages["links"]}
    quarters = get(api, "/ogc/collections/village_quarters").json()
    first, end = VillagePeriod.objects.periods()[0], VillagePeriod.objects.periods()[-1]
    end = (end[0] + (end[1] == 4), end[1] % 4 + 1)  # the quarter after the last begins the end
    assert quarters["extent"]["temporal"]["interval"] == [[
        f"{first[0]}-{first[1] * 3 - 2:02d}-01T00:00:00Z", f"{end[0]}-{end[1] * 3 - 2:02d}-01T00:00:00Z"]]
    assert get(api, "/ogc/collections/households", 404).json()["error"] == "no such collection: households"


def test_items_are_paged_with_next_links_until_every_feature_is_read(api):
    total = counted("villages")
    assert total == 247
    url, seen, pages = "/ogc/collections/villages/items?limit=100", [], 0
    while url:
        page = get(api, url).json()
        assert page["numberMatched"] == total and page["numberReturned"] == len(page["features"])
        seen += [f["id"] for f in page["features"]]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
        pages += 1
    assert pages == 3 and len(seen) == len(set(seen)) == total  # 100 + 100 + 47
    assert sorted(seen) == sorted(Village.objects.in_region(LUONAN).values_list("code", flat=True))
    last = get(api, "/ogc/collections/villages/items?limit=100&offset=200").json()
    assert [link["rel"] for link in last["links"]].count("prev") == 1


def test_an_item_is_found_by_its_code(api):
    village = Village.objects.in_region(LUONAN).order_by("code").first()
    feature = get(api, f"/ogc/collections/villages/items/{village.code}").json()
    assert feature["type"] == "Feature" and feature["id"] == village.code
    assert feature["properties"]["name"] == village.name
    zone = get(api, f"/ogc/collections/zones/items/{LUONAN}-E").json()
    assert zone["properties"]["code"] == "E"
    get(api, "/ogc/collections/villages/items/000000000000", 404)
    get(api, "/ogc/collections/centers/items/not-a-number", 404)


def test_bbox_and_property_filters_narrow_the_items(api):
    village = Village.objects.in_region(LUONAN).order_by("code").first()
    x, y = village.location.transform(4326, clone=True).coords
    near = get(api, f"/ogc/collections/villages/items?bbox={x - 1e-4},{y - 1e-4},{x + 1e-4},{y + 1e-4}").json()
    assert village.code in [f["id"] for f in near["features"]]
    assert near["numberMatched"] == len(near["features"]) < 5
    east = get(api, "/ogc/collections/villages/items?zone=E&limit=1000").json()
    assert east["numberMatched"] == Village.objects.in_region(LUONAN).filter(zone__code="E").count() > 0
    assert {f["properties"]["zone_code"] for f in east["features"]} == {"E"}
    # A box far from the county holds nothing.
    assert get(api, "/ogc/collections/villages/items?bbox=0,0,1,1").json()["numberMatched"] == 0


def test_datetime_picks_the_quarters_of_the_village_figures(api):
    # The second quarter of 2017: an instant in it, or the interval of it, is that quarter.
    one = VillagePeriod.objects.in_region(LUONAN).filter(year=2017, quarter=2).count()
    assert one > 0
    for when in ("2017-05-15", "2017-04-01T00:00:00Z/2017-06-30T23:59:59Z"):
        page = get(api, f"/ogc/collections/village_quarters/items?datetime={when}&limit=1").json()
        assert page["numberMatched"] == one, when
    # Open at the start: every quarter up to 2017Q2.
    upto = VillagePeriod.objects.in_region(LUONAN).filter(year__lte=2016).count() + \
        VillagePeriod.objects.in_region(LUONAN).filter(year=2017, quarter__lte=2).count()
    assert get(api, "/ogc/collections/village_quarters/items?datetime=../2017-06-30&limit=1").json()[
        "numberMatched"] == upto
    feature = get(api, "/ogc/collections/village_quarters/items?datetime=2017-05-15&limit=1").json()["features"][0]
    assert feature["id"] == f"{feature['properties']['village']}-2017Q2"
    assert get(api, f"/ogc/collections/village_quarters/items/{feature['id']}").json()["id"] == feature["id"]


@pytest.mark.parametrize("query, message", [
    ("limit=0", "limit is a whole number of at least 1"),
    ("offset=-1", "offset is a whole number of at least 0"),
    ("bbox=1,2,3", "bbox is four numbers"),
    ("bbox=3,2,1,4", "bbox's lower corner must lie below and left of its upper corner"),
    ("colour=red", "unknown parameter colour"),
    ("datetime=2017-13-01", "datetime is RFC 3339"),
    ("crs=EPSG:3857", "crs is one of"),
    ("f=xml", "f is json or html"),
])
def test_a_wrong_parameter_is_a_400_that_says_why(api, query, message):
    assert message in get(api, f"/ogc/collections/villages/items?{query}", 400).json()["error"]


def test_a_filter_of_a_number_given_a_word_is_a_400(api):
    assert "is a number" in get(api, "/ogc/collections/village_quarters/items?year=abc", 400).json()["error"]


def test_odd_feature_ids_are_not_found(api):
    for fid in ("%C2%B2", "1%00", "99999999999999999999"):
        get(api, f"/ogc/collections/centers/items/{fid}", 404)
    get(api, "/ogc/collections/villages/items/6110%00", 404)


def test_every_collection_takes_datetime_and_bbox_with_heights(api):
    # Core: datetime on every collection; the villages have no time, so all of them are kept.
    assert get(api, "/ogc/collections/villages/items?datetime=2017-05-15&limit=1").json()[
        "numberMatched"] == 247
    village = Village.objects.in_region(LUONAN).order_by("code").first()
    x, y = village.location.transform(4326, clone=True).coords
    six = f"{x - 1e-4},{y - 1e-4},-100,{x + 1e-4},{y + 1e-4},3000"
    assert village.code in [f["id"] for f in get(api, f"/ogc/collections/villages/items?bbox={six}").json()["features"]]


def test_a_large_limit_is_cut_to_the_largest_page(api):
    page = get(api, "/ogc/collections/village_quarters/items?limit=99999").json()
    assert page["numberReturned"] == min(10_000, counted("village_quarters"))


# GeoJSON --------------------------------------------------------------------------------------

def test_items_are_geojson_in_lon_lat_by_default(api):
    response = get(api, "/ogc/collections/centers/items?limit=5")
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Crs"] == f"<{CRS84}>"
    page = response.json()
    assert page["type"] == "FeatureCollection"
    lon, lat = page["features"][0]["geometry"]["coordinates"]
    assert 109 < lon < 111 and 33 < lat < 35


# HTML -----------------------------------------------------------------------------------------

def test_every_page_is_html_in_chinese_for_a_browser(sample):
    client = Client(**bearer("official"))
    village = Village.objects.in_region(LUONAN).order_by("code").first()
    for url in ("/ogc/", "/ogc/conformance", "/ogc/collections", "/ogc/collections/villages",
                "/ogc/collections/villages/items", f"/ogc/collections/villages/items/{village.code}",
                "/ogc/api"):
        response = client.get(url, HTTP_ACCEPT="text/html,application/xhtml+xml")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html"), url
        assert "<html" in response.content.decode()
    items = client.get("/ogc/collections/villages/items?f=html").content.decode()
    assert village.name in items and "行政村" in items and "下一页" in items
    # The second page links back to the first in HTML; the answer varies with Accept.
    second = client.get("/ogc/collections/villages/items?offset=100&f=html")
    assert 'href="http://testserver/ogc/collections/villages/items?f=html" rel="prev"' in second.content.decode()
    assert "Accept" in second["Vary"]
    # A browser without a session is sent to the sign-in page, never asked for Basic.
    signed_out = Client().get("/ogc/collections", HTTP_ACCEPT="text/html")
    assert signed_out.status_code == 302 and signed_out["Location"].startswith("/accounts/login/")


# CRS by reference -----------------------------------------------------------------------------

def test_a_crs_asked_for_by_its_uri_answers_in_its_axis_order(api):
    village = Village.objects.in_region(LUONAN).order_by("code").first()
    url = f"/ogc/collections/villages/items/{village.code}"
    lonlat = get(api, url).json()["geometry"]["coordinates"][0][0][0]
    # EPSG:4326 and 4490 are latitude first; CGCS2000 and WGS 84 differ by far less than the
    # precision here, so both read the CRS84 point swapped.
    for srid in (4326, 4490):
        response = get(api, f"{url}?crs={EPSG.format(srid)}")
        assert response["Content-Crs"] == f"<{EPSG.format(srid)}>"
        lat, lon = response.json()["geometry"]["coordinates"][0][0][0]
        assert abs(lat - lonlat[1]) < 1e-6 and abs(lon - lonlat[0]) < 1e-6
    # The storage CRS (CGCS2000 / 3-degree Gauss-Krüger CM 111E) is northing first.
    stored = village.boundary.coords[0][0][0]
    northing, easting = get(api, f"{url}?crs={EPSG.format(4546)}").json()["geometry"]["coordinates"][0][0][0]
    assert abs(easting - stored[0]) < 1e-3 and abs(northing - stored[1]) < 1e-3


def test_bbox_crs_reads_the_box_in_its_axis_order(api):
    village = Village.objects.in_region(LUONAN).order_by("code").first()
    lon, lat = village.location.transform(4326, clone=True).coords
    x, y = village.location.coords
    d = 1e-4
    boxes = {CRS84: (lon - d, lat - d, lon + d, lat + d),
             EPSG.format(4326): (lat - d, lon - d, lat + d, lon + d),
             EPSG.format(4546): (y - 10, x - 10, y + 10, x + 10)}  # northing first
    found = {uri: {f["id"] for f in get(api, "/ogc/collections/villages/items?bbox="
                                        + ",".join(map(str, box)) + f"&bbox-crs={uri}").json()["features"]}
             for uri, box in boxes.items()}
    assert all(village.code in ids for ids in found.values()), found


# Permissions ----------------------------------------------------------------------------------

def test_without_credentials_the_api_says_how_to_authenticate(sample):
    response = Client().get("/ogc/collections")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="gisplan", Basic realm="gisplan", charset="UTF-8"'
    token, secret = ApiToken.objects.issue(User.objects.get(username="official"), "x")
    token.revoked_at = token.created_at
    token.save()
    assert Client().get("/ogc/collections", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_a_county_s_token_sees_its_county_and_a_city_s_every_county_below(danfeng, english):  # noqa: F811
    county_user = Client(**bearer(user_in(LUONAN, "official")))
    city_user = Client(**bearer(user_in("6110", "official")))
    for cid in ("counties", "towns", "zones", "villages"):
        ids = [f["id"] for f in get(county_user, f"/ogc/collections/{cid}/items?limit=10000").json()["features"]]
        assert len(ids) == counted(cid) and not any(str(i).startswith("611022") for i in ids), cid
        city_ids = [f["id"] for f in get(city_user, f"/ogc/collections/{cid}/items?limit=10000").json()["features"]]
        assert len(city_ids) == counted(cid, "6110") == len(ids) + {"counties": 1, "towns": 1, "zones": 2,
                                                                    "villages": 1}[cid], cid
    get(county_user, "/ogc/collections/villages/items/611022100201", 404)
    assert get(city_user, "/ogc/collections/villages/items/611022100201").json()["properties"]["name"] == "龙驹村"


def test_no_collection_holds_personal_data(api):
    # The register of households is no collection, and no collection's properties name a
    # person: their fields are those of the layers, checked against the register's.
    fields = {name for c in COLLECTIONS.values() for name in c.layer.properties.values()}
    assert not any(word in field for field in fields for word in ("head_name", "id_number", "phone", "member"))
    page = get(api, "/ogc/collections").json()
    assert not any("household" in c["id"] for c in page["collections"])


# A real client --------------------------------------------------------------------------------

@pytest.fixture
def gdal_token(django_db_blocker):
    """An official's token, committed, for the live server's threads to find."""
    with django_db_blocker.unblock():
        token, secret = ApiToken.objects.issue(User.objects.get(username="official"), "GDAL")
    yield secret
    with django_db_blocker.unblock():
        token.delete()


def gdal(args, token, tmp_path):
    environment = {**os.environ, "GDAL_HTTP_HEADERS": f"Authorization: Bearer {token}",
                   "CPL_DEBUG": "OFF", "GDAL_HTTP_TIMEOUT": "120"}
    done = subprocess.run(args, env=environment, capture_output=True, text=True, timeout=600,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_gdal_reads_every_collection_and_writes_the_villages_to_a_geopackage(
        app_server, gdal_token, sample, tmp_path):
    source = f"OAPIF:{app_server.url}/ogc/"
    listed = gdal(["ogrinfo", "-ro", "-q", source], gdal_token, tmp_path)
    assert [line.split(":")[1].split()[0] for line in listed.splitlines() if ":" in line] == list(COLLECTIONS)
    # Every feature of every collection, read page by page (50 a page: the villages are five
    # pages, the quarterly figures seventy).
    for cid in COLLECTIONS:
        out = gdal(["ogrinfo", "-ro", "-al", "-q", "-oo", "PAGE_SIZE=50", source, cid], gdal_token, tmp_path)
        assert out.count("OGRFeature(") == counted(cid), cid
    gdal(["ogr2ogr", "-f", "GPKG", "villages.gpkg", source, "villages", "-oo", "PAGE_SIZE=100"],
         gdal_token, tmp_path)
    layer = DataSource(str(tmp_path / "villages.gpkg"))[0]
    written = {f.get("code"): shapely.from_wkb(bytes(f.geom.wkb)) for f in layer}
    stored = {code: shapely.from_wkb(bytes(g.wkb)) for code, g in Village.objects.in_region(LUONAN).annotate(
        lonlat=Transform("boundary", 4326)).values_list("code", "lonlat")}
    assert written.keys() == stored.keys()
    assert all(shapely.equals_exact(written[code], stored[code], tolerance=1e-7) for code in stored)


def test_no_feature_of_the_json_has_a_nan(api):
    page = get(api, "/ogc/collections/villages/items?limit=10000").content.decode()
    assert "NaN" not in page
    json.loads(page)
