"""Personal API tokens: made on the profile page or by `manage.py api_token`, shown once and
stored as a digest; sent as `Authorization: Bearer` to /api/ and /ogc/, or as HTTP Basic's
password to /ogc/ only; acting as their user, with the user's role and region, until revoked
or expired."""
import base64
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from layers.models import PlanVersion
from tokens.models import ApiToken, digest

pytestmark = pytest.mark.usefixtures("english")


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def basic(name, secret):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{name}:{secret}".encode()).decode()}


def token_of(username, **kwargs):
    return ApiToken.objects.issue(User.objects.get(username=username), "test", **kwargs)


def test_a_token_is_shown_once_and_kept_as_its_digest(sample, capsys):
    call_command("api_token", "analyst", "--name", "QGIS", "--expires", "30")
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("gp_") and len(secret) > 40
    token = ApiToken.objects.get(user__username="analyst")
    assert token.digest == digest(secret) and secret not in str(vars(token))
    assert token.name == "QGIS" and token.shown == secret[:7]
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    # The token reads the API as its user; its use is recorded.
    assert Client().get("/api/layers/towns/", **bearer(secret)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("arguments, message", [
    (["nobody"], "no active user nobody"),
    (["analyst", "--expires", "-1"], "expires after (days): Ensure this value is greater than or equal to 0."),
    (["analyst", "--expires", "soon"], "expires after (days): Enter a whole number."),
    (["analyst", "--name", ""], "name: This field is required."),
])
def test_the_command_refuses_in_one_line(sample, arguments, message):
    with pytest.raises(CommandError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        call_command("api_token", *arguments)
    assert not ApiToken.objects.exists()


def test_without_a_usable_token_the_answer_is_401(sample):
    client = Client()
    _token, secret = token_of("official")
    assert client.get("/api/layers/towns/").status_code == 401
    for wrong in ("gp_wrong", "", secret + "x"):
        response = client.get("/api/layers/towns/", **bearer(wrong))
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="gisplan", Session realm="gisplan"'
    revoked, revoked_secret = token_of("official")
    ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    expired, expired_secret = token_of("official", days=1)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    for secret_now_unusable in (revoked_secret, expired_secret):
        assert client.get("/api/layers/towns/", **bearer(secret_now_unusable)).status_code == 401
    # A user made inactive takes their tokens with them.
    User.objects.filter(username="official").update(is_active=False)
    assert client.get("/api/layers/towns/", **bearer(secret)).status_code == 401


def test_a_token_carries_its_user_s_role_and_nothing_more(sample):
    _token, official = token_of("official")
    _token, planner = token_of("planner")
    client = Client(enforce_csrf_checks=True)
    # An official may not run analyses nor write plans; a planner writes, with no CSRF token
    # (a token is not a cookie a browser sends by itself).
    assert client.get("/api/analysis/coverage/?service=relief", **bearer(official)).status_code == 403
    assert client.post("/api/plans/", {"name": "令牌草案"}, content_type="application/json",
                       **bearer(official)).status_code == 403
    response = client.post("/api/plans/", {"name": "令牌草案"}, content_type="application/json",
                           **bearer(planner))
    assert response.status_code == 201, response.content
    assert PlanVersion.objects.filter(name="令牌草案").exists()
    # The same write with a session needs the CSRF token.
    client.force_login(User.objects.get(username="planner"))
    assert client.post("/api/plans/", {"name": "会话草案"},
                       content_type="application/json").status_code == 403
    # Tokens open /api/ and /ogc/ only: the pages, the admin and the token page itself want a
    # session (a token cannot make another).
    anonymous = Client()
    for page in ("/", "/households/", "/admin/", "/account/tokens/"):
        assert anonymous.get(page, **bearer(planner)).status_code == 302, page


def test_basic_is_taken_on_the_ogc_api_only(sample):
    _token, secret = token_of("official")
    client = Client()
    assert client.get("/ogc/collections", **basic("official", secret)).status_code == 200
    assert client.get("/ogc/collections", **basic("analyst", secret)).status_code == 401  # not theirs
    assert client.get("/api/layers/towns/", **basic("official", secret)).status_code == 401
    # A page never asks a browser for Basic credentials: it sends it to the sign-in page.
    assert client.get("/households/", **basic("official", secret)).status_code == 302


def test_wrong_basic_tokens_lock_the_user_out_at_that_address(sample, settings):
    _token, secret = token_of("official")
    client = Client(REMOTE_ADDR="10.1.2.3")
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.get("/ogc/", **basic("official", f"gp_guess{attempt}")).status_code == 401
    assert client.get("/ogc/", **basic("official", "gp_last")).status_code == 429
    assert client.get("/ogc/", **basic("official", secret)).status_code == 429  # even the right one
    assert Client(REMOTE_ADDR="10.9.9.9").get("/ogc/", **basic("official", secret)).status_code == 200


def test_an_old_token_of_the_user_s_own_is_no_guess(sample, settings):
    # A desktop GIS left with a revoked token asks again and again: the user is not locked out.
    token, secret = token_of("official")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    client = Client(REMOTE_ADDR="10.1.2.3")
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 2):
        assert client.get("/ogc/", **basic("official", secret)).status_code == 401
    _token, fresh = token_of("official")
    assert client.get("/ogc/", **basic("official", fresh)).status_code == 200


@pytest.mark.parametrize("header", ["Basic ###", "Basic " + "é" * 8,
                                    "Basic " + base64.b64encode(b"a\x00b:gp_x").decode(),
                                    "Basic " + base64.b64encode(b"\xff\xfe:x").decode()])
def test_a_garbled_basic_header_is_a_401(sample, header):
    response = Client().get("/ogc/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401 and "Basic" in response["WWW-Authenticate"]


def test_a_token_request_keeps_no_session(sample):
    from django.contrib.sessions.models import Session

    _token, secret = token_of("official")
    before = Session.objects.count()
    response = Client().get("/api/layers/towns/?county=611021", **bearer(secret))
    assert response.status_code == 200 and "sessionid" not in response.cookies
    assert Session.objects.count() == before


def test_the_profile_page_makes_lists_and_revokes_tokens(sample, client):
    client.force_login(User.objects.get(username="analyst"))
    made = client.post("/account/tokens/", {"name": "QGIS 办公室", "expires": "0"})
    assert made.status_code == 200
    secret = made.context["secret"]
    assert secret in made.content.decode()  # shown this once
    token = ApiToken.objects.get(user__username="analyst")
    assert token.name == "QGIS 办公室" and token.expires_at is None  # 0: never
    listed = client.get("/account/tokens/").content.decode()
    assert secret not in listed and token.shown in listed and "QGIS 办公室" in listed
    refused = client.post("/account/tokens/", {"name": "x", "expires": "99999"})
    assert "Ensure this value is less than or equal to 3650" in refused.content.decode()
    assert ApiToken.objects.count() == 1
    # Another user's token cannot be revoked from here; one's own can.
    other, _secret = token_of("official")
    assert client.post(f"/account/tokens/{other.pk}/revoke/").status_code == 404
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    assert Client().get("/api/layers/towns/", **bearer(secret)).status_code == 401
    assert "revoked" in client.get("/account/tokens/").content.decode()
