"""The coverage page in headless Chromium: catchments, uncovered villages and isochrones drawn."""
from tests.browser.conftest import SHOTS, sign_in


def test_an_analyst_sees_catchments_and_isochrones(page, app_server):
    sign_in(page, app_server.url, "analyst")
    page.goto(f"{app_server.url}/analysis/coverage/")
    page.select_option("#service", "relief")
    page.check("input[name=isochrones]")
    page.fill("#max-minutes", "20")
    page.click("#coverage-form button[type=submit]")
    page.wait_for_selector("body[data-ready='1']")
    # Of the sample's 247 villages (data/sample/shangluo_divisions_2023.csv).
    assert "247" in page.locator("#coverage-summary").inner_text()
    drawn = page.evaluate("""() => {
        let n = 0; window.gisplanAnalysis.map.eachLayer((l) => { if (l.feature) n += 1; }); return n; }""")
    assert drawn > 247  # the villages, the centers and their isochrones
    assert page.locator("#underserved tbody tr").count() > 0
    page.screenshot(path=str(SHOTS / "coverage.png"))
    assert page.foreign_requests == [] and page.errors == []


def test_the_capacities_are_listed_with_the_target_group(page, app_server):
    sign_in(page, app_server.url, "analyst")
    page.goto(f"{app_server.url}/analysis/coverage/?service=elderly_care&mode=euclidean"
              "&max_distance=8000&capacities=1")
    page.wait_for_selector("body[data-ready='1']")
    # The sample's four elderly care centers each have a capacity; the page is in Chinese.
    assert page.locator("#capacities tbody tr").count() == 4
    assert page.locator("#capacity-summary").inner_text().startswith("容量（60岁以上独居老人）")
    assert "60岁以上独居老人" in page.locator("#coverage-shares thead").inner_text()
    page.screenshot(path=str(SHOTS / "coverage-capacities.png"), full_page=True)
    assert page.foreign_requests == [] and page.errors == []


def test_new_sites_are_proposed_within_capacities(page, app_server):
    sign_in(page, app_server.url, "analyst")
    page.goto(f"{app_server.url}/analysis/coverage/?service=elderly_care&mode=euclidean"
              "&max_distance=8000&capacities=1&model=pmedian&p=1&keep_existing=1"
              "&new_capacity=500&time_limit=5")
    page.wait_for_selector("body[data-ready='1']")
    # The four elderly care centers kept and the one new site, each with its capacity and load.
    assert "容量" in page.locator("#proposal thead").inner_text()
    assert page.locator("#proposal tbody tr").count() == 5
    assert "在容量之内" in page.locator("#locate-summary").inner_text()
    page.screenshot(path=str(SHOTS / "coverage-locate-capacities.png"), full_page=True)
    assert page.foreign_requests == [] and page.errors == []
