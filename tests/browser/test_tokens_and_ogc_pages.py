"""A user's API tokens page and the OGC API's HTML pages, in Chinese, in a browser."""
import pytest

from tokens.models import ApiToken

from .conftest import SHOTS, sign_in


@pytest.fixture
def no_tokens_left(django_db_blocker):
    """The tokens a test makes through the live server are committed: deleted after it."""
    yield
    with django_db_blocker.unblock():
        ApiToken.objects.all().delete()


def test_a_token_is_made_shown_once_and_revoked(page, app_server, no_tokens_left):
    sign_in(page, app_server.url, "analyst")
    page.click("header >> text=analyst")  # the user's name leads to their tokens
    assert page.locator("h1").inner_text() == "API 令牌"
    assert "您还没有令牌" in page.locator("main").inner_text()
    page.fill("#id_name", "办公室 QGIS")
    page.fill("#id_expires", "30")
    page.click("#new-token-form button")
    page.wait_for_load_state("networkidle")
    secret = page.locator("#token-secret").inner_text()
    assert secret.startswith("gp_") and "只显示这一次" in page.locator("#new-token").inner_text()
    row = page.locator("#token-list tr").nth(1)
    assert "办公室 QGIS" in row.inner_text() and secret not in row.inner_text()
    page.screenshot(path=str(SHOTS / "tokens.png"), full_page=True)
    # Reloaded, the token is not shown again; revoked, it says so.
    page.goto(f"{app_server.url}/account/tokens/")
    assert secret not in page.content()
    page.click("#token-list button")
    page.wait_for_load_state("networkidle")
    assert "已撤销" in page.locator(".messages").inner_text()
    assert "撤销" in page.locator("#token-list tr").nth(1).inner_text()
    assert page.foreign_requests == [] and page.errors == []


def test_the_ogc_api_s_pages_in_chinese(page, app_server):
    sign_in(page, app_server.url, "official")
    page.goto(f"{app_server.url}/ogc/")
    assert page.locator("h1").inner_text() == "gisplan：脱贫攻坚空间规划"
    page.click("#ogc-links >> text=要素集")
    assert page.locator("#collections tr").count() == 11  # a header and ten collections
    page.click("#collections >> text=行政村")
    assert "行政村" in page.locator("h1").inner_text()
    page.click("text=浏览要素")
    page.wait_for_load_state("networkidle")
    assert "共 247 个要素，本页 100 个" in page.locator("#items-count").inner_text()
    assert page.locator("#items tr").count() == 101
    page.click("#items-count >> text=下一页")
    page.wait_for_load_state("networkidle")
    assert "offset=100" in page.url and page.locator("#items tr").count() == 101
    page.screenshot(path=str(SHOTS / "ogc_items.png"), full_page=True)
    page.click("#items-count >> text=上一页")
    page.wait_for_load_state("networkidle")
    assert "offset" not in page.url
    assert page.foreign_requests == [] and page.errors == []
