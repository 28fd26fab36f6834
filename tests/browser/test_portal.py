"""The map portal in headless Chromium, signed in as an official, with no internet."""
import pytest
from django.contrib.gis.db.models.functions import PointOnSurface, Transform

from layers.models import Industry, River, Road, ServiceCenter, Town, Village, Zone
from layers.tiles import road_classes
from tests.browser.conftest import SHOTS, sign_in

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def hostile_village(django_db_blocker):
    """A village renamed to an HTML injection for the length of one test."""
    with django_db_blocker.unblock():
        village = Village.objects.poor().order_by("code").first()
        Village.objects.filter(pk=village.pk).update(name=HOSTILE)
    yield village.code
    with django_db_blocker.unblock():
        Village.objects.filter(pk=village.pk).update(name=village.name)


@pytest.fixture
def portal(page, app_server):
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, app_server.url, "official")
    page.wait_for_function("window.gisplanPortal && window.gisplanPortal.ready")
    page.evaluate("window.gisplanPortal.ready")
    return page


def rendered(page, key):
    """How many features the layer group `key` holds on the map."""
    return page.evaluate(f"""() => {{
        const config = JSON.parse(document.getElementById('map-config').textContent);
        return window[config.groups['{key}']].getLayers().length; }}""")


def tile_ids(page, key):
    """The ids of the features the vector-tile layer of group `key` has drawn (the vendored
    Leaflet.VectorGrid 1.3.0 keeps each tile's features by id)."""
    return set(page.evaluate(f"""() => {{
        const c = JSON.parse(document.getElementById('map-config').textContent);
        const [layer] = window[c.groups['{key}']].getLayers();
        return Object.values(layer._vectorTiles).flatMap((tile) => Object.keys(tile._features)).map(Number); }}"""))


def tiles_drawn(page, key):
    """Wait until the vector-tile layer of group `key` has drawn every tile of the view
    (Leaflet's GridLayer._loading)."""
    page.wait_for_function(f"""() => {{
        const c = JSON.parse(document.getElementById('map-config').textContent);
        const [layer] = window[c.groups['{key}']].getLayers();
        return layer._loading === false && Object.keys(layer._vectorTiles).length > 0
            && Object.values(layer._tiles).every((tile) => tile.loaded); }}""")


def test_every_layer_is_drawn(portal, django_db_blocker):
    zoom = portal.evaluate("() => Math.round(window.gisplanMap.map.getZoom())")
    with django_db_blocker.unblock():
        clinics = ServiceCenter.objects.of_kind("village_clinic").count()
        expected = {
            "county": 1, "towns": Town.objects.count(), "zones": Zone.objects.in_force().count(),
            "rivers": River.objects.count(), "centers": ServiceCenter.objects.count() - clinics,
            "clinics": clinics, "industries": Industry.objects.count(),
        }
        villages = set(Village.objects.values_list("pk", flat=True))
        roads = set(Road.objects.filter(road_class__in=road_classes(zoom)).values_list("pk", flat=True))
    assert {key: rendered(portal, key) for key in expected} == expected
    # The villages and the roads (the classes of the tiles' zoom) come from the vector tiles.
    assert tile_ids(portal, "villages_incidence") == villages and tile_ids(portal, "roads") == roads
    assert portal.locator(".leaflet-control-layers-overlays label").count() == len(expected) + 3
    assert portal.locator(".legend").is_visible()
    assert portal.locator(".leaflet-control-measure").count() == 1
    assert portal.locator(".leaflet-control-zoom-fullscreen").count() == 1
    assert portal.locator(".zone-label").count() == 4
    # The two village layers are one at a time: switching on exit status hides incidence.
    shown = portal.evaluate("""() => {
        const c = JSON.parse(document.getElementById('map-config').textContent);
        const m = window[c.map];
        m.addLayer(window[c.groups.villages_exit]);  // what ticking it in the layer control does
        return [m.hasLayer(window[c.groups.villages_incidence]), m.hasLayer(window[c.groups.villages_exit])]; }""")
    assert shown == [False, True]
    tiles_drawn(portal, "villages_exit")
    assert tile_ids(portal, "villages_exit") == villages
    SHOTS.mkdir(parents=True, exist_ok=True)
    portal.screenshot(path=SHOTS / "portal.png")
    assert portal.foreign_requests == [] and portal.errors == []


