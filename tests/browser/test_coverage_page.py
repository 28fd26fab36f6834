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
