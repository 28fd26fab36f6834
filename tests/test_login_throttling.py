"""Password guessing: five wrong passwords for one user from one address lock that
pair out (settings.AXES_FAILURE_LIMIT), even for the right password, with a page that says
so; other users and other addresses sign in as usual."""
import pytest
from django.conf import settings

from tests.conftest import PASSWORD

OFFICE = "10.1.2.3"


def sign_in(client, username, password, address=OFFICE):
    return client.post("/accounts/login/", {"username": username, "password": password},
                       REMOTE_ADDR=address)


def guess(client, username, times, address=OFFICE):
    for attempt in range(times):
        assert sign_in(client, username, f"guess-{attempt}", address).status_code == 200  # the form again


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_user_at_that_address(client, sample, english):
    assert settings.AXES_FAILURE_LIMIT == 5
    guess(client, "official", 4)
    assert sign_in(client, "official", "guess-5").status_code == 429  # the fifth locks
    locked = sign_in(client, "official", PASSWORD)
    assert locked.status_code == 429
    assert "Too many wrong passwords" in locked.content.decode()
    assert "15 minutes" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another user at the same office, and the same user elsewhere, are not held up.
    assert sign_in(client, "analyst", PASSWORD).status_code == 302
    client.logout()
    assert sign_in(client, "official", PASSWORD, address="10.9.9.9").status_code == 302


@pytest.mark.django_db
def test_a_successful_sign_in_starts_the_count_again(client, sample):
    guess(client, "planner", 4)
    assert sign_in(client, "planner", PASSWORD).status_code == 302
    client.logout()
    guess(client, "planner", 4)  # four more: not locked, the count began again
    assert sign_in(client, "planner", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_lock_page_is_in_chinese_by_default(client, sample):
    guess(client, "official", 4)
    sign_in(client, "official", "guess-5")
    assert "密码错误次数过多" in sign_in(client, "official", PASSWORD).content.decode()
