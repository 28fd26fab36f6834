"""Every map page is built by the one bootstrap (maps/frame.py, maps/static/maps/map.js): the
offline basemap, the scale, the legend and the layer control are there, the county is in view
and clear of the controls, and no request leaves the server. With the defects a new user met:
an empty coverage map before a run, the legend over the West zone, history times in UTC, the
missing icon, an editor without the villages, towns and roads."""
import re

import pytest
from django.utils import timezone

from layers.models import PlanVersion, ServiceCenter, Village, Zone
from tests.browser.conftest import SHOTS, sign_in


def map_pages():
    """(name, path) of every map page; the plan's id is filled in by the test."""
    return [("portal", "/"), ("zone", "/zones/W/"), ("editor", "/plan/{plan}/"),
            ("compare", "/plan/compare/?a={plan}&b={plan}"), ("coverage", "/analysis/coverage/"),
            ("siting", "/analysis/siting/")]


@pytest.fixture
def plan(django_db_blocker):
    with django_db_blocker.unblock():
        return PlanVersion.objects.approved().get().pk


def open_map(page, url):
    page.goto(url)
    page.wait_for_function("window.gisplanMap !== undefined")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("name, path", map_pages())
def test_every_map_page_is_built_by_the_one_bootstrap(page, app_server, plan, name, path):
    sign_in(page, app_server.url, "planner")
    open_map(page, app_server.url + path.format(plan=plan))
    assert page.locator("#map-config").count() == 1
    # The offline basemap, loaded from this server.
    basemap = page.locator("img.gisplan-basemap")
    assert basemap.count() == 1
    assert page.evaluate("() => document.querySelector('img.gisplan-basemap').naturalWidth") > 0
    assert page.locator(".leaflet-control-scale").is_visible()
    assert page.locator("#map-legend").count() == 1
    assert page.locator(".leaflet-control-layers").is_visible()
    # The view shows the county (or the zone): its bounds lie in the map.
    assert page.evaluate("""() => {
        const m = window.gisplanMap, b = L.latLngBounds(m.config.bounds);
        return m.map.getBounds().pad(0.01).contains(b); }""")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"map-{name}.png"))
    assert page.foreign_requests == [] and page.errors == []


@pytest.mark.parametrize("width, height", [(1400, 900), (1280, 720)])
def test_the_whole_county_is_visible_and_no_control_covers_it(browser, app_server, width, height):
    """At every vertex of the county's outline the browser shows the map itself: not a control
    (the legend, the search box, the zoom and layer buttons, the scale), not the side panel, not
    off the screen. Before, the legend hid the western arm of the county at 1400 x 900."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    sign_in(page, app_server.url, "official")
    page.wait_for_function("window.gisplanPortal && window.gisplanPortal.ready")
    hidden = page.evaluate("""() => {
        const m = window.gisplanMap, origin = m.map.getContainer().getBoundingClientRect();
        return m.config.outline.flat().filter((ll) => {
          const p = m.map.latLngToContainerPoint(ll);
          const shown = document.elementFromPoint(origin.left + p.x, origin.top + p.y);
          return !shown || !m.map.getContainer().contains(shown) || shown.closest('.leaflet-control');
        }); }""")
    page.screenshot(path=str(SHOTS / f"portal-{width}x{height}.png"))
    context.close()
    assert hidden == []


def test_the_coverage_page_shows_villages_centers_and_every_model_before_a_run(page, app_server,
                                                                               django_db_blocker):
    with django_db_blocker.unblock():
        villages = Village.objects.exclude(boundary=None).count()
        centers = ServiceCenter.objects.of_kind("elderly_care").count()
    sign_in(page, app_server.url, "analyst")
    page.goto(f"{app_server.url}/analysis/coverage/")
    page.wait_for_selector("body[data-ready='1']")
    count = "(key) => window.gisplanMap.group(key).getLayers().length"
    assert page.evaluate(f"({count})('county')") >= 1
    assert page.evaluate(f"({count})('villages')") == villages
    first = page.locator("#service").input_value()
    with django_db_blocker.unblock():
        first_count = ServiceCenter.objects.of_kind(first).count()
    assert page.evaluate(f"({count})('centers')") == first_count > 0
    models = page.locator("#model option").evaluate_all("(options) => options.map((o) => o.value)")
    assert models == ["", "lscp", "mclp", "pmedian", "pcenter"]
    # Another service: its centers.
    page.select_option("#service", "elderly_care")
    page.wait_for_function(f"({count})('centers') === {centers}")
    page.screenshot(path=str(SHOTS / "coverage-first-view.png"))
    assert page.foreign_requests == [] and page.errors == []


def test_history_times_are_in_the_sites_time_zone(browser, app_server, plan, django_db_blocker):
    """In a browser whose computer runs on UTC the history shows the time of the page header
    (the site's time zone, Asia/Shanghai): before, it showed UTC."""
    with django_db_blocker.unblock():
        latest = Zone.history.filter(plan_id=plan).latest("history_date").history_date
    local = timezone.localtime(latest)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="UTC")
    page = context.new_page()
    sign_in(page, app_server.url, "official")
    page.goto(f"{app_server.url}/plan/{plan}/")
    page.wait_for_selector("body[data-ready='1']")
    shown = page.locator("#history li .when").first.inner_text()
    context.close()
    assert local.strftime("%H:%M:%S") in shown, shown
    assert re.search(rf"\b0?{local.day}\b", shown)


