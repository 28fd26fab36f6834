"""The zone editor in headless Chromium: a planner picks a village for another zone, previews,
saves; draws an area and previews it; the comparison map shows the land that moved."""
import pytest

from layers.models import PlanVersion, Village, Zone
from plans import edits
from tests.browser.conftest import SHOTS, sign_in


@pytest.fixture
def draft(django_db_blocker):
    """A draft of the plan in force, removed after the test (the live server commits)."""
    from django.contrib.auth.models import User
    with django_db_blocker.unblock():
        plan = edits.create_draft(PlanVersion.objects.approved().get(), "浏览器测试草稿",
                                  User.objects.get(username="planner"))
        village = Village.objects.filter(zone__code="E").order_by("code").first()
    yield plan, village
    with django_db_blocker.unblock():
        Zone.history.filter(plan_id=plan.pk).delete()
        plan.delete()


def screen_point(page, lon, lat):
    return page.evaluate(f"""() => {{
        const p = window.gisplanEditor.map.latLngToContainerPoint([{lat}, {lon}]);
        const box = window.gisplanEditor.map.getContainer().getBoundingClientRect();
        return [box.left + p.x, box.top + p.y]; }}""")


def test_a_planner_picks_a_village_previews_and_saves(page, app_server, draft, django_db_blocker):
    plan, village = draft
    sign_in(page, app_server.url, "planner")
    page.goto(f"{app_server.url}/plan/{plan.pk}/")
    page.wait_for_selector("body[data-ready='1']")
    page.screenshot(path=str(SHOTS / "plan-editor.png"))
    page.select_option("#edit-zone", "W")
    page.click("#pick-villages")
    page.wait_for_function("window.gisplanEditor.villages")
    location = village.location.transform(4326, clone=True)
    page.evaluate(f"() => {{ window.gisplanEditor.map.setView([{location.y}, {location.x}], 13); }}")
    page.wait_for_timeout(400)
    page.mouse.click(*screen_point(page, location.x, location.y))
    page.click("#preview-picked")
    page.wait_for_selector("#preview:not([hidden])")
    rows = page.locator("#preview-table tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("td").nth(3).inner_text() == "1"  # one village moves
    page.screenshot(path=str(SHOTS / "plan-preview.png"))
    page.fill("#edit-note", "browser test")
    with page.expect_navigation():
        page.click("#save-edit")
    page.wait_for_selector("body[data-ready='1']")
    with django_db_blocker.unblock():
        assert plan.zones.get(code="W").boundary.contains(village.location)
    assert "browser test" in page.locator("#history li").first.inner_text()
    page.screenshot(path=str(SHOTS / "plan-saved.png"))
    assert page.foreign_requests == [] and page.errors == []


def test_a_planner_draws_an_area_and_sees_what_it_moves(page, app_server, draft):
    plan, village = draft
    sign_in(page, app_server.url, "planner")
    page.goto(f"{app_server.url}/plan/{plan.pk}/")
    page.wait_for_selector("body[data-ready='1']")
    page.select_option("#edit-zone", "W")
    location = village.location.transform(4326, clone=True)
    page.evaluate(f"() => {{ window.gisplanEditor.map.setView([{location.y}, {location.x}], 14); }}")
    page.wait_for_timeout(400)
    page.click("#draw-area")
    x, y = screen_point(page, location.x, location.y)
    corners = [(x - 40, y - 40), (x + 40, y - 40), (x + 40, y + 40), (x - 40, y + 40), (x - 40, y - 40)]
    for corner in corners:
        page.mouse.click(*corner)
        page.wait_for_timeout(150)
    page.wait_for_selector("#preview:not([hidden])")
    # The square around an East village's committee takes that village for the West.
    assert village.code not in page.locator("#preview-table").inner_text()  # codes are not listed
    assert page.locator("#preview-table tbody tr").count() >= 1
    page.screenshot(path=str(SHOTS / "plan-drawn.png"))
    assert page.foreign_requests == [] and page.errors == []


def test_an_official_sees_the_comparison_map(page, app_server, draft, django_db_blocker):
    plan, _ = draft
    sign_in(page, app_server.url, "official")
    with django_db_blocker.unblock():
        approved = PlanVersion.objects.approved().get()
    page.goto(f"{app_server.url}/plan/compare/?a={approved.pk}&b={plan.pk}")
    page.wait_for_selector("body[data-ready='1']")
    assert page.locator("#compare-table tbody tr").count() == 4  # a row per zone
    page.screenshot(path=str(SHOTS / "plan-compare.png"))
    assert page.foreign_requests == [] and page.errors == []
