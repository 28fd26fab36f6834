"""The portal, the zone pages, the login wall, the language switch and the admin's map widget."""
import json
import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from layers.models import Village, Zone

# Any URL with a scheme or a protocol-relative one, in markup, styles or scripts.
OTHER_HOST = re.compile(r"""(?:https?:)?//(?!www\.w3\.org/)[a-z0-9.-]+\.[a-z]{2,}""", re.I)


@pytest.mark.parametrize("url", ["/", "/zones/C/", "/basemap.jpg", "/admin/"])
def test_anonymous_users_are_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_login_page_is_open_and_in_chinese(client, db):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def map_config(page):
    """The config of a page's map (maps/frame.py)."""
    return json.loads(re.search(r'<script id="map-config" type="application/json">(.*?)</script>',
                                page, re.S).group(1))


def test_every_role_sees_the_portal_with_the_county_figures(role_client):
    page = role_client.get("/").content.decode()
    assert "洛南县" in page and "合成示例数据" in page  # labelled synthetic
    total = re.search(r'<tr class="total" id="county-total">(.*?)</tr>', page, re.S).group(1)
    # The county row adds up the villages: 247 villages, 27,000 poor households, 86,000 poor
    # people, 24.8% (data/README.md); Chinese numbers have no thousands separator.
    cells = re.findall(r'<td class="n">([^<]*)</td>', total)
    assert cells[:4] == [str(Village.objects.count()), "27000", "86000", "24.8%"]
    config = map_config(page)
    assert set(config["groups"]) == {"county", "towns", "zones", "villages_incidence",
                                     "villages_exit", "rivers", "roads", "centers", "clinics",
                                     "industries"}
    assert config["page"]["api"] == "/api/layers/{name}/"


@pytest.mark.parametrize("code", ["C", "E", "N", "W"])
def test_each_zone_has_a_page_with_its_figures(role_client, code):
    zone = Zone.objects.in_force().get(code=code)
    page = role_client.get(reverse("maps:zone", args=[code])).content.decode()
    assert zone.name in page and zone.theme in page
    rows = re.findall(r'<tbody>(.*?)</tbody>', page, re.S)[0]
    assert rows.count("<tr") == 1  # the zone alone
    assert f">{Village.objects.in_zone(zone).count()}<" in rows


def test_an_unknown_zone_is_a_404(role_client):
    assert role_client.get("/zones/X/").status_code == 404


def test_a_user_without_a_role_may_not_see_the_portal(client, db):
    client.force_login(User.objects.create_user("nobody", password="x-1234567"))
    assert client.get("/").status_code == 403
    assert client.get("/basemap.jpg").status_code == 403


def test_the_portal_works_before_web_shapes_are_derived(role_client):
    # Rows written before web shapes existed (or by raw SQL) have none: the full shape is used.
    from layers.models import County
    County.objects.update(web_boundary=None)
    assert role_client.get("/").status_code == 200


def test_english_is_selectable(client, db):
    client.force_login(User.objects.get(username="official"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "Poverty incidence" in page and "Synthetic sample data" in page
    assert "86,000" in page
    assert "Villages: poverty incidence" in page  # the layer control too


def test_basemap_image_is_served_locally_and_cached(role_client):
    response = role_client.get("/basemap.jpg")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"  # JPEG magic
    assert "max-age" in response["Cache-Control"]
    again = role_client.get("/basemap.jpg", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304


def test_admin_is_for_planners_and_administrators(role_client):
    response = role_client.get("/admin/layers/village/")
    # A county's administrator is staff too: they read the lists (and manage the users).
    allowed = role_client.role in ("planner", "administrator", "admin")
    assert response.status_code == (200 if allowed else 302)


def pages_to_check():
    zone, village = Zone.objects.first(), Village.objects.first()
    pages = ["/", "/zones/C/", "/accounts/login/", "/admin/", "/admin/layers/village/",
             f"/admin/layers/village/{village.pk}/change/", f"/admin/layers/zone/{zone.pk}/change/",
             "/admin/layers/road/add/", "/admin/layers/servicecenter/add/"]
    return pages


def test_no_page_references_another_host(client, sample, settings):
    settings.TILE_URL = ""  # an online basemap is off unless configured
    client.force_login(User.objects.get(username="admin"))
    for url in pages_to_check():
        response = client.get(url)
        assert response.status_code == 200, url
        # folium's inline script carries a comment citing an issue on another host; a comment
        # is not something the browser follows.
        page = re.sub(r"^\s*//.*$", "", response.content.decode(), flags=re.M)
        assert not OTHER_HOST.findall(page), (url, OTHER_HOST.findall(page)[:3])
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+\.(?:js|css))"', page):
            from django.contrib.staticfiles import finders
            text = open(finders.find(asset[len("/static/"):]), encoding="utf-8").read()
            # Scripts may name hosts in comments or links; nothing they load may be remote.
            assert not re.search(r"""(?:url\(|@import|src=|\.src\s*=)\s*["']?(?:https?:)?//""", text), asset


def test_the_admin_map_widget_is_offline(client, sample):
    client.force_login(User.objects.get(username="admin"))
    page = client.get(f"/admin/layers/village/{Village.objects.first().pk}/change/").content.decode()
    assert "vendor/ol/ol.js" in page and "ol.source.ImageStatic" in page
    assert "https://" not in page


def test_a_configured_online_basemap_is_offered(role_client, settings):
    settings.TILE_URL = "https://t{s}.example.cn/tiles/{z}/{x}/{y}.png"
    settings.TILE_SUBDOMAINS = "01234567"
    page = role_client.get("/").content.decode()
    assert "https://t{s}.example.cn/tiles/{z}/{x}/{y}.png" in page