def test_every_page_has_an_icon(page, app_server, client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"].startswith("image/")
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page.goto(f"{app_server.url}/accounts/login/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => document.querySelector('link[rel=icon]').href").endswith("/favicon.ico")
    assert page.errors == []  # no 404 for /favicon.ico in the console


def test_the_editor_shows_villages_towns_and_roads_to_draw_along(page, app_server, plan,
                                                                 django_db_blocker):
    with django_db_blocker.unblock():
        villages = Village.objects.exclude(boundary=None).count()
    sign_in(page, app_server.url, "planner")
    page.goto(f"{app_server.url}/plan/{plan}/")
    page.wait_for_selector("body[data-ready='1']")
    count = "(key) => window.gisplanMap.group(key).getLayers().length"
    assert page.evaluate(f"({count})('villages')") == 1  # one GeoJSON layer, the one picking uses
    assert page.evaluate("() => window.gisplanEditor.villages.getLayers().length") == villages
    assert page.evaluate(f"({count})('towns')") > 10 and page.evaluate(f"({count})('roads')") > 10
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert len(labels) == 5  # county, zones, towns, roads, villages
    assert page.foreign_requests == [] and page.errors == []


@pytest.fixture
def hostile_draft(django_db_blocker, plan):
    """A draft whose name is an HTML injection (a planner names drafts as they like)."""
    from django.contrib.auth.models import User

    from plans import edits
    with django_db_blocker.unblock():
        draft = edits.create_draft(PlanVersion.objects.get(pk=plan), HOSTILE,
                                   User.objects.get(username="planner"))
    yield draft
    with django_db_blocker.unblock():
        Zone.history.filter(plan_id=draft.pk).delete()
        draft.delete()


HOSTILE = "<img src=x onerror=alert(1)>"


def test_a_plan_named_like_html_is_shown_as_text_on_the_map(page, app_server, plan, hostile_draft):
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, app_server.url, "planner")
    page.goto(f"{app_server.url}/plan/compare/?a={hostile_draft.pk}&b={plan}")
    page.wait_for_selector("body[data-ready='1']")
    assert HOSTILE in page.locator(".leaflet-control-layers-overlays").text_content()
    assert HOSTILE in page.locator("#map-legend").text_content()
    assert page.locator(".leaflet-container img[src='x']").count() == 0
    assert page.dialogs == [] and page.foreign_requests == []


def click_at(page, lon, lat):
    """Click the map at a point, as a user does (the map first centred on it)."""
    page.evaluate(f"() => {{ window.gisplanMap.map.setView([{lat}, {lon}], 13, {{animate: false}}); }}")
    page.wait_for_timeout(500)  # the view's layers are drawn
    x, y = page.evaluate(f"""() => {{ const m = window.gisplanMap.map;
        const p = m.latLngToContainerPoint([{lat}, {lon}]), b = m.getContainer().getBoundingClientRect();
        return [b.left + p.x, b.top + p.y]; }}""")
    page.mouse.click(x, y)


def test_clicking_a_village_opens_its_popup_under_the_outlines(page, app_server, django_db_blocker):
    """The outlines drawn over the villages (towns, zones, the county) let the click through."""
    with django_db_blocker.unblock():
        village = Village.objects.filter(zone__code="E").order_by("code")[5]
        point = village.boundary.point_on_surface.transform(4326, clone=True)
    sign_in(page, app_server.url, "analyst")
    page.wait_for_function("window.gisplanPortal && window.gisplanPortal.ready")
    page.evaluate("window.gisplanPortal.ready")
    click_at(page, point.x, point.y)
    title = page.locator(".leaflet-popup-content .popup h3")
    title.wait_for()
    assert title.inner_text() == village.name
    # The coverage map's villages too, under the isochrones.
    page.goto(f"{app_server.url}/analysis/coverage/?service=relief&mode=network&max_minutes=30&isochrones=1")
    page.wait_for_selector("body[data-ready='1']")
    click_at(page, point.x, point.y)
    page.locator(".leaflet-popup-content .popup h3").wait_for()
    assert page.locator(".leaflet-popup-content .popup h3").inner_text() == village.name
    assert page.foreign_requests == [] and page.errors == []


def test_clicking_a_candidate_site_opens_its_breakdown_under_the_zones(page, app_server):
    sign_in(page, app_server.url, "analyst")
    page.goto(f"{app_server.url}/analysis/siting/?industry=manufacturing")
    page.wait_for_selector("body[data-ready='1']", timeout=60_000)
    page.evaluate("() => { window.gisplanMap.map.closePopup(); }")
    lon, lat = page.evaluate("""() => { let found = null;
        window.gisplanSiting.sites.eachLayer((l) => { if (l.feature.properties.rank === 1) {
          const c = l.getBounds().getCenter(); found = [c.lng, c.lat]; } });
        return found; }""")
    click_at(page, lon, lat)
    page.locator(".leaflet-popup .breakdown").wait_for()
    assert page.foreign_requests == [] and [e for e in page.errors if "Failed to load" not in e] == []
