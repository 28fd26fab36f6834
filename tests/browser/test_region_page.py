"""The region portal in a browser: a city official sees the city's counties coloured by an
indicator, switches the indicator, and drills down to a county's portal from its popup; zoomed
in, the villages and roads come from the vector tiles, and a village has its popup."""
import pytest
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from jobs.models import Job
from jobs.tasks import RUNNERS, Progress
from layers.models import County, ServiceCoverage, Town, UserRegion, Village

from .conftest import SHOTS, sign_in


def city_user(username, role):
    """A user of 商洛市 (6110) with `role`, signing in with test-password-1."""
    user = User.objects.create_user(username, password="test-password-1")
    user.groups.add(Group.objects.get(name=role))
    UserRegion.objects.create(user=user, code="6110")


@pytest.fixture
def city(django_db_blocker):
    """丹凤县 (611022) as a 30 km square east of the sample county, with one village, and a city
    official of 商洛市 (6110); committed for the live server, removed afterwards."""
    with django_db_blocker.unblock():
        luonan = County.objects.get(adcode="611021")
        west, south, east, north = luonan.boundary.extent
        srid = luonan.boundary.srid
        square = MultiPolygon(Polygon.from_bbox((east, south, east + 30_000, south + 30_000)), srid=srid)
        square.srid = srid
        danfeng = County.objects.create(adcode="611022", name="丹凤县", boundary=square,
                                        rural_population=1000, poor_households=10, poor_population=30)
        town = Town.objects.create(county=danfeng, code="611022100", name="龙驹寨镇", boundary=square,
                                   seat=Point(east + 15_000, south + 15_000, srid=srid))
        Village.objects.create(code="611022100201", name="龙驹村", town=town,
                               location=Point(east + 15_000, south + 15_000, srid=srid),
                               boundary=MultiPolygon(Polygon.from_bbox((
                                   east + 14_000, south + 14_000, east + 16_000, south + 16_000)), srid=srid),
                               population=100, poor_population=10)
        County.objects.filter(pk=danfeng.pk).derive_web_shapes()
        city_user("city-official", "official")
    yield
    with django_db_blocker.unblock():
        Village.objects.filter(code="611022100201").delete()
        County.objects.filter(adcode="611022").delete()
        User.objects.filter(username="city-official").delete()


def test_a_city_official_browses_the_counties_and_opens_one(page, app_server, city):
    sign_in(page, app_server.url, "city-official")
    page.goto(f"{app_server.url}/region/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#county-figures tbody tr[data-county]").count() == 2
    assert page.locator("header select[name=county] option").count() == 2
    page.screenshot(path=SHOTS / "region-incidence.png")
    page.click("#indicator [data-indicator=exited_share]")
    assert page.get_attribute("#indicator [data-indicator=exited_share]", "aria-pressed") == "true"
    page.screenshot(path=SHOTS / "region-exited.png")
    page.click("#county-figures a:has-text('丹凤县')")
    page.wait_for_load_state("networkidle")
    assert "丹凤县" in page.locator("#stats h1").inner_text()
    page.screenshot(path=SHOTS / "region-drilldown.png")
    assert not page.errors and not page.foreign_requests


def test_zoomed_in_the_villages_come_from_the_vector_tiles(page, app_server, city, django_db_blocker):
    with django_db_blocker.unblock():
        lon, lat = Village.objects.get(code="611022100201").location.transform(4326, clone=True).coords
    sign_in(page, app_server.url, "city-official")
    tiles = []
    page.on("response", lambda r: tiles.append((r.url.split("/tiles/")[-1], r.status))
            if "/tiles/" in r.url else None)
    page.goto(f"{app_server.url}/region/")
    page.wait_for_load_state("networkidle")
    # 龙驹村, a 2 km square, at zoom 13 in the middle of the map: its tile is fetched and drawn.
    with page.expect_response(lambda r: "/tiles/villages/13/" in r.url):
        point = page.evaluate(f"""() => {{
            const map = window.gisplanMap.map;
            map.setView([{lat}, {lon}], 13, {{animate: false}});
            const p = map.latLngToContainerPoint([{lat}, {lon}]);
            const box = map.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y]; }}""")
    page.wait_for_load_state("networkidle")
    assert {name.split("/")[0] for name, _ in tiles} == {"villages", "roads"}
    assert {status for _, status in tiles} <= {200, 304}
    title = page.locator(".leaflet-popup-content .popup h3", has_text="龙驹村")
    for _ in range(10):  # until the tile is drawn: a click before that finds no village
        page.mouse.click(*point)
        try:
            title.wait_for(timeout=1000)
            break
        except PlaywrightTimeout:
            continue
    assert title.inner_text() == "龙驹村"
    assert "611022100201" in page.locator(".leaflet-popup-content").inner_text()
    page.screenshot(path=SHOTS / "region-village.png")
    assert not page.errors and not page.foreign_requests


@pytest.fixture
def city_analyst(django_db_blocker, city):
    with django_db_blocker.unblock():
        city_user("city-analyst", "analyst")
    yield
    with django_db_blocker.unblock():
        Job.objects.filter(user__username="city-analyst").delete()
        ServiceCoverage.objects.all().delete()
        User.objects.filter(username="city-analyst").delete()


def test_the_city_s_analyst_runs_the_region_s_coverage_and_sees_it_in_the_table(
        page, app_server, city_analyst, django_db_blocker):
    sign_in(page, app_server.url, "city-analyst")
    page.goto(f"{app_server.url}/region/")
    assert page.locator("#county-figures th.service").count() == 0
    page.select_option("#region-coverage select[name=service]", "health_check")
    page.click("#region-coverage button[type=submit]")
    page.wait_for_url("**/jobs/")
    with django_db_blocker.unblock():  # what the worker (manage.py run_jobs) would do
        job = Job.objects.get(user__username="city-analyst")
        assert (job.kind, job.region, job.params) == ("region_coverage", "6110", {
            "service": "health_check", "max_minutes": "30"})
        RUNNERS[job.kind](job, Progress(job))
        luonan = ServiceCoverage.objects.get(county__adcode="611021")
    page.goto(f"{app_server.url}/region/")
    heading = page.locator("#county-figures th.service")
    assert heading.inner_text() == "困难群众免费体检中心"
    cell = page.locator("#county-figures tr[data-county='611021'] td").last
    assert cell.inner_text() == f"{100 * luonan.poor_share:.1f}%"
    assert cell.get_attribute("title").startswith("30 分钟（道路）以内")
    page.screenshot(path=SHOTS / "region-services.png")
    assert not page.errors and not page.foreign_requests