def test_a_village_popup_shows_its_name_as_text(portal, hostile_village, django_db_blocker):
    portal.reload()
    portal.wait_for_function("window.gisplanPortal && window.gisplanPortal.ready")
    portal.evaluate("window.gisplanPortal.ready")
    portal.fill("#village-search", hostile_village)
    portal.press("#village-search", "Enter")
    title = portal.locator(".leaflet-popup-content .popup h3")
    title.wait_for()
    assert title.inner_text() == HOSTILE
    assert portal.locator(".leaflet-popup-content img").count() == 0
    # A poor village misses at least the incidence criterion of the standard module.
    assert "贫困发生率低于 3%" in portal.locator(".leaflet-popup-content").inner_text()
    portal.screenshot(path=SHOTS / "portal-popup.png")
    assert HOSTILE in portal.locator(".search-results").inner_text()
    # The tooltip of the village on the map (from its tile) and the popup a click opens: text.
    with django_db_blocker.unblock():
        inside = Village.objects.filter(code=hostile_village).annotate(
            inside=Transform(PointOnSurface("boundary"), 4326)).get().inside
    x, y = portal.evaluate(f"""() => new Promise((resolve) => {{
        const m = window.gisplanMap.map, at = [{inside.y}, {inside.x}];
        m.closePopup();
        m.once('moveend', () => setTimeout(() => {{
            const p = m.latLngToContainerPoint(at), box = m.getContainer().getBoundingClientRect();
            resolve([box.left + p.x, box.top + p.y]); }}, 0));
        m.setView(at, 15, {{animate: false}}); }})""")
    tiles_drawn(portal, "villages_incidence")
    portal.mouse.move(x - 5, y)
    portal.mouse.move(x, y, steps=5)  # mouse moves over the village: its tooltip follows
    assert portal.locator(".leaflet-tooltip:not(.zone-label)").inner_text() == HOSTILE
    portal.mouse.click(x, y)
    assert portal.locator(".leaflet-popup-content .popup h3").inner_text() == HOSTILE
    portal.screenshot(path=SHOTS / "portal-tile-popup.png")
    assert portal.locator(".leaflet-container img[src='x']").count() == 0
    assert portal.dialogs == [] and portal.errors == [] and portal.foreign_requests == []


def test_a_zone_page_frames_its_zone(page, app_server, django_db_blocker):
    sign_in(page, app_server.url, "official")
    page.goto(f"{app_server.url}/zones/W/")
    page.wait_for_function("window.gisplanPortal && window.gisplanPortal.ready")
    center = page.evaluate("() => { const p = window.gisplanMap.map.getCenter(); return [p.lng, p.lat]; }")
    with django_db_blocker.unblock():
        west, south, east, north = Zone.objects.in_force().get(code="W").web_boundary.extent
    assert west <= center[0] <= east and south <= center[1] <= north
    weights = page.evaluate("""() => { const w = {}; window.gisplanMap.group('zones').eachLayer((l) => {
        w[l.feature.properties.code] = l.options.weight; }); return w; }""")
    assert weights == {"W": 5, "C": 3, "E": 3, "N": 3}  # the zone's own outline stands out
    page.screenshot(path=SHOTS / "portal-zone-W.png")
    assert page.errors == [] and page.foreign_requests == []


def test_a_namesake_and_a_community_in_their_popups(portal):
    # 永丰镇's 王村 goes by its label (the county has two more 王村); 西街社区, a residents'
    # committee that was never a poor village, says it is not assessed for exit (退出评估).
    for code, title, assessed in (("611021114214", "王村（永丰镇）", True),
                                  ("611021001001", "西街社区", False)):
        portal.fill("#village-search", code)
        portal.press("#village-search", "Enter")
        portal.locator(".leaflet-popup-content .popup h3", has_text=title).wait_for()
        headers = portal.locator(".leaflet-popup-content th").all_inner_texts()
        assert ("退出评估" in headers) is not assessed, headers
    assert portal.errors == [] and portal.foreign_requests == []


def test_zoom_to_a_zone(portal):
    before = portal.evaluate("() => window.gisplanMap.map.getZoom()")
    portal.click("[data-zoom-zone='W']")
    portal.wait_for_function(f"() => window.gisplanMap.map.getZoom() > {before}")


def test_the_map_is_saved_as_png(portal):
    with portal.expect_download() as download:
        portal.click("#export-png")
    path = download.value.path()
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert download.value.suggested_filename.endswith(".png")
    download.value.save_as(SHOTS / "portal-export.png")  # the villages' and roads' tiles in it
    assert portal.foreign_requests == [] and portal.errors == []


def test_the_portal_switches_to_english(portal):
    portal.select_option("select[name=language]", "en")
    portal.wait_for_load_state("networkidle")
    portal.wait_for_function("window.gisplanPortal && window.gisplanPortal.ready")
    assert "Villages: poverty incidence" in portal.locator(".leaflet-control-layers").text_content()
    assert "Poverty incidence" in portal.locator(".legend").inner_text()
    portal.screenshot(path=SHOTS / "portal-en.png")
    assert portal.errors == []
