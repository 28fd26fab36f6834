"""The siting page in headless Chromium: the suitability surface, the candidate sites and their
breakdown, the tables; a planner saves a site as a proposed industry; a bad request says why."""
import pytest

from layers.models import Industry
from tests.browser.conftest import SHOTS, sign_in

SAVED_NAME = "浏览器测试拟建加工厂"
HOSTILE = "<img src=x onerror=alert(1)>"


def run_page(page, app_server, query):
    page.goto(f"{app_server.url}/analysis/siting/?{query}")
    page.wait_for_selector("body[data-ready='1']", timeout=60_000)


def other_errors(page):
    """The page's errors but the console's note of an answer with an error status."""
    return [e for e in page.errors if not e.startswith("Failed to load resource")]


@pytest.fixture
def saved_industry(django_db_blocker):
    """Removes what the planner saves (the live server commits)."""
    yield SAVED_NAME
    with django_db_blocker.unblock():
        Industry.objects.filter(name=SAVED_NAME).delete()


@pytest.fixture
def hostile_project(django_db_blocker):
    """An existing manufacturing project renamed to an HTML injection for one test."""
    with django_db_blocker.unblock():
        industry = Industry.objects.filter(kind="manufacturing").order_by("pk").first()
        Industry.objects.filter(pk=industry.pk).update(name=HOSTILE)
    yield
    with django_db_blocker.unblock():
        Industry.objects.filter(pk=industry.pk).update(name=industry.name)


def test_an_analyst_sees_the_surface_the_sites_and_their_breakdown(page, app_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, app_server.url, "analyst")
    assert page.locator("header nav a[href='/analysis/siting/']").count() == 1
    run_page(page, app_server, "industry=manufacturing")
    assert page.locator("#siting-error").is_hidden()
    assert page.locator("#siting-results").is_visible()
    assert page.locator("#industry").input_value() == "manufacturing"
    # The surface image is loaded and placed.
    assert page.evaluate("() => document.querySelector('img.siting-surface').naturalWidth") > 0
    assert page.evaluate("() => window.gisplanSiting.map.hasLayer(window.gisplanSiting.surface)")
    # The candidate sites are drawn, and listed.
    sites = page.evaluate("() => window.gisplanSiting.data.sites.features.length")
    assert sites > 0
    assert page.evaluate("() => window.gisplanSiting.sites.getLayers().length") == sites
    assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() >= sites
    rows = page.locator("#sites-table tbody tr")
    assert rows.count() == sites
    assert rows.first.locator("td").first.inner_text() == "1"
    # The best site's breakdown is shown beside the tables.
    assert page.locator("#site-detail").is_visible()
    assert page.locator("#breakdown tbody tr").count() >= 2
    # The other tables.
    assert page.locator("#zones-table tbody tr").count() == 5  # four zones and the county
    assert page.locator("#excluded-table tbody tr").count() >= 1
    assert page.locator("#sensitivity-table tbody tr").count() >= 2
    assert page.locator("#existing-table tbody tr").count() >= 1
    assert "industry=manufacturing" in page.locator("#download-tif").get_attribute("href")
    assert "format=geojson" in page.locator("#download-geojson").get_attribute("href")
    assert page.locator("#siting-summary").inner_text().strip()
    # Analysts do not place industries.
    assert page.locator("#save-site").count() == 0 and page.locator("#save-name").count() == 0
    page.screenshot(path=str(SHOTS / "siting.png"))
    page.locator("#siting-panel").screenshot(path=str(SHOTS / "siting-panel.png"))
    page.locator("#existing-table").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "siting-tables.png"))

    # A row zooms to its site and opens its popup with the breakdown.
    zoom = page.evaluate("() => window.gisplanSiting.map.getZoom()")
    rows.nth(1).click()
    page.wait_for_selector(".leaflet-popup .breakdown")
    page.wait_for_timeout(400)
    assert page.evaluate("() => window.gisplanSiting.map.getZoom()") > zoom
    assert page.locator(".leaflet-popup .breakdown tbody tr").count() >= 2
    assert rows.nth(1).get_attribute("aria-selected") == "true"
    page.screenshot(path=str(SHOTS / "siting-site.png"))
    assert page.foreign_requests == [] and page.errors == []



