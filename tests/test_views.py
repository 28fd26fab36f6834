"""The home page, the login wall, the language switch and the admin's offline map widget."""
import re

import pytest
from django.contrib.auth.models import User

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.I)


@pytest.mark.parametrize("url", ["/", "/basemap.png", "/admin/"])
def test_anonymous_users_are_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_login_page_is_open_and_in_chinese(client, db):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_every_role_sees_the_county_figures(role_client):
    page = role_client.get("/").content.decode()
    assert "洛南县" in page
    # data/README.md: 86,000 poor people in 27,000 households, incidence 24.8%; Chinese
    # number formatting has no thousands separator.
    assert "86000" in page and "27000" in page and "24.8%" in page
    assert "合成示例数据" in page  # labelled synthetic
    assert page.count('class="swatch"') == 4  # one row per zone, then the county


def test_english_is_selectable(client, db):
    client.force_login(User.objects.get(username="official"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "Poverty incidence" in page and "Synthetic sample data" in page
    assert "86,000" in page


def test_basemap_image_is_served_locally(role_client):
    response = role_client.get("/basemap.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"


def test_admin_is_for_planners_and_administrators(role_client):
    response = role_client.get("/admin/layers/village/")
    allowed = role_client.role in ("planner", "admin")
    assert response.status_code == (200 if allowed else 302)


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/admin/layers/village/{village}/change/",
                                 "/admin/layers/zone/{zone}/change/", "/admin/layers/road/add/"])
def test_pages_load_nothing_from_another_host(client, sample, url):
    from layers.models import Village, Zone
    client.force_login(User.objects.get(username="admin"))
    page = client.get(url.format(village=Village.objects.first().pk,
                                 zone=Zone.objects.first().pk)).content.decode()
    assert not EXTERNAL.findall(page)
    if "change" in url:
        assert "vendor/ol/ol.js" in page and "ol.source.ImageStatic" in page
        assert "ol.source.OSM" not in page
