"""The home page and the admin's map widget work in a browser with no internet."""
from tests.browser.conftest import SHOTS, sign_in


def test_home_page_in_chinese_with_the_figures(page, app_server):
    sign_in(page, app_server.url, "official")
    assert page.locator("#synthetic-note").is_visible()
    assert "合成示例数据" in page.locator("#synthetic-note").inner_text()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("#zone-figures tbody tr").count() == 5  # four zones and the county
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "home.png", full_page=True)
    assert page.foreign_requests == [] and page.errors == []


def test_admin_map_widget_draws_the_basemap_offline(page, app_server):
    sign_in(page, app_server.url, "planner")
    page.goto(f"{app_server.url}/admin/layers/village/")
    page.click("#result_list tbody tr:first-child th a")
    page.wait_for_load_state("networkidle")
    page.locator("#id_boundary_map canvas").first.wait_for()
    # OpenLayers draws the basemap once the image has loaded: wait until the canvas has many
    # distinct colours (an empty map has one or two).
    page.wait_for_function("""() => {
        const c = document.querySelector('#id_boundary_map canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const seen = new Set();
        for (let i = 0; i < d.length; i += 4 * 97) seen.add(d[i] + ',' + d[i+1] + ',' + d[i+2]);
        return seen.size > 50;
    }""")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#id_boundary_map").screenshot(path=SHOTS / "admin-village-map.png")
    assert page.foreign_requests == [] and page.errors == []
