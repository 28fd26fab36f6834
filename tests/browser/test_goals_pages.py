"""The officials' pages of the three goals and the income league table, in Chinese, on the
sample county (latest quarter 2017Q2: 27,000 poor households, 86,000 poor people)."""
from .conftest import SHOTS, sign_in


def test_the_three_goals_in_chinese(page, app_server):
    sign_in(page, app_server.url, "official")
    page.click("nav >> text=三大目标")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "三大目标"
    assert page.locator("#near-term h2").inner_text() == "近期目标（2019年）"
    assert page.locator("#mid-term h2").inner_text() == "中期目标（2020年）"
    near = page.locator("#near-term").inner_text()
    assert "尚有贫困户 27000 户、贫困人口 86000 人" in near
    # The county, its four zones, then its towns.
    rows = page.locator("#near-term-table tr")
    assert rows.nth(1).locator("td").first.inner_text() == "洛南县"
    assert page.locator("#near-term-table tr.zone").count() == 4
    assert page.locator("#near-term-table tr.town").count() > 10
    assert page.locator("#goal-trends svg").count() == 4
    page.screenshot(path=str(SHOTS / "goals.png"), full_page=True)
    assert page.foreign_requests == [] and page.errors == []


def test_the_income_league_table_in_chinese(page, app_server):
    sign_in(page, app_server.url, "official")
    page.goto(f"{app_server.url}/assessment/league/")
    assert page.locator("h1").inner_text() == "季度收入排行榜"
    assert "自 2017Q1 至 2017Q2" in page.locator("#league-summary").inner_text()
    assert page.locator("#league-towns tr").count() > 10
    first = page.locator("#league-towns tr").nth(1).locator("td")
    assert first.first.inner_text() == "1" and first.last.inner_text().endswith("%")
    # Fifty households by code (an official sees no name and no link to a household's page).
    assert page.locator("#league-households tr").count() == 51
    assert page.locator("#league-households a").count() == 0
    page.select_option("select[name=quarter]", "2016Q4")
    page.click("form.analysis-form button")
    page.wait_for_load_state("networkidle")
    assert "自 2016Q3 至 2016Q4" in page.locator("#league-summary").inner_text()
    page.screenshot(path=str(SHOTS / "league.png"), full_page=True)
    assert page.foreign_requests == [] and page.errors == []