def test_conflicts_are_dashed_and_a_zone_runs_alone(page, app_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, app_server.url, "analyst")
    run_page(page, app_server, "industry=livestock")
    conflicts = page.evaluate(
        "() => window.gisplanSiting.data.sites.features.filter((f) => f.properties.conflict).length")
    assert conflicts > 0  # livestock is planned for the West only
    dashed = page.locator(".leaflet-overlay-pane path.leaflet-interactive[stroke-dasharray]")
    assert dashed.count() == conflicts
    assert page.locator("#sites-table tbody tr.conflict").count() == conflicts
    page.screenshot(path=str(SHOTS / "siting-conflicts.png"))
    # The form runs by GET: a zone alone.
    page.select_option("#industry", "tourism")
    page.select_option("#zone", "W")
    with page.expect_navigation():
        page.click("#run")
    page.wait_for_selector("body[data-ready='1']", timeout=60_000)
    assert "zone=W" in page.url and "industry=tourism" in page.url
    assert page.locator("#zones-table tbody tr").count() == 1
    assert page.locator("#zones-table tbody tr").get_attribute("data-zone") == "W"
    assert page.evaluate("() => window.gisplanSiting.data.sites.features.every("
                         "(f) => f.properties.zone === 'W')")
    page.screenshot(path=str(SHOTS / "siting-zone.png"))
    assert page.foreign_requests == [] and page.errors == []

def test_a_planner_saves_a_candidate_as_a_proposed_industry(page, app_server, saved_industry,
                                                             django_db_blocker):
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, app_server.url, "planner")
    run_page(page, app_server, "industry=manufacturing")
    page.locator("#sites-table tbody tr").first.click()
    first = page.evaluate("() => window.gisplanSiting.data.sites.features[0].id")
    assert page.evaluate("() => window.gisplanSiting.selected") == first
    page.fill("#save-name", saved_industry)
    page.click("#save-site")
    page.wait_for_selector("#save-result.ok", timeout=60_000)
    assert saved_industry in page.locator("#save-result").inner_text()
    page.screenshot(path=str(SHOTS / "siting-saved.png"))
    with django_db_blocker.unblock():
        industry = Industry.objects.get(name=saved_industry)
        assert industry.status == Industry.Status.PROPOSED
        assert industry.kind == "manufacturing"
        assert industry.site is not None and industry.site.area > 0
        assert industry.site.contains(industry.location)
    assert page.foreign_requests == [] and page.errors == []


def test_a_planner_sees_why_a_save_is_refused(page, app_server):
    sign_in(page, app_server.url, "planner")
    run_page(page, app_server, "industry=manufacturing")
    page.evaluate("() => { window.gisplanSiting.selected = 'no-such-site'; }")
    page.fill("#save-name", "不会保存的项目")
    page.click("#save-site")
    page.wait_for_selector("#save-result.errors")
    assert page.locator("#save-result").inner_text().strip()
    assert page.foreign_requests == [] and other_errors(page) == []


def test_a_bad_request_shows_the_error(page, app_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, app_server.url, "analyst")
    run_page(page, app_server, "industry=nonsense")
    assert page.locator("#siting-error").is_visible()
    assert "nonsense" in page.locator("#siting-error").inner_text()  # the API's reason
    assert page.locator("#siting-results").is_hidden()
    assert page.locator("#map-busy").is_hidden()
    assert page.locator("#siting-form").is_visible()  # the user can choose again
    page.screenshot(path=str(SHOTS / "siting-error.png"))
    assert page.foreign_requests == [] and other_errors(page) == []


def test_names_are_shown_as_text(page, app_server, hostile_project):
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, app_server.url, "planner")
    run_page(page, app_server, "industry=manufacturing")
    assert HOSTILE in page.locator("#existing-table").inner_text()
    page.fill("#save-name", HOSTILE)
    page.evaluate("() => { window.gisplanSiting.selected = 'no-such-site'; }")  # saves nothing
    page.click("#save-site")
    page.wait_for_selector("#save-result.errors")
    assert page.locator("#siting-panel img, .leaflet-container img:not(.leaflet-image-layer)").count() == 0
    assert page.dialogs == [] and page.foreign_requests == []
